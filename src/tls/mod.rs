//! FTPS: explicit (`AUTH TLS`, RFC 4217) and implicit TLS over two backends, native-tls
//! and rustls. The user-facing documentation is on [`TlsConfig`]; the hooks into
//! [`FtpStream`] (AUTH before login, TLS on data connections under PROT P, the reply that
//! says a server wants session reuse, clean close) are here.

// Without any TLS backend the module still compiles (every use reports Error::Tls).
#![cfg_attr(
    not(any(feature = "native-tls", feature = "rustls")),
    allow(unreachable_code, dead_code, unused_variables)
)]

use std::fmt;
use std::io::{self, Read};
use std::net::TcpStream;

use crate::error::{Error, Result};
use crate::net::Transport;
use crate::reply::Reply;
use crate::stream::FtpStream;

#[cfg(feature = "native-tls")]
mod native;
#[cfg(feature = "native-tls")]
pub(crate) use native::{read as native_read, NativeSocket};
#[cfg(feature = "rustls")]
mod rustls;

/// The port of implicit FTPS (TLS from the first byte), used by
/// [`crate::Builder::implicit_tls`] when the port given to `connect` is 0.
pub const FTPS_PORT: u16 = 990;

/// How to secure connections (FTPS): which backend, which roots, how to verify.
///
/// Made with [`TlsConfig::new`] (verification on, default backend) and given to
/// [`crate::Builder::tls`] (explicit FTPS: `AUTH TLS`, like ftplib's `FTP_TLS`) or
/// [`crate::Builder::implicit_tls`] (TLS from the first byte, port 990).
///
/// ```no_run
/// use ftplib::{FtpStream, TlsConfig};
///
/// let mut ftp = FtpStream::builder()
///     .tls(TlsConfig::new())             // login() sends AUTH TLS first
///     .connect("ftp.example.com", 21)?;
/// ftp.login("alice", "secret")?;         // the password travels inside TLS
/// ftp.prot_p()?;                         // PBSZ 0 + PROT P: data connections use TLS too
/// let names = ftp.nlst(&[])?;
/// # Ok::<(), ftplib::Error>(())
/// ```
///
/// As in ftplib, data connections stay in the clear until [`FtpStream::prot_p`] is called.
///
/// # Picking a backend
///
/// | Cargo feature | library | data connections resume the control session | pick it when |
/// |---|---|---|---|
/// | `native-tls` (default) | the platform's (OpenSSL on Linux) and its trust store | no | the server does not require session reuse, or the platform's TLS stack is required |
/// | `rustls` | rustls with aws-lc-rs; Mozilla's roots (`webpki-roots`) | yes, TLS 1.2 and 1.3 | the server requires reuse: vsftpd (`require_ssl_reuse=YES` is its default), ProFTPD, FileZilla Server |
///
/// Both features may be enabled at once; [`TlsConfig::new`] then picks rustls, and
/// `TlsConfig::native_tls()` / `TlsConfig::rustls()` choose explicitly. With native-tls, a
/// server that refuses a data connection for lack of session reuse gives
/// [`Error::TlsSessionReuseRequired`], whose message names the `rustls` feature.
///
/// With rustls and TLS 1.3, each data connection uses up one session ticket, and a server
/// hands out new ones only on some connections: ProFTPD (OpenSSL) gives two with the
/// control connection and one with each listing or download, but none with an upload. So
/// against ProFTPD's default (reuse required), at most two uploads in a row succeed; the
/// third gets [`Error::TlsSessionReuseRequired`]. TLS 1.2 sessions can be resumed any
/// number of times: for such servers, use [`TlsConfig::tls12_only`].
///
/// # Verification
///
/// On by default: the certificate chain must lead to a trusted root, and the certificate
/// must name the host given to `connect` (a DNS name, or an IP address listed in the
/// certificate); data connections are checked against the same name. Add a private CA
/// with [`TlsConfig::add_root_certificate_pem`], pass a configured connector with
/// `TlsConfig::from_native_tls` / `TlsConfig::from_rustls`, or, for tests only, opt out
/// with [`TlsConfig::danger_accept_invalid_certs`]. Handshake and certificate failures
/// are [`Error::Tls`] with the backend's message (for example
/// `invalid peer certificate: UnknownIssuer`).
///
/// # Closing
///
/// TLS data connections are closed with close_notify (uploads before the final reply is
/// awaited, as vsftpd requires), and a TLS data stream that ends without the server's
/// close_notify is an error, never a silently short file.
///
/// ```no_run
/// # fn main() -> ftplib::Result<()> {
/// let ca = std::fs::read("company-ca.pem")?;
/// let tls = ftplib::TlsConfig::new().add_root_certificate_pem(&ca)?;
/// let mut ftp = ftplib::FtpStream::builder().tls(tls).connect("ftp.internal", 21)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    #[cfg(feature = "native-tls")]
    Native(native::Settings),
    #[cfg(feature = "rustls")]
    Rustls(rustls::Settings),
    /// Built without any TLS backend: every use fails with [`Error::Tls`].
    #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
    Unavailable,
}

impl TlsConfig {
    /// Verification on (chain and host name), with the default backend: rustls when the
    /// `rustls` feature is enabled, native-tls otherwise.
    pub fn new() -> TlsConfig {
        #[cfg(feature = "rustls")]
        {
            TlsConfig::rustls()
        }
        #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
        {
            TlsConfig::native_tls()
        }
        #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
        {
            TlsConfig {
                inner: Inner::Unavailable,
            }
        }
    }

    /// Verification on, through native-tls (the platform's TLS library and trust store).
    /// native-tls cannot resume TLS sessions; see the module documentation.
    #[cfg(feature = "native-tls")]
    pub fn native_tls() -> TlsConfig {
        TlsConfig {
            inner: Inner::Native(native::Settings::default()),
        }
    }

    /// Verification on, through rustls with Mozilla's root certificates. Data
    /// connections resume the control connection's TLS session.
    #[cfg(feature = "rustls")]
    pub fn rustls() -> TlsConfig {
        TlsConfig {
            inner: Inner::Rustls(rustls::Settings::default()),
        }
    }

    /// Uses a native-tls connector configured by the caller, as is. Its settings decide
    /// verification; the host name checked is the one given to `connect`.
    #[cfg(feature = "native-tls")]
    pub fn from_native_tls(connector: native_tls::TlsConnector) -> TlsConfig {
        TlsConfig {
            inner: Inner::Native(native::Settings::from_connector(connector)),
        }
    }

    /// Uses a rustls configuration made by the caller, as is. The same `Arc` serves the
    /// control connection and every data connection, so its session cache lets data
    /// connections resume the control session (keep `resumption` enabled for that).
    #[cfg(feature = "rustls")]
    pub fn from_rustls(config: std::sync::Arc<::rustls::ClientConfig>) -> TlsConfig {
        TlsConfig {
            inner: Inner::Rustls(rustls::Settings::from_config(config)),
        }
    }

    /// Trusts the CA certificate(s) in `pem` (one or more `BEGIN CERTIFICATE` blocks) in
    /// addition to the default roots.
    ///
    /// # Errors
    /// [`Error::Tls`] when `pem` holds no readable certificate;
    /// [`Error::InvalidState`] on a config made from the caller's own connector (add the
    /// roots there instead).
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<TlsConfig> {
        match &mut self.inner {
            #[cfg(feature = "native-tls")]
            Inner::Native(settings) => settings.add_root_pem(pem)?,
            #[cfg(feature = "rustls")]
            Inner::Rustls(settings) => settings.add_root_pem(pem)?,
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            Inner::Unavailable => {
                let _ = pem;
                return Err(no_backend());
            }
        }
        Ok(self)
    }

    /// **Dangerous**: with `true`, accepts any certificate for any host name, so anyone
    /// between client and server can read and change everything, passwords included. For
    /// tests against throwaway certificates only. (With rustls, handshake signatures are
    /// still checked.) Ignored, with a warning in the log, on a config made from the
    /// caller's own connector, whose settings stay in force.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> TlsConfig {
        match &mut self.inner {
            #[cfg(feature = "native-tls")]
            Inner::Native(settings) => settings.accept_invalid_certs(accept),
            #[cfg(feature = "rustls")]
            Inner::Rustls(settings) => settings.accept_invalid_certs(accept),
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            Inner::Unavailable => {
                let _ = accept;
            }
        }
        self
    }

    /// With `true`, limits every connection of the session to TLS 1.2 (TLS 1.3 is used when
    /// both sides offer it otherwise). For servers that require session reuse but give no
    /// new TLS 1.3 session ticket on upload connections, such as ProFTPD: rustls uses each
    /// ticket once, while a TLS 1.2 session can be resumed any number of times (see
    /// "Picking a backend" above). Ignored, with a warning in the log, on a config made from
    /// the caller's own connector.
    ///
    /// ```no_run
    /// use ftplib::{FtpStream, TlsConfig};
    /// let mut ftp = FtpStream::builder()
    ///     .tls(TlsConfig::new().tls12_only(true))
    ///     .connect("proftpd.example.com", 21)?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    pub fn tls12_only(mut self, only: bool) -> TlsConfig {
        match &mut self.inner {
            #[cfg(feature = "native-tls")]
            Inner::Native(settings) => settings.tls12_only(only),
            #[cfg(feature = "rustls")]
            Inner::Rustls(settings) => settings.tls12_only(only),
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            Inner::Unavailable => {
                let _ = only;
            }
        }
        self
    }

    /// The backend this config uses: `"native-tls"` or `"rustls"`.
    pub fn backend(&self) -> &'static str {
        match &self.inner {
            #[cfg(feature = "native-tls")]
            Inner::Native(_) => "native-tls",
            #[cfg(feature = "rustls")]
            Inner::Rustls(_) => "rustls",
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            Inner::Unavailable => "none",
        }
    }

    /// Builds the connector that one session uses for its control and data connections.
    fn connector(&self) -> Result<Connector> {
        match &self.inner {
            #[cfg(feature = "native-tls")]
            Inner::Native(settings) => Ok(Connector::Native(settings.build()?)),
            #[cfg(feature = "rustls")]
            Inner::Rustls(settings) => Ok(Connector::Rustls(settings.build()?)),
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            Inner::Unavailable => Err(no_backend()),
        }
    }
}

impl Default for TlsConfig {
    fn default() -> TlsConfig {
        TlsConfig::new()
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("TlsConfig");
        s.field("backend", &self.backend());
        match &self.inner {
            #[cfg(feature = "native-tls")]
            Inner::Native(settings) => settings.describe(&mut s),
            #[cfg(feature = "rustls")]
            Inner::Rustls(settings) => settings.describe(&mut s),
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            Inner::Unavailable => {}
        }
        s.finish()
    }
}

#[cfg(not(any(feature = "native-tls", feature = "rustls")))]
fn no_backend() -> Error {
    Error::Tls(
        "ftplib was built without a TLS backend: enable the `native-tls` or `rustls` feature"
            .into(),
    )
}

/// One session's ready-to-use TLS client: the control connection and all data connections
/// share it (for rustls, one `Arc<ClientConfig>` and so one session cache).
#[derive(Clone)]
pub(crate) enum Connector {
    #[cfg(feature = "native-tls")]
    Native(native_tls::TlsConnector),
    #[cfg(feature = "rustls")]
    Rustls(std::sync::Arc<::rustls::ClientConfig>),
}

impl Connector {
    /// Runs the client handshake on `tcp`, verifying the certificate against `host`.
    fn connect(&self, host: &str, tcp: TcpStream) -> Result<Transport> {
        // The name to verify and to send as SNI: the host as the user gave it.
        let host = crate::net::unbracket(host);
        match self {
            #[cfg(feature = "native-tls")]
            Connector::Native(connector) => native::connect(connector, host, tcp),
            #[cfg(feature = "rustls")]
            Connector::Rustls(config) => rustls::connect(config, host, tcp),
            #[cfg(not(any(feature = "native-tls", feature = "rustls")))]
            _ => {
                let _ = (host, tcp);
                unreachable!("no TLS backend")
            }
        }
    }

    fn is_native(&self) -> bool {
        match self {
            #[cfg(feature = "native-tls")]
            Connector::Native(_) => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

/// The TLS state of one [`FtpStream`].
#[derive(Default)]
pub(crate) struct TlsState {
    /// Built on first use (AUTH or implicit TLS) and kept for the data connections.
    connector: Option<Connector>,
    /// PROT P is in force: data connections are wrapped in TLS.
    prot_p: bool,
    /// A TLS data connection that did not resume the control connection's session was
    /// opened (native-tls never resumes; rustls can run out of TLS 1.3 tickets), and its
    /// final reply is still to come: a refusal for lack of session reuse becomes
    /// [`Error::TlsSessionReuseRequired`].
    unresumed_data_reply_pending: bool,
}

impl TlsState {
    /// Looks at a reply read from the control connection. The first reply after a data
    /// connection that did not resume the session was opened is the transfer's final
    /// reply: if the server refused the data connection because the TLS session was not
    /// resumed, that becomes [`Error::TlsSessionReuseRequired`]. Other replies pass
    /// unchanged.
    pub(crate) fn check_reply(&mut self, reply: Reply) -> Result<Reply> {
        if std::mem::take(&mut self.unresumed_data_reply_pending) && refuses_for_reuse(&reply) {
            return Err(Error::TlsSessionReuseRequired(reply));
        }
        Ok(reply)
    }
}

/// True for a reply that refuses a TLS data connection because the session was not
/// resumed: vsftpd's `522 SSL connection failed: session reuse required`, FileZilla
/// Server's `425 … TLS session of data connection not resumed`, ProFTPD's
/// `425 Unable to build data connection: Operation not permitted`, and 522 in general
/// (RFC 4217's refusal of the data connection's protection).
fn refuses_for_reuse(reply: &Reply) -> bool {
    let text = reply.text.to_ascii_lowercase();
    match reply.code {
        522 => true,
        425 | 450 => {
            text.contains("reuse")
                || text.contains("resum")
                || (reply.code == 425 && text.contains("operation not permitted"))
        }
        _ => false,
    }
}

/// Closes a TLS data connection cleanly: close_notify, end of our side, then reading the
/// server's side to its end (which stores a TLS 1.3 ticket and avoids a reset). For an
/// upload an error is reported (the server may not have seen the end of the data); after
/// a download that was read to its end it is only logged: the final reply decides.
pub(crate) fn close_data(transport: Transport, upload: bool) -> io::Result<()> {
    let result = match transport {
        Transport::Tcp(_) => Ok(()),
        #[cfg(feature = "native-tls")]
        Transport::NativeTls(stream) => native::close(*stream),
        #[cfg(feature = "rustls")]
        Transport::Rustls(stream) => rustls::close(*stream),
    };
    match result {
        Err(e) if !upload => {
            log::debug!(target: "ftplib", "closing the TLS data connection: {e}");
            Ok(())
        }
        other => other,
    }
}

/// Reads and discards what the server still sends, up to its end of stream (or an error,
/// or a bound, so a misbehaving server cannot keep us here).
fn drain(reader: &mut impl Read) {
    let mut buf = [0u8; 8192];
    let mut left: usize = 1 << 20;
    while left > 0 {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => left = left.saturating_sub(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

/// Maps an I/O error from a handshake to the crate's error.
#[cfg(feature = "rustls")]
fn handshake_io_error(err: io::Error) -> Error {
    match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout {
            during: "the TLS handshake",
        },
        io::ErrorKind::UnexpectedEof => {
            Error::Tls("the server closed the connection during the TLS handshake".into())
        }
        _ => Error::Io(err),
    }
}

impl FtpStream {
    /// Secures the control connection with `AUTH TLS`, like ftplib's `FTP_TLS.auth()`,
    /// using the [`TlsConfig`] given to [`crate::Builder::tls`] or else
    /// [`TlsConfig::new`]. [`FtpStream::login`] calls it by itself when the stream was
    /// built with [`crate::Builder::tls`].
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the control connection already uses TLS; the server's
    /// refusal of AUTH (nothing else is sent then); [`Error::Tls`] when the handshake or
    /// the certificate check fails, which leaves the stream unusable.
    pub fn auth(&mut self) -> Result<Reply> {
        if self.control.get_ref().is_tls() {
            return Err(Error::InvalidState("already using TLS".into()));
        }
        let connector = self.tls_connector()?;
        let reply = self.voidcmd("AUTH TLS")?;
        self.upgrade_control(&connector)?;
        Ok(reply)
    }

    /// Protects data connections with TLS: `PBSZ 0` then `PROT P`, like ftplib's
    /// `prot_p()`. Returns the PROT reply.
    ///
    /// # Errors
    /// [`Error::InvalidState`] before [`FtpStream::auth`] (or implicit TLS); the server's
    /// refusal of PBSZ or PROT.
    pub fn prot_p(&mut self) -> Result<Reply> {
        if self.tls.connector.is_none() {
            return Err(Error::InvalidState(
                "prot_p needs TLS: call auth() first, or connect with Builder::tls".into(),
            ));
        }
        self.voidcmd("PBSZ 0")?;
        let reply = self.voidcmd("PROT P")?;
        self.tls.prot_p = true;
        Ok(reply)
    }

    /// Sends data in the clear again: `PROT C`, like ftplib's `prot_c()`.
    ///
    /// # Errors
    /// The server's refusal.
    pub fn prot_c(&mut self) -> Result<Reply> {
        let reply = self.voidcmd("PROT C")?;
        self.tls.prot_p = false;
        Ok(reply)
    }

    /// Returns the control connection to plain text (`CCC`, RFC 4217), like ftplib's
    /// `ccc()`, for example so that a NAT-aware firewall can read PORT/PASV replies. After
    /// the server's 2xx, both sides send TLS close_notify (rustls and native-tls alike:
    /// ours first, then we wait for the server's) and the same TCP connection carries the
    /// following commands in the clear. Data protection (PROT) is unchanged.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the control connection does not use TLS; the server's
    /// refusal of CCC (the connection stays secured); an error during the TLS shutdown,
    /// which leaves the stream unusable.
    pub fn ccc(&mut self) -> Result<Reply> {
        if !self.control.get_ref().is_tls() {
            return Err(Error::InvalidState("not using TLS".into()));
        }
        let reply = self.voidcmd("CCC")?;
        if !self.control.buffer().is_empty() {
            let line = String::from_utf8_lossy(self.control.buffer()).into_owned();
            return Err(self.poison(Error::Protocol {
                reason: "server sent more after its reply to CCC".into(),
                line,
            }));
        }
        let result = (|| {
            let plain = self.control.get_ref().tcp().try_clone()?;
            match self.control.get_mut() {
                #[cfg(feature = "native-tls")]
                Transport::NativeTls(stream) => native::shutdown_control(stream)?,
                #[cfg(feature = "rustls")]
                Transport::Rustls(stream) => rustls::shutdown_control(stream)?,
                Transport::Tcp(_) => {}
            }
            Ok(plain)
        })();
        match result {
            Ok(plain) => {
                // Drops the TLS state; the socket lives on in the plain handle.
                *self.control.get_mut() = Transport::Tcp(plain);
                Ok(reply)
            }
            Err(e) => Err(self.poison(Error::from_io(e, "closing TLS after CCC"))),
        }
    }

    /// True when the control connection is inside TLS.
    pub fn is_tls(&self) -> bool {
        self.control.get_ref().is_tls()
    }

    /// True after [`FtpStream::prot_p`]: data connections use TLS.
    pub fn is_data_protected(&self) -> bool {
        self.tls.prot_p
    }

    /// Implicit FTPS: the handshake runs before the greeting is read.
    pub(crate) fn start_implicit_tls(&mut self) -> Result<()> {
        let connector = self.tls_connector()?;
        self.upgrade_control(&connector)
    }

    /// Runs before USER: with [`crate::Builder::tls`], secures the control connection
    /// first, so credentials never travel in the clear.
    pub(crate) fn tls_before_login(&mut self) -> Result<()> {
        if self.config.tls.is_some() && !self.control.get_ref().is_tls() {
            self.auth()?;
        }
        Ok(())
    }

    /// Wraps a data connection in TLS under PROT P (after the 1xx reply, as ftplib does),
    /// verifying against the control connection's host name so that rustls resumes the
    /// control session.
    pub(crate) fn tls_wrap_data(&mut self, tcp: TcpStream) -> Result<Transport> {
        if !self.tls.prot_p {
            return Ok(Transport::Tcp(tcp));
        }
        let Some(connector) = self.tls.connector.clone() else {
            return Ok(Transport::Tcp(tcp));
        };
        // Set before the handshake too: a failed native-tls handshake is answered by the
        // same refusal.
        self.tls.unresumed_data_reply_pending = connector.is_native();
        match connector.connect(&self.host, tcp) {
            Ok(transport) => {
                self.tls.unresumed_data_reply_pending = !transport.resumed_tls_session();
                Ok(transport)
            }
            Err(err @ Error::Timeout { .. }) => Err(self.poison(err)),
            Err(err) => {
                // The server answers the failed data connection on the control connection;
                // read that reply to stay in step.
                match self.getresp() {
                    Err(reuse @ Error::TlsSessionReuseRequired(_)) => Err(reuse),
                    Ok(_)
                    | Err(Error::Temporary(_))
                    | Err(Error::Permanent(_))
                    | Err(Error::UnexpectedReply(_)) => Err(err),
                    Err(_) => Err(self.poison(err)),
                }
            }
        }
    }

    /// The session's connector, built from the configured [`TlsConfig`] on first use.
    fn tls_connector(&mut self) -> Result<Connector> {
        if let Some(connector) = &self.tls.connector {
            return Ok(connector.clone());
        }
        let connector = match &self.config.tls {
            Some(config) => config.connector()?,
            None => TlsConfig::new().connector()?,
        };
        self.tls.connector = Some(connector.clone());
        Ok(connector)
    }

    /// Replaces the plain control connection with TLS over the same socket.
    fn upgrade_control(&mut self, connector: &Connector) -> Result<()> {
        if !self.control.buffer().is_empty() {
            let line = String::from_utf8_lossy(self.control.buffer()).into_owned();
            return Err(self.poison(Error::Protocol {
                reason: "server sent data before the TLS handshake".into(),
                line,
            }));
        }
        let tcp = match self.control.get_ref().tcp().try_clone() {
            Ok(tcp) => tcp,
            Err(e) => return Err(self.poison(Error::Io(e))),
        };
        match connector.connect(&self.host, tcp) {
            Ok(transport) => {
                // Drops the plain handle: the socket lives on in the TLS transport.
                *self.control.get_mut() = transport;
                Ok(())
            }
            Err(e) => Err(self.poison(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, text: &str) -> Reply {
        Reply::new(code, format!("{code} {text}"))
    }

    #[test]
    fn reuse_refusals_are_recognised() {
        assert!(refuses_for_reuse(&reply(
            522,
            "SSL connection failed: session reuse required"
        )));
        assert!(refuses_for_reuse(&reply(
            425,
            "Unable to build data connection: TLS session of data connection not resumed."
        )));
        assert!(refuses_for_reuse(&reply(
            425,
            "Unable to build data connection: Operation not permitted"
        )));
        assert!(refuses_for_reuse(&reply(
            450,
            "TLS session resumption required"
        )));
        assert!(!refuses_for_reuse(&reply(
            425,
            "Can't open data connection."
        )));
        assert!(!refuses_for_reuse(&reply(550, "session reuse")));
        assert!(!refuses_for_reuse(&reply(226, "Transfer complete.")));
    }

    #[test]
    fn reply_check_applies_once_after_a_native_data_connection() {
        let mut state = TlsState::default();
        let refusal = reply(522, "SSL connection failed: session reuse required");
        assert!(state.check_reply(refusal.clone()).is_ok());
        state.unresumed_data_reply_pending = true;
        assert!(matches!(
            state.check_reply(refusal.clone()),
            Err(Error::TlsSessionReuseRequired(_))
        ));
        assert!(state.check_reply(refusal).is_ok());
    }

    #[test]
    fn sessions_and_configs_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<TlsConfig>();
        send_sync::<crate::Builder>();
        send::<FtpStream>();
    }

    #[test]
    fn server_names_lose_ipv6_brackets() {
        assert_eq!(crate::net::unbracket("[::1]"), "::1");
        assert_eq!(crate::net::unbracket("localhost"), "localhost");
        assert_eq!(crate::net::unbracket("::1"), "::1");
    }
}

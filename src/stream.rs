//! [`FtpStream`]: the control connection and every ftplib method built on it.
//!
//! Layers, bottom up, as in CPython's `ftplib.py`: sending lines and reading replies
//! (`putcmd`, `getresp`), commands (`sendcmd`, `voidcmd`), data-connection set-up
//! (`makepasv`, `makeport`, `ntransfercmd`), transfers (`retrbinary`, `storbinary`, …) and
//! conveniences (`cwd`, `size`, `nlst`, …).

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use log::{debug, trace};

use crate::command::{check_argument, format_command, sanitize, Encoding};
use crate::data::{DataStream, Download, Upload};
use crate::error::{Error, Result};
use crate::keepalive::{self, MAX_OUTSTANDING_NOOPS};
use crate::net::{self, Transport};
use crate::parse;
use crate::reply::{self, is_line_too_long, Limits, LineEnd, Reply};

/// The default FTP port.
pub const FTP_PORT: u16 = 21;

/// The default block size of binary transfers: 64 KiB moves data at about 0.9× raw
/// loopback TCP, where ftplib's 8 KiB reaches about half.
pub const DEFAULT_BLOCKSIZE: usize = 64 * 1024;

/// The default timeout: a dead server fails a call after a minute instead of hanging.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Default limit on one line of a text transfer (`retrlines`, `storlines`). Larger than
/// ftplib's 8192, which breaks on long XML or EDI lines.
pub const DEFAULT_MAX_DATA_LINE_LENGTH: usize = 1024 * 1024;

/// How many preliminary (1xx) greetings to wait through before giving up.
const MAX_PRELIMINARY_GREETINGS: usize = 16;

/// Options for opening an [`FtpStream`]; made by [`FtpStream::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// let mut ftp = ftplib::FtpStream::builder()
///     .timeout(Some(Duration::from_secs(10)))
///     .prefer_epsv(true)
///     .connect("ftp.example.com", 21)?;
/// # Ok::<(), ftplib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    pub(crate) timeout: Option<Duration>,
    pub(crate) source_address: Option<IpAddr>,
    pub(crate) passive: bool,
    pub(crate) trust_server_pasv_ipv4_address: bool,
    pub(crate) prefer_epsv: bool,
    pub(crate) max_line_length: usize,
    pub(crate) max_reply_lines: usize,
    pub(crate) max_data_line_length: usize,
    pub(crate) encoding: Encoding,
    pub(crate) tls: Option<crate::tls::TlsConfig>,
    pub(crate) implicit_tls: bool,
    pub(crate) keepalive: Option<Duration>,
    pub(crate) active_external_address: Option<IpAddr>,
    pub(crate) active_port_range: Option<RangeInclusive<u16>>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            timeout: Some(DEFAULT_TIMEOUT),
            source_address: None,
            passive: true,
            trust_server_pasv_ipv4_address: false,
            prefer_epsv: false,
            max_line_length: reply::DEFAULT_MAX_LINE_LENGTH,
            max_reply_lines: reply::DEFAULT_MAX_REPLY_LINES,
            max_data_line_length: DEFAULT_MAX_DATA_LINE_LENGTH,
            encoding: Encoding::Utf8,
            tls: None,
            implicit_tls: false,
            keepalive: None,
            active_external_address: None,
            active_port_range: None,
        }
    }
}

impl Builder {
    /// One timeout for everything, like ftplib's `timeout`: the connect, each control
    /// read and write, the data connect or accept, and each data read and write.
    /// `None` waits forever. Default: [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Option<Duration>) -> Builder {
        self.timeout = timeout;
        self
    }

    /// The local address to connect from (control and passive data connections), like
    /// ftplib's `source_address`.
    pub fn source_address(mut self, address: Option<IpAddr>) -> Builder {
        self.source_address = address;
        self
    }

    /// Passive (the default, `true`) or active data connections; see
    /// [`FtpStream::set_pasv`].
    pub fn passive(mut self, passive: bool) -> Builder {
        self.passive = passive;
        self
    }

    /// Connect to the host named in a 227 (PASV) reply instead of the control
    /// connection's peer. Off by default, as in ftplib since CVE-2021-4189: a hostile
    /// server could otherwise make the client connect to any host.
    pub fn trust_server_pasv_ipv4_address(mut self, trust: bool) -> Builder {
        self.trust_server_pasv_ipv4_address = trust;
        self
    }

    /// Use EPSV (RFC 2428) instead of PASV on IPv4 too. If the server refuses EPSV with
    /// a 5xx reply the stream falls back to PASV and remembers. IPv6 always uses EPSV.
    pub fn prefer_epsv(mut self, prefer: bool) -> Builder {
        self.prefer_epsv = prefer;
        self
    }

    /// The longest line accepted on the control connection, in bytes (default 8192, as
    /// ftplib's `MAXLINE`).
    pub fn max_line_length(mut self, bytes: usize) -> Builder {
        self.max_line_length = bytes.max(8);
        self
    }

    /// The most lines accepted in one multi-line reply (default 1000; ftplib has no
    /// limit).
    pub fn max_reply_lines(mut self, lines: usize) -> Builder {
        self.max_reply_lines = lines.max(1);
        self
    }

    /// The longest line accepted by [`FtpStream::retrlines`] and sent by
    /// [`FtpStream::storlines`] (default 1 MiB).
    pub fn max_data_line_length(mut self, bytes: usize) -> Builder {
        self.max_data_line_length = bytes.max(8);
        self
    }

    /// Explicit FTPS, like ftplib's `FTP_TLS`: [`FtpStream::login`] first sends
    /// `AUTH TLS` and secures the control connection with `config`, so credentials never
    /// travel in the clear (if AUTH is refused, login fails without sending USER). Call
    /// [`FtpStream::prot_p`] after login to protect data connections too.
    pub fn tls(mut self, config: crate::tls::TlsConfig) -> Builder {
        self.tls = Some(config);
        self.implicit_tls = false;
        self
    }

    /// Implicit FTPS: TLS from the first byte, before the greeting. Port 0 in
    /// [`Builder::connect`] then means 990. Call [`FtpStream::prot_p`] to protect data
    /// connections too.
    pub fn implicit_tls(mut self, config: crate::tls::TlsConfig) -> Builder {
        self.tls = Some(config);
        self.implicit_tls = true;
        self
    }

    /// How commands are encoded and replies and text transfers decoded (default UTF-8,
    /// as ftplib's `encoding`); see [`Encoding`].
    pub fn encoding(mut self, encoding: Encoding) -> Builder {
        self.encoding = encoding;
        self
    }

    /// Keeps the control connection alive during long transfers: while a transfer runs,
    /// `NOOP` is sent on the control connection whenever `interval` has passed since the
    /// last command, so a NAT box or firewall that drops idle connections does not cut it
    /// before the transfer's final reply. `None` (the default) sends nothing.
    ///
    /// Covers every transfer the stream runs itself: [`FtpStream::retrbinary`],
    /// [`FtpStream::retrlines`], [`FtpStream::storbinary`], [`FtpStream::storlines`], the
    /// listings, and the [`FtpStream::retr_stream`] / [`FtpStream::stor_stream`] streams. A
    /// [`crate::DataStream`] from [`FtpStream::transfercmd`] is moved by your code, which
    /// the stream does not see, so it gets no NOOPs.
    ///
    /// The NOOPs' replies are read when the transfer ends, in whatever order the server
    /// sends them (before or after the transfer's own reply), and never count as the
    /// transfer's success. Pick an interval well below the idle limit of the network path,
    /// typically 30 to 120 seconds. At most 512 NOOPs are left unanswered during one
    /// transfer.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let mut ftp = ftplib::FtpStream::builder()
    ///     .keepalive(Some(Duration::from_secs(60)))
    ///     .connect("ftp.example.com", 21)?;
    /// ftp.login("", "")?;
    /// let mut file = std::fs::File::create("big.iso")?;
    /// ftp.retrbinary("RETR big.iso", |block| std::io::Write::write_all(&mut file, block),
    ///                ftplib::DEFAULT_BLOCKSIZE, None)?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// A zero interval makes [`Builder::connect`] fail with [`Error::InvalidInput`].
    pub fn keepalive(mut self, interval: Option<Duration>) -> Builder {
        self.keepalive = interval;
        self
    }

    /// The address to advertise in active mode's PORT/EPRT instead of the control
    /// connection's local address: the public address of the NAT router in front of the
    /// client (Commons Net's `setActiveExternalIPAddress`, the address part of curl's
    /// `--ftp-port`). `None` (the default) advertises the local address, as ftplib does.
    ///
    /// Behind NAT the server sees the router's address, and servers refuse a PORT that
    /// names the client's private address (`500 I won't open a connection to 10.0.2.75`).
    /// The data listener still binds the control connection's local address; the router
    /// must forward the advertised address (and the ports, see
    /// [`Builder::active_port_range`]) to it.
    ///
    /// An IPv4 address is sent with `PORT` (with `EPRT |1|…|` on an IPv6 control
    /// connection), an IPv6 address with `EPRT |2|…|`. The data connection is still
    /// accepted only from the server's own address ([`Error::ForeignDataConnection`]
    /// otherwise). Passive mode is unaffected.
    ///
    /// ```no_run
    /// use std::net::{IpAddr, Ipv4Addr};
    /// let mut ftp = ftplib::FtpStream::builder()
    ///     .passive(false)
    ///     .active_external_address(Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))))
    ///     .active_port_range(Some(50000..=50099))
    ///     .connect("ftp.example.com", 21)?;
    /// ftp.login("", "")?;
    /// let names = ftp.nlst(&[])?;   // PORT 203,0,113,7,195,x
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// An unspecified address (`0.0.0.0`, `::`) makes [`Builder::connect`] fail with
    /// [`Error::InvalidInput`].
    pub fn active_external_address(mut self, address: Option<IpAddr>) -> Builder {
        self.active_external_address = address;
        self
    }

    /// The local ports the active-mode data listener may use, for a firewall or NAT
    /// router that forwards only a range (Commons Net's `setActivePortRange`, the port
    /// part of curl's `--ftp-port`). `None` (the default) lets the system pick any free
    /// port, as ftplib does.
    ///
    /// Each transfer starts at a pseudo-random port of the range, so that clients sharing
    /// it do not all race for its first port, and tries every port once, skipping those
    /// in use. When none is free the transfer fails with [`Error::Io`] (kind
    /// `AddrInUse`), naming the range, before anything is sent; the stream stays usable.
    ///
    /// ```no_run
    /// let mut ftp = ftplib::FtpStream::builder()
    ///     .passive(false)
    ///     .active_port_range(Some(40000..=40009))
    ///     .connect("ftp.example.com", 21)?;
    /// ftp.login("", "")?;
    /// let mut file = std::fs::File::create("README")?;
    /// ftp.retrbinary("RETR README", |block| std::io::Write::write_all(&mut file, block),
    ///                ftplib::DEFAULT_BLOCKSIZE, None)?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// An empty range (such as `10..=9`) or one that includes port 0 makes
    /// [`Builder::connect`] fail with [`Error::InvalidInput`].
    pub fn active_port_range(mut self, ports: Option<RangeInclusive<u16>>) -> Builder {
        self.active_port_range = ports;
        self
    }

    /// Connects to `host` (a name or an address) on `port` (0 means 21, or 990 with
    /// [`Builder::implicit_tls`]), trying each resolved address, and reads the greeting.
    ///
    /// # Errors
    /// [`Error::Tls`] when implicit TLS fails (see [`crate::TlsConfig`]);
    /// [`Error::UnexpectedReply`] for a 3xx greeting; [`Error::Protocol`] for a malformed
    /// greeting or one that never goes past 1xx;
    /// [`Error::InvalidInput`] for a zero timeout, I/O or timeout errors while connecting,
    /// and [`Error::Temporary`]/[`Error::Permanent`] for a 4xx/5xx greeting.
    pub fn connect(&self, host: &str, port: u16) -> Result<FtpStream> {
        check_timeout(self.timeout)?;
        check_keepalive(self.keepalive)?;
        check_active_external_address(self.active_external_address)?;
        check_active_port_range(self.active_port_range.as_ref())?;
        let port = match port {
            0 if self.implicit_tls => crate::tls::FTPS_PORT,
            0 => FTP_PORT,
            _ => port,
        };
        let tcp = net::connect(host, port, self.timeout, self.source_address)?;
        let mut ftp = FtpStream::from_tcp(tcp, host, self.clone())?;
        if self.implicit_tls {
            ftp.start_implicit_tls()?;
        }
        ftp.read_welcome()?;
        Ok(ftp)
    }
}

/// A connection to an FTP server: the control connection and everything done over it.
///
/// Mirrors Python's `ftplib.FTP`. Passive mode is the default, binary transfers are the
/// default, and every method returns the server's [`Reply`] or a typed [`Error`].
///
/// ```no_run
/// let mut ftp = ftplib::FtpStream::connect("ftp.example.com", 21)?;
/// ftp.login("", "")?; // anonymous
/// let mut data = Vec::new();
/// ftp.retrbinary("RETR README", |chunk| { data.extend_from_slice(chunk); Ok(()) },
///                ftplib::DEFAULT_BLOCKSIZE, None)?;
/// ftp.quit()?;
/// # Ok::<(), ftplib::Error>(())
/// ```
///
/// # After an error
/// A 4xx/5xx reply, an unexpected reply, or an invalid argument leaves the stream usable.
/// An error that leaves the control connection out of step — a timeout, a dropped
/// connection, a malformed or oversized reply, a data connection that failed mid-transfer
/// without a reply — marks the stream unusable: every later call returns
/// [`Error::InvalidState`] naming the first error. [`FtpStream::is_usable`] tells which.
pub struct FtpStream {
    pub(crate) control: BufReader<Transport>,
    pub(crate) host: String,
    peer: SocketAddr,
    welcome: String,
    /// The session's settings: starts as the builder's, and `set_pasv`/`set_timeout`
    /// change it.
    pub(crate) config: Builder,
    /// AUTH/PROT state and the session's TLS connector (see `crate::tls`).
    pub(crate) tls: crate::tls::TlsState,
    /// The server refused EPSV once; use PASV from now on.
    epsv_refused: bool,
    /// Why the control connection can no longer be trusted, if it cannot.
    broken: Option<String>,
    closed: bool,
    /// FEAT's answer, once asked (empty when the server does not know FEAT).
    features: Option<BTreeMap<String, String>>,
    /// When the last command was sent; kept up to date only while keep-alive is on, so
    /// bulk transfers without it never read the clock.
    last_command: Instant,
    /// Keep-alive NOOPs sent during the current transfer whose replies are not read yet.
    outstanding_noops: usize,
}

impl std::fmt::Debug for FtpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FtpStream")
            .field("host", &self.host)
            .field("peer", &self.peer)
            .field("passive", &self.config.passive)
            .field("tls", &self.control.get_ref().is_tls())
            .field("closed", &self.closed)
            .finish()
    }
}

impl FtpStream {
    /// Connects with default options (see [`Builder`]) and reads the greeting, like
    /// `ftplib.FTP(host)` / `FTP.connect(host, port)`. Port 0 means 21.
    ///
    /// ```no_run
    /// let ftp = ftplib::FtpStream::connect("127.0.0.1", 2121)?;
    /// println!("{}", ftp.getwelcome());
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// See [`Builder::connect`].
    pub fn connect(host: &str, port: u16) -> Result<FtpStream> {
        Builder::default().connect(host, port)
    }

    /// Options for a connection: timeout, source address, passive/active, EPSV, limits.
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub(crate) fn from_tcp(tcp: TcpStream, host: &str, config: Builder) -> Result<FtpStream> {
        let peer = tcp.peer_addr()?;
        Ok(FtpStream {
            control: BufReader::with_capacity(16 * 1024, Transport::Tcp(tcp)),
            host: host.to_string(),
            peer,
            welcome: String::new(),
            config,
            epsv_refused: false,
            broken: None,
            closed: false,
            features: None,
            tls: Default::default(),
            last_command: Instant::now(),
            outstanding_noops: 0,
        })
    }

    /// Reads the greeting: waits through 120 ("ready in nnn minutes") and other 1xx
    /// replies until 220.
    pub(crate) fn read_welcome(&mut self) -> Result<()> {
        for _ in 0..MAX_PRELIMINARY_GREETINGS {
            let reply = self.getresp()?;
            match reply.class() {
                1 => continue,
                2 => {
                    debug!("*welcome* {}", reply.text);
                    self.welcome = reply.text;
                    return Ok(());
                }
                _ => return Err(Error::UnexpectedReply(reply)),
            }
        }
        Err(self.poison(Error::Protocol {
            reason: "server sent only preliminary greetings".into(),
            line: String::new(),
        }))
    }

    // ----- state -------------------------------------------------------------------------

    /// The server's greeting, e.g. `"220 (vsFTPd 3.0.3)"` (ftplib's `getwelcome`).
    pub fn getwelcome(&self) -> &str {
        &self.welcome
    }

    /// The host name or address given to `connect`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The server's address on the control connection.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// Our address on the control connection.
    ///
    /// # Errors
    /// The socket's error, if it has one.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.control.get_ref().tcp().local_addr()
    }

    /// Passive (`true`, the default) or active mode for later transfers (ftplib's
    /// `set_pasv`).
    pub fn set_pasv(&mut self, passive: bool) {
        self.config.passive = passive;
    }

    /// Changes the timeout (see [`Builder::timeout`]) for this connection and later data
    /// connections.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a zero duration.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        check_timeout(timeout)?;
        self.config.timeout = timeout;
        net::set_timeouts(self.control.get_ref().tcp(), timeout)?;
        Ok(())
    }

    /// Switches keep-alive NOOPs during transfers on (`Some(interval)`) or off (`None`);
    /// see [`Builder::keepalive`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.set_keepalive(Some(Duration::from_secs(30)))?;
    /// let mut upload = ftp.stor_stream("backup.tar")?;
    /// std::io::copy(&mut std::fs::File::open("backup.tar")?, &mut upload)?;
    /// upload.finish()?;   // also reads the replies to the NOOPs sent meanwhile
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a zero interval.
    pub fn set_keepalive(&mut self, interval: Option<Duration>) -> Result<()> {
        check_keepalive(interval)?;
        self.config.keepalive = interval;
        self.last_command = Instant::now();
        Ok(())
    }

    /// Changes the address advertised in active mode's PORT/EPRT for later transfers;
    /// see [`Builder::active_external_address`].
    ///
    /// ```no_run
    /// use std::net::{IpAddr, Ipv4Addr};
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.set_pasv(false);
    /// ftp.set_active_external_address(Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))))?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unspecified address (`0.0.0.0`, `::`).
    pub fn set_active_external_address(&mut self, address: Option<IpAddr>) -> Result<()> {
        check_active_external_address(address)?;
        self.config.active_external_address = address;
        Ok(())
    }

    /// Changes the local ports active mode may listen on for later transfers; see
    /// [`Builder::active_port_range`].
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.set_pasv(false);
    /// ftp.set_active_port_range(Some(40000..=40009))?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty range or one that includes port 0.
    pub fn set_active_port_range(&mut self, ports: Option<RangeInclusive<u16>>) -> Result<()> {
        check_active_port_range(ports.as_ref())?;
        self.config.active_port_range = ports;
        Ok(())
    }

    /// True until the stream is closed or an error left the control connection out of
    /// step (see "After an error" above).
    pub fn is_usable(&self) -> bool {
        !self.closed && self.broken.is_none()
    }

    fn check_usable(&self) -> Result<()> {
        if self.closed {
            return Err(Error::InvalidState("the connection is closed".into()));
        }
        if let Some(why) = &self.broken {
            return Err(Error::InvalidState(format!(
                "the connection is unusable after an earlier error: {why}"
            )));
        }
        Ok(())
    }

    /// Marks the control connection as out of step and passes the error on.
    pub(crate) fn poison(&mut self, err: Error) -> Error {
        if self.broken.is_none() {
            debug!("control connection unusable: {err}");
            self.broken = Some(err.to_string());
        }
        err
    }

    // ----- wire layer --------------------------------------------------------------------

    /// Sends one command line, refusing CR, LF and NUL (ftplib's `putcmd`).
    fn putcmd(&mut self, line: &str) -> Result<()> {
        self.check_usable()?;
        check_argument("command", line)?;
        let mut bytes = self.config.encoding.encode(line)?;
        debug!("*cmd* {}", sanitize(line));
        bytes.extend_from_slice(b"\r\n");
        if self.config.keepalive.is_some() {
            self.last_command = Instant::now();
        }
        let transport = self.control.get_mut();
        let result = transport.write_all(&bytes).and_then(|()| transport.flush());
        result.map_err(|e| {
            let err = Error::from_io(e, "sending a command");
            self.poison(err)
        })
    }

    /// Called by every transfer loop as data moves: sends a keep-alive NOOP when one is
    /// due (see [`Builder::keepalive`]) without waiting for its reply, and counts it. The
    /// replies are read with the transfer's final reply (`read_final_reply`, or
    /// `abort_with`).
    ///
    /// # Errors
    /// A failure to send: the control connection is dead, so the stream is marked
    /// unusable and the transfer should stop.
    #[inline]
    pub(crate) fn keepalive_tick(&mut self) -> Result<()> {
        // Off (the default): one branch, no clock read.
        let Some(interval) = self.config.keepalive else {
            return Ok(());
        };
        if self.outstanding_noops >= MAX_OUTSTANDING_NOOPS || self.last_command.elapsed() < interval
        {
            return Ok(());
        }
        self.putcmd("NOOP")?;
        self.outstanding_noops += 1;
        if self.outstanding_noops == MAX_OUTSTANDING_NOOPS {
            debug!("{MAX_OUTSTANDING_NOOPS} keep-alive NOOPs unanswered; sending no more during this transfer");
        }
        Ok(())
    }

    /// Reads one reply without classifying it.
    fn read_reply(&mut self) -> Result<Reply> {
        let reply = self.read_raw_reply()?;
        self.tls.check_reply(reply)
    }

    /// Reads one reply, without the TLS check of [`crate::tls`] (which looks at the first
    /// reply after a TLS data connection and must not spend itself on a NOOP's reply).
    fn read_raw_reply(&mut self) -> Result<Reply> {
        self.check_usable()?;
        let limits = Limits {
            max_line_length: self.config.max_line_length,
            max_reply_lines: self.config.max_reply_lines,
            encoding: self.config.encoding,
        };
        match reply::read_reply(&mut self.control, limits, |line| {
            trace!("*get* {}", String::from_utf8_lossy(line))
        }) {
            Ok(reply) => {
                debug!("*resp* {}", reply.text);
                if reply.code == 421 {
                    // 421: the server is closing the control connection (RFC 959 §4.2).
                    self.poison(Error::Temporary(reply.clone()));
                }
                Ok(reply)
            }
            Err(e) => Err(self.poison(e)),
        }
    }

    /// Reads one reply: 1xx–3xx are returned, 4xx gives [`Error::Temporary`] and 5xx
    /// [`Error::Permanent`] (ftplib's `getresp`).
    ///
    /// # Errors
    /// As described, plus connection errors.
    pub fn getresp(&mut self) -> Result<Reply> {
        self.read_final_reply()?.into_result()
    }

    /// Reads the next reply; at the end of a transfer during which keep-alive NOOPs were
    /// sent, reads their replies too and returns the transfer's own final reply (see
    /// [`keepalive::pick_final`] for how it is told apart).
    ///
    /// Exactly one reply per NOOP plus one is read, whatever their codes, so the session
    /// stays in step even if a reply is classed wrongly.
    fn read_final_reply(&mut self) -> Result<Reply> {
        let noops = std::mem::take(&mut self.outstanding_noops);
        if noops == 0 {
            return self.read_reply();
        }
        let mut replies = Vec::with_capacity(noops + 1);
        for _ in 0..=noops {
            let reply = self.read_raw_reply()?;
            match reply.class() {
                // 421: the server is closing the connection (read_raw_reply has marked
                // the stream unusable); nothing more will come.
                _ if reply.code == 421 => return Ok(reply),
                // A 1xx promises yet another reply: the count no longer holds.
                1 => return Err(self.poison(Error::UnexpectedReply(reply))),
                _ => replies.push(reply),
            }
        }
        let last = keepalive::pick_final(replies);
        self.tls.check_reply(last)
    }

    /// Reads one reply and requires 2xx (ftplib's `voidresp`); use it after a transfer
    /// started with [`FtpStream::transfercmd`].
    ///
    /// # Errors
    /// [`Error::UnexpectedReply`] for 1xx/3xx, as [`FtpStream::getresp`] otherwise.
    pub fn voidresp(&mut self) -> Result<Reply> {
        let reply = self.getresp()?;
        match reply.class() {
            2 => Ok(reply),
            _ => Err(self.unexpected_reply(reply)),
        }
    }

    /// [`Error::UnexpectedReply`] for a 1xx–3xx reply the caller did not want. A 1xx also
    /// marks the stream unusable: it promises a further reply, which would otherwise be
    /// taken as the answer to the next command.
    fn unexpected_reply(&mut self, reply: Reply) -> Error {
        let err = Error::UnexpectedReply(reply);
        match err.code() {
            Some(100..=199) => self.poison(err),
            _ => err,
        }
    }

    /// Sends a command that must get a final reply: a 1xx (which promises another reply)
    /// gives [`Error::UnexpectedReply`] and marks the stream unusable.
    fn sendcmd_final(&mut self, cmd: &str) -> Result<Reply> {
        let reply = self.sendcmd(cmd)?;
        if reply.class() == 1 {
            return Err(self.unexpected_reply(reply));
        }
        Ok(reply)
    }

    // ----- commands ----------------------------------------------------------------------

    /// Sends a command and returns its reply if it is 1xx–3xx (ftplib's `sendcmd`).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let reply = ftp.sendcmd("SYST")?;
    /// println!("{} {}", reply.code, reply.message());
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if `cmd` holds CR, LF or NUL (nothing is sent),
    /// [`Error::Temporary`]/[`Error::Permanent`] for 4xx/5xx replies.
    pub fn sendcmd(&mut self, cmd: &str) -> Result<Reply> {
        self.putcmd(cmd)?;
        self.getresp()
    }

    /// Sends a command and requires a 2xx reply (ftplib's `voidcmd`).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.voidcmd("TYPE I")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::sendcmd`], plus [`Error::UnexpectedReply`] for 1xx/3xx.
    pub fn voidcmd(&mut self, cmd: &str) -> Result<Reply> {
        self.putcmd(cmd)?;
        self.voidresp()
    }

    fn void_verb(&mut self, verb: &str, arg: &str) -> Result<Reply> {
        let line = format_command(verb, Some(arg))?;
        self.voidcmd(&line)
    }

    /// Logs in, like ftplib's `login`: an empty `user` means `anonymous`, and the
    /// anonymous password defaults to `anonymous@`. Sends USER, then PASS if asked (3xx).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.login("alice", "secret")?;   // or ftp.login("", "") for anonymous
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] with code 530 for wrong credentials; [`Error::UnexpectedReply`]
    /// if the server wants an account (332): use [`FtpStream::login_acct`].
    pub fn login(&mut self, user: &str, password: &str) -> Result<Reply> {
        self.login_inner(user, password, None)
    }

    /// Logs in with an account for servers that ask for ACCT after PASS (ftplib's
    /// `login(user, passwd, acct)`).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.login_acct("alice", "secret", "project-42")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::login`].
    pub fn login_acct(&mut self, user: &str, password: &str, account: &str) -> Result<Reply> {
        self.login_inner(user, password, Some(account))
    }

    fn login_inner(&mut self, user: &str, password: &str, account: Option<&str>) -> Result<Reply> {
        let user = if user.is_empty() { "anonymous" } else { user };
        let password = if user == "anonymous" && (password.is_empty() || password == "-") {
            format!("{password}anonymous@")
        } else {
            password.to_string()
        };
        // Check every argument before sending any, so a bad password cannot leave a
        // half-finished login behind.
        check_argument("user name", user)?;
        check_argument("password", &password)?;
        if let Some(acct) = account {
            check_argument("account", acct)?;
        }
        self.tls_before_login()?;
        let mut reply = self.sendcmd(&format!("USER {user}"))?;
        if reply.class() == 3 {
            reply = self.sendcmd(&format!("PASS {password}"))?;
        }
        if reply.class() == 3 {
            if let Some(acct) = account {
                reply = self.sendcmd(&format!("ACCT {acct}"))?;
            }
        }
        if reply.class() != 2 {
            return Err(self.unexpected_reply(reply));
        }
        Ok(reply)
    }

    /// Sends `ACCT` (ftplib's `acct`).
    ///
    /// # Errors
    /// Any non-2xx reply.
    pub fn acct(&mut self, account: &str) -> Result<Reply> {
        self.void_verb("ACCT", account)
    }

    /// Changes the working directory. `".."` sends CDUP (falling back to `CWD ..` if the
    /// server does not know CDUP), `""` sends `CWD .`, as in ftplib.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.cwd("pub/docs")?;
    /// ftp.cwd("..")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] (usually 550) for a missing or forbidden directory.
    pub fn cwd(&mut self, dirname: &str) -> Result<Reply> {
        if dirname == ".." {
            match self.voidcmd("CDUP") {
                Err(Error::Permanent(reply)) if reply.code == 500 => {}
                other => return other,
            }
        }
        let dirname = if dirname.is_empty() { "." } else { dirname };
        self.void_verb("CWD", dirname)
    }

    /// Returns the working directory, from the server's 257 reply.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// assert!(ftp.pwd()?.starts_with('/'));
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Protocol`] if the reply holds no quoted path, [`Error::UnexpectedReply`]
    /// for a 2xx other than 257 (ftplib returns `''` for both), [`Error::Encoding`] if
    /// the path is not UTF-8.
    pub fn pwd(&mut self) -> Result<String> {
        let reply = self.voidcmd("PWD")?;
        path_from_257(&reply)
    }

    /// Creates a directory and returns its path as the server reports it. When the
    /// server's 2xx reply names no path (some IIS versions), returns `dirname` as given,
    /// where ftplib returns `''`.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let path = ftp.mkd("reports")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] (550) if it cannot be created.
    pub fn mkd(&mut self, dirname: &str) -> Result<String> {
        let reply = self.void_verb("MKD", dirname)?;
        match path_from_257(&reply) {
            Ok(path) => Ok(path),
            // The directory exists now, so an unreadable path is no reason to fail.
            Err(Error::UnexpectedReply(_) | Error::Protocol { .. } | Error::Encoding { .. }) => {
                Ok(dirname.into())
            }
            Err(e) => Err(e),
        }
    }

    /// Removes a directory.
    ///
    /// # Errors
    /// [`Error::Permanent`] (550) if it is missing, not empty or forbidden.
    pub fn rmd(&mut self, dirname: &str) -> Result<Reply> {
        self.void_verb("RMD", dirname)
    }

    /// Deletes a file. As in ftplib, only a 250 or 200 reply counts as success.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.delete("old.log")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] (550) for a missing file; [`Error::UnexpectedReply`] for any
    /// other success code.
    pub fn delete(&mut self, filename: &str) -> Result<Reply> {
        let reply = self.void_verb("DELE", filename)?;
        match reply.code {
            250 | 200 => Ok(reply),
            _ => Err(Error::UnexpectedReply(reply)),
        }
    }

    /// Renames a file: RNFR must be answered with 3xx, then RNTO with 2xx.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.rename("upload.tmp", "upload.dat")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] when the source is missing or the target is refused.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<Reply> {
        let rnfr = format_command("RNFR", Some(from))?;
        let rnto = format_command("RNTO", Some(to))?;
        let reply = self.sendcmd(&rnfr)?;
        if reply.class() != 3 {
            return Err(self.unexpected_reply(reply));
        }
        self.voidcmd(&rnto)
    }

    /// The size of a file in bytes, from a `213` reply to SIZE. Switches to binary
    /// (`TYPE I`) first if needed, since many servers refuse SIZE in ASCII mode.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let bytes = ftp.size("blob.bin")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] (550) for a missing file or a directory;
    /// [`Error::UnexpectedReply`] for any success reply other than 213.
    pub fn size(&mut self, filename: &str) -> Result<u64> {
        let line = format_command("SIZE", Some(filename))?;
        self.set_type('I')?;
        let reply = self.sendcmd_final(&line)?;
        parse::parse_213(&reply)
    }

    /// The modification time of a file (MDTM, RFC 3659), in UTC.
    ///
    /// # Errors
    /// [`Error::Permanent`] for a missing file; [`Error::Protocol`] for an unreadable time.
    pub fn mdtm(&mut self, filename: &str) -> Result<DateTime<Utc>> {
        let line = format_command("MDTM", Some(filename))?;
        let reply = self.sendcmd_final(&line)?;
        parse::parse_mdtm(&reply)
    }

    /// The server's features (FEAT, RFC 2389): upper-cased names mapped to their
    /// parameters, e.g. `"MLST" → "type*;size*;"`.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let features = ftp.feat()?;
    /// if features.contains_key("MLST") { /* MLSD works */ }
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] (500/502) where FEAT is not supported.
    pub fn feat(&mut self) -> Result<BTreeMap<String, String>> {
        let reply = self.sendcmd_final("FEAT")?;
        let features = parse::parse_feat(&reply)?;
        self.features = Some(features.clone());
        Ok(features)
    }

    /// Sends `OPTS option [value]`, e.g. `opts("UTF8", Some("ON"))`.
    ///
    /// # Errors
    /// Any non-2xx reply.
    pub fn opts(&mut self, option: &str, value: Option<&str>) -> Result<Reply> {
        let arg = match value {
            Some(v) => format!("{option} {v}"),
            None => option.to_string(),
        };
        self.void_verb("OPTS", &arg)
    }

    /// Sends `SITE command` and returns the reply (2xx or 3xx).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.site("CHMOD 644 notes.txt")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// 4xx/5xx replies; a 1xx marks the stream unusable.
    pub fn site(&mut self, command: &str) -> Result<Reply> {
        let line = format_command("SITE", Some(command))?;
        self.sendcmd_final(&line)
    }

    /// Sends NOOP, e.g. to keep an idle session alive.
    ///
    /// # Errors
    /// Any non-2xx reply.
    pub fn noop(&mut self) -> Result<Reply> {
        self.voidcmd("NOOP")
    }

    /// Sends QUIT and closes the connection, whatever the reply (ftplib's `quit`, with
    /// the close that its context manager adds).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// println!("{}", ftp.quit()?);   // "221 Goodbye."
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// The QUIT reply's error, if any; the connection is closed either way.
    pub fn quit(&mut self) -> Result<Reply> {
        let result = self.voidcmd("QUIT");
        self.close();
        result
    }

    /// Closes the connection without sending anything (ftplib's `close`). Idempotent.
    pub fn close(&mut self) {
        if !self.closed {
            self.closed = true;
            let _ = self
                .control
                .get_ref()
                .tcp()
                .shutdown(std::net::Shutdown::Both);
        }
    }

    // ----- data connections --------------------------------------------------------------

    /// Sets the transfer type (`'A'` or `'I'`). Sent before every transfer, as ftplib
    /// does: a cached value would go stale after the user's own TYPE, REIN or USER.
    pub(crate) fn set_type(&mut self, kind: char) -> Result<()> {
        self.voidcmd(&format!("TYPE {kind}"))?;
        Ok(())
    }

    /// Asks the server for a passive data address: EPSV on IPv6 (or when preferred),
    /// PASV otherwise. The host in a 227 reply is ignored unless trusted.
    fn makepasv(&mut self) -> Result<SocketAddr> {
        let peer_ip = self.peer.ip();
        let use_epsv = peer_ip.is_ipv6() || (self.config.prefer_epsv && !self.epsv_refused);
        if use_epsv {
            match self.sendcmd_final("EPSV") {
                Ok(reply) => return Ok(SocketAddr::new(peer_ip, parse::parse_229(&reply)?)),
                Err(Error::Permanent(reply)) if peer_ip.is_ipv4() => {
                    debug!("EPSV refused ({reply}); falling back to PASV from now on");
                    self.epsv_refused = true;
                }
                Err(e) => return Err(e),
            }
        }
        let reply = self.sendcmd_final("PASV")?;
        let (host, port) = parse::parse_227(&reply)?;
        let ip = if self.config.trust_server_pasv_ipv4_address && !host.is_unspecified() {
            IpAddr::V4(host)
        } else {
            peer_ip
        };
        Ok(SocketAddr::new(ip, port))
    }

    /// Listens on the control connection's local address (on a port of the configured
    /// range, if any) and announces it with PORT or EPRT, naming the configured external
    /// address instead of the local one if there is one.
    fn makeport(&mut self) -> Result<TcpListener> {
        let local_ip = self.local_addr()?.ip();
        // Behind NAT the router maps the advertised address to this local one, so the
        // listener binds here whatever is advertised.
        let listener = match &self.config.active_port_range {
            Some(ports) => net::bind_in_range(local_ip, ports.clone())?,
            None => TcpListener::bind(SocketAddr::new(local_ip, 0))?,
        };
        let port = listener.local_addr()?.port();
        let advertised = self.config.active_external_address.unwrap_or(local_ip);
        debug!("active mode: listening on {local_ip} port {port}, advertising {advertised}");
        // A socket on an IPv4-mapped address speaks IPv4 on the wire.
        let control_is_ipv6 = local_ip.to_canonical().is_ipv6();
        self.voidcmd(&port_command(advertised, port, control_is_ipv6))?;
        Ok(listener)
    }

    /// Sends REST (if any) and the transfer command, and waits for its 1xx reply. As in
    /// ftplib, one premature 2xx before the 1xx is skipped (some servers send 200 first).
    fn start_transfer(&mut self, cmd: &str, rest: Option<u64>) -> Result<Reply> {
        if let Some(offset) = rest {
            let reply = self.sendcmd(&format!("REST {offset}"))?;
            if reply.class() != 3 {
                return Err(self.unexpected_reply(reply));
            }
        }
        let mut reply = self.sendcmd(cmd)?;
        if reply.class() == 2 {
            reply = self.getresp()?;
        }
        if reply.class() != 1 {
            return Err(Error::UnexpectedReply(reply));
        }
        Ok(reply)
    }

    /// Opens a data connection and starts a transfer command, returning the connection
    /// and the size announced in a 150 reply (ftplib's `ntransfercmd`).
    ///
    /// In passive mode the data connection is opened before the command is sent; REST
    /// `rest` is sent right before the command. Read or write the [`DataStream`], drop
    /// or finish it, then call [`FtpStream::voidresp`] for the final reply.
    ///
    /// ```no_run
    /// use std::io::Read;
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.voidcmd("TYPE I")?;
    /// let (mut conn, size) = ftp.ntransfercmd("RETR blob.bin", None)?;
    /// let mut data = Vec::new();
    /// conn.read_to_end(&mut data)?;
    /// conn.finish_download()?;
    /// ftp.voidresp()?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// Errors while setting up the data connection, and the server's refusal of the
    /// command (e.g. [`Error::Permanent`] 550 for a missing file).
    pub fn ntransfercmd(
        &mut self,
        cmd: &str,
        rest: Option<u64>,
    ) -> Result<(DataStream, Option<u64>)> {
        check_argument("command", cmd)?;
        self.check_usable()?;
        let timeout = self.config.timeout;
        let (tcp, reply) = if self.config.passive {
            let addr = self.makepasv()?;
            let tcp = net::connect_addr(addr, timeout, self.config.source_address).map_err(
                |e| match e {
                    Error::Timeout { .. } => Error::Timeout {
                        during: "opening the passive data connection",
                    },
                    other => other,
                },
            )?;
            let reply = self.start_transfer(cmd, rest)?;
            (tcp, reply)
        } else {
            let listener = self.makeport()?;
            let reply = self.start_transfer(cmd, rest)?;
            let (tcp, from) = match net::accept(&listener, timeout) {
                Ok(accepted) => accepted,
                Err(e) => return Err(self.poison(e)),
            };
            if from.ip() != self.peer.ip() {
                // Anyone who reaches our port first could otherwise feed or steal the
                // data (ftplib does not check this).
                return Err(self.poison(Error::ForeignDataConnection {
                    from,
                    expected: self.peer.ip(),
                }));
            }
            (tcp, reply)
        };
        let size = parse::parse_150(&reply);
        let transport = self.tls_wrap_data(tcp)?;
        Ok((DataStream::new(transport), size))
    }

    /// Like [`FtpStream::ntransfercmd`] but returns only the connection (ftplib's
    /// `transfercmd`).
    ///
    /// # Errors
    /// As [`FtpStream::ntransfercmd`].
    pub fn transfercmd(&mut self, cmd: &str, rest: Option<u64>) -> Result<DataStream> {
        Ok(self.ntransfercmd(cmd, rest)?.0)
    }

    /// After the data connection failed mid-transfer, decides what to report: the
    /// server's error reply if it sends one (e.g. 426, 451, 552), otherwise the data error.
    /// A stalled connection (timeout) is not waited for twice: the stream is marked
    /// unusable instead.
    pub(crate) fn reply_after_data_error(&mut self, err: io::Error) -> Error {
        let err = Error::from_io(err, "transferring data");
        if matches!(err, Error::Timeout { .. }) {
            return self.poison(err);
        }
        match self.getresp() {
            Ok(reply) if reply.class() == 2 => err,
            Ok(reply) => self.unexpected_reply(reply),
            Err(
                reply_err @ (Error::Temporary(_)
                | Error::Permanent(_)
                | Error::TlsSessionReuseRequired(_)),
            ) => reply_err,
            Err(_) => self.poison(err),
        }
    }

    /// Aborts a transfer in progress (ftplib's `abort`): sends the Telnet IP and Synch
    /// (as TCP urgent data) and ABOR, then reads the replies. Accepts 426 followed by
    /// 226/225 as well as a bare 225/226, and leaves the session in step. Use it with
    /// [`FtpStream::transfercmd`]; [`Download::abort`] and [`Upload::abort`] do the same
    /// for streams.
    ///
    /// ```no_run
    /// use std::io::Read;
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.voidcmd("TYPE I")?;
    /// let mut conn = ftp.transfercmd("RETR huge.iso", None)?;
    /// let mut head = [0u8; 512];
    /// conn.read_exact(&mut head)?;
    /// drop(conn);
    /// ftp.abort()?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Timeout`] if the server does not answer; any other reply gives the usual
    /// reply errors.
    pub fn abort(&mut self) -> Result<Reply> {
        self.abort_with(None)
    }

    /// Aborts, closing `data` after ABOR is sent so the server notices either way.
    pub(crate) fn abort_with(&mut self, data: Option<DataStream>) -> Result<Reply> {
        self.check_usable()?;
        debug!("*cmd* ABOR (with Telnet IP and Synch)");
        let sent = self.send_abor();
        drop(data);
        sent?;
        let first = self.read_abort_reply()?;
        let last = match first.code {
            225 | 226 => {
                // The transfer may have completed just before ABOR arrived: then this 226
                // belongs to the transfer and a reply to ABOR follows. A NOOP marks the
                // end of whatever the server still sends.
                self.sync_with_noop()?;
                first
            }
            426 | 451 => {
                let second = self.read_abort_reply()?;
                match second.code {
                    225 | 226 => {
                        self.drain_noop_replies()?;
                        second
                    }
                    _ => return Err(self.resync_after(reply_error(second))),
                }
            }
            // ABOR refused or not understood: the transfer's own reply may still come.
            _ => return Err(self.resync_after(reply_error(first))),
        };
        // Every keep-alive NOOP's reply has been read: the next command gets its own.
        debug_assert_eq!(self.outstanding_noops, 0, "NOOP replies left after ABOR");
        Ok(last)
    }

    /// After an unexpected reply in the middle of a multi-reply exchange, skips whatever
    /// the server still sends (up to its reply to a NOOP), or marks the stream unusable.
    fn resync_after(&mut self, err: Error) -> Error {
        match self.sync_with_noop() {
            Ok(()) => err,
            Err(sync_err) => {
                debug!("could not resynchronise after {err}: {sync_err}");
                self.poison(err)
            }
        }
    }

    fn send_abor(&mut self) -> Result<()> {
        let transport = self.control.get_mut();
        let result = (|| {
            if !transport.is_tls() {
                net::send_telnet_synch(transport.tcp())?;
            }
            transport.write_all(b"ABOR\r\n")?;
            transport.flush()
        })();
        result.map_err(|e| {
            let err = Error::from_io(e, "sending ABOR");
            self.poison(err)
        })
    }

    /// Reads the next reply of an ABOR exchange, setting aside the replies owed to
    /// keep-alive NOOPs, which the server may send before, between or after its answers to
    /// the transfer and to ABOR.
    fn read_abort_reply(&mut self) -> Result<Reply> {
        loop {
            let reply = self.read_reply()?;
            if self.outstanding_noops > 0 && keepalive::is_noop_reply(reply.code) {
                self.outstanding_noops -= 1;
                continue;
            }
            return Ok(reply);
        }
    }

    /// Reads the replies still owed to keep-alive NOOPs after an ABOR exchange, skipping
    /// a few stray replies in between (a late answer to the transfer or to ABOR).
    fn drain_noop_replies(&mut self) -> Result<()> {
        let mut strays = 0;
        while self.outstanding_noops > 0 {
            let reply = self.read_reply()?;
            if keepalive::is_noop_reply(reply.code) {
                self.outstanding_noops -= 1;
            } else {
                strays += 1;
                if strays > 4 {
                    return Err(self.poison(Error::Protocol {
                        reason: "no replies to the keep-alive NOOPs after ABOR".into(),
                        line: reply.text,
                    }));
                }
            }
        }
        Ok(())
    }

    /// Sends NOOP and skips replies until its 2xx, so stray replies cannot shift later
    /// ones. Replies still owed to keep-alive NOOPs are read first, so that none of their
    /// 200s is taken for this NOOP's.
    fn sync_with_noop(&mut self) -> Result<()> {
        self.drain_noop_replies()?;
        self.putcmd("NOOP")?;
        for _ in 0..4 {
            let reply = self.read_reply()?;
            if reply.code == 200 {
                return Ok(());
            }
        }
        Err(self.poison(Error::Protocol {
            reason: "no reply to NOOP after ABOR".into(),
            line: String::new(),
        }))
    }

    // ----- transfers ---------------------------------------------------------------------

    /// Downloads in binary mode (`TYPE I`), calling `callback` with each block of at most
    /// `blocksize` bytes, like ftplib's `retrbinary`. `rest` resumes at a byte offset.
    /// Returns the final reply only after checking the data arrived whole.
    ///
    /// ```no_run
    /// use std::io::Write;
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let mut file = std::fs::File::create("blob.bin")?;
    /// ftp.retrbinary("RETR blob.bin", |block| file.write_all(block),
    ///                ftplib::DEFAULT_BLOCKSIZE, None)?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// The server's refusal (e.g. [`Error::Permanent`] 550), a failed transfer (e.g.
    /// [`Error::Temporary`] 426), [`Error::TransferIncomplete`] when fewer bytes arrived
    /// than the server announced, or the callback's error (the transfer is then aborted).
    pub fn retrbinary<F>(
        &mut self,
        cmd: &str,
        mut callback: F,
        blocksize: usize,
        rest: Option<u64>,
    ) -> Result<Reply>
    where
        F: FnMut(&[u8]) -> io::Result<()>,
    {
        check_argument("command", cmd)?;
        self.set_type('I')?;
        let (mut data, expected) = self.ntransfercmd(cmd, rest)?;
        let mut buf = vec![0u8; blocksize.max(1)];
        let mut received = 0u64;
        loop {
            let n = match data.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    drop(data);
                    return Err(self.reply_after_data_error(e));
                }
            };
            received += n as u64;
            if let Err(e) = callback(&buf[..n]) {
                if let Err(abort_err) = self.abort_with(Some(data)) {
                    debug!("abort after callback error failed: {abort_err}");
                }
                return Err(Error::Io(e));
            }
            self.keepalive_tick()?;
        }
        if let Err(e) = data.finish_download() {
            return Err(self.reply_after_data_error(e));
        }
        let reply = self.voidresp()?;
        check_complete(expected, rest, received)?;
        Ok(reply)
    }

    /// Downloads in ASCII mode (`TYPE A`), calling `callback` with each line without its
    /// line ending, like ftplib's `retrlines`. Used for listings: `retrlines("LIST", …)`.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.retrlines("LIST", |line| println!("{line}"))?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::LineTooLong`] for a line over the limit (the transfer is aborted);
    /// [`Error::Encoding`] for a line that is not valid in the stream's [`Encoding`] (only
    /// UTF-8 can fail; the transfer is still read to its
    /// end and the session stays usable; use [`crate::list`] for byte-exact names).
    pub fn retrlines<F>(&mut self, cmd: &str, mut callback: F) -> Result<Reply>
    where
        F: FnMut(&str),
    {
        let encoding = self.config.encoding;
        let mut bad_line = None;
        let reply = self.retrlines_bytes(cmd, |line| {
            if bad_line.is_some() {
                return;
            }
            match encoding.decode(line) {
                Some(text) => callback(&text),
                None => bad_line = Some(String::from_utf8_lossy(line).into_owned()),
            }
        })?;
        match bad_line {
            Some(lossy) => Err(Error::Encoding {
                what: "a line of text from the data connection",
                lossy,
            }),
            None => Ok(reply),
        }
    }

    /// Like [`FtpStream::retrlines`] but hands each line over as bytes, so names that are
    /// not UTF-8 arrive intact.
    ///
    /// # Errors
    /// As [`FtpStream::retrlines`], without the encoding error.
    pub fn retrlines_bytes<F>(&mut self, cmd: &str, mut callback: F) -> Result<Reply>
    where
        F: FnMut(&[u8]),
    {
        check_argument("command", cmd)?;
        self.set_type('A')?;
        let data = self.transfercmd(cmd, None)?;
        let mut reader = BufReader::with_capacity(DEFAULT_BLOCKSIZE, data);
        let mut line = Vec::new();
        loop {
            match reply::read_line(&mut reader, self.config.max_data_line_length, &mut line) {
                Ok(None) => break,
                Ok(Some(end)) => {
                    callback(&line);
                    if end == LineEnd::Eof {
                        break;
                    }
                    self.keepalive_tick()?;
                }
                Err(e) if is_line_too_long(&e) => {
                    let limit = self.config.max_data_line_length;
                    if let Err(abort_err) = self.abort_with(Some(reader.into_inner())) {
                        debug!("abort after an overlong line failed: {abort_err}");
                    }
                    return Err(Error::LineTooLong { limit });
                }
                Err(e) => {
                    drop(reader);
                    return Err(self.reply_after_data_error(e));
                }
            }
        }
        if let Err(e) = reader.into_inner().finish_download() {
            return Err(self.reply_after_data_error(e));
        }
        self.voidresp()
    }

    /// Uploads in binary mode (`TYPE I`), reading `reader` in blocks of `blocksize` and
    /// calling `callback` after each block is sent, like ftplib's `storbinary`. `rest`
    /// asks the server to start writing at that offset.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let mut file = std::fs::File::open("report.pdf")?;
    /// ftp.storbinary("STOR report.pdf", &mut file, ftplib::DEFAULT_BLOCKSIZE, |_| {}, None)?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// The server's refusal or final error reply, or the reader's error (the transfer is
    /// then aborted so the server does not keep a partial file as complete).
    pub fn storbinary<R, F>(
        &mut self,
        cmd: &str,
        reader: &mut R,
        blocksize: usize,
        mut callback: F,
        rest: Option<u64>,
    ) -> Result<Reply>
    where
        R: Read + ?Sized,
        F: FnMut(&[u8]),
    {
        check_argument("command", cmd)?;
        self.set_type('I')?;
        let mut data = self.transfercmd(cmd, rest)?;
        let mut buf = vec![0u8; blocksize.max(1)];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if let Err(abort_err) = self.abort_with(Some(data)) {
                        debug!("abort after a read error failed: {abort_err}");
                    }
                    return Err(Error::Io(e));
                }
            };
            if let Err(e) = data.write_all(&buf[..n]) {
                drop(data);
                return Err(self.reply_after_data_error(e));
            }
            callback(&buf[..n]);
            self.keepalive_tick()?;
        }
        if let Err(e) = data.finish_upload() {
            return Err(self.reply_after_data_error(e));
        }
        self.voidresp()
    }

    /// Uploads text in ASCII mode (`TYPE A`), sending each line of `reader` with a CRLF
    /// ending (a lone LF or a missing last ending becomes CRLF), like ftplib's
    /// `storlines`. `callback` sees each line as sent.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let mut text = std::io::BufReader::new(std::fs::File::open("notes.txt")?);
    /// ftp.storlines("STOR notes.txt", &mut text, |_| {})?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::LineTooLong`] for a line over the limit (the transfer is aborted), and as
    /// [`FtpStream::storbinary`].
    pub fn storlines<R, F>(&mut self, cmd: &str, reader: &mut R, mut callback: F) -> Result<Reply>
    where
        R: BufRead + ?Sized,
        F: FnMut(&[u8]),
    {
        check_argument("command", cmd)?;
        self.set_type('A')?;
        let data = self.transfercmd(cmd, None)?;
        let mut writer = BufWriter::with_capacity(DEFAULT_BLOCKSIZE, data);
        let mut line = Vec::new();
        loop {
            match reply::read_line(reader, self.config.max_data_line_length, &mut line) {
                Ok(None) => break,
                Ok(Some(_)) => {}
                Err(e) => {
                    let err = if is_line_too_long(&e) {
                        Error::LineTooLong {
                            limit: self.config.max_data_line_length,
                        }
                    } else {
                        Error::Io(e)
                    };
                    let data = writer.into_inner().ok();
                    if let Err(abort_err) = self.abort_with(data) {
                        debug!("abort after a local error failed: {abort_err}");
                    }
                    return Err(err);
                }
            }
            line.extend_from_slice(b"\r\n");
            if let Err(e) = writer.write_all(&line) {
                drop(writer);
                return Err(self.reply_after_data_error(e));
            }
            callback(&line);
            self.keepalive_tick()?;
        }
        let data = match writer.into_inner() {
            Ok(data) => data,
            Err(e) => return Err(self.reply_after_data_error(e.into_error())),
        };
        if let Err(e) = data.finish_upload() {
            return Err(self.reply_after_data_error(e));
        }
        self.voidresp()
    }

    /// Starts a binary download and returns it as a [`Read`] stream; call
    /// [`Download::finish`] after reading to the end.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let mut download = ftp.retr_stream("blob.bin", None)?;
    /// let mut file = std::fs::File::create("blob.bin")?;
    /// std::io::copy(&mut download, &mut file)?;
    /// download.finish()?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::ntransfercmd`].
    pub fn retr_stream(&mut self, path: &str, rest: Option<u64>) -> Result<Download<'_>> {
        let cmd = format_command("RETR", Some(path))?;
        self.set_type('I')?;
        let (data, size) = self.ntransfercmd(&cmd, rest)?;
        // With REST, servers differ on whether the 150 counts the whole file or the rest.
        let expected = if rest.is_some() { None } else { size };
        Ok(Download::new(self, data, expected))
    }

    /// Starts a binary upload and returns it as a [`Write`] stream; call
    /// [`Upload::finish`] when done.
    ///
    /// ```no_run
    /// use std::io::Write;
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let mut upload = ftp.stor_stream("notes.txt")?;
    /// upload.write_all(b"hello\n")?;
    /// upload.finish()?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::ntransfercmd`].
    pub fn stor_stream(&mut self, path: &str) -> Result<Upload<'_>> {
        let cmd = format_command("STOR", Some(path))?;
        self.set_type('I')?;
        let data = self.transfercmd(&cmd, None)?;
        Ok(Upload::new(self, data))
    }

    // ----- listings ----------------------------------------------------------------------

    /// Names in a directory (NLST), like ftplib's `nlst(*args)`: each argument is
    /// appended with a space.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// for name in ftp.nlst(&["pub"])? { println!("{name}"); }
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::retrlines`]. An empty directory comes back as an empty list from
    /// most servers, but some answer 450 or 550 instead; that arrives as
    /// [`Error::Temporary`] or [`Error::Permanent`], as in ftplib, since it cannot be told
    /// apart from a missing directory.
    pub fn nlst(&mut self, args: &[&str]) -> Result<Vec<String>> {
        let cmd = join_command("NLST", args, true);
        let mut names = Vec::new();
        self.retrlines(&cmd, |line| names.push(line.to_string()))?;
        Ok(names)
    }

    /// The raw lines of a LIST, like ftplib's `dir(*args)` (which prints them). Empty
    /// arguments are left out. Parse them with [`crate::list`], or use
    /// [`FtpStream::entries`].
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// for line in ftp.dir(&["-a", "pub"])? {
    ///     println!("{line}");
    /// }
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::nlst`].
    pub fn dir(&mut self, args: &[&str]) -> Result<Vec<String>> {
        let cmd = join_command("LIST", args, false);
        let mut lines = Vec::new();
        self.retrlines(&cmd, |line| lines.push(line.to_string()))?;
        Ok(lines)
    }

    /// Lists a directory with MLSD (RFC 3659), like ftplib's `mlsd`: each entry's name
    /// and its facts, with fact names lower-cased. `facts`, if not empty, is first sent as
    /// `OPTS MLST fact;fact;`. `path` may be empty for the working directory.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// for (name, facts) in ftp.mlsd("", &["type", "size"])? {
    ///     println!("{name}: {:?}", facts.get("size"));
    /// }
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Permanent`] (500/502) where MLSD is not supported, and as
    /// [`FtpStream::retrlines`].
    pub fn mlsd(
        &mut self,
        path: &str,
        facts: &[&str],
    ) -> Result<Vec<(String, BTreeMap<String, String>)>> {
        // Both lines are checked before either is sent.
        let cmd = if path.is_empty() {
            "MLSD".to_string()
        } else {
            format_command("MLSD", Some(path))?
        };
        if !facts.is_empty() {
            let list: String = facts.iter().map(|f| format!("{f};")).collect();
            let line = format_command("OPTS MLST", Some(&list))?;
            self.sendcmd_final(&line)?;
        }
        let mut entries = Vec::new();
        self.retrlines(&cmd, |line| entries.push(split_mlsd_line(line)))?;
        Ok(entries)
    }

    /// Lists a directory as typed entries: MLSD when the server's FEAT advertises MLST,
    /// LIST otherwise (times then read as UTC; see [`FtpStream::list_entries`] for a
    /// server time zone or hidden files). `path` may be empty for the working directory.
    ///
    /// Every line of the listing comes back: an entry, a skipped line (`total N`, blank),
    /// or an unparsed line with its raw bytes and the reason (see [`crate::list`]).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// for line in ftp.entries("pub")? {
    ///     if let Some(entry) = line.entry() {
    ///         println!("{:?} {} {:?}", entry.kind(), entry.name(), entry.size());
    ///     }
    /// }
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::retrlines_bytes`]; names that are not UTF-8 are no error (see
    /// [`crate::list::Entry::name_bytes`]).
    pub fn entries(&mut self, path: &str) -> Result<Vec<crate::list::Line>> {
        self.mlsd_or_list(path, false)
    }

    /// MLSD where FEAT advertises MLST, else LIST (`LIST -a` with `hidden`, which MLSD never
    /// needs).
    pub(crate) fn mlsd_or_list(
        &mut self,
        path: &str,
        hidden: bool,
    ) -> Result<Vec<crate::list::Line>> {
        if self.supports_mlsd()? {
            self.mlsd_entries(path)
        } else {
            self.list_entries(path, hidden, &crate::list::ParseOptions::default())
        }
    }

    /// True when FEAT advertises MLST (asked once per session).
    fn supports_mlsd(&mut self) -> Result<bool> {
        if self.features.is_none() {
            match self.feat() {
                Ok(_) => {}
                // A server without FEAT (RFC 959 only) has no MLSD either.
                Err(Error::Permanent(_)) => self.features = Some(BTreeMap::new()),
                Err(e) => return Err(e),
            }
        }
        Ok(self
            .features
            .as_ref()
            .is_some_and(|f| f.contains_key("MLST")))
    }

    /// Lists a directory with LIST and parses each line (Unix `ls -l`, DOS/IIS and the
    /// other formats of [`crate::list`]). `hidden` sends `LIST -a`, which most Unix
    /// servers take as "include dot-files"; `options` gives the server's time zone and
    /// the "now" used to infer years.
    ///
    /// ```no_run
    /// use chrono::FixedOffset;
    /// use ftplib::list::ParseOptions;
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let cet = ParseOptions::default().with_server_offset(FixedOffset::east_opt(3600).unwrap());
    /// let lines = ftp.list_entries("", true, &cet)?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::entries`].
    pub fn list_entries(
        &mut self,
        path: &str,
        hidden: bool,
        options: &crate::list::ParseOptions,
    ) -> Result<Vec<crate::list::Line>> {
        let mut args = Vec::new();
        if hidden {
            args.push("-a");
        }
        let cmd = join_command("LIST", &args, false);
        let cmd = if path.is_empty() {
            cmd
        } else {
            format_command(&cmd, Some(path))?
        };
        let data = self.listing_bytes(&cmd)?;
        Ok(crate::list::parse_listing(&data, options))
    }

    /// Lists a directory with MLSD (RFC 3659) and parses each line into a typed entry
    /// with its facts.
    ///
    /// # Errors
    /// [`Error::Permanent`] (500/502) where MLSD is not supported, and as
    /// [`FtpStream::entries`].
    pub fn mlsd_entries(&mut self, path: &str) -> Result<Vec<crate::list::Line>> {
        let cmd = if path.is_empty() {
            "MLSD".to_string()
        } else {
            format_command("MLSD", Some(path))?
        };
        let data = self.listing_bytes(&cmd)?;
        Ok(crate::list::parse_mlsd_listing(&data))
    }

    /// The whole text of a listing as bytes, each line ending in CRLF (so a CR that
    /// belongs to a name survives the parser's line splitting).
    fn listing_bytes(&mut self, cmd: &str) -> Result<Vec<u8>> {
        let mut data = Vec::new();
        self.retrlines_bytes(cmd, |line| {
            data.extend_from_slice(line);
            data.extend_from_slice(b"\r\n");
        })?;
        Ok(data)
    }
}

impl Drop for FtpStream {
    fn drop(&mut self) {
        if !self.closed {
            // Say goodbye without waiting for the answer, so drop never blocks long.
            if self.broken.is_none() {
                let _ = self.control.get_mut().write_all(b"QUIT\r\n");
                let _ = self.control.get_mut().flush();
            }
            self.close();
        }
    }
}

/// Splits an MLSD line as ftplib does: facts before the first space, the name after it.
fn split_mlsd_line(line: &str) -> (String, BTreeMap<String, String>) {
    let (facts_text, name) = line.split_once(' ').unwrap_or((line, ""));
    let mut facts = BTreeMap::new();
    for fact in facts_text.split(';').filter(|f| !f.is_empty()) {
        let (key, value) = fact.split_once('=').unwrap_or((fact, ""));
        facts.insert(key.to_ascii_lowercase(), value.to_string());
    }
    (name.to_string(), facts)
}

/// Builds `VERB arg arg …`; `keep_empty` mirrors ftplib's `nlst`, which appends even empty
/// arguments, where `dir` skips them.
fn join_command(verb: &str, args: &[&str], keep_empty: bool) -> String {
    let mut cmd = verb.to_string();
    for arg in args.iter().filter(|a| keep_empty || !a.is_empty()) {
        cmd.push(' ');
        cmd.push_str(arg);
    }
    cmd
}

/// Maps a reply that is not the one expected to its error: the class error for 4xx/5xx,
/// [`Error::UnexpectedReply`] otherwise. Unlike [`FtpStream::unexpected_reply`] it does
/// not judge whether the session is still in step; the caller must.
fn reply_error(reply: Reply) -> Error {
    match reply.into_result() {
        Ok(reply) => Error::UnexpectedReply(reply),
        Err(class_error) => class_error,
    }
}

fn path_from_257(reply: &Reply) -> Result<String> {
    let path = parse::parse_257(reply)?;
    if reply.is_lossy() {
        return Err(Error::Encoding {
            what: "the path in the server's 257 reply",
            lossy: path,
        });
    }
    Ok(path)
}

/// The PORT or EPRT command that announces `ip:port` for an active data connection.
///
/// PORT (RFC 959) carries only IPv4 and is what every server knows, so it is used for an
/// IPv4 address on an IPv4 control connection, as ftplib does. EPRT (RFC 2428) names the
/// address family itself, and RFC 2428 lets it name a family other than the control
/// connection's; it is used for IPv6 addresses, and for an IPv4 address on an IPv6 control
/// connection, where servers read PORT as an IPv4 request on an IPv6 session and
/// commonly refuse it (vsftpd answers `500 Illegal PORT command`).
fn port_command(ip: IpAddr, port: u16, control_is_ipv6: bool) -> String {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address to the server.
    match ip.to_canonical() {
        IpAddr::V4(v4) if !control_is_ipv6 => {
            let o = v4.octets();
            format!(
                "PORT {},{},{},{},{},{}",
                o[0],
                o[1],
                o[2],
                o[3],
                port >> 8,
                port & 0xff
            )
        }
        IpAddr::V4(v4) => format!("EPRT |1|{v4}|{port}|"),
        IpAddr::V6(v6) => format!("EPRT |2|{v6}|{port}|"),
    }
}

/// Refuses a zero timeout, which would make sockets non-blocking (ftplib's bpo-39259).
fn check_timeout(timeout: Option<Duration>) -> Result<()> {
    if timeout == Some(Duration::ZERO) {
        return Err(Error::InvalidInput(
            "a zero timeout is not supported; use None to wait forever".into(),
        ));
    }
    Ok(())
}

/// Refuses a zero keep-alive interval, which would send a NOOP with every block.
fn check_keepalive(interval: Option<Duration>) -> Result<()> {
    if interval == Some(Duration::ZERO) {
        return Err(Error::InvalidInput(
            "a zero keep-alive interval is not supported; use None to switch it off".into(),
        ));
    }
    Ok(())
}

/// Refuses an external address the server could not connect to.
fn check_active_external_address(address: Option<IpAddr>) -> Result<()> {
    match address {
        Some(ip) if ip.is_unspecified() => Err(Error::InvalidInput(format!(
            "{ip} cannot be advertised as the active-mode address; use None to advertise \
             the local address"
        ))),
        _ => Ok(()),
    }
}

/// Refuses a port range with no usable port. Port 0 would ask the system for any port,
/// which would not stay inside the range.
fn check_active_port_range(ports: Option<&RangeInclusive<u16>>) -> Result<()> {
    match ports {
        Some(range) if range.is_empty() => Err(Error::InvalidInput(format!(
            "the active-mode port range {}..={} is empty",
            range.start(),
            range.end()
        ))),
        Some(range) if *range.start() == 0 => Err(Error::InvalidInput(format!(
            "the active-mode port range {}..={} includes port 0",
            range.start(),
            range.end()
        ))),
        _ => Ok(()),
    }
}

/// Compares the bytes received with the size a 150 reply announced. With REST the
/// announced size may count the whole file or only the rest; either is accepted.
fn check_complete(expected: Option<u64>, rest: Option<u64>, received: u64) -> Result<()> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let ok = match rest {
        None => received == expected,
        Some(offset) => received == expected || received.checked_add(offset) == Some(expected),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::TransferIncomplete { expected, received })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlsd_lines_split_like_ftplib() {
        let (name, facts) = split_mlsd_line("Type=file;Size=12;modify=20200101000000; my file ");
        assert_eq!(name, "my file ");
        assert_eq!(facts["type"], "file");
        assert_eq!(facts["size"], "12");
        let (name, facts) = split_mlsd_line("type=dir;");
        assert_eq!(name, "");
        assert_eq!(facts["type"], "dir");
        let (_, facts) = split_mlsd_line("x=a=b; n");
        assert_eq!(facts["x"], "a=b");
    }

    #[test]
    fn commands_join_like_ftplib() {
        assert_eq!(join_command("NLST", &[], true), "NLST");
        assert_eq!(join_command("NLST", &["", "a"], true), "NLST  a");
        assert_eq!(join_command("LIST", &["", "-a"], false), "LIST -a");
    }

    #[test]
    fn port_and_eprt_commands() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        let v6: IpAddr = "2001:db8::7".parse().unwrap();
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(port_command(v4, 50001, false), "PORT 203,0,113,7,195,81");
        assert_eq!(port_command(v4, 50001, true), "EPRT |1|203.0.113.7|50001|");
        assert_eq!(port_command(v6, 50001, false), "EPRT |2|2001:db8::7|50001|");
        assert_eq!(port_command(v6, 50001, true), "EPRT |2|2001:db8::7|50001|");
        assert_eq!(port_command(mapped, 1, false), "PORT 203,0,113,7,0,1");
    }

    #[test]
    fn active_options_are_checked() {
        let unspecified: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(matches!(
            check_active_external_address(Some(unspecified)),
            Err(Error::InvalidInput(_))
        ));
        assert!(check_active_external_address(None).is_ok());
        assert!(check_active_external_address(Some("10.0.0.1".parse().unwrap())).is_ok());
        #[allow(clippy::reversed_empty_ranges)]
        let empty = 10..=9;
        for bad in [empty, 0..=10] {
            assert!(
                matches!(
                    check_active_port_range(Some(&bad)),
                    Err(Error::InvalidInput(_))
                ),
                "{bad:?}"
            );
        }
        assert!(check_active_port_range(Some(&(1..=1))).is_ok());
        assert!(check_active_port_range(None).is_ok());
    }

    #[test]
    fn completeness() {
        assert!(check_complete(None, None, 5).is_ok());
        assert!(check_complete(Some(5), None, 5).is_ok());
        assert!(matches!(
            check_complete(Some(5), None, 4),
            Err(Error::TransferIncomplete {
                expected: 5,
                received: 4
            })
        ));
        assert!(check_complete(Some(10), Some(4), 6).is_ok());
        assert!(check_complete(Some(6), Some(4), 6).is_ok());
        assert!(check_complete(Some(10), Some(4), 5).is_err());
    }
}

//! The native-tls backend (OpenSSL on Linux, Secure Transport, SChannel).
//!
//! native-tls has no session API, so its data connections cannot resume the control
//! connection's session; servers that require it refuse them (see
//! [`crate::Error::TlsSessionReuseRequired`]).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use native_tls::{Certificate, HandshakeError, TlsConnector, TlsStream};

use crate::error::{Error, Result};
use crate::net::Transport;

/// What a [`crate::TlsConfig`] holds for native-tls.
#[derive(Clone, Default)]
pub(super) struct Settings {
    /// A connector given by the caller; used as is.
    given: Option<TlsConnector>,
    roots: Vec<Certificate>,
    accept_invalid: bool,
    tls12_only: bool,
}

impl Settings {
    pub(super) fn from_connector(connector: TlsConnector) -> Settings {
        Settings {
            given: Some(connector),
            ..Settings::default()
        }
    }

    pub(super) fn add_root_pem(&mut self, pem: &[u8]) -> Result<()> {
        if self.given.is_some() {
            return Err(Error::InvalidState(
                "this TlsConfig uses your own native-tls connector: add the root certificate \
                 to it instead"
                    .into(),
            ));
        }
        let certs = Certificate::stack_from_pem(pem)
            .map_err(|e| Error::Tls(format!("cannot read the PEM certificate: {e}")))?;
        if certs.is_empty() {
            return Err(Error::Tls("no certificate found in the PEM data".into()));
        }
        self.roots.extend(certs);
        Ok(())
    }

    pub(super) fn accept_invalid_certs(&mut self, accept: bool) {
        if self.given.is_some() {
            log::warn!(
                target: "ftplib",
                "danger_accept_invalid_certs ignored: the TlsConfig uses your own connector"
            );
            return;
        }
        self.accept_invalid = accept;
    }

    pub(super) fn tls12_only(&mut self, only: bool) {
        if self.given.is_some() {
            log::warn!(target: "ftplib", "tls12_only ignored: the TlsConfig uses your own connector");
            return;
        }
        self.tls12_only = only;
    }

    pub(super) fn build(&self) -> Result<TlsConnector> {
        if let Some(connector) = &self.given {
            return Ok(connector.clone());
        }
        let mut builder = TlsConnector::builder();
        for root in &self.roots {
            builder.add_root_certificate(root.clone());
        }
        if self.accept_invalid {
            builder.danger_accept_invalid_certs(true);
            builder.danger_accept_invalid_hostnames(true);
        }
        if self.tls12_only {
            builder.min_protocol_version(Some(native_tls::Protocol::Tlsv12));
            builder.max_protocol_version(Some(native_tls::Protocol::Tlsv12));
        }
        builder
            .build()
            .map_err(|e| Error::Tls(format!("cannot set up native-tls: {e}")))
    }

    pub(super) fn describe(&self, s: &mut fmt::DebugStruct<'_, '_>) {
        s.field("own_connector", &self.given.is_some())
            .field("extra_roots", &self.roots.len())
            .field("accept_invalid_certs", &self.accept_invalid)
            .field("tls12_only", &self.tls12_only);
    }
}

/// The socket under a native-tls stream. It notes when the server ends the TCP stream,
/// because OpenSSL, reading through the `openssl` crate, reports a TCP end that arrives
/// without TLS close_notify as a clean end of data: a truncated transfer would look
/// whole. OpenSSL reads exactly the records it needs, so it meets the TCP end only when
/// no close_notify came first.
pub(crate) struct NativeSocket {
    pub(crate) tcp: TcpStream,
    eof: bool,
}

impl Read for NativeSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.tcp.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        Ok(n)
    }
}

impl Write for NativeSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// Reads from a native-tls stream; an end of data without close_notify is an error
/// (`UnexpectedEof`), as with rustls.
pub(crate) fn read(stream: &mut TlsStream<NativeSocket>, buf: &mut [u8]) -> io::Result<usize> {
    let n = stream.read(buf)?;
    if n == 0 && !buf.is_empty() && stream.get_ref().eof {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "peer closed the connection without sending TLS close_notify",
        ));
    }
    Ok(n)
}

/// The client handshake, verifying against `host`.
pub(super) fn connect(connector: &TlsConnector, host: &str, tcp: TcpStream) -> Result<Transport> {
    let socket = NativeSocket { tcp, eof: false };
    match connector.connect(host, socket) {
        Ok(stream) => Ok(Transport::NativeTls(Box::new(stream))),
        Err(HandshakeError::WouldBlock(_)) => Err(Error::Timeout {
            during: "the TLS handshake",
        }),
        Err(HandshakeError::Failure(e)) => Err(Error::Tls(e.to_string())),
    }
}

/// Closes a data connection: close_notify (`shutdown`), end of our side, then read to the
/// end so that nothing unread makes the close a reset.
pub(super) fn close(mut stream: TlsStream<NativeSocket>) -> io::Result<()> {
    stream.shutdown()?;
    let _ = stream.get_ref().tcp.shutdown(Shutdown::Write);
    super::drain(&mut stream);
    Ok(())
}

/// Ends TLS on the control connection after CCC: our close_notify, then the server's.
pub(super) fn shutdown_control(stream: &mut TlsStream<NativeSocket>) -> io::Result<()> {
    stream.shutdown()?;
    let mut byte = [0u8; 1];
    match read(stream, &mut byte)? {
        0 => Ok(()),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "server sent data instead of TLS close_notify after CCC",
        )),
    }
}

//! The crate's one error type.

use std::io;
use std::net::SocketAddr;

use crate::reply::Reply;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong, classed the way Python's ftplib classes it.
///
/// Replies from the server keep their code and full text: use [`Error::code`] and
/// [`Error::reply`] to inspect them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a 4xx reply: a temporary failure; trying again later may
    /// work (ftplib's `error_temp`).
    #[error("server reported a temporary failure: {0}")]
    Temporary(Reply),

    /// The server answered with a 5xx reply: a permanent failure such as a wrong password
    /// (530) or a missing file (550) (ftplib's `error_perm`).
    #[error("server refused the request: {0}")]
    Permanent(Reply),

    /// The server sent a well-formed reply of a class the command does not allow, such as
    /// 331 where 2xx was required (ftplib's `error_reply`).
    #[error("unexpected reply from server: {0}")]
    UnexpectedReply(Reply),

    /// The server sent something that is not a valid FTP reply, or a reply whose content
    /// could not be understood (ftplib's `error_proto`).
    #[error("protocol error: {reason}: {line:?}")]
    Protocol {
        /// What was wrong.
        reason: String,
        /// The offending text (lossily decoded, possibly shortened).
        line: String,
    },

    /// A reply line was longer than the limit (see [`crate::Builder::max_line_length`]).
    #[error("server sent a line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },

    /// A multi-line reply had more lines than the limit (see
    /// [`crate::Builder::max_reply_lines`]).
    #[error("server sent a reply with more than {limit} lines")]
    TooManyLines {
        /// The limit in lines.
        limit: usize,
    },

    /// The connection (control or data) did not make progress within the configured timeout.
    #[error("timed out while {during}")]
    Timeout {
        /// What the client was doing.
        during: &'static str,
    },

    /// The server closed the connection: the control connection, or a data connection
    /// in the middle of a line or a TLS record.
    #[error("server closed the connection{}", if .0.is_empty() { String::new() } else { format!(" ({})", .0) })]
    ConnectionClosed(String),

    /// A transfer ended with fewer (or more) bytes than the server announced, even though
    /// the server reported success.
    #[error("transfer incomplete: server announced {expected} bytes but {received} arrived")]
    TransferIncomplete {
        /// Bytes announced in the 150 reply.
        expected: u64,
        /// Bytes actually received.
        received: u64,
    },

    /// A [`crate::Download`] or [`crate::Upload`] was finished before all its data was
    /// moved (or after its data connection failed); the client aborted the transfer, so
    /// it must be taken as failed.
    #[error("transfer aborted after {bytes} bytes: {reason}")]
    TransferAborted {
        /// Bytes moved before the transfer stopped.
        bytes: u64,
        /// Why it stopped.
        reason: &'static str,
    },

    /// In active mode, a host other than the server connected to our data port; the
    /// connection was refused.
    #[error("data connection from {from} refused: expected the server at {expected}")]
    ForeignDataConnection {
        /// Who connected.
        from: SocketAddr,
        /// The server's address.
        expected: std::net::IpAddr,
    },

    /// Text from the server was not valid UTF-8 where a string was required.
    #[error("{what} is not valid UTF-8: {lossy:?}")]
    Encoding {
        /// What was being decoded.
        what: &'static str,
        /// The text with invalid bytes replaced by U+FFFD.
        lossy: String,
    },

    /// An argument was refused before anything was sent (for example CR, LF or NUL in a
    /// path, which could inject extra commands).
    #[error("invalid argument: {0}")]
    InvalidInput(String),

    /// The stream is not in a state that allows the call (for example `prot_p` without
    /// TLS, or any command after `close`).
    #[error("invalid state: {0}")]
    InvalidState(String),

    /// An I/O error on a socket or on a local reader/writer.
    #[error("I/O error: {0}")]
    Io(io::Error),

    /// A TLS handshake, certificate or configuration error.
    #[error("TLS error: {0}")]
    Tls(String),

    /// The server refused a TLS data connection because it requires the data connection to
    /// resume the control connection's TLS session, and this one did not: the native-tls
    /// backend never can; rustls can run out of TLS 1.3 session tickets (see
    /// [`crate::TlsConfig`], "Picking a backend").
    #[error(
        "server requires TLS session reuse on data connections ({0}), and this data \
         connection did not resume the control connection's session (the native-tls backend \
         cannot: build ftplib with the `rustls` feature; with rustls, a TLS 1.3 server that \
         gives no session ticket on uploads needs TlsConfig::tls12_only)"
    )]
    TlsSessionReuseRequired(Reply),
}

impl Error {
    /// The reply code, when the error came from a server reply.
    pub fn code(&self) -> Option<u16> {
        self.reply().map(|r| r.code)
    }

    /// The server reply behind the error, if there is one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Temporary(r)
            | Error::Permanent(r)
            | Error::UnexpectedReply(r)
            | Error::TlsSessionReuseRequired(r) => Some(r),
            _ => None,
        }
    }

    /// Turns an I/O error into [`Error::Timeout`], [`Error::ConnectionClosed`] or
    /// [`Error::Io`], saying what the client was doing.
    pub(crate) fn from_io(err: io::Error, during: &'static str) -> Error {
        match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout { during },
            io::ErrorKind::UnexpectedEof => Error::ConnectionClosed(during.to_string()),
            _ => Error::Io(err),
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout {
                during: "waiting for the network",
            },
            _ => Error::Io(err),
        }
    }
}

/// Converts a crate error into an `io::Error` for `Read`/`Write` implementations.
pub(crate) fn into_io(err: Error) -> io::Error {
    match err {
        Error::Io(e) => e,
        Error::Timeout { .. } => io::Error::new(io::ErrorKind::TimedOut, err),
        other => io::Error::other(other),
    }
}

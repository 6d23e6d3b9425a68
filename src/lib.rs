//! A blocking FTP and FTPS client for Rust, modelled on Python's
//! [`ftplib`](https://docs.python.org/3/library/ftplib.html).
//!
//! If you know ftplib you know this crate: [`FtpStream`] has `login`, `cwd`, `pwd`,
//! `retrbinary`, `storbinary`, `retrlines`, `nlst`, `dir`, `mlsd`, `sendcmd`, `voidcmd`,
//! `transfercmd` and the rest, with the same defaults — passive mode, binary transfers
//! through `retrbinary`/`storbinary`, anonymous login when no user is given — and the
//! same hardening, made stricter: the PASV host is ignored, reply lines and multi-line
//! replies are capped, CR/LF/NUL in arguments are refused, and every network wait is
//! bounded by one timeout.
//!
//! # Quick start
//!
//! ```no_run
//! use std::io::Write;
//! use ftplib::{FtpStream, DEFAULT_BLOCKSIZE};
//!
//! let mut ftp = FtpStream::connect("ftp.example.com", 21)?;
//! println!("{}", ftp.getwelcome());
//! ftp.login("", "")?;                          // anonymous, like ftplib's login()
//! ftp.cwd("pub")?;
//! for line in ftp.dir(&[])? {                  // raw LIST lines
//!     println!("{line}");
//! }
//! let mut file = std::fs::File::create("README")?;
//! ftp.retrbinary("RETR README", |block| file.write_all(block), DEFAULT_BLOCKSIZE, None)?;
//! ftp.quit()?;
//! # Ok::<(), ftplib::Error>(())
//! ```
//!
//! Streams, for code that wants [`std::io::Read`] and [`std::io::Write`]:
//!
//! ```no_run
//! # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
//! let mut download = ftp.retr_stream("big.iso", None)?;
//! std::io::copy(&mut download, &mut std::fs::File::create("big.iso")?)?;
//! download.finish()?;   // reads the 226: only now is the file known to be whole
//!
//! let mut upload = ftp.stor_stream("copy.iso")?;
//! std::io::copy(&mut std::fs::File::open("big.iso")?, &mut upload)?;
//! upload.finish()?;
//! # Ok::<(), ftplib::Error>(())
//! ```
//!
//! # FTPS
//!
//! Explicit FTPS works like ftplib's `FTP_TLS`: give the builder a [`TlsConfig`] and
//! `login` sends `AUTH TLS` before any credential; [`FtpStream::prot_p`] protects the data
//! connections too. Implicit FTPS (TLS from the first byte, port 990) uses
//! [`Builder::implicit_tls`]. Certificates and host names are verified by default, where
//! ftplib's default context checks nothing.
//!
//! ```no_run
//! use ftplib::{FtpStream, TlsConfig};
//!
//! let tls = TlsConfig::new().add_root_certificate_pem(&std::fs::read("my-ca.pem")?)?;
//! let mut ftp = FtpStream::builder().tls(tls).connect("ftp.example.com", 21)?;
//! ftp.login("alice", "secret")?;
//! ftp.prot_p()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `native-tls` | yes | FTPS through the platform's TLS library (OpenSSL on Linux) |
//! | `rustls` | no | FTPS through rustls, whose data connections resume the control connection's TLS session, as vsftpd, ProFTPD and FileZilla Server require by default |
//!
//! [`TlsConfig`] explains how to pick. Without either feature the crate speaks plain FTP
//! only.
//!
//! # Errors
//!
//! One [`Error`] enum, classed as ftplib classes its exceptions:
//!
//! | ftplib | this crate | when |
//! |---|---|---|
//! | `error_temp` | [`Error::Temporary`] | 4xx reply |
//! | `error_perm` | [`Error::Permanent`] | 5xx reply |
//! | `error_reply` | [`Error::UnexpectedReply`] | a valid reply of the wrong class |
//! | `error_proto` | [`Error::Protocol`], [`Error::LineTooLong`], [`Error::TooManyLines`] | a malformed reply |
//! | `OSError`, `EOFError` | [`Error::Io`], [`Error::Timeout`], [`Error::ConnectionClosed`] | network trouble |
//! | `ValueError` | [`Error::InvalidInput`] | CR/LF/NUL in an argument, zero timeout |
//!
//! Reply errors keep the code and the full text: [`Error::code`], [`Error::reply`].
//! A transfer that did not complete never looks successful: [`Error::TransferIncomplete`]
//! reports a short download even when the server said 226.
//!
//! After an error the stream is either still usable (4xx/5xx replies, an unexpected 2xx
//! or 3xx, a reply whose content could not be parsed, invalid input) or marked unusable
//! (timeouts, dropped connections, replies that break the framing or the limits, a 421,
//! an unexpected 1xx); see [`FtpStream::is_usable`].
//!
//! # Timeouts
//!
//! One timeout, like ftplib's, bounds the connect, every control read and write, the data
//! connect or accept, and every data read and write. It bounds each wait, not a whole
//! call: a server that trickles a reply one byte at a time, just within the timeout, can
//! stretch a call (up to the reply-size limits). It defaults to
//! [`DEFAULT_TIMEOUT`] (60 s; ftplib waits forever) and is set with
//! [`Builder::timeout`] or [`FtpStream::set_timeout`].
//!
//! # Keep-alive during long transfers
//!
//! A NAT box or firewall that drops idle connections can cut the control connection while
//! a long transfer keeps it silent, and the transfer then fails at its very end for want
//! of its final reply. [`Builder::keepalive`] (or [`FtpStream::set_keepalive`]) sends
//! `NOOP` on the control connection during transfers whenever the interval has passed,
//! and reads the replies when the transfer ends, before or after the transfer's own reply
//! as the server sends them. Off by default.
//!
//! ```no_run
//! use std::time::Duration;
//! let mut ftp = ftplib::FtpStream::builder()
//!     .keepalive(Some(Duration::from_secs(60)))
//!     .connect("ftp.example.com", 21)?;
//! # Ok::<(), ftplib::Error>(())
//! ```
//!
//! # Active mode behind NAT or a firewall
//!
//! Active mode (`set_pasv(false)`) announces the control connection's local address, as
//! ftplib does; behind NAT that is a private address the server refuses
//! (`500 I won't open a connection to 10.0.2.75`). [`Builder::active_external_address`]
//! announces the router's public address instead, and [`Builder::active_port_range`]
//! keeps the data listener inside the ports the router forwards (curl's
//! `--ftp-port ADDRESS:LOW-HIGH`). The data connection is still accepted only from the
//! server's own address.
//!
//! ```no_run
//! use std::net::{IpAddr, Ipv4Addr};
//! let mut ftp = ftplib::FtpStream::builder()
//!     .passive(false)
//!     .active_external_address(Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))))
//!     .active_port_range(Some(50000..=50099))
//!     .connect("ftp.example.com", 21)?;
//! # Ok::<(), ftplib::Error>(())
//! ```
//!
//! # Logging
//!
//! Commands and replies go to the [`log`](https://docs.rs/log) crate under targets in
//! `ftplib` (`ftplib::stream`, `ftplib::tls`, …), in the shapes of ftplib's debug output. The equivalent of ftplib's
//! `set_debuglevel(n)` is the log level you enable for `ftplib` (for example
//! `RUST_LOG=ftplib=debug` with `env_logger`):
//!
//! | ftplib level | log level | what you see |
//! |---|---|---|
//! | 0 | `info` or lower | nothing |
//! | 1 | `debug` | `*cmd* …`, `*resp* …`, `*welcome* …` |
//! | 2 | `trace` | also `*get* …`, every raw line read |
//!
//! The argument of `PASS` is always masked (`PASS *****`), as ftplib's `sanitize` does
//! (see [`sanitize`]).
//!
//! # Listings
//!
//! [`FtpStream::dir`], [`FtpStream::nlst`] and [`FtpStream::mlsd`] return what ftplib
//! returns. The [`list`] module parses LIST and MLSD output into typed entries and never
//! drops a line it cannot read.
//!
//! # From ftplib to this crate
//!
//! | Python ftplib | ftplib (Rust) |
//! |---|---|
//! | `FTP(host, timeout=t)` | `FtpStream::builder().timeout(Some(t)).connect(host, 21)` |
//! | `FTP(host, encoding="latin-1")` | `FtpStream::builder().encoding(Encoding::Latin1).connect(host, 21)` |
//! | `ftp.login()` | `ftp.login("", "")` |
//! | `ftp.set_pasv(False)` | `ftp.set_pasv(false)` |
//! | `ftp.trust_server_pasv_ipv4_address = True` | [`Builder::trust_server_pasv_ipv4_address`] |
//! | (no equivalent) `makeport` announcing another address or using a port range | [`Builder::active_external_address`], [`Builder::active_port_range`] |
//! | `ftp.retrbinary(cmd, cb, 8192, rest)` | `ftp.retrbinary(cmd, cb, 8192, rest)`; `cb` returns `io::Result<()>` |
//! | `ftp.storbinary(cmd, fp, 8192, cb, rest)` | `ftp.storbinary(cmd, &mut fp, 8192, cb, rest)` |
//! | `ftp.retrlines(cmd, cb)` | `ftp.retrlines(cmd, cb)` |
//! | `ftp.dir()` (prints) | `ftp.dir(&[])` (returns the lines) |
//! | `ftp.size(name)` → `None` if not 213 | `ftp.size(name)` → `Err(UnexpectedReply)` if not 213 |
//! | `ftp.mkd(name)` → `''` without 257 | `ftp.mkd(name)` → `name` without 257 |
//! | `ftp.abort()` | `ftp.abort()`, or `Download::abort` / `Upload::abort` |
//! | `ftp.set_debuglevel(1)` | enable `debug` logs for target `ftplib` |
//! | `with FTP(...) as ftp:` | drop the `FtpStream` (QUIT is sent, the socket closed) |
//! | (ftputil) `host.walk(top)`, `makedirs`, `rmtree` | [`FtpStream::walk`], [`FtpStream::makedirs`], [`FtpStream::rmtree`] |
//! | (ftputil) `host.download(src, dst)`, `upload`, `download_if_newer`, `upload_if_newer` | [`FtpStream::download`], [`FtpStream::upload`], [`FtpStream::download_if_newer`], [`FtpStream::upload_if_newer`] (a download replaces the local file only once complete) |
//! | `ftp.retrbinary(cmd, cb, rest=len(part))` to resume by hand | [`FtpStream::download_resume`] (keeps a broken download's data and continues it with REST) |

#![deny(missing_docs)]

mod command;
mod data;
mod error;
mod files;
mod keepalive;
pub mod list;
mod net;
pub mod parse;
pub mod reply;
mod stream;
mod tls;
mod walk;

pub use command::{sanitize, Encoding};
pub use data::{DataStream, Download, Upload};
pub use error::{Error, Result};
pub use reply::Reply;
pub use stream::{
    Builder, FtpStream, DEFAULT_BLOCKSIZE, DEFAULT_MAX_DATA_LINE_LENGTH, DEFAULT_TIMEOUT, FTP_PORT,
};
pub use tls::{TlsConfig, FTPS_PORT};
pub use walk::{Walk, WalkDir};

//! Sockets: connecting with a timeout and a source address, accepting with a timeout, and
//! the `Transport` that carries either plain TCP or TLS.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::error::{Error, Result};

/// A byte stream over TCP, plain or wrapped in TLS.
pub(crate) enum Transport {
    /// Plain TCP.
    Tcp(TcpStream),
    /// TLS through native-tls.
    #[cfg(feature = "native-tls")]
    NativeTls(Box<native_tls::TlsStream<crate::tls::NativeSocket>>),
    /// TLS through rustls.
    #[cfg(feature = "rustls")]
    Rustls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Transport {
    /// The TCP socket underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Tcp(s) => s,
            #[cfg(feature = "native-tls")]
            Transport::NativeTls(s) => &s.get_ref().tcp,
            #[cfg(feature = "rustls")]
            Transport::Rustls(s) => &s.sock,
        }
    }

    /// True when the bytes travel inside TLS.
    pub(crate) fn is_tls(&self) -> bool {
        !matches!(self, Transport::Tcp(_))
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Tcp(s) => s.read(buf),
            #[cfg(feature = "native-tls")]
            Transport::NativeTls(s) => crate::tls::native_read(s, buf),
            #[cfg(feature = "rustls")]
            Transport::Rustls(s) => s.read(buf),
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Tcp(s) => s.write(buf),
            #[cfg(feature = "native-tls")]
            Transport::NativeTls(s) => s.write(buf),
            #[cfg(feature = "rustls")]
            Transport::Rustls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Tcp(s) => s.flush(),
            #[cfg(feature = "native-tls")]
            Transport::NativeTls(s) => s.flush(),
            #[cfg(feature = "rustls")]
            Transport::Rustls(s) => s.flush(),
        }
    }
}

/// Applies one timeout to reads and writes. `None` blocks forever.
pub(crate) fn set_timeouts(tcp: &TcpStream, timeout: Option<Duration>) -> io::Result<()> {
    tcp.set_read_timeout(timeout)?;
    tcp.set_write_timeout(timeout)
}

/// Connects to `host:port`, trying every resolved address in turn (like Python's
/// `socket.create_connection`), optionally from `source` (port 0: any port).
pub(crate) fn connect(
    host: &str,
    port: u16,
    timeout: Option<Duration>,
    source: Option<IpAddr>,
) -> Result<TcpStream> {
    let host = unbracket(host);
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::Io(io::Error::new(
                e.kind(),
                format!("cannot resolve {host}: {e}"),
            ))
        })?
        .collect();
    let mut last_err = None;
    for addr in addrs {
        if source.is_some_and(|s| s.is_ipv4() != addr.is_ipv4()) {
            continue;
        }
        match connect_addr(addr, timeout, source) {
            Ok(stream) => return Ok(stream),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        Error::Io(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} has no usable address"),
        ))
    }))
}

/// The host as the user gave it, without the brackets of an IPv6 literal (`[::1]` → `::1`):
/// the form to resolve, and the name TLS verifies.
pub(crate) fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Connects to one address with the timeout bounding the connect, and sets read/write
/// timeouts on the result.
pub(crate) fn connect_addr(
    addr: SocketAddr,
    timeout: Option<Duration>,
    source: Option<IpAddr>,
) -> Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if let Some(ip) = source {
        socket.bind(&SocketAddr::new(ip, 0).into())?;
    }
    let during = "connecting";
    match timeout {
        Some(t) => socket.connect_timeout(&addr.into(), t),
        None => socket.connect(&addr.into()),
    }
    .map_err(|e| match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout { during },
        _ => Error::Io(io::Error::new(
            e.kind(),
            format!("connecting to {addr}: {e}"),
        )),
    })?;
    let stream: TcpStream = socket.into();
    stream.set_nodelay(true)?;
    set_timeouts(&stream, timeout)?;
    Ok(stream)
}

/// Waits for one connection on `listener`, for at most `timeout`.
///
/// std has no accept timeout, so the listener is polled in non-blocking mode.
pub(crate) fn accept(
    listener: &TcpListener,
    timeout: Option<Duration>,
) -> Result<(TcpStream, SocketAddr)> {
    listener.set_nonblocking(true)?;
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false)?;
                set_timeouts(&stream, timeout)?;
                return Ok((stream, peer));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Err(Error::Timeout {
                        during: "waiting for the server to open the data connection",
                    });
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sends the Telnet "Interrupt Process" and "Synch" that RFC 959 §4.1.3 asks to precede
/// ABOR: IAC IP IAC in band, then DM as TCP urgent data.
pub(crate) fn send_telnet_synch(tcp: &TcpStream) -> io::Result<()> {
    const IAC: u8 = 255;
    const IP: u8 = 244;
    const DM: u8 = 242;
    let mut tcp_ref = tcp;
    tcp_ref.write_all(&[IAC, IP, IAC])?;
    SockRef::from(tcp).send_out_of_band(&[DM])?;
    Ok(())
}

/// Half-closes the write side, so the peer sees end of data.
pub(crate) fn shutdown_write(tcp: &TcpStream) {
    // Ignored: the peer may already have closed, which is not our error to report here.
    let _ = tcp.shutdown(Shutdown::Write);
}

//! Sockets: connecting with a timeout and a source address, accepting with a timeout, and
//! the `Transport` that carries either plain TCP or TLS.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

    /// True when the TLS handshake resumed an earlier session (only rustls can).
    pub(crate) fn resumed_tls_session(&self) -> bool {
        match self {
            #[cfg(feature = "rustls")]
            Transport::Rustls(s) => s.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
            #[allow(unreachable_patterns)]
            _ => false,
        }
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

/// Binds a listener on `ip` at a port of `ports` (not empty, without 0).
///
/// The search starts at a pseudo-random port of the range and wraps around, so two
/// clients sharing a range do not both try its first port every time; each port is tried
/// once. Ports in use are skipped; any other bind error (a privileged port, an address
/// that is not ours) would repeat on every port and is returned at once.
pub(crate) fn bind_in_range(ip: IpAddr, ports: RangeInclusive<u16>) -> Result<TcpListener> {
    let (first, last) = (*ports.start(), *ports.end());
    let count = u32::from(last) - u32::from(first) + 1;
    let offset = pseudo_random() % u64::from(count);
    for i in 0..count {
        // Fits in u16: the sum is below `count`, and `first + count - 1 == last`.
        let port = first + ((offset + u64::from(i)) % u64::from(count)) as u16;
        match TcpListener::bind(SocketAddr::new(ip, port)) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                return Err(Error::Io(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot listen on {} for active mode: {e}",
                        SocketAddr::new(ip, port)
                    ),
                )))
            }
        }
    }
    Err(Error::Io(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!("no free port for the active-mode data connection in {first}..={last} on {ip}"),
    )))
}

/// A number that differs between calls, processes and machines; not for cryptography.
///
/// std's `RandomState` seeds each thread's hash keys from the system's random source and
/// changes them for every instance, so hashing the clock and the process id with it needs
/// no extra dependency.
fn pseudo_random() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn bind_in_range_skips_a_port_in_use() {
        // A range of two ports, one held by us: every search, wherever it starts, must
        // end on the other one. Retried with a new pair if another process holds that one.
        for _ in 0..20 {
            let taken = TcpListener::bind((LOOPBACK, 0)).unwrap();
            let taken_port = taken.local_addr().unwrap().port();
            let other = if taken_port < u16::MAX {
                taken_port + 1
            } else {
                taken_port - 1
            };
            if TcpListener::bind((LOOPBACK, other)).is_err() {
                continue;
            }
            let range = taken_port.min(other)..=taken_port.max(other);
            for _ in 0..32 {
                let listener = bind_in_range(LOOPBACK, range.clone()).expect("a free port");
                assert_eq!(listener.local_addr().unwrap().port(), other);
            }
            return;
        }
        panic!("no pair of neighbouring ports with one free found");
    }

    #[test]
    fn bind_in_range_starts_at_different_ports() {
        // Over 64 searches through a wide range of mostly free ports, the start must vary.
        let base = TcpListener::bind((LOOPBACK, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
            .clamp(1024, 65000);
        let range = base..=base + 500;
        let ports: std::collections::BTreeSet<u16> = (0..64)
            .filter_map(|_| bind_in_range(LOOPBACK, range.clone()).ok())
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        assert!(ports.len() > 1, "{ports:?}");
        assert!(ports.iter().all(|p| range.contains(p)), "{ports:?}");
    }

    #[test]
    fn bind_in_range_names_the_range_when_full() {
        let taken = TcpListener::bind((LOOPBACK, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        match bind_in_range(LOOPBACK, port..=port) {
            Err(Error::Io(e)) => {
                assert_eq!(e.kind(), io::ErrorKind::AddrInUse);
                let text = e.to_string();
                assert!(text.contains(&format!("{port}..={port}")), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
}

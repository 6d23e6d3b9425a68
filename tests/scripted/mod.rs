//! A scripted, misbehaving FTP server for tests: plain std TCP on loopback, one thread per
//! scenario, no external tool.
//!
//! A scenario is a list of [`Step`]s: what to expect from the client (a command prefix) and
//! what to do in return (reply bytes, data-connection behaviour, delays, disconnects,
//! resets). The server thread never blocks without a bound: every accept, read and write
//! gives up after [`SERVER_WAIT`], so it always ends. [`Server::finish`] joins it and
//! returns the transcript of what the client sent.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockRef, Socket, Type};

/// The longest the server waits for anything (a connection, a command, a write).
pub const SERVER_WAIT: Duration = Duration::from_secs(10);

/// The loopback address the server's control connection listens on.
pub const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Another loopback address: a "foreign host" that is still reachable on Linux.
pub const OTHER_LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// One step of a scenario.
pub enum Step {
    /// Reads one command line and requires it to start with this prefix (ASCII case
    /// insensitive). Telnet bytes (0xF0–0xFF, as sent before ABOR) are stripped first.
    Expect(&'static str),
    /// Sends bytes on the control connection. `{p1}`, `{p2}` and `{port}` are replaced
    /// with the last passive listener's port (high byte, low byte, whole).
    Send(Vec<u8>),
    /// Sends bytes one at a time, each in its own TCP segment, pausing between them.
    Trickle(Vec<u8>, Duration),
    /// Sends lines of `"<text> <n>\r\n"` until the client stops reading or hangs up.
    Flood(&'static str),
    /// Sends one line without an ending, growing forever, until the client gives up.
    FloodNoNewline,
    /// Does nothing for a while.
    Sleep(Duration),
    /// Opens a passive data listener on this address (port chosen by the system).
    Listen(IpAddr),
    /// Opens a listener whose accept queue is full, so connecting to it hangs.
    ListenFull,
    /// Picks a port nobody listens on (a listener is bound, then closed).
    DeadPort,
    /// Accepts the data connection on the passive listener.
    Accept,
    /// Connects to the address of the last PORT or EPRT command, from the given local
    /// address.
    ConnectActive(IpAddr),
    /// Connects to the port of the last PORT or EPRT command but at the address `to`,
    /// from the local address `from`: what a server sees behind a NAT router, which
    /// forwards the advertised (public) address to the client's local one. The script
    /// plays both server and router, so the client's listener is reached directly.
    ConnectActiveVia {
        /// The server's source address.
        from: IpAddr,
        /// Where the router forwards the advertised address to.
        to: IpAddr,
    },
    /// Writes bytes on the data connection.
    DataSend(Vec<u8>),
    /// Reads the data connection until the client closes it, counting the bytes.
    DataRecv,
    /// Closes the data connection (FIN).
    DataClose,
    /// Resets the data connection (RST).
    DataReset,
    /// Closes the control connection (FIN).
    Close,
    /// Resets the control connection (RST).
    Reset,
    /// Reads NOOP lines (a client's keep-alives) until none arrives for [`NOOP_IDLE`] or
    /// another command arrives (kept for the next step), and owes each one a reply. The
    /// client must be waiting meanwhile (for data or a reply), so the idle wait is reliable.
    ReadNoops,
    /// Sends this reply for at most `n` of the NOOPs owed (`usize::MAX`: all of them).
    AnswerNoops(&'static str, usize),
}

/// How long [`Step::ReadNoops`] waits for one more NOOP before deciding none follows.
pub const NOOP_IDLE: Duration = Duration::from_millis(150);

/// Reads the client's keep-alive NOOPs so far and answers all of them with `text`.
pub fn answer_noops(text: &'static str) -> [Step; 2] {
    [Step::ReadNoops, Step::AnswerNoops(text, usize::MAX)]
}

/// Shorthand for [`Step::Expect`].
pub fn expect(prefix: &'static str) -> Step {
    Step::Expect(prefix)
}

/// Shorthand for [`Step::Send`] of a text reply; a CRLF is added to each `\n`-separated
/// line.
pub fn reply(text: &str) -> Step {
    let mut bytes = Vec::new();
    for line in text.split('\n') {
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    Step::Send(bytes)
}

/// Shorthand for [`Step::Send`] of raw bytes.
pub fn raw(bytes: &[u8]) -> Step {
    Step::Send(bytes.to_vec())
}

/// Shorthand for [`Step::DataSend`].
pub fn data(bytes: &[u8]) -> Step {
    Step::DataSend(bytes.to_vec())
}

/// The greeting every ordinary scenario starts with.
pub fn greeting() -> Step {
    reply("220 scripted server ready")
}

// ----- common exchanges, for building scenarios ------------------------------------------

/// The scenario made of these parts, in order.
pub fn steps(parts: Vec<Vec<Step>>) -> Vec<Step> {
    parts.into_iter().flatten().collect()
}

/// `TYPE I`, accepted.
pub fn type_i() -> Vec<Step> {
    vec![expect("TYPE I"), reply("200 Switching to Binary mode.")]
}

/// `TYPE A`, accepted.
pub fn type_a() -> Vec<Step> {
    vec![expect("TYPE A"), reply("200 Switching to ASCII mode.")]
}

/// PASV answered honestly with a listener on 127.0.0.1.
pub fn pasv() -> Vec<Step> {
    vec![
        expect("PASV"),
        Step::Listen(LOCALHOST),
        reply("227 Entering Passive Mode (127,0,0,1,{p1},{p2})."),
    ]
}

/// `NOOP`, answered 200.
pub fn noop() -> Vec<Step> {
    vec![expect("NOOP"), reply("200 NOOP ok")]
}

/// What the server saw.
#[derive(Debug, Default, Clone)]
pub struct Transcript {
    /// Every command line received, Telnet bytes stripped, lossily decoded.
    pub lines: Vec<String>,
    /// Bytes received on data connections.
    pub data_received: u64,
    /// True when every step ran.
    pub completed: bool,
    /// Why the script stopped early, if it did.
    pub stopped: Option<String>,
    /// True when the client connected to the control port.
    pub connected: bool,
    /// Data connections accepted.
    pub data_connections: usize,
}

impl Transcript {
    /// True when some received line starts with `prefix` (ASCII case insensitive).
    pub fn saw(&self, prefix: &str) -> bool {
        self.lines.iter().any(|l| starts_with_ci(l, prefix))
    }

    /// How many received lines start with `prefix` (ASCII case insensitive).
    pub fn count(&self, prefix: &str) -> usize {
        self.lines
            .iter()
            .filter(|l| starts_with_ci(l, prefix))
            .count()
    }
}

/// A running scripted server.
pub struct Server {
    addr: SocketAddr,
    handle: Option<JoinHandle<Transcript>>,
    mismatch: Arc<Mutex<Option<String>>>,
}

impl Server {
    /// Starts a server on 127.0.0.1 (port chosen by the system) that plays `steps` for
    /// the first client that connects.
    pub fn start(steps: Vec<Step>) -> Server {
        let listener = TcpListener::bind((LOCALHOST, 0)).expect("bind control listener");
        let addr = listener.local_addr().expect("control listener address");
        let mismatch = Arc::new(Mutex::new(None));
        let mismatch_in = Arc::clone(&mismatch);
        let handle = std::thread::spawn(move || run(listener, steps, mismatch_in));
        Server {
            addr,
            handle: Some(handle),
            mismatch,
        }
    }

    /// The control port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Waits for the server thread (which always ends within its bounded waits) and
    /// returns what it saw. Panics if the client sent a command the script did not expect.
    pub fn finish(mut self) -> Transcript {
        let transcript = self
            .handle
            .take()
            .expect("server joined once")
            .join()
            .expect("server thread panicked");
        if let Some(m) = self.mismatch.lock().expect("mismatch lock").take() {
            panic!("script mismatch: {m}\ntranscript: {:?}", transcript.lines);
        }
        transcript
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A test that panicked before `finish` leaves the thread detached; it still ends
        // by itself after at most a few bounded waits.
        self.handle.take();
    }
}

fn starts_with_ci(line: &str, prefix: &str) -> bool {
    line.len() >= prefix.len()
        && line.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The server's state while it plays a script.
struct Session {
    control: BufReader<TcpStream>,
    listener: Option<TcpListener>,
    /// Connections kept open to fill a listener's accept queue.
    fillers: Vec<TcpStream>,
    data: Option<TcpStream>,
    port: u16,
    active_target: Option<SocketAddr>,
    transcript: Transcript,
    /// A line read ahead by [`Step::ReadNoops`], returned by the next read.
    pushed_back: Option<String>,
    /// NOOPs read but not answered yet.
    noops_owed: usize,
}

/// Accepts on a non-blocking listener until `deadline`.
fn accept_until(listener: &TcpListener, deadline: Instant) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(SERVER_WAIT)).ok()?;
                stream.set_write_timeout(Some(SERVER_WAIT)).ok()?;
                return Some(stream);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

fn run(
    listener: TcpListener,
    steps: Vec<Step>,
    mismatch: Arc<Mutex<Option<String>>>,
) -> Transcript {
    let Some(control) = accept_until(&listener, Instant::now() + SERVER_WAIT) else {
        return Transcript {
            stopped: Some("no client connected".into()),
            ..Transcript::default()
        };
    };
    drop(listener);
    control.set_nodelay(true).ok();
    let mut session = Session {
        control: BufReader::new(control),
        listener: None,
        fillers: Vec::new(),
        data: None,
        port: 0,
        active_target: None,
        transcript: Transcript {
            connected: true,
            ..Transcript::default()
        },
        pushed_back: None,
        noops_owed: 0,
    };
    let mut completed = true;
    let mut hung_up = false;
    for (i, step) in steps.into_iter().enumerate() {
        match session.play(step) {
            Ok(Flow::Next) => {}
            Ok(Flow::HungUp) => {
                hung_up = true;
                break;
            }
            Err(why) => {
                if let Some(m) = why.strip_prefix("mismatch: ") {
                    *mismatch.lock().expect("mismatch lock") = Some(m.to_string());
                }
                session.transcript.stopped = Some(format!("step {i}: {why}"));
                completed = false;
                break;
            }
        }
    }
    session.transcript.completed = completed;
    if completed && !hung_up {
        // Record whatever else the client sends (QUIT on drop) until it hangs up.
        session.drain();
    }
    // Dropping the session closes every socket (with a reset after `Step::Reset`).
    std::mem::take(&mut session.transcript)
}

/// What to do after a step.
enum Flow {
    Next,
    /// The script closed or reset the control connection: nothing more to play.
    HungUp,
}

impl Session {
    fn control(&self) -> &TcpStream {
        self.control.get_ref()
    }

    /// Reads one line; `None` at end of stream or on error.
    fn read_line(&mut self) -> Option<String> {
        if let Some(line) = self.pushed_back.take() {
            return Some(line);
        }
        let mut buf = Vec::new();
        match (&mut self.control)
            .take(64 * 1024)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        buf.retain(|&b| b < 0xF0);
        let line = String::from_utf8_lossy(&buf).into_owned();
        self.transcript.lines.push(line.clone());
        Some(line)
    }

    fn drain(&mut self) {
        let _ = self.control().set_read_timeout(Some(SERVER_WAIT));
        while self.read_line().is_some() {}
    }

    fn expand(&self, bytes: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(bytes);
        if !text.contains('{') {
            return bytes.to_vec();
        }
        text.replace("{p1}", &(self.port >> 8).to_string())
            .replace("{p2}", &(self.port & 0xff).to_string())
            .replace("{port}", &self.port.to_string())
            .into_bytes()
    }

    fn write_control(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut control = self.control();
        control
            .write_all(bytes)
            .and_then(|()| control.flush())
            .map_err(|e| format!("client gone while sending: {e}"))
    }

    fn play(&mut self, step: Step) -> Result<Flow, String> {
        match step {
            Step::Expect(prefix) => {
                let line = self
                    .read_line()
                    .ok_or_else(|| format!("client hung up while {prefix} was expected"))?;
                if !starts_with_ci(&line, prefix) {
                    return Err(format!("mismatch: expected {prefix:?}, got {line:?}"));
                }
            }
            Step::Send(bytes) => {
                let bytes = self.expand(&bytes);
                self.write_control(&bytes)?;
            }
            Step::Trickle(bytes, pause) => {
                for b in bytes {
                    self.write_control(&[b])?;
                    std::thread::sleep(pause);
                }
            }
            Step::Flood(text) => {
                let deadline = Instant::now() + SERVER_WAIT;
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let line = format!("{text} {n}\r\n");
                    if self.write_control(line.as_bytes()).is_err() {
                        break;
                    }
                    n += 1;
                }
            }
            Step::FloodNoNewline => {
                let deadline = Instant::now() + SERVER_WAIT;
                let chunk = [b'x'; 4096];
                self.write_control(b"200 ")?;
                while Instant::now() < deadline && self.write_control(&chunk).is_ok() {}
            }
            Step::Sleep(d) => std::thread::sleep(d),
            Step::Listen(ip) => {
                let listener =
                    TcpListener::bind((ip, 0)).map_err(|e| format!("bind data listener: {e}"))?;
                self.port = listener.local_addr().map_err(|e| e.to_string())?.port();
                self.listener = Some(listener);
            }
            Step::ListenFull => self.listen_full()?,
            Step::DeadPort => {
                let listener =
                    TcpListener::bind((LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
                self.port = listener.local_addr().map_err(|e| e.to_string())?.port();
            }
            Step::Accept => {
                let listener = self.listener.as_ref().ok_or("no data listener")?;
                let stream = accept_until(listener, Instant::now() + SERVER_WAIT)
                    .ok_or("client never opened the data connection")?;
                self.transcript.data_connections += 1;
                self.data = Some(stream);
            }
            Step::ConnectActive(from) => {
                let target = self.active_target.ok_or("no PORT or EPRT command seen")?;
                self.connect_active(from, target)?;
            }
            Step::ConnectActiveVia { from, to } => {
                let target = self.active_target.ok_or("no PORT or EPRT command seen")?;
                self.connect_active(from, SocketAddr::new(to, target.port()))?;
            }
            Step::DataSend(bytes) => {
                let mut stream = self.data.as_ref().ok_or("no data connection")?;
                stream
                    .write_all(&bytes)
                    .map_err(|e| format!("data write: {e}"))?;
            }
            Step::DataRecv => {
                let mut stream = self.data.as_ref().ok_or("no data connection")?;
                let mut buf = [0u8; 64 * 1024];
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => self.transcript.data_received += n as u64,
                    }
                }
            }
            Step::DataClose => {
                if let Some(stream) = self.data.take() {
                    let _ = stream.shutdown(Shutdown::Write);
                    // Wait (bounded) for the client to close its side, so our close does
                    // not turn into a reset while it still has unread data.
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                    let mut sink = [0u8; 4096];
                    let mut stream = stream;
                    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                }
            }
            Step::DataReset => {
                if let Some(stream) = self.data.take() {
                    let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                }
            }
            Step::Close => {
                let _ = self.control().shutdown(Shutdown::Both);
                return Ok(Flow::HungUp);
            }
            Step::ReadNoops => {
                let _ = self.control().set_read_timeout(Some(NOOP_IDLE));
                while let Some(line) = self.read_line() {
                    if starts_with_ci(&line, "NOOP") {
                        self.noops_owed += 1;
                    } else {
                        self.pushed_back = Some(line);
                        break;
                    }
                }
                let _ = self.control().set_read_timeout(Some(SERVER_WAIT));
            }
            Step::AnswerNoops(text, n) => {
                let n = n.min(self.noops_owed);
                self.noops_owed -= n;
                let bytes = format!("{text}\r\n").repeat(n);
                self.write_control(bytes.as_bytes())?;
            }
            Step::Reset => {
                // With a zero linger, closing the socket (when the session is dropped)
                // sends RST instead of FIN.
                let _ = SockRef::from(self.control()).set_linger(Some(Duration::ZERO));
                return Ok(Flow::HungUp);
            }
        }
        // Remember the target of a PORT or EPRT command for ConnectActive.
        if let Some(line) = self.transcript.lines.last() {
            if starts_with_ci(line, "PORT ") {
                self.active_target = parse_port_command(&line[5..]);
            } else if starts_with_ci(line, "EPRT ") {
                self.active_target = parse_eprt_command(&line[5..]);
            }
        }
        Ok(Flow::Next)
    }

    /// Opens the data connection of active mode: from `from` to `target`.
    fn connect_active(&mut self, from: IpAddr, target: SocketAddr) -> Result<(), String> {
        let socket = Socket::new(
            Domain::for_address(target),
            Type::STREAM,
            Some(Protocol::TCP),
        )
        .map_err(|e| e.to_string())?;
        socket
            .bind(&SocketAddr::new(from, 0).into())
            .map_err(|e| format!("bind {from}: {e}"))?;
        socket
            .connect_timeout(&target.into(), SERVER_WAIT)
            .map_err(|e| format!("connect to {target}: {e}"))?;
        let stream: TcpStream = socket.into();
        stream.set_write_timeout(Some(SERVER_WAIT)).ok();
        stream.set_read_timeout(Some(SERVER_WAIT)).ok();
        self.data = Some(stream);
        Ok(())
    }

    /// A listener with a backlog of 0 whose accept queue is filled by our own
    /// connections: the kernel then drops further SYNs, so a client's connect hangs.
    fn listen_full(&mut self) -> Result<(), String> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| e.to_string())?;
        socket
            .bind(&SocketAddr::new(LOCALHOST, 0).into())
            .map_err(|e| e.to_string())?;
        socket.listen(0).map_err(|e| e.to_string())?;
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        self.port = addr.port();
        for _ in 0..16 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(150)) {
                Ok(stream) => self.fillers.push(stream),
                Err(_) => break,
            }
        }
        self.listener = Some(listener);
        Ok(())
    }
}

/// Parses `h1,h2,h3,h4,p1,p2`.
pub fn parse_port_command(args: &str) -> Option<SocketAddr> {
    let n: Vec<u8> = args
        .trim()
        .split(',')
        .map(|s| s.trim().parse().ok())
        .collect::<Option<_>>()?;
    if n.len() != 6 {
        return None;
    }
    let ip = Ipv4Addr::new(n[0], n[1], n[2], n[3]);
    Some(SocketAddr::new(
        IpAddr::V4(ip),
        u16::from(n[4]) << 8 | u16::from(n[5]),
    ))
}

/// Parses EPRT's `<d><af><d><address><d><port><d>` (RFC 2428), e.g. `|1|10.0.0.1|6446|`.
pub fn parse_eprt_command(args: &str) -> Option<SocketAddr> {
    let args = args.trim();
    let delim = args.chars().next()?;
    let parts: Vec<&str> = args.split(delim).collect();
    // "", af, address, port, "" (the text starts and ends with the delimiter).
    let [_, af, address, port, _] = parts[..] else {
        return None;
    };
    let ip: IpAddr = address.parse().ok()?;
    let family_matches = matches!((af, ip), ("1", IpAddr::V4(_)) | ("2", IpAddr::V6(_)));
    family_matches.then_some(SocketAddr::new(ip, port.parse().ok()?))
}

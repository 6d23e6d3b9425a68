//! Hostile servers: a scripted server lies, stalls, floods and disconnects, and each
//! scenario checks the exact error, that the call returned within the timeout plus a small
//! margin, and whether the stream is still usable afterwards.
//!
//! Usable streams are proven usable with a NOOP that the script answers; unusable ones
//! must refuse further calls with `Error::InvalidState` without sending anything.

mod client;
mod scripted;

use std::io::{self, Read};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use client::download;
use ftplib::{Builder, Error, FtpStream, DEFAULT_BLOCKSIZE};
use scripted::{
    data, expect, greeting, noop, pasv, raw, reply, steps, type_a, type_i, Server, Step,
    Transcript, LOCALHOST, OTHER_LOOPBACK,
};

/// The client's one timeout in every scenario.
const TIMEOUT: Duration = Duration::from_millis(500);

/// Slack for a loaded machine: every call must return within `TIMEOUT + MARGIN`.
const MARGIN: Duration = Duration::from_millis(1000);

fn builder() -> Builder {
    FtpStream::builder().timeout(Some(TIMEOUT))
}

/// Starts a server that greets with 220 and then plays `steps`, and connects to it.
fn start(steps: Vec<Step>) -> (Server, FtpStream) {
    start_with(builder(), steps)
}

fn start_with(builder: Builder, steps: Vec<Step>) -> (Server, FtpStream) {
    let mut script = vec![greeting()];
    script.extend(steps);
    let server = Server::start(script);
    let ftp = builder
        .connect("127.0.0.1", server.port())
        .expect("connect");
    (server, ftp)
}

/// Starts a server that plays `script` from the first byte (greeting included), and
/// connects to it within the timeout check.
fn greet(script: Vec<Step>) -> (Server, ftplib::Result<FtpStream>) {
    let server = Server::start(script);
    let result = timed(|| builder().connect("127.0.0.1", server.port()));
    (server, result)
}

/// Closes the client and returns what the server saw.
fn end(server: Server, ftp: FtpStream) -> Transcript {
    drop(ftp);
    server.finish()
}

/// Runs `f` and checks that it returned within the timeout plus the margin.
fn timed<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    assert!(
        elapsed <= TIMEOUT + MARGIN,
        "call took {elapsed:?}, more than {TIMEOUT:?} + {MARGIN:?}"
    );
    out
}

fn assert_usable(ftp: &mut FtpStream) {
    assert!(ftp.is_usable(), "stream should still be usable");
    let reply = ftp.noop().expect("NOOP on a usable stream");
    assert_eq!(reply.code, 200);
}

fn assert_unusable(ftp: &mut FtpStream) {
    assert!(!ftp.is_usable(), "stream should be marked unusable");
    let err = ftp.noop().expect_err("an unusable stream refuses calls");
    assert!(matches!(err, Error::InvalidState(_)), "{err:?}");
}

fn io_kind(err: &Error) -> Option<io::ErrorKind> {
    match err {
        Error::Io(e) => Some(e.kind()),
        _ => None,
    }
}

// ----- greeting ----------------------------------------------------------------------

#[test]
fn greeting_never_comes() {
    let (server, result) = greet(vec![]);
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    drop(result);
    server.finish();
}

#[test]
fn greeting_421() {
    let (server, result) = greet(vec![reply("421 Too many connections, try later")]);
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 421),
        "{result:?}"
    );
    drop(result);
    server.finish();
}

#[test]
fn greeting_530() {
    let (server, result) = greet(vec![reply("530 Not allowed from your address")]);
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 530),
        "{result:?}"
    );
    drop(result);
    server.finish();
}

#[test]
fn greeting_3xx_is_unexpected() {
    let (server, result) = greet(vec![reply("331 Password?")]);
    assert!(
        matches!(&result, Err(Error::UnexpectedReply(r)) if r.code == 331),
        "{result:?}"
    );
    drop(result);
    server.finish();
}

#[test]
fn greeting_120_then_220_works() {
    let mut script = vec![
        reply("120 Service ready in 1 minute"),
        reply("220 Ready now"),
    ];
    script.extend(noop());
    let server = Server::start(script);
    let mut ftp = timed(|| builder().connect("127.0.0.1", server.port())).expect("connect");
    assert_eq!(ftp.getwelcome(), "220 Ready now");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn greeting_only_preliminary_replies() {
    let (server, result) = greet((0..20).map(|_| reply("120 Soon")).collect());
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    drop(result);
    server.finish();
}

#[test]
fn greeting_cut_mid_line() {
    let (server, result) = greet(vec![raw(b"220 Wel"), Step::Close]);
    assert!(
        matches!(result, Err(Error::ConnectionClosed(_))),
        "{result:?}"
    );
    drop(result);
    server.finish();
}

#[test]
fn greeting_and_replies_byte_by_byte() {
    let pause = Duration::from_millis(1);
    let mut script = vec![
        Step::Trickle(
            b"220-Welcome\r\n220-to the\r\n220 trickle\r\n".to_vec(),
            pause,
        ),
        expect("FEAT"),
        Step::Trickle(
            b"211-Features:\r\n EPSV\r\n MDTM\r\n SIZE\r\n211 End\r\n".to_vec(),
            pause,
        ),
    ];
    script.extend(noop());
    let server = Server::start(script);
    let mut ftp = timed(|| builder().connect("127.0.0.1", server.port())).expect("connect");
    assert_eq!(ftp.getwelcome(), "220-Welcome\n220-to the\n220 trickle");
    let features = timed(|| ftp.feat()).expect("FEAT");
    assert_eq!(
        features.keys().map(String::as_str).collect::<Vec<_>>(),
        ["EPSV", "MDTM", "SIZE"]
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

// ----- reply framing -------------------------------------------------------------------

#[test]
fn reply_line_over_the_cap() {
    let long = format!("200 {}\r\n", "a".repeat(9000));
    let (server, mut ftp) = start(vec![expect("NOOP"), raw(long.as_bytes())]);
    let result = timed(|| ftp.noop());
    assert!(
        matches!(result, Err(Error::LineTooLong { limit: 8192 })),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn reply_line_that_never_ends() {
    let (server, mut ftp) = start(vec![expect("NOOP"), Step::FloodNoNewline]);
    let result = timed(|| ftp.noop());
    assert!(
        matches!(result, Err(Error::LineTooLong { limit: 8192 })),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn endless_multi_line_reply() {
    let (server, mut ftp) = start(vec![
        expect("STAT"),
        reply("211-Status follows"),
        Step::Flood(" still going"),
    ]);
    let result = timed(|| ftp.sendcmd("STAT"));
    assert!(
        matches!(result, Err(Error::TooManyLines { limit: 1000 })),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn reply_without_a_code() {
    let (server, mut ftp) = start(vec![expect("NOOP"), reply("hello there")]);
    let result = timed(|| ftp.noop());
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn reply_with_code_600() {
    let (server, mut ftp) = start(vec![expect("NOOP"), reply("600 Sixth class")]);
    let result = timed(|| ftp.noop());
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn reply_with_letters_in_the_code() {
    let (server, mut ftp) = start(vec![expect("NOOP"), reply("2x0 Okay-ish")]);
    let result = timed(|| ftp.noop());
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn reply_with_non_utf8_bytes_is_kept_lossily() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("NOOP"), raw(b"200 caf\xe9 is open\r\n")],
        noop(),
    ]));
    let reply = timed(|| ftp.noop()).expect("a non-UTF-8 reply is still a reply");
    assert_eq!(reply.code, 200);
    assert!(reply.is_lossy());
    assert!(reply.text.contains('\u{FFFD}'));
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pwd_with_non_utf8_path() {
    let (server, mut ftp) = start(steps(vec![
        vec![
            expect("PWD"),
            raw(b"257 \"/caf\xe9\" is the current directory\r\n"),
        ],
        noop(),
    ]));
    let result = timed(|| ftp.pwd());
    assert!(matches!(result, Err(Error::Encoding { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn reply_never_comes() {
    let (server, mut ftp) = start(vec![expect("NOOP")]);
    let result = timed(|| ftp.noop());
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    let transcript = end(server, ftp);
    // The refused NOOP of assert_unusable was never sent, nor was QUIT on drop.
    assert_eq!(transcript.lines, ["NOOP"]);
}

#[test]
fn connection_closed_inside_a_multi_line_reply() {
    let (server, mut ftp) = start(vec![expect("STAT"), raw(b"211-a\r\n b\r\n"), Step::Close]);
    let result = timed(|| ftp.sendcmd("STAT"));
    assert!(
        matches!(result, Err(Error::ConnectionClosed(_))),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

// ----- login -------------------------------------------------------------------------

#[test]
fn login_with_multi_line_230() {
    let (server, mut ftp) = start(steps(vec![
        vec![
            expect("USER bob"),
            reply("331 Password required"),
            expect("PASS secret"),
            reply("230-Welcome, bob.\n230-Be nice.\n230 Logged in."),
        ],
        noop(),
    ]));
    let reply = timed(|| ftp.login("bob", "secret")).expect("login");
    assert_eq!(reply.code, 230);
    assert_eq!(
        reply.text,
        "230-Welcome, bob.\n230-Be nice.\n230 Logged in."
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn login_wrong_password() {
    let (server, mut ftp) = start(steps(vec![
        vec![
            expect("USER bob"),
            reply("331 Password required"),
            expect("PASS wrong"),
            reply("530 Login incorrect."),
        ],
        noop(),
    ]));
    let result = timed(|| ftp.login("bob", "wrong"));
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 530),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn control_connection_reset_during_login() {
    let (server, mut ftp) = start(vec![expect("USER bob"), Step::Reset]);
    let result = timed(|| ftp.login("bob", "secret"));
    let err = result.expect_err("login must fail");
    assert_eq!(
        io_kind(&err),
        Some(io::ErrorKind::ConnectionReset),
        "{err:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn control_connection_closed_during_login() {
    let (server, mut ftp) = start(vec![
        expect("USER bob"),
        reply("331 Password required"),
        expect("PASS secret"),
        Step::Close,
    ]);
    let result = timed(|| ftp.login("bob", "secret"));
    assert!(
        matches!(result, Err(Error::ConnectionClosed(_))),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn line_breaks_in_credentials_are_refused_before_sending() {
    let (server, mut ftp) = start(noop());
    for (user, password) in [
        ("bob", "pw\r\nDELE x"),
        ("bob\nDELE x", "pw"),
        ("bob", "pw\0"),
    ] {
        let result = timed(|| ftp.login(user, password));
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    }
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert_eq!(transcript.lines[0], "NOOP", "nothing may precede the NOOP");
}

// ----- commands ----------------------------------------------------------------------

#[test]
fn preliminary_reply_where_2xx_is_required() {
    let (server, mut ftp) = start(vec![expect("CWD pub"), reply("150 Here is some data?")]);
    let result = timed(|| ftp.cwd("pub"));
    assert!(
        matches!(&result, Err(Error::UnexpectedReply(r)) if r.code == 150),
        "{result:?}"
    );
    // A 1xx promises another reply, so the session is out of step.
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn intermediate_reply_where_2xx_is_required() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("CWD pub"), reply("350 Waiting for more")],
        noop(),
    ]));
    let result = timed(|| ftp.cwd("pub"));
    assert!(
        matches!(&result, Err(Error::UnexpectedReply(r)) if r.code == 350),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pwd_with_broken_quoting() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("PWD"), reply("257 \"/unterminated is the directory")],
        noop(),
    ]));
    let result = timed(|| ftp.pwd());
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn service_closing_421_mid_session() {
    let (server, mut ftp) = start(vec![
        expect("NOOP"),
        reply("421 Idle timeout, closing control connection."),
        Step::Close,
    ]);
    let result = timed(|| ftp.noop());
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 421),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn line_breaks_and_nul_in_arguments_are_refused_before_sending() {
    let (server, mut ftp) = start(noop());
    let bad = "name\r\nDELE victim";
    let results: Vec<ftplib::Result<()>> = vec![
        timed(|| ftp.cwd(bad).map(drop)),
        timed(|| ftp.cwd("a\0b").map(drop)),
        timed(|| ftp.delete(bad).map(drop)),
        timed(|| ftp.rename("a", bad).map(drop)),
        timed(|| ftp.rename(bad, "b").map(drop)),
        timed(|| ftp.mkd("x\ny").map(drop)),
        timed(|| ftp.size(bad).map(drop)),
        timed(|| ftp.mdtm(bad).map(drop)),
        timed(|| ftp.sendcmd("NOOP\r\nDELE victim").map(drop)),
        timed(|| ftp.retr_stream(bad, None).map(drop)),
        timed(|| ftp.stor_stream(bad).map(drop)),
        timed(|| ftp.nlst(&[bad]).map(drop)),
    ];
    for result in results {
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    }
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert_eq!(transcript.lines[0], "NOOP", "nothing may precede the NOOP");
}

#[test]
fn rnfr_answered_250() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("RNFR a"), reply("250 Renamed already?")],
        noop(),
    ]));
    let result = timed(|| ftp.rename("a", "b"));
    assert!(
        matches!(&result, Err(Error::UnexpectedReply(r)) if r.code == 250),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert!(
        !transcript.saw("RNTO"),
        "RNTO must not follow a non-3xx RNFR"
    );
}

#[test]
fn dele_answered_226() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("DELE f"), reply("226 Transfer complete?")],
        noop(),
    ]));
    let result = timed(|| ftp.delete("f"));
    assert!(
        matches!(&result, Err(Error::UnexpectedReply(r)) if r.code == 226),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn size_not_a_number() {
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![expect("SIZE f"), reply("213 lots")],
        noop(),
    ]));
    let result = timed(|| ftp.size("f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn size_overflowing_u64() {
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![
            expect("SIZE f"),
            reply("213 123456789012345678901234567890"),
        ],
        noop(),
    ]));
    let result = timed(|| ftp.size("f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn mdtm_garbage() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("MDTM f"), reply("213 yesterday at noon")],
        noop(),
    ]));
    let result = timed(|| ftp.mdtm("f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn mdtm_impossible_date() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("MDTM f"), reply("213 20231340256199")],
        noop(),
    ]));
    let result = timed(|| ftp.mdtm("f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn feat_multi_line_211() {
    let (server, mut ftp) = start(steps(vec![
        vec![
            expect("FEAT"),
            reply("211-Features:\n EPRT\n mlst type*;size*;modify*;\n REST STREAM\n UTF8\n211 End"),
        ],
        noop(),
    ]));
    let features = timed(|| ftp.feat()).expect("FEAT");
    assert_eq!(features.len(), 4);
    assert_eq!(features["MLST"], "type*;size*;modify*;");
    assert_eq!(features["REST"], "STREAM");
    assert_eq!(features["EPRT"], "");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

// ----- passive data connections -----------------------------------------------------

/// A script where PASV is answered with `pasv_reply`, which the client must refuse.
fn refused_pasv(pasv_reply: &str) -> Vec<Step> {
    steps(vec![
        type_i(),
        vec![expect("PASV"), reply(pasv_reply)],
        noop(),
    ])
}

#[test]
fn pasv_octet_over_255() {
    let (server, mut ftp) = start(refused_pasv("227 Entering Passive Mode (127,0,0,1,300,2)."));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pasv_missing_numbers() {
    let (server, mut ftp) = start(refused_pasv("227 Entering Passive Mode (127,0,0,1,4)."));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pasv_port_zero() {
    let (server, mut ftp) = start(refused_pasv("227 Entering Passive Mode (127,0,0,1,0,0)."));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

/// A download of `payload` after the given PASV/EPSV exchange.
fn download_after(setup: Vec<Step>, payload: &[u8]) -> Vec<Step> {
    steps(vec![
        type_i(),
        setup,
        vec![
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection."),
            Step::Accept,
            data(payload),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ])
}

#[test]
fn pasv_foreign_host_is_ignored() {
    // The listener is on 127.0.0.1 but the reply names 10.0.0.1: the client must connect
    // to the control peer (a connect to 10.0.0.1 would time out).
    let setup = vec![
        expect("PASV"),
        Step::Listen(LOCALHOST),
        reply("227 Entering Passive Mode (10,0,0,1,{p1},{p2})."),
    ];
    let (server, mut ftp) = start(download_after(setup, b"hello"));
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, b"hello");
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert!(transcript.completed);
    assert_eq!(transcript.data_connections, 1);
}

#[test]
fn pasv_other_loopback_host_is_ignored() {
    // Listening only on 127.0.0.2 and announcing it: an untrusting client connects to
    // 127.0.0.1 on that port, where nobody listens.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![
            expect("PASV"),
            Step::Listen(OTHER_LOOPBACK),
            reply("227 Entering Passive Mode (127,0,0,2,{p1},{p2})."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    let err = result.expect_err("the announced host must not be used");
    assert_eq!(
        io_kind(&err),
        Some(io::ErrorKind::ConnectionRefused),
        "{err:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pasv_trusted_host_is_used() {
    let setup = vec![
        expect("PASV"),
        Step::Listen(OTHER_LOOPBACK),
        reply("227 Entering Passive Mode (127,0,0,2,{p1},{p2})."),
    ];
    let (server, mut ftp) = start_with(
        builder().trust_server_pasv_ipv4_address(true),
        download_after(setup, b"trusted"),
    );
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, b"trusted");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pasv_trusted_explicit_localhost() {
    let (server, mut ftp) = start_with(
        builder().trust_server_pasv_ipv4_address(true),
        download_after(pasv(), b"explicit"),
    );
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, b"explicit");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pasv_port_nobody_listens_on() {
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![
            expect("PASV"),
            Step::DeadPort,
            reply("227 Entering Passive Mode (127,0,0,1,{p1},{p2})."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    let err = result.expect_err("nobody listens");
    assert_eq!(
        io_kind(&err),
        Some(io::ErrorKind::ConnectionRefused),
        "{err:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn pasv_listener_never_accepts_connect_hangs() {
    // The listener's accept queue is full, so the kernel drops the client's SYN.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![
            expect("PASV"),
            Step::ListenFull,
            reply("227 Entering Passive Mode (127,0,0,1,{p1},{p2})."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(
            result,
            Err(Error::Timeout {
                during: "opening the passive data connection"
            })
        ),
        "{result:?}"
    );
    // Nothing was sent after PASV: the session is in step.
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert!(!transcript.saw("RETR"));
}

#[test]
fn pasv_data_connection_never_served() {
    // The kernel completes the handshake but the server never accepts or sends.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        pasv(),
        vec![
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection."),
        ],
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn retr_refused_after_passive_connect() {
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        pasv(),
        vec![expect("RETR f"), reply("550 No such file.")],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 550),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

fn epsv_builder() -> Builder {
    builder().prefer_epsv(true)
}

fn refused_epsv(epsv_reply: &str) -> Vec<Step> {
    steps(vec![
        type_i(),
        vec![expect("EPSV"), reply(epsv_reply)],
        noop(),
    ])
}

#[test]
fn epsv_bad_delimiters() {
    let script = refused_epsv("229 Entering Extended Passive Mode (|||6446!)");
    let (server, mut ftp) = start_with(epsv_builder(), script);
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn epsv_port_zero() {
    let script = refused_epsv("229 Entering Extended Passive Mode (|||0|)");
    let (server, mut ftp) = start_with(epsv_builder(), script);
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn epsv_port_65536() {
    let script = refused_epsv("229 Entering Extended Passive Mode (|||65536|)");
    let (server, mut ftp) = start_with(epsv_builder(), script);
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Protocol { .. })), "{result:?}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn epsv_with_unusual_delimiter_works() {
    let setup = vec![
        expect("EPSV"),
        Step::Listen(LOCALHOST),
        reply("229 Entering Extended Passive Mode (!!!{port}!)"),
    ];
    let (server, mut ftp) = start_with(epsv_builder(), download_after(setup, b"epsv"));
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, b"epsv");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn epsv_refused_falls_back_to_pasv() {
    let setup = steps(vec![
        vec![expect("EPSV"), reply("500 EPSV not understood")],
        pasv(),
    ]);
    let (server, mut ftp) = start_with(epsv_builder(), download_after(setup, b"fallback"));
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, b"fallback");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

// ----- active data connections ------------------------------------------------------

fn active_retr(connect_from: Option<std::net::IpAddr>) -> Vec<Step> {
    let mut script = steps(vec![
        type_i(),
        vec![
            expect("PORT "),
            reply("200 PORT command successful."),
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection."),
        ],
    ]);
    if let Some(from) = connect_from {
        script.push(Step::ConnectActive(from));
    }
    script
}

#[test]
fn active_mode_works() {
    let script = steps(vec![
        active_retr(Some(LOCALHOST)),
        vec![
            data(b"active"),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ]);
    let (server, mut ftp) = start_with(builder().passive(false), script);
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, b"active");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn active_mode_connection_from_a_foreign_address() {
    let (server, mut ftp) = start_with(builder().passive(false), active_retr(Some(OTHER_LOOPBACK)));
    let result = timed(|| download(&mut ftp, "f"));
    let from: Option<SocketAddr> = match &result {
        Err(Error::ForeignDataConnection { from, .. }) => Some(*from),
        _ => None,
    };
    assert_eq!(from.map(|a| a.ip()), Some(OTHER_LOOPBACK), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn active_mode_server_never_connects() {
    let (server, mut ftp) = start_with(builder().passive(false), active_retr(None));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

// ----- transfers ---------------------------------------------------------------------

/// TYPE I, PASV, RETR and 150 (with `announce`), then the data connection is accepted.
fn retr_started(announce: &str) -> Vec<Step> {
    steps(vec![
        type_i(),
        pasv(),
        vec![expect("RETR f"), reply(announce), Step::Accept],
    ])
}

const ANNOUNCE_10: &str = "150 Opening BINARY mode data connection for f (10 bytes).";

#[test]
fn data_closed_early_then_226() {
    let (server, mut ftp) = start(steps(vec![
        retr_started(ANNOUNCE_10),
        vec![
            data(b"abcd"),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(
            result,
            Err(Error::TransferIncomplete {
                expected: 10,
                received: 4
            })
        ),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn data_closed_early_then_426() {
    let (server, mut ftp) = start(steps(vec![
        retr_started(ANNOUNCE_10),
        vec![
            data(b"abcd"),
            Step::DataClose,
            reply("426 Connection closed; transfer aborted."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 426),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn more_data_than_announced() {
    let (server, mut ftp) = start(steps(vec![
        retr_started("150 Opening BINARY mode data connection for f (3 bytes)."),
        vec![
            data(b"0123456789"),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(
            result,
            Err(Error::TransferIncomplete {
                expected: 3,
                received: 10
            })
        ),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn data_reset_then_426() {
    let (server, mut ftp) = start(steps(vec![
        retr_started("150 Opening BINARY mode data connection."),
        vec![
            data(b"abcd"),
            Step::DataReset,
            reply("426 Connection reset; transfer aborted."),
        ],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 426),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn data_reset_then_226() {
    let (server, mut ftp) = start(steps(vec![
        retr_started("150 Opening BINARY mode data connection."),
        vec![Step::DataReset, reply("226 Transfer complete.")],
        noop(),
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    let err = result.expect_err("a reset data connection is not a success");
    assert_eq!(
        io_kind(&err),
        Some(io::ErrorKind::ConnectionReset),
        "{err:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn preliminary_reply_then_control_closed() {
    let (server, mut ftp) = start(steps(vec![
        retr_started(ANNOUNCE_10),
        vec![data(b"abc"), Step::DataClose, Step::Close],
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(
        matches!(result, Err(Error::ConnectionClosed(_))),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn final_reply_before_data_is_drained() {
    let payload: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    let (server, mut ftp) = start(steps(vec![
        retr_started("150 Opening BINARY mode data connection for f (262144 bytes)."),
        vec![
            reply("226 Transfer complete."),
            Step::Sleep(Duration::from_millis(50)),
            data(&payload),
            Step::DataClose,
        ],
        noop(),
    ]));
    let got = timed(|| download(&mut ftp, "f")).expect("download");
    assert_eq!(got, payload);
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn server_stalls_mid_transfer() {
    // Some data, then nothing: the data connection stays open but silent.
    let (server, mut ftp) = start(steps(vec![
        retr_started("150 Opening BINARY mode data connection."),
        vec![data(b"partial")],
    ]));
    let result = timed(|| download(&mut ftp, "f"));
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

/// TYPE A, PASV, `verb`, then `preliminary` replies and the accepted data connection
/// carrying `listing`, closed, and 226.
fn listing(verb: &'static str, preliminary: Vec<Step>, listing: &[u8]) -> Vec<Step> {
    steps(vec![
        type_a(),
        pasv(),
        vec![expect(verb)],
        preliminary,
        vec![
            Step::Accept,
            data(listing),
            Step::DataClose,
            reply("226 Directory send OK."),
        ],
        noop(),
    ])
}

#[test]
fn premature_200_before_150_on_list() {
    let preliminary = vec![
        reply("200 Premature success"),
        reply("150 Here comes the directory listing."),
    ];
    let (server, mut ftp) = start(listing("LIST", preliminary, b"a\r\nb\r\n"));
    let lines = timed(|| ftp.dir(&[])).expect("LIST");
    assert_eq!(lines, ["a", "b"]);
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn nlst_line_not_utf8() {
    let preliminary = vec![reply("150 Here comes the listing.")];
    let (server, mut ftp) = start(listing("NLST", preliminary, b"ok\r\ncaf\xe9\r\nlast\r\n"));
    let result = timed(|| ftp.nlst(&[]));
    assert!(
        matches!(&result, Err(Error::Encoding { lossy, .. }) if lossy == "caf\u{FFFD}"),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn retrlines_line_over_the_data_cap() {
    let long = format!("{}\r\n", "x".repeat(200));
    let (server, mut ftp) = start_with(
        builder().max_data_line_length(64),
        steps(vec![
            type_a(),
            pasv(),
            vec![
                expect("LIST"),
                reply("150 Here comes the directory listing."),
                Step::Accept,
                data(long.as_bytes()),
                expect("ABOR"),
                reply("426 Transfer aborted.\n226 ABOR successful."),
            ],
            noop(),
        ]),
    );
    let result = timed(|| ftp.dir(&[]));
    assert!(
        matches!(result, Err(Error::LineTooLong { limit: 64 })),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn upload_data_closed_early_then_552() {
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        pasv(),
        vec![
            expect("STOR f"),
            reply("150 Ok to send data."),
            Step::Accept,
            Step::DataReset,
            reply("552 Quota exceeded."),
        ],
        noop(),
    ]));
    let mut source = io::repeat(b'z').take(32 * 1024 * 1024);
    let result = timed(|| ftp.storbinary("STOR f", &mut source, DEFAULT_BLOCKSIZE, |_| {}, None));
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 552),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

/// A download that is started and then abandoned; the server expects ABOR and answers
/// with `answer`.
fn aborted_download(answer: Vec<Step>) -> Vec<Step> {
    steps(vec![
        retr_started("150 Opening BINARY mode data connection."),
        vec![data(&[7u8; 1000]), expect("ABOR")],
        answer,
    ])
}

#[test]
fn dropped_download_sends_abor() {
    let (server, mut ftp) = start(steps(vec![
        aborted_download(vec![reply("426 Transfer aborted.\n226 ABOR successful.")]),
        noop(),
    ]));
    {
        let mut download = ftp.retr_stream("f", None).expect("RETR");
        let mut first = [0u8; 4];
        download.read_exact(&mut first).expect("first bytes");
        timed(|| drop(download));
    }
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert!(transcript.completed);
    assert!(transcript.saw("ABOR"));
}

#[test]
fn abort_answered_426_then_226() {
    let (server, mut ftp) = start(steps(vec![
        aborted_download(vec![reply("426 Transfer aborted.\n226 ABOR successful.")]),
        noop(),
    ]));
    let mut download = ftp.retr_stream("f", None).expect("RETR");
    let mut first = [0u8; 4];
    download.read_exact(&mut first).expect("first bytes");
    let reply = timed(|| download.abort()).expect("abort");
    assert_eq!(reply.code, 226);
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn abort_answered_225() {
    // A lone 225/226 may belong to the transfer; the client syncs with a NOOP.
    let (server, mut ftp) = start(steps(vec![
        aborted_download(vec![
            reply("225 ABOR successful, no transfer in progress."),
            expect("NOOP"),
            reply("200 NOOP ok"),
        ]),
        noop(),
    ]));
    let mut download = ftp.retr_stream("f", None).expect("RETR");
    let mut first = [0u8; 4];
    download.read_exact(&mut first).expect("first bytes");
    let reply = timed(|| download.abort()).expect("abort");
    assert_eq!(reply.code, 225);
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn abort_never_answered() {
    let (server, mut ftp) = start(aborted_download(vec![]));
    let mut download = ftp.retr_stream("f", None).expect("RETR");
    let mut first = [0u8; 4];
    download.read_exact(&mut first).expect("first bytes");
    let result = timed(|| download.abort());
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn non_ascii_command_does_not_panic() {
    let (server, mut ftp) = start(steps(vec![
        vec![expect("abc"), reply("500 Unknown command.")],
        noop(),
    ]));
    let result = timed(|| ftp.sendcmd("abcé"));
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 500),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn abort_refused_then_transfer_reply_resyncs() {
    // ABOR answered 500, then the transfer's own 426: the client must not take the 426
    // for the answer to its next command.
    let (server, mut ftp) = start(steps(vec![
        aborted_download(vec![
            reply("500 Unknown command."),
            reply("426 Connection closed; transfer aborted."),
            expect("NOOP"),
            reply("200 NOOP ok"),
        ]),
        noop(),
    ]));
    let mut download = ftp.retr_stream("f", None).expect("RETR");
    let mut first = [0u8; 4];
    download.read_exact(&mut first).expect("first bytes");
    let result = timed(|| download.abort());
    assert!(
        matches!(result, Err(Error::Permanent(ref r)) if r.code == 500),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn finish_before_the_end_aborts_and_fails() {
    // 1000 bytes announced and sent, 10 read: finish must not report success.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        pasv(),
        vec![
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection for f (1000 bytes)."),
            Step::Accept,
            data(&[1u8; 1000]),
            reply("226 Transfer complete."),
            expect("ABOR"),
            reply("225 No transfer to ABOR."),
            expect("NOOP"),
            reply("200 NOOP ok"),
        ],
        noop(),
    ]));
    let mut download = ftp.retr_stream("f", None).expect("RETR");
    let mut first = [0u8; 10];
    download.read_exact(&mut first).expect("first bytes");
    let result = timed(|| download.finish());
    assert!(
        matches!(result, Err(Error::TransferAborted { bytes: 10, .. })),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn preliminary_reply_to_size_marks_unusable() {
    // A 150 promises another reply; taking the next one as NOOP's answer would shift
    // every later reply by one.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![expect("SIZE f"), reply("150 wait for it")],
    ]));
    let result = timed(|| ftp.size("f"));
    assert!(
        matches!(result, Err(Error::UnexpectedReply(_))),
        "{result:?}"
    );
    assert_unusable(&mut ftp);
    end(server, ftp);
}

#[test]
fn type_is_sent_before_every_transfer() {
    // After REIN the server is back in ASCII mode: a cached TYPE would corrupt binaries.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        vec![expect("SIZE f"), reply("213 3")],
        vec![expect("REIN"), reply("220 Ready for a new user.")],
        retr_started("150 Opening BINARY mode data connection for f (3 bytes)."),
        vec![
            data(b"abc"),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ]));
    assert_eq!(ftp.size("f").expect("SIZE"), 3);
    ftp.voidcmd("REIN").expect("REIN");
    let mut got = Vec::new();
    timed(|| {
        ftp.retrbinary(
            "RETR f",
            |block| {
                got.extend_from_slice(block);
                Ok(())
            },
            DEFAULT_BLOCKSIZE,
            None,
        )
    })
    .expect("RETR");
    assert_eq!(got, b"abc");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn password_never_appears_in_errors() {
    let (server, mut ftp) = start(noop());
    let err = ftp.login("bob", "hunter2-secret\n").unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let err = ftp.sendcmd("PASS hunter2-secret\r").unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn unbounded_limits_do_not_overflow() {
    let (server, mut ftp) = start_with(
        builder()
            .max_line_length(usize::MAX)
            .max_data_line_length(usize::MAX),
        noop(),
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn rmtree_refuses_a_listing_it_cannot_read() {
    // A line that reads as no entry could be a directory the walk would miss: nothing may be
    // deleted then (the script fails on any DELE or RMD).
    let preliminary = vec![reply("150 Here comes the directory listing.")];
    let mut script = vec![expect("FEAT"), reply("211-Features:\n UTF8\n211 End")];
    script.extend(listing(
        "LIST -a tree",
        preliminary,
        b"-rw-r--r-- 1 u g 5 Jan  2  2020 file\r\nsomething unreadable\r\n",
    ));
    let (server, mut ftp) = start(script);
    let result = timed(|| ftp.rmtree("tree"));
    assert!(
        matches!(&result, Err(Error::Protocol { line, .. }) if line == "something unreadable"),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

// ----- whole-file uploads ----------------------------------------------------------------

/// A local file of `len` bytes in a fresh directory (kept alive by the returned guard).
fn local_file(name: &str, len: usize) -> (tempdir::Dir, std::path::PathBuf) {
    let dir = tempdir::Dir::new(name);
    let path = dir.path().join(name);
    std::fs::write(&path, vec![b'u'; len]).unwrap();
    (dir, path)
}

mod tempdir {
    /// A directory under the system temp dir, removed on drop.
    pub struct Dir(std::path::PathBuf);

    impl Dir {
        pub fn new(tag: &str) -> Dir {
            let path = std::env::temp_dir().join(format!(
                "ftplib-hostile-{tag}-{}-{:?}",
                std::process::id(),
                std::time::SystemTime::now()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn broken_upload_deletes_its_partial_file() {
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        pasv(),
        vec![
            expect("STOR f"),
            reply("150 Ok to send data."),
            Step::Accept,
            Step::DataReset,
            reply("426 Connection closed; transfer aborted."),
            // The client aborts a stream upload whose write failed.
            expect("ABOR"),
            reply("225 No transfer to ABOR."),
            expect("DELE f"),
            reply("250 Delete operation successful."),
        ],
        noop(),
    ]));
    let (_dir, local) = local_file("f", 32 * 1024 * 1024);
    let result = timed(|| ftp.upload(&local, "f"));
    assert!(result.is_err(), "{result:?}");
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert!(transcript.completed);
    assert!(transcript.saw("DELE f"));
}

#[test]
fn refused_upload_deletes_nothing() {
    // The server keeps whatever `f` it had: deleting it would lose it.
    let (server, mut ftp) = start(steps(vec![
        type_i(),
        pasv(),
        vec![expect("STOR f"), reply("553 Could not create file.")],
        noop(),
    ]));
    let (_dir, local) = local_file("f", 10);
    let result = timed(|| ftp.upload(&local, "f"));
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 553),
        "{result:?}"
    );
    assert_usable(&mut ftp);
    let transcript = end(server, ftp);
    assert!(transcript.completed);
    assert!(!transcript.saw("DELE"));
}

/// MDTM and SIZE of `f` as `download_resume` asks for them: 2020-01-02 03:04:05 UTC, 2000
/// bytes.
fn mdtm_and_size() -> Vec<Step> {
    vec![
        expect("MDTM f"),
        reply("213 20200102030405"),
        expect("TYPE I"),
        reply("200 Switching to Binary mode."),
        expect("SIZE f"),
        reply("213 2000"),
    ]
}

#[test]
fn broken_download_is_resumed_where_it_stopped() {
    let (server, mut ftp) = start(steps(vec![
        // First call: 1000 of 2000 bytes, then the connection breaks.
        mdtm_and_size(),
        type_i(),
        pasv(),
        vec![
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection for f (2000 bytes)."),
            Step::Accept,
            data(&[b'a'; 1000]),
            Step::DataReset,
            reply("426 Connection closed; transfer aborted."),
        ],
        // Second call: the rest, from byte 1000.
        mdtm_and_size(),
        type_i(),
        pasv(),
        vec![
            expect("REST 1000"),
            reply("350 Restart position accepted (1000)."),
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection for f (2000 bytes)."),
            Step::Accept,
            data(&[b'b'; 1000]),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ]));
    let dir = tempdir::Dir::new("resume");
    let local = dir.path().join("f");
    let part = dir.path().join(".f.ftplib-part");

    let first = ftp.download_resume("f", &local);
    assert!(
        matches!(&first, Err(Error::Temporary(r)) if r.code == 426),
        "{first:?}"
    );
    assert!(!local.exists());
    // What arrived is kept, stamped with the server file's time.
    assert_eq!(std::fs::read(&part).unwrap(), [b'a'; 1000]);
    let stamp = std::fs::metadata(&part).unwrap().modified().unwrap();
    let server_time = std::time::UNIX_EPOCH + Duration::from_secs(1_577_934_245);
    assert_eq!(stamp, server_time);

    assert_eq!(ftp.download_resume("f", &local).unwrap(), 1000);
    let whole = std::fs::read(&local).unwrap();
    assert_eq!(whole.len(), 2000);
    assert!(whole[..1000].iter().all(|&b| b == b'a'));
    assert!(whole[1000..].iter().all(|&b| b == b'b'));
    assert!(!part.exists());
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

#[test]
fn resumed_download_of_the_wrong_size_is_refused() {
    // The server ignores the restart offset and sends the whole file again: the result
    // would be 1000 bytes too long, so it is refused and the partial file removed.
    let (server, mut ftp) = start(steps(vec![
        mdtm_and_size(),
        type_i(),
        pasv(),
        vec![
            expect("REST 1000"),
            reply("350 Restart position accepted (1000)."),
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection for f."),
            Step::Accept,
            data(&[b'b'; 2000]),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ]));
    let dir = tempdir::Dir::new("resume-wrong");
    let local = dir.path().join("f");
    let part = dir.path().join(".f.ftplib-part");
    std::fs::write(&part, [b'a'; 1000]).unwrap();
    let server_time = std::time::UNIX_EPOCH + Duration::from_secs(1_577_934_245);
    std::fs::File::options()
        .write(true)
        .open(&part)
        .unwrap()
        .set_modified(server_time)
        .unwrap();

    let result = ftp.download_resume("f", &local);
    assert!(
        matches!(
            result,
            Err(Error::TransferIncomplete {
                expected: 2000,
                received: 3000
            })
        ),
        "{result:?}"
    );
    assert!(!local.exists());
    assert!(!part.exists());
    assert_usable(&mut ftp);
    assert!(end(server, ftp).completed);
}

//! Active mode behind NAT: the advertised address (`active_external_address`) and the
//! listener's port range (`active_port_range`), against the scripted server on loopback.
//!
//! NAT is emulated with two loopback addresses: the client advertises 127.0.0.2 (the
//! "public" address), listens on 127.0.0.1 (its control connection's local address), and
//! the script connects to 127.0.0.1 at the advertised port, as a router forwarding the
//! public address would ([`Step::ConnectActiveVia`]).

mod client;
mod scripted;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::ops::RangeInclusive;
use std::time::Duration;

use client::download;
use ftplib::{Builder, Error, FtpStream};
use scripted::{
    data, expect, greeting, noop, parse_eprt_command, parse_port_command, reply, steps, type_i,
    Server, Step, Transcript, LOCALHOST, OTHER_LOOPBACK,
};

const TIMEOUT: Duration = Duration::from_secs(2);

/// The "public" address the client advertises.
const PUBLIC: IpAddr = OTHER_LOOPBACK;

fn builder() -> Builder {
    FtpStream::builder().timeout(Some(TIMEOUT)).passive(false)
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

fn end(server: Server, ftp: FtpStream) -> Transcript {
    drop(ftp);
    server.finish()
}

/// Ten ports starting at one that was free a moment ago (some may be taken meanwhile:
/// the client skips those).
fn some_free_ports() -> RangeInclusive<u16> {
    let first = TcpListener::bind((LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .min(u16::MAX - 9);
    first..=first + 9
}

/// `RETR f` in active mode: the script expects `announce` (PORT or EPRT), then the
/// server side of the data connection is opened by `connect` and sends `payload`.
fn active_download(announce: &'static str, connect: Step, payload: &[u8]) -> Vec<Step> {
    steps(vec![
        type_i(),
        vec![
            expect(announce),
            reply("200 Command successful."),
            expect("RETR f"),
            reply("150 Opening BINARY mode data connection."),
            connect,
            data(payload),
            Step::DataClose,
            reply("226 Transfer complete."),
        ],
        noop(),
    ])
}

/// The one PORT or EPRT line the client sent, parsed.
fn announced(transcript: &Transcript) -> SocketAddr {
    let lines: Vec<&String> = transcript
        .lines
        .iter()
        .filter(|l| l.starts_with("PORT ") || l.starts_with("EPRT "))
        .collect();
    assert_eq!(lines.len(), 1, "{:?}", transcript.lines);
    let line = lines[0];
    let parsed = match (line.strip_prefix("PORT "), line.strip_prefix("EPRT ")) {
        (Some(args), _) => parse_port_command(args),
        (_, Some(args)) => parse_eprt_command(args),
        _ => None,
    };
    parsed.unwrap_or_else(|| panic!("malformed: {line:?}"))
}

#[test]
fn port_names_the_external_address_and_a_port_of_the_range() {
    let ports = some_free_ports();
    let nat = Step::ConnectActiveVia {
        from: LOCALHOST,
        to: LOCALHOST,
    };
    let (server, mut ftp) = start_with(
        builder()
            .active_external_address(Some(PUBLIC))
            .active_port_range(Some(ports.clone())),
        active_download("PORT 127,0,0,2,", nat, b"through the router"),
    );
    assert_eq!(
        download(&mut ftp, "f").expect("download"),
        b"through the router"
    );
    assert_eq!(ftp.noop().unwrap().code, 200);
    let transcript = end(server, ftp);
    assert!(transcript.completed, "{transcript:?}");
    let target = announced(&transcript);
    assert_eq!(target.ip(), PUBLIC);
    assert!(ports.contains(&target.port()), "{target} not in {ports:?}");
}

#[test]
fn an_ipv6_external_address_goes_in_eprt() {
    // IPv4 control connection, IPv6 public address: RFC 2428 lets EPRT name another
    // family than the control connection's. The script's "router" forwards to 127.0.0.1.
    let public = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 7));
    let nat = Step::ConnectActiveVia {
        from: LOCALHOST,
        to: LOCALHOST,
    };
    let (server, mut ftp) = start_with(
        builder().active_external_address(Some(public)),
        active_download("EPRT |2|2001:db8::7|", nat, b"v6"),
    );
    assert_eq!(download(&mut ftp, "f").expect("download"), b"v6");
    assert_eq!(ftp.noop().unwrap().code, 200);
    let transcript = end(server, ftp);
    assert!(transcript.completed, "{transcript:?}");
    assert_eq!(announced(&transcript).ip(), public);
}

#[test]
fn without_options_the_local_address_is_advertised() {
    let (server, mut ftp) = start_with(
        builder(),
        active_download("PORT 127,0,0,1,", Step::ConnectActive(LOCALHOST), b"plain"),
    );
    assert_eq!(download(&mut ftp, "f").expect("download"), b"plain");
    assert_eq!(ftp.noop().unwrap().code, 200);
    let transcript = end(server, ftp);
    assert!(transcript.completed, "{transcript:?}");
    assert_eq!(announced(&transcript).ip(), LOCALHOST);
}

#[test]
fn setters_apply_to_later_transfers() {
    let ports = some_free_ports();
    let nat = Step::ConnectActiveVia {
        from: LOCALHOST,
        to: LOCALHOST,
    };
    let (server, mut ftp) = start_with(
        FtpStream::builder().timeout(Some(TIMEOUT)),
        active_download("PORT 127,0,0,2,", nat, b"set later"),
    );
    ftp.set_pasv(false);
    ftp.set_active_external_address(Some(PUBLIC)).unwrap();
    ftp.set_active_port_range(Some(ports.clone())).unwrap();
    assert_eq!(download(&mut ftp, "f").expect("download"), b"set later");
    assert_eq!(ftp.noop().unwrap().code, 200);
    let transcript = end(server, ftp);
    assert!(transcript.completed, "{transcript:?}");
    assert!(ports.contains(&announced(&transcript).port()));
}

#[test]
fn a_range_whose_only_port_is_taken_fails_before_port_is_sent() {
    let taken = TcpListener::bind((LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let (server, mut ftp) = start_with(
        builder().active_port_range(Some(port..=port)),
        steps(vec![type_i(), noop()]),
    );
    let err = download(&mut ftp, "f").expect_err("no free port");
    match &err {
        Error::Io(e) => {
            assert_eq!(e.kind(), io::ErrorKind::AddrInUse, "{err}");
            let range = format!("{port}..={port}");
            assert!(err.to_string().contains(&range), "{err}");
        }
        other => panic!("{other:?}"),
    }
    // Nothing went out for it, so the session carries on.
    assert!(ftp.is_usable());
    assert_eq!(ftp.noop().unwrap().code, 200);
    let transcript = end(server, ftp);
    assert!(transcript.completed, "{transcript:?}");
    assert!(!transcript.saw("PORT") && !transcript.saw("EPRT"));
    drop(taken);
}

#[test]
fn an_empty_range_or_port_0_is_refused() {
    #[allow(clippy::reversed_empty_ranges)]
    let empty = 2000..=1999;
    for bad in [empty, 0..=100] {
        // Refused before any connection is tried (nothing listens on port 1 anyway).
        let result = builder()
            .active_port_range(Some(bad.clone()))
            .connect("127.0.0.1", 1);
        assert!(
            matches!(&result, Err(Error::InvalidInput(m)) if m.contains("port range")),
            "{bad:?}: {result:?}"
        );
    }
    let result = builder()
        .active_external_address(Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
        .connect("127.0.0.1", 1);
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");

    let (server, mut ftp) = start_with(builder(), noop());
    #[allow(clippy::reversed_empty_ranges)]
    let empty = 5..=4;
    let result = ftp.set_active_port_range(Some(empty));
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    let result = ftp.set_active_external_address(Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED)));
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    assert_eq!(ftp.noop().unwrap().code, 200);
    assert!(end(server, ftp).completed);
}

#[test]
fn only_the_server_may_connect_even_from_the_advertised_address() {
    // The advertised address is where the server is told to connect to, not who may
    // connect: a connection from 127.0.0.2 (the advertised address itself) is refused.
    let nat = Step::ConnectActiveVia {
        from: PUBLIC,
        to: LOCALHOST,
    };
    let (server, mut ftp) = start_with(
        builder()
            .active_external_address(Some(PUBLIC))
            .active_port_range(Some(some_free_ports())),
        active_download("PORT 127,0,0,2,", nat, b"stolen"),
    );
    let result = download(&mut ftp, "f");
    match &result {
        Err(Error::ForeignDataConnection { from, expected }) => {
            assert_eq!(from.ip(), PUBLIC);
            assert_eq!(*expected, LOCALHOST);
        }
        other => panic!("{other:?}"),
    }
    assert!(!ftp.is_usable());
    end(server, ftp);
}

#[test]
fn passive_mode_ignores_the_active_options() {
    let (server, mut ftp) = start_with(
        builder()
            .passive(true)
            .active_external_address(Some(PUBLIC))
            .active_port_range(Some(some_free_ports())),
        steps(vec![
            type_i(),
            vec![
                expect("PASV"),
                Step::Listen(LOCALHOST),
                reply("227 Entering Passive Mode (127,0,0,1,{p1},{p2})."),
                expect("RETR f"),
                reply("150 Opening BINARY mode data connection."),
                Step::Accept,
                data(b"passive"),
                Step::DataClose,
                reply("226 Transfer complete."),
            ],
        ]),
    );
    assert_eq!(download(&mut ftp, "f").expect("download"), b"passive");
    let transcript = end(server, ftp);
    assert!(transcript.completed, "{transcript:?}");
    assert!(!transcript.saw("PORT") && !transcript.saw("EPRT"));
}

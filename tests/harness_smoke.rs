//! Proves the real-server harness works, using only std TCP (no ftplib code).

mod common;

use common::{Family, TestServer, Tls};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

struct Session {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Session {
    fn open(server: &TestServer) -> Session {
        let stream = TcpStream::connect(server.addr()).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut s = Session {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        let greeting = s.reply();
        assert!(greeting.starts_with("220"), "greeting {greeting:?}");
        s
    }

    /// Reads one (possibly multi-line) reply and returns its last line.
    fn reply(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read reply");
        assert!(line.len() >= 4, "short reply {line:?}");
        if line.as_bytes()[3] == b'-' {
            let end = format!("{} ", &line[..3]);
            loop {
                line.clear();
                self.reader.read_line(&mut line).expect("read reply");
                assert!(!line.is_empty(), "EOF inside a multi-line reply");
                if line.starts_with(&end) {
                    break;
                }
            }
        }
        line
    }

    fn cmd(&mut self, cmd: &str) -> String {
        self.writer
            .write_all(format!("{cmd}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }

    fn login(&mut self, user: &str, password: &str) -> String {
        let r = self.cmd(&format!("USER {user}"));
        assert!(r.starts_with("331"), "USER {user}: {r:?}");
        self.cmd(&format!("PASS {password}"))
    }

    fn quit(mut self) {
        let r = self.cmd("QUIT");
        assert!(r.starts_with("221"), "QUIT: {r:?}");
    }
}

fn check(server: TestServer) {
    let mut s = Session::open(&server);
    let r = s.login("anonymous", "x");
    assert!(
        r.starts_with("230"),
        "anonymous login: {r:?}\n{}",
        server.log()
    );
    s.quit();

    let mut s = Session::open(&server);
    let r = s.login(&server.user, &server.password);
    assert!(r.starts_with("230"), "user login: {r:?}\n{}", server.log());
    s.quit();

    assert!(server.anon_root.join("readme.txt").is_file());
    assert_eq!(
        std::fs::read(server.anon_root.join("blob.bin")).unwrap(),
        common::blob_bytes(common::BLOB_LEN)
    );
    assert!(server.user_home.join("hello.txt").is_file());
}

#[test]
fn vsftpd_v4() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    assert_eq!(server.host, "127.0.0.1");
    check(server);
}

#[test]
fn vsftpd_v6() {
    let server = TestServer::vsftpd(Family::V6, Tls::None);
    assert_eq!(server.host, "::1");
    check(server);
}

#[test]
fn pyftpdlib_v4() {
    check(TestServer::pyftpdlib(Family::V4, false));
}

#[test]
fn pyftpdlib_v6() {
    check(TestServer::pyftpdlib(Family::V6, false));
}

#[test]
fn vsftpd_explicit_tls_offers_auth_tls() {
    for require_reuse in [true, false] {
        let server = TestServer::vsftpd(Family::V4, Tls::Explicit { require_reuse });
        assert!(!server.ca_cert_pem_bytes().is_empty());
        let mut s = Session::open(&server);
        let r = s.cmd("AUTH TLS");
        assert!(r.starts_with("234"), "AUTH TLS: {r:?}\n{}", server.log());
    }
}

#[test]
fn pyftpdlib_explicit_tls_offers_auth_tls() {
    let server = TestServer::pyftpdlib(Family::V4, true);
    let mut s = Session::open(&server);
    let r = s.cmd("AUTH TLS");
    assert!(r.starts_with("234"), "AUTH TLS: {r:?}\n{}", server.log());
}

#[test]
fn vsftpd_implicit_tls_starts() {
    let server = TestServer::vsftpd(Family::V4, Tls::Implicit);
    assert!(server.ca_cert_pem.is_some());
    // The first bytes on the wire are a TLS handshake, so no plain 220 greeting arrives.
    let stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut line = String::new();
    let _ = BufReader::new(stream).read_line(&mut line);
    assert!(
        !line.starts_with("220"),
        "plain greeting on implicit TLS: {line:?}"
    );
}

#[test]
fn servers_are_independent() {
    let a = TestServer::vsftpd(Family::V4, Tls::None);
    let b = TestServer::vsftpd(Family::V4, Tls::None);
    assert_ne!(a.port, b.port);
    assert_ne!(a.tmp, b.tmp);
    let tmp = a.tmp.clone();
    drop(a);
    if std::env::var_os("FTPLIB_KEEP_TEST_DIRS").is_none() {
        assert!(!tmp.exists(), "temp dir not removed");
    }
    check(b);
}

//! FTPS against real servers: explicit (AUTH TLS) and implicit vsftpd, with and without
//! `require_ssl_reuse`, explicit proftpd (mod_tls) with and without its default session
//! reuse requirement, pyftpdlib with TLS, and a scripted Python TLS server for what the
//! real servers cannot show (CCC, a wrong host name, a data stream cut without
//! close_notify). Every backend compiled in is tested: `cargo test --test ftps` (native-tls)
//! and `cargo test --test ftps --no-default-features --features rustls`.
#![cfg(any(feature = "native-tls", feature = "rustls"))]

mod client;
mod common;
mod scripted;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use client::{download, sha256, upload};
use common::{blob_bytes, Family, TestServer, Tls, BLOB_LEN, BLOB_NAME, README_TEXT};
use ftplib::{Error, FtpStream, TlsConfig};

const BIG: usize = 64 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

// ----- helpers -------------------------------------------------------------------------------

/// The TLS backends compiled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    #[cfg(feature = "native-tls")]
    Native,
    #[cfg(feature = "rustls")]
    Rustls,
}

fn backends() -> Vec<Backend> {
    vec![
        #[cfg(feature = "native-tls")]
        Backend::Native,
        #[cfg(feature = "rustls")]
        Backend::Rustls,
    ]
}

/// A verifying config for `backend`, without extra roots.
fn bare_config(backend: Backend) -> TlsConfig {
    match backend {
        #[cfg(feature = "native-tls")]
        Backend::Native => TlsConfig::native_tls(),
        #[cfg(feature = "rustls")]
        Backend::Rustls => TlsConfig::rustls(),
    }
}

/// A verifying config for `backend` that trusts the server's throwaway CA.
fn config(backend: Backend, server: &TestServer) -> TlsConfig {
    bare_config(backend)
        .add_root_certificate_pem(&server.ca_cert_pem_bytes())
        .expect("CA certificate")
}

/// The name the certificate is checked against: `localhost` for IPv4 servers (so the
/// DNS SAN is what gets checked), the IPv6 literal otherwise (IP SAN).
fn tls_host(server: &TestServer) -> &str {
    match server.family {
        Family::V4 => "localhost",
        Family::V6 => &server.host,
    }
}

/// Explicit FTPS: connected (still plain), not logged in.
fn explicit(server: &TestServer, tls: TlsConfig) -> FtpStream {
    FtpStream::builder()
        .timeout(Some(TIMEOUT))
        .tls(tls)
        .connect(tls_host(server), server.port)
        .expect("connect")
}

/// Explicit FTPS, logged in as the server's user, data protected.
fn explicit_user(server: &TestServer, tls: TlsConfig) -> FtpStream {
    let mut ftp = explicit(server, tls);
    ftp.login(&server.user, &server.password).expect("login");
    assert!(ftp.is_tls());
    ftp.prot_p().expect("prot_p");
    assert!(ftp.is_data_protected());
    ftp
}

/// Everything a PROT P session should do: listings, a 64 MiB upload and download with
/// checksums (the file on the server's disk is checked too), the streaming API, and one
/// listing and download in active mode.
fn exercise_protected_session(ftp: &mut FtpStream, server: &TestServer, label: &str) {
    // Listings.
    let names = ftp.nlst(&[]).expect("nlst");
    assert!(
        names.iter().any(|n| n.ends_with("hello.txt")),
        "{label}: {names:?}"
    );
    let lines = ftp.dir(&[]).expect("dir");
    assert!(
        lines.iter().any(|l| l.ends_with("hello.txt")),
        "{label}: {lines:?}"
    );

    // 64 MiB up and down, checked by SHA-256.
    let big = blob_bytes(BIG);
    let name = format!("big-{label}.bin");
    upload(ftp, &name, &big).expect("upload 64 MiB");
    let on_disk = std::fs::read(server.user_home.join(&name)).expect("uploaded file on disk");
    assert_eq!(
        sha256(&on_disk),
        sha256(&big),
        "{label}: uploaded file differs"
    );
    drop(on_disk);
    let back = download(ftp, &name).expect("download 64 MiB");
    assert_eq!(back.len(), BIG, "{label}");
    assert_eq!(
        sha256(&back),
        sha256(&big),
        "{label}: downloaded file differs"
    );
    drop(back);

    // Streams.
    let payload = blob_bytes(3 * 1024 * 1024 + 17);
    let mut up = ftp.stor_stream("stream.bin").expect("stor_stream");
    up.write_all(&payload).unwrap();
    up.finish().expect("upload stream finish");
    let mut down = ftp.retr_stream("stream.bin", None).expect("retr_stream");
    let mut got = Vec::new();
    down.read_to_end(&mut got).unwrap();
    down.finish().expect("download stream finish");
    assert_eq!(sha256(&got), sha256(&payload), "{label}: stream round trip");

    // Raw data connection: it is TLS.
    ftp.voidcmd("TYPE I").unwrap();
    let (mut conn, _) = ftp.ntransfercmd("RETR hello.txt", None).unwrap();
    assert!(
        conn.is_tls(),
        "{label}: data connection not TLS under PROT P"
    );
    let mut text = Vec::new();
    conn.read_to_end(&mut text).unwrap();
    conn.finish_download().unwrap();
    ftp.voidresp().unwrap();
    assert_eq!(text, b"hello\n");

    // Active mode over TLS.
    ftp.set_pasv(false);
    let names = ftp.nlst(&[]).expect("active nlst");
    assert!(
        names.iter().any(|n| n.ends_with("stream.bin")),
        "{label}: {names:?}"
    );
    let back = download(ftp, "stream.bin").expect("active download");
    assert_eq!(sha256(&back), sha256(&payload), "{label}: active download");
    upload(ftp, "active.bin", &payload[..100_000]).expect("active upload");
    ftp.set_pasv(true);
    assert_eq!(
        std::fs::read(server.user_home.join("active.bin")).unwrap(),
        &payload[..100_000]
    );
}

// ----- explicit FTPS against vsftpd ----------------------------------------------------------

#[test]
fn explicit_vsftpd_without_reuse_requirement() {
    for backend in backends() {
        let server = TestServer::vsftpd(
            Family::V4,
            Tls::Explicit {
                require_reuse: false,
            },
        );
        let mut ftp = explicit_user(&server, config(backend, &server));
        exercise_protected_session(&mut ftp, &server, &format!("vsftpd-{backend:?}"));
        ftp.quit().unwrap();

        // AUTH came before USER; vsftpd's protocol log shows the order.
        let log = server.log();
        let auth = log.find("AUTH TLS").expect("AUTH TLS in the vsftpd log");
        let user = log.find("USER ").expect("USER in the vsftpd log");
        assert!(auth < user, "USER before AUTH:\n{log}");
    }
}

#[cfg(feature = "rustls")]
#[test]
fn rustls_resumes_sessions_for_vsftpd_require_ssl_reuse() {
    let server = TestServer::vsftpd(
        Family::V4,
        Tls::Explicit {
            require_reuse: true,
        },
    );
    let mut ftp = explicit_user(&server, config(Backend::Rustls, &server));
    exercise_protected_session(&mut ftp, &server, "vsftpd-reuse-rustls");
    // TLS 1.3 tickets are single use: many transfers in a row must each find a fresh one,
    // uploads (whose ticket is read while closing) as well as downloads and listings.
    let small = blob_bytes(10_000);
    for i in 0..6 {
        upload(&mut ftp, &format!("small-{i}.bin"), &small).expect("upload");
    }
    for i in 0..6 {
        assert_eq!(
            download(&mut ftp, &format!("small-{i}.bin")).unwrap(),
            small
        );
        assert!(!ftp.nlst(&[]).unwrap().is_empty());
    }
    ftp.quit().unwrap();
}

/// A rustls config limited to TLS 1.2 that trusts the server's CA (TLS 1.2 resumes with
/// session IDs or tickets sent in the handshake, TLS 1.3 with tickets sent after it).
#[cfg(feature = "rustls")]
fn rustls_tls12_only(server: &TestServer) -> TlsConfig {
    config(Backend::Rustls, server).tls12_only(true)
}

#[cfg(feature = "rustls")]
#[test]
fn rustls_resumes_tls12_sessions_too() {
    let server = TestServer::vsftpd(
        Family::V4,
        Tls::Explicit {
            require_reuse: true,
        },
    );
    let mut ftp = explicit_user(&server, rustls_tls12_only(&server));
    let small = blob_bytes(50_000);
    for i in 0..3 {
        upload(&mut ftp, &format!("tls12-{i}.bin"), &small).expect("upload over TLS 1.2");
        assert_eq!(
            download(&mut ftp, &format!("tls12-{i}.bin")).unwrap(),
            small
        );
        assert!(ftp.dir(&[]).unwrap().len() >= 2);
    }
    ftp.quit().unwrap();
}

#[cfg(feature = "native-tls")]
#[test]
fn native_tls_reports_that_vsftpd_requires_session_reuse() {
    let server = TestServer::vsftpd(
        Family::V4,
        Tls::Explicit {
            require_reuse: true,
        },
    );

    // A listing: vsftpd ends the data stream empty, then says 522.
    let mut ftp = explicit_user(&server, config(Backend::Native, &server));
    let err = ftp.nlst(&[]).unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
    assert_eq!(err.code(), Some(522));
    assert!(err.to_string().contains("rustls"), "{err}");

    // A download: 0 bytes followed by 522 must never look like an empty file.
    let mut ftp = explicit_user(&server, config(Backend::Native, &server));
    let err = download(&mut ftp, "hello.txt").unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");

    // The streaming API reports it too.
    let mut ftp = explicit_user(&server, config(Backend::Native, &server));
    let mut down = ftp.retr_stream("hello.txt", None).unwrap();
    let mut got = Vec::new();
    let _ = down.read_to_end(&mut got);
    let err = down.finish().unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");

    // And an upload.
    let mut ftp = explicit_user(&server, config(Backend::Native, &server));
    let err = upload(&mut ftp, "x.bin", b"some bytes").unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
}

// ----- explicit FTPS against proftpd (mod_tls) -----------------------------------------------

/// proftpd with mod_tls; `require_reuse: true` is its default configuration.
fn proftpd_tls(require_reuse: bool) -> TestServer {
    TestServer::proftpd(Family::V4, Tls::Explicit { require_reuse })
}

/// Asserts that proftpd's ExtendedLog shows AUTH TLS before the first USER.
fn assert_auth_before_user(server: &TestServer) {
    let log = server.log();
    let auth = log
        .find("\"AUTH TLS\" 234")
        .expect("AUTH TLS in the proftpd log");
    let user = log.find("\"USER ").expect("USER in the proftpd log");
    assert!(auth < user, "USER before AUTH:\n{log}");
}

#[test]
fn explicit_proftpd_without_reuse_requirement() {
    for backend in backends() {
        let server = proftpd_tls(false);
        let mut ftp = explicit_user(&server, config(backend, &server));
        exercise_protected_session(&mut ftp, &server, &format!("proftpd-{backend:?}"));
        ftp.quit().unwrap();
        assert_auth_before_user(&server);
    }
}

/// The data connections mod_tls logged as resumed, and as refused for not resuming.
#[cfg(feature = "rustls")]
fn proftpd_reuse_counts(server: &TestServer) -> (usize, usize) {
    let log = server.log();
    (
        log.matches("client reused TLS session for data connection")
            .count(),
        log.matches("client did not reuse TLS session").count(),
    )
}

#[cfg(feature = "rustls")]
#[test]
fn rustls_resumes_sessions_for_proftpd_default() {
    let server = proftpd_tls(true);
    let mut ftp = explicit_user(&server, config(Backend::Rustls, &server));
    let mut data_connections = 0;

    // An upload, checked on disk and downloaded back (PROT P: the data connection is TLS).
    let data = blob_bytes(8 * 1024 * 1024 + 5);
    upload(&mut ftp, "up.bin", &data).expect("upload");
    let on_disk = std::fs::read(server.user_home.join("up.bin")).unwrap();
    assert_eq!(sha256(&on_disk), sha256(&data), "uploaded file differs");
    let back = download(&mut ftp, "up.bin").expect("download");
    assert_eq!(sha256(&back), sha256(&data), "downloaded file differs");
    data_connections += 2;

    // Listings and downloads in a row: each one must find a session to resume (TLS 1.3
    // tickets are single use; each resumed download brings a fresh one).
    for i in 0..8 {
        let lines = ftp.entries("").expect("entries over TLS");
        let up = lines
            .iter()
            .filter_map(|l| l.entry())
            .find(|e| e.name() == "up.bin")
            .expect("up.bin listed");
        assert_eq!(up.size(), Some(data.len() as u64));
        assert!(ftp.nlst(&[]).unwrap().iter().any(|n| n == "hello.txt"));
        assert_eq!(download(&mut ftp, "hello.txt").unwrap(), b"hello\n", "{i}");
        data_connections += 3;
    }
    ftp.voidcmd("TYPE I").unwrap();
    let (mut conn, _) = ftp.ntransfercmd("RETR hello.txt", None).unwrap();
    assert!(conn.is_tls(), "data connection not TLS under PROT P");
    let mut text = Vec::new();
    conn.read_to_end(&mut text).unwrap();
    conn.finish_download().unwrap();
    ftp.voidresp().unwrap();
    data_connections += 1;
    ftp.quit().unwrap();

    assert_auth_before_user(&server);
    // mod_tls logged every data connection as resumed, and refused none.
    assert_eq!(proftpd_reuse_counts(&server), (data_connections, 0));
}

/// A limit of rustls with TLS 1.3, documented on `TlsConfig`: proftpd (OpenSSL) sends no
/// new session ticket on an upload's data connection, and rustls uses each ticket once, so
/// uploads in a row run out of the two tickets the control handshake brought. The upload
/// that finds none must fail as `TlsSessionReuseRequired` (not as a bare 425), leave the
/// session usable, and a download (which brings a ticket) must work again afterwards.
/// curl (OpenSSL) reuses one session for every data connection and is not affected; with
/// TLS 1.2 rustls is not either (the next test).
#[cfg(feature = "rustls")]
#[test]
fn rustls_uploads_to_proftpd_stop_when_tls13_tickets_run_out() {
    let server = proftpd_tls(true);
    let mut ftp = explicit_user(&server, config(Backend::Rustls, &server));
    let small = blob_bytes(10_000);
    let mut uploaded = 0;
    let refusal = loop {
        match upload(&mut ftp, &format!("small-{uploaded}.bin"), &small) {
            Ok(()) => uploaded += 1,
            Err(e) => break e,
        }
        assert!(
            uploaded < 10,
            "ten uploads in a row over TLS 1.3: the limit is gone"
        );
    };
    assert!(uploaded >= 1, "not even one upload worked: {refusal:?}");
    assert!(
        matches!(&refusal, Error::TlsSessionReuseRequired(r) if r.code == 425),
        "{refusal:?}"
    );
    assert!(ftp.is_usable());
    assert_eq!(ftp.noop().unwrap().code, 200);
    // PROT C still works without a ticket.
    ftp.prot_c().unwrap();
    assert_eq!(download(&mut ftp, "small-0.bin").unwrap(), small);
    ftp.quit().unwrap();
}

#[cfg(feature = "rustls")]
#[test]
fn rustls_resumes_tls12_sessions_for_proftpd_too() {
    let server = proftpd_tls(true);
    let mut ftp = explicit_user(&server, rustls_tls12_only(&server));
    let small = blob_bytes(50_000);
    for i in 0..3 {
        upload(&mut ftp, &format!("tls12-{i}.bin"), &small).expect("upload over TLS 1.2");
        assert_eq!(
            download(&mut ftp, &format!("tls12-{i}.bin")).unwrap(),
            small
        );
        assert!(ftp.entries("").unwrap().len() >= 4);
    }
    ftp.quit().unwrap();
}

#[cfg(feature = "native-tls")]
#[test]
fn native_tls_reports_that_proftpd_requires_session_reuse() {
    let server = proftpd_tls(true);
    let mut ftp = explicit_user(&server, config(Backend::Native, &server));

    // proftpd refuses the data connection with `425 Unable to build data connection:
    // Operation not permitted`.
    let err = ftp.nlst(&[]).unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
    assert_eq!(err.code(), Some(425));
    assert!(err.to_string().contains("rustls"), "{err}");

    // Unlike vsftpd, proftpd keeps the session: the same stream goes on, and every kind
    // of transfer reports the same error, never an empty success.
    assert!(ftp.is_usable());
    ftp.noop().unwrap();
    let err = download(&mut ftp, "hello.txt").unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
    let err = ftp.entries("").unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
    let mut down = ftp.retr_stream("hello.txt", None).unwrap();
    let mut got = Vec::new();
    let _ = down.read_to_end(&mut got);
    let err = down.finish().unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
    let err = upload(&mut ftp, "x.bin", b"some bytes").unwrap_err();
    assert!(matches!(err, Error::TlsSessionReuseRequired(_)), "{err:?}");
    assert!(ftp.is_usable());

    // The way out on this backend: plain data connections (PROT C), same session.
    assert_eq!(ftp.prot_c().unwrap().code, 200);
    assert!(ftp.is_tls());
    assert_eq!(download(&mut ftp, "hello.txt").unwrap(), b"hello\n");
    let data = blob_bytes(300_000);
    upload(&mut ftp, "plain.bin", &data).unwrap();
    assert_eq!(
        sha256(&download(&mut ftp, "plain.bin").unwrap()),
        sha256(&data)
    );
    ftp.quit().unwrap();
}

// ----- PROT C, misuse ----------------------------------------------------------------------

#[test]
fn prot_c_returns_to_plain_data_connections() {
    for backend in backends() {
        let server = TestServer::vsftpd(
            Family::V4,
            Tls::Explicit {
                require_reuse: false,
            },
        );
        let mut ftp = explicit_user(&server, config(backend, &server));
        assert_eq!(download(&mut ftp, "hello.txt").unwrap(), b"hello\n");
        assert_eq!(ftp.prot_c().unwrap().code, 200);
        assert!(!ftp.is_data_protected());
        assert!(ftp.is_tls(), "the control connection stays secured");
        ftp.voidcmd("TYPE I").unwrap();
        let (mut conn, _) = ftp.ntransfercmd("RETR hello.txt", None).unwrap();
        assert!(!conn.is_tls());
        let mut text = Vec::new();
        conn.read_to_end(&mut text).unwrap();
        conn.finish_download().unwrap();
        ftp.voidresp().unwrap();
        assert_eq!(text, b"hello\n");
        upload(&mut ftp, "plain.bin", &blob_bytes(200_000)).unwrap();
        assert_eq!(
            download(&mut ftp, "plain.bin").unwrap(),
            blob_bytes(200_000)
        );
        // And back to PROT P.
        ftp.prot_p().unwrap();
        assert_eq!(
            download(&mut ftp, "plain.bin").unwrap(),
            blob_bytes(200_000)
        );
    }
}

#[test]
fn misuse_is_refused_without_touching_the_session() {
    for backend in backends() {
        let server = TestServer::vsftpd(
            Family::V4,
            Tls::Explicit {
                require_reuse: false,
            },
        );
        // prot_p and ccc need TLS first.
        let mut ftp = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .connect(tls_host(&server), server.port)
            .unwrap();
        assert!(!ftp.is_tls());
        assert!(matches!(ftp.prot_p(), Err(Error::InvalidState(_))));
        assert!(matches!(ftp.ccc(), Err(Error::InvalidState(_))));
        assert!(ftp.is_usable());

        // auth() on a stream built without a TlsConfig uses TlsConfig::new(): verification
        // on, and the throwaway CA unknown, so the handshake is refused.
        let err = ftp.auth().unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{err:?}");
        assert!(!ftp.is_usable());

        // With the CA configured, auth() works once.
        let mut ftp = explicit(&server, config(backend, &server));
        assert_eq!(ftp.auth().unwrap().code, 234);
        assert!(ftp.is_tls());
        assert!(matches!(ftp.auth(), Err(Error::InvalidState(_))));
        // login() does not send AUTH a second time.
        ftp.login(&server.user, &server.password).unwrap();
        assert_eq!(ftp.pwd().unwrap(), server.user_home.display().to_string());
    }
}

// ----- implicit FTPS -------------------------------------------------------------------------

#[test]
fn implicit_vsftpd() {
    for backend in backends() {
        let server = TestServer::vsftpd(Family::V4, Tls::Implicit);
        let mut ftp = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .implicit_tls(config(backend, &server))
            .connect(tls_host(&server), server.port)
            .expect("implicit connect");
        assert!(ftp.is_tls(), "TLS before the greeting");
        assert!(ftp.getwelcome().starts_with("220"));
        ftp.login(&server.user, &server.password).unwrap();
        ftp.prot_p().unwrap();
        let names = ftp.nlst(&[]).unwrap();
        assert!(names.iter().any(|n| n.ends_with("hello.txt")), "{names:?}");
        let payload = blob_bytes(5 * 1024 * 1024);
        upload(&mut ftp, "implicit.bin", &payload).unwrap();
        assert_eq!(
            sha256(&download(&mut ftp, "implicit.bin").unwrap()),
            sha256(&payload)
        );
        ftp.quit().unwrap();

        // Anonymous, the sample tree.
        let mut ftp = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .implicit_tls(config(backend, &server))
            .connect(tls_host(&server), server.port)
            .unwrap();
        ftp.login("", "").unwrap();
        ftp.prot_p().unwrap();
        assert_eq!(download(&mut ftp, BLOB_NAME).unwrap(), blob_bytes(BLOB_LEN));
        let mut lines = Vec::new();
        ftp.retrlines("RETR readme.txt", |l| lines.push(l.to_string()))
            .unwrap();
        assert_eq!(lines.join("\n") + "\n", README_TEXT);
    }
}

#[test]
fn implicit_port_defaults_to_990() {
    // Nothing listens on 990 here: the error must come from connecting to 990 (refused),
    // proving port 0 was mapped to it, not to 21.
    assert_eq!(ftplib::FTPS_PORT, 990);
    let err = FtpStream::builder()
        .timeout(Some(Duration::from_secs(2)))
        .implicit_tls(TlsConfig::new())
        .connect("127.0.0.1", 0)
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("127.0.0.1:990"), "unexpected error: {text}");
}

// ----- keep-alive NOOPs over a TLS control connection -------------------------------------

/// A slow protected upload and download with keep-alive NOOPs every 50 ms: the NOOPs
/// travel inside the control connection's TLS, their replies are read at the end, and the
/// session stays in step.
fn keepalive_over_tls(server: &TestServer, tls: TlsConfig, label: &str) {
    let mut ftp = explicit_user(server, tls);
    ftp.set_keepalive(Some(Duration::from_millis(50)))
        .expect("set_keepalive");
    let data = blob_bytes(512 * 1024);
    let mut upload = ftp.stor_stream("ka.bin").expect("STOR");
    for (i, chunk) in data.chunks(128 * 1024).enumerate() {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(80));
        }
        upload.write_all(chunk).expect("write");
    }
    assert_eq!(upload.finish().expect("finish").code, 226, "{label}");
    let mut back = Vec::new();
    let reply = ftp
        .retrbinary(
            "RETR ka.bin",
            |block| {
                // TLS hands over one 16 KiB record per read: pause once per 128 KiB.
                let before = back.len() / (128 * 1024);
                back.extend_from_slice(block);
                if back.len() / (128 * 1024) > before {
                    std::thread::sleep(Duration::from_millis(80));
                }
                Ok(())
            },
            128 * 1024,
            None,
        )
        .expect("slow download");
    assert_eq!(reply.code, 226, "{label}");
    assert_eq!(sha256(&back), sha256(&data), "{label}");
    assert!(ftp.pwd().expect("pwd").starts_with('/'), "{label}");
    assert_eq!(ftp.size("ka.bin").expect("size"), data.len() as u64);
    ftp.quit().expect("quit");
    let noops = server.log().matches("NOOP").count();
    assert!(noops >= 3, "{label}: {noops} NOOPs in the server log");
}

#[test]
fn keepalive_over_tls_vsftpd_and_pyftpdlib() {
    for backend in backends() {
        let server = TestServer::vsftpd(
            Family::V4,
            Tls::Explicit {
                require_reuse: false,
            },
        );
        keepalive_over_tls(
            &server,
            config(backend, &server),
            &format!("vsftpd-{backend:?}"),
        );
        let server = TestServer::pyftpdlib(Family::V4, true);
        keepalive_over_tls(
            &server,
            config(backend, &server),
            &format!("pyftpdlib-{backend:?}"),
        );
    }
}

// ----- pyftpdlib -----------------------------------------------------------------------------

#[test]
fn pyftpdlib_explicit() {
    for backend in backends() {
        let server = TestServer::pyftpdlib(Family::V4, true);
        let mut ftp = explicit_user(&server, config(backend, &server));
        exercise_protected_session(&mut ftp, &server, &format!("pyftpdlib-{backend:?}"));
        ftp.quit().unwrap();
    }
}

#[test]
fn ipv6_literal_is_verified_against_the_ip_san() {
    for backend in backends() {
        let server = TestServer::pyftpdlib(Family::V6, true);
        let mut ftp = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .tls(config(backend, &server))
            .connect("::1", server.port)
            .unwrap();
        ftp.login(&server.user, &server.password).unwrap();
        ftp.prot_p().unwrap();
        assert_eq!(download(&mut ftp, "hello.txt").unwrap(), b"hello\n");
        let mut ftp = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .tls(config(backend, &server))
            .connect("[::1]", server.port)
            .unwrap();
        ftp.login(&server.user, &server.password).unwrap();
    }
}

// ----- verification --------------------------------------------------------------------------

#[test]
fn untrusted_certificate_is_refused() {
    for backend in backends() {
        let server = TestServer::vsftpd(
            Family::V4,
            Tls::Explicit {
                require_reuse: false,
            },
        );
        let mut ftp = explicit(&server, bare_config(backend));
        let err = ftp.login(&server.user, &server.password).unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{backend:?}: {err:?}");
        #[cfg(feature = "rustls")]
        if backend == Backend::Rustls {
            assert!(err.to_string().contains("UnknownIssuer"), "{err}");
        }
        // The session is unusable after a failed handshake.
        assert!(!ftp.is_usable());

        let server = TestServer::vsftpd(Family::V4, Tls::Implicit);
        let err = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .implicit_tls(bare_config(backend))
            .connect(tls_host(&server), server.port)
            .unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{backend:?}: {err:?}");
    }
}

#[test]
fn dangerous_opt_out_accepts_an_untrusted_certificate() {
    for backend in backends() {
        let server = TestServer::vsftpd(
            Family::V4,
            Tls::Explicit {
                require_reuse: false,
            },
        );
        let tls = bare_config(backend).danger_accept_invalid_certs(true);
        let mut ftp = FtpStream::builder()
            .timeout(Some(TIMEOUT))
            .tls(tls)
            .connect("127.0.0.1", server.port)
            .unwrap();
        ftp.login(&server.user, &server.password).unwrap();
        ftp.prot_p().unwrap();
        assert_eq!(download(&mut ftp, "hello.txt").unwrap(), b"hello\n");
    }
}

#[test]
fn bad_pem_is_refused() {
    for backend in backends() {
        let err = bare_config(backend)
            .add_root_certificate_pem(b"not a certificate")
            .unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{err:?}");
    }
}

#[test]
fn credentials_never_precede_auth() {
    use scripted::{expect, greeting, reply, Server};
    let server = Server::start(vec![
        greeting(),
        expect("AUTH TLS"),
        reply("500 AUTH not understood"),
    ]);
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(5)))
        .tls(TlsConfig::new())
        .connect("127.0.0.1", server.port())
        .unwrap();
    let err = ftp.login("alice", "secret").unwrap_err();
    assert_eq!(err.code(), Some(500), "{err:?}");
    assert!(!ftp.is_tls());
    drop(ftp);
    let transcript = server.finish();
    assert!(!transcript.saw("USER"), "{:?}", transcript.lines);
    assert!(!transcript.saw("PASS"), "{:?}", transcript.lines);
    assert_eq!(
        transcript.lines.first().map(String::as_str),
        Some("AUTH TLS")
    );
}

// ----- scripted TLS server (Python ssl): wrong name, CCC, truncated data ------------------------

/// A CA and two server certificates made with the openssl CLI: `good` names localhost and
/// 127.0.0.1, `other` only other.example.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn make() -> Certs {
        let dir = common::unique_temp_dir("ftps-certs");
        let run = |args: &[&str]| common::run_openssl(args, &dir);
        common::make_ca(&dir);
        for (name, san) in [
            ("good", "DNS:localhost,IP:127.0.0.1"),
            ("other", "DNS:other.example"),
        ] {
            run(&[
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ]);
            std::fs::write(
                dir.join(format!("{name}.ext")),
                format!(
                    "subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n\
                     keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                ),
            )
            .unwrap();
            run(&[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
                "-out",
                &format!("{name}.pem"),
            ]);
        }
        Certs { dir }
    }

    fn ca(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("ca.pem")).unwrap()
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A small FTP server on Python's `ssl` module, for one client: AUTH TLS, USER/PASS,
/// PBSZ/PROT, CCC (with a real TLS shutdown, `unwrap()`), NOOP, PWD, TYPE, PASV, and RETR
/// of `good` (data closed with close_notify) or `cut` (closed without it, then 226 anyway).
/// Every command is logged with whether it arrived over TLS.
const PY_SERVER: &str = r#"
import socket, ssl, sys
cert, key, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
log = open(log_path, "w", buffering=1)
PAYLOAD = bytes(range(256)) * 4096
conn, _ = srv.accept()
conn.settimeout(20)
sock = conn
tls = False
prot = False
pasv = None
def send(text):
    sock.sendall((text + "\r\n").encode())
def readline():
    buf = b""
    while not buf.endswith(b"\r\n"):
        c = sock.recv(1)
        if not c:
            return None
        buf += c
    return buf[:-2].decode()
send("220 scripted TLS server")
while True:
    line = readline()
    if line is None:
        break
    log.write(("tls " if tls else "plain ") + line + "\n")
    verb = line.split(" ")[0].upper()
    if verb == "AUTH":
        send("234 go ahead")
        sock = ctx.wrap_socket(sock, server_side=True)
        tls = True
    elif verb == "USER":
        send("331 password please")
    elif verb == "PASS":
        send("230 logged in")
    elif verb == "PBSZ":
        send("200 PBSZ=0")
    elif verb == "PROT":
        prot = line.upper().endswith("P")
        send("200 ok")
    elif verb == "CCC":
        send("200 clearing the control channel")
        sock = sock.unwrap()
        tls = False
        log.write("unwrapped\n")
    elif verb == "NOOP":
        send("200 noop")
    elif verb == "PWD":
        send('257 "/" is the directory')
    elif verb == "TYPE":
        send("200 type set")
    elif verb == "PASV":
        pasv = socket.socket()
        pasv.bind(("127.0.0.1", 0))
        pasv.listen(1)
        pasv.settimeout(20)
        p = pasv.getsockname()[1]
        send("227 Entering Passive Mode (127,0,0,1,%d,%d)" % (p >> 8, p & 255))
    elif verb == "RETR":
        data, _ = pasv.accept()
        data.settimeout(20)
        send("150 sending %d bytes" % len(PAYLOAD))
        if prot:
            data = ctx.wrap_socket(data, server_side=True)
        data.sendall(PAYLOAD)
        if line.endswith("cut"):
            data.close()  # no close_notify
        else:
            if prot:
                data = data.unwrap()
            data.close()
        pasv.close()
        send("226 transfer complete")
    elif verb == "QUIT":
        send("221 bye")
        break
    else:
        send("502 not implemented")
log.write("end\n")
"#;

struct PyServer {
    child: Child,
    port: u16,
    log: PathBuf,
    _script_dir: Certs,
}

impl PyServer {
    fn start(certs: Certs, which: &str) -> PyServer {
        let script = certs.dir.join("server.py");
        std::fs::write(&script, PY_SERVER).unwrap();
        let log = certs.dir.join("server.log");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(certs.dir.join(format!("{which}.pem")))
            .arg(certs.dir.join(format!("{which}.key")))
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(certs.dir.join("stderr.txt")).unwrap())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("port from the script");
        PyServer {
            child,
            port,
            log,
            _script_dir: certs,
        }
    }

    /// Waits (bounded) for the script to end and returns its log.
    fn finish(mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scripted_config(backend: Backend, certs: &Certs) -> TlsConfig {
    bare_config(backend)
        .add_root_certificate_pem(&certs.ca())
        .unwrap()
}

/// Makes a CA and certificates, starts the scripted TLS server with certificate `cert`, and
/// connects to it with the config `tls` builds from those certificates (no login yet).
fn connect_scripted(
    cert: &'static str,
    tls: impl FnOnce(&Certs) -> TlsConfig,
) -> (PyServer, FtpStream) {
    let certs = Certs::make();
    let tls = tls(&certs);
    let server = PyServer::start(certs, cert);
    let ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(10)))
        .tls(tls)
        .connect("127.0.0.1", server.port)
        .unwrap();
    (server, ftp)
}

#[test]
fn wrong_host_name_is_refused() {
    for backend in backends() {
        let (server, mut ftp) = connect_scripted("other", |certs| scripted_config(backend, certs));
        let err = ftp.login("alice", "secret").unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{backend:?}: {err:?}");
        drop(ftp);
        let log = server.finish();
        assert!(!log.contains("USER"), "{log}");

        // The same server, with verification switched off, is accepted.
        let (_server, mut ftp) = connect_scripted("other", |_| {
            bare_config(backend).danger_accept_invalid_certs(true)
        });
        ftp.login("alice", "secret").unwrap();
        ftp.quit().unwrap();
    }
}

#[test]
fn ccc_then_plain_commands() {
    for backend in backends() {
        let (server, mut ftp) = connect_scripted("good", |certs| scripted_config(backend, certs));
        ftp.login("alice", "secret").unwrap();
        assert!(ftp.is_tls());
        assert_eq!(ftp.ccc().unwrap().code, 200);
        assert!(!ftp.is_tls());
        assert!(matches!(ftp.ccc(), Err(Error::InvalidState(_))));
        ftp.noop().unwrap();
        assert_eq!(ftp.pwd().unwrap(), "/");
        ftp.quit().unwrap();
        let log = server.finish();
        let expected = "tls USER alice\ntls PASS secret\ntls CCC\nunwrapped\n\
                        plain NOOP\nplain PWD\nplain QUIT\nend\n";
        assert!(log.ends_with(expected), "{backend:?}:\n{log}");
        assert!(log.starts_with("plain AUTH TLS\n"), "{log}");
    }
}

#[test]
fn tls_data_cut_without_close_notify_is_an_error() {
    for backend in backends() {
        // A clean transfer first, so the failure below is about the missing close_notify.
        let (server, mut ftp) = connect_scripted("good", |certs| scripted_config(backend, certs));
        ftp.login("alice", "secret").unwrap();
        ftp.prot_p().unwrap();
        assert_eq!(download(&mut ftp, "good").unwrap().len(), 256 * 4096);
        // The server sends every byte and then 226: only the missing close_notify says the
        // stream may have been cut (by an attacker injecting a TCP FIN, say).
        match download(&mut ftp, "cut") {
            Ok(data) => panic!(
                "{backend:?}: a cut TLS stream passed ({} bytes)",
                data.len()
            ),
            Err(err) => assert!(
                matches!(err, Error::ConnectionClosed(_) | Error::Io(_)),
                "{backend:?}: {err:?}"
            ),
        }
        drop(ftp);
        drop(server);
    }
}

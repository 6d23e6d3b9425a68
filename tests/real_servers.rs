//! The plain-FTP surface against real servers (vsftpd and pyftpdlib) that the harness in
//! `tests/common` starts on loopback.

mod client;
mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use client::{download, sha256, upload};
use common::{blob_bytes, Family, TestServer, Tls};
use ftplib::{Error, FtpStream, DEFAULT_BLOCKSIZE};
use sha2::{Digest, Sha256};

const BIG: usize = 64 * 1024 * 1024;

fn vsftpd(family: Family) -> TestServer {
    TestServer::vsftpd(family, Tls::None)
}

fn pyftpdlib(family: Family) -> TestServer {
    TestServer::pyftpdlib(family, false)
}

fn connect(server: &TestServer) -> FtpStream {
    FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .connect(&server.host, server.port)
        .expect("connect")
}

fn login_user(server: &TestServer) -> FtpStream {
    let mut ftp = connect(server);
    ftp.login(&server.user, &server.password)
        .expect("user login");
    ftp
}

fn login_anon(server: &TestServer) -> FtpStream {
    let mut ftp = connect(server);
    ftp.login("", "").expect("anonymous login");
    ftp
}

// ----- connect and login -----------------------------------------------------------------

#[test]
fn welcome_and_anonymous_login_vsftpd() {
    let server = vsftpd(Family::V4);
    let mut ftp = connect(&server);
    assert!(ftp.getwelcome().starts_with("220"), "{}", ftp.getwelcome());
    let reply = ftp.login("", "").unwrap();
    assert_eq!(reply.code, 230);
    assert_eq!(ftp.pwd().unwrap(), "/");
    ftp.quit().unwrap();
    assert!(!ftp.is_usable());
    assert!(matches!(ftp.noop(), Err(Error::InvalidState(_))));
}

#[test]
fn welcome_and_anonymous_login_pyftpdlib() {
    let server = pyftpdlib(Family::V4);
    let mut ftp = connect(&server);
    assert!(ftp.getwelcome().starts_with("220"));
    assert_eq!(ftp.login("", "").unwrap().code, 230);
    assert_eq!(ftp.pwd().unwrap(), "/");
}

#[test]
fn user_login_and_wrong_password() {
    for server in [vsftpd(Family::V4), pyftpdlib(Family::V4)] {
        let mut ftp = connect(&server);
        let err = ftp.login(&server.user, "wrong-password").unwrap_err();
        assert!(matches!(err, Error::Permanent(_)), "{err:?}");
        assert_eq!(err.code(), Some(530));

        let mut ftp = connect(&server);
        assert_eq!(ftp.login(&server.user, &server.password).unwrap().code, 230);
    }
}

#[test]
fn connect_by_name_and_ipv6() {
    let server = vsftpd(Family::V6);
    let mut ftp = FtpStream::connect(&server.host, server.port).unwrap();
    assert!(ftp.peer_addr().is_ipv6());
    ftp.login("", "").unwrap();
    assert!(ftp.nlst(&[]).unwrap().contains(&"readme.txt".to_string()));

    let server = pyftpdlib(Family::V4);
    let mut ftp = FtpStream::connect("localhost", server.port)
        .or_else(|_| FtpStream::connect("127.0.0.1", server.port))
        .unwrap();
    ftp.login("", "").unwrap();
}

#[test]
fn zero_timeout_is_refused() {
    let err = FtpStream::builder()
        .timeout(Some(Duration::ZERO))
        .connect("127.0.0.1", 1)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

// ----- commands ----------------------------------------------------------------------------

fn exercise_commands(server: &TestServer) {
    let mut ftp = login_user(server);
    let home = ftp.pwd().unwrap();

    let made = ftp.mkd("new dir").unwrap();
    assert!(made.ends_with("new dir"), "{made}");
    ftp.cwd("new dir").unwrap();
    assert!(ftp.pwd().unwrap().ends_with("/new dir"));
    ftp.cwd("..").unwrap();
    assert_eq!(ftp.pwd().unwrap(), home);

    let missing = ftp.cwd("no-such-dir").unwrap_err();
    assert_eq!(missing.code(), Some(550), "{missing:?}");
    assert!(ftp.is_usable());

    // Upload, inspect, rename, delete.
    let mut upload = ftp.stor_stream("new dir/file.txt").unwrap();
    upload.write_all(b"0123456789").unwrap();
    upload.finish().unwrap();
    assert_eq!(ftp.size("new dir/file.txt").unwrap(), 10);
    let modified = ftp.mdtm("new dir/file.txt").unwrap();
    let age = chrono::Utc::now() - modified;
    assert!(age.num_seconds().abs() < 3600, "mdtm {modified}");
    ftp.rename("new dir/file.txt", "new dir/renamed.txt")
        .unwrap();
    assert_eq!(ftp.nlst(&["new dir"]).unwrap().len(), 1);
    let err = ftp.rename("new dir/file.txt", "x").unwrap_err();
    assert!(matches!(err, Error::Permanent(_)), "{err:?}");
    assert_eq!(ftp.delete("new dir/renamed.txt").unwrap().code, 250);
    let err = ftp.delete("new dir/renamed.txt").unwrap_err();
    assert_eq!(err.code(), Some(550));
    ftp.rmd("new dir").unwrap();
    assert!(ftp.rmd("new dir").is_err());

    // Missing file.
    let err = ftp
        .retrbinary("RETR missing.bin", |_| Ok(()), DEFAULT_BLOCKSIZE, None)
        .unwrap_err();
    assert!(
        matches!(err, Error::Permanent(ref r) if r.code == 550),
        "{err:?}"
    );
    assert_eq!(ftp.size("missing.bin").unwrap_err().code(), Some(550));
    assert!(ftp.is_usable());

    assert_eq!(ftp.noop().unwrap().code, 200);
    let syst = ftp.sendcmd("SYST").unwrap();
    assert_eq!(syst.code, 215);
    let err = ftp.voidcmd("XYZZY").unwrap_err();
    assert!(matches!(err, Error::Permanent(_)), "{err:?}");

    let features = ftp.feat().unwrap();
    assert!(features.contains_key("SIZE"), "{features:?}");
    assert!(features.contains_key("EPSV"));

    // CR/LF injection is refused before anything is sent; the session goes on.
    let err = ftp.cwd("x\r\nDELE hello.txt").unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
    assert_eq!(ftp.size("hello.txt").unwrap(), 6);

    assert_eq!(ftp.quit().unwrap().code, 221);
}

#[test]
fn commands_vsftpd() {
    exercise_commands(&vsftpd(Family::V4));
}

#[test]
fn commands_pyftpdlib() {
    let server = pyftpdlib(Family::V4);
    exercise_commands(&server);
    let mut ftp = login_user(&server);
    assert_eq!(ftp.opts("UTF8", Some("ON")).unwrap().class(), 2);
    assert!(ftp.site("HELP").unwrap().class() == 2);
}

// ----- transfers -------------------------------------------------------------------------

fn round_trip_big(server: &TestServer, passive: bool) {
    let data = blob_bytes(BIG);
    let want = sha256(&data);
    let mut ftp = login_user(server);
    ftp.set_pasv(passive);
    let mut sent = 0usize;
    let reply = ftp
        .storbinary(
            "STOR big.bin",
            &mut &data[..],
            DEFAULT_BLOCKSIZE,
            |block| sent += block.len(),
            None,
        )
        .unwrap();
    assert_eq!(reply.class(), 2);
    assert_eq!(sent, BIG);
    assert_eq!(ftp.size("big.bin").unwrap(), BIG as u64);
    let on_disk = std::fs::read(server.user_home.join("big.bin")).unwrap();
    assert_eq!(sha256(&on_disk), want, "server copy differs");

    let mut hasher = Sha256::new();
    let mut received = 0usize;
    let mut blocks = 0;
    ftp.retrbinary(
        "RETR big.bin",
        |block| {
            assert!(block.len() <= DEFAULT_BLOCKSIZE);
            hasher.update(block);
            received += block.len();
            blocks += 1;
            Ok(())
        },
        DEFAULT_BLOCKSIZE,
        None,
    )
    .unwrap();
    assert_eq!(received, BIG);
    assert!(blocks >= BIG / DEFAULT_BLOCKSIZE);
    assert_eq!(hasher.finalize().to_vec(), want);
    ftp.delete("big.bin").unwrap();
}

#[test]
fn big_round_trip_vsftpd_v4_passive() {
    round_trip_big(&vsftpd(Family::V4), true);
}

#[test]
fn big_round_trip_vsftpd_v4_active() {
    round_trip_big(&vsftpd(Family::V4), false);
}

#[test]
fn big_round_trip_vsftpd_v6_passive() {
    round_trip_big(&vsftpd(Family::V6), true);
}

#[test]
fn big_round_trip_vsftpd_v6_active() {
    round_trip_big(&vsftpd(Family::V6), false);
}

#[test]
fn big_round_trip_pyftpdlib_v4_active() {
    round_trip_big(&pyftpdlib(Family::V4), false);
}

#[test]
fn big_round_trip_pyftpdlib_v6_passive() {
    round_trip_big(&pyftpdlib(Family::V6), true);
}

#[test]
fn epsv_on_ipv4_when_preferred() {
    let server = vsftpd(Family::V4);
    let mut ftp = FtpStream::builder()
        .prefer_epsv(true)
        .timeout(Some(Duration::from_secs(20)))
        .connect(&server.host, server.port)
        .unwrap();
    ftp.login("", "").unwrap();
    assert_eq!(
        download(&mut ftp, "blob.bin").expect("download"),
        blob_bytes(1024 * 1024)
    );
}

#[test]
fn rest_resumes_a_partial_download() {
    for server in [vsftpd(Family::V4), pyftpdlib(Family::V4)] {
        let mut ftp = login_anon(&server);
        let whole = blob_bytes(1024 * 1024);
        // Take the first part with a stream, then stop.
        let mut first = vec![0u8; 300_000];
        let mut download = ftp.retr_stream("blob.bin", None).unwrap();
        download.read_exact(&mut first).unwrap();
        download.abort().unwrap();
        assert!(ftp.is_usable());
        // Resume from where we stopped.
        let mut rest = Vec::new();
        ftp.retrbinary(
            "RETR blob.bin",
            |block| {
                rest.extend_from_slice(block);
                Ok(())
            },
            DEFAULT_BLOCKSIZE,
            Some(first.len() as u64),
        )
        .unwrap();
        first.extend_from_slice(&rest);
        assert_eq!(first, whole);
    }
}

#[test]
fn rest_resumes_an_upload() {
    let server = pyftpdlib(Family::V4);
    let mut ftp = login_user(&server);
    let data = blob_bytes(200_000);
    ftp.storbinary("STOR part.bin", &mut &data[..100_000], 8192, |_| {}, None)
        .unwrap();
    ftp.storbinary(
        "STOR part.bin",
        &mut &data[100_000..],
        8192,
        |_| {},
        Some(100_000),
    )
    .unwrap();
    assert_eq!(
        std::fs::read(server.user_home.join("part.bin")).unwrap(),
        data
    );
}

#[test]
fn ascii_round_trip_converts_line_endings() {
    for server in [vsftpd(Family::V4), pyftpdlib(Family::V4)] {
        let mut ftp = login_user(&server);
        let text = b"first line\nsecond line\r\nno newline at end";
        let mut sent = Vec::new();
        ftp.storlines("STOR text.txt", &mut &text[..], |line| {
            sent.extend_from_slice(line)
        })
        .unwrap();
        // On the wire every line ended in CRLF ...
        assert_eq!(sent, b"first line\r\nsecond line\r\nno newline at end\r\n");
        // ... and the Unix server stored LF endings.
        let stored = std::fs::read(server.user_home.join("text.txt")).unwrap();
        assert_eq!(stored, b"first line\nsecond line\nno newline at end\n");
        let mut lines = Vec::new();
        ftp.retrlines("RETR text.txt", |line| lines.push(line.to_string()))
            .unwrap();
        assert_eq!(lines, ["first line", "second line", "no newline at end"]);
        // In binary mode the bytes come back as stored.
        assert_eq!(download(&mut ftp, "text.txt").expect("download"), stored);
    }
}

#[test]
fn read_and_write_streams() {
    for server in [vsftpd(Family::V4), pyftpdlib(Family::V6)] {
        let mut ftp = login_user(&server);
        let data = blob_bytes(3 * 1024 * 1024 + 17);
        let mut upload = ftp.stor_stream("streamed.bin").unwrap();
        for chunk in data.chunks(10_000) {
            upload.write_all(chunk).unwrap();
        }
        assert_eq!(upload.bytes_sent(), data.len() as u64);
        assert_eq!(upload.finish().unwrap().class(), 2);

        let mut download = ftp.retr_stream("streamed.bin", None).unwrap();
        let mut back = Vec::new();
        download.read_to_end(&mut back).unwrap();
        assert_eq!(download.finish().unwrap().class(), 2);
        assert_eq!(back, data);
        ftp.noop().unwrap();
    }
}

#[test]
fn dropped_upload_is_not_reported_complete() {
    let server = vsftpd(Family::V4);
    let mut ftp = login_user(&server);
    {
        let mut upload = ftp.stor_stream("partial.bin").unwrap();
        upload.write_all(&[7u8; 100_000]).unwrap();
        // dropped without finish: aborted
    }
    assert!(ftp.is_usable());
    ftp.noop().unwrap();
}

#[test]
fn abort_mid_download_then_next_command_works() {
    for server in [vsftpd(Family::V4), pyftpdlib(Family::V4)] {
        let mut ftp = login_user(&server);
        let data = blob_bytes(BIG);
        std::fs::write(server.user_home.join("huge.bin"), &data).unwrap();
        let mut download = ftp.retr_stream("huge.bin", None).unwrap();
        let mut buf = vec![0u8; 65536];
        download.read_exact(&mut buf).unwrap();
        assert_eq!(buf[..], data[..65536]);
        let reply = download.abort().unwrap();
        assert!(matches!(reply.code, 225 | 226), "{reply}");
        assert!(ftp.is_usable());
        assert_eq!(ftp.pwd().unwrap(), ftp.pwd().unwrap());
        assert_eq!(
            client::download(&mut ftp, "hello.txt").expect("download"),
            b"hello\n"
        );
    }
}

#[test]
fn abort_through_transfercmd_like_ftplib() {
    let server = vsftpd(Family::V4);
    let mut ftp = login_anon(&server);
    ftp.voidcmd("TYPE I").unwrap();
    let (mut conn, size) = ftp.ntransfercmd("RETR blob.bin", None).unwrap();
    assert_eq!(size, Some(1024 * 1024));
    let mut first = [0u8; 1000];
    conn.read_exact(&mut first).unwrap();
    drop(conn);
    let reply = ftp.abort().unwrap();
    assert!(matches!(reply.code, 225 | 226), "{reply}");
    ftp.noop().unwrap();
}

#[test]
fn finish_before_the_end_is_an_error() {
    let server = vsftpd(Family::V4);
    let mut ftp = login_user(&server);
    std::fs::write(server.user_home.join("huge.bin"), blob_bytes(BIG)).unwrap();
    let mut download = ftp.retr_stream("huge.bin", None).unwrap();
    let mut buf = [0u8; 1000];
    download.read_exact(&mut buf).unwrap();
    // The server could not send the rest: it must not report success.
    let err = download.finish().unwrap_err();
    assert!(
        matches!(err, Error::TransferAborted { bytes: 1000, .. }),
        "{err:?}"
    );
    assert!(ftp.is_usable());
    ftp.noop().unwrap();
}

// ----- listings ----------------------------------------------------------------------------

#[test]
fn listings() {
    for server in [vsftpd(Family::V4), pyftpdlib(Family::V4)] {
        let mut ftp = login_anon(&server);
        let mut names = ftp.nlst(&[]).unwrap();
        names.sort();
        for want in [
            "blob.bin",
            "café.txt",
            "empty",
            "readme.txt",
            "sub",
            "with space.txt",
        ] {
            assert!(
                names.iter().any(|n| n == want),
                "{want} missing from {names:?}"
            );
        }
        let lines = ftp.dir(&[]).unwrap();
        assert!(
            lines.iter().any(|l| l.ends_with(" with space.txt")),
            "{lines:?}"
        );
        assert!(lines
            .iter()
            .any(|l| l.starts_with('d') && l.ends_with(" sub")));
        assert!(ftp.nlst(&["empty"]).unwrap().is_empty());
        assert_eq!(ftp.nlst(&["sub"]).unwrap().len(), 1);
    }
}

#[test]
fn mlsd_pyftpdlib() {
    let server = pyftpdlib(Family::V4);
    let mut ftp = login_anon(&server);
    let entries = ftp.mlsd("", &["type", "size", "modify"]).unwrap();
    let blob = entries
        .iter()
        .find(|(name, _)| name == "blob.bin")
        .expect("blob.bin listed");
    assert_eq!(blob.1["type"], "file");
    assert_eq!(blob.1["size"], (1024 * 1024).to_string());
    let sub = entries.iter().find(|(name, _)| name == "sub").unwrap();
    assert_eq!(sub.1["type"], "dir");
    assert!(entries.iter().any(|(name, _)| name == "with space.txt"));
}

#[test]
fn mlsd_unsupported_on_vsftpd() {
    let server = vsftpd(Family::V4);
    let mut ftp = login_anon(&server);
    let err = ftp.mlsd("", &[]).unwrap_err();
    assert!(
        matches!(err, Error::Permanent(ref r) if r.code == 500),
        "{err:?}"
    );
    assert!(ftp.is_usable());
    ftp.noop().unwrap();
}

// ----- lifecycle ---------------------------------------------------------------------------

#[test]
fn drop_closes_the_connection() {
    let server = vsftpd(Family::V4);
    let ftp = login_anon(&server);
    drop(ftp);
    let mut ftp = connect(&server);
    ftp.close();
    ftp.close();
    assert!(matches!(ftp.pwd(), Err(Error::InvalidState(_))));
}

#[test]
fn source_address_is_used_for_control_and_data() {
    let server = vsftpd(Family::V4);
    let source: std::net::IpAddr = "127.0.0.2".parse().unwrap();
    let mut ftp = FtpStream::builder()
        .source_address(Some(source))
        .timeout(Some(Duration::from_secs(20)))
        .connect(&server.host, server.port)
        .unwrap();
    assert_eq!(ftp.local_addr().unwrap().ip(), source);
    ftp.login("", "").unwrap();
    // vsftpd refuses a data connection from another address than the control one, so
    // this download proves the passive connection came from the source address too.
    assert_eq!(
        download(&mut ftp, "blob.bin").expect("download"),
        blob_bytes(1024 * 1024)
    );
}

#[test]
fn latin1_encoding_round_trips_names_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let server = vsftpd(Family::V4);
    let name = std::ffi::OsStr::from_bytes(b"r\xe9sum\xe9.txt");
    std::fs::write(server.user_home.join(name), b"latin-1 named").unwrap();

    // UTF-8 (the default) cannot decode the name: a clear error, and the session goes on.
    let mut ftp = login_user(&server);
    assert!(matches!(ftp.nlst(&[]), Err(Error::Encoding { .. })));
    assert!(ftp.is_usable());

    // Latin-1 maps every byte to one character and back, as ftplib's encoding="latin-1".
    let mut ftp = FtpStream::builder()
        .encoding(ftplib::Encoding::Latin1)
        .timeout(Some(Duration::from_secs(20)))
        .connect(&server.host, server.port)
        .unwrap();
    ftp.login(&server.user, &server.password).unwrap();
    let names = ftp.nlst(&[]).unwrap();
    let listed = names
        .iter()
        .find(|n| n.starts_with('r') && n.ends_with(".txt"))
        .expect("the latin-1 name is listed");
    assert_eq!(listed, "résumé.txt");
    assert_eq!(ftp.size(listed).unwrap(), 13);
    assert_eq!(
        download(&mut ftp, listed).expect("download"),
        b"latin-1 named"
    );
    ftp.rename(listed, "renamé.txt").unwrap();
    assert!(server
        .user_home
        .join(std::ffi::OsStr::from_bytes(b"renam\xe9.txt"))
        .exists());
    // A character Latin-1 cannot hold is refused before anything is sent.
    assert!(matches!(ftp.size("€.txt"), Err(Error::InvalidInput(_))));
    assert!(ftp.is_usable());
}

// ----- recursive conveniences --------------------------------------------------------------

/// makedirs, walk and rmtree on one tree; vsftpd lists with `LIST -a` (hidden files), pyftpdlib
/// with MLSD.
fn walk_tree(server: &TestServer) {
    let mut ftp = login_user(server);
    let home_pwd = ftp.pwd().unwrap();
    ftp.makedirs("tree/a/b c").unwrap();
    // Existing parts are no error.
    ftp.makedirs("tree/a/b c").unwrap();
    ftp.makedirs("tree/d").unwrap();
    upload(&mut ftp, "tree/top.txt", b"top").unwrap();
    upload(&mut ftp, "tree/a/x.bin", &[0u8; 100]).unwrap();
    upload(&mut ftp, "tree/a/b c/.hidden", b"h").unwrap();
    upload(&mut ftp, "tree/a/b c/y.txt", b"yy").unwrap();

    // A file in the way is an error, not silently skipped.
    let err = ftp.makedirs("tree/top.txt/sub").unwrap_err();
    assert!(matches!(err, Error::Permanent(_)), "{err:?}");

    let dirs: Vec<ftplib::WalkDir> = ftp.walk("tree").map(Result::unwrap).collect();
    let mut paths: Vec<&str> = dirs.iter().map(|d| d.path.as_str()).collect();
    // Top-down: every directory before what is inside it.
    assert_eq!(paths[0], "tree", "{paths:?}");
    let pos = |p: &str| paths.iter().position(|q| *q == p).unwrap();
    assert!(pos("tree/a") < pos("tree/a/b c"), "{paths:?}");
    paths.sort();
    assert_eq!(paths, ["tree", "tree/a", "tree/a/b c", "tree/d"]);
    let files_of = |path: &str| {
        let dir = dirs.iter().find(|d| d.path == path).unwrap();
        assert!(dir.unparsed.is_empty(), "{:?}", dir.unparsed);
        let mut names: Vec<(String, Option<u64>)> = dir
            .files
            .iter()
            .map(|e| (e.name().to_string(), e.size()))
            .collect();
        names.sort();
        names
    };
    assert_eq!(files_of("tree"), [("top.txt".to_string(), Some(3))]);
    assert_eq!(files_of("tree/a"), [("x.bin".to_string(), Some(100))]);
    assert_eq!(
        files_of("tree/a/b c"),
        [
            (".hidden".to_string(), Some(1)),
            ("y.txt".to_string(), Some(2))
        ]
    );
    assert!(files_of("tree/d").is_empty());

    // A missing directory is an Err item on both servers (vsftpd answers `LIST` of a
    // missing path with an empty listing, which the walk checks with CWD), and the walk ends.
    let mut missing = ftp.walk("no-such-tree");
    // (vsftpd's CWD says 550, pyftpdlib's MLSD 501.)
    let first = missing.next().unwrap();
    assert!(matches!(first, Err(Error::Permanent(_))), "{first:?}");
    assert!(missing.next().is_none());
    let err = ftp.rmtree("no-such-tree").unwrap_err();
    assert!(matches!(err, Error::Permanent(_)), "{err:?}");
    // An empty directory that exists is still an (empty) item.
    ftp.mkd("tree/empty").unwrap();
    let empty: Vec<_> = ftp.walk("tree/empty").collect();
    assert!(
        matches!(empty.as_slice(), [Ok(d)] if d.dirs.is_empty() && d.files.is_empty()),
        "{empty:?}"
    );
    assert_eq!(ftp.pwd().unwrap(), home_pwd);

    assert!(matches!(ftp.rmtree("/"), Err(Error::InvalidInput(_))));
    ftp.rmtree("tree").unwrap();
    assert_eq!(ftp.cwd("tree").unwrap_err().code(), Some(550));
    assert!(ftp.is_usable());
}

#[test]
fn walk_makedirs_rmtree_vsftpd() {
    walk_tree(&vsftpd(Family::V4));
}

#[test]
fn walk_makedirs_rmtree_pyftpdlib() {
    walk_tree(&pyftpdlib(Family::V4));
}

// ----- keep-alive NOOPs during slow transfers ----------------------------------------------

/// The keep-alive interval, shorter than the client's pause between blocks, so every
/// pause is followed by a NOOP on the control connection.
const KEEPALIVE: Duration = Duration::from_millis(50);
const CLIENT_PAUSE: Duration = Duration::from_millis(80);
const SLOW_BLOCK: usize = 128 * 1024;

fn keepalive_session(server: &TestServer, anonymous: bool) -> FtpStream {
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .keepalive(Some(KEEPALIVE))
        .connect(&server.host, server.port)
        .expect("connect");
    if anonymous {
        ftp.login("", "").expect("anonymous login");
    } else {
        ftp.login(&server.user, &server.password)
            .expect("user login");
    }
    ftp
}

/// NOOP commands in the server's log (vsftpd's protocol log, pyftpdlib's DEBUG log).
fn noops_in_log(server: &TestServer) -> usize {
    server.log().matches("NOOP").count()
}

/// Downloads the 1 MiB blob pausing after each block, so NOOPs go out during the
/// transfer; then checks the data, the final reply, and that the session is in step.
fn slow_download_with_keepalive(server: &TestServer) {
    let mut ftp = keepalive_session(server, true);
    let mut received = Vec::new();
    let mut blocks = 0;
    let reply = ftp
        .retrbinary(
            "RETR blob.bin",
            |block| {
                received.extend_from_slice(block);
                blocks += 1;
                std::thread::sleep(CLIENT_PAUSE);
                Ok(())
            },
            SLOW_BLOCK,
            None,
        )
        .expect("slow download");
    assert_eq!(reply.code, 226, "{reply:?}");
    assert!(
        blocks >= 4,
        "only {blocks} blocks: the transfer was not slow"
    );
    assert_eq!(sha256(&received), sha256(&blob_bytes(1024 * 1024)));
    // In step: PWD gets its 257, and a second transfer works.
    assert_eq!(ftp.pwd().expect("pwd"), "/");
    let readme = download(&mut ftp, "readme.txt").expect("second download");
    assert!(!readme.is_empty());
    ftp.quit().expect("quit");
    let noops = noops_in_log(server);
    assert!(
        noops >= blocks - 1,
        "{noops} NOOPs in the server log for {blocks} slow blocks"
    );
}

/// Uploads 1 MiB through `stor_stream` pausing between writes, then downloads it back.
fn slow_upload_with_keepalive(server: &TestServer) {
    let mut ftp = keepalive_session(server, false);
    let data = blob_bytes(1024 * 1024);
    let mut upload = ftp.stor_stream("slow.bin").expect("STOR");
    for (i, chunk) in data.chunks(SLOW_BLOCK).enumerate() {
        if i > 0 {
            std::thread::sleep(CLIENT_PAUSE);
        }
        upload.write_all(chunk).expect("write");
    }
    let reply = upload.finish().expect("finish");
    assert_eq!(reply.code, 226, "{reply:?}");
    // In step: PWD gets its 257, SIZE its 213, and the file comes back whole.
    assert!(ftp.pwd().expect("pwd").starts_with('/'));
    assert_eq!(ftp.size("slow.bin").expect("size"), data.len() as u64);
    assert_eq!(
        sha256(&download(&mut ftp, "slow.bin").expect("download back")),
        sha256(&data)
    );
    ftp.quit().expect("quit");
    let pauses = data.len() / SLOW_BLOCK - 1;
    let noops = noops_in_log(server);
    assert!(
        noops >= pauses,
        "{noops} NOOPs in the server log for {pauses} pauses"
    );
}

#[test]
fn keepalive_slow_download_vsftpd() {
    slow_download_with_keepalive(&vsftpd(Family::V4));
}

#[test]
fn keepalive_slow_download_pyftpdlib() {
    slow_download_with_keepalive(&pyftpdlib(Family::V4));
}

#[test]
fn keepalive_slow_upload_vsftpd() {
    slow_upload_with_keepalive(&vsftpd(Family::V4));
}

#[test]
fn keepalive_slow_upload_pyftpdlib() {
    slow_upload_with_keepalive(&pyftpdlib(Family::V4));
}

// ----- active mode: external address and port range ----------------------------------------

/// "Public" address of the emulated NAT router: another loopback address.
const ROUTER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// Ten ports starting at one that was free a moment ago on `ip` (the client skips any
/// taken meanwhile).
fn ten_free_ports(ip: IpAddr) -> RangeInclusive<u16> {
    let first = TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .min(u16::MAX - 9);
    first..=first + 9
}

/// Every data address the server was told, in order, read from its log: the
/// `PORT h1,…,p2` and `EPRT |af|addr|port|` commands it logged (vsftpd's protocol log and
/// pyftpdlib's debug log both quote the command line as received).
fn announced_in_log(server: &TestServer) -> Vec<SocketAddr> {
    let log = server.log();
    let mut found = Vec::new();
    for line in log.lines() {
        if let Some(i) = line.find("PORT ") {
            let args: String = line[i + 5..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .collect();
            let n: Vec<u16> = args.split(',').filter_map(|s| s.parse().ok()).collect();
            if let [a, b, c, d, p1, p2] = n[..] {
                let ip = Ipv4Addr::new(a as u8, b as u8, c as u8, d as u8);
                found.push(SocketAddr::new(IpAddr::V4(ip), p1 << 8 | p2));
            }
        } else if let Some(i) = line.find("EPRT |") {
            let fields: Vec<&str> = line[i + 5..].split('|').collect();
            if let (Some(ip), Some(port)) = (
                fields.get(2).and_then(|s| s.parse::<IpAddr>().ok()),
                fields.get(3).and_then(|s| s.parse::<u16>().ok()),
            ) {
                found.push(SocketAddr::new(ip, port));
            }
        }
    }
    found
}

fn anonymous_blob(ftp: &mut FtpStream) -> Vec<u8> {
    ftp.login("", "").expect("anonymous login");
    download(ftp, common::BLOB_NAME).expect("active download")
}

/// Active download with a port range, advertising the local address explicitly: servers
/// refuse PORT/EPRT to any address other than the client's by default, so this exercises
/// the options' code path with the one address they accept.
fn active_download_in_range(server: &TestServer) {
    let ports = ten_free_ports(server.family.ip());
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .passive(false)
        .active_external_address(Some(server.family.ip()))
        .active_port_range(Some(ports.clone()))
        .connect(&server.host, server.port)
        .expect("connect");
    let got = anonymous_blob(&mut ftp);
    assert_eq!(sha256(&got), sha256(&blob_bytes(common::BLOB_LEN)));
    ftp.quit().expect("quit");
    let announced = announced_in_log(server);
    assert_eq!(announced.len(), 1, "{announced:?}\n{}", server.log());
    assert_eq!(announced[0].ip(), server.family.ip());
    assert!(
        ports.contains(&announced[0].port()),
        "{} not in {ports:?}",
        announced[0]
    );
}

#[test]
fn active_port_range_vsftpd_v4() {
    active_download_in_range(&vsftpd(Family::V4));
}

#[test]
fn active_port_range_vsftpd_v6() {
    active_download_in_range(&vsftpd(Family::V6));
}

#[test]
fn active_port_range_pyftpdlib_v4() {
    active_download_in_range(&pyftpdlib(Family::V4));
}

/// By default both servers refuse a PORT naming another address than the client's (their
/// FTP-bounce protection): the external address really is what goes on the wire, and the
/// refusal leaves the session usable.
fn foreign_address_refused(server: &TestServer, code: u16) {
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .passive(false)
        .active_external_address(Some(ROUTER))
        .connect(&server.host, server.port)
        .expect("connect");
    ftp.login("", "").expect("anonymous login");
    let err = download(&mut ftp, common::BLOB_NAME).expect_err("PORT 127.0.0.2 refused");
    assert!(matches!(err, Error::Permanent(_)), "{err:?}");
    assert_eq!(err.code(), Some(code), "{err}");
    assert_eq!(ftp.noop().expect("still usable").code, 200);
    ftp.quit().expect("quit");
    let announced = announced_in_log(server);
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert_eq!(announced[0].ip(), ROUTER);
}

#[test]
fn active_foreign_address_refused_vsftpd() {
    // "500 Illegal PORT command."
    foreign_address_refused(&vsftpd(Family::V4), 500);
}

#[test]
fn active_foreign_address_refused_pyftpdlib() {
    // "501 Rejected data connection to foreign address 127.0.0.2:…"
    foreign_address_refused(&pyftpdlib(Family::V4), 501);
}

/// A one-connection port forwarder: what a NAT router does for the client's data port.
/// Accepts on `public` (the advertised address and port) and relays, in both directions,
/// to `private` (where the client listens), connecting from `source`: destination NAT
/// keeps the connection's source address, which is the server's.
struct Router {
    public: SocketAddr,
    relay: std::thread::JoinHandle<std::io::Result<u64>>,
}

impl Router {
    /// Listens on 127.0.0.2 at a port that is also free on 127.0.0.1, where the client
    /// will listen.
    fn start(source: IpAddr) -> Router {
        for _ in 0..20 {
            let listener = TcpListener::bind((ROUTER, 0)).expect("bind 127.0.0.2");
            let public = listener.local_addr().unwrap();
            let private = SocketAddr::new(source, public.port());
            if TcpListener::bind(private).is_err() {
                continue;
            }
            let relay = std::thread::spawn(move || relay_one(listener, private, source));
            return Router { public, relay };
        }
        panic!("no port free on both 127.0.0.1 and 127.0.0.2");
    }

    /// Bytes relayed from the server to the client.
    fn finish(self) -> u64 {
        self.relay.join().expect("router thread").expect("relay")
    }
}

fn relay_one(listener: TcpListener, private: SocketAddr, source: IpAddr) -> std::io::Result<u64> {
    let deadline = Instant::now() + Duration::from_secs(20);
    listener.set_nonblocking(true)?;
    let outside = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e),
        }
    };
    outside.set_nonblocking(false)?;
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&SocketAddr::new(source, 0).into())?;
    socket.connect_timeout(&private.into(), Duration::from_secs(20))?;
    let inside: TcpStream = socket.into();
    for s in [&outside, &inside] {
        s.set_read_timeout(Some(Duration::from_secs(20)))?;
    }
    let (mut out_r, mut in_w) = (outside.try_clone()?, inside.try_clone()?);
    let upstream = std::thread::spawn(move || {
        let mut in_r = inside;
        let mut out_w = outside;
        let n = std::io::copy(&mut in_r, &mut out_w);
        let _ = out_w.shutdown(Shutdown::Write);
        n
    });
    let downstream = std::io::copy(&mut out_r, &mut in_w)?;
    let _ = in_w.shutdown(Shutdown::Write);
    upstream.join().expect("upstream relay")?;
    Ok(downstream)
}

/// The full NAT path: the client advertises 127.0.0.2 and one port, the server (told to
/// accept foreign PORT addresses, as a real server must for NATed clients) connects
/// there, and the "router" forwards that to the client's listener on 127.0.0.1. The
/// client cannot tell this from a direct connection, except that nothing listens on
/// 127.0.0.2 but the router: the download only works if PORT named it.
fn active_download_behind_nat(server: &TestServer) {
    let router = Router::start(server.family.ip());
    let public = router.public;
    let port = public.port();
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .passive(false)
        .active_external_address(Some(ROUTER))
        .active_port_range(Some(port..=port))
        .connect(&server.host, server.port)
        .expect("connect");
    let got = anonymous_blob(&mut ftp);
    assert_eq!(sha256(&got), sha256(&blob_bytes(common::BLOB_LEN)));
    ftp.quit().expect("quit");
    assert_eq!(router.finish(), common::BLOB_LEN as u64);
    assert_eq!(announced_in_log(server), vec![public]);
}

#[test]
fn active_behind_nat_vsftpd() {
    active_download_behind_nat(&TestServer::vsftpd_port_promiscuous(Family::V4));
}

#[test]
fn active_behind_nat_pyftpdlib() {
    active_download_behind_nat(&TestServer::pyftpdlib_permitting_foreign_addresses(
        Family::V4,
    ));
}

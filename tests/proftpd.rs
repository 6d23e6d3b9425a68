//! ProFTPD 1.3.8 as a real server, plain FTP: logins, binary transfers checked by SHA-256,
//! and typed listings through MLSD (which vsftpd lacks). Its FTPS cases (session reuse on
//! data connections, required by default) are in tests/ftps.rs next to vsftpd's.
//!
//! proftpd is unpacked by `scripts/test.sh` (see scripts/install_proftpd.sh); the tests
//! fail, rather than skip, when it is missing.

mod client;
mod common;

use std::time::Duration;

use client::{download, find, mlsd_listing, sha256, upload};
use common::{
    blob_bytes, Family, TestServer, Tls, BLOB_LEN, BLOB_NAME, HELLO_TEXT, LINK_NAME, README_TEXT,
    SPACE_TEXT,
};
use ftplib::list::{Kind, Line};
use ftplib::{Error, FtpStream};

const TIMEOUT: Duration = Duration::from_secs(30);

fn proftpd(family: Family) -> TestServer {
    TestServer::proftpd(family, Tls::None)
}

fn connect(server: &TestServer) -> FtpStream {
    FtpStream::builder()
        .timeout(Some(TIMEOUT))
        .connect(&server.host, server.port)
        .expect("connect")
}

fn login_user(server: &TestServer) -> FtpStream {
    let mut ftp = connect(server);
    ftp.login(&server.user, &server.password).expect("login");
    ftp
}

#[test]
fn logins_and_features() {
    let server = proftpd(Family::V4);

    let mut ftp = connect(&server);
    assert!(ftp.getwelcome().starts_with("220"), "{}", ftp.getwelcome());
    assert!(ftp.getwelcome().contains("ProFTPD"), "{}", ftp.getwelcome());

    // A wrong password is a 530; the session survives it and a right one then works.
    let err = ftp.login(&server.user, "wrong").unwrap_err();
    assert!(
        matches!(err, Error::Permanent(ref r) if r.code == 530),
        "{err:?}"
    );
    assert!(ftp.is_usable());
    ftp.login(&server.user, &server.password).expect("login");
    // Not chrooted: the login directory is the user's home, as an absolute path.
    assert_eq!(ftp.pwd().unwrap(), server.user_home.display().to_string());
    let feat = ftp.feat().unwrap();
    for want in [
        "MLST", "EPSV", "EPRT", "SIZE", "MDTM", "REST", "UTF8", "TVFS",
    ] {
        assert!(feat.contains_key(want), "{want} not in FEAT: {feat:?}");
    }
    // Plain FTP: no AUTH TLS without mod_tls.
    assert!(!feat.contains_key("AUTH"), "{feat:?}");
    ftp.quit().unwrap();

    // Anonymous: chrooted into the sample tree, read only.
    let mut anon = connect(&server);
    anon.login("", "").expect("anonymous login");
    assert_eq!(anon.pwd().unwrap(), "/");
    assert_eq!(
        download(&mut anon, "readme.txt").unwrap(),
        README_TEXT.as_bytes()
    );
    let err = upload(&mut anon, "nope.txt", b"x").unwrap_err();
    assert!(
        matches!(err, Error::Permanent(ref r) if r.code == 550),
        "{err:?}"
    );
    assert!(!server.anon_root.join("nope.txt").exists());
    anon.quit().unwrap();
}

fn binary_round_trip(family: Family, passive: bool) {
    let server = proftpd(family);
    let mut ftp = login_user(&server);
    ftp.set_pasv(passive);
    let label = format!("{family:?} passive={passive}");

    // Odd length: no block or buffer size divides it.
    let data = blob_bytes(5 * 1024 * 1024 + 3);
    upload(&mut ftp, "up.bin", &data).expect("upload");
    let on_disk = std::fs::read(server.user_home.join("up.bin")).expect("uploaded file");
    assert_eq!(sha256(&on_disk), sha256(&data), "{label}: file on disk");
    assert_eq!(ftp.size("up.bin").unwrap(), data.len() as u64, "{label}");
    let back = download(&mut ftp, "up.bin").expect("download");
    assert_eq!(back.len(), data.len(), "{label}");
    assert_eq!(sha256(&back), sha256(&data), "{label}: downloaded bytes");

    // Overwriting (AllowOverwrite on) replaces the whole file.
    upload(&mut ftp, "up.bin", b"short").expect("overwrite");
    assert_eq!(download(&mut ftp, "up.bin").unwrap(), b"short");
    assert_eq!(
        download(&mut ftp, "hello.txt").unwrap(),
        HELLO_TEXT.as_bytes()
    );
    ftp.quit().unwrap();

    // The 1 MiB sample blob, anonymously.
    let mut anon = connect(&server);
    anon.set_pasv(passive);
    anon.login("", "").unwrap();
    let blob = download(&mut anon, BLOB_NAME).unwrap();
    assert_eq!(blob.len(), BLOB_LEN);
    assert_eq!(
        sha256(&blob),
        sha256(&blob_bytes(BLOB_LEN)),
        "{label}: blob"
    );
    anon.quit().unwrap();

    // proftpd's ExtendedLog saw the transfers end well.
    let log = server.log();
    assert!(log.contains("\"STOR up.bin\" 226"), "{log}");
    assert!(log.contains("\"RETR up.bin\" 226"), "{log}");
}

#[test]
fn binary_round_trip_v4_passive() {
    binary_round_trip(Family::V4, true);
}

#[test]
fn binary_round_trip_v4_active() {
    binary_round_trip(Family::V4, false);
}

#[test]
fn binary_round_trip_v6_passive() {
    binary_round_trip(Family::V6, true);
}

#[test]
fn typed_listing_through_mlsd() {
    let server = proftpd(Family::V4);
    let mut anon = connect(&server);
    anon.login("", "").unwrap();

    // FEAT advertises MLST, so `entries` lists with MLSD, and proftpd leaves nothing
    // unparsed (`unique` and the names are stable between the two listings compared).
    let lines = mlsd_listing(&mut anon, "");

    let readme = find(&lines, "readme.txt");
    assert_eq!(readme.kind(), Kind::File);
    assert_eq!(readme.size(), Some(README_TEXT.len() as u64));
    assert!(readme.mtime().is_some());
    assert_eq!(readme.mode(), Some(0o644));

    let sub = find(&lines, "sub");
    assert_eq!(sub.kind(), Kind::Dir);
    assert!(sub.is_dir());

    // proftpd shows a symlink as `type=OS.unix=symlink` (no target in MLSD).
    let link = find(&lines, LINK_NAME);
    assert_eq!(
        link.kind(),
        Kind::Symlink,
        "{:?}",
        String::from_utf8_lossy(link.raw())
    );

    let spaced = find(&lines, "with space.txt");
    assert_eq!(spaced.kind(), Kind::File);
    assert_eq!(spaced.size(), Some(SPACE_TEXT.len() as u64));

    let cafe = find(&lines, common::CAFE_NAME);
    assert_eq!(cafe.size(), Some(common::CAFE_TEXT.len() as u64));

    // proftpd lists `.` and `..` too (type=cdir/pdir); they are marked as such.
    let selves: Vec<&str> = lines
        .iter()
        .filter_map(Line::entry)
        .filter(|e| e.is_self_or_parent())
        .map(|e| e.name())
        .collect();
    assert!(selves.iter().all(|n| *n == "." || *n == ".."), "{selves:?}");

    // A directory by path, and an empty one.
    let nested = anon.entries("sub").unwrap();
    let nested_file = find(&nested, "nested.txt");
    assert_eq!(nested_file.size(), Some(common::NESTED_TEXT.len() as u64));
    let empty: Vec<_> = anon
        .entries("empty")
        .unwrap()
        .into_iter()
        .filter_map(Line::into_entry)
        .filter(|e| !e.is_self_or_parent())
        .collect();
    assert!(empty.is_empty(), "{empty:?}");
    anon.quit().unwrap();

    // The user's own directory: what the client makes shows up typed, names with spaces
    // included.
    let mut ftp = login_user(&server);
    ftp.mkd("new dir").unwrap();
    upload(&mut ftp, "new dir/a file.bin", &blob_bytes(1234)).unwrap();
    let inside = ftp.entries("new dir").unwrap();
    let file = find(&inside, "a file.bin");
    assert_eq!(file.kind(), Kind::File);
    assert_eq!(file.size(), Some(1234));
    let home = ftp.entries("").unwrap();
    assert_eq!(find(&home, "new dir").kind(), Kind::Dir);
    assert_eq!(
        find(&home, "hello.txt").size(),
        Some(HELLO_TEXT.len() as u64)
    );
    ftp.quit().unwrap();
}

//! Whole-file transfers between local paths and real servers (`download`, `upload`, their
//! `_if_newer` forms and `download_resume`) against vsftpd, pyftpdlib and Pure-FTPd, started
//! on loopback by `tests/common`.

mod client;
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use client::set_mtime;
use common::{Family, TestServer, Tls};
#[path = "../examples/mirror.rs"]
#[allow(dead_code)]
mod mirror;
use ftplib::{Error, FtpStream};

fn login(server: &TestServer) -> FtpStream {
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .connect(&server.host, server.port)
        .expect("connect");
    ftp.login(&server.user, &server.password).expect("login");
    ftp
}

/// A fresh local directory for the client's files, inside the server's temp dir (removed
/// with it).
fn local_dir(server: &TestServer) -> PathBuf {
    let dir = server.tmp.join("client-files");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names in `dir`, sorted: shows leftover temporary files.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mtime(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

const HOUR: Duration = Duration::from_secs(3600);

fn download_and_upload(server: &TestServer) {
    let mut ftp = login(server);
    let dir = local_dir(server);
    let home = &server.user_home;

    // download: the whole file, and no temporary file left beside it.
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(home.join("data.bin"), &body).unwrap();
    let local = dir.join("data.bin");
    assert_eq!(ftp.download("data.bin", &local).unwrap(), body.len() as u64);
    assert_eq!(fs::read(&local).unwrap(), body);
    assert_eq!(names_in(&dir), ["data.bin"]);

    // A failed download leaves the local file as it was.
    fs::write(dir.join("keep.txt"), b"old").unwrap();
    let err = ftp
        .download("no-such-file", dir.join("keep.txt"))
        .unwrap_err();
    assert_eq!(err.code(), Some(550), "{err:?}");
    assert_eq!(fs::read(dir.join("keep.txt")).unwrap(), b"old");
    assert_eq!(names_in(&dir), ["data.bin", "keep.txt"]);

    // upload: the server's copy is byte for byte the local file.
    let up: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
    fs::write(dir.join("up.bin"), &up).unwrap();
    assert_eq!(
        ftp.upload(dir.join("up.bin"), "up.bin").unwrap(),
        up.len() as u64
    );
    assert_eq!(fs::read(home.join("up.bin")).unwrap(), up);

    // A missing local file: an I/O error, nothing sent, the session fine.
    let err = ftp.upload(dir.join("missing"), "missing").unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
    assert!(!home.join("missing").exists());
    assert!(ftp.pwd().is_ok());
}

fn if_newer(server: &TestServer) {
    let mut ftp = login(server);
    let dir = local_dir(server);
    let home = &server.user_home;
    let local = dir.join("m.txt");
    let remote_file = home.join("m.txt");
    let past = SystemTime::now() - 5 * HOUR;

    // download_if_newer: no local copy yet, so it downloads, and the copy takes the
    // server's time; asking again downloads nothing.
    fs::write(&remote_file, b"version 1").unwrap();
    set_mtime(&remote_file, past);
    assert!(ftp.download_if_newer("m.txt", &local).unwrap());
    assert_eq!(fs::read(&local).unwrap(), b"version 1");
    let local_time = mtime(&local);
    let remote_time: SystemTime = ftp.mdtm("m.txt").unwrap().into();
    assert_eq!(local_time, remote_time);
    assert!(!ftp.download_if_newer("m.txt", &local).unwrap());

    // The server's file changes: downloaded again.
    fs::write(&remote_file, b"version 2").unwrap();
    set_mtime(&remote_file, past + HOUR);
    assert!(ftp.download_if_newer("m.txt", &local).unwrap());
    assert_eq!(fs::read(&local).unwrap(), b"version 2");

    // A local copy newer than the server's is kept.
    fs::write(&local, b"edited here").unwrap();
    assert!(!ftp.download_if_newer("m.txt", &local).unwrap());
    assert_eq!(fs::read(&local).unwrap(), b"edited here");

    // A missing server file is an error, not a silent "nothing newer".
    assert_eq!(
        ftp.download_if_newer("no-such-file", &local)
            .unwrap_err()
            .code(),
        Some(550)
    );

    // upload_if_newer: the server has no such file, so it uploads; the server's copy is now
    // newer than the local file, so asking again uploads nothing.
    let source = dir.join("u.txt");
    fs::write(&source, b"local 1").unwrap();
    set_mtime(&source, past);
    assert!(ftp.upload_if_newer(&source, "u.txt").unwrap());
    assert_eq!(fs::read(home.join("u.txt")).unwrap(), b"local 1");
    assert!(!ftp.upload_if_newer(&source, "u.txt").unwrap());

    // The local file changes: uploaded again.
    fs::write(&source, b"local 2").unwrap();
    set_mtime(&source, SystemTime::now() + HOUR);
    assert!(ftp.upload_if_newer(&source, "u.txt").unwrap());
    assert_eq!(fs::read(home.join("u.txt")).unwrap(), b"local 2");

    let err = ftp
        .upload_if_newer(dir.join("missing"), "u.txt")
        .unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
    assert!(ftp.pwd().is_ok());
}

fn resume(server: &TestServer) {
    let mut ftp = login(server);
    let dir = local_dir(server);
    let body: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    fs::write(server.user_home.join("big.bin"), &body).unwrap();
    let local = dir.join("big.bin");
    let part = dir.join(".big.bin.ftplib-part");
    let server_time: SystemTime = ftp.mdtm("big.bin").unwrap().into();

    // A partial file from an earlier attempt at the same server file is continued: its
    // bytes (here 0xEE, to tell them apart) are kept, only the rest is fetched.
    fs::write(&part, vec![0xEE; 300_000]).unwrap();
    set_mtime(&part, server_time);
    assert_eq!(ftp.download_resume("big.bin", &local).unwrap(), 700_000);
    let got = fs::read(&local).unwrap();
    assert!(got[..300_000].iter().all(|&b| b == 0xEE));
    assert_eq!(got[300_000..], body[300_000..]);
    assert_eq!(names_in(&dir), ["big.bin"]);

    // A partial file stamped with another time is from another version: start over.
    fs::write(&part, vec![0xEE; 300_000]).unwrap();
    set_mtime(&part, server_time - HOUR);
    assert_eq!(ftp.download_resume("big.bin", &local).unwrap(), 1_000_000);
    assert_eq!(fs::read(&local).unwrap(), body);

    // So is one longer than the server's file.
    fs::write(&part, vec![0xEE; 1_500_000]).unwrap();
    set_mtime(&part, server_time);
    assert_eq!(ftp.download_resume("big.bin", &local).unwrap(), 1_000_000);
    assert_eq!(fs::read(&local).unwrap(), body);

    // Nothing to resume: a plain download.
    fs::remove_file(&local).unwrap();
    assert_eq!(ftp.download_resume("big.bin", &local).unwrap(), 1_000_000);
    assert_eq!(fs::read(&local).unwrap(), body);
    assert_eq!(names_in(&dir), ["big.bin"]);
    assert!(ftp.pwd().is_ok());
}

#[test]
fn download_and_upload_pure_ftpd() {
    download_and_upload(&TestServer::pure_ftpd(Family::V4));
}

#[test]
fn if_newer_pure_ftpd() {
    if_newer(&TestServer::pure_ftpd(Family::V4));
}

#[test]
fn resume_pure_ftpd() {
    resume(&TestServer::pure_ftpd(Family::V4));
}

#[test]
fn resume_vsftpd() {
    resume(&TestServer::vsftpd(Family::V4, Tls::None));
}

#[test]
fn resume_pyftpdlib() {
    resume(&TestServer::pyftpdlib(Family::V4, false));
}

#[test]
fn download_and_upload_vsftpd() {
    download_and_upload(&TestServer::vsftpd(Family::V4, Tls::None));
}

#[test]
fn download_and_upload_pyftpdlib() {
    download_and_upload(&TestServer::pyftpdlib(Family::V4, false));
}

#[test]
fn if_newer_vsftpd() {
    if_newer(&TestServer::vsftpd(Family::V4, Tls::None));
}

#[test]
fn if_newer_pyftpdlib() {
    if_newer(&TestServer::pyftpdlib(Family::V4, false));
}

#[test]
fn mirror_example_fetches_only_what_changed() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    let mut ftp = login(&server);
    let home = &server.user_home;
    let past = SystemTime::now() - 5 * HOUR;
    for (path, body) in [
        ("site/index.html", &b"<html>"[..]),
        ("site/img/logo.png", b"png"),
        ("site/docs/with space.txt", b"spaces"),
    ] {
        let file = home.join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, body).unwrap();
        set_mtime(&file, past);
    }
    fs::create_dir_all(home.join("site/empty")).unwrap();
    std::os::unix::fs::symlink("index.html", home.join("site/link.html")).unwrap();
    let local = local_dir(&server).join("mirror");

    let mut log = Vec::new();
    let summary = mirror::mirror(&mut ftp, "site", &local, &mut log).unwrap();
    let log = String::from_utf8(log).unwrap();
    let want = mirror::Summary {
        downloaded: 3,
        up_to_date: 0,
        skipped_links: 1,
        failed: 0,
    };
    assert_eq!(summary, want, "{log}");
    assert_eq!(fs::read(local.join("img/logo.png")).unwrap(), b"png");
    assert_eq!(
        fs::read(local.join("docs/with space.txt")).unwrap(),
        b"spaces"
    );
    assert!(local.join("empty").is_dir());

    // Again: nothing to fetch. Then one file changes on the server.
    let mut sink = Vec::new();
    let summary = mirror::mirror(&mut ftp, "site", &local, &mut sink).unwrap();
    assert_eq!((summary.downloaded, summary.up_to_date), (0, 3));
    fs::write(home.join("site/index.html"), b"<html>v2").unwrap();
    set_mtime(&home.join("site/index.html"), past + HOUR);
    let summary = mirror::mirror(&mut ftp, "site", &local, &mut sink).unwrap();
    assert_eq!((summary.downloaded, summary.up_to_date), (1, 2));
    assert_eq!(fs::read(local.join("index.html")).unwrap(), b"<html>v2");
}

#[test]
fn mirror_example_refuses_names_that_leave_the_directory() {
    for name in ["..", ".", "", "a/b", "../etc", "a\\b", "nul\0"] {
        assert!(!mirror::is_plain_name(name), "{name:?}");
    }
    for name in ["a", "with space.txt", "..hidden", "café"] {
        assert!(mirror::is_plain_name(name), "{name:?}");
    }
}

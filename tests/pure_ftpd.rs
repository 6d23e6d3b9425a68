//! Pure-FTPd 1.0.50 as a real server, plain FTP only (its TLS does not work in this
//! environment): logins, FEAT, binary transfers checked by SHA-256 in both modes, REST,
//! directory and file commands, typed listings through MLSD and LIST, NLST, and the
//! whole-tree and whole-file helpers (`walk`, `makedirs`, `rmtree`, `download_if_newer`,
//! `upload_if_newer`, `download_resume`).
//!
//! The server runs with a virtual user chrooted into `user_home`, which holds the sample
//! tree; anonymous logins are off (see `TestServer::pure_ftpd`). pure-ftpd is unpacked by
//! `scripts/test.sh` (scripts/install_pure_ftpd.sh); the tests fail, rather than skip, when
//! it is missing.

mod client;
mod common;

use std::fs;
use std::time::{Duration, Instant, SystemTime};

use client::{download, find, listing_text, mlsd_listing, set_mtime, sha256, upload};
use common::{
    blob_bytes, Family, TestServer, BLOB_LEN, BLOB_NAME, CAFE_NAME, CAFE_TEXT, HELLO_TEXT,
    LINK_NAME, NESTED_TEXT, README_TEXT, SPACE_TEXT,
};
use ftplib::list::{Format, Kind, Line, ParseOptions};
use ftplib::{Error, FtpStream};

const TIMEOUT: Duration = Duration::from_secs(30);

fn connect(server: &TestServer) -> FtpStream {
    FtpStream::builder()
        .timeout(Some(TIMEOUT))
        .connect(&server.host, server.port)
        .expect("connect")
}

fn login(server: &TestServer) -> FtpStream {
    let mut ftp = connect(server);
    ftp.login(&server.user, &server.password).expect("login");
    ftp
}

/// Panics, showing the line, if any line of a listing was left unparsed.
fn assert_all_parsed(lines: &[Line]) {
    for line in lines {
        assert!(
            !matches!(line, Line::Unparsed { .. }),
            "unparsed: {:?}\nwhole listing:\n{}",
            String::from_utf8_lossy(line.raw()),
            listing_text(lines)
        );
    }
}

#[test]
fn welcome_logins_and_features() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = connect(&server);

    // The greeting is a multi-line 220 (`220-` lines, then `220 `): all of it is kept, and
    // the commands after it see their own replies, not leftover banner lines.
    let welcome = ftp.getwelcome().to_string();
    let lines: Vec<&str> = welcome.lines().collect();
    assert!(lines.len() >= 3, "{welcome:?}");
    assert!(lines[0].starts_with("220-"), "{welcome:?}");
    assert!(lines[0].contains("Pure-FTPd"), "{welcome:?}");
    assert!(lines.last().unwrap().starts_with("220 "), "{welcome:?}");
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with("220-")),
        "{welcome:?}"
    );
    // Anonymous logins are off (`-E`), and the banner says so.
    assert!(welcome.contains("No anonymous login"), "{welcome:?}");

    // A wrong password is a 530; the session survives it and a right one then works.
    // pure-ftpd delays the reply to a failed login by seconds, more for each further
    // failure in the session (4 s, then 8 s, seen here), so this test tries only one.
    let err = ftp.login(&server.user, "wrong").unwrap_err();
    assert!(
        matches!(err, Error::Permanent(ref r) if r.code == 530),
        "{err:?}"
    );
    assert!(ftp.is_usable());
    // A crypt(3) hash in the puredb keeps logins fast (pure-pw's argon2id takes ~2 s).
    let started = Instant::now();
    let reply = ftp.login(&server.user, &server.password).expect("login");
    assert!(started.elapsed() < Duration::from_secs(1), "{reply:?}");
    assert_eq!(reply.code, 230, "{reply:?}");
    // Chrooted into the home: the login directory is `/`.
    assert_eq!(ftp.pwd().unwrap(), "/");

    let feat = ftp.feat().unwrap();
    for want in [
        "UTF8", "EPRT", "EPSV", "MDTM", "SIZE", "MLST", "MLSD", "REST", "TVFS", "MFMT",
    ] {
        assert!(feat.contains_key(want), "{want} not in FEAT: {feat:?}");
    }
    assert_eq!(feat.get("REST").map(String::as_str), Some("STREAM"));
    // The MLST line lists the facts pure-ftpd sends, `*` marking the ones it sends by default.
    let mlst = &feat["MLST"];
    for fact in ["type*", "size*", "modify*", "UNIX.mode*", "unique*"] {
        assert!(mlst.contains(fact), "{fact} not in MLST {mlst:?}");
    }
    // pure-ftpd advertises AUTH TLS even when started without TLS (`-Y 0`)...
    assert_eq!(feat.get("AUTH").map(String::as_str), Some("TLS"));
    // ...and refuses it when asked.
    let err = ftp.sendcmd("AUTH TLS").unwrap_err();
    assert!(err.code().is_some_and(|c| c >= 500), "{err:?}");
    assert!(ftp.is_usable());
    assert_eq!(ftp.pwd().unwrap(), "/");
    ftp.quit().unwrap();
}

fn binary_round_trip(family: Family, passive: bool) {
    let server = TestServer::pure_ftpd(family);
    let mut ftp = login(&server);
    ftp.set_pasv(passive);
    let label = format!("{family:?} passive={passive}");

    // Odd length: no block or buffer size divides it.
    let data = blob_bytes(5 * 1024 * 1024 + 3);
    upload(&mut ftp, "up.bin", &data).expect("upload");
    let on_disk = fs::read(server.user_home.join("up.bin")).expect("uploaded file");
    assert_eq!(sha256(&on_disk), sha256(&data), "{label}: file on disk");
    assert_eq!(ftp.size("up.bin").unwrap(), data.len() as u64, "{label}");
    let back = download(&mut ftp, "up.bin").expect("download");
    assert_eq!(back.len(), data.len(), "{label}");
    assert_eq!(sha256(&back), sha256(&data), "{label}: downloaded bytes");

    // Overwriting replaces the whole file.
    upload(&mut ftp, "up.bin", b"short").expect("overwrite");
    assert_eq!(download(&mut ftp, "up.bin").unwrap(), b"short");

    // The 1 MiB sample blob, made by the harness.
    let blob = download(&mut ftp, BLOB_NAME).unwrap();
    assert_eq!(blob.len(), BLOB_LEN);
    assert_eq!(
        sha256(&blob),
        sha256(&blob_bytes(BLOB_LEN)),
        "{label}: blob"
    );
    ftp.quit().unwrap();

    // pure-ftpd's transfer log saw them end with 226.
    let log = server.log();
    let home = server.user_home.display().to_string();
    assert!(
        log.contains(&format!("[]created {home}/up.bin 226")),
        "{log}"
    );
    assert!(log.contains(&format!("[]sent {home}/up.bin 226")), "{log}");
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
fn rest_resumes_a_download() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = login(&server);
    let blob = blob_bytes(BLOB_LEN);

    // RETR after REST N sends the file from byte N on.
    for offset in [0u64, 1, 65_536, 700_001, BLOB_LEN as u64 - 1] {
        let mut got = Vec::new();
        ftp.retrbinary(
            &format!("RETR {BLOB_NAME}"),
            |block| {
                got.extend_from_slice(block);
                Ok(())
            },
            ftplib::DEFAULT_BLOCKSIZE,
            Some(offset),
        )
        .unwrap_or_else(|e| panic!("REST {offset}: {e:?}"));
        assert_eq!(got.len() as u64, BLOB_LEN as u64 - offset, "REST {offset}");
        assert_eq!(sha256(&got), sha256(&blob[offset as usize..]), "{offset}");
    }

    // REST answers 350 ("Restarting at N"), which is not a completion: voidcmd refuses it,
    // as ftplib's does, while sendcmd returns it.
    let err = ftp.voidcmd("REST 100").unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedReply(ref r) if r.code == 350),
        "{err:?}"
    );
    let reply = ftp.sendcmd("REST 0").unwrap();
    assert_eq!(reply.code, 350, "{reply:?}");
    assert!(reply.text.contains("Restarting at 0"), "{reply:?}");
    // The last REST (0) is the one that counts: the next RETR sends the whole file.
    assert_eq!(
        sha256(&download(&mut ftp, BLOB_NAME).unwrap()),
        sha256(&blob)
    );
    ftp.quit().unwrap();
}

#[test]
fn directory_and_file_commands() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = login(&server);
    let home = &server.user_home;

    // MKD's 257 names the directory as the client spelled it (`"new dir" : The directory
    // was successfully created`), not as an absolute path.
    let made = ftp.mkd("new dir").unwrap();
    assert_eq!(made, "new dir");
    assert!(home.join("new dir").is_dir());
    let err = ftp.mkd("new dir").unwrap_err();
    assert_eq!(err.code(), Some(550), "{err:?}");
    ftp.cwd("new dir").unwrap();
    assert_eq!(ftp.pwd().unwrap(), "/new dir");
    ftp.cwd("/").unwrap();

    // SIZE and MDTM of a file the harness made with a known time.
    let stamped = home.join("stamped.txt");
    fs::write(&stamped, b"12345").unwrap();
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    set_mtime(&stamped, when);
    assert_eq!(ftp.size("stamped.txt").unwrap(), 5);
    assert_eq!(
        ftp.size(CAFE_NAME).unwrap(),
        CAFE_TEXT.len() as u64,
        "a non-ASCII name"
    );
    assert_eq!(ftp.size("with space.txt").unwrap(), SPACE_TEXT.len() as u64);
    assert_eq!(ftp.mdtm("stamped.txt").unwrap().timestamp(), 1_700_000_000);
    // Both tell a missing file with 550; SIZE of a directory is refused too.
    assert_eq!(ftp.size("missing").unwrap_err().code(), Some(550));
    assert_eq!(ftp.mdtm("missing").unwrap_err().code(), Some(550));
    assert_eq!(ftp.size("new dir").unwrap_err().code(), Some(550));
    // MDTM of a directory: 550 "I can only retrieve regular files".
    assert_eq!(ftp.mdtm("new dir").unwrap_err().code(), Some(550));

    // RNFR/RNTO: a file into the new directory, renamed on the way.
    ftp.rename("stamped.txt", "new dir/moved.txt").unwrap();
    assert!(!home.join("stamped.txt").exists());
    assert_eq!(fs::read(home.join("new dir/moved.txt")).unwrap(), b"12345");
    let err = ftp.rename("missing", "x").unwrap_err();
    assert_eq!(err.code(), Some(550), "{err:?}");
    assert!(ftp.is_usable());

    // RMD of a directory that is not empty fails; DELE then RMD works.
    let err = ftp.rmd("new dir").unwrap_err();
    assert_eq!(err.code(), Some(550), "{err:?}");
    ftp.delete("new dir/moved.txt").unwrap();
    assert!(!home.join("new dir/moved.txt").exists());
    let err = ftp.delete("new dir/moved.txt").unwrap_err();
    assert_eq!(err.code(), Some(550), "{err:?}");
    ftp.rmd("new dir").unwrap();
    assert!(!home.join("new dir").exists());
    assert_eq!(ftp.rmd("new dir").unwrap_err().code(), Some(550));

    // Nothing leaves the chroot: `..` from `/` is `/` again.
    ftp.cwd("..").unwrap();
    assert_eq!(ftp.pwd().unwrap(), "/");
    ftp.quit().unwrap();
}

#[test]
fn typed_listing_through_mlsd() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = login(&server);

    // FEAT advertises MLST, so `entries` lists with MLSD, and pure-ftpd leaves nothing
    // unparsed or skipped.
    let lines = mlsd_listing(&mut ftp, "");

    let readme = find(&lines, "readme.txt");
    assert_eq!(readme.kind(), Kind::File);
    assert_eq!(readme.size(), Some(README_TEXT.len() as u64));
    assert_eq!(readme.mode(), Some(0o644));
    let readme_time = fs::metadata(server.user_home.join("readme.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let readme_secs = readme_time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(readme.mtime().unwrap().utc().timestamp(), readme_secs);
    assert!(readme.fact("unique").is_some(), "{:?}", readme.raw());

    // Directories carry `sizd` rather than `size`.
    let sub = find(&lines, "sub");
    assert_eq!(sub.kind(), Kind::Dir);
    assert!(sub.fact("sizd").is_some());

    // pure-ftpd shows a symlink as `type=OS.unix=slink:` with nothing after the colon (no
    // target), and `size` is the link's own length (that of "readme.txt"), not the target's.
    let link = find(&lines, LINK_NAME);
    assert_eq!(
        link.kind(),
        Kind::Symlink,
        "{:?}",
        String::from_utf8_lossy(link.raw())
    );
    assert_eq!(link.fact("type").as_deref(), Some("OS.unix=slink:"));
    assert_eq!(link.link_target(), None);
    assert_eq!(link.size(), Some("readme.txt".len() as u64));
    assert_eq!(link.mode(), Some(0o777));

    let spaced = find(&lines, "with space.txt");
    assert_eq!(spaced.kind(), Kind::File);
    assert_eq!(spaced.size(), Some(SPACE_TEXT.len() as u64));
    let cafe = find(&lines, CAFE_NAME);
    assert_eq!(cafe.size(), Some(CAFE_TEXT.len() as u64));

    // `.` and `..` come as type=cdir and type=pdir, marked as such.
    let mut selves: Vec<&str> = lines
        .iter()
        .filter_map(Line::entry)
        .filter(|e| e.is_self_or_parent())
        .map(|e| e.name())
        .collect();
    selves.sort();
    assert_eq!(selves, [".", ".."]);

    // A directory by path, and an empty one (only `.` and `..`).
    let nested = ftp.entries("sub").unwrap();
    assert_eq!(
        find(&nested, "nested.txt").size(),
        Some(NESTED_TEXT.len() as u64)
    );
    let empty: Vec<String> = ftp
        .entries("empty")
        .unwrap()
        .iter()
        .filter_map(Line::entry)
        .filter(|e| !e.is_self_or_parent())
        .map(|e| e.name().to_string())
        .collect();
    assert!(empty.is_empty(), "{empty:?}");
    // A missing directory is an error, not an empty listing.
    let err = ftp.mlsd_entries("no-such-dir").unwrap_err();
    assert!(err.code().is_some_and(|c| c >= 500), "{err:?}");
    ftp.quit().unwrap();
}

#[test]
fn typed_listing_through_list() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = login(&server);
    let options = ParseOptions::default();

    // LIST without -a: pure-ftpd hides dot files, and sends no `.`/`..`.
    let lines = ftp.list_entries("", false, &options).expect("LIST");
    assert_all_parsed(&lines);
    for line in &lines {
        if let Some(entry) = line.entry() {
            assert_eq!(entry.format(), Format::Unix, "{:?}", entry.raw());
            assert!(!entry.is_self_or_parent(), "{:?}", entry.raw());
        }
    }

    let readme = find(&lines, "readme.txt");
    assert_eq!(readme.kind(), Kind::File);
    assert_eq!(readme.size(), Some(README_TEXT.len() as u64));
    assert_eq!(readme.mode(), Some(0o644));
    assert!(readme.mtime().is_some());
    let sub = find(&lines, "sub");
    assert_eq!(sub.kind(), Kind::Dir);
    // LIST shows the symlink as one, with its target.
    let link = find(&lines, LINK_NAME);
    assert_eq!(
        link.kind(),
        Kind::Symlink,
        "{:?}",
        String::from_utf8_lossy(link.raw())
    );
    assert_eq!(link.link_target(), Some("readme.txt"));
    let spaced = find(&lines, "with space.txt");
    assert_eq!(spaced.size(), Some(SPACE_TEXT.len() as u64));
    let cafe = find(&lines, CAFE_NAME);
    assert_eq!(cafe.size(), Some(CAFE_TEXT.len() as u64));
    assert_eq!(
        find(&lines, "hello.txt").size(),
        Some(HELLO_TEXT.len() as u64)
    );

    // The same names as MLSD lists, apart from `.` and `..`.
    let names = |ls: &[Line]| {
        let mut v: Vec<String> = ls
            .iter()
            .filter_map(Line::entry)
            .filter(|e| !e.is_self_or_parent())
            .map(|e| e.name().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&lines), names(&ftp.mlsd_entries("").unwrap()));

    // LIST -a adds the hidden file the harness did not make; one made here shows up.
    fs::write(server.user_home.join(".hidden"), b"h").unwrap();
    let all = ftp.list_entries("", true, &options).expect("LIST -a");
    assert_all_parsed(&all);
    assert_eq!(find(&all, ".hidden").size(), Some(1));
    // -a also lists `.` and `..`, as ordinary `d` lines that the parser marks.
    let mut selves: Vec<&str> = all
        .iter()
        .filter_map(Line::entry)
        .filter(|e| e.is_self_or_parent())
        .map(|e| e.name())
        .collect();
    selves.sort();
    assert_eq!(selves, [".", ".."]);
    let plain = ftp.list_entries("", false, &options).unwrap();
    assert!(
        plain
            .iter()
            .filter_map(Line::entry)
            .all(|e| e.name() != ".hidden"),
        "{}",
        listing_text(&plain)
    );

    // A directory by path.
    let nested = ftp.list_entries("sub", false, &options).unwrap();
    assert_all_parsed(&nested);
    assert_eq!(
        find(&nested, "nested.txt").size(),
        Some(NESTED_TEXT.len() as u64)
    );
    ftp.quit().unwrap();
}

#[test]
fn nlst_includes_dot_and_dot_dot() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = login(&server);

    // pure-ftpd's NLST names `.` and `..` too; ftplib passes on what the server sends.
    let mut names = ftp.nlst(&[]).unwrap();
    names.sort();
    let mut want = vec![
        ".",
        "..",
        BLOB_NAME,
        CAFE_NAME,
        "empty",
        "hello.txt",
        LINK_NAME,
        "readme.txt",
        "sub",
        "with space.txt",
    ];
    want.sort();
    assert_eq!(names, want);

    // With a directory argument each name carries the directory, `.` and `..` included.
    let mut nested = ftp.nlst(&["sub"]).unwrap();
    nested.sort();
    assert_eq!(nested, ["sub/.", "sub/..", "sub/nested.txt"]);
    ftp.quit().unwrap();
}

#[test]
fn walk_makedirs_rmtree() {
    let server = TestServer::pure_ftpd(Family::V4);
    let mut ftp = login(&server);
    let home = &server.user_home;

    // makedirs: every missing level, and no error for the ones that exist.
    ftp.makedirs("tree/a b/c").unwrap();
    assert!(home.join("tree/a b/c").is_dir());
    ftp.makedirs("tree/a b/c").unwrap();
    ftp.makedirs("/tree/d").unwrap();
    assert!(home.join("tree/d").is_dir());
    assert_eq!(
        ftp.pwd().unwrap(),
        "/",
        "makedirs leaves the directory as it was"
    );
    upload(&mut ftp, "tree/top.txt", b"top").unwrap();
    upload(&mut ftp, "tree/a b/c/deep.bin", &blob_bytes(4321)).unwrap();
    // A file in the way of a directory is an error.
    assert!(ftp.makedirs("tree/top.txt/x").is_err());

    // walk: top-down, each directory once, `.`/`..` left out, files typed.
    let dirs: Vec<_> = ftp
        .walk("tree")
        .collect::<Result<Vec<_>, _>>()
        .expect("walk");
    let paths: Vec<&str> = dirs.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths[0], "tree");
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(sorted, ["tree", "tree/a b", "tree/a b/c", "tree/d"]);
    for dir in &dirs {
        assert!(dir.unparsed.is_empty(), "{}: {:?}", dir.path, dir.unparsed);
        assert!(
            dir.dirs.iter().all(|e| !e.is_self_or_parent()),
            "{}",
            dir.path
        );
    }
    let top = &dirs[0];
    let files: Vec<&str> = top.files.iter().map(|e| e.name()).collect();
    assert_eq!(files, ["top.txt"]);
    let deep = dirs.iter().find(|d| d.path == "tree/a b/c").unwrap();
    assert_eq!(deep.files.len(), 1);
    assert_eq!(deep.files[0].size(), Some(4321));
    // A missing top is an Err item.
    let missing: Vec<_> = ftp.walk("no-such-dir").collect();
    assert_eq!(missing.len(), 1);
    assert!(missing[0].is_err(), "{missing:?}");

    // rmtree: everything under it, then the directory itself.
    ftp.rmtree("tree").unwrap();
    assert!(!home.join("tree").exists());
    assert!(ftp.rmtree("tree").is_err());
    // The rest of the home is untouched.
    assert!(home.join("readme.txt").is_file());
    assert!(home.join("sub/nested.txt").is_file());
    ftp.quit().unwrap();
}

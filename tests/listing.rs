//! Typed listings (`entries`, `list_entries`, `mlsd_entries`) against real servers: vsftpd
//! answers LIST only, pyftpdlib LIST and MLSD.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use common::{Family, TestServer, Tls, BLOB_LEN, CAFE_NAME, LINK_NAME, README_TEXT};
use ftplib::list::{Entry, Format, Kind, Line, ParseOptions, Precision};
use ftplib::{Error, FtpStream};

fn connect(server: &TestServer, anonymous: bool) -> FtpStream {
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(20)))
        .connect(&server.host, server.port)
        .unwrap();
    if anonymous {
        ftp.login("", "").unwrap();
    } else {
        ftp.login(&server.user, &server.password).unwrap();
    }
    ftp
}

/// The entries of a listing, failing on any line that did not parse.
fn entries_of(lines: Vec<Line>) -> Vec<Entry> {
    let mut entries = Vec::new();
    for line in lines {
        match line {
            Line::Entry(e) => entries.push(e),
            Line::Skipped { .. } => {}
            Line::Unparsed { raw, error } => {
                panic!("unparsed line {:?}: {error}", String::from_utf8_lossy(&raw))
            }
        }
    }
    entries
}

fn find<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.name() == name)
        .unwrap_or_else(|| panic!("{name} not in {:?}", names(entries)))
}

fn names(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.name()).collect()
}

/// What every server must say about the sample tree.
fn check_sample_tree(entries: &[Entry], expect_link: bool) {
    let readme = find(entries, "readme.txt");
    assert_eq!(readme.kind(), Kind::File);
    assert_eq!(readme.size(), Some(README_TEXT.len() as u64));
    let mtime = readme.mtime().expect("readme has a time");
    let age = chrono::Utc::now() - mtime.utc();
    assert!(age.num_minutes().abs() <= 2, "readme time {mtime:?}");
    assert!(matches!(
        mtime.precision,
        Precision::Minute | Precision::Second | Precision::Fraction(_)
    ));

    assert_eq!(find(entries, "blob.bin").size(), Some(BLOB_LEN as u64));
    assert_eq!(find(entries, "sub").kind(), Kind::Dir);
    assert_eq!(find(entries, "empty").kind(), Kind::Dir);
    assert_eq!(find(entries, "with space.txt").kind(), Kind::File);
    assert_eq!(find(entries, CAFE_NAME).kind(), Kind::File);
    assert_eq!(find(entries, CAFE_NAME).name_bytes(), CAFE_NAME.as_bytes());
    if expect_link {
        let link = find(entries, LINK_NAME);
        assert_eq!(link.kind(), Kind::Symlink);
        assert_eq!(link.link_target(), Some("readme.txt"));
    }
}

#[test]
fn vsftpd_lists_with_list() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    let mut ftp = connect(&server, true);
    let lines = ftp.entries("").unwrap();
    let entries = entries_of(lines);
    assert!(entries.iter().all(|e| e.format() == Format::Unix));
    check_sample_tree(&entries, true);
    // A path argument lists that directory.
    let sub = entries_of(ftp.entries("sub").unwrap());
    assert_eq!(names(&sub), ["nested.txt"]);
    assert!(entries_of(ftp.entries("empty").unwrap()).is_empty());
}

#[test]
fn pyftpdlib_lists_with_mlsd_and_list() {
    let server = TestServer::pyftpdlib(Family::V4, false);
    let mut ftp = connect(&server, true);
    let mlsd = entries_of(ftp.entries("").unwrap());
    assert!(
        mlsd.iter().all(|e| e.format() == Format::Mlsx),
        "MLSD chosen"
    );
    check_sample_tree(&mlsd, false);
    let readme = find(&mlsd, "readme.txt");
    assert_eq!(readme.fact("type").as_deref(), Some("file"));
    assert!(readme.fact("perm").is_some());

    let list = entries_of(
        ftp.list_entries("", false, &ParseOptions::default())
            .unwrap(),
    );
    assert!(list.iter().all(|e| e.format() == Format::Unix));
    check_sample_tree(&list, true);

    let explicit = entries_of(ftp.mlsd_entries("sub").unwrap());
    assert!(explicit.iter().any(|e| e.name() == "nested.txt"));
}

#[test]
fn mlsd_entries_on_vsftpd_is_a_permanent_error() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    let mut ftp = connect(&server, true);
    let err = ftp.mlsd_entries("").unwrap_err();
    assert!(matches!(err, Error::Permanent(_)), "{err:?}");
    assert!(ftp.is_usable());
}

#[test]
fn hidden_files_with_list_a() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    std::fs::write(server.user_home.join(".hidden"), b"x").unwrap();
    let mut ftp = connect(&server, false);
    let opts = ParseOptions::default();
    let plain = entries_of(ftp.list_entries("", false, &opts).unwrap());
    assert!(
        !plain.iter().any(|e| e.name() == ".hidden"),
        "{:?}",
        names(&plain)
    );
    let all = entries_of(ftp.list_entries("", true, &opts).unwrap());
    assert!(
        all.iter().any(|e| e.name() == ".hidden"),
        "{:?}",
        names(&all)
    );
    assert!(all.iter().any(|e| e.name() == "hello.txt"));
}

#[test]
fn odd_names_survive() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(server.user_home.join(latin1), b"latin-1 name").unwrap();
    std::fs::write(server.user_home.join("a -> b.txt"), b"arrow").unwrap();
    std::fs::write(server.user_home.join("  two leading spaces"), b"").unwrap();
    std::fs::write(server.user_home.join("trailing space "), b"").unwrap();
    let mut ftp = connect(&server, false);

    let entries = entries_of(ftp.entries("").unwrap());
    let latin = entries
        .iter()
        .find(|e| e.name_bytes() == b"caf\xe9.txt")
        .expect("the non-UTF-8 name is listed byte for byte");
    assert_eq!(latin.name(), "caf\u{fffd}.txt");
    assert_eq!(latin.size(), Some(12));

    let arrow = find(&entries, "a -> b.txt");
    assert_eq!(arrow.kind(), Kind::File);
    assert_eq!(arrow.link_target(), None);
    assert_eq!(find(&entries, "trailing space ").size(), Some(0));
    assert!(
        entries
            .iter()
            .any(|e| e.name().trim_start() == "two leading spaces"),
        "{:?}",
        names(&entries)
    );

    // The string-based NLST reports the undecodable name, and the session goes on.
    let err = ftp.nlst(&[]).unwrap_err();
    assert!(matches!(err, Error::Encoding { .. }), "{err:?}");
    assert!(ftp.is_usable());
    assert!(ftp.noop().is_ok());
}

#[test]
fn server_time_zone_shifts_list_times() {
    let server = TestServer::vsftpd(Family::V4, Tls::None);
    let mut ftp = connect(&server, true);
    let utc = entries_of(
        ftp.list_entries("", false, &ParseOptions::default())
            .unwrap(),
    );
    let plus2 = ParseOptions::default()
        .with_server_offset(chrono::FixedOffset::east_opt(2 * 3600).unwrap());
    let shifted = entries_of(ftp.list_entries("", false, &plus2).unwrap());
    let a = find(&utc, "readme.txt").mtime().as_ref().unwrap().utc();
    let b = find(&shifted, "readme.txt").mtime().as_ref().unwrap().utc();
    assert_eq!(a - b, chrono::Duration::hours(2));
}

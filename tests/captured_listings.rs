//! Listings captured from real servers, parsed whole and checked entry by entry.
//!
//! The fixtures in `tests/fixtures/listings/` are the exact bytes (CRLF included) that vsftpd,
//! proftpd, pure-ftpd and pyftpdlib sent for `LIST`, `LIST -a`, `MLSD` and `MLST small.txt`
//! while serving one fixture tree; `scripts/capture_listings.sh` made them and
//! `tests/fixtures/listings/README.md` says how. Every server listed the same tree, so
//! [`TREE`] is the single table of expected entries, and [`expected`] states each server's
//! differences from it explicitly.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use ftplib::list::{
    parse_listing, parse_mlsd_listing, parse_mlsx_line, Entry, Kind, Line, ParseOptions, Precision,
    Special,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Vsftpd,
    Proftpd,
    PureFtpd,
    Pyftpdlib,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    List,
    ListA,
    Mlsd,
}

struct Fixture {
    server: Server,
    command: Command,
    file: &'static str,
    bytes: &'static [u8],
}

macro_rules! fixture {
    ($server:ident, $command:ident, $file:literal) => {
        Fixture {
            server: Server::$server,
            command: Command::$command,
            file: $file,
            bytes: include_bytes!(concat!("fixtures/listings/", $file)),
        }
    };
}

/// Every captured listing. vsftpd has no MLSD.
const FIXTURES: &[Fixture] = &[
    fixture!(Vsftpd, List, "vsftpd-3.0.3.list"),
    fixture!(Vsftpd, ListA, "vsftpd-3.0.3.list-a"),
    fixture!(Proftpd, List, "proftpd-1.3.8.list"),
    fixture!(Proftpd, ListA, "proftpd-1.3.8.list-a"),
    fixture!(Proftpd, Mlsd, "proftpd-1.3.8.mlsd"),
    fixture!(PureFtpd, List, "pure-ftpd-1.0.50.list"),
    fixture!(PureFtpd, ListA, "pure-ftpd-1.0.50.list-a"),
    fixture!(PureFtpd, Mlsd, "pure-ftpd-1.0.50.mlsd"),
    fixture!(Pyftpdlib, List, "pyftpdlib-2.2.0.list"),
    fixture!(Pyftpdlib, ListA, "pyftpdlib-2.2.0.list-a"),
    fixture!(Pyftpdlib, Mlsd, "pyftpdlib-2.2.0.mlsd"),
];

/// The `MLST small.txt` control replies (whole multi-line replies), with the path each server
/// put in the fact line.
const MLST_REPLIES: &[(Server, &str, &[u8], MlstName)] = &[
    (
        Server::Proftpd,
        "proftpd-1.3.8.mlst",
        include_bytes!("fixtures/listings/proftpd-1.3.8.mlst"),
        // The absolute path of the capture's temp directory.
        MlstName::EndsWith("/tree/small.txt"),
    ),
    (
        Server::PureFtpd,
        "pure-ftpd-1.0.50.mlst",
        include_bytes!("fixtures/listings/pure-ftpd-1.0.50.mlst"),
        MlstName::Exactly("small.txt"),
    ),
    (
        Server::Pyftpdlib,
        "pyftpdlib-2.2.0.mlst",
        include_bytes!("fixtures/listings/pyftpdlib-2.2.0.mlst"),
        MlstName::Exactly("/small.txt"),
    ),
];

enum MlstName {
    Exactly(&'static str),
    EndsWith(&'static str),
}

/// When the captures were made (UTC); the "now" for year inference.
const CAPTURED_AT: &str = include_str!("fixtures/listings/captured-at.txt");

fn captured_at() -> DateTime<Utc> {
    CAPTURED_AT
        .trim()
        .parse()
        .expect("captured-at.txt holds an RFC 3339 UTC time")
}

/// What an entry should be.
#[derive(Debug, Clone, PartialEq)]
enum Is {
    File,
    Dir,
    /// A symlink, with the target the line shows (`None`: the line names no target).
    Link(Option<&'static str>),
    Other(Special),
}

/// The modification time the tree gave an entry (the capture script sets them all).
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    /// `touch -d '2020-06-15 12:34:56 UTC'`: everything not listed otherwise.
    Fixed,
    /// `touch -d '2001-02-03 00:00:00 UTC'`.
    Old,
    /// `touch -d '-10 days'`: LIST shows `Nov 15 13:21`, no year.
    Recent,
    /// Not set by the script (`.` in LIST -a is, `..` is the temp dir).
    Unchecked,
}

#[derive(Debug, Clone)]
struct Expected {
    name: &'static str,
    is: Is,
    /// Checked when `Some`: files, and symlinks (the length of the target path).
    size: Option<u64>,
    mode: Option<u32>,
    when: When,
}

const fn file(name: &'static str, size: u64) -> Expected {
    Expected {
        name,
        is: Is::File,
        size: Some(size),
        mode: Some(0o644),
        when: When::Fixed,
    }
}

const fn dir(name: &'static str) -> Expected {
    Expected {
        name,
        is: Is::Dir,
        size: None,
        mode: Some(0o755),
        when: When::Fixed,
    }
}

const fn link(name: &'static str, target: &'static str) -> Expected {
    Expected {
        name,
        is: Is::Link(Some(target)),
        size: Some(target.len() as u64),
        mode: Some(0o777),
        when: When::Fixed,
    }
}

/// The fixture tree, as `scripts/capture_listings.sh` builds it.
fn tree() -> Vec<Expected> {
    vec![
        file("empty.bin", 0),
        file("small.txt", 13),
        file("big.bin", 5_000_000_000),
        dir("subdir"),
        dir("emptydir"),
        Expected {
            mode: Some(0o1777),
            ..dir("sticky")
        },
        file("with space.txt", 7),
        // Two leading spaces and one trailing space.
        file("  padded name ", 7),
        file("café.txt", 6),
        file("日本語.txt", 10),
        // A plain file, not a symlink.
        file("arrow -> not a link.txt", 11),
        file(".hidden", 4),
        Expected {
            when: When::Old,
            ..file("old.txt", 4)
        },
        Expected {
            when: When::Recent,
            ..file("recent.txt", 7)
        },
        Expected {
            mode: Some(0o4755),
            ..file("setuid.bin", 10)
        },
        Expected {
            is: Is::Other(Special::Pipe),
            ..file("fifo", 0)
        },
        link("link-to-file", "small.txt"),
        link("link-to-dir", "subdir"),
        link("broken-link", "does-not-exist"),
    ]
}

/// `.` and `..` of the listed directory.
fn self_and_parent() -> [Expected; 2] {
    [
        dir("."),
        Expected {
            when: When::Unchecked,
            mode: Some(0o755),
            ..dir("..")
        },
    ]
}

struct Edit(Vec<Expected>);

impl Edit {
    fn without(mut self, name: &str) -> Self {
        let before = self.0.len();
        self.0.retain(|e| e.name != name);
        assert_eq!(self.0.len(), before - 1, "no {name:?} in the table");
        self
    }

    fn change(mut self, name: &str, f: impl FnOnce(&mut Expected)) -> Self {
        f(self.0.iter_mut().find(|e| e.name == name).unwrap());
        self
    }

    fn with(mut self, extra: impl IntoIterator<Item = Expected>) -> Self {
        self.0.extend(extra);
        self
    }
}

/// The entries `server` sends for `command`: [`tree`] with each server's differences.
fn expected(server: Server, command: Command) -> Vec<Expected> {
    use Command::*;
    use Server::*;
    let mut edit = Edit(tree());
    match command {
        List | ListA => {
            // Plain LIST hides dotfiles; LIST -a shows them with `.` and `..`.
            // pyftpdlib ignores `-a`: both show `.hidden`, neither `.`/`..`.
            if server != Pyftpdlib {
                edit = match command {
                    List => edit.without(".hidden"),
                    _ => edit.with(self_and_parent()),
                };
            }
            // pure-ftpd's LIST leaves out the fifo (its MLSD has it).
            if server == PureFtpd {
                edit = edit.without("fifo");
            }
        }
        Mlsd => {
            // `type=cdir` and `type=pdir` entries; pyftpdlib sends neither.
            if server != Pyftpdlib {
                edit = edit.with(self_and_parent());
            }
            edit = match server {
                // `type=OS.unix=symlink` with no target, and the link's own size and mode; the
                // broken link is left out; the fifo is `type=file`.
                Proftpd => edit
                    .without("broken-link")
                    .change("link-to-file", |e| e.is = Is::Link(None))
                    .change("link-to-dir", |e| e.is = Is::Link(None))
                    .change("fifo", |e| e.is = Is::File),
                // `type=OS.unix=slink:` with an empty target, read as no target (an empty
                // path is none); the fifo is `type=unknown`.
                PureFtpd => edit
                    .change("link-to-file", |e| e.is = Is::Link(None))
                    .change("link-to-dir", |e| e.is = Is::Link(None))
                    .change("broken-link", |e| e.is = Is::Link(None))
                    .change("fifo", |e| {
                        e.is = Is::Other(Special::Unknown("unknown".into()))
                    }),
                // Follows symlinks: a link is shown as what it points to (its size and
                // mtime), the broken one is left out; the fifo is `type=file`; no modes.
                Pyftpdlib => {
                    let mut edit = edit
                        .without("broken-link")
                        .change("link-to-file", |e| *e = file("link-to-file", 13))
                        .change("link-to-dir", |e| *e = dir("link-to-dir"))
                        .change("fifo", |e| e.is = Is::File);
                    for e in &mut edit.0 {
                        e.mode = None;
                    }
                    edit
                }
                Vsftpd => unreachable!("vsftpd has no MLSD"),
            };
        }
    }
    edit.0
}

fn kind_of(is: &Is) -> Kind {
    match is {
        Is::File => Kind::File,
        Is::Dir => Kind::Dir,
        Is::Link(_) => Kind::Symlink,
        Is::Other(special) => Kind::Other(special.clone()),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn parse(fixture: &Fixture) -> Vec<Line> {
    match fixture.command {
        Command::List | Command::ListA => {
            parse_listing(fixture.bytes, &ParseOptions::new(captured_at()))
        }
        Command::Mlsd => parse_mlsd_listing(fixture.bytes),
    }
}

/// The entries of a fixture; fails on any line that is not an entry.
fn entries(fixture: &Fixture) -> Vec<Entry> {
    let lines = parse(fixture);
    let unparsed: Vec<&Line> = lines
        .iter()
        .filter(|l| matches!(l, Line::Unparsed { .. }))
        .collect();
    assert!(
        unparsed.is_empty(),
        "{}: unparsed lines {unparsed:#?}",
        fixture.file
    );
    // None of these servers sends a `total N` line or blank lines.
    let skipped: Vec<&Line> = lines.iter().filter(|l| l.entry().is_none()).collect();
    assert!(
        skipped.is_empty(),
        "{}: skipped lines {skipped:#?}",
        fixture.file
    );
    lines.iter().filter_map(|l| l.entry().cloned()).collect()
}

fn check_mtime(file: &str, command: Command, e: &Entry, want: When) {
    let Some(mtime) = e.mtime() else {
        panic!("{file}: {:?} has no mtime", e.name());
    };
    let local: NaiveDateTime = mtime.time.naive_local();
    let what = format!("{file}: mtime of {:?}: {mtime:?}", e.name());
    let recent = (captured_at() - Duration::days(10)).date_naive();
    match (command, want) {
        (_, When::Unchecked) => {}
        // `ls -l` style: `Jun 15  2020`, a date only, unless within six months.
        (Command::List | Command::ListA, When::Fixed) => {
            assert_eq!(
                (local.date(), mtime.precision),
                (date(2020, 6, 15), Precision::Day),
                "{what}"
            );
            assert!(!mtime.year_inferred, "{what}");
        }
        (Command::List | Command::ListA, When::Old) => {
            assert_eq!(
                (local.date(), mtime.precision),
                (date(2001, 2, 3), Precision::Day),
                "{what}"
            );
            assert!(!mtime.year_inferred, "{what}");
        }
        // `Nov 15 13:21`: the year comes from the capture time.
        (Command::List | Command::ListA, When::Recent) => {
            assert_eq!(
                (local.date(), mtime.precision),
                (recent, Precision::Minute),
                "{what}"
            );
            assert!(mtime.year_inferred, "{what}");
        }
        // MLSD `modify` facts: UTC, to the second.
        (Command::Mlsd, When::Fixed) => {
            assert_eq!(mtime.to_iso_string(), "2020-06-15T12:34:56", "{what}");
            assert_eq!(mtime.precision, Precision::Second, "{what}");
        }
        (Command::Mlsd, When::Old) => {
            assert_eq!(mtime.to_iso_string(), "2001-02-03T00:00:00", "{what}");
        }
        (Command::Mlsd, When::Recent) => {
            assert_eq!(
                (local.date(), mtime.precision),
                (recent, Precision::Second),
                "{what}"
            );
            assert!(!mtime.year_inferred, "{what}");
        }
    }
}

fn check_entry(fixture: &Fixture, e: &Entry, want: &Expected) {
    let file = fixture.file;
    let what = format!(
        "{file}: {:?} (raw {:?})",
        want.name,
        String::from_utf8_lossy(e.raw())
    );
    assert_eq!(e.name_bytes(), want.name.as_bytes(), "{what}");
    assert_eq!(e.kind(), kind_of(&want.is), "{what}");
    match &want.is {
        Is::Link(target) => assert_eq!(e.link_target(), *target, "{what}"),
        _ => assert_eq!(e.link_target(), None, "{what}"),
    }
    if let Some(size) = want.size {
        assert_eq!(e.size(), Some(size), "{what}");
    }
    assert_eq!(e.mode(), want.mode, "{what}");
    check_mtime(file, fixture.command, e, want.when);
    assert_eq!(
        e.is_self_or_parent(),
        matches!(want.name, "." | ".."),
        "{what}"
    );
}

#[test]
fn every_captured_listing_parses_into_the_expected_entries() {
    for fixture in FIXTURES {
        let got = entries(fixture);
        let mut want = expected(fixture.server, fixture.command);

        let mut got_names: Vec<&str> = got.iter().map(Entry::name).collect();
        let mut want_names: Vec<&str> = want.iter().map(|e| e.name).collect();
        got_names.sort_unstable();
        want_names.sort_unstable();
        assert_eq!(got_names, want_names, "{}: names", fixture.file);

        for e in &got {
            let i = want.iter().position(|w| w.name == e.name()).unwrap();
            check_entry(fixture, e, &want.swap_remove(i));
        }
    }
}

#[test]
fn owners_and_groups_are_read_from_columns_and_facts() {
    for fixture in FIXTURES {
        // LIST: vsftpd prints numeric ids (its `text_userdb_names` is off by default).
        // MLSD: proftpd sends `UNIX.ownername`/`UNIX.groupname` (preferred over its
        // `UNIX.owner`/`UNIX.group`), pure-ftpd only `UNIX.uid`/`UNIX.gid`, pyftpdlib neither.
        let owner = match (fixture.server, fixture.command) {
            (Server::Vsftpd, _) | (Server::PureFtpd, Command::Mlsd) => Some("1001"),
            (Server::Pyftpdlib, Command::Mlsd) => None,
            _ => Some("ftptest"),
        };
        for e in entries(fixture) {
            if e.name() == ".." {
                continue; // the capture's temp dir, owned by root
            }
            let what = format!("{}: {:?}", fixture.file, e.name());
            assert_eq!(e.owner().as_deref(), owner, "{what}");
            assert_eq!(e.group().as_deref(), owner, "{what}");
        }
    }
}

#[test]
fn mlst_replies_describe_small_txt() {
    for (server, file, reply, name) in MLST_REPLIES {
        let text = String::from_utf8_lossy(reply);
        assert!(reply.ends_with(b"\r\n"), "{file}: {text}");
        // RFC 3659: `250-…`, one fact line indented by a space, `250 …`.
        let lines: Vec<&[u8]> = reply.split_inclusive(|&b| b == b'\n').collect();
        assert_eq!(lines.len(), 3, "{file}: {text}");
        assert!(lines[0].starts_with(b"250-") && lines[2].starts_with(b"250 "));
        assert!(lines[1].starts_with(b" "), "{file}: {text}");

        let e = parse_mlsx_line(lines[1]).unwrap_or_else(|err| panic!("{file}: {err}"));
        match name {
            MlstName::Exactly(n) => assert_eq!(e.name(), *n, "{file} ({server:?})"),
            MlstName::EndsWith(n) => assert!(e.name().ends_with(n), "{file}: {:?}", e.name()),
        }
        assert!(
            !e.name().starts_with(' '),
            "{file}: the indent is not part of the name"
        );
        assert_eq!((e.kind(), e.size()), (Kind::File, Some(13)), "{file}");
        let mtime = e.mtime().unwrap();
        assert_eq!(mtime.to_iso_string(), "2020-06-15T12:34:56", "{file}");
        let mode = if *server == Server::Pyftpdlib {
            None
        } else {
            Some(0o644)
        };
        assert_eq!(e.mode(), mode, "{file}");
    }
}

/// Guards the fixtures themselves: each file in the directory is checked above, and none was
/// rewritten (line endings) on its way through git.
#[test]
fn fixture_files_are_all_used_and_byte_exact() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/listings");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            [".list", ".list-a", ".mlsd", ".mlst"]
                .iter()
                .any(|x| n.ends_with(x))
        })
        .collect();
    let mut used: Vec<String> = FIXTURES
        .iter()
        .map(|f| f.file)
        .chain(MLST_REPLIES.iter().map(|m| m.1))
        .map(String::from)
        .collect();
    on_disk.sort();
    used.sort();
    assert_eq!(on_disk, used);

    for fixture in FIXTURES {
        let bytes = fixture.bytes;
        assert!(bytes.ends_with(b"\r\n"), "{}", fixture.file);
        let lf = bytes.iter().filter(|&&b| b == b'\n').count();
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, crlf, "{}: every line ends in CRLF", fixture.file);
    }
    assert!(captured_at() > "2026-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
}

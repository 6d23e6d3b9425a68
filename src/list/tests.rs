//! Table-driven tests (one `#[test]` per case) and property tests for the listing parsers.
//!
//! The property tests use proptest's default case count (256), which suits CI. For a long run
//! set `PROPTEST_CASES`, e.g. `PROPTEST_CASES=100000 cargo test --release --lib list::tests::prop`.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

/// "Now" for every table case: 2024-03-10 12:00 UTC.
fn opts() -> ParseOptions {
    ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap())
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}

/// `kind|name|size|mtime|target`, the fields the example tool prints.
fn summary(e: &Entry) -> String {
    let kind = match e.kind() {
        Kind::File => "file",
        Kind::Dir => "dir",
        Kind::Symlink => "link",
        Kind::Other(_) => "other",
    };
    let size = e.size().map_or("-".to_string(), |s| s.to_string());
    let mtime = e.mtime().map_or("-".to_string(), |m| m.to_iso_string());
    let target = e.link_target().map_or("-".to_string(), esc);
    format!("{kind}|{}|{size}|{mtime}|{target}", esc(e.name()))
}

/// `name: line => "summary" [, |e| extra assertions];` — a LIST line that must parse.
macro_rules! list_ok {
    ($($test:ident: $line:expr => $want:expr $(, |$e:ident| $extra:expr)?;)*) => {$(
        #[test]
        fn $test() {
            let line: &[u8] = $line.as_ref();
            let e = match parse_list_line(line, &opts()) {
                Ok(e) => e,
                Err(err) => panic!("{err}"),
            };
            assert_eq!(summary(&e), $want);
            assert_eq!(e.raw(), strip_ending(line));
            $( let $e = &e; $extra; )?
        }
    )*};
}

/// `name: line => ErrorKind;` — a LIST line that must be refused with that reason.
macro_rules! list_err {
    ($($test:ident: $line:expr => $kind:expr;)*) => {$(
        #[test]
        fn $test() {
            let line: &[u8] = $line.as_ref();
            match parse_list_line(line, &opts()) {
                Err(err) => {
                    assert_eq!(err.kind(), &$kind, "{err}");
                    assert_eq!(err.raw(), line);
                }
                Ok(e) => panic!("should not parse, got {}", summary(&e)),
            }
        }
    )*};
}

/// MLSD/MLST lines that must parse.
macro_rules! mlsx_ok {
    ($($test:ident: $line:expr => $want:expr $(, |$e:ident| $extra:expr)?;)*) => {$(
        #[test]
        fn $test() {
            let line: &[u8] = $line.as_ref();
            let e = match parse_mlsx_line(line) {
                Ok(e) => e,
                Err(err) => panic!("{err}"),
            };
            assert_eq!(summary(&e), $want);
            $( let $e = &e; $extra; )?
        }
    )*};
}

/// MLSD/MLST lines that must be refused.
macro_rules! mlsx_err {
    ($($test:ident: $line:expr => $kind:expr;)*) => {$(
        #[test]
        fn $test() {
            match parse_mlsx_line($line.as_ref()) {
                Err(err) => assert_eq!(err.kind(), &$kind, "{err}"),
                Ok(e) => panic!("should not parse, got {}", summary(&e)),
            }
        }
    )*};
}

fn cols(e: &Entry) -> (Option<u64>, Option<String>, Option<String>) {
    (
        e.links(),
        e.owner().map(String::from),
        e.group().map(String::from),
    )
}

list_ok! {
    // --- Servers ---
    vsftpd_recent: "-rw-r--r--    1 1000     1000         1063 Jun 15 10:18 README"
        => "file|README|1063|2023-06-15T10:18|-",
        |e| { assert_eq!(cols(e), (Some(1), Some("1000".into()), Some("1000".into()))); assert_eq!(e.mode(), Some(0o644));
              assert!(e.mtime().unwrap().year_inferred); assert_eq!(e.format(), Format::Unix) };
    vsftpd_old: "drwxr-xr-x    2 1000     1000         4096 Jun 15  2020 pub"
        => "dir|pub|4096|2020-06-15|-", |e| assert!(!e.mtime().unwrap().year_inferred);
    proftpd: "-rw-r--r--   1 ftp      ftp          312 Aug  1  1994 welcome.msg"
        => "file|welcome.msg|312|1994-08-01|-";
    pure_ftpd: "-rw-r--r--    1 ftp        ftp              1234 Feb 14 14:52 file.txt"
        => "file|file.txt|1234|2024-02-14T14:52|-";
    pyftpdlib: "-rw-r--r--   1 user     group        1024 Nov 25 12:00 file"
        => "file|file|1024|2023-11-25T12:00|-";
    macos_xattr: "-rw-r--r--@ 1 user  staff  1234 Mar  1 12:00 x"
        => "file|x|1234|2024-03-01T12:00|-", |e| assert_eq!(cols(e), (Some(1), Some("user".into()), Some("staff".into())));
    busybox: "-rw-r--r--    1 0        0             123 Jan  1 00:00 x"
        => "file|x|123|2024-01-01T00:00|-";
    filezilla_server: "-rw-r--r-- 1 ftp ftp          12345 Jan 01 12:00 name"
        => "file|name|12345|2024-01-01T12:00|-";
    dot_entries: "drwxr-xr-x   3 root root 4096 Jan  1  2020 .."
        => "dir|..|4096|2020-01-01|-", |e| assert!(e.is_self_or_parent());

    // --- Kinds and modes ---
    symlink: "lrwxrwxrwx   1 root     root            7 Jan  1  2020 bin -> usr/bin"
        => "link|bin|7|2020-01-01|usr/bin", |e| assert_eq!(e.mode(), Some(0o777));
    symlink_spaces: "lrwxrwxrwx 1 u g 7 Jan 1 2020 my link -> my target -> x"
        => "link|my link|7|2020-01-01|my target -> x";
    symlink_no_arrow: "lrwxrwxrwx 1 u g 7 Jan 1 2020 dangling"
        => "link|dangling|7|2020-01-01|-";
    arrow_in_file_name: "-rw-r--r-- 1 u g 7 Jan 1 2020 a -> b"
        => "file|a -> b|7|2020-01-01|-";
    char_device: "crw-rw-rw-   1 root  root   1,   3 Jan 1 2020 null"
        => "other|null|-|2020-01-01|-",
        |e| { assert_eq!(e.device(), Some((1, 3))); assert_eq!(e.kind(), Kind::Other(Special::CharDevice)) };
    block_device_glued: "brw-rw----   1 root disk 8,0 Mar 1 2020 sda"
        => "other|sda|-|2020-03-01|-", |e| assert_eq!(e.device(), Some((8, 0)));
    device_hex_minor: "crw-rw-rw-  1 root  wheel   3,  0x00000002 Mar  1 12:00 null"
        => "other|null|-|2024-03-01T12:00|-", |e| assert_eq!(e.device(), Some((3, 2)));
    pipe: "prw-r--r-- 1 u g 0 Jan 1 2020 fifo"
        => "other|fifo|0|2020-01-01|-", |e| assert_eq!(e.kind(), Kind::Other(Special::Pipe));
    socket: "srwxrwxrwx 1 u g 0 Jan 1 2020 sock"
        => "other|sock|0|2020-01-01|-", |e| assert_eq!(e.kind(), Kind::Other(Special::Socket));
    door: "Dr--r--r-- 1 root root 0 Jan 1 2020 name_service_door"
        => "other|name_service_door|0|2020-01-01|-", |e| assert_eq!(e.kind(), Kind::Other(Special::Door));
    sticky: "drwxrwxrwt   2 root root 4096 Jan 1 2020 tmp"
        => "dir|tmp|4096|2020-01-01|-", |e| assert_eq!(e.mode(), Some(0o1777));
    setuid: "-rwsr-xr-x 1 root root 1234 Jan 1 2020 su"
        => "file|su|1234|2020-01-01|-", |e| assert_eq!(e.mode(), Some(0o4755));
    special_bits_no_exec: "-rwSr-Sr-T 1 root root 1 Jan 1 2020 odd"
        => "file|odd|1|2020-01-01|-", |e| assert_eq!(e.mode(), Some(0o7644));
    acl_marker: "-rw-r--r--+ 1 u g 5 Jan 1 2020 x" => "file|x|5|2020-01-01|-";
    selinux_marker: "-rw-r--r--. 1 u g 5 Jan 1 2020 x" => "file|x|5|2020-01-01|-";

    // --- Columns ---
    missing_group: "-rw-r--r-- 1 user 1234 Jan 1 2020 x"
        => "file|x|1234|2020-01-01|-", |e| assert_eq!(cols(e), (Some(1), Some("user".into()), None));
    missing_link_count: "-rw-r--r-- user group 1234 Jan 1 2020 x"
        => "file|x|1234|2020-01-01|-", |e| assert_eq!(cols(e), (None, Some("user".into()), Some("group".into())));
    links_glued_to_mode: "-rw-r--r--12 user group 1234 Jan 1 2020 x"
        => "file|x|1234|2020-01-01|-", |e| assert_eq!(cols(e), (Some(12), Some("user".into()), Some("group".into())));
    links_glued_to_owner: "-rw-r--r-- 12user group 1234 Jan 1 2020 x"
        => "file|x|1234|2020-01-01|-", |e| assert_eq!(cols(e), (Some(12), Some("user".into()), Some("group".into())));
    size_glued_to_group: "-rw-r--r--   1 owner    staffgroup12345 Jan  1  2020 x"
        => "file|x|12345|2020-01-01|-", |e| assert_eq!(cols(e), (Some(1), Some("owner".into()), Some("staffgroup".into())));
    inode_and_blocks: "  1234    4 -rw-r--r-- 1 u g 5 Jan 1 2020 x" => "file|x|5|2020-01-01|-";
    group_named_like_month: "-rw-r--r-- 1 user mar 5 Mar 12 12:00 x"
        => "file|x|5|2023-03-12T12:00|-", |e| assert_eq!(e.group().as_deref(), Some("mar"));
    size_k: "-rw-r--r-- 1 u g 33.5k Jan 1 2020 x"
        => "file|x|34304|2020-01-01|-", |e| assert!(e.size_is_approximate());
    size_m: "-rw-r--r-- 1 u g 9.0M Jan 1 2020 x"
        => "file|x|9437184|2020-01-01|-", |e| assert!(e.size_is_approximate());
    size_exact_not_approximate: "-rw-r--r-- 1 u g 9 Jan 1 2020 x"
        => "file|x|9|2020-01-01|-", |e| assert!(!e.size_is_approximate());
    size_thousands: "-rw-r--r-- 1 u g 1,234,567 Jan 1 2020 x" => "file|x|1234567|2020-01-01|-";
    huge_size: "-rw-r--r-- 1 u g 18446744073709551615 Jan 1 2020 x"
        => "file|x|18446744073709551615|2020-01-01|-";
    leading_blank: "  -rw-r--r-- 1 u g 5 Jan 1 2020 x" => "file|x|5|2020-01-01|-";

    // --- Names ---
    name_leading_spaces: "-rw-r--r-- 1 u g 5 Jan  1  2020   lead" => "file|  lead|5|2020-01-01|-";
    name_trailing_spaces: "-rw-r--r-- 1 u g 5 Jan  1  2020 trail  " => "file|trail  |5|2020-01-01|-";
    name_inner_spaces: "-rw-r--r-- 1 u g 5 Jan 1 12:00 a  b   c" => "file|a  b   c|5|2024-01-01T12:00|-";
    name_only_space: "-rw-r--r-- 1 u g 5 Jan 1 12:00  " => "file| |5|2024-01-01T12:00|-";
    name_with_tab: "-rw-r--r-- 1 u g 5 Jan 1 12:00 a\tb" => "file|a\\tb|5|2024-01-01T12:00|-";
    name_bare_cr_kept: b"-rw-r--r-- 1 u g 5 Jan 1 2020 x\r" => "file|x\\r|5|2020-01-01|-";
    crlf_stripped: b"-rw-r--r-- 1 u g 5 Jan 1 2020 x\r\n" => "file|x|5|2020-01-01|-";
    name_non_utf8: b"-rw-r--r-- 1 u g 5 Jan 1 2020 caf\xe9"
        => "file|caf\u{fffd}|5|2020-01-01|-", |e| assert_eq!(e.name_bytes(), b"caf\xe9");
    name_digits: "-rw-r--r-- 1 u g 5 Jan 1 2020 2021 report.pdf" => "file|2021 report.pdf|5|2020-01-01|-";
    name_like_time: "-rw-r--r-- 1 u g 5 Jan 1 12:00 12:30 notes" => "file|12:30 notes|5|2024-01-01T12:00|-";
    name_like_date: "-rw-r--r-- 1 u g 5 Jan 1 12:00 Feb 2 2020" => "file|Feb 2 2020|5|2024-01-01T12:00|-";
    name_unicode: "-rw-r--r-- 1 u g 5 Jan 1 2020 日本語 ファイル" => "file|日本語 ファイル|5|2020-01-01|-";

    // --- Year inference (now = 2024-03-10 12:00) ---
    year_tomorrow_is_this_year: "-rw-r--r-- 1 u g 5 Mar 11 09:00 x" => "file|x|5|2024-03-11T09:00|-";
    year_two_days_ahead_is_last_year: "-rw-r--r-- 1 u g 5 Mar 12 09:00 x" => "file|x|5|2023-03-12T09:00|-";
    year_feb_29: "-rw-r--r-- 1 u g 5 Feb 29 09:00 x" => "file|x|5|2024-02-29T09:00|-";

    // --- Date forms ---
    iso_long: "-rw-r--r-- 1 u g 5 2021-11-03 14:05 x" => "file|x|5|2021-11-03T14:05|-";
    iso_full: "-rw-r--r-- 1 u g 5 2021-11-03 14:05:06.123456789 +0100 x"
        => "file|x|5|2021-11-03T14:05:06.123456789|-",
        |e| assert_eq!(e.mtime().unwrap().utc().to_rfc3339(), "2021-11-03T13:05:06.123456789+00:00");
    iso_date_only: "-rw-r--r-- 1 u g 5 2003-03-05 x" => "file|x|5|2003-03-05|-";
    gnu_iso_recent: "-rw-r--r-- 1 u g 5 03-05 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    mm_dd_yyyy: "-rw-r--r-- 1 u g 5 03-05 2003 x" => "file|x|5|2003-03-05|-";
    bsd_full_time: "-rw-r--r-- 1 u g 5 Mar  5 12:00:01 2003 x" => "file|x|5|2003-03-05T12:00:01|-";
    mon_dd_comma_yyyy_time: "-rw-r--r-- 1 u g 5 Mar 5, 2003 12:00 x" => "file|x|5|2003-03-05T12:00|-";
    mon_dd_comma_yyyy: "-rw-r--r-- 1 u g 5 Mar 5, 2003 x" => "file|x|5|2003-03-05|-";
    yyyy_then_time_not_taken: "-rw-r--r-- 1 u g 5 Mar 5 2003 12:00 x" => "file|12:00 x|5|2003-03-05|-";
    day_month: "-rw-r--r-- 1 u g 5 5 Mar 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    german_day_dot: "-rw-r--r-- 1 u g 5 5. Mär 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    german_month_first: "-rw-r--r-- 1 u g 5 Mär  5  2003 x" => "file|x|5|2003-03-05|-";
    german_upper: "-rw-r--r-- 1 u g 5 MÄRZ 5 2003 x" => "file|x|5|2003-03-05|-";
    german_okt: "-rw-r--r-- 1 u g 5 Okt 5 2003 x" => "file|x|5|2003-10-05|-";
    french_dot: "-rw-r--r-- 1 u g 5 janv. 5 2003 x" => "file|x|5|2003-01-05|-";
    french_fevr: "-rw-r--r-- 1 u g 5 févr. 5 2003 x" => "file|x|5|2003-02-05|-";
    french_day_first: "-rw-r--r-- 1 u g 5 5 déc. 2003 x" => "file|x|5|2003-12-05|-";
    french_aout: "-rw-r--r-- 1 u g 5 août 5 2003 x" => "file|x|5|2003-08-05|-";
    spanish: "-rw-r--r-- 1 u g 5 dic 5 2003 x" => "file|x|5|2003-12-05|-";
    spanish_ene: "-rw-r--r-- 1 u g 5 ene 5 2003 x" => "file|x|5|2003-01-05|-";
    italian: "-rw-r--r-- 1 u g 5 ott 5 2003 x" => "file|x|5|2003-10-05|-";
    italian_gen: "-rw-r--r-- 1 u g 5 gen 5 2003 x" => "file|x|5|2003-01-05|-";
    dutch: "-rw-r--r-- 1 u g 5 mrt 5 2003 x" => "file|x|5|2003-03-05|-";
    dutch_mei: "-rw-r--r-- 1 u g 5 mei 5 2003 x" => "file|x|5|2003-05-05|-";
    portuguese: "-rw-r--r-- 1 u g 5 out 5 2003 x" => "file|x|5|2003-10-05|-";
    hungarian: "-rw-r--r-- 1 u g 5 márc. 5 2003 x" => "file|x|5|2003-03-05|-";
    hungarian_year_first: "-rw-r--r-- 1 u g 5 2003. márc. 5. x" => "file|x|5|2003-03-05|-";
    russian: "-rw-r--r-- 1 u g 5 мар 5 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    russian_upper_genitive: "-rw-r--r-- 1 u g 5 5 ДЕКАБРЯ 2003 x" => "file|x|5|2003-12-05|-";
    polish: "-rw-r--r-- 1 u g 5 paź 5 2003 x" => "file|x|5|2003-10-05|-";
    swedish: "-rw-r--r-- 1 u g 5 maj 5 2003 x" => "file|x|5|2003-05-05|-";
    turkish: "-rw-r--r-- 1 u g 5 Şub 5 2003 x" => "file|x|5|2003-02-05|-";
    english_full: "-rw-r--r-- 1 u g 5 September 5 2003 x" => "file|x|5|2003-09-05|-";
    japanese: "-rw-r--r-- 1 u g 5 3月 5日 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    japanese_ls: "-rw-r--r-- 1 u g 5  3月  5 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    japanese_ls_year: "-rw-r--r-- 1 u g 5  3月  5  2003 x" => "file|x|5|2003-03-05|-";
    cjk_full_date: "-rw-r--r-- 1 u g 5 2003年3月5日 x" => "file|x|5|2003-03-05|-";
    cjk_spaced_date: "-rw-r--r-- 1 u g 5 2003年 3月 5日 12:00 x" => "file|x|5|2003-03-05T12:00|-";
    korean: "-rw-r--r-- 1 u g 5 3월 5일 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    korean_full: "-rw-r--r-- 1 u g 5 2003년 3월 5일 x" => "file|x|5|2003-03-05|-";
    slash_date: "-rw-r--r-- 1 u g 5 2003/03/05 x" => "file|x|5|2003-03-05|-";
    dotted_date_time: "-rw-r--r-- 1 u g 5 2003.03.05 12:00 x" => "file|x|5|2003-03-05T12:00|-";
    dd_mm_yyyy: "-rw-r--r-- 1 u g 5 05.03.2003 x" => "file|x|5|2003-03-05|-";
    dd_mon_yy: "-rw-r--r-- 1 u g 5 05-Mar-03 x" => "file|x|5|2003-03-05|-";
    dd_mon_yyyy_time: "-rw-r--r-- 1 u g 5 05-Mar-2003 12:00 x" => "file|x|5|2003-03-05T12:00|-";
    numeric_month_day: "-rw-r--r-- 1 u g 5 3 5 12:00 x" => "file|x|5|2024-03-05T12:00|-";
    numeric_month_day_year: "-rw-r--r-- 1 u g 5 12 25 2003 x" => "file|x|5|2003-12-25|-";

    // --- DOS / IIS ---
    iis_dir: "01-16-02  11:14AM       <DIR>          epsgroup"
        => "dir|epsgroup|-|2002-01-16T11:14|-", |e| assert_eq!(e.format(), Format::Dos);
    iis_file_pm: "11-28-12  10:23PM                 8036 file.txt" => "file|file.txt|8036|2012-11-28T22:23|-";
    iis_4digit_24h: "2021-11-03  14:05              1234 a b.txt" => "file|a b.txt|1234|2021-11-03T14:05|-";
    iis_mm_dd_yyyy: "01-16-2002  12:05AM  1,234,567 big.iso" => "file|big.iso|1234567|2002-01-16T00:05|-";
    iis_noon: "01-16-2002  12:05PM  1 a" => "file|a|1|2002-01-16T12:05|-";
    dos_separate_ampm: "01-16-02  11:14 PM  <DIR>  x" => "dir|x|-|2002-01-16T23:14|-";
    dos_y69: "01-16-69  11:14  <DIR>  x" => "dir|x|-|1969-01-16T11:14|-";
    dos_day_first_swapped: "16-01-02  11:14AM  <DIR>  x" => "dir|x|-|2002-01-16T11:14|-";
    dos_dotted_day_first: "05.03.2003  14:00  1.234  x" => "file| x|1234|2003-03-05T14:00|-";
    dos_slash: "03/05/2003  14:00  <DIR>  x" => "dir|x|-|2003-03-05T14:00|-";
    dos_seconds: "2021-11-03  14:05:09  1 x" => "file|x|1|2021-11-03T14:05:09|-";
    iis_dir_leading_space: "01-16-02  11:14AM       <DIR>           lead" => "dir| lead|-|2002-01-16T11:14|-";
    iis_file_leading_space: "11-28-12  10:23AM                 8036  lead" => "file| lead|8036|2012-11-28T10:23|-";
    iis_name_spaces: "11-28-12  10:23AM                 8036 a  b " => "file|a  b |8036|2012-11-28T10:23|-";
    dos_junction: "01-16-2002  11:14  <JUNCTION>     Documents [C:\\Users\\x\\Documents]"
        => "link|Documents|-|2002-01-16T11:14|C:\\\\Users\\\\x\\\\Documents";
    dos_symlinkd_no_target: "01-16-2002  11:14  <SYMLINKD>     d" => "link|d|-|2002-01-16T11:14|-";
    dos_non_utf8: b"01-16-02  11:14AM  5 \xff\xfe" => "file|\u{fffd}\u{fffd}|5|2002-01-16T11:14|-";

    // --- EPLF ---
    eplf_file: "+i8388621.48594,m825718503,r,s280,\tdjb.html"
        => "file|djb.html|280|1996-03-01T22:15:03|-", |e| assert_eq!(e.format(), Format::Eplf);
    eplf_dir: "+i8388621.50690,m824255907,/,up755,\t514" => "dir|514|-|1996-02-13T23:58:27|-",
        |e| assert_eq!(e.mode(), Some(0o755));
}

list_err! {
    err_prose: "hello world" => ErrorKind::UnknownFormat;
    err_number_prose: "42 is the answer" => ErrorKind::UnknownFormat;
    err_netware: "d [RWCEAFMS] owner 512 Jan 1 12:00 name" => ErrorKind::UnknownFormat;
    err_vms: "FILE.TXT;1  1/3  5-MAR-2003 12:00:00  [GROUP,OWNER]  (RWED,RWED,RE,)" => ErrorKind::UnknownFormat;
    err_no_date: "-rw-r--r-- 1 u g 5 x" => ErrorKind::NoDate;
    err_no_name: "-rw-r--r-- 1 u g 5 Jan 1 2020" => ErrorKind::NoName;
    err_no_name_after_separator: "-rw-r--r-- 1 u g 5 Jan 1 2020 " => ErrorKind::NoName;
    err_feb_30: "-rw-r--r-- 1 u g 5 Feb 30 2020 x" => ErrorKind::BadDate;
    err_group_with_space: "-rw-r--r-- 1 owner domain users 1234 Jan 1 2020 x" => ErrorKind::BadColumns;
    err_no_size: "-rw-r--r-- 1 user group Jan 1 2020 x" => ErrorKind::BadColumns;
    err_numeric_md_needs_all_columns: "-rw-r--r-- 1 u 3 5 12:00 x" => ErrorKind::BadColumns;
    err_mode_garbage: "-rw-r--r--x 1 u g 5 Jan 1 2020 x" => ErrorKind::BadMode;
    err_size_overflow: "-rw-r--r-- 1 u g 18446744073709551616 Jan 1 2020 x" => ErrorKind::BadColumns;
    err_dos_size: "01-16-02  11:14AM  12x name" => ErrorKind::BadSize;
    err_dos_no_name: "01-16-02  11:14AM  12" => ErrorKind::NoName;
    err_dos_bad_time: "01-16-02  13:14PM  12 x" => ErrorKind::UnknownFormat;
    err_eplf_no_tab: "+i1,r,s12 name" => ErrorKind::NoName;
    err_blank: "   " => ErrorKind::NotAnEntry(SkipReason::Blank);
    err_empty: "" => ErrorKind::NotAnEntry(SkipReason::Blank);
    err_total: "total 12" => ErrorKind::NotAnEntry(SkipReason::Total(12));
    err_total_german: "insgesamt 8" => ErrorKind::NotAnEntry(SkipReason::Total(8));
    err_total_japanese: "合計 8" => ErrorKind::NotAnEntry(SkipReason::Total(8));
    err_total_human: "total 1.5K" => ErrorKind::NotAnEntry(SkipReason::Total(1536));
    err_total_extra: "total 5 files" => ErrorKind::UnknownFormat;
}

mlsx_ok! {
    mlsd_file: "type=file;size=1024;modify=20200101120000;perm=r; file.txt"
        => "file|file.txt|1024|2020-01-01T12:00:00|-",
        |e| { assert_eq!(e.fact("PERM").as_deref(), Some("r")); assert_eq!(e.format(), Format::Mlsx);
              assert_eq!(e.mtime().unwrap().time.offset().local_minus_utc(), 0) };
    mlsd_case_and_fraction: "Type=DIR;Modify=20200101120000.123; sub dir"
        => "dir|sub dir|-|2020-01-01T12:00:00.123|-",
        |e| assert_eq!(e.facts().next(), Some(("type".into(), "DIR".into())));
    mlsd_cdir: "type=cdir;perm=el; /pub" => "dir|/pub|-|-|-", |e| assert!(e.is_self_or_parent());
    mlsd_pdir: "type=pdir; .." => "dir|..|-|-|-", |e| assert!(e.is_self_or_parent());
    mlsd_slink: "type=OS.unix=slink:/usr/bin;UNIX.mode=0777; bin"
        => "link|bin|-|-|/usr/bin", |e| assert_eq!(e.mode(), Some(0o777));
    mlsd_symlink: "type=OS.unix=symlink;unix.mode=0777; bin" => "link|bin|-|-|-";
    // Pure-FTPd: `slink:` with nothing after it.
    mlsd_slink_empty_target: "type=OS.unix=slink:;size=6; bin" => "link|bin|6|-|-";
    mlsd_chr: "type=OS.unix=chr-13/29; null"
        => "other|null|-|-|-", |e| { assert_eq!(e.device(), Some((13, 29))); assert_eq!(e.kind(), Kind::Other(Special::CharDevice)) };
    mlsd_blk: "type=OS.unix=blk-8/0; sda" => "other|sda|-|-|-", |e| assert_eq!(e.kind(), Kind::Other(Special::BlockDevice));
    mlsd_unknown_type: "type=OS.zos=pds; x" => "other|x|-|-|-",
        |e| assert_eq!(e.kind(), Kind::Other(Special::Unknown("OS.zos=pds".into())));
    mlsd_sizd: "type=dir;sizd=4096; d" => "dir|d|4096|-|-";
    mlsd_size_wins_over_sizd: "sizd=1;size=2;type=file; f" => "file|f|2|-|-";
    mlsd_owner_names: "type=file;unix.uid=1000;UNIX.owner=1000;unix.ownername=joe;unix.gid=100;unix.groupname=users; f"
        => "file|f|-|-|-", |e| assert_eq!((e.owner().as_deref(), e.group().as_deref()), (Some("joe"), Some("users")));
    mlsd_uid_only: "type=file;unix.uid=1000;unix.gid=100; f"
        => "file|f|-|-|-", |e| assert_eq!((e.owner().as_deref(), e.group().as_deref()), (Some("1000"), Some("100")));
    mlsd_name_leading_spaces: "type=file;  two spaces " => "file| two spaces |-|-|-";
    mlsd_name_semicolon: "type=file; a;b=c d" => "file|a;b=c d|-|-|-";
    mlsd_bad_values_kept: "type=file;size=abc;modify=yesterday; f"
        => "file|f|-|-|-", |e| assert_eq!(e.fact("size").as_deref(), Some("abc"));
    mlst_indent: " type=file;size=1; /path/x" => "file|/path/x|1|-|-";
    mlsd_no_facts: " just a name" => "other|just a name|-|-|-", |e| assert!(e.facts().next().is_none());
    mlsd_no_trailing_semicolon: "type=file;size=3 f" => "file|f|3|-|-";
    mlsd_non_utf8: b"type=file; \xff" => "file|\u{fffd}|-|-|-", |e| assert_eq!(e.name_bytes(), b"\xff");
    mlsd_non_ascii_facts: b"Type=file;UNIX.ownerName=jos\xc3\xa9;X.\xc3\x84=\xff; f"
        => "file|f|-|-|-",
        |e| { assert_eq!(e.facts().map(|(k, v)| (k.into_owned(), v.into_owned())).collect::<Vec<_>>(), [("type".into(), "file".into()), ("unix.ownername".into(), "jos\u{e9}".into()), ("x.\u{e4}".into(), "\u{fffd}".into())]);
              assert_eq!(e.owner().as_deref(), Some("jos\u{e9}")) };
    mlsd_empty_facts_skipped: "type=file;;size=1; f" => "file|f|1|-|-", |e| assert_eq!(e.facts().count(), 2);
    mlsd_unique_perm: "type=file;unique=801U1;perm=adfrw; f" => "file|f|-|-|-", |e| assert_eq!(e.fact("unique").as_deref(), Some("801U1"));
}

mlsx_err! {
    mlsd_err_no_space: "type=file;size=1;" => ErrorKind::BadFacts;
    mlsd_err_no_name: "type=file; " => ErrorKind::NoName;
    mlsd_err_fact_without_eq: "junk fact; x" => ErrorKind::BadFacts;
    mlsd_err_empty_key: "=x; y" => ErrorKind::BadFacts;
    mlsd_err_blank: "" => ErrorKind::NotAnEntry(SkipReason::Blank);
}

#[test]
fn listing_keeps_every_line() {
    let data = b"total 8\r\n\r\n-rw-r--r-- 1 u g 5 Jan 1 2020 a\r\ngarbage\n-rw-r--r-- 1 u g 5 Jan 1 2020 b\r\r\n  ";
    let lines = parse_listing(data, &opts());
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[0],
        Line::Skipped {
            raw: b"total 8".to_vec(),
            reason: SkipReason::Total(8)
        }
    );
    assert_eq!(
        lines[1],
        Line::Skipped {
            raw: Vec::new(),
            reason: SkipReason::Blank
        }
    );
    assert_eq!(lines[2].entry().map(|e| e.name()), Some("a"));
    match &lines[3] {
        Line::Unparsed { raw, error } => {
            assert_eq!(raw, b"garbage");
            assert_eq!(error.kind(), &ErrorKind::UnknownFormat);
            assert_eq!(
                error.to_string(),
                "not a recognized listing format (Unix ls -l, DOS/IIS, EPLF): \"garbage\""
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(lines[4].entry().map(|e| e.name()), Some("b\r"));
    assert!(matches!(
        lines[5],
        Line::Skipped {
            reason: SkipReason::Blank,
            ..
        }
    ));
    assert_eq!(lines[5].raw(), b"  ");
    assert!(parse_listing(b"", &opts()).is_empty());
    assert_eq!(parse_listing(b"\n", &opts()).len(), 1);
}

#[test]
fn mlsd_listing_keeps_every_line() {
    let lines = parse_mlsd_listing(b"type=cdir; /\r\n\r\nbroken\r\ntype=file;size=1; f");
    assert_eq!(lines.len(), 4);
    assert!(matches!(
        lines[1],
        Line::Skipped {
            reason: SkipReason::Blank,
            ..
        }
    ));
    assert!(
        matches!(&lines[2], Line::Unparsed { error, .. } if error.kind() == &ErrorKind::BadFacts)
    );
    assert_eq!(
        lines[3].clone().into_entry().and_then(|e| e.size()),
        Some(1)
    );
}

#[test]
fn error_display_is_escaped_and_cut() {
    let long = format!("x\t\"{}", "y".repeat(300));
    let err = parse_list_line(long.as_bytes(), &opts()).unwrap_err();
    let text = err.to_string();
    assert!(text
        .starts_with("not a recognized listing format (Unix ls -l, DOS/IIS, EPLF): \"x\\t\\\"yyy"));
    assert!(text.ends_with("yyy\"..."), "{text}");
    assert!(!text.contains('\t'));
}

#[test]
fn server_offset_applies_to_list_times_only() {
    let east = FixedOffset::east_opt(2 * 3600).unwrap();
    let o = opts().with_server_offset(east);
    let e = parse_list_line(b"-rw-r--r-- 1 u g 5 Jan  1 00:30 x", &o).unwrap();
    let m = e.mtime().unwrap();
    assert_eq!(m.to_iso_string(), "2024-01-01T00:30");
    assert_eq!(m.utc().to_rfc3339(), "2023-12-31T22:30:00+00:00");
    // Year inference uses "now" in the server's zone: 2024-03-10 12:00 UTC is 14:00 at +02:00,
    // so Mar 11 13:59 local is within one day and Mar 11 14:01 is not.
    let near = parse_list_line(b"-rw-r--r-- 1 u g 5 Mar 11 13:59 x", &o).unwrap();
    assert_eq!(near.mtime().unwrap().to_iso_string(), "2024-03-11T13:59");
    let far = parse_list_line(b"-rw-r--r-- 1 u g 5 Mar 11 14:01 x", &o).unwrap();
    assert_eq!(far.mtime().unwrap().to_iso_string(), "2023-03-11T14:01");
}

#[test]
fn iso_string_precisions() {
    let t = FixedOffset::east_opt(0)
        .unwrap()
        .with_ymd_and_hms(2020, 1, 2, 3, 4, 5)
        .unwrap();
    let t = t + chrono::Duration::nanoseconds(120_000_000);
    let m = |precision| {
        Mtime {
            time: t,
            precision,
            year_inferred: false,
        }
        .to_iso_string()
    };
    assert_eq!(m(Precision::Day), "2020-01-02");
    assert_eq!(m(Precision::Minute), "2020-01-02T03:04");
    assert_eq!(m(Precision::Second), "2020-01-02T03:04:05");
    assert_eq!(m(Precision::Fraction(3)), "2020-01-02T03:04:05.120");
    assert_eq!(m(Precision::Fraction(1)), "2020-01-02T03:04:05.1");
    assert_eq!(m(Precision::Fraction(0)), "2020-01-02T03:04:05.1");
    assert_eq!(m(Precision::Fraction(200)), "2020-01-02T03:04:05.120000000");
}

// ---------------------------------------------------------------------------------------------
// Property tests.

/// The number of lines `split_lines` must find.
fn expected_lines(data: &[u8]) -> usize {
    let lf = data.iter().filter(|&&b| b == b'\n').count();
    lf + usize::from(!data.is_empty() && data.last() != Some(&b'\n'))
}

/// Tokens that reach deep into the parsers when joined at random.
const VOCAB: &[&str] = &[
    "-rw-r--r--",
    "drwxr-xr-x",
    "lrwxrwxrwx",
    "crw-rw-rw-",
    "-rwsr-sr-t+",
    "-rw-r--r--12",
    "1",
    "12",
    "0",
    "root",
    "12user",
    "staffgroup12345",
    "1,",
    "3",
    "1,3",
    "0x3",
    "33.5k",
    "9.0M",
    "1,234",
    "18446744073709551616",
    "Jan",
    "Feb",
    "29",
    "30",
    "31",
    "5,",
    "5.",
    "Mär",
    "janv.",
    "ДЕК",
    "3月",
    "5日",
    "3월",
    "5일",
    "2003年",
    "2003年3月5日",
    "2003.",
    "12:00",
    "23:59:60",
    "24:00",
    "12:00:01.123456789123",
    "2020",
    "0000",
    "9999",
    "2021-11-03",
    "03-05",
    "05-Mar-03",
    "05.03.2003",
    "01-16-02",
    "16-01-02",
    "11:14AM",
    "12:05PM",
    "PM",
    "<DIR>",
    "<JUNCTION>",
    "[x]",
    "->",
    "+0100",
    "-2359",
    "total",
    "insgesamt",
    "+i1,m825718503,r,s280,\tx",
    "type=file;",
    "type=OS.unix=slink:",
    "size=1;",
    "modify=20200101120000.5;",
    "unix.mode=0777;",
    "\u{fffd}",
    "\t",
    "",
    "\r",
];

fn vocab_line() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((prop::sample::select(VOCAB), 0usize..3), 0..14).prop_map(|parts| {
        let mut line = Vec::new();
        for (tok, spaces) in parts {
            line.extend_from_slice(tok.as_bytes());
            line.extend(std::iter::repeat(b' ').take(spaces));
        }
        line
    })
}

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A name that a Unix line can carry: no LF, not empty; may start, end or be made of spaces.
fn unix_name() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::char::range('a', 'z').prop_map(|c| c as u8),
            1 => Just(b' '),
            1 => prop::sample::select(vec![b'.', b'-', b'>', b'0', b'9', b':', b'\t', b'\r', 0x80, 0xff]),
        ],
        1..24,
    )
}

proptest! {
    #[test]
    fn prop_no_panic_list_line(line in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_list_line(&line, &opts()).map(|e| e.mtime().map(|m| m.to_iso_string()));
    }

    #[test]
    fn prop_no_panic_list_vocab(line in vocab_line()) {
        if let Ok(e) = parse_list_line(&line, &opts()) {
            prop_assert!(!e.name_bytes().is_empty());
            prop_assert_eq!(&e.raw(), &line);
            let _ = e.mtime().map(|m| m.to_iso_string());
        }
    }

    #[test]
    fn prop_no_panic_mlsx_line(line in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_mlsx_line(&line).map(|e| e.mtime().map(|m| m.to_iso_string()));
    }

    #[test]
    fn prop_no_panic_mlsx_vocab(line in vocab_line()) {
        let _ = parse_mlsx_line(&line);
    }

    #[test]
    fn prop_listing_line_count(data in prop::collection::vec(
        prop_oneof![4 => any::<u8>(), 1 => Just(b'\n'), 1 => Just(b'\r')], 0..400)) {
        let lines = parse_listing(&data, &opts());
        prop_assert_eq!(lines.len(), expected_lines(&data));
        let mlsd = parse_mlsd_listing(&data);
        prop_assert_eq!(mlsd.len(), expected_lines(&data));
        // Rejoining the raw lines gives the input back, up to the line endings.
        let rejoined: Vec<u8> = lines.iter().flat_map(|l| l.raw().iter().copied()).collect();
        let without_endings: Vec<u8> = split_lines(&data).flatten().copied().collect();
        prop_assert_eq!(rejoined, without_endings);
    }

    #[test]
    fn prop_unix_round_trip(
        // A name starting with `HH:MM:SS` after a year would be read as BSD `ls -T` time.
        name in unix_name().prop_filter("not a time", |n| {
            n.split(|&b| b == b' ').next().and_then(date::parse_time).is_none()
        }),
        size in any::<u64>(),
        (y, m, d) in (1970i32..2100, 1u32..=12, 1u32..=28),
        (hh, mm) in (0u32..24, 0u32..60),
        recent in any::<bool>(),
        pad in 1usize..4,
    ) {
        let o = opts();
        let (date_text, want) = if recent {
            // A year-less date in the 300 days before "now".
            let day = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap() - chrono::Duration::days(i64::from(m * 25));
            let text = format!("{} {:>2} {hh:02}:{mm:02}", MONTH_ABBR[day.format("%m").to_string().parse::<usize>().unwrap() - 1], day.format("%d"));
            (text, format!("{}T{hh:02}:{mm:02}", day.format("%Y-%m-%d")))
        } else {
            (format!("{} {d:>2}  {y}", MONTH_ABBR[m as usize - 1]), format!("{y}-{m:02}-{d:02}"))
        };
        let mut line = format!("-rw-r--r--{}1 owner    group {size:>8} {date_text} ", " ".repeat(pad)).into_bytes();
        line.extend_from_slice(&name);
        let e = parse_list_line(&line, &o).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(e.name_bytes(), &name[..]);
        prop_assert_eq!(e.size(), Some(size));
        prop_assert_eq!(e.mtime().unwrap().to_iso_string(), want);
        prop_assert_eq!(e.kind(), Kind::File);
    }

    #[test]
    fn prop_symlink_round_trip(
        name in unix_name().prop_filter("first arrow is the separator", |n| {
            let joined = [&n[..], b" -> "].concat();
            joined.windows(4).position(|w| w == b" -> ") == Some(n.len())
        }),
        target in unix_name(),
    ) {
        let mut line = b"lrwxrwxrwx 1 u g 7 Jan  1  2020 ".to_vec();
        line.extend_from_slice(&name);
        line.extend_from_slice(b" -> ");
        line.extend_from_slice(&target);
        let e = parse_list_line(&line, &opts()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(e.name_bytes(), &name[..]);
        prop_assert_eq!(e.link_target_bytes(), Some(&target[..]));
    }

    #[test]
    fn prop_mlsd_round_trip(
        name in prop::collection::vec(any::<u8>().prop_map(|b| if b == b'\n' { b'_' } else { b }), 1..40),
        size in any::<u64>(),
        secs in 0i64..253_402_300_799,
        millis in prop::option::of(0u32..1000),
        dir in any::<bool>(),
    ) {
        let t = DateTime::from_timestamp(secs, millis.unwrap_or(0) * 1_000_000).unwrap();
        let mut modify = t.format("%Y%m%d%H%M%S").to_string();
        if let Some(ms) = millis {
            modify.push_str(&format!(".{ms:03}"));
        }
        let kind = if dir { "dir" } else { "file" };
        let mut line = format!("Type={kind};Size={size};Modify={modify};Perm=r; ").into_bytes();
        line.extend_from_slice(&name);
        let e = parse_mlsx_line(&line).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(e.name_bytes(), &name[..]);
        prop_assert_eq!(e.size(), Some(size));
        let m = e.mtime().unwrap();
        prop_assert_eq!(m.utc(), t);
        prop_assert_eq!(m.precision, if millis.is_some() { Precision::Fraction(3) } else { Precision::Second });
        prop_assert_eq!(e.kind(), if dir { Kind::Dir } else { Kind::File });
    }

    #[test]
    fn prop_dos_round_trip(
        name in (prop::char::range('!', '~'), unix_name())
            .prop_map(|(first, rest)| [&[first as u8][..], &rest].concat()),
        size in any::<u64>(),
        (y, m, d) in (2000i32..2100, 1u32..=12, 1u32..=28),
        (hh, mm) in (0u32..24, 0u32..60),
    ) {
        let (h12, ampm) = match hh { 0 => (12, "AM"), 1..=11 => (hh, "AM"), 12 => (12, "PM"), _ => (hh - 12, "PM") };
        let mut line = format!("{m:02}-{d:02}-{y}  {h12:02}:{mm:02}{ampm} {size:>20} ").into_bytes();
        line.extend_from_slice(&name);
        let e = parse_list_line(&line, &opts()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(e.name_bytes(), &name[..]);
        prop_assert_eq!(e.size(), Some(size));
        prop_assert_eq!(e.mtime().unwrap().to_iso_string(), format!("{y}-{m:02}-{d:02}T{hh:02}:{mm:02}"));
    }
}

#[test]
fn entry_stays_small() {
    // Entries are moved several times per parsed line; within 128 bytes a move is a few
    // vector instructions instead of a call to memcpy.
    assert!(
        std::mem::size_of::<Entry>() <= 128,
        "{}",
        std::mem::size_of::<Entry>()
    );
}

#[test]
fn debug_output_shows_text_not_layout() {
    let e = parse_list_line(
        b"lrwxrwxrwx 1 root root 7 Jan  1  2020 bin -> usr/bin",
        &opts(),
    )
    .unwrap();
    let shown = format!("{e:?}");
    for part in [
        "name: \"bin\"",
        "kind: Symlink",
        "link_target: Some(\"usr/bin\")",
        "mode: Some(\"0777\")",
        "owner: Some(\"root\")",
        "raw: \"lrwxrwxrwx 1 root root 7 Jan  1  2020 bin -> usr/bin\"",
    ] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
    let lines = parse_listing(b"total 8\nnot a listing line\xff", &opts());
    assert_eq!(
        format!("{:?}", lines),
        "[Skipped { raw: \"total 8\", reason: Total(8) }, \
         Unparsed { raw: \"not a listing line\u{fffd}\", error: UnknownFormat }]"
    );
}

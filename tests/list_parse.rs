//! Whole-listing tests of `ftplib::list`, and exact-output tests of the `parse_listing` example
//! (its source is included as a module, so its formatting is what is tested).

use chrono::{TimeZone, Utc};
use ftplib::list::{parse_listing, parse_mlsd_listing, Kind, Line, ParseOptions, SkipReason};

#[path = "../examples/parse_listing.rs"]
#[allow(dead_code)]
mod parse_listing;

fn opts() -> ParseOptions {
    ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap())
}

fn run(input: &[u8], mlsd: bool) -> String {
    let mut out = Vec::new();
    parse_listing::run(input, mlsd, &opts(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// `name: input => expected output;` for the example tool, LIST mode.
macro_rules! example_cases {
    ($($test:ident: $input:expr => $want:expr;)*) => {$(
        #[test]
        fn $test() {
            assert_eq!(run($input.as_ref(), false), $want);
        }
    )*};
}

example_cases! {
    example_empty_input: b"" => "";
    example_last_line_without_newline: b"total 3\n-rw-r--r-- 1 u g 5 Jan  1  2020 a"
        => "skip\ttotal 3\nok\tfile\ta\t5\t2020-01-01\t-\n";
    example_blank_lines: b"\n\r\n  \n" => "skip\tblank\nskip\tblank\nskip\tblank\n";
    example_cr_before_crlf_is_name: b"-rw-r--r-- 1 u g 5 Jan  1  2020 a\r\r\n"
        => "ok\tfile\ta\\r\t5\t2020-01-01\t-\n";
    example_escapes: b"lrwxrwxrwx 1 u g 5 Jan  1 12:00 a\tb\\c -> t\\\tx\n"
        => "ok\tlink\ta\\tb\\\\c\t5\t2024-01-01T12:00\tt\\\\\\tx\n";
    example_dos: b"01-16-02  11:14AM       <DIR>          epsgroup\r\n2021-11-03  14:05              1234 a b.txt\r\n"
        => "ok\tdir\tepsgroup\t-\t2002-01-16T11:14\t-\nok\tfile\ta b.txt\t1234\t2021-11-03T14:05\t-\n";
    example_device_and_other: b"crw-rw-rw-   1 root  root   1,   3 Jan 1 2020 null\n"
        => "ok\tother\tnull\t-\t2020-01-01\t-\n";
    example_error: b"garbage\there\n"
        => "err\tnot a recognized listing format (Unix ls -l, DOS/IIS, EPLF): \"garbage\\there\"\n";
    example_non_utf8: b"-rw-r--r-- 1 u g 5 Jan  1  2020 caf\xe9\n"
        => "ok\tfile\tcaf\u{fffd}\t5\t2020-01-01\t-\n";
}

#[test]
fn example_mlsd() {
    let input = b"type=cdir;modify=20200101120000; /pub\r\ntype=file;size=5;modify=20200101120000.250; a b\r\n\r\nbroken\r\ntype=OS.unix=slink:/x;modify=20200101120000.5; l";
    assert_eq!(
        run(input, true),
        "ok\tdir\t/pub\t-\t2020-01-01T12:00:00\t-\n\
         ok\tfile\ta b\t5\t2020-01-01T12:00:00.250\t-\n\
         skip\tblank\n\
         err\tmalformed MLSD facts (expected `fact=value;...; name`): \"broken\"\n\
         ok\tlink\tl\t-\t2020-01-01T12:00:00.5\t/x\n"
    );
}

const VSFTPD: &[u8] = b"\
total 24\r
drwxr-xr-x    2 1000     1000         4096 Jun 15  2020 pub\r
-rw-r--r--    1 1000     1000         1063 Jun 15 10:18 README\r
lrwxrwxrwx    1 0        0               7 Jan 01 00:00 bin -> usr/bin\r
-rw-r--r--    1 1000     1000            0 Mar 09 23:59  leading space\r
";

#[test]
fn vsftpd_listing() {
    let lines = parse_listing(VSFTPD, &opts());
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        Line::Skipped {
            raw: b"total 24".to_vec(),
            reason: SkipReason::Total(24)
        }
    );
    let entries: Vec<_> = lines.iter().filter_map(Line::entry).collect();
    let names: Vec<_> = entries.iter().map(|e| e.name()).collect();
    assert_eq!(names, ["pub", "README", "bin", " leading space"]);
    assert_eq!(entries[0].kind(), Kind::Dir);
    assert_eq!(entries[2].link_target(), Some("usr/bin"));
    assert_eq!(
        entries[3].mtime().unwrap().to_iso_string(),
        "2024-03-09T23:59"
    );
}

#[test]
fn mixed_garbage_is_kept() {
    let data =
        b"drwxr-xr-x 2 u g 4096 Jun 15  2020 ok\nls: cannot open directory .: Permission denied\n";
    let lines = parse_listing(data, &opts());
    assert_eq!(lines.len(), 2);
    match &lines[1] {
        Line::Unparsed { raw, error } => {
            assert_eq!(raw, b"ls: cannot open directory .: Permission denied");
            assert!(error.to_string().contains("Permission denied"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn mlsd_listing() {
    let data = b"type=cdir;perm=el;unique=1; .\r\ntype=pdir; ..\r\ntype=file;size=10;modify=20240101000000; x\r\n";
    let entries: Vec<_> = parse_mlsd_listing(data)
        .into_iter()
        .filter_map(Line::into_entry)
        .collect();
    let real: Vec<_> = entries
        .iter()
        .filter(|e| !e.is_self_or_parent())
        .map(|e| e.name())
        .collect();
    assert_eq!(real, ["x"]);
}

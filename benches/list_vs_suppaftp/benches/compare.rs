//! ftplib's listing parser against suppaftp's regex parser, on the same lines.
//!
//! `cargo bench` runs a criterion group per format (`unix`, `dos`, `mlsd`, one function per
//! parser, throughput in lines), then prints a summary whose ratios come from interleaved
//! rounds in this one run: rounds alternate between the two parsers, so drift in machine load
//! hits both alike, and the median round of each is compared.
//!
//! The summary's last columns are a floor: copying each line, the one allocation every
//! `ftplib::list::Entry` makes (its raw line, of which the name and other text fields are
//! ranges), and the ratio that floor itself would reach against suppaftp.
//!
//! Every line is one both parsers accept (checked before timing, with the names compared), so
//! neither side is timed on a fast rejection. suppaftp reads `&str` and ftplib bytes; the lines
//! are handed to each as it takes them, with no conversion inside the timed loop.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput};
use ftplib::list::{parse_list_line, parse_mlsx_line, ParseOptions};
use suppaftp::list::ListParser;

/// vsftpd (numeric ids, wide padding) and ProFTPD (names) lines: files, directories,
/// symlinks, setuid/sticky bits, `Mon DD HH:MM` and `Mon DD  YYYY` dates, a name with spaces.
const UNIX: &[&str] = &[
    "drwxr-xr-x    2 1000     1000         4096 Jun 15  2020 pub",
    "-rw-r--r--    1 1000     1000         1063 Jun 15 10:18 README",
    "-rw-r--r--    1 0        0        52428800 Jan 03 09:41 50MB.zip",
    "lrwxrwxrwx    1 0        0               7 Mar 01  2021 bin -> usr/bin",
    "drwxrwsr-x    5 1001     100          4096 Feb 28 17:05 incoming",
    "-rwxr-xr-x    1 1000     1000      1048576 Dec 31 23:59 a-much-longer-file-name-2023.tar.gz",
    "-rw-r--r--   1 ftp      ftp           312 Aug  1  1994 welcome.msg",
    "drwxr-xr-x   9 ftp      ftp          4096 Oct  7 08:12 debian",
    "-rw-r--r--   1 user     group        1024 Nov 25 12:00 file with spaces.txt",
    "lrwxrwxrwx   1 root     root           20 Sep 14  2019 latest -> releases/v2.4.1",
    "-rw-rw-r--   1 alice    developers  73421 Apr  2 14:33 report-2024-Q1.pdf",
    "drwxrwxrwt   3 root     root         4096 May 19  2018 tmp",
    "-rw-------   1 bob      staff          17 Jul 30 06:00 .bash_history",
    "-rwsr-xr-x   1 root     root        54256 Mar 27  2019 passwd",
    "-r--r--r--   1 ftp      ftp     734003200 Jan 10  2017 ubuntu-16.04-server-amd64.iso",
    "drwxr-x---   2 www-data www-data     4096 Mar  9 22:47 logs",
];

/// IIS lines in its default layout (the only DOS layout suppaftp reads: `MM-DD-YY`, 12-hour
/// times): `<DIR>` padding, plain and grouped sizes, names with spaces.
const DOS: &[&str] = &[
    "01-16-02  11:14AM       <DIR>          epsgroup",
    "11-28-12  10:23PM                 8036 file.txt",
    "06-25-09  02:41PM            144700153 image34.gif",
    "04-08-14  03:09PM                  403 readme.txt",
    "10-19-20  03:19PM       <DIR>          pub",
    "07-04-18  12:00AM            1,234,567 big.iso",
    "02-29-16  09:05AM                    0 empty file.log",
    "12-31-99  11:59PM       <DIR>          Program Files",
];

/// MLSD lines as FileZilla Server, ProFTPD (mod_facts) and Pure-FTPd send them.
const MLSD: &[&str] = &[
    "type=cdir;modify=20200101120000;perm=el;unique=801U1; .",
    "type=pdir;modify=20191231235959;perm=el;unique=801U0; ..",
    "type=file;size=1024;modify=20200101120000;perm=r;unique=801U2; file.txt",
    "type=dir;modify=20200101120000.123;perm=flcdmpe;unique=801U3; sub dir",
    "modify=20240305101530;perm=adfr;size=73421;type=file;unique=FD00U1A2B3;UNIX.group=100;UNIX.groupname=users;UNIX.mode=0644;UNIX.owner=1000;UNIX.ownername=alice; report-2024-Q1.pdf",
    "type=file;size=52428800;modify=20230103094100;UNIX.mode=0644;UNIX.uid=0;UNIX.gid=0;unique=803g1f0; 50MB.zip",
    "type=file;size=403;modify=20140408150900.000;perm=adfrw; readme.txt",
    "type=dir;modify=20180519000000;perm=flcdmpe;UNIX.mode=1755;UNIX.uid=0;UNIX.gid=0; tmp",
];

#[derive(Clone, Copy)]
enum Format {
    Unix,
    Dos,
    Mlsd,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Unix => "unix",
            Format::Dos => "dos",
            Format::Mlsd => "mlsd",
        }
    }

    fn lines(self) -> &'static [&'static str] {
        match self {
            Format::Unix => UNIX,
            Format::Dos => DOS,
            Format::Mlsd => MLSD,
        }
    }
}

/// A fixed "now", so year inference does the same work every run.
fn opts() -> ParseOptions {
    ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap())
}

fn ftplib_all(format: Format, lines: &[&str], opts: &ParseOptions) {
    for line in lines {
        let line = black_box(line.as_bytes());
        match format {
            Format::Mlsd => drop(black_box(parse_mlsx_line(line))),
            _ => drop(black_box(parse_list_line(line, opts))),
        }
    }
}

fn suppaftp_all(format: Format, lines: &[&str]) {
    for line in lines {
        let line = black_box(*line);
        drop(black_box(match format {
            Format::Unix => ListParser::parse_posix(line),
            Format::Dos => ListParser::parse_dos(line),
            Format::Mlsd => ListParser::parse_mlsd(line),
        }));
    }
}

/// Both parsers must accept every line and agree on its name.
fn check_lines(opts: &ParseOptions) {
    for format in [Format::Unix, Format::Dos, Format::Mlsd] {
        for line in format.lines() {
            let ours = match format {
                Format::Mlsd => parse_mlsx_line(line.as_bytes()),
                _ => parse_list_line(line.as_bytes(), opts),
            }
            .unwrap_or_else(|e| panic!("ftplib refuses {line:?}: {e}"));
            let theirs = match format {
                Format::Unix => ListParser::parse_posix(line),
                Format::Dos => ListParser::parse_dos(line),
                Format::Mlsd => ListParser::parse_mlsd(line),
            }
            .unwrap_or_else(|e| panic!("suppaftp refuses {line:?}: {e}"));
            assert_eq!(ours.name(), theirs.name(), "{line:?}");
        }
    }
}

fn criterion_benches(c: &mut Criterion, opts: &ParseOptions) {
    for format in [Format::Unix, Format::Dos, Format::Mlsd] {
        let lines = format.lines();
        let mut g = c.benchmark_group(format.name());
        g.throughput(Throughput::Elements(lines.len() as u64));
        g.bench_function("ftplib", |b| b.iter(|| ftplib_all(format, lines, opts)));
        g.bench_function("suppaftp", |b| b.iter(|| suppaftp_all(format, lines)));
        g.finish();
    }
}

/// Seconds for `reps` passes over the lines.
fn time_reps(reps: u32, mut pass: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..reps {
        pass();
    }
    start.elapsed().as_secs_f64()
}

/// Repetitions of `pass` that take about `target`.
fn calibrate(target: Duration, mut pass: impl FnMut()) -> u32 {
    let mut reps = 1u32;
    loop {
        let t = time_reps(reps, &mut pass);
        if t >= target.as_secs_f64() / 4.0 || reps >= 1 << 24 {
            let scale = target.as_secs_f64() / t.max(1e-9);
            return ((f64::from(reps) * scale) as u32).max(1);
        }
        reps *= 2;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The one copy every entry needs: of the line.
fn floor_all(lines: &[&str]) {
    for line in lines {
        drop(black_box(black_box(line.as_bytes()).to_vec()));
    }
}

/// Interleaved rounds: lines per second of each parser (medians) and their ratio.
fn summary(opts: &ParseOptions) {
    const ROUNDS: usize = 31;
    const CHUNK: Duration = Duration::from_millis(30);
    println!("\nSame-run summary ({ROUNDS} interleaved rounds of ~30 ms each, medians):");
    println!(
        "{:<6} {:>5} {:>15} {:>17} {:>7} {:>15} {:>10}",
        "format",
        "lines",
        "ftplib lines/s",
        "suppaftp lines/s",
        "ratio",
        "floor lines/s",
        "max ratio"
    );
    for format in [Format::Unix, Format::Dos, Format::Mlsd] {
        let lines = format.lines();
        let mut ours = || ftplib_all(format, lines, opts);
        let mut theirs = || suppaftp_all(format, lines);
        let mut floor = || floor_all(lines);
        let reps = [
            calibrate(CHUNK, &mut ours),
            calibrate(CHUNK, &mut theirs),
            calibrate(CHUNK, &mut floor),
        ];
        let mut secs = [Vec::new(), Vec::new(), Vec::new()];
        for round in 0..ROUNDS {
            // Rotate which one goes first.
            for k in 0..3 {
                let which = (round + k) % 3;
                let t = match which {
                    0 => time_reps(reps[0], &mut ours),
                    1 => time_reps(reps[1], &mut theirs),
                    _ => time_reps(reps[2], &mut floor),
                };
                secs[which].push(t / f64::from(reps[which]));
            }
        }
        let n = lines.len() as f64;
        let [ours_rate, theirs_rate, floor_rate] = secs.map(|v| n / median(v));
        println!(
            "{:<6} {:>5} {:>15.0} {:>17.0} {:>6.1}x {:>15.0} {:>9.1}x",
            format.name(),
            lines.len(),
            ours_rate,
            theirs_rate,
            ours_rate / theirs_rate,
            floor_rate,
            floor_rate / theirs_rate
        );
    }
}

fn main() {
    let opts = opts();
    check_lines(&opts);
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion_benches(&mut c, &opts);
    c.final_summary();
    // `cargo test --benches` and `--list` only check that the benches run.
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    if !quick {
        summary(&opts);
    }
}

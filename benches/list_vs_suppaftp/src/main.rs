//! Parses the same listing lines with `ftplib::list` and with suppaftp's `ListParser`, in
//! one process, and prints lines per second and the ratio for each format.
//!
//! `cd benches/list_vs_suppaftp && cargo run --release`

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use ftplib::list::{parse_list_line, parse_mlsx_line, ParseOptions};
use suppaftp::list::ListParser;

const UNIX: &[&str] = &[
    "-rw-r--r--    1 1000     1000         1063 Jun 15 10:18 README",
    "drwxr-xr-x    2 1000     1000         4096 Jun 15  2020 pub",
    "-rw-r--r--   1 ftp      ftp          312 Aug  1  1994 welcome.msg",
    "-rw-r--r--   1 user     group        1024 Nov 25 12:00 file with spaces.txt",
    "lrwxrwxrwx   1 root     root            7 Jan  1  2020 bin -> usr/bin",
    "-rw-r--r--@ 1 user  staff  1234 Mar  1 12:00 x",
    "crw-rw-rw-   1 root  root   1,   3 Jan 1 2020 null",
    "-rwxr-xr-x    1 0        0          1048576 Dec 31 23:59 a-much-longer-file-name-2023.tar.gz",
];

const DOS: &[&str] = &[
    "01-16-02  11:14AM       <DIR>          epsgroup",
    "11-28-12  10:23PM                 8036 file.txt",
    "2021-11-03  14:05              1234 a b.txt",
    "01-16-2002  12:05AM            1,234,567 big.iso",
];

const MLSD: &[&str] = &[
    "type=file;size=1024;modify=20200101120000;perm=r;unique=801U1; file.txt",
    "type=dir;sizd=4096;modify=20200101120000.123;perm=flcdmpe; sub dir",
    "type=OS.unix=slink:/usr/bin;modify=20200101120000;UNIX.mode=0777;UNIX.owner=0;UNIX.group=0; bin",
    "type=cdir;modify=20200101120000;perm=el; .",
];

/// Runs `parse` over `lines` repeatedly for about `budget`, returning lines per second.
fn rate(lines: &[&str], budget: Duration, mut parse: impl FnMut(&str) -> bool) -> f64 {
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < budget {
        for _ in 0..1000 {
            for line in lines {
                black_box(parse(black_box(line)));
            }
        }
        count += 1000 * lines.len() as u64;
    }
    count as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let opts = ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap());
    let budget = Duration::from_secs(3);
    type Theirs = fn(&str) -> bool;
    let sets: [(&str, &[&str], Theirs, bool); 3] = [
        ("unix", UNIX, |l| ListParser::parse_posix(l).is_ok(), false),
        ("dos", DOS, |l| ListParser::parse_dos(l).is_ok(), false),
        ("mlsd", MLSD, |l| ListParser::parse_mlsd(l).is_ok(), true),
    ];
    println!("format  lines  ftplib lines/s  suppaftp lines/s  ratio");
    for (name, all, theirs, mlsx) in sets {
        let ours = |l: &str| {
            if mlsx {
                parse_mlsx_line(l.as_bytes()).is_ok()
            } else {
                parse_list_line(l.as_bytes(), &opts).is_ok()
            }
        };
        // Time only the lines both parsers read, so neither is credited for a fast refusal.
        let both: Vec<&str> = all.iter().copied().filter(|l| ours(l) && theirs(l)).collect();
        for line in all.iter().filter(|l| !both.contains(l)) {
            println!("  ({name}: left out, suppaftp refuses: {line})");
        }
        let ours_rate = rate(&both, budget, ours);
        let theirs_rate = rate(&both, budget, theirs);
        println!(
            "{name:<6}  {:>5}  {:>14.0}  {:>16.0}  {:>5.1}x",
            both.len(),
            ours_rate,
            theirs_rate,
            ours_rate / theirs_rate
        );
    }
}

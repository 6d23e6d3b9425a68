//! Listing parser throughput, in lines per second.
//!
//! `cargo bench --bench list -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ftplib::list::{
    parse_list_line, parse_listing, parse_mlsd_listing, parse_mlsx_line, ParseOptions,
};

const UNIX: &[&[u8]] = &[
    b"-rw-r--r--    1 1000     1000         1063 Jun 15 10:18 README",
    b"drwxr-xr-x    2 1000     1000         4096 Jun 15  2020 pub",
    b"-rw-r--r--   1 ftp      ftp          312 Aug  1  1994 welcome.msg",
    b"-rw-r--r--   1 user     group        1024 Nov 25 12:00 file with spaces.txt",
    b"lrwxrwxrwx   1 root     root            7 Jan  1  2020 bin -> usr/bin",
    b"-rw-r--r--@ 1 user  staff  1234 Mar  1 12:00 x",
    b"crw-rw-rw-   1 root  root   1,   3 Jan 1 2020 null",
    b"-rwxr-xr-x    1 0        0          1048576 Dec 31 23:59 a-much-longer-file-name-2023.tar.gz",
];

const DOS: &[&[u8]] = &[
    b"01-16-02  11:14AM       <DIR>          epsgroup",
    b"11-28-12  10:23PM                 8036 file.txt",
    b"2021-11-03  14:05              1234 a b.txt",
    b"01-16-2002  12:05AM            1,234,567 big.iso",
];

const MLSD: &[&[u8]] = &[
    b"type=file;size=1024;modify=20200101120000;perm=r;unique=801U1; file.txt",
    b"type=dir;sizd=4096;modify=20200101120000.123;perm=flcdmpe; sub dir",
    b"type=OS.unix=slink:/usr/bin;modify=20200101120000;UNIX.mode=0777;UNIX.owner=0;UNIX.group=0; bin",
    b"type=cdir;modify=20200101120000;perm=el; .",
];

fn joined(lines: &[&[u8]], times: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..times {
        for line in lines {
            data.extend_from_slice(line);
            data.extend_from_slice(b"\r\n");
        }
    }
    data
}

fn bench(c: &mut Criterion) {
    let opts = ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap());
    let mut g = c.benchmark_group("list");
    for (name, lines) in [("unix_line", UNIX), ("dos_line", DOS)] {
        g.throughput(Throughput::Elements(lines.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                for line in lines {
                    let _ = black_box(parse_list_line(black_box(line), &opts));
                }
            })
        });
    }
    g.throughput(Throughput::Elements(MLSD.len() as u64));
    g.bench_function("mlsd_line", |b| {
        b.iter(|| {
            for line in MLSD {
                let _ = black_box(parse_mlsx_line(black_box(line)));
            }
        })
    });
    let unix = joined(UNIX, 125);
    g.throughput(Throughput::Elements(UNIX.len() as u64 * 125));
    g.bench_function("unix_listing_1000", |b| {
        b.iter(|| black_box(parse_listing(black_box(&unix), &opts)))
    });
    let mlsd = joined(MLSD, 250);
    g.throughput(Throughput::Elements(MLSD.len() as u64 * 250));
    g.bench_function("mlsd_listing_1000", |b| {
        b.iter(|| black_box(parse_mlsd_listing(black_box(&mlsd))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

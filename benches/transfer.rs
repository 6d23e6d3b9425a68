//! Client-side cost of transfers and commands, against a minimal in-process server on
//! loopback (so the numbers measure this crate, not a real server's disk or policy).
//!
//! `cargo bench --bench transfer`. For comparisons with curl and Python's ftplib on a real
//! vsftpd, see `benches/compare.sh`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ftplib::FtpStream;

const PAYLOAD: usize = 64 * 1024 * 1024;

/// Serves one client: enough of FTP for login, NOOP, TYPE, PASV, RETR and STOR.
fn serve(control: TcpStream, payload: &'static [u8]) {
    let mut reader = BufReader::new(control.try_clone().expect("clone"));
    let mut out = control;
    let mut pasv: Option<TcpListener> = None;
    out.write_all(b"220 bench\r\n").unwrap();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end();
        let verb = cmd.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "USER" => b"331 pw\r\n",
            "PASS" => b"230 ok\r\n",
            "NOOP" | "TYPE" => b"200 ok\r\n",
            "PASV" => {
                let listener = TcpListener::bind("127.0.0.1:0").unwrap();
                let port = listener.local_addr().unwrap().port();
                pasv = Some(listener);
                let text = format!(
                    "227 Entering Passive Mode (127,0,0,1,{},{})\r\n",
                    port >> 8,
                    port & 0xff
                );
                out.write_all(text.as_bytes()).unwrap();
                continue;
            }
            "RETR" | "STOR" => {
                let listener = pasv.take().expect("PASV first");
                let (mut data, _) = listener.accept().unwrap();
                out.write_all(b"150 go\r\n").unwrap();
                if verb == "RETR" {
                    for chunk in payload.chunks(256 * 1024) {
                        data.write_all(chunk).unwrap();
                    }
                    drop(data);
                } else {
                    let mut sink = vec![0u8; 256 * 1024];
                    while data.read(&mut sink).unwrap() > 0 {}
                }
                b"226 done\r\n"
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n").unwrap();
                return;
            }
            _ => b"502 no\r\n",
        };
        out.write_all(reply).unwrap();
    }
}

fn start_server() -> u16 {
    let payload: &'static [u8] = Box::leak(vec![0xa5u8; PAYLOAD].into_boxed_slice());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            thread::spawn(move || serve(conn, payload));
        }
    });
    port
}

fn benches(c: &mut Criterion) {
    let port = start_server();
    let mut ftp = FtpStream::connect("127.0.0.1", port).unwrap();
    ftp.login("bench", "bench").unwrap();

    let mut group = c.benchmark_group("transfer");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(PAYLOAD as u64));
    for blocksize in [8 * 1024, 64 * 1024] {
        group.bench_function(
            format!("retrbinary 64 MiB, {} KiB blocks", blocksize / 1024),
            |b| {
                b.iter(|| {
                    let mut total = 0usize;
                    ftp.retrbinary(
                        "RETR x",
                        |block| {
                            total += block.len();
                            Ok(())
                        },
                        blocksize,
                        None,
                    )
                    .unwrap();
                    assert_eq!(total, PAYLOAD);
                })
            },
        );
    }
    let source = vec![0x5au8; PAYLOAD];
    group.bench_function("storbinary 64 MiB, 64 KiB blocks", |b| {
        b.iter(|| {
            ftp.storbinary("STOR x", &mut &source[..], 64 * 1024, |_| {}, None)
                .unwrap();
        })
    });
    group.finish();

    let mut group = c.benchmark_group("control");
    group.throughput(Throughput::Elements(1));
    group.bench_function("NOOP round trip", |b| {
        b.iter(|| ftp.noop().unwrap());
    });
    group.finish();
}

criterion_group!(benches_group, benches);
criterion_main!(benches_group);

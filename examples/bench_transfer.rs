//! Times one download or upload, for `benches/compare.sh`.
//!
//! Usage: `bench_transfer HOST PORT USER PASSWORD retr|stor REMOTE_PATH [BYTES]`
//!
//! `retr` downloads REMOTE_PATH into a sink; `stor` uploads BYTES bytes (default 1 GiB)
//! from memory, without holding a whole file anywhere. Prints `MiB/s seconds bytes`.

use std::io::{Read, Write};
use std::time::Instant;

use ftplib::{FtpStream, DEFAULT_BLOCKSIZE};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 6 {
        eprintln!("usage: bench_transfer HOST PORT USER PASSWORD retr|stor REMOTE_PATH [BYTES]");
        std::process::exit(2);
    }
    if let Err(e) = run(&args) {
        eprintln!("bench_transfer: {e}");
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let mut ftp = FtpStream::connect(&args[0], args[1].parse()?)?;
    ftp.login(&args[2], &args[3])?;
    let path = &args[5];
    let started = Instant::now();
    let bytes = match args[4].as_str() {
        "retr" => {
            let mut total = 0u64;
            ftp.retrbinary(
                &format!("RETR {path}"),
                |block| {
                    total += block.len() as u64;
                    Ok(())
                },
                DEFAULT_BLOCKSIZE,
                None,
            )?;
            total
        }
        "stor" => {
            let size: u64 = args
                .get(6)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(1 << 30);
            let mut source = std::io::repeat(0x5a).take(size);
            let mut upload = ftp.stor_stream(path)?;
            let mut buf = vec![0u8; DEFAULT_BLOCKSIZE];
            loop {
                let n = source.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                upload.write_all(&buf[..n])?;
            }
            upload.finish()?;
            size
        }
        other => return Err(format!("unknown direction {other}").into()),
    };
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:.1} {:.3} {}",
        bytes as f64 / (1024.0 * 1024.0) / seconds,
        seconds,
        bytes
    );
    ftp.quit()?;
    Ok(())
}

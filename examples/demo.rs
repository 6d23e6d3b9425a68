//! A tour of the crate against a live server: login, listing, download, upload.
//!
//! Usage: `cargo run --example demo -- HOST PORT USER PASSWORD`
//! (`bash scripts/demo.sh` starts a local server and runs this for you).

use std::io::{Read, Write};
use std::time::Duration;

use ftplib::{FtpStream, DEFAULT_BLOCKSIZE};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 {
        eprintln!("usage: demo HOST PORT USER PASSWORD");
        std::process::exit(2);
    }
    if let Err(e) = run(&args[0], &args[1], &args[2], &args[3]) {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

fn run(
    host: &str,
    port: &str,
    user: &str,
    password: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = port.parse()?;
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(10)))
        .connect(host, port)?;
    println!("connected: {}", ftp.getwelcome());

    // Anonymous first, as ftplib's login() does by default.
    let reply = ftp.login("", "")?;
    println!("anonymous login: {reply}");
    println!("working directory: {}", ftp.pwd()?);
    println!("\nLIST:");
    for line in ftp.dir(&[])? {
        println!("  {line}");
    }
    println!("\nNLST: {:?}", ftp.nlst(&[])?);
    ftp.quit()?;

    // Then the user account, which may write.
    let mut ftp = FtpStream::builder()
        .timeout(Some(Duration::from_secs(10)))
        .connect(host, port)?;
    println!("\nlogin as {user}: {}", ftp.login(user, password)?);

    // Typed entries: MLSD where the server offers it, LIST otherwise.
    println!("\ntyped listing:");
    for line in ftp.entries("")? {
        match line {
            ftplib::list::Line::Entry(e) => println!(
                "  {:<8} {:>10} {:<20} {}",
                format!("{:?}", e.kind()),
                e.size()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                e.mtime()
                    .map(|t| t.to_iso_string())
                    .unwrap_or_else(|| "-".into()),
                e.name()
            ),
            other => println!("  (not an entry) {other:?}"),
        }
    }

    // Download with the ftplib-style callback, counting blocks.
    let mut text = Vec::new();
    let reply = ftp.retrbinary(
        "RETR readme.txt",
        |block| {
            text.extend_from_slice(block);
            Ok(())
        },
        DEFAULT_BLOCKSIZE,
        None,
    )?;
    println!("\nRETR readme.txt ({} bytes): {reply}", text.len());
    print!("{}", String::from_utf8_lossy(&text));

    // Stream a larger file through Read.
    let size = ftp.size("big.bin")?;
    let started = std::time::Instant::now();
    let mut download = ftp.retr_stream("big.bin", None)?;
    let mut total = 0u64;
    let mut buf = vec![0u8; DEFAULT_BLOCKSIZE];
    loop {
        let n = download.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    let reply = download.finish()?;
    println!(
        "\nstreamed big.bin: {total} of {size} bytes in {:.0?}: {reply}",
        started.elapsed()
    );

    // Upload through Write, then read it back.
    let mut upload = ftp.stor_stream("uploaded.txt")?;
    upload.write_all(b"written by ftplib's demo\n")?;
    println!("\nSTOR uploaded.txt: {}", upload.finish()?);
    println!("size on server: {} bytes", ftp.size("uploaded.txt")?);
    println!("modified: {}", ftp.mdtm("uploaded.txt")?);
    ftp.delete("uploaded.txt")?;
    println!("deleted uploaded.txt");

    println!("\n{}", ftp.quit()?);
    Ok(())
}

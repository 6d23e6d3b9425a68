//! Times one FTPS (explicit, PROT P) download into a sink, for `benches/ftps_compare.sh`.
//!
//! Usage: `ftps_get HOST PORT USER PASSWORD REMOTE_PATH [native-tls|rustls] [CA_PEM]`
//!
//! Without `CA_PEM` the certificate is not verified (`danger_accept_invalid_certs`), like
//! `curl -k`. Prints `MiB/s seconds bytes`.

use std::time::Instant;

use ftplib::{FtpStream, TlsConfig, DEFAULT_BLOCKSIZE};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!(
            "usage: ftps_get HOST PORT USER PASSWORD REMOTE_PATH [native-tls|rustls] [CA_PEM]"
        );
        std::process::exit(2);
    }
    if let Err(e) = run(&args) {
        eprintln!("ftps_get: {e}");
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let mut tls = match args.get(5).map(String::as_str) {
        #[cfg(feature = "native-tls")]
        Some("native-tls") => TlsConfig::native_tls(),
        #[cfg(feature = "rustls")]
        Some("rustls") => TlsConfig::rustls(),
        None => TlsConfig::new(),
        Some(other) => return Err(format!("backend {other} not compiled in").into()),
    };
    tls = match args.get(6) {
        Some(ca) => tls.add_root_certificate_pem(&std::fs::read(ca)?)?,
        None => tls.danger_accept_invalid_certs(true),
    };
    let backend = tls.backend();
    let mut ftp = FtpStream::builder()
        .tls(tls)
        .connect(&args[0], args[1].parse()?)?;
    ftp.login(&args[2], &args[3])?;
    ftp.prot_p()?;
    let started = Instant::now();
    let mut bytes = 0u64;
    ftp.retrbinary(
        &format!("RETR {}", args[4]),
        |block| {
            bytes += block.len() as u64;
            Ok(())
        },
        DEFAULT_BLOCKSIZE,
        None,
    )?;
    let secs = started.elapsed().as_secs_f64();
    ftp.quit()?;
    println!(
        "{:.1} {secs:.3} {bytes} {backend}",
        bytes as f64 / secs / (1024.0 * 1024.0)
    );
    Ok(())
}

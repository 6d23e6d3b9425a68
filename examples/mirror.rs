//! Mirrors a directory tree from a server into a local directory: a small scripting tool
//! built on `walk` and `download_if_newer`. Only files that are missing or older locally are
//! downloaded, so running it again fetches only what changed.
//!
//! Usage: `cargo run --example mirror -- HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR`
//! (an empty USER logs in anonymously).

use std::path::Path;
use std::time::Duration;

use ftplib::FtpStream;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, user, password, remote, local] = args.as_slice() else {
        eprintln!("usage: mirror HOST PORT USER PASSWORD REMOTE_DIR LOCAL_DIR");
        std::process::exit(2);
    };
    let result = port
        .parse::<u16>()
        .map_err(|e| format!("bad port {port:?}: {e}"))
        .and_then(|port| {
            let mut ftp = FtpStream::builder()
                .timeout(Some(Duration::from_secs(30)))
                .connect(host, port)
                .map_err(|e| e.to_string())?;
            ftp.login(user, password).map_err(|e| e.to_string())?;
            let summary = mirror(&mut ftp, remote, Path::new(local), &mut std::io::stdout())
                .map_err(|e| e.to_string())?;
            ftp.quit().map_err(|e| e.to_string())?;
            Ok(summary)
        });
    match result {
        Ok(summary) => {
            println!(
                "{} downloaded, {} up to date, {} links skipped, {} failed",
                summary.downloaded, summary.up_to_date, summary.skipped_links, summary.failed
            );
            if summary.failed > 0 {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("mirror failed: {e}");
            std::process::exit(1);
        }
    }
}

/// What a mirror run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub downloaded: usize,
    pub up_to_date: usize,
    /// Symbolic links, which are not followed.
    pub skipped_links: usize,
    /// Files that could not be fetched, and listing lines that could not be read.
    pub failed: usize,
}

/// Mirrors `remote` into `local`, writing one line per file to `log`. A directory that
/// cannot be listed stops the run; a file that cannot be fetched is counted and skipped.
pub fn mirror(
    ftp: &mut FtpStream,
    remote: &str,
    local: &Path,
    log: &mut impl std::io::Write,
) -> Result<Summary, Box<dyn std::error::Error>> {
    let mut summary = Summary::default();
    // Collect the tree first: `walk` borrows the session that the downloads need.
    let dirs: Vec<ftplib::WalkDir> = ftp.walk(remote).collect::<Result<_, _>>()?;
    for dir in dirs {
        // The names come from the server: one that could leave `local` (`..`, a `/`) is
        // refused, never joined.
        let relative = dir.path.strip_prefix(remote).unwrap_or(&dir.path);
        let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty()).collect();
        if !parts.iter().all(|p| is_plain_name(p)) {
            writeln!(log, "skipped directory with an unsafe name: {:?}", dir.path)?;
            summary.failed += 1;
            continue;
        }
        let target_dir = parts
            .iter()
            .fold(local.to_path_buf(), |path, p| path.join(p));
        std::fs::create_dir_all(&target_dir)?;
        for line in &dir.unparsed {
            writeln!(log, "unreadable listing line in {}: {line:?}", dir.path)?;
            summary.failed += 1;
        }
        for file in &dir.files {
            let source = format!("{}/{}", dir.path, file.name());
            if !is_plain_name(file.name()) {
                writeln!(log, "skipped file with an unsafe name: {source:?}")?;
                summary.failed += 1;
                continue;
            }
            if file.is_symlink() {
                writeln!(log, "skipped link {source}")?;
                summary.skipped_links += 1;
                continue;
            }
            match ftp.download_if_newer(&source, target_dir.join(file.name())) {
                Ok(true) => {
                    writeln!(log, "downloaded {source}")?;
                    summary.downloaded += 1;
                }
                Ok(false) => summary.up_to_date += 1,
                Err(e) => {
                    writeln!(log, "failed {source}: {e}")?;
                    summary.failed += 1;
                }
            }
        }
    }
    Ok(summary)
}

/// A name that stays inside the directory it is joined to: not empty, not `.` or `..`, and
/// without a path separator or NUL.
pub fn is_plain_name(name: &str) -> bool {
    !matches!(name, "" | "." | "..") && !name.contains(['/', '\\', '\0'])
}

//! Small helpers that drive the crate under test, shared by the test crates. (`common` and
//! `scripted` stay independent of the crate, by design.)
#![allow(dead_code)]

use ftplib::list::{Entry, Format, Line};
use ftplib::{FtpStream, DEFAULT_BLOCKSIZE};
use sha2::{Digest, Sha256};

/// `RETR path` into memory.
pub fn download(ftp: &mut FtpStream, path: &str) -> ftplib::Result<Vec<u8>> {
    let mut data = Vec::new();
    ftp.retrbinary(
        &format!("RETR {path}"),
        |block| {
            data.extend_from_slice(block);
            Ok(())
        },
        DEFAULT_BLOCKSIZE,
        None,
    )?;
    Ok(data)
}

/// `STOR path` from memory.
pub fn upload(ftp: &mut FtpStream, path: &str, data: &[u8]) -> ftplib::Result<()> {
    let mut reader = data;
    ftp.storbinary(
        &format!("STOR {path}"),
        &mut reader,
        DEFAULT_BLOCKSIZE,
        |_| {},
        None,
    )?;
    Ok(())
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// A typed listing's raw lines, one per line, for failure messages.
pub fn listing_text(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| String::from_utf8_lossy(l.raw()).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The entry named `name` in a typed listing; panics with the whole listing if absent.
pub fn find<'a>(lines: &'a [Line], name: &str) -> &'a Entry {
    lines
        .iter()
        .filter_map(Line::entry)
        .find(|e| e.name() == name)
        .unwrap_or_else(|| panic!("{name:?} not in the listing:\n{}", listing_text(lines)))
}

/// Sets a local file's modification time.
pub fn set_mtime(path: &std::path::Path, time: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

/// The typed listing of `path` on a server whose FEAT advertises MLST: `entries` must give
/// the same lines as `mlsd_entries` (so it chose MLSD), and every line must be an MLSx entry
/// (nothing left unparsed or skipped).
pub fn mlsd_listing(ftp: &mut FtpStream, path: &str) -> Vec<Line> {
    let lines = ftp.entries(path).expect("entries");
    let mlsd = ftp.mlsd_entries(path).expect("mlsd_entries");
    let sorted = |ls: &[Line]| {
        let mut v: Vec<Vec<u8>> = ls.iter().map(|l| l.raw().to_vec()).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&lines), sorted(&mlsd));
    for line in &lines {
        let entry = line
            .entry()
            .unwrap_or_else(|| panic!("not an entry: {:?}", String::from_utf8_lossy(line.raw())));
        assert_eq!(entry.format(), Format::Mlsx);
    }
    lines
}

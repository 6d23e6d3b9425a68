//! Small helpers that drive the crate under test, shared by the test crates. (`common` and
//! `scripted` stay independent of the crate, by design.)
#![allow(dead_code)]

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

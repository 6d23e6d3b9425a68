//! Whole files between local paths and the server, as ftputil has them (ftplib has none):
//! [`FtpStream::download`], [`FtpStream::upload`], their `_if_newer` forms for simple
//! one-way mirroring, and [`FtpStream::download_resume`], which continues a broken download.
//!
//! A local file is never replaced by part of a download: the data goes to a temporary file
//! beside it, renamed over it only once the server confirmed the transfer complete.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use crate::{Error, FtpStream, Result, Upload, DEFAULT_BLOCKSIZE};

impl FtpStream {
    /// Downloads the server's file `remote` into the local file `local` (binary), and
    /// returns its size. `local` is replaced only once the whole file has arrived: until
    /// then the data goes to a temporary file beside it (`.NAME.ftplib-part`), removed if
    /// the download fails.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let bytes = ftp.download("pub/report.pdf", "report.pdf")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// The server's refusal (e.g. [`Error::Permanent`] 550 for a missing file), a failed
    /// transfer, or a local I/O error ([`Error::Io`]).
    pub fn download(&mut self, remote: &str, local: impl AsRef<Path>) -> Result<u64> {
        self.download_file(remote, local.as_ref(), None)
    }

    /// Uploads the local file `local` to `remote` on the server (binary), and returns its
    /// size. If the upload fails after it started, the partial file on the server is deleted
    /// when the session still allows it.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.upload("report.pdf", "incoming/report.pdf")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// A local I/O error ([`Error::Io`], e.g. a missing file; nothing is sent then), the
    /// server's refusal, or a failed transfer.
    pub fn upload(&mut self, local: impl AsRef<Path>, remote: &str) -> Result<u64> {
        let mut file = File::open(local.as_ref())?;
        let result = self.send_file(&mut file, remote);
        if let Err(Failed::AfterStart(e)) = &result {
            // A broken upload leaves a partial file, which would look newer than the local
            // one to `upload_if_newer`.
            if self.is_usable() {
                if let Err(del) = self.delete(remote) {
                    log::debug!("could not delete the partial upload {remote}: {del}");
                }
            }
            log::debug!("upload of {remote} failed: {e}");
        }
        result.map_err(Failed::into_error)
    }

    /// Downloads `remote` into `local` like [`FtpStream::download`], but a download that
    /// fails keeps what arrived, and the next call continues from there (REST) instead of
    /// starting over — like `curl -C -` or `wget -c`. Returns the bytes moved by this call.
    ///
    /// The partial file (`.NAME.ftplib-part` beside `local`) is stamped with the server
    /// file's modification time (MDTM). It is continued only while the server's file still
    /// has that time and is at least as large; otherwise the download starts over. A file
    /// whose final size differs from the server's SIZE is refused, never renamed into
    /// place. Without MDTM or SIZE on the server this is a plain download.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// // After a broken connection, run it again: it picks up where it stopped.
    /// ftp.download_resume("pub/debian.iso", "debian.iso")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::download`]; [`Error::TransferIncomplete`] when the finished file's
    /// size is not the server's (the partial file is then removed).
    pub fn download_resume(&mut self, remote: &str, local: impl AsRef<Path>) -> Result<u64> {
        let local = local.as_ref();
        let (remote_time, remote_size) = match self.mdtm_and_size(remote)? {
            Some(known) => known,
            None => return self.download_file(remote, local, None),
        };
        let part = part_path(local)?;
        let offset = resumable_length(&part, remote_time, remote_size)?;
        let result = self.continue_into(remote, &part, offset, remote_size);
        match result {
            Ok(received) => {
                fs::rename(&part, local)?;
                Ok(received)
            }
            Err(e) => {
                // Keep what arrived for the next call, stamped so that it can tell whether
                // the server's file is still the same; a size mismatch means it is not.
                let keep = !matches!(e, Error::TransferIncomplete { .. })
                    && File::options()
                        .write(true)
                        .open(&part)
                        .and_then(|f| f.set_modified(remote_time.into()))
                        .is_ok();
                if !keep {
                    let _ = fs::remove_file(&part);
                }
                Err(e)
            }
        }
    }

    /// The server file's MDTM time and SIZE, or `None` when the server knows only one or
    /// neither of the commands (500/502).
    fn mdtm_and_size(&mut self, remote: &str) -> Result<Option<(DateTime<Utc>, u64)>> {
        let unsupported = |e: &Error| matches!(e.code(), Some(500 | 502));
        let time = match self.mdtm(remote) {
            Ok(time) => time,
            Err(e) if unsupported(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        match self.size(remote) {
            Ok(size) => Ok(Some((time, size))),
            Err(e) if unsupported(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Appends `remote` from `offset` to the partial file `part`, and checks that it ends
    /// up `size` bytes long. Returns the bytes received.
    fn continue_into(&mut self, remote: &str, part: &Path, offset: u64, size: u64) -> Result<u64> {
        let mut file = File::options()
            .create(true)
            .append(true)
            .truncate(false)
            .open(part)?;
        if offset == 0 {
            file.set_len(0)?;
        }
        let received = if offset < size {
            self.retr_to_file(remote, &mut file, (offset > 0).then_some(offset))?
        } else {
            0
        };
        let total = file.metadata()?.len();
        if total != size {
            return Err(Error::TransferIncomplete {
                expected: size,
                received: total,
            });
        }
        Ok(received)
    }

    /// Downloads `remote` into `local` (as [`FtpStream::download`]) when `local` does not
    /// exist or is older than the server's file, and returns whether it did. The server's
    /// time comes from MDTM; times are compared to the second. The downloaded file gets the
    /// server's modification time, so a second call downloads nothing until the server's
    /// file changes (whatever the two clocks say).
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// if ftp.download_if_newer("pub/data.csv", "data.csv")? {
    ///     println!("data.csv updated");
    /// }
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::download`], and MDTM's errors (a missing file: [`Error::Permanent`]
    /// 550; a server without MDTM: 500/502).
    pub fn download_if_newer(&mut self, remote: &str, local: impl AsRef<Path>) -> Result<bool> {
        let local = local.as_ref();
        let remote_time = self.mdtm(remote)?;
        if let Some(local_time) = local_mtime(local)? {
            if remote_time <= local_time {
                return Ok(false);
            }
        }
        self.download_file(remote, local, Some(remote_time.into()))?;
        Ok(true)
    }

    /// Uploads `local` to `remote` (as [`FtpStream::upload`]) when the server has no such
    /// file or an older one, and returns whether it did. The server's time comes from
    /// MDTM; times are compared to the second. After an upload the server's file carries
    /// the server's clock time, so a second call uploads nothing until the local file
    /// changes — unless the server's clock runs behind the local one, which can cause
    /// an extra upload.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.upload_if_newer("site/index.html", "www/index.html")?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`FtpStream::upload`]; a local file that does not exist is [`Error::Io`].
    pub fn upload_if_newer(&mut self, local: impl AsRef<Path>, remote: &str) -> Result<bool> {
        let local = local.as_ref();
        let local_time = local_mtime(local)?.ok_or_else(|| {
            Error::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist", local.display()),
            ))
        })?;
        match self.mdtm(remote) {
            Ok(remote_time) if remote_time >= local_time => return Ok(false),
            Ok(_) => {}
            // No such file on the server (or none MDTM can see): upload it.
            Err(e) if e.code() == Some(550) => {}
            Err(e) => return Err(e),
        }
        self.upload(local, remote)?;
        Ok(true)
    }

    /// Writes `remote` (from byte `rest`, if given) to `file`; returns the bytes received.
    fn retr_to_file(&mut self, remote: &str, file: &mut File, rest: Option<u64>) -> Result<u64> {
        let mut received = 0;
        self.retrbinary(
            &format!("RETR {remote}"),
            |block| {
                received += block.len() as u64;
                file.write_all(block)
            },
            DEFAULT_BLOCKSIZE,
            rest,
        )?;
        Ok(received)
    }

    /// Sends `file` as `remote` in blocks of [`DEFAULT_BLOCKSIZE`].
    fn send_file(&mut self, file: &mut File, remote: &str) -> std::result::Result<u64, Failed> {
        let mut upload = self.stor_stream(remote).map_err(Failed::BeforeStart)?;
        let mut buf = vec![0u8; DEFAULT_BLOCKSIZE];
        let mut sent = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    abort_quietly(upload);
                    return Err(Failed::AfterStart(e.into()));
                }
            };
            if let Err(e) = upload.write_all(&buf[..n]) {
                abort_quietly(upload);
                return Err(Failed::AfterStart(Error::from_io(
                    e,
                    "writing the data connection",
                )));
            }
            sent += n as u64;
        }
        upload.finish().map_err(Failed::AfterStart)?;
        Ok(sent)
    }

    /// Downloads `remote` into a temporary file beside `local`, gives it `mtime` if there
    /// is one, and renames it over `local`.
    fn download_file(
        &mut self,
        remote: &str,
        local: &Path,
        mtime: Option<SystemTime>,
    ) -> Result<u64> {
        let part = part_path(local)?;
        let result = self
            .download_into(remote, &part, mtime)
            .and_then(|n| fs::rename(&part, local).map(|()| n).map_err(Error::from));
        if result.is_err() {
            // Gone already unless the download or the rename failed.
            let _ = fs::remove_file(&part);
        }
        result
    }

    fn download_into(
        &mut self,
        remote: &str,
        part: &Path,
        mtime: Option<SystemTime>,
    ) -> Result<u64> {
        let mut file = File::create(part)?;
        let received = self.retr_to_file(remote, &mut file, None)?;
        if let Some(mtime) = mtime {
            file.set_modified(mtime)?;
        }
        Ok(received)
    }
}

/// How an upload failed: before the server accepted it (nothing was written), or after.
enum Failed {
    BeforeStart(Error),
    AfterStart(Error),
}

impl Failed {
    fn into_error(self) -> Error {
        match self {
            Failed::BeforeStart(e) | Failed::AfterStart(e) => e,
        }
    }
}

fn abort_quietly(upload: Upload<'_>) {
    if let Err(e) = upload.abort() {
        log::debug!("aborting a failed upload failed too: {e}");
    }
}

/// `DIR/.NAME.ftplib-part` for `DIR/NAME`.
fn part_path(local: &Path) -> Result<PathBuf> {
    let name = local
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{} does not name a file", local.display())))?;
    let mut part_name = std::ffi::OsString::from(".");
    part_name.push(name);
    part_name.push(".ftplib-part");
    Ok(local.with_file_name(part_name))
}

/// How much of a partial download `part` can be kept: its length if it was left by a failed
/// download of the same server file (stamped with `remote_time`, no longer than
/// `remote_size`), else 0.
fn resumable_length(part: &Path, remote_time: DateTime<Utc>, remote_size: u64) -> Result<u64> {
    let meta = match fs::metadata(part) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let same_file = local_mtime(part)? == Some(remote_time) && meta.len() <= remote_size;
    Ok(if same_file { meta.len() } else { 0 })
}

/// The modification time of a local file to the second, or `None` if it does not exist.
fn local_mtime(path: &Path) -> Result<Option<DateTime<Utc>>> {
    match fs::metadata(path) {
        Ok(meta) => {
            let time = DateTime::<Utc>::from(meta.modified()?);
            // MDTM has whole seconds: compare like with like.
            Ok(Some(
                time - chrono::Duration::nanoseconds(time.timestamp_subsec_nanos().into()),
            ))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

//! Data connections: the raw [`DataStream`], and the [`Download`] and [`Upload`] streams
//! that finish a transfer by checking the server's final reply.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use crate::error::{into_io, Error, Result};
use crate::net::{self, Transport};
use crate::reply::Reply;
use crate::stream::FtpStream;

/// One data connection, plain or TLS, as returned by [`FtpStream::transfercmd`].
///
/// Reading or writing it moves the transfer's bytes; afterwards call
/// [`FtpStream::voidresp`] to read the server's final reply, which alone says whether the
/// transfer succeeded.
pub struct DataStream {
    transport: Transport,
}

impl DataStream {
    pub(crate) fn new(transport: Transport) -> DataStream {
        DataStream { transport }
    }

    /// The server's address for this connection.
    ///
    /// # Errors
    /// The socket's error, if it has one.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.transport.tcp().peer_addr()
    }

    /// True when the data travels inside TLS (after `prot_p`).
    pub fn is_tls(&self) -> bool {
        self.transport.is_tls()
    }

    /// Ends an upload: flushes, tells the server no more data follows (TLS close_notify
    /// where TLS is used) and closes the connection.
    ///
    /// # Errors
    /// An I/O or TLS error while flushing or closing.
    pub fn finish_upload(mut self) -> io::Result<()> {
        self.transport.flush()?;
        close_transport(self.transport, true)
    }

    /// Ends a download that was read to its end, closing the connection cleanly.
    ///
    /// # Errors
    /// An I/O or TLS error while closing.
    pub fn finish_download(self) -> io::Result<()> {
        close_transport(self.transport, false)
    }
}

/// Closes a data connection the way each transport needs: plain TCP ends our side; TLS
/// sends close_notify and reads the server's side to its end (see `crate::tls`).
fn close_transport(transport: Transport, upload: bool) -> io::Result<()> {
    match transport {
        Transport::Tcp(tcp) => {
            net::shutdown_write(&tcp);
            Ok(())
        }
        #[allow(unreachable_patterns)]
        tls => crate::tls::close_data(tls, upload),
    }
}

impl Read for DataStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.transport.read(buf)
    }
}

impl Write for DataStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.transport.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.transport.flush()
    }
}

impl std::fmt::Debug for DataStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataStream")
            .field("peer", &self.peer_addr().ok())
            .field("tls", &self.is_tls())
            .finish()
    }
}

/// A download in progress, readable with [`Read`]; made by [`FtpStream::retr_stream`].
///
/// Read it to the end, then call [`Download::finish`]: only the server's final reply says
/// the file arrived whole. To stop early, call [`Download::abort`]. Dropping a `Download`
/// without either finishes it quietly if it was read to the end, and aborts it (sends
/// ABOR) otherwise; drop waits for the server's replies, within the timeout.
pub struct Download<'a> {
    ftp: &'a mut FtpStream,
    data: Option<DataStream>,
    expected: Option<u64>,
    received: u64,
    at_end: bool,
    /// A read from the data connection failed: the transfer cannot have succeeded.
    failed: bool,
}

impl<'a> Download<'a> {
    pub(crate) fn new(ftp: &'a mut FtpStream, data: DataStream, expected: Option<u64>) -> Self {
        Download {
            ftp,
            data: Some(data),
            expected,
            received: 0,
            at_end: false,
            failed: false,
        }
    }

    /// Bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// The size the server announced in its 150 reply, if it did.
    pub fn expected_size(&self) -> Option<u64> {
        self.expected
    }

    /// Closes the data connection and reads the server's final reply.
    ///
    /// ```no_run
    /// # let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// let mut download = ftp.retr_stream("notes.txt", None)?;
    /// let mut text = String::new();
    /// std::io::Read::read_to_string(&mut download, &mut text)?;
    /// download.finish()?;
    /// # Ok::<(), ftplib::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::TransferAborted`] if the data was not read to its end or a read failed
    /// (the transfer is aborted first), the server's error reply (e.g. 426), or
    /// [`Error::TransferIncomplete`] when the byte count differs from the size the server
    /// announced.
    pub fn finish(mut self) -> Result<Reply> {
        self.finish_inner()
    }

    fn finish_inner(&mut self) -> Result<Reply> {
        let data = self.data.take();
        if !self.at_end || self.failed {
            if let Err(e) = self.ftp.abort_with(data) {
                log::debug!("abort of an unfinished download failed: {e}");
            }
            return Err(Error::TransferAborted {
                bytes: self.received,
                reason: if self.failed {
                    "reading the data connection failed"
                } else {
                    "finish() was called before the end of the data"
                },
            });
        }
        if let Some(data) = data {
            if let Err(e) = data.finish_download() {
                return Err(self.ftp.reply_after_data_error(e));
            }
        }
        let reply = self.ftp.voidresp()?;
        match self.expected {
            Some(expected) if self.at_end && expected != self.received => {
                Err(Error::TransferIncomplete {
                    expected,
                    received: self.received,
                })
            }
            _ => Ok(reply),
        }
    }

    /// Aborts the download: sends ABOR, closes the data connection and reads the
    /// server's replies, after which the session is ready for the next command.
    ///
    /// # Errors
    /// As [`FtpStream::abort`].
    pub fn abort(mut self) -> Result<Reply> {
        self.abort_inner()
    }

    fn abort_inner(&mut self) -> Result<Reply> {
        let data = self.data.take();
        self.ftp.abort_with(data)
    }
}

impl Read for Download<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(data) = self.data.as_mut() else {
            return Ok(0);
        };
        let n = data.read(buf).map_err(|e| {
            self.failed = true;
            into_io(Error::from_io(e, "reading the data connection"))
        })?;
        if n == 0 && !buf.is_empty() {
            self.at_end = true;
        }
        self.received += n as u64;
        if let Err(e) = self.ftp.keepalive_tick() {
            self.failed = true;
            return Err(into_io(e));
        }
        Ok(n)
    }
}

impl Drop for Download<'_> {
    fn drop(&mut self) {
        if self.data.is_some() {
            let result = if self.at_end && !self.failed {
                self.finish_inner()
            } else {
                self.abort_inner()
            };
            if let Err(e) = result {
                log::debug!("download dropped without finish: {e}");
            }
        }
    }
}

/// An upload in progress, writable with [`Write`]; made by [`FtpStream::stor_stream`].
///
/// Write the data, then call [`Upload::finish`], which closes the data connection and
/// checks the server's final reply. Dropping an `Upload` without `finish` aborts the
/// transfer (sends ABOR), so it is reported as failed; servers such as vsftpd still keep
/// the partial file, so upload to a temporary name and rename it after `finish` succeeds
/// when a partial file must never be seen.
pub struct Upload<'a> {
    ftp: &'a mut FtpStream,
    data: Option<DataStream>,
    sent: u64,
    /// A write to the data connection failed: the transfer cannot have succeeded.
    failed: bool,
}

impl<'a> Upload<'a> {
    pub(crate) fn new(ftp: &'a mut FtpStream, data: DataStream) -> Self {
        Upload {
            ftp,
            data: Some(data),
            sent: 0,
            failed: false,
        }
    }

    /// Bytes written so far.
    pub fn bytes_sent(&self) -> u64 {
        self.sent
    }

    /// Ends the upload and reads the server's final reply.
    ///
    /// # Errors
    /// The server's error reply (for example 426 or 552), an I/O error while closing, or
    /// [`Error::TransferAborted`] if a write had failed (the transfer is aborted first).
    pub fn finish(mut self) -> Result<Reply> {
        let data = self.data.take();
        if self.failed {
            if let Err(e) = self.ftp.abort_with(data) {
                log::debug!("abort of a failed upload failed: {e}");
            }
            return Err(Error::TransferAborted {
                bytes: self.sent,
                reason: "writing the data connection failed",
            });
        }
        if let Some(data) = data {
            if let Err(e) = data.finish_upload() {
                return Err(self.ftp.reply_after_data_error(e));
            }
        }
        self.ftp.voidresp()
    }

    /// Aborts the upload with ABOR and reads the server's replies.
    ///
    /// # Errors
    /// As [`FtpStream::abort`].
    pub fn abort(mut self) -> Result<Reply> {
        let data = self.data.take();
        self.ftp.abort_with(data)
    }
}

impl Write for Upload<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(data) = self.data.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "upload already finished",
            ));
        };
        let n = data.write(buf).map_err(|e| {
            self.failed = true;
            into_io(Error::from_io(e, "writing the data connection"))
        })?;
        self.sent += n as u64;
        if let Err(e) = self.ftp.keepalive_tick() {
            self.failed = true;
            return Err(into_io(e));
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.data.as_mut() {
            Some(d) => d.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Upload<'_> {
    fn drop(&mut self) {
        if let Some(data) = self.data.take() {
            if let Err(e) = self.ftp.abort_with(Some(data)) {
                log::debug!("upload dropped without finish: {e}");
            }
        }
    }
}

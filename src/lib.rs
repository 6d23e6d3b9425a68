//! ftplib: a blocking FTP/FTPS client modelled on Python's `ftplib`.
#![deny(missing_docs)]

mod command;
mod data;
mod error;
pub mod list;
mod net;
pub mod parse;
pub mod reply;
mod stream;

pub use command::sanitize;
pub use data::{DataStream, Download, Upload};
pub use error::{Error, Result};
pub use reply::Reply;
pub use stream::{
    Builder, FtpStream, DEFAULT_BLOCKSIZE, DEFAULT_MAX_DATA_LINE_LENGTH, DEFAULT_TIMEOUT, FTP_PORT,
};

//! EPLF, the Easily Parsed LIST Format: `+fact,fact,...\tname`.
//!
//! Facts: `/` directory, `r` retrievable file, `s<size>`, `m<Unix time>`, `up<octal mode>`,
//! `i<id>` (ignored).

use chrono::{DateTime, Offset, Utc};

use super::lex::{parse_octal, parse_u64};
use super::{Entry, ErrorKind, Format, Kind, Mtime, Parts, Precision, Special};

pub(crate) fn parse(line: &[u8]) -> Result<Entry, ErrorKind> {
    let start = line.iter().position(|&b| b == b'+').unwrap_or(0);
    let body = line.get(start + 1..).unwrap_or_default();
    let tab = body
        .iter()
        .position(|&b| b == b'\t')
        .ok_or(ErrorKind::NoName)?;
    let name = &body[tab + 1..];
    if name.is_empty() {
        return Err(ErrorKind::NoName);
    }
    let (mut dir, mut file) = (false, false);
    let (mut size, mut mtime, mut mode) = (None, None, None);
    for fact in body[..tab].split(|&b| b == b',') {
        match fact.split_first() {
            Some((b'/', _)) => dir = true,
            Some((b'r', _)) => file = true,
            Some((b's', v)) => size = Some(parse_u64(v).ok_or(ErrorKind::BadSize)?),
            Some((b'm', v)) => {
                let secs = parse_u64(v).and_then(|s| i64::try_from(s).ok());
                let time = secs
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .ok_or(ErrorKind::BadDate)?;
                mtime = Some(Mtime {
                    time: time.with_timezone(&Utc.fix()),
                    precision: Precision::Second,
                    year_inferred: false,
                });
            }
            Some((b'u', v)) => {
                if let Some(octal) = v.strip_prefix(b"p") {
                    mode = parse_octal(octal).map(|m| m & 0o7777);
                }
            }
            _ => {}
        }
    }
    let kind = if dir {
        Kind::Dir
    } else if file {
        Kind::File
    } else {
        Kind::Other(Special::Unknown(String::new()))
    };
    Ok(Entry::from_parts(Parts {
        size,
        mtime,
        mode,
        ..Parts::new(kind, Format::Eplf, line, name)
    }))
}

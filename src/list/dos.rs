//! DOS / Microsoft IIS lines: `DATE TIME (<DIR>|SIZE) NAME`.

use super::date::{self, RawDate};
use super::lex::{is_ws, parse_grouped, parse_u64, Tokens};
use super::{Entry, ErrorKind, Format, Kind, ParseOptions, Special};

/// Parses a DOS line. `None` when the line does not start with a dated DOS prefix (a date with
/// a year, then a time), so other formats can be tried.
pub(crate) fn try_parse(line: &[u8], opts: &ParseOptions) -> Option<Result<Entry, ErrorKind>> {
    let t = &Tokens::new(line);
    let (year, month, day) = date::numeric_date(t.get(0)?)?;
    year?;
    let (time, used_next) = date::parse_time_ampm(t.get(1)?, t.get(2))?;
    Some(parse_rest(
        line,
        t,
        2 + usize::from(used_next),
        RawDate {
            year,
            month,
            day,
            time: Some(time),
            offset: None,
            numeric_md: false,
        },
        opts,
    ))
}

fn parse_rest(
    line: &[u8],
    t: &Tokens<'_>,
    k: usize,
    date: RawDate,
    opts: &ParseOptions,
) -> Result<Entry, ErrorKind> {
    let tok = t.get(k).ok_or(ErrorKind::NoName)?;
    let marker = tok.len() >= 2 && tok[0] == b'<' && tok[tok.len() - 1] == b'>';
    let (kind, size) = if marker {
        let inner = &tok[1..tok.len() - 1];
        let kind = if inner.eq_ignore_ascii_case(b"DIR") {
            Kind::Dir
        } else if [&b"JUNCTION"[..], b"SYMLINK", b"SYMLINKD"]
            .iter()
            .any(|m| inner.eq_ignore_ascii_case(m))
        {
            Kind::Symlink
        } else {
            Kind::Other(Special::Unknown(super::lossy(inner)))
        };
        (kind, None)
    } else {
        let size = parse_u64(tok)
            .or_else(|| parse_grouped(tok))
            .ok_or(ErrorKind::BadSize)?;
        (Kind::File, Some(size))
    };
    // IIS pads `<DIR>` to 14 columns and puts one space before the name; after a size there is
    // one space. Where that layout is seen, leading spaces of the name are kept; otherwise all
    // blanks before the name are skipped.
    let end = t.end(k);
    let blanks = line[end..].iter().take_while(|&&b| is_ws(b)).count();
    let want = if marker {
        15usize.saturating_sub(tok.len()).max(1)
    } else {
        1
    };
    let skip = if blanks >= want { want } else { blanks };
    let name = &line[end + skip..];
    if name.is_empty() || blanks == 0 {
        return Err(ErrorKind::NoName);
    }
    // `link [target]` for symlinks and junctions.
    let (name, target) = match kind {
        Kind::Symlink if name.ends_with(b"]") => match name.windows(2).rposition(|w| w == b" [") {
            Some(p) if p > 0 => (&name[..p], Some(&name[p + 2..name.len() - 1])),
            _ => (name, None),
        },
        _ => (name, None),
    };
    let mtime = date::to_mtime(&date, opts)?;
    let mut e = Entry::new(kind, Format::Dos, line, name);
    if let Some(target) = target {
        e.set_link_target(line, target);
    }
    e.size = size;
    e.mtime = Some(mtime);
    Ok(e)
}

//! DOS / Microsoft IIS lines: `DATE TIME (<DIR>|SIZE) NAME`.
//!
//! The line is read left to right, one column at a time: only the date, time and size (or
//! marker) columns are ever split off, and the name is the rest of the line.

use super::date::{self, RawDate, RawTime};
use super::lex::{
    digit_pairs, digits_at, is_ws, parse_grouped, parse_u64, skip_blanks, word_at, Words,
};
use super::{Entry, ErrorKind, Format, Kind, Mtime, ParseOptions, Parts, Special};

/// Parses a DOS line. `None` when the line does not start with a dated DOS prefix (a date with
/// a year, then a time), so other formats can be tried.
pub(crate) fn try_parse(line: &[u8], opts: &ParseOptions) -> Option<Result<Entry, ErrorKind>> {
    let (date, cols) = iis_start(line).or_else(|| read_start(line))?;
    let rest = match read_rest(line, cols, &date, opts) {
        Ok(rest) => rest,
        Err(e) => return Some(Err(e)),
    };
    // The entry is made here rather than in `read_rest`, so that it is moved once (into the
    // result) instead of twice.
    Some(Ok(Entry::from_parts(Parts {
        target: rest.target,
        size: rest.size,
        mtime: Some(rest.mtime),
        ..Parts::new(rest.kind, Format::Dos, line, rest.name)
    })))
}

/// IIS's fixed `MM-DD-YY  HH:MMAM` start, read in place (what [`read_start`] gives for it), and
/// a cursor after it. `None` for any other start.
fn iis_start(line: &[u8]) -> Option<(RawDate, Words<'_>)> {
    const TIME_END: usize = 17;
    // The date, and the time with the blank after it, as little-endian words.
    let (date, time) = (word_at(line, 0)?, word_at(line, 10)?);
    if line[8..10] != *b"  " || !is_ws(line[TIME_END]) {
        return None;
    }
    let (year, month, day) = iis_date_word(date)?;
    let date = dated(Some(year), month, day, iis_time_word(time)?);
    // The next column ends by byte 40 in IIS's layout: a shorter first window than usual
    // covers it (a later column is still found, in a window of its own).
    Some((date, Words::window_at::<3>(line, TIME_END)))
}

/// The date and time columns of any DOS line, and a cursor after them.
fn read_start(line: &[u8]) -> Option<(RawDate, Words<'_>)> {
    let mut cols = Words::new(line);
    let (year, month, day) = read_date(cols.next()?)?;
    let time = read_time(&mut cols)?;
    Some((dated(year, month, day, time), cols))
}

fn dated(year: Option<i32>, month: u32, day: u32, time: RawTime) -> RawDate {
    RawDate {
        time: Some(time),
        ..RawDate::new(year, month, day)
    }
}

/// What the columns after the time say.
struct Rest<'a> {
    kind: Kind,
    size: Option<u64>,
    name: &'a [u8],
    target: Option<&'a [u8]>,
    mtime: Mtime,
}

/// The date column; it must have a year.
fn read_date(tok: &[u8]) -> Option<(Option<i32>, u32, u32)> {
    let (year, month, day) = date::numeric_date(tok)?;
    year?;
    Some((year, month, day))
}

/// IIS's `MM-DD-YY` with a valid month and day, as the eight bytes of a little-endian word,
/// read all at once: what [`date::numeric_date`] gives for it, for less than half the cost.
fn iis_date_word(w: u64) -> Option<(i32, u32, u32)> {
    const DIGITS: u64 = 0xffff_00ff_ff00_ffff; // MM DD YY
    const DASHES: u64 = 0x0000_ff00_00ff_0000;
    let shape_ok = w & DASHES == u64::from_le_bytes(*b"\0\0-\0\0-\0\0") && digits_at(w, DIGITS);
    if !shape_ok {
        return None;
    }
    let [month, _, _, day, _, _, year, _] = digit_pairs(w, DIGITS).to_le_bytes();
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // POSIX `%y`: 69-99 are 19xx, 00-68 are 20xx.
    let century = if year >= 69 { 1900 } else { 2000 };
    Some((century + i32::from(year), month.into(), day.into()))
}

/// The time column, and its `AM`/`PM` when that is a column of its own.
fn read_time(cols: &mut Words<'_>) -> Option<RawTime> {
    let tok = cols.next()?;
    let (time, used_next) = date::parse_time_ampm(tok, cols.peek())?;
    if used_next {
        cols.next();
    }
    Some(time)
}

/// IIS's `HH:MMAM` / `HH:MMPM` as the first seven bytes of a little-endian word (the eighth is
/// not looked at), read all at once: what [`date::parse_time_ampm`] gives for it, for a
/// fraction of the cost.
fn iis_time_word(w: u64) -> Option<RawTime> {
    const DIGITS: u64 = 0x0000_00ff_ff00_ffff; // HH MM
    let [_, _, colon, _, _, half, m, _] = w.to_le_bytes();
    // Setting bit 5 lower-cases an ASCII letter, and makes `a`, `p` or `m` of no other byte.
    let pm = match (half | 0x20, m | 0x20) {
        (b'a', b'm') => false,
        (b'p', b'm') => true,
        _ => return None,
    };
    if colon != b':' || !digits_at(w, DIGITS) {
        return None;
    }
    let [hour, _, _, minute, ..] = digit_pairs(w, DIGITS).to_le_bytes();
    if !(1..=12).contains(&hour) || minute > 59 {
        return None;
    }
    Some(RawTime {
        // 12 AM is midnight, 12 PM noon.
        hour: u32::from(hour % 12 + if pm { 12 } else { 0 }),
        minute: minute.into(),
        second: None,
        nanos: 0,
        frac_digits: 0,
    })
}

/// The size or `<MARKER>` column and the name after it, and the date as an mtime.
fn read_rest<'a>(
    line: &'a [u8],
    mut cols: Words<'a>,
    date: &RawDate,
    opts: &ParseOptions,
) -> Result<Rest<'a>, ErrorKind> {
    let field = cols.next().ok_or(ErrorKind::NoName)?;
    let marker = marker_text(field);
    let (kind, size) = match marker {
        Some(text) => (marker_kind(text), None),
        None => (Kind::File, Some(read_size(field)?)),
    };
    // IIS pads `<DIR>` to 14 columns and puts one space before the name; after a size there is
    // one space. Where that layout is seen, leading spaces of the name are kept; otherwise all
    // blanks before the name are skipped.
    let pad = if marker.is_some() {
        15usize.saturating_sub(field.len()).max(1)
    } else {
        1
    };
    let name = &line[name_start(line, cols.pos(), pad)..];
    if name.is_empty() {
        return Err(ErrorKind::NoName);
    }
    let (name, target) = match kind {
        Kind::Symlink => split_link_target(name),
        _ => (name, None),
    };
    let mtime = date::to_mtime(date, opts)?;
    Ok(Rest {
        kind,
        size,
        name,
        target,
        mtime,
    })
}

/// Where the name starts: after the blanks at `pos` (a blank or the end of the line), but at
/// most `pad` bytes on.
fn name_start(line: &[u8], pos: usize, pad: usize) -> usize {
    if pad <= 1 {
        // One byte on is as far as the blanks allow: no need to look for their end.
        return (pos + 1).min(line.len());
    }
    skip_blanks(line, pos).min(pos + pad)
}

/// The text between `<` and `>` of a marker column such as `<DIR>`.
fn marker_text(field: &[u8]) -> Option<&[u8]> {
    field.strip_prefix(b"<")?.strip_suffix(b">")
}

fn marker_kind(text: &[u8]) -> Kind {
    // Clearing bit 5 upper-cases an ASCII letter, and makes `D`, `I` or `R` of no other byte.
    let upper = |b: u8| b & !0x20;
    if let [d, i, r] = *text {
        if [upper(d), upper(i), upper(r)] == *b"DIR" {
            return Kind::Dir;
        }
    }
    if [&b"JUNCTION"[..], b"SYMLINK", b"SYMLINKD"]
        .iter()
        .any(|m| text.eq_ignore_ascii_case(m))
    {
        Kind::Symlink
    } else {
        Kind::Other(Special::Unknown(super::lossy(text)))
    }
}

/// A size, plain (`8036`) or with thousands separators (`1,234,567`).
fn read_size(field: &[u8]) -> Result<u64, ErrorKind> {
    parse_u64(field)
        .or_else(|| parse_grouped(field))
        .ok_or(ErrorKind::BadSize)
}

/// `link [target]` for symlinks and junctions; a name without that shape is kept whole.
fn split_link_target(name: &[u8]) -> (&[u8], Option<&[u8]>) {
    let Some(inner) = name.strip_suffix(b"]") else {
        return (name, None);
    };
    match name.windows(2).rposition(|w| w == b" [") {
        Some(p) if p > 0 => (&name[..p], Some(&inner[p + 2..])),
        _ => (name, None),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    /// `kind|name|size|mtime|target`, `err:Kind`, or `none` (not a DOS line).
    fn describe(line: &[u8]) -> String {
        let opts = ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap());
        let e = match try_parse(line, &opts) {
            None => return "none".into(),
            Some(Err(kind)) => return format!("err:{kind:?}"),
            Some(Ok(e)) => e,
        };
        let kind = match e.kind() {
            Kind::File => "file".to_string(),
            Kind::Dir => "dir".to_string(),
            Kind::Symlink => "link".to_string(),
            Kind::Other(other) => format!("{other:?}"),
        };
        let size = e.size().map_or("-".into(), |s| s.to_string());
        let mtime = e.mtime().map_or("-".into(), |m| m.to_iso_string());
        let target = e.link_target().unwrap_or("-");
        format!("{kind}|{}|{size}|{mtime}|{target}", e.name())
    }

    #[test]
    fn scanner_cases() {
        let cases: &[(&str, &str)] = &[
            // IIS's own layout.
            (
                "01-16-02  11:14AM       <DIR>          epsgroup",
                "dir|epsgroup|-|2002-01-16T11:14|-",
            ),
            (
                "07-04-18  12:00AM            1,234,567 big.iso",
                "file|big.iso|1234567|2018-07-04T00:00|-",
            ),
            (
                "02-29-16  09:05AM                    0 empty file.log",
                "file|empty file.log|0|2016-02-29T09:05|-",
            ),
            // Tabs are blanks, between columns and as padding.
            ("01-16-02\t11:14AM\t<DIR>\tx", "dir|x|-|2002-01-16T11:14|-"),
            (
                "01-16-02 \t \t \t \t 11:14PM\t\t\t\t\t\t\t\t\t\t5 a",
                "file|a|5|2002-01-16T23:14|-",
            ),
            ("  01-16-02  11:14AM  5 a", "file|a|5|2002-01-16T11:14|-"),
            // AM/PM glued on or a column of its own, in any case, one or two letters.
            ("01-16-02  11:14pm  5 a", "file|a|5|2002-01-16T23:14|-"),
            ("01-16-02  11:14 PM  5 a", "file|a|5|2002-01-16T23:14|-"),
            ("01-16-02  11:14\tam  5 a", "file|a|5|2002-01-16T11:14|-"),
            ("01-16-02  11:14P  5 a", "file|a|5|2002-01-16T23:14|-"),
            ("01-16-02  11:14 a  5 a", "file|a|5|2002-01-16T11:14|-"),
            ("01-16-02  12:00AM  5 a", "file|a|5|2002-01-16T00:00|-"),
            ("01-16-02  12:00PM  5 a", "file|a|5|2002-01-16T12:00|-"),
            ("01-16-02  9:05PM  5 a", "file|a|5|2002-01-16T21:05|-"),
            ("01-16-02  23:14  5 a", "file|a|5|2002-01-16T23:14|-"),
            (
                "01-16-02  23:14:59  5 PM",
                "file|PM|5|2002-01-16T23:14:59|-",
            ),
            // Four-digit years, ISO dates, other separators, day first, POSIX `%y`.
            ("01-16-2002  11:14AM  5 a", "file|a|5|2002-01-16T11:14|-"),
            ("2021-11-03  14:05  5 a", "file|a|5|2021-11-03T14:05|-"),
            ("2021/11/03  14:05  5 a", "file|a|5|2021-11-03T14:05|-"),
            ("03/05/03  14:05  5 a", "file|a|5|2003-03-05T14:05|-"),
            ("05.03.2003  14:05  5 a", "file|a|5|2003-03-05T14:05|-"),
            ("16-01-02  11:14AM  5 a", "file|a|5|2002-01-16T11:14|-"),
            ("01-16-69  11:14AM  5 a", "file|a|5|1969-01-16T11:14|-"),
            ("01-16-68  11:14AM  5 a", "file|a|5|2068-01-16T11:14|-"),
            ("05-Mar-03  11:14AM  5 a", "file|a|5|2003-03-05T11:14|-"),
            // IIS padding: leading spaces of the name are kept where the layout shows them.
            (
                "01-16-02  11:14AM       <DIR>           lead",
                "dir| lead|-|2002-01-16T11:14|-",
            ),
            (
                "01-16-02  11:14AM  <DIR>    x",
                "dir|x|-|2002-01-16T11:14|-",
            ),
            (
                "01-16-02  11:14AM  <JUNCTION>      x",
                "link| x|-|2002-01-16T11:14|-",
            ),
            (
                "01-16-02  11:14AM  <A-VERY-LONG-MARKER>  x",
                "Unknown(\"A-VERY-LONG-MARKER\")| x|-|2002-01-16T11:14|-",
            ),
            (
                "11-28-12  10:23AM  8036  lead",
                "file| lead|8036|2012-11-28T10:23|-",
            ),
            (
                "11-28-12  10:23AM  8036 a  b ",
                "file|a  b |8036|2012-11-28T10:23|-",
            ),
            // Markers.
            ("01-16-02  11:14AM  <dir>  x", "dir|x|-|2002-01-16T11:14|-"),
            (
                "01-16-02  11:14  <SYMLINK>      a [b c]",
                "link|a|-|2002-01-16T11:14|b c",
            ),
            (
                "01-16-02  11:14  <SYMLINKD>     [b]",
                "link|[b]|-|2002-01-16T11:14|-",
            ),
            (
                "01-16-02  11:14  <>  x",
                "Unknown(\"\")|x|-|2002-01-16T11:14|-",
            ),
            // Errors, in the order they are checked.
            ("01-16-02  11:14AM", "err:NoName"),
            ("01-16-02  11:14AM \t ", "err:NoName"),
            ("01-16-02  11:14 PM", "err:NoName"),
            ("01-16-02  11:14AM  <DIR>", "err:NoName"),
            ("01-16-02  11:14AM  <DIR>   ", "err:NoName"),
            ("01-16-02  11:14AM  12", "err:NoName"),
            ("01-16-02  11:14AM  12 ", "err:NoName"),
            ("01-16-02  11:14AM  12x a", "err:BadSize"),
            ("01-16-02  11:14AM  1,23 a", "err:BadSize"),
            ("01-16-02  11:14AM  12\u{1} a", "err:BadSize"),
            ("01-16-02  11:14AM  18446744073709551616 a", "err:BadSize"),
            ("02-30-02  11:14AM  12x a", "err:BadSize"),
            ("02-30-02  11:14AM  12 a", "err:BadDate"),
            // Not DOS lines: other formats are tried.
            ("01-16-02", "none"),
            ("01-16-02  x  5 a", "none"),
            ("01-16-02  13:14PM  5 a", "none"),
            ("01-16-02  00:05AM  5 a", "none"),
            ("01-16-02  11:14AX  5 a", "none"),
            ("01-16-02  11:60AM  5 a", "none"),
            ("03-05  12:00  5 a", "none"),
            ("13-13-02  11:14AM  5 a", "none"),
            ("01-16-02x  11:14AM  5 a", "none"),
            ("1234 -rw-r--r-- 1 u g 5 Jan  1  2020 a", "none"),
            ("12 5 12:00 a", "none"),
        ];
        for (line, want) in cases {
            assert_eq!(describe(line.as_bytes()), *want, "{line:?}");
        }
    }

    #[test]
    fn iis_date_agrees_with_numeric_date() {
        for month in 0..100 {
            for day in 0..100 {
                for year in [0, 1, 24, 68, 69, 99] {
                    let tok = format!("{month:02}-{day:02}-{year:02}");
                    let word = u64::from_le_bytes(tok.as_bytes().try_into().unwrap());
                    let fast = iis_date_word(word).map(|(y, m, d)| (Some(y), m, d));
                    let valid = (1..=12).contains(&month) && (1..=31).contains(&day);
                    assert_eq!(fast.is_some(), valid, "{tok}");
                    if valid {
                        assert_eq!(fast, date::numeric_date(tok.as_bytes()), "{tok}");
                    }
                }
            }
        }
        assert_eq!(iis_date_word(u64::from_le_bytes(*b"01/16/02")), None);
        // A four-digit year is no IIS start: `01-16-20` must not be read out of `01-16-2002`.
        assert!(iis_start(b"01-16-2002  11:14AM 5 a").is_none());
    }

    #[test]
    fn iis_start_agrees_with_read_start() {
        let lines = [
            "01-16-02  11:14AM       <DIR>          epsgroup",
            "12-31-99  11:59pm 5 a",
            "01-16-02  11:14AM\t5 a",
            "01-16-02  11:14AM",
            "01-16-02  11:14AMx 5 a",
            "01-16-02   11:14AM 5 a",
            "01-16-02\t 11:14AM 5 a",
            "01/16/02  11:14AM 5 a",
            "13-16-02  11:14AM 5 a",
            "01-16-02  13:14AM 5 a",
            "01-16-02  11:14 AM 5 a",
            "2021-11-03  14:05  5 a",
        ];
        for line in lines {
            let line = line.as_bytes();
            let fast = iis_start(line).map(|(date, mut cols)| (date, cols.next(), cols.pos()));
            let general = read_start(line).map(|(date, mut cols)| (date, cols.next(), cols.pos()));
            if fast.is_some() {
                assert_eq!(fast, general, "{line:?}");
            }
        }
        assert!(iis_start(lines[0].as_bytes()).is_some());
        assert!(iis_start(lines[1].as_bytes()).is_some());
    }

    #[test]
    fn name_starts() {
        // (line, position after the size or marker column, pad, name start)
        let cases: &[(&str, usize, usize, usize)] = &[
            ("5 a", 1, 1, 2),
            ("5   a", 1, 1, 2),
            ("5", 1, 1, 1),
            ("<DIR>    a", 5, 10, 9),
            ("<DIR>    a", 5, 3, 8),
            ("<DIR>\t\ta", 5, 10, 7),
            ("<DIR>  ", 5, 10, 7),
        ];
        for &(line, pos, pad, want) in cases {
            assert_eq!(
                name_start(line.as_bytes(), pos, pad),
                want,
                "{line:?} {pad}"
            );
        }
    }

    #[test]
    fn iis_time_agrees_with_parse_time_ampm() {
        for hm in 0..10_000u32 {
            for suffix in ["AM", "PM", "am", "pm", "aM", "Pm", "AX", "XM", "A ", "M"] {
                let tok = format!("{:02}:{:02}{suffix}", hm / 100, hm % 100);
                let tok = tok.as_bytes();
                let general = date::parse_time_ampm(tok, None).map(|(t, _)| t);
                // The word form reads seven bytes; other lengths are never handed to it.
                let fast = <[u8; 7]>::try_from(tok).ok().and_then(|seven| {
                    let mut word = [0; 8];
                    word[..7].copy_from_slice(&seven);
                    iis_time_word(u64::from_le_bytes(word))
                });
                match fast {
                    Some(fast) => assert_eq!(Some(fast), general, "{hm} {suffix}"),
                    None => assert!(general.is_none() || tok.len() != 7, "{hm} {suffix}"),
                }
            }
        }
    }
}

//! MLSD / MLST fact lines (RFC 3659): `fact=value;fact=value; name`.

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, Utc};

use super::date::parse_fraction;
use super::lex::{find_byte, is_ws, parse_octal, parse_u64};
use super::{Entry, ErrorKind, Format, Kind, Mtime, Precision, SkipReason, Special};

/// True when `s` is `facts name` with a non-empty, `;`-terminated fact list.
fn has_fact_list(s: &[u8]) -> bool {
    match s.iter().position(|&b| b == b' ') {
        Some(sp) if sp > 0 && s[sp - 1] == b';' => s[..sp]
            .split(|&b| b == b';')
            .filter(|f| !f.is_empty())
            .all(|f| f.iter().position(|&b| b == b'=').is_some_and(|p| p > 0)),
        _ => false,
    }
}

/// The kind named by a `type` fact value, and device numbers from `OS.unix=chr-13/29`.
/// A kind, a symlink target and device numbers.
type TypeFact<'a> = (Kind, Option<&'a [u8]>, Option<(u64, u64)>);

/// A value with its preference rank (a name beats a number).
type Ranked<'a> = Option<(u8, &'a [u8])>;

fn kind_of(v: &[u8]) -> TypeFact<'_> {
    let lower = |s: &[u8], p: &[u8]| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
    if v.eq_ignore_ascii_case(b"file") {
        return (Kind::File, None, None);
    }
    if [&b"dir"[..], b"cdir", b"pdir"]
        .iter()
        .any(|d| v.eq_ignore_ascii_case(d))
    {
        return (Kind::Dir, None, None);
    }
    if lower(v, b"os.unix=") {
        let os = &v[8..];
        // `slink:/target`, `symlink:/target`, bare `slink`/`symlink`.
        for prefix in [&b"slink"[..], b"symlink"] {
            if lower(os, prefix) {
                let rest = &os[prefix.len()..];
                if rest.is_empty() {
                    return (Kind::Symlink, None, None);
                }
                if let Some(target) = rest.strip_prefix(b":") {
                    return (Kind::Symlink, Some(target), None);
                }
            }
        }
        let device = |rest: &[u8]| {
            let rest = rest.strip_prefix(b"-")?;
            let p = rest.iter().position(|&b| b == b'/' || b == b',')?;
            Some((parse_u64(&rest[..p])?, parse_u64(&rest[p + 1..])?))
        };
        for (prefix, special) in [
            (&b"chr"[..], Special::CharDevice),
            (b"blk", Special::BlockDevice),
            (b"fifo", Special::Pipe),
            (b"pipe", Special::Pipe),
            (b"socket", Special::Socket),
            (b"sock", Special::Socket),
            (b"door", Special::Door),
        ] {
            if lower(os, prefix) {
                return (Kind::Other(special), None, device(&os[prefix.len()..]));
            }
        }
    }
    (Kind::Other(Special::Unknown(super::lossy(v))), None, None)
}

pub(crate) fn parse(line: &[u8]) -> Result<Entry, ErrorKind> {
    if line.iter().all(|&b| is_ws(b)) {
        return Err(ErrorKind::NotAnEntry(SkipReason::Blank));
    }
    // An MLST reply line is indented by one space.
    let body = match line.split_first() {
        Some((b' ', rest)) if has_fact_list(rest) => rest,
        _ => line,
    };
    let sp = find_byte(body, b' ').ok_or(ErrorKind::BadFacts)?;
    let name = &body[sp + 1..];
    if name.is_empty() {
        return Err(ErrorKind::NoName);
    }
    let fact_part = &body[..sp];
    let mut kind = Kind::Other(Special::Unknown(String::new()));
    let (mut target, mut device) = (None, None);
    let (mut size, mut sizd, mut mtime, mut mode) = (None, None, None, None);
    let (mut owner, mut group): (Ranked<'_>, Ranked<'_>) = (None, None);
    // `fact_part.split(';')` without empty facts, searching eight bytes at a time.
    let mut rest = fact_part;
    while !rest.is_empty() {
        let end = find_byte(rest, b';').unwrap_or(rest.len());
        let fact = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or_default();
        if fact.is_empty() {
            continue;
        }
        let eq = find_byte(fact, b'=')
            .filter(|&p| p > 0)
            .ok_or(ErrorKind::BadFacts)?;
        let (key, value) = (&fact[..eq], &fact[eq + 1..]);
        // Lower-case the key on the stack (every known key is ASCII and at most 16 bytes).
        let mut buf = [0u8; 16];
        let Some(lower) = buf.get_mut(..key.len()) else {
            continue;
        };
        for (d, &c) in lower.iter_mut().zip(key) {
            *d = c.to_ascii_lowercase();
        }
        // Prefer a name over a number: unix.ownername > unix.owner > unix.uid.
        let (slot, rank) = match &*lower {
            b"type" => {
                (kind, target, device) = kind_of(value);
                continue;
            }
            b"size" => {
                size = parse_u64(value);
                continue;
            }
            b"sizd" => {
                sizd = parse_u64(value);
                continue;
            }
            b"modify" => {
                mtime = mlsd_time(value);
                continue;
            }
            b"unix.mode" => {
                mode = parse_octal(value).map(|m| m & 0o7777);
                continue;
            }
            b"unix.ownername" => (&mut owner, 3),
            b"unix.owner" => (&mut owner, 2),
            b"unix.uid" => (&mut owner, 1),
            b"unix.groupname" => (&mut group, 3),
            b"unix.group" => (&mut group, 2),
            b"unix.gid" => (&mut group, 1),
            _ => continue,
        };
        if slot.map_or(true, |(r, _)| r < rank) {
            *slot = Some((rank, value));
        }
    }
    let mut e = Entry::new(kind, Format::Mlsx, line, name);
    if let Some(target) = target {
        e.set_link_target(line, target);
    }
    e.size = size.or(sizd);
    e.mtime = mtime;
    e.mode = mode;
    e.set_device(device);
    e.set_owner_group(line, owner.map(|(_, v)| v), group.map(|(_, v)| v));
    e.facts = super::span_of(line, fact_part);
    Ok(e)
}

/// An MLSD `modify`/`create` value: `YYYYMMDDHHMMSS[.fff]`, UTC. Servers that send only
/// `YYYYMMDD` or `YYYYMMDDHHMM` get day or minute precision; a trailing `Z` is ignored.
pub(crate) fn mlsd_time(v: &[u8]) -> Option<Mtime> {
    let v = v.strip_suffix(b"Z").unwrap_or(v);
    // The digits, then the end or a `.` and a fraction (one pass over the value).
    let n = v
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(v.len());
    let (main, frac) = match v.get(n) {
        None => (v, None),
        Some(b'.') => (&v[..n], Some(&v[n + 1..])),
        Some(_) => return None,
    };
    if !matches!(main.len(), 8 | 12 | 14) {
        return None;
    }
    // All digits, checked above: read them in pairs without further checks.
    let two = |i: usize| u32::from(main[i] - b'0') * 10 + u32::from(main[i + 1] - b'0');
    let year = (two(0) * 100 + two(2)) as i32;
    let date = NaiveDate::from_ymd_opt(year, two(4), two(6))?;
    let (h, m) = if main.len() >= 12 {
        (two(8), two(10))
    } else {
        (0, 0)
    };
    let s = if main.len() == 14 { two(12).min(59) } else { 0 };
    let (nanos, digits) = match frac {
        Some(f) if main.len() == 14 => parse_fraction(f)?,
        Some(_) => return None,
        None => (0, 0),
    };
    let time = NaiveTime::from_hms_nano_opt(h, m, s, nanos)?;
    let precision = match (main.len(), digits) {
        (8, _) => Precision::Day,
        (12, _) => Precision::Minute,
        (_, 0) => Precision::Second,
        (_, n) => Precision::Fraction(n),
    };
    Some(Mtime {
        time: DateTime::from_naive_utc_and_offset(date.and_time(time), Utc.fix()),
        precision,
        year_inferred: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlsd_times() {
        let iso = |v: &[u8]| mlsd_time(v).map(|m| m.to_iso_string());
        assert_eq!(
            iso(b"20200101120000").as_deref(),
            Some("2020-01-01T12:00:00")
        );
        assert_eq!(
            iso(b"20200101120000.123").as_deref(),
            Some("2020-01-01T12:00:00.123")
        );
        assert_eq!(iso(b"202001011200").as_deref(), Some("2020-01-01T12:00"));
        assert_eq!(iso(b"20200101").as_deref(), Some("2020-01-01"));
        assert_eq!(iso(b"20200230120000"), None);
        assert_eq!(iso(b"2020010112000"), None);
        assert_eq!(iso(b"20200101120000."), None);
    }
}

//! MLSD / MLST fact lines (RFC 3659): `fact=value;fact=value; name`.
//!
//! The name is everything after the first space. The facts before it are split at `;` (eight
//! bytes at a time: values such as `modify` are long) and at their first `=`; keys are told
//! apart by length first. The pass only notes where the values that count are (the last
//! `type`, `size`, `modify`…, the best-ranked owner and group); they are converted once,
//! afterwards.

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, Utc};

use super::lex::{find_byte, is_ws, parse_octal, parse_u64};
use super::{Entry, ErrorKind, Format, Kind, Mtime, Precision, SkipReason, Special};

pub(crate) fn parse(line: &[u8]) -> Result<Entry, ErrorKind> {
    if is_blank(line) {
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
    let fact_list = &body[..sp];
    let facts = Facts::read(fact_list).ok_or(ErrorKind::BadFacts)?;
    let (kind, target, device) = match facts.kind {
        Some(v) => kind_of(v),
        None => (Kind::Other(Special::Unknown(String::new())), None, None),
    };
    let mut e = Entry::new(kind, Format::Mlsx, line, name);
    if let Some(target) = target {
        e.set_link_target(line, target);
    }
    // An unreadable `size` leaves the field to `sizd`.
    e.size = facts
        .size
        .and_then(parse_u64)
        .or_else(|| facts.sizd.and_then(parse_u64));
    e.mtime = facts.modify.and_then(mlsd_time);
    e.mode = facts.mode.and_then(parse_octal).map(|m| m & 0o7777);
    e.set_device(device);
    e.set_owner_group(line, best(facts.owner), best(facts.group));
    e.facts = super::span_of(line, fact_list);
    Ok(e)
}

/// True for an empty line or one of only spaces and tabs (one comparison for most lines).
fn is_blank(line: &[u8]) -> bool {
    line.first().map_or(true, |&b| is_ws(b)) && line.iter().all(|&b| is_ws(b))
}

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

/// A value with its preference rank (a name beats a number).
type Ranked<'a> = Option<(u8, &'a [u8])>;

fn best(ranked: Ranked<'_>) -> Option<&[u8]> {
    ranked.map(|(_, v)| v)
}

/// The facts this parser reads, as found in the line (the last of each, the best-ranked
/// owner and group).
#[derive(Default)]
struct Facts<'a> {
    kind: Option<&'a [u8]>,
    size: Option<&'a [u8]>,
    sizd: Option<&'a [u8]>,
    modify: Option<&'a [u8]>,
    mode: Option<&'a [u8]>,
    owner: Ranked<'a>,
    group: Ranked<'a>,
}

impl<'a> Facts<'a> {
    /// Reads a fact list (the part of the line before the space). `None` when a non-empty
    /// fact has no `=` or an empty key.
    fn read(list: &'a [u8]) -> Option<Self> {
        let mut facts = Facts::default();
        let mut rest = list;
        while !rest.is_empty() {
            // Values such as `modify` are long: find the `;` eight bytes at a time.
            let end = find_byte(rest, b';').unwrap_or(rest.len());
            let fact = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            if fact.is_empty() {
                continue;
            }
            // Keys are short: a plain search.
            match fact.iter().position(|&b| b == b'=') {
                Some(eq) if eq > 0 => facts.note(key_of(&fact[..eq]), &fact[eq + 1..]),
                _ => return None,
            }
        }
        Some(facts)
    }

    fn note(&mut self, key: Key, value: &'a [u8]) {
        match key {
            Key::Type => self.kind = Some(value),
            Key::Size => self.size = Some(value),
            Key::Sizd => self.sizd = Some(value),
            Key::Modify => self.modify = Some(value),
            Key::Mode => self.mode = Some(value),
            Key::Owner(rank) => keep_best(&mut self.owner, rank, value),
            Key::Group(rank) => keep_best(&mut self.group, rank, value),
            Key::Other => {}
        }
    }
}

/// Keeps the first value of the highest rank.
fn keep_best<'a>(slot: &mut Ranked<'a>, rank: u8, value: &'a [u8]) {
    if slot.map_or(true, |(r, _)| r < rank) {
        *slot = Some((rank, value));
    }
}

/// The facts the parser reads. Owner and group carry their preference rank: a name beats a
/// number (`unix.ownername` > `unix.owner` > `unix.uid`).
#[derive(Debug, PartialEq)]
enum Key {
    Type,
    Size,
    Sizd,
    Modify,
    Mode,
    Owner(u8),
    Group(u8),
    Other,
}

/// The fact a key names, case-insensitively (told apart by length first).
fn key_of(key: &[u8]) -> Key {
    let is = |name: &[u8]| same_key(key, name);
    match key.len() {
        4 if is(b"type") => Key::Type,
        4 if is(b"size") => Key::Size,
        4 if is(b"sizd") => Key::Sizd,
        6 if is(b"modify") => Key::Modify,
        8 if is(b"unix.uid") => Key::Owner(1),
        8 if is(b"unix.gid") => Key::Group(1),
        9 if is(b"unix.mode") => Key::Mode,
        10 if is(b"unix.owner") => Key::Owner(2),
        10 if is(b"unix.group") => Key::Group(2),
        14 if is(b"unix.ownername") => Key::Owner(3),
        14 if is(b"unix.groupname") => Key::Group(3),
        _ => Key::Other,
    }
}

/// `key` is `name` (lower-case letters and dots, of the same length) in any ASCII case.
fn same_key(key: &[u8], name: &[u8]) -> bool {
    // Setting bit 0x20 lower-cases a letter, and only its upper-case form maps onto it; dots
    // must match exactly (0x0e would map onto one).
    key.iter()
        .zip(name)
        .all(|(&k, &n)| k == n || (n != b'.' && k | 0x20 == n))
}

/// A kind, a symlink target and device numbers.
type TypeFact<'a> = (Kind, Option<&'a [u8]>, Option<(u64, u64)>);

/// The kind named by a `type` fact value, with the target of `OS.unix=slink:/target` and the
/// device numbers of `OS.unix=chr-13/29`.
fn kind_of(v: &[u8]) -> TypeFact<'_> {
    let kind = match v.len() {
        3 if v.eq_ignore_ascii_case(b"dir") => Kind::Dir,
        4 if v.eq_ignore_ascii_case(b"file") => Kind::File,
        4 if v.eq_ignore_ascii_case(b"cdir") || v.eq_ignore_ascii_case(b"pdir") => Kind::Dir,
        _ => return unix_kind_of(v),
    };
    (kind, None, None)
}

/// An `OS.unix=…` type, or an unknown one.
fn unix_kind_of(v: &[u8]) -> TypeFact<'_> {
    let lower = |s: &[u8], p: &[u8]| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
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

/// An MLSD `modify`/`create` value: `YYYYMMDDHHMMSS[.fff]`, UTC. Servers that send only
/// `YYYYMMDD` or `YYYYMMDDHHMM` get day or minute precision; a trailing `Z` is ignored.
pub(crate) fn mlsd_time(v: &[u8]) -> Option<Mtime> {
    let v = v.strip_suffix(b"Z").unwrap_or(v);
    let (main, frac) = match v.get(14) {
        Some(b'.') => (&v[..14], Some(&v[15..])),
        _ => (v, None),
    };
    let precision = match main.len() {
        8 => Precision::Day,
        12 => Precision::Minute,
        14 => Precision::Second,
        _ => return None,
    };
    // Two words cover the 8 to 14 digits.
    if !all_digits8(&main[..8]) || !all_digits8(&main[main.len() - 8..]) {
        return None;
    }
    let two = |i: usize| match main.get(i..i + 2) {
        Some(&[a, b]) => u32::from(a - b'0') * 10 + u32::from(b - b'0'),
        _ => 0,
    };
    let date = NaiveDate::from_ymd_opt((two(0) * 100 + two(2)) as i32, two(4), two(6))?;
    let (nanos, precision) = match frac {
        Some(f) => {
            let (nanos, digits) = fraction(f)?;
            (nanos, Precision::Fraction(digits))
        }
        None => (0, precision),
    };
    // A leap second (`60`) is read as `59`.
    let time = NaiveTime::from_hms_nano_opt(two(8), two(10), two(12).min(59), nanos)?;
    Some(Mtime {
        time: DateTime::from_naive_utc_and_offset(date.and_time(time), Utc.fix()),
        precision,
        year_inferred: false,
    })
}

/// Fraction digits (at least one) as nanoseconds and a digit count; digits past the ninth
/// are checked but not used.
fn fraction(f: &[u8]) -> Option<(u32, u8)> {
    const SCALE: [u32; 10] = [
        1_000_000_000,
        100_000_000,
        10_000_000,
        1_000_000,
        100_000,
        10_000,
        1_000,
        100,
        10,
        1,
    ];
    if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let used = &f[..f.len().min(9)];
    let n = used.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0'));
    Some((n * SCALE[used.len()], used.len() as u8))
}

/// True when `s` is eight ASCII digits.
fn all_digits8(s: &[u8]) -> bool {
    const NIBBLES: u64 = u64::from_le_bytes([0xf0; 8]);
    const ZEROS: u64 = u64::from_le_bytes([b'0'; 8]);
    const SIXES: u64 = u64::from_le_bytes([6; 8]);
    let Ok(bytes) = <[u8; 8]>::try_from(s) else {
        return false;
    };
    let w = u64::from_le_bytes(bytes);
    // Each byte is 0x30..=0x3f, and adding 6 keeps it below 0x40 (so it is at most `9`).
    w & NIBBLES == ZEROS && (w + SIXES) & NIBBLES == ZEROS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlsd_times() {
        let iso = |v: &[u8]| mlsd_time(v).map(|m| m.to_iso_string());
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"20200101120000", Some("2020-01-01T12:00:00")),
            (b"20200101120000.123", Some("2020-01-01T12:00:00.123")),
            (
                b"20200101120000.1234567891",
                Some("2020-01-01T12:00:00.123456789"),
            ),
            (b"20200101120000Z", Some("2020-01-01T12:00:00")),
            (b"20200101120000.5Z", Some("2020-01-01T12:00:00.5")),
            (b"202001011200", Some("2020-01-01T12:00")),
            (b"20200101", Some("2020-01-01")),
            (b"20200229235959", Some("2020-02-29T23:59:59")),
            (b"20231231235960", Some("2023-12-31T23:59:59")),
            (b"00000101000000", Some("0000-01-01T00:00:00")),
            (b"20210229120000", None),
            (b"20200230120000", None),
            (b"20201301120000", None),
            (b"20200100120000", None),
            (b"20200101240000", None),
            (b"20200101126000", None),
            (b"2020010112000", None),
            (b"202001011200000", None),
            (b"2020010", None),
            (b"", None),
            (b"20200101120000.", None),
            (b"20200101120000.1x", None),
            (b"202001011200.5", None),
            (b"20200101.5", None),
            (b"2020010112000Z0", None),
            (b"20200101120000ZZ", None),
            (b"2020-101120000", None),
            (b"2020010112:000", None),
            (b"20200101\xff20000", None),
        ];
        for &(v, want) in cases {
            assert_eq!(iso(v).as_deref(), want, "{:?}", String::from_utf8_lossy(v));
        }
        let m = mlsd_time(b"20200101120000.25").unwrap();
        assert_eq!(m.precision, Precision::Fraction(2));
        assert_eq!(m.time.offset().local_minus_utc(), 0);
    }

    #[test]
    fn eight_digits() {
        let cases: &[(&[u8], bool)] = &[
            (b"01234567", true),
            (b"99999999", true),
            (b"0123456", false),
            (b"012345678", false),
            (b"0123456:", false),
            (b"/1234567", false),
            (b"0123?567", false),
            (b"\xf9\xf9\xf9\xf9\xf9\xf9\xf9\xf9", false),
        ];
        for &(s, want) in cases {
            assert_eq!(all_digits8(s), want, "{s:?}");
        }
    }

    #[test]
    fn fractions() {
        type Case = (&'static [u8], Option<(u32, u8)>);
        let cases: &[Case] = &[
            (b"5", Some((500_000_000, 1))),
            (b"123", Some((123_000_000, 3))),
            (b"000000001", Some((1, 9))),
            (b"1234567891", Some((123_456_789, 9))),
            (b"", None),
            (b"1a", None),
            (b"1234567891x", None),
        ];
        for &(f, want) in cases {
            assert_eq!(fraction(f), want, "{f:?}");
        }
    }

    #[test]
    fn keys() {
        let key = key_of;
        let cases: &[(&[u8], Key)] = &[
            (b"type", Key::Type),
            (b"TyPe", Key::Type),
            (b"size", Key::Size),
            (b"SIZD", Key::Sizd),
            (b"Modify", Key::Modify),
            (b"UNIX.mode", Key::Mode),
            (b"unix.uid", Key::Owner(1)),
            (b"Unix.Owner", Key::Owner(2)),
            (b"UNIX.ownerName", Key::Owner(3)),
            (b"unix.GID", Key::Group(1)),
            (b"unix.group", Key::Group(2)),
            (b"unix.groupname", Key::Group(3)),
            // Only letters fold: `.` and other bytes must match exactly.
            (b"unix\x0emode", Key::Other),
            (b"t\x19pe", Key::Other),
            (b"TYPE", Key::Type),
            (b"unix.mod\x05", Key::Other),
            (b"type\0", Key::Other),
            (b"typ", Key::Other),
            (b"types", Key::Other),
            (b"perm", Key::Other),
            (b"unique", Key::Other),
            (b"unix.groupnames", Key::Other),
            (b"x.unix.groupname", Key::Other),
            (b"", Key::Other),
        ];
        for (k, want) in cases {
            assert_eq!(&key(k), want, "{:?}", String::from_utf8_lossy(k));
        }
    }

    #[test]
    fn fact_lists() {
        let read = |facts: &[u8]| {
            Facts::read(facts).map(|f| {
                let text = |v: Option<&[u8]>| v.map(|v| String::from_utf8_lossy(v).into_owned());
                (text(f.kind), text(f.size), text(best(f.owner)))
            })
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(read(b"type=file;"), Some((some("file"), None, None)));
        assert_eq!(
            read(b";;type=dir;;size=1"),
            Some((some("dir"), some("1"), None))
        );
        assert_eq!(read(b"type=a=b;type=c"), Some((some("c"), None, None)));
        assert_eq!(read(b"size=;"), Some((None, some(""), None)));
        assert_eq!(
            read(b"x.a-very-long-fact-name=1;unix.owner=a-very-long-owner-name;unix.uid=0"),
            Some((None, None, some("a-very-long-owner-name")))
        );
        assert_eq!(
            read(b"unix.uid=0;UNIX.ownername=alice;unix.owner=bob"),
            Some((None, None, some("alice")))
        );
        assert_eq!(read(b""), Some((None, None, None)));
        assert_eq!(read(b"type"), None);
        assert_eq!(read(b"type=file;size"), None);
        assert_eq!(read(b"=file;"), None);
        assert_eq!(read(b"a-key-longer-than-a-window;"), None);
    }
}

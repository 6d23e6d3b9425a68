//! MLSD / MLST fact lines (RFC 3659): `fact=value;fact=value; name`.
//!
//! The name is everything after the first space. The facts before it are split at `;` (eight
//! bytes at a time: values such as `modify` are long) and at their first `=` (found in the
//! key's first eight bytes as one word); keys are told apart by length, then compared as
//! lower-cased words. The pass only notes where the values that count are (the last
//! `type`, `size`, `modify`…, the best-ranked owner and group); they are converted once,
//! afterwards.

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, Utc};

use super::date::parse_fraction;
use super::lex::{
    byte_marks, byte_marks_exact, digit_pairs, digits_at, find_byte, is_ws, parse_octal, parse_u64,
    word_at, zero_padded_word,
};
use super::{
    Entry, ErrorKind, Format, Kind, Mtime, ParseError, Parts, Precision, SkipReason, Special,
};

pub(crate) fn parse(line: &[u8]) -> Result<Entry, ParseError> {
    let fail = |kind| ParseError::new(kind, line);
    if is_blank(line) {
        return Err(fail(ErrorKind::NotAnEntry(SkipReason::Blank)));
    }
    // An MLST reply line is indented by one space.
    let start = usize::from(line[0] == b' ' && has_fact_list(&line[1..]));
    let (facts, sp) = Facts::read(line, start).ok_or_else(|| fail(bad_facts(line, start)))?;
    let name = &line[sp + 1..];
    if name.is_empty() {
        return Err(fail(ErrorKind::NoName));
    }
    let fact_list = &line[start..sp];
    let (kind, target, device) = match facts.kind {
        Some(v) => kind_of(v),
        None => (Kind::Other(Special::Unknown(String::new())), None, None),
    };
    // An unreadable `size` leaves the field to `sizd`.
    let size = facts
        .size
        .and_then(parse_u64)
        .or_else(|| facts.sizd.and_then(parse_u64));
    let mtime = facts.modify.and_then(mlsd_time);
    let mode = facts.mode.and_then(parse_octal).map(|m| m & 0o7777);
    Ok(Entry::from_parts(Parts {
        target,
        owner: best(facts.owner),
        group: best(facts.group),
        facts: Some(fact_list),
        size,
        mtime,
        mode,
        device,
        ..Parts::new(kind, Format::Mlsx, line, name)
    }))
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
    /// Reads the facts of `line` from `start` up to the first space, and returns them with
    /// the index of that space. `None` when the line has no space, or a non-empty fact before
    /// it lacks `=` or a key.
    fn read(line: &'a [u8], start: usize) -> Option<(Self, usize)> {
        let mut facts = Facts::default();
        let mut fact_start = start;
        // One pass, eight bytes at a time: each `;` ends a fact, the first space ends them all.
        let mut at = start;
        while at < line.len() {
            let w = zero_padded_word(line, at);
            let spaces = byte_marks_exact(w, b' ');
            let mut ends = byte_marks_exact(w, b';') | spaces;
            while ends != 0 {
                let bit = ends & ends.wrapping_neg();
                let end = at + (bit.trailing_zeros() / 8) as usize;
                if end > fact_start {
                    facts.read_fact(line, fact_start, end)?;
                }
                if spaces & bit != 0 {
                    return Some((facts, end));
                }
                fact_start = end + 1;
                ends ^= bit;
            }
            at += 8;
        }
        None
    }

    /// Notes the fact `line[start..end]` (not empty). `None` when it has no `=` or no key.
    fn read_fact(&mut self, line: &'a [u8], start: usize, end: usize) -> Option<()> {
        let eq = find_eq(line, start, end).filter(|&eq| eq > start)?;
        self.note(key_at(line, start, eq), &line[eq + 1..end]);
        Some(())
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

/// The first `=` in `line[start..end]`. Keys are short: the first eight bytes are looked at
/// as one word.
fn find_eq(line: &[u8], start: usize, end: usize) -> Option<usize> {
    let marks = byte_marks(zero_padded_word(line, start), b'=');
    if marks != 0 {
        // The lowest mark is exact.
        let eq = start + (marks.trailing_zeros() / 8) as usize;
        return (eq < end).then_some(eq);
    }
    let rest = line.get(start + 8..end)?;
    find_byte(rest, b'=').map(|n| start + 8 + n)
}

/// The error for a line whose facts could not be read: [`ErrorKind::NoName`] when nothing
/// follows its first space, as for a line whose facts are fine.
fn bad_facts(line: &[u8], start: usize) -> ErrorKind {
    match find_byte(&line[start..], b' ') {
        Some(sp) if start + sp + 1 == line.len() => ErrorKind::NoName,
        _ => ErrorKind::BadFacts,
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

/// Up to eight bytes as a little-endian word, zero-padded.
const fn key_word(name: &[u8]) -> u64 {
    let mut w = 0;
    let mut i = 0;
    while i < name.len() && i < 8 {
        w |= (name[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

/// The fact named by `line[start..end]`, case-insensitively. Keys are compared as words of
/// eight bytes, lower-cased by setting bit 0x20 of each byte: the lower-case letters of the
/// names only match themselves and their upper-case forms that way. The dot of `unix.` is
/// compared exactly (0x0e would map onto it).
fn key_at(line: &[u8], start: usize, end: usize) -> Key {
    const FOLD: u64 = u64::from_le_bytes([0x20; 8]);
    const DOT_AT_4: u64 = 0xff << 32;
    let head = zero_padded_word(line, start);
    match end - start {
        4 => match (head | FOLD) & low_bytes(4) {
            w if w == key_word(b"type") => Key::Type,
            w if w == key_word(b"size") => Key::Size,
            w if w == key_word(b"sizd") => Key::Sizd,
            _ => Key::Other,
        },
        6 if (head | FOLD) & low_bytes(6) == key_word(b"modify") => Key::Modify,
        len @ 8..=14 => {
            let tail = zero_padded_word(line, start + 8) | FOLD;
            unix_key(len, head | (FOLD & !DOT_AT_4), tail)
        }
        _ => Key::Other,
    }
}

/// A mask of the low `n` bytes of a word (`n` at most 7).
const fn low_bytes(n: u32) -> u64 {
    (1 << (8 * n)) - 1
}

/// The `unix.` fact of a key of `len` bytes (8 to 14) whose first eight bytes are `head` and
/// the next eight `tail`, both lower-cased words (`tail` may run past the key).
fn unix_key(len: usize, head: u64, tail: u64) -> Key {
    const OWN: u64 = key_word(b"unix.own");
    const GRO: u64 = key_word(b"unix.gro");
    match len {
        8 if head == key_word(b"unix.uid") => Key::Owner(1),
        8 if head == key_word(b"unix.gid") => Key::Group(1),
        9 if head == key_word(b"unix.mod") && tail & low_bytes(1) == key_word(b"e") => Key::Mode,
        10 => match (head, tail & low_bytes(2)) {
            (OWN, t) if t == key_word(b"er") => Key::Owner(2),
            (GRO, t) if t == key_word(b"up") => Key::Group(2),
            _ => Key::Other,
        },
        14 => match (head, tail & low_bytes(6)) {
            (OWN, t) if t == key_word(b"ername") => Key::Owner(3),
            (GRO, t) if t == key_word(b"upname") => Key::Group(3),
            _ => Key::Other,
        },
        _ => Key::Other,
    }
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
                    // Pure-FTPd sends `slink:` with nothing after it: no target, as for bare
                    // `slink`.
                    return (Kind::Symlink, Some(target).filter(|t| !t.is_empty()), None);
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
    // Two words cover the 8 to 14 digits: `YYYYMMDD` is the first, and the time ends the last
    // one (`DDHHMMSS` or `MMDDHHMM`). Each pair of digits is read at once.
    let (first, last) = (word_at(main, 0)?, word_at(main, main.len() - 8)?);
    if !digits_at(first, u64::MAX) || !digits_at(last, u64::MAX) {
        return None;
    }
    let pair = |pairs: u64, i: usize| u32::from((pairs >> (8 * i)) as u8);
    let ymd = digit_pairs(first, u64::MAX);
    let hms = digit_pairs(last, u64::MAX);
    let (hour, minute, second) = match main.len() {
        14 => (pair(hms, 2), pair(hms, 4), pair(hms, 6)),
        12 => (pair(hms, 4), pair(hms, 6), 0),
        _ => (0, 0, 0),
    };
    let year = pair(ymd, 0) * 100 + pair(ymd, 2);
    let date = NaiveDate::from_ymd_opt(year as i32, pair(ymd, 4), pair(ymd, 6))?;
    let (nanos, precision) = match frac {
        Some(f) => {
            let (nanos, digits) = parse_fraction(f)?;
            (nanos, Precision::Fraction(digits))
        }
        None => (0, precision),
    };
    // A leap second (`60`) is read as `59`.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?;
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
            // Eight bytes, all digits: what `mlsd_time` checks of each word it reads.
            let eight_digits = <[u8; 8]>::try_from(s)
                .is_ok_and(|word| digits_at(u64::from_le_bytes(word), u64::MAX));
            assert_eq!(eight_digits, want, "{s:?}");
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
            assert_eq!(parse_fraction(f), want, "{f:?}");
        }
    }

    #[test]
    fn keys() {
        let key = |k: &[u8]| key_at(&[k, b"=x; y"].concat(), 0, k.len());
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
    fn first_eq() {
        // (line, start, end, the first `=` in line[start..end])
        let cases: &[(&[u8], usize, usize, Option<usize>)] = &[
            (b"type=file; x", 0, 9, Some(4)),
            (b"a;type=file; x", 2, 11, Some(6)),
            (b"ab;c=d; x", 0, 2, None),
            (b"abcdefgh=1; x", 0, 10, Some(8)),
            (b"abcdefghijklmnop=1; x", 0, 18, Some(16)),
            (b"abcdefghij;k=1; x", 0, 10, None),
            (b"abcdefgh; x", 0, 8, None),
            (b"a=b", 0, 3, Some(1)),
            (b"ab", 0, 2, None),
        ];
        for &(line, start, end, want) in cases {
            assert_eq!(find_eq(line, start, end), want, "{line:?}");
        }
    }

    #[test]
    fn fact_lists() {
        // The facts of `facts name`: the space found must be the one after `facts`.
        let read = |facts: &[u8]| {
            let line = [facts, b" name"].concat();
            Facts::read(&line, 0).map(|(f, sp)| {
                assert_eq!(sp, facts.len(), "{facts:?}");
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
        // A `:` right after a `;` (or a `!` after a space) is not taken for another one.
        assert_eq!(
            read(b"type=a;:=1;size=2"),
            Some((some("a"), some("2"), None))
        );
        assert_eq!(
            read(b"size=1234567;type=dir;unique=12;a=b;c=d;e=f;g=h;i=j"),
            Some((some("dir"), some("1234567"), None))
        );
        // The facts end at the first space, wherever it is; no space at all is an error.
        let first_space = |line: &[u8]| Facts::read(line, 0).map(|(_, sp)| sp);
        assert_eq!(first_space(b"type=fi le; x"), Some(7));
        assert_eq!(first_space(b" x"), Some(0));
        assert_eq!(first_space(b"type=file;size=1"), None);
        assert_eq!(first_space(b""), None);
    }
}

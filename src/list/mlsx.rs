//! MLSD / MLST fact lines (RFC 3659): `fact=value;fact=value; name`.
//!
//! The name is everything after the first space. The facts before it are read one at a time,
//! eight bytes at a time: the first word of a fact holds the `=` of every short key (and often
//! the `;` that ends the fact), so one word tells where the key ends; keys are told apart by
//! length, then compared as lower-cased words. The pass only notes where the value of the last
//! of each fact that counts is (`type`, `size`, `modify`, `unix.mode`, the owner and group
//! facts); they are converted once, afterwards.

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, Utc};

use super::date::parse_fraction;
use super::lex::{
    byte_marks, digit_pairs, digits_at, find_byte, is_ws, parse_octal, parse_u64, word_at,
    zero_padded_word,
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
    let (kind, target, device) = match facts.get(line, Key::Type) {
        Some(v) => kind_of(v),
        None => (Kind::Other(Special::Unknown(String::new())), None, None),
    };
    // An unreadable `size` leaves the field to `sizd`.
    let size = (facts.get(line, Key::Size).and_then(parse_u64))
        .or_else(|| facts.get(line, Key::Sizd).and_then(parse_u64));
    let mtime = facts.get(line, Key::Modify).and_then(mlsd_time);
    let mode = (facts.get(line, Key::Mode).and_then(parse_octal)).map(|m| m & 0o7777);
    Ok(Entry::from_parts(Parts {
        target,
        owner: facts.first_of(line, &[Key::OwnerName, Key::Owner, Key::Uid]),
        group: facts.first_of(line, &[Key::GroupName, Key::Group, Key::Gid]),
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

/// The facts this parser reads: where the value of the last of each is in the line.
struct Facts {
    /// `start..end` of each [`Key`]'s value, indexed by the key; `0..0` when absent (a value
    /// never starts at 0: a key and `=` come first).
    values: [(usize, usize); Key::COUNT],
}

impl Facts {
    /// Reads the facts of `line` from `start` up to the first space, and returns them with
    /// the index of that space. `None` when the line has no space, or a non-empty fact before
    /// it lacks `=` or a key.
    fn read(line: &[u8], start: usize) -> Option<(Self, usize)> {
        let mut facts = Facts {
            values: [(0, 0); Key::COUNT],
        };
        let mut at = start;
        loop {
            // The first eight bytes of a fact, one word: they hold the `=` of every short key
            // and the whole of many facts. The lowest mark of each kind is exact.
            let head = zero_padded_word(line, at);
            // Byte indices in the word; 8 when there is none.
            let first_eq = (byte_marks(head, b'=').trailing_zeros() / 8) as usize;
            let marks = byte_marks(head, b';') | byte_marks(head, b' ');
            let first_end = (marks.trailing_zeros() / 8) as usize;
            let (eq, end, key) = if first_eq < first_end {
                // A short key.
                let end = if first_end < 8 {
                    at + first_end
                } else {
                    fact_end(line, at + 8)
                };
                (at + first_eq, end, short_key(head, first_eq))
            } else if first_end < 8 {
                // The fact ends in its first eight bytes, without a `=`: only an empty fact
                // may (the space before the name, or `;;`).
                if first_end > 0 {
                    return None;
                }
                if line[at] == b' ' {
                    return Some((facts, at));
                }
                at += 1;
                continue;
            } else {
                // A long key (`unix.…`), or the line ends without a space.
                let end = fact_end(line, at + 8);
                let eq = at + 8 + find_byte(line.get(at + 8..end)?, b'=')?;
                (eq, end, key_at(line, at, eq))
            };
            if eq == at {
                return None;
            }
            facts.values[key as usize] = (eq + 1, end);
            match line.get(end) {
                Some(b';') => at = end + 1,
                Some(_) => return Some((facts, end)),
                None => return None,
            }
        }
    }

    /// The value of `key`, if the line has it.
    fn get<'a>(&self, line: &'a [u8], key: Key) -> Option<&'a [u8]> {
        match self.values[key as usize] {
            (0, _) => None,
            (start, end) => line.get(start..end),
        }
    }

    /// The first of `keys` the line has.
    fn first_of<'a>(&self, line: &'a [u8], keys: &[Key]) -> Option<&'a [u8]> {
        keys.iter().find_map(|&key| self.get(line, key))
    }
}

/// The index of the first `;` or space at or after `at`: where a fact ends (`line.len()` when
/// neither follows).
fn fact_end(line: &[u8], mut at: usize) -> usize {
    while let Some(w) = word_at(line, at) {
        let marks = byte_marks(w, b';') | byte_marks(w, b' ');
        if marks != 0 {
            return at + (marks.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = line.get(at..).unwrap_or_default();
    rest.iter()
        .position(|&b| b == b';' || b == b' ')
        .map_or(line.len(), |n| at + n)
}

/// The error for a line whose facts could not be read: [`ErrorKind::NoName`] when nothing
/// follows its first space, as for a line whose facts are fine.
fn bad_facts(line: &[u8], start: usize) -> ErrorKind {
    match find_byte(&line[start..], b' ') {
        Some(sp) if start + sp + 1 == line.len() => ErrorKind::NoName,
        _ => ErrorKind::BadFacts,
    }
}

/// The facts the parser reads. An owner or group has three: a name beats a number
/// (`unix.ownername` > `unix.owner` > `unix.uid`).
#[derive(Debug, PartialEq, Clone, Copy)]
enum Key {
    Type,
    Size,
    Sizd,
    Modify,
    Mode,
    Uid,
    Owner,
    OwnerName,
    Gid,
    Group,
    GroupName,
    Other,
}

impl Key {
    const COUNT: usize = Key::Other as usize + 1;
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
        len @ 8..=14 => {
            let tail = zero_padded_word(line, start + 8) | FOLD;
            unix_key(len, head | (FOLD & !DOT_AT_4), tail)
        }
        len => short_key(head, len),
    }
}

/// The fact whose key is the first `len` bytes of the word `head` (longer keys are
/// [`Key::Other`]).
fn short_key(head: u64, len: usize) -> Key {
    const FOLD: u64 = u64::from_le_bytes([0x20; 8]);
    match len {
        4 => match (head | FOLD) & low_bytes(4) {
            w if w == key_word(b"type") => Key::Type,
            w if w == key_word(b"size") => Key::Size,
            w if w == key_word(b"sizd") => Key::Sizd,
            _ => Key::Other,
        },
        6 if (head | FOLD) & low_bytes(6) == key_word(b"modify") => Key::Modify,
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
        8 if head == key_word(b"unix.uid") => Key::Uid,
        8 if head == key_word(b"unix.gid") => Key::Gid,
        9 if head == key_word(b"unix.mod") && tail & low_bytes(1) == key_word(b"e") => Key::Mode,
        10 => match (head, tail & low_bytes(2)) {
            (OWN, t) if t == key_word(b"er") => Key::Owner,
            (GRO, t) if t == key_word(b"up") => Key::Group,
            _ => Key::Other,
        },
        14 => match (head, tail & low_bytes(6)) {
            (OWN, t) if t == key_word(b"ername") => Key::OwnerName,
            (GRO, t) if t == key_word(b"upname") => Key::GroupName,
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
            (b"unix.uid", Key::Uid),
            (b"Unix.Owner", Key::Owner),
            (b"UNIX.ownerName", Key::OwnerName),
            (b"unix.GID", Key::Gid),
            (b"unix.group", Key::Group),
            (b"unix.groupname", Key::GroupName),
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
        // The facts of `facts name`: the space found must be the one after `facts`.
        let read = |facts: &[u8]| {
            let line = [facts, b" name"].concat();
            Facts::read(&line, 0).map(|(f, sp)| {
                assert_eq!(sp, facts.len(), "{facts:?}");
                let text = |key| {
                    f.get(&line, key)
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                };
                let owner = f.first_of(&line, &[Key::OwnerName, Key::Owner, Key::Uid]);
                let owner = owner.map(|v| String::from_utf8_lossy(v).into_owned());
                (text(Key::Type), text(Key::Size), owner)
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

    /// What [`Facts::read`] must find, the obvious way: the facts are the text before the
    /// first space, split at `;`; each non-empty one needs a non-empty key before its first
    /// `=`; keys compare case-insensitively; the last of each counts.
    fn reference(line: &[u8], start: usize) -> Option<(usize, Vec<Option<Vec<u8>>>)> {
        const NAMES: [(&[u8], Key); 11] = [
            (b"type", Key::Type),
            (b"size", Key::Size),
            (b"sizd", Key::Sizd),
            (b"modify", Key::Modify),
            (b"unix.mode", Key::Mode),
            (b"unix.uid", Key::Uid),
            (b"unix.owner", Key::Owner),
            (b"unix.ownername", Key::OwnerName),
            (b"unix.gid", Key::Gid),
            (b"unix.group", Key::Group),
            (b"unix.groupname", Key::GroupName),
        ];
        let sp = start + line[start..].iter().position(|&b| b == b' ')?;
        let mut values = vec![None; Key::COUNT];
        for fact in line[start..sp].split(|&b| b == b';') {
            if fact.is_empty() {
                continue;
            }
            let eq = fact.iter().position(|&b| b == b'=').filter(|&eq| eq > 0)?;
            let key = NAMES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&fact[..eq]))
                .map_or(Key::Other, |&(_, key)| key);
            values[key as usize] = Some(fact[eq + 1..].to_vec());
        }
        values[Key::Other as usize] = None;
        Some((sp, values))
    }

    fn fragment() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let words: Vec<&'static [u8]> = vec![
            b"type",
            b"TYPE",
            b"Size",
            b"sizd",
            b"modify",
            b"MODIFY",
            b"unix.mode",
            b"UNIX.uid",
            b"unix.owner",
            b"unix.ownerName",
            b"unix.gid",
            b"unix.Group",
            b"unix.groupname",
            b"unix\x0emode",
            b"perm",
            b"unique",
            b"x.a-long-key-name",
            b"=",
            b"=",
            b";",
            b";",
            b";",
            b" ",
            b"file",
            b"dir",
            b"20200101120000",
            b"OS.unix=slink:/a",
            b"123",
            b":",
            b"!",
            b"",
        ];
        prop_oneof![
            4 => proptest::sample::select(words).prop_map(|w| w.to_vec()),
            1 => proptest::collection::vec(any::<u8>(), 0..12),
        ]
    }

    proptest::proptest! {
        #[test]
        fn prop_facts_read_as_the_obvious_split(
            parts in proptest::collection::vec(fragment(), 0..24),
            start in 0usize..2,
        ) {
            let line = parts.concat();
            let start = start.min(line.len());
            let ours = Facts::read(&line, start).map(|(facts, sp)| {
                let values = (0..Key::COUNT)
                    .map(|k| match facts.values[k] {
                        (0, _) => None,
                        (s, e) => Some(line[s..e].to_vec()),
                    })
                    .collect::<Vec<_>>();
                (sp, values)
            });
            let mut ours = ours;
            if let Some((_, values)) = ours.as_mut() {
                values[Key::Other as usize] = None;
            }
            proptest::prop_assert_eq!(ours, reference(&line, start), "{:?}", String::from_utf8_lossy(&line));
        }
    }
}

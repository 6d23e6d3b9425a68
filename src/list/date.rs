//! Month names, date and time tokens, year inference.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

use super::lex::{all_digits, parse_small, Tokens};
use super::{ErrorKind, Mtime, ParseOptions, Precision};

/// A time of day as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTime {
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: Option<u32>,
    pub(crate) nanos: u32,
    pub(crate) frac_digits: u8,
}

impl RawTime {
    fn precision(&self) -> Precision {
        match (self.second, self.frac_digits) {
            (None, _) => Precision::Minute,
            (Some(_), 0) => Precision::Second,
            (Some(_), n) => Precision::Fraction(n),
        }
    }
}

/// A date as written: the year may be missing (to be inferred), the time and offset too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawDate {
    pub(crate) year: Option<i32>,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) time: Option<RawTime>,
    pub(crate) offset: Option<FixedOffset>,
    /// Month and day were both plain numbers (`3 5 12:00`).
    pub(crate) numeric_md: bool,
}

impl RawDate {
    pub(crate) fn new(year: Option<i32>, month: u32, day: u32) -> Self {
        RawDate {
            year,
            month,
            day,
            time: None,
            offset: None,
            numeric_md: false,
        }
    }
}

// Lower-case month names and abbreviations, without trailing dots. English three-letter names
// are handled before this table is searched. A unit test checks that no spelling maps to two
// months.
const MONTHS: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("sept", 9),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    // German
    ("jän", 1),
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("mär", 3),
    ("mrz", 3),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("okt", 10),
    ("oktober", 10),
    ("dez", 12),
    ("dezember", 12),
    // French
    ("janv", 1),
    ("janvier", 1),
    ("févr", 2),
    ("fév", 2),
    ("fevr", 2),
    ("fev", 2),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avr", 4),
    ("avril", 4),
    ("juin", 6),
    ("juil", 7),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("aoû", 8),
    ("aou", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("déc", 12),
    ("décembre", 12),
    ("decembre", 12),
    // Spanish
    ("ene", 1),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abr", 4),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("ago", 8),
    ("agosto", 8),
    ("set", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("dic", 12),
    ("diciembre", 12),
    // Italian
    ("gen", 1),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("mag", 5),
    ("maggio", 5),
    ("giu", 6),
    ("giugno", 6),
    ("lug", 7),
    ("luglio", 7),
    ("settembre", 9),
    ("ott", 10),
    ("ottobre", 10),
    ("dicembre", 12),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("out", 10),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mrt", 3),
    ("mei", 5),
    ("augustus", 8),
    // Swedish, Danish, Norwegian
    ("maj", 5),
    ("januar", 1),
    ("marts", 3),
    ("mars", 3),
    ("augusti", 8),
    ("desember", 12),
    // Finnish
    ("tammi", 1),
    ("tammikuu", 1),
    ("helmi", 2),
    ("helmikuu", 2),
    ("maalis", 3),
    ("maaliskuu", 3),
    ("huhti", 4),
    ("huhtikuu", 4),
    ("touko", 5),
    ("toukokuu", 5),
    ("kesä", 6),
    ("kesäkuu", 6),
    ("heinä", 7),
    ("heinäkuu", 7),
    ("elo", 8),
    ("elokuu", 8),
    ("syys", 9),
    ("syyskuu", 9),
    ("loka", 10),
    ("lokakuu", 10),
    ("marras", 11),
    ("marraskuu", 11),
    ("joulu", 12),
    ("joulukuu", 12),
    // Polish
    ("sty", 1),
    ("lut", 2),
    ("kwi", 4),
    ("cze", 6),
    ("lip", 7),
    ("sie", 8),
    ("wrz", 9),
    ("paź", 10),
    ("paz", 10),
    ("lis", 11),
    ("gru", 12),
    // Czech
    ("led", 1),
    ("úno", 2),
    ("bře", 3),
    ("dub", 4),
    ("kvě", 5),
    ("čvn", 6),
    ("čer", 6),
    ("čvc", 7),
    ("čec", 7),
    ("srp", 8),
    ("zář", 9),
    ("říj", 10),
    ("pro", 12),
    // Hungarian
    ("febr", 2),
    ("márc", 3),
    ("ápr", 4),
    ("máj", 5),
    ("jún", 6),
    ("júl", 7),
    ("szept", 9),
    ("január", 1),
    ("február", 2),
    ("március", 3),
    ("április", 4),
    ("május", 5),
    ("június", 6),
    ("július", 7),
    ("augusztus", 8),
    ("szeptember", 9),
    ("október", 10),
    // Romanian
    ("ian", 1),
    ("iun", 6),
    ("iul", 7),
    ("noi", 11),
    // Turkish
    ("oca", 1),
    ("şub", 2),
    ("nis", 4),
    ("haz", 6),
    ("tem", 7),
    ("ağu", 8),
    ("eyl", 9),
    ("eki", 10),
    ("kas", 11),
    ("ara", 12),
    // Russian (nominative and genitive, abbreviated)
    ("янв", 1),
    ("января", 1),
    ("январь", 1),
    ("фев", 2),
    ("февр", 2),
    ("февраля", 2),
    ("февраль", 2),
    ("мар", 3),
    ("марта", 3),
    ("март", 3),
    ("апр", 4),
    ("апреля", 4),
    ("апрель", 4),
    ("май", 5),
    ("мая", 5),
    ("июн", 6),
    ("июня", 6),
    ("июнь", 6),
    ("июл", 7),
    ("июля", 7),
    ("июль", 7),
    ("авг", 8),
    ("августа", 8),
    ("август", 8),
    ("сен", 9),
    ("сент", 9),
    ("сентября", 9),
    ("сентябрь", 9),
    ("окт", 10),
    ("октября", 10),
    ("октябрь", 10),
    ("ноя", 11),
    ("нояб", 11),
    ("ноября", 11),
    ("ноябрь", 11),
    ("дек", 12),
    ("декабря", 12),
    ("декабрь", 12),
    // Ukrainian
    ("січ", 1),
    ("лют", 2),
    ("бер", 3),
    ("кві", 4),
    ("тра", 5),
    ("чер", 6),
    ("лип", 7),
    ("сер", 8),
    ("вер", 9),
    ("жов", 10),
    ("лис", 11),
    ("гру", 12),
];

/// A month name in any of the supported languages, case-insensitive, with or without a
/// trailing dot.
pub(crate) fn month_name(tok: &[u8]) -> Option<u32> {
    let tok = tok.strip_suffix(b".").unwrap_or(tok);
    if let Some(m) = english_month(tok) {
        return Some(m);
    }
    if tok.len() < 3 || tok.len() > 24 || tok[0].is_ascii_digit() {
        return None;
    }
    let table = month_table();
    if let (Some(a), Some(b)) = (letter_index(tok[0]), letter_index(tok[1])) {
        // Owner and group names reach here often; most are rejected by their first two letters.
        if table.prefixes[a] & (1 << b) == 0 {
            return None;
        }
    }
    // Lower-case into a stack buffer, then binary-search the sorted table.
    let mut buf = [0u8; 48];
    let mut n = 0;
    if tok.is_ascii() {
        for (dst, src) in buf.iter_mut().zip(tok) {
            *dst = src.to_ascii_lowercase();
        }
        n = tok.len();
    } else {
        for c in std::str::from_utf8(tok)
            .ok()?
            .chars()
            .flat_map(char::to_lowercase)
        {
            let len = c.len_utf8();
            c.encode_utf8(buf.get_mut(n..n + len)?);
            n += len;
        }
    }
    let key = &buf[..n];
    table
        .sorted
        .binary_search_by(|(name, _)| name.as_bytes().cmp(key))
        .ok()
        .map(|i| table.sorted[i].1)
}

/// An English three-letter month name, case-insensitive (`Jan`, `FEB`).
pub(crate) fn english_month(tok: &[u8]) -> Option<u32> {
    let &[a, b, c] = tok else { return None };
    // One integer compared against twelve constants (`| 0x20` lower-cases letters; other bytes
    // it changes cannot turn into letters, so nothing else matches).
    let key = u32::from_le_bytes([a | 0x20, b | 0x20, c | 0x20, 0]);
    let name = |s: &[u8; 3]| u32::from_le_bytes([s[0], s[1], s[2], 0]);
    const NAMES: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let m = NAMES.iter().position(|n| name(n) == key)?;
    Some(m as u32 + 1)
}

fn letter_index(b: u8) -> Option<usize> {
    b.is_ascii_alphabetic()
        .then(|| usize::from(b.to_ascii_lowercase() - b'a'))
}

struct MonthTable {
    /// `MONTHS` sorted by spelling, without duplicates.
    sorted: Vec<(&'static str, u32)>,
    /// Bit `b` of `prefixes[a]` is set when a spelling starts with ASCII letters `a`, `b`.
    prefixes: [u32; 26],
}

fn month_table() -> &'static MonthTable {
    static TABLE: OnceLock<MonthTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut sorted = MONTHS.to_vec();
        sorted.sort_unstable();
        sorted.dedup_by_key(|e| e.0);
        let mut prefixes = [0u32; 26];
        for (name, _) in &sorted {
            let b = name.as_bytes();
            if let (Some(x), Some(y)) = (letter_index(b[0]), letter_index(b[1])) {
                prefixes[x] |= 1 << y;
            }
        }
        MonthTable { sorted, prefixes }
    })
}

// UTF-8 of the CJK date markers.
const YEAR_MARKS: [&[u8]; 2] = ["年".as_bytes(), "년".as_bytes()];
const MONTH_MARKS: [&[u8]; 2] = ["月".as_bytes(), "월".as_bytes()];
const DAY_MARKS: [&[u8]; 2] = ["日".as_bytes(), "일".as_bytes()];

fn strip_mark<'a>(tok: &'a [u8], marks: &[&[u8]]) -> Option<&'a [u8]> {
    marks.iter().find_map(|m| tok.strip_suffix(*m))
}

/// `3月` or `3월`.
fn cjk_month(tok: &[u8]) -> Option<u32> {
    let m = parse_small(strip_mark(tok, &MONTH_MARKS)?, 2)?;
    (1..=12).contains(&m).then_some(m)
}

/// A day of month written as one or two digits.
pub(crate) fn plain_day(tok: &[u8]) -> Option<u32> {
    let d = parse_small(tok, 2)?;
    (1..=31).contains(&d).then_some(d)
}

/// A day of month: `5`, `05`, `5.`, `5,` (the comma reported), `5日`, `5일`.
pub(crate) fn day_tok(tok: &[u8]) -> Option<(u32, bool)> {
    let (digits, comma) = match tok.last()? {
        b',' => (&tok[..tok.len() - 1], true),
        b'.' => (&tok[..tok.len() - 1], false),
        _ => (strip_mark(tok, &DAY_MARKS).unwrap_or(tok), false),
    };
    let d = parse_small(digits, 2)?;
    (1..=31).contains(&d).then_some((d, comma))
}

/// A four-digit year.
pub(crate) fn year4(tok: &[u8]) -> Option<i32> {
    if tok.len() == 4 {
        parse_small(tok, 4)
            .and_then(|y| i32::try_from(y).ok())
            .filter(|&y| y >= 1)
    } else {
        None
    }
}

/// A two- or four-digit year; two digits follow POSIX `%y` (69–99 → 19xx, 00–68 → 20xx).
fn year_2or4(tok: &[u8]) -> Option<i32> {
    match tok.len() {
        4 => year4(tok),
        2 => {
            let y = i32::try_from(parse_small(tok, 2)?).ok()?;
            Some(if y >= 69 { 1900 + y } else { 2000 + y })
        }
        _ => None,
    }
}

/// `2003年`, `2003년` or `2003.` (Hungarian), before a separate month token.
fn year_prefix(tok: &[u8]) -> Option<i32> {
    let digits = strip_mark(tok, &YEAR_MARKS).or_else(|| tok.strip_suffix(b"."))?;
    year4(digits)
}

fn take_digits(s: &mut &[u8], max: usize) -> Option<u32> {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let v = parse_small(&s[..n], max)?;
    *s = &s[n..];
    Some(v)
}

fn take_mark(s: &mut &[u8], marks: &[&[u8]]) -> bool {
    for m in marks {
        if let Some(rest) = s.strip_prefix(*m) {
            *s = rest;
            return true;
        }
    }
    false
}

/// `2003年3月5日` / `2003년3월5일` as one token (the final day mark is optional).
fn cjk_full_date(tok: &[u8]) -> Option<(Option<i32>, u32, u32)> {
    let mut s = tok;
    let y = take_digits(&mut s, 4)?;
    if !take_mark(&mut s, &YEAR_MARKS) {
        return None;
    }
    let m = take_digits(&mut s, 2)?;
    if !take_mark(&mut s, &MONTH_MARKS) {
        return None;
    }
    let d = take_digits(&mut s, 2)?;
    take_mark(&mut s, &DAY_MARKS);
    if !s.is_empty() || y == 0 {
        return None;
    }
    valid_md(Some(i32::try_from(y).ok()?), m, d)
}

fn valid_md(y: Option<i32>, m: u32, d: u32) -> Option<(Option<i32>, u32, u32)> {
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A date written as one token: `YYYY-MM-DD` (also `/` and `.`), `MM-DD-YY[YY]` and
/// `MM/DD/YY[YY]` (month first), `DD.MM.YY[YY]` (day first), `DD-Mon-YY[YY]`, `MM-DD` (no
/// year) and CJK `YYYY年M月D日`. A month/day pair in the wrong order is swapped when only the
/// swapped order is a valid date.
pub(crate) fn numeric_date(tok: &[u8]) -> Option<(Option<i32>, u32, u32)> {
    // IIS's `MM-DD-YY` (and `DD.MM.YY`, `MM/DD/YY`): fixed positions, read directly.
    // Anything else (`1-Jan-02`) takes the general path below.
    if let &[a1, a2, sep, b1, b2, sep2, y1, y2] = tok {
        let pair = |c1: u8, c2: u8| {
            (c1.is_ascii_digit() && c2.is_ascii_digit())
                .then(|| u32::from(c1 - b'0') * 10 + u32::from(c2 - b'0'))
        };
        if let (true, Some(a), Some(b), Some(y)) = (
            matches!(sep, b'-' | b'/' | b'.') && sep2 == sep,
            pair(a1, a2),
            pair(b1, b2),
            pair(y1, y2),
        ) {
            let y = if y >= 69 { 1900 + y } else { 2000 + y } as i32;
            let (m, d) = if sep == b'.' { (b, a) } else { (a, b) };
            return if m > 12 && d <= 12 {
                valid_md(Some(y), d, m)
            } else {
                valid_md(Some(y), m, d)
            };
        }
    }
    let n0 = tok.iter().take_while(|c| c.is_ascii_digit()).count();
    let sep = *tok.get(n0)?;
    if n0 == 0 {
        return None;
    }
    if !matches!(sep, b'-' | b'/' | b'.') {
        return if sep >= 0x80 {
            cjk_full_date(tok)
        } else {
            None
        };
    }
    let p0 = &tok[..n0];
    let rest = &tok[n0 + 1..];
    let (p1, p2) = match rest.iter().position(|&c| c == sep) {
        Some(k) => (&rest[..k], Some(&rest[k + 1..])),
        None => (rest, None),
    };
    if p2.is_some_and(|p| p.contains(&sep)) {
        return None;
    }
    let Some(p2) = p2 else {
        // GNU `--time-style=iso` for recent files: MM-DD.
        if sep != b'-' {
            return None;
        }
        return valid_md(None, parse_small(p0, 2)?, parse_small(p1, 2)?);
    };
    if p0.len() == 4 {
        let y = year4(p0)?;
        return valid_md(Some(y), parse_small(p1, 2)?, parse_small(p2, 2)?);
    }
    let a = parse_small(p0, 2)?;
    let y = year_2or4(p2)?;
    if let Some(m) = month_name(p1) {
        return valid_md(Some(y), m, a);
    }
    let b = parse_small(p1, 2)?;
    let (m, d) = if sep == b'.' { (b, a) } else { (a, b) };
    if m > 12 && d <= 12 {
        valid_md(Some(y), d, m)
    } else {
        valid_md(Some(y), m, d)
    }
}

/// A time of day: `H:MM`, `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff` (or `,fff`).
pub(crate) fn parse_time(tok: &[u8]) -> Option<RawTime> {
    // `HH:MM` is by far the most common form: read it directly.
    if let &[h1, h2, b':', m1, m2] = tok {
        let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
        let hour = digit(h1)? * 10 + digit(h2)?;
        let minute = digit(m1)? * 10 + digit(m2)?;
        return (hour <= 23 && minute <= 59).then_some(RawTime {
            hour,
            minute,
            second: None,
            nanos: 0,
            frac_digits: 0,
        });
    }
    let mut s = tok;
    let hour = take_digits(&mut s, 2)?;
    s = s.strip_prefix(b":")?;
    if s.len() < 2 {
        return None;
    }
    let minute = parse_small(&s[..2], 2)?;
    s = &s[2..];
    let mut t = RawTime {
        hour,
        minute,
        second: None,
        nanos: 0,
        frac_digits: 0,
    };
    if let Some(rest) = s.strip_prefix(b":") {
        if rest.len() < 2 {
            return None;
        }
        t.second = Some(parse_small(&rest[..2], 2)?);
        s = &rest[2..];
        if let Some(frac) = s.strip_prefix(b".").or_else(|| s.strip_prefix(b",")) {
            let (nanos, digits) = parse_fraction(frac)?;
            t.nanos = nanos;
            t.frac_digits = digits;
            s = &[];
        }
    }
    if !s.is_empty() || hour > 23 || minute > 59 || t.second.unwrap_or(0) > 60 {
        return None;
    }
    Some(t)
}

/// Fraction digits as nanoseconds and a digit count (cut to 9).
pub(crate) fn parse_fraction(frac: &[u8]) -> Option<(u32, u8)> {
    if !all_digits(frac) {
        return None;
    }
    // Digits past the ninth are checked (above) but not used.
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
    let used = &frac[..frac.len().min(9)];
    let nanos = parse_small(used, 9)?;
    Some((nanos * SCALE[used.len()], used.len() as u8))
}

/// A DOS time: 24-hour, or 12-hour with `AM`/`PM` (or `A`/`P`) glued on or in the next
/// token. Returns the time and whether the next token was used.
pub(crate) fn parse_time_ampm(tok: &[u8], next: Option<&[u8]>) -> Option<(RawTime, bool)> {
    fn split_ampm(tok: &[u8]) -> Option<(&[u8], bool)> {
        let (last, rest) = tok.split_last()?;
        let (body, marker) = if last.eq_ignore_ascii_case(&b'm') {
            let (marker, body) = rest.split_last()?;
            (body, *marker)
        } else {
            (rest, *last)
        };
        match marker.to_ascii_lowercase() {
            b'a' => Some((body, false)),
            b'p' => Some((body, true)),
            _ => None,
        }
    }
    fn to_24(mut t: RawTime, pm: bool) -> Option<RawTime> {
        if t.hour == 0 || t.hour > 12 {
            return None;
        }
        t.hour = match (t.hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, false) => h,
            (h, true) => h + 12,
        };
        Some(t)
    }
    if tok.last()?.is_ascii_alphabetic() {
        let (body, pm) = split_ampm(tok)?;
        return Some((to_24(parse_time(body)?, pm)?, false));
    }
    let t = parse_time(tok)?;
    if let Some((b"", pm)) = next.and_then(split_ampm) {
        return Some((to_24(t, pm)?, true));
    }
    Some((t, false))
}

/// A UTC offset token: `+HHMM`, `-HHMM`, `+HH:MM`.
fn parse_offset(tok: &[u8]) -> Option<FixedOffset> {
    let (sign, rest) = match tok.split_first()? {
        (b'+', r) => (1, r),
        (b'-', r) => (-1, r),
        _ => return None,
    };
    let (h, m) = match rest.len() {
        4 => (&rest[..2], &rest[2..]),
        5 if rest[2] == b':' => (&rest[..2], &rest[3..]),
        _ => return None,
    };
    let (h, m) = (parse_small(h, 2)?, parse_small(m, 2)?);
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60) as i32)
}

/// A date starting at token `i` of a Unix line. Returns the date and the index of the first
/// token after it.
pub(crate) fn match_at(t: &Tokens<'_>, i: usize) -> Option<(RawDate, usize)> {
    let a = t.get(i)?;
    let first = *a.first()?;
    if !first.is_ascii_digit() {
        // Mon DD[,.] (HH:MM | YYYY) ...
        let (day, comma) = day_tok(t.get(i + 1)?)?;
        let month = month_name(a)?;
        return time_or_year(t, i + 2, RawDate::new(None, month, day), comma);
    }
    if a.len() > 2 && all_digits(a) {
        // A size or numeric id: no date starts with three or more bare digits.
        return None;
    }
    if let Some((year, month, day)) = numeric_date(a) {
        let mut d = RawDate::new(year, month, day);
        let mut j = i + 1;
        if let Some(tm) = t.get(j).and_then(parse_time) {
            d.time = Some(tm);
            j += 1;
            if let Some(off) = t.get(j).and_then(parse_offset) {
                d.offset = Some(off);
                j += 1;
            }
        } else if year.is_none() {
            d.year = Some(t.get(j).and_then(year4)?);
            j += 1;
        }
        return Some((d, j));
    }
    if let Some(year) = year_prefix(a) {
        // 2003年 3月 5日 [HH:MM] / 2003. márc. 5. [HH:MM]
        let m = t.get(i + 1)?;
        let month = cjk_month(m).or_else(|| month_name(m))?;
        let (day, _) = day_tok(t.get(i + 2)?)?;
        let mut d = RawDate::new(Some(year), month, day);
        let mut j = i + 3;
        if let Some(tm) = t.get(j).and_then(parse_time) {
            d.time = Some(tm);
            j += 1;
        }
        return Some((d, j));
    }
    if let Some(month) = cjk_month(a) {
        // 3月 5日 12:00 / 3月  5 12:00 / 3월 5일 2003
        let (day, _) = day_tok(t.get(i + 1)?)?;
        return time_or_year(t, i + 2, RawDate::new(None, month, day), false);
    }
    let (day, _) = day_tok(a)?;
    let b = t.get(i + 1)?;
    if let Some(month) = month_name(b) {
        // DD Mon / DD. Mon
        return time_or_year(t, i + 2, RawDate::new(None, month, day), false);
    }
    if all_digits(a) && a.len() <= 2 && (1..=12).contains(&day) {
        // Month and day as plain numbers.
        let d2 = parse_small(b, 2).filter(|d| (1..=31).contains(d))?;
        let mut d = RawDate::new(None, day, d2);
        d.numeric_md = true;
        return time_or_year(t, i + 2, d, false);
    }
    None
}

/// The `HH:MM` or `YYYY` after a month and day, and what may follow it: a year after
/// `HH:MM:SS` (BSD `ls -T`), a time after `Mon DD, YYYY` or after a year when it has seconds.
fn time_or_year(t: &Tokens<'_>, j: usize, mut d: RawDate, comma: bool) -> Option<(RawDate, usize)> {
    let c = t.get(j)?;
    if let Some(tm) = parse_time(c) {
        d.time = Some(tm);
        if tm.second.is_some() {
            if let Some(y) = t.get(j + 1).and_then(year4) {
                d.year = Some(y);
                return Some((d, j + 2));
            }
        }
        return Some((d, j + 1));
    }
    d.year = Some(year4(c)?);
    if let Some(tm) = t.get(j + 1).and_then(parse_time) {
        if comma || tm.second.is_some() {
            d.time = Some(tm);
            return Some((d, j + 2));
        }
    }
    Some((d, j + 1))
}

/// The bound of year inference: `now` plus one day, as a server-local date and time. Made once
/// per [`ParseOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YearLimit {
    year: i32,
    month: u32,
    day: u32,
    /// Second of the day and nanosecond, which order like the time of day.
    time: (u32, u32),
}

/// The [`YearLimit`] for `now` in a server at `offset`; `None` at the edges of chrono's range.
pub(crate) fn year_limit(now: DateTime<Utc>, offset: FixedOffset) -> Option<YearLimit> {
    let local = now
        .naive_utc()
        .checked_add_signed(Duration::seconds(i64::from(offset.local_minus_utc())))?;
    let limit = local.checked_add_signed(Duration::days(1))?;
    Some(YearLimit {
        year: limit.year(),
        month: limit.month(),
        day: limit.day(),
        time: (limit.num_seconds_from_midnight(), limit.nanosecond()),
    })
}

/// The latest year for which `month`/`day` at `time` (second of day, nanosecond) is a valid date
/// not after `limit`. Looks back at most 8 years (for Feb 29).
fn infer_year(month: u32, day: u32, time: (u32, u32), limit: &YearLimit) -> Option<i32> {
    // In the limit's year the date is early enough exactly when it sorts before the limit; in
    // any earlier year it always is.
    let mut year = limit.year;
    if (month, day, time) > (limit.month, limit.day, limit.time) {
        year -= 1;
    }
    for _ in 0..8 {
        if is_valid_ymd(year, month, day) {
            return Some(year);
        }
        year -= 1;
    }
    None
}

fn is_valid_ymd(year: i32, month: u32, day: u32) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// The modification time of a date read from a LIST line.
pub(crate) fn to_mtime(d: &RawDate, opts: &ParseOptions) -> Result<Mtime, ErrorKind> {
    let offset = d.offset.unwrap_or(opts.server_offset());
    let (hms, nanos, precision) = match d.time {
        Some(t) => {
            let second = match t.second {
                // A leap second is kept as :59.
                Some(60) => 59,
                Some(s) => s,
                None => 0,
            };
            if t.hour > 23 || t.minute > 59 || second > 59 || t.nanos >= 1_000_000_000 {
                return Err(ErrorKind::BadDate);
            }
            (
                t.hour * 3600 + t.minute * 60 + second,
                t.nanos,
                t.precision(),
            )
        }
        None => (0, 0, Precision::Day),
    };
    let (year, year_inferred) = match d.year {
        Some(y) => (y, false),
        None => {
            let limit = opts.year_limit().ok_or(ErrorKind::BadDate)?;
            let year = infer_year(d.month, d.day, (hms, nanos), &limit);
            (year.ok_or(ErrorKind::BadDate)?, true)
        }
    };
    let date = NaiveDate::from_ymd_opt(year, d.month, d.day).ok_or(ErrorKind::BadDate)?;
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt(hms, nanos).ok_or(ErrorKind::BadDate)?;
    let local = date.and_time(time);
    // Most servers are read in UTC: no offset arithmetic then.
    let utc = match offset.local_minus_utc() {
        0 => local,
        _ => local.checked_sub_offset(offset).ok_or(ErrorKind::BadDate)?,
    };
    Ok(Mtime {
        time: DateTime::from_naive_utc_and_offset(utc, offset),
        precision,
        year_inferred,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Offset;
    use std::collections::HashMap;

    #[test]
    fn month_table_is_unambiguous() {
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for &(name, m) in MONTHS {
            assert_eq!(name, name.to_lowercase(), "{name} must be lower case");
            if let Some(&prev) = seen.get(name) {
                assert_eq!(prev, m, "{name} maps to two months");
            }
            seen.insert(name, m);
            assert_eq!(month_name(name.as_bytes()), Some(m), "{name}");
        }
        assert_eq!(month_name("MÄRZ".as_bytes()), Some(3));
        assert_eq!(month_name("Févr.".as_bytes()), Some(2));
        assert_eq!(month_name("ДЕК".as_bytes()), Some(12));
        assert_eq!(month_name(b"SEPT."), Some(9));
        assert_eq!(month_name(b"user"), None);
        assert_eq!(month_name(b"ma"), None);
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time(b"9:05").map(|t| (t.hour, t.minute)),
            Some((9, 5))
        );
        assert_eq!(parse_time(b"23:59:60").and_then(|t| t.second), Some(60));
        assert_eq!(
            parse_time(b"12:00:01.123456789123").map(|t| (t.nanos, t.frac_digits)),
            Some((123456789, 9))
        );
        assert!(parse_time(b"24:00").is_none());
        assert!(parse_time(b"12:0").is_none());
        assert!(parse_time(b"12:000").is_none());
        assert!(parse_time(b"12:00:").is_none());
        assert!(parse_time(b"12:00.5").is_none());
        let ampm = |a: &[u8], b: Option<&[u8]>| {
            parse_time_ampm(a, b).map(|(t, used)| (t.hour, t.minute, used))
        };
        assert_eq!(ampm(b"12:05AM", None), Some((0, 5, false)));
        assert_eq!(ampm(b"12:05pm", None), Some((12, 5, false)));
        assert_eq!(ampm(b"01:05P", None), Some((13, 5, false)));
        assert_eq!(ampm(b"11:14", Some(b"PM")), Some((23, 14, true)));
        assert_eq!(ampm(b"14:05", Some(b"1234")), Some((14, 5, false)));
        assert_eq!(ampm(b"13:05PM", None), None);
        assert_eq!(ampm(b"00:05AM", None), None);
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(numeric_date(b"2021-11-03"), Some((Some(2021), 11, 3)));
        assert_eq!(numeric_date(b"01-16-02"), Some((Some(2002), 1, 16)));
        assert_eq!(numeric_date(b"16-01-1999"), Some((Some(1999), 1, 16)));
        assert_eq!(numeric_date(b"05.03.2003"), Some((Some(2003), 3, 5)));
        assert_eq!(numeric_date(b"05/03/69"), Some((Some(1969), 5, 3)));
        assert_eq!(numeric_date(b"05-Mar-03"), Some((Some(2003), 3, 5)));
        assert_eq!(numeric_date(b"2003/03/05"), Some((Some(2003), 3, 5)));
        assert_eq!(numeric_date(b"03-05"), Some((None, 3, 5)));
        assert_eq!(
            numeric_date("2003年3月5日".as_bytes()),
            Some((Some(2003), 3, 5))
        );
        assert_eq!(
            numeric_date("2003년12월25일".as_bytes()),
            Some((Some(2003), 12, 25))
        );
        assert_eq!(numeric_date(b"13-13-20"), None);
        // Eight bytes but not the fixed `NN-NN-NN` layout, and a swapped month and day.
        assert_eq!(numeric_date(b"1-Jan-02"), Some((Some(2002), 1, 1)));
        assert_eq!(numeric_date(b"13-05-20"), Some((Some(2020), 5, 13)));
        assert_eq!(numeric_date(b"28.02.99"), Some((Some(1999), 2, 28)));
        assert_eq!(numeric_date(b"01-02/03"), None);
        assert_eq!(numeric_date(b"1.5"), None);
        assert_eq!(numeric_date(b"1-2-3-4"), None);
        assert_eq!(numeric_date(b"1234"), None);
    }

    fn limit_at(y: i32, m: u32, d: u32, hms: (u32, u32, u32)) -> YearLimit {
        let now = NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(hms.0, hms.1, hms.2))
            .unwrap()
            .and_utc();
        year_limit(now, Utc.fix()).unwrap()
    }

    #[test]
    fn year_inference() {
        let nine = (9 * 3600, 0);
        let limit = limit_at(2024, 3, 10, (12, 0, 0));
        assert_eq!(infer_year(3, 11, nine, &limit), Some(2024));
        assert_eq!(infer_year(3, 12, nine, &limit), Some(2023));
        assert_eq!(infer_year(2, 29, nine, &limit), Some(2024));
        assert_eq!(infer_year(12, 31, nine, &limit), Some(2023));
        let limit = limit_at(2023, 12, 31, (23, 30, 0));
        assert_eq!(infer_year(1, 1, nine, &limit), Some(2024));
        assert_eq!(infer_year(2, 29, nine, &limit), Some(2020));
        assert_eq!(infer_year(2, 30, nine, &limit), None);
    }

    /// Year inference and the time arithmetic of `to_mtime` against chrono doing the same
    /// by its own means: around the epoch, leap days, year ends, far past and future, with odd
    /// offsets and nanoseconds.
    #[test]
    fn to_mtime_matches_chrono() {
        let times = [
            (0, 0, None, 0),
            (12, 0, Some(0), 0),
            (23, 59, Some(60), 999_999_999),
        ];
        for ts in [
            0i64,
            -1,
            951_782_400,
            1_709_164_800,
            1_710_072_000,
            1_704_067_199,
            -62_135_596_800,
            253_402_300_799,
            4_102_444_800 + 12_345,
        ] {
            for off in [0, 3600, -3600, 50_400, -43_200, 19_800] {
                let offset = FixedOffset::east_opt(off).unwrap();
                let now = DateTime::from_timestamp(ts, 999_999_999).unwrap();
                let opts = ParseOptions::new(now).with_server_offset(offset);
                let limit = now.naive_utc() + Duration::seconds(i64::from(off) + 86_400);
                for month in 1..=12 {
                    for day in 1..=31 {
                        for (hour, minute, second, nanos) in times {
                            let mut d = RawDate::new(None, month, day);
                            d.time = Some(RawTime {
                                hour,
                                minute,
                                second,
                                nanos,
                                frac_digits: if nanos > 0 { 9 } else { 0 },
                            });
                            let got = to_mtime(&d, &opts).ok().map(|m| m.time);
                            let sec = second.map_or(0, |s| s.min(59));
                            let t = NaiveTime::from_hms_nano_opt(hour, minute, sec, nanos).unwrap();
                            // The latest valid year whose date is not after the limit.
                            let want = (limit.year() - 8..=limit.year())
                                .rev()
                                .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
                                .map(|date| date.and_time(t))
                                .find(|local| *local <= limit)
                                .map(|local| local.and_local_timezone(offset).unwrap());
                            assert_eq!(got, want, "{now} {off} {month}-{day} {t}");
                        }
                    }
                }
            }
        }
    }
}

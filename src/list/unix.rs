//! Unix `ls -l` lines: `MODE [LINKS] OWNER [GROUP] SIZE DATE NAME`.
//!
//! The date is the anchor: the first token position where a date starts *and* the columns
//! between the mode and it read as `[links] owner [group] size` is taken. The name is what
//! follows the date after one separator, so a name's own spaces are kept.
//!
//! Nearly every server prints one layout, `MODE LINKS OWNER GROUP SIZE Mon DD HH:MM|YYYY NAME`:
//! [`parse_common`] reads it in one pass, and hands any other line (or one the general rule
//! could read differently) to [`try_parse`], which tokenizes the line and applies that rule.

use super::date::{self, RawDate};
use super::lex::{all_digits, is_ws, parse_grouped, parse_size, parse_u64, Tokens, Words};
use super::{Entry, ErrorKind, Format, Kind, ParseOptions, Parts, Special};

/// The mode token: the first token, or the third after `ls -i -s` numbers. Returns its index,
/// the kind and permission bits, and what follows the ten mode characters.
fn find_mode<'a>(t: &Tokens<'a>) -> Option<(usize, Kind, u32, &'a [u8])> {
    for i in 0..3 {
        let tok = t.get(i)?;
        if let Some((kind, bits)) = mode_prefix(tok) {
            return Some((i, kind, bits, &tok[10..]));
        }
        if !all_digits(tok) {
            return None;
        }
    }
    None
}

/// Kind and permission bits of a token starting with a mode such as `drwxr-xr-x`.
fn mode_prefix(tok: &[u8]) -> Option<(Kind, u32)> {
    if tok.len() < 10 {
        return None;
    }
    let kind = kind_of(tok[0])?;
    Some((kind, perm_bits(&tok[1..10])?))
}

fn kind_of(c: u8) -> Option<Kind> {
    Some(match c {
        b'-' => Kind::File,
        b'd' => Kind::Dir,
        b'l' => Kind::Symlink,
        b'c' => Kind::Other(Special::CharDevice),
        b'b' => Kind::Other(Special::BlockDevice),
        b'p' => Kind::Other(Special::Pipe),
        b's' => Kind::Other(Special::Socket),
        b'D' => Kind::Other(Special::Door),
        // HP-UX network special, Solaris event port, BSD whiteout, unknown.
        b'n' | b'P' | b'w' | b'?' => Kind::Other(Special::Unknown((c as char).to_string())),
        _ => return None,
    })
}

/// `rwxr-xr-x` with `s S t T` (and `l`/`L` for mandatory locking) to permission bits.
fn perm_bits(p: &[u8]) -> Option<u32> {
    let mut mode = 0;
    for (i, (&c, &letter)) in p.iter().zip(b"rwxrwxrwx").enumerate() {
        let bit = 1 << (8 - i);
        if c == letter {
            mode |= bit;
        } else if c != b'-' {
            // Setuid, setgid and sticky bits (and mandatory locking) in the execute columns.
            mode |= match (i, c) {
                (2, b's') => 0o4000 | bit,
                (2, b'S') => 0o4000,
                (5, b's') => 0o2000 | bit,
                (5, b'S' | b'l' | b'L') => 0o2000,
                (8, b't') => 0o1000 | bit,
                (8, b'T') => 0o1000,
                _ => return None,
            };
        }
    }
    Some(mode)
}

/// What follows the mode characters: an ACL/xattr/SELinux marker and a glued link count
/// (`-rw-r--r--+12`).
fn mode_suffix(rest: &[u8]) -> Result<Option<u64>, ErrorKind> {
    let mut rest = rest;
    // ACL (`+`), macOS extended attributes (`@`), SELinux context (`.`).
    if let Some((b'+' | b'@' | b'.', r)) = rest.split_first() {
        rest = r;
    }
    if rest.is_empty() {
        Ok(None)
    } else {
        parse_u64(rest).map(Some).ok_or(ErrorKind::BadMode)
    }
}

/// The `total N` line `ls -l` starts with, in the languages `ls` is translated to. Returns N.
pub(crate) fn total_line(t: &Tokens<'_>) -> Option<u64> {
    const WORDS: &[&str] = &[
        "insgesamt",
        "totaal",
        "totale",
        "totalt",
        "yhteensä",
        "razem",
        "celkem",
        "összesen",
        "итого",
        "всього",
        "合計",
        "合计",
        "总用量",
        "합계",
    ];
    if t.len() != 2 {
        return None;
    }
    let word = t.get(0)?;
    if !(word.eq_ignore_ascii_case(b"total") || WORDS.iter().any(|w| w.as_bytes() == word)) {
        return None;
    }
    parse_size(t.get(1)?).map(|(n, _)| n)
}

/// The columns between the mode and the date.
#[derive(Default)]
struct Cols<'a> {
    links: Option<u64>,
    owner: Option<&'a [u8]>,
    group: Option<&'a [u8]>,
    size: Option<u64>,
    approx: bool,
    device: Option<(u64, u64)>,
}

/// `12root`: a link count glued to an owner name that starts with a letter.
fn glued_links(tok: &[u8]) -> Option<(u64, &[u8])> {
    let n = tok.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = &tok[n..];
    let starts_name = rest
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
    if n == 0 || !starts_name {
        return None;
    }
    Some((parse_u64(&tok[..n])?, rest))
}

/// A device minor number: decimal or `0x` hex (macOS).
fn minor(tok: &[u8]) -> Option<u64> {
    match tok.strip_prefix(b"0x") {
        Some(hex) if !hex.is_empty() && hex.len() <= 16 => {
            let s = std::str::from_utf8(hex).ok()?;
            u64::from_str_radix(s, 16).ok()
        }
        Some(_) => None,
        None => parse_u64(tok),
    }
}

/// Reads `[links] owner [group]` from `r` tokens starting at `from`.
fn owner_cols<'a>(
    t: &Tokens<'a>,
    from: usize,
    r: usize,
    have_links: bool,
    c: &mut Cols<'a>,
) -> bool {
    let a = t.get(from);
    let b = if r >= 2 { t.get(from + 1) } else { None };
    match (r, have_links) {
        (0, _) => true,
        (1, true) => {
            c.owner = a;
            true
        }
        (1, false) | (2, false) => {
            let Some(a) = a else { return false };
            if all_digits(a) {
                // A leading all-digit column is the link count.
                c.links = parse_u64(a);
                c.owner = b;
                c.links.is_some()
            } else if let Some((links, owner)) = glued_links(a) {
                c.links = Some(links);
                c.owner = Some(owner);
                c.group = b;
                true
            } else {
                // No link count.
                c.owner = Some(a);
                c.group = b;
                true
            }
        }
        (2, true) => {
            c.owner = a;
            c.group = b;
            true
        }
        (3, false) => {
            c.links = a.and_then(parse_u64);
            c.owner = b;
            c.group = t.get(from + 2);
            c.links.is_some()
        }
        _ => false,
    }
}

/// Reads the columns between the mode (tokens before `from`) and the date (token `to`).
fn columns<'a>(
    t: &Tokens<'a>,
    from: usize,
    to: usize,
    have_links: bool,
    kind: &Kind,
) -> Option<Cols<'a>> {
    let n = to.checked_sub(from)?;
    if n == 0 {
        return None;
    }
    let last = t.get(to - 1)?;
    let mut c = Cols::default();
    let mut k = 0;
    if matches!(
        kind,
        Kind::Other(Special::CharDevice | Special::BlockDevice)
    ) {
        // `1,   3` (two tokens) or `1,3`.
        let prev = if n >= 2 { t.get(to - 2) } else { None };
        if let Some(major) = prev.and_then(|p| p.strip_suffix(b",")).and_then(parse_u64) {
            if let Some(min) = minor(last) {
                c.device = Some((major, min));
                k = 2;
            }
        }
        if k == 0 {
            if let Some(p) = last.iter().position(|&b| b == b',') {
                if let (Some(major), Some(min)) = (parse_u64(&last[..p]), minor(&last[p + 1..])) {
                    c.device = Some((major, min));
                    k = 1;
                }
            }
        }
    }
    if k == 0 {
        if let Some((size, approx)) = parse_size(last) {
            c.size = Some(size);
            c.approx = approx;
            k = 1;
        } else if let Some(size) = parse_grouped(last) {
            c.size = Some(size);
            k = 1;
        }
    }
    if k > 0 {
        return owner_cols(t, from, n - k, have_links, &mut c).then_some(c);
    }
    // A size glued to a group that filled its column: `staffgroup12345`.
    let digits = last.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    let group = &last[..last.len() - digits];
    if digits == 0 || group.len() < 8 {
        return None;
    }
    c.size = Some(parse_u64(&last[group.len()..])?);
    match (n - 1, have_links) {
        (1, _) => c.owner = t.get(from),
        (2, false) => {
            c.links = Some(parse_u64(t.get(from)?)?);
            c.owner = t.get(from + 1);
        }
        _ => return None,
    }
    c.group = Some(group);
    Some(c)
}

/// Cheap test on the last column before a candidate date: a size ends in a digit (`1234`,
/// `1,   3`, `group12345`) or a unit (`33.5k`, `512B`).
fn may_end_columns(tok: &[u8]) -> bool {
    matches!(
        tok.last(),
        Some(
            b'0'..=b'9'
                | b'k'
                | b'K'
                | b'm'
                | b'M'
                | b'g'
                | b'G'
                | b't'
                | b'T'
                | b'p'
                | b'P'
                | b'e'
                | b'E'
                | b'b'
                | b'B'
        )
    )
}

/// Parses a Unix line in any layout of its columns; `None` when it does not start with a mode
/// (after `ls -i`/`-s` numbers).
pub(crate) fn try_parse(
    line: &[u8],
    t: &Tokens<'_>,
    opts: &ParseOptions,
) -> Option<Result<Entry, ErrorKind>> {
    let (m, kind, bits, suffix) = find_mode(t)?;
    Some(
        mode_suffix(suffix).and_then(|glued| parse_after_mode(line, t, m, kind, bits, glued, opts)),
    )
}

fn parse_after_mode(
    line: &[u8],
    t: &Tokens<'_>,
    m: usize,
    kind: Kind,
    bits: u32,
    glued: Option<u64>,
    opts: &ParseOptions,
) -> Result<Entry, ErrorKind> {
    // The first position where a date starts and the columns before it are valid wins. At
    // least one column (the size) sits between the mode and the date.
    for i in m + 2..t.len() {
        if !t.get(i - 1).is_some_and(may_end_columns) {
            continue;
        }
        let Some((date, next)) = date::match_at(t, i) else {
            continue;
        };
        let Some(cols) = columns(t, m + 1, i, glued.is_some(), &kind) else {
            continue;
        };
        let links = glued.or(cols.links);
        if date.numeric_md && (links.is_none() || cols.owner.is_none() || cols.group.is_none()) {
            // `3 5 12:00` is only read as month and day when no column is missing.
            continue;
        }
        return build(line, t.end(next - 1), date, cols, kind, bits, links, opts);
    }
    // Failure path: say whether a date was there at all.
    if (m + 1..t.len()).any(|i| date::match_at(t, i).is_some()) {
        Err(ErrorKind::BadColumns)
    } else {
        Err(ErrorKind::NoDate)
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    line: &[u8],
    date_end: usize,
    date: RawDate,
    cols: Cols<'_>,
    kind: Kind,
    bits: u32,
    links: Option<u64>,
    opts: &ParseOptions,
) -> Result<Entry, ErrorKind> {
    // The name starts after the single blank that follows the date.
    let name = match line.get(date_end..) {
        Some([sep, name @ ..]) if is_ws(*sep) && !name.is_empty() => name,
        _ => return Err(ErrorKind::NoName),
    };
    let mtime = date::to_mtime(&date, opts)?;
    let (name, target) = match kind {
        // The name cannot be empty, so an arrow right at its start belongs to it.
        Kind::Symlink => match find(&name[1..], b" -> ") {
            Some(p) => (&name[..p + 1], Some(&name[p + 5..])),
            None => (name, None),
        },
        _ => (name, None),
    };
    Ok(Entry::from_parts(Parts {
        target,
        owner: cols.owner,
        group: cols.group,
        size: cols.size,
        size_approximate: cols.approx,
        links,
        mtime: Some(mtime),
        mode: Some(bits),
        device: cols.device,
        ..Parts::new(kind, Format::Unix, line, name)
    }))
}

/// Reads the layout nearly every server sends, `MODE LINKS OWNER GROUP SIZE Mon DD HH:MM|YYYY
/// NAME`, in one pass without tokenizing the line. Returns `None` when the line strays from
/// that layout or when the general rule of [`try_parse`] could read it another way (a date
/// starting in an earlier column); then `try_parse` decides. So both always agree, which a
/// property test checks.
pub(crate) fn parse_common(line: &[u8], opts: &ParseOptions) -> Option<Result<Entry, ErrorKind>> {
    let mut w = Words::new(line);
    let mode = w.next()?;
    let (kind, bits) = mode_prefix(mode)?;
    // Only an ACL/xattr marker may follow the mode; device lines have other columns.
    let plain_suffix = matches!(&mode[10..], [] | [b'+' | b'@' | b'.']);
    let device = matches!(
        kind,
        Kind::Other(Special::CharDevice | Special::BlockDevice)
    );
    if !plain_suffix || device {
        return None;
    }
    let links = parse_u64(w.next()?)?;
    let (owner, group, size_tok) = (w.next()?, w.next()?, w.next()?);
    let size = parse_u64(size_tok)?;
    if may_start_date(owner, group) || may_start_date(group, size_tok) {
        return None;
    }
    let month = date::english_month(w.next()?)?;
    let day = date::plain_day(w.next()?)?;
    let tail = w.next()?;
    let mut date = RawDate::new(None, month, day);
    match tail.len() {
        5 => date.time = Some(date::parse_time(tail)?),
        4 => {
            date.year = Some(date::year4(tail)?);
            // A time with seconds after the year would belong to the date (`Mon DD YYYY
            // HH:MM:SS`): leave names whose first word starts with a digit to the general
            // parser.
            let rest = &line[w.pos()..];
            if rest
                .iter()
                .find(|&&b| !is_ws(b))
                .is_some_and(u8::is_ascii_digit)
            {
                return None;
            }
        }
        _ => return None,
    }
    let cols = Cols {
        links: Some(links),
        owner: Some(owner),
        group: Some(group),
        size: Some(size),
        approx: false,
        device: None,
    };
    Some(build(
        line,
        w.pos(),
        date,
        cols,
        kind,
        bits,
        Some(links),
        opts,
    ))
}

/// Whether a date could start at token `tok` (followed by token `next`) in the general parser,
/// answered cheaply: `false` only when `date::match_at` surely finds none there.
fn may_start_date(tok: &[u8], next: &[u8]) -> bool {
    match tok.first() {
        None => false,
        // Only `Mon DD` starts with a letter.
        Some(c) if !c.is_ascii_digit() => {
            next.first().is_some_and(u8::is_ascii_digit)
                && date::day_tok(next).is_some()
                && date::month_name(tok).is_some()
        }
        // A bare number starts a date only as a day of month.
        Some(_) if all_digits(tok) => tok.len() <= 2 && date::day_tok(tok).is_some(),
        Some(_) => true,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    #[test]
    fn perms() {
        assert_eq!(perm_bits(b"rwxr-xr-x"), Some(0o755));
        assert_eq!(perm_bits(b"rwsr-sr-t"), Some(0o7755));
        assert_eq!(perm_bits(b"rwSr-Sr-T"), Some(0o7644));
        assert_eq!(perm_bits(b"rw-r-lr--"), Some(0o2644));
        assert_eq!(perm_bits(b"rwxrwxrwz"), None);
        assert_eq!(perm_bits(b"rwtr-xr-x"), None);
    }

    #[test]
    fn mode_suffixes() {
        assert_eq!(mode_suffix(b"+"), Ok(None));
        assert_eq!(mode_suffix(b"@12"), Ok(Some(12)));
        assert_eq!(mode_suffix(b"x"), Err(ErrorKind::BadMode));
        assert!(mode_prefix(b"dummy text").is_none());
    }

    /// Lines near the common layout: each column is usually a plain value and sometimes one
    /// where the layout and the general rule meet (dates that could start early such as `Jun`,
    /// `15`, `5.`; sizes that look like days or years; odd times; names starting with a time).
    fn common_like_line() -> impl Strategy<Value = Vec<u8>> {
        fn slot(
            plain: &'static [&'static str],
            tricky: &'static [&'static str],
        ) -> impl Strategy<Value = &'static str> {
            prop_oneof![8 => prop::sample::select(plain), 1 => prop::sample::select(tricky)]
        }
        let mode = slot(
            &["-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx", "-rw-r--r--+"],
            &[
                "crw-rw-rw-",
                "prw-r--r--",
                "-rw-r--r--@",
                "-rw-r--r--12",
                "?rw-r--r--",
                "12",
            ],
        );
        const TRICKY_COLS: &[&str] = &[
            "5",
            "12",
            "31",
            "32",
            "Jun",
            "Mar",
            "May.",
            "5.",
            "5,",
            "15",
            "2020",
            "3月",
            "12root",
            "1,",
            "33.5k",
            "staffgroup12345",
            "99999999999999999999",
        ];
        let col = |plain| slot(plain, TRICKY_COLS);
        let (links, size) = (col(&["1", "2", "12"]), col(&["0", "7", "1063", "4096"]));
        let (owner, group) = (col(&["0", "1000", "ftp"]), col(&["0", "100", "users"]));
        let extra_col = prop::option::weighted(0.1, col(&["1", "ftp"]));
        let month = slot(
            &["Jun", "Dec", "jan"],
            &["JUNE", "Mär", "3月", "May.", "15", "Jun,"],
        );
        let day = slot(
            &["1", "01", "15", "31"],
            &["32", "0", "5.", "5,", "5日", "x"],
        );
        let tail = slot(
            &["10:18", "23:59", "2020", "1999"],
            &["24:00", "9:05", "0000", "10:18:00", "2020-01-01"],
        );
        let name = slot(
            &["x", "a b", "a -> b"],
            &[
                " lead",
                "10:18:00 x",
                "  12:00:01 x",
                " -> b",
                "2021 x",
                "",
                "\tx",
            ],
        );
        let blanks = prop::collection::vec(
            prop::sample::select(&[" ", " ", "  ", "\t", "     "][..]),
            12,
        );
        (
            (mode, links, owner, group, size, extra_col),
            (month, day, tail, name, blanks),
        )
            .prop_map(
                |((mode, a, b, c, d, extra), (month, day, tail, name, blanks))| {
                    let mut parts = vec![mode, a, b, c, d];
                    parts.extend(extra);
                    parts.extend([month, day, tail]);
                    let mut line = String::new();
                    for (part, blank) in parts.iter().zip(blanks) {
                        line.push_str(part);
                        line.push_str(blank);
                    }
                    // One blank before the name, as `ls` prints it.
                    line.truncate(line.trim_end().len());
                    line.push(' ');
                    line.push_str(name);
                    line.into_bytes()
                },
            )
    }

    proptest! {
        /// Where the one-pass reader answers, the general parser gives the same answer.
        #[test]
        fn prop_common_layout_agrees_with_general_rule(line in common_like_line()) {
            let opts = ParseOptions::new(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap());
            if let Some(fast) = parse_common(&line, &opts) {
                let general = try_parse(&line, &Tokens::new(&line), &opts);
                prop_assert_eq!(Some(fast), general, "{}", String::from_utf8_lossy(&line));
            }
        }
    }

    #[test]
    fn common_layout_is_read_in_one_pass() {
        let opts = ParseOptions::default();
        for line in [
            &b"-rw-r--r--    1 1000     1000         1063 Jun 15 10:18 README"[..],
            b"lrwxrwxrwx    1 0        0               7 Mar 01  2021 bin -> usr/bin",
            b"drwxr-xr-x   9 ftp      ftp          4096 Oct  7 08:12 debian",
            b"-rw-r--r--@  1 bob      staff          17 Jul 30 06:00 .bash_history",
        ] {
            assert!(
                parse_common(line, &opts).is_some_and(|r| r.is_ok()),
                "{line:?}"
            );
        }
        // Strays from the layout: left to the general parser.
        for line in [
            &b"crw-rw-rw-   1 root  root   1,   3 Jan 1 2020 null"[..],
            b"-rw-r--r--   1 Jun      15          2020 Jun 15 10:18 x",
            b"-rw-r--r--   1 user     group       1024 Jun 15  2020 10:18:00 x",
            b"-rw-r--r-- 1 user group 1024 2020-06-15 10:18 x",
            b"-rw-r--r--12 user group 1024 Jun 15 10:18 x",
        ] {
            assert!(parse_common(line, &opts).is_none(), "{line:?}");
        }
    }
}

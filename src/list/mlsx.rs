//! MLSD / MLST fact lines (RFC 3659): `fact=value;fact=value; name`.

use super::date::mlsd_time;
use super::lex::{is_ws, parse_octal, parse_u64};
use super::{Entry, ErrorKind, Format, Kind, SkipReason, Special};

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
fn kind_of(v: &[u8]) -> (Kind, Option<&[u8]>, Option<(u64, u64)>) {
    let lower = |s: &[u8], p: &[u8]| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
    if v.eq_ignore_ascii_case(b"file") {
        return (Kind::File, None, None);
    }
    if [&b"dir"[..], b"cdir", b"pdir"].iter().any(|d| v.eq_ignore_ascii_case(d)) {
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

/// Appends `key=value;` with the key lower-cased and both decoded lossily.
fn push_fact(facts: &mut String, key: &[u8], value: &[u8]) {
    if key.is_ascii() {
        facts.extend(key.iter().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        facts.push_str(&String::from_utf8_lossy(key).to_lowercase());
    }
    facts.push('=');
    facts.push_str(&String::from_utf8_lossy(value));
    facts.push(';');
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
    let sp = body.iter().position(|&b| b == b' ').ok_or(ErrorKind::BadFacts)?;
    let name = &body[sp + 1..];
    if name.is_empty() {
        return Err(ErrorKind::NoName);
    }
    let fact_part = &body[..sp];
    let mut facts = String::with_capacity(fact_part.len() + 1);
    let mut kind = Kind::Other(Special::Unknown(String::new()));
    let (mut target, mut device) = (None, None);
    let (mut size, mut sizd, mut mtime, mut mode) = (None, None, None, None);
    let (mut owner, mut group): (Option<(u8, &[u8])>, Option<(u8, &[u8])>) = (None, None);
    for fact in fact_part.split(|&b| b == b';').filter(|f| !f.is_empty()) {
        let eq = fact.iter().position(|&b| b == b'=').filter(|&p| p > 0).ok_or(ErrorKind::BadFacts)?;
        let (key, value) = (&fact[..eq], &fact[eq + 1..]);
        let is = |k: &[u8]| key.eq_ignore_ascii_case(k);
        if is(b"type") {
            (kind, target, device) = kind_of(value);
        } else if is(b"size") {
            size = parse_u64(value);
        } else if is(b"sizd") {
            sizd = parse_u64(value);
        } else if is(b"modify") {
            mtime = mlsd_time(value);
        } else if is(b"unix.mode") {
            mode = parse_octal(value).map(|m| m & 0o7777);
        } else {
            // Prefer a name over a number: unix.ownername > unix.owner > unix.uid.
            let ranked = [
                (&b"unix.ownername"[..], 3, true),
                (b"unix.owner", 2, true),
                (b"unix.uid", 1, true),
                (b"unix.groupname", 3, false),
                (b"unix.group", 2, false),
                (b"unix.gid", 1, false),
            ];
            if let Some(&(_, rank, is_owner)) = ranked.iter().find(|(k, _, _)| is(k)) {
                let slot = if is_owner { &mut owner } else { &mut group };
                if slot.map_or(true, |(r, _)| r < rank) {
                    *slot = Some((rank, value));
                }
            }
        }
        push_fact(&mut facts, key, value);
    }
    let mut e = Entry::new(kind, Format::Mlsx, line, name);
    if let Some(target) = target {
        e.set_link_target(line, target);
    }
    e.size = size.or(sizd);
    e.mtime = mtime;
    e.mode = mode;
    e.device = device;
    e.owner = owner.map(|(_, v)| super::lossy(v));
    e.group = group.map(|(_, v)| super::lossy(v));
    e.facts = facts;
    Ok(e)
}

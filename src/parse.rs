//! Parsers for the replies that carry values: 150, 213, 227, 229, 257, MDTM and FEAT.
//!
//! Each is a free function of a [`Reply`] that does no I/O, like ftplib's `parse227` and
//! friends. A reply with the wrong code gives [`Error::UnexpectedReply`]; a reply with the
//! right code but unreadable content gives [`Error::Protocol`].

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::error::{Error, Result};
use crate::reply::{shorten, Reply};

fn expect_code(reply: &Reply, code: u16) -> Result<()> {
    if reply.code == code {
        Ok(())
    } else {
        Err(Error::UnexpectedReply(reply.clone()))
    }
}

fn protocol(reason: &str, reply: &Reply) -> Error {
    Error::Protocol {
        reason: reason.to_string(),
        line: shorten(&reply.text),
    }
}

/// Reads the byte count that many servers put in a 150 reply, as in
/// `150 Opening BINARY mode data connection for x (1048576 bytes).` Returns `None` when the
/// reply carries none (ftplib's `parse150`).
pub fn parse_150(reply: &Reply) -> Option<u64> {
    if reply.code != 150 {
        return None;
    }
    let text = reply.text.lines().next()?;
    let lower = text.to_ascii_lowercase();
    let end = lower.rfind(" bytes)")?;
    let open = lower[..end].rfind('(')?;
    lower[open + 1..end].trim().parse().ok()
}

/// Parses a `213` reply to `SIZE`: the file size in bytes.
///
/// # Errors
/// [`Error::UnexpectedReply`] for another code, [`Error::Protocol`] for unreadable content.
pub fn parse_213(reply: &Reply) -> Result<u64> {
    expect_code(reply, 213)?;
    reply
        .message()
        .trim()
        .parse()
        .map_err(|_| protocol("SIZE reply does not hold a byte count", reply))
}

/// Parses a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply.
///
/// The six numbers may stand anywhere in the text, with or without parentheses; each must
/// be 0–255, and the port they make must not be 0.
///
/// # Errors
/// [`Error::UnexpectedReply`] for another code, [`Error::Protocol`] for unreadable content.
pub fn parse_227(reply: &Reply) -> Result<(Ipv4Addr, u16)> {
    expect_code(reply, 227)?;
    let text = reply.text.get(3..).unwrap_or("");
    let bytes = text.as_bytes();
    // Try each position where a digit run starts; the first that yields six numbers wins.
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() && (start == 0 || !bytes[start - 1].is_ascii_digit()) {
            if let Some(numbers) = six_numbers(&bytes[start..]) {
                let mut octets = [0u8; 6];
                for (slot, n) in octets.iter_mut().zip(numbers) {
                    *slot = u8::try_from(n)
                        .map_err(|_| protocol("PASV reply holds a number over 255", reply))?;
                }
                let host = Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]);
                let port = u16::from(octets[4]) << 8 | u16::from(octets[5]);
                if port == 0 {
                    // As for EPSV: port 0 cannot be connected to.
                    return Err(protocol("PASV reply holds port 0", reply));
                }
                return Ok((host, port));
            }
        }
        start += 1;
    }
    Err(protocol("PASV reply does not hold six numbers", reply))
}

/// Reads `d,d,d,d,d,d` at the start of `bytes`; numbers are capped at four digits so huge
/// values cannot overflow.
fn six_numbers(bytes: &[u8]) -> Option<[u32; 6]> {
    let mut out = [0u32; 6];
    let mut pos = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if i > 0 {
            if bytes.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
            while bytes.get(pos) == Some(&b' ') {
                pos += 1;
            }
        }
        let digits = bytes[pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 4 {
            return if digits > 4 { Some([256; 6]) } else { None };
        }
        *slot = bytes[pos..pos + digits]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
        pos += digits;
    }
    Some(out)
}

/// Parses a `229 Entering Extended Passive Mode (|||port|)` reply (RFC 2428) and returns
/// the port. The host is never taken from the server: the control peer is used. Any
/// delimiter RFC 2428 allows is read, `)` included.
///
/// # Errors
/// [`Error::UnexpectedReply`] for another code, [`Error::Protocol`] for unreadable content.
pub fn parse_229(reply: &Reply) -> Result<u16> {
    expect_code(reply, 229)?;
    let text = &reply.text;
    let open = text
        .find('(')
        .ok_or_else(|| protocol("EPSV reply has no '('", reply))?;
    // Read by the delimiter, not by the closing parenthesis: RFC 2428 allows any printable
    // ASCII delimiter but digits, `)` included.
    let inner = &text[open + 1..];
    let delim = inner
        .chars()
        .next()
        .ok_or_else(|| protocol("EPSV reply is empty after '('", reply))?;
    if !(delim.is_ascii_graphic()) || delim.is_ascii_digit() {
        return Err(protocol("EPSV reply has an invalid delimiter", reply));
    }
    // `(<d><d><d>port<d>)`: the network protocol and address fields are empty.
    let shape = || protocol("EPSV reply is not of the form (|||port|)", reply);
    let mut after_fields = inner;
    for _ in 0..3 {
        after_fields = after_fields.strip_prefix(delim).ok_or_else(shape)?;
    }
    let port_end = after_fields.find(delim).ok_or_else(shape)?;
    if !after_fields[port_end + 1..].starts_with(')') {
        return Err(shape());
    }
    let port_text = &after_fields[..port_end];
    if port_text.is_empty() || port_text.len() > 5 || !port_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(protocol("EPSV reply port is not a number", reply));
    }
    match port_text.parse::<u32>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        _ => Err(protocol("EPSV reply port is out of range", reply)),
    }
}

/// Parses a `257 "path" …` reply to `PWD` or `MKD` and returns the path, with doubled
/// quotes (`""`) turned back into one (RFC 959 appendix II).
///
/// The path starts at the first `"` of the first line and ends at the next lone `"`.
///
/// # Errors
/// [`Error::UnexpectedReply`] for another code, [`Error::Protocol`] for unreadable content.
pub fn parse_257(reply: &Reply) -> Result<String> {
    expect_code(reply, 257)?;
    let first = reply.text.lines().next().unwrap_or("");
    let rest = first.get(3..).unwrap_or("");
    let start = rest
        .find('"')
        .ok_or_else(|| protocol("257 reply has no quoted path", reply))?;
    let mut path = String::new();
    let mut chars = rest[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                path.push('"');
            } else {
                return Ok(path);
            }
        } else {
            path.push(c);
        }
    }
    Err(protocol("257 reply has an unterminated quoted path", reply))
}

/// Parses a `213 YYYYMMDDHHMMSS[.fff]` reply to `MDTM` (RFC 3659 §3): the time is UTC.
///
/// # Errors
/// [`Error::UnexpectedReply`] for another code, [`Error::Protocol`] for unreadable content.
pub fn parse_mdtm(reply: &Reply) -> Result<DateTime<Utc>> {
    expect_code(reply, 213)?;
    parse_timeval(reply.message().trim())
        .map(|t| t.and_utc())
        .ok_or_else(|| protocol("MDTM reply does not hold a YYYYMMDDHHMMSS time", reply))
}

/// Parses an RFC 3659 time-val, `YYYYMMDDHHMMSS` with optional `.fraction`.
pub fn parse_timeval(text: &str) -> Option<NaiveDateTime> {
    let (main, fraction) = match text.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (text, None),
    };
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| main[r].parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
    let mut nanos = 0;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nanos = f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32);
    }
    // RFC 3659 allows a leap second (60); chrono takes it as 59 + 1 s of nanoseconds.
    let (sec, nanos) = match num(12..14)? {
        60 => (59, nanos + 1_000_000_000),
        s => (s, nanos),
    };
    date.and_hms_nano_opt(num(8..10)?, num(10..12)?, sec, nanos)
}

/// Parses a `211` reply to `FEAT` (RFC 2389) into a map from the upper-cased feature name
/// to its parameters (empty when it has none), e.g. `"MLST" → "type*;size*;modify*;"`.
///
/// A single-line reply (no features) gives an empty map.
///
/// # Errors
/// [`Error::UnexpectedReply`] for another code, [`Error::Protocol`] for unreadable content.
pub fn parse_feat(reply: &Reply) -> Result<BTreeMap<String, String>> {
    expect_code(reply, 211)?;
    let mut features = BTreeMap::new();
    let lines: Vec<&str> = reply.text.lines().collect();
    if lines.len() < 2 {
        return Ok(features);
    }
    for line in &lines[1..lines.len() - 1] {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, params) = match line.split_once(' ') {
            Some((n, p)) => (n, p.trim()),
            None => (line, ""),
        };
        features.insert(name.to_ascii_uppercase(), params.to_string());
    }
    Ok(features)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: u16, text: &str) -> Reply {
        Reply::new(code, text)
    }

    #[test]
    fn table_150() {
        let cases = [
            (
                "150 Opening BINARY mode data connection for x (1048576 bytes).",
                Some(1048576),
            ),
            ("150 Opening data connection for a (b) (12 Bytes)", Some(12)),
            ("150 File status okay. About to open data connection.", None),
            ("150 (x bytes)", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_150(&r(150, text)), want, "{text}");
        }
        assert_eq!(parse_150(&r(125, "125 (5 bytes)")), None);
    }

    #[test]
    fn table_213() {
        assert_eq!(parse_213(&r(213, "213 1048576")).unwrap(), 1048576);
        assert_eq!(parse_213(&r(213, "213  42 ")).unwrap(), 42);
        assert!(matches!(
            parse_213(&r(213, "213 lots")),
            Err(Error::Protocol { .. })
        ));
        assert!(matches!(
            parse_213(&r(250, "250 1000")),
            Err(Error::UnexpectedReply(_))
        ));
    }

    #[test]
    fn table_227() {
        let ok = [
            (
                "227 Entering Passive Mode (127,0,0,1,117,48).",
                ([127, 0, 0, 1], 30000),
            ),
            ("227 =10,1,2,3,0,21", ([10, 1, 2, 3], 21)),
            (
                "227 Entering Passive Mode 1,2,3,4,5,6",
                ([1, 2, 3, 4], 1286),
            ),
            ("227 ok (255,255,255,255,255,255)", ([255; 4], 65535)),
            ("227 v2 (0,0,0,0,4,1)", ([0, 0, 0, 0], 1025)),
        ];
        for (text, (ip, port)) in ok {
            assert_eq!(
                parse_227(&r(227, text)).unwrap(),
                (Ipv4Addr::from(ip), port),
                "{text}"
            );
        }
        let bad = [
            "227 Entering Passive Mode (256,0,0,1,1,1)",
            "227 Entering Passive Mode (1,2,3,4,5,999)",
            "227 Entering Passive Mode (1,2,3,4,5)",
            "227 Entering Passive Mode (1,2,3,4,0,0)",
            "227 Entering Passive Mode",
            "227 (1,2,3,4,5,99999999999999999999)",
            "227 (a,b,c,d,e,f)",
        ];
        for text in bad {
            assert!(
                matches!(parse_227(&r(227, text)), Err(Error::Protocol { .. })),
                "{text}"
            );
        }
        assert!(matches!(
            parse_227(&r(200, "200 (1,2,3,4,5,6)")),
            Err(Error::UnexpectedReply(_))
        ));
    }

    #[test]
    fn table_229() {
        let ok = [
            ("229 Entering Extended Passive Mode (|||6446|)", 6446),
            ("229 ok (!!!1!)", 1),
            ("229 x (|||65535|) trailing", 65535),
            ("229 ok ()))21))", 21),
            ("229 ok ((((21()", 21),
        ];
        for (text, port) in ok {
            assert_eq!(parse_229(&r(229, text)).unwrap(), port, "{text}");
        }
        let bad = [
            "229 Entering Extended Passive Mode (|||0|)",
            "229 Entering Extended Passive Mode (|||65536|)",
            "229 Entering Extended Passive Mode (|||99999999999|)",
            "229 Entering Extended Passive Mode (|||abc|)",
            "229 Entering Extended Passive Mode (|||6446!)",
            "229 Entering Extended Passive Mode (||6446|)",
            "229 Entering Extended Passive Mode (1116461)",
            "229 Entering Extended Passive Mode |||6446|",
            "229 Entering Extended Passive Mode (|||6446|",
            "229 ()",
            "229 (",
            "229 (|||+80|)",
            "229 (|||80|",
            "229 (|||80|x)",
            "229 (||||80|)",
            "229 (|1|80|)",
        ];
        for text in bad {
            assert!(
                matches!(parse_229(&r(229, text)), Err(Error::Protocol { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn table_257() {
        let ok = [
            ("257 \"/home/user\" is the current directory", "/home/user"),
            ("257 \"/a \"\"quoted\"\" dir\" created", "/a \"quoted\" dir"),
            ("257 \"\"", ""),
            ("257 \"/\"", "/"),
            ("257 MKD ok: \"/new dir\"", "/new dir"),
            ("257 \"/x\"\"\"", "/x\""),
            ("257 \"/ünï\" ok", "/ünï"),
        ];
        for (text, want) in ok {
            assert_eq!(parse_257(&r(257, text)).unwrap(), want, "{text}");
        }
        for text in [
            "257 \"/unterminated",
            "257 /no/quotes",
            "257",
            "257 \"a\"\"",
        ] {
            assert!(
                matches!(parse_257(&r(257, text)), Err(Error::Protocol { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn table_mdtm() {
        let t = parse_mdtm(&r(213, "213 20240229235958")).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-02-29T23:59:58+00:00");
        let t = parse_mdtm(&r(213, "213 19980606010203.123")).unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 123);
        for bad in [
            "213 2024022923595",
            "213 20241301000000",
            "213 2024xx29235958",
            "213 20240229235958.",
        ] {
            assert!(
                matches!(parse_mdtm(&r(213, bad)), Err(Error::Protocol { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn table_feat() {
        let reply = r(
            211,
            "211-Features:\n EPRT\n EPSV\n MDTM\n MLST type*;size*;modify*;\n rest STREAM\n UTF8\n211 End",
        );
        let feat = parse_feat(&reply).unwrap();
        assert_eq!(feat.len(), 6);
        assert_eq!(feat["MLST"], "type*;size*;modify*;");
        assert_eq!(feat["REST"], "STREAM");
        assert_eq!(feat["EPSV"], "");
        assert!(parse_feat(&r(211, "211 No features")).unwrap().is_empty());
        assert!(matches!(
            parse_feat(&r(500, "500 Unknown command")),
            Err(Error::UnexpectedReply(_))
        ));
    }
}

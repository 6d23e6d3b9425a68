//! Server replies: reading single- and multi-line replies (RFC 959 §4.2) with limits.

use std::fmt;
use std::io::BufRead;

use crate::error::{Error, Result};

/// Default limit on the length of one line from the server, in bytes (ftplib's `MAXLINE`).
pub const DEFAULT_MAX_LINE_LENGTH: usize = 8192;

/// Default limit on the number of lines in one multi-line reply. ftplib has none; a FEAT
/// or STAT reply from a real server is well under a few hundred lines.
pub const DEFAULT_MAX_REPLY_LINES: usize = 1000;

/// One reply from the server: its three-digit code and its full text.
///
/// `text` is the reply exactly as Python's ftplib returns it: every line including the
/// code prefix, joined by `\n`, e.g. `"230 Login successful."`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply code, 100..=599.
    pub code: u16,
    /// The full text, lines joined by `\n`, without the final line ending.
    pub text: String,
    /// True when the server sent bytes that are not UTF-8 and they were replaced.
    lossy: bool,
}

impl Reply {
    /// Builds a reply from a code and its full text.
    pub fn new(code: u16, text: impl Into<String>) -> Reply {
        Reply {
            code,
            text: text.into(),
            lossy: false,
        }
    }

    /// The first digit of the code: 1 (preliminary) to 5 (permanent failure).
    pub fn class(&self) -> u16 {
        self.code / 100
    }

    /// The text of the first line after the code and its separator.
    pub fn message(&self) -> &str {
        let first = self.text.lines().next().unwrap_or("");
        first.get(4..).unwrap_or("")
    }

    /// True when the server's bytes were not valid UTF-8 and were replaced with U+FFFD.
    pub fn is_lossy(&self) -> bool {
        self.lossy
    }

    /// Maps a 4xx/5xx reply to the matching error, passing 1xx–3xx through (ftplib's
    /// `getresp` rule).
    pub(crate) fn into_result(self) -> Result<Reply> {
        match self.class() {
            1..=3 => Ok(self),
            4 => Err(Error::Temporary(self)),
            _ => Err(Error::Permanent(self)),
        }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How [`read_line`] found the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// The line ended with LF (or CRLF).
    Newline,
    /// The stream ended after some bytes but before a line ending.
    Eof,
}

/// Reads one line of at most `max_len` bytes into `line`, without its ending (LF or CRLF;
/// only the CR right before the LF belongs to the ending). Returns `None` at end of
/// stream before any byte.
///
/// The limit is enforced while reading, so a hostile peer cannot make us buffer more.
pub(crate) fn read_line<R: BufRead + ?Sized>(
    reader: &mut R,
    max_len: usize,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<LineEnd>> {
    line.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            if line.is_empty() {
                return Ok(None);
            }
            return Ok(Some(LineEnd::Eof));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        // +2 allows the CRLF itself on top of max_len content bytes.
        if line.len() + chunk.len() > max_len.saturating_add(2) {
            return Err(line_too_long());
        }
        line.extend_from_slice(chunk);
        let used = chunk.len();
        reader.consume(used);
        if done {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.len() > max_len {
                return Err(line_too_long());
            }
            return Ok(Some(LineEnd::Newline));
        }
    }
}

fn line_too_long() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, LineTooLongMarker)
}

/// Marks an `io::Error` from [`read_line`] as "line too long", so callers can map it to
/// [`Error::LineTooLong`].
#[derive(Debug)]
pub(crate) struct LineTooLongMarker;

impl fmt::Display for LineTooLongMarker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("line too long")
    }
}

impl std::error::Error for LineTooLongMarker {}

/// True when `err` came from [`read_line`]'s length check.
pub(crate) fn is_line_too_long(err: &std::io::Error) -> bool {
    err.get_ref()
        .is_some_and(|inner| inner.is::<LineTooLongMarker>())
}

/// Parses the code at the start of a reply's first line: three digits, the first 1–5,
/// followed by a space, a hyphen (multi-line) or nothing. Returns the code and whether
/// the reply continues on further lines.
pub fn parse_reply_start(line: &[u8]) -> Option<(u16, bool)> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'5').contains(&digits[0]) {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    match line.get(3) {
        None | Some(b' ') => Some((code, false)),
        Some(b'-') => Some((code, true)),
        Some(_) => None,
    }
}

/// Limits applied while reading a reply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_line_length: usize,
    pub max_reply_lines: usize,
    /// How the reply's bytes become text.
    pub encoding: crate::command::Encoding,
}

/// Reads one complete reply. `log_line` sees every raw line (for trace logging).
pub(crate) fn read_reply<R: BufRead + ?Sized>(
    reader: &mut R,
    limits: Limits,
    mut log_line: impl FnMut(&[u8]),
) -> Result<Reply> {
    let mut line = Vec::new();
    let map_io = |e: std::io::Error| {
        if is_line_too_long(&e) {
            Error::LineTooLong {
                limit: limits.max_line_length,
            }
        } else {
            Error::from_io(e, "reading a reply")
        }
    };
    match read_line(reader, limits.max_line_length, &mut line).map_err(map_io)? {
        Some(LineEnd::Newline) => {}
        Some(LineEnd::Eof) => {
            return Err(Error::ConnectionClosed(
                "in the middle of a reply line".into(),
            ))
        }
        None => return Err(Error::ConnectionClosed("while waiting for a reply".into())),
    }
    log_line(&line);
    let (code, mut more) = parse_reply_start(&line).ok_or_else(|| Error::Protocol {
        reason: "reply does not start with a three-digit code".into(),
        line: shorten(&String::from_utf8_lossy(&line)),
    })?;
    let mut raw = std::mem::take(&mut line);
    let mut count = 1;
    while more {
        if read_line(reader, limits.max_line_length, &mut line).map_err(map_io)?
            != Some(LineEnd::Newline)
        {
            return Err(Error::ConnectionClosed(
                "in the middle of a multi-line reply".into(),
            ));
        }
        log_line(&line);
        count += 1;
        if count > limits.max_reply_lines {
            return Err(Error::TooManyLines {
                limit: limits.max_reply_lines,
            });
        }
        // The reply ends at a line with the same code not followed by '-' (RFC 959 §4.2).
        if line.len() >= 3 && line[..3] == raw[..3] && line.get(3) != Some(&b'-') {
            more = false;
        }
        raw.push(b'\n');
        raw.extend_from_slice(&line);
    }
    let (text, lossy) = limits.encoding.decode_lossy(raw);
    Ok(Reply { code, text, lossy })
}

/// Shortens text for error messages so a hostile reply cannot flood a log.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_line_length: 64,
        max_reply_lines: 5,
        encoding: crate::command::Encoding::Utf8,
    };

    fn read(input: &[u8]) -> Result<Reply> {
        read_reply(&mut &input[..], LIMITS, |_| {})
    }

    macro_rules! reply_cases {
        ($($name:ident: $input:expr => $code:expr, $text:expr;)*) => {$(
            #[test]
            fn $name() {
                let reply = read($input).expect("reply parses");
                assert_eq!(reply.code, $code);
                assert_eq!(reply.text, $text);
            }
        )*};
    }

    reply_cases! {
        single_crlf: b"220 Welcome\r\n" => 220, "220 Welcome";
        single_lf: b"220 Welcome\n" => 220, "220 Welcome";
        bare_code: b"200\r\n" => 200, "200";
        multi: b"211-Features:\r\n EPSV\r\n MDTM\r\n211 End\r\n" => 211, "211-Features:\n EPSV\n MDTM\n211 End";
        multi_inner_other_code: b"230-Hi\r\n220 not the end\r\n230 done\r\n" => 230, "230-Hi\n220 not the end\n230 done";
        multi_inner_same_code_hyphen: b"220-a\r\n220-b\r\n220 c\r\n" => 220, "220-a\n220-b\n220 c";
        multi_ends_bare_code: b"250-x\r\n250\r\n" => 250, "250-x\n250";
        exactly_limit: b"200 0123456789012345678901234567890123456789012345678901234567\r\n" => 200, "200 0123456789012345678901234567890123456789012345678901234567";
    }

    macro_rules! reply_errors {
        ($($name:ident: $input:expr => $pat:pat,)*) => {$(
            #[test]
            fn $name() {
                let err = read($input).expect_err("reply must be refused");
                assert!(matches!(err, $pat), "got {err:?}");
            }
        )*};
    }

    reply_errors! {
        empty: b"" => Error::ConnectionClosed(_),
        no_code: b"hello\r\n" => Error::Protocol { .. },
        two_digits: b"22 x\r\n" => Error::Protocol { .. },
        code_600: b"600 x\r\n" => Error::Protocol { .. },
        code_000: b"000 x\r\n" => Error::Protocol { .. },
        bad_separator: b"220x\r\n" => Error::Protocol { .. },
        too_long: &[b'2'; 100] => Error::LineTooLong { limit: 64 },
        too_long_with_ending: b"200 01234567890123456789012345678901234567890123456789012345678901\r\n" => Error::LineTooLong { .. },
        too_many_lines: b"211-a\r\nb\r\nc\r\nd\r\ne\r\nf\r\n211 end\r\n" => Error::TooManyLines { limit: 5 },
        eof_in_multiline: b"211-a\r\nb\r\n" => Error::ConnectionClosed(_),
        eof_without_newline: b"220 hi" => Error::ConnectionClosed(_),
    }

    #[test]
    fn non_utf8_is_replaced_and_flagged() {
        let reply = read(b"257 \"/caf\xe9\" created\r\n").unwrap();
        assert_eq!(reply.code, 257);
        assert!(reply.is_lossy());
        assert!(reply.text.contains('\u{FFFD}'));
    }

    #[test]
    fn classification() {
        assert!(Reply::new(150, "150 ok").into_result().is_ok());
        assert!(matches!(
            Reply::new(421, "421 bye").into_result(),
            Err(Error::Temporary(r)) if r.code == 421
        ));
        assert!(matches!(
            Reply::new(550, "550 no").into_result(),
            Err(Error::Permanent(r)) if r.code == 550
        ));
    }

    #[test]
    fn message_skips_code() {
        assert_eq!(Reply::new(230, "230 Login ok").message(), "Login ok");
        assert_eq!(Reply::new(230, "230").message(), "");
        assert_eq!(Reply::new(211, "211-Feat\n x\n211 End").message(), "Feat");
    }

    #[test]
    fn reads_consecutive_replies() {
        let mut input: &[u8] = b"150 go\r\n226 done\r\n";
        assert_eq!(read_reply(&mut input, LIMITS, |_| {}).unwrap().code, 150);
        assert_eq!(read_reply(&mut input, LIMITS, |_| {}).unwrap().code, 226);
    }
}

/// Property tests of reply reading, which is not public and so cannot be tested from
/// `tests/proptest_parsers.rs`. Long run:
/// `PROPTEST_CASES=1000000 cargo test --release --lib reply::proptests`.
#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    const DEFAULT_LIMITS: Limits = Limits {
        max_line_length: DEFAULT_MAX_LINE_LENGTH,
        max_reply_lines: DEFAULT_MAX_REPLY_LINES,
        encoding: crate::command::Encoding::Utf8,
    };

    fn small_limits() -> impl Strategy<Value = Limits> {
        (0usize..80, 1usize..8).prop_map(|(max_line_length, max_reply_lines)| Limits {
            max_line_length,
            max_reply_lines,
            encoding: crate::command::Encoding::Utf8,
        })
    }

    /// Arbitrary bytes, and text made of what replies are made of.
    fn input() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            vec(any::<u8>(), 0..200),
            "[0-9 \\-\r\na-z]{0,120}".prop_map(String::into_bytes),
            vec("[1-5][0-9]{2}[ -]?[ -~]{0,12}\r?\n?", 0..8).prop_map(|l| l.concat().into_bytes()),
        ]
    }

    fn read_whole(input: &[u8], limits: Limits) -> Result<Reply> {
        read_reply(&mut &input[..], limits, |_| {})
    }

    /// One byte per read, like a reply split across TCP segments.
    fn read_trickled(input: &[u8], limits: Limits) -> Result<Reply> {
        let mut reader = std::io::BufReader::with_capacity(1, input);
        read_reply(&mut reader, limits, |_| {})
    }

    fn ending() -> impl Strategy<Value = &'static str> {
        prop_oneof![Just("\r\n"), Just("\n")]
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_limits(input in input(), limits in small_limits()) {
            let whole = read_whole(&input, limits);
            if let Ok(reply) = &whole {
                prop_assert!((100..=599).contains(&reply.code));
                prop_assert!(reply.text.split('\n').count() <= limits.max_reply_lines);
                if !reply.is_lossy() {
                    for line in reply.text.split('\n') {
                        prop_assert!(line.len() <= limits.max_line_length, "{:?}", line);
                    }
                }
            }
            // Splitting the input into one-byte reads changes nothing.
            let trickled = read_trickled(&input, limits);
            prop_assert_eq!(format!("{whole:?}"), format!("{trickled:?}"));
        }

        #[test]
        fn single_line_round_trip(code in 100u16..=599, text in "[ -~]{0,100}", end in ending(), next in "[ -~]{0,10}") {
            let input = format!("{code} {text}{end}{next}");
            let mut rest = input.as_bytes();
            let reply = read_reply(&mut rest, DEFAULT_LIMITS, |_| {}).expect("valid reply");
            prop_assert_eq!(reply.code, code);
            prop_assert_eq!(reply.text, format!("{code} {text}"));
            // Nothing past the reply is consumed.
            prop_assert_eq!(rest, next.as_bytes());
        }

        #[test]
        fn multi_line_round_trip(
            code in 100u16..=599,
            inner in vec(("[ a-zA-Z][ -~]{0,30}", ending()), 0..20),
            first_end in ending(),
            last_end in ending(),
        ) {
            let mut input = format!("{code}-First line{first_end}");
            let mut want = vec![format!("{code}-First line")];
            for (line, end) in &inner {
                input.push_str(line);
                input.push_str(end);
                want.push(line.clone());
            }
            input.push_str(&format!("{code} End{last_end}"));
            want.push(format!("{code} End"));
            let whole = read_whole(input.as_bytes(), DEFAULT_LIMITS).expect("valid reply");
            prop_assert_eq!(whole.code, code);
            prop_assert_eq!(&whole.text, &want.join("\n"));
            let trickled = read_trickled(input.as_bytes(), DEFAULT_LIMITS).expect("valid reply");
            prop_assert_eq!(trickled, whole);
        }

        #[test]
        fn line_over_the_limit_is_refused(max in 8usize..200, extra in 1usize..50, end in ending()) {
            let limits = Limits {
                max_line_length: max,
                max_reply_lines: 10,
                encoding: crate::command::Encoding::Utf8,
            };
            let input = format!("200 {}{end}", "x".repeat(max - 4 + extra));
            let result = read_whole(input.as_bytes(), limits);
            prop_assert!(matches!(result, Err(Error::LineTooLong { .. })), "{:?}", result);
        }
    }
}

//! Command lines: validation before sending, and masking for logs.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::reply::shorten;

/// Refuses any text containing CR, LF or NUL: such bytes would end the command early and
/// let the rest be read as a second command (ftplib's bpo-30119 guard, plus NUL).
///
/// The error quotes the text, except a password or account (and a `PASS` command is
/// masked), so secrets never reach error messages or logs.
pub fn check_argument(what: &str, text: &str) -> Result<()> {
    if let Some(bad) = text.chars().find(|c| matches!(c, '\r' | '\n' | '\0')) {
        let name = match bad {
            '\r' => "carriage return",
            '\n' => "line feed",
            _ => "NUL",
        };
        let shown = match what {
            "password" | "account" => String::new(),
            _ => format!(": {:?}", shorten(&sanitize(text))),
        };
        return Err(Error::InvalidInput(format!(
            "{what} contains a forbidden {name} character{shown}"
        )));
    }
    Ok(())
}

/// How text travels on the wire: commands are encoded with it, and replies and text
/// transfers (`retrlines`, `nlst`, `dir`, `mlsd`) decoded with it — ftplib's `encoding`.
///
/// UTF-8 (the default, as in ftplib since Python 3.9 and RFC 2640) suits most servers.
/// Servers that store names in an 8-bit charset (old Windows or Unix servers) send bytes
/// that are not UTF-8: with `Latin1` every byte maps to one character (U+0000–U+00FF) and
/// back, so a name read from `nlst` can be passed to `retrbinary` unchanged, whatever the
/// server's real charset.
///
/// ```no_run
/// use ftplib::{Encoding, FtpStream};
/// let mut ftp = FtpStream::builder().encoding(Encoding::Latin1).connect("old.example.com", 21)?;
/// ftp.login("", "")?;
/// for name in ftp.nlst(&[])? {
///     let size = ftp.size(&name)?; // the same bytes go back to the server
/// }
/// # Ok::<(), ftplib::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8. Text that is not UTF-8 gives [`Error::Encoding`] (replies: replaced and
    /// flagged, see [`crate::Reply::is_lossy`]).
    #[default]
    Utf8,
    /// ISO 8859-1: one byte per character, so every byte string round-trips.
    Latin1,
}

impl Encoding {
    /// Encodes text for the wire.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a character that Latin-1 cannot hold (above U+00FF).
    pub fn encode(self, text: &str) -> Result<Vec<u8>> {
        match self {
            Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
            Encoding::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "{:?} has characters that Latin-1 cannot encode",
                        shorten(&sanitize(text))
                    ))
                }),
        }
    }

    /// Decodes bytes from the wire; `None` for bytes that are not valid UTF-8 under
    /// [`Encoding::Utf8`] (Latin-1 decodes everything).
    pub fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match (self, std::str::from_utf8(bytes)) {
            // ASCII reads the same in both; UTF-8 text needs no copy.
            (Encoding::Utf8, Ok(text)) => Some(Cow::Borrowed(text)),
            (Encoding::Latin1, Ok(text)) if bytes.is_ascii() => Some(Cow::Borrowed(text)),
            (Encoding::Utf8, Err(_)) => None,
            (Encoding::Latin1, _) => {
                Some(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
            }
        }
    }

    /// Decodes, replacing what cannot be decoded with U+FFFD; the flag says whether
    /// anything was replaced.
    pub(crate) fn decode_lossy(self, bytes: Vec<u8>) -> (String, bool) {
        match self {
            Encoding::Utf8 => match String::from_utf8(bytes) {
                Ok(s) => (s, false),
                Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
            },
            Encoding::Latin1 => (bytes.iter().map(|&b| char::from(b)).collect(), false),
        }
    }
}

/// Joins a verb and an optional argument, refusing forbidden characters in either.
pub fn format_command(verb: &str, arg: Option<&str>) -> Result<String> {
    check_argument("command", verb)?;
    match arg {
        Some(arg) => {
            check_argument("argument", arg)?;
            Ok(format!("{verb} {arg}"))
        }
        None => Ok(verb.to_string()),
    }
}

/// The command as it may appear in logs: a `PASS` argument (any letter case) is replaced
/// with asterisks, like ftplib's `sanitize` (which only masks `pass`/`PASS`).
pub fn sanitize(line: &str) -> String {
    match line.get(..5) {
        Some(verb) if verb.eq_ignore_ascii_case("pass ") => {
            format!("{}{}", verb, "*".repeat(line[5..].chars().count()))
        }
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_table() {
        let cases = [
            ("foo", "foo"),
            ("pass 12345", "pass *****"),
            ("PASS 12345", "PASS *****"),
            ("Pass secret", "Pass ******"),
            ("PASS", "PASS"),
            ("PASS ", "PASS "),
            ("USER bob", "USER bob"),
            ("PASSWORD x", "PASSWORD x"),
            ("PASS ünï", "PASS ***"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "input {input:?}");
        }
    }

    #[test]
    fn forbidden_characters_are_refused() {
        for bad in ["a\rb", "a\nb", "a\0b", "\r\n", "file\r\nDELE x"] {
            let err = format_command("RETR", Some(bad)).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}");
        }
        assert!(format_command("NOOP\r\nQUIT", None).is_err());
    }

    #[test]
    fn latin1_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = Encoding::Latin1.decode(&all).unwrap();
        assert_eq!(Encoding::Latin1.encode(&text).unwrap(), all);
        assert!(Encoding::Latin1.encode("€").is_err());
        assert_eq!(Encoding::Utf8.decode(b"caf\xe9"), None);
        assert_eq!(Encoding::Latin1.decode(b"caf\xe9").unwrap(), "café");
        assert_eq!(Encoding::Utf8.encode("café").unwrap(), "café".as_bytes());
        assert_eq!(Encoding::Latin1.encode("café").unwrap(), b"caf\xe9");
    }

    #[test]
    fn secrets_stay_out_of_errors() {
        let err = check_argument("password", "hunter2\n").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = check_argument("command", "PASS hunter2\n").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = check_argument("path", "a\rb").unwrap_err();
        assert!(err.to_string().contains("a\\rb"), "{err}");
    }

    #[test]
    fn formats() {
        assert_eq!(format_command("CWD", Some("a b")).unwrap(), "CWD a b");
        assert_eq!(format_command("PWD", None).unwrap(), "PWD");
        assert_eq!(format_command("CWD", Some("")).unwrap(), "CWD ");
    }
}

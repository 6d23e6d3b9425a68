//! Command lines: validation before sending, and masking for logs.

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

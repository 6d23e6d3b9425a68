//! Property tests for every public pure parser: first that no input makes it panic, then
//! round trips where a reply can be built from a value.
//!
//! The default run (256 cases per property) takes a few seconds. The long run:
//! `PROPTEST_CASES=1000000 cargo test --release --test proptest_parsers`.
//! Reply *reading* (framing, limits) is tested the same way inside `src/reply.rs`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;

use ftplib::parse::{
    parse_150, parse_213, parse_227, parse_229, parse_257, parse_feat, parse_mdtm, parse_timeval,
};
use ftplib::reply::parse_reply_start;
use ftplib::{sanitize, Error, Reply};

/// Text that is arbitrary or built from the characters these parsers look for, so both
/// garbage and near-misses are tried.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9,()| .\"\\-a-zA-Z]{0,40}",
        "[0-9]{0,20}(\\.[0-9]{0,12})?",
        "\\([0-9]{1,5}(,[ ]?[0-9]{1,6}){0,7}\\)?",
        "[(]?[|!#]{0,4}[0-9]{0,7}[|!#]{0,2}[)]?",
        "(\"[^\"\n]{0,8}){0,4}",
        "[A-Za-z0-9 \n]{0,60}",
    ]
}

/// A reply code: usually a plausible one, sometimes anything.
fn code() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(150u16),
        Just(211),
        Just(213),
        Just(227),
        Just(229),
        Just(257),
        100u16..=599,
        any::<u16>(),
    ]
}

/// A reply whose text starts with its code, as the reader builds them.
fn reply() -> impl Strategy<Value = Reply> {
    (code(), text(), any::<bool>()).prop_map(|(code, body, prefix)| {
        let text = if prefix {
            format!("{code} {body}")
        } else {
            body
        };
        Reply::new(code, text)
    })
}

proptest! {
    // ----- no panics ---------------------------------------------------------------

    #[test]
    fn no_parser_panics(reply in reply()) {
        let _ = parse_150(&reply);
        let _ = parse_213(&reply);
        let _ = parse_227(&reply);
        let _ = parse_229(&reply);
        let _ = parse_257(&reply);
        let _ = parse_mdtm(&reply);
        let _ = parse_feat(&reply);
    }

    #[test]
    fn parse_timeval_does_not_panic(s in text()) {
        let _ = parse_timeval(&s);
    }

    #[test]
    fn parse_reply_start_does_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        if let Some((code, _)) = parse_reply_start(&bytes) {
            prop_assert!((100..=599).contains(&code));
        }
    }

    #[test]
    fn sanitize_does_not_panic(s in text()) {
        let masked = sanitize(&s);
        prop_assert_eq!(masked.chars().count(), s.chars().count());
    }

    // ----- wrong codes -------------------------------------------------------------

    #[test]
    fn wrong_code_is_unexpected_reply(code in 100u16..=599, body in text()) {
        let reply = Reply::new(code, format!("{code} {body}"));
        if code != 213 {
            prop_assert!(matches!(parse_213(&reply), Err(Error::UnexpectedReply(_))), "{:?}", reply);
            prop_assert!(matches!(parse_mdtm(&reply), Err(Error::UnexpectedReply(_))), "{:?}", reply);
        }
        if code != 227 {
            prop_assert!(matches!(parse_227(&reply), Err(Error::UnexpectedReply(_))), "{:?}", reply);
        }
        if code != 229 {
            prop_assert!(matches!(parse_229(&reply), Err(Error::UnexpectedReply(_))), "{:?}", reply);
        }
        if code != 257 {
            prop_assert!(matches!(parse_257(&reply), Err(Error::UnexpectedReply(_))), "{:?}", reply);
        }
        if code != 211 {
            prop_assert!(matches!(parse_feat(&reply), Err(Error::UnexpectedReply(_))), "{:?}", reply);
        }
        if code != 150 {
            prop_assert_eq!(parse_150(&reply), None);
        }
    }

    // ----- round trips -------------------------------------------------------------

    #[test]
    fn reply_start_round_trip(code in 100u16..=599, sep in prop_oneof![Just(""), Just(" "), Just("-")], rest in "[ -~]{0,20}") {
        let rest = if sep.is_empty() { String::new() } else { rest };
        let line = format!("{code}{sep}{rest}");
        prop_assert_eq!(parse_reply_start(line.as_bytes()), Some((code, sep == "-")));
    }

    #[test]
    fn reply_start_refuses_bad_first_digit(first in prop_oneof![Just(b'0'), Just(b'6'), Just(b'7'), Just(b'8'), Just(b'9')], rest in "[0-9]{2}( .*)?") {
        let mut line = vec![first];
        line.extend_from_slice(rest.as_bytes());
        prop_assert_eq!(parse_reply_start(&line), None);
    }

    #[test]
    fn parse_150_round_trip(size in any::<u64>(), name in "[a-zA-Z0-9_. ]{0,20}", unit in prop_oneof![Just("bytes"), Just("Bytes"), Just("BYTES")]) {
        let reply = Reply::new(150, format!("150 Opening BINARY mode data connection for {name} ({size} {unit})."));
        prop_assert_eq!(parse_150(&reply), Some(size));
    }

    #[test]
    fn parse_213_round_trip(size in any::<u64>(), pad in " {0,3}") {
        let reply = Reply::new(213, format!("213 {pad}{size}{pad}"));
        prop_assert_eq!(parse_213(&reply).ok(), Some(size));
    }

    #[test]
    fn parse_227_round_trip(
        host in any::<[u8; 4]>(),
        port in 1u16..=65535,
        prefix in "[A-Za-z =.]{0,30}",
        parens in any::<bool>(),
        spaces in any::<bool>(),
    ) {
        let sep = if spaces { ", " } else { "," };
        let numbers = [host[0], host[1], host[2], host[3], (port >> 8) as u8, (port & 0xff) as u8]
            .map(|n| n.to_string())
            .join(sep);
        let body = if parens { format!("({numbers}).") } else { numbers };
        let reply = Reply::new(227, format!("227 {prefix}{body}"));
        let (ip, got_port) = parse_227(&reply).expect("valid 227 parses");
        prop_assert_eq!(ip.octets(), host);
        prop_assert_eq!(got_port, port);
    }

    #[test]
    fn parse_227_refuses_numbers_over_255(
        mut numbers in any::<[u8; 6]>(),
        which in 0usize..6,
        big in 256u32..100_000,
    ) {
        numbers[5] |= 1; // keep the port non-zero, so only the big number is wrong
        let mut parts: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
        parts[which] = big.to_string();
        let reply = Reply::new(227, format!("227 Entering Passive Mode ({}).", parts.join(",")));
        prop_assert!(matches!(parse_227(&reply), Err(Error::Protocol { .. })), "{:?}", reply);
    }

    #[test]
    fn parse_229_round_trip(
        port in 1u16..=65535,
        // RFC 2428: any printable ASCII except digits, the parentheses included.
        delim in proptest::sample::select(
            ('!'..='~').filter(|c| !c.is_ascii_digit()).collect::<Vec<char>>()
        ),
    ) {
        let reply = Reply::new(229, format!("229 Entering Extended Passive Mode ({delim}{delim}{delim}{port}{delim})"));
        prop_assert_eq!(parse_229(&reply).ok(), Some(port));
    }

    #[test]
    fn parse_229_refuses_ports_out_of_range(port in prop_oneof![Just(0u64), 65536u64..=99_999, 100_000u64..]) {
        let reply = Reply::new(229, format!("229 Entering Extended Passive Mode (|||{port}|)"));
        prop_assert!(matches!(parse_229(&reply), Err(Error::Protocol { .. })), "{:?}", reply);
    }

    #[test]
    fn parse_257_round_trip(path in "[^\r\n]{0,40}", comment in "[^\r\n\"]{0,20}") {
        let quoted = path.replace('"', "\"\"");
        let reply = Reply::new(257, format!("257 \"{quoted}\" {comment}"));
        prop_assert_eq!(parse_257(&reply).ok(), Some(path));
    }

    #[test]
    fn parse_mdtm_round_trip(
        date in (1000i32..=9999, 1u32..=12, 1u32..=31),
        time in (0u32..24, 0u32..60, 0u32..60),
        nanos in 0u32..1_000_000_000,
        digits in 0usize..=9,
    ) {
        let (y, m, d) = date;
        let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else {
            return Ok(()); // e.g. 31 February
        };
        // Keep only as many fraction digits as are sent.
        let scale = 10u32.pow(9 - digits as u32);
        let nanos = nanos / scale * scale;
        let when: NaiveDateTime = day.and_hms_nano_opt(time.0, time.1, time.2, nanos).expect("valid time");
        let mut text = when.format("%Y%m%d%H%M%S").to_string();
        if digits > 0 {
            text.push_str(&format!(".{:09}", nanos)[..=digits]);
        }
        let reply = Reply::new(213, format!("213 {text}"));
        let parsed = parse_mdtm(&reply).expect("valid MDTM parses");
        prop_assert_eq!(parsed.naive_utc(), when);
        prop_assert_eq!(parse_timeval(&text), Some(when));
    }

    #[test]
    fn parse_timeval_accepts_leap_seconds(y in 1000i32..=9999, doy in 1u32..=365, h in 0u32..24, mi in 0u32..60) {
        let day = NaiveDate::from_yo_opt(y, doy).expect("day of year");
        let text = format!("{:04}{:02}{:02}{h:02}{mi:02}60", day.year(), day.month(), day.day());
        let parsed = parse_timeval(&text).expect("leap second parses");
        prop_assert_eq!(parsed.second(), 59);
        prop_assert!(parsed.nanosecond() >= 1_000_000_000);
    }

    #[test]
    fn parse_feat_round_trip(
        features in proptest::collection::btree_map("[A-Za-z][A-Za-z0-9]{0,7}", "([!-~]{1,10}( [!-~]{1,10}){0,2})?", 0..12),
    ) {
        // Names are compared upper-cased; two names differing only in case collapse.
        let mut want = std::collections::BTreeMap::new();
        let mut text = String::from("211-Features:");
        for (name, params) in &features {
            text.push_str(&format!("\n {name}"));
            if !params.is_empty() {
                text.push_str(&format!(" {params}"));
            }
            want.insert(name.to_ascii_uppercase(), params.clone());
        }
        text.push_str("\n211 End");
        let got = parse_feat(&Reply::new(211, text)).expect("valid FEAT parses");
        // Later lines win for names that collapse, as they do in the parser.
        for (name, params) in &features {
            want.insert(name.to_ascii_uppercase(), params.clone());
        }
        prop_assert_eq!(got, want);
    }

    #[test]
    fn sanitize_masks_every_password(verb in "[pP][aA][sS][sS]", secret in "[^*]{1,20}") {
        let line = format!("{verb} {secret}");
        let masked = sanitize(&line);
        prop_assert_eq!(masked, format!("{verb} {}", "*".repeat(secret.chars().count())));
    }

    #[test]
    fn sanitize_leaves_other_commands_alone(line in "[A-OQ-Za-oq-z][ -~]{0,30}") {
        prop_assert_eq!(sanitize(&line), line);
    }
}

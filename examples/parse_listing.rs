//! Reads directory listing lines on stdin and prints one tab-separated line per input line.
//!
//! ```text
//! cargo run --example parse_listing [-- --mlsd] < lines.txt
//! ```
//!
//! Input lines end in LF or CRLF (only the CR directly before the LF belongs to the ending; any
//! other CR is part of the line). Without `--mlsd` each line is a LIST line of any supported
//! format; with it, an MLSD/MLST fact line. Output, one line per input line:
//!
//! * `ok<TAB>kind<TAB>name<TAB>size<TAB>mtime<TAB>link_target`: kind is `file`, `dir`, `link`
//!   or `other`; `-` stands for an absent size, mtime or link target; TAB, CR, LF and backslash
//!   in names and targets are written `\t`, `\r`, `\n`, `\\`; mtime is `YYYY-MM-DD`,
//!   `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS[.fff]` as precise as the line is (a year-less
//!   date gets the year inferred from the current UTC time; the server offset is UTC);
//! * `skip<TAB>reason` for a line without an entry (`blank`, `total N`);
//! * `err<TAB>message` for a line that could not be parsed.

use std::io::{self, Read, Write};

use ftplib::list::{split_lines, Kind, Line, ParseOptions};

/// Writes `s` with TAB, CR, LF and backslash escaped.
fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
}

/// The output line (without its LF) for one classified input line.
pub fn format_line(line: &Line) -> String {
    let mut out = String::new();
    match line {
        Line::Entry(e) => {
            out.push_str("ok\t");
            out.push_str(match e.kind() {
                Kind::File => "file",
                Kind::Dir => "dir",
                Kind::Symlink => "link",
                Kind::Other(_) => "other",
            });
            out.push('\t');
            push_escaped(&mut out, e.name());
            out.push('\t');
            out.push_str(&e.size().map_or_else(|| "-".to_string(), |s| s.to_string()));
            out.push('\t');
            out.push_str(
                &e.mtime()
                    .map_or_else(|| "-".to_string(), |m| m.to_iso_string()),
            );
            out.push('\t');
            match &e.link_target() {
                Some(target) => push_escaped(&mut out, target),
                None => out.push('-'),
            }
        }
        Line::Skipped { reason, .. } => {
            out.push_str("skip\t");
            out.push_str(&reason.to_string());
        }
        Line::Unparsed { error, .. } => {
            // The message quotes the line escaped like a Rust string, so it holds no TAB, CR
            // or LF; escape anyway in case that ever changes.
            out.push_str("err\t");
            for c in error.to_string().chars() {
                match c {
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
        }
    }
    out
}

/// Classifies every line of `data` and writes the output lines.
pub fn run(data: &[u8], mlsd: bool, opts: &ParseOptions, out: &mut impl Write) -> io::Result<()> {
    for raw in split_lines(data) {
        let line = if mlsd {
            Line::from_mlsx_line(raw)
        } else {
            Line::from_list_line(raw, opts)
        };
        writeln!(out, "{}", format_line(&line))?;
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let mut mlsd = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--mlsd" => mlsd = true,
            _ => {
                eprintln!("usage: parse_listing [--mlsd] < lines.txt");
                std::process::exit(2);
            }
        }
    }
    let mut data = Vec::new();
    io::stdin().lock().read_to_end(&mut data)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    run(&data, mlsd, &ParseOptions::default(), &mut out)?;
    out.flush()
}

//! Parsing of directory listings (LIST and MLSD/MLST output) into typed entries.
//!
//! Everything here is a pure function of the bytes it is given: no I/O, no global state. Read
//! the whole data connection into a buffer, then call [`parse_listing`] (LIST output) or
//! [`parse_mlsd_listing`] (MLSD output). Both return one [`Line`] per input line, so nothing the
//! server sent is ever dropped: a line is an [`Entry`], a recognized non-entry
//! ([`Line::Skipped`]: blank or `total N`), or [`Line::Unparsed`] with its raw bytes and the
//! reason it could not be read. No input makes these functions panic.
//!
//! ```
//! use ftplib::list::{parse_listing, Kind, Line, ParseOptions};
//!
//! let data = b"total 8\r\n\
//!     drwxr-xr-x    2 1000     1000         4096 Jun 15  2020 pub\r\n\
//!     -rw-r--r--    1 1000     1000         1063 Jun 15  2020 README\r\n\
//!     this is not a listing line\r\n";
//! let lines = parse_listing(data, &ParseOptions::default());
//! assert_eq!(lines.len(), 4);
//! assert!(matches!(lines[0], Line::Skipped { .. }));
//! let readme = lines[2].entry().unwrap();
//! assert_eq!((readme.name(), readme.kind(), readme.size()), ("README", Kind::File, Some(1063)));
//! assert!(matches!(lines[3], Line::Unparsed { .. }));
//! ```
//!
//! # Formats
//!
//! [`parse_list_line`] detects the format of each line on its own:
//!
//! * **Unix `ls -l`** and its variants: every file-type letter (`- d l c b p s D`, others become
//!   [`Special::Unknown`]), ACL/xattr/SELinux markers after the mode (`+ @ .`), setuid, setgid
//!   and sticky bits (`s S t T`, and `l` for mandatory locking), a missing group column, a
//!   missing link count or one glued to the mode (`-rw-r--r--12`) or to the owner (`12root`),
//!   numeric owners, device lines (`1,   3`), sizes glued to a long group (`staffgroup12345`,
//!   accepted when the group part is at least 8 bytes, the width at which old `ls` glued them),
//!   sizes with unit suffixes (`33.5k`, `9.0M`: powers of 1024, rounded down, marked
//!   approximate), a leading inode or block count (`ls -i`, `ls -s`), and `total N` lines.
//! * **Dates in Unix lines**: `Mon DD HH:MM`, `Mon DD YYYY`, `Mon DD HH:MM:SS YYYY` (BSD
//!   `ls -T`), `Mon DD, YYYY [HH:MM]`, `DD Mon HH:MM|YYYY` and `DD. Mon`, ISO
//!   `YYYY-MM-DD HH:MM[:SS[.f]] [+ZZZZ]` (GNU `long-iso`/`full-iso`; an offset in the line wins
//!   over [`ParseOptions::server_offset`]), `MM-DD HH:MM|YYYY` (GNU `iso`), `YYYY/MM/DD`,
//!   `YYYY.MM.DD`, `DD.MM.YYYY`, `DD-Mon-YY[YY]`, `YYYY. Mon DD.`, CJK dates (`3月 5日 12:00`,
//!   `3月  5 12:00`, `2003年3月5日`, `2003年 3月 5日`, Korean `3월 5일`), and month and day as
//!   plain numbers (`3 5 12:00`; accepted only when the link, owner, group and size columns are
//!   all present, because otherwise the size could be the month). Month names are read in
//!   English, German, French, Spanish, Italian, Portuguese, Dutch, Swedish/Danish/Norwegian,
//!   Finnish, Polish, Czech, Hungarian, Romanian, Turkish, Russian and Ukrainian, abbreviated or
//!   full, case-insensitive, with or without a trailing dot.
//! * **DOS/IIS**: `MM-DD-YY`, `MM-DD-YYYY`, `YYYY-MM-DD` (also `/` and, day first, `.`; a day
//!   and month in the wrong order are swapped when only one order is a valid date), 12-hour
//!   times with `AM`/`PM` (glued or separate) and 24-hour times, `<DIR>`, `<JUNCTION>`,
//!   `<SYMLINK>`/`<SYMLINKD>` (with a `[target]`), and sizes with thousands separators
//!   (`1,234` or `1.234`). Two-digit years follow POSIX `%y`: 69–99 are 19xx, 00–68 are 20xx.
//! * **EPLF** (`+i8388621.48594,m825718503,r,s280,\tdjb.html`).
//! * **MLSD/MLST** (RFC 3659) through [`parse_mlsx_line`] and [`parse_mlsd_listing`].
//!
//! Refused (as [`Line::Unparsed`]): VMS, MVS, OS/400, NetWare and other non-Unix, non-DOS
//! layouts; owner or group names containing spaces (the columns cannot be told apart); lines
//! without a date or without a name.
//!
//! # Names
//!
//! Input lines are bytes. Each name is kept exactly, as [`Entry::name_bytes`], and decoded
//! lossily (invalid UTF-8 becomes U+FFFD) as [`Entry::name`]; an undecodable name never turns
//! into an error. In Unix lines the name starts after the single space that follows the date,
//! so leading, trailing and repeated spaces are kept. For symlinks the name is split at the
//! first ` -> ` (not counting one at the very start, since a name is never empty) into name
//! and [`Entry::link_target`]; other kinds keep ` -> ` in the name. In DOS lines the name
//! starts one space after the size, or 15 columns after the start of a `<DIR>`-style marker
//! when IIS's padding is there (otherwise leading spaces cannot be told apart and are
//! skipped). MLSD names are everything after the first space, byte for byte.
//!
//! Each [`Entry`] owns one allocation, its [raw line](Entry::raw); the name, link target, owner,
//! group and facts are ranges of it, decoded when read. Parsing allocates nothing else, except
//! for rare parts kept in one more box: a lossy copy of a name or target that is not valid
//! UTF-8, the text of an unknown kind, device numbers.
//!
//! # Times
//!
//! Listing times are local times of the server. They are read in the zone
//! [`ParseOptions::server_offset`] (UTC by default) and stored as
//! `DateTime<FixedOffset>` in [`Mtime::time`], with the [`Precision`] the line carries. MLSD
//! `modify` facts are UTC by definition and ignore the option.
//!
//! **Year inference** for year-less dates (`Mon DD HH:MM`): the year is the latest one for
//! which the date is valid and not more than one day after [`ParseOptions::now`] (taken in the
//! server's zone). So with now = 2024-03-10 12:00, `Mar 11 09:00` is 2024-03-11 (clock skew),
//! `Mar 12 09:00` is 2023-03-12, and `Feb 29` is the most recent Feb 29 not in the future.
//! [`Mtime::year_inferred`] tells such dates apart.

mod date;
mod dos;
mod eplf;
mod lex;
mod mlsx;
mod unix;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, FixedOffset, Offset, Timelike, Utc};

/// What kind of file system object an entry is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A regular file (`-` in `ls -l`, a size in DOS lines, `type=file` in MLSD).
    File,
    /// A directory (`d`, `<DIR>`, `type=dir`). MLSD `cdir` and `pdir` entries are directories
    /// too; [`Entry::is_self_or_parent`] tells them apart.
    Dir,
    /// A symbolic link (`l`, `<SYMLINK>`, `type=OS.unix=slink:…`); see [`Entry::link_target`].
    Symlink,
    /// Anything else: devices, pipes, sockets, doors, or a type this parser does not know.
    Other(Special),
}

/// The kinds of [`Kind::Other`] entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Special {
    /// A character device (`c`, `OS.unix=chr-…`).
    CharDevice,
    /// A block device (`b`, `OS.unix=blk-…`).
    BlockDevice,
    /// A named pipe (`p`, `OS.unix=fifo`).
    Pipe,
    /// A socket (`s`, `OS.unix=socket`).
    Socket,
    /// A Solaris door (`D`).
    Door,
    /// Any other type: the `ls` type letter, or the MLSD `type` fact value (empty when the
    /// MLSD line has no `type` fact, or when an EPLF line says neither `/` nor `r`).
    Unknown(String),
}

/// Which listing format a line was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Unix `ls -l` style.
    Unix,
    /// DOS / Microsoft IIS style.
    Dos,
    /// Easily Parsed LIST Format.
    Eplf,
    /// MLSD / MLST facts (RFC 3659).
    Mlsx,
}

/// How precise a modification time is: what the line actually carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// Only the date (e.g. `Jun 15  2020`); the time of day is midnight.
    Day,
    /// Hours and minutes.
    Minute,
    /// Whole seconds.
    Second,
    /// Fractional seconds with this many digits (1–9; more digits are cut to 9).
    Fraction(u8),
}

/// A modification time and its precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mtime {
    /// The time. For LIST lines the offset is [`ParseOptions::server_offset`] (or the one in the
    /// line), so the local date and time are the ones the server printed; MLSD times are UTC.
    pub time: DateTime<FixedOffset>,
    /// What the line carried: a date, minutes, seconds, or fractional seconds.
    pub precision: Precision,
    /// True when the line had no year and it was inferred from [`ParseOptions::now`] (see the
    /// [module docs](self#times)).
    pub year_inferred: bool,
}

impl Mtime {
    /// The time in UTC.
    pub fn utc(&self) -> DateTime<Utc> {
        self.time.with_timezone(&Utc)
    }

    /// The local date and time as the server gave it, in ISO 8601 form cut to the precision:
    /// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DDTHH:MM:SS.f…`
    /// (as many fraction digits as the line had). No offset is written.
    ///
    /// ```
    /// use ftplib::list::parse_mlsx_line;
    /// let e = parse_mlsx_line(b"type=file;modify=20240102030405.25; a").unwrap();
    /// assert_eq!(e.mtime().unwrap().to_iso_string(), "2024-01-02T03:04:05.25");
    /// ```
    pub fn to_iso_string(&self) -> String {
        let t = self.time.naive_local();
        let mut s = t.date().format("%Y-%m-%d").to_string();
        if self.precision == Precision::Day {
            return s;
        }
        s.push_str(&format!("T{:02}:{:02}", t.hour(), t.minute()));
        if self.precision == Precision::Minute {
            return s;
        }
        s.push_str(&format!(":{:02}", t.second()));
        if let Precision::Fraction(digits) = self.precision {
            let nanos = format!("{:09}", t.nanosecond() % 1_000_000_000);
            let n = usize::from(digits.clamp(1, 9));
            s.push('.');
            s.push_str(&nanos[..n]);
        }
        s
    }
}

/// One parsed directory entry.
///
/// An entry owns one allocation, the raw line; the name, link target, owner, group and MLSD
/// facts are ranges of it, decoded when read. (A name or target that is not valid UTF-8 also
/// keeps its lossy decoding, made once when parsing.)
///
/// ```
/// use ftplib::list::{parse_list_line, Kind, ParseOptions};
///
/// let line = b"-rw-r--r--   1 user     group        1024 Nov 25 12:00 file with spaces.txt";
/// let e = parse_list_line(line, &ParseOptions::default()).unwrap();
/// assert_eq!(e.name(), "file with spaces.txt");
/// assert_eq!((e.kind(), e.size(), e.mode()), (Kind::File, Some(1024), Some(0o644)));
/// assert_eq!((e.owner().as_deref(), e.group().as_deref()), (Some("user"), Some("group")));
/// assert_eq!(e.raw(), line);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    // Kept within 128 bytes, which the compiler moves with a few instructions rather than a
    // call to memcpy (a unit test checks the size): rare parts live in `extra`.
    raw: Box<[u8]>,
    size: Option<u64>,
    links: Option<u64>,
    mtime: Option<Mtime>,
    mode: Option<u32>,
    /// Where the parts are in `raw`.
    name: Span,
    target: Span,
    owner: Span,
    group: Span,
    /// MLSD facts: the `fact=value;…` part of the line.
    facts: Span,
    kind: KindCode,
    format: Format,
    size_approximate: bool,
    extra: Option<Box<Extra>>,
}

/// [`Kind`] without the text of an unknown kind (which [`Extra`] keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KindCode {
    File,
    Dir,
    Symlink,
    CharDevice,
    BlockDevice,
    Pipe,
    Socket,
    Door,
    Unknown,
}

impl KindCode {
    /// The code of `kind`, and the text of an unknown kind when it has one.
    fn of(kind: Kind) -> (KindCode, Option<String>) {
        let code = match kind {
            Kind::File => KindCode::File,
            Kind::Dir => KindCode::Dir,
            Kind::Symlink => KindCode::Symlink,
            Kind::Other(Special::CharDevice) => KindCode::CharDevice,
            Kind::Other(Special::BlockDevice) => KindCode::BlockDevice,
            Kind::Other(Special::Pipe) => KindCode::Pipe,
            Kind::Other(Special::Socket) => KindCode::Socket,
            Kind::Other(Special::Door) => KindCode::Door,
            Kind::Other(Special::Unknown(text)) => {
                return (KindCode::Unknown, Some(text).filter(|t| !t.is_empty()))
            }
        };
        (code, None)
    }
}

/// The parts of an entry that few lines have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Extra {
    /// Lossy decodings of a name or target that is not valid UTF-8.
    name: Option<String>,
    target: Option<String>,
    /// The text of [`Special::Unknown`], when not empty.
    unknown_kind: Option<String>,
    device: Option<(u64, u64)>,
}

/// A byte range in [`Entry::raw`]. u32 keeps `Entry` small; lines are far shorter (a part
/// beyond 4 GiB would read as empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// A part the line does not have.
    const NONE: Span = Span {
        start: u32::MAX,
        end: u32::MAX,
    };
}

/// The position of `part` inside `line`; `part` must be a subslice of `line`.
fn span_of(line: &[u8], part: &[u8]) -> Span {
    let start = (part.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    let end = start.wrapping_add(part.len());
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(start), Ok(end)) if start <= end && end as usize <= line.len() => Span { start, end },
        _ => Span { start: 0, end: 0 },
    }
}

/// The lossy decoding of `bytes` when they are not valid UTF-8.
fn decode_if_invalid(bytes: &[u8]) -> Option<String> {
    // Most names are ASCII, which is quicker to check than UTF-8.
    if lex::all_ascii(bytes) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => None,
        Err(_) => Some(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// What a parser found in a line. [`Entry::from_parts`] makes the entry from it in one step,
/// so that the entry is written once, in place, rather than made and then filled in field by
/// field (which cost a slow copy of every entry).
pub(crate) struct Parts<'a> {
    pub(crate) kind: Kind,
    pub(crate) format: Format,
    /// The whole line; every part below is a subslice of it.
    pub(crate) line: &'a [u8],
    pub(crate) name: &'a [u8],
    pub(crate) target: Option<&'a [u8]>,
    pub(crate) owner: Option<&'a [u8]>,
    pub(crate) group: Option<&'a [u8]>,
    /// MLSD's `fact=value;…` list.
    pub(crate) facts: Option<&'a [u8]>,
    pub(crate) size: Option<u64>,
    pub(crate) size_approximate: bool,
    pub(crate) links: Option<u64>,
    pub(crate) mtime: Option<Mtime>,
    pub(crate) mode: Option<u32>,
    pub(crate) device: Option<(u64, u64)>,
}

impl<'a> Parts<'a> {
    /// An entry of `kind` named `name` (a subslice of `line`), with nothing else known yet.
    pub(crate) fn new(kind: Kind, format: Format, line: &'a [u8], name: &'a [u8]) -> Self {
        Parts {
            kind,
            format,
            line,
            name,
            target: None,
            owner: None,
            group: None,
            facts: None,
            size: None,
            size_approximate: false,
            links: None,
            mtime: None,
            mode: None,
            device: None,
        }
    }
}

impl Entry {
    fn from_parts(p: Parts<'_>) -> Entry {
        let span = |part: Option<&[u8]>| part.map_or(Span::NONE, |part| span_of(p.line, part));
        let (kind, unknown_kind) = KindCode::of(p.kind);
        let name_text = decode_if_invalid(p.name);
        let target_text = p.target.and_then(decode_if_invalid);
        let rare = name_text.is_some()
            || target_text.is_some()
            || unknown_kind.is_some()
            || p.device.is_some();
        let extra = rare.then(|| {
            Box::new(Extra {
                name: name_text,
                target: target_text,
                unknown_kind,
                device: p.device,
            })
        });
        Entry {
            raw: p.line.into(),
            size: p.size,
            links: p.links,
            mtime: p.mtime,
            mode: p.mode,
            name: span_of(p.line, p.name),
            target: span(p.target),
            owner: span(p.owner),
            group: span(p.group),
            facts: span(p.facts),
            kind,
            format: p.format,
            size_approximate: p.size_approximate,
            extra,
        }
    }

    /// The bytes of a part of the line; `None` for [`Span::NONE`].
    fn part(&self, span: Span) -> Option<&[u8]> {
        if span == Span::NONE {
            return None;
        }
        Some(
            self.raw
                .get(span.start as usize..span.end as usize)
                .unwrap_or_default(),
        )
    }

    fn text(&self, span: Span) -> Option<Cow<'_, str>> {
        self.part(span).map(String::from_utf8_lossy)
    }

    /// The name, decoded as UTF-8 (invalid bytes become U+FFFD; see
    /// [`name_bytes`](Self::name_bytes) for the exact bytes).
    pub fn name(&self) -> &str {
        match self.extra.as_ref().and_then(|x| x.name.as_deref()) {
            Some(name) => name,
            // Valid UTF-8: checked when parsing.
            None => std::str::from_utf8(self.name_bytes()).unwrap_or_default(),
        }
    }

    /// The name exactly as the server sent it (a part of [`raw`](Self::raw)).
    pub fn name_bytes(&self) -> &[u8] {
        self.part(self.name).unwrap_or_default()
    }

    /// File, directory, symlink or other.
    pub fn kind(&self) -> Kind {
        match self.kind {
            KindCode::File => Kind::File,
            KindCode::Dir => Kind::Dir,
            KindCode::Symlink => Kind::Symlink,
            KindCode::CharDevice => Kind::Other(Special::CharDevice),
            KindCode::BlockDevice => Kind::Other(Special::BlockDevice),
            KindCode::Pipe => Kind::Other(Special::Pipe),
            KindCode::Socket => Kind::Other(Special::Socket),
            KindCode::Door => Kind::Other(Special::Door),
            KindCode::Unknown => {
                let text = self.extra.as_ref().and_then(|x| x.unknown_kind.clone());
                Kind::Other(Special::Unknown(text.unwrap_or_default()))
            }
        }
    }

    /// The size in bytes; `None` when the line has none (`<DIR>`, device numbers, MLSD without
    /// `size`/`sizd`).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// True when the size was printed with a unit (`33.5k`) and so is rounded down.
    pub fn size_is_approximate(&self) -> bool {
        self.size_approximate
    }

    /// The modification time, when the line has one.
    pub fn mtime(&self) -> Option<Mtime> {
        self.mtime
    }

    /// A symlink's target, decoded as UTF-8 (invalid bytes become U+FFFD).
    pub fn link_target(&self) -> Option<&str> {
        let bytes = self.link_target_bytes()?;
        match self.extra.as_ref().and_then(|x| x.target.as_deref()) {
            Some(target) => Some(target),
            // Valid UTF-8: checked when parsing.
            None => Some(std::str::from_utf8(bytes).unwrap_or_default()),
        }
    }

    /// A symlink's target exactly as the server sent it (a part of [`raw`](Self::raw)).
    pub fn link_target_bytes(&self) -> Option<&[u8]> {
        self.part(self.target)
    }

    /// Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000); no
    /// file-type bits.
    pub fn mode(&self) -> Option<u32> {
        self.mode
    }

    /// The hard-link count of `ls -l` lines.
    pub fn links(&self) -> Option<u64> {
        self.links
    }

    /// Major and minor device numbers of device lines.
    pub fn device(&self) -> Option<(u64, u64)> {
        self.extra.as_ref().and_then(|x| x.device)
    }

    /// The format the line was read as.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The whole line, without its line ending.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The owner (a name or a numeric id, as the server wrote it), decoded lossily. Kept as a
    /// part of [`raw`](Self::raw), so reading it allocates only for invalid UTF-8.
    pub fn owner(&self) -> Option<Cow<'_, str>> {
        self.text(self.owner)
    }

    /// The group (a name or a numeric id, as the server wrote it), decoded lossily.
    pub fn group(&self) -> Option<Cow<'_, str>> {
        self.text(self.group)
    }

    /// The MLSD/MLST facts in the order sent, as `(name, value)`: names lower-cased, both
    /// decoded lossily (they borrow from the line unless that changes them). Empty for other
    /// formats.
    ///
    /// ```
    /// use ftplib::list::parse_mlsx_line;
    /// let e = parse_mlsx_line(b"Type=file;UNIX.mode=0644; a").unwrap();
    /// let facts: Vec<(String, String)> =
    ///     e.facts().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    /// assert_eq!(facts, [("type".into(), "file".into()), ("unix.mode".into(), "0644".into())]);
    /// ```
    pub fn facts(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
        self.raw_facts().map(|(key, value)| {
            let key = match String::from_utf8_lossy(key) {
                Cow::Borrowed(k) if !k.chars().any(char::is_uppercase) => Cow::Borrowed(k),
                k => Cow::Owned(k.to_lowercase()),
            };
            (key, String::from_utf8_lossy(value))
        })
    }

    /// The facts as sent: `(name, value)` byte pairs, empty pairs skipped.
    fn raw_facts(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let facts = self.part(self.facts).unwrap_or_default();
        facts
            .split(|&b| b == b';')
            .filter(|f| !f.is_empty())
            .map(|f| match f.iter().position(|&b| b == b'=') {
                Some(eq) => (&f[..eq], &f[eq + 1..]),
                None => (f, &[][..]),
            })
    }

    /// The value of an MLSD fact, by case-insensitive name, decoded lossily.
    pub fn fact(&self, name: &str) -> Option<Cow<'_, str>> {
        self.raw_facts()
            .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| String::from_utf8_lossy(v))
    }

    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == KindCode::Dir
    }

    /// True for a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == KindCode::File
    }

    /// True for a symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.kind == KindCode::Symlink
    }

    /// True for the directory itself or its parent: MLSD `type=cdir`/`type=pdir`, or a
    /// directory named `.` or `..`. A recursive walk should skip these.
    pub fn is_self_or_parent(&self) -> bool {
        let mlsd_self_or_parent = self.raw_facts().any(|(k, v)| {
            k.eq_ignore_ascii_case(b"type")
                && (v.eq_ignore_ascii_case(b"cdir") || v.eq_ignore_ascii_case(b"pdir"))
        });
        mlsd_self_or_parent || (self.is_dir() && matches!(self.name_bytes(), b"." | b".."))
    }
}

/// Bytes shown as lossily decoded text in `Debug` output.
struct Lossy<'a>(&'a [u8]);

impl fmt::Debug for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.0), f)
    }
}

impl fmt::Debug for Entry {
    /// What the accessors return (text decoded, the mode in octal), not the inner layout.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name())
            .field("kind", &self.kind())
            .field("size", &self.size)
            .field("size_approximate", &self.size_approximate)
            .field("mtime", &self.mtime)
            .field("link_target", &self.link_target())
            .field("mode", &self.mode.map(|m| format!("{m:04o}")))
            .field("links", &self.links)
            .field("device", &self.device())
            .field("owner", &self.owner())
            .field("group", &self.group())
            .field("format", &self.format)
            .field("raw", &Lossy(&self.raw))
            .finish()
    }
}

/// Options for reading LIST lines: the current time, for the year of year-less dates, and the
/// server's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    now: DateTime<Utc>,
    server_offset: FixedOffset,
    /// Derived from the two above when they are set, not for every line.
    year_limit: Option<date::YearLimit>,
}

impl Default for ParseOptions {
    /// Options with `Utc::now()` and a UTC server offset.
    fn default() -> Self {
        ParseOptions::new(Utc::now())
    }
}

impl ParseOptions {
    /// Options with the given "now" and a UTC server offset.
    pub fn new(now: DateTime<Utc>) -> Self {
        ParseOptions::with(now, Utc.fix())
    }

    fn with(now: DateTime<Utc>, server_offset: FixedOffset) -> Self {
        ParseOptions {
            now,
            server_offset,
            year_limit: date::year_limit(now, server_offset),
        }
    }

    /// The same options with another server offset.
    ///
    /// ```
    /// use chrono::FixedOffset;
    /// use ftplib::list::{parse_list_line, ParseOptions};
    /// let cet = FixedOffset::east_opt(3600).unwrap();
    /// let opts = ParseOptions::default().with_server_offset(cet);
    /// let e = parse_list_line(b"-rw-r--r-- 1 u g 5 Jan  2  2020 x", &opts).unwrap();
    /// assert_eq!(e.mtime().unwrap().utc().to_rfc3339(), "2020-01-01T23:00:00+00:00");
    /// ```
    pub fn with_server_offset(self, offset: FixedOffset) -> Self {
        ParseOptions::with(self.now, offset)
    }

    /// The current time, used to infer the year of year-less dates (see the
    /// [module docs](self#times)).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The server's UTC offset: listing times are read as local times in it.
    pub fn server_offset(&self) -> FixedOffset {
        self.server_offset
    }

    fn year_limit(&self) -> Option<date::YearLimit> {
        self.year_limit
    }
}

/// Why a line carries no entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// The line is empty or only spaces and tabs.
    Blank,
    /// An `ls` summary line: `total N` (also `insgesamt`, `totaal`, `итого`, `合計`, …). The
    /// number is the one printed, in `ls` blocks; a unit suffix (`total 12K`) is applied like a
    /// size suffix.
    Total(u64),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Blank => f.write_str("blank"),
            SkipReason::Total(n) => write!(f, "total {n}"),
        }
    }
}

/// Why a line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The line is a recognized non-entry (blank or `total N`). The listing functions turn this
    /// into [`Line::Skipped`]; only the single-line functions return it.
    NotAnEntry(SkipReason),
    /// The line matches none of the supported formats.
    UnknownFormat,
    /// The Unix mode column (`-rw-r--r--`) is malformed.
    BadMode,
    /// No date was found where one must be.
    NoDate,
    /// A date was found, but the columns before it are not `[links] owner [group] size`.
    BadColumns,
    /// A date or time has an impossible value (e.g. `Feb 30`, `25:00`).
    BadDate,
    /// A size is malformed or too large.
    BadSize,
    /// The line has no name after the other columns.
    NoName,
    /// MLSD/MLST facts are malformed (expected `fact=value;…; name`).
    BadFacts,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::NotAnEntry(SkipReason::Blank) => f.write_str("blank line, not an entry"),
            ErrorKind::NotAnEntry(SkipReason::Total(_)) => {
                f.write_str("`total` summary line, not an entry")
            }
            ErrorKind::UnknownFormat => {
                f.write_str("not a recognized listing format (Unix ls -l, DOS/IIS, EPLF)")
            }
            ErrorKind::BadMode => f.write_str("malformed Unix file mode"),
            ErrorKind::NoDate => f.write_str("no date found after the mode column"),
            ErrorKind::BadColumns => {
                f.write_str("the columns before the date are not [links] owner [group] size")
            }
            ErrorKind::BadDate => f.write_str("impossible date or time"),
            ErrorKind::BadSize => f.write_str("malformed or too large size"),
            ErrorKind::NoName => f.write_str("no file name"),
            ErrorKind::BadFacts => {
                f.write_str("malformed MLSD facts (expected `fact=value;...; name`)")
            }
        }
    }
}

/// A line that could not be read as an entry, with the reason and the raw line.
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError {
    kind: ErrorKind,
    raw: Vec<u8>,
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("kind", &self.kind)
            .field("raw", &Lossy(&self.raw))
            .finish()
    }
}

impl ParseError {
    fn new(kind: ErrorKind, raw: &[u8]) -> Self {
        ParseError {
            kind,
            raw: raw.to_vec(),
        }
    }

    /// Why the line could not be read.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The line, without its line ending.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
}

impl fmt::Display for ParseError {
    /// `reason: "line"`, the line decoded lossily, escaped like a Rust string and cut after
    /// 200 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 200;
        let text = String::from_utf8_lossy(&self.raw);
        match text.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, "{}: {:?}...", self.kind, &text[..cut]),
            None => write!(f, "{}: {:?}", self.kind, text),
        }
    }
}

impl std::error::Error for ParseError {}

/// One line of a listing, classified. Nothing is dropped: every input line gives one `Line`.
#[derive(Clone, PartialEq, Eq)]
pub enum Line {
    /// A directory entry.
    Entry(Entry),
    /// A line with no entry in it.
    Skipped {
        /// The line, without its line ending.
        raw: Vec<u8>,
        /// What kind of non-entry it is.
        reason: SkipReason,
    },
    /// A line that could not be read.
    Unparsed {
        /// The line, without its line ending.
        raw: Vec<u8>,
        /// Why it could not be read.
        error: ParseError,
    },
}

impl fmt::Debug for Line {
    /// Raw lines shown as lossily decoded text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Line::Entry(e) => f.debug_tuple("Entry").field(e).finish(),
            Line::Skipped { raw, reason } => f
                .debug_struct("Skipped")
                .field("raw", &Lossy(raw))
                .field("reason", reason)
                .finish(),
            Line::Unparsed { raw, error } => f
                .debug_struct("Unparsed")
                .field("raw", &Lossy(raw))
                .field("error", &error.kind)
                .finish(),
        }
    }
}

impl Line {
    /// Classifies one LIST line (see [`parse_list_line`]): never fails.
    pub fn from_list_line(line: &[u8], opts: &ParseOptions) -> Line {
        Line::from_result(parse_list_line(line, opts))
    }

    /// Classifies one MLSD/MLST line (see [`parse_mlsx_line`]): never fails. A blank line is
    /// [`Line::Skipped`].
    pub fn from_mlsx_line(line: &[u8]) -> Line {
        Line::from_result(parse_mlsx_line(line))
    }

    fn from_result(result: Result<Entry, ParseError>) -> Line {
        match result {
            Ok(entry) => Line::Entry(entry),
            Err(ParseError {
                kind: ErrorKind::NotAnEntry(reason),
                raw,
            }) => Line::Skipped { raw, reason },
            Err(error) => Line::Unparsed {
                raw: error.raw.clone(),
                error,
            },
        }
    }

    /// The entry, if this line is one.
    pub fn entry(&self) -> Option<&Entry> {
        match self {
            Line::Entry(e) => Some(e),
            _ => None,
        }
    }

    /// The entry, if this line is one.
    pub fn into_entry(self) -> Option<Entry> {
        match self {
            Line::Entry(e) => Some(e),
            _ => None,
        }
    }

    /// The raw line, without its line ending.
    pub fn raw(&self) -> &[u8] {
        match self {
            Line::Entry(e) => e.raw(),
            Line::Skipped { raw, .. } | Line::Unparsed { raw, .. } => raw,
        }
    }
}

/// Splits listing data into lines: on LF, where a CR directly before the LF belongs to the line
/// ending (any other CR belongs to the line). A last line without LF is still a line; empty
/// data has no lines.
///
/// ```
/// let lines: Vec<&[u8]> = ftplib::list::split_lines(b"a\r\nb\r\r\nc").collect();
/// assert_eq!(lines, [&b"a"[..], b"b\r", b"c"]);
/// ```
pub fn split_lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    SplitLines {
        rest: data,
        done: data.is_empty(),
    }
}

struct SplitLines<'a> {
    rest: &'a [u8],
    done: bool,
}

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        match lex::find_byte(self.rest, b'\n') {
            Some(i) => {
                let line = &self.rest[..i];
                self.rest = &self.rest[i + 1..];
                self.done = self.rest.is_empty();
                Some(line.strip_suffix(b"\r").unwrap_or(line))
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
}

/// Removes one line ending (LF or CRLF) from the end of a single line, if there is one.
fn strip_ending(line: &[u8]) -> &[u8] {
    match line.strip_suffix(b"\n") {
        Some(l) => l.strip_suffix(b"\r").unwrap_or(l),
        None => line,
    }
}

/// Parses one LIST line of any supported format (detected per line; see the
/// [module docs](self#formats)).
///
/// The line should come without its line ending; a trailing LF or CRLF is removed if present.
///
/// ```
/// use ftplib::list::{parse_list_line, Kind, ParseOptions, Precision};
///
/// let opts = ParseOptions::default();
/// let e = parse_list_line(b"lrwxrwxrwx 1 root root 7 Jan  1  2020 bin -> usr/bin", &opts).unwrap();
/// assert_eq!(e.kind(), Kind::Symlink);
/// assert_eq!((e.name(), e.link_target()), ("bin", Some("usr/bin")));
/// assert_eq!(e.mode(), Some(0o777));
///
/// let e = parse_list_line(b"01-16-02  11:14AM       <DIR>          epsgroup", &opts).unwrap();
/// assert_eq!((e.kind(), e.size()), (Kind::Dir, None));
/// let mtime = e.mtime().unwrap();
/// assert_eq!((mtime.to_iso_string().as_str(), mtime.precision), ("2002-01-16T11:14", Precision::Minute));
/// ```
///
/// # Errors
///
/// A [`ParseError`] holding the line and the reason: [`ErrorKind::NotAnEntry`] for a blank or
/// `total N` line, otherwise the first thing that could not be read.
pub fn parse_list_line(line: &[u8], opts: &ParseOptions) -> Result<Entry, ParseError> {
    let line = strip_ending(line);
    parse_list_inner(line, opts).map_err(|kind| ParseError::new(kind, line))
}

fn parse_list_inner(line: &[u8], opts: &ParseOptions) -> Result<Entry, ErrorKind> {
    let first = match line.iter().find(|&&b| !lex::is_ws(b)) {
        Some(&b) => b,
        None => return Err(ErrorKind::NotAnEntry(SkipReason::Blank)),
    };
    if first == b'+' {
        return eplf::parse(line);
    }
    // A DOS line starts with a date such as `01-16-02`, which is neither a Unix mode nor the
    // all-digit inode number that may come before one: the two formats never compete.
    if first.is_ascii_digit() {
        if let Some(result) = dos::try_parse(line, opts) {
            return result;
        }
    }
    if let Some(result) = unix::parse_common(line, opts) {
        return result;
    }
    let t = lex::Tokens::new(line);
    if let Some(result) = unix::try_parse(line, &t, opts) {
        return result;
    }
    if let Some(n) = unix::total_line(&t) {
        return Err(ErrorKind::NotAnEntry(SkipReason::Total(n)));
    }
    Err(ErrorKind::UnknownFormat)
}

/// Parses one MLSD or MLST fact line (RFC 3659): `fact=value;fact=value; name`.
///
/// Fact names are case-insensitive; the name is everything after the first space, byte for
/// byte. An MLST reply line keeps its leading space (` type=file;… /path`): when the text after
/// that space is a fact list, the space is taken as MLST's indent. A trailing LF or CRLF is
/// removed if present. Facts with unreadable values (`size=abc`) are kept in
/// [`Entry::facts`] but leave the typed field empty.
///
/// ```
/// use ftplib::list::{parse_mlsx_line, Kind, Precision};
///
/// let e = parse_mlsx_line(b"Type=OS.unix=slink:/usr/bin;Modify=20200101120000.5;UNIX.mode=0777; bin").unwrap();
/// assert_eq!(e.kind(), Kind::Symlink);
/// assert_eq!((e.name(), e.link_target()), ("bin", Some("/usr/bin")));
/// assert_eq!(e.mtime().unwrap().precision, Precision::Fraction(1));
/// assert_eq!((e.mode(), e.fact("unix.mode").as_deref()), (Some(0o777), Some("0777")));
/// ```
///
/// # Errors
///
/// A [`ParseError`] holding the line: [`ErrorKind::NotAnEntry`] for a blank line,
/// [`ErrorKind::BadFacts`] for a line without a space or with a fact lacking `=`,
/// [`ErrorKind::NoName`] for an empty name.
pub fn parse_mlsx_line(line: &[u8]) -> Result<Entry, ParseError> {
    let line = strip_ending(line);
    mlsx::parse(line)
}

/// Parses whole LIST output: one [`Line`] per input line (see [`split_lines`]), in order.
///
/// ```
/// use ftplib::list::{parse_listing, Line, ParseOptions};
/// let lines = parse_listing(b"\n2021-11-03  14:05              1234 a b.txt\ngarbage", &ParseOptions::default());
/// assert!(matches!(lines[0], Line::Skipped { .. }));
/// assert_eq!(lines[1].entry().unwrap().name(), "a b.txt");
/// assert!(matches!(lines[2], Line::Unparsed { .. }));
/// ```
pub fn parse_listing(data: &[u8], opts: &ParseOptions) -> Vec<Line> {
    let mut lines = Vec::with_capacity(line_count(data));
    lines.extend(split_lines(data).map(|line| Line::from_list_line(line, opts)));
    lines
}

/// How many lines [`split_lines`] yields.
fn line_count(data: &[u8]) -> usize {
    let lf = data.iter().filter(|&&b| b == b'\n').count();
    lf + usize::from(data.last().is_some_and(|&b| b != b'\n'))
}

/// Parses whole MLSD output: one [`Line`] per input line (see [`split_lines`]), in order.
///
/// ```
/// use ftplib::list::parse_mlsd_listing;
/// let lines = parse_mlsd_listing(b"type=cdir; .\r\ntype=file;size=3; a b\r\n");
/// assert!(lines[0].entry().unwrap().is_self_or_parent());
/// assert_eq!(lines[1].entry().unwrap().size(), Some(3));
/// ```
pub fn parse_mlsd_listing(data: &[u8]) -> Vec<Line> {
    let mut lines = Vec::with_capacity(line_count(data));
    lines.extend(split_lines(data).map(Line::from_mlsx_line));
    lines
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

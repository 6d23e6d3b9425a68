//! Byte-slice tokenizing and number reading shared by the parsers. Nothing here allocates.

/// The most tokens looked at in one line. In every supported layout the name starts by token
/// 13 (two leading numbers, mode, links, owner, group, `major,` `minor`, a four-token date);
/// tokens after it are part of the name and need no splitting.
pub(crate) const MAX_TOKENS: usize = 14;

pub(crate) fn is_ws(b: u8) -> bool {
    // Most bytes are above the space: one comparison for them.
    b <= b' ' && (b == b' ' || b == b'\t')
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
const TABS: u64 = u64::from_le_bytes([b'\t'; 8]);

/// Eight bytes at `i`, little-endian, if there are eight.
pub(crate) fn word_at(line: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = line.get(i..i.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// Whether every byte of the little-endian word `w` that `positions` selects (with `0xff`) is
/// an ASCII digit.
pub(crate) fn digits_at(w: u64, positions: u64) -> bool {
    let high = u64::from_le_bytes([0xf0; 8]) & positions;
    let threes = u64::from_le_bytes([0x30; 8]) & positions;
    let sixes = u64::from_le_bytes([0x06; 8]) & positions;
    // High nibble 3, and a low nibble that 6 does not carry past 9 (with the high nibble 3, the
    // addition cannot carry into the next byte).
    w & high == threes && w.wrapping_add(sixes) & high == threes
}

/// For digit bytes `tens, ones` at bytes `i` and `i + 1` of the little-endian word `w`, both
/// selected by `positions` (which [`digits_at`] has checked), `10 * tens + ones` in byte `i`.
/// Other bytes of the result mean nothing.
pub(crate) fn digit_pairs(w: u64, positions: u64) -> u64 {
    let d = (w & positions) - (u64::from_le_bytes([b'0'; 8]) & positions);
    // Every byte stays below 100: no carries between bytes.
    d * 10 + (d >> 8)
}

/// The high bit of each zero byte of `v`; the lowest one set is exactly the first zero byte.
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & (ONES << 7)
}

/// The index of the first `needle` in `hay`, eight bytes at a time (listing lines and MLSD
/// fact values are long runs without a line end or a `;`).
pub(crate) fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let pattern = u64::from_le_bytes([needle; 8]);
    let mut i = 0;
    while let Some(w) = word_at(hay, i) {
        let m = zero_bytes(w ^ pattern);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    hay[i..].iter().position(|&b| b == needle).map(|p| i + p)
}

/// The eight bytes of `hay` from `i` as a little-endian word, zero-padded when fewer are left.
#[inline]
pub(crate) fn zero_padded_word(hay: &[u8], i: usize) -> u64 {
    match word_at(hay, i) {
        Some(w) => w,
        None => short_word(hay, i),
    }
}

/// [`zero_padded_word`] for fewer than eight bytes.
// Out of line: it would crowd the callers.
#[inline(never)]
fn short_word(hay: &[u8], i: usize) -> u64 {
    let n = hay.len().saturating_sub(i).min(8);
    if n == 0 {
        return 0;
    }
    match hay.len().checked_sub(8).and_then(|last| word_at(hay, last)) {
        // The last eight bytes shifted down to the wanted ones: no byte copying.
        Some(w) => w >> (64 - 8 * n as u32),
        None => {
            let mut buf = [0; 8];
            for (b, &c) in buf.iter_mut().zip(&hay[i..]) {
                *b = c;
            }
            u64::from_le_bytes(buf)
        }
    }
}

/// The high bit of each byte of the little-endian word `w` that is `needle`, and of some bytes
/// that are `needle ^ 1` right above one: only the lowest is sure to be a match.
pub(crate) fn byte_marks(w: u64, needle: u8) -> u64 {
    zero_bytes(w ^ u64::from_le_bytes([needle; 8]))
}

/// The high bit of each zero byte of `v`, exactly (no false positives above a zero byte).
fn zero_bytes_exact(v: u64) -> u64 {
    const LOW7: u64 = u64::from_le_bytes([0x7f; 8]);
    !(((v & LOW7).wrapping_add(LOW7)) | v | LOW7)
}

/// Bit `k` set when byte `at + k` of `line` is a blank, for 64 bytes; bytes past the end of the
/// line count as blanks.
fn blank_mask(line: &[u8], at: usize) -> u64 {
    blank_mask_of::<8>(line, at)
}

/// [`blank_mask`] of only the first `CHUNKS` (at most 8) eight-byte chunks: bits past them are
/// set as if blank, and the caller must not trust them.
fn blank_mask_of<const CHUNKS: usize>(line: &[u8], at: usize) -> u64 {
    let unread = u64::MAX.checked_shl(8 * CHUNKS as u32).unwrap_or(0);
    let mut mask = 0;
    for k in 0..CHUNKS.min(8) {
        let i = at + 8 * k;
        if let Some(w) = word_at(line, i) {
            mask |= blank_byte_bits(w) << (8 * k);
            continue;
        }
        // The last, short chunk, padded with blanks, as is the rest of the window.
        let w = padded_word(line, i);
        let rest = u64::MAX.checked_shl(8 * (k as u32 + 1)).unwrap_or(0);
        return mask | blank_byte_bits(w) << (8 * k) | rest;
    }
    mask | unread
}

/// The fewer than eight bytes of `line` from `i` as a little-endian word, padded with spaces.
fn padded_word(line: &[u8], i: usize) -> u64 {
    let n = line.len().saturating_sub(i).min(8);
    short_word(line, i) | SPACES.checked_shl(8 * n as u32).unwrap_or(0)
}

/// Bit `j` set when byte `j` of the little-endian word `w` is a blank.
fn blank_byte_bits(w: u64) -> u64 {
    let high = zero_bytes_exact(w ^ SPACES) | zero_bytes_exact(w ^ TABS);
    // Gather the eight high bits into one byte (bit j from byte j).
    (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The index of the first blank byte at or after `i` (the line length if none).
pub(crate) fn token_end(line: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(line, i) {
        let m = zero_bytes(w ^ SPACES) | zero_bytes(w ^ TABS);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < line.len() && !is_ws(line[i]) {
        i += 1;
    }
    i
}

/// Runs of non-blank bytes of a line, as byte ranges: up to `MAX_TOKENS`.
pub(crate) struct Tokens<'a> {
    /// The line, cut to 4 GiB so that positions fit in u32 (a longer line is only tokenized in
    /// its first 4 GiB).
    line: &'a [u8],
    spans: [(u32, u32); MAX_TOKENS],
    len: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(line: &'a [u8]) -> Self {
        let mut t = Tokens {
            line: &line[..line.len().min(u32::MAX as usize)],
            spans: [(0, 0); MAX_TOKENS],
            len: 0,
        };
        t.scan();
        t
    }

    /// Finds the tokens 64 bytes at a time: a bit mask of the blanks gives every token start
    /// and end in a few instructions each, instead of a scan per token.
    fn scan(&mut self) {
        let line = self.line;
        // Invariant: `at` is 0 or the position of a blank (or the end of the line).
        let mut at = 0;
        'windows: while at < line.len() {
            let blank = blank_mask(line, at);
            let mut starts = !blank & ((blank << 1) | 1);
            let ends = blank & !(blank << 1);
            while starts != 0 {
                let s = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                let start = at + s;
                // The first end after the start (ends before it belong to earlier tokens).
                let later = ends & (u64::MAX << s);
                let end = if later != 0 {
                    at + later.trailing_zeros() as usize
                } else {
                    // The token runs past the window.
                    token_end(line, start)
                };
                self.spans[self.len] = (start as u32, end as u32);
                self.len += 1;
                if self.len == MAX_TOKENS || later == 0 {
                    at = end;
                    if self.len == MAX_TOKENS {
                        break 'windows;
                    }
                    continue 'windows;
                }
            }
            at += 64;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Token `i`, if there is one.
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        if i < self.len {
            let (s, e) = self.spans[i];
            self.line.get(s as usize..e as usize)
        } else {
            None
        }
    }

    /// Byte offset just after token `i` (the line length when there is no such token).
    pub(crate) fn end(&self, i: usize) -> usize {
        if i < self.len {
            self.spans[i].1 as usize
        } else {
            self.line.len()
        }
    }
}

/// A cursor over the words of a line (runs of non-blank bytes), for parsers that read a line
/// left to right without tokenizing all of it.
#[derive(Clone, Copy)]
pub(crate) struct Words<'a> {
    line: &'a [u8],
    pos: usize,
    /// The window `base..window_end` (at most 64 bytes) whose blanks `blanks` marks, as
    /// [`blank_mask_of`] gives them: one mask finds every word in it.
    base: usize,
    window_end: usize,
    blanks: u64,
}

impl<'a> Words<'a> {
    pub(crate) fn new(line: &'a [u8]) -> Self {
        Self::window_at::<8>(line, 0)
    }

    /// A cursor from byte `at` (0, a blank, or the end of the line: else the first word is
    /// what remains of the one `at` is in) whose first window is only `8 * CHUNKS` bytes (at
    /// most 64), for lines whose next columns usually end that early: the blank mask of bytes
    /// never looked at is not made. Later windows are 64 bytes.
    pub(crate) fn window_at<const CHUNKS: usize>(line: &'a [u8], at: usize) -> Self {
        let at = at.min(line.len());
        Words {
            line,
            pos: at,
            base: at,
            window_end: at + 8 * CHUNKS.min(8),
            blanks: blank_mask_of::<CHUNKS>(line, at),
        }
    }

    /// The next word, after any blanks; `None` when only blanks are left.
    // Left to itself the compiler calls this, and the call costs about as much as the scan.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Option<&'a [u8]> {
        let line = self.line;
        loop {
            if self.pos >= self.window_end {
                if self.pos >= line.len() {
                    self.pos = line.len();
                    return None;
                }
                self.base = self.pos;
                self.window_end = self.pos + 64;
                self.blanks = blank_mask(line, self.base);
                continue;
            }
            let non_blank = !self.blanks >> (self.pos - self.base);
            if non_blank == 0 {
                // Only blanks up to the end of the window.
                self.pos = self.window_end;
                continue;
            }
            let start = self.pos + non_blank.trailing_zeros() as usize;
            // 64 when the mask has no blank after the start.
            let run = (self.blanks >> (start - self.base)).trailing_zeros() as usize;
            let end = match start + run {
                // The word may run past the window: its end is not in the mask.
                end if end >= self.window_end => token_end(line, start),
                end => end,
            };
            self.pos = end;
            return Some(&line[start..end]);
        }
    }

    /// The next word, without moving past it.
    pub(crate) fn peek(&self) -> Option<&'a [u8]> {
        let mut ahead = *self;
        ahead.next()
    }

    /// The position just after the last word read.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
}

/// The index of the first non-blank byte at or after `i` (the line length if none), eight
/// bytes at a time: column padding is often the longest part of a line.
pub(crate) fn skip_blanks(line: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(line, i) {
        // Padding is spaces; a tab is rare enough to be stepped over one at a time.
        let not_space = w ^ SPACES;
        if not_space == 0 {
            i += 8;
            continue;
        }
        let j = i + (not_space.trailing_zeros() / 8) as usize;
        if line[j] != b'\t' {
            return j;
        }
        i = j + 1;
    }
    while i < line.len() && is_ws(line[i]) {
        i += 1;
    }
    i
}

/// Whether every byte is ASCII. Names are short: a few words cover them, the last ones
/// overlapping the ones before, instead of a byte loop for what is left after whole words.
pub(crate) fn all_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let n = bytes.len();
    let any = if n >= 8 {
        let word = |at: usize| word_at(bytes, at).unwrap_or(HIGH);
        let mut any = word(n - 8);
        let mut at = 0;
        while at + 8 < n {
            any |= word(at);
            at += 8;
        }
        any
    } else if n >= 4 {
        let half = |at: usize| {
            let four = bytes.get(at..at + 4).and_then(|b| b.try_into().ok());
            u64::from(four.map_or(u32::MAX, u32::from_le_bytes))
        };
        half(0) | half(n - 4)
    } else {
        bytes.iter().fold(0, |any, &b| any | u64::from(b))
    };
    any & HIGH == 0
}

/// A run of ASCII digits as a u64; `None` if empty, not all digits, or too large.
pub(crate) fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() {
        return None;
    }
    if b.len() > 19 {
        // Only here can the value overflow: 19 digits always fit.
        return b.iter().try_fold(0u64, |n, &c| {
            let digit = c.is_ascii_digit().then(|| u64::from(c - b'0'))?;
            n.checked_mul(10)?.checked_add(digit)
        });
    }
    let mut n: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    Some(n)
}

/// A run of 1 to `max_len` ASCII digits as a u32.
pub(crate) fn parse_small(b: &[u8], max_len: usize) -> Option<u32> {
    if b.is_empty() || b.len() > max_len || max_len > 9 {
        return None;
    }
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

pub(crate) fn all_digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// Octal digits (an optional `0o` prefix allowed) as a u32, bounded.
pub(crate) fn parse_octal(b: &[u8]) -> Option<u32> {
    let b = b
        .strip_prefix(b"0o")
        .or_else(|| b.strip_prefix(b"0O"))
        .unwrap_or(b);
    if b.is_empty() || b.len() > 11 {
        return None;
    }
    let mut n: u32 = 0;
    for &c in b {
        if !(b'0'..=b'7').contains(&c) {
            return None;
        }
        n = n.checked_mul(8)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(n)
}

/// A size with an optional unit suffix, as printed by `ls -h` and some servers: `1234`,
/// `33.5k`, `9.0M`, `12K`, `1.5GiB`, `512B`. Units are powers of 1024 and the result is rounded
/// down. Returns the size and whether it is approximate (a unit larger than bytes).
pub(crate) fn parse_size(b: &[u8]) -> Option<(u64, bool)> {
    if let Some(n) = parse_u64(b) {
        return Some((n, false));
    }
    let digits_end = b.iter().position(|c| !c.is_ascii_digit())?;
    if digits_end == 0 {
        return None;
    }
    let int = parse_u64(&b[..digits_end])?;
    let mut rest = &b[digits_end..];
    let mut frac: u64 = 0;
    let mut frac_scale: u64 = 1;
    if let Some(r) = rest.strip_prefix(b".").or_else(|| rest.strip_prefix(b",")) {
        let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        // Digits past the ninth cannot change a rounded-down byte count of a sane size.
        for &c in r[..n].iter().take(9) {
            frac = frac * 10 + u64::from(c - b'0');
            frac_scale *= 10;
        }
        rest = &r[n..];
    }
    let (unit, tail) = match rest.split_first() {
        Some((u, tail)) => (u.to_ascii_uppercase(), tail),
        None => return None,
    };
    let shift = match unit {
        b'B' => {
            // "512B": bytes, exact, but only without a fraction.
            return if tail.is_empty() && frac_scale == 1 {
                Some((int, false))
            } else {
                None
            };
        }
        b'K' => 10,
        b'M' => 20,
        b'G' => 30,
        b'T' => 40,
        b'P' => 50,
        b'E' => 60,
        _ => return None,
    };
    if !(tail.is_empty() || tail.eq_ignore_ascii_case(b"b") || tail.eq_ignore_ascii_case(b"ib")) {
        return None;
    }
    let unit_bytes = 1u128 << shift;
    let total =
        u128::from(int) * unit_bytes + u128::from(frac) * unit_bytes / u128::from(frac_scale);
    let total = u64::try_from(total).ok()?;
    Some((total, true))
}

/// A size with thousands separators, as IIS and `dir` print them: `1,234,567` or `1.234.567`
/// (every group after the first has exactly three digits, one separator kind).
pub(crate) fn parse_grouped(b: &[u8]) -> Option<u64> {
    let head = b.iter().position(|c| !c.is_ascii_digit())?;
    let sep = b[head];
    let (first, groups) = b.split_at(head);
    let shape_ok = (1..=3).contains(&head) && (sep == b',' || sep == b'.') && groups.len() % 4 == 0;
    if !shape_ok {
        return None;
    }
    // At most three digits: no overflow.
    let mut n = parse_u64(first)?;
    for group in groups.chunks_exact(4) {
        match *group {
            [s, a, b, c] if s == sep => {
                n = n.checked_mul(1000)?.checked_add(three_digits([a, b, c])?)?;
            }
            _ => return None,
        }
    }
    Some(n)
}

fn three_digits(d: [u8; 3]) -> Option<u64> {
    d.iter().try_fold(0, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size(b"1234"), Some((1234, false)));
        assert_eq!(parse_size(b"33.5k"), Some((34304, true)));
        assert_eq!(parse_size(b"9.0M"), Some((9 * 1024 * 1024, true)));
        assert_eq!(parse_size(b"1.5GiB"), Some((1610612736, true)));
        assert_eq!(parse_size(b"512B"), Some((512, false)));
        assert_eq!(parse_size(b"0.1K"), Some((102, true)));
        assert_eq!(parse_size(b"1,5K"), Some((1536, true)));
        assert_eq!(parse_size(b"16E"), None);
        assert_eq!(parse_size(b"K"), None);
        assert_eq!(parse_size(b"1.K"), None);
        assert_eq!(parse_size(b"12x"), None);
        assert_eq!(parse_size(b"99999999999999999999"), None);
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"0000000000000000000000042"), Some(42));
        assert_eq!(
            parse_u64(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_grouped(b"1,234,567"), Some(1234567));
        assert_eq!(parse_grouped(b"1.234"), Some(1234));
        assert_eq!(parse_grouped(b"1,23"), None);
        assert_eq!(parse_grouped(b"1,234.567"), None);
        for (text, want) in [
            ("999.999.999", Some(999_999_999)),
            ("12,000", Some(12_000)),
            ("1234,567", None),
            (",123", None),
            ("1,,234", None),
            ("1,2345", None),
            ("1,234,", None),
            ("1,23a", None),
            ("1;234", None),
            ("1234", None),
            ("18,446,744,073,709,551,615", Some(u64::MAX)),
            ("18,446,744,073,709,551,616", None),
        ] {
            assert_eq!(parse_grouped(text.as_bytes()), want, "{text}");
        }
        assert_eq!(parse_octal(b"0755"), Some(0o755));
        assert_eq!(parse_octal(b"8"), None);
    }

    #[test]
    fn blank_scanning() {
        let line = b"ab  \t        \t x  yyyyyyyyyyy\x01yyyyyyyy\tz \x00\x80 \t";
        for i in 0..=line.len() {
            let slow_end = i + line[i..].iter().take_while(|&&b| !is_ws(b)).count();
            assert_eq!(token_end(line, i), slow_end, "end at {i}");
            let slow_start = i + line[i..].iter().take_while(|&&b| is_ws(b)).count();
            assert_eq!(skip_blanks(line, i), slow_start, "skip at {i}");
            let slow_mask = (0..64).fold(0u64, |m, k| {
                let blank = line.get(i + k).map_or(true, |&b| is_ws(b));
                m | u64::from(blank) << k
            });
            assert_eq!(blank_mask(line, i), slow_mask, "mask at {i}");
        }
        for i in 0..=line.len() {
            let hay = &line[i..];
            for needle in [b' ', b'\t', b'y', b'z', b'q'] {
                let slow = hay.iter().position(|&b| b == needle);
                assert_eq!(find_byte(hay, needle), slow, "find {needle} in {hay:?}");
            }
        }
        let first_zero = zero_bytes(u64::from_le_bytes([1, 0, 1, 0, 0, 1, 1, 1]));
        assert_eq!(first_zero.trailing_zeros() / 8, 1);
    }

    fn all_words(mut w: Words<'_>) -> Vec<&[u8]> {
        std::iter::from_fn(move || w.next()).collect()
    }

    #[test]
    fn tokens_match_naive_split() {
        // Pseudo-random lines of blanks, `!` (a blank's neighbour in the bit tricks) and
        // letters, with long runs to cross 64-byte windows.
        let mut seed = 12345u64;
        for _ in 0..2000 {
            let mut line = Vec::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 33) as usize % 200;
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (seed >> 33) as usize;
                let run = if r % 17 == 0 { 30 } else { 1 };
                let b = [b' ', b'\t', b'!', b'a', b'x', b'\x80'][r % 6];
                line.extend(std::iter::repeat(b).take(run));
            }
            let t = Tokens::new(&line);
            let naive: Vec<&[u8]> = line
                .split(|&b| is_ws(b))
                .filter(|w| !w.is_empty())
                .take(MAX_TOKENS)
                .collect();
            let got: Vec<&[u8]> = (0..t.len()).filter_map(|i| t.get(i)).collect();
            assert_eq!(got, naive, "{line:?}");
            // `Words` yields every word, then nothing, and stops right after each.
            let mut w = Words::new(&line);
            for word in line.split(|&b| is_ws(b)).filter(|w| !w.is_empty()) {
                assert_eq!(w.peek(), Some(word), "{line:?}");
                assert_eq!(w.next(), Some(word), "{line:?}");
                assert!(w.pos() == line.len() || is_ws(line[w.pos()]), "{line:?}");
            }
            assert_eq!((w.next(), w.next(), w.pos()), (None, None, line.len()));
            // Short first windows, from the start or from a blank, find the same words.
            let at = line.iter().position(|&b| is_ws(b)).unwrap_or(0);
            let words_after = |at: usize| -> Vec<&[u8]> {
                line[at..]
                    .split(|&b| is_ws(b))
                    .filter(|w| !w.is_empty())
                    .collect()
            };
            for at in [0, at] {
                let want = words_after(at);
                assert_eq!(
                    all_words(Words::window_at::<1>(&line, at)),
                    want,
                    "{line:?}"
                );
                assert_eq!(
                    all_words(Words::window_at::<3>(&line, at)),
                    want,
                    "{line:?}"
                );
                assert_eq!(
                    all_words(Words::window_at::<5>(&line, at)),
                    want,
                    "{line:?}"
                );
            }
        }
    }

    #[test]
    fn short_blank_masks() {
        let line = b"ab  \t        \t x  yyyyyyyyyyy\x01yyyyyyyy\tz \x00\x80 \t";
        for i in 0..=line.len() {
            let full = blank_mask(line, i);
            for (chunks, mask) in [
                (1, blank_mask_of::<1>(line, i)),
                (3, blank_mask_of::<3>(line, i)),
                (5, blank_mask_of::<5>(line, i)),
            ] {
                // The chunks read agree with the full mask; the rest reads as blanks.
                let read = u64::MAX >> (64 - 8 * chunks);
                assert_eq!(mask & read, full & read, "{chunks} chunks at {i}");
                assert_eq!(mask | read, u64::MAX, "{chunks} chunks at {i}");
            }
        }
    }

    #[test]
    fn ascii_checks() {
        let cases: &[(&[u8], bool)] = &[
            (b"", true),
            (b"a", true),
            (b"\xff", false),
            (b"ab\x80", false),
            (b"abcd", true),
            (b"\xc3\xa9cd", false),
            (b"abc\xe9", false),
            (b"abcdefg", true),
            (b"abc\xffefg", false),
            (b"abcdefgh", true),
            (b"abcdefg\xff", false),
            (b"abcdefghi", true),
            (b"abcdefghijklmnopq", true),
            (b"abcdefgh\xffjklmnopq", false),
            (b"abcdefghijklmnop\x7f", true),
            (b"abcdefghijklmnop\x80", false),
        ];
        for &(b, want) in cases {
            assert_eq!(all_ascii(b), want, "{b:?}");
            assert_eq!(all_ascii(b), b.is_ascii(), "{b:?}");
        }
    }

    #[test]
    fn digit_words() {
        let word = |s: &[u8; 8]| u64::from_le_bytes(*s);
        let pairs = 0x0000_ffff_00ff_ff00; // bytes 1, 2, 4, 5
        let cases: &[(&[u8; 8], Option<[u8; 2]>)] = &[
            (b"x12-34-y", Some([12, 34])),
            (b"-09z00a\xff", Some([9, 0])),
            (b"x99-99xx", Some([99, 99])),
            (b"x1/-34xx", None),
            (b"x:2-34xx", None),
            (b"x12-3\x3axx", None),
            (b"x12-\xb34xx", None),
            (b"x\xf9\xff-34xx", None),
        ];
        for &(s, want) in cases {
            let w = word(s);
            let got = digits_at(w, pairs).then(|| {
                let v = digit_pairs(w, pairs).to_le_bytes();
                [v[1], v[4]]
            });
            assert_eq!(got, want, "{s:?}");
        }
        for b in 0..=255u8 {
            assert_eq!(
                digits_at(u64::from(b) << 8, 0xff00),
                b.is_ascii_digit(),
                "{b}"
            );
        }
    }

    #[test]
    fn tokens() {
        let t = Tokens::new(b"  a bb\t c d e f g h");
        assert_eq!(t.len(), 8);
        assert_eq!(t.get(1), Some(&b"bb"[..]));
        assert_eq!(t.end(1), 6);
        assert_eq!(t.get(8), None);
    }
}

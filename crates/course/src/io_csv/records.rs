//! The CSV record reader of the long-CSV course format: RFC 4180 records
//! split straight into field slices of one buffer.
//!
//! It reads what the `csv` crate reads with the settings graftwatch used
//! (comma, `"` quoting with `""` for a quote, `#` comment lines, `\n`,
//! `\r\n` or `\r` ending a record, blank lines skipped, a byte-order mark at
//! the start skipped), and gives the same fields (tested against the crate
//! on random input, `tests::same_records_as_the_csv_crate`). Two things
//! differ on purpose:
//! - the line of a record is the line its first byte is on; the crate gives
//!   the line after the previous record, which is one line early in a file
//!   with `\r\n` line ends (as spreadsheet programs write on Windows) and
//!   points at a blank or comment line before the record;
//! - a file that ends inside a quoted field is an error (the crate took the
//!   rest of the file as the field: a file cut short read as complete);
//! - a comment line that ends the file without a line feed is no record
//!   (the crate gives a record of one empty field, which a course file
//!   with more than one column then refused as a short row);
//! - each record is checked as UTF-8 once, and a field is a slice of the
//!   input (no copy) unless it is quoted.
//!
//! Why not the crate: its byte-at-a-time state machine, the copy of each
//! record and the per-record UTF-8 check were half of the instructions of
//! reading a course (issue 11, docs/benchmarks.md).

use std::io::Read;

/// Bytes read from the input at a time (a record longer than this grows
/// the buffer to hold it).
const CHUNK: usize = 256 * 1024;

/// Bytes that end an unquoted field: comma, line feed, carriage return.
const ENDS_FIELD: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// A field that is not empty: its position in the record and where its
/// text is (a range of the record's own text, or of the unescaped text of
/// its quoted fields).
#[derive(Debug, Clone, Copy)]
struct Span {
    field: usize,
    start: usize,
    end: usize,
    quoted: bool,
}

/// The fields of one record as [`split`] finds them: only the ones that
/// are not empty are kept (most cells of a course row are empty).
#[derive(Debug, Default)]
struct Fields {
    spans: Vec<Span>,
    count: usize,
}

impl Fields {
    fn clear(&mut self) {
        self.spans.clear();
        self.count = 0;
    }

    /// The next field, `start..end` of the record's text.
    #[inline(always)]
    fn raw(&mut self, start: usize, end: usize) {
        if start != end {
            self.push(start, end, false);
        }
        self.count += 1;
    }

    /// The next field, `start..end` of the unescaped quoted text.
    fn quoted(&mut self, start: usize, end: usize) {
        self.push(start, end, true);
        self.count += 1;
    }

    #[inline(always)]
    fn push(&mut self, start: usize, end: usize, quoted: bool) {
        let field = self.count;
        self.spans.push(Span {
            field,
            start,
            end,
            quoted,
        });
    }
}

/// An error reading records.
#[derive(Debug)]
pub(super) enum RecordError {
    /// The input could not be read.
    Io(std::io::Error),
    /// A record (starting on this 1-based line) is not UTF-8.
    Utf8 { line: u64 },
    /// A record (starting on this 1-based line) holds a NUL byte: valid
    /// UTF-8, but never in a course file, and the mark of UTF-16 text
    /// without a byte-order mark (every other byte of ASCII text is 0).
    Nul { line: u64 },
    /// The input ends inside a quoted field of the record starting on this
    /// line (a file cut short, or a quote never closed). The `csv` crate
    /// took the rest of the file as the field's text.
    UnclosedQuote { line: u64 },
}

/// One record: its line and its fields.
pub(super) struct Record<'a> {
    line: u64,
    text: &'a str,
    quoted: &'a str,
    fields: &'a Fields,
}

impl<'a> Record<'a> {
    /// The 1-based line of the record's first byte.
    pub(super) fn line(&self) -> u64 {
        self.line
    }

    /// The 1-based line of the record's last byte: later than [`line`]
    /// when a quoted cell holds line breaks (or a quote left open runs on
    /// to the next quote).
    ///
    /// [`line`]: Record::line
    pub(super) fn last_line(&self) -> u64 {
        self.line + self.text.bytes().filter(|b| *b == b'\n').count() as u64
    }

    /// The number of fields.
    pub(super) fn len(&self) -> usize {
        self.fields.count
    }

    /// Every field in order, empty ones included.
    pub(super) fn fields(&self) -> Vec<&'a str> {
        let mut all = vec![""; self.fields.count];
        for (j, f) in self.nonempty_fields() {
            all[j] = f;
        }
        all
    }

    /// The fields that are not empty, with their positions.
    #[inline]
    pub(super) fn nonempty_fields(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        let (text, quoted) = (self.text, self.quoted);
        self.fields.spans.iter().map(move |s| {
            let from = if s.quoted { quoted } else { text };
            (s.field, &from[s.start..s.end])
        })
    }
}

/// Reads records from `R`, one at a time.
pub(super) struct Records<R> {
    input: R,
    buf: Vec<u8>,
    /// First byte of `buf` not yet consumed.
    start: usize,
    /// End of the bytes read into `buf`.
    end: usize,
    eof: bool,
    /// Line of `buf[start]` (1-based).
    line: u64,
    at_file_start: bool,
    fields: Fields,
    quoted: Vec<u8>,
}

/// What one step of [`Records::read`] found in the bytes at hand.
enum Step {
    /// Blank and comment lines skipped, no record yet.
    Skipped { consumed: usize, lines: u64 },
    /// A record: `skip` bytes before it, its text up to `text_end`, and
    /// `consumed` bytes in all (with its line end).
    Record {
        skip: usize,
        skip_lines: u64,
        text_end: usize,
        consumed: usize,
        lines: u64,
    },
    /// The bytes end inside a record: read more.
    NeedMore,
    /// The input ends inside a quoted field of a record that starts after
    /// `skip_lines` line ends.
    Unclosed { skip_lines: u64 },
    /// No record before the end of the input.
    End,
}

impl<R: Read> Records<R> {
    /// A reader of `input`.
    pub(super) fn new(input: R) -> Records<R> {
        Records {
            input,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            at_file_start: true,
            fields: Fields::default(),
            quoted: Vec::new(),
        }
    }

    /// The input, for reading what is left of it.
    pub(super) fn into_inner(self) -> R {
        self.input
    }

    /// The next record, or `None` at the end of the input.
    pub(super) fn read(&mut self) -> Result<Option<Record<'_>>, RecordError> {
        loop {
            if self.start == self.end && !self.eof {
                self.fill()?;
            }
            if self.at_file_start && !self.strip_bom()? {
                continue;
            }
            let bytes = &self.buf[self.start..self.end];
            self.fields.clear();
            self.quoted.clear();
            match split(bytes, self.eof, &mut self.fields, &mut self.quoted) {
                Step::Skipped { consumed, lines } => {
                    self.start += consumed;
                    self.line += lines;
                }
                // At the end of the input `split` always decides; a request
                // for more there would loop, so it ends the records instead.
                Step::NeedMore if self.eof => return Ok(None),
                Step::NeedMore => self.fill()?,
                Step::End => return Ok(None),
                Step::Unclosed { skip_lines } => {
                    let line = self.line + skip_lines;
                    self.start = self.end;
                    return Err(RecordError::UnclosedQuote { line });
                }
                Step::Record {
                    skip,
                    skip_lines,
                    text_end,
                    consumed,
                    lines,
                } => {
                    return self
                        .record(skip, skip_lines, text_end, consumed, lines)
                        .map(Some);
                }
            }
        }
    }

    /// The record [`split`] found, checked as UTF-8; consumes its bytes.
    fn record(
        &mut self,
        skip: usize,
        skip_lines: u64,
        text_end: usize,
        consumed: usize,
        lines: u64,
    ) -> Result<Record<'_>, RecordError> {
        let line = self.line + skip_lines;
        let at = self.start;
        self.start += consumed;
        self.line += lines;
        let utf8 = RecordError::Utf8 { line };
        let bytes = &self.buf[at + skip..at + text_end];
        if bytes.contains(&0) {
            return Err(RecordError::Nul { line });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| utf8)?;
        let quoted = std::str::from_utf8(&self.quoted).map_err(|_| RecordError::Utf8 { line })?;
        Ok(Record {
            line,
            text,
            quoted,
            fields: &self.fields,
        })
    }

    /// Skips a UTF-8 byte-order mark at the very start, as the `csv` crate
    /// does; `false` when more bytes are needed to tell.
    fn strip_bom(&mut self) -> Result<bool, RecordError> {
        const BOM: &[u8] = b"\xef\xbb\xbf";
        let have = &self.buf[self.start..self.end];
        if have.len() < BOM.len() && BOM.starts_with(have) && !self.eof {
            self.fill()?;
            return Ok(false);
        }
        if have.starts_with(BOM) {
            self.start += BOM.len();
        }
        self.at_file_start = false;
        Ok(true)
    }

    /// Moves the unconsumed bytes to the front (growing the buffer when
    /// they fill it) and reads more; sets `eof` when the input ends.
    fn fill(&mut self) -> Result<(), RecordError> {
        if self.eof {
            return Ok(());
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RecordError::Io(e)),
            }
        }
    }
}

/// Finds the next record in `b` (`eof`: no bytes follow `b`), pushing its
/// field spans (relative to the record's first byte) and the unescaped
/// text of its quoted fields.
fn split(b: &[u8], eof: bool, fields: &mut Fields, quoted: &mut Vec<u8>) -> Step {
    let (skip, skip_lines) = match skip_blank_and_comments(b, eof) {
        Some(Ok(s)) => s,
        Some(Err(skipped)) => return skipped,
        None => return if eof { Step::End } else { Step::NeedMore },
    };
    let r = &b[skip..];
    match split_plain(r, eof, fields) {
        Plain::Ended(next) => return record_end(r, next, eof, (skip, skip_lines), 0),
        Plain::NeedMore => return Step::NeedMore,
        Plain::Quote => fields.clear(),
    }
    let mut i = 0;
    let mut lines = 0;
    loop {
        let field = if r.get(i) == Some(&b'"') {
            quoted_field(r, i, eof, quoted, &mut lines)
        } else {
            unquoted_field(r, i, eof).map(Ok)
        };
        let (span, next) = match field {
            Some(Ok(f)) => f,
            Some(Err(Unclosed)) => return Step::Unclosed { skip_lines },
            None => return Step::NeedMore,
        };
        match span {
            FieldText::Raw(a, b) => fields.raw(a, b),
            FieldText::Quoted(a, b) => fields.quoted(a, b),
        }
        match r.get(next) {
            Some(b',') => i = next + 1,
            _ => return record_end(r, next, eof, (skip, skip_lines), lines),
        }
    }
}

/// The record whose last field ends at `next` (a line end, or `r.len()`):
/// its line end is consumed, `\r\n` as one.
fn record_end(r: &[u8], next: usize, eof: bool, skipped: (usize, u64), lines: u64) -> Step {
    let (skip, skip_lines) = skipped;
    match r.get(next) {
        Some(b'\r') if next + 1 == r.len() && !eof => Step::NeedMore,
        Some(b'\r') if r.get(next + 1) == Some(&b'\n') => {
            record_step(skip, skip_lines, next, next + 2, lines + 1)
        }
        Some(_) => record_step(skip, skip_lines, next, next + 1, lines + 1),
        None => record_step(skip, skip_lines, next, next, lines),
    }
}

/// What [`split_plain`] found.
enum Plain {
    /// The record's last field ends at this position (a line end, or the
    /// end of the input).
    Ended(usize),
    /// The record has a quote somewhere: split it field by field.
    Quote,
    /// The bytes end inside the record.
    NeedMore,
}

/// Bytes of a word with every byte 0x01 / 0x80.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `w` that is zero (and possibly of a byte
/// above a zero byte, which the caller checks).
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO) & !w & HI
}

/// Splits a record that has no quote, eight bytes at a time: the high bit
/// of each byte that may be a comma, line end or quote marks where to look.
#[inline]
fn split_plain(r: &[u8], eof: bool, fields: &mut Fields) -> Plain {
    let mut field = 0;
    let mut at = 0;
    let mut words = r.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let commas = zero_bytes(w ^ (LO * u64::from(b',')));
        let stops = zero_bytes(w ^ (LO * u64::from(b'\n')))
            | zero_bytes(w ^ (LO * u64::from(b'\r')))
            | zero_bytes(w ^ (LO * u64::from(b'"')));
        if stops == 0 {
            // The usual word: commas only (or none).
            let mut m = commas;
            while m != 0 {
                let k = at + (m.trailing_zeros() / 8) as usize;
                m &= m - 1;
                if r[k] == b',' {
                    fields.raw(field, k);
                    field = k + 1;
                }
            }
            at += 8;
            continue;
        }
        let mut m = commas | stops;
        while m != 0 {
            let k = at + (m.trailing_zeros() / 8) as usize;
            m &= m - 1;
            if let Some(p) = plain_byte(r[k], k, &mut field, fields) {
                return p;
            }
        }
        at += 8;
    }
    for (k, &c) in words.remainder().iter().enumerate() {
        if let Some(p) = plain_byte(c, at + k, &mut field, fields) {
            return p;
        }
    }
    if !eof {
        return Plain::NeedMore;
    }
    fields.raw(field, r.len());
    Plain::Ended(r.len())
}

/// One byte of [`split_plain`] at position `k`: a comma ends a field, a line
/// end the record, a quote the fast path; any other byte is field text.
#[inline(always)]
fn plain_byte(c: u8, k: usize, field: &mut usize, fields: &mut Fields) -> Option<Plain> {
    match c {
        b',' => {
            fields.raw(*field, k);
            *field = k + 1;
            None
        }
        b'\n' | b'\r' => {
            fields.raw(*field, k);
            Some(Plain::Ended(k))
        }
        b'"' => Some(Plain::Quote),
        _ => None,
    }
}

fn record_step(skip: usize, skip_lines: u64, text_end: usize, end: usize, lines: u64) -> Step {
    Step::Record {
        skip,
        skip_lines,
        text_end: skip + text_end,
        consumed: skip + end,
        lines: skip_lines + lines,
    }
}

/// Skips line ends and `#` comment lines at a record's start: the bytes and
/// lines skipped before the record's first byte; `Err` with what was skipped
/// when the bytes run out first (more may follow); `None` when nothing but
/// skipped lines is left and nothing was skipped.
fn skip_blank_and_comments(b: &[u8], eof: bool) -> Option<Result<(usize, u64), Step>> {
    let mut i = 0;
    let mut lines = 0;
    loop {
        match b.get(i) {
            None => {
                return (i > 0 && !eof).then_some(Err(Step::Skipped { consumed: i, lines }));
            }
            Some(b'\n') => {
                i += 1;
                lines += 1;
            }
            Some(b'\r') => match b.get(i + 1) {
                Some(b'\n') => {
                    i += 2;
                    lines += 1;
                }
                None if !eof => {
                    return Some(Err(if i > 0 {
                        Step::Skipped { consumed: i, lines }
                    } else {
                        Step::NeedMore
                    }));
                }
                _ => {
                    i += 1;
                    lines += 1;
                }
            },
            // A comment runs to the next line feed (as in the csv crate).
            Some(b'#') => match b[i..].iter().position(|&c| c == b'\n') {
                Some(n) => {
                    i += n + 1;
                    lines += 1;
                }
                None if eof => return None,
                None if i > 0 => return Some(Err(Step::Skipped { consumed: i, lines })),
                None => return Some(Err(Step::NeedMore)),
            },
            Some(_) => return Some(Ok((i, lines))),
        }
    }
}

/// Where one field's text is (see [`Span`]).
enum FieldText {
    Raw(usize, usize),
    Quoted(usize, usize),
}

/// An unquoted field from `i`: its span and the position of the byte that
/// ended it (`r.len()` at the end of the input); `None` when more bytes
/// are needed.
#[inline]
fn unquoted_field(r: &[u8], i: usize, eof: bool) -> Option<(FieldText, usize)> {
    match r[i..].iter().position(|&c| ENDS_FIELD[c as usize]) {
        Some(n) => Some((FieldText::Raw(i, i + n), i + n)),
        None if eof => Some((FieldText::Raw(i, r.len()), r.len())),
        None => None,
    }
}

/// The input ended inside a quoted field.
struct Unclosed;

/// A quoted field whose opening quote is at `i`: `""` is a quote; text
/// after the closing quote belongs to the field up to the next comma or
/// line end (as in the csv crate); line ends inside count in `lines`.
/// `None`: more bytes are needed; `Unclosed`: the input ends inside the
/// quotes.
fn quoted_field(
    r: &[u8],
    i: usize,
    eof: bool,
    quoted: &mut Vec<u8>,
    lines: &mut u64,
) -> Option<Result<(FieldText, usize), Unclosed>> {
    let from = quoted.len();
    let mut j = i + 1;
    let mut added = 0;
    loop {
        let Some(n) = r[j..].iter().position(|&c| c == b'"') else {
            quoted.truncate(from);
            return if eof { Some(Err(Unclosed)) } else { None };
        };
        added += count_lines(&r[j..j + n]);
        quoted.extend_from_slice(&r[j..j + n]);
        j += n + 1;
        match r.get(j) {
            Some(b'"') => {
                quoted.push(b'"');
                j += 1;
            }
            None if !eof => {
                quoted.truncate(from);
                return None;
            }
            _ => break,
        }
    }
    // After the closing quote: the rest up to a comma or line end is text.
    let tail_end = match r[j..].iter().position(|&c| ENDS_FIELD[c as usize]) {
        Some(n) => j + n,
        None if eof => r.len(),
        None => {
            quoted.truncate(from);
            return None;
        }
    };
    quoted.extend_from_slice(&r[j..tail_end]);
    *lines += added;
    Some(Ok((FieldText::Quoted(from, quoted.len()), tail_end)))
}

/// Line ends in `b`: line feeds, and carriage returns not followed by one.
fn count_lines(b: &[u8]) -> u64 {
    let mut n = 0;
    for (k, &c) in b.iter().enumerate() {
        n += u64::from(c == b'\n' || (c == b'\r' && b.get(k + 1) != Some(&b'\n')));
    }
    n
}

#[cfg(test)]
mod tests;

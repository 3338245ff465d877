//! Reading a CSV course file as a stream: the rows are parsed as the file
//! is read, so the file's text is never held in memory next to the course
//! built from it (a million-row file would otherwise need its size again).
//!
//! The result is the one [`super::read_csv_str`] gives for the file's text:
//! the byte-order mark is skipped, the header line is counted the same way,
//! and a file that is not UTF-8 is the same [`CourseError::Io`] reading it
//! into a string gives.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::diagnostic::CourseError;
use crate::io::{LoadedCourse, finish, newlines, not_utf8};

/// How much of the file is read first to find the byte-order mark and the
/// header line.
const HEAD: usize = 64 * 1024;

/// Reads and checks a long-CSV course file, streaming its rows.
pub fn read_csv_file(path: &Path) -> Result<LoadedCourse, CourseError> {
    let io_err = |source| CourseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let mut head = Vec::with_capacity(HEAD);
    (&mut file)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    let at_end = head.len() < HEAD;
    let bom = "\u{feff}".as_bytes();
    let start = if head.starts_with(bom) { bom.len() } else { 0 };
    let Some(header_line) = header_line(&head[start..], at_end) else {
        // Comment lines fill the first block: read the file whole.
        let mut rest = Vec::new();
        file.read_to_end(&mut rest).map_err(io_err)?;
        head.extend_from_slice(&rest);
        let text = crate::io::utf8_text(head).map_err(io_err)?;
        return super::read_csv_str(&text, path);
    };
    let input = Utf8Checked::new(io::Cursor::new(head).chain(file));
    let mut input = input;
    // Skip the byte-order mark (already known to be there, and valid).
    let mut skip = [0u8; 3];
    input.read_exact(&mut skip[..start]).map_err(io_err)?;
    let (course, loc) = super::read::parse_csv_from(input, header_line, path)?;
    finish(course, path, &loc)
}

/// The 1-based line of the header (the first line not starting with `#`)
/// as `str::lines` counts it, from the first block of the file; `None`
/// when the block ends before that is known.
fn header_line(block: &[u8], at_end: bool) -> Option<usize> {
    let mut lines = block.split(|b| *b == b'\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let last = lines.peek().is_none();
        if last && line.is_empty() {
            // After a final newline, or an empty block: no further line.
            return at_end.then_some(1);
        }
        if !line.starts_with(b"#") {
            return Some(i + 1);
        }
        if last {
            return at_end.then_some(1);
        }
    }
    at_end.then_some(1)
}

/// A reader that fails with std's "not UTF-8" error as soon as the bytes
/// read are not UTF-8 (a character may span two reads).
struct Utf8Checked<R> {
    inner: R,
    /// The start of a character whose remaining bytes are still to come.
    pending: Vec<u8>,
    /// Line feeds passed so far (for the line of a bad byte).
    newlines: u64,
}

impl<R: Read> Utf8Checked<R> {
    fn new(inner: R) -> Self {
        Utf8Checked {
            inner,
            pending: Vec::new(),
            newlines: 0,
        }
    }
}

/// Length of the UTF-8 sequence a lead byte starts.
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

impl<R: Read> Read for Utf8Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            return if self.pending.is_empty() {
                Ok(0)
            } else {
                Err(not_utf8(self.newlines + 1))
            };
        }
        let mut from = 0;
        if let Some(&lead) = self.pending.first() {
            let want = sequence_len(lead);
            let take = (want - self.pending.len()).min(n);
            self.pending.extend_from_slice(&buf[..take]);
            from = take;
            if self.pending.len() < want {
                return Ok(n);
            }
            if std::str::from_utf8(&self.pending).is_err() {
                return Err(not_utf8(self.newlines + 1));
            }
            self.pending.clear();
        }
        match std::str::from_utf8(&buf[from..n]) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => {
                self.pending
                    .extend_from_slice(&buf[from + e.valid_up_to()..n]);
            }
            Err(e) => {
                let valid = &buf[from..from + e.valid_up_to()];
                return Err(not_utf8(self.newlines + 1 + newlines(valid)));
            }
        }
        self.newlines += newlines(&buf[from..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads everything through the checker, `chunk` bytes at a time.
    fn check(bytes: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        Utf8Checked::new(Chunks(bytes, chunk)).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn utf8_is_checked_across_reads() {
        let good = "µmol/L, 10⁹/L, 😀 and plain text".as_bytes();
        for chunk in 1..8 {
            assert_eq!(check(good, chunk).unwrap(), good);
        }
        for bad in [
            &b"abc\xff"[..],
            b"\xc3",
            b"ab\xc3(",
            b"\xed\xa0\x80",
            b"\xf0\x9f\x98",
            b"\xc0\xaf",
        ] {
            for chunk in 1..5 {
                let e = check(bad, chunk).unwrap_err();
                assert_eq!(e.to_string(), not_utf8(1).to_string());
                assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            }
        }
    }

    #[test]
    fn the_line_of_the_first_bad_byte_is_named() {
        for chunk in 1..9 {
            let e = check(b"record,kind\nP,a\nP,\xe9t\xe9\nP,b\n", chunk).unwrap_err();
            assert_eq!(e.to_string(), not_utf8(3).to_string(), "chunk {chunk}");
        }
    }

    #[test]
    fn header_line_as_lines_counts_it() {
        for (text, at_end) in [
            ("record,kind\n", true),
            ("# c\n# d\nrecord,kind\n", true),
            ("# c\r\n\r\nrecord", true),
            ("# only comments\n", true),
            ("", true),
            ("\n", true),
            ("# c\n", false),
            ("# c\n#", false),
            ("# c\nrec", false),
        ] {
            let want = text
                .lines()
                .position(|l| !l.starts_with('#'))
                .map_or(1, |i| i + 1);
            match header_line(text.as_bytes(), at_end) {
                Some(got) => assert_eq!(got, want, "{text:?}"),
                None => assert!(!at_end, "{text:?}"),
            }
        }
        assert_eq!(header_line(b"# c\nrec", false), Some(2));
        assert_eq!(header_line(b"# c\n", false), None);
    }
}

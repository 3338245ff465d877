//! Strict FASTQ record reader (plain or gzip/BGZF), reading records into
//! reusable batches. Every error names the file, the record number and the
//! line.

use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use crate::gz_input::open_maybe_gzip;

/// Errors reading FASTQ.
#[derive(Debug, thiserror::Error)]
pub enum FastqError {
    /// The file cannot be opened or read, including a truncated or corrupt
    /// gzip stream.
    #[error("FASTQ {path}: read error near record {record} (line {line}): {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// 1-based record number being read.
        record: u64,
        /// 1-based line number being read.
        line: u64,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
    /// A record that is not valid FASTQ.
    #[error("FASTQ {path}, record {record} (line {line}): {reason}")]
    Malformed {
        /// File.
        path: PathBuf,
        /// 1-based record number.
        record: u64,
        /// 1-based line number.
        line: u64,
        /// What is wrong and what was expected.
        reason: String,
    },
}

/// A batch of reads stored contiguously: sequence and quality bytes of read
/// `i` are `seq[bounds[i].0..bounds[i].1]` and the same range of `qual`.
#[derive(Debug, Default, Clone)]
pub struct ReadBatch {
    /// Concatenated bases.
    pub seq: Vec<u8>,
    /// Concatenated quality characters (Phred+33).
    pub qual: Vec<u8>,
    /// Concatenated read names (first word, `/1` `/2` stripped).
    pub names: Vec<u8>,
    /// Per read: (start, end) into `seq`/`qual`, (start, end) into `names`.
    pub bounds: Vec<(usize, usize, usize, usize)>,
}

impl ReadBatch {
    /// Number of reads.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }
    /// True when the batch holds no reads.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }
    /// Empties the batch, keeping allocations.
    pub fn clear(&mut self) {
        self.seq.clear();
        self.qual.clear();
        self.names.clear();
        self.bounds.clear();
    }
    /// Bases of read `i`.
    pub fn seq(&self, i: usize) -> &[u8] {
        let b = self.bounds[i];
        &self.seq[b.0..b.1]
    }
    /// Qualities of read `i`.
    pub fn qual(&self, i: usize) -> &[u8] {
        let b = self.bounds[i];
        &self.qual[b.0..b.1]
    }
    /// Name of read `i`.
    pub fn name(&self, i: usize) -> &[u8] {
        let b = self.bounds[i];
        &self.names[b.2..b.3]
    }
}

/// Sequential FASTQ reader.
pub struct FastqReader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    record: u64,
    line: u64,
    buf: Vec<u8>,
}

impl FastqReader {
    /// Opens a FASTQ file (plain or gzip/BGZF).
    pub fn open(path: &Path) -> Result<Self, FastqError> {
        let inner = open_maybe_gzip(path).map_err(|source| FastqError::Io {
            path: path.to_path_buf(),
            record: 0,
            line: 0,
            source,
        })?;
        Ok(FastqReader {
            path: path.to_path_buf(),
            inner,
            record: 0,
            line: 0,
            buf: Vec::new(),
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records read so far.
    pub fn records_read(&self) -> u64 {
        self.record
    }

    fn read_line(&mut self) -> Result<bool, FastqError> {
        self.buf.clear();
        let n = self
            .inner
            .read_until(b'\n', &mut self.buf)
            .map_err(|source| FastqError::Io {
                path: self.path.clone(),
                record: self.record + 1,
                line: self.line + 1,
                source,
            })?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(true)
    }

    /// Reads the next line and hands it to `f` without its line ending
    /// (`\n`, `\r\n`); `None` at end of file. A line lying whole in the
    /// reader's buffer is passed in place (no copy); one spanning two buffer
    /// fills goes through `read_line`.
    fn with_line<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> Result<Option<R>, FastqError> {
        let avail = loop {
            match self.inner.fill_buf() {
                Ok(a) => break a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(FastqError::Io {
                        path: self.path.clone(),
                        record: self.record + 1,
                        line: self.line + 1,
                        source,
                    });
                }
            }
        };
        if let Some(pos) = memchr::memchr(b'\n', avail) {
            let mut line = &avail[..pos];
            while let [rest @ .., b'\r'] = line {
                line = rest;
            }
            let r = f(line);
            self.inner.consume(pos + 1);
            self.line += 1;
            return Ok(Some(r));
        }
        if !self.read_line()? {
            return Ok(None);
        }
        Ok(Some(f(&self.buf)))
    }

    fn malformed(&self, reason: String) -> FastqError {
        FastqError::Malformed {
            path: self.path.clone(),
            record: self.record + 1,
            line: self.line,
            reason,
        }
    }

    /// Appends up to `max` records to `batch`; returns how many were read
    /// (0 at end of file).
    pub fn read_batch(&mut self, batch: &mut ReadBatch, max: usize) -> Result<usize, FastqError> {
        let mut n = 0;
        while n < max {
            // Header (skip blank lines between records).
            let header = loop {
                let names = &mut batch.names;
                match self.with_line(|l| (!l.is_empty()).then(|| push_name(l, names)))? {
                    None => return Ok(n),
                    Some(None) => {}
                    Some(Some(r)) => break r,
                }
            };
            let (name_start, name_end) = header.map_err(|reason| self.malformed(reason))?;
            // Sequence.
            let seq_start = batch.seq.len();
            let seq = &mut batch.seq;
            let seq_len = self
                .with_line(|l| push_bases(l, seq))?
                .ok_or_else(|| {
                    self.malformed(
                        "file ends after the header (truncated record; expected a sequence line)"
                            .into(),
                    )
                })?
                .map_err(|reason| self.malformed(reason))?;
            // Separator.
            self.with_line(|l| {
                if l.first() == Some(&b'+') {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the '+' separator line, found {}",
                        graftwatch_core::shown::shown_bytes(l, 40)
                    ))
                }
            })?
            .ok_or_else(|| {
                self.malformed(
                    "file ends after the sequence (truncated record; expected a '+' line)".into(),
                )
            })?
            .map_err(|reason| self.malformed(reason))?;
            // Quality.
            let qual = &mut batch.qual;
            self.with_line(|l| push_qualities(l, seq_len, qual))?
                .ok_or_else(|| {
                    self.malformed(
                        "file ends after the '+' line (truncated record; expected a quality line)"
                            .into(),
                    )
                })?
                .map_err(|reason| self.malformed(reason))?;
            batch
                .bounds
                .push((seq_start, seq_start + seq_len, name_start, name_end));
            self.record += 1;
            n += 1;
        }
        Ok(n)
    }
}

/// Appends the read name of header line `line` (first word after `@`, `/1`
/// or `/2` stripped) to `names`; returns its range.
fn push_name(line: &[u8], names: &mut Vec<u8>) -> Result<(usize, usize), String> {
    if line[0] != b'@' {
        return Err(format!(
            "expected a header line starting with '@', found {}",
            graftwatch_core::shown::shown_bytes(line, 40)
        ));
    }
    let name = line[1..]
        .split(|b| b.is_ascii_whitespace())
        .next()
        .unwrap_or(&[]);
    let name = name
        .strip_suffix(b"/1")
        .or_else(|| name.strip_suffix(b"/2"))
        .unwrap_or(name);
    let start = names.len();
    names.extend_from_slice(name);
    Ok((start, names.len()))
}

/// Byte → upper-case base for letters and `.`, 0 for anything else.
const BASE_UPPER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'.' {
            t[b] = c.to_ascii_uppercase();
        }
        b += 1;
    }
    t
};

/// Appends the upper-cased bases of sequence line `line` to `seq`; returns
/// their number. Letters and `.` are accepted.
fn push_bases(line: &[u8], seq: &mut Vec<u8>) -> Result<usize, String> {
    let start = seq.len();
    let mut bad = false;
    seq.extend(line.iter().map(|&b| {
        let u = BASE_UPPER[b as usize];
        bad |= u == 0;
        u
    }));
    if bad {
        seq.truncate(start);
        if let Some(&b) = line.iter().find(|&&b| BASE_UPPER[b as usize] == 0) {
            let bad = b as char;
            return Err(format!(
                "invalid base {bad:?} in the sequence line (expected nucleotide letters)"
            ));
        }
    }
    Ok(line.len())
}

/// Checks quality line `line` (length, Phred+33 range) and appends it to
/// `qual`.
fn push_qualities(line: &[u8], seq_len: usize, qual: &mut Vec<u8>) -> Result<(), String> {
    if line.len() != seq_len {
        return Err(format!(
            "quality line has {} characters but the sequence has {seq_len} bases",
            line.len()
        ));
    }
    // Branch-free range check over the whole line (vectorises); the
    // offending character is searched only on failure.
    let ok = line
        .iter()
        .fold(true, |acc, &b| acc & (b.wrapping_sub(33) <= 126 - 33));
    if !ok && let Some(&b) = line.iter().find(|&&b| !(33..=126).contains(&b)) {
        return Err(format!(
            "invalid quality character {} (expected Phred+33, '!'..'~')",
            graftwatch_core::shown::shown_bytes(&[b], 1)
        ));
    }
    qual.extend_from_slice(line);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &'static [u8], capacity: usize) -> FastqReader {
        FastqReader {
            path: PathBuf::from("test.fq"),
            inner: Box::new(io::BufReader::with_capacity(capacity, text)),
            record: 0,
            line: 0,
            buf: Vec::new(),
        }
    }

    const TEXT: &[u8] =
        b"@r1/1 comment\r\nacgtN.\r\n+\r\nIIII#!\r\n\n@r2\nGGCCAATT\n+r2\n~~~~~~~~\n@r3/2\nT\n+\nI";

    fn read_all(capacity: usize) -> ReadBatch {
        let mut r = reader(TEXT, capacity);
        let mut b = ReadBatch::default();
        assert_eq!(r.read_batch(&mut b, 100).expect("valid FASTQ"), 3);
        assert_eq!(r.read_batch(&mut b, 100).expect("end"), 0);
        assert_eq!(r.records_read(), 3);
        b
    }

    #[test]
    fn crlf_blank_lines_lowercase_and_missing_final_newline() {
        let b = read_all(1 << 16);
        assert_eq!(b.seq(0), b"ACGTN.");
        assert_eq!(b.qual(0), b"IIII#!");
        assert_eq!(b.name(0), b"r1");
        assert_eq!(b.seq(1), b"GGCCAATT");
        assert_eq!(b.name(1), b"r2");
        assert_eq!(b.seq(2), b"T");
        assert_eq!(b.qual(2), b"I");
        assert_eq!(b.name(2), b"r3");
    }

    #[test]
    fn lines_split_across_buffer_refills_read_the_same() {
        let whole = read_all(1 << 16);
        for capacity in 1..12 {
            let b = read_all(capacity);
            assert_eq!(b.seq, whole.seq, "capacity {capacity}");
            assert_eq!(b.qual, whole.qual, "capacity {capacity}");
            assert_eq!(b.names, whole.names, "capacity {capacity}");
            assert_eq!(b.bounds, whole.bounds, "capacity {capacity}");
        }
    }

    #[test]
    fn errors_name_record_and_line_whatever_the_buffering() {
        for capacity in [3, 1 << 16] {
            let mut r = reader(b"@a\nACGT\n+\nIIII\n@b\nAC-T\n+\nIIII\n", capacity);
            let e = r
                .read_batch(&mut ReadBatch::default(), 10)
                .expect_err("bad base");
            let msg = e.to_string();
            assert!(msg.contains("record 2 (line 6)"), "{msg}");
            assert!(msg.contains("invalid base '-'"), "{msg}");
            let mut r = reader(b"@a\nACGT\n+\nII\x07I\n", capacity);
            let msg = r
                .read_batch(&mut ReadBatch::default(), 10)
                .expect_err("bad quality")
                .to_string();
            assert!(msg.contains("record 1 (line 4)"), "{msg}");
            assert!(msg.contains("invalid quality character '\\x07'"), "{msg}");
            // Binary where a header belongs: escaped, not Rust's debug form.
            let mut r = reader(b"#\xff\x15j(\nACGT\n", capacity);
            let msg = r
                .read_batch(&mut ReadBatch::default(), 10)
                .expect_err("no header")
                .to_string();
            assert!(msg.contains("found '#\\xff\\x15j('"), "{msg}");
            let mut r = reader(b"@a\nACGT\n+\nIII\n", capacity);
            let msg = r
                .read_batch(&mut ReadBatch::default(), 10)
                .expect_err("short quality")
                .to_string();
            assert!(msg.contains("3 characters but the sequence has 4"), "{msg}");
        }
    }
}

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
            loop {
                if !self.read_line()? {
                    return Ok(n);
                }
                if !self.buf.is_empty() {
                    break;
                }
            }
            if self.buf[0] != b'@' {
                return Err(self.malformed(format!(
                    "expected a header line starting with '@', found {:?}",
                    String::from_utf8_lossy(&self.buf[..self.buf.len().min(40)])
                )));
            }
            let name_start = batch.names.len();
            let name = self.buf[1..]
                .split(|b| b.is_ascii_whitespace())
                .next()
                .unwrap_or(&[]);
            let name = name
                .strip_suffix(b"/1")
                .or_else(|| name.strip_suffix(b"/2"))
                .unwrap_or(name);
            batch.names.extend_from_slice(name);
            let name_end = batch.names.len();
            // Sequence.
            if !self.read_line()? {
                return Err(self.malformed(
                    "file ends after the header (truncated record; expected a sequence line)"
                        .into(),
                ));
            }
            let seq_start = batch.seq.len();
            for &b in &self.buf {
                if !b.is_ascii_alphabetic() && b != b'.' {
                    let bad = b as char;
                    return Err(self.malformed(format!(
                        "invalid base {bad:?} in the sequence line (expected nucleotide letters)"
                    )));
                }
            }
            batch
                .seq
                .extend(self.buf.iter().map(|b| b.to_ascii_uppercase()));
            let seq_len = self.buf.len();
            // Separator.
            if !self.read_line()? {
                return Err(self.malformed(
                    "file ends after the sequence (truncated record; expected a '+' line)".into(),
                ));
            }
            if self.buf.first() != Some(&b'+') {
                return Err(self.malformed(format!(
                    "expected the '+' separator line, found {:?}",
                    String::from_utf8_lossy(&self.buf[..self.buf.len().min(40)])
                )));
            }
            // Quality.
            if !self.read_line()? {
                return Err(self.malformed(
                    "file ends after the '+' line (truncated record; expected a quality line)"
                        .into(),
                ));
            }
            if self.buf.len() != seq_len {
                return Err(self.malformed(format!(
                    "quality line has {} characters but the sequence has {seq_len} bases",
                    self.buf.len()
                )));
            }
            if let Some(&b) = self.buf.iter().find(|&&b| !(33..=126).contains(&b)) {
                return Err(self.malformed(format!(
                    "invalid quality character {:?} (expected Phred+33, '!'..'~')",
                    b as char
                )));
            }
            batch.qual.extend_from_slice(&self.buf);
            batch
                .bounds
                .push((seq_start, seq_start + seq_len, name_start, name_end));
            self.record += 1;
            n += 1;
        }
        Ok(n)
    }
}

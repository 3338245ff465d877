//! In-memory reference FASTA (plain or gzip/BGZF): contig name → upper-case
//! sequence. Used to build allele-specific flanks for FASTQ counting, to
//! resolve indel equivalence in repeats for BAM counting, and as the CRAM
//! reference.

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use crate::gz_input::open_maybe_gzip;

/// Errors reading a reference FASTA.
#[derive(Debug, thiserror::Error)]
pub enum FastaError {
    /// The file could not be opened or read (including a truncated gzip stream).
    #[error("reference FASTA {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
    /// A line that is not valid FASTA.
    #[error("reference FASTA {path}, line {line}: {reason}")]
    Malformed {
        /// File.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// The file contains no sequence.
    #[error(
        "reference FASTA {path}: no sequence records found (expected at least one '>name' header)"
    )]
    Empty {
        /// File.
        path: PathBuf,
    },
}

/// A reference genome held in memory (amplicon panels and synthetic
/// references are small; a human genome would need ~3 GB).
#[derive(Debug, Clone, Default)]
pub struct Reference {
    names: Vec<String>,
    seqs: HashMap<String, Vec<u8>>,
}

impl Reference {
    /// Builds a reference from `(name, sequence)` pairs; sequences are
    /// upper-cased.
    pub fn from_contigs<I: IntoIterator<Item = (String, Vec<u8>)>>(contigs: I) -> Self {
        let mut r = Reference::default();
        for (name, mut seq) in contigs {
            seq.make_ascii_uppercase();
            r.names.push(name.clone());
            r.seqs.insert(name, seq);
        }
        r
    }

    /// Reads a FASTA file (plain, gzip or BGZF). Contig name = first word
    /// of the header line. Bases are upper-cased; IUPAC codes are kept.
    pub fn read(path: &Path) -> Result<Self, FastaError> {
        let io_err = |source| FastaError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = open_maybe_gzip(path).map_err(io_err)?;
        let mut reference = Reference::default();
        let mut current: Option<(String, Vec<u8>)> = None;
        let mut line = Vec::new();
        let mut line_no = 0u64;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(io_err)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            if line.is_empty() {
                continue;
            }
            if line[0] == b'>' {
                let name = line[1..]
                    .split(|b| b.is_ascii_whitespace())
                    .next()
                    .unwrap_or(&[]);
                if name.is_empty() {
                    return Err(FastaError::Malformed {
                        path: path.to_path_buf(),
                        line: line_no,
                        reason: "header '>' without a sequence name".into(),
                    });
                }
                let name = String::from_utf8_lossy(name).into_owned();
                if reference.seqs.contains_key(&name)
                    || current.as_ref().is_some_and(|(n, _)| *n == name)
                {
                    return Err(FastaError::Malformed {
                        path: path.to_path_buf(),
                        line: line_no,
                        reason: format!("duplicate sequence name '{name}'"),
                    });
                }
                if let Some((n, s)) = current.take() {
                    reference.names.push(n.clone());
                    reference.seqs.insert(n, s);
                }
                current = Some((name, Vec::new()));
            } else {
                let Some((_, seq)) = current.as_mut() else {
                    return Err(FastaError::Malformed {
                        path: path.to_path_buf(),
                        line: line_no,
                        reason: "sequence data before the first '>' header".into(),
                    });
                };
                for &b in &line {
                    let u = b.to_ascii_uppercase();
                    if !(u.is_ascii_alphabetic() || u == b'*' || u == b'-') {
                        return Err(FastaError::Malformed {
                            path: path.to_path_buf(),
                            line: line_no,
                            reason: format!(
                                "invalid sequence character {:?} (expected IUPAC nucleotide letters)",
                                b as char
                            ),
                        });
                    }
                    seq.push(u);
                }
            }
        }
        if let Some((n, s)) = current.take() {
            reference.names.push(n.clone());
            reference.seqs.insert(n, s);
        }
        if reference.names.is_empty() {
            return Err(FastaError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(reference)
    }

    /// Sequence of a contig, if present.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.seqs.get(name).map(Vec::as_slice)
    }

    /// Contig names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

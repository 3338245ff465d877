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

/// Appends the bases of one sequence line, upper-cased; letters (IUPAC
/// codes), `*` and `-` are accepted, anything else is an error naming it.
fn push_bases(seq: &mut Vec<u8>, line: &[u8]) -> Result<(), String> {
    for &b in line {
        let u = b.to_ascii_uppercase();
        if !(u.is_ascii_alphabetic() || u == b'*' || u == b'-') {
            return Err(format!(
                "invalid sequence character {:?} (expected IUPAC nucleotide letters)",
                b as char
            ));
        }
        seq.push(u);
    }
    Ok(())
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
            let malformed = |reason| FastaError::Malformed {
                path: path.to_path_buf(),
                line: line_no,
                reason,
            };
            if line[0] == b'>' {
                let name = reference
                    .new_name(&line[1..], &current)
                    .map_err(malformed)?;
                if let Some(done) = current.replace((name, Vec::new())) {
                    reference.push_contig(done);
                }
            } else {
                let Some((_, seq)) = current.as_mut() else {
                    return Err(malformed(
                        "sequence data before the first '>' header".into(),
                    ));
                };
                push_bases(seq, &line).map_err(malformed)?;
            }
        }
        if let Some(done) = current.take() {
            reference.push_contig(done);
        }
        if reference.names.is_empty() {
            return Err(FastaError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(reference)
    }

    /// The sequence name of a header line (after the `>`): its first word,
    /// which must be new (neither read before nor the contig being read).
    fn new_name(
        &self,
        header: &[u8],
        current: &Option<(String, Vec<u8>)>,
    ) -> Result<String, String> {
        let name = header
            .split(|b| b.is_ascii_whitespace())
            .next()
            .unwrap_or(&[]);
        if name.is_empty() {
            return Err("header '>' without a sequence name".into());
        }
        let name = String::from_utf8_lossy(name).into_owned();
        if self.seqs.contains_key(&name) || current.as_ref().is_some_and(|(n, _)| *n == name) {
            return Err(format!("duplicate sequence name '{name}'"));
        }
        Ok(name)
    }

    /// Adds a contig that has been read completely.
    fn push_contig(&mut self, (name, seq): (String, Vec<u8>)) {
        self.names.push(name.clone());
        self.seqs.insert(name, seq);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_are_upper_cased_and_non_letters_refused() {
        let mut seq = Vec::new();
        push_bases(&mut seq, b"acgTN*-").unwrap();
        assert_eq!(seq, b"ACGTN*-");
        let e = push_bases(&mut seq, b"AC1").unwrap_err();
        assert!(e.contains("'1'"), "{e}");
    }

    #[test]
    fn headers_need_a_new_name() {
        let mut r = Reference::default();
        assert_eq!(
            r.new_name(b"chr1 some description", &None),
            Ok("chr1".into())
        );
        assert!(r.new_name(b" chr1", &None).is_err());
        r.push_contig(("chr1".into(), b"ACGT".to_vec()));
        assert!(
            r.new_name(b"chr1", &None)
                .unwrap_err()
                .contains("duplicate")
        );
        let reading = Some(("chr2".to_string(), Vec::new()));
        assert!(r.new_name(b"chr2", &reading).is_err());
        assert!(r.new_name(b"chr3", &reading).is_ok());
    }

    #[test]
    fn a_file_reads_to_its_contigs_and_errors_name_the_line() {
        let dir = std::env::temp_dir().join(format!("gw-fasta-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.fa");
        std::fs::write(&good, ">a x\nacg\r\nT\n\n>b\nNN\n").unwrap();
        let r = Reference::read(&good).unwrap();
        assert_eq!(r.names(), ["a", "b"]);
        assert_eq!(r.get("a"), Some(&b"ACGT"[..]));
        let bad = dir.join("bad.fa");
        std::fs::write(&bad, ">a\nACGT\n>a\nAC\n").unwrap();
        let e = Reference::read(&bad).unwrap_err();
        assert!(matches!(e, FastaError::Malformed { line: 3, .. }), "{e}");
        std::fs::write(&bad, "ACGT\n").unwrap();
        let e = Reference::read(&bad).unwrap_err();
        assert!(matches!(e, FastaError::Malformed { line: 1, .. }), "{e}");
        std::fs::write(&bad, "\n").unwrap();
        assert!(matches!(
            Reference::read(&bad),
            Err(FastaError::Empty { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Opening a BAM or CRAM for region queries: format detection from the
//! magic bytes, the index next to the file (`.bai`, `.csi`, `.crai`), the
//! header, one reader per worker thread, and the region fetch that feeds
//! every record of a marker group to its counter.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use noodles::bam;
use noodles::core::{Position, Region};
use noodles::cram;
use noodles::fasta;
use noodles::sam;

use super::BamCountError;
use super::counter::GroupCounter;
use super::group::Group;
use crate::fasta::Reference;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Bam,
    Cram,
}

pub(super) fn detect_format(path: &Path) -> Result<Format, BamCountError> {
    let mut f = File::open(path).map_err(|source| BamCountError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut magic = [0u8; 4];
    let mut filled = 0;
    while filled < 4 {
        match f.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(BamCountError::Open {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    if filled == 4 && &magic == b"CRAM" {
        Ok(Format::Cram)
    } else if filled >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
        Ok(Format::Bam)
    } else {
        Err(BamCountError::NotAlignmentFile {
            path: path.to_path_buf(),
        })
    }
}

fn with_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

pub(super) fn read_bam_index(path: &Path) -> Result<bam::Index, BamCountError> {
    let candidates = [
        with_ext(path, "bai"),
        path.with_extension("bai"),
        with_ext(path, "csi"),
    ];
    for c in &candidates {
        if c.exists() {
            let is_csi = c.extension().is_some_and(|e| e == "csi");
            let result = if is_csi {
                noodles::csi::fs::read(c).map(bam::Index::Csi)
            } else {
                bam::bai::fs::read(c).map(bam::Index::Bai)
            };
            return result.map_err(|source| BamCountError::Index {
                path: c.clone(),
                source,
            });
        }
    }
    Err(BamCountError::MissingIndex {
        path: path.to_path_buf(),
        tried: candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

pub(super) fn read_crai(path: &Path) -> Result<cram::crai::Index, BamCountError> {
    let c = with_ext(path, "crai");
    if !c.exists() {
        return Err(BamCountError::MissingIndex {
            path: path.to_path_buf(),
            tried: c.display().to_string(),
        });
    }
    cram::crai::fs::read(&c).map_err(|source| BamCountError::Index { path: c, source })
}

/// Writes `PATH.crai` for the CRAM at `path`: the bounded walk
/// ([`super::cram_bounds`]), then one entry per slice from the container
/// headers ([`super::cram_bounds::index_of`]).
pub(super) fn write_crai(path: &Path) -> Result<PathBuf, BamCountError> {
    let map = walk_cram(path)?;
    let mut reader = cram::io::Reader::new(open(path)?);
    let header = crate::decoder_guard::guard(|| reader.read_header())
        .map_err(|message| decoder_err(path, "header", message))?
        .map_err(|source| BamCountError::Header {
            path: path.to_path_buf(),
            source,
        })?;
    let lengths: Vec<usize> = header
        .reference_sequences()
        .values()
        .map(|r| r.length().get())
        .collect();
    let index = super::cram_bounds::index_of(&map, &lengths);
    let c = with_ext(path, "crai");
    cram::crai::fs::write(&c, &index).map_err(|source| BamCountError::Index {
        path: c.clone(),
        source,
    })?;
    Ok(c)
}

fn open(path: &Path) -> Result<File, BamCountError> {
    File::open(path).map_err(|source| BamCountError::Open {
        path: path.to_path_buf(),
        source,
    })
}

fn structure_err(path: &Path, source: io::Error) -> BamCountError {
    BamCountError::CramStructure {
        path: path.to_path_buf(),
        source,
    }
}

/// The bounded walk over the whole CRAM at `path` ([`super::cram_bounds`]).
fn walk_cram(path: &Path) -> Result<super::cram_bounds::ContainerMap, BamCountError> {
    let file = open(path)?;
    let len = file.metadata().map_err(|e| structure_err(path, e))?.len();
    super::cram_bounds::walk(&mut std::io::BufReader::new(file), len)
        .map_err(|e| structure_err(path, e))
}

/// The error of a CRAM decoder panic contained by [`crate::decoder_guard`].
fn decoder_err(path: &Path, region: &str, message: String) -> BamCountError {
    BamCountError::CramDecoder {
        path: path.to_path_buf(),
        region: region.to_string(),
        message,
    }
}

/// The bounded walk over the whole CRAM and the check of its index
/// ([`super::cram_bounds`]) before noodles decodes either.
fn check_cram_bounds(path: &Path, index: &cram::crai::Index) -> Result<(), BamCountError> {
    let map = walk_cram(path)?;
    super::cram_bounds::check_index(index, &map).map_err(|e| structure_err(path, e))
}

pub(super) fn fasta_repository(reference: &Reference) -> fasta::Repository {
    let records: Vec<fasta::Record> = reference
        .names()
        .iter()
        .filter_map(|n| {
            reference.get(n).map(|s| {
                fasta::Record::new(
                    fasta::record::Definition::new(n.as_str(), None),
                    fasta::record::Sequence::from(s.to_vec()),
                )
            })
        })
        .collect();
    fasta::Repository::new(ReferenceAdapter(records))
}

/// The reference sequences handed to noodles' CRAM decoder. A contig the
/// FASTA lacks is an error naming it: noodles panics when its repository
/// answers "none" for a read of a multi-reference slice (found with a CRAM
/// of reads on two contigs and a FASTA of one, 2026-12-04; test
/// `cram_bounds::a_reference_without_a_contig_of_a_multi_reference_slice_is_an_error`).
struct ReferenceAdapter(Vec<fasta::Record>);

impl fasta::repository::Adapter for ReferenceAdapter {
    fn get(&mut self, name: &[u8]) -> Option<io::Result<fasta::Record>> {
        Some(
            self.0
                .iter()
                .find(|r| r.name() == name)
                .cloned()
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "the reference FASTA has no sequence named '{}', which this CRAM uses \
                             (give the reference the CRAM was written with)",
                            String::from_utf8_lossy(name)
                        ),
                    )
                }),
        )
    }
}

pub(super) enum Source {
    Bam {
        index: bam::Index,
        header: sam::Header,
    },
    Cram {
        index: cram::crai::Index,
        repo: fasta::Repository,
        header: sam::Header,
    },
}

impl Source {
    /// Reads the index and the header of `path` (CRAM needs the reference).
    pub(super) fn open(
        path: &Path,
        format: Format,
        reference: Option<&Reference>,
    ) -> Result<Source, BamCountError> {
        let open_err = |source| BamCountError::Open {
            path: path.to_path_buf(),
            source,
        };
        let header_err = |source| BamCountError::Header {
            path: path.to_path_buf(),
            source,
        };
        match format {
            Format::Bam => {
                let index = read_bam_index(path)?;
                super::header_bounds::check(File::open(path).map_err(open_err)?)
                    .map_err(header_err)?;
                let mut reader = bam::io::Reader::new(File::open(path).map_err(open_err)?);
                let header = reader.read_header().map_err(header_err)?;
                Ok(Source::Bam { index, header })
            }
            Format::Cram => {
                let Some(reference) = reference else {
                    return Err(BamCountError::CramNeedsReference {
                        path: path.to_path_buf(),
                    });
                };
                let index = read_crai(path)?;
                check_cram_bounds(path, &index)?;
                let repo = fasta_repository(reference);
                let mut reader = cram::io::indexed_reader::Builder::default()
                    .set_reference_sequence_repository(repo.clone())
                    .set_index(index.clone())
                    .build_from_path(path)
                    .map_err(open_err)?;
                let header = crate::decoder_guard::guard(|| reader.read_header())
                    .map_err(|message| decoder_err(path, "header", message))?
                    .map_err(header_err)?;
                Ok(Source::Cram {
                    index,
                    repo,
                    header,
                })
            }
        }
    }

    pub(super) fn header(&self) -> &sam::Header {
        match self {
            Source::Bam { header, .. } | Source::Cram { header, .. } => header,
        }
    }

    pub(super) fn open_reader(&self, path: &Path) -> Result<Reader, BamCountError> {
        let open_err = |source| BamCountError::Open {
            path: path.to_path_buf(),
            source,
        };
        match self {
            Source::Bam { index, .. } => {
                let file = File::open(path).map_err(open_err)?;
                Ok(Reader::Bam(Box::new(BamReader {
                    bgzf: noodles::bgzf::io::Reader::new(file),
                    index: index.clone(),
                    frame: Vec::new(),
                })))
            }
            Source::Cram { index, repo, .. } => {
                let mut r = cram::io::indexed_reader::Builder::default()
                    .set_reference_sequence_repository(repo.clone())
                    .set_index(index.clone())
                    .build_from_path(path)
                    .map_err(open_err)?;
                crate::decoder_guard::guard(|| r.read_header())
                    .map_err(|message| decoder_err(path, "header", message))?
                    .map_err(|source| BamCountError::Header {
                        path: path.to_path_buf(),
                        source,
                    })?;
                Ok(Reader::Cram(Box::new(r)))
            }
        }
    }
}

/// A BAM opened for region queries. Records are framed with a bounded
/// size before noodles decodes them ([`super::record_bounds`]), so a record
/// declaring gigabytes is an error, not an allocation.
pub(super) struct BamReader {
    bgzf: noodles::bgzf::io::Reader<File>,
    index: bam::Index,
    frame: Vec<u8>,
}

impl BamReader {
    /// Feeds every record of `tid` overlapping `start..=end` to `each`
    /// (the region rule of noodles' own query: same reference, alignment
    /// span intersecting the interval). Returns the records read.
    fn query(
        &mut self,
        tid: usize,
        start: Position,
        end: Position,
        mut each: impl FnMut(u64, &bam::Record) -> io::Result<()>,
    ) -> Result<(), (u64, io::Error)> {
        use noodles::csi::BinningIndex as _;
        use noodles::sam::alignment::Record as _;
        let interval = (start..=end).into();
        let chunks = self.index.query(tid, interval).map_err(|e| (0, e))?;
        let mut q = noodles::csi::io::Query::new(&mut self.bgzf, chunks);
        let mut record = bam::Record::default();
        let mut n = 0u64;
        loop {
            n += 1;
            let more = super::record_bounds::read_framed(&mut q, &mut self.frame);
            if !more.map_err(|e| (n, e))? {
                return Ok(());
            }
            super::record_bounds::decode(&self.frame, &mut record).map_err(|e| (n, e))?;
            let same_ref = record
                .reference_sequence_id()
                .transpose()
                .map_err(|e| (n, e))?;
            if same_ref != Some(tid) {
                continue;
            }
            let span = (
                record.alignment_start().transpose().map_err(|e| (n, e))?,
                record.alignment_end().transpose().map_err(|e| (n, e))?,
            );
            if let (Some(s), Some(e)) = span
                && s <= end
                && e >= start
            {
                each(n, &record).map_err(|e| (n, e))?;
            }
        }
    }
}

pub(super) enum Reader {
    Bam(Box<BamReader>),
    Cram(Box<cram::io::IndexedReader<File>>),
}

impl Reader {
    pub(super) fn fetch(
        &mut self,
        path: &Path,
        header: &sam::Header,
        group: &Group,
        counter: &mut GroupCounter<'_>,
    ) -> Result<(), BamCountError> {
        let name = header
            .reference_sequences()
            .get_index(group.tid)
            .map(|(n, _)| String::from_utf8_lossy(n.as_ref()).into_owned())
            .unwrap_or_default();
        let region_str = format!("{name}:{}-{}", group.start, group.end);
        let rec_err = |record: u64, source: io::Error| BamCountError::Record {
            path: path.to_path_buf(),
            region: region_str.clone(),
            record,
            source,
        };
        let (Some(start), Some(end)) = (
            usize::try_from(group.start.one_based())
                .ok()
                .and_then(Position::new),
            usize::try_from(group.end.one_based())
                .ok()
                .and_then(Position::new),
        ) else {
            return Ok(());
        };
        let region = Region::new(name.clone(), start..=end);
        let mut n = 0u64;
        match self {
            Reader::Bam(r) => r
                .query(group.tid, start, end, |_, record| counter.push(record))
                .map_err(|(n, e)| rec_err(n, e))?,
            Reader::Cram(r) => crate::decoder_guard::guard(|| {
                let query = r.query(header, &region).map_err(|e| rec_err(0, e))?;
                for result in query.records() {
                    n += 1;
                    let record = result.map_err(|e| rec_err(n, e))?;
                    counter.push(&record).map_err(|e| rec_err(n, e))?;
                }
                Ok::<(), BamCountError>(())
            })
            .map_err(|message| decoder_err(path, &region_str, message))??,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gw-bam-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn format_from_magic_bytes_not_the_name() {
        assert_eq!(
            detect_format(&temp("a.cram", b"CRAM\x03\x00")).unwrap(),
            Format::Cram
        );
        assert_eq!(
            detect_format(&temp("a.txt", b"\x1f\x8b\x08\x04")).unwrap(),
            Format::Bam
        );
        for (name, bytes) in [
            ("b.bam", &b"@HD\tVN:1.6"[..]),
            ("e.bam", b""),
            ("one.bam", b"\x1f"),
        ] {
            assert!(
                matches!(
                    detect_format(&temp(name, bytes)),
                    Err(BamCountError::NotAlignmentFile { .. })
                ),
                "{name}"
            );
        }
        assert!(matches!(
            detect_format(Path::new("/nonexistent/x.bam")),
            Err(BamCountError::Open { .. })
        ));
    }

    #[test]
    fn missing_index_lists_every_place_looked() {
        let bam = temp("noindex.bam", b"\x1f\x8b");
        let Err(BamCountError::MissingIndex { tried, .. }) = read_bam_index(&bam) else {
            panic!("expected MissingIndex");
        };
        assert!(tried.contains("noindex.bam.bai"), "{tried}");
        assert!(tried.contains("noindex.bai"), "{tried}");
        assert!(tried.contains("noindex.bam.csi"), "{tried}");
        let cram = temp("noindex.cram", b"CRAM");
        assert!(matches!(
            read_crai(&cram),
            Err(BamCountError::MissingIndex { .. })
        ));
        // An index that exists but is garbage is an index error naming it.
        let bad = temp("badindex.bam", b"\x1f\x8b");
        temp("badindex.bam.bai", b"not an index");
        let Err(BamCountError::Index { path, .. }) = read_bam_index(&bad) else {
            panic!("expected Index error");
        };
        assert!(path.ends_with("badindex.bam.bai"));
    }
}

//! REF/ALT read counts at known marker sites from an indexed BAM or CRAM.
//!
//! A walk over known sites, not a generic pileup: markers are grouped into
//! regions, each region is fetched through the BAM/CRAM index and every
//! record is classified at the markers it overlaps. The rules reproduce
//! `bcftools mpileup -a AD` (htslib pileup) so that counts agree with the
//! documented comparison command (see `docs/ngs-counting.md`):
//!
//! ```text
//! bcftools mpileup -f ref.fa -T panel.vcf.gz -a AD -B -Q 13 -q 0 \
//!     -d 1000000 -L 1000000 -m 1 -F 0 --ignore-RG \
//!     --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY sample.bam
//! ```
//!
//! * reads flagged unmapped, secondary, supplementary, QC-fail or duplicate
//!   are skipped, as are reads below the mapping-quality threshold and
//!   (unless `count_orphans`) paired reads that are not in a proper pair;
//! * SNV: the read's base at the site must pass the base-quality threshold;
//!   `N` bases and reads with a deletion over the site are not counted;
//! * overlapping mates: htslib 1.16's rule is applied at the site —
//!   when both mates of a proper pair have a base there, one keeps the base
//!   with quality `q1 + q2` (capped at 200) if the bases agree, else the
//!   higher-quality base keeps `0.8·q` and the other gets quality 0, so the
//!   pair is counted once; which mate keeps an agreeing base or one of two
//!   disagreeing bases of equal quality is decided, as in htslib, by a hash
//!   of the read name; and, as in htslib's overlap walk, the first base
//!   after a deletion carried only by the later mate is not adjusted (both
//!   mates count there);
//! * indels: a read supports ALT when its CIGAR carries the marker's
//!   insertion/deletion at the anchor or at an equivalent placement in the
//!   repeat (computed from the reference, which indel markers therefore
//!   require); REF when it is
//!   aligned without any indel across the anchor and one base past the
//!   repeat; `other` when it carries a different indel there. Reads that end
//!   inside the repeat are not counted. The anchor base's quality is the
//!   quality filtered on (bcftools instead re-aligns reads and uses an indel
//!   quality, so indel counts agree closely rather than exactly; see docs).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use graftwatch_chimerism::marker::{AlleleCounts, Marker};
use noodles::bam;
use noodles::core::{Position, Region};
use noodles::cram;
use noodles::fasta;
use noodles::sam;
use noodles::sam::alignment::record::cigar::op::Kind;

use crate::fasta::{FastaError, Reference};
use crate::marker_site::{Site, SiteError, SiteKind};

/// Read and base filters, mirroring `bcftools mpileup` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PileupFilter {
    /// Minimum base quality at the site (`bcftools mpileup -Q`, default 13).
    pub min_base_quality: u8,
    /// Minimum mapping quality (`-q`, default 0).
    pub min_mapping_quality: u8,
    /// Count paired reads that are not properly paired (`-A`; default
    /// false, as bcftools).
    pub count_orphans: bool,
    /// Maximum reads considered per site (`-d`); `None` = unlimited. The
    /// first reads in file order are kept (htslib's cap works on the reads
    /// in its buffer and is not reproduced exactly).
    pub max_depth: Option<u32>,
}

impl Default for PileupFilter {
    /// The documented comparison command: `-Q 13 -q 0`, no `-A`, depth
    /// unlimited (`-d 1000000`).
    fn default() -> Self {
        PileupFilter {
            min_base_quality: 13,
            min_mapping_quality: 0,
            count_orphans: false,
            max_depth: None,
        }
    }
}

/// Errors counting reads in a BAM/CRAM file.
#[derive(Debug, thiserror::Error)]
pub enum BamCountError {
    /// The alignment file could not be opened.
    #[error("{path}: cannot open alignment file: {source}")]
    Open {
        /// File.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
    /// Neither BAM (BGZF) nor CRAM magic bytes.
    #[error("{path}: not a BAM or CRAM file (expected BGZF-compressed BAM or a CRAM container)")]
    NotAlignmentFile {
        /// File.
        path: PathBuf,
    },
    /// No index next to the file.
    #[error("{path}: index not found (looked for {tried}); create one with `samtools index`")]
    MissingIndex {
        /// File.
        path: PathBuf,
        /// Paths looked for.
        tried: String,
    },
    /// The index exists but cannot be read.
    #[error("{path}: cannot read index: {source}")]
    Index {
        /// Index file.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
    /// The header cannot be read (e.g. truncated or corrupt file).
    #[error("{path}: cannot read header: {source}")]
    Header {
        /// File.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
    /// A record in a queried region cannot be decoded (truncated BGZF block,
    /// corrupt record).
    #[error("{path}: region {region}, record {record}: {source}")]
    Record {
        /// File.
        path: PathBuf,
        /// Queried region.
        region: String,
        /// 1-based record number within the region.
        record: u64,
        /// Underlying error.
        #[source]
        source: io::Error,
    },
    /// A marker's contig is absent from the alignment header.
    #[error(
        "{path}: marker {marker} is on contig '{contig}', which is not in the alignment header"
    )]
    ContigNotInHeader {
        /// File.
        path: PathBuf,
        /// Marker id.
        marker: String,
        /// Contig.
        contig: String,
    },
    /// A marker's contig is absent from the reference FASTA.
    #[error("{path}: marker {marker} is on contig '{contig}', which is not in the reference")]
    ContigNotInReference {
        /// Reference file.
        path: PathBuf,
        /// Marker id.
        marker: String,
        /// Contig.
        contig: String,
    },
    /// Indel markers need the reference to know how far the indel can slide
    /// in a repeat; without it reads ending inside a repeat would be
    /// miscounted as REF.
    #[error(
        "marker {marker} ({ref_allele}>{alt_allele}) is an indel: counting indels from a BAM needs the reference FASTA"
    )]
    IndelNeedsReference {
        /// Marker id.
        marker: String,
        /// REF.
        ref_allele: String,
        /// ALT.
        alt_allele: String,
    },
    /// CRAM decoding needs the reference FASTA.
    #[error("{path}: CRAM input needs the reference FASTA (none given)")]
    CramNeedsReference {
        /// File.
        path: PathBuf,
    },
    /// The reference FASTA cannot be read.
    #[error(transparent)]
    Reference(#[from] FastaError),
    /// A marker cannot be counted.
    #[error(transparent)]
    Marker(#[from] SiteError),
    /// A worker thread panicked (a bug, not an input problem).
    #[error("internal error: a counting thread panicked")]
    WorkerPanicked,
}

/// Counts REF/ALT/other reads per marker (same order as `markers`), using
/// as many threads as the machine offers (at most 8).
pub fn count_bam(
    path: &Path,
    reference: Option<&Path>,
    markers: &[Marker],
    filter: &PileupFilter,
) -> Result<Vec<AlleleCounts>, BamCountError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    count_bam_with_threads(path, reference, markers, filter, threads)
}

/// [`count_bam`] with an explicit number of worker threads (≥ 1); marker
/// regions are shared out among the workers, each with its own reader.
pub fn count_bam_with_threads(
    path: &Path,
    reference: Option<&Path>,
    markers: &[Marker],
    filter: &PileupFilter,
    threads: usize,
) -> Result<Vec<AlleleCounts>, BamCountError> {
    let counted = count_inner(path, reference, markers, filter, threads, false)?;
    Ok(counted
        .counts
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// Counts of one alignment file where markers on contigs missing from its
/// header are skipped instead of failing the run.
#[derive(Debug, Clone, PartialEq)]
pub struct BamCounts {
    /// Per marker; `None` for markers on a missing contig.
    pub counts: Vec<Option<AlleleCounts>>,
    /// Contigs of the panel absent from the alignment header (each once),
    /// with the number of markers skipped on each.
    pub missing_contigs: Vec<(String, usize)>,
}

/// [`count_bam_with_threads`], but a panel contig absent from the alignment
/// header skips its markers (reported in [`BamCounts::missing_contigs`])
/// instead of being an error.
pub fn count_bam_skipping_missing_contigs(
    path: &Path,
    reference: Option<&Path>,
    markers: &[Marker],
    filter: &PileupFilter,
    threads: usize,
) -> Result<BamCounts, BamCountError> {
    count_inner(path, reference, markers, filter, threads, true)
}

// Long function: index handling, region planning and the bounded worker pool of one BAM/CRAM walk; the file split along these seams is pending in issue 10.
fn count_inner(
    path: &Path,
    reference: Option<&Path>,
    markers: &[Marker],
    filter: &PileupFilter,
    threads: usize,
    skip_missing: bool,
) -> Result<BamCounts, BamCountError> {
    let format = detect_format(path)?;
    let reference_seqs = match reference {
        Some(p) => Some(Reference::read(p)?),
        None => None,
    };
    if format == Format::Cram && reference_seqs.is_none() {
        return Err(BamCountError::CramNeedsReference {
            path: path.to_path_buf(),
        });
    }
    let source = match format {
        Format::Bam => {
            let index = read_bam_index(path)?;
            let mut reader =
                bam::io::Reader::new(File::open(path).map_err(|source| BamCountError::Open {
                    path: path.to_path_buf(),
                    source,
                })?);
            let header = reader
                .read_header()
                .map_err(|source| BamCountError::Header {
                    path: path.to_path_buf(),
                    source,
                })?;
            Source::Bam { index, header }
        }
        Format::Cram => {
            let index = read_crai(path)?;
            let repo = fasta_repository(reference_seqs.as_ref().expect("checked above"));
            let mut reader = cram::io::indexed_reader::Builder::default()
                .set_reference_sequence_repository(repo.clone())
                .set_index(index.clone())
                .build_from_path(path)
                .map_err(|source| BamCountError::Open {
                    path: path.to_path_buf(),
                    source,
                })?;
            let header = reader
                .read_header()
                .map_err(|source| BamCountError::Header {
                    path: path.to_path_buf(),
                    source,
                })?;
            Source::Cram {
                index,
                repo,
                header,
            }
        }
    };
    let header = source.header();

    // Resolve sites and check contigs.
    let mut sites = Vec::with_capacity(markers.len());
    let mut site_marker = Vec::with_capacity(markers.len());
    let mut missing_contigs: Vec<(String, usize)> = Vec::new();
    for (mi, m) in markers.iter().enumerate() {
        if reference_seqs.is_none() && m.is_indel() {
            return Err(BamCountError::IndelNeedsReference {
                marker: m.id.clone(),
                ref_allele: m.ref_allele.clone(),
                alt_allele: m.alt_allele.clone(),
            });
        }
        let Some(tid) = header
            .reference_sequences()
            .get_index_of(m.chrom.as_bytes())
        else {
            if !skip_missing {
                return Err(BamCountError::ContigNotInHeader {
                    path: path.to_path_buf(),
                    marker: m.id.clone(),
                    contig: m.chrom.clone(),
                });
            }
            match missing_contigs.iter_mut().find(|(c, _)| *c == m.chrom) {
                Some(e) => e.1 += 1,
                None => missing_contigs.push((m.chrom.clone(), 1)),
            }
            continue;
        };
        let contig_seq = match (&reference_seqs, reference) {
            (Some(r), Some(rp)) => {
                Some(
                    r.get(&m.chrom)
                        .ok_or_else(|| BamCountError::ContigNotInReference {
                            path: rp.to_path_buf(),
                            marker: m.id.clone(),
                            contig: m.chrom.clone(),
                        })?,
                )
            }
            _ => None,
        };
        sites.push((tid, Site::resolve(m, contig_seq)?));
        site_marker.push(mi);
    }

    let groups = group_sites(&sites);
    let mut results: Vec<Option<AlleleCounts>> = vec![None; markers.len()];
    for &mi in &site_marker {
        results[mi] = Some(AlleleCounts::default());
    }
    if groups.is_empty() {
        return Ok(BamCounts {
            counts: results,
            missing_contigs,
        });
    }
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<BamCountError>> = Mutex::new(None);
    let collected: Mutex<Vec<(usize, AlleleCounts)>> = Mutex::new(Vec::new());
    let workers = threads.max(1).min(groups.len());
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for _ in 0..workers {
            handles.push(scope.spawn(|| {
                let run = || -> Result<Vec<(usize, AlleleCounts)>, BamCountError> {
                    let mut out = Vec::new();
                    let mut reader = source.open_reader(path)?;
                    loop {
                        let g = next.fetch_add(1, Ordering::Relaxed);
                        if g >= groups.len()
                            || first_error.lock().map(|e| e.is_some()).unwrap_or(true)
                        {
                            break;
                        }
                        let group = &groups[g];
                        let mut counter = GroupCounter::new(group, &sites, filter);
                        reader.fetch(path, header, group, &mut counter)?;
                        out.extend(counter.finish());
                    }
                    Ok(out)
                };
                match run() {
                    Ok(v) => {
                        if let Ok(mut c) = collected.lock() {
                            c.extend(v);
                        }
                    }
                    Err(e) => {
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                    }
                }
            }));
        }
        for h in handles {
            if h.join().is_err()
                && let Ok(mut slot) = first_error.lock()
            {
                slot.get_or_insert(BamCountError::WorkerPanicked);
            }
        }
    });
    if let Some(e) = first_error
        .into_inner()
        .map_err(|_| BamCountError::WorkerPanicked)?
    {
        return Err(e);
    }
    for (i, c) in collected
        .into_inner()
        .map_err(|_| BamCountError::WorkerPanicked)?
    {
        results[site_marker[i]] = Some(c);
    }
    Ok(BamCounts {
        counts: results,
        missing_contigs,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Bam,
    Cram,
}

fn detect_format(path: &Path) -> Result<Format, BamCountError> {
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

fn read_bam_index(path: &Path) -> Result<bam::Index, BamCountError> {
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

fn read_crai(path: &Path) -> Result<cram::crai::Index, BamCountError> {
    let c = with_ext(path, "crai");
    if !c.exists() {
        return Err(BamCountError::MissingIndex {
            path: path.to_path_buf(),
            tried: c.display().to_string(),
        });
    }
    cram::crai::fs::read(&c).map_err(|source| BamCountError::Index { path: c, source })
}

fn fasta_repository(reference: &Reference) -> fasta::Repository {
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
    fasta::Repository::new(records)
}

enum Source {
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
    fn header(&self) -> &sam::Header {
        match self {
            Source::Bam { header, .. } | Source::Cram { header, .. } => header,
        }
    }

    fn open_reader(&self, path: &Path) -> Result<Reader, BamCountError> {
        let open_err = |source| BamCountError::Open {
            path: path.to_path_buf(),
            source,
        };
        match self {
            Source::Bam { index, .. } => {
                let file = File::open(path).map_err(open_err)?;
                Ok(Reader::Bam(Box::new(bam::io::IndexedReader::new(
                    file,
                    index.clone(),
                ))))
            }
            Source::Cram { index, repo, .. } => {
                let mut r = cram::io::indexed_reader::Builder::default()
                    .set_reference_sequence_repository(repo.clone())
                    .set_index(index.clone())
                    .build_from_path(path)
                    .map_err(open_err)?;
                r.read_header().map_err(|source| BamCountError::Header {
                    path: path.to_path_buf(),
                    source,
                })?;
                Ok(Reader::Cram(Box::new(r)))
            }
        }
    }
}

enum Reader {
    Bam(Box<bam::io::IndexedReader<noodles::bgzf::io::Reader<File>>>),
    Cram(Box<cram::io::IndexedReader<File>>),
}

impl Reader {
    fn fetch(
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
        let region_str = format!("{name}:{}-{}", group.start0 + 1, group.end0 + 1);
        let rec_err = |record: u64, source: io::Error| BamCountError::Record {
            path: path.to_path_buf(),
            region: region_str.clone(),
            record,
            source,
        };
        let (Some(start), Some(end)) = (
            Position::new(group.start0 as usize + 1),
            Position::new(group.end0 as usize + 1),
        ) else {
            return Ok(());
        };
        let region = Region::new(name.clone(), start..=end);
        let mut n = 0u64;
        match self {
            Reader::Bam(r) => {
                let mut query = r.query(header, &region).map_err(|e| rec_err(0, e))?;
                let mut record = bam::Record::default();
                loop {
                    n += 1;
                    match query.read_record(&mut record) {
                        Ok(0) => break,
                        Ok(_) => counter.push(&record).map_err(|e| rec_err(n, e))?,
                        Err(e) => return Err(rec_err(n, e)),
                    }
                }
            }
            Reader::Cram(r) => {
                let query = r.query(header, &region).map_err(|e| rec_err(0, e))?;
                for result in query.records() {
                    n += 1;
                    let record = result.map_err(|e| rec_err(n, e))?;
                    counter.push(&record).map_err(|e| rec_err(n, e))?;
                }
            }
        }
        Ok(())
    }
}

/// Markers whose read windows are close enough to share one index query.
#[derive(Debug, Clone)]
struct Group {
    tid: usize,
    start0: u64,
    end0: u64,
    /// Indices into the site list, sorted by position.
    members: Vec<usize>,
}

/// Gap (bp) below which neighbouring markers share a query.
const MERGE_GAP: u64 = 1000;
/// Upper bound on markers per group, so that threads get balanced work.
const MAX_GROUP_MEMBERS: usize = 64;

fn group_sites(sites: &[(usize, Site)]) -> Vec<Group> {
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by_key(|&i| (sites[i].0, sites[i].1.pos0));
    let mut groups: Vec<Group> = Vec::new();
    for i in order {
        let (tid, site) = &sites[i];
        if let Some(g) = groups.last_mut()
            && g.tid == *tid
            && site.pos0 <= g.end0 + MERGE_GAP
            && g.members.len() < MAX_GROUP_MEMBERS
        {
            g.end0 = g.end0.max(site.last0);
            g.members.push(i);
            continue;
        }
        groups.push(Group {
            tid: *tid,
            start0: site.pos0,
            end0: site.last0,
            members: vec![i],
        });
    }
    groups
}

/// Uniform view over BAM records and CRAM record buffers.
trait AlignedRead {
    fn flag_bits(&self) -> u16;
    fn tid(&self) -> io::Result<Option<usize>>;
    fn start0(&self) -> io::Result<Option<u64>>;
    fn mapq(&self) -> u8;
    fn cigar_into(&self, buf: &mut Vec<(Kind, u32)>) -> io::Result<()>;
    fn seq_len(&self) -> usize;
    /// Upper-case ASCII base at read position `i` (`=` resolved by caller).
    fn base(&self, i: usize) -> u8;
    fn qual(&self, i: usize) -> u8;
    /// (FNV-1a hash of the read name, htslib's overlap keeper bit).
    fn name_hashes(&self) -> (u64, bool);
    fn mate_tid(&self) -> io::Result<Option<usize>>;
    fn mate_start0(&self) -> io::Result<Option<u64>>;
    fn tlen(&self) -> i32;
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// htslib's choice of the mate that keeps its base quality in an
/// overlapping pair (`tweak_overlap_quality`, htslib 1.16, since PR #1273): bit 0 of
/// `__ac_Wang_hash(__ac_X31_hash_string(qname))`; set = the mate read
/// first keeps it. Used for agreeing bases and for disagreeing bases of
/// equal quality.
fn htslib_first_keeps(name: &[u8]) -> bool {
    let mut h: u32 = name.first().map_or(0, |&c| u32::from(c));
    if h != 0 {
        for &c in &name[1..] {
            h = (h << 5).wrapping_sub(h).wrapping_add(u32::from(c));
        }
    }
    let mut k = h;
    k = k.wrapping_add(!(k << 15));
    k ^= k >> 10;
    k = k.wrapping_add(k << 3);
    k ^= k >> 6;
    k = k.wrapping_add(!(k << 11));
    k ^= k >> 16;
    k & 1 == 1
}

/// (FNV-1a pairing hash, htslib keeper bit) of a read name.
fn name_hashes(name: &[u8]) -> (u64, bool) {
    (fnv1a(name), htslib_first_keeps(name))
}

const NT16: &[u8; 16] = b"=ACMGRSVTWYHKDBN";

fn decode_kind(code: u32) -> io::Result<Kind> {
    Ok(match code {
        0 => Kind::Match,
        1 => Kind::Insertion,
        2 => Kind::Deletion,
        3 => Kind::Skip,
        4 => Kind::SoftClip,
        5 => Kind::HardClip,
        6 => Kind::Pad,
        7 => Kind::SequenceMatch,
        8 => Kind::SequenceMismatch,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid CIGAR operation code {code}"),
            ));
        }
    })
}

impl AlignedRead for bam::Record {
    fn flag_bits(&self) -> u16 {
        u16::from(self.flags())
    }
    fn tid(&self) -> io::Result<Option<usize>> {
        self.reference_sequence_id().transpose()
    }
    fn start0(&self) -> io::Result<Option<u64>> {
        Ok(self
            .alignment_start()
            .transpose()?
            .map(|p| usize::from(p) as u64 - 1))
    }
    fn mapq(&self) -> u8 {
        self.mapping_quality().map(u8::from).unwrap_or(255)
    }
    fn cigar_into(&self, buf: &mut Vec<(Kind, u32)>) -> io::Result<()> {
        buf.clear();
        let (chunks, rest) = self.cigar().as_bytes().as_chunks::<4>();
        if !rest.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "truncated CIGAR",
            ));
        }
        for c in chunks {
            let n = u32::from_le_bytes(*c);
            buf.push((decode_kind(n & 0xf)?, n >> 4));
        }
        Ok(())
    }
    fn seq_len(&self) -> usize {
        self.sequence().len()
    }
    fn base(&self, i: usize) -> u8 {
        let bytes = self.sequence().as_bytes();
        let Some(&b) = bytes.get(i / 2) else {
            return b'N';
        };
        let code = if i.is_multiple_of(2) { b >> 4 } else { b & 0xf };
        NT16[code as usize]
    }
    fn qual(&self, i: usize) -> u8 {
        self.quality_scores()
            .as_bytes()
            .get(i)
            .copied()
            .unwrap_or(0)
    }
    fn name_hashes(&self) -> (u64, bool) {
        name_hashes(self.name().map(|n| n.as_ref()).unwrap_or(&[]))
    }
    fn mate_tid(&self) -> io::Result<Option<usize>> {
        self.mate_reference_sequence_id().transpose()
    }
    fn mate_start0(&self) -> io::Result<Option<u64>> {
        Ok(self
            .mate_alignment_start()
            .transpose()?
            .map(|p| usize::from(p) as u64 - 1))
    }
    fn tlen(&self) -> i32 {
        self.template_length()
    }
}

impl AlignedRead for sam::alignment::RecordBuf {
    fn flag_bits(&self) -> u16 {
        u16::from(self.flags())
    }
    fn tid(&self) -> io::Result<Option<usize>> {
        Ok(self.reference_sequence_id())
    }
    fn start0(&self) -> io::Result<Option<u64>> {
        Ok(self.alignment_start().map(|p| usize::from(p) as u64 - 1))
    }
    fn mapq(&self) -> u8 {
        self.mapping_quality().map(u8::from).unwrap_or(255)
    }
    fn cigar_into(&self, buf: &mut Vec<(Kind, u32)>) -> io::Result<()> {
        buf.clear();
        for op in self.cigar().as_ref() {
            buf.push((op.kind(), op.len() as u32));
        }
        Ok(())
    }
    fn seq_len(&self) -> usize {
        self.sequence().len()
    }
    fn base(&self, i: usize) -> u8 {
        self.sequence()
            .as_ref()
            .get(i)
            .map(|b| b.to_ascii_uppercase())
            .unwrap_or(b'N')
    }
    fn qual(&self, i: usize) -> u8 {
        self.quality_scores().as_ref().get(i).copied().unwrap_or(0)
    }
    fn name_hashes(&self) -> (u64, bool) {
        name_hashes(self.name().map(|n| n.as_ref()).unwrap_or(&[]))
    }
    fn mate_tid(&self) -> io::Result<Option<usize>> {
        Ok(self.mate_reference_sequence_id())
    }
    fn mate_start0(&self) -> io::Result<Option<u64>> {
        Ok(self
            .mate_alignment_start()
            .map(|p| usize::from(p) as u64 - 1))
    }
    fn tlen(&self) -> i32 {
        self.template_length()
    }
}

const FLAG_PAIRED: u16 = 0x1;
const FLAG_PROPER: u16 = 0x2;
const FLAG_UNMAPPED: u16 = 0x4;
const FLAG_MATE_UNMAPPED: u16 = 0x8;
const FLAG_SECONDARY: u16 = 0x100;
const FLAG_QCFAIL: u16 = 0x200;
const FLAG_DUP: u16 = 0x400;
const FLAG_SUPPLEMENTARY: u16 = 0x800;
const SKIP_FLAGS: u16 =
    FLAG_UNMAPPED | FLAG_SECONDARY | FLAG_QCFAIL | FLAG_DUP | FLAG_SUPPLEMENTARY;

/// What a read shows at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Ref,
    Alt,
    Other,
}

/// One read's observation at one site.
#[derive(Debug, Clone, Copy)]
struct Obs {
    name_hash: u64,
    /// htslib's keeper bit for the pair (see [`htslib_first_keeps`]).
    first_keeps: bool,
    /// Reference positions skipped (deletion / ref skip) between the read's
    /// previous aligned base and its base at the site: 0 = contiguous,
    /// `u16::MAX` = no previous aligned base (longer gaps saturate below it;
    /// `u16` keeps `Obs` at 16 bytes).
    gap: u16,
    /// Proper pair, mate mapped on the same contig: htslib overlap candidate.
    pairable: bool,
    /// Mate still to come in file order (htslib stores it in its overlap hash).
    mate_later: bool,
    /// Read base at the site / anchor (0 if the read has no aligned base there).
    base: u8,
    /// Quality of that base (adjusted for overlapping mates in `finish`).
    qual: u8,
    call: Option<Call>,
}

struct GroupCounter<'a> {
    /// (marker index, site) sorted by position.
    sites: Vec<(usize, &'a Site)>,
    max_span: u64,
    obs: Vec<Vec<Obs>>,
    seen: Vec<u32>,
    filter: &'a PileupFilter,
    cigar: Vec<(Kind, u32)>,
    ins: Vec<u8>,
}

impl<'a> GroupCounter<'a> {
    fn new(group: &Group, sites: &'a [(usize, Site)], filter: &'a PileupFilter) -> Self {
        let s: Vec<(usize, &Site)> = group.members.iter().map(|&i| (i, &sites[i].1)).collect();
        let max_span = s.iter().map(|(_, x)| x.last0 - x.pos0).max().unwrap_or(0);
        let n = s.len();
        GroupCounter {
            sites: s,
            max_span,
            obs: vec![Vec::new(); n],
            seen: vec![0; n],
            filter,
            cigar: Vec::new(),
            ins: Vec::new(),
        }
    }

    fn push<R: AlignedRead>(&mut self, read: &R) -> io::Result<()> {
        let flags = read.flag_bits();
        if flags & SKIP_FLAGS != 0 {
            return Ok(());
        }
        if read.mapq() < self.filter.min_mapping_quality {
            return Ok(());
        }
        if !self.filter.count_orphans && flags & FLAG_PAIRED != 0 && flags & FLAG_PROPER == 0 {
            return Ok(());
        }
        let (Some(start), Some(tid)) = (read.start0()?, read.tid()?) else {
            return Ok(());
        };
        read.cigar_into(&mut self.cigar)?;
        let ref_len: u64 = self
            .cigar
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k,
                    Kind::Match
                        | Kind::Deletion
                        | Kind::Skip
                        | Kind::SequenceMatch
                        | Kind::SequenceMismatch
                )
            })
            .map(|&(_, l)| l as u64)
            .sum();
        let end = start + ref_len.max(1); // exclusive
        // Sites whose anchor lies inside [start, end).
        let lo = start.saturating_sub(self.max_span);
        let first = self.sites.partition_point(|(_, s)| s.pos0 < lo);
        let mut pair_info: Option<((u64, bool), bool, bool)> = None;
        for k in first..self.sites.len() {
            let site = self.sites[k].1;
            if site.pos0 >= end {
                break;
            }
            if site.pos0 < start {
                continue;
            }
            if let Some(max) = self.filter.max_depth
                && self.seen[k] >= max
            {
                continue;
            }
            self.seen[k] += 1;
            let (base, qual, call, gap) =
                classify(read, &self.cigar, start, end, site, &mut self.ins);
            if call.is_none() && base == 0 {
                continue;
            }
            let ((name_hash, first_keeps), pairable, mate_later) = match pair_info {
                Some(p) => p,
                None => {
                    let p = pair_fields(read, flags, tid, start, end)?;
                    pair_info = Some(p);
                    p
                }
            };
            self.obs[k].push(Obs {
                name_hash,
                first_keeps,
                gap,
                pairable,
                mate_later,
                base,
                qual,
                call,
            });
        }
        Ok(())
    }

    fn finish(mut self) -> Vec<(usize, AlleleCounts)> {
        let min_q = self.filter.min_base_quality;
        let mut out = Vec::with_capacity(self.sites.len());
        let mut waiting: HashMap<u64, usize> = HashMap::new();
        for (k, obs) in self.obs.iter_mut().enumerate() {
            let is_snv = matches!(self.sites[k].1.kind, SiteKind::Snv { .. });
            waiting.clear();
            for j in 0..obs.len() {
                if !obs[j].pairable {
                    continue;
                }
                let h = obs[j].name_hash;
                if let Some(i) = waiting.remove(&h) {
                    if is_snv {
                        tweak_overlap_snv(obs, i, j);
                    } else if obs[i].call.is_some() && obs[j].call.is_some() {
                        tweak_overlap(obs, i, j);
                    }
                } else if obs[j].mate_later {
                    waiting.insert(h, j);
                }
            }
            let mut c = AlleleCounts::default();
            for o in obs.iter() {
                if o.qual < min_q {
                    continue;
                }
                match o.call {
                    Some(Call::Ref) => c.ref_count += 1,
                    Some(Call::Alt) => c.alt_count += 1,
                    Some(Call::Other) => c.other += 1,
                    None => {}
                }
            }
            out.push((self.sites[k].0, c));
        }
        out
    }
}

/// htslib 1.16 `tweak_overlap_quality` at an SNV site: `a` is the
/// mate that came first in file order, `b` the later one.
///
/// * htslib walks the overlap once per pair and, when the later mate `b`
///   jumps over a deletion that `a` does not share, never compares the
///   first base after it: both mates keep their qualities there (both are
///   counted). That is the case when `b` has a gap before the site and `a`
///   has an aligned base inside that gap (`a.gap < b.gap`).
/// * Agreeing bases: one mate keeps `min(q1 + q2, 200)`, the other 0.
/// * Disagreeing bases: the higher quality keeps `0.8·q`, the other 0; on
///   equal qualities the name hash decides ([`htslib_first_keeps`]).
fn tweak_overlap_snv(obs: &mut [Obs], a: usize, b: usize) {
    if obs[a].base == 0 || obs[b].base == 0 {
        return;
    }
    if obs[b].gap != u16::MAX && obs[b].gap > 0 && obs[a].gap < obs[b].gap {
        return;
    }
    let (qa, qb) = (obs[a].qual, obs[b].qual);
    let first = obs[a].first_keeps;
    let (keep, drop, q) = if obs[a].base == obs[b].base {
        let q = (u32::from(qa) + u32::from(qb)).min(200) as u8;
        if first { (a, b, q) } else { (b, a, q) }
    } else if qa > qb || (qa == qb && first) {
        (a, b, (0.8 * f64::from(qa)) as u8)
    } else {
        (b, a, (0.8 * f64::from(qb)) as u8)
    };
    obs[keep].qual = q;
    obs[drop].qual = 0;
}

/// Overlapping mates at an indel site: counted once, the mate first in
/// file order unless only the other is informative (see the module docs;
/// bcftools counts both there).
fn tweak_overlap(obs: &mut [Obs], a: usize, b: usize) {
    if obs[a].base == 0 || obs[b].base == 0 {
        return;
    }
    if obs[a].base == obs[b].base {
        let q = obs[a].qual as u32 + obs[b].qual as u32;
        obs[a].qual = q.min(200) as u8;
        obs[b].qual = 0;
    } else if obs[a].qual >= obs[b].qual {
        obs[a].qual = (0.8 * obs[a].qual as f64) as u8;
        obs[b].qual = 0;
    } else {
        obs[b].qual = (0.8 * obs[b].qual as f64) as u8;
        obs[a].qual = 0;
    }
}

/// (name hash, overlap candidate, mate still to come), as htslib's
/// `overlap_push` decides them.
fn pair_fields<R: AlignedRead>(
    read: &R,
    flags: u16,
    tid: usize,
    start: u64,
    end: u64,
) -> io::Result<((u64, bool), bool, bool)> {
    let mate_tid = read.mate_tid()?;
    let mate_start = read.mate_start0()?;
    let mut pairable = flags & FLAG_MATE_UNMAPPED == 0 && flags & FLAG_PROPER != 0;
    if mate_tid.is_some_and(|m| m != tid) {
        pairable = false;
    }
    let tlen = (read.tlen() as i64).unsigned_abs();
    if tlen >= 2 * read.seq_len() as u64 && mate_start.is_some_and(|m| m >= end) {
        pairable = false;
    }
    let mate_later = match mate_start {
        Some(m) => m >= start,
        None => flags & FLAG_PAIRED != 0,
    };
    Ok((read.name_hashes(), pairable, mate_later))
}

/// Classifies one read at one site: (base at the site/anchor or 0, its
/// quality, call). `None` call = the read overlaps but is not counted.
fn classify<R: AlignedRead>(
    read: &R,
    cigar: &[(Kind, u32)],
    start: u64,
    end: u64,
    site: &Site,
    ins_buf: &mut Vec<u8>,
) -> (u8, u8, Option<Call>, u16) {
    let pos0 = site.pos0;
    let mut r = start;
    let mut q: usize = 0;
    let mut anchor: Option<usize> = None;
    // End (exclusive) of the last aligned block before the anchor's, and the
    // gap between the anchor and the previous aligned base.
    let mut last_aligned_end: Option<u64> = None;
    let mut gap = u16::MAX;
    let mut alt = false;
    let mut disturbed = false;
    for &(kind, len) in cigar {
        let l = len as u64;
        match kind {
            Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                if pos0 >= r && pos0 < r + l {
                    anchor = Some(q + (pos0 - r) as usize);
                    gap = if pos0 > r {
                        0
                    } else {
                        last_aligned_end.map_or(u16::MAX, |e| {
                            u16::try_from(pos0.saturating_sub(e)).unwrap_or(u16::MAX - 1)
                        })
                    };
                } else if r + l <= pos0 {
                    last_aligned_end = Some(r + l);
                }
                r += l;
                q += len as usize;
            }
            Kind::Insertion => {
                if r > 0 && !matches!(site.kind, SiteKind::Snv { .. }) {
                    let after = r - 1;
                    ins_buf.clear();
                    ins_buf.extend((q..q + len as usize).map(|i| read.base(i)));
                    if site.matches_insertion(after, ins_buf) {
                        alt = true;
                    } else if after >= pos0 && after < site.last0 {
                        disturbed = true;
                    }
                }
                q += len as usize;
            }
            Kind::Deletion | Kind::Skip => {
                if kind == Kind::Deletion && site.matches_deletion(r, len) {
                    alt = true;
                } else if r <= site.last0 && r + l > pos0 {
                    disturbed = true;
                }
                r += l;
            }
            Kind::SoftClip => q += len as usize,
            Kind::HardClip | Kind::Pad => {}
        }
        if r > site.last0 + 1 && kind != Kind::Insertion {
            // Past the window: an insertion right after last0 would not matter.
            break;
        }
    }
    let Some(aq) = anchor else {
        return (0, 0, None, u16::MAX);
    };
    let mut base = read.base(aq);
    let qual = read.qual(aq);
    match &site.kind {
        SiteKind::Snv { ref_base, alt_base } => {
            if base == b'=' {
                base = *ref_base;
            }
            let call = if base == *ref_base {
                Some(Call::Ref)
            } else if base == *alt_base {
                Some(Call::Alt)
            } else if matches!(base, b'A' | b'C' | b'G' | b'T') {
                Some(Call::Other)
            } else {
                None
            };
            (base, qual, call, gap)
        }
        _ => {
            let call = if alt {
                Some(Call::Alt)
            } else if disturbed {
                Some(Call::Other)
            } else if end > site.last0 {
                Some(Call::Ref)
            } else {
                None
            };
            (base, qual, call, gap)
        }
    }
}

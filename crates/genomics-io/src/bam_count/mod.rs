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
//!
//! Files: `index` (format, index, readers, region fetch), `group` (region
//! planning), `read` (BAM/CRAM record adapters), `classify` (one read at one
//! marker), `overlap` (htslib's overlapping-mate rules), `counter` (a
//! group's reads to counts).

mod classify;
mod counter;
mod cram_bounds;
mod group;
mod header_bounds;
mod index;
mod overlap;
mod read;
mod record_bounds;
#[cfg(test)]
mod test_util;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use graftwatch_chimerism::marker::{AlleleCounts, Marker};
use noodles::sam;

use self::counter::GroupCounter;
use self::group::{Group, group_sites};
use self::index::{Source, detect_format};
use crate::fasta::{FastaError, Reference};
use crate::marker_site::{Site, SiteError};

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
    /// The CRAM's containers, blocks or index fail the bounded walk done
    /// before decoding (truncated file, sizes past the data or the caps,
    /// an index that belongs to another file).
    #[error("{path}: corrupt or truncated CRAM: {source}")]
    CramStructure {
        /// File.
        path: PathBuf,
        /// What is wrong, where.
        #[source]
        source: io::Error,
    },
    /// noodles' CRAM decoder panicked on this file (contained by
    /// [`crate::decoder_guard`]): a corrupt CRAM.
    #[error(
        "{path}: corrupt CRAM: the decoder failed reading {region} ({message}); \
         if `samtools view` reads this file without error, please report it"
    )]
    CramDecoder {
        /// File.
        path: PathBuf,
        /// The region being read, or `header`.
        region: String,
        /// The decoder's panic message.
        message: String,
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
    /// The operating system refused a counting thread (not an input problem).
    #[error("internal error: cannot start a counting thread: {0}")]
    WorkerSpawn(std::io::ErrorKind),
}

impl BamCountError {
    /// Whether the error is a failure of graftwatch or of the machine (a
    /// counting thread panicked or could not start) rather than of the input.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::WorkerPanicked | Self::WorkerSpawn(_))
    }
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

/// Indexes the CRAM at `path` (writes `PATH.crai`, one entry per slice
/// from the container headers) after a bounded walk over its containers
/// and blocks: a corrupt or truncated CRAM is an error naming the file, not
/// an allocation of what it declares. Returns the index path.
pub fn index_cram(path: &Path) -> Result<PathBuf, BamCountError> {
    index::write_crai(path)
}

/// The bounded walk over a whole BAM, header ([`header_bounds`]) and every
/// record's declared size and reference id ([`record_bounds`]), for the
/// rest of the crate: `ngs_run::index_bam` runs it before noodles indexes
/// an upload (noodles allocates each header field and record at its
/// declared size and grows its tables up to each record's reference id).
pub(crate) fn check_bam_bounds<R: io::Read>(reader: R) -> io::Result<()> {
    record_bounds::check_bam(reader)
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
    let source = Source::open(path, format, reference_seqs.as_ref())?;
    let resolved = resolve_sites(
        path,
        reference.zip(reference_seqs.as_ref()),
        source.header(),
        markers,
        skip_missing,
    )?;
    let groups = group_sites(&resolved.sites);
    let mut results: Vec<Option<AlleleCounts>> = vec![None; markers.len()];
    for &mi in &resolved.site_marker {
        results[mi] = Some(AlleleCounts::default());
    }
    for (i, c) in count_groups(path, &source, &groups, &resolved.sites, filter, threads)? {
        results[resolved.site_marker[i]] = Some(c);
    }
    Ok(BamCounts {
        counts: results,
        missing_contigs: resolved.missing_contigs,
    })
}

/// The markers of a run resolved against the alignment header (contig
/// index) and the reference (REF check, indel slide range).
struct ResolvedSites {
    /// (contig index, site) of every countable marker.
    sites: Vec<(usize, Site)>,
    /// Panel index of each entry of `sites`.
    site_marker: Vec<usize>,
    /// Panel contigs absent from the header, with their marker counts.
    missing_contigs: Vec<(String, usize)>,
}

fn resolve_sites(
    path: &Path,
    reference: Option<(&Path, &Reference)>,
    header: &sam::Header,
    markers: &[Marker],
    skip_missing: bool,
) -> Result<ResolvedSites, BamCountError> {
    let mut out = ResolvedSites {
        sites: Vec::with_capacity(markers.len()),
        site_marker: Vec::with_capacity(markers.len()),
        missing_contigs: Vec::new(),
    };
    for (mi, m) in markers.iter().enumerate() {
        if reference.is_none() && m.is_indel() {
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
            match out.missing_contigs.iter_mut().find(|(c, _)| *c == m.chrom) {
                Some(e) => e.1 += 1,
                None => out.missing_contigs.push((m.chrom.clone(), 1)),
            }
            continue;
        };
        let contig_seq = match reference {
            Some((rp, r)) => {
                Some(
                    r.get(&m.chrom)
                        .ok_or_else(|| BamCountError::ContigNotInReference {
                            path: rp.to_path_buf(),
                            marker: m.id.clone(),
                            contig: m.chrom.clone(),
                        })?,
                )
            }
            None => None,
        };
        out.sites.push((tid, Site::resolve(m, contig_seq)?));
        out.site_marker.push(mi);
    }
    Ok(out)
}

/// Stack of each counting thread (16 MiB). noodles-cram's rANS Nx16 and
/// arithmetic decoders keep their frequency tables on the stack, about
/// 0.8 MB a call in an optimised build, and a striped block calls the
/// decoder again from inside it: two calls and their callers overflowed a
/// spawned thread's default 2 MiB (a segmentation fault, found by the
/// `cram_count` fuzz target, docs/fuzzing.md). Deeper nesting is refused
/// by `cram_bounds` (no stripe inside a stripe), so 16 MiB holds the
/// deepest call with a wide margin, in debug builds too; the pages are
/// only touched where used.
pub const COUNTING_THREAD_STACK_BYTES: usize = 16 << 20;

/// Counts every group on a bounded pool of `threads` workers, each with its
/// own reader; the first error stops the others, a panicking worker is an
/// internal error. Returns (index into `sites`, counts).
fn count_groups(
    path: &Path,
    source: &Source,
    groups: &[Group],
    sites: &[(usize, Site)],
    filter: &PileupFilter,
    threads: usize,
) -> Result<Vec<(usize, AlleleCounts)>, BamCountError> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<BamCountError>> = Mutex::new(None);
    let collected: Mutex<Vec<(usize, AlleleCounts)>> = Mutex::new(Vec::new());
    let stop = || first_error.lock().map(|e| e.is_some()).unwrap_or(true);
    let worker = || -> Result<Vec<(usize, AlleleCounts)>, BamCountError> {
        let mut out = Vec::new();
        let mut reader = source.open_reader(path)?;
        loop {
            let g = next.fetch_add(1, Ordering::Relaxed);
            if g >= groups.len() || stop() {
                return Ok(out);
            }
            let mut counter = GroupCounter::new(&groups[g], sites, filter);
            reader.fetch(path, source.header(), &groups[g], &mut counter)?;
            out.extend(counter.finish());
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1).min(groups.len()))
            .map(|_| {
                let builder = std::thread::Builder::new()
                    .name("graftwatch-count".into())
                    .stack_size(COUNTING_THREAD_STACK_BYTES);
                builder.spawn_scoped(scope, || match worker() {
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
                })
            })
            .collect();
        for h in handles {
            let h = match h {
                Ok(h) => h,
                Err(e) => {
                    if let Ok(mut slot) = first_error.lock() {
                        slot.get_or_insert(BamCountError::WorkerSpawn(e.kind()));
                    }
                    continue;
                }
            };
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
    collected
        .into_inner()
        .map_err(|_| BamCountError::WorkerPanicked)
}

//! Alignment-free allele counting from FASTQ(.gz) reads of an amplicon panel.
//!
//! For every marker two short haplotypes are cut from the reference — REF
//! and ALT, each with flanks of `k + 24` bases (more for indels in
//! repeats). All their k-mers (both strands, canonical 2-bit codes) go into
//! one hash; k-mers found at more than one marker are dropped. A read is
//! located on a marker and strand by its exact k-mer hits (one hit is
//! enough), which also give the read's offset (diagonal) on each haplotype.
//! The read is then compared base by base with both haplotypes over the
//! window where they differ (plus 5 bases each side); bases with quality
//! below 13 (the BAM counter's default) are ignored. A read supports the
//! allele with fewer mismatches provided it has at most `max_mismatches`
//! there; reads matching both equally or neither are counted as `other`;
//! reads whose variant bases are all low quality, or that do not cover the
//! window, are not counted. Mates of a pair are classified separately and
//! counted once: the same allele once, conflicting alleles once as `other`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use graftwatch_chimerism::marker::{AlleleCounts, Marker};

use crate::fasta::{FastaError, Reference};
use crate::fastq_reader::{FastqError, FastqReader, ReadBatch};
use crate::kmer::{KmerRoller, KmerTable, complement};
use crate::marker_site::{Site, SiteError, SiteKind};

/// Options of the FASTQ counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastqCountOptions {
    /// k-mer length used to locate reads (odd, 11..=31; default 25).
    pub k: usize,
    /// Maximum mismatches (at bases with quality ≥ 13) between the read and
    /// the supported allele's haplotype over the comparison window
    /// (default 2).
    pub max_mismatches: u8,
    /// Classification threads (default 2). One decompression/parsing thread
    /// per input file runs in addition.
    pub threads: usize,
}

impl Default for FastqCountOptions {
    fn default() -> Self {
        FastqCountOptions {
            k: 25,
            max_mismatches: 2,
            threads: 2,
        }
    }
}

/// Errors of the FASTQ counter.
#[derive(Debug, thiserror::Error)]
pub enum FastqCountError {
    /// Options out of range.
    #[error("invalid FASTQ counting option: {0}")]
    Options(String),
    /// Zero or more than two FASTQ files.
    #[error("expected one FASTQ file (single-end) or two (R1,R2 paired), got {0}")]
    FileCount(usize),
    /// The reference cannot be read.
    #[error(transparent)]
    Reference(#[from] FastaError),
    /// A marker's contig is not in the reference.
    #[error("{path}: marker {marker} is on contig '{contig}', which is not in the reference")]
    ContigNotInReference {
        /// Reference file.
        path: PathBuf,
        /// Marker id.
        marker: String,
        /// Contig.
        contig: String,
    },
    /// A marker cannot be counted.
    #[error(transparent)]
    Marker(#[from] SiteError),
    /// A FASTQ file cannot be read or is malformed.
    #[error(transparent)]
    Fastq(#[from] FastqError),
    /// R1 and R2 disagree (different read names or numbers of records).
    #[error("paired FASTQ {r1} / {r2}, record {record}: {reason}")]
    PairMismatch {
        /// R1 file.
        r1: PathBuf,
        /// R2 file.
        r2: PathBuf,
        /// 1-based record number.
        record: u64,
        /// What differs.
        reason: String,
    },
    /// A worker thread panicked (a bug, not an input problem).
    #[error("internal error: a FASTQ counting thread panicked")]
    WorkerPanicked,
}

/// Extra flank beyond k on each side of the variant.
const FLANK_EXTRA: usize = 24;
/// Bases compared on each side of the differing region.
const PAD: usize = 5;
/// Bases below this Phred quality are ignored in comparisons (as `-Q 13`).
const MIN_BASE_QUALITY: u8 = 13;
/// Only every s-th k-mer of a read is looked up, with s chosen so that a
/// read gets at least `MIN_LOOKUPS` lookups (s = 8 for a 150-bp read at
/// k = 25: 16 lookups; s = 5 for 100 bp; shorter reads get a smaller
/// stride, down to every k-mer) and sampled k-mers are never more than
/// `MAX_LOOKUP_STRIDE` bases apart. One exact hit locates a read, so this is
/// plenty despite sequencing errors, at a fraction of the hashing and
/// vote-sorting cost.
const MIN_LOOKUPS: usize = 15;
/// Largest lookup stride.
const MAX_LOOKUP_STRIDE: usize = 8;

/// Lookup stride for a read of `n` bases (n ≥ k).
fn lookup_stride(n: usize, k: usize) -> usize {
    ((n + 1 - k) / MIN_LOOKUPS).clamp(1, MAX_LOOKUP_STRIDE)
}
/// Reads per batch handed to a worker.
const BATCH: usize = 8192;

#[derive(Debug, Clone, Copy)]
struct Posting {
    marker: u32,
    hap: u8,
    /// k-mer's forward code is its canonical code.
    canon_fwd: bool,
    offset: u32,
}

#[derive(Debug)]
struct MarkerModel {
    haps: [Vec<u8>; 2],
    /// Comparison window per haplotype.
    win: [(usize, usize); 2],
    /// Differing region per haplotype.
    diff: [(usize, usize); 2],
}

struct Index {
    k: usize,
    max_mm: u32,
    models: Vec<MarkerModel>,
    table: KmerTable<Posting>,
}

/// Counts reads supporting REF/ALT/other at every marker, in marker order.
/// `fastqs` is one file (single-end) or two (R1, R2); plain or gzip/BGZF.
pub fn count_fastq(
    fastqs: &[PathBuf],
    reference: &Path,
    markers: &[Marker],
    opts: &FastqCountOptions,
) -> Result<Vec<AlleleCounts>, FastqCountError> {
    check_options(fastqs, opts)?;
    let refseq = Reference::read(reference)?;
    let index = Arc::new(build_index(&refseq, reference, markers, opts)?);
    let mut readers = Vec::new();
    for p in fastqs {
        readers.push(FastqReader::open(p)?);
    }
    let (receivers, reader_handles) = spawn_readers(readers);

    let (work_tx, work_rx) = sync_channel::<(ReadBatch, Option<ReadBatch>)>(opts.threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let mut workers = Vec::new();
    for _ in 0..opts.threads {
        let rx = Arc::clone(&work_rx);
        let index = Arc::clone(&index);
        workers.push(std::thread::spawn(move || worker(&index, &rx)));
    }

    let feed = feed_batches(fastqs, &receivers, &work_tx);
    drop(work_tx);
    drop(receivers);
    let (totals, mut panicked) = sum_workers(workers, markers.len());
    for h in reader_handles {
        if h.join().is_err() {
            panicked = true;
        }
    }
    feed?;
    if panicked {
        return Err(FastqCountError::WorkerPanicked);
    }
    Ok(totals)
}

/// Checks the options and the number of files before anything is read.
fn check_options(fastqs: &[PathBuf], opts: &FastqCountOptions) -> Result<(), FastqCountError> {
    if opts.k.is_multiple_of(2) || !(11..=31).contains(&opts.k) {
        return Err(FastqCountError::Options(format!(
            "k = {} (expected an odd number from 11 to 31)",
            opts.k
        )));
    }
    if opts.threads == 0 {
        return Err(FastqCountError::Options(
            "threads = 0 (expected ≥ 1)".into(),
        ));
    }
    if fastqs.is_empty() || fastqs.len() > 2 {
        return Err(FastqCountError::FileCount(fastqs.len()));
    }
    Ok(())
}

/// A batch of reads or the error that ended a file.
type BatchMsg = Result<ReadBatch, FastqError>;

/// One reader thread per file, sending its batches in order (the first
/// error ends that file's stream).
fn spawn_readers(
    readers: Vec<FastqReader>,
) -> (Vec<Receiver<BatchMsg>>, Vec<std::thread::JoinHandle<()>>) {
    let mut receivers: Vec<Receiver<BatchMsg>> = Vec::new();
    let mut handles = Vec::new();
    for mut reader in readers {
        let (tx, rx) = sync_channel::<BatchMsg>(4);
        receivers.push(rx);
        handles.push(std::thread::spawn(move || {
            loop {
                let mut b = ReadBatch::default();
                match reader.read_batch(&mut b, BATCH) {
                    Ok(0) => break,
                    Ok(_) => {
                        if tx.send(Ok(b)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        }));
    }
    (receivers, handles)
}

/// Joins the classification workers and adds up their counts per marker;
/// `true` when one of them panicked.
fn sum_workers(
    workers: Vec<std::thread::JoinHandle<Vec<AlleleCounts>>>,
    n_markers: usize,
) -> (Vec<AlleleCounts>, bool) {
    let mut totals = vec![AlleleCounts::default(); n_markers];
    let mut panicked = false;
    for w in workers {
        match w.join() {
            Ok(local) => {
                for (t, l) in totals.iter_mut().zip(local) {
                    t.ref_count += l.ref_count;
                    t.alt_count += l.alt_count;
                    t.other += l.other;
                }
            }
            Err(_) => panicked = true,
        }
    }
    (totals, panicked)
}

fn feed_batches(
    fastqs: &[PathBuf],
    receivers: &[Receiver<Result<ReadBatch, FastqError>>],
    work_tx: &SyncSender<(ReadBatch, Option<ReadBatch>)>,
) -> Result<(), FastqCountError> {
    let mut record: u64 = 0;
    loop {
        let b1 = match receivers[0].recv() {
            Ok(r) => Some(r?),
            Err(_) => None,
        };
        let b2 = match receivers.get(1) {
            Some(rx) => match rx.recv() {
                Ok(r) => Some(r?),
                Err(_) => None,
            },
            None => None,
        };
        match (b1, b2, receivers.len()) {
            (None, None, _) => return Ok(()),
            (Some(b1), None, 1) => {
                record += b1.len() as u64;
                if work_tx.send((b1, None)).is_err() {
                    return Ok(());
                }
            }
            (Some(b1), Some(b2), 2) => {
                for i in 0..b1.len().min(b2.len()) {
                    if b1.name(i) != b2.name(i) {
                        return Err(FastqCountError::PairMismatch {
                            r1: fastqs[0].clone(),
                            r2: fastqs[1].clone(),
                            record: record + i as u64 + 1,
                            reason: format!(
                                "read names differ ({} vs {}); the files must list mates in the same order",
                                graftwatch_core::shown::shown_bytes(b1.name(i), 60),
                                graftwatch_core::shown::shown_bytes(b2.name(i), 60)
                            ),
                        });
                    }
                }
                if b1.len() != b2.len() {
                    return Err(FastqCountError::PairMismatch {
                        r1: fastqs[0].clone(),
                        r2: fastqs[1].clone(),
                        record: record + b1.len().min(b2.len()) as u64 + 1,
                        reason: "one file has more records than the other".into(),
                    });
                }
                record += b1.len() as u64;
                if work_tx.send((b1, Some(b2))).is_err() {
                    return Ok(());
                }
            }
            _ => {
                return Err(FastqCountError::PairMismatch {
                    r1: fastqs[0].clone(),
                    r2: fastqs[1].clone(),
                    record: record + 1,
                    reason: "one file has more records than the other".into(),
                });
            }
        }
    }
}

fn build_index(
    refseq: &Reference,
    ref_path: &Path,
    markers: &[Marker],
    opts: &FastqCountOptions,
) -> Result<Index, FastqCountError> {
    let k = opts.k;
    if markers.len() > MAX_MARKERS {
        return Err(FastqCountError::Options(format!(
            "{} markers (at most {MAX_MARKERS} can be counted from FASTQ)",
            markers.len()
        )));
    }
    let mut models = Vec::with_capacity(markers.len());
    let mut entries: Vec<(u64, Posting)> = Vec::new();
    for (mi, m) in markers.iter().enumerate() {
        let contig = refseq
            .get(&m.chrom)
            .ok_or_else(|| FastqCountError::ContigNotInReference {
                path: ref_path.to_path_buf(),
                marker: m.id.clone(),
                contig: m.chrom.clone(),
            })?;
        let model = marker_model(m, contig, k)?;
        push_postings(&mut entries, mi as u32, &model.haps, k);
        models.push(model);
    }
    Ok(Index {
        k,
        max_mm: opts.max_mismatches as u32,
        models,
        table: KmerTable::build(unique_to_one_marker(entries)),
    })
}

/// The REF and ALT haplotypes of a marker with `k` + [`FLANK_EXTRA`] bases
/// of flank (more for indels, so that a shifted repeat is covered), the
/// region where they differ and the comparison window around it.
fn marker_model(m: &Marker, contig: &[u8], k: usize) -> Result<MarkerModel, FastqCountError> {
    let site = Site::resolve(m, Some(contig))?;
    let shift = match site.kind {
        SiteKind::Snv { .. } => 0,
        SiteKind::Deletion { shift, len, .. } => (shift + len) as usize,
        SiteKind::Insertion { shift, ref seq, .. } => shift as usize + seq.len(),
    };
    let flank = k + FLANK_EXTRA + shift;
    let pos0 = site.anchor.zero_based() as usize;
    let ref_end = pos0 + m.ref_allele.len();
    let left = pos0.saturating_sub(flank);
    let right = (ref_end + flank).min(contig.len());
    let hap_ref = contig[left..right].to_vec();
    let mut hap_alt = contig[left..pos0].to_vec();
    hap_alt.extend(m.alt_allele.bytes().map(|b| b.to_ascii_uppercase()));
    hap_alt.extend_from_slice(&contig[ref_end..right]);
    let haps = [hap_ref, hap_alt];
    let diff = differing_regions(&haps);
    let win = [0, 1].map(|h| {
        (
            diff[h].0.saturating_sub(PAD),
            (diff[h].1 + PAD).min(haps[h].len()),
        )
    });
    Ok(MarkerModel { haps, win, diff })
}

/// The region of each haplotype outside their common prefix and suffix.
/// In a repeat the common prefix and suffix overlap: the region that may
/// differ then spans the whole repeat, so that a read placed with the wrong
/// diagonal cannot match inside the repeat's period.
fn differing_regions(haps: &[Vec<u8>; 2]) -> [(usize, usize); 2] {
    let min_len = haps[0].len().min(haps[1].len());
    let prefix = haps[0]
        .iter()
        .zip(&haps[1])
        .take_while(|(a, b)| a == b)
        .count()
        .min(min_len);
    let suffix = haps[0]
        .iter()
        .rev()
        .zip(haps[1].iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(min_len);
    [0, 1].map(|h| {
        let a = prefix;
        let b = haps[h].len() - suffix;
        (a.min(b), a.max(b))
    })
}

/// Every k-mer of both haplotypes of marker `mi`, keyed by canonical code.
fn push_postings(entries: &mut Vec<(u64, Posting)>, mi: u32, haps: &[Vec<u8>; 2], k: usize) {
    for (h, hap) in haps.iter().enumerate() {
        let mut roller = KmerRoller::new(k);
        for (i, &b) in hap.iter().enumerate() {
            if let Some((f, r)) = roller.push(b) {
                let offset = (i + 1 - k) as u32;
                entries.push((
                    f.min(r),
                    Posting {
                        marker: mi,
                        hap: h as u8,
                        canon_fwd: f <= r,
                        offset,
                    },
                ));
            }
        }
    }
}

/// Drops k-mers shared between markers (ambiguous placement); k-mers seen
/// more than once within one marker are kept.
fn unique_to_one_marker(mut entries: Vec<(u64, Posting)>) -> Vec<(u64, Posting)> {
    entries.sort_by_key(|e| (e.0, e.1.marker));
    let mut keep = Vec::with_capacity(entries.len());
    let mut i = 0;
    while i < entries.len() {
        let mut j = i;
        let mut multi = false;
        while j < entries.len() && entries[j].0 == entries[i].0 {
            multi |= entries[j].1.marker != entries[i].1.marker;
            j += 1;
        }
        if !multi {
            keep.extend_from_slice(&entries[i..j]);
        }
        i = j;
    }
    keep
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Ref,
    Alt,
    Other,
}

fn worker(
    index: &Index,
    rx: &Mutex<Receiver<(ReadBatch, Option<ReadBatch>)>>,
) -> Vec<AlleleCounts> {
    let mut counts = vec![AlleleCounts::default(); index.models.len()];
    let mut scratch = Scratch::default();
    let mut calls1: Vec<(u32, Call)> = Vec::new();
    let mut calls2: Vec<(u32, Call)> = Vec::new();
    loop {
        let msg = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => break,
        };
        let Ok((b1, b2)) = msg else {
            break;
        };
        for i in 0..b1.len() {
            classify_read(index, b1.seq(i), b1.qual(i), &mut scratch, &mut calls1);
            calls2.clear();
            if let Some(b2) = &b2 {
                classify_read(index, b2.seq(i), b2.qual(i), &mut scratch, &mut calls2);
            }
            // Merge mates: one count per marker per pair.
            for &(m, c) in &calls1 {
                let final_call = match calls2.iter().find(|(m2, _)| *m2 == m) {
                    Some(&(_, c2)) if c2 != c => Call::Other,
                    _ => c,
                };
                add(&mut counts[m as usize], final_call);
            }
            for &(m, c) in &calls2 {
                if !calls1.iter().any(|(m1, _)| *m1 == m) {
                    add(&mut counts[m as usize], c);
                }
            }
        }
    }
    counts
}

fn add(c: &mut AlleleCounts, call: Call) {
    match call {
        Call::Ref => c.ref_count += 1,
        Call::Alt => c.alt_count += 1,
        Call::Other => c.other += 1,
    }
}

/// A k-mer hit packed into one integer — marker (bits 39..64), read is on
/// the reverse strand (bit 38), haplotype (bit 37), diagonal + 2³⁶ (bits
/// 0..37) — so that sorting the integers sorts the hits by (marker, strand,
/// hap, diagonal).
type Vote = u64;

/// Bias added to a diagonal so that it packs as a non-negative number.
const DIAG_BIAS: i64 = 1 << 36;
/// Markers beyond this count cannot be packed into a [`Vote`].
const MAX_MARKERS: usize = 1 << 25;
/// Longer reads are not classified (their diagonals could not be packed).
const MAX_READ_LEN: usize = 1 << 35;

#[inline]
fn pack_vote(marker: u32, reverse: bool, hap: u8, diag: i64) -> Vote {
    ((marker as u64) << 39)
        | ((reverse as u64) << 38)
        | (((hap & 1) as u64) << 37)
        | (diag + DIAG_BIAS) as u64
}

#[inline]
fn vote_marker(v: Vote) -> u32 {
    (v >> 39) as u32
}

#[inline]
fn vote_reverse(v: Vote) -> bool {
    (v >> 38) & 1 == 1
}

#[inline]
fn vote_hap(v: Vote) -> usize {
    ((v >> 37) & 1) as usize
}

#[inline]
fn vote_diag(v: Vote) -> i64 {
    (v & ((1 << 37) - 1)) as i64 - DIAG_BIAS
}

#[derive(Default)]
struct Scratch {
    votes: Vec<Vote>,
    /// Canonical codes of the sampled k-mers of the current read.
    codes: Vec<u64>,
    /// Per sampled k-mer: (its forward code is the canonical one, start).
    starts: Vec<(bool, usize)>,
}

/// Classifies one read at every marker it hits; appends (marker, call).
fn classify_read(
    index: &Index,
    seq: &[u8],
    qual: &[u8],
    s: &mut Scratch,
    out: &mut Vec<(u32, Call)>,
) {
    out.clear();
    let k = index.k;
    let n = seq.len();
    if n < k || n >= MAX_READ_LEN {
        return;
    }
    s.votes.clear();
    s.codes.clear();
    s.starts.clear();
    let stride = lookup_stride(n, k);
    let mut roller = KmerRoller::new(k);
    // Sampled k-mers end at k - 1, k - 1 + stride, …: a countdown instead of
    // a division by the (variable) stride at every base.
    let mut countdown = k - 1;
    for (i, &b) in seq.iter().enumerate() {
        let sampled = countdown == 0;
        countdown = if sampled { stride - 1 } else { countdown - 1 };
        let Some((f, r)) = roller.push(b) else {
            continue;
        };
        if !sampled {
            continue;
        }
        s.codes.push(f.min(r));
        s.starts.push((f <= r, i + 1 - k));
    }
    let (starts, votes) = (&s.starts, &mut s.votes);
    index.table.for_each_get(&s.codes, |i, postings| {
        let (read_canon_fwd, start) = starts[i];
        for p in postings {
            let reverse = p.canon_fwd != read_canon_fwd;
            let rs = if reverse { n - start - k } else { start };
            votes.push(pack_vote(
                p.marker,
                reverse,
                p.hap,
                rs as i64 - p.offset as i64,
            ));
        }
    });
    if s.votes.is_empty() {
        return;
    }
    s.votes.sort_unstable();
    // Votes are sorted by (marker, strand, hap, diagonal): each marker's
    // block splits into a forward and a reverse run.
    let mut i = 0;
    while i < s.votes.len() {
        let marker = vote_marker(s.votes[i]);
        let mut j = i;
        while j < s.votes.len() && vote_marker(s.votes[j]) == marker {
            j += 1;
        }
        let split = i + s.votes[i..j].partition_point(|&v| !vote_reverse(v));
        let (fwd, rev) = (split - i, j - split);
        let (reverse, lo, hi) = if rev > fwd {
            (true, split, j)
        } else {
            (false, i, split)
        };
        let call = evaluate(index, marker as usize, reverse, &s.votes[lo..hi], seq, qual);
        if let Some(call) = call {
            out.push((marker, call));
        }
        i = j;
    }
}

/// Up to two most frequent diagonals for hap `h`. `votes` are one marker's
/// votes on one strand, sorted by (hap, diagonal). Without direct votes for
/// `h`, the other haplotype's diagonals are translated both ways (shared
/// prefix: same diagonal; shared suffix: shifted by the length difference).
fn candidate_diags(model: &MarkerModel, h: usize, votes: &[Vote]) -> [Option<i64>; 2] {
    let mut best: [(usize, Option<i64>); 2] = [(0, None), (0, None)];
    let mut consider = |count: usize, diag: i64| {
        if count > best[0].0 {
            best[1] = best[0];
            best[0] = (count, Some(diag));
        } else if count > best[1].0 {
            best[1] = (count, Some(diag));
        }
    };
    let lo = votes.partition_point(|&v| vote_hap(v) < h);
    let hi = votes.partition_point(|&v| vote_hap(v) <= h);
    if hi > lo {
        let mut i = lo;
        while i < hi {
            let mut j = i;
            while j < hi && votes[j] == votes[i] {
                j += 1;
            }
            consider(j - i, vote_diag(votes[i]));
            i = j;
        }
    } else {
        let g = 1 - h;
        let shift = model.haps[h].len() as i64 - model.haps[g].len() as i64;
        let lo = votes.partition_point(|&v| vote_hap(v) < g);
        let hi = votes.partition_point(|&v| vote_hap(v) <= g);
        let mut i = lo;
        while i < hi {
            let mut j = i;
            while j < hi && votes[j] == votes[i] {
                j += 1;
            }
            let diag = vote_diag(votes[i]);
            consider(j - i, diag);
            consider(j - i, diag - shift);
            i = j;
        }
    }
    [best[0].1, best[1].1]
}

/// Result of comparing a read with one haplotype.
#[derive(Debug, Clone, Copy)]
struct Cmp {
    mismatches: u32,
    /// High-quality read bases over the differing region.
    informative: u32,
}

/// A read seen on the marker's forward strand: the bases and qualities as
/// stored, read backwards and complemented when the read is on the reverse
/// strand (no copy is made).
#[derive(Clone, Copy)]
struct Oriented<'a> {
    seq: &'a [u8],
    qual: &'a [u8],
    reverse: bool,
}

impl Oriented<'_> {
    fn len(&self) -> usize {
        self.seq.len()
    }

    /// Base and Phred+33 quality character at forward-strand position `p`.
    #[inline]
    fn at(&self, p: usize) -> (u8, u8) {
        if self.reverse {
            let i = self.seq.len() - 1 - p;
            (complement(self.seq[i]), self.qual[i])
        } else {
            (self.seq[p], self.qual[p])
        }
    }
}

fn compare(model: &MarkerModel, h: usize, diag: i64, read: Oriented<'_>) -> Option<Cmp> {
    let hap = &model.haps[h];
    let (ws, we) = model.win[h];
    let (ds, de) = model.diff[h];
    let rs = ws as i64 + diag;
    let re = we as i64 + diag;
    if rs < 0 || re > read.len() as i64 {
        return None;
    }
    let mut mm = 0;
    let mut informative = 0;
    for (j, &hb) in hap.iter().enumerate().take(we).skip(ws) {
        let (rb, rq) = read.at((j as i64 + diag) as usize);
        if rq.saturating_sub(33) < MIN_BASE_QUALITY {
            continue;
        }
        if j >= ds && j < de {
            informative += 1;
        }
        if rb != hb {
            mm += 1;
        }
    }
    Some(Cmp {
        mismatches: mm,
        informative,
    })
}

fn evaluate(
    index: &Index,
    marker: usize,
    reverse: bool,
    votes: &[Vote],
    seq: &[u8],
    qual: &[u8],
) -> Option<Call> {
    let model = &index.models[marker];
    let read = Oriented { seq, qual, reverse };
    let mut best: [Option<Cmp>; 2] = [None, None];
    for (h, slot) in best.iter_mut().enumerate() {
        for d in candidate_diags(model, h, votes).into_iter().flatten() {
            if let Some(c) = compare(model, h, d, read)
                && slot.is_none_or(|b| c.mismatches < b.mismatches)
            {
                *slot = Some(c);
            }
        }
    }
    let (Some(r), Some(a)) = (best[0], best[1]) else {
        return None;
    };
    // SNV (and any allele with a non-empty differing region): the variant
    // bases must be readable.
    let has_region = [0, 1].map(|h| model.diff[h].1 > model.diff[h].0);
    if (has_region[0] && r.informative == 0) || (has_region[1] && a.informative == 0) {
        return None;
    }
    let ok_r = r.mismatches <= index.max_mm;
    let ok_a = a.mismatches <= index.max_mm;
    Some(if ok_r && r.mismatches < a.mismatches {
        Call::Ref
    } else if ok_a && a.mismatches < r.mismatches {
        Call::Alt
    } else {
        Call::Other
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haplotypes_differ_at_the_snv_and_across_a_whole_repeat() {
        let snv = [b"ACGTACGT".to_vec(), b"ACGAACGT".to_vec()];
        assert_eq!(differing_regions(&snv), [(3, 4), (3, 4)]);
        // Deleting one "CA" of a CACACA repeat: the common prefix and
        // suffix overlap, so the region spans the repeat.
        let del = [b"GCACACAT".to_vec(), b"GCACAT".to_vec()];
        assert_eq!(differing_regions(&del), [(3, 5), (1, 5)]);
        let same = [b"ACGT".to_vec(), b"ACGT".to_vec()];
        assert_eq!(differing_regions(&same), [(0, 4), (0, 4)]);
    }

    #[test]
    fn k_mers_shared_between_markers_are_dropped() {
        let p = |marker: u32, offset: u32| Posting {
            marker,
            hap: 0,
            canon_fwd: true,
            offset,
        };
        let kept = unique_to_one_marker(vec![
            (9, p(0, 0)),
            (5, p(1, 0)),
            (5, p(0, 3)),
            (7, p(2, 1)),
            (7, p(2, 4)),
        ]);
        let got: Vec<(u64, u32, u32)> =
            kept.iter().map(|(c, p)| (*c, p.marker, p.offset)).collect();
        // Code 5 is in markers 0 and 1: dropped; code 7 twice in marker 2: kept.
        assert_eq!(got, [(7, 2, 1), (7, 2, 4), (9, 0, 0)]);
    }

    #[test]
    fn options_are_checked_at_their_limits() {
        let f = [PathBuf::from("r1.fq")];
        let o = |k, threads| FastqCountOptions {
            k,
            threads,
            ..Default::default()
        };
        assert!(check_options(&f, &o(11, 1)).is_ok());
        assert!(check_options(&f, &o(31, 1)).is_ok());
        for bad in [9, 12, 33] {
            assert!(matches!(
                check_options(&f, &o(bad, 1)),
                Err(FastqCountError::Options(_))
            ));
        }
        assert!(matches!(
            check_options(&f, &o(25, 0)),
            Err(FastqCountError::Options(_))
        ));
        let three = [f[0].clone(), f[0].clone(), f[0].clone()];
        assert!(matches!(
            check_options(&three, &o(25, 1)),
            Err(FastqCountError::FileCount(3))
        ));
        assert!(matches!(
            check_options(&[], &o(25, 1)),
            Err(FastqCountError::FileCount(0))
        ));
    }

    #[test]
    fn packed_votes_round_trip_and_sort_like_tuples() {
        let mut tuples = Vec::new();
        for marker in [0u32, 1, 7, (MAX_MARKERS - 1) as u32] {
            for reverse in [false, true] {
                for hap in [0u8, 1] {
                    for diag in [-(1i64 << 35), -300, -1, 0, 1, 42, (1 << 35) - 1] {
                        tuples.push((marker, reverse, hap, diag));
                    }
                }
            }
        }
        // Scramble, then sort both representations.
        tuples.reverse();
        tuples.rotate_left(17);
        let mut packed: Vec<Vote> = tuples
            .iter()
            .map(|&(m, r, h, d)| pack_vote(m, r, h, d))
            .collect();
        tuples.sort_unstable();
        packed.sort_unstable();
        let unpacked: Vec<(u32, bool, u8, i64)> = packed
            .iter()
            .map(|&v| {
                (
                    vote_marker(v),
                    vote_reverse(v),
                    vote_hap(v) as u8,
                    vote_diag(v),
                )
            })
            .collect();
        assert_eq!(unpacked, tuples);
    }

    #[test]
    fn lookup_stride_keeps_at_least_fifteen_lookups_and_at_most_eight_apart() {
        assert_eq!(lookup_stride(150, 25), 8);
        assert_eq!(lookup_stride(100, 25), 5);
        assert_eq!(lookup_stride(300, 25), 8);
        assert_eq!(lookup_stride(25, 25), 1);
        assert_eq!(lookup_stride(50, 25), 1);
        for n in 25..400 {
            let s = lookup_stride(n, 25);
            assert!((1..=MAX_LOOKUP_STRIDE).contains(&s));
            let lookups = (n - 25) / s + 1;
            assert!(
                lookups >= MIN_LOOKUPS.min(n - 24),
                "n {n}: {lookups} lookups"
            );
        }
    }
}

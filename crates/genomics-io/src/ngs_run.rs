//! One NGS chimerism run from files: the sequence `graftwatch chimerism
//! ngs` and the web lab upload share — read the marker panel, count (or
//! read the genotypes of) the recipient and each donor, learn the error
//! model and the per-site rates, then count each post-transplant sample
//! and estimate it with `graftwatch_chimerism::ngs`.
//!
//! Inputs are VCF/BCF (FORMAT/AD, or GT for a reference), BAM/CRAM or
//! FASTQ. Every error names the input (its label) and what was expected.

use std::path::{Path, PathBuf};

use graftwatch_chimerism::ngs::qc::{QcCode, QcFlag};
use graftwatch_chimerism::ngs::{
    ErrorConfig, ErrorModel, GenotypeCall, GenotypeConfig, NgsConfig, NgsError, NgsSampleResult,
    Person, Role, SiteConfig, SiteModel, analyse_sample_with, call_genotypes, learn_sites,
};
use graftwatch_chimerism::{AlleleCounts, Marker};

use crate::bam_count::{
    BamCountError, PileupFilter, count_bam_skipping_missing_contigs, count_bam_with_threads,
};
use crate::error_table::{ErrorTableError, read_error_table};
use crate::fastq_count::{FastqCountError, FastqCountOptions, count_fastq};
use crate::panel::{PanelError, read_panel};
use crate::vcf_ad::{VcfAdError, read_vcf_counts, read_vcf_gt};

/// Where one person's or sample's reads come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NgsSource {
    /// A VCF or BCF with FORMAT/AD (a reference may have GT only) and the
    /// sample column to read.
    Vcf {
        /// File.
        path: PathBuf,
        /// Column name.
        sample: String,
    },
    /// Aligned reads (BAM or CRAM).
    Alignment {
        /// File.
        path: PathBuf,
    },
    /// Raw reads, single or paired (needs the reference FASTA).
    Fastq {
        /// One or two files.
        paths: Vec<PathBuf>,
    },
}

/// One input of a run: a person (recipient or donor) or a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NgsInput {
    /// Person or sample name.
    pub name: String,
    /// Where its reads are.
    pub source: NgsSource,
    /// How messages and QC flags name the input (a file name, `<stdin>`,
    /// "stored reference of D1 (d1.vcf)").
    pub label: String,
}

/// Settings of a run (the defaults are those of `chimerism ngs`).
#[derive(Debug, Clone)]
pub struct NgsRunOptions {
    /// Reference FASTA (CRAM and FASTQ inputs).
    pub reference: Option<PathBuf>,
    /// Worker threads for counting one input.
    pub threads: usize,
    /// A panel contig missing from an alignment is an error (otherwise its
    /// markers are skipped with an `NGS-CONTIG` flag).
    pub strict: bool,
    /// Per-site error-rate table replacing the learnt rates where it has a row.
    pub error_table: Option<PathBuf>,
    /// Estimator settings.
    pub config: NgsConfig,
    /// Donors declared syngeneic (identical twins): one whose genotypes
    /// equal the recipient's makes the analysis "chimerism not
    /// informative" instead of an error.
    pub syngeneic_donors: Vec<String>,
    /// Two donors with identical genotypes are reported as one combined
    /// share (not split) instead of an error; a donor identical to the
    /// recipient makes the analysis "chimerism not informative".
    pub allow_identical: bool,
}

impl Default for NgsRunOptions {
    fn default() -> NgsRunOptions {
        NgsRunOptions {
            reference: None,
            threads: 1,
            strict: false,
            error_table: None,
            config: NgsConfig::default(),
            syngeneic_donors: Vec::new(),
            allow_identical: false,
        }
    }
}

/// `INPUT: CAUSE`, or the cause alone when it already starts with the
/// input's label (the counters name their file): each path printed once.
fn path_once(input: &str, source: &dyn std::fmt::Display) -> String {
    let cause = source.to_string();
    match cause.strip_prefix(input) {
        Some(rest) if rest.starts_with(':') => cause,
        _ => format!("{input}: {cause}"),
    }
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum NgsRunError {
    /// The panel could not be read.
    #[error(transparent)]
    Panel(Box<PanelError>),
    /// A VCF/BCF could not be read (the error names the file).
    #[error(transparent)]
    Vcf(Box<VcfAdError>),
    /// An alignment file could not be counted.
    #[error("{}", path_once(input, source))]
    Alignment {
        /// The input's label.
        input: String,
        /// The cause.
        source: Box<BamCountError>,
    },
    /// A FASTQ input could not be counted.
    #[error("{}", path_once(input, source))]
    Fastq {
        /// The input's label.
        input: String,
        /// The cause.
        source: Box<FastqCountError>,
    },
    /// FASTQ input without a reference FASTA.
    #[error("{name}: FASTQ input needs --reference (the sequence around each marker)")]
    FastqNeedsReference {
        /// The input's name.
        name: String,
    },
    /// An alignment or FASTQ input without a read at any marker.
    #[error(
        "{input}: no reads at any of the {markers} panel markers for '{name}' (empty file, or reads from another region or genome)"
    )]
    NoReads {
        /// The input's label.
        input: String,
        /// Panel markers.
        markers: usize,
        /// The input's name.
        name: String,
    },
    /// A reference VCF with neither AD nor GT at any marker.
    #[error("{input}: none of the {markers} panel markers has AD or GT for '{name}' ({sample})")]
    NoGenotypes {
        /// The input's label.
        input: String,
        /// Panel markers.
        markers: usize,
        /// Person.
        name: String,
        /// VCF column.
        sample: String,
    },
    /// A sample without any panel marker.
    #[error("{input}: none of the {markers} panel markers found for sample '{name}'")]
    NoMarkers {
        /// The input's label.
        input: String,
        /// Panel markers.
        markers: usize,
        /// Sample.
        name: String,
    },
    /// The error-rate table could not be read.
    #[error(transparent)]
    ErrorTable(Box<ErrorTableError>),
    /// The estimator refused the sample.
    #[error("{input}: {source}")]
    Estimate {
        /// The input's label.
        input: String,
        /// The cause.
        source: Box<NgsError>,
    },
    /// An alignment file could not be indexed.
    #[error("{input}: cannot index the alignment file: {source}")]
    Index {
        /// The input's label.
        input: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A run needs a recipient and at least one donor.
    #[error("an NGS run needs the recipient and at least one donor ({0} given)")]
    TooFewPersons(usize),
    /// A donor's reference genotypes equal the recipient's at every marker
    /// typed in both: no split between them can be estimated.
    #[error(
        "the recipient '{recipient}' and donor '{donor}' have identical genotypes at all {markers} markers typed in both: no chimerism between them can be measured (the same person's sample given twice, or an identical twin — chimerism is not informative)"
    )]
    IdenticalToRecipient {
        /// The recipient's name.
        recipient: String,
        /// The donor's name.
        donor: String,
        /// Markers typed in both.
        markers: usize,
    },
    /// Two donors' reference genotypes are equal at every marker typed in
    /// both, and identical donors were not allowed.
    #[error(
        "donors '{first}' and '{second}' have identical genotypes at all {markers} markers typed in both: they cannot be told apart; check the references (or use --allow-identical, which reports their combined share without a split)"
    )]
    IdenticalDonors {
        /// The first donor's name.
        first: String,
        /// The second donor's name.
        second: String,
        /// Markers typed in both.
        markers: usize,
    },
}

/// At least this many markers typed in both before identical genotypes
/// are called the same person (a few shared markers may agree by chance).
pub const IDENTITY_MIN_MARKERS: usize = 10;

/// How two people's genotypes compare at the markers typed in both:
/// (markers typed in both, markers where they differ).
fn genotype_agreement(a: &[GenotypeCall], b: &[GenotypeCall]) -> (usize, usize) {
    a.iter()
        .zip(b)
        .filter_map(|(a, b)| Some((a.as_ref().ok()?, b.as_ref().ok()?)))
        .fold((0, 0), |(n, d), (a, b)| (n + 1, d + usize::from(a != b)))
}

/// Whether two people are the same genotype: equal at every marker typed
/// in both, with at least [`IDENTITY_MIN_MARKERS`] such markers; returns
/// the number of markers.
fn identical(a: &[GenotypeCall], b: &[GenotypeCall]) -> Option<usize> {
    same_genotype(genotype_agreement(a, b))
}

/// [`identical`] from the agreement (markers typed in both, differing).
fn same_genotype((both, differ): (usize, usize)) -> Option<usize> {
    (both >= IDENTITY_MIN_MARKERS && differ == 0).then_some(both)
}

/// A donor whose genotypes equal the recipient's at every marker typed in
/// both (at least [`IDENTITY_MIN_MARKERS`]), if any: (donor index, markers).
pub fn donor_identical_to_recipient(calls: &[Vec<GenotypeCall>]) -> Option<(usize, usize)> {
    let recipient = calls.first()?;
    (1..calls.len()).find_map(|d| identical(recipient, &calls[d]).map(|m| (d, m)))
}

/// The identity checks of a run's references (the rule of
/// `chimerism str`, docs/chimerism-ngs.md "Identity checks"):
/// * a donor declared syngeneic whose genotypes equal the recipient's
///   makes the analysis "chimerism not informative" (returned); one that
///   differs is analysed as a distinct person, with a warning;
/// * any other donor identical to the recipient is an error, or with
///   `allow_identical` "chimerism not informative" as well (the sample
///   could be all recipient or all donor);
/// * two identical donors are an error, or with `allow_identical` kept
///   with a warning: the estimator reports their combined share
///   (`NGS-SPLIT`).
fn identity_checks(
    persons: &[NgsInput],
    calls: &[Vec<GenotypeCall>],
    opts: &NgsRunOptions,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, NgsRunError> {
    let name = |i: usize| persons[i].name.as_str();
    let syngeneic = |i: usize| {
        opts.syngeneic_donors
            .iter()
            .any(|d| d.eq_ignore_ascii_case(name(i)))
    };
    let mut not_informative = None;
    for d in 1..calls.len() {
        let agreement = genotype_agreement(&calls[0], &calls[d]);
        let (both, differ) = agreement;
        let same = same_genotype(agreement);
        if syngeneic(d) {
            match same {
                Some(m) => {
                    not_informative.get_or_insert(format!(
                        "chimerism not informative: donor {} is declared syngeneic (identical twin) and the genotypes of {} and the recipient are identical at all {m} markers typed in both",
                        name(d),
                        name(d)
                    ));
                }
                None => warnings.push(format!(
                    "donor {} is declared syngeneic but differs from the recipient at {differ} of {both} markers typed in both: check the references; analysed as a distinct person",
                    name(d)
                )),
            }
        } else if let Some(m) = same {
            if !opts.allow_identical {
                return Err(NgsRunError::IdenticalToRecipient {
                    recipient: name(0).to_string(),
                    donor: name(d).to_string(),
                    markers: m,
                });
            }
            not_informative.get_or_insert(format!(
                "chimerism not informative: donor {} and the recipient have identical genotypes at all {m} markers typed in both",
                name(d)
            ));
        }
    }
    for i in 1..calls.len() {
        for j in i + 1..calls.len() {
            let Some(m) = identical(&calls[i], &calls[j]) else {
                continue;
            };
            if !opts.allow_identical {
                return Err(NgsRunError::IdenticalDonors {
                    first: name(i).to_string(),
                    second: name(j).to_string(),
                    markers: m,
                });
            }
            warnings.push(format!(
                "donors {} and {} have identical genotypes at all {m} markers typed in both: their combined share is reported, without a split (--allow-identical)",
                name(i),
                name(j)
            ));
        }
    }
    Ok(not_informative)
}

impl NgsRunError {
    /// Whether the error is a bug of graftwatch (a counting worker
    /// panicked or could not start) rather than a problem of the input.
    pub fn is_internal(&self) -> bool {
        match self {
            NgsRunError::Alignment { source, .. } => source.is_internal(),
            NgsRunError::Fastq { source, .. } => {
                matches!(**source, FastqCountError::WorkerPanicked)
            }
            _ => false,
        }
    }
}

impl From<PanelError> for NgsRunError {
    fn from(e: PanelError) -> NgsRunError {
        NgsRunError::Panel(Box::new(e))
    }
}

impl From<VcfAdError> for NgsRunError {
    fn from(e: VcfAdError) -> NgsRunError {
        NgsRunError::Vcf(Box::new(e))
    }
}

impl From<ErrorTableError> for NgsRunError {
    fn from(e: ErrorTableError) -> NgsRunError {
        NgsRunError::ErrorTable(Box::new(e))
    }
}

/// Writes `PATH.bai` for a BAM that came without an index (a web upload
/// kept in a private directory), as `samtools index` would: the whole file
/// is first walked with bounded memory (header lengths, every record's
/// declared size and reference id; a hostile upload cannot make noodles
/// allocate gigabytes), then the records are read once more by noodles. A BAM whose header does not declare it sorted by
/// coordinate is refused.
pub fn index_bam(path: &Path, label: &str) -> Result<(), NgsRunError> {
    use noodles::bam;
    let err = |source: std::io::Error| NgsRunError::Index {
        input: label.to_string(),
        source,
    };
    crate::bam_count::check_bam_bounds(std::fs::File::open(path).map_err(err)?).map_err(err)?;
    let mut bai = path.as_os_str().to_os_string();
    bai.push(".bai");
    let index = bam::fs::index(path).map_err(|e| {
        // noodles names the sort order in Rust's debug notation.
        if e.to_string().starts_with("invalid sort order") {
            err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the alignments are not sorted by coordinate (the header's @HD SO is not \
                 'coordinate'); sort them with `samtools sort` first",
            ))
        } else {
            err(e)
        }
    })?;
    match index {
        bam::Index::Bai(index) => bam::bai::fs::write(bai, &index).map_err(err),
        bam::Index::Csi(_) => Err(err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "references too long for a BAI index",
        ))),
    }
}

/// The panel and what the references give every sample of a run.
#[derive(Debug, Clone)]
pub struct NgsReferences {
    /// Panel markers.
    pub markers: Vec<Marker>,
    /// Recipient first, then the donors.
    pub persons: Vec<Person>,
    /// Genotype calls per person at each marker.
    pub calls: Vec<Vec<GenotypeCall>>,
    /// How each person's genotypes were obtained.
    pub genotype_sources: Vec<String>,
    /// Allele-class error model learnt from the references' reads.
    pub errors: ErrorModel,
    /// Per-site rates.
    pub sites: Vec<SiteModel>,
    /// Contigs of the panel a reference alignment lacks (markers skipped).
    pub warnings: Vec<String>,
    /// Notes about the references' VCF/BCF inputs, each naming its input:
    /// which FORMAT fields the counts were read from, markers skipped and
    /// why (`crate::vcf_ad::VcfCounts`).
    pub notes: Vec<String>,
    /// Warnings of the identity checks: a declared syngeneic donor that
    /// differs from the recipient, identical donors allowed.
    pub identity_warnings: Vec<String>,
    /// Why no sample can be estimated, when a donor's genotypes equal the
    /// recipient's and the donor is declared syngeneic (or identical
    /// people are allowed): "chimerism not informative: …".
    pub not_informative: Option<String>,
}

/// Read counts at each panel marker (`None`: marker absent), with the
/// panel contigs an alignment lacks.
struct Counted {
    counts: Vec<Option<AlleleCounts>>,
    missing_contigs: Vec<(String, usize)>,
    /// Notes about a VCF/BCF input, each prefixed with its label.
    notes: Vec<String>,
}

/// Counts one input at the panel markers. A reference VCF without AD gives
/// no counts (its GT is read instead).
fn count_input(
    input: &NgsInput,
    markers: &[Marker],
    opts: &NgsRunOptions,
    threads: usize,
    person: bool,
) -> Result<Counted, NgsRunError> {
    let threads = threads.max(1);
    let counted = match &input.source {
        NgsSource::Vcf { path, sample } => {
            let read = match read_vcf_counts(path, sample, markers) {
                Err(VcfAdError::NoAd { .. }) if person => crate::vcf_ad::VcfCounts {
                    counts: vec![None; markers.len()],
                    notes: Vec::new(),
                },
                r => r?,
            };
            Counted {
                counts: read.counts,
                missing_contigs: Vec::new(),
                notes: read
                    .notes
                    .iter()
                    .map(|n| format!("{}: {n}", input.label))
                    .collect(),
            }
        }
        NgsSource::Alignment { path } => count_alignment(input, path, markers, opts, threads)?,
        NgsSource::Fastq { paths } => {
            let reference =
                opts.reference
                    .as_deref()
                    .ok_or_else(|| NgsRunError::FastqNeedsReference {
                        name: input.name.clone(),
                    })?;
            let fopts = FastqCountOptions {
                threads,
                ..FastqCountOptions::default()
            };
            let c = count_fastq(paths, reference, markers, &fopts).map_err(|source| {
                NgsRunError::Fastq {
                    input: input.label.clone(),
                    source: Box::new(source),
                }
            })?;
            Counted {
                counts: c.into_iter().map(Some).collect(),
                missing_contigs: Vec::new(),
                notes: Vec::new(),
            }
        }
    };
    let no_reads = counted
        .counts
        .iter()
        .all(|c| c.is_none_or(|c| c.depth() == 0));
    if no_reads && !matches!(input.source, NgsSource::Vcf { .. }) {
        return Err(NgsRunError::NoReads {
            input: input.label.clone(),
            markers: markers.len(),
            name: input.name.clone(),
        });
    }
    Ok(counted)
}

fn count_alignment(
    input: &NgsInput,
    path: &Path,
    markers: &[Marker],
    opts: &NgsRunOptions,
    threads: usize,
) -> Result<Counted, NgsRunError> {
    let filter = PileupFilter::default();
    let reference = opts.reference.as_deref();
    let err = |source| NgsRunError::Alignment {
        input: input.label.clone(),
        source: Box::new(source),
    };
    if opts.strict {
        let c = count_bam_with_threads(path, reference, markers, &filter, threads).map_err(err)?;
        return Ok(Counted {
            counts: c.into_iter().map(Some).collect(),
            missing_contigs: Vec::new(),
            notes: Vec::new(),
        });
    }
    let c = count_bam_skipping_missing_contigs(path, reference, markers, &filter, threads)
        .map_err(err)?;
    Ok(Counted {
        counts: c.counts,
        missing_contigs: c.missing_contigs,
        notes: Vec::new(),
    })
}

/// `NGS-CONTIG` text for the contigs an alignment lacks.
fn missing_contig_text(input: &NgsInput, missing: &[(String, usize)]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let list: Vec<String> = missing
        .iter()
        .map(|(c, n)| format!("{c} ({n} marker{})", if *n == 1 { "" } else { "s" }))
        .collect();
    let contigs = if missing.len() == 1 {
        "panel contig"
    } else {
        "panel contigs"
    };
    Some(format!(
        "{} lacks {contigs} {}: those markers were skipped",
        input.label,
        list.join(", ")
    ))
}

/// One person's genotype calls: from read counts, or from GT when their
/// VCF has no AD. Returns the counts (if any), the calls and how they
/// were obtained.
type PersonCalls = (Option<Vec<Option<AlleleCounts>>>, Vec<GenotypeCall>, String);

fn person_calls(
    input: &NgsInput,
    markers: &[Marker],
    opts: &NgsRunOptions,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<PersonCalls, NgsRunError> {
    let counted = count_input(input, markers, opts, opts.threads, true)?;
    warnings.extend(missing_contig_text(input, &counted.missing_contigs));
    notes.extend(counted.notes);
    if counted.counts.iter().any(Option::is_some) {
        let calls = call_genotypes(&counted.counts, &GenotypeConfig::default());
        let how = format!("{}: called from read counts in {}", input.name, input.label);
        return Ok((Some(counted.counts), calls, how));
    }
    let NgsSource::Vcf { path, sample } = &input.source else {
        return Err(NgsRunError::NoReads {
            input: input.label.clone(),
            markers: markers.len(),
            name: input.name.clone(),
        });
    };
    let gt = read_vcf_gt(path, sample, markers)?;
    if gt.iter().all(|g| g.is_err()) {
        return Err(NgsRunError::NoGenotypes {
            input: input.label.clone(),
            markers: markers.len(),
            name: input.name.clone(),
            sample: sample.clone(),
        });
    }
    Ok((None, gt, format!("{}: GT from {}", input.name, input.label)))
}

/// Reads the panel and the references (`persons[0]` is the recipient, the
/// rest donors) and learns the error model and per-site rates.
pub fn read_references(
    panel: &Path,
    persons: &[NgsInput],
    opts: &NgsRunOptions,
) -> Result<NgsReferences, NgsRunError> {
    if persons.len() < 2 {
        return Err(NgsRunError::TooFewPersons(persons.len()));
    }
    let markers = read_panel(panel)?;
    let mut counts = Vec::new();
    let mut calls = Vec::new();
    let mut genotype_sources = Vec::new();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    for p in persons {
        let (c, g, how) = person_calls(p, &markers, opts, &mut warnings, &mut notes)?;
        counts.push(c);
        calls.push(g);
        genotype_sources.push(how);
    }
    let mut identity_warnings = Vec::new();
    let not_informative = identity_checks(persons, &calls, opts, &mut identity_warnings)?;
    let pure: Vec<(&[Option<AlleleCounts>], &[GenotypeCall])> = counts
        .iter()
        .zip(&calls)
        .filter_map(|(c, g)| c.as_ref().map(|c| (c.as_slice(), g.as_slice())))
        .collect();
    let errors = ErrorModel::learn(&markers, &pure, &ErrorConfig::default());
    let table = match &opts.error_table {
        Some(p) => Some(read_error_table(p, &markers)?),
        None => None,
    };
    let sites = learn_sites(
        &markers,
        &pure,
        &errors,
        table.as_deref(),
        &SiteConfig::default(),
    );
    let persons = persons
        .iter()
        .enumerate()
        .map(|(i, p)| Person {
            name: p.name.clone(),
            role: if i == 0 { Role::Recipient } else { Role::Donor },
        })
        .collect();
    Ok(NgsReferences {
        markers,
        persons,
        calls,
        genotype_sources,
        errors,
        sites,
        warnings,
        notes,
        identity_warnings,
        not_informative,
    })
}

/// Counts one post-transplant sample with `threads` workers and estimates
/// it against the references; a panel contig its alignment lacks is an
/// `NGS-CONTIG` flag of the result.
pub fn analyse_input(
    refs: &NgsReferences,
    sample: &NgsInput,
    opts: &NgsRunOptions,
    threads: usize,
) -> Result<NgsSampleResult, NgsRunError> {
    let counts = count_sample(refs, sample, opts, threads)?;
    analyse_counts(refs, sample, &counts, &refs.sites, opts)
}

/// A post-transplant sample's allele counts at the panel markers, kept to
/// analyse the sample again (run-level allele bias,
/// `graftwatch_chimerism::ngs::run_amplification`) without counting twice.
#[derive(Debug, Clone)]
pub struct SampleCounts {
    counts: Vec<Option<AlleleCounts>>,
    missing_contigs: Vec<(String, usize)>,
    notes: Vec<String>,
}

impl SampleCounts {
    /// The reads (REF + ALT) at each panel marker the input covers; markers
    /// it does not cover (no record, a missing contig) are left out.
    pub fn depths(&self) -> impl Iterator<Item = u32> + '_ {
        self.counts
            .iter()
            .flatten()
            .map(|c| c.ref_count.saturating_add(c.alt_count))
    }

    /// Notes about a VCF/BCF input (naming it): which FORMAT fields the
    /// counts were read from, markers skipped and why.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
}

/// Counts one post-transplant sample at the references' panel markers
/// (the first half of [`analyse_input`]).
pub fn count_sample(
    refs: &NgsReferences,
    sample: &NgsInput,
    opts: &NgsRunOptions,
    threads: usize,
) -> Result<SampleCounts, NgsRunError> {
    let counted = count_input(sample, &refs.markers, opts, threads, false)?;
    if counted.counts.iter().all(Option::is_none) {
        return Err(NgsRunError::NoMarkers {
            input: sample.label.clone(),
            markers: refs.markers.len(),
            name: sample.name.clone(),
        });
    }
    Ok(SampleCounts {
        counts: counted.counts,
        missing_contigs: counted.missing_contigs,
        notes: counted.notes,
    })
}

/// Analyses counted reads against the references with the site models
/// `sites` (the references' own, `refs.sites`, or those refined on the
/// run); the second half of [`analyse_input`].
pub fn analyse_counts(
    refs: &NgsReferences,
    sample: &NgsInput,
    counts: &SampleCounts,
    sites: &[SiteModel],
    opts: &NgsRunOptions,
) -> Result<NgsSampleResult, NgsRunError> {
    let mut result = analyse_sample_with(
        &sample.name,
        &refs.markers,
        &refs.persons,
        &refs.calls,
        &refs.errors,
        sites,
        &counts.counts,
        &opts.config,
    )
    .map_err(|source| NgsRunError::Estimate {
        input: sample.label.clone(),
        source: Box::new(source),
    })?;
    if let Some(text) = missing_contig_text(sample, &counts.missing_contigs) {
        result.flags.push(QcFlag {
            code: QcCode::ContigMissing,
            text,
        });
    }
    Ok(result)
}

#[cfg(test)]
mod path_tests {
    use super::path_once;

    #[test]
    fn the_path_is_printed_once() {
        let once = |input: &str, cause: &str| path_once(input, &cause);
        assert_eq!(
            once("a.bam", "a.bam: index not found"),
            "a.bam: index not found"
        );
        assert_eq!(once("a.bam", "index not found"), "a.bam: index not found");
        // a cause naming another file that starts like the label keeps the label
        assert_eq!(once("a.bam", "a.bam.bai: bad"), "a.bam: a.bam.bai: bad");
    }
}

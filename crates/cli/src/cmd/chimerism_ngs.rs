//! `graftwatch chimerism ngs`: chimerism for recipient + N donors from
//! allele counts at biallelic SNP/indel markers (VCF/BCF FORMAT/AD, BAM/CRAM or
//! FASTQ), with intervals, detection limits and QC, as JSON, TSV, a table
//! and an optional self-contained HTML view.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use graftwatch_chimerism::ngs::qc::QcCode;
use graftwatch_chimerism::ngs::{
    AlleleBiasSource, ErrorModel, NgsConfig, NgsSampleResult, Person, run_amplification,
};
use graftwatch_chimerism::run_gate::{HeldSample, RunGate, RunStatus};
use graftwatch_core::{Date, Fraction, Lineage};
use graftwatch_genomics_io::ngs_run::{
    NgsInput, NgsReferences, NgsRunError, NgsRunOptions, NgsSource, analyse_counts, count_sample,
    read_references,
};
use serde::Serialize;

use crate::BadInput;

/// Output format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NgsFormat {
    /// One JSON document with every sample's full result.
    Json,
    /// Tab-separated, one header line, one row per person per sample.
    Tsv,
    /// The same rows, comma-separated.
    Csv,
    /// Aligned text table for reading.
    Table,
}

/// Arguments of `chimerism ngs`.
#[derive(Args, Debug)]
pub struct NgsArgs {
    /// Marker panel: sites-only VCF (plain or bgzipped) of biallelic SNPs and indels.
    #[arg(long)]
    pub panel: PathBuf,
    /// Reference FASTA (needed for CRAM and FASTQ inputs).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// The recipient's pre-transplant sample: NAME=INPUT (VCF/BCF: NAME=FILE.vcf[.gz]|FILE.bcf:VCF_SAMPLE).
    #[arg(long, required_unless_present = "run_sheet")]
    pub recipient: Option<String>,
    /// A donor's pure sample, repeatable: NAME=INPUT (VCF/BCF: NAME=FILE.vcf[.gz]|FILE.bcf:VCF_SAMPLE).
    #[arg(long = "donor")]
    pub donors: Vec<String>,
    /// A post-transplant sample, repeatable: NAME=INPUT[:LINEAGE[:DATE]]
    /// (VCF/BCF: NAME=FILE.vcf[.gz]|FILE.bcf:VCF_SAMPLE[:LINEAGE[:DATE]]; an empty VCF_SAMPLE means NAME).
    #[arg(long = "sample")]
    pub samples: Vec<String>,
    /// Run sheet, sort purities, purity floor.
    #[command(flatten)]
    pub plate: super::chimerism_plan::PlateArgs,
    /// `--syngeneic`, `--allow-identical`.
    #[command(flatten)]
    pub identity: super::chimerism_plan::IdentityArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: NgsFormat,
    /// Also write a self-contained HTML view (inline SVG per-marker plots).
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Replace the --html file if it exists (--add-to always updates its
    /// course in place, keeping the previous version as COURSE.bak).
    #[arg(long)]
    pub force: bool,
    /// Worker threads for counting and fitting.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Append the results as NGS chimerism observations to this course file (.json or .csv). With --db (or $GRAFTWATCH_DB and no such file): a stored patient id.
    #[arg(long = "add-to", value_name = "COURSE|PATIENT")]
    pub add_to: Option<PathBuf>,
    /// Minimum REF+ALT reads of a marker in a post-transplant sample.
    #[arg(long, default_value_t = 100, value_parser = min_depth)]
    pub min_depth: u32,
    /// Minimum discriminating markers to report two donors separately.
    #[arg(long, default_value_t = 3, value_parser = super::ranges::at_least_one)]
    pub min_split_markers: usize,
    /// Do not exclude outlier markers (they are still flagged).
    #[arg(long)]
    pub keep_outliers: bool,
    /// Sensitivity target of a negative result, in percent recipient: a
    /// sample where the recipient is not shown present and its LoD is
    /// above this is flagged NGS-LOD. 0 turns the check off.
    #[arg(long, default_value_t = 0.1, value_name = "PERCENT", value_parser = parse_lod_target)]
    pub lod_target: f64,
    /// Stop (exit 2) when a panel contig is missing from a BAM/CRAM instead
    /// of skipping its markers with an NGS-CONTIG flag.
    #[arg(long)]
    pub strict: bool,
    /// Per-site error-rate table (allomix `estimate-errors` TSV: chrom, pos,
    /// ref, alt, e_refalt, e_altref, ...); its rates replace the learned
    /// ones at the sites it lists.
    #[arg(long = "error-table", value_name = "TSV")]
    pub error_table: Option<PathBuf>,
    /// Learn each marker's allele bias from the references only and analyse
    /// every sample alone. By default, when two or more samples are given
    /// (one run: same panel, same references), each is analysed again with
    /// the allele bias also learnt from the other usable samples of the run
    /// (leave one out); a single sample is always analysed alone.
    #[arg(long = "per-sample")]
    pub per_sample: bool,
    /// --add-to a stored patient (--db, --actor).
    #[command(flatten)]
    pub store: super::chimerism_store::StoreTarget,
}

/// `--lod-target`: a percentage in [0, 100) (0 = off).
fn min_depth(s: &str) -> Result<u32, String> {
    super::ranges::at_least_one(s)
        .and_then(|v| u32::try_from(v).map_err(|_| format!("{v} is too large")))
}

fn parse_lod_target(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number; expected a percentage such as 0.1"))?;
    if !(0.0..100.0).contains(&v) {
        return Err(format!(
            "{v} is outside 0–100; expected the recipient percentage a negative result must reach (0 turns the check off)"
        ));
    }
    Ok(v)
}

/// Where one person's or sample's reads come from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// A VCF or BCF with FORMAT/AD (and/or GT) and the sample column to read.
    Vcf {
        /// File.
        path: PathBuf,
        /// Column name.
        sample: String,
    },
    /// Aligned reads.
    Bam {
        /// File.
        path: PathBuf,
    },
    /// Raw reads, single or paired.
    Fastq {
        /// One or two files.
        paths: Vec<PathBuf>,
    },
}

impl InputSource {
    fn describe(&self) -> String {
        match self {
            InputSource::Vcf { path, sample } => format!(
                "{} (sample {sample})",
                super::chimerism_spec::display_file(path)
            ),
            InputSource::Bam { path } => path.display().to_string(),
            InputSource::Fastq { paths } => paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// A parsed `NAME=INPUT[:...]` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// Name.
    pub name: String,
    /// Source.
    pub source: InputSource,
    /// Lineage (samples only).
    pub lineage: Option<Lineage>,
    /// Collection date (samples only).
    pub date: Option<Date>,
}

/// Parses `NAME=INPUT[:...]` with the shared chimerism syntax
/// ([`super::chimerism_spec`]); `option` names the flag for messages and
/// `with_sample_fields` allows `:LINEAGE[:DATE]`.
#[cfg(test)]
pub fn parse_spec(option: &str, arg: &str, with_sample_fields: bool) -> Result<InputSpec, String> {
    use super::chimerism_spec::{SpecRole, parse_input};
    let role = if with_sample_fields {
        SpecRole::Sample
    } else {
        SpecRole::Reference
    };
    let r = parse_input(option, arg, role, super::chimerism_plan::NGS_KINDS)?;
    Ok(spec_of(r))
}

/// An NGS input from the shared chimerism syntax's parsed input.
pub fn spec_of(r: super::chimerism_spec::InputRef) -> InputSpec {
    use super::chimerism_spec::InputKind;
    let source = match r.kind {
        InputKind::Vcf => InputSource::Vcf {
            path: r.files[0].clone(),
            sample: r.sample.unwrap_or_else(|| r.name.clone()),
        },
        InputKind::Alignment => InputSource::Bam {
            path: r.files[0].clone(),
        },
        InputKind::Fastq | InputKind::PeakTable => InputSource::Fastq { paths: r.files },
    };
    InputSpec {
        name: r.name,
        source,
        lineage: r.lineage,
        date: r.date,
    }
}

/// An NGS run error: bad input (exit 2), standard input named `<stdin>`
/// rather than by its private copy; a counting worker's panic is a bug.
pub(super) fn ngs_error(e: NgsRunError) -> anyhow::Error {
    if e.is_internal() {
        return anyhow::anyhow!("{e}; please report this bug");
    }
    let text = e.to_string();
    let named = super::chimerism_spec::name_stdin_in(&text);
    if named == text {
        crate::exit::input(e)
    } else {
        BadInput(named).into()
    }
}

/// An argument's input for the library's NGS run, named in messages as
/// the command line names it.
pub(super) fn run_input(spec: &InputSpec) -> NgsInput {
    let source = match &spec.source {
        InputSource::Vcf { path, sample } => NgsSource::Vcf {
            path: path.clone(),
            sample: sample.clone(),
        },
        InputSource::Bam { path } => NgsSource::Alignment { path: path.clone() },
        InputSource::Fastq { paths } => NgsSource::Fastq {
            paths: paths.clone(),
        },
    };
    NgsInput {
        name: spec.name.clone(),
        source,
        label: spec.source.describe(),
    }
}

/// The hint added to every `NGS-CONTIG` text of the command.
const STRICT_HINT: &str = " (use --strict to stop instead)";

/// Standard input (`-`) as the file of every VCF/BCF input that names it:
/// one stream, copied once, every `-` input a sample column of it.
fn resolve_stdin(specs: &mut [InputSpec]) -> anyhow::Result<()> {
    for spec in specs {
        if let InputSource::Vcf { path, .. } = &mut spec.source
            && super::chimerism_spec::is_stdin(path)
        {
            *path = super::chimerism_spec::spool_stdin().map_err(|e| {
                BadInput(format!("{}: cannot read: {e}", super::course::STDIN_NAME))
            })?;
        }
    }
    Ok(())
}

/// Removes the copy of standard input when `chimerism ngs` ends.
struct SpoolGuard;

impl Drop for SpoolGuard {
    fn drop(&mut self) {
        super::chimerism_spec::remove_spool();
    }
}

/// One analysed sample with its labels.
#[derive(Debug, Serialize)]
pub struct SampleOutput {
    /// Sample name.
    pub sample: String,
    /// Input description.
    pub input: String,
    /// Lineage, when given.
    pub lineage: Option<Lineage>,
    /// Date, when given.
    pub date: Option<Date>,
    /// Where the allele bias was learnt from; written only when the call
    /// analysed two or more samples (a single sample is analysed alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allele_bias: Option<AlleleBias>,
    /// The specimen named in the run sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specimen: Option<super::chimerism_plan::Specimen>,
    /// The sequencing run named in the run sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Sort purity (fraction) of a sorted lineage, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purity: Option<f64>,
    /// Each person's share corrected for the sort purity (percent, in the
    /// order of `result.persons`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purity_corrected_percent: Option<Vec<f64>>,
    /// What was done about the purity (correction applied or why not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purity_note: Option<String>,
    /// Notes about the sample's VCF/BCF input: which FORMAT fields the
    /// read counts were read from, markers skipped and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_notes: Vec<String>,
    /// The run's flags every sample carries (`RUN-CONTROL-FAILED` when a
    /// run control failed: the result is not reportable), as the sample's
    /// TSV/CSV rows carry them in `flags`; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub run_flags: Vec<&'static str>,
    /// Each person's share as reported and the detection call (in the
    /// order of `result.persons`): `< 0.108` for a person not detected,
    /// as the table and the TSV/CSV `reported_percent` show it; the
    /// estimate stays in `result.persons[].percent`.
    pub reported: Vec<ReportedShare>,
    /// The analysis.
    pub result: NgsSampleResult,
}

/// One person's share as reported, for the JSON output.
#[derive(Debug, Serialize)]
pub struct ReportedShare {
    /// The person.
    pub person: String,
    /// The share as reported ([`NgsSampleResult::reported_percent`]):
    /// the estimate, or `< LoD` when not detected; empty when the donor is
    /// not split from another.
    pub reported_percent: String,
    /// The detection call ([`NgsSampleResult::detected`]); null when it
    /// cannot be made.
    pub detected: Option<bool>,
}

/// Every person's reported share and call of `r`.
fn reported_shares(r: &NgsSampleResult) -> Vec<ReportedShare> {
    (0..r.persons.len())
        .map(|k| ReportedShare {
            person: r.persons[k].name.clone(),
            reported_percent: r.reported_percent(k),
            detected: r.detected(k),
        })
        .collect()
}

/// How a sample's allele bias was learnt, for the JSON output: the
/// method (`run` or `per_sample`), the other samples that contributed
/// (`run`), and the same in words.
#[derive(Debug, Serialize)]
pub struct AlleleBias {
    /// Method and contributing samples.
    #[serde(flatten)]
    pub source: AlleleBiasSource,
    /// [`AlleleBiasSource::describe`].
    pub text: String,
}

impl From<AlleleBiasSource> for AlleleBias {
    fn from(source: AlleleBiasSource) -> Self {
        AlleleBias {
            source,
            text: source.describe(),
        }
    }
}

/// Version of the `--format json` output. `graftwatch-ngs/2`: every
/// chimerism quantity is a percentage 0–100 (`percent`, `ci_percent`,
/// `detection_percent`, `donor_moment_percent`, `percent_of_reads`), where
/// version 1 wrote fractions 0–1 (`fraction`, `ci`, `detection`).
pub const NGS_SCHEMA: &str = "graftwatch-ngs/2";

/// The whole run, as written by `--format json`.
#[derive(Debug, Serialize)]
pub struct NgsRun {
    /// Output schema version ([`NGS_SCHEMA`]).
    pub schema: &'static str,
    /// The patient of a run-sheet analysis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// Markers in the panel.
    pub panel_markers: usize,
    /// Declared persons, recipient first.
    pub persons: Vec<Person>,
    /// How each person's genotypes were obtained.
    pub genotype_sources: Vec<String>,
    /// Notes about the references' VCF/BCF inputs: which FORMAT fields the
    /// read counts were read from, markers skipped and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_notes: Vec<String>,
    /// Warnings of the identity checks (a declared syngeneic donor that
    /// differs from the recipient; identical donors allowed and reported
    /// as one combined share).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identity_warnings: Vec<String>,
    /// How the run was analysed (panel, depth floor, software).
    pub method: NgsMethod,
    /// Error model used for every sample.
    pub error_model: ErrorModel,
    /// Per sample.
    pub samples: Vec<SampleOutput>,
    /// The run controls of a run sheet with one patient (with several, the
    /// plate's `controls`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<super::chimerism_plan::ControlOut>,
    /// The run's status (one patient; with several, the plate's):
    /// `not_reportable` with `RUN-CONTROL-FAILED` when a run control failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_status: Option<RunStatus>,
}

/// What a signed NGS report states about the analysis: the panel, the
/// sample depth floor and the software.
#[derive(Debug, Serialize)]
pub struct NgsMethod {
    /// The panel file, as given.
    pub panel: String,
    /// Markers in the panel.
    pub panel_markers: usize,
    /// The minimum sample depth (reads) for a marker to be used.
    pub min_depth_reads: u32,
    /// `graftwatch VERSION`.
    pub software: &'static str,
}

impl NgsMethod {
    /// One line for the table: `Method: panel panel.vcf (200 markers);
    /// markers used from 100 reads; graftwatch 0.1.0`.
    pub fn line(&self) -> String {
        format!(
            "Method: panel {} ({}); markers used from {} reads; {}",
            self.panel,
            graftwatch_core::number::counted(self.panel_markers, "marker"),
            self.min_depth_reads,
            self.software
        )
    }
}

/// The run as the report's NGS page wants it.
fn html_page(run: &NgsRun) -> graftwatch_report::chimerism::NgsPage<'_> {
    graftwatch_report::chimerism::NgsPage {
        panel_markers: run.panel_markers,
        persons: run.persons.iter().map(|p| p.name.as_str()).collect(),
        error_model: &run.error_model,
        samples: run
            .samples
            .iter()
            .map(|s| graftwatch_report::chimerism::NgsPageSample {
                sample: &s.sample,
                input: &s.input,
                lineage: s.lineage,
                date: s.date,
                allele_bias: s.allele_bias.as_ref().map(|b| b.text.as_str()),
                result: &s.result,
            })
            .collect(),
    }
}

/// Runs `f` on every index of `0..n` on up to `threads` workers and
/// returns the results in index order; a worker's panic is reported as a
/// bug naming the sample (`names`).
fn parallel_map<T: Send>(
    names: &[InputSpec],
    threads: usize,
    f: &(dyn Fn(usize) -> anyhow::Result<T> + Sync),
) -> anyhow::Result<Vec<T>> {
    let n = names.len();
    let mut slots: Vec<Option<anyhow::Result<T>>> = (0..n).map(|_| None).collect();
    let workers = threads.min(n).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    (w..n)
                        .step_by(workers)
                        .map(|i| (i, f(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            if let Ok(v) = h.join() {
                for (i, r) in v {
                    slots[i] = Some(r);
                }
            }
        }
    });
    let mut out = Vec::with_capacity(n);
    for (i, s) in slots.into_iter().enumerate() {
        match s {
            Some(r) => out.push(r?),
            None => anyhow::bail!(
                "internal error: the worker analysing sample '{}' panicked; please report this bug",
                names[i].name
            ),
        }
    }
    Ok(out)
}

/// Counts and analyses every sample against the references, on up to
/// `threads` workers, in the order given. With two or more samples and
/// `run_level`, each is then analysed again with the allele bias learnt
/// from the references and the other usable samples of the run
/// ([`graftwatch_chimerism::ngs::run_amplification`], leave one out); a
/// single sample is analysed exactly as before, with no allele-bias note.
fn analyse_samples(
    sample_specs: &[InputSpec],
    refs: &NgsReferences,
    opts: &NgsRunOptions,
    threads: usize,
    run_level: bool,
) -> anyhow::Result<Vec<SampleOutput>> {
    let n = sample_specs.len();
    let second_pass = run_level && n >= 2;
    let bar = indicatif::ProgressBar::new((n * if second_pass { 2 } else { 1 }) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} chimerism ngs [{bar:30}] {pos}/{len} samples {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if n < 2 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let per_worker_threads = (threads / n.max(1)).max(1);
    let alone = parallel_map(sample_specs, threads, &|i| {
        let input = run_input(&sample_specs[i]);
        let counts = count_sample(refs, &input, opts, per_worker_threads).map_err(ngs_error)?;
        let result = analyse_counts(refs, &input, &counts, &refs.sites, opts).map_err(ngs_error)?;
        bar.inc(1);
        Ok((counts, result))
    })?;
    let notes: Vec<Vec<String>> = alone.iter().map(|(c, _)| c.notes().to_vec()).collect();
    let results: Vec<(NgsSampleResult, Option<AlleleBiasSource>)> = if second_pass {
        let run: Vec<&NgsSampleResult> = alone.iter().map(|(_, r)| r).collect();
        parallel_map(sample_specs, threads, &|i| {
            let (sites, source) = run_amplification(&refs.sites, &refs.persons, &run, i);
            let result = if sites == refs.sites {
                alone[i].1.clone()
            } else {
                let input = run_input(&sample_specs[i]);
                analyse_counts(refs, &input, &alone[i].0, &sites, opts).map_err(ngs_error)?
            };
            bar.inc(1);
            Ok((result, Some(source)))
        })?
    } else {
        let source = (n >= 2).then_some(AlleleBiasSource::PerSample);
        alone.into_iter().map(|(_, r)| (r, source)).collect()
    };
    bar.finish_and_clear();
    Ok(sample_specs
        .iter()
        .zip(results)
        .zip(notes)
        .map(|((spec, (mut result, source)), input_notes)| {
            for f in &mut result.flags {
                if f.code == QcCode::ContigMissing {
                    f.text.push_str(STRICT_HINT);
                }
            }
            SampleOutput {
                sample: spec.name.clone(),
                input: spec.source.describe(),
                lineage: spec.lineage,
                date: spec.date,
                allele_bias: source.map(AlleleBias::from),
                specimen: None,
                run: None,
                purity: None,
                purity_corrected_percent: None,
                purity_note: None,
                input_notes,
                run_flags: Vec::new(),
                reported: reported_shares(&result),
                result,
            }
        })
        .collect())
}

/// Names are unique across recipient, donors and samples; with
/// `--add-to`, every sample has a date.
fn check_names(
    person_specs: &[InputSpec],
    sample_specs: &[InputSpec],
    add_to: bool,
) -> anyhow::Result<()> {
    let mut names: Vec<&str> = person_specs.iter().map(|p| p.name.as_str()).collect();
    names.extend(sample_specs.iter().map(|s| s.name.as_str()));
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            anyhow::bail!(BadInput(format!(
                "name '{n}' is used twice; recipient, donor and sample names must be unique"
            )));
        }
    }
    if add_to && let Some(s) = sample_specs.iter().find(|s| s.date.is_none()) {
        anyhow::bail!(BadInput(format!(
            "--add-to needs a date for every sample; sample '{}' has none (use NAME=INPUT:LINEAGE:YYYY-MM-DD)",
            s.name
        )));
    }
    Ok(())
}

/// Runs `chimerism ngs`.
pub fn run(mut args: NgsArgs) -> anyhow::Result<()> {
    use super::chimerism_ngs_sheet as sheet;
    // `--recipient stored` / `--donor stored`: the stored patient's references.
    let _stored_refs = super::chimerism_store::resolve_stored_ngs(&mut args)?;
    let overwrite = graftwatch_output::Overwrite::from_force(args.force);
    if let Some(p) = &args.html {
        graftwatch_output::preflight(p, overwrite).map_err(crate::exit::input)?;
    }
    for (option, path) in [
        ("--panel", Some(&args.panel)),
        ("--reference", args.reference.as_ref()),
    ] {
        if path.is_some_and(|p| super::chimerism_spec::is_stdin(p)) {
            anyhow::bail!(BadInput(format!(
                "{option} -: standard input is not read for {option} (it can hold one VCF input); give the file's path"
            )));
        }
    }
    let plan = sheet::plan(&args)?;
    let _spool = SpoolGuard;
    let threads = args.threads.max(1);
    let opts = run_options(&args, threads);
    let mut runs = Vec::with_capacity(plan.analyses.len());
    let mut refused: Vec<sheet::RefusedPatient> = Vec::new();
    let mut controls = Vec::new();
    let mut controls_checked = false;
    for a in &plan.analyses {
        let (run, refs) = match analyse_patient(a, &args, &opts, threads) {
            Ok(r) => r,
            // In a run sheet with several patients, a patient whose donor
            // cannot be told from the recipient is refused on its own (as
            // STR's `STR-IDENTICAL`); every other patient is reported.
            // Chimerism not informative (a declared twin) is reported too.
            Err(e) => match e.downcast::<sheet::RefusedPatient>() {
                Ok(p) if plan.analyses.len() > 1 || !p.holds_the_run() => {
                    refused.push(p);
                    continue;
                }
                // One patient: its references cannot be used, an input error.
                Ok(p) => anyhow::bail!(BadInput(p.to_string())),
                Err(e) => return Err(e),
            },
        };
        if !controls_checked {
            controls_checked = true;
            for c in &plan.controls {
                controls.push(sheet::check_control(c, &refs, &opts, args.min_depth)?);
            }
        }
        runs.push(run);
    }
    let mut held = unknown_contributors(&runs);
    held.extend(refused.iter().flat_map(sheet::RefusedPatient::held));
    let gate = RunGate {
        samples: runs.iter().map(|r| r.samples.len()).sum::<usize>()
            + refused.iter().map(|p| p.samples.len()).sum::<usize>(),
        held,
        failed_controls: super::chimerism_plan::failed_controls(&controls),
    };
    let run_flags = gate.status().flags;
    for s in runs.iter_mut().flat_map(|r| r.samples.iter_mut()) {
        s.run_flags = run_flags.clone();
    }
    if let ([only], []) = (runs.as_mut_slice(), refused.as_slice()) {
        only.controls = std::mem::take(&mut controls);
        only.run_status = Some(gate.status());
    }
    // Everything computed: now write, course first (atomic), then HTML, then
    // stdout; nothing is recorded from a run the gate holds back.
    let add_to = args.add_to.as_ref().filter(|_| gate.records());
    // Nothing to record when no patient could be analysed (chimerism not
    // informative): the course is left as it is.
    let add_to = match (add_to, runs.is_empty()) {
        (Some(target), true) => {
            eprintln!(
                "note: nothing was added to {} (--add-to): {}",
                target.display(),
                refused
                    .iter()
                    .map(|p| p.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            None
        }
        (a, _) => a,
    };
    match (add_to, args.store.patient(args.add_to.as_deref())) {
        (Some(_), Some(p)) => {
            let run = sheet::analysis_for(&runs, &p, &p)?;
            let a = &plan.analyses[runs.iter().position(|r| std::ptr::eq(r, run)).unwrap_or(0)];
            super::chimerism_store::add_ngs(&args, &p, run, &results_of(run), a)?
        }
        (Some(course_path), None) => add_to_course(course_path, &runs)?,
        _ => {}
    }
    if let Some(html) = &args.html {
        let [run] = runs.as_slice() else {
            anyhow::bail!(BadInput(format!(
                "--html draws one patient per call; the run sheet has {} patients",
                runs.len()
            )));
        };
        let page = graftwatch_report::chimerism::render_ngs_page(&html_page(run));
        graftwatch_output::write(html, page.as_bytes(), overwrite).map_err(crate::exit::input)?;
    }
    let single = refused.is_empty() && runs.len() == 1;
    let text = match (args.format, runs.as_slice()) {
        (NgsFormat::Json, [run]) if single => serde_json::to_string_pretty(run)? + "\n",
        (NgsFormat::Json, _) => {
            let plate = sheet::NgsPlate {
                schema: sheet::NGS_PLATE_SCHEMA,
                analyses: runs,
                refused,
                controls,
                run_status: gate.status(),
            };
            serde_json::to_string_pretty(&plate)? + "\n"
        }
        (NgsFormat::Tsv, [run]) if single => {
            sheet::plate_tsv(std::slice::from_ref(run), &[], &run.controls)
        }
        (NgsFormat::Tsv, runs) => sheet::plate_tsv(runs, &refused, &controls),
        (NgsFormat::Csv, [run]) if single => graftwatch_output::delimited::tsv_to_csv(
            &sheet::plate_tsv(std::slice::from_ref(run), &[], &run.controls),
        ),
        (NgsFormat::Csv, runs) => {
            graftwatch_output::delimited::tsv_to_csv(&sheet::plate_tsv(runs, &refused, &controls))
        }
        (NgsFormat::Table, [run]) if single => {
            let mut t = String::new();
            super::chimerism_plan::control_warning_line(&mut t, &run.controls);
            t.push_str(&run.method.line());
            t.push('\n');
            t.push_str(&to_table(run));
            super::chimerism_plan::controls_table(&mut t, &run.controls);
            t
        }
        (NgsFormat::Table, runs) => sheet::plate_table(runs, &refused, &controls),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    match gate.verdict(args.add_to.is_some()) {
        Some(msg) => anyhow::bail!(BadInput(msg)),
        None => Ok(()),
    }
}

/// The samples flagged `NGS-ID` (alleles no declared person carries at
/// enough identity markers: an unknown contributor or a swapped tube), as
/// `patient 'P': sample 'S' (INPUT): …`; the run gate holds them back as
/// STR holds back `STR-NO-MATCH`.
fn unknown_contributors(runs: &[NgsRun]) -> Vec<HeldSample> {
    let code = QcCode::Identity.as_str();
    runs.iter()
        .flat_map(|r| r.samples.iter().map(move |s| (r, s)))
        .filter_map(|(r, s)| {
            let f = s.result.flags.iter().find(|f| f.code == QcCode::Identity)?;
            let what = f.text.split(": possible").next().unwrap_or(&f.text);
            let who = r
                .patient
                .as_deref()
                .map(|p| format!("patient '{p}': "))
                .unwrap_or_default();
            Some(HeldSample {
                code,
                text: format!(
                    "{who}sample '{}' ({}): {what} (unknown contributor or sample swap; the estimate is shown for review only)",
                    s.sample, s.input
                ),
            })
        })
        .collect()
}

/// The library's options from the arguments.
fn run_options(args: &NgsArgs, threads: usize) -> NgsRunOptions {
    NgsRunOptions {
        reference: args.reference.clone(),
        threads,
        strict: args.strict,
        error_table: args.error_table.clone(),
        config: NgsConfig {
            min_sample_depth: args.min_depth,
            min_split_markers: args.min_split_markers,
            // `parse_lod_target` keeps the percentage in [0, 100).
            lod_target: (args.lod_target > 0.0)
                .then_some(args.lod_target / 100.0)
                .and_then(Fraction::clamp),
            exclude_outliers: !args.keep_outliers,
            ..NgsConfig::default()
        },
        syngeneic_donors: args.identity.syngeneic.clone(),
        allow_identical: args.identity.allow_identical,
    }
}

/// One patient's analysis: the references, then the samples of each
/// sequencing run (what is learnt from a run stays in that run), the sort
/// purity correction; returned with the references (for the run controls).
fn analyse_patient(
    a: &super::chimerism_plan::Analysis,
    args: &NgsArgs,
    opts: &NgsRunOptions,
    threads: usize,
) -> anyhow::Result<(NgsRun, NgsReferences)> {
    let mut person_specs: Vec<InputSpec> = std::iter::once(&a.recipient)
        .chain(&a.donors)
        .map(|r| spec_of(r.clone()))
        .collect();
    let mut sample_specs: Vec<InputSpec> =
        a.samples.iter().map(|s| spec_of(s.input.clone())).collect();
    resolve_stdin(&mut person_specs)?;
    resolve_stdin(&mut sample_specs)?;
    check_names(&person_specs, &sample_specs, args.add_to.is_some())?;

    // Panel and persons: counts -> genotype calls (or GT when the VCF has
    // no AD), error model, per-site rates (graftwatch_genomics_io::ngs_run).
    let persons: Vec<NgsInput> = person_specs.iter().map(run_input).collect();
    let refs = match read_references(&args.panel, &persons, opts) {
        Err(
            e @ (NgsRunError::IdenticalToRecipient { .. } | NgsRunError::IdenticalDonors { .. }),
        ) if a.patient.is_some() => {
            return Err(super::chimerism_ngs_sheet::RefusedPatient::new(a, &e.to_string()).into());
        }
        r => r.map_err(ngs_error)?,
    };
    for w in &refs.identity_warnings {
        eprintln!("warning: {w}");
    }
    if let Some(why) = &refs.not_informative {
        let refused = super::chimerism_ngs_sheet::RefusedPatient::not_informative(a, why);
        return Err(refused.into());
    }
    for w in &refs.warnings {
        eprintln!("warning: {w}{STRICT_HINT}");
    }
    let mut noted = std::collections::HashSet::new();
    print_input_notes(&refs.notes, &mut noted);
    let mut samples: Vec<Option<SampleOutput>> = (0..sample_specs.len()).map(|_| None).collect();
    for group in super::chimerism_ngs_sheet::run_groups(a) {
        let specs: Vec<InputSpec> = group.iter().map(|&i| sample_specs[i].clone()).collect();
        let outs = analyse_samples(&specs, &refs, opts, threads, !args.per_sample)?;
        for (i, mut out) in group.into_iter().zip(outs) {
            out.run = a.samples[i].run.clone();
            out.specimen = a.samples[i].specimen;
            samples[i] = Some(out);
        }
    }
    let mut samples: Vec<SampleOutput> = samples.into_iter().flatten().collect();
    for s in &samples {
        print_input_notes(&s.input_notes, &mut noted);
    }
    let purities: Vec<Option<f64>> = a.samples.iter().map(|s| s.purity).collect();
    let floor = args.plate.min_purity_fraction().map_err(BadInput)?;
    super::chimerism_ngs_sheet::apply_purity(&mut samples, &purities, floor);
    let run = NgsRun {
        schema: NGS_SCHEMA,
        patient: a.patient.clone(),
        panel_markers: refs.markers.len(),
        persons: refs.persons.clone(),
        genotype_sources: refs.genotype_sources.clone(),
        input_notes: refs.notes.clone(),
        identity_warnings: refs.identity_warnings.clone(),
        method: NgsMethod {
            panel: args.panel.display().to_string(),
            panel_markers: refs.markers.len(),
            min_depth_reads: args.min_depth,
            software: concat!("graftwatch ", env!("CARGO_PKG_VERSION")),
        },
        error_model: refs.errors,
        samples,
        controls: Vec::new(),
        run_status: None,
    };
    Ok((run, refs))
}

/// Prints each note about a VCF/BCF input once (`note: FILE: …` on
/// stderr): the same file read for several samples says it once.
fn print_input_notes(notes: &[String], printed: &mut std::collections::HashSet<String>) {
    for n in notes {
        if printed.insert(n.clone()) {
            eprintln!("note: {n}");
        }
    }
}

/// `--add-to COURSE`: the results of the course's patient (the only
/// analysis when the call names no patients).
fn add_to_course(path: &Path, runs: &[NgsRun]) -> anyhow::Result<()> {
    use graftwatch_course::{attach_chimerism, read_course};
    let loaded = read_course(path).map_err(|e| crate::exit::input_in(path.display(), e))?;
    let mut course = loaded.course;
    let pid = course.patient.id.to_string();
    let run = super::chimerism_ngs_sheet::analysis_for(runs, &pid, &path.display().to_string())?;
    let results = results_of(run);
    let summary = attach_chimerism(&mut course, &results)
        .map_err(|e| crate::exit::input_in(format!("--add-to {}", path.display()), e))?;
    crate::exit::print_notes(&format!("--add-to {}", path.display()), &summary.warnings);
    graftwatch_course::io::write_course_with_backup(path, &course)
        .map_err(|e| anyhow::Error::new(e).context(format!("writing {}", path.display())))?;
    eprintln!(
        "{}",
        super::chimerism::added_line(&path.display().to_string(), &summary, &results)
    );
    Ok(())
}

/// The dated results as chimerism observations (purity-corrected where a
/// correction was made).
pub(super) fn results_of(run: &NgsRun) -> Vec<graftwatch_course::ChimerismResult> {
    use graftwatch_course::{ChimerismMethod, ChimerismResult, PersonShare};
    run.samples
        .iter()
        .filter_map(|s| {
            let corrected = s.purity_corrected_percent.as_deref();
            let shares = s
                .result
                .persons
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let pct = p.fraction.map(|f| 100.0 * f.get())?;
                    Some(PersonShare {
                        person: p.person_ref(),
                        percent: corrected.and_then(|c| c.get(i).copied()).unwrap_or(pct),
                        lod_percent: p.detection.map(|d| 100.0 * d.lod),
                        detected: s.result.detected(i),
                    })
                })
                .collect();
            Some(ChimerismResult {
                sample: s.sample.clone(),
                date: s.date?,
                lineage: s.lineage.unwrap_or(Lineage::WholeBlood),
                method: ChimerismMethod::Ngs,
                shares,
            })
        })
        .collect()
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.3}", 100.0 * v)).unwrap_or_default()
}

/// TSV: one header line, one row per person per sample plus a
/// `donors_combined` row.
/// Why markers were left out, counted: " (23 not informative (same
/// genotype in everybody), 1 outlier)".
fn exclusion_counts(r: &graftwatch_chimerism::ngs::result::NgsSampleResult) -> String {
    use graftwatch_chimerism::ngs::result::Exclusion;
    let mut counts: Vec<(&Exclusion, usize)> = Vec::new();
    for m in &r.markers {
        if let Some(e) = &m.excluded {
            match counts.iter_mut().find(|(x, _)| x.label() == e.label()) {
                Some((_, n)) => *n += 1,
                None => counts.push((e, 1)),
            }
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = counts.iter().map(|(e, n)| e.counted(*n)).collect();
    format!(" ({})", parts.join(", "))
}

/// The TSV header. The last five columns (patient, specimen, sequencing
/// run, sort purity and the purity-corrected share, both in percent) came
/// after `detected`, so parsers of the earlier columns read them unchanged.
pub const TSV_HEADER: &str = "sample\tlineage\tdate\tperson\trole\tpercent\treported_percent\tci_low\tci_high\tlob\tlod\tmarkers_used\tmarkers_excluded\tpresence_p\trecipient_detected\tflags\tdetected\tpatient\tspecimen\trun\tpurity_percent\tpurity_corrected_percent\n";

/// A sample's run-sheet cells, the TSV's last five columns but the
/// corrected share: patient, specimen, sequencing run, purity (percent).
fn sheet_cells(run: &NgsRun, s: &SampleOutput) -> String {
    use graftwatch_output::delimited::tsv_field;
    format!(
        "{}\t{}\t{}\t{}",
        tsv_field(run.patient.as_deref().unwrap_or("")),
        s.specimen.map(|x| x.as_str()).unwrap_or(""),
        tsv_field(s.run.as_deref().unwrap_or("")),
        s.purity
            .map(|p| format!("{:.2}", 100.0 * p))
            .unwrap_or_default()
    )
}

pub fn to_tsv(run: &NgsRun, control_failed: bool) -> String {
    use graftwatch_output::delimited::tsv_field;
    let mut out = String::from(TSV_HEADER);
    for s in &run.samples {
        let r = &s.result;
        let flags: Vec<&str> = r
            .flags
            .iter()
            .map(|f| f.code.as_str())
            .chain(control_failed.then_some(super::chimerism_plan::CONTROL_FAILED_FLAG))
            .collect();
        let common_tail = format!(
            "{}\t{}\t{}\t{}\t{}",
            r.markers_used,
            r.markers_excluded,
            r.recipient_presence
                .map(|p| graftwatch_core::number::p_cell(p.p_value))
                .unwrap_or_default(),
            r.recipient_detected
                .map(|d| d.to_string())
                .unwrap_or_default(),
            flags.join(",")
        );
        let head = format!(
            "{}\t{}\t{}",
            tsv_field(&s.sample),
            s.lineage
                .map(|l| l.as_str().to_string())
                .unwrap_or_default(),
            s.date.map(|d| d.to_string()).unwrap_or_default()
        );
        let sheet = sheet_cells(run, s);
        let corrected = s.purity_corrected_percent.as_deref();
        for (k, p) in r.persons.iter().enumerate() {
            out.push_str(&format!(
                "{head}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{common_tail}\t{}\t{sheet}\t{}\n",
                tsv_field(&p.name),
                p.role.as_str(),
                pct(p.fraction.map(Fraction::get)),
                r.reported_percent(k).replace(' ', ""),
                pct(p.ci.map(|c| c.low.get())),
                pct(p.ci.map(|c| c.high.get())),
                pct(p.detection.map(|d| d.lob)),
                pct(p.detection.map(|d| d.lod)),
                r.detected(k).map(|d| d.to_string()).unwrap_or_default(),
                corrected
                    .and_then(|c| c.get(k))
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_default(),
            ));
        }
        let groups = std::iter::once(("donors_combined".to_string(), &r.donors_combined))
            .chain(r.unsplit_groups.iter().map(|g| (g.persons.join("+"), g)));
        for (name, g) in groups {
            out.push_str(&format!(
                "{head}\t{name}\tdonor_group\t{}\t{}\t{}\t{}\t\t\t{common_tail}\t\t{sheet}\t\n",
                pct(Some(g.fraction.get())),
                pct(Some(g.fraction.get())),
                pct(Some(g.ci.low.get())),
                pct(Some(g.ci.high.get())),
            ));
        }
    }
    out
}

/// Human-readable table.
pub fn to_table(run: &NgsRun) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "NGS chimerism: {} panel markers; error model ({}): SNP {:.3}%/{:.3}%, indel {:.3}%/{:.3}% (REF>ALT / ALT>REF)\n",
        run.panel_markers,
        run.error_model.source.label(),
        100.0 * run.error_model.snp.ref_to_alt,
        100.0 * run.error_model.snp.alt_to_ref,
        100.0 * run.error_model.indel.ref_to_alt,
        100.0 * run.error_model.indel.alt_to_ref
    ));
    for w in &run.identity_warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for s in &run.samples {
        let r = &s.result;
        out.push_str(&format!(
            "\nsample {}{}{}: {} markers used, {} excluded{}\n",
            s.sample,
            s.lineage
                .map(|l| format!(" [{}]", l.label()))
                .unwrap_or_default(),
            s.date.map(|d| format!(" {d}")).unwrap_or_default(),
            r.markers_used,
            r.markers_excluded,
            exclusion_counts(r)
        ));
        if let Some(b) = &s.allele_bias {
            out.push_str(&format!("  {}\n", b.text));
        }
        sheet_lines(s, &mut out);
        share_rows(r, &mut out);
        match &r.dominant_donor {
            Some(d) => out.push_str(&format!("  dominant donor: {d}\n")),
            None if r.persons.len() > 2 => out.push_str(
                "  no dominant donor (no donor detected, or the donors' intervals overlap)\n",
            ),
            None => {}
        }
        let pairs: Vec<String> = r
            .pairs
            .iter()
            .map(|p| format!("{}/{} {}", p.a, p.b, p.markers))
            .collect();
        out.push_str(&format!(
            "  discriminating markers per pair: {}\n",
            pairs.join(", ")
        ));
        if let Some(p) = r.recipient_presence {
            out.push_str(&format!(
                "  recipient presence test: {} reads vs {:.1} expected from error at {} markers, z = {:.2}, {}: {}\n",
                p.observed_reads,
                p.expected_error_reads,
                p.markers,
                p.z,
                graftwatch_core::number::p_value(p.p_value),
                r.recipient_call()
            ));
        }
        for f in &r.flags {
            out.push_str(&format!("  flag {}: {}\n", f.code.as_str(), f.text));
        }
    }
    out
}

/// The table's lines of what a run sheet adds to a sample: its specimen
/// and sequencing run, the purity note and the purity-corrected shares.
fn sheet_lines(s: &SampleOutput, out: &mut String) {
    let mut what = Vec::new();
    if let Some(sp) = s.specimen {
        what.push(format!("specimen {}", sp.as_str()));
    }
    if let Some(r) = &s.run {
        what.push(format!("sequencing run {r}"));
    }
    if !what.is_empty() {
        out.push_str(&format!("  {}\n", what.join("; ")));
    }
    if let Some(n) = &s.purity_note {
        out.push_str(&format!("  {n}\n"));
    }
    if let Some(c) = &s.purity_corrected_percent {
        let shares: Vec<String> = s
            .result
            .persons
            .iter()
            .zip(c)
            .map(|(p, v)| format!("{} {v:.3}%", p.name))
            .collect();
        out.push_str(&format!("  purity-corrected: {}\n", shares.join(", ")));
    }
}

/// The table's rows of persons (estimate, interval, detection limits) and of
/// donor groups.
fn share_rows(r: &graftwatch_chimerism::ngs::NgsSampleResult, out: &mut String) {
    out.push_str(&format!(
        "  {:<16} {:>9} {:>21} {:>9} {:>9}\n",
        "person", "percent", "95% CI", "LoB", "LoD"
    ));
    for (k, p) in r.persons.iter().enumerate() {
        let ci =
            p.ci.map(|c| format!("{:.3}–{:.3}", 100.0 * c.low.get(), 100.0 * c.high.get()))
                .unwrap_or_else(|| "not split".into());
        out.push_str(&format!(
            "  {:<16} {:>9} {:>21} {:>9} {:>9}\n",
            p.name,
            r.reported_percent(k),
            ci,
            pct(p.detection.map(|d| d.lob)),
            pct(p.detection.map(|d| d.lod))
        ));
    }
    for g in std::iter::once(&r.donors_combined).chain(&r.unsplit_groups) {
        out.push_str(&format!(
            "  {:<16} {:>9} {:>21}\n",
            if std::ptr::eq(g, &r.donors_combined) {
                "all donors".to_string()
            } else {
                g.persons.join("+")
            },
            pct(Some(g.fraction.get())),
            format!(
                "{:.3}–{:.3}",
                100.0 * g.ci.low.get(),
                100.0 * g.ci.high.get()
            )
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = parse_spec("--sample", "d30=post.vcf.gz:D30:cd3:2026-01-05", true).unwrap();
        assert_eq!(
            s.source,
            InputSource::Vcf {
                path: "post.vcf.gz".into(),
                sample: "D30".into()
            }
        );
        assert_eq!(s.lineage, Some(Lineage::Cd3));
        assert_eq!(s.date.unwrap().to_string(), "2026-01-05");
        let s = parse_spec("--sample", "d30=post.vcf::myeloid", true).unwrap();
        assert_eq!(
            s.source,
            InputSource::Vcf {
                path: "post.vcf".into(),
                sample: "d30".into()
            }
        );
        let s = parse_spec("--sample", "x=a_R1.fq.gz,a_R2.fq.gz:wb", true).unwrap();
        assert!(matches!(s.source, InputSource::Fastq { ref paths } if paths.len() == 2));
        let s = parse_spec("--donor", "d=x.bam", false).unwrap();
        assert_eq!(
            s.source,
            InputSource::Bam {
                path: "x.bam".into()
            }
        );
    }

    #[test]
    fn rejects_bad_specs_with_reason() {
        assert!(
            parse_spec("--donor", "x.vcf", false)
                .unwrap_err()
                .contains("no '='")
        );
        assert!(
            parse_spec("--donor", "d=x.txt", false)
                .unwrap_err()
                .contains("input type")
        );
        assert!(
            parse_spec("--donor", "d=x.bam:cd3", false)
                .unwrap_err()
                .contains("unexpected")
        );
        assert!(
            parse_spec("--sample", "s=x.bam:blood2", true)
                .unwrap_err()
                .contains("lineage")
        );
        assert!(
            parse_spec("--sample", "s=x.bam:cd3:2026-13-01", true)
                .unwrap_err()
                .contains("date")
        );
        assert!(
            parse_spec("--sample", "s=a.bam,b.bam", true)
                .unwrap_err()
                .contains("two files")
        );
    }
}

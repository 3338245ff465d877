//! `graftwatch chimerism str`: STR chimerism from capillary-electrophoresis
//! peak tables (GeneMapper ID-X/5, GeneMarker HID, OSIRIS, …) for a
//! recipient and any number of donors, one patient on the command line or a
//! whole plate from a run sheet.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use graftwatch_chimerism::controls;
use graftwatch_chimerism::purity;
use graftwatch_chimerism::run_gate::{HeldSample, RunGate};
use graftwatch_chimerism::str::threshold;
use graftwatch_chimerism::str::{
    Detection, Kit, Measure, StrConfig, StrConfigError, StrError, StrFlagCode, StrProfile,
    StrReferences, StrSampleResult,
};
use graftwatch_core::DonorId;
use graftwatch_genomics_io::genemapper::{GeneMapperOptions, GeneMapperTable, read_genemapper};
use serde::Serialize;

use super::chimerism_plan::{Analysis, ControlOut, ControlSpec, ControlType, Plan, SampleSpec};
use super::chimerism_spec::InputRef;
use crate::BadInput;

/// Output format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrFormat {
    /// Human-readable tables.
    Table,
    /// Everything (references, informativeness, per-locus detail) as JSON.
    Json,
    /// One row per sample and person, comma-separated.
    Csv,
    /// The same rows, tab-separated.
    Tsv,
}

/// Peak measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrMeasure {
    /// Peak area.
    Area,
    /// Peak height.
    Height,
}

/// Arguments of `chimerism str`.
#[derive(Args, Debug)]
pub struct StrArgs {
    /// Recipient's pre-transplant profile: NAME=FILE:SAMPLE (old spelling FILE:SAMPLE still accepted, deprecated).
    #[arg(
        long,
        value_name = "NAME=FILE:SAMPLE",
        required_unless_present = "run_sheet"
    )]
    pub recipient: Option<String>,
    /// A donor's profile: NAME=FILE:SAMPLE (repeat for each donor; NAME is the donor id in the course).
    #[arg(long = "donor", value_name = "NAME=FILE:SAMPLE")]
    pub donors: Vec<String>,
    /// A post-transplant sample: NAME=FILE:SAMPLE[:LINEAGE[:DATE]] (lineage defaults to whole_blood; DATE is YYYY-MM-DD, needed for --add-to; old spelling FILE:SAMPLE[:…] deprecated).
    #[arg(long = "sample", value_name = "NAME=FILE:SAMPLE[:LINEAGE[:DATE]]")]
    pub samples: Vec<String>,
    /// Run sheet, sort purities, purity floor.
    #[command(flatten)]
    pub plate: super::chimerism_plan::PlateArgs,
    /// Kit: a built-in name (globalfiler, fusion6c, identifiler_plus, powerplex16hs, mentype_chimera, generic) or a kit file (.json).
    #[arg(long, value_name = "NAME|FILE.json")]
    pub kit: Option<String>,
    /// Saturation limit in RFU (overrides the kit's).
    #[arg(long, value_name = "RFU")]
    pub saturation: Option<f64>,
    /// The lab's validated limit of detection (percent), used instead of the computed one (overrides [chimerism_limits.str] lod_percent of --config).
    #[arg(long, value_name = "PERCENT")]
    pub lod: Option<f64>,
    /// The lab's validated limit of quantification (percent) (overrides [chimerism_limits.str] loq_percent of --config).
    #[arg(long, value_name = "PERCENT")]
    pub loq: Option<f64>,
    /// TOML configuration file (the one file every command reads; `[chimerism_limits.str]` holds the lab's validated lod_percent / loq_percent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `--syngeneic`, `--allow-identical`.
    #[command(flatten)]
    pub identity: super::chimerism_plan::IdentityArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: StrFormat,
    /// Also write a self-contained HTML view (inline SVG) to this file.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Replace the --html file if it exists (--add-to always updates its
    /// course in place, keeping the previous version as COURSE.bak).
    #[arg(long)]
    pub force: bool,
    /// Add the results as chimerism observations to this course file (.json or .csv); reruns replace. With --db (or $GRAFTWATCH_DB and no such file): a stored patient id.
    #[arg(long, value_name = "COURSE|PATIENT")]
    pub add_to: Option<PathBuf>,
    /// Peak measure used for quantification [default: area; height when the samples' export has no peak areas, with a note].
    #[arg(long, value_enum)]
    pub measure: Option<StrMeasure>,
    /// Analytical threshold in RFU (peak height): peaks below it are ignored and a peak missing from the export is taken to be below it [default: the samples' export's own, read from its lowest peak, 20–50 RFU; 50 when the export has no heights].
    #[arg(long, value_name = "RFU", value_parser = super::ranges::rfu)]
    pub analytical_threshold: Option<f64>,
    /// Height (RFU) at which one clean unique peak alone shows a person present; peaks between the analytical threshold and this height (a lab-validated lower threshold) need a second locus (rule STR-CALL).
    #[arg(long, default_value_t = graftwatch_chimerism::str::config::USUAL_THRESHOLD_RFU, value_name = "RFU", value_parser = super::ranges::rfu)]
    pub presence_single_peak: f64,
    /// Reference allele calling: minimum fraction of the locus maximum.
    #[arg(long, default_value_t = 0.5, value_name = "FRACTION", value_parser = super::ranges::relative)]
    pub relative_threshold: f64,
    /// Do not model stutter; exclude loci with an allele in another person's back-stutter position instead.
    #[arg(long)]
    pub no_stutter_model: bool,
    /// Skip rows with unknown marker names instead of failing.
    #[arg(long)]
    pub ignore_unknown_markers: bool,
    /// Use Amelogenin (X/Y) in the quantification.
    #[arg(long)]
    pub include_amelogenin: bool,
    /// Bootstrap replicates for the confidence interval.
    #[arg(long, default_value_t = 500, value_parser = super::ranges::replicates)]
    pub bootstrap: usize,
    /// --add-to a stored patient (--db, --actor).
    #[command(flatten)]
    pub store: super::chimerism_store::StoreTarget,
}

/// The outcome for one sample.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Estimated.
    Estimated {
        /// The estimate.
        #[serde(flatten)]
        result: Box<StrSampleResult>,
        /// Purity-corrected shares (percent, persons in order), when corrected.
        purity_corrected_percent: Option<Vec<f64>>,
    },
    /// Refused, with the reason (low template, not informative, nothing
    /// usable; in a run sheet or with several samples also a sample that
    /// matches none of the declared people).
    Refused {
        /// Why.
        reason: String,
        /// The flag code of a refusal the run's exit code reports
        /// (`STR-NO-MATCH`: the sample matches none of the declared people);
        /// absent for the refusals of a usable run (low template, …).
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<&'static str>,
    },
}

/// One analysed sample with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct SampleOut {
    /// Sample id.
    pub sample: String,
    /// File.
    pub file: String,
    /// Lineage.
    pub lineage: graftwatch_core::Lineage,
    /// Date.
    pub date: Option<graftwatch_core::Date>,
    /// Specimen.
    pub specimen: Option<super::chimerism_plan::Specimen>,
    /// Sort purity (fraction).
    pub purity: Option<f64>,
    /// Notes on purity (correction applied or why not).
    pub purity_note: Option<String>,
    /// The run's flags every sample carries (`RUN-CONTROL-FAILED` when a
    /// run control failed: the result is not reportable), as every CSV row
    /// of the sample carries them in `flags`; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub run_flags: Vec<&'static str>,
    /// The outcome.
    pub outcome: Outcome,
}

impl SampleOut {
    /// A sample of the plan with its outcome (no purity note or run flag
    /// yet).
    fn new(s: &super::chimerism_plan::SampleSpec, outcome: Outcome) -> SampleOut {
        SampleOut {
            sample: s.input.name.clone(),
            file: super::chimerism_spec::display_file(&s.input.files[0]),
            lineage: s.lineage,
            date: s.date,
            specimen: s.specimen,
            purity: s.purity,
            purity_note: None,
            run_flags: Vec::new(),
            outcome,
        }
    }
}

/// One patient's results.
#[derive(Debug, Serialize)]
pub struct AnalysisOut {
    /// Patient id (run sheets).
    pub patient: Option<String>,
    /// Reference side; `None` when the patient's references were refused
    /// in a run sheet (two declared people with identical genotypes): its
    /// samples are then refused with the reason (`STR-IDENTICAL`).
    pub references: Option<StrReferences>,
    /// Samples.
    pub samples: Vec<SampleOut>,
}

/// What a signed STR report states about the analysis: the kit (bins,
/// stutter defaults, saturation), the peak measure, the analytical
/// threshold and the software.
#[derive(Debug, Serialize)]
pub struct StrMethod {
    /// The kit's name (`generic` when none was named).
    pub kit: String,
    /// The kit's title.
    pub kit_title: String,
    /// `area` or `height`.
    pub measure: &'static str,
    /// The analytical threshold in RFU.
    pub analytical_threshold_rfu: f64,
    /// `graftwatch VERSION`.
    pub software: &'static str,
}

impl StrMethod {
    /// The method of a run with this configuration.
    pub fn of(cfg: &StrConfig) -> StrMethod {
        StrMethod {
            kit: cfg.kit.name.clone(),
            kit_title: cfg.kit.title.clone(),
            measure: match cfg.measure {
                Measure::Area => "area",
                Measure::Height => "height",
            },
            analytical_threshold_rfu: cfg.analytical_threshold_rfu,
            software: concat!("graftwatch ", env!("CARGO_PKG_VERSION")),
        }
    }

    /// One line for the table: `Method: Promega PowerPlex 16 HS (16
    /// markers) (kit 'powerplex16hs'); peak area; analytical threshold 50
    /// RFU; graftwatch 0.1.0`.
    pub fn line(&self) -> String {
        let title = self.kit_title.split(':').next().unwrap_or(&self.kit_title);
        format!(
            "Method: {} (kit '{}'); peak {}; analytical threshold {:.0} RFU; {}",
            title.trim(),
            self.kit,
            self.measure,
            self.analytical_threshold_rfu,
            self.software
        )
    }
}

/// Everything, as written by `--format json`.
#[derive(Debug, Serialize)]
pub struct StrRun {
    /// Per patient.
    pub analyses: Vec<AnalysisOut>,
    /// Run controls.
    pub controls: Vec<ControlOut>,
    /// The run's status: `not_reportable` with `RUN-CONTROL-FAILED` when a
    /// run control failed (every sample of the run carries the flag).
    pub run_status: graftwatch_chimerism::run_gate::RunStatus,
    /// Reader notes and deprecation notes.
    pub notes: Vec<String>,
    /// How the run was analysed (kit, measure, threshold, software), for
    /// a signed report.
    pub method: StrMethod,
    /// The peak measure the run used (each sample's result names it too).
    #[serde(skip)]
    pub measure: Measure,
    /// The analytical threshold the run used (RFU): the lab's, or the
    /// samples' export's own.
    #[serde(skip)]
    pub analytical_threshold_rfu: f64,
}

fn config(args: &StrArgs) -> anyhow::Result<StrConfig> {
    let kit = match &args.kit {
        None => Kit::generic(),
        Some(k) if k.to_ascii_lowercase().ends_with(".json") => {
            let text = std::fs::read_to_string(k)
                .map_err(|e| crate::exit::input_in(format!("--kit {k}: cannot read"), e))?;
            Kit::from_json(&text).map_err(|e| crate::exit::input_in(format!("--kit {k}"), e))?
        }
        Some(k) => Kit::built_in(k).map_err(|e| crate::exit::input_in("--kit", e))?,
    };
    let lab = super::config::load(args.config.as_deref())?.chimerism.str;
    let limit = |name, v: Option<f64>| {
        v.map(|v| StrConfig::validated_percent_setting(name, v))
            .transpose()
    };
    let lod = limit("--lod", args.lod);
    let loq = limit("--loq", args.loq);
    let cfg = StrConfig {
        measure: match args.measure {
            None | Some(StrMeasure::Area) => Measure::Area,
            Some(StrMeasure::Height) => Measure::Height,
        },
        analytical_threshold_rfu: args
            .analytical_threshold
            .unwrap_or(StrConfig::default().analytical_threshold_rfu),
        presence_single_peak_rfu: args.presence_single_peak,
        relative_threshold: args.relative_threshold,
        model_stutter: !args.no_stutter_model,
        include_amelogenin: args.include_amelogenin,
        bootstrap_replicates: args.bootstrap,
        kit,
        saturation_rfu: args.saturation,
        allow_identical: args.identity.allow_identical,
        syngeneic_donors: args.identity.syngeneic.clone(),
        validated_lod_percent: lod.clone().ok().flatten().or(lab.lod_percent),
        validated_loq_percent: loq.clone().ok().flatten().or(lab.loq_percent),
        ..StrConfig::default()
    };
    // A bad --lod/--loq is reported where `validate` checks the limits:
    // after every other setting but the saturation override.
    let bad_limit = lod.err().or(loq.err());
    match (cfg.validate(), bad_limit) {
        (Err(StrConfigError::Saturation(_)), Some(e)) | (Ok(()), Some(e)) | (Err(e), _) => {
            anyhow::bail!(BadInput(format!(
                "invalid option: {}",
                as_options(&e.to_string())
            )))
        }
        (Ok(()), None) => {}
    }
    args.plate.min_purity_fraction().map_err(BadInput)?;
    Ok(cfg)
}

/// A setting's message with the command-line option in place of the
/// setting's name (`saturation_rfu = -1` reads `--saturation -1`).
fn as_options(message: &str) -> String {
    const OPTIONS: [(&str, &str); 7] = [
        ("saturation_rfu = ", "--saturation "),
        ("relative_threshold = ", "--relative-threshold "),
        ("analytical_threshold_rfu = ", "--analytical-threshold "),
        ("presence_single_peak_rfu = ", "--presence-single-peak "),
        ("bootstrap_replicates = ", "--bootstrap "),
        ("validated_lod_percent = ", "--lod "),
        ("validated_loq_percent = ", "--loq "),
    ];
    OPTIONS
        .iter()
        .fold(message.to_string(), |m, (name, option)| {
            m.replace(name, option)
        })
}

fn plan(args: &StrArgs) -> anyhow::Result<Plan> {
    let plan = match (&args.plate.run_sheet, &args.recipient) {
        (Some(sheet), _) => {
            super::chimerism_plan::from_run_sheet(sheet, super::chimerism_plan::STR_KINDS)?
        }
        (None, Some(r)) => {
            if args.donors.is_empty() || args.samples.is_empty() {
                anyhow::bail!(BadInput(
                    "chimerism str needs --donor NAME=FILE:SAMPLE and --sample NAME=FILE:SAMPLE[:LINEAGE[:DATE]] (or --run-sheet)".into()
                ));
            }
            super::chimerism_plan::from_args(
                r,
                &args.donors,
                &args.samples,
                &args.plate.purities,
                super::chimerism_plan::STR_KINDS,
            )
            .map_err(BadInput)?
        }
        (None, None) => anyhow::bail!(BadInput(
            "give --recipient/--donor/--sample or --run-sheet".into()
        )),
    };
    if args.add_to.is_some()
        && let Some(s) = plan
            .analyses
            .iter()
            .flat_map(|a| &a.samples)
            .find(|s| s.date.is_none())
    {
        anyhow::bail!(BadInput(format!(
            "--add-to needs a date for every sample: '{}' has none (use NAME=FILE:SAMPLE:LINEAGE:YYYY-MM-DD or the run sheet's date column)",
            s.input.name
        )));
    }
    args.identity.check(&plan).map_err(BadInput)?;
    Ok(plan)
}

/// Every table of the plan, read once.
struct Tables(BTreeMap<PathBuf, GeneMapperTable>);

impl Tables {
    fn load(plan: &Plan, opts: GeneMapperOptions) -> anyhow::Result<Tables> {
        let mut t = BTreeMap::new();
        for i in plan_inputs(plan) {
            let p = &i.files[0];
            if !t.contains_key(p) {
                let table = if super::chimerism_spec::is_stdin(p) {
                    read_stdin_table(opts)?
                } else {
                    read_genemapper(p, opts).map_err(crate::exit::input)?
                };
                t.insert(p.clone(), table);
            }
        }
        Ok(Tables(t))
    }

    fn profile(&self, i: &InputRef) -> anyhow::Result<&StrProfile> {
        let sample = i.sample.as_deref().unwrap_or(&i.name);
        self.0[&i.files[0]]
            .profile(sample)
            .map_err(|e| match &i.origin {
                // A run sheet's row: its line and patient first.
                Some(o) => crate::exit::input_in(o.input_cell(), e),
                None => crate::exit::input(e),
            })
    }
}

/// Every table input of the plan: references, samples and controls.
fn plan_inputs(plan: &Plan) -> impl Iterator<Item = &InputRef> {
    plan.analyses
        .iter()
        .flat_map(|a| {
            std::iter::once(&a.recipient)
                .chain(&a.donors)
                .chain(a.samples.iter().map(|s| &s.input))
        })
        .chain(plan.controls.iter().map(|c| &c.input))
}

impl Tables {
    /// Without `--measure`: heights when no sample of the plan has a peak
    /// area (a height-only export), with the note saying so; areas
    /// otherwise (the default, which the classical formulas are written
    /// for).
    fn heights_if_no_areas(
        &self,
        plan: &Plan,
        cfg: &mut StrConfig,
    ) -> anyhow::Result<Option<String>> {
        let mut samples = plan
            .analyses
            .iter()
            .flat_map(|a| a.samples.iter().map(|s| &s.input))
            .peekable();
        if samples.peek().is_none() {
            return Ok(None);
        }
        for i in samples {
            if self.profile(i)?.has_signal(Measure::Area) {
                return Ok(None);
            }
        }
        cfg.measure = Measure::Height;
        Ok(Some(
            "measure: peak heights (the samples' export has no peak areas; --measure chooses)"
                .into(),
        ))
    }

    /// Without `--analytical-threshold`: the samples' exports' own threshold
    /// (`str::threshold`), with a note when it is below the usual 50 RFU.
    fn threshold_from_exports(&self, plan: &Plan, cfg: &mut StrConfig) -> Option<String> {
        let files: std::collections::BTreeSet<&PathBuf> = plan
            .analyses
            .iter()
            .flat_map(|a| a.samples.iter().map(|s| &s.input.files[0]))
            .collect();
        let at = threshold::from_exports(
            files
                .iter()
                .map(|f| threshold::lowest_peak(self.0[*f].samples.values())),
        )?;
        cfg.analytical_threshold_rfu = at;
        (at < StrConfig::default().analytical_threshold_rfu).then(|| {
            format!(
                "analytical threshold: {at:.0} RFU, the samples' export's own (its lowest peak; --analytical-threshold sets the lab's)"
            )
        })
    }

    /// The readers' notes about the samples the plan uses, and one line per
    /// table counting those about its other samples (a table may hold a
    /// whole plate: thousands of off-ladder notes about samples nobody
    /// asked for buried the ones that matter).
    fn notes(&self, plan: &Plan) -> Vec<String> {
        let used: std::collections::BTreeSet<(&Path, &str)> = plan_inputs(plan)
            .map(|i| (i.files[0].as_path(), i.sample.as_deref().unwrap_or(&i.name)))
            .collect();
        let mut out = Vec::new();
        for (path, t) in &self.0 {
            let (mine, others): (Vec<_>, Vec<_>) = t
                .notes
                .iter()
                .partition(|n| used.contains(&(path.as_path(), n.sample.as_str())));
            out.extend(graftwatch_genomics_io::genemapper::note_lines(
                &t.path.display().to_string(),
                &mine,
            ));
            if !others.is_empty() {
                out.push(format!(
                    "{}: {} about samples not analysed here not shown",
                    t.path.display(),
                    graftwatch_core::number::counted(others.len(), "reader note")
                ));
            }
        }
        out
    }
}

/// The peak table on standard input (`-`), read once: every `-` input of
/// the command names a sample of this one table.
fn read_stdin_table(opts: GeneMapperOptions) -> anyhow::Result<GeneMapperTable> {
    use std::io::Read;
    let name = Path::new(super::course::STDIN_NAME);
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| BadInput(format!("{}: cannot read: {e}", name.display())))?;
    graftwatch_genomics_io::genemapper::read_genemapper_bytes(&bytes, name, opts)
        .map_err(crate::exit::input)
}

/// Runs `chimerism str`.
pub fn run(mut args: StrArgs) -> anyhow::Result<()> {
    // `--recipient stored` / `--donor stored`: the stored patient's references.
    let _stored_refs = super::chimerism_store::resolve_stored_str(&mut args)?;
    let overwrite = graftwatch_output::Overwrite::from_force(args.force);
    if let Some(p) = &args.html {
        graftwatch_output::preflight(p, overwrite).map_err(crate::exit::input)?;
    }
    let mut cfg = config(&args)?;
    let plan = plan(&args)?;
    let opts = GeneMapperOptions {
        ignore_unknown_markers: args.ignore_unknown_markers,
    };
    let tables = Tables::load(&plan, opts)?;
    let measure_note = match args.measure {
        None => tables.heights_if_no_areas(&plan, &mut cfg)?,
        Some(_) => None,
    };
    let threshold_note = match args.analytical_threshold {
        None => tables.threshold_from_exports(&plan, &mut cfg),
        Some(_) => None,
    };
    // A run sheet or several samples: a sample that matches none of the
    // declared people is refused on its own (the others are reported) and
    // the run exits 2 after writing its report.
    let n_samples: usize = plan.analyses.iter().map(|a| a.samples.len()).sum();
    let per_sample = args.plate.run_sheet.is_some() || n_samples > 1;
    let mut analyses = Vec::new();
    for a in &plan.analyses {
        analyses.push(analyse(
            a,
            &tables,
            &cfg,
            args.plate.min_purity / 100.0,
            per_sample,
        )?);
    }
    let controls = plan
        .controls
        .iter()
        .map(|c| check_control(c, &tables, &cfg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let gate = RunGate {
        samples: n_samples,
        held: no_match_refusals(&analyses),
        failed_controls: super::chimerism_plan::failed_controls(&controls),
    };
    let run_status = gate.status();
    for s in analyses.iter_mut().flat_map(|a| a.samples.iter_mut()) {
        s.run_flags = run_status.flags.clone();
    }
    let mut notes = plan.notes.clone();
    notes.extend(measure_note);
    notes.extend(threshold_note);
    notes.extend(tables.notes(&plan));
    let run = StrRun {
        analyses,
        controls,
        run_status,
        notes,
        method: StrMethod::of(&cfg),
        measure: cfg.measure,
        analytical_threshold_rfu: cfg.analytical_threshold_rfu,
    };
    write_outputs(&args, &plan, &tables, &run, &gate, overwrite)?;
    match gate.verdict(args.add_to.is_some()) {
        Some(msg) => anyhow::bail!(BadInput(msg)),
        None => Ok(()),
    }
}

/// Writes the report, the HTML, the course and the store (every output
/// built in memory before anything is written). Nothing is recorded when
/// the run gate says so (`graftwatch_chimerism::run_gate`: a sample that
/// matched no reference, a failed run control).
fn write_outputs(
    args: &StrArgs,
    plan: &Plan,
    tables: &Tables,
    run: &StrRun,
    gate: &RunGate,
    overwrite: graftwatch_output::Overwrite,
) -> anyhow::Result<()> {
    // Build every output in memory before writing anything.
    let stdout_text = render(args.format, run)?;
    let html = match &args.html {
        Some(_) => Some(render_html(run)?),
        None => None,
    };
    // Nothing is recorded from a run the gate holds back (a swapped tube
    // may concern other rows too): the report is written for review, the
    // course and the store are left alone.
    let to_store = args
        .store
        .patient(args.add_to.as_deref())
        .filter(|_| gate.records());
    let add_to = args.add_to.as_ref().filter(|_| gate.records());
    let course = match add_to {
        Some(_) if to_store.is_some() => None,
        Some(path) => add_to_course(path, run)?,
        None => None,
    };
    let stored = match &to_store {
        Some(p) => Some(results_for(run, p, p)?),
        None => None,
    };
    if let (Some(path), Some(text)) = (&args.html, &html) {
        graftwatch_output::write(path, text.as_bytes(), overwrite).map_err(crate::exit::input)?;
    }
    if let (Some(path), Some((course, added))) = (add_to, &course) {
        graftwatch_course::io::write_course_with_backup(path, course)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("{added}");
    }
    if let (Some(p), Some(results)) = (&to_store, &stored) {
        let inputs = tables.0.keys().cloned().collect();
        super::chimerism_store::add_str(args, p, inputs, run, results)?;
    }
    for n in &plan.notes {
        eprintln!("note: {n}");
    }
    print!("{stdout_text}");
    Ok(())
}

/// The samples refused because they match none of the declared people
/// (`STR-NO-MATCH`), as `patient 'P': reason`.
fn no_match_refusals(analyses: &[AnalysisOut]) -> Vec<HeldSample> {
    analyses
        .iter()
        .flat_map(|a| a.samples.iter().map(move |s| (a, s)))
        .filter_map(|(a, s)| match &s.outcome {
            Outcome::Refused {
                reason,
                code: Some(code),
            } => Some(HeldSample {
                code,
                text: a
                    .patient
                    .as_deref()
                    .map(|p| format!("patient '{p}': {reason}"))
                    .unwrap_or_else(|| reason.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// The run in the `--format` asked for.
fn render(format: StrFormat, run: &StrRun) -> anyhow::Result<String> {
    Ok(match format {
        StrFormat::Table => render_run_table(run),
        StrFormat::Csv => render_csv(run),
        StrFormat::Tsv => graftwatch_output::delimited::csv_to_tsv(&render_csv(run)),
        StrFormat::Json => {
            serde_json::to_string_pretty(run).context("serialising the STR report")? + "\n"
        }
    })
}

/// The references and samples of one patient. With `per_sample` (a run
/// sheet, several samples) a sample that matches none of the declared
/// people is refused with the code `STR-NO-MATCH`; otherwise it is an error.
fn analyse(
    a: &Analysis,
    tables: &Tables,
    cfg: &StrConfig,
    min_purity: f64,
    per_sample: bool,
) -> anyhow::Result<AnalysisOut> {
    let who = a
        .patient
        .as_deref()
        .map(|p| format!("patient '{p}': "))
        .unwrap_or_default();
    let recipient = tables.profile(&a.recipient)?;
    let donors: Vec<(DonorId, &StrProfile)> = a
        .donors
        .iter()
        .map(|d| Ok((DonorId(d.name.clone()), tables.profile(d)?)))
        .collect::<anyhow::Result<_>>()?;
    let refs = match StrReferences::new(recipient, &donors, cfg.clone()) {
        Ok(r) => r,
        // In a run sheet, a patient whose declared people cannot be told
        // apart is refused on its own: every other patient is reported.
        Err(e @ StrError::IdenticalPersons { .. }) if per_sample => {
            return Ok(refused_patient(a, &e.to_string()));
        }
        Err(e) => anyhow::bail!(BadInput(format!("{who}{e}"))),
    };
    let mut samples = Vec::new();
    for s in &a.samples {
        let outcome = match refs.estimate(tables.profile(&s.input)?, s.lineage) {
            Ok(r) => Outcome::Estimated {
                result: Box::new(r),
                purity_corrected_percent: None,
            },
            Err(e) if e.is_sample_refusal() => Outcome::Refused {
                reason: e.to_string(),
                code: None,
            },
            Err(e @ StrError::SampleMatchesNoReference { .. }) if per_sample => Outcome::Refused {
                reason: no_match_reason(&e, &s.input),
                code: Some(StrFlagCode::SampleMatchesNoReference.code()),
            },
            Err(e) => anyhow::bail!(BadInput(format!(
                "{who}{}: {e}",
                super::chimerism_spec::display_file(&s.input.files[0])
            ))),
        };
        samples.push(SampleOut::new(s, outcome));
    }
    apply_purity(&mut samples, &a.samples, min_purity);
    Ok(AnalysisOut {
        patient: a.patient.clone(),
        references: Some(refs),
        samples,
    })
}

/// A patient of a run sheet whose references were refused (`why`): every
/// sample refused with the reason and the code `STR-IDENTICAL`, so the run
/// gate holds the run back as it does for `STR-NO-MATCH`.
fn refused_patient(a: &Analysis, why: &str) -> AnalysisOut {
    let samples = a
        .samples
        .iter()
        .map(|s| {
            SampleOut::new(
                s,
                Outcome::Refused {
                    reason: format!(
                        "sample '{}': the patient's references cannot be used: {why}",
                        s.input.name
                    ),
                    code: Some(StrFlagCode::IdenticalPersons.code()),
                },
            )
        })
        .collect();
    AnalysisOut {
        patient: a.patient.clone(),
        references: None,
        samples,
    }
}

/// A no-match refusal naming the run sheet's (or `--sample`'s) sample id
/// and the file and sample it was read from (`sample 'A003-S2'
/// (run.txt:A002-S) matches none …`): the error names the file's sample.
fn no_match_reason(e: &StrError, input: &InputRef) -> String {
    let text = e.to_string();
    let StrError::SampleMatchesNoReference { sample, .. } = e else {
        return text;
    };
    let file = super::chimerism_spec::display_file(&input.files[0]);
    text.replacen(
        &format!("sample '{sample}'"),
        &format!("sample '{}' ({file}:{sample})", input.name),
        1,
    )
}

fn shares(o: &Outcome) -> Option<Vec<f64>> {
    match o {
        Outcome::Estimated { result, .. } => {
            Some(result.persons.iter().map(|p| p.percent.get()).collect())
        }
        Outcome::Refused { .. } => None,
    }
}

/// Purity correction with the unsorted (whole blood / marrow) result of the
/// same date; flagged below `min_purity`.
fn apply_purity(out: &mut [SampleOut], specs: &[SampleSpec], min_purity: f64) {
    use graftwatch_core::Lineage;
    let unsorted: Vec<(Option<graftwatch_core::Date>, Vec<f64>)> = out
        .iter()
        .filter(|s| matches!(s.lineage, Lineage::WholeBlood | Lineage::Marrow))
        .filter_map(|s| Some((s.date, shares(&s.outcome)?)))
        .collect();
    for (s, spec) in out.iter_mut().zip(specs) {
        let Some(p) = spec.purity else { continue };
        let bg = unsorted.iter().find(|(d, _)| *d == s.date && d.is_some());
        let Outcome::Estimated {
            result,
            purity_corrected_percent,
        } = &mut s.outcome
        else {
            continue;
        };
        let names: Vec<String> = result
            .persons
            .iter()
            .map(|x| x.person.to_string())
            .collect();
        let correction = bg.map(|(_, u)| {
            let obs: Vec<f64> = result.persons.iter().map(|x| x.percent.get()).collect();
            let present: Vec<bool> = result
                .persons
                .iter()
                .map(|x| {
                    matches!(
                        x.detection,
                        Detection::Present | Detection::BelowQuantification
                    )
                })
                .collect();
            purity::correct(&obs, u, p, &present)
        });
        *purity_corrected_percent = correction.as_ref().and_then(purity::applied);
        s.purity_note = Some(purity::note(
            "STR",
            p,
            min_purity,
            &names,
            correction.as_ref(),
        ));
    }
}

/// A control's peaks at or above the analytical threshold, each with its
/// locus, allele and height: "CSF1PO 10 (85 RFU)".
fn control_peaks(prof: &graftwatch_chimerism::str::StrProfile, cfg: &StrConfig) -> Vec<String> {
    prof.loci
        .iter()
        .flat_map(|(l, ps)| {
            ps.iter()
                .filter(|p| {
                    graftwatch_chimerism::str::genotype::passes_analytical_threshold(p, cfg)
                })
                .map(move |p| {
                    let h = p.height.or_else(|| p.signal(cfg.measure)).unwrap_or(0.0);
                    format!("{l} {} ({h:.0} RFU)", p.allele)
                })
        })
        .collect()
}

fn check_control(c: &ControlSpec, tables: &Tables, cfg: &StrConfig) -> anyhow::Result<ControlOut> {
    let prof = tables.profile(&c.input)?;
    let with_peaks: Vec<String> = prof
        .loci
        .iter()
        .filter(|(_, ps)| {
            ps.iter()
                .any(|p| graftwatch_chimerism::str::genotype::passes_analytical_threshold(p, cfg))
        })
        .map(|(l, _)| l.to_string())
        .collect();
    let n = prof.loci.len();
    let (passed, detail) = match c.control {
        ControlType::Negative => (
            controls::negative_passes(with_peaks.len()),
            if with_peaks.is_empty() {
                format!(
                    "no peak at or above {:.0} RFU at {n} loci",
                    cfg.analytical_threshold_rfu
                )
            } else {
                format!(
                    "peaks at {} (contamination?)",
                    control_peaks(prof, cfg).join(", ")
                )
            },
        ),
        ControlType::Positive | ControlType::Ladder => (
            controls::positive_passes(with_peaks.len(), n),
            format!(
                "peaks at {}/{n} loci (≥ {}% expected)",
                with_peaks.len(),
                controls::POSITIVE_MIN_PERCENT
            ),
        ),
    };
    Ok(ControlOut {
        sample: c.input.name.clone(),
        control: c.control,
        passed,
        detail,
    })
}

/// The course with the run's results attached and the line saying what
/// was added, or `None` when there is nothing to record.
fn add_to_course(
    path: &Path,
    run: &StrRun,
) -> anyhow::Result<Option<(graftwatch_course::Course, String)>> {
    use graftwatch_course::attach_chimerism;
    let loaded = graftwatch_course::read_course(path)
        .map_err(|e| crate::exit::input_in(format!("--add-to {}", path.display()), e))?;
    let mut course = loaded.course;
    let pid = course.patient.id.to_string();
    let results = results_for(run, &pid, &path.display().to_string())?;
    if results.is_empty() {
        // Every sample refused (e.g. chimerism not informative): the
        // course is left as it is, not rewritten.
        eprintln!(
            "note: --add-to {}: no result to record (every sample was refused); the course is unchanged",
            path.display()
        );
        return Ok(None);
    }
    let summary = attach_chimerism(&mut course, &results)
        .map_err(|e| crate::exit::input_in(format!("--add-to {}", path.display()), e))?;
    crate::exit::print_notes(&format!("--add-to {}", path.display()), &summary.warnings);
    let line = super::chimerism::added_line(&path.display().to_string(), &summary, &results);
    Ok(Some((course, line)))
}

/// The dated results of patient `pid` (`target` names the course file or
/// stored patient in errors).
pub(super) fn results_for(
    run: &StrRun,
    pid: &str,
    target: &str,
) -> anyhow::Result<Vec<graftwatch_course::ChimerismResult>> {
    use graftwatch_course::{ChimerismMethod, ChimerismResult, PersonShare};
    let mut results = Vec::new();
    for a in &run.analyses {
        if a.patient.as_ref().is_some_and(|p| *p != pid) {
            continue;
        }
        for s in &a.samples {
            let (
                Some(date),
                Outcome::Estimated {
                    result,
                    purity_corrected_percent,
                },
            ) = (s.date, &s.outcome)
            else {
                continue;
            };
            let pct = |i: usize, p: f64| purity_corrected_percent.as_ref().map_or(p, |c| c[i]);
            results.push(ChimerismResult {
                sample: s.sample.clone(),
                date,
                lineage: s.lineage,
                method: ChimerismMethod::Str,
                shares: result
                    .persons
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PersonShare {
                        person: p.person.clone(),
                        percent: pct(i, p.percent.get()),
                        lod_percent: p.detection_limit_percent.map(|l| l.get()),
                        detected: p.detected(),
                    })
                    .collect(),
            });
        }
    }
    if results.is_empty()
        && run
            .analyses
            .iter()
            .all(|a| a.patient.as_ref().is_some_and(|p| *p != pid))
    {
        anyhow::bail!(BadInput(format!(
            "--add-to {target}: no analysis of patient '{pid}' in the run sheet"
        )));
    }
    Ok(results)
}

fn render_html(run: &StrRun) -> anyhow::Result<String> {
    let [a] = run.analyses.as_slice() else {
        anyhow::bail!(BadInput(format!(
            "--html draws one patient per call; the run sheet has {} patients",
            run.analyses.len()
        )));
    };
    let Some(references) = &a.references else {
        anyhow::bail!(BadInput(
            "--html: the patient's references were refused (see the report); there is nothing to draw".into()
        ));
    };
    let (samples, results): (Vec<_>, Vec<_>) = a
        .samples
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Estimated { result, .. } => Some((
                graftwatch_report::chimerism::StrPageSample {
                    id: &s.sample,
                    file: &s.file,
                    date: s.date,
                },
                (**result).clone(),
            )),
            Outcome::Refused { .. } => None,
        })
        .unzip();
    Ok(graftwatch_report::chimerism::render_str_page(
        references, &samples, &results,
    ))
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into())
}

fn detection_code(d: Detection) -> &'static str {
    match d {
        Detection::Present => "present",
        Detection::NotDetected => "not_detected",
        Detection::NotAssessable => "not_assessable",
        Detection::BelowQuantification => "below_loq",
        Detection::BelowDetectionLimit => "below_lod",
    }
}

fn render_run_table(run: &StrRun) -> String {
    let mut o = String::new();
    super::chimerism_plan::control_warning_line(&mut o, &run.controls);
    let _ = writeln!(o, "{}", run.method.line());
    for a in &run.analyses {
        if let Some(p) = &a.patient {
            let _ = writeln!(o, "=== Patient {p} ===");
        }
        render_analysis(&mut o, a);
        o.push('\n');
    }
    super::chimerism_plan::controls_table(&mut o, &run.controls);
    for n in &run.notes {
        let _ = writeln!(o, "{n}");
    }
    o
}

fn render_informativeness(o: &mut String, refs: &StrReferences) {
    let names: Vec<String> = refs.persons.iter().map(|p| p.person.to_string()).collect();
    // Each person with the sample its reference profile was read from.
    let donors: Vec<String> = refs.persons[1..]
        .iter()
        .map(|p| format!("{} (sample '{}')", p.person, p.sample))
        .collect();
    let _ = writeln!(
        o,
        "STR chimerism: recipient (sample '{}'); {}: {}",
        refs.persons[0].sample,
        if donors.len() == 1 { "donor" } else { "donors" },
        donors.join(", ")
    );
    let _ = writeln!(
        o,
        "\nInformativeness (unique alleles per person; * = in another person's back-stutter position):"
    );
    let _ = write!(o, "{:<10}", "locus");
    for n in &names {
        let _ = write!(o, " {:<24}", n);
    }
    o.push('\n');
    for li in &refs.informativeness {
        let _ = write!(o, "{:<10}", li.locus.name());
        for p in &li.persons {
            let uniq: Vec<String> = p
                .unique
                .iter()
                .map(|a| {
                    if p.in_back_stutter_position.contains(a) {
                        format!("{a}*")
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let cell = format!(
                "{} [{}]",
                p.genotype,
                if uniq.is_empty() {
                    "-".into()
                } else {
                    uniq.join(",")
                }
            );
            let _ = write!(o, " {:<24}", cell);
        }
        o.push('\n');
    }
}

/// `\nSample 'ID' (FILE, LINEAGE, DATE, SPECIMEN` (the caller closes it).
fn sample_heading(o: &mut String, s: &SampleOut) {
    let _ = write!(
        o,
        "\nSample '{}' ({}, {}{}{}",
        s.sample,
        s.file,
        s.lineage.label(),
        s.date.map(|d| format!(", {d}")).unwrap_or_default(),
        s.specimen
            .filter(|x| x.as_str() != s.lineage.label())
            .map(|x| format!(", {}", x.as_str()))
            .unwrap_or_default()
    );
}

fn render_analysis(o: &mut String, a: &AnalysisOut) {
    let Some(refs) = &a.references else {
        let _ = writeln!(
            o,
            "STR chimerism: the patient's references were refused; no sample of this patient is estimated"
        );
        for s in &a.samples {
            if let Outcome::Refused { reason, code } = &s.outcome {
                let code = code.map(|c| format!(" [{c}]")).unwrap_or_default();
                sample_heading(o, s);
                let _ = writeln!(o, "): no estimate\n  refused{code}: {reason}");
            }
        }
        return;
    };
    render_informativeness(o, refs);
    let results: Vec<&StrSampleResult> = a
        .samples
        .iter()
        .filter_map(|s| match &s.outcome {
            Outcome::Estimated { result, .. } => Some(&**result),
            Outcome::Refused { .. } => None,
        })
        .collect();
    // Flags raised identically for every sample (reference-level) are printed once.
    let common: Vec<&graftwatch_chimerism::str::StrFlag> = match results.first() {
        Some(first) => first
            .flags
            .iter()
            .filter(|f| results.iter().all(|r| r.flags.contains(f)))
            .collect(),
        None => refs.flags.iter().collect(),
    };
    if !common.is_empty() {
        let _ = writeln!(o, "\nFlags (every sample):");
        for f in &common {
            let _ = writeln!(o, "  {f}");
        }
    }
    for s in &a.samples {
        sample_heading(o, s);
        match &s.outcome {
            Outcome::Refused { reason, code } => {
                let code = code.map(|c| format!(" [{c}]")).unwrap_or_default();
                let _ = writeln!(o, "): no estimate\n  refused{code}: {reason}");
            }
            Outcome::Estimated {
                result,
                purity_corrected_percent,
            } => {
                let _ = writeln!(
                    o,
                    "), measure {}, {} loci used",
                    result.measure.as_str(),
                    result.loci_used.len()
                );
                render_result(o, result, purity_corrected_percent.as_deref(), &common);
            }
        }
        if let Some(n) = &s.purity_note {
            let _ = writeln!(o, "  purity: {n}");
        }
    }
}

fn render_result(
    o: &mut String,
    r: &StrSampleResult,
    corrected: Option<&[f64]>,
    common: &[&graftwatch_chimerism::str::StrFlag],
) {
    let _ = writeln!(
        o,
        "{:<12} {:>8} {:>17}  {:>8} {:>5}  detection{}",
        "person",
        "%",
        "95% CI",
        "locus SD",
        "loci",
        if corrected.is_some() {
            "  (purity-corrected %)"
        } else {
            ""
        }
    );
    for (i, p) in r.persons.iter().enumerate() {
        let ci =
            p.ci.map(|c| format!("{:.1}–{:.1}", c.low.get(), c.high.get()))
                .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            o,
            "{:<12} {:>8} {:>17}  {:>8} {:>5}  {}{}",
            p.person.to_string(),
            p.reported_percent(),
            ci,
            pct(p.sd),
            p.informative_loci,
            p.detection_words(),
            corrected
                .map(|c| format!("  ({:.2})", c[i]))
                .unwrap_or_default()
        );
    }
    if r.persons.iter().any(|p| p.shows_computed_lod()) {
        let _ = writeln!(o, "  {}", graftwatch_chimerism::str::COMPUTED_LOD_LEGEND);
    }
    let _ = writeln!(
        o,
        "donor total {:.2}%{}{}",
        r.donor_total_percent.get(),
        match (&r.dominant_donor, r.persons.len() > 2) {
            (Some(d), _) => format!("; dominant donor {d}"),
            (None, true) =>
                "; no dominant donor (no donor detected, or the donors' intervals overlap)".into(),
            (None, false) => String::new(),
        },
        r.classical_donor_percent
            .map(|c| format!("; classical per-locus mean {:.2}% donor", c.get()))
            .unwrap_or_default()
    );
    if !r.outlier_loci.is_empty() {
        let _ = writeln!(
            o,
            "outlier loci excluded: {}",
            r.outlier_loci
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    render_sample_flags(o, r, common);
    let _ = writeln!(o, "  interval: {}", r.ci_method);
}

/// The sample's own flags under its table. A possibly missing person is
/// said there as a WARNING, never only in the run's common flags.
fn render_sample_flags(
    o: &mut String,
    r: &StrSampleResult,
    common: &[&graftwatch_chimerism::str::StrFlag],
) {
    let undeclared =
        |f: &&graftwatch_chimerism::str::StrFlag| f.code == StrFlagCode::UndeclaredPerson;
    for f in r.flags.iter().filter(undeclared) {
        let _ = writeln!(o, "  WARNING {f}");
    }
    for f in r
        .flags
        .iter()
        .filter(|f| !common.contains(f) && !undeclared(f))
    {
        let _ = writeln!(o, "  {f}");
    }
}

fn csv_field(s: &str) -> String {
    graftwatch_output::delimited::csv_text(s)
}

/// A refused sample's cells from `status` to `detection_limit_source`
/// (18): the status, the sort purity, the codes and the reason.
fn csv_refused_cells(s: &SampleOut, code: Option<&'static str>, reason: &str) -> String {
    let mut cells = vec![String::new(); 18];
    cells[0] = "refused".into();
    cells[11] = s
        .purity
        .map(|p| format!("{:.4}", 100.0 * p))
        .unwrap_or_default();
    cells[15] = code
        .into_iter()
        .chain(s.run_flags.iter().copied())
        .collect::<Vec<_>>()
        .join(";");
    cells[16] = csv_field(reason);
    cells.join(",")
}

fn render_csv(run: &StrRun) -> String {
    let mut o = String::from(
        "patient,sample,file,lineage,specimen,date,status,person,percent,reported_percent,ci_low,ci_high,locus_sd,cv,informative_loci,detection,detection_limit_percent,purity_percent,purity_corrected_percent,loci_used,outlier_loci,flags,reason,detection_limit_source\n",
    );
    let f = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
    for a in &run.analyses {
        for s in &a.samples {
            let lead = format!(
                "{},{},{},{},{},{}",
                csv_field(a.patient.as_deref().unwrap_or("")),
                csv_field(&s.sample),
                csv_field(&s.file),
                s.lineage,
                s.specimen.map(|x| x.as_str()).unwrap_or(""),
                s.date.map(|d| d.to_string()).unwrap_or_default()
            );
            let (r, corr) = match &s.outcome {
                Outcome::Refused { reason, code } => {
                    let _ = writeln!(o, "{lead},{}", csv_refused_cells(s, *code, reason));
                    continue;
                }
                Outcome::Estimated {
                    result,
                    purity_corrected_percent,
                } => (result, purity_corrected_percent),
            };
            let flags: Vec<&str> = r
                .flags
                .iter()
                .map(|x| x.code.code())
                .chain(s.run_flags.iter().copied())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            for (i, p) in r.persons.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "{lead},estimated,{},{:.4},{},{},{},{},{},{},{},{},{},{},{},{},{},,{}",
                    csv_field(&p.person.to_string()),
                    p.percent.get(),
                    p.reported_percent().replace(' ', ""),
                    f(p.ci.map(|c| c.low.get())),
                    f(p.ci.map(|c| c.high.get())),
                    f(p.sd),
                    f(p.cv),
                    p.informative_loci,
                    detection_code(p.detection),
                    f(p.detection_limit_percent.map(|l| l.get())),
                    f(s.purity.map(|p| 100.0 * p)),
                    f(corr.as_ref().map(|c| c[i])),
                    r.loci_used.len(),
                    csv_field(
                        &r.outlier_loci
                            .iter()
                            .map(|l| l.name())
                            .collect::<Vec<_>>()
                            .join(";")
                    ),
                    csv_field(&flags.join(";")),
                    match (p.detection_limit_percent, p.lod_lab_validated) {
                        (None, _) => "",
                        (Some(_), true) => "lab_validated",
                        (Some(_), false) => "computed",
                    }
                );
            }
        }
    }
    csv_control_rows(&mut o, &run.controls);
    o
}

/// The run controls as CSV rows, one each: status control_pass /
/// control_fail, what was found in `reason`.
fn csv_control_rows(o: &mut String, controls: &[super::chimerism_plan::ControlOut]) {
    for c in controls {
        let _ = writeln!(
            o,
            ",{},,,,,control_{},,,,,,,,,,,,,,,{},{},",
            csv_field(&c.sample),
            if c.passed { "pass" } else { "fail" },
            if c.passed {
                ""
            } else {
                super::chimerism_plan::CONTROL_FAILED_FLAG
            },
            csv_field(&format!("{} control: {}", c.control.as_str(), c.detail))
        );
    }
}

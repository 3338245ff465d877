//! What `chimerism str` and `chimerism ngs` are asked to do: one analysis
//! per patient (recipient, donors, post-transplant samples, run controls),
//! from the command line (`--recipient/--donor/--sample`) or from a run
//! sheet (CSV, one row per tube: sample, patient, role, person, input,
//! lineage, specimen, date, sort purity, control type, and for sequencing
//! the run the tube was sequenced in). The run sheet is read by
//! `graftwatch_genomics_io::run_sheet`; this module turns its rows into the
//! plan and parses each row's input as `NAME=INPUT`.

use std::path::{Path, PathBuf};

use graftwatch_core::{Date, Lineage};
use graftwatch_genomics_io::run_sheet::{
    Role, RowInput, RunSheetRow, parse_purity, read_run_sheet_with,
};
use serde::Serialize;

pub use graftwatch_genomics_io::run_sheet::{ControlType, Specimen};

use super::chimerism_spec::{InputKind, InputRef, SpecRole, parse_input};

/// A post-transplant sample to analyse.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    /// The input (name = sample id).
    pub input: InputRef,
    /// Lineage (default whole blood).
    pub lineage: Lineage,
    /// Collection date.
    pub date: Option<Date>,
    /// Specimen, when known.
    pub specimen: Option<Specimen>,
    /// Sort purity (fraction) of a sorted lineage.
    pub purity: Option<f64>,
    /// The sequencing run (or batch) the sample was measured in, when the
    /// run sheet says; samples of one run share what is learnt from the run.
    pub run: Option<String>,
}

/// A run control to check.
#[derive(Debug, Clone)]
pub struct ControlSpec {
    /// The input.
    pub input: InputRef,
    /// Its type.
    pub control: ControlType,
}

/// The plate arguments of both chimerism commands: a run sheet in place of
/// `--recipient/--donor/--sample`, sort purities and the purity floor.
#[derive(clap::Args, Debug, Clone)]
pub struct PlateArgs {
    /// A run sheet (CSV: sample, patient, role, person, input, lineage, specimen, date, sort purity, control type; for `chimerism ngs` also run, the sequencing run, within which what is learnt from the samples stays) for a whole plate; replaces --recipient/--donor/--sample.
    #[arg(long, value_name = "SHEET.csv", conflicts_with_all = ["recipient", "donors", "samples"])]
    pub run_sheet: Option<PathBuf>,
    /// Sort purity of a sorted lineage sample: SAMPLE=PERCENT (repeatable).
    #[arg(long = "purity", value_name = "SAMPLE=PERCENT")]
    pub purities: Vec<String>,
    /// Purity below this (percent) is flagged (STR-LOW-PURITY, NGS-LOW-PURITY).
    #[arg(long, default_value_t = 90.0, value_name = "PERCENT")]
    pub min_purity: f64,
}

impl PlateArgs {
    /// `--min-purity` as a fraction, or why it is not a percentage in (0, 100].
    pub fn min_purity_fraction(&self) -> Result<f64, String> {
        if self.min_purity > 0.0 && self.min_purity <= 100.0 {
            Ok(self.min_purity / 100.0)
        } else {
            Err(format!(
                "--min-purity {}: expected a percentage above 0 and at most 100",
                self.min_purity
            ))
        }
    }
}

/// The identity options of both chimerism commands: a declared twin, and
/// whether identical donors may be reported as one combined share.
#[derive(clap::Args, Debug, Clone)]
pub struct IdentityArgs {
    /// Donor declared syngeneic (identical twin): identical genotypes give "chimerism not informative".
    #[arg(long = "syngeneic", value_name = "DONOR")]
    pub syngeneic: Vec<String>,
    /// Accept identical donors (report their combined share, no split) instead of failing; a donor identical to the recipient makes chimerism not informative.
    #[arg(long)]
    pub allow_identical: bool,
}

impl IdentityArgs {
    /// Every `--syngeneic` name is a declared donor of the plan (a
    /// misspelt twin would otherwise be ignored without a word).
    pub fn check(&self, plan: &Plan) -> Result<(), String> {
        let donors: Vec<&str> = plan
            .analyses
            .iter()
            .flat_map(|a| a.donors.iter().map(|d| d.name.as_str()))
            .collect();
        match self
            .syngeneic
            .iter()
            .find(|n| !donors.iter().any(|d| d.eq_ignore_ascii_case(n)))
        {
            Some(n) => Err(format!(
                "--syngeneic {n}: no donor named '{n}' in this call (donors: {})",
                donors.join(", ")
            )),
            None => Ok(()),
        }
    }
}

/// The flag every sample row of a run carries when a run control failed.
pub use graftwatch_chimerism::run_gate::CONTROL_FAILED_FLAG;

/// The failed run controls, each as `NAME (TYPE control: detail)`.
pub fn failed_controls(controls: &[ControlOut]) -> Vec<String> {
    controls
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            format!(
                "{} ({} control: {})",
                c.sample,
                c.control.as_str(),
                c.detail
            )
        })
        .collect()
}

/// The warning shown at the top of a run's table when a run control
/// failed: the samples are reported, but not as reportable.
pub fn control_failure_warning(controls: &[ControlOut]) -> Option<String> {
    let failed = failed_controls(controls);
    (!failed.is_empty()).then(|| {
        format!(
            "[{CONTROL_FAILED_FLAG}] run control failed: {}: every result of this run is shown but not reportable until the failure is resolved (repeat the run, or document why the results stand)",
            failed.join("; ")
        )
    })
}

/// `WARNING …` at the top of a table, when a run control failed.
pub fn control_warning_line(o: &mut String, controls: &[ControlOut]) {
    use std::fmt::Write as _;
    if let Some(w) = control_failure_warning(controls) {
        let _ = writeln!(o, "WARNING {w}\n");
    }
}

/// The run controls as table lines, after the patients' tables (nothing
/// without controls).
pub fn controls_table(o: &mut String, controls: &[ControlOut]) {
    use std::fmt::Write as _;
    if controls.is_empty() {
        return;
    }
    let _ = writeln!(o, "Run controls:");
    for c in controls {
        let _ = writeln!(
            o,
            "  {:<16} {:<9} {}  {}",
            c.sample,
            c.control.as_str(),
            if c.passed { "pass" } else { "FAIL" },
            c.detail
        );
    }
}

/// A checked run control.
#[derive(Debug, Clone, Serialize)]
pub struct ControlOut {
    /// Sample.
    pub sample: String,
    /// Type.
    pub control: ControlType,
    /// Passed?
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// One patient's analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Patient id (run sheets), if given.
    pub patient: Option<String>,
    /// The recipient's pre-transplant reference.
    pub recipient: InputRef,
    /// Donors (name = donor id).
    pub donors: Vec<InputRef>,
    /// Samples.
    pub samples: Vec<SampleSpec>,
}

/// Everything to do in one call.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Analyses, one per patient.
    pub analyses: Vec<Analysis>,
    /// Run controls (shared by the run).
    pub controls: Vec<ControlSpec>,
    /// Deprecation notes for old spellings.
    pub notes: Vec<String>,
}

/// The inputs `chimerism str` reads: peak tables.
pub const STR_KINDS: &[InputKind] = &[InputKind::PeakTable];
/// The inputs `chimerism ngs` reads: VCF/BCF, BAM/CRAM, FASTQ.
pub const NGS_KINDS: &[InputKind] = &[InputKind::Vcf, InputKind::Alignment, InputKind::Fastq];

/// Builds the plan from `--recipient/--donor/--sample` and `--purity NAME=P`,
/// for inputs of the given kinds.
pub fn from_args(
    recipient: &str,
    donors: &[String],
    samples: &[String],
    purities: &[String],
    kinds: &[InputKind],
) -> Result<Plan, String> {
    let mut notes = Vec::new();
    let mut note = |r: &InputRef| {
        if let Some(n) = &r.deprecated {
            notes.push(n.clone());
        }
    };
    let recipient = parse_input("--recipient", recipient, SpecRole::Reference, kinds)?;
    note(&recipient);
    let mut ds = Vec::new();
    for d in donors {
        let r = parse_input("--donor", d, SpecRole::Reference, kinds)?;
        note(&r);
        ds.push(r);
    }
    let mut ss = Vec::new();
    for s in samples {
        let r = parse_input("--sample", s, SpecRole::Sample, kinds)?;
        note(&r);
        ss.push(SampleSpec {
            lineage: r.lineage.unwrap_or(Lineage::WholeBlood),
            date: r.date,
            specimen: None,
            purity: None,
            run: None,
            input: r,
        });
    }
    for p in purities {
        let (name, value) = p.split_once('=').ok_or_else(|| {
            format!("--purity '{p}': expected SAMPLE=PERCENT, e.g. PB-d30-CD3=96")
        })?;
        let s = ss
            .iter_mut()
            .find(|s| s.input.name == name.trim())
            .ok_or_else(|| format!("--purity '{p}': no --sample named '{}'", name.trim()))?;
        s.purity = Some(parse_purity(value).map_err(|e| format!("--purity '{p}': {e}"))?);
    }
    let plan = Plan {
        analyses: vec![Analysis {
            patient: None,
            recipient,
            donors: ds,
            samples: ss,
        }],
        controls: Vec::new(),
        notes,
    };
    check_names(&plan)?;
    Ok(plan)
}

/// Reads a run sheet ([`graftwatch_genomics_io::run_sheet`]) whose inputs
/// are of the given kinds; inputs are resolved relative to its directory.
/// Each row's input is checked as the reader reads the row, so the first
/// problem of the sheet is the one reported. The reader's error is kept
/// whole (its line, column and value reach `--error-format json`).
pub fn from_run_sheet(path: &Path, kinds: &[InputKind]) -> anyhow::Result<Plan> {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut inputs = Vec::new();
    let mut check = |r: &RowInput<'_>| {
        inputs.push(row_input(base, r, kinds)?);
        Ok(())
    };
    let sheet = read_run_sheet_with(path, &mut check).map_err(crate::exit::input)?;
    for n in &sheet.notes {
        eprintln!("warning: {n}");
    }
    let mut plan = Plan::default();
    for (row, mut input) in sheet.rows.iter().zip(inputs) {
        input.origin = Some(super::chimerism_spec::SheetPlace {
            sheet: path.display().to_string(),
            line: row.line,
            patient: row.patient.clone(),
        });
        add_row(&mut plan, row, input);
    }
    check_plan(&plan, &path.display().to_string()).map_err(crate::BadInput)?;
    Ok(plan)
}

/// A row's input as `NAME=INPUT` gives it (the name from the row's role),
/// each file resolved against the sheet's folder; the sheet's sample id
/// names the sample in the file when the input does not.
fn row_input(base: &Path, r: &RowInput<'_>, kinds: &[InputKind]) -> Result<InputRef, String> {
    let spec = format!("{}={}", r.name, resolve(base, r.input));
    let mut input = parse_input("input", &spec, SpecRole::Reference, kinds)?;
    if let Some(sample) = r.sample
        && input.sample.as_deref() == Some(r.name)
    {
        input.sample = Some(sample.to_string());
    }
    Ok(input)
}

/// Adds one run-sheet row to the plan: a control, or the recipient, a donor
/// or a sample of the row's patient's analysis (created at its first row).
fn add_row(plan: &mut Plan, row: &RunSheetRow, input: InputRef) {
    if row.role == Role::Control {
        if let Some(control) = row.control {
            plan.controls.push(ControlSpec { input, control });
        }
        return;
    }
    let idx = match plan.analyses.iter().position(|a| a.patient == row.patient) {
        Some(i) => i,
        None => {
            plan.analyses.push(Analysis {
                patient: row.patient.clone(),
                recipient: input.clone(),
                donors: Vec::new(),
                samples: Vec::new(),
            });
            plan.analyses.len() - 1
        }
    };
    let a = &mut plan.analyses[idx];
    match row.role {
        Role::Recipient => a.recipient = input,
        Role::Donor => a.donors.push(input),
        Role::Sample | Role::Control => a.samples.push(sample_spec(row, input)),
    }
}

/// A sample row as a sample to analyse (whole blood when no lineage is
/// given).
fn sample_spec(row: &RunSheetRow, mut input: InputRef) -> SampleSpec {
    // The input carries what the sheet gave, as `NAME=INPUT:LINEAGE:DATE` would.
    input.lineage = row.lineage;
    input.date = row.date;
    SampleSpec {
        input,
        lineage: row.lineage.unwrap_or(Lineage::WholeBlood),
        date: row.date,
        specimen: row.specimen,
        purity: row.purity,
        run: row.run.clone(),
    }
}

/// `FILE[:SAMPLE]` (or a FASTQ pair `R1,R2`) with each file made relative
/// to the run sheet's folder.
fn resolve(base: &Path, input: &str) -> String {
    let (files, rest) = match input.split_once(':') {
        Some((f, r)) => (f, Some(r)),
        None => (input, None),
    };
    let full = files
        .split(',')
        .map(|file| {
            let f = PathBuf::from(file.trim());
            let full = if f.is_absolute() { f } else { base.join(f) };
            full.display().to_string()
        })
        .collect::<Vec<_>>()
        .join(",");
    match rest {
        Some(r) => format!("{full}:{r}"),
        None => full,
    }
}

/// Names every call must keep apart, for STR and NGS alike: no donor named
/// `recipient` or like the recipient, no donor twice in one patient, no
/// sample id twice in the run (one tube reported under two lineages
/// otherwise). From a run sheet the message starts with the row's line
/// (`line 20: sample id 'S' is used twice (first on line 4)`).
pub fn check_names(plan: &Plan) -> Result<(), String> {
    let mut samples: Vec<&InputRef> = Vec::new();
    for a in &plan.analyses {
        let mut donors: Vec<&InputRef> = Vec::new();
        for d in &a.donors {
            let n = d.name.as_str();
            if n.eq_ignore_ascii_case("recipient") || n == a.recipient.name {
                return Err(format!(
                    "{}donor name '{n}' cannot be used: 'recipient' and the recipient's own name do not name a donor",
                    at_line(d)
                ));
            }
            if let Some(first) = donors.iter().find(|x| x.name == n) {
                return Err(format!(
                    "{}donor '{n}' is declared twice{}; donor names must be unique",
                    at_line(d),
                    first_line(first)
                ));
            }
            donors.push(d);
        }
        for s in &a.samples {
            let n = s.input.name.as_str();
            if let Some(first) = samples.iter().find(|x| x.name == n) {
                return Err(format!(
                    "{}sample id '{n}' is used twice{}; each tube needs its own sample id (one tube would be reported twice, under two lineages or dates)",
                    at_line(&s.input),
                    first_line(first)
                ));
            }
            samples.push(&s.input);
        }
    }
    Ok(())
}

/// `line N: ` for an input read from a run sheet, nothing otherwise.
fn at_line(i: &InputRef) -> String {
    i.origin
        .as_ref()
        .map(|o| format!("line {}: ", o.line))
        .unwrap_or_default()
}

/// ` (first on line N)` for an input read from a run sheet.
fn first_line(i: &InputRef) -> String {
    i.origin
        .as_ref()
        .map(|o| format!(" (first on line {})", o.line))
        .unwrap_or_default()
}

/// A run sheet's plan: every patient has a recipient and a donor row
/// (checked first: a patient without a recipient row would otherwise be
/// reported as a donor named like the recipient), then the names.
fn check_plan(plan: &Plan, path: &str) -> Result<(), String> {
    for a in &plan.analyses {
        let who = a
            .patient
            .as_deref()
            .map(|p| format!("patient '{p}'"))
            .unwrap_or_else(|| "the run sheet".into());
        // The first row of the patient (the analysis is created there).
        let rows: Vec<usize> = std::iter::once(&a.recipient)
            .chain(&a.donors)
            .chain(a.samples.iter().map(|s| &s.input))
            .filter_map(|i| i.origin.as_ref().map(|o| o.line))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let lines = match rows.as_slice() {
            [] => String::new(),
            [one] => format!("; its only row is line {one}"),
            many => format!(
                "; its rows are lines {}",
                many.iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let first = rows
            .first()
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        if a.recipient.name != "recipient" {
            return Err(format!(
                "{path}: {first}{who} has no recipient row (role recipient{lines})"
            ));
        }
        if a.donors.is_empty() {
            return Err(format!(
                "{path}: {first}{who} has no donor row (role donor{lines})"
            ));
        }
    }
    check_names(plan).map_err(|e| format!("{path}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run sheet `text` written as `run.csv` in a fresh folder named by `tag`.
    fn sheet_file(tag: &str, text: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("gw-sheet-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sheet = dir.join("run.csv");
        std::fs::write(&sheet, text).unwrap();
        (dir, sheet)
    }

    #[test]
    fn run_sheet_with_two_patients_and_controls() {
        let (dir, sheet) = sheet_file(
            "two",
            "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n\
             ,P1,recipient,,refs.txt:R1,,,,,\n\
             ,P1,donor,D1,refs.txt:D1,,,,,\n\
             S1,P1,sample,,run.txt,cd3,pb,2025-01-02,96%,\n\
             ,P2,recipient,,refs.txt:R2,,,,,\n\
             ,P2,donor,D2,refs.txt:D2,,,,,\n\
             S2,P2,sample,,run.txt:S2-tube,,bm,2025-01-03,,\n\
             NTC,,control,,run.txt,,,,,ntc\n",
        );
        let plan = from_run_sheet(&sheet, STR_KINDS).unwrap();
        assert_eq!(plan.analyses.len(), 2);
        let s1 = &plan.analyses[0].samples[0];
        assert_eq!(
            (s1.lineage, s1.purity, s1.specimen),
            (Lineage::Cd3, Some(0.96), Some(Specimen::PeripheralBlood))
        );
        assert_eq!(s1.input.sample.as_deref(), Some("S1"));
        assert!(s1.input.files[0].starts_with(&dir));
        assert_eq!(
            plan.analyses[1].samples[0].input.sample.as_deref(),
            Some("S2-tube")
        );
        assert_eq!(plan.controls[0].control, ControlType::Negative);
        std::fs::write(&sheet, "sample,role,input\nS1,blood,run.txt\n").unwrap();
        let e = from_run_sheet(&sheet, STR_KINDS).unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("'role'") && e.contains("blood"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_first_problem_in_file_order_is_reported() {
        // Line 3's input is not a peak table; line 4's date is wrong: line 3
        // is reported, and within line 3 the input before the date.
        let (dir, sheet) = sheet_file(
            "order",
            "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n\
             ,P1,recipient,,refs.txt:R1,,,,,\n\
             S1,P1,sample,,run.bam,cd3,pb,never,96%,\n\
             S2,P1,sample,,run.txt,cd3,pb,never,96%,\n",
        );
        let e = from_run_sheet(&sheet, STR_KINDS).unwrap_err().to_string();
        assert!(
            e.contains("line 3, column 'input'") && e.contains("run.bam"),
            "{e}"
        );
        let text = std::fs::read_to_string(&sheet).unwrap();
        std::fs::write(&sheet, text.replace("run.bam", "run.txt")).unwrap();
        let e = from_run_sheet(&sheet, STR_KINDS).unwrap_err().to_string();
        assert!(e.contains("line 3, column 'date'"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

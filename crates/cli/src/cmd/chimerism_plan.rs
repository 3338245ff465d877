//! What `chimerism str` and `chimerism ngs` are asked to do: one analysis
//! per patient (recipient, donors, post-transplant samples, run controls),
//! from the command line (`--recipient/--donor/--sample`) or from a run
//! sheet (CSV, one row per tube: sample, patient, role, person, input,
//! lineage, specimen, date, sort purity, control type, and for sequencing
//! the run the tube was sequenced in).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use graftwatch_core::{Date, Lineage};
use graftwatch_genomics_io::peak_text::{decode, is_missing, sniff_delimiter, split_fields};
use serde::Serialize;

use super::chimerism_spec::{InputKind, InputRef, SpecRole, parse_input};

/// The specimen a sample was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Specimen {
    /// Peripheral blood.
    PeripheralBlood,
    /// Bone marrow.
    Marrow,
}

impl Specimen {
    /// In words.
    pub fn as_str(self) -> &'static str {
        match self {
            Specimen::PeripheralBlood => "peripheral blood",
            Specimen::Marrow => "bone marrow",
        }
    }
}

impl FromStr for Specimen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match word_key(s).as_str() {
            "pb" | "blood" | "peripheral_blood" | "whole_blood" => Ok(Specimen::PeripheralBlood),
            "bm" | "marrow" | "bone_marrow" => Ok(Specimen::Marrow),
            _ => Err(format!(
                "unknown specimen '{s}'; expected peripheral_blood (pb) or marrow (bm)"
            )),
        }
    }
}

/// A run control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlType {
    /// Positive control DNA (a full profile is expected).
    Positive,
    /// Negative / no-template control (no peak is expected).
    Negative,
    /// Allelic ladder (peaks at every locus expected).
    Ladder,
}

impl FromStr for ControlType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match word_key(s).as_str() {
            "positive" | "pos" | "positive_control" => Ok(ControlType::Positive),
            "negative" | "neg" | "ntc" | "no_template" | "no_template_control" | "blank" => {
                Ok(ControlType::Negative)
            }
            "ladder" | "allelic_ladder" => Ok(ControlType::Ladder),
            _ => Err(format!(
                "unknown control type '{s}'; expected positive, negative (ntc, no_template) or ladder"
            )),
        }
    }
}

/// A run-sheet word as matched: trimmed, lower case, `-` and spaces as `_`.
fn word_key(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

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

impl ControlType {
    /// In words: `positive`, `negative`, `ladder`.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlType::Positive => "positive",
            ControlType::Negative => "negative",
            ControlType::Ladder => "ladder",
        }
    }
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
    Ok(Plan {
        analyses: vec![Analysis {
            patient: None,
            recipient,
            donors: ds,
            samples: ss,
        }],
        controls: Vec::new(),
        notes,
    })
}

/// A purity as percent (`96`, `96%`) or fraction (`0.96`).
fn parse_purity(v: &str) -> Result<f64, String> {
    let t = v.trim().trim_end_matches('%').trim();
    let x: f64 = t
        .parse()
        .map_err(|_| format!("'{v}' is not a purity; expected a percentage like 96 or 96%"))?;
    let f = if x > 1.0 { x / 100.0 } else { x };
    if !(f > 0.0 && f <= 1.0) {
        return Err(format!(
            "'{v}' is not a purity; expected a percentage above 0 and at most 100"
        ));
    }
    Ok(f)
}

/// Columns of a run sheet (normalised names).
struct SheetCols {
    sample: Option<usize>,
    patient: Option<usize>,
    role: usize,
    person: Option<usize>,
    input: usize,
    lineage: Option<usize>,
    specimen: Option<usize>,
    date: Option<usize>,
    purity: Option<usize>,
    control: Option<usize>,
    run: Option<usize>,
}

fn sheet_cols(header: &[String], path: &str) -> Result<SheetCols, String> {
    let norm: Vec<String> = header
        .iter()
        .map(|h| {
            h.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect();
    let find = |names: &[&str]| names.iter().find_map(|n| norm.iter().position(|x| x == n));
    let need = |names: &[&str], what: &str| {
        find(names).ok_or_else(|| {
            format!(
                "{path}: line 1: no '{what}' column (found: {}); expected the columns sample, patient, role, person, input, lineage, specimen, date, sort purity, control type",
                header.join(", ")
            )
        })
    };
    Ok(SheetCols {
        sample: find(&["sample", "sampleid", "samplename"]),
        patient: find(&["patient", "patientid"]),
        role: need(&["role"], "role")?,
        person: find(&["person", "donor", "name"]),
        input: need(&["input", "file"], "input")?,
        lineage: find(&["lineage"]),
        specimen: find(&["specimen", "specimentype"]),
        date: find(&["date", "collectiondate"]),
        purity: find(&["sortpurity", "purity"]),
        control: find(&["controltype", "control"]),
        run: find(&["run", "runid", "sequencingrun", "batch"]),
    })
}

/// Reads a run sheet whose inputs are of the given kinds; inputs are
/// resolved relative to its directory.
pub fn from_run_sheet(path: &Path, kinds: &[InputKind]) -> Result<Plan, String> {
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{p}: cannot read: {e}"))?;
    let (text, _) = decode(&bytes).map_err(|e| format!("{p}: line {}: {}", e.line, e.what))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (_, header) = lines
        .next()
        .ok_or_else(|| format!("{p}: empty run sheet; expected a header line"))?;
    let delim = sniff_delimiter(header);
    let header = split_fields(header, delim);
    let cols = sheet_cols(&header, &p)?;
    let base = path.parent().unwrap_or(Path::new(""));
    let mut plan = Plan::default();
    let mut rows = 0;
    for (line, raw) in lines {
        rows += 1;
        let f = split_fields(raw, delim);
        let get = |c: Option<usize>| {
            c.and_then(|c| f.get(c))
                .map(String::as_str)
                .filter(|s| !is_missing(s))
                .unwrap_or("")
        };
        let at = |col: &str, msg: String| format!("{p}: line {line}, column '{col}': {msg}");
        sheet_row(&mut plan, &cols, &get, (base, kinds), &at)?;
    }
    if rows == 0 {
        return Err(format!(
            "{p}: header only, no rows; expected one row per tube"
        ));
    }
    check_plan(&plan, &p)?;
    Ok(plan)
}

type At<'a> = dyn Fn(&str, String) -> String + 'a;

/// Adds one run-sheet row to the plan: a control, or the recipient, a donor
/// or a sample of the row's patient's analysis (created at its first row).
fn sheet_row<'f>(
    plan: &mut Plan,
    cols: &SheetCols,
    get: &dyn Fn(Option<usize>) -> &'f str,
    (base, kinds): (&Path, &[InputKind]),
    at: &At,
) -> Result<(), String> {
    let role = get(Some(cols.role)).to_ascii_lowercase();
    let patient = Some(get(cols.patient).to_string()).filter(|s| !s.is_empty());
    let sample = get(cols.sample);
    let input_text = get(Some(cols.input));
    if input_text.is_empty() {
        return Err(at("input", "empty; expected FILE:SAMPLE or FILE".into()));
    }
    let name = row_name(&role, get(cols.person), sample, at)?;
    let resolved = resolve(base, input_text);
    let spec = format!("{name}={resolved}");
    let mut input =
        parse_input("input", &spec, SpecRole::Reference, kinds).map_err(|e| at("input", e))?;
    if input.sample.as_deref() == Some(name) && !sample.is_empty() {
        input.sample = Some(sample.to_string());
    }
    if role == "control" {
        let control = get(cols.control)
            .parse::<ControlType>()
            .map_err(|e| at("control type", e))?;
        plan.controls.push(ControlSpec { input, control });
        return Ok(());
    }
    let idx = match plan.analyses.iter().position(|a| a.patient == patient) {
        Some(i) => i,
        None => {
            plan.analyses.push(Analysis {
                patient: patient.clone(),
                recipient: input.clone(),
                donors: Vec::new(),
                samples: Vec::new(),
            });
            plan.analyses.len() - 1
        }
    };
    let a = &mut plan.analyses[idx];
    match role.as_str() {
        "recipient" | "patient" => a.recipient = input,
        "donor" => a.donors.push(input),
        _ => a.samples.push(sample_spec(input, cols, get, at)?),
    }
    Ok(())
}

/// The name a row's input is given from its role: `recipient`, the donor id
/// (`person`) or the sample id; an unknown role or a missing id is an error.
fn row_name<'f>(role: &str, person: &'f str, sample: &'f str, at: &At) -> Result<&'f str, String> {
    match role {
        "recipient" | "patient" => Ok("recipient"),
        "donor" if !person.is_empty() => Ok(person),
        "donor" => Err(at("person", "empty; a donor row needs the donor id".into())),
        "sample" | "control" if !sample.is_empty() => Ok(sample),
        "sample" | "control" => Err(at("sample", "empty; expected the sample id".into())),
        other => Err(at(
            "role",
            format!("'{other}' is not a role; expected recipient, donor, sample or control"),
        )),
    }
}

/// A sample row's lineage (whole blood when empty), date, specimen and sort
/// purity, each parsed from its column.
fn sample_spec<'f>(
    mut input: InputRef,
    cols: &SheetCols,
    get: &dyn Fn(Option<usize>) -> &'f str,
    at: &At,
) -> Result<SampleSpec, String> {
    let lineage = match get(cols.lineage) {
        "" => Lineage::WholeBlood,
        l => l.parse().map_err(|e| at("lineage", format!("{e}")))?,
    };
    let date = match get(cols.date) {
        "" => None,
        d => Some(
            d.parse::<Date>()
                .map_err(|e| at("date", format!("'{d}': {e}; expected YYYY-MM-DD")))?,
        ),
    };
    let specimen = match get(cols.specimen) {
        "" => None,
        s => Some(s.parse().map_err(|e| at("specimen", e))?),
    };
    let purity = match get(cols.purity) {
        "" => None,
        v => Some(parse_purity(v).map_err(|e| at("sort purity", e))?),
    };
    let run = Some(get(cols.run).to_string()).filter(|r| !r.is_empty());
    // The input carries what the sheet gave, as `NAME=INPUT:LINEAGE:DATE` would.
    input.lineage = (!get(cols.lineage).is_empty()).then_some(lineage);
    input.date = date;
    Ok(SampleSpec {
        input,
        lineage,
        date,
        specimen,
        purity,
        run,
    })
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

fn check_plan(plan: &Plan, path: &str) -> Result<(), String> {
    for a in &plan.analyses {
        let who = a
            .patient
            .as_deref()
            .map(|p| format!("patient '{p}'"))
            .unwrap_or_else(|| "the run sheet".into());
        if a.recipient.name != "recipient" {
            return Err(format!(
                "{path}: {who} has no recipient row (role recipient)"
            ));
        }
        if a.donors.is_empty() {
            return Err(format!("{path}: {who} has no donor row (role donor)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_sheet_with_two_patients_and_controls() {
        let dir = std::env::temp_dir().join(format!("gw-sheet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sheet = dir.join("run.csv");
        std::fs::write(
            &sheet,
            "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n\
             ,P1,recipient,,refs.txt:R1,,,,,\n\
             ,P1,donor,D1,refs.txt:D1,,,,,\n\
             S1,P1,sample,,run.txt,cd3,pb,2025-01-02,96%,\n\
             ,P2,recipient,,refs.txt:R2,,,,,\n\
             ,P2,donor,D2,refs.txt:D2,,,,,\n\
             S2,P2,sample,,run.txt:S2-tube,,bm,2025-01-03,,\n\
             NTC,,control,,run.txt,,,,,ntc\n",
        )
        .unwrap();
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
        let e = from_run_sheet(&sheet, STR_KINDS).unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("'role'") && e.contains("blood"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn purity_percent_or_fraction() {
        assert_eq!(parse_purity("96").unwrap(), 0.96);
        assert_eq!(parse_purity("0.9").unwrap(), 0.9);
        assert!(parse_purity("0").is_err() && parse_purity("120").is_err());
    }

    #[test]
    fn row_name_by_role() {
        let at = |col: &str, msg: String| format!("{col}: {msg}");
        assert_eq!(row_name("patient", "", "", &at).unwrap(), "recipient");
        assert_eq!(row_name("donor", "D1", "S1", &at).unwrap(), "D1");
        assert!(
            row_name("donor", "", "S1", &at)
                .unwrap_err()
                .starts_with("person:")
        );
        assert_eq!(row_name("control", "", "NTC", &at).unwrap(), "NTC");
        assert!(
            row_name("sample", "D1", "", &at)
                .unwrap_err()
                .starts_with("sample:")
        );
        assert!(
            row_name("tube", "D1", "S1", &at)
                .unwrap_err()
                .starts_with("role:")
        );
    }
}

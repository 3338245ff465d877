//! `chimerism ngs` on a plate: the run sheet and `--purity` of
//! `chimerism str` ([`super::chimerism_plan`]), several patients in one
//! call, samples grouped by sequencing run, sort-purity correction and the
//! run controls (docs/chimerism-ngs.md, "Run sheets").

use std::fmt::Write as _;

use graftwatch_chimerism::controls;
use graftwatch_core::Lineage;
use graftwatch_genomics_io::ngs_run::{NgsReferences, NgsRunError, NgsRunOptions, count_sample};
use serde::Serialize;

use super::chimerism_ngs::{NgsArgs, NgsRun, SampleOutput, spec_of};
use super::chimerism_plan::{
    Analysis, ControlOut, ControlSpec, ControlType, NGS_KINDS, Plan, from_args, from_run_sheet,
};
use crate::BadInput;

/// Version of the `--format json` output of a run sheet with several
/// patients: `analyses` (one `graftwatch-ngs/2` document per patient, with
/// its `patient`) and the run `controls`.
pub const NGS_PLATE_SCHEMA: &str = "graftwatch-ngs-plate/1";

/// A run sheet with several patients, as written by `--format json`.
#[derive(Debug, Serialize)]
pub struct NgsPlate {
    /// [`NGS_PLATE_SCHEMA`].
    pub schema: &'static str,
    /// One analysis per patient, in the sheet's order.
    pub analyses: Vec<NgsRun>,
    /// Patients refused as a whole (a donor identical to the recipient, or
    /// chimerism not informative): none of their samples was analysed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedPatient>,
    /// The run controls.
    pub controls: Vec<ControlOut>,
    /// The run's status: `not_reportable` with `RUN-CONTROL-FAILED` when a
    /// run control failed.
    pub run_status: graftwatch_chimerism::run_gate::RunStatus,
}

/// The code of a patient refused because a donor's genotypes equal the
/// recipient's (the NGS counterpart of `STR-IDENTICAL`).
pub const IDENTICAL_CODE: &str = "NGS-IDENTICAL";

/// The code of a patient whose chimerism cannot be measured because a
/// donor declared syngeneic (`--syngeneic`), or allowed to be identical
/// (`--allow-identical`), has the recipient's genotypes: the samples are
/// reported "chimerism not informative" with the reason, the run stands
/// (exit 0) and nothing is recorded for the patient.
pub const NOT_INFORMATIVE_CODE: &str = "NGS-NOT-INFORMATIVE";

/// A patient whose references cannot be used: a donor identical to the
/// recipient in a run sheet ([`IDENTICAL_CODE`]: reported with the reason,
/// none of its samples analysed, and the run held back by the run gate as
/// for `NGS-ID`), or chimerism not informative ([`NOT_INFORMATIVE_CODE`]:
/// reported, not held back).
#[derive(Debug, Serialize)]
pub struct RefusedPatient {
    /// The patient of a run sheet (none for `--recipient/--donor/--sample`).
    pub patient: Option<String>,
    /// Its samples (sheet ids), none analysed.
    pub samples: Vec<String>,
    /// The flag code, [`IDENTICAL_CODE`] or [`NOT_INFORMATIVE_CODE`].
    pub code: &'static str,
    /// Why.
    pub reason: String,
}

impl RefusedPatient {
    /// The refusal of analysis `a` for `reason` ([`IDENTICAL_CODE`]).
    pub fn new(a: &Analysis, reason: &str) -> RefusedPatient {
        RefusedPatient {
            patient: a.patient.clone(),
            samples: a.samples.iter().map(|s| s.input.name.clone()).collect(),
            code: IDENTICAL_CODE,
            reason: reason.to_string(),
        }
    }

    /// Analysis `a` is not informative, for `reason`.
    pub fn not_informative(a: &Analysis, reason: &str) -> RefusedPatient {
        RefusedPatient {
            code: NOT_INFORMATIVE_CODE,
            ..RefusedPatient::new(a, reason)
        }
    }

    /// Whether the run gate holds the run back for it (a donor identical
    /// to the recipient that was not declared or allowed).
    pub fn holds_the_run(&self) -> bool {
        self.code == IDENTICAL_CODE
    }

    /// `patient 'P': ` for a run sheet's patient, else nothing.
    fn who(&self) -> String {
        self.patient
            .as_deref()
            .map(|p| format!("patient '{p}': "))
            .unwrap_or_default()
    }

    /// Each of its samples as the run gate holds it back (none when the
    /// patient is only not informative).
    pub fn held(&self) -> impl Iterator<Item = graftwatch_chimerism::run_gate::HeldSample> + '_ {
        self.samples
            .iter()
            .filter(|_| self.holds_the_run())
            .map(|s| graftwatch_chimerism::run_gate::HeldSample {
                code: IDENTICAL_CODE,
                text: format!(
                    "{}sample '{s}': the patient's references cannot be used: {}",
                    self.who(),
                    self.reason
                ),
            })
    }
}

impl std::fmt::Display for RefusedPatient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.who(), self.reason)
    }
}

impl std::error::Error for RefusedPatient {}

/// The plan of the call: the run sheet, or `--recipient/--donor/--sample`
/// with `--purity`; every patient needs a sample, and `--add-to` a date on
/// every sample.
pub fn plan(args: &NgsArgs) -> anyhow::Result<Plan> {
    let plan = match (&args.plate.run_sheet, &args.recipient) {
        (Some(sheet), _) => from_run_sheet(sheet, NGS_KINDS)?,
        (None, Some(r)) if !args.donors.is_empty() && !args.samples.is_empty() => {
            from_args(r, &args.donors, &args.samples, &args.plate.purities, NGS_KINDS)
                .map_err(BadInput)?
        }
        _ => anyhow::bail!(BadInput("chimerism ngs needs --recipient NAME=INPUT, --donor NAME=INPUT and --sample NAME=INPUT[:LINEAGE[:DATE]] (or --run-sheet)".into())),
    };
    args.plate.min_purity_fraction().map_err(BadInput)?;
    args.identity.check(&plan).map_err(BadInput)?;
    let where_ = || {
        args.plate
            .run_sheet
            .as_ref()
            .map(|p| format!("{}: ", p.display()))
            .unwrap_or_default()
    };
    if plan.analyses.is_empty() {
        anyhow::bail!(BadInput(format!(
            "{}no patient: expected recipient, donor and sample rows",
            where_()
        )));
    }
    for a in &plan.analyses {
        if a.samples.is_empty() {
            anyhow::bail!(BadInput(format!(
                "{}patient '{}' has no sample row (role sample)",
                where_(),
                a.patient.as_deref().unwrap_or("-")
            )));
        }
    }
    if let Some(c) = plan
        .controls
        .iter()
        .find(|c| c.control == ControlType::Ladder)
    {
        anyhow::bail!(BadInput(format!(
            "{}control '{}': an allelic ladder is a capillary-electrophoresis control; expected positive or negative for sequencing",
            where_(),
            c.input.name
        )));
    }
    Ok(plan)
}

/// The samples of an analysis grouped by sequencing run, in the order each
/// run first appears (one group when the sheet names no runs).
pub fn run_groups(a: &Analysis) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for (i, s) in a.samples.iter().enumerate() {
        let run = s.run.as_deref();
        match groups.iter_mut().find(|(r, _)| *r == run) {
            Some((_, g)) => g.push(i),
            None => groups.push((run, vec![i])),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Each person's share of a sample, in percent, when every person has one.
fn shares(s: &SampleOutput) -> Option<Vec<f64>> {
    s.result
        .persons
        .iter()
        .map(|p| p.fraction.map(|f| 100.0 * f.get()))
        .collect()
}

/// Purity correction of the sorted-lineage samples with the unsorted
/// (whole blood or marrow) sample of the same date, by the one formula of
/// `graftwatch_chimerism::purity`; flagged `NGS-LOW-PURITY` below
/// `min_purity` (fraction).
pub fn apply_purity(out: &mut [SampleOutput], purities: &[Option<f64>], min_purity: f64) {
    use graftwatch_chimerism::purity;
    let unsorted: Vec<(graftwatch_core::Date, Vec<f64>)> = out
        .iter()
        .filter(|s| {
            matches!(
                s.lineage,
                None | Some(Lineage::WholeBlood | Lineage::Marrow)
            )
        })
        .filter_map(|s| Some((s.date?, shares(s)?)))
        .collect();
    for (s, purity) in out.iter_mut().zip(purities) {
        let Some(p) = *purity else { continue };
        s.purity = Some(p);
        let bg = s
            .date
            .and_then(|d| unsorted.iter().find(|(u, _)| *u == d))
            .map(|(_, u)| u);
        let names: Vec<String> = s.result.persons.iter().map(|x| x.name.clone()).collect();
        let Some(obs) = shares(s) else {
            s.purity_note = Some(format!(
                "sort purity {:.1}% recorded; the donors are not estimated separately: not corrected",
                100.0 * p
            ));
            continue;
        };
        let correction = bg.map(|u| purity::correct(&obs, u, p, &present(s)));
        s.purity_corrected_percent = correction.as_ref().and_then(purity::applied);
        s.purity_note = Some(purity::note(
            "NGS",
            p,
            min_purity,
            &names,
            correction.as_ref(),
        ));
    }
}

/// Whether each person's presence is called in a sample: the one call of
/// [`graftwatch_chimerism::ngs::NgsSampleResult::detected`] (the recipient
/// by the presence test or an estimate above its limit of blank, a donor
/// by an estimate above its limit of blank), which the report and the
/// course follow.
fn present(s: &SampleOutput) -> Vec<bool> {
    (0..s.result.persons.len())
        .map(|k| s.result.detected(k) == Some(true))
        .collect()
}

/// Checks a run control on the panel markers: a negative (no-template)
/// control passes when no marker reaches `min_depth` reads, a positive
/// control when at least 90 % of the panel's markers do: the rules of
/// `graftwatch_chimerism::controls`, shared with STR, with the sample depth
/// floor as the signal.
pub fn check_control(
    c: &ControlSpec,
    refs: &NgsReferences,
    opts: &NgsRunOptions,
    min_depth: u32,
) -> anyhow::Result<ControlOut> {
    let input = super::chimerism_ngs::run_input(&spec_of(c.input.clone()));
    let n = refs.markers.len();
    let (covered, reads) = match count_sample(refs, &input, opts, 1) {
        Ok(counts) => counts.depths().fold((0usize, 0u64), |(k, r), d| {
            (k + usize::from(d >= min_depth), r + u64::from(d))
        }),
        Err(NgsRunError::NoMarkers { .. }) => (0, 0),
        Err(e) => return Err(super::chimerism_ngs::ngs_error(e)),
    };
    let (passed, detail) = match c.control {
        ControlType::Negative => (
            controls::negative_passes(covered),
            if covered == 0 {
                format!("{reads} reads in all; no marker with {min_depth} or more reads of {n}")
            } else {
                format!(
                    "{covered} of {n} markers with {min_depth} or more reads ({reads} reads in all; contamination?)"
                )
            },
        ),
        ControlType::Positive | ControlType::Ladder => (
            controls::positive_passes(covered, n),
            format!(
                "{covered}/{n} markers with {min_depth} or more reads (≥ {}% expected)",
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

/// The analysis `--add-to PATIENT` writes: the only one when the call has
/// no patient ids, else the patient's.
pub fn analysis_for<'a>(runs: &'a [NgsRun], pid: &str, target: &str) -> anyhow::Result<&'a NgsRun> {
    match runs {
        [only] if only.patient.is_none() => Ok(only),
        _ => runs
            .iter()
            .find(|r| r.patient.as_deref() == Some(pid))
            .ok_or_else(|| {
                BadInput(format!(
                    "--add-to {target}: no analysis of patient '{pid}' in the run sheet"
                ))
                .into()
            }),
    }
}

/// The table of a plate: each patient's table under its heading, then the
/// run controls.
pub fn plate_table(runs: &[NgsRun], refused: &[RefusedPatient], controls: &[ControlOut]) -> String {
    let mut o = String::new();
    super::chimerism_plan::control_warning_line(&mut o, controls);
    // The method is the run's (one panel, one depth floor for every patient).
    if let Some(r) = runs.first() {
        o.push_str(&r.method.line());
        o.push('\n');
    }
    for r in runs {
        if let Some(p) = &r.patient {
            let _ = writeln!(o, "=== Patient {p} ===");
        }
        o.push_str(&super::chimerism_ngs::to_table(r));
        o.push('\n');
    }
    for p in refused {
        if let Some(patient) = &p.patient {
            let _ = writeln!(o, "=== Patient {patient} ===");
        }
        for s in &p.samples {
            let _ = writeln!(o, "Sample '{s}': no estimate");
        }
        let _ = writeln!(o, "  refused [{}]: {}\n", p.code, p.reason);
    }
    super::chimerism_plan::controls_table(&mut o, controls);
    o
}

/// The TSV of a plate: one header, every patient's rows, then one row per
/// run control (role `control`, person = its type, flags `CONTROL-PASS` or
/// `RUN-CONTROL-FAILED`). When a control failed, every sample row is
/// flagged `RUN-CONTROL-FAILED` too.
pub fn plate_tsv(runs: &[NgsRun], refused: &[RefusedPatient], controls: &[ControlOut]) -> String {
    let failed = controls.iter().any(|c| !c.passed);
    let mut o = String::new();
    for (i, r) in runs.iter().enumerate() {
        let t = super::chimerism_ngs::to_tsv(r, failed);
        let body = if i == 0 {
            t.as_str()
        } else {
            t.split_once('\n').map_or("", |(_, rest)| rest)
        };
        o.push_str(body);
    }
    if runs.is_empty() {
        o.push_str(super::chimerism_ngs::TSV_HEADER);
    }
    // A refused patient's samples: no numbers, the code in `flags`, the
    // patient in `patient` (columns of `to_tsv`).
    for p in refused {
        for s in &p.samples {
            let _ = writeln!(
                o,
                "{s}\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t{}\t\t{}\t\t\t\t",
                p.code,
                p.patient.as_deref().unwrap_or_default()
            );
        }
    }
    for c in controls {
        let _ = writeln!(
            o,
            "{}\t\t\t{}\tcontrol\t\t\t\t\t\t\t\t\t\t\t{}\t\t\t\t\t\t",
            c.sample,
            c.control.as_str(),
            if c.passed {
                "CONTROL-PASS"
            } else {
                super::chimerism_plan::CONTROL_FAILED_FLAG
            }
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::chimerism_plan::SampleSpec;
    use crate::cmd::chimerism_spec::{SpecRole, parse_input};

    fn sample(name: &str, run: Option<&str>) -> SampleSpec {
        SampleSpec {
            input: parse_input(
                "--sample",
                &format!("{name}=x.vcf"),
                SpecRole::Sample,
                NGS_KINDS,
            )
            .unwrap(),
            lineage: Lineage::WholeBlood,
            date: None,
            specimen: None,
            purity: None,
            run: run.map(str::to_string),
        }
    }

    #[test]
    fn samples_are_grouped_by_run_in_order_of_first_appearance() {
        let r = parse_input(
            "--recipient",
            "recipient=x.vcf",
            SpecRole::Reference,
            NGS_KINDS,
        )
        .unwrap();
        let mut a = Analysis {
            patient: None,
            recipient: r,
            donors: vec![],
            samples: vec![
                sample("a", Some("R2")),
                sample("b", Some("R1")),
                sample("c", Some("R2")),
                sample("d", None),
            ],
        };
        assert_eq!(run_groups(&a), vec![vec![0, 2], vec![1], vec![3]]);
        for s in &mut a.samples {
            s.run = None;
        }
        assert_eq!(run_groups(&a), vec![vec![0, 1, 2, 3]]);
    }
}

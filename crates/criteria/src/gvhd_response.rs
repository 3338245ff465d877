//! Response of acute GVHD to treatment: the day-28 response (CR / PR / NR)
//! and steroid-refractory / steroid-dependent acute GVHD
//! (EBMT–NIH–CIBMTR Task Force, Schoemans et al. 2018), from the dated
//! organ stages and the steroid and second-line therapy dates; and the
//! NIH 2014 chronic GVHD response from organ scores.
//!
//! Acute GVHD, relative to the **baseline** = the organ stages of the last
//! assessment on or before the start of systemic steroids:
//!
//! | result | rule |
//! |---|---|
//! | CR | every organ stage 0 |
//! | PR | at least one organ improved by ≥ 1 stage, none worse |
//! | NR | no organ improved, or any organ worse (progression, mixed response), or second-line systemic therapy started before the response day (flag `GVHD-R-2ND`) |
//! | steroid-refractory | progression (any organ stage above baseline) on an assessment ≥ 3 days after the steroid start; **or** no improvement (no CR/PR) by day 7; **or** not in CR after day 28 (incomplete response) |
//! | steroid-dependent | after a response (CR/PR) on day ≥ 7, a later assessment with any organ above its best stage while steroids are still given (recurrence during the taper) |
//!
//! The steroid dose: the refractory and dependent definitions apply to
//! treatment with ≥ 2 mg/kg/day (prednisone equivalent by default, `A-13`;
//! [`crate::steroid_dose`]). The clock of the refractory rules starts on the
//! first day the recorded dose reaches it ([`DoseStatus::ReachedOn`]; the
//! baseline is the last assessment on or before that day). When the dose
//! never reached it ([`DoseStatus::NotReached`]) the patient cannot be
//! steroid-refractory or -dependent by the definition (flag
//! `GVHD-R-LOWDOSE`). Only when the dose is really unknown (no dose, an
//! unusable unit, no weight for a mg/day dose, a drug outside the
//! equivalence table) does every systemic steroid course count from its
//! start, with flag `GVHD-R-DOSE` naming why.
//!
//! Chronic GVHD (NIH 2014 response, clinician organ scores): CR = every
//! organ score 0; PR = ≥ 1 organ improved, none worse; progression = any
//! organ worse; otherwise unchanged (lack of response). Organ-specific
//! measures (skin BSA change, FEV1 points) are read through the organ
//! scores (flag `NIH-R-SCORES`).

use graftwatch_core::{Citation, Date, Provenance};
use serde::Serialize;

use crate::explain::{Evidence, Explanation, Flag, Graded};

/// EBMT–NIH–CIBMTR Task Force terminology (Schoemans 2018).
pub const SCHOEMANS_2018_CITATION: Citation = Citation {
    source: "Schoemans HM et al. EBMT-NIH-CIBMTR Task Force position statement on standardized terminology & guidance for graft-versus-host disease assessment. Bone Marrow Transplant 2018;53(11):1401-1415",
    year: 2018,
    table: "Table (steroid-refractory, steroid-dependent, steroid-intolerant aGvHD)",
    doi: Some("10.1038/s41409-018-0204-7"),
    provenance: Provenance::Recalled,
    note: "Citation [V] (cited by product information); definitions [R]: SR = progression after 3 days of ≥ 2 mg/kg/day methylprednisolone, no improvement after 7 days, or incomplete response after > 28 days of immunosuppression including steroids; SD = inability to taper below 2 mg/kg/day after ≥ 7 days of initially successful treatment or recurrence during taper. Checked 2026-12-03 against a practice summary (targetedonc: 3 days worse / 7 days not better / flare on taper = dependent). Primary PDF not checked.",
};

/// Day-28 response terminology (MAGIC / NIH response consensus).
pub const DAY28_CITATION: Citation = Citation {
    source: "Martin PJ et al. First- and second-line systemic treatment of acute GVHD: recommendations of the ASBMT. Biol Blood Marrow Transplant 2012;18(8):1150-1163",
    year: 2012,
    table: "Response definitions (CR, PR, mixed response, no response, progression)",
    doi: None,
    provenance: Provenance::Recalled,
    note: "CR = resolution in all organs; PR = improvement in ≥ 1 organ without progression in others; mixed, no change and progression = no response [R]. Day 28 after the start of treatment; additional systemic therapy before then counted as failure (trial convention) [R].",
};

/// NIH 2014 chronic GVHD response (Lee et al. 2015).
pub const NIH_RESPONSE_CITATION: Citation = Citation {
    source: "Lee SJ et al. Measuring therapeutic response in chronic GVHD. NIH consensus 2014 Response Criteria Working Group report. Biol Blood Marrow Transplant 2015;21(6):984-999",
    year: 2015,
    table: "Table (organ and overall response)",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Overall CR = resolution in all organs; PR = improvement in ≥ 1 organ without progression in any; progression in ≥ 1 organ; otherwise lack of response [R]. Organ-specific measures approximated by organ scores.",
};

/// Rule version.
pub const GVHD_RESPONSE_VERSION: &str =
    "EBMT-NIH-CIBMTR 2018 / day-28 response / NIH 2014 response";

/// Treatment response category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Response {
    /// Complete response.
    Cr,
    /// Partial response.
    Pr,
    /// No response: unchanged, mixed or progression (or second-line therapy).
    Nr,
}

impl Response {
    /// `CR`, `PR`, `NR`.
    pub fn text(self) -> &'static str {
        match self {
            Response::Cr => "CR",
            Response::Pr => "PR",
            Response::Nr => "NR",
        }
    }

    /// In words for text output: `CR (complete response)`, `PR (partial
    /// response)`, `no response`.
    pub fn words(self) -> &'static str {
        match self {
            Response::Cr => "CR (complete response)",
            Response::Pr => "PR (partial response)",
            Response::Nr => "no response",
        }
    }
}

/// Organ stages (or scores) of one assessment: `None` = not assessed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrganAssessment<const N: usize> {
    /// Date.
    pub date: Date,
    /// Stage / score per organ.
    pub stages: [Option<u8>; N],
}

/// Compares the organs assessed on both sides: (any improved, any worse).
pub(crate) fn organ_change<const N: usize>(
    base: &[Option<u8>; N],
    now: &[Option<u8>; N],
) -> (bool, bool) {
    let mut improved = false;
    let mut worse = false;
    for (b, n) in base.iter().zip(now) {
        if let (Some(b), Some(n)) = (b, n) {
            improved |= n < b;
            worse |= n > b;
        }
    }
    (improved, worse)
}

/// Compares an assessment with a reference: (improved, worse, all zero).
fn compare<const N: usize>(base: &[Option<u8>; N], now: &[Option<u8>; N]) -> (bool, bool, bool) {
    let (improved, worse) = organ_change(base, now);
    let all_zero = now.iter().all(|s| s.is_none_or(|v| v == 0)) && now.iter().any(Option::is_some);
    (improved, worse, all_zero)
}

/// The response of an assessment against a baseline.
pub fn response_against<const N: usize>(base: &[Option<u8>; N], now: &[Option<u8>; N]) -> Response {
    let (improved, worse, zero) = compare(base, now);
    if zero {
        Response::Cr
    } else if improved && !worse {
        Response::Pr
    } else {
        Response::Nr
    }
}

/// Why acute GVHD is steroid-refractory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefractoryReason {
    /// An organ worse than at baseline ≥ 3 days after the steroid start.
    #[serde(rename = "progression_after_3_days")]
    ProgressionAfter3Days,
    /// No CR or PR by day 7.
    #[serde(rename = "no_improvement_by_7_days")]
    NoImprovementBy7Days,
    /// Not in CR after day 28.
    #[serde(rename = "incomplete_response_after_28_days")]
    IncompleteResponseAfter28Days,
}

impl RefractoryReason {
    /// In words.
    pub fn text(self) -> &'static str {
        match self {
            RefractoryReason::ProgressionAfter3Days => {
                "progression at least 3 days after the start of steroids"
            }
            RefractoryReason::NoImprovementBy7Days => "no improvement within 7 days of steroids",
            RefractoryReason::IncompleteResponseAfter28Days => {
                "incomplete response after more than 28 days of treatment"
            }
        }
    }
}

/// What the steroid records say about the definition's dose.
#[derive(Debug, Clone, PartialEq)]
pub enum DoseStatus {
    /// The dose cannot be determined (why, in words): every systemic steroid
    /// course counts from its start (flag `GVHD-R-DOSE`).
    Unknown(String),
    /// The definition dose was first given on `date` (`mg_kg_day`
    /// prednisone equivalent).
    ReachedOn {
        /// First day at or above the threshold.
        date: Date,
        /// That day's dose, mg/kg/day prednisone equivalent.
        mg_kg_day: f64,
    },
    /// Every recorded dose was below the threshold (highest given).
    NotReached {
        /// Highest dose, mg/kg/day prednisone equivalent.
        max_mg_kg_day: f64,
        /// The threshold, mg/kg/day prednisone equivalent.
        threshold: f64,
    },
}

impl DoseStatus {
    /// First day of the definition dose, when reached.
    pub fn reached_on(&self) -> Option<Date> {
        match self {
            DoseStatus::ReachedOn { date, .. } => Some(*date),
            _ => None,
        }
    }

    /// The deciding dose (first definition-dose day's, or the highest).
    pub fn mg_kg_day(&self) -> Option<f64> {
        match self {
            DoseStatus::ReachedOn { mg_kg_day, .. } => Some(*mg_kg_day),
            DoseStatus::NotReached { max_mg_kg_day, .. } => Some(*max_mg_kg_day),
            DoseStatus::Unknown(_) => None,
        }
    }
}

/// Acute GVHD treatment inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct AgvhdTreatment<'a> {
    /// The steroid dose against the definition's threshold.
    pub dose: DoseStatus,
    /// First day of systemic steroids for acute GVHD.
    pub steroid_start: Date,
    /// Last day steroids were given (None = still given / open).
    pub steroid_end: Option<Date>,
    /// Start of a second-line systemic agent, when one was added.
    pub second_line_start: Option<Date>,
    /// Assessments (skin, liver, upper GI, lower GI stages), date order.
    pub assessments: &'a [OrganAssessment<4>],
}

/// The acute GVHD treatment response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgvhdTreatmentResponse {
    /// Start of steroids.
    pub steroid_start: Date,
    /// Baseline assessment date.
    pub baseline_date: Date,
    /// Day-28 response (assessment nearest day 28 within ± 7 days).
    pub day28: Option<Response>,
    /// Date of that assessment.
    pub day28_date: Option<Date>,
    /// Steroid-refractory: reason.
    pub steroid_refractory: Option<RefractoryReason>,
    /// Date the refractory criterion was met.
    pub refractory_date: Option<Date>,
    /// Steroid-dependent: date of the recurrence during the taper.
    pub steroid_dependent_date: Option<Date>,
    /// Second-line systemic therapy start.
    pub second_line_start: Option<Date>,
    /// Best response and its date.
    pub best: Option<(Response, Date)>,
    /// First day of the definition dose (≥ 2 mg/kg/day), when known.
    pub definition_dose_from: Option<Date>,
    /// The dose that decided: the first definition-dose day's, or the
    /// highest when it was never reached (mg/kg/day prednisone
    /// equivalent); `None` when the dose is unknown.
    pub prednisone_mg_kg_day: Option<f64>,
}

fn explanation() -> Explanation {
    Explanation {
        rule: "Acute GVHD treatment response",
        version: GVHD_RESPONSE_VERSION,
        citations: vec![SCHOEMANS_2018_CITATION, DAY28_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: Vec::new(),
    }
}

/// The refractory clock (start, baseline) the dose status gives, or `None`
/// when the definition dose was never given; flags and evidence recorded.
fn dose_clock<'a>(
    t: &'a AgvhdTreatment<'_>,
    base: &'a OrganAssessment<4>,
    ex: &mut Explanation,
) -> Option<(Date, &'a OrganAssessment<4>)> {
    match &t.dose {
        DoseStatus::Unknown(why) => {
            ex.flags.push(Flag::new(
                "GVHD-R-DOSE",
                format!("steroid dose unknown ({why}): the first systemic steroid after acute GVHD onset is taken as standard-dose treatment"),
            ));
            Some((t.steroid_start, base))
        }
        DoseStatus::ReachedOn { date, mg_kg_day } => {
            ex.evidence.push(Evidence::finding(
                Some(*date),
                "steroid_dose",
                format!("{mg_kg_day:.2} mg/kg/day prednisone equivalent (definition dose reached)"),
            ));
            ex.citations
                .push(crate::steroid_dose::DEFINITION_DOSE_CITATION);
            ex.citations.push(crate::steroid_dose::EQUIVALENCE_CITATION);
            let b = t
                .assessments
                .iter()
                .rfind(|a| a.date <= *date && date.days_since(a.date).get() <= 7)
                .unwrap_or(base);
            Some((*date, b))
        }
        DoseStatus::NotReached {
            max_mg_kg_day,
            threshold,
        } => {
            ex.citations
                .push(crate::steroid_dose::DEFINITION_DOSE_CITATION);
            ex.citations.push(crate::steroid_dose::EQUIVALENCE_CITATION);
            ex.flags.push(Flag::new(
                "GVHD-R-LOWDOSE",
                format!("highest steroid dose {max_mg_kg_day:.2} mg/kg/day prednisone equivalent, below the {threshold:.2} of the definition: steroid-refractory and steroid-dependent do not apply"),
            ));
            None
        }
    }
}

fn day(a: &OrganAssessment<4>, start: Date) -> i32 {
    a.date.days_since(start).get()
}

fn refractory(
    base: &OrganAssessment<4>,
    after: &[&OrganAssessment<4>],
    start: Date,
) -> Option<(RefractoryReason, Date)> {
    if let Some(a) = after
        .iter()
        .find(|a| day(a, start) >= 3 && compare(&base.stages, &a.stages).1)
    {
        return Some((RefractoryReason::ProgressionAfter3Days, a.date));
    }
    // the first assessment from day 5 on: not improved by then = refractory
    if let Some(check) = after.iter().find(|a| day(a, start) >= 5) {
        let improved = after
            .iter()
            .filter(|a| a.date <= check.date)
            .any(|a| response_against(&base.stages, &a.stages) != Response::Nr);
        if !improved {
            return Some((RefractoryReason::NoImprovementBy7Days, check.date));
        }
    }
    after
        .iter()
        .find(|a| day(a, start) > 28 && response_against(&base.stages, &a.stages) != Response::Cr)
        .map(|a| (RefractoryReason::IncompleteResponseAfter28Days, a.date))
}

fn dependent(
    base: &OrganAssessment<4>,
    after: &[&OrganAssessment<4>],
    t: &AgvhdTreatment<'_>,
    start: Date,
) -> Option<Date> {
    let mut best: Option<[Option<u8>; 4]> = None;
    for a in after {
        let on_steroid = t.steroid_end.is_none_or(|e| a.date <= e);
        if let Some(b) = &best
            && on_steroid
            && compare(b, &a.stages).1
        {
            return Some(a.date);
        }
        if day(a, start) >= 7 && response_against(&base.stages, &a.stages) != Response::Nr {
            let mut nb = best.unwrap_or(a.stages);
            for (x, y) in nb.iter_mut().zip(a.stages) {
                if let (Some(xv), Some(yv)) = (*x, y) {
                    *x = Some(xv.min(yv));
                } else if x.is_none() {
                    *x = y;
                }
            }
            best = Some(nb);
        }
    }
    None
}

/// Day-28 response, steroid-refractory and steroid-dependent acute GVHD.
pub fn agvhd_treatment_response(t: &AgvhdTreatment<'_>) -> Graded<AgvhdTreatmentResponse> {
    let mut ex = explanation();
    let start = t.steroid_start;
    let Some(base) = t
        .assessments
        .iter()
        .rfind(|a| a.date <= start && start.days_since(a.date).get() <= 7)
    else {
        ex.reason = format!(
            "no acute GVHD assessment in the 7 days up to the start of steroids on {start}"
        );
        return Graded::InsufficientData {
            missing: vec![format!(
                "acute GVHD organ stages on or within 7 days before {start}"
            )],
            explanation: ex,
        };
    };
    let after: Vec<&OrganAssessment<4>> = t.assessments.iter().filter(|a| a.date > start).collect();
    let d28 = after
        .iter()
        .filter(|a| (day(a, start) - 28).abs() <= 7)
        .min_by_key(|a| (day(a, start) - 28).abs());
    let second_before = |d: Date| t.second_line_start.is_some_and(|s| s <= d);
    let day28 = d28.map(|a| {
        if second_before(a.date) {
            Response::Nr
        } else {
            response_against(&base.stages, &a.stages)
        }
    });
    let best = after
        .iter()
        .map(|a| (response_against(&base.stages, &a.stages), a.date))
        .min_by_key(|(r, d)| (*r as u8, *d));
    let clock = dose_clock(t, base, &mut ex);
    let (refr, dep) = match clock {
        Some((c, b)) => {
            let later: Vec<&OrganAssessment<4>> =
                after.iter().copied().filter(|a| a.date > c).collect();
            (refractory(b, &later, c), dependent(b, &later, t, c))
        }
        None => (None, None),
    };
    ex.evidence.push(Evidence::finding(
        Some(base.date),
        "agvhd_baseline",
        stages_text(&base.stages),
    ));
    if let Some(a) = d28 {
        ex.evidence.push(Evidence::finding(
            Some(a.date),
            "agvhd_day28",
            stages_text(&a.stages),
        ));
    }
    if let Some(s) = t.second_line_start {
        ex.flags.push(Flag::new(
            "GVHD-R-2ND",
            format!("second-line systemic therapy from {s}: a response assessed after it counts as no response (treatment failure)"),
        ));
    }
    ex.reason = reason_text(start, day28, refr, dep, &t.dose);
    Graded::Value {
        value: AgvhdTreatmentResponse {
            steroid_start: start,
            baseline_date: base.date,
            day28,
            day28_date: d28.map(|a| a.date),
            steroid_refractory: refr.map(|r| r.0),
            refractory_date: refr.map(|r| r.1),
            steroid_dependent_date: dep,
            second_line_start: t.second_line_start,
            best,
            definition_dose_from: t.dose.reached_on(),
            prednisone_mg_kg_day: t.dose.mg_kg_day(),
        },
        explanation: ex,
    }
}

fn stages_text(s: &[Option<u8>; 4]) -> String {
    let n = ["skin", "liver", "upper GI", "lower GI"];
    s.iter()
        .zip(n)
        .map(|(v, o)| match v {
            Some(v) => format!("{o} {v}"),
            None => format!("{o} not assessed"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn reason_text(
    start: Date,
    d28: Option<Response>,
    refr: Option<(RefractoryReason, Date)>,
    dep: Option<Date>,
    dose: &DoseStatus,
) -> String {
    let mut parts = vec![format!("steroids from {start}")];
    parts.push(match d28 {
        Some(r) => format!("day-28 response: {}", r.words()),
        None => "no assessment within 7 days of day 28".into(),
    });
    if let Some((r, d)) = refr {
        parts.push(format!("steroid-refractory on {d}: {}", r.text()));
    }
    if let Some(d) = dep {
        parts.push(format!(
            "steroid-dependent: recurrence on {d} during steroid taper"
        ));
    }
    if let DoseStatus::NotReached { max_mg_kg_day, .. } = dose {
        parts.push(format!(
            "steroid dose below the definition (highest {max_mg_kg_day:.2} mg/kg/day prednisone equivalent): steroid-refractory and steroid-dependent do not apply"
        ));
    }
    parts.join("; ")
}

/// NIH 2014 chronic GVHD overall response of `now` against `baseline`
/// (organ scores 0–3, `None` = not assessed): CR, PR or NR (lack of
/// response: unchanged, mixed or progression), and whether any organ
/// progressed.
pub fn cgvhd_response<const N: usize>(
    baseline: &OrganAssessment<N>,
    now: &OrganAssessment<N>,
) -> Graded<(Response, bool)> {
    let (_, worse, _) = compare(&baseline.stages, &now.stages);
    let r = response_against(&baseline.stages, &now.stages);
    let ex = Explanation {
        rule: "NIH 2014 chronic GVHD response",
        version: GVHD_RESPONSE_VERSION,
        citations: vec![NIH_RESPONSE_CITATION],
        reason: format!(
            "{} against {}: {}{}",
            now.date,
            baseline.date,
            r.text(),
            if worse {
                " (progression in at least one organ)"
            } else {
                ""
            }
        ),
        evidence: vec![],
        flags: vec![Flag::new(
            "NIH-R-SCORES",
            "organ response read from the clinician organ scores (organ-specific measures such as FEV1 points are not recorded separately)",
        )],
    };
    Graded::Value {
        value: (r, worse),
        explanation: ex,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn a(date: &str, s: [u8; 4]) -> OrganAssessment<4> {
        OrganAssessment {
            date: d(date),
            stages: s.map(Some),
        }
    }

    fn run(start: &str, second: Option<&str>, xs: &[OrganAssessment<4>]) -> AgvhdTreatmentResponse {
        agvhd_treatment_response(&AgvhdTreatment {
            dose: DoseStatus::Unknown("not recorded".into()),
            steroid_start: d(start),
            steroid_end: None,
            second_line_start: second.map(d),
            assessments: xs,
        })
        .value()
        .cloned()
        .unwrap()
    }

    #[test]
    fn progression_on_day_3_is_refractory_day_2_is_not() {
        let base = a("2025-01-01", [2, 0, 0, 0]);
        let r = run("2025-01-01", None, &[base, a("2025-01-04", [3, 0, 0, 0])]);
        assert_eq!(
            r.steroid_refractory,
            Some(RefractoryReason::ProgressionAfter3Days)
        );
        let r = run(
            "2025-01-01",
            None,
            &[
                base,
                a("2025-01-03", [3, 0, 0, 0]),
                a("2025-01-06", [1, 0, 0, 0]),
            ],
        );
        assert_eq!(r.steroid_refractory, None);
    }

    #[test]
    fn no_improvement_by_day_7_is_refractory() {
        let base = a("2025-01-01", [2, 0, 0, 1]);
        let r = run("2025-01-01", None, &[base, a("2025-01-08", [2, 0, 0, 1])]);
        assert_eq!(
            r.steroid_refractory,
            Some(RefractoryReason::NoImprovementBy7Days)
        );
        let r = run("2025-01-01", None, &[base, a("2025-01-08", [1, 0, 0, 1])]);
        assert_eq!(r.steroid_refractory, None);
    }

    #[test]
    fn day28_cr_pr_nr_and_second_line() {
        let base = a("2025-01-01", [2, 0, 0, 2]);
        assert_eq!(
            run("2025-01-01", None, &[base, a("2025-01-29", [0, 0, 0, 0])]).day28,
            Some(Response::Cr)
        );
        assert_eq!(
            run("2025-01-01", None, &[base, a("2025-01-29", [1, 0, 0, 2])]).day28,
            Some(Response::Pr)
        );
        // mixed response: skin better, liver worse
        assert_eq!(
            run("2025-01-01", None, &[base, a("2025-01-29", [0, 1, 0, 2])]).day28,
            Some(Response::Nr)
        );
        assert_eq!(
            run(
                "2025-01-01",
                Some("2025-01-20"),
                &[base, a("2025-01-29", [0, 0, 0, 0])]
            )
            .day28,
            Some(Response::Nr)
        );
        // outside +-7 days of day 28: none
        assert_eq!(
            run("2025-01-01", None, &[base, a("2025-02-06", [0, 0, 0, 0])]).day28,
            None
        );
        assert_eq!(
            run("2025-01-01", None, &[base, a("2025-02-05", [0, 0, 0, 0])]).day28,
            Some(Response::Cr)
        );
    }

    #[test]
    fn recurrence_during_taper_is_dependent() {
        let base = a("2025-01-01", [3, 0, 0, 0]);
        let r = run(
            "2025-01-01",
            None,
            &[
                base,
                a("2025-01-08", [1, 0, 0, 0]),
                a("2025-01-20", [2, 0, 0, 0]),
            ],
        );
        assert_eq!(r.steroid_dependent_date, Some(d("2025-01-20")));
        let r = run(
            "2025-01-01",
            None,
            &[
                base,
                a("2025-01-08", [1, 0, 0, 0]),
                a("2025-01-20", [1, 0, 0, 0]),
            ],
        );
        assert_eq!(r.steroid_dependent_date, None);
    }

    fn run_dose(dose: DoseStatus, xs: &[OrganAssessment<4>]) -> Graded<AgvhdTreatmentResponse> {
        agvhd_treatment_response(&AgvhdTreatment {
            dose,
            steroid_start: d("2025-01-01"),
            steroid_end: None,
            second_line_start: None,
            assessments: xs,
        })
    }

    #[test]
    fn low_dose_is_never_refractory_and_flagged() {
        let xs = [a("2025-01-01", [2, 0, 0, 0]), a("2025-01-04", [3, 0, 0, 0])];
        let g = run_dose(
            DoseStatus::NotReached {
                max_mg_kg_day: 1.25,
                threshold: 2.0,
            },
            &xs,
        );
        let v = g.value().unwrap();
        assert_eq!(v.steroid_refractory, None);
        assert_eq!(v.prednisone_mg_kg_day, Some(1.25));
        let codes = g.explanation().flag_codes();
        assert!(
            codes.contains(&"GVHD-R-LOWDOSE") && !codes.contains(&"GVHD-R-DOSE"),
            "{codes:?}"
        );
        // unknown dose: the same course is refractory, flagged GVHD-R-DOSE
        let g = run_dose(DoseStatus::Unknown("no dose recorded".into()), &xs);
        assert_eq!(
            g.value().unwrap().steroid_refractory,
            Some(RefractoryReason::ProgressionAfter3Days)
        );
        assert!(
            g.explanation()
                .flags
                .iter()
                .any(|f| f.code == "GVHD-R-DOSE")
        );
    }

    #[test]
    fn refractory_clock_starts_at_definition_dose() {
        // low dose from 01-01, definition dose from 01-05 (stage 3 baseline);
        // progression on 01-04 is before the clock; 01-08 (day 3) worse than
        // the 01-05 baseline is refractory, 01-07 (day 2) is not yet.
        let xs = [
            a("2025-01-01", [2, 0, 0, 0]),
            a("2025-01-04", [3, 0, 0, 0]),
            a("2025-01-05", [3, 0, 0, 0]),
            a("2025-01-07", [3, 0, 0, 1]),
            a("2025-01-08", [3, 0, 0, 1]),
        ];
        let reached = DoseStatus::ReachedOn {
            date: d("2025-01-05"),
            mg_kg_day: 2.5,
        };
        let v = run_dose(reached.clone(), &xs).value().cloned().unwrap();
        assert_eq!(
            v.steroid_refractory,
            Some(RefractoryReason::ProgressionAfter3Days)
        );
        assert_eq!(v.refractory_date, Some(d("2025-01-08")));
        assert_eq!(v.definition_dose_from, Some(d("2025-01-05")));
        let v = run_dose(reached, &xs[..4]).value().cloned().unwrap();
        assert_eq!(v.steroid_refractory, None);
    }

    #[test]
    fn no_baseline_is_insufficient() {
        let g = agvhd_treatment_response(&AgvhdTreatment {
            dose: DoseStatus::Unknown("not recorded".into()),
            steroid_start: d("2025-01-10"),
            steroid_end: None,
            second_line_start: None,
            assessments: &[a("2025-01-01", [1, 0, 0, 0])],
        });
        assert!(matches!(g, Graded::InsufficientData { .. }));
    }

    #[test]
    fn cgvhd_response_categories() {
        let b = OrganAssessment {
            date: d("2025-01-01"),
            stages: [Some(2), Some(1), None],
        };
        let cr = OrganAssessment {
            date: d("2025-03-01"),
            stages: [Some(0), Some(0), None],
        };
        let pr = OrganAssessment {
            date: d("2025-03-01"),
            stages: [Some(1), Some(1), None],
        };
        let pd = OrganAssessment {
            date: d("2025-03-01"),
            stages: [Some(1), Some(2), None],
        };
        assert_eq!(cgvhd_response(&b, &cr).value().unwrap().0, Response::Cr);
        assert_eq!(cgvhd_response(&b, &pr).value().unwrap().0, Response::Pr);
        assert_eq!(
            *cgvhd_response(&b, &pd).value().unwrap(),
            (Response::Nr, true)
        );
    }
}

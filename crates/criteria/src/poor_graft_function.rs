//! Poor graft function, quantitative variant (configurable; \[R\]).
//!
//! The harmonised definition is qualitative ("frequent dependence on blood
//! and/or platelet transfusions and/or growth factors with no other
//! explanation"). Trials use a quantitative variant, made configurable here:
//! at least `min_criteria` of ANC ≤ 0.5 ×10⁹/L, platelets ≤ 20 ×10⁹/L,
//! haemoglobin ≤ 7.0 g/dL (70 g/L) on `consecutive_values` consecutive
//! laboratory days after day `after_day` (+28), with a hypocellular marrow,
//! full donor chimerism and no severe GVHD or relapse.

use graftwatch_core::{Citation, Date, Provenance};
use serde::{Deserialize, Serialize};

use crate::engraftment::SUREDA_2024_CITATION;
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{DatedValue, DayValue, ValueError, daily_minimum};
use graftwatch_core::Unit;

/// Quantitative-variant citation.
pub const POOR_GRAFT_FUNCTION_CITATION: Citation = Citation {
    source: "Quantitative poor-graft-function definitions (Chinese consensus; Larocca-type trial definitions)",
    year: 2021,
    table: "cytopenia criteria beyond day +28",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Cut-offs (ANC <= 0.5, platelets <= 20, Hb <= 70 g/L, >= 2 of 3, >= 3 consecutive days, beyond day +28) vary \
           between papers; configurable ([poor_graft_function] in the grading configuration).",
};

/// Configuration; `Default` is the reference's quantitative variant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoorGraftFunctionConfig {
    /// ANC at or below this meets the criterion (0.5 ×10⁹/L).
    pub anc_max: f64,
    /// Platelets at or below this (20 ×10⁹/L).
    pub platelets_max: f64,
    /// Haemoglobin at or below this (7.0 g/dL).
    pub hemoglobin_max_g_dl: f64,
    /// How many of the three must hold on a day (2).
    pub min_criteria: u8,
    /// Consecutive qualifying laboratory days (3).
    pub consecutive_values: u32,
    /// Only days after this day count (28).
    pub after_day: i32,
}

impl Default for PoorGraftFunctionConfig {
    fn default() -> Self {
        PoorGraftFunctionConfig {
            anc_max: 0.5,
            platelets_max: 20.0,
            hemoglobin_max_g_dl: 7.0,
            min_criteria: 2,
            consecutive_values: 3,
            after_day: 28,
        }
    }
}

/// Input series and qualifiers.
#[derive(Debug, Clone, Copy)]
pub struct PoorGraftFunctionInput<'a> {
    /// Day 0 (HCT).
    pub day0: Date,
    /// ANC ×10⁹/L.
    pub anc: &'a [DatedValue],
    /// Platelets ×10⁹/L.
    pub platelets: &'a [DatedValue],
    /// Haemoglobin g/dL.
    pub hemoglobin: &'a [DatedValue],
    /// Marrow hypocellular (None = not examined).
    pub hypocellular_marrow: Option<bool>,
    /// Full donor chimerism (None = unknown).
    pub full_donor_chimerism: Option<bool>,
    /// Severe GVHD or relapse present (None = unknown).
    pub severe_gvhd_or_relapse: Option<bool>,
}

/// Result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PoorGraftFunction {
    /// The quantitative count criterion was met.
    pub count_criterion_met: bool,
    /// First day of the qualifying run.
    pub from_day: Option<i32>,
    /// Poor graft function (counts and qualifiers).
    pub poor_graft_function: bool,
}

/// Evaluates the quantitative variant.
pub fn poor_graft_function(
    input: &PoorGraftFunctionInput<'_>,
    cfg: &PoorGraftFunctionConfig,
) -> Result<Graded<PoorGraftFunction>, ValueError> {
    let from = cfg.after_day + 1;
    let a = daily_minimum("anc", input.anc, input.day0, from, i32::MAX)?;
    let p = daily_minimum("platelets", input.platelets, input.day0, from, i32::MAX)?;
    let h = daily_minimum("hemoglobin", input.hemoglobin, input.day0, from, i32::MAX)?;
    let mut ex = explanation(cfg);
    if a.is_empty() && p.is_empty() && h.is_empty() {
        ex.reason = format!("no counts after day {:+}", cfg.after_day);
        return Ok(Graded::InsufficientData {
            missing: vec![format!(
                "ANC, platelets and haemoglobin after day {:+}",
                cfg.after_day
            )],
            explanation: ex,
        });
    }
    let counts = DayCounts {
        anc: &a,
        platelets: &p,
        hemoglobin: &h,
    };
    let Some(s) = first_qualifying_run(&counts, cfg) else {
        ex.reason = format!("count criterion not met after day {:+}", cfg.after_day);
        return Ok(Graded::Value {
            value: PoorGraftFunction {
                count_criterion_met: false,
                from_day: None,
                poor_graft_function: false,
            },
            explanation: ex,
        });
    };
    push_run_start_evidence(&mut ex, &counts, s);
    Ok(judge_qualifiers(input, s, ex))
}

/// The explanation skeleton: rule, citations and the cut-offs in use.
fn explanation(cfg: &PoorGraftFunctionConfig) -> Explanation {
    Explanation {
        rule: "Poor graft function (quantitative variant)",
        version: "configurable quantitative variant [R]",
        citations: vec![SUREDA_2024_CITATION, POOR_GRAFT_FUNCTION_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "POOR-GRAFT-FUNCTION-cutoffs",
            format!(
                "≥ {} of ANC ≤ {}, platelets ≤ {}, Hb ≤ {} g/dL on {} consecutive lab days after day {:+}",
                cfg.min_criteria,
                cfg.anc_max,
                cfg.platelets_max,
                cfg.hemoglobin_max_g_dl,
                cfg.consecutive_values,
                cfg.after_day
            ),
        )],
    }
}

/// The daily lowest ANC, platelet and haemoglobin values after the window start.
struct DayCounts<'a> {
    anc: &'a [DayValue],
    platelets: &'a [DayValue],
    hemoglobin: &'a [DayValue],
}

/// The value of `day` in a day-sorted series, if there is one.
fn on_day(v: &[DayValue], day: i32) -> Option<DayValue> {
    v.binary_search_by_key(&day, |x| x.day).ok().map(|i| v[i])
}

/// How many of the three cytopenia criteria hold on `day` (each cut-off is
/// inclusive: a value equal to it meets the criterion; a missing value does not).
fn criteria_met_on(counts: &DayCounts<'_>, day: i32, cfg: &PoorGraftFunctionConfig) -> u8 {
    let anc = on_day(counts.anc, day).is_some_and(|x| x.value <= cfg.anc_max);
    let plt = on_day(counts.platelets, day).is_some_and(|x| x.value <= cfg.platelets_max);
    let hb = on_day(counts.hemoglobin, day).is_some_and(|x| x.value <= cfg.hemoglobin_max_g_dl);
    u8::from(anc) + u8::from(plt) + u8::from(hb)
}

/// First day of the first run of `consecutive_values` laboratory days (days
/// with any count) on each of which at least `min_criteria` criteria hold.
fn first_qualifying_run(counts: &DayCounts<'_>, cfg: &PoorGraftFunctionConfig) -> Option<i32> {
    let mut days: Vec<i32> = counts
        .anc
        .iter()
        .chain(counts.platelets)
        .chain(counts.hemoglobin)
        .map(|d| d.day)
        .collect();
    days.sort_unstable();
    days.dedup();
    let mut run = 0u32;
    let mut start = None;
    for &d in &days {
        if criteria_met_on(counts, d, cfg) >= cfg.min_criteria {
            if run == 0 {
                start = Some(d);
            }
            run += 1;
            if run >= cfg.consecutive_values {
                return start;
            }
        } else {
            run = 0;
        }
    }
    None
}

/// Records the counts of the first day `s` of the qualifying run as evidence.
fn push_run_start_evidence(ex: &mut Explanation, counts: &DayCounts<'_>, s: i32) {
    for (what, v, unit) in [
        ("anc", counts.anc, Unit::Per1e9L),
        ("platelets", counts.platelets, Unit::Per1e9L),
        ("hemoglobin", counts.hemoglobin, Unit::GPerDl),
    ] {
        if let Some(x) = on_day(v, s) {
            ex.evidence.push(Evidence::value(
                Some(x.date),
                what,
                x.value,
                Some(unit),
                format!("day {s:+}: first day of the qualifying run"),
            ));
        }
    }
}

/// The qualifiers (hypocellular marrow, full donor chimerism, no severe GVHD
/// or relapse): which are unknown, and which speak against poor graft function.
fn qualifier_gaps(input: &PoorGraftFunctionInput<'_>) -> (Vec<String>, Vec<&'static str>) {
    let mut missing = Vec::new();
    let mut against = Vec::new();
    match input.hypocellular_marrow {
        None => missing.push("marrow cellularity".to_string()),
        Some(false) => against.push("marrow not hypocellular"),
        Some(true) => {}
    }
    match input.full_donor_chimerism {
        None => missing.push("donor chimerism".to_string()),
        Some(false) => against.push("not full donor chimerism"),
        Some(true) => {}
    }
    match input.severe_gvhd_or_relapse {
        None => missing.push("severe GVHD / relapse status".to_string()),
        Some(true) => against.push("severe GVHD or relapse present"),
        Some(false) => {}
    }
    (missing, against)
}

/// The verdict once the count criterion is met from day `s`: a qualifier
/// against rules it out, an unknown one leaves it open, all present confirm it.
fn judge_qualifiers(
    input: &PoorGraftFunctionInput<'_>,
    s: i32,
    mut ex: Explanation,
) -> Graded<PoorGraftFunction> {
    let (missing, against) = qualifier_gaps(input);
    if !against.is_empty() {
        ex.reason = format!("counts met from day {s:+} but {}", against.join(", "));
        return Graded::Value {
            value: PoorGraftFunction {
                count_criterion_met: true,
                from_day: Some(s),
                poor_graft_function: false,
            },
            explanation: ex,
        };
    }
    if !missing.is_empty() {
        ex.reason = format!("counts met from day {s:+}; qualifiers unknown");
        return Graded::InsufficientData {
            missing,
            explanation: ex,
        };
    }
    ex.reason = format!(
        "cytopenia criterion met from day {s:+} with hypocellular marrow and full donor chimerism"
    );
    Graded::Value {
        value: PoorGraftFunction {
            count_criterion_met: true,
            from_day: Some(s),
            poor_graft_function: true,
        },
        explanation: ex,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[(i32, f64)]) -> Vec<DayValue> {
        let day0: Date = "2025-01-01".parse().unwrap();
        values
            .iter()
            .map(|&(day, value)| DayValue {
                day,
                date: day0.add_days(day),
                value,
            })
            .collect()
    }

    #[test]
    fn each_cutoff_is_inclusive() {
        let cfg = PoorGraftFunctionConfig::default();
        let (a, p, h) = (
            series(&[(30, 0.5), (31, 0.51)]),
            series(&[(30, 20.0), (31, 20.1)]),
            series(&[(30, 7.0), (31, 7.01)]),
        );
        let c = DayCounts {
            anc: &a,
            platelets: &p,
            hemoglobin: &h,
        };
        assert_eq!(criteria_met_on(&c, 30, &cfg), 3);
        assert_eq!(criteria_met_on(&c, 31, &cfg), 0);
        assert_eq!(
            criteria_met_on(&c, 32, &cfg),
            0,
            "no value is not a met criterion"
        );
    }

    #[test]
    fn run_needs_consecutive_lab_days_meeting_min_criteria() {
        let cfg = PoorGraftFunctionConfig::default();
        let a = series(&[(30, 0.4), (31, 0.4), (32, 0.4), (33, 0.4), (34, 0.4)]);
        // Day 32 meets only one criterion and breaks the first run.
        let p = series(&[(30, 10.0), (31, 10.0), (32, 50.0), (33, 10.0), (34, 10.0)]);
        let h = series(&[]);
        let c = DayCounts {
            anc: &a,
            platelets: &p,
            hemoglobin: &h,
        };
        assert_eq!(first_qualifying_run(&c, &cfg), None);
        let p = series(&[(30, 10.0), (31, 10.0), (32, 10.0)]);
        let c = DayCounts {
            anc: &a,
            platelets: &p,
            hemoglobin: &h,
        };
        assert_eq!(first_qualifying_run(&c, &cfg), Some(30));
    }

    #[test]
    fn qualifiers_split_into_unknown_and_against() {
        let mut input = PoorGraftFunctionInput {
            day0: "2025-01-01".parse().unwrap(),
            anc: &[],
            platelets: &[],
            hemoglobin: &[],
            hypocellular_marrow: Some(true),
            full_donor_chimerism: None,
            severe_gvhd_or_relapse: Some(false),
        };
        let (missing, against) = qualifier_gaps(&input);
        assert_eq!(missing, vec!["donor chimerism".to_string()]);
        assert!(against.is_empty());
        input.full_donor_chimerism = Some(true);
        input.severe_gvhd_or_relapse = Some(true);
        let (missing, against) = qualifier_gaps(&input);
        assert!(missing.is_empty());
        assert_eq!(against, vec!["severe GVHD or relapse present"]);
    }
}

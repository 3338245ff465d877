//! Poor graft function, quantitative variant (configurable; [R]).
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
use crate::series::{DatedValue, ValueError, daily_minimum};
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
    let mut ex = Explanation {
        rule: "Poor graft function (quantitative variant)",
        version: "configurable quantitative variant [R]",
        citations: vec![SUREDA_2024_CITATION, POOR_GRAFT_FUNCTION_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "PGF-cutoffs",
            format!(
                ">= {} of ANC <= {}, platelets <= {}, Hb <= {} g/dL on {} consecutive lab days after day {:+}",
                cfg.min_criteria,
                cfg.anc_max,
                cfg.platelets_max,
                cfg.hemoglobin_max_g_dl,
                cfg.consecutive_values,
                cfg.after_day
            ),
        )],
    };
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
    let mut days: Vec<i32> = a.iter().chain(&p).chain(&h).map(|d| d.day).collect();
    days.sort_unstable();
    days.dedup();
    let find = |v: &[crate::series::DayValue], d: i32| {
        v.binary_search_by_key(&d, |x| x.day).ok().map(|i| v[i])
    };
    let mut run = 0u32;
    let mut start = None;
    let mut met_from = None;
    for &d in &days {
        let mut n = 0u8;
        if find(&a, d).is_some_and(|x| x.value <= cfg.anc_max) {
            n += 1;
        }
        if find(&p, d).is_some_and(|x| x.value <= cfg.platelets_max) {
            n += 1;
        }
        if find(&h, d).is_some_and(|x| x.value <= cfg.hemoglobin_max_g_dl) {
            n += 1;
        }
        if n >= cfg.min_criteria {
            if run == 0 {
                start = Some(d);
            }
            run += 1;
            if run >= cfg.consecutive_values {
                met_from = start;
                break;
            }
        } else {
            run = 0;
        }
    }
    let Some(s) = met_from else {
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
    for (what, v, unit) in [
        ("anc", &a, Unit::Per1e9L),
        ("platelets", &p, Unit::Per1e9L),
        ("hemoglobin", &h, Unit::GPerDl),
    ] {
        if let Some(x) = find(v, s) {
            ex.evidence.push(Evidence::value(
                Some(x.date),
                what,
                x.value,
                Some(unit),
                format!("day {s:+}: first day of the qualifying run"),
            ));
        }
    }
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
    if !against.is_empty() {
        ex.reason = format!("counts met from day {s:+} but {}", against.join(", "));
        return Ok(Graded::Value {
            value: PoorGraftFunction {
                count_criterion_met: true,
                from_day: Some(s),
                poor_graft_function: false,
            },
            explanation: ex,
        });
    }
    if !missing.is_empty() {
        ex.reason = format!("counts met from day {s:+}; qualifiers unknown");
        return Ok(Graded::InsufficientData {
            missing,
            explanation: ex,
        });
    }
    ex.reason = format!(
        "cytopenia criterion met from day {s:+} with hypocellular marrow and full donor chimerism"
    );
    Ok(Graded::Value {
        value: PoorGraftFunction {
            count_criterion_met: true,
            from_day: Some(s),
            poor_graft_function: true,
        },
        explanation: ex,
    })
}

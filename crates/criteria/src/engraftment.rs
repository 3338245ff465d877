//! Neutrophil and platelet engraftment (CIBMTR Forms Instruction Manual
//! F2100; ASTCT/EBMT/CIBMTR/APBMT harmonised definitions, Sureda 2024).
//!
//! * Neutrophils: the first of 3 consecutive laboratory values on different
//!   days with ANC ≥ 0.5 ×10⁹/L, counted after the post-transplant nadir; no
//!   intervening value may be < 0.5 (E-1). Counting starts at the first value
//!   < 0.5 on or after day 0; if the ANC never falls below 0.5 the endpoint is
//!   not applicable (E-2). An ANC of exactly 0.5 counts as ≥ 0.5 with a flag
//!   (engine decision 9; CIBMTR asks for the manual differential).
//! * Platelets: the same construction with ≥ 20 (or ≥ 50) ×10⁹/L, where
//!   each of the 3 values must be free of a platelet transfusion in the
//!   7 days before it: a transfusion on day t makes days t … t+6 ineligible,
//!   t+7 is eligible (engine decision 3, E-4). Never below the threshold and
//!   never transfused → not applicable (engine decision 4).
//!
//! The nadir must begin by day +28 (configurable): a first dip after that is
//! a later cytopenia, not the post-transplant nadir (engine decision, `E-2`).
//! Several values on one day are reduced to the lowest. G-CSF exposure does
//! not affect the date (E-3); callers record it separately.

use graftwatch_core::{Citation, Date, Provenance};
use serde::{Deserialize, Serialize};

use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{COUNT_UNIT, DatedValue, DayValue, ValueError, daily_minimum, day_offset};

/// CIBMTR manual citation.
pub const CIBMTR_F2100_CITATION: Citation = Citation {
    source: "CIBMTR Forms Instruction Manual, Form 2100 (Post-HCT Follow-Up), Q8-18",
    year: 2024,
    table: "Neutrophil recovery Q8-11; platelet recovery Q13-18 with worked example",
    doi: None,
    provenance: Provenance::Verified,
    note: "First of 3 consecutive values on different days; do not count before the nadir; \
           exactly 0.5 automated -> manual differential; platelets without transfusion in the \
           previous 7 days. Worked example: >= 20 on day 7, >= 50 on day 9.",
};

/// Harmonised definitions citation.
pub const SUREDA_2024_CITATION: Citation = Citation {
    source: "Sureda A et al. Bone Marrow Transplant 2024;59(6):832-837 (ASTCT/EBMT/CIBMTR/APBMT harmonised definitions)",
    year: 2024,
    table: "Table 1",
    doi: Some("10.1038/s41409-024-02251-0"),
    provenance: Provenance::Verified,
    note: "Neutrophil and platelet recovery, primary and secondary graft failure, poor graft function, full donor chimerism > 95%.",
};

/// Rule version.
pub const ENGRAFTMENT_VERSION: &str = "CIBMTR F2100 / ASTCT 2021 (engine decisions 3, 4, 9)";

/// Days after a reported neutrophil engraftment in which a value below the
/// nadir raises the `E-2b` review flag (possible pre-nadir rise).
pub const PRE_NADIR_LOOKAHEAD_DAYS: i32 = 14;

/// Engraftment configuration; `Default` is the reference default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngraftmentConfig {
    /// Number of consecutive qualifying values (3).
    pub consecutive_values: u32,
    /// A platelet transfusion on day t makes days t .. t + window − 1
    /// ineligible (7).
    pub transfusion_window_days: i32,
    /// The post-transplant nadir must start (first value below the
    /// threshold, or first platelet transfusion) by this day (+28); a first
    /// dip after it is a later cytopenia, not the aplastic nadir, and the
    /// endpoint is not applicable (engine decision, flagged `E-2`).
    pub nadir_search_until_day: i32,
    /// "Never below the threshold" (not applicable) needs counts that cover
    /// the nadir window: the first by this many days after day 0, no gap
    /// between counts longer than this, and a count on or after
    /// `nadir_search_until_day` (7). Otherwise the endpoint is
    /// insufficient data naming the gap (engine decision, flagged `E-2c`).
    pub nadir_coverage_max_gap_days: i32,
}

impl Default for EngraftmentConfig {
    fn default() -> Self {
        EngraftmentConfig {
            consecutive_values: 3,
            transfusion_window_days: 7,
            nadir_search_until_day: 28,
            nadir_coverage_max_gap_days: 7,
        }
    }
}

/// The date engraftment was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EngraftedOn {
    /// Calendar date of the first of the qualifying values.
    pub date: Date,
    /// Post-infusion day.
    pub day: i32,
}

/// Engraftment result for one lineage and threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Engraftment {
    /// Threshold ×10⁹/L (0.5, 20 or 50).
    pub threshold: f64,
    /// Engraftment date, or `None` if not (yet) reached.
    pub engrafted: Option<EngraftedOn>,
    /// Lowest value between the start of counting and engraftment (or the
    /// last value).
    pub nadir: DayValue,
    /// Last value considered.
    pub last_value: DayValue,
}

fn base_explanation(rule: &'static str) -> Explanation {
    Explanation {
        rule,
        version: ENGRAFTMENT_VERSION,
        citations: vec![CIBMTR_F2100_CITATION, SUREDA_2024_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: Vec::new(),
    }
}

struct Scan {
    engrafted_idx: Option<usize>,
    start_idx: usize,
    nadir_idx: usize,
}

/// Generic scan: counting starts at `start_idx`; a value qualifies when
/// `qualifies(i)`; returns the index of the first of `n` consecutive
/// qualifying values.
fn scan(days: &[DayValue], start_idx: usize, n: u32, qualifies: impl Fn(usize) -> bool) -> Scan {
    let mut run = 0u32;
    let mut run_start = start_idx;
    let mut nadir_idx = start_idx;
    for i in start_idx..days.len() {
        if qualifies(i) {
            if run == 0 {
                run_start = i;
            }
            run += 1;
            if run >= n {
                return Scan {
                    engrafted_idx: Some(run_start),
                    start_idx,
                    nadir_idx,
                };
            }
        } else {
            run = 0;
        }
        if days[i].value < days[nadir_idx].value && run == 0 {
            nadir_idx = i;
        }
    }
    Scan {
        engrafted_idx: None,
        start_idx,
        nadir_idx,
    }
}

/// Where the counts leave the nadir window (day 0 to `until`) unobserved,
/// so that "never below the threshold" would be an absence of data rather
/// than a finding: the first count later than `max_gap` days after day 0,
/// a gap of more than `max_gap` days between counts, or no count on or after
/// `until` (follow-up not yet there). `None` when the window is covered.
fn nadir_window_gap(days: &[DayValue], until: i32, max_gap: i32) -> Option<String> {
    let day = |d: i32| {
        if d == 0 {
            "day 0".to_string()
        } else {
            format!("day {d:+}")
        }
    };
    let mut prev = 0;
    for d in days {
        if d.day - prev > max_gap {
            return Some(format!(
                "no count from {} to day {:+} (gaps of up to {max_gap} days accepted)",
                day(prev),
                d.day
            ));
        }
        prev = d.day;
        if d.day >= until {
            return None;
        }
    }
    Some(format!(
        "no count after {}; the nadir window runs to day {until:+}",
        day(prev)
    ))
}

/// The "never below" result: not applicable when the counts cover the
/// nadir window, else insufficient data naming the gap (flag `E-2c`).
fn never_below<T>(
    days: &[DayValue],
    what: &str,
    threshold: f64,
    cfg: &EngraftmentConfig,
    mut ex: Explanation,
) -> Graded<T> {
    let until = cfg.nadir_search_until_day;
    let Some(gap) = nadir_window_gap(days, until, cfg.nadir_coverage_max_gap_days) else {
        return Graded::NotApplicable {
            reason: ex.reason.clone(),
            explanation: ex,
        };
    };
    // The "never below" flags would state a finding the counts do not make.
    ex.flags.retain(|f| f.code != "E-2" && f.code != "D-4");
    ex.reason = uncovered_window_reason(days, what, threshold, until, &gap);
    ex.flags.push(Flag::new(
        "E-2c",
        format!(
            "\"never below\" needs counts through the nadir window (first by day +{max}, gaps of at most {max} days, to day {until:+}); engine decision",
            max = cfg.nadir_coverage_max_gap_days
        ),
    ));
    Graded::InsufficientData {
        missing: vec![format!("{what} counts from day 0 to day {until:+}: {gap}")],
        explanation: ex,
    }
}

/// Why "never below" cannot be said: no count in the nadir window at all
/// (then a later count below the threshold is named: the counts show no
/// engraftment, but the nadir cannot be placed), or counts in it that are
/// not below the threshold with a gap.
fn uncovered_window_reason(
    days: &[DayValue],
    what: &str,
    threshold: f64,
    until: i32,
    gap: &str,
) -> String {
    if days.iter().any(|d| d.day <= until) {
        return format!(
            "{what} not below {threshold} on the days measured from day 0 to day {until:+}, but the counts do not cover that window: {gap}"
        );
    }
    let later_low = days.iter().find(|d| d.value < threshold).map_or_else(String::new, |d| {
        format!(
            "; {what} {} on day {:+} is below {threshold}, but a count after the window does not place the post-transplant nadir",
            d.value, d.day
        )
    });
    format!("no {what} count from day 0 to day {until:+} ({gap}){later_low}")
}

fn run_evidence(
    days: &[DayValue],
    from: usize,
    n: u32,
    what: &'static str,
    ex: &mut Explanation,
) -> bool {
    let mut gaps = false;
    for k in 0..n as usize {
        let v = days[from + k];
        if k > 0 && v.day - days[from + k - 1].day > 1 {
            gaps = true;
        }
        ex.evidence.push(Evidence::value(
            Some(v.date),
            what,
            v.value,
            Some(COUNT_UNIT),
            format!("day {:+}: qualifying value {} of {n}", v.day, k + 1),
        ));
    }
    gaps
}

/// Neutrophil engraftment (ANC ≥ 0.5 ×10⁹/L).
pub fn neutrophil_engraftment(
    day0: Date,
    anc: &[DatedValue],
    cfg: &EngraftmentConfig,
) -> Result<Graded<Engraftment>, ValueError> {
    let mut ex = base_explanation("Neutrophil engraftment (ANC ≥ 0.5 ×10⁹/L)");
    let days = daily_minimum("anc", anc, day0, 0, i32::MAX)?;
    if days.is_empty() {
        ex.reason = "no ANC on or after day 0".into();
        return Ok(Graded::InsufficientData {
            missing: vec!["ANC values on or after day 0".into()],
            explanation: ex,
        });
    }
    let until = cfg.nadir_search_until_day;
    let Some(start) = days.iter().position(|d| d.value < 0.5 && d.day <= until) else {
        let window_end = days[days.len() - 1].day.min(until);
        let low = days
            .iter()
            .filter(|d| d.day <= until)
            .min_by(|a, b| a.value.total_cmp(&b.value))
            .copied()
            .unwrap_or(days[0]);
        ex.reason = format!("ANC never below 0.5 ×10⁹/L from day 0 to day {window_end:+}");
        ex.evidence.push(Evidence::value(
            Some(low.date),
            "anc",
            low.value,
            Some(COUNT_UNIT),
            format!("day {:+}: lowest ANC", low.day),
        ));
        ex.flags.push(Flag::new(
            "E-2",
            format!(
                "never below 0.5 by day {until:+}: no engraftment date (reported as never < 0.5); \
                 a later first dip is not the post-transplant nadir"
            ),
        ));
        return Ok(never_below(&days, "ANC", 0.5, cfg, ex));
    };
    ex.flags.push(Flag::new(
        "E-2",
        format!(
            "counting starts after the first ANC < 0.5 (day {:+})",
            days[start].day
        ),
    ));
    let n = cfg.consecutive_values.max(1);
    let s = scan(&days, start, n, |i| days[i].value >= 0.5);
    finish(days, s, 0.5, "anc", n, ex, |days, i, ex| {
        let nadir = days[start..i]
            .iter()
            .map(|d| d.value)
            .fold(f64::INFINITY, f64::min);
        let horizon = days[i].day + PRE_NADIR_LOOKAHEAD_DAYS;
        if let Some(lower) = days[i..]
            .iter()
            .take_while(|d| d.day <= horizon)
            .find(|d| d.value < nadir)
        {
            ex.flags.push(Flag::new(
                "E-2b",
                format!(
                    "possible pre-nadir rise: ANC {} on day {:+} is lower than the nadir {nadir} before the reported engraftment; review",
                    lower.value, lower.day
                ),
            ));
        }
        if (i..i + n as usize).any(|k| days[k].value == 0.5) {
            ex.flags.push(Flag::new("D-9", "an ANC of exactly 0.5 counted as ≥ 0.5 (the threshold is inclusive, engine decision 9)"));
        }
    })
}

fn finish(
    days: Vec<DayValue>,
    s: Scan,
    threshold: f64,
    what: &'static str,
    n: u32,
    mut ex: Explanation,
    extra: impl Fn(&[DayValue], usize, &mut Explanation),
) -> Result<Graded<Engraftment>, ValueError> {
    let last = days[days.len() - 1];
    let nadir = days[s.nadir_idx];
    ex.evidence.push(Evidence::value(
        Some(nadir.date),
        what,
        nadir.value,
        Some(COUNT_UNIT),
        format!("day {:+}: nadir", nadir.day),
    ));
    let engrafted = s.engrafted_idx.map(|i| {
        if run_evidence(&days, i, n, what, &mut ex) {
            ex.flags.push(Flag::new("E-1", "qualifying values are not on consecutive calendar days (non-daily labs; no intervening value below the threshold)"));
        }
        extra(&days, i, &mut ex);
        EngraftedOn { date: days[i].date, day: days[i].day }
    });
    ex.reason = match engrafted {
        Some(e) => format!(
            "first of {n} consecutive qualifying values ≥ {threshold} on day {:+} ({})",
            e.day, e.date
        ),
        None => format!(
            "no {n} consecutive qualifying values ≥ {threshold} after day {:+} through day {:+}",
            days[s.start_idx].day, last.day
        ),
    };
    Ok(Graded::Value {
        value: Engraftment {
            threshold,
            engrafted,
            nadir,
            last_value: last,
        },
        explanation: ex,
    })
}

/// Platelet engraftment at `threshold` (20 or 50 ×10⁹/L) with the per-value
/// transfusion window. `transfusions` are platelet-transfusion dates (any
/// order, including before day 0).
pub fn platelet_engraftment(
    day0: Date,
    platelets: &[DatedValue],
    transfusions: &[Date],
    threshold: f64,
    cfg: &EngraftmentConfig,
) -> Result<Graded<Engraftment>, ValueError> {
    let rule = if threshold >= 50.0 {
        "Platelet engraftment (≥ 50 ×10⁹/L, transfusion-free 7 days)"
    } else {
        "Platelet engraftment (≥ 20 ×10⁹/L, transfusion-free 7 days)"
    };
    let mut ex = base_explanation(rule);
    let days = daily_minimum("platelets", platelets, day0, 0, i32::MAX)?;
    if days.is_empty() {
        ex.reason = "no platelet count on or after day 0".into();
        return Ok(Graded::InsufficientData {
            missing: vec!["platelet counts on or after day 0".into()],
            explanation: ex,
        });
    }
    let mut tx: Vec<i32> = transfusions.iter().map(|t| day_offset(*t, day0)).collect();
    tx.sort_unstable();
    let w = cfg.transfusion_window_days;
    let eligible = |day: i32| !tx.iter().any(|&t| day - t >= 0 && day - t < w);
    let until = cfg.nadir_search_until_day;
    let first_low = days
        .iter()
        .position(|d| d.value < threshold && d.day <= until);
    let first_tx = tx.iter().copied().find(|&t| t >= 0 && t <= until);
    let start = match (first_low, first_tx) {
        (None, None) => {
            ex.reason = format!(
                "platelets never below {threshold} and no platelet transfusion from day 0 to day {until:+}"
            );
            ex.flags.push(Flag::new(
                "D-4",
                "never below the threshold without transfusion: not applicable (engine decision 4)",
            ));
            return Ok(never_below(&days, "platelet", threshold, cfg, ex));
        }
        (Some(i), None) => i,
        (None, Some(t)) => days
            .iter()
            .position(|d| d.day >= t)
            .unwrap_or(days.len() - 1),
        (Some(i), Some(t)) => i.min(days.iter().position(|d| d.day >= t).unwrap_or(i)),
    };
    ex.flags.push(Flag::new(
        "E-4",
        format!("no platelet transfusion in the {w} days up to each of the qualifying values (day t..t+{} ineligible)", w - 1),
    ));
    let n = cfg.consecutive_values.max(1);
    let s = scan(&days, start, n, |i| {
        days[i].value >= threshold && eligible(days[i].day)
    });
    let last_tx_before = |day: i32| tx.iter().copied().filter(|&t| t <= day).max();
    finish(days, s, threshold, "platelets", n, ex, |days, i, ex| {
        if let Some(t) = last_tx_before(days[i].day) {
            ex.evidence.push(Evidence::finding(
                Some(day0.add_days(t)),
                "platelet_transfusion",
                format!("day {t:+}: last platelet transfusion before engraftment"),
            ));
        }
        if threshold == 50.0 && days[i..i + n as usize].iter().any(|d| d.value == threshold) {
            ex.flags.push(Flag::new(
                "E-50",
                "a count of exactly 50 counts as ≥ 50 (CIBMTR F2100 example)",
            ));
        }
    })
}

//! Primary and secondary graft failure (ASTCT 2021, harmonised by
//! ASTCT/EBMT/CIBMTR/APBMT in Sureda 2024, Table 1).
//!
//! * Primary graft failure: no ANC ≥ 0.5 ×10⁹/L by day +30 (PBSC or bone
//!   marrow) or by day +42 (umbilical cord blood). A graft combining a UCB
//!   unit with PBSC (haplo-cord, third-party CD34+) uses day +42 and the
//!   neutrophil recovery before it is reported as early (bridge) engraftment
//!   (§4.2, flagged). Engraftment after the deadline is *late engraftment*:
//!   both facts are reported (E-7).
//! * Secondary graft failure: after neutrophil **and** platelet recovery, a
//!   decline of counts needing blood products or growth factors. Made
//!   operational here (flagged) as: after the later of the two recovery
//!   dates, `min_consecutive_values` consecutive ANC values < 0.5 or platelet
//!   values < 20, with a product or growth factor given between the first of
//!   them and 7 days after the last.
//!
//! Relapse, drugs and infection as causes are not assessed here; the caller
//! must exclude them (flagged).

use graftwatch_core::{Citation, Date, DonorId, Provenance};
use serde::{Deserialize, Serialize};

use crate::engraftment::{EngraftedOn, Engraftment, SUREDA_2024_CITATION};
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{COUNT_UNIT, DatedValue, DayValue, ValueError, daily_minimum};

/// ASTCT primary-graft-failure definition.
pub const KHARFAN_DABAJA_2021_CITATION: Citation = Citation {
    source: "Kharfan-Dabaja MA et al. Transplant Cell Ther 2021;27(8):642-649 (ASTCT standardised definitions)",
    year: 2021,
    table: "Table (graft failure, poor graft function, chimerism)",
    doi: None,
    provenance: Provenance::Verified,
    note: "Primary graft failure: no ANC ≥ 0.5 by day +30 (PBSC/BM) or +42 (UCB), quoted in Sureda 2024 Table 1. \
           Combined UCB + PBSC grafts are not covered; the day +42 default is an engine decision (§4.2).",
};

/// Rule version.
pub const GRAFT_FAILURE_VERSION: &str =
    "ASTCT 2021 / harmonised 2024 (engine §4.2 combined-graft default)";

/// Kind of stem-cell product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraftSourceKind {
    /// Mobilised peripheral-blood stem cells (including CD34-selected).
    Pbsc,
    /// Unstimulated bone marrow.
    BoneMarrow,
    /// Umbilical cord blood unit.
    Ucb,
}

/// One component of the graft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraftComponent {
    /// Donor (or cord unit) id, as used in chimerism results.
    pub donor: DonorId,
    /// Product type.
    pub source: GraftSourceKind,
}

/// The primary-graft-failure deadline for a graft, and whether the
/// combined-graft default was applied.
pub fn primary_failure_deadline(components: &[GraftComponent]) -> (i32, bool) {
    let has_ucb = components.iter().any(|c| c.source == GraftSourceKind::Ucb);
    let has_other = components.iter().any(|c| c.source != GraftSourceKind::Ucb);
    if has_ucb {
        (42, has_other)
    } else {
        (30, false)
    }
}

/// Primary graft failure assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrimaryGraftFailure {
    /// True when no neutrophil engraftment by the deadline.
    pub primary_graft_failure: bool,
    /// Deadline day (+30 or +42).
    pub deadline_day: i32,
    /// Neutrophil engraftment, if reached (possibly after the deadline:
    /// late engraftment, E-7).
    pub neutrophil_engraftment: Option<EngraftedOn>,
    /// Engraftment after the deadline.
    pub late_engraftment: bool,
    /// Combined UCB + PBSC graft: the neutrophil recovery reported as early
    /// (bridge) engraftment; which graft engrafted needs graft-specific
    /// chimerism (see `chimerism_state::dominant_graft`).
    pub early_bridge_engraftment: Option<EngraftedOn>,
}

fn explanation(rule: &'static str) -> Explanation {
    Explanation {
        rule,
        version: GRAFT_FAILURE_VERSION,
        citations: vec![KHARFAN_DABAJA_2021_CITATION, SUREDA_2024_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: Vec::new(),
    }
}

/// Primary graft failure from a neutrophil-engraftment result, for a patient
/// with no recorded death (see [`primary_graft_failure_censored`]).
pub fn primary_graft_failure(
    components: &[GraftComponent],
    neutrophils: &Graded<Engraftment>,
) -> Graded<PrimaryGraftFailure> {
    primary_graft_failure_censored(components, neutrophils, None)
}

/// The reason a graft endpoint is not evaluable when the patient died on
/// `death_day` before neutrophil engraftment (censored at death).
pub fn death_before_engraftment(death_day: i32) -> String {
    format!(
        "not evaluable: death on day {death_day:+} before neutrophil engraftment (censored at death)"
    )
}

/// Primary graft failure from a neutrophil-engraftment result, censored at
/// death: a patient who died on `death_day` (days after the transplant), on
/// or before the deadline and before both neutrophil engraftment and an ANC
/// on the deadline, is not evaluable (decision E-10: the reference gives no
/// rule for this case; censored at death as it does for ICAHT, §3.3)
/// rather than waiting for counts after the death.
pub fn primary_graft_failure_censored(
    components: &[GraftComponent],
    neutrophils: &Graded<Engraftment>,
    death_day: Option<i32>,
) -> Graded<PrimaryGraftFailure> {
    let mut ex = explanation("Primary graft failure");
    if components.is_empty() {
        ex.reason = "graft composition unknown".into();
        return Graded::InsufficientData {
            missing: vec!["graft components (PBSC / bone marrow / UCB)".into()],
            explanation: ex,
        };
    }
    let (deadline, combined) = primary_failure_deadline(components);
    if combined {
        ex.flags.push(Flag::new(
            "GF-combined",
            "UCB combined with PBSC/BM: primary graft failure judged at day +42 (UCB as the long-term graft); earlier recovery reported as early bridge engraftment (§4.2)",
        ));
    }
    ex.flags.push(Flag::new(
        "GF-cause",
        "pancytopenia and causes (relapse, drugs, infection) are not assessed here",
    ));
    match neutrophils {
        Graded::Value { value, explanation } => {
            ex.evidence.extend(explanation.evidence.iter().cloned());
            ex.flags.extend(explanation.flags.iter().cloned());
            if value.engrafted.is_none()
                && value.last_value.day < deadline
                && let Some(dd) = death_day.filter(|dd| *dd <= deadline)
            {
                let reason = death_before_engraftment(dd);
                ex.reason.clone_from(&reason);
                ex.flags.push(Flag::new(
                    "E-10",
                    "death on or before the deadline without neutrophil engraftment: not evaluable, censored at death",
                ));
                return Graded::NotApplicable {
                    reason,
                    explanation: ex,
                };
            }
            judge_by_deadline(value, deadline, combined, ex)
        }
        Graded::NotApplicable { reason, .. } => {
            ex.reason = format!("no primary graft failure: {reason}");
            ex.flags.push(Flag::new("E-2", "ANC never below 0.5: primary graft failure by counts does not apply; check chimerism for autologous reconstitution (E-8)"));
            Graded::Value {
                value: primary_value(false, deadline, None, false, None),
                explanation: ex,
            }
        }
        Graded::InsufficientData { missing, .. } => {
            ex.reason = "neutrophil engraftment could not be assessed".into();
            Graded::InsufficientData {
                missing: missing.clone(),
                explanation: ex,
            }
        }
    }
}

/// A [`PrimaryGraftFailure`] from its fields, in declaration order.
fn primary_value(
    failure: bool,
    deadline_day: i32,
    engrafted: Option<EngraftedOn>,
    late: bool,
    bridge: Option<EngraftedOn>,
) -> PrimaryGraftFailure {
    PrimaryGraftFailure {
        primary_graft_failure: failure,
        deadline_day,
        neutrophil_engraftment: engrafted,
        late_engraftment: late,
        early_bridge_engraftment: bridge,
    }
}

/// The deadline rule applied to a neutrophil-engraftment result: engrafted
/// by the deadline (inclusive) is no failure; later is failure with late
/// engraftment (E-7); not engrafted is failure once ANC is followed to the
/// deadline, else insufficient data. `combined`: a UCB + PBSC/BM graft, whose
/// recovery by the deadline is also the early bridge engraftment.
fn judge_by_deadline(
    e: &Engraftment,
    deadline: i32,
    combined: bool,
    mut ex: Explanation,
) -> Graded<PrimaryGraftFailure> {
    let value = match e.engrafted {
        Some(on) if on.day <= deadline => {
            ex.reason = if combined {
                format!(
                    "neutrophil engraftment on day {:+} (early bridge engraftment of the combined graft), by the day {deadline:+} deadline",
                    on.day
                )
            } else {
                format!(
                    "neutrophil engraftment on day {:+}, by the day {deadline:+} deadline",
                    on.day
                )
            };
            let bridge = combined.then_some(on);
            primary_value(false, deadline, Some(on), false, bridge)
        }
        Some(on) => {
            ex.flags.push(Flag::new(
                "E-7",
                format!("late engraftment: primary graft failure at day {deadline:+} and neutrophil engraftment on day {:+} are both reported", on.day),
            ));
            ex.reason = format!(
                "no ANC engraftment by day {deadline:+} (engrafted later, day {:+})",
                on.day
            );
            primary_value(true, deadline, Some(on), true, None)
        }
        None if e.last_value.day >= deadline => {
            ex.reason = format!(
                "no neutrophil engraftment by day {deadline:+} (ANC followed to day {:+})",
                e.last_value.day
            );
            primary_value(true, deadline, None, false, None)
        }
        None => {
            ex.reason = format!(
                "not engrafted yet and ANC followed only to day {:+}",
                e.last_value.day
            );
            return Graded::InsufficientData {
                missing: vec![format!(
                    "ANC from day {:+} to day {deadline:+}",
                    e.last_value.day + 1
                )],
                explanation: ex,
            };
        }
    };
    Graded::Value {
        value,
        explanation: ex,
    }
}

/// Configuration of the operational secondary-graft-failure rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecondaryFailureConfig {
    /// ANC below this is a decline (0.5).
    pub anc_below: f64,
    /// Platelets below this is a decline (20).
    pub platelets_below: f64,
    /// Consecutive declining values (on different days) needed (3).
    pub min_consecutive_values: u32,
    /// Support counted up to this many days after the last declining value (7).
    pub support_window_days: i32,
}

impl Default for SecondaryFailureConfig {
    fn default() -> Self {
        SecondaryFailureConfig {
            anc_below: 0.5,
            platelets_below: 20.0,
            min_consecutive_values: 3,
            support_window_days: 7,
        }
    }
}

/// Secondary graft failure result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SecondaryGraftFailure {
    /// True when a supported decline followed both recoveries.
    pub secondary_graft_failure: bool,
    /// Later of neutrophil and platelet recovery.
    pub recovered_on: EngraftedOn,
    /// First day of the decline, if any.
    pub decline_from_day: Option<i32>,
}

/// Input for secondary graft failure.
#[derive(Debug, Clone, Copy)]
pub struct SecondaryFailureInput<'a> {
    /// Day 0 (HCT).
    pub day0: Date,
    /// Neutrophil engraftment (must be a value with a date).
    pub neutrophils: &'a Graded<Engraftment>,
    /// Platelet ≥ 20 engraftment.
    pub platelets_engraftment: &'a Graded<Engraftment>,
    /// ANC series ×10⁹/L.
    pub anc: &'a [DatedValue],
    /// Platelet series ×10⁹/L.
    pub platelets: &'a [DatedValue],
    /// Dates of red-cell or platelet transfusions and growth-factor
    /// (G-CSF, TPO-agonist) doses.
    pub support: &'a [Date],
}

/// Secondary graft failure (operational rule, flagged).
pub fn secondary_graft_failure(
    input: &SecondaryFailureInput<'_>,
    cfg: &SecondaryFailureConfig,
) -> Result<Graded<SecondaryGraftFailure>, ValueError> {
    let mut ex = explanation("Secondary graft failure");
    ex.flags.push(Flag::new(
        "GF-secondary",
        format!(
            "operational rule: {} consecutive ANC < {} or platelets < {} after both recoveries, with transfusion or growth factor from the first value to {} days after the last; causes not assessed",
            cfg.min_consecutive_values, cfg.anc_below, cfg.platelets_below, cfg.support_window_days
        ),
    ));
    let on = |g: &Graded<Engraftment>| g.value().and_then(|e| e.engrafted);
    let (Some(n), Some(p)) = (on(input.neutrophils), on(input.platelets_engraftment)) else {
        let mut missing = Vec::new();
        if on(input.neutrophils).is_none() {
            missing.push("neutrophil engraftment date".to_string());
        }
        if on(input.platelets_engraftment).is_none() {
            missing.push("platelet (≥ 20) engraftment date".to_string());
        }
        ex.reason = "secondary graft failure needs both recoveries first".into();
        return Ok(Graded::NotApplicable {
            reason: format!("not recovered: {}", missing.join(", ")),
            explanation: ex,
        });
    };
    let rec = if n.day >= p.day { n } else { p };
    let from = rec.day + 1;
    let support: Vec<i32> = input
        .support
        .iter()
        .map(|s| s.days_since(input.day0).get())
        .collect();
    let mut found: Option<(i32, &'static str)> = None;
    for (what, series, thr) in [
        ("anc", input.anc, cfg.anc_below),
        ("platelets", input.platelets, cfg.platelets_below),
    ] {
        let days = daily_minimum(what, series, input.day0, from, i32::MAX)?;
        let Some(decline) = supported_decline(&days, thr, &support, cfg) else {
            continue;
        };
        if found.is_none_or(|f| decline.start < f.0) {
            found = Some((decline.start, what));
            let (d, run, start) = (decline.reached, decline.run, decline.start);
            ex.evidence.push(Evidence::value(
                Some(d.date),
                what,
                d.value,
                Some(COUNT_UNIT),
                format!(
                    "day {:+}: {run} consecutive values < {thr} since day {start:+}",
                    d.day
                ),
            ));
        }
    }
    ex.reason = match found {
        Some((s, what)) => format!(
            "{} declined from day {s:+} after recovery on day {:+}, with transfusion/growth-factor support",
            if what == "anc" { "ANC" } else { what },
            rec.day
        ),
        None => format!("no supported decline after recovery on day {:+}", rec.day),
    };
    Ok(Graded::Value {
        value: SecondaryGraftFailure {
            secondary_graft_failure: found.is_some(),
            recovered_on: rec,
            decline_from_day: found.map(|f| f.0),
        },
        explanation: ex,
    })
}

/// A run of declining values that met the secondary-failure rule.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decline {
    /// First day of the run.
    start: i32,
    /// The day on which the run first met the rule (long enough and supported).
    reached: DayValue,
    /// Length of the run on that day.
    run: u32,
}

/// The first point of `days` (daily minima after recovery) at which the
/// current run of values strictly below `thr` is at least
/// `min_consecutive_values` long and some support day (days after day 0)
/// falls between its first day and `support_window_days` after that point.
fn supported_decline(
    days: &[DayValue],
    thr: f64,
    support: &[i32],
    cfg: &SecondaryFailureConfig,
) -> Option<Decline> {
    let mut run = 0u32;
    let mut start = 0;
    for d in days {
        if d.value >= thr {
            run = 0;
            continue;
        }
        if run == 0 {
            start = d.day;
        }
        run += 1;
        let supported = support
            .iter()
            .any(|&sd| sd >= start && sd <= d.day + cfg.support_window_days);
        if run >= cfg.min_consecutive_values && supported {
            return Some(Decline {
                start,
                reached: *d,
                run,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::series::test_day_value as dv;

    fn engraftment(engrafted_day: Option<i32>, last_day: i32) -> Engraftment {
        Engraftment {
            threshold: 0.5,
            engrafted: engrafted_day.map(|day| EngraftedOn {
                date: Date::from_days_since_epoch(day),
                day,
            }),
            nadir: dv(5, 0.0),
            last_value: dv(last_day, 1.0),
        }
    }

    #[test]
    fn deadline_is_inclusive() {
        let ex = || explanation("Primary graft failure");
        let by = judge_by_deadline(&engraftment(Some(30), 40), 30, false, ex());
        assert!(!by.value().unwrap().primary_graft_failure);
        let late = judge_by_deadline(&engraftment(Some(31), 40), 30, false, ex());
        let late = late.value().unwrap();
        assert!(late.primary_graft_failure && late.late_engraftment);
    }

    #[test]
    fn no_engraftment_is_failure_only_when_followed_to_the_deadline() {
        let ex = || explanation("Primary graft failure");
        let followed = judge_by_deadline(&engraftment(None, 42), 42, true, ex());
        assert!(followed.value().unwrap().primary_graft_failure);
        let short = judge_by_deadline(&engraftment(None, 41), 42, true, ex());
        assert!(matches!(short, Graded::InsufficientData { .. }));
    }

    #[test]
    fn bridge_engraftment_only_for_combined_grafts() {
        let ex = || explanation("Primary graft failure");
        let combined = judge_by_deadline(&engraftment(Some(20), 50), 42, true, ex());
        assert!(combined.value().unwrap().early_bridge_engraftment.is_some());
        let single = judge_by_deadline(&engraftment(Some(20), 50), 42, false, ex());
        assert!(single.value().unwrap().early_bridge_engraftment.is_none());
    }

    #[test]
    fn decline_needs_enough_values_below_and_support_in_the_window() {
        let cfg = SecondaryFailureConfig::default();
        let days = [
            dv(40, 0.4),
            dv(41, 0.4),
            dv(42, 0.5),
            dv(43, 0.4),
            dv(44, 0.3),
            dv(45, 0.2),
        ];
        // 0.5 is not below 0.5: the first run has only two values.
        let d = supported_decline(&days, 0.5, &[43], &cfg).unwrap();
        assert_eq!((d.start, d.reached.day, d.run), (43, 45, 3));
        // Support 7 days after the third value counts; 8 days does not.
        assert!(supported_decline(&days, 0.5, &[52], &cfg).is_some());
        assert!(supported_decline(&days, 0.5, &[53], &cfg).is_none());
        // Support before the run's first day does not count.
        assert!(supported_decline(&days, 0.5, &[42], &cfg).is_none());
    }
}

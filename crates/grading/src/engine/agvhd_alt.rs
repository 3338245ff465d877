//! Keystone (modified Glucksberg, 1994) grade and IBMTR Severity Index
//! beside MAGIC, from the same staged days: a day state per assessment day
//! and a course maximum each (`agvhd_keystone_max_grade`,
//! `agvhd_ibmtr_max_index`, with the transplant suffix).
//!
//! Upper-GI symptoms count (as gut stage 1) only with a positive upper-GI
//! biopsy (stomach, duodenum, oesophagus) dated on or before the day
//! (flag `KEYSTONE-UGI` otherwise).

use graftwatch_core::Date;
use graftwatch_criteria::agvhd::ibmtr::IbmtrDay;
use graftwatch_criteria::agvhd::keystone::{
    KeystoneDay, keystone_rule, lower_bound_keystone_stages, worst_case_stages,
};
use graftwatch_criteria::agvhd::magic::OrganStatus;
use graftwatch_criteria::agvhd::timeline::FastDay;
use graftwatch_criteria::agvhd::{
    IbmtrIndex, KeystoneGrade, KeystoneStages, explain_ibmtr, explain_keystone, ibmtr_index,
};
use graftwatch_criteria::{Flag, Graded};

use super::Sink;
use super::agvhd_run::{AgvhdRun, organs_missing, valid_days};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::{DayState, DayStatus, SummaryItem};
use crate::summary_key::ItemKey;

fn stages_json(s: &KeystoneStages) -> serde_json::Value {
    serde_json::json!({"skin": s.skin.get(), "liver": s.liver.get(), "gut": s.gut.get()})
}

/// One staged day in both systems: (Keystone grade, determined), (IBMTR
/// index, determined), stages.
struct AltDay {
    date: Date,
    keystone: (KeystoneGrade, bool),
    ibmtr: (IbmtrIndex, bool),
    stages: KeystoneStages,
    histology: bool,
}

fn alt_day(f: &FastDay, hist: &[Date]) -> AltDay {
    let histology = hist.iter().any(|d| *d <= f.date);
    let lo = lower_bound_keystone_stages(&f.organs, histology);
    let hi = worst_case_stages(&f.organs, histology);
    let kg = keystone_rule(&lo).0;
    let ki = ibmtr_index(&lo);
    AltDay {
        date: f.date,
        keystone: (kg, kg == keystone_rule(&hi).0),
        ibmtr: (ki, ki == ibmtr_index(&hi)),
        stages: lo,
        histology,
    }
}

/// The grade label: `II`, or `at least II` for a lower bound (read after
/// "grade" or "index" wherever it is shown).
fn label(g: &str, determined: bool) -> String {
    if determined {
        g.to_string()
    } else {
        format!("at least {g}")
    }
}

/// Day states and course maxima of Keystone and IBMTR for one transplant.
pub(crate) fn run(r: &AgvhdRun, x: &CourseInputs, sink: &mut Sink) {
    let hist: Vec<Date> = x
        .upper_gi_histology
        .iter()
        .copied()
        .filter(|d| *d >= r.hct.date)
        .collect();
    let days: Vec<(AltDay, &FastDay)> = r.fast.iter().map(|f| (alt_day(f, &hist), f)).collect();
    for (a, f) in &days {
        for (system, grade, determined) in [
            ("keystone", a.keystone.0.as_str(), a.keystone.1),
            ("ibmtr", a.ibmtr.0.as_str(), a.ibmtr.1),
        ] {
            sink.state(a.date, || DayState {
                criterion: Criterion::Agvhd,
                system,
                status: if determined {
                    DayStatus::Graded
                } else {
                    DayStatus::InsufficientData
                },
                grade: Some(label(grade, determined)),
                value: Some(serde_json::json!({
                    "grade": label(grade, determined),
                    "stages": stages_json(&a.stages),
                    "upper_gi_histology": a.histology,
                })),
                missing: if determined {
                    vec![]
                } else {
                    organs_missing(&f.organs)
                },
                valid_days: valid_days(f, r.carry_days),
            });
        }
    }
    if r.fast.is_empty() {
        return;
    }
    max_item(&KEYSTONE_MAX, r, &days, sink);
    max_item(&IBMTR_MAX, r, &days, sink);
}

/// The course maximum of one system: the worst day, the earliest on ties,
/// or `0` when no day reached the lowest grade.
struct MaxItem<G, D> {
    key: SummaryKey,
    sys: System,
    /// The lowest grade, named in the reason of the `0` item.
    first: &'static str,
    /// `Keystone grade` or `IBMTR index`, before the reached grade.
    noun: &'static str,
    none: G,
    pick: fn(&AltDay) -> (G, bool),
    explain: fn(Date, &[OrganStatus; 4], bool) -> Graded<D>,
}

const KEYSTONE_MAX: MaxItem<KeystoneGrade, KeystoneDay> = MaxItem {
    key: SummaryKey::AgvhdKeystoneMaxGrade,
    sys: KEYSTONE,
    first: "Keystone grade I",
    noun: "Keystone grade",
    none: KeystoneGrade::Zero,
    pick: |a| a.keystone,
    explain: explain_keystone,
};

const IBMTR_MAX: MaxItem<IbmtrIndex, IbmtrDay> = MaxItem {
    key: SummaryKey::AgvhdIbmtrMaxIndex,
    sys: IBMTR,
    first: "IBMTR index A",
    noun: "IBMTR index",
    none: IbmtrIndex::None,
    pick: |a| a.ibmtr,
    explain: explain_ibmtr,
};

fn max_item<G, D>(m: &MaxItem<G, D>, r: &AgvhdRun, days: &[(AltDay, &FastDay)], sink: &mut Sink)
where
    G: Ord + std::fmt::Display,
    D: Clone + LowerBound + serde::Serialize,
{
    let best = days
        .iter()
        .filter(|(a, _)| (m.pick)(a).0 > m.none)
        .max_by(|x, y| {
            (m.pick)(&x.0)
                .0
                .cmp(&(m.pick)(&y.0).0)
                .then(y.0.date.cmp(&x.0.date))
        });
    let name = m.key.with(&r.suffix);
    let hct = r.hct;
    let Some((a, f)) = best else {
        zero(r, sink, &name, m.sys, m.first);
        return;
    };
    let mut g = (m.explain)(a.date, &f.organs, a.histology);
    lower_bound_to_value(&mut g, a.date, &f.organs, a.histology);
    add_flags(&mut g, &r.flags);
    let (grade, det) = (m.pick)(a);
    sink.item(SummaryItem::from_graded(
        Criterion::Agvhd,
        &name,
        &g,
        Some(&hct),
        |_| {
            (
                format!(
                    "{} {}{grade} first reached {} ({})",
                    m.noun,
                    if det { "" } else { "at least " },
                    a.date,
                    hct.describe(a.date)
                ),
                Some(a.date),
            )
        },
    ));
}

fn add_flags<T>(g: &mut Graded<T>, fl: &[Flag]) {
    match g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation.flags.extend_from_slice(fl),
    }
}

/// A maximum reached on a day with organs not assessed is still reached: the
/// criteria's `InsufficientData` becomes a value flagged `MISSING` naming them.
fn lower_bound_to_value<T: Clone + LowerBound>(
    g: &mut Graded<T>,
    date: Date,
    organs: &[OrganStatus; 4],
    histology: bool,
) {
    if let Graded::InsufficientData { explanation, .. } = g {
        let mut e = explanation.clone();
        e.flags.push(Flag::new(
            "MISSING",
            format!(
                "lower bound from the assessed organs on {date}; not assessed that day: {}",
                organs_missing(organs).join(", ")
            ),
        ));
        *g = Graded::Value {
            value: T::from_organs(date, organs, histology),
            explanation: e,
        };
    }
}

/// Builds a day result from the assessed organs only.
trait LowerBound {
    fn from_organs(date: Date, organs: &[OrganStatus; 4], histology: bool) -> Self;
}

impl LowerBound for KeystoneDay {
    fn from_organs(date: Date, organs: &[OrganStatus; 4], histology: bool) -> Self {
        let stages = lower_bound_keystone_stages(organs, histology);
        Self {
            date,
            stages,
            grade: keystone_rule(&stages).0,
        }
    }
}

impl LowerBound for IbmtrDay {
    fn from_organs(date: Date, organs: &[OrganStatus; 4], histology: bool) -> Self {
        let stages = lower_bound_keystone_stages(organs, histology);
        Self {
            date,
            stages,
            index: ibmtr_index(&stages),
        }
    }
}

/// Rule, version and citations of a system.
type System = (
    &'static str,
    &'static str,
    &'static [graftwatch_core::Citation],
);
const KEYSTONE: System = (
    "Keystone acute GVHD grade",
    graftwatch_criteria::agvhd::keystone::KEYSTONE_VERSION,
    &graftwatch_criteria::agvhd::keystone::KEYSTONE_CITATIONS,
);
const IBMTR: System = (
    "IBMTR acute GVHD severity index",
    graftwatch_criteria::agvhd::ibmtr::IBMTR_VERSION,
    &graftwatch_criteria::agvhd::ibmtr::IBMTR_CITATIONS,
);

fn zero(r: &AgvhdRun, sink: &mut Sink, name: &ItemKey, sys: System, first: &str) {
    let e = graftwatch_criteria::Explanation {
        rule: sys.0,
        version: sys.1,
        citations: sys.2.to_vec(),
        reason: format!(
            "no assessment day from {} to {} reached {first}",
            r.hct.date,
            r.fast
                .last()
                .map(|f| f.date.to_string())
                .unwrap_or_default()
        ),
        evidence: vec![],
        flags: r.flags.clone(),
    };
    let g: Graded<&str> = Graded::Value {
        value: "0",
        explanation: e,
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Agvhd,
        name,
        &g,
        Some(&r.hct),
        |_| ("0".into(), None),
    ));
}

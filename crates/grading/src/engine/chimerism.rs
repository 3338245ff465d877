//! Chimerism state per sampling date (lineage categories and the overall
//! state, E-5/E-6), on the timeline and as the latest state in the summary.

use graftwatch_core::Date;
use graftwatch_course::AnchorKind;
use graftwatch_criteria::chimerism_state::{
    ChimerismSample, OverallChimerism, OverallChimerismState, PersonShare, overall_chimerism,
    overall_value,
};

use super::Sink;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::{DayEntry, DayState, DayStatus, SummaryItem};

/// The state in clinical words (`full donor`, `split (myeloid full donor,
/// lymphoid mixed)`) and its level on the timeline.
fn state_label(s: &OverallChimerismState) -> (String, u8) {
    let level = match s {
        OverallChimerismState::FullDonor => 0,
        OverallChimerismState::Split { .. } => 1,
        OverallChimerismState::Mixed => 2,
        OverallChimerismState::LossOfDonor => 3,
    };
    (s.text(), level)
}

fn describe(v: &OverallChimerism) -> String {
    v.lineages
        .iter()
        .map(|l| {
            format!(
                "{} {}% donor",
                l.lineage.label(),
                graftwatch_criteria::chimerism_state::percent_text(l.donor_percent)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The day state of one date's overall chimerism (`Err`: what is missing).
fn day_state(v: &Result<OverallChimerism, Vec<String>>) -> DayState {
    let (status, grade, value, missing) = match v {
        Ok(value) => (
            DayStatus::Graded,
            Some(state_label(&value.state).0),
            serde_json::json!({
                "state": value.state.text(),
                "lineages": value.lineages.iter().map(|l| serde_json::json!({
                    "lineage": l.lineage.to_string(),
                    "donor_percent": l.donor_percent,
                    "category": l.category.text(),
                })).collect::<Vec<_>>(),
            }),
            vec![],
        ),
        Err(missing) => (
            DayStatus::InsufficientData,
            None,
            serde_json::Value::Null,
            missing.clone(),
        ),
    };
    DayState {
        criterion: Criterion::Chimerism,
        system: "overall",
        status,
        grade,
        value: (!value.is_null()).then_some(value),
        missing,
        valid_days: 0,
    }
}

/// The course's chimerism samples dated in `from ..= to`, as the criteria
/// take them.
pub(crate) fn criteria_samples(
    x: &CourseInputs,
    from: Date,
    to: Option<Date>,
) -> Vec<ChimerismSample> {
    x.chimerism
        .iter()
        .filter(|s| s.date >= from && to.is_none_or(|t| s.date <= t))
        .map(criteria_sample)
        .filter(|s| !s.shares.is_empty())
        .collect()
}

/// One sample as the criteria take it (the extraction keeps only shares
/// that are percentages, which a validated course's are).
fn criteria_sample(s: &crate::extract::ChimerismSample) -> ChimerismSample {
    ChimerismSample {
        date: s.date,
        lineage: s.lineage,
        shares: s
            .shares
            .iter()
            .map(|sh| PersonShare {
                person: sh.person.clone(),
                percent: sh.percent,
            })
            .collect(),
    }
}

/// The samples of one date.
fn samples_of(x: &CourseInputs, date: Date) -> Vec<ChimerismSample> {
    x.chimerism
        .iter()
        .filter(|s| s.date == date)
        .map(criteria_sample)
        .collect()
}

/// Runs the chimerism state for every sampling date.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    if x.chimerism.is_empty() {
        sink.not_applicable(
            Criterion::Chimerism,
            SummaryKey::ChimerismLatest,
            "Chimerism state",
            "no chimerism results in the course",
        );
        return;
    }
    let hct = x
        .anchors
        .iter()
        .find(|a| matches!(a.kind, AnchorKind::Transplant(_)))
        .copied();
    let mut dates: Vec<Date> = x.chimerism.iter().map(|s| s.date).collect();
    dates.dedup();
    let mut prev: Option<String> = None;
    // Each date's state needs only the values; the explanation is written
    // for the latest date, the one the summary reports.
    let mut last: Option<(Date, Vec<ChimerismSample>)> = None;
    for date in dates {
        let samples = samples_of(x, date);
        match overall_value(&samples, &cfg.chimerism) {
            Ok(v) => {
                sink.state(date, || day_state(&v));
                if let Ok(value) = &v {
                    let (label, level) = state_label(&value.state);
                    let changed = prev.as_deref() != Some(label.as_str());
                    if level > 0 || changed {
                        sink.day(
                            date,
                            DayEntry {
                                criterion: Criterion::Chimerism,
                                grade: label.clone(),
                                level,
                                changed,
                                reason: describe(value),
                            },
                        );
                    }
                    prev = Some(label);
                }
                last = Some((date, samples));
            }
            Err(e) => sink.skip(
                Criterion::Chimerism,
                format!("chimerism on {date} rejected: {e}"),
            ),
        }
    }
    let Some((date, samples)) = last else {
        return;
    };
    // The same samples passed `overall_value`, so this is `Ok`.
    if let Ok(g) = overall_chimerism(&samples, &cfg.chimerism) {
        sink.item(SummaryItem::from_graded(
            Criterion::Chimerism,
            SummaryKey::ChimerismLatest,
            &g,
            hct.as_ref(),
            |v| {
                (
                    format!("{} on {date}: {}", v.state.text(), describe(v)),
                    Some(date),
                )
            },
        ));
    }
}

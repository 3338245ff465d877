//! Chimerism state per sampling date (lineage categories and the overall
//! state, E-5/E-6), on the timeline and as the latest state in the summary.

use graftwatch_core::{Date, Percent};
use graftwatch_course::AnchorKind;
use graftwatch_criteria::Graded;
use graftwatch_criteria::chimerism_state::{
    ChimerismCategory, ChimerismSample, OverallChimerism, OverallChimerismState, PersonShare,
    overall_chimerism,
};

use super::Sink;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::{DayEntry, SummaryItem};

fn cat(c: ChimerismCategory) -> &'static str {
    match c {
        ChimerismCategory::FullDonor => "full_donor",
        ChimerismCategory::Mixed => "mixed",
        ChimerismCategory::LossOfDonor => "loss_of_donor",
    }
}

fn state_label(s: &OverallChimerismState) -> (String, u8) {
    match s {
        OverallChimerismState::FullDonor => ("full_donor".into(), 0),
        OverallChimerismState::Mixed => ("mixed".into(), 2),
        OverallChimerismState::LossOfDonor => ("loss_of_donor".into(), 3),
        OverallChimerismState::Split { myeloid, lymphoid } => (
            format!(
                "split (myeloid {}, lymphoid {})",
                cat(*myeloid),
                cat(*lymphoid)
            ),
            1,
        ),
    }
}

fn describe(v: &OverallChimerism) -> String {
    v.lineages
        .iter()
        .map(|l| format!("{} {:.1}% donor", l.lineage, l.donor_percent))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the chimerism state for every sampling date.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    if x.chimerism.is_empty() {
        sink.not_applicable(
            Criterion::Chimerism,
            "chimerism_latest",
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
    let mut last: Option<(Date, Graded<OverallChimerism>)> = None;
    for date in dates {
        let mut samples = Vec::new();
        for s in x.chimerism.iter().filter(|s| s.date == date) {
            let mut shares = Vec::new();
            for sh in &s.shares {
                match Percent::new(sh.percent) {
                    Ok(p) => shares.push(PersonShare {
                        person: sh.person.clone(),
                        percent: p,
                    }),
                    Err(e) => {
                        sink.skip(
                            Criterion::Chimerism,
                            format!("chimerism {} {} share {}: {e}", date, s.lineage, sh.person),
                        );
                    }
                }
            }
            samples.push(ChimerismSample {
                date,
                lineage: s.lineage,
                shares,
            });
        }
        match overall_chimerism(&samples, &cfg.chimerism) {
            Ok(g) => {
                if let Graded::Value { value, .. } = &g {
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
                last = Some((date, g));
            }
            Err(e) => sink.skip(
                Criterion::Chimerism,
                format!("chimerism on {date} rejected: {e}"),
            ),
        }
    }
    if let Some((date, g)) = last {
        sink.item(SummaryItem::from_graded(
            Criterion::Chimerism,
            "chimerism_latest",
            &g,
            hct.as_ref(),
            |v| {
                (
                    format!("{} on {date}: {}", state_label(&v.state).0, describe(v)),
                    Some(date),
                )
            },
        ));
    }
}

//! Transplant risk scores at the first transplant: ELN 2022 genetic risk at
//! diagnosis (AML), HCT-CI and HCT-CI/age ([`hctci`]), the refined DRI
//! ([`dri`]) and the EBMT score ([`ebmt`]), the last two from the disease
//! status at HCT derived from the course history ([`status`]).

mod dri;
mod ebmt;
mod hctci;
mod status;

use graftwatch_core::{Citation, Date};
use graftwatch_course::{Course, Disease, Observation, ObservationKind};
use graftwatch_criteria::eln_risk::eln_genetic_risk;
use graftwatch_criteria::{Explanation, Flag, Graded};

use super::Sink;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

/// (date, value) of the latest observation of `kind` in `from..=to` among
/// `obs` (the course's observations, or a part of them holding every one
/// dated in the window: see [`observations_between`]).
fn latest(
    obs: &[Observation],
    kind: ObservationKind,
    from: Date,
    to: Date,
) -> Option<(Date, f64)> {
    obs.iter()
        .filter(|o| o.kind == kind && o.date >= from && o.date <= to)
        .filter_map(|o| o.number().map(|v| (o.date, v)))
        .max_by_key(|p| p.0)
}

/// The observations dated `from..=to` when the course keeps them in date
/// order (as read from a file), else all of them: several look-ups in one
/// window then cost one pass over the course, not one pass each.
fn observations_between(course: &Course, from: Date, to: Date) -> &[Observation] {
    let obs = &course.observations[..];
    if !obs.is_sorted_by_key(|o| o.date) {
        return obs;
    }
    let start = obs.partition_point(|o| o.date < from);
    let end = obs.partition_point(|o| o.date <= to);
    &obs[start..end.max(start)]
}

fn add_flags<T>(g: &mut Graded<T>, f: Vec<Flag>) {
    match g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation.flags.extend(f),
    }
}

/// Reports `item` as insufficient data, naming what is missing.
fn insufficient(
    sink: &mut Sink,
    item: &str,
    rule: &'static str,
    citation: Citation,
    missing: Vec<String>,
    reason: &str,
) {
    let g: Graded<()> = Graded::InsufficientData {
        missing,
        explanation: Explanation {
            rule,
            version: "graftwatch engine",
            citations: vec![citation],
            reason: reason.to_string(),
            evidence: vec![],
            flags: vec![],
        },
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Risk,
        item,
        &g,
        None,
        |_| (String::new(), None),
    ));
}

/// ELN 2022 genetic risk at diagnosis (AML only).
fn eln_genetics(x: &CourseInputs, sink: &mut Sink) {
    let dx = &x.risk.diagnosis;
    if dx.disease != Disease::Aml {
        sink.not_applicable(
            Criterion::Risk,
            "eln_genetic_risk",
            "ELN 2022 genetic risk",
            "ELN 2022 genetic risk applies to AML only",
        );
        return;
    }
    let (genetics, gflags) = super::genetics::to_genetics(dx);
    match eln_genetic_risk(&genetics) {
        Ok(mut g) => {
            add_flags(&mut g, gflags);
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                "eln_genetic_risk",
                &g,
                None,
                |v| {
                    (
                        format!("{} (ELN 2022, at diagnosis {})", v.label(), dx.date),
                        Some(dx.date),
                    )
                },
            ));
        }
        Err(e) => sink.skip(Criterion::Risk, format!("diagnosis genetics rejected: {e}")),
    }
}

/// Runs the risk scores.
pub(crate) fn run(course: &Course, x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    eln_genetics(x, sink);
    let Some(t) = x
        .transplants
        .iter()
        .find(|t| t.number == 1)
        .or(x.transplants.first())
    else {
        for (item, rule) in [
            ("hct_ci", "HCT-CI"),
            ("refined_dri", "Refined Disease Risk Index"),
            ("ebmt_score", "EBMT risk score"),
        ] {
            sink.not_applicable(
                Criterion::Risk,
                item,
                rule,
                "no allogeneic transplant in the course",
            );
        }
        return;
    };
    hctci::run(course, x, cfg, t, sink);
    let status = status::status_at_hct(course, x, cfg, t.day0);
    dri::run(x, cfg, t, &status, sink);
    ebmt::run(course, x, cfg, t, &status, sink);
}

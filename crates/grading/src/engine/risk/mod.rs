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
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

/// (date, value) of the latest observation of `kind` in `from..=to` among
/// `obs` (the course's observations, or a part of them holding every one
/// dated in the window: see [`observations_between`]); of several on that
/// date, the last. When `obs` is in date order (`in_order`) that is the
/// first one found from the end.
fn latest(
    obs: &[Observation],
    in_order: bool,
    kind: ObservationKind,
    from: Date,
    to: Date,
) -> Option<(Date, f64)> {
    let mut found = obs
        .iter()
        .rev()
        .filter(|o| o.kind == kind && o.date >= from && o.date <= to)
        .filter_map(|o| o.number().map(|v| (o.date, v)));
    if in_order {
        return found.next();
    }
    // The last of the latest: the first of them from the end.
    found.fold(None, |best: Option<(Date, f64)>, p| match best {
        Some(b) if b.0 >= p.0 => Some(b),
        _ => Some(p),
    })
}

/// The observations dated `from..=to` when the course keeps them in date
/// order (as read from a file; `in_order`, found by the extraction's pass),
/// else all of them: several look-ups in one window then cost a binary
/// search, not one pass over the course each.
fn observations_between(course: &Course, in_order: bool, from: Date, to: Date) -> &[Observation] {
    let obs = &course.observations[..];
    if !in_order {
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
    item: SummaryKey,
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
            SummaryKey::ElnGeneticRisk,
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
                SummaryKey::ElnGeneticRisk,
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
            (SummaryKey::HctCi, "HCT-CI"),
            (SummaryKey::RefinedDri, "Refined Disease Risk Index"),
            (SummaryKey::EbmtScore, "EBMT risk score"),
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

#[cfg(test)]
mod window_tests {
    use graftwatch_core::{Analyte, Date};
    use graftwatch_course::{Observation, ObservationKind};

    use super::{latest, observations_between};

    fn course_with(obs: Vec<Observation>) -> graftwatch_course::Course {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/seed-case/course.json"),
        )
        .expect("seed case");
        let mut c = graftwatch_course::io::read_json_str(&text, std::path::Path::new("seed.json"))
            .expect("seed case valid")
            .course;
        c.observations = obs;
        c
    }

    /// The window of a date-ordered course holds every observation a
    /// look-up can find, on both sides of its ends; an unordered course is
    /// searched whole. Either way the answer is the full scan's.
    #[test]
    fn window_lookups_equal_the_full_scan() {
        let d = |s: &str| -> Date { s.parse().expect("date") };
        let crea = ObservationKind::Lab(Analyte::Creatinine);
        let mut obs: Vec<Observation> = [
            ("2024-01-01", 1.0),
            ("2024-01-09", 2.0),
            ("2024-01-10", 3.0),
            ("2024-01-10", 4.0),
            ("2024-03-01", 5.0),
            ("2024-03-02", 6.0),
        ]
        .into_iter()
        .map(|(s, v)| Observation::lab(d(s), Analyte::Creatinine, v))
        .collect();
        obs.push(Observation::lab(d("2024-02-01"), Analyte::Anc, 1.0));
        obs.sort_by_key(|o| o.date);
        let sorted = course_with(obs.clone());
        obs.reverse();
        let unsorted = course_with(obs);
        for (from, to) in [
            ("2024-01-10", "2024-03-01"),
            ("2024-01-10", "2024-01-10"),
            ("2024-01-11", "2024-02-29"),
            ("2023-01-01", "2024-01-09"),
            ("2024-03-02", "2025-01-01"),
            ("2024-03-03", "2025-01-01"),
            ("2024-02-01", "2024-01-01"),
        ] {
            let (from, to) = (d(from), d(to));
            for c in [&sorted, &unsorted] {
                // The full scan: the last of the latest.
                let all = c
                    .observations
                    .iter()
                    .filter(|o| o.kind == crea && o.date >= from && o.date <= to)
                    .filter_map(|o| o.number().map(|v| (o.date, v)))
                    .max_by_key(|p| p.0);
                let in_order = c.observations.is_sorted_by_key(|o| o.date);
                let win = latest(
                    observations_between(c, in_order, from, to),
                    in_order,
                    crea,
                    from,
                    to,
                );
                assert_eq!(win, all, "{from}..{to}");
                assert_eq!(latest(&c.observations, false, crea, from, to), all);
            }
        }
        assert_eq!(
            observations_between(&sorted, true, d("2024-01-10"), d("2024-01-10")).len(),
            2
        );
        assert_eq!(
            latest(
                observations_between(&sorted, true, d("2024-01-10"), d("2024-03-01")),
                true,
                crea,
                d("2024-01-10"),
                d("2024-03-01")
            ),
            Some((d("2024-03-01"), 5.0))
        );
    }
}

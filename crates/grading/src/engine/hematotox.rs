//! CAR-HEMATOTOX at baseline before each CAR-T infusion: each variable is
//! the latest value on or before lymphodepletion (or, without one, the day
//! before the infusion), at most `hematotox_window_days` earlier.

use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail};
use graftwatch_criteria::hematotox::{HematotoxInput, car_hematotox};

use super::Sink;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, DailySeries};
use crate::output::SummaryItem;

fn latest(s: &DailySeries, from: Date, to: Date) -> Option<(Date, f64)> {
    s.between(from, to).last().map(|d| (d.date, d.value))
}

/// Runs CAR-HEMATOTOX for every CAR-T infusion.
pub(crate) fn run(course: &Course, x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let carts: Vec<_> = x.cart_anchors().copied().collect();
    if carts.is_empty() {
        sink.not_applicable(
            Criterion::Hematotox,
            SummaryKey::CarHematotox,
            "CAR-HEMATOTOX",
            "no CAR-T infusion in the course",
        );
        return;
    }
    for (i, a) in carts.iter().enumerate() {
        let suffix = super::cart_suffix(i, a);
        let prev_cart = if i > 0 { Some(carts[i - 1].date) } else { None };
        let ld = lymphodepletion_before(course, a.date, prev_cart);
        let baseline = ld.unwrap_or(a.date.add_days(-1));
        let from = baseline.add_days(-cfg.engine.hematotox_window_days);
        let input = baseline_input(x, from, baseline);
        let date = input.date;
        match car_hematotox(&input) {
            Ok(mut g) => {
                let note = format!(
                    "baseline = latest value from {from} to {baseline} ({})",
                    if ld.is_some() {
                        "start of lymphodepletion"
                    } else {
                        "no lymphodepletion recorded: day before infusion"
                    }
                );
                if let graftwatch_criteria::Graded::InsufficientData { missing, .. } = &mut g {
                    *missing = window_missing(x, missing, from, baseline);
                }
                match &mut g {
                    graftwatch_criteria::Graded::Value { explanation, .. }
                    | graftwatch_criteria::Graded::InsufficientData { explanation, .. }
                    | graftwatch_criteria::Graded::NotApplicable { explanation, .. } => explanation
                        .flags
                        .push(graftwatch_criteria::Flag::new("GW-BASELINE", note)),
                }
                sink.item(SummaryItem::from_graded(
                    Criterion::Hematotox,
                    SummaryKey::CarHematotox.with(&suffix),
                    &g,
                    Some(a),
                    |v| {
                        (
                            format!(
                                "score {} ({} risk)",
                                v.score,
                                graftwatch_criteria::explain::words(&v.risk)
                            ),
                            date,
                        )
                    },
                ))
            }
            Err(e) => sink.skip(
                Criterion::Hematotox,
                format!("baseline values rejected: {e}"),
            ),
        }
    }
}

/// Start of the latest lymphodepletion on or before the infusion on
/// `infusion` and after the previous CAR-T infusion (`prev_cart`), if any.
fn lymphodepletion_before(
    course: &Course,
    infusion: Date,
    prev_cart: Option<Date>,
) -> Option<Date> {
    course
        .events
        .iter()
        .filter(|e| {
            matches!(e.detail, EventDetail::Lymphodepletion { .. })
                && e.date <= infusion
                && prev_cart.is_none_or(|p| e.date > p)
        })
        .map(|e| e.date)
        .next_back()
}

/// The missing baseline variables named with the window they were looked
/// for in, and, when an older value exists, its date: "ANC from 2024-04-16
/// to 2024-04-30 (latest 2024-04-15, before the window)".
fn window_missing(x: &CourseInputs, missing: &[String], from: Date, baseline: Date) -> Vec<String> {
    let series = [
        ("ANC", &x.counts.anc),
        ("haemoglobin", &x.counts.hemoglobin),
        ("platelets", &x.counts.platelets),
        ("CRP", &x.counts.crp),
        ("ferritin", &x.counts.ferritin),
    ];
    missing
        .iter()
        .map(|m| {
            let Some((name, s)) = series.iter().find(|(n, _)| m.starts_with(&format!("{n} ")))
            else {
                return m.clone();
            };
            let older = s.days.iter().rfind(|d| d.date < from).map(|d| d.date);
            match older {
                Some(d) => {
                    format!("{name} from {from} to {baseline} (latest {d}, before the window)")
                }
                None => format!("{name} from {from} to {baseline} (none recorded before)"),
            }
        })
        .collect()
}

/// The baseline values: each variable's latest value from `from` to
/// `baseline`; the input is dated by the latest of them.
fn baseline_input(x: &CourseInputs, from: Date, baseline: Date) -> HematotoxInput {
    let anc = latest(&x.counts.anc, from, baseline);
    let hb = latest(&x.counts.hemoglobin, from, baseline);
    let plt = latest(&x.counts.platelets, from, baseline);
    let crp = latest(&x.counts.crp, from, baseline);
    let fer = latest(&x.counts.ferritin, from, baseline);
    HematotoxInput {
        date: [anc, hb, plt, crp, fer].iter().flatten().map(|p| p.0).max(),
        anc: anc.map(|p| p.1),
        hemoglobin: hb.map(|p| p.1),
        platelets: plt.map(|p| p.1),
        crp: crp.map(|p| p.1),
        ferritin: fer.map(|p| p.1),
    }
}

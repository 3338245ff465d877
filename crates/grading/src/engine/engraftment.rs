//! Neutrophil and platelet engraftment and primary / secondary graft
//! failure after each transplant (CIBMTR / ASTCT; E-1 … E-8).

use graftwatch_core::Date;
use graftwatch_course::{Anchor, AnchorKind, DrugClass, GraftSource};
use graftwatch_criteria::engraftment::{Engraftment, neutrophil_engraftment, platelet_engraftment};
use graftwatch_criteria::graft_failure::{
    GraftComponent, GraftSourceKind, SecondaryFailureInput, primary_graft_failure_censored,
    secondary_graft_failure,
};
use graftwatch_criteria::series::DatedValue;
use graftwatch_criteria::{Flag, Graded};

use super::{Sink, dated};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

fn engraft_text(
    e: &Engraftment,
    anchor: &graftwatch_course::Anchor,
    death_day: Option<i32>,
) -> (String, Option<Date>) {
    match (e.engrafted, death_day) {
        (Some(on), _) => (format!("day {:+} ({})", on.day, on.date), Some(on.date)),
        (None, Some(dd)) => (
            format!(
                "{} (last value {} on {})",
                graftwatch_criteria::graft_failure::death_before_engraftment(dd),
                e.last_value.value,
                anchor.describe(e.last_value.date)
            ),
            None,
        ),
        (None, None) => (
            format!(
                "not reached (last value {} on {})",
                e.last_value.value,
                anchor.describe(e.last_value.date)
            ),
            None,
        ),
    }
}

/// The day of death after this transplant's day 0, when the death falls in
/// its window (on or after day 0, before the next transplant).
fn death_day(x: &CourseInputs, t: &Tx<'_>) -> Option<i32> {
    let d = x.death.as_ref()?.date;
    (d >= t.hct.date && t.end.is_none_or(|e| d <= e)).then(|| d.days_since(t.hct.date).get())
}

fn add_flag<T>(g: &mut Graded<T>, f: Flag) {
    match g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation.flags.push(f),
    }
}

/// One transplant's count window and suffix.
struct Tx<'a> {
    hct: &'a Anchor,
    end: Option<Date>,
    suffix: String,
    anc: Vec<DatedValue>,
    plt: Vec<DatedValue>,
}

/// One transplant's window with its neutrophil and platelet (20 ×10⁹/L)
/// engraftment.
struct Engrafted<'a> {
    t: Tx<'a>,
    neut: Graded<Engraftment>,
    p20: Result<Graded<Engraftment>, graftwatch_criteria::series::ValueError>,
}

/// Runs engraftment (and, when selected, graft failure) for every transplant.
pub(crate) fn run(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
    engraftment: bool,
    failure: bool,
) {
    let hcts = super::agvhd_run::transplants(x);
    if hcts.is_empty() {
        if engraftment {
            sink.not_applicable(
                Criterion::Engraftment,
                SummaryKey::NeutrophilEngraftment,
                "Neutrophil engraftment",
                "no allogeneic transplant in the course",
            );
        }
        if failure {
            sink.not_applicable(
                Criterion::GraftFailure,
                SummaryKey::PrimaryGraftFailure,
                "Primary graft failure",
                "no allogeneic transplant in the course",
            );
        }
        return;
    }
    // Values from day 0 to the day before the next transplant.
    for (hct, end, suffix) in super::agvhd_run::windows(&hcts) {
        let window = |s: &crate::extract::DailySeries| -> Vec<DatedValue> {
            s.days
                .iter()
                .filter(|d| d.date >= hct.date && end.is_none_or(|e| d.date <= e))
                .map(dated)
                .collect()
        };
        let t = Tx {
            hct,
            end,
            suffix,
            anc: window(&x.counts.anc),
            plt: window(&x.counts.platelets),
        };
        let Some(neut) = neutrophils(x, cfg, sink, &t) else {
            continue;
        };
        let p20 = platelet_engraftment(
            hct.date,
            &t.plt,
            &x.transfusions.platelets,
            20.0,
            &cfg.engraftment,
        );
        let e = Engrafted { t, neut, p20 };
        if engraftment {
            engraftment_items(x, cfg, sink, &e);
        }
        if failure {
            failure_items(x, cfg, sink, &e);
        }
    }
}

/// Neutrophil engraftment with the E-9 and E-3 flags.
fn neutrophils(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
    t: &Tx<'_>,
) -> Option<Graded<Engraftment>> {
    let (hct, end, anc) = (t.hct, t.end, &t.anc);
    let auto_05 = x
        .counts
        .anc
        .days
        .iter()
        .filter(|d| d.date >= hct.date && end.is_none_or(|e| d.date <= e))
        .find(|d| d.automated && (d.value - 0.5).abs() < 1e-9);
    match neutrophil_engraftment(hct.date, anc, &cfg.engraftment) {
        Ok(mut g) => {
            if let Some(a) = auto_05 {
                add_flag(
                    &mut g,
                    Flag::new(
                        "E-9",
                        format!(
                            "ANC exactly 0.5 on {} from an automated count without a manual differential counted as ≥ 0.5 (engine decision 9)",
                            a.date
                        ),
                    ),
                );
            }
            // G-CSF during the count (E-3): up to the last of the qualifying
            // values when engrafted, else to the end of this transplant's
            // follow-up; G-CSF given later (e.g. for a later decline) is
            // not about this engraftment.
            let until = end.unwrap_or_else(|| x.span.map_or(hct.date, |s| s.1));
            let until =
                match g.value().and_then(|v| v.engrafted) {
                    Some(e) => until.min(e.date.add_days(
                        i32::try_from(cfg.engraftment.consecutive_values).unwrap_or(3) - 1,
                    )),
                    None => until,
                };
            let gcsf = x.drugs.gcsf_days(hct.date, until);
            if !gcsf.is_empty() {
                add_flag(
                    &mut g,
                    Flag::new(
                        "E-3",
                        format!(
                            "G-CSF given on {} from {} (engraftment stands; exposure recorded)",
                            graftwatch_core::number::counted(gcsf.len(), "day"),
                            gcsf[0]
                        ),
                    ),
                );
            }
            Some(g)
        }
        Err(e) => {
            sink.skip(Criterion::Engraftment, format!("ANC series rejected: {e}"));
            None
        }
    }
}

fn engraftment_items(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink, e: &Engrafted) {
    let t = &e.t;
    let (hct, suffix, plt, plt_dates) =
        (t.hct, t.suffix.as_str(), &t.plt, &x.transfusions.platelets);
    sink.item(SummaryItem::from_graded(
        Criterion::Engraftment,
        SummaryKey::NeutrophilEngraftment.with(suffix),
        &e.neut,
        Some(hct),
        |v| engraft_text(v, hct, death_day(x, t)),
    ));
    sink.graded(
        Criterion::Engraftment,
        SummaryKey::PlateletEngraftment20.with(suffix),
        e.p20.as_ref(),
        Some(hct),
        "platelet series",
        |v| engraft_text(v, hct, None),
    );
    if cfg.engine.platelet_50_threshold > 0.0 {
        sink.graded(
            Criterion::Engraftment,
            SummaryKey::PlateletEngraftment50.with(suffix),
            platelet_engraftment(
                hct.date,
                plt,
                plt_dates,
                cfg.engine.platelet_50_threshold,
                &cfg.engraftment,
            ),
            Some(hct),
            "platelet series",
            |v| engraft_text(v, hct, None),
        );
    }
}

fn failure_items(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink, e: &Engrafted) {
    let (t, neut) = (&e.t, &e.neut);
    let (hct, end, suffix) = (t.hct, t.end, t.suffix.as_str());
    let n = match hct.kind {
        AnchorKind::Transplant(n) => n,
        _ => 1,
    };
    let components: Vec<GraftComponent> = x
        .transplants
        .iter()
        .filter(|t| t.number == n)
        .flat_map(|t| t.grafts.iter())
        .map(|g| GraftComponent {
            donor: g.donor.clone(),
            source: match g.source {
                GraftSource::Ucb => GraftSourceKind::Ucb,
                GraftSource::Pbsc => GraftSourceKind::Pbsc,
                GraftSource::BoneMarrow => GraftSourceKind::BoneMarrow,
            },
        })
        .collect();
    let w = super::graft_function::Window { hct, end, suffix };
    super::graft_function::rejection_item(x, &w, neut, sink);
    super::graft_function::source_item(x, &w, n, neut, sink);
    let pgf = primary_graft_failure_censored(&components, neut, death_day(x, &e.t));
    if let Some(v) = pgf.value()
        && v.primary_graft_failure
        && v.neutrophil_engraftment.is_none()
    {
        sink.primary_graft_failures
            .push((suffix.to_string(), v.deadline_day));
    }
    sink.item(SummaryItem::from_graded(
        Criterion::GraftFailure,
        SummaryKey::PrimaryGraftFailure.with(suffix),
        &pgf,
        Some(hct),
        |v| {
            let s = if v.primary_graft_failure {
                format!(
                    "primary graft failure (no ANC ≥ 0.5 by day +{})",
                    v.deadline_day
                )
            } else if let Some(b) = v.early_bridge_engraftment {
                format!(
                    "no primary graft failure (deadline day +{}); early bridge engraftment on day {:+} ({})",
                    v.deadline_day, b.day, b.date
                )
            } else {
                format!(
                    "no primary graft failure (deadline day +{})",
                    v.deadline_day
                )
            };
            (s, v.neutrophil_engraftment.map(|e| e.date))
        },
    ));
    if let Ok(p20) = &e.p20 {
        secondary_item(x, cfg, sink, e, p20);
    }
}

/// Secondary graft failure after neutrophil and platelet recovery.
fn secondary_item(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
    e: &Engrafted,
    p20: &Graded<Engraftment>,
) {
    let t = &e.t;
    let (hct, end, suffix, anc, plt) = (t.hct, t.end, t.suffix.as_str(), &t.anc, &t.plt);
    let last = end.unwrap_or_else(|| x.span.map_or(hct.date, |s| s.1));
    let mut support: Vec<Date> = x
        .transfusions
        .platelets
        .iter()
        .chain(x.transfusions.rbc.iter())
        .copied()
        .filter(|d| *d >= hct.date && *d <= last)
        .collect();
    let mut d = hct.date;
    while d <= last {
        if x.drugs.any_on(DrugClass::GCsf, d) {
            support.push(d);
        }
        d = d.add_days(1);
    }
    support.sort();
    support.dedup();
    let input = SecondaryFailureInput {
        day0: hct.date,
        neutrophils: &e.neut,
        platelets_engraftment: p20,
        anc,
        platelets: plt,
        support: &support,
    };
    sink.graded(
        Criterion::GraftFailure,
        SummaryKey::SecondaryGraftFailure.with(suffix),
        secondary_graft_failure(&input, &cfg.secondary_graft_failure),
        Some(hct),
        "secondary graft failure inputs",
        |v| {
            let s = if v.secondary_graft_failure {
                format!(
                    "secondary graft failure (decline from day {:+})",
                    v.decline_from_day.unwrap_or_default()
                )
            } else {
                format!(
                    "no secondary graft failure after recovery on day {:+}",
                    v.recovered_on.day
                )
            };
            (s, Some(v.recovered_on.date))
        },
    );
}

//! Graft function beyond engraftment, per transplant (item suffix `_hct2`
//! … for later ones):
//!
//! * `graft_rejection`: primary graft rejection / autologous reconstitution
//!   and secondary loss of donor chimerism (E-8), from neutrophil recovery
//!   and the myeloid-informative chimerism samples of the transplant.
//! * `poor_graft_function`: the configurable quantitative variant after
//!   day +28, with the qualifiers taken from the course (hypocellular marrow
//!   = cellularity < `engine.hypocellular_below_percent`; full donor
//!   chimerism from the latest myeloid-informative sample; severe GVHD =
//!   a MAGIC grade III–IV day; relapse = an ELN haematological relapse
//!   criterion after day 0).
//! * `graft_source_engraftment` (dual grafts only): which graft engrafted and
//!   when: the donor dominating the myeloid-informative samples, from which
//!   date, with every graft's latest share.

use graftwatch_core::{Date, DonorId, Percent, PersonRef};
use graftwatch_course::Anchor;
use graftwatch_criteria::chimerism_state::{ChimerismSample, dominant_graft, percent_text};
use graftwatch_criteria::engraftment::Engraftment;
use graftwatch_criteria::graft_failure::{GRAFT_FAILURE_VERSION, KHARFAN_DABAJA_2021_CITATION};
use graftwatch_criteria::graft_rejection::{RejectionStatus, graft_rejection, is_informative};
use graftwatch_criteria::poor_graft_function::{PoorGraftFunctionInput, poor_graft_function};
use graftwatch_criteria::series::DatedValue;
use graftwatch_criteria::{Evidence, Explanation, Flag, Graded};
use serde::Serialize;

use super::{Sink, dated};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

/// One transplant's window: day 0 to the day before the next transplant.
pub(crate) struct Window<'a> {
    pub hct: &'a Anchor,
    pub end: Option<Date>,
    pub suffix: &'a str,
}

impl Window<'_> {
    fn inside(&self, d: Date) -> bool {
        d >= self.hct.date && self.end.is_none_or(|e| d <= e)
    }
    fn series(&self, s: &crate::extract::DailySeries) -> Vec<DatedValue> {
        s.days
            .iter()
            .filter(|d| self.inside(d.date))
            .map(dated)
            .collect()
    }
}

/// Graft rejection / autologous reconstitution for one transplant.
pub(crate) fn rejection_item(
    x: &CourseInputs,
    w: &Window<'_>,
    neut: &Graded<Engraftment>,
    sink: &mut Sink,
) {
    let samples = super::chimerism::criteria_samples(x, w.hct.date, w.end);
    if samples.is_empty() {
        return;
    }
    match graft_rejection(neut, &samples) {
        Ok(g) => sink.item(SummaryItem::from_graded(
            Criterion::GraftFailure,
            SummaryKey::GraftRejection.with(w.suffix),
            &g,
            Some(w.hct),
            |v: &RejectionStatus| (v.text().to_string(), None),
        )),
        Err(e) => sink.skip(
            Criterion::GraftFailure,
            format!("chimerism for graft rejection rejected: {e}"),
        ),
    }
}

/// Per-graft result of a dual graft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraftShare {
    /// Donor or cord unit.
    pub donor: DonorId,
    /// Graft source (`UCB`, `PBSC`, `BM`).
    pub source: &'static str,
    /// Share in the latest myeloid-informative sample, %.
    pub latest_percent: Option<Percent>,
    /// First date this graft dominated the myeloid-informative samples.
    pub dominant_from: Option<Date>,
}

/// Which graft of a dual graft engrafted, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraftSourceEngraftment {
    /// The graft dominating the latest myeloid-informative sample.
    pub engrafted_donor: Option<DonorId>,
    /// Its source.
    pub engrafted_source: Option<&'static str>,
    /// Since when it dominates without interruption.
    pub dominant_since: Option<Date>,
    /// Neutrophil engraftment date of the transplant.
    pub neutrophil_engraftment: Option<Date>,
    /// Every graft.
    pub grafts: Vec<GraftShare>,
}

fn donor_share(s: &ChimerismSample, d: &DonorId) -> Option<Percent> {
    s.shares.iter().find_map(|p| match &p.person {
        PersonRef::Donor(x) if x == d => Some(p.percent),
        _ => None,
    })
}

/// Which graft of a dual graft engrafted (only for transplants with more
/// than one graft donor).
pub(crate) fn source_item(
    x: &CourseInputs,
    w: &Window<'_>,
    n: u32,
    neut: &Graded<Engraftment>,
    sink: &mut Sink,
) {
    let Some(t) = x.transplants.iter().find(|t| t.number == n) else {
        return;
    };
    let mut donors: Vec<(DonorId, &'static str)> = Vec::new();
    for g in &t.grafts {
        if !donors.iter().any(|(d, _)| *d == g.donor) {
            donors.push((g.donor.clone(), g.source.label()));
        }
    }
    if donors.len() < 2 {
        return;
    }
    let mut samples: Vec<ChimerismSample> =
        super::chimerism::criteria_samples(x, w.hct.date, w.end)
            .into_iter()
            .filter(|s| is_informative(s.lineage))
            .collect();
    samples.sort_by_key(|s| s.date);
    let dom: Vec<(Date, Option<DonorId>)> = samples
        .iter()
        .map(|s| (s.date, dominant_graft(s).map(|d| d.donor)))
        .collect();
    let engrafted = dom.last().and_then(|(_, d)| d.clone());
    let since = engrafted.as_ref().and_then(|e| {
        let k = dom.iter().rposition(|(_, d)| d.as_ref() != Some(e));
        dom.get(k.map_or(0, |k| k + 1)).map(|(d, _)| *d)
    });
    let grafts: Vec<GraftShare> = donors
        .iter()
        .map(|(d, src)| GraftShare {
            donor: d.clone(),
            source: src,
            latest_percent: samples.iter().rev().find_map(|s| donor_share(s, d)),
            dominant_from: dom
                .iter()
                .find(|(_, x)| x.as_ref() == Some(d))
                .map(|(date, _)| *date),
        })
        .collect();
    let value = GraftSourceEngraftment {
        engrafted_source: engrafted
            .as_ref()
            .and_then(|e| donors.iter().find(|(d, _)| d == e).map(|(_, s)| *s)),
        engrafted_donor: engrafted,
        dominant_since: since,
        neutrophil_engraftment: neut.value().and_then(|e| e.engrafted.map(|o| o.date)),
        grafts,
    };
    emit_source(w, samples.last().map(|s| s.date), value, sink);
}

fn emit_source(w: &Window<'_>, last: Option<Date>, value: GraftSourceEngraftment, sink: &mut Sink) {
    let mut ex = Explanation {
        rule: "Dual graft: engrafting graft",
        version: GRAFT_FAILURE_VERSION,
        citations: vec![KHARFAN_DABAJA_2021_CITATION],
        reason: String::new(),
        evidence: value
            .grafts
            .iter()
            .filter_map(|g| {
                g.latest_percent.map(|p| {
                    Evidence::value(
                        last,
                        format!("chimerism_{}", g.donor),
                        p,
                        Some(graftwatch_core::Unit::Percent),
                        format!(
                            "{} ({}) share in the latest myeloid-informative sample",
                            g.donor, g.source
                        ),
                    )
                })
            })
            .collect(),
        flags: vec![Flag::new(
            "GF-combined",
            "the engrafting graft is the donor with the largest share of the myeloid-informative (myeloid, CD34, unsorted blood, marrow) chimerism samples",
        )],
    };
    let g = match (&value.engrafted_donor, value.engrafted_source) {
        (Some(d), Some(src)) => {
            ex.reason = format!(
                "{d} ({src}) dominates the myeloid-informative chimerism since {}",
                value
                    .dominant_since
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            );
            Graded::Value {
                value,
                explanation: ex,
            }
        }
        _ => {
            ex.reason = "no myeloid-informative sample names the graft donors apart".into();
            Graded::InsufficientData {
                missing: vec![
                    "a myeloid-informative chimerism sample with a share per graft donor".into(),
                ],
                explanation: ex,
            }
        }
    };
    sink.item(SummaryItem::from_graded(
        Criterion::GraftFailure,
        SummaryKey::GraftSourceEngraftment.with(w.suffix),
        &g,
        Some(w.hct),
        |v| (source_text(v), v.dominant_since),
    ));
}

fn source_text(v: &GraftSourceEngraftment) -> String {
    let shares: Vec<String> = v
        .grafts
        .iter()
        .map(|g| {
            format!(
                "{} {} {}",
                g.source,
                g.donor,
                g.latest_percent
                    .map_or("not measured".into(), |p| format!("{} %", percent_text(p)))
            )
        })
        .collect();
    format!(
        "{} graft {} engrafted (dominant since {}; neutrophils {}); latest: {}",
        v.engrafted_source.unwrap_or(""),
        v.engrafted_donor
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        v.dominant_since.map(|d| d.to_string()).unwrap_or_default(),
        v.neutrophil_engraftment
            .map_or("not engrafted".into(), |d| d.to_string()),
        shares.join(", ")
    )
}

/// The poor-graft-function qualifiers from the course.
fn qualifiers(
    x: &CourseInputs,
    w: &Window<'_>,
    cfg: &crate::GradingConfig,
    severe_gvhd: Option<bool>,
) -> (Option<bool>, Option<bool>, Option<bool>) {
    let from = w.hct.date.add_days(cfg.poor_graft_function.after_day);
    let hypo = x
        .marrow
        .iter()
        .filter(|m| w.inside(m.date) && m.date > from)
        .rev()
        .find_map(|m| m.cellularity_percent)
        .map(|c| c < cfg.engine.hypocellular_below_percent);
    let full = super::chimerism::criteria_samples(x, from, w.end)
        .into_iter()
        .filter(|s| is_informative(s.lineage))
        .max_by_key(|s| s.date)
        .and_then(|s| {
            graftwatch_criteria::chimerism_state::lineage_chimerism(&s, &cfg.chimerism).ok()
        })
        .and_then(|g| {
            g.value().map(|v| {
                v.category == graftwatch_criteria::chimerism_state::ChimerismCategory::FullDonor
            })
        });
    let relapse = super::eln_course::any_relapse_after(x, w.hct.date, w.end);
    let bad = match (severe_gvhd, relapse) {
        (Some(true), _) | (_, true) => Some(true),
        (Some(false), false) => Some(false),
        (None, false) => None,
    };
    (hypo, full, bad)
}

/// Poor graft function for one transplant; `severe_gvhd` is whether a MAGIC
/// grade III–IV day was graded in the window (`None` when acute GVHD was not
/// graded).
pub(crate) fn pgf_item(
    x: &CourseInputs,
    w: &Window<'_>,
    cfg: &crate::GradingConfig,
    severe_gvhd: Option<bool>,
    sink: &mut Sink,
) {
    // Poor graft function presupposes engraftment: after a primary graft
    // failure (no engraftment at all) it does not apply, whatever its
    // qualifiers would say.
    if let Some((_, deadline)) = sink
        .primary_graft_failures
        .iter()
        .find(|(s, _)| s == w.suffix)
    {
        let on = w.hct.date.add_days(*deadline);
        sink.not_applicable(
            Criterion::GraftFailure,
            SummaryKey::PoorGraftFunction.with(w.suffix),
            "Poor graft function",
            &format!(
                "primary graft failure is met (no ANC ≥ 0.5 ×10⁹/L by day +{deadline}, {on}); poor graft function presupposes engraftment"
            ),
        );
        return;
    }
    let (anc, plt, hb) = (
        w.series(&x.counts.anc),
        w.series(&x.counts.platelets),
        w.series(&x.counts.hemoglobin),
    );
    let (hypo, full, bad) = qualifiers(x, w, cfg, severe_gvhd);
    let input = PoorGraftFunctionInput {
        day0: w.hct.date,
        anc: &anc,
        platelets: &plt,
        hemoglobin: &hb,
        hypocellular_marrow: hypo,
        full_donor_chimerism: full,
        severe_gvhd_or_relapse: bad,
    };
    match poor_graft_function(&input, &cfg.poor_graft_function) {
        Ok(g) => {
            let hct = w.hct;
            sink.item(SummaryItem::from_graded(
                Criterion::GraftFailure,
                SummaryKey::PoorGraftFunction.with(w.suffix),
                &g,
                Some(hct),
                |v| {
                    let from = v.from_day.map(|d| hct.date.add_days(d));
                    let t = match (v.poor_graft_function, v.count_criterion_met) {
                        (true, _) => format!("poor graft function from day {:+}", v.from_day.unwrap_or_default()),
                        (false, true) => format!("cytopenia from day {:+} but not poor graft function (qualifiers not met)", v.from_day.unwrap_or_default()),
                        (false, false) => "no poor graft function".into(),
                    };
                    (t, from)
                },
            ));
        }
        Err(e) => sink.skip(
            Criterion::GraftFailure,
            format!("counts for poor graft function rejected: {e}"),
        ),
    }
}

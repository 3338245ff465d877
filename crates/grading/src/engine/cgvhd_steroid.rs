//! Steroid-refractory and steroid-dependent chronic GVHD per transplant
//! (item `cgvhd_steroid_response`, suffix `_hct2` …): the systemic steroid
//! records from the first one started on or after the first chronic-GVHD
//! assessment with a global severity of mild or worse, converted to
//! prednisone equivalent per kg per day, against the NIH 2014 organ scores
//! (`graftwatch_criteria::cgvhd_steroid`).

use graftwatch_core::Date;
use graftwatch_course::{Anchor, DrugClass};
use graftwatch_criteria::cgvhd_steroid::{
    CgvhdSteroidConfig, CgvhdSteroidInput, SteroidRecord, cgvhd_steroid_response,
};
use graftwatch_criteria::gvhd_response::OrganAssessment;
use graftwatch_criteria::steroid_dose::prednisone_equivalent;

use super::Sink;
use super::gvhd_response::recorded;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

/// The steroid records of the chronic-GVHD treatment: every systemic
/// steroid started on or after `first` and inside the transplant window.
fn records(x: &CourseInputs, first: Date, end: Option<Date>) -> Vec<SteroidRecord> {
    x.drugs
        .intervals
        .iter()
        .filter(|i| i.class == DrugClass::Steroid)
        .filter(|i| i.start >= first && end.is_none_or(|e| i.start <= e))
        .map(|i| {
            let w = x.weights.iter().rfind(|w| w.0 <= i.start).map(|w| w.1);
            SteroidRecord {
                drug: i.name.clone(),
                start: i.start,
                end: i.end,
                dose: prednisone_equivalent(&i.name, recorded(i.dose, i.dose_unit.as_deref()), w)
                    .map(|p| p.mg_kg_day),
            }
        })
        .collect()
}

/// Writes the item when chronic GVHD was treated with systemic steroids and
/// there is a baseline and at least one later assessment.
/// The transplant an item belongs to: its anchor, the last day of its
/// window (the day before the next transplant) and the item suffix.
pub(crate) type Scope<'a> = (&'a Anchor, Option<Date>, &'a str);

pub(crate) fn run(
    x: &CourseInputs,
    (hct, end, suffix): Scope<'_>,
    scored: &[(Date, OrganAssessment<8>)],
    start: Date,
    cfg: &CgvhdSteroidConfig,
    sink: &mut Sink,
) {
    let recs = records(x, start, end);
    let Some((_, base)) = scored.iter().rfind(|(d, _)| *d <= start) else {
        return;
    };
    let later: Vec<OrganAssessment<8>> = scored
        .iter()
        .filter(|(d, _)| *d > base.date)
        .map(|(_, a)| *a)
        .collect();
    if recs.is_empty() || later.is_empty() {
        return;
    }
    let g = cgvhd_steroid_response(
        &CgvhdSteroidInput {
            records: &recs,
            baseline: base,
            assessments: &later,
        },
        cfg,
    );
    sink.item(SummaryItem::from_graded(
        Criterion::Cgvhd,
        SummaryKey::CgvhdSteroidResponse.with(suffix),
        &g,
        Some(hct),
        |v| {
            let mut parts = Vec::new();
            match v.refractory {
                Some(r) => parts.push(format!(
                    "steroid-refractory ({}, {}, {})",
                    r.reason.text(),
                    r.date,
                    hct.describe(r.date)
                )),
                None => parts.push("not steroid-refractory".to_string()),
            }
            parts.push(match v.dependent_date {
                Some(_) => format!(
                    "steroid-dependent ({} unsuccessful taper attempts: {})",
                    v.taper_failures.len(),
                    v.taper_failures
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "not steroid-dependent".to_string(),
            });
            if let Some(p) = v.peak_mg_kg_day {
                parts.push(format!("peak {p:.2} mg/kg/day prednisone equivalent"));
            }
            let date = v.refractory.map(|r| r.date).or(v.dependent_date);
            (parts.join("; "), date)
        },
    ));
}

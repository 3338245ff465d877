//! Acute GVHD treatment response per transplant: the first systemic steroid
//! course started on or after acute GVHD onset is first-line treatment; a
//! later immunosuppressant (ruxolitinib, MMF, …) started after it is
//! second-line therapy. Item `agvhd_treatment_response` (suffix `_hct2` …):
//! day-28 response (CR / PR / NR), steroid-refractory and steroid-dependent
//! acute GVHD (EBMT–NIH–CIBMTR 2018).

use graftwatch_core::Date;
use graftwatch_course::DrugClass;
use graftwatch_course::dose_unit::{DoseAmount, DoseBasis, DoseRate, DoseUnit};
use graftwatch_criteria::agvhd::MagicGrade;
use graftwatch_criteria::agvhd::magic::{lower_bound_stages, magic_grade};
use graftwatch_criteria::gvhd_response::{
    AgvhdTreatment, DoseStatus, OrganAssessment, agvhd_treatment_response,
};
use graftwatch_criteria::steroid_dose::{
    RecordedDose, SteroidDoseConfig, meets_definition_dose, prednisone_equivalent,
};

use super::Sink;
use super::agvhd_run::AgvhdRun;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

/// First steroid course started on or after `onset` (inside the run), and
/// the last day of the steroid courses chained to it (gaps of at most one
/// day; `None` = open ended).
fn steroid_course(
    x: &CourseInputs,
    onset: Date,
    end: Option<Date>,
) -> Option<(Date, Option<Date>)> {
    let mut iv: Vec<_> = x
        .drugs
        .intervals
        .iter()
        .filter(|i| {
            i.class == DrugClass::Steroid && i.start >= onset && end.is_none_or(|e| i.start <= e)
        })
        .collect();
    iv.sort_by_key(|i| i.start);
    let first = iv.first()?;
    let mut last = first.end;
    for i in &iv[1..] {
        match last {
            Some(l) if i.start <= l.add_days(1) => last = i.end.map(|e| e.max(l)),
            _ => break,
        }
    }
    Some((first.start, last))
}

/// The one-line result of the treatment response.
fn describe(
    v: &graftwatch_criteria::gvhd_response::AgvhdTreatmentResponse,
    hct: &graftwatch_course::Anchor,
    threshold: f64,
) -> (String, Option<Date>) {
    let mut parts = vec![format!(
        "steroids from {} ({})",
        v.steroid_start,
        hct.describe(v.steroid_start)
    )];
    parts.push(match (v.day28, v.day28_date) {
        (Some(r), Some(d)) => match v.second_line_start {
            // Why a response after second-line therapy reads "no response".
            Some(s) if s <= d => format!(
                "day-28 response: {} ({d}: second-line therapy from {s} counts as treatment failure)",
                r.words()
            ),
            _ => format!("day-28 response: {} ({d})", r.words()),
        },
        _ => "day-28 response not assessed".into(),
    });
    parts.push(match (v.steroid_refractory, v.refractory_date) {
        (Some(r), Some(d)) => format!("steroid-refractory ({}, {d})", r.text()),
        // Judged only on a dose that meets the definition; otherwise the
        // dose part below says why it does not apply.
        _ => not_refractory_words(v, threshold),
    });
    match (v.definition_dose_from, v.prednisone_mg_kg_day) {
                (Some(d), Some(m)) => parts.push(format!(
                    "steroid dose {m:.2} mg/kg/day prednisone equivalent from {d}"
                )),
                (None, Some(m)) => parts.push(format!(
                    "steroid dose at most {m:.2} mg/kg/day prednisone equivalent: below the definition, refractory and dependent do not apply"
                )),
                _ => parts.push("steroid dose unknown".into()),
            }
    if let Some(d) = v.steroid_dependent_date {
        parts.push(format!("steroid-dependent (recurrence during taper {d})"));
    }
    if let Some((b, d)) = v.best {
        parts.push(format!("best response: {} ({d})", b.words()));
    }
    (parts.join("; "), Some(v.steroid_start))
}

/// Why the patient is not steroid-refractory, or why it was not judged:
/// the Task-Force clock starts on the first day at the definition dose
/// (≥ 2 mg/kg/day prednisone equivalent by default, A-13), so a rise on a
/// lower dose before it does not count; second-line therapy is named.
fn not_refractory_words(
    v: &graftwatch_criteria::gvhd_response::AgvhdTreatmentResponse,
    threshold: f64,
) -> String {
    let second = v
        .second_line_start
        .map(|s| format!("; second-line therapy from {s}"))
        .unwrap_or_default();
    let Some(c) = v.definition_dose_from else {
        return "steroid-refractory not determined".into();
    };
    let before = if c > v.steroid_start {
        format!(
            " (steroids from {} below it; a rise before the clock does not count)",
            v.steroid_start
        )
    } else {
        String::new()
    };
    format!(
        "not steroid-refractory: the clock starts at ≥ {} mg/kg/day prednisone equivalent (A-13), from {c}{before}; after it no progression from day 3, no lack of response by day 7 and no incomplete response after day 28{second}",
        graftwatch_core::number::short(threshold)
    )
}

/// A recorded dose and unit as far as they give a daily amount.
pub(crate) fn recorded(dose: Option<f64>, unit: Option<&str>) -> RecordedDose {
    let (Some(v), Some(u)) = (dose, unit) else {
        return RecordedDose::Missing;
    };
    let Ok(u) = DoseUnit::parse(u) else {
        return RecordedDose::Unusable("the dose unit is not a structured unit");
    };
    let mg = match u.amount {
        DoseAmount::Mg => v,
        DoseAmount::G => v * 1000.0,
        DoseAmount::Ug => v / 1000.0,
        _ => return RecordedDose::Unusable("the dose is not in mg, g or ug"),
    };
    // An alternate-day dose counts as its daily average, as the
    // definitions write it ("0.5 mg/kg/day or 1 mg/kg every other day";
    // ambiguity C-10, docs/criteria-decisions.md).
    let daily = |r: DoseRate| mg * r.per_day();
    match (u.basis, u.rate) {
        (Some(DoseBasis::PerKg), Some(r @ (DoseRate::PerDay | DoseRate::EveryOtherDay))) => {
            RecordedDose::MgPerKgPerDay(daily(r))
        }
        (None, Some(r @ (DoseRate::PerDay | DoseRate::EveryOtherDay))) => {
            RecordedDose::MgPerDay(daily(r))
        }
        (Some(DoseBasis::PerM2), _) => {
            RecordedDose::Unusable("a dose per m2 (no body surface area is recorded)")
        }
        _ => RecordedDose::Unusable("the dose unit has no daily rate (/d or /qod)"),
    }
}

/// The steroid dose of the course `start ..= end` against the definition:
/// reached (first day), never reached (all doses known and below), or
/// unknown (why).
fn dose_status(
    x: &CourseInputs,
    start: Date,
    end: Option<Date>,
    cfg: &SteroidDoseConfig,
) -> DoseStatus {
    let mut max: Option<f64> = None;
    let mut unknown: Option<String> = None;
    let records = x.drugs.intervals.iter().filter(|i| {
        i.class == DrugClass::Steroid && i.start >= start && end.is_none_or(|e| i.start <= e)
    });
    for i in records {
        let w = x.weights.iter().rfind(|w| w.0 <= i.start).map(|w| w.1);
        match prednisone_equivalent(&i.name, recorded(i.dose, i.dose_unit.as_deref()), w) {
            Ok(pe) if meets_definition_dose(pe.mg_kg_day, cfg) => {
                return DoseStatus::ReachedOn {
                    date: i.start,
                    mg_kg_day: pe.mg_kg_day,
                };
            }
            Ok(pe) => max = Some(max.map_or(pe.mg_kg_day, |m: f64| m.max(pe.mg_kg_day))),
            Err(why) => {
                unknown.get_or_insert(format!("{} on {}: {why}", i.name, i.start));
            }
        }
    }
    match (unknown, max) {
        (Some(why), _) => DoseStatus::Unknown(why),
        (None, Some(m)) => DoseStatus::NotReached {
            max_mg_kg_day: m,
            threshold: cfg.threshold_prednisone_mg_kg_day(),
        },
        (None, None) => DoseStatus::Unknown("no steroid record".into()),
    }
}

/// Runs the treatment response of one transplant's acute GVHD.
pub(crate) fn run(r: &AgvhdRun, x: &CourseInputs, cfg: &SteroidDoseConfig, sink: &mut Sink) {
    let name = SummaryKey::AgvhdTreatmentResponse.with(&r.suffix);
    let Some(onset) = r
        .fast
        .iter()
        .find(|f| magic_grade(&lower_bound_stages(&f.organs)) >= MagicGrade::I)
        .map(|f| f.date)
    else {
        return;
    };
    let Some((start, steroid_end)) = steroid_course(x, onset, r.end) else {
        sink.not_applicable(
            Criterion::Agvhd,
            &name,
            "Acute GVHD treatment response",
            &format!("no systemic steroid started on or after acute GVHD onset ({onset})"),
        );
        return;
    };
    let second_line_start = x
        .drugs
        .intervals
        .iter()
        .filter(|i| i.class == DrugClass::Immunosuppressant && i.start > start)
        .filter(|i| r.end.is_none_or(|e| i.start <= e))
        .map(|i| i.start)
        .min();
    let assessments: Vec<OrganAssessment<4>> = r
        .fast
        .iter()
        .map(|f| OrganAssessment {
            date: f.date,
            stages: f.organs.map(|o| o.ok().map(|c| c.stage.get())),
        })
        .collect();
    let g = agvhd_treatment_response(&AgvhdTreatment {
        dose: dose_status(x, start, steroid_end.or(r.end), cfg),
        steroid_start: start,
        steroid_end,
        second_line_start,
        assessments: &assessments,
    });
    let hct = r.hct;
    sink.item(SummaryItem::from_graded(
        Criterion::Agvhd,
        &name,
        &g,
        Some(&hct),
        |v| describe(v, &hct, cfg.threshold_prednisone_mg_kg_day()),
    ));
}

//! ASTCT CRS after each CAR-T infusion, from the extracted daily inputs.
//!
//! The course records support as events, so a day without an active
//! vasopressor or oxygen-support event is graded as no vasopressor / room
//! air (flag `GW-EVENTS`). Hypotension without a vasopressor is graded from
//! the day's `hypotension` record (`fluid_responsive` → ASTCT grade 2, flag
//! `GW-FLUIDS`). A single finding recorded with `attribution: other` (a
//! fever, the day's hypotension with its vasopressors, the day's hypoxia
//! with its oxygen) is not counted, and the explanation names the record
//! (flag `GW-ATTR-CRS`).

use graftwatch_course::OxygenDevice;
use graftwatch_criteria::crs::{
    CRS_CITATIONS, CRS_VERSION, CrsDay, Hypotension, O2Device, Oxygen, grade_crs_course,
};
use graftwatch_criteria::{Explanation, Flag, Graded};

use super::Sink;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::extract::CrsDay as InDay;
use crate::output::{DayEntry, DayState, SummaryItem};

fn device(d: OxygenDevice) -> O2Device {
    match d {
        OxygenDevice::NasalCannula => O2Device::NasalCannula,
        OxygenDevice::BlowBy => O2Device::BlowBy,
        OxygenDevice::HighFlowNasalCannula => O2Device::HighFlowNasalCannula,
        OxygenDevice::Facemask => O2Device::Facemask,
        OxygenDevice::NonRebreather => O2Device::NonRebreather,
        OxygenDevice::Venturi => O2Device::Venturi,
        OxygenDevice::Cpap => O2Device::Cpap,
        OxygenDevice::Bipap => O2Device::Bipap,
        OxygenDevice::MechanicalVentilation => O2Device::MechanicalVentilation,
    }
}

/// Maps one extracted day to the criteria's CRS day; with
/// `infection_is_other_cause`, an active infection episode attributes fever,
/// hypotension and hypoxia to another cause.
pub fn to_crs_day(d: &InDay, infection_is_other_cause: bool) -> CrsDay {
    let other = infection_is_other_cause && d.infection.is_some();
    let pressors = match (d.pressors.count(), d.pressors.vasopressin) {
        (0, false) => Hypotension::None,
        (0 | 1, _) => Hypotension::OneVasopressor,
        _ => Hypotension::MultipleVasopressors,
    };
    // a documented vasopressor wins; without one the day's record decides
    let hypotension = match (pressors, d.hypotension.as_deref()) {
        (Hypotension::None, Some("fluid_responsive")) => Hypotension::FluidsOnly,
        (Hypotension::None, Some("vasopressor_required")) => Hypotension::OneVasopressor,
        (p, _) => p,
    };
    CrsDay {
        date: d.date,
        max_temp_c: d.max_temp_c,
        fever_other_cause: other || d.attributed.fever.is_some(),
        hypotension: Some(hypotension),
        hypotension_other_cause: other || d.attributed.hypotension.is_some(),
        oxygen: Some(match d.oxygen {
            Some(o) => Oxygen {
                device: device(o.device),
                flow_l_min: o.flow_l_min,
            },
            None => Oxygen {
                device: O2Device::RoomAir,
                flow_l_min: None,
            },
        }),
        hypoxia_other_cause: other || d.attributed.hypoxia.is_some(),
        anticytokine_or_antipyretic: d.anticytokine_today || d.steroid_today,
        death_from_crs: false,
    }
}

fn flags() -> Vec<Flag> {
    vec![
        Flag::new(
            "GW-EVENTS",
            "a day without an active vasopressor or oxygen-support event is graded as no vasopressor / room air",
        ),
        Flag::new(
            "GW-FLUIDS",
            "hypotension without a vasopressor is graded from the day's hypotension record (hypotension responding to fluids: grade 2); a day without a record or vasopressor is graded as no hypotension",
        ),
        Flag::new(
            "T-3",
            "vasopressin is not counted towards multiple vasopressors",
        ),
    ]
}

/// The attributed single findings of a day, in words (empty when none).
fn attributed_words(d: &InDay) -> Vec<String> {
    [
        &d.attributed.fever,
        &d.attributed.hypotension,
        &d.attributed.hypoxia,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect()
}

/// The day state of one CRS day: grade with its parameters.
fn crs_state(
    g: &Graded<graftwatch_criteria::crs::CrsDayResult>,
    input: &CrsDay,
    raw: Option<&InDay>,
) -> DayState {
    let params = serde_json::json!({
        "attributed_to_other_cause": raw.map(attributed_words).unwrap_or_default(),
        "fluid_bolus_ml": raw.and_then(|r| r.fluids_ml),
        "max_temp_c": input.max_temp_c,
        "fever_other_cause": input.fever_other_cause,
        "hypotension": input.hypotension,
        "oxygen": input.oxygen,
        "anticytokine_or_antipyretic": input.anticytokine_or_antipyretic,
        "death_from_crs": input.death_from_crs,
    });
    super::graded_state(
        Criterion::Crs,
        "astct",
        g,
        |v| v.grade.0.to_string(),
        |grade| Some(serde_json::json!({"grade": grade, "parameters": params})),
    )
}

/// Timeline entries and day states; returns how many days could not be
/// graded.
fn days_and_states(
    course: &graftwatch_criteria::crs::CrsCourse,
    days: &[CrsDay],
    raw: &[InDay],
    sink: &mut Sink,
) -> Vec<String> {
    let mut prev: Option<u8> = None;
    let mut ungraded = Vec::new();
    for (g, input) in course.days.iter().zip(days) {
        let r = raw.iter().find(|r| r.date == input.date);
        sink.state(input.date, || crs_state(g, input, r));
        match g {
            Graded::Value { value, explanation } => {
                let lv = value.grade.0;
                let changed = prev != Some(lv);
                if lv > 0 || (changed && prev.is_some()) {
                    sink.day(
                        value.date,
                        DayEntry {
                            criterion: Criterion::Crs,
                            grade: lv.to_string(),
                            level: lv,
                            changed,
                            reason: with_attributed(&explanation.reason, r),
                        },
                    );
                }
                prev = Some(lv);
            }
            Graded::InsufficientData { missing, .. } => ungraded.extend(missing.iter().cloned()),
            Graded::NotApplicable { .. } => ungraded.push("not applicable".into()),
        }
    }
    ungraded
}

/// The flag naming the days not fully graded and what was not recorded on
/// them (`missing`: one entry per missing sign per day).
fn missing_flag(course: &graftwatch_criteria::crs::CrsCourse, missing: &[String]) -> Option<Flag> {
    let days = course.days.iter().filter(|d| d.value().is_none()).count();
    if days == 0 {
        return None;
    }
    Some(Flag::new(
        "MISSING",
        format!(
            "{days} of {} from day 0 could not be fully graded (not recorded: {}); the maximum counts the grade their recorded signs already give",
            graftwatch_core::number::counted(course.days.len(), "day"),
            super::distinct(missing)
        ),
    ))
}

/// A day's reason with the findings attributed to another cause named.
fn with_attributed(reason: &str, raw: Option<&InDay>) -> String {
    let w = raw.map(attributed_words).unwrap_or_default();
    if w.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}; not counted: {}", w.join("; "))
    }
}

/// Flag and evidence naming every finding of the window attributed to
/// another cause, and the fluid boluses recorded.
fn attribution_notes(raw: &[InDay], fl: &mut Vec<Flag>) -> Vec<graftwatch_criteria::Evidence> {
    let words: Vec<String> = raw.iter().flat_map(attributed_words).collect();
    if !words.is_empty() {
        fl.push(Flag::new(
            "GW-ATTR-CRS",
            format!(
                "findings recorded with another cause are not counted for CRS: {}",
                words.join("; ")
            ),
        ));
    }
    let mut ev: Vec<graftwatch_criteria::Evidence> = raw
        .iter()
        .flat_map(|d| {
            attributed_words(d).into_iter().map(move |w| {
                graftwatch_criteria::Evidence::finding(Some(d.date), "attributed_to_other_cause", w)
            })
        })
        .collect();
    for d in raw {
        if let (Some(ml), Some(h)) = (d.fluids_ml, d.hypotension.as_deref()) {
            ev.push(graftwatch_criteria::Evidence::finding(
                Some(d.date),
                "fluid_bolus",
                format!("{ml} mL fluid bolus; hypotension {}", h.replace('_', " ")),
            ));
        }
    }
    ev
}

/// Adds evidence lines to a graded result's explanation.
fn with_evidence(mut g: Graded<u8>, ev: Vec<graftwatch_criteria::Evidence>) -> Graded<u8> {
    if let Graded::Value { explanation, .. } | Graded::InsufficientData { explanation, .. } = &mut g
    {
        explanation.evidence.extend(ev);
    }
    g
}

/// The course maximum as a graded result: the explanation of the first day
/// of the maximum, or insufficient data when no day could be graded.
fn max_graded(
    course: &graftwatch_criteria::crs::CrsCourse,
    days: &[CrsDay],
    anchor: graftwatch_course::Anchor,
    fl: Vec<Flag>,
) -> Graded<u8> {
    let ungraded = course.days.iter().filter(|d| d.value().is_none()).count();
    let s = course.summary;
    let c_anchor = anchor;
    let idx = s
        .max_grade_date
        .and_then(|d| days.iter().position(|x| x.date == d));
    match idx {
        Some(k) if s.max_grade.0 > 0 => {
            let mut e = course.days[k].explanation().clone();
            e.flags.extend(fl);
            Graded::Value {
                value: s.max_grade.0,
                explanation: e,
            }
        }
        _ if ungraded == course.days.len() => Graded::InsufficientData {
            missing: vec![format!(
                "temperature on days 0 to +{} after {}",
                course.days.len().saturating_sub(1),
                c_anchor.kind
            )],
            explanation: Explanation {
                rule: "ASTCT CRS grade",
                version: CRS_VERSION,
                citations: CRS_CITATIONS.to_vec(),
                reason: "no day could be graded".into(),
                evidence: vec![],
                flags: fl,
            },
        },
        _ => Graded::Value {
            value: 0,
            explanation: Explanation {
                rule: "ASTCT CRS grade",
                version: CRS_VERSION,
                citations: CRS_CITATIONS.to_vec(),
                reason: format!(
                    "no graded day from {} reached CRS grade 1 (fever ≥ 38.0 °C)",
                    c_anchor.date
                ),
                evidence: vec![],
                flags: fl,
            },
        },
    }
}

/// Marks the day of a death attributed to CRS (grade 5) when it belongs to
/// this CAR-T (on or after its day 0 and before the next one); a death after
/// the grading window is appended as its own day. Returns the death date
/// when applied.
fn apply_death(
    days: &mut Vec<CrsDay>,
    x: &CourseInputs,
    day0: graftwatch_core::Date,
    next: Option<graftwatch_core::Date>,
) -> Option<graftwatch_core::Date> {
    let d = x.death.as_ref()?;
    if !d.attributed.contains(&crate::extract::ToxicityDeath::Crs)
        || d.date < day0
        || next.is_some_and(|n| d.date >= n)
    {
        return None;
    }
    let mark = |c: &mut CrsDay| c.death_from_crs = true;
    if !super::mark_death_day(days, d.date, |c| c.date, CrsDay::new, mark) {
        return None;
    }
    Some(d.date)
}

/// Runs CRS for every CAR-T infusion.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    if x.crs.is_empty() {
        sink.not_applicable(
            Criterion::Crs,
            SummaryKey::CrsMaxGrade,
            "ASTCT CRS grade",
            "no CAR-T infusion in the course",
        );
        return;
    }
    for (i, c) in x.crs.iter().enumerate() {
        let suffix = super::cart_suffix(i, &c.anchor);
        let inf = cfg.engine.crs_infection_is_other_cause;
        let mut days: Vec<CrsDay> = c.days.iter().map(|d| to_crs_day(d, inf)).collect();
        let next = x.crs.get(i + 1).map(|n| n.anchor.date);
        let died = apply_death(&mut days, x, c.anchor.date, next);
        let infected: Vec<String> = c
            .days
            .iter()
            .filter_map(|d| d.infection.as_ref().map(|s| format!("{} ({s})", d.date)))
            .collect();
        let course = match grade_crs_course(&days, &cfg.crs) {
            Ok(r) => r,
            Err(e) => {
                sink.skip(Criterion::Crs, format!("CRS inputs rejected: {e}"));
                continue;
            }
        };
        let missing = days_and_states(&course, &days, &c.days, sink);
        let s = course.summary;
        let mut fl = flags();
        if inf && !infected.is_empty() {
            fl.push(Flag::new(
                "GW-INFECTION",
                format!(
                    "fever, hypotension and hypoxia during an infection episode are attributed to it, not to CRS: {} from {}",
                    graftwatch_core::number::counted(infected.len(), "day"),
                    infected[0]
                ),
            ));
        }
        fl.extend(missing_flag(&course, &missing));
        if let (Some(dd), Some(d)) = (died, &x.death) {
            fl.push(Flag::new(
                "GW-DEATH-CAUSE",
                format!(
                    "death on {dd} recorded with cause '{}' is attributed to CRS: grade 5",
                    d.cause
                ),
            ));
        }
        let notes = attribution_notes(&c.days, &mut fl);
        let g = with_evidence(max_graded(&course, &days, c.anchor, fl), notes);
        let date = s.max_grade_date;
        let onset = s.onset;
        let at = if s.max_is_lower_bound {
            "at least "
        } else {
            ""
        };
        sink.item(SummaryItem::from_graded(
            Criterion::Crs,
            SummaryKey::CrsMaxGrade.with(&suffix),
            &g,
            Some(&c.anchor),
            |v| {
                let mut t = format!("grade {at}{v}");
                if let (Some(d), true) = (date, *v > 0) {
                    t.push_str(&format!(" first on {d} ({})", c.anchor.describe(d)));
                }
                if let Some(o) = onset {
                    t.push_str(&format!("; onset {o} ({})", c.anchor.describe(o)));
                }
                (t, if *v > 0 { date } else { None })
            },
        ));
    }
}

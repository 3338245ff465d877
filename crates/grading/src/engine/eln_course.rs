//! ELN disease course beyond single assessments: haematological relapse
//! after remission, MRD relapse (ELN 2021 MRD: conversion from negative to
//! positive or a ≥ 1 log10 rise, confirmed by the next sample within 4
//! weeks; Heuser et al. 2021), refractory disease at the response landmark
//! (ELN 2022), and the response timeline (first CR and each relapse and
//! later remission).

use graftwatch_core::Date;
use graftwatch_course::Anchor;
use graftwatch_criteria::eln_relapse::{
    HematologicRelapse, MrdMeasurement, MrdRelapseState, MrdSample, MrdTrigger, RelapseCriterion,
    RelapseInput, Tissue, hematologic_relapse, mrd_relapse,
};
use graftwatch_criteria::eln_response::{
    ELN_2022_CITATION, ELN_RESPONSE_VERSION, ElnResponse, TherapyLandmark, marrow_blasts_clear,
    refractory_given_remission,
};
use graftwatch_criteria::series::DatedValue;
use graftwatch_criteria::{Evidence, Explanation, Flag, Graded};
use serde::Serialize;

use super::Sink;
use super::eln::label;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::extract::marrow::TherapyKind;
use crate::output::SummaryItem;

/// The relapse criterion in words.
pub fn criterion_text(c: RelapseCriterion) -> &'static str {
    c.text()
}

struct Series {
    bm: Vec<DatedValue>,
    pb: Vec<DatedValue>,
    emd: Vec<Date>,
}

fn series(x: &CourseInputs) -> Series {
    Series {
        bm: x
            .marrow
            .iter()
            .filter_map(|m| {
                m.blasts_percent.map(|b| DatedValue {
                    date: m.date,
                    value: b.get(),
                })
            })
            .collect(),
        pb: x.counts.pb_blasts.days.iter().map(super::dated).collect(),
        emd: x
            .marrow
            .iter()
            .filter(|m| m.extramedullary == Some(true))
            .map(|m| m.date)
            .collect(),
    }
}

fn relapse_after(
    s: &Series,
    remission: Date,
) -> Result<Graded<HematologicRelapse>, graftwatch_criteria::series::ValueError> {
    hematologic_relapse(&RelapseInput {
        remission_date: remission,
        marrow_blasts_pct: &s.bm,
        blood_blasts_pct: &s.pb,
        new_extramedullary_disease: &s.emd,
    })
}

/// True when an ELN haematological relapse criterion (marrow blasts >= 5 %,
/// blood blasts twice >= 7 days apart, new extramedullary disease) is met
/// after `from` and on or before `to`.
pub(crate) fn any_relapse_after(x: &CourseInputs, from: Date, to: Option<Date>) -> bool {
    match relapse_after(&series(x), from) {
        Ok(Graded::Value { value, .. }) => {
            value.relapsed && value.date.is_some_and(|d| to.is_none_or(|t| d <= t))
        }
        _ => false,
    }
}

/// Haematological relapse after the remission documented on `rd`.
pub(crate) fn relapse_item(x: &CourseInputs, rd: Date, anchor: Option<&Anchor>, sink: &mut Sink) {
    match relapse_after(&series(x), rd) {
        Ok(g) => sink.item(SummaryItem::from_graded(
            Criterion::Eln,
            SummaryKey::Relapse,
            &g,
            anchor,
            |v| {
                if v.relapsed {
                    (
                        format!(
                            "relapse on {} ({})",
                            v.date.map(|d| d.to_string()).unwrap_or_default(),
                            v.criterion.map_or("", criterion_text)
                        ),
                        v.date,
                    )
                } else {
                    (
                        format!("no haematological relapse after remission on {rd}"),
                        None,
                    )
                }
            },
        )),
        Err(e) => sink.skip(Criterion::Eln, format!("relapse inputs rejected: {e}")),
    }
}

/// The MRD samples on or after `from`: flow (positive at or above the
/// configured MFC threshold) and qPCR (positive when the ratio is > 0).
fn mrd_samples(x: &CourseInputs, from: Date) -> Vec<MrdSample> {
    let mut out = Vec::new();
    for m in x.marrow.iter().filter(|m| m.date >= from) {
        if let Some(p) = m.mrd_flow_percent {
            out.push(MrdSample {
                date: m.date,
                tissue: Tissue::BoneMarrow,
                measurement: MrdMeasurement::Mfc { percent: p.get() },
            });
        } else if let Some(q) = m.mrd_qpcr.iter().map(|q| q.percent).reduce(f64::max) {
            out.push(MrdSample {
                date: m.date,
                tissue: Tissue::BoneMarrow,
                measurement: MrdMeasurement::Qpcr {
                    positive: q > 0.0,
                    ratio_percent: Some(q),
                },
            });
        }
    }
    out
}

fn trigger_text(t: &MrdTrigger) -> String {
    t.text()
}

/// MRD relapse state after the remission on `rd`, as of the last record.
pub(crate) fn mrd_relapse_item(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    rd: Date,
    anchor: Option<&Anchor>,
    sink: &mut Sink,
) {
    let samples = mrd_samples(x, rd);
    if samples.is_empty() {
        return;
    }
    let as_of = x.span.map_or(rd, |s| s.1);
    let g = match mrd_relapse(&samples, as_of, &cfg.mrd) {
        Ok(g) => g,
        Err(e) => {
            sink.skip(Criterion::Eln, format!("MRD samples rejected: {e}"));
            return;
        }
    };
    let g = with_flag(
        g,
        Flag::new(
            "GW-MRD-TISSUE",
            "MRD samples of the course are taken as bone marrow (the tissue is not recorded)",
        ),
    );
    sink.item(SummaryItem::from_graded(
        Criterion::Eln,
        SummaryKey::MrdRelapse,
        &g,
        anchor,
        |v| match v {
            MrdRelapseState::None => (
                format!("no MRD relapse after remission on {rd} (up to {as_of})"),
                None,
            ),
            MrdRelapseState::Unconfirmed {
                first,
                trigger,
                window_elapsed,
            } => (
                format!(
                    "MRD relapse not confirmed: {} on {first}{}",
                    trigger_text(trigger),
                    if *window_elapsed {
                        ", no confirming sample within 4 weeks"
                    } else {
                        ", confirmation pending"
                    }
                ),
                Some(*first),
            ),
            MrdRelapseState::Confirmed {
                first,
                confirmed_on,
                trigger,
            } => (
                format!(
                    "MRD relapse: {} on {first}, confirmed on {confirmed_on}",
                    trigger_text(trigger)
                ),
                Some(*confirmed_on),
            ),
        },
    ));
}

fn with_flag<T>(mut g: Graded<T>, f: Flag) -> Graded<T> {
    match &mut g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation.flags.push(f),
    }
    g
}

/// One event of the response timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseEvent {
    /// `first_cr`, `remission` (a later CR / CRh / CRi) or `relapse`.
    pub event: &'static str,
    /// Remission or relapse number (1 = first).
    pub number: u32,
    /// Date.
    pub date: Date,
    /// ELN 2022 response of a remission, or the relapse criterion.
    pub detail: String,
}

/// The first remission after `after`: a CR, CRh or CRi; or, when the
/// response could not be graded for missing blood counts, a marrow with
/// blasts < 5 % and no extramedullary disease (morphologic remission, flag
/// `GW-TIMELINE-COUNTS`).
fn first_cr_after(
    x: &CourseInputs,
    results: &[(Date, Graded<ElnResponse>)],
    after: Date,
) -> Option<(Date, String)> {
    results
        .iter()
        .filter(|(d, _)| *d > after)
        .find_map(|(d, g)| match g {
            Graded::Value { value, .. } if value.is_cr_family() => {
                Some((*d, label(*value).to_string()))
            }
            Graded::InsufficientData { missing, .. } => x
                .marrow
                .iter()
                .find(|m| m.date == *d)
                .filter(|m| {
                    m.blasts_percent
                        .is_some_and(|b| marrow_blasts_clear(b.get()))
                        && m.extramedullary != Some(true)
                })
                .map(|_| (*d, morphologic_remission(missing))),
            _ => None,
        })
}

/// A marrow in remission whose ELN response could not be graded, with what
/// was missing: "morphologic remission (marrow blasts < 5 %; ELN response
/// not graded: extramedullary disease status not recorded)".
fn morphologic_remission(missing: &[String]) -> String {
    format!(
        "morphologic remission (marrow blasts < 5 %; ELN response not graded: {} not recorded)",
        missing.join(", ")
    )
}

/// The remissions and relapses of the course, in order.
pub(crate) fn response_events(
    x: &CourseInputs,
    results: &[(Date, Graded<ElnResponse>)],
) -> Vec<ResponseEvent> {
    let s = series(x);
    let mut out = Vec::new();
    let mut from = x.risk.diagnosis.date;
    let mut n = 0u32;
    while let Some((rd, detail)) = first_cr_after(x, results, from) {
        n += 1;
        out.push(ResponseEvent {
            event: if n == 1 { "first_cr" } else { "remission" },
            number: n,
            date: rd,
            detail,
        });
        let Ok(Graded::Value { value, .. }) = relapse_after(&s, rd) else {
            break;
        };
        let (true, Some(d)) = (value.relapsed, value.date) else {
            break;
        };
        out.push(ResponseEvent {
            event: "relapse",
            number: n,
            date: d,
            detail: value.criterion.map_or("", criterion_text).to_string(),
        });
        from = d;
    }
    out
}

/// The response timeline: first CR and each relapse and later remission.
pub(crate) fn response_timeline_item(
    x: &CourseInputs,
    results: &[(Date, Graded<ElnResponse>)],
    sink: &mut Sink,
) {
    let ev = response_events(x, results);
    let mut ex = Explanation {
        rule: "ELN 2022 response timeline",
        version: ELN_RESPONSE_VERSION,
        citations: vec![ELN_2022_CITATION],
        reason: String::new(),
        evidence: ev
            .iter()
            .map(|e| Evidence::finding(Some(e.date), e.event, e.detail.clone()))
            .collect(),
        flags: vec![
            Flag::new(
                "GW-TIMELINE",
                "a remission is the first CR, CRh or CRi after diagnosis or after a relapse; a relapse is the first ELN haematological relapse criterion met after it",
            ),
            Flag::new(
                "GW-TIMELINE-COUNTS",
                "a marrow with blasts < 5 % whose ELN response cannot be graded for missing data (blood counts, circulating blasts, extramedullary disease status) is shown as a morphologic remission, naming what is missing",
            ),
        ],
    };
    ex.reason = if ev.is_empty() {
        "no CR, CRh or CRi after diagnosis".into()
    } else {
        format!(
            "{}, {}",
            graftwatch_core::number::counted(
                ev.iter().filter(|e| e.event != "relapse").count(),
                "remission"
            ),
            graftwatch_core::number::counted(
                ev.iter().filter(|e| e.event == "relapse").count(),
                "relapse"
            )
        )
    };
    let text = timeline_text(&ev);
    let g: Graded<Vec<ResponseEvent>> = Graded::Value {
        value: ev,
        explanation: ex,
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Eln,
        SummaryKey::ResponseTimeline,
        &g,
        None,
        |v| (text, v.first().map(|e| e.date)),
    ));
}

fn timeline_text(ev: &[ResponseEvent]) -> String {
    if ev.is_empty() {
        return "no remission recorded".into();
    }
    ev.iter()
        .map(|e| match e.event {
            "first_cr" => format!("first remission: {} {}", e.detail, e.date),
            // "remission 2: CRh 2024-05-27", as the first: no brackets
            // around a detail that has its own.
            "remission" => format!("remission {}: {} {}", e.number, e.detail, e.date),
            _ => format!("relapse {} {} ({})", e.number, e.date, e.detail),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Refractory disease at the ELN 2022 landmark of first-line therapy:
/// after 2 intensive induction courses (the first assessment after the
/// second course is the landmark), or 180 days after the start of
/// less-intensive therapy (anti-leukaemic drugs without chemotherapy).
pub(crate) fn refractory_item(
    x: &CourseInputs,
    results: &[(Date, Graded<ElnResponse>)],
    sink: &mut Sink,
) {
    let responses: Vec<(Date, ElnResponse)> = results
        .iter()
        .filter_map(|(d, g)| g.value().map(|v| (*d, *v)))
        .collect();
    let Some((therapy, as_of, first_start)) = landmark(x, &responses) else {
        return;
    };
    let remission = first_line_remission(x, results, first_start);
    let g = refractory_given_remission(
        &responses,
        therapy,
        as_of,
        remission.as_ref().map(|(d, w)| (*d, w.as_str())),
    );
    let not_refractory = match &remission {
        Some((d, w)) if g.explanation().evidence.iter().any(|e| e.date == Some(*d)) => {
            format!("not refractory: {w} on {d} after first-line therapy from {first_start}")
        }
        _ => "not refractory: CR, CRh or CRi by the landmark".to_string(),
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Eln,
        SummaryKey::Refractory,
        &g,
        None,
        |v| {
            (
                if *v {
                    format!("refractory: no CR, CRh or CRi by the landmark ({as_of})")
                } else {
                    not_refractory.clone()
                },
                Some(as_of),
            )
        },
    ));
}

/// The landmark of first-line therapy: the therapy kind, the assessment
/// date it is judged on, and the start of first-line therapy; `None` when
/// no first-line therapy is recorded.
fn landmark(
    x: &CourseInputs,
    responses: &[(Date, ElnResponse)],
) -> Option<(TherapyLandmark, Date, Date)> {
    let dx = x.risk.diagnosis.date;
    let inductions: Vec<Date> = x
        .therapies
        .iter()
        .filter(|t| t.date >= dx)
        .filter(|t| matches!(t.kind, TherapyKind::Chemotherapy { induction: true, line } if line.is_none_or(|l| l <= 1)))
        .map(|t| t.date)
        .collect();
    let first_chemo = x
        .therapies
        .iter()
        .find(|t| t.date >= dx && matches!(t.kind, TherapyKind::Chemotherapy { .. }));
    let less = x
        .therapies
        .iter()
        .find(|t| t.date >= dx && t.kind == TherapyKind::AntiLeukemicDrug);
    match (inductions.as_slice(), first_chemo, less) {
        ([], None, Some(l)) => Some((
            TherapyLandmark::LessIntensive { start: l.date },
            x.span.map_or(l.date, |s| s.1),
            l.date,
        )),
        ([], _, _) => None,
        (ind, _, _) => {
            let landmark = ind
                .get(1)
                .and_then(|d2| responses.iter().find(|(r, _)| r > d2).map(|(r, _)| *r));
            let first = responses.iter().find(|(r, _)| *r > ind[0]).map(|(r, _)| *r);
            Some((
                TherapyLandmark::Intensive {
                    courses_completed: if landmark.is_some() { 2 } else { 1 },
                },
                landmark.or(first).unwrap_or(ind[0]),
                ind[0],
            ))
        }
    }
}

/// The response timeline's first remission after the start of first-line
/// therapy and before any later line (a chemotherapy of line 2 or more):
/// date and words ("CR", or a morphologic remission without blood counts).
fn first_line_remission(
    x: &CourseInputs,
    results: &[(Date, Graded<ElnResponse>)],
    first_start: Date,
) -> Option<(Date, String)> {
    let next_line = x
        .therapies
        .iter()
        .filter(|t| t.date > first_start)
        .find(|t| matches!(t.kind, TherapyKind::Chemotherapy { line: Some(l), .. } if l >= 2))
        .map(|t| t.date);
    response_events(x, results)
        .into_iter()
        .find(|e| e.event != "relapse")
        .filter(|e| e.date > first_start && next_line.is_none_or(|n| e.date < n))
        .map(|e| (e.date, e.detail))
}

//! ELN 2022 response at every marrow assessment (with the peripheral
//! counts nearest it), the best response after the latest transplant or
//! CAR-T, MRD status, and haematological relapse after the first
//! CR-family response.

use graftwatch_core::{Date, Percent};
use graftwatch_course::TransfusionProduct;
use graftwatch_criteria::eln_response::{
    ElnResponse, MrdStatus, MrdTechnique, ResponseAssessment, eln_response,
};
use graftwatch_criteria::{Flag, Graded};

use super::Sink;
use super::eln_course::ResponseEvent;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, MarrowAssessment};
use crate::output::{DayEntry, SummaryItem};

/// MFC MRD below this percentage is negative (ELN MRD 2021 threshold 0.1 %;
/// defined once in `graftwatch_criteria::eln_relapse`).
pub const MFC_NEGATIVE_BELOW_PERCENT: f64 =
    graftwatch_criteria::eln_relapse::MFC_MRD_POSITIVE_PERCENT.get();

pub(crate) fn label(r: ElnResponse) -> &'static str {
    r.text()
}

fn level(r: ElnResponse) -> u8 {
    match r {
        ElnResponse::CrMrdNegative | ElnResponse::Cr => 0,
        ElnResponse::CrH | ElnResponse::CrI => 1,
        ElnResponse::Mlfs | ElnResponse::Pr => 2,
        ElnResponse::NoResponse => 3,
    }
}

/// The MRD technique in words.
pub fn technique_text(t: MrdTechnique) -> &'static str {
    match t {
        MrdTechnique::Mfc => "flow cytometry",
        MrdTechnique::Qpcr => "qPCR",
        MrdTechnique::Other => "another method",
    }
}

/// The MRD result in words: a flow result detected under the 0.1 %
/// threshold says so ("negative (0.05 % detected, below the 0.1 %
/// threshold)"), not a bare "negative" that hides a measurable result.
pub fn mrd_words(negative: bool, value: f64, technique: MrdTechnique) -> String {
    match (negative, technique) {
        (true, MrdTechnique::Mfc) if value > 0.0 => format!(
            "negative ({} % detected, below the {MFC_NEGATIVE_BELOW_PERCENT} % threshold)",
            graftwatch_core::number::short(value)
        ),
        (true, _) => "negative".into(),
        (false, _) => "positive".into(),
    }
}

/// The MRD status of an assessment: flow when measured, else qPCR.
pub fn mrd_status(m: &MarrowAssessment) -> Option<MrdStatus> {
    if let Some(f) = m.mrd_flow_percent {
        return Some(MrdStatus {
            negative: f.get() < MFC_NEGATIVE_BELOW_PERCENT,
            technique: MrdTechnique::Mfc,
            sensitivity: None,
        });
    }
    m.mrd_qpcr
        .iter()
        .map(|q| q.percent)
        .reduce(f64::max)
        .map(|p| MrdStatus {
            negative: p <= 0.0,
            technique: MrdTechnique::Qpcr,
            sensitivity: None,
        })
}

/// Maps an extracted assessment to the criteria's input.
pub fn to_assessment(
    m: &MarrowAssessment,
    x: &CourseInputs,
    transfusion_window_days: i32,
) -> ResponseAssessment {
    ResponseAssessment {
        date: Some(m.date),
        bm_blasts_pct: m.blasts_percent.map(Percent::get),
        pb_blasts_pct: m.pb_blasts.map(|d| d.value),
        extramedullary_disease: m.extramedullary,
        anc: m.anc.map(|d| d.value),
        platelets: m.platelets.map(|d| d.value),
        platelet_transfusion_within_7_days: m.platelets.map(|p| {
            x.transfusions
                .blocking(
                    TransfusionProduct::Platelets,
                    p.date,
                    transfusion_window_days,
                )
                .is_some()
        }),
        rbc_transfusion_independent: None,
        marrow_evaluable: m.cellularity_percent.map(|c| c.get() >= 10.0),
        pretreatment_bm_blasts_pct: crate::extract::marrow::pretreatment_blasts(
            &x.marrow,
            &x.therapies,
            m.date,
        )
        .map(|(_, b)| b),
        mrd: mrd_status(m),
    }
}

/// Names the pretreatment marrow a PR was measured against (flag
/// `GW-PRETREATMENT`).
fn pretreatment_evidence(g: &mut Graded<ElnResponse>, date: Date, x: &CourseInputs) {
    let Some((d, b)) = crate::extract::marrow::pretreatment_blasts(&x.marrow, &x.therapies, date)
    else {
        return;
    };
    let therapy = x.therapies.iter().rfind(|t| t.date < date);
    if let Graded::Value { explanation, .. } | Graded::InsufficientData { explanation, .. } = g {
        explanation.flags.push(Flag::new(
            "GW-PRETREATMENT",
            format!(
                "pretreatment marrow blasts {b} % on {d}, the last marrow before {} started on {}",
                therapy.map_or("the therapy", |t| t.label.as_str()),
                therapy.map_or(d, |t| t.date)
            ),
        ));
    }
}

fn day_state(g: &Graded<ElnResponse>, relapse: bool) -> crate::output::DayState {
    super::graded_state(
        Criterion::Eln,
        "eln_2022",
        g,
        |v| {
            if relapse {
                RELAPSE_LABEL.to_string()
            } else {
                label(*v).to_string()
            }
        },
        |grade| grade.map(|l| serde_json::json!({"response": l})),
    )
}

/// Runs ELN response, MRD and relapse.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    if x.marrow.is_empty() {
        sink.not_applicable(
            Criterion::Eln,
            SummaryKey::ElnBestResponse,
            "ELN 2022 response",
            "no marrow or MRD assessment in the course",
        );
        return;
    }
    let anchor = x.anchors.iter().rfind(|a| a.kind.is_therapy()).copied();
    let from = anchor.map(|a| a.date);
    let results = assessments(x, cfg, sink);
    let after: Vec<&(Date, Graded<ElnResponse>)> = results
        .iter()
        .filter(|(d, _)| from.is_none_or(|f| *d >= f))
        .collect();
    best_item(&results, &after, anchor.as_ref(), sink);
    mrd_latest_item(x, anchor.as_ref(), sink);
    // Relapse after the first CR-family response (from the anchor on).
    if let Some((rd, _)) = after
        .iter()
        .find(|(_, g)| g.value().is_some_and(|v| v.is_cr_family()))
    {
        super::eln_course::relapse_item(x, *rd, anchor.as_ref(), sink);
        super::eln_course::mrd_relapse_item(x, cfg, *rd, anchor.as_ref(), sink);
    }
    super::eln_course::response_timeline_item(x, &results, sink);
    super::eln_course::refractory_item(x, &results, sink);
}

/// The ELN response of every marrow after the diagnostic one (the baseline),
/// on the timeline and as day states. A marrow on or before the start of
/// the first recorded therapy is pretreatment (the baseline a PR is
/// measured against, [`pretreatment_evidence`]), not a response.
fn assessments(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
) -> Vec<(Date, Graded<ElnResponse>)> {
    let mut results: Vec<(Date, Graded<ElnResponse>)> = Vec::new();
    let baseline_until = x
        .therapies
        .first()
        .map_or(x.risk.diagnosis.date, |t| t.date.max(x.risk.diagnosis.date));
    for m in x.marrow.iter().filter(|m| m.date > baseline_until) {
        let a = to_assessment(m, x, cfg.engraftment.transfusion_window_days);
        match eln_response(&a, &cfg.eln_response) {
            Ok(mut g) => {
                pretreatment_evidence(&mut g, m.date, x);
                results.push((m.date, g));
            }
            Err(e) => sink.skip(
                Criterion::Eln,
                format!("marrow assessment on {} rejected: {e}", m.date),
            ),
        }
    }
    let relapses: Vec<ResponseEvent> = super::eln_course::response_events(x, &results)
        .into_iter()
        .filter(|e| e.event == "relapse")
        .collect();
    timeline_days(&mut results, &relapses, sink);
    results
}

/// The assessments on the timeline and as day states. An assessment on a
/// relapse date of the response timeline ([`super::eln_course::response_events`],
/// the one relapse rule) reads "relapse" with its criterion, not "no
/// response", which is for disease that never cleared.
fn timeline_days(
    results: &mut [(Date, Graded<ElnResponse>)],
    relapses: &[ResponseEvent],
    sink: &mut Sink,
) {
    let mut prev: Option<&'static str> = None;
    for (date, g) in results.iter_mut() {
        let relapse = relapses.iter().find(|e| e.date == *date);
        if let (Some(e), Graded::Value { explanation, .. }) = (relapse, &mut *g) {
            explanation.reason = relapse_reason(&explanation.reason, e);
        }
        let g: &Graded<ElnResponse> = g;
        sink.state(*date, || day_state(g, relapse.is_some()));
        if let Graded::Value { value, explanation } = g {
            let l = if relapse.is_some() {
                RELAPSE_LABEL
            } else {
                label(*value)
            };
            sink.day(
                *date,
                DayEntry {
                    criterion: Criterion::Eln,
                    grade: l.to_string(),
                    level: level(*value),
                    changed: prev != Some(l),
                    reason: explanation.reason.clone(),
                },
            );
            prev = Some(l);
        }
    }
}

/// The timeline's word for an assessment on a relapse date.
const RELAPSE_LABEL: &str = "relapse";

/// "relapse 1 after remission: marrow blasts 28% (≥ 5%)", from the
/// assessment's reason "…; PR not met: …: no response"; a relapse met by
/// another criterion on the same day names it.
fn relapse_reason(reason: &str, e: &ResponseEvent) -> String {
    let what = reason
        .split("; PR not met")
        .next()
        .unwrap_or(reason)
        .trim_end_matches(": no response");
    let by = if e.detail.starts_with("marrow blasts") {
        String::new()
    } else {
        format!(" (relapse criterion: {})", e.detail)
    };
    format!("relapse {} after remission: {what}{by}", e.number)
}

fn best_item(
    results: &[(Date, Graded<ElnResponse>)],
    after: &[&(Date, Graded<ElnResponse>)],
    anchor: Option<&graftwatch_course::Anchor>,
    sink: &mut Sink,
) {
    let best = after
        .iter()
        .filter_map(|(d, g)| g.value().map(|v| (*v, *d, g)))
        .min_by_key(|(v, d, _)| (*v, *d));
    let scope = anchor
        .map(|a| format!("after {} ({})", a.kind, a.date))
        .unwrap_or_else(|| "in the course".into());
    if let Some((v, d, g)) = best {
        let mut g = g.clone();
        if let Graded::Value { explanation, .. } = &mut g {
            explanation.flags.push(Flag::new(
                "GW-BEST",
                format!(
                    "best response {scope}; MFC MRD negative below {MFC_NEGATIVE_BELOW_PERCENT} %"
                ),
            ));
        }
        sink.item(SummaryItem::from_graded(
            Criterion::Eln,
            SummaryKey::ElnBestResponse,
            &g,
            anchor,
            |_| (format!("{} on {d} ({scope})", label(v)), Some(d)),
        ));
        return;
    }
    let mut missing: Vec<String> = Vec::new();
    for (d, g) in after {
        if let Graded::InsufficientData { missing: m, .. } = g {
            missing.push(format!("{d}: {}", m.join(", ")));
        }
    }
    let g: Graded<()> = Graded::InsufficientData {
        missing: if missing.is_empty() {
            vec![format!("a marrow assessment {scope}")]
        } else {
            missing
        },
        explanation: results
            .last()
            .map(|(_, g)| g.explanation().clone())
            .unwrap_or_else(|| graftwatch_criteria::Explanation {
                rule: "ELN 2022 response",
                version: graftwatch_criteria::eln_response::ELN_RESPONSE_VERSION,
                citations: vec![graftwatch_criteria::eln_response::ELN_2022_CITATION],
                reason: format!("no gradable assessment {scope}"),
                evidence: vec![],
                flags: vec![],
            }),
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Eln,
        SummaryKey::ElnBestResponse,
        &g,
        anchor,
        |_| (String::new(), None),
    ));
}

fn mrd_latest_item(x: &CourseInputs, anchor: Option<&graftwatch_course::Anchor>, sink: &mut Sink) {
    let Some(m) = x.marrow.iter().rev().find(|m| mrd_status(m).is_some()) else {
        return;
    };
    let Some(s) = mrd_status(m) else { return };
    let val = m
        .mrd_flow_percent
        .map(Percent::get)
        .or_else(|| m.mrd_qpcr.first().map(|q| q.percent))
        .unwrap_or_default();
    let g: Graded<MrdStatus> = Graded::Value {
        value: s,
        explanation: graftwatch_criteria::Explanation {
            rule: "ELN MRD status",
            version: graftwatch_criteria::eln_relapse::ELN_RELAPSE_VERSION,
            citations: vec![graftwatch_criteria::eln_relapse::ELN_MRD_2021_CITATION],
            reason: format!(
                "latest MRD on {}: {val} % by {}",
                m.date,
                technique_text(s.technique)
            ),
            evidence: vec![graftwatch_criteria::Evidence::value(
                Some(m.date),
                "mrd",
                val,
                Some(graftwatch_core::Unit::Percent),
                if s.negative { "negative" } else { "positive" },
            )],
            flags: vec![Flag::new(
                "GW-MRD",
                format!(
                    "MFC MRD negative below {MFC_NEGATIVE_BELOW_PERCENT} %; qPCR negative when 0"
                ),
            )],
        },
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Eln,
        SummaryKey::MrdLatest,
        &g,
        anchor,
        |v| {
            (
                format!("{} on {}", mrd_words(v.negative, val, v.technique), m.date),
                Some(m.date),
            )
        },
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flow MRD detected under the 0.1 % threshold is negative by ELN 2021,
    /// and the words say what was measured; 0 and qPCR read plainly.
    #[test]
    fn mrd_below_the_flow_threshold_says_it_was_detected() {
        assert_eq!(
            mrd_words(true, 0.05, MrdTechnique::Mfc),
            "negative (0.05 % detected, below the 0.1 % threshold)"
        );
        assert_eq!(mrd_words(true, 0.0, MrdTechnique::Mfc), "negative");
        assert_eq!(mrd_words(true, 0.0, MrdTechnique::Qpcr), "negative");
        assert_eq!(mrd_words(false, 0.1, MrdTechnique::Mfc), "positive");
    }
}

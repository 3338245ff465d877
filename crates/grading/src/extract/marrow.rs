//! Disease assessments (ELN 2022 inputs): marrow blasts and cellularity,
//! MRD by flow and by qPCR, extramedullary disease, with the peripheral
//! counts closest to the assessment date.

use graftwatch_core::{Date, Percent};
use graftwatch_course::{Course, Observation, ObservationKind};
use serde::Serialize;

use super::counts::{DailyCounts, DayValue};

/// An MRD qPCR result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QpcrResult {
    /// Assay (e.g. `NPM1/ABL1`), when stated.
    pub assay: Option<String>,
    /// Transcript ratio, % (may exceed 100 %: a plain number, not a share).
    pub percent: f64,
}

/// One disease assessment date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarrowAssessment {
    /// Date of the marrow / MRD sample.
    pub date: Date,
    /// Marrow blasts, %.
    pub blasts_percent: Option<Percent>,
    /// Marrow cellularity, %.
    pub cellularity_percent: Option<Percent>,
    /// MRD by flow cytometry, % of CD45+ cells.
    pub mrd_flow_percent: Option<Percent>,
    /// MRD by qPCR results of that date.
    pub mrd_qpcr: Vec<QpcrResult>,
    /// Extramedullary disease present.
    pub extramedullary: Option<bool>,
    /// ANC nearest the date (within the window).
    pub anc: Option<DayValue>,
    /// Platelets nearest the date (within the window).
    pub platelets: Option<DayValue>,
    /// Peripheral-blood blasts nearest the date (within the window).
    pub pb_blasts: Option<DayValue>,
}

/// Extracts the disease assessments; peripheral counts are taken from the
/// nearest day within `± count_window_days`.
pub fn marrow_assessments(
    course: &Course,
    counts: &DailyCounts,
    count_window_days: i32,
) -> Vec<MarrowAssessment> {
    marrow_assessments_of(course.observations.iter(), counts, count_window_days)
}

/// The kinds [`marrow_assessments`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    use ObservationKind as K;
    matches!(
        kind,
        K::MarrowBlasts | K::MarrowCellularity | K::MrdFlow | K::MrdQpcr | K::ExtramedullaryDisease
    )
}

/// [`marrow_assessments`] of the observations given (course order).
pub(crate) fn marrow_assessments_of<'a>(
    obs: impl Iterator<Item = &'a Observation>,
    counts: &DailyCounts,
    count_window_days: i32,
) -> Vec<MarrowAssessment> {
    use ObservationKind as K;
    let mut out: Vec<MarrowAssessment> = Vec::new();
    for o in obs {
        if !reads(o.kind) {
            continue;
        }
        let idx = match out.iter().rposition(|m| m.date == o.date) {
            Some(i) => i,
            None => {
                out.push(MarrowAssessment {
                    date: o.date,
                    blasts_percent: None,
                    cellularity_percent: None,
                    mrd_flow_percent: None,
                    mrd_qpcr: Vec::new(),
                    extramedullary: None,
                    anc: None,
                    platelets: None,
                    pb_blasts: None,
                });
                out.len() - 1
            }
        };
        let m = &mut out[idx];
        match o.kind {
            K::MarrowBlasts => {
                if let Some(v) = o.percent() {
                    m.blasts_percent = Some(m.blasts_percent.map_or(v, |x| x.max(v)));
                }
            }
            K::MarrowCellularity => m.cellularity_percent = o.percent().or(m.cellularity_percent),
            K::MrdFlow => {
                if let Some(v) = o.percent() {
                    m.mrd_flow_percent = Some(m.mrd_flow_percent.map_or(v, |x| x.max(v)));
                }
            }
            K::MrdQpcr => {
                if let Some(v) = o.number() {
                    m.mrd_qpcr.push(QpcrResult {
                        assay: o.assay.as_deref().map(str::to_string),
                        percent: v,
                    });
                }
            }
            K::ExtramedullaryDisease => {
                if let Some(b) = o.value.as_bool() {
                    m.extramedullary = Some(m.extramedullary.unwrap_or(false) | b);
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|m| m.date);
    for m in &mut out {
        m.anc = counts.anc.nearest(m.date, count_window_days).copied();
        m.platelets = counts.platelets.nearest(m.date, count_window_days).copied();
        m.pb_blasts = counts.pb_blasts.nearest(m.date, count_window_days).copied();
    }
    out
}

/// What kind of anti-leukaemic therapy began on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TherapyKind {
    /// A chemotherapy course; `induction` when its intent says induction
    /// (also re-induction), `line` as recorded.
    Chemotherapy {
        /// Intent contains "induction".
        induction: bool,
        /// Line number, when recorded.
        line: Option<u32>,
    },
    /// An anti-leukaemic drug course (hypomethylating agent, venetoclax,
    /// targeted agent): less-intensive therapy.
    AntiLeukemicDrug,
    /// Lymphodepletion before CAR-T.
    Lymphodepletion,
    /// Conditioning before a transplant.
    Conditioning,
    /// A CAR-T infusion.
    CarT,
    /// A graft infusion.
    Graft,
}

/// The start of a therapy: what the pretreatment marrow is taken before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TherapyStart {
    /// Start date.
    pub date: Date,
    /// Kind.
    pub kind: TherapyKind,
    /// Regimen or drug name.
    pub label: String,
}

/// Every therapy start of the course, in date order.
pub fn therapy_starts(course: &Course) -> Vec<TherapyStart> {
    use graftwatch_course::{DrugClass, EventDetail as E};
    let mut out: Vec<TherapyStart> = course
        .events
        .iter()
        .filter_map(|e| {
            let (kind, label) = match &e.detail {
                E::Chemotherapy {
                    regimen,
                    line,
                    intent,
                } => (
                    TherapyKind::Chemotherapy {
                        induction: intent
                            .as_deref()
                            .is_some_and(|i| i.to_ascii_lowercase().contains("induction")),
                        line: *line,
                    },
                    regimen.clone(),
                ),
                E::Drug {
                    name,
                    class: DrugClass::AntiLeukemic,
                    ..
                } => (TherapyKind::AntiLeukemicDrug, name.clone()),
                E::Lymphodepletion { regimen, .. } => {
                    (TherapyKind::Lymphodepletion, regimen.clone())
                }
                E::Conditioning { regimen, .. } => (TherapyKind::Conditioning, regimen.clone()),
                E::CarTInfusion { product, .. } => (TherapyKind::CarT, product.clone()),
                E::GraftInfusion { source, .. } => (TherapyKind::Graft, source.label().to_string()),
                _ => return None,
            };
            Some(TherapyStart {
                date: e.date,
                kind,
                label,
            })
        })
        .collect();
    out.sort_by_key(|t| t.date);
    out
}

/// The pretreatment marrow blast % for an assessment on `date`: the latest
/// marrow blast % on or before the start of the latest therapy begun before
/// `date` (the diagnostic marrow for first induction). `None` when no
/// therapy began before `date` or no marrow precedes it.
pub fn pretreatment_blasts(
    marrow: &[MarrowAssessment],
    therapies: &[TherapyStart],
    date: Date,
) -> Option<(Date, f64)> {
    let start = therapies.iter().rfind(|t| t.date < date)?.date;
    marrow
        .iter()
        .rfind(|m| m.date <= start && m.blasts_percent.is_some())
        .and_then(|m| m.blasts_percent.map(|b| (m.date, b.get())))
}

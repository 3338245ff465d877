//! Disease assessments (ELN 2022 inputs): marrow blasts and cellularity,
//! MRD by flow and by qPCR, extramedullary disease, with the peripheral
//! counts closest to the assessment date.

use graftwatch_core::Date;
use graftwatch_course::{Course, ObservationKind};
use serde::Serialize;

use super::counts::{DailyCounts, DayValue};

/// An MRD qPCR result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QpcrResult {
    /// Assay (e.g. `NPM1/ABL1`), when stated.
    pub assay: Option<String>,
    /// Transcript ratio, %.
    pub percent: f64,
}

/// One disease assessment date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarrowAssessment {
    /// Date of the marrow / MRD sample.
    pub date: Date,
    /// Marrow blasts, %.
    pub blasts_percent: Option<f64>,
    /// Marrow cellularity, %.
    pub cellularity_percent: Option<f64>,
    /// MRD by flow cytometry, % of CD45+ cells.
    pub mrd_flow_percent: Option<f64>,
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
    use ObservationKind as K;
    let mut out: Vec<MarrowAssessment> = Vec::new();
    for o in &course.observations {
        if !matches!(
            o.kind,
            K::MarrowBlasts
                | K::MarrowCellularity
                | K::MrdFlow
                | K::MrdQpcr
                | K::ExtramedullaryDisease
        ) {
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
                if let Some(v) = o.number() {
                    m.blasts_percent = Some(m.blasts_percent.map_or(v, |x| x.max(v)));
                }
            }
            K::MarrowCellularity => m.cellularity_percent = o.number().or(m.cellularity_percent),
            K::MrdFlow => {
                if let Some(v) = o.number() {
                    m.mrd_flow_percent = Some(m.mrd_flow_percent.map_or(v, |x| x.max(v)));
                }
            }
            K::MrdQpcr => {
                if let Some(v) = o.number() {
                    m.mrd_qpcr.push(QpcrResult {
                        assay: o.assay.clone(),
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

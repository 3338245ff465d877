//! Chronic-GVHD (NIH 2014) organ inputs per assessment date.

use std::collections::BTreeMap;

use graftwatch_core::Date;
use graftwatch_course::{Attribution, Course, Observation, ObservationKind};
use serde::Serialize;

use super::gvhd::Finding;

/// The NIH organ inputs recorded on one date (`None` = not assessed).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CgvhdAssessment {
    /// Date (set by the extractor).
    pub date: Option<Date>,
    /// Skin: % BSA involved.
    pub skin_bsa: Option<Finding<f64>>,
    /// Skin features score 0–3.
    pub skin_features: Option<Finding<u8>>,
    /// Mouth 0–3.
    pub mouth: Option<Finding<u8>>,
    /// Eyes 0–3.
    pub eyes: Option<Finding<u8>>,
    /// GI 0–3.
    pub gi: Option<Finding<u8>>,
    /// Joints and fascia 0–3.
    pub joints: Option<Finding<u8>>,
    /// Genital tract 0–3.
    pub genital: Option<Finding<u8>>,
    /// Lung symptom score 0–3.
    pub lung_symptoms: Option<Finding<u8>>,
    /// FEV1, % predicted.
    pub fev1_percent: Option<Finding<f64>>,
    /// DLCO, % predicted.
    pub dlco_percent: Option<Finding<f64>>,
    /// Weight loss over 3 months, %.
    pub weight_loss_percent: Option<Finding<f64>>,
    /// Highest total bilirubin that day, mg/dL (liver score input).
    pub bilirubin_mg_dl: Option<Finding<f64>>,
}

impl CgvhdAssessment {
    /// True when any organ score (not just a lab) was recorded.
    pub fn any_organ(&self) -> bool {
        self.skin_bsa.is_some()
            || self.skin_features.is_some()
            || self.mouth.is_some()
            || self.eyes.is_some()
            || self.gi.is_some()
            || self.joints.is_some()
            || self.genital.is_some()
            || self.lung_symptoms.is_some()
            || self.fev1_percent.is_some()
    }
}

fn put_score(slot: &mut Option<Finding<u8>>, v: f64, a: Option<Attribution>) {
    let s = v.clamp(0.0, 3.0).round() as u8;
    Finding::fold(slot, s, a, u8::max);
}

fn put_max(slot: &mut Option<Finding<f64>>, v: f64, a: Option<Attribution>) {
    Finding::fold(slot, v, a, f64::max);
}

fn put_min(slot: &mut Option<Finding<f64>>, v: f64, a: Option<Attribution>) {
    Finding::fold(slot, v, a, f64::min);
}

/// Extracts the chronic-GVHD assessments (dates with at least one organ
/// score; the bilirubin of those dates is attached).
pub fn cgvhd_assessments(course: &Course) -> Vec<CgvhdAssessment> {
    cgvhd_assessments_of(course.observations.iter())
}

/// The kinds [`cgvhd_assessments`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    use ObservationKind as K;
    matches!(
        kind,
        K::EyeDropsPerDay
            | K::PunctalPlugs
            | K::Lab(graftwatch_core::Analyte::Bilirubin)
            | K::CgvhdSkinBsa
            | K::CgvhdSkinFeatures
            | K::CgvhdMouth
            | K::CgvhdEyes
            | K::CgvhdGi
            | K::CgvhdJoints
            | K::CgvhdGenital
            | K::CgvhdLungSymptoms
            | K::Fev1Percent
            | K::DlcoPercent
            | K::WeightLossPercent
    )
}

/// Eye treatment per date: highest drops per day, any punctal plugs.
type EyeTreatment = BTreeMap<Date, (Option<u32>, Option<bool>)>;

/// [`cgvhd_assessments`] of the observations given (course order).
pub(crate) fn cgvhd_assessments_of<'a>(
    obs: impl Iterator<Item = &'a Observation>,
) -> Vec<CgvhdAssessment> {
    use ObservationKind as K;
    let mut by_date: BTreeMap<Date, CgvhdAssessment> = BTreeMap::new();
    let mut bili: Vec<(Date, f64, Option<Attribution>)> = Vec::new();
    let mut eye_tx = EyeTreatment::new();
    for o in obs {
        if record_eye_treatment(&mut eye_tx, o) {
            continue;
        }
        let Some(v) = o.number() else { continue };
        let a = o.attribution;
        if o.kind == K::Lab(graftwatch_core::Analyte::Bilirubin) {
            bili.push((o.date, v, a));
            continue;
        }
        let is_cgvhd = matches!(
            o.kind,
            K::CgvhdSkinBsa
                | K::CgvhdSkinFeatures
                | K::CgvhdMouth
                | K::CgvhdEyes
                | K::CgvhdGi
                | K::CgvhdJoints
                | K::CgvhdGenital
                | K::CgvhdLungSymptoms
                | K::Fev1Percent
                | K::DlcoPercent
                | K::WeightLossPercent
        );
        if !is_cgvhd {
            continue;
        }
        let e = by_date.entry(o.date).or_default();
        e.date = Some(o.date);
        put_organ(e, o.kind, v, a);
    }
    add_eye_scores_from_treatment(&mut by_date, eye_tx);
    for (d, v, a) in bili {
        if let Some(e) = by_date.get_mut(&d) {
            put_max(&mut e.bilirubin_mg_dl, v, a);
        }
    }
    by_date.into_values().collect()
}

/// Records an eye-drop or punctal-plug observation; `false` for any other kind.
fn record_eye_treatment(eye_tx: &mut EyeTreatment, o: &Observation) -> bool {
    match o.kind {
        ObservationKind::EyeDropsPerDay => {
            let t = eye_tx.entry(o.date).or_default();
            t.0 = t.0.max(o.number().map(|v| v as u32));
            true
        }
        ObservationKind::PunctalPlugs => {
            let t = eye_tx.entry(o.date).or_default();
            t.1 = Some(t.1.unwrap_or(false) | o.value.as_bool().unwrap_or(false));
            true
        }
        _ => false,
    }
}

/// Folds one organ value into the day's assessment: scores and skin BSA and
/// weight loss keep the day's highest, FEV1/DLCO the lowest (lower is worse).
fn put_organ(e: &mut CgvhdAssessment, kind: ObservationKind, v: f64, a: Option<Attribution>) {
    use ObservationKind as K;
    match kind {
        K::CgvhdSkinBsa => put_max(&mut e.skin_bsa, v, a),
        K::CgvhdSkinFeatures => put_score(&mut e.skin_features, v, a),
        K::CgvhdMouth => put_score(&mut e.mouth, v, a),
        K::CgvhdEyes => put_score(&mut e.eyes, v, a),
        K::CgvhdGi => put_score(&mut e.gi, v, a),
        K::CgvhdJoints => put_score(&mut e.joints, v, a),
        K::CgvhdGenital => put_score(&mut e.genital, v, a),
        K::CgvhdLungSymptoms => put_score(&mut e.lung_symptoms, v, a),
        K::Fev1Percent => put_min(&mut e.fev1_percent, v, a),
        K::DlcoPercent => put_min(&mut e.dlco_percent, v, a),
        K::WeightLossPercent => put_max(&mut e.weight_loss_percent, v, a),
        _ => {}
    }
}

/// The eye score the treatment implies, where no clinician score was
/// recorded that day (NIH 2014 form; criteria::cgvhd_nih).
fn add_eye_scores_from_treatment(
    by_date: &mut BTreeMap<Date, CgvhdAssessment>,
    eye_tx: EyeTreatment,
) {
    for (d, (drops, plugs)) in eye_tx {
        if let Some(score) = graftwatch_criteria::cgvhd_nih::eye_score_from_treatment(drops, plugs)
        {
            let e = by_date.entry(d).or_default();
            e.date = Some(d);
            if e.eyes.is_none() {
                put_score(&mut e.eyes, f64::from(score), None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lung_function_keeps_the_lowest_and_scores_the_highest() {
        let mut e = CgvhdAssessment::default();
        put_organ(&mut e, ObservationKind::Fev1Percent, 70.0, None);
        put_organ(&mut e, ObservationKind::Fev1Percent, 65.0, None);
        put_organ(&mut e, ObservationKind::Fev1Percent, 80.0, None);
        assert_eq!(e.fev1_percent.map(|f| f.value), Some(65.0));
        put_organ(&mut e, ObservationKind::CgvhdMouth, 1.0, None);
        put_organ(&mut e, ObservationKind::CgvhdMouth, 2.0, None);
        put_organ(&mut e, ObservationKind::CgvhdMouth, 0.0, None);
        assert_eq!(e.mouth.map(|f| f.value), Some(2));
        put_organ(&mut e, ObservationKind::CgvhdSkinBsa, 12.0, None);
        put_organ(&mut e, ObservationKind::CgvhdSkinBsa, 8.0, None);
        assert_eq!(e.skin_bsa.map(|f| f.value), Some(12.0));
        assert!(e.bilirubin_mg_dl.is_none());
    }
}

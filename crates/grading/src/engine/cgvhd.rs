//! NIH 2014 chronic GVHD global severity at every chronic-GVHD assessment
//! after the first transplant, and the worst severity in the summary.
//!
//! The course records organ scores 0–3 for mouth, eyes, joints, genital
//! tract and lung symptoms (passed as clinician scores), skin BSA and a
//! skin-features score (0–1 no sclerosis, 2 superficial, 3 deep), a GI
//! score (0 none, 1 symptoms, 2 moderate, 3 severe diarrhoea: flag
//! `GW-CGVHD-GI`), FEV1 and weight loss; the liver uses the bilirubin of
//! the assessment date against the patient's ULN.

use graftwatch_core::Analyte;
use graftwatch_course::{AnchorKind, Attribution as CourseAttr, Course, ObservationKind};
use graftwatch_criteria::Flag;
use graftwatch_criteria::agvhd::Attribution;
use graftwatch_criteria::cgvhd_nih::{
    CgvhdAssessment, CgvhdGi, CgvhdLiver, CgvhdLungs, CgvhdResult, CgvhdSkin, ClinicianScore,
    DiarrheaCategory, GlobalSeverity, SclerosisFeatures, grade_cgvhd,
};

use super::Sink;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::extract::cgvhd::CgvhdAssessment as InAssessment;
use crate::extract::gvhd::Finding;
use crate::output::{DayEntry, SummaryItem};

fn attr(a: Option<CourseAttr>) -> Attribution {
    match a {
        Some(CourseAttr::Other) => Attribution::OtherCause,
        Some(CourseAttr::Multifactorial) => Attribution::Multifactorial,
        Some(CourseAttr::Gvhd) | None => Attribution::Gvhd,
    }
}

fn score(f: Option<Finding<u8>>) -> Option<ClinicianScore> {
    f.map(|f| ClinicianScore {
        score: f.value,
        attribution: attr(f.attribution),
    })
}

/// Maps an extracted assessment to the criteria's NIH input.
pub fn to_nih(a: &InAssessment, course: &Course) -> CgvhdAssessment {
    let skin = if a.skin_bsa.is_some() || a.skin_features.is_some() {
        Some(CgvhdSkin {
            bsa_pct: a.skin_bsa.map_or(0.0, |b| b.value),
            sclerosis: match a.skin_features.map_or(0, |f| f.value) {
                0 | 1 => SclerosisFeatures::None,
                2 => SclerosisFeatures::Superficial,
                _ => SclerosisFeatures::DeepOrImpairedMobilityOrUlceration,
            },
            attribution: attr(
                a.skin_bsa
                    .and_then(|b| b.attribution)
                    .or(a.skin_features.and_then(|f| f.attribution)),
            ),
        })
    } else {
        None
    };
    let gi = a.gi.map(|g| CgvhdGi {
        symptoms: g.value >= 1,
        weight_loss_pct_3mo: a.weight_loss_percent.map(|w| w.value),
        diarrhea: match g.value {
            0 | 1 => DiarrheaCategory::None,
            2 => DiarrheaCategory::Moderate,
            _ => DiarrheaCategory::Severe,
        },
        esophageal_dilation: false,
        attribution: attr(g.attribution),
    });
    // ALT / ALP of the assessment date (highest), with the patient's ULNs.
    let lab = |an: Analyte| -> Option<f64> {
        let d = a.date?;
        course
            .observations
            .iter()
            .filter(|o| o.date == d && o.kind == ObservationKind::Lab(an))
            .filter_map(|o| o.number())
            .reduce(f64::max)
    };
    let uln = course.patient.lab_reference;
    let (alt, alp) = (lab(Analyte::Alt), lab(Analyte::Alp));
    let liver = a.bilirubin_mg_dl.map(|b| CgvhdLiver {
        bilirubin_mg_dl: b.value,
        bilirubin_uln_mg_dl: uln.bilirubin_uln_mg_dl,
        alt_u_l: alt,
        alt_uln_u_l: alt.map(|_| uln.alt_uln),
        alp_u_l: alp,
        alp_uln_u_l: alp.map(|_| uln.alp_uln),
        attribution: attr(b.attribution),
    });
    let lungs = if a.fev1_percent.is_some() || a.lung_symptoms.is_some() {
        Some(CgvhdLungs {
            fev1_pct_predicted: a.fev1_percent.map(|f| f.value),
            symptom_score: a.lung_symptoms.map(|s| s.value),
            attribution: attr(
                a.fev1_percent
                    .and_then(|f| f.attribution)
                    .or(a.lung_symptoms.and_then(|s| s.attribution)),
            ),
        })
    } else {
        None
    };
    CgvhdAssessment {
        date: a.date,
        skin,
        mouth: score(a.mouth),
        eyes: score(a.eyes),
        gi,
        liver,
        lungs,
        joints: score(a.joints),
        genital: score(a.genital),
        performance: None,
    }
}

fn label(s: GlobalSeverity) -> (&'static str, u8) {
    match s {
        GlobalSeverity::None => ("none", 0),
        GlobalSeverity::Mild => ("mild", 1),
        GlobalSeverity::Moderate => ("moderate", 2),
        GlobalSeverity::Severe => ("severe", 3),
    }
}

/// Runs NIH 2014 scoring over the assessments after the first transplant.
pub(crate) fn run(course: &Course, x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let Some(hct) = x
        .anchors
        .iter()
        .find(|a| matches!(a.kind, AnchorKind::Transplant(_)))
        .copied()
    else {
        sink.not_applicable(
            Criterion::Cgvhd,
            "cgvhd_max_severity",
            "NIH 2014 chronic GVHD",
            "no allogeneic transplant in the course",
        );
        return;
    };
    let list: Vec<&InAssessment> = x
        .cgvhd
        .iter()
        .filter(|a| a.date.is_some_and(|d| d >= hct.date) && a.any_organ())
        .collect();
    if list.is_empty() {
        sink.not_applicable(
            Criterion::Cgvhd,
            "cgvhd_max_severity",
            "NIH 2014 chronic GVHD",
            "no chronic GVHD organ assessment after the transplant",
        );
        return;
    }
    let mut prev: Option<&str> = None;
    type Worst = (
        GlobalSeverity,
        graftwatch_criteria::Graded<CgvhdResult>,
        graftwatch_core::Date,
    );
    let mut worst: Option<Worst> = None;
    let gi_mapped = list.iter().any(|a| a.gi.is_some());
    for a in list {
        let Some(date) = a.date else { continue };
        match grade_cgvhd(&to_nih(a, course), &cfg.cgvhd) {
            Ok(g) => {
                if let Some(v) = g.value() {
                    let (l, lv) = label(v.global);
                    let changed = prev != Some(l);
                    if lv > 0 || changed {
                        sink.day(
                            date,
                            DayEntry {
                                criterion: Criterion::Cgvhd,
                                grade: l.to_string(),
                                level: lv,
                                changed,
                                reason: g.explanation().reason.clone(),
                            },
                        );
                    }
                    prev = Some(l);
                    if worst.as_ref().is_none_or(|(s, _, _)| v.global > *s) {
                        worst = Some((v.global, g.clone(), date));
                    }
                } else if worst.is_none() {
                    worst = Some((GlobalSeverity::None, g, date));
                }
            }
            Err(e) => sink.skip(
                Criterion::Cgvhd,
                format!("chronic GVHD assessment on {date} rejected: {e}"),
            ),
        }
    }
    if let Some((_, mut g, date)) = worst {
        if gi_mapped {
            match &mut g {
                graftwatch_criteria::Graded::Value { explanation, .. }
                | graftwatch_criteria::Graded::InsufficientData { explanation, .. }
                | graftwatch_criteria::Graded::NotApplicable { explanation, .. } => explanation.flags.push(Flag::new(
                    "GW-CGVHD-GI",
                    "course GI score mapped: 1 = symptoms without significant weight loss, 2 = moderate, 3 = severe diarrhoea",
                )),
            }
        }
        sink.item(SummaryItem::from_graded(
            Criterion::Cgvhd,
            "cgvhd_max_severity",
            &g,
            Some(&hct),
            |v| {
                (
                    format!(
                        "{} (NIH 2014) on {date} ({})",
                        label(v.global).0,
                        hct.describe(date)
                    ),
                    Some(date),
                )
            },
        ));
    }
}

//! NIH 2014 chronic GVHD global severity at every chronic-GVHD assessment
//! after the first transplant, and the worst severity in the summary.
//!
//! The course records organ scores 0–3 for mouth, eyes, joints, genital
//! tract and lung symptoms (passed as clinician scores), skin BSA and a
//! skin-features score (0–1 no sclerosis, 2 superficial, 3 deep), a GI
//! score (0 none, 1 symptoms, 2 moderate, 3 severe diarrhoea: flag
//! `GW-CGVHD-GI`), FEV1 and weight loss; the liver uses the bilirubin of
//! the assessment date against the patient's ULN.

use graftwatch_core::{Analyte, Date, Percent};
use graftwatch_course::{Anchor, Attribution as CourseAttr, Course, ObservationKind};
use graftwatch_criteria::agvhd::Attribution;
use graftwatch_criteria::cgvhd_nih::{
    CgvhdAssessment, CgvhdGi, CgvhdLiver, CgvhdLungs, CgvhdOrgan, CgvhdResult, CgvhdSkin,
    ClinicianScore, DiarrheaCategory, GlobalSeverity, SclerosisFeatures, grade_cgvhd,
};
use graftwatch_criteria::{Flag, Graded};

use graftwatch_criteria::gvhd_response::{OrganAssessment, cgvhd_response};

use super::Sink;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::extract::cgvhd::CgvhdAssessment as InAssessment;
use crate::extract::gvhd::Finding;
use crate::output::{DayEntry, DayState, DayStatus, SummaryItem};

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

/// Weight loss computed from the weight history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightLoss {
    /// Loss, % of the reference weight (0 when the weight did not fall).
    pub percent: Percent,
    /// Highest weight in the window before the assessment (reference), kg.
    pub from_kg: f64,
    /// Its date.
    pub from_date: Date,
    /// Latest weight on or before the assessment, kg.
    pub to_kg: f64,
    /// Its date.
    pub to_date: Date,
}

/// NIH 2014 GI weight loss from the course's weight history: the latest
/// weight on or before `date` against the highest weight recorded in the
/// `window_days` (default 90, "within 3 months") before it. `None` when no
/// weight is recorded in the window before the latest one.
pub fn weight_loss_from_history(
    course: &Course,
    date: Date,
    window_days: i32,
) -> Option<WeightLoss> {
    let ws: Vec<(Date, f64)> = course
        .observations_of(ObservationKind::Weight)
        .filter_map(|o| o.number().map(|v| (o.date, v)))
        .filter(|(d, _)| *d <= date && date.days_since(*d).get() <= window_days)
        .collect();
    let (to_date, to_kg) = *ws.iter().max_by_key(|(d, _)| *d)?;
    let (from_date, from_kg) = ws
        .iter()
        .filter(|(d, _)| *d < to_date)
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if from_kg <= 0.0 {
        return None;
    }
    Some(WeightLoss {
        // Weights are > 0 (validated), so the loss is below 100 %; a gain is 0.
        percent: Percent::clamp((from_kg - to_kg) / from_kg * 100.0)?,
        from_kg,
        from_date,
        to_kg,
        to_date,
    })
}

/// Maps an extracted assessment to the criteria's NIH input; GI weight loss
/// not recorded as a percentage comes from the weight history over
/// `weight_window_days`.
pub fn to_nih(a: &InAssessment, course: &Course, weight_window_days: i32) -> CgvhdAssessment {
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
        weight_loss_pct_3mo: a.weight_loss_percent.map(|w| w.value).or_else(|| {
            a.date
                .and_then(|d| weight_loss_from_history(course, d, weight_window_days))
                .map(|w| w.percent.get())
        }),
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

/// Runs NIH 2014 scoring per transplant (assessments from its day 0 to the
/// day before the next transplant; later transplants suffix `_hct2` …).
pub(crate) fn run(course: &Course, x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let hcts = super::agvhd_run::transplants(x);
    if hcts.is_empty() {
        sink.not_applicable(
            Criterion::Cgvhd,
            SummaryKey::CgvhdMaxSeverity,
            "NIH 2014 chronic GVHD",
            "no allogeneic transplant in the course",
        );
        return;
    }
    for (hct, end, suffix) in super::agvhd_run::windows(&hcts) {
        run_one(course, x, cfg, sink, hct, end, &suffix);
    }
}

type Worst = (GlobalSeverity, Graded<CgvhdResult>, Date);

fn run_one(
    course: &Course,
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
    hct: &Anchor,
    end: Option<Date>,
    suffix: &str,
) {
    let name = SummaryKey::CgvhdMaxSeverity.with(suffix);
    let list: Vec<&InAssessment> = x
        .cgvhd
        .iter()
        .filter(|a| {
            a.date
                .is_some_and(|d| d >= hct.date && end.is_none_or(|e| d <= e))
                && a.any_organ()
        })
        .collect();
    if list.is_empty() {
        sink.not_applicable(
            Criterion::Cgvhd,
            &name,
            "NIH 2014 chronic GVHD",
            "no chronic GVHD organ assessment after the transplant",
        );
        return;
    }
    let window = cfg.engine.cgvhd_weight_window_days;
    let mut flags = Vec::new();
    if list.iter().any(|a| a.gi.is_some()) {
        flags.push(Flag::new(
            "GW-CGVHD-GI",
            "course GI score mapped: 1 = symptoms without significant weight loss, 2 = moderate, 3 = severe diarrhoea",
        ));
    }
    if let Some(t) = weight_flag(course, &list, window) {
        flags.push(t);
    }
    let mut scored = Vec::new();
    let worst = assessments(course, &list, cfg, sink, &mut scored);
    response_item(x, hct, end, suffix, &scored, sink);
    steroid_item(x, hct, end, suffix, &scored, cfg, sink);
    let Some((_, g, date)) = worst else { return };
    let mut g = g;
    match &mut g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation.flags.extend(flags),
    }
    sink.item(SummaryItem::from_graded(
        Criterion::Cgvhd,
        &name,
        &g,
        Some(hct),
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

fn organ_scores(date: Date, r: &CgvhdResult) -> OrganAssessment<8> {
    OrganAssessment {
        date,
        stages: CgvhdOrgan::ALL.map(|o| {
            r.organs
                .iter()
                .find(|s| s.organ == o && !s.excluded)
                .map(|s| s.score)
        }),
    }
}

/// NIH 2014 chronic GVHD response: the latest scored assessment against the
/// baseline = the last scored assessment on or before the first systemic
/// steroid started on or after the first assessment with chronic GVHD
/// (global severity mild or worse).
fn response_item(
    x: &CourseInputs,
    hct: &Anchor,
    end: Option<Date>,
    suffix: &str,
    scored: &[(Date, CgvhdResult)],
    sink: &mut Sink,
) {
    let Some(start) = first_steroid_after_onset(x, end, scored) else {
        return;
    };
    let base = scored.iter().rfind(|(d, _)| *d <= start);
    let last = scored.last().filter(|(d, _)| *d > start);
    let (Some((bd, b)), Some((ld, l))) = (base, last) else {
        return;
    };
    let g = cgvhd_response(&organ_scores(*bd, b), &organ_scores(*ld, l));
    let (bd, ld) = (*bd, *ld);
    sink.item(SummaryItem::from_graded(
        Criterion::Cgvhd,
        SummaryKey::CgvhdTreatmentResponse.with(suffix),
        &g,
        Some(hct),
        |v| {
            (
                format!(
                    "{} on {ld} against {bd} (steroids from {start}){}",
                    v.0.text(),
                    if v.1 {
                        "; progression in at least one organ"
                    } else {
                        ""
                    }
                ),
                Some(ld),
            )
        },
    ));
}

/// The first systemic steroid started on or after chronic-GVHD onset (the
/// first assessment with global severity mild or worse) and not after
/// `end`: the start both the NIH response and the steroid-refractory /
/// steroid-dependent definitions measure from.
fn first_steroid_after_onset(
    x: &CourseInputs,
    end: Option<Date>,
    scored: &[(Date, CgvhdResult)],
) -> Option<Date> {
    let onset = scored
        .iter()
        .find(|(_, r)| r.global > GlobalSeverity::None)
        .map(|(d, _)| *d)?;
    x.drugs
        .intervals
        .iter()
        .filter(|i| i.class == graftwatch_course::DrugClass::Steroid)
        .filter(|i| i.start >= onset && end.is_none_or(|e| i.start <= e))
        .map(|i| i.start)
        .min()
}

/// Steroid-refractory / steroid-dependent chronic GVHD from the first
/// systemic steroid started on or after chronic-GVHD onset.
fn steroid_item(
    x: &CourseInputs,
    hct: &Anchor,
    end: Option<Date>,
    suffix: &str,
    scored: &[(Date, CgvhdResult)],
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
) {
    let Some(start) = first_steroid_after_onset(x, end, scored) else {
        return;
    };
    let scores: Vec<(Date, OrganAssessment<8>)> = scored
        .iter()
        .map(|(d, r)| (*d, organ_scores(*d, r)))
        .collect();
    super::cgvhd_steroid::run(
        x,
        (hct, end, suffix),
        &scores,
        start,
        &cfg.cgvhd_steroid,
        sink,
    );
}

/// The weight-history flag when a GI weight loss was computed.
fn weight_flag(course: &Course, list: &[&InAssessment], window: i32) -> Option<Flag> {
    let used: Vec<String> = list
        .iter()
        .filter(|a| a.gi.is_some() && a.weight_loss_percent.is_none())
        .filter_map(|a| {
            let d = a.date?;
            weight_loss_from_history(course, d, window).map(|w| {
                format!(
                    "{d}: {:.1} % ({} kg on {} to {} kg on {})",
                    w.percent.get(),
                    w.from_kg,
                    w.from_date,
                    w.to_kg,
                    w.to_date
                )
            })
        })
        .collect();
    (!used.is_empty()).then(|| {
        Flag::new(
            "GW-WEIGHT-LOSS",
            format!(
                "GI weight loss from the weight history (highest weight in the {window} days before the latest): {}",
                used.join("; ")
            ),
        )
    })
}

fn assessments(
    course: &Course,
    list: &[&InAssessment],
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
    scored: &mut Vec<(Date, CgvhdResult)>,
) -> Option<Worst> {
    let mut prev: Option<&str> = None;
    let mut worst: Option<Worst> = None;
    for a in list {
        let Some(date) = a.date else { continue };
        let g = match grade_cgvhd(
            &to_nih(a, course, cfg.engine.cgvhd_weight_window_days),
            &cfg.cgvhd,
        ) {
            Ok(g) => g,
            Err(e) => {
                sink.skip(
                    Criterion::Cgvhd,
                    format!("chronic GVHD assessment on {date} rejected: {e}"),
                );
                continue;
            }
        };
        sink.state(date, || day_state(&g));
        if let Some(v) = g.value() {
            scored.push((date, v.clone()));
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
    worst
}

fn day_state(g: &Graded<CgvhdResult>) -> DayState {
    let (status, grade, value, missing) = match g {
        Graded::Value { value, .. } => (
            DayStatus::Graded,
            Some(label(value.global).0.to_string()),
            serde_json::to_value(value).ok(),
            vec![],
        ),
        Graded::InsufficientData { missing, .. } => {
            (DayStatus::InsufficientData, None, None, missing.clone())
        }
        Graded::NotApplicable { reason, .. } => {
            (DayStatus::NotAssessed, None, None, vec![reason.clone()])
        }
    };
    DayState {
        criterion: Criterion::Cgvhd,
        system: "nih_global",
        status,
        grade,
        value,
        missing,
        valid_days: 0,
    }
}

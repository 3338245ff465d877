//! Transplant risk scores at the first transplant: HCT-CI (comorbidity
//! codes from the patient record + pre-HCT labs and lung function) and the
//! EBMT (Gratwohl) score (age, disease stage from the last marrow before
//! HCT, time from diagnosis, donor type, donor → recipient sex).

use graftwatch_core::{Analyte, Date};
use graftwatch_course::{Course, DonorRelationship, ObservationKind, Sex as CSex};
use graftwatch_criteria::dri::{
    DRI_CITATION, DriDisease, DriStage, aml_dri_disease, mds_dri_disease, refined_dri,
};
use graftwatch_criteria::ebmt_score::{EbmtDonor, EbmtInput, EbmtStage, Sex, ebmt_score};
use graftwatch_criteria::eln_response::{ElnResponse, eln_response};
use graftwatch_criteria::eln_risk::eln_genetic_risk;
use graftwatch_criteria::hct_ci::{Dyspnea, HctCiInput, hct_ci};
use graftwatch_criteria::{Explanation, Flag, Graded};

use super::Sink;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

/// Comorbidity codes understood (the HCT-CI item names of the criteria).
pub const COMORBIDITY_CODES: &[&str] = &[
    "arrhythmia",
    "cardiac",
    "inflammatory_bowel_disease",
    "diabetes",
    "cerebrovascular",
    "psychiatric",
    "chronic_hepatitis",
    "cirrhosis",
    "infection",
    "rheumatologic",
    "peptic_ulcer",
    "dialysis",
    "prior_renal_transplant",
    "prior_solid_tumor",
    "heart_valve_disease",
    "obesity",
    "dyspnea_slight_activity",
    "dyspnea_at_rest",
];

fn latest(course: &Course, kind: ObservationKind, from: Date, to: Date) -> Option<(Date, f64)> {
    course
        .observations
        .iter()
        .filter(|o| o.kind == kind && o.date >= from && o.date <= to)
        .filter_map(|o| o.number().map(|v| (o.date, v)))
        .max_by_key(|p| p.0)
}

fn add_flags<T>(g: &mut Graded<T>, f: Vec<Flag>) {
    match g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation.flags.extend(f),
    }
}

/// Runs HCT-CI and the EBMT score for the first transplant.
pub(crate) fn run(course: &Course, x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    // ELN 2022 genetic risk at diagnosis (AML only).
    let (genetics, gflags) = super::genetics::to_genetics(&x.risk.diagnosis);
    if x.risk.diagnosis.disease == graftwatch_course::Disease::Aml {
        match eln_genetic_risk(&genetics) {
            Ok(mut g) => {
                add_flags(&mut g, gflags.clone());
                sink.item(SummaryItem::from_graded(
                    Criterion::Risk,
                    "eln_genetic_risk",
                    &g,
                    None,
                    |v| {
                        (
                            format!(
                                "{} (ELN 2022, at diagnosis {})",
                                format!("{v:?}").to_lowercase(),
                                x.risk.diagnosis.date
                            ),
                            Some(x.risk.diagnosis.date),
                        )
                    },
                ));
            }
            Err(e) => sink.skip(Criterion::Risk, format!("diagnosis genetics rejected: {e}")),
        }
    } else {
        sink.not_applicable(
            Criterion::Risk,
            "eln_genetic_risk",
            "ELN 2022 genetic risk",
            "ELN 2022 genetic risk applies to AML only",
        );
    }
    let Some(t) = x.transplants.first() else {
        sink.not_applicable(
            Criterion::Risk,
            "hct_ci",
            "HCT-CI",
            "no allogeneic transplant in the course",
        );
        return;
    };
    let hct = t.day0;
    let look = hct.add_days(-60);
    let has = |c: &str| {
        Some(
            x.risk
                .comorbidities
                .iter()
                .any(|k| k.trim().eq_ignore_ascii_case(c)),
        )
    };
    let unknown: Vec<&String> = x
        .risk
        .comorbidities
        .iter()
        .filter(|k| {
            !COMORBIDITY_CODES
                .iter()
                .any(|c| k.trim().eq_ignore_ascii_case(c))
        })
        .collect();
    let uln = course.patient.lab_reference;
    let bili = latest(course, ObservationKind::Lab(Analyte::Bilirubin), look, hct);
    let ast = latest(course, ObservationKind::Lab(Analyte::Ast), look, hct);
    let alt = latest(course, ObservationKind::Lab(Analyte::Alt), look, hct);
    let crea = latest(course, ObservationKind::Lab(Analyte::Creatinine), look, hct);
    let fev1 = latest(
        course,
        ObservationKind::Fev1Percent,
        hct.add_days(-365),
        hct,
    );
    let dlco = latest(
        course,
        ObservationKind::DlcoPercent,
        hct.add_days(-365),
        hct,
    );
    let weight = latest(course, ObservationKind::Weight, look, hct);
    let bmi = match (weight, course.patient.height_cm) {
        (Some((_, w)), Some(h)) if h > 0.0 => Some(w / (h / 100.0).powi(2)),
        _ => None,
    };
    let transaminase = match (ast, alt) {
        (Some(a), Some(b)) => Some((a.1 / uln.ast_uln).max(b.1 / uln.alt_uln)),
        (Some(a), None) => Some(a.1 / uln.ast_uln),
        (None, Some(b)) => Some(b.1 / uln.alt_uln),
        (None, None) => None,
    };
    let dyspnea = if has("dyspnea_at_rest") == Some(true) {
        Some(Dyspnea::AtRestOrOxygen)
    } else if has("dyspnea_slight_activity") == Some(true) {
        Some(Dyspnea::SlightActivity)
    } else {
        None
    };
    let input = HctCiInput {
        arrhythmia: has("arrhythmia"),
        cardiac_cad_chf_mi: has("cardiac"),
        ejection_fraction_pct: None,
        inflammatory_bowel_disease: has("inflammatory_bowel_disease"),
        diabetes: has("diabetes"),
        cerebrovascular: has("cerebrovascular"),
        psychiatric: has("psychiatric"),
        chronic_hepatitis: has("chronic_hepatitis"),
        cirrhosis: has("cirrhosis"),
        bilirubin_x_uln: bili.map(|b| b.1 / uln.bilirubin_uln_mg_dl),
        ast_alt_x_uln: transaminase,
        bmi: if has("obesity") == Some(true) {
            Some(bmi.unwrap_or(35.0).max(35.0))
        } else {
            bmi
        },
        infection: has("infection"),
        rheumatologic: has("rheumatologic"),
        peptic_ulcer: has("peptic_ulcer"),
        creatinine_mg_dl: crea.map(|c| c.1),
        dialysis: has("dialysis"),
        prior_renal_transplant: has("prior_renal_transplant"),
        fev1_pct: fev1.map(|f| f.1),
        dlco_pct: dlco.map(|f| f.1),
        dyspnea,
        prior_solid_tumor: has("prior_solid_tumor"),
        heart_valve_disease: has("heart_valve_disease"),
        age_years: x.risk.age_at_hct.and_then(|a| u32::try_from(a).ok()),
    };
    let mut fl = vec![Flag::new(
        "GW-COMORB",
        "HCT-CI items not listed in the patient's comorbidities are taken as absent; labs are the latest in the 60 days before HCT, lung function in the year before",
    )];
    if !unknown.is_empty() {
        fl.push(Flag::new(
            "GW-COMORB-UNKNOWN",
            format!(
                "comorbidity codes not recognised and ignored: {} (accepted: {})",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                COMORBIDITY_CODES.join(", ")
            ),
        ));
    }
    match hct_ci(&input) {
        Ok(mut g) => {
            add_flags(&mut g, fl);
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                "hct_ci",
                &g,
                None,
                |v| (format!("score {} ({:?} risk)", v.score, v.risk), Some(hct)),
            ));
        }
        Err(e) => sink.skip(Criterion::Risk, format!("HCT-CI inputs rejected: {e}")),
    }
    // Refined DRI: disease from the diagnosis, stage from the last marrow
    // before HCT (CR family → CR; PR → PR; otherwise active relapse when a
    // CR-family response was ever recorded before, else induction failure).
    let before: Vec<_> = x
        .marrow
        .iter()
        .filter(|m| m.date > x.risk.diagnosis.date && m.date < hct)
        .collect();
    let resp = |m: &crate::extract::MarrowAssessment| {
        eln_response(
            &super::eln::to_assessment(m, x, cfg.engraftment.transfusion_window_days),
            &cfg.eln_response,
        )
        .ok()
        .and_then(|g| g.value().copied())
    };
    let dri_disease = match (x.risk.diagnosis.disease, genetics.karyotype.as_ref()) {
        (graftwatch_course::Disease::Aml, Some(k)) => Some(aml_dri_disease(k)),
        (graftwatch_course::Disease::Mds, Some(k)) => Some(mds_dri_disease(k)),
        (graftwatch_course::Disease::All, _) => Some(DriDisease::All),
        _ => None,
    };
    let dri_stage = before.last().and_then(|m| resp(m)).map(|r| {
        if r.is_cr_family() {
            DriStage::Cr
        } else if r == ElnResponse::Pr {
            DriStage::Pr
        } else if before
            .iter()
            .rev()
            .skip(1)
            .any(|m| resp(m).is_some_and(|r| r.is_cr_family()))
        {
            DriStage::ActiveRelapse
        } else {
            DriStage::InductionFailure
        }
    });
    match (dri_disease, dri_stage) {
        (Some(d), Some(st)) => {
            let mut g = refined_dri(d, st);
            let mut f = gflags;
            f.push(Flag::new(
                "GW-DRI",
                format!(
                    "stage {st:?} from the ELN response of the last marrow before HCT ({})",
                    before
                        .last()
                        .map(|m| m.date.to_string())
                        .unwrap_or_default()
                ),
            ));
            add_flags(&mut g, f);
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                "refined_dri",
                &g,
                None,
                |v| {
                    (
                        format!(
                            "{:?} (disease {:?}, stage {:?})",
                            v.group, v.disease_risk, v.stage_risk
                        )
                        .to_lowercase(),
                        Some(hct),
                    )
                },
            ));
        }
        (d, st) => {
            let mut missing = Vec::new();
            if d.is_none() {
                missing.push("diagnosis with karyotype (AML / MDS) or ALL".to_string());
            }
            if st.is_none() {
                missing.push(format!("a gradable marrow assessment between diagnosis and HCT ({hct}) for the disease status"));
            }
            let g: Graded<()> = Graded::InsufficientData {
                missing,
                explanation: Explanation {
                    rule: "Refined Disease Risk Index",
                    version: "Armand 2014",
                    citations: vec![DRI_CITATION],
                    reason: "DRI needs the disease and its status at HCT".into(),
                    evidence: vec![],
                    flags: vec![],
                },
            };
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                "refined_dri",
                &g,
                None,
                |_| (String::new(), None),
            ));
        }
    }
    // EBMT score.
    let last_marrow = x.marrow.iter().rfind(|m| m.date < hct);
    let stage: Result<EbmtStage, String> = match last_marrow {
        None => Err(format!(
            "a marrow assessment before HCT ({hct}) for the disease stage"
        )),
        Some(m) => {
            let a = super::eln::to_assessment(m, x, cfg.engraftment.transfusion_window_days);
            match eln_response(&a, &cfg.eln_response) {
                Ok(Graded::Value { value, .. }) if !value.is_cr_family() => Ok(EbmtStage::Late),
                Ok(Graded::Value { .. }) => Err(format!(
                    "whether the remission at HCT (marrow {}) is the first (CR1) or a later one",
                    m.date
                )),
                Ok(other) => Err(format!(
                    "disease status at HCT from the marrow of {}: {}",
                    m.date,
                    other.explanation().reason
                )),
                Err(e) => Err(format!("marrow of {}: {e}", m.date)),
            }
        }
    };
    let rel = x
        .risk
        .donor_relationships
        .iter()
        .copied()
        .find(|r| *r != DonorRelationship::UnrelatedCord)
        .or(x.risk.donor_relationships.first().copied());
    let donor = rel.map(|r| match r {
        DonorRelationship::MatchedSibling => EbmtDonor::HlaIdenticalSibling,
        DonorRelationship::Haploidentical => EbmtDonor::Haploidentical,
        DonorRelationship::UnrelatedCord => EbmtDonor::CordBlood,
        DonorRelationship::MatchedRelated
        | DonorRelationship::MatchedUnrelated
        | DonorRelationship::MismatchedUnrelated
        | DonorRelationship::Autologous => EbmtDonor::Unrelated,
    });
    let sex = |s: CSex| match s {
        CSex::Female => Some(Sex::Female),
        CSex::Male => Some(Sex::Male),
        CSex::Unknown => None,
    };
    let donor_sex = t
        .grafts
        .iter()
        .filter_map(|g| course.donor(&g.donor))
        .find(|d| d.relationship != DonorRelationship::UnrelatedCord)
        .or_else(|| t.grafts.first().and_then(|g| course.donor(&g.donor)))
        .and_then(|d| d.sex)
        .and_then(sex);
    let age = x.risk.age_at_hct.and_then(|a| u32::try_from(a).ok());
    let explain = |reason: String| Explanation {
        rule: "EBMT risk score",
        version: "Gratwohl 1998/2009",
        citations: vec![graftwatch_criteria::ebmt_score::EBMT_SCORE_CITATION],
        reason,
        evidence: vec![],
        flags: vec![],
    };
    match (stage, donor, age) {
        (Ok(stage), Some(donor), Some(age_years)) => {
            let input = EbmtInput {
                age_years,
                stage,
                first_complete_remission: false,
                diagnosis_date: Some(x.risk.diagnosis.date),
                hct_date: hct,
                donor,
                donor_sex,
                recipient_sex: sex(course.patient.sex),
            };
            match ebmt_score(&input) {
                Ok(mut g) => {
                    add_flags(
                        &mut g,
                        vec![Flag::new(
                            "GW-EBMT",
                            "stage from the last marrow before HCT (not in CR → late); donor of the long-term non-cord graft for sex and type",
                        )],
                    );
                    sink.item(SummaryItem::from_graded(
                        Criterion::Risk,
                        "ebmt_score",
                        &g,
                        None,
                        |v| (format!("score {}", v.score), Some(hct)),
                    ))
                }
                Err(e) => sink.skip(Criterion::Risk, format!("EBMT inputs rejected: {e}")),
            }
        }
        (stage, donor, age) => {
            let mut missing = Vec::new();
            if let Err(m) = stage {
                missing.push(m);
            }
            if donor.is_none() {
                missing.push("donor relationship of the first transplant".into());
            }
            if age.is_none() {
                missing.push("age at HCT".into());
            }
            let g: Graded<()> = Graded::InsufficientData {
                missing,
                explanation: explain("EBMT score needs stage, donor and age".into()),
            };
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                "ebmt_score",
                &g,
                None,
                |_| (String::new(), None),
            ));
        }
    }
}

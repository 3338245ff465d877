//! NIH 2014 chronic-GVHD organ scores and global severity: boundaries on
//! both sides, FEV1 precedence, attribution and missing data.

use graftwatch_criteria::Graded;
use graftwatch_criteria::agvhd::Attribution;
use graftwatch_criteria::cgvhd_nih::{
    CgvhdAssessment, CgvhdConfig, CgvhdGi, CgvhdLiver, CgvhdLungs, CgvhdOrgan, CgvhdSkin,
    ClinicianScore, DiarrheaCategory, GlobalSeverity, SclerosisFeatures, fev1_score,
    global_severity, grade_cgvhd, skin_bsa_score, weight_loss_score,
};

fn cs(score: u8) -> Option<ClinicianScore> {
    Some(ClinicianScore {
        score,
        attribution: Attribution::Gvhd,
    })
}

/// All eight organs assessed and normal.
fn normal() -> CgvhdAssessment {
    CgvhdAssessment {
        date: Some("2025-09-01".parse().unwrap()),
        skin: Some(CgvhdSkin {
            bsa_pct: 0.0,
            sclerosis: SclerosisFeatures::None,
            attribution: Attribution::Gvhd,
        }),
        mouth: cs(0),
        eyes: cs(0),
        gi: Some(CgvhdGi {
            symptoms: false,
            weight_loss_pct_3mo: Some(0.0),
            diarrhea: DiarrheaCategory::None,
            esophageal_dilation: false,
            attribution: Attribution::Gvhd,
        }),
        liver: Some(CgvhdLiver {
            bilirubin_mg_dl: 0.8,
            bilirubin_uln_mg_dl: 1.2,
            alt_u_l: Some(30.0),
            alt_uln_u_l: Some(40.0),
            alp_u_l: Some(90.0),
            alp_uln_u_l: Some(120.0),
            attribution: Attribution::Gvhd,
        }),
        lungs: Some(CgvhdLungs {
            fev1_pct_predicted: Some(95.0),
            symptom_score: Some(0),
            attribution: Attribution::Gvhd,
        }),
        joints: cs(0),
        genital: cs(0),
        performance: Some(1),
    }
}

fn grade(a: &CgvhdAssessment) -> (GlobalSeverity, Vec<(CgvhdOrgan, u8)>) {
    match grade_cgvhd(a, &CgvhdConfig::default()).unwrap() {
        Graded::Value { value, .. } => (
            value.global,
            value.organs.iter().map(|o| (o.organ, o.score)).collect(),
        ),
        o => panic!("{o:?}"),
    }
}

fn score_of(a: &CgvhdAssessment, organ: CgvhdOrgan) -> u8 {
    grade(a).1.iter().find(|(o, _)| *o == organ).unwrap().1
}

#[test]
fn skin_bsa_bands_with_half_up_rounding() {
    for (b, s) in [
        (0.0, 0),
        (0.4, 0),
        (0.5, 1),
        (1.0, 1),
        (18.0, 1),
        (18.4, 1),
        (18.5, 2),
        (19.0, 2),
        (50.0, 2),
        (50.4, 2),
        (50.5, 3),
        (51.0, 3),
    ] {
        assert_eq!(skin_bsa_score(b), s, "BSA {b}");
    }
}

#[test]
fn skin_uses_higher_of_bsa_and_features() {
    let mut a = normal();
    for (bsa_pct, sclerosis, score) in [
        (10.0, SclerosisFeatures::Superficial, 2),
        (60.0, SclerosisFeatures::Superficial, 3),
        (
            0.0,
            SclerosisFeatures::DeepOrImpairedMobilityOrUlceration,
            3,
        ),
    ] {
        a.skin = Some(CgvhdSkin {
            bsa_pct,
            sclerosis,
            attribution: Attribution::Gvhd,
        });
        assert_eq!(
            score_of(&a, CgvhdOrgan::Skin),
            score,
            "{bsa_pct} {sclerosis:?}"
        );
    }
}

#[test]
fn fev1_bands_with_half_up_rounding() {
    for (f, s) in [
        (100.0, 0),
        (80.0, 0),
        (79.5, 0),
        (79.4, 1),
        (60.0, 1),
        (59.5, 1),
        (59.4, 2),
        (40.0, 2),
        (39.5, 2),
        (39.4, 3),
        (39.0, 3),
        (10.0, 3),
    ] {
        assert_eq!(fev1_score(f), s, "FEV1 {f}");
    }
}

#[test]
fn fev1_takes_precedence_over_symptoms_and_fallback_is_flagged() {
    let mut a = normal();
    a.lungs = Some(CgvhdLungs {
        fev1_pct_predicted: Some(85.0),
        symptom_score: Some(2),
        attribution: Attribution::Gvhd,
    });
    let g = grade_cgvhd(&a, &CgvhdConfig::default()).unwrap();
    assert_eq!(g.value().unwrap().global, GlobalSeverity::None);
    assert!(
        g.explanation()
            .flags
            .iter()
            .any(|f| f.code == "C-2" && f.text.contains("FEV1 takes precedence"))
    );
    a.lungs = Some(CgvhdLungs {
        fev1_pct_predicted: None,
        symptom_score: Some(1),
        attribution: Attribution::Gvhd,
    });
    let g = grade_cgvhd(&a, &CgvhdConfig::default()).unwrap();
    assert_eq!(
        g.value().unwrap().global,
        GlobalSeverity::Moderate,
        "lung 1 alone is moderate"
    );
    assert!(
        g.explanation()
            .flags
            .iter()
            .any(|f| f.text == "lung score from symptoms (PFT not performed)")
    );
    let strict = CgvhdConfig {
        lung_symptom_fallback: false,
    };
    assert!(matches!(
        grade_cgvhd(&a, &strict).unwrap(),
        Graded::InsufficientData { .. }
    ));
}

#[test]
fn gi_weight_loss_boundaries() {
    for (w, s) in [
        (0.0, 1),
        (4.99, 1),
        (5.0, 2),
        (10.0, 2),
        (15.0, 2),
        (15.01, 3),
        (20.0, 3),
    ] {
        assert_eq!(weight_loss_score(w), s, "{w}%");
        let mut a = normal();
        a.gi = Some(CgvhdGi {
            symptoms: true,
            weight_loss_pct_3mo: Some(w),
            ..a.gi.unwrap()
        });
        assert_eq!(score_of(&a, CgvhdOrgan::Gi), s, "{w}% with symptoms");
    }
}

#[test]
fn gi_categories_and_missing_weight() {
    let mut a = normal();
    // weight loss without GI symptoms is an 'other indicator'
    a.gi = Some(CgvhdGi {
        symptoms: false,
        weight_loss_pct_3mo: Some(12.0),
        ..a.gi.unwrap()
    });
    assert_eq!(score_of(&a, CgvhdOrgan::Gi), 0);
    a.gi = Some(CgvhdGi {
        symptoms: true,
        weight_loss_pct_3mo: Some(1.0),
        diarrhea: DiarrheaCategory::Moderate,
        ..a.gi.unwrap()
    });
    assert_eq!(score_of(&a, CgvhdOrgan::Gi), 2);
    a.gi = Some(CgvhdGi {
        symptoms: true,
        weight_loss_pct_3mo: None,
        diarrhea: DiarrheaCategory::None,
        ..a.gi.unwrap()
    });
    match grade_cgvhd(&a, &CgvhdConfig::default()).unwrap() {
        Graded::InsufficientData { missing, .. } => assert!(missing[0].contains("weight loss")),
        o => panic!("{o:?}"),
    }
    a.gi = Some(CgvhdGi {
        symptoms: true,
        weight_loss_pct_3mo: None,
        esophageal_dilation: true,
        ..a.gi.unwrap()
    });
    assert_eq!(
        grade(&a).0,
        GlobalSeverity::Severe,
        "dilation scores 3 without weight data"
    );
}

fn liver(bili: f64, alt: f64, alp: f64) -> Option<CgvhdLiver> {
    Some(CgvhdLiver {
        bilirubin_mg_dl: bili,
        bilirubin_uln_mg_dl: 1.2,
        alt_u_l: Some(alt),
        alt_uln_u_l: Some(40.0),
        alp_u_l: Some(alp),
        alp_uln_u_l: Some(100.0),
        attribution: Attribution::Gvhd,
    })
}

#[test]
fn liver_boundaries() {
    for (b, alt, alp, s) in [
        (1.2, 30.0, 100.0, 0),  // bilirubin at ULN is not elevated
        (1.21, 30.0, 100.0, 2), // elevated, <= 3
        (3.0, 30.0, 100.0, 2),
        (3.01, 30.0, 100.0, 3),
        (1.0, 119.9, 299.0, 0), // ALT 2.9975x, ALP 2.99x
        (1.0, 120.0, 100.0, 1), // ALT 3.0x
        (1.0, 200.0, 100.0, 1), // ALT 5.0x
        (1.0, 200.4, 100.0, 2), // ALT 5.01x
        (1.0, 30.0, 300.0, 1),  // ALP 3.0x
        (1.0, 30.0, 900.0, 1),  // ALP has no score-2 band
    ] {
        let mut a = normal();
        a.liver = liver(b, alt, alp);
        assert_eq!(
            score_of(&a, CgvhdOrgan::Liver),
            s,
            "bili {b} ALT {alt} ALP {alp}"
        );
    }
}

#[test]
fn liver_missing_enzymes() {
    let mut a = normal();
    a.liver = Some(CgvhdLiver {
        alt_u_l: None,
        ..liver(1.0, 0.0, 0.0).unwrap()
    });
    match grade_cgvhd(&a, &CgvhdConfig::default()).unwrap() {
        Graded::InsufficientData { missing, .. } => assert!(missing[0].contains("ALT")),
        o => panic!("{o:?}"),
    }
    // elevated bilirubin decides without enzymes
    a.liver = Some(CgvhdLiver {
        alt_u_l: None,
        alp_u_l: None,
        ..liver(2.0, 0.0, 0.0).unwrap()
    });
    assert_eq!(score_of(&a, CgvhdOrgan::Liver), 2);
}

#[test]
fn global_severity_rules() {
    use CgvhdOrgan::*;
    use GlobalSeverity as G;
    assert_eq!(global_severity(&[(Skin, 0), (Lungs, 0)]), G::None);
    assert_eq!(global_severity(&[(Skin, 1), (Lungs, 0)]), G::Mild);
    assert_eq!(
        global_severity(&[(Skin, 1), (Mouth, 1), (Lungs, 0)]),
        G::Mild
    );
    assert_eq!(
        global_severity(&[(Skin, 1), (Mouth, 1), (Eyes, 1), (Lungs, 0)]),
        G::Moderate,
        ">= 3 organs"
    );
    assert_eq!(global_severity(&[(Mouth, 2), (Lungs, 0)]), G::Moderate);
    assert_eq!(global_severity(&[(Lungs, 1)]), G::Moderate, "lung 1 alone");
    assert_eq!(global_severity(&[(Lungs, 2)]), G::Severe, "lung 2");
    assert_eq!(global_severity(&[(Lungs, 3)]), G::Severe);
    assert_eq!(global_severity(&[(Joints, 3), (Lungs, 0)]), G::Severe);
}

#[test]
fn attribution_excludes_or_counts_in_full() {
    let mut a = normal();
    a.liver = Some(CgvhdLiver {
        attribution: Attribution::OtherCause,
        ..liver(5.0, 30.0, 100.0).unwrap()
    });
    a.mouth = cs(1);
    let g = grade_cgvhd(&a, &CgvhdConfig::default()).unwrap();
    let v = g.value().unwrap();
    assert_eq!(
        v.global,
        GlobalSeverity::Mild,
        "liver 3 explained by another cause is excluded"
    );
    assert!(
        v.organs
            .iter()
            .any(|o| o.organ == CgvhdOrgan::Liver && o.excluded && o.score == 3)
    );
    assert!(g.explanation().flags.iter().any(|f| f.code == "NIH-ATTR"));
    let bili = g
        .explanation()
        .evidence
        .iter()
        .find(|e| e.what == "bilirubin")
        .unwrap();
    assert_eq!(
        bili.date.map(|d| d.to_string()),
        Some("2025-09-01".to_string())
    );
    a.liver = Some(CgvhdLiver {
        attribution: Attribution::Multifactorial,
        ..liver(5.0, 30.0, 100.0).unwrap()
    });
    assert_eq!(
        grade(&a).0,
        GlobalSeverity::Severe,
        "multifactorial counted at full score"
    );
}

#[test]
fn missing_organs_insufficient_unless_severe() {
    let mut a = normal();
    a.eyes = None;
    a.mouth = cs(1);
    match grade_cgvhd(&a, &CgvhdConfig::default()).unwrap() {
        Graded::InsufficientData { missing, .. } => {
            assert_eq!(missing, vec!["eyes: not assessed".to_string()])
        }
        o => panic!("{o:?}"),
    }
    a.joints = cs(3);
    let g = grade_cgvhd(&a, &CgvhdConfig::default()).unwrap();
    assert_eq!(g.value().unwrap().global, GlobalSeverity::Severe);
    assert!(
        g.explanation()
            .flags
            .iter()
            .any(|f| f.code == "MISSING-SEVERE")
    );
}

#[test]
fn clinician_scores_are_validated() {
    let mut a = normal();
    a.eyes = cs(4);
    let e = grade_cgvhd(&a, &CgvhdConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("eyes.score") && e.contains('4'), "{e}");
    let mut a = normal();
    a.lungs = Some(CgvhdLungs {
        fev1_pct_predicted: Some(-3.0),
        symptom_score: None,
        attribution: Attribution::Gvhd,
    });
    assert!(
        grade_cgvhd(&a, &CgvhdConfig::default())
            .unwrap_err()
            .to_string()
            .contains("lungs.fev1_pct_predicted")
    );
}

#[test]
fn reads_from_json() {
    let j = r#"{"skin":{"bsa_pct":20,"sclerosis":"superficial"},"mouth":{"score":1},"eyes":{"score":0},
      "gi":{"symptoms":false},"liver":{"bilirubin_mg_dl":0.5,"bilirubin_uln_mg_dl":1.2,"alt_u_l":20,"alt_uln_u_l":40,"alp_u_l":80,"alp_uln_u_l":120},
      "lungs":{"fev1_pct_predicted":72},"joints":{"score":0},"genital":{"score":0}}"#;
    let a: CgvhdAssessment = serde_json::from_str(j).unwrap();
    let g = grade_cgvhd(&a, &CgvhdConfig::default()).unwrap();
    assert_eq!(g.value().unwrap().global, GlobalSeverity::Moderate);
}

//! CAR-HEMATOTOX, HCT-CI (+ age), refined DRI and EBMT score: every cut point
//! on both sides, missing data and input errors.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::dri::{
    DriDisease, DriGroup, DriStage, aml_dri_disease, mds_dri_disease, refined_dri,
};
use graftwatch_criteria::ebmt_score::{
    EbmtDonor, EbmtInput, EbmtScore, EbmtStage, Sex, ebmt_age_points, ebmt_score, whole_months,
};
use graftwatch_criteria::eln_risk::{Abnormality, AbnormalityKind, Karyotype, RecurrentLesion};
use graftwatch_criteria::hct_ci::{Dyspnea, HctCiInput, HctCiRisk, hct_ci, pulmonary_points};
use graftwatch_criteria::hematotox::{
    HematotoxInput, HematotoxRisk, anc_points, car_hematotox, crp_points, ferritin_points,
    hemoglobin_points, platelet_points,
};

#[test]
fn hematotox_every_cut_point() {
    assert_eq!(platelet_points(175.1), 0);
    assert_eq!(platelet_points(175.0), 1);
    assert_eq!(platelet_points(75.0), 1);
    assert_eq!(platelet_points(74.9), 2);
    assert_eq!(anc_points(1.2), 0);
    assert_eq!(anc_points(1.19), 1);
    assert_eq!(hemoglobin_points(9.0), 0);
    assert_eq!(hemoglobin_points(8.9), 1);
    assert_eq!(crp_points(3.0), 0);
    assert_eq!(crp_points(3.01), 1);
    assert_eq!(ferritin_points(649.0), 0);
    assert_eq!(ferritin_points(650.0), 1);
    assert_eq!(ferritin_points(2000.0), 1);
    assert_eq!(ferritin_points(2000.1), 2);
}

fn hx(anc: f64, hb: f64, plt: f64, crp: f64, fer: f64) -> HematotoxInput {
    HematotoxInput {
        date: Some("2025-01-05".parse().unwrap()),
        anc: Some(anc),
        hemoglobin: Some(hb),
        platelets: Some(plt),
        crp: Some(crp),
        ferritin: Some(fer),
    }
}

#[test]
fn hematotox_low_high_split_and_t9_flags() {
    let g = car_hematotox(&hx(2.0, 12.0, 200.0, 0.5, 300.0)).unwrap();
    assert_eq!(g.value().unwrap().score, 0);
    let g = car_hematotox(&hx(2.0, 12.0, 150.0, 0.5, 300.0)).unwrap();
    assert_eq!(
        (g.value().unwrap().score, g.value().unwrap().risk),
        (1, HematotoxRisk::Low)
    );
    let g = car_hematotox(&hx(2.0, 12.0, 150.0, 3.5, 300.0)).unwrap();
    assert_eq!(
        (g.value().unwrap().score, g.value().unwrap().risk),
        (2, HematotoxRisk::High)
    );
    // The reason names the values that scored.
    let r = &g.explanation().reason;
    assert!(
        r.ends_with("points from platelets 150 ×10⁹/L (1), CRP 3.5 mg/dL (1)"),
        "{r}"
    );
    let g = car_hematotox(&hx(2.0, 12.0, 200.0, 0.5, 300.0)).unwrap();
    assert!(
        g.explanation()
            .reason
            .ends_with("(no variable scored a point)")
    );
    let g = car_hematotox(&hx(0.5, 8.0, 50.0, 5.0, 2500.0)).unwrap();
    assert_eq!(g.value().unwrap().score, 7);
    // values on undefined cut points are flagged T-9
    let g = car_hematotox(&hx(1.2, 9.0, 175.0, 3.0, 650.0)).unwrap();
    assert_eq!(g.value().unwrap().score, 2);
    assert_eq!(
        g.explanation()
            .flags
            .iter()
            .filter(|f| f.code == "T-9")
            .count(),
        5
    );
    assert_eq!(g.explanation().evidence.len(), 5);
}

#[test]
fn hematotox_missing_and_invalid() {
    let mut i = hx(2.0, 12.0, 200.0, 0.5, 300.0);
    i.ferritin = None;
    i.crp = None;
    match car_hematotox(&i).unwrap() {
        Graded::InsufficientData { missing, .. } => assert_eq!(missing.len(), 2),
        other => panic!("{other:?}"),
    }
    let e = car_hematotox(&hx(-1.0, 12.0, 200.0, 0.5, 300.0)).unwrap_err();
    assert!(e.to_string().contains("anc on 2025-01-05: -1"), "{e}");
}

fn healthy() -> HctCiInput {
    HctCiInput {
        arrhythmia: Some(false),
        cardiac_cad_chf_mi: Some(false),
        ejection_fraction_pct: Some(60.0),
        inflammatory_bowel_disease: Some(false),
        diabetes: Some(false),
        cerebrovascular: Some(false),
        psychiatric: Some(false),
        chronic_hepatitis: Some(false),
        cirrhosis: Some(false),
        bilirubin_x_uln: Some(0.8),
        ast_alt_x_uln: Some(0.9),
        bmi: Some(24.0),
        infection: Some(false),
        rheumatologic: Some(false),
        peptic_ulcer: Some(false),
        creatinine_mg_dl: Some(0.9),
        dialysis: Some(false),
        prior_renal_transplant: Some(false),
        fev1_pct: Some(95.0),
        dlco_pct: Some(90.0),
        dyspnea: Some(Dyspnea::None),
        prior_solid_tumor: Some(false),
        heart_valve_disease: Some(false),
        age_years: Some(35),
        obesity_coded: Some(false),
        bmi_for_age_at_or_above_p95: None,
        dates: Default::default(),
    }
}

fn score(i: &HctCiInput) -> u8 {
    hct_ci(i).unwrap().value().unwrap().score
}

#[test]
fn hct_ci_boundaries() {
    assert_eq!(score(&healthy()), 0);
    assert_eq!(
        score(&HctCiInput {
            creatinine_mg_dl: Some(2.0),
            ..healthy()
        }),
        0
    );
    assert_eq!(
        score(&HctCiInput {
            creatinine_mg_dl: Some(2.01),
            ..healthy()
        }),
        2
    );
    assert_eq!(
        score(&HctCiInput {
            bmi: Some(35.0),
            ..healthy()
        }),
        0
    );
    assert_eq!(
        score(&HctCiInput {
            bmi: Some(35.1),
            ..healthy()
        }),
        1
    );
    assert_eq!(
        score(&HctCiInput {
            fev1_pct: Some(81.0),
            ..healthy()
        }),
        0
    );
    assert_eq!(
        score(&HctCiInput {
            fev1_pct: Some(80.0),
            ..healthy()
        }),
        2
    );
    assert_eq!(
        score(&HctCiInput {
            fev1_pct: Some(66.0),
            ..healthy()
        }),
        2
    );
    assert_eq!(
        score(&HctCiInput {
            fev1_pct: Some(65.0),
            ..healthy()
        }),
        3
    );
    assert_eq!(
        score(&HctCiInput {
            dlco_pct: Some(65.5),
            ..healthy()
        }),
        2,
        "65.5 rounds to 66"
    );
    assert_eq!(
        score(&HctCiInput {
            dlco_pct: Some(65.4),
            ..healthy()
        }),
        3
    );
    assert_eq!(
        score(&HctCiInput {
            fev1_pct: Some(80.5),
            ..healthy()
        }),
        0,
        "80.5 rounds to 81"
    );
    assert_eq!(
        score(&HctCiInput {
            ejection_fraction_pct: Some(50.0),
            ..healthy()
        }),
        1
    );
    assert_eq!(
        score(&HctCiInput {
            ejection_fraction_pct: Some(51.0),
            ..healthy()
        }),
        0
    );
    // hepatic tiers: bilirubin 1.5 x ULN mild, 1.51 severe; AST/ALT 2.5 mild, 2.51 severe
    assert_eq!(
        score(&HctCiInput {
            bilirubin_x_uln: Some(1.5),
            ..healthy()
        }),
        1
    );
    assert_eq!(
        score(&HctCiInput {
            bilirubin_x_uln: Some(1.51),
            ..healthy()
        }),
        3
    );
    assert_eq!(
        score(&HctCiInput {
            ast_alt_x_uln: Some(2.5),
            ..healthy()
        }),
        1
    );
    assert_eq!(
        score(&HctCiInput {
            ast_alt_x_uln: Some(2.51),
            ..healthy()
        }),
        3
    );
    assert_eq!(
        score(&HctCiInput {
            ast_alt_x_uln: Some(1.0),
            ..healthy()
        }),
        0
    );
}

#[test]
fn hct_ci_items_add_and_organs_take_the_higher_tier() {
    // cardiac (1) + valve (3) add up
    assert_eq!(
        score(&HctCiInput {
            cardiac_cad_chf_mi: Some(true),
            heart_valve_disease: Some(true),
            ..healthy()
        }),
        4
    );
    // pulmonary: moderate PFT + dyspnoea at rest -> 3, not 5
    assert_eq!(
        pulmonary_points(Some(70.0), None, Dyspnea::AtRestOrOxygen),
        3
    );
    assert_eq!(
        score(&HctCiInput {
            fev1_pct: Some(70.0),
            dyspnea: Some(Dyspnea::AtRestOrOxygen),
            ..healthy()
        }),
        3
    );
    // hepatic: chronic hepatitis + cirrhosis -> 3, not 4
    assert_eq!(
        score(&HctCiInput {
            chronic_hepatitis: Some(true),
            cirrhosis: Some(true),
            ..healthy()
        }),
        3
    );
    let g = hct_ci(&HctCiInput {
        infection: Some(true),
        psychiatric: Some(true),
        ..healthy()
    })
    .unwrap();
    assert_eq!(g.value().unwrap().risk, HctCiRisk::Intermediate);
    let g = hct_ci(&HctCiInput {
        prior_solid_tumor: Some(true),
        ..healthy()
    })
    .unwrap();
    assert_eq!(g.value().unwrap().risk, HctCiRisk::High);
}

#[test]
fn hct_ci_age_39_vs_40_and_missing_items() {
    assert_eq!(
        hct_ci(&HctCiInput {
            age_years: Some(39),
            ..healthy()
        })
        .unwrap()
        .value()
        .unwrap()
        .with_age,
        Some(0)
    );
    assert_eq!(
        hct_ci(&HctCiInput {
            age_years: Some(40),
            ..healthy()
        })
        .unwrap()
        .value()
        .unwrap()
        .with_age,
        Some(1)
    );
    match hct_ci(&HctCiInput {
        diabetes: None,
        fev1_pct: None,
        dlco_pct: None,
        ..healthy()
    })
    .unwrap()
    {
        Graded::InsufficientData { missing, .. } => {
            assert_eq!(missing, vec!["diabetes".to_string()])
        }
        other => panic!("{other:?}"),
    }
    // an untested item (no PFT, no LVEF) is absent, flagged "not measured"
    let g = hct_ci(&HctCiInput {
        fev1_pct: None,
        dlco_pct: None,
        ejection_fraction_pct: None,
        ..healthy()
    })
    .unwrap();
    assert_eq!(g.value().unwrap().score, 0);
    let f = g
        .explanation()
        .flags
        .iter()
        .find(|f| f.code == "HCTCI-not-measured")
        .expect("flag");
    assert!(
        f.text.contains("LVEF") && f.text.contains("FEV1/DLco"),
        "{}",
        f.text
    );
}

#[test]
fn hct_ci_obesity_coded_adult_and_child() {
    // coded obesity scores whatever the BMI
    assert_eq!(
        score(&HctCiInput {
            obesity_coded: Some(true),
            bmi: Some(30.0),
            ..healthy()
        }),
        1
    );
    // child: BMI-for-age replaces BMI > 35
    assert_eq!(
        score(&HctCiInput {
            bmi: Some(28.0),
            bmi_for_age_at_or_above_p95: Some(true),
            ..healthy()
        }),
        1
    );
    assert_eq!(
        score(&HctCiInput {
            bmi: Some(36.0),
            bmi_for_age_at_or_above_p95: Some(false),
            ..healthy()
        }),
        0
    );
    let g = hct_ci(&HctCiInput {
        bmi: Some(35.1),
        ..healthy()
    })
    .unwrap();
    let item = &g.value().unwrap().items[0];
    assert_eq!((item.item, item.points), ("obesity", 1));
    assert!(item.basis.contains("BMI 35.1"), "{}", item.basis);
}

fn kar(n: usize) -> Karyotype {
    Karyotype {
        abnormalities: (0..n)
            .map(|_| Abnormality {
                kind: AbnormalityKind::OtherStructural,
                lesion: None,
                iscn: None,
            })
            .collect(),
    }
}

#[test]
fn dri_matrix_and_complex_counting_3_vs_4() {
    let g = |d, s| refined_dri(d, s).value().unwrap().group;
    assert_eq!(g(DriDisease::AmlFavorable, DriStage::Cr), DriGroup::Low);
    assert_eq!(
        g(DriDisease::AmlFavorable, DriStage::ActiveRelapse),
        DriGroup::Intermediate
    );
    assert_eq!(
        g(DriDisease::AmlIntermediate, DriStage::Cr),
        DriGroup::Intermediate
    );
    assert_eq!(
        g(DriDisease::AmlIntermediate, DriStage::InductionFailure),
        DriGroup::High
    );
    assert_eq!(g(DriDisease::AmlAdverse, DriStage::Cr), DriGroup::High);
    assert_eq!(
        g(DriDisease::AmlAdverse, DriStage::ActiveRelapse),
        DriGroup::VeryHigh
    );
    assert_eq!(g(DriDisease::Cml, DriStage::CmlChronicPhase), DriGroup::Low);
    assert_eq!(
        g(DriDisease::Cml, DriStage::CmlAdvancedPhase),
        DriGroup::Intermediate
    );
    assert_eq!(g(DriDisease::ExtranodalTCell, DriStage::Pr), DriGroup::High);
    assert!(matches!(
        refined_dri(DriDisease::AmlIntermediate, DriStage::CmlChronicPhase),
        Graded::NotApplicable { .. }
    ));
    // complex: 3 abnormalities = adverse for ELN but intermediate for the DRI; 4 = adverse
    assert_eq!(aml_dri_disease(&kar(3)), DriDisease::AmlIntermediate);
    assert_eq!(aml_dri_disease(&kar(4)), DriDisease::AmlAdverse);
    assert_eq!(mds_dri_disease(&kar(3)), DriDisease::MdsIntermediate);
    assert_eq!(mds_dri_disease(&kar(4)), DriDisease::MdsAdverse);
    let t1517 = Karyotype {
        abnormalities: vec![Abnormality {
            kind: AbnormalityKind::Translocation,
            lesion: Some(RecurrentLesion::T15_17),
            iscn: None,
        }],
    };
    assert_eq!(aml_dri_disease(&t1517), DriDisease::AmlFavorable);
    assert!(
        refined_dri(DriDisease::AmlAdverse, DriStage::Cr)
            .explanation()
            .flags
            .iter()
            .any(|f| f.code == "M-8")
    );
}

fn ebmt(age: u32) -> EbmtInput {
    EbmtInput {
        age_years: age,
        stage: EbmtStage::Early,
        first_complete_remission: false,
        diagnosis_date: Some(Date::from_ymd(2024, 1, 15).unwrap()),
        hct_date: Date::from_ymd(2024, 7, 1).unwrap(),
        donor: EbmtDonor::HlaIdenticalSibling,
        donor_sex: Some(Sex::Male),
        recipient_sex: Some(Sex::Male),
    }
}

/// The points of a graded EBMT input.
fn ebmt_points(input: EbmtInput) -> EbmtScore {
    ebmt_score(&input).unwrap().value().unwrap().clone()
}

#[test]
fn ebmt_age_bands_19_20_40_41() {
    assert_eq!(ebmt_age_points(19), 0);
    assert_eq!(ebmt_age_points(20), 1);
    assert_eq!(ebmt_age_points(40), 1);
    assert_eq!(ebmt_age_points(41), 2);
    assert_eq!(ebmt_score(&ebmt(41)).unwrap().value().unwrap().score, 2);
}

#[test]
fn ebmt_time_donor_sex_and_stage() {
    let base = ebmt(35);
    // 11 vs 12 whole months
    let diagnosed = |dx: Date, cr1: bool| EbmtInput {
        diagnosis_date: Some(dx),
        first_complete_remission: cr1,
        ..base
    };
    let dx = Date::from_ymd(2023, 7, 2).unwrap();
    assert_eq!(whole_months(dx, base.hct_date), 11);
    assert_eq!(ebmt_points(diagnosed(dx, false)).time, 0);
    let dx = Date::from_ymd(2023, 7, 1).unwrap();
    assert_eq!(ebmt_points(diagnosed(dx, false)).time, 1);
    // CR1 scores 0 whatever the time
    assert_eq!(ebmt_points(diagnosed(dx, true)).time, 0);
    // female donor -> male recipient
    let female_donor = |recipient: Sex| EbmtInput {
        donor_sex: Some(Sex::Female),
        recipient_sex: Some(recipient),
        ..base
    };
    assert_eq!(ebmt_points(female_donor(Sex::Male)).sex, 1);
    assert_eq!(ebmt_points(female_donor(Sex::Female)).sex, 0);
    let g = ebmt_score(&EbmtInput {
        donor: EbmtDonor::CordBlood,
        stage: EbmtStage::Late,
        ..base
    })
    .unwrap();
    let v = g.value().unwrap();
    assert_eq!((v.donor, v.stage, v.score), (1, 2, 4));
    assert!(g.explanation().flags.iter().any(|f| f.code == "EBMT-donor"));
    // missing sex -> insufficient; diagnosis after HCT -> error
    assert!(matches!(
        ebmt_score(&EbmtInput {
            donor_sex: None,
            ..base
        })
        .unwrap(),
        Graded::InsufficientData { .. }
    ));
    assert!(
        ebmt_score(&EbmtInput {
            diagnosis_date: Some(Date::from_ymd(2025, 1, 1).unwrap()),
            ..base
        })
        .is_err()
    );
}

#[test]
fn dri_counts_every_abnormality_unlike_eln() {
    use graftwatch_criteria::dri::dri_complex;
    use graftwatch_criteria::eln_risk::Chromosome;
    // four trisomies: hyperdiploid, not complex for ELN, complex (adverse) for the DRI
    let tri = Karyotype {
        abnormalities: [8u8, 10, 14, 21]
            .iter()
            .map(|c| Abnormality {
                kind: AbnormalityKind::Trisomy(Chromosome::Autosome(*c)),
                lesion: None,
                iscn: None,
            })
            .collect(),
    };
    assert!(!tri.is_complex(3));
    assert!(dri_complex(&tri));
    assert_eq!(aml_dri_disease(&tri), DriDisease::AmlAdverse);
    assert_eq!(mds_dri_disease(&tri), DriDisease::MdsAdverse);
    // labels are words, not debug names
    let g = refined_dri(DriDisease::AmlAdverse, DriStage::ActiveRelapse);
    assert!(
        g.explanation().reason.contains("very high"),
        "{}",
        g.explanation().reason
    );
}

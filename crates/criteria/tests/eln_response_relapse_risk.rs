//! ELN 2022: response at a marrow assessment, refractory disease, hematologic
//! and MRD relapse, genetic risk at diagnosis.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::eln_relapse::{
    MrdConfig, MrdMeasurement, MrdRelapseState, MrdSample, MrdTrigger, RelapseCriterion,
    RelapseInput, Tissue, hematologic_relapse, mrd_relapse,
};
use graftwatch_criteria::eln_response::{
    CriReading, ElnResponse, MARROW_BLASTS_CLEAR_BELOW, MrdStatus, MrdTechnique,
    PR_MARROW_BLASTS_MAX, ResponseAssessment, ResponseConfig, TherapyLandmark,
    TransfusionIndependence, eln_response, marrow_blasts_clear, refractory_at_landmark,
};
use graftwatch_criteria::eln_risk::{
    Abnormality, AbnormalityKind, Chromosome, DiagnosticGenetics, ElnRisk, Gene, Karyotype,
    Mutation, RecurrentLesion, eln_genetic_risk,
};
use graftwatch_criteria::series::DatedValue;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn clear(anc: f64, plt: f64) -> ResponseAssessment {
    ResponseAssessment {
        date: Some(d("2025-04-01")),
        bm_blasts_pct: Some(2.0),
        pb_blasts_pct: Some(0.0),
        extramedullary_disease: Some(false),
        anc: Some(anc),
        platelets: Some(plt),
        marrow_evaluable: Some(true),
        ..ResponseAssessment::default()
    }
}

fn resp(a: &ResponseAssessment, cfg: &ResponseConfig) -> ElnResponse {
    match eln_response(a, cfg).unwrap() {
        Graded::Value { value, .. } => value,
        other => panic!("expected a response, got {other:?}"),
    }
}

#[test]
fn precedence_cr_crh_cri_mlfs_with_count_boundaries() {
    let cfg = ResponseConfig::default();
    assert_eq!(resp(&clear(1.0, 100.0), &cfg), ElnResponse::Cr);
    assert_eq!(resp(&clear(0.99, 100.0), &cfg), ElnResponse::CrH);
    assert_eq!(resp(&clear(1.0, 99.9), &cfg), ElnResponse::CrH);
    assert_eq!(resp(&clear(0.5, 50.0), &cfg), ElnResponse::CrH);
    // CRh not met; exactly one lineage recovered -> CRi
    assert_eq!(resp(&clear(0.49, 100.0), &cfg), ElnResponse::CrI);
    assert_eq!(resp(&clear(1.2, 49.9), &cfg), ElnResponse::CrI);
    // both below CR thresholds and CRh not met -> MLFS (M-1 default)
    assert_eq!(resp(&clear(0.4, 60.0), &cfg), ElnResponse::Mlfs);
    let either = ResponseConfig {
        cri_reading: CriReading::EitherLineage,
        ..cfg
    };
    assert_eq!(resp(&clear(0.4, 60.0), &either), ElnResponse::CrI);
    let g = eln_response(&clear(0.4, 60.0), &cfg).unwrap();
    assert!(g.explanation().flags.iter().any(|f| f.code == "M-1"));
}

#[test]
fn cr_without_mrd() {
    let mut a = clear(2.0, 150.0);
    a.mrd = Some(MrdStatus {
        negative: true,
        technique: MrdTechnique::Mfc,
        sensitivity: Some(1e-4),
    });
    assert_eq!(
        resp(&a, &ResponseConfig::default()),
        ElnResponse::CrMrdNegative
    );
    a.mrd = Some(MrdStatus {
        negative: false,
        technique: MrdTechnique::Qpcr,
        sensitivity: None,
    });
    assert_eq!(resp(&a, &ResponseConfig::default()), ElnResponse::Cr);
}

#[test]
fn blasts_4_9_vs_5_0_and_circulating_blasts_block_cr() {
    let cfg = ResponseConfig::default();
    let mut a = clear(2.0, 150.0);
    a.bm_blasts_pct = Some(4.9);
    assert_eq!(resp(&a, &cfg), ElnResponse::Cr);
    a.bm_blasts_pct = Some(5.0);
    // without a pretreatment value PR cannot be excluded: insufficient, never CR
    assert!(matches!(
        eln_response(&a, &cfg).unwrap(),
        Graded::InsufficientData { .. }
    ));
    a.pretreatment_bm_blasts_pct = Some(8.0);
    assert_eq!(
        resp(&a, &cfg),
        ElnResponse::NoResponse,
        "M-3: 5.0% is not CR; 37% reduction is not PR"
    );
    let mut a = clear(2.0, 150.0);
    a.pb_blasts_pct = Some(1.0);
    let g = eln_response(&a, &cfg).unwrap();
    assert_eq!(g.value(), Some(&ElnResponse::NoResponse));
    assert!(g.explanation().flags.iter().any(|f| f.code == "M-5"));
    let mut a = clear(2.0, 150.0);
    a.extramedullary_disease = Some(true);
    assert_eq!(resp(&a, &cfg), ElnResponse::NoResponse);
}

#[test]
fn one_marrow_blast_boundary_for_response_relapse_and_dli() {
    assert_eq!(MARROW_BLASTS_CLEAR_BELOW.get(), 5.0);
    assert_eq!(PR_MARROW_BLASTS_MAX.get(), 25.0);
    assert!(marrow_blasts_clear(4.999));
    assert!(!marrow_blasts_clear(5.0));
    assert_eq!(
        graftwatch_criteria::dli::DliConfig::default().relapse_blasts_percent,
        MARROW_BLASTS_CLEAR_BELOW
    );
}

#[test]
fn partial_remission_5_to_25_with_50_percent_reduction() {
    let cfg = ResponseConfig::default();
    let pr = |bm: f64, pre: f64, anc: f64| ResponseAssessment {
        bm_blasts_pct: Some(bm),
        pretreatment_bm_blasts_pct: Some(pre),
        anc: Some(anc),
        ..clear(2.0, 150.0)
    };
    assert_eq!(resp(&pr(25.0, 60.0, 2.0), &cfg), ElnResponse::Pr);
    assert_eq!(resp(&pr(25.1, 60.0, 2.0), &cfg), ElnResponse::NoResponse);
    assert_eq!(
        resp(&pr(5.0, 10.0, 2.0), &cfg),
        ElnResponse::Pr,
        "exactly 50% reduction"
    );
    assert_eq!(
        resp(&pr(5.1, 10.0, 2.0), &cfg),
        ElnResponse::NoResponse,
        "49% reduction"
    );
    assert_eq!(
        resp(&pr(10.0, 60.0, 0.9), &cfg),
        ElnResponse::NoResponse,
        "CR counts not met"
    );
    let mut a = pr(10.0, 60.0, 2.0);
    a.pretreatment_bm_blasts_pct = None;
    assert!(matches!(
        eln_response(&a, &cfg).unwrap(),
        Graded::InsufficientData { .. }
    ));
    // "PR not met" names the criterion that failed.
    let why = |a: &ResponseAssessment| eln_response(a, &cfg).unwrap().explanation().reason.clone();
    assert_eq!(
        why(&pr(25.1, 60.0, 2.0)),
        "marrow blasts 25.1% (≥ 5%); PR not met: blasts above 25%: no response"
    );
    assert_eq!(
        why(&pr(5.1, 10.0, 2.0)),
        "marrow blasts 5.1% (≥ 5%); PR not met: less than a 50% reduction from the pretreatment 10%: no response"
    );
    assert!(
        why(&pr(10.0, 60.0, 0.9)).contains(
            "PR not met: blood counts below the CR thresholds (ANC ≥ 1.0, platelets ≥ 100 ×10⁹/L)"
        ),
        "{}",
        why(&pr(10.0, 60.0, 0.9))
    );
    assert_eq!(
        why(&pr(25.0, 60.0, 2.0)),
        "marrow blasts 25% reduced from 60% (≥ 50%), CR counts met: PR"
    );
}

#[test]
fn transfusion_rules_m2() {
    let mut a = clear(2.0, 150.0);
    a.platelet_transfusion_within_7_days = Some(true);
    assert_eq!(
        resp(&a, &ResponseConfig::default()),
        ElnResponse::CrI,
        "supported platelets not recovered"
    );
    let cibmtr = ResponseConfig {
        transfusion_independence: TransfusionIndependence::Required,
        ..ResponseConfig::default()
    };
    let a = clear(2.0, 150.0);
    assert!(matches!(
        eln_response(&a, &cibmtr).unwrap(),
        Graded::InsufficientData { .. }
    ));
    let mut a = clear(2.0, 150.0);
    a.rbc_transfusion_independent = Some(false);
    assert_eq!(resp(&a, &cibmtr), ElnResponse::Mlfs);
    a.rbc_transfusion_independent = Some(true);
    assert_eq!(resp(&a, &cibmtr), ElnResponse::Cr);
}

#[test]
fn missing_data_is_named() {
    let cfg = ResponseConfig::default();
    let mut a = clear(2.0, 150.0);
    a.pb_blasts_pct = None;
    a.extramedullary_disease = None;
    match eln_response(&a, &cfg).unwrap() {
        Graded::InsufficientData { missing, .. } => {
            assert_eq!(
                missing,
                vec![
                    "circulating blast %".to_string(),
                    "extramedullary disease status".to_string()
                ]
            )
        }
        other => panic!("{other:?}"),
    }
    let a = ResponseAssessment {
        bm_blasts_pct: None,
        ..clear(2.0, 150.0)
    };
    assert!(matches!(
        eln_response(&a, &cfg).unwrap(),
        Graded::InsufficientData { .. }
    ));
    let a = ResponseAssessment {
        bm_blasts_pct: Some(120.0),
        ..clear(2.0, 150.0)
    };
    assert!(eln_response(&a, &cfg).is_err());
}

#[test]
fn refractory_at_the_landmark() {
    let r = [
        (d("2025-02-01"), ElnResponse::NoResponse),
        (d("2025-03-01"), ElnResponse::Pr),
    ];
    let g = refractory_at_landmark(
        &r,
        TherapyLandmark::Intensive {
            courses_completed: 2,
        },
        d("2025-03-05"),
    );
    assert_eq!(g.value(), Some(&true));
    let g = refractory_at_landmark(
        &r,
        TherapyLandmark::Intensive {
            courses_completed: 1,
        },
        d("2025-03-05"),
    );
    assert!(matches!(g, Graded::NotApplicable { .. }));
    let r2 = [(d("2025-02-01"), ElnResponse::CrI)];
    assert_eq!(
        refractory_at_landmark(
            &r2,
            TherapyLandmark::Intensive {
                courses_completed: 2
            },
            d("2025-03-05")
        )
        .value(),
        Some(&false)
    );
    // less intensive: 179 vs 180 days
    let start = d("2025-01-01");
    let g = refractory_at_landmark(
        &r,
        TherapyLandmark::LessIntensive { start },
        start.add_days(179),
    );
    assert!(matches!(g, Graded::NotApplicable { .. }));
    let g = refractory_at_landmark(
        &r,
        TherapyLandmark::LessIntensive { start },
        start.add_days(180),
    );
    assert_eq!(g.value(), Some(&true));
}

fn dv(s: &str, v: f64) -> DatedValue {
    DatedValue::new(d(s), v)
}

#[test]
fn hematologic_relapse_boundaries() {
    let rem = d("2025-05-01");
    let run = |bm: &[DatedValue], pb: &[DatedValue], emd: &[Date]| {
        hematologic_relapse(&RelapseInput {
            remission_date: rem,
            marrow_blasts_pct: bm,
            blood_blasts_pct: pb,
            new_extramedullary_disease: emd,
        })
        .unwrap()
    };
    assert!(
        !run(&[dv("2025-07-01", 4.9)], &[], &[])
            .value()
            .unwrap()
            .relapsed
    );
    // Not met: the evidence shows what was seen (the highest marrow blasts
    // after remission, and a lone blood sample with blasts).
    let g = run(
        &[dv("2025-06-01", 2.0), dv("2025-07-01", 4.9)],
        &[dv("2025-07-01", 1.0)],
        &[],
    );
    let ev = &g.explanation().evidence;
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(
        (ev[0].value, ev[0].date),
        (Some(4.9), Some(d("2025-07-01")))
    );
    assert_eq!(ev[1].what, "pb_blasts");
    let g = run(&[dv("2025-07-01", 5.0)], &[], &[]);
    assert_eq!(
        g.value().unwrap().criterion,
        Some(RelapseCriterion::MarrowBlasts)
    );
    assert_eq!(g.value().unwrap().date, Some(d("2025-07-01")));
    // before remission does not count
    assert!(
        !run(&[dv("2025-04-01", 50.0)], &[], &[])
            .value()
            .unwrap()
            .relapsed
    );
    // blood blasts: 6 days apart no, 7 days apart yes
    assert!(
        !run(&[], &[dv("2025-07-01", 2.0), dv("2025-07-07", 3.0)], &[])
            .value()
            .unwrap()
            .relapsed
    );
    let g = run(&[], &[dv("2025-07-01", 2.0), dv("2025-07-08", 3.0)], &[]);
    assert_eq!(
        g.value().unwrap().criterion,
        Some(RelapseCriterion::BloodBlasts)
    );
    assert_eq!(g.value().unwrap().date, Some(d("2025-07-08")));
    let g = run(&[], &[], &[d("2025-06-15")]);
    assert_eq!(
        g.value().unwrap().criterion,
        Some(RelapseCriterion::ExtramedullaryDisease)
    );
    // earliest criterion wins
    let g = run(&[dv("2025-08-01", 30.0)], &[], &[d("2025-06-15")]);
    assert_eq!(g.value().unwrap().date, Some(d("2025-06-15")));
}

fn mfc(date: &str, pct: f64) -> MrdSample {
    MrdSample {
        date: d(date),
        tissue: Tissue::BoneMarrow,
        measurement: MrdMeasurement::Mfc { percent: pct },
    }
}
fn qpcr(date: &str, ratio: Option<f64>) -> MrdSample {
    MrdSample {
        date: d(date),
        tissue: Tissue::PeripheralBlood,
        measurement: MrdMeasurement::Qpcr {
            positive: ratio.is_some(),
            ratio_percent: ratio,
        },
    }
}

#[test]
fn mrd_conversion_needs_confirmation_within_4_weeks() {
    let cfg = MrdConfig::default();
    // MFC 0.09% is negative, 0.1% positive
    let s = [
        mfc("2025-01-01", 0.0),
        mfc("2025-02-01", 0.09),
        mfc("2025-03-01", 0.1),
    ];
    let g = mrd_relapse(&s, d("2025-03-10"), &cfg).unwrap();
    assert!(matches!(
        g.value(),
        Some(MrdRelapseState::Unconfirmed {
            window_elapsed: false,
            ..
        })
    ));
    assert!(g.explanation().flags.iter().any(|f| f.code == "M-6"));
    // confirmed 28 days later
    let mut s2 = s.to_vec();
    s2.push(mfc("2025-03-29", 0.3));
    match mrd_relapse(&s2, d("2025-04-10"), &cfg).unwrap().value() {
        Some(MrdRelapseState::Confirmed {
            first,
            confirmed_on,
            trigger,
        }) => {
            assert_eq!((*first, *confirmed_on), (d("2025-03-01"), d("2025-03-29")));
            assert_eq!(*trigger, MrdTrigger::Conversion);
        }
        other => panic!("{other:?}"),
    }
    // 29 days later is not a confirmation
    let mut s3 = s.to_vec();
    s3.push(mfc("2025-03-30", 0.3));
    assert!(matches!(
        mrd_relapse(&s3, d("2025-04-10"), &cfg).unwrap().value(),
        Some(MrdRelapseState::Unconfirmed {
            window_elapsed: true,
            ..
        })
    ));
    // refuted by a negative next sample
    let mut s4 = s.to_vec();
    s4.push(mfc("2025-03-15", 0.0));
    assert_eq!(
        mrd_relapse(&s4, d("2025-04-10"), &cfg).unwrap().value(),
        Some(&MrdRelapseState::None)
    );
    // a different tissue does not confirm
    let mut s5 = s.to_vec();
    s5.push(qpcr("2025-03-10", Some(1.0)));
    assert!(matches!(
        mrd_relapse(&s5, d("2025-04-10"), &cfg).unwrap().value(),
        Some(MrdRelapseState::Unconfirmed { .. })
    ));
    assert!(matches!(
        mrd_relapse(&[], d("2025-04-10"), &cfg).unwrap(),
        Graded::InsufficientData { .. }
    ));
}

#[test]
fn qpcr_one_log_rise_from_low_level() {
    let cfg = MrdConfig::default();
    let s = [
        qpcr("2025-01-01", Some(0.01)),
        qpcr("2025-02-01", Some(0.1)),
        qpcr("2025-02-20", Some(0.12)),
    ];
    match mrd_relapse(&s, d("2025-03-01"), &cfg).unwrap().value() {
        Some(MrdRelapseState::Confirmed {
            trigger:
                MrdTrigger::LogRise {
                    from_percent,
                    to_percent,
                },
            ..
        }) => {
            assert_eq!((*from_percent, *to_percent), (0.01, 0.1));
        }
        other => panic!("{other:?}"),
    }
    // 0.99 log rise is not enough
    let s = [
        qpcr("2025-01-01", Some(0.01)),
        qpcr("2025-02-01", Some(0.0977)),
    ];
    assert_eq!(
        mrd_relapse(&s, d("2025-03-01"), &cfg).unwrap().value(),
        Some(&MrdRelapseState::None)
    );
}

fn ab(kind: AbnormalityKind, lesion: Option<RecurrentLesion>) -> Abnormality {
    Abnormality {
        kind,
        lesion,
        iscn: None,
    }
}
fn karyo(a: Vec<Abnormality>) -> Option<Karyotype> {
    Some(Karyotype { abnormalities: a })
}
fn risk(k: Option<Karyotype>, m: Vec<Mutation>) -> Graded<ElnRisk> {
    eln_genetic_risk(&DiagnosticGenetics {
        date: Some(d("2024-10-01")),
        karyotype: k,
        mutations: Some(m),
    })
    .unwrap()
}
fn mutation(gene: Gene) -> Mutation {
    Mutation {
        gene,
        vaf_percent: Some(40.0),
    }
}
fn other() -> Abnormality {
    ab(AbnormalityKind::OtherStructural, None)
}

#[test]
fn complex_karyotype_2_vs_3_and_hyperdiploid_exclusion() {
    assert_eq!(
        risk(karyo(vec![other(), other()]), vec![]).value(),
        Some(&ElnRisk::Intermediate)
    );
    assert_eq!(
        risk(karyo(vec![other(), other(), other()]), vec![]).value(),
        Some(&ElnRisk::Adverse)
    );
    let tri = |c| ab(AbnormalityKind::Trisomy(Chromosome::Autosome(c)), None);
    assert_eq!(
        risk(karyo(vec![tri(8), tri(19), tri(21)]), vec![]).value(),
        Some(&ElnRisk::Intermediate),
        "trisomy-only hyperdiploid"
    );
    assert_eq!(
        risk(karyo(vec![tri(8), tri(19), other()]), vec![]).value(),
        Some(&ElnRisk::Adverse)
    );
    // a class-defining lesion excludes the complex count
    let t911 = ab(AbnormalityKind::Translocation, Some(RecurrentLesion::T9_11));
    assert_eq!(
        risk(karyo(vec![t911, other(), other(), other()]), vec![]).value(),
        Some(&ElnRisk::Intermediate)
    );
}

#[test]
fn monosomal_karyotype() {
    let mono = |c| ab(AbnormalityKind::Monosomy(c), None);
    // -7 alone is adverse by lesion
    assert_eq!(
        risk(
            karyo(vec![ab(
                AbnormalityKind::Monosomy(Chromosome::Autosome(7)),
                Some(RecurrentLesion::Minus7)
            )]),
            vec![]
        )
        .value(),
        Some(&ElnRisk::Adverse)
    );
    assert_eq!(
        risk(
            karyo(vec![
                mono(Chromosome::Autosome(13)),
                mono(Chromosome::Autosome(18))
            ]),
            vec![]
        )
        .value(),
        Some(&ElnRisk::Adverse)
    );
    assert_eq!(
        risk(karyo(vec![mono(Chromosome::Autosome(13)), other()]), vec![]).value(),
        Some(&ElnRisk::Adverse)
    );
    // loss of Y is not an autosomal monosomy
    assert_eq!(
        risk(karyo(vec![mono(Chromosome::Y), other()]), vec![]).value(),
        Some(&ElnRisk::Intermediate)
    );
    assert_eq!(
        risk(karyo(vec![mono(Chromosome::Autosome(13))]), vec![]).value(),
        Some(&ElnRisk::Intermediate)
    );
}

#[test]
fn tp53_vaf_9_9_vs_10() {
    let tp53 = |v| Mutation {
        gene: Gene::Tp53,
        vaf_percent: Some(v),
    };
    assert_eq!(
        risk(karyo(vec![]), vec![tp53(9.9)]).value(),
        Some(&ElnRisk::Intermediate)
    );
    assert_eq!(
        risk(karyo(vec![]), vec![tp53(10.0)]).value(),
        Some(&ElnRisk::Adverse)
    );
    let g = risk(
        karyo(vec![]),
        vec![Mutation {
            gene: Gene::Tp53,
            vaf_percent: None,
        }],
    );
    assert!(matches!(g, Graded::InsufficientData { .. }));
}

#[test]
fn npm1_flt3_cebpa_and_footnotes() {
    let normal = || karyo(vec![]);
    // normal karyotype: the mutations -> risk
    for (genes, expected) in [
        (vec![Gene::Npm1], ElnRisk::Favorable),
        (vec![Gene::Npm1, Gene::Flt3Itd], ElnRisk::Intermediate),
        (vec![Gene::Flt3Itd], ElnRisk::Intermediate),
        (vec![Gene::Flt3Itd, Gene::Runx1], ElnRisk::Adverse),
        (vec![Gene::CebpaBzipInFrame], ElnRisk::Favorable),
        (vec![Gene::CebpaOther], ElnRisk::Intermediate),
        // ** MR genes ignored with a favorable subtype
        (vec![Gene::Npm1, Gene::Asxl1], ElnRisk::Favorable),
        (vec![Gene::Srsf2], ElnRisk::Adverse),
    ] {
        let m = genes.iter().cloned().map(mutation).collect();
        assert_eq!(risk(normal(), m).value(), Some(&expected), "{genes:?}");
    }
    // ‡ NPM1 with adverse cytogenetics is adverse
    let m7 = ab(
        AbnormalityKind::Monosomy(Chromosome::Autosome(7)),
        Some(RecurrentLesion::Minus7),
    );
    let g = risk(karyo(vec![m7]), vec![mutation(Gene::Npm1)]);
    assert_eq!(g.value(), Some(&ElnRisk::Adverse));
    assert!(g.explanation().flags.iter().any(|f| f.code == "ELN-‡"));
    // † CBF with KIT stays favorable; with MR gene stays favorable
    let t821 = || ab(AbnormalityKind::Translocation, Some(RecurrentLesion::T8_21));
    assert_eq!(
        risk(
            karyo(vec![t821()]),
            vec![mutation(Gene::Kit), mutation(Gene::Flt3Itd)]
        )
        .value(),
        Some(&ElnRisk::Favorable)
    );
    assert_eq!(
        risk(karyo(vec![t821()]), vec![mutation(Gene::Asxl1)]).value(),
        Some(&ElnRisk::Favorable)
    );
    // § t(9;11) over an MR gene
    let t911 = ab(AbnormalityKind::Translocation, Some(RecurrentLesion::T9_11));
    assert_eq!(
        risk(karyo(vec![t911]), vec![mutation(Gene::Runx1)]).value(),
        Some(&ElnRisk::Intermediate)
    );
    // KMT2A rearranged is adverse
    let kmt = ab(
        AbnormalityKind::Translocation,
        Some(RecurrentLesion::Kmt2aRearranged),
    );
    assert_eq!(
        risk(karyo(vec![kmt]), vec![]).value(),
        Some(&ElnRisk::Adverse)
    );
}

#[test]
fn missing_genetics() {
    // no karyotype, no adverse molecular lesion -> insufficient
    let g = risk(None, vec![mutation(Gene::Npm1)]);
    assert!(matches!(g, Graded::InsufficientData { .. }));
    // no karyotype but TP53 >= 10% -> adverse regardless
    let g = risk(
        None,
        vec![Mutation {
            gene: Gene::Tp53,
            vaf_percent: Some(35.0),
        }],
    );
    assert_eq!(g.value(), Some(&ElnRisk::Adverse));
    // karyotype adverse, no panel -> adverse
    let g = eln_genetic_risk(&DiagnosticGenetics {
        date: None,
        karyotype: karyo(vec![other(), other(), other()]),
        mutations: None,
    })
    .unwrap();
    assert_eq!(g.value(), Some(&ElnRisk::Adverse));
    // normal karyotype, no panel -> insufficient
    let g = eln_genetic_risk(&DiagnosticGenetics {
        date: None,
        karyotype: karyo(vec![]),
        mutations: None,
    })
    .unwrap();
    assert!(matches!(g, Graded::InsufficientData { .. }));
}

#[test]
fn invalid_genetics_and_mrd_values_are_errors() {
    let bad = DiagnosticGenetics {
        date: Some(d("2024-10-01")),
        karyotype: karyo(vec![]),
        mutations: Some(vec![Mutation {
            gene: Gene::Tp53,
            vaf_percent: Some(140.0),
        }]),
    };
    let e = eln_genetic_risk(&bad).unwrap_err();
    assert!(e.to_string().contains("vaf on 2024-10-01: 140"), "{e}");
    let e = mrd_relapse(
        &[mfc("2025-01-01", -0.5)],
        d("2025-02-01"),
        &MrdConfig::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("-0.5"), "{e}");
    let e = hematologic_relapse(&RelapseInput {
        remission_date: d("2025-01-01"),
        marrow_blasts_pct: &[dv("2025-02-01", f64::NAN)],
        blood_blasts_pct: &[],
        new_extramedullary_disease: &[],
    })
    .unwrap_err();
    assert!(e.to_string().contains("bm_blasts on 2025-02-01"), "{e}");
}

#[test]
fn karyotype_json_round_trip() {
    let k = Karyotype {
        abnormalities: vec![
            Abnormality {
                kind: AbnormalityKind::Monosomy(Chromosome::Autosome(7)),
                lesion: Some(RecurrentLesion::Minus7),
                iscn: Some("-7".into()),
            },
            Abnormality {
                kind: AbnormalityKind::Translocation,
                lesion: None,
                iscn: Some("t(1;3)(p36;q21)".into()),
            },
        ],
    };
    let j = serde_json::to_string(&k).unwrap();
    let back: Karyotype = serde_json::from_str(&j).unwrap();
    assert_eq!(back, k);
}

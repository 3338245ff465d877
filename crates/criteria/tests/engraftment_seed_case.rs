//! The project's seed case end to end through criteria B: a 35-year-old man
//! with relapsed/refractory AML, CAR-T (CLL1) failure, then a combined
//! umbilical-cord-blood + haploidentical PBSC transplant. Also checks that
//! every configuration deserialises from `{}` to the reference defaults.

use graftwatch_core::{Date, DonorId, Lineage, Percent, PersonRef};
use graftwatch_criteria::Graded;
use graftwatch_criteria::chimerism_state::{
    ChimerismCategory, ChimerismConfig, ChimerismSample, OverallChimerismState, PersonShare,
    lineage_chimerism, overall_chimerism,
};
use graftwatch_criteria::day_grid::GapFill;
use graftwatch_criteria::ebmt_score::{EbmtDonor, EbmtInput, EbmtStage, Sex, ebmt_score};
use graftwatch_criteria::eln_relapse::MrdConfig;
use graftwatch_criteria::eln_response::{
    CriReading, ElnResponse, ResponseAssessment, ResponseConfig, TherapyLandmark, eln_response,
    refractory_at_landmark,
};
use graftwatch_criteria::engraftment::{
    EngraftmentConfig, neutrophil_engraftment, platelet_engraftment,
};
use graftwatch_criteria::graft_failure::{
    GraftComponent, GraftSourceKind, SecondaryFailureConfig, primary_graft_failure,
};
use graftwatch_criteria::hematotox::{HematotoxInput, HematotoxRisk, car_hematotox};
use graftwatch_criteria::icaht::{
    Censor, CensorReason, CountCourse, DurationMode, IcahtConfig, IcahtGrade, early_icaht,
    late_icaht,
};
use graftwatch_criteria::poor_graft_function::PoorGraftFunctionConfig;
use graftwatch_criteria::series::DatedValue;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}
fn share(p: &str, pct: f64) -> PersonShare {
    PersonShare {
        person: PersonRef::parse(p),
        percent: Percent::new(pct).unwrap(),
    }
}

#[test]
fn seed_case_car_t_phase() {
    let car_t = d("2025-01-10");
    // lymphodepletion labs on day -5
    let hx = car_hematotox(&HematotoxInput {
        date: Some(car_t.add_days(-5)),
        anc: Some(0.9),
        hemoglobin: Some(8.6),
        platelets: Some(62.0),
        crp: Some(1.2),
        ferritin: Some(1450.0),
    })
    .unwrap();
    let v = hx.value().unwrap();
    assert_eq!((v.score, v.risk), (5, HematotoxRisk::High));
    // ANC <= 0.5 from day 2 to day 16 (15 days), nadir 0.05 on days 6-9
    let anc: Vec<DatedValue> = (-3..=44)
        .map(|k| {
            let x = match k {
                2..=5 | 10..=16 => 0.3,
                6..=9 => 0.05,
                _ => 1.4,
            };
            DatedValue::new(car_t.add_days(k), x)
        })
        .collect();
    // transplant conditioning starts day +45: censor there
    let censor = Some(Censor {
        date: car_t.add_days(45),
        reason: CensorReason::NextTherapy,
        therapy: None,
    });
    let course = CountCourse {
        day0: car_t,
        values: &anc,
        censor,
    };
    let early = early_icaht(&course, &IcahtConfig::default()).unwrap();
    let e = early.value().unwrap();
    assert_eq!(e.grade, IcahtGrade::Grade3);
    assert_eq!((e.le_0_5.cumulative, e.le_0_1.cumulative), (15, 4));
    let ev = &early.explanation().evidence;
    assert!(
        ev.iter()
            .any(|x| x.date == Some(car_t.add_days(2)) && x.note.contains("first day"))
    );
    // late ICAHT: 1.4 on every day +31..+44 -> second-lowest 1.4 -> grade 1
    let late = late_icaht(&course).unwrap();
    assert_eq!(late.value().unwrap().grade, IcahtGrade::Grade1);
    assert_eq!(late.value().unwrap().window_end_day, 45);
    // marrow day +28: 30% blasts -> no response; one course of CAR-T treated as less intensive
    let a = ResponseAssessment {
        date: Some(car_t.add_days(28)),
        bm_blasts_pct: Some(30.0),
        pb_blasts_pct: Some(2.0),
        extramedullary_disease: Some(false),
        anc: Some(1.4),
        platelets: Some(40.0),
        pretreatment_bm_blasts_pct: Some(45.0),
        ..ResponseAssessment::default()
    };
    let r = eln_response(&a, &ResponseConfig::default()).unwrap();
    assert_eq!(r.value(), Some(&ElnResponse::NoResponse));
    let refr = refractory_at_landmark(
        &[(car_t.add_days(28), ElnResponse::NoResponse)],
        TherapyLandmark::LessIntensive { start: car_t },
        car_t.add_days(40),
    );
    assert!(
        matches!(refr, Graded::NotApplicable { .. }),
        "180-day landmark not reached at day +40"
    );
}

#[test]
fn seed_case_combined_cord_and_haplo_transplant() {
    let hct = d("2025-03-01");
    let graft = vec![
        GraftComponent {
            donor: DonorId("UCB-1".into()),
            source: GraftSourceKind::Ucb,
        },
        GraftComponent {
            donor: DonorId("PBSC-haplo".into()),
            source: GraftSourceKind::Pbsc,
        },
    ];
    // ANC: aplasia day 2-10, bridge recovery from day 11
    let anc: Vec<DatedValue> = (0..=70)
        .map(|k| {
            DatedValue::new(
                hct.add_days(k),
                if (2..=10).contains(&k) { 0.02 } else { 1.8 },
            )
        })
        .collect();
    let cfg = EngraftmentConfig::default();
    let n = neutrophil_engraftment(hct, &anc, &cfg).unwrap();
    assert_eq!(n.value().unwrap().engrafted.unwrap().day, 11);
    let pgf = primary_graft_failure(&graft, &n);
    let p = pgf.value().unwrap();
    assert!(!p.primary_graft_failure);
    assert_eq!(p.deadline_day, 42);
    assert_eq!(p.early_bridge_engraftment.unwrap().day, 11);
    // platelets transfused every 3 days to day 27, >= 20 from day 28: eligible from day 34
    let plt: Vec<DatedValue> = (0..=70)
        .map(|k| DatedValue::new(hct.add_days(k), if k < 28 { 12.0 } else { 35.0 }))
        .collect();
    let tx: Vec<Date> = (0..=27).step_by(3).map(|k| hct.add_days(k)).collect();
    let p20 = platelet_engraftment(hct, &plt, &tx, 20.0, &cfg).unwrap();
    assert_eq!(
        p20.value().unwrap().engrafted.unwrap().day,
        34,
        "last transfusion day 27 -> day 34 eligible"
    );
    // chimerism: haplo dominates early, the cord takes over by day +60
    let cc = ChimerismConfig::default();
    let early = ChimerismSample {
        date: hct.add_days(14),
        lineage: Lineage::Myeloid,
        shares: vec![
            share("PBSC-haplo", 85.0),
            share("UCB-1", 10.0),
            share("recipient", 5.0),
        ],
    };
    let g = lineage_chimerism(&early, &cc).unwrap();
    let v = g.value().unwrap();
    assert_eq!(v.donor_percent.get(), 95.0);
    assert_eq!(
        v.category,
        ChimerismCategory::Mixed,
        "95.0% is mixed under ASTCT"
    );
    assert_eq!(
        v.dominant.as_ref().unwrap().donor,
        DonorId("PBSC-haplo".into())
    );
    let later_my = ChimerismSample {
        date: hct.add_days(60),
        lineage: Lineage::Myeloid,
        shares: vec![
            share("UCB-1", 97.0),
            share("PBSC-haplo", 2.0),
            share("recipient", 1.0),
        ],
    };
    let later_t = ChimerismSample {
        date: hct.add_days(60),
        lineage: Lineage::Cd3,
        shares: vec![share("UCB-1", 90.0), share("recipient", 10.0)],
    };
    assert_eq!(
        lineage_chimerism(&later_my, &cc)
            .unwrap()
            .value()
            .unwrap()
            .dominant
            .as_ref()
            .unwrap()
            .donor,
        DonorId("UCB-1".into())
    );
    let o = overall_chimerism(&[later_my, later_t], &cc).unwrap();
    assert_eq!(
        o.value().unwrap().state,
        OverallChimerismState::Split {
            myeloid: ChimerismCategory::FullDonor,
            lymphoid: ChimerismCategory::Mixed
        }
    );
    // EBMT score at HCT: age 35 (1), refractory (late, 2), diagnosis 14 months before (1), cord (1), male donor
    let e = ebmt_score(&EbmtInput {
        age_years: 35,
        stage: EbmtStage::Late,
        first_complete_remission: false,
        diagnosis_date: Some(d("2024-01-05")),
        hct_date: hct,
        donor: EbmtDonor::CordBlood,
        donor_sex: Some(Sex::Male),
        recipient_sex: Some(Sex::Male),
    })
    .unwrap();
    assert_eq!(e.value().unwrap().score, 5);
}

/// An empty JSON object reads as the default configuration.
fn empty_is_default<T>()
where
    T: serde::de::DeserializeOwned + Default + PartialEq + std::fmt::Debug,
{
    assert_eq!(serde_json::from_str::<T>("{}").unwrap(), T::default());
}

#[test]
fn configs_deserialize_with_reference_defaults() {
    empty_is_default::<IcahtConfig>();
    let icaht: IcahtConfig = serde_json::from_str(
        r#"{"duration_mode":"longest_episode","gap_fill":{"mode":"linear","max_gap_days":7}}"#,
    )
    .unwrap();
    assert_eq!(icaht.duration_mode, DurationMode::LongestEpisode);
    assert_eq!(icaht.gap_fill, GapFill::Linear { max_gap_days: 7 });
    assert!(
        serde_json::from_str::<IcahtConfig>(r#"{"duration":"x"}"#).is_err(),
        "unknown keys are rejected"
    );
    empty_is_default::<EngraftmentConfig>();
    empty_is_default::<ChimerismConfig>();
    let rc: ResponseConfig = serde_json::from_str(r#"{"cri_reading":"either_lineage"}"#).unwrap();
    assert_eq!(rc.cri_reading, CriReading::EitherLineage);
    empty_is_default::<MrdConfig>();
    empty_is_default::<PoorGraftFunctionConfig>();
    empty_is_default::<SecondaryFailureConfig>();
}

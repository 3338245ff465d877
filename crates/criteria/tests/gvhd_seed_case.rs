//! The project's seed case: a 35-year-old man with relapsed/refractory AML
//! after CAR-CLL1, combined UCB + PBSC transplant, skin and gut acute GVHD
//! that was controlled. Simulated daily findings with a hand-graded truth.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::agvhd::timeline::run_fast;
use graftwatch_criteria::agvhd::{
    AgvhdSeries, GvhdConfig, IbmtrIndex, KeystoneGrade, MagicGrade, OnsetCategory, explain_ibmtr,
    explain_keystone, grade_timeline,
};

mod common;
use common::assessed_day;

fn d0() -> Date {
    "2024-06-03".parse().unwrap()
}

/// (day, skin BSA %, bilirubin mg/dL, stool mL, nausea) for day +14 … +45.
const COURSE: &[(i32, f64, f64, f64, bool)] = &[
    (14, 0.0, 0.9, 150.0, false),
    (16, 0.0, 1.0, 200.0, false),
    (18, 15.0, 1.1, 250.0, false), // rash 15%: skin 1 -> grade I (onset)
    (19, 22.0, 1.0, 300.0, true),
    (20, 30.0, 1.2, 450.0, true),   // skin 2
    (21, 35.0, 1.3, 700.0, true), // lower GI onset: max(700, 450, 300) = 700 -> 1; upper GI persistent (3 days) -> II
    (22, 40.0, 1.4, 1200.0, true), // mean(1200, 700, 450) = 783 -> 1 -> II
    (23, 45.0, 1.6, 1600.0, false), // mean(1600, 1200, 700) = 1166.7 -> 2 -> III (peak)
    (24, 40.0, 1.5, 1300.0, false), // mean(1300, 1600, 1200) = 1366.7 -> 2 -> III
    (26, 30.0, 1.2, 800.0, false), // mean(800, 1300, 1600) = 1233 -> 2 -> III
    (28, 20.0, 1.0, 400.0, false), // mean(400, 800, 1300) = 833 -> 1 -> II
    (31, 10.0, 0.9, 200.0, false), // mean(200, 400, 800) = 466.7 -> 0; skin 1 -> I
    (35, 0.0, 0.8, 150.0, false), // 0
    (45, 0.0, 0.7, 100.0, false), // 0
];

fn series() -> AgvhdSeries {
    let days = COURSE
        .iter()
        .map(|&(n, bsa, bili, ml, nausea)| {
            assessed_day(d0().add_days(n), (bsa, bili, nausea, Some(ml)), None)
        })
        .collect();
    AgvhdSeries {
        day0: d0(),
        baseline_weight_kg: Some(68.0),
        chronic_features_present: Some(false),
        upper_gi_histology: false,
        lower_gi_diagnosis: None,
        days,
    }
}

#[test]
fn seed_case_daily_grades_onset_and_maximum() {
    use MagicGrade::*;
    let t = grade_timeline(&series(), &GvhdConfig::default()).unwrap();
    let got: Vec<MagicGrade> = t
        .days
        .iter()
        .map(|g| g.value().expect("all days graded").grade)
        .collect();
    assert_eq!(
        got,
        vec![
            Zero, Zero, I, I, I, II, II, III, III, III, II, I, Zero, Zero
        ]
    );
    let s = t.summary.value().unwrap();
    assert_eq!(s.onset_day.map(|d| d.get()), Some(18));
    assert_eq!(s.onset_category, Some(OnsetCategory::Classic));
    assert_eq!(
        (
            s.max_grade,
            s.max_grade_date.map(|d| d.days_since(d0()).get())
        ),
        (III, Some(23))
    );
    assert_eq!(s.late_acute, None);
    let peak = t.days[7].explanation();
    assert!(
        peak.reason.contains("lower GI stage 2 on 2024-06-26"),
        "{}",
        peak.reason
    );
    assert!(peak.flags.iter().any(|f| f.code == "A-5"));
}

#[test]
fn seed_case_alternate_systems_at_peak() {
    let mut out = Vec::new();
    run_fast(&series(), &GvhdConfig::default(), &mut out).unwrap();
    let peak = &out[7];
    // skin 2 (45%), lower GI 2: Keystone III, IBMTR B
    match explain_keystone(peak.date, &peak.organs, false) {
        Graded::Value { value, .. } => assert_eq!(value.grade, KeystoneGrade::III),
        o => panic!("{o:?}"),
    }
    assert_eq!(
        explain_ibmtr(peak.date, &peak.organs, false)
            .value()
            .unwrap()
            .index,
        IbmtrIndex::B
    );
    // day +21: upper GI persistent without histology: MAGIC II, Keystone from lower GI 1 -> II
    let d21 = &out[5];
    assert_eq!(
        explain_keystone(d21.date, &d21.organs, false)
            .value()
            .unwrap()
            .grade,
        KeystoneGrade::II
    );
}

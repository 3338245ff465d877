//! Acute-GVHD timeline: A-5 stool rule, A-9 persistence, carry-forward,
//! onset, maximum grade, A-12 onset category.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::agvhd::findings::FindingError;
use graftwatch_criteria::agvhd::timeline::run_fast;
use graftwatch_criteria::agvhd::{
    AgvhdSeries, DayFindings, GvhdConfig, LateAcute, LowerGiFinding, MagicGrade, OnsetCategory,
    SkinFinding, Stage, StoolAveraging, UpperGiFinding, grade_timeline,
};

mod common;
use common::assessed_day;

fn day0() -> Date {
    "2025-01-01".parse().unwrap()
}

fn on(n: i32) -> Date {
    day0().add_days(n)
}

fn normal(n: i32) -> DayFindings {
    assessed_day(on(n), (0.0, 0.7, false, Some(0.0)), None)
}

fn with_stool(n: i32, ml: f64) -> DayFindings {
    let mut d = normal(n);
    d.lower_gi = Some(LowerGiFinding {
        stool_ml: Some(ml),
        ..d.lower_gi.unwrap()
    });
    d
}

fn with_skin(n: i32, bsa: f64) -> DayFindings {
    let mut d = normal(n);
    d.skin = Some(SkinFinding {
        erythema_bsa_pct: bsa,
        ..d.skin.unwrap()
    });
    d
}

fn series(days: Vec<DayFindings>) -> AgvhdSeries {
    AgvhdSeries {
        day0: day0(),
        baseline_weight_kg: Some(72.0),
        chronic_features_present: None,
        upper_gi_histology: false,
        lower_gi_diagnosis: None,
        days,
    }
}

fn lower_stages(s: &AgvhdSeries, cfg: &GvhdConfig) -> Vec<u8> {
    let mut out = Vec::new();
    run_fast(s, cfg, &mut out).unwrap();
    out.iter()
        .map(|f| f.organs[3].as_ref().unwrap().stage.get())
        .collect()
}

fn grades(s: &AgvhdSeries, cfg: &GvhdConfig) -> Vec<Option<MagicGrade>> {
    let t = grade_timeline(s, cfg).unwrap();
    t.days.iter().map(|g| g.value().map(|v| v.grade)).collect()
}

#[test]
fn stool_onset_max_then_three_day_mean() {
    let s = series(vec![
        with_stool(20, 100.0),
        with_stool(21, 1200.0),
        with_stool(22, 1300.0),
        with_stool(23, 200.0),
        with_stool(24, 100.0),
    ]);
    // default: d21 onset 1200 -> 2; d22 mean(1300,1200,100)=866.7 -> 1; d23 mean(200,1300,1200)=900 -> 1; d24 mean(100,200,1300)=533 -> 1
    assert_eq!(
        lower_stages(&s, &GvhdConfig::default()),
        vec![0, 2, 1, 1, 1]
    );
    // COG: always the mean: d21 mean(1200,100)=650 -> 1
    let cog = GvhdConfig {
        stool_averaging: StoolAveraging::AlwaysMean,
        ..GvhdConfig::default()
    };
    assert_eq!(lower_stages(&s, &cog), vec![0, 1, 1, 1, 1]);
    let t = grade_timeline(&s, &GvhdConfig::default()).unwrap();
    let f = &t.days[2].explanation().flags;
    assert!(
        f.iter().any(|f| f.code == "A-5" && f.text.contains("mean")),
        "{f:?}"
    );
    let e = &t.days[2].explanation().evidence;
    let stool = e.iter().find(|e| e.what == "stool_volume").unwrap();
    assert!((stool.value.unwrap() - 866.666).abs() < 0.01);
}

#[test]
fn three_day_mean_uses_days_with_data() {
    // a day without lower-GI data in between: the mean takes the previous days with data
    let mut gap = normal(22);
    gap.lower_gi = None;
    let s = series(vec![
        with_stool(20, 1600.0),
        with_stool(21, 1600.0),
        gap,
        with_stool(23, 100.0),
    ]);
    // d20 onset 1600 -> 3; d21 mean(1600,1600)=1600 -> 3; d22 carried 3; d23 mean(100,1600,1600)=1100 -> 2
    assert_eq!(lower_stages(&s, &GvhdConfig::default()), vec![3, 3, 3, 2]);
}

/// The upper-GI stage of each day (every day assessed).
fn upper_gi_stages(s: &AgvhdSeries) -> Vec<u8> {
    let mut out = Vec::new();
    run_fast(s, &GvhdConfig::default(), &mut out).unwrap();
    out.iter()
        .map(|f| f.organs[2].as_ref().unwrap().stage.get())
        .collect()
}

#[test]
fn upper_gi_needs_three_consecutive_days() {
    let n = |d: i32| {
        let mut x = normal(d);
        x.upper_gi = Some(UpperGiFinding {
            nausea: true,
            ..x.upper_gi.unwrap()
        });
        x
    };
    let s = series(vec![n(10), n(11), n(12), n(14), n(15)]);
    let st = upper_gi_stages(&s);
    assert_eq!(
        st,
        vec![0, 0, 1, 1, 1],
        "a persistent run survives an unrecorded day 13"
    );
    assert_eq!(grades(&s, &GvhdConfig::default())[2], Some(MagicGrade::II));
    // a run that is not yet persistent restarts after an unrecorded day
    let s = series(vec![n(10), n(11), n(13), n(14), n(15)]);
    let st = upper_gi_stages(&s);
    assert_eq!(
        st,
        vec![0, 0, 0, 0, 1],
        "day 12 missing restarts the run at day 13"
    );
    // a day without symptoms ends it
    let s = series(vec![n(10), n(11), n(12), normal(13), n(14)]);
    let st = upper_gi_stages(&s);
    assert_eq!(st, vec![0, 0, 1, 0, 0]);
}

#[test]
fn onset_category_day_100_vs_101() {
    for (n, cat) in [
        (100, OnsetCategory::Classic),
        (101, OnsetCategory::LateOnset),
    ] {
        let s = series(vec![normal(n - 1), with_skin(n, 30.0)]);
        let t = grade_timeline(&s, &GvhdConfig::default()).unwrap();
        let sum = t.summary.value().unwrap();
        assert_eq!(sum.onset, Some(on(n)));
        assert_eq!(sum.onset_day.unwrap().get(), n);
        assert_eq!(sum.onset_category, Some(cat));
        assert_eq!(sum.max_grade, MagicGrade::I);
    }
}

#[test]
fn persistent_vs_recurrent_late_acute() {
    let persistent = series(vec![
        with_skin(90, 30.0),
        with_skin(95, 30.0),
        with_skin(105, 60.0),
    ]);
    let t = grade_timeline(&persistent, &GvhdConfig::default()).unwrap();
    let s = t.summary.value().unwrap();
    assert_eq!(s.late_acute, Some(LateAcute::Persistent));
    assert_eq!(
        (s.max_grade, s.max_grade_date),
        (MagicGrade::II, Some(on(105)))
    );
    let recurrent = series(vec![with_skin(90, 30.0), normal(95), with_skin(105, 30.0)]);
    let t = grade_timeline(&recurrent, &GvhdConfig::default()).unwrap();
    assert_eq!(
        t.summary.value().unwrap().late_acute,
        Some(LateAcute::Recurrent)
    );
    let classic_only = series(vec![with_skin(30, 30.0), normal(40)]);
    let t = grade_timeline(&classic_only, &GvhdConfig::default()).unwrap();
    assert_eq!(t.summary.value().unwrap().late_acute, None);
}

#[test]
fn maximum_grade_and_its_first_date_with_reason() {
    let mut bloody = normal(33);
    bloody.lower_gi = Some(LowerGiFinding {
        grossly_bloody: true,
        ..bloody.lower_gi.unwrap()
    });
    let s = series(vec![
        with_skin(30, 20.0),
        with_stool(31, 1100.0),
        with_stool(32, 900.0),
        bloody,
        normal(34),
    ]);
    let g = grades(&s, &GvhdConfig::default());
    // d31 onset 1100 -> lower GI 2 (III); d32 mean(900,1100,0)=666.7 -> 1 (II);
    // d33 bloody -> 4 (IV); d34 mean(0,0,900)=300 -> 0
    assert_eq!(
        g,
        vec![
            Some(MagicGrade::I),
            Some(MagicGrade::III),
            Some(MagicGrade::II),
            Some(MagicGrade::IV),
            Some(MagicGrade::Zero)
        ]
    );
    let t = grade_timeline(&s, &GvhdConfig::default()).unwrap();
    let sum = t.summary.value().unwrap();
    assert_eq!(
        (sum.max_grade, sum.max_grade_date, sum.onset),
        (MagicGrade::IV, Some(on(33)), Some(on(30)))
    );
    let ex = t.summary.explanation();
    assert!(
        ex.evidence
            .iter()
            .any(|e| e.note.contains("lower GI stage 4 on 2025-02-03")),
        "{:?}",
        ex.evidence
    );
    assert!(
        t.days[2]
            .explanation()
            .reason
            .contains("lower GI stage 1 on 2025-02-02"),
        "{}",
        t.days[2].explanation().reason
    );
    assert!(
        t.days[4].explanation().reason.contains("grade 0"),
        "{}",
        t.days[4].explanation().reason
    );
}

#[test]
fn carry_forward_window_then_insufficient() {
    let cfg = GvhdConfig::default();
    let mut days = vec![normal(1)];
    for n in 2..=10 {
        let mut d = with_skin(n, 10.0);
        d.liver = None;
        days.push(d);
    }
    let s = series(days);
    let t = grade_timeline(&s, &cfg).unwrap();
    // liver assessed on day 1: carried to day 8 (7 days), missing from day 9
    for (i, g) in t.days.iter().enumerate() {
        let n = i as i32 + 1;
        match (n, g) {
            (1..=8, Graded::Value { explanation, .. }) => {
                if n > 1 {
                    assert!(
                        explanation.flags.iter().any(|f| f.code == "CARRY"),
                        "day {n}"
                    );
                    let liver = explanation
                        .evidence
                        .iter()
                        .find(|e| e.what == "bilirubin")
                        .unwrap();
                    assert_eq!(liver.date, Some(on(1)));
                }
            }
            (9..=10, Graded::InsufficientData { missing, .. }) => {
                assert_eq!(missing, &vec!["liver finding".to_string()])
            }
            _ => panic!("day {n}: {g:?}"),
        }
    }
    let sum = t.summary.value().unwrap();
    assert_eq!(sum.undetermined_days, 2);
    assert_eq!(
        sum.max_grade,
        MagicGrade::I,
        "lower bounds count toward the maximum"
    );
    let none = GvhdConfig {
        carry_forward_days: 0,
        ..cfg
    };
    let t = grade_timeline(&s, &none).unwrap();
    assert!(matches!(t.days[1], Graded::InsufficientData { .. }));
}

#[test]
fn weight_comes_from_day_or_baseline() {
    let mut s = series(vec![with_stool(5, 600.0)]);
    s.baseline_weight_kg = None;
    let t = grade_timeline(&s, &GvhdConfig::default()).unwrap();
    match &t.days[0] {
        Graded::InsufficientData { missing, .. } => assert!(missing[0].contains("body weight")),
        o => panic!("{o:?}"),
    }
    s.days[0].weight_kg = Some(25.0); // 24 mL/kg: child stage 2
    let mut out = Vec::new();
    run_fast(&s, &GvhdConfig::default(), &mut out).unwrap();
    assert_eq!(out[0].organs[3].as_ref().unwrap().stage, Stage::S2);
}

#[test]
fn date_order_and_values_are_validated() {
    let s = series(vec![normal(3), normal(3)]);
    let e = grade_timeline(&s, &GvhdConfig::default()).unwrap_err();
    assert!(matches!(e, FindingError::DateOrder { .. }));
    assert!(e.to_string().contains("2025-01-04"), "{e}");
    let s = series(vec![with_stool(3, -5.0)]);
    assert!(
        grade_timeline(&s, &GvhdConfig::default())
            .unwrap_err()
            .to_string()
            .contains("lower_gi.stool_ml = -5")
    );
}

#[test]
fn empty_series_is_insufficient() {
    let t = grade_timeline(&series(vec![]), &GvhdConfig::default()).unwrap();
    assert!(matches!(t.summary, Graded::InsufficientData { .. }));
}

#[test]
fn series_reads_from_json() {
    let j = r#"{"day0":"2025-01-01","baseline_weight_kg":70,
      "days":[{"date":"2025-01-20","skin":{"erythema_bsa_pct":55},"liver":{"bilirubin_mg_dl":1.0},
               "upper_gi":{},"lower_gi":{"episodes":5}}]}"#;
    let s: AgvhdSeries = serde_json::from_str(j).unwrap();
    let t = grade_timeline(&s, &GvhdConfig::default()).unwrap();
    // skin 3 + lower GI 2 (5 episodes = 1000 mL) -> III
    assert_eq!(t.days[0].value().unwrap().grade, MagicGrade::III);
    let out = serde_json::to_string(&t).unwrap();
    assert!(out.contains("\"status\":\"value\""));
}

/// Stool 400, 1600, 400, 400 mL on days 20–23 with the lower-GI diagnosis
/// documented on `dx` (or inferred when `None`).
fn dx_stages(dx: Option<i32>) -> Vec<u8> {
    let mut s = series(vec![
        with_stool(20, 400.0),
        with_stool(21, 1600.0),
        with_stool(22, 400.0),
        with_stool(23, 400.0),
    ]);
    s.lower_gi_diagnosis = dx.map(on);
    lower_stages(&s, &GvhdConfig::default())
}

#[test]
fn lower_gi_diagnosis_date_moves_the_onset_window_both_sides() {
    // inferred: d21 is the first stage >= 1 (max 1600 -> 3); d22 mean(400,1600,400)=800 -> 1
    assert_eq!(dx_stages(None), vec![0, 3, 1, 1]);
    // documented on d21: the same as inferred
    assert_eq!(dx_stages(Some(21)), vec![0, 3, 1, 1]);
    // documented on d22: d22 is still the diagnosis day (max of d20..d22 = 1600 -> 3);
    // d23 is the day after: mean(400,400,1600) = 800 -> 1
    assert_eq!(dx_stages(Some(22)), vec![0, 3, 3, 1]);
    // documented on d20 (before the volume reached 500): from d21 the mean is
    // used: d21 mean(1600,400) = 1000 -> 2 (not the day's 1600 -> 3)
    assert_eq!(dx_stages(Some(20)), vec![0, 2, 1, 1]);
}

#[test]
fn lower_gi_diagnosis_is_named_in_the_course_flags() {
    let mut s = series(vec![with_stool(20, 400.0), with_stool(21, 1600.0)]);
    s.lower_gi_diagnosis = Some(on(21));
    let t = grade_timeline(&s, &GvhdConfig::default()).unwrap();
    let f = &t.summary.explanation().flags;
    assert!(
        f.iter()
            .any(|f| f.code == "A-5" && f.text.contains("2025-01-22")),
        "{f:?}"
    );
    // always_mean (COG) ignores the diagnosis date: the mean throughout
    let cog = GvhdConfig {
        stool_averaging: StoolAveraging::AlwaysMean,
        ..GvhdConfig::default()
    };
    assert_eq!(lower_stages(&s, &cog), vec![0, 2]);
}

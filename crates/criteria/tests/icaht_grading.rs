//! Early/late ICAHT and the thrombocytopenia companion from raw dated values:
//! both sides of every boundary, missing-data rules and monotonicity.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::day_grid::GapFill;
use graftwatch_criteria::icaht::{
    Censor, CensorReason, CountCourse, DurationMode, IcahtConfig, IcahtGrade, early_icaht,
    early_icaht_grade, late_icaht,
};
use graftwatch_criteria::icaht_platelets::{early_platelet_toxicity, late_platelet_toxicity};
use graftwatch_criteria::series::DatedValue;
use proptest::prelude::*;

fn day0() -> Date {
    Date::from_ymd(2025, 3, 1).unwrap()
}

/// Daily series for day 0..=30 from a function of the day.
fn daily(f: impl Fn(i32) -> f64, to: i32) -> Vec<DatedValue> {
    (0..=to).map(|d| at(d, f(d))).collect()
}

/// `x` on day `d`.
fn at(d: i32, x: f64) -> DatedValue {
    DatedValue::new(day0().add_days(d), x)
}

/// `x` on every day of `days`.
fn constant(days: std::ops::RangeInclusive<i32>, x: f64) -> impl Iterator<Item = DatedValue> {
    days.map(move |d| at(d, x))
}

/// Values as (day, value) pairs.
fn values(v: &[(i32, f64)]) -> Vec<DatedValue> {
    v.iter().map(|&(d, x)| at(d, x)).collect()
}

/// The course of `values` from day 0, not censored.
fn course(values: &[DatedValue]) -> CountCourse<'_> {
    censored(values, None)
}

fn censored(values: &[DatedValue], censor: Option<Censor>) -> CountCourse<'_> {
    CountCourse {
        day0: day0(),
        values,
        censor,
    }
}

/// The early ICAHT grade of a graded course.
fn early_grade(c: &CountCourse<'_>, cfg: &IcahtConfig) -> IcahtGrade {
    early_icaht(c, cfg).unwrap().value().unwrap().grade
}

fn grade(v: &[DatedValue], cfg: &IcahtConfig) -> IcahtGrade {
    match early_icaht(&course(v), cfg).unwrap() {
        Graded::Value { value, .. } => value.grade,
        other => panic!("expected a grade, got {other:?}"),
    }
}

/// `n` days at `low` starting on day `from`, otherwise 3.0.
fn episode(from: i32, n: i32, low: f64) -> Vec<DatedValue> {
    daily(|d| if d >= from && d < from + n { low } else { 3.0 }, 30)
}

#[test]
fn anc_threshold_is_inclusive_0_5_vs_0_51() {
    let cfg = IcahtConfig::default();
    assert_eq!(grade(&episode(5, 3, 0.5), &cfg), IcahtGrade::Grade1);
    assert_eq!(grade(&episode(5, 3, 0.51), &cfg), IcahtGrade::Grade0);
}

#[test]
fn duration_boundaries_6_7_13_14_days() {
    let cfg = IcahtConfig::default();
    assert_eq!(grade(&episode(5, 6, 0.3), &cfg), IcahtGrade::Grade1);
    assert_eq!(grade(&episode(5, 7, 0.3), &cfg), IcahtGrade::Grade2);
    assert_eq!(grade(&episode(5, 13, 0.3), &cfg), IcahtGrade::Grade2);
    assert_eq!(grade(&episode(5, 14, 0.3), &cfg), IcahtGrade::Grade3);
}

#[test]
fn profound_neutropenia_0_1_boundaries() {
    let cfg = IcahtConfig::default();
    // 10 days <= 0.5 of which the first 6 / 7 at 0.1
    let s = |n01: i32, total: i32| {
        daily(
            |d| {
                if (2..2 + n01).contains(&d) {
                    0.1
                } else if (2..2 + total).contains(&d) {
                    0.3
                } else {
                    3.0
                }
            },
            30,
        )
    };
    assert_eq!(grade(&s(6, 10), &cfg), IcahtGrade::Grade2);
    assert_eq!(grade(&s(7, 10), &cfg), IcahtGrade::Grade3);
    assert_eq!(grade(&s(13, 20), &cfg), IcahtGrade::Grade3);
    assert_eq!(grade(&s(14, 20), &cfg), IcahtGrade::Grade4);
    // 0.11 is not <= 0.1
    let s11 = daily(|d| if (2..16).contains(&d) { 0.11 } else { 3.0 }, 30);
    assert_eq!(grade(&s11, &cfg), IcahtGrade::Grade3);
}

#[test]
fn recovery_of_2_days_merges_3_days_does_not() {
    // 6 low, r recovered, 6 low
    let s = |r: i32| {
        daily(
            |d| {
                if (1..7).contains(&d) || (7 + r..13 + r).contains(&d) {
                    0.3
                } else {
                    3.0
                }
            },
            30,
        )
    };
    let cum = IcahtConfig::default();
    assert_eq!(
        grade(&s(2), &cum),
        IcahtGrade::Grade3,
        "6 + 2 + 6 = 14 merged days"
    );
    assert_eq!(
        grade(&s(3), &cum),
        IcahtGrade::Grade2,
        "6 + 6 = 12 cumulative days"
    );
    let longest = IcahtConfig {
        duration_mode: DurationMode::LongestEpisode,
        ..IcahtConfig::default()
    };
    assert_eq!(grade(&s(2), &longest), IcahtGrade::Grade3);
    assert_eq!(
        grade(&s(3), &longest),
        IcahtGrade::Grade1,
        "longest episode 6 days"
    );
}

#[test]
fn duration_mode_is_always_flagged() {
    let v = episode(5, 3, 0.3);
    let c = course(&v);
    let g = early_icaht(&c, &IcahtConfig::default()).unwrap();
    let f = g
        .explanation()
        .flags
        .iter()
        .find(|f| f.code == "T-6")
        .expect("T-6 flag");
    assert!(f.text.contains("cumulative"));
    assert!(!g.explanation().evidence.is_empty());
    assert!(g.explanation().evidence.iter().all(|e| e.date.is_some()));
    // the episode (days 5-7) and the value that ended it (day 8) are named
    let ev = &g.explanation().evidence;
    assert!(
        ev.iter()
            .any(|e| e.date == Some(day0().add_days(5)) && e.note.contains("first day"))
    );
    assert!(
        ev.iter()
            .any(|e| e.date == Some(day0().add_days(8)) && e.note.contains("first ANC after"))
    );
}

#[test]
fn never_above_0_5_is_grade_4_one_recovery_value_is_not() {
    let cfg = IcahtConfig::default();
    assert_eq!(grade(&daily(|_| 0.4, 30), &cfg), IcahtGrade::Grade4);
    // one value 0.51 on day 15: 31 merged days <= 0.5 but not "never above" -> grade 3
    assert_eq!(
        grade(&daily(|d| if d == 15 { 0.51 } else { 0.4 }, 30), &cfg),
        IcahtGrade::Grade3
    );
}

#[test]
fn t7_episode_from_day_0_to_3_ongoing_at_death_is_grade_4() {
    let cfg = IcahtConfig::default();
    let death = Censor {
        date: day0().add_days(16),
        reason: CensorReason::Death,
        therapy: None,
    };
    let v = daily(|_| 0.2, 16);
    let c = censored(&v, Some(death));
    let g = early_icaht(&c, &cfg).unwrap();
    assert_eq!(g.value().unwrap().grade, IcahtGrade::Grade4);
    assert!(g.explanation().flags.iter().any(|f| f.code == "T-7"));
    // starting on day 4 instead: 13 days -> grade 2 (censored, no T-7 grade 4)
    let v = daily(|d| if d >= 4 { 0.2 } else { 3.0 }, 16);
    let c = censored(&v, Some(death));
    assert_eq!(early_grade(&c, &cfg), IcahtGrade::Grade2);
    // starting on day 3: grade 4
    let v = daily(|d| if d >= 3 { 0.2 } else { 3.0 }, 16);
    let c = censored(&v, Some(death));
    assert_eq!(early_grade(&c, &cfg), IcahtGrade::Grade4);
}

#[test]
fn t8_gap_that_could_change_the_grade_is_insufficient_data() {
    let cfg = IcahtConfig::default();
    // daily low days 0-4 (5 days), then nothing until day 10 (high), then daily high
    let mut v: Vec<DatedValue> = constant(0..=4, 0.3).collect();
    v.extend(constant(10..=30, 3.0));
    let c = course(&v);
    match early_icaht(&c, &cfg).unwrap() {
        Graded::InsufficientData { missing, .. } => {
            assert_eq!(missing, vec!["ANC between day +5 and day +9".to_string()]);
        }
        other => panic!("expected insufficient data, got {other:?}"),
    }
    assert_eq!(early_icaht_grade(&c, &cfg).unwrap(), None);
    // gap of 2 missing days crossing the threshold: previous state carried, flagged
    let mut v: Vec<DatedValue> = constant(0..=4, 0.3).collect();
    v.extend(constant(7..=30, 3.0));
    let c = course(&v);
    let g = early_icaht(&c, &cfg).unwrap();
    assert_eq!(
        g.value().unwrap().grade,
        IcahtGrade::Grade2,
        "5 + 2 carried days = 7"
    );
    assert!(g.explanation().flags.iter().any(|f| f.code == "T-8"));
    // linear interpolation option over the 5-day gap: 0.3 -> 3.0, day 5 = 0.75 > 0.5
    let lin = IcahtConfig {
        gap_fill: GapFill::Linear { max_gap_days: 7 },
        ..IcahtConfig::default()
    };
    let mut v: Vec<DatedValue> = constant(0..=4, 0.3).collect();
    v.extend(constant(10..=30, 3.0));
    let c = course(&v);
    assert_eq!(early_grade(&c, &lin), IcahtGrade::Grade1);
}

#[test]
fn t8_long_gap_that_cannot_change_the_grade_still_grades() {
    // 20 days <= 0.1 then a long gap to a high value: grade 4 whatever the gap
    let mut v: Vec<DatedValue> = constant(0..=19, 0.05).collect();
    v.push(at(26, 3.0));
    v.extend(constant(27..=30, 3.0));
    let c = course(&v);
    let g = early_icaht(&c, &IcahtConfig::default()).unwrap();
    assert_eq!(g.value().unwrap().grade, IcahtGrade::Grade4);
    assert!(g.explanation().flags.iter().any(|f| f.code == "T-8"));
}

#[test]
fn a_value_after_day_30_closes_a_gap_at_the_end_of_the_window() {
    // daily high to day 26, low on day 27-28, nothing on day 29-32, high from day 33
    let mut v: Vec<DatedValue> = constant(0..=26, 3.0).collect();
    v.push(at(27, 0.3));
    v.push(at(28, 0.3));
    v.extend(constant(33..=40, 3.0));
    let c = course(&v);
    // 2 to 4 days <= 0.5 whatever days 29-30 were: grade 1, graded to day +30
    let g = early_icaht(&c, &IcahtConfig::default()).unwrap();
    assert_eq!(g.value().unwrap().grade, IcahtGrade::Grade1);
    assert_eq!(g.value().unwrap().window_end_day, 30);
    // only values after day 30: insufficient
    let v = vec![at(33, 3.0)];
    let c = course(&v);
    assert!(matches!(
        early_icaht(&c, &IcahtConfig::default()).unwrap(),
        Graded::InsufficientData { .. }
    ));
}

#[test]
fn no_anc_in_window_is_insufficient_data() {
    let v = vec![at(-3, 1.0), at(40, 1.0)];
    let c = course(&v);
    assert!(matches!(
        early_icaht(&c, &IcahtConfig::default()).unwrap(),
        Graded::InsufficientData { .. }
    ));
}

#[test]
fn several_values_per_day_use_the_lowest() {
    let mut v = episode(5, 7, 0.3);
    // day 12 (first recovered day) also has a low value: 8 days
    v.push(at(12, 0.4));
    assert_eq!(grade(&v, &IcahtConfig::default()), IcahtGrade::Grade2);
    let mut v = episode(5, 6, 0.3);
    v.push(at(11, 0.4));
    assert_eq!(
        grade(&v, &IcahtConfig::default()),
        IcahtGrade::Grade2,
        "6 + 1 = 7 days"
    );
}

#[test]
fn invalid_values_are_errors_naming_date_and_value() {
    let v = vec![at(2, -0.2)];
    let c = course(&v);
    let e = early_icaht(&c, &IcahtConfig::default()).unwrap_err();
    assert!(
        e.to_string().contains("2025-03-03") && e.to_string().contains("-0.2"),
        "{e}"
    );
}

fn late(v: &[(i32, f64)]) -> Graded<graftwatch_criteria::icaht::LateIcaht> {
    late_icaht(&course(&values(v))).unwrap()
}

#[test]
fn late_icaht_needs_two_values_and_grades_the_second_lowest() {
    assert!(matches!(
        late(&[(40, 0.05)]),
        Graded::InsufficientData { .. }
    ));
    let cases: [(&[(i32, f64)], IcahtGrade); 8] = [
        // one transient 0.05 and everything else 2.0: not graded (grade 0)
        (&[(40, 0.05), (50, 2.0), (60, 2.0)], IcahtGrade::Grade0),
        (&[(40, 0.05), (50, 0.1)], IcahtGrade::Grade4),
        (&[(40, 0.05), (50, 0.11)], IcahtGrade::Grade3),
        (&[(40, 0.5), (50, 0.5)], IcahtGrade::Grade3),
        (&[(40, 0.51), (50, 0.6)], IcahtGrade::Grade2),
        (&[(40, 1.0), (50, 1.0)], IcahtGrade::Grade2),
        (&[(40, 1.5), (50, 1.5)], IcahtGrade::Grade1),
        (&[(40, 1.51), (50, 1.6)], IcahtGrade::Grade0),
    ];
    for (v, expected) in cases {
        assert_eq!(late(v).value().unwrap().grade, expected, "{v:?}");
    }
    // two values on the same day count once; day 30 and day 101 are outside
    assert!(matches!(
        late(&[(40, 0.05), (40, 0.06), (30, 0.01), (101, 0.01)]),
        Graded::InsufficientData { .. }
    ));
    assert_eq!(
        late(&[(31, 0.3), (100, 0.3)]).value().unwrap().grade,
        IcahtGrade::Grade3
    );
}

fn plt_early(v: &[DatedValue]) -> IcahtGrade {
    let c = course(v);
    early_platelet_toxicity(&c, &IcahtConfig::default())
        .unwrap()
        .value()
        .unwrap()
        .grade
}

#[test]
fn platelet_early_boundaries_19_9_20_49_9_50() {
    let s = |n: i32, low: f64| daily(|d| if (3..3 + n).contains(&d) { low } else { 150.0 }, 30);
    assert_eq!(plt_early(&s(7, 50.0)), IcahtGrade::Grade0);
    assert_eq!(plt_early(&s(6, 49.9)), IcahtGrade::Grade1);
    assert_eq!(plt_early(&s(7, 49.9)), IcahtGrade::Grade2);
    assert_eq!(plt_early(&s(7, 20.0)), IcahtGrade::Grade2);
    assert_eq!(plt_early(&s(1, 19.9)), IcahtGrade::Grade3);
    assert_eq!(plt_early(&s(13, 19.9)), IcahtGrade::Grade3);
    assert_eq!(plt_early(&s(14, 19.9)), IcahtGrade::Grade4);
}

#[test]
fn platelet_late_grades() {
    let g = |v: &[(i32, f64)]| {
        late_platelet_toxicity(&course(&values(v)), &IcahtConfig::default()).unwrap()
    };
    let cases: [(&[(i32, f64)], IcahtGrade); 4] = [
        (&[(40, 99.9), (47, 99.9)], IcahtGrade::Grade1),
        (&[(40, 100.0), (47, 30.0)], IcahtGrade::Grade0),
        (&[(40, 49.9), (47, 49.9)], IcahtGrade::Grade2),
        (
            &[(40, 19.9), (41, 19.9), (42, 80.0), (43, 80.0), (44, 80.0)],
            IcahtGrade::Grade3,
        ),
    ];
    for (v, expected) in cases {
        assert_eq!(g(v).value().unwrap().grade, expected, "{v:?}");
    }
    let long: Vec<(i32, f64)> = (40..54).map(|d| (d, 10.0)).chain([(54, 80.0)]).collect();
    assert_eq!(g(&long).value().unwrap().grade, IcahtGrade::Grade4);
    assert!(matches!(g(&[(40, 10.0)]), Graded::InsufficientData { .. }));
}

/// The late T-ICAHT reason names what decides the grade (§3.3): below 20
/// the days < 20 (13 → grade 3, 14 → grade 4), above it the second-lowest
/// count, with both durations.
#[test]
fn late_platelet_reason_gives_the_duration_it_rests_on() {
    let g = |v: &[(i32, f64)]| {
        late_platelet_toxicity(&course(&values(v)), &IcahtConfig::default()).unwrap()
    };
    let run = |n: i32| -> Vec<(i32, f64)> {
        std::iter::once((31, 80.0))
            .chain((32..32 + n).map(|d| (d, 13.0)))
            .chain((32 + n..32 + n + 4).map(|d| (d, 80.0)))
            .collect()
    };
    let three = g(&run(13));
    assert_eq!(three.value().unwrap().grade, IcahtGrade::Grade3);
    assert_eq!(
        three.explanation().reason,
        "platelets < 20 ×10⁹/L on 13 days, day +32 to +44 (grade 3 for 1–13 days, grade 4 from 14 days), second-lowest daily count 13 ×10⁹/L on day +33; 13 days < 50: grade 3"
    );
    let four = g(&run(14));
    assert_eq!(four.value().unwrap().grade, IcahtGrade::Grade4);
    assert!(
        four.explanation()
            .reason
            .starts_with("platelets < 20 ×10⁹/L on 14 days, day +32 to +45 "),
        "{}",
        four.explanation().reason
    );
    let two = g(&[(40, 35.0), (41, 35.0), (42, 80.0), (43, 80.0), (44, 80.0)]);
    assert_eq!(
        two.explanation().reason,
        "second-lowest daily count 35 ×10⁹/L on day +41 (< 50); 2 days with platelets < 50 and 0 days < 20 ×10⁹/L: grade 2"
    );
}

/// The T-7 flag of a late window says what censored it.
#[test]
fn late_t7_flag_names_the_censoring_event() {
    let v: Vec<DatedValue> = constant(0..=60, 0.3).collect();
    let censor = |therapy| {
        Some(Censor {
            date: day0().add_days(46),
            reason: CensorReason::NextTherapy,
            therapy,
        })
    };
    let flag = |c: &CountCourse<'_>| {
        let g = late_icaht(c).unwrap();
        g.explanation()
            .flags
            .iter()
            .find(|f| f.code == "T-7")
            .map(|f| f.text.clone())
    };
    assert_eq!(
        flag(&censored(&v, censor(Some("conditioning")))).as_deref(),
        Some("window censored at day +46: conditioning started 2025-04-16")
    );
    assert_eq!(
        flag(&censored(&v, censor(None))).as_deref(),
        Some("window censored at day +46: the next therapy started 2025-04-16")
    );
    let p = late_platelet_toxicity(
        &censored(&v, censor(Some("chemotherapy"))),
        &IcahtConfig::default(),
    )
    .unwrap();
    assert!(
        p.explanation()
            .flags
            .iter()
            .any(|f| f.text == "window censored at day +46: chemotherapy started 2025-04-16"),
        "{:?}",
        p.explanation().flags
    );
    // not censored: no T-7
    assert_eq!(flag(&course(&v)), None);
}

#[test]
fn late_windows_censored_before_day_31_are_not_applicable() {
    let v: Vec<DatedValue> = constant(0..=60, 0.3).collect();
    let censor = Some(Censor {
        date: day0().add_days(25),
        reason: CensorReason::Progression,
        therapy: None,
    });
    let c = censored(&v, censor);
    assert!(matches!(
        late_icaht(&c).unwrap(),
        Graded::NotApplicable { .. }
    ));
    assert!(matches!(
        late_platelet_toxicity(&c, &IcahtConfig::default()).unwrap(),
        Graded::NotApplicable { .. }
    ));
    // values after the censoring date are ignored: day 25 is the last graded day
    let e = early_icaht(&c, &IcahtConfig::default()).unwrap();
    assert_eq!(e.value().unwrap().window_end_day, 25);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Lowering any ANC value never lowers the early or late grade.
    #[test]
    fn grade_never_decreases_when_a_value_decreases(
        levels in proptest::collection::vec(0usize..5, 31),
        gaps in proptest::collection::vec(any::<bool>(), 31),
        idx in 0usize..31,
        drop in 1usize..5,
        longest in any::<bool>(),
    ) {
        const VALUES: [f64; 5] = [0.05, 0.1, 0.3, 0.5, 2.0];
        let cfg = IcahtConfig {
            duration_mode: if longest { DurationMode::LongestEpisode } else { DurationMode::Cumulative },
            ..IcahtConfig::default()
        };
        // day 0 and day 30 always present; some days missing
        let series = |lv: &[usize]| -> Vec<DatedValue> {
            (0..31).filter(|&d| d == 0 || d == 30 || d == idx || !gaps[d])
                .map(|d| at(d as i32, VALUES[lv[d]])).collect()
        };
        let before = series(&levels);
        let mut lowered = levels.clone();
        lowered[idx] = lowered[idx].saturating_sub(drop);
        let after = series(&lowered);
        let g = |v: &[DatedValue]| early_icaht_grade(&course(v), &cfg).unwrap();
        if let (Some(a), Some(b)) = (g(&before), g(&after)) {
            prop_assert!(b >= a, "grade fell from {:?} to {:?}", a, b);
        }
        // late: same values shifted to day 31..61
        let shift = |v: &[DatedValue]| -> Vec<DatedValue> { v.iter().map(|x| DatedValue::new(x.date.add_days(31), x.value)).collect() };
        let l = |v: &[DatedValue]| late_icaht(&course(v)).unwrap().value().map(|x| x.grade);
        if let (Some(a), Some(b)) = (l(&shift(&before)), l(&shift(&after))) {
            prop_assert!(b >= a);
        }
        // platelets: the same shapes scaled to the T-ICAHT thresholds
        const PLT: [f64; 5] = [10.0, 19.9, 20.0, 49.9, 150.0];
        let plt = |lv: &[usize]| -> Vec<DatedValue> {
            (0..31).filter(|&d| d == 0 || d == 30 || d == idx || !gaps[d])
                .map(|d| at(d as i32, PLT[lv[d]])).collect()
        };
        let p = |v: &[DatedValue]| early_platelet_toxicity(&course(v), &cfg)
            .unwrap().value().map(|x| x.grade);
        if let (Some(a), Some(b)) = (p(&plt(&levels)), p(&plt(&lowered))) {
            prop_assert!(b >= a, "platelet grade fell from {:?} to {:?}", a, b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// T-8 soundness: when a series with gaps is graded (not `InsufficientData`),
    /// every completion of the missing days whose levels lie between the two
    /// neighbouring values' levels gives the same grade with daily data.
    #[test]
    fn graded_series_with_gaps_agree_with_every_completion(
        levels in proptest::collection::vec(0usize..3, 31),
        observed in proptest::collection::vec(any::<bool>(), 31),
        picks in proptest::collection::vec(0usize..3, 31),
        longest in any::<bool>(),
    ) {
        const VALUES: [f64; 3] = [0.05, 0.3, 2.0]; // level 2, 1, 0
        let cfg = IcahtConfig {
            duration_mode: if longest { DurationMode::LongestEpisode } else { DurationMode::Cumulative },
            max_unfilled_gap_days: 0,
            ..IcahtConfig::default()
        };
        let seen: Vec<usize> = (0..31).filter(|&d| d == 0 || d == 30 || observed[d]).collect();
        let sparse: Vec<DatedValue> = seen.iter().map(|&d| at(d as i32, VALUES[levels[d]])).collect();
        let c = course(&sparse);
        let Some(graded) = early_icaht_grade(&c, &cfg).unwrap() else { return Ok(()); };
        // complete each gap with value indices between the neighbours' indices
        let mut full: Vec<DatedValue> = Vec::with_capacity(31);
        for w in seen.windows(2) {
            let (a, b) = (w[0], w[1]);
            full.push(at(a as i32, VALUES[levels[a]]));
            let (lo, hi) = (levels[a].min(levels[b]), levels[a].max(levels[b]));
            for (d, pick) in picks.iter().enumerate().take(b).skip(a + 1) {
                let k = lo + pick % (hi - lo + 1);
                full.push(at(d as i32, VALUES[k]));
            }
        }
        full.push(at(30, VALUES[levels[30]]));
        let fc = course(&full);
        let complete = early_icaht_grade(&fc, &cfg).unwrap();
        prop_assert_eq!(complete, Some(graded));
    }
}

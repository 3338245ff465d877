//! Engraftment, graft failure, poor graft function, chimerism state and
//! rejection: worked examples and both sides of each boundary.

use graftwatch_core::{Date, DonorId, Lineage, Percent, PersonRef};
use graftwatch_criteria::Graded;
use graftwatch_criteria::chimerism_state::{
    ChimerismCategory, ChimerismConfig, ChimerismSample, FullDonorRule, OverallChimerismState,
    PersonShare, categorize, lineage_chimerism, overall_chimerism,
};
use graftwatch_criteria::engraftment::{
    EngraftmentConfig, neutrophil_engraftment, platelet_engraftment,
};
use graftwatch_criteria::graft_failure::{
    GraftComponent, GraftSourceKind, SecondaryFailureConfig, SecondaryFailureInput,
    primary_graft_failure, primary_graft_failure_censored, secondary_graft_failure,
};
use graftwatch_criteria::graft_rejection::{RejectionStatus, graft_rejection};
use graftwatch_criteria::poor_graft_function::{
    PoorGraftFunctionConfig, PoorGraftFunctionInput, poor_graft_function,
};
use graftwatch_criteria::series::DatedValue;
use proptest::prelude::*;

fn day0() -> Date {
    Date::from_ymd(2025, 6, 2).unwrap()
}
fn on(d: i32) -> Date {
    day0().add_days(d)
}
fn series(v: &[(i32, f64)]) -> Vec<DatedValue> {
    v.iter().map(|&(d, x)| DatedValue::new(on(d), x)).collect()
}
fn days(from: i32, vals: &[f64]) -> Vec<DatedValue> {
    vals.iter()
        .enumerate()
        .map(|(i, &x)| DatedValue::new(on(from + i as i32), x))
        .collect()
}
fn engraft_day(g: &Graded<graftwatch_criteria::engraftment::Engraftment>) -> Option<i32> {
    g.value().and_then(|e| e.engrafted).map(|e| e.day)
}

#[test]
fn cibmtr_f2100_platelet_worked_example() {
    let plt = days(
        0,
        &[
            10.0, 30.0, 25.0, 10.0, 15.0, 19.0, 23.0, 25.0, 40.0, 50.0, 56.0, 65.0, 72.0,
        ],
    );
    let tx = [on(0)];
    let cfg = EngraftmentConfig::default();
    let g20 = platelet_engraftment(day0(), &plt, &tx, 20.0, &cfg).unwrap();
    assert_eq!(engraft_day(&g20), Some(7));
    assert_eq!(g20.value().unwrap().engrafted.unwrap().date, on(7));
    assert!(g20.explanation().flags.iter().any(|f| f.code == "E-4"));
    let g50 = platelet_engraftment(day0(), &plt, &tx, 50.0, &cfg).unwrap();
    assert_eq!(engraft_day(&g50), Some(9), "exactly 50 counts");
    // evidence names the 3 qualifying values with dates
    let ev: Vec<_> = g20
        .explanation()
        .evidence
        .iter()
        .filter(|e| e.note.contains("qualifying"))
        .collect();
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[0].date, Some(on(7)));
}

#[test]
fn transfusion_window_t_plus_6_vs_t_plus_7_applies_to_each_value() {
    let cfg = EngraftmentConfig::default();
    let plt = days(
        0,
        &[
            5.0, 8.0, 12.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0,
        ],
    );
    // transfusion on day 3: days 3..9 ineligible, day 10 first eligible
    let g = platelet_engraftment(day0(), &plt, &[on(3)], 20.0, &cfg).unwrap();
    assert_eq!(engraft_day(&g), None, "only days 10, 11 eligible: 2 values");
    let mut plt2 = plt.clone();
    plt2.push(DatedValue::new(on(12), 30.0));
    let g = platelet_engraftment(day0(), &plt2, &[on(3)], 20.0, &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(10), "day t+7 eligible");
    // a transfusion on day 6 makes the 2nd/3rd values of a run starting day 10 ineligible? day 12 = t+6
    let g = platelet_engraftment(day0(), &plt2, &[on(3), on(6)], 20.0, &cfg).unwrap();
    assert_eq!(
        engraft_day(&g),
        None,
        "day 12 = t+6 after the day-6 transfusion"
    );
    let mut plt3 = plt2.clone();
    plt3.extend(days(13, &[30.0, 30.0, 30.0]));
    let g = platelet_engraftment(day0(), &plt3, &[on(3), on(6)], 20.0, &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(13));
}

#[test]
fn platelet_threshold_19_9_vs_20_and_never_below() {
    let cfg = EngraftmentConfig::default();
    let g =
        platelet_engraftment(day0(), &days(0, &[10.0, 20.0, 20.0, 20.0]), &[], 20.0, &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(1));
    let g = platelet_engraftment(
        day0(),
        &days(0, &[10.0, 20.0, 19.9, 20.0, 20.0, 20.0]),
        &[],
        20.0,
        &cfg,
    )
    .unwrap();
    assert_eq!(engraft_day(&g), Some(3));
    let g = platelet_engraftment(
        day0(),
        &days(0, &[10.0, 49.9, 50.0, 50.0, 50.0]),
        &[],
        50.0,
        &cfg,
    )
    .unwrap();
    assert_eq!(engraft_day(&g), Some(2));
    // never below 20 without transfusion -> not applicable (decision 4)
    let mut never = days(0, &[25.0, 21.0, 20.0, 60.0]);
    never.extend(days(4, &[60.0; 25]));
    let g = platelet_engraftment(day0(), &never, &[], 20.0, &cfg).unwrap();
    assert!(matches!(g, Graded::NotApplicable { .. }));
    // the same four days alone do not show "never below" through day +28
    let g =
        platelet_engraftment(day0(), &days(0, &[25.0, 21.0, 20.0, 60.0]), &[], 20.0, &cfg).unwrap();
    assert!(matches!(g, Graded::InsufficientData { .. }));
    // ... but a transfusion makes it applicable
    let g = platelet_engraftment(
        day0(),
        &days(0, &[25.0, 21.0, 20.0, 60.0]),
        &[on(0)],
        20.0,
        &cfg,
    )
    .unwrap();
    assert!(matches!(g, Graded::Value { .. }));
    assert!(matches!(
        platelet_engraftment(day0(), &[], &[], 20.0, &cfg).unwrap(),
        Graded::InsufficientData { .. }
    ));
}

#[test]
fn neutrophil_engraftment_rules() {
    let cfg = EngraftmentConfig::default();
    // pre-nadir values >= 0.5 are not counted; first of 3 after the nadir
    let anc = days(0, &[2.0, 1.5, 0.9, 0.3, 0.0, 0.0, 0.2, 0.6, 0.8, 1.1]);
    let g = neutrophil_engraftment(day0(), &anc, &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(7));
    assert_eq!(g.value().unwrap().nadir.value, 0.0);
    // an intervening value < 0.5 restarts the count
    let anc = days(0, &[0.1, 0.6, 0.7, 0.49, 0.6, 0.7, 0.8]);
    assert_eq!(
        engraft_day(&neutrophil_engraftment(day0(), &anc, &cfg).unwrap()),
        Some(4)
    );
    // non-daily labs: values on different days with gaps are accepted (E-1)
    let anc = series(&[(0, 0.1), (10, 0.6), (12, 0.7), (15, 0.9)]);
    let g = neutrophil_engraftment(day0(), &anc, &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(10));
    assert!(g.explanation().flags.iter().any(|f| f.code == "E-1"));
    // exactly 0.5 counts, flagged (decision 9)
    let g = neutrophil_engraftment(day0(), &days(0, &[0.1, 0.5, 0.5, 0.5]), &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(1));
    assert!(g.explanation().flags.iter().any(|f| f.code == "D-9"));
    let g = neutrophil_engraftment(day0(), &days(0, &[0.1, 0.49, 0.5, 0.5, 0.5]), &cfg).unwrap();
    assert_eq!(engraft_day(&g), Some(2));
    // never below 0.5 -> not applicable (E-2)
    let mut anc = days(0, &[0.9, 0.5, 0.7]);
    anc.extend(series(&[(9, 1.0), (16, 1.4), (23, 2.0), (28, 2.2)]));
    let g = neutrophil_engraftment(day0(), &anc, &cfg).unwrap();
    assert!(matches!(g, Graded::NotApplicable { .. }));
    // a transient rise before the true nadir is reported but flagged for review (E-2b)
    let g = neutrophil_engraftment(
        day0(),
        &days(0, &[0.3, 0.6, 0.7, 0.6, 0.1, 0.0, 0.0, 0.6, 0.9, 1.2]),
        &cfg,
    )
    .unwrap();
    assert_eq!(engraft_day(&g), Some(1));
    assert!(
        g.explanation()
            .flags
            .iter()
            .any(|f| f.code == "E-2b" && f.text.contains("day +4"))
    );
    let g = neutrophil_engraftment(
        day0(),
        &days(0, &[0.3, 0.1, 0.6, 0.7, 0.6, 0.2, 0.3, 0.6]),
        &cfg,
    )
    .unwrap();
    assert!(
        !g.explanation().flags.iter().any(|f| f.code == "E-2b"),
        "0.2 is not below the nadir 0.1"
    );
    // a first dip after day +28 is not the post-transplant nadir (E-2)
    let late_dip: Vec<DatedValue> = (0..=40)
        .map(|d| DatedValue::new(on(d), if d == 29 { 0.3 } else { 2.0 }))
        .collect();
    assert!(matches!(
        neutrophil_engraftment(day0(), &late_dip, &cfg).unwrap(),
        Graded::NotApplicable { .. }
    ));
    let dip28: Vec<DatedValue> = (0..=40)
        .map(|d| DatedValue::new(on(d), if d == 28 { 0.3 } else { 2.0 }))
        .collect();
    assert_eq!(
        engraft_day(&neutrophil_engraftment(day0(), &dip28, &cfg).unwrap()),
        Some(29)
    );
    // not yet engrafted
    let g = neutrophil_engraftment(day0(), &days(0, &[0.1, 0.6, 0.7]), &cfg).unwrap();
    assert_eq!(g.value().unwrap().engrafted, None);
    // two values on one day: the lowest decides
    let mut anc = days(0, &[0.1, 0.6, 0.7, 0.8]);
    anc.push(DatedValue::new(on(2), 0.4));
    assert_eq!(
        engraft_day(&neutrophil_engraftment(day0(), &anc, &cfg).unwrap()),
        None
    );
}

fn pbsc() -> Vec<GraftComponent> {
    vec![GraftComponent {
        donor: DonorId("PBSC-haplo".into()),
        source: GraftSourceKind::Pbsc,
    }]
}
fn ucb() -> Vec<GraftComponent> {
    vec![GraftComponent {
        donor: DonorId("UCB-1".into()),
        source: GraftSourceKind::Ucb,
    }]
}
fn anc_engrafting_on(day: i32, follow_to: i32) -> Vec<DatedValue> {
    (0..=follow_to)
        .map(|d| DatedValue::new(on(d), if d < day { 0.1 } else { 1.0 }))
        .collect()
}

#[test]
fn primary_graft_failure_day_30_vs_31_pbsc_and_42_vs_43_ucb() {
    let cfg = EngraftmentConfig::default();
    let pgf = |graft: &[GraftComponent], day: i32| {
        let n = neutrophil_engraftment(day0(), &anc_engrafting_on(day, 60), &cfg).unwrap();
        primary_graft_failure(graft, &n)
    };
    assert!(!pgf(&pbsc(), 30).value().unwrap().primary_graft_failure);
    let late = pgf(&pbsc(), 31);
    let v = late.value().unwrap();
    assert!(v.primary_graft_failure && v.late_engraftment);
    assert_eq!(v.neutrophil_engraftment.unwrap().day, 31);
    assert!(late.explanation().flags.iter().any(|f| f.code == "E-7"));
    assert!(!pgf(&ucb(), 42).value().unwrap().primary_graft_failure);
    assert!(pgf(&ucb(), 43).value().unwrap().primary_graft_failure);
    // not engrafted, followed past the deadline
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(100, 35), &cfg).unwrap();
    assert!(
        primary_graft_failure(&pbsc(), &n)
            .value()
            .unwrap()
            .primary_graft_failure
    );
    // not engrafted, followed only to day 20: insufficient
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(100, 20), &cfg).unwrap();
    assert!(matches!(
        primary_graft_failure(&pbsc(), &n),
        Graded::InsufficientData { .. }
    ));
    assert!(matches!(
        primary_graft_failure(&[], &n),
        Graded::InsufficientData { .. }
    ));
}

#[test]
fn primary_graft_failure_is_censored_at_a_death_on_or_before_the_deadline() {
    let cfg = EngraftmentConfig::default();
    // Not engrafted, ANC followed to day +25 (the last count before death).
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(100, 25), &cfg).unwrap();
    for death in [25, 29, 30] {
        match primary_graft_failure_censored(&pbsc(), &n, Some(death)) {
            Graded::NotApplicable {
                reason,
                explanation,
            } => {
                assert_eq!(
                    reason,
                    format!(
                        "not evaluable: death on day +{death} before neutrophil engraftment (censored at death)"
                    )
                );
                assert!(explanation.flags.iter().any(|f| f.code == "E-10"));
            }
            other => panic!("death on day +{death}: {other:?}"),
        }
    }
    // Alive past the deadline (death on day +31): the counts to day +30 are missing.
    assert!(matches!(
        primary_graft_failure_censored(&pbsc(), &n, Some(31)),
        Graded::InsufficientData { .. }
    ));
    // Followed to the deadline: failure stands whatever came after.
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(100, 30), &cfg).unwrap();
    assert!(
        primary_graft_failure_censored(&pbsc(), &n, Some(30))
            .value()
            .unwrap()
            .primary_graft_failure
    );
    // Engrafted before the death: no failure.
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(15, 20), &cfg).unwrap();
    assert!(
        !primary_graft_failure_censored(&pbsc(), &n, Some(20))
            .value()
            .unwrap()
            .primary_graft_failure
    );
}

#[test]
fn combined_ucb_pbsc_graft_uses_day_42_and_reports_bridge_engraftment() {
    let cfg = EngraftmentConfig::default();
    let mut graft = ucb();
    graft.extend(pbsc());
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(11, 60), &cfg).unwrap();
    let g = primary_graft_failure(&graft, &n);
    let v = g.value().unwrap();
    assert_eq!(v.deadline_day, 42);
    assert_eq!(v.early_bridge_engraftment.unwrap().day, 11);
    assert!(
        g.explanation()
            .flags
            .iter()
            .any(|f| f.code == "GF-combined")
    );
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(35, 60), &cfg).unwrap();
    assert!(
        !primary_graft_failure(&graft, &n)
            .value()
            .unwrap()
            .primary_graft_failure,
        "day 35 < 42"
    );
}

#[test]
fn secondary_graft_failure_after_both_recoveries() {
    let cfg = EngraftmentConfig::default();
    let anc: Vec<DatedValue> = (0..=80)
        .map(|d| {
            DatedValue::new(
                on(d),
                if d < 15 || (60..65).contains(&d) {
                    0.1
                } else {
                    2.0
                },
            )
        })
        .collect();
    let plt: Vec<DatedValue> = (0..=80)
        .map(|d| DatedValue::new(on(d), if d < 20 { 10.0 } else { 80.0 }))
        .collect();
    let n = neutrophil_engraftment(day0(), &anc, &cfg).unwrap();
    let p = platelet_engraftment(day0(), &plt, &[], 20.0, &cfg).unwrap();
    let input = |support: &'static [Date]| SecondaryFailureInput {
        day0: day0(),
        neutrophils: &n,
        platelets_engraftment: &p,
        anc: &anc,
        platelets: &plt,
        support,
    };
    let support: &'static [Date] = Box::leak(Box::new([on(61)]));
    let g = secondary_graft_failure(&input(support), &SecondaryFailureConfig::default()).unwrap();
    let v = g.value().unwrap();
    assert!(v.secondary_graft_failure);
    assert_eq!(v.decline_from_day, Some(60));
    assert_eq!(v.recovered_on.day, 20);
    // without support it is not secondary graft failure
    let g = secondary_graft_failure(&input(&[]), &SecondaryFailureConfig::default()).unwrap();
    assert!(!g.value().unwrap().secondary_graft_failure);
}

#[test]
fn poor_graft_function_quantitative_variant() {
    let anc: Vec<DatedValue> = (29..=40)
        .map(|d| DatedValue::new(on(d), if d < 32 { 0.4 } else { 1.5 }))
        .collect();
    let plt: Vec<DatedValue> = (29..=40).map(|d| DatedValue::new(on(d), 15.0)).collect();
    let input = |hypo, full, gvhd| PoorGraftFunctionInput {
        day0: day0(),
        anc: &anc,
        platelets: &plt,
        hemoglobin: &[],
        hypocellular_marrow: hypo,
        full_donor_chimerism: full,
        severe_gvhd_or_relapse: gvhd,
    };
    let cfg = PoorGraftFunctionConfig::default();
    let g = poor_graft_function(&input(Some(true), Some(true), Some(false)), &cfg).unwrap();
    assert!(g.value().unwrap().poor_graft_function);
    assert_eq!(g.value().unwrap().from_day, Some(29));
    assert!(matches!(
        poor_graft_function(&input(None, Some(true), Some(false)), &cfg).unwrap(),
        Graded::InsufficientData { .. }
    ));
    assert!(
        !poor_graft_function(&input(Some(true), Some(false), Some(false)), &cfg)
            .unwrap()
            .value()
            .unwrap()
            .poor_graft_function
    );
    // only 2 qualifying days with a 3-day requirement
    let anc2: Vec<DatedValue> = (29..=40)
        .map(|d| DatedValue::new(on(d), if d < 31 { 0.4 } else { 1.5 }))
        .collect();
    let g = poor_graft_function(
        &PoorGraftFunctionInput {
            anc: &anc2,
            ..input(Some(true), Some(true), Some(false))
        },
        &cfg,
    )
    .unwrap();
    assert!(!g.value().unwrap().count_criterion_met);
    // day +28 itself does not count
    let anc3: Vec<DatedValue> = (26..=30).map(|d| DatedValue::new(on(d), 0.4)).collect();
    let plt3: Vec<DatedValue> = (26..=30).map(|d| DatedValue::new(on(d), 15.0)).collect();
    let g = poor_graft_function(
        &PoorGraftFunctionInput {
            anc: &anc3,
            platelets: &plt3,
            ..input(Some(true), Some(true), Some(false))
        },
        &cfg,
    )
    .unwrap();
    assert!(!g.value().unwrap().count_criterion_met);
}

fn share(p: &str, pct: f64) -> PersonShare {
    PersonShare {
        person: PersonRef::parse(p),
        percent: Percent::new(pct).unwrap(),
    }
}
fn sample(lineage: Lineage, shares: Vec<PersonShare>) -> ChimerismSample {
    ChimerismSample {
        date: on(30),
        lineage,
        shares,
    }
}

#[test]
fn chimerism_boundaries_95_and_5() {
    let astct = ChimerismConfig::default();
    let cibmtr = ChimerismConfig {
        full_donor_rule: FullDonorRule::AtLeast95,
    };
    assert_eq!(
        categorize(Percent::lit(95.0), &astct),
        ChimerismCategory::Mixed
    );
    assert_eq!(
        categorize(Percent::lit(95.1), &astct),
        ChimerismCategory::FullDonor
    );
    assert_eq!(
        categorize(Percent::lit(95.0), &cibmtr),
        ChimerismCategory::FullDonor
    );
    assert_eq!(
        categorize(Percent::lit(94.9), &cibmtr),
        ChimerismCategory::Mixed
    );
    assert_eq!(
        categorize(Percent::lit(5.0), &astct),
        ChimerismCategory::Mixed
    );
    assert_eq!(
        categorize(Percent::lit(4.9), &astct),
        ChimerismCategory::LossOfDonor
    );
    // recipient-only sample: donor = 100 - recipient
    let g =
        lineage_chimerism(&sample(Lineage::Cd3, vec![share("recipient", 5.0)]), &astct).unwrap();
    assert_eq!(g.value().unwrap().category, ChimerismCategory::Mixed);
    assert!(g.explanation().flags.iter().any(|f| f.code == "E-5"));
}

#[test]
fn overall_needs_both_lineages_and_reports_split() {
    let cfg = ChimerismConfig::default();
    let my = sample(
        Lineage::Myeloid,
        vec![share("UCB-1", 99.0), share("recipient", 1.0)],
    );
    let t = sample(
        Lineage::Cd3,
        vec![share("UCB-1", 80.0), share("recipient", 20.0)],
    );
    let g = overall_chimerism(&[my.clone(), t.clone()], &cfg).unwrap();
    assert_eq!(
        g.value().unwrap().state,
        OverallChimerismState::Split {
            myeloid: ChimerismCategory::FullDonor,
            lymphoid: ChimerismCategory::Mixed
        }
    );
    let t_full = sample(Lineage::Cd3, vec![share("UCB-1", 96.0)]);
    assert_eq!(
        overall_chimerism(&[my.clone(), t_full], &cfg)
            .unwrap()
            .value()
            .unwrap()
            .state,
        OverallChimerismState::FullDonor
    );
    match overall_chimerism(&[my], &cfg).unwrap() {
        Graded::InsufficientData { missing, .. } => assert!(missing[0].contains("lymphoid")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dual_graft_donor_percent_is_the_sum_and_dominance_is_reported() {
    let cfg = ChimerismConfig::default();
    let s = sample(
        Lineage::Myeloid,
        vec![
            share("UCB-1", 70.0),
            share("PBSC-haplo", 26.0),
            share("recipient", 4.0),
        ],
    );
    let g = lineage_chimerism(&s, &cfg).unwrap();
    let v = g.value().unwrap();
    assert_eq!(v.donor_percent.get(), 96.0);
    assert_eq!(v.category, ChimerismCategory::FullDonor);
    let d = v.dominant.as_ref().unwrap();
    assert_eq!(d.donor, DonorId("UCB-1".into()));
    assert_eq!(d.runner_up_percent.get(), 26.0);
    let f = g
        .explanation()
        .flags
        .iter()
        .find(|f| f.code == "GF-combined")
        .unwrap();
    assert!(
        f.text.contains("UCB-1") && f.text.contains("myeloid") && f.text.contains("2025-07-02"),
        "{}",
        f.text
    );
    // shares over 100% are an input error naming the sample
    let bad = sample(
        Lineage::Cd3,
        vec![share("UCB-1", 70.0), share("PBSC-haplo", 40.0)],
    );
    let e = lineage_chimerism(&bad, &cfg).unwrap_err();
    assert!(e.to_string().contains("110"), "{e}");
    assert!(
        e.to_string().contains("2025-07-02") && e.to_string().contains("cd3"),
        "{e}"
    );
    let twice = sample(
        Lineage::Cd3,
        vec![share("UCB-1", 40.0), share("UCB-1", 40.0)],
    );
    let e = lineage_chimerism(&twice, &cfg).unwrap_err();
    assert!(e.to_string().contains("UCB-1 listed twice"), "{e}");
    let empty = sample(Lineage::Cd3, vec![]);
    assert!(lineage_chimerism(&empty, &cfg).is_err());
    // tied donors: no dominant graft, flagged
    let tie = sample(
        Lineage::Myeloid,
        vec![share("UCB-1", 48.0), share("PBSC-haplo", 48.0)],
    );
    let g = lineage_chimerism(&tie, &cfg).unwrap();
    assert!(g.value().unwrap().dominant.is_none());
    assert!(g.explanation().flags.iter().any(|f| f.text.contains("tie")));
}

#[test]
fn autologous_reconstitution_and_secondary_loss() {
    let ecfg = EngraftmentConfig::default();
    let n = neutrophil_engraftment(day0(), &anc_engrafting_on(14, 40), &ecfg).unwrap();
    let one = |day: i32, lineage: Lineage, who: &str, pct: f64| ChimerismSample {
        date: on(day),
        lineage,
        shares: vec![share(who, pct)],
    };
    let status =
        |samples: &[ChimerismSample]| *graft_rejection(&n, samples).unwrap().value().unwrap();
    let low = one(28, Lineage::Myeloid, "recipient", 97.0);
    let early = one(21, Lineage::WholeBlood, "UCB-1", 60.0);
    let ok = one(28, Lineage::Myeloid, "recipient", 95.0);
    assert_eq!(
        status(std::slice::from_ref(&low)),
        RejectionStatus::AutologousReconstitution
    );
    assert_eq!(
        status(&[low.clone(), early]),
        RejectionStatus::SecondaryLossOfDonorChimerism
    );
    assert_eq!(
        status(&[ok]),
        RejectionStatus::NoRejection,
        "5.0% donor is mixed"
    );
    // lymphoid-only samples are not informative
    let t = one(28, Lineage::Cd3, "recipient", 99.0);
    assert!(matches!(
        graft_rejection(&n, &[t]).unwrap(),
        Graded::InsufficientData { .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Lowering any value never makes neutrophil or platelet engraftment
    /// earlier. Day 0 is below both thresholds (post-conditioning aplasia):
    /// lowering a value *before* the first sub-threshold value moves the
    /// start of counting (the nadir rule) and is outside this property.
    #[test]
    fn engraftment_never_earlier_when_a_value_is_lowered(
        mut vals in proptest::collection::vec(0usize..5, 5..40),
        first in 0usize..2,
        idx in 0usize..40,
        drop in 1usize..5,
        tx in proptest::collection::vec(0i32..40, 0..3),
    ) {
        const ANC: [f64; 5] = [0.0, 0.2, 0.5, 0.7, 2.0];
        const PLT: [f64; 5] = [5.0, 19.9, 20.0, 50.0, 120.0];
        vals[0] = first;
        let idx = idx % vals.len();
        let mut lowered = vals.clone();
        lowered[idx] = lowered[idx].saturating_sub(drop);
        let cfg = EngraftmentConfig::default();
        let mk = |v: &[usize], table: &[f64; 5]| -> Vec<DatedValue> { v.iter().enumerate().map(|(d, &i)| DatedValue::new(on(d as i32), table[i])).collect() };
        let tx: Vec<Date> = tx.iter().map(|&d| on(d)).collect();
        let a = engraft_day(&neutrophil_engraftment(day0(), &mk(&vals, &ANC), &cfg).unwrap());
        let b = engraft_day(&neutrophil_engraftment(day0(), &mk(&lowered, &ANC), &cfg).unwrap());
        if let (Some(a), Some(b)) = (a, b) { prop_assert!(b >= a, "{} -> {}", a, b); }
        let a = engraft_day(&platelet_engraftment(day0(), &mk(&vals, &PLT), &tx, 20.0, &cfg).unwrap());
        let b = engraft_day(&platelet_engraftment(day0(), &mk(&lowered, &PLT), &tx, 20.0, &cfg).unwrap());
        if let (Some(a), Some(b)) = (a, b) { prop_assert!(b >= a, "{} -> {}", a, b); }
    }
}

/// "Never below 0.5" is a finding only when the counts cover the nadir
/// window (E-2c): first count by day +7, no gap over 7 days, a count on or
/// after day +28; each limit on both sides.
#[test]
fn never_below_needs_counts_through_the_nadir_window() {
    let cfg = EngraftmentConfig::default();
    let weekly = |days: &[i32]| series(&days.iter().map(|&d| (d, 1.2)).collect::<Vec<_>>());
    let grade = |v: &[DatedValue]| neutrophil_engraftment(day0(), v, &cfg).unwrap();
    let na = |g: &Graded<_>| matches!(g, Graded::NotApplicable { .. });
    let reason = |g: &Graded<_>| g.explanation().reason.clone();
    assert!(na(&grade(&weekly(&[7, 14, 21, 28]))));
    let g = grade(&weekly(&[8, 14, 21, 28]));
    assert!(
        !na(&g) && reason(&g).contains("no count from day 0 to day +8"),
        "{}",
        reason(&g)
    );
    assert!(g.explanation().flags.iter().any(|f| f.code == "E-2c"));
    assert!(!g.explanation().flags.iter().any(|f| f.code == "E-2"));
    assert!(na(&grade(&weekly(&[0, 7, 14, 21, 28]))));
    let g = grade(&weekly(&[0, 7, 15, 21, 28]));
    assert!(
        reason(&g).contains("no count from day +7 to day +15"),
        "{}",
        reason(&g)
    );
    let g = grade(&weekly(&[0, 7, 14, 21, 27]));
    assert!(
        reason(&g).contains("no count after day +27"),
        "{}",
        reason(&g)
    );
    assert!(na(&grade(&weekly(&[0, 7, 14, 21, 27, 30]))));
    // the audit's course: one ANC on day +18, follow-up to day +44
    let g = grade(&weekly(&[18, 44]));
    assert!(matches!(g, Graded::InsufficientData { .. }));
    let pgf = primary_graft_failure(&pbsc(), &g);
    assert!(matches!(pgf, Graded::InsufficientData { .. }));
    // configurable
    let loose = EngraftmentConfig {
        nadir_coverage_max_gap_days: 30,
        ..cfg
    };
    assert!(matches!(
        neutrophil_engraftment(day0(), &weekly(&[18, 44]), &loose).unwrap(),
        Graded::NotApplicable { .. }
    ));
}

/// The web audit's course: platelets 8 on day +31 and 6 on day +62, none in
/// the nadir window. The reason must not say "not below the threshold": it
/// names the missing window and the low count after it.
#[test]
fn counts_only_after_the_nadir_window_are_not_called_never_below() {
    let cfg = EngraftmentConfig::default();
    let plt = series(&[(31, 8.0), (62, 6.0)]);
    let g = platelet_engraftment(day0(), &plt, &[], 20.0, &cfg).unwrap();
    assert!(matches!(g, Graded::InsufficientData { .. }));
    let r = g.explanation().reason.clone();
    assert!(!r.contains("not below"), "{r}");
    assert!(
        r.contains("no platelet count from day 0 to day +28")
            && r.contains("platelet 8 on day +31 is below 20"),
        "{r}"
    );
    // A count inside the window that is not below: the old wording, with the window.
    let plt = series(&[(10, 30.0), (62, 40.0)]);
    let r = platelet_engraftment(day0(), &plt, &[], 20.0, &cfg)
        .unwrap()
        .explanation()
        .reason
        .clone();
    assert!(
        r.contains("platelet not below 20 on the days measured from day 0 to day +28"),
        "{r}"
    );
}

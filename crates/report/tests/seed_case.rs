//! The bundled seed case (examples/seed-case/course.json) reads with no
//! errors and no warnings and tells the published story consistently. These
//! checks fail if the generator (tools/seed-case/generate.py) drifts.

mod common;

use graftwatch_core::{Analyte, Date, Lineage, PersonRef};
use graftwatch_course::{
    AnchorKind, Course, DrugClass, EventDetail, GraftSource, ObservationKind, TransfusionProduct,
};

fn hct_day(c: &Course, d: Date) -> i32 {
    d.days_since(c.transplant_day0(1).expect("HCT")).get()
}

fn drug_covers(c: &Course, class: DrugClass, date: Date) -> bool {
    c.events.iter().any(|e| {
        matches!(&e.detail, EventDetail::Drug { class: k, .. } if *k == class) && e.covers(date)
    })
}

#[test]
fn reads_with_zero_errors_and_zero_warnings_and_is_marked_illustrative() {
    let lc = common::seed();
    assert!(lc.warnings.is_empty(), "{:?}", lc.warnings);
    let c = lc.course;
    assert!(
        c.illustrative
            .as_deref()
            .unwrap_or("")
            .contains("Illustrative")
    );
    assert_eq!(c.patient.birth_year, 1989);
    assert_eq!(
        c.transplant_day0(1).unwrap().year() - c.patient.birth_year,
        35
    );
    let dx = c
        .transplant_day0(1)
        .unwrap()
        .days_since(c.patient.diagnosis.date)
        .get();
    assert!(
        (600..=800).contains(&dx),
        "diagnosis ~2 years before HCT: {dx} days"
    );
}

#[test]
fn anchors_are_cart_then_hct_then_two_dlis() {
    let c = common::seed().course;
    let kinds: Vec<AnchorKind> = c.anchors().iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![
            AnchorKind::CarT(1),
            AnchorKind::Transplant(1),
            AnchorKind::Dli(1),
            AnchorKind::Dli(2)
        ]
    );
    let mut sources: Vec<GraftSource> = c.graft_sources(1).into_iter().map(|(s, _)| s).collect();
    sources.sort_by_key(|s| s.label());
    assert_eq!(sources, vec![GraftSource::Pbsc, GraftSource::Ucb]);
    // Both grafts on the same day 0.
    let graft_days: Vec<i32> = c
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::GraftInfusion { .. }))
        .map(|e| hct_day(&c, e.date))
        .collect();
    assert_eq!(graft_days, vec![0, 0]);
}

/// First of 3 consecutive values ≥ threshold after the nadir, with the
/// 7-day platelet-transfusion rule applied to each value when `plt_rule`.
fn recovery_day(c: &Course, analyte: Analyte, thr: f64, plt_rule: bool) -> Option<i32> {
    let tx: Vec<i32> = c
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.detail,
                EventDetail::Transfusion {
                    product: TransfusionProduct::Platelets,
                    ..
                }
            )
        })
        .map(|e| hct_day(c, e.date))
        .collect();
    let s: Vec<(i32, f64)> = c
        .lab_series(analyte)
        .into_iter()
        .map(|(d, v)| (hct_day(c, d), v))
        .filter(|(d, _)| *d >= 0)
        .collect();
    let nadir = s
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| *d <= 30)
        .min_by(|a, b| a.1.1.total_cmp(&b.1.1))?
        .0;
    let ok =
        |(d, v): (i32, f64)| v >= thr && !(plt_rule && tx.iter().any(|t| *t <= d && d <= t + 6));
    s[nadir..]
        .windows(3)
        .find(|w| w.iter().all(|p| ok(*p)))
        .map(|w| w[0].0)
}

#[test]
fn engraftment_falls_in_the_intended_windows() {
    let c = common::seed().course;
    let anc = recovery_day(&c, Analyte::Anc, 0.5, false).expect("neutrophil recovery");
    assert!(
        (12..=16).contains(&anc),
        "neutrophil engraftment day +{anc}"
    );
    let p20 = recovery_day(&c, Analyte::Platelets, 20.0, true).expect("platelets 20");
    assert!(
        (20..=30).contains(&p20),
        "platelet 20 engraftment day +{p20}"
    );
    let p50 = recovery_day(&c, Analyte::Platelets, 50.0, true).expect("platelets 50");
    assert!(p50 > p20 && p50 <= 45, "platelet 50 day +{p50}");
}

#[test]
fn cart_aplasia_is_icaht_grade_4_shaped_and_transfusions_stop_early() {
    let c = common::seed().course;
    let cart = c.anchors()[0].date;
    // ANC ≤ 0.1 on every day from CAR-T day 0 to day +30.
    let anc: Vec<(i32, f64)> = c
        .lab_series(Analyte::Anc)
        .into_iter()
        .map(|(d, v)| (d.days_since(cart).get(), v))
        .filter(|(d, _)| (0..=30).contains(d))
        .collect();
    assert_eq!(anc.len(), 31, "daily ANC after CAR-T");
    assert!(anc.iter().all(|(_, v)| *v <= 0.1), "{anc:?}");
    // Transfusions: frequent before engraftment, none after day +25.
    let last_tx = c
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::Transfusion { .. }))
        .map(|e| hct_day(&c, e.date))
        .max()
        .unwrap();
    assert!(last_tx <= 25, "last transfusion day +{last_tx}");
    // Every platelet transfusion was given on a day with platelets < 20.
    for e in &c.events {
        if let EventDetail::Transfusion { product, .. } = e.detail {
            let analyte = match product {
                TransfusionProduct::Platelets => Analyte::Platelets,
                TransfusionProduct::Rbc => Analyte::Hemoglobin,
                _ => continue,
            };
            let v = c
                .lab_series(analyte)
                .into_iter()
                .find(|(d, _)| *d == e.date)
                .map(|(_, v)| v)
                .expect("a count on each transfusion day");
            let limit = if analyte == Analyte::Platelets {
                20.0
            } else {
                7.0
            };
            assert!(v < limit, "{:?} on {} with count {v}", product, e.date);
        }
    }
}

#[test]
fn septic_shock_has_two_pressors_oxygen_escalation_and_icu() {
    let c = common::seed().course;
    let shock = c
        .events
        .iter()
        .find(|e| matches!(&e.detail, EventDetail::Infection { syndrome, .. } if syndrome == "septic shock"))
        .expect("septic shock");
    let day = shock.date.add_days(2);
    let pressors = c
        .events
        .iter()
        .filter(|e| {
            matches!(
                &e.detail,
                EventDetail::Drug {
                    class: DrugClass::Vasopressor,
                    ..
                }
            ) && e.covers(day)
        })
        .count();
    assert_eq!(pressors, 2, "norepinephrine + vasopressin");
    assert!(
        c.events
            .iter()
            .any(|e| matches!(e.detail, EventDetail::IcuStay { .. }) && e.covers(day))
    );
    assert!(c.events.iter().any(|e| matches!(
        e.detail,
        EventDetail::OxygenSupport {
            device: graftwatch_course::OxygenDevice::HighFlowNasalCannula,
            ..
        }
    ) && e.covers(day)));
}

#[test]
fn dli_follows_rising_recipient_cd3_and_mrd_off_immunosuppression() {
    let c = common::seed().course;
    let dli1 = c.anchors()[2].date;
    // Off immunosuppression on the DLI day and the week before.
    for k in 0..7 {
        assert!(!drug_covers(
            &c,
            DrugClass::Immunosuppressant,
            dli1.add_days(-k)
        ));
        assert!(!drug_covers(&c, DrugClass::Steroid, dli1.add_days(-k)));
    }
    // Recipient CD3 share rising on >= 2 serial samples before DLI 1.
    let rec_cd3: Vec<f64> = c
        .observations_of(ObservationKind::Chimerism)
        .filter(|o| {
            o.lineage == Some(Lineage::Cd3)
                && o.person == Some(PersonRef::Recipient)
                && o.date < dli1
        })
        .filter_map(|o| o.number())
        .collect();
    let n = rec_cd3.len();
    assert!(
        n >= 3 && rec_cd3[n - 3] < rec_cd3[n - 2] && rec_cd3[n - 2] < rec_cd3[n - 1],
        "{rec_cd3:?}"
    );
    // MRD positive (>= 0.1 %) within 2 weeks before DLI 1.
    assert!(c.observations_of(ObservationKind::MrdFlow).any(|o| {
        o.date < dli1 && dli1.days_since(o.date).get() <= 14 && o.number().unwrap_or(0.0) >= 0.1
    }));
}

#[test]
fn chimerism_sums_to_100_pbsc_dominates_and_is_full_donor_at_the_end() {
    let c = common::seed().course;
    let d0 = c.transplant_day0(1).unwrap();
    let share = |day: i32, lineage: Lineage, who: &str| -> f64 {
        c.observations_of(ObservationKind::Chimerism)
            .filter(|o| o.date == d0.add_days(day) && o.lineage == Some(lineage))
            .filter(|o| o.person.as_ref().map(|p| p.to_string()) == Some(who.to_string()))
            .filter_map(|o| o.number())
            .sum()
    };
    // Both grafts early, PBSC dominant by day +28.
    assert!(share(14, Lineage::WholeBlood, "UCB-1") > 20.0);
    assert!(share(14, Lineage::WholeBlood, "PBSC-1") > share(14, Lineage::WholeBlood, "UCB-1"));
    assert!(share(28, Lineage::Myeloid, "PBSC-1") > 80.0);
    // Full donor (> 95 % in both lineages) at the last sample.
    for l in [Lineage::Myeloid, Lineage::Cd3] {
        assert!(share(365, l, "recipient") < 5.0 && share(365, l, "PBSC-1") > 95.0);
    }
}

#[test]
fn gvhd_after_dli_is_skin_then_gut_treated_and_controlled_and_remission_holds() {
    let c = common::seed().course;
    let d0 = c.transplant_day0(1).unwrap();
    let dli2 = c.anchors()[3].date;
    let first = |k: ObservationKind| {
        c.observations_of(k)
            .filter(|o| o.number().unwrap_or(0.0) > 0.0)
            .filter(|o| o.attribution == Some(graftwatch_course::Attribution::Gvhd))
            .map(|o| o.date)
            .next()
            .unwrap()
    };
    let skin = first(ObservationKind::SkinRashBsa);
    let gut = first(ObservationKind::StoolVolume);
    assert!(
        dli2 < skin && skin < gut,
        "skin after DLI 2, gut after skin"
    );
    // Normal stool output recorded before the gut flare is not attributed.
    assert!(
        c.observations_of(ObservationKind::StoolVolume)
            .filter(|o| o.date < gut)
            .all(|o| o.attribution.is_none() && o.number().unwrap_or(0.0) < 500.0)
    );
    // Upper GI assessed (absent) on every GVHD day, so it is never "missing".
    let upper: Vec<Date> = c
        .observations_of(ObservationKind::UpperGiPersistent)
        .map(|o| o.date)
        .collect();
    assert!(upper.contains(&skin) && upper.contains(&gut));
    assert!(
        drug_covers(&c, DrugClass::Steroid, gut),
        "steroids during gut GVHD"
    );
    let peak_stool = c
        .observations_of(ObservationKind::StoolVolume)
        .filter_map(|o| o.number())
        .fold(0.0, f64::max);
    assert!(peak_stool > 1000.0);
    let last_stool = c
        .observations_of(ObservationKind::StoolVolume)
        .last()
        .unwrap();
    assert!(last_stool.number().unwrap() < 500.0, "gut GVHD controlled");
    // MRD-negative marrow remission at and beyond day +365.
    let late: Vec<f64> = c
        .observations_of(ObservationKind::MrdFlow)
        .filter(|o| o.date >= d0.add_days(365))
        .filter_map(|o| o.number())
        .collect();
    assert!(!late.is_empty() && late.iter().all(|v| *v < 0.1));
    let blasts_late = c
        .observations_of(ObservationKind::MarrowBlasts)
        .filter(|o| o.date >= d0.add_days(150))
        .all(|o| o.number().unwrap() < 5.0);
    assert!(blasts_late);
    // Labs reach at least day +365.
    let (_, last) = c.span().unwrap();
    assert!(last.days_since(d0).get() >= 365);
}

#[test]
fn the_csv_copy_reads_to_the_same_course_and_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case");
    let json = graftwatch_course::read_course(&root.join("course.json")).expect("json");
    let csv = graftwatch_course::read_course(&root.join("course.csv")).expect("csv");
    assert!(csv.warnings.is_empty(), "{:?}", csv.warnings);
    assert_eq!(json.course, csv.course);
    assert_eq!(
        graftwatch_report::render_report_html(&json.course),
        graftwatch_report::render_report_html(&csv.course)
    );
}

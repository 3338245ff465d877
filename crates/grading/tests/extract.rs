//! Extraction unit tests on small hand-built courses.

mod common;

use common::{CourseBuilder, d};
use graftwatch_core::Percent;
use graftwatch_course::{Attribution, OxygenDevice, TransfusionProduct};
use graftwatch_grading::extract::{ExtractOptions, extract};
use serde_json::json;

#[test]
fn daily_counts_are_canonical_and_lowest_of_day() {
    let c = CourseBuilder::new()
        .num("2024-03-01", "anc", 800.0, "/uL")
        .num("2024-03-01", "anc", 0.6, "10^9/L")
        // (g/L is not used here: core parses "g/L" case-insensitively as the
        // "G/L" alias of 10^9/L; reported to the coordinator.)
        .num("2024-03-01", "hemoglobin", 5.0, "mmol/L")
        .num("2024-03-02", "platelets", 25_000.0, "/uL")
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let anc = x.counts.anc.on(d("2024-03-01")).expect("anc day");
    assert!((anc.value - 0.6).abs() < 1e-12);
    assert_eq!(anc.n, 2);
    assert!((x.counts.hemoglobin.days[0].value - 8.055).abs() < 1e-9);
    assert!((x.counts.platelets.days[0].value - 25.0).abs() < 1e-12);
}

#[test]
fn bilirubin_in_micromol_is_converted_to_mg_dl() {
    let c = CourseBuilder::new()
        .obs(json!({"date": "2024-03-05", "kind": "bilirubin", "value": 51.3, "unit": "umol/L", "attribution": "gvhd"}))
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let b = x.gvhd[0].bilirubin.expect("bilirubin");
    assert!((b.value - 3.0).abs() < 1e-9, "{}", b.value);
    assert_eq!(b.attribution, Some(Attribution::Gvhd));
}

#[test]
fn vasopressin_is_not_counted_and_overlapping_courses_count_once() {
    let c = CourseBuilder::new()
        .event(json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CLL1", "product": "x"}))
        .event(json!({"date": "2024-03-04", "end_date": "2024-03-06", "kind": "drug", "name": "Norepinephrine", "class": "vasopressor"}))
        // Dose change recorded as an overlapping second course of the same drug.
        .event(json!({"date": "2024-03-05", "end_date": "2024-03-07", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"}))
        .event(json!({"date": "2024-03-05", "end_date": "2024-03-05", "kind": "drug", "name": "vasopressin", "class": "vasopressor"}))
        .event(json!({"date": "2024-03-06", "end_date": "2024-03-06", "kind": "drug", "name": "epinephrine", "class": "vasopressor"}))
        .num("2024-03-10", "temperature", 37.0, "C")
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let crs = &x.crs[0].days;
    let on = |s: &str| crs.iter().find(|c| c.date == d(s)).expect("crs day");
    assert_eq!(on("2024-03-03").pressors.count(), 0);
    assert!(!on("2024-03-03").pressors.any());
    assert_eq!(on("2024-03-04").pressors.count(), 1);
    let d5 = on("2024-03-05");
    assert_eq!(
        d5.pressors.count(),
        1,
        "norepinephrine twice + vasopressin = 1 counted"
    );
    assert!(d5.pressors.vasopressin);
    assert_eq!(
        on("2024-03-06").pressors.counted,
        vec!["epinephrine", "norepinephrine"]
    );
    assert_eq!(on("2024-03-07").pressors.count(), 1);
    assert_eq!(on("2024-03-08").pressors.count(), 0);
    // The window stops at the last date of the course.
    assert_eq!(crs.last().map(|c| c.date), Some(d("2024-03-10")));
    assert_eq!(crs[0].day.get(), 0);
}

#[test]
fn oxygen_most_intensive_device_and_open_ended_drugs() {
    let c = CourseBuilder::new()
        .event(json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
        .event(json!({"date": "2024-03-02", "end_date": "2024-03-04", "kind": "oxygen_support", "device": "nasal_cannula", "flow_l_min": 4.0}))
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-03", "kind": "oxygen_support", "device": "non_rebreather", "flow_l_min": 10.0}))
        .event(json!({"date": "2024-03-03", "kind": "drug", "name": "tocilizumab", "class": "anticytokine", "end_date": "2024-03-03"}))
        .event(json!({"date": "2024-03-04", "kind": "drug", "name": "dexamethasone", "class": "steroid"}))
        .num("2024-03-08", "temperature", 38.4, "C")
        .num("2024-03-08", "temperature", 39.1, "C")
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let crs = &x.crs[0].days;
    let on = |s: &str| crs.iter().find(|c| c.date == d(s)).expect("crs day");
    assert_eq!(
        on("2024-03-02").oxygen.map(|o| o.device),
        Some(OxygenDevice::NasalCannula)
    );
    assert_eq!(
        on("2024-03-03").oxygen.map(|o| o.device),
        Some(OxygenDevice::NonRebreather)
    );
    assert_eq!(
        on("2024-03-04").oxygen.and_then(|o| o.flow_l_min),
        Some(4.0)
    );
    assert!(on("2024-03-05").oxygen.is_none());
    assert!(on("2024-03-03").anticytokine_today);
    assert_eq!(on("2024-03-02").anticytokine_or_steroid_since, None);
    assert_eq!(
        on("2024-03-03").anticytokine_or_steroid_since,
        Some(d("2024-03-03"))
    );
    // Open-ended steroid course covers every later day.
    assert!(on("2024-03-08").steroid_today);
    assert_eq!(on("2024-03-08").max_temp_c, Some(39.1));
}

#[test]
fn platelet_transfusion_window_blocks_t_to_t_plus_6() {
    let c = CourseBuilder::new()
        .event(json!({"date": "2024-03-01", "kind": "transfusion", "product": "platelets", "units": 1}))
        .event(json!({"date": "2024-03-01", "kind": "transfusion", "product": "rbc"}))
        .event(json!({"date": "2024-03-03", "kind": "transfusion", "product": "rbc"}))
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let t = &x.transfusions;
    assert_eq!(t.platelets, vec![d("2024-03-01")]);
    assert_eq!(t.rbc.len(), 2);
    let p = TransfusionProduct::Platelets;
    assert_eq!(
        t.blocking(p, d("2024-02-29"), 7),
        None,
        "before the transfusion"
    );
    assert_eq!(
        t.blocking(p, d("2024-03-01"), 7),
        Some(d("2024-03-01")),
        "day t"
    );
    assert_eq!(
        t.blocking(p, d("2024-03-07"), 7),
        Some(d("2024-03-01")),
        "day t+6"
    );
    assert_eq!(t.blocking(p, d("2024-03-08"), 7), None, "day t+7 eligible");
    assert_eq!(
        t.count_between(TransfusionProduct::Rbc, d("2024-03-02"), d("2024-03-03")),
        1
    );
}

#[test]
fn per_kg_stool_for_a_40_kg_child_is_converted_with_the_day_weight() {
    let c = CourseBuilder::new()
        .num("2024-04-01", "weight", 40.0, "kg")
        .num("2024-04-10", "weight", 38.0, "kg")
        .num("2024-04-05", "stool_volume", 25.0, "mL/kg")
        .num("2024-04-12", "stool_volume", 760.0, "mL")
        .obs(json!({"date": "2024-04-12", "kind": "stool_episodes", "value": 3, "attribution": "other"}))
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let a = x
        .gvhd
        .iter()
        .find(|g| g.date == d("2024-04-05"))
        .expect("day");
    assert_eq!(a.weight_kg, Some(40.0));
    assert!((a.stool_ml.expect("ml").value - 1000.0).abs() < 1e-9);
    assert!((a.stool_ml_per_kg.expect("per kg") - 25.0).abs() < 1e-9);
    let b = x
        .gvhd
        .iter()
        .find(|g| g.date == d("2024-04-12"))
        .expect("day");
    assert_eq!(b.weight_kg, Some(38.0));
    assert!((b.stool_ml_per_kg.expect("per kg") - 20.0).abs() < 1e-9);
    let ep = b.stool_episodes.expect("episodes");
    assert_eq!(ep.value, 3);
    assert_eq!(ep.attribution, Some(Attribution::Other));
    assert!(!b.stool_weight_missing);
}

#[test]
fn per_kg_stool_without_weight_says_so() {
    let c = CourseBuilder::new()
        .num("2024-04-05", "stool_volume", 25.0, "mL/kg")
        .build();
    let x = extract(&c, &ExtractOptions::default());
    assert!(x.gvhd[0].stool_ml.is_none());
    assert!(x.gvhd[0].stool_weight_missing);
    assert_eq!(x.gvhd[0].stool_ml_per_kg, Some(25.0));
}

#[test]
fn skin_findings_merge_attribution() {
    let c = CourseBuilder::new()
        .obs(json!({"date": "2024-04-05", "kind": "skin_rash_bsa", "value": 20, "unit": "%", "attribution": "gvhd"}))
        .obs(json!({"date": "2024-04-05", "kind": "skin_rash_bsa", "value": 30, "unit": "%", "attribution": "other"}))
        .build();
    let x = extract(&c, &ExtractOptions::default());
    let s = x.gvhd[0].skin_bsa.expect("skin");
    assert_eq!(s.value, 30.0);
    assert_eq!(s.attribution, Some(Attribution::Multifactorial));
}

#[test]
fn chimerism_groups_by_date_lineage_sample_and_sums_donors() {
    let c = CourseBuilder::new()
        .donor("UCB-1", "unrelated_cord", "female")
        .donor("HAPLO", "haploidentical", "female")
        .obs(json!({"date": "2024-05-01", "kind": "chimerism", "value": 60, "unit": "%", "lineage": "cd3", "person": "UCB-1", "method": "str", "sample": "S1"}))
        .obs(json!({"date": "2024-05-01", "kind": "chimerism", "value": 30, "unit": "%", "lineage": "cd3", "person": "HAPLO", "method": "str", "sample": "S1"}))
        .obs(json!({"date": "2024-05-01", "kind": "chimerism", "value": 10, "unit": "%", "lineage": "cd3", "person": "recipient", "method": "str", "sample": "S1"}))
        .obs(json!({"date": "2024-05-01", "kind": "chimerism", "value": 2, "unit": "%", "lineage": "myeloid", "person": "recipient", "method": "str", "sample": "S1"}))
        .build();
    let x = extract(&c, &ExtractOptions::default());
    assert_eq!(x.chimerism.len(), 2);
    let cd3 = x
        .chimerism
        .iter()
        .find(|s| s.lineage == graftwatch_core::Lineage::Cd3)
        .expect("cd3");
    assert_eq!(cd3.donor_percent(), Some(Percent::lit(90.0)));
    assert_eq!(
        cd3.dominant_donor().map(|(d, p)| (d.0.as_str(), p)),
        Some(("UCB-1", Percent::lit(60.0)))
    );
    let my = x
        .chimerism
        .iter()
        .find(|s| s.lineage == graftwatch_core::Lineage::Myeloid)
        .expect("my");
    assert_eq!(my.donor_percent(), Some(Percent::lit(98.0)));
    assert!(my.donor_derived_from_recipient());
}

#[test]
fn risk_inputs_and_grafts() {
    let c = CourseBuilder::new()
        .donor("UCB-1", "unrelated_cord", "male")
        .donor("HAPLO", "haploidentical", "female")
        .event(json!({"date": "2024-06-01", "kind": "conditioning", "regimen": "TBF", "intensity": "myeloablative"}))
        .event(json!({"date": "2024-06-08", "kind": "graft_infusion", "source": "ucb", "donor": "UCB-1"}))
        .event(json!({"date": "2024-06-09", "kind": "graft_infusion", "source": "pbsc", "donor": "HAPLO", "cd34_per_kg": 5.0e6}))
        .build();
    let x = extract(&c, &ExtractOptions::default());
    assert_eq!(x.transplants.len(), 1);
    let t = &x.transplants[0];
    assert_eq!(t.day0, d("2024-06-08"), "day 0 = first graft infusion");
    assert_eq!(t.grafts.len(), 2);
    assert!(t.has_cord());
    assert_eq!(x.risk.age_at_hct, Some(35));
    assert_eq!(
        x.risk.sex_match,
        graftwatch_grading::extract::risk::SexMatch::FemaleToMale
    );
    assert_eq!(x.risk.diagnosis_to_hct_days, Some(159));
    assert_eq!(
        x.risk.conditioning,
        Some(graftwatch_course::ConditioningIntensity::Myeloablative)
    );
}

#[test]
fn icans_worst_of_day_and_marrow_nearest_counts() {
    let c = CourseBuilder::new()
        .num("2024-03-05", "ice_score", 8.0, "1")
        .num("2024-03-05", "ice_score", 5.0, "1")
        .obs(json!({"date": "2024-03-05", "kind": "consciousness", "value": "voice"}))
        .obs(json!({"date": "2024-03-05", "kind": "consciousness", "value": "awake"}))
        .num("2024-04-01", "marrow_blasts", 3.0, "%")
        .num("2024-04-01", "mrd_flow", 0.0, "%")
        .num("2024-03-28", "anc", 1.2, "10^9/L")
        .num("2024-04-03", "anc", 1.6, "10^9/L")
        .num("2024-04-20", "platelets", 150.0, "10^9/L")
        .build();
    let x = extract(&c, &ExtractOptions::default());
    assert_eq!(x.icans[0].ice, Some(5));
    assert_eq!(
        x.icans[0].consciousness,
        Some(graftwatch_grading::extract::icans::Consciousness::Voice)
    );
    assert_eq!(x.icans[0].age_years, 35);
    let m = &x.marrow[0];
    assert_eq!(m.blasts_percent, Some(Percent::lit(3.0)));
    assert_eq!(
        m.anc.map(|a| a.date),
        Some(d("2024-04-03")),
        "nearest within 7 days"
    );
    assert!(m.platelets.is_none(), "19 days away is outside the window");
}

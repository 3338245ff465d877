//! Issue 11 clinical gaps, through the course format (JSON reader) and the
//! engine: the steroid dose of the refractory definition, CRS finding
//! attribution and fluid-responsive hypotension, MAGIC biomarkers, ICAHT per
//! day. Both sides of every boundary.

mod common;

use common::{CourseBuilder, gvhd_day, hct};
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};
use serde_json::json;

fn item(
    g: &graftwatch_grading::CourseGrades,
    name: &str,
) -> graftwatch_grading::output::SummaryItem {
    g.item(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .clone()
}

/// Skin 30 % on 06-20 (steroids start), progression to 60 % on 06-23
/// (day 3): refractory only when the dose meets the definition.
fn steroid_course(name: &str, dose: f64, unit: &str) -> graftwatch_course::Course {
    let c = gvhd_day(hct(CourseBuilder::new(), "2024-06-01"), "2024-06-20", 30.0, 0.8, 100.0)
        .num("2024-06-01", "weight", 70.0, "kg")
        .event(json!({"date": "2024-06-20", "end_date": "2024-08-01", "kind": "drug", "name": name, "class": "steroid", "dose": dose, "dose_unit": unit}));
    gvhd_day(c, "2024-06-23", 60.0, 0.8, 100.0).build()
}

fn refractory(c: &graftwatch_course::Course) -> (serde_json::Value, Vec<String>) {
    let g = grade_course_only(c, &GradingConfig::default(), &[Criterion::Agvhd]);
    let i = item(&g, "agvhd_treatment_response");
    let flags = i.explanation.flags.iter().map(|f| f.code.clone()).collect();
    (i.value.unwrap()["steroid_refractory"].clone(), flags)
}

#[test]
fn steroid_dose_both_sides_of_2_mg_kg_day() {
    // prednisone 2.0 mg/kg/d meets the definition, 1.99 does not
    let (r, f) = refractory(&steroid_course("prednisone", 2.0, "mg/kg/d"));
    assert_eq!(r, "progression_after_3_days", "{f:?}");
    assert!(!f.iter().any(|c| c.starts_with("GVHD-R-DOSE")), "{f:?}");
    let (r, f) = refractory(&steroid_course("prednisone", 1.99, "mg/kg/d"));
    assert_eq!(r, serde_json::Value::Null);
    assert!(f.contains(&"GVHD-R-LOWDOSE".to_string()), "{f:?}");
    // methylprednisolone 1.6 mg/kg/d = prednisone 2.0 (1.25 : 1); 1.59 is below
    let (r, _) = refractory(&steroid_course("methylprednisolone", 1.6, "mg/kg/d"));
    assert_eq!(r, "progression_after_3_days");
    let (r, _) = refractory(&steroid_course("methylprednisolone", 1.59, "mg/kg/d"));
    assert_eq!(r, serde_json::Value::Null);
    // mg/day with the 70 kg weight: 112 mg MP = 1.6 mg/kg = 2.0 prednisone
    let (r, _) = refractory(&steroid_course("methylprednisolone", 112.0, "mg/d"));
    assert_eq!(r, "progression_after_3_days");
    let (r, _) = refractory(&steroid_course("methylprednisolone", 111.0, "mg/d"));
    assert_eq!(r, serde_json::Value::Null);
    // The words follow: "not steroid-refractory" only when the definition's
    // dose was given; below it the refractory call is not determined.
    let words = |c: &graftwatch_course::Course| {
        let g = grade_course_only(c, &GradingConfig::default(), &[Criterion::Agvhd]);
        item(&g, "agvhd_treatment_response").result
    };
    let w = words(&steroid_course("prednisone", 1.99, "mg/kg/d"));
    assert!(
        w.contains("steroid-refractory not determined") && !w.contains("not steroid-refractory"),
        "{w}"
    );
    let w = words(&steroid_course("prednisone", 2.0, "mg/kg/d"));
    assert!(w.contains("steroid-refractory ("), "{w}");
}

#[test]
fn steroid_dose_flag_only_when_really_unknown() {
    // a dose per m2 and an unknown drug: dose unknown, flagged, counted
    for (name, unit) in [("prednisone", "mg/m2/d"), ("budesonide", "mg/d")] {
        let (r, f) = refractory(&steroid_course(name, 9.0, unit));
        assert_eq!(r, "progression_after_3_days", "{name}");
        assert!(f.contains(&"GVHD-R-DOSE".to_string()), "{name}: {f:?}");
    }
    // methylprednisolone in mg/kg with the MP reference: 2.0 meets
    let mut cfg = GradingConfig::default();
    cfg.gvhd_response.dose_reference =
        graftwatch_criteria::steroid_dose::DoseReference::Methylprednisolone;
    let g = grade_course_only(
        &steroid_course("prednisone", 2.0, "mg/kg/d"),
        &cfg,
        &[Criterion::Agvhd],
    );
    let i = item(&g, "agvhd_treatment_response");
    assert_eq!(
        i.value.unwrap()["steroid_refractory"],
        serde_json::Value::Null
    );
}

fn cart(b: CourseBuilder, date: &str) -> CourseBuilder {
    b.event(json!({"date": date, "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
        .num(date, "weight", 70.0, "kg")
}

fn crs(c: &graftwatch_course::Course) -> graftwatch_grading::output::SummaryItem {
    let g = grade_course_only(c, &GradingConfig::default(), &[Criterion::Crs]);
    item(&g, "crs_max_grade")
}

fn fever(b: CourseBuilder) -> CourseBuilder {
    cart(b, "2024-03-01").num("2024-03-02", "temperature", 39.2, "Cel")
}

#[test]
fn crs_fluid_responsive_hypotension_is_grade_2_not_3() {
    let i = crs(&fever(CourseBuilder::new()).build());
    assert_eq!(i.value, Some(json!(1)), "{}", i.result);
    let c = fever(CourseBuilder::new())
        .obs(json!({"date": "2024-03-02", "kind": "hypotension", "value": "fluid_responsive"}))
        .num("2024-03-02", "fluid_bolus", 1000.0, "mL")
        .build();
    let i = crs(&c);
    assert_eq!(i.value, Some(json!(2)), "{}", i.result);
    assert!(
        i.explanation
            .evidence
            .iter()
            .any(|e| e.what == "fluid_bolus"),
        "{:?}",
        i.explanation.evidence
    );
    // a record of "none" leaves grade 1
    let c = fever(CourseBuilder::new())
        .obs(json!({"date": "2024-03-02", "kind": "hypotension", "value": "none"}))
        .build();
    assert_eq!(crs(&c).value, Some(json!(1)));
}

#[test]
fn crs_vasopressor_for_sepsis_is_not_counted_and_named() {
    let base = || {
        fever(CourseBuilder::new()).event(json!({"date": "2024-03-02", "end_date": "2024-03-02", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"}))
    };
    assert_eq!(crs(&base().build()).value, Some(json!(3)));
    let c = base()
        .obs(json!({"date": "2024-03-02", "kind": "hypotension", "value": "vasopressor_required", "attribution": "other", "note": "septic shock, E. coli bacteraemia"}))
        .build();
    let i = crs(&c);
    assert_eq!(i.value, Some(json!(1)), "{}", i.result);
    let f = i
        .explanation
        .flags
        .iter()
        .find(|f| f.code == "GW-ATTR-CRS")
        .expect("flag naming the attributed finding");
    assert!(
        f.text.contains("septic shock") && f.text.contains("2024-03-02"),
        "{}",
        f.text
    );
    // attributed with "gvhd"/no attribution: counted
    let c = base()
        .obs(json!({"date": "2024-03-02", "kind": "hypotension", "value": "vasopressor_required"}))
        .build();
    assert_eq!(crs(&c).value, Some(json!(3)));
}

#[test]
fn crs_fever_and_hypoxia_attributed_per_finding() {
    // the only fever attributed to a documented infection: no CRS
    let c = cart(CourseBuilder::new(), "2024-03-01")
        .obs(json!({"date": "2024-03-02", "kind": "temperature", "value": 39.0, "unit": "Cel", "attribution": "other", "note": "line infection"}))
        .build();
    let i = crs(&c);
    assert_eq!(i.value, Some(json!(0)), "{}", i.result);
    // a second, unattributed fever the same day counts
    let c = cart(CourseBuilder::new(), "2024-03-01")
        .obs(json!({"date": "2024-03-02", "kind": "temperature", "value": 39.0, "unit": "Cel", "attribution": "other"}))
        .num("2024-03-02", "temperature", 38.0, "Cel")
        .build();
    assert_eq!(crs(&c).value, Some(json!(1)));
    // oxygen 2 L/min: grade 2; hypoxia attributed to pneumonia: grade 1
    let base = || {
        fever(CourseBuilder::new()).event(json!({"date": "2024-03-02", "end_date": "2024-03-02", "kind": "oxygen_support", "device": "nasal_cannula", "flow_l_min": 2.0}))
    };
    assert_eq!(crs(&base().build()).value, Some(json!(2)));
    let c = base()
        .obs(json!({"date": "2024-03-02", "kind": "hypoxia", "value": true, "attribution": "other", "note": "pneumonia"}))
        .build();
    let i = crs(&c);
    assert_eq!(i.value, Some(json!(1)), "{}", i.result);
    assert!(
        i.explanation
            .flags
            .iter()
            .any(|f| f.code == "GW-ATTR-CRS" && f.text.contains("pneumonia"))
    );
}

fn map_course(day: &str, st2: f64, st2_unit: &str, reg: f64) -> graftwatch_course::Course {
    hct(CourseBuilder::new(), "2024-06-01")
        .obs(json!({"date": day, "kind": "st2", "value": st2, "unit": st2_unit, "assay": "MAGIC reference ELISA"}))
        .obs(json!({"date": day, "kind": "reg3a", "value": reg, "unit": "pg/mL", "assay": "MAGIC reference ELISA"}))
        .build()
}

fn map_item(c: &graftwatch_course::Course, name: &str) -> graftwatch_grading::output::SummaryItem {
    let g = grade_course_only(c, &GradingConfig::default(), &[Criterion::Agvhd]);
    item(&g, name)
}

#[test]
fn magic_map_day7_window_and_units() {
    // day +7 = 2024-06-08; window ± 2 days: 06-10 inside, 06-11 outside
    let i = map_item(
        &map_course("2024-06-10", 26.0, "ng/mL", 25_000.0),
        "magic_map_day7",
    );
    let v = i.value.clone().expect("graded");
    assert!((0.02..0.05).contains(&v["map"].as_f64().unwrap()), "{v}");
    assert_eq!(v["high_risk"], false);
    assert_eq!(v["st2_pg_ml"], 26_000.0, "ng/mL converted on reading");
    assert!(i.explanation.flags.iter().any(|f| f.code == "MAGIC-MAP-R"));
    let i = map_item(
        &map_course("2024-06-11", 26.0, "ng/mL", 25_000.0),
        "magic_map_day7",
    );
    assert_eq!(
        i.status,
        graftwatch_grading::output::ItemStatus::InsufficientData
    );
    assert!(
        i.missing[0].contains("2024-06-06") && i.missing[0].contains("2024-06-10"),
        "{:?}",
        i.missing
    );
    // high risk at MAP >= 0.290: 200/200 ng/mL
    let i = map_item(
        &map_course("2024-06-08", 200.0, "ng/mL", 200_000.0),
        "magic_map_day7",
    );
    assert_eq!(i.value.unwrap()["high_risk"], true);
    // no biomarker recorded: no item at all
    let g = grade_course_only(
        &hct(CourseBuilder::new(), "2024-06-01").build(),
        &GradingConfig::default(),
        &[Criterion::Agvhd],
    );
    assert!(g.item("magic_map_day7").is_none());
}

#[test]
fn magic_map_at_onset_gives_ann_arbor_group() {
    // acute GVHD onset 2024-06-20 (skin 30 %); sample on 06-22 (onset + 2)
    let c = gvhd_day(
        hct(CourseBuilder::new(), "2024-06-01"),
        "2024-06-20",
        30.0,
        0.8,
        100.0,
    )
    .obs(json!({"date": "2024-06-22", "kind": "st2", "value": 150_000.0, "unit": "pg/mL"}))
    .obs(json!({"date": "2024-06-22", "kind": "reg3a", "value": 150_000.0, "unit": "pg/mL"}))
    .build();
    let i = map_item(&c, "magic_map_onset");
    let v = i.value.clone().expect("graded");
    let map = v["map"].as_f64().unwrap();
    let expect = if map >= 0.29 {
        "3"
    } else if map >= 0.141 {
        "2"
    } else {
        "1"
    };
    assert_eq!(v["ann_arbor"], expect, "{v}");
    assert!(i.result.contains("Ann Arbor"), "{}", i.result);
    assert!(
        i.explanation.flags.iter().any(|f| f.code == "MAGIC-ASSAY"),
        "no assay stated"
    );
    // the day-7 item names what is missing
    let d7 = map_item(&c, "magic_map_day7");
    assert_eq!(
        d7.status,
        graftwatch_grading::output::ItemStatus::InsufficientData
    );
}

/// The ICAHT entry of `system` (`early`, `late`) on the day `on`.
fn icaht_on(
    c: &graftwatch_course::Course,
    on: &str,
    system: &str,
) -> graftwatch_grading::output::DailyEntry {
    let g = graftwatch_grading::grade_course_as_of(
        c,
        &GradingConfig::default(),
        &[Criterion::Icaht],
        common::d(on),
    );
    g.on_day
        .expect("on_day")
        .entries
        .into_iter()
        .find(|e| e.criterion == Criterion::Icaht && e.system == system)
        .unwrap_or_else(|| panic!("{system} entry"))
}

#[test]
fn icaht_per_day_both_sides_of_7_days_and_missing_values() {
    // ANC 0.3 from day 0 to day +6, recovered (2.0) from day +7 to +40
    let mut b = cart(CourseBuilder::new(), "2024-03-01");
    let mut vals = vec![0.3; 7];
    vals.extend(std::iter::repeat_n(2.0, 34));
    b = b.daily("2024-03-01", "anc", "10^9/L", &vals);
    let c = b.build();
    let early = |on: &str| icaht_on(&c, on, "early");
    // day +5: 6 days <= 0.5 -> grade 1; day +6: 7 days -> grade 2
    let e5 = early("2024-03-06");
    assert_eq!(e5.grade.as_deref(), Some("1"), "{e5:?}");
    assert_eq!(e5.value.as_ref().unwrap()["days_anc_le_0_5"], 6);
    let e6 = early("2024-03-07");
    assert_eq!(e6.grade.as_deref(), Some("2"), "{e6:?}");
    // the late window: day +31 has one value -> insufficient, day +32 graded 0
    let late = |on: &str| icaht_on(&c, on, "late");
    let l31 = late("2024-04-01");
    assert_eq!(
        l31.status,
        graftwatch_grading::output::DayStatus::InsufficientData
    );
    assert!(l31.missing[0].contains("1 so far"), "{:?}", l31.missing);
    assert_eq!(late("2024-04-02").grade.as_deref(), Some("0"));
    // a 6-day gap after low values: insufficient data naming the days
    let gap = cart(CourseBuilder::new(), "2024-03-01")
        .daily("2024-03-01", "anc", "10^9/L", &[0.3, 0.3, 0.3])
        .daily("2024-03-10", "anc", "10^9/L", &[2.0; 25])
        .build();
    let g = graftwatch_grading::grade_course_as_of(
        &gap,
        &GradingConfig::default(),
        &[Criterion::Icaht],
        common::d("2024-04-05"),
    );
    assert!(g.on_day.is_some());
    let gd = graftwatch_grading::grade_course_daily(
        &gap,
        &GradingConfig::default(),
        &[Criterion::Icaht],
    );
    let s = gd
        .states
        .iter()
        .find(|(d, s)| *d == common::d("2024-03-08") && s.system == "early")
        .expect("state for day +7");
    assert_eq!(
        s.1.status,
        graftwatch_grading::output::DayStatus::InsufficientData,
        "{:?}",
        s.1
    );
    assert!(s.1.missing[0].contains("gap"), "{:?}", s.1.missing);
}

/// A raised bilirubin without an attribution stages the liver only beside
/// skin or GI GVHD within the carry-forward window (GW-ATTR-LIVER, A-8;
/// audit 2026-12-05: one routine bilirubin of 40 mg/dL gave grade IV);
/// `[engine] unattributed_isolated_bilirubin_is_gvhd = true` restores the
/// old reading, and `unstated_attribution_is_gvhd = false` stages no
/// unattributed finding (before, that setting changed nothing).
#[test]
fn unattributed_bilirubin_alone_is_not_liver_gvhd() {
    let magic = |c: &graftwatch_course::Course, cfg: &GradingConfig| {
        let g = grade_course_only(c, cfg, &[Criterion::Agvhd]);
        let mut i = item(&g, "agvhd_max_grade");
        // the grade word: "0", or the object of the day that reached it
        i.value = i.value.map(|v| v.get("grade").cloned().unwrap_or(v));
        i
    };
    let bili = |b: CourseBuilder, date: &str, mg: f64| {
        b.obs(json!({"date": date, "kind": "bilirubin", "value": mg, "unit": "mg/dL"}))
    };
    let base = || hct(CourseBuilder::new(), "2024-05-02");
    let cfg = GradingConfig::default();
    // alone: not staged, flagged
    let c = bili(base(), "2024-05-21", 40.0).build();
    let i = magic(&c, &cfg);
    assert_eq!(i.value, Some(json!("0")), "{}", i.result);
    let f = i
        .explanation
        .flags
        .iter()
        .find(|f| f.code == "GW-ATTR-LIVER")
        .expect("flag");
    assert!(f.text.contains("first 2024-05-21: 40 mg/dL"), "{}", f.text);
    // beside a skin rash 7 days before (the carry-forward window): staged
    let skin = |b: CourseBuilder, date: &str| {
        b.obs(json!({"date": date, "kind": "skin_rash_bsa", "value": 30.0, "unit": "%"}))
    };
    let c = bili(skin(base(), "2024-05-14"), "2024-05-21", 40.0).build();
    let i = magic(&c, &cfg);
    assert_eq!(i.value, Some(json!("IV")), "{}", i.result);
    // 8 days before: outside the window, not staged
    let c = bili(skin(base(), "2024-05-13"), "2024-05-21", 40.0).build();
    let i = magic(&c, &cfg);
    assert!(
        i.explanation
            .flags
            .iter()
            .any(|f| f.code == "GW-ATTR-LIVER")
    );
    assert_ne!(i.value, Some(json!("IV")), "{}", i.result);
    // attributed to GVHD: staged alone
    let c = base()
        .obs(json!({"date": "2024-05-21", "kind": "bilirubin", "value": 40.0, "unit": "mg/dL", "attribution": "gvhd"}))
        .build();
    assert_eq!(magic(&c, &cfg).value, Some(json!("IV")));
    // below 2 mg/dL: stage 0 either way, no flag
    let c = bili(base(), "2024-05-21", 1.9).build();
    let i = magic(&c, &cfg);
    assert!(
        !i.explanation
            .flags
            .iter()
            .any(|f| f.code == "GW-ATTR-LIVER")
    );
    // the old reading, by configuration
    let mut old = GradingConfig::default();
    old.engine.unattributed_isolated_bilirubin_is_gvhd = true;
    let c = bili(base(), "2024-05-21", 40.0).build();
    assert_eq!(magic(&c, &old).value, Some(json!("IV")));
    // no unattributed finding staged at all
    let mut none = GradingConfig::default();
    none.engine.unstated_attribution_is_gvhd = false;
    let c = skin(base(), "2024-05-21").build();
    let i = magic(&c, &none);
    assert_eq!(i.value, Some(json!("0")), "{}", i.result);
    assert!(
        i.explanation
            .flags
            .iter()
            .any(|f| f.code == "GW-ATTR" && f.text.contains("not staged"))
    );
    assert_eq!(
        magic(&c, &cfg).value,
        Some(json!("I")),
        "30 % BSA: skin stage 2, grade I"
    );
}

//! Issue 11 §1 and §3: every criterion reaches the output, both sides of
//! each boundary, through the course format (JSON reader) and the engine.

mod common;

use common::{CourseBuilder, d, gvhd_day, hct};
use graftwatch_grading::output::{DayState, DayStatus, ItemStatus};
use graftwatch_grading::{
    Criterion, GradingConfig, grade_course_as_of, grade_course_daily, grade_course_only,
};
use serde_json::json;

/// A transplant on 2024-06-01, weight 70 kg.
fn hct_70kg() -> CourseBuilder {
    hct(CourseBuilder::new(), "2024-06-01").num("2024-06-01", "weight", 70.0, "kg")
}

fn value(g: &graftwatch_grading::CourseGrades, item: &str) -> serde_json::Value {
    g.item(item)
        .unwrap_or_else(|| {
            panic!(
                "{item} missing: {:?}",
                g.summary.iter().map(|i| &i.item).collect::<Vec<_>>()
            )
        })
        .value
        .clone()
        .unwrap_or_else(|| panic!("{item} has no value"))
}

fn cart(b: CourseBuilder, date: &str) -> CourseBuilder {
    b.event(json!({"date": date, "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
}

#[test]
fn crs_grade_5_only_when_death_is_attributed_to_crs() {
    let base = || {
        cart(CourseBuilder::new(), "2024-03-01")
            .num("2024-03-01", "weight", 70.0, "kg")
            .num("2024-03-02", "temperature", 39.5, "Cel")
            .event(json!({"date": "2024-03-02", "end_date": "2024-03-05", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"}))
            .event(json!({"date": "2024-03-02", "end_date": "2024-03-05", "kind": "drug", "name": "epinephrine", "class": "vasopressor"}))
            .num("2024-03-03", "temperature", 39.8, "Cel")
    };
    let c = base()
        .event(json!({"date": "2024-03-05", "kind": "death", "cause": "refractory cytokine release syndrome"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Crs]);
    let i = g.item("crs_max_grade").expect("crs");
    assert_eq!(i.value, Some(json!(5)), "{}", i.result);
    assert!(
        i.explanation
            .flags
            .iter()
            .any(|f| f.code == "GW-DEATH-CAUSE")
    );
    let c = base()
        .event(json!({"date": "2024-03-05", "kind": "death", "cause": "septic shock"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Crs]);
    assert_eq!(g.item("crs_max_grade").expect("crs").value, Some(json!(4)));
}

#[test]
fn icans_grade_5_when_death_is_attributed_to_icans_after_the_last_assessment() {
    let base = || {
        cart(CourseBuilder::new(), "2024-03-01")
            .obs(json!({"date": "2024-03-04", "kind": "ice_score", "value": 8}))
            .obs(json!({"date": "2024-03-04", "kind": "consciousness", "value": "awake"}))
            .obs(json!({"date": "2024-03-04", "kind": "seizure", "value": "none"}))
            .obs(json!({"date": "2024-03-04", "kind": "motor_weakness", "value": false}))
            .obs(json!({"date": "2024-03-04", "kind": "cerebral_edema", "value": "none"}))
    };
    let c = base()
        .event(json!({"date": "2024-03-09", "kind": "death", "cause": "cerebral oedema (ICANS)"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Icans]);
    assert_eq!(
        g.item("icans_max_grade").expect("icans").value,
        Some(json!(5))
    );
    let c = base()
        .event(json!({"date": "2024-03-09", "kind": "death", "cause": "relapse"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Icans]);
    assert_eq!(
        g.item("icans_max_grade").expect("icans").value,
        Some(json!(1))
    );
}

#[test]
fn keystone_and_ibmtr_beside_magic() {
    // lower GI stage 4 (grossly bloody stool) alone: MAGIC IV, Keystone III, IBMTR D
    let c = gvhd_day(hct_70kg(), "2024-06-20", 0.0, 0.8, 1600.0)
    .obs(
        json!({"date": "2024-06-20", "kind": "stool_bloody", "value": true, "attribution": "gvhd"}),
    )
    .build();
    let g = grade_course_daily(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    assert!(
        g.item("agvhd_max_grade")
            .unwrap()
            .result
            .starts_with("grade IV")
    );
    assert_eq!(value(&g, "agvhd_keystone_max_grade")["grade"], "III");
    assert_eq!(value(&g, "agvhd_ibmtr_max_index")["index"], "D");
    // skin 3 (60 %) alone: MAGIC II, Keystone II, IBMTR C
    let c = gvhd_day(hct_70kg(), "2024-06-20", 60.0, 0.8, 100.0).build();
    let g = grade_course_daily(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    assert!(
        g.item("agvhd_max_grade")
            .unwrap()
            .result
            .starts_with("grade II ")
    );
    assert_eq!(value(&g, "agvhd_keystone_max_grade")["grade"], "II");
    assert_eq!(value(&g, "agvhd_ibmtr_max_index")["index"], "C");
    // Keystone/IBMTR states per day
    let st = states(&g, "keystone");
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].grade.as_deref(), Some("II"));
}

/// A transplant on 2024-06-01 (70 kg) with a skin rash over `bsa` % on
/// 2024-06-20, nothing else assessed.
fn rash_course(bsa: u32) -> CourseBuilder {
    hct_70kg().obs(json!({"date": "2024-06-20", "kind": "skin_rash_bsa", "value": bsa, "unit": "%", "attribution": "gvhd"}))
}

/// The day states of one system, in order.
fn states<'a>(g: &'a graftwatch_grading::CourseGrades, system: &str) -> Vec<&'a DayState> {
    g.states
        .iter()
        .filter(|(_, s)| s.system == system)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn no_findings_record_stages_organs_zero() {
    let magic_daily = |b: CourseBuilder| {
        let g = grade_course_daily(&b.build(), &GradingConfig::default(), &[Criterion::Agvhd]);
        states(&g, "magic")
            .into_iter()
            .map(|s| (s.status, s.grade.clone()))
            .collect::<Vec<_>>()
    };
    let magic = magic_daily(rash_course(30));
    assert_eq!(magic[0].0, DayStatus::InsufficientData);
    assert_eq!(magic[0].1.as_deref(), Some("at least I"));
    let magic = magic_daily(
        rash_course(30)
            .obs(json!({"date": "2024-06-20", "kind": "agvhd_no_findings", "value": "all"})),
    );
    assert_eq!(magic[0].0, DayStatus::Graded);
    assert_eq!(magic[0].1.as_deref(), Some("I"));
    // one organ only: still a lower bound
    let magic = magic_daily(
        rash_course(30)
            .obs(json!({"date": "2024-06-20", "kind": "agvhd_no_findings", "value": "liver"})),
    );
    assert_eq!(magic[0].0, DayStatus::InsufficientData);
}

#[test]
fn course_maximum_is_never_insufficient_when_a_grade_was_reached() {
    // skin 60 % with nothing else assessed: at least grade II
    let c = rash_course(60).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    let i = g.item("agvhd_max_grade").unwrap();
    assert_eq!(i.status, ItemStatus::Value);
    assert!(i.result.starts_with("grade at least II"), "{}", i.result);
    assert!(
        i.explanation
            .flags
            .iter()
            .any(|f| f.code == "MISSING" && f.text.contains("liver"))
    );
}

#[test]
fn carry_forward_window_both_sides_in_the_daily_view() {
    let c = gvhd_day(hct_70kg(), "2024-06-10", 30.0, 0.8, 100.0)
        .num("2024-06-30", "anc", 2.0, "10^9/L")
        .build();
    let cfg = GradingConfig::default();
    let on = |date: &str| {
        let g = grade_course_as_of(&c, &cfg, &[Criterion::Agvhd], d(date));
        let day = g.on_day.expect("on_day");
        day.entries
            .into_iter()
            .find(|e| e.system == "magic")
            .expect("magic entry")
    };
    let e = on("2024-06-17"); // 7 days after: carried
    assert_eq!(e.status, DayStatus::Graded);
    assert_eq!(e.grade.as_deref(), Some("I"));
    assert_eq!(e.assessed_on, Some(d("2024-06-10")));
    let e = on("2024-06-18"); // 8 days after: not assessed
    assert_eq!(e.status, DayStatus::NotAssessed);
    assert!(e.missing[0].contains("2024-06-10"), "{:?}", e.missing);
    let e = on("2024-06-09"); // before the first assessment
    assert_eq!(e.status, DayStatus::NotAssessed);
}

#[test]
fn on_date_ignores_later_records() {
    let c = gvhd_day(hct_70kg(), "2024-06-10", 30.0, 0.8, 100.0);
    let c = gvhd_day(c, "2024-06-20", 60.0, 0.8, 100.0).build();
    let max_on = |date: &str| {
        let g = grade_course_as_of(&c, &GradingConfig::default(), &[Criterion::Agvhd], d(date));
        let result = g.item("agvhd_max_grade").unwrap().result.clone();
        (g.as_of, result)
    };
    let (as_of, result) = max_on("2024-06-15");
    assert!(result.starts_with("grade I "));
    assert_eq!(as_of, Some(d("2024-06-15")));
    let (_, result) = max_on("2024-06-20");
    assert!(result.starts_with("grade II "));
}

fn marrow(b: CourseBuilder, date: &str, blasts: f64) -> CourseBuilder {
    b.num(date, "marrow_blasts", blasts, "%")
        .num(date, "marrow_cellularity", 40.0, "%")
        .num(date, "anc", 1.5, "10^9/L")
        .num(date, "platelets", 150.0, "10^9/L")
        .num(date, "pb_blasts", 0.0, "%")
        .flag(date, "extramedullary_disease", false)
}

fn induction(b: CourseBuilder, date: &str) -> CourseBuilder {
    b.event(json!({"date": date, "kind": "chemotherapy", "regimen": "7+3", "line": 1, "intent": "induction"}))
}

#[test]
fn eln_pr_uses_the_pretreatment_marrow_both_sides_of_50_percent() {
    for (after, want) in [(20.0, "PR"), (20.5, "no response")] {
        let c = marrow(
            induction(
                marrow(CourseBuilder::new(), "2024-01-01", 40.0),
                "2024-01-03",
            ),
            "2024-02-01",
            after,
        )
        .build();
        let g = grade_course_daily(&c, &GradingConfig::default(), &[Criterion::Eln]);
        let st = states(&g, "eln_2022");
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].grade.as_deref(), Some(want), "after {after}");
    }
}

#[test]
fn refractory_after_two_inductions_without_cr_not_after_cr() {
    let c = induction(
        marrow(CourseBuilder::new(), "2024-01-01", 40.0),
        "2024-01-03",
    );
    let c = induction(marrow(c, "2024-02-01", 30.0), "2024-02-05");
    let c = marrow(c, "2024-03-05", 30.0).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Eln]);
    assert_eq!(value(&g, "refractory"), json!(true));
    let c = induction(
        marrow(CourseBuilder::new(), "2024-01-01", 40.0),
        "2024-01-03",
    );
    let c = marrow(c, "2024-02-01", 2.0).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Eln]);
    assert_eq!(value(&g, "refractory"), json!(false));
    let tl = value(&g, "response_timeline");
    assert_eq!(tl[0]["event"], "first_cr");
    assert_eq!(tl[0]["date"], "2024-02-01");
}

#[test]
fn mrd_relapse_needs_confirmation_within_28_days() {
    let mk = |second: &str| {
        let c = induction(
            marrow(CourseBuilder::new(), "2024-01-01", 40.0),
            "2024-01-03",
        );
        let c = marrow(c, "2024-02-01", 1.0).num("2024-02-01", "mrd_flow", 0.0, "%");
        let c = marrow(c, "2024-04-01", 1.0).num("2024-04-01", "mrd_flow", 0.3, "%");
        marrow(c, second, 1.0)
            .num(second, "mrd_flow", 0.2, "%")
            .build()
    };
    let g = grade_course_only(
        &mk("2024-04-29"),
        &GradingConfig::default(),
        &[Criterion::Eln],
    );
    assert_eq!(value(&g, "mrd_relapse")["state"], "confirmed");
    let g = grade_course_only(
        &mk("2024-04-30"),
        &GradingConfig::default(),
        &[Criterion::Eln],
    );
    assert_eq!(value(&g, "mrd_relapse")["state"], "unconfirmed");
}

#[test]
fn cgvhd_gi_score_from_weight_history_both_sides_of_5_percent() {
    for (now, score) in [(66.5, 2), (66.6, 1)] {
        let c = hct(CourseBuilder::new(), "2024-01-01")
            .num("2024-06-01", "weight", 70.0, "kg")
            .num("2024-08-01", "weight", now, "kg")
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_gi", "value": 1}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_mouth", "value": 0}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_eyes", "value": 0}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_joints", "value": 0}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_genital", "value": 0}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_lung_symptoms", "value": 0}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_skin_bsa", "value": 0, "unit": "%"}))
            .obs(json!({"date": "2024-08-01", "kind": "cgvhd_skin_features", "value": 0}))
            .obs(json!({"date": "2024-08-01", "kind": "fev1_percent", "value": 95, "unit": "%"}))
            .num("2024-08-01", "bilirubin", 0.5, "mg/dL")
            .num("2024-08-01", "alt", 20.0, "U/L")
            .num("2024-08-01", "alp", 60.0, "U/L")
            .build();
        let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Cgvhd]);
        let i = g.item("cgvhd_max_severity").unwrap();
        assert!(i.value.is_some(), "{:?}", i.missing);
        let v = value(&g, "cgvhd_max_severity");
        let gi = v["organs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["organ"] == "gi")
            .unwrap()
            .clone();
        assert_eq!(gi["score"], score, "{now}: {v}");
        assert!(
            g.item("cgvhd_max_severity")
                .unwrap()
                .explanation
                .flags
                .iter()
                .any(|f| f.code == "GW-WEIGHT-LOSS")
        );
    }
}

#[test]
fn agvhd_treatment_response_from_steroids_and_second_line() {
    let base = || {
        let c = gvhd_day(hct_70kg(), "2024-06-20", 30.0, 0.8, 100.0).event(json!({"date": "2024-06-20", "end_date": "2024-08-01", "kind": "drug", "name": "methylprednisolone", "class": "steroid"}));
        gvhd_day(c, "2024-07-18", 0.0, 0.8, 100.0)
    };
    let g = grade_course_only(
        &base().build(),
        &GradingConfig::default(),
        &[Criterion::Agvhd],
    );
    let v = value(&g, "agvhd_treatment_response");
    assert_eq!(v["day28"], "CR");
    assert_eq!(v["steroid_refractory"], serde_json::Value::Null);
    let c = base()
        .event(json!({"date": "2024-07-01", "kind": "drug", "name": "ruxolitinib", "class": "immunosuppressant"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    let v = value(&g, "agvhd_treatment_response");
    assert_eq!(v["day28"], "NR");
    assert_eq!(v["second_line_start"], "2024-07-01");
    // progression on day 3 (skin 2 -> 3); on day 2 it is not yet refractory
    let c = gvhd_day(base(), "2024-06-23", 60.0, 0.8, 100.0).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    assert_eq!(
        value(&g, "agvhd_treatment_response")["steroid_refractory"],
        "progression_after_3_days"
    );
    let c = gvhd_day(
        gvhd_day(base(), "2024-06-22", 60.0, 0.8, 100.0),
        "2024-06-25",
        10.0,
        0.8,
        100.0,
    )
    .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    assert_eq!(
        value(&g, "agvhd_treatment_response")["steroid_refractory"],
        serde_json::Value::Null
    );
}

#[test]
fn several_transplants_count_from_the_latest_one() {
    let c = hct(CourseBuilder::new(), "2024-01-01")
        .donor("MUD-2", "matched_unrelated", "female")
        .event(json!({"date": "2024-06-01", "kind": "graft_infusion", "transplant": 2, "source": "pbsc", "donor": "MUD-2"}))
        .num("2024-01-01", "weight", 70.0, "kg");
    let c = gvhd_day(c, "2024-01-20", 30.0, 0.8, 100.0);
    let c = gvhd_day(c, "2024-06-20", 60.0, 0.8, 100.0).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    let first = g.item("agvhd_max_grade").unwrap();
    assert!(first.result.starts_with("grade I "), "{}", first.result);
    let second = g
        .item("agvhd_max_grade_hct2")
        .expect("second transplant item");
    assert!(
        second.result.contains("day +19 after HCT 2"),
        "{}",
        second.result
    );
    assert_eq!(second.rel.as_ref().unwrap().day.get(), 19);
}

#[test]
fn autologous_reconstitution_and_engrafting_graft_of_a_dual_graft() {
    let anc: Vec<f64> = (0..40).map(|i| if i < 15 { 0.1 } else { 2.0 }).collect();
    let c = CourseBuilder::new()
        .donor("UCB-1", "unrelated_cord", "male")
        .donor("PBSC-1", "haploidentical", "male")
        .event(json!({"date": "2024-06-01", "kind": "graft_infusion", "source": "ucb", "donor": "UCB-1"}))
        .event(json!({"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1"}))
        .daily("2024-06-01", "anc", "10^9/L", &anc)
        .obs(json!({"date": "2024-06-25", "kind": "chimerism", "value": 20.0, "unit": "%", "lineage": "myeloid", "person": "UCB-1", "method": "str"}))
        .obs(json!({"date": "2024-06-25", "kind": "chimerism", "value": 78.0, "unit": "%", "lineage": "myeloid", "person": "PBSC-1", "method": "str"}))
        .build();
    let g = grade_course_only(
        &c,
        &GradingConfig::default(),
        &[Criterion::Engraftment, Criterion::GraftFailure],
    );
    let v = value(&g, "graft_source_engraftment");
    assert_eq!(v["engrafted_donor"], "PBSC-1");
    assert_eq!(v["engrafted_source"], "PBSC");
    assert_eq!(value(&g, "graft_rejection"), json!("no_rejection"));
    let c = hct(CourseBuilder::new(), "2024-06-01")
        .daily("2024-06-01", "anc", "10^9/L", &anc)
        .obs(json!({"date": "2024-06-25", "kind": "chimerism", "value": 4.9, "unit": "%", "lineage": "myeloid", "person": "MUD-1", "method": "str"}))
        .build();
    let g = grade_course_only(
        &c,
        &GradingConfig::default(),
        &[Criterion::Engraftment, Criterion::GraftFailure],
    );
    assert_eq!(
        value(&g, "graft_rejection"),
        json!("autologous_reconstitution")
    );
    assert!(
        g.item("graft_rejection")
            .unwrap()
            .result
            .contains("autologous reconstitution")
    );
}

#[test]
fn chimerism_text_keeps_precision_at_the_boundary() {
    let c = hct(CourseBuilder::new(), "2024-06-01")
        .obs(json!({"date": "2024-07-01", "kind": "chimerism", "value": 95.01, "unit": "%", "lineage": "cd3", "person": "MUD-1", "method": "ngs"}))
        .obs(json!({"date": "2024-07-01", "kind": "chimerism", "value": 99.0, "unit": "%", "lineage": "myeloid", "person": "MUD-1", "method": "ngs"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Chimerism]);
    let i = g.item("chimerism_latest").unwrap();
    assert!(i.result.contains("95.01"), "{}", i.result);
    assert!(i.result.starts_with("full donor"), "{}", i.result);
}

fn cgvhd_visit(b: CourseBuilder, date: &str, mouth: u8, eyes: u8) -> CourseBuilder {
    let mut b = b;
    for (k, v) in [
        ("cgvhd_mouth", mouth),
        ("cgvhd_eyes", eyes),
        ("cgvhd_gi", 0),
        ("cgvhd_joints", 0),
        ("cgvhd_genital", 0),
        ("cgvhd_lung_symptoms", 0),
        ("cgvhd_skin_features", 0),
    ] {
        b = b.obs(json!({"date": date, "kind": k, "value": v}));
    }
    b.obs(json!({"date": date, "kind": "cgvhd_skin_bsa", "value": 0, "unit": "%"}))
        .obs(json!({"date": date, "kind": "fev1_percent", "value": 95, "unit": "%"}))
        .num(date, "bilirubin", 0.5, "mg/dL")
        .num(date, "alt", 20.0, "U/L")
        .num(date, "alp", 60.0, "U/L")
}

#[test]
fn cgvhd_treatment_response_against_the_visit_at_steroid_start() {
    let base = || {
        cgvhd_visit(hct(CourseBuilder::new(), "2024-01-01"), "2024-06-01", 2, 1)
            .event(json!({"date": "2024-06-02", "end_date": "2024-09-01", "kind": "drug", "name": "prednisone", "class": "steroid"}))
    };
    for ((m, e), want) in [
        ((0, 0), "CR"),
        ((1, 1), "PR"),
        ((1, 2), "NR"),
        ((2, 1), "NR"),
    ] {
        let c = cgvhd_visit(base(), "2024-08-01", m, e).build();
        let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Cgvhd]);
        let v = value(&g, "cgvhd_treatment_response");
        assert_eq!(v[0], want, "mouth {m} eyes {e}: {v}");
    }
}

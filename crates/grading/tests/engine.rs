//! End-to-end grading of small hand-built courses with known answers.

mod common;

use common::{CourseBuilder, d, hct};
use graftwatch_grading::output::ItemStatus;
use graftwatch_grading::{Criterion, GradingConfig, grade_course, grade_course_only};
use serde_json::json;

/// PBSC transplant on 2024-06-01; ANC falls from 3.0 to a nadir of 0.05
/// and recovers to >= 0.5 from day +12; a platelet transfusion on day +10.
fn transplant_course() -> CourseBuilder {
    let mut anc = vec![
        3.0, 2.0, 1.2, 0.6, 0.3, 0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4,
    ];
    anc.extend([0.6, 0.8, 1.1, 1.5, 2.0, 2.2, 2.5, 2.8, 3.0, 3.0]);
    let mut plt = vec![
        150.0, 120.0, 90.0, 60.0, 40.0, 30.0, 22.0, 18.0, 15.0, 12.0, 9.0, 14.0,
    ];
    plt.extend([21.0, 24.0, 25.0, 27.0, 30.0, 35.0, 41.0, 48.0, 52.0, 60.0]);
    hct(CourseBuilder::new(), "2024-06-01")
        .event(json!({"date": "2024-06-11", "kind": "transfusion", "product": "platelets"}))
        .daily("2024-06-01", "anc", "10^9/L", &anc)
        .daily("2024-06-01", "platelets", "10^9/L", &plt)
}

#[test]
fn neutrophil_engraftment_day_and_date() {
    let g = grade_course(&transplant_course().build(), &GradingConfig::default());
    let n = g.item("neutrophil_engraftment").expect("item");
    assert_eq!(n.status, ItemStatus::Value);
    assert_eq!(n.date, Some(d("2024-06-13")), "{}", n.result);
    assert_eq!(n.rel.as_ref().map(|r| r.day.get()), Some(12));
    assert!(n.result.contains("day +12"), "{}", n.result);
    assert_eq!(n.rel.as_ref().map(|r| r.anchor.as_str()), Some("HCT"));
    // No primary graft failure: engrafted before day +30.
    let pgf = g.item("primary_graft_failure").expect("pgf");
    assert_eq!(
        pgf.value
            .as_ref()
            .and_then(|v| v["primary_graft_failure"].as_bool()),
        Some(false)
    );
}

#[test]
fn platelet_engraftment_respects_the_transfusion_window_for_each_value() {
    let g = grade_course(&transplant_course().build(), &GradingConfig::default());
    let p = g.item("platelet_engraftment_20").expect("item");
    // Transfusion on day +10 blocks days +10..+16; first eligible day +17
    // (2024-06-18; 35 ×10⁹/L) starts 3 consecutive values >= 20.
    assert_eq!(p.date, Some(d("2024-06-18")), "{}", p.result);
    let p50 = g.item("platelet_engraftment_50").expect("item");
    assert_eq!(p50.status, ItemStatus::Value);
    assert_eq!(p50.date, None, "never 3 values >= 50: {}", p50.result);
}

#[test]
fn no_counts_is_insufficient_data_not_zero() {
    let c = hct(CourseBuilder::new(), "2024-06-01").build();
    let g = grade_course(&c, &GradingConfig::default());
    let n = g.item("neutrophil_engraftment").expect("item");
    assert_eq!(n.status, ItemStatus::InsufficientData, "{}", n.result);
    assert!(!n.missing.is_empty());
    let a = g.item("agvhd_max_grade").expect("agvhd");
    assert_eq!(a.status, ItemStatus::InsufficientData);
    assert!(a.missing[0].contains("2024-06-01"), "{:?}", a.missing);
}

#[test]
fn no_transplant_and_no_car_t_are_not_applicable() {
    let g = grade_course(
        &CourseBuilder::new()
            .num("2024-01-02", "anc", 1.0, "10^9/L")
            .build(),
        &GradingConfig::default(),
    );
    for item in [
        "neutrophil_engraftment",
        "primary_graft_failure",
        "agvhd_max_grade",
        "icaht_early",
        "car_hematotox",
    ] {
        assert_eq!(
            g.item(item).map(|i| i.status),
            Some(ItemStatus::NotApplicable),
            "{item}"
        );
    }
}

/// Transplant on 2024-06-01 (`weight_kg`); on day +20 all organs assessed:
/// no rash, bilirubin 0.8, no upper-GI symptoms, and the observation `stool`.
fn stool_day(weight_kg: f64, stool: serde_json::Value) -> CourseBuilder {
    hct(CourseBuilder::new(), "2024-06-01")
        .num("2024-06-01", "weight", weight_kg, "kg")
        .obs(json!({"date": "2024-06-21", "kind": "skin_rash_bsa", "value": 0, "unit": "%", "attribution": "gvhd"}))
        .obs(json!({"date": "2024-06-21", "kind": "bilirubin", "value": 0.8, "unit": "mg/dL", "attribution": "gvhd"}))
        .obs(json!({"date": "2024-06-21", "kind": "upper_gi_persistent", "value": false, "attribution": "gvhd"}))
        .obs(stool)
}

/// [`stool_day`] at 72 kg with `stool_ml` mL of liquid stool.
fn stool_course(stool_ml: f64) -> CourseBuilder {
    stool_day(
        72.0,
        json!({"date": "2024-06-21", "kind": "stool_volume", "value": stool_ml, "unit": "mL", "attribution": "gvhd"}),
    )
}

#[test]
fn magic_grade_iii_from_stool_1200_ml_names_the_day() {
    let g = grade_course_only(
        &stool_course(1200.0).build(),
        &GradingConfig::default(),
        &[Criterion::Agvhd],
    );
    let m = g.item("agvhd_max_grade").expect("item");
    assert_eq!(m.status, ItemStatus::Value, "{}", m.result);
    assert!(m.result.starts_with("grade III"), "{}", m.result);
    assert_eq!(m.date, Some(d("2024-06-21")));
    assert_eq!(m.rel.as_ref().map(|r| r.day.get()), Some(20));
    let ev = m
        .explanation
        .evidence
        .iter()
        .find(|e| e.what.contains("stool"))
        .expect("stool evidence");
    assert_eq!(ev.date, Some(d("2024-06-21")));
    assert_eq!(ev.value, Some(1200.0));
    // Timeline has that day at grade III.
    let day = g
        .timeline
        .iter()
        .find(|t| t.date == d("2024-06-21"))
        .expect("timeline day");
    assert_eq!(day.entries[0].grade, "III");
    assert!(
        day.entries[0].reason.contains("lower GI stage 2"),
        "{}",
        day.entries[0].reason
    );
    // Only the selected criterion ran.
    assert_eq!(g.criteria, vec![Criterion::Agvhd]);
    assert!(g.item("neutrophil_engraftment").is_none());
}

#[test]
fn stool_band_edges_both_sides() {
    // 999 mL: stage 1 → grade II; 1000 mL: stage 2 → grade III;
    // 499 mL: stage 0 → grade 0.
    let grade = |ml: f64| {
        let g = grade_course_only(
            &stool_course(ml).build(),
            &GradingConfig::default(),
            &[Criterion::Agvhd],
        );
        g.item("agvhd_max_grade").expect("item").result.clone()
    };
    assert!(grade(999.0).starts_with("grade II "), "{}", grade(999.0));
    assert!(grade(1000.0).starts_with("grade III"), "{}", grade(1000.0));
    assert!(grade(500.0).starts_with("grade II "), "{}", grade(500.0));
    assert_eq!(grade(499.0), "grade 0");
}

#[test]
fn child_per_kg_stool_uses_the_day_weight() {
    // 40 kg child: 25 mL/kg = 1000 mL; child bands: > 19.9 … 30 mL/kg = stage 2 → grade III.
    let c = stool_day(
        40.0,
        json!({"date": "2024-06-21", "kind": "stool_volume", "value": 15, "unit": "mL/kg", "attribution": "gvhd"}),
    )
    .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    // 15 mL/kg = 600 mL: adult rule would be stage 1 too, so check the child band via 15 → stage 1 → II.
    let m = g.item("agvhd_max_grade").expect("item");
    assert!(m.result.starts_with("grade II "), "{}", m.result);
    let mut cfg = GradingConfig::default();
    cfg.agvhd.child_weight_cut_kg = 30.0; // 40 kg is now an adult: 600 mL → stage 1 still.
    let g2 = grade_course_only(&c, &cfg, &[Criterion::Agvhd]);
    assert!(
        g2.item("agvhd_max_grade")
            .expect("item")
            .result
            .starts_with("grade II ")
    );
}

#[test]
fn other_cause_stool_is_excluded() {
    let c = stool_day(
        72.0,
        json!({"date": "2024-06-21", "kind": "stool_volume", "value": 1600, "unit": "mL", "attribution": "other"}),
    )
    .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    assert_eq!(g.item("agvhd_max_grade").expect("item").result, "grade 0");
}

#[test]
fn chimerism_95_percent_is_mixed_by_default_and_full_with_the_cibmtr_option() {
    let c = hct(CourseBuilder::new(), "2024-06-01")
        .obs(json!({"date": "2024-07-01", "kind": "chimerism", "value": 95.0, "unit": "%", "lineage": "cd3", "person": "MUD-1", "method": "str"}))
        .obs(json!({"date": "2024-07-01", "kind": "chimerism", "value": 99.0, "unit": "%", "lineage": "myeloid", "person": "MUD-1", "method": "str"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Chimerism]);
    let i = g.item("chimerism_latest").expect("item");
    assert!(
        i.result
            .starts_with("split (myeloid full donor, lymphoid mixed)"),
        "{}",
        i.result
    );
    let cfg =
        GradingConfig::from_toml_str("[chimerism]\nfull_donor_rule = \"at_least95\"\n", "t.toml")
            .expect("cfg");
    let g = grade_course_only(&c, &cfg, &[Criterion::Chimerism]);
    assert!(
        g.item("chimerism_latest")
            .expect("item")
            .result
            .starts_with("full donor")
    );
}

#[test]
fn icaht_and_hematotox_after_car_t() {
    // CAR-T on 2024-03-01; ANC 0.3 (<= 0.5, > 0.1) on days 0..9, then recovery.
    let mut anc = vec![0.3; 10];
    anc.extend([0.8; 26]);
    let c = CourseBuilder::new()
        .event(json!({"date": "2024-02-25", "kind": "lymphodepletion", "regimen": "Flu/Cy"}))
        .event(json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
        .num("2024-02-24", "anc", 2.0, "10^9/L")
        .num("2024-02-24", "hemoglobin", 10.0, "g/dL")
        .num("2024-02-24", "platelets", 200.0, "10^9/L")
        .num("2024-02-24", "crp", 1.0, "mg/dL")
        .num("2024-02-24", "ferritin", 300.0, "ng/mL")
        .daily("2024-03-01", "anc", "10^9/L", &anc)
        .build();
    let g = grade_course(&c, &GradingConfig::default());
    let e = g.item("icaht_early").expect("item");
    assert_eq!(e.status, ItemStatus::Value, "{}", e.result);
    assert!(
        e.result.starts_with("grade 2"),
        "10 days <= 0.5 → grade 2: {}",
        e.result
    );
    let h = g.item("car_hematotox").expect("hematotox");
    assert!(h.result.starts_with("score 0"), "{}", h.result);
    assert_eq!(h.date, Some(d("2024-02-24")));
}

fn cart_course() -> CourseBuilder {
    CourseBuilder::new()
        .event(json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
        .num("2024-03-02", "temperature", 39.0, "C")
        .num("2024-03-03", "temperature", 39.5, "C")
        .num("2024-03-04", "temperature", 38.5, "C")
        .num("2024-03-05", "temperature", 37.0, "C")
}

#[test]
fn crs_vasopressin_plus_one_pressor_is_grade_3_and_two_pressors_grade_4() {
    let c = cart_course()
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-04", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"}))
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-03", "kind": "drug", "name": "vasopressin", "class": "vasopressor"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Crs]);
    let day = |s: &str| {
        g.timeline
            .iter()
            .find(|t| t.date == d(s))
            .and_then(|t| t.entries.iter().find(|e| e.criterion == Criterion::Crs))
            .map(|e| e.grade.clone())
    };
    assert_eq!(day("2024-03-02").as_deref(), Some("1"), "fever only");
    assert_eq!(
        day("2024-03-03").as_deref(),
        Some("3"),
        "norepinephrine + vasopressin"
    );
    let m = g.item("crs_max_grade").expect("item");
    assert!(
        m.result.starts_with("grade 3 first on 2024-03-03"),
        "{}",
        m.result
    );
    let c = cart_course()
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-03", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"}))
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-03", "kind": "drug", "name": "epinephrine", "class": "vasopressor"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Crs]);
    assert!(
        g.item("crs_max_grade")
            .expect("item")
            .result
            .starts_with("grade 4")
    );
}

#[test]
fn crs_during_an_infection_episode_is_attributed_to_it_by_default() {
    let c = cart_course()
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-04", "kind": "infection", "syndrome": "septic shock"}))
        .event(json!({"date": "2024-03-03", "end_date": "2024-03-04", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Crs]);
    let m = g.item("crs_max_grade").expect("item");
    assert!(
        m.result.starts_with("grade 1 first on 2024-03-02"),
        "{}",
        m.result
    );
    assert!(m.explanation.flags.iter().any(|f| f.code == "GW-INFECTION"));
    let mut cfg = GradingConfig::default();
    cfg.engine.crs_infection_is_other_cause = false;
    let g = grade_course_only(&c, &cfg, &[Criterion::Crs]);
    assert!(
        g.item("crs_max_grade")
            .expect("item")
            .result
            .starts_with("grade 3")
    );
}

#[test]
fn icans_needs_every_domain_unless_configured() {
    let c = cart_course()
        .num("2024-03-06", "ice_score", 5.0, "1")
        .obs(json!({"date": "2024-03-06", "kind": "consciousness", "value": "awake"}))
        .build();
    // Seizure and motor findings not recorded: the day is not fully graded,
    // but ICE 5 already gives grade 2 and a missing domain can only raise
    // it, so the course maximum is "at least 2" with the gap named.
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Icans]);
    let m = g.item("icans_max_grade").expect("item");
    assert_eq!(m.status, ItemStatus::Value, "{}", m.result);
    assert!(
        m.result.starts_with("grade at least 2 first on 2024-03-06"),
        "{}",
        m.result
    );
    let missing = m
        .explanation
        .flags
        .iter()
        .find(|f| f.code == "MISSING")
        .expect("MISSING flag");
    assert!(
        missing.text.contains("seizure status") && missing.text.contains("motor findings"),
        "{}",
        missing.text
    );
    let mut cfg = GradingConfig::default();
    cfg.engine.icans_unrecorded_domains_absent = true;
    let g = grade_course_only(&c, &cfg, &[Criterion::Icans]);
    let m = g.item("icans_max_grade").expect("item");
    assert!(
        m.result.starts_with("grade 2 first on 2024-03-06"),
        "ICE 5 → grade 2: {}",
        m.result
    );
}

fn marrow_course(pb_blasts: bool, mrd: f64) -> CourseBuilder {
    let mut b = hct(CourseBuilder::new(), "2024-06-01")
        .num("2024-07-01", "marrow_blasts", 2.0, "%")
        .num("2024-07-01", "marrow_cellularity", 40.0, "%")
        .num("2024-07-01", "mrd_flow", mrd, "%")
        .flag("2024-07-01", "extramedullary_disease", false)
        .num("2024-07-02", "anc", 1.5, "10^9/L")
        .num("2024-07-02", "platelets", 150.0, "10^9/L");
    if pb_blasts {
        b = b.num("2024-07-02", "pb_blasts", 0.0, "%");
    }
    b
}

#[test]
fn eln_cr_mrd_negative_and_mrd_positive_boundary() {
    let g = grade_course_only(
        &marrow_course(true, 0.05).build(),
        &GradingConfig::default(),
        &[Criterion::Eln],
    );
    let b = g.item("eln_best_response").expect("item");
    assert!(
        b.result.starts_with("CR MRD-negative on 2024-07-01"),
        "{}",
        b.result
    );
    assert_eq!(b.rel.as_ref().map(|r| r.day.get()), Some(30));
    // MFC 0.1 % is positive (negative is below 0.1 %): CR, MRD positive.
    let g = grade_course_only(
        &marrow_course(true, 0.1).build(),
        &GradingConfig::default(),
        &[Criterion::Eln],
    );
    assert!(
        g.item("eln_best_response")
            .expect("item")
            .result
            .starts_with("CR on"),
        "{}",
        g.item("eln_best_response").expect("item").result
    );
    assert!(
        g.item("mrd_latest")
            .expect("mrd")
            .result
            .starts_with("positive")
    );
}

#[test]
fn eln_without_blood_blasts_is_insufficient_data_naming_them() {
    let g = grade_course_only(
        &marrow_course(false, 0.0).build(),
        &GradingConfig::default(),
        &[Criterion::Eln],
    );
    let b = g.item("eln_best_response").expect("item");
    assert_eq!(b.status, ItemStatus::InsufficientData);
    assert!(
        b.missing
            .iter()
            .any(|m| m.contains("2024-07-01") && m.contains("blast")),
        "{:?}",
        b.missing
    );
}

/// A PBSC transplant on 2024-06-01 from an HLA-identical sibling of sex
/// `donor_sex`, after a work-up on 2024-05-20: marrow and blood blasts %, no
/// extramedullary disease, ANC and platelets.
fn sibling_hct(
    b: CourseBuilder,
    donor_sex: &str,
    [marrow, blood, anc, platelets]: [f64; 4],
) -> CourseBuilder {
    b.donor("SIB", "matched_sibling", donor_sex)
        .event(json!({"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "SIB"}))
        .num("2024-05-20", "marrow_blasts", marrow, "%")
        .num("2024-05-20", "pb_blasts", blood, "%")
        .flag("2024-05-20", "extramedullary_disease", false)
        .num("2024-05-20", "anc", anc, "10^9/L")
        .num("2024-05-20", "platelets", platelets, "10^9/L")
}

#[test]
fn ebmt_score_from_the_course_and_hct_ci_names_missing_lung_function() {
    let c = sibling_hct(CourseBuilder::new(), "female", [30.0, 5.0, 0.4, 40.0]).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Risk]);
    let e = g.item("ebmt_score").expect("ebmt");
    assert_eq!(e.status, ItemStatus::Value, "{} {:?}", e.result, e.missing);
    let v = e.value.as_ref().expect("value");
    assert_eq!(
        v["stage"], 2,
        "30% blasts before HCT = not in remission = late: {v}"
    );
    assert_eq!(v["sex"], 1, "female donor to male recipient: {v}");
    assert_eq!(v["donor"], 0, "HLA-identical sibling: {v}");
    assert_eq!(
        v["time"], 0,
        "diagnosis 2024-01-01 to HCT 2024-06-01 < 12 months: {v}"
    );
    let sum: u64 = ["age", "stage", "time", "donor", "sex"]
        .iter()
        .map(|k| v[*k].as_u64().unwrap_or(99))
        .sum();
    assert_eq!(v["score"].as_u64(), Some(sum));
    let h = g.item("hct_ci").expect("hct-ci");
    // no lung function test: counted absent and named, never insufficient data
    assert_eq!(h.status, ItemStatus::Value, "{}", h.result);
    assert!(
        h.explanation
            .flags
            .iter()
            .any(|f| f.code == "HCTCI-not-measured" && f.text.contains("FEV1")),
        "{:?}",
        h.explanation.flags
    );
}

#[test]
fn cgvhd_nih_severity_from_organ_scores() {
    // A full NIH assessment on 2024-12-01 (all eight organs), organ `k` = `v`.
    let full = |k: &str, v: f64| {
        let mut b = hct(CourseBuilder::new(), "2024-06-01")
            .num("2024-12-01", "cgvhd_skin_bsa", 0.0, "%")
            .num("2024-12-01", "bilirubin", 0.5, "mg/dL")
            .num("2024-12-01", "alt", 30.0, "U/L")
            .num("2024-12-01", "alp", 100.0, "U/L");
        for organ in [
            "cgvhd_mouth",
            "cgvhd_eyes",
            "cgvhd_gi",
            "cgvhd_joints",
            "cgvhd_genital",
            "cgvhd_lung_symptoms",
        ] {
            b = b.num("2024-12-01", organ, if organ == k { v } else { 0.0 }, "1");
        }
        b
    };
    let sev = |b: CourseBuilder| {
        let g = grade_course_only(&b.build(), &GradingConfig::default(), &[Criterion::Cgvhd]);
        g.item("cgvhd_max_severity").expect("item").result.clone()
    };
    assert!(
        sev(full("cgvhd_mouth", 0.0)).starts_with("none"),
        "{}",
        sev(full("cgvhd_mouth", 0.0))
    );
    assert!(
        sev(full("cgvhd_mouth", 1.0)).starts_with("mild"),
        "{}",
        sev(full("cgvhd_mouth", 1.0))
    );
    assert!(
        sev(full("cgvhd_mouth", 2.0)).starts_with("moderate"),
        "{}",
        sev(full("cgvhd_mouth", 2.0))
    );
    assert!(
        sev(full("cgvhd_lung_symptoms", 2.0)).starts_with("severe"),
        "{}",
        sev(full("cgvhd_lung_symptoms", 2.0))
    );
    // An incomplete assessment names the organs not assessed.
    let partial =
        hct(CourseBuilder::new(), "2024-06-01").num("2024-12-01", "cgvhd_mouth", 2.0, "1");
    let g = grade_course_only(
        &partial.build(),
        &GradingConfig::default(),
        &[Criterion::Cgvhd],
    );
    let i = g.item("cgvhd_max_severity").expect("item");
    assert_eq!(i.status, ItemStatus::InsufficientData);
    assert!(
        i.missing.iter().any(|m| m.contains("eyes")),
        "{:?}",
        i.missing
    );
}

#[test]
fn eln_genetic_risk_and_refined_dri_from_the_diagnosis() {
    // AML with t(8;21), in CR before HCT → ELN favorable; DRI low (favorable disease, CR).
    let b = CourseBuilder::new()
        .diagnosis(json!({"disease": "aml", "date": "2024-01-01",
            "karyotype": {"iscn": "46,XY,t(8;21)(q22;q22.1)[20]",
                          "abnormalities": [{"kind": "translocation", "iscn": "t(8;21)(q22;q22.1)", "chromosome": "8;21"}]},
            "mutations": [{"gene": "KIT", "variant": "D816V"}]}));
    let c = sibling_hct(b, "male", [1.0, 0.0, 2.0, 180.0]).build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Risk]);
    let e = g.item("eln_genetic_risk").expect("eln risk");
    assert!(e.result.starts_with("favorable"), "{}", e.result);
    let d = g.item("refined_dri").expect("dri");
    assert!(d.result.starts_with("low"), "{}", d.result);
    // The same patient with -7 instead: adverse.
    let c = CourseBuilder::new()
        .diagnosis(json!({"disease": "aml", "date": "2024-01-01",
            "karyotype": {"iscn": "45,XY,-7[20]", "abnormalities": [{"kind": "monosomy", "iscn": "-7", "chromosome": "7"}]}}))
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Risk]);
    assert!(
        g.item("eln_genetic_risk")
            .expect("eln risk")
            .result
            .starts_with("adverse")
    );
}

/// The marrow taken after the diagnosis date but before induction started
/// is the pretreatment baseline, not a response: it is not graded "no
/// response" and the best response cites the marrow after treatment.
#[test]
fn eln_pretreatment_marrow_is_the_baseline_not_a_response() {
    let c = CourseBuilder::new()
        .event(json!({"date": "2024-01-05", "kind": "chemotherapy", "regimen": "7+3", "line": 1, "intent": "induction"}))
        .num("2024-01-02", "marrow_blasts", 60.0, "%")
        .num("2024-02-10", "marrow_blasts", 3.0, "%")
        .num("2024-02-10", "marrow_cellularity", 30.0, "%")
        .num("2024-02-10", "anc", 1.5, "10^9/L")
        .num("2024-02-10", "platelets", 150.0, "10^9/L")
        .num("2024-02-10", "pb_blasts", 1.0, "%")
        .flag("2024-02-10", "extramedullary_disease", false);
    let g = grade_course_only(&c.build(), &GradingConfig::default(), &[Criterion::Eln]);
    let b = g.item("eln_best_response").expect("item");
    assert!(
        b.result.starts_with("no response on 2024-02-10"),
        "{}",
        b.result
    );
    assert!(
        b.explanation.reason.contains("circulating blasts"),
        "{}",
        b.explanation.reason
    );
    let eln_days: Vec<String> = g
        .timeline
        .iter()
        .filter(|d| d.entries.iter().any(|e| e.criterion == Criterion::Eln))
        .map(|d| d.date.to_string())
        .collect();
    assert_eq!(eln_days, vec!["2024-02-10".to_string()]);
    // A marrow on the day induction starts is pretreatment too; one the day
    // after is an assessment.
    for (day, graded) in [("2024-01-05", false), ("2024-01-06", true)] {
        let c = CourseBuilder::new()
            .event(json!({"date": "2024-01-05", "kind": "chemotherapy", "regimen": "7+3"}))
            .num(day, "marrow_blasts", 60.0, "%");
        let g = grade_course_only(&c.build(), &GradingConfig::default(), &[Criterion::Eln]);
        let on_timeline = g
            .timeline
            .iter()
            .any(|d| d.entries.iter().any(|e| e.criterion == Criterion::Eln));
        assert_eq!(on_timeline, graded, "{day}");
    }
}

/// Flag E-3 (G-CSF during the count) names G-CSF given up to the last
/// qualifying ANC, not G-CSF given weeks after engraftment.
#[test]
fn gcsf_flag_covers_the_count_only() {
    let base = |gcsf_from: &str, gcsf_to: &str| {
        let mut b = hct(CourseBuilder::new(), "2024-06-01").event(json!({
            "date": gcsf_from, "end_date": gcsf_to, "kind": "drug",
            "name": "filgrastim", "class": "g_csf"
        }));
        // Nadir, then ANC >= 0.5 from day +12 (2024-06-13) on.
        for (i, v) in [
            0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.45, 0.45, 0.6, 0.7, 0.9,
        ]
        .iter()
        .enumerate()
        {
            b = b.num(&format!("2024-06-{:02}", i + 2), "anc", *v, "10^9/L");
        }
        grade_course_only(
            &b.build(),
            &GradingConfig::default(),
            &[Criterion::Engraftment],
        )
    };
    let e3 = |g: &graftwatch_grading::CourseGrades| {
        g.item("neutrophil_engraftment")
            .expect("item")
            .explanation
            .flags
            .iter()
            .any(|f| f.code == "E-3")
    };
    // Engrafted 2024-06-13; the third qualifying value is on 2024-06-15.
    assert!(
        e3(&base("2024-06-05", "2024-06-10")),
        "G-CSF during the nadir"
    );
    assert!(
        e3(&base("2024-06-15", "2024-06-15")),
        "on the last qualifying day"
    );
    assert!(
        !e3(&base("2024-06-16", "2024-06-20")),
        "the day after: not this count"
    );
    assert!(!e3(&base("2024-08-01", "2024-08-07")), "weeks later");
}

/// CAR-HEMATOTOX baseline: values at most 14 days before lymphodepletion.
/// 14 days before counts; 15 days before is named as outside the window.
#[test]
fn hematotox_baseline_window_both_sides_and_named_when_stale() {
    let with_labs = |date: &str| {
        let c = CourseBuilder::new()
            .event(json!({"date": "2024-02-25", "kind": "lymphodepletion", "regimen": "Flu/Cy"}))
            .event(json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
            .num(date, "anc", 2.0, "10^9/L")
            .num(date, "hemoglobin", 10.0, "g/dL")
            .num(date, "platelets", 200.0, "10^9/L")
            .num(date, "crp", 1.0, "mg/dL")
            .num(date, "ferritin", 300.0, "ng/mL")
            .build();
        grade_course_only(&c, &GradingConfig::default(), &[Criterion::Hematotox])
            .item("car_hematotox")
            .expect("item")
            .clone()
    };
    let h = with_labs("2024-02-11");
    assert_eq!(h.status, ItemStatus::Value, "{}", h.result);
    let h = with_labs("2024-02-10");
    assert_eq!(h.status, ItemStatus::InsufficientData, "{}", h.result);
    assert!(
        h.result
            .contains("ANC from 2024-02-11 to 2024-02-25 (latest 2024-02-10, before the window)"),
        "{}",
        h.result
    );
}

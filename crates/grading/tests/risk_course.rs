//! HCT-CI, refined DRI and EBMT score through the course format: every
//! row on both sides of its threshold, written as course JSON, read by the
//! real reader, converted to the long CSV and back (both must grade the
//! same), then graded by the engine.

use graftwatch_course::io::read_json_str;
use graftwatch_course::io_csv::{read_csv_str, to_csv_string};
use graftwatch_grading::output::{ItemStatus, SummaryItem};
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};
use serde_json::{Value, json};

const HCT: &str = "2024-06-01";

/// A course under construction (JSON).
#[derive(Clone)]
struct Case {
    patient: Value,
    donors: Vec<Value>,
    events: Vec<Value>,
    observations: Vec<Value>,
}

impl Case {
    /// A 45-year-old man with AML (normal karyotype) diagnosed 2024-01-01,
    /// a male HLA-identical sibling donor, HCT on 2024-06-01, no therapy.
    fn new() -> Case {
        Case {
            patient: json!({
                "id": "R-1", "sex": "male", "birth_year": 1979,
                "diagnosis": {"disease": "aml", "date": "2024-01-01",
                              "karyotype": {"iscn": "46,XY[20]", "abnormalities": []}}
            }),
            donors: vec![json!({"id": "D1", "relationship": "matched_sibling", "sex": "male"})],
            events: vec![
                json!({"date": HCT, "kind": "graft_infusion", "source": "pbsc", "donor": "D1"}),
            ],
            observations: vec![],
        }
    }
    fn set(mut self, key: &str, v: Value) -> Case {
        self.patient[key] = v;
        self
    }
    fn codes(self, c: &[&str]) -> Case {
        self.set("comorbidities", json!(c))
    }
    fn diagnosis(mut self, disease: &str, date: &str) -> Case {
        self.patient["diagnosis"] = json!({"disease": disease, "date": date});
        self
    }
    fn karyotype(mut self, iscn: &str, abn: Value) -> Case {
        self.patient["diagnosis"]["karyotype"] = json!({"iscn": iscn, "abnormalities": abn});
        self
    }
    fn donor(mut self, rel: &str, sex: &str) -> Case {
        self.donors[0] = json!({"id": "D1", "relationship": rel, "sex": sex});
        self
    }
    fn event(mut self, e: Value) -> Case {
        self.events.push(e);
        self
    }
    fn chemo(self, date: &str) -> Case {
        self.event(json!({"date": date, "kind": "chemotherapy", "regimen": "7+3"}))
    }
    fn num(mut self, date: &str, kind: &str, v: f64, unit: &str) -> Case {
        self.observations
            .push(json!({"date": date, "kind": kind, "value": v, "unit": unit}));
        self
    }
    fn cat(mut self, date: &str, kind: &str, v: &str) -> Case {
        self.observations
            .push(json!({"date": date, "kind": kind, "value": v}));
        self
    }
    /// A marrow with blood blasts 0, no EMD, ANC 2.0 and platelets 150.
    fn marrow(mut self, date: &str, blasts: f64) -> Case {
        for (k, v, u) in [
            ("marrow_blasts", blasts, "%"),
            ("pb_blasts", 0.0, "%"),
            ("anc", 2.0, "10^9/L"),
            ("platelets", 150.0, "10^9/L"),
        ] {
            self = self.num(date, k, v, u);
        }
        self.observations
            .push(json!({"date": date, "kind": "extramedullary_disease", "value": false}));
        self
    }
    fn json(&self) -> String {
        json!({"format": "graftwatch-course/1", "patient": self.patient, "donors": self.donors,
               "events": self.events, "observations": self.observations})
        .to_string()
    }
}

/// Grades the risk criteria of a case read from JSON, and checks that its
/// long-CSV form grades identically.
fn grade_with(c: &Case, cfg: &GradingConfig) -> Vec<SummaryItem> {
    let p = std::path::Path::new("case.json");
    let course = match read_json_str(&c.json(), p) {
        Ok(l) => l.course,
        Err(e) => panic!("case invalid: {e}\n{}", c.json()),
    };
    let csv = to_csv_string(&course);
    let back = read_csv_str(&csv, std::path::Path::new("case.csv"))
        .unwrap_or_else(|e| panic!("CSV round trip: {e}\n{csv}"))
        .course;
    let g = grade_course_only(&course, cfg, &[Criterion::Risk]);
    let g2 = grade_course_only(&back, cfg, &[Criterion::Risk]);
    let a = serde_json::to_value(&g.summary).unwrap();
    let b = serde_json::to_value(&g2.summary).unwrap();
    assert_eq!(a, b, "JSON and CSV forms grade differently");
    g.summary
}

fn grade(c: &Case) -> Vec<SummaryItem> {
    grade_with(c, &GradingConfig::default())
}

fn item<'a>(g: &'a [SummaryItem], name: &str) -> &'a SummaryItem {
    g.iter().find(|i| i.item == name).expect(name)
}

fn value(g: &[SummaryItem], name: &str) -> Value {
    let i = item(g, name);
    assert_eq!(
        i.status,
        ItemStatus::Value,
        "{name}: {} {:?}",
        i.result,
        i.missing
    );
    i.value.clone().unwrap()
}

fn hct_ci(c: &Case) -> u64 {
    value(&grade(c), "hct_ci")["score"].as_u64().unwrap()
}

fn flag<'a>(i: &'a SummaryItem, code: &str) -> Option<&'a str> {
    i.explanation
        .flags
        .iter()
        .find(|f| f.code == code)
        .map(|f| f.text.as_str())
}

// ---------------------------------------------------------------- HCT-CI

#[test]
fn hct_ci_without_any_record_is_zero_never_insufficient() {
    let g = grade(&Case::new());
    let h = item(&g, "hct_ci");
    assert_eq!(h.status, ItemStatus::Value, "{}", h.result);
    assert!(!h.result.contains("insufficient"), "{}", h.result);
    assert_eq!(h.value.as_ref().unwrap()["score"], 0);
    let nm = flag(h, "HCTCI-not-measured").expect("not measured flag");
    for w in ["LVEF", "FEV1/DLco", "bilirubin", "creatinine", "BMI"] {
        assert!(nm.contains(w), "{nm}");
    }
    assert!(flag(h, "GW-COMORB").is_some());
}

#[test]
fn hct_ci_every_coded_item_scores_its_weight() {
    let rows: &[(&str, &str, u64)] = &[
        ("arrhythmia", "arrhythmia", 1),
        ("cardiac", "cardiac", 1),
        (
            "inflammatory_bowel_disease",
            "inflammatory bowel disease",
            1,
        ),
        ("diabetes", "diabetes", 1),
        ("cerebrovascular", "cerebrovascular", 1),
        ("psychiatric", "psychiatric", 1),
        ("chronic_hepatitis", "hepatic, mild", 1),
        ("obesity", "obesity", 1),
        ("infection", "infection", 1),
        ("rheumatologic", "rheumatologic", 2),
        ("peptic_ulcer", "peptic ulcer", 2),
        ("dialysis", "renal, moderate/severe", 2),
        ("prior_renal_transplant", "renal, moderate/severe", 2),
        ("dyspnea_slight_activity", "pulmonary, moderate", 2),
        ("prior_solid_tumor", "prior solid tumor", 3),
        ("heart_valve_disease", "heart valve disease", 3),
        ("dyspnea_at_rest", "pulmonary, severe", 3),
        ("cirrhosis", "hepatic, moderate/severe", 3),
    ];
    for (code, name, pts) in rows {
        let v = value(&grade(&Case::new().codes(&[code])), "hct_ci");
        assert_eq!(v["score"].as_u64(), Some(*pts), "{code}: {v}");
        let it = &v["items"][0];
        assert_eq!(it["item"], *name, "{code}: {v}");
        assert!(
            it["basis"].as_str().unwrap().contains(code),
            "{code}: the point names the code: {v}"
        );
    }
    // spellings: British and spaces are accepted; unknown codes are named
    assert_eq!(hct_ci(&Case::new().codes(&["Dyspnoea at rest"])), 3);
    let g = grade(&Case::new().codes(&["gout"]));
    let h = item(&g, "hct_ci");
    assert!(flag(h, "GW-COMORB-UNKNOWN").unwrap().contains("gout"));
}

#[test]
fn hct_ci_hepatic_labs_against_uln_both_sides() {
    let bili = |v: f64| hct_ci(&Case::new().num("2024-05-20", "bilirubin", v, "mg/dL"));
    // default ULN 1.2 mg/dL: > ULN mild, > 1.5 x ULN (1.8) moderate/severe
    assert_eq!(bili(1.2), 0);
    assert_eq!(bili(1.21), 1);
    assert_eq!(bili(1.8), 1);
    assert_eq!(bili(1.81), 3);
    let ast = |v: f64| hct_ci(&Case::new().num("2024-05-20", "ast", v, "U/L"));
    assert_eq!(ast(40.0), 0);
    assert_eq!(ast(41.0), 1);
    assert_eq!(ast(100.0), 1);
    assert_eq!(ast(101.0), 3);
    let alt = |v: f64| hct_ci(&Case::new().num("2024-05-20", "alt", v, "U/L"));
    assert_eq!(alt(100.0), 1);
    assert_eq!(alt(100.5), 3);
    // the patient's own ULN
    let c = Case::new()
        .set(
            "lab_reference",
            json!({"bilirubin_uln_mg_dl": 1.0, "alt_uln": 50.0, "ast_uln": 50.0, "alp_uln": 120.0}),
        )
        .num("2024-05-20", "ast", 45.0, "U/L");
    assert_eq!(hct_ci(&c), 0);
    // hepatitis + bilirubin 2 x ULN: the higher tier, not the sum
    let c = Case::new()
        .codes(&["chronic_hepatitis"])
        .num("2024-05-20", "bilirubin", 2.4, "mg/dL");
    let v = value(&grade(&c), "hct_ci");
    assert_eq!(v["score"], 3, "{v}");
    assert_eq!(v["items"][0]["date"], "2024-05-20", "{v}");
    assert!(
        v["items"][0]["basis"]
            .as_str()
            .unwrap()
            .contains("bilirubin")
    );
    // a lab older than 60 days is not used: not measured
    assert_eq!(
        hct_ci(&Case::new().num("2024-03-01", "bilirubin", 3.0, "mg/dL")),
        0
    );
}

/// HCT-CI describes the pre-transplant state (Sorror 2005): labs count
/// only when dated before the start of conditioning (else before day 0),
/// in a window of the same length (60 days for labs).
#[test]
fn hctci_uses_values_from_before_conditioning() {
    let cond = json!({"date": "2024-05-22", "end_date": "2024-05-31", "kind": "conditioning",
                      "regimen": "BuCy", "intensity": "myeloablative", "agents": []});
    let ast = |date: &str, conditioning: bool| {
        let mut c = Case::new().num(date, "ast", 60.0, "U/L");
        if conditioning {
            c = c.event(cond.clone());
        }
        hct_ci(&c)
    };
    // with conditioning from 2024-05-22: the day before counts, the first
    // day of conditioning and day 0 do not
    assert_eq!(ast("2024-05-21", true), 1);
    assert_eq!(ast("2024-05-22", true), 0);
    assert_eq!(ast(HCT, true), 0);
    // the window keeps its length: 60 days before the start of conditioning
    assert_eq!(ast("2024-03-23", true), 1, "60 days before 2024-05-22");
    assert_eq!(ast("2024-03-22", true), 0, "61 days before");
    // no conditioning recorded: before day 0
    assert_eq!(ast("2024-05-31", false), 1);
    assert_eq!(ast(HCT, false), 0);
    // a pre-conditioning value is used even when a later one is higher
    let c = Case::new()
        .event(cond.clone())
        .num("2024-05-15", "ast", 30.0, "U/L")
        .num("2024-05-25", "ast", 200.0, "U/L");
    assert_eq!(hct_ci(&c), 0);
    // the flag says which day the values must precede, the why names the items
    let c = Case::new()
        .event(cond)
        .codes(&["infection"])
        .num("2024-05-20", "ast", 52.0, "U/L");
    let g = grade(&c);
    let h = item(&g, "hct_ci");
    let f = flag(h, "GW-COMORB").unwrap();
    assert!(
        f.contains("60 days before the start of conditioning (2024-05-22)"),
        "{f}"
    );
    assert_eq!(
        h.explanation.reason,
        "HCT-CI 2: infection 1, hepatic mild 1 (AST/ALT 1.30 × ULN on 2024-05-20): intermediate risk"
    );
    let g = grade(&Case::new());
    let f = flag(item(&g, "hct_ci"), "GW-COMORB").unwrap().to_string();
    assert!(
        f.contains("before day 0 (2024-06-01; no conditioning recorded)"),
        "{f}"
    );
    assert_eq!(
        item(&g, "hct_ci").explanation.reason,
        "HCT-CI 0: no item scored: low risk"
    );
}

#[test]
fn hct_ci_renal_creatinine_both_sides_and_units() {
    let cr = |v: f64, u: &str| hct_ci(&Case::new().num("2024-05-25", "creatinine", v, u));
    assert_eq!(cr(2.0, "mg/dL"), 0);
    assert_eq!(cr(2.01, "mg/dL"), 2);
    assert_eq!(cr(176.0, "umol/L"), 0, "176 umol/L = 1.99 mg/dL");
    assert_eq!(cr(178.0, "umol/L"), 2, "178 umol/L = 2.01 mg/dL");
    // dialysis and a high creatinine: one renal item
    let c = Case::new()
        .codes(&["dialysis"])
        .num("2024-05-25", "creatinine", 4.0, "mg/dL");
    assert_eq!(hct_ci(&c), 2);
}

#[test]
fn hct_ci_pulmonary_pft_bands_rounding_and_dyspnoea() {
    let f = |k: &str, v: f64| hct_ci(&Case::new().num("2024-04-01", k, v, "%"));
    assert_eq!(f("fev1_percent", 81.0), 0);
    assert_eq!(f("fev1_percent", 80.0), 2);
    assert_eq!(f("fev1_percent", 66.0), 2);
    assert_eq!(f("fev1_percent", 65.0), 3);
    assert_eq!(f("dlco_percent", 80.5), 0, "80.5 rounds to 81");
    assert_eq!(f("dlco_percent", 65.5), 2, "65.5 rounds to 66");
    assert_eq!(f("dlco_percent", 65.4), 3);
    // moderate PFT + dyspnoea at rest: 3, not 5
    let c = Case::new()
        .codes(&["dyspnea_at_rest"])
        .num("2024-04-01", "fev1_percent", 70.0, "%");
    assert_eq!(hct_ci(&c), 3);
    // severe PFT names the test and its date
    let v = value(
        &grade(&Case::new().num("2024-04-01", "dlco_percent", 60.0, "%")),
        "hct_ci",
    );
    assert_eq!(v["items"][0]["date"], "2024-04-01");
    assert!(v["items"][0]["basis"].as_str().unwrap().contains("DLco 60"));
    // a test older than a year is not used
    assert_eq!(f("fev1_percent", 50.0), 3);
    assert_eq!(
        hct_ci(&Case::new().num("2023-05-01", "fev1_percent", 50.0, "%")),
        0
    );
}

#[test]
fn hct_ci_cardiac_lvef_both_sides_and_valve_adds() {
    let ef = |v: f64| hct_ci(&Case::new().num("2024-05-10", "lvef", v, "%"));
    assert_eq!(ef(51.0), 0);
    assert_eq!(ef(50.0), 1);
    // coded cardiac + low LVEF: one cardiac point; valve disease adds 3
    let c =
        Case::new()
            .codes(&["cardiac", "heart_valve_disease"])
            .num("2024-05-10", "lvef", 40.0, "%");
    assert_eq!(hct_ci(&c), 4);
    let v = value(
        &grade(&Case::new().num("2024-05-10", "lvef", 45.0, "%")),
        "hct_ci",
    );
    assert!(v["items"][0]["basis"].as_str().unwrap().contains("LVEF 45"));
    assert_eq!(v["items"][0]["date"], "2024-05-10");
}

#[test]
fn hct_ci_obesity_bmi_coded_and_child_bmi_for_age() {
    let adult = |w: f64| {
        hct_ci(
            &Case::new()
                .set("height_cm", json!(170.0))
                .num("2024-05-20", "weight", w, "kg"),
        )
    };
    assert_eq!(adult(101.15), 0, "BMI 35.0 is not > 35");
    assert_eq!(adult(101.5), 1, "BMI 35.1");
    // coded obesity scores whatever the BMI (the code was never turned into BMI 35.0)
    let c = Case::new()
        .codes(&["obesity"])
        .set("height_cm", json!(170.0))
        .num("2024-05-20", "weight", 80.0, "kg");
    assert_eq!(hct_ci(&c), 1);
    // a 10-year-old boy (born 2014): BMI-for-age against CDC 2000
    let child = |w: f64| {
        Case::new()
            .set("birth_year", json!(2014))
            .set("height_cm", json!(140.0))
            .num("2024-05-20", "weight", w, "kg")
    };
    let obese = child(50.0); // BMI 25.5, above the 95th percentile (~23.5) at 10 y
    let g = grade(&obese);
    assert_eq!(value(&g, "hct_ci")["score"], 1);
    assert!(
        flag(item(&g, "hct_ci"), "HCTCI-child")
            .unwrap()
            .contains("CDC 2000")
    );
    assert_eq!(
        hct_ci(&child(40.0)),
        0,
        "BMI 20.4 below the 95th percentile"
    );
    // a child coded obese scores even without a BMI
    assert_eq!(
        hct_ci(
            &Case::new()
                .set("birth_year", json!(2014))
                .codes(&["obesity"])
        ),
        1
    );
}

#[test]
fn hct_ci_infection_event_on_day0_and_age_composite() {
    let inf = |end: Option<&str>| {
        let mut e = json!({"date": "2024-05-10", "kind": "infection", "syndrome": "pneumonia"});
        if let Some(end) = end {
            e["end_date"] = json!(end);
        }
        hct_ci(&Case::new().event(e))
    };
    assert_eq!(inf(None), 1, "ongoing on day 0");
    assert_eq!(inf(Some("2024-06-05")), 1);
    assert_eq!(inf(Some("2024-05-25")), 0, "resolved before day 0");
    // HCT-CI/age: +1 at 40, not at 39; groups
    let age = |by: i32| value(&grade(&Case::new().set("birth_year", json!(by))), "hct_ci");
    assert_eq!(age(1985)["with_age"], 0, "39 years");
    assert_eq!(age(1984)["with_age"], 1, "40 years");
    let v = value(
        &grade(&Case::new().codes(&["prior_solid_tumor", "diabetes"])),
        "hct_ci",
    );
    assert_eq!(
        (
            v["score"].as_u64(),
            v["risk"].as_str(),
            v["with_age"].as_u64()
        ),
        (Some(4), Some("high"), Some(5))
    );
    assert_eq!(v["with_age_group"], ">=5");
    let v = value(&grade(&Case::new().codes(&["diabetes"])), "hct_ci");
    assert_eq!(v["risk"], "intermediate");
    let v = value(&grade(&Case::new()), "hct_ci");
    assert_eq!(v["risk"], "low");
}

// ---------------------------------------------------------------- status, DRI, EBMT

fn dri(c: &Case) -> (String, String, String) {
    let v = value(&grade(c), "refined_dri");
    (
        v["group"].as_str().unwrap().to_string(),
        v["disease"].as_str().unwrap().to_string(),
        v["stage"].as_str().unwrap().to_string(),
    )
}

fn ebmt(c: &Case) -> Value {
    value(&grade(c), "ebmt_score")
}

fn aml_cr1() -> Case {
    Case::new()
        .marrow("2024-01-01", 60.0)
        .chemo("2024-01-03")
        .marrow("2024-02-05", 2.0)
}

fn abn(n: usize) -> Value {
    json!(
        (0..n)
            .map(|i| json!({"kind": "other_structural", "iscn": format!("add({}q)", i + 1)}))
            .collect::<Vec<_>>()
    )
}

#[test]
fn aml_cytogenetics_by_the_dri_rules_not_eln() {
    let t821 = aml_cr1().karyotype(
        "46,XY,t(8;21)(q22;q22)",
        json!([{"kind": "translocation", "iscn": "t(8;21)(q22;q22)"}]),
    );
    assert_eq!(
        dri(&t821),
        ("low".into(), "aml_favorable".into(), "cr".into())
    );
    assert_eq!(dri(&aml_cr1()).1, "aml_intermediate");
    // 3 abnormalities: complex for ELN, not for the DRI
    let three = aml_cr1().karyotype("x", abn(3));
    assert_eq!(dri(&three).0, "intermediate");
    let four = aml_cr1().karyotype("x", abn(4));
    assert_eq!(
        dri(&four),
        ("high".into(), "aml_adverse".into(), "cr".into())
    );
    // -7 alone is ELN adverse but DRI intermediate
    let m7 = aml_cr1().karyotype(
        "45,XY,-7",
        json!([{"kind": "monosomy", "iscn": "-7", "chromosome": "7"}]),
    );
    assert_eq!(dri(&m7).1, "aml_intermediate");
    // no karyotype: the missing item is named
    let mut nok = aml_cr1();
    nok.patient["diagnosis"] = json!({"disease": "aml", "date": "2024-01-01"});
    let g = grade(&nok);
    let d = item(&g, "refined_dri");
    assert_eq!(d.status, ItemStatus::InsufficientData);
    assert!(d.missing[0].contains("karyotype"), "{:?}", d.missing);
}

#[test]
fn aml_stage_from_the_marrow_history() {
    // CR1 -> DRI low stage, EBMT early, time 0 even after 12 months
    let e = ebmt(&aml_cr1());
    assert_eq!(
        (e["stage"].as_u64(), e["time"].as_u64()),
        (Some(0), Some(0))
    );
    // CR, relapse, CR = CR2: intermediate
    let cr2 = aml_cr1()
        .marrow("2024-03-10", 30.0)
        .chemo("2024-03-12")
        .marrow("2024-04-20", 1.0);
    assert_eq!(dri(&cr2).2, "cr");
    assert_eq!(ebmt(&cr2)["stage"], 1);
    let cr3 = cr2
        .clone()
        .marrow("2024-05-01", 20.0)
        .marrow("2024-05-20", 3.0);
    assert_eq!(ebmt(&cr3)["stage"], 2, "CR3 = late");
    // relapse at HCT
    let rel = aml_cr1().marrow("2024-05-01", 30.0);
    assert_eq!(
        dri(&rel),
        (
            "high".into(),
            "aml_intermediate".into(),
            "active_relapse".into()
        )
    );
    assert_eq!(ebmt(&rel)["stage"], 2);
    // never in CR: induction failure
    let pif = Case::new()
        .marrow("2024-01-01", 60.0)
        .chemo("2024-01-03")
        .marrow("2024-02-05", 40.0);
    assert_eq!(dri(&pif).2, "induction_failure");
    // PR from the diagnostic marrow: 60 % -> 20 % with recovered counts
    let pr = Case::new()
        .marrow("2024-01-01", 60.0)
        .chemo("2024-01-03")
        .marrow("2024-02-05", 20.0);
    assert_eq!(
        dri(&pr),
        (
            "intermediate".into(),
            "aml_intermediate".into(),
            "pr".into()
        )
    );
    assert_eq!(ebmt(&pr)["stage"], 2, "acute leukaemia in PR = late");
    // 60 % -> 35 %: not PR
    let nr = Case::new()
        .marrow("2024-01-01", 60.0)
        .chemo("2024-01-03")
        .marrow("2024-02-05", 35.0);
    assert_eq!(dri(&nr).2, "induction_failure");
}

#[test]
fn mds_untreated_pr_and_cytogenetics() {
    let mds = |c: Case| {
        let mut c = c;
        c.patient["diagnosis"] = json!({"disease": "mds", "date": "2024-01-01",
            "karyotype": {"iscn": "46,XY[20]", "abnormalities": []}});
        c
    };
    // untreated, cytopenic marrow with 8 % blasts: untreated, not induction failure
    let u = mds(Case::new()
        .marrow("2024-01-01", 8.0)
        .marrow("2024-05-01", 9.0));
    assert_eq!(
        dri(&u),
        (
            "intermediate".into(),
            "mds_intermediate".into(),
            "untreated".into()
        )
    );
    assert_eq!(ebmt(&u)["stage"], 0, "untreated MDS = early");
    // treated MDS in PR: DRI low stage, EBMT intermediate
    let drug = json!({"date": "2024-01-10", "end_date": "2024-04-01", "kind": "drug",
                      "name": "azacitidine", "class": "anti_leukemic"});
    let pr = mds(Case::new()
        .marrow("2024-01-01", 14.0)
        .event(drug.clone())
        .marrow("2024-04-20", 6.0));
    assert_eq!(dri(&pr).2, "pr");
    assert_eq!(ebmt(&pr)["stage"], 1, "MDS in PR = intermediate");
    let cr = mds(Case::new()
        .marrow("2024-01-01", 14.0)
        .event(drug.clone())
        .marrow("2024-04-20", 2.0));
    assert_eq!(ebmt(&cr)["stage"], 0, "MDS CR1 = early");
    let fail = mds(Case::new()
        .marrow("2024-01-01", 14.0)
        .event(drug)
        .marrow("2024-04-20", 13.0));
    assert_eq!(dri(&fail).2, "induction_failure");
    assert_eq!(ebmt(&fail)["stage"], 2);
    // MDS complex >= 4 adverse; 3 intermediate; -7 by option
    assert_eq!(dri(&u.clone().karyotype("x", abn(4))).1, "mds_adverse");
    assert_eq!(dri(&u.clone().karyotype("x", abn(3))).1, "mds_intermediate");
    let m7 = u.karyotype(
        "45,XY,-7",
        json!([{"kind": "monosomy", "iscn": "-7", "chromosome": "7"}]),
    );
    let g = grade(&m7);
    assert_eq!(value(&g, "refined_dri")["disease"], "mds_intermediate");
    assert!(flag(item(&g, "refined_dri"), "DRI-MDS-7").is_some());
    let mut cfg = GradingConfig::default();
    cfg.risk.dri.mds_chromosome7_adverse = true;
    assert_eq!(
        value(&grade_with(&m7, &cfg), "refined_dri")["disease"],
        "mds_adverse"
    );
}

#[test]
fn cml_phases_for_dri_and_ebmt() {
    let cml = |phases: &[(&str, &str)]| {
        let mut c = Case::new().diagnosis("cml", "2024-01-01");
        for (d, p) in phases {
            c = c.cat(d, "cml_phase", p);
        }
        c
    };
    let cp1 = cml(&[("2024-01-01", "chronic")]);
    assert_eq!(
        dri(&cp1),
        ("low".into(), "cml".into(), "cml_chronic_phase".into())
    );
    assert_eq!(ebmt(&cp1)["stage"], 0);
    let ap = cml(&[("2024-01-01", "chronic"), ("2024-04-01", "accelerated")]);
    assert_eq!(dri(&ap).0, "intermediate");
    assert_eq!(ebmt(&ap)["stage"], 1);
    let bp = cml(&[("2024-04-01", "blast")]);
    assert_eq!(dri(&bp).2, "cml_advanced_phase");
    assert_eq!(ebmt(&bp)["stage"], 2);
    let cp2 = cml(&[("2024-02-01", "blast"), ("2024-05-01", "chronic")]);
    assert_eq!(
        ebmt(&cp2)["stage"],
        1,
        "second chronic phase = intermediate"
    );
    let g = grade(&cml(&[]));
    assert!(item(&g, "refined_dri").missing[0].contains("cml_phase"));
}

#[test]
fn lymphoma_response_and_chemosensitivity() {
    let lym = |disease: &str, resp: &[(&str, &str)]| {
        let mut c = Case::new()
            .diagnosis(disease, "2023-01-01")
            .chemo("2023-01-10");
        for (d, r) in resp {
            c = c.cat(d, "lymphoma_response", r);
        }
        c
    };
    let cr = lym("dlbcl", &[("2023-05-01", "cr")]);
    assert_eq!(
        dri(&cr),
        ("intermediate".into(), "dlbcl".into(), "cr".into())
    );
    assert_eq!(ebmt(&cr)["stage"], 0);
    let pr = lym("hodgkin_lymphoma", &[("2023-05-01", "pr")]);
    assert_eq!(
        dri(&pr),
        ("intermediate".into(), "hodgkin".into(), "pr".into())
    );
    assert_eq!(ebmt(&pr)["stage"], 1);
    let sd = lym("dlbcl", &[("2023-05-01", "stable_disease")]);
    assert_eq!(
        dri(&sd),
        ("high".into(), "dlbcl".into(), "induction_failure".into())
    );
    assert_eq!(
        ebmt(&sd)["stage"],
        1,
        "stable disease = intermediate for EBMT"
    );
    let pd = lym(
        "mantle_cell_lymphoma",
        &[("2023-05-01", "cr"), ("2024-03-01", "progressive_disease")],
    );
    assert_eq!(
        dri(&pd),
        ("high".into(), "mantle_cell".into(), "active_relapse".into())
    );
    assert_eq!(ebmt(&pd)["stage"], 2);
    let cr2 = lym(
        "indolent_b_nhl",
        &[
            ("2023-05-01", "cr"),
            ("2023-09-01", "progressive_disease"),
            ("2024-03-01", "cr"),
        ],
    );
    assert_eq!(dri(&cr2).0, "low");
    assert_eq!(ebmt(&cr2)["stage"], 1, "CR2");
    assert_eq!(
        dri(&lym("t_cell_lymphoma_extranodal", &[("2023-05-01", "cr")])).0,
        "high"
    );
    assert_eq!(
        dri(&lym("t_cell_lymphoma_nodal", &[("2023-05-01", "cr")])).0,
        "intermediate"
    );
    assert_eq!(dri(&lym("cll", &[("2023-05-01", "pr")])).0, "low");
    // untreated lymphoma: untreated / early
    let u = Case::new().diagnosis("cll", "2024-01-01");
    assert_eq!(dri(&u).2, "untreated");
    assert_eq!(ebmt(&u)["stage"], 0);
    // treated without a response record: named as missing
    let g = grade(&lym("dlbcl", &[]));
    assert!(item(&g, "refined_dri").missing[0].contains("lymphoma_response"));
}

#[test]
fn all_in_cr1_and_other_disease() {
    let all = Case::new()
        .diagnosis("all", "2024-01-01")
        .marrow("2024-01-01", 80.0)
        .chemo("2024-01-03")
        .marrow("2024-02-05", 1.0);
    assert_eq!(
        dri(&all),
        ("intermediate".into(), "all".into(), "cr".into())
    );
    let g = grade(&Case::new().diagnosis("other", "2024-01-01"));
    assert_eq!(item(&g, "refined_dri").status, ItemStatus::InsufficientData);
    assert_eq!(item(&g, "ebmt_score").status, ItemStatus::InsufficientData);
}

#[test]
fn ebmt_age_bands_both_sides() {
    // HCT in 2024: age = 2024 - birth year
    let age = |by: i32| ebmt(&aml_cr1().set("birth_year", json!(by)))["age"].as_u64();
    assert_eq!(age(2005), Some(0), "19");
    assert_eq!(age(2004), Some(1), "20");
    assert_eq!(age(1984), Some(1), "40");
    assert_eq!(age(1983), Some(2), "41");
}

#[test]
fn ebmt_time_from_diagnosis_both_sides() {
    // not in CR1 (relapse at HCT), diagnosis n months before 2024-06-01
    let t = |dx: &str| {
        let c = Case::new()
            .diagnosis("aml", dx)
            .karyotype("46,XY[20]", json!([]))
            .marrow(dx, 50.0)
            .chemo(dx)
            .marrow("2024-05-01", 40.0);
        ebmt(&c)
    };
    assert_eq!(t("2023-06-02")["time"], 0, "11 whole months");
    assert_eq!(t("2023-06-01")["time"], 1, "12 whole months");
    assert_eq!(t("2023-05-01")["time"], 1, "13 whole months");
    let g = grade(
        &Case::new()
            .diagnosis("aml", "2023-06-01")
            .karyotype("46,XY[20]", json!([]))
            .marrow("2023-06-01", 50.0)
            .chemo("2023-06-01")
            .marrow("2024-05-01", 40.0),
    );
    assert!(flag(item(&g, "ebmt_score"), "EBMT-12m").is_some());
    let mut cfg = GradingConfig::default();
    cfg.risk.ebmt.twelve_months = graftwatch_criteria::ebmt_score::EbmtTwelveMonths::ScoresZero;
    let c = Case::new()
        .diagnosis("aml", "2023-06-01")
        .karyotype("46,XY[20]", json!([]))
        .marrow("2023-06-01", 50.0)
        .chemo("2023-06-01")
        .marrow("2024-05-01", 40.0);
    assert_eq!(value(&grade_with(&c, &cfg), "ebmt_score")["time"], 0);
    // CR1 after 2 years: 0
    let cr1 = Case::new()
        .diagnosis("aml", "2022-01-01")
        .karyotype("46,XY[20]", json!([]))
        .marrow("2022-01-01", 50.0)
        .chemo("2022-01-02")
        .marrow("2022-02-15", 1.0);
    assert_eq!(ebmt(&cr1)["time"], 0);
}

#[test]
fn ebmt_donor_type_and_sex_both_sides() {
    let d = |rel: &str, sex: &str| ebmt(&aml_cr1().donor(rel, sex));
    assert_eq!(d("matched_sibling", "male")["donor"], 0);
    let twin = grade(&aml_cr1().donor("syngeneic", "male"));
    assert_eq!(value(&twin, "ebmt_score")["donor"], 0);
    assert!(flag(item(&twin, "ebmt_score"), "EBMT-twin").is_some());
    assert_eq!(d("matched_unrelated", "male")["donor"], 1);
    assert_eq!(d("mismatched_unrelated", "male")["donor"], 1);
    assert_eq!(d("matched_related", "male")["donor"], 1);
    assert_eq!(d("haploidentical", "male")["donor"], 1);
    assert_eq!(d("unrelated_cord", "male")["donor"], 1);
    // female donor to male recipient = 1; other combinations 0
    assert_eq!(d("matched_sibling", "female")["sex"], 1);
    let f = aml_cr1().set("sex", json!("female"));
    assert_eq!(ebmt(&f.clone().donor("matched_sibling", "male"))["sex"], 0);
    assert_eq!(ebmt(&f.donor("matched_sibling", "female"))["sex"], 0);
    // unknown donor sex: named, with the partial score
    let mut c = aml_cr1();
    c.donors[0] = json!({"id": "D1", "relationship": "matched_sibling"});
    let g = grade(&c);
    let e = item(&g, "ebmt_score");
    assert_eq!(e.status, ItemStatus::InsufficientData);
    assert!(
        e.missing.iter().any(|m| m.contains("sex")),
        "{:?}",
        e.missing
    );
    // components carry their basis
    let v = ebmt(&aml_cr1().donor("matched_unrelated", "female"));
    let comps = v["components"].as_array().unwrap();
    assert_eq!(comps.len(), 5);
    let total: u64 = comps.iter().map(|c| c["points"].as_u64().unwrap()).sum();
    assert_eq!(v["score"].as_u64(), Some(total));
    // age 45 -> 2, CR1 -> 0, CR1 -> time 0, unrelated -> 1, female -> male -> 1
    assert_eq!(total, 4, "{v}");
}

#[test]
fn history_without_therapy_events() {
    // AML remission marrow but no chemotherapy recorded: CR1, flagged
    let c = Case::new()
        .marrow("2024-01-01", 60.0)
        .marrow("2024-02-05", 2.0);
    let g = grade(&c);
    assert_eq!(value(&g, "ebmt_score")["stage"], 0);
    assert_eq!(value(&g, "refined_dri")["stage"], "cr");
    assert!(flag(item(&g, "ebmt_score"), "GW-STAGE-NO-THERAPY").is_some());
    // AML with no marrow after diagnosis and no therapy: untreated, late for EBMT
    let u = Case::new().marrow("2024-01-01", 60.0);
    assert_eq!(dri(&u).2, "untreated");
    assert_eq!(ebmt(&u)["stage"], 2);
    // MDS remission without a recorded drug: CR1 (early), not untreated
    let mut m = Case::new()
        .marrow("2024-01-01", 12.0)
        .marrow("2024-04-01", 2.0);
    m.patient["diagnosis"] = json!({"disease": "mds", "date": "2024-01-01",
        "karyotype": {"iscn": "46,XY[20]", "abnormalities": []}});
    assert_eq!(dri(&m).2, "cr");
    assert_eq!(ebmt(&m)["stage"], 0);
}

/// AML or ALL with neither a therapy nor any marrow up to HCT is not
/// taken as untreated (an absent record scored the EBMT stage 2
/// points, "late: untreated"): the status is missing, for the EBMT score
/// and the refined DRI alike; MDS without therapy stays untreated (early).
#[test]
fn no_therapy_and_no_marrow_is_missing_status_not_untreated() {
    for disease in ["aml", "all"] {
        let c = Case::new().diagnosis(disease, "2024-01-01");
        let g = grade(&c);
        for key in ["ebmt_score", "refined_dri"] {
            let i = item(&g, key);
            assert_eq!(
                i.status,
                ItemStatus::InsufficientData,
                "{disease} {key}: {}",
                i.result
            );
            assert!(
                i.result
                    .contains("no therapy and no marrow assessment recorded from diagnosis"),
                "{disease} {key}: {}",
                i.result
            );
        }
    }
    let mds = Case::new().diagnosis("mds", "2024-01-01");
    assert_eq!(ebmt(&mds)["stage"], 0, "untreated MDS = early");
    // A marrow after the diagnosis tells the status without a therapy.
    let with_marrow = Case::new().marrow("2024-05-01", 40.0);
    assert_eq!(
        item(&grade(&with_marrow), "ebmt_score").status,
        ItemStatus::Value
    );
}

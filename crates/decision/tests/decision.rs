use std::path::Path;

use graftwatch_course::io::read_json_str;
use graftwatch_criteria::dli::{DliConfig, DliSetting};
use graftwatch_decision::{GvhdStatus, assess_dli, graft_checks};

const COURSE: &str = r#"{
  "format": "graftwatch-course/1",
  "patient": {"id": "P1", "sex": "male", "birth_year": 1989,
    "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
  "donors": [{"id": "UCB-1", "relationship": "unrelated_cord", "hla_match": "5/8"},
             {"id": "PBSC-1", "relationship": "haploidentical", "hla_match": "5/10"}],
  "events": [
    {"date": "2024-03-01", "kind": "graft_infusion", "source": "ucb", "donor": "UCB-1", "tnc_per_kg": 2.1e7, "cd34_per_kg": 1.2e5},
    {"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1", "cd34_per_kg": 4.5e6, "cd3_per_kg": 1.5e8},
    {"date": "2024-02-28", "end_date": "2024-05-20", "kind": "drug", "name": "tacrolimus", "class": "immunosuppressant"},
    {"date": "2024-06-10", "kind": "dli", "donor": "PBSC-1", "cd3_per_kg": 1e5, "intent": "preemptive"}
  ],
  "observations": [
    {"date": "2024-04-15", "kind": "chimerism", "value": 2, "unit": "%", "lineage": "cd3", "person": "recipient"},
    {"date": "2024-04-15", "kind": "chimerism", "value": 98, "unit": "%", "lineage": "cd3", "person": "PBSC-1"},
    {"date": "2024-05-13", "kind": "chimerism", "value": 4, "unit": "%", "lineage": "cd3", "person": "recipient"},
    {"date": "2024-05-13", "kind": "chimerism", "value": 96, "unit": "%", "lineage": "cd3", "person": "PBSC-1"},
    {"date": "2024-06-05", "kind": "chimerism", "value": 7, "unit": "%", "lineage": "cd3", "person": "recipient"},
    {"date": "2024-06-05", "kind": "chimerism", "value": 93, "unit": "%", "lineage": "cd3", "person": "PBSC-1"}
  ]
}"#;

fn d(s: &str) -> graftwatch_core::Date {
    s.parse().unwrap()
}

#[test]
fn decision_trail_at_the_dli_date() {
    let c = read_json_str(COURSE, Path::new("t.json")).unwrap().course;
    let gvhd = GvhdStatus {
        agvhd_daily: vec![(d("2024-06-09"), 0)],
        cgvhd: vec![],
    };
    let a = assess_dli(&c, d("2024-06-10"), &gvhd, &DliConfig::default()).unwrap();
    assert!(a.criteria_met, "{}", a.summary);
    let met: Vec<&str> = a
        .triggers
        .iter()
        .filter(|t| t.met == Some(true))
        .map(|t| t.name.as_str())
        .collect();
    assert!(met.contains(&"mixed chimerism (cd3)"), "{met:?}");
    assert!(met.contains(&"rising recipient share (cd3)"), "{met:?}");
    assert_eq!(a.excluded_donors.len(), 1);
    assert_eq!(a.excluded_donors[0].0, "UCB-1");
    assert_eq!(a.plans[0].donor, "PBSC-1");
    assert_eq!(a.plans[0].setting, DliSetting::Preemptive);
    assert_eq!(a.plans[0].steps[0].cd3_per_kg, 1e5);
    // The DLI given that day is not counted as a previous one.
    assert!(
        !a.prerequisites
            .iter()
            .any(|p| p.name.contains("previous DLI"))
    );
}

#[test]
fn immunosuppression_blocks_until_stopped() {
    let c = read_json_str(COURSE, Path::new("t.json")).unwrap().course;
    let gvhd = GvhdStatus {
        agvhd_daily: vec![(d("2024-05-10"), 0)],
        cgvhd: vec![],
    };
    // On 2024-05-13 tacrolimus still runs (stop 2024-05-20 within 14 days: tapering),
    // but CD3 recipient 4 % is not mixed and only one rise: no trigger.
    let a = assess_dli(&c, d("2024-05-13"), &gvhd, &DliConfig::default()).unwrap();
    assert!(!a.criteria_met);
    assert!(a.summary.contains("no trigger"), "{}", a.summary);
    let is = a
        .prerequisites
        .iter()
        .find(|p| p.name.contains("immunosuppression"))
        .unwrap();
    assert!(is.reason.contains("tapering"), "{}", is.reason);
}

#[test]
fn graft_checks_flag_small_cord_unit() {
    let c = read_json_str(COURSE, Path::new("t.json")).unwrap().course;
    let r = graft_checks(&c, 1);
    let tnc = r.checks.iter().find(|k| k.what == "UCB-1 TNC/kg").unwrap();
    // Combined with a PBSC graft: 1.5e7 threshold, 2.1e7 meets it.
    assert_eq!(
        tnc.status,
        graftwatch_criteria::graft_dose::CheckStatus::Meets
    );
    let hla = r
        .checks
        .iter()
        .find(|k| k.what == "UCB-1 HLA match")
        .unwrap();
    assert_eq!(
        hla.status,
        graftwatch_criteria::graft_dose::CheckStatus::Below
    );
}

use std::path::Path;

use graftwatch_course::{ObservationKind, io::read_json_str};

const MINI: &str = r#"{
  "format": "graftwatch-course/1",
  "patient": {"id": "P1", "sex": "male", "birth_year": 1989,
    "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
  "donors": [{"id": "UCB-1", "relationship": "unrelated_cord", "hla_match": "5/8"},
             {"id": "PBSC-1", "relationship": "haploidentical"}],
  "events": [
    {"date": "2024-03-01", "kind": "graft_infusion", "source": "ucb", "donor": "UCB-1", "tnc_per_kg": 2.6e7},
    {"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1", "cd34_per_kg": 5e6},
    {"date": "2024-06-01", "kind": "dli", "donor": "PBSC-1", "cd3_per_kg": 1e5}
  ],
  "observations": [
    {"date": "2024-03-05", "kind": "anc", "value": 300, "unit": "/uL"},
    {"date": "2024-03-05", "kind": "bilirubin", "value": 34.2, "unit": "umol/L"},
    {"date": "2024-04-01", "kind": "chimerism", "value": 70, "unit": "%", "lineage": "cd3", "person": "UCB-1"},
    {"date": "2024-04-01", "kind": "chimerism", "value": 28, "unit": "%", "lineage": "cd3", "person": "PBSC-1"},
    {"date": "2024-04-01", "kind": "chimerism", "value": 2, "unit": "%", "lineage": "cd3", "person": "recipient"}
  ]
}"#;

#[test]
fn reads_minimal_course_and_converts_units() {
    let lc = read_json_str(MINI, Path::new("mini.json")).expect("valid");
    let c = lc.course;
    let anc = c
        .observations_of(ObservationKind::parse("anc").unwrap())
        .next()
        .unwrap();
    assert!((anc.number().unwrap() - 0.3).abs() < 1e-12);
    let bili = c.lab_series(graftwatch_core::Analyte::Bilirubin);
    assert!((bili[0].1 - 2.0).abs() < 1e-9);
    assert_eq!(c.anchors().len(), 2);
    assert_eq!(c.graft_sources(1).len(), 2);
}

#[test]
fn dli_before_transplant_is_an_error() {
    let bad = MINI.replace(
        "\"2024-06-01\", \"kind\": \"dli\"",
        "\"2024-02-01\", \"kind\": \"dli\"",
    );
    let e = read_json_str(&bad, Path::new("bad.json"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("$.events[2].date") && e.contains("out of order"),
        "{e}"
    );
}

#[test]
fn unknown_kind_lists_accepted() {
    let bad = MINI.replace("\"kind\": \"anc\"", "\"kind\": \"neutrofils\"");
    let e = read_json_str(&bad, Path::new("bad.json"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("neutrofils") && e.contains("platelets") && e.contains("observations[0]"),
        "{e}"
    );
}

//! `lower_gi_gvhd_diagnosis` (the day lower-GI acute GVHD was diagnosed,
//! MAGIC's onset stool rule, A-5): round-trips JSON ↔ CSV, and a bad value
//! is an error naming the file, the place, the value and the expectation.

mod common;

use std::path::Path;

use graftwatch_course::io::read_json_str;
use graftwatch_course::{ObservationKind, kind_label};
use serde_json::{Value, json};

fn doc(value: Value) -> Value {
    json!({
      "format": "graftwatch-course/1",
      "patient": {"id": "L1", "sex": "male", "birth_year": 1970,
        "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
      "donors": [{"id": "D1", "relationship": "matched_sibling"}],
      "events": [{"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "D1"}],
      "observations": [
        {"date": "2024-03-30", "kind": "stool_volume", "value": 1200, "unit": "mL"},
        {"date": "2024-03-30", "kind": "lower_gi_gvhd_diagnosis", "value": value}
      ]
    })
}

#[test]
fn round_trips_json_csv_json() {
    for v in ["clinical", "biopsy"] {
        let c = read_json_str(&doc(json!(v)).to_string(), Path::new("l.json"))
            .unwrap_or_else(|e| panic!("{e}"))
            .course;
        let o = c
            .observations_of(ObservationKind::LowerGiGvhdDiagnosis)
            .next()
            .expect("diagnosis record");
        assert_eq!(o.value.as_category(), Some(v));
        let csv = common::json_csv_json(&c, "l.csv");
        assert!(csv.contains("lower_gi_gvhd_diagnosis"), "{csv}");
    }
}

#[test]
fn bad_values_name_the_expectation() {
    for bad in [json!("yes"), json!(true), json!(3)] {
        let e = read_json_str(&doc(bad.clone()).to_string(), Path::new("bad.json"))
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"))
            .to_string();
        assert!(
            e.contains("bad.json") && e.contains("$.observations[1].value"),
            "{e}"
        );
        assert!(e.contains("clinical, biopsy"), "{e}");
    }
    let c = read_json_str(&doc(json!("biopsy")).to_string(), Path::new("l.json"))
        .unwrap()
        .course;
    let e = common::csv_error(&c, ",biopsy", ",endoscopy");
    assert!(
        e.contains("bad.csv") && e.contains("endoscopy") && e.contains("clinical, biopsy"),
        "{e}"
    );
}

#[test]
fn every_kind_has_one_clinical_label() {
    for k in ObservationKind::all() {
        let l = k.label();
        assert!(!l.is_empty() && !l.contains('_'), "{k}: '{l}'");
        assert_eq!(kind_label(k.as_str()), Some(l));
    }
    assert_eq!(kind_label("stool_volume"), Some("stool volume"));
    assert_eq!(kind_label("skin_rash_bsa"), Some("rash body surface area"));
    assert_eq!(kind_label("not_a_kind"), None);
}

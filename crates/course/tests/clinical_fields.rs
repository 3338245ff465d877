//! Issue 11 clinical additions to the course format: CRS hypotension
//! (fluid-responsive), hypoxia, fluid boluses, per-finding attribution on
//! CRS findings, and the MAGIC biomarkers in ng/mL or pg/mL (TNFR1
//! included). Round trip JSON ↔ CSV ↔ JSON; bad values name the file, the
//! place, the field, the value and the expectation.

mod common;

use std::path::Path;

use graftwatch_course::io::read_json_str;
use graftwatch_course::{Attribution, CourseError, ObservationKind};
use serde_json::{Value, json};

fn doc() -> Value {
    json!({
      "format": "graftwatch-course/1",
      "patient": {"id": "K1", "sex": "male", "birth_year": 1970,
        "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
      "donors": [],
      "events": [
        {"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}
      ],
      "observations": [
        {"date": "2024-03-02", "kind": "temperature", "value": 39.1, "unit": "Cel", "attribution": "other", "note": "line infection"},
        {"date": "2024-03-02", "kind": "hypotension", "value": "fluid_responsive"},
        {"date": "2024-03-02", "kind": "fluid_bolus", "value": 1000, "unit": "mL"},
        {"date": "2024-03-03", "kind": "hypotension", "value": "vasopressor_required", "attribution": "other", "note": "septic shock"},
        {"date": "2024-03-03", "kind": "hypoxia", "value": true, "attribution": "other", "note": "pneumonia"},
        {"date": "2024-03-08", "kind": "st2", "value": 26, "unit": "ng/mL", "assay": "MAGIC ELISA"},
        {"date": "2024-03-08", "kind": "reg3a", "value": 25000, "unit": "pg/mL"},
        {"date": "2024-03-08", "kind": "tnfr1", "value": 3.4, "unit": "ng/mL"}
      ]
    })
}

fn read_json(v: &Value) -> Result<graftwatch_course::LoadedCourse, CourseError> {
    read_json_str(&v.to_string(), Path::new("k.json"))
}

#[test]
fn clinical_fields_round_trip_and_convert() {
    let c = read_json(&doc()).unwrap_or_else(|e| panic!("{e}")).course;
    let st2 = c.observations_of(ObservationKind::St2).next().unwrap();
    assert_eq!(st2.number(), Some(26_000.0), "ng/mL converted to pg/mL");
    let tnfr1 = c.observations_of(ObservationKind::Tnfr1).next().unwrap();
    assert_eq!(tnfr1.number(), Some(3_400.0));
    let h = c
        .observations_of(ObservationKind::Hypotension)
        .nth(1)
        .unwrap();
    assert_eq!(h.attribution, Some(Attribution::Other));
    assert_eq!(h.value.as_category(), Some("vasopressor_required"));
    let csv = common::json_csv_json(&c, "k.csv");
    assert!(csv.contains("hypotension,fluid_responsive"), "{csv}");
}

fn json_error(f: impl FnOnce(&mut Value)) -> String {
    common::json_error(doc(), "k.json", f)
}

#[test]
fn bad_clinical_values_name_file_place_field_value_expectation() {
    let e = json_error(|v| v["observations"][1]["value"] = json!("low"));
    for want in [
        "k.json",
        "$.observations[1].value",
        "low",
        "fluid_responsive",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
    let e = json_error(|v| v["observations"][2]["value"] = json!(-5));
    assert!(
        e.contains("$.observations[2]") && e.contains("fluid bolus"),
        "{e}"
    );
    let e = json_error(|v| v["observations"][2]["value"] = json!(25000));
    assert!(e.contains("fluid bolus") && e.contains("20000"), "{e}");
    let e = json_error(|v| v["observations"][4]["value"] = json!("sometimes"));
    assert!(
        e.contains("$.observations[4].value") && e.contains("sometimes"),
        "{e}"
    );
    let e = json_error(|v| v["observations"][5]["unit"] = json!("mg/L"));
    assert!(e.contains("ST2") && e.contains("mg/L"), "{e}");
    // CSV: the same expectation with the file and the line
    let c = read_json(&doc()).unwrap().course;
    let e = common::csv_error(&c, "hypotension,fluid_responsive", "hypotension,mild");
    for want in ["bad.csv", "line", "mild", "fluid_responsive"] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

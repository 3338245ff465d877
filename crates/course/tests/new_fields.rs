//! The course-format additions of issue 11 §2 and §4: daily upper-GI
//! symptoms, infection status, qualitative MRD with method and marker, the
//! pretreatment MRD marker, cGVHD eye treatment, ICANS detail, structured
//! dose units and the dose limits.
//! Each round-trips JSON ↔ CSV, and each bad value is an error naming the
//! file, the place, the field, the value and the expectation.

mod common;

use std::path::Path;

use graftwatch_course::io::read_json_str;
use graftwatch_course::{ChimerismMethod, CourseError, ObservationKind};
use serde_json::{Value, json};

fn doc() -> Value {
    json!({
      "format": "graftwatch-course/1",
      "patient": {"id": "N1", "sex": "female", "birth_year": 1975,
        "diagnosis": {"disease": "aml", "date": "2023-01-10", "mrd_marker": "NPM1 type A"}},
      "donors": [{"id": "D1", "relationship": "matched_sibling"}],
      "events": [
        {"date": "2024-02-25", "kind": "conditioning", "regimen": "FluBu",
         "agents": [{"name": "fludarabine", "dose": 30, "unit": "mg/m2/d x4 (days -6 to -3)"},
                    {"name": "busulfan", "dose": 3.2, "unit": "mg/kg/d"}]},
        {"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "D1", "cd34_per_kg": 5e6},
        {"date": "2024-03-02", "end_date": "2024-04-30", "kind": "drug", "name": "tacrolimus",
         "class": "immunosuppressant", "dose": 0.03, "dose_unit": "mg/kg/d, trough 5-10 ng/mL"}
      ],
      "observations": [
        {"date": "2024-04-01", "kind": "nausea", "value": true, "attribution": "gvhd"},
        {"date": "2024-04-01", "kind": "anorexia_with_weight_loss", "value": false},
        {"date": "2024-04-01", "kind": "vomiting_episodes", "value": 3},
        {"date": "2024-04-02", "kind": "infection_status", "value": "none"},
        {"date": "2024-04-03", "kind": "mrd_status", "value": "negative", "method": "qpcr", "assay": "NPM1 type A"},
        {"date": "2024-04-03", "kind": "mrd_status", "value": "positive", "method": "flow", "assay": "LAIP CD33+CD7+"},
        {"date": "2024-04-04", "kind": "eye_drops_per_day", "value": 4},
        {"date": "2024-04-04", "kind": "punctal_plugs", "value": false},
        {"date": "2024-04-05", "kind": "seizure_duration_min", "value": 7},
        {"date": "2024-04-05", "kind": "seizure_returned_to_baseline", "value": true},
        {"date": "2024-04-05", "kind": "papilledema", "value": false},
        {"date": "2024-04-05", "kind": "cranial_nerve_vi_palsy", "value": false},
        {"date": "2024-04-05", "kind": "cushing_triad", "value": false},
        {"date": "2024-04-05", "kind": "posturing", "value": "none"},
        {"date": "2024-04-05", "kind": "motor_finding", "value": "tremor"}
      ]
    })
}

fn read_json(v: &Value) -> Result<graftwatch_course::LoadedCourse, CourseError> {
    read_json_str(&v.to_string(), Path::new("new.json"))
}

#[test]
fn new_fields_round_trip_json_csv_json() {
    let c = read_json(&doc()).unwrap_or_else(|e| panic!("{e}")).course;
    assert_eq!(
        c.patient.diagnosis.mrd_marker.as_deref(),
        Some("NPM1 type A")
    );
    let flow = c
        .observations_of(ObservationKind::MrdStatus)
        .find(|o| o.method == Some(ChimerismMethod::Flow))
        .expect("flow MRD");
    assert_eq!(flow.value.as_category(), Some("positive"));
    let csv = common::json_csv_json(&c, "new.csv");
    assert!(csv.contains("mrd_marker,NPM1 type A"), "{csv}");
}

fn json_error(f: impl FnOnce(&mut Value)) -> String {
    common::json_error(doc(), "new.json", f)
}

fn csv_error(from: &str, to: &str) -> String {
    common::csv_error(&read_json(&doc()).unwrap().course, from, to)
}

#[test]
fn free_text_dose_units_are_rejected() {
    let e = json_error(|v| v["events"][0]["agents"][1]["unit"] = json!("lots"));
    for want in [
        "new.json",
        "$.events[0].agents[1].unit",
        "field 'unit'",
        "value 'lots'",
        "a dose unit",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
    let e = json_error(|v| v["events"][2]["dose_unit"] = json!("mg/m3"));
    assert!(e.contains("dose_unit") && e.contains("mg/m3"), "{e}");
    let e = csv_error("busulfan|3.2|mg/kg/d", "busulfan|3.2|per protocol");
    for want in [
        "bad.csv",
        "column 'detail'",
        "field 'unit'",
        "per protocol",
        "a dose unit",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

#[test]
fn zero_and_negative_drug_doses_are_rejected() {
    for bad in [0.0, -2.0] {
        let e = json_error(|v| v["events"][2]["dose"] = json!(bad));
        assert!(
            e.contains("field 'dose'") && e.contains("greater than 0"),
            "{e}"
        );
    }
}

#[test]
fn bad_values_of_the_new_kinds_name_the_expectation() {
    let e = json_error(|v| v["observations"][4]["value"] = json!("weakly"));
    assert!(
        e.contains("$.observations[4].value") && e.contains("positive, negative"),
        "{e}"
    );
    let e = json_error(|v| v["observations"][2]["value"] = json!(101));
    assert!(
        e.contains("vomiting_episodes") && e.contains("0 to 100"),
        "{e}"
    );
    let e = json_error(|v| v["observations"][3]["value"] = json!("mild"));
    assert!(e.contains("none, controlled, uncontrolled"), "{e}");
    let e = json_error(|v| v["observations"][13]["value"] = json!("flailing"));
    assert!(
        e.contains("$.observations[13].value") && e.contains("decorticate"),
        "{e}"
    );
    let e = json_error(|v| v["observations"][8]["value"] = json!(1441));
    assert!(
        e.contains("seizure_duration_min") && e.contains("0 to 1440"),
        "{e}"
    );
    let e = csv_error("infection_status,none", "infection_status,sometimes");
    assert!(e.contains("bad.csv") && e.contains("sometimes"), "{e}");
}

#[test]
fn existing_files_stay_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for f in [
        "examples/seed-case/course.json",
        "examples/seed-case/course.csv",
        "docs/examples/course-full.json",
        "docs/examples/course-full.csv",
        "docs/examples/course-minimal.json",
        "docs/examples/course-minimal.csv",
    ] {
        graftwatch_course::read_course(&root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn detection_fields_only_on_chimerism_results() {
    let msg = json_error(|v| {
        v["observations"][0]["lod_percent"] = json!(1.5);
    });
    assert!(
        msg.contains("'lod_percent' belongs to chimerism results only")
            && msg.contains("this observation's kind is 'nausea'"),
        "{msg}"
    );
    let msg = json_error(|v| {
        v["observations"][3]["detected"] = json!(true);
    });
    assert!(
        msg.contains("'detected' belongs to chimerism results only")
            && msg.contains("'infection_status'"),
        "{msg}"
    );
}

//! Issue 11 (clinical) through the documented CLI: the lower-GI diagnosis
//! date (`lower_gi_gvhd_diagnosis`), steroid-refractory chronic GVHD
//! (`cgvhd_steroid_response`), reasons in clinical words in `--daily`, and
//! exit 2 naming file, place, value and expectation for a bad new value.

use std::path::PathBuf;

use cli_common::{grade_json, run_gw, summary_item};
use serde_json::{Value, json};

mod cli_common;

/// Writes `name`, a course of patient `G1` with `events` and `observations`.
fn write(name: &str, events: Value, observations: Value) -> PathBuf {
    cli_common::write_course("gw-gds", "G1", name, events, observations)
}

fn hct() -> Value {
    json!({"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"})
}

fn stool(dx: &str) -> Value {
    json!([
        {"date": "2024-06-01", "kind": "weight", "value": 70, "unit": "kg"},
        {"date": "2024-06-20", "kind": "stool_volume", "value": 400, "unit": "mL"},
        {"date": "2024-06-21", "kind": "stool_volume", "value": 1600, "unit": "mL"},
        {"date": "2024-06-22", "kind": "stool_volume", "value": 400, "unit": "mL"},
        {"date": dx, "kind": "lower_gi_gvhd_diagnosis", "value": "clinical"}
    ])
}

fn lower_gi_on(g: &Value, date: &str) -> Value {
    g["daily"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .and_then(|d| {
            d["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["system"] == "magic")
        })
        .map(|e| e["value"]["lower_gi"]["stage"].clone())
        .unwrap_or_else(|| panic!("no MAGIC state on {date}"))
}

#[test]
fn lower_gi_diagnosis_date_both_sides_through_the_cli() {
    let f = write("dx22.json", json!([hct()]), stool("2024-06-22"));
    let g = grade_json(&f, &["--daily"]);
    assert_eq!(lower_gi_on(&g, "2024-06-22"), json!(3));
    let text = g.to_string();
    assert!(
        text.contains("stool volume 1600 mL/day, highest of 3 days,"),
        "{text}"
    );
    let f = write("dx21.json", json!([hct()]), stool("2024-06-21"));
    let g = grade_json(&f, &["--daily"]);
    assert_eq!(lower_gi_on(&g, "2024-06-22"), json!(1));
    assert!(
        !g.to_string().contains("stool_volume 1"),
        "kind names in a reason"
    );
}

#[test]
fn bad_lower_gi_diagnosis_is_exit_2_naming_the_value() {
    let f = write("bad.json", json!([hct()]), stool("2024-06-22"));
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("\"clinical\"", "\"colonoscopy\"");
    std::fs::write(&f, text).unwrap();
    let o = run_gw(&["course", "validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    for want in [
        "bad.json",
        "$.observations[4].value",
        "colonoscopy",
        "clinical, biopsy",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

fn cgvhd(date: &str, mouth: u8) -> Vec<Value> {
    let mut v = vec![
        json!({"date": date, "kind": "cgvhd_skin_bsa", "value": 0, "unit": "%"}),
        json!({"date": date, "kind": "bilirubin", "value": 0.8, "unit": "mg/dL"}),
        json!({"date": date, "kind": "alt", "value": 30, "unit": "U/L"}),
        json!({"date": date, "kind": "alp", "value": 90, "unit": "U/L"}),
        json!({"date": date, "kind": "fev1_percent", "value": 95, "unit": "%"}),
        json!({"date": date, "kind": "cgvhd_mouth", "value": mouth}),
    ];
    for k in ["cgvhd_eyes", "cgvhd_gi", "cgvhd_joints", "cgvhd_genital"] {
        v.push(json!({"date": date, "kind": k, "value": 0}));
    }
    v
}

#[test]
fn chronic_gvhd_steroid_refractory_both_sides_through_the_cli() {
    for (worse_on, refractory) in [("2024-12-08", true), ("2024-12-07", false)] {
        let mut obs =
            vec![json!({"date": "2024-11-25", "kind": "weight", "value": 70, "unit": "kg"})];
        obs.extend(cgvhd("2024-12-01", 1));
        obs.extend(cgvhd(worse_on, 2));
        let ev = json!([hct(), {"date": "2024-12-01", "kind": "drug", "name": "prednisone",
            "class": "steroid", "dose": 70, "dose_unit": "mg/d"}]);
        let g = grade_json(&write("c.json", ev, Value::Array(obs)), &[]);
        let i = summary_item(&g, "cgvhd_steroid_response");
        assert_eq!(!i["value"]["refractory"].is_null(), refractory, "{i}");
        let why = i["explanation"]["reason"].as_str().unwrap();
        if refractory {
            assert!(
                why.contains("mouth 1 → 2") && why.contains("since 2024-12-01"),
                "{why}"
            );
        }
    }
}

/// An alternate-day dose through the course file and `grade` (ambiguity
/// C-10): 2 mg/kg every other day is 1 mg/kg/day and meets the progression
/// rule; 1.98 mg/kg every other day does not; `mg/kg/3d` is not a unit.
#[test]
fn alternate_day_steroid_doses_both_sides_through_the_cli() {
    for (dose, refractory) in [(2.0, true), (1.98, false)] {
        let mut obs = cgvhd("2024-12-01", 1);
        obs.extend(cgvhd("2024-12-08", 2));
        let ev = json!([hct(), {"date": "2024-12-01", "kind": "drug", "name": "prednisone",
            "class": "steroid", "dose": dose, "dose_unit": "mg/kg/qod"}]);
        let g = grade_json(&write("qod.json", ev, Value::Array(obs)), &[]);
        let i = summary_item(&g, "cgvhd_steroid_response");
        assert_eq!(
            !i["value"]["refractory"].is_null(),
            refractory,
            "{dose}: {i}"
        );
    }
    let ev = json!([hct(), {"date": "2024-12-01", "kind": "drug", "name": "prednisone",
        "class": "steroid", "dose": 2, "dose_unit": "mg/kg/3d"}]);
    let f = write("q3d.json", ev, Value::Array(cgvhd("2024-12-01", 1)));
    let o = run_gw(&["grade", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("mg/kg/3d") && err.contains("/qod"), "{err}");
}

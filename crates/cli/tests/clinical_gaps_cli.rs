//! Issue 11 clinical gaps through the documented CLI (`graftwatch grade
//! --format json`, `--on`): the steroid dose of the refractory definition,
//! CRS fluid-responsive hypotension and per-finding attribution, the MAGIC
//! algorithm probability, ICAHT per day, and exit 2 on bad new values.
//! Both sides of each boundary.

use std::path::{Path, PathBuf};

use cli_common::{grade_json, run_gw, summary_item as item};
use serde_json::{Value, json};

mod cli_common;

/// Writes `name`, a course of patient `C1` with `events` and `observations`.
fn write(name: &str, events: Value, observations: Value) -> PathBuf {
    cli_common::write_course("gw-clin", "C1", name, events, observations)
}

fn gvhd(date: &str, skin: f64) -> Vec<Value> {
    vec![
        json!({"date": date, "kind": "skin_rash_bsa", "value": skin, "unit": "%", "attribution": "gvhd"}),
        json!({"date": date, "kind": "agvhd_no_findings", "value": "liver"}),
        json!({"date": date, "kind": "agvhd_no_findings", "value": "upper_gi"}),
        json!({"date": date, "kind": "agvhd_no_findings", "value": "lower_gi"}),
    ]
}

#[test]
fn steroid_dose_both_sides_through_the_cli() {
    for (dose, refractory) in [
        (2.0, json!("progression_after_3_days")),
        (1.99, Value::Null),
    ] {
        let mut obs = gvhd("2024-06-20", 30.0);
        obs.extend(gvhd("2024-06-23", 60.0));
        obs.push(json!({"date": "2024-06-01", "kind": "weight", "value": 70, "unit": "kg"}));
        let f = write(
            "s.json",
            json!([
                {"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"},
                {"date": "2024-06-20", "end_date": "2024-07-30", "kind": "drug", "name": "prednisone", "class": "steroid", "dose": dose, "dose_unit": "mg/kg/d"}
            ]),
            Value::Array(obs),
        );
        let g = grade_json(&f, &["--only", "agvhd"]);
        let i = item(&g, "agvhd_treatment_response");
        assert_eq!(i["value"]["steroid_refractory"], refractory, "{dose}: {i}");
        assert!(
            i["result"]
                .as_str()
                .unwrap()
                .contains("prednisone equivalent"),
            "{i}"
        );
    }
}

fn cart_course(extra_events: Vec<Value>, extra_obs: Vec<Value>) -> PathBuf {
    let mut ev = vec![
        json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}),
    ];
    ev.extend(extra_events);
    let mut obs = vec![
        json!({"date": "2024-03-01", "kind": "weight", "value": 70, "unit": "kg"}),
        json!({"date": "2024-03-02", "kind": "temperature", "value": 39.2, "unit": "Cel"}),
    ];
    obs.extend(extra_obs);
    write("c.json", Value::Array(ev), Value::Array(obs))
}

#[test]
fn crs_fluids_and_attribution_through_the_cli() {
    let crs = |f: &Path| item(&grade_json(f, &["--only", "crs"]), "crs_max_grade").clone();
    assert_eq!(crs(&cart_course(vec![], vec![]))["value"], 1);
    let f = cart_course(
        vec![],
        vec![json!({"date": "2024-03-02", "kind": "hypotension", "value": "fluid_responsive"})],
    );
    assert_eq!(crs(&f)["value"], 2);
    let pressor = json!({"date": "2024-03-02", "end_date": "2024-03-02", "kind": "drug", "name": "norepinephrine", "class": "vasopressor"});
    assert_eq!(crs(&cart_course(vec![pressor.clone()], vec![]))["value"], 3);
    let f = cart_course(
        vec![pressor],
        vec![
            json!({"date": "2024-03-02", "kind": "hypotension", "value": "vasopressor_required", "attribution": "other", "note": "septic shock"}),
        ],
    );
    let i = crs(&f);
    assert_eq!(i["value"], 1, "{i}");
    let text = i["explanation"]["flags"].to_string();
    assert!(
        text.contains("GW-ATTR-CRS") && text.contains("septic shock"),
        "{text}"
    );
}

#[test]
fn magic_map_and_icaht_days_through_the_cli() {
    // MAP: day +7 after the HCT of 2024-06-01 is 06-08; ± 2 days
    for (day, graded) in [("2024-06-10", true), ("2024-06-11", false)] {
        let f = write(
            "m.json",
            json!([{"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"}]),
            json!([
                {"date": day, "kind": "st2", "value": 26, "unit": "ng/mL", "assay": "MAGIC ELISA"},
                {"date": day, "kind": "reg3a", "value": 25, "unit": "ng/mL", "assay": "MAGIC ELISA"}
            ]),
        );
        let i = item(&grade_json(&f, &["--only", "agvhd"]), "magic_map_day7").clone();
        assert_eq!(i["status"] == "value", graded, "{day}: {i}");
    }
    // ICAHT per day: ANC 0.3 on days 0..=6 -> +5 grade 1, +6 grade 2
    let anc: Vec<Value> = (0..12)
        .map(|k| {
            let date = format!("2024-03-{:02}", 1 + k);
            let v = if k <= 6 { 0.3 } else { 2.0 };
            json!({"date": date, "kind": "anc", "value": v, "unit": "10^9/L"})
        })
        .collect();
    let f = cart_course(vec![], anc);
    for (on, want) in [("+5", "1"), ("+6", "2")] {
        let g = grade_json(&f, &["--only", "icaht", "--on", on]);
        let e = g["on_day"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["criterion"] == "icaht" && e["system"] == "early")
            .unwrap()
            .clone();
        assert_eq!(e["grade"], want, "{on}: {e}");
    }
}

#[test]
fn bad_new_values_exit_2_naming_the_field() {
    let f = cart_course(
        vec![],
        vec![json!({"date": "2024-03-02", "kind": "hypotension", "value": "low"})],
    );
    let o = run_gw(&["grade", f.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    for want in ["c.json", "observations[2]", "low", "fluid_responsive"] {
        assert!(e.contains(want), "{want}: {e}");
    }
    assert!(o.stdout.is_empty());
}

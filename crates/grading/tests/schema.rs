//! The JSON output keeps to docs/grading-output.schema.json: every object
//! has exactly the properties the schema declares (required and allowed).

use std::collections::BTreeSet;
use std::path::PathBuf;

use graftwatch_grading::{GradingConfig, grade_course};
use serde_json::Value;

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn declared(schema: &Value) -> BTreeSet<String> {
    keys(&schema["properties"])
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn check(obj: &Value, schema: &Value, what: &str) {
    let k = keys(obj);
    assert!(
        required(schema).is_subset(&k),
        "{what}: missing required keys; have {k:?}"
    );
    assert!(
        k.is_subset(&declared(schema)),
        "{what}: undeclared keys in {k:?}"
    );
}

#[test]
fn seed_output_matches_the_schema_shape() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/grading-output.schema.json"))
            .expect("schema file"),
    )
    .expect("schema json");
    let course = graftwatch_course::read_course(&root.join("examples/seed-case/course.json"))
        .expect("seed")
        .course;
    let out =
        serde_json::to_value(grade_course(&course, &GradingConfig::default())).expect("serialise");
    assert_eq!(out["schema"], schema["properties"]["schema"]["const"]);
    check(&out, &schema, "document");
    let day_s = &schema["properties"]["timeline"]["items"];
    let entry_s = &day_s["properties"]["entries"]["items"];
    let item_s = &schema["properties"]["summary"]["items"];
    let expl_s = &schema["$defs"]["explanation"];
    let ev_s = &expl_s["properties"]["evidence"]["items"];
    let crit: BTreeSet<String> = schema["$defs"]["criterion"]["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .filter_map(|s| s.as_str().map(String::from))
        .collect();
    assert!(!out["timeline"].as_array().expect("timeline").is_empty());
    for d in out["timeline"].as_array().expect("timeline") {
        check(d, day_s, "timeline day");
        for e in d["entries"].as_array().expect("entries") {
            check(e, entry_s, "timeline entry");
            assert!(crit.contains(e["criterion"].as_str().unwrap_or_default()));
        }
    }
    for i in out["summary"].as_array().expect("summary") {
        check(i, item_s, "summary item");
        check(&i["explanation"], expl_s, "explanation");
        for ev in i["explanation"]["evidence"].as_array().expect("evidence") {
            check(ev, ev_s, "evidence");
        }
        let st = i["status"].as_str().unwrap_or_default();
        assert!(["value", "insufficient_data", "not_applicable"].contains(&st));
        assert_eq!(i["value"].is_null(), st != "value", "{}", i["item"]);
    }
}

#[test]
fn docs_print_the_current_default_config() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/grading.md")).expect("docs/grading.md");
    let cfg = GradingConfig::default().to_toml_string();
    assert!(
        doc.contains(&cfg),
        "docs/grading.md must contain the output of `graftwatch grade --print-default-config`:\n{cfg}"
    );
}

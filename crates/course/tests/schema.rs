//! docs/course.schema.json: valid documents pass, malformed ones fail, and
//! its enums and per-kind fields match the code.

use std::path::{Path, PathBuf};

use graftwatch_course::event_fields::event_fields;
use graftwatch_course::{EventDetail, ObservationKind};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    let t = std::fs::read_to_string(root().join("docs/course.schema.json")).expect("schema file");
    serde_json::from_str(&t).expect("schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("schema compiles")
}

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn examples_and_seed_case_validate() {
    let v = validator();
    let mut files = vec![
        root().join("docs/examples/course-full.json"),
        root().join("docs/examples/course-minimal.json"),
    ];
    if let Ok(rd) = std::fs::read_dir(root().join("examples/seed-case")) {
        files.extend(
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().contains("course"))
                }),
        );
    }
    for f in files {
        let e = errors(&v, &load(&f));
        assert!(e.is_empty(), "{}:\n{}", f.display(), e.join("\n"));
    }
}

#[test]
fn malformed_documents_fail_the_schema() {
    let v = validator();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed");
    for name in [
        "json-unknown-observation-kind.json",
        "json-unknown-unit.json",
        "json-missing-required-field.json",
        "json-wrong-value-type.json",
        "json-unknown-event-field.json",
        "json-unknown-enum-value.json",
        "json-unknown-top-level-field.json",
        "json-bad-format-tag.json",
        "json-chimerism-missing-lineage.json",
        "json-percent-over-100.json",
        "json-bool-kind-with-number.json",
        "json-score-not-whole.json",
    ] {
        let doc = load(&dir.join(name));
        assert!(!v.is_valid(&doc), "{name} passes the schema");
    }
    // Semantic problems are the reader's job, not the schema's: a DLI before
    // the transplant is structurally fine.
    assert!(v.is_valid(&load(&dir.join("json-dli-before-transplant.json"))));
}

#[test]
fn schema_matches_the_code() {
    let s = schema();
    let defs = &s["$defs"];
    let kinds: Vec<&str> = defs["event"]["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(kinds, EventDetail::KINDS.to_vec());
    for branch in defs["event"]["allOf"].as_array().unwrap() {
        let kind = branch["if"]["properties"]["kind"]["const"]
            .as_str()
            .unwrap();
        let mut props: Vec<&str> = branch["then"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        props.sort();
        let mut want: Vec<&str> = event_fields(kind).unwrap().iter().map(|f| f.name).collect();
        want.sort();
        assert_eq!(props, want, "{kind}");
        let mut req: Vec<&str> = branch["then"]["required"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        req.sort();
        let mut want_req: Vec<&str> = event_fields(kind)
            .unwrap()
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        want_req.sort();
        assert_eq!(req, want_req, "{kind} required");
    }
    let obs_kinds: Vec<&str> = defs["observation"]["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for k in ObservationKind::all() {
        assert!(obs_kinds.contains(&k.as_str()), "{k} missing from schema");
    }
    for k in &obs_kinds {
        assert!(
            ObservationKind::parse(k).is_some(),
            "schema kind {k} unknown to the reader"
        );
    }
    for u in defs["observation"]["properties"]["unit"]["enum"]
        .as_array()
        .unwrap()
    {
        let u = u.as_str().unwrap();
        assert!(
            u.parse::<graftwatch_core::Unit>().is_ok(),
            "schema unit {u}"
        );
    }
}

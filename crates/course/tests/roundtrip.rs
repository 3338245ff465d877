//! JSON and long CSV give the same course; JSON → CSV → JSON is lossless.

mod common;

use std::path::{Path, PathBuf};

use common::json_csv_json;
use graftwatch_course::read_course;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn full_example_round_trips_through_csv() {
    let c = read_course(&root().join("docs/examples/course-full.json"))
        .expect("example valid")
        .course;
    assert_eq!(c.events.len(), 16);
    json_csv_json(&c, "course-full");
}

#[test]
fn json_and_csv_examples_are_the_same_course() {
    for stem in ["course-full", "course-minimal"] {
        let j = read_course(&root().join(format!("docs/examples/{stem}.json")))
            .unwrap_or_else(|e| panic!("{stem}.json: {e}"));
        let c = read_course(&root().join(format!("docs/examples/{stem}.csv")))
            .unwrap_or_else(|e| panic!("{stem}.csv: {e}"));
        assert_eq!(j.course, c.course, "{stem}");
        assert_eq!(j.warnings.len(), c.warnings.len(), "{stem}");
    }
}

#[test]
fn seed_case_round_trips() {
    let dir = root().join("examples/seed-case");
    let json = dir.join("course.json");
    let csv = dir.join("course.csv");
    // The fixture must exist: a missing seed case is a failure, not a pass.
    assert!(json.is_file(), "missing fixture {}", json.display());
    assert!(csv.is_file(), "missing fixture {}", csv.display());
    let c = read_course(&json)
        .unwrap_or_else(|e| panic!("{}: {e}", json.display()))
        .course;
    assert!(
        c.observations.len() > 1000,
        "the seed case is the full course"
    );
    json_csv_json(&c, &json.display().to_string());
    let from_csv = read_course(&csv).expect("seed CSV valid").course;
    assert_eq!(from_csv, c, "{}", csv.display());
}

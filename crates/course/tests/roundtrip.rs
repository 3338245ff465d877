//! JSON and long CSV give the same course; JSON → CSV → JSON is lossless.

use std::path::{Path, PathBuf};

use graftwatch_course::io::{read_json_str, to_json_string};
use graftwatch_course::io_csv::{read_csv_str, to_csv_string};
use graftwatch_course::{Course, read_course};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn json_csv_json(c: &Course, name: &str) {
    let csv = to_csv_string(c);
    let back = read_csv_str(&csv, Path::new(name))
        .unwrap_or_else(|e| panic!("{name}: CSV of the course does not read back:\n{e}\n{csv}"))
        .course;
    assert_eq!(&back, c, "{name}: CSV round trip differs\n{csv}");
    let json = to_json_string(&back);
    let again = read_json_str(&json, Path::new(name))
        .expect("JSON reads back")
        .course;
    assert_eq!(&again, c, "{name}: JSON round trip differs");
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

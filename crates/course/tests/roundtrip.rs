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
fn seed_case_round_trips_when_present() {
    let dir = root().join("examples/seed-case");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // the seed case is written in parallel; nothing to check yet
    };
    for e in entries.flatten() {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "json"
            || !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains("course"))
        {
            continue;
        }
        let c = read_course(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .course;
        json_csv_json(&c, &p.display().to_string());
        let csv = p.with_extension("csv");
        if csv.exists() {
            let from_csv = read_course(&csv).expect("seed CSV valid").course;
            assert_eq!(from_csv, c, "{}", csv.display());
        }
    }
}

//! The malformed-file corpus: every file in tests/data/malformed must be
//! rejected with an error naming the file and containing each line of its
//! `.expect` sidecar (location, field, value and expectation fragments).

use std::path::{Path, PathBuf};

use graftwatch_course::{CourseError, Severity, read_course};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "csv")))
        .collect();
    v.sort();
    v
}

fn expectations(p: &Path) -> Vec<String> {
    let e = PathBuf::from(format!("{}.expect", p.display()));
    std::fs::read_to_string(&e)
        .unwrap_or_else(|_| panic!("{} has no .expect sidecar", p.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn corpus_is_large_and_mixed() {
    let c = corpus();
    let json = c
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .count();
    let csv = c.len() - json;
    assert!(c.len() >= 20, "only {} malformed files", c.len());
    assert!(json >= 10 && csv >= 10, "json {json}, csv {csv}");
}

#[test]
fn every_malformed_file_fails_with_its_expected_message() {
    let mut failures = Vec::new();
    for p in corpus() {
        let want = expectations(&p);
        assert!(!want.is_empty(), "{}: empty .expect", p.display());
        let msg = match read_course(&p) {
            Ok(_) => {
                failures.push(format!("{}: accepted, expected an error", p.display()));
                continue;
            }
            Err(e) => {
                if let CourseError::Invalid(d) = &e {
                    assert!(
                        d.iter().any(|d| d.severity == Severity::Error),
                        "{}: Invalid without an error",
                        p.display()
                    );
                }
                e.to_string()
            }
        };
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !msg.contains(&name) {
            failures.push(format!("{name}: message does not name the file:\n{msg}"));
        }
        for w in want {
            if !msg.contains(&w) {
                failures.push(format!("{name}: missing '{w}' in:\n{msg}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn the_unbroken_base_files_are_valid() {
    // Each malformed file is a one-change variant of a valid course; make
    // sure that course itself reads (so each failure is due to its change).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed");
    let json = std::fs::read_to_string(dir.join("json-negative-count.json"))
        .unwrap()
        .replace("-300", "300");
    graftwatch_course::io::read_json_str(&json, Path::new("base.json")).expect("JSON base");
    let csv = std::fs::read_to_string(dir.join("csv-negative-count.csv"))
        .unwrap()
        .replace("-300", "300");
    graftwatch_course::io_csv::read_csv_str(&csv, Path::new("base.csv")).expect("CSV base");
}

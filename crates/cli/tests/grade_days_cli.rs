//! `graftwatch grade` answers for any day and grades many courses:
//! `--on DATE|+DAY`, `--daily`, several files or a directory (JSON Lines,
//! CSV with a course column), bad courses skipped with exit 2, and output
//! without Rust debug names.

use std::path::{Path, PathBuf};

mod cli_common;

use cli_common::{numbered_dir, run_gw as run};

/// A fresh temporary directory of this test.
fn dir() -> PathBuf {
    numbered_dir("gw-grade-days")
}

fn p(x: &Path) -> &str {
    x.to_str().expect("utf-8 path")
}

/// PBSC transplant 2024-06-01; skin 30 % (stage 2) on 2024-06-10 with the
/// other organs recorded as assessed without findings.
fn course_text(id: &str) -> String {
    format!(
        r#"{{"format": "graftwatch-course/1",
 "patient": {{"id": "{id}", "sex": "male", "birth_year": 1980, "diagnosis": {{"disease": "aml", "date": "2024-01-01"}}}},
 "donors": [{{"id": "MUD-1", "relationship": "matched_unrelated", "sex": "male"}}],
 "events": [{{"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"}}],
 "observations": [
  {{"date": "2024-06-01", "kind": "weight", "value": 70, "unit": "kg"}},
  {{"date": "2024-06-10", "kind": "skin_rash_bsa", "value": 30, "unit": "%", "attribution": "gvhd"}},
  {{"date": "2024-06-10", "kind": "agvhd_no_findings", "value": "all"}},
  {{"date": "2024-06-30", "kind": "anc", "value": 2.0, "unit": "10^9/L"}}
 ]}}"#
    )
}

fn magic_on(out: &serde_json::Value) -> serde_json::Value {
    out["on_day"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["criterion"] == "agvhd" && e["system"] == "magic")
        .expect("magic")
        .clone()
}

#[test]
fn on_day_counts_from_the_transplant_and_honours_the_window() {
    let d = dir();
    let f = d.join("c.json");
    std::fs::write(&f, course_text("P1")).unwrap();
    for (on, status, grade) in [
        ("+16", "graded", "I"),
        ("2024-06-17", "graded", "I"),
        ("+17", "not_assessed", ""),
        ("+8", "not_assessed", ""),
    ] {
        let o = run(&[
            "grade",
            p(&f),
            "--on",
            on,
            "--only",
            "agvhd",
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let m = magic_on(&v);
        assert_eq!(m["status"], status, "--on {on}: {m}");
        if !grade.is_empty() {
            assert_eq!(m["grade"], grade);
            assert_eq!(m["value"]["skin"]["stage"], 2);
            assert_eq!(m["value"]["liver"]["stage"], 0);
        }
    }
    let o = run(&["grade", p(&f), "--on", "tomorrow"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--on"));
}

#[test]
fn daily_lists_every_day_with_a_status() {
    let d = dir();
    let f = d.join("c.json");
    std::fs::write(&f, course_text("P1")).unwrap();
    let o = run(&["grade", p(&f), "--daily", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], "graftwatch-grades/2");
    let days = v["daily"].as_array().expect("daily");
    assert_eq!(days.len(), 30, "2024-06-01 .. 2024-06-30");
    for day in days {
        for e in day["entries"].as_array().unwrap() {
            let s = e["status"].as_str().unwrap();
            assert!(["graded", "not_assessed", "insufficient_data"].contains(&s));
            if s != "graded" {
                assert!(!e["missing"].as_array().unwrap().is_empty(), "{e}");
            }
        }
    }
    // without --daily there is no daily section
    let o = run(&["grade", p(&f), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("daily").is_none());
}

#[test]
fn many_courses_json_lines_and_a_bad_one_skipped_with_exit_2() {
    let d = dir();
    std::fs::write(d.join("a.json"), course_text("PA")).unwrap();
    std::fs::write(d.join("b.json"), course_text("PB")).unwrap();
    std::fs::write(d.join("c.json"), "{\"format\": \"graftwatch-course/1\"").unwrap();
    let o = run(&["grade", p(&d), "--only", "agvhd", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON document per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["patient"], "PA");
    assert!(lines[1]["source"].as_str().unwrap().ends_with("b.json"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("c.json"), "{err}");
    // Audit 2026-12-06: "error: c.json: skipped: error: c.json: …" said the
    // prefix and the file twice on one line.
    assert!(
        err.lines().all(|l| l.matches("error: ").count() <= 1),
        "{err}"
    );
    assert!(
        err.contains("c.json: skipped, it cannot be graded:\n"),
        "{err}"
    );
    // all good: exit 0; CSV gets a course column and one header
    std::fs::remove_file(d.join("c.json")).unwrap();
    let o = run(&[
        "grade",
        p(&d.join("a.json")),
        p(&d.join("b.json")),
        "--only",
        "agvhd",
        "--format",
        "csv",
    ]);
    assert!(o.status.success());
    let csv = String::from_utf8_lossy(&o.stdout);
    assert!(csv.starts_with("course,date,day,anchor,criterion,item,grade,reason\n"));
    assert_eq!(csv.matches("course,date").count(), 1);
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains("a.json") || l.contains("b.json"))
    );
}

/// CamelCase words with an inner capital (`FullDonor`) or `Some(..)`:
/// Rust names that must not reach the user.
fn debug_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '(') {
        let w = w.trim_end_matches('(');
        let b = w.as_bytes();
        let camel = b.len() > 2
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_lowercase()
            && b[2..].iter().any(u8::is_ascii_uppercase)
            && !b.iter().any(u8::is_ascii_digit)
            && ![
                "GeneMapper",
                "HiDAC",
                "MacMillan",
                "GitHub",
                "McDonald",
                "PubMed",
            ]
            .contains(&w);
        if camel || w.starts_with("Some") && w.len() > 4 {
            out.push(w.to_string());
        }
    }
    out
}

#[test]
fn seed_output_has_no_debug_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    for fmt in ["json", "table", "csv"] {
        let o = run(&[
            "grade",
            p(&root),
            "--daily",
            "--only",
            "engraftment,graft_failure,chimerism,agvhd,cgvhd,crs,icans,icaht,hematotox,eln",
            "--format",
            fmt,
        ]);
        assert!(o.status.success());
        let names = debug_names(&String::from_utf8_lossy(&o.stdout));
        assert!(names.is_empty(), "{fmt}: {names:?}");
    }
}

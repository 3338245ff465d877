//! `graftwatch demo` end to end: runs the binary into a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
}

/// A fresh, empty temporary directory unique to this test.
fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-demo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).to_string()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.contains(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn demo_writes_the_seed_report_and_prints_a_summary() {
    let dir = tmp("seed");
    let out_dir = dir.join("out");
    let o: Output = bin()
        .args(["demo", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", text(&o.stderr));
    let report = out_dir.join("report.html");
    assert!(
        stdout.contains(&format!("wrote {}", report.display())),
        "{stdout}"
    );
    assert!(stdout.contains("HCT day 0 = 2024-04-29"), "{stdout}");
    assert!(stdout.contains("follow-up to day +390"), "{stdout}");
    assert!(
        stdout.contains("events: 71, observations: 2500"),
        "{stdout}"
    );
    assert!(stdout.contains("illustrative"), "{stdout}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for needle in [
        "id=\"series-anc\"",
        "id=\"series-platelets\"",
        "id=\"series-hemoglobin\"",
        "id=\"anchor-dli-1\"",
        "<section id=\"validation\">",
        "0 errors, 0 warnings",
        "Illustrative data.",
        // the full report: analysis panels and sections
        "id=\"panel-cart-toxicity\"",
        "id=\"panel-chimerism-cd3\"",
        "id=\"series-chimerism-cd3-recipient\"",
        "id=\"panel-marrow\"",
        "id=\"panel-agvhd\"",
        "<section id=\"alerts\">",
        "<section id=\"endpoints\">",
        "<section id=\"dli-decision\">",
        "UCB-1</b>: cannot give lymphocytes",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    // the printed analysis summary: alerts and the DLI verdicts
    assert!(stdout.contains("MRD conversion"), "{stdout}");
    assert!(
        stdout.contains("DLI 1 on 2024-07-30 (day +92): criteria met"),
        "{stdout}"
    );
    assert!(leftovers(&out_dir).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_works_from_any_directory_with_the_default_output() {
    let dir = tmp("cwd");
    let o = bin().arg("demo").current_dir(&dir).output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(dir.join("graftwatch-demo").join("report.html").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

const MINI: &str = r#"{
  "format": "graftwatch-course/1",
  "patient": {"id": "MINI-7", "sex": "female", "birth_year": 1970,
    "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
  "donors": [{"id": "MUD-1", "relationship": "matched_unrelated", "hla_match": "10/10"}],
  "events": [
    {"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1", "cd34_per_kg": 5e6},
    {"date": "2024-03-04", "kind": "transfusion", "product": "platelets", "units": 1}
  ],
  "observations": [
    {"date": "2024-03-02", "kind": "anc", "value": 100, "unit": "/uL"},
    {"date": "2024-03-15", "kind": "anc", "value": 800, "unit": "/uL"},
    {"date": "2024-03-02", "kind": "platelets", "value": 12, "unit": "10^9/L"}
  ]
}"#;

/// `graftwatch demo --course FILE --out OUT`.
fn demo_course(f: &Path, out: &Path) -> Output {
    bin()
        .args(["demo", "--course"])
        .arg(f)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn demo_accepts_a_course_file() {
    let dir = tmp("course");
    let f = dir.join("mini.json");
    std::fs::write(&f, MINI).unwrap();
    let o = demo_course(&f, &dir.join("o"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("patient MINI-7") && stdout.contains("events: 2, observations: 3"),
        "{stdout}"
    );
    assert!(!stdout.contains("illustrative"));
    let html = std::fs::read_to_string(dir.join("o").join("report.html")).unwrap();
    assert!(html.contains("MINI-7") && html.contains("class=\"transfusion platelets\""));
    assert!(!html.contains("Illustrative data."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_course_exits_2_names_the_problem_and_writes_nothing() {
    let dir = tmp("bad");
    let f = dir.join("bad.json");
    std::fs::write(
        &f,
        MINI.replace(
            "\"value\": 800, \"unit\": \"/uL\"",
            "\"value\": 800, \"unit\": \"mg/dL\"",
        ),
    )
    .unwrap();
    let out_dir = dir.join("o");
    let o = bin()
        .args(["demo", "--course"])
        .arg(&f)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.json") && err.contains("observations[1].unit") && err.contains("mg/dL"),
        "{err}"
    );
    assert!(!out_dir.exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_or_unknown_course_file_exits_2() {
    let dir = tmp("missing");
    for name in ["does-not-exist.json", "course.txt"] {
        let f = dir.join(name);
        if name.ends_with(".txt") {
            std::fs::write(&f, "x").unwrap();
        }
        let o = demo_course(&f, &dir.join("o"));
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(text(&o.stderr).contains(name));
    }
    assert!(!dir.join("o").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_output_path_that_is_a_file_exits_2() {
    let dir = tmp("outfile");
    let blocker = dir.join("taken");
    std::fs::write(&blocker, "x").unwrap();
    let o = bin()
        .args(["demo", "--out"])
        .arg(&blocker)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("cannot create the output directory"));
    let _ = std::fs::remove_dir_all(&dir);
}

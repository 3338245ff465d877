//! `graftwatch grade` end to end: formats, --only, config, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
}

/// Writes `text` to a fresh file (one directory per call, so parallel tests
/// never share a file).
fn tmp(name: &str, text: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("gw-grade-cli-{}-{k}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run graftwatch")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// PBSC transplant 2024-06-01, engraftment on day +12, stool 1200 mL on day +20.
fn course() -> PathBuf {
    let mut obs = Vec::new();
    let anc = [
        3.0, 1.0, 0.3, 0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 1.1, 1.5,
    ];
    for (i, v) in anc.iter().enumerate() {
        obs.push(format!(
            r#"{{"date": "2024-06-{:02}", "kind": "anc", "value": {v}, "unit": "10^9/L"}}"#,
            i + 1
        ));
    }
    for (k, v, extra) in [
        ("skin_rash_bsa", "0", r#", "unit": "%""#),
        ("bilirubin", "0.8", r#", "unit": "mg/dL""#),
        ("upper_gi_persistent", "false", ""),
        ("stool_volume", "1200", r#", "unit": "mL""#),
    ] {
        obs.push(format!(
            r#"{{"date": "2024-06-21", "kind": "{k}", "value": {v}{extra}, "attribution": "gvhd"}}"#
        ));
    }
    obs.push(r#"{"date": "2024-06-01", "kind": "weight", "value": 70, "unit": "kg"}"#.into());
    let text = format!(
        r#"{{"format": "graftwatch-course/1",
 "patient": {{"id": "CLI-1", "sex": "male", "birth_year": 1980, "diagnosis": {{"disease": "aml", "date": "2024-01-01"}}}},
 "donors": [{{"id": "MUD-1", "relationship": "matched_unrelated", "sex": "male"}}],
 "events": [{{"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"}}],
 "observations": [{}]}}"#,
        obs.join(",\n")
    );
    tmp("course.json", &text)
}

fn p(x: &Path) -> &str {
    x.to_str().expect("utf-8 path")
}

#[test]
fn table_shows_timeline_and_summary_with_reasons() {
    let c = course();
    let o = run(&["grade", p(&c)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("2024-06-21") && s.contains("III"), "{s}");
    assert!(
        s.contains("Neutrophil engraftment") && s.contains("day +12"),
        "{s}"
    );
    assert!(s.contains("why:"), "{s}");
}

#[test]
fn json_is_versioned_and_explained() {
    let c = course();
    let o = run(&["grade", p(&c), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["schema"], "graftwatch-grades/2");
    let items = v["summary"].as_array().expect("summary");
    let m = items
        .iter()
        .find(|i| i["item"] == "agvhd_max_grade")
        .expect("agvhd item");
    assert_eq!(m["date"], "2024-06-21");
    assert!(m["explanation"]["rule"].as_str().is_some());
    assert!(
        !m["explanation"]["evidence"]
            .as_array()
            .expect("evidence")
            .is_empty()
    );
}

#[test]
fn csv_one_row_per_day_per_criterion() {
    let c = course();
    let o = run(&["grade", p(&c), "--format", "csv", "--only", "agvhd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    let mut lines = s.lines();
    assert_eq!(
        lines.next(),
        Some("date,day,anchor,criterion,item,grade,reason")
    );
    let row = s
        .lines()
        .find(|l| l.starts_with("2024-06-21,+20,HCT,agvhd,,III,"))
        .expect("day row");
    assert!(row.contains("lower GI stage 2"), "{row}");
    assert!(!s.contains("engraftment"), "--only agvhd: {s}");
}

#[test]
fn bad_only_list_is_exit_2_naming_the_value() {
    let c = course();
    let o = run(&["grade", p(&c), "--only", "agvhd,gvhd"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'gvhd'"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn bad_course_is_exit_2_and_writes_nothing() {
    let bad = tmp(
        "bad.json",
        r#"{"format": "graftwatch-course/1", "patient": {"id": "X"}}"#,
    );
    let o = run(&["grade", p(&bad)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let o = run(&["grade", "/nonexistent/course.json"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn config_unknown_key_is_exit_2_naming_the_key() {
    let c = course();
    let cfg = tmp("cfg.toml", "[agvhd]\nchild_weight_cutoff = 40\n");
    let o = run(&["grade", p(&c), "--config", p(&cfg)]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("child_weight_cutoff") && e.contains("cfg.toml"),
        "{e}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn config_changes_the_result() {
    // With engraftment needing 5 consecutive values, day +12 no longer qualifies
    // (only 4 values >= 0.5 follow in this course).
    let c = course();
    let cfg = tmp("cfg5.toml", "[engraftment]\nconsecutive_values = 5\n");
    let o = run(&[
        "grade",
        p(&c),
        "--config",
        p(&cfg),
        "--only",
        "engraftment",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let n = v["summary"]
        .as_array()
        .expect("summary")
        .iter()
        .find(|i| i["item"] == "neutrophil_engraftment")
        .expect("item")
        .clone();
    assert_ne!(n["date"], "2024-06-13", "{n}");
}

#[test]
fn print_default_config_round_trips() {
    let o = run(&["grade", "--print-default-config"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("[agvhd]") && text.contains("child_weight_cut_kg = 50.0"),
        "{text}"
    );
    let cfg = tmp("default.toml", &text);
    let c = course();
    let o = run(&["grade", p(&c), "--config", p(&cfg)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn seed_case_json_and_csv_grade_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case");
    let a = run(&["grade", p(&root.join("course.json")), "--format", "json"]);
    let b = run(&["grade", p(&root.join("course.csv")), "--format", "json"]);
    assert!(
        a.status.success() && b.status.success(),
        "{} {}",
        stderr(&a),
        stderr(&b)
    );
    assert!(!a.stdout.is_empty());
    assert_eq!(
        stdout(&a),
        stdout(&b),
        "the same course read from JSON and CSV must grade the same"
    );
}

/// An implausible value (an ANC of 500 ×10⁹/L: cells/µL typed with the
/// wrong unit) is kept and graded, as `course validate` says; `grade`,
/// `decide` and `report` now say so on stderr, naming the line.
#[test]
fn implausible_values_are_warned_about_by_every_command_that_uses_them() {
    let text = std::fs::read_to_string(course()).unwrap().replace(
        r#""value": 0.6, "unit": "10^9/L""#,
        r#""value": 600, "unit": "10^9/L""#,
    );
    let f = tmp("implausible.json", &text);
    let o = run(&["grade", p(&f), "--only", "engraftment"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("implausible ANC (above 100 ×10⁹/L); kept, please check"),
        "{e}"
    );
    assert!(e.contains("line "), "{e}");
    let o = run(&["decide", p(&f), "--on", "+20"]);
    assert!(stderr(&o).contains("implausible ANC"), "{}", stderr(&o));
    let out = f.with_file_name("r.html");
    let o = run(&["report", p(&f), "--out", p(&out)]);
    assert!(stderr(&o).contains("implausible ANC"), "{}", stderr(&o));
    // The plausible course: no warning.
    let o = run(&["grade", p(&course()), "--only", "engraftment"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

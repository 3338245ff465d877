//! `graftwatch course validate|show|convert` end to end: exit codes, stdout,
//! stderr naming files, nothing written on error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> PathBuf {
    root().join("docs/examples").join(name)
}

fn malformed_dir() -> PathBuf {
    root().join("crates/course/tests/data/malformed")
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    bin().args(args).output().expect("runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("course_cli");
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn validate_ok_prints_counts() {
    let f = example("course-full.json");
    let m = example("course-minimal.csv");
    let o = run(&[
        "course".as_ref(),
        "validate".as_ref(),
        f.as_os_str(),
        m.as_os_str(),
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("course-full.json: ok (16 events, 21 observations, 0 warnings)"),
        "{out}"
    );
    assert!(
        out.contains("course-minimal.csv: ok (1 event, 2 observations, 0 warnings)"),
        "{out}"
    );
}

#[test]
fn validate_prints_warnings_and_stays_valid() {
    let p = tmp("warn.json");
    let t = std::fs::read_to_string(example("course-minimal.json"))
        .unwrap()
        .replace(
            r#""value": 1.1, "unit": "10^9/L""#,
            r#""value": 150, "unit": "10^9/L""#,
        );
    std::fs::write(&p, t).unwrap();
    let o = run(&["course".as_ref(), "validate".as_ref(), p.as_os_str()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(", 1 warning)") && out.contains("warning:") && out.contains("implausible ANC"),
        "{out}"
    );
}

#[test]
fn every_malformed_file_exits_2_naming_the_file() {
    let mut n = 0;
    for e in std::fs::read_dir(malformed_dir()).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "expect") {
            continue;
        }
        n += 1;
        let first = std::fs::read_to_string(format!("{}.expect", p.display()))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        let o = run(&["course".as_ref(), "validate".as_ref(), p.as_os_str()]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", p.display());
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(err.contains(&name) && err.contains(&first), "{name}: {err}");
        assert!(text(&o.stdout).is_empty(), "{name}");
    }
    assert!(n >= 20);
}

#[test]
fn validate_reports_every_file_separately() {
    let good = example("course-minimal.json");
    let a = malformed_dir().join("json-negative-count.json");
    let b = malformed_dir().join("csv-unknown-unit.csv");
    let o = run(&[
        "course".as_ref(),
        "validate".as_ref(),
        a.as_os_str(),
        good.as_os_str(),
        b.as_os_str(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("2 of 3 course files are invalid"), "{err}");
    assert!(
        err.contains("json-negative-count.json: line 14")
            && err.contains("csv-unknown-unit.csv: line 12"),
        "{err}"
    );
    assert!(text(&o.stdout).contains("course-minimal.json: ok"));
}

#[test]
fn validate_missing_file_and_unknown_type_exit_2() {
    let o = run(&[
        "course".as_ref(),
        "validate".as_ref(),
        "no/such/file.json".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no/such/file.json"));
    let o = run(&[
        "course".as_ref(),
        "validate".as_ref(),
        "course.txt".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("expected a .json or .csv file"));
}

#[test]
fn show_prints_an_aligned_timeline() {
    let f = example("course-full.json");
    let o = run(&["course".as_ref(), "show".as_ref(), f.as_os_str()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Day 0 of HCT: both grafts; the ANC of day +11 in ×10⁹/L from 600 /µL.
    let d0 = out.lines().find(|l| l.contains("2023-08-28")).unwrap();
    assert!(
        d0.starts_with("day 0 after HCT")
            && d0.contains("graft UCB UCB-1")
            && d0.contains("graft PBSC PBSC-1"),
        "{d0}"
    );
    let d11 = out.lines().find(|l| l.contains("2023-09-08")).unwrap();
    assert!(
        d11.starts_with("day +11 after HCT")
            && d11.contains("0.6")
            && d11.contains("18")
            && d11.contains("8.2"),
        "{d11}"
    );
    // Before the HCT, days count from the CAR-T infusion.
    assert!(
        out.lines()
            .any(|l| l.starts_with("day +2 after CAR-T") && l.contains("2023-06-08")),
        "{out}"
    );
    // Drugs with their duration; chimerism per lineage and person; GVHD.
    assert!(
        out.contains("methylprednisolone 2 mg/kg/d until 2023-11-15 (44 d)"),
        "{out}"
    );
    assert!(out.contains("tacrolimus 0.03 mg/kg/d (ongoing)"), "{out}");
    assert!(
        out.contains(
            "chimerism T cells (CD3+): UCB-1 62%, PBSC-1 30%, recipient 8%; myeloid cells (CD33+): UCB-1 97%, recipient 3%"
        ),
        "{out}"
    );
    assert!(
        out.contains("GVHD: rash body surface area 40% (gvhd)"),
        "{out}"
    );
    // The date column is aligned: same position on every day line.
    let cols: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("day "))
        .map(|l| l.find("20").unwrap())
        .collect();
    assert!(cols.windows(2).all(|w| w[0] == w[1]), "{out}");
}

#[test]
fn show_filters_days_and_changes_anchor() {
    let f = example("course-full.json");
    let o = run(&[
        "course".as_ref(),
        "show".as_ref(),
        f.as_os_str(),
        "--from".as_ref(),
        "-1".as_ref(),
        "--to".as_ref(),
        "+13".as_ref(),
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let days: Vec<&str> = out.lines().filter(|l| l.starts_with("day ")).collect();
    // -1 (weight), 0, +2, +5, +11, +12, +13; tacrolimus (day -3) is out.
    assert_eq!(days.len(), 7, "{out}");
    assert!(days[0].starts_with("day -1 after HCT"), "{out}");
    assert!(days.last().unwrap().contains("2023-09-10"), "{out}");
    let o = run(&[
        "course".as_ref(),
        "show".as_ref(),
        f.as_os_str(),
        "--anchor".as_ref(),
        "dli".as_ref(),
        "--from".as_ref(),
        "0".as_ref(),
    ]);
    let out = text(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("day 0 after DLI 1") && l.contains("DLI PBSC-1")),
        "{out}"
    );
    let m = example("course-minimal.json");
    let o = run(&[
        "course".as_ref(),
        "show".as_ref(),
        m.as_os_str(),
        "--anchor".as_ref(),
        "car-t".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no car-t event"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn convert_round_trips_and_refuses_to_overwrite() {
    let f = example("course-full.json");
    let csv = tmp("full.csv");
    let json = tmp("full-back.json");
    let o = run(&[
        "course".as_ref(),
        "convert".as_ref(),
        f.as_os_str(),
        csv.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&[
        "course".as_ref(),
        "convert".as_ref(),
        csv.as_os_str(),
        json.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let a = graftwatch_course::read_course(&f).unwrap().course;
    let b = graftwatch_course::read_course(&json).unwrap().course;
    assert_eq!(a, b);
    // Refuses to overwrite; the file is left as it was.
    let before = std::fs::read(&csv).unwrap();
    let o = run(&[
        "course".as_ref(),
        "convert".as_ref(),
        json.as_os_str(),
        csv.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    let o = run(&[
        "course".as_ref(),
        "convert".as_ref(),
        "--force".as_ref(),
        json.as_os_str(),
        csv.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn convert_writes_nothing_on_bad_input() {
    let bad = malformed_dir().join("json-unknown-unit.json");
    // Its own directory: other tests write (atomically, through temporary
    // files) into the shared one while this one looks for leftovers.
    let dir = tmp("convert-bad-input");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("never.csv");
    let o = run(&[
        "course".as_ref(),
        "convert".as_ref(),
        bad.as_os_str(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("json-unknown-unit.json"));
    assert!(!out.exists());
    let o = run(&[
        "course".as_ref(),
        "convert".as_ref(),
        example("course-full.json").as_os_str(),
        dir.join("x.xlsx").as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("expected a .json or .csv"));
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

/// `GRAFTWATCH_TODAY` that is not a date is refused (exit 2, naming the
/// value), not ignored in favour of the system clock; a date is taken.
#[test]
fn a_bad_graftwatch_today_is_refused() {
    let course = root().join("examples/seed-case/course.json");
    let o = bin()
        .env("GRAFTWATCH_TODAY", "2026-13-01")
        .args(["course", "validate"])
        .arg(&course)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("GRAFTWATCH_TODAY = '2026-13-01': expected a date YYYY-MM-DD"),
        "{}",
        text(&o.stderr)
    );
    let o = bin()
        .env("GRAFTWATCH_TODAY", "2026-12-05")
        .args(["course", "validate"])
        .arg(&course)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// Warnings about the course as read reach the grading JSON
/// (`input_warnings`), not only standard error.
#[test]
fn grading_json_carries_the_input_warnings() {
    let course = root().join("examples/seed-case/course.json");
    let run = |today: &str| {
        let o = bin()
            .env("GRAFTWATCH_TODAY", today)
            .args(["grade", "--format", "json"])
            .arg(&course)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let w = run("2024-06-01")["input_warnings"].clone();
    assert!(
        w[0].as_str()
            .unwrap()
            .contains("records are dated after today"),
        "{w}"
    );
    assert!(run("2026-12-05").get("input_warnings").is_none());
}

//! `graftwatch decide` end to end on the bundled seed case.

use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
}

/// `graftwatch decide ARGS… SEED-CASE`.
fn decide_seed(args: &[&str]) -> Output {
    bin().arg("decide").args(args).arg(seed()).output().unwrap()
}

/// Asserts that `out` is a success, showing its standard error otherwise.
fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn seed() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json")
}

#[test]
fn decision_trail_at_each_dli_of_the_seed_case() {
    let out = decide_seed(&["--format", "json"]);
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "graftwatch-decision/1");
    let course: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(seed()).unwrap()).unwrap();
    let dlis: Vec<(&str, f64)> = course["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "dli")
        .map(|e| {
            (
                e["date"].as_str().unwrap(),
                e["cd3_per_kg"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(!dlis.is_empty());
    let a = v["assessments"].as_array().unwrap();
    for (date, dose) in &dlis {
        let at = a
            .iter()
            .find(|x| x["on"] == *date)
            .expect("an assessment at each DLI date");
        assert_eq!(at["criteria_met"], true, "{}", at["summary"]);
        // The cord unit cannot give lymphocytes; the PBSC donor's plan starts at the dose given.
        assert_eq!(at["excluded_donors"][0][0], "UCB-1");
        let step1 = at["plans"][0]["steps"][0]["cd3_per_kg"].as_f64().unwrap();
        assert!(
            (step1 - dose).abs() / dose < 1e-9,
            "plan {step1} vs given {dose} on {date}"
        );
    }
}

#[test]
fn on_accepts_a_transplant_day_and_rejects_garbage() {
    let out = decide_seed(&["--on", "+92"]);
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("day +92 after HCT"), "{text}");
    assert!(text.contains("Not an order"), "{text}");
    let out = decide_seed(&["--on", "next-tuesday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("next-tuesday"));
}

#[test]
fn on_far_outside_the_calendar_is_bad_input_not_a_wrapped_date() {
    for on in [
        "+2147483647",
        "-2147483648",
        "+99999999999999999999",
        "+80000",
    ] {
        let out = decide_seed(&["--on", on]);
        assert_eq!(out.status.code(), Some(2), "--on {on}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(on.trim_start_matches('+')), "--on {on}: {err}");
        assert!(out.stdout.is_empty(), "--on {on} printed a result");
    }
}

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("gw-decide-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn seed_json() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(seed()).unwrap()).unwrap()
}

fn write_course(dir: &std::path::Path, v: &serde_json::Value) -> std::path::PathBuf {
    let p = dir.join("course.json");
    std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
    p
}

fn decide_json(course: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = bin()
        .args(["decide", "--format", "json"])
        .arg(course)
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn seed_without_gvhd_findings_cannot_be_determined() {
    let dir = tmp_dir("nogvhd");
    let mut v = seed_json();
    v["observations"].as_array_mut().unwrap().retain(|o| {
        let k = o["kind"].as_str().unwrap();
        !(k.starts_with("skin_")
            || k.starts_with("stool_")
            || k.starts_with("upper_gi")
            || k.starts_with("cgvhd_")
            || k == "abdominal_pain_severe"
            || k == "ileus")
    });
    let c = write_course(&dir, &v);
    let j = decide_json(&c, &[]);
    for a in j["assessments"].as_array().unwrap() {
        assert_ne!(a["criteria_met"], true, "{}", a["summary"]);
        assert_ne!(a["outcome"], "criteria_met", "{}", a["summary"]);
    }
    let first = &j["assessments"][0];
    assert_eq!(
        first["outcome"], "cannot_be_determined",
        "{}",
        first["summary"]
    );
    assert!(
        first["summary"]
            .as_str()
            .unwrap()
            .contains("no GVHD assessment since"),
        "{}",
        first["summary"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn on_years_after_the_last_record_is_undetermined_without_evidence() {
    let j = decide_json(&seed(), &["--on", "+2000"]);
    let a = &j["assessments"][0];
    assert_eq!(a["day"], 2000);
    // Years-old normal chimerism, MRD and marrow decide nothing (engine
    // decision 14): every trigger is unknown, the answer undetermined.
    assert_eq!(a["outcome"], "cannot_be_determined", "{}", a["summary"]);
    for t in a["triggers"].as_array().unwrap() {
        assert!(t["met"].is_null(), "{}: {}", t["name"], t["reason"]);
        assert!(t["reason"].as_str().unwrap().contains("within 90 days"));
    }
    // The last record's own day is still assessed on its results.
    let last = decide_json(&seed(), &["--on", "2025-04-29"]);
    let l = &last["assessments"][0];
    assert_eq!(l["outcome"], "criteria_not_met", "{}", l["summary"]);
    for t in l["triggers"].as_array().unwrap() {
        assert_eq!(t["met"], false, "{}: {}", t["name"], t["reason"]);
    }
    for p in a["prerequisites"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        if name.contains("GVHD") || name.contains("infection") {
            assert!(p["met"].is_null(), "{name}: {}", p["reason"]);
        }
    }
}

#[test]
fn car_t_only_course_is_not_applicable_exit_0() {
    let dir = tmp_dir("cart");
    let v = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": "C1", "sex": "female", "birth_year": 1980,
                    "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
        "events": [{"date": "2024-03-04", "kind": "car_t_infusion", "target": "CLL1", "product": "x"}],
        "observations": [{"date": "2024-03-10", "kind": "anc", "value": 1.0, "unit": "10^9/L"}]
    });
    let c = write_course(&dir, &v);
    for extra in [&[][..], &["--on", "+30"][..], &["--on", "2024-03-20"][..]] {
        let j = decide_json(&c, extra);
        assert!(j["assessments"].as_array().unwrap().is_empty());
        let na = j["not_applicable"][0]["reason"].as_str().unwrap();
        assert!(
            na.contains("no transplant") && na.contains("DLI not applicable"),
            "{na}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the binary with a deadline: an absurd dose must never make it spin.
fn run_with_deadline(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut child = bin()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{args:?} did not finish within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn absurd_dli_doses_are_rejected_by_decide_report_and_demo() {
    let dir = tmp_dir("dose");
    for dose in [0.0, -1e5, 1e308, 5e9] {
        let mut v = seed_json();
        for e in v["events"].as_array_mut().unwrap() {
            if e["kind"] == "dli" {
                e["cd3_per_kg"] = serde_json::json!(dose);
            }
        }
        let c = write_course(&dir, &v);
        let out_html = dir.join("r.html");
        let demo_dir = dir.join("demo");
        let runs: Vec<Vec<&std::ffi::OsStr>> = vec![
            vec!["decide".as_ref(), c.as_os_str()],
            vec![
                "report".as_ref(),
                c.as_os_str(),
                "--out".as_ref(),
                out_html.as_os_str(),
            ],
            vec![
                "demo".as_ref(),
                "--course".as_ref(),
                c.as_os_str(),
                "--out".as_ref(),
                demo_dir.as_os_str(),
            ],
        ];
        for args in runs {
            let o = run_with_deadline(&args);
            assert_eq!(o.status.code(), Some(2), "{dose} {args:?}");
            let e = String::from_utf8_lossy(&o.stderr);
            assert!(
                e.contains("course.json") && e.contains("cd3_per_kg") && e.contains("1e9"),
                "{dose}: {e}"
            );
        }
        assert!(!out_html.exists(), "nothing written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn decide_reads_the_windows_from_config() {
    let dir = tmp_dir("cfg");
    // The pre-DLI examination is one day before each DLI: a 0-day GVHD
    // window makes the first DLI undeterminable.
    let cfg = dir.join("c.toml");
    std::fs::write(&cfg, "[dli]\ngvhd_assessment_window_days = 0\n").unwrap();
    let j = decide_json(
        &seed(),
        &["--on", "2024-07-30", "--config", cfg.to_str().unwrap()],
    );
    assert_eq!(j["assessments"][0]["outcome"], "cannot_be_determined");
    std::fs::write(&cfg, "[dli]\ngvhd_assessment_window_days = 1\n").unwrap();
    let j = decide_json(
        &seed(),
        &["--on", "2024-07-30", "--config", cfg.to_str().unwrap()],
    );
    assert_eq!(
        j["assessments"][0]["outcome"], "criteria_met",
        "{}",
        j["assessments"][0]["summary"]
    );
    std::fs::write(&cfg, "[dli]\nno_such_key = 1\n").unwrap();
    let o = bin()
        .args(["decide", "--config"])
        .arg(&cfg)
        .arg(seed())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("no_such_key") && e.contains("c.toml"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_print_is_read_back_by_every_command() {
    let o = bin().args(["config", "print"]).output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("[dli]") && text.contains("[alerts]") && text.contains("[agvhd]"));
    let alias = bin()
        .args(["grade", "--print-default-config"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&alias.stdout),
        text,
        "alias prints the same"
    );
    let dir = tmp_dir("print");
    let cfg = dir.join("default.toml");
    std::fs::write(&cfg, &text).unwrap();
    let out = dir.join("r.json");
    for args in [
        vec![
            "grade",
            seed().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ],
        vec![
            "decide",
            seed().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ],
        vec![
            "report",
            seed().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let o = bin().args(&args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A treatment entered with its planned end (here an antifungal course to
/// 60 days after the last record) does not move the default assessment to
/// that day: without `--on` the last assessment is on the last record
/// (observation or event start), where the counts are, not on a day with
/// nothing seen yet ("cannot be determined").
#[test]
fn a_planned_end_date_does_not_move_the_default_assessment_day() {
    let dir = tmp_dir("planned-end");
    let mut v = seed_json();
    let last = "2025-05-24";
    v["events"].as_array_mut().unwrap().push(serde_json::json!({
        "date": last, "end_date": "2025-07-23", "kind": "drug",
        "name": "posaconazole", "class": "antimicrobial",
        "dose": 300, "dose_unit": "mg/d"
    }));
    let c = write_course(&dir, &v);
    let j = decide_json(&c, &[]);
    let a = j["assessments"].as_array().unwrap();
    let final_day = a.last().expect("an assessment");
    assert_eq!(final_day["on"], last, "{}", final_day["summary"]);
    assert_eq!(
        final_day["outcome"], "criteria_not_met",
        "{}",
        final_day["summary"]
    );
    assert!(a.iter().all(|x| x["on"] != "2025-07-23"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PBSC transplant from an unrelated donor on 2024-05-01, no count
/// recovery, death from sepsis on 2024-05-26 (day +25).
fn died_before_engraftment() -> tempfile::NamedTempFile {
    let mut obs = Vec::new();
    for day in 1..=25 {
        let date = "2024-05-01"
            .parse::<graftwatch_core::Date>()
            .unwrap()
            .add_days(day)
            .to_string();
        obs.push(serde_json::json!({"date": date, "kind": "anc", "value": 0.05, "unit": "10^9/L"}));
        obs.push(
            serde_json::json!({"date": date, "kind": "platelets", "value": 8, "unit": "10^9/L"}),
        );
    }
    let course = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": "P-DIED", "sex": "male", "birth_year": 1970,
            "diagnosis": {"disease": "aml", "date": "2024-01-10"}},
        "donors": [{"id": "MUD-1", "relationship": "matched_unrelated", "hla_match": "10/10"}],
        "events": [
            {"date": "2024-05-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1", "cd34_per_kg": 5.0e6},
            {"date": "2024-05-26", "kind": "death", "cause": "sepsis"}
        ],
        "observations": obs
    });
    let f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(f.path(), course.to_string()).unwrap();
    f
}

#[test]
fn after_a_death_decide_gives_no_plan_and_grade_censors_at_death() {
    let f = died_before_engraftment();
    for on in [None, Some("+100"), Some("2024-05-26")] {
        let mut cmd = bin();
        cmd.arg("decide").arg(f.path());
        if let Some(on) = on {
            cmd.args(["--on", on]);
        }
        let out = cmd.output().unwrap();
        assert_success(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("patient died on 2024-05-26"),
            "{on:?}: {text}"
        );
        assert!(text.contains("DLI not applicable"), "{on:?}: {text}");
        assert!(!text.contains("step 1"), "{on:?}: {text}");
        assert!(!text.contains("[met]"), "{on:?}: {text}");
    }
    // The day before the death is still assessed.
    let out = bin()
        .arg("decide")
        .arg(f.path())
        .args(["--on", "2024-05-25"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("patient died"));
    let out = bin().arg("grade").arg(f.path()).output().unwrap();
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .to_string()
    };
    let want = "not evaluable: death on day +25 before neutrophil engraftment (censored at death)";
    assert!(line("Primary graft failure").contains(want), "{text}");
    assert!(line("Neutrophil engraftment").contains(want), "{text}");
    assert!(!text.contains("ANC from day +26"), "{text}");
}

/// A course whose T-cell (CD3) sample on 2024-07-30 (day +90) is `donor` %
/// donor; myeloid cells 99 % donor.
fn cd3_donor_share(donor: f64) -> tempfile::NamedTempFile {
    let share = |lineage: &str, person: &str, v: f64| {
        serde_json::json!({"date": "2024-07-30", "kind": "chimerism", "value": v, "unit": "%",
            "lineage": lineage, "person": person, "method": "str", "sample": "S90"})
    };
    let course = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": "P-CHIM", "sex": "male", "birth_year": 1970,
            "diagnosis": {"disease": "aml", "date": "2024-01-10"}},
        "donors": [{"id": "MUD-1", "relationship": "matched_unrelated", "hla_match": "10/10"}],
        "events": [
            {"date": "2024-05-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1", "cd34_per_kg": 5.0e6}
        ],
        "observations": [
            share("cd3", "MUD-1", donor),
            share("cd3", "recipient", ((100.0 - donor) * 10.0).round() / 10.0),
            share("myeloid", "MUD-1", 99.0),
            share("myeloid", "recipient", 1.0)
        ]
    });
    let f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(f.path(), course.to_string()).unwrap();
    f
}

/// E-5 on both sides of the boundary, in both commands: full donor is
/// above 95 % (ASTCT), so 95.0 % is mixed in `grade` and a mixed-chimerism
/// trigger in `decide`; 95.1 % is full donor in both.
#[test]
fn donor_95_percent_is_mixed_in_grade_and_decide_alike() {
    for (donor, mixed) in [(94.9, true), (95.0, true), (95.1, false)] {
        let f = cd3_donor_share(donor);
        let out = bin()
            .arg("grade")
            .arg(f.path())
            .args(["--only", "chimerism", "--format", "json"])
            .output()
            .unwrap();
        assert_success(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        let grade_mixed = text.contains("lymphoid mixed");
        assert_eq!(grade_mixed, mixed, "grade at {donor} %: {text}");
        let out = bin()
            .arg("decide")
            .arg(f.path())
            .args(["--on", "2024-07-30", "--format", "json"])
            .output()
            .unwrap();
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let t = v["assessments"][0]["triggers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "mixed chimerism, T cells (CD3+)")
            .cloned()
            .unwrap();
        assert_eq!(t["met"], mixed, "decide at {donor} %: {t}");
    }
}

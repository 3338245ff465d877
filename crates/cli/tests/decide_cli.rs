//! `graftwatch decide` end to end on the bundled seed case.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
}

fn seed() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json")
}

#[test]
fn decision_trail_at_each_dli_of_the_seed_case() {
    let out = bin()
        .args(["decide", "--format", "json"])
        .arg(seed())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let out = bin()
        .args(["decide", "--on", "+92"])
        .arg(seed())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("day +92 after HCT"), "{text}");
    assert!(text.contains("Not an order"), "{text}");
    let out = bin()
        .args(["decide", "--on", "next-tuesday"])
        .arg(seed())
        .output()
        .unwrap();
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
        let out = bin()
            .args(["decide", "--on", on])
            .arg(seed())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--on {on}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(on.trim_start_matches('+')), "--on {on}: {err}");
        assert!(out.stdout.is_empty(), "--on {on} printed a result");
    }
}

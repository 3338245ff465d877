//! Inputs the fuzz campaigns (docs/fuzzing.md) found, kept as regressions.

use std::path::Path;
use std::time::{Duration, Instant};

/// `course_json` campaign, 2026-12-03: a 23 kB course whose one event holds
/// thousands of unknown keys took 10.4 s (instrumented build): every
/// diagnostic's line lookup rescanned the whole event. Each element is now
/// scanned once. The bound is the fuzz campaigns' hang limit (10 s) with a
/// debug build's margin; the fixed code takes milliseconds.
#[test]
fn many_unknown_keys_in_one_event_do_not_hang() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz/course_json-timeout-5d55c7ea.json");
    let bytes = std::fs::read(&p).expect("fixture present (a missing fixture fails the test)");
    let text = String::from_utf8_lossy(&bytes);
    let t = Instant::now();
    let r = graftwatch_course::io::read_json_str(&text, &p);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    assert!(r.is_err(), "the fuzzed course is not a valid course");
}

/// The same shape at scale: one event with 20,000 unknown keys (~400 kB).
/// Rescanning the event for each of the 20,000 diagnostics was quadratic
/// (minutes); one scan per element keeps it linear.
#[test]
fn twenty_thousand_unknown_keys_in_one_event_stay_linear() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let mut course: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&seed).expect("seed case present"))
            .expect("seed case is JSON");
    let event = &mut course["events"][0];
    for i in 0..20_000 {
        event[format!("unknown_key_{i}")] = serde_json::Value::from(i);
    }
    let text = serde_json::to_string_pretty(&course).expect("JSON");
    let t = Instant::now();
    let r = graftwatch_course::io::read_json_str(&text, &seed);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    let e = r.expect_err("unknown keys are refused");
    assert!(e.to_string().contains("unknown_key_"), "{e}");
}

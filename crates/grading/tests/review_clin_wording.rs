//! Clinician review (review-clin S6, S8, S10): reasons that say why.

mod common;

use std::path::Path;

use common::{CourseBuilder, gvhd_day, hct};
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};

fn seed() -> graftwatch_grading::CourseGrades {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let c = graftwatch_course::read_course(&p).expect("seed").course;
    grade_course_only(
        &c,
        &GradingConfig::default(),
        &[Criterion::Eln, Criterion::Agvhd],
    )
}

/// S8: a remission after first-line induction (2022) means not refractory,
/// though the response landmark (two intensive courses) was never reached.
#[test]
fn a_remission_after_first_induction_is_not_refractory() {
    let g = seed();
    let i = g.item("refractory").expect("refractory item");
    assert_eq!(i.value, Some(serde_json::json!(false)), "{}", i.result);
    assert!(
        i.result.starts_with("not refractory: ") && i.result.contains("on 2022-06-20"),
        "{}",
        i.result
    );
    assert!(
        i.result.contains("first-line therapy from 2022-05-18"),
        "{}",
        i.result
    );
}

/// S6: "not steroid-refractory" says when the clock started (the definition
/// dose), that the rise before it does not count, and names second-line
/// therapy; NR reads "no response".
#[test]
fn not_steroid_refractory_says_why() {
    let g = seed();
    let i = g
        .item("agvhd_treatment_response")
        .expect("treatment response");
    let r = &i.result;
    assert!(
        r.contains("not steroid-refractory: the clock starts at ≥ 2 mg/kg/day prednisone equivalent (A-13), from 2024-09-28"),
        "{r}"
    );
    assert!(r.contains("a rise before the clock does not count"), "{r}");
    assert!(r.contains("second-line therapy from 2024-09-30"), "{r}");
    assert!(r.contains("day-28 response: no response"), "{r}");
    assert!(!r.contains(" NR"), "{r}");
}

/// S10: an unattributed bilirubin not staged as GVHD is named in the day's
/// reason, not only in the global flag.
#[test]
fn an_unstaged_bilirubin_is_named_in_the_day_reason() {
    // grade I on 05-20 (skin), then on 06-10 skin 0, stool 100 mL and an
    // unattributed bilirubin 3.05 mg/dL with no skin or GI GVHD nearby
    let c = hct(CourseBuilder::new(), "2024-05-01").num("2024-05-01", "weight", 70.0, "kg");
    let c = gvhd_day(c, "2024-05-20", 10.0, 0.8, 100.0);
    let c = c
        .num("2024-06-10", "skin_rash_bsa", 0.0, "%")
        .flag("2024-06-10", "upper_gi_persistent", false)
        .num("2024-06-10", "stool_volume", 100.0, "mL")
        .num("2024-06-10", "bilirubin", 3.05, "mg/dL")
        .build();
    let g = grade_course_only(&c, &GradingConfig::default(), &[Criterion::Agvhd]);
    let day = g
        .timeline
        .iter()
        .find(|d| d.date.to_string() == "2024-06-10")
        .and_then(|d| d.entries.iter().find(|e| e.criterion == Criterion::Agvhd));
    let reason = day.map(|e| e.reason.clone()).unwrap_or_default();
    assert!(
        reason.contains(
            "liver not staged: bilirubin 3.05 mg/dL on 2024-06-10 without GVHD attribution"
        ) && reason.contains("(A-8)"),
        "{reason:?}"
    );
}

/// M3: counts read in the right number, not "remission(s)".
#[test]
fn counts_read_singular_and_plural() {
    let g = seed();
    let i = g.item("response_timeline").expect("timeline");
    assert_eq!(i.explanation.reason, "3 remissions, 2 relapses");
}

/// M2/item 6: the reasons, results, flags and day reasons of the seed case
/// write comparisons as ≥ / ≤, never ">=" / "<=".
#[test]
fn reasons_write_comparisons_one_way() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let c = graftwatch_course::read_course(&p).expect("seed").course;
    let g = grade_course_only(&c, &GradingConfig::default(), &Criterion::ALL);
    let mut texts: Vec<String> = Vec::new();
    for i in &g.summary {
        texts.push(i.result.clone());
        texts.push(i.explanation.reason.clone());
        texts.extend(i.explanation.flags.iter().map(|f| f.text.clone()));
    }
    for d in &g.timeline {
        texts.extend(d.entries.iter().map(|e| e.reason.clone()));
    }
    let bad: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains(">=") || t.contains("<="))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

//! Clinician review (review-clin M3, remaining items): poor graft function
//! beside a primary graft failure, the carry-forward flag without acute
//! GVHD data, and the table wording.

mod common;

use common::{CourseBuilder, gvhd_day, hct};
use graftwatch_grading::output::ItemStatus;
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};

/// HCT on 2024-05-01 and 46 daily counts: ANC from `anc`, platelets 8 and
/// haemoglobin 6.5 g/dL throughout.
fn counts(anc: &[f64]) -> CourseBuilder {
    hct(CourseBuilder::new(), "2024-05-01")
        .daily("2024-05-01", "anc", "10^9/L", anc)
        .daily("2024-05-01", "platelets", "10^9/L", &[8.0; 46])
        .daily("2024-05-01", "hemoglobin", "g/dL", &[6.5; 46])
}

/// M3: a patient who meets primary graft failure (never engrafted) reads
/// "not applicable" for poor graft function, naming the dated failure; a
/// patient who engrafted and lost counts is assessed as before.
#[test]
fn poor_graft_function_is_not_applicable_after_primary_graft_failure() {
    let never = counts(&[0.1; 46]).build();
    let g = grade_course_only(&never, &GradingConfig::default(), &Criterion::ALL);
    let pgf = g
        .item("primary_graft_failure")
        .expect("primary graft failure");
    assert!(
        pgf.result.starts_with("primary graft failure"),
        "{}",
        pgf.result
    );
    let p = g.item("poor_graft_function").expect("poor graft function");
    assert_eq!(p.status, ItemStatus::NotApplicable, "{}", p.result);
    assert_eq!(
        p.result,
        "not applicable: primary graft failure is met (no ANC ≥ 0.5 ×10⁹/L by day +30, 2024-05-31); poor graft function presupposes engraftment"
    );
    // engrafted on days +10..+24, cytopenic again from day +25
    let mut anc = vec![0.1; 10];
    anc.extend([1.0; 15]);
    anc.extend([0.1; 21]);
    let lost = counts(&anc).build();
    let g = grade_course_only(&lost, &GradingConfig::default(), &Criterion::ALL);
    let pgf = g
        .item("primary_graft_failure")
        .expect("primary graft failure");
    assert!(
        pgf.result.starts_with("no primary graft failure"),
        "{}",
        pgf.result
    );
    let p = g.item("poor_graft_function").expect("poor graft function");
    assert!(!p.result.contains("primary graft failure"), "{}", p.result);
    assert_ne!(p.status, ItemStatus::NotApplicable, "{}", p.result);
}

/// M3: the carry-forward flag is about carrying assessments forward; with
/// no acute GVHD data after the transplant it is left out.
#[test]
fn no_carry_flag_without_acute_gvhd_data() {
    let has_carry = |c: &graftwatch_course::Course| {
        let g = grade_course_only(c, &GradingConfig::default(), &[Criterion::Agvhd]);
        let i = g.item("agvhd_max_grade").expect("aGVHD maximum");
        i.explanation.flags.iter().any(|f| f.code == "CARRY")
    };
    let none = hct(CourseBuilder::new(), "2024-05-01")
        .num("2024-05-02", "anc", 1.0, "10^9/L")
        .build();
    assert!(!has_carry(&none));
    let one_day = gvhd_day(
        hct(CourseBuilder::new(), "2024-05-01"),
        "2024-05-20",
        10.0,
        0.8,
        100.0,
    )
    .num("2024-05-01", "weight", 70.0, "kg")
    .build();
    assert!(has_carry(&one_day));
}

/// M3 wording of the seed case's table output: no nested brackets in the
/// response timeline, the HCT-CI/age group in words, and a legend that
/// expands the abbreviations used (from the glossary the report uses).
#[test]
fn table_output_reads_without_nested_labels_and_expands_abbreviations() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seed-case/course.json");
    let c = graftwatch_course::read_course(&p).expect("seed").course;
    let t = graftwatch_grading::render::table(&graftwatch_grading::grade_course(
        &c,
        &GradingConfig::default(),
    ));
    assert!(
        t.contains("; remission 2: morphologic remission (marrow blasts < 5 %; "),
        "{t}"
    );
    assert!(t.contains("; remission 3: CRh 2024-05-27"), "{t}");
    assert!(!t.contains("remission 2 ("), "{t}");
    assert!(t.contains("HCT-CI/age 1 (risk group 0–2)"), "{t}");
    assert!(!t.contains("(group 0-2"), "{t}");
    let legend = t
        .split("\nAbbreviations\n")
        .nth(1)
        .expect("legend at the end");
    for line in [
        "  EMD     extramedullary disease",
        "  CRh     CR with partial haematological recovery",
        "  MLFS    morphologic leukaemia-free state",
        "  ICAHT   immune effector cell-associated haematotoxicity",
        "  HCT-CI  HCT-specific comorbidity index",
    ] {
        assert!(legend.lines().any(|l| l == line), "{line}\n{legend}");
    }
    // only what the output uses: no NR left in the text, so none in the legend
    assert!(!legend.contains("no response"), "{legend}");
    // one source of terms with the report's figure caption
    assert!(
        graftwatch_core::glossary::caption("CD3+/CD33+/CD34+/CD56+")
            .contains("CRh, CR with partial haematological recovery;")
    );
}

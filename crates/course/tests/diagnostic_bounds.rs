//! Bad input never takes unbounded memory or output to report (audit
//! 2026-12-06: a header of 2,000,000 unknown columns took 1.5 GB and, as
//! JSON diagnostics, ran past 20 s at 4.9 GB; a 10 MB cell made a 10 MB
//! error line). At most `MAX_KEPT` problems are kept per file, unknown
//! columns are listed up to 20, and values are shown clipped.

use std::path::Path;

use graftwatch_course::diagnostic::{MAX_KEPT, MAX_VALUE_CHARS, clipped};
use graftwatch_course::io_csv::read_csv_str;
use graftwatch_course::{CourseError, Diagnostic};

const SEED: &str = include_str!("../../../examples/seed-case/course.csv");

fn problems(text: &str) -> Vec<Diagnostic> {
    match read_csv_str(text, Path::new("c.csv")) {
        Err(CourseError::Invalid(d)) => d,
        other => panic!("expected invalid, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn unknown_columns_are_listed_up_to_20_then_counted() {
    let (header, rest) = SEED.split_once('\n').unwrap();
    let extra: String = (0..5000).map(|i| format!(",c{i}")).collect();
    let d = problems(&format!("{header}{extra}\n{rest}"));
    assert_eq!(d.len(), 21, "{:?}", d.last());
    assert!(d[0].to_string().contains("value 'c0'"), "{}", d[0]);
    assert!(
        d[20].to_string().contains(
            "known columns only: 4980 more unknown columns not listed (the header has 5018 columns; a course CSV has at most 20)"
        ),
        "{}",
        d[20]
    );
}

#[test]
fn at_most_max_kept_problems_then_a_count() {
    let bad_rows: String = (0..MAX_KEPT + 500)
        .map(|i| {
            format!(
                "observation,SEED-AML-01,,2024-06-{:02},,,anc,1.5,furlongs,,,,,,,,,\n",
                1 + i % 28
            )
        })
        .collect();
    let d = problems(&format!("{SEED}{bad_rows}"));
    assert_eq!(d.len(), MAX_KEPT + 1);
    assert!(
        d[MAX_KEPT]
            .to_string()
            .contains("500 more not listed (the first 1000 problems are)"),
        "{}",
        d[MAX_KEPT]
    );
}

#[test]
fn long_values_are_shown_clipped_with_their_length() {
    let long = "x".repeat(1_000_000);
    let d = problems(&format!(
        "{SEED}observation,SEED-AML-01,,2024-06-01,,,anc,{long},10^9/L,,,,,,,,,\n"
    ));
    let line = d[0].to_string();
    assert!(line.len() < 1000, "{} characters", line.len());
    assert!(line.contains("… (1000000 characters)"), "{line}");
    assert_eq!(clipped("short"), "short");
    assert_eq!(
        clipped(&"é".repeat(MAX_VALUE_CHARS)),
        "é".repeat(MAX_VALUE_CHARS)
    );
    assert_eq!(
        clipped(&"é".repeat(MAX_VALUE_CHARS + 1)),
        format!(
            "{}… ({} characters)",
            "é".repeat(MAX_VALUE_CHARS),
            MAX_VALUE_CHARS + 1
        )
    );
}

/// Audit 2026-12-06: `cd34_per_kg = 5.1` (meant as ×10⁶/kg) was read as
/// 5.1 cells/kg without a word. Below 1,000 cells/kg (CD34+, CD3+,
/// CAR-T) or 100,000 (TNC) it is kept with a warning; at the bound, none.
#[test]
fn a_cell_dose_in_millions_is_warned_about() {
    use graftwatch_course::io::read_json_str;
    let seed = include_str!("../../../examples/seed-case/course.json");
    let warned = |text: &str| {
        read_json_str(text, Path::new("c.json"))
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.to_string().contains("implausibly small"))
    };
    assert!(!warned(seed));
    let small = seed.replacen("\"cd34_per_kg\": 5200000.0", "\"cd34_per_kg\": 5.1", 1);
    assert!(small != seed, "replacement not found");
    assert!(warned(&small));
    let w = read_json_str(&small, Path::new("c.json")).unwrap().warnings;
    let w = w
        .iter()
        .find(|w| w.to_string().contains("implausibly small"))
        .unwrap();
    assert!(
        w.to_string()
            .contains("5.1 cells/kg is implausibly small (below 1e3); was it written in ×10⁶/kg (5.1e6 cells/kg)?"),
        "{w}"
    );
    let at_bound = seed.replacen("\"cd34_per_kg\": 5200000.0", "\"cd34_per_kg\": 1000", 1);
    assert!(!warned(&at_bound));
}

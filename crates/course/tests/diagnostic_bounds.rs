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
            .contains("500 more not listed (the first 1000 are)"),
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

//! Thrombocytopenia companion grading (T-ICAHT table), from raw dated
//! platelet counts.
//!
//! | Phase | Grade 1 | Grade 2 | Grade 3 | Grade 4 |
//! |---|---|---|---|---|
//! | Early (day 0–30) | < 50 for 1–6 days | < 50 for ≥ 7 days | < 20 for 1–13 days | < 20 for ≥ 14 days |
//! | Late (day 31–100) | < 100 | < 50 | < 20 for 1–13 days | < 20 for ≥ 14 days |
//!
//! Thresholds are strict (`<`). Durations follow the ICAHT counting rules
//! (recoveries < 3 days merged, cumulative by default, T-8 gap rules). Late
//! grades need ≥ 2 daily values meeting the threshold (engine decision 5
//! applied by analogy, flagged). Counts are taken as reported: transfusion
//! support is not removed (the T-ICAHT table does not say how; flagged).

use graftwatch_core::{Citation, Provenance};
use serde::Serialize;

use crate::day_grid::{Episodes, Scale, build_grid, episodes};
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::icaht::{
    CountCourse, DurationMode, IcahtConfig, IcahtGrade, censoring_flag, early_window,
    late_censoring_flag, two_lowest,
};
use crate::series::{COUNT_UNIT, DayValue, ValueError, daily_minimum, day_offset};

/// Source of the thrombocytopenia grading.
pub const T_ICAHT_CITATION: Citation = Citation {
    source: "T-ICAHT companion thrombocytopenia grading (ASH view-large table 12809257), following Rejeski K et al. Blood 2023",
    year: 2024,
    table: "T-ICAHT grading table",
    doi: None,
    provenance: Provenance::Verified,
    note: "Checked 2026-11-25 against ash-sap.org view-large 12809257: early < 50 for 1-6 d -> 1, >= 7 d -> 2; \
           < 20 for 1-13 d -> 3, >= 14 d -> 4; late < 100 >= 1 -> 1, < 20 1-13 d -> 3, >= 14 d -> 4; cumulative \
           length with non-stable recoveries (< 3 d) counted; late needs >= 2 tests; late limited to day +100. \
           The late '< 50' cell is mis-aligned in the render (read as grade 2) [R].",
};

/// Rule version string.
pub const T_ICAHT_VERSION: &str = "T-ICAHT (graftwatch engine decisions 5, 6 applied by analogy)";

/// Platelet scale: < 50 and < 20 ×10⁹/L, strict.
pub const PLATELET_SCALE: Scale = Scale {
    cuts: [50.0, 20.0],
    inclusive: false,
};

/// Thrombocytopenia grade with its durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlateletToxicity {
    /// The grade.
    pub grade: IcahtGrade,
    /// Merged episodes with platelets < 50.
    pub lt_50: Episodes,
    /// Merged episodes with platelets < 20.
    pub lt_20: Episodes,
    /// Last day graded.
    pub window_end_day: i32,
    /// Late phase only: the second-lowest daily count (the value graded).
    pub second_lowest: Option<DayValue>,
}

/// Early grade from days < 50 and days < 20.
pub fn early_platelet_grade(days_lt_50: u32, days_lt_20: u32) -> IcahtGrade {
    match (days_lt_50, days_lt_20) {
        (_, 14..) => IcahtGrade::Grade4,
        (_, 1..) => IcahtGrade::Grade3,
        (7.., _) => IcahtGrade::Grade2,
        (1.., _) => IcahtGrade::Grade1,
        _ => IcahtGrade::Grade0,
    }
}

/// Late grade from the second-lowest count and the days < 20.
pub fn late_platelet_grade(second_lowest: f64, days_lt_20: u32) -> IcahtGrade {
    if second_lowest < 20.0 {
        if days_lt_20 >= 14 {
            IcahtGrade::Grade4
        } else {
            IcahtGrade::Grade3
        }
    } else if second_lowest < 50.0 {
        IcahtGrade::Grade2
    } else if second_lowest < 100.0 {
        IcahtGrade::Grade1
    } else {
        IcahtGrade::Grade0
    }
}

fn explanation(rule: &'static str, cfg: &IcahtConfig) -> Explanation {
    let mode = match cfg.duration_mode {
        DurationMode::Cumulative => "cumulative",
        DurationMode::LongestEpisode => "longest episode",
    };
    Explanation {
        rule,
        version: T_ICAHT_VERSION,
        citations: vec![T_ICAHT_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![
            Flag::new(
                "T-6",
                format!(
                    "duration = {mode}; recoveries < {} days merged",
                    cfg.min_stable_recovery_days
                ),
            ),
            Flag::new(
                "T-ICAHT-tx",
                "platelet counts used as reported; transfusion support not excluded",
            ),
        ],
    }
}

fn pick(e: &Episodes, cfg: &IcahtConfig) -> u32 {
    match cfg.duration_mode {
        DurationMode::Cumulative => e.cumulative,
        DurationMode::LongestEpisode => e.longest,
    }
}

/// Durations for both grid bounds: ((lt50, lt20) low, (lt50, lt20) high, gaps text, filled).
fn bounded_episodes(
    days: &[DayValue],
    start: i32,
    end: i32,
    cfg: &IcahtConfig,
) -> ([Episodes; 2], [Episodes; 2], Vec<String>, u32) {
    let g = build_grid(
        days,
        start,
        end,
        &PLATELET_SCALE,
        cfg.gap_fill,
        cfg.max_unfilled_gap_days,
    );
    let r = cfg.min_stable_recovery_days;
    let lo = [
        episodes(&g.lo[..g.len], start, 1, r),
        episodes(&g.lo[..g.len], start, 2, r),
    ];
    let hi = [
        episodes(&g.hi[..g.len], start, 1, r),
        episodes(&g.hi[..g.len], start, 2, r),
    ];
    let gaps = g
        .uncertain_gaps()
        .iter()
        .map(|u| {
            format!(
                "platelets between day {:+} and day {:+}",
                u.from_day, u.to_day
            )
        })
        .collect();
    (lo, hi, gaps, g.filled_days)
}

fn span_evidence(days: &[DayValue], e: &Episodes, label: &str, out: &mut Vec<Evidence>) {
    if let Some((s, t)) = e.longest_span {
        for d in [s, t] {
            if let Ok(i) = days.binary_search_by_key(&d, |x| x.day) {
                let v = days[i];
                out.push(Evidence::value(
                    Some(v.date),
                    "platelets",
                    v.value,
                    Some(COUNT_UNIT),
                    format!("day {d:+}: bound of the longest episode {label}"),
                ));
            }
        }
    }
}

/// Early thrombocytopenia (day 0 to +30) from raw platelet counts.
pub fn early_platelet_toxicity(
    course: &CountCourse<'_>,
    cfg: &IcahtConfig,
) -> Result<Graded<PlateletToxicity>, ValueError> {
    let mut ex = explanation("Early thrombocytopenia, T-ICAHT (day 0 to +30)", cfg);
    let (hard_end, fetch_to) = early_window(course);
    let days = daily_minimum("platelets", course.values, course.day0, -7, fetch_to)?;
    let Some(last) = days
        .iter()
        .find(|d| d.day >= 0 && d.day <= hard_end)
        .map(|_| days[days.len() - 1])
    else {
        return Ok(Graded::insufficient(
            ex,
            "no platelet count in day 0 to +30",
            vec!["platelet counts between day 0 and day +30".into()],
        ));
    };
    let end = hard_end.min(last.day);
    if end < 30 {
        ex.flags.push(censoring_flag(course, end, "platelet count"));
    }
    let (lo, hi, gaps, filled) = bounded_episodes(&days, 0, end, cfg);
    if filled > 0 {
        ex.flags.push(Flag::new(
            "T-8",
            format!(
                "{} took the previous count's state (no imputation)",
                graftwatch_core::number::counted(filled, "missing day")
            ),
        ));
    }
    let g_lo = early_platelet_grade(pick(&lo[0], cfg), pick(&lo[1], cfg));
    let g_hi = early_platelet_grade(pick(&hi[0], cfg), pick(&hi[1], cfg));
    if g_lo != g_hi {
        let (low, high) = (g_lo.number(), g_hi.number());
        let reason =
            format!("missing days crossing a threshold could make the grade {low} to {high}");
        return Ok(Graded::insufficient(ex, reason, gaps));
    }
    ex.reason = format!(
        "{} with platelets < 50 and {} < 20 ×10⁹/L: grade {}",
        graftwatch_core::number::counted(pick(&lo[0], cfg) as usize, "day"),
        graftwatch_core::number::counted(pick(&lo[1], cfg) as usize, "day"),
        g_lo.number()
    );
    span_evidence(&days, &lo[0], "< 50", &mut ex.evidence);
    span_evidence(&days, &lo[1], "< 20", &mut ex.evidence);
    Ok(Graded::Value {
        value: PlateletToxicity {
            grade: g_lo,
            lt_50: lo[0],
            lt_20: lo[1],
            window_end_day: end,
            second_lowest: None,
        },
        explanation: ex,
    })
}

/// Late thrombocytopenia (day +31 to +100): graded by the second-lowest daily
/// count; grade 4 needs ≥ 14 days < 20.
pub fn late_platelet_toxicity(
    course: &CountCourse<'_>,
    cfg: &IcahtConfig,
) -> Result<Graded<PlateletToxicity>, ValueError> {
    let mut ex = explanation("Late thrombocytopenia, T-ICAHT (day +31 to +100)", cfg);
    ex.flags.push(Flag::new(
        "T-ICAHT-late",
        "graded by the second-lowest daily count (≥ 2 measurements, decision 5 by analogy)",
    ));
    let mut end = 100;
    if let Some(c) = course.censor {
        end = end.min(day_offset(c.date, course.day0));
    }
    if end < 31 {
        ex.reason = format!("censored on day {end:+}, before the late window");
        return Ok(Graded::NotApplicable {
            reason: ex.reason.clone(),
            explanation: ex,
        });
    }
    ex.flags.extend(late_censoring_flag(course, end));
    let days = daily_minimum("platelets", course.values, course.day0, 24, end)?;
    let in_window: Vec<DayValue> = days.iter().copied().filter(|d| d.day >= 31).collect();
    let Some((lowest, second)) = two_lowest(&in_window) else {
        ex.reason = format!(
            "{} in day +31 to {end:+}; 2 are needed",
            graftwatch_core::number::counted(in_window.len(), "daily platelet count")
        );
        return Ok(Graded::InsufficientData {
            missing: vec![format!(
                "at least 2 platelet counts on different days between day +31 and day {end:+}"
            )],
            explanation: ex,
        });
    };
    let end = end.min(in_window.last().map_or(end, |d| d.day));
    let (lo, hi, gaps, _) = bounded_episodes(&days, 31, end, cfg);
    let g_lo = late_platelet_grade(second.value, pick(&lo[1], cfg));
    let g_hi = late_platelet_grade(second.value, pick(&hi[1], cfg));
    if g_lo != g_hi {
        let (low, high) = (g_lo.number(), g_hi.number());
        let reason = format!("missing days could make the grade {low} or {high}");
        return Ok(Graded::insufficient(ex, reason, gaps));
    }
    ex.reason = late_reason(second, pick(&lo[0], cfg), &lo[1], pick(&lo[1], cfg), g_lo);
    for (d, what) in [(lowest, "lowest"), (second, "second-lowest (graded)")] {
        ex.evidence.push(Evidence::value(
            Some(d.date),
            "platelets",
            d.value,
            Some(COUNT_UNIT),
            format!("day {:+}: {what}", d.day),
        ));
    }
    span_evidence(&days, &lo[1], "< 20", &mut ex.evidence);
    Ok(Graded::Value {
        value: PlateletToxicity {
            grade: g_lo,
            lt_50: lo[0],
            lt_20: lo[1],
            window_end_day: end,
            second_lowest: Some(second),
        },
        explanation: ex,
    })
}

/// The late grade's reason, naming the quantity the grade rests on (T-ICAHT
/// table): below 20 ×10⁹/L the number of days < 20 decides between grade 3
/// (1–13 days) and grade 4 (≥ 14 days); above it the second-lowest count
/// decides (< 50 grade 2, < 100 grade 1). Both durations are given.
fn late_reason(
    second: DayValue,
    days_lt_50: u32,
    lt_20: &Episodes,
    days_lt_20: u32,
    grade: IcahtGrade,
) -> String {
    use graftwatch_core::number::counted;
    let second_words = format!(
        "second-lowest daily count {} ×10⁹/L on day {:+}",
        second.value, second.day
    );
    if second.value < 20.0 {
        let span = match lt_20.longest_span {
            Some((a, b)) if lt_20.count == 1 && a != b => format!(", day {a:+} to {b:+}"),
            Some((a, _)) if lt_20.count == 1 => format!(", day {a:+}"),
            _ => String::new(),
        };
        format!(
            "platelets < 20 ×10⁹/L on {}{span} (grade 3 for 1–13 days, grade 4 from 14 days), {second_words}; {} < 50: grade {}",
            counted(days_lt_20 as usize, "day"),
            counted(days_lt_50 as usize, "day"),
            grade.number()
        )
    } else {
        let band = if second.value < 50.0 {
            "< 50"
        } else if second.value < 100.0 {
            "< 100"
        } else {
            "≥ 100"
        };
        format!(
            "{second_words} ({band}); {} with platelets < 50 and {} < 20 ×10⁹/L: grade {}",
            counted(days_lt_50 as usize, "day"),
            counted(days_lt_20 as usize, "day"),
            grade.number()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IcahtGrade::*;

    #[test]
    fn early_boundaries() {
        // (days < 50, days < 20) -> grade
        for (lt_50, lt_20, grade) in [
            (0, 0, Grade0),
            (6, 0, Grade1),
            (7, 0, Grade2),
            (7, 1, Grade3),
            (20, 13, Grade3),
            (20, 14, Grade4),
        ] {
            assert_eq!(early_platelet_grade(lt_50, lt_20), grade, "{lt_50} {lt_20}");
        }
    }

    #[test]
    fn late_boundaries() {
        // (second-lowest count, days < 20) -> grade
        for (second, lt_20, grade) in [
            (100.0, 0, Grade0),
            (99.9, 0, Grade1),
            (50.0, 0, Grade1),
            (49.9, 0, Grade2),
            (20.0, 0, Grade2),
            (19.9, 2, Grade3),
            (19.9, 13, Grade3),
            (19.9, 14, Grade4),
        ] {
            assert_eq!(
                late_platelet_grade(second, lt_20),
                grade,
                "{second} {lt_20}"
            );
        }
    }
}

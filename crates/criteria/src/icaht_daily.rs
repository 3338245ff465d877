//! ICAHT as known on each day after a CAR-T infusion (the `--daily` view):
//! the same rules as [`crate::icaht`], applied to the values up to that day.
//!
//! * Early window (day 0 … +30, or the censoring day): the grade from the
//!   durations with ANC ≤ 0.5 and ≤ 0.1 ×10⁹/L accumulated so far (merged
//!   episodes, `[icaht] duration_mode`, T-6). A day inside an undetermined
//!   gap (missing ANC longer than `[icaht] max_unfilled_gap_days`, T-8) whose
//!   bounds give different grades is *insufficient data* naming the gap.
//!   The day 0–3 ongoing-episode rule (T-7) applies to a course that ended,
//!   not to a day inside the window, so it is not used here.
//! * Late window (day +31 … +100): the grade of the second-lowest daily ANC
//!   since day +31 (engine decision 5); with fewer than two values so far
//!   the day is *insufficient data* saying how many there are.

use graftwatch_core::Date;
use serde::Serialize;

use crate::day_grid::episodes;
use crate::icaht::{
    CountCourse, DurationMode, IcahtConfig, IcahtGrade, early_grade_from_durations,
    early_icaht_core, late_grade,
};
use crate::series::{ValueError, daily_minimum, day_offset};

/// Which ICAHT window a day belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IcahtWindow {
    /// Day 0 … +30.
    Early,
    /// Day +31 … +100.
    Late,
}

/// The ICAHT state of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcahtDay {
    /// Date.
    pub date: Date,
    /// Day after the infusion.
    pub day: i32,
    /// Window.
    pub window: IcahtWindow,
    /// Grade so far; `None` = insufficient data (`missing` says what).
    pub grade: Option<IcahtGrade>,
    /// Lowest ANC measured that day, ×10⁹/L.
    pub anc: Option<f64>,
    /// Early window: days with ANC ≤ 0.5 so far (per the duration mode).
    pub days_anc_le_0_5: Option<u32>,
    /// Early window: days with ANC ≤ 0.1 so far.
    pub days_anc_le_0_1: Option<u32>,
    /// Late window: the graded (second-lowest) ANC so far.
    pub second_lowest_anc: Option<f64>,
    /// What is missing when not graded.
    pub missing: Option<String>,
}

fn pick(e: &crate::day_grid::Episodes, mode: DurationMode) -> u32 {
    match mode {
        DurationMode::Cumulative => e.cumulative,
        DurationMode::LongestEpisode => e.longest,
    }
}

/// The early-window days (day 0 … window end).
pub fn early_icaht_days(
    course: &CountCourse<'_>,
    cfg: &IcahtConfig,
) -> Result<Vec<IcahtDay>, ValueError> {
    let Some(core) = early_icaht_core(course, cfg)? else {
        return Ok(Vec::new());
    };
    let g = &core.grid;
    let mut out = Vec::with_capacity(g.len);
    for i in 0..g.len {
        let day = g.start + i as i32;
        let grade_of = |levels: &[u8]| {
            let le5 = episodes(levels, g.start, 1, cfg.min_stable_recovery_days);
            let le1 = episodes(levels, g.start, 2, cfg.min_stable_recovery_days);
            let never_above = day == 30 && levels.iter().all(|&l| l >= 1);
            let (a, b) = (pick(&le5, cfg.duration_mode), pick(&le1, cfg.duration_mode));
            (early_grade_from_durations(a, b, never_above), a, b)
        };
        let (lo, a, b) = grade_of(&g.lo[..=i]);
        let (hi, _, _) = grade_of(&g.hi[..=i]);
        let gap = g
            .uncertain_gaps()
            .iter()
            .find(|u| u.from_day <= day)
            .map(|u| {
                format!(
                    "ANC on days {:+} to {:+} (gap longer than {} days)",
                    u.from_day, u.to_day, cfg.max_unfilled_gap_days
                )
            });
        let determined = lo == hi;
        out.push(IcahtDay {
            date: course.day0.add_days(day),
            day,
            window: IcahtWindow::Early,
            grade: determined.then_some(lo),
            anc: core.days.iter().find(|d| d.day == day).map(|d| d.value),
            days_anc_le_0_5: determined.then_some(a),
            days_anc_le_0_1: determined.then_some(b),
            second_lowest_anc: None,
            missing: if determined {
                None
            } else {
                Some(gap.unwrap_or_else(|| "ANC values on missing days".into()))
            },
        });
    }
    Ok(out)
}

/// The late-window days (day +31 … +100, the censoring day or `last`, the
/// last date with data, whichever comes first).
pub fn late_icaht_days(course: &CountCourse<'_>, last: Date) -> Result<Vec<IcahtDay>, ValueError> {
    let mut end = 100.min(day_offset(last, course.day0));
    if let Some(c) = course.censor {
        end = end.min(day_offset(c.date, course.day0));
    }
    if end < 31 {
        return Ok(Vec::new());
    }
    let days = daily_minimum("anc", course.values, course.day0, 31, end)?;
    let mut out = Vec::with_capacity((end - 30) as usize);
    let (mut lowest, mut second): (Option<f64>, Option<f64>) = (None, None);
    let mut n = 0usize;
    for day in 31..=end {
        let anc = days.iter().find(|d| d.day == day).map(|d| d.value);
        if let Some(v) = anc {
            n += 1;
            match lowest {
                Some(l) if v < l => {
                    second = Some(l);
                    lowest = Some(v);
                }
                Some(_) => second = Some(second.map_or(v, |s| s.min(v))),
                None => lowest = Some(v),
            }
        }
        out.push(IcahtDay {
            date: course.day0.add_days(day),
            day,
            window: IcahtWindow::Late,
            grade: second.map(late_grade),
            anc,
            days_anc_le_0_5: None,
            days_anc_le_0_1: None,
            second_lowest_anc: second,
            missing: second.is_none().then(|| {
                format!("a second ANC value since day +31 ({n} so far; the late grade needs 2)")
            }),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::DatedValue;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn course(vals: &[(i32, f64)]) -> Vec<DatedValue> {
        vals.iter()
            .map(|(day, v)| DatedValue {
                date: d("2024-01-01").add_days(*day),
                value: *v,
            })
            .collect()
    }

    /// The course from day 0 = 2024-01-01, not censored.
    fn uncensored(values: &[DatedValue]) -> CountCourse<'_> {
        CountCourse {
            day0: d("2024-01-01"),
            values,
            censor: None,
        }
    }

    #[test]
    fn early_grade_rises_with_the_days_below_0_5() {
        // ANC 0.3 on days 0..=7 daily, then 2.0 daily to day 30
        let mut v: Vec<(i32, f64)> = (0..=7).map(|d| (d, 0.3)).collect();
        v.extend((8..=37).map(|d| (d, 2.0)));
        let vals = course(&v);
        let c = uncensored(&vals);
        let days = early_icaht_days(&c, &IcahtConfig::default()).unwrap();
        assert_eq!(days.len(), 31);
        // 6 days <= 0.5 (day 0..5): grade 1; 7 days (day 6): grade 2
        assert_eq!(days[5].grade, Some(IcahtGrade::Grade1));
        assert_eq!(days[5].days_anc_le_0_5, Some(6));
        assert_eq!(days[6].grade, Some(IcahtGrade::Grade2));
        assert_eq!(days[30].grade, Some(IcahtGrade::Grade2));
    }

    #[test]
    fn early_gap_is_insufficient_naming_the_days() {
        // 0.3 on day 0..=5, nothing until day 12 (recovered, 2.0): the gap
        // can hold 0 to 6 more days below 0.5
        let mut v: Vec<(i32, f64)> = (0..=5).map(|d| (d, 0.3)).collect();
        v.push((12, 2.0));
        v.extend((13..=37).map(|d| (d, 2.0)));
        let vals = course(&v);
        let c = uncensored(&vals);
        let days = early_icaht_days(&c, &IcahtConfig::default()).unwrap();
        let gap_day = &days[8];
        assert_eq!(gap_day.grade, None, "{gap_day:?}");
        assert!(
            gap_day.missing.as_deref().unwrap().contains("+6"),
            "{gap_day:?}"
        );
        assert_eq!(days[3].grade, Some(IcahtGrade::Grade1));
    }

    #[test]
    fn late_needs_two_values() {
        let vals = course(&[(40, 0.4), (50, 0.8), (60, 1.2)]);
        let c = uncensored(&vals);
        let days = late_icaht_days(&c, d("2024-01-01").add_days(60)).unwrap();
        assert_eq!(days.first().unwrap().day, 31);
        let at = |k: i32| days.iter().find(|x| x.day == k).unwrap();
        assert_eq!(at(45).grade, None);
        assert!(at(45).missing.as_deref().unwrap().contains("1 so far"));
        // second-lowest 0.8 -> grade 2 from day 50; day 60 still 0.8
        assert_eq!(at(50).grade, Some(IcahtGrade::Grade2));
        assert_eq!(at(60).second_lowest_anc, Some(0.8));
        assert_eq!(days.last().unwrap().day, 60);
    }
}

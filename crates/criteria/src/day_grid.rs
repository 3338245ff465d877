//! Per-day severity levels over a window, with the project's missing-day rules
//! (T-8), and episode durations with merging of short recoveries (T-6).
//!
//! Shared by early ICAHT, the thrombocytopenia companion and late platelet
//! grading. A *level* is the number of thresholds a value meets (0 = above
//! every threshold, 1 = at or below the first, 2 = at or below both, for
//! inclusive scales). Each day carries a lower and an upper level: equal when
//! observed or filled by a rule, different when a long gap crosses a
//! threshold and the day cannot be known. Grading both bounds tells whether
//! the missing days could change the result.

use serde::{Deserialize, Serialize};

use crate::series::DayValue;

/// Longest window handled (days), e.g. day +31 to +100 is 70 days.
pub const MAX_WINDOW: usize = 128;

/// Threshold scale: `cuts` in decreasing severity order of strictness
/// (e.g. `[0.5, 0.1]`), compared with `<=` when `inclusive`, else `<`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Thresholds, first the mildest.
    pub cuts: [f64; 2],
    /// `<=` (ANC in ICAHT) or `<` (platelets in T-ICAHT).
    pub inclusive: bool,
}

impl Scale {
    /// Number of thresholds `value` meets (0–2).
    #[inline]
    pub fn level(&self, value: f64) -> u8 {
        let meets = |c: f64| {
            if self.inclusive {
                value <= c
            } else {
                value < c
            }
        };
        meets(self.cuts[0]) as u8 + meets(self.cuts[1]) as u8
    }
}

/// How days without a value are filled (T-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum GapFill {
    /// Reference default: no imputation. A missing day takes the state of the
    /// previous value when the gap is at most `max_unfilled_gap_days` or both
    /// neighbours are on the same side of every threshold; a longer gap that
    /// crosses a threshold leaves its days undetermined.
    #[default]
    NoImputation,
    /// Liang's option: linear interpolation over gaps up to `max_gap_days`
    /// missing days (7 in the Fred Hutch code); longer gaps as above.
    Linear {
        /// Longest gap (missing days) that is interpolated.
        max_gap_days: u32,
    },
}

/// A run of days that could not be determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UncertainGap {
    /// First undetermined day.
    pub from_day: i32,
    /// Last undetermined day.
    pub to_day: i32,
}

/// Levels for each day of a window `start..=end`.
#[derive(Debug, Clone)]
pub struct Grid {
    /// First day of the window.
    pub start: i32,
    /// Number of days.
    pub len: usize,
    /// Lower-bound level per day.
    pub lo: [u8; MAX_WINDOW],
    /// Upper-bound level per day.
    pub hi: [u8; MAX_WINDOW],
    /// Number of missing days filled by a rule (not undetermined).
    pub filled_days: u32,
    /// Undetermined gaps (first 4).
    pub uncertain: [UncertainGap; 4],
    /// Number of undetermined gaps (may exceed 4).
    pub n_uncertain: usize,
}

impl Grid {
    /// The undetermined gaps that were recorded.
    pub fn uncertain_gaps(&self) -> &[UncertainGap] {
        &self.uncertain[..self.n_uncertain.min(4)]
    }

    /// An empty grid of `len` days from `start` (every level 0).
    fn empty(start: i32, len: usize) -> Grid {
        Grid {
            start,
            len,
            lo: [0; MAX_WINDOW],
            hi: [0; MAX_WINDOW],
            filled_days: 0,
            uncertain: [UncertainGap {
                from_day: 0,
                to_day: 0,
            }; 4],
            n_uncertain: 0,
        }
    }

    /// Sets the bounds of days `from..=to` to `lo` and `hi`.
    fn set_range(&mut self, from: i32, to: i32, lo: u8, hi: u8) {
        for d in from..=to {
            let i = (d - self.start) as usize;
            self.lo[i] = lo;
            self.hi[i] = hi;
        }
    }

    fn push_uncertain(&mut self, from_day: i32, to_day: i32) {
        if self.n_uncertain < 4 {
            self.uncertain[self.n_uncertain] = UncertainGap { from_day, to_day };
        }
        self.n_uncertain += 1;
    }
}

/// Builds the grid for `start..=end` from daily values sorted by day. Values
/// outside the window serve as neighbours for the gap rules (e.g. the last
/// value before day 0). `end - start + 1` must be `<= MAX_WINDOW`.
pub fn build_grid(
    days: &[DayValue],
    start: i32,
    end: i32,
    scale: &Scale,
    fill: GapFill,
    max_unfilled_gap_days: u32,
) -> Grid {
    let len = ((end - start + 1).max(0) as usize).min(MAX_WINDOW);
    let mut g = Grid::empty(start, len);
    if len == 0 {
        return g;
    }
    let end = start + len as i32 - 1;
    // index of the last value at or before `start`
    let mut prev: Option<&DayValue> = None;
    let mut iter = days.iter().peekable();
    let mut day = start;
    while day <= end {
        // advance prev to the last value with day <= current day
        while let Some(v) = iter.peek() {
            if v.day <= day {
                prev = Some(v);
                iter.next();
            } else {
                break;
            }
        }
        let next = iter.peek().copied();
        day = match (prev, next) {
            (Some(p), _) if p.day == day => {
                let l = scale.level(p.value);
                g.set_range(day, day, l, l);
                day + 1
            }
            (Some(p), Some(n)) => {
                // missing days p.day+1 ..= n.day-1 ; fill the part inside the window
                let gap = (n.day - p.day - 1) as u32;
                let to = (n.day - 1).min(end);
                fill_gap(
                    &mut g,
                    scale,
                    fill,
                    max_unfilled_gap_days,
                    p,
                    Some(n),
                    gap,
                    day,
                    to,
                );
                to + 1
            }
            (Some(p), None) => {
                // trailing days after the last value: callers end the window at
                // the last value; if not, treat as a gap of unknown far end.
                g.set_range(day, end, 0, 2.max(scale.level(p.value)));
                g.push_uncertain(day, end);
                end + 1
            }
            (None, Some(n)) => fill_leading(&mut g, scale, n, day, end, max_unfilled_gap_days),
            (None, None) => {
                g.set_range(day, end, 0, 2);
                g.push_uncertain(day, end);
                end + 1
            }
        };
    }
    g
}

/// Days `day..` of the window before its first value `n`: a gap (counted
/// from the window start) of at most `max_unfilled` days takes the level of
/// `n`; a longer one is undetermined (levels 0 to 2). Returns the next day
/// to fill.
fn fill_leading(
    g: &mut Grid,
    scale: &Scale,
    n: &DayValue,
    day: i32,
    end: i32,
    max_unfilled: u32,
) -> i32 {
    let gap = (n.day - g.start) as u32;
    let to = (n.day - 1).min(end);
    if gap <= max_unfilled {
        let l = scale.level(n.value);
        g.set_range(day, to, l, l);
        g.filled_days += (to - day + 1) as u32;
    } else {
        g.set_range(day, to, 0, 2);
        g.push_uncertain(day, to);
    }
    to + 1
}

#[allow(clippy::too_many_arguments)]
fn fill_gap(
    g: &mut Grid,
    scale: &Scale,
    fill: GapFill,
    max_unfilled: u32,
    p: &DayValue,
    n: Option<&DayValue>,
    gap: u32,
    from: i32,
    to: i32,
) {
    let Some(n) = n else { return };
    let lp = scale.level(p.value);
    let ln = scale.level(n.value);
    let interpolate = matches!(fill, GapFill::Linear { max_gap_days } if gap <= max_gap_days);
    let mut undetermined = false;
    for d in from..=to {
        let i = (d - g.start) as usize;
        let (lo, hi) = if interpolate {
            let t = (d - p.day) as f64 / (n.day - p.day) as f64;
            let l = scale.level(p.value + t * (n.value - p.value));
            (l, l)
        } else if lp == ln || gap <= max_unfilled {
            (lp, lp)
        } else {
            undetermined = true;
            (lp.min(ln), lp.max(ln))
        };
        g.lo[i] = lo;
        g.hi[i] = hi;
    }
    if undetermined {
        g.push_uncertain(from, to);
    } else {
        g.filled_days += (to - from + 1) as u32;
    }
}

/// Durations at one threshold level after merging recoveries shorter than
/// `min_stable_recovery` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Episodes {
    /// Sum of merged-episode lengths (recovery days inside an episode count).
    pub cumulative: u32,
    /// Longest merged episode.
    pub longest: u32,
    /// Number of merged episodes.
    pub count: u32,
    /// First day of the first episode.
    pub first_start: Option<i32>,
    /// First and last day of the longest episode.
    pub longest_span: Option<(i32, i32)>,
    /// Start day of an episode still ongoing on the last day of the window.
    pub ongoing_since: Option<i32>,
}

/// Counts episodes where `levels[i] >= k`.
pub fn episodes(levels: &[u8], start: i32, k: u8, min_stable_recovery: u32) -> Episodes {
    let mut e = Episodes::default();
    let mut cur: Option<(usize, usize)> = None; // merged episode [s, last low]
    let close = |e: &mut Episodes, s: usize, last: usize| {
        let len = (last - s + 1) as u32;
        e.cumulative += len;
        e.count += 1;
        if e.first_start.is_none() {
            e.first_start = Some(start + s as i32);
        }
        if len > e.longest {
            e.longest = len;
            e.longest_span = Some((start + s as i32, start + last as i32));
        }
    };
    for (i, &l) in levels.iter().enumerate() {
        if l >= k {
            cur = match cur {
                Some((s, last)) if (i - last - 1) as u32 >= min_stable_recovery => {
                    close(&mut e, s, last);
                    Some((i, i))
                }
                Some((s, _)) => Some((s, i)),
                None => Some((i, i)),
            };
        }
    }
    if let Some((s, last)) = cur {
        close(&mut e, s, last);
        if last + 1 == levels.len() {
            e.ongoing_since = Some(start + s as i32);
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::series::test_day_value as dv;
    const ANC: Scale = Scale {
        cuts: [0.5, 0.1],
        inclusive: true,
    };

    #[test]
    fn merging_two_vs_three_day_recovery() {
        // low 0-4, recovery 5-6 (2 days), low 7-9  => one episode of 10 days
        let lv = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1];
        let e = episodes(&lv, 0, 1, 3);
        assert_eq!((e.count, e.cumulative, e.longest), (1, 10, 10));
        // recovery of 3 days breaks the episode
        let lv = [1, 1, 1, 1, 1, 0, 0, 0, 1, 1];
        let e = episodes(&lv, 0, 1, 3);
        assert_eq!((e.count, e.cumulative, e.longest), (2, 7, 5));
        assert_eq!(e.ongoing_since, Some(8));
    }

    #[test]
    fn short_gap_carries_previous_long_crossing_gap_is_undetermined() {
        let days = [dv(0, 0.2), dv(3, 0.8)]; // 2 missing days, crossing
        let g = build_grid(&days, 0, 3, &ANC, GapFill::NoImputation, 2);
        assert_eq!(&g.lo[..4], &[1, 1, 1, 0]);
        assert_eq!(g.n_uncertain, 0);
        let days = [dv(0, 0.2), dv(4, 0.8)]; // 3 missing days, crossing
        let g = build_grid(&days, 0, 4, &ANC, GapFill::NoImputation, 2);
        assert_eq!(&g.lo[..5], &[1, 0, 0, 0, 0]);
        assert_eq!(&g.hi[..5], &[1, 1, 1, 1, 0]);
        assert_eq!(
            g.uncertain_gaps(),
            &[UncertainGap {
                from_day: 1,
                to_day: 3
            }]
        );
        // same side: filled
        let days = [dv(0, 0.2), dv(9, 0.3)];
        let g = build_grid(&days, 0, 9, &ANC, GapFill::NoImputation, 2);
        assert!(g.lo[..10].iter().all(|&l| l == 1) && g.n_uncertain == 0);
    }

    #[test]
    fn linear_interpolation_option() {
        let days = [dv(0, 0.0), dv(4, 1.0)];
        let g = build_grid(&days, 0, 4, &ANC, GapFill::Linear { max_gap_days: 7 }, 2);
        // 0.0, 0.25, 0.5, 0.75, 1.0
        assert_eq!(&g.lo[..5], &[2, 1, 1, 0, 0]);
        assert_eq!(g.n_uncertain, 0);
    }

    #[test]
    fn leading_gap_uses_value_before_window() {
        let days = [dv(-1, 3.0), dv(5, 0.2)];
        let g = build_grid(&days, 0, 5, &ANC, GapFill::NoImputation, 2);
        assert_eq!(g.n_uncertain, 1);
        assert_eq!(
            g.uncertain_gaps()[0],
            UncertainGap {
                from_day: 0,
                to_day: 4
            }
        );
    }

    #[test]
    fn leading_gap_takes_the_first_value_up_to_the_limit() {
        // First value on day 2: a 2-day leading gap is filled with its level.
        let g = build_grid(&[dv(2, 0.05)], 0, 2, &ANC, GapFill::NoImputation, 2);
        assert_eq!((&g.lo[..3], &g.hi[..3]), (&[2, 2, 2][..], &[2, 2, 2][..]));
        assert_eq!((g.filled_days, g.n_uncertain), (2, 0));
        // First value on day 3: a 3-day leading gap is undetermined.
        let g = build_grid(&[dv(3, 0.05)], 0, 3, &ANC, GapFill::NoImputation, 2);
        assert_eq!((&g.lo[..3], &g.hi[..3]), (&[0, 0, 0][..], &[2, 2, 2][..]));
        assert_eq!(
            g.uncertain_gaps(),
            &[UncertainGap {
                from_day: 0,
                to_day: 2
            }]
        );
    }
}

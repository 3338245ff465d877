//! Scales: the shared day axis of the figure (optionally compressed after a
//! break day) and the y scales of the panels (linear or log10).

/// The x axis of the figure: days relative to the figure's day 0 (HCT day 0
/// when there is a transplant), mapped to pixels. When `break_day` is set the
/// days after it are drawn compressed, so the dense early course stays
/// readable next to a year of follow-up; the break is drawn on the axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayScale {
    /// First day shown.
    pub start: i32,
    /// Last day shown.
    pub end: i32,
    /// Pixel x of `start`.
    pub left: f64,
    /// Pixel x of `end`.
    pub right: f64,
    /// Day after which the scale is compressed, with the pixel x it maps to.
    pub break_at: Option<(i32, f64)>,
}

impl DayScale {
    /// A linear scale from `start..=end` to `left..=right`. `end` is raised
    /// to `start + 1` so the scale never divides by zero.
    pub fn linear(start: i32, end: i32, left: f64, right: f64) -> DayScale {
        DayScale {
            start,
            end: end.max(start + 1),
            left,
            right,
            break_at: None,
        }
    }

    /// A scale linear on `start..=break_day` over the fraction `share` of the
    /// width and linear (compressed) on `break_day..=end` over the rest.
    /// Falls back to [`DayScale::linear`] when the break is not inside the range.
    pub fn with_break(
        start: i32,
        end: i32,
        left: f64,
        right: f64,
        break_day: i32,
        share: f64,
    ) -> DayScale {
        let mut s = DayScale::linear(start, end, left, right);
        if break_day > s.start && break_day < s.end && share > 0.0 && share < 1.0 {
            s.break_at = Some((break_day, left + (right - left) * share));
        }
        s
    }

    /// Pixel x of the start of `day` (clamped to the scale).
    pub fn x(&self, day: f64) -> f64 {
        let day = day.clamp(self.start as f64, self.end as f64);
        match self.break_at {
            Some((b, bx)) if day > b as f64 => {
                bx + (day - b as f64) / (self.end - b) as f64 * (self.right - bx)
            }
            Some((b, bx)) => {
                self.left + (day - self.start as f64) / (b - self.start) as f64 * (bx - self.left)
            }
            None => {
                self.left
                    + (day - self.start as f64) / (self.end - self.start) as f64
                        * (self.right - self.left)
            }
        }
    }

    /// Pixels per day at `day` (larger before the break).
    pub fn px_per_day(&self, day: i32) -> f64 {
        self.x(day as f64 + 1.0) - self.x(day as f64)
    }

    /// Whether `day` is on the scale.
    pub fn contains(&self, day: i32) -> bool {
        (self.start..=self.end).contains(&day)
    }

    /// Day tick positions: every `step_before` days up to the break (or the
    /// end) and every `step_after` days after it, aligned on multiples.
    pub fn ticks(&self, step_before: i32, step_after: i32) -> Vec<i32> {
        let mut out = Vec::new();
        let first_end = self.break_at.map(|(b, _)| b).unwrap_or(self.end);
        let step_before = step_before.max(1);
        let mut t = self.start.div_euclid(step_before) * step_before;
        if t < self.start {
            t += step_before;
        }
        while t <= first_end {
            out.push(t);
            t += step_before;
        }
        if let Some((b, _)) = self.break_at {
            let step_after = step_after.max(1);
            let mut t = (b / step_after + 1) * step_after;
            while t <= self.end {
                out.push(t);
                t += step_after;
            }
        }
        out
    }
}

/// A y scale: value → pixel y (top is smaller).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YScale {
    /// Smallest value shown (> 0 for log scales).
    pub min: f64,
    /// Largest value shown.
    pub max: f64,
    /// Pixel y of `max`.
    pub top: f64,
    /// Pixel y of `min`.
    pub bottom: f64,
    /// Log10 scale when true.
    pub log: bool,
}

impl YScale {
    /// Pixel y of `v`, clamped to the scale (values ≤ 0 on a log scale go to the floor).
    pub fn y(&self, v: f64) -> f64 {
        let (lo, hi, v) = if self.log {
            let v = if v > 0.0 { v.log10() } else { self.min.log10() };
            (self.min.log10(), self.max.log10(), v)
        } else {
            (self.min, self.max, v)
        };
        let v = v.clamp(lo, hi);
        self.bottom - (v - lo) / (hi - lo) * (self.bottom - self.top)
    }

    /// Whether `v` lies below the drawable range (drawn on the floor, marked).
    pub fn below_floor(&self, v: f64) -> bool {
        v < self.min
    }

    /// Whether `v` lies above the drawable range (drawn at the top, marked).
    pub fn above_ceiling(&self, v: f64) -> bool {
        v > self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_day_scale_maps_ends() {
        let s = DayScale::linear(-10, 90, 100.0, 1100.0);
        assert!((s.x(-10.0) - 100.0).abs() < 1e-9);
        assert!((s.x(90.0) - 1100.0).abs() < 1e-9);
        assert!((s.x(40.0) - 600.0).abs() < 1e-9);
        assert!((s.x(500.0) - 1100.0).abs() < 1e-9, "clamped");
    }

    #[test]
    fn broken_day_scale_is_continuous_and_compressed_after_break() {
        let s = DayScale::with_break(-60, 400, 0.0, 1000.0, 100, 0.7);
        assert!((s.x(100.0) - 700.0).abs() < 1e-9);
        assert!((s.x(400.0) - 1000.0).abs() < 1e-9);
        assert!(s.px_per_day(50) > s.px_per_day(200));
        // continuity on both sides of the break
        assert!((s.x(100.0 - 1e-6) - s.x(100.0 + 1e-6)).abs() < 1e-3);
        let t = s.ticks(10, 50);
        assert_eq!(t.first(), Some(&-60));
        assert!(t.contains(&100) && t.contains(&150) && t.contains(&400));
        assert!(!t.contains(&110));
    }

    #[test]
    fn break_outside_range_is_ignored() {
        let s = DayScale::with_break(0, 50, 0.0, 100.0, 100, 0.7);
        assert_eq!(s.break_at, None);
    }

    #[test]
    fn log_scale() {
        let y = YScale {
            min: 0.01,
            max: 1000.0,
            top: 0.0,
            bottom: 500.0,
            log: true,
        };
        assert!((y.y(0.01) - 500.0).abs() < 1e-9);
        assert!((y.y(1000.0) - 0.0).abs() < 1e-9);
        assert!((y.y(1.0) - 300.0).abs() < 1e-9);
        assert!((y.y(0.0) - 500.0).abs() < 1e-9, "zero goes to the floor");
        assert!(y.below_floor(0.001) && !y.below_floor(0.01));
        assert!(y.above_ceiling(1000.5) && !y.above_ceiling(1000.0));
        assert!((y.y(1e300) - 0.0).abs() < 1e-9, "huge values go to the top");
    }
}

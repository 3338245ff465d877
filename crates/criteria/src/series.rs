//! Dated numeric series: the raw input of the count-based criteria (ICAHT,
//! engraftment, graft function).
//!
//! Counts are in ×10⁹/L (the canonical unit of graftwatch-core); readers
//! convert before calling. A [`DatedValue`] is one laboratory value; a
//! [`DayValue`] is the value used for one post-infusion day after reducing
//! several values on the same day to the lowest (the conservative choice for
//! every count criterion here: a day counts as recovered only if every value
//! on it is).

use graftwatch_core::{Date, Unit};
use serde::{Deserialize, Serialize};

/// One dated laboratory value in the analyte's canonical unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DatedValue {
    /// Collection date.
    pub date: Date,
    /// Value (counts in ×10⁹/L).
    pub value: f64,
}

impl DatedValue {
    /// Builds a dated value.
    pub fn new(date: Date, value: f64) -> DatedValue {
        DatedValue { date, value }
    }
}

/// The value retained for one post-infusion day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DayValue {
    /// Day relative to day 0 (the infusion).
    pub day: i32,
    /// Calendar date of that day.
    pub date: Date,
    /// Lowest value observed that day.
    pub value: f64,
}

/// A value that cannot be used by a criterion.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// NaN or infinite.
    #[error("{what}{}: {value} is not a finite number; expected {expected}", on(.date))]
    NotFinite {
        /// Which quantity, e.g. `anc`.
        what: &'static str,
        /// Date of the observation, if it has one.
        date: Option<Date>,
        /// The value given.
        value: f64,
        /// What was expected, e.g. `a count >= 0 in 10^9/L`.
        expected: &'static str,
    },
    /// Outside the physically possible range (e.g. a negative count).
    #[error("{what}{}: {value} is out of range; expected {expected}", on(.date))]
    OutOfRange {
        /// Which quantity.
        what: &'static str,
        /// Date of the observation, if it has one.
        date: Option<Date>,
        /// The value given.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// Two inputs contradict each other (e.g. shares summing to more than 100 %).
    #[error("{what}{}: {detail}", on(.date))]
    Inconsistent {
        /// Which quantity.
        what: &'static str,
        /// Date, if any.
        date: Option<Date>,
        /// What is wrong, in words.
        detail: String,
    },
}

fn on(date: &Option<Date>) -> String {
    match date {
        Some(d) => format!(" on {d}"),
        None => String::new(),
    }
}

/// Checks that `value` is finite and `>= 0`.
pub fn check_non_negative(
    what: &'static str,
    date: Option<Date>,
    value: f64,
    expected: &'static str,
) -> Result<f64, ValueError> {
    if !value.is_finite() {
        return Err(ValueError::NotFinite {
            what,
            date,
            value,
            expected,
        });
    }
    if value < 0.0 {
        return Err(ValueError::OutOfRange {
            what,
            date,
            value,
            expected,
        });
    }
    Ok(value)
}

/// Checks an optional value with [`check_non_negative`].
pub fn check_opt(
    what: &'static str,
    date: Option<Date>,
    value: Option<f64>,
    expected: &'static str,
) -> Result<Option<f64>, ValueError> {
    value
        .map(|v| check_non_negative(what, date, v, expected))
        .transpose()
}

/// Signed day offset of `date` from `day0`.
pub fn day_offset(date: Date, day0: Date) -> i32 {
    date.days_since(day0).get()
}

/// Reduces a series to one value per post-infusion day (the lowest), sorted by
/// day, keeping only days in `from..=to`. Validates every value in the
/// window (finite, `>= 0`). Allocates one vector.
pub fn daily_minimum(
    what: &'static str,
    values: &[DatedValue],
    day0: Date,
    from: i32,
    to: i32,
) -> Result<Vec<DayValue>, ValueError> {
    let span = (i64::from(to) - i64::from(from) + 1).clamp(0, i64::from(u16::MAX)) as usize;
    let mut out: Vec<DayValue> = Vec::with_capacity(values.len().min(span));
    let mut sorted = true;
    for v in values {
        let day = day_offset(v.date, day0);
        if day < from || day > to {
            continue;
        }
        check_non_negative(what, Some(v.date), v.value, "a count ≥ 0 in 10^9/L")?;
        if out.last().is_some_and(|last| last.day > day) {
            sorted = false;
        }
        out.push(DayValue {
            day,
            date: v.date,
            value: v.value,
        });
    }
    if !sorted {
        out.sort_by_key(|d| d.day);
    }
    out.dedup_by(|later, kept| {
        if later.day == kept.day {
            if later.value < kept.value {
                kept.value = later.value;
            }
            true
        } else {
            false
        }
    });
    Ok(out)
}

/// The canonical unit of every count series here.
pub const COUNT_UNIT: Unit = Unit::Per1e9L;

/// A daily value on `day`, dated `day` days after 1970-01-01 (test fixture
/// shared by the modules' tests).
#[cfg(test)]
pub(crate) fn test_day_value(day: i32, value: f64) -> DayValue {
    DayValue {
        day,
        date: Date::from_days_since_epoch(day),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn lowest_per_day_sorted_and_windowed() {
        let day0 = d("2025-01-10");
        let v = [
            DatedValue::new(d("2025-01-12"), 0.8),
            DatedValue::new(d("2025-01-11"), 0.3),
            DatedValue::new(d("2025-01-12"), 0.4),
            DatedValue::new(d("2025-01-09"), 2.0),
            DatedValue::new(d("2025-03-01"), 2.0),
        ];
        let out = daily_minimum("anc", &v, day0, 0, 30).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].day, out[0].value), (1, 0.3));
        assert_eq!((out[1].day, out[1].value), (2, 0.4));
    }

    #[test]
    fn rejects_negative_and_nan_with_date() {
        let day0 = d("2025-01-10");
        let e = daily_minimum(
            "anc",
            &[DatedValue::new(d("2025-01-11"), -1.0)],
            day0,
            0,
            30,
        )
        .unwrap_err();
        assert!(e.to_string().contains("anc on 2025-01-11: -1"), "{e}");
        let e = daily_minimum(
            "anc",
            &[DatedValue::new(d("2025-01-11"), f64::NAN)],
            day0,
            0,
            30,
        )
        .unwrap_err();
        assert!(matches!(e, ValueError::NotFinite { .. }));
    }
}

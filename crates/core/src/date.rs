//! Calendar dates (proleptic Gregorian, no time zone), times of day and
//! signed day offsets relative to an anchor event ("day +N").
//!
//! Dates are stored as days since 1970-01-01 so that day arithmetic is a
//! subtraction. The civil-from-days conversion follows Howard Hinnant's
//! public-domain algorithms (`days_from_civil` / `civil_from_days`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Error parsing or constructing a [`Date`] or [`TimeOfDay`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not of the form `YYYY-MM-DD`.
    #[error("'{0}' is not a date of the form YYYY-MM-DD")]
    Format(String),
    /// Year, month or day out of range (e.g. 2025-02-30).
    #[error("'{0}' is not a calendar date (month 1-12, day valid for the month, year 1900-2200)")]
    OutOfRange(String),
    /// The text is not of the form `HH:MM`.
    #[error("'{0}' is not a time of day of the form HH:MM (00:00-23:59)")]
    Time(String),
}

/// A calendar date. Ordered, hashable, `Copy`; serialised as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2200;

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31), checking that the
    /// day exists in that month and the year is within 1900–2200.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return Err(DateError::OutOfRange(format!(
                "{year:04}-{month:02}-{day:02}"
            )));
        }
        // days_from_civil (H. Hinnant)
        let y = if month <= 2 { year - 1 } else { year };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Ok(Date(era * 146_097 + doe - 719_468))
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `days` days after 1970-01-01 (no range check beyond i32).
    pub fn from_days_since_epoch(days: i32) -> Date {
        Date(days)
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// This date plus `days` (may be negative).
    #[must_use]
    pub fn add_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// Signed number of days from `anchor` to `self` (`self − anchor`).
    pub fn days_since(self, anchor: Date) -> DayOffset {
        DayOffset(self.0 - anchor.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format(s.to_string()));
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &t[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(DateError::Format(s.to_string()));
            }
            part.parse::<u32>()
                .map_err(|_| DateError::Format(s.to_string()))
        };
        let y = num(0..4)? as i32;
        let m = num(5..7)?;
        let d = num(8..10)?;
        Date::from_ymd(y, m, d).map_err(|_| DateError::OutOfRange(s.to_string()))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, str::parse::<Date>)
    }
}

/// A time of day in minutes after midnight; serialised as `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Builds a time from hours (0–23) and minutes (0–59).
    pub fn from_hm(h: u32, m: u32) -> Result<TimeOfDay, DateError> {
        if h > 23 || m > 59 {
            return Err(DateError::Time(format!("{h:02}:{m:02}")));
        }
        Ok(TimeOfDay((h * 60 + m) as u16))
    }
    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl FromStr for TimeOfDay {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let (h, m) = t.split_once(':').ok_or_else(|| DateError::Time(s.into()))?;
        let ok = |p: &str| p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit());
        if !ok(h) || !ok(m) {
            return Err(DateError::Time(s.into()));
        }
        let (h, m): (u32, u32) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
        TimeOfDay::from_hm(h, m).map_err(|_| DateError::Time(s.into()))
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, str::parse::<TimeOfDay>)
    }
}

/// A signed number of days after an anchor event: day 0 is the infusion day,
/// day +14 two weeks later, day −5 before it. Displays as `+14`, `0`, `-5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DayOffset(pub i32);

impl DayOffset {
    /// The number of days.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for DayOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 0 {
            write!(f, "+{}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!("1970-01-01".parse::<Date>().unwrap().days_since_epoch(), 0);
    }

    #[test]
    fn rejects_bad_dates() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "abcd-ef-gh",
            "1899-12-31",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn day_offsets() {
        let d0: Date = "2024-03-01".parse().unwrap();
        let d: Date = "2024-02-28".parse().unwrap();
        assert_eq!(d.days_since(d0).to_string(), "-2");
        assert_eq!(d0.add_days(30).days_since(d0).to_string(), "+30");
        assert_eq!(d0.days_since(d0).to_string(), "0");
    }

    #[test]
    fn times() {
        assert_eq!("07:05".parse::<TimeOfDay>().unwrap().to_string(), "07:05");
        assert!("24:00".parse::<TimeOfDay>().is_err());
        assert!("7:5".parse::<TimeOfDay>().is_err());
    }

    proptest! {
        #[test]
        fn roundtrip(days in -25_000i32..80_000) {
            let d = Date::from_days_since_epoch(days);
            let (y, m, dd) = d.ymd();
            if (MIN_YEAR..=MAX_YEAR).contains(&y) {
                prop_assert_eq!(Date::from_ymd(y, m, dd).unwrap(), d);
                prop_assert_eq!(d.to_string().parse::<Date>().unwrap(), d);
            }
        }
    }
}

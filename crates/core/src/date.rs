//! Calendar dates (proleptic Gregorian, no time zone), times of day and
//! signed day offsets relative to an anchor event ("day +N").
//!
//! Dates are stored as days since 1970-01-01 so that day arithmetic is a
//! subtraction (the grading engine walks dates in tight loops). The calendar
//! itself — which days exist, and the conversion between a day number and
//! year/month/day — is delegated to [`jiff::civil::Date`]; nothing here
//! re-implements it (for speed, the day number of 1 January of each
//! supported year is computed by jiff once and kept in a table). Every date is kept inside the supported years
//! 1900–2200: [`Date::checked_add_days`] refuses to leave that range, so a
//! day offset taken from input (`decide --on +2147483647`) is an error, never
//! a silent wrap.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date as CivilDate;
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
    /// Adding a day offset to a date leaves the supported years.
    #[error("{date} {sign} {days} days falls outside the supported years 1900-2200", sign = if *.days < 0 { "-" } else { "+" }, days = .days.unsigned_abs())]
    OffsetOutOfRange {
        /// The date the offset was added to.
        date: String,
        /// The offset in days.
        days: i64,
    },
}

/// A calendar date. Ordered, hashable, `Copy`; serialised as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// First supported year.
pub const MIN_YEAR: i32 = 1900;
/// Last supported year.
pub const MAX_YEAR: i32 = 2200;

/// 1970-01-01, day 0 of the internal day count.
const EPOCH: CivilDate = jiff::civil::date(1970, 1, 1);

/// Days since 1970-01-01 of 1900-01-01 and 2200-12-31 (the supported range).
const MIN_DAYS: i32 = -25_567;
const MAX_DAYS: i32 = 84_370;

fn to_civil(days: i32) -> CivilDate {
    // Within ±7.3 million days jiff's span arithmetic cannot fail; every
    // `Date` is built inside 1900–2200 (or from an internal day count far
    // inside jiff's range), so this is an invariant, not input handling.
    EPOCH
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .expect("day count inside jiff's supported range")
}

/// Day count of 1 January of every supported year and of the year after
/// the last (`[y - MIN_YEAR]`), computed once by jiff: turning a date into a
/// day count (a million times for a large course file) is then a table
/// lookup plus jiff's day of the year, and finding a day count's year a
/// binary search, instead of span arithmetic.
fn year_starts() -> &'static [i32] {
    static STARTS: std::sync::OnceLock<Vec<i32>> = std::sync::OnceLock::new();
    STARTS.get_or_init(|| {
        (MIN_YEAR..=MAX_YEAR + 1)
            .map(|y| {
                let jan1 = CivilDate::new(y as i16, 1, 1).expect("1 January exists");
                EPOCH.until(jan1).expect("inside jiff's range").get_days()
            })
            .collect()
    })
}

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31), checking that the
    /// day exists in that month and the year is within 1900–2200.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        let bad = || DateError::OutOfRange(format!("{year:04}-{month:02}-{day:02}"));
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || month > 12 || day > 31 {
            return Err(bad());
        }
        let civil = CivilDate::new(year as i16, month as i8, day as i8).map_err(|_| bad())?;
        let jan1 = year_starts()[(year - MIN_YEAR) as usize];
        Ok(Date(jan1 + i32::from(civil.day_of_year()) - 1))
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `days` days after 1970-01-01, for day counts produced by the
    /// program itself (day grids between two valid dates). Use
    /// [`Date::checked_add_days`] for offsets that come from input.
    pub fn from_days_since_epoch(days: i32) -> Date {
        Date(days)
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let c = match self.year_and_day_of_year() {
            Some((y, doy)) => CivilDate::new(y as i16, 1, 1)
                .and_then(|jan1| jan1.with().day_of_year(doy).build())
                .unwrap_or_else(|_| to_civil(self.0)),
            None => to_civil(self.0),
        };
        (i32::from(c.year()), c.month() as u32, c.day() as u32)
    }

    /// The year.
    pub fn year(self) -> i32 {
        match self.year_and_day_of_year() {
            Some((y, _)) => y,
            None => self.ymd().0,
        }
    }

    /// Year and day of the year (1-based) from the table of year starts,
    /// for day counts inside the supported years.
    fn year_and_day_of_year(self) -> Option<(i32, i16)> {
        let starts = year_starts();
        if self.0 < starts[0] || self.0 >= starts[starts.len() - 1] {
            return None;
        }
        // The last year whose 1 January is on or before this day.
        let i = starts.partition_point(|s| *s <= self.0) - 1;
        Some((MIN_YEAR + i as i32, (self.0 - starts[i] + 1) as i16))
    }

    /// This date plus `days` (may be negative), for offsets the program
    /// chooses (windows of a few days or weeks). Saturates at the ends of the
    /// supported range instead of wrapping; offsets from input go through
    /// [`Date::checked_add_days`].
    #[must_use]
    pub fn add_days(self, days: i32) -> Date {
        Date(self.0.saturating_add(days).clamp(MIN_DAYS, MAX_DAYS))
    }

    /// This date plus `days`, or an error when the result falls outside the
    /// supported years 1900–2200 (no overflow whatever `days` is).
    pub fn checked_add_days(self, days: i64) -> Result<Date, DateError> {
        let out = || DateError::OffsetOutOfRange {
            date: self.to_string(),
            days,
        };
        let sum = i64::from(self.0).checked_add(days).ok_or_else(out)?;
        if !(i64::from(MIN_DAYS)..=i64::from(MAX_DAYS)).contains(&sum) {
            return Err(out());
        }
        Ok(Date(sum as i32))
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
            // At most four ASCII digits: cannot overflow.
            Ok(part.bytes().fold(0, |n, c| n * 10 + u32::from(c - b'0')))
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

    #[test]
    fn supported_range_ends() {
        assert_eq!(
            Date::from_ymd(1900, 1, 1).unwrap().days_since_epoch(),
            MIN_DAYS
        );
        assert_eq!(
            Date::from_ymd(2200, 12, 31).unwrap().days_since_epoch(),
            MAX_DAYS
        );
        assert!(Date::from_ymd(1899, 12, 31).is_err());
        assert!(Date::from_ymd(2201, 1, 1).is_err());
    }

    #[test]
    fn checked_offsets_never_wrap() {
        let d0: Date = "2024-03-01".parse().unwrap();
        assert_eq!(d0.checked_add_days(30).unwrap(), d0.add_days(30));
        let err = d0.checked_add_days(2_147_483_647).unwrap_err();
        assert!(
            err.to_string().contains("outside the supported years"),
            "{err}"
        );
        assert!(d0.checked_add_days(i64::MAX).is_err());
        assert!(d0.checked_add_days(i64::MIN).is_err());
        let last = Date::from_ymd(2200, 12, 31).unwrap();
        assert!(last.checked_add_days(1).is_err());
        assert_eq!(last.checked_add_days(0).unwrap(), last);
        // Program-chosen offsets saturate at the range ends instead of wrapping.
        assert_eq!(d0.add_days(i32::MAX), last);
        assert_eq!(d0.add_days(i32::MIN).year(), 1900);
    }

    /// The table of year starts gives, for every supported day, the same
    /// calendar date as jiff's span arithmetic, both ways.
    #[test]
    fn every_supported_day_matches_jiff() {
        for days in MIN_DAYS..=MAX_DAYS {
            let c = to_civil(days);
            let (y, m, d) = (i32::from(c.year()), c.month() as u32, c.day() as u32);
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.ymd(), (y, m, d), "day {days}");
            assert_eq!(date.year(), y, "day {days}");
            assert_eq!(Date::from_ymd(y, m, d).unwrap(), date, "{c}");
            assert_eq!(EPOCH.until(c).unwrap().get_days(), days);
        }
        // Outside the supported years (internal day counts only) the
        // conversion still answers, through jiff.
        assert_eq!(
            Date::from_days_since_epoch(MAX_DAYS + 1).ymd(),
            (2201, 1, 1)
        );
        assert_eq!(Date::from_days_since_epoch(MIN_DAYS - 1).year(), 1899);
    }

    #[test]
    fn leap_days_follow_the_gregorian_calendar() {
        assert!(Date::from_ymd(2000, 2, 29).is_ok());
        assert!(Date::from_ymd(1900, 2, 29).is_err());
        assert!(Date::from_ymd(2100, 2, 29).is_err());
        let d = Date::from_ymd(2024, 2, 28).unwrap().add_days(1);
        assert_eq!(d.ymd(), (2024, 2, 29));
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

//! Daily lowest blood counts (ANC, platelets, haemoglobin) and highest
//! bilirubin, in canonical units (×10⁹/L, g/dL, mg/dL).
//!
//! Several results on one day collapse to the day's lowest count (the value
//! the count-based criteria are defined on: nadirs, "ANC ≤ 0.5", recovery).
//! For ANC the day also remembers whether that lowest value came only from an
//! automated analyser without a manual differential (engine decision 9).

use graftwatch_core::{Analyte, Date};
use graftwatch_course::{Course, Observation, ObservationKind};
use serde::Serialize;

/// One day's extreme value of an analyte.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DayValue {
    /// Calendar date.
    pub date: Date,
    /// The day's lowest (counts) or highest (bilirubin) value, canonical unit.
    pub value: f64,
    /// Number of results that day.
    pub n: u32,
    /// True when the retained value is from an automated count with no
    /// manual differential (`automated: true` on the observation).
    pub automated: bool,
}

/// Which extreme of a day is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extreme {
    /// The lowest value (blood counts).
    Min,
    /// The highest value (bilirubin, temperature).
    Max,
}

/// A date-ordered series with one value per day.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DailySeries {
    /// One entry per day with a result, ascending dates.
    pub days: Vec<DayValue>,
}

impl DailySeries {
    /// Collapses `(date, value, automated)` triples (any order) to one
    /// value per day.
    pub fn from_points(mut pts: Vec<(Date, f64, bool)>, extreme: Extreme) -> DailySeries {
        pts.sort_by_key(|p| p.0);
        let mut days: Vec<DayValue> = Vec::with_capacity(pts.len());
        for (date, value, automated) in pts {
            match days.last_mut() {
                Some(last) if last.date == date => {
                    last.n += 1;
                    let better = match extreme {
                        Extreme::Min => value < last.value,
                        Extreme::Max => value > last.value,
                    };
                    if better {
                        last.value = value;
                        last.automated = automated;
                    } else if value == last.value {
                        // A manual result equal to an automated one wins.
                        last.automated &= automated;
                    }
                }
                _ => days.push(DayValue {
                    date,
                    value,
                    n: 1,
                    automated,
                }),
            }
        }
        DailySeries { days }
    }

    /// The value on `date`, if there is one.
    pub fn on(&self, date: Date) -> Option<&DayValue> {
        self.days
            .binary_search_by_key(&date, |d| d.date)
            .ok()
            .map(|i| &self.days[i])
    }

    /// The day values with `from <= date <= to`.
    pub fn between(&self, from: Date, to: Date) -> &[DayValue] {
        let lo = self.days.partition_point(|d| d.date < from);
        let hi = self.days.partition_point(|d| d.date <= to);
        if lo >= hi { &[] } else { &self.days[lo..hi] }
    }

    /// The result closest in time to `date` within `± max_days` (earlier
    /// date wins a tie).
    pub fn nearest(&self, date: Date, max_days: i32) -> Option<&DayValue> {
        let from = date.add_days(-max_days);
        let to = date.add_days(max_days);
        self.between(from, to)
            .iter()
            .min_by_key(|d| (d.date.days_since(date).get().abs(), d.date))
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// The daily blood counts and bilirubin of a course.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DailyCounts {
    /// Lowest ANC per day, ×10⁹/L.
    pub anc: DailySeries,
    /// Lowest platelet count per day, ×10⁹/L.
    pub platelets: DailySeries,
    /// Lowest haemoglobin per day, g/dL.
    pub hemoglobin: DailySeries,
    /// Lowest peripheral-blood blast percentage per day would hide blasts;
    /// this keeps the highest, %.
    pub pb_blasts: DailySeries,
    /// Highest CRP per day, mg/dL (CAR-HEMATOTOX).
    pub crp: DailySeries,
    /// Highest ferritin per day, ng/mL (CAR-HEMATOTOX).
    pub ferritin: DailySeries,
}

/// The kinds [`daily_counts`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    matches!(
        kind,
        ObservationKind::Lab(
            Analyte::Anc
                | Analyte::Platelets
                | Analyte::Hemoglobin
                | Analyte::PbBlasts
                | Analyte::Crp
                | Analyte::Ferritin
        )
    )
}

/// Extracts the daily counts of a course (one pass over its observations).
pub fn daily_counts(course: &Course) -> DailyCounts {
    daily_counts_of(course.observations.iter())
}

/// [`daily_counts`] of the observations given (course order).
pub(crate) fn daily_counts_of<'a>(obs: impl Iterator<Item = &'a Observation>) -> DailyCounts {
    let mut anc = Vec::new();
    let mut plt = Vec::new();
    let mut hb = Vec::new();
    let mut blasts = Vec::new();
    let mut crp = Vec::new();
    let mut ferritin = Vec::new();
    for o in obs {
        let ObservationKind::Lab(a) = o.kind else {
            continue;
        };
        let Some(v) = o.number() else { continue };
        let auto = o.automated.unwrap_or(false);
        match a {
            Analyte::Anc => anc.push((o.date, v, auto)),
            Analyte::Platelets => plt.push((o.date, v, auto)),
            Analyte::Hemoglobin => hb.push((o.date, v, auto)),
            Analyte::PbBlasts => blasts.push((o.date, v, auto)),
            Analyte::Crp => crp.push((o.date, v, auto)),
            Analyte::Ferritin => ferritin.push((o.date, v, auto)),
            _ => {}
        }
    }
    DailyCounts {
        anc: DailySeries::from_points(anc, Extreme::Min),
        platelets: DailySeries::from_points(plt, Extreme::Min),
        hemoglobin: DailySeries::from_points(hb, Extreme::Min),
        pb_blasts: DailySeries::from_points(blasts, Extreme::Max),
        crp: DailySeries::from_points(crp, Extreme::Max),
        ferritin: DailySeries::from_points(ferritin, Extreme::Max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn keeps_lowest_count_per_day_and_manual_over_automated() {
        let s = DailySeries::from_points(
            vec![
                (d("2024-01-02"), 0.7, false),
                (d("2024-01-01"), 0.5, true),
                (d("2024-01-01"), 0.4, false),
                (d("2024-01-02"), 0.5, true),
                (d("2024-01-02"), 0.5, false),
            ],
            Extreme::Min,
        );
        assert_eq!(s.days.len(), 2);
        assert_eq!(s.days[0].value, 0.4);
        assert_eq!(s.days[0].n, 2);
        assert!(!s.days[0].automated);
        assert_eq!(s.days[1].value, 0.5);
        assert!(
            !s.days[1].automated,
            "manual 0.5 equal to automated 0.5 wins"
        );
    }

    #[test]
    fn max_mode_and_windows() {
        let s = DailySeries::from_points(
            vec![
                (d("2024-01-01"), 1.0, false),
                (d("2024-01-01"), 3.0, false),
                (d("2024-01-05"), 2.0, false),
            ],
            Extreme::Max,
        );
        assert_eq!(s.on(d("2024-01-01")).map(|v| v.value), Some(3.0));
        assert!(s.on(d("2024-01-02")).is_none());
        assert_eq!(s.between(d("2024-01-02"), d("2024-01-05")).len(), 1);
        assert_eq!(s.between(d("2024-01-06"), d("2024-01-09")).len(), 0);
        assert_eq!(
            s.nearest(d("2024-01-04"), 3).map(|v| v.date),
            Some(d("2024-01-05"))
        );
        assert_eq!(
            s.nearest(d("2024-01-03"), 3).map(|v| v.date),
            Some(d("2024-01-01")),
            "tie goes to the earlier date"
        );
        assert!(s.nearest(d("2024-01-10"), 3).is_none());
    }
}

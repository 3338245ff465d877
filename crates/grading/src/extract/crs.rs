//! Cytokine-release-syndrome inputs per day after a CAR-T infusion (ASTCT
//! 2019): highest temperature, vasopressors active (vasopressin not counted,
//! T-3), the most intensive oxygen support active (device and flow; never
//! SpO₂), and whether anticytokine or steroid therapy was given that day or
//! before (T-4: fever no longer required once given after CRS onset).

use graftwatch_core::{Date, DayOffset};
use graftwatch_course::{Course, DrugClass, ObservationKind};
use serde::Serialize;

use super::counts::{DailySeries, Extreme};
use super::drugs::{DrugExposure, PressorDay};
use super::oxygen::{OxygenDay, OxygenSupport};

/// The CRS inputs of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrsDay {
    /// Date.
    pub date: Date,
    /// Day relative to the CAR-T infusion.
    pub day: DayOffset,
    /// Highest temperature of the day, °C.
    pub max_temp_c: Option<f64>,
    /// Vasopressors active.
    pub pressors: PressorDay,
    /// Most intensive oxygen support active.
    pub oxygen: Option<OxygenDay>,
    /// Anticytokine therapy (tocilizumab, siltuximab, anakinra) active.
    pub anticytokine_today: bool,
    /// Systemic steroid active.
    pub steroid_today: bool,
    /// First date on or after the infusion with anticytokine or steroid
    /// therapy, when it is on or before this day.
    pub anticytokine_or_steroid_since: Option<Date>,
    /// Syndrome of an infection episode active that day (an alternative
    /// cause of fever, hypotension and hypoxia).
    pub infection: Option<String>,
}

/// Infection episodes `(start, end, syndrome)`; an episode without an end
/// date is open ended.
pub fn infections(course: &Course) -> Vec<(Date, Option<Date>, String)> {
    course
        .events
        .iter()
        .filter_map(|e| match &e.detail {
            graftwatch_course::EventDetail::Infection { syndrome, .. } => {
                Some((e.date, e.end_date, syndrome.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Highest temperature per day.
pub fn max_temperatures(course: &Course) -> DailySeries {
    let pts = course
        .observations_of(ObservationKind::Temperature)
        .filter_map(|o| o.number().map(|v| (o.date, v, false)))
        .collect();
    DailySeries::from_points(pts, Extreme::Max)
}

/// The CRS inputs for days `0 ..= window_days` after a CAR-T infusion on
/// `day0` (ending earlier at `last_date`, the last date of the course).
pub fn crs_days(
    day0: Date,
    window_days: i32,
    last_date: Date,
    temps: &DailySeries,
    drugs: &DrugExposure,
    oxygen: &OxygenSupport,
    infections: &[(Date, Option<Date>, String)],
) -> Vec<CrsDay> {
    let end = day0.add_days(window_days).min(last_date);
    let mut out = Vec::new();
    let mut since: Option<Date> = None;
    let mut d = day0;
    while d <= end {
        let anticytokine_today = drugs.any_on(DrugClass::Anticytokine, d);
        let steroid_today = drugs.any_on(DrugClass::Steroid, d);
        if since.is_none() && (anticytokine_today || steroid_today) {
            since = Some(d);
        }
        out.push(CrsDay {
            date: d,
            day: d.days_since(day0),
            max_temp_c: temps.on(d).map(|t| t.value),
            pressors: drugs.pressors_on(d),
            oxygen: oxygen.on(d),
            anticytokine_today,
            steroid_today,
            anticytokine_or_steroid_since: since,
            infection: infections
                .iter()
                .find(|(s, e, _)| d >= *s && e.is_none_or(|e| d <= e))
                .map(|(_, _, syn)| syn.clone()),
        });
        d = d.add_days(1);
    }
    out
}

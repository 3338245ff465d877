//! Cytokine-release-syndrome inputs per day after a CAR-T infusion (ASTCT
//! 2019): highest temperature, vasopressors active (vasopressin not counted,
//! T-3), the most intensive oxygen support active (device and flow; never
//! SpO₂), and whether anticytokine or steroid therapy was given that day or
//! before (T-4: fever no longer required once given after CRS onset).

use graftwatch_core::{Date, DayOffset};
use graftwatch_course::{Course, DrugClass, Observation, ObservationKind};
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
    /// Single findings of the day recorded with `attribution: other`.
    pub attributed: AttributedFindings,
    /// The day's `hypotension` record (`none`, `fluid_responsive`,
    /// `vasopressor_required`), when there is one.
    pub hypotension: Option<String>,
    /// Intravenous fluid boluses of the day, mL.
    pub fluids_ml: Option<f64>,
}

/// CRS findings of one day attributed to another cause, each as the words
/// naming the record (value, date, note).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AttributedFindings {
    /// Every fever (≥ 38.0 °C) of the day is attributed to another cause.
    pub fever: Option<String>,
    /// The day's hypotension (and its vasopressors) has another cause.
    pub hypotension: Option<String>,
    /// The day's hypoxia (and its oxygen support) has another cause.
    pub hypoxia: Option<String>,
}

/// Per-finding CRS records of a course: attributed fevers, hypotension and
/// hypoxia records, fluid boluses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CrsRecords {
    /// Per date: whether a fever not attributed elsewhere was recorded, and
    /// the words of the attributed fevers.
    fevers: Vec<(Date, bool, Option<String>)>,
    /// `(date, value, attributed-to-other words)`.
    hypotension: Vec<(Date, String, Option<String>)>,
    /// `(date, attributed-to-other words)`.
    hypoxia: Vec<(Date, String)>,
    /// `(date, mL)`.
    fluids: Vec<(Date, f64)>,
    /// Infection episodes `(start, end, syndrome)` ([`infections`]).
    pub infections: Vec<(Date, Option<Date>, String)>,
}

fn other_words(o: &graftwatch_course::Observation, what: String) -> String {
    match &o.note {
        Some(n) => format!("{what} on {} attributed to another cause ({n})", o.date),
        None => format!("{what} on {} attributed to another cause", o.date),
    }
}

fn is_other(o: &graftwatch_course::Observation) -> bool {
    o.attribution == Some(graftwatch_course::Attribution::Other)
}

/// Collects the per-finding CRS records of a course.
pub fn crs_records(course: &Course) -> CrsRecords {
    crs_records_of(course, course.observations.iter())
}

/// The kinds [`crs_records`] and [`max_temperatures`] read (the extraction
/// hands them only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    use ObservationKind as K;
    matches!(
        kind,
        K::Temperature | K::Hypotension | K::Hypoxia | K::FluidBolus
    )
}

/// [`crs_records`] with the observations given (course order); the
/// infection episodes come from the course's events.
pub(crate) fn crs_records_of<'a>(
    course: &Course,
    obs: impl Iterator<Item = &'a Observation> + Clone,
) -> CrsRecords {
    let of = |k: ObservationKind| obs.clone().filter(move |o| o.kind == k);
    let mut r = CrsRecords {
        infections: infections(course),
        ..CrsRecords::default()
    };
    for o in of(ObservationKind::Temperature) {
        let Some(t) = o.number().filter(|t| *t >= 38.0) else {
            continue;
        };
        let words = is_other(o).then(|| other_words(o, format!("temperature {t} °C")));
        r.fevers.push((o.date, words.is_none(), words));
    }
    for o in of(ObservationKind::Hypotension) {
        let v = o.value.to_string();
        let words = is_other(o).then(|| other_words(o, format!("hypotension ({v})")));
        r.hypotension.push((o.date, v, words));
    }
    for o in of(ObservationKind::Hypoxia) {
        if o.value.as_bool() == Some(true) && is_other(o) {
            r.hypoxia.push((o.date, other_words(o, "hypoxia".into())));
        }
    }
    for o in of(ObservationKind::FluidBolus) {
        if let Some(v) = o.number() {
            r.fluids.push((o.date, v));
        }
    }
    r
}

impl CrsRecords {
    fn attributed(&self, d: Date) -> AttributedFindings {
        let fev: Vec<_> = self.fevers.iter().filter(|f| f.0 == d).collect();
        AttributedFindings {
            fever: if !fev.is_empty() && fev.iter().all(|f| !f.1) {
                fev.iter().find_map(|f| f.2.clone())
            } else {
                None
            },
            hypotension: self
                .hypotension
                .iter()
                .find(|h| h.0 == d && h.2.is_some())
                .and_then(|h| h.2.clone()),
            hypoxia: self.hypoxia.iter().find(|h| h.0 == d).map(|h| h.1.clone()),
        }
    }

    fn hypotension_on(&self, d: Date) -> Option<String> {
        // the most severe record of the day
        let rank = |v: &str| match v {
            "vasopressor_required" => 2,
            "fluid_responsive" => 1,
            _ => 0,
        };
        self.hypotension
            .iter()
            .filter(|h| h.0 == d)
            .max_by_key(|h| rank(&h.1))
            .map(|h| h.1.clone())
    }

    fn fluids_on(&self, d: Date) -> Option<f64> {
        let v: Vec<f64> = self
            .fluids
            .iter()
            .filter(|f| f.0 == d)
            .map(|f| f.1)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum())
    }
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
    max_temperatures_of(course.observations.iter())
}

/// [`max_temperatures`] of the observations given.
pub(crate) fn max_temperatures_of<'a>(obs: impl Iterator<Item = &'a Observation>) -> DailySeries {
    let pts = obs
        .filter(|o| o.kind == ObservationKind::Temperature)
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
    records: &CrsRecords,
) -> Vec<CrsDay> {
    let infections = &records.infections;
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
            attributed: records.attributed(d),
            hypotension: records.hypotension_on(d),
            fluids_ml: records.fluids_on(d),
        });
        d = d.add_days(1);
    }
    out
}

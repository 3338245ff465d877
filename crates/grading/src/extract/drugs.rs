//! Drug exposure by day: vasopressors (vasopressin excluded from the count,
//! ASTCT / T-3), G-CSF, anticytokine and steroid therapy, immunosuppression.
//!
//! A drug event covers `date ..= end_date`; without an end date it is open
//! ended and covers every later day ([`graftwatch_course::Event::covers`]).
//! Overlapping events of the same drug (e.g. a dose change recorded as a new
//! event) count once.

use graftwatch_core::Date;
use graftwatch_course::{Course, DrugClass, EventDetail};
use serde::Serialize;

/// One drug course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrugInterval {
    /// Lower-cased, trimmed drug name.
    pub name: String,
    /// Class.
    pub class: DrugClass,
    /// First day.
    pub start: Date,
    /// Last day (inclusive); `None` = open ended.
    pub end: Option<Date>,
    /// Recorded dose, when given.
    pub dose: Option<f64>,
    /// Recorded dose unit text (e.g. `mg/kg/d`), when given.
    pub dose_unit: Option<String>,
}

impl DrugInterval {
    /// True when the drug is given on `date`.
    pub fn covers(&self, date: Date) -> bool {
        date >= self.start && self.end.is_none_or(|e| date <= e)
    }
}

/// Whether a vasopressor name is vasopressin (excluded from the "multiple
/// vasopressors" count, ASTCT grade 4).
pub fn is_vasopressin(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("vasopressin")
        || name.to_ascii_lowercase().contains("vasopressin")
}

/// The vasopressors given on one day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PressorDay {
    /// Distinct non-vasopressin vasopressor names active that day.
    pub counted: Vec<String>,
    /// Vasopressin active that day (not counted).
    pub vasopressin: bool,
}

impl PressorDay {
    /// Number of vasopressors counted (vasopressin excluded).
    pub fn count(&self) -> usize {
        self.counted.len()
    }
    /// True when any vasopressor, vasopressin included, is active.
    pub fn any(&self) -> bool {
        self.vasopressin || !self.counted.is_empty()
    }
}

/// Every drug course of a patient.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DrugExposure {
    /// Drug courses in start-date order.
    pub intervals: Vec<DrugInterval>,
}

impl DrugExposure {
    /// Vasopressors active on `date`.
    pub fn pressors_on(&self, date: Date) -> PressorDay {
        let mut p = PressorDay::default();
        for i in self.active(DrugClass::Vasopressor, date) {
            if is_vasopressin(&i.name) {
                p.vasopressin = true;
            } else if !p.counted.contains(&i.name) {
                p.counted.push(i.name.clone());
            }
        }
        p.counted.sort();
        p
    }

    /// Drug courses of a class active on `date`.
    pub fn active(&self, class: DrugClass, date: Date) -> impl Iterator<Item = &DrugInterval> {
        self.intervals
            .iter()
            .filter(move |i| i.class == class && i.covers(date))
    }

    /// True when any drug of `class` is given on `date`.
    pub fn any_on(&self, class: DrugClass, date: Date) -> bool {
        self.active(class, date).next().is_some()
    }

    /// The first day on or after `from` (and on or before `to`) when a drug
    /// of `class` is given.
    pub fn first_between(
        &self,
        class: DrugClass,
        from: Date,
        to: Date,
    ) -> Option<(Date, &DrugInterval)> {
        self.intervals
            .iter()
            .filter(|i| i.class == class && i.start <= to && i.end.is_none_or(|e| e >= from))
            .map(|i| (i.start.max(from), i))
            .min_by_key(|(d, _)| *d)
    }

    /// Days with G-CSF between two dates (inclusive), ascending.
    pub fn gcsf_days(&self, from: Date, to: Date) -> Vec<Date> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if self.any_on(DrugClass::GCsf, d) {
                out.push(d);
            }
            d = d.add_days(1);
        }
        out
    }
}

/// Extracts the drug courses of a course.
pub fn drug_exposure(course: &Course) -> DrugExposure {
    let mut intervals: Vec<DrugInterval> = course
        .events
        .iter()
        .filter_map(|e| match &e.detail {
            EventDetail::Drug {
                name,
                class,
                dose,
                dose_unit,
            } => Some(DrugInterval {
                name: name.trim().to_ascii_lowercase(),
                class: *class,
                start: e.date,
                end: e.end_date,
                dose: *dose,
                dose_unit: dose_unit.clone(),
            }),
            _ => None,
        })
        .collect();
    intervals.sort_by_key(|i| i.start);
    DrugExposure { intervals }
}

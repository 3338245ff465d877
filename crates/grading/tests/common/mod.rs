//! Small hand-built courses for the tests, written as course JSON so that
//! the real reader (unit conversion, sorting) is exercised.
#![allow(dead_code)]

use graftwatch_core::Date;
use graftwatch_course::{Course, io::read_json_str};
use serde_json::{Value, json};

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

/// Builder for a course document.
pub struct CourseBuilder {
    pub birth_year: i32,
    pub events: Vec<Value>,
    pub observations: Vec<Value>,
    pub donors: Vec<Value>,
    pub diagnosis: Value,
}

impl CourseBuilder {
    /// A 35-year-old man with AML diagnosed 2024-01-01 and no records.
    pub fn new() -> CourseBuilder {
        CourseBuilder {
            birth_year: 1989,
            events: vec![],
            observations: vec![],
            donors: vec![],
            diagnosis: json!({"disease": "aml", "date": "2024-01-01"}),
        }
    }
    /// Adds an event (JSON object with `date`, `kind`, …).
    pub fn event(mut self, e: Value) -> Self {
        self.events.push(e);
        self
    }
    /// Adds an observation.
    pub fn obs(mut self, o: Value) -> Self {
        self.observations.push(o);
        self
    }
    /// Adds a numeric observation with a unit.
    pub fn num(self, date: &str, kind: &str, value: f64, unit: &str) -> Self {
        self.obs(json!({"date": date, "kind": kind, "value": value, "unit": unit}))
    }
    /// Adds a yes/no observation.
    pub fn flag(self, date: &str, kind: &str, value: bool) -> Self {
        self.obs(json!({"date": date, "kind": kind, "value": value}))
    }
    /// Replaces the diagnosis object.
    pub fn diagnosis(mut self, d: Value) -> Self {
        self.diagnosis = d;
        self
    }
    /// Adds a donor.
    pub fn donor(mut self, id: &str, relationship: &str, sex: &str) -> Self {
        self.donors
            .push(json!({"id": id, "relationship": relationship, "sex": sex}));
        self
    }
    /// Adds a daily count series starting at `start`.
    pub fn daily(mut self, start: &str, kind: &str, unit: &str, values: &[f64]) -> Self {
        let s = d(start);
        for (i, v) in values.iter().enumerate() {
            self.observations.push(json!({
                "date": s.add_days(i as i32).to_string(), "kind": kind, "value": v, "unit": unit
            }));
        }
        self
    }
    /// The course JSON text.
    pub fn json(&self) -> String {
        json!({
            "format": "graftwatch-course/1",
            "patient": {
                "id": "T-1", "sex": "male", "birth_year": self.birth_year,
                "diagnosis": self.diagnosis
            },
            "donors": self.donors,
            "events": self.events,
            "observations": self.observations,
        })
        .to_string()
    }
    /// Reads the course through the real JSON reader.
    pub fn build(&self) -> Course {
        match read_json_str(&self.json(), std::path::Path::new("test.json")) {
            Ok(c) => c.course,
            Err(e) => panic!("test course invalid: {e}"),
        }
    }
}

/// Adds donor MUD-1 (matched unrelated, male) and a PBSC graft from it on
/// `date`.
pub fn hct(b: CourseBuilder, date: &str) -> CourseBuilder {
    b.donor("MUD-1", "matched_unrelated", "male")
        .event(json!({"date": date, "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"}))
}

/// All four acute-GVHD organs assessed on `date`, attributed to GVHD: skin
/// rash % BSA, bilirubin mg/dL, no upper-GI symptoms, stool mL.
pub fn gvhd_day(b: CourseBuilder, date: &str, skin: f64, bili: f64, stool: f64) -> CourseBuilder {
    b.obs(json!({"date": date, "kind": "skin_rash_bsa", "value": skin, "unit": "%", "attribution": "gvhd"}))
        .obs(json!({"date": date, "kind": "bilirubin", "value": bili, "unit": "mg/dL", "attribution": "gvhd"}))
        .obs(json!({"date": date, "kind": "upper_gi_persistent", "value": false, "attribution": "gvhd"}))
        .obs(json!({"date": date, "kind": "stool_volume", "value": stool, "unit": "mL", "attribution": "gvhd"}))
}

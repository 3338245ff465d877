//! Preview a day: a course plus one day's draft findings (as typed at the
//! bedside, with the units chosen) → that day's MAGIC organ stages and
//! grade, CRS and ICANS inside the CRS window after a CAR-T infusion, with the
//! engine's reasons — before and after the draft, so a form can show what
//! the new values change.
//!
//! There is no second rule here: the draft is parsed, converted and checked
//! by the course crate's validation (`normalize_and_check`, the same checks
//! a course file gets), added to the course, and the course is graded as of
//! the day with [`crate::grade_course_as_of`] — exactly what
//! `graftwatch grade --on DATE` does. The accepted observations are returned
//! in canonical units, ready to be stored as one revision.

use std::path::Path;

use graftwatch_core::{Date, Unit};
use graftwatch_course::validate::{Locator, normalize_and_check};
use graftwatch_course::{
    AnchorKind, Attribution, Course, Event, Location, ObsValue, Observation, ObservationKind,
    Severity, ValueSpec,
};
use serde::Serialize;

use crate::GradingConfig;
use crate::criterion::Criterion;
use crate::output::{AgvhdOrganDay, DailyEntry, DayEntry, RelDay};

/// One value of the draft, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftValue {
    /// The form field it came from (named in errors).
    pub field: String,
    /// What it is.
    pub kind: ObservationKind,
    /// The value as typed (`12.5`, `yes`, `voice`); empty = not recorded.
    pub value: String,
    /// The unit chosen (`umol/L`, `mL/kg`, …); `None` = the kind's canonical unit.
    pub unit: Option<String>,
    /// GVHD attribution (organ findings).
    pub attribution: Option<Attribution>,
}

/// A day's draft findings.
#[derive(Debug, Clone, PartialEq)]
pub struct DayDraft {
    /// The day.
    pub date: Date,
    /// Values typed.
    pub values: Vec<DraftValue>,
    /// Events of the day (e.g. oxygen support for CRS), already built.
    pub events: Vec<Event>,
}

/// A problem with one field of the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The form field.
    pub field: String,
    /// Error (the value is not used) or warning (kept, please check).
    pub severity: Severity,
    /// The value as typed (with its unit).
    pub value: Option<String>,
    /// What was expected, in words.
    pub expected: String,
}

/// The day's state from the engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySnapshot {
    /// MAGIC organ stages and overall level of the day, when the day is an
    /// acute-GVHD timeline day.
    pub agvhd_organs: Option<AgvhdOrganDay>,
    /// MAGIC grade on the day (carried forward inside its window), and CRS /
    /// ICANS (ASTCT) when applicable.
    pub entries: Vec<DailyEntry>,
    /// The engine's one-line reasons for the day's grades (the observations
    /// that decided them).
    pub reasons: Vec<DayEntry>,
}

impl DaySnapshot {
    /// The MAGIC grade label on the day, if graded.
    pub fn magic_grade(&self) -> Option<&str> {
        self.entry(Criterion::Agvhd, "magic")
            .and_then(|e| e.grade.as_deref())
    }

    /// The entry of one criterion result.
    pub fn entry(&self, c: Criterion, system: &str) -> Option<&DailyEntry> {
        self.entries
            .iter()
            .find(|e| e.criterion == c && e.system == system)
    }
}

/// The preview of one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPreview {
    /// The day.
    pub date: Date,
    /// Day after the latest transplant or CAR-T on or before it.
    pub rel: Option<RelDay>,
    /// The day as stored.
    pub before: DaySnapshot,
    /// The day with the draft added.
    pub after: DaySnapshot,
    /// Problems per field (errors exclude the value from `after`).
    pub problems: Vec<FieldProblem>,
    /// The draft's observations that passed, in canonical units.
    pub accepted: Vec<Observation>,
    /// The draft's events.
    pub events: Vec<Event>,
}

impl DayPreview {
    /// Whether any field has an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Names each draft observation by its form field in diagnostics; every
/// other record (already stored and checked) is located at the file.
struct DraftLocator<'a>(&'a [String]);

impl Locator for DraftLocator<'_> {
    fn observation(&self, i: usize, _field: &str) -> Location {
        Location::JsonPath {
            path: self.0.get(i).cloned().unwrap_or_default(),
            line: None,
        }
    }
    fn event(&self, _: usize, _: &str) -> Location {
        Location::File
    }
    fn donor(&self, _: usize, _: &str) -> Location {
        Location::File
    }
    fn patient(&self, _: &str) -> Location {
        Location::File
    }
}

fn problem(field: &str, value: &str, expected: String) -> FieldProblem {
    FieldProblem {
        field: field.to_string(),
        severity: Severity::Error,
        value: Some(value.to_string()),
        expected,
    }
}

/// A number as typed: `12.5`, `12,5` (decimal comma), surrounding spaces.
/// A comma followed by exactly three digits (`1,500`, `150,000`) is
/// refused: it is a thousands separator as often as a decimal comma, and
/// reading it wrongly is a 1000-fold error in a count.
fn parse_number(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let commas = t.matches(',').count();
    if commas > 0 && (t.contains('.') || commas > 1) {
        return Err(format!(
            "'{t}' has a thousands separator: write the number without it (1500, 150000)"
        ));
    }
    if let Some((before, after)) = t.split_once(',')
        && !matches!(before.trim_start_matches(['-', '+']), "" | "0")
        && after.len() == 3
        && after.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "'{t}' is ambiguous (a thousands separator or a decimal comma): write {} or {}",
            t.replace(',', ""),
            t.replace(',', ".")
        ));
    }
    t.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("'{t}' is not a number"))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" | "y" => Some(true),
        "no" | "false" | "off" | "0" | "n" => Some(false),
        _ => None,
    }
}

/// Parses one typed value into an observation in the unit chosen (not yet
/// converted); `Ok(None)` when the field is empty.
pub fn parse_value(date: Date, v: &DraftValue) -> Result<Option<Observation>, FieldProblem> {
    let text = v.value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let spec = v.kind.spec();
    let (value, unit) = match spec {
        ValueSpec::Number { canonical, .. } => {
            let n = parse_number(text).map_err(|why| {
                problem(&v.field, text, format!("a number for {} ({why})", v.kind))
            })?;
            let unit = match v.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                None => canonical,
                Some(u) => u.parse::<Unit>().map_err(|e| FieldProblem {
                    field: v.field.clone(),
                    severity: Severity::Error,
                    value: Some(u.to_string()),
                    expected: e.to_string(),
                })?,
            };
            (ObsValue::Number(n), Some(unit))
        }
        ValueSpec::Score { min, max } => {
            let n = parse_number(text).map_err(|why| {
                problem(
                    &v.field,
                    text,
                    format!("a whole number from {min} to {max} for {} ({why})", v.kind),
                )
            })?;
            (ObsValue::Number(n), None)
        }
        ValueSpec::Bool => {
            let b = parse_bool(text)
                .ok_or_else(|| problem(&v.field, text, format!("yes or no for {}", v.kind)))?;
            (ObsValue::Bool(b), None)
        }
        ValueSpec::Category(_) => (ObsValue::Category(text.to_ascii_lowercase()), None),
    };
    let mut o = Observation::new(date, v.kind, value, unit);
    o.attribution = v.attribution;
    Ok(Some(o))
}

/// Parses and checks the draft with the course's own validation; returns
/// the accepted observations (canonical units) and the problems per field.
pub fn check_draft(course: &Course, draft: &DayDraft) -> (Vec<Observation>, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    let mut fields = Vec::new();
    for v in &draft.values {
        match parse_value(draft.date, v) {
            Ok(Some(o)) => {
                parsed.push(o);
                fields.push(v.field.clone());
            }
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
    }
    let mut mini = Course {
        observations: parsed,
        ..course.clone()
    };
    mini.events.extend(draft.events.iter().cloned());
    let diags = normalize_and_check(&mut mini, Path::new("draft"), &DraftLocator(&fields));
    let mut bad = vec![false; fields.len()];
    for d in diags {
        let Location::JsonPath { path, .. } = &d.location else {
            continue;
        };
        if let Some(i) = fields.iter().position(|f| f == path)
            && d.severity == Severity::Error
        {
            bad[i] = true;
        }
        problems.push(FieldProblem {
            field: path.clone(),
            severity: d.severity,
            value: d.value,
            expected: d.expected,
        });
    }
    let accepted = mini
        .observations
        .into_iter()
        .zip(bad)
        .filter_map(|(o, b)| (!b).then_some(o))
        .collect();
    (accepted, problems)
}

/// The criteria a day preview grades.
pub const PREVIEW_CRITERIA: [Criterion; 3] = [Criterion::Agvhd, Criterion::Crs, Criterion::Icans];

fn snapshot(course: &Course, cfg: &GradingConfig, date: Date) -> (DaySnapshot, Option<RelDay>) {
    let g = crate::grade_course_as_of(course, cfg, &PREVIEW_CRITERIA, date);
    // CRS and ICANS are shown inside the engine's CRS window after a CAR-T
    // infusion (`engine.crs_window_days`).
    let window = cfg.engine.crs_window_days;
    let after_cart = course.anchors().iter().any(|a| {
        matches!(a.kind, AnchorKind::CarT(_))
            && a.date <= date
            && date.days_since(a.date).get() <= window
    });
    let on_day = g.on_day.clone();
    let rel = on_day.as_ref().and_then(|d| d.rel.clone());
    let entries = on_day
        .map(|d| d.entries)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| match e.criterion {
            Criterion::Agvhd => e.system == "magic",
            Criterion::Crs | Criterion::Icans => after_cart,
            _ => false,
        })
        .collect();
    let reasons = g
        .timeline
        .iter()
        .find(|t| t.date == date)
        .map(|t| t.entries.clone())
        .unwrap_or_default();
    let agvhd_organs = g
        .agvhd_organ_stages
        .iter()
        .find(|d| d.date == date)
        .copied();
    (
        DaySnapshot {
            agvhd_organs,
            entries,
            reasons,
        },
        rel,
    )
}

/// Previews `draft` on top of `course`: the day's MAGIC organ stages and
/// grade, CRS and ICANS, before and after the draft.
pub fn preview_day(course: &Course, draft: &DayDraft, cfg: &GradingConfig) -> DayPreview {
    let (accepted, problems) = check_draft(course, draft);
    let (before, rel) = snapshot(course, cfg, draft.date);
    let mut with = course.clone();
    with.observations.extend(accepted.iter().cloned());
    with.events.extend(draft.events.iter().cloned());
    with.sort();
    let (after, _) = snapshot(&with, cfg, draft.date);
    DayPreview {
        date: draft.date,
        rel,
        before,
        after,
        problems,
        accepted,
        events: draft.events.clone(),
    }
}

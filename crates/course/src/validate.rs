//! Checks a course after parsing: units converted to canonical, value types
//! and ranges, references between records, dates and order of events.
//!
//! Errors make the course invalid; warnings (implausible but possible values)
//! are reported and the course is kept.

use std::collections::HashSet;
use std::path::Path;

use graftwatch_core::{Date, LimitKind, PersonRef, Unit, limit};

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::event::EventDetail;
use crate::model::{Course, FORMAT_V1};
use crate::observation::{ObsValue, Observation, ObservationKind, ValueSpec};

/// How to name the place of record `i` of a list in diagnostics: the reader
/// supplies this (JSON path for JSON, CSV line for CSV).
pub trait Locator {
    /// Location of observation `i`.
    fn observation(&self, i: usize, field: &str) -> Location;
    /// Location of event `i`.
    fn event(&self, i: usize, field: &str) -> Location;
    /// Location of donor `i`.
    fn donor(&self, i: usize, field: &str) -> Location;
    /// Location of a patient field.
    fn patient(&self, field: &str) -> Location;
    /// Location of a field of the course itself (`format`); the file
    /// when the locator does not know it.
    fn course(&self, _field: &str) -> Location {
        Location::File
    }
}

/// JSON-path locator for the JSON document.
pub struct JsonLocator;

impl Locator for JsonLocator {
    fn observation(&self, i: usize, field: &str) -> Location {
        Location::JsonPath {
            path: format!("$.observations[{i}].{field}"),
            line: None,
        }
    }
    fn event(&self, i: usize, field: &str) -> Location {
        Location::JsonPath {
            path: format!("$.events[{i}].{field}"),
            line: None,
        }
    }
    fn donor(&self, i: usize, field: &str) -> Location {
        Location::JsonPath {
            path: format!("$.donors[{i}].{field}"),
            line: None,
        }
    }
    fn patient(&self, field: &str) -> Location {
        Location::JsonPath {
            path: format!("$.patient.{field}"),
            line: None,
        }
    }
    fn course(&self, field: &str) -> Location {
        Location::JsonPath {
            path: format!("$.{field}"),
            line: None,
        }
    }
}

/// JSON-path locator that also knows the line of each path (from a scan of
/// the text).
pub struct JsonTextLocator<'a> {
    lines: crate::json_lines::LazyJsonLines<'a>,
}

impl<'a> JsonTextLocator<'a> {
    /// A locator over the text (scanned only when a problem is reported).
    pub fn new(lines: crate::json_lines::LazyJsonLines<'a>) -> JsonTextLocator<'a> {
        JsonTextLocator { lines }
    }

    fn at(&self, path: String) -> Location {
        Location::JsonPath {
            line: self.lines.line_of(&path),
            path,
        }
    }
}

impl Locator for JsonTextLocator<'_> {
    fn observation(&self, i: usize, field: &str) -> Location {
        self.at(format!("$.observations[{i}].{field}"))
    }
    fn event(&self, i: usize, field: &str) -> Location {
        self.at(format!("$.events[{i}].{field}"))
    }
    fn donor(&self, i: usize, field: &str) -> Location {
        self.at(format!("$.donors[{i}].{field}"))
    }
    fn patient(&self, field: &str) -> Location {
        self.at(format!("$.patient.{field}"))
    }
    fn course(&self, field: &str) -> Location {
        self.at(format!("$.{field}"))
    }
}

struct Sink<'a> {
    file: &'a Path,
    out: crate::diagnostic::Kept,
}

impl Sink<'_> {
    fn push(
        &mut self,
        severity: Severity,
        location: Location,
        field: &str,
        value: Option<String>,
        expected: impl Into<String>,
    ) {
        self.out.push(Diagnostic {
            severity,
            file: self.file.to_path_buf(),
            location,
            field: Some(field.to_string()),
            value: value.map(|v| crate::diagnostic::clipped(&v)),
            expected: expected.into(),
        });
    }
}

/// Converts every observation to canonical units in place and checks the
/// whole course. Returns all diagnostics (errors and warnings), in record
/// order.
pub fn normalize_and_check(course: &mut Course, file: &Path, loc: &dyn Locator) -> Vec<Diagnostic> {
    let mut s = Sink {
        file,
        out: crate::diagnostic::Kept::default(),
    };
    if course.format != FORMAT_V1 {
        s.push(
            Severity::Error,
            loc.course("format"),
            "format",
            Some(course.format.clone()),
            format!(
                "expected the format tag '{FORMAT_V1}' (the only course format this graftwatch reads)"
            ),
        );
    }
    check_patient(course, loc, &mut s);
    let donor_ids = check_donors(course, loc, &mut s);
    let death = check_events(course, &donor_ids, loc, &mut s);
    check_texts(course, loc, &mut s);
    let chimerism = check_observations(course, &donor_ids, death, loc, &mut s);
    check_chimerism_sums(course, &chimerism, loc, &mut s);
    check_repeats(course, loc, &mut s);
    let file = s.file;
    let mut out = s.out.close(file);
    out.extend(crate::date_checks::date_warnings(
        course,
        crate::date_checks::today(),
        &|i| loc.observation(i, "date"),
        &|i| loc.event(i, "date"),
        &|location, date, expected| Diagnostic {
            severity: Severity::Warning,
            file: file.to_path_buf(),
            location,
            field: Some("date".into()),
            value: Some(date.to_string()),
            expected,
        },
    ));
    out
}

/// What is wrong with a patient id, if anything: empty or blank, a
/// control character (line break, tab), leading or trailing whitespace, or
/// whitespace other than a plain space (a no-break space prints like one).
/// Such ids print identically to others or break lines in lists.
pub fn patient_id_problem(id: &str) -> Option<&'static str> {
    if id.trim().is_empty() {
        Some("a patient id that is not empty or blank")
    } else if id.chars().any(char::is_control) {
        Some("a patient id without control characters (line breaks, tabs)")
    } else if id.trim() != id {
        Some("a patient id without leading or trailing spaces")
    } else if id.chars().any(|c| c.is_whitespace() && c != ' ') {
        Some("a patient id whose only spaces are plain spaces (no tabs or no-break spaces)")
    } else {
        None
    }
}

/// A patient id as written, with invisible characters made visible
/// (`\n`, `\t`, `\x00` as every message writes them; `\u{a0}` for
/// whitespace other than a space).
fn escaped_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_control() {
                graftwatch_core::shown::escaped(c.encode_utf8(&mut [0; 4]))
            } else if c.is_whitespace() && c != ' ' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn check_patient(course: &Course, loc: &dyn Locator, s: &mut Sink) {
    let id = course.patient.id.0.as_str();
    if let Some(expected) = patient_id_problem(id) {
        s.push(
            Severity::Error,
            loc.patient("id"),
            "patient.id",
            Some(escaped_id(id)),
            expected,
        );
    }
    let birth = course.patient.birth_year;
    if !(1900..=2200).contains(&birth) {
        s.push(
            Severity::Error,
            loc.patient("birth_year"),
            "birth_year",
            Some(birth.to_string()),
            "a year between 1900 and 2200",
        );
    }
    if let Some(h) = course.patient.height_cm
        && !(30.0..=250.0).contains(&h)
    {
        s.push(
            Severity::Error,
            loc.patient("height_cm"),
            "height_cm",
            Some(h.to_string()),
            "a height between 30 and 250 cm",
        );
    }
    if course.patient.diagnosis.date.year() < birth {
        s.push(
            Severity::Error,
            loc.patient("diagnosis.date"),
            "date",
            Some(course.patient.diagnosis.date.to_string()),
            format!("a date on or after the birth year {birth}"),
        );
    }
    for (i, m) in course.patient.diagnosis.mutations.iter().enumerate() {
        if let Some(v) = m.vaf_percent
            && !(v.is_finite() && (0.0..=100.0).contains(&v))
        {
            s.push(
                Severity::Error,
                loc.patient(&format!("diagnosis.mutations[{i}].vaf_percent")),
                "vaf_percent",
                Some(v.to_string()),
                "a VAF between 0 and 100 %",
            );
        }
    }
    let lr = course.patient.lab_reference;
    for (name, v) in [
        ("bilirubin_uln_mg_dl", lr.bilirubin_uln_mg_dl),
        ("alt_uln", lr.alt_uln),
        ("ast_uln", lr.ast_uln),
        ("alp_uln", lr.alp_uln),
    ] {
        if !(v.is_finite() && v > 0.0) {
            s.push(
                Severity::Error,
                loc.patient(&format!("lab_reference.{name}")),
                name,
                Some(v.to_string()),
                "an upper limit of normal greater than 0",
            );
        }
    }
}

/// Checks donor ids; returns the set of valid ids.
fn check_donors(course: &Course, loc: &dyn Locator, s: &mut Sink) -> HashSet<String> {
    let mut donor_ids = HashSet::new();
    for (i, d) in course.donors.iter().enumerate() {
        let problem = if d.id.0.trim().is_empty() {
            Some("a non-empty donor id")
        } else if d.id.0.eq_ignore_ascii_case("recipient") {
            Some("a donor id other than 'recipient' (reserved)")
        } else if !donor_ids.insert(d.id.0.clone()) {
            Some("a donor id not used by another donor (duplicate id)")
        } else {
            None
        };
        if let Some(p) = problem {
            s.push(
                Severity::Error,
                loc.donor(i, "id"),
                "id",
                Some(d.id.0.clone()),
                p,
            );
        }
    }
    donor_ids
}

/// Checks a quantity against its row of the physiological limits table:
/// outside the valid range is an error, above the plausible level a warning.
fn check_limit(s: &mut Sink, at: impl Fn() -> Location, field: &str, v: f64, kind: LimitKind) {
    let l = limit(kind);
    let text = if v != 0.0 && v.is_finite() && (v.abs() >= 1e6 || v.abs() < 1e-3) {
        format!("{v:e}")
    } else {
        v.to_string()
    };
    let problem = if !l.is_valid(v) {
        Some((Severity::Error, l.expected.to_string()))
    } else if l.is_implausible(v) {
        Some((
            Severity::Warning,
            format!(
                "a plausible value (above {:e}); kept, please check",
                l.warn_above
            ),
        ))
    } else if l.is_implausibly_small(v) {
        Some((
            Severity::Warning,
            format!(
                "cells per kg: {v} cells/kg is implausibly small (below {:e}); was it written in ×10⁶/kg ({:e} cells/kg)? kept, please check",
                l.warn_below,
                v * 1e6
            ),
        ))
    } else {
        None
    };
    if let Some((severity, expected)) = problem {
        s.push(severity, at(), field, Some(text), expected);
    }
}

/// A drug or agent dose: a positive number within the limits table, and a
/// structured unit ([`crate::dose_unit`]).
fn check_dose(
    s: &mut Sink,
    at: impl Fn() -> Location,
    dose: Option<f64>,
    unit: Option<&str>,
    unit_field: &str,
) {
    if let Some(d) = dose {
        check_limit(s, &at, "dose", d, LimitKind::DrugDose);
    }
    if let Some(u) = unit
        && let Err(e) = crate::dose_unit::DoseUnit::parse(u)
    {
        s.push(
            Severity::Error,
            at(),
            unit_field,
            Some(u.to_string()),
            e.to_string(),
        );
    }
}

/// Checks the events; returns the date of death, if any.
fn check_events(
    course: &Course,
    donor_ids: &HashSet<String>,
    loc: &dyn Locator,
    s: &mut Sink,
) -> Option<Date> {
    let birth = course.patient.birth_year;
    let first_graft = course
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::GraftInfusion { .. }))
        .map(|e| e.date)
        .min();
    let deaths: Vec<(usize, Date)> = course
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.detail, EventDetail::Death { .. }))
        .map(|(i, e)| (i, e.date))
        .collect();
    for (i, d) in deaths.iter().skip(1) {
        s.push(
            Severity::Error,
            loc.event(*i, "kind"),
            "kind",
            Some(format!("death on {d}")),
            format!("a single death event (the first is dated {})", deaths[0].1),
        );
    }
    let death = deaths.first().map(|(_, d)| *d);
    let mut event_ids = HashSet::new();
    for (i, e) in course.events.iter().enumerate() {
        if let Some(id) = &e.id
            && !event_ids.insert(id.clone())
        {
            s.push(
                Severity::Error,
                loc.event(i, "id"),
                "id",
                Some(id.clone()),
                "an event id not used by another event (duplicate id)",
            );
        }
        check_event_dates(e, i, birth, death, loc, s);
        check_event_detail(e, i, donor_ids, first_graft, loc, s);
    }
    death
}

fn check_event_dates(
    e: &crate::event::Event,
    i: usize,
    birth: i32,
    death: Option<Date>,
    loc: &dyn Locator,
    s: &mut Sink,
) {
    if e.date.year() < birth {
        s.push(
            Severity::Error,
            loc.event(i, "date"),
            "date",
            Some(e.date.to_string()),
            format!("a date on or after the birth year {birth}"),
        );
    }
    if let Some(dd) = death
        && e.date > dd
        && !matches!(e.detail, EventDetail::Biopsy { .. })
    {
        s.push(
            Severity::Error,
            loc.event(i, "date"),
            "date",
            Some(e.date.to_string()),
            format!("a date on or before the death on {dd} (only a biopsy/autopsy may follow it)"),
        );
    }
    if let Some(end) = e.end_date
        && end < e.date
    {
        s.push(
            Severity::Error,
            loc.event(i, "end_date"),
            "end_date",
            Some(end.to_string()),
            format!("an end date on or after the start date {}", e.date),
        );
    }
}

fn check_donor_ref(
    donor: &str,
    i: usize,
    donor_ids: &HashSet<String>,
    loc: &dyn Locator,
    s: &mut Sink,
) {
    if !donor_ids.contains(donor) {
        s.push(
            Severity::Error,
            loc.event(i, "donor"),
            "donor",
            Some(donor.to_string()),
            "the id of a donor listed in donors",
        );
    }
}

fn check_event_detail(
    e: &crate::event::Event,
    i: usize,
    donor_ids: &HashSet<String>,
    first_graft: Option<Date>,
    loc: &dyn Locator,
    s: &mut Sink,
) {
    match &e.detail {
        EventDetail::GraftInfusion {
            donor,
            tnc_per_kg,
            cd34_per_kg,
            cd3_per_kg,
            transplant,
            ..
        } => {
            check_donor_ref(&donor.0, i, donor_ids, loc, s);
            for (name, v, k) in [
                ("tnc_per_kg", tnc_per_kg, LimitKind::GraftTncPerKg),
                ("cd34_per_kg", cd34_per_kg, LimitKind::GraftCd34PerKg),
                ("cd3_per_kg", cd3_per_kg, LimitKind::GraftCd3PerKg),
            ] {
                if let Some(v) = v {
                    check_limit(s, || loc.event(i, name), name, v.get(), k);
                }
            }
            if *transplant == 0 {
                s.push(
                    Severity::Error,
                    loc.event(i, "transplant"),
                    "transplant",
                    Some("0".into()),
                    "a transplant number starting at 1",
                );
            }
        }
        EventDetail::Dli {
            donor, cd3_per_kg, ..
        } => check_dli(e, i, &donor.0, *cd3_per_kg, donor_ids, first_graft, loc, s),
        EventDetail::OxygenSupport {
            flow_l_min: Some(f),
            ..
        } if !(f.is_finite() && (0.0..=80.0).contains(f)) => {
            s.push(
                Severity::Error,
                loc.event(i, "flow_l_min"),
                "flow_l_min",
                Some(f.to_string()),
                "an oxygen flow between 0 and 80 L/min",
            );
        }
        EventDetail::Conditioning { agents, .. } | EventDetail::Lymphodepletion { agents, .. } => {
            for (j, a) in agents.iter().enumerate() {
                let at = || loc.event(i, &format!("agents[{j}].unit"));
                check_dose(s, at, a.dose, a.unit.as_deref(), "unit");
            }
        }
        EventDetail::Drug {
            dose, dose_unit, ..
        } => check_dose(
            s,
            || loc.event(i, "dose_unit"),
            *dose,
            dose_unit.as_deref(),
            "dose_unit",
        ),
        EventDetail::CarTInfusion {
            dose_per_kg: Some(d),
            ..
        } => check_limit(
            s,
            || loc.event(i, "dose_per_kg"),
            "dose_per_kg",
            d.get(),
            LimitKind::CarTDosePerKg,
        ),
        _ => {}
    }
}

/// A DLI: donor listed, CD3+ dose inside the limits table, after day 0.
#[allow(clippy::too_many_arguments)]
fn check_dli(
    e: &crate::event::Event,
    i: usize,
    donor: &str,
    cd3_per_kg: graftwatch_core::CellsPerKg,
    donor_ids: &HashSet<String>,
    first_graft: Option<Date>,
    loc: &dyn Locator,
    s: &mut Sink,
) {
    check_donor_ref(donor, i, donor_ids, loc, s);
    check_limit(
        s,
        || loc.event(i, "cd3_per_kg"),
        "cd3_per_kg",
        cd3_per_kg.get(),
        LimitKind::DliCd3PerKg,
    );
    let problem = match first_graft {
        None => Some("a DLI after a transplant, but the course has no graft infusion".to_string()),
        Some(d0) if e.date <= d0 => Some(format!(
            "a DLI date after the transplant (day 0 = {d0}); events are out of order"
        )),
        _ => None,
    };
    if let Some(p) = problem {
        s.push(
            Severity::Error,
            loc.event(i, "date"),
            "date",
            Some(e.date.to_string()),
            p,
        );
    }
}

/// The dates an observation of a patient may carry: on or after 1 January
/// of the birth year and on or before the death (the one rule of
/// validation and of [`observation_date_problem`]).
struct Lifetime {
    birth: i32,
    born: Option<Date>,
    death: Option<Date>,
}

impl Lifetime {
    fn new(birth: i32, death: Option<Date>) -> Lifetime {
        Lifetime {
            birth,
            // `date.year() < birth` as one comparison with 1 January of
            // the birth year (when that is a supported date).
            born: Date::from_ymd(birth, 1, 1).ok(),
            death,
        }
    }

    /// What `date` should be, for each rule it breaks.
    fn problems(&self, date: Date) -> impl Iterator<Item = String> + '_ {
        let after_death = self
            .death
            .filter(|dd| date > *dd)
            .map(|dd| format!("a date on or before the death on {dd}"));
        let before_birth = match self.born {
            Some(b) => date < b,
            None => date.year() < self.birth,
        };
        let before_birth =
            before_birth.then(|| format!("a date on or after the birth year {}", self.birth));
        after_death.into_iter().chain(before_birth)
    }
}

/// Why an observation dated `date` cannot belong to this course (before
/// the patient's birth year, after the death), as validation words it;
/// `None` when it can. Used by `attach_chimerism`, so `--add-to` never
/// writes a course that no longer validates.
pub fn observation_date_problem(course: &Course, date: Date) -> Option<String> {
    let death = course
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::Death { .. }))
        .map(|e| e.date)
        .min();
    Lifetime::new(course.patient.birth_year, death)
        .problems(date)
        .next()
}

/// What is wrong with a text of the course, if anything: a control
/// character (an escape sequence would repaint the terminal of whoever
/// shows the course, a line break in a name would forge a timeline row;
/// line breaks and tabs are text in a note, a reason or a remark), or a
/// blank name.
pub fn text_problem(text: &str, multiline: bool, named: bool) -> Option<String> {
    if named && text.trim().is_empty() {
        return Some("a name, not empty or blank".into());
    }
    let (at, c) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))?;
    Some(format!(
        "text without control characters (U+{:04X} at character {})",
        u32::from(c),
        at + 1
    ))
}

/// Every free text of the events (names, regimens, units, notes) and of
/// the observations (sample, assay, note) passes [`text_problem`]. The
/// events are walked through their JSON form, so a text field added to a
/// variant is checked without a line here.
fn check_texts(course: &Course, loc: &dyn Locator, s: &mut Sink) {
    for (i, e) in course.events.iter().enumerate() {
        let Ok(v) = serde_json::to_value(e) else {
            continue;
        };
        walk_texts(&v, "", &mut |path, key, text| {
            // A name is one line; other texts (notes, reasons, units with
            // a remark) may break lines.
            let named = matches!(key, "name" | "regimen");
            let multiline = !named;
            if let Some(problem) = text_problem(text, multiline, named) {
                s.push(
                    Severity::Error,
                    loc.event(i, path),
                    key,
                    Some(text.to_string()),
                    problem,
                );
            }
        });
    }
    for (i, o) in course.observations.iter().enumerate() {
        for (field, text, multiline) in [
            ("sample", o.sample.as_deref(), false),
            ("assay", o.assay.as_deref(), false),
            ("note", o.note.as_deref(), true),
        ] {
            if let Some(problem) = text.and_then(|t| text_problem(t, multiline, false)) {
                s.push(
                    Severity::Error,
                    loc.observation(i, field),
                    field,
                    text.map(str::to_string),
                    problem,
                );
            }
        }
    }
}

/// Calls `f(path, key, text)` for every string in `v` (`path` like
/// `agents[0].name`).
fn walk_texts(v: &serde_json::Value, path: &str, f: &mut dyn FnMut(&str, &str, &str)) {
    match v {
        serde_json::Value::String(t) => {
            let key = path.rsplit(['.', '[']).next().unwrap_or(path);
            f(path, key.trim_end_matches(']'), t);
        }
        serde_json::Value::Array(items) => {
            for (j, x) in items.iter().enumerate() {
                walk_texts(x, &format!("{path}[{j}]"), f);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk_texts(x, &p, f);
            }
        }
        _ => {}
    }
}

/// Checks and converts every observation; returns the positions of the
/// chimerism results (for [`check_chimerism_sums`], without a second pass
/// over all observations).
fn check_observations(
    course: &mut Course,
    donor_ids: &HashSet<String>,
    death: Option<Date>,
    loc: &dyn Locator,
    s: &mut Sink,
) -> Vec<usize> {
    let mut chimerism = Vec::new();
    let life = Lifetime::new(course.patient.birth_year, death);
    for (i, o) in course.observations.iter_mut().enumerate() {
        for expected in life.problems(o.date) {
            s.push(
                Severity::Error,
                loc.observation(i, "date"),
                "date",
                Some(o.date.to_string()),
                expected,
            );
        }
        check_observation_value(o, i, loc, s);
        if o.kind == ObservationKind::Chimerism {
            check_chimerism_refs(o, i, donor_ids, loc, s);
            chimerism.push(i);
        } else {
            check_detection_fields(o, i, loc, s);
        }
    }
    chimerism
}

/// Observations entered twice and lab values that contradict each other
/// at one time point (warnings; see [`crate::repeats`]).
fn check_repeats(course: &Course, loc: &dyn Locator, s: &mut Sink) {
    let file = s.file;
    for r in crate::repeats::repeats(&course.observations) {
        // Located and worded only when kept (a file copied into itself
        // has a repeat per row).
        s.out.push_with(Severity::Warning, || {
            let earlier = &course.observations[r.earlier];
            let at = crate::repeats::place(&loc.observation(r.earlier, "kind"));
            Diagnostic {
                severity: Severity::Warning,
                file: file.to_path_buf(),
                location: loc.observation(r.later, "kind"),
                field: Some("kind".into()),
                value: Some(course.observations[r.later].kind.as_str().to_string()),
                expected: crate::repeats::words(&r, earlier, &at),
            }
        });
    }
}

/// A detection limit and a detection call belong to chimerism results only.
fn check_detection_fields(o: &Observation, i: usize, loc: &dyn Locator, s: &mut Sink) {
    let fields = [
        ("lod_percent", o.lod_percent.map(|p| p.get().to_string())),
        ("detected", o.detected.map(|b| b.to_string())),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            s.push(
                Severity::Error,
                loc.observation(i, field),
                field,
                Some(v),
                format!(
                    "'{field}' belongs to chimerism results only; this observation's kind is '{}'",
                    o.kind.as_str()
                ),
            );
        }
    }
}

/// Checks a numeric value against its spec and converts it to the
/// canonical unit; returns `None` (after reporting) when it cannot be used.
fn normalize_number(o: &mut Observation, i: usize, v: f64, loc: &dyn Locator, s: &mut Sink) {
    let kind = o.kind;
    let ValueSpec::Number {
        canonical,
        accepted,
        min,
        max,
        warn_above,
    } = kind.spec()
    else {
        return;
    };
    let unit = match o.unit {
        Some(u) if accepted.contains(&u) => u,
        other => {
            s.push(
                Severity::Error,
                loc.observation(i, "unit"),
                "unit",
                other.map(|u| Unit::accepted_text(&[u])),
                format!(
                    "a unit for {}; accepted: {}",
                    kind.label(),
                    Unit::accepted_text(accepted)
                ),
            );
            return;
        }
    };
    if !v.is_finite() {
        s.push(
            Severity::Error,
            loc.observation(i, "value"),
            "value",
            Some(v.to_string()),
            "a finite number",
        );
        return;
    }
    if fractional_count(kind, unit, v, i, loc, s) {
        return;
    }
    let c = match kind.to_canonical(v, unit) {
        Ok(c) => c,
        Err(e) => {
            s.push(
                Severity::Error,
                loc.observation(i, "unit"),
                "unit",
                Some(unit.to_string()),
                e.to_string(),
            );
            return;
        }
    };
    let cu = if kind == ObservationKind::StoolVolume && unit == Unit::MlPerKg {
        Unit::MlPerKg
    } else {
        canonical
    };
    let given = || Some(unit.with_value(v));
    if let Some((severity, what)) = range_problem(kind, c, cu, (min, max, warn_above)) {
        s.push(
            severity,
            loc.observation(i, "value"),
            "value",
            given(),
            what,
        );
    }
    o.value = ObsValue::Number(c);
    o.unit = Some(cu);
}

/// A count per µL with a fractional part, reported: cells are counted
/// whole, so "1.100 /µL" is 1100 written with a thousands dot (or 1.1
/// ×10⁹/L with the wrong unit), never 1.1 cells.
fn fractional_count(
    kind: ObservationKind,
    unit: Unit,
    v: f64,
    i: usize,
    loc: &dyn Locator,
    s: &mut Sink,
) -> bool {
    if unit != Unit::PerMicroL || v.fract() == 0.0 {
        return false;
    }
    s.push(
        Severity::Error,
        loc.observation(i, "value"),
        "value",
        Some(unit.with_value(v)),
        format!(
            "a whole number of cells per µL for {} (write 1100, not 1.100 or 1,100; or give the value in ×10⁹/L)",
            kind.label()
        ),
    );
    true
}

/// A canonical value `c` (in `cu`) outside the kind's `(min, max,
/// warn_above)`: an error outside the allowed range, a warning above the
/// plausible one; the expectation in words.
fn range_problem(
    kind: ObservationKind,
    c: f64,
    cu: Unit,
    (min, max, warn_above): (f64, f64, f64),
) -> Option<(Severity, String)> {
    if c < min || c > max {
        let what = if min == 0.0 && max.is_infinite() {
            format!("a non-negative {}", kind.label())
        } else {
            format!("{} between {min} and {}", kind.label(), cu.with_value(max))
        };
        return Some((Severity::Error, what));
    }
    (c > warn_above).then(|| {
        (
            Severity::Warning,
            format!(
                "implausible {} (above {}); kept, please check",
                kind.label(),
                cu.with_value(warn_above)
            ),
        )
    })
}

fn check_observation_value(o: &mut Observation, i: usize, loc: &dyn Locator, s: &mut Sink) {
    let kind = o.kind;
    match (kind.spec(), &o.value) {
        (ValueSpec::Number { .. }, ObsValue::Number(v)) => {
            // "-0" is 0: shown as "ANC -0 ×10⁹/L" otherwise.
            let v = *v + 0.0;
            normalize_number(o, i, v, loc, s);
        }
        (ValueSpec::Score { min, max }, ObsValue::Number(v)) => {
            if let Some(u) = o.unit
                && u != Unit::Count
            {
                s.push(
                    Severity::Error,
                    loc.observation(i, "unit"),
                    "unit",
                    Some(u.to_string()),
                    format!("no unit (or '1') for the score {kind}"),
                );
                return;
            }
            if v.fract() != 0.0 || *v < min as f64 || *v > max as f64 {
                s.push(
                    Severity::Error,
                    loc.observation(i, "value"),
                    "value",
                    Some(v.to_string()),
                    format!("a whole number from {min} to {max} for {kind}"),
                );
            }
            o.unit = None;
        }
        (ValueSpec::Bool, ObsValue::Bool(_)) => o.unit = None,
        (ValueSpec::Category(allowed), ObsValue::Category(c)) => {
            if !allowed.contains(&c.as_str()) {
                s.push(
                    Severity::Error,
                    loc.observation(i, "value"),
                    "value",
                    Some(c.clone()),
                    format!("one of {} for {kind}", allowed.join(", ")),
                );
            }
            o.unit = None;
        }
        (spec, v) => {
            let want = match spec {
                ValueSpec::Number { .. } => "a number".to_string(),
                ValueSpec::Score { min, max } => format!("a whole number from {min} to {max}"),
                ValueSpec::Bool => "true or false".to_string(),
                ValueSpec::Category(a) => format!("one of {}", a.join(", ")),
            };
            s.push(
                Severity::Error,
                loc.observation(i, "value"),
                "value",
                Some(v.to_string()),
                format!("{want} for {kind}"),
            );
        }
    }
}

fn check_chimerism_refs(
    o: &Observation,
    i: usize,
    donor_ids: &HashSet<String>,
    loc: &dyn Locator,
    s: &mut Sink,
) {
    if o.lineage.is_none() {
        s.push(Severity::Error, loc.observation(i, "lineage"), "lineage", None, "a lineage for a chimerism result (whole_blood, cd3, myeloid, cd19, cd56, cd34, marrow)");
    }
    match &o.person {
        None => s.push(
            Severity::Error,
            loc.observation(i, "person"),
            "person",
            None,
            "a person for a chimerism result ('recipient' or a donor id)",
        ),
        Some(PersonRef::Donor(d)) if !donor_ids.contains(&d.0) => {
            s.push(
                Severity::Error,
                loc.observation(i, "person"),
                "person",
                Some(d.0.clone()),
                "'recipient' or the id of a donor listed in donors",
            );
        }
        _ => {}
    }
}

/// Chimerism shares of one sample should add up to about 100 %
/// (`chimerism`: the positions of the chimerism results, in order).
fn check_chimerism_sums(course: &Course, chimerism: &[usize], loc: &dyn Locator, s: &mut Sink) {
    // Keys borrowed from the course, ordered as (date, lineage name, sample).
    let mut groups: std::collections::BTreeMap<(Date, &str, &str), (f64, usize)> =
        Default::default();
    for &i in chimerism {
        let o = &course.observations[i];
        if o.kind == ObservationKind::Chimerism
            && let (Some(v), Some(l)) = (o.number(), o.lineage)
        {
            let key = (o.date, l.as_str(), o.sample.as_deref().unwrap_or_default());
            let g = groups.entry(key).or_insert((0.0, i));
            g.0 += v;
        }
    }
    for ((date, lineage, sample), (sum, first)) in groups {
        if (sum - 100.0).abs() > 2.0 {
            s.push(
                Severity::Warning,
                loc.observation(first, "value"),
                "value",
                Some(format!("{sum:.1} %")),
                format!(
                    "chimerism shares of {date} {lineage}{} adding up to 100 % (± 2)",
                    if sample.is_empty() {
                        String::new()
                    } else {
                        format!(" sample {sample}")
                    }
                ),
            );
        }
    }
}

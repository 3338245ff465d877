//! The long-CSV reader: header, rows by record type, then the course.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use graftwatch_core::{Date, DonorId, Lineage, PatientId, Percent, PersonRef, TimeOfDay, Unit};
use serde_json::{Map, Value};

use super::records::{Record, RecordError, Records};
use super::{COLUMNS, COURSE_FACTS, RECORD_TYPES, REQUIRED_COLUMNS};
use crate::detail::{DetailEntry, parse_detail};
use crate::diagnostic::{CourseError, Diagnostic, Location, Severity};
use crate::event::{Event, EventDetail};
use crate::event_fields::{FieldType, event_fields};
use crate::io::{LoadedCourse, finish};
use crate::model::{Course, FORMAT_V1};
use crate::observation::{ObsValue, Observation, ObservationKind, ValueSpec};
use crate::patient::{
    Abnormality, Diagnosis, Disease, Donor, Karyotype, LabReference, Mutation, Patient, Sex,
};
use crate::validate::Locator;

mod patient;

/// Columns each record type may fill (besides `record`, `patient`, `kind`).
fn allowed_columns(record: &str, kind: &str) -> &'static [&'static str] {
    match (record, kind) {
        ("course", _) => &["value"],
        ("patient", "diagnosis") => &["value", "date", "note"],
        ("patient", "height" | "bilirubin_uln" | "alt_uln" | "ast_uln" | "alp_uln") => {
            &["value", "unit"]
        }
        ("patient", "abnormality" | "mutation") => &["value", "detail"],
        ("patient", _) => &["value"],
        ("donor", _) => &["person", "detail"],
        ("event", _) => &["id", "date", "time", "end_date", "note", "detail"],
        _ => &[
            "date",
            "time",
            "value",
            "unit",
            "person",
            "lineage",
            "attribution",
            "method",
            "assay",
            "sample",
            "automated",
            "note",
            "lod_percent",
            "detected",
        ],
    }
}

/// One record: the cell of each of [`COLUMNS`] (by the column's position
/// in [`COLUMNS`]; empty when the file has no such column), already
/// trimmed as [`cell_text`] trims, so that every later look-up is an index.
struct Row<'a> {
    line: usize,
    cells: [&'a str; COLUMNS.len()],
    /// Bit `i` set when `cells[i]` is not empty.
    filled: u32,
}

// The column sets of a row are bit sets over the columns in a `u32`.
const _: () = assert!(COLUMNS.len() <= 32);

/// Which of [`COLUMNS`] each position of the file's rows holds (`None`:
/// a column the reader does not use, or past the header's columns).
struct Columns(Vec<Option<usize>>);

impl Columns {
    fn of(map: &HashMap<&'static str, usize>) -> Columns {
        let width = map.values().map(|&j| j + 1).max().unwrap_or(0);
        let mut by_pos = vec![None; width];
        for (i, c) in COLUMNS.iter().enumerate() {
            if let Some(&j) = map.get(c) {
                by_pos[j] = Some(i);
            }
        }
        Columns(by_pos)
    }

    /// Fills `row` with the cells of a record by column, walking the record
    /// once. (Into the caller's row: a row returned by value, 300 bytes, was
    /// copied by a `memcpy` call per record.)
    #[inline(always)]
    fn fill<'a>(&self, rec: &Record<'a>, row: &mut Row<'a>) {
        for (j, cell) in rec.nonempty_fields() {
            if let Some(&Some(i)) = self.0.get(j) {
                let text = cell_text(i, cell);
                row.cells[i] = text;
                row.filled |= u32::from(!text.is_empty()) << i;
            }
        }
    }
}

/// The cell of column [`COLUMNS`]`[i]` as the reader sees it: trimmed,
/// except a free-text cell that is not blank.
#[inline]
fn cell_text(i: usize, v: &str) -> &str {
    let t = trim(v);
    if FREE_TEXT[i] && !t.is_empty() { v } else { t }
}

/// The position of a column name in [`COLUMNS`] (a `match`, which the
/// compiler resolves for the literal names the reader asks for).
#[inline(always)]
fn column_index(col: &str) -> Option<usize> {
    let i = match col {
        "record" => 0,
        "patient" => 1,
        "id" => 2,
        "date" => 3,
        "time" => 4,
        "end_date" => 5,
        "kind" => 6,
        "value" => 7,
        "unit" => 8,
        "person" => 9,
        "lineage" => 10,
        "attribution" => 11,
        "method" => 12,
        "assay" => 13,
        "sample" => 14,
        "automated" => 15,
        "note" => 16,
        "detail" => 17,
        "lod_percent" => 18,
        "detected" => 19,
        _ => return None,
    };
    Some(i)
}

impl Row<'_> {
    // Inlined so that the literal column names the reader passes resolve
    // to positions at compile time.
    #[inline(always)]
    fn get(&self, col: &str) -> &str {
        match column_index(col) {
            Some(i) => self.get_at(i),
            None => "",
        }
    }
    #[inline(always)]
    fn opt(&self, col: &str) -> Option<&str> {
        match column_index(col) {
            Some(i) => self.opt_at(i),
            None => None,
        }
    }
    /// The cell of column [`COLUMNS`]`[i]`: trimmed, except a free-text
    /// cell that is not blank.
    fn get_at(&self, i: usize) -> &str {
        self.cells[i]
    }
    /// The cell when it is not blank ([`Row::get_at`] is empty exactly
    /// when the cell is blank).
    fn opt_at(&self, i: usize) -> Option<&str> {
        let v = self.get_at(i);
        (!v.is_empty()).then_some(v)
    }
}

/// `str::trim`, answering at once for the usual cell: empty, or starting
/// and ending with a printable ASCII character (white space that is not
/// ASCII starts with a byte ≥ 0x80).
#[inline]
fn trim(v: &str) -> &str {
    let solid = |b: u8| b < 0x80 && !matches!(b, b' ' | b'\t'..=b'\r');
    match v.as_bytes() {
        [] => v,
        [first, .., last] if solid(*first) && solid(*last) => v,
        [only] if solid(*only) => v,
        _ => v.trim(),
    }
}

/// Which of [`COLUMNS`] are free text (`value`, `note`, `detail`): kept
/// exactly; other cells are trimmed.
const FREE_TEXT: [bool; COLUMNS.len()] = {
    let mut f = [false; COLUMNS.len()];
    f[7] = true; // value
    f[16] = true; // note
    f[17] = true; // detail
    f
};

struct Builder<'p> {
    file: &'p Path,
    diags: crate::diagnostic::Kept,
    format: Option<String>,
    illustrative: Option<String>,
    patient_id: Option<(String, usize)>,
    sex: Option<Sex>,
    birth_year: Option<i32>,
    height: Option<f64>,
    diagnosis: Option<(Disease, Date, Option<String>)>,
    karyotype: Option<String>,
    abnormalities: Vec<Abnormality>,
    mutations: Vec<Mutation>,
    comorbidities: Vec<String>,
    mrd_marker: Option<String>,
    uln: [Option<f64>; 4],
    donors: Vec<Donor>,
    events: Vec<Event>,
    observations: Vec<Observation>,
    loc: CsvLocator,
    last_line: usize,
    /// [`Builder::allowed_mask`]'s last list and its bit set.
    allowed_cache: Option<(&'static [&'static str], u32)>,
    /// Dates, kinds and units already converted.
    memo: crate::memo::Memo,
}

/// Maps records of a course read from CSV back to their lines.
#[derive(Debug, Clone, Default)]
pub struct CsvLocator {
    observations: Vec<usize>,
    events: Vec<usize>,
    donors: Vec<usize>,
    patient: HashMap<String, usize>,
    first_patient: usize,
    /// The line of the `course,…,format` row.
    format: usize,
}

fn at(line: usize, column: &str) -> Location {
    Location::CsvLine {
        line,
        column: Some(column.to_string()),
    }
}

impl Locator for CsvLocator {
    fn observation(&self, i: usize, field: &str) -> Location {
        at(self.observations.get(i).copied().unwrap_or(0), field)
    }
    fn event(&self, i: usize, field: &str) -> Location {
        let col = match field {
            "id" | "date" | "time" | "end_date" | "note" | "kind" => field,
            _ => "detail",
        };
        at(self.events.get(i).copied().unwrap_or(0), col)
    }
    fn donor(&self, i: usize, field: &str) -> Location {
        let col = match field {
            "id" => "person",
            "relationship" => "kind",
            _ => "detail",
        };
        at(self.donors.get(i).copied().unwrap_or(0), col)
    }
    fn patient(&self, field: &str) -> Location {
        let mut key = field;
        let line = loop {
            if let Some(l) = self.patient.get(key) {
                break *l;
            }
            match key.rfind(['.', '[']) {
                Some(c) => key = &key[..c],
                None => break self.first_patient,
            }
        };
        let last = field.rsplit('.').next().unwrap_or(field);
        let col = match last {
            "date" => "date",
            "vaf_percent" | "variant" | "chromosome" | "type" => "detail",
            _ => "value",
        };
        at(line, col)
    }
    fn course(&self, _field: &str) -> Location {
        at(self.format, "value")
    }
}

impl Builder<'_> {
    fn err(&mut self, line: usize, column: &str, value: Option<&str>, expected: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            file: self.file.to_path_buf(),
            location: at(line, column),
            field: Some(column.to_string()),
            value: value.map(crate::diagnostic::clipped),
            expected: expected.into(),
        });
    }

    fn required<'r>(&mut self, row: &'r Row, col: &str, what: &str) -> Option<&'r str> {
        let v = row.opt(col);
        if v.is_none() {
            self.err(row.line, col, None, format!("a value: {what}"));
        }
        v
    }

    fn date(&mut self, row: &Row, col: &str) -> Option<Date> {
        let v = self.required(row, col, "a date YYYY-MM-DD")?;
        if let Some(d) = self.memo.dates.get(v) {
            return Some(d);
        }
        match Date::from_str(v) {
            Ok(d) => {
                self.memo.dates.put(v, d);
                Some(d)
            }
            Err(e) => {
                self.err(row.line, col, Some(v), e.to_string());
                None
            }
        }
    }

    fn opt_parse<T, E: std::fmt::Display>(
        &mut self,
        row: &Row,
        col: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ()> {
        match row.opt(col) {
            None => Ok(None),
            Some(v) => match parse(trim(v)) {
                Ok(t) => Ok(Some(t)),
                Err(e) => {
                    self.err(row.line, col, Some(v), e.to_string());
                    Err(())
                }
            },
        }
    }

    fn number(&mut self, row: &Row, col: &str) -> Option<f64> {
        let v = self.required(row, col, "a number")?;
        match parse_number(v) {
            Some(x) => Some(x),
            None => {
                self.err(row.line, col, Some(v), "a number");
                None
            }
        }
    }

    fn row(&mut self, row: &Row) {
        self.last_line = row.line;
        let record_cell = row.get("record");
        // Most rows are observations: that exact spelling first.
        let is_observation = record_cell.len() == 11
            && crate::memo::same_bytes(record_cell.as_bytes(), b"observation");
        let record = match record_cell {
            _ if is_observation => Some("observation"),
            _ => RECORD_TYPES
                .iter()
                .find(|r| r.eq_ignore_ascii_case(record_cell))
                .copied(),
        };
        let Some(record) = record else {
            self.unknown_record(row);
            return;
        };
        let kind = row.get("kind");
        self.check_patient_id(row);
        if kind.is_empty() {
            self.err(
                row.line,
                "kind",
                None,
                format!("a kind for this {record} row"),
            );
            return;
        }
        let allowed = allowed_columns(record, kind);
        let mask = self.allowed_mask(allowed);
        // Filled cells outside the allowed columns, in column order.
        let mut extra = row.filled & !mask;
        while extra != 0 {
            let i = extra.trailing_zeros() as usize;
            extra &= extra - 1;
            let col = COLUMNS[i];
            let v = row.get_at(i).to_string();
            self.err(
                row.line,
                col,
                Some(&v),
                format!(
                    "an empty cell: {record} rows{} use only the columns {}",
                    if record == "patient" {
                        format!(" of kind {kind}")
                    } else {
                        String::new()
                    },
                    allowed.join(", ")
                ),
            );
        }
        match record {
            "course" => self.course_row(row, kind),
            "patient" => self.patient_row(row, kind),
            "donor" => self.donor_row(row, kind),
            "event" => self.event_row(row, kind),
            _ => self.observation_row(row, kind),
        }
    }

    /// The columns a row may fill (`record`, `patient`, `kind` and
    /// `allowed`) as a bit set over [`COLUMNS`]; the set of the previous
    /// row's list is kept (the lists are static: most rows share one).
    fn allowed_mask(&mut self, allowed: &'static [&'static str]) -> u32 {
        if let Some((list, mask)) = self.allowed_cache
            && std::ptr::eq(list, allowed)
        {
            return mask;
        }
        let mask = COLUMNS
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(**c, "record" | "patient" | "kind") || allowed.contains(*c))
            .fold(0u32, |m, (i, _)| m | 1 << i);
        self.allowed_cache = Some((allowed, mask));
        mask
    }

    /// The patient column: the same id on every row that has one.
    fn check_patient_id(&mut self, row: &Row) {
        if let Some(p) = row.opt("patient") {
            match &self.patient_id {
                None => self.patient_id = Some((p.to_string(), row.line)),
                Some((id, first))
                    if id.len() != p.len()
                        || !crate::memo::same_bytes(id.as_bytes(), p.as_bytes()) =>
                {
                    let msg = format!(
                        "the patient id '{id}' of line {first} (one patient per file), or an empty cell"
                    );
                    self.err(row.line, "patient", Some(p), msg);
                }
                _ => {}
            }
        }
    }

    /// A row whose `record` is none of [`RECORD_TYPES`] (its patient id is
    /// checked all the same).
    fn unknown_record(&mut self, row: &Row) {
        self.check_patient_id(row);
        let v = row.get("record").to_string();
        self.err(
            row.line,
            "record",
            Some(&v),
            format!("one of {}", RECORD_TYPES.join(", ")),
        );
    }

    fn course_row(&mut self, row: &Row, kind: &str) {
        let Some(v) = self.required(row, "value", "the format tag or the statement") else {
            return;
        };
        let v = v.to_string();
        match kind {
            "format" => {
                if self.format.is_some() {
                    self.err(row.line, "kind", Some(kind), "a single format row");
                }
                self.format = Some(v.trim().to_string());
                self.loc.format = row.line;
            }
            "illustrative" => {
                if self.illustrative.is_some() {
                    self.err(row.line, "kind", Some(kind), "a single illustrative row");
                }
                self.illustrative = Some(v);
            }
            _ => self.err(
                row.line,
                "kind",
                Some(kind),
                format!("for a course row one of {}", COURSE_FACTS.join(", ")),
            ),
        }
    }

    fn once(&mut self, line: usize, kind: &str, slot_full: bool, key: &str) -> bool {
        if slot_full {
            self.err(
                line,
                "kind",
                Some(kind),
                format!("a single patient row of kind {kind} (duplicate)"),
            );
            return false;
        }
        self.loc.patient.insert(key.to_string(), line);
        true
    }

    /// Parses the detail cell, checking keys against `accepted` (no repeats).
    fn detail(&mut self, row: &Row, accepted: &[&str]) -> Option<Vec<DetailEntry>> {
        let text = row.get("detail").to_string();
        let entries = match parse_detail(&text) {
            Ok(e) => e,
            Err(e) => {
                self.err(
                    row.line,
                    "detail",
                    Some(&text),
                    format!("key=value;key=value: {e}"),
                );
                return None;
            }
        };
        let mut seen: Vec<&str> = Vec::new();
        for e in &entries {
            if !accepted.contains(&e.key.as_str()) {
                self.err(
                    row.line,
                    "detail",
                    Some(&text),
                    format!(
                        "no key '{}' here; accepted keys: {}",
                        e.key,
                        accepted.join(", ")
                    ),
                );
                return None;
            }
            if seen.contains(&e.key.as_str()) && e.key != "agent" {
                self.err(
                    row.line,
                    "detail",
                    Some(&text),
                    format!("key '{}' once (it is repeated)", e.key),
                );
                return None;
            }
            seen.push(&e.key);
        }
        Some(entries)
    }

    fn donor_row(&mut self, row: &Row, kind: &str) {
        self.loc.donors.push(row.line);
        let id = self.required(row, "person", "the donor id");
        let rel = parse_enum::<crate::patient::DonorRelationship>(kind);
        if let Err(e) = &rel {
            self.err(
                row.line,
                "kind",
                Some(kind),
                format!("a donor relationship: {e}"),
            );
        }
        let entries = self.detail(row, &["sex", "birth_year", "hla_match", "abo"]);
        let (Some(id), Ok(relationship), Some(entries)) = (id, rel, entries) else {
            self.loc.donors.pop();
            return;
        };
        let mut d = Donor {
            id: DonorId(id.to_string()),
            relationship,
            sex: None,
            birth_year: None,
            hla_match: None,
            abo: None,
        };
        let text = row.get("detail").to_string();
        for e in entries {
            let v = e.value();
            match e.key.as_str() {
                "sex" => match parse_enum::<Sex>(&v) {
                    Ok(s) => d.sex = Some(s),
                    Err(m) => {
                        self.err(row.line, "detail", Some(&text), format!("sex: {m}"));
                        self.loc.donors.pop();
                        return;
                    }
                },
                "birth_year" => match v.parse::<i32>() {
                    Ok(y) => d.birth_year = Some(y),
                    Err(_) => {
                        self.err(row.line, "detail", Some(&text), "birth_year=<a year>");
                        self.loc.donors.pop();
                        return;
                    }
                },
                "hla_match" => d.hla_match = Some(v),
                _ => d.abo = Some(v),
            }
        }
        self.donors.push(d);
    }

    fn event_row(&mut self, row: &Row, kind: &str) {
        let Some(fields) = event_fields(kind) else {
            self.err(
                row.line,
                "kind",
                Some(kind),
                format!("an event kind, one of {}", EventDetail::KINDS.join(", ")),
            );
            return;
        };
        let date = self.date(row, "date");
        let time = self.opt_parse(row, "time", TimeOfDay::from_str);
        let end = self.opt_parse(row, "end_date", Date::from_str);
        let accepted: Vec<&str> = fields
            .iter()
            .map(|f| {
                if f.ty == FieldType::Agents {
                    "agent"
                } else {
                    f.name
                }
            })
            .collect();
        let entries = self.detail(row, &accepted);
        let (Some(date), Ok(time), Ok(end_date), Some(entries)) = (date, time, end, entries) else {
            return;
        };
        let text = row.get("detail").to_string();
        let mut m = Map::new();
        m.insert("kind".into(), Value::String(kind.to_string()));
        for e in entries {
            let spec = fields
                .iter()
                .find(|f| f.name == e.key || (e.key == "agent" && f.ty == FieldType::Agents));
            let Some(spec) = spec else { continue };
            match entry_value(spec.ty, &e) {
                Ok(EntryValue::One(value)) => {
                    m.insert(spec.name.into(), value);
                }
                Ok(EntryValue::Agent(a)) => {
                    let list = m
                        .entry(spec.name)
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(l) = list {
                        l.push(Value::Object(a));
                    }
                }
                Err(what) => {
                    let msg = format!("{}=<{}>", e.key, what);
                    self.err(row.line, "detail", Some(&text), msg);
                    return;
                }
            }
        }
        match serde_json::from_value::<EventDetail>(Value::Object(m)) {
            Ok(detail) => {
                self.loc.events.push(row.line);
                self.events.push(Event {
                    id: row.opt("id").map(|s| s.trim().to_string()),
                    date,
                    time,
                    end_date,
                    note: row.opt("note").map(str::to_string),
                    detail,
                });
            }
            Err(e) => {
                let msg = serde_msg(&e.to_string());
                self.err(
                    row.line,
                    "detail",
                    Some(&text),
                    format!("{msg} (fields of {kind}: {})", accepted_list(fields)),
                );
            }
        }
    }

    /// The unit cell of an observation row of kind `k` (remembered by its
    /// text once converted).
    fn unit(&mut self, row: &Row, k: ObservationKind) -> Result<Option<Unit>, ()> {
        let memo_unit = row.opt("unit").and_then(|u| self.memo.units.get(trim(u)));
        let unit = self.opt_parse(row, "unit", |u| {
            if let Some(known) = memo_unit {
                return Ok(known);
            }
            Unit::from_str(u).map_err(|_| {
                let acc = match k.spec() {
                    ValueSpec::Number { accepted, .. } => accepted
                        .iter()
                        .map(|u| u.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    ValueSpec::Score { .. } => "1 (or no unit)".into(),
                    _ => "no unit".into(),
                };
                format!("a known unit; accepted for {k}: {acc}")
            })
        });
        if let (Ok(Some(u)), Some(text), None) = (&unit, row.opt("unit"), memo_unit) {
            self.memo.units.put(trim(text), *u);
        }
        unit
    }

    fn observation_row(&mut self, row: &Row, kind: &str) {
        let Some(k) = self.observation_kind(kind) else {
            self.err(
                row.line,
                "kind",
                Some(kind),
                format!(
                    "an observation kind, one of {}",
                    ObservationKind::all()
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return;
        };
        let date = self.date(row, "date");
        let time = self.opt_parse(row, "time", TimeOfDay::from_str);
        let value = self.obs_value(row, k);
        let unit = self.unit(row, k);
        let lineage = self.opt_parse(row, "lineage", Lineage::from_str);
        let attribution = self.opt_parse(row, "attribution", parse_enum);
        let method = self.opt_parse(row, "method", parse_enum);
        let automated = self.opt_parse(row, "automated", parse_bool);
        let lod_percent = self.opt_parse(row, "lod_percent", parse_percent);
        let detected = self.opt_parse(row, "detected", parse_bool);
        let (
            Some(date),
            Ok(time),
            Some(value),
            Ok(unit),
            Ok(lineage),
            Ok(attribution),
            Ok(method),
            Ok(automated),
            Ok(lod_percent),
            Ok(detected),
        ) = (
            date,
            time,
            value,
            unit,
            lineage,
            attribution,
            method,
            automated,
            lod_percent,
            detected,
        )
        else {
            return;
        };
        self.loc.observations.push(row.line);
        self.observations.push(Observation {
            date,
            time,
            kind: k,
            value,
            unit,
            attribution,
            lineage,
            person: row.opt("person").map(PersonRef::parse),
            method,
            assay: row.opt("assay").map(Box::from),
            sample: row.opt("sample").map(Box::from),
            automated,
            lod_percent,
            detected,
            note: row.opt("note").map(Box::from),
        });
    }

    /// [`ObservationKind::parse`], remembered by the text.
    fn observation_kind(&mut self, kind: &str) -> Option<ObservationKind> {
        if let Some(k) = self.memo.kinds.get(kind) {
            return Some(k);
        }
        let k = ObservationKind::parse(kind)?;
        self.memo.kinds.put(kind, k);
        Some(k)
    }

    fn obs_value(&mut self, row: &Row, k: ObservationKind) -> Option<ObsValue> {
        let spec = k.spec();
        // What was expected, written only for a message.
        let want = || match spec {
            ValueSpec::Number { .. } => "a number".to_string(),
            ValueSpec::Score { min, max } => format!("a whole number from {min} to {max}"),
            ValueSpec::Bool => "yes or no (true/false)".to_string(),
            ValueSpec::Category(a) => format!("one of {}", a.join(", ")),
        };
        let Some(v) = row.opt("value") else {
            self.required(row, "value", &want())?;
            return None;
        };
        let t = trim(v);
        let out = match spec {
            ValueSpec::Number { .. } | ValueSpec::Score { .. } => {
                parse_number(t).map(ObsValue::Number)
            }
            ValueSpec::Bool => parse_bool(t).ok().map(ObsValue::Bool),
            ValueSpec::Category(_) => Some(ObsValue::Category(t.to_string())),
        };
        if out.is_none() {
            self.err(row.line, "value", Some(v), format!("{} for {k}", want()));
        }
        out
    }

    fn err_file(&mut self, field: &str, expected: String) {
        self.diags.push(Diagnostic {
            severity: Severity::Error,
            file: self.file.to_path_buf(),
            location: Location::File,
            field: Some(field.to_string()),
            value: None,
            expected,
        });
    }

    /// Records an error for each required row the file lacked (format, sex,
    /// birth year, diagnosis, patient id) and for abnormality rows without a
    /// karyotype row.
    fn check_complete(&mut self) {
        let line = self.last_line.max(1);
        if self.format.is_none() {
            self.err_file(
                "record",
                format!("a row record=course, kind=format, value={FORMAT_V1}; none was found"),
            );
        }
        let missing: Vec<&str> = [
            ("sex", self.sex.is_none()),
            ("birth_year", self.birth_year.is_none()),
            ("diagnosis", self.diagnosis.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        for k in missing {
            let what = match k {
                "sex" => "(value male, female or unknown)",
                "birth_year" => "(value a year)",
                _ => "(value the disease, date the diagnosis date)",
            };
            self.err_file(
                "record",
                format!("a row record=patient, kind={k} {what}; none was found"),
            );
        }
        if self.patient_id.is_none() {
            self.err_file("patient", "a patient id in the patient column".into());
        }
        if self.karyotype.is_none() && !self.abnormalities.is_empty() {
            let l = self
                .loc
                .patient
                .get("diagnosis.karyotype.abnormalities[0]")
                .copied()
                .unwrap_or(line);
            self.err(
                l,
                "kind",
                Some("abnormality"),
                "a karyotype row as well (abnormality rows belong to the karyotype)",
            );
        }
    }

    /// The course read, or every error found in the file.
    fn finish(mut self) -> Result<(Course, CsvLocator), CourseError> {
        self.check_complete();
        if self
            .diags
            .list
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            return Err(CourseError::Invalid(self.diags.close(self.file)));
        }
        let (disease, date, description) = self
            .diagnosis
            .take()
            .ok_or_else(|| CourseError::Invalid(Vec::new()))?;
        let def = LabReference::default();
        let course = Course {
            format: self.format.unwrap_or_default(),
            illustrative: self.illustrative,
            patient: Patient {
                id: PatientId(self.patient_id.map(|p| p.0).unwrap_or_default()),
                sex: self.sex.unwrap_or(Sex::Unknown),
                birth_year: self.birth_year.unwrap_or_default(),
                height_cm: self.height,
                diagnosis: Diagnosis {
                    disease,
                    date,
                    description,
                    karyotype: self.karyotype.map(|iscn| Karyotype {
                        iscn,
                        abnormalities: self.abnormalities,
                    }),
                    mutations: self.mutations,
                    mrd_marker: self.mrd_marker,
                },
                comorbidities: self.comorbidities,
                lab_reference: LabReference {
                    bilirubin_uln_mg_dl: self.uln[0].unwrap_or(def.bilirubin_uln_mg_dl),
                    alt_uln: self.uln[1].unwrap_or(def.alt_uln),
                    ast_uln: self.uln[2].unwrap_or(def.ast_uln),
                    alp_uln: self.uln[3].unwrap_or(def.alp_uln),
                },
            },
            donors: self.donors,
            events: self.events,
            observations: self.observations,
        };
        Ok((course, self.loc))
    }
}

/// A typed `detail` entry: one value, or one agent of a list.
enum EntryValue {
    One(Value),
    Agent(Map<String, Value>),
}

/// Types one `key=value` entry of the `detail` column; the error says what
/// was expected instead of the value.
fn entry_value(ty: FieldType, e: &DetailEntry) -> Result<EntryValue, String> {
    let v = e.value();
    Ok(EntryValue::One(match ty {
        FieldType::Text | FieldType::DonorRef | FieldType::Enum(_) => Value::String(v),
        FieldType::Count => match v.parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => return Err(format!("a whole number, not '{v}'")),
        },
        FieldType::Number => match parse_number(&v) {
            Some(x) => Value::from(x),
            None => return Err(format!("a number, not '{v}'")),
        },
        FieldType::Agents => {
            if e.parts.len() > 3 || e.parts[0].is_empty() {
                return Err(format!("name|dose|unit, not '{v}'"));
            }
            let mut a = Map::new();
            a.insert("name".into(), Value::String(e.parts[0].clone()));
            if let Some(d) = e.parts.get(1).filter(|d| !d.is_empty()) {
                let x = parse_number(d)
                    .ok_or_else(|| format!("name|dose|unit with a numeric dose, not '{v}'"))?;
                a.insert("dose".into(), Value::from(x));
            }
            if let Some(u) = e.parts.get(2).filter(|u| !u.is_empty()) {
                a.insert("unit".into(), Value::String(u.clone()));
            }
            return Ok(EntryValue::Agent(a));
        }
    }))
}

fn accepted_list(fields: &[crate::event_fields::FieldSpec]) -> String {
    fields
        .iter()
        .map(|f| {
            let n = if f.ty == FieldType::Agents {
                "agent"
            } else {
                f.name
            };
            if f.required {
                format!("{n} (required)")
            } else {
                n.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A number: plain decimal or exponent form (`2.6e7`); not NaN or infinite.
fn parse_number(s: &str) -> Option<f64> {
    let t = trim(s);
    if let Some(v) = crate::decimal::plain(t) {
        return Some(v);
    }
    let has_inf = t
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"inf"));
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || has_inf {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A percentage (0–100) written as a plain number.
fn parse_percent(s: &str) -> Result<Percent, String> {
    parse_number(s)
        .and_then(|v| Percent::new(v).ok())
        .ok_or_else(|| "a percentage between 0 and 100 (a plain number, no % sign)".into())
}

fn parse_bool(s: &str) -> Result<bool, String> {
    let t = trim(s);
    let is = |words: [&str; 4]| words.iter().any(|w| w.eq_ignore_ascii_case(t));
    if is(["yes", "y", "true", "1"]) {
        Ok(true)
    } else if is(["no", "n", "false", "0"]) {
        Ok(false)
    } else {
        Err("yes or no (also true/false, 1/0)".into())
    }
}

/// Parses a snake_case enum value through serde, which lists the accepted
/// values on failure.
fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(Value::String(s.trim().to_string()))
        .map_err(|e| serde_msg(&e.to_string()))
}

/// serde messages in plain words (see [`crate::serde_words`]).
fn serde_msg(m: &str) -> String {
    crate::serde_words::plain_words(m)
}

/// Parses a long-CSV course; `path` is used in messages only.
pub fn read_csv_str(text: &str, path: &Path) -> Result<LoadedCourse, CourseError> {
    let (course, loc) = parse_csv(text, path)?;
    finish(course, path, &loc)
}

fn file_error(
    path: &Path,
    location: Location,
    value: Option<String>,
    expected: String,
) -> CourseError {
    CourseError::Invalid(vec![Diagnostic {
        severity: Severity::Error,
        file: path.to_path_buf(),
        location,
        field: None,
        value,
        expected,
    }])
}

/// Parses the CSV into a course (units not yet converted) and a locator.
fn parse_csv(text: &str, path: &Path) -> Result<(Course, CsvLocator), CourseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The header is the first line that is not a comment.
    let header_line = text
        .lines()
        .position(|l| !l.starts_with('#'))
        .map_or(1, |i| i + 1);
    parse_csv_from(text.as_bytes(), header_line, path)
}

/// Parses CSV text (without its byte-order mark) from `input`, whose header
/// is on line `header_line`. An input error (the file cannot be read, or is
/// not UTF-8) is [`CourseError::Io`].
pub(super) fn parse_csv_from<R: std::io::Read>(
    input: R,
    header_line: usize,
    path: &Path,
) -> Result<(Course, CsvLocator), CourseError> {
    let mut rdr = Records::new(input);
    let parsed = parse_records(&mut rdr, header_line, path);
    // Whatever stopped the parse, the rest of the input is still read: an
    // input error anywhere in it (a file that is not UTF-8) is the answer,
    // as it is when the file is read whole first.
    let mut rest = rdr.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|source| CourseError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parsed
}

/// The header and the records of [`parse_csv_from`].
fn parse_records<R: std::io::Read>(
    rdr: &mut Records<R>,
    header_line: usize,
    path: &Path,
) -> Result<(Course, CsvLocator), CourseError> {
    let header: Vec<String> = match rdr.read() {
        Ok(Some(h)) => h.fields().into_iter().map(String::from).collect(),
        Ok(None) => {
            return Err(file_error(
                path,
                Location::CsvLine {
                    line: header_line,
                    column: None,
                },
                None,
                "a CSV header row naming the columns (record, kind, …); the file holds none \
                 (empty, or comment lines only)"
                    .into(),
            ));
        }
        Err(e) => {
            let (line, expected) = record_error(e, path)?;
            return Err(file_error(
                path,
                Location::CsvLine { line, column: None },
                None,
                format!("a CSV header row: {expected}"),
            ));
        }
    };
    let (cols, diags) = header_columns(&header, header_line, path);
    if !diags.is_empty() {
        return Err(CourseError::Invalid(diags));
    }
    let mut b = Builder {
        file: path,
        diags: crate::diagnostic::Kept {
            list: diags,
            ..Default::default()
        },
        format: None,
        illustrative: None,
        patient_id: None,
        sex: None,
        birth_year: None,
        height: None,
        diagnosis: None,
        karyotype: None,
        abnormalities: Vec::new(),
        mutations: Vec::new(),
        comorbidities: Vec::new(),
        mrd_marker: None,
        uln: [None; 4],
        donors: Vec::new(),
        events: Vec::new(),
        observations: Vec::new(),
        loc: CsvLocator::default(),
        last_line: header_line,
        allowed_cache: None,
        memo: crate::memo::Memo::default(),
    };
    read_records(rdr, &cols, header.len(), &mut b, path)?;
    b.finish()
}

/// An input error of the record reader as [`CourseError::Io`]; a malformed
/// record gives back its line and what was expected.
fn record_error(e: RecordError, path: &Path) -> Result<(usize, String), CourseError> {
    match e {
        RecordError::Io(source) => Err(CourseError::Io {
            path: path.to_path_buf(),
            source,
        }),
        RecordError::Utf8 { line } => Ok((line as usize, "well-formed CSV in UTF-8".into())),
        RecordError::Nul { line } => Ok((
            line as usize,
            "text without NUL bytes: save the file as UTF-8 (a UTF-16 file without a \
             byte-order mark?)"
                .into(),
        )),
        RecordError::UnclosedQuote { line } => Ok((
            line as usize,
            "a closing quote (\") for the quoted cell of the row that starts on this line; \
             the file ends inside it (cut short?)"
                .into(),
        )),
    }
}

/// Unknown header columns listed one by one; beyond, one line counts them.
const MAX_UNKNOWN_COLUMNS_LISTED: usize = 20;

/// Maps the header to known columns; diagnostics for unknown, duplicate
/// and missing required columns.
fn header_columns(
    header: &[String],
    header_line: usize,
    path: &Path,
) -> (HashMap<&'static str, usize>, Vec<Diagnostic>) {
    let mut cols: HashMap<&'static str, usize> = HashMap::new();
    let mut diags = Vec::new();
    let mut unknown = 0;
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if cols.contains_key(c) => diags.push(header_error(
                path,
                header_line,
                h,
                "each column once (duplicate column)".into(),
            )),
            Some(c) => {
                cols.insert(c, i);
            }
            None => {
                unknown += 1;
                if unknown <= MAX_UNKNOWN_COLUMNS_LISTED {
                    diags.push(header_error(
                        path,
                        header_line,
                        h,
                        format!("a known column; accepted columns: {}", COLUMNS.join(", ")),
                    ));
                }
            }
        }
    }
    // An error about the header line as a whole.
    let line_error = |field: Option<&str>, expected: String| Diagnostic {
        severity: Severity::Error,
        file: path.to_path_buf(),
        location: Location::CsvLine {
            line: header_line,
            column: None,
        },
        field: field.map(str::to_string),
        value: None,
        expected,
    };
    if unknown > MAX_UNKNOWN_COLUMNS_LISTED {
        diags.push(line_error(
            None,
            format!(
                "known columns only: {} more unknown columns not listed (the header has {} columns; a course CSV has at most {})",
                unknown - MAX_UNKNOWN_COLUMNS_LISTED,
                header.len(),
                COLUMNS.len()
            ),
        ));
    }
    for req in REQUIRED_COLUMNS {
        if !cols.contains_key(req) {
            diags.push(line_error(
                Some(req),
                format!(
                    "a column named '{req}' in the header (required columns: {})",
                    REQUIRED_COLUMNS.join(", ")
                ),
            ));
        }
    }
    (cols, diags)
}

/// An error about the header column named `column`.
fn header_error(path: &Path, header_line: usize, column: &str, expected: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: path.to_path_buf(),
        location: Location::CsvLine {
            line: header_line,
            column: Some(column.to_string()),
        },
        field: None,
        value: Some(column.to_string()),
        expected,
    }
}

/// Reads every record into the builder; a record whose field count is not
/// the header's is reported and the reading goes on, so that later rows are
/// reported too.
fn read_records<R: std::io::Read>(
    rdr: &mut Records<R>,
    cols: &HashMap<&'static str, usize>,
    width: usize,
    b: &mut Builder,
    path: &Path,
) -> Result<(), CourseError> {
    let cols = &Columns::of(cols);
    loop {
        let (line, expected) = match rdr.read() {
            Ok(None) => return Ok(()),
            Ok(Some(rec)) if rec.len() == width => {
                // Every cell blank: the cells together are only white space.
                if rec.nonempty_fields().all(|(_, f)| f.trim().is_empty()) {
                    continue;
                }
                let mut row = Row {
                    line: rec.line() as usize,
                    cells: [""; COLUMNS.len()],
                    filled: 0,
                };
                cols.fill(&rec, &mut row);
                b.row(&row);
                continue;
            }
            Ok(Some(rec)) if rec.last_line() > rec.line() => (
                rec.line() as usize,
                format!(
                    "a closing quote (\") on this line: a quote opened on line {} was never closed on it, so the row runs on to line {}, where the next quote closes it ({width} fields like the header, found {})",
                    rec.line(),
                    rec.last_line(),
                    rec.len()
                ),
            ),
            Ok(Some(rec)) => (
                rec.line() as usize,
                format!("{width} fields like the header, found {}", rec.len()),
            ),
            Err(e) => record_error(e, path)?,
        };
        b.diags.push(Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            location: Location::CsvLine { line, column: None },
            field: None,
            value: None,
            expected,
        });
    }
}

#[cfg(test)]
mod column_tests {
    use super::{COLUMNS, FREE_TEXT, column_index};

    #[test]
    fn positions_and_free_text_follow_the_column_list() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(column_index(c), Some(i), "{c}");
            assert_eq!(
                FREE_TEXT[i],
                matches!(*c, "note" | "detail" | "value"),
                "{c}"
            );
        }
        assert_eq!(column_index("Value"), None);
        assert_eq!(column_index(""), None);
    }
}

#[cfg(test)]
mod trim_tests {
    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "\u{b}x",
            "x\u{c}",
            "\u{a0}x",
            "x\u{3000}",
            "\u{85}",
            "µ",
            "µmol/L",
            "a b",
            "\u{2028}a\u{2029}",
            "é ",
            " é",
            "10^9/L",
        ] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }
}

//! Reading and writing course files: JSON document and long CSV.

use std::path::Path;

use graftwatch_output::Overwrite;
use serde::Deserialize as _;

use crate::diagnostic::{CourseError, Diagnostic, Location, Severity};
use crate::json_lines::LazyJsonLines;
use crate::model::Course;
use crate::unknown_fields::{check_event_keys, check_observation_values};
use crate::validate::{JsonTextLocator, normalize_and_check};

/// A course read from a file, with its warnings.
#[derive(Debug, Clone)]
pub struct LoadedCourse {
    /// The course, units converted, events and observations sorted by date.
    pub course: Course,
    /// Warnings (implausible but possible values).
    pub warnings: Vec<Diagnostic>,
}

enum Kind {
    Json,
    Csv,
}

fn kind_of(path: &Path) -> Result<Kind, CourseError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
    {
        Some(e) if e == "json" => Ok(Kind::Json),
        Some(e) if e == "csv" => Ok(Kind::Csv),
        _ => Err(CourseError::UnknownFormat(path.to_path_buf())),
    }
}

/// The message std gives when a file read into a string is not UTF-8.
const NOT_UTF8: &str = "stream did not contain valid UTF-8";

/// std's "not UTF-8" error with the 1-based line of the first bad byte
/// (read back into words by [`graftwatch_core::io_words`]).
pub(crate) fn not_utf8(line: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{NOT_UTF8} (line {line})"),
    )
}

/// Line feeds in `bytes`.
pub(crate) fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// The bytes of a course file as text: UTF-8, or the "not UTF-8" input
/// error naming the line of the first bad byte (every reader of whole
/// course text, files and standard input, goes through this).
pub fn utf8_text(bytes: Vec<u8>) -> Result<String, std::io::Error> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        not_utf8(1 + newlines(valid))
    })
}

/// Reads a `.json` or `.csv` course file, converts units and checks it.
pub fn read_course(path: &Path) -> Result<LoadedCourse, CourseError> {
    let kind = kind_of(path)?;
    if let Kind::Csv = kind {
        return crate::io_csv::read_csv_file(path);
    }
    if let Some(loaded) = read_json_streamed(path) {
        return Ok(loaded);
    }
    let io_err = |source| CourseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let text = utf8_text(std::fs::read(path).map_err(io_err)?).map_err(io_err)?;
    read_json_str(&text, path)
}

/// Reads a course from text whose format is told by its content, not by a
/// file name (standard input): a JSON document starts with `{` (after an
/// optional byte-order mark and white space), anything else is read as
/// long CSV. `path` is used in messages only.
pub fn read_course_str(text: &str, path: &Path) -> Result<LoadedCourse, CourseError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A JSON course is an object: its first character is an opening brace.
    const OBJECT_START: char = '\u{7b}';
    if body.trim_start().starts_with(OBJECT_START) {
        read_json_str(text, path)
    } else {
        crate::io_csv::read_csv_str(text, path)
    }
}

/// The course document with its events still as JSON values: the fast
/// path parses the document once, checks the (few) events' keys against
/// [`crate::event_fields`] (serde ignores unknown keys of flattened
/// fields) and only then types them.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    format: String,
    #[serde(default)]
    illustrative: Option<String>,
    patient: crate::patient::Patient,
    #[serde(default)]
    donors: Vec<crate::patient::Donor>,
    #[serde(default)]
    events: Vec<serde_json::Value>,
    #[serde(default)]
    observations: Vec<crate::observation::Observation>,
}

/// Parses a JSON course from text; `path` is used in messages only.
///
/// Errors name the JSON path and line: syntax errors, unknown keys (also in
/// events, whose fields are flattened), wrong types and unknown enum values
/// (listing the accepted ones), then the semantic checks of
/// [`normalize_and_check`]. A well-formed document is parsed once; a
/// malformed one is parsed again to locate and explain every problem.
pub fn read_json_str(text: &str, path: &Path) -> Result<LoadedCourse, CourseError> {
    // A UTF-8 byte-order mark (Windows editors write one) is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(raw) = parse_raw(text) else {
        return read_json_str_diagnosed(text, path);
    };
    let lines = LazyJsonLines::new(text);
    let Some(course) = course_of(raw, path, &lines) else {
        return read_json_str_diagnosed(text, path);
    };
    finish(course, path, &JsonTextLocator::new(lines))
}

/// The course of a parsed document once its events' keys are checked and
/// the events typed; `None` when an event has a problem (the caller then
/// takes the path that reports it). `lines` is the text the document was
/// parsed from.
fn course_of(raw: RawCourse, path: &Path, lines: &LazyJsonLines) -> Option<Course> {
    let events_doc = serde_json::json!({ "events": raw.events });
    if !check_event_keys(&events_doc, path, lines).is_empty() {
        return None;
    }
    let values = events_doc
        .get("events")
        .and_then(serde_json::Value::as_array)?;
    let mut events = Vec::with_capacity(values.len());
    for v in values {
        events.push(crate::event::Event::deserialize(v).ok()?);
    }
    Some(Course {
        format: raw.format,
        illustrative: raw.illustrative,
        patient: raw.patient,
        donors: raw.donors,
        events,
        observations: raw.observations,
    })
}

/// A JSON course file read as a stream (see [`crate::json_stream`]) when
/// it is well formed and has no problem at all, not even a warning: the
/// observations by the hand scanner through a small window, the rest of
/// the document by serde. `None` sends the caller to the whole-text path,
/// which reports every problem with its line exactly as before.
fn read_json_streamed(path: &Path) -> Option<LoadedCourse> {
    let streamed = crate::json_stream::read(path)?;
    let mut raw = serde_json::from_str::<RawCourse>(&streamed.rest).ok()?;
    if !raw.observations.is_empty() {
        return None;
    }
    raw.observations = streamed.observations;
    let lines = LazyJsonLines::new(&streamed.rest);
    let mut course = course_of(raw, path, &lines)?;
    // Without the text there are no line numbers: any diagnostic at all
    // sends the file to the whole-text path, which locates it.
    let diags = normalize_and_check(&mut course, path, &crate::validate::JsonLocator);
    if !diags.is_empty() {
        return None;
    }
    course.sort();
    Some(LoadedCourse {
        course,
        warnings: diags,
    })
}

/// Parses a well-formed document: the observations array by the hand
/// scanner of [`crate::json_fast`] and the rest (patient, donors, events:
/// the document with an empty observations array in place of the scanned
/// one) by serde; the whole document by serde when the scanner gives up.
/// `None` when serde refuses the document.
fn parse_raw(text: &str) -> Option<RawCourse> {
    if let Some((observations, range)) = crate::json_fast::observations(text) {
        let mut rest = String::with_capacity(text.len() - range.len() + 2);
        rest.push_str(&text[..range.start]);
        rest.push_str("[]");
        rest.push_str(&text[range.end..]);
        if let Ok(mut raw) = serde_json::from_str::<RawCourse>(&rest)
            && raw.observations.is_empty()
        {
            raw.observations = observations;
            return Some(raw);
        }
    }
    serde_json::from_str::<RawCourse>(text).ok()
}

/// Whether the hand scanner of [`crate::json_fast`] reads the observations
/// of this document itself (for tests that compare it with serde: they
/// check that they exercise it).
#[doc(hidden)]
pub fn fast_path_taken(text: &str) -> bool {
    crate::json_fast::observations(text.strip_prefix('\u{feff}').unwrap_or(text)).is_some()
}

/// The slow path for a document that did not parse cleanly: a value pass
/// for the checks serde cannot make (unknown event keys, observation value
/// types), then a typed parse that names the path of the first error.
fn read_json_str_diagnosed(text: &str, path: &Path) -> Result<LoadedCourse, CourseError> {
    let lines = LazyJsonLines::new(text);
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        CourseError::Invalid(vec![Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            location: Location::JsonPath {
                path: "$".into(),
                line,
            },
            field: None,
            value: None,
            // A cut-short file ends with a value open: say what is open
            // rather than "empty" (review M4).
            expected: match crate::serde_words::unclosed_words(text).filter(|_| e.is_eof()) {
                Some(words) => format!("well-formed JSON: {words}"),
                None => format!(
                    "well-formed JSON: {} (column {})",
                    clean_serde_message(&e.to_string()),
                    e.column()
                ),
            },
        }])
    })?;
    let mut diags = check_event_keys(&doc, path, &lines);
    diags.extend(check_observation_values(&doc, path, &lines));
    drop(doc);
    if diags.iter().any(|d| d.field.as_deref() == Some("value")) {
        // The typed parse would stop at the first of these with a vaguer
        // message; report them all.
        return Err(CourseError::Invalid(diags));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let parsed: Result<Course, _> = serde_path_to_error::deserialize(de);
    let course = match parsed {
        Ok(c) => c,
        Err(e) => {
            let inner_message = e.inner().to_string();
            let json_path =
                element_field_path(text, json_path_of(&e.path().to_string()), &inner_message);
            let inner = e.into_inner();
            let line = if inner.line() > 0 {
                Some(inner.line())
            } else {
                lines.line_of(&json_path)
            };
            let message = inner.to_string();
            diags.push(Diagnostic {
                severity: Severity::Error,
                file: path.to_path_buf(),
                field: field_of(&json_path),
                location: Location::JsonPath {
                    path: json_path,
                    line,
                },
                value: crate::serde_words::found_value(&message),
                expected: clean_serde_message(&message),
            });
            return Err(CourseError::Invalid(diags));
        }
    };
    let loc = JsonTextLocator::new(lines);
    match finish(course, path, &loc) {
        Ok(lc) if diags.is_empty() => Ok(lc),
        Ok(lc) => {
            diags.extend(lc.warnings);
            Err(CourseError::Invalid(diags))
        }
        Err(CourseError::Invalid(more)) => {
            diags.extend(more);
            Err(CourseError::Invalid(diags))
        }
        Err(other) => Err(other),
    }
}

/// An event's fields are read after its `kind` (an internally tagged
/// enum), so serde names only the element (`$.events[13]`) when one of
/// them holds an unknown word. The element's own key holding that word (or
/// the unknown key itself) completes the path: `$.events[13].device`.
fn element_field_path(text: &str, json_path: String, message: &str) -> String {
    if !json_path.ends_with(']') {
        return json_path;
    }
    let Some((kind, word)) = crate::serde_words::unknown_word(message) else {
        return json_path;
    };
    let pointer = json_path
        .trim_start_matches('$')
        .replace(['.', '['], "/")
        .replace(']', "");
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return json_path;
    };
    let Some(obj) = doc.pointer(&pointer).and_then(|v| v.as_object()) else {
        return json_path;
    };
    let mut keys = obj.iter().filter(|(k, v)| match kind {
        crate::serde_words::UnknownKind::Value => v.as_str() == Some(word.as_str()),
        crate::serde_words::UnknownKind::Field => **k == word,
    });
    match (keys.next(), keys.next()) {
        (Some((k, _)), None) => format!("{json_path}.{k}"),
        _ => json_path,
    }
}

/// `events[2].date` (serde_path_to_error) → `$.events[2].date`.
fn json_path_of(p: &str) -> String {
    let p = p.trim_start_matches('.');
    if p.is_empty() || p == "?" {
        "$".into()
    } else {
        format!("$.{p}")
    }
}

/// Runs the checks, sorts, and splits errors from warnings.
pub(crate) fn finish(
    mut course: Course,
    path: &Path,
    loc: &dyn crate::validate::Locator,
) -> Result<LoadedCourse, CourseError> {
    let diags = normalize_and_check(&mut course, path, loc);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(CourseError::Invalid(diags));
    }
    course.sort();
    Ok(LoadedCourse {
        course,
        warnings: diags,
    })
}

/// serde_json appends " at line L column C" (the location is reported
/// separately) and names Rust types; see [`crate::serde_words`].
fn clean_serde_message(m: &str) -> String {
    crate::serde_words::plain_words(m)
}

/// The field a JSON path ends in (`$.events[2].units` → `units`), if any.
fn field_of(json_path: &str) -> Option<String> {
    let last = json_path.rsplit('.').next()?;
    let name = last.split('[').next().unwrap_or(last);
    (!name.is_empty() && name != "$").then(|| name.to_string())
}

/// Writes a course as `.json` (pretty) or `.csv` by extension, replacing an
/// existing file atomically (see [`graftwatch_output::write`]), so a failed
/// write never leaves a half-written file.
pub fn write_course(path: &Path, course: &Course) -> Result<(), CourseError> {
    write_course_to(path, course, Overwrite::Replace)
}

/// [`write_course`] with an explicit overwrite policy (`course convert`
/// refuses to replace a file without `--force`).
pub fn write_course_to(
    path: &Path,
    course: &Course,
    overwrite: Overwrite,
) -> Result<(), CourseError> {
    let text = match kind_of(path)? {
        Kind::Json => to_json_string(course),
        Kind::Csv => crate::io_csv::to_csv_string(course),
    };
    graftwatch_output::write(path, text.as_bytes(), overwrite)?;
    Ok(())
}

/// Replaces a course file in place (`--add-to`), keeping its previous
/// version as `PATH.bak` (see [`graftwatch_output::write_with_backup`]);
/// returns the backup's path when there was a previous version.
pub fn write_course_with_backup(
    path: &Path,
    course: &Course,
) -> Result<Option<std::path::PathBuf>, CourseError> {
    let text = match kind_of(path)? {
        Kind::Json => to_json_string(course),
        Kind::Csv => crate::io_csv::to_csv_string(course),
    };
    Ok(graftwatch_output::write_with_backup(path, text.as_bytes())?)
}

/// The course as pretty JSON.
pub fn to_json_string(course: &Course) -> String {
    // Serialising plain data structures cannot fail.
    let mut s = serde_json::to_string_pretty(course).unwrap_or_default();
    s.push('\n');
    s
}

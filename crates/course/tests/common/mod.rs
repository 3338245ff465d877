//! Helpers shared by the course test files: the JSON → CSV → JSON round
//! trip, and the error text of a document that must be refused.
#![allow(dead_code)]

use std::path::Path;

use graftwatch_course::Course;
use graftwatch_course::io::{read_json_str, to_json_string};
use graftwatch_course::io_csv::{read_csv_str, to_csv_string};
use serde_json::Value;

/// Writes `c` as CSV and reads it back as `name`, then writes that as JSON
/// and reads it back: both must give `c`. Returns the CSV text.
pub fn json_csv_json(c: &Course, name: &str) -> String {
    let csv = to_csv_string(c);
    let back = read_csv_str(&csv, Path::new(name))
        .unwrap_or_else(|e| panic!("{name}: CSV of the course does not read back:\n{e}\n{csv}"))
        .course;
    assert_eq!(&back, c, "{name}: CSV round trip differs\n{csv}");
    let json = to_json_string(&back);
    let again = read_json_str(&json, Path::new(name))
        .expect("JSON reads back")
        .course;
    assert_eq!(&again, c, "{name}: JSON round trip differs");
    csv
}

/// The error of reading the JSON document `doc`, changed by `edit`, as the
/// file `name`; panics if the document is accepted.
pub fn json_error(mut doc: Value, name: &str, edit: impl FnOnce(&mut Value)) -> String {
    edit(&mut doc);
    match read_json_str(&doc.to_string(), Path::new(name)) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

/// The error of reading the CSV of `c`, with the first `from` replaced by
/// `to`, as the file `bad.csv`; panics if `from` is not in the CSV or the
/// changed CSV is accepted.
pub fn csv_error(c: &Course, from: &str, to: &str) -> String {
    let csv = to_csv_string(c);
    assert!(csv.contains(from), "{from} not in\n{csv}");
    match read_csv_str(&csv.replacen(from, to, 1), Path::new("bad.csv")) {
        Ok(_) => panic!("accepted {to}"),
        Err(e) => e.to_string(),
    }
}

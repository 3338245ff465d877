//! The long CSV course format (one row per observation or event).
//! Being built: see docs/course-format.md.

use std::path::Path;

use crate::diagnostic::{CourseError, Diagnostic, Location, Severity};
use crate::io::LoadedCourse;
use crate::model::Course;

/// Parses a long-CSV course.
pub fn read_csv_str(_text: &str, path: &Path) -> Result<LoadedCourse, CourseError> {
    Err(CourseError::Invalid(vec![Diagnostic {
        severity: Severity::Error,
        file: path.to_path_buf(),
        location: Location::File,
        field: None,
        value: None,
        expected: "CSV course reading is not available yet".into(),
    }]))
}

/// Writes a course as long CSV.
pub fn to_csv_string(_course: &Course) -> String {
    String::new()
}

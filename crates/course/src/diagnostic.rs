//! Problems found in course files: where, which field, what value, what was expected.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Implausible but possible: reported, the file is still valid.
    Warning,
    /// The file is invalid.
    Error,
}

/// Where in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The file as a whole.
    File,
    /// A JSON path such as `$.observations[12].value`, with the line when known.
    JsonPath {
        /// The path.
        path: String,
        /// 1-based line, when known.
        line: Option<usize>,
    },
    /// A CSV line (1-based, header = line 1) and column name.
    CsvLine {
        /// 1-based line.
        line: usize,
        /// Column name, when the problem is in one column.
        column: Option<String>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::JsonPath {
                path,
                line: Some(l),
            } => write!(f, "line {l}, {path}"),
            Location::JsonPath { path, line: None } => f.write_str(path),
            Location::CsvLine {
                line,
                column: Some(c),
            } => write!(f, "line {line}, column '{c}'"),
            Location::CsvLine { line, column: None } => write!(f, "line {line}"),
        }
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// File.
    pub file: PathBuf,
    /// Where in it.
    pub location: Location,
    /// Field name, e.g. `value`, `unit`, `date`.
    pub field: Option<String>,
    /// The offending value as written.
    pub value: Option<String>,
    /// What was expected, in words.
    pub expected: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{sev}: {}", self.file.display())?;
        let loc = self.location.to_string();
        if !loc.is_empty() {
            write!(f, ": {loc}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field '{field}'")?;
        }
        if let Some(v) = &self.value {
            write!(f, ": value '{v}'")?;
        }
        write!(f, ": {}", self.expected)
    }
}

/// An operating-system error as a person reads it: "No such file or
/// directory", without the OS's " (os error 2)".
pub fn io_words(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("UTF-8") {
        // std's "stream did not contain valid UTF-8", in the user's words.
        return "not UTF-8 text: save it as UTF-8 (a UTF-16 export, or not a text file?)".into();
    }
    without_os_error(&e.to_string()).to_string()
}

/// `text` without a trailing " (os error N)".
pub fn without_os_error(text: &str) -> &str {
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => &text[..i],
        _ => text,
    }
}

/// Why a course could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CourseError {
    /// The file could not be opened, read or written.
    #[error("{path}: {}", io_words(.source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file's extension does not say whether it is JSON or CSV.
    /// The output file could not be written (exists without --force,
    /// missing directory, I/O error); the message names the path.
    #[error(transparent)]
    Output(#[from] graftwatch_output::OutputError),
    #[error("{0}: unknown course file type; expected a .json or .csv file")]
    UnknownFormat(PathBuf),
    /// One or more errors in the content (warnings may be included).
    #[error("{}", .0.iter().filter(|d| d.severity == Severity::Error).map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

impl CourseError {
    /// The diagnostics, when the content was invalid.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            CourseError::Invalid(d) => d,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod io_words_tests {
    use super::io_words;

    #[test]
    fn os_error_numbers_are_not_shown() {
        let e = std::fs::read("/nonexistent/graftwatch/course.json").unwrap_err();
        let w = io_words(&e);
        assert!(!w.contains("os error"), "{w}");
        assert!(!w.is_empty());
        let custom = std::io::Error::other("disk on fire");
        assert_eq!(io_words(&custom), "disk on fire");
    }
}

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

/// At most this many problems of one file are kept (and printed, in the
/// JSON form): a file with millions of bad cells or columns must not take
/// gigabytes to report. The rest are counted in one last line
/// ([`Kept::close`]).
pub const MAX_KEPT: usize = 1000;

/// A value longer than this many characters is shown clipped
/// ([`clipped`]): a 10 MB cell made a 10 MB error line.
pub const MAX_VALUE_CHARS: usize = 200;

/// `value` as a message shows it: whole, or its first
/// [`MAX_VALUE_CHARS`] characters and how long it was.
pub fn clipped(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        None => value.to_string(),
        Some((end, _)) => format!("{}… ({} characters)", &value[..end], value.chars().count()),
    }
}

/// The problems of one file, at most [`MAX_KEPT`] of them, and how many
/// more there were of each severity.
#[derive(Debug, Default)]
pub struct Kept {
    /// The problems kept, in the order found.
    pub list: Vec<Diagnostic>,
    /// Errors found beyond [`MAX_KEPT`].
    pub dropped: usize,
    /// Warnings found beyond [`MAX_KEPT`] (they never make a file
    /// invalid).
    pub dropped_warnings: usize,
}

impl Kept {
    /// Keeps `d`, or counts it once [`MAX_KEPT`] are kept.
    pub fn push(&mut self, d: Diagnostic) {
        let severity = d.severity;
        self.push_with(severity, || d);
    }

    /// [`Kept::push`] of a diagnostic made only when it is kept: a file
    /// with a million problems of one kind does not build (and locate) a
    /// million messages to count them.
    pub fn push_with(&mut self, severity: Severity, make: impl FnOnce() -> Diagnostic) {
        if self.list.len() < MAX_KEPT {
            self.list.push(make());
        } else if severity == Severity::Error {
            self.dropped += 1;
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// The problems, with one last line per severity counting those not
    /// kept: an error only when errors were dropped, so a valid file with
    /// many warnings stays valid.
    pub fn close(mut self, file: &std::path::Path) -> Vec<Diagnostic> {
        for (severity, n, what) in [
            (Severity::Error, self.dropped, "problems"),
            (Severity::Warning, self.dropped_warnings, "warnings"),
        ] {
            if n > 0 {
                self.list.push(Diagnostic {
                    severity,
                    file: file.to_path_buf(),
                    location: Location::File,
                    field: None,
                    value: None,
                    expected: format!(
                        "a file with fewer {what}: {n} more not listed (the first {MAX_KEPT} problems are)"
                    ),
                });
            }
        }
        self.list
    }
}

#[cfg(test)]
mod kept_tests {
    use super::*;

    fn d(severity: Severity) -> Diagnostic {
        Diagnostic {
            severity,
            file: "c.json".into(),
            location: Location::File,
            field: None,
            value: None,
            expected: "x".into(),
        }
    }

    /// Warnings beyond the cap never turn into an error (a valid course
    /// with many implausible values stays valid); errors beyond it do.
    #[test]
    fn dropped_warnings_stay_warnings() {
        let mut k = Kept::default();
        for _ in 0..MAX_KEPT + 5 {
            k.push(d(Severity::Warning));
        }
        let out = k.close(std::path::Path::new("c.json"));
        assert_eq!(out.len(), MAX_KEPT + 1);
        assert!(out.iter().all(|x| x.severity == Severity::Warning));
        assert!(out[MAX_KEPT].expected.contains("5 more not listed"));
        let mut k = Kept::default();
        for _ in 0..MAX_KEPT {
            k.push(d(Severity::Warning));
        }
        k.push(d(Severity::Error));
        let out = k.close(std::path::Path::new("c.json"));
        assert_eq!(out.last().map(|x| x.severity), Some(Severity::Error));
    }
}

/// An operating-system error as a person reads it, and a message without
/// the OS's " (os error N)": the one home is `graftwatch_core::io_words`,
/// shared with the lab-file readers.
pub use graftwatch_core::io_words::{io_words, without_os_error};

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

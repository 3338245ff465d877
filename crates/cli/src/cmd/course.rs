//! `graftwatch course validate|show|convert`: read, check, show and convert
//! patient course files (JSON document or long CSV). The logic lives in
//! graftwatch-course; these commands only parse arguments and print.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use graftwatch_course::{CourseError, LoadedCourse};

use super::{course_convert, course_show, course_validate};

/// Course file subcommands.
#[derive(Subcommand, Debug)]
pub enum CourseCommand {
    /// Check course files (JSON or long CSV); exit 2 listing every problem of every file.
    Validate(course_validate::ValidateArgs),
    /// Print a day-by-day timeline: day relative to HCT/CAR-T/DLI, counts, events, GVHD, chimerism.
    Show(course_show::ShowArgs),
    /// Convert a course between JSON and long CSV (by extension); refuses to overwrite without --force.
    Convert(course_convert::ConvertArgs),
}

/// Runs a course subcommand.
pub fn run(cmd: CourseCommand) -> anyhow::Result<()> {
    match cmd {
        CourseCommand::Validate(a) => course_validate::run(a),
        CourseCommand::Show(a) => course_show::run(a),
        CourseCommand::Convert(a) => course_convert::run(a),
    }
}

/// A course read error as bad input (exit 2) when it is about the input
/// (content, file type, unreadable file); every diagnostic on its own line.
pub fn read_error(e: CourseError) -> anyhow::Error {
    crate::exit::input(e)
}

/// Reads the course named on the command line: a `.json` or `.csv` file,
/// or `-` for standard input (JSON or CSV, told apart by the content).
/// Problems are bad input (exit 2), kept whole for the renderer.
pub fn read_input(path: &Path) -> anyhow::Result<LoadedCourse> {
    read_input_typed(path).map_err(crate::exit::input)
}

/// [`read_input`] with the course reader's own error.
pub fn read_input_typed(path: &Path) -> Result<LoadedCourse, CourseError> {
    if path.as_os_str() != "-" {
        return graftwatch_course::read_course(path);
    }
    let io_err = |source| CourseError::Io {
        path: PathBuf::from(STDIN_NAME),
        source,
    };
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    let text = graftwatch_course::io::utf8_text(bytes).map_err(io_err)?;
    graftwatch_course::io::read_course_str(&text, Path::new(STDIN_NAME))
}

/// How standard input is named in messages.
pub const STDIN_NAME: &str = "<stdin>";

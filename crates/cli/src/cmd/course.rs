//! `graftwatch course validate|show|convert`: read, check, show and convert
//! patient course files (JSON document or long CSV). The logic lives in
//! graftwatch-course; these commands only parse arguments and print.

use clap::Subcommand;

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
pub fn read_error(e: graftwatch_course::CourseError) -> anyhow::Error {
    anyhow::Error::new(crate::BadInput(e.to_string()))
}

//! `graftwatch course convert IN OUT [--force]`.

use std::path::PathBuf;

use graftwatch_course::{CourseError, write_course_to};

/// Arguments of `course convert`.
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// Input course (.json or .csv), or `-` for standard input (JSON or
    /// CSV, told apart by the content).
    pub input: PathBuf,
    /// Output course (.json or .csv); values are written in canonical units.
    pub output: PathBuf,
    /// Overwrite OUT if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Reads and checks IN, then writes OUT atomically (nothing is written when
/// IN is invalid).
pub fn run(args: ConvertArgs) -> anyhow::Result<()> {
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    if !matches!(ext.as_deref(), Some("json" | "csv")) {
        anyhow::bail!(crate::BadInput(format!(
            "{}: unknown output type; expected a .json or .csv file name",
            args.output.display()
        )));
    }
    let lc = super::course::read_input_typed(&args.input).map_err(super::course::read_error)?;
    crate::exit::print_warnings(&lc.warnings);
    let overwrite = graftwatch_output::Overwrite::from_force(args.force);
    write_course_to(&args.output, &lc.course, overwrite).map_err(|e| match e {
        CourseError::UnknownFormat(_) | CourseError::Output(_) => crate::exit::input(e),
        other => anyhow::Error::new(other),
    })?;
    let from = if args.input.as_os_str() == "-" {
        "standard input".into()
    } else {
        args.input.display().to_string()
    };
    println!(
        "{from} -> {} ({} events, {} observations)",
        args.output.display(),
        lc.course.events.len(),
        lc.course.observations.len()
    );
    Ok(())
}

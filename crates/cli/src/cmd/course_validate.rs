//! `graftwatch course validate FILE...`.

use std::io::Write;
use std::path::PathBuf;

use graftwatch_core::number::counted;
use graftwatch_course::CourseError;

use crate::exit::{Diagnostics, ErrorFormat};

/// Arguments of `course validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Course files (.json or .csv); `-` reads one course from standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Checks every file; prints `FILE: ok (N events, M observations, K
/// warnings)` and the warnings for valid files; fails with every problem of
/// every invalid file (exit 2).
pub fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut diagnostics = Vec::new();
    let mut others: Vec<Box<dyn std::error::Error + Send + Sync>> = Vec::new();
    let mut bad = 0usize;
    let json = crate::exit::format() == ErrorFormat::Json;
    for f in &args.files {
        match super::course::read_input_typed(f) {
            Ok(lc) => {
                writeln!(
                    out,
                    "{}: ok ({}, {}, {})",
                    f.display(),
                    counted(lc.course.events.len(), "event"),
                    counted(lc.course.observations.len(), "observation"),
                    counted(lc.warnings.len(), "warning")
                )?;
                if json {
                    crate::exit::print_warnings(&lc.warnings);
                } else {
                    for w in &lc.warnings {
                        writeln!(out, "  {w}")?;
                    }
                }
            }
            Err(CourseError::Invalid(diags)) => {
                bad += 1;
                diagnostics.extend(diags);
            }
            Err(other) => {
                bad += 1;
                others.push(Box::new(other));
            }
        }
    }
    out.flush()?;
    if bad > 0 {
        let summary = format!(
            "{bad} of {} course file{} invalid",
            args.files.len(),
            if args.files.len() == 1 {
                " is"
            } else {
                "s are"
            },
        );
        anyhow::bail!(Diagnostics {
            summary,
            diagnostics,
            others,
        });
    }
    Ok(())
}

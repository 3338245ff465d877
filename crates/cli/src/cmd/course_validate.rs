//! `graftwatch course validate FILE...`.

use std::io::Write;
use std::path::PathBuf;

use graftwatch_course::{CourseError, read_course};

/// Arguments of `course validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Course files (.json or .csv).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Checks every file; prints `FILE: ok (N events, M observations, K
/// warnings)` and the warnings for valid files; fails with every problem of
/// every invalid file (exit 2).
pub fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut problems: Vec<String> = Vec::new();
    let mut bad = 0usize;
    for f in &args.files {
        match read_course(f) {
            Ok(lc) => {
                writeln!(
                    out,
                    "{}: ok ({} events, {} observations, {} warnings)",
                    f.display(),
                    lc.course.events.len(),
                    lc.course.observations.len(),
                    lc.warnings.len()
                )?;
                for w in &lc.warnings {
                    writeln!(out, "  {w}")?;
                }
            }
            Err(CourseError::Invalid(diags)) => {
                bad += 1;
                problems.extend(diags.iter().map(|d| d.to_string()));
            }
            Err(other) => {
                bad += 1;
                problems.push(format!("error: {other}"));
            }
        }
    }
    out.flush()?;
    if bad > 0 {
        anyhow::bail!(crate::BadInput(format!(
            "{bad} of {} course file{} invalid:\n{}",
            args.files.len(),
            if args.files.len() == 1 {
                " is"
            } else {
                "s are"
            },
            problems.join("\n")
        )));
    }
    Ok(())
}

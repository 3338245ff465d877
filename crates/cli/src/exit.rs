//! Mapping errors to exit codes: bad input is 2, anything else 1.

use std::fmt;
use std::process::ExitCode;

/// Marks an error as caused by the user's input (exit code 2). Wrap library
/// errors that name a file/line/field in this before returning them.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Prints the error chain and returns the exit code.
pub fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad = e.chain().any(|c| c.is::<BadInput>());
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                if !cause.is::<BadInput>() {
                    eprintln!("  caused by: {cause}");
                }
            }
            if bad {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

//! `graftwatch course validate|show|convert`.

use clap::Subcommand;

/// Course file subcommands.
#[derive(Subcommand, Debug)]
pub enum CourseCommand {
    /// Check course files (JSON or long CSV); exit 2 listing every problem.
    Validate {
        /// Course files (.json or .csv).
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

/// Runs a course subcommand.
pub fn run(cmd: CourseCommand) -> anyhow::Result<()> {
    match cmd {
        CourseCommand::Validate { files } => {
            anyhow::bail!(crate::BadInput(format!("course validate is being built ({} files)", files.len())))
        }
    }
}

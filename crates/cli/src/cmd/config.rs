//! `graftwatch config print`: the one configuration every command reads
//! (`--config FILE` on grade, decide, report and demo), and the helper the
//! commands use to load it.

use std::path::Path;

use clap::Subcommand;
use graftwatch_config::Config;

/// `graftwatch config …`.
#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print the default configuration (TOML): grading sections, [dli] and [alerts].
    Print,
}

/// Runs `graftwatch config`.
pub fn run(c: ConfigCommand) -> anyhow::Result<()> {
    match c {
        ConfigCommand::Print => print!("{}", Config::default().to_toml_string()),
    }
    Ok(())
}

/// Loads `--config FILE`, or the defaults without one. A bad file is bad
/// input (exit 2) naming the file, the section and the key.
pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(p) => Config::from_toml_file(p).map_err(crate::exit::input),
        None => Ok(Config::default()),
    }
}

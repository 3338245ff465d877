//! `graftwatch chimerism str|ngs`.

use clap::Subcommand;

/// Chimerism subcommands. Each variant's arguments and runner live in their
/// own file (`chimerism_str.rs`, `chimerism_ngs.rs`).
#[derive(Subcommand, Debug)]
pub enum ChimerismCommand {}

/// Runs a chimerism subcommand.
pub fn run(cmd: ChimerismCommand) -> anyhow::Result<()> {
    match cmd {}
}

//! `graftwatch chimerism str|ngs`.

use clap::Subcommand;

/// Chimerism subcommands. Each variant's arguments and runner live in their
/// own file (`chimerism_str.rs`, `chimerism_ngs.rs`).
#[derive(Subcommand, Debug)]
pub enum ChimerismCommand {
    /// NGS chimerism for recipient + N donors from allele counts at SNP/indel markers (VCF AD, BAM/CRAM, FASTQ).
    Ngs(Box<super::chimerism_ngs::NgsArgs>),
    /// STR chimerism from GeneMapper-style peak tables (recipient + N donors).
    Str(Box<super::chimerism_str::StrArgs>),
}

/// Runs a chimerism subcommand.
pub fn run(cmd: ChimerismCommand) -> anyhow::Result<()> {
    match cmd {
        ChimerismCommand::Ngs(a) => super::chimerism_ngs::run(*a),
        ChimerismCommand::Str(a) => super::chimerism_str::run(*a),
    }
}

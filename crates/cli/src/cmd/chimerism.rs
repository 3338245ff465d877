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

/// The one line `--add-to COURSE` prints to standard error once the course
/// is written: how many values were recorded, where, and for which samples
/// and dates ("added 3 chimerism results to c.json (sample PB-d14, date
/// 2024-05-13)"), and how many earlier ones of the same samples it replaced.
pub(super) fn added_line(
    target: &str,
    summary: &graftwatch_course::AttachSummary,
    results: &[graftwatch_course::ChimerismResult],
) -> String {
    let samples: Vec<String> = results
        .iter()
        .map(|r| format!("sample {}, date {}", r.sample, r.date))
        .collect();
    let replaced = match summary.replaced {
        0 => String::new(),
        1 => "; 1 earlier result of the same sample replaced".into(),
        n => format!("; {n} earlier results of the same samples replaced"),
    };
    format!(
        "added {} chimerism result{} to {target} ({}){replaced}",
        summary.added,
        if summary.added == 1 { "" } else { "s" },
        samples.join("; ")
    )
}

//! `graftwatch`: follow a patient through CAR-T therapy, allogeneic
//! transplantation and donor lymphocyte infusion; grade, measure chimerism,
//! explain and draw.
//!
//! Exit codes: 0 success; 1 internal error; 2 bad input (the message names
//! the file, line or field, the value and what was expected).

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod cmd;
mod exit;

pub use exit::BadInput;

/// graftwatch: graded, explained and drawn transplant courses.
#[derive(Parser, Debug)]
#[command(name = "graftwatch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read, check, show and convert patient course files.
    #[command(subcommand)]
    Course(cmd::course::CourseCommand),
    /// Run everything graftwatch can do on the bundled seed case and write an HTML report.
    Demo(cmd::demo::DemoArgs),
    /// Chimerism from STR peak tables or NGS allele counts / reads.
    #[command(subcommand)]
    Chimerism(cmd::chimerism::ChimerismCommand),
    /// Grade a course: per-day timeline and summary with explanations.
    Grade(cmd::grade::GradeArgs),
    /// DLI decision support (triggers, prerequisites, dose plan) and graft checks.
    Decide(cmd::decide::DecideArgs),
    /// The full course report (figure, alerts, endpoints, DLI decision trail) as HTML, SVG or JSON.
    Report(cmd::report::ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(cmd::completions::CompletionsArgs),
    /// Write the manual pages (roff).
    Man(cmd::man::ManArgs),
    /// The configuration every command reads with --config (`config print` shows the defaults).
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Course(c) => cmd::course::run(c),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Chimerism(c) => cmd::chimerism::run(c),
        Command::Grade(a) => cmd::grade::run(a),
        Command::Decide(a) => cmd::decide::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Completions(a) => cmd::completions::run(a, Cli::command()),
        Command::Man(a) => cmd::man::run(a, Cli::command()),
        Command::Config(c) => cmd::config::run(c),
    };
    exit::report(result)
}

//! `graftwatch`: follow a patient through CAR-T therapy, allogeneic
//! transplantation and donor lymphocyte infusion; grade, measure chimerism,
//! explain and draw.
//!
//! Exit codes: 0 success; 1 internal error; 2 bad input (the message names
//! the file, line or field, the value and what was expected).

// The doc comments of the command-line types are clap's help text, shown
// as written (`[dli]`, `NAME=FILE:SAMPLE[:LINEAGE[:DATE]]`): not links.
#![allow(rustdoc::broken_intra_doc_links)]

use std::process::ExitCode;

use clap::{FromArgMatches, Parser, Subcommand};

mod cmd;
mod exit;

pub use exit::BadInput;

/// graftwatch: graded, explained and drawn transplant courses.
#[derive(Parser, Debug)]
#[command(name = "graftwatch", version, about, long_about = None)]
struct Cli {
    /// How errors and warnings are printed: `human` (default) or `json`
    /// (one JSON object per line and per diagnostic, for LIMS/EHR).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        value_name = "FORMAT"
    )]
    error_format: exit::ErrorFormat,
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
    /// The patient store: create, inspect, migrate, back up and restore the database.
    #[command(subcommand)]
    Db(cmd::db::DbCommand),
    /// Import course files (JSON or CSV) or directories into the store.
    Import(cmd::import::ImportArgs),
    /// Export a stored course (any revision) as JSON or CSV, optionally de-identified.
    Export(cmd::export::ExportArgs),
    /// The ward list from the store (latest counts, grades, alerts, DLI status).
    Patients(cmd::patients::PatientsArgs),
    /// Every revision of a stored course: who, when, what, why.
    History(cmd::history::HistoryArgs),
    /// Stored patient administration (purge).
    #[command(subcommand)]
    Patient(cmd::patient::PatientCommand),
    /// The audit trail: show entries, verify the keyed hash chain.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// The ward's web application and JSON API (login, roles, audit).
    Serve(cmd::serve::ServeArgs),
    /// Users of the web application: add, list, disable, enable, password.
    #[command(subcommand)]
    User(cmd::user::UserCommand),
    /// Personal access tokens for the JSON API: create, list, revoke.
    #[command(subcommand)]
    Token(cmd::user::TokenCommand),
}

fn main() -> ExitCode {
    exit::install_panic_hook();
    let cli = cmd::examples::command::<Cli>()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| exit::usage_error(e));
    exit::set_format(cli.error_format);
    // A panic (also a worker's) is printed by the hook as an internal error;
    // unwinding still runs the output writers' clean-up.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))).unwrap_or_else(|_| {
        if exit::broken_pipe() {
            ExitCode::from(exit::BROKEN_PIPE_EXIT)
        } else {
            ExitCode::from(1)
        }
    })
}

/// Runs the subcommand and reports its error.
fn run(cli: Cli) -> ExitCode {
    if let Err(m) = graftwatch_course::date_checks::check_today_setting() {
        return exit::report(Err(BadInput(m).into()));
    }
    let result = match cli.command {
        Command::Course(c) => cmd::course::run(c),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Chimerism(c) => cmd::chimerism::run(c),
        Command::Grade(a) => cmd::grade::run(a),
        Command::Decide(a) => cmd::decide::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Completions(a) => cmd::completions::run(a, cmd::examples::command::<Cli>()),
        Command::Man(a) => cmd::man::run(a, cmd::examples::command::<Cli>()),
        Command::Config(c) => cmd::config::run(c),
        Command::Db(c) => cmd::db::run(c),
        Command::Import(a) => cmd::import::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Patients(a) => cmd::patients::run(a),
        Command::History(a) => cmd::history::run(a),
        Command::Patient(c) => cmd::patient::run(c),
        Command::Audit(c) => cmd::audit::run(c),
        Command::Serve(a) => cmd::serve::run(a),
        Command::User(c) => cmd::user::run(c),
        Command::Token(c) => cmd::user::run_token(c),
    };
    exit::report(result)
}

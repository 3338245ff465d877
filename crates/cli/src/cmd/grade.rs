//! `graftwatch grade COURSE [--only LIST] [--format table|json|csv]
//! [--config FILE] [--print-default-config]`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only, render};

use crate::BadInput;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GradeFormat {
    /// Readable per-day timeline and summary with one-line reasons.
    Table,
    /// The full versioned document (`graftwatch-grades/1`) with explanations.
    Json,
    /// One row per day per criterion, then the summary rows.
    Csv,
}

/// Arguments of `graftwatch grade`.
#[derive(Args, Debug)]
pub struct GradeArgs {
    /// Course file (.json or .csv).
    #[arg(required_unless_present = "print_default_config")]
    pub course: Option<PathBuf>,
    /// Comma-separated criteria: agvhd, cgvhd, crs, icans, icaht, hematotox,
    /// engraftment, graft_failure, chimerism, eln, risk (default: all).
    #[arg(long)]
    pub only: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GradeFormat::Table)]
    pub format: GradeFormat,
    /// TOML file overriding the default grading configuration.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the full default configuration (TOML) and exit.
    #[arg(long)]
    pub print_default_config: bool,
    /// Read the course of the stored patient COURSE (a patient id) from this
    /// database (SQLite file, sqlite://PATH or postgres://…) instead of a file.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// Runs `graftwatch grade`.
pub fn run(a: GradeArgs) -> anyhow::Result<()> {
    if a.print_default_config {
        print!("{}", GradingConfig::default().to_toml_string());
        return Ok(());
    }
    let only = match &a.only {
        Some(s) => Criterion::parse_list(s).map_err(|e| BadInput(format!("--only: {e}")))?,
        None => Criterion::ALL.to_vec(),
    };
    let cfg = match &a.config {
        Some(p) => GradingConfig::from_toml_file(p).map_err(|e| BadInput(e.to_string()))?,
        None => GradingConfig::default(),
    };
    let path = a
        .course
        .as_ref()
        .ok_or_else(|| BadInput("a COURSE file is required".into()))?;
    let loaded = super::store_common::read_course_or_stored(path, a.db.as_deref())
        .map_err(|e| BadInput(e.to_string()))?;
    let grades = grade_course_only(&loaded.course, &cfg, &only);
    let text = match a.format {
        GradeFormat::Table => render::table(&grades),
        GradeFormat::Json => render::json(&grades),
        GradeFormat::Csv => render::csv(&grades),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .context("writing the grades to standard output")?;
    Ok(())
}

//! `graftwatch grade COURSE... [--on DATE|+DAY] [--daily] [--only LIST]
//! [--format table|json|csv] [--config FILE] [--print-default-config]`.
//!
//! Several course files (or a directory of `.json` / `.csv` courses) are
//! graded in one call: JSON becomes JSON Lines (one document per course,
//! with `source`), CSV gets a leading `course` column. A course that cannot
//! be read is reported on standard error with its file and skipped; the
//! others are graded and the exit code is 2.

use graftwatch_core::number::counted;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_grading::{
    CourseGrades, Criterion, GradingConfig, daily, grade_course_as_of, grade_course_daily,
    grade_course_only, render,
};

use crate::BadInput;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GradeFormat {
    /// Readable per-day timeline and summary with one-line reasons.
    Table,
    /// The full versioned document (`graftwatch-grades/2`) with explanations
    /// (JSON Lines when several courses are graded).
    Json,
    /// One row per day per criterion, then the summary rows (with a leading
    /// `course` column when several courses are graded).
    Csv,
}

/// Arguments of `graftwatch grade`.
#[derive(Args, Debug)]
pub struct GradeArgs {
    /// Course files (.json or .csv) or directories of them.
    #[arg(required_unless_present = "print_default_config")]
    pub course: Vec<PathBuf>,
    /// Comma-separated criteria: agvhd, cgvhd, crs, icans, icaht, hematotox,
    /// engraftment, graft_failure, chimerism, eln, risk (default: all).
    #[arg(long)]
    pub only: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GradeFormat::Table)]
    pub format: GradeFormat,
    /// TOML configuration file (the one file every command reads; see
    /// `graftwatch config print`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the full default configuration (TOML) and exit (alias of
    /// `graftwatch config print`).
    #[arg(long)]
    pub print_default_config: bool,
    /// Grade the course as known on this day: a date (2024-07-30) or a day
    /// after the latest transplant (+100), and report every criterion's state
    /// that day.
    #[arg(long)]
    pub on: Option<String>,
    /// Add the state of every day-by-day criterion on every calendar day
    /// (from the first transplant or CAR-T to the last record, or `--on`).
    #[arg(long)]
    pub daily: bool,
    /// Read the course of the stored patient COURSE (a patient id) from this
    /// database (SQLite file, sqlite://PATH or postgres://…) instead of a file.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// Parses `--on`: a date, or `+N` / `N` / `-N` days after the latest
/// transplant of the course (the latest CAR-T infusion when there is none).
pub fn parse_on(s: &str, course: &Course) -> Result<Date, BadInput> {
    if let Ok(d) = s.trim().parse::<Date>() {
        return Ok(d);
    }
    let t = s.trim();
    let n: i32 = t.trim_start_matches('+').parse().map_err(|_| {
        BadInput(format!(
            "--on: '{s}' is neither a date (YYYY-MM-DD) nor a day after the transplant (e.g. +100)"
        ))
    })?;
    if !(-3650..=36500).contains(&n) {
        return Err(BadInput(format!(
            "--on: day {n} is outside -3650 to +36500"
        )));
    }
    let day0 = graftwatch_grading::daily::day_zero(course).ok_or_else(|| {
        BadInput(format!(
            "--on {s}: the course has no transplant or CAR-T infusion to count days from"
        ))
    })?;
    Ok(day0.add_days(n))
}

/// The course files named: files as given, directories expanded to their
/// `.json` / `.csv` files in name order.
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| {
                crate::exit::input_in(format!("cannot read directory {}", p.display()), e)
            })?;
            let mut files: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|f| {
                    f.is_file()
                        && f.extension().is_some_and(|x| {
                            x.eq_ignore_ascii_case("json") || x.eq_ignore_ascii_case("csv")
                        })
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(BadInput(format!(
                    "directory {} has no .json or .csv course files",
                    p.display()
                ))
                .into());
            }
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

struct Run {
    only: Vec<Criterion>,
    cfg: GradingConfig,
    on: Option<String>,
    daily: bool,
    /// Stored patients instead of files (`--db`).
    db: Option<String>,
}

fn grade_one(path: &Path, r: &Run) -> anyhow::Result<CourseGrades> {
    let loaded = super::store_common::read_course_or_stored(path, r.db.as_deref())?;
    // Implausible values are kept and graded: say so, as `course validate` does.
    crate::exit::print_warnings(&loaded.warnings);
    let course = &loaded.course;
    let on = match &r.on {
        Some(s) => Some(parse_on(s, course).map_err(|e| crate::exit::input_in(path.display(), e))?),
        None => None,
    };
    let mut g = match (on, r.daily) {
        (Some(d), _) => grade_course_as_of(course, &r.cfg, &r.only, d),
        (None, true) => grade_course_daily(course, &r.cfg, &r.only),
        (None, false) => grade_course_only(course, &r.cfg, &r.only),
    };
    if r.daily {
        let range = daily::default_range(course).map(|(a, b)| match on {
            Some(d) => (a.min(d), d),
            None => (a, b),
        });
        let days = range.map_or_else(Vec::new, |(a, b)| {
            daily::daily_view(course, &g, a, b, r.cfg.engine.daily_carry_forward_days)
        });
        g.daily = Some(days);
    }
    g.input_warnings = loaded.warnings.iter().map(ToString::to_string).collect();
    Ok(g)
}

fn render_one(g: &CourseGrades, format: GradeFormat, many: bool, first: bool) -> String {
    match (format, many) {
        (GradeFormat::Table, false) => render::table(g),
        (GradeFormat::Table, true) => format!(
            "=== {} ===\n{}\n",
            g.source.as_deref().unwrap_or(""),
            render::table(g)
        ),
        (GradeFormat::Json, false) => render::json(g),
        (GradeFormat::Json, true) => render::json_line(g),
        (GradeFormat::Csv, false) => render::csv(g),
        (GradeFormat::Csv, true) => {
            render::csv_with_course(g, g.source.as_deref().unwrap_or(""), first)
        }
    }
}

/// Runs `graftwatch grade`.
pub fn run(a: GradeArgs) -> anyhow::Result<()> {
    if a.print_default_config {
        print!("{}", graftwatch_config::Config::default().to_toml_string());
        return Ok(());
    }
    let only = match &a.only {
        Some(s) => Criterion::parse_list(s).map_err(|e| crate::exit::input_in("--only", e))?,
        None => Criterion::ALL.to_vec(),
    };
    let cfg = crate::cmd::config::load(a.config.as_deref())?.grading;
    if a.course.is_empty() {
        return Err(BadInput("a COURSE file is required".into()).into());
    }
    let many = a.course.len() > 1 || a.course.iter().any(|p| p.is_dir());
    let files = expand(&a.course)?;
    let r = Run {
        only,
        cfg,
        on: a.on.clone(),
        daily: a.daily,
        db: a.db.clone(),
    };
    if !many {
        let g = grade_one(&files[0], &r)?;
        let text = render_one(&g, a.format, false, true);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .context("writing the grades to standard output")?;
        return Ok(());
    }
    run_many(&files, &r, a.format)
}

fn run_many(files: &[PathBuf], r: &Run, format: GradeFormat) -> anyhow::Result<()> {
    let mut bad = Vec::new();
    let mut out = std::io::stdout().lock();
    let mut first = true;
    for f in files {
        match grade_one(f, r) {
            Ok(mut g) => {
                g.source = Some(f.display().to_string());
                out.write_all(render_one(&g, format, true, first).as_bytes())
                    .context("writing the grades to standard output")?;
                first = false;
            }
            Err(e) => {
                // Its errors name the file each: said once, then them.
                eprintln!("error: {}: skipped, it cannot be graded:", f.display());
                eprint!("{}", crate::exit::render_human(&e));
                bad.push(f.display().to_string());
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(BadInput(format!(
            "{} of {} could not be graded: {}",
            bad.len(),
            counted(files.len(), "course file"),
            bad.join(", ")
        ))
        .into())
    }
}

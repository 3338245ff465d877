//! `graftwatch decide COURSE [--on DATE|DAY] [--format table|json]`: DLI
//! decision support and graft checks, framed as criteria met / not met.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail};
use graftwatch_criteria::dli::DliAssessment;
use graftwatch_decision::{
    DecisionError, GraftReport, assess_dli, date_of_day, graft_checks, gvhd_status_from_grades,
};
use graftwatch_grading::{Criterion, grade_course_only};
use serde::Serialize;

use crate::BadInput;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecideFormat {
    /// Readable text.
    Table,
    /// JSON (`graftwatch-decision/1`).
    Json,
}

/// Arguments of `decide`.
#[derive(Args, Debug)]
pub struct DecideArgs {
    /// Course file (.json or .csv).
    pub course: PathBuf,
    /// Day to assess: a date (2024-07-30) or a day after the transplant
    /// (+92 or 92, counted from the course's latest transplant).
    /// Default: every DLI date in the course and the last day of the course.
    #[arg(long, allow_hyphen_values = true)]
    pub on: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DecideFormat,
    /// TOML configuration file (grading, [dli] rules and windows; see
    /// `graftwatch config print`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Read the course of the stored patient COURSE (a patient id) from this
    /// database (SQLite file, sqlite://PATH or postgres://…) instead of a file.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// A day on which DLI does not apply, with why.
#[derive(Serialize)]
struct NotApplicable {
    on: Option<Date>,
    reason: String,
}

#[derive(Serialize)]
struct Output<'a> {
    schema: &'static str,
    patient: &'a str,
    note: &'static str,
    graft_checks: Vec<GraftReport>,
    assessments: Vec<DliAssessment>,
    not_applicable: Vec<NotApplicable>,
}

/// Largest |N| accepted in `--on +N` (100 years).
const MAX_DAY_OFFSET: i64 = 36_600;

/// What `--on` asks for: a date, or a day after the latest transplant
/// (`Ok(None)`: the course has no transplant to count from).
fn parse_on(s: &str, course: &Course) -> Result<Option<Date>, BadInput> {
    if let Ok(d) = s.parse::<Date>() {
        return Ok(Some(d));
    }
    let t = s.trim().trim_start_matches('+');
    let bad = || {
        BadInput(format!(
            "--on: '{s}' is neither a date (YYYY-MM-DD) nor a day after the transplant between -{MAX_DAY_OFFSET} and +{MAX_DAY_OFFSET} (e.g. +100)"
        ))
    };
    let n: i64 = t.parse().map_err(|_| bad())?;
    if n.abs() > MAX_DAY_OFFSET {
        return Err(bad());
    }
    Ok(date_of_day(course, n as i32).map(|(d, _)| d))
}

/// The days to assess.
fn days_to_assess(args: &DecideArgs, course: &Course) -> Result<Vec<Option<Date>>, BadInput> {
    if let Some(s) = &args.on {
        return Ok(vec![parse_on(s, course)?]);
    }
    let mut v: Vec<Option<Date>> = course
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::Dli { .. }))
        .map(|e| Some(e.date))
        .collect();
    if let Some(last) = course.last_record_date() {
        v.push(Some(last));
    }
    v.dedup();
    Ok(v)
}

/// Runs `decide`.
pub fn run(args: DecideArgs) -> anyhow::Result<()> {
    let cfg = crate::cmd::config::load(args.config.as_deref())?;
    let loaded = super::store_common::read_course_or_stored(&args.course, args.db.as_deref())?;
    crate::exit::print_warnings(&loaded.warnings);
    let course = loaded.course;
    let grades = grade_course_only(&course, &cfg.grading, &[Criterion::Agvhd, Criterion::Cgvhd]);
    let gvhd = gvhd_status_from_grades(&grades);
    let mut assessments = Vec::new();
    let mut not_applicable = Vec::new();
    for d in days_to_assess(&args, &course)? {
        let Some(d) = d else {
            not_applicable.push(NotApplicable {
                on: None,
                reason: "no transplant: DLI not applicable (the course has no graft infusion to count days from)".into(),
            });
            continue;
        };
        match assess_dli(&course, d, &gvhd, &cfg.dli) {
            Ok(a) => assessments.push(a),
            Err(e @ (DecisionError::NoTransplant(_) | DecisionError::Deceased { .. })) => {
                not_applicable.push(NotApplicable {
                    on: Some(d),
                    reason: e.to_string(),
                })
            }
        }
    }
    let out = Output {
        schema: "graftwatch-decision/1",
        patient: &course.patient.id.0,
        note: "Decision support: which published criteria are met, with reasons and sources. Not an order.",
        graft_checks: course
            .transplant_numbers()
            .into_iter()
            .map(|n| graft_checks(&course, n))
            .collect(),
        assessments,
        not_applicable,
    };
    match args.format {
        DecideFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&out).context("serialising the decision")?
            );
        }
        DecideFormat::Table => print!("{}", render_table(&out)),
    }
    Ok(())
}

fn mark(m: Option<bool>) -> &'static str {
    match m {
        Some(true) => "[met]    ",
        Some(false) => "[not met]",
        None => "[unknown]",
    }
}

fn render_table(o: &Output) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "DLI decision support: {} ({})", o.patient, o.note);
    for g in &o.graft_checks {
        let _ = writeln!(s, "\nGraft checks, transplant {}", g.transplant);
        for c in &g.checks {
            let _ = writeln!(s, "  {:<10} {:<22} {}", c.status.label(), c.what, c.reason);
        }
    }
    for n in &o.not_applicable {
        let on = n.on.map(|d| format!("{d}: ")).unwrap_or_default();
        let _ = writeln!(s, "\n{on}{}", n.reason);
    }
    for a in &o.assessments {
        let hct = match a.transplant {
            1 => "HCT".to_string(),
            n => format!("HCT {n}"),
        };
        let _ = writeln!(s, "\n=== {} (day {:+} after {hct}) ===", a.on, a.day);
        let _ = writeln!(s, "{}", a.summary);
        let _ = writeln!(s, "Triggers (any one):");
        for t in &a.triggers {
            let _ = writeln!(s, "  {} {}: {}", mark(t.met), t.name, t.reason);
        }
        let _ = writeln!(s, "Prerequisites (all):");
        for p in &a.prerequisites {
            let _ = writeln!(s, "  {} {}: {}", mark(p.met), p.name, p.reason);
        }
        let _ = writeln!(s, "Donors:");
        for (d, why) in &a.excluded_donors {
            let _ = writeln!(s, "  {d}: cannot give lymphocytes ({why})");
        }
        for p in &a.plans {
            let _ = writeln!(
                s,
                "  {}: {} setting; {}",
                p.donor,
                p.setting.label(),
                p.reason
            );
            for st in &p.steps {
                let _ = writeln!(
                    s,
                    "    step {}: {} CD3+/kg, earliest {}, {}",
                    st.step,
                    graftwatch_criteria::dli::sci(st.cd3_per_kg.get()),
                    st.earliest,
                    st.condition
                );
            }
        }
        for f in &a.flags {
            let _ = writeln!(s, "  flag {}: {}", f.code, f.text);
        }
    }
    s
}

//! `graftwatch decide COURSE [--on DATE|DAY] [--format table|json]`: DLI
//! decision support and graft checks, framed as criteria met / not met.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail};
use graftwatch_criteria::dli::{DliAssessment, DliConfig};
use graftwatch_decision::{GraftReport, assess_dli, graft_checks, gvhd_status_from_grades};
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};
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
    /// Day to assess: a date (2024-07-30) or a day after the transplant (+92 or 92).
    /// Default: every DLI date in the course and the last day of the course.
    #[arg(long, allow_hyphen_values = true)]
    pub on: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DecideFormat,
    /// Read the course of the stored patient COURSE (a patient id) from this
    /// database (SQLite file, sqlite://PATH or postgres://…) instead of a file.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    schema: &'static str,
    patient: &'a str,
    note: &'static str,
    graft_checks: Vec<GraftReport>,
    assessments: Vec<DliAssessment>,
}

/// Parses `--on`.
fn parse_on(s: &str, course: &Course) -> Result<Date, BadInput> {
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let t = s.trim().trim_start_matches('+');
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let n: i32 = t.parse().map_err(|_| {
        BadInput(format!(
            "--on: '{s}' is neither a date (YYYY-MM-DD) nor a day after the transplant (e.g. +100)"
        ))
    })?;
    let day0 = course.transplant_day0(1).ok_or_else(|| {
        BadInput(format!(
            "--on {s}: the course has no transplant to count days from"
        ))
    })?;
    Ok(day0.add_days(if neg { -n } else { n }))
}

/// Runs `decide`.
pub fn run(args: DecideArgs) -> anyhow::Result<()> {
    let loaded = super::store_common::read_course_or_stored(&args.course, args.db.as_deref())
        .map_err(|e| BadInput(e.to_string()))?;
    let course = loaded.course;
    let grades = grade_course_only(
        &course,
        &GradingConfig::default(),
        &[Criterion::Agvhd, Criterion::Cgvhd],
    );
    let gvhd = gvhd_status_from_grades(&grades);
    let days: Vec<Date> = match &args.on {
        Some(s) => vec![parse_on(s, &course)?],
        None => {
            let mut v: Vec<Date> = course
                .events
                .iter()
                .filter(|e| matches!(e.detail, EventDetail::Dli { .. }))
                .map(|e| e.date)
                .collect();
            if let Some((_, last)) = course.span() {
                v.push(last);
            }
            v.dedup();
            v
        }
    };
    let cfg = DliConfig::default();
    let mut assessments = Vec::new();
    for d in days {
        assessments.push(
            assess_dli(&course, d, &gvhd, &cfg)
                .map_err(|e| BadInput(format!("{}: {e}", args.course.display())))?,
        );
    }
    let mut transplants: Vec<u32> = course
        .events
        .iter()
        .filter_map(|e| match e.detail {
            EventDetail::GraftInfusion { transplant, .. } => Some(transplant),
            _ => None,
        })
        .collect();
    transplants.sort_unstable();
    transplants.dedup();
    let out = Output {
        schema: "graftwatch-decision/1",
        patient: &course.patient.id.0,
        note: "Decision support: which published criteria are met, with reasons and sources. Not an order.",
        graft_checks: transplants
            .into_iter()
            .map(|n| graft_checks(&course, n))
            .collect(),
        assessments,
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
        None => "[no data]",
    }
}

fn render_table(o: &Output) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "DLI decision support: {} ({})", o.patient, o.note);
    for g in &o.graft_checks {
        let _ = writeln!(s, "\nGraft checks, transplant {}", g.transplant);
        for c in &g.checks {
            let _ = writeln!(
                s,
                "  {:<10} {:<22} {}",
                format!("{:?}", c.status).to_lowercase(),
                c.what,
                c.reason
            );
        }
    }
    for a in &o.assessments {
        let _ = writeln!(s, "\n=== {} (day {:+} after HCT) ===", a.on, a.day);
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
            let _ = writeln!(s, "  {}: {:?} setting; {}", p.donor, p.setting, p.reason);
            for st in &p.steps {
                let _ = writeln!(
                    s,
                    "    step {}: {} CD3+/kg, earliest {}, {}",
                    st.step,
                    graftwatch_criteria::dli::sci(st.cd3_per_kg),
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

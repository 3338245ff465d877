//! `graftwatch demo`: the main job on the bundled seed case (or `--course
//! FILE`): read and validate the course, render the HTML report, write it
//! atomically to `DIR/report.html` and print a short summary.
//!
//! The report is the full course report: grades (endpoint table),
//! chimerism, GVHD and CAR-T toxicity panels, alerts and the DLI decision
//! trail; further sections go in [`add_analysis_sections`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use graftwatch_course::{CourseError, LoadedCourse, Severity, io::read_json_str, read_course};
use graftwatch_report::{Analysis, Report, Section, escape, full_report};

use crate::BadInput;

/// The bundled seed case (an illustrative reconstruction; see docs/seed-case.md).
pub const SEED_CASE_JSON: &str = include_str!("../../../../examples/seed-case/course.json");

/// Name under which the bundled seed case is reported in messages.
pub const SEED_CASE_NAME: &str = "examples/seed-case/course.json (bundled)";

/// Arguments of `demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output directory for the report (created if missing).
    #[arg(long, default_value = "graftwatch-demo")]
    pub out: PathBuf,
    /// Course file (.json or .csv) to use instead of the bundled seed case.
    #[arg(long)]
    pub course: Option<PathBuf>,
    /// TOML configuration file (see `graftwatch config print`).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Runs the demo.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let cfg = crate::cmd::config::load(args.config.as_deref())?;
    let (loaded, source) = load(args.course.as_deref())?;
    let analysis = Analysis::for_course_with(&loaded.course, &cfg.grading, &cfg.dli, &cfg.alerts);
    let report = build_report(&loaded, &source, &analysis);
    let html = report.to_html();
    let path = write_report(&args.out, &html)?;
    print!("{}", summary(&loaded, &source, &path));
    print!("{}", analysis_summary(&analysis));
    Ok(())
}

/// Reads the course: `--course FILE` (problems are bad input, exit 2) or
/// the bundled seed case (a problem there is an internal error).
pub fn load(course: Option<&Path>) -> anyhow::Result<(LoadedCourse, String)> {
    match course {
        Some(p) => {
            let lc = read_course(p).map_err(|e| match e {
                CourseError::Invalid(_) => {
                    crate::exit::input_in(format!("the course file {} is invalid", p.display()), e)
                }
                other => crate::exit::input(other),
            })?;
            Ok((lc, p.display().to_string()))
        }
        None => {
            let lc = read_json_str(SEED_CASE_JSON, Path::new(SEED_CASE_NAME))
                .map_err(|e| crate::exit::internal("the bundled seed case does not validate", e))?;
            Ok((lc, SEED_CASE_NAME.to_string()))
        }
    }
}

/// The full report (figure with chimerism, GVHD, CAR-T toxicity and
/// marrow/MRD panels; alerts; endpoint table; DLI decision trail) plus the
/// validation section.
pub fn build_report(loaded: &LoadedCourse, source: &str, analysis: &Analysis) -> Report {
    let mut report = full_report(&loaded.course, analysis);
    report.subtitle = Some(format!(
        "Course file: {source} · graftwatch {}",
        env!("CARGO_PKG_VERSION")
    ));
    report.insert_section_after("summary", validation_section(loaded));
    add_analysis_sections(loaded, &mut report);
    report
}

/// HOOK for later issues: further sections are added here with
/// `report.add_section(..)`. Grades (endpoint table), alerts, chimerism,
/// GVHD and CAR-T toxicity panels and the DLI decision trail are already in
/// the full report (`graftwatch_report::full_report`).
pub fn add_analysis_sections(_loaded: &LoadedCourse, _report: &mut Report) {}

/// Reading result: errors none (the course loaded), warnings listed.
fn validation_section(loaded: &LoadedCourse) -> Section {
    let c = &loaded.course;
    let mut h = format!(
        "<p>The course was read and validated: {} events, {} observations, {} donors; 0 errors, {} warnings.</p>",
        c.events.len(),
        c.observations.len(),
        c.donors.len(),
        loaded.warnings.len()
    );
    if !loaded.warnings.is_empty() {
        h.push_str("<ul class=\"warnings\">");
        for w in &loaded.warnings {
            let _ = write!(h, "<li>{}</li>", escape(&w.to_string()));
        }
        h.push_str("</ul>");
    }
    Section::new("validation", "Validation", h)
}

/// Writes `DIR/report.html` (replacing it: the demo directory is the demo's
/// own) through the shared atomic writer. Returns the report path.
pub fn write_report(dir: &Path, html: &str) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| {
        BadInput(format!(
            "cannot create the output directory '{}': {e}",
            dir.display()
        ))
    })?;
    let path = dir.join("report.html");
    graftwatch_output::write(
        &path,
        html.as_bytes(),
        graftwatch_output::Overwrite::Replace,
    )
    .map_err(crate::exit::input)?;
    Ok(path)
}

/// The summary printed after writing.
pub fn summary(loaded: &LoadedCourse, source: &str, path: &Path) -> String {
    let c = &loaded.course;
    let mut s = format!("wrote {}\n", path.display());
    let _ = writeln!(s, "course: {source} (patient {})", c.patient.id);
    if c.illustrative.is_some() {
        let _ = writeln!(s, "note: illustrative data, not a real patient");
    }
    if let Some((a, b)) = c.span() {
        let days = b.days_since(a).get() + 1;
        let _ = write!(s, "days covered: {a} to {b} ({days} days)");
        if let Some(d0) = c.transplant_day0(1) {
            let _ = write!(
                s,
                "; HCT day 0 = {d0}, follow-up to day {}",
                b.days_since(d0)
            );
        }
        s.push('\n');
    }
    let anchors: Vec<String> = c
        .anchors()
        .iter()
        .map(|a| format!("{} {}", a.kind, a.date))
        .collect();
    if !anchors.is_empty() {
        let _ = writeln!(s, "day-0 events: {}", anchors.join(", "));
    }
    let warnings = loaded
        .warnings
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let _ = writeln!(
        s,
        "events: {}, observations: {}, donors: {}, warnings: {warnings}",
        c.events.len(),
        c.observations.len(),
        c.donors.len()
    );
    s
}

/// What the analysis found, printed after the summary: endpoints graded,
/// alerts by kind, and the DLI decision trail verdicts.
pub fn analysis_summary(a: &Analysis) -> String {
    let mut s = String::new();
    let graded = a
        .grades
        .summary
        .iter()
        .filter(|i| i.status == graftwatch_grading::output::ItemStatus::Value)
        .count();
    let _ = writeln!(
        s,
        "endpoints: {} ({} graded, {} with insufficient data or not applicable)",
        a.grades.summary.len(),
        graded,
        a.grades.summary.len() - graded
    );
    let _ = writeln!(s, "alerts: {}", a.alerts.len());
    for al in &a.alerts {
        let day = al.day.map(|d| format!(" (day {d:+})")).unwrap_or_default();
        // "MRD conversion: MRD conversion: …" reads the kind once.
        let kind = al.kind.label();
        let what = if al.reason.to_lowercase().starts_with(&kind.to_lowercase()) {
            al.reason.clone()
        } else {
            format!("{kind}: {}", al.reason)
        };
        let _ = writeln!(s, "  {}{day}: {what}", al.date);
    }
    for (i, d) in a.dli_assessments.iter().enumerate() {
        let _ = writeln!(
            s,
            "DLI {} on {} (day +{}): {}",
            i + 1,
            d.on,
            d.day,
            d.outcome.label()
        );
    }
    s
}

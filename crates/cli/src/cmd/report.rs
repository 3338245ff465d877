//! `graftwatch report COURSE --out FILE [--format html|svg|png|pdf|json]
//! [--dpi N]`: the full course report (figure, alerts, endpoint table, DLI
//! decision trail, timeline) as one self-contained HTML file, the figure
//! alone (with its caption block and abbreviations) as SVG, PNG (resvg, at
//! `--dpi`) or vector PDF (svg2pdf), or the data behind the figure as JSON.
//! The rendering and export are `graftwatch_report`'s; this file parses
//! the arguments. Bad input exits 2 and writes nothing; the output is
//! written to a temporary file and renamed.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use graftwatch_report::export::{self, ExportError};
use graftwatch_report::{Analysis, figure_data_json, full_figure_with_caption, full_report};

use crate::BadInput;

/// Output format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The full self-contained HTML report.
    Html,
    /// The figure alone as a standalone SVG.
    Svg,
    /// The figure rasterised to PNG (resvg, system fonts) at --dpi.
    Png,
    /// The figure as a one-page vector PDF (svg2pdf, fonts embedded).
    Pdf,
    /// The data behind the figure (series, bands, alerts, decisions).
    Json,
}

impl ReportFormat {
    /// The format's name, as `--format` takes it and as its file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Svg => "svg",
            ReportFormat::Png => "png",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Json => "json",
        }
    }
}

/// Arguments of `report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Course file (.json or .csv).
    pub course: PathBuf,
    /// Output file (`-` for standard output); an existing file is replaced
    /// only with --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Output format (default: from the --out extension, else html).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// PNG resolution in dots per inch (72-600; the figure is 1200 CSS
    /// pixels = 12.5 inches wide, so 300 dpi gives 3750 pixels).
    #[arg(long, default_value_t = 192)]
    pub dpi: u32,
    /// TOML configuration file: grading, [dli] rules and windows, [alerts]
    /// (the one file every command reads; see `graftwatch config print`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Deprecated alias: a flat file of alert keys (e.g.
    /// `engraftment_warning_days = [21, 28]`), applied over --config; use
    /// the [alerts] and [dli] sections of --config instead.
    #[arg(long)]
    pub alerts_config: Option<PathBuf>,
    /// Read the course of the stored patient COURSE (a patient id) from this
    /// database (SQLite file, sqlite://PATH or postgres://…) instead of a file.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// The configuration of a `report` run: `--config`, then the deprecated
/// `--alerts-config` on top (its notices printed to standard error).
pub fn load_config(args: &ReportArgs) -> anyhow::Result<graftwatch_config::Config> {
    let mut cfg = crate::cmd::config::load(args.config.as_deref())?;
    if let Some(p) = &args.alerts_config {
        let notes = cfg.apply_legacy_alerts_file(p).map_err(|e| {
            crate::exit::input_in(
                "--alerts-config (expected keys: engraftment_warning_days, chimerism_serial_rises, chimerism_min_step_points, chimerism_lod_percent, mrd_positive_percent, dli_gvhd_grade, dli_gvhd_within_days)",
                e,
            )
        })?;
        for n in notes {
            eprintln!("warning: {n}");
        }
    }
    Ok(cfg)
}

fn format_of(args: &ReportArgs) -> Result<ReportFormat, BadInput> {
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let by_name = match ext.as_deref() {
        None | Some("html") | Some("htm") => Some(ReportFormat::Html),
        Some("svg") => Some(ReportFormat::Svg),
        Some("png") => Some(ReportFormat::Png),
        Some("pdf") => Some(ReportFormat::Pdf),
        Some("json") => Some(ReportFormat::Json),
        Some(_) => None,
    };
    match (args.format, by_name, ext) {
        // `--format json --out x.png` wrote JSON into a .png file.
        (Some(f), Some(named), Some(ext)) if f != named => Err(BadInput(format!(
            "--out {}: the extension '.{ext}' names another format than --format {}; give a file name ending in .{} (or no --format)",
            args.out.display(),
            f.as_str(),
            f.as_str()
        ))),
        (Some(f), _, _) => Ok(f),
        (None, Some(f), _) => Ok(f),
        (None, None, ext) => Err(BadInput(format!(
            "--out {}: cannot tell the format from the extension '.{}'; expected .html, .svg, .png, .pdf or .json, or give --format html|svg|png|pdf|json",
            args.out.display(),
            ext.unwrap_or_default()
        ))),
    }
}

/// Export errors: a bad --dpi or a too-large image is bad input (exit 2),
/// anything else internal (exit 1).
fn export_error(e: ExportError) -> anyhow::Error {
    match e {
        ExportError::Dpi(_) | ExportError::TooLarge { .. } => BadInput(e.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}

/// Runs `report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let overwrite = graftwatch_output::Overwrite::from_force(args.force);
    graftwatch_output::preflight(&args.out, overwrite).map_err(crate::exit::input)?;
    if graftwatch_output::same_file(&args.out, &args.course) {
        anyhow::bail!(BadInput(format!(
            "--out {}: that is the course being reported; write the report to another file (the course would be replaced by its report)",
            args.out.display()
        )));
    }
    let format = format_of(&args)?;
    let cfg = load_config(&args)?;
    let (loaded, source) = super::store_common::read_with_source(&args.course, args.db.as_deref())?;
    crate::exit::print_warnings(&loaded.warnings);
    let course = &loaded.course;
    let analysis = Analysis::for_course_with(course, &cfg.grading, &cfg.dli, &cfg.alerts);
    let content: Vec<u8> = match format {
        ReportFormat::Html => {
            let mut r = full_report(course, &analysis);
            r.subtitle = Some(format!(
                "{source} · graftwatch {}",
                env!("CARGO_PKG_VERSION")
            ));
            r.to_html().into_bytes()
        }
        ReportFormat::Svg => full_figure_with_caption(course, &analysis)
            .render(course)
            .into_bytes(),
        ReportFormat::Png => export::svg_to_png(
            &full_figure_with_caption(course, &analysis).render(course),
            args.dpi,
        )
        .map_err(export_error)?,
        ReportFormat::Pdf => {
            export::svg_to_pdf(&full_figure_with_caption(course, &analysis).render(course))
                .map_err(export_error)?
        }
        ReportFormat::Json => figure_data_json(course, &analysis).into_bytes(),
    };
    graftwatch_output::write(&args.out, &content, overwrite).map_err(crate::exit::input)?;
    let note = format!(
        "wrote {} ({}; {} alerts, {} DLI assessments)",
        args.out.display(),
        format!("{format:?}").to_ascii_lowercase(),
        analysis.alerts.len(),
        analysis.dli_assessments.len()
    );
    // With `--out -` standard output carries the report itself.
    if args.out.as_os_str() == "-" {
        eprintln!("{note}");
    } else {
        println!("{note}");
    }
    Ok(())
}

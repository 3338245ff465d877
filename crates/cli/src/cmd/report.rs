//! `graftwatch report COURSE --out FILE [--format html|svg|json]`: the full
//! course report (figure, alerts, endpoint table, DLI decision trail,
//! timeline) as one self-contained HTML file, the figure alone as SVG, or
//! the data behind the figure as JSON. Bad input exits 2 and writes
//! nothing; the output is written to a temporary file and renamed.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use graftwatch_course::read_course;
use graftwatch_report::{AlertConfig, Analysis, figure_data_json, full_figure, full_report};

use crate::BadInput;

/// Output format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The full self-contained HTML report.
    Html,
    /// The figure alone as a standalone SVG.
    Svg,
    /// The data behind the figure (series, bands, alerts, decisions).
    Json,
}

/// Arguments of `report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Course file (.json or .csv).
    pub course: PathBuf,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Output format (default: from the --out extension, else html).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

fn format_of(args: &ReportArgs) -> Result<ReportFormat, BadInput> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    match args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("html") | Some("htm") => Ok(ReportFormat::Html),
        Some("svg") => Ok(ReportFormat::Svg),
        Some("json") => Ok(ReportFormat::Json),
        Some(other) => Err(BadInput(format!(
            "--out {}: cannot tell the format from the extension '.{other}'; expected .html, .svg or .json, or give --format html|svg|json",
            args.out.display()
        ))),
    }
}

/// Writes `content` to `path` through a temporary file in the same
/// directory and a rename, so an error never leaves a half-written file.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<(), BadInput> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(BadInput(format!(
            "--out {}: the directory '{}' does not exist",
            path.display(),
            dir.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| BadInput(format!("--out {}: not a file name", path.display())))?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, content).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        BadInput(format!("cannot write '{}': {e}", tmp.display()))
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        BadInput(format!("cannot write '{}': {e}", path.display()))
    })
}

/// Runs `report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let format = format_of(&args)?;
    let loaded = read_course(&args.course).map_err(|e| {
        BadInput(format!(
            "the course file {} is invalid:\n{e}",
            args.course.display()
        ))
    })?;
    let course = &loaded.course;
    let analysis = Analysis::for_course(course, &AlertConfig::default());
    let content = match format {
        ReportFormat::Html => {
            let mut r = full_report(course, &analysis);
            r.subtitle = Some(format!(
                "Course file: {} · graftwatch {}",
                args.course.display(),
                env!("CARGO_PKG_VERSION")
            ));
            r.to_html()
        }
        ReportFormat::Svg => full_figure(course, &analysis).render(course),
        ReportFormat::Json => figure_data_json(course, &analysis),
    };
    write_atomic(&args.out, content.as_bytes())?;
    println!(
        "wrote {} ({:?}; {} alerts, {} DLI assessments)",
        args.out.display(),
        format,
        analysis.alerts.len(),
        analysis.dli_assessments.len()
    );
    Ok(())
}

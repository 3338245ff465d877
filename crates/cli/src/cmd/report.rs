//! `graftwatch report COURSE --out FILE [--format html|svg|png|json]`: the
//! full course report (figure, alerts, endpoint table, DLI decision trail,
//! timeline) as one self-contained HTML file, the figure alone as SVG or as
//! PNG (rasterised in pure Rust with resvg), or the data behind the figure
//! as JSON. Bad input exits 2 and writes
//! nothing; the output is written to a temporary file and renamed.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use graftwatch_report::{AlertConfig, Analysis, figure_data_json, full_figure, full_report};

use crate::BadInput;

/// Output format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The full self-contained HTML report.
    Html,
    /// The figure alone as a standalone SVG.
    Svg,
    /// The figure rasterised to PNG (resvg, system fonts, 2x scale).
    Png,
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
    /// Alert thresholds (TOML; every key optional, e.g.
    /// `engraftment_warning_days = [21, 28]`, `chimerism_lod_percent = 0.5`).
    #[arg(long)]
    pub alerts_config: Option<PathBuf>,
    /// Read the course of the stored patient COURSE (a patient id) from this
    /// database (SQLite file, sqlite://PATH or postgres://…) instead of a file.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// Reads `--alerts-config` (bad input names the file and the problem).
pub fn read_alert_config(path: &Path) -> Result<AlertConfig, BadInput> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("--alerts-config {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        BadInput(format!(
            "--alerts-config {}: {e}\nexpected keys: engraftment_warning_days, graft_failure_day, chimerism_serial_rises, chimerism_min_step_points, chimerism_lod_percent, mrd_positive_percent, dli_gvhd_grade, dli_gvhd_within_days",
            path.display()
        ))
    })
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
        Some("png") => Ok(ReportFormat::Png),
        Some("json") => Ok(ReportFormat::Json),
        Some(other) => Err(BadInput(format!(
            "--out {}: cannot tell the format from the extension '.{other}'; expected .html, .svg, .png or .json, or give --format html|svg|png|json",
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

/// Rasterises an SVG document to PNG bytes at `scale` on a white
/// background, with the system fonts (DejaVu Sans on Debian). A failure here
/// is an internal error (the SVG is ours), not bad input.
pub fn svg_to_png(svg: &str, scale: f32) -> anyhow::Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    let tree = usvg::Tree::from_str(svg, &opt)
        .map_err(|e| anyhow::anyhow!("parsing the figure SVG: {e}"))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| anyhow::anyhow!("cannot allocate a {w}x{h} image"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| anyhow::anyhow!("encoding the PNG: {e}"))
}

/// Runs `report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let format = format_of(&args)?;
    let alert_config = match &args.alerts_config {
        Some(p) => read_alert_config(p)?,
        None => AlertConfig::default(),
    };
    let loaded = super::store_common::read_course_or_stored(&args.course, args.db.as_deref())
        .map_err(|e| {
            BadInput(format!(
                "the course file {} is invalid:\n{e}",
                args.course.display()
            ))
        })?;
    let course = &loaded.course;
    let analysis = Analysis::for_course(course, &alert_config);
    let content: Vec<u8> = match format {
        ReportFormat::Html => {
            let mut r = full_report(course, &analysis);
            r.subtitle = Some(format!(
                "Course file: {} · graftwatch {}",
                args.course.display(),
                env!("CARGO_PKG_VERSION")
            ));
            r.to_html().into_bytes()
        }
        ReportFormat::Svg => full_figure(course, &analysis).render(course).into_bytes(),
        ReportFormat::Png => svg_to_png(&full_figure(course, &analysis).render(course), 2.0)?,
        ReportFormat::Json => figure_data_json(course, &analysis).into_bytes(),
    };
    write_atomic(&args.out, &content)?;
    println!(
        "wrote {} ({:?}; {} alerts, {} DLI assessments)",
        args.out.display(),
        format,
        analysis.alerts.len(),
        analysis.dli_assessments.len()
    );
    Ok(())
}

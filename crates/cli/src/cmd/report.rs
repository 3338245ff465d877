//! `graftwatch report COURSE --out FILE [--format html|svg|png|json]`: the
//! full course report (figure, alerts, endpoint table, DLI decision trail,
//! timeline) as one self-contained HTML file, the figure alone as SVG or as
//! PNG (rasterised in pure Rust with resvg), or the data behind the figure
//! as JSON. Bad input exits 2 and writes
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
    let loaded = read_course(&args.course).map_err(|e| {
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
    graftwatch_output::write(&args.out, &content, graftwatch_output::Overwrite::Replace)
        .map_err(|e| BadInput(e.to_string()))?;
    println!(
        "wrote {} ({:?}; {} alerts, {} DLI assessments)",
        args.out.display(),
        format,
        analysis.alerts.len(),
        analysis.dli_assessments.len()
    );
    Ok(())
}

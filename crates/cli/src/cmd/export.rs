//! `graftwatch export PATIENT [--rev N] [--format json|csv] [--out FILE]
//! [--deidentified]`: a stored course as a course file (read back by every
//! command that takes a course file), optionally de-identified for research
//! (method: docs/store.md).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use graftwatch_store::AuditEvent;
use graftwatch_store::deident::deidentify;

use super::store_common::{StoreOpts, store_err};

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The JSON course document.
    Json,
    /// The long CSV course format.
    Csv,
}

/// Arguments of `export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Patient id.
    pub patient: String,
    /// Revision (default: the latest).
    #[arg(long)]
    pub rev: Option<i64>,
    /// Format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Output file (default: standard output); written atomically; an
    /// existing file is replaced only with --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Remove direct identifiers and shift dates by a per-patient offset.
    #[arg(long)]
    pub deidentified: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// Runs `export`.
pub fn run(a: ExportArgs) -> anyhow::Result<()> {
    let overwrite = graftwatch_output::Overwrite::from_force(a.force);
    if let Some(p) = &a.out {
        graftwatch_output::preflight(p, overwrite).map_err(crate::exit::input)?;
    }
    let (store, actor) = a.store.open()?;
    let (mut course, meta) = store
        .course_at(&actor, &a.patient, a.rev)
        .map_err(store_err)?;
    if a.deidentified {
        course = deidentify(&course, &store.deidentification_key()).map_err(store_err)?;
    }
    let text = match a.format {
        ExportFormat::Json => graftwatch_course::io::to_json_string(&course),
        ExportFormat::Csv => graftwatch_course::io_csv::to_csv_string(&course),
    };
    let what = if a.deidentified {
        "export_deidentified"
    } else {
        "export"
    };
    let dest = a
        .out
        .as_ref()
        .map_or("standard output".into(), |p| p.display().to_string());
    let ev = AuditEvent::ok(
        what,
        vec![a.patient.clone()],
        format!("course@{} to {dest}", meta.rev),
    );
    store.audit(&actor, &ev).map_err(store_err)?;
    match &a.out {
        Some(p) => {
            graftwatch_output::write(p, text.as_bytes(), overwrite).map_err(crate::exit::input)?;
        }
        None => {
            use std::io::Write as _;
            match std::io::stdout().lock().write_all(text.as_bytes()) {
                // A closed pipe (`| head`) is not an error.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(())
}

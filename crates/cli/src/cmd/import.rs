//! `graftwatch import FILE…|DIR`: course files (JSON or CSV) into the
//! store. Each file is all-or-nothing (one transaction) and idempotent by
//! content; a file that adds to a stored course becomes a small append
//! revision, a file that changes it an amendment naming the file. Bad files
//! are named and skipped, the good ones imported; exit 2 if any was bad.
//! Files are read on a second thread and written in batches
//! (`Store::import_files`).

use graftwatch_core::number::counted;
use std::path::{Path, PathBuf};

use clap::Args;
use graftwatch_store::{ImportFileError, ImportOutcome};

use super::store_common::StoreOpts;
use crate::BadInput;

/// Arguments of `import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Course files (.json, .csv) or directories (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Compute derived state (grades, alerts) later, on the next
    /// `patients` listing, instead of after each file (faster bulk loads).
    #[arg(long)]
    pub defer_derived: bool,
    /// Why the course is corrected: needed to import a file that would
    /// remove stored observations or events (for example another user's
    /// additions or a corrected value), or a file imported before whose
    /// patient has changed since; recorded with the amendment.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub store: StoreOpts,
}

fn is_course_file(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "csv")
    )
}

fn collect(p: &Path, out: &mut Vec<PathBuf>, bad: &mut Vec<String>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                bad.push(format!("{}: {e}", p.display()));
                return;
            }
        };
        entries.sort();
        for e in entries {
            if e.is_dir() || is_course_file(&e) {
                collect(&e, out, bad);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

#[derive(Default)]
struct Tally {
    created: usize,
    appended: usize,
    replaced: usize,
    unchanged: usize,
    warnings: usize,
}

/// The lines that say why a file was skipped, each naming the file once
/// (a course file's own errors already name it).
fn error_lines(f: &Path, e: &ImportFileError) -> Vec<String> {
    let text = e.to_string();
    let named = matches!(e, ImportFileError::Course(_));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let l = l.strip_prefix("error: ").unwrap_or(l);
            if named {
                format!("error: {l}")
            } else {
                format!("error: {}: {l}", f.display())
            }
        })
        .collect()
}

/// The error of an import whose paths hold no course file.
fn nothing_to_import(paths: &[PathBuf]) -> BadInput {
    let where_ = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    BadInput(format!(
        "no course file (.json or .csv) in {where_}: nothing imported"
    ))
}

/// Runs `import`.
pub fn run(a: ImportArgs) -> anyhow::Result<()> {
    let (mut store, actor) = a.store.open()?;
    store.set_derive_on_write(!a.defer_derived);
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for p in &a.paths {
        collect(p, &mut files, &mut unreadable);
    }
    for u in &unreadable {
        eprintln!("error: {u}");
    }
    if files.is_empty() && unreadable.is_empty() {
        anyhow::bail!(nothing_to_import(&a.paths));
    }
    let mut bad = unreadable.len();
    let mut t = Tally::default();
    let reason = a.reason.as_deref();
    store.import_files_with_reason(&actor, &files, reason, |f, r, warnings| {
        if !warnings.is_empty() {
            crate::exit::print_warnings(warnings);
            t.warnings += warnings.len();
        }
        match r {
            Ok(o) => {
                let (what, n) = match &o {
                    ImportOutcome::Created(p) => (format!("new patient {p}"), &mut t.created),
                    ImportOutcome::Appended(p, r) => {
                        (format!("{p}: addition, revision {r}"), &mut t.appended)
                    }
                    ImportOutcome::Replaced(p, r) => {
                        (format!("{p}: amended, revision {r}"), &mut t.replaced)
                    }
                    ImportOutcome::Unchanged(p, r) => (
                        format!("{p}: unchanged (same as revision {r}, the latest)"),
                        &mut t.unchanged,
                    ),
                };
                *n += 1;
                println!("{}: {what}", f.display());
            }
            Err(e) => {
                for l in error_lines(f, &e) {
                    eprintln!("{l}");
                }
                bad += 1;
            }
        }
    });
    let bad_files = bad - unreadable.len().min(bad);
    println!(
        "imported {} of {}: {}, {}, {}, {} unchanged; {}; {} not imported",
        files.len() - bad_files.min(files.len()),
        counted(files.len(), "file"),
        counted(t.created, "new patient"),
        counted(t.appended, "addition"),
        counted(t.replaced, "amendment"),
        t.unchanged,
        counted(t.warnings, "warning"),
        bad
    );
    if bad == 0 {
        Ok(())
    } else {
        Err(BadInput(format!(
            "{} not imported, each named above{}",
            counted(bad, "file"),
            if bad < files.len() + unreadable.len() {
                " (the others were imported)"
            } else {
                ""
            }
        ))
        .into())
    }
}

//! Bulk import: many course files per transaction with few statements, and
//! reading/checking the files on reader threads while the database writes.
//!
//! A batch of up to [`BATCH_FILES`] files is one transaction: the content
//! hashes already imported and the patients already stored are fetched with
//! one query each; new patients (the bulk of a first load) are written
//! through the backend's bulk path (PostgreSQL `COPY … FROM STDIN`, SQLite
//! multi-row `INSERT`s; see `crate::backend::Backend`); a file for a stored patient goes
//! through the same per-file logic as [`Store::import_course`] (append or
//! amendment); the audit entries (one per file, as before) are chained in
//! memory and written with one `INSERT` after the `audit_head` row is taken
//! last (the lock order of every writer: patient rows first, audit head
//! last). A file is never half-imported: the batch commits or rolls back as
//! a whole, and when anything in it fails the batch is rolled back and its
//! files are imported one transaction each, so each file's own outcome
//! (imported, unchanged, or refused and audited) is exactly that of
//! `import_course`.

use std::path::{Path, PathBuf};

use graftwatch_course::{Course, Diagnostic};

use crate::audit::{self, AuditEvent};
use crate::backend::{Val, on_pool};
use crate::change::canonical_json;
use crate::error::{Result, StoreError};
use crate::hashing::sha256_hex;
use crate::store::{Store, retry};
use crate::types::{Actor, ImportOutcome, RevisionKind};

/// Most reader threads of [`Store::import_files`].
pub const MAX_READERS: usize = 4;

/// Files per transaction in [`Store::import_files`].
pub const BATCH_FILES: usize = 64;

/// Most bound parameters in one statement (SQLite allows 32,766,
/// PostgreSQL 65,535).
pub(crate) const MAX_PARAMS: usize = 30_000;

/// One course to import, as read from a file.
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// The course.
    pub course: Course,
    /// SHA-256 of the file's bytes (idempotency key).
    pub content_hash: String,
    /// The file's name (recorded; named in an amendment's reason).
    pub file_name: String,
    /// The user's reason for an amendment (`import --reason`): without
    /// one, an import that would remove stored observations or events is
    /// refused (see [`Store::import_course`]).
    pub reason: Option<String>,
    /// The file's warnings (implausible values kept), as `course validate`
    /// lists them.
    pub warnings: Vec<Diagnostic>,
}

impl ImportItem {
    /// The user's reason, or for an amendment that removes nothing, the
    /// file named.
    pub(crate) fn reason_text(&self) -> String {
        self.given().map_or_else(
            || format!("corrected course imported from {}", self.file_name),
            str::to_string,
        )
    }

    /// The user's reason, when not blank.
    pub(crate) fn given(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// Why one file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    /// The file could not be read.
    #[error(
        "cannot read the file: {}",
        graftwatch_core::io_words::io_words(source)
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid course.
    #[error("{0}")]
    Course(#[from] graftwatch_course::CourseError),
    /// The store refused it (or failed).
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Reads and checks one course file (`.csv` as the CSV course format,
/// anything else as JSON) and hashes its bytes.
pub fn read_course_file(path: &Path) -> std::result::Result<ImportItem, ImportFileError> {
    let read_err = |source| ImportFileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text = graftwatch_course::io::utf8_text(bytes).map_err(read_err)?;
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let loaded = if csv {
        graftwatch_course::io_csv::read_csv_str(&text, path)?
    } else {
        graftwatch_course::io::read_json_str(&text, path)?
    };
    if let Some(p) = crate::types::patient_id_problem(&loaded.course.patient.id.0) {
        return Err(ImportFileError::Store(StoreError::Invalid(p)));
    }
    Ok(ImportItem {
        course: loaded.course,
        content_hash: sha256_hex(&[text.as_bytes()]),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        reason: None,
        warnings: loaded.warnings,
    })
}

/// New patients, their first revisions and import records waiting for one
/// multi-row insert each.
#[derive(Default)]
pub(crate) struct Pending {
    pub(crate) patients: Vec<Vec<Val>>,
    pub(crate) revisions: Vec<Vec<Val>>,
    pub(crate) imports: Vec<Vec<Val>>,
}

impl Pending {
    /// Queues a new patient at revision 1 (the rows `insert_patient`
    /// writes, with the same chain hash).
    pub(crate) fn create(&mut self, actor: &Actor, course: &Course, at: &str) {
        let id = course.patient.id.0.clone();
        let payload = canonical_json(course);
        let kind = RevisionKind::Create.as_str();
        let chain = sha256_hex(&[b"", kind.as_bytes(), payload.as_bytes()]);
        self.patients.push(vec![
            Val::Text(id.clone()),
            Val::Text(at.into()),
            Val::Text(actor.name.clone()),
            Val::Int(1),
            Val::Int(0),
            Val::Int(0),
        ]);
        self.revisions.push(vec![
            Val::Text(id),
            Val::Int(1),
            Val::Text(kind.into()),
            Val::Text(actor.name.clone()),
            Val::Text(at.into()),
            Val::Opt(None),
            Val::Text(payload),
            Val::Text(chain),
        ]);
    }

    pub(crate) fn import(&mut self, hash: &str, patient: &str, rev: i64, file: &str, at: &str) {
        self.imports.push(vec![
            Val::Text(hash.into()),
            Val::Text(patient.into()),
            Val::Int(rev),
            Val::Text(file.into()),
            Val::Text(at.into()),
        ]);
    }
}

/// The audit event of one imported file (as `import_course` writes it).
pub(crate) fn import_event(out: &ImportOutcome, item: &ImportItem, reason: &str) -> AuditEvent {
    let (id, rev) = match out {
        ImportOutcome::Created(p) => (p.clone(), 1),
        ImportOutcome::Appended(p, r)
        | ImportOutcome::Replaced(p, r)
        | ImportOutcome::Unchanged(p, r) => (p.clone(), *r),
    };
    let action = match out {
        ImportOutcome::Unchanged(..) => "import_unchanged",
        _ => "import",
    };
    AuditEvent {
        reason: matches!(out, ImportOutcome::Replaced(..)).then(|| reason.to_string()),
        ..AuditEvent::ok(
            action,
            vec![id],
            format!("course@{rev} from {}", item.file_name),
        )
    }
}

impl Store {
    /// Imports courses in one transaction (see the module documentation):
    /// the outcome of each, in order. Each file is all-or-nothing and
    /// idempotent by content exactly as with [`Store::import_course`], one
    /// audit entry per file. When anything in the batch fails, it is rolled
    /// back and the files are imported one transaction each, so a refused
    /// file is named (and audited) and the others are imported.
    pub fn import_batch(&self, actor: &Actor, items: &[ImportItem]) -> Vec<Result<ImportOutcome>> {
        if items.is_empty() {
            return Vec::new();
        }
        let (outs, (seq, hash)) = match self.batch_transaction(actor, items) {
            Ok(r) => r,
            Err(_) => {
                return items
                    .iter()
                    .map(|i| {
                        self.import_course_with_reason(
                            actor,
                            &i.course,
                            &i.content_hash,
                            &i.file_name,
                            i.reason.as_deref(),
                        )
                    })
                    .collect();
            }
        };
        let anchored = audit::write_anchor(&self.anchor, seq, &hash);
        outs.into_iter()
            .map(|o| {
                if let Err(e) = &anchored {
                    return Err(StoreError::Invalid(format!("the audit anchor: {e}")));
                }
                if self.derive_on_write && !matches!(o, ImportOutcome::Unchanged(..)) {
                    self.refresh_derived(outcome_patient(&o))?;
                }
                Ok(o)
            })
            .collect()
    }

    /// The batch as one transaction, or an error and nothing written (no
    /// fallback; [`Store::import_batch`] falls back to one transaction per
    /// file). Derived state is refreshed as after any write.
    pub fn import_batch_atomic(
        &self,
        actor: &Actor,
        items: &[ImportItem],
    ) -> Result<Vec<ImportOutcome>> {
        let (outs, (seq, hash)) = self.batch_transaction(actor, items)?;
        audit::write_anchor(&self.anchor, seq, &hash)?;
        for o in &outs {
            if self.derive_on_write && !matches!(o, ImportOutcome::Unchanged(..)) {
                self.refresh_derived(outcome_patient(o))?;
            }
        }
        Ok(outs)
    }

    fn batch_transaction(
        &self,
        actor: &Actor,
        items: &[ImportItem],
    ) -> Result<(Vec<ImportOutcome>, (i64, String))> {
        self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let mut tx = pool.begin().await?;
                let r = ops::bulk::batch_in_tx(&mut tx, &self.key, actor, items).await?;
                tx.commit().await?;
                Ok(r)
            })
        }))
    }

    /// Imports course files: reading and checking runs on reader threads
    /// (one per available core beyond the first, at least one, at most
    /// [`MAX_READERS`]; file `i` on reader `i mod k`, taken back in order)
    /// while the database writes batches of [`BATCH_FILES`] files
    /// ([`Store::import_batch`]). `report` is called once per file, in
    /// order, with its outcome; a file that cannot be read or is not a
    /// valid course is reported and never reaches the database.
    pub fn import_files(
        &self,
        actor: &Actor,
        files: &[PathBuf],
        mut report: impl FnMut(&Path, std::result::Result<ImportOutcome, ImportFileError>),
    ) {
        self.import_files_with_reason(actor, files, None, |f, r, _| report(f, r));
    }

    /// [`Store::import_files`] with the user's reason for amendments
    /// (`import --reason`, see [`Store::import_course_with_reason`]);
    /// `report` also gets each file's warnings (implausible values kept).
    pub fn import_files_with_reason(
        &self,
        actor: &Actor,
        files: &[PathBuf],
        reason: Option<&str>,
        mut report: impl FnMut(
            &Path,
            std::result::Result<ImportOutcome, ImportFileError>,
            &[Diagnostic],
        ),
    ) {
        let k = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .saturating_sub(1)
            .clamp(1, MAX_READERS);
        std::thread::scope(|s| {
            let recvs: Vec<_> = (0..k)
                .map(|r| {
                    let (send, recv) = std::sync::mpsc::sync_channel(BATCH_FILES);
                    s.spawn(move || {
                        for f in files.iter().skip(r).step_by(k) {
                            if send.send((f, read_course_file(f))).is_err() {
                                return;
                            }
                        }
                    });
                    recv
                })
                .collect();
            let mut paths: Vec<&PathBuf> = Vec::new();
            let mut items: Vec<ImportItem> = Vec::new();
            for i in 0..files.len() {
                let Ok((f, r)) = recvs[i % k].recv() else {
                    break;
                };
                match r {
                    Ok(mut item) => {
                        item.reason = reason.map(str::to_string);
                        paths.push(f);
                        items.push(item);
                    }
                    Err(e) => {
                        self.flush_batch(actor, &mut paths, &mut items, &mut report);
                        report(f, Err(e), &[]);
                    }
                }
                if items.len() >= BATCH_FILES {
                    self.flush_batch(actor, &mut paths, &mut items, &mut report);
                }
            }
            self.flush_batch(actor, &mut paths, &mut items, &mut report);
        });
    }

    fn flush_batch(
        &self,
        actor: &Actor,
        paths: &mut Vec<&PathBuf>,
        items: &mut Vec<ImportItem>,
        report: &mut impl FnMut(
            &Path,
            std::result::Result<ImportOutcome, ImportFileError>,
            &[Diagnostic],
        ),
    ) {
        let outs = self.import_batch(actor, items);
        for ((f, r), item) in paths.drain(..).zip(outs).zip(items.iter()) {
            report(f, r.map_err(ImportFileError::Store), &item.warnings);
        }
        items.clear();
    }
}

fn outcome_patient(o: &ImportOutcome) -> &str {
    match o {
        ImportOutcome::Created(p)
        | ImportOutcome::Appended(p, _)
        | ImportOutcome::Replaced(p, _)
        | ImportOutcome::Unchanged(p, _) => p,
    }
}

//! Courses as revisions: create, append, amend, delete (tombstone), purge,
//! read at any revision, history, and import of whole course files.

use graftwatch_course::Course;
use sqlx::Row as _;

use crate::audit::{self, AuditEvent};
use crate::backend::on_pool;
use crate::change::{canonical_json, extend};
use crate::error::{Result, StoreError};
use crate::history::HistoryLine;
use crate::phases;
use crate::state::Ahead;
use crate::store::{Store, retry};
use crate::time::now_utc;
use crate::types::{Actor, Change, Delta, ImportOutcome, RevisionKind, RevisionMeta};

/// A revision about to be written.
pub(crate) struct NewRev<'a> {
    pub(crate) patient: &'a str,
    pub(crate) base: i64,
    pub(crate) kind: RevisionKind,
    pub(crate) payload: Option<String>,
    pub(crate) reason: Option<&'a str>,
}

pub(crate) fn corrupt(patient: &str, rev: i64, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        patient: patient.into(),
        rev,
        detail: detail.into(),
    }
}

/// One stored revision: its metadata and payload (`None` for a tombstone,
/// a purge, or when not read).
pub(crate) struct StoredRev {
    pub(crate) meta: RevisionMeta,
    pub(crate) payload: Option<String>,
}

/// Checks a revision's payload against its chain hash (`prev_hash`: the
/// chain hash of the revision before it).
pub(crate) fn check_chain(
    patient: &str,
    prev_hash: &str,
    meta: &RevisionMeta,
    text: &str,
) -> Result<()> {
    let want = crate::hashing::chain_hash(prev_hash, meta.kind, text);
    if want != meta.chain_hash {
        return Err(corrupt(
            patient,
            meta.rev,
            "the payload does not match its chain hash",
        ));
    }
    Ok(())
}

/// A course checkpoint: the course at one revision with that revision's
/// chain hash (derived data, see `migrations/0005_course_checkpoints.sql`).
pub(crate) struct Checkpoint {
    pub(crate) chain_hash: String,
    pub(crate) course: Course,
}

/// The course at the last of `rows` from a checkpoint: `rows` are the
/// revisions after the checkpoint, in order, each checked against its
/// chain hash from the checkpoint's on. Returns the course, the last chain
/// hash and the number of appends applied, or `Ok(None)` when a row is not
/// an append (the caller replays from the full revision instead).
pub(crate) fn replay_tail(
    patient: &str,
    cp: Checkpoint,
    rows: Vec<StoredRev>,
) -> Result<Option<(Course, String, usize)>> {
    let Checkpoint {
        mut chain_hash,
        mut course,
    } = cp;
    let n = rows.len();
    for StoredRev { meta, payload } in rows {
        match meta.kind {
            RevisionKind::Append => {}
            RevisionKind::Tombstone => return Err(StoreError::Deleted(patient.into(), meta.rev)),
            RevisionKind::Purge => return Err(StoreError::Purged(patient.into())),
            RevisionKind::Create | RevisionKind::Replace => return Ok(None),
        }
        let text = payload.unwrap_or_default();
        check_chain(patient, &chain_hash, &meta, &text)?;
        let delta: Delta = serde_json::from_str(&text)
            .map_err(|e| corrupt(patient, meta.rev, format!("payload: {e}")))?;
        extend(&mut course, &delta);
        chain_hash = meta.chain_hash;
    }
    if n > 0 {
        course.sort();
    }
    Ok(Some((course, chain_hash, n)))
}

/// Replays revisions `base - 1 ..= rev` (the row before `base` only gives
/// the chain hash), checking each payload against its chain hash.
pub(crate) fn replay(
    patient: &str,
    base: i64,
    rev: i64,
    rows: Vec<StoredRev>,
) -> Result<(Course, RevisionMeta)> {
    let mut prev_hash = String::new();
    let mut course: Option<Course> = None;
    let mut last = None;
    let mut appended = false;
    for StoredRev { meta, payload } in rows {
        if meta.rev < base {
            prev_hash = meta.chain_hash;
            continue;
        }
        let text = payload.unwrap_or_default();
        check_chain(patient, &prev_hash, &meta, &text)?;
        let bad = |e: serde_json::Error| corrupt(patient, meta.rev, format!("payload: {e}"));
        match meta.kind {
            RevisionKind::Create | RevisionKind::Replace => {
                course = Some(serde_json::from_str(&text).map_err(bad)?);
                appended = false;
            }
            RevisionKind::Append => {
                let delta: Delta = serde_json::from_str(&text).map_err(bad)?;
                let c = course
                    .as_mut()
                    .ok_or_else(|| corrupt(patient, meta.rev, "append before any full revision"))?;
                extend(c, &delta);
                appended = true;
            }
            RevisionKind::Tombstone => return Err(StoreError::Deleted(patient.into(), meta.rev)),
            RevisionKind::Purge => return Err(StoreError::Purged(patient.into())),
        }
        prev_hash = meta.chain_hash.clone();
        last = Some(meta);
    }
    match (course, last) {
        (Some(mut c), Some(m)) if m.rev == rev => {
            // One stable sort after all the appends (see `extend`).
            if appended {
                c.sort();
            }
            Ok((c, m))
        }
        _ => Err(corrupt(patient, rev, "revisions are missing")),
    }
}

fn resource(rev: i64) -> String {
    format!("course@{rev}")
}

impl Store {
    fn check_reason(kind: RevisionKind, reason: Option<&str>) -> Result<()> {
        let needed = match kind {
            RevisionKind::Replace => "an amendment",
            RevisionKind::Tombstone => "a deletion",
            RevisionKind::Purge => "a purge",
            _ => return Ok(()),
        };
        match reason {
            Some(r) if !r.trim().is_empty() => Ok(()),
            _ => Err(StoreError::ReasonRequired(needed)),
        }
    }

    /// Stores a new patient's course as revision 1 (audited), with its
    /// derived state in the same transaction.
    pub fn create_patient(
        &self,
        actor: &Actor,
        course: &Course,
        reason: Option<&str>,
    ) -> Result<RevisionMeta> {
        let id = course.patient.id.0.clone();
        let payload = canonical_json(course);
        let ahead = self.derive_ahead(&id, 0, RevisionKind::Create, Some(&payload));
        let res = self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let mut tx = pool.begin().await?;
                let meta = ops::courses::insert_patient(&mut tx, actor, &payload, &id, reason).await?;
                let stored = ops::state::store_ahead(&mut tx, &meta, ahead.as_ref()).await?;
                let ev = AuditEvent {
                    reason: reason.map(str::to_string),
                    ..AuditEvent::ok("create", vec![id.clone()], resource(1))
                };
                let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
                tx.commit().await?;
                Ok((meta, a, stored))
            })
        }));
        let res = match res {
            Err(StoreError::PatientExists(p, _)) => {
                let head = self.head(&p).unwrap_or(0);
                Err(StoreError::PatientExists(p, head))
            }
            other => other,
        };
        self.finish_write(actor, "create", &id, res, ahead)
    }

    /// Applies a change on top of revision `base` (audited). Amendments and
    /// deletions need a reason. A write whose base is no longer the latest
    /// fails with [`StoreError::Conflict`] and writes nothing.
    pub fn write(
        &self,
        actor: &Actor,
        patient: &str,
        base: i64,
        change: &Change,
        reason: Option<&str>,
    ) -> Result<RevisionMeta> {
        let (kind, payload) = match change {
            Change::Append(d) => (
                RevisionKind::Append,
                Some(serde_json::to_string(d).unwrap_or_default()),
            ),
            Change::Replace(c) => (RevisionKind::Replace, Some(canonical_json(c))),
            Change::Tombstone => (RevisionKind::Tombstone, None),
        };
        if let Change::Replace(c) = change
            && c.patient.id.0 != patient
        {
            return Err(StoreError::Invalid(format!(
                "the corrected course is for patient '{}', not '{patient}'",
                c.patient.id.0
            )));
        }
        Self::check_reason(kind, reason)?;
        let n = NewRev {
            patient,
            base,
            kind,
            payload,
            reason,
        };
        let ahead = self.derive_ahead(patient, base, kind, n.payload.as_deref());
        let res = self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let t = phases::start();
                let mut tx = pool.begin().await?;
                let t = phases::mark("sql: begin", t);
                let meta = ops::courses::insert_revision(&mut tx, actor, &n).await?;
                let t = phases::mark("sql: revision (compare-and-set and insert)", t);
                let stored = ops::state::store_ahead(&mut tx, &meta, ahead.as_ref()).await?;
                let t = phases::mark("sql: derived row", t);
                let ev = AuditEvent {
                    reason: reason.map(str::to_string),
                    ..AuditEvent::ok(kind.as_str(), vec![patient.into()], resource(meta.rev))
                };
                let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
                let t = phases::mark("sql: audit entry", t);
                tx.commit().await?;
                phases::mark("sql: commit", t);
                Ok((meta, a, stored))
            })
        }));
        self.finish_write(actor, kind.as_str(), patient, res, ahead)
    }

    /// Adds events and observations on top of `base` (a small revision).
    pub fn append(
        &self,
        actor: &Actor,
        patient: &str,
        base: i64,
        delta: &Delta,
    ) -> Result<RevisionMeta> {
        self.write(actor, patient, base, &Change::Append(delta.clone()), None)
    }

    /// After a write: anchor the audit entry and keep the derived state
    /// current (`crate::state`), or record the failed attempt in the audit
    /// trail.
    fn finish_write(
        &self,
        actor: &Actor,
        action: &str,
        patient: &str,
        res: Result<(RevisionMeta, (i64, String), bool)>,
        ahead: Option<Ahead>,
    ) -> Result<RevisionMeta> {
        match res {
            Ok((meta, (seq, hash), stored)) => {
                let t = phases::start();
                audit::write_anchor(&self.anchor, seq, &hash)?;
                let t = phases::mark("anchor file", t);
                self.after_write(patient, &meta, ahead, stored)?;
                phases::mark("after the commit (head kept in memory)", t);
                Ok(meta)
            }
            Err(e) => {
                let ev = AuditEvent {
                    outcome: format!("refused: {e}"),
                    ..AuditEvent::ok(action, vec![patient.into()], "course")
                };
                self.audit(actor, &ev)?;
                Err(e)
            }
        }
    }

    /// The stored payload size of one revision in bytes (an append stores
    /// only the addition; not audited: no clinical data).
    pub fn payload_len(&self, patient: &str, rev: i64) -> Result<usize> {
        self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let r = sqlx::query("SELECT payload FROM revisions WHERE patient_id = $1 AND rev = $2")
                .bind(patient)
                .bind(rev)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| StoreError::NoRevision {
                    patient: patient.into(),
                    rev,
                    head: 0,
                })?;
            Ok(r.try_get::<Option<String>, _>(0)?.map_or(0, |s| s.len()))
        })
})
    }

    /// The latest revision number of a patient (not audited: no clinical data).
    pub fn head(&self, patient: &str) -> Result<i64> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let mut conn = pool.acquire().await?;
                ops::courses::head_of(&mut conn, patient)
                    .await?
                    .map(|h| h.0)
                    .ok_or_else(|| StoreError::NoPatient(patient.into()))
            })
        })
    }

    /// Reads the course at `rev` (latest when `None`), audited.
    pub fn course_at(
        &self,
        actor: &Actor,
        patient: &str,
        rev: Option<i64>,
    ) -> Result<(Course, RevisionMeta)> {
        let res = self.course_unaudited(patient, rev);
        if let (None, Ok((c, m)), true) = (rev, &res, self.heads.enabled()) {
            // The latest course, kept for a write that may follow (a copy).
            let head = crate::head::Head {
                rev: m.rev,
                chain_hash: m.chain_hash.clone(),
                course: c.clone(),
                carry: None,
            };
            self.heads.put(patient, head);
        }
        let ev = match &res {
            Ok((_, m)) => AuditEvent::ok("read_course", vec![patient.into()], resource(m.rev)),
            Err(e) => AuditEvent {
                outcome: format!("refused: {e}"),
                ..AuditEvent::ok("read_course", vec![patient.into()], "course")
            },
        };
        self.audit(actor, &ev)?;
        res
    }

    pub(crate) fn course_unaudited(
        &self,
        patient: &str,
        rev: Option<i64>,
    ) -> Result<(Course, RevisionMeta)> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let mut conn = pool.acquire().await?;
                ops::courses::load_course(&mut conn, patient, rev).await
            })
        })
    }

    /// Every revision's metadata, oldest first (audited).
    pub fn history(&self, actor: &Actor, patient: &str) -> Result<Vec<RevisionMeta>> {
        let res = self
            .revision_rows(patient, false)
            .map(|rows| rows.into_iter().map(|r| r.meta).collect());
        self.audit_history(actor, patient, &res)?;
        res
    }

    /// [`Store::history`] with what each revision changed, in words
    /// (audited as one history read).
    pub fn history_changes(&self, actor: &Actor, patient: &str) -> Result<Vec<HistoryLine>> {
        let res = self
            .revision_rows(patient, true)
            .and_then(|rows| crate::history::changes(patient, rows));
        self.audit_history(actor, patient, &res)?;
        res
    }

    fn audit_history<T>(&self, actor: &Actor, patient: &str, res: &Result<T>) -> Result<()> {
        let outcome = match res {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        let ev = AuditEvent {
            outcome,
            ..AuditEvent::ok("read_history", vec![patient.into()], "history")
        };
        self.audit(actor, &ev)
    }

    /// Every revision of a patient, oldest first, with or without payloads.
    pub(crate) fn revision_rows(
        &self,
        patient: &str,
        with_payload: bool,
    ) -> Result<Vec<StoredRev>> {
        let payload = if with_payload {
            "payload"
        } else {
            "payload IS NULL"
        };
        let sql = format!(
            "SELECT rev, kind, author, created_at, reason, {payload}, chain_hash FROM revisions \
             WHERE patient_id = $1 ORDER BY rev"
        );
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let rows = sqlx::query(&sql).bind(patient).fetch_all(pool).await?;
                if rows.is_empty() {
                    return Err(StoreError::NoPatient(patient.into()));
                }
                rows.iter()
                    .map(|r| ops::courses::stored_rev(patient, r, with_payload))
                    .collect::<Result<Vec<_>>>()
            })
        })
    }

    /// Stores a course read from a file, in one transaction: a new patient,
    /// an addition (append revision), an amendment (replace revision) or
    /// nothing when the course equals the latest revision (or this exact
    /// content, SHA-256 `content_hash`, was imported as the latest
    /// revision). Without a reason (see [`Store::import_course_with_reason`])
    /// an amendment that would remove stored observations or events
    /// ([`StoreError::ImportWouldRemove`]) and a file imported before whose
    /// patient has changed since ([`StoreError::ImportStale`]) are refused;
    /// an amendment that removes nothing names the file as its reason.
    pub fn import_course(
        &self,
        actor: &Actor,
        course: &Course,
        content_hash: &str,
        file_name: &str,
    ) -> Result<ImportOutcome> {
        self.import_course_with_reason(actor, course, content_hash, file_name, None)
    }

    /// [`Store::import_course`] with the user's reason: an amendment (also
    /// one that removes observations or events, or that makes an earlier
    /// file the current course again) is stored with that reason.
    pub fn import_course_with_reason(
        &self,
        actor: &Actor,
        course: &Course,
        content_hash: &str,
        file_name: &str,
        given: Option<&str>,
    ) -> Result<ImportOutcome> {
        let id = course.patient.id.0.clone();
        let given = given.map(str::trim).filter(|r| !r.is_empty());
        let reason = given.map_or_else(
            || format!("corrected course imported from {file_name}"),
            str::to_string,
        );
        let res = self.block(retry(|| async {
 on_pool!(&self.pool, pool, ops => {
            let mut tx = pool.begin().await?;
            let (out, meta) = ops::courses::import_in_tx(&mut tx, actor, course, content_hash, &reason, given.map(|_| reason.as_str())).await?;
            let rev = meta.as_ref().map_or_else(|| rev_of(&out), |m| m.rev);
            sqlx::query(
                "INSERT INTO imports (content_hash, patient_id, rev, file_name, imported_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (content_hash) DO NOTHING",
            )
            .bind(content_hash)
            .bind(&id)
            .bind(rev)
            .bind(file_name)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
            let action = match &out {
                ImportOutcome::Unchanged(..) => "import_unchanged",
                _ => "import",
            };
            let ev = AuditEvent {
                reason: matches!(out, ImportOutcome::Replaced(..)).then(|| reason.clone()),
                ..AuditEvent::ok(action, vec![id.clone()], format!("course@{rev} from {file_name}"))
            };
            let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
            tx.commit().await?;
            Ok((out, a))
        })
}));
        match res {
            Ok((out, (seq, hash))) => {
                audit::write_anchor(&self.anchor, seq, &hash)?;
                if self.derive_on_write && !matches!(out, ImportOutcome::Unchanged(..)) {
                    self.refresh_derived(&id)?;
                }
                Ok(out)
            }
            Err(e) => {
                let ev = AuditEvent {
                    outcome: format!("refused: {e}"),
                    ..AuditEvent::ok("import", vec![id], file_name.to_string())
                };
                self.audit(actor, &ev)?;
                Err(e)
            }
        }
    }

    /// Erasure: removes the clinical payload of every revision, the derived
    /// state, chimerism results and reference profiles of the patient, and
    /// records a purge revision (admin only, reason required, audited). The
    /// revision metadata and the audit trail stay.
    pub fn purge(&self, actor: &Actor, patient: &str, reason: &str) -> Result<RevisionMeta> {
        Self::check_reason(RevisionKind::Purge, Some(reason))?;
        if actor.role != crate::types::Role::Admin {
            let e = StoreError::Forbidden {
                action: "purge",
                needed: "admin",
                actor: actor.name.clone(),
                has: actor.role.label().to_string(),
            };
            let ev = AuditEvent {
                outcome: format!("denied: {e}"),
                reason: Some(reason.into()),
                ..AuditEvent::ok("purge", vec![patient.into()], "patient")
            };
            self.audit(actor, &ev)?;
            return Err(e);
        }
        let res = self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let mut tx = pool.begin().await?;
                let meta = ops::courses::purge_in_tx(&mut tx, actor, patient, reason).await?;
                let ev = AuditEvent {
                    reason: Some(reason.into()),
                    ..AuditEvent::ok(
                        "purge",
                        vec![patient.into()],
                        "patient (all revisions, runs, profiles)",
                    )
                };
                let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
                tx.commit().await?;
                Ok((meta, a))
            })
        }));
        // A purged patient has no derived state.
        self.finish_write_no_derive(actor, patient, res)
    }

    fn finish_write_no_derive(
        &self,
        actor: &Actor,
        patient: &str,
        res: Result<(RevisionMeta, (i64, String))>,
    ) -> Result<RevisionMeta> {
        match res {
            Ok((meta, (seq, hash))) => {
                audit::write_anchor(&self.anchor, seq, &hash)?;
                Ok(meta)
            }
            Err(e) => {
                let ev = AuditEvent {
                    outcome: format!("refused: {e}"),
                    ..AuditEvent::ok("purge", vec![patient.into()], "patient")
                };
                self.audit(actor, &ev)?;
                Err(e)
            }
        }
    }
}

pub(crate) fn rev_of(o: &ImportOutcome) -> i64 {
    match o {
        ImportOutcome::Created(_) => 1,
        ImportOutcome::Appended(_, r)
        | ImportOutcome::Replaced(_, r)
        | ImportOutcome::Unchanged(_, r) => *r,
    }
}

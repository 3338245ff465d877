//! Courses as revisions: create, append, amend, delete (tombstone), purge,
//! read at any revision, history, and import of whole course files.

use graftwatch_course::Course;
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::audit::{self, AuditEvent};
use crate::change::{addition, apply, canonical_json};
use crate::error::{Result, StoreError};
use crate::hashing::sha256_hex;
use crate::store::{Store, is_unique_violation, retry};
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

fn corrupt(patient: &str, rev: i64, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        patient: patient.into(),
        rev,
        detail: detail.into(),
    }
}

/// Why a compare-and-set on the head revision failed.
async fn cas_failure(conn: &mut AnyConnection, patient: &str, base: i64) -> Result<StoreError> {
    let row = sqlx::query("SELECT head_rev, purged FROM patients WHERE patient_id = $1")
        .bind(patient)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        None => StoreError::NoPatient(patient.into()),
        Some(r) if r.try_get::<i64, _>(1)? != 0 => StoreError::Purged(patient.into()),
        Some(r) => StoreError::Conflict {
            patient: patient.into(),
            base,
            head: r.try_get(0)?,
        },
    })
}

/// Writes revision `base + 1` if `base` is still the latest (the
/// compare-and-set on `patients.head_rev` comes first, so concurrent
/// writers queue on the patient's row and the loser gets a conflict).
pub(crate) async fn insert_revision(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    n: &NewRev<'_>,
) -> Result<RevisionMeta> {
    let rev = n.base + 1;
    let tomb = i64::from(n.kind == RevisionKind::Tombstone);
    let r = sqlx::query(
        "UPDATE patients SET head_rev = $1, deleted = $2 WHERE patient_id = $3 AND head_rev = $4 AND purged = 0",
    )
    .bind(rev)
    .bind(tomb)
    .bind(n.patient)
    .bind(n.base)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(cas_failure(tx, n.patient, n.base).await?);
    }
    let prev =
        sqlx::query("SELECT chain_hash, kind FROM revisions WHERE patient_id = $1 AND rev = $2")
            .bind(n.patient)
            .bind(n.base)
            .fetch_one(&mut **tx)
            .await?;
    let prev_kind: String = prev.try_get(1)?;
    if prev_kind == "tombstone" && n.kind != RevisionKind::Replace {
        return Err(StoreError::Deleted(n.patient.into(), n.base));
    }
    let prev_hash: String = prev.try_get(0)?;
    write_row(tx, actor, n, rev, &prev_hash).await
}

async fn write_row(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    n: &NewRev<'_>,
    rev: i64,
    prev_hash: &str,
) -> Result<RevisionMeta> {
    let payload = n.payload.as_deref().unwrap_or("");
    let meta = RevisionMeta {
        patient: n.patient.into(),
        rev,
        kind: n.kind,
        author: actor.name.clone(),
        at: now_utc(),
        reason: n.reason.map(str::to_string),
        chain_hash: sha256_hex(&[
            prev_hash.as_bytes(),
            n.kind.as_str().as_bytes(),
            payload.as_bytes(),
        ]),
    };
    sqlx::query(
        "INSERT INTO revisions (patient_id, rev, kind, author, created_at, reason, payload, chain_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&meta.patient)
    .bind(rev)
    .bind(n.kind.as_str())
    .bind(&meta.author)
    .bind(&meta.at)
    .bind(meta.reason.clone())
    .bind(n.payload.clone())
    .bind(&meta.chain_hash)
    .execute(&mut **tx)
    .await?;
    Ok(meta)
}

/// Creates the patient row and revision 1.
async fn insert_patient(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    course: &Course,
    reason: Option<&str>,
) -> Result<RevisionMeta> {
    let id = course.patient.id.0.as_str();
    let r = sqlx::query(
        "INSERT INTO patients (patient_id, created_at, created_by, head_rev, deleted, purged) VALUES ($1, $2, $3, 1, 0, 0)",
    )
    .bind(id)
    .bind(now_utc())
    .bind(&actor.name)
    .execute(&mut **tx)
    .await;
    match r {
        Err(e) if is_unique_violation(&e) => return Err(StoreError::PatientExists(id.into(), 0)),
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    let n = NewRev {
        patient: id,
        base: 0,
        kind: RevisionKind::Create,
        payload: Some(canonical_json(course)),
        reason,
    };
    write_row(tx, actor, &n, 1, "").await
}

fn meta_of(patient: &str, r: &sqlx::any::AnyRow) -> Result<RevisionMeta> {
    let kind: String = r.try_get(1)?;
    let rev: i64 = r.try_get(0)?;
    Ok(RevisionMeta {
        patient: patient.into(),
        rev,
        kind: RevisionKind::parse(&kind)
            .ok_or_else(|| corrupt(patient, rev, format!("unknown revision kind '{kind}'")))?,
        author: r.try_get(2)?,
        at: r.try_get(3)?,
        reason: r.try_get(4)?,
        chain_hash: r.try_get(6)?,
    })
}

/// The latest revision and whether the patient was purged.
async fn head_of(conn: &mut AnyConnection, patient: &str) -> Result<Option<(i64, bool)>> {
    let row = sqlx::query("SELECT head_rev, purged FROM patients WHERE patient_id = $1")
        .bind(patient)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get::<i64, _>(1)? != 0)))
        .transpose()
}

/// Reconstructs the course at `rev` (`None` = latest): the latest full
/// revision (create/replace) at or before it, then the appends after it,
/// each checked against its chain hash.
pub(crate) async fn load_course(
    conn: &mut AnyConnection,
    patient: &str,
    rev: Option<i64>,
) -> Result<(Course, RevisionMeta)> {
    let (head, purged) = head_of(conn, patient)
        .await?
        .ok_or_else(|| StoreError::NoPatient(patient.into()))?;
    if purged {
        return Err(StoreError::Purged(patient.into()));
    }
    let rev = rev.unwrap_or(head);
    if rev < 1 || rev > head {
        return Err(StoreError::NoRevision {
            patient: patient.into(),
            rev,
            head,
        });
    }
    let base: i64 = sqlx::query(
        "SELECT MAX(rev) FROM revisions WHERE patient_id = $1 AND rev <= $2 AND kind IN ('create', 'replace')",
    )
    .bind(patient)
    .bind(rev)
    .fetch_one(&mut *conn)
    .await?
    .try_get::<Option<i64>, _>(0)?
    .ok_or_else(|| corrupt(patient, rev, "no full revision at or before it"))?;
    let rows = sqlx::query(
        "SELECT rev, kind, author, created_at, reason, payload, chain_hash FROM revisions \
         WHERE patient_id = $1 AND rev >= $2 AND rev <= $3 ORDER BY rev",
    )
    .bind(patient)
    .bind(base - 1)
    .bind(rev)
    .fetch_all(&mut *conn)
    .await?;
    replay(patient, base, rev, &rows)
}

fn replay(
    patient: &str,
    base: i64,
    rev: i64,
    rows: &[sqlx::any::AnyRow],
) -> Result<(Course, RevisionMeta)> {
    let mut prev_hash = String::new();
    let mut course: Option<Course> = None;
    let mut last = None;
    for r in rows {
        let meta = meta_of(patient, r)?;
        if meta.rev < base {
            prev_hash = meta.chain_hash;
            continue;
        }
        let payload: Option<String> = r.try_get(5)?;
        let text = payload.unwrap_or_default();
        let want = sha256_hex(&[
            prev_hash.as_bytes(),
            meta.kind.as_str().as_bytes(),
            text.as_bytes(),
        ]);
        if want != meta.chain_hash {
            return Err(corrupt(
                patient,
                meta.rev,
                "the payload does not match its chain hash",
            ));
        }
        let bad = |e: serde_json::Error| corrupt(patient, meta.rev, format!("payload: {e}"));
        match meta.kind {
            RevisionKind::Create | RevisionKind::Replace => {
                course = Some(serde_json::from_str(&text).map_err(bad)?);
            }
            RevisionKind::Append => {
                let delta: Delta = serde_json::from_str(&text).map_err(bad)?;
                let c = course
                    .as_mut()
                    .ok_or_else(|| corrupt(patient, meta.rev, "append before any full revision"))?;
                apply(c, &delta);
            }
            RevisionKind::Tombstone => return Err(StoreError::Deleted(patient.into(), meta.rev)),
            RevisionKind::Purge => return Err(StoreError::Purged(patient.into())),
        }
        prev_hash = meta.chain_hash.clone();
        last = Some(meta);
    }
    match (course, last) {
        (Some(c), Some(m)) if m.rev == rev => Ok((c, m)),
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

    /// Stores a new patient's course as revision 1 (audited).
    pub fn create_patient(
        &self,
        actor: &Actor,
        course: &Course,
        reason: Option<&str>,
    ) -> Result<RevisionMeta> {
        let id = course.patient.id.0.clone();
        let res = self.block(retry(|| async {
            let mut tx = self.pool.begin().await?;
            let meta = insert_patient(&mut tx, actor, course, reason).await?;
            let ev = AuditEvent {
                reason: reason.map(str::to_string),
                ..AuditEvent::ok("create", vec![id.clone()], resource(1))
            };
            let a = audit::append(&mut tx, &self.key, actor, &ev).await?;
            tx.commit().await?;
            Ok((meta, a))
        }));
        let res = match res {
            Err(StoreError::PatientExists(p, _)) => {
                let head = self.head(&p).unwrap_or(0);
                Err(StoreError::PatientExists(p, head))
            }
            other => other,
        };
        self.finish_write(actor, "create", &id, res)
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
        let res = self.block(retry(|| async {
            let mut tx = self.pool.begin().await?;
            let meta = insert_revision(&mut tx, actor, &n).await?;
            let ev = AuditEvent {
                reason: reason.map(str::to_string),
                ..AuditEvent::ok(kind.as_str(), vec![patient.into()], resource(meta.rev))
            };
            let a = audit::append(&mut tx, &self.key, actor, &ev).await?;
            tx.commit().await?;
            Ok((meta, a))
        }));
        self.finish_write(actor, kind.as_str(), patient, res)
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

    /// After a write: anchor the audit entry and refresh derived state, or
    /// record the failed attempt in the audit trail.
    fn finish_write(
        &self,
        actor: &Actor,
        action: &str,
        patient: &str,
        res: Result<(RevisionMeta, (i64, String))>,
    ) -> Result<RevisionMeta> {
        match res {
            Ok((meta, (seq, hash))) => {
                audit::write_anchor(&self.anchor, seq, &hash)?;
                if self.derive_on_write {
                    self.refresh_derived(patient)?;
                }
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
            let r = sqlx::query("SELECT payload FROM revisions WHERE patient_id = $1 AND rev = $2")
                .bind(patient)
                .bind(rev)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::NoRevision {
                    patient: patient.into(),
                    rev,
                    head: 0,
                })?;
            Ok(r.try_get::<Option<String>, _>(0)?.map_or(0, |s| s.len()))
        })
    }

    /// The latest revision number of a patient (not audited: no clinical data).
    pub fn head(&self, patient: &str) -> Result<i64> {
        self.block(async {
            let mut conn = self.pool.acquire().await?;
            head_of(&mut conn, patient)
                .await?
                .map(|h| h.0)
                .ok_or_else(|| StoreError::NoPatient(patient.into()))
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
            let mut conn = self.pool.acquire().await?;
            load_course(&mut conn, patient, rev).await
        })
    }

    /// Every revision's metadata, oldest first (audited).
    pub fn history(&self, actor: &Actor, patient: &str) -> Result<Vec<RevisionMeta>> {
        let res = self.block(async {
            let rows = sqlx::query(
                "SELECT rev, kind, author, created_at, reason, payload IS NULL, chain_hash FROM revisions \
                 WHERE patient_id = $1 ORDER BY rev",
            )
            .bind(patient)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Err(StoreError::NoPatient(patient.into()));
            }
            rows.iter().map(|r| meta_of(patient, r)).collect::<Result<Vec<_>>>()
        });
        let outcome = match &res {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        let ev = AuditEvent {
            outcome,
            ..AuditEvent::ok("read_history", vec![patient.into()], "history")
        };
        self.audit(actor, &ev)?;
        res
    }

    /// Stores a course read from a file, in one transaction: a new patient,
    /// an addition (append revision), an amendment (replace revision, with
    /// the file named as reason) or nothing when this exact content (SHA-256
    /// `content_hash`) was imported before or equals the latest revision.
    pub fn import_course(
        &self,
        actor: &Actor,
        course: &Course,
        content_hash: &str,
        file_name: &str,
    ) -> Result<ImportOutcome> {
        let id = course.patient.id.0.clone();
        let reason = format!("corrected course imported from {file_name}");
        let res = self.block(retry(|| async {
            let mut tx = self.pool.begin().await?;
            let (out, meta) = import_in_tx(&mut tx, actor, course, content_hash, &reason).await?;
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
            let a = audit::append(&mut tx, &self.key, actor, &ev).await?;
            tx.commit().await?;
            Ok((out, a))
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
                has: actor.role.to_string(),
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
            let mut tx = self.pool.begin().await?;
            let meta = purge_in_tx(&mut tx, actor, patient, reason).await?;
            let ev = AuditEvent {
                reason: Some(reason.into()),
                ..AuditEvent::ok(
                    "purge",
                    vec![patient.into()],
                    "patient (all revisions, runs, profiles)",
                )
            };
            let a = audit::append(&mut tx, &self.key, actor, &ev).await?;
            tx.commit().await?;
            Ok((meta, a))
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

pub(crate) async fn import_in_tx(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    course: &Course,
    content_hash: &str,
    reason: &str,
) -> Result<(ImportOutcome, Option<RevisionMeta>)> {
    let id = course.patient.id.0.as_str();
    let seen = sqlx::query("SELECT patient_id, rev FROM imports WHERE content_hash = $1")
        .bind(content_hash)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(r) = seen {
        return Ok((ImportOutcome::Unchanged(r.try_get(0)?, r.try_get(1)?), None));
    }
    let Some((head, _)) = head_of(tx, id).await? else {
        let meta = insert_patient(tx, actor, course, None).await?;
        return Ok((ImportOutcome::Created(id.into()), Some(meta)));
    };
    let old = match load_course(tx, id, Some(head)).await {
        Ok((c, _)) => Some(c),
        Err(StoreError::Deleted(..)) => None,
        Err(e) => return Err(e),
    };
    let (kind, payload, reason) = match old.as_ref() {
        Some(o) if o == course => return Ok((ImportOutcome::Unchanged(id.into(), head), None)),
        Some(o) => match addition(o, course) {
            Some(d) => (
                RevisionKind::Append,
                serde_json::to_string(&d).unwrap_or_default(),
                None,
            ),
            None => (RevisionKind::Replace, canonical_json(course), Some(reason)),
        },
        None => (RevisionKind::Replace, canonical_json(course), Some(reason)),
    };
    let n = NewRev {
        patient: id,
        base: head,
        kind,
        payload: Some(payload),
        reason,
    };
    let meta = insert_revision(tx, actor, &n).await?;
    let out = match kind {
        RevisionKind::Append => ImportOutcome::Appended(id.into(), meta.rev),
        _ => ImportOutcome::Replaced(id.into(), meta.rev),
    };
    Ok((out, Some(meta)))
}

async fn purge_in_tx(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    patient: &str,
    reason: &str,
) -> Result<RevisionMeta> {
    let (head, purged) = head_of(tx, patient)
        .await?
        .ok_or_else(|| StoreError::NoPatient(patient.into()))?;
    if purged {
        return Err(StoreError::Purged(patient.into()));
    }
    for sql in [
        "UPDATE revisions SET payload = NULL WHERE patient_id = $1",
        "DELETE FROM patient_state WHERE patient_id = $1",
        "UPDATE chimerism_runs SET results = '{}', parameters = '{}' WHERE patient_id = $1",
        "UPDATE reference_profiles SET profile = '{}' WHERE patient_id = $1",
        "UPDATE imports SET file_name = '' WHERE patient_id = $1",
    ] {
        sqlx::query(sql).bind(patient).execute(&mut **tx).await?;
    }
    let prev: String =
        sqlx::query("SELECT chain_hash FROM revisions WHERE patient_id = $1 AND rev = $2")
            .bind(patient)
            .bind(head)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
    sqlx::query("UPDATE patients SET head_rev = $1, purged = 1, deleted = 1 WHERE patient_id = $2")
        .bind(head + 1)
        .bind(patient)
        .execute(&mut **tx)
        .await?;
    let n = NewRev {
        patient,
        base: head,
        kind: RevisionKind::Purge,
        payload: None,
        reason: Some(reason),
    };
    write_row(tx, actor, &n, head + 1, &prev).await
}

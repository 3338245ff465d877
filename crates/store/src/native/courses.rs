// Course revisions on one backend's native connection (compiled once per
// backend as `sqlite::native::courses` and `postgres::native::courses`;
// `Db` is the backend's sqlx database; see `native/ops.rs`).

use graftwatch_course::Course;
use sqlx::{Row, Transaction};

use super::{Conn, Db, DbRow};
use crate::change::{addition, canonical_json, removed};
use crate::courses::{Checkpoint, NewRev, StoredRev, corrupt, replay, replay_tail};
use crate::error::{Result, StoreError};
use crate::store::is_unique_violation;
use crate::time::now_utc;
use crate::types::{Actor, ImportOutcome, RevisionKind, RevisionMeta};

/// Why a compare-and-set on the head revision failed.
async fn cas_failure(conn: &mut Conn, patient: &str, base: i64) -> Result<StoreError> {
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
/// writers queue on the patient's row and the loser gets a conflict). The
/// previous revision's chain hash and kind come back from the same
/// statement (one round trip).
pub(crate) async fn insert_revision(
    tx: &mut Transaction<'_, Db>,
    actor: &Actor,
    n: &NewRev<'_>,
) -> Result<RevisionMeta> {
    let rev = n.base + 1;
    let tomb = i64::from(n.kind == RevisionKind::Tombstone);
    let prev = sqlx::query(
        "UPDATE patients SET head_rev = $1, deleted = $2 WHERE patient_id = $3 AND head_rev = $4 AND purged = 0 \
         RETURNING (SELECT chain_hash FROM revisions WHERE patient_id = $3 AND rev = $4), \
         (SELECT kind FROM revisions WHERE patient_id = $3 AND rev = $4)",
    )
    .bind(rev)
    .bind(tomb)
    .bind(n.patient)
    .bind(n.base)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(prev) = prev else {
        return Err(cas_failure(tx, n.patient, n.base).await?);
    };
    let prev_kind: Option<String> = prev.try_get(1)?;
    let prev_hash: Option<String> = prev.try_get(0)?;
    let (Some(prev_kind), Some(prev_hash)) = (prev_kind, prev_hash) else {
        return Err(corrupt(n.patient, n.base, "the latest revision is missing"));
    };
    if prev_kind == "tombstone" && n.kind != RevisionKind::Replace {
        return Err(StoreError::Deleted(n.patient.into(), n.base));
    }
    write_row(tx, actor, n, rev, &prev_hash).await
}

pub(crate) async fn write_row(
    tx: &mut Transaction<'_, Db>,
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
        chain_hash: crate::hashing::chain_hash(prev_hash, n.kind, payload),
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

/// Creates the patient row and revision 1 with the course's canonical
/// JSON `payload`.
pub(crate) async fn insert_patient(
    tx: &mut Transaction<'_, Db>,
    actor: &Actor,
    payload: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<RevisionMeta> {
    if let Some(p) = crate::types::patient_id_problem(id) {
        return Err(StoreError::Invalid(p));
    }
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
        payload: Some(payload.to_string()),
        reason,
    };
    write_row(tx, actor, &n, 1, "").await
}

/// One `revisions` row (`rev, kind, author, created_at, reason, payload,
/// chain_hash`; the payload column may be any expression) decoded.
pub(crate) fn stored_rev(patient: &str, r: &DbRow, with_payload: bool) -> Result<StoredRev> {
    let kind: String = r.try_get(1)?;
    let rev: i64 = r.try_get(0)?;
    Ok(StoredRev {
        meta: RevisionMeta {
            patient: patient.into(),
            rev,
            kind: RevisionKind::parse(&kind)
                .ok_or_else(|| corrupt(patient, rev, format!("unknown revision kind '{kind}'")))?,
            author: r.try_get(2)?,
            at: r.try_get(3)?,
            reason: r.try_get(4)?,
            chain_hash: r.try_get(6)?,
        },
        payload: if with_payload { r.try_get(5)? } else { None },
    })
}

/// The latest revision and whether the patient was purged.
pub(crate) async fn head_of(conn: &mut Conn, patient: &str) -> Result<Option<(i64, bool)>> {
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
    conn: &mut Conn,
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
    // The latest full revision at or before `rev`, the one before it (its
    // chain hash) and the appends after it, in one round trip.
    let t = crate::phases::start();
    let rows = sqlx::query(
        "SELECT rev, kind, author, created_at, reason, payload, chain_hash FROM revisions \
         WHERE patient_id = $1 AND rev <= $2 AND rev >= (SELECT MAX(rev) FROM revisions \
         WHERE patient_id = $1 AND rev <= $2 AND kind IN ('create', 'replace')) - 1 ORDER BY rev",
    )
    .bind(patient)
    .bind(rev)
    .fetch_all(&mut *conn)
    .await?;
    let revs = rows
        .iter()
        .map(|r| stored_rev(patient, r, true))
        .collect::<Result<Vec<_>>>()?;
    let base = revs
        .iter()
        .rfind(|r| matches!(r.meta.kind, RevisionKind::Create | RevisionKind::Replace))
        .map(|r| r.meta.rev)
        .ok_or_else(|| corrupt(patient, rev, "no full revision at or before it"))?;
    let t = crate::phases::mark("base: query the revisions", t);
    let out = replay(patient, base, rev, revs);
    crate::phases::mark("base: replay (hash check and parse and sort)", t);
    out
}

/// The course at revision `base` and its chain hash for computing derived
/// state, from the patient's checkpoint when it is at or before `base` and
/// only appends follow it, else replayed from the latest full revision
/// ([`load_course`]). Also returns how many appends were replayed on top
/// of the checkpoint or full revision (a new checkpoint is due when many
/// were). Every replayed payload is checked against its chain hash; the
/// checkpoint itself is derived data (see [`crate::courses::Checkpoint`]).
pub(crate) async fn load_for_derive(
    conn: &mut Conn,
    patient: &str,
    base: i64,
) -> Result<(Course, String, usize)> {
    // The checkpoint (as a row of kind 'checkpoint') and the revisions
    // after it, in one round trip; no rows when there is no usable
    // checkpoint.
    let t = crate::phases::start();
    let rows = sqlx::query(
        "WITH cp AS (SELECT c.rev, c.chain_hash, c.payload FROM course_checkpoints c JOIN revisions r \
         ON r.patient_id = c.patient_id AND r.rev = c.rev AND r.chain_hash = c.chain_hash \
         WHERE c.patient_id = $1 AND c.rev <= $2 AND NOT EXISTS (SELECT 1 FROM revisions f \
         WHERE f.patient_id = $1 AND f.rev > c.rev AND f.rev <= $2 AND f.kind IN ('create', 'replace'))) \
         SELECT rev, 'checkpoint' AS kind, '' AS author, '' AS created_at, NULL AS reason, payload, chain_hash FROM cp \
         UNION ALL SELECT v.rev, v.kind, v.author, v.created_at, v.reason, v.payload, v.chain_hash \
         FROM revisions v JOIN cp ON v.rev > cp.rev WHERE v.patient_id = $1 AND v.rev <= $2 ORDER BY 1",
    )
    .bind(patient)
    .bind(base)
    .fetch_all(&mut *conn)
    .await?;
    let t = crate::phases::mark("base: query the checkpoint and the revisions after it", t);
    // A checkpoint that does not decode is ignored (derived data): the
    // write replays from the full revision and, 32 appends on, stores a
    // new one in its place.
    let decoded = match rows.split_first() {
        Some((first, after)) => {
            let text: String = first.try_get(5)?;
            crate::checkpoint::decode(&text)
                .ok()
                .map(|course| (first, after, course))
        }
        None => None,
    };
    if let Some((first, after, course)) = decoded {
        let t = crate::phases::mark("base: parse the checkpoint", t);
        let revs = after
            .iter()
            .map(|r| stored_rev(patient, r, true))
            .collect::<Result<Vec<_>>>()?;
        let cp = Checkpoint {
            chain_hash: first.try_get(6)?,
            course,
        };
        let out = replay_tail(patient, cp, revs)?;
        crate::phases::mark("base: replay the revisions after it", t);
        if let Some(x) = out {
            return Ok(x);
        }
    }
    let (course, meta) = load_course(conn, patient, Some(base)).await?;
    let appends = count_appends(conn, patient, base).await?;
    Ok((course, meta.chain_hash, appends))
}

/// The number of append revisions after the latest full revision at or
/// before `rev`.
async fn count_appends(conn: &mut Conn, patient: &str, rev: i64) -> Result<usize> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM revisions WHERE patient_id = $1 AND rev <= $2 AND rev > \
         (SELECT MAX(rev) FROM revisions WHERE patient_id = $1 AND rev <= $2 AND kind IN ('create', 'replace'))",
    )
    .bind(patient)
    .bind(rev)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Replaces the patient's checkpoint with the course (`payload`, encoded
/// by [`crate::checkpoint::encode`]) at the revision `meta` (inside the write's transaction).
pub(crate) async fn put_checkpoint(
    tx: &mut Transaction<'_, Db>,
    meta: &RevisionMeta,
    payload: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO course_checkpoints (patient_id, rev, chain_hash, payload) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (patient_id) DO UPDATE SET rev = excluded.rev, chain_hash = excluded.chain_hash, \
         payload = excluded.payload WHERE course_checkpoints.rev <= excluded.rev",
    )
    .bind(&meta.patient)
    .bind(meta.rev)
    .bind(&meta.chain_hash)
    .bind(payload)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores a course read from a file inside `tx` (see
/// [`crate::Store::import_course`]). `given` is the user's reason: without
/// it, a file that would remove stored observations or events, or a file
/// imported before whose patient has changed since, is refused.
pub(crate) async fn import_in_tx(
    tx: &mut Transaction<'_, Db>,
    actor: &Actor,
    course: &Course,
    content_hash: &str,
    auto_reason: &str,
    given: Option<&str>,
) -> Result<(ImportOutcome, Option<RevisionMeta>)> {
    let id = course.patient.id.0.as_str();
    let seen = sqlx::query("SELECT patient_id, rev FROM imports WHERE content_hash = $1")
        .bind(content_hash)
        .fetch_optional(&mut **tx)
        .await?;
    let seen: Option<(String, i64)> = match seen {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    };
    let Some((head, purged)) = head_of(tx, id).await? else {
        let meta = insert_patient(tx, actor, &canonical_json(course), id, None).await?;
        return Ok((ImportOutcome::Created(id.into()), Some(meta)));
    };
    if purged {
        return Err(purged_error(tx, id).await);
    }
    if let Some((_, file_rev)) = &seen
        && *file_rev == head
    {
        // This exact content was imported as the latest revision.
        return Ok((ImportOutcome::Unchanged(id.into(), head), None));
    }
    let old = match load_course(tx, id, Some(head)).await {
        Ok(c) => Some(c),
        Err(StoreError::Deleted(..)) => None,
        Err(e) => return Err(e),
    };
    if let Some((o, _)) = &old
        && o == course
    {
        return Ok((ImportOutcome::Unchanged(id.into(), head), None));
    }
    if let (Some((_, file_rev)), None) = (&seen, given) {
        return Err(StoreError::ImportStale {
            patient: id.into(),
            file_rev: *file_rev,
            head,
        });
    }
    let (kind, payload) = import_change(old.as_ref(), course, head, given.is_some())?;
    let reason = (kind != RevisionKind::Append).then(|| given.unwrap_or(auto_reason));
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

/// The refusal of an import into a purged patient, with the purge's time.
async fn purged_error(tx: &mut Transaction<'_, Db>, id: &str) -> StoreError {
    let at =
        sqlx::query("SELECT created_at FROM revisions WHERE patient_id = $1 AND kind = 'purge'")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<String, _>(0).ok());
    StoreError::ImportPurged {
        patient: id.into(),
        at: at.unwrap_or_default(),
    }
}

/// The revision an import writes over the stored course `old` (at `head`):
/// an append when the file only adds; a replacement otherwise, refused
/// when it would remove stored observations or events and no reason was
/// given (`reason_given`: nothing is removed silently).
fn import_change(
    old: Option<&(Course, RevisionMeta)>,
    course: &Course,
    head: i64,
    reason_given: bool,
) -> Result<(RevisionKind, String)> {
    let Some((o, meta)) = old else {
        return Ok((RevisionKind::Replace, canonical_json(course)));
    };
    if let Some(d) = addition(o, course) {
        let payload = serde_json::to_string(&d).unwrap_or_default();
        return Ok((RevisionKind::Append, payload));
    }
    let (observations, events) = removed(o, course);
    if observations + events > 0 && !reason_given {
        return Err(StoreError::ImportWouldRemove {
            patient: course.patient.id.0.clone(),
            head,
            author: meta.author.clone(),
            at: meta.at.clone(),
            observations,
            events,
        });
    }
    Ok((RevisionKind::Replace, canonical_json(course)))
}

/// Erasure inside `tx` (see [`crate::Store::purge`]).
pub(crate) async fn purge_in_tx(
    tx: &mut Transaction<'_, Db>,
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
        "DELETE FROM course_checkpoints WHERE patient_id = $1",
        "DELETE FROM derive_carry WHERE patient_id = $1",
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

// Derived-state rows on one backend's native connection (compiled once
// per backend, see `crate::backend`).

use sqlx::Row;

use super::{Conn, DbRow};
use crate::derive::{DerivedState, DerivedSummary, ENGINE_VERSION};
use crate::error::{Result, StoreError};
use crate::state::{Ahead, HeadAndCarry, StateRow};
use crate::time::now_utc;
use crate::types::{PatientRow, RevisionMeta};

/// Writes the patient's derived state at revision `rev`, unless the row
/// already holds a later revision's.
pub(crate) async fn upsert(conn: &mut Conn, patient: &str, rev: i64, row: &StateRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO patient_state (patient_id, rev, engine_version, config_hash, computed_at, alert_count, last_date, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (patient_id) DO UPDATE SET rev = excluded.rev, engine_version = excluded.engine_version, \
         config_hash = excluded.config_hash, computed_at = excluded.computed_at, alert_count = excluded.alert_count, \
         last_date = excluded.last_date, summary = excluded.summary WHERE patient_state.rev <= excluded.rev",
    )
    .bind(patient)
    .bind(rev)
    .bind(ENGINE_VERSION)
    .bind(&row.config_hash)
    .bind(now_utc())
    .bind(row.alert_count)
    .bind(row.last_date.clone())
    .bind(&row.summary)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores the derived state computed ahead of a write with its revision
/// (inside the write's transaction), and the course checkpoint when one is
/// due, when it belongs to that revision; whether it did.
pub(crate) async fn store_ahead(
    tx: &mut sqlx::Transaction<'_, super::Db>,
    meta: &RevisionMeta,
    ahead: Option<&Ahead>,
) -> Result<bool> {
    match ahead {
        Some(a) if a.fits(meta) => {
            upsert(tx, &meta.patient, meta.rev, &a.row).await?;
            if let Some(payload) = &a.checkpoint {
                super::courses::put_checkpoint(tx, meta, payload).await?;
            }
            if let Some((summary, course)) = &a.carry_row {
                put_carry(tx, meta, &a.row.config_hash, summary, course).await?;
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Replaces the patient's derivation carry ([`crate::carry`]) with the
/// one of revision `meta` (inside the write's transaction).
async fn put_carry(
    tx: &mut sqlx::Transaction<'_, super::Db>,
    meta: &RevisionMeta,
    config_hash: &str,
    summary: &str,
    course: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO derive_carry (patient_id, rev, chain_hash, engine_version, config_hash, summary, course) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (patient_id) DO UPDATE SET rev = excluded.rev, chain_hash = excluded.chain_hash, \
         engine_version = excluded.engine_version, config_hash = excluded.config_hash, \
         summary = excluded.summary, course = excluded.course WHERE derive_carry.rev <= excluded.rev",
    )
    .bind(&meta.patient)
    .bind(meta.rev)
    .bind(&meta.chain_hash)
    .bind(ENGINE_VERSION)
    .bind(config_hash)
    .bind(summary)
    .bind(course)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a recomputed row of revision `meta` and, when one was made, its
/// carry, in one transaction (a refresh after a write that did not store
/// its state ahead).
pub(crate) async fn store_refreshed(
    conn: &mut Conn,
    meta: &RevisionMeta,
    row: &StateRow,
    carry: Option<&(String, String)>,
) -> Result<()> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    upsert(&mut tx, &meta.patient, meta.rev, row).await?;
    if let Some((summary, course)) = carry {
        put_carry(&mut tx, meta, &row.config_hash, summary, course).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The patient's latest revision when it is an append on top of a revision
/// that has a carry made by this engine version with this configuration
/// (the carry's chain hash that revision's): the latest revision's number,
/// its payload and chain hash, and the carry's chain hash, summary and
/// course as stored; one round trip.
pub(crate) async fn load_head_append_and_carry(
    conn: &mut Conn,
    patient: &str,
    config_hash: &str,
) -> Result<Option<HeadAndCarry>> {
    let row = sqlx::query(
        "SELECT h.rev, h.payload, h.chain_hash, c.chain_hash, c.summary, c.course FROM patients p \
         JOIN revisions h ON h.patient_id = p.patient_id AND h.rev = p.head_rev AND h.kind = 'append' \
         JOIN derive_carry c ON c.patient_id = p.patient_id AND c.rev = p.head_rev - 1 \
         JOIN revisions b ON b.patient_id = c.patient_id AND b.rev = c.rev AND b.chain_hash = c.chain_hash \
         WHERE p.patient_id = $1 AND p.deleted = 0 AND p.purged = 0 \
         AND c.engine_version = $2 AND c.config_hash = $3",
    )
    .bind(patient)
    .bind(ENGINE_VERSION)
    .bind(config_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(HeadAndCarry {
            rev: r.try_get(0)?,
            payload: r.try_get(1)?,
            head_hash: r.try_get(2)?,
            carry_hash: r.try_get(3)?,
            summary: r.try_get(4)?,
            course: r.try_get(5)?,
        })
    })
    .transpose()
}

/// The patient's derivation carry at revision `base` (its chain hash, its
/// summary and its reduced course as stored), when it was made for that
/// revision as the database holds it (same chain hash) by this engine
/// version with this configuration; one round trip.
pub(crate) async fn load_carry(
    conn: &mut Conn,
    patient: &str,
    base: i64,
    config_hash: &str,
) -> Result<Option<(String, String, String)>> {
    let row = sqlx::query(
        "SELECT c.chain_hash, c.summary, c.course FROM derive_carry c JOIN revisions r \
         ON r.patient_id = c.patient_id AND r.rev = c.rev AND r.chain_hash = c.chain_hash \
         WHERE c.patient_id = $1 AND c.rev = $2 AND c.engine_version = $3 AND c.config_hash = $4",
    )
    .bind(patient)
    .bind(base)
    .bind(ENGINE_VERSION)
    .bind(config_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()
}

/// One ward-list row (`patient_id, head_rev, rev, engine_version,
/// config_hash, computed_at, last_date, summary`) decoded.
pub(crate) fn row_to_patient(r: &DbRow) -> Result<PatientRow> {
    let patient: String = r.try_get(0)?;
    let state = match r.try_get::<Option<i64>, _>(2)? {
        None => None,
        Some(rev) => {
            let text: String = r.try_get(7)?;
            let summary: DerivedSummary =
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                    patient: patient.clone(),
                    rev,
                    detail: format!("derived state: {e}"),
                })?;
            Some(DerivedState {
                rev,
                engine_version: r.try_get(3)?,
                config_hash: r.try_get(4)?,
                computed_at: r.try_get(5)?,
                last_date: r.try_get(6)?,
                summary,
            })
        }
    };
    Ok(PatientRow {
        head_rev: r.try_get(1)?,
        patient,
        deleted: false,
        purged: false,
        state,
    })
}

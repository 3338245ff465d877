// The audit chain on one backend's native connection (compiled once per
// backend, see `crate::backend`).

use sqlx::{Row, Transaction};

use super::{Db, DbRow};
use crate::audit::{AuditEntry, AuditEvent};
use crate::error::Result;
use crate::time::now_utc;
use crate::types::Actor;

/// Appends one entry inside `tx` (serialised by the `audit_head` row, which
/// is updated first so concurrent writers queue on it). Returns `(seq, hash)`.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    actor: &Actor,
    ev: &AuditEvent,
) -> Result<(i64, String)> {
    let h = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let mut e = AuditEntry {
        seq: h.try_get(0)?,
        at: now_utc(),
        actor: actor.name.clone(),
        role: actor.role.as_str().into(),
        channel: actor.channel.as_str().into(),
        action: ev.action.clone(),
        patients: ev.patients.join(","),
        resource: ev.resource.clone(),
        outcome: ev.outcome.clone(),
        reason: ev.reason.clone().unwrap_or_default(),
        prev_hash: h.try_get(1)?,
        hash: String::new(),
    };
    e.hash = e.expected_hash(key);
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&e.hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, role, channel, action, patients, resource, outcome, reason, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.seq)
    .bind(&e.at)
    .bind(&e.actor)
    .bind(&e.role)
    .bind(&e.channel)
    .bind(&e.action)
    .bind(&e.patients)
    .bind(&e.resource)
    .bind(&e.outcome)
    .bind(&e.reason)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    Ok((e.seq, e.hash))
}

/// Appends one entry per `(event, time)` inside `tx`, chained in memory:
/// the `audit_head` row is advanced by the number of entries in one
/// statement (taken last, like [`append`]), the entries are written with
/// one multi-row insert per chunk, and the head's hash is set. The entries
/// are exactly those [`append`] would write one by one. Returns the last
/// `(seq, hash)`.
pub(crate) async fn append_many(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    actor: &Actor,
    events: &[(AuditEvent, String)],
) -> Result<(i64, String)> {
    let n = events.len() as i64;
    let h = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = h.try_get(0)?;
    let mut prev: String = h.try_get(1)?;
    let mut entries = Vec::with_capacity(events.len());
    for (i, (ev, at)) in events.iter().enumerate() {
        let mut e = AuditEntry {
            seq: last - n + 1 + i as i64,
            at: at.clone(),
            actor: actor.name.clone(),
            role: actor.role.as_str().into(),
            channel: actor.channel.as_str().into(),
            action: ev.action.clone(),
            patients: ev.patients.join(","),
            resource: ev.resource.clone(),
            outcome: ev.outcome.clone(),
            reason: ev.reason.clone().unwrap_or_default(),
            prev_hash: std::mem::take(&mut prev),
            hash: String::new(),
        };
        e.hash = e.expected_hash(key);
        prev = e.hash.clone();
        entries.push(e);
    }
    for chunk in entries.chunks(1000) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, actor, role, channel, action, patients, resource, outcome, reason, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 12;
            let marks: Vec<String> = (1..=12).map(|c| format!("${}", b + c)).collect();
            sql.push_str(if i == 0 { "(" } else { ", (" });
            sql.push_str(&marks.join(", "));
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.seq)
                .bind(&e.at)
                .bind(&e.actor)
                .bind(&e.role)
                .bind(&e.channel)
                .bind(&e.action)
                .bind(&e.patients)
                .bind(&e.resource)
                .bind(&e.outcome)
                .bind(&e.reason)
                .bind(&e.prev_hash)
                .bind(&e.hash);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok((last, prev))
}

pub(crate) fn row_to_entry(r: &DbRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        role: r.try_get(3)?,
        channel: r.try_get(4)?,
        action: r.try_get(5)?,
        patients: r.try_get(6)?,
        resource: r.try_get(7)?,
        outcome: r.try_get(8)?,
        reason: r.try_get(9)?,
        prev_hash: r.try_get(10)?,
        hash: r.try_get(11)?,
    })
}


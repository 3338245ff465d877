// The audit chain on one backend's native connection (compiled once per
// backend, see `crate::backend`).

use sqlx::{Row, Transaction};

use super::{Db, DbRow};
use crate::audit::{AuditEntry, AuditEvent};
use crate::error::Result;
use crate::time::now_utc;
use crate::types::Actor;

/// One entry to append: who, what, and when (`None`: the time the chain's
/// head is taken, as for a single entry).
pub(crate) type NewEntry<'a> = (&'a Actor, &'a AuditEvent, Option<&'a str>);

/// Appends one entry inside `tx` (serialised by the `audit_head` row, which
/// is updated first so concurrent writers queue on it). Returns `(seq, hash)`.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    actor: &Actor,
    ev: &AuditEvent,
) -> Result<(i64, String)> {
    append_entries(tx, key, &[(actor, ev, None)]).await
}

/// Appends one entry per `(event, time)` of one actor inside `tx` (bulk
/// import; see [`append_entries`]). Returns the last `(seq, hash)`.
pub(crate) async fn append_many(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    actor: &Actor,
    events: &[(AuditEvent, String)],
) -> Result<(i64, String)> {
    let entries: Vec<NewEntry<'_>> = events
        .iter()
        .map(|(ev, at)| (actor, ev, Some(at.as_str())))
        .collect();
    append_entries(tx, key, &entries).await
}

/// Appends `entries` in order inside `tx`, chained in memory: the
/// `audit_head` row is advanced by the number of entries in one statement
/// (taken first, so concurrent writers queue on it), the entries are written
/// with one multi-row insert per chunk of 1,000, and the head's hash is set.
/// Each entry names its own actor; the entries are exactly those one
/// transaction per entry would write. Returns the last `(seq, hash)`
/// (`entries` must not be empty).
pub(crate) async fn append_entries(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    entries: &[NewEntry<'_>],
) -> Result<(i64, String)> {
    let n = entries.len() as i64;
    let h = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = h.try_get(0)?;
    let mut prev: String = h.try_get(1)?;
    let now = now_utc();
    let mut rows = Vec::with_capacity(entries.len());
    for (i, (actor, ev, at)) in entries.iter().enumerate() {
        let mut e = AuditEntry {
            seq: last - n + 1 + i as i64,
            at: at.map_or_else(|| now.clone(), str::to_string),
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
        rows.push(e);
    }
    for chunk in rows.chunks(1000) {
        insert_rows(tx, chunk).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok((last, prev))
}

/// One multi-row insert of `chunk` into `audit_log`.
async fn insert_rows(tx: &mut Transaction<'_, Db>, chunk: &[AuditEntry]) -> Result<()> {
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
    Ok(())
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

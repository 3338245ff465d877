// Bulk import on one backend's native connection (compiled once per
// backend, see `crate::backend`).

use std::collections::HashMap;
use std::fmt::Write as _;

use sqlx::{Row, Transaction};

use super::{B, Db, DbRow};
use crate::backend::{Backend as _, Val};
use crate::bulk::{ImportItem, MAX_PARAMS, Pending, import_event};
use crate::error::Result;
use crate::time::now_utc;
use crate::types::{Actor, ImportOutcome};

/// `INSERT INTO table (cols) VALUES (…), (…), …` in chunks under the
/// parameter limit.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'_, Db>,
    head: &str,
    tail: &str,
    rows: &[Vec<Val>],
) -> Result<()> {
    let Some(ncols) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks((MAX_PARAMS / ncols).max(1)) {
        let mut sql = format!("{head} VALUES ");
        let mut k = 0;
        for (i, _) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for c in 0..ncols {
                k += 1;
                let _ = write!(sql, "{}${k}", if c == 0 { "" } else { ", " });
            }
            sql.push(')');
        }
        sql.push_str(tail);
        let mut q = sqlx::query(&sql);
        for v in chunk.iter().flatten() {
            q = match v {
                Val::Text(s) => q.bind(s.as_str()),
                Val::Opt(s) => q.bind(s.as_deref()),
                Val::Int(n) => q.bind(*n),
            };
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// `SELECT key, … FROM table WHERE key IN (…)` over `keys`, in chunks.
async fn fetch_in(tx: &mut Transaction<'_, Db>, select: &str, keys: &[&str]) -> Result<Vec<DbRow>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(MAX_PARAMS) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{select} IN ({})", marks.join(", "));
        let mut q = sqlx::query(&sql);
        for k in chunk {
            q = q.bind(*k);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Writes what is queued (patients before their revisions): the large
/// rows through the backend's bulk path (PostgreSQL `COPY`).
async fn flush(pending: &mut Pending, tx: &mut Transaction<'_, Db>) -> Result<()> {
    B::bulk_insert(
        tx,
        "patients",
        &[
            "patient_id",
            "created_at",
            "created_by",
            "head_rev",
            "deleted",
            "purged",
        ],
        &std::mem::take(&mut pending.patients),
    )
    .await?;
    B::bulk_insert(
        tx,
        "revisions",
        &[
            "patient_id",
            "rev",
            "kind",
            "author",
            "created_at",
            "reason",
            "payload",
            "chain_hash",
        ],
        &std::mem::take(&mut pending.revisions),
    )
    .await?;
    insert_rows(
        tx,
        "INSERT INTO imports (content_hash, patient_id, rev, file_name, imported_at)",
        " ON CONFLICT (content_hash) DO NOTHING",
        &std::mem::take(&mut pending.imports),
    )
    .await
}

/// The whole batch inside `tx`; any error aborts it (the caller then
/// imports the files one by one).
pub(crate) async fn batch_in_tx(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    actor: &Actor,
    items: &[ImportItem],
) -> Result<(Vec<ImportOutcome>, (i64, String))> {
    let hashes: Vec<&str> = items.iter().map(|i| i.content_hash.as_str()).collect();
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i.course.patient.id.0.as_str())
        .collect();
    let mut seen: HashMap<String, (String, i64)> = HashMap::new();
    for r in fetch_in(
        tx,
        "SELECT content_hash, patient_id, rev FROM imports WHERE content_hash",
        &hashes,
    )
    .await?
    {
        seen.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    // Each stored patient's latest revision and whether it was purged,
    // kept current as the batch writes.
    let mut stored: HashMap<String, (i64, bool)> = HashMap::new();
    for r in fetch_in(
        tx,
        "SELECT patient_id, head_rev, purged FROM patients WHERE patient_id",
        &ids,
    )
    .await?
    {
        stored.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get::<i64, _>(2)? != 0));
    }
    let mut pending = Pending::default();
    let mut outs = Vec::with_capacity(items.len());
    let mut events = Vec::with_capacity(items.len());
    for item in items {
        let id = item.course.patient.id.0.as_str();
        let reason = item.reason_text();
        let at = now_utc();
        let current = stored.get(id).copied();
        let out = match (seen.get(&item.content_hash), current) {
            // Imported before as the patient's latest revision.
            (Some((p, r)), Some((head, false))) if p == id && *r == head => {
                ImportOutcome::Unchanged(p.clone(), *r)
            }
            (None, None) => {
                pending.create(actor, &item.course, &at);
                ImportOutcome::Created(id.to_string())
            }
            _ => {
                flush(&mut pending, tx).await?;
                let given = item.given().map(|_| reason.as_str());
                super::courses::import_in_tx(
                    tx,
                    actor,
                    &item.course,
                    &item.content_hash,
                    &reason,
                    given,
                )
                .await?
                .0
            }
        };
        let rev = crate::courses::rev_of(&out);
        stored.insert(id.to_string(), (rev, false));
        if !seen.contains_key(&item.content_hash) {
            pending.import(&item.content_hash, id, rev, &item.file_name, &at);
            seen.insert(item.content_hash.clone(), (id.to_string(), rev));
        }
        events.push((import_event(&out, item, &reason), at));
        outs.push(out);
    }
    flush(&mut pending, tx).await?;
    let head = super::audit::append_many(tx, key, actor, &events).await?;
    Ok((outs, head))
}

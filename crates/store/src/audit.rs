//! The audit trail: one append-only table, each entry chained to the one
//! before by HMAC-SHA-256 under a key kept outside the database, and the
//! latest (count, hash) anchored outside the database in one line per day.
//!
//! `hash(n) = HMAC(key, hash(n-1) ‖ seq ‖ at ‖ actor ‖ role ‖ channel ‖
//! action ‖ patients ‖ resource ‖ outcome ‖ reason)` (fields joined by 0x1f;
//! `hash(0)` is empty). [`Store::verify_audit`] recomputes the chain and
//! compares it with the anchor file, so an edited entry (content no longer
//! matches its HMAC), a deleted one (gap in the numbers / broken link), a
//! re-hashed chain (HMAC fails without the key; with the key, the anchored
//! hash no longer matches) and a truncated chain (fewer entries than
//! anchored) are each detected, naming the first bad entry.

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::Path;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;

use crate::backend::on_pool;
use crate::error::{Result, StoreError, io_err};
use crate::hashing::hmac_hex;
use crate::store::Store;
use crate::time::today_utc;
use crate::types::Actor;

/// What happened, for one audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Action (`read_course`, `append`, `list_patients`, `purge`, …).
    pub action: String,
    /// Patients concerned (a list view names every patient shown).
    pub patients: Vec<String>,
    /// Resource (`course@3`, `history`, `chimerism_run:…`, file name).
    pub resource: String,
    /// Outcome (`ok`, `denied: …`, `error: …`).
    pub outcome: String,
    /// Reason given, if any.
    pub reason: Option<String>,
}

impl AuditEvent {
    /// An event with outcome `ok` and no reason.
    pub fn ok(action: &str, patients: Vec<String>, resource: impl Into<String>) -> AuditEvent {
        AuditEvent {
            action: action.into(),
            patients,
            resource: resource.into(),
            outcome: "ok".into(),
            reason: None,
        }
    }
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Sequence number, 1-based.
    pub seq: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Their role.
    pub role: String,
    /// cli, web or api.
    pub channel: String,
    /// Action.
    pub action: String,
    /// Patients concerned, comma-separated.
    pub patients: String,
    /// Resource.
    pub resource: String,
    /// Outcome.
    pub outcome: String,
    /// Reason.
    pub reason: String,
    /// Previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditEntry {
    /// The HMAC this entry should carry under `key`.
    pub fn expected_hash(&self, key: &[u8]) -> String {
        let seq = self.seq.to_string();
        hmac_hex(
            key,
            &[
                self.prev_hash.as_bytes(),
                seq.as_bytes(),
                self.at.as_bytes(),
                self.actor.as_bytes(),
                self.role.as_bytes(),
                self.channel.as_bytes(),
                self.action.as_bytes(),
                self.patients.as_bytes(),
                self.resource.as_bytes(),
                self.outcome.as_bytes(),
                self.reason.as_bytes(),
            ],
        )
    }
}

/// One anchor line: at the end of `date`, the chain had `count` entries and
/// entry `count` had `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// UTC date.
    pub date: String,
    /// Number of entries.
    pub count: i64,
    /// Hash of entry `count`.
    pub hash: String,
}

/// Reads an anchor file (missing file = no anchors).
pub fn read_anchors(path: &Path) -> Result<Vec<Anchor>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(path)(e)),
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            [date, count, hash] => out.push(Anchor {
                date: date.to_string(),
                count: count.parse().map_err(|_| {
                    StoreError::Invalid(format!(
                        "{} line {}: count '{count}' is not a number",
                        path.display(),
                        i + 1
                    ))
                })?,
                hash: hash.to_string(),
            }),
            [] => {}
            _ => {
                return Err(StoreError::Invalid(format!(
                    "{} line {}: expected 'DATE COUNT HASH'",
                    path.display(),
                    i + 1
                )));
            }
        }
    }
    Ok(out)
}

/// Records `(count, hash)` as today's anchor unless a later count is
/// already anchored; serialised between processes by a lock file.
pub(crate) fn write_anchor(path: &Path, count: i64, hash: &str) -> Result<()> {
    if let Some(d) = path.parent() {
        crate::paths::create_private_dir(d).map_err(io_err(d))?;
    }
    let lock_path = path.with_extension("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_err(&lock_path))?;
    lock.lock().map_err(io_err(&lock_path))?;
    let mut anchors = read_anchors(path)?;
    if anchors.last().is_some_and(|a| a.count >= count) {
        return Ok(());
    }
    let today = today_utc();
    if anchors.last().is_some_and(|a| a.date == today) {
        anchors.pop();
    }
    anchors.push(Anchor {
        date: today,
        count,
        hash: hash.to_string(),
    });
    let mut text = Vec::new();
    for a in &anchors {
        let _ = writeln!(text, "{} {} {}", a.date, a.count, a.hash);
    }
    // Not flushed to disk on every entry (a killed process cannot leave a
    // partial file: write + rename). After a power cut the anchor may lag
    // the chain; if the database lost its last commits instead, verify
    // reports them as removed — which they were.
    crate::paths::write_private(path, &text, false).map_err(io_err(path))
}

/// Result of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries checked.
    pub entries: i64,
    /// Anchors checked.
    pub anchors: usize,
    /// The first problem, naming the first bad entry; `None` = intact.
    pub first_problem: Option<String>,
}

pub(crate) const COLS: &str =
    "seq, at, actor, role, channel, action, patients, resource, outcome, reason, prev_hash, hash";

/// Checks one entry against the previous one; the problem, if any.
fn check_link(e: &AuditEntry, expected_seq: i64, prev_hash: &str, key: &[u8]) -> Option<String> {
    if e.seq != expected_seq {
        return Some(format!(
            "entry #{expected_seq} is missing (the next stored entry is #{}): entries were deleted",
            e.seq
        ));
    }
    if e.prev_hash != prev_hash {
        return Some(format!(
            "entry #{} does not link to entry #{}: the chain was broken or re-hashed",
            e.seq,
            e.seq - 1
        ));
    }
    if e.hash != e.expected_hash(key) {
        return Some(format!(
            "entry #{} does not match its keyed hash: it was edited or re-hashed without the key",
            e.seq
        ));
    }
    None
}

impl Store {
    /// Records an audit entry (reads, denials, logins) and anchors it,
    /// returning once the entry is committed. Concurrent calls are
    /// group-committed: they queue, and one of them appends every entry
    /// queued at that moment in one transaction ([`AuditQueue`], decision
    /// S-4 in docs/server.md), so concurrent readers do not hold a database
    /// connection each while waiting for the chain's head in turn.
    pub fn audit(&self, actor: &Actor, ev: &AuditEvent) -> Result<()> {
        self.audit_queue.submit(self, actor.clone(), ev.clone())
    }

    /// Appends `entries` in one transaction and anchors the last one.
    fn audit_batch(&self, entries: &[Queued]) -> Result<()> {
        let (seq, hash) = self.block(crate::store::retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let batch: Vec<_> = entries.iter().map(|q| (&q.actor, &q.ev, None)).collect();
                let mut tx = pool.begin().await?;
                let r = ops::audit::append_entries(&mut tx, &self.key, &batch).await?;
                tx.commit().await?;
                Ok(r)
            })
        }))?;
        write_anchor(&self.anchor, seq, &hash)
    }

    /// Entries `from..` (1-based), at most `limit`.
    pub fn audit_entries(&self, from: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let rows = sqlx::query(&format!(
                    "SELECT {COLS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"
                ))
                .bind(from)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter().map(ops::audit::row_to_entry).collect()
            })
        })
    }

    /// Entries concerning one patient.
    pub fn audit_for_patient(&self, patient: &str) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        let mut from = 1;
        loop {
            let page = self.audit_entries(from, 10_000)?;
            let Some(last) = page.last() else { break };
            from = last.seq + 1;
            out.extend(
                page.into_iter()
                    .filter(|e| e.patients.split(',').any(|p| p == patient)),
            );
        }
        Ok(out)
    }

    /// Recomputes the whole chain and compares it with the anchor file.
    pub fn verify_audit(&self) -> Result<Verification> {
        let anchors = read_anchors(&self.anchor)?;
        let mut prev = String::new();
        let mut n = 0i64;
        let mut hashes_at_anchor = Vec::new();
        loop {
            let page = self.audit_entries(n + 1, 10_000)?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                if let Some(p) = check_link(e, n + 1, &prev, &self.key) {
                    return Ok(Verification {
                        entries: n,
                        anchors: anchors.len(),
                        first_problem: Some(p),
                    });
                }
                if anchors.iter().any(|a| a.count == e.seq) {
                    hashes_at_anchor.push((e.seq, e.hash.clone()));
                }
                prev = e.hash.clone();
                n = e.seq;
            }
        }
        let problem = anchors.iter().find_map(|a| {
            if a.count > n {
                return Some(format!(
                    "the anchor of {} records {} entries but the chain has {n}: entries #{}–#{} were removed (truncated)",
                    a.date,
                    a.count,
                    n + 1,
                    a.count
                ));
            }
            let stored = hashes_at_anchor.iter().find(|(s, _)| *s == a.count)?;
            (stored.1 != a.hash).then(|| {
                format!(
                    "entry #{} differs from the anchor of {}: the chain up to it was rewritten (re-hashed)",
                    a.count, a.date
                )
            })
        });
        Ok(Verification {
            entries: n,
            anchors: anchors.len(),
            first_problem: problem,
        })
    }
}

/// Most entries one group commit appends (the rest wait for the next).
pub const GROUP_COMMIT_MAX: usize = 256;

/// One entry waiting to be appended, and where its caller waits.
pub(crate) struct Queued {
    pub(crate) actor: Actor,
    pub(crate) ev: AuditEvent,
    reply: Sender<Reply>,
}

/// What a waiting caller is told.
pub(crate) enum Reply {
    /// Append the queue now (the caller's own entry is at its front).
    Lead,
    /// The caller's entry is committed (or why not).
    Done(Result<()>),
}

#[derive(Default)]
struct Inner {
    pending: VecDeque<Queued>,
    /// Whether a caller is appending a batch (or has been told to).
    flushing: bool,
}

/// Audit entries waiting for a group commit. A caller queues its entry;
/// if nobody is appending, it appends every queued entry (at most
/// [`GROUP_COMMIT_MAX`]) in one transaction, answers each caller, and
/// hands the next batch to the caller at the front of the queue, so
/// each caller appends at most one batch. Entries keep their queue order
/// in the chain. If the batch's transaction fails, each of its entries is
/// tried alone so every caller gets its own answer.
#[derive(Default)]
pub(crate) struct AuditQueue {
    inner: Mutex<Inner>,
}

/// Ends a leader's turn even if appending panicked: the next caller in
/// the queue leads (callers of an unanswered batch get an error when
/// their answer channel closes).
struct Handoff<'a>(&'a AuditQueue);

impl Drop for Handoff<'_> {
    fn drop(&mut self) {
        let mut q = self.0.lock();
        match q.pending.front() {
            Some(next) => {
                let _ = next.reply.send(Reply::Lead);
            }
            None => q.flushing = false,
        }
    }
}

impl AuditQueue {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues one entry and returns once it is committed.
    pub(crate) fn submit(&self, store: &Store, actor: Actor, ev: AuditEvent) -> Result<()> {
        let (reply, answer) = channel();
        let lead = {
            let mut q = self.lock();
            q.pending.push_back(Queued { actor, ev, reply });
            !std::mem::replace(&mut q.flushing, true)
        };
        if lead {
            self.append_one_batch(store);
        }
        loop {
            match answer.recv() {
                Ok(Reply::Lead) => self.append_one_batch(store),
                Ok(Reply::Done(r)) => return r,
                Err(_) => {
                    return Err(StoreError::Invalid(
                        "the audit entry was not recorded: the group commit holding it failed"
                            .into(),
                    ));
                }
            }
        }
    }

    /// Appends the front of the queue as one batch and answers its
    /// callers; then hands over to the next caller, if any.
    fn append_one_batch(&self, store: &Store) {
        let _handoff = Handoff(self);
        let batch: Vec<Queued> = {
            let mut q = self.lock();
            let n = q.pending.len().min(GROUP_COMMIT_MAX);
            q.pending.drain(..n).collect()
        };
        if batch.is_empty() {
            return;
        }
        match store.audit_batch(&batch) {
            Ok(()) => {
                for q in &batch {
                    let _ = q.reply.send(Reply::Done(Ok(())));
                }
            }
            Err(StoreError::Io { path, source }) => {
                // Committed, but the anchor could not be written.
                for q in &batch {
                    let source = std::io::Error::new(source.kind(), source.to_string());
                    let e = StoreError::Io {
                        path: path.clone(),
                        source,
                    };
                    let _ = q.reply.send(Reply::Done(Err(e)));
                }
            }
            Err(_) => {
                for q in &batch {
                    let r = store.audit_batch(std::slice::from_ref(q));
                    let _ = q.reply.send(Reply::Done(r));
                }
            }
        }
    }
}

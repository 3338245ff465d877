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
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Poll, Waker};

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

/// An audit action code (stored as written, e.g. `read_course`) in plain
/// words for people (`read course`); unknown codes with spaces for `_`.
pub fn action_label(code: &str) -> String {
    let words = match code {
        "read_course" => "read course",
        "read_history" => "read history",
        "read_runs" => "read chimerism runs",
        "read_profiles" => "read reference profiles",
        "record_run" => "record chimerism run",
        "sign_off_run" => "sign off chimerism run",
        "add_chimerism" => "add chimerism result",
        "put_profile" => "store reference profile",
        "put_user" => "register or change user",
        "set_password" => "set password",
        "create_token" => "create API token",
        "revoke_token" => "revoke API token",
        "import_unchanged" => "import (unchanged, nothing written)",
        "list_patients" => "list patients",
        "list_patients_alerts" => "list patients with alerts",
        "export_deidentified" => "export de-identified",
        "tombstone" => "delete (tombstone)",
        other => return other.replace('_', " "),
    };
    words.to_string()
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
    /// group-committed (`AuditQueue`, decision S-4 in docs/server.md):
    /// entries queue, and one background flusher on the store's runtime
    /// appends every entry queued at that moment in one transaction, so
    /// concurrent readers do not hold a database connection each while
    /// waiting for the chain's head in turn.
    pub fn audit(&self, actor: &Actor, ev: &AuditEvent) -> Result<()> {
        self.audit_enqueue(actor.clone(), ev.clone()).wait()
    }

    /// Queues an audit entry for its group commit and returns at once; the
    /// entry is committed when [`AuditTicket::wait`] (blocking) or
    /// [`AuditTicket::committed`] (asynchronous) returns `Ok`. The entry is
    /// written even if the ticket is dropped unanswered. An asynchronous
    /// caller (the web server) waits for its entry without holding a
    /// thread.
    pub fn audit_enqueue(&self, actor: Actor, ev: AuditEvent) -> AuditTicket {
        let slot = Arc::new(Slot::default());
        let start = self.audit_queue.push(Queued {
            actor,
            ev,
            reply: slot.clone(),
        });
        if start {
            let sink = AuditSink {
                pool: self.pool.clone(),
                key: self.key.clone(),
                anchor: self.anchor.clone(),
                rt: self.rt.handle().clone(),
            };
            let queue = self.audit_queue.clone();
            self.rt.spawn_blocking(move || queue.flush(&sink));
        }
        AuditTicket { slot }
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

/// What the flusher needs of the store to append a batch (cloned from it,
/// so the flusher runs on the store's blocking pool without borrowing it).
struct AuditSink {
    pool: crate::backend::Pool,
    key: Vec<u8>,
    anchor: std::path::PathBuf,
    rt: tokio::runtime::Handle,
}

impl AuditSink {
    /// Appends `entries` in one transaction and anchors the last one.
    fn append(&self, entries: &[Queued]) -> Result<()> {
        let (seq, hash) = self.rt.block_on(crate::store::retry(|| async {
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
}

/// Where the answer for one queued entry is left: a blocking caller
/// waits on the condition variable, an asynchronous one registers its
/// waker.
#[derive(Default)]
struct Slot {
    state: Mutex<SlotState>,
    ready: Condvar,
}

#[derive(Default)]
struct SlotState {
    answer: Option<Result<()>>,
    /// Set once the flusher is gone without answering (it panicked).
    abandoned: bool,
    waker: Option<Waker>,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn answer(&self, r: Result<()>) {
        let mut g = self.lock();
        g.answer = Some(r);
        self.wake(g);
    }

    fn abandon(&self) {
        let mut g = self.lock();
        g.abandoned = true;
        self.wake(g);
    }

    fn wake(&self, mut g: MutexGuard<'_, SlotState>) {
        let w = g.waker.take();
        drop(g);
        self.ready.notify_all();
        if let Some(w) = w {
            w.wake();
        }
    }

    /// The answer, if there is one (`take`n once).
    fn take(g: &mut SlotState) -> Option<Result<()>> {
        if let Some(r) = g.answer.take() {
            return Some(r);
        }
        g.abandoned.then(|| {
            Err(StoreError::Invalid(
                "the audit entry was not recorded: the group commit holding it failed".into(),
            ))
        })
    }
}

/// An audit entry waiting for its group commit ([`Store::audit_enqueue`]).
#[must_use = "the entry is only known to be in the audit trail once the ticket answers Ok"]
pub struct AuditTicket {
    slot: Arc<Slot>,
}

impl AuditTicket {
    /// Blocks until the entry is committed (or why not).
    pub fn wait(self) -> Result<()> {
        let mut g = self.slot.lock();
        loop {
            if let Some(r) = Slot::take(&mut g) {
                return r;
            }
            g = self.slot.ready.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Waits asynchronously until the entry is committed (or why not).
    pub async fn committed(self) -> Result<()> {
        std::future::poll_fn(|cx| {
            let mut g = self.slot.lock();
            match Slot::take(&mut g) {
                Some(r) => Poll::Ready(r),
                None => {
                    g.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

/// One entry waiting to be appended, and where its answer goes.
struct Queued {
    actor: Actor,
    ev: AuditEvent,
    reply: Arc<Slot>,
}

#[derive(Default)]
struct Inner {
    pending: VecDeque<Queued>,
    /// Whether a flusher is running (it runs until the queue is empty).
    flushing: bool,
}

/// Audit entries waiting for a group commit. Whoever queues an entry
/// while no flusher runs starts one on the store's blocking pool; the
/// flusher appends the queued entries in batches of at most
/// [`GROUP_COMMIT_MAX`], one transaction each, answers each entry's
/// caller, and stops when the queue is empty. No caller ever appends
/// other callers' entries, so none waits longer than the batches ahead of
/// its own. Entries keep their queue order in the chain. If a batch's
/// transaction fails, each of its entries is tried alone so every caller
/// gets its own answer.
#[derive(Default, Clone)]
pub(crate) struct AuditQueue {
    inner: Arc<Mutex<Inner>>,
}

/// Ends the flusher's turn even if appending panicked: the entries still
/// queued are answered with an error, and the next entry starts a new
/// flusher.
struct Stop<'a>(&'a AuditQueue);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut q = self.0.lock();
            q.flushing = false;
            for e in q.pending.drain(..) {
                e.reply.abandon();
            }
        }
    }
}

impl AuditQueue {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues one entry; `true` when the caller must start the flusher.
    fn push(&self, e: Queued) -> bool {
        let mut q = self.lock();
        q.pending.push_back(e);
        !std::mem::replace(&mut q.flushing, true)
    }

    /// Appends batches until the queue is empty.
    fn flush(&self, sink: &AuditSink) {
        let _stop = Stop(self);
        loop {
            let batch: Vec<Queued> = {
                let mut q = self.lock();
                let n = q.pending.len().min(GROUP_COMMIT_MAX);
                if n == 0 {
                    q.flushing = false;
                    return;
                }
                q.pending.drain(..n).collect()
            };
            append_batch(sink, &batch);
        }
    }
}

/// Appends one batch and answers its callers.
fn append_batch(sink: &AuditSink, batch: &[Queued]) {
    let guard = Unanswered(batch);
    match sink.append(batch) {
        Ok(()) => {
            for q in batch {
                q.reply.answer(Ok(()));
            }
        }
        Err(StoreError::Io { path, source }) => {
            // Committed, but the anchor could not be written.
            for q in batch {
                let source = std::io::Error::new(source.kind(), source.to_string());
                q.reply.answer(Err(StoreError::Io {
                    path: path.clone(),
                    source,
                }));
            }
        }
        Err(_) => {
            for q in batch {
                q.reply.answer(sink.append(std::slice::from_ref(q)));
            }
        }
    }
    std::mem::forget(guard);
}

/// Answers the callers of a batch with an error if appending panicked.
struct Unanswered<'a>(&'a [Queued]);

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        for q in self.0 {
            q.reply.abandon();
        }
    }
}

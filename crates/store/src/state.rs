//! Keeping derived state current and listing patients from it.
//!
//! A write computes the derived state of the revision it creates before
//! its transaction, from the course it is based on (kept in memory by the
//! handle, `crate::head`, or replayed from the database) plus the change,
//! and stores it in the same transaction as the revision: the row is never
//! behind its revision and a write costs one commit. When that cannot be
//! done (derived state off, the course at the base could not be read) the
//! row is recomputed after the commit, or at the next listing.

use std::sync::atomic::{AtomicU64, Ordering};

use graftwatch_core::Date;
use graftwatch_course::Course;
use sqlx::Row as _;

use crate::audit::AuditEvent;
use crate::backend::on_pool;
use crate::carry::Carry;
use crate::change::apply;
use crate::derive::{DerivedSummary, ENGINE_VERSION, compute};
use crate::error::{Result, StoreError};
use crate::head::Head;
use crate::phases;
use crate::store::{Store, retry};
use crate::types::{Actor, Delta, PatientRow, RevisionKind, RevisionMeta};

/// A `patient_state` row about to be written (without its revision).
#[derive(Debug, Clone)]
pub(crate) struct StateRow {
    /// The summary as JSON.
    pub(crate) summary: String,
    /// Number of alerts.
    pub(crate) alert_count: i64,
    /// Last date in the course.
    pub(crate) last_date: Option<String>,
    /// The configuration hash.
    pub(crate) config_hash: String,
}

/// The derived state of a revision about to be written, computed from the
/// course it will reconstruct to.
pub(crate) struct Ahead {
    /// The chain hash the new revision gets when it is written on the base
    /// this state was derived from (`None`: the course is the whole payload).
    expect_hash: Option<String>,
    /// The whole course at the new revision, when the write built it (an
    /// append derived from the carry by a handle that does not hold the
    /// course in memory does not).
    course: Option<Course>,
    /// The new revision's derivation carry ([`crate::carry`]), when one
    /// was made.
    carry: Option<Box<Carry>>,
    /// The row.
    pub(crate) row: StateRow,
    /// The new revision's course as a checkpoint ([`crate::checkpoint`]), when
    /// one is due: the base was replayed over [`CHECKPOINT_EVERY`] or more
    /// appends, or a full revision of [`CHECKPOINT_MIN_ITEMS`] or more items.
    pub(crate) checkpoint: Option<String>,
    /// The carry as stored (`derive_carry.summary`, `derive_carry.course`).
    pub(crate) carry_row: Option<(String, String)>,
}

/// Appends replayed on top of a checkpoint or full revision before a write
/// stores a new checkpoint: bounds the revisions a write without the
/// course in memory replays (docs/store.md, "Derived state on write").
pub const CHECKPOINT_EVERY: usize = 32;

/// Events and observations from which a full revision (a new course or
/// an amendment) is stored with a checkpoint of itself, so the cold writes
/// after it read the compact checkpoint instead of parsing the whole
/// course's JSON (about five months of six daily labs).
pub const CHECKPOINT_MIN_ITEMS: usize = 1_000;

/// Observations from which a write that derives over the whole course
/// also makes the derivation carry ([`crate::carry`]; about a month of six
/// daily labs): below it, deriving over the whole course is as cheap as
/// the carry.
pub const CARRY_MIN_OBSERVATIONS: usize = 200;

/// How a handle derived the state of its appends.
#[derive(Debug, Default)]
pub(crate) struct DerivationCounter {
    from_carry: AtomicU64,
    whole_course: AtomicU64,
}

/// How many appends of one handle had their derived state computed from
/// the carry and how many over the whole course
/// ([`Store::derivations`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Derivations {
    /// From the derivation carry (docs/store.md, "Appending a day: the carry").
    pub from_carry: u64,
    /// Over the whole course.
    pub whole_course: u64,
}

impl Ahead {
    /// Whether the written revision is the one this state was derived for.
    pub(crate) fn fits(&self, meta: &RevisionMeta) -> bool {
        self.expect_hash
            .as_ref()
            .is_none_or(|h| *h == meta.chain_hash)
    }
}

/// The latest revision of a patient (an append) and the carry of the
/// revision before it, as stored.
pub(crate) struct HeadAndCarry {
    /// The latest revision.
    pub(crate) rev: i64,
    /// Its payload (the addition), unless purged.
    pub(crate) payload: Option<String>,
    /// Its chain hash.
    pub(crate) head_hash: String,
    /// The chain hash of the revision before it (the carry's).
    pub(crate) carry_hash: String,
    /// The carry's summary as stored.
    pub(crate) summary: String,
    /// The carry's reduced course as stored.
    pub(crate) course: String,
}

/// The chain hash of an append with payload `text` on a revision whose
/// chain hash is `base_hash`.
fn append_hash(base_hash: &str, text: &str) -> String {
    crate::hashing::chain_hash(base_hash, RevisionKind::Append, text)
}

impl Store {
    /// The row of derived state for `course`, and its summary.
    fn derive(&self, course: &Course) -> (StateRow, DerivedSummary) {
        let t = phases::start();
        let summary = compute(course, &self.derive_cfg);
        phases::mark("derive (grading and report and decision)", t);
        (self.row_of(&summary, course.last_record_date()), summary)
    }

    /// The row holding `summary`.
    fn row_of(&self, summary: &DerivedSummary, last: Option<Date>) -> StateRow {
        StateRow {
            alert_count: summary.alerts.len() as i64,
            summary: serde_json::to_string(summary).unwrap_or_default(),
            last_date: last.map(|l| l.to_string()),
            config_hash: self.derive_hash.clone(),
        }
    }

    /// How this handle derived the state of its appends: from the carry
    /// (docs/store.md) or over the whole course.
    pub fn derivations(&self) -> Derivations {
        Derivations {
            from_carry: self.derivations.from_carry.load(Ordering::Relaxed),
            whole_course: self.derivations.whole_course.load(Ordering::Relaxed),
        }
    }

    /// The derived state of the revision a write of `kind` with `payload`
    /// on top of `base` creates, or `None` (derived state off, a deletion,
    /// the base unreadable: the write then refreshes after its commit).
    /// The course is rebuilt from the payload text as a replay would.
    pub(crate) fn derive_ahead(
        &self,
        patient: &str,
        base: i64,
        kind: RevisionKind,
        payload: Option<&str>,
    ) -> Option<Ahead> {
        if !self.derive_on_write {
            return None;
        }
        let text = payload?;
        match kind {
            RevisionKind::Create | RevisionKind::Replace => {
                let course: Course = serde_json::from_str(text).ok()?;
                let due = course.observations.len() + course.events.len() >= CHECKPOINT_MIN_ITEMS;
                Some(self.whole_course_ahead(course, None, due))
            }
            RevisionKind::Append => {
                let delta: Delta = serde_json::from_str(text).ok()?;
                self.append_ahead(patient, base, &delta, text)
            }
            RevisionKind::Tombstone | RevisionKind::Purge => None,
        }
    }

    /// The state derived over the whole `course`, with its carry when the
    /// course is long enough and a checkpoint when one is due.
    fn whole_course_ahead(&self, course: Course, expect_hash: Option<String>, due: bool) -> Ahead {
        let (row, summary) = self.derive(&course);
        let carry = self.make_carry(&course, &summary);
        Ahead {
            expect_hash,
            checkpoint: due.then(|| crate::checkpoint::encode(&course)),
            carry_row: carry.as_deref().map(crate::carry::encode),
            carry,
            course: Some(course),
            row,
        }
    }

    /// The carry of `course` (whose summary is `summary`), when the course
    /// is long enough to have one and its reduced course is faithful.
    fn make_carry(&self, course: &Course, summary: &DerivedSummary) -> Option<Box<Carry>> {
        let t = phases::start();
        let carry = (course.observations.len() >= CARRY_MIN_OBSERVATIONS)
            .then(|| crate::carry::build(course, summary, &self.derive_cfg))
            .flatten()
            .map(Box::new);
        phases::mark("carry: reduce the course and check it", t);
        carry
    }

    /// The state of an append: from the carry when there is one for the
    /// base and the addition is in its reach (`carry::in_reach`), else over
    /// the whole course at the base plus the addition.
    fn append_ahead(&self, patient: &str, base: i64, delta: &Delta, text: &str) -> Option<Ahead> {
        let mut head = self.heads.take(patient, base);
        if self.derive_from_carry {
            let t = phases::start();
            let found = match head
                .as_mut()
                .and_then(|h| h.carry.take().map(|c| (h.chain_hash.clone(), c)))
            {
                Some(x) => Some(x),
                None => self.load_carry(patient, base),
            };
            let t = phases::mark("carry: read", t);
            if let Some((base_hash, carry)) = found
                && let Some((summary, next)) = crate::carry::append(&carry, delta, &self.derive_cfg)
            {
                phases::mark("carry: derive the day", t);
                self.derivations.from_carry.fetch_add(1, Ordering::Relaxed);
                let course = head.map(|h| {
                    let mut c = h.course;
                    apply(&mut c, delta);
                    c
                });
                return Some(Ahead {
                    expect_hash: Some(append_hash(&base_hash, text)),
                    row: self.row_of(&summary, next.course.last_record_date()),
                    carry_row: Some(crate::carry::encode(&next)),
                    carry: Some(Box::new(next)),
                    course,
                    checkpoint: None,
                });
            }
        }
        self.derivations
            .whole_course
            .fetch_add(1, Ordering::Relaxed);
        let t = phases::start();
        let (mut course, base_hash, replayed) = match head {
            Some(h) => (h.course, h.chain_hash, 0),
            None => self.course_from_db(patient, base)?,
        };
        let t = phases::mark("base course (memory or replay)", t);
        apply(&mut course, delta);
        phases::mark("apply the day", t);
        let hash = append_hash(&base_hash, text);
        Some(self.whole_course_ahead(course, Some(hash), replayed >= CHECKPOINT_EVERY))
    }

    /// The patient's carry at revision `base` with that revision's chain
    /// hash, when one is stored for it by this engine version and
    /// configuration and decodes.
    fn load_carry(&self, patient: &str, base: i64) -> Option<(String, Box<Carry>)> {
        let (hash, summary, course) = self
            .block(async {
                on_pool!(&self.pool, pool, ops => {
                    let mut conn = pool.acquire().await?;
                    ops::state::load_carry(&mut conn, patient, base, &self.derive_hash).await
                })
            })
            .ok()??;
        Some((hash, Box::new(crate::carry::decode(&summary, &course)?)))
    }

    /// The course at revision `base`, its chain hash and the number of
    /// appends replayed to build it: from the patient's checkpoint and the
    /// appends after it, or replayed from the latest full revision.
    fn course_from_db(&self, patient: &str, base: i64) -> Option<(Course, String, usize)> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let mut conn = pool.acquire().await?;
                ops::courses::load_for_derive(&mut conn, patient, base).await
            })
        })
        .ok()
    }

    /// After a committed write: keeps the new course in memory when its
    /// state was stored with it, else recomputes the state now (when
    /// derived state is kept on write).
    pub(crate) fn after_write(
        &self,
        patient: &str,
        meta: &RevisionMeta,
        ahead: Option<Ahead>,
        stored: bool,
    ) -> Result<()> {
        match ahead {
            Some(a) if stored => {
                if let Some(course) = a.course {
                    self.heads.put(
                        patient,
                        Head {
                            rev: meta.rev,
                            chain_hash: meta.chain_hash.clone(),
                            course,
                            carry: a.carry,
                        },
                    );
                }
                Ok(())
            }
            _ if self.derive_on_write => self.refresh_derived(patient),
            _ => Ok(()),
        }
    }

    /// Recomputes a patient's derived state from the latest revision (a
    /// deleted or purged patient has none). A row is only replaced by one
    /// computed from the same or a later revision. When the latest revision
    /// is an append on a revision with a carry, from the carry
    /// (`carry::append`); else over the whole course, making a carry.
    pub fn refresh_derived(&self, patient: &str) -> Result<()> {
        if self.derive_from_carry && self.refresh_from_carry(patient)? {
            return Ok(());
        }
        let (course, meta) = match self.course_unaudited(patient, None) {
            Ok(x) => x,
            Err(StoreError::Deleted(..) | StoreError::Purged(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let (row, summary) = self.derive(&course);
        let carry = self.make_carry(&course, &summary);
        let carry_row = carry.as_deref().map(crate::carry::encode);
        self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let mut conn = pool.acquire().await?;
                ops::state::store_refreshed(&mut conn, &meta, &row, carry_row.as_ref()).await
            })
        }))?;
        self.heads.put(
            patient,
            Head {
                rev: meta.rev,
                chain_hash: meta.chain_hash,
                course,
                carry,
            },
        );
        Ok(())
    }

    /// [`Store::refresh_derived`] from the carry of the revision before the
    /// latest, when the latest is an append in its reach; whether it did.
    fn refresh_from_carry(&self, patient: &str) -> Result<bool> {
        let found = self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let mut conn = pool.acquire().await?;
                ops::state::load_head_append_and_carry(&mut conn, patient, &self.derive_hash).await
            })
        })?;
        let Some(h) = found else { return Ok(false) };
        let Some(payload) = h
            .payload
            .filter(|p| append_hash(&h.carry_hash, p) == h.head_hash)
        else {
            return Ok(false);
        };
        let delta: Option<Delta> = serde_json::from_str(&payload).ok();
        let carry = crate::carry::decode(&h.summary, &h.course);
        let Some((summary, next)) = delta
            .zip(carry)
            .and_then(|(d, c)| crate::carry::append(&c, &d, &self.derive_cfg))
        else {
            return Ok(false);
        };
        self.derivations.from_carry.fetch_add(1, Ordering::Relaxed);
        let row = self.row_of(&summary, next.course.last_record_date());
        let meta = RevisionMeta {
            patient: patient.to_string(),
            rev: h.rev,
            kind: RevisionKind::Append,
            author: String::new(),
            at: String::new(),
            reason: None,
            chain_hash: h.head_hash,
        };
        let carry_row = crate::carry::encode(&next);
        self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let mut conn = pool.acquire().await?;
                ops::state::store_refreshed(&mut conn, &meta, &row, Some(&carry_row)).await
            })
        }))?;
        Ok(true)
    }

    /// Patients whose derived state is missing or was computed from an
    /// older revision, another engine version or another configuration.
    pub fn stale_patients(&self) -> Result<Vec<String>> {
        self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let rows = sqlx::query(
                "SELECT p.patient_id FROM patients p LEFT JOIN patient_state s ON s.patient_id = p.patient_id \
                 WHERE p.deleted = 0 AND p.purged = 0 AND (s.patient_id IS NULL OR s.rev <> p.head_rev \
                 OR s.engine_version <> $1 OR s.config_hash <> $2) ORDER BY p.patient_id",
            )
            .bind(ENGINE_VERSION)
            .bind(&self.derive_hash)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok(r.try_get::<String, _>(0)?))
                .collect()
        })
})
    }

    /// Recomputes every stale row; returns how many.
    pub fn refresh_stale(&self) -> Result<usize> {
        let stale = self.stale_patients()?;
        for p in &stale {
            self.refresh_derived(p)?;
        }
        Ok(stale.len())
    }

    /// The ward list: every current patient (or only those with alerts)
    /// with their derived state, recomputing stale rows first. One audit
    /// entry names the patients shown.
    pub fn list_patients(&self, actor: &Actor, alerts_only: bool) -> Result<Vec<PatientRow>> {
        self.refresh_stale()?;
        let rows = self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let filter = if alerts_only { "AND s.alert_count > 0" } else { "" };
            let rows = sqlx::query(&format!(
                "SELECT p.patient_id, p.head_rev, s.rev, s.engine_version, s.config_hash, s.computed_at, s.last_date, s.summary \
                 FROM patients p LEFT JOIN patient_state s ON s.patient_id = p.patient_id \
                 WHERE p.deleted = 0 AND p.purged = 0 {filter} ORDER BY p.patient_id"
            ))
            .fetch_all(pool)
            .await?;
            rows.iter().map(ops::state::row_to_patient).collect::<Result<Vec<_>>>()
        })
})?;
        let shown: Vec<String> = rows.iter().map(|r| r.patient.clone()).collect();
        let action = if alerts_only {
            "list_patients_alerts"
        } else {
            "list_patients"
        };
        self.audit(actor, &AuditEvent::ok(action, shown, "patient list"))?;
        Ok(rows)
    }
}

//! Chimerism results added to a stored patient: the results are attached
//! to the latest course with the same function as for course files
//! ([`graftwatch_course::attach_chimerism`]: a result replaces the earlier
//! one of the same sample, lineage, date and method), stored as one new
//! revision, and the run is recorded (input hashes, parameters, engine
//! version, results) — all in one transaction with one audit entry.

use graftwatch_course::{AttachSummary, ChimerismResult};

use crate::audit::{self, AuditEvent};
use crate::backend::on_pool;
use crate::change::{addition, canonical_json};
use crate::courses::NewRev;
use crate::error::Result;
use crate::lab::NewRun;
use crate::store::{Store, retry};
use crate::time::now_utc;
use crate::types::{Actor, RevisionKind, RevisionMeta};

/// What adding a chimerism run to a stored patient did.
#[derive(Debug, Clone, PartialEq)]
pub struct ChimerismAdded {
    /// The recorded run's id.
    pub run_id: String,
    /// The new revision, or `None` when the course already held exactly
    /// these results (a re-run with the same results changes nothing).
    pub revision: Option<RevisionMeta>,
    /// Observations added and earlier ones replaced.
    pub summary: AttachSummary,
}

/// The new revision for the attached course: an append when the results
/// only add observations, an amendment (with a reason naming the run) when
/// they replace earlier results of the same key.
pub(crate) fn revision_for<'a>(
    patient: &'a str,
    head: i64,
    old: &graftwatch_course::Course,
    new: &graftwatch_course::Course,
    reason: &'a str,
) -> Option<NewRev<'a>> {
    if old == new {
        return None;
    }
    let (kind, payload, reason) = match addition(old, new) {
        Some(d) => (
            RevisionKind::Append,
            serde_json::to_string(&d).unwrap_or_default(),
            None,
        ),
        None => (RevisionKind::Replace, canonical_json(new), Some(reason)),
    };
    Some(NewRev {
        patient,
        base: head,
        kind,
        payload: Some(payload),
        reason,
    })
}

impl Store {
    /// Adds a chimerism run's results to a stored patient (see the module
    /// documentation): one new revision (none when nothing changed), the
    /// run recorded and linked to the patient, one audit entry — in one
    /// transaction. A refused attempt (unknown patient, unknown donor, a
    /// share that is not a percentage) writes nothing and is audited.
    pub fn add_chimerism(
        &self,
        actor: &Actor,
        run: &NewRun,
        results: &[ChimerismResult],
    ) -> Result<ChimerismAdded> {
        let at = now_utc();
        let id = run.run_id(&at);
        let res = self.block(retry(|| async {
 on_pool!(&self.pool, pool, ops => {
            let mut tx = pool.begin().await?;
            let r = ops::chimerism::add_in_tx(&mut tx, &self.key, actor, run, results, &id).await?;
            tx.commit().await?;
            Ok(r)
        })
}));
        match res {
            Ok((revision, summary, (seq, hash))) => {
                audit::write_anchor(&self.anchor, seq, &hash)?;
                if self.derive_on_write && revision.is_some() {
                    self.refresh_derived(&run.patient)?;
                }
                Ok(ChimerismAdded {
                    run_id: id,
                    revision,
                    summary,
                })
            }
            Err(e) => {
                let ev = AuditEvent {
                    outcome: format!("refused: {e}"),
                    ..AuditEvent::ok("add_chimerism", vec![run.patient.clone()], "chimerism_run")
                };
                self.audit(actor, &ev)?;
                Err(e)
            }
        }
    }
}

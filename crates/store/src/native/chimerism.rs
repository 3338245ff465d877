// Chimerism results into a stored patient on one backend's native
// connection (compiled once per backend, see `crate::backend`).

use graftwatch_course::{AttachSummary, ChimerismResult, attach_chimerism};
use sqlx::Transaction;

use super::Db;
use super::courses::{insert_revision, load_course};
use crate::audit::AuditEvent;
use crate::chimerism::revision_for;
use crate::error::{Result, StoreError};
use crate::lab::NewRun;
use crate::time::now_utc;
use crate::types::{Actor, RevisionMeta};

/// Inserts the run row.
async fn insert_run(
    tx: &mut Transaction<'_, Db>,
    actor: &Actor,
    run: &NewRun,
    id: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO chimerism_runs (run_id, patient_id, created_at, author, method, input_hashes, parameters, engine_version, results) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&run.patient)
    .bind(at)
    .bind(&actor.name)
    .bind(&run.method)
    .bind(run.inputs_json())
    .bind(run.parameters.to_string())
    .bind(&run.engine_version)
    .bind(run.results.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) type Added = (Option<RevisionMeta>, AttachSummary, (i64, String));

pub(crate) async fn add_in_tx(
    tx: &mut Transaction<'_, Db>,
    key: &[u8],
    actor: &Actor,
    run: &NewRun,
    results: &[ChimerismResult],
    id: &str,
) -> Result<Added> {
    let at = now_utc();
    let (old, head) = load_course(tx, &run.patient, None).await?;
    let mut new = old.clone();
    let summary = attach_chimerism(&mut new, results).map_err(|e| {
        StoreError::Invalid(format!(
            "chimerism results for patient '{}': {e}",
            run.patient
        ))
    })?;
    let reason = format!(
        "chimerism {} run {}: a re-run replaces the earlier results of the same sample, lineage, date and method",
        run.method,
        &id[..12]
    );
    let meta = match revision_for(&run.patient, head.rev, &old, &new, &reason) {
        Some(n) => Some(insert_revision(tx, actor, &n).await?),
        None => None,
    };
    insert_run(tx, actor, run, id, &at).await?;
    let rev = meta.as_ref().map_or(head.rev, |m| m.rev);
    let ev = AuditEvent {
        reason: meta.as_ref().and_then(|m| m.reason.clone()),
        ..AuditEvent::ok(
            "add_chimerism",
            vec![run.patient.clone()],
            format!("chimerism_run:{id} -> course@{rev}"),
        )
    };
    let a = super::audit::append(tx, key, actor, &ev).await?;
    Ok((meta, summary, a))
}

// Derived-state rows on one backend's native connection (compiled once
// per backend, see `crate::backend`).

use sqlx::Row;

use super::DbRow;
use crate::derive::{DerivedState, DerivedSummary};
use crate::error::{Result, StoreError};
use crate::types::PatientRow;

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

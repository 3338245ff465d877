// Chimerism runs and reference profiles on one backend's native
// connection (compiled once per backend, see `crate::backend`).

use sqlx::Row;

use super::Db;
use crate::error::{Result, StoreError};

/// Whether the patient exists and was not purged.
pub(crate) async fn patient_exists(pool: &sqlx::Pool<Db>, patient: &str) -> Result<()> {
    let r = sqlx::query("SELECT purged FROM patients WHERE patient_id = $1")
        .bind(patient)
        .fetch_optional(pool)
        .await?;
    match r {
        None => Err(StoreError::NoPatient(patient.into())),
        Some(r) if r.try_get::<i64, _>(0)? != 0 => Err(StoreError::Purged(patient.into())),
        Some(_) => Ok(()),
    }
}

//! Keeping derived state current and listing patients from it.

use sqlx::Row as _;

use crate::audit::AuditEvent;
use crate::backend::on_pool;
use crate::derive::{ENGINE_VERSION, compute};
use crate::error::{Result, StoreError};
use crate::store::{Store, retry};
use crate::time::now_utc;
use crate::types::{Actor, PatientRow};

impl Store {
    /// Recomputes a patient's derived state from the latest revision (a
    /// deleted or purged patient has none). A row is only replaced by one
    /// computed from the same or a later revision.
    pub fn refresh_derived(&self, patient: &str) -> Result<()> {
        let (course, meta) = match self.course_unaudited(patient, None) {
            Ok(x) => x,
            Err(StoreError::Deleted(..) | StoreError::Purged(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let summary = compute(&course, &self.derive_cfg);
        let last_date = course.span().map(|(_, l)| l.to_string());
        let text = serde_json::to_string(&summary).unwrap_or_default();
        let cfg_hash = self.derive_cfg.hash();
        self.block(retry(|| async {
 on_pool!(&self.pool, pool, ops => {
            sqlx::query(
                "INSERT INTO patient_state (patient_id, rev, engine_version, config_hash, computed_at, alert_count, last_date, summary) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (patient_id) DO UPDATE SET rev = excluded.rev, engine_version = excluded.engine_version, \
                 config_hash = excluded.config_hash, computed_at = excluded.computed_at, alert_count = excluded.alert_count, \
                 last_date = excluded.last_date, summary = excluded.summary WHERE patient_state.rev <= excluded.rev",
            )
            .bind(patient)
            .bind(meta.rev)
            .bind(ENGINE_VERSION)
            .bind(&cfg_hash)
            .bind(now_utc())
            .bind(summary.alerts.len() as i64)
            .bind(last_date.clone())
            .bind(&text)
            .execute(pool)
            .await?;
            Ok(())
        })
}))
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
            .bind(self.derive_cfg.hash())
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


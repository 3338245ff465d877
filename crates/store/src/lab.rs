//! Chimerism runs (input file hashes, parameters, engine version, results,
//! sign-offs) and the recipient's and donors' reference profiles, linked to
//! a patient. Runs and profiles are never changed: a new profile is a new
//! version, a sign-off is a new row.

use serde::Serialize;
use sqlx::Row;

use crate::backend::on_pool;

use crate::audit::{self, AuditEvent};
use crate::error::{Result, StoreError};
use crate::hashing::sha256_hex;
use crate::store::{Store, retry};
use crate::time::now_utc;
use crate::types::{Actor, Role};

/// A chimerism run to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRun {
    /// Patient id.
    pub patient: String,
    /// `str` or `ngs`.
    pub method: String,
    /// `(file name, SHA-256)` of every input file.
    pub input_hashes: Vec<(String, String)>,
    /// Parameters (JSON).
    pub parameters: serde_json::Value,
    /// Engine version that computed the results.
    pub engine_version: String,
    /// Results (JSON).
    pub results: serde_json::Value,
}

impl NewRun {
    /// The input hashes as stored: a JSON array of `[file name, SHA-256]`.
    pub(crate) fn inputs_json(&self) -> String {
        serde_json::to_string(&self.input_hashes).unwrap_or_default()
    }

    /// The run's id recorded at `at`: the SHA-256 of patient, method,
    /// inputs, parameters, engine version and time.
    pub(crate) fn run_id(&self, at: &str) -> String {
        let inputs = self.inputs_json();
        let params = self.parameters.to_string();
        sha256_hex(&[
            self.patient.as_bytes(),
            self.method.as_bytes(),
            inputs.as_bytes(),
            params.as_bytes(),
            self.engine_version.as_bytes(),
            at.as_bytes(),
        ])
    }
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// Run id (SHA-256 of patient, method, inputs, parameters, engine, time).
    pub run_id: String,
    /// When recorded.
    pub at: String,
    /// By whom.
    pub author: String,
    /// The run.
    pub run: NewRun,
    /// Sign-offs: (signer, role, time, meaning).
    pub signoffs: Vec<(String, String, String, String)>,
}

/// A reference profile (the recipient's or a donor's pre-transplant STR or
/// NGS genotype) to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewProfile {
    /// Patient id.
    pub patient: String,
    /// `recipient` or the donor id.
    pub person: String,
    /// `str` or `ngs`.
    pub method: String,
    /// SHA-256 of the source file.
    pub input_hash: String,
    /// The profile (JSON).
    pub profile: serde_json::Value,
}

impl Store {
    /// Records a chimerism run (audited); returns its id.
    pub fn record_run(&self, actor: &Actor, run: &NewRun) -> Result<String> {
        let at = now_utc();
        let id = run.run_id(&at);
        let inputs = run.inputs_json();
        let params = run.parameters.to_string();
        let (seq, hash) = self.block(async {
            on_pool!(&self.pool, pool, ops => ops::lab::patient_exists(pool, &run.patient).await)?;
            retry(|| async {
 on_pool!(&self.pool, pool, ops => {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "INSERT INTO chimerism_runs (run_id, patient_id, created_at, author, method, input_hashes, parameters, engine_version, results) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&id)
                .bind(&run.patient)
                .bind(&at)
                .bind(&actor.name)
                .bind(&run.method)
                .bind(&inputs)
                .bind(&params)
                .bind(&run.engine_version)
                .bind(run.results.to_string())
                .execute(&mut *tx)
                .await?;
                let ev = AuditEvent::ok("record_run", vec![run.patient.clone()], format!("chimerism_run:{id}"));
                let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
                tx.commit().await?;
                Ok(a)
            })
})
            .await
        })?;
        audit::write_anchor(&self.anchor, seq, &hash)?;
        Ok(id)
    }

    /// Signs off a run (lab or admin role; audited).
    pub fn sign_off(&self, actor: &Actor, run_id: &str, meaning: &str) -> Result<()> {
        if !matches!(actor.role, Role::Lab | Role::Admin) {
            return Err(StoreError::Forbidden {
                action: "sign-off of a chimerism run",
                needed: "lab scientist",
                actor: actor.name.clone(),
                has: actor.role.label().to_string(),
            });
        }
        let (seq, hash) = self.block(retry(|| async {
 on_pool!(&self.pool, pool, ops => {
            let mut tx = pool.begin().await?;
            let row = sqlx::query("SELECT patient_id FROM chimerism_runs WHERE run_id = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::Invalid(format!("no chimerism run '{run_id}'")))?;
            let patient: String = row.try_get(0)?;
            sqlx::query("INSERT INTO run_signoffs (run_id, signer, role, signed_at, meaning) VALUES ($1, $2, $3, $4, $5)")
                .bind(run_id)
                .bind(&actor.name)
                .bind(actor.role.as_str())
                .bind(now_utc())
                .bind(meaning)
                .execute(&mut *tx)
                .await?;
            let ev = AuditEvent {
                reason: Some(meaning.into()),
                ..AuditEvent::ok("sign_off_run", vec![patient], format!("chimerism_run:{run_id}"))
            };
            let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
            tx.commit().await?;
            Ok(a)
        })
}))?;
        audit::write_anchor(&self.anchor, seq, &hash)
    }

    /// A patient's runs, oldest first, with sign-offs (audited).
    pub fn runs(&self, actor: &Actor, patient: &str) -> Result<Vec<Run>> {
        let runs = self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let rows = sqlx::query(
                "SELECT run_id, created_at, author, method, input_hashes, parameters, engine_version, results \
                 FROM chimerism_runs WHERE patient_id = $1 ORDER BY created_at, run_id",
            )
            .bind(patient)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let id: String = r.try_get(0)?;
                let signs = sqlx::query(
                    "SELECT signer, role, signed_at, meaning FROM run_signoffs WHERE run_id = $1 ORDER BY signed_at",
                )
                .bind(&id)
                .fetch_all(pool)
                .await?;
                let json = |i: usize| -> Result<serde_json::Value> {
                    let t: String = r.try_get(i)?;
                    serde_json::from_str(&t).map_err(|e| StoreError::Invalid(format!("run {id}: {e}")))
                };
                out.push(Run {
                    run_id: id.clone(),
                    at: r.try_get(1)?,
                    author: r.try_get(2)?,
                    run: NewRun {
                        patient: patient.into(),
                        method: r.try_get(3)?,
                        input_hashes: serde_json::from_value(json(4)?).unwrap_or_default(),
                        parameters: json(5)?,
                        engine_version: r.try_get(6)?,
                        results: json(7)?,
                    },
                    signoffs: signs
                        .iter()
                        .map(|s| Ok((s.try_get(0)?, s.try_get(1)?, s.try_get(2)?, s.try_get(3)?)))
                        .collect::<Result<Vec<_>>>()?,
                });
            }
            Ok::<_, StoreError>(out)
        })
})?;
        self.audit(
            actor,
            &AuditEvent::ok("read_runs", vec![patient.into()], "chimerism runs"),
        )?;
        Ok(runs)
    }

    /// Records a new version of a reference profile (audited); returns the version.
    pub fn put_profile(&self, actor: &Actor, p: &NewProfile) -> Result<i64> {
        let (v, (seq, hash)) = self.block(async {
            on_pool!(&self.pool, pool, ops => ops::lab::patient_exists(pool, &p.patient).await)?;
            retry(|| async {
 on_pool!(&self.pool, pool, ops => {
                let mut tx = pool.begin().await?;
                let v: i64 = sqlx::query(
                    "SELECT COALESCE(MAX(version), 0) FROM reference_profiles WHERE patient_id = $1 AND person = $2 AND method = $3",
                )
                .bind(&p.patient)
                .bind(&p.person)
                .bind(&p.method)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                sqlx::query(
                    "INSERT INTO reference_profiles (patient_id, person, method, version, created_at, author, input_hash, profile) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&p.patient)
                .bind(&p.person)
                .bind(&p.method)
                .bind(v + 1)
                .bind(now_utc())
                .bind(&actor.name)
                .bind(&p.input_hash)
                .bind(p.profile.to_string())
                .execute(&mut *tx)
                .await?;
                let ev = AuditEvent::ok(
                    "put_profile",
                    vec![p.patient.clone()],
                    format!("reference_profile:{}/{}/v{}", p.person, p.method, v + 1),
                );
                let a = ops::audit::append(&mut tx, &self.key, actor, &ev).await?;
                tx.commit().await?;
                Ok((v + 1, a))
            })
})
            .await
        })?;
        audit::write_anchor(&self.anchor, seq, &hash)?;
        Ok(v)
    }

    /// The latest profile of each (person, method) of a patient (audited).
    pub fn profiles(&self, actor: &Actor, patient: &str) -> Result<Vec<(NewProfile, i64)>> {
        let out = self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let rows = sqlx::query(
                "SELECT person, method, version, input_hash, profile FROM reference_profiles r WHERE patient_id = $1 \
                 AND version = (SELECT MAX(version) FROM reference_profiles q WHERE q.patient_id = r.patient_id \
                 AND q.person = r.person AND q.method = r.method) ORDER BY person, method",
            )
            .bind(patient)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let t: String = r.try_get(4)?;
                    Ok((
                        NewProfile {
                            patient: patient.into(),
                            person: r.try_get(0)?,
                            method: r.try_get(1)?,
                            input_hash: r.try_get(3)?,
                            profile: serde_json::from_str(&t)
                                .map_err(|e| StoreError::Invalid(format!("profile: {e}")))?,
                        },
                        r.try_get(2)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })
})?;
        self.audit(
            actor,
            &AuditEvent::ok("read_profiles", vec![patient.into()], "reference profiles"),
        )?;
        Ok(out)
    }
}

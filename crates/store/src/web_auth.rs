//! What the web server (`graftwatch serve`, crates/server) needs from the
//! store: password hashes (argon2id PHC strings computed by the server; the
//! store never sees a password), failed-login counting and lockout, sessions
//! with idle and absolute timeouts, user and token administration, a paged
//! ward list and a filtered audit log. Schema version 4.
//!
//! Everything here is shared by every server process using the database, so
//! several `graftwatch serve` processes behind one reverse proxy see the same
//! sessions, lockouts and tokens.

use sqlx::Row;

use crate::audit::{AuditEntry, AuditEvent, COLS};
use crate::backend::on_pool;
use crate::error::{Result, StoreError};
use crate::hashing::sha256_hex;
use crate::store::{Store, retry};
use crate::time::{format_utc, now_secs, now_utc};
use crate::types::{Actor, PatientRow, Role};
use crate::users::{admin_only, parse_role};

/// A user as the admin pages list them (no secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserRecord {
    /// User name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When the user was registered (UTC).
    pub created_at: String,
    /// Disabled users cannot log in and their sessions and tokens stop working.
    pub disabled: bool,
    /// Whether a password is set (a user without one cannot log in on the web).
    pub has_password: bool,
    /// Consecutive failed logins since the last success.
    pub failed_logins: i64,
    /// Locked out until (UTC), after too many failed logins.
    pub locked_until: Option<String>,
}

/// What the login check needs about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Role.
    pub role: Role,
    /// argon2id PHC string, if a password was set.
    pub password_hash: Option<String>,
    /// Locked out until (UTC).
    pub locked_until: Option<String>,
    /// Disabled.
    pub disabled: bool,
}

/// An API token as listed (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRecord {
    /// Owner.
    pub user: String,
    /// Label given at creation.
    pub label: String,
    /// Created (UTC).
    pub created_at: String,
    /// Revoked (UTC), if revoked.
    pub revoked_at: Option<String>,
}

/// Filters of the audit log view (all optional; entries newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exact user name.
    pub actor: Option<String>,
    /// A patient named in the entry.
    pub patient: Option<String>,
    /// Exact action.
    pub action: Option<String>,
    /// Exact channel (cli, web, api).
    pub channel: Option<String>,
    /// From this UTC date or time (inclusive, ISO 8601 prefix).
    pub from: Option<String>,
    /// Up to this UTC date (inclusive, ISO 8601 prefix).
    pub to: Option<String>,
    /// Only entries with a sequence number below this (paging, newest first).
    pub before_seq: Option<i64>,
    /// At most this many entries.
    pub limit: i64,
}

impl Store {
    /// Stores a user's argon2id password hash (admin, or the first user
    /// while no password is set anywhere: bootstrap). Audited; the hash is
    /// not written to the audit trail. Clears failed logins and lockout.
    pub fn set_password_hash(&self, actor: &Actor, user: &str, phc: &str) -> Result<()> {
        if !phc.starts_with("$argon2id$") {
            return Err(StoreError::Invalid(
                "a password hash must be an argon2id PHC string".into(),
            ));
        }
        if self.count("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL")? != 0 {
            admin_only(actor, "setting passwords")?;
        }
        let n = self.execute_text(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE user_name = $2",
            &[phc, user],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("no user '{user}'")));
        }
        self.audit(
            actor,
            &AuditEvent::ok("set_password", vec![], format!("user:{user}")),
        )
    }

    /// The login data of a user (`None` if unknown).
    pub fn credentials(&self, user: &str) -> Result<Option<Credentials>> {
        self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let r = sqlx::query(
                "SELECT role, password_hash, locked_until, disabled FROM users WHERE user_name = $1",
            )
            .bind(user)
            .fetch_optional(pool)
            .await?;
            let Some(r) = r else { return Ok(None) };
            Ok(Some(Credentials {
                role: parse_role(&r.try_get::<String, _>(0)?)?,
                password_hash: r.try_get(1)?,
                locked_until: r.try_get(2)?,
                disabled: r.try_get::<i64, _>(3)? != 0,
            }))
        })
})
    }

    /// Counts a failed login; after `lock_after` consecutive failures the
    /// account is locked for `lock_secs` seconds (the count restarts).
    /// Returns whether the account is now locked. Unknown users are ignored.
    pub fn login_failed(&self, user: &str, lock_after: i64, lock_secs: i64) -> Result<bool> {
        let until = format_utc(now_secs() + lock_secs, 0);
        self.block(retry(|| async {
 on_pool!(&self.pool, pool, ops => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE user_name = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            let r = sqlx::query(
                "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE user_name = $2 AND failed_logins >= $3",
            )
            .bind(&until)
            .bind(user)
            .bind(lock_after)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(r.rows_affected() == 1)
        })
}))
    }

    /// Clears the failure count after a successful login.
    pub fn login_succeeded(&self, user: &str) -> Result<()> {
        self.execute_text_retrying(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE user_name = $1",
            &[user],
        )?;
        Ok(())
    }

    /// The user and role of a live session, enforcing both timeouts: the
    /// absolute one (`expires_at`, set at creation) and `idle_secs` since the
    /// last activity. The last activity is written at most every
    /// `touch_secs` seconds (fewer writes under load).
    pub fn touch_session(
        &self,
        secret: &str,
        idle_secs: i64,
        touch_secs: i64,
    ) -> Result<Option<(String, Role)>> {
        let hash = sha256_hex(&[secret.as_bytes()]);
        let now_s = now_secs();
        let now = now_utc();
        let idle_cut = format_utc(now_s - idle_secs, 0);
        let touch_cut = format_utc(now_s - touch_secs, 0);
        self.block(retry(|| async {
 on_pool!(&self.pool, pool, ops => {
            let r = sqlx::query(
                "SELECT u.user_name, u.role, COALESCE(s.last_seen, s.created_at) FROM sessions s \
                 JOIN users u ON u.user_name = s.user_name \
                 WHERE s.session_hash = $1 AND s.expires_at > $2 AND u.disabled = 0 \
                 AND COALESCE(s.last_seen, s.created_at) > $3",
            )
            .bind(&hash)
            .bind(&now)
            .bind(&idle_cut)
            .fetch_optional(pool)
            .await?;
            let Some(r) = r else { return Ok(None) };
            let last: String = r.try_get(2)?;
            if last < touch_cut {
                sqlx::query("UPDATE sessions SET last_seen = $1 WHERE session_hash = $2")
                    .bind(&now)
                    .bind(&hash)
                    .execute(pool)
                    .await?;
            }
            Ok(Some((
                r.try_get(0)?,
                parse_role(&r.try_get::<String, _>(1)?)?,
            )))
        })
}))
    }

    /// Ends a session (logout, rotation at login). Also removes every
    /// expired session (housekeeping).
    pub fn end_session(&self, secret: &str) -> Result<()> {
        let hash = sha256_hex(&[secret.as_bytes()]);
        let now = now_utc();
        self.execute_text_retrying(
            "DELETE FROM sessions WHERE session_hash = $1 OR expires_at <= $2",
            &[&hash, &now],
        )?;
        Ok(())
    }

    /// Every user, by name.
    pub fn list_users(&self) -> Result<Vec<UserRecord>> {
        self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let rows = sqlx::query(
                "SELECT user_name, role, created_at, disabled, password_hash IS NOT NULL, failed_logins, locked_until \
                 FROM users ORDER BY user_name",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(UserRecord {
                        name: r.try_get(0)?,
                        role: parse_role(&r.try_get::<String, _>(1)?)?,
                        created_at: r.try_get(2)?,
                        disabled: r.try_get::<i64, _>(3)? != 0,
                        has_password: r.try_get::<bool, _>(4).or_else(|_| {
                            r.try_get::<i64, _>(4).map(|v| v != 0)
                        })?,
                        failed_logins: r.try_get(5)?,
                        locked_until: r.try_get(6)?,
                    })
                })
                .collect()
        })
})
    }

    /// Disables (or re-enables) a user (admin only, audited). Disabling
    /// ends the user's sessions at once; their tokens stop working.
    pub fn set_user_disabled(&self, actor: &Actor, user: &str, disabled: bool) -> Result<()> {
        admin_only(actor, "disabling users")?;
        let n = self.block(retry(|| async {
            on_pool!(&self.pool, pool, ops => {
                let mut tx = pool.begin().await?;
                let r = sqlx::query("UPDATE users SET disabled = $1 WHERE user_name = $2")
                    .bind(i64::from(disabled))
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                if disabled {
                    sqlx::query("DELETE FROM sessions WHERE user_name = $1")
                        .bind(user)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(r.rows_affected())
            })
        }))?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("no user '{user}'")));
        }
        let action = if disabled {
            "disable_user"
        } else {
            "enable_user"
        };
        self.audit(
            actor,
            &AuditEvent::ok(action, vec![], format!("user:{user}")),
        )
    }

    /// API tokens (of one user, or all), newest first.
    pub fn list_tokens(&self, user: Option<&str>) -> Result<Vec<TokenRecord>> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let rows = sqlx::query(
                    "SELECT user_name, label, created_at, revoked_at FROM api_tokens \
                     WHERE ($1 = '' OR user_name = $1) ORDER BY created_at DESC",
                )
                .bind(user.unwrap_or(""))
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(TokenRecord {
                            user: r.try_get(0)?,
                            label: r.try_get(1)?,
                            created_at: r.try_get(2)?,
                            revoked_at: r.try_get(3)?,
                        })
                    })
                    .collect()
            })
        })
    }

    /// Revokes every live token of `user` with `label` (admin only,
    /// audited). Returns how many were revoked.
    pub fn revoke_token_label(&self, actor: &Actor, user: &str, label: &str) -> Result<u64> {
        admin_only(actor, "revoking API tokens")?;
        let now = now_utc();
        let n = self.execute_text_retrying(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_name = $2 AND label = $3 AND revoked_at IS NULL",
            &[&now, user, label],
        )?;
        self.audit(
            actor,
            &AuditEvent::ok("revoke_token", vec![], format!("token:{user}:{label}")),
        )?;
        Ok(n)
    }

    /// One page of the ward list (patients by id, `offset`, at most
    /// `limit`) and the total count. Only the rows of the page whose
    /// derived state is stale (missing, older revision, other engine
    /// version or configuration) are recomputed, so a page costs the same
    /// with 100 or 10,000 patients. One audit entry names the patients shown.
    pub fn list_patients_page(
        &self,
        actor: &Actor,
        alerts_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<PatientRow>, i64)> {
        let mut page = self.patient_page(alerts_only, offset, limit)?;
        let stale: Vec<&str> = page
            .0
            .iter()
            .filter(|r| r.derived_stale(&self.derive_hash))
            .map(|r| r.patient.as_str())
            .collect();
        if !stale.is_empty() {
            for p in stale.into_iter().map(str::to_string).collect::<Vec<_>>() {
                self.refresh_derived(&p)?;
            }
            page = self.patient_page(alerts_only, offset, limit)?;
        }
        let shown: Vec<String> = page.0.iter().map(|r| r.patient.clone()).collect();
        let action = if alerts_only {
            "list_patients_alerts"
        } else {
            "list_patients"
        };
        self.audit(
            actor,
            &AuditEvent::ok(action, shown, format!("patient list from {offset}")),
        )?;
        Ok(page)
    }

    fn patient_page(
        &self,
        alerts_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<PatientRow>, i64)> {
        let filter = if alerts_only {
            "AND s.alert_count > 0"
        } else {
            ""
        };
        self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let rows = sqlx::query(&format!(
                "SELECT p.patient_id, p.head_rev, s.rev, s.engine_version, s.config_hash, s.computed_at, s.last_date, s.summary \
                 FROM patients p LEFT JOIN patient_state s ON s.patient_id = p.patient_id \
                 WHERE p.deleted = 0 AND p.purged = 0 {filter} ORDER BY p.patient_id LIMIT $1 OFFSET $2"
            ))
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query(&format!(
                "SELECT COUNT(*) FROM patients p LEFT JOIN patient_state s ON s.patient_id = p.patient_id \
                 WHERE p.deleted = 0 AND p.purged = 0 {filter}"
            ))
            .fetch_one(pool)
            .await?
            .try_get(0)?;
            let rows = rows.iter().map(ops::state::row_to_patient).collect::<Result<Vec<_>>>()?;
            Ok::<_, StoreError>((rows, total))
        })
})
    }

    /// Audit entries matching `f`, newest first (reading the audit trail is
    /// not itself recorded, as with `audit show`).
    pub fn audit_filtered(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let to = f.to.as_ref().map(|t| format!("{t}\u{7f}"));
        let patient = f.patient.as_ref().map(|p| format!("%{p}%"));
        self.block(async {
 on_pool!(&self.pool, pool, ops => {
            let rows = sqlx::query(&format!(
                "SELECT {COLS} FROM audit_log WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR patients LIKE $2) \
                 AND ($3 = '' OR action = $3) AND ($4 = '' OR channel = $4) AND ($5 = '' OR at >= $5) \
                 AND ($6 = '' OR at <= $6) AND seq < $7 ORDER BY seq DESC LIMIT $8"
            ))
            .bind(f.actor.as_deref().unwrap_or(""))
            .bind(patient.as_deref().unwrap_or(""))
            .bind(f.action.as_deref().unwrap_or(""))
            .bind(f.channel.as_deref().unwrap_or(""))
            .bind(f.from.as_deref().unwrap_or(""))
            .bind(to.as_deref().unwrap_or(""))
            .bind(f.before_seq.unwrap_or(i64::MAX))
            .bind(f.limit.clamp(1, 100_000))
            .fetch_all(pool)
            .await?;
            let mut out = rows.iter().map(ops::audit::row_to_entry).collect::<Result<Vec<_>>>()?;
            if let Some(p) = &f.patient {
                out.retain(|e| e.patients.split(',').any(|x| x == p));
            }
            Ok(out)
        })
})
    }
}

//! Users, roles, sessions and API tokens (for the server). Secrets are
//! random 32-byte values shown once; only their SHA-256 is stored.

use sqlx::Row;

use crate::audit::AuditEvent;
use crate::backend::on_pool;
use crate::error::{Result, StoreError, io_err};
use crate::hashing::{hex, random_bytes, sha256_hex};
use crate::store::{Store, retry};
use crate::time::{format_utc, now_secs, now_utc};
use crate::types::{Actor, Role};

fn secret() -> Result<String> {
    Ok(hex(
        &random_bytes(32).map_err(io_err(std::path::Path::new("/dev/urandom")))?
    ))
}

/// Refuses anyone but an admin (`action` names what was refused).
pub(crate) fn admin_only(actor: &Actor, action: &'static str) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(StoreError::Forbidden {
            action,
            needed: "admin",
            actor: actor.name.clone(),
            has: actor.role.label().to_string(),
        })
    }
}

/// A stored role name as a [`Role`].
pub(crate) fn parse_role(s: &str) -> Result<Role> {
    s.parse().map_err(StoreError::Invalid)
}

impl Store {
    /// Adds or changes a user (admin only; audited). The very first user
    /// may be added by anyone (bootstrap by `db init`).
    pub fn put_user(&self, actor: &Actor, name: &str, role: Role) -> Result<()> {
        if self.count("SELECT COUNT(*) FROM users")? != 0 {
            admin_only(actor, "managing users")?;
        }
        let before = self
            .list_users()?
            .into_iter()
            .find(|u| u.name == name)
            .map(|u| u.role);
        self.execute_text(
            "INSERT INTO users (user_name, role, created_at, disabled) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (user_name) DO UPDATE SET role = excluded.role",
            &[name, role.as_str(), &now_utc()],
        )?;
        if before.is_some_and(|r| r != role) {
            // A session keeps the role it was opened with: a changed role
            // must not reach open sessions, so they end.
            self.execute_text("DELETE FROM sessions WHERE user_name = $1", &[name])?;
        }
        self.audit(
            actor,
            &AuditEvent::ok("put_user", vec![], format!("user:{name}:{role}")),
        )
    }

    /// The role of a registered, enabled user.
    pub fn user_role(&self, name: &str) -> Result<Option<Role>> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let r = sqlx::query("SELECT role FROM users WHERE user_name = $1 AND disabled = 0")
                    .bind(name)
                    .fetch_optional(pool)
                    .await?;
                match r {
                    None => Ok(None),
                    Some(r) => {
                        let s: String = r.try_get(0)?;
                        parse_role(&s).map(Some)
                    }
                }
            })
        })
    }

    /// Creates an API token for `user` (admin only); the token is returned
    /// once and only its hash is kept.
    pub fn create_token(&self, actor: &Actor, user: &str, label: &str) -> Result<String> {
        admin_only(actor, "creating API tokens")?;
        let token = secret()?;
        self.execute_text(
            "INSERT INTO api_tokens (token_hash, user_name, label, created_at) VALUES ($1, $2, $3, $4)",
            &[&sha256_hex(&[token.as_bytes()]), user, label, &now_utc()],
        )?;
        self.audit(
            actor,
            &AuditEvent::ok("create_token", vec![], format!("token:{user}:{label}")),
        )?;
        Ok(token)
    }

    /// The user and role a token belongs to (`None` if unknown or revoked).
    pub fn token_user(&self, token: &str) -> Result<Option<(String, Role)>> {
        self.lookup(
            "SELECT u.user_name, u.role FROM api_tokens t JOIN users u ON u.user_name = t.user_name \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0",
            token,
            None,
        )
    }

    /// Revokes a token (admin only).
    pub fn revoke_token(&self, actor: &Actor, token: &str) -> Result<bool> {
        admin_only(actor, "revoking API tokens")?;
        let n = self.execute_text(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
            &[&now_utc(), &sha256_hex(&[token.as_bytes()])],
        )?;
        self.audit(actor, &AuditEvent::ok("revoke_token", vec![], "token"))?;
        Ok(n == 1)
    }

    /// Starts a session for `user` lasting `seconds`; returns the session secret.
    pub fn create_session(&self, user: &str, seconds: i64) -> Result<String> {
        let s = secret()?;
        let now = now_secs();
        self.execute_text(
            "INSERT INTO sessions (session_hash, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            &[
                &sha256_hex(&[s.as_bytes()]),
                user,
                &now_utc(),
                &format_utc(now + seconds, 0),
            ],
        )?;
        Ok(s)
    }

    /// The user and role of a live session.
    pub fn session_user(&self, session: &str) -> Result<Option<(String, Role)>> {
        self.lookup(
            "SELECT u.user_name, u.role FROM sessions s JOIN users u ON u.user_name = s.user_name \
             WHERE s.session_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
            session,
            Some(now_utc()),
        )
    }

    /// Runs one statement with text parameters bound to `$1, $2, …` in
    /// order; returns the rows affected.
    pub(crate) fn execute_text(&self, sql: &str, params: &[&str]) -> Result<u64> {
        self.block(self.execute_text_once(sql, params))
    }

    /// [`Store::execute_text`], run again while it fails transiently
    /// ([`retry`]).
    pub(crate) fn execute_text_retrying(&self, sql: &str, params: &[&str]) -> Result<u64> {
        self.block(retry(|| self.execute_text_once(sql, params)))
    }

    async fn execute_text_once(&self, sql: &str, params: &[&str]) -> Result<u64> {
        on_pool!(&self.pool, pool, ops => {
            let mut q = sqlx::query(sql);
            for p in params {
                q = q.bind(*p);
            }
            Ok(q.execute(pool).await?.rows_affected())
        })
    }

    /// The single `COUNT(*)` value of a parameterless query.
    pub(crate) fn count(&self, sql: &str) -> Result<i64> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let n: i64 = sqlx::query(sql).fetch_one(pool).await?.try_get(0)?;
                Ok::<_, StoreError>(n)
            })
        })
    }

    fn lookup(
        &self,
        sql: &str,
        secret: &str,
        now: Option<String>,
    ) -> Result<Option<(String, Role)>> {
        self.block(async {
            on_pool!(&self.pool, pool, ops => {
                let mut q = sqlx::query(sql).bind(sha256_hex(&[secret.as_bytes()]));
                if let Some(n) = now {
                    q = q.bind(n);
                }
                match q.fetch_optional(pool).await? {
                    None => Ok(None),
                    Some(r) => {
                        let role: String = r.try_get(1)?;
                        Ok(Some((
                            r.try_get(0)?,
                            parse_role(&role)?,
                        )))
                    }
                }
            })
        })
    }
}

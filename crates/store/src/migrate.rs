//! Embedded, versioned, forward-only schema migrations.
//!
//! Each migration is portable SQL (the same text on SQLite and PostgreSQL),
//! applied once in its own transaction and recorded with its SHA-256 in
//! `schema_migrations`. A migration whose text changed after it was applied
//! is an error; a database newer than the program is an error; there are no
//! down-migrations.

use crate::backend::{Pool, on_pool};

use crate::error::{Result, StoreError};
use crate::hashing::sha256_hex;

/// One migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Version (1, 2, …, without gaps).
    pub version: i64,
    /// Short name.
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sql: include_str!("../migrations/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "audit",
        sql: include_str!("../migrations/0002_audit.sql"),
    },
    Migration {
        version: 3,
        name: "derived_lab_users",
        sql: include_str!("../migrations/0003_derived_lab_users.sql"),
    },
    Migration {
        version: 4,
        name: "web_auth",
        sql: include_str!("../migrations/0004_web_auth.sql"),
    },
    Migration {
        version: 5,
        name: "course_checkpoints",
        sql: include_str!("../migrations/0005_course_checkpoints.sql"),
    },
    Migration {
        version: 6,
        name: "derive_carry",
        sql: include_str!("../migrations/0006_derive_carry.sql"),
    },
];

/// The newest schema version this program knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// The applied versions with their checksums (empty when none).
pub(crate) async fn applied(pool: &Pool) -> Result<Vec<(i64, String)>> {
    let rows: Vec<(i64, String)> = on_pool!(pool, p, _ops => {
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(p)
            .await
    })
    .or_else(|e| match e {
        // An empty database: no migrations table yet.
        sqlx::Error::Database(d)
            if d.message().contains("no such table") || d.message().contains("does not exist") =>
        {
            Ok(Vec::new())
        }
        e => Err(e),
    })?;
    Ok(rows)
}

/// The current schema version (0 = empty), after checking every applied
/// migration against the embedded one.
pub(crate) async fn current_version(pool: &Pool) -> Result<i64> {
    let done = applied(pool).await?;
    let mut v = 0;
    for (version, checksum) in done {
        match MIGRATIONS.iter().find(|m| m.version == version) {
            Some(m) if sha256_hex(&[m.sql.as_bytes()]) == checksum => v = version,
            Some(_) => return Err(StoreError::MigrationChanged(version)),
            None => {
                return Err(StoreError::SchemaTooNew {
                    found: version,
                    known: latest_version(),
                });
            }
        }
    }
    Ok(v)
}

/// Applies every migration newer than the database, up to `target`
/// (inclusive; `None` = all). Returns the versions applied.
pub(crate) async fn migrate_to(pool: &Pool, target: Option<i64>) -> Result<Vec<i64>> {
    on_pool!(pool, p, _ops => sqlx::raw_sql(CREATE_TABLE).execute(p).await.map(|_| ()))?;
    let current = current_version(pool).await?;
    let mut done = Vec::new();
    for m in MIGRATIONS {
        if m.version <= current || target.is_some_and(|t| m.version > t) {
            continue;
        }
        on_pool!(pool, p, _ops => {
            let mut tx = p.begin().await?;
            sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(sha256_hex(&[m.sql.as_bytes()]))
            .bind(crate::time::now_utc())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        done.push(m.version);
    }
    Ok(done)
}

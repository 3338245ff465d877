//! The SQLite backend: an embedded file (mode 0600, write-ahead log,
//! `synchronous=NORMAL`, busy timeout), `PRAGMA integrity_check`, and
//! backups with `VACUUM INTO`.

use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};

use crate::backend::{Backend, Val};
use crate::error::{Result, io_err};

/// Creates the file (mode 0600) and its directory (0700) when missing, and
/// tightens the mode of an existing file.
pub fn prepare_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        crate::paths::create_private_dir(dir).map_err(io_err(dir))?;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io_err(path))
}

/// Opens a typed pool of at most `max` connections on an existing file
/// (write-ahead log, `synchronous=NORMAL`, foreign keys, 30 s busy timeout).
pub async fn connect(path: &Path, max: u32) -> Result<SqlitePool> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_secs(30))
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    Ok(SqlitePoolOptions::new()
        .max_connections(max)
        .connect_with(opts)
        .await?)
}

/// `PRAGMA integrity_check`: an empty list when the file is sound.
pub async fn integrity_check(pool: &SqlitePool) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.0)
        .filter(|s| s != "ok")
        .collect())
}

/// The SQLite side of [`Backend`]: multi-row `INSERT`s of bound values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SqliteBackend;

impl Backend for SqliteBackend {
    type Db = Sqlite;

    async fn bulk_insert(
        tx: &mut sqlx::Transaction<'_, Sqlite>,
        table: &str,
        cols: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<()> {
        let head = format!("INSERT INTO {table} ({})", cols.join(", "));
        native::bulk::insert_rows(tx, &head, "", rows).await
    }

    async fn engine_check(pool: &SqlitePool) -> Result<Vec<String>> {
        integrity_check(pool).await
    }
}

/// The sqlx database type of this backend (used by [`native`]).
pub(crate) type Db = sqlx::Sqlite;
/// A connection of this backend.
pub(crate) type Conn = sqlx::SqliteConnection;
/// A result row of this backend.
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
/// This backend's [`Backend`] implementation.
pub(crate) type B = SqliteBackend;

/// The storage operations compiled natively for SQLite (the shared source
/// is `src/native/*.rs`; see [`crate::backend`]).
#[path = "native/ops.rs"]
#[allow(clippy::duplicate_mod)] // compiled once per backend on purpose
pub(crate) mod native;

/// A consistent copy of the database in the new file `dest`, made with
/// `VACUUM INTO` while the database stays usable (the caller,
/// [`crate::Store::backup`], refuses an existing file and sets the mode).
pub async fn backup(pool: &SqlitePool, dest: &Path) -> Result<()> {
    let quoted = dest.display().to_string().replace('\'', "''");
    sqlx::raw_sql(&format!("VACUUM INTO '{quoted}'"))
        .execute(pool)
        .await?;
    Ok(())
}

/// Replaces the database file `target` by the backup `src` (checked first
/// by the caller): copy beside the target, remove the old write-ahead log,
/// rename over.
pub fn restore_file(src: &Path, target: &Path) -> Result<()> {
    let tmp = PathBuf::from(format!(
        "{}.restore-{}",
        target.display(),
        std::process::id()
    ));
    std::fs::copy(src, &tmp).map_err(io_err(src))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io_err(&tmp))?;
    for ext in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", target.display()));
        if p.exists() {
            std::fs::remove_file(&p).map_err(io_err(&p))?;
        }
    }
    std::fs::rename(&tmp, target).map_err(io_err(target))
}

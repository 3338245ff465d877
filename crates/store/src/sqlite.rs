//! The SQLite backend: an embedded file (mode 0600, write-ahead log,
//! `synchronous=NORMAL`, busy timeout), `PRAGMA integrity_check`, and
//! backups with `VACUUM INTO`.

use std::path::{Path, PathBuf};

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};

use crate::error::{Result, StoreError, io_err};

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

/// Opens a pool on an existing file.
pub async fn connect(path: &Path, max: u32) -> Result<AnyPool> {
    let url = format!("sqlite://{}", path.display());
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(sqlx::raw_sql(
                    "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                ))
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    Ok(pool)
}

/// `PRAGMA integrity_check`: an empty list when the file is sound.
pub async fn integrity_check(pool: &AnyPool) -> Result<Vec<String>> {
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let s: String = r.try_get(0)?;
        if s != "ok" {
            out.push(s);
        }
    }
    Ok(out)
}

/// A consistent copy of the database in `dest` (mode 0600), made with
/// `VACUUM INTO` while the database stays usable.
pub async fn backup(pool: &AnyPool, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Invalid(format!(
            "{}: the backup file already exists; choose a new name",
            dest.display()
        )));
    }
    let quoted = dest.display().to_string().replace('\'', "''");
    sqlx::raw_sql(&format!("VACUUM INTO '{quoted}'"))
        .execute(pool)
        .await?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o600)).map_err(io_err(dest))
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

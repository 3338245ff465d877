//! The PostgreSQL backend: a server reached by URL (`postgres://…`),
//! backups with `pg_dump --format=custom` and restores with `pg_restore`.

use std::path::Path;
use std::process::Command;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use crate::error::{Result, StoreError};

/// Opens a pool.
pub async fn connect(url: &str, max: u32) -> Result<AnyPool> {
    Ok(AnyPoolOptions::new()
        .max_connections(max)
        .connect(url)
        .await?)
}

/// The URL without its password, for printing.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..s + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn run(tool: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| StoreError::Tool {
            tool: tool.into(),
            message: format!("cannot run it ({e}); install the PostgreSQL client programs"),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(StoreError::Tool {
            tool: tool.into(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// `pg_dump --format=custom` of the database into `dest` (mode 0600).
pub fn backup(url: &str, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Invalid(format!(
            "{}: the backup file already exists; choose a new name",
            dest.display()
        )));
    }
    let d = dest.display().to_string();
    run(
        "pg_dump",
        &[
            "--format=custom",
            "--no-owner",
            "--file",
            &d,
            "--dbname",
            url,
        ],
    )?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
        StoreError::Io {
            path: dest.to_path_buf(),
            source: e,
        }
    })
}

/// Restores a `pg_dump` backup over the database (its tables are dropped
/// and recreated in one transaction).
pub fn restore(url: &str, src: &Path) -> Result<()> {
    let s = src.display().to_string();
    run(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            url,
            &s,
        ],
    )
}

//! The PostgreSQL backend: a server reached by URL (`postgres://…`),
//! backups with `pg_dump --format=custom` and restores with `pg_restore`.

use std::path::Path;
use std::process::Command;

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};

use crate::backend::{Backend, Val};
use crate::error::{Result, StoreError};

/// Opens a typed pool of at most `max` connections.
pub async fn connect(url: &str, max: u32) -> Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max)
        .connect(url)
        .await?)
}

/// Appends one value to a `COPY … FROM STDIN` text-format line (tab
/// separated; backslash, tab, newline and carriage return escaped; `\N`
/// for NULL).
fn copy_field(out: &mut Vec<u8>, v: &Val) {
    let text = match v {
        Val::Int(n) => {
            out.extend_from_slice(n.to_string().as_bytes());
            return;
        }
        Val::Opt(None) => {
            out.extend_from_slice(b"\\N");
            return;
        }
        Val::Text(s) | Val::Opt(Some(s)) => s,
    };
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// Rows as `COPY` text format (one line per row).
pub(crate) fn copy_text(rows: &[Vec<Val>]) -> Vec<u8> {
    let mut out = Vec::new();
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            copy_field(&mut out, v);
        }
        out.push(b'\n');
    }
    out
}

/// The PostgreSQL side of [`Backend`]: rows streamed with
/// `COPY … FROM STDIN`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PgBackend;

/// Bytes sent per `COPY` data message.
const COPY_CHUNK: usize = 1 << 20;

impl Backend for PgBackend {
    type Db = Postgres;

    async fn bulk_insert(
        tx: &mut sqlx::Transaction<'_, Postgres>,
        table: &str,
        cols: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = format!("COPY {table} ({}) FROM STDIN", cols.join(", "));
        let mut copy = tx.copy_in_raw(&sql).await?;
        let data = copy_text(rows);
        for chunk in data.chunks(COPY_CHUNK) {
            copy.send(chunk).await?;
        }
        copy.finish().await?;
        Ok(())
    }

    async fn engine_check(_pool: &PgPool) -> Result<Vec<String>> {
        // PostgreSQL checks its pages itself (checksums when enabled); the
        // store's own invariants are checked by `Store::integrity_check`.
        Ok(Vec::new())
    }
}

/// The sqlx database type of this backend (used by [`native`]).
pub(crate) type Db = sqlx::Postgres;
/// A connection of this backend.
pub(crate) type Conn = sqlx::PgConnection;
/// A result row of this backend.
pub(crate) type DbRow = sqlx::postgres::PgRow;
/// This backend's [`Backend`] implementation.
pub(crate) type B = PgBackend;

/// The storage operations compiled natively for PostgreSQL (the shared source
/// is `src/native/*.rs`; see [`crate::backend`]).
#[path = "native/ops.rs"]
#[allow(clippy::duplicate_mod)] // compiled once per backend on purpose
pub(crate) mod native;

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

/// `pg_dump --format=custom` of the database into the new file `dest`
/// (the caller, [`crate::Store::backup`], refuses an existing file and
/// sets the mode).
pub fn backup(url: &str, dest: &Path) -> Result<()> {
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
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_separators_and_marks_null() {
        let rows = vec![
            vec![
                Val::Text("a\tb\\c\nd\re".into()),
                Val::Int(-7),
                Val::Opt(None),
                Val::Opt(Some("{\"x\":\"\\\"\"}".into())),
            ],
            vec![
                Val::Text(String::new()),
                Val::Int(0),
                Val::Opt(Some("N".into())),
                Val::Text("é".into()),
            ],
        ];
        let got = String::from_utf8(copy_text(&rows)).unwrap();
        assert_eq!(
            got,
            "a\\tb\\\\c\\nd\\re\t-7\t\\N\t{\"x\":\"\\\\\"\"}\n\t0\tN\té\n"
        );
    }
}

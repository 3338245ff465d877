//! The storage trait and the dispatch from the [`Store`](crate::Store)
//! facade to one natively typed module per backend.
//!
//! Each backend module ([`crate::sqlite`], [`crate::postgres`]) holds a
//! typed sqlx pool (`SqlitePool`, `PgPool`) and implements `Backend`: the
//! operations whose SQL or protocol differs (bulk row loading — PostgreSQL
//! `COPY … FROM STDIN`, SQLite multi-row `INSERT` of prepared statements —
//! and the integrity check). The transaction-level storage operations
//! (revisions, audit chain, bulk import, chimerism) are written once in
//! `src/native/*.rs` and compiled natively for each backend (the module
//! `src/native/ops.rs` is declared with `#[path]` as `sqlite::native` and
//! as `postgres::native`, with `Db` the backend's sqlx database type), so
//! both run the same logic on their own driver without sqlx's `Any` layer;
//! they are ordinary modules, checked by `cargo fmt` and clippy.

use crate::error::Result;

/// A pool on one of the two backends.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    /// An embedded SQLite file.
    Sqlite(sqlx::SqlitePool),
    /// A PostgreSQL database.
    Postgres(sqlx::PgPool),
}

impl Pool {
    /// Closes the pool (waits for connections to finish).
    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// One bound value of a bulk row.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    /// Text.
    Text(String),
    /// Text or NULL.
    Opt(Option<String>),
    /// A 64-bit integer.
    Int(i64),
}

/// What differs between the backends, implemented once per backend module
/// on its natively typed connection.
pub(crate) trait Backend {
    /// The sqlx database type (`Sqlite`, `Postgres`).
    type Db: sqlx::Database;

    /// Appends `rows` (each with one value per column of `cols`) to
    /// `table` inside the transaction: PostgreSQL streams them with
    /// `COPY … FROM STDIN`, SQLite with multi-row `INSERT`s. A duplicate key
    /// is an error (the whole transaction is rolled back by the caller).
    async fn bulk_insert(
        tx: &mut sqlx::Transaction<'_, Self::Db>,
        table: &str,
        cols: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<()>;

    /// The database engine's own integrity check (problems found; empty =
    /// sound).
    async fn engine_check(pool: &sqlx::Pool<Self::Db>) -> Result<Vec<String>>;
}

/// Runs `$body` with `$p` bound to the natively typed pool and `$ops` to
/// the backend's native operations module (`sqlite::native` or
/// `postgres::native`); the body is compiled once per backend.
macro_rules! on_pool {
    ($pool:expr, $p:ident, $ops:ident => $body:expr) => {
        match $pool {
            $crate::backend::Pool::Sqlite($p) => {
                #[allow(unused_imports)]
                use $crate::sqlite::native as $ops;
                $body
            }
            $crate::backend::Pool::Postgres($p) => {
                #[allow(unused_imports)]
                use $crate::postgres::native as $ops;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

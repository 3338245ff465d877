//! The store: one handle on a SQLite file or a PostgreSQL database, with a
//! synchronous API. The handle owns a multi-threaded tokio runtime and a
//! natively typed connection pool ([`crate::backend`]); it is `Sync`, and
//! calls made from several threads at once run in parallel, each on its
//! own pooled connection (each call blocks only its own thread).

use std::future::Future;
use std::path::{Path, PathBuf};

use crate::backend::{Backend, Pool, on_pool};

use crate::derive::DeriveConfig;
use crate::error::{Result, StoreError, io_err};
use crate::hashing::{hex, random_bytes, unhex};
use crate::head::{DEFAULT_HEAD_CACHE, HeadCache};
use crate::types::Role;
use crate::{migrate, paths, postgres, sqlite};

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl Location {
    /// Parses `postgres://…` / `postgresql://…`, `sqlite://PATH`,
    /// `sqlite:PATH` or a plain file path.
    pub fn parse(s: &str) -> Result<Location> {
        let s = s.trim();
        if s.is_empty() {
            return Err(StoreError::BadUrl(s.into()));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Location::Postgres(s.to_string()));
        }
        if let Some(p) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            if p.is_empty() {
                return Err(StoreError::BadUrl(s.into()));
            }
            return Ok(Location::Sqlite(PathBuf::from(p)));
        }
        if s.contains("://") {
            return Err(StoreError::BadUrl(s.into()));
        }
        Ok(Location::Sqlite(PathBuf::from(s)))
    }

    /// `arg` if given, else `$GRAFTWATCH_DB`, else the default SQLite file
    /// in the platform data directory.
    pub fn resolve(arg: Option<&str>) -> Result<Location> {
        match arg {
            Some(a) => Location::parse(a),
            None => match std::env::var("GRAFTWATCH_DB") {
                Ok(v) if !v.trim().is_empty() => Location::parse(&v),
                _ => Ok(Location::Sqlite(paths::default_db_path())),
            },
        }
    }

    /// For printing (a PostgreSQL password is removed).
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => format!("SQLite file {}", p.display()),
            Location::Postgres(u) => format!("PostgreSQL {}", postgres::redact(u)),
        }
    }

    /// Backend name.
    pub fn backend(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgresql",
        }
    }
}

/// The audit key: `$GRAFTWATCH_AUDIT_KEY` (hex), else the key file.
fn load_key(create: bool) -> Result<Vec<u8>> {
    if let Ok(v) = std::env::var("GRAFTWATCH_AUDIT_KEY") {
        return match unhex(&v) {
            Some(k) if k.len() >= 16 => Ok(k),
            _ => Err(StoreError::AuditKey(
                "GRAFTWATCH_AUDIT_KEY must be at least 32 hexadecimal digits".into(),
            )),
        };
    }
    let path = paths::audit_key_path();
    match std::fs::read_to_string(&path) {
        Ok(t) => match unhex(&t) {
            Some(k) if k.len() >= 16 => Ok(k),
            _ => Err(StoreError::AuditKey(format!(
                "{}: expected at least 32 hexadecimal digits",
                path.display()
            ))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = random_bytes(32).map_err(io_err(Path::new("/dev/urandom")))?;
            paths::write_private_atomic(&path, format!("{}\n", hex(&key)).as_bytes())
                .map_err(io_err(&path))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::AuditKey(format!(
            "no key file {} (and GRAFTWATCH_AUDIT_KEY is not set); the key is created by `graftwatch db init` — restore it from where it is kept",
            path.display()
        ))),
        Err(e) => Err(StoreError::Io { path, source: e }),
    }
}

/// An open store.
pub struct Store {
    pub(crate) rt: tokio::runtime::Runtime,
    pub(crate) pool: Pool,
    pub(crate) loc: Location,
    pub(crate) key: Vec<u8>,
    pub(crate) store_id: String,
    pub(crate) anchor: PathBuf,
    pub(crate) derive_cfg: DeriveConfig,
    /// [`DeriveConfig::hash`] of `derive_cfg`.
    pub(crate) derive_hash: String,
    pub(crate) derive_on_write: bool,
    /// Whether an append may derive from the patient's carry.
    pub(crate) derive_from_carry: bool,
    /// Courses at their latest revision this handle read or wrote.
    pub(crate) heads: HeadCache,
    /// Audit entries waiting for their group commit ([`Store::audit`]).
    pub(crate) audit_queue: crate::audit::AuditQueue,
    /// How this handle derived the state of its appends.
    pub(crate) derivations: crate::state::DerivationCounter,
}

/// What `db info` prints.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Info {
    /// Backend.
    pub backend: &'static str,
    /// Location (password removed).
    pub location: String,
    /// Schema version.
    pub schema_version: i64,
    /// Newest schema version this program knows.
    pub latest_schema_version: i64,
    /// The store's identity (names its anchor file).
    pub store_id: String,
    /// Number of patients.
    pub patients: i64,
    /// Number of revisions.
    pub revisions: i64,
    /// Number of audit entries.
    pub audit_entries: i64,
    /// The audit key file (or the environment variable).
    pub audit_key: String,
    /// The anchor file.
    pub anchor_file: String,
}

/// Connections per pool when not configured: enough for a server's
/// concurrent requests on PostgreSQL; SQLite has one writer at a time
/// anyway (readers run in parallel in WAL mode).
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// The pool size: `GRAFTWATCH_DB_POOL` when set to 1–256, else
/// [`DEFAULT_POOL_SIZE`].
fn pool_size() -> u32 {
    std::env::var("GRAFTWATCH_DB_POOL")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=256).contains(n))
        .unwrap_or(DEFAULT_POOL_SIZE)
}

/// A multi-threaded runtime: the I/O driver runs on its worker threads, so
/// each caller's `block_on` proceeds independently of the others.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("graftwatch-store")
        .enable_all()
        .build()
        .map_err(io_err(Path::new("tokio runtime")))
}

async fn connect(loc: &Location, create: bool, max: u32) -> Result<Pool> {
    match loc {
        Location::Sqlite(p) => {
            if !create && !p.exists() {
                return Err(StoreError::Invalid(format!(
                    "no database at {}: run `graftwatch db init` first (or give --db / GRAFTWATCH_DB)",
                    p.display()
                )));
            }
            sqlite::prepare_file(p)?;
            Ok(Pool::Sqlite(sqlite::connect(p, max).await?))
        }
        Location::Postgres(u) => Ok(Pool::Postgres(postgres::connect(u, max).await?)),
    }
}

async fn store_id(pool: &Pool, create: bool) -> Result<String> {
    let row: Option<(String,)> = on_pool!(pool, p, _ops => {
        sqlx::query_as("SELECT meta_value FROM store_meta WHERE meta_key = 'store_id'")
            .fetch_optional(p)
            .await?
    });
    if let Some(r) = row {
        return Ok(r.0);
    }
    if !create {
        return Err(StoreError::NotInitialised);
    }
    let id = hex(&random_bytes(16).map_err(io_err(Path::new("/dev/urandom")))?);
    on_pool!(pool, p, _ops => {
        sqlx::query("INSERT INTO store_meta (meta_key, meta_value) VALUES ('store_id', $1)")
            .bind(&id)
            .execute(p)
            .await
            .map(|_| ())?
    });
    Ok(id)
}

impl Store {
    /// Creates the database if needed (SQLite file mode 0600), applies every
    /// migration, and creates the audit key file if there is none. Returns
    /// the store and the migrations applied.
    pub fn init(loc: &Location) -> Result<(Store, Vec<i64>)> {
        let rt = runtime()?;
        let (pool, applied, id) = rt.block_on(async {
            let pool = connect(loc, true, pool_size()).await?;
            let applied = migrate::migrate_to(&pool, None).await?;
            let id = store_id(&pool, true).await?;
            Ok::<_, StoreError>((pool, applied, id))
        })?;
        let key = load_key(true)?;
        Ok((Store::assemble(rt, pool, loc, key, id), applied))
    }

    /// Opens an existing store at the latest schema version, with a pool of
    /// `GRAFTWATCH_DB_POOL` (default [`DEFAULT_POOL_SIZE`]) connections.
    pub fn open(loc: &Location) -> Result<Store> {
        Store::open_with_pool(loc, pool_size())
    }

    /// Opens an existing store with a pool of at most `connections`
    /// connections (at least 1): at most that many calls run on the
    /// database at once.
    pub fn open_with_pool(loc: &Location, connections: u32) -> Result<Store> {
        let rt = runtime()?;
        let (pool, id) = rt.block_on(async {
            let pool = connect(loc, false, connections.max(1)).await?;
            let v = migrate::current_version(&pool).await?;
            if v == 0 {
                return Err(StoreError::NotInitialised);
            }
            if v < migrate::latest_version() {
                return Err(StoreError::Invalid(format!(
                    "the database schema is at version {v}; this program needs version {}: back it up (`graftwatch db backup FILE`) and run `graftwatch db migrate`",
                    migrate::latest_version()
                )));
            }
            let id = store_id(&pool, false).await?;
            Ok((pool, id))
        })?;
        let key = load_key(false)?;
        Ok(Store::assemble(rt, pool, loc, key, id))
    }

    /// Applies pending migrations to an existing database.
    pub fn migrate(loc: &Location) -> Result<Vec<i64>> {
        let rt = runtime()?;
        rt.block_on(async {
            let pool = connect(loc, false, pool_size()).await?;
            if migrate::current_version(&pool).await? == 0 {
                return Err(StoreError::NotInitialised);
            }
            let done = migrate::migrate_to(&pool, None).await?;
            pool.close().await;
            Ok(done)
        })
    }

    /// Creates the database if needed and applies the migrations up to
    /// `version` only (older schemas for migration tests and upgrades of
    /// one step); returns the versions applied.
    pub fn migrate_to_version(loc: &Location, version: i64) -> Result<Vec<i64>> {
        let rt = runtime()?;
        rt.block_on(async {
            let pool = connect(loc, true, 1).await?;
            let done = migrate::migrate_to(&pool, Some(version)).await?;
            pool.close().await;
            Ok(done)
        })
    }

    fn assemble(
        rt: tokio::runtime::Runtime,
        pool: Pool,
        loc: &Location,
        key: Vec<u8>,
        store_id: String,
    ) -> Store {
        Store {
            anchor: paths::anchor_path(&store_id),
            rt,
            pool,
            loc: loc.clone(),
            key,
            store_id,
            derive_hash: DeriveConfig::default().hash(),
            derive_cfg: DeriveConfig::default(),
            derive_on_write: true,
            derive_from_carry: true,
            heads: HeadCache::new(DEFAULT_HEAD_CACHE),
            audit_queue: Default::default(),
            derivations: Default::default(),
        }
    }

    /// Uses another configuration for derived state (rows computed with a
    /// different configuration hash are recomputed when next listed).
    pub fn set_derive_config(&mut self, cfg: DeriveConfig) {
        self.derive_hash = cfg.hash();
        self.derive_cfg = cfg;
    }

    /// Keeps the latest course of at most `patients` patients in memory
    /// (default [`DEFAULT_HEAD_CACHE`]; 0 keeps none), so that a write on
    /// top of a course this handle has just read or written derives the
    /// new state without replaying the history from the database
    /// (`crate::head`). The result is the same either way.
    pub fn set_head_cache(&mut self, patients: usize) {
        self.heads = HeadCache::new(patients);
    }

    /// Whether an append may derive the new state from the patient's carry
    /// instead of the whole course (default on; docs/store.md, "Appending a
    /// day: the carry"). The result is the same either way; off, every
    /// append grades the whole course (benchmarks compare the two; tests of
    /// the checkpoints need it).
    pub fn set_derive_from_carry(&mut self, on: bool) {
        self.derive_from_carry = on;
    }

    /// Whether each write recomputes the patient's derived state at once
    /// (default) or leaves it to the next list (bulk imports).
    pub fn set_derive_on_write(&mut self, on: bool) {
        self.derive_on_write = on;
    }

    /// Where the database is.
    pub fn location(&self) -> &Location {
        &self.loc
    }

    /// The anchor file of this store.
    pub fn anchor_file(&self) -> &Path {
        &self.anchor
    }

    pub(crate) fn block<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Counts and locations for `db info`.
    pub fn info(&self) -> Result<Info> {
        let count = |sql: &'static str| async move {
            let r: (i64,) =
                on_pool!(&self.pool, p, _ops => sqlx::query_as(sql).fetch_one(p).await?);
            Ok::<i64, StoreError>(r.0)
        };
        let (v, p, r, a) = self.block(async {
            Ok::<_, StoreError>((
                migrate::current_version(&self.pool).await?,
                count("SELECT COUNT(*) FROM patients").await?,
                count("SELECT COUNT(*) FROM revisions").await?,
                count("SELECT COUNT(*) FROM audit_log").await?,
            ))
        })?;
        Ok(Info {
            backend: self.loc.backend(),
            location: self.loc.describe(),
            schema_version: v,
            latest_schema_version: migrate::latest_version(),
            store_id: self.store_id.clone(),
            patients: p,
            revisions: r,
            audit_entries: a,
            audit_key: if std::env::var_os("GRAFTWATCH_AUDIT_KEY").is_some() {
                "GRAFTWATCH_AUDIT_KEY (environment)".into()
            } else {
                paths::audit_key_path().display().to_string()
            },
            anchor_file: self.anchor.display().to_string(),
        })
    }

    /// The database's own integrity check (SQLite `PRAGMA integrity_check`)
    /// plus the store's invariants: every patient's latest revision exists,
    /// revisions are numbered 1..n without gaps, the audit head matches the
    /// last audit entry. Returns the problems found (empty = sound).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.block(async {
            let (mut out, heads, audit) = on_pool!(&self.pool, pool, ops => {
                let engine = ops::B::engine_check(pool).await?;
                let heads: Vec<(String, i64, i64, i64)> = sqlx::query_as(
                    "SELECT p.patient_id, p.head_rev, COUNT(r.rev), COALESCE(MAX(r.rev), 0) \
                     FROM patients p LEFT JOIN revisions r ON r.patient_id = p.patient_id \
                     GROUP BY p.patient_id, p.head_rev",
                )
                .fetch_all(pool)
                .await?;
                let audit: (i64, i64) = sqlx::query_as(
                    "SELECT h.seq, COALESCE((SELECT MAX(seq) FROM audit_log), 0) FROM audit_head h WHERE h.id = 1",
                )
                .fetch_one(pool)
                .await?;
                (engine, heads, audit)
            });
            for (id, head, n, max) in heads {
                if head != max || n != max {
                    out.push(format!(
                        "patient '{id}': latest revision {head}, stored revisions {n} (highest {max})"
                    ));
                }
            }
            let (seq, max) = audit;
            if seq != max {
                out.push(format!(
                    "audit head says {seq} entries, the audit table's last entry is {max}"
                ));
            }
            Ok(out)
        })
    }

    /// Writes a consistent backup to `dest` (SQLite: `VACUUM INTO`;
    /// PostgreSQL: `pg_dump --format=custom`).
    /// The file is refused when it exists and is made private (mode 0600).
    pub fn backup(&self, dest: &Path) -> Result<()> {
        let dir = dest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(StoreError::Invalid(format!(
                "{}: no such directory; the backup was not written",
                dir.display()
            )));
        }
        if dest.exists() {
            return Err(StoreError::Invalid(format!(
                "{}: the backup file already exists; choose a new name",
                dest.display()
            )));
        }
        match (&self.pool, &self.loc) {
            (Pool::Sqlite(p), _) => self.block(sqlite::backup(p, dest))?,
            (Pool::Postgres(_), Location::Postgres(u)) => postgres::backup(u, dest)?,
            (Pool::Postgres(_), Location::Sqlite(_)) => {
                return Err(StoreError::Invalid(
                    "a PostgreSQL pool on a SQLite location".into(),
                ));
            }
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o600)).map_err(io_err(dest))
    }

    /// Closes the pool (waits for connections to finish).
    pub fn close(self) {
        self.rt.block_on(self.pool.close());
    }
}

/// Replaces the database at `loc` by the backup `src`. A SQLite backup is
/// opened and checked before it replaces anything (no role or store-id
/// check: see [`restore_checked`]).
pub fn restore(loc: &Location, src: &Path) -> Result<()> {
    restore_from(loc, src, None)
}

/// [`restore`] for a user: refused unless `actor` is a registered admin of
/// the current store (when it can be opened; an unregistered actor is not
/// an admin), and, for SQLite, unless the backup is of this same store
/// (the same store id: the audit anchors of this store would otherwise
/// report the restored chain as tampered with) or `force` is given.
/// Returns the current store's audit anchor file, when it was opened.
pub fn restore_checked(
    loc: &Location,
    src: &Path,
    actor: &str,
    force: bool,
) -> Result<Option<PathBuf>> {
    let mut anchor = None;
    let mut current_id = None;
    if let Ok(s) = Store::open(loc) {
        let role = s.user_role(actor)?;
        if role != Some(Role::Admin) {
            return Err(StoreError::Forbidden {
                action: "restore",
                needed: "admin",
                actor: actor.into(),
                has: role.map_or_else(|| "none: not a registered user".into(), |r| r.to_string()),
            });
        }
        anchor = Some(s.anchor_file().to_path_buf());
        current_id = Some(s.store_id.clone());
        s.close();
    }
    restore_from(loc, src, current_id.as_deref().filter(|_| !force))?;
    Ok(anchor)
}

/// Opens a SQLite backup, in words when it is not one.
fn open_backup(src: &Path) -> Result<Store> {
    let not_backup = |why: String| {
        StoreError::Invalid(format!(
            "{} is not a graftwatch SQLite backup ({why}); nothing restored",
            src.display()
        ))
    };
    Store::open(&Location::Sqlite(src.to_path_buf())).map_err(|e| match e {
        StoreError::Db(d) => {
            let text = d.to_string();
            if text.contains("file is not a database") || text.contains("code: 26") {
                not_backup("the file is not a SQLite database".into())
            } else {
                not_backup(format!("it cannot be opened as a database: {text}"))
            }
        }
        StoreError::NotInitialised => {
            not_backup("it is a SQLite database without the graftwatch tables".into())
        }
        other => other,
    })
}

fn restore_from(loc: &Location, src: &Path, expect_id: Option<&str>) -> Result<()> {
    if !src.is_file() {
        return Err(StoreError::Invalid(format!(
            "{}: no such backup file",
            src.display()
        )));
    }
    match loc {
        Location::Sqlite(target) => {
            let check = open_backup(src)?;
            let problems = check.integrity_check()?;
            let backup_id = check.store_id.clone();
            check.close();
            if !problems.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "{}: the backup fails its integrity check: {}",
                    src.display(),
                    problems.join("; ")
                )));
            }
            if let Some(current) = expect_id
                && current != backup_id
            {
                return Err(StoreError::Invalid(format!(
                    "{} is a backup of another store (store id {backup_id}), not of this one (store id {current}); \
                     restoring it would replace every patient and make this store's audit anchors report the \
                     restored trail as tampered with — nothing restored; give --force to replace this store by the other one",
                    src.display()
                )));
            }
            sqlite::restore_file(src, target)
        }
        Location::Postgres(u) => postgres::restore(u, src),
    }
}

/// Whether an error is a transient lock/serialisation failure worth a retry.
pub(crate) fn is_transient(e: &StoreError) -> bool {
    match e {
        StoreError::Db(sqlx::Error::Database(d)) => {
            matches!(
                d.code().as_deref(),
                Some("5" | "6" | "261" | "517" | "40001" | "40P01")
            ) || d.message().contains("database is locked")
        }
        StoreError::Db(sqlx::Error::PoolTimedOut) => true,
        _ => false,
    }
}

/// Runs `f` again (with a growing pause) while it fails transiently.
pub(crate) async fn retry<T, F, Fut>(mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 0u32;
    loop {
        match f().await {
            Err(e) if is_transient(&e) && attempt < 200 => {
                attempt += 1;
                let ms = u64::from(attempt.min(20)) * 2;
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            r => return r,
        }
    }
}

/// Whether a database error is a unique-key violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

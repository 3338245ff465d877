//! Test harness shared by the store tests: throwaway SQLite files and a
//! throwaway PostgreSQL cluster (initdb + pg_ctl on a temporary directory
//! and a free port; stopped and removed on drop), raw SQL for tampering,
//! and sample courses.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use graftwatch_course::{Course, read_course};
use graftwatch_store::{Actor, Channel, Location, Role, Store};

static ENV: Once = Once::new();

/// Fixes the audit key and the configuration/data directories for the
/// test process (before any store is opened).
pub fn setup() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gw-store-test-{}", std::process::id()));
    ENV.call_once(|| {
        std::fs::create_dir_all(&dir).unwrap();
        // SAFETY: set once, before any store reads the environment, guarded by `Once`.
        unsafe {
            std::env::set_var(
                "GRAFTWATCH_AUDIT_KEY",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            );
            std::env::set_var("XDG_CONFIG_HOME", dir.join("config"));
            std::env::set_var("XDG_DATA_HOME", dir.join("data"));
            std::env::remove_var("GRAFTWATCH_AUDIT_ANCHOR");
            std::env::remove_var("GRAFTWATCH_DB");
        }
    });
    dir
}

pub fn actor(name: &str, role: Role) -> Actor {
    Actor {
        name: name.into(),
        role,
        channel: Channel::Cli,
    }
}

pub fn clinician() -> Actor {
    actor("dr.test", Role::Clinician)
}

pub fn admin() -> Actor {
    actor("admin.test", Role::Admin)
}

/// The bundled seed course.
pub fn seed() -> Course {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    read_course(&p).unwrap().course
}

/// The seed course as patient `id`, with only the observations before
/// `cut` (index) — the rest can be appended later.
pub fn seed_as(id: &str, cut: usize) -> (Course, Vec<graftwatch_course::Observation>) {
    let mut c = seed();
    c.patient.id.0 = id.into();
    let rest = c.observations.split_off(cut.min(c.observations.len()));
    (c, rest)
}

/// Where fresh databases come from.
pub trait Db {
    /// A new, empty database.
    fn fresh(&self) -> Location;
    /// Runs raw SQL (tampering, inspection).
    fn raw(&self, loc: &Location, sql: &str) {
        raw_exec(loc, sql);
    }
    /// Backend name.
    fn name(&self) -> &'static str;
}

fn url_of(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => format!("sqlite://{}", p.display()),
        Location::Postgres(u) => u.clone(),
    }
}

pub fn raw_exec(loc: &Location, sql: &str) {
    let rt = tokio_rt();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url_of(loc)).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        pool.close().await;
    });
}

pub fn raw_i64(loc: &Location, sql: &str) -> i64 {
    use sqlx::Row;
    let rt = tokio_rt();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url_of(loc)).await.unwrap();
        let v: i64 = sqlx::query(sql)
            .fetch_one(&pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        pool.close().await;
        v
    })
}

/// Migrates a fresh database only up to `version`.
pub fn migrate_partially(loc: &Location, version: i64) {
    Store::migrate_to_version(loc, version).unwrap();
}

pub fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Throwaway SQLite files in one temporary directory.
pub struct SqliteDb {
    dir: tempfile::TempDir,
    n: AtomicUsize,
}

impl SqliteDb {
    pub fn new() -> SqliteDb {
        setup();
        SqliteDb {
            dir: tempfile::tempdir().unwrap(),
            n: AtomicUsize::new(0),
        }
    }
}

impl Db for SqliteDb {
    fn fresh(&self) -> Location {
        let n = self.n.fetch_add(1, Ordering::SeqCst);
        Location::Sqlite(self.dir.path().join(format!("db{n}.sqlite3")))
    }
    fn name(&self) -> &'static str {
        "sqlite"
    }
}

/// A throwaway PostgreSQL cluster.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    n: AtomicUsize,
    as_postgres: bool,
}

fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

impl PgCluster {
    /// Starts a cluster, or `None` (with a loud message) when the PostgreSQL
    /// server programs are not installed.
    pub fn start() -> Option<PgCluster> {
        setup();
        let Some(bin) = pg_bin() else {
            eprintln!(
                "\n*** SKIPPING PostgreSQL tests: no /usr/lib/postgresql/*/bin/initdb (install the Debian package `postgresql`) ***\n"
            );
            return None;
        };
        let as_postgres = is_root();
        let dir =
            std::env::temp_dir().join(format!("gw-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = PgCluster {
            dir,
            bin,
            port: free_port(),
            n: AtomicUsize::new(0),
            as_postgres,
        };
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&c.dir)
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown of the cluster directory");
        }
        let data = c.dir.join("data").display().to_string();
        c.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "gw",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            c.port,
            c.dir.display()
        );
        let log = c.dir.join("log").display().to_string();
        c.run(
            "pg_ctl",
            &["-D", &data, "-o", &opts, "-l", &log, "-w", "start"],
        );
        Some(c)
    }

    /// A command running the cluster's `tool` (as the `postgres` user when
    /// the tests run as root).
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://gw@127.0.0.1:{}/{db}", self.port)
    }
}

impl Db for PgCluster {
    fn fresh(&self) -> Location {
        let n = self.n.fetch_add(1, Ordering::SeqCst);
        let name = format!("t{n}");
        raw_exec(
            &Location::Postgres(self.url("postgres")),
            &format!("CREATE DATABASE {name}"),
        );
        Location::Postgres(self.url(&name))
    }
    fn name(&self) -> &'static str {
        "postgresql"
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let args = ["-D", data.as_str(), "-m", "immediate", "-w", "stop"];
        let _ = self.command("pg_ctl").args(args).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Two connections to the PostgreSQL database `url`: the first has begun a
/// transaction with `lock_sql` (and holds its lock until `COMMIT`), the
/// second is free to watch the waiters ([`lock_waiters`]).
pub fn locker_and_watcher(
    rt: &tokio::runtime::Runtime,
    url: &str,
    lock_sql: &str,
) -> (sqlx::AnyConnection, sqlx::AnyConnection) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let (mut locker, watcher) = rt.block_on(async {
        (
            sqlx::AnyConnection::connect(url).await.unwrap(),
            sqlx::AnyConnection::connect(url).await.unwrap(),
        )
    });
    rt.block_on(sqlx::raw_sql(lock_sql).execute(&mut locker))
        .unwrap();
    (locker, watcher)
}

/// Backends of this database waiting for a lock (PostgreSQL).
pub async fn lock_waiters(conn: &mut sqlx::AnyConnection) -> i64 {
    use sqlx::Row;
    sqlx::query(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    )
    .fetch_one(conn)
    .await
    .unwrap()
    .try_get(0)
    .unwrap()
}

/// The stored derived-state row of a patient as it is (no recomputation):
/// revision and summary JSON.
pub fn raw_state(loc: &Location, patient: &str) -> Option<(i64, String)> {
    use sqlx::Row;
    let rt = tokio_rt();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url_of(loc)).await.unwrap();
        let row = sqlx::query("SELECT rev, summary FROM patient_state WHERE patient_id = $1")
            .bind(patient)
            .fetch_optional(&pool)
            .await
            .unwrap();
        pool.close().await;
        row.map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
    })
}

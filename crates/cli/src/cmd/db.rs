//! `graftwatch db init|info|migrate|backup FILE|restore FILE|add-user`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use graftwatch_store::{AuditEvent, Role, Store};

use super::store_common::{StoreOpts, actor_name, store_err};
use crate::BadInput;

/// `db` subcommands.
#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Create the database (SQLite file mode 0600) and the audit key, apply
    /// the schema, and register the acting user as administrator.
    Init(StoreOpts),
    /// Where the database, the audit key and the anchor file are; counts.
    Info(StoreOpts),
    /// Apply pending schema migrations (forward-only; back up first).
    Migrate(StoreOpts),
    /// Write a consistent backup (SQLite: a database file; PostgreSQL: pg_dump custom format).
    Backup(FileArgs),
    /// Replace the database by a backup (checked first; admin only).
    Restore(RestoreArgs),
    /// Register a user with a role (admin only): admin, clinician, lab, data_manager, monitor.
    AddUser(AddUserArgs),
}

/// `db backup|restore FILE`.
#[derive(Args, Debug)]
pub struct FileArgs {
    /// The backup file.
    pub file: PathBuf,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// `db restore FILE [--force]`.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// Restore a SQLite backup of another store (another store id) all the
    /// same: it replaces every patient, and this store's audit anchors no
    /// longer match (they are kept aside).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// `db add-user NAME --role ROLE`.
#[derive(Args, Debug)]
pub struct AddUserArgs {
    /// User name (as given to --actor or the OS user name).
    pub name: String,
    /// Role.
    #[arg(long)]
    pub role: String,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// Runs `db`.
pub fn run(c: DbCommand) -> anyhow::Result<()> {
    match c {
        DbCommand::Init(o) => init(&o),
        DbCommand::Info(o) => info(&o),
        DbCommand::Migrate(o) => {
            let done = Store::migrate(&o.location()?).map_err(store_err)?;
            match done.as_slice() {
                [] => println!("the schema is up to date"),
                v => println!("applied schema migrations {v:?}"),
            }
            Ok(())
        }
        DbCommand::Backup(a) => {
            let (s, actor) = a.store.open()?;
            s.backup(&a.file).map_err(store_err)?;
            let ev = AuditEvent::ok("backup", vec!["*".into()], a.file.display().to_string());
            s.audit(&actor, &ev).map_err(store_err)?;
            println!("backup written to {}", a.file.display());
            Ok(())
        }
        DbCommand::Restore(a) => restore(&a),
        DbCommand::AddUser(a) => {
            let role: Role = a
                .role
                .parse()
                .map_err(|e: String| BadInput(format!("--role: {e}")))?;
            let (s, actor) = a.store.open()?;
            let before = s.user_role(&a.name).map_err(store_err)?;
            s.put_user(&actor, &a.name, role).map_err(store_err)?;
            match before {
                Some(r) if r != role => {
                    println!("{}: role changed from {r} to {role}", a.name)
                }
                Some(_) => println!("{} was already registered as {role}", a.name),
                None => println!("{} is registered as {role}", a.name),
            }
            Ok(())
        }
    }
}

fn init(o: &StoreOpts) -> anyhow::Result<()> {
    let loc = o.location()?;
    let (s, applied) = Store::init(&loc).map_err(store_err)?;
    let name = actor_name(o.actor.as_deref());
    let actor = graftwatch_store::Actor {
        name: name.clone(),
        role: Role::Admin,
        channel: graftwatch_store::Channel::Cli,
    };
    if s.user_role(&name).map_err(store_err)?.is_none() {
        // Succeeds only on an empty users table (bootstrap) or for an admin.
        if s.put_user(&actor, &name, Role::Admin).is_ok() {
            println!("{name} is registered as admin");
        }
    }
    println!("database: {}", loc.describe());
    match applied.as_slice() {
        [] => println!("the schema was already up to date"),
        v => println!("applied schema migrations {v:?}"),
    }
    let i = s.info().map_err(store_err)?;
    println!("audit key: {}", i.audit_key);
    println!("audit anchor file: {}", i.anchor_file);
    Ok(())
}

fn info(o: &StoreOpts) -> anyhow::Result<()> {
    let loc = o.location()?;
    println!("database: {}", loc.describe());
    let s = match Store::open(&loc) {
        Ok(s) => s,
        Err(e) => {
            println!("status: {e}");
            return Ok(());
        }
    };
    let i = s.info().map_err(store_err)?;
    println!("backend: {}", i.backend);
    println!(
        "schema version: {} (this program: {})",
        i.schema_version, i.latest_schema_version
    );
    println!("store id: {}", i.store_id);
    println!("patients: {}", i.patients);
    println!("revisions: {}", i.revisions);
    println!("audit entries: {}", i.audit_entries);
    println!("audit key: {}", i.audit_key);
    println!("audit anchor file: {}", i.anchor_file);
    Ok(())
}

fn restore(a: &RestoreArgs) -> anyhow::Result<()> {
    let loc = a.store.location()?;
    let name = actor_name(a.store.actor.as_deref());
    let old_anchor =
        graftwatch_store::restore_checked(&loc, &a.file, &name, a.force).map_err(store_err)?;
    // The restored chain is shorter than the anchored one: keep the old
    // anchor file aside (it documents what the restore rolled back) and
    // start a new one from the restored chain.
    if let Some(p) = old_anchor.filter(|p| p.exists()) {
        let aside = p.with_extension(format!(
            "log.before-restore-{}",
            graftwatch_store::time::now_utc()
        ));
        std::fs::rename(&p, &aside)?;
        println!("previous audit anchors kept in {}", aside.display());
    }
    let (s, actor) = a.store.open()?;
    let ev = AuditEvent::ok("restore", vec!["*".into()], a.file.display().to_string());
    s.audit(&actor, &ev).map_err(store_err)?;
    println!("restored {} from {}", loc.describe(), a.file.display());
    Ok(())
}

//! What the store subcommands share: `--db` and `--actor`, opening the
//! store, the acting user and role, and mapping store errors to exit codes.

use std::path::Path;

use clap::Args;
use graftwatch_course::LoadedCourse;
use graftwatch_store::{Actor, Channel, Location, Role, Store, StoreError};

/// Options of every command that uses the store.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreOpts {
    /// The database: a SQLite file, sqlite://PATH or
    /// postgres://USER@HOST:PORT/DB (default: $GRAFTWATCH_DB, else
    /// graftwatch.sqlite3 in the platform data directory — see `graftwatch db info`).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Who is acting, recorded in revisions and the audit trail (default:
    /// $GRAFTWATCH_ACTOR, else the operating-system user).
    #[arg(long)]
    pub actor: Option<String>,
}

/// The operating-system user name.
pub fn os_user() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return v;
        }
    }
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| format!("uid:{u}")))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The actor's name: `--actor`, `$GRAFTWATCH_ACTOR` or the OS user.
pub fn actor_name(arg: Option<&str>) -> String {
    match arg {
        Some(a) if !a.trim().is_empty() => a.trim().to_string(),
        _ => match std::env::var("GRAFTWATCH_ACTOR") {
            Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => os_user(),
        },
    }
}

/// Whether a store error is the user's doing (exit 2) or internal (exit 1).
pub fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Db(_)
        | StoreError::Io { .. }
        | StoreError::Corrupt { .. }
        | StoreError::Tool { .. } => anyhow::Error::new(e),
        other => crate::exit::input(other),
    }
}

impl StoreOpts {
    /// Where the database is.
    pub fn location(&self) -> anyhow::Result<Location> {
        Location::resolve(self.db.as_deref()).map_err(store_err)
    }

    /// Opens the store and resolves the actor (role from the users table;
    /// a user not registered there acts as a clinician).
    pub fn open(&self) -> anyhow::Result<(Store, Actor)> {
        let store = Store::open(&self.location()?).map_err(store_err)?;
        let name = actor_name(self.actor.as_deref());
        let role = store
            .user_role(&name)
            .map_err(store_err)?
            .unwrap_or(Role::Clinician);
        Ok((
            store,
            Actor {
                name,
                role,
                channel: Channel::Cli,
            },
        ))
    }
}

/// For `grade|decide|report --db URL PATIENT`: the course of a stored
/// patient (read audited), else the course file.
pub fn read_course_or_stored(course: &Path, db: Option<&str>) -> anyhow::Result<LoadedCourse> {
    read_with_source(course, db).map(|(c, _)| c)
}

/// [`read_course_or_stored`] with where the course came from, in words for
/// a report's subtitle: `Course file: PATH`, or `Stored patient P,
/// revision N (AUTHOR, TIME UTC)`, so a printed report can be traced to
/// `graftwatch history`.
pub fn read_with_source(course: &Path, db: Option<&str>) -> anyhow::Result<(LoadedCourse, String)> {
    let Some(db) = db else {
        let loaded = super::course::read_input(course)?;
        return Ok((loaded, format!("Course file: {}", course.display())));
    };
    let opts = StoreOpts {
        db: Some(db.to_string()),
        actor: None,
    };
    let (store, actor) = opts.open()?;
    let patient = course.to_string_lossy();
    let (course, meta) = store.course_at(&actor, &patient, None).map_err(store_err)?;
    let source = format!(
        "Stored patient {patient}, revision {} ({}, {})",
        meta.rev,
        meta.author,
        graftwatch_store::time::minute(&meta.at)
    );
    Ok((
        LoadedCourse {
            course,
            warnings: Vec::new(),
        },
        source,
    ))
}

//! The store's error type.

/// Everything that can go wrong in the store. Messages name the patient,
/// revision or file concerned but never clinical values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database driver reported an error.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A file next to the database (key, anchor, backup) could not be used.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The write was based on a revision that is no longer the latest.
    #[error(
        "revision conflict on patient '{patient}': the change was based on revision {base} but the patient is now at revision {head}; nothing was written — reload revision {head} and apply the change again"
    )]
    Conflict {
        /// Patient id.
        patient: String,
        /// The revision the write was based on.
        base: i64,
        /// The current latest revision.
        head: i64,
    },
    /// No such patient.
    #[error("no patient '{0}' in the store")]
    NoPatient(String),
    /// The patient already exists.
    #[error("patient '{0}' is already in the store (at revision {1})")]
    PatientExists(String, i64),
    /// No such revision.
    #[error("patient '{patient}' has no revision {rev} (revisions are 1 to {head})")]
    NoRevision {
        /// Patient id.
        patient: String,
        /// The revision asked for.
        rev: i64,
        /// The latest revision.
        head: i64,
    },
    /// A reason is required for this change.
    #[error("a reason is required for {0} (give --reason)")]
    ReasonRequired(&'static str),
    /// The course was deleted (tombstone) at that revision.
    #[error("patient '{0}' was deleted at revision {1}")]
    Deleted(String, i64),
    /// The clinical payloads were purged.
    #[error("patient '{0}' was purged (erasure); no clinical data is kept")]
    Purged(String),
    /// An import without `--reason` would remove stored observations or
    /// events (someone else's additions, or a corrected value): refused.
    #[error(
        "{patient}: this file would remove {} and {} present in revision {head} (written by {author} on {}); nothing imported. To correct the course on purpose, import it with --reason \"…\"",
        plural(*observations, "observation"),
        plural(*events, "event"),
        minute(at)
    )]
    ImportWouldRemove {
        /// Patient id.
        patient: String,
        /// The latest revision.
        head: i64,
        /// Its author.
        author: String,
        /// When it was written.
        at: String,
        /// Stored observations the file lacks.
        observations: usize,
        /// Stored events the file lacks.
        events: usize,
    },
    /// A file imported before whose patient has changed since: importing
    /// it again without `--reason` is refused.
    #[error(
        "{patient}: this file is revision {file_rev}, already imported; the patient is now at revision {head} (changed since) — nothing imported; to make this file the current course, import it with --reason \"…\""
    )]
    ImportStale {
        /// Patient id.
        patient: String,
        /// The revision the file was imported as.
        file_rev: i64,
        /// The latest revision.
        head: i64,
    },
    /// An import for a purged patient.
    #[error(
        "patient {patient} was purged on {} (erasure); nothing imported",
        minute(at)
    )]
    ImportPurged {
        /// Patient id.
        patient: String,
        /// When (UTC).
        at: String,
    },
    /// The actor's role does not allow the action.
    #[error(
        "permission denied: {action} needs the role '{needed}', and '{actor}' has the role '{has}'"
    )]
    Forbidden {
        /// What was attempted.
        action: &'static str,
        /// The role needed.
        needed: &'static str,
        /// Who tried.
        actor: String,
        /// Their role.
        has: String,
    },
    /// Stored data does not reconstruct or does not match its hash.
    #[error("the stored course of '{patient}' at revision {rev} is damaged: {detail}")]
    Corrupt {
        /// Patient id.
        patient: String,
        /// Revision.
        rev: i64,
        /// What is wrong.
        detail: String,
    },
    /// The database was written by a newer program.
    #[error(
        "the database schema is at version {found}, newer than this program knows ({known}); use a newer graftwatch"
    )]
    SchemaTooNew {
        /// Version found.
        found: i64,
        /// Newest version known.
        known: i64,
    },
    /// A migration's text changed after it was applied.
    #[error(
        "schema migration {0} differs from the one applied to this database (checksum mismatch)"
    )]
    MigrationChanged(i64),
    /// The database has no schema yet.
    #[error(
        "the database has no graftwatch schema yet: run `graftwatch db init` (or `db migrate`)"
    )]
    NotInitialised,
    /// The audit key is missing or malformed.
    #[error("audit key: {0}")]
    AuditKey(String),
    /// The database URL is not understood.
    #[error("database '{0}': expected a file path, sqlite://PATH or postgres://USER@HOST:PORT/DB")]
    BadUrl(String),
    /// A stored or given value is not valid.
    #[error("{0}")]
    Invalid(String),
    /// An external tool (pg_dump, pg_restore) failed.
    #[error("{tool}: {message}")]
    Tool {
        /// The tool.
        tool: String,
        /// What it said.
        message: String,
    },
}

/// "1 observation", "2 events".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

use crate::time::minute;

/// Short alias.
pub type Result<T> = std::result::Result<T, StoreError>;

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

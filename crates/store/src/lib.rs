//! # graftwatch-store
//!
//! Every patient's course in one database — SQLite embedded by default,
//! PostgreSQL for a unit — as a sequence of revisions (never updated in
//! place), with chimerism runs, reference profiles, users and API tokens,
//! per-patient derived state for cheap ward lists, and an append-only audit
//! trail chained by HMAC-SHA-256 and anchored outside the database.
//!
//! [`Store`] is the facade; behind it one natively typed module per
//! backend ([`sqlite`] with a `SqlitePool`, [`postgres`] with a `PgPool`)
//! implements the storage trait ([`backend`]: bulk loading — PostgreSQL
//! `COPY` — and the engine's integrity check) and compiles the shared
//! transaction-level operations (`src/native/`) for its own driver. The
//! conformance tests (`tests/conformance.rs`) run the same cases on both.
//!
//! See docs/store.md for the schema, the audit design, the retention policy
//! and the de-identification method.

pub mod audit;
pub mod backend;
pub mod bulk;
pub mod carry;
pub mod change;
pub mod checkpoint;
pub mod chimerism;
pub mod courses;
pub mod deident;
pub mod derive;
pub mod error;
pub mod hashing;
pub mod head;
pub mod history;
pub mod lab;
pub mod migrate;
pub mod paths;
pub mod phases;
pub mod postgres;
pub mod sqlite;
pub mod state;
pub mod store;
pub mod time;
pub mod types;
pub mod users;
pub mod verify;
pub mod ward;
pub mod web_auth;

pub use audit::{AuditEntry, AuditEvent, Verification};
pub use bulk::{ImportFileError, ImportItem, read_course_file};
pub use chimerism::ChimerismAdded;
pub use derive::{DeriveConfig, DerivedState, DerivedSummary, ENGINE_VERSION};
pub use error::{Result, StoreError};
pub use lab::{NewProfile, NewRun, Run};
pub use state::Derivations;
pub use store::{Info, Location, Store, restore, restore_checked};
pub use types::{
    Actor, Change, Channel, Delta, ImportOutcome, PatientRow, RevisionKind, RevisionMeta, Role,
};
pub use web_auth::{AuditFilter, Credentials, TokenRecord, UserRecord};

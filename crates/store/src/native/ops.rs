//! The transaction-level storage operations, written once and compiled for
//! each backend: this module is declared in both `crate::sqlite` and
//! `crate::postgres` (`#[path]`), so `Db`, `Conn`, `DbRow` and `B` are that
//! backend's types. The files are ordinary modules, so `cargo fmt` and
//! clippy reach them.
//!
//! Loading these files once per backend is the point (one source, two
//! natively typed compilations): both declarations allow
//! `clippy::duplicate_mod`.

pub(crate) use super::{B, Conn, Db, DbRow};

#[path = "audit.rs"]
pub(crate) mod audit;
#[path = "bulk.rs"]
pub(crate) mod bulk;
#[path = "chimerism.rs"]
pub(crate) mod chimerism;
#[path = "courses.rs"]
pub(crate) mod courses;
#[path = "lab.rs"]
pub(crate) mod lab;
#[path = "state.rs"]
pub(crate) mod state;

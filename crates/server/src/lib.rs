//! # graftwatch-server
//!
//! `graftwatch serve`: the ward's web application and JSON API over the
//! store. Server-rendered pages (askama + vendored htmx, assets embedded in
//! the binary), login with argon2id passwords, sessions in the database
//! (several processes can share one PostgreSQL), CSRF synchronizer tokens,
//! login rate limiting and lockout, security headers, roles with a
//! deny-by-default route table, personal access tokens, an OpenAPI 3.1
//! document with a vendored Swagger UI, admin pages for users and the
//! audit trail. Every read and write of patient data goes through the
//! store with the caller as actor (channel `web` or `api`), so it is in the
//! audit trail.
//!
//! - [`roles`]: permissions, roles and the route table ([`roles::RouteSpec`]).
//! - [`app`]: configuration, state, the router and the permission guard.
//! - [`auth`], [`session`], [`csrf`], [`security`]: who is calling and how
//!   they are protected.
//! - [`api`], [`openapi`]: the JSON API and its description.
//! - [`admin`]: users, audit log, audit verification.
//! - [`pages`]: the clinical pages (extension point owned by the web UI).
//!
//! See docs/server.md for running, the role matrix and the security settings.

pub mod admin;
pub mod api;
pub mod app;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod error;
pub mod openapi;
pub mod pages;
pub mod roles;
pub mod security;
pub mod session;
pub mod templates;
pub mod timing;

pub use app::{AppState, ServerConfig, all_routes, build_app, serve};
pub use auth::{Identity, hash_password, verify_password};
pub use error::{AppError, PageError};
pub use roles::{Permission, RouteSpec};

//! Admin pages: users and roles, the audit log with filters and CSV
//! export, the audit verification status.

use crate::roles::RouteSpec;

/// The admin routes.
pub fn routes() -> Vec<RouteSpec> {
    Vec::new()
}

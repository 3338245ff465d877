//! Roles, permissions and the one route table.
//!
//! Every route of the server is a [`RouteSpec`]: method, path, the
//! [`Permission`] it needs, and its handler. The application is built from
//! these specs only ([`crate::app::build_app`]), and each handler is wrapped
//! in a guard that checks the permission before the handler runs — a route
//! not in the table does not exist (deny by default). The role matrix in
//! docs/server.md is generated from the same table ([`matrix_markdown`]) and
//! a test walks every route × every role × anonymous against it.

use axum::http::Method;
use axum::routing::MethodRouter;
use graftwatch_store::Role;

use crate::app::AppState;

/// What a route needs from the person calling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Anyone, signed in or not (login page, static assets, the OpenAPI document).
    Public,
    /// Any signed-in user, whatever the role.
    SignedIn,
    /// Read patient data (ward list, patient pages, courses, grades, DLI, chimerism).
    ReadPatients,
    /// Enter clinical findings (bedside entry, observation writes).
    EnterFindings,
    /// Upload chimerism lab files and sign results off.
    LabResults,
    /// Read the audit trail and its verification.
    ReadAudit,
    /// Manage users, roles and API tokens.
    ManageUsers,
}

/// Every permission, in the order of the matrix columns' explanation.
pub const ALL_PERMISSIONS: [Permission; 7] = [
    Permission::Public,
    Permission::SignedIn,
    Permission::ReadPatients,
    Permission::EnterFindings,
    Permission::LabResults,
    Permission::ReadAudit,
    Permission::ManageUsers,
];

/// Every role, in the order of the matrix columns.
pub const ALL_ROLES: [Role; 5] = [
    Role::Clinician,
    Role::Lab,
    Role::DataManager,
    Role::Monitor,
    Role::Admin,
];

impl Permission {
    /// Whether a caller with `role` (`None` = anonymous) holds the permission.
    pub fn allows(self, role: Option<Role>) -> bool {
        let Some(role) = role else {
            return self == Permission::Public;
        };
        match self {
            Permission::Public | Permission::SignedIn => true,
            Permission::ReadPatients => matches!(
                role,
                Role::Clinician | Role::Lab | Role::DataManager | Role::Monitor
            ),
            Permission::EnterFindings => matches!(role, Role::Clinician | Role::DataManager),
            Permission::LabResults => role == Role::Lab,
            Permission::ReadAudit => matches!(role, Role::Monitor | Role::Admin),
            Permission::ManageUsers => role == Role::Admin,
        }
    }

    /// The permission's name in the docs.
    pub fn label(self) -> &'static str {
        match self {
            Permission::Public => "public",
            Permission::SignedIn => "signed in",
            Permission::ReadPatients => "read patients",
            Permission::EnterFindings => "enter findings",
            Permission::LabResults => "lab results",
            Permission::ReadAudit => "read audit",
            Permission::ManageUsers => "manage users",
        }
    }
}

/// The role's name as users see it (the store keeps shorter names).
pub fn role_label(role: Role) -> &'static str {
    role.label()
}

/// A role name that is none of the roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': expected physician, lab-scientist, data-manager, auditor or admin")]
pub struct UnknownRole(pub String);

/// Parses a role as typed on the command line or in the admin page:
/// `physician`, `lab-scientist`, `data-manager`, `auditor`, `admin` (the
/// store's names `clinician`, `lab`, `data_manager`, `monitor` also work).
pub fn parse_role(s: &str) -> Result<Role, UnknownRole> {
    let norm = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
    Ok(match norm.as_str() {
        "physician" | "clinician" => Role::Clinician,
        "lab-scientist" | "lab" => Role::Lab,
        "data-manager" => Role::DataManager,
        "auditor" | "monitor" => Role::Monitor,
        "admin" => Role::Admin,
        _ => {
            return Err(UnknownRole(s.to_string()));
        }
    })
}

/// Whether a route serves HTML pages or the JSON API (decides how a denied
/// request is answered: a redirect to the login page or a JSON error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// HTML pages and static files (channel `web` in the audit trail).
    Page,
    /// JSON API under `/api` (channel `api`).
    Api,
}

/// One route: method, path (axum syntax, `{id}` for parameters), the
/// permission it needs, a one-line description for the docs, and its handler.
pub struct RouteSpec {
    /// HTTP method.
    pub method: Method,
    /// Path, e.g. `/api/patients/{id}`.
    pub path: &'static str,
    /// What the caller needs.
    pub permission: Permission,
    /// Page or API.
    pub surface: Surface,
    /// One line for the route table in docs/server.md.
    pub summary: &'static str,
    /// The handler (e.g. `axum::routing::get(my_handler)`); the method of the
    /// `MethodRouter` must be `method`.
    pub handler: MethodRouter<AppState>,
}

impl RouteSpec {
    /// A page route (HTML).
    pub fn page(
        method: Method,
        path: &'static str,
        permission: Permission,
        summary: &'static str,
        handler: MethodRouter<AppState>,
    ) -> RouteSpec {
        RouteSpec {
            method,
            path,
            permission,
            surface: Surface::Page,
            summary,
            handler,
        }
    }

    /// An API route (JSON).
    pub fn api(
        method: Method,
        path: &'static str,
        permission: Permission,
        summary: &'static str,
        handler: MethodRouter<AppState>,
    ) -> RouteSpec {
        RouteSpec {
            surface: Surface::Api,
            ..RouteSpec::page(method, path, permission, summary, handler)
        }
    }
}

/// A route's entry in the matrix: "yes" or "–" per role, anonymous first.
pub fn matrix_row(method: &Method, path: &str, p: Permission) -> String {
    let cell = |role: Option<Role>| if p.allows(role) { "yes" } else { "–" };
    let mut row = format!("| {method} | `{path}` | {} | {}", p.label(), cell(None));
    for r in ALL_ROLES {
        row.push_str(" | ");
        row.push_str(cell(Some(r)));
    }
    row.push_str(" |");
    row
}

/// The route × role matrix as a markdown table (written into docs/server.md
/// between `<!-- route-matrix:begin -->` and `<!-- route-matrix:end -->`).
pub fn matrix_markdown(routes: &[RouteSpec]) -> String {
    let mut out = String::from("| method | path | permission | anonymous");
    for r in ALL_ROLES {
        out.push_str(" | ");
        out.push_str(role_label(r));
    }
    out.push_str(" |\n|---|---|---|---");
    for _ in ALL_ROLES {
        out.push_str("|---");
    }
    out.push_str("|\n");
    let mut rows: Vec<(&str, String, String)> = routes
        .iter()
        .map(|r| {
            (
                r.path,
                r.method.to_string(),
                matrix_row(&r.method, r.path, r.permission),
            )
        })
        .collect();
    rows.sort();
    for (_, _, row) in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_only_public() {
        for p in ALL_PERMISSIONS {
            assert_eq!(p.allows(None), p == Permission::Public, "{p:?}");
        }
    }

    #[test]
    fn auditor_is_read_only_and_admin_sees_no_patients() {
        assert!(Permission::ReadPatients.allows(Some(Role::Monitor)));
        assert!(Permission::ReadAudit.allows(Some(Role::Monitor)));
        assert!(!Permission::EnterFindings.allows(Some(Role::Monitor)));
        assert!(!Permission::LabResults.allows(Some(Role::Monitor)));
        assert!(!Permission::ManageUsers.allows(Some(Role::Monitor)));
        assert!(!Permission::ReadPatients.allows(Some(Role::Admin)));
        assert!(Permission::ManageUsers.allows(Some(Role::Admin)));
    }

    #[test]
    fn roles_parse_in_clinical_words() {
        assert_eq!(parse_role("physician"), Ok(Role::Clinician));
        assert_eq!(parse_role("Lab scientist"), Ok(Role::Lab));
        assert_eq!(parse_role("data_manager"), Ok(Role::DataManager));
        assert_eq!(parse_role("auditor"), Ok(Role::Monitor));
        assert!(
            parse_role("root")
                .unwrap_err()
                .to_string()
                .contains("physician")
        );
        for r in ALL_ROLES {
            assert_eq!(parse_role(role_label(r)), Ok(r));
        }
    }
}

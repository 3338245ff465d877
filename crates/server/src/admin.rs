//! Admin pages: users and roles (add, disable, enable), API tokens (create,
//! revoke), the audit log with filters and CSV export, and the audit
//! verification status. User management is audited by the store.

use askama::Template;
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use graftwatch_store::{Actor, Channel, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::api::{AuditQuery, AuditRow, audit_rows, verify};
use crate::app::AppState;
use crate::auth::{Identity, hash_password};
use crate::error::{ApiQuery, AppError, PageError};
use crate::roles::{ALL_ROLES, Permission, RouteSpec, parse_role, role_label};
use crate::templates::{Chrome, render};

/// The admin routes.
pub fn routes() -> Vec<RouteSpec> {
    use Permission::*;
    vec![
        RouteSpec::page(
            Method::GET,
            "/admin/users",
            ManageUsers,
            "users, roles and API tokens",
            get(users_page),
        ),
        RouteSpec::page(
            Method::POST,
            "/admin/users",
            ManageUsers,
            "add a user",
            post(add_user),
        ),
        RouteSpec::page(
            Method::POST,
            "/admin/users/status",
            ManageUsers,
            "disable or enable a user",
            post(user_status),
        ),
        RouteSpec::page(
            Method::POST,
            "/admin/tokens",
            ManageUsers,
            "create an API token",
            post(create_token),
        ),
        RouteSpec::page(
            Method::POST,
            "/admin/tokens/revoke",
            ManageUsers,
            "revoke API tokens",
            post(revoke_token),
        ),
        RouteSpec::page(
            Method::GET,
            "/admin/audit",
            ReadAudit,
            "audit log with filters",
            get(audit_page),
        ),
        RouteSpec::page(
            Method::GET,
            "/admin/audit.csv",
            ReadAudit,
            "audit log as CSV",
            get(audit_csv),
        ),
        RouteSpec::page(
            Method::GET,
            "/admin/audit/verify",
            ReadAudit,
            "audit chain verification",
            get(verify_page),
        ),
    ]
}

/// A user row for the page.
pub struct UserView {
    name: String,
    role: &'static str,
    disabled: bool,
    has_password: bool,
    failed_logins: i64,
    locked_until: String,
    created_at: String,
}

/// A token row for the page.
pub struct TokenView {
    user: String,
    label: String,
    created_at: String,
    revoked: String,
}

/// The users page.
#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    chrome: Chrome,
    csrf: String,
    message: Option<String>,
    new_token: Option<String>,
    users: Vec<UserView>,
    tokens: Vec<TokenView>,
    roles: Vec<&'static str>,
}

async fn render_users(
    state: &AppState,
    id: &Identity,
    message: Option<String>,
    new_token: Option<String>,
) -> Result<Html<String>, PageError> {
    let (users, tokens) = state
        .db(|s| Ok((s.list_users()?, s.list_tokens(None)?)))
        .await?;
    let page = UsersPage {
        chrome: Chrome::for_identity(id, "/admin/users"),
        csrf: id.csrf_token().unwrap_or_default().to_string(),
        message,
        new_token,
        users: users
            .into_iter()
            .map(|u| UserView {
                name: u.name,
                role: role_label(u.role),
                disabled: u.disabled,
                has_password: u.has_password,
                failed_logins: u.failed_logins,
                locked_until: u.locked_until.unwrap_or_default(),
                created_at: u.created_at,
            })
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenView {
                user: t.user,
                label: t.label,
                created_at: t.created_at,
                revoked: t.revoked_at.unwrap_or_default(),
            })
            .collect(),
        roles: ALL_ROLES.iter().map(|r| role_label(*r)).collect(),
    };
    Ok(Html(render(&page)))
}

async fn users_page(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
) -> Result<Html<String>, PageError> {
    render_users(&state, &id, None, None).await
}

fn check_name(field: &str, v: &str) -> Result<String, AppError> {
    let v = v.trim();
    if v.is_empty() || v.len() > 200 || v.chars().any(|c| c.is_control() || c == ',') {
        return Err(AppError::Invalid(format!(
            "{field}: expected 1 to 200 printable characters without commas"
        )));
    }
    Ok(v.to_string())
}

/// The add-user form.
#[derive(Debug, Deserialize)]
pub struct AddUser {
    user: String,
    role: String,
    password: String,
}

/// Runs one user-management change as the signed-in admin (audited by
/// the store) and shows the users page with what happened: the one shape
/// of every form on the users page.
async fn change_users<T, F>(
    state: &AppState,
    id: &Identity,
    op: F,
    message: impl FnOnce(T) -> (String, Option<String>),
) -> Result<Html<String>, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Store, &Actor) -> Result<T, StoreError> + Send + 'static,
{
    let actor = id.actor(Channel::Web);
    let out = state.db(move |s| op(s, &actor)).await?;
    let (msg, token) = message(out);
    render_users(state, id, Some(msg), token).await
}

async fn add_user(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Form(f): Form<AddUser>,
) -> Result<Html<String>, PageError> {
    let name = check_name("user name", &f.user)?;
    let role = parse_role(&f.role).map_err(|e| AppError::Invalid(e.to_string()))?;
    let (m, t) = (state.cfg.argon2_memory_kib, state.cfg.argon2_iterations);
    let pw = f.password;
    let phc = tokio::task::spawn_blocking(move || hash_password(&pw, m, t))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?
        .map_err(|e| AppError::Invalid(format!("password: {e}")))?;
    let n = name.clone();
    let op = move |s: &Store, a: &Actor| {
        // "Add" never changes an existing account (its role, its password).
        if let Some(u) = s.list_users()?.into_iter().find(|u| u.name == n) {
            return Err(StoreError::Invalid(format!(
                "user {n} already exists with the role {}: nothing changed (an account's role is changed with `graftwatch db add-user {n} --role …`, which says so and ends its sessions)",
                role_label(u.role)
            )));
        }
        s.put_user(a, &n, role)?;
        s.set_password_hash(a, &n, &phc)
    };
    change_users(&state, &id, op, |()| {
        let msg = format!("user {name} added with the role {}", role_label(role));
        (msg, None)
    })
    .await
}

/// The disable/enable form.
#[derive(Debug, Deserialize)]
pub struct UserStatus {
    user: String,
    disabled: bool,
}

async fn user_status(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Form(f): Form<UserStatus>,
) -> Result<Html<String>, PageError> {
    let name = check_name("user name", &f.user)?;
    if f.disabled && name == id.user {
        return Err(AppError::Invalid("you cannot disable your own account".into()).into());
    }
    let (n, off) = (name.clone(), f.disabled);
    let op = move |s: &Store, a: &Actor| s.set_user_disabled(a, &n, off);
    change_users(&state, &id, op, |()| {
        let msg = if off {
            format!("user {name} disabled: sessions ended, tokens no longer accepted")
        } else {
            format!("user {name} enabled")
        };
        (msg, None)
    })
    .await
}

/// The token forms.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    user: String,
    label: String,
}

impl TokenForm {
    /// The user and label, checked.
    fn checked(&self) -> Result<(String, String), AppError> {
        Ok((
            check_name("user", &self.user)?,
            check_name("label", &self.label)?,
        ))
    }
}

async fn create_token(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>, PageError> {
    let (user, label) = f.checked()?;
    let (u, l) = (user.clone(), label.clone());
    let op = move |s: &Store, a: &Actor| {
        if s.user_role(&u)?.is_none() {
            return Err(StoreError::Invalid(format!("no active user '{u}'")));
        }
        s.create_token(a, &u, &l)
    };
    change_users(&state, &id, op, |token| {
        (format!("token '{label}' created for {user}"), Some(token))
    })
    .await
}

async fn revoke_token(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>, PageError> {
    let (user, label) = f.checked()?;
    let (u, l) = (user.clone(), label.clone());
    let op = move |s: &Store, a: &Actor| s.revoke_token_label(a, &u, &l);
    change_users(&state, &id, op, |n| {
        (
            format!(
                "{} '{label}' of {user} revoked",
                graftwatch_core::number::counted(n, "token")
            ),
            None,
        )
    })
    .await
}

/// The filter values as shown in the form.
#[derive(Debug, Default, Serialize)]
pub struct FilterView {
    actor: String,
    patient: String,
    action: String,
    channel: String,
    from: String,
    to: String,
}

/// The audit log page.
#[derive(Template)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    chrome: Chrome,
    f: FilterView,
    query: String,
    channels: [&'static str; 4],
    entries: Vec<AuditRow>,
    older: Option<i64>,
}

fn filter_view(q: &AuditQuery) -> FilterView {
    let s = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    FilterView {
        actor: s(&q.actor),
        patient: s(&q.patient),
        action: s(&q.action),
        channel: s(&q.channel),
        from: s(&q.from),
        to: s(&q.to),
    }
}

const PAGE: i64 = 200;

async fn audit_page(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Html<String>, PageError> {
    let filter = q.to_filter(PAGE)?;
    let limit = filter.limit;
    let entries = audit_rows(state.db(move |s| s.audit_filtered(&filter)).await?);
    let f = filter_view(&q);
    let query = serde_urlencoded::to_string(&f).unwrap_or_default();
    let older = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(Html(render(&AuditPage {
        chrome: Chrome::for_identity(&id, "/admin/audit"),
        f,
        query,
        channels: ["", "cli", "web", "api"],
        // Roles and actions in words on the page (the API and the CSV keep
        // the stored codes, which the filter takes).
        entries: entries
            .into_iter()
            .map(|mut e| {
                e.role = graftwatch_store::Role::label_of(&e.role);
                e.action = graftwatch_store::audit::action_label(&e.action);
                e
            })
            .collect(),
        older,
    })))
}

/// A CSV cell that a spreadsheet will not run as a formula.
fn cell(s: &str) -> String {
    graftwatch_output::delimited::formula_safe(s).into_owned()
}

async fn audit_csv(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, PageError> {
    let filter = q.to_filter(10_000)?;
    let entries = audit_rows(state.db(move |s| s.audit_filtered(&filter)).await?);
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = [
        "seq", "time_utc", "user", "role", "channel", "action", "patients", "resource", "outcome",
        "reason",
    ];
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record(head).map_err(fail)?;
    for e in &entries {
        let seq = e.seq.to_string();
        let row = [
            &seq,
            &e.at,
            &e.actor,
            &e.role,
            &e.channel,
            &e.action,
            &e.patients,
            &e.resource,
            &e.outcome,
            &e.reason,
        ];
        w.write_record(row.iter().map(|s| cell(s))).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"graftwatch-audit.csv\""),
    );
    Ok(r)
}

/// The verification page.
#[derive(Template)]
#[template(path = "admin_verify.html")]
pub struct VerifyPage {
    chrome: Chrome,
    ok: bool,
    entries: i64,
    anchors: usize,
    problem: String,
    patients: usize,
    revisions: usize,
    course_problems: Vec<String>,
    at: String,
}

async fn verify_page(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
) -> Result<Html<String>, PageError> {
    let v = verify(&state).await?;
    Ok(Html(render(&VerifyPage {
        chrome: Chrome::for_identity(&id, "/admin/audit"),
        ok: v.first_problem.is_none(),
        entries: v.entries,
        anchors: v.anchors,
        problem: v.first_problem.unwrap_or_default(),
        patients: v.patients,
        revisions: v.revisions,
        course_problems: v.course_problems,
        at: graftwatch_store::time::now_utc(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_be_formulas() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("read_course"), "read_course");
    }
}

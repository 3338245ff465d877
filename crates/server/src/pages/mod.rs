//! The clinical pages: ward dashboard, patient page, bedside entry with a
//! live preview, lab upload and sign-off, DLI review. Server-rendered
//! (askama templates in `templates/pages/`), htmx for the live parts, no
//! inline script or style (the report's figure and tables are embedded as
//! CSP-safe fragments with their stylesheet at `/pages/report.css`).
//!
//! Every page calls the libraries the command line uses — the store (reads
//! and writes audited with the signed-in user on the `web` channel), the
//! grading engine (`graftwatch_grading::preview` for the bedside preview,
//! the same engine as `grade --on`), the report (figure, endpoints, alerts,
//! DLI trail), the decision rules and the STR reader and estimator.
//!
//! # The extension point
//!
//! [`routes`] returns the page routes as [`RouteSpec`]s with the
//! [`Permission`] each needs; [`crate::app::build_app`] wraps every handler
//! in the permission guard (and the CSRF check for POST), so these routes
//! are in the role matrix. [`nav`] returns the navigation entries.

mod dashboard;
mod dli;
mod entry;
mod fields;
mod lab;
mod lab_ngs;
mod patient;
mod ward_cache;
mod wording;

pub use ward_cache::WardCache;

use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_store::{Channel, Store};

#[allow(unused_imports)]
use crate::app::AppState;
use crate::auth::Identity;
use crate::error::AppError;
#[allow(unused_imports)]
use crate::error::PageError;
pub use crate::roles::{Permission, RouteSpec};
pub use crate::templates::{Chrome, NavEntry};

/// The page routes, in the order the roles matrix lists them.
pub fn routes() -> Vec<RouteSpec> {
    [ward_routes(), entry_routes(), lab_and_dli_routes()]
        .into_iter()
        .flatten()
        .collect()
}

/// The ward dashboard, the stylesheets and the patient page.
fn ward_routes() -> Vec<RouteSpec> {
    use Permission as P;
    let page = RouteSpec::page;
    vec![
        page(
            Method::GET,
            "/ward",
            P::ReadPatients,
            "ward dashboard (sort, filter; needs attention first)",
            get(dashboard::ward),
        ),
        page(
            Method::GET,
            "/pages/report.css",
            P::Public,
            "stylesheet of the embedded report figure and tables",
            get(report_css),
        ),
        page(
            Method::GET,
            "/pages/pages.css",
            P::Public,
            "stylesheet of the clinical pages",
            get(pages_css),
        ),
        page(
            Method::GET,
            "/patients/{id}",
            P::ReadPatients,
            "patient page: figure, endpoints, alerts, DLI trail, revision history",
            get(patient::patient),
        ),
    ]
}

/// The bedside entry of a day's findings.
fn entry_routes() -> Vec<RouteSpec> {
    use Permission as P;
    let page = RouteSpec::page;
    vec![
        page(
            Method::GET,
            "/patients/{id}/entry",
            P::EnterFindings,
            "bedside entry form of a day's findings",
            get(entry::form),
        ),
        page(
            Method::POST,
            "/patients/{id}/entry/preview",
            P::EnterFindings,
            "live preview of the day's organ stages and grades (htmx)",
            post(entry::preview),
        ),
        page(
            Method::POST,
            "/patients/{id}/entry",
            P::EnterFindings,
            "save the day's findings as one revision",
            post(entry::save),
        ),
    ]
}

/// The lab upload, runs and sign-off, and the DLI review.
fn lab_and_dli_routes() -> Vec<RouteSpec> {
    use Permission as P;
    let page = RouteSpec::page;
    vec![
        page(
            Method::GET,
            "/patients/{id}/lab",
            P::LabResults,
            "lab upload form, runs and sign-off",
            get(lab::page),
        ),
        page(
            Method::POST,
            "/patients/{id}/lab/reference",
            P::LabResults,
            "upload a reference STR profile (recipient or donor)",
            post(lab::reference),
        ),
        page(
            Method::POST,
            "/patients/{id}/lab",
            P::LabResults,
            "upload an STR peak table and estimate chimerism",
            post(lab::upload),
        ),
        page(
            Method::POST,
            "/patients/{id}/lab/runs/{run}/signoff",
            P::LabResults,
            "sign a run off and attach it to the course (one revision)",
            post(lab::sign_off),
        ),
        page(
            Method::GET,
            "/patients/{id}/dli",
            P::ReadPatients,
            "DLI review for a chosen date",
            get(dli::review),
        ),
    ]
}

/// Navigation entries of the pages.
pub fn nav() -> &'static [NavEntry] {
    &[NavEntry {
        href: "/ward",
        label: "Ward",
        permission: Permission::ReadPatients,
    }]
}

/// The report stylesheet (figure and tables), served like an asset.
async fn report_css() -> Response {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    css_response(
        CSS.get_or_init(graftwatch_report::embed::embedded_stylesheet)
            .clone(),
    )
}

/// The pages' own stylesheet.
async fn pages_css() -> Response {
    css_response(include_str!("pages.css").to_string())
}

fn css_response(css: String) -> Response {
    let mut r = css.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// Today (UTC), or the date asked for with `?on=YYYY-MM-DD`.
pub(crate) fn today_or(on: Option<&str>) -> Result<Date, AppError> {
    match on.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s
            .parse()
            .map_err(|_| AppError::Invalid(format!("date '{s}': expected YYYY-MM-DD"))),
        None => graftwatch_store::time::today_utc()
            .parse()
            .map_err(|_| AppError::Internal("today's date".into())),
    }
}

/// The latest course of a patient (audited read) and its revision.
pub(crate) async fn load_course(
    state: &AppState,
    id: &Identity,
    patient: &str,
) -> Result<(Course, i64), AppError> {
    let actor = id.actor(Channel::Web);
    let p = patient.to_string();
    state
        .db(move |s: &Store| s.course_at(&actor, &p, None))
        .await
        .map(|(c, m)| (c, m.rev))
}

/// A patient id from the URL: letters, digits and `-_.` only (the store's
/// ids), so it can be echoed into links without surprises.
/// The refusal of a record dated after today (one rule for the bedside
/// form, the API and the lab: a typo in the year would otherwise become
/// every "latest" value on the ward); `field` names where the date is.
pub(crate) fn after_today(date: Date, field: &str, what: &str) -> Option<String> {
    let today = graftwatch_course::date_checks::today();
    (date > today).then(|| {
        format!("{field}: {date} is after today ({today}): {what} cannot be dated in the future")
    })
}

pub(crate) fn check_id(id: &str) -> Result<String, AppError> {
    // The store's own rule (`patient_id_problem`): every stored id passes.
    if graftwatch_store::types::patient_id_problem(id).is_none() {
        Ok(id.to_string())
    } else {
        Err(AppError::NotFound("no such patient".into()))
    }
}

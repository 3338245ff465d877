//! Page 5, DLI review for a chosen date: the triggers met or not, the
//! prerequisites with their evidence dates, the donors who cannot give
//! lymphocytes and the dose plan — the decision library's assessment on that
//! date (decision support: criteria met / not met, never an order), drawn
//! with the report's DLI trail.

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::response::Html;
use graftwatch_criteria::dli::DliConfig;
use graftwatch_decision::{assess_dli, gvhd_status_from_grades};
use graftwatch_grading::{GradingConfig, grade_course_as_of};
use graftwatch_report::dli_trail::assessment_html;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::Identity;
use crate::error::{AppError, PageError};
use crate::templates::{Chrome, render};

/// The DLI review page.
#[derive(Template)]
#[template(path = "pages/dli.html")]
pub struct DliPage {
    /// Layout.
    pub chrome: Chrome,
    /// Patient.
    pub patient: String,
    /// Date assessed.
    pub date: String,
    /// The assessment (HTML fragment of the report's DLI trail).
    pub assessment_html: String,
    /// Why there is no assessment.
    pub error: Option<String>,
}

/// Query: `date=YYYY-MM-DD` (default: the course's last date).
#[derive(Debug, Default, Deserialize)]
pub struct DliQuery {
    /// Date.
    #[serde(default)]
    pub date: Option<String>,
}

/// `GET /patients/{id}/dli`.
pub async fn review(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
    Query(q): Query<DliQuery>,
) -> Result<Html<String>, PageError> {
    let pid = super::check_id(&pid)?;
    let (course, _) = super::load_course(&state, &id, &pid).await?;
    let date = match q.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(_) => super::today_or(q.date.as_deref())?,
        None => course
            .last_record_date()
            .ok_or_else(|| AppError::Invalid("the course has no dated record".into()))?,
    };
    let (assessment_html, error) = tokio::task::spawn_blocking(move || {
        // GVHD status as known on the date (records after it ignored).
        let g = grade_course_as_of(
            &course,
            &GradingConfig::default(),
            &graftwatch_grading::Criterion::ALL,
            date,
        );
        let gvhd = gvhd_status_from_grades(&g);
        let t = graftwatch_grading::daily::truncate_course(&course, date);
        match assess_dli(&t, date, &gvhd, &DliConfig::default()) {
            Ok(a) => (assessment_html(&a, 1), None),
            Err(e) => (String::new(), Some(e.to_string())),
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("DLI task: {e}")))?;
    let page = DliPage {
        chrome: Chrome::for_identity(&id, "/ward"),
        patient: pid,
        date: date.to_string(),
        assessment_html,
        error,
    };
    Ok(Html(render(&page)))
}

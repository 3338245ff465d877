//! The JSON API (`/api/…`): the data of every page, for scripts, the LIMS
//! and the pages' own htmx calls. Every read and write of patient data goes
//! through the store with the caller as actor on the `api` channel, so it
//! is in the audit trail. Authentication: a personal access token
//! (`Authorization: Bearer …`) or the browser session (then state-changing
//! calls need the `X-CSRF-Token` header). The OpenAPI 3.1 description is at
//! `/api/openapi.json` ([`crate::openapi`]).

use std::path::Path as FsPath;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use graftwatch_core::Date;
use graftwatch_course::io::read_json_str;
use graftwatch_course::{Course, Observation};
use graftwatch_store::{AuditFilter, Change, Channel, Delta, PatientRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::Identity;
use crate::error::{ApiJson, ApiPath, ApiQuery, AppError, ErrorBody};
use crate::roles::{Permission, RouteSpec, role_label};

type ApiResult<T> = Result<Json<T>, AppError>;

/// The API routes.
pub fn routes() -> Vec<RouteSpec> {
    use Permission::*;
    vec![
        RouteSpec::api(Method::GET, "/api/me", SignedIn, "who am I", get(me)),
        RouteSpec::api(
            Method::GET,
            "/api/patients",
            ReadPatients,
            "ward list (paged)",
            get(patients),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/patients/{id}",
            ReadPatients,
            "one patient: state and revisions",
            get(patient),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/patients/{id}/course",
            ReadPatients,
            "the course at a revision",
            get(course),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/patients/{id}/grades",
            ReadPatients,
            "grades and alerts",
            get(grades),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/patients/{id}/dli",
            ReadPatients,
            "DLI review for a date",
            get(dli),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/patients/{id}/chimerism",
            ReadPatients,
            "chimerism runs and sign-offs",
            get(chimerism),
        ),
        RouteSpec::api(
            Method::POST,
            "/api/patients/{id}/observations",
            EnterFindings,
            "add a day's findings (one revision)",
            post(add_observations),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/audit",
            ReadAudit,
            "audit trail (filtered)",
            get(audit),
        ),
        RouteSpec::api(
            Method::GET,
            "/api/audit/verify",
            ReadAudit,
            "verify the audit chain",
            get(audit_verify),
        ),
    ]
}

const MAX_ID: usize = 200;

fn check_id(id: &str) -> Result<(), AppError> {
    if id.is_empty() || id.len() > MAX_ID || id.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "patient id: expected 1 to {MAX_ID} printable characters"
        )));
    }
    Ok(())
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// User name.
    pub user: String,
    /// Role: physician, lab scientist, data manager, auditor or admin.
    pub role: String,
}

#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn me(Extension(id): Extension<Identity>) -> Json<Me> {
    Json(Me {
        user: id.user.clone(),
        role: role_label(id.role).into(),
    })
}

/// Paging and filter of the ward list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only patients with active alerts.
    #[serde(default)]
    pub alerts: Option<bool>,
    /// Skip this many patients (by id order).
    #[serde(default)]
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// At most this many (1–1000, default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A patient in the ward list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientSummary {
    /// Pseudonymous store id.
    pub patient: String,
    /// Latest revision.
    pub head_rev: i64,
    /// Derived state (latest counts, current grades, alerts, DLI status), if computed.
    #[schema(value_type = Option<Object>)]
    pub state: Option<Value>,
}

/// One page of the ward list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientList {
    /// Patients matching (all pages).
    pub total: i64,
    /// Offset of this page.
    pub offset: i64,
    /// Page size asked for.
    pub limit: i64,
    /// This page.
    pub patients: Vec<PatientSummary>,
}

fn summary(r: PatientRow) -> PatientSummary {
    PatientSummary {
        patient: r.patient,
        head_rev: r.head_rev,
        state: r.state.and_then(|s| serde_json::to_value(s).ok()),
    }
}

#[utoipa::path(get, path = "/api/patients", tag = "patients", params(ListQuery),
    responses((status = 200, body = PatientList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn patients(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<PatientList> {
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(100);
    if offset < 0 || !(1..=1000).contains(&limit) {
        return Err(AppError::Invalid(
            "offset must be 0 or more and limit between 1 and 1000".into(),
        ));
    }
    let actor = id.actor(Channel::Api);
    let alerts = q.alerts.unwrap_or(false);
    let (rows, total) = state
        .db(move |s| s.list_patients_page(&actor, alerts, offset, limit))
        .await?;
    Ok(Json(PatientList {
        total,
        offset,
        limit,
        patients: rows.into_iter().map(summary).collect(),
    }))
}

/// A revision's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    /// Number (1-based).
    pub rev: i64,
    /// create, append, replace, tombstone or purge.
    pub kind: String,
    /// Author.
    pub author: String,
    /// When (UTC).
    pub at: String,
    /// Reason (amendments, deletions).
    pub reason: Option<String>,
}

/// One patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientDetail {
    /// Pseudonymous store id.
    pub patient: String,
    /// Latest revision.
    pub head_rev: i64,
    /// Every revision, oldest first.
    pub revisions: Vec<Revision>,
}

#[utoipa::path(get, path = "/api/patients/{id}", tag = "patients",
    params(("id" = String, Path, description = "patient id (pseudonymous store id)")),
    responses((status = 200, body = PatientDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn patient(
    State(state): State<AppState>,
    Extension(ident): Extension<Identity>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<PatientDetail> {
    check_id(&id)?;
    let actor = ident.actor(Channel::Api);
    let pid = id.clone();
    let revs = state.db(move |s| s.history(&actor, &pid)).await?;
    Ok(Json(PatientDetail {
        patient: id,
        head_rev: revs.last().map_or(0, |r| r.rev),
        revisions: revs
            .into_iter()
            .map(|r| Revision {
                rev: r.rev,
                kind: r.kind.as_str().into(),
                author: r.author,
                at: r.at,
                reason: r.reason,
            })
            .collect(),
    }))
}

/// Which revision.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevQuery {
    /// Revision (latest when absent).
    #[serde(default)]
    #[param(minimum = 1)]
    pub rev: Option<i64>,
}

/// A course at one revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseAt {
    /// Patient id.
    pub patient: String,
    /// Revision.
    pub rev: i64,
    /// The course (docs/course-format.md; canonical units).
    #[schema(value_type = Object)]
    pub course: Value,
}

async fn load(
    state: &AppState,
    ident: &Identity,
    id: &str,
    rev: Option<i64>,
) -> Result<(Course, i64), AppError> {
    check_id(id)?;
    if rev.is_some_and(|r| r < 1) {
        return Err(AppError::Invalid(
            "rev: expected a revision number from 1".into(),
        ));
    }
    let actor = ident.actor(Channel::Api);
    let pid = id.to_string();
    let (c, m) = state.db(move |s| s.course_at(&actor, &pid, rev)).await?;
    Ok((c, m.rev))
}

fn to_json<T: Serialize>(v: &T) -> Result<Value, AppError> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(format!("serialising: {e}")))
}

#[utoipa::path(get, path = "/api/patients/{id}/course", tag = "patients",
    params(("id" = String, Path, description = "patient id"), RevQuery),
    responses((status = 200, body = CourseAt), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn course(
    State(state): State<AppState>,
    Extension(ident): Extension<Identity>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RevQuery>,
) -> ApiResult<CourseAt> {
    let (c, rev) = load(&state, &ident, &id, q.rev).await?;
    Ok(Json(CourseAt {
        patient: id,
        rev,
        course: to_json(&c)?,
    }))
}

/// Grades and alerts of the latest revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct Grades {
    /// Patient id.
    pub patient: String,
    /// Revision graded.
    pub rev: i64,
    /// Per-day timeline and summary with explanations (docs/grading.md).
    #[schema(value_type = Object)]
    pub grades: Value,
    /// Alerts with their evidence (docs/report.md).
    #[schema(value_type = Vec<Object>)]
    pub alerts: Value,
}

#[utoipa::path(get, path = "/api/patients/{id}/grades", tag = "patients",
    params(("id" = String, Path, description = "patient id")),
    responses((status = 200, body = Grades), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn grades(
    State(state): State<AppState>,
    Extension(ident): Extension<Identity>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Grades> {
    let (c, rev) = load(&state, &ident, &id, None).await?;
    let a = tokio::task::spawn_blocking(move || {
        graftwatch_report::Analysis::for_course(&c, &graftwatch_report::AlertConfig::default())
    })
    .await
    .map_err(|e| AppError::Internal(format!("grading task: {e}")))?;
    Ok(Json(Grades {
        patient: id,
        rev,
        grades: to_json(&a.grades)?,
        alerts: to_json(&a.alerts)?,
    }))
}

/// The date of a DLI review.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    /// Date (YYYY-MM-DD); the course's last date when absent.
    #[serde(default)]
    pub date: Option<String>,
}

/// A DLI review: triggers, prerequisites with their evidence dates, dose plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct DliReview {
    /// Patient id.
    pub patient: String,
    /// Revision used.
    pub rev: i64,
    /// The date reviewed.
    pub date: String,
    /// The assessment (docs/decision.md).
    #[schema(value_type = Object)]
    pub assessment: Value,
}

#[utoipa::path(get, path = "/api/patients/{id}/dli", tag = "patients",
    params(("id" = String, Path, description = "patient id"), DateQuery),
    responses((status = 200, body = DliReview), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn dli(
    State(state): State<AppState>,
    Extension(ident): Extension<Identity>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> ApiResult<DliReview> {
    let date = match q.date.as_deref() {
        None => None,
        Some(d) => Some(d.trim().parse::<Date>().map_err(|_| {
            AppError::Invalid(format!("date: '{d}' is not a date; expected YYYY-MM-DD"))
        })?),
    };
    let (c, rev) = load(&state, &ident, &id, None).await?;
    let on = date
        .or_else(|| c.last_record_date())
        .ok_or_else(|| AppError::Invalid("the course has no dated entries; give date".into()))?;
    let a = tokio::task::spawn_blocking(move || {
        let g = graftwatch_grading::grade_course_only(&c, &Default::default(), &[]);
        let gvhd = graftwatch_decision::gvhd_status_from_grades(&g);
        graftwatch_decision::assess_dli(&c, on, &gvhd, &Default::default())
    })
    .await
    .map_err(|e| AppError::Internal(format!("decision task: {e}")))?
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(Json(DliReview {
        patient: id,
        rev,
        date: on.to_string(),
        assessment: to_json(&a)?,
    }))
}

/// Chimerism runs of a patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChimerismRuns {
    /// Patient id.
    pub patient: String,
    /// Runs, with parameters, results and sign-offs.
    #[schema(value_type = Vec<Object>)]
    pub runs: Value,
}

#[utoipa::path(get, path = "/api/patients/{id}/chimerism", tag = "patients",
    params(("id" = String, Path, description = "patient id")),
    responses((status = 200, body = ChimerismRuns), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn chimerism(
    State(state): State<AppState>,
    Extension(ident): Extension<Identity>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<ChimerismRuns> {
    check_id(&id)?;
    let actor = ident.actor(Channel::Api);
    let pid = id.clone();
    let runs = state
        .db(move |s| {
            s.head(&pid)?;
            s.runs(&actor, &pid)
        })
        .await?;
    Ok(Json(ChimerismRuns {
        patient: id,
        runs: to_json(&runs)?,
    }))
}

/// A day's findings to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObservations {
    /// The revision the findings were entered against (the latest when the
    /// page was loaded); a newer revision in the store is a conflict (409).
    pub base_rev: i64,
    /// Observations in the course-file format (docs/course-format.md), with
    /// their units; checked by the same reader as `graftwatch course validate`.
    #[schema(value_type = Vec<Object>)]
    pub observations: Vec<Value>,
}

/// The revision written.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    /// Patient id.
    pub patient: String,
    /// The new revision.
    pub rev: i64,
    /// Observations added.
    pub added: usize,
}

/// The observations of `with` that are not in `base` (as a multiset).
pub(crate) fn added_observations(base: &[Observation], with: Vec<Observation>) -> Vec<Observation> {
    let mut left: Vec<&Observation> = base.iter().collect();
    with.into_iter()
        .filter(|o| match left.iter().position(|b| *b == o) {
            Some(i) => {
                left.swap_remove(i);
                false
            }
            None => true,
        })
        .collect()
}

/// Validates the new observations with the course reader, in the context
/// of the base course, and returns only those not already in it (canonical
/// units).
///
/// Incremental: the reader checks a course made of the base's header,
/// donors and events (what an observation is checked against: birth year,
/// death, donor ids) and the new observations first — so an error names
/// `observations[i]` of the request — followed, only when chimerism rows
/// are added, by the base's chimerism rows of the same dates (the per-sample
/// sums span old and new rows; they are dropped again as already present). Every check of `graftwatch course validate`
/// on an observation depends on nothing else, so the result is the same as
/// reading the whole course plus the additions, without re-reading the
/// base's other observations on every write.
pub fn validate_additions(base: &Course, new: Vec<Value>) -> Result<Vec<Observation>, AppError> {
    let mut frame = Course {
        observations: Vec::new(),
        ..base.clone()
    };
    let mut doc = to_json(&frame)?;
    let chim_dates: std::collections::HashSet<String> = new
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some("chimerism"))
        .filter_map(|o| o.get("date").and_then(Value::as_str).map(str::to_string))
        .collect();
    let mut rows = new;
    if !chim_dates.is_empty() {
        frame.observations = base
            .observations
            .iter()
            .filter(|o| {
                o.kind == graftwatch_course::ObservationKind::Chimerism
                    && chim_dates.contains(&o.date.to_string())
            })
            .cloned()
            .collect();
        let earlier = to_json(&frame)?;
        if let Some(a) = earlier.get("observations").and_then(Value::as_array) {
            rows.extend(a.iter().cloned());
        }
    }
    let Some(obs) = doc.get_mut("observations").and_then(Value::as_array_mut) else {
        return Err(AppError::Internal(
            "course without observations array".into(),
        ));
    };
    *obs = rows;
    let text = doc.to_string();
    let loaded = read_json_str(&text, FsPath::new("request body"))
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let future = loaded
        .course
        .observations
        .iter()
        .enumerate()
        .find_map(|(i, o)| {
            crate::pages::after_today(o.date, &format!("observations[{i}].date"), "a result")
        });
    if let Some(m) = future {
        return Err(AppError::Invalid(m));
    }
    Ok(added_observations(
        &base.observations,
        loaded.course.observations,
    ))
}

#[utoipa::path(post, path = "/api/patients/{id}/observations", tag = "patients",
    params(("id" = String, Path, description = "patient id")),
    request_body = NewObservations,
    responses((status = 201, body = Written), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn add_observations(
    State(state): State<AppState>,
    Extension(ident): Extension<Identity>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NewObservations>,
) -> Result<(StatusCode, Json<Written>), AppError> {
    if body.observations.is_empty() || body.observations.len() > 10_000 {
        return Err(AppError::Invalid(
            "observations: expected 1 to 10000 observations".into(),
        ));
    }
    let (base, base_rev) = load(&state, &ident, &id, Some(body.base_rev)).await?;
    let added = validate_additions(&base, body.observations)?;
    if added.is_empty() {
        return Err(AppError::Invalid(
            "observations: every observation given is already in the course".into(),
        ));
    }
    let n = added.len();
    let actor = ident.actor(Channel::Api);
    let pid = id.clone();
    let delta = Delta {
        events: vec![],
        observations: added,
    };
    let meta = state
        .db_write(move |s| s.write(&actor, &pid, base_rev, &Change::Append(delta), None))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Written {
            patient: id,
            rev: meta.rev,
            added: n,
        }),
    ))
}

/// Audit trail filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// User name.
    #[serde(default)]
    pub actor: Option<String>,
    /// Patient id named in the entry.
    #[serde(default)]
    pub patient: Option<String>,
    /// Action (login, read_course, append, list_patients, …).
    #[serde(default)]
    pub action: Option<String>,
    /// Channel: cli, web or api.
    #[serde(default)]
    pub channel: Option<String>,
    /// From (UTC date or time, inclusive).
    #[serde(default)]
    pub from: Option<String>,
    /// To (UTC date or time, inclusive).
    #[serde(default)]
    pub to: Option<String>,
    /// Only entries before this sequence number (paging; entries are newest first).
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many (1–10000, default 200).
    #[serde(default)]
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// The store filter; errors name the bad field.
    pub fn to_filter(&self, default_limit: i64) -> Result<AuditFilter, AppError> {
        let limit = self.limit.unwrap_or(default_limit);
        if !(1..=10_000).contains(&limit) {
            return Err(AppError::Invalid("limit: expected 1 to 10000".into()));
        }
        let clean = |v: &Option<String>, name: &str| -> Result<Option<String>, AppError> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) if s.len() <= 200 && !s.chars().any(char::is_control) => Ok(Some(s.into())),
                Some(_) => Err(AppError::Invalid(format!(
                    "{name}: expected at most 200 printable characters"
                ))),
            }
        };
        for (v, name) in [(&self.from, "from"), (&self.to, "to")] {
            if let Some(s) = clean(v, name)?
                && s.get(..10).is_none_or(|d| d.parse::<Date>().is_err())
            {
                return Err(AppError::Invalid(format!(
                    "{name}: '{s}' is not a date; expected YYYY-MM-DD"
                )));
            }
        }
        Ok(AuditFilter {
            actor: clean(&self.actor, "actor")?,
            patient: clean(&self.patient, "patient")?,
            action: clean(&self.action, "action")?,
            channel: clean(&self.channel, "channel")?,
            from: clean(&self.from, "from")?,
            to: clean(&self.to, "to")?,
            before_seq: self.before,
            limit,
        })
    }
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    /// Sequence number.
    pub seq: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Their role.
    pub role: String,
    /// cli, web or api.
    pub channel: String,
    /// What.
    pub action: String,
    /// Patients concerned (comma-separated).
    pub patients: String,
    /// Resource.
    pub resource: String,
    /// ok, refused: …, denied: …
    pub outcome: String,
    /// Reason given.
    pub reason: String,
}

/// Audit entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// Entries.
    pub entries: Vec<AuditRow>,
}

/// Converts store entries.
pub fn audit_rows(v: Vec<graftwatch_store::AuditEntry>) -> Vec<AuditRow> {
    v.into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            role: e.role,
            channel: e.channel,
            action: e.action,
            patients: e.patients,
            resource: e.resource,
            outcome: e.outcome,
            reason: e.reason,
        })
        .collect()
}

#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn audit(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<AuditList> {
    let f = q.to_filter(200)?;
    let entries = state.db(move |s| s.audit_filtered(&f)).await?;
    Ok(Json(AuditList {
        entries: audit_rows(entries),
    }))
}

/// The result of recomputing the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerification {
    /// Whether the chain and its anchors verify.
    pub ok: bool,
    /// Entries checked.
    pub entries: i64,
    /// Anchors compared.
    pub anchors: usize,
    /// The first bad entry, if any.
    pub first_problem: Option<String>,
    /// Patients whose stored course revisions were checked against their
    /// chain hashes.
    pub patients: usize,
    /// Revisions checked.
    pub revisions: usize,
    /// Damaged courses, one line per patient (the first bad revision).
    pub course_problems: Vec<String>,
}

/// Verifies the audit chain and every stored course's revision chain
/// (shared by the API and the admin page).
pub async fn verify(state: &AppState) -> Result<AuditVerification, AppError> {
    let (v, c) = state
        .db(|s| Ok((s.verify_audit()?, s.verify_courses()?)))
        .await?;
    Ok(AuditVerification {
        ok: v.first_problem.is_none() && c.problems.is_empty(),
        entries: v.entries,
        anchors: v.anchors,
        first_problem: v.first_problem,
        patients: c.patients,
        revisions: c.revisions,
        course_problems: c.problems,
    })
}

#[utoipa::path(get, path = "/api/audit/verify", tag = "audit",
    responses((status = 200, body = AuditVerification), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
async fn audit_verify(State(state): State<AppState>) -> ApiResult<AuditVerification> {
    verify(&state).await.map(Json)
}

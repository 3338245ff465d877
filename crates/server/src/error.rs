//! The one error type of the server. API handlers return it as JSON
//! (`{"error": "conflict", "message": "…"}`); page handlers wrap it in
//! [`PageError`], which renders the same message as an HTML page. Messages
//! are written for the people using the ward application; internal details
//! (database errors) are replaced by a generic message in the response and
//! never include clinical values.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use graftwatch_store::StoreError;
use serde::Serialize;

use crate::roles::Permission;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("sign in first: this needs a valid session or API token")]
    Unauthenticated,
    /// Signed in, but the role lacks the permission.
    #[error("your role does not allow this (it needs the permission '{}')", .0.label())]
    Forbidden(Permission),
    /// The CSRF token was missing or wrong.
    #[error(
        "the form's security token is missing or out of date: reload the page and submit again"
    )]
    CsrfRejected,
    /// Too many login attempts from one address.
    #[error("too many login attempts: wait {0} seconds and try again")]
    TooManyRequests(u64),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// It existed but was deleted or purged.
    #[error("{0}")]
    Gone(String),
    /// A write based on an older revision.
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed or its values are not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The body is larger than the server takes.
    #[error("{0}")]
    TooLarge(String),
    /// The body is not of a type the route takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The route exists but not for this method.
    #[error("this route does not take the method {0}")]
    MethodNotAllowed(String),
    /// Something failed inside the server (details are not shown).
    #[error("internal error: the request could not be completed; the server log has the details")]
    Internal(String),
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable kind: `unauthenticated`, `forbidden`, `csrf`,
    /// `rate_limited`, `not_found`, `gone`, `conflict`, `invalid`,
    /// `too_large`, `unsupported_media_type`, `method_not_allowed`,
    /// `internal`.
    pub error: &'static str,
    /// What went wrong, in words.
    pub message: String,
}

impl AppError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::CsrfRejected => "csrf",
            AppError::TooManyRequests(_) => "rate_limited",
            AppError::NotFound(_) => "not_found",
            AppError::Gone(_) => "gone",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) => "invalid",
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::Internal(_) => "internal",
        }
    }

    fn log_internal(&self) {
        if let AppError::Internal(detail) = self {
            // Store errors name patients by their pseudonymous store id at
            // most, never clinical values.
            eprintln!("graftwatch serve: internal error: {detail}");
        }
    }

    fn extra_headers(&self, r: &mut Response) {
        match self {
            AppError::Unauthenticated => {
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"graftwatch\""),
                );
            }
            AppError::TooManyRequests(s) => {
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NoPatient(_) | StoreError::NoRevision { .. } => {
                AppError::NotFound(e.to_string())
            }
            StoreError::Deleted(..) | StoreError::Purged(_) => AppError::Gone(e.to_string()),
            StoreError::Conflict { .. } | StoreError::PatientExists(..) => {
                AppError::Conflict(e.to_string())
            }
            StoreError::ReasonRequired(what) => {
                AppError::Invalid(format!("a reason is required for {what}"))
            }
            StoreError::Invalid(m) => AppError::Invalid(m),
            StoreError::Forbidden { .. } => AppError::Forbidden(Permission::ManageUsers),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_internal();
        let body = ErrorBody {
            error: self.kind(),
            message: self.to_string(),
        };
        let mut r = (self.status(), Json(body)).into_response();
        self.extra_headers(&mut r);
        r
    }
}

/// An [`AppError`] answered as an HTML page (for the web pages).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log_internal();
        if matches!(e, AppError::Unauthenticated) {
            return crate::auth::to_login();
        }
        let page = crate::templates::ErrorPage {
            chrome: crate::templates::Chrome::anonymous(),
            status: e.status().as_u16(),
            title: e.status().canonical_reason().unwrap_or("Error"),
            message: e.to_string(),
        };
        let html = crate::templates::render(&page);
        let mut r = (e.status(), Html(html)).into_response();
        e.extra_headers(&mut r);
        r
    }
}

/// `Json<T>` whose rejection (malformed JSON, wrong content type, body
/// too large) is an [`AppError::Invalid`] in the API's error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => {
                let m = format!("request body: {}", r.body_text());
                Err(match r.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(m),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(m),
                    _ => AppError::Invalid(m),
                })
            }
        }
    }
}

/// `Query<T>` whose rejection is an [`AppError::Invalid`] naming the problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(AppError::Invalid(format!("query: {}", r.body_text()))),
        }
    }
}

/// `Path<T>` whose rejection is an [`AppError::Invalid`].
#[derive(Debug, Clone, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(r) => Err(AppError::Invalid(format!("path: {}", r.body_text()))),
        }
    }
}

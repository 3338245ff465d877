//! The OpenAPI 3.1 description of the JSON API (utoipa, generated from the
//! handlers' annotations) at `/api/openapi.json`, and the vendored Swagger
//! UI at `/api/docs/` (utoipa-swagger-ui with its `vendored` feature: no
//! download at build time, no CDN at run time).

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::AppError;
use crate::roles::{Permission, RouteSpec};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "personal access token from `graftwatch token create USER --label …`",
                    ))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-graftwatch_session",
                "browser session after signing in at /login (state-changing calls also need the X-CSRF-Token header)",
            ))),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "graftwatch API",
        description = "JSON data of the graftwatch ward application: patients, courses, grades, DLI review, chimerism runs, observation entry and the audit trail. Every read and write of patient data is recorded in the audit trail with the caller's identity.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        crate::api::me,
        crate::api::patients,
        crate::api::patient,
        crate::api::course,
        crate::api::grades,
        crate::api::dli,
        crate::api::chimerism,
        crate::api::add_observations,
        crate::api::audit,
        crate::api::audit_verify,
    ),
    modifiers(&Security),
    tags(
        (name = "session", description = "the caller"),
        (name = "patients", description = "patient data (audited)"),
        (name = "audit", description = "the audit trail (auditor, admin)")
    )
)]
pub struct ApiDoc;

/// The OpenAPI document (built once).
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// Routes: the document and the Swagger UI.
pub fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec::api(
            Method::GET,
            "/api/openapi.json",
            Permission::Public,
            "OpenAPI 3.1 document",
            get(openapi_json),
        ),
        RouteSpec::page(
            Method::GET,
            "/api/docs",
            Permission::Public,
            "Swagger UI (redirect)",
            get(|| async { Redirect::permanent("/api/docs/") }),
        ),
        RouteSpec::page(
            Method::GET,
            "/api/docs/",
            Permission::Public,
            "Swagger UI",
            get(|| swagger(String::new())),
        ),
        RouteSpec::page(
            Method::GET,
            "/api/docs/{*file}",
            Permission::Public,
            "Swagger UI files",
            get(|Path(f): Path<String>| swagger(f)),
        ),
    ]
}

async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}

async fn swagger(file: String) -> Response {
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    let cfg = CONFIG
        .get_or_init(|| Arc::new(utoipa_swagger_ui::Config::from("/api/openapi.json")))
        .clone();
    match utoipa_swagger_ui::serve(&file, cfg) {
        Ok(Some(f)) => {
            let mut r = (StatusCode::OK, f.bytes.into_owned()).into_response();
            if let Ok(v) = HeaderValue::from_str(&f.content_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            r
        }
        Ok(None) => AppError::NotFound("no such file".into()).into_response(),
        Err(e) => AppError::Internal(format!("swagger ui: {e}")).into_response(),
    }
}

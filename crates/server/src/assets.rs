//! Static assets, embedded in the binary (`include_bytes!`): the vendored
//! htmx, the stylesheet and the page glue script. Served at
//! `/assets/{file}` with `Cache-Control: public, max-age=86400` and an
//! `ETag` (the file's SHA-256), answering `If-None-Match` with 304.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use graftwatch_store::hashing::sha256_hex;

use crate::error::AppError;
use crate::roles::{Permission, RouteSpec};

/// The embedded files: name, content type, bytes.
pub const ASSETS: [(&str, &str, &[u8]); 3] = [
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/htmx.min.js"),
    ),
    (
        "graftwatch.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graftwatch.css"),
    ),
    (
        "graftwatch.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graftwatch.js"),
    ),
];

/// The asset route.
pub fn routes() -> Vec<RouteSpec> {
    vec![RouteSpec::page(
        Method::GET,
        "/assets/{file}",
        Permission::Public,
        "static files (htmx, stylesheet, script)",
        get(asset),
    )]
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, mime, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == file) else {
        return AppError::NotFound("no such file".into()).into_response();
    };
    let etag = format!("\"{}\"", &sha256_hex(&[bytes])[..32]);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut r = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, *bytes).into_response()
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    r
}

//! Security headers on every response.
//!
//! - `Content-Security-Policy: default-src 'self'; script-src 'self';
//!   style-src 'self'; img-src 'self' data:; frame-ancestors 'none';
//!   form-action 'self'; base-uri 'none'; object-src 'none'` — no inline
//!   script or style anywhere (htmx runs with `allowEval: false`).
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!   `X-Frame-Options: DENY`, `Cross-Origin-Opener-Policy: same-origin`,
//!   `Permissions-Policy` denying camera, microphone and geolocation.
//! - `Cache-Control: no-store` unless the handler set its own (static
//!   assets): pages and API answers with patient data are not cached.
//! - `Strict-Transport-Security` when secure cookies are on (https).

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy sent with every response.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// Adds the security headers (`secure` = https deployment).
pub async fn headers(State(secure): State<bool>, req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if secure {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    r
}

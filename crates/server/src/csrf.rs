//! CSRF protection: a synchronizer token per session. The token is
//! `SHA-256("graftwatch csrf" ‖ session secret)` — tied to the session,
//! unguessable without the session cookie (which scripts cannot read:
//! `HttpOnly`), and rotated with it at login. Every state-changing request
//! (POST, PUT, PATCH, DELETE) authenticated by the session cookie must carry
//! it, either as the `X-CSRF-Token` header (htmx sends it on every request:
//! the layout sets `hx-headers`) or as the form field `csrf_token` of an
//! `application/x-www-form-urlencoded` body. Multipart uploads must use the
//! header. Requests authenticated by a bearer token carry no ambient
//! credential and are exempt. The `SameSite=Strict` cookie is a second,
//! independent defence.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use graftwatch_store::hashing::sha256_hex;

use crate::auth::{AuthVia, Identity};
use crate::error::AppError;

/// Largest form body searched for the `csrf_token` field.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The CSRF token of a session.
pub fn token_for(session_secret: &str) -> String {
    sha256_hex(&[b"graftwatch csrf", session_secret.as_bytes()])
}

/// Whether the request must carry the token.
pub fn needs_check(method: &Method, id: &Identity) -> bool {
    id.via == AuthVia::Session && !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Constant-time string comparison.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Checks the token (header first, then the form field); returns the
/// request with its body intact.
pub async fn verify(req: Request, id: &Identity) -> Result<Request, AppError> {
    let Some(expected) = id.csrf_token() else {
        return Err(AppError::CsrfRejected);
    };
    if let Some(h) = req.headers().get("x-csrf-token") {
        return match h.to_str() {
            Ok(v) if same(v.trim(), expected) => Ok(req),
            _ => Err(AppError::CsrfRejected),
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::CsrfRejected);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::Invalid(format!("a form may be at most {MAX_FORM_BYTES} bytes")))?;
    let found = form_field(&bytes, "csrf_token");
    match found {
        Some(v) if same(&v, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(AppError::CsrfRejected),
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(body);
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_per_session_and_compared_exactly() {
        let a = token_for(&"a".repeat(64));
        let b = token_for(&"b".repeat(64));
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert!(!same(&a, &a[..63]));
    }

    #[test]
    fn finds_the_form_field() {
        assert_eq!(
            form_field(b"x=1&csrf_token=abc&y=2", "csrf_token").as_deref(),
            Some("abc")
        );
        assert_eq!(form_field(b"x=1", "csrf_token"), None);
    }
}

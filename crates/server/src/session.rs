//! Session cookies. The session itself lives in the database (the store's
//! `sessions` table: SHA-256 of the secret, user, creation, absolute expiry,
//! last activity), so several server processes sharing one PostgreSQL
//! share the sessions. The cookie carries the 256-bit secret only:
//! `HttpOnly; SameSite=Strict; Path=/`, plus `Secure` and the `__Host-`
//! name prefix unless secure cookies were turned off for plain http on the
//! loopback interface.

use axum::http::HeaderMap;
use axum::http::header;

/// The session cookie's name.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-graftwatch_session"
    } else {
        "graftwatch_session"
    }
}

/// The login form's double-submit cookie name.
pub fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-graftwatch_login"
    } else {
        "graftwatch_login"
    }
}

/// The value of cookie `name` in the request, if present and well formed
/// (64 lowercase hexadecimal digits: anything else is ignored).
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `Set-Cookie` value for `name=value` (`max_age` in seconds; `None` =
/// until the browser closes; `Some(0)` deletes the cookie).
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<u64>) -> String {
    let mut c = format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_only_well_formed_secrets() {
        let good = "ab".repeat(32);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; graftwatch_session={good}")).unwrap(),
        );
        assert_eq!(read_cookie(&h, "graftwatch_session"), Some(good));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("graftwatch_session=zz"),
        );
        assert_eq!(read_cookie(&h, "graftwatch_session"), None);
    }

    #[test]
    fn cookie_flags() {
        let c = set_cookie("__Host-graftwatch_session", "v", true, None);
        assert_eq!(
            c,
            "__Host-graftwatch_session=v; HttpOnly; SameSite=Strict; Path=/; Secure"
        );
        assert!(set_cookie("a", "", false, Some(0)).ends_with("Max-Age=0"));
    }
}

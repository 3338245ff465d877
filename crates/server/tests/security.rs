//! Security behaviour: headers, cookie flags, CSRF, session rotation,
//! idle and absolute timeouts, lockout, login rate limit, API tokens,
//! audit of web/API access.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use graftwatch_server::security::CSP;

fn db() -> SqliteDb {
    SqliteDb::new()
}

#[test]
fn security_headers_on_every_kind_of_response() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let s = t.login("doc");
    let replies = [
        t.send(get("/login")),
        t.send(get("/assets/htmx.min.js")),
        t.send(get("/api/patients")),
        t.send(get("/no/such/page")),
        page(&t, &s, "/api/patients/P1/course"),
        t.send(get("/api/docs/")),
    ];
    for r in &replies {
        assert_eq!(r.header("content-security-policy"), Some(CSP), "{r:?}");
        assert!(CSP.contains("default-src 'self'; script-src 'self'; style-src 'self'"));
        assert!(CSP.contains("frame-ancestors 'none'"));
        assert!(!CSP.contains("unsafe-inline") && !CSP.contains("unsafe-eval"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert!(r.header("strict-transport-security").is_some());
    }
    // Patient data is never cached; static files are.
    assert_eq!(replies[4].status, StatusCode::OK);
    assert_eq!(replies[4].header("cache-control"), Some("no-store"));
    assert_eq!(
        replies[1].header("cache-control"),
        Some("public, max-age=86400")
    );
    assert!(
        replies[1]
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[test]
fn pages_have_no_inline_script_or_style() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let admin = t.login("admin");
    let aud = t.login("aud");
    let pages = [
        t.send(get("/login")).body,
        page(&t, &admin, "/").body,
        page(&t, &admin, "/admin/users").body,
        page(&t, &aud, "/admin/audit").body,
        page(&t, &aud, "/admin/audit/verify").body,
        t.send(get("/api/docs/")).body,
    ];
    for p in &pages {
        assert!(
            p.contains("<html") || p.contains("<!DOCTYPE html") || p.contains("<!doctype html"),
            "{p}"
        );
        for (i, _) in p.match_indices("<script") {
            let tag = &p[i..i + p[i..].find('>').unwrap()];
            assert!(tag.contains("src="), "inline script: {tag}");
        }
        assert!(!p.contains(" style=\""), "inline style attribute");
        assert!(!p.contains("<style"), "inline style element");
    }
}

#[test]
fn session_cookie_flags_and_rotation_at_login() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let first = t.login("doc");
    // Signing in again with the old cookie: a new id, the old one is dead.
    let second = t.login_with("doc", &password("doc"), Some(&first)).unwrap();
    assert_ne!(first.secret, second.secret);
    let r = page(&t, &first, "/api/me");
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = page(&t, &second, "/api/me");
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["role"], "physician");
    // The cookie's flags.
    let form = t.send(get("/login"));
    let tok = form.login_token();
    let lc = form.cookie("__Host-graftwatch_login").unwrap();
    let body = format!("user=doc&password={}&login_token={tok}", password("doc"));
    let r = t.send(
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("__Host-graftwatch_login={lc}"))
            .body(Body::from(body))
            .unwrap(),
    );
    let line = r.set_cookie_line("__Host-graftwatch_session").unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
        assert!(line.contains(flag), "{line}");
    }
    assert!(!line.contains("Domain"), "{line}");
}

#[test]
fn insecure_cookies_only_drop_the_secure_flag() {
    let db = db();
    let cfg = graftwatch_server::ServerConfig {
        secure_cookies: false,
        ..test_config()
    };
    let t = TestApp::new(&db, cfg);
    let r = t.send(get("/login"));
    let line = r.set_cookie_line("graftwatch_login").unwrap();
    assert!(line.contains("HttpOnly; SameSite=Strict; Path=/"), "{line}");
    assert!(!line.contains("Secure"), "{line}");
    assert!(r.header("strict-transport-security").is_none());
}

#[test]
fn csrf_token_required_on_state_changes() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let s = t.login("doc");
    let body = anc_body(1, "2025-05-25", 1.5);
    // Missing.
    let r = t.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &s,
        false,
        Some(&body),
    ));
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "csrf");
    // Wrong (another session's token).
    let other = t.login("dm");
    let mut wrong = s.clone();
    wrong.csrf = other.csrf.clone();
    let r = t.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &wrong,
        true,
        Some(&body),
    ));
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing was written.
    assert_eq!(t.state.store.head("P1").unwrap(), 1);
    // Right.
    let r = t.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &s,
        true,
        Some(&body),
    ));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(t.state.store.head("P1").unwrap(), 2);
    // The form field works for urlencoded forms (sign out), absence is refused.
    let form = |tok: &str| {
        Request::post("/logout")
            .header(header::COOKIE, s.cookie())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={tok}")))
            .unwrap()
    };
    assert_eq!(t.send(form("0000")).status, StatusCode::FORBIDDEN);
    let r = t.send(form(&s.csrf));
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login"));
    // Signed out: the session is gone.
    let r = page(&t, &s, "/api/me");
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn login_form_needs_its_double_submit_token() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let r = t.send(
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "user=doc&password={}&login_token=abc",
                password("doc")
            )))
            .unwrap(),
    );
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("__Host-graftwatch_session").is_none());
}

#[test]
fn idle_timeout_ends_a_quiet_session() {
    let db = db();
    let cfg = graftwatch_server::ServerConfig {
        idle_timeout: Duration::from_secs(3),
        ..test_config()
    };
    let t = TestApp::new(&db, cfg);
    let s = t.login("doc");
    assert_eq!(page(&t, &s, "/api/me").status, StatusCode::OK);
    pause(4.5);
    let r = page(&t, &s, "/api/me");
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A page answers with the login page.
    let r = page(&t, &s, "/");
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login"));
}

#[test]
fn activity_keeps_a_session_until_the_absolute_timeout() {
    let db = db();
    let cfg = graftwatch_server::ServerConfig {
        idle_timeout: Duration::from_secs(4),
        absolute_timeout: Duration::from_secs(8),
        ..test_config()
    };
    let t = TestApp::new(&db, cfg);
    let start = std::time::Instant::now();
    let s = t.login("doc");
    let mut last_ok = std::time::Instant::now();
    let mut kept_past_idle = false;
    // Active every second: alive past the idle timeout… (the assertions
    // leave 1.5 s of slack for a loaded machine)
    while start.elapsed().as_secs_f64() < 9.0 {
        pause(1.0);
        let sent = std::time::Instant::now();
        let r = page(&t, &s, "/api/me");
        let since_start = start.elapsed().as_secs_f64();
        if r.status == StatusCode::OK {
            assert!(since_start < 8.5, "alive after the absolute timeout");
            kept_past_idle |= since_start > 5.0;
            last_ok = sent;
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            let idle = sent.duration_since(last_ok).as_secs_f64();
            assert!(
                since_start > 6.5 || idle > 2.5,
                "ended early: {since_start:.1} s after login, {idle:.1} s after the last request"
            );
        }
    }
    assert!(
        kept_past_idle,
        "activity did not keep the session past the idle timeout"
    );
    // …but not past the absolute one.
    let r = page(&t, &s, "/api/me");
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn lockout_after_failed_logins_even_with_the_right_password() {
    let db = db();
    let cfg = graftwatch_server::ServerConfig {
        lockout_after: 3,
        ..test_config()
    };
    let t = TestApp::new(&db, cfg);
    for _ in 0..2 {
        let r = t.login_with("doc", "wrong password!!", None).unwrap_err();
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Two failures: not yet locked.
    assert!(t.login_with("doc", &password("doc"), None).is_ok());
    // The success reset the count: three more failures lock.
    for _ in 0..3 {
        t.login_with("doc", "wrong password!!", None).unwrap_err();
    }
    let r = t.login_with("doc", &password("doc"), None).unwrap_err();
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Same message as a wrong password (no account enumeration).
    assert!(r.body.contains("User name or password is wrong"));
    // Other users are not affected; the lock is in the database.
    assert!(t.login_with("dm", &password("dm"), None).is_ok());
    let users = t.state.store.list_users().unwrap();
    let doc = users.iter().find(|u| u.name == "doc").unwrap();
    assert!(doc.locked_until.is_some());
    // The lock is in the audit trail.
    let f = graftwatch_store::AuditFilter {
        actor: Some("doc".into()),
        action: Some("login".into()),
        limit: 50,
        ..Default::default()
    };
    let entries = t.state.store.audit_filtered(&f).unwrap();
    assert!(
        entries.iter().any(|e| e.outcome.contains("account locked")),
        "{entries:?}"
    );
    // An unknown user gets the same answer.
    let r = t
        .login_with("nobody", "whatever password", None)
        .unwrap_err();
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("User name or password is wrong"));
}

#[test]
fn login_rate_limit_per_address() {
    let db = db();
    let cfg = graftwatch_server::ServerConfig {
        login_attempts_per_minute: 3,
        ..test_config()
    };
    let t = TestApp::new(&db, cfg);
    for _ in 0..3 {
        t.login_with("doc", "wrong password!!", None).unwrap_err();
    }
    let r = t.login_with("doc", &password("doc"), None).unwrap_err();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
}

#[test]
fn tokens_act_with_their_users_role_until_revoked() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let doc = token_for(&t, "doc");
    let aud = token_for(&t, "aud");
    // A bearer token needs no CSRF token (no ambient credential).
    let body = anc_body(1, "2025-05-25", 1.1);
    let r = t.send(with_token(
        "POST",
        "/api/patients/P1/observations",
        &doc,
        Some(&body),
    ));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The auditor's token reads but cannot write.
    let r = t.send(with_token("GET", "/api/patients/P1", &aud, None));
    assert_eq!(r.status, StatusCode::OK);
    let r = t.send(with_token(
        "POST",
        "/api/patients/P1/observations",
        &aud,
        Some(&anc_body(2, "2025-05-26", 1.0)),
    ));
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Wrong, malformed and revoked tokens.
    for bad in ["0".repeat(64), "x".into()] {
        let r = t.send(with_token("GET", "/api/me", &bad, None));
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let admin = graftwatch_store::Actor {
        name: "admin".into(),
        role: graftwatch_store::Role::Admin,
        channel: graftwatch_store::Channel::Cli,
    };
    assert!(t.state.store.revoke_token(&admin, &doc).unwrap());
    assert_eq!(
        t.send(with_token("GET", "/api/me", &doc, None)).status,
        StatusCode::UNAUTHORIZED
    );
    // A disabled user's token stops working and their sessions end.
    let s = t.login("aud");
    t.state
        .store
        .set_user_disabled(&admin, "aud", true)
        .unwrap();
    assert_eq!(
        t.send(with_token("GET", "/api/me", &aud, None)).status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(page(&t, &s, "/api/me").status, StatusCode::UNAUTHORIZED);
    // Tokens are stored hashed.
    let n = common::store_common::raw_i64(
        &t.loc,
        &format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{doc}'"),
    );
    assert_eq!(n, 0);
}

#[test]
fn passwords_are_stored_as_argon2id() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let n = common::store_common::raw_i64(
        &t.loc,
        "SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$v=19$%'",
    );
    assert_eq!(n, USERS.len() as i64);
    assert!(graftwatch_server::hash_password("short", 1024, 1).is_err());
    let h = graftwatch_server::hash_password("a long enough password", 1024, 1).unwrap();
    assert!(graftwatch_server::verify_password(
        &h,
        "a long enough password"
    ));
    assert!(!graftwatch_server::verify_password(
        &h,
        "a long enough passworD"
    ));
}

#[test]
fn reads_and_writes_are_audited_with_identity_and_channel() {
    let db = db();
    let t = TestApp::new(&db, test_config());
    let tok = token_for(&t, "doc");
    let r = t.send(with_token("GET", "/api/patients/P1/course", &tok, None));
    assert_eq!(r.status, StatusCode::OK);
    let r = t.send(with_token(
        "POST",
        "/api/patients/P1/observations",
        &tok,
        Some(&anc_body(1, "2025-05-25", 1.2)),
    ));
    assert_eq!(r.status, StatusCode::CREATED);
    let s = t.login("dm");
    let r = page(&t, &s, "/api/patients?limit=5");
    assert_eq!(r.status, StatusCode::OK);
    let f = graftwatch_store::AuditFilter {
        patient: Some("P1".into()),
        limit: 100,
        ..Default::default()
    };
    let e = t.state.store.audit_filtered(&f).unwrap();
    let has = |actor: &str, action: &str| {
        e.iter().any(|x| {
            x.actor == actor && x.action == action && x.channel == "api" && x.outcome == "ok"
        })
    };
    assert!(has("doc", "read_course"), "{e:?}");
    assert!(has("doc", "append"), "{e:?}");
    assert!(has("dm", "list_patients"), "{e:?}");
    // A denied attempt is recorded too (route template only, no patient id).
    let aud = t.login("aud");
    let r = t.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &aud,
        true,
        Some(&anc_body(2, "2025-05-26", 1.0)),
    ));
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let f = graftwatch_store::AuditFilter {
        actor: Some("aud".into()),
        action: Some("access".into()),
        limit: 10,
        ..Default::default()
    };
    let d = t.state.store.audit_filtered(&f).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].resource, "POST /api/patients/{id}/observations");
    assert!(d[0].outcome.starts_with("denied"));
    assert!(
        t.state
            .store
            .verify_audit()
            .unwrap()
            .first_problem
            .is_none()
    );
}

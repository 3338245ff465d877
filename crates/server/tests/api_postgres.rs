//! Two server instances sharing one PostgreSQL database (the scale-out
//! path: several `graftwatch serve` processes behind a reverse proxy):
//! a session started on one is valid on the other, signing out on one ends
//! it on both, a lockout holds on both, and a revision conflict between
//! two writers on different instances is detected.

mod common;

use axum::http::StatusCode;
use common::*;
use graftwatch_store::Store;

#[test]
fn two_instances_share_sessions_lockouts_and_revisions() {
    let Some(pg) = PgCluster::start() else {
        return;
    };
    let loc = pg.fresh();
    let a = TestApp::over(seed_store(&loc), loc.clone(), test_config());
    let b = TestApp::over(Store::open(&loc).unwrap(), loc.clone(), test_config());

    // Sessions are shared.
    let s = a.login("doc");
    let r = b.send(with_session("GET", "/api/me", &s, false, None));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["user"], "doc");

    // Two physicians load revision 1; the first write wins on A, the second
    // (on B, based on revision 1) is a conflict; nothing is lost.
    let s2 = b.login("dm");
    let r = a.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &s,
        true,
        Some(&anc_body(1, "2025-05-25", 1.3)),
    ));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = b.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &s2,
        true,
        Some(&anc_body(1, "2025-05-25", 0.9)),
    ));
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        m.contains("based on revision 1") && m.contains("now at revision 2"),
        "{m}"
    );
    let r = b.send(with_session(
        "POST",
        "/api/patients/P1/observations",
        &s2,
        true,
        Some(&anc_body(2, "2025-05-25", 0.9)),
    ));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = a.send(with_session("GET", "/api/patients/P1", &s, false, None));
    assert_eq!(r.json()["head_rev"], 3);

    // Signing out on B ends the session on A too.
    let r = b.send(with_session("POST", "/logout", &s, true, None));
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = a.send(with_session("GET", "/api/me", &s, false, None));
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Failed logins on both instances add up to one lockout.
    for app in [&a, &b, &a, &b, &a] {
        app.login_with("lab", "wrong password!!", None).unwrap_err();
    }
    assert!(
        b.login_with("lab", &password("lab"), None).is_err(),
        "locked on B"
    );
    assert!(
        a.login_with("lab", &password("lab"), None).is_err(),
        "locked on A"
    );

    // The audit chain written by both verifies.
    assert!(
        a.state
            .store
            .verify_audit()
            .unwrap()
            .first_problem
            .is_none()
    );
    drop(a);
    drop(b);
    drop(pg);
}

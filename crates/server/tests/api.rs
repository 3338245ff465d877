//! The JSON API: the OpenAPI document agrees with the route table, the
//! Swagger UI is served from the binary, observation writes are validated
//! by the course reader and conflicts are detected, every read endpoint
//! answers with the patient's data, the audit log filters and exports.

mod common;

use axum::http::StatusCode;
use common::*;
use graftwatch_server::all_routes;
use graftwatch_server::roles::Surface;

#[test]
fn openapi_document_lists_every_api_route() {
    let (_db, t) = sqlite_app();
    let r = t.send(get("/api/openapi.json"));
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for spec in all_routes() {
        if spec.surface != Surface::Api || spec.path == "/api/openapi.json" {
            continue;
        }
        let m = spec.method.as_str().to_ascii_lowercase();
        assert!(
            paths.get(spec.path).and_then(|p| p.get(&m)).is_some(),
            "{} {} is missing from the OpenAPI document",
            spec.method,
            spec.path
        );
    }
    // And nothing documented that the table does not serve.
    for (p, ops) in paths {
        for m in ops.as_object().unwrap().keys() {
            assert!(
                all_routes()
                    .iter()
                    .any(|s| s.path == p && s.method.as_str().eq_ignore_ascii_case(m)),
                "{m} {p} documented but not routed"
            );
        }
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
}

#[test]
fn swagger_ui_is_vendored() {
    let (_db, t) = sqlite_app();
    let r = t.send(get("/api/docs"));
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    let r = t.send(get("/api/docs/"));
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("swagger"), "{}", r.body);
    let r = t.send(get("/api/docs/swagger-initializer.js"));
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("/api/openapi.json"));
    assert!(!r.body.contains("https://"), "no CDN");
    let r = t.send(get("/api/docs/swagger-ui-bundle.js"));
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.len() > 100_000);
}

#[test]
fn reads_return_the_patients_data() {
    let (_db, t) = sqlite_app();
    let tok = token_for(&t, "doc");
    let r = api_get(&t, &tok, "/api/patients");
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["total"], 1);
    assert_eq!(j["patients"][0]["patient"], "P1");
    assert!(
        !j["patients"][0]["state"]["summary"]["alerts"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = api_get(&t, &tok, "/api/patients?alerts=true&limit=1&offset=0");
    assert_eq!(r.json()["patients"].as_array().unwrap().len(), 1);
    let r = api_get(&t, &tok, "/api/patients?limit=0");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("limit"));

    let r = api_get(&t, &tok, "/api/patients/P1");
    assert_eq!(r.json()["revisions"][0]["kind"], "create");
    let r = api_get(&t, &tok, "/api/patients/P1/course?rev=1");
    assert_eq!(r.json()["course"]["patient"]["id"], "P1");
    let r = api_get(&t, &tok, "/api/patients/P1/course?rev=9");
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("no revision 9")
    );
    let r = api_get(&t, &tok, "/api/patients/NOPE/grades");
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["message"], "no patient 'NOPE' in the store");

    let r = api_get(&t, &tok, "/api/patients/P1/grades");
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert!(j["grades"]["summary"].as_array().unwrap().len() > 3);
    assert!(!j["alerts"].as_array().unwrap().is_empty());

    let r = api_get(&t, &tok, "/api/patients/P1/dli?date=2024-08-01");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["date"], "2024-08-01");
    assert!(r.json()["assessment"].is_object());
    let r = api_get(&t, &tok, "/api/patients/P1/dli?date=2024-13-01");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("YYYY-MM-DD"));

    let r = api_get(&t, &tok, "/api/patients/P1/chimerism");
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["runs"].is_array());
}

#[test]
fn observation_writes_are_checked_and_conflicts_detected() {
    let (_db, t) = sqlite_app();
    let tok = token_for(&t, "doc");
    let post = |body: &str| {
        t.send(with_token(
            "POST",
            "/api/patients/P1/observations",
            &tok,
            Some(body),
        ))
    };
    // Units are converted by the course reader (g/L → 10^9/L is not a
    // conversion: a wrong unit is an error naming the field).
    let r = post(
        &serde_json::json!({"base_rev": 1, "observations": [
        {"date": "2025-05-25", "kind": "anc", "value": 1.2, "unit": "mg/dL"}]})
        .to_string(),
    );
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["message"].as_str().unwrap().contains("unit"),
        "{}",
        r.body
    );
    let r = post(
        &serde_json::json!({"base_rev": 1, "observations": [
        {"date": "2025-05-25", "kind": "no_such_kind", "value": 1}]})
        .to_string(),
    );
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(r#"{"base_rev": 1, "observations": []}"#);
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(r#"{"base_rev": 1, "observations": [], "extra": 1}"#);
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.state.store.head("P1").unwrap(), 1, "nothing written");
    // A good write: one small revision.
    let r = post(&anc_body(1, "2025-05-25", 1.4));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["rev"], 2);
    assert_eq!(r.json()["added"], 1);
    // Entered against revision 1 again: a conflict naming both revisions.
    let r = post(&anc_body(1, "2025-05-26", 1.5));
    assert_eq!(r.status, StatusCode::CONFLICT);
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        m.contains("based on revision 1") && m.contains("now at revision 2"),
        "{m}"
    );
    let (course, _) = t
        .state
        .store
        .course_at(&common::store_common::clinician(), "P1", None)
        .unwrap();
    assert_eq!(course.observations.len(), 2501);
}

#[test]
fn audit_log_filters_and_exports() {
    let (_db, t) = sqlite_app();
    let doc = token_for(&t, "doc");
    t.send(with_token("GET", "/api/patients/P1/course", &doc, None));
    let aud = t.login("aud");
    let r = page(&t, &aud, "/api/audit?actor=doc&action=read_course");
    assert_eq!(r.status, StatusCode::OK);
    let e = r.json()["entries"].as_array().unwrap().clone();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["channel"], "api");
    assert_eq!(e[0]["patients"], "P1");
    let r = page(&t, &aud, "/api/audit?from=2020-13-01");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page and its CSV export.
    let r = page(&t, &aud, "/admin/audit?actor=doc");
    assert_eq!(r.status, StatusCode::OK);
    // Actions and roles in words on the page (the CSV keeps the codes).
    assert!(
        r.body.contains("read course") && r.body.contains("physician"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains(">read_course<") && !r.body.contains(">clinician<"),
        "{}",
        r.body
    );
    let r = page(&t, &aud, "/admin/audit.csv?actor=doc");
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut lines = r.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "seq,time_utc,user,role,channel,action,patients,resource,outcome,reason"
    );
    assert!(
        lines.any(|l| l.contains(",doc,clinician,api,read_course,P1,")),
        "{}",
        r.body
    );
    // Verification.
    let r = page(&t, &aud, "/api/audit/verify");
    assert_eq!(r.json()["ok"], true);
    let r = page(&t, &aud, "/admin/audit/verify");
    assert!(r.body.contains("The audit trail verifies"));
    assert!(r.body.contains("The stored courses verify"), "{}", r.body);
    // A damaged course shows on the page and in the API.
    common::store_common::raw_exec(
        &t.loc,
        "UPDATE revisions SET payload = payload || ' ' WHERE patient_id = 'P1' AND rev = 1",
    );
    let r = page(&t, &aud, "/admin/audit/verify");
    assert!(
        r.body.contains("&#39;P1&#39; is damaged at revision 1")
            || r.body.contains("'P1' is damaged at revision 1"),
        "{}",
        r.body
    );
    let r = page(&t, &aud, "/api/audit/verify");
    assert_eq!(r.json()["ok"], false);
    // Tampering shows on the page.
    common::store_common::raw_exec(
        &t.loc,
        "UPDATE audit_log SET actor = 'someone' WHERE seq = 3",
    );
    let r = page(&t, &aud, "/admin/audit/verify");
    assert!(r.body.contains("does NOT verify"), "{}", r.body);
    assert!(r.body.contains("#3"));
}

#[test]
fn admin_pages_manage_users_and_tokens() {
    let (_db, t) = sqlite_app();
    let s = t.login("admin");
    let form = |path: &str, body: String| {
        axum::http::Request::post(path)
            .header(axum::http::header::COOKIE, s.cookie())
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(axum::body::Body::from(format!(
                "csrf_token={}&{body}",
                s.csrf
            )))
            .unwrap()
    };
    let r = t.send(form(
        "/admin/users",
        "user=nurse.k&role=physician&password=nurse+password+1".into(),
    ));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("user nurse.k added with the role physician")
    );
    assert!(t.login_with("nurse.k", "nurse password 1", None).is_ok());
    // "Add" never changes an existing account (role or password).
    let r = t.send(form(
        "/admin/users",
        "user=nurse.k&role=admin&password=another+password+2".into(),
    ));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("user nurse.k already exists with the role physician"),
        "{}",
        r.body
    );
    assert!(t.login_with("nurse.k", "nurse password 1", None).is_ok());
    let r = t.send(form(
        "/admin/users",
        "user=x&role=physician&password=short".into(),
    ));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("at least 12 characters"));
    let r = t.send(form(
        "/admin/users",
        "user=y&role=root&password=long+enough+password".into(),
    ));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.send(form("/admin/tokens", "user=lab&label=LIMS".into()));
    assert!(r.body.contains("shown once"));
    let tok_start = r.body.find("<p class=\"mono\">").unwrap() + 16;
    let tok = &r.body[tok_start..tok_start + 64];
    assert_eq!(
        t.send(with_token("GET", "/api/me", tok, None)).json()["role"],
        "lab scientist"
    );
    let r = t.send(form("/admin/tokens/revoke", "user=lab&label=LIMS".into()));
    assert!(
        r.body.contains("1 token &#39;LIMS&#39; of lab revoked"),
        "{}",
        r.body
    );
    assert_eq!(
        t.send(with_token("GET", "/api/me", tok, None)).status,
        StatusCode::UNAUTHORIZED
    );
    let r = t.send(form(
        "/admin/users/status",
        "user=nurse.k&disabled=true".into(),
    ));
    assert!(r.body.contains("nurse.k disabled"));
    assert!(t.login_with("nurse.k", "nurse password 1", None).is_err());
    let r = t.send(form(
        "/admin/users/status",
        "user=admin&disabled=true".into(),
    ));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

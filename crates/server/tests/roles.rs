//! The route × role matrix: docs/server.md's table is the one generated
//! from the route table, and every route answers every role and anonymous
//! callers as that table says (sessions for pages and the API, bearer
//! tokens for the API).

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use graftwatch_server::roles::{ALL_ROLES, Surface, matrix_markdown, role_label};
use graftwatch_server::{Permission, all_routes};
use graftwatch_store::Role;

const BEGIN: &str = "<!-- route-matrix:begin (generated from the route table; checked by crates/server/tests/roles.rs) -->\n";
const END: &str = "<!-- route-matrix:end -->";

fn doc_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/server.md")
}

#[test]
fn docs_matrix_is_the_route_table() {
    let want = matrix_markdown(&all_routes());
    let doc = std::fs::read_to_string(doc_path()).unwrap();
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/server.md has no route-matrix markers");
    };
    let have = &doc[b + BEGIN.len()..e];
    if have != want && std::env::var_os("GW_UPDATE_DOCS").is_some() {
        let new = format!("{}{BEGIN}{want}{}", &doc[..b], &doc[e..]);
        std::fs::write(doc_path(), new).unwrap();
        return;
    }
    assert_eq!(
        have, want,
        "docs/server.md's route matrix differs from the route table (run with GW_UPDATE_DOCS=1 to regenerate)"
    );
}

/// A concrete path for a route template.
fn concrete(path: &str) -> String {
    path.replace("{id}", "P1")
        .replace("{*file}", "index.html")
        .replace("{file}", "graftwatch.css")
}

#[derive(Debug)]
enum Caller {
    Anonymous,
    Session(Role, Session),
    Token(Role, String),
}

fn request(t: &TestApp, c: &Caller, m: &Method, path: &str) -> Reply {
    let body = (*m == Method::POST).then_some("{}");
    match c {
        Caller::Anonymous => t.send(
            axum::http::Request::builder()
                .method(m)
                .uri(path)
                .body(axum::body::Body::empty())
                .unwrap(),
        ),
        Caller::Session(role, s) => {
            // Signing out ends the session: use a fresh one for that route.
            let fresh;
            let s = if path == "/logout" {
                fresh = t.login(user_of(*role));
                &fresh
            } else {
                s
            };
            t.send(with_session(m.as_str(), path, s, true, body))
        }
        Caller::Token(_, tok) => t.send(with_token(m.as_str(), path, tok, body)),
    }
}

fn expect(t: &TestApp, c: &Caller, m: &Method, path: &str, perm: Permission, surface: Surface) {
    let role = match c {
        Caller::Anonymous => None,
        Caller::Session(r, _) | Caller::Token(r, _) => Some(*r),
    };
    let r = request(t, c, m, path);
    let who = role.map_or("anonymous", role_label);
    let what = format!(
        "{m} {path} as {who} ({c:?}): {} {}",
        r.status,
        r.body.chars().take(200).collect::<String>()
    );
    if perm.allows(role) {
        assert!(
            r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN,
            "allowed but refused: {what}"
        );
        // (Signing out rightly ends on the login page.)
        if path != "/logout" {
            assert!(
                r.header("location") != Some("/login"),
                "allowed but sent to login: {what}"
            );
        }
        if *m == Method::GET {
            assert!(r.status.as_u16() < 400, "allowed GET failed: {what}");
        }
    } else if role.is_none() {
        match surface {
            Surface::Page => {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{what}");
                assert_eq!(r.header("location"), Some("/login"), "{what}");
            }
            Surface::Api => {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
                assert!(
                    r.header(header::WWW_AUTHENTICATE.as_str()).is_some(),
                    "{what}"
                );
            }
        }
    } else {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}");
    }
}

#[test]
fn every_route_every_role_and_anonymous() {
    let (_db, t) = sqlite_app();
    let mut callers = vec![Caller::Anonymous];
    for role in ALL_ROLES {
        callers.push(Caller::Session(role, t.login(user_of(role))));
        callers.push(Caller::Token(role, token_for(&t, user_of(role))));
    }
    let routes = all_routes();
    assert!(routes.len() >= 20, "the route table looks incomplete");
    let mut checked = 0;
    for spec in &routes {
        let path = concrete(spec.path);
        for c in &callers {
            // Tokens are for the API; pages are for browsers.
            if matches!(c, Caller::Token(..)) && spec.surface == Surface::Page {
                continue;
            }
            expect(&t, c, &spec.method, &path, spec.permission, spec.surface);
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} route × caller checks");
}

#[test]
fn unknown_routes_do_not_exist() {
    let (_db, t) = sqlite_app();
    let s = t.login("admin");
    for path in ["/admin", "/api/patients/P1/delete", "/api/users", "/.env"] {
        let r = page(&t, &s, path);
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    // A known path with a method not in the table is refused too.
    let r = t.send(with_session("DELETE", "/api/patients/P1", &s, true, None));
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

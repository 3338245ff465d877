//! Test harness of the server tests: a store (SQLite file or a database in
//! a throwaway PostgreSQL cluster — the store tests' own helper, reused)
//! with one user per role and the seed patient `P1`; the application
//! driven in-process with `tower::ServiceExt::oneshot`; login helpers.
#![allow(dead_code, clippy::result_large_err)]

#[path = "../../../store/tests/common/mod.rs"]
pub mod store_common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use graftwatch_server::{AppState, ServerConfig, build_app, hash_password};
use graftwatch_store::{Location, Role, Store};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[allow(unused_imports)]
pub use store_common::{Db, PgCluster, SqliteDb};

/// User name and role of the seeded users (password: [`password`]).
pub const USERS: [(&str, Role); 5] = [
    ("admin", Role::Admin),
    ("doc", Role::Clinician),
    ("lab", Role::Lab),
    ("dm", Role::DataManager),
    ("aud", Role::Monitor),
];

/// The application over a fresh seeded SQLite store with the test
/// configuration, and that store (keep it alive as long as the application).
pub fn sqlite_app() -> (SqliteDb, TestApp) {
    let db = SqliteDb::new();
    let t = TestApp::new(&db, test_config());
    (db, t)
}

/// The password of a seeded user.
pub fn password(user: &str) -> String {
    format!("{user}-password-123")
}

/// The user name of the seeded user with `role`.
pub fn user_of(role: Role) -> &'static str {
    USERS
        .iter()
        .find(|(_, r)| *r == role)
        .map(|(u, _)| *u)
        .unwrap()
}

/// A fast configuration for tests (small argon2 cost, generous rate limit).
pub fn test_config() -> ServerConfig {
    ServerConfig {
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        login_attempts_per_minute: 10_000,
        ..ServerConfig::default()
    }
}

/// Initialises a store at `loc` with the seeded users and patient `P1`.
pub fn seed_store(loc: &Location) -> Store {
    let (store, _) = Store::init(loc).unwrap();
    let boot = store_common::actor("admin", Role::Admin);
    for (u, r) in USERS {
        store.put_user(&boot, u, r).unwrap();
        let phc = hash_password(&password(u), 1024, 1).unwrap();
        store.set_password_hash(&boot, u, &phc).unwrap();
    }
    let (course, _) = store_common::seed_as("P1", usize::MAX);
    store
        .create_patient(&store_common::clinician(), &course, None)
        .unwrap();
    store
}

/// The application over a seeded store, with its own runtime.
pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    pub loc: Location,
    pub rt: tokio::runtime::Runtime,
}

impl TestApp {
    /// On a fresh database of `db`, with `cfg`.
    pub fn new(db: &dyn Db, cfg: ServerConfig) -> TestApp {
        let loc = db.fresh();
        let store = seed_store(&loc);
        TestApp::over(store, loc, cfg)
    }

    /// Over an already open store.
    pub fn over(store: Store, loc: Location, cfg: ServerConfig) -> TestApp {
        let state = AppState::new(store, cfg);
        TestApp {
            app: build_app(state.clone()),
            state,
            loc,
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// Sends a request.
    pub fn send(&self, req: Request<Body>) -> Reply {
        self.rt.block_on(async {
            let r = self.app.clone().oneshot(req).await.unwrap();
            Reply::read(r).await
        })
    }

    /// Signs `user` in (the real login form); returns the session.
    pub fn login(&self, user: &str) -> Session {
        self.login_with(user, &password(user), None)
            .expect("login succeeds")
    }

    /// Tries to sign in; `Err(reply)` when no session cookie came back.
    pub fn login_with(
        &self,
        user: &str,
        pw: &str,
        old: Option<&Session>,
    ) -> Result<Session, Reply> {
        let form = self.send(get("/login"));
        let login_cookie = form
            .cookie("__Host-graftwatch_login")
            .expect("login cookie");
        let token = form.login_token();
        let body = serde_urlencoded::to_string([
            ("user", user),
            ("password", pw),
            ("login_token", &token),
        ])
        .unwrap();
        let mut cookies = format!("__Host-graftwatch_login={login_cookie}");
        if let Some(o) = old {
            cookies.push_str(&format!("; __Host-graftwatch_session={}", o.secret));
        }
        let r = self.send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookies)
                .body(Body::from(body))
                .unwrap(),
        );
        match r
            .cookie("__Host-graftwatch_session")
            .filter(|c| !c.is_empty())
        {
            Some(secret) => Ok(Session {
                csrf: graftwatch_server::csrf::token_for(&secret),
                secret,
            }),
            None => Err(r),
        }
    }
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie's secret.
    pub secret: String,
    /// Its CSRF token.
    pub csrf: String,
}

impl Session {
    /// The Cookie header value.
    pub fn cookie(&self) -> String {
        format!("__Host-graftwatch_session={}", self.secret)
    }
}

/// A response, read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    async fn read(r: Response<Body>) -> Reply {
        let (parts, body) = r.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The value set for cookie `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|r| r.split(';').next().unwrap_or("").to_string())
            })
    }

    /// The whole Set-Cookie header for `name`.
    pub fn set_cookie_line(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The login form's hidden token.
    pub fn login_token(&self) -> String {
        let at = self
            .body
            .find("name=\"login_token\" value=\"")
            .expect("login token field");
        let rest = &self.body[at + 26..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A GET request.
pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// A request with the session cookie (and CSRF header when `csrf`).
pub fn with_session(
    method: &str,
    path: &str,
    s: &Session,
    csrf: bool,
    json: Option<&str>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, s.cookie());
    if csrf {
        b = b.header("x-csrf-token", &s.csrf);
    }
    with_json_body(b, json)
}

/// The request of `b` with `json` as its body (and content type), or empty.
fn with_json_body(b: axum::http::request::Builder, json: Option<&str>) -> Request<Body> {
    match json {
        Some(j) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(j.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// A request with a bearer token.
pub fn with_token(method: &str, path: &str, token: &str, json: Option<&str>) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    with_json_body(b, json)
}

/// `GET path` of the JSON API with the bearer token `tok`.
pub fn api_get(t: &TestApp, tok: &str, path: &str) -> Reply {
    t.send(with_token("GET", path, tok, None))
}

/// A token for a seeded user.
pub fn token_for(t: &TestApp, user: &str) -> String {
    let admin = store_common::actor("admin", Role::Admin);
    t.state.store.create_token(&admin, user, "test").unwrap()
}

/// A JSON body adding one ANC value on `date` at `base` revision.
pub fn anc_body(base: i64, date: &str, value: f64) -> String {
    serde_json::json!({
        "base_rev": base,
        "observations": [{"date": date, "kind": "anc", "value": value, "unit": "10^9/L"}]
    })
    .to_string()
}

/// Sleeps (timeouts).
pub fn pause(secs: f64) {
    std::thread::sleep(Duration::from_secs_f64(secs));
}

/// `GET path` with the session.
pub fn page(t: &TestApp, s: &Session, path: &str) -> Reply {
    t.send(with_session("GET", path, s, false, None))
}

/// A urlencoded form posted with the session and its CSRF header.
pub fn post_form(t: &TestApp, s: &Session, path: &str, form: &[(&str, &str)]) -> Reply {
    t.send(
        Request::post(path)
            .header(header::COOKIE, s.cookie())
            .header("x-csrf-token", &s.csrf)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap(),
    )
}

/// A multipart upload (the fields, then `file` as (name, bytes)) posted
/// with the session and its CSRF header.
pub fn post_multipart(
    t: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> Reply {
    let b = "----gwtestboundary7MA4YWxk";
    let mut body: Vec<u8> = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: text/plain\r\n\r\n", file.0)
            .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{b}--\r\n").as_bytes());
    t.send(
        Request::post(path)
            .header(header::COOKIE, s.cookie())
            .header("x-csrf-token", &s.csrf)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={b}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
}

/// A form of owned values as the `(name, value)` pairs [`post_form`] takes.
pub fn form_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// The bytes of `name` in `dir` (relative to the server crate).
pub fn data_file(dir: &str, name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(dir)
            .join(name),
    )
    .unwrap()
}

/// A file of the STR example in `examples/str/`.
pub fn str_file(name: &str) -> Vec<u8> {
    data_file("../../examples/str", name)
}

/// A file of the NGS example in `examples/ngs/`.
pub fn ngs_file(name: &str) -> Vec<u8> {
    data_file("../../examples/ngs", name)
}

/// Signs off the lab run `run_id` of patient `P1` as `s`, asserting that it
/// redirects and adds one revision; returns the chimerism observations of
/// the signed course (read as `actor`) dated `day`.
pub fn sign_off_chimerism(
    t: &TestApp,
    s: &Session,
    actor: &graftwatch_store::Actor,
    run_id: &str,
    day: &str,
) -> Vec<graftwatch_course::Observation> {
    let head = t.state.store.head("P1").unwrap();
    let r = post_form(
        t,
        s,
        &format!("/patients/P1/lab/runs/{run_id}/signoff"),
        &[],
    );
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(t.state.store.head("P1").unwrap(), head + 1, "one revision");
    let (c, _) = t.state.store.course_at(actor, "P1", None).unwrap();
    let day: graftwatch_core::Date = day.parse().unwrap();
    c.observations
        .into_iter()
        .filter(|o| o.date == day && o.kind.as_str() == "chimerism")
        .collect()
}

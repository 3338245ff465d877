//! Who is calling, and signing in and out.
//!
//! - **Passwords** are hashed with argon2id (PHC string in the store's
//!   `users.password_hash`; default parameters 19 MiB, 2 iterations, 1 lane,
//!   the OWASP recommendation). Unknown users are checked against a dummy
//!   hash so that the answer time does not reveal which names exist.
//! - **Sessions**: a new 256-bit secret at every login (the session id is
//!   rotated: a session cookie presented at login is ended first), kept in
//!   the database as its SHA-256 with an absolute expiry and the last
//!   activity (idle timeout); see [`crate::session`].
//! - **Lockout**: after `lockout_after` consecutive failures an account is
//!   locked for `lockout_duration` (in the database, so it holds across
//!   server processes); the answer is the same generic message as for a
//!   wrong password.
//! - **Rate limit**: at most `login_attempts_per_minute` login attempts per
//!   client address per process (HTTP 429 with `Retry-After`).
//! - **API tokens**: `Authorization: Bearer TOKEN` (created with
//!   `graftwatch token create`, stored as SHA-256); the same role checks.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use graftwatch_store::hashing::{hex, random_bytes};
use graftwatch_store::time::now_utc;
use graftwatch_store::{Actor, AuditEvent, Channel, Credentials, Role};
use serde::Deserialize;

use crate::app::{AppState, ServerConfig};
use crate::csrf;
use crate::error::{AppError, PageError};
use crate::roles::{Permission, RouteSpec, role_label};
use crate::session;
use crate::templates::{Chrome, HomePage, LoginPage, render};

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    /// The session cookie (browser).
    Session,
    /// A personal access token (`Authorization: Bearer`).
    Token,
}

/// The signed-in caller, put into the request by the permission guard.
/// Handlers take it with `Extension<Identity>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// User name.
    pub user: String,
    /// Role.
    pub role: Role,
    /// Session or token.
    pub via: AuthVia,
    csrf: Option<String>,
}

impl Identity {
    /// The session's CSRF token (`None` for token-authenticated calls).
    pub fn csrf_token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    /// The store actor for audit entries and revisions, on `channel`.
    pub fn actor(&self, channel: Channel) -> Actor {
        Actor {
            name: self.user.clone(),
            role: self.role,
            channel,
        }
    }

    /// An identity (for tests of page handlers and the webui's own code).
    pub fn new(user: &str, role: Role, via: AuthVia, csrf: Option<String>) -> Identity {
        Identity {
            user: user.into(),
            role,
            via,
            csrf,
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 256)
}

/// Resolves the caller from the bearer token (first) or the session cookie.
pub async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Identity>, AppError> {
    if headers.contains_key(header::AUTHORIZATION) {
        let Some(token) = bearer(headers) else {
            return Ok(None);
        };
        let found = state.db(move |s| s.token_user(&token)).await?;
        return Ok(found.map(|(user, role)| Identity::new(&user, role, AuthVia::Token, None)));
    }
    let secure = state.cfg.secure_cookies;
    let Some(secret) = session::read_cookie(headers, session::cookie_name(secure)) else {
        return Ok(None);
    };
    let idle = state.cfg.idle_timeout.as_secs() as i64;
    let touch = (idle / 10).clamp(1, 60);
    let s2 = secret.clone();
    let found = state.db(move |s| s.touch_session(&s2, idle, touch)).await?;
    Ok(found.map(|(user, role)| {
        Identity::new(
            &user,
            role,
            AuthVia::Session,
            Some(csrf::token_for(&secret)),
        )
    }))
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than 12 characters.
    #[error("a password needs at least 12 characters")]
    TooShort,
    /// Longer than 1024 bytes.
    #[error("a password may be at most 1024 bytes")]
    TooLong,
    /// The argon2 parameters were rejected.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Hashes a password with argon2id (memory in KiB, iterations; one lane).
pub fn hash_password(
    password: &str,
    memory_kib: u32,
    iterations: u32,
) -> Result<String, PasswordError> {
    if password.chars().count() < 12 {
        return Err(PasswordError::TooShort);
    }
    if password.len() > 1024 {
        return Err(PasswordError::TooLong);
    }
    let params = Params::new(memory_kib, iterations, 1, None)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    a.hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string (argon2id only).
pub fn verify_password(phc: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    phc.starts_with("$argon2id$")
        && Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
}

fn dummy_hash(cfg: &ServerConfig) -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(
            "not a password of anyone",
            cfg.argon2_memory_kib,
            cfg.argon2_iterations,
        )
        .unwrap_or_default()
    })
}

/// Login attempts per client address within the last minute (per process).
pub struct LoginLimiter {
    per_minute: u32,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// A limiter allowing `per_minute` attempts per address.
    pub fn new(per_minute: u32) -> LoginLimiter {
        LoginLimiter {
            per_minute,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `who`; `Err(seconds to wait)` when over the limit.
    pub fn attempt(&self, who: &str) -> Result<(), u64> {
        let now = Instant::now();
        let window = Duration::from_secs(60);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = seen.entry(who.to_string()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if q.len() >= self.per_minute as usize {
            let wait = q
                .front()
                .map_or(60, |t| 60 - now.duration_since(*t).as_secs());
            return Err(wait.max(1));
        }
        q.push_back(now);
        Ok(())
    }
}

/// A redirect to the login page.
pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// Routes: the login and logout pages and the start page.
pub fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec::page(
            Method::GET,
            "/login",
            Permission::Public,
            "login form",
            get(login_page),
        ),
        RouteSpec::page(
            Method::POST,
            "/login",
            Permission::Public,
            "sign in",
            post(login),
        ),
        RouteSpec::page(
            Method::POST,
            "/logout",
            Permission::SignedIn,
            "sign out",
            post(logout),
        ),
        RouteSpec::page(
            Method::GET,
            "/",
            Permission::SignedIn,
            "start page",
            get(home),
        ),
    ]
}

fn login_form(
    state: &AppState,
    message: Option<String>,
    token: String,
    status: StatusCode,
) -> Response {
    let page = LoginPage {
        chrome: Chrome::anonymous(),
        message,
        login_token: token.clone(),
    };
    let secure = state.cfg.secure_cookies;
    let cookie = session::set_cookie(
        session::login_cookie_name(secure),
        &token,
        secure,
        Some(1800),
    );
    let mut r = (status, Html(render(&page))).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

fn new_secret() -> Result<String, AppError> {
    random_bytes(32)
        .map(|b| hex(&b))
        .map_err(|e| AppError::Internal(format!("random bytes: {e}")))
}

async fn login_page(State(state): State<AppState>) -> Result<Response, PageError> {
    Ok(login_form(&state, None, new_secret()?, StatusCode::OK))
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
    #[serde(default)]
    login_token: String,
}

/// What the password check decided.
enum Verdict {
    Ok(Role),
    Refused(Option<Role>, &'static str),
}

fn judge(cred: Option<Credentials>, password: &str, cfg: &ServerConfig) -> Verdict {
    let Some(c) = cred else {
        verify_password(dummy_hash(cfg), password);
        return Verdict::Refused(None, "unknown user");
    };
    let Some(hash) = c.password_hash.as_deref() else {
        verify_password(dummy_hash(cfg), password);
        return Verdict::Refused(Some(c.role), "no password set");
    };
    let ok = verify_password(hash, password);
    if c.disabled {
        return Verdict::Refused(Some(c.role), "account disabled");
    }
    if c.locked_until
        .as_deref()
        .is_some_and(|u| u > now_utc().as_str())
    {
        return Verdict::Refused(Some(c.role), "account locked");
    }
    if ok {
        Verdict::Ok(c.role)
    } else {
        Verdict::Refused(Some(c.role), "wrong password")
    }
}

const GENERIC_FAILURE: &str = "User name or password is wrong, or the account is locked after too many failed attempts or disabled.";

async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let who = peer.map_or_else(
        || "local".to_string(),
        |Extension(ConnectInfo(a))| a.ip().to_string(),
    );
    if let Err(wait) = state.limiter.attempt(&who) {
        return Err(AppError::TooManyRequests(wait).into());
    }
    let secure = state.cfg.secure_cookies;
    let cookie = session::read_cookie(&headers, session::login_cookie_name(secure));
    if !cookie.is_some_and(|c| csrf::same(&c, f.login_token.trim())) {
        let msg = "The sign-in form expired: please sign in again.".to_string();
        return Ok(login_form(
            &state,
            Some(msg),
            new_secret()?,
            StatusCode::FORBIDDEN,
        ));
    }
    let user = f.user.trim().to_string();
    if user.is_empty() || user.len() > 200 || f.password.len() > 1024 {
        return Ok(login_form(
            &state,
            Some(GENERIC_FAILURE.into()),
            f.login_token,
            StatusCode::UNAUTHORIZED,
        ));
    }
    let old = session::read_cookie(&headers, session::cookie_name(secure));
    let cfg = state.cfg.clone();
    let (u, pw) = (user.clone(), f.password);
    let verdict = state
        .db(move |s| Ok(judge(s.credentials(&u)?, &pw, &cfg)))
        .await?;
    match verdict {
        Verdict::Ok(role) => start_session(&state, &user, role, old).await,
        Verdict::Refused(role, why) => {
            refuse(&state, &user, role, why).await?;
            Ok(login_form(
                &state,
                Some(GENERIC_FAILURE.into()),
                f.login_token,
                StatusCode::UNAUTHORIZED,
            ))
        }
    }
}

async fn refuse(
    state: &AppState,
    user: &str,
    role: Option<Role>,
    why: &'static str,
) -> Result<(), AppError> {
    let Some(role) = role else { return Ok(()) };
    let (n, secs) = (
        i64::from(state.cfg.lockout_after),
        state.cfg.lockout_duration.as_secs() as i64,
    );
    let actor = Actor {
        name: user.to_string(),
        role,
        channel: Channel::Web,
    };
    let u = user.to_string();
    state
        .db(move |s| {
            let counts = why == "wrong password";
            let locked = counts && s.login_failed(&u, n, secs)?;
            let outcome = if locked {
                format!("denied: {why}; account locked for {} minutes", secs / 60)
            } else {
                format!("denied: {why}")
            };
            s.audit(
                &actor,
                &AuditEvent {
                    outcome,
                    ..AuditEvent::ok("login", vec![], "session")
                },
            )
        })
        .await
}

async fn start_session(
    state: &AppState,
    user: &str,
    role: Role,
    old: Option<String>,
) -> Result<Response, PageError> {
    let absolute = state.cfg.absolute_timeout.as_secs() as i64;
    let actor = Actor {
        name: user.to_string(),
        role,
        channel: Channel::Web,
    };
    let u = user.to_string();
    let secret = state
        .db(move |s| {
            if let Some(o) = old {
                s.end_session(&o)?;
            }
            s.login_succeeded(&u)?;
            let secret = s.create_session(&u, absolute)?;
            s.audit(&actor, &AuditEvent::ok("login", vec![], "session"))?;
            Ok(secret)
        })
        .await?;
    let secure = state.cfg.secure_cookies;
    let mut r = Redirect::to("/").into_response();
    let set = session::set_cookie(session::cookie_name(secure), &secret, secure, None);
    let clear = session::set_cookie(session::login_cookie_name(secure), "", secure, Some(0));
    for c in [set, clear] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(r)
}

async fn logout(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let secure = state.cfg.secure_cookies;
    let secret = session::read_cookie(&headers, session::cookie_name(secure));
    let actor = id.actor(Channel::Web);
    state
        .db(move |s| {
            if let Some(sec) = secret {
                s.end_session(&sec)?;
            }
            s.audit(&actor, &AuditEvent::ok("logout", vec![], "session"))
        })
        .await?;
    let mut r = Redirect::to("/login").into_response();
    let clear = session::set_cookie(session::cookie_name(secure), "", secure, Some(0));
    if let Ok(v) = HeaderValue::from_str(&clear) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

async fn home(Extension(id): Extension<Identity>) -> Html<String> {
    Html(render(&HomePage {
        chrome: Chrome::for_identity(&id, "/"),
        user: id.user.clone(),
        role: role_label(id.role),
    }))
}

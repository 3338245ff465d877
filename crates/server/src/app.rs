//! The application: configuration, shared state, the router built from the
//! route table, and the permission guard every route passes through.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use graftwatch_store::{Actor, AuditEvent, Channel, Store, StoreError};

use crate::auth::{self, Identity, LoginLimiter};
use crate::error::{AppError, PageError};
use crate::roles::{Permission, RouteSpec, Surface};

/// How the server behaves (command-line options of `graftwatch serve`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Mark cookies `Secure` and send `Strict-Transport-Security` (the
    /// default; turn off only for plain http on the loopback interface).
    pub secure_cookies: bool,
    /// A session ends after this much inactivity.
    pub idle_timeout: Duration,
    /// A session ends this long after login, whatever the activity.
    pub absolute_timeout: Duration,
    /// Consecutive failed logins that lock an account.
    pub lockout_after: u32,
    /// How long a locked account stays locked.
    pub lockout_duration: Duration,
    /// Login attempts allowed per client address per minute (per process).
    pub login_attempts_per_minute: u32,
    /// argon2id memory cost in KiB for new password hashes.
    pub argon2_memory_kib: u32,
    /// argon2id iterations for new password hashes.
    pub argon2_iterations: u32,
    /// Largest request body accepted, in bytes (uploads included).
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    /// Defaults: secure cookies, 30 min idle / 12 h absolute session
    /// timeouts, lockout for 15 min after 5 failed logins, 10 login
    /// attempts per address per minute, argon2id with the OWASP parameters
    /// (19 MiB, 2 iterations, 1 lane), 20 MiB request bodies.
    fn default() -> ServerConfig {
        ServerConfig {
            secure_cookies: true,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
            lockout_after: 5,
            lockout_duration: Duration::from_secs(15 * 60),
            login_attempts_per_minute: 10,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            max_body_bytes: 20 * 1024 * 1024,
        }
    }
}

/// The store, dropped on a plain thread: the store owns a small tokio
/// runtime, which must not be dropped inside the server's asynchronous
/// context (the last reference often goes away there, e.g. at shutdown or
/// at the end of an async test).
pub struct SharedStore(Option<Store>);

impl std::ops::Deref for SharedStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.0.as_ref().expect("the store is present until dropped")
    }
}

impl Drop for SharedStore {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::spawn(move || drop(s)).join();
            } else {
                drop(s);
            }
        }
    }
}

/// What every handler can reach: the store, the configuration, the login
/// rate limiter.
#[derive(Clone)]
pub struct AppState {
    /// The store (its synchronous API runs on the blocking thread pool; see [`AppState::db`]).
    pub store: Arc<SharedStore>,
    /// Configuration.
    pub cfg: Arc<ServerConfig>,
    /// Per-process login rate limiter.
    pub limiter: Arc<LoginLimiter>,
    /// The ward dashboard's rows in memory (checked against the store).
    pub ward: Arc<crate::pages::WardCache>,
}

impl AppState {
    /// State over an open store. Writes through the server leave the
    /// patient's derived state (ward facts, alerts, DLI status) to be
    /// recomputed by the next read that shows it — the ward cache, the
    /// API list, `patients` — instead of grading the whole course again on
    /// every write: several writes between two reads cost one recompute,
    /// and nothing is ever shown from a stale row (the store recomputes
    /// rows whose revision moved before listing them).
    pub fn new(mut store: Store, cfg: ServerConfig) -> AppState {
        store.set_derive_on_write(false);
        AppState {
            store: Arc::new(SharedStore(Some(store))),
            limiter: Arc::new(LoginLimiter::new(cfg.login_attempts_per_minute)),
            ward: Arc::new(crate::pages::WardCache::new()),
            cfg: Arc::new(cfg),
        }
    }

    /// Runs a store operation on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        let queued = std::time::Instant::now();
        let job = move || {
            crate::timing::since("db: wait for a blocking thread", queued);
            let run = std::time::Instant::now();
            let r = f(&store);
            crate::timing::since("db: run", run);
            r
        };
        match tokio::task::spawn_blocking(job).await {
            Ok(r) => r.map_err(AppError::from),
            Err(e) => Err(AppError::Internal(format!("store task failed: {e}"))),
        }
    }
}

impl AppState {
    /// Records an audit entry and waits, without holding a thread, until
    /// it is committed (group commit, decision S-4 in docs/server.md).
    pub async fn audit(&self, actor: Actor, ev: AuditEvent) -> Result<(), AppError> {
        self.store
            .audit_enqueue(actor, ev)
            .committed()
            .await
            .map_err(AppError::from)
    }

    /// Runs a store operation that writes patient data, then tells the
    /// ward cache to check the store before the next dashboard page.
    pub async fn db_write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let r = self.db(f).await;
        self.ward.invalidate();
        r
    }
}

/// Every route of the application: the server's own (login, admin, API,
/// assets, API docs) and the pages of [`crate::pages::routes`].
pub fn all_routes() -> Vec<RouteSpec> {
    let mut v = auth::routes();
    v.extend(crate::assets::routes());
    v.extend(crate::admin::routes());
    v.extend(crate::api::routes());
    v.extend(crate::openapi::routes());
    v.extend(crate::pages::routes());
    v
}

#[derive(Clone)]
struct Guard {
    state: AppState,
    permission: Permission,
    surface: Surface,
}

/// Builds the application from [`all_routes`]: each route wrapped in its
/// permission guard, security headers on every response, a body limit.
pub fn build_app(state: AppState) -> Router {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for spec in all_routes() {
        let guard = Guard {
            state: state.clone(),
            permission: spec.permission,
            surface: spec.surface,
        };
        let guarded = spec
            .handler
            .route_layer(middleware::from_fn_with_state(guard, check));
        let merged = match by_path.remove(spec.path) {
            Some(existing) => existing.merge(guarded),
            None => guarded,
        };
        by_path.insert(spec.path, merged);
    }
    let mut router = Router::new();
    for (path, mr) in by_path {
        router = router.route(path, mr);
    }
    if crate::timing::enabled() {
        router = router.layer(middleware::from_fn(time_request));
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn(method_not_allowed_in_words))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.cfg.max_body_bytes,
        ))
        .layer(middleware::from_fn_with_state(
            state.cfg.secure_cookies,
            crate::security::headers,
        ))
        .with_state(state)
}

/// Records a request's time in the router as `request <route>` (only
/// installed with [`crate::timing::ENV`]).
async fn time_request(req: Request, next: Next) -> Response {
    let route = match req.extensions().get::<axum::extract::MatchedPath>() {
        Some(m) if m.as_str() == "/ward" => "request: /ward",
        Some(m) if m.as_str().starts_with("/api/") => "request: /api",
        _ => "request: other",
    };
    let t0 = std::time::Instant::now();
    let r = next.run(req).await;
    crate::timing::since(route, t0);
    r
}

async fn not_found(req: Request) -> Response {
    let e = AppError::NotFound("no such page or API route".into());
    if req.uri().path().starts_with("/api/") {
        e.into_response()
    } else {
        PageError(e).into_response()
    }
}

/// A 405 from the router has no body: give it the API's error shape (or
/// the error page), naming the method.
async fn method_not_allowed_in_words(req: Request, next: middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let method = req.method().to_string();
    let r = next.run(req).await;
    if r.status() != axum::http::StatusCode::METHOD_NOT_ALLOWED {
        return r;
    }
    let allow = r.headers().get(axum::http::header::ALLOW).cloned();
    let e = AppError::MethodNotAllowed(method);
    let mut out = if api {
        e.into_response()
    } else {
        PageError(e).into_response()
    };
    if let Some(a) = allow {
        out.headers_mut().insert(axum::http::header::ALLOW, a);
    }
    out
}

fn denied(surface: Surface, e: AppError) -> Response {
    match surface {
        Surface::Api => e.into_response(),
        Surface::Page => PageError(e).into_response(),
    }
}

/// The guard: who is calling (session cookie or bearer token), whether
/// their role holds the route's permission, and — for state-changing
/// requests authenticated by the session cookie — the CSRF token.
async fn check(State(g): State<Guard>, req: Request, next: Next) -> Response {
    if g.permission == Permission::Public {
        return next.run(req).await;
    }
    let t0 = std::time::Instant::now();
    let id = auth::identify(&g.state, req.headers()).await;
    crate::timing::since("guard: identify the caller", t0);
    let id = match id {
        Ok(Some(id)) => id,
        Ok(None) => return denied(g.surface, AppError::Unauthenticated),
        Err(e) => return denied(g.surface, e),
    };
    if !g.permission.allows(Some(id.role)) {
        let route = req
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or_else(|| "route".to_string(), |m| m.as_str().to_string());
        record_denial(&g, &id, format!("{} {route}", req.method())).await;
        return denied(g.surface, AppError::Forbidden(g.permission));
    }
    let mut req = if crate::csrf::needs_check(req.method(), &id) {
        match crate::csrf::verify(req, &id).await {
            Ok(r) => r,
            Err(e) => return denied(g.surface, e),
        }
    } else {
        req
    };
    req.extensions_mut().insert(id);
    next.run(req).await
}

/// A signed-in user refused by the role check is recorded in the audit
/// trail (route template only: no patient id from the URL).
async fn record_denial(g: &Guard, id: &Identity, route: String) {
    let channel = match g.surface {
        Surface::Api => Channel::Api,
        Surface::Page => Channel::Web,
    };
    let actor = id.actor(channel);
    let ev = AuditEvent {
        outcome: format!("denied: needs the permission '{}'", g.permission.label()),
        ..AuditEvent::ok("access", vec![], route)
    };
    if let Err(e) = g.state.audit(actor, ev).await {
        eprintln!("graftwatch serve: could not record a denied access: {e}");
    }
}

/// Serves the application on `bind` until Ctrl-C / SIGTERM.
pub async fn serve(state: AppState, bind: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    crate::pages::WardCache::warm(&state);
    let app = build_app(state).into_make_service_with_connect_info::<SocketAddr>();
    let r = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await;
    if let Some(t) = crate::timing::report() {
        eprintln!(
            "graftwatch serve: request timings ({})\n{t}",
            crate::timing::ENV
        );
    }
    r
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

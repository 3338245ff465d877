//! The clinical pages (ward dashboard, patient page, bedside entry, lab
//! upload and sign-off, DLI review). **Owned by the web-UI work**; the
//! server core only merges what this module returns.
//!
//! # The extension point
//!
//! - [`routes`] returns the page routes as [`RouteSpec`]s: method, path
//!   (axum syntax, `{id}` for a parameter), the [`Permission`] each needs,
//!   a one-line summary and the handler. [`crate::app::build_app`] wraps
//!   every handler in the permission guard, so these routes enter the role
//!   matrix (docs/server.md, `tests/roles.rs`) automatically — nothing else
//!   to register. A route that is not returned here does not exist.
//! - [`nav`] returns navigation entries ([`NavEntry`]: link, label,
//!   permission); the layout shows each only to roles holding its permission.
//!
//! # What a handler gets
//!
//! - `State(state): State<AppState>` — `state.db(|store| …).await` runs a
//!   store call on the blocking pool and maps store errors to [`AppError`].
//! - `Extension(id): Extension<Identity>` — the signed-in user (present on
//!   every route that is not [`Permission::Public`]). Use
//!   `id.actor(Channel::Web)` for store calls so reads and writes are
//!   audited with the user's identity on the `web` channel.
//! - Page templates extend `templates/layout.html` and carry a field
//!   `chrome: Chrome` built with `Chrome::for_identity(&id, "/your/path")`
//!   (navigation, user, CSRF token). Page templates live in
//!   `templates/pages/`.
//! - Return `Result<Html<String>, PageError>` (errors render as an HTML
//!   page; `AppError` converts with `?`).
//! - State-changing requests (POST …) are checked for the CSRF token by
//!   the guard before the handler runs: forms include
//!   `<input type="hidden" name="csrf_token" value="{{ chrome.csrf… }}">`
//!   (urlencoded forms) and htmx requests send the `X-CSRF-Token` header
//!   automatically (set on `<body>` by the layout); multipart uploads must
//!   be sent with htmx (`hx-encoding="multipart/form-data"`) so the header
//!   is present.
//! - No inline `<script>` or `style=` (CSP): add classes to
//!   `assets/graftwatch.css`, behaviour to `assets/graftwatch.js`.

#[allow(unused_imports)]
use crate::app::AppState;
#[allow(unused_imports)]
use crate::auth::Identity;
#[allow(unused_imports)]
use crate::error::{AppError, PageError};
pub use crate::roles::{Permission, RouteSpec};
pub use crate::templates::{Chrome, NavEntry};

/// The page routes (initially none; the web-UI work adds them).
pub fn routes() -> Vec<RouteSpec> {
    Vec::new()
}

/// Navigation entries of the pages (shown between "Home" and the admin links).
pub fn nav() -> &'static [NavEntry] {
    &[]
}

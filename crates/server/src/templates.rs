//! The askama templates of the server's own pages and the page chrome
//! ([`Chrome`]: navigation, signed-in user, CSRF token) that every page
//! template — the server's and the ones in [`crate::pages`] — passes to
//! `templates/layout.html` as the field `chrome`.

use askama::Template;

use crate::auth::Identity;
use crate::roles::{Permission, role_label};

/// One navigation entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    /// Target.
    pub href: &'static str,
    /// Text shown.
    pub label: &'static str,
    /// Whether it is the page being shown.
    pub current: bool,
}

/// A navigation entry and the permission needed to see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavEntry {
    /// Target.
    pub href: &'static str,
    /// Text shown.
    pub label: &'static str,
    /// Shown only to roles holding this permission.
    pub permission: Permission,
}

const SERVER_NAV: [NavEntry; 3] = [
    NavEntry {
        href: "/",
        label: "Home",
        permission: Permission::SignedIn,
    },
    NavEntry {
        href: "/admin/users",
        label: "Users",
        permission: Permission::ManageUsers,
    },
    NavEntry {
        href: "/admin/audit",
        label: "Audit log",
        permission: Permission::ReadAudit,
    },
];

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// Signed-in user (none on the login and error pages).
    pub user: Option<String>,
    /// Their role in words.
    pub role: &'static str,
    /// The session's CSRF token: put into every form as `csrf_token` and
    /// sent by htmx as `X-CSRF-Token` (the layout sets `hx-headers`).
    pub csrf: Option<String>,
    /// Navigation links the user may follow.
    pub nav: Vec<NavLink>,
    /// Program version.
    pub version: &'static str,
}

impl Chrome {
    /// Chrome for a page seen without signing in.
    pub fn anonymous() -> Chrome {
        Chrome {
            version: env!("CARGO_PKG_VERSION"),
            ..Chrome::default()
        }
    }

    /// Chrome for `id`, with the navigation entry `current` (a path) marked.
    pub fn for_identity(id: &Identity, current: &str) -> Chrome {
        let nav = SERVER_NAV
            .iter()
            .take(1)
            .chain(crate::pages::nav().iter())
            .chain(SERVER_NAV.iter().skip(1))
            .filter(|e| e.permission.allows(Some(id.role)))
            .map(|e| NavLink {
                href: e.href,
                label: e.label,
                current: e.href == current,
            })
            .collect();
        Chrome {
            user: Some(id.user.clone()),
            role: role_label(id.role),
            csrf: id.csrf_token().map(str::to_string),
            nav,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Renders a template; a rendering failure becomes a short plain page
/// (templates are compiled in, so this only happens on a formatting bug).
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        eprintln!("graftwatch serve: template error: {e}");
        "<!doctype html><title>error</title><p>The page could not be drawn.</p>".into()
    })
}

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Layout.
    pub chrome: Chrome,
    /// Why the last attempt failed.
    pub message: Option<String>,
    /// Double-submit token (also in the `login` cookie).
    pub login_token: String,
}

/// The start page after signing in.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// Layout.
    pub chrome: Chrome,
    /// User name.
    pub user: String,
    /// Role in words.
    pub role: &'static str,
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Layout (no user, no navigation).
    pub chrome: Chrome,
    /// HTTP status code.
    pub status: u16,
    /// Its name.
    pub title: &'static str,
    /// What went wrong.
    pub message: String,
}

//! `graftwatch serve [--db URL] [--bind ADDR]`: the ward's web application
//! and JSON API (crates/server). This file only parses the options.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use graftwatch_server::{AppState, ServerConfig};
use graftwatch_store::Store;

use super::store_common::store_err;
use crate::BadInput;

/// Options of `serve`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  graftwatch serve --db postgres://gw@db.example/graftwatch --bind 127.0.0.1:8080\n  graftwatch serve --insecure-cookies   # plain http on the loopback interface only (testing)"
)]
pub struct ServeArgs {
    /// The database: a SQLite file, sqlite://PATH or postgres://USER@HOST:PORT/DB
    /// (default: $GRAFTWATCH_DB, else the platform data directory).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Address and port to listen on (put a TLS reverse proxy in front).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Send cookies without the Secure flag (plain http). Refused unless
    /// --bind is a loopback address.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub idle_timeout_minutes: u64,
    /// Hours after login after which a session ends, whatever the activity.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=168))]
    pub absolute_timeout_hours: u64,
    /// Consecutive failed logins that lock an account.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub lockout_after: u32,
    /// Minutes a locked account stays locked.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=10080))]
    pub lockout_minutes: u64,
    /// Login attempts allowed per client address per minute.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub login_rate: u32,
}

impl ServeArgs {
    /// The server configuration from the options.
    pub fn config(&self) -> Result<ServerConfig, BadInput> {
        if self.insecure_cookies && !self.bind.ip().is_loopback() {
            return Err(BadInput(format!(
                "--insecure-cookies: refused with --bind {}: cookies without the Secure flag are only allowed on a loopback address (127.0.0.1, ::1); serve https through a reverse proxy instead",
                self.bind
            )));
        }
        Ok(ServerConfig {
            secure_cookies: !self.insecure_cookies,
            idle_timeout: Duration::from_secs(self.idle_timeout_minutes * 60),
            absolute_timeout: Duration::from_secs(self.absolute_timeout_hours * 3600),
            lockout_after: self.lockout_after,
            lockout_duration: Duration::from_secs(self.lockout_minutes * 60),
            login_attempts_per_minute: self.login_rate,
            ..ServerConfig::default()
        })
    }
}

/// Runs `serve` until Ctrl-C or SIGTERM.
pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let cfg = a.config()?;
    let loc = graftwatch_store::Location::resolve(a.db.as_deref()).map_err(store_err)?;
    let store = Store::open(&loc).map_err(store_err)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let state = AppState::new(store, cfg);
    let scheme = if a.insecure_cookies {
        "http"
    } else {
        "https (behind your TLS proxy)"
    };
    eprintln!(
        "graftwatch serve: {} on {} — {scheme}; stop with Ctrl-C",
        loc.describe(),
        a.bind
    );
    rt.block_on(graftwatch_server::serve(state, a.bind))
        .map_err(|e| anyhow::anyhow!("serving on {}: {e}", a.bind))
}

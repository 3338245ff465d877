//! `graftwatch user add|list|disable|enable|password` and
//! `graftwatch token create|list|revoke`: the people and scripts allowed
//! into `graftwatch serve`. Passwords are hashed with argon2id
//! (crates/server); API tokens are shown once and stored as SHA-256.

use graftwatch_core::number::counted;
use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use graftwatch_server::roles::{parse_role, role_label};
use graftwatch_server::{ServerConfig, hash_password};

use super::store_common::{StoreOpts, store_err};
use crate::BadInput;

/// `user` subcommands.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Register a user with a role and a password (admin only; the first user may be added by anyone).
    Add(AddArgs),
    /// List users, their roles and status.
    List(StoreOpts),
    /// Disable a user: they can no longer sign in; their sessions end and tokens stop working (admin only).
    Disable(NameArgs),
    /// Enable a disabled user again (admin only).
    Enable(NameArgs),
    /// Set a new password for a user (admin only).
    Password(PasswordArgs),
}

/// `user add NAME --role ROLE`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// User name (what they type to sign in).
    pub name: String,
    /// physician, lab-scientist, data-manager, auditor (read-only + audit) or admin.
    #[arg(long)]
    pub role: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// `user disable|enable NAME`.
#[derive(Args, Debug)]
pub struct NameArgs {
    /// User name.
    pub name: String,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// `user password NAME`.
#[derive(Args, Debug)]
pub struct PasswordArgs {
    /// User name.
    pub name: String,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        if pw.is_empty() {
            return Err(
                BadInput("--password-stdin: standard input had no password line".into()).into(),
            );
        }
        return Ok(pw);
    }
    let pw = rpassword::prompt_password("password (at least 12 characters): ")?;
    let again = rpassword::prompt_password("the same password again: ")?;
    if pw != again {
        return Err(BadInput("the two passwords differ; nothing was changed".into()).into());
    }
    Ok(pw)
}

fn hash(pw: &str) -> anyhow::Result<String> {
    let d = ServerConfig::default();
    hash_password(pw, d.argon2_memory_kib, d.argon2_iterations)
        .map_err(|e| BadInput(format!("password: {e}")).into())
}

/// Runs `user`.
pub fn run(c: UserCommand) -> anyhow::Result<()> {
    match c {
        UserCommand::Add(a) => {
            let role = parse_role(&a.role).map_err(|e| BadInput(format!("--role: {e}")))?;
            let phc = hash(&read_password(a.password_stdin)?)?;
            let (store, actor) = a.store.open()?;
            store.put_user(&actor, &a.name, role).map_err(store_err)?;
            store
                .set_password_hash(&actor, &a.name, &phc)
                .map_err(store_err)?;
            println!("user {} added with the role {}", a.name, role_label(role));
        }
        UserCommand::List(o) => {
            let (store, _) = o.open()?;
            println!(
                "{:<24} {:<14} {:<9} {:<9} locked until",
                "user", "role", "status", "password"
            );
            for u in store.list_users().map_err(store_err)? {
                println!(
                    "{:<24} {:<14} {:<9} {:<9} {}",
                    u.name,
                    role_label(u.role),
                    if u.disabled { "disabled" } else { "active" },
                    if u.has_password { "set" } else { "none" },
                    u.locked_until.as_deref().unwrap_or("–")
                );
            }
        }
        UserCommand::Disable(a) => {
            let (store, actor) = a.store.open()?;
            store
                .set_user_disabled(&actor, &a.name, true)
                .map_err(store_err)?;
            println!(
                "user {} disabled: sessions ended, tokens no longer accepted",
                a.name
            );
        }
        UserCommand::Enable(a) => {
            let (store, actor) = a.store.open()?;
            store
                .set_user_disabled(&actor, &a.name, false)
                .map_err(store_err)?;
            println!("user {} enabled", a.name);
        }
        UserCommand::Password(a) => {
            let phc = hash(&read_password(a.password_stdin)?)?;
            let (store, actor) = a.store.open()?;
            store
                .set_password_hash(&actor, &a.name, &phc)
                .map_err(store_err)?;
            println!("password of {} changed", a.name);
        }
    }
    Ok(())
}

/// `token` subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a personal access token for a user (admin only); printed once.
    Create(TokenArgs),
    /// List tokens (labels and dates; the secrets are not stored).
    List(StoreOpts),
    /// Revoke a user's tokens with a label, or one token given on standard input (admin only).
    Revoke(RevokeArgs),
}

/// `token create USER --label L`.
#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The user the token acts as (same role checks).
    pub user: String,
    /// What the token is for.
    #[arg(long)]
    pub label: String,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// `token revoke USER --label L` or `token revoke --token-stdin`.
#[derive(Args, Debug)]
pub struct RevokeArgs {
    /// The token's user.
    #[arg(required_unless_present = "token_stdin")]
    pub user: Option<String>,
    /// The token's label.
    #[arg(long, required_unless_present = "token_stdin")]
    pub label: Option<String>,
    /// Read the token itself from standard input.
    #[arg(long, conflicts_with_all = ["user", "label"])]
    pub token_stdin: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// Runs `token`.
pub fn run_token(c: TokenCommand) -> anyhow::Result<()> {
    match c {
        TokenCommand::Create(a) => {
            let (store, actor) = a.store.open()?;
            if store.user_role(&a.user).map_err(store_err)?.is_none() {
                return Err(BadInput(format!(
                    "no active user '{}' (add it with `graftwatch user add`)",
                    a.user
                ))
                .into());
            }
            let t = store
                .create_token(&actor, &a.user, &a.label)
                .map_err(store_err)?;
            println!("{t}");
            eprintln!(
                "token for {} ({}) created: shown once, keep it secret",
                a.user, a.label
            );
        }
        TokenCommand::List(o) => {
            let (store, _) = o.open()?;
            for t in store.list_tokens(None).map_err(store_err)? {
                println!(
                    "{:<24} {:<30} created {} {}",
                    t.user,
                    t.label,
                    t.created_at,
                    t.revoked_at
                        .map_or_else(String::new, |r| format!("revoked {r}"))
                );
            }
        }
        TokenCommand::Revoke(a) => {
            let (store, actor) = a.store.open()?;
            let n = if a.token_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                u64::from(store.revoke_token(&actor, line.trim()).map_err(store_err)?)
            } else {
                let (u, l) = (a.user.unwrap_or_default(), a.label.unwrap_or_default());
                store
                    .revoke_token_label(&actor, &u, &l)
                    .map_err(store_err)?
            };
            if n == 0 {
                return Err(BadInput("no live token matched; nothing was revoked".into()).into());
            }
            println!("{} revoked", counted(n, "token"));
        }
    }
    Ok(())
}

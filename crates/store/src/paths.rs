//! Default locations: the database in the platform data directory, the
//! audit key and anchor files in the platform configuration directory
//! (outside the database, so a copy of the database alone cannot forge or
//! silently shorten the audit chain).

use std::path::PathBuf;

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => home().join(fallback),
    }
}

/// The platform data directory for graftwatch (`$XDG_DATA_HOME/graftwatch`,
/// `~/.local/share/graftwatch`; `~/Library/Application Support/graftwatch`
/// on macOS).
pub fn data_dir() -> PathBuf {
    if cfg!(target_os = "macos") {
        return home().join("Library/Application Support/graftwatch");
    }
    xdg("XDG_DATA_HOME", ".local/share").join("graftwatch")
}

/// The platform configuration directory (`$XDG_CONFIG_HOME/graftwatch`,
/// `~/.config/graftwatch`; `~/Library/Preferences/graftwatch` on macOS).
pub fn config_dir() -> PathBuf {
    if cfg!(target_os = "macos") {
        return home().join("Library/Preferences/graftwatch");
    }
    xdg("XDG_CONFIG_HOME", ".config").join("graftwatch")
}

/// The default SQLite database file.
pub fn default_db_path() -> PathBuf {
    data_dir().join("graftwatch.sqlite3")
}

/// The audit key file: `$GRAFTWATCH_AUDIT_KEY_FILE`, else `audit.key` in
/// the configuration directory.
pub fn audit_key_path() -> PathBuf {
    match std::env::var_os("GRAFTWATCH_AUDIT_KEY_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => config_dir().join("audit.key"),
    }
}

/// The anchor file of the store `store_id`: `$GRAFTWATCH_AUDIT_ANCHOR`, else
/// `anchors/<store_id>.log` in the configuration directory.
pub fn anchor_path(store_id: &str) -> PathBuf {
    match std::env::var_os("GRAFTWATCH_AUDIT_ANCHOR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => config_dir().join("anchors").join(format!("{store_id}.log")),
    }
}

/// Creates `dir` (and parents) readable by the owner only when new.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Writes `content` to `path` with mode 0600 through a temporary file and a
/// rename, flushed to disk.
pub fn write_private_atomic(path: &std::path::Path, content: &[u8]) -> std::io::Result<()> {
    write_private(path, content, true)
}

/// As [`write_private_atomic`]; `sync = false` skips the flush to disk (the
/// rename is still atomic for a killed process; a power cut may keep the
/// previous content).
pub fn write_private(path: &std::path::Path, content: &[u8], sync: bool) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(d) = path.parent() {
        create_private_dir(d)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(content)?;
    if sync {
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

//! The one place graftwatch writes an output file.
//!
//! Every command that writes a report, a table, a figure or a course goes
//! through [`write()`] (or [`write_with_backup`] for in-place updates), so the
//! rules are the same everywhere:
//!
//! - `-` is standard output;
//! - a **regular file** (new or existing) is written to a temporary file in
//!   the same directory, flushed to disk (`fsync`) and renamed over the target,
//!   so a reader sees the old content or the new, never half of it; the
//!   temporary file is removed on every failure (it is dropped unless the
//!   rename succeeded). A replaced file keeps its permissions;
//! - a **symlink** is written through: its final target is replaced, the link
//!   stays a link;
//! - a **special file** (character device such as `/dev/stdout` or
//!   `/dev/null`, FIFO, socket) is opened and written directly, never
//!   replaced;
//! - an existing file is replaced only under [`Overwrite::Replace`]; with
//!   [`Overwrite::Refuse`] the error says to pass `--force`.

pub mod delimited;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{FileTypeExt, PermissionsExt};

/// What to do when the output file already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse with [`OutputError::Exists`] (the command's `--force` is off).
    Refuse,
    /// Replace it atomically.
    Replace,
}

impl Overwrite {
    /// `Replace` when `force` is set, `Refuse` otherwise.
    pub fn from_force(force: bool) -> Overwrite {
        if force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        }
    }
}

/// Where the bytes went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Standard output (`-`).
    Stdout,
    /// A regular file, replaced atomically (the path written, after symlinks).
    File(PathBuf),
    /// A special file written in place (device, FIFO, socket).
    Special(PathBuf),
}

/// An output file could not be written. Each variant names the path as the
/// user gave it.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file exists and replacing it was not allowed.
    #[error("'{0}' already exists; give --force to replace it")]
    Exists(PathBuf),
    /// The directory that would hold the file does not exist.
    #[error("cannot write '{path}': the directory '{dir}' does not exist")]
    NoDirectory {
        /// The output path.
        path: PathBuf,
        /// Its parent directory.
        dir: PathBuf,
    },
    /// The path names a directory or has no file name.
    #[error("cannot write '{0}': it is a directory, not a file")]
    IsDirectory(PathBuf),
    /// Any I/O failure while writing, syncing or renaming (`-` is named
    /// "standard output").
    #[error("cannot write {}: {source}", shown(path))]
    Io {
        /// The output path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// An output path as messages name it: `'report.html'`, or "to standard
/// output" for `-`.
fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "to standard output".into()
    } else {
        format!("'{}'", path.display())
    }
}

/// Writes `bytes` to `path` by the rules in the module documentation.
pub fn write(path: &Path, bytes: &[u8], overwrite: Overwrite) -> Result<Written, OutputError> {
    if path.as_os_str() == "-" {
        let mut out = io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|source| OutputError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        return Ok(Written::Stdout);
    }
    match resolve(path)? {
        Resolved::Special(target) => {
            write_special(&target, bytes).map_err(|source| OutputError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(Written::Special(target))
        }
        Resolved::Regular { target, exists } => {
            if exists && overwrite == Overwrite::Refuse {
                return Err(OutputError::Exists(path.to_path_buf()));
            }
            replace_atomically(path, &target, bytes)?;
            Ok(Written::File(target))
        }
    }
}

/// Whether `a` and `b` name the same existing file (through links and
/// relative paths): an output that would replace an input. `-` is never
/// a file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if a.as_os_str() == "-" || b.as_os_str() == "-" {
        return false;
    }
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Checks, before any work is done, that [`write()`] could write `path` under
/// `overwrite`: an existing regular file without `--force`, a missing
/// directory or a directory in its place is refused now rather than after
/// minutes of computing (and before any other file of the run is written).
pub fn preflight(path: &Path, overwrite: Overwrite) -> Result<(), OutputError> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    match resolve(path)? {
        Resolved::Regular { exists: true, .. } if overwrite == Overwrite::Refuse => {
            Err(OutputError::Exists(path.to_path_buf()))
        }
        _ => Ok(()),
    }
}

/// Replaces the regular file `path` with `bytes`, first keeping its previous
/// content as `PATH.bak` (replacing an older backup). For commands whose job
/// is an in-place update (`--add-to`). Returns the backup path when there was
/// a previous version.
pub fn write_with_backup(path: &Path, bytes: &[u8]) -> Result<Option<PathBuf>, OutputError> {
    let backup = match resolve(path)? {
        Resolved::Regular {
            target,
            exists: true,
        } => {
            let mut name = target.file_name().unwrap_or_default().to_os_string();
            name.push(".bak");
            let bak = target.with_file_name(name);
            let previous = fs::read(&target).map_err(|source| OutputError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            replace_atomically(&bak, &bak, &previous)?;
            Some(bak)
        }
        _ => None,
    };
    write(path, bytes, Overwrite::Replace)?;
    Ok(backup)
}

enum Resolved {
    Special(PathBuf),
    Regular { target: PathBuf, exists: bool },
}

/// Follows symlinks to the file that will really be written.
fn resolve(path: &Path) -> Result<Resolved, OutputError> {
    let io_err = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut target = path.to_path_buf();
    // Follow at most 40 links (the Linux limit) so a loop is an error, not a hang.
    for _ in 0..40 {
        let meta = match fs::symlink_metadata(&target) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                check_parent(path, &target)?;
                return Ok(Resolved::Regular {
                    target,
                    exists: false,
                });
            }
            Err(e) => return Err(io_err(e)),
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            let link = fs::read_link(&target).map_err(io_err)?;
            target = match target.parent() {
                Some(dir) => dir.join(link),
                None => link,
            };
            continue;
        }
        if ft.is_dir() {
            return Err(OutputError::IsDirectory(path.to_path_buf()));
        }
        if is_special(&ft) {
            return Ok(Resolved::Special(target));
        }
        return Ok(Resolved::Regular {
            target,
            exists: true,
        });
    }
    Err(io_err(io::Error::other(
        "too many levels of symbolic links",
    )))
}

#[cfg(unix)]
fn is_special(ft: &fs::FileType) -> bool {
    ft.is_char_device() || ft.is_block_device() || ft.is_fifo() || ft.is_socket()
}

#[cfg(not(unix))]
fn is_special(ft: &fs::FileType) -> bool {
    !ft.is_file()
}

fn parent_dir(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn check_parent(path: &Path, target: &Path) -> Result<(), OutputError> {
    if target.file_name().is_none() {
        return Err(OutputError::IsDirectory(path.to_path_buf()));
    }
    let dir = parent_dir(target);
    if !dir.is_dir() {
        return Err(OutputError::NoDirectory {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        });
    }
    Ok(())
}

fn write_special(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::options().write(true).open(target)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Temporary file in the target's directory, fsync, rename. The temporary
/// file is deleted when dropped, i.e. on every early return.
fn replace_atomically(shown: &Path, target: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let io_err = |source| OutputError::Io {
        path: shown.to_path_buf(),
        source,
    };
    let dir = parent_dir(target);
    let name = target
        .file_name()
        .ok_or_else(|| OutputError::IsDirectory(shown.to_path_buf()))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".tmp-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    builder.permissions(new_file_permissions(target));
    let mut tmp = builder.tempfile_in(dir).map_err(io_err)?;
    tmp.write_all(bytes).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(target).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// An existing file keeps its mode; a new one gets 0666 less the umask
/// (what `File::create` gives).
#[cfg(unix)]
fn new_file_permissions(target: &Path) -> fs::Permissions {
    match fs::metadata(target) {
        Ok(m) => m.permissions(),
        Err(_) => fs::Permissions::from_mode(0o666),
    }
}

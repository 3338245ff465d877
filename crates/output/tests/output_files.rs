//! The output rules, each tested on the file system.

use std::fs;
use std::path::Path;

use graftwatch_output::{OutputError, Overwrite, Written, write, write_with_backup};

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

#[test]
fn new_file_is_written_and_no_temporary_file_remains() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("report.html");
    assert_eq!(
        write(&p, b"hello", Overwrite::Refuse).unwrap(),
        Written::File(p.clone())
    );
    assert_eq!(fs::read(&p).unwrap(), b"hello");
    assert!(leftovers(d.path()).is_empty());
}

#[test]
fn existing_file_needs_replace_and_refusal_leaves_it_untouched() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("out.json");
    fs::write(&p, "old").unwrap();
    let e = write(&p, b"new", Overwrite::Refuse).unwrap_err();
    assert!(matches!(e, OutputError::Exists(_)));
    assert!(e.to_string().contains("--force"), "{e}");
    assert_eq!(fs::read_to_string(&p).unwrap(), "old");
    write(&p, b"new", Overwrite::Replace).unwrap();
    assert_eq!(fs::read_to_string(&p).unwrap(), "new");
    assert!(leftovers(d.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn replaced_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("course.json");
    fs::write(&p, "old").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    write(&p, b"new", Overwrite::Replace).unwrap();
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[cfg(unix)]
#[test]
fn symlink_is_written_through_not_replaced() {
    let d = tempfile::tempdir().unwrap();
    let real = d.path().join("real.html");
    fs::write(&real, "old").unwrap();
    let link = d.path().join("link.html");
    std::os::unix::fs::symlink("real.html", &link).unwrap();
    write(&link, b"new", Overwrite::Replace).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), "new");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_creates_its_target() {
    let d = tempfile::tempdir().unwrap();
    let link = d.path().join("link.svg");
    std::os::unix::fs::symlink("made.svg", &link).unwrap();
    write(&link, b"<svg/>", Overwrite::Refuse).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(d.path().join("made.svg")).unwrap(),
        "<svg/>"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_an_error_not_a_hang() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a");
    let b = d.path().join("b");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let e = write(&a, b"x", Overwrite::Replace).unwrap_err();
    assert!(e.to_string().contains("symbolic links"), "{e}");
}

#[cfg(unix)]
#[test]
fn character_device_is_written_directly_and_never_replaced() {
    let dev = Path::new("/dev/null");
    let before = fs::symlink_metadata(dev).unwrap().file_type();
    assert_eq!(
        write(dev, b"discarded", Overwrite::Refuse).unwrap(),
        Written::Special(dev.to_path_buf())
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(before.is_char_device());
    assert!(
        fs::symlink_metadata(dev)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn missing_directory_and_directory_targets_are_named() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("nope").join("r.html");
    let e = write(&p, b"x", Overwrite::Replace).unwrap_err();
    assert!(matches!(e, OutputError::NoDirectory { .. }), "{e}");
    assert!(e.to_string().contains("nope"), "{e}");
    let e = write(d.path(), b"x", Overwrite::Replace).unwrap_err();
    assert!(matches!(e, OutputError::IsDirectory(_)), "{e}");
    assert!(leftovers(d.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn failed_rename_leaves_no_temporary_file_and_old_content() {
    // A read-only directory: the temporary file cannot even be created, and
    // the old file is untouched. (As root the permission check is bypassed,
    // so the test then only checks nothing was left behind.)
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let sub = d.path().join("ro");
    fs::create_dir(&sub).unwrap();
    let p = sub.join("course.json");
    fs::write(&p, "old").unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o555)).unwrap();
    let r = write(&p, b"new", Overwrite::Replace);
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    if r.is_err() {
        assert_eq!(fs::read_to_string(&p).unwrap(), "old");
    }
    assert!(leftovers(&sub).is_empty());
}

#[test]
fn backup_keeps_the_previous_version() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("course.json");
    assert_eq!(write_with_backup(&p, b"v1").unwrap(), None);
    let bak = write_with_backup(&p, b"v2").unwrap().unwrap();
    assert_eq!(bak, d.path().join("course.json.bak"));
    assert_eq!(fs::read_to_string(&bak).unwrap(), "v1");
    assert_eq!(fs::read_to_string(&p).unwrap(), "v2");
    write_with_backup(&p, b"v3").unwrap();
    assert_eq!(fs::read_to_string(&bak).unwrap(), "v2");
    assert!(leftovers(d.path()).is_empty());
}

#[test]
fn preflight_refuses_what_write_would_refuse_and_writes_nothing() {
    use graftwatch_output::preflight;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("r.html");
    // A new file, standard output and a device are fine either way.
    preflight(&p, Overwrite::Refuse).unwrap();
    preflight(Path::new("-"), Overwrite::Refuse).unwrap();
    preflight(Path::new("/dev/null"), Overwrite::Refuse).unwrap();
    assert!(!p.exists());
    fs::write(&p, "old").unwrap();
    let e = preflight(&p, Overwrite::Refuse).unwrap_err();
    assert!(matches!(e, OutputError::Exists(_)), "{e}");
    preflight(&p, Overwrite::Replace).unwrap();
    let missing = d.path().join("no/such/dir/r.html");
    assert!(matches!(
        preflight(&missing, Overwrite::Replace).unwrap_err(),
        OutputError::NoDirectory { .. }
    ));
    assert_eq!(fs::read_to_string(&p).unwrap(), "old");
}

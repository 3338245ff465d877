//! End-to-end tests of the store commands through the `graftwatch` binary:
//! db init/info/backup/restore, import (good, bad, idempotent), export
//! (json/csv round trip, de-identified), patients, history, purge, audit,
//! and `grade|decide|report --db`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use graftwatch_course::read_course;

/// One isolated installation: its own data and configuration directories.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    /// A fresh environment with an initialised store holding the seed case.
    fn seeded() -> Env {
        let e = Env::new();
        e.ok(&["db", "init"]);
        e.ok(&["import", seed("course.json").to_str().unwrap()]);
        e
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn db(&self) -> PathBuf {
        self.path("data/graftwatch/graftwatch.sqlite3")
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_graftwatch"))
            .args(args)
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("USER", "dr.who")
            .env_remove("GRAFTWATCH_DB")
            .env_remove("GRAFTWATCH_ACTOR")
            .env_remove("GRAFTWATCH_AUDIT_KEY")
            .env_remove("GRAFTWATCH_AUDIT_KEY_FILE")
            .env_remove("GRAFTWATCH_AUDIT_ANCHOR")
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
}

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seed-case")
        .join(name)
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

#[test]
fn init_info_import_export_round_trip() {
    let e = Env::new();
    let out = e.ok(&["db", "init"]);
    assert!(out.contains("dr.who is registered as admin"), "{out}");
    let info = e.ok(&["db", "info"]);
    assert!(
        info.contains(&e.db().display().to_string()),
        "db info prints the default path: {info}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(e.db()).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let out = e.ok(&["import", seed("course.json").to_str().unwrap()]);
    assert!(out.contains("new patient SEED-AML-01"), "{out}");
    // Idempotent by content, and the CSV twin is the same course.
    let out = e.ok(&[
        "import",
        seed("course.json").to_str().unwrap(),
        seed("course.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.matches(": unchanged").count(), 2, "{out}");

    let original = read_course(&seed("course.json")).unwrap().course;
    for fmt in ["json", "csv"] {
        let f = e.path(&format!("out.{fmt}"));
        e.ok(&[
            "export",
            "SEED-AML-01",
            "--format",
            fmt,
            "--out",
            f.to_str().unwrap(),
        ]);
        assert_eq!(
            read_course(&f).unwrap().course,
            original,
            "{fmt} export round-trips"
        );
    }
    let h = e.ok(&["history", "SEED-AML-01"]);
    assert!(h.contains("create") && h.contains("dr.who"), "{h}");
    let n = original.observations.len();
    assert!(h.contains(&format!("new course: {n} observations")), "{h}");
}

#[test]
fn import_names_bad_files_imports_good_ones_exit_2() {
    let e = Env::new();
    e.ok(&["db", "init"]);
    let dir = e.path("in");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::copy(seed("course.json"), dir.join("sub/good.json")).unwrap();
    let text = std::fs::read_to_string(seed("course.json")).unwrap();
    std::fs::write(dir.join("truncated.json"), &text[..text.len() / 2]).unwrap();
    std::fs::write(
        dir.join("other.json"),
        text.replace("SEED-AML-01", "P-2")
            .replace("\"sex\": \"male\"", "\"sex\": \"robot\""),
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let o = e.run(&["import", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("good.json: new patient SEED-AML-01"), "{out}");
    assert!(err.contains("truncated.json"), "{err}");
    assert!(err.contains("other.json") && err.contains("robot"), "{err}");
    assert!(err.contains("2 files not imported"), "{err}");
    // Each error once, its file named once (K1).
    assert_eq!(err.matches("truncated.json").count(), 1, "{err}");
    assert!(!out.contains("notes.txt") && !err.contains("notes.txt"));
    let list = e.ok(&["patients"]);
    assert!(
        list.contains("SEED-AML-01") && list.contains("1 patient in the store"),
        "{list}"
    );
}

/// `import` prints the warnings `course validate` prints for the same file
/// (implausible values kept), each naming the file once, and counts them.
#[test]
fn import_prints_the_validation_warnings() {
    let e = Env::new();
    e.ok(&["db", "init"]);
    let f = e.path("warn.json");
    std::fs::write(
        &f,
        r#"{"format": "graftwatch-course/1",
  "patient": {"id": "WARN-1", "sex": "female", "birth_year": 1975,
    "diagnosis": {"disease": "mds", "date": "2024-02-01"}},
  "donors": [{"id": "MUD-1", "relationship": "matched_unrelated"}],
  "events": [{"date": "2024-05-02", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"}],
  "observations": [
    {"date": "2024-05-20", "kind": "hemoglobin", "value": 300, "unit": "g/L"},
    {"date": "2024-05-21", "kind": "bilirubin", "value": 40, "unit": "mg/dL"}]}"#,
    )
    .unwrap();
    let file = f.to_str().unwrap();
    let validate = e.run(&["course", "validate", file]);
    let o = e.run(&["import", file]);
    assert_eq!(code(&o), 0);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    for l in &lines {
        assert_eq!(l.matches("warn.json").count(), 1, "{l}");
        assert!(
            String::from_utf8_lossy(&validate.stdout).contains(&l["warning: ".len()..]),
            "the same words as course validate: {l}"
        );
    }
    assert!(err.contains("implausible haemoglobin") && err.contains("implausible bilirubin"));
    assert!(out.contains("; 2 warnings;"), "{out}");
}

#[test]
fn additions_append_and_amendments_need_nothing_else() {
    let e = Env::new();
    e.ok(&["db", "init"]);
    let mut c = read_course(&seed("course.json")).unwrap().course;
    let later = c.observations.split_off(2400);
    let f1 = e.path("a.json");
    graftwatch_course::write_course(&f1, &c).unwrap();
    e.ok(&["import", f1.to_str().unwrap()]);
    c.observations.extend(later);
    c.sort();
    let f2 = e.path("b.json");
    graftwatch_course::write_course(&f2, &c).unwrap();
    let out = e.ok(&["import", f2.to_str().unwrap()]);
    assert!(out.contains("addition, revision 2"), "{out}");
    let r1 = e.path("r1.json");
    e.ok(&[
        "export",
        "SEED-AML-01",
        "--rev",
        "1",
        "--out",
        r1.to_str().unwrap(),
    ]);
    assert_eq!(read_course(&r1).unwrap().course.observations.len(), 2400);
}

/// Two files made from revision 1, each with its own addition: the second
/// would remove the first one's addition, so it is refused (exit 2,
/// nothing written) unless `--reason` is given. A file imported before
/// whose patient has changed since is refused too, not "unchanged"; after a
/// purge an import is refused.
#[test]
fn import_never_removes_stored_data_without_a_reason() {
    let e = Env::new();
    e.ok(&["db", "init"]);
    let mut base = read_course(&seed("course.json")).unwrap().course;
    let rest = base.observations.split_off(1000);
    let write = |name: &str, extra: Option<&graftwatch_course::Observation>| {
        let mut c = base.clone();
        c.observations.extend(extra.cloned());
        c.sort();
        let f = e.path(name);
        graftwatch_course::write_course(&f, &c).unwrap();
        f.to_str().unwrap().to_string()
    };
    let (f_base, f0, f1) = (
        write("base.json", None),
        write("conc0.json", Some(&rest[0])),
        write("conc1.json", Some(&rest[1])),
    );
    e.ok(&["import", &f_base]);
    assert!(e.ok(&["import", &f0]).contains("addition, revision 2"));
    let o = e.run(&["import", &f1]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("SEED-AML-01: this file would remove 1 observation and 0 events present in revision 2 (written by dr.who on ")
            && err.contains("nothing imported")
            && err.contains("--reason"),
        "{err}"
    );
    let h = e.ok(&["history", "SEED-AML-01"]);
    assert_eq!(h.matches("dr.who").count(), 2, "nothing written: {h}");
    let a = e.ok(&["audit", "show", "--patient", "SEED-AML-01"]);
    assert!(a.contains("refused"), "audited as refused: {a}");
    let out = e.ok(&["import", &f1, "--reason", "conc1 supersedes conc0"]);
    assert!(out.contains("amended, revision 3"), "{out}");
    assert!(
        e.ok(&["history", "SEED-AML-01"])
            .contains("conc1 supersedes conc0")
    );
    // The first file again: imported as revision 1, the patient is at 3.
    let o = e.run(&["import", &f_base]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("this file is revision 1, already imported; the patient is now at revision 3"),
        "{err}"
    );
    // The current file again: a true no-op, exit 0.
    let out = e.ok(&["import", &f1]);
    assert!(
        out.contains("unchanged (same as revision 3, the latest)"),
        "{out}"
    );
    e.ok(&[
        "patient",
        "purge",
        "SEED-AML-01",
        "--reason",
        "erasure request",
    ]);
    let o = e.run(&["import", &f1]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("patient SEED-AML-01 was purged on "), "{err}");
}

#[test]
fn deidentified_export_removes_identifiers_and_shifts_dates_consistently() {
    let e = Env::seeded();
    let f = e.path("d.json");
    e.ok(&[
        "export",
        "SEED-AML-01",
        "--deidentified",
        "--out",
        f.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(!text.contains("SEED-AML-01"));
    assert!(
        !text.contains("UCB-1") && !text.contains("PBSC-1"),
        "donor ids replaced"
    );
    assert!(
        !text.contains("\"note\"") && !text.contains("\"sample\""),
        "free text removed"
    );
    let d = read_course(&f).unwrap().course;
    let o = read_course(&seed("course.json")).unwrap().course;
    let shift = d.events[0].date.days_since_epoch() - o.events[0].date.days_since_epoch();
    assert_ne!(shift, 0);
    assert!(shift.abs() <= 365);
    for (a, b) in d.observations.iter().zip(&o.observations) {
        assert_eq!(a.date.days_since_epoch() - b.date.days_since_epoch(), shift);
    }
    let f2 = e.path("d2.json");
    e.ok(&[
        "export",
        "SEED-AML-01",
        "--deidentified",
        "--out",
        f2.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&f).unwrap(),
        std::fs::read(&f2).unwrap(),
        "consistent per patient"
    );
}

#[test]
fn purge_is_admin_only_and_audited() {
    let e = Env::seeded();
    let o = e.run(&[
        "patient",
        "purge",
        "SEED-AML-01",
        "--reason",
        "erasure request",
        "--actor",
        "nurse.x",
    ]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs the role 'admin'"));
    e.ok(&[
        "patient",
        "purge",
        "SEED-AML-01",
        "--reason",
        "erasure request",
    ]);
    let o = e.run(&["export", "SEED-AML-01"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("purged"));
    let a = e.ok(&["audit", "show", "--patient", "SEED-AML-01"]);
    assert!(
        a.contains("nurse.x (physician, cli) purge") && a.contains("denied"),
        "{a}"
    );
    assert!(
        a.contains("dr.who (admin, cli) purge") && a.contains("reason: erasure request"),
        "{a}"
    );
    assert!(e.ok(&["audit", "verify"]).contains("intact"));
}

/// A reader that goes away (`graftwatch audit show | head -1`) ends the
/// command quietly: no "internal error", no request to report a bug; exit
/// 141 (128 + SIGPIPE) as a shell shows for a broken pipe, or 0 when all was
/// written before the reader left.
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let e = Env::seeded();
    for _ in 0..10 {
        e.ok(&["history", "SEED-AML-01"]);
    }
    for args in [
        &["audit", "show"][..],
        &["audit", "show", "--json"][..],
        &["history", "SEED-AML-01"][..],
        &["export", "SEED-AML-01"][..],
        &["patients"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
            .args(args)
            .env("XDG_DATA_HOME", e.path("data"))
            .env("XDG_CONFIG_HOME", e.path("config"))
            .env("USER", "dr.who")
            .env_remove("GRAFTWATCH_DB")
            .env_remove("GRAFTWATCH_ACTOR")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader leaves before the first line is written.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(0 | 141)),
            "{args:?}: {:?} {err}",
            o.status
        );
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn audit_verify_detects_tampering_exit_3() {
    let e = Env::seeded();
    e.ok(&["patients", "--alerts"]);
    e.ok(&["export", "SEED-AML-01"]);
    let out = e.ok(&["audit", "verify"]);
    assert!(out.contains("intact"), "{out}");
    let st = Command::new("sqlite3")
        .arg(e.db())
        .arg("UPDATE audit_log SET actor = 'someone' WHERE seq = 2")
        .status();
    let Ok(st) = st else {
        eprintln!("*** sqlite3 not installed: tampering step skipped ***");
        return;
    };
    assert!(st.success());
    let o = e.run(&["audit", "verify"]);
    assert_eq!(code(&o), 3);
    assert!(String::from_utf8_lossy(&o.stderr).contains("entry #2"));
}

/// An edited course payload: the audit trail is intact, the course is
/// named as damaged, exit 3.
#[test]
fn audit_verify_names_a_damaged_course_exit_3() {
    let e = Env::seeded();
    assert!(
        e.ok(&["audit", "verify"])
            .contains("stored courses intact: 1 revision of 1 patient")
    );
    let Ok(st) = Command::new("sqlite3")
        .arg(e.db())
        .arg("UPDATE revisions SET payload = payload || ' ' WHERE rev = 1")
        .status()
    else {
        eprintln!("*** sqlite3 not installed: tampering step skipped ***");
        return;
    };
    assert!(st.success());
    let o = e.run(&["audit", "verify"]);
    assert_eq!(code(&o), 3);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(out.contains("audit trail intact"), "{out}");
    assert!(
        err.contains("stored courses NOT intact: 1 of 1 patient")
            && err.contains("'SEED-AML-01' is damaged at revision 1"),
        "{err}"
    );
}

#[test]
fn backup_restore_round_trip() {
    let e = Env::seeded();
    let b = e.path("backup.sqlite3");
    e.ok(&["db", "backup", b.to_str().unwrap()]);
    e.ok(&["patient", "purge", "SEED-AML-01", "--reason", "test"]);
    let out = e.ok(&["db", "restore", b.to_str().unwrap()]);
    assert!(out.contains("restored"), "{out}");
    let f = e.path("after.json");
    e.ok(&["export", "SEED-AML-01", "--out", f.to_str().unwrap()]);
    assert_eq!(
        read_course(&f).unwrap().course,
        read_course(&seed("course.json")).unwrap().course
    );
    assert!(e.ok(&["audit", "verify"]).contains("intact"));
}

/// `db restore` refuses, with exit 2 and in words: a file that is not a
/// SQLite backup, an actor who is not a registered admin (also one not
/// registered at all), and a backup of another store unless `--force`;
/// `db backup` into a missing directory names the directory.
#[test]
fn restore_and_backup_refuse_in_words() {
    let e = Env::seeded();
    let b = e.path("backup.sqlite3");
    e.ok(&["db", "backup", b.to_str().unwrap()]);
    let refused = |args: &[&str], words: &[&str]| {
        let o = e.run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        for w in words {
            assert!(err.contains(w), "{args:?}: '{w}' not in {err}");
        }
        assert!(!err.contains("code: "), "no raw database codes: {err}");
    };
    let missing = e.path("no/such/dir/x.sqlite3");
    refused(
        &["db", "backup", missing.to_str().unwrap()],
        &["no/such/dir: no such directory"],
    );
    let junk = e.path("junk.json");
    std::fs::write(&junk, "{\"not\": \"a database\"}\n".repeat(200)).unwrap();
    refused(
        &["db", "restore", junk.to_str().unwrap()],
        &["junk.json is not a graftwatch SQLite backup (the file is not a SQLite database)"],
    );
    refused(
        &[
            "db",
            "restore",
            b.to_str().unwrap(),
            "--actor",
            "random.person",
        ],
        &[
            "restore needs the role 'admin'",
            "random.person",
            "not a registered user",
        ],
    );
    e.ok(&["db", "add-user", "nurse.joe", "--role", "clinician"]);
    refused(
        &["db", "restore", b.to_str().unwrap(), "--actor", "nurse.joe"],
        &["restore needs the role 'admin'", "nurse.joe"],
    );
    // A backup of another store (another installation, another store id).
    let other = Env::seeded();
    let ob = e.path("other.sqlite3");
    other.ok(&["db", "backup", ob.to_str().unwrap()]);
    refused(
        &["db", "restore", ob.to_str().unwrap()],
        &["is a backup of another store (store id ", "--force"],
    );
    e.ok(&["db", "restore", b.to_str().unwrap()]);
    assert!(e.ok(&["audit", "verify"]).contains("intact"));
    let out = e.ok(&["db", "restore", ob.to_str().unwrap(), "--force"]);
    assert!(out.contains("restored"), "{out}");
}

#[test]
fn grade_decide_report_take_a_stored_patient() {
    let e = Env::seeded();
    let db = e.db().display().to_string();
    let from_file = e.ok(&[
        "grade",
        seed("course.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let from_db = e.ok(&["grade", "--db", &db, "SEED-AML-01", "--format", "json"]);
    assert_eq!(from_file, from_db);
    let d1 = e.ok(&[
        "decide",
        seed("course.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let d2 = e.ok(&["decide", "--db", &db, "SEED-AML-01", "--format", "json"]);
    assert_eq!(d1, d2);
    let r = e.path("r.json");
    e.ok(&[
        "report",
        "--db",
        &db,
        "SEED-AML-01",
        "--out",
        r.to_str().unwrap(),
    ]);
    assert!(std::fs::metadata(&r).unwrap().len() > 1000);
    // The HTML report names the stored patient and revision it shows.
    let h = e.path("r.html");
    e.ok(&[
        "report",
        "--db",
        &db,
        "SEED-AML-01",
        "--out",
        h.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&h).unwrap();
    assert!(
        html.contains("Stored patient SEED-AML-01, revision 1 (")
            && !html.contains("Course file: SEED-AML-01"),
        "subtitle"
    );
    let o = e.run(&["grade", "--db", &db, "NOBODY"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no patient 'NOBODY'"));
    let a = e.ok(&["audit", "show", "--patient", "SEED-AML-01"]);
    assert_eq!(a.matches("read course").count(), 4, "{a}");
}

/// An import that finds no course file is an error (exit 2), not "imported
/// 0 of 0 files"; `db add-user` says when it changes a user's role.
#[test]
fn empty_imports_and_role_changes_are_said() {
    let e = Env::new();
    e.ok(&["db", "init"]);
    let dir = e.path("empty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a course").unwrap();
    let o = e.run(&["import", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no course file (.json or .csv) in"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = e.ok(&["db", "add-user", "dr.smith", "--role", "clinician"]);
    assert!(out.contains("dr.smith is registered as clinician"), "{out}");
    let out = e.ok(&["db", "add-user", "dr.smith", "--role", "admin"]);
    assert!(
        out.contains("dr.smith: role changed from clinician to admin"),
        "{out}"
    );
    let out = e.ok(&["db", "add-user", "dr.smith", "--role", "admin"]);
    assert!(out.contains("already registered as admin"), "{out}");
}

/// A patient id the web cannot address (a space, an accent, a slash) is
/// refused at import with the rule, exit 2; nothing stored.
#[test]
fn import_refuses_ids_the_web_cannot_address() {
    let e = Env::new();
    e.ok(&["db", "init"]);
    let text = std::fs::read_to_string(seed("course.json")).unwrap();
    for (i, id) in ["PAT é 1", "a/b", "with space"].iter().enumerate() {
        let f = e.path(&format!("odd{i}.json"));
        std::fs::write(&f, text.replace("SEED-AML-01", id)).unwrap();
        let o = e.run(&["import", f.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{id}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!(
                "patient id '{id}': the store takes 1 to 128 letters, digits"
            )),
            "{err}"
        );
    }
    assert!(!e.ok(&["patients"]).contains("PAT"));
}

//! Crash safety: `graftwatch import` is killed with SIGKILL at random
//! moments (50 times per backend). After every kill the database opens, its
//! integrity check passes, every patient is at a complete revision (one of
//! the course files exactly), and the audit chain verifies.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Db, PgCluster, SqliteDb, clinician, seed_as};
use graftwatch_core::SeededRng;
use graftwatch_course::Course;
use graftwatch_store::{Location, Store, StoreError};

const KILLS: usize = 50;
const PATIENTS: usize = 3;

/// Iteration `i`'s version of patient `k`: more observations each time,
/// and every 7th iteration an amendment (birth year changed).
fn version(k: usize, i: usize) -> Course {
    let (mut c, _) = seed_as(&format!("C{k}"), 60 + 4 * i);
    if i % 7 == 6 {
        c.patient.birth_year -= 1;
    }
    c
}

fn url(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => p.display().to_string(),
        Location::Postgres(u) => u.clone(),
    }
}

fn import(loc: &Location, dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args([
            "import",
            dir.to_str().unwrap(),
            "--db",
            &url(loc),
            "--actor",
            "crash.test",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn check(loc: &Location, expected: &HashMap<(String, usize, i32), Course>, round: usize) {
    let s = Store::open(loc)
        .unwrap_or_else(|e| panic!("round {round}: the database does not open: {e}"));
    let problems = s.integrity_check().unwrap();
    assert!(problems.is_empty(), "round {round}: {problems:?}");
    for k in 0..PATIENTS {
        let id = format!("C{k}");
        match s.course_at(&clinician(), &id, None) {
            Ok((c, _)) => {
                let key = (id.clone(), c.observations.len(), c.patient.birth_year);
                assert_eq!(
                    expected.get(&key),
                    Some(&c),
                    "round {round}: {id} is not at a complete revision"
                );
            }
            Err(StoreError::NoPatient(_)) => {}
            Err(e) => panic!("round {round}: {id}: {e}"),
        }
    }
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_problem, None, "round {round}");
    s.close();
}

fn crash_many(db: &dyn Db) {
    let loc = db.fresh();
    Store::init(&loc).unwrap().0.close();
    let work = tempfile::tempdir().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("{}: kill-time seed {seed}", db.name());
    let mut rng = SeededRng::new(seed);
    let mut expected = HashMap::new();
    let mut full = Duration::from_millis(300);
    for round in 0..KILLS {
        let dir = work.path().join(format!("r{round}"));
        std::fs::create_dir_all(&dir).unwrap();
        for k in 0..PATIENTS {
            let c = version(k, round);
            expected.insert(
                (
                    c.patient.id.0.clone(),
                    c.observations.len(),
                    c.patient.birth_year,
                ),
                c.clone(),
            );
            graftwatch_course::write_course(&dir.join(format!("c{k}.json")), &c).unwrap();
        }
        let t0 = Instant::now();
        let mut child = import(&loc, &dir);
        if round == 0 {
            // One uninterrupted run measures how long an import takes.
            assert!(child.wait().unwrap().success());
            full = t0.elapsed();
            eprintln!(
                "{}: one import of {PATIENTS} files takes {full:?}",
                db.name()
            );
        } else {
            let wait = Duration::from_micros(rng.below((full.as_micros() as u64).max(1)));
            std::thread::sleep(wait);
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        }
        check(&loc, &expected, round);
    }
    // A last complete import still works after all the kills.
    let dir = work.path().join("final");
    std::fs::create_dir_all(&dir).unwrap();
    for k in 0..PATIENTS {
        graftwatch_course::write_course(&dir.join(format!("c{k}.json")), &version(k, KILLS))
            .unwrap();
    }
    assert!(import(&loc, &dir).wait().unwrap().success());
    let s = Store::open(&loc).unwrap();
    for k in 0..PATIENTS {
        let (c, _) = s.course_at(&clinician(), &format!("C{k}"), None).unwrap();
        assert_eq!(c, version(k, KILLS));
    }
}

#[test]
fn sigkill_during_import_sqlite() {
    crash_many(&SqliteDb::new());
}

#[test]
fn sigkill_during_import_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    crash_many(&pg);
}

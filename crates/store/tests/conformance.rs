//! The store conformance suite: every case runs on SQLite (one test each)
//! and on a throwaway PostgreSQL cluster (`conformance_postgresql`, all
//! cases on one cluster, a fresh database per case).

mod common;

use std::sync::Arc;

use common::*;
use graftwatch_course::Observation;
use graftwatch_store::{
    Change, Delta, ImportItem, ImportOutcome, Location, NewProfile, NewRun, RevisionKind, Role,
    Store, StoreError, migrate,
};

type Case = fn(&dyn Db);

fn obs(o: &[Observation]) -> Delta {
    Delta {
        events: vec![],
        observations: o.to_vec(),
    }
}

/// Every revision reads back exactly, including after a deletion.
fn revisions_reconstruct_exactly(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let who = clinician();
    let (c1, rest) = seed_as("P1", 1500);
    let m1 = s.create_patient(&who, &c1, None).unwrap();
    assert_eq!(m1.rev, 1);
    let mut expected = vec![c1.clone()];
    let mut cur = c1.clone();
    for (i, chunk) in rest.chunks(300).enumerate() {
        let m = s.append(&who, "P1", i as i64 + 1, &obs(chunk)).unwrap();
        assert_eq!(m.kind, RevisionKind::Append);
        cur.observations.extend(chunk.iter().cloned());
        cur.sort();
        expected.push(cur.clone());
    }
    let full = seed_as("P1", usize::MAX).0;
    assert_eq!(
        expected.last().unwrap(),
        &full,
        "appends rebuild the whole course"
    );
    let head = expected.len() as i64;
    let mut amended = full.clone();
    amended.patient.birth_year += 1;
    let r = s
        .write(
            &who,
            "P1",
            head,
            &Change::Replace(Box::new(amended.clone())),
            Some("birth year corrected"),
        )
        .unwrap();
    expected.push(amended);
    s.write(
        &who,
        "P1",
        r.rev,
        &Change::Tombstone,
        Some("entered for the wrong patient"),
    )
    .unwrap();
    for (i, c) in expected.iter().enumerate() {
        let (got, meta) = s.course_at(&who, "P1", Some(i as i64 + 1)).unwrap();
        assert_eq!(&got, c, "revision {}", i + 1);
        assert_eq!(meta.rev, i as i64 + 1);
    }
    assert!(matches!(
        s.course_at(&who, "P1", None),
        Err(StoreError::Deleted(_, _))
    ));
    let e = s.course_at(&who, "P1", Some(99)).unwrap_err();
    assert!(e.to_string().contains("no revision 99"), "{e}");
    let h = s.history(&who, "P1").unwrap();
    let kinds: Vec<_> = h.iter().map(|m| m.kind).collect();
    assert_eq!(kinds.first(), Some(&RevisionKind::Create));
    assert_eq!(
        &kinds[kinds.len() - 2..],
        &[RevisionKind::Replace, RevisionKind::Tombstone]
    );
    assert_eq!(
        h.last().unwrap().reason.as_deref(),
        Some("entered for the wrong patient")
    );
    assert!(h.iter().all(|m| m.author == "dr.test"));
    assert!(s.integrity_check().unwrap().is_empty());
}

/// An appended day is stored as the addition only.
fn append_is_small(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let (c, rest) = seed_as("P2", 2400);
    s.create_patient(&clinician(), &c, None).unwrap();
    s.append(&clinician(), "P2", 1, &obs(&rest[..5])).unwrap();
    let full = s.payload_len("P2", 1).unwrap();
    let small = s.payload_len("P2", 2).unwrap();
    assert!(
        small * 100 < full,
        "append payload {small} bytes vs course {full} bytes"
    );
}

/// A stale base fails with both revisions named and writes nothing.
fn conflict_names_both_revisions(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let (c, rest) = seed_as("P3", 2000);
    s.create_patient(&clinician(), &c, None).unwrap();
    s.append(&clinician(), "P3", 1, &obs(&rest[..1])).unwrap();
    let e = s
        .append(&clinician(), "P3", 1, &obs(&rest[1..2]))
        .unwrap_err();
    match &e {
        StoreError::Conflict {
            base: 1, head: 2, ..
        } => {}
        other => panic!("expected a conflict, got {other}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("revision 1") && msg.contains("revision 2"),
        "{msg}"
    );
    assert_eq!(s.head("P3").unwrap(), 2);
    let e = s
        .write(&clinician(), "P3", 2, &Change::Tombstone, None)
        .unwrap_err();
    assert!(matches!(e, StoreError::ReasonRequired(_)), "{e}");
    let e = s
        .write(
            &clinician(),
            "P3",
            2,
            &Change::Replace(Box::new(c.clone())),
            Some(" "),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::ReasonRequired(_)), "{e}");
    assert!(matches!(
        s.create_patient(&clinician(), &c, None),
        Err(StoreError::PatientExists(_, 2))
    ));
    assert!(matches!(
        s.append(&clinician(), "NOPE", 1, &obs(&rest[..1])),
        Err(StoreError::NoPatient(_))
    ));
}

/// N writers on one patient: no lost update, no duplicate revision numbers.
fn concurrent_writers(db: &dyn Db) {
    const WRITERS: usize = 6;
    const EACH: usize = 8;
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let total = seed_as("P4", usize::MAX).0.observations.len();
    let (c, rest) = seed_as("P4", total - WRITERS * EACH);
    s.create_patient(&clinician(), &c, None).unwrap();
    s.close();
    let rest = Arc::new(rest);
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let loc = loc.clone();
            let rest = Arc::clone(&rest);
            std::thread::spawn(move || {
                let mut s = Store::open(&loc).unwrap();
                s.set_derive_on_write(false);
                let who = actor(&format!("writer{w}"), Role::Clinician);
                let mut conflicts = 0;
                for i in 0..EACH {
                    let o = &rest[w * EACH + i];
                    loop {
                        let base = s.head("P4").unwrap();
                        match s.append(&who, "P4", base, &obs(std::slice::from_ref(o))) {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("writer {w}: {e}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    let conflicts: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let s = Store::open(&loc).unwrap();
    let h = s.history(&clinician(), "P4").unwrap();
    let revs: Vec<i64> = h.iter().map(|m| m.rev).collect();
    assert_eq!(revs, (1..=(1 + WRITERS * EACH) as i64).collect::<Vec<_>>());
    let (got, _) = s.course_at(&clinician(), "P4", None).unwrap();
    // Same-day observations may land in any order; compare as multisets.
    let key = |c: &graftwatch_course::Course| {
        let mut v: Vec<String> = c
            .observations
            .iter()
            .map(|o| serde_json::to_string(o).unwrap())
            .collect();
        v.sort();
        v
    };
    let want = seed_as("P4", usize::MAX).0;
    let (g, w) = (key(&got), key(&want));
    let missing: Vec<&String> = w.iter().filter(|x| !g.contains(x)).take(3).collect();
    let extra: Vec<&String> = g.iter().filter(|x| !w.contains(x)).take(3).collect();
    assert!(
        g == w,
        "every writer's observation is there; missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(got.observations.len(), want.observations.len());
    assert!(s.verify_audit().unwrap().first_problem.is_none());
    eprintln!("{}: {conflicts} conflicts retried", db.name());
}

/// Derived state follows writes and configuration changes.
fn derived_state_is_current(db: &dyn Db) {
    let loc = db.fresh();
    let (mut s, _) = Store::init(&loc).unwrap();
    let (c, rest) = seed_as("P5", 2000);
    s.create_patient(&clinician(), &c, None).unwrap();
    let (c6, _) = seed_as("P6", 100);
    s.create_patient(&clinician(), &c6, None).unwrap();
    let rows = s.list_patients(&clinician(), false).unwrap();
    assert_eq!(rows.len(), 2);
    let st = rows[0].state.as_ref().unwrap();
    assert_eq!(
        (st.rev, st.engine_version.as_str()),
        (1, graftwatch_store::ENGINE_VERSION)
    );
    assert_eq!(st.summary.observations, 2000);
    s.append(&clinician(), "P5", 1, &obs(&rest)).unwrap();
    let rows = s.list_patients(&clinician(), false).unwrap();
    let st = rows[0].state.as_ref().unwrap();
    let total = seed_as("P5", usize::MAX).0.observations.len();
    assert_eq!((st.rev, st.summary.observations), (2, total));
    let full_alerts = st.summary.alerts.len();
    assert!(full_alerts > 0, "the seed case has alerts");
    let alerts = s.list_patients(&clinician(), true).unwrap();
    assert!(
        alerts
            .iter()
            .all(|r| !r.state.as_ref().unwrap().summary.alerts.is_empty())
    );
    assert!(alerts.iter().any(|r| r.patient == "P5"));
    assert!(s.stale_patients().unwrap().is_empty());
    let old_hash = st.config_hash.clone();
    let mut cfg = graftwatch_store::DeriveConfig::default();
    cfg.alerts.chimerism_serial_rises = 99;
    cfg.alerts.engraftment_warning_days = vec![];
    s.set_derive_config(cfg);
    assert_eq!(
        s.stale_patients().unwrap().len(),
        2,
        "a configuration change makes every row stale"
    );
    let rows = s.list_patients(&clinician(), false).unwrap();
    let st = rows[0].state.as_ref().unwrap();
    assert_ne!(st.config_hash, old_hash);
    assert!(st.summary.alerts.len() < full_alerts);
    // Stale engine version.
    db.raw(&loc, "UPDATE patient_state SET engine_version = 'old'");
    assert_eq!(s.stale_patients().unwrap().len(), 2);
    s.list_patients(&clinician(), true).unwrap();
    assert!(s.stale_patients().unwrap().is_empty());
}

/// Every read and write is audited; a list writes one entry naming the patients.
fn audit_records_reads_and_writes(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let who = clinician();
    for id in ["A1", "A2", "A3"] {
        s.create_patient(&who, &seed_as(id, 50).0, None).unwrap();
    }
    let before = s.audit_entries(1, 1000).unwrap().len();
    s.list_patients(&who, false).unwrap();
    let after = s.audit_entries(1, 1000).unwrap();
    assert_eq!(after.len(), before + 1);
    let e = after.last().unwrap();
    assert_eq!(
        (e.action.as_str(), e.patients.as_str()),
        ("list_patients", "A1,A2,A3")
    );
    assert_eq!(
        (e.actor.as_str(), e.role.as_str(), e.channel.as_str()),
        ("dr.test", "clinician", "cli")
    );
    s.course_at(&who, "A2", None).unwrap();
    let _ = s.course_at(&who, "A2", Some(7));
    let a2 = s.audit_for_patient("A2").unwrap();
    let actions: Vec<_> = a2
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.starts_with("ok")))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("create", true),
            ("list_patients", true),
            ("read_course", true),
            ("read_course", false)
        ]
    );
    assert!(a2.iter().all(|e| e.at.ends_with('Z')));
    let v = s.verify_audit().unwrap();
    assert_eq!((v.entries, v.first_problem), (after.len() as i64 + 2, None));
    assert!(v.anchors >= 1);
}

fn audit_fixture(db: &dyn Db) -> (Location, Store) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    for id in ["T1", "T2"] {
        s.create_patient(&clinician(), &seed_as(id, 30).0, None)
            .unwrap();
        s.course_at(&clinician(), id, None).unwrap();
    }
    assert_eq!(s.verify_audit().unwrap().first_problem, None);
    (loc, s)
}

fn problem(s: &Store) -> String {
    s.verify_audit()
        .unwrap()
        .first_problem
        .expect("tampering must be detected")
}

/// `audit verify` names the first bad entry for each kind of tampering.
fn audit_detects_tampering(db: &dyn Db) {
    let (loc, s) = audit_fixture(db);
    db.raw(
        &loc,
        "UPDATE audit_log SET outcome = 'ok (edited)' WHERE seq = 2",
    );
    assert!(
        problem(&s).contains("entry #2 does not match its keyed hash"),
        "{}",
        problem(&s)
    );

    let (loc, s) = audit_fixture(db);
    db.raw(&loc, "DELETE FROM audit_log WHERE seq = 3");
    assert!(
        problem(&s).contains("entry #3 is missing"),
        "{}",
        problem(&s)
    );

    // Re-hashed without the key (plain SHA-256 chain from entry 2 on) —
    // simulated by rewriting entry 2's content and hash.
    let (loc, s) = audit_fixture(db);
    db.raw(
        &loc,
        "UPDATE audit_log SET actor = 'someone', hash = 'ffff' WHERE seq = 2",
    );
    db.raw(
        &loc,
        "UPDATE audit_log SET prev_hash = 'ffff' WHERE seq = 3",
    );
    assert!(problem(&s).contains("entry #2"), "{}", problem(&s));

    let (loc, s) = audit_fixture(db);
    db.raw(&loc, "DELETE FROM audit_log WHERE seq >= 3");
    db.raw(
        &loc,
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)",
    );
    let p = problem(&s);
    assert!(p.contains("truncated") && p.contains("#3"), "{p}");
}

/// `audit verify` also checks every course's revision chain: an edited
/// payload, a removed revision and a cut history are named; a purge is not
/// damage.
fn courses_detect_tampering(db: &dyn Db) {
    let fixture = || {
        let loc = db.fresh();
        let (s, _) = Store::init(&loc).unwrap();
        let (c, rest) = seed_as("C1", 2000);
        s.create_patient(&clinician(), &c, None).unwrap();
        s.append(&clinician(), "C1", 1, &obs(&rest[..3])).unwrap();
        s.append(&clinician(), "C1", 2, &obs(&rest[3..6])).unwrap();
        s.create_patient(&clinician(), &seed_as("C2", 30).0, None)
            .unwrap();
        let v = s.verify_courses().unwrap();
        assert_eq!((v.patients, v.revisions, v.problems.len()), (2, 4, 0));
        (loc, s)
    };
    let first = |s: &Store| s.verify_courses().unwrap().problems.join("; ");
    let (loc, s) = fixture();
    db.raw(
        &loc,
        "UPDATE revisions SET payload = payload || ' ' WHERE patient_id = 'C1' AND rev = 2",
    );
    let p = first(&s);
    assert!(p.contains("'C1' is damaged at revision 2"), "{p}");
    assert!(!p.contains("C2"), "{p}");
    let (loc, s) = fixture();
    db.raw(
        &loc,
        "DELETE FROM revisions WHERE patient_id = 'C1' AND rev = 2",
    );
    assert!(first(&s).contains("revision 2 is missing"), "{}", first(&s));
    let (loc, s) = fixture();
    db.raw(
        &loc,
        "DELETE FROM revisions WHERE patient_id = 'C1' AND rev = 3",
    );
    assert!(first(&s).contains("latest revision is 3"), "{}", first(&s));
    let (_, s) = fixture();
    s.purge(&admin(), "C1", "erasure request").unwrap();
    let v = s.verify_courses().unwrap();
    assert_eq!((v.purged, v.problems.len()), (1, 0), "{:?}", v.problems);
}

/// An attacker holding the key rewrites the chain: the anchor catches it.
fn audit_anchor_catches_rehash_with_key(db: &dyn Db) {
    let (loc, s) = audit_fixture(db);
    let mut entries = s.audit_entries(1, 100).unwrap();
    entries[1].actor = "someone.else".into();
    let key = graftwatch_store::hashing::unhex(
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    )
    .unwrap();
    let mut prev = entries[0].hash.clone();
    for e in entries.iter_mut().skip(1) {
        e.prev_hash = prev.clone();
        e.hash = e.expected_hash(&key);
        prev = e.hash.clone();
        db.raw(
            &loc,
            &format!(
                "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                e.actor, e.prev_hash, e.hash, e.seq
            ),
        );
    }
    let p = problem(&s);
    assert!(p.contains("differs from the anchor"), "{p}");
}

/// Purge: admin only, reason required, payloads gone, audited.
fn purge_erases_payloads(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let (c, rest) = seed_as("E1", 2000);
    s.create_patient(&clinician(), &c, None).unwrap();
    s.append(&clinician(), "E1", 1, &obs(&rest[..10])).unwrap();
    s.record_run(&actor("lab.tech", Role::Lab), &sample_run("E1"))
        .unwrap();
    let e = s
        .purge(&clinician(), "E1", "erasure request 2026-11")
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden { .. }), "{e}");
    assert!(matches!(
        s.purge(&admin(), "E1", ""),
        Err(StoreError::ReasonRequired(_))
    ));
    let m = s.purge(&admin(), "E1", "erasure request 2026-11").unwrap();
    assert_eq!((m.rev, m.kind), (3, RevisionKind::Purge));
    assert!(matches!(
        s.course_at(&clinician(), "E1", Some(1)),
        Err(StoreError::Purged(_))
    ));
    assert_eq!(
        db_count(
            &loc,
            "SELECT COUNT(*) FROM revisions WHERE payload IS NOT NULL"
        ),
        0
    );
    assert_eq!(
        db_count(
            &loc,
            "SELECT COUNT(*) FROM chimerism_runs WHERE results <> '{}'"
        ),
        0
    );
    let a = s.audit_for_patient("E1").unwrap();
    assert!(
        a.iter()
            .any(|e| e.action == "purge" && e.outcome.starts_with("denied"))
    );
    assert!(a.iter().any(|e| e.action == "purge"
        && e.outcome == "ok"
        && e.reason == "erasure request 2026-11"));
    assert!(s.list_patients(&clinician(), false).unwrap().is_empty());
    assert!(s.verify_audit().unwrap().first_problem.is_none());
}

fn db_count(loc: &Location, sql: &str) -> i64 {
    raw_i64(loc, sql)
}

fn sample_run(p: &str) -> NewRun {
    NewRun {
        patient: p.into(),
        method: "str".into(),
        input_hashes: vec![("day30.txt".into(), "ab".repeat(32))],
        parameters: serde_json::json!({"lod_percent": 1.0}),
        engine_version: "graftwatch-chimerism 0.1.0".into(),
        results: serde_json::json!({"donor_percent": 97.5}),
    }
}

/// Imports are idempotent by content; additions append, corrections replace.
fn import_is_idempotent(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let (c, rest) = seed_as("I1", 2400);
    let who = clinician();
    assert_eq!(
        s.import_course(&who, &c, "h1", "a.json").unwrap(),
        ImportOutcome::Created("I1".into())
    );
    assert_eq!(
        s.import_course(&who, &c, "h1", "a.json").unwrap(),
        ImportOutcome::Unchanged("I1".into(), 1)
    );
    assert_eq!(
        s.import_course(&who, &c, "h1b", "a.csv").unwrap(),
        ImportOutcome::Unchanged("I1".into(), 1)
    );
    let mut more = c.clone();
    more.observations.extend(rest);
    more.sort();
    assert_eq!(
        s.import_course(&who, &more, "h2", "b.json").unwrap(),
        ImportOutcome::Appended("I1".into(), 2)
    );
    assert!(s.payload_len("I1", 2).unwrap() < s.payload_len("I1", 1).unwrap() / 10);
    let mut fixed = more.clone();
    fixed.observations.remove(0);
    // Removing a stored observation needs the user's reason.
    assert!(matches!(
        s.import_course(&who, &fixed, "h3", "c.json"),
        Err(StoreError::ImportWouldRemove { .. })
    ));
    assert_eq!(
        s.import_course_with_reason(&who, &fixed, "h3", "c.json", Some("wrong ANC removed"))
            .unwrap(),
        ImportOutcome::Replaced("I1".into(), 3)
    );
    let h = s.history(&who, "I1").unwrap();
    assert_eq!(h[2].reason.as_deref(), Some("wrong ANC removed"));
    assert_eq!(s.course_at(&who, "I1", None).unwrap().0, fixed);
}

/// An import never removes stored observations or events silently: a file
/// that lacks another user's addition, or a file imported before whose
/// patient has changed since, is refused (nothing written, audited) unless
/// the user gives a reason; one-by-one and in a batch alike. After a purge
/// an import is refused, not "unchanged".
fn import_never_removes_silently(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let who = clinician();
    let (base, rest) = seed_as("J1", 1000);
    let with = |o: &Observation| {
        let mut c = base.clone();
        c.observations.push(o.clone());
        c.sort();
        c
    };
    let (conc0, conc1) = (with(&rest[0]), with(&rest[1]));
    s.import_course(&who, &base, "h-base", "base.json").unwrap();
    assert_eq!(
        s.import_course(&who, &conc0, "h-c0", "conc0.json").unwrap(),
        ImportOutcome::Appended("J1".into(), 2)
    );
    // conc1 was made from revision 1: it lacks conc0's addition.
    let e = s
        .import_course(&who, &conc1, "h-c1", "conc1.json")
        .unwrap_err();
    match &e {
        StoreError::ImportWouldRemove {
            patient,
            head,
            observations,
            events,
            author,
            ..
        } => {
            assert_eq!(
                (patient.as_str(), *head, *observations, *events),
                ("J1", 2, 1, 0)
            );
            assert_eq!(author, "dr.test");
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("would remove 1 observation and 0 events present in revision 2")
            && text.contains("--reason"),
        "{text}"
    );
    assert_eq!(s.head("J1").unwrap(), 2, "nothing written");
    assert!(s.audit_for_patient("J1").unwrap().iter().any(|e| {
        e.action == "import" && e.outcome.starts_with("refused") && e.outcome.contains("remove")
    }));
    // With a reason it is an amendment carrying that reason.
    assert_eq!(
        s.import_course_with_reason(&who, &conc1, "h-c1", "conc1.json", Some("conc1 is right"))
            .unwrap(),
        ImportOutcome::Replaced("J1".into(), 3)
    );
    assert_eq!(
        s.history(&who, "J1").unwrap()[2].reason.as_deref(),
        Some("conc1 is right")
    );
    // The first file again: imported before, but the patient moved on.
    for out in [
        s.import_course(&who, &base, "h-base", "base-copy.json"),
        s.import_batch(&who, &[item(&base, "h-base", "base.json")])
            .pop()
            .unwrap(),
    ] {
        match out {
            Err(StoreError::ImportStale {
                file_rev: 1,
                head: 3,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(
        s.import_batch_atomic(&who, &[item(&conc0, "h-c0", "conc0.json")])
            .is_err(),
        "a stale file in a batch is refused too"
    );
    assert_eq!(s.head("J1").unwrap(), 3);
    assert_eq!(s.course_at(&who, "J1", None).unwrap().0, conc1);
    // With a reason, the earlier file becomes the current course; then it
    // is truly unchanged (also in a batch).
    let mut again = item(&base, "h-base", "base.json");
    again.reason = Some("back to the source file".into());
    assert_eq!(
        s.import_batch_atomic(&who, &[again]).unwrap(),
        [ImportOutcome::Replaced("J1".into(), 4)]
    );
    assert_eq!(
        s.import_course(&who, &base, "h-base", "base.json").unwrap(),
        ImportOutcome::Unchanged("J1".into(), 4)
    );
    assert_eq!(
        s.import_batch_atomic(&who, &[item(&base, "h-base", "base.json")])
            .unwrap(),
        [ImportOutcome::Unchanged("J1".into(), 4)]
    );
    // A pure addition needs no reason.
    assert_eq!(
        s.import_course(&who, &conc0, "h-c0b", "conc0-b.json")
            .unwrap(),
        ImportOutcome::Appended("J1".into(), 5)
    );
    s.purge(&admin(), "J1", "erasure request").unwrap();
    for hash in ["h-base", "h-new"] {
        match s.import_course(&who, &base, hash, "base.json") {
            Err(e @ StoreError::ImportPurged { .. }) => {
                assert!(e.to_string().contains("J1 was purged on"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(s.verify_audit().unwrap().first_problem.is_none());
}

fn item(c: &graftwatch_course::Course, hash: &str, file: &str) -> ImportItem {
    ImportItem {
        course: c.clone(),
        content_hash: hash.into(),
        file_name: file.into(),
        reason: None,
        warnings: Vec::new(),
    }
}

/// A batch of files in one transaction gives each file the outcome, the
/// revisions and the audit entry a one-by-one import gives; a batch with a
/// refused file falls back to one transaction per file.
fn import_batch_matches_one_by_one(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let who = clinician();
    let (b1, rest) = seed_as("B1", 2400);
    let mut b1_more = b1.clone();
    b1_more.observations.extend(rest);
    b1_more.sort();
    let (b2, _) = seed_as("B2", 2000);
    let (b0, _) = seed_as("B0", 1000);
    s.import_course(&who, &b0, "h0", "b0.json").unwrap();
    let mut b0_more = seed_as("B0", 1500).0;
    b0_more.sort();
    let batch = [
        item(&b1, "h1", "b1.json"),
        item(&b1, "h1", "b1-copy.json"),
        item(&b2, "h2", "b2.json"),
        item(&b1_more, "h1m", "b1-more.json"),
        item(&b0_more, "h0m", "b0-more.json"),
        item(&b0_more, "h0m", "b0-more-again.json"),
    ];
    // In one transaction (the bulk path itself, not the fallback).
    let outs = s.import_batch_atomic(&who, &batch).unwrap();
    assert_eq!(
        outs,
        [
            ImportOutcome::Created("B1".into()),
            ImportOutcome::Unchanged("B1".into(), 1),
            ImportOutcome::Created("B2".into()),
            ImportOutcome::Appended("B1".into(), 2),
            ImportOutcome::Appended("B0".into(), 2),
            ImportOutcome::Unchanged("B0".into(), 2),
        ]
    );
    assert_eq!(s.course_at(&who, "B1", Some(1)).unwrap().0, b1);
    assert_eq!(s.course_at(&who, "B1", None).unwrap().0, b1_more);
    assert_eq!(s.course_at(&who, "B2", None).unwrap().0, b2);
    assert_eq!(s.course_at(&who, "B0", None).unwrap().0, b0_more);
    let imports = s
        .audit_for_patient("B1")
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("import"))
        .count();
    assert_eq!(imports, 3, "one audit entry per file");
    assert_eq!(
        s.import_batch(&who, &batch[3..4]).pop().unwrap().unwrap(),
        ImportOutcome::Unchanged("B1".into(), 2),
        "idempotent across batches"
    );
    // A purged patient in the batch: refused and audited, the others imported.
    s.purge(&admin(), "B2", "erasure request").unwrap();
    let (b3, _) = seed_as("B3", 900);
    let mut b2_new = b2.clone();
    b2_new.observations.pop();
    let outs = s.import_batch(
        &who,
        &[
            item(&b3, "h3", "b3.json"),
            item(&b2_new, "h2n", "b2-new.json"),
        ],
    );
    assert_eq!(
        outs[0].as_ref().unwrap(),
        &ImportOutcome::Created("B3".into())
    );
    assert!(
        matches!(outs[1], Err(StoreError::ImportPurged { .. })),
        "{:?}",
        outs[1]
    );
    let none = s.import_batch_atomic(&who, &[item(&b2_new, "h2m", "b2-m.json")]);
    assert!(
        matches!(none, Err(StoreError::ImportPurged { .. })),
        "{none:?}"
    );
    assert!(
        s.audit_for_patient("B2")
            .unwrap()
            .iter()
            .any(|e| e.action == "import" && e.outcome.starts_with("refused"))
    );
    assert!(s.integrity_check().unwrap().is_empty());
    assert!(s.verify_audit().unwrap().first_problem.is_none());
}

/// Chimerism results added to a stored patient: one revision through the
/// course attach function (a re-run with the same results adds none, with
/// other results it replaces them), the run recorded, audited; a refused
/// attempt writes nothing.
fn chimerism_added_to_patient(db: &dyn Db) {
    use graftwatch_core::{Date, DonorId, Lineage, PersonRef};
    use graftwatch_course::{ChimerismMethod, ChimerismResult, ObservationKind, PersonShare};
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let who = actor("lab.tech", Role::Lab);
    let (c, _) = seed_as("K1", 200);
    s.create_patient(&clinician(), &c, None).unwrap();
    let result = |donor_pct: f64| ChimerismResult {
        sample: "S-77".into(),
        date: Date::from_ymd(2026, 3, 2).unwrap(),
        lineage: Lineage::Cd3,
        method: ChimerismMethod::Str,
        shares: vec![
            PersonShare::new(PersonRef::Recipient, 100.0 - donor_pct),
            PersonShare::new(PersonRef::Donor(DonorId("PBSC-1".into())), donor_pct),
        ],
    };
    let run = |r: &ChimerismResult| NewRun {
        results: serde_json::json!({"donor_percent": r.shares[1].percent}),
        patient: "K1".into(),
        ..sample_run("K1")
    };
    let stored_pct = |s: &Store| -> Vec<f64> {
        let c = s.course_at(&clinician(), "K1", None).unwrap().0;
        c.observations
            .iter()
            .filter(|o| o.kind == ObservationKind::Chimerism && o.sample.as_deref() == Some("S-77"))
            .filter_map(|o| o.number())
            .collect()
    };
    let r1 = result(97.5);
    let a = s
        .add_chimerism(&who, &run(&r1), std::slice::from_ref(&r1))
        .unwrap();
    let m = a.revision.unwrap();
    assert_eq!(
        (m.rev, m.kind, a.summary.added),
        (2, RevisionKind::Append, 2)
    );
    assert_eq!(stored_pct(&s), [2.5, 97.5]);
    let again = s
        .add_chimerism(&who, &run(&r1), std::slice::from_ref(&r1))
        .unwrap();
    assert_eq!(again.revision, None, "the same results again: no revision");
    assert_eq!(s.head("K1").unwrap(), 2);
    let r2 = result(90.0);
    let b = s.add_chimerism(&who, &run(&r2), &[r2]).unwrap();
    let m = b.revision.unwrap();
    assert_eq!(
        (m.rev, m.kind, b.summary.replaced),
        (3, RevisionKind::Replace, 2)
    );
    assert!(m.reason.unwrap().contains(&b.run_id[..12]));
    assert_eq!(stored_pct(&s), [10.0, 90.0]);
    assert_eq!(s.runs(&who, "K1").unwrap().len(), 3);
    let mut bad = result(50.0);
    bad.shares[1].person = PersonRef::Donor(DonorId("NOBODY".into()));
    let e = s.add_chimerism(&who, &run(&bad), &[bad]).unwrap_err();
    assert!(e.to_string().contains("NOBODY"), "{e}");
    assert_eq!(s.head("K1").unwrap(), 3);
    assert_eq!(s.runs(&who, "K1").unwrap().len(), 3, "nothing written");
    let e = s
        .add_chimerism(&who, &run(&r1), std::slice::from_ref(&r1))
        .map(|_| ());
    assert!(e.is_ok());
    let missing = NewRun {
        patient: "NOPE".into(),
        ..run(&r1)
    };
    assert!(matches!(
        s.add_chimerism(&who, &missing, &[r1]),
        Err(StoreError::NoPatient(_))
    ));
    let audit = s.audit_for_patient("K1").unwrap();
    let adds: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "add_chimerism")
        .collect();
    assert_eq!(adds.len(), 5);
    assert!(adds[0].resource.ends_with("-> course@2") && adds[0].actor == "lab.tech");
    assert!(adds[3].outcome.starts_with("refused"));
    assert!(s.verify_audit().unwrap().first_problem.is_none());
    assert!(s.integrity_check().unwrap().is_empty());
}

/// Chimerism runs, sign-offs and reference profiles.
fn runs_and_profiles(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.create_patient(&clinician(), &seed_as("L1", 10).0, None)
        .unwrap();
    let lab = actor("lab.tech", Role::Lab);
    let id = s.record_run(&lab, &sample_run("L1")).unwrap();
    assert!(matches!(
        s.sign_off(&clinician(), &id, "reviewed"),
        Err(StoreError::Forbidden { .. })
    ));
    s.sign_off(&lab, &id, "technically validated").unwrap();
    let runs = s.runs(&clinician(), "L1").unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].run, sample_run("L1"));
    assert_eq!(runs[0].signoffs[0].3, "technically validated");
    let p = NewProfile {
        patient: "L1".into(),
        person: "recipient".into(),
        method: "str".into(),
        input_hash: "cd".repeat(32),
        profile: serde_json::json!({"D8S1179": [13, 14]}),
    };
    assert_eq!(s.put_profile(&lab, &p).unwrap(), 1);
    let mut p2 = p.clone();
    p2.profile = serde_json::json!({"D8S1179": [13, 15]});
    assert_eq!(s.put_profile(&lab, &p2).unwrap(), 2);
    let got = s.profiles(&clinician(), "L1").unwrap();
    assert_eq!(got, vec![(p2, 2)]);
    assert!(matches!(
        s.record_run(&lab, &sample_run("NOPE")),
        Err(StoreError::NoPatient(_))
    ));
}

/// Users, roles, API tokens (hashed) and sessions.
fn users_tokens_sessions(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.put_user(&admin(), "admin.test", Role::Admin).unwrap();
    assert!(matches!(
        s.put_user(&clinician(), "x", Role::Admin),
        Err(StoreError::Forbidden { .. })
    ));
    s.put_user(&admin(), "dr.test", Role::Clinician).unwrap();
    assert_eq!(s.user_role("dr.test").unwrap(), Some(Role::Clinician));
    let t = s.create_token(&admin(), "dr.test", "ward laptop").unwrap();
    assert_eq!(
        s.token_user(&t).unwrap(),
        Some(("dr.test".into(), Role::Clinician))
    );
    assert_eq!(
        db_count(
            &loc,
            &format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{t}'")
        ),
        0,
        "tokens are stored hashed"
    );
    assert!(s.revoke_token(&admin(), &t).unwrap());
    assert_eq!(s.token_user(&t).unwrap(), None);
    let sess = s.create_session("dr.test", 3600).unwrap();
    assert_eq!(
        s.session_user(&sess).unwrap().map(|u| u.1),
        Some(Role::Clinician)
    );
    let old = s.create_session("dr.test", -1).unwrap();
    assert_eq!(s.session_user(&old).unwrap(), None);
}

/// Migrations from an empty database and from each earlier schema.
fn migrations_from_each_schema(db: &dyn Db) {
    for from in 0..migrate::latest_version() {
        let loc = db.fresh();
        migrate_partially(&loc, from);
        if from >= 1 {
            db.raw(&loc, "INSERT INTO patients (patient_id, created_at, created_by, head_rev, deleted, purged) VALUES ('OLD', '2026-01-01T00:00:00.000000Z', 'x', 0, 0, 0)");
        }
        assert!(
            Store::open(&loc).is_err(),
            "an old schema is not opened silently"
        );
        let (s, applied) = Store::init(&loc).unwrap();
        assert_eq!(
            applied,
            ((from + 1)..=migrate::latest_version()).collect::<Vec<_>>()
        );
        s.create_patient(&clinician(), &seed_as("M1", 10).0, None)
            .unwrap();
        assert_eq!(s.info().unwrap().schema_version, migrate::latest_version());
        s.close();
        assert!(
            Store::migrate(&loc).unwrap().is_empty(),
            "forward-only and idempotent"
        );
    }
    let loc = db.fresh();
    Store::init(&loc).unwrap().0.close();
    db.raw(
        &loc,
        "UPDATE schema_migrations SET checksum = 'x' WHERE version = 2",
    );
    assert!(matches!(
        Store::open(&loc),
        Err(StoreError::MigrationChanged(2))
    ));
    let loc = db.fresh();
    Store::init(&loc).unwrap().0.close();
    db.raw(&loc, "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (99, 'future', 'x', 'now')");
    assert!(matches!(
        Store::open(&loc),
        Err(StoreError::SchemaTooNew { found: 99, .. })
    ));
}

/// Backup then restore gives back the same data.
fn backup_restore_round_trip(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let (c, rest) = seed_as("B1", 2000);
    s.create_patient(&clinician(), &c, None).unwrap();
    s.append(&clinician(), "B1", 1, &obs(&rest[..20])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    s.backup(&file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let before = s.course_at(&clinician(), "B1", None).unwrap().0;
    s.write(&clinician(), "B1", 2, &Change::Tombstone, Some("test"))
        .unwrap();
    s.close();
    graftwatch_store::restore(&loc, &file).unwrap();
    let s = Store::open(&loc).unwrap();
    assert_eq!(s.head("B1").unwrap(), 2);
    assert_eq!(s.course_at(&clinician(), "B1", None).unwrap().0, before);
    assert!(s.integrity_check().unwrap().is_empty());
}

const CASES: &[(&str, Case)] = &[
    (
        "revisions_reconstruct_exactly",
        revisions_reconstruct_exactly,
    ),
    ("append_is_small", append_is_small),
    (
        "conflict_names_both_revisions",
        conflict_names_both_revisions,
    ),
    ("concurrent_writers", concurrent_writers),
    ("derived_state_is_current", derived_state_is_current),
    (
        "audit_records_reads_and_writes",
        audit_records_reads_and_writes,
    ),
    ("audit_detects_tampering", audit_detects_tampering),
    ("courses_detect_tampering", courses_detect_tampering),
    (
        "audit_anchor_catches_rehash_with_key",
        audit_anchor_catches_rehash_with_key,
    ),
    ("purge_erases_payloads", purge_erases_payloads),
    ("import_is_idempotent", import_is_idempotent),
    (
        "import_never_removes_silently",
        import_never_removes_silently,
    ),
    (
        "import_batch_matches_one_by_one",
        import_batch_matches_one_by_one,
    ),
    ("runs_and_profiles", runs_and_profiles),
    ("chimerism_added_to_patient", chimerism_added_to_patient),
    ("users_tokens_sessions", users_tokens_sessions),
    ("migrations_from_each_schema", migrations_from_each_schema),
    ("backup_restore_round_trip", backup_restore_round_trip),
];

macro_rules! sqlite_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                super::$name(&SqliteDb::new());
            }
        )*
    };
}

mod sqlite {
    use super::*;
    sqlite_tests!(
        revisions_reconstruct_exactly,
        append_is_small,
        conflict_names_both_revisions,
        concurrent_writers,
        derived_state_is_current,
        audit_records_reads_and_writes,
        audit_detects_tampering,
        courses_detect_tampering,
        audit_anchor_catches_rehash_with_key,
        purge_erases_payloads,
        import_is_idempotent,
        import_never_removes_silently,
        import_batch_matches_one_by_one,
        runs_and_profiles,
        chimerism_added_to_patient,
        users_tokens_sessions,
        migrations_from_each_schema,
        backup_restore_round_trip,
    );

    #[test]
    fn file_mode_is_0600() {
        use std::os::unix::fs::PermissionsExt;
        let db = SqliteDb::new();
        let loc = db.fresh();
        Store::init(&loc).unwrap().0.close();
        let Location::Sqlite(p) = &loc else {
            unreachable!()
        };
        assert_eq!(
            std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn every_case_runs_on_sqlite() {
    // The list above and the macro must name the same cases.
    assert_eq!(CASES.len(), 18);
}

#[test]
fn conformance_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    for (name, case) in CASES {
        eprintln!("postgresql: {name}");
        case(&pg);
    }
}

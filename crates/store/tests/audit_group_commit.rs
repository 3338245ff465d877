//! Group commit of audit entries (`Store::audit`, decision S-4 in
//! docs/server.md): entries recorded by many threads at once are all in
//! the chain, each with its own actor and patients, in each thread's order,
//! and the chain verifies; on PostgreSQL, entries queued behind a locked
//! chain head wait in the queue on one database connection, not on one
//! connection each.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use graftwatch_store::{AuditEvent, Location, Role, Store};

const THREADS: usize = 16;
const PER_THREAD: usize = 25;

/// `THREADS` threads each record `PER_THREAD` entries as their own user;
/// every entry is stored once, names its user and patients, and each
/// thread's entries are in the order it recorded them.
fn concurrent_entries_are_all_chained(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.close();
    let s = Arc::new(Store::open_with_pool(&loc, 8).unwrap());
    let before = s.audit_entries(1, 1_000_000).unwrap().len();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                let who = actor(&format!("user{t}"), Role::Clinician);
                for i in 0..PER_THREAD {
                    let ev = AuditEvent::ok(
                        "list_patients",
                        vec![format!("P{t}-{i}"), format!("Q{t}-{i}")],
                        format!("view {i}"),
                    );
                    s.audit(&who, &ev).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let entries = s.audit_entries(1, 1_000_000).unwrap();
    assert_eq!(
        entries.len(),
        before + THREADS * PER_THREAD,
        "{}: entries lost or duplicated",
        db.name()
    );
    let mut next: HashMap<String, usize> = HashMap::new();
    for e in &entries[before..] {
        let t: usize = e.actor.trim_start_matches("user").parse().unwrap();
        let i = next.entry(e.actor.clone()).or_insert(0);
        assert_eq!(
            e.resource,
            format!("view {i}"),
            "{}: order of {}",
            db.name(),
            e.actor
        );
        assert_eq!(e.patients, format!("P{t}-{i},Q{t}-{i}"));
        assert_eq!((e.role.as_str(), e.channel.as_str()), ("clinician", "cli"));
        *i += 1;
    }
    assert!(next.values().all(|n| *n == PER_THREAD));
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_problem, None, "{}", db.name());
    assert_eq!(v.entries as usize, entries.len());
}

#[test]
fn concurrent_audit_entries_sqlite() {
    concurrent_entries_are_all_chained(&SqliteDb::new());
}

#[test]
fn concurrent_audit_entries_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    concurrent_entries_are_all_chained(&pg);
}

#[test]
fn queued_audit_entries_use_one_connection_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    let loc = pg.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.close();
    let Location::Postgres(url) = &loc else {
        unreachable!()
    };
    let s = Arc::new(Store::open_with_pool(&loc, 8).unwrap());
    let rt = tokio_rt();
    let (mut locker, mut watcher) = locker_and_watcher(
        &rt,
        url,
        "BEGIN; SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
    );
    let readers = 12;
    let threads: Vec<_> = (0..readers)
        .map(|t| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                let ev = AuditEvent::ok("read_course", vec![format!("P{t}")], "course@1");
                s.audit(&actor(&format!("user{t}"), Role::Clinician), &ev)
                    .unwrap();
            })
        })
        .collect();
    // Every thread has queued well within this time; one of them waits on
    // the chain head in the database, the others in the queue.
    let start = Instant::now();
    let mut most = 0;
    while start.elapsed() < Duration::from_secs(3) {
        most = most.max(rt.block_on(lock_waiters(&mut watcher)));
        std::thread::sleep(Duration::from_millis(50));
    }
    rt.block_on(sqlx::raw_sql("COMMIT").execute(&mut locker))
        .unwrap();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        most, 1,
        "{readers} audit entries behind a locked chain head held {most} connections waiting"
    );
    let v = s.verify_audit().unwrap();
    assert_eq!(v.first_problem, None);
    let entries = s.audit_entries(1, 1_000_000).unwrap();
    for t in 0..readers {
        let n = entries
            .iter()
            .filter(|e| e.actor == format!("user{t}") && e.patients == format!("P{t}"))
            .count();
        assert_eq!(n, 1, "user{t}'s entry");
    }
}

/// Entries whose tickets are dropped unanswered are still written, and
/// tickets awaited asynchronously (the web server's way: no thread held
/// while waiting) are answered once their entry is committed.
#[test]
fn dropped_and_awaited_tickets_are_committed_sqlite() {
    let db = SqliteDb::new();
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.close();
    let s = Arc::new(Store::open_with_pool(&loc, 8).unwrap());
    let who = actor("web-user", Role::Clinician);
    let ev = |p: String| AuditEvent::ok("list_patients", vec![p], "ward page");
    for i in 0..20 {
        drop(s.audit_enqueue(who.clone(), ev(format!("D{i}"))));
    }
    let rt = tokio_rt();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let (s, who) = (Arc::clone(&s), who.clone());
            rt.spawn(async move { s.audit_enqueue(who, ev(format!("A{i}"))).committed().await })
        })
        .collect();
    rt.block_on(async {
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    });
    // A blocking caller queued after the dropped ones is answered after them.
    s.audit(&who, &ev("LAST".into())).unwrap();
    let entries = s.audit_entries(1, 1_000_000).unwrap();
    for p in (0..20)
        .map(|i| format!("D{i}"))
        .chain((0..30).map(|i| format!("A{i}")))
    {
        let n = entries.iter().filter(|e| e.patients == p).count();
        assert_eq!(n, 1, "entry of {p}");
    }
    let last = entries.iter().position(|e| e.patients == "LAST").unwrap();
    assert!(
        entries[..last]
            .iter()
            .filter(|e| e.patients.starts_with('D'))
            .count()
            == 20,
        "dropped entries keep their place in the queue"
    );
    assert_eq!(s.verify_audit().unwrap().first_problem, None);
}

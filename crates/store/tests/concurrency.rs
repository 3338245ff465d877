//! Concurrent use of one `Store` handle: calls from several threads run in
//! parallel on the connection pool, not one after another.
//!
//! On PostgreSQL the test holds an exclusive lock on `revisions` from an
//! outside connection, so every course read blocks inside the server, and
//! counts the store's backends waiting on that lock: with a pool of 4 and
//! 4 reading threads all 4 reads are in flight at once; with a pool of 1
//! only one is (the others wait for the connection). After the lock is
//! released every read returns the right course.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use graftwatch_store::{Location, Store};

/// The most reads seen waiting at once within `within`, with `readers`
/// threads reading through a pool of `pool` connections.
fn reads_in_flight(loc: &Location, pool: u32, readers: usize, within: Duration) -> i64 {
    let Location::Postgres(url) = loc else {
        unreachable!()
    };
    let s = Arc::new(Store::open_with_pool(loc, pool).unwrap());
    let expected = s.course_at(&clinician(), "C1", None).unwrap().0;
    let rt = tokio_rt();
    let (mut locker, mut watcher) = locker_and_watcher(
        &rt,
        url,
        "BEGIN; LOCK TABLE revisions IN ACCESS EXCLUSIVE MODE",
    );
    let threads: Vec<_> = (0..readers)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || s.course_at(&clinician(), "C1", None).unwrap().0)
        })
        .collect();
    let start = Instant::now();
    let mut most = 0;
    while start.elapsed() < within {
        most = most.max(rt.block_on(lock_waiters(&mut watcher)));
        if most >= readers as i64 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    rt.block_on(sqlx::raw_sql("COMMIT").execute(&mut locker))
        .unwrap();
    for t in threads {
        assert_eq!(
            t.join().unwrap(),
            expected,
            "a concurrent read returned another course"
        );
    }
    most
}

#[test]
fn concurrent_reads_run_in_parallel_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    let loc = pg.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let (c, _) = seed_as("C1", usize::MAX);
    s.create_patient(&clinician(), &c, None).unwrap();
    s.close();
    let parallel = reads_in_flight(&loc, 4, 4, Duration::from_secs(20));
    assert_eq!(
        parallel, 4,
        "4 reads through a pool of 4 were not all in flight at once"
    );
    let serial = reads_in_flight(&loc, 1, 4, Duration::from_secs(2));
    assert_eq!(serial, 1, "a pool of 1 let {serial} reads run at once");
}

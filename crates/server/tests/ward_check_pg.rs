//! The ward cache's periodic check does not stall the dashboard (decisions
//! S-2 and S-5, docs/server.md): on PostgreSQL, with the `patients` table
//! locked from outside, the check runs in the background and waits for
//! the lock while dashboard requests are served from the rows at hand.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use graftwatch_store::Location;
use sqlx::Connection;

#[test]
fn a_periodic_check_in_flight_does_not_hold_up_other_pages() {
    let Some(pg) = PgCluster::start() else {
        return;
    };
    let t = TestApp::new(&pg, test_config());
    let Location::Postgres(url) = t.loc.clone() else {
        unreachable!()
    };
    let s = t.login("doc");
    let r = page(&t, &s, "/ward");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("P1"), "{}", r.body);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    sqlx::any::install_default_drivers();
    let mut locker = rt.block_on(sqlx::AnyConnection::connect(&url)).unwrap();
    rt.block_on(
        sqlx::raw_sql("BEGIN; LOCK TABLE patients IN ACCESS EXCLUSIVE MODE").execute(&mut locker),
    )
    .unwrap();
    // The cache is now older than its recheck interval (250 ms) but
    // younger than MAX_AGE (1 s): the check runs in the background.
    std::thread::sleep(Duration::from_millis(400));
    let start = std::time::Instant::now();
    let first = page(&t, &s, "/ward");
    let second = page(&t, &s, "/ward");
    let served_in = start.elapsed();
    // The background check is blocked on the lock meanwhile.
    let mut watcher = rt.block_on(sqlx::AnyConnection::connect(&url)).unwrap();
    let mut waiting = 0;
    let polling = std::time::Instant::now();
    while waiting == 0 && polling.elapsed() < Duration::from_secs(3) {
        waiting = rt
            .block_on(
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND wait_event_type = 'Lock'",
                )
                .fetch_one(&mut watcher),
            )
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    rt.block_on(sqlx::raw_sql("COMMIT").execute(&mut locker))
        .unwrap();
    assert_eq!(waiting, 1, "one check waits for the lock");
    assert!(
        served_in < Duration::from_secs(5),
        "dashboard pages waited {served_in:?} for a check of the store"
    );
    for r in [first, second] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("P1"), "{}", r.body);
    }
}

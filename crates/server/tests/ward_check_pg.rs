//! The ward cache's periodic check does not stall the dashboard (decision
//! S-2, docs/server.md): on PostgreSQL, with the `patients` table locked
//! from outside, the request that makes the check waits for the lock, and
//! another dashboard request meanwhile is served from the rows at hand.

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
    // The cache is now older than its recheck interval (250 ms).
    std::thread::sleep(Duration::from_millis(400));
    std::thread::scope(|scope| {
        let checking = scope.spawn(|| page(&t, &s, "/ward"));
        // Let the first request start its check and block on the lock.
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            !checking.is_finished(),
            "the check did not wait for the lock"
        );
        let other = scope.spawn(|| page(&t, &s, "/ward"));
        let start = std::time::Instant::now();
        while !other.is_finished() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let served_meanwhile = other.is_finished() && !checking.is_finished();
        rt.block_on(sqlx::raw_sql("COMMIT").execute(&mut locker))
            .unwrap();
        assert!(
            served_meanwhile,
            "a dashboard page waited for another request's check of the store"
        );
        let r = other.join().unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("P1"), "{}", r.body);
        let r = checking.join().unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    });
}

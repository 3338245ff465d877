//! The ward dashboard's cached views (decision S-5, docs/server.md):
//! every patient reachable through the pages of every order and filter,
//! "needs attention" first, filters counted before paging; rows' HTML
//! rendered once per view yet showing each write; the cache swapping its
//! rows under concurrent readers without a reader ever seeing a page go
//! back in time.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{TestApp, page, sqlite_app};
use graftwatch_core::Date;
use graftwatch_store::Role;
use graftwatch_store::ward::ward_row;

const DAY: &str = "2024-06-01";

/// The patient ids of a page, in order.
fn ids(html: &str) -> Vec<String> {
    html.split("data-patient=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// Patients `Q000`… with courses cut at different lengths, so their
/// counts, grades and alerts differ.
fn add_patients(t: &TestApp, n: usize) {
    let actor = common::store_common::clinician();
    for i in 0..n {
        let (c, _) = common::store_common::seed_as(&format!("Q{i:03}"), 5 + i * 3);
        t.state.store.create_patient(&actor, &c, None).unwrap();
    }
}

/// Every row of `/ward?QUERY`, walking the pages; checks the count line.
fn all_pages(t: &TestApp, s: &common::Session, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for n in 1.. {
        let r = page(t, s, &format!("/ward?{query}&on={DAY}&page={n}"));
        assert_eq!(r.status, StatusCode::OK, "{query} page {n}: {}", r.body);
        let rows = ids(&r.body);
        out.extend(rows.iter().cloned());
        if !r.body.contains("id=\"ward-next\"") {
            break;
        }
        assert_eq!(rows.len(), 50, "{query}: a page before the last is full");
    }
    out
}

#[test]
fn every_order_and_filter_reaches_every_matching_patient_attention_first() {
    let (_db, t) = sqlite_app();
    add_patients(&t, 120);
    let s = t.login("doc");
    let day: Date = DAY.parse().unwrap();
    let actor = common::store_common::actor("doc", Role::Clinician);
    let listed = t.state.store.list_patients(&actor, false).unwrap();
    let rows: Vec<_> = listed.iter().map(|p| ward_row(p, day)).collect();
    let everyone: BTreeSet<String> = rows.iter().map(|r| r.patient.clone()).collect();
    assert_eq!(everyone.len(), 121);

    for sort in ["attention", "patient", "day", "anc", "agvhd"] {
        let seen = all_pages(&t, &s, &format!("sort={sort}"));
        assert_eq!(seen.len(), 121, "sort={sort}: every patient once");
        assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), everyone);
        if sort == "patient" {
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(seen, sorted, "sort=patient is by id");
        }
    }
    // Needs attention first: priorities never increase down the list.
    let prio = |id: &String| rows.iter().find(|r| &r.patient == id).unwrap().priority();
    let seen = all_pages(&t, &s, "sort=attention");
    assert!(
        seen.windows(2).all(|w| prio(&w[0]) >= prio(&w[1])),
        "attention order"
    );
    assert!(prio(&seen[0]) > 0, "someone needs attention in this ward");

    // Filters apply before paging and count only the matches.
    let attention: BTreeSet<String> = rows
        .iter()
        .filter(|r| r.priority() > 0)
        .map(|r| r.patient.clone())
        .collect();
    let got = all_pages(&t, &s, "attention=1");
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), attention);
    let active = |r: &graftwatch_store::ward::WardRow| {
        r.alerts.iter().any(|a| {
            let d: Date = a.date.parse().unwrap();
            d <= day && day.days_since(d).get() <= 14
        })
    };
    let alerting: BTreeSet<String> = rows
        .iter()
        .filter(|r| active(r))
        .map(|r| r.patient.clone())
        .collect();
    let got = all_pages(&t, &s, "alerts=1&sort=patient");
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), alerting);
    let r = page(&t, &s, &format!("/ward?alerts=1&on={DAY}"));
    assert!(
        r.body.contains(&format!("of {} (page 1", alerting.len())) || alerting.is_empty(),
        "{}",
        r.body
    );
    // Search by id, paged: Q000–Q099 match "q0", 100 of them.
    let got = all_pages(&t, &s, "q=q0&sort=patient");
    assert_eq!(got.len(), 100);
    assert!(got.iter().all(|p| p.starts_with("Q0")));
    let r = page(&t, &s, &format!("/ward?q=q0&sort=patient&on={DAY}&page=2"));
    assert!(
        r.body.contains("Patients 51–100 of 100 (page 2 of 2)"),
        "{}",
        r.body
    );
}

/// The revision shown for `patient` on a page, if the patient is on it.
fn rev_of(html: &str, patient: &str) -> Option<i64> {
    let at = html.find(&format!("data-patient=\"{patient}\""))?;
    let row = &html[at..];
    let row = &row[row.find("rev ")? + 4..];
    row[..row.find('<')?].parse().ok()
}

#[test]
fn concurrent_readers_never_see_a_page_go_back_while_writes_swap_the_rows() {
    let (_db, t) = sqlite_app();
    add_patients(&t, 60);
    let s = t.login("doc");
    let tok = common::token_for(&t, "doc");
    let start = t.state.store.head("Q001").unwrap();
    let writes = 8;
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut last = 0;
                    let mut seen = Vec::new();
                    for _ in 0..40 {
                        let r = page(&t, &s, &format!("/ward?q=Q00&sort=patient&on={DAY}"));
                        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                        assert_eq!(ids(&r.body).len(), 10, "a whole page every time");
                        let rev = rev_of(&r.body, "Q001").expect("Q001 on the page");
                        assert!(rev >= last, "went back from rev {last} to {rev}");
                        last = rev;
                        seen.push(rev);
                    }
                    seen
                })
            })
            .collect();
        for i in 0..writes {
            let head = start + i;
            let w = t.send(common::with_token(
                "POST",
                "/api/patients/Q001/observations",
                &tok,
                Some(&common::anc_body(
                    head,
                    &format!("2024-05-{:02}", 10 + i),
                    0.3,
                )),
            ));
            assert_eq!(w.status, StatusCode::CREATED, "{}", w.body);
            // Read your writes: the writer's next page shows its revision.
            let r = page(&t, &s, &format!("/ward?q=Q001&on={DAY}"));
            assert_eq!(rev_of(&r.body, "Q001"), Some(head + 1));
        }
        for r in readers {
            let seen = r.join().unwrap();
            assert!(seen.iter().all(|v| (start..=start + writes).contains(v)));
        }
    });
    let r = page(&t, &s, &format!("/ward?q=Q00&sort=patient&on={DAY}"));
    assert_eq!(rev_of(&r.body, "Q001"), Some(start + writes));
    assert!(
        r.body.contains("0.3 (2024-05-17)"),
        "the latest ANC is shown"
    );
}

#[test]
fn another_writer_shows_after_a_background_check() {
    let (_db, t) = sqlite_app();
    let s = t.login("doc");
    let r = page(&t, &s, &format!("/ward?on={DAY}"));
    assert_eq!(ids(&r.body), ["P1"]);
    add_patients(&t, 1);
    // Older than RECHECK, younger than MAX_AGE: this page is served from
    // the rows at hand and starts the check in the background ...
    common::pause(0.3);
    let r = page(&t, &s, &format!("/ward?on={DAY}"));
    assert_eq!(r.status, StatusCode::OK);
    // ... whose result the next page shows.
    common::pause(0.3);
    let r = page(&t, &s, &format!("/ward?on={DAY}&sort=patient"));
    assert_eq!(ids(&r.body), ["P1", "Q000"], "{}", r.body);
}

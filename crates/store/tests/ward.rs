//! The ward dashboard query: facts stored with the derived state, read in
//! one list, day +N and windows as of today, needs-attention ordering,
//! filters and sorts.

mod common;

use common::{Db, SqliteDb, clinician, seed};
use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_course::io::read_json_str;
use graftwatch_store::Store;
use graftwatch_store::ward::{WardFilter, WardSort};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// A small course: PBSC transplant on 2026-11-01 and one ANC value.
fn small(id: &str, anc_date: &str, anc: f64) -> Course {
    let json = format!(
        r#"{{"format":"graftwatch-course/1","patient":{{"id":"{id}","sex":"female","birth_year":1970,"diagnosis":{{"disease":"aml","date":"2026-01-01"}}}},
        "donors":[{{"id":"D1","relationship":"matched_unrelated","sex":"male"}}],
        "events":[{{"date":"2026-11-01","kind":"graft_infusion","source":"pbsc","donor":"D1"}}],
        "observations":[{{"date":"{anc_date}","kind":"anc","value":{anc},"unit":"10^9/L"}},
                        {{"date":"{anc_date}","kind":"platelets","value":80,"unit":"10^9/L"}}]}}"#
    );
    read_json_str(&json, std::path::Path::new("t.json"))
        .unwrap()
        .course
}

#[test]
fn seed_row_has_day_counts_grades_and_chimerism_per_lineage() {
    let db = SqliteDb::new();
    let (store, _) = Store::init(&db.fresh()).unwrap();
    let c = seed();
    store.create_patient(&clinician(), &c, None).unwrap();
    let (_, last) = c.span().unwrap();
    let rows = store
        .ward(
            &clinician(),
            last,
            &WardFilter::default(),
            WardSort::Attention,
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let (label, day) = r.day.clone().expect("day 0");
    assert_eq!(label, "HCT");
    let hct = c.transplant_day0(1).unwrap();
    assert_eq!(day, last.days_since(hct).get());
    assert!(r.anc.is_some() && r.platelets.is_some() && r.hemoglobin.is_some());
    assert!(!r.chimerism.is_empty(), "latest chimerism per lineage");
    let mut lineages: Vec<&str> = r.chimerism.iter().map(|x| x.lineage.as_str()).collect();
    lineages.dedup();
    assert_eq!(lineages.len(), r.chimerism.len(), "one line per lineage");
    for line in &r.chimerism {
        assert!(!line.shares.is_empty(), "{line:?}");
    }
    // The seed's CAR-T was months before the last day: CRS/ICANS hidden.
    assert!(r.crs.is_none() && r.icans.is_none());
}

#[test]
fn attention_first_then_filters_and_sorts() {
    let db = SqliteDb::new();
    let (store, _) = Store::init(&db.fresh()).unwrap();
    let a = clinician();
    store
        .create_patient(&a, &small("P-LOW", "2026-11-20", 0.2), None)
        .unwrap();
    store
        .create_patient(&a, &small("P-OK", "2026-11-20", 3.1), None)
        .unwrap();
    store
        .create_patient(&a, &small("A-OLD", "2026-11-02", 0.1), None)
        .unwrap();
    let today = d("2026-11-22");
    let rows = store
        .ward(&a, today, &WardFilter::default(), WardSort::Attention)
        .unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.patient.as_str()).collect();
    assert_eq!(ids[0], "P-LOW", "recent ANC < 0.5 first: {ids:?}");
    assert!(
        rows[0]
            .attention
            .iter()
            .any(|x| x.reason.starts_with("ANC 0.2"))
    );
    assert_eq!(rows[0].day, Some(("HCT".to_string(), 21)));
    // ANC 0.1 twenty days ago is not "recent": no ANC reason.
    let old = rows.iter().find(|r| r.patient == "A-OLD").unwrap();
    assert!(!old.attention.iter().any(|x| x.reason.starts_with("ANC")));
    let only = WardFilter {
        attention_only: true,
        ..WardFilter::default()
    };
    let rows = store.ward(&a, today, &only, WardSort::Attention).unwrap();
    assert!(rows.iter().all(|r| r.priority() > 0));
    assert!(!rows.iter().any(|r| r.patient == "P-OK"));
    let by_name = WardFilter {
        patient: Some("p-".into()),
        ..WardFilter::default()
    };
    let rows = store.ward(&a, today, &by_name, WardSort::Patient).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.patient.as_str()).collect();
    assert_eq!(ids, ["P-LOW", "P-OK"]);
    let rows = store
        .ward(&a, today, &WardFilter::default(), WardSort::Anc)
        .unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.patient.as_str()).collect();
    assert_eq!(ids, ["A-OLD", "P-LOW", "P-OK"]);
}

#[test]
fn sort_names_parse() {
    assert_eq!(WardSort::parse("anc"), Some(WardSort::Anc));
    assert_eq!(WardSort::parse(""), Some(WardSort::Attention));
    assert_eq!(WardSort::parse("salary"), None);
}

/// The web audit: primary graft failure dropped off the ward once its
/// alerts were older than 14 days. It is a state: while the engine grades
/// it, the row needs attention (weight 4), whatever the day shown.
#[test]
fn primary_graft_failure_stays_on_the_ward() {
    let json = r#"{"format":"graftwatch-course/1","patient":{"id":"GF-1","sex":"male","birth_year":1960,"diagnosis":{"disease":"mds","date":"2026-01-10"}},
        "donors":[{"id":"MUD-1","relationship":"matched_unrelated","sex":"male"}],
        "events":[{"date":"2026-10-01","kind":"graft_infusion","source":"pbsc","donor":"MUD-1"}],
        "observations":[
          {"date":"2026-10-02","kind":"anc","value":0.1,"unit":"10^9/L"},
          {"date":"2026-10-08","kind":"anc","value":0.0,"unit":"10^9/L"},
          {"date":"2026-10-15","kind":"anc","value":0.1,"unit":"10^9/L"},
          {"date":"2026-10-22","kind":"anc","value":0.1,"unit":"10^9/L"},
          {"date":"2026-10-29","kind":"anc","value":0.2,"unit":"10^9/L"},
          {"date":"2026-11-05","kind":"anc","value":0.1,"unit":"10^9/L"}]}"#;
    let c = read_json_str(json, std::path::Path::new("gf.json"))
        .unwrap()
        .course;
    let db = SqliteDb::new();
    let (store, _) = Store::init(&db.fresh()).unwrap();
    store.create_patient(&clinician(), &c, None).unwrap();
    for day in ["2026-11-05", "2026-12-20"] {
        let rows = store
            .ward(
                &clinician(),
                d(day),
                &WardFilter::default(),
                WardSort::Attention,
            )
            .unwrap();
        let r = &rows[0];
        assert!(
            r.attention
                .iter()
                .any(|a| a.reason.starts_with("primary graft failure") && a.weight == 4),
            "{day}: {:?}",
            r.attention
        );
    }
}

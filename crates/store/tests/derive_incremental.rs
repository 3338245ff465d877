//! Derived state kept current on every write gives exactly what a full
//! recomputation gives: courses are appended one day at a time, and after
//! every append the row stored with the revision (read as it is, without
//! the listing's recomputation) must equal `derive::compute` over the
//! course replayed from the database. Each course runs with the in-memory
//! head (a long-lived handle such as the server) and without it (a
//! one-shot command, which replays the history), on SQLite and on a
//! throwaway PostgreSQL cluster. Besides the hand-made courses below,
//! randomised ones (`derive_incremental/random.rs`: graft failure, acute
//! and chronic GVHD, CRS and ICANS, relapse, MRD conversion, chimerism
//! trends, DLIs) and the seed case copied three times on the same dates.

mod common;
#[path = "derive_incremental/random.rs"]
mod random;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_course::io::read_json_str;
use graftwatch_store::derive::{DeriveConfig, DerivedSummary, compute};
use graftwatch_store::{Change, Delta, Store, StoreError};

/// The course's items dated `d`, in their order.
fn day(course: &Course, d: Date) -> Delta {
    Delta {
        events: course
            .events
            .iter()
            .filter(|e| e.date == d)
            .cloned()
            .collect(),
        observations: course
            .observations
            .iter()
            .filter(|o| o.date == d)
            .cloned()
            .collect(),
    }
}

/// The stored row equals a full recomputation from the replayed course.
fn assert_current(s: &Store, loc: &graftwatch_store::Location, id: &str, rev: i64, what: &str) {
    let (row_rev, text) = raw_state(loc, id).unwrap_or_else(|| panic!("{what}: no row"));
    assert_eq!(row_rev, rev, "{what}: the row is behind its revision");
    let stored: DerivedSummary = serde_json::from_str(&text).unwrap();
    let (course, meta) = s.course_at(&clinician(), id, None).unwrap();
    assert_eq!(meta.rev, rev);
    assert_eq!(
        stored,
        compute(&course, &DeriveConfig::default()),
        "{what}: incremental and full derivation differ"
    );
}

/// Creates the course's first `first` days, then appends the other days
/// one at a time (`head_cache` patients kept in memory).
fn day_by_day(db: &dyn Db, course: &Course, first: usize, head_cache: usize) {
    day_by_day_late(db, course, first, head_cache, 0);
}

/// The dates after the first `first` in the order they are entered: every
/// `late`-th one (0: none) is entered three dates later than its turn (a
/// back-dated entry: a result that arrives after later days were entered).
fn entry_order(dates: &[Date], first: usize, late: usize) -> Vec<Date> {
    let mut order: Vec<Date> = dates[first..].to_vec();
    if late > 0 {
        let mut i = late - 1;
        while i + 3 < order.len() {
            let d = order.remove(i);
            order.insert(i + 3, d);
            i += late;
        }
    }
    order
}

/// [`day_by_day`] with every `late`-th day entered three days late; how
/// the appends were derived.
fn day_by_day_late(
    db: &dyn Db,
    course: &Course,
    first: usize,
    head_cache: usize,
    late: usize,
) -> graftwatch_store::Derivations {
    let loc = db.fresh();
    let (mut s, _) = Store::init(&loc).unwrap();
    s.set_head_cache(head_cache);
    let id = course.patient.id.0.clone();
    let dates: BTreeSet<Date> = course
        .events
        .iter()
        .map(|e| e.date)
        .chain(course.observations.iter().map(|o| o.date))
        .collect();
    let dates: Vec<Date> = dates.into_iter().collect();
    let mut start = course.clone();
    start.events.retain(|e| e.date < dates[first]);
    start.observations.retain(|o| o.date < dates[first]);
    let mut head = s.create_patient(&clinician(), &start, None).unwrap().rev;
    let what = |d: &str| format!("{} {id} cache {head_cache} {d}", db.name());
    assert_current(&s, &loc, &id, head, &what("created"));
    for d in &entry_order(&dates, first, late) {
        head = s
            .append(&clinician(), &id, head, &day(course, *d))
            .unwrap()
            .rev;
        assert_current(&s, &loc, &id, head, &what(&d.to_string()));
    }
    let (last, _) = s.course_at(&clinician(), &id, None).unwrap();
    assert_eq!(&last, course, "the appended days rebuild the course");
    assert!(s.stale_patients().unwrap().is_empty());
    s.derivations()
}

/// A transplant course of `days` days of six daily labs in the shape of
/// bench/store/gen_courses.py (engrafting on day +16, or never), the
/// values varied deterministically.
fn generated(id: &str, days: i32, engrafts: bool) -> Course {
    let day0 = Date::from_ymd(2024, 3, 1).unwrap();
    let mut obs = Vec::new();
    for d in 0..days {
        let date = day0.add_days(d).to_string();
        let up = engrafts && d >= 16;
        let v = f64::from((d * 37 + 11) % 100) / 100.0;
        let labs = [
            ("anc", if up { 1.5 + 3.0 * v } else { 0.4 * v }, "10^9/L"),
            (
                "platelets",
                if up { 60.0 + 190.0 * v } else { 5.0 + 14.0 * v },
                "10^9/L",
            ),
            (
                "wbc",
                if up { 2.5 + 5.0 * v } else { 0.1 + 0.8 * v },
                "10^9/L",
            ),
            ("hemoglobin", 8.5 + 5.0 * v, "g/dL"),
            ("bilirubin", 0.3 + 0.8 * v, "mg/dL"),
            ("creatinine", 0.6 + 0.5 * v, "mg/dL"),
        ];
        for (k, x, u) in labs {
            let x = (x * 100.0).round() / 100.0;
            obs.push(serde_json::json!({"date": date, "kind": k, "value": x, "unit": u}));
        }
    }
    let doc = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": id, "sex": "female", "birth_year": 1961,
                    "diagnosis": {"disease": "aml", "date": "2023-11-01"}},
        "donors": [{"id": "D1", "relationship": "matched_unrelated", "sex": "male"}],
        "events": [{"date": day0.to_string(), "kind": "graft_infusion", "transplant": 1,
                    "source": "pbsc", "donor": "D1", "cd34_per_kg": 5.0e6}],
        "observations": obs,
    });
    read_json_str(&doc.to_string(), Path::new("generated.json"))
        .unwrap()
        .course
}

/// A generated course with more going on than the bench shape: a CAR-T
/// infusion with fever, hypotension, oxygen and ICANS findings (CRS and
/// ICANS), a transplant 40 days later that engrafts late (day +30), two
/// acute GVHD flares (rash, diarrhoea, bilirubin), a whole-blood chimerism
/// with a rising recipient share, and a second transplant from another
/// donor on day +110 of the first.
fn eventful(id: &str) -> Course {
    let cart = Date::from_ymd(2024, 1, 10).unwrap();
    let hct = cart.add_days(40);
    let hct2 = hct.add_days(110);
    let mut obs = Vec::new();
    let mut push = |d: Date, v: serde_json::Value| {
        let mut v = v;
        v["date"] = serde_json::json!(d.to_string());
        obs.push(v);
    };
    for k in 0..190 {
        let d = cart.add_days(k);
        let day = d.days_since(hct).get(); // day after the first transplant
        let up = !(-15..30).contains(&day);
        let v = f64::from((k * 37 + 11) % 100) / 100.0;
        let anc = if up { 1.2 + 2.0 * v } else { 0.05 + 0.3 * v };
        push(
            d,
            serde_json::json!({"kind": "anc", "value": (anc * 100.0).round() / 100.0, "unit": "10^9/L"}),
        );
        let plt = if up { 40.0 + 80.0 * v } else { 8.0 + 10.0 * v };
        push(
            d,
            serde_json::json!({"kind": "platelets", "value": plt.round(), "unit": "10^9/L"}),
        );
        push(
            d,
            serde_json::json!({"kind": "hemoglobin", "value": 8.0 + (4.0 * v * 10.0).round() / 10.0, "unit": "g/dL"}),
        );
        let flare = (45..=58).contains(&day) || (95..=101).contains(&day);
        let bili = if flare { 2.5 + 3.0 * v } else { 0.6 + 0.4 * v };
        push(
            d,
            serde_json::json!({"kind": "bilirubin", "value": (bili * 10.0).round() / 10.0, "unit": "mg/dL"}),
        );
        if flare {
            push(
                d,
                serde_json::json!({"kind": "skin_rash_bsa", "value": (30.0 + 40.0 * v).round(), "unit": "%"}),
            );
            push(
                d,
                serde_json::json!({"kind": "stool_volume", "value": (600.0 + 1200.0 * v).round(), "unit": "mL"}),
            );
        }
        if (1..=6).contains(&k) {
            push(
                d,
                serde_json::json!({"kind": "temperature", "value": 38.4 + v, "unit": "Cel"}),
            );
            push(
                d,
                serde_json::json!({"kind": "systolic_bp", "value": 84 + (k * 3), "unit": "mm[Hg]"}),
            );
            push(
                d,
                serde_json::json!({"kind": "ice_score", "value": 6 + (k % 4)}),
            );
            push(
                d,
                serde_json::json!({"kind": "consciousness", "value": if k == 3 { "voice" } else { "awake" }}),
            );
            push(d, serde_json::json!({"kind": "seizure", "value": "none"}));
            push(
                d,
                serde_json::json!({"kind": "motor_weakness", "value": false}),
            );
        }
        if day >= 28 && day % 7 == 0 && d < hct2 {
            let r = f64::from((day - 28) / 7 * 3 + 1);
            for (person, share) in [("recipient", r), ("D1", 100.0 - r)] {
                push(
                    d,
                    serde_json::json!({"kind": "chimerism", "value": share, "unit": "%",
                    "lineage": "whole_blood", "person": person, "method": "str", "sample": format!("S{day}")}),
                );
            }
        }
    }
    let doc = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": id, "sex": "male", "birth_year": 1975,
                    "diagnosis": {"disease": "aml", "date": "2023-05-01"}},
        "donors": [{"id": "D1", "relationship": "matched_unrelated", "sex": "male"},
                   {"id": "D2", "relationship": "haploidentical", "sex": "female"}],
        "events": [
            {"date": cart.to_string(), "kind": "car_t_infusion", "target": "CD33", "product": "CAR-CD33", "dose_per_kg": 1.0e6},
            {"date": cart.add_days(2).to_string(), "end_date": cart.add_days(4).to_string(), "kind": "oxygen_support", "device": "nasal_cannula", "flow_l_min": 3.0},
            {"date": hct.to_string(), "kind": "graft_infusion", "transplant": 1, "source": "pbsc", "donor": "D1", "cd34_per_kg": 4.0e6},
            {"date": hct2.to_string(), "kind": "graft_infusion", "transplant": 2, "source": "pbsc", "donor": "D2", "cd34_per_kg": 5.0e6}
        ],
        "observations": obs,
    });
    read_json_str(&doc.to_string(), Path::new("eventful.json"))
        .unwrap()
        .course
}

/// The seed case with its blood counts and bilirubin scaled by a factor
/// that changes from one observation to the next (0.6–1.4): other
/// engraftment, GVHD staging and alerts than the seed itself.
fn varied_seed(id: &str) -> Course {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    doc["patient"]["id"] = id.into();
    let scaled = ["anc", "platelets", "wbc", "alc", "bilirubin"];
    for (i, o) in doc["observations"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        let kind = o["kind"].as_str().unwrap_or("").to_string();
        if let (true, Some(x)) = (scaled.contains(&kind.as_str()), o["value"].as_f64()) {
            let f = 0.6 + ((i * 37) % 81) as f64 / 100.0;
            o["value"] = ((x * f * 100.0).round() / 100.0).into();
        }
    }
    read_json_str(&doc.to_string(), Path::new("varied-seed.json"))
        .unwrap()
        .course
}

fn seed_case() -> Course {
    seed_as("SEED", usize::MAX).0
}

/// A course in memory that no longer matches the database (history
/// rewritten under the handle, as a restore from a backup would) is not
/// used: the new revision's chain hash is not the one expected from it,
/// so the state is recomputed from the database.
fn rewritten_history_is_not_used(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    let course = generated("REWRITTEN", 30, true);
    let mut start = course.clone();
    start.observations.truncate(20 * 6);
    s.create_patient(&clinician(), &start, None).unwrap();
    let mut other = start.clone();
    other.observations.truncate(10 * 6);
    let payload = serde_json::to_string(&other).unwrap();
    let hash = graftwatch_store::hashing::sha256_hex(&[b"", b"create", payload.as_bytes()]);
    db.raw(
        &loc,
        &format!(
            "UPDATE revisions SET payload = '{}', chain_hash = '{hash}' WHERE patient_id = 'REWRITTEN' AND rev = 1",
            payload.replace('\'', "''")
        ),
    );
    let d = course.observations[20 * 6].date;
    let head = s
        .append(&clinician(), "REWRITTEN", 1, &day(&course, d))
        .unwrap()
        .rev;
    assert_current(&s, &loc, "REWRITTEN", head, "rewritten history");
    let (now, _) = s.course_at(&clinician(), "REWRITTEN", None).unwrap();
    assert_eq!(
        now.observations.len(),
        11 * 6,
        "the rewritten course plus the day"
    );
}

/// Concurrent writers with derived state on (three threads sharing one
/// handle, as the server does, and one with its own handle): no deadlock,
/// and the row is current and exact at the end.
fn concurrent_writers_keep_it_current(db: &dyn Db) {
    let loc = db.fresh();
    let course = generated("BUSY", 40, true);
    let mut start = course.clone();
    start.observations.truncate(30 * 6);
    let rest: Vec<_> = course.observations[30 * 6..].to_vec();
    let shared = std::sync::Arc::new(Store::init(&loc).unwrap().0);
    shared.create_patient(&clinician(), &start, None).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|w| {
            let own = (w == 3).then(|| Store::open(&loc).unwrap());
            let shared = std::sync::Arc::clone(&shared);
            let mine: Vec<_> = rest.iter().skip(w).step_by(4).cloned().collect();
            std::thread::spawn(move || {
                let s = own.as_ref().unwrap_or(&shared);
                for o in mine {
                    let delta = Delta {
                        events: vec![],
                        observations: vec![o],
                    };
                    loop {
                        let base = s.head("BUSY").unwrap();
                        match s.append(&clinician(), "BUSY", base, &delta) {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => continue,
                            Err(e) => panic!("writer {w}: {e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let head = shared.head("BUSY").unwrap();
    assert_eq!(head, 1 + rest.len() as i64);
    assert_current(&shared, &loc, "BUSY", head, "concurrent writers");
}

/// The patient's checkpoint revision (0: none).
fn checkpoint_rev(loc: &graftwatch_store::Location, id: &str) -> i64 {
    raw_i64(
        loc,
        &format!("SELECT COALESCE(MAX(rev), 0) FROM course_checkpoints WHERE patient_id = '{id}'"),
    )
}

/// Without the course in memory, a write replays the revisions after the
/// patient's checkpoint, and stores a new checkpoint once
/// `CHECKPOINT_EVERY` appends were replayed; the state stays exact across
/// checkpoints, an amendment after one (the checkpoint is then not used),
/// a checkpoint that does not match its revision, back-dated entries and
/// a purge (which removes the checkpoint).
fn checkpoints_stay_exact(db: &dyn Db) {
    use graftwatch_store::state::CHECKPOINT_EVERY;
    let loc = db.fresh();
    let (mut s, _) = Store::init(&loc).unwrap();
    s.set_head_cache(0);
    // Routine days would derive from the carry and not replay (and so
    // not checkpoint): the checkpoints are what is tested here.
    s.set_derive_from_carry(false);
    let course = generated("CP", 100, true);
    let dates: Vec<Date> = {
        let set: BTreeSet<Date> = course.observations.iter().map(|o| o.date).collect();
        set.into_iter().collect()
    };
    let mut start = course.clone();
    start.observations.retain(|o| o.date < dates[2]);
    let mut head = s.create_patient(&clinician(), &start, None).unwrap().rev;
    let order = entry_order(&dates, 2, 9);
    let mut cps = BTreeSet::new();
    for (i, d) in order.iter().enumerate() {
        if i == 50 {
            // A checkpoint that no longer matches its revision is not used.
            db.raw(
                &loc,
                "UPDATE course_checkpoints SET chain_hash = 'x' WHERE patient_id = 'CP'",
            );
        }
        if i == 60 {
            // An amendment after the checkpoint: the next writes replay
            // from the amendment until a new checkpoint is due.
            let (mut c, _) = s.course_at(&clinician(), "CP", None).unwrap();
            c.observations.retain(|o| o.date != dates[5]);
            head = s
                .write(
                    &clinician(),
                    "CP",
                    head,
                    &graftwatch_store::Change::Replace(Box::new(c)),
                    Some("wrong day"),
                )
                .unwrap()
                .rev;
            assert_current(&s, &loc, "CP", head, "amended");
        }
        head = s
            .append(&clinician(), "CP", head, &day(&course, *d))
            .unwrap()
            .rev;
        assert_current(
            &s,
            &loc,
            "CP",
            head,
            &format!("{} checkpoints, {d}", db.name()),
        );
        cps.insert(checkpoint_rev(&loc, "CP"));
    }
    let first = 1 + CHECKPOINT_EVERY as i64 + 1;
    assert!(
        cps.contains(&first),
        "a checkpoint after {CHECKPOINT_EVERY} appends: {cps:?}"
    );
    assert!(
        cps.len() >= 3,
        "checkpoints written again after the bad one and the amendment: {cps:?}"
    );
    assert_eq!(
        raw_i64(
            &loc,
            &format!(
                "SELECT COUNT(*) FROM course_checkpoints WHERE patient_id = 'CP' AND payload LIKE '{}%'",
                graftwatch_store::checkpoint::MAGIC
            ),
        ),
        1,
        "checkpoints are written in the compact encoding"
    );
    // The checkpoint is what a cold write builds on (derived data): a
    // checkpoint altered with its chain hash intact shows in the next row,
    // in the compact encoding and as the course JSON of earlier versions.
    let cp = checkpoint_rev(&loc, "CP");
    let (mut altered, _) = s.course_at(&clinician(), "CP", Some(cp)).unwrap();
    altered.observations.remove(0);
    let compact = graftwatch_store::checkpoint::encode(&altered);
    let json = serde_json::to_string(&altered).unwrap();
    for (k, text) in [compact, json].iter().enumerate() {
        let text = text.replace('\'', "''");
        db.raw(
            &loc,
            &format!("UPDATE course_checkpoints SET payload = '{text}' WHERE patient_id = 'CP'"),
        );
        let mut extra = day(&course, *dates.last().unwrap());
        extra.observations.truncate(1);
        extra.observations[0].date = dates.last().unwrap().add_days(1 + k as i32);
        head = s.append(&clinician(), "CP", head, &extra).unwrap().rev;
        let (row_rev, text) = raw_state(&loc, "CP").unwrap();
        let stored: DerivedSummary = serde_json::from_str(&text).unwrap();
        let (full, _) = s.course_at(&clinician(), "CP", None).unwrap();
        assert_eq!(row_rev, head);
        assert_eq!(
            stored.observations + 1,
            full.observations.len(),
            "the write used the checkpoint ({}) and the appends after it",
            ["compact", "JSON"][k]
        );
    }
    // A checkpoint that does not decode is ignored: the write replays from
    // the amendment (more than CHECKPOINT_EVERY appends ago), stays exact
    // and stores a new checkpoint in its place.
    db.raw(
        &loc,
        &format!(
            "UPDATE course_checkpoints SET payload = '{}\n3\nnot a checkpoint' WHERE patient_id = 'CP'",
            graftwatch_store::checkpoint::MAGIC
        ),
    );
    let mut extra = day(&course, *dates.last().unwrap());
    extra.observations.truncate(1);
    extra.observations[0].date = dates.last().unwrap().add_days(3);
    head = s.append(&clinician(), "CP", head, &extra).unwrap().rev;
    assert_current(&s, &loc, "CP", head, "after a damaged checkpoint");
    assert_eq!(
        checkpoint_rev(&loc, "CP"),
        head,
        "the damaged checkpoint was replaced"
    );
    s.purge(&admin(), "CP", "erasure request").unwrap();
    assert_eq!(
        checkpoint_rev(&loc, "CP"),
        0,
        "a purge removes the checkpoint"
    );
}

/// A long course created or amended as a whole is stored with a
/// checkpoint of that revision, which the cold appends after it build on.
fn full_revisions_store_a_checkpoint(db: &dyn Db) {
    use graftwatch_store::state::CHECKPOINT_MIN_ITEMS;
    let loc = db.fresh();
    let (mut s, _) = Store::init(&loc).unwrap();
    s.set_head_cache(0);
    let days = (CHECKPOINT_MIN_ITEMS / 6 + 10) as i32;
    let course = generated("LONG", days + 5, true);
    let last = course.observations.last().unwrap().date;
    let mut start = course.clone();
    start.observations.retain(|o| o.date <= last.add_days(-4));
    let mut head = s.create_patient(&clinician(), &start, None).unwrap().rev;
    assert_eq!(checkpoint_rev(&loc, "LONG"), 1, "a long new course");
    for k in (1..=4).rev() {
        if k == 2 {
            let (mut c, _) = s.course_at(&clinician(), "LONG", None).unwrap();
            c.observations.remove(3);
            let change = graftwatch_store::Change::Replace(Box::new(c));
            head = s
                .write(&clinician(), "LONG", head, &change, Some("wrong value"))
                .unwrap()
                .rev;
            assert_eq!(checkpoint_rev(&loc, "LONG"), head, "a long amendment");
            assert_current(&s, &loc, "LONG", head, "amended");
        }
        head = s
            .append(
                &clinician(),
                "LONG",
                head,
                &day(&course, last.add_days(-k + 1)),
            )
            .unwrap()
            .rev;
        assert_current(&s, &loc, "LONG", head, &format!("{} long, {k}", db.name()));
    }
    // A small course gets none until CHECKPOINT_EVERY appends.
    let small = generated("SHORT", 20, true);
    s.create_patient(&clinician(), &small, None).unwrap();
    assert_eq!(checkpoint_rev(&loc, "SHORT"), 0);
}

/// A day of routine labs (`generated`'s six) dated `d`, with the ANC set to `anc`.
fn routine(d: Date, anc: f64) -> Delta {
    use graftwatch_core::Analyte::*;
    let labs = [
        (Anc, anc),
        (Platelets, 180.0),
        (Wbc, 4.2),
        (Hemoglobin, 12.1),
        (Bilirubin, 0.6),
        (Creatinine, 0.8),
    ];
    Delta {
        events: Vec::new(),
        observations: labs
            .iter()
            .map(|&(a, v)| graftwatch_course::Observation::lab(d, a, v))
            .collect(),
    }
}

/// Appends `delta` on `head`, checks the row against a full recomputation
/// and whether the state came from the carry; returns the new head.
fn append_checked(
    s: &Store,
    loc: &graftwatch_store::Location,
    id: &str,
    head: i64,
    delta: &Delta,
    carry: bool,
    what: &str,
) -> i64 {
    let before = s.derivations();
    let rev = s.append(&clinician(), id, head, delta).unwrap().rev;
    assert_current(s, loc, id, rev, what);
    let after = s.derivations();
    assert_eq!(
        after.from_carry - before.from_carry,
        u64::from(carry),
        "{what}: derived from the carry? {after:?}"
    );
    rev
}

/// The patient's stored carry, in bytes (0: none).
fn carry_len(loc: &graftwatch_store::Location, id: &str) -> i64 {
    raw_i64(
        loc,
        &format!(
            "SELECT CAST(COALESCE(MAX(LENGTH(course)), 0) AS BIGINT) FROM derive_carry WHERE patient_id = '{id}'"
        ),
    )
}

/// A long follow-up entered a day at a time takes its state from the carry
/// (docs/store.md, "Appending a day: the carry"), with the row exact after
/// every append and the carry bounded; an abnormal value, a second
/// transplant, a late and a same-day entry too; a day 15 days back, a
/// carry from another engine version and an amendment derive over the
/// whole course; a carry altered in the database shows in the next row
/// (so this fails if appends stop using it); a purge removes it.
fn appends_use_the_carry(db: &dyn Db, cache: usize) {
    let loc = db.fresh();
    let (mut s, _) = Store::init(&loc).unwrap();
    s.set_head_cache(cache);
    let id = format!("QUIET-{cache}");
    let course = generated(&id, 500, true);
    let dates: Vec<Date> = {
        let set: BTreeSet<Date> = course.observations.iter().map(|o| o.date).collect();
        set.into_iter().collect()
    };
    let mut start = course.clone();
    start.observations.retain(|o| o.date < dates[150]);
    let mut head = s.create_patient(&clinician(), &start, None).unwrap().rev;
    let mut at_300 = 0;
    for (i, d) in dates.iter().enumerate().skip(150) {
        let what = format!("{} {id} {d}", db.name());
        head = s
            .append(&clinician(), &id, head, &day(&course, *d))
            .unwrap()
            .rev;
        assert_current(&s, &loc, &id, head, &what);
        if i == 300 {
            at_300 = carry_len(&loc, &id);
        }
    }
    let n = s.derivations();
    assert!(n.from_carry >= 340, "{n:?}");
    // The carry does not grow with quiet days: from day 300 to day 500 the
    // history grows by two thirds, the carry by less than a quarter (it
    // drops old days a month at a time), and it is under half the whole
    // course.
    let full = graftwatch_store::checkpoint::encode(&course).len() as i64;
    let len = carry_len(&loc, &id);
    assert!(
        at_300 > 0 && len * 4 < at_300 * 5,
        "carry {at_300} → {len} bytes"
    );
    assert!(len * 2 < full, "carry {len} bytes, the whole course {full}");
    let last = *dates.last().unwrap();
    let at = |k: i32| last.add_days(k);
    let w = |t: &str| format!("{} {id}: {t}", db.name());
    let mut infusion = course.events[0].clone();
    infusion.date = at(2);
    let event = Delta {
        events: vec![infusion],
        observations: routine(at(2), 2.6).observations,
    };
    for (delta, carry, what) in [
        (routine(at(1), 0.3), true, "an abnormal ANC"),
        (event, true, "an event (a second transplant)"),
        (routine(at(4), 2.5), true, "a routine day"),
        (routine(at(3), 2.5), true, "a day entered late"),
        (routine(at(4), 2.6), true, "a same-day entry"),
        (
            routine(at(4 - 15), 2.6),
            false,
            "a day 15 days before the last",
        ),
        (routine(at(5), 2.6), true, "the next day"),
    ] {
        head = append_checked(&s, &loc, &id, head, &delta, carry, &w(what));
    }
    // An amendment derives over the whole course and makes a new carry.
    let (mut amended, _) = s.course_at(&clinician(), &id, None).unwrap();
    amended.observations.remove(0);
    let before = s.derivations();
    head = s
        .write(
            &clinician(),
            &id,
            head,
            &Change::Replace(Box::new(amended)),
            Some("wrong value"),
        )
        .unwrap()
        .rev;
    assert_current(&s, &loc, &id, head, &w("an amendment"));
    assert_eq!(s.derivations(), before, "an amendment is not an append");
    head = append_checked(
        &s,
        &loc,
        &id,
        head,
        &routine(at(6), 2.6),
        true,
        &w("after the amendment"),
    );
    if cache == 0 {
        db.raw(
            &loc,
            &format!("UPDATE derive_carry SET engine_version = 'old' WHERE patient_id = '{id}'"),
        );
        head = append_checked(
            &s,
            &loc,
            &id,
            head,
            &routine(at(7), 2.6),
            false,
            &w("another engine version"),
        );
        head = append_checked(
            &s,
            &loc,
            &id,
            head,
            &routine(at(8), 2.6),
            true,
            &w("the next day"),
        );
        // A carry that does not decode is ignored (derived data), then replaced.
        db.raw(
            &loc,
            &format!("UPDATE derive_carry SET course = 'not a carry' WHERE patient_id = '{id}'"),
        );
        head = append_checked(
            &s,
            &loc,
            &id,
            head,
            &routine(at(8), 2.7),
            false,
            &w("a carry that does not decode"),
        );
        head = append_checked(
            &s,
            &loc,
            &id,
            head,
            &routine(at(8), 2.8),
            true,
            &w("the same day again"),
        );
        // The carry's count of observations altered with its chain hash intact.
        let (_, text) = raw_state(&loc, &id).unwrap();
        let stored: DerivedSummary = serde_json::from_str(&text).unwrap();
        let count = format!("\"observations\":{}", stored.observations);
        let bumped = format!("\"observations\":{}", stored.observations + 1000);
        db.raw(
            &loc,
            &format!("UPDATE derive_carry SET summary = REPLACE(summary, '{count}', '{bumped}') WHERE patient_id = '{id}'"),
        );
        head = s
            .append(&clinician(), &id, head, &routine(at(9), 2.6))
            .unwrap()
            .rev;
        let (_, text) = raw_state(&loc, &id).unwrap();
        let shown: DerivedSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(
            shown.observations,
            stored.observations + 1006,
            "the day read the carry"
        );
        // A day far back derives over the whole course and makes a correct carry again.
        head = append_checked(
            &s,
            &loc,
            &id,
            head,
            &routine(at(-30), 2.6),
            false,
            &w("a day 39 days back"),
        );
        head = append_checked(
            &s,
            &loc,
            &id,
            head,
            &routine(at(10), 2.6),
            true,
            &w("the next day"),
        );
    }
    // An addition imported as a file (`graftwatch import` of the grown
    // course) refreshes from the carry too.
    let (mut grown, _) = s.course_at(&clinician(), &id, None).unwrap();
    grown.observations.extend(routine(at(11), 2.7).observations);
    grown.sort();
    let before = s.derivations();
    let out = s
        .import_course(
            &clinician(),
            &grown,
            &format!("grown-{cache}"),
            "grown.json",
        )
        .unwrap();
    let graftwatch_store::ImportOutcome::Appended(_, rev) = out else {
        panic!("{out:?}")
    };
    assert_current(&s, &loc, &id, rev, &w("an imported addition"));
    assert_eq!(
        s.derivations().from_carry,
        before.from_carry + 1,
        "imported addition"
    );
    assert!(rev > head && carry_len(&loc, &id) > 0);
    s.purge(&admin(), &id, "erasure request").unwrap();
    assert_eq!(carry_len(&loc, &id), 0, "the purge removes the carry");
}

/// Randomised courses (`random.rs`): seeds `0..RANDOM_COURSES` on SQLite,
/// the first half of them on PostgreSQL (where each append costs more).
const RANDOM_COURSES: u64 = 12;

/// Randomised courses entered one day at a time, half cold and half with
/// the in-memory head, some with every fifth or seventh day late; then
/// the seed case three times over.
fn random_courses(db: &dyn Db, seeds: u64) {
    let (mut carry, mut whole) = (0, 0);
    for seed in 0..seeds {
        let c = random::random_course(&format!("RANDOM-{seed}"), seed);
        let cache = if seed.is_multiple_of(2) { 0 } else { 32 };
        let late = [0, 0, 5, 7][(seed % 4) as usize];
        let n = day_by_day_late(db, &c, 3, cache, late);
        carry += n.from_carry;
        whole += n.whole_course;
    }
    eprintln!(
        "{}: random courses, appends derived from the carry {carry}, over the whole course {whole}",
        db.name()
    );
    // Long courses: events after long quiet stretches, where the appends
    // derive from the carry.
    let (mut carry, mut whole) = (0, 0);
    for seed in 0..seeds / 2 {
        let c = random::random_long_course(&format!("LONG-{seed}"), 100 + seed);
        let cache = if seed.is_multiple_of(2) { 0 } else { 32 };
        let n = day_by_day_late(db, &c, 3, cache, [0, 9][(seed % 2) as usize]);
        carry += n.from_carry;
        whole += n.whole_course;
    }
    eprintln!(
        "{}: long random courses, appends derived from the carry {carry}, over the whole course {whole}",
        db.name()
    );
    assert!(carry > whole, "the long courses exercise the carry");
    // The seed case three times over on the same dates (same-day duplicates).
    day_by_day(db, &random::seed_copies("COPIES", 3), 150, 0);
}

/// Every course on one backend, with and without the in-memory head.
fn all_courses(db: &dyn Db, random_seeds: u64) {
    random_courses(db, random_seeds);
    full_revisions_store_a_checkpoint(db);
    concurrent_writers_keep_it_current(db);
    rewritten_history_is_not_used(db);
    checkpoints_stay_exact(db);
    day_by_day_late(db, &eventful("EVENTFUL"), 2, 0, 5);
    day_by_day(db, &seed_case(), 1, 32);
    day_by_day(db, &varied_seed("VARIED"), 120, 0);
    day_by_day_late(db, &seed_case(), 150, 0, 4);
    day_by_day_late(db, &varied_seed("VARIED-LATE"), 170, 32, 3);
    for cache in [32, 0] {
        day_by_day(db, &generated("ENGRAFTS", 45, true), 3, cache);
        day_by_day(db, &generated("NEVER", 45, false), 3, cache);
    }
}

#[test]
fn appends_use_the_carry_sqlite() {
    appends_use_the_carry(&SqliteDb::new(), 0);
    appends_use_the_carry(&SqliteDb::new(), 32);
}

#[test]
fn incremental_equals_full_sqlite() {
    all_courses(&SqliteDb::new(), RANDOM_COURSES);
}

#[test]
fn incremental_equals_full_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    all_courses(&pg, RANDOM_COURSES / 2);
}

/// The generated eventful course grades as its comment says (so the
/// exactness test above covers those rules).
#[test]
fn eventful_course_has_its_findings() {
    let s = compute(&eventful("E"), &DeriveConfig::default());
    let grade = |item: &str| {
        s.grades
            .iter()
            .find(|g| g.item == item)
            .map(|g| g.result.clone())
            .unwrap_or_default()
    };
    assert!(grade("crs_max_grade").starts_with("grade 2"), "{s:?}");
    assert!(grade("icans_max_grade").starts_with("grade"), "{s:?}");
    assert!(grade("agvhd_max_grade").contains("III"), "{s:?}");
    assert!(
        grade("neutrophil_engraftment").starts_with("day +30"),
        "{s:?}"
    );
    assert!(!grade("platelet_engraftment_50_hct2").is_empty(), "{s:?}");
    assert!(
        s.alerts.iter().any(|a| a.kind == "chimerism trend"),
        "{s:?}"
    );
}

/// The randomised courses cover the rules the exactness test is about:
/// primary and secondary graft failure, acute GVHD with steroid response,
/// chronic GVHD, CRS, ICANS, relapse, and every kind of alert but one
/// (with an undetermined DLI status).
#[test]
fn random_courses_have_the_findings() {
    let mut seen = BTreeSet::new();
    for seed in 0..RANDOM_COURSES {
        let s = compute(
            &random::random_course(&format!("R{seed}"), seed),
            &DeriveConfig::default(),
        );
        for g in &s.grades {
            let found = match g.item.as_str() {
                "primary_graft_failure" => g.result.starts_with("primary graft failure"),
                "secondary_graft_failure" => g.result.starts_with("secondary graft failure"),
                "response_timeline" => g.result.contains("relapse"),
                "agvhd_treatment_response"
                | "cgvhd_max_severity"
                | "crs_max_grade"
                | "icans_max_grade"
                | "icaht_early" => true,
                _ => false,
            };
            if found {
                seen.insert(g.item.clone());
            }
        }
        seen.extend(s.alerts.iter().map(|a| a.kind.clone()));
        if s.dli.as_ref().is_some_and(|d| d.undetermined()) {
            seen.insert("DLI undetermined".into());
        }
    }
    for want in [
        "primary_graft_failure",
        "secondary_graft_failure",
        "response_timeline",
        "agvhd_treatment_response",
        "cgvhd_max_severity",
        "crs_max_grade",
        "icans_max_grade",
        "icaht_early",
        "neutrophil engraftment not recorded",
        "chimerism trend",
        "MRD conversion",
        "aGVHD grade increase",
        "DLI with active GVHD",
        "DLI undetermined",
    ] {
        assert!(seen.contains(want), "no random course has {want}: {seen:?}");
    }
}

/// The dense daily labs (the bulk of a long course).
fn dense_lab(k: graftwatch_course::ObservationKind) -> bool {
    use graftwatch_core::Analyte::*;
    matches!(
        k,
        graftwatch_course::ObservationKind::Lab(
            Anc | Platelets | Wbc | Hemoglobin | Bilirubin | Creatinine | Alc | Alt | Ast | Crp
        )
    )
}

/// Each part of a summary as text, by name (grades by item, alerts by kind).
fn parts(s: &DerivedSummary) -> std::collections::BTreeMap<String, String> {
    let mut m = std::collections::BTreeMap::new();
    m.insert("latest".to_string(), format!("{:?}", s.latest));
    m.insert("dli".to_string(), format!("{:?}", s.dli));
    for g in &s.grades {
        m.insert(format!("grade {}", g.item), g.result.clone());
    }
    for a in &s.alerts {
        let e = m.entry(format!("alert {}", a.kind)).or_default();
        e.push_str(&format!("{} {}|", a.date, a.reason));
    }
    if let Some(w) = &s.ward {
        m.insert("ward agvhd".into(), format!("{:?}", w.agvhd));
        m.insert(
            "ward crs, icans".into(),
            format!("{:?} {:?}", w.crs, w.icans),
        );
        m.insert("ward chimerism".into(), format!("{:?}", w.chimerism));
        m.insert(
            "ward graft failure".into(),
            format!("{:?}", w.graft_failure),
        );
    }
    m
}

/// Which parts of the derived state depend on old daily labs (the table
/// of docs/store.md, "Incremental derivation: not built; what it
/// needs"): for randomised courses (seeds 0–39) and the seed case, the
/// dense labs older than `window` days before the last day are dropped,
/// and each part that then differs is counted. A measurement, not a
/// check: `cargo test -p graftwatch-store --test derive_incremental --
/// --ignored --nocapture dependency_map`.
#[test]
#[ignore]
fn dependency_map() {
    let cfg = DeriveConfig::default();
    let mut courses: Vec<Course> = (0..40).map(|s| random::random_course("R", s)).collect();
    courses.push(seed_case());
    for window in [7, 30, 60, 120] {
        let mut differ: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for c in &courses {
            let cut = c.span().unwrap().1.add_days(-window);
            let mut r = c.clone();
            r.observations
                .retain(|o| !dense_lab(o.kind) || o.date >= cut);
            let (a, b) = (parts(&compute(c, &cfg)), parts(&compute(&r, &cfg)));
            let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in names {
                let e = differ.entry(k.clone()).or_default();
                e.0 += usize::from(a.get(k) != b.get(k));
                e.1 += 1;
            }
        }
        eprintln!("dense labs kept for the last {window} days: part, courses differing / with it");
        for (k, (d, n)) in differ {
            eprintln!("  {k}: {d} / {n}");
        }
    }
}

//! The course-format additions the engine uses, on both sides of each
//! boundary: daily upper-GI symptoms (the engine applies the ≥ 3-day
//! persistence rule itself, A-9), cGVHD eye treatment, ICANS detail
//! (seizure duration and return to baseline, raised-ICP signs, motor
//! findings by type), and the typed summary keys.

use std::path::Path;

use graftwatch_course::io::read_json_str;
use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};
use serde_json::{Value, json};

fn course(obs: Vec<Value>) -> graftwatch_course::Course {
    let c = json!({
        "format": "graftwatch-course/1",
        "patient": {"id": "U1", "sex": "male", "birth_year": 1980,
                    "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
        "donors": [{"id": "D1", "relationship": "matched_sibling"}],
        "events": [{"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "D1"}],
        "observations": obs
    });
    read_json_str(&c.to_string(), Path::new("u.json"))
        .unwrap_or_else(|e| panic!("{e}"))
        .course
}

/// Dates on which the engine staged upper GI 1.
fn upper_gi_days(c: &graftwatch_course::Course) -> Vec<String> {
    let g = grade_course_only(c, &GradingConfig::default(), &[Criterion::Agvhd]);
    g.timeline
        .iter()
        .filter(|d| {
            d.entries
                .iter()
                .any(|e| e.criterion == Criterion::Agvhd && e.reason.contains("upper GI stage 1"))
        })
        .map(|d| d.date.to_string())
        .collect()
}

fn daily(kind: &str, days: &[(&str, Value)]) -> Vec<Value> {
    days.iter()
        .map(|(d, v)| json!({"date": d, "kind": kind, "value": v, "attribution": "gvhd"}))
        .collect()
}

#[test]
fn nausea_on_three_consecutive_days_is_stage_1_on_the_third() {
    let c = course(daily(
        "nausea",
        &[
            ("2024-04-01", json!(true)),
            ("2024-04-02", json!(true)),
            ("2024-04-03", json!(true)),
            ("2024-04-04", json!(false)),
        ],
    ));
    assert_eq!(upper_gi_days(&c), vec!["2024-04-03"]);
}

#[test]
fn two_days_are_not_persistent() {
    let c = course(daily(
        "anorexia_with_weight_loss",
        &[
            ("2024-04-01", json!(true)),
            ("2024-04-02", json!(true)),
            ("2024-04-03", json!(false)),
        ],
    ));
    assert!(upper_gi_days(&c).is_empty());
}

#[test]
fn vomiting_needs_two_episodes_a_day() {
    let three = |n: u32| {
        daily(
            "vomiting_episodes",
            &[
                ("2024-04-01", json!(n)),
                ("2024-04-02", json!(n)),
                ("2024-04-03", json!(n)),
            ],
        )
    };
    assert_eq!(upper_gi_days(&course(three(2))), vec!["2024-04-03"]);
    assert!(upper_gi_days(&course(three(1))).is_empty());
}

#[test]
fn the_persistence_window_is_configurable() {
    let c = course(daily(
        "nausea",
        &[("2024-04-01", json!(true)), ("2024-04-02", json!(true))],
    ));
    let mut cfg = GradingConfig::default();
    cfg.agvhd.upper_gi_persistent_days = 2;
    let g = grade_course_only(&c, &cfg, &[Criterion::Agvhd]);
    assert!(g.timeline.iter().any(|d| {
        d.date.to_string() == "2024-04-02"
            && d.entries
                .iter()
                .any(|e| e.reason.contains("upper GI stage 1"))
    }));
}

#[test]
fn eye_treatment_gives_the_eye_score_when_none_is_recorded() {
    use graftwatch_grading::extract::cgvhd::cgvhd_assessments;
    let c = course(vec![
        json!({"date": "2024-09-01", "kind": "eye_drops_per_day", "value": 4}),
        json!({"date": "2024-09-02", "kind": "eye_drops_per_day", "value": 3}),
        json!({"date": "2024-09-03", "kind": "punctal_plugs", "value": true}),
        json!({"date": "2024-09-04", "kind": "eye_drops_per_day", "value": 4}),
        json!({"date": "2024-09-04", "kind": "cgvhd_eyes", "value": 1}),
    ]);
    let eyes: Vec<(String, u8)> = cgvhd_assessments(&c)
        .iter()
        .filter_map(|a| Some((a.date?.to_string(), a.eyes?.value)))
        .collect();
    assert_eq!(
        eyes,
        vec![
            ("2024-09-01".to_string(), 2),
            ("2024-09-02".to_string(), 2 - 1),
            ("2024-09-03".to_string(), 2),
            ("2024-09-04".to_string(), 1),
        ],
        "the clinician's score wins on the day it is recorded"
    );
}

#[test]
fn every_summary_key_is_produced_by_the_engine() {
    // The typed keys must name items the engine really writes: grade the
    // seed case and a CAR-T-free course and collect the item names.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let seed = graftwatch_course::read_course(&root).unwrap().course;
    let g = graftwatch_grading::grade_course(&seed, &GradingConfig::default());
    // MAGIC biomarkers are optional tests the seed does not record: a
    // course with ST2 and REG3α at day +7 and at acute GVHD onset adds them.
    let mut bio = seed.clone();
    for (date, kind) in [
        ("2024-05-06", "st2"),
        ("2024-05-06", "reg3a"),
        ("2024-09-14", "st2"),
        ("2024-09-14", "reg3a"),
    ] {
        bio.observations.push(graftwatch_course::Observation::new(
            date.parse().unwrap(),
            graftwatch_course::ObservationKind::parse(kind).unwrap(),
            graftwatch_course::ObsValue::Number(30_000.0),
            Some(graftwatch_core::Unit::PgPerMl),
        ));
    }
    let gb = graftwatch_grading::grade_course(&bio, &GradingConfig::default());
    let written: Vec<&str> = g
        .summary
        .iter()
        .chain(gb.summary.iter())
        .map(|i| i.item.as_str())
        .collect();
    assert!(
        g.summary.iter().all(|i| i.item.starts_with(i.key.as_str())),
        "item name and typed key agree"
    );
    let missing: Vec<&str> = graftwatch_grading::SummaryKey::ALL
        .iter()
        .map(|k| k.as_str())
        // written only for treated chronic GVHD (wiring.rs and
        // gvhd_dates_steroids.rs cover them)
        .filter(|k| *k != "cgvhd_treatment_response" && *k != "cgvhd_steroid_response")
        .filter(|k| !written.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "keys the engine does not write: {missing:?} (written: {written:?})"
    );
    assert_eq!(
        graftwatch_grading::SummaryKey::NeutrophilEngraftment.for_transplant(2),
        "neutrophil_engraftment_hct2"
    );
}

#[test]
fn icans_detail_maps_onto_the_astct_domains() {
    use graftwatch_grading::extract::icans::{Edema, Seizure, icans_days};
    let day = |obs: Vec<Value>| {
        let mut c = course(obs);
        c.events.push(graftwatch_course::Event {
            id: None,
            date: "2024-02-20".parse().unwrap(),
            time: None,
            end_date: None,
            note: None,
            detail: graftwatch_course::EventDetail::CarTInfusion {
                target: "CD19".into(),
                product: "x".into(),
                dose_per_kg: None,
            },
        });
        icans_days(&c).into_iter().next().expect("one ICANS day")
    };
    let o = |kind: &str, v: Value| json!({"date": "2024-02-25", "kind": kind, "value": v});
    let s5 = day(vec![o("seizure_duration_min", json!(5))]);
    assert_eq!(
        s5.seizure,
        Some(Seizure::RapidlyResolving),
        "5 min is not > 5"
    );
    let s6 = day(vec![o("seizure_duration_min", json!(6))]);
    assert_eq!(s6.seizure, Some(Seizure::Prolonged));
    let rep = day(vec![
        o("seizure_duration_min", json!(2)),
        o("seizure_returned_to_baseline", json!(false)),
    ]);
    assert_eq!(
        rep.seizure,
        Some(Seizure::Prolonged),
        "repetitive without baseline"
    );
    for (k, v) in [
        ("papilledema", json!(true)),
        ("cranial_nerve_vi_palsy", json!(true)),
        ("cushing_triad", json!(true)),
        ("posturing", json!("decerebrate")),
    ] {
        assert_eq!(day(vec![o(k, v)]).edema, Some(Edema::Diffuse), "{k}");
    }
    assert_eq!(
        day(vec![o("papilledema", json!(false))]).edema,
        Some(Edema::None)
    );
    assert_eq!(
        day(vec![o("motor_finding", json!("hemiparesis"))]).motor_weakness,
        Some(true)
    );
    assert_eq!(
        day(vec![o("motor_finding", json!("none"))]).motor_weakness,
        Some(false)
    );
    // Tremor or myoclonus as the motor finding: an examination without deep
    // focal weakness (tremor itself is CTCAE-graded, not ICANS); recorded
    // with hemiparesis the same day, the weakness counts.
    assert_eq!(
        day(vec![
            o("motor_finding", json!("tremor")),
            o("ice_score", json!(10))
        ])
        .motor_weakness,
        Some(false),
        "tremor is not ICANS motor weakness"
    );
    assert_eq!(
        day(vec![
            o("motor_finding", json!("tremor")),
            o("motor_finding", json!("hemiparesis"))
        ])
        .motor_weakness,
        Some(true)
    );
}

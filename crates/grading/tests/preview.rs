//! The day preview of the bedside form: typed values → the day's MAGIC
//! stages and grade (and CRS/ICANS after CAR-T), through the same engine as
//! `grade --on`, with problems named by form field.

mod common;

use common::{CourseBuilder, d, hct};
use graftwatch_core::Analyte;
use graftwatch_course::{Attribution, ObservationKind, Severity};
use graftwatch_grading::preview::{DayDraft, DraftValue, PREVIEW_CRITERIA, preview_day};
use graftwatch_grading::{Criterion, GradingConfig, grade_course_as_of};
use serde_json::json;

fn transplant() -> CourseBuilder {
    hct(CourseBuilder::new(), "2024-06-01")
        .num("2024-06-01", "anc", 2.0, "10^9/L")
        .num("2024-06-01", "weight", 70.0, "kg")
}

fn v(field: &str, kind: ObservationKind, value: &str, unit: Option<&str>) -> DraftValue {
    DraftValue {
        field: field.into(),
        kind,
        value: value.into(),
        unit: unit.map(str::to_string),
        attribution: Some(Attribution::Gvhd),
    }
}

fn draft(date: &str, values: Vec<DraftValue>) -> DayDraft {
    DayDraft {
        date: d(date),
        values,
        events: vec![],
    }
}

/// The other organs assessed without findings (the form's "assessed, no
/// findings" boxes).
fn none(organ: &str) -> DraftValue {
    v(
        &format!("none_{organ}"),
        ObservationKind::AgvhdNoFindings,
        organ,
        None,
    )
}

const BILI: ObservationKind = ObservationKind::Lab(Analyte::Bilirubin);

#[test]
fn skin_alone_is_grade_i_and_bilirubin_makes_it_ii() {
    let c = transplant().build();
    let cfg = GradingConfig::default();
    let skin = v("skin_bsa", ObservationKind::SkinRashBsa, "30", Some("%"));
    let nf = || vec![none("liver"), none("upper_gi"), none("lower_gi")];
    let mut values = nf();
    values.push(skin.clone());
    let p = preview_day(&c, &draft("2024-06-21", values), &cfg);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.before.magic_grade(), None);
    let organs = p.after.agvhd_organs.expect("a GVHD day");
    assert_eq!(organs.skin, Some(2));
    assert_eq!(p.after.magic_grade(), Some("I"));
    assert_eq!(p.rel.as_ref().map(|r| r.day.get()), Some(20));
    let bili = v("bilirubin", BILI, "2.5", Some("mg/dL"));
    let p = preview_day(
        &c,
        &draft(
            "2024-06-21",
            vec![skin, bili, none("upper_gi"), none("lower_gi")],
        ),
        &cfg,
    );
    assert_eq!(p.after.agvhd_organs.unwrap().liver, Some(1));
    assert_eq!(p.after.magic_grade(), Some("II"));
    assert!(
        p.after
            .reasons
            .iter()
            .any(|r| r.criterion == Criterion::Agvhd),
        "the engine's reason for the day is shown"
    );
}

#[test]
fn units_are_converted_before_staging_on_both_sides_of_3_mg_dl() {
    // 3.0 mg/dL = 51.3 µmol/L: 51 µmol/L is liver stage 1, 53 µmol/L (3.1
    // mg/dL) is stage 2.
    let c = transplant().build();
    let cfg = GradingConfig::default();
    let stage = |umol: &str| {
        let p = preview_day(
            &c,
            &draft(
                "2024-06-21",
                vec![v("bilirubin", BILI, umol, Some("µmol/L"))],
            ),
            &cfg,
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        p.after.agvhd_organs.and_then(|o| o.liver)
    };
    assert_eq!(stage("51"), Some(1));
    assert_eq!(stage("53"), Some(2));
}

#[test]
fn preview_equals_grade_on_for_the_same_observations() {
    let cfg = GradingConfig::default();
    let base = transplant();
    let with = transplant()
        .obs(json!({"date": "2024-06-25", "kind": "agvhd_no_findings", "value": "liver"}))
        .obs(json!({"date": "2024-06-25", "kind": "agvhd_no_findings", "value": "upper_gi"}))
        .obs(json!({"date": "2024-06-25", "kind": "skin_rash_bsa", "value": 60, "unit": "%", "attribution": "gvhd"}))
        .obs(json!({"date": "2024-06-25", "kind": "stool_volume", "value": 1200, "unit": "mL", "attribution": "gvhd"}));
    let p = preview_day(
        &base.build(),
        &draft(
            "2024-06-25",
            vec![
                v("skin_bsa", ObservationKind::SkinRashBsa, "60", Some("%")),
                v("stool", ObservationKind::StoolVolume, "1200", Some("mL")),
                none("liver"),
                none("upper_gi"),
            ],
        ),
        &cfg,
    );
    let g = grade_course_as_of(&with.build(), &cfg, &PREVIEW_CRITERIA, d("2024-06-25"));
    let on = g.on_day.unwrap();
    let magic = on
        .entries
        .iter()
        .find(|e| e.criterion == Criterion::Agvhd && e.system == "magic")
        .unwrap();
    assert_eq!(p.after.magic_grade(), magic.grade.as_deref());
    assert_eq!(p.after.magic_grade(), Some("III"));
    let organs = g
        .agvhd_organ_stages
        .iter()
        .find(|o| o.date == d("2024-06-25"))
        .copied();
    assert_eq!(p.after.agvhd_organs, organs);
    assert_eq!(p.accepted.len(), 4);
}

#[test]
fn problems_name_the_field_and_bad_values_are_left_out() {
    let c = transplant().build();
    let cfg = GradingConfig::default();
    let p = preview_day(
        &c,
        &draft(
            "2024-06-21",
            vec![
                v("skin_bsa", ObservationKind::SkinRashBsa, "120", Some("%")),
                v("bilirubin", BILI, "abc", Some("mg/dL")),
                v("stool", ObservationKind::StoolVolume, "900", Some("kg")),
                v("episodes", ObservationKind::StoolEpisodes, "2.5", None),
                v("nausea", ObservationKind::Nausea, "", None),
                v("temp", ObservationKind::Temperature, "38,5", Some("°C")),
            ],
        ),
        &cfg,
    );
    let err = |f: &str| {
        p.problems
            .iter()
            .find(|x| x.field == f && x.severity == Severity::Error)
            .unwrap_or_else(|| panic!("no error for {f}: {:?}", p.problems))
    };
    assert!(err("skin_bsa").expected.contains("between 0 and 100"));
    assert_eq!(err("bilirubin").value.as_deref(), Some("abc"));
    assert!(err("stool").expected.contains("mL"), "{:?}", err("stool"));
    assert!(err("episodes").expected.contains("whole number"));
    assert!(
        !p.problems
            .iter()
            .any(|x| x.field == "nausea" || x.field == "temp")
    );
    assert!(p.has_errors());
    // Only the temperature (decimal comma) passed.
    assert_eq!(p.accepted.len(), 1);
    assert_eq!(p.accepted[0].number(), Some(38.5));
    assert_eq!(p.after.agvhd_organs, None);
}

#[test]
fn crs_and_icans_only_after_car_t() {
    let cfg = GradingConfig::default();
    let fever = |c: &graftwatch_course::Course| {
        preview_day(
            c,
            &draft(
                "2024-03-03",
                vec![
                    v("temp", ObservationKind::Temperature, "102.2", Some("°F")),
                    v("ice", ObservationKind::IceScore, "8", None),
                    v("loc", ObservationKind::Consciousness, "Awake", None),
                    v("seizure", ObservationKind::Seizure, "none", None),
                    v("motor", ObservationKind::MotorFinding, "none", None),
                ],
            ),
            &cfg,
        )
    };
    let cart = CourseBuilder::new()
        .event(json!({"date": "2024-03-01", "kind": "car_t_infusion", "target": "CD19", "product": "x"}))
        .build();
    let p = fever(&cart);
    let crs = p
        .after
        .entry(Criterion::Crs, "astct")
        .expect("CRS after CAR-T");
    assert_eq!(
        crs.grade.as_deref(),
        Some("1"),
        "39 °C alone is CRS grade 1"
    );
    let icans = p.after.entry(Criterion::Icans, "astct").expect("ICANS");
    assert_eq!(icans.grade.as_deref(), Some("1"), "ICE 8 is ICANS grade 1");
    let hct = transplant().build();
    let p = fever(&hct);
    assert!(p.after.entry(Criterion::Crs, "astct").is_none());
    assert!(p.after.entry(Criterion::Icans, "astct").is_none());
}

/// The web audit: "1,500 /µL" was stored as 1.5 /µL (a 1000-fold error in
/// a count). A comma followed by three digits is refused as ambiguous, a
/// fractional count per µL is refused, a decimal comma still works.
#[test]
fn thousands_separators_never_become_a_1000_fold_error() {
    let c = transplant().build();
    let cfg = GradingConfig::default();
    let anc = |value: &str, unit: &str| {
        preview_day(
            &c,
            &draft(
                "2024-06-21",
                vec![v(
                    "anc",
                    ObservationKind::Lab(Analyte::Anc),
                    value,
                    Some(unit),
                )],
            ),
            &cfg,
        )
    };
    for (typed, unit) in [
        ("1,500", "/uL"),
        ("150,000", "/uL"),
        ("1,500", "10^9/L"),
        ("1,500,000", "/uL"),
        ("1.500,5", "/uL"),
    ] {
        let p = anc(typed, unit);
        assert!(p.accepted.is_empty(), "{typed} {unit} accepted");
        assert!(
            p.problems
                .iter()
                .any(|x| x.severity == Severity::Error && x.field == "anc"),
            "{typed}: {:?}",
            p.problems
        );
    }
    let p = anc("1,500", "/uL");
    assert!(
        p.problems[0].expected.contains("write 1500 or 1.500"),
        "{:?}",
        p.problems
    );
    // A fractional count per µL (European thousands dot) is refused too.
    let p = anc("1.100", "/uL");
    assert!(p.accepted.is_empty());
    assert!(
        p.problems
            .iter()
            .any(|x| x.expected.contains("a whole number of cells per µL")),
        "{:?}",
        p.problems
    );
    // Decimal commas and plain numbers are read.
    for (typed, unit, want) in [
        ("1,5", "10^9/L", 1.5),
        ("0,125", "10^9/L", 0.125),
        ("1500", "/uL", 1.5),
        ("1.5", "10^9/L", 1.5),
    ] {
        let p = anc(typed, unit);
        assert_eq!(p.accepted.len(), 1, "{typed}: {:?}", p.problems);
        assert_eq!(p.accepted[0].number(), Some(want), "{typed}");
    }
}

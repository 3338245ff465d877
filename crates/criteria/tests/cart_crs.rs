//! ASTCT CRS: boundaries, worked example, T-1 … T-4 and monotonicity.

use graftwatch_core::{Date, Unit};
use graftwatch_criteria::Graded;
use graftwatch_criteria::crs::{
    CrsConfig, CrsDay, CrsInputError, Hypotension, O2Device, Oxygen, celsius, grade_crs_course,
    grade_crs_day,
};
use proptest::prelude::*;

fn date(n: i32) -> Date {
    "2025-05-01".parse::<Date>().unwrap().add_days(n)
}

fn day(t: f64, h: Hypotension, o: Oxygen) -> CrsDay {
    CrsDay {
        max_temp_c: Some(t),
        hypotension: Some(h),
        oxygen: Some(o),
        ..CrsDay::new(date(0))
    }
}

fn ra() -> Oxygen {
    o2(O2Device::RoomAir)
}

fn nc(flow: f64) -> Oxygen {
    o2_flow(O2Device::NasalCannula, flow)
}

/// A device without a recorded flow.
fn o2(device: O2Device) -> Oxygen {
    Oxygen {
        device,
        flow_l_min: None,
    }
}

fn o2_flow(device: O2Device, flow: f64) -> Oxygen {
    Oxygen {
        device,
        flow_l_min: Some(flow),
    }
}

/// The days dated day 0, 1, … in order.
fn consecutive(days: impl IntoIterator<Item = CrsDay>) -> Vec<CrsDay> {
    (0..)
        .zip(days)
        .map(|(i, d)| CrsDay { date: date(i), ..d })
        .collect()
}

fn g(d: &CrsDay) -> u8 {
    match grade_crs_day(d).unwrap() {
        Graded::Value { value, .. } => value.grade.0,
        o => panic!("{o:?}"),
    }
}

#[test]
fn fever_boundary() {
    assert_eq!(g(&day(37.9, Hypotension::None, ra())), 0);
    assert_eq!(g(&day(38.0, Hypotension::None, ra())), 1);
    let f = celsius(100.4, Unit::Fahrenheit).unwrap();
    assert_eq!(g(&day(f, Hypotension::None, ra())), 1, "100.4 F = 38.0 C");
    assert!(celsius(38.0, Unit::MgPerDl).is_err());
}

#[test]
fn no_fever_no_crs_before_onset() {
    assert_eq!(
        g(&day(37.0, Hypotension::OneVasopressor, nc(8.0))),
        0,
        "T-4: before CRS, no fever means no CRS"
    );
    let d = CrsDay {
        fever_other_cause: true,
        ..day(39.0, Hypotension::None, ra())
    };
    assert_eq!(g(&d), 0, "fever attributed to another cause");
}

#[test]
fn oxygen_devices_and_flow() {
    for (o, s) in [
        (ra(), 1),
        (nc(6.0), 2),
        (nc(6.1), 3),
        (nc(1.0), 2),
        (o2(O2Device::BlowBy), 2),
        (o2_flow(O2Device::Facemask, 5.0), 3),
        (o2(O2Device::NonRebreather), 3),
        (o2(O2Device::Venturi), 3),
        (o2(O2Device::HighFlowNasalCannula), 3),
        (o2_flow(O2Device::HighFlowNasalCannula, 6.0), 2),
        (o2(O2Device::Cpap), 4),
        (o2(O2Device::Bipap), 4),
        (o2(O2Device::MechanicalVentilation), 4),
    ] {
        assert_eq!(g(&day(38.5, Hypotension::None, o)), s, "{o:?}");
    }
    let d = day(38.5, Hypotension::None, o2(O2Device::NasalCannula));
    match grade_crs_day(&d).unwrap() {
        Graded::InsufficientData { missing, .. } => assert!(missing[0].contains("flow")),
        o => panic!("{o:?}"),
    }
    assert_eq!("nrb".parse::<O2Device>().unwrap(), O2Device::NonRebreather);
    assert!("tent".parse::<O2Device>().is_err());
}

#[test]
fn vasopressors_and_vasopressin() {
    let cat = |names: &[&str]| Hypotension::from_drugs(true, names).unwrap().0;
    assert_eq!(cat(&[]), Hypotension::FluidsOnly);
    assert_eq!(
        Hypotension::from_drugs::<&str>(false, &[]).unwrap().0,
        Hypotension::None
    );
    assert_eq!(cat(&["norepinephrine"]), Hypotension::OneVasopressor);
    assert_eq!(
        cat(&["Noradrenaline", "vasopressin"]),
        Hypotension::OneVasopressor,
        "T-3"
    );
    assert_eq!(cat(&["vasopressin"]), Hypotension::OneVasopressor);
    assert_eq!(
        cat(&["norepinephrine", "epinephrine"]),
        Hypotension::MultipleVasopressors
    );
    assert_eq!(
        cat(&["norepinephrine", "noradrenaline"]),
        Hypotension::OneVasopressor,
        "same drug twice"
    );
    let e = Hypotension::from_drugs(true, &["dobutamin"]).unwrap_err();
    assert!(
        matches!(e, CrsInputError::UnknownVasopressor { .. })
            && e.to_string().contains("dobutamin")
    );
    for (h, s) in [
        (Hypotension::None, 1),
        (Hypotension::FluidsOnly, 2),
        (Hypotension::OneVasopressor, 3),
        (Hypotension::MultipleVasopressors, 4),
    ] {
        assert_eq!(g(&day(38.5, h, ra())), s, "{h:?}");
    }
}

#[test]
fn astct_worked_example() {
    // T 39.5 C, hypotension needing one vasopressor, low-flow oxygen -> grade 3
    let (h, _) = Hypotension::from_drugs(true, &["norepinephrine"]).unwrap();
    let r = grade_crs_day(&day(39.5, h, nc(2.0))).unwrap();
    assert_eq!(r.value().unwrap().grade.0, 3);
    assert!(r.explanation().flags.iter().any(|f| f.code == "T-3"));
    assert_eq!(
        r.explanation().citations[0].doi,
        Some("10.1016/j.bbmt.2018.12.758")
    );
}

#[test]
fn grade_5_and_other_causes() {
    assert_eq!(
        g(&CrsDay {
            death_from_crs: true,
            ..CrsDay::new(date(0))
        }),
        5
    );
    let d = CrsDay {
        hypoxia_other_cause: true,
        ..day(38.5, Hypotension::None, nc(10.0))
    };
    assert_eq!(g(&d), 1, "hypoxia from another cause does not count");
    let d = CrsDay {
        hypotension_other_cause: true,
        ..day(38.5, Hypotension::MultipleVasopressors, ra())
    };
    assert_eq!(g(&d), 1);
}

#[test]
fn missing_data() {
    let d = CrsDay {
        hypotension: None,
        ..day(38.5, Hypotension::None, nc(2.0))
    };
    assert!(matches!(
        grade_crs_day(&d).unwrap(),
        Graded::InsufficientData { .. }
    ));
    let d = CrsDay {
        hypotension: None,
        ..day(38.5, Hypotension::None, o2(O2Device::Bipap))
    };
    assert_eq!(g(&d), 4, "grade 4 whatever the missing hypotension data");
    let d = CrsDay {
        max_temp_c: None,
        ..day(38.5, Hypotension::None, ra())
    };
    match grade_crs_day(&d).unwrap() {
        Graded::InsufficientData { missing, .. } => {
            assert_eq!(missing, vec!["maximum temperature of the day".to_string()])
        }
        o => panic!("{o:?}"),
    }
    let d = CrsDay {
        max_temp_c: Some(47.0),
        ..CrsDay::new(date(0))
    };
    assert!(
        grade_crs_day(&d)
            .unwrap_err()
            .to_string()
            .contains("max_temp_c")
    );
}

#[test]
fn fever_waived_after_tocilizumab_in_course() {
    let days = vec![
        day(37.0, Hypotension::None, ra()),    // no CRS
        day(39.0, Hypotension::None, nc(2.0)), // onset, grade 2
        CrsDay {
            anticytokine_or_antipyretic: true,
            ..day(37.2, Hypotension::None, nc(3.0))
        }, // tocilizumab: afebrile, grade 2
        day(36.8, Hypotension::FluidsOnly, ra()), // still waived: 2
        day(36.8, Hypotension::None, ra()),    // resolved: 0
    ];
    let days = consecutive(days);
    let c = grade_crs_course(&days, &CrsConfig::default()).unwrap();
    let gr: Vec<u8> = c.days.iter().map(|d| d.value().unwrap().grade.0).collect();
    assert_eq!(gr, vec![0, 2, 2, 2, 0]);
    assert_eq!(c.summary.onset, Some(date(1)));
    assert_eq!(c.summary.fever_waiver_from, Some(date(2)));
    assert_eq!(
        (c.summary.max_grade.0, c.summary.max_grade_date),
        (2, Some(date(1)))
    );
    assert!(
        c.days[2]
            .explanation()
            .flags
            .iter()
            .any(|f| f.code == "T-4")
    );
    let off = CrsConfig {
        fever_waiver_after_treatment: false,
    };
    let c = grade_crs_course(&days, &off).unwrap();
    let gr: Vec<u8> = c.days.iter().map(|d| d.value().unwrap().grade.0).collect();
    assert_eq!(gr, vec![0, 2, 0, 0, 0]);
}

#[test]
fn treatment_before_onset_does_not_waive_fever() {
    let days = vec![
        CrsDay {
            anticytokine_or_antipyretic: true,
            ..day(37.0, Hypotension::None, ra())
        },
        day(37.0, Hypotension::FluidsOnly, nc(2.0)),
    ];
    let days = consecutive(days);
    let c = grade_crs_course(&days, &CrsConfig::default()).unwrap();
    assert_eq!(c.days[1].value().unwrap().grade.0, 0);
    assert_eq!(c.summary.fever_waiver_from, None);
    let bad = vec![days[1], days[0]];
    assert!(matches!(
        grade_crs_course(&bad, &CrsConfig::default()),
        Err(CrsInputError::DateOrder { .. })
    ));
}

#[test]
fn reads_from_json() {
    let j = r#"{"date":"2025-05-03","max_temp_c":39.1,"hypotension":"one_vasopressor","oxygen":{"device":"nasal_cannula","flow_l_min":4}}"#;
    let d: CrsDay = serde_json::from_str(j).unwrap();
    assert_eq!(g(&d), 3);
}

fn oxygen_ladder() -> Vec<Oxygen> {
    vec![
        ra(),
        nc(1.0),
        nc(6.0),
        o2(O2Device::BlowBy),
        nc(6.1),
        nc(15.0),
        o2(O2Device::Facemask),
        o2(O2Device::NonRebreather),
        o2(O2Device::Venturi),
        o2(O2Device::Cpap),
        o2(O2Device::Bipap),
        o2(O2Device::MechanicalVentilation),
    ]
}

const HYP: [Hypotension; 4] = [
    Hypotension::None,
    Hypotension::FluidsOnly,
    Hypotension::OneVasopressor,
    Hypotension::MultipleVasopressors,
];

proptest! {
    #[test]
    fn grade_never_decreases_with_more_support(t in 38.0f64..41.0, h1 in 0usize..4, h2 in 0usize..4, o1 in 0usize..12, o2 in 0usize..12) {
        let lad = oxygen_ladder();
        let (hl, hh) = (h1.min(h2), h1.max(h2));
        let (ol, oh) = (o1.min(o2), o1.max(o2));
        let lo = g(&day(t, HYP[hl], lad[ol]));
        let hi = g(&day(t, HYP[hh], lad[oh]));
        prop_assert!(hi >= lo, "{:?}/{:?} -> {} but {:?}/{:?} -> {}", HYP[hl], lad[ol], lo, HYP[hh], lad[oh], hi);
        prop_assert!((1..=4).contains(&hi));
    }
}

#[test]
fn course_summary_is_explained() {
    let days = [
        day(37.0, Hypotension::None, ra()),
        day(39.0, Hypotension::None, nc(2.0)),
        CrsDay {
            anticytokine_or_antipyretic: true,
            ..day(37.2, Hypotension::None, nc(3.0))
        },
        CrsDay {
            hypotension: None,
            ..day(36.9, Hypotension::None, ra())
        },
    ];
    let days = consecutive(days);
    let c = grade_crs_course(&days, &CrsConfig::default()).unwrap();
    let sum = c.explained_summary();
    assert_eq!(sum.value().unwrap().max_grade.0, 2);
    let e = sum.explanation();
    assert!(
        e.reason.contains("maximum CRS grade 2 on 2025-05-02"),
        "{}",
        e.reason
    );
    assert!(
        e.evidence
            .iter()
            .any(|x| x.what == "oxygen_flow" && x.date == Some(date(1)))
    );
    assert!(e.flags.iter().any(|f| f.code == "T-4"));
    assert!(
        e.flags.iter().any(|f| f.code == "MISSING"),
        "day 3 lacks hypotension data"
    );
    let none = grade_crs_course(&[CrsDay::new(date(0))], &CrsConfig::default()).unwrap();
    assert!(matches!(
        none.explained_summary(),
        Graded::InsufficientData { .. }
    ));
}

/// A day that cannot be fully graded still counts towards the course
/// maximum with the grade its recorded signs already give: fever with a
/// nasal cannula of unknown flow is at least grade 2 (≤ 6 L/min gives 2,
/// more gives 3); without a temperature nothing is certain before onset.
#[test]
fn missing_signs_give_a_lower_bound_that_counts_for_the_maximum() {
    use graftwatch_criteria::crs::{CrsFast, crs_fast};
    let nc_no_flow = CrsDay {
        hypotension: None,
        ..day(38.5, Hypotension::None, o2(O2Device::NasalCannula))
    };
    assert!(matches!(
        crs_fast(&nc_no_flow, false),
        CrsFast::Missing { at_least: 2, .. }
    ));
    // Both sides of the fever threshold: 37.9 °C gives no floor.
    let afebrile = CrsDay {
        max_temp_c: Some(37.9),
        ..nc_no_flow
    };
    assert_eq!(g(&afebrile), 0);
    let no_temp = CrsDay {
        max_temp_c: None,
        ..nc_no_flow
    };
    assert!(matches!(
        crs_fast(&no_temp, false),
        CrsFast::Missing { at_least: 0, .. }
    ));
    // Fever, one vasopressor, oxygen not recorded: at least 3.
    let pressor = CrsDay {
        oxygen: None,
        ..day(38.5, Hypotension::OneVasopressor, ra())
    };
    assert!(matches!(
        crs_fast(&pressor, false),
        CrsFast::Missing { at_least: 3, .. }
    ));
    // Course: grade 1, then at least 2: the maximum is "at least 2" on day 1.
    let days = consecutive([day(38.5, Hypotension::None, ra()), nc_no_flow]);
    let c = grade_crs_course(&days, &CrsConfig::default()).unwrap();
    assert_eq!(c.summary.max_grade.0, 2);
    assert_eq!(c.summary.max_grade_date, Some(date(1)));
    assert!(c.summary.max_is_lower_bound);
    let e = c.explained_summary().explanation().clone();
    assert!(
        e.reason.contains("grade at least 2 on 2025-05-02"),
        "{}",
        e.reason
    );
    assert!(e.evidence.iter().any(|x| x.date == Some(date(1))));
    // A fully graded day at the same grade later makes it a determined maximum.
    let days = consecutive([nc_no_flow, day(38.5, Hypotension::None, nc(2.0))]);
    let c = grade_crs_course(&days, &CrsConfig::default()).unwrap();
    assert_eq!(
        (
            c.summary.max_grade.0,
            c.summary.max_grade_date,
            c.summary.max_is_lower_bound
        ),
        (2, Some(date(0)), false)
    );
    // A lower bound is CRS onset.
    assert_eq!(c.summary.onset, Some(date(0)));
}

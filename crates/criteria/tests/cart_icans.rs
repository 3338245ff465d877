//! ASTCT ICANS: ICE and CAPD boundaries, domains, exclusions, T-5 and
//! decision 10.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::icans::{
    Consciousness, Edema, IcansConfig, IcansDay, IcansDayResult, Instrument, OtherCause, Seizure,
    grade_icans_course, grade_icans_day,
};

fn date(n: i32) -> Date {
    "2025-05-01".parse::<Date>().unwrap().add_days(n)
}

fn base(i: Instrument) -> IcansDay {
    IcansDay {
        age_years: Some(35.0),
        instrument: Some(i),
        consciousness: Some(Consciousness::Alert),
        seizure: Some(Seizure::None),
        motor_weakness: Some(false),
        edema: Some(Edema::None),
        ..IcansDay::new(date(0))
    }
}

/// One day per ICE score, from day 0.
fn ice_days(scores: &[u8]) -> Vec<IcansDay> {
    (0..)
        .zip(scores)
        .map(|(n, &s)| IcansDay {
            date: date(n),
            ..base(Instrument::Ice(s))
        })
        .collect()
}

/// The graded day with the default configuration.
fn graded(d: &IcansDay) -> Graded<IcansDayResult> {
    grade_icans_day(d, &IcansConfig::default()).unwrap()
}

/// True when the instrument did not fit the age (flag `D-10`).
fn d10(r: &Graded<IcansDayResult>) -> bool {
    r.explanation().flag_codes().contains(&"D-10")
}

fn g(d: &IcansDay) -> u8 {
    match graded(d) {
        Graded::Value { value, .. } => value.grade,
        o => panic!("{o:?}"),
    }
}

#[test]
fn ice_boundaries() {
    for (ice, s) in [
        (10, 0),
        (9, 1),
        (7, 1),
        (6, 2),
        (3, 2),
        (2, 3),
        (1, 3),
        (0, 3),
    ] {
        assert_eq!(g(&base(Instrument::Ice(ice))), s, "ICE {ice}");
    }
}

#[test]
fn ice_zero_awake_vs_unarousable() {
    let awake = base(Instrument::Ice(0));
    assert_eq!(g(&awake), 3, "awake with global aphasia");
    let r = graded(&awake);
    assert!(r.explanation().flags.iter().any(|f| f.code == "T-5"));
    let un = IcansDay {
        consciousness: Some(Consciousness::Unarousable),
        ..awake
    };
    assert_eq!(g(&un), 4);
    let unknown = IcansDay {
        consciousness: None,
        ..awake
    };
    match graded(&unknown) {
        Graded::InsufficientData { missing, .. } => {
            assert!(missing.iter().any(|m| m.contains("consciousness")))
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(g(&base(Instrument::UnableToPerform)), 4);
    let r = graded(&base(Instrument::UnableToPerform));
    assert!(
        r.explanation().flags.iter().any(|f| f.code == "T-5"),
        "awake but 'unable' is flagged"
    );
}

#[test]
fn domains() {
    let b = base(Instrument::Ice(10));
    for (c, s) in [
        (Consciousness::Alert, 0),
        (Consciousness::AwakensSpontaneously, 1),
        (Consciousness::AwakensToVoice, 2),
        (Consciousness::AwakensToTactile, 3),
        (Consciousness::Unarousable, 4),
    ] {
        assert_eq!(
            g(&IcansDay {
                consciousness: Some(c),
                ..b
            }),
            s,
            "{c:?}"
        );
    }
    assert_eq!(
        g(&IcansDay {
            seizure: Some(Seizure::RapidlyResolving),
            ..b
        }),
        3
    );
    assert_eq!(
        g(&IcansDay {
            seizure: Some(Seizure::ProlongedOrRepetitive),
            ..b
        }),
        4
    );
    assert_eq!(
        g(&IcansDay {
            motor_weakness: Some(true),
            ..b
        }),
        4
    );
    assert_eq!(
        g(&IcansDay {
            edema: Some(Edema::Focal),
            ..b
        }),
        3
    );
    assert_eq!(
        g(&IcansDay {
            edema: Some(Edema::DiffuseOrRaisedIcpSigns),
            ..b
        }),
        4
    );
}

#[test]
fn paper_example_ice3_with_generalized_seizure_is_3() {
    let d = IcansDay {
        seizure: Some(Seizure::RapidlyResolving),
        ..base(Instrument::Ice(3))
    };
    assert_eq!(g(&d), 3);
}

#[test]
fn tremor_and_hemorrhage_are_excluded() {
    let d = IcansDay {
        tremor_or_myoclonus: true,
        intracranial_hemorrhage: true,
        ..base(Instrument::Ice(10))
    };
    let r = graded(&d);
    assert_eq!(r.value().unwrap().grade, 0);
    let codes = r.explanation().flag_codes();
    assert_eq!(codes.iter().filter(|c| **c == "ICANS-EXCL").count(), 2);
}

#[test]
fn capd_for_children() {
    let child = |s: u8, c: Consciousness| IcansDay {
        age_years: Some(8.0),
        consciousness: Some(c),
        ..base(Instrument::Capd(s))
    };
    for (capd, c, grade) in [
        (0, Consciousness::Alert, 0),
        (8, Consciousness::AwakensSpontaneously, 1),
        (1, Consciousness::AwakensSpontaneously, 1),
        (8, Consciousness::AwakensToVoice, 2),
        (9, Consciousness::AwakensSpontaneously, 3),
    ] {
        assert_eq!(g(&child(capd, c)), grade, "CAPD {capd}, {c:?}");
    }
    let r = graded(&child(8, Consciousness::AwakensSpontaneously));
    assert!(!d10(&r), "CAPD fits age 8");
}

#[test]
fn instrument_age_mismatch_warns_but_grades() {
    let ice_child = IcansDay {
        age_years: Some(10.0),
        ..base(Instrument::Ice(8))
    };
    let r = graded(&ice_child);
    assert_eq!(r.value().unwrap().grade, 1);
    assert!(d10(&r));
    let capd_teen = IcansDay {
        age_years: Some(12.0),
        ..base(Instrument::Capd(10))
    };
    let r = graded(&capd_teen);
    assert_eq!(r.value().unwrap().grade, 3);
    assert!(d10(&r));
    let delayed = IcansDay {
        developmental_delay: true,
        ..capd_teen
    };
    let r = graded(&delayed);
    assert!(!d10(&r));
    let ice12 = IcansDay {
        age_years: Some(12.0),
        ..base(Instrument::Ice(8))
    };
    let r = graded(&ice12);
    assert!(!d10(&r), "ICE from age 12");
}

#[test]
fn other_cause_and_missing() {
    let sedated = IcansDay {
        consciousness: Some(Consciousness::AwakensToTactile),
        other_cause: OtherCause {
            consciousness: true,
            ..OtherCause::default()
        },
        ..base(Instrument::Ice(10))
    };
    assert_eq!(g(&sedated), 0);
    let no_seizure_info = IcansDay {
        seizure: None,
        ..base(Instrument::Ice(8))
    };
    assert!(matches!(
        graded(&no_seizure_info),
        Graded::InsufficientData { .. }
    ));
    let four = IcansDay {
        seizure: None,
        motor_weakness: Some(true),
        ..base(Instrument::Ice(8))
    };
    assert_eq!(g(&four), 4, "grade 4 whatever the missing domain");
    let no_imaging = IcansDay {
        edema: None,
        ..base(Instrument::Ice(9))
    };
    let r = graded(&no_imaging);
    assert_eq!(r.value().unwrap().grade, 1);
    assert!(r.explanation().flag_codes().contains(&"ICANS-EDEMA"));
    assert_eq!(
        g(&IcansDay {
            death_from_icans: true,
            ..base(Instrument::Ice(10))
        }),
        5
    );
}

#[test]
fn out_of_range_scores_are_errors() {
    let e = grade_icans_day(&base(Instrument::Ice(11)), &IcansConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("ice = 11"), "{e}");
    assert!(grade_icans_day(&base(Instrument::Capd(33)), &IcansConfig::default()).is_err());
}

#[test]
fn course_summary() {
    let days = ice_days(&[10, 8, 2, 9]);
    let (res, s) = grade_icans_course(&days, &IcansConfig::default()).unwrap();
    assert_eq!(res.len(), 4);
    assert_eq!(
        (s.onset, s.max_grade, s.max_grade_date),
        (Some(date(1)), 3, Some(date(2)))
    );
    let j = r#"{"date":"2025-05-02","instrument":{"instrument":"ice","score":5},"consciousness":"alert","seizure":"none","motor_weakness":false}"#;
    let d: IcansDay = serde_json::from_str(j).unwrap();
    assert_eq!(g(&d), 2);
}

#[test]
fn course_summary_is_explained() {
    let days = ice_days(&[10, 8, 2]);
    let (res, s) = grade_icans_course(&days, &IcansConfig::default()).unwrap();
    let e = graftwatch_criteria::icans::explain_icans_summary(&res, &s);
    assert_eq!(e.value().unwrap().max_grade, 3);
    let x = e.explanation();
    assert!(
        x.reason.contains("maximum ICANS grade 3 on 2025-05-03"),
        "{}",
        x.reason
    );
    assert!(
        x.evidence
            .iter()
            .any(|v| v.what == "ice_score" && v.value == Some(2.0))
    );
    let (res, s) = grade_icans_course(&[IcansDay::new(date(0))], &IcansConfig::default()).unwrap();
    assert!(matches!(
        graftwatch_criteria::icans::explain_icans_summary(&res, &s),
        Graded::InsufficientData { .. }
    ));
}

/// An assessment with domains not recorded counts towards the course
/// maximum with the grade its recorded domains already give (the most severe
/// domain sets the grade): ICE 2 alone is at least grade 3, ICE 3 at least 2.
#[test]
fn missing_domains_give_a_lower_bound_that_counts_for_the_maximum() {
    use graftwatch_criteria::icans::{IcansFast, icans_fast};
    let only_ice = |s: u8, n: i32| IcansDay {
        date: date(n),
        age_years: Some(35.0),
        instrument: Some(Instrument::Ice(s)),
        ..IcansDay::new(date(n))
    };
    assert!(matches!(
        icans_fast(&only_ice(2, 1)),
        IcansFast::Missing { at_least: 3, .. }
    ));
    assert!(matches!(
        icans_fast(&only_ice(3, 1)),
        IcansFast::Missing { at_least: 2, .. }
    ));
    let mut days = ice_days(&[8]);
    days.push(only_ice(2, 1));
    let (out, sum) = grade_icans_course(&days, &IcansConfig::default()).unwrap();
    assert!(matches!(out[1], Graded::InsufficientData { .. }));
    assert!(out[1].explanation().reason.contains("at least 3"));
    assert_eq!(
        (sum.max_grade, sum.max_grade_date, sum.max_is_lower_bound),
        (3, Some(date(1)), true)
    );
    // A fully graded grade 3 later: determined, first date kept.
    days.push(IcansDay {
        date: date(2),
        ..base(Instrument::Ice(1))
    });
    let (_, sum) = grade_icans_course(&days, &IcansConfig::default()).unwrap();
    assert_eq!(
        (sum.max_grade, sum.max_grade_date, sum.max_is_lower_bound),
        (3, Some(date(1)), false)
    );
}

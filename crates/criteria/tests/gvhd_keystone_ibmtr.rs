//! Keystone (modified Glucksberg) and IBMTR index vs MAGIC from the same
//! stages, including the documented differences.

use graftwatch_core::Date;
use graftwatch_criteria::Graded;
use graftwatch_criteria::agvhd::{
    DayFindings, GvhdConfig, IbmtrIndex, KeystoneGrade, LowerGiFinding, MagicGrade, OrganStages,
    Stage, explain_ibmtr, explain_keystone, ibmtr_index, keystone_grade, keystone_stages,
    magic_grade, stage_day,
};

mod common;
use common::{assessed_day, lower_gi};

fn st(v: u8) -> Stage {
    Stage::new(v).unwrap()
}

fn all(s: u8, l: u8, u: u8, g: u8, hist: bool) -> (MagicGrade, KeystoneGrade, IbmtrIndex) {
    let m = magic_grade(&OrganStages {
        skin: st(s),
        liver: st(l),
        upper_gi: st(u),
        lower_gi: st(g),
    });
    let k = keystone_stages(st(s), st(l), st(u), st(g), hist);
    (m, keystone_grade(&k), ibmtr_index(&k))
}

#[test]
fn documented_differences() {
    use IbmtrIndex as X;
    use KeystoneGrade as K;
    use MagicGrade as M;
    // (skin, liver, upper GI, gut stages, upper-GI histology) -> grades
    for (st, expected, what) in [
        (
            (0, 0, 0, 4, false),
            (M::IV, K::III, X::D),
            "gut 4 alone: MAGIC IV, Keystone III",
        ),
        ((3, 0, 0, 0, false), (M::II, K::II, X::C), "skin 3 alone"),
        ((0, 1, 0, 0, false), (M::II, K::II, X::B), ""),
        ((1, 0, 0, 0, false), (M::I, K::I, X::A), ""),
        ((2, 0, 0, 0, false), (M::I, K::I, X::B), ""),
        (
            (0, 0, 1, 0, false),
            (M::II, K::Zero, X::None),
            "upper GI without histology",
        ),
        (
            (0, 0, 1, 0, true),
            (M::II, K::II, X::B),
            "upper GI with histology = gut 1",
        ),
        ((0, 4, 0, 0, false), (M::IV, K::IV, X::D), ""),
        ((4, 0, 0, 0, false), (M::IV, K::IV, X::D), ""),
        ((0, 0, 0, 3, false), (M::III, K::III, X::C), ""),
        ((0, 3, 0, 0, false), (M::III, K::III, X::C), ""),
        ((1, 2, 0, 0, false), (M::III, K::III, X::B), ""),
        ((0, 0, 0, 0, false), (M::Zero, K::Zero, X::None), ""),
        (
            (1, 1, 0, 0, false),
            (M::II, K::II, X::B),
            "skin 1 with liver 1 is B, not A",
        ),
    ] {
        let (s, l, u, g, hist) = st;
        assert_eq!(all(s, l, u, g, hist), expected, "{st:?} {what}");
    }
}

#[test]
fn explained_from_raw_findings() {
    let date: Date = "2025-02-01".parse().unwrap();
    let f = DayFindings {
        lower_gi: Some(LowerGiFinding {
            severe_pain: true,
            ..lower_gi(None)
        }),
        ..assessed_day(date, (10.0, 1.0, false, None), Some(70.0))
    };
    let s = stage_day(&f, &GvhdConfig::default()).unwrap();
    let k = explain_keystone(date, &s, false);
    assert_eq!(k.value().unwrap().grade, KeystoneGrade::III);
    assert!(k.explanation().flags.iter().any(|f| f.code == "A-11"));
    assert_eq!(k.explanation().citations[0].year, 1995);
    let i = explain_ibmtr(date, &s, false);
    assert_eq!(i.value().unwrap().index, IbmtrIndex::D);
    // upper GI not assessed does not matter to Keystone without histology
    let mut g = f;
    g.upper_gi = None;
    let s = stage_day(&g, &GvhdConfig::default()).unwrap();
    assert!(matches!(
        explain_keystone(date, &s, false),
        Graded::Value { .. }
    ));
    assert!(
        matches!(explain_keystone(date, &s, true), Graded::Value { .. }),
        "gut already 4"
    );
    let mut h = f;
    h.lower_gi = None;
    let s = stage_day(&h, &GvhdConfig::default()).unwrap();
    assert!(matches!(
        explain_ibmtr(date, &s, false),
        Graded::InsufficientData { .. }
    ));
}

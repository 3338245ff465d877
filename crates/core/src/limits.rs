//! The single table of physiological and clinical limits: the range a value
//! must fall in to be read at all (outside it the file is invalid, exit 2)
//! and the level above which it is only implausible (a warning).
//!
//! Every reader and every rule that needs such a bound takes it from
//! [`LIMITS`] through [`limit`], so a bound is written once. The bounds are
//! deliberately wide: they reject typing errors (a dose of 0, 1e308, a
//! negative count), never unusual but real values.
//!
//! The table itself is [`LIMITS`] (doses) and [`OBSERVATION_LIMITS`] (every
//! numeric observation kind); [`markdown_table`] renders both for
//! docs/course-format.md ("Physiological limits"), and a test fails when
//! that copy is stale.

use crate::units::Unit;

/// Which quantity a limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// CD3+ cells per kg recipient weight in a donor lymphocyte infusion.
    DliCd3PerKg,
    /// CAR+ cells per kg in a CAR-T infusion.
    CarTDosePerKg,
    /// Total nucleated cells per kg in a graft.
    GraftTncPerKg,
    /// CD34+ cells per kg in a graft.
    GraftCd34PerKg,
    /// CD3+ cells per kg in a graft.
    GraftCd3PerKg,
    /// A drug dose in its stated unit.
    DrugDose,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// The quantity.
    pub kind: LimitKind,
    /// Smallest valid value.
    pub min: f64,
    /// Whether `min` itself is valid (`false`: the value must exceed it).
    pub min_inclusive: bool,
    /// Largest valid value (inclusive).
    pub max: f64,
    /// Above this the value is implausible (warning only).
    pub warn_above: f64,
    /// Above 0 and below this the value is implausibly small (warning
    /// only): a cell dose typed in ×10⁶/kg where cells/kg are expected
    /// (`cd34_per_kg=5.1`); 0 checks nothing.
    pub warn_below: f64,
    /// The expectation in words, for messages.
    pub expected: &'static str,
}

impl Limit {
    /// Whether `v` is above 0 but below [`Limit::warn_below`].
    pub fn is_implausibly_small(&self, v: f64) -> bool {
        v > 0.0 && v < self.warn_below
    }

    /// Whether `v` is a finite value inside the valid range.
    pub fn is_valid(&self, v: f64) -> bool {
        let above_min = if self.min_inclusive {
            v >= self.min
        } else {
            v > self.min
        };
        v.is_finite() && above_min && v <= self.max
    }

    /// Whether a valid `v` is above the implausibility level.
    pub fn is_implausible(&self, v: f64) -> bool {
        v > self.warn_above
    }
}

/// The table.
pub const LIMITS: &[Limit] = &[
    Limit {
        kind: LimitKind::DliCd3PerKg,
        min: 1e3,
        min_inclusive: true,
        max: 1e9,
        warn_above: 5e8,
        warn_below: 0.0,
        expected: "a CD3+ dose between 1e3 and 1e9 cells/kg (DLI doses are 1e4-1e8/kg)",
    },
    Limit {
        kind: LimitKind::CarTDosePerKg,
        min: 0.0,
        min_inclusive: false,
        max: 1e9,
        warn_above: 5e8,
        warn_below: 1e3,
        expected: "a CAR-T dose greater than 0 and at most 1e9 cells/kg",
    },
    Limit {
        kind: LimitKind::GraftTncPerKg,
        min: 0.0,
        min_inclusive: true,
        max: 1e10,
        warn_above: 3e9,
        warn_below: 1e5,
        expected: "a total nucleated cell dose between 0 and 1e10 cells/kg",
    },
    Limit {
        kind: LimitKind::GraftCd34PerKg,
        min: 0.0,
        min_inclusive: true,
        max: 1e8,
        warn_above: 3e7,
        warn_below: 1e3,
        expected: "a CD34+ dose between 0 and 1e8 cells/kg",
    },
    Limit {
        kind: LimitKind::GraftCd3PerKg,
        min: 0.0,
        min_inclusive: true,
        max: 5e9,
        warn_above: 1e9,
        warn_below: 1e3,
        expected: "a CD3+ dose between 0 and 5e9 cells/kg",
    },
    Limit {
        kind: LimitKind::DrugDose,
        min: 0.0,
        min_inclusive: false,
        max: 1e6,
        warn_above: f64::INFINITY,
        warn_below: 0.0,
        expected: "a dose greater than 0 and at most 1e6 in its unit",
    },
];

/// The limits of one observation kind, in its canonical unit: outside
/// `min..=max` the value is impossible (the course is invalid, exit 2);
/// above `warn_above` it is implausible (a warning: the value is kept, and
/// the report draws it at the axis ceiling with a marker).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservationLimit {
    /// The kind as written in course files (`anc`, `temperature`, …).
    pub kind: &'static str,
    /// The canonical unit the limits are in ([`Unit::Count`] for scores).
    pub unit: Unit,
    /// Smallest possible value.
    pub min: f64,
    /// Largest possible value.
    pub max: f64,
    /// Implausible above this (warning only); `max` when no level is set.
    pub warn_above: f64,
    /// Why these bounds, in a few words.
    pub basis: &'static str,
}

impl ObservationLimit {
    /// Whether `v` (canonical unit) is possible.
    pub fn is_valid(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max
    }

    /// Whether a possible `v` is above the plausibility level.
    pub fn is_implausible(&self, v: f64) -> bool {
        v > self.warn_above
    }
}

const fn obs(
    kind: &'static str,
    unit: Unit,
    min: f64,
    max: f64,
    warn_above: f64,
    basis: &'static str,
) -> ObservationLimit {
    ObservationLimit {
        kind,
        unit,
        min,
        max,
        warn_above,
        basis,
    }
}

const COUNT_BASIS: &str = "hyperleukocytosis reaches a few hundred ×10⁹/L";
const ENZYME_BASIS: &str = "ischaemic hepatitis, haemolysis and HLH reach tens of thousands U/L";
const PCT_BASIS: &str = "a percentage";
const SCORE_BASIS: &str = "the score's own range";

/// Every numeric observation kind (numbers and whole-number scores) and its
/// limits. Yes/no and category kinds have no numeric limits. A kind added to
/// the course format adds its row here (a course test fails otherwise).
#[rustfmt::skip]
pub const OBSERVATION_LIMITS: &[ObservationLimit] = &[
    obs("anc", Unit::Per1e9L, 0.0, 1000.0, 100.0, COUNT_BASIS),
    obs("wbc", Unit::Per1e9L, 0.0, 2000.0, 300.0, COUNT_BASIS),
    obs("alc", Unit::Per1e9L, 0.0, 1000.0, 100.0, "CLL lymphocytosis reaches several hundred ×10⁹/L"),
    obs("monocytes", Unit::Per1e9L, 0.0, 1000.0, 100.0, COUNT_BASIS),
    obs("platelets", Unit::Per1e9L, 0.0, 10000.0, 2000.0, "essential thrombocythaemia reaches a few thousand ×10⁹/L"),
    obs("hemoglobin", Unit::GPerDl, 0.0, 35.0, 25.0, "polycythaemia rarely exceeds 25 g/dL"),
    obs("pb_blasts", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("bilirubin", Unit::MgPerDl, 0.0, 150.0, 30.0, "severe cholestasis rarely exceeds 30 mg/dL"),
    obs("alt", Unit::UPerL, 0.0, 100000.0, 10000.0, ENZYME_BASIS),
    obs("ast", Unit::UPerL, 0.0, 100000.0, 10000.0, ENZYME_BASIS),
    obs("alp", Unit::UPerL, 0.0, 100000.0, 10000.0, ENZYME_BASIS),
    obs("ldh", Unit::UPerL, 0.0, 100000.0, 10000.0, ENZYME_BASIS),
    obs("creatinine", Unit::MgPerDl, 0.0, 50.0, 15.0, "end-stage kidney failure rarely exceeds 15 mg/dL"),
    obs("crp", Unit::MgPerDl, 0.0, 200.0, 60.0, "sepsis and CRS rarely exceed 60 mg/dL (600 mg/L)"),
    obs("ferritin", Unit::NgPerMl, 0.0, 5000000.0, 100000.0, "HLH reaches several hundred thousand ng/mL"),
    obs("albumin", Unit::GPerDl, 0.0, 10.0, 7.0, "serum albumin rarely exceeds 5.5 g/dL"),
    obs("temperature", Unit::Celsius, 25.0, 45.0, 42.5, "survivable body temperature"),
    obs("systolic_bp", Unit::MmHg, 0.0, 350.0, 260.0, "hypertensive crisis"),
    obs("diastolic_bp", Unit::MmHg, 0.0, 350.0, 260.0, "hypertensive crisis"),
    obs("spo2", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("weight", Unit::Kg, 0.3, 400.0, 250.0, "a preterm newborn to extreme obesity"),
    obs("skin_rash_bsa", Unit::Percent, 0.0, 100.0, 100.0, "% body surface area"),
    obs("skin_desquamation_bsa", Unit::Percent, 0.0, 100.0, 100.0, "% body surface area"),
    obs("vomiting_episodes", Unit::Count, 0.0, 100.0, 100.0, "episodes per day"),
    obs("stool_volume", Unit::Ml, 0.0, 20000.0, 8000.0, "cholera-like output rarely exceeds 8 L/day"),
    obs("stool_episodes", Unit::Count, 0.0, 60.0, 60.0, "episodes per day"),
    obs("cgvhd_skin_bsa", Unit::Percent, 0.0, 100.0, 100.0, "% body surface area"),
    obs("cgvhd_skin_features", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("cgvhd_mouth", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("cgvhd_eyes", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("eye_drops_per_day", Unit::Count, 0.0, 50.0, 50.0, "drops per day"),
    obs("cgvhd_gi", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("cgvhd_joints", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("cgvhd_genital", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("cgvhd_lung_symptoms", Unit::Count, 0.0, 3.0, 3.0, SCORE_BASIS),
    obs("fev1_percent", Unit::Percent, 0.0, 200.0, 150.0, "% of predicted"),
    obs("dlco_percent", Unit::Percent, 0.0, 200.0, 150.0, "% of predicted"),
    obs("weight_loss_percent", Unit::Percent, 0.0, 100.0, 60.0, "% of baseline weight"),
    obs("ice_score", Unit::Count, 0.0, 10.0, 10.0, SCORE_BASIS),
    obs("capd_score", Unit::Count, 0.0, 32.0, 32.0, SCORE_BASIS),
    obs("seizure_duration_min", Unit::Count, 0.0, 1440.0, 1440.0, "minutes in one day"),
    obs("marrow_blasts", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("marrow_cellularity", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("mrd_flow", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("mrd_qpcr", Unit::Percent, 0.0, 10000.0, 1000.0, "transcript ratio % (can exceed 100)"),
    obs("chimerism", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("st2", Unit::PgPerMl, 0.0, 1.0e9, 1.0e7, "MAGIC biomarker assays report up to ~10⁶ pg/mL"),
    obs("reg3a", Unit::PgPerMl, 0.0, 1.0e9, 1.0e7, "MAGIC biomarker assays report up to ~10⁶ pg/mL"),
    obs("lvef", Unit::Percent, 0.0, 100.0, 100.0, PCT_BASIS),
    obs("tnfr1", Unit::PgPerMl, 0.0, 1.0e9, 1.0e7, "MAGIC biomarker assays report up to ~10⁶ pg/mL"),
    obs("fluid_bolus", Unit::Ml, 0.0, 20000.0, 6000.0, "resuscitation rarely exceeds 6 L in a day"),
];

/// The limits of an observation kind (as written in course files).
///
/// Validation asks once per observation, so the table is indexed once by
/// name (a linear scan cost more than the rest of the check).
pub fn observation_limit(kind: &str) -> Option<&'static ObservationLimit> {
    static INDEX: std::sync::OnceLock<
        crate::names::NameMap<&'static str, &'static ObservationLimit>,
    > = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| OBSERVATION_LIMITS.iter().map(|l| (l.kind, l)).collect())
        .get(kind)
        .copied()
}

fn num(v: f64) -> String {
    if v.is_infinite() {
        "–".into()
    } else if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-3) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The documentation table of every limit (doses and observations), as
/// Markdown; docs/course-format.md carries it between
/// `<!-- limits:begin -->` and `<!-- limits:end -->`, and a test fails
/// when that copy is stale (regenerate with
/// `cargo test -p graftwatch-core --lib limits -- --ignored print_limits_table --nocapture`).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| quantity | canonical unit | possible (else exit 2) | implausible above (warning) | basis |\n|---|---|---|---|---|\n",
    );
    for l in LIMITS {
        let open = if l.min_inclusive { "" } else { "> " };
        out.push_str(&format!(
            "| {} | {} | {open}{} – {} | {} | {} |\n",
            limit_name(l.kind),
            if l.kind == LimitKind::DrugDose {
                "its dose unit"
            } else {
                "cells/kg"
            },
            num(l.min),
            num(l.max),
            num(l.warn_above),
            l.expected
        ));
    }
    for l in OBSERVATION_LIMITS {
        let warn = if l.warn_above >= l.max {
            "–".to_string()
        } else {
            num(l.warn_above)
        };
        out.push_str(&format!(
            "| `{}` | `{}` | {} – {} | {} | {} |\n",
            l.kind,
            l.unit.as_str(),
            num(l.min),
            num(l.max),
            warn,
            l.basis
        ));
    }
    out
}

fn limit_name(k: LimitKind) -> &'static str {
    match k {
        LimitKind::DliCd3PerKg => "DLI CD3+ dose (`cd3_per_kg`)",
        LimitKind::CarTDosePerKg => "CAR-T dose",
        LimitKind::GraftTncPerKg => "graft TNC",
        LimitKind::GraftCd34PerKg => "graft CD34+",
        LimitKind::GraftCd3PerKg => "graft CD3+",
        LimitKind::DrugDose => "drug dose",
    }
}

/// The limit of a quantity.
pub fn limit(kind: LimitKind) -> &'static Limit {
    // Every kind has exactly one row (tested below).
    LIMITS.iter().find(|l| l.kind == kind).unwrap_or(&LIMITS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observation_rows_are_unique_and_ordered() {
        for (i, l) in OBSERVATION_LIMITS.iter().enumerate() {
            assert!(
                OBSERVATION_LIMITS[..i].iter().all(|o| o.kind != l.kind),
                "{} twice",
                l.kind
            );
            assert!(
                l.min < l.max && l.warn_above <= l.max && l.warn_above > l.min,
                "{l:?}"
            );
        }
    }

    /// Both sides of each bound: min and max possible, just outside
    /// impossible; warn_above itself plausible, just above implausible.
    #[test]
    fn observation_boundaries() {
        for l in OBSERVATION_LIMITS {
            assert!(l.is_valid(l.min) && l.is_valid(l.max), "{}", l.kind);
            let below = l.min - l.min.abs().max(1.0) * 1e-9;
            let above = l.max + l.max.abs().max(1.0) * 1e-9;
            assert!(!l.is_valid(below) && !l.is_valid(above), "{}", l.kind);
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
                assert!(!l.is_valid(bad), "{} {bad}", l.kind);
            }
            assert!(!l.is_implausible(l.warn_above), "{}", l.kind);
            if l.warn_above < l.max {
                assert!(l.is_implausible(l.warn_above * (1.0 + 1e-9)), "{}", l.kind);
            }
        }
        let hb = observation_limit("hemoglobin").unwrap();
        assert!(hb.is_valid(30.0) && hb.is_implausible(30.0));
        assert!(!hb.is_valid(1e10));
    }

    /// Prints the generated table (to paste into docs/course-format.md).
    #[test]
    #[ignore = "prints the docs table"]
    fn print_limits_table() {
        print!("{}", markdown_table());
    }

    #[test]
    fn docs_table_is_generated_from_this_code() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/course-format.md"),
        )
        .expect("docs/course-format.md");
        let begin = "<!-- limits:begin -->\n";
        let end = "<!-- limits:end -->";
        let a = doc.find(begin).expect("limits:begin marker") + begin.len();
        let b = doc[a..].find(end).expect("limits:end marker") + a;
        assert_eq!(
            &doc[a..b],
            markdown_table(),
            "docs/course-format.md's limits table is stale: regenerate it with \
             cargo test -p graftwatch-core --lib print_limits_table -- --ignored --nocapture"
        );
    }

    #[test]
    fn every_kind_has_one_row() {
        for k in [
            LimitKind::DliCd3PerKg,
            LimitKind::CarTDosePerKg,
            LimitKind::GraftTncPerKg,
            LimitKind::GraftCd34PerKg,
            LimitKind::GraftCd3PerKg,
            LimitKind::DrugDose,
        ] {
            assert_eq!(LIMITS.iter().filter(|l| l.kind == k).count(), 1, "{k:?}");
            assert_eq!(limit(k).kind, k);
        }
    }

    #[test]
    fn dli_dose_boundaries() {
        let l = limit(LimitKind::DliCd3PerKg);
        for bad in [
            0.0,
            -1e5,
            999.0,
            1.0000001e9,
            1e308,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(!l.is_valid(bad), "{bad}");
        }
        for ok in [1e3, 1e5, 1e9] {
            assert!(l.is_valid(ok), "{ok}");
        }
        assert!(!l.is_implausible(5e8) && l.is_implausible(5.1e8));
    }

    #[test]
    fn exclusive_minimum() {
        let l = limit(LimitKind::CarTDosePerKg);
        assert!(!l.is_valid(0.0));
        assert!(l.is_valid(1.0));
    }
}

//! The single table of physiological and clinical limits: the range a value
//! must fall in to be read at all (outside it the file is invalid, exit 2)
//! and the level above which it is only implausible (a warning).
//!
//! Every reader and every rule that needs such a bound takes it from
//! [`LIMITS`] through [`limit`], so a bound is written once. The bounds are
//! deliberately wide: they reject typing errors (a dose of 0, 1e308, a
//! negative count), never unusual but real values.
//!
//! | quantity | unit | valid range | implausible above | why |
//! |---|---|---|---|---|
//! | DLI CD3+ dose | cells/kg | 1×10³ – 1×10⁹ (both inclusive; 0 rejected) | 5×10⁸ | published DLI doses run 1×10⁴ – 1×10⁸ CD3+/kg (Dholaria 2020; Pagliuca 2024); an unmanipulated PBSC graft carries ~2–3×10⁸ |
//! | CAR-T dose | cells/kg | > 0 – 1×10⁹ | 5×10⁸ | labelled doses 0.2–2.5×10⁶/kg up to ~1×10⁸ total per kg for investigational products |
//! | graft TNC | cells/kg | 0 – 1×10¹⁰ | 3×10⁹ | PBSC TNC ≈ 1×10⁹/kg |
//! | graft CD34+ | cells/kg | 0 – 1×10⁸ | 3×10⁷ | PBSC CD34+ 2–10×10⁶/kg |
//! | graft CD3+ | cells/kg | 0 – 5×10⁹ | 1×10⁹ | PBSC CD3+ 1–5×10⁸/kg |
//! | drug dose | any | > 0 – 1×10⁶ | – | a dose of 0 or a negative dose is a typing error |

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
    /// The expectation in words, for messages.
    pub expected: &'static str,
}

impl Limit {
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
        expected: "a CD3+ dose between 1e3 and 1e9 cells/kg (DLI doses are 1e4-1e8/kg)",
    },
    Limit {
        kind: LimitKind::CarTDosePerKg,
        min: 0.0,
        min_inclusive: false,
        max: 1e9,
        warn_above: 5e8,
        expected: "a CAR-T dose greater than 0 and at most 1e9 cells/kg",
    },
    Limit {
        kind: LimitKind::GraftTncPerKg,
        min: 0.0,
        min_inclusive: true,
        max: 1e10,
        warn_above: 3e9,
        expected: "a total nucleated cell dose between 0 and 1e10 cells/kg",
    },
    Limit {
        kind: LimitKind::GraftCd34PerKg,
        min: 0.0,
        min_inclusive: true,
        max: 1e8,
        warn_above: 3e7,
        expected: "a CD34+ dose between 0 and 1e8 cells/kg",
    },
    Limit {
        kind: LimitKind::GraftCd3PerKg,
        min: 0.0,
        min_inclusive: true,
        max: 5e9,
        warn_above: 1e9,
        expected: "a CD3+ dose between 0 and 5e9 cells/kg",
    },
    Limit {
        kind: LimitKind::DrugDose,
        min: 0.0,
        min_inclusive: false,
        max: 1e6,
        warn_above: f64::INFINITY,
        expected: "a dose greater than 0 and at most 1e6 in its unit",
    },
];

/// The limit of a quantity.
pub fn limit(kind: LimitKind) -> &'static Limit {
    // Every kind has exactly one row (tested below).
    LIMITS.iter().find(|l| l.kind == kind).unwrap_or(&LIMITS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! Numeric helpers shared by the GVHD, CRS and ICANS rules: boundary
//! comparisons with a floating-point tolerance, half-up rounding and input
//! range checks.
//!
//! Values converted or computed in floating point (51.3 µmol/L ÷ 17.1 =
//! 2.9999999999999996 mg/dL; 0.1 + 0.2 = 0.30000000000000004) must not cross
//! a published boundary because of binary rounding, so every comparison against a threshold treats values
//! within [`EPS`] (relative) of the threshold as equal to it. Clinical
//! measurements are never reported to more than a few decimals, so this
//! tolerance never changes a real result.

/// Relative tolerance for threshold comparisons.
pub const EPS: f64 = 1e-9;

fn tol(bound: f64) -> f64 {
    EPS * bound.abs().max(1.0)
}

/// `value > bound`, treating values within tolerance of `bound` as equal.
pub fn gt(value: f64, bound: f64) -> bool {
    value > bound + tol(bound)
}

/// `value >= bound`, treating values within tolerance of `bound` as equal.
pub fn ge(value: f64, bound: f64) -> bool {
    value >= bound - tol(bound)
}

/// `value < bound` (the negation of [`ge`]).
pub fn lt(value: f64, bound: f64) -> bool {
    !ge(value, bound)
}

/// `value <= bound` (the negation of [`gt`]).
pub fn le(value: f64, bound: f64) -> bool {
    !gt(value, bound)
}

/// Rounds half up to an integer (engine decision 8): 18.5 → 19, 79.5 → 80,
/// 79.4 → 79. Only used for non-negative percentages. A tolerance keeps
/// 18.499999999 (a binary artefact of 18.5) rounding up as well.
pub fn round_half_up(value: f64) -> f64 {
    (value + 0.5 + EPS).floor()
}

/// True when `value` is finite and within `lo..=hi`.
pub fn in_range(value: f64, lo: f64, hi: f64) -> bool {
    value.is_finite() && value >= lo && value <= hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_keeps_converted_values_on_the_boundary() {
        let v = (0.1_f64 + 0.2) * 10.0; // 3.0000000000000004
        assert!(v > 3.0, "binary artefact exists: {v}");
        let w = 51.3 / 17.1; // 2.9999999999999996
        assert!(w < 3.0 && ge(w, 3.0) && !gt(w, 3.0));
        assert!(!gt(v, 3.0));
        assert!(le(v, 3.0));
        assert!(gt(3.05, 3.0));
        assert!(ge(3.0, 3.0) && !ge(2.99, 3.0));
        assert!(lt(2.99, 3.0) && !lt(3.0, 3.0));
    }

    #[test]
    fn half_up() {
        assert_eq!(round_half_up(18.5), 19.0);
        assert_eq!(round_half_up(18.49), 18.0);
        assert_eq!(round_half_up(79.5), 80.0);
        assert_eq!(round_half_up(79.4), 79.0);
        assert_eq!(round_half_up(0.0), 0.0);
    }
}

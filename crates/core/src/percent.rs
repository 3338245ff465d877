//! Shares of a whole: [`Percent`] (0–100, what users read) and [`Fraction`]
//! (0–1, what probability arithmetic wants).
//!
//! Both are finite and in range by construction and serialise as the bare
//! number, so a JSON or TOML field keeps its spelling; the field's name says
//! which scale it is on (`*_percent` is 0–100 everywhere in graftwatch's
//! outputs). Deserialising an out-of-range number is an error naming the
//! value and the range.
//!
//! Estimators may produce a raw value a little outside the range (a
//! least-squares fit, a confidence-interval end); they keep that as `f64`
//! and say where they bound it ([`Percent::clamp`], [`Fraction::clamp`]).
//! Quantities that may exceed 100 % (FEV1 or DLCO as % predicted, a qPCR
//! transcript ratio) are not shares of a whole and stay plain numbers.
//!
//! Neither type implements `Display`: every text names its own format
//! (`{:.1}` of [`Percent::get`], with or without a `%`), so a change of
//! type can never change a printed value unnoticed.

use serde::{Deserialize, Serialize};

/// Error for a percentage outside 0–100 or not finite.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0} is not a percentage between 0 and 100")]
pub struct PercentError(pub f64);

/// Error for a fraction outside 0–1 or not finite.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0} is not a fraction between 0 and 1")]
pub struct FractionError(pub f64);

/// A finite percentage in [0, 100].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Percent(f64);

impl Percent {
    /// 0 %.
    pub const ZERO: Percent = Percent(0.0);
    /// 100 %.
    pub const HUNDRED: Percent = Percent(100.0);

    /// Checks the range.
    pub fn new(v: f64) -> Result<Percent, PercentError> {
        if v.is_finite() && (0.0..=100.0).contains(&v) {
            // `+ 0.0` turns −0 into 0 (it would print as "-0.00").
            Ok(Percent(v + 0.0))
        } else {
            Err(PercentError(v))
        }
    }
    /// A constant known to be in range (thresholds, defaults); a value out
    /// of range fails to compile in a `const` and panics otherwise.
    pub const fn lit(v: f64) -> Percent {
        assert!(v >= 0.0 && v <= 100.0, "percentage literal out of 0–100");
        Percent(v)
    }
    /// A raw estimate bounded to [0, 100]; `None` when it is not finite.
    pub fn clamp(v: f64) -> Option<Percent> {
        v.is_finite().then(|| Percent(v.clamp(0.0, 100.0) + 0.0))
    }
    /// From a fraction in [0, 1].
    pub fn from_fraction(f: f64) -> Result<Percent, PercentError> {
        Percent::new(f * 100.0)
    }
    /// The value in percent.
    pub const fn get(self) -> f64 {
        self.0
    }
    /// The value as a fraction in [0, 1].
    pub fn fraction(self) -> f64 {
        self.0 / 100.0
    }
    /// The rest of the whole: 100 − self (the recipient's share from the
    /// donors', say).
    pub fn complement(self) -> Percent {
        Percent((100.0 - self.0).clamp(0.0, 100.0))
    }
    /// Total order (the value is finite, so this is the numeric order).
    pub fn total_cmp(&self, other: &Percent) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
    /// The larger of two.
    pub fn max(self, other: Percent) -> Percent {
        Percent(self.0.max(other.0))
    }
}

impl From<Percent> for f64 {
    fn from(p: Percent) -> f64 {
        p.0
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Percent::new(v).map_err(serde::de::Error::custom)
    }
}

impl From<Fraction> for Percent {
    fn from(f: Fraction) -> Percent {
        f.percent()
    }
}

/// A finite fraction in [0, 1] (a share of reads, a probability). Shown to
/// users as a [`Percent`]; kept as a fraction where the arithmetic wants it.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Fraction(f64);

impl Fraction {
    /// 0.
    pub const ZERO: Fraction = Fraction(0.0);
    /// 1.
    pub const ONE: Fraction = Fraction(1.0);

    /// Checks the range.
    pub fn new(v: f64) -> Result<Fraction, FractionError> {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(Fraction(v + 0.0))
        } else {
            Err(FractionError(v))
        }
    }
    /// A constant known to be in range; see [`Percent::lit`].
    pub const fn lit(v: f64) -> Fraction {
        assert!(v >= 0.0 && v <= 1.0, "fraction literal out of 0–1");
        Fraction(v)
    }
    /// A raw estimate bounded to [0, 1]; `None` when it is not finite.
    pub fn clamp(v: f64) -> Option<Fraction> {
        v.is_finite().then(|| Fraction(v.clamp(0.0, 1.0) + 0.0))
    }
    /// The value as a fraction in [0, 1].
    pub const fn get(self) -> f64 {
        self.0
    }
    /// The same share in percent.
    pub fn percent(self) -> Percent {
        Percent((self.0 * 100.0).clamp(0.0, 100.0))
    }
    /// 1 − self.
    pub fn complement(self) -> Fraction {
        Fraction((1.0 - self.0).clamp(0.0, 1.0))
    }
    /// Total order (the value is finite, so this is the numeric order).
    pub fn total_cmp(&self, other: &Fraction) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl From<Fraction> for f64 {
    fn from(f: Fraction) -> f64 {
        f.0
    }
}

impl From<Percent> for Fraction {
    fn from(p: Percent) -> Fraction {
        Fraction(p.fraction().clamp(0.0, 1.0))
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Fraction::new(v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_bounds_both_sides() {
        assert!(Percent::new(0.0).is_ok());
        assert!(Percent::new(100.0).is_ok());
        assert!(Percent::new(-0.001).is_err());
        assert!(Percent::new(100.001).is_err());
        assert!(Percent::new(f64::NAN).is_err());
        assert!(Percent::new(f64::INFINITY).is_err());
        // −0 is stored as 0: it never prints as "-0.00".
        assert_eq!(format!("{:.2}", Percent::new(-0.0).unwrap().get()), "0.00");
        assert_eq!(
            format!("{:.2}", Percent::clamp(-1e-12).unwrap().get()),
            "0.00"
        );
        assert_eq!(
            format!("{:.2}", Percent::clamp(-0.0).unwrap().get()),
            "0.00"
        );
    }

    #[test]
    fn fraction_bounds_both_sides() {
        assert!(Fraction::new(0.0).is_ok());
        assert!(Fraction::new(1.0).is_ok());
        assert!(Fraction::new(-1e-9).is_err());
        assert!(Fraction::new(1.000_001).is_err());
        assert!(Fraction::new(f64::INFINITY).is_err());
        assert!(Fraction::new(f64::NAN).is_err());
    }

    #[test]
    fn conversions_keep_the_share() {
        let f = Fraction::new(0.25).unwrap();
        assert_eq!(f.percent().get(), 25.0);
        assert_eq!(Fraction::from(Percent::new(25.0).unwrap()), f);
        assert_eq!(Percent::from(f), Percent::lit(25.0));
        assert_eq!(Percent::lit(30.0).complement(), Percent::lit(70.0));
        assert_eq!(f.complement().get(), 0.75);
        assert_eq!(Percent::from_fraction(0.5).unwrap().get(), 50.0);
        assert!(Percent::from_fraction(1.01).is_err());
        assert_eq!(Percent::lit(40.0).fraction(), 0.4);
    }

    #[test]
    fn clamp_bounds_raw_estimates_and_refuses_non_finite() {
        assert_eq!(Percent::clamp(-0.3), Some(Percent::ZERO));
        assert_eq!(Percent::clamp(100.2), Some(Percent::HUNDRED));
        assert_eq!(Percent::clamp(42.0).map(Percent::get), Some(42.0));
        assert_eq!(Percent::clamp(f64::NAN), None);
        assert_eq!(Fraction::clamp(1.2), Some(Fraction::ONE));
        assert_eq!(Fraction::clamp(-0.1), Some(Fraction::ZERO));
        assert_eq!(Fraction::clamp(f64::NEG_INFINITY), None);
    }

    #[test]
    #[should_panic(expected = "out of 0–100")]
    fn percent_literal_out_of_range_panics() {
        let _ = Percent::lit(f64::from(101u8));
    }

    #[test]
    fn serialise_as_the_bare_number_and_check_on_read() {
        assert_eq!(serde_json::to_string(&Percent::lit(5.0)).unwrap(), "5.0");
        assert_eq!(serde_json::to_string(&Fraction::lit(0.25)).unwrap(), "0.25");
        assert_eq!(
            serde_json::from_str::<Percent>("5").unwrap(),
            Percent::lit(5.0)
        );
        let e = serde_json::from_str::<Percent>("101")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("101 is not a percentage between 0 and 100"),
            "{e}"
        );
        assert!(serde_json::from_str::<Fraction>("1.5").is_err());
    }
}

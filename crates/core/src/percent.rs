//! A percentage constrained to 0–100.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Error for a percentage outside 0–100 or not finite.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0} is not a percentage between 0 and 100")]
pub struct PercentError(pub f64);

/// A finite percentage in [0, 100].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Percent(f64);

impl Percent {
    /// Checks the range.
    pub fn new(v: f64) -> Result<Percent, PercentError> {
        if v.is_finite() && (0.0..=100.0).contains(&v) {
            Ok(Percent(v))
        } else {
            Err(PercentError(v))
        }
    }
    /// From a fraction in [0, 1].
    pub fn from_fraction(f: f64) -> Result<Percent, PercentError> {
        Percent::new(f * 100.0)
    }
    /// The value in percent.
    pub fn get(self) -> f64 {
        self.0
    }
    /// The value as a fraction in [0, 1].
    pub fn fraction(self) -> f64 {
        self.0 / 100.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Percent::new(v).map_err(serde::de::Error::custom)
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
    }
}

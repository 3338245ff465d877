//! Genomic positions: one type, 1-based inside (as VCF, SAM and noodles'
//! `Position`), with explicit conversions to and from 0-based coordinates
//! (BAM, BED, read walks). A position is never 0 and never converted by a
//! hand-written `- 1` / `+ 1`.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 1-based position on a contig. Serialised as its 1-based number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GenomicPosition(NonZeroU64);

impl GenomicPosition {
    /// The first base of a contig (1-based 1, 0-based 0).
    pub const MIN: GenomicPosition = GenomicPosition(NonZeroU64::MIN);

    /// From a 1-based number; `None` for 0.
    pub const fn from_one_based(p: u64) -> Option<GenomicPosition> {
        match NonZeroU64::new(p) {
            Some(n) => Some(GenomicPosition(n)),
            None => None,
        }
    }

    /// From a 0-based coordinate; `None` only for `u64::MAX`.
    pub const fn from_zero_based(p: u64) -> Option<GenomicPosition> {
        match p.checked_add(1) {
            Some(one) => GenomicPosition::from_one_based(one),
            None => None,
        }
    }

    /// The 1-based number (VCF POS, SAM POS).
    pub const fn one_based(self) -> u64 {
        self.0.get()
    }

    /// The 0-based coordinate (BAM pos, read walks).
    pub const fn zero_based(self) -> u64 {
        self.0.get() - 1
    }

    /// `n` bases further; `None` on overflow.
    pub const fn checked_add(self, n: u64) -> Option<GenomicPosition> {
        match self.0.checked_add(n) {
            Some(p) => Some(GenomicPosition(p)),
            None => None,
        }
    }
}

impl GenomicPosition {
    /// `n` bases further, stopping at the largest position.
    pub const fn saturating_add(self, n: u64) -> GenomicPosition {
        GenomicPosition(self.0.saturating_add(n))
    }
}

impl fmt::Display for GenomicPosition {
    /// The 1-based number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A text that is not a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a 1-based position (expected a whole number ≥ 1)")]
pub struct PositionError(pub String);

impl FromStr for GenomicPosition {
    type Err = PositionError;

    /// Parses a 1-based number (`0`, signs and non-digits are errors).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| s.parse::<u64>().ok())
            .flatten()
            .and_then(GenomicPosition::from_one_based)
            .ok_or_else(|| PositionError(s.to_string()))
    }
}

impl Serialize for GenomicPosition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.one_based())
    }
}

impl<'de> Deserialize<'de> for GenomicPosition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = u64::deserialize(d)?;
        GenomicPosition::from_one_based(p)
            .ok_or_else(|| serde::de::Error::custom("position 0: positions are 1-based"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_zero_based_views_of_the_same_base() {
        let p = GenomicPosition::from_one_based(100).unwrap();
        assert_eq!(p.one_based(), 100);
        assert_eq!(p.zero_based(), 99);
        assert_eq!(GenomicPosition::from_zero_based(99), Some(p));
        assert_eq!(GenomicPosition::MIN.zero_based(), 0);
        assert_eq!(p.to_string(), "100");
    }

    #[test]
    fn boundaries() {
        assert_eq!(GenomicPosition::from_one_based(0), None);
        assert_eq!(
            GenomicPosition::from_one_based(1),
            Some(GenomicPosition::MIN)
        );
        assert_eq!(
            GenomicPosition::from_zero_based(0),
            Some(GenomicPosition::MIN)
        );
        assert_eq!(GenomicPosition::from_zero_based(u64::MAX), None);
        assert!(GenomicPosition::from_zero_based(u64::MAX - 1).is_some());
        let last = GenomicPosition::from_one_based(u64::MAX).unwrap();
        assert_eq!(last.checked_add(1), None);
        assert_eq!(
            GenomicPosition::MIN.checked_add(4),
            GenomicPosition::from_one_based(5)
        );
    }

    #[test]
    fn parses_and_serialises_as_the_one_based_number() {
        assert_eq!("17".parse::<GenomicPosition>().unwrap().one_based(), 17);
        for bad in ["0", "-1", "", "1.5", "x", "+3"] {
            assert!(bad.parse::<GenomicPosition>().is_err(), "{bad}");
        }
        let p = GenomicPosition::from_one_based(42).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "42");
        assert_eq!(serde_json::from_str::<GenomicPosition>("42").unwrap(), p);
        assert!(serde_json::from_str::<GenomicPosition>("0").is_err());
    }
}

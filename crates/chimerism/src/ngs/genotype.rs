//! Diploid genotypes at biallelic markers, called from a person's pure
//! (pre-transplant) allele counts with depth and allele-fraction bands, or
//! supplied from a genotype VCF (FORMAT/GT).

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use crate::marker::AlleleCounts;

/// A diploid genotype at a biallelic marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Genotype {
    /// 0/0: two REF alleles.
    #[serde(rename = "0/0")]
    HomRef,
    /// 0/1: one REF and one ALT allele.
    #[serde(rename = "0/1")]
    Het,
    /// 1/1: two ALT alleles.
    #[serde(rename = "1/1")]
    HomAlt,
}

impl Genotype {
    /// Number of ALT alleles (0, 1 or 2).
    pub fn alt_dosage(self) -> u8 {
        match self {
            Genotype::HomRef => 0,
            Genotype::Het => 1,
            Genotype::HomAlt => 2,
        }
    }

    /// The genotype with this ALT dosage, `None` above 2.
    pub fn from_alt_dosage(d: u8) -> Option<Genotype> {
        match d {
            0 => Some(Genotype::HomRef),
            1 => Some(Genotype::Het),
            2 => Some(Genotype::HomAlt),
            _ => None,
        }
    }

    /// True for 0/0 and 1/1.
    pub fn is_homozygous(self) -> bool {
        !matches!(self, Genotype::Het)
    }

    /// VCF spelling: `0/0`, `0/1`, `1/1`.
    pub fn as_vcf(self) -> &'static str {
        match self {
            Genotype::HomRef => "0/0",
            Genotype::Het => "0/1",
            Genotype::HomAlt => "1/1",
        }
    }
}

impl std::fmt::Display for Genotype {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_vcf())
    }
}

/// Why no genotype could be assigned to a person at a marker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NoCall {
    /// The marker is absent from the person's input (or GT is `./.`).
    Missing,
    /// Fewer REF+ALT reads than the configured minimum.
    LowDepth {
        /// REF+ALT reads seen.
        depth: u32,
        /// Minimum required.
        min_depth: u32,
    },
    /// The ALT fraction falls between the homozygous and heterozygous bands.
    AmbiguousVaf {
        /// Observed ALT fraction.
        vaf: f64,
    },
    /// A genotype VCF gave a call that is not diploid biallelic (e.g. `1/2`).
    Unsupported,
}

impl std::fmt::Display for NoCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoCall::Missing => f.write_str("missing"),
            NoCall::LowDepth { depth, min_depth } => write!(f, "depth {depth} < {min_depth}"),
            NoCall::AmbiguousVaf { vaf } => {
                write!(f, "ALT fraction {vaf:.3} outside the genotype bands")
            }
            NoCall::Unsupported => f.write_str("genotype not diploid biallelic"),
        }
    }
}

/// A genotype, or the reason it could not be called.
pub type GenotypeCall = Result<Genotype, NoCall>;

/// Depth and allele-fraction bands for calling genotypes from pure samples.
///
/// Defaults: ≥ 30 reads; 0/0 at ALT fraction ≤ 0.10, 0/1 within
/// [0.25, 0.75], 1/1 at ≥ 0.90; anything else is a no-call (a pure sample
/// that is neither clearly homozygous nor heterozygous is contaminated,
/// copy-number altered or mis-amplified at that marker).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GenotypeConfig {
    /// Minimum REF+ALT reads.
    pub min_depth: u32,
    /// Highest ALT fraction called 0/0.
    pub hom_ref_max_vaf: Fraction,
    /// Lowest ALT fraction called 0/1.
    pub het_min_vaf: Fraction,
    /// Highest ALT fraction called 0/1.
    pub het_max_vaf: Fraction,
    /// Lowest ALT fraction called 1/1.
    pub hom_alt_min_vaf: Fraction,
}

impl Default for GenotypeConfig {
    fn default() -> Self {
        GenotypeConfig {
            min_depth: 30,
            hom_ref_max_vaf: Fraction::lit(0.10),
            het_min_vaf: Fraction::lit(0.25),
            het_max_vaf: Fraction::lit(0.75),
            hom_alt_min_vaf: Fraction::lit(0.90),
        }
    }
}

/// Calls one genotype from pure-sample counts (`None` = marker absent).
pub fn call_genotype(counts: Option<&AlleleCounts>, cfg: &GenotypeConfig) -> GenotypeCall {
    let Some(c) = counts else {
        return Err(NoCall::Missing);
    };
    let depth = c.depth();
    if depth < cfg.min_depth || depth == 0 {
        return Err(NoCall::LowDepth {
            depth,
            min_depth: cfg.min_depth,
        });
    }
    let vaf = f64::from(c.alt_count) / f64::from(depth);
    if vaf <= cfg.hom_ref_max_vaf.get() {
        Ok(Genotype::HomRef)
    } else if vaf >= cfg.hom_alt_min_vaf.get() {
        Ok(Genotype::HomAlt)
    } else if (cfg.het_min_vaf.get()..=cfg.het_max_vaf.get()).contains(&vaf) {
        Ok(Genotype::Het)
    } else {
        Err(NoCall::AmbiguousVaf { vaf })
    }
}

/// Calls genotypes at every marker of one person's pure sample.
pub fn call_genotypes(counts: &[Option<AlleleCounts>], cfg: &GenotypeConfig) -> Vec<GenotypeCall> {
    counts
        .iter()
        .map(|c| call_genotype(c.as_ref(), cfg))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngs::test_support::c;

    #[test]
    fn bands_both_sides() {
        let cfg = GenotypeConfig::default();
        assert_eq!(
            call_genotype(c(90, 10).as_ref(), &cfg),
            Ok(Genotype::HomRef)
        ); // 0.10 exactly
        assert!(matches!(
            call_genotype(c(89, 11).as_ref(), &cfg),
            Err(NoCall::AmbiguousVaf { .. })
        ));
        assert_eq!(call_genotype(c(75, 25).as_ref(), &cfg), Ok(Genotype::Het)); // 0.25 exactly
        assert!(matches!(
            call_genotype(c(76, 24).as_ref(), &cfg),
            Err(NoCall::AmbiguousVaf { .. })
        ));
        assert_eq!(call_genotype(c(25, 75).as_ref(), &cfg), Ok(Genotype::Het));
        assert!(matches!(
            call_genotype(c(24, 76).as_ref(), &cfg),
            Err(NoCall::AmbiguousVaf { .. })
        ));
        assert_eq!(
            call_genotype(c(10, 90).as_ref(), &cfg),
            Ok(Genotype::HomAlt)
        );
        assert!(matches!(
            call_genotype(c(11, 89).as_ref(), &cfg),
            Err(NoCall::AmbiguousVaf { .. })
        ));
    }

    #[test]
    fn depth_threshold_both_sides_and_missing() {
        let cfg = GenotypeConfig::default();
        assert_eq!(call_genotype(c(30, 0).as_ref(), &cfg), Ok(Genotype::HomRef));
        assert_eq!(
            call_genotype(c(29, 0).as_ref(), &cfg),
            Err(NoCall::LowDepth {
                depth: 29,
                min_depth: 30
            })
        );
        assert_eq!(call_genotype(None, &cfg), Err(NoCall::Missing));
    }

    #[test]
    fn dosage_round_trip() {
        for g in [Genotype::HomRef, Genotype::Het, Genotype::HomAlt] {
            assert_eq!(Genotype::from_alt_dosage(g.alt_dosage()), Some(g));
        }
        assert_eq!(Genotype::from_alt_dosage(3), None);
    }
}

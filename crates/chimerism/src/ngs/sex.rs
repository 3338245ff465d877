//! Sex chromosomes. Outside the pseudo-autosomal regions a man carries one
//! X and one Y, a woman two X and no Y, so the diploid mixture model
//! (ALT share = Σ f_k·h_k/2) is wrong on X/Y markers as soon as the persons
//! of a transplant differ in sex: a woman's cells put twice as many X copies
//! into the DNA pool as a man's. The sex of every person is read from their
//! own genotypes (heterozygous X markers outside the PARs ⇒ two X). When
//! every person has the same, known sex, X/Y markers behave like autosomes
//! (copy number is the same in everyone) and are used; otherwise they are
//! excluded from the fit and the sample carries a note (`NGS-SEX`).

use serde::{Deserialize, Serialize};

use super::genotype::{Genotype, GenotypeCall};
use crate::marker::Marker;

/// Sex as far as the copy number of X matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChromosomalSex {
    /// Two X chromosomes (heterozygous X markers seen).
    Female,
    /// One X chromosome (no heterozygous X marker among enough calls).
    Male,
}

impl ChromosomalSex {
    /// Word for output.
    pub fn as_str(self) -> &'static str {
        match self {
            ChromosomalSex::Female => "female (XX)",
            ChromosomalSex::Male => "male (XY)",
        }
    }
}

/// Which sex chromosome a marker lies on, outside the pseudo-autosomal
/// regions (PAR1/PAR2 positions of GRCh38 and GRCh37 together, so either
/// build works: X < 2,781,480 or > 154,931,043; Y < 2,781,480 or
/// > 56,887,902). `None` for autosomes, mitochondria and PAR markers.
pub fn sex_chromosome(marker: &Marker) -> Option<char> {
    let c = marker
        .chrom
        .strip_prefix("chr")
        .unwrap_or(&marker.chrom)
        .to_ascii_uppercase();
    let pos = marker.pos.one_based();
    match c.as_str() {
        "X" | "23" if (2_781_480..=154_931_043).contains(&pos) => Some('X'),
        "Y" | "24" if (2_781_480..=56_887_902).contains(&pos) => Some('Y'),
        _ => None,
    }
}

/// Minimum called non-PAR X markers to infer a person's sex.
pub const MIN_X_CALLS: usize = 10;

/// A person's sex from their genotype calls: female when at least 2 and at
/// least 5% of the called non-PAR X markers are heterozygous, male when
/// none (or one, below 2%) is, otherwise unknown (`None`). Unknown also when
/// fewer than [`MIN_X_CALLS`] X markers are called.
pub fn infer_sex(markers: &[Marker], calls: &[GenotypeCall]) -> Option<ChromosomalSex> {
    let mut called = 0usize;
    let mut het = 0usize;
    for (m, c) in markers.iter().zip(calls) {
        if sex_chromosome(m) != Some('X') {
            continue;
        }
        if let Ok(g) = c {
            called += 1;
            het += usize::from(*g == Genotype::Het);
        }
    }
    if called < MIN_X_CALLS {
        return None;
    }
    let share = het as f64 / called as f64;
    if het >= 2 && share >= 0.05 {
        Some(ChromosomalSex::Female)
    } else if share < 0.02 {
        Some(ChromosomalSex::Male)
    } else {
        None
    }
}

/// Whether X/Y markers can be used for this set of persons, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SexCheck {
    /// Inferred sex per person (declared order), `None` = unknown.
    pub sexes: Vec<Option<ChromosomalSex>>,
    /// True when every person has the same known sex.
    pub sex_chromosomes_usable: bool,
}

/// Infers every person's sex; X/Y markers are usable only when all agree.
pub fn check_sexes(markers: &[Marker], genotypes: &[Vec<GenotypeCall>]) -> SexCheck {
    let sexes: Vec<Option<ChromosomalSex>> =
        genotypes.iter().map(|g| infer_sex(markers, g)).collect();
    let usable = sexes.first().copied().flatten().is_some() && sexes.iter().all(|s| *s == sexes[0]);
    SexCheck {
        sexes,
        sex_chromosomes_usable: usable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(chrom: &str, pos: u64) -> Marker {
        Marker {
            id: format!("{chrom}:{pos}"),
            chrom: chrom.into(),
            pos: graftwatch_core::GenomicPosition::from_one_based(pos).unwrap(),
            ref_allele: "A".into(),
            alt_allele: "G".into(),
        }
    }

    #[test]
    fn par_boundaries_both_sides() {
        assert_eq!(sex_chromosome(&m("chrX", 2_781_479)), None);
        assert_eq!(sex_chromosome(&m("chrX", 2_781_480)), Some('X'));
        assert_eq!(sex_chromosome(&m("X", 154_931_043)), Some('X'));
        assert_eq!(sex_chromosome(&m("X", 154_931_044)), None);
        assert_eq!(sex_chromosome(&m("chrY", 10_000_000)), Some('Y'));
        assert_eq!(sex_chromosome(&m("chrY", 57_000_000)), None);
        assert_eq!(sex_chromosome(&m("chr1", 10_000_000)), None);
        assert_eq!(sex_chromosome(&m("chrM", 100)), None);
    }

    #[test]
    fn infers_sex_from_x_heterozygosity() {
        let markers: Vec<Marker> = (0..20).map(|i| m("chrX", 10_000_000 + i)).collect();
        let male: Vec<GenotypeCall> = (0..20)
            .map(|i| {
                Ok(if i % 2 == 0 {
                    Genotype::HomRef
                } else {
                    Genotype::HomAlt
                })
            })
            .collect();
        let mut female = male.clone();
        female[0] = Ok(Genotype::Het);
        female[1] = Ok(Genotype::Het);
        assert_eq!(infer_sex(&markers, &male), Some(ChromosomalSex::Male));
        assert_eq!(infer_sex(&markers, &female), Some(ChromosomalSex::Female));
        // One het in 20 (5%) is neither: unknown.
        let mut one = male.clone();
        one[0] = Ok(Genotype::Het);
        assert_eq!(infer_sex(&markers, &one), None);
        // Too few calls.
        assert_eq!(infer_sex(&markers[..9], &male[..9]), None);
        let c = check_sexes(&markers, &[male.clone(), female]);
        assert!(!c.sex_chromosomes_usable);
        let c = check_sexes(&markers, &[male.clone(), male]);
        assert!(c.sex_chromosomes_usable);
    }
}

//! The mixture design: for every usable marker of a sample, the ALT/total
//! read counts and, for every person k, the probability q_k that a read
//! drawn from person k shows ALT (genotype dosage/2 passed through the error
//! model). The expected ALT read fraction is then p = Σ_k f_k·q_k.

use serde::{Deserialize, Serialize};

use super::error_model::ErrorRates;
use super::genotype::Genotype;
use super::site_model::SiteModel;

/// Overdispersion class of a marker: markers where every person is
/// homozygous ("homozygous contrast") and markers where someone is
/// heterozygous behave differently under PCR (allele-specific amplification
/// only matters in heterozygotes), so each class gets its own ρ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispersionClass {
    /// Every person homozygous.
    HomContrast,
    /// At least one person heterozygous.
    Het,
}

impl DispersionClass {
    /// Class of a marker from the genotypes of all persons.
    pub fn of(genotypes: &[Genotype]) -> DispersionClass {
        if genotypes.iter().all(|g| g.is_homozygous()) {
            DispersionClass::HomContrast
        } else {
            DispersionClass::Het
        }
    }
}

/// Overdispersion ρ per class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dispersion {
    /// ρ for homozygous-contrast markers.
    pub hom_contrast: f64,
    /// ρ for markers with a heterozygous person.
    pub het: f64,
}

impl Dispersion {
    /// ρ of a class.
    pub fn get(&self, c: DispersionClass) -> f64 {
        match c {
            DispersionClass::HomContrast => self.hom_contrast,
            DispersionClass::Het => self.het,
        }
    }
}

/// One usable marker in one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignRow {
    /// Index of the marker in the panel.
    pub marker: usize,
    /// ALT reads.
    pub alt: u32,
    /// REF+ALT reads.
    pub depth: u32,
    /// P(ALT read | read from person k), one per person.
    pub q: Vec<f64>,
    /// Overdispersion class.
    pub class: DispersionClass,
}

impl DesignRow {
    /// Builds a row from the persons' genotypes and the error rates.
    pub fn new(
        marker: usize,
        alt: u32,
        depth: u32,
        genotypes: &[Genotype],
        err: &ErrorRates,
    ) -> DesignRow {
        let q = genotypes
            .iter()
            .map(|g| err.alt_read_probability(f64::from(g.alt_dosage()) / 2.0))
            .collect();
        DesignRow {
            marker,
            alt,
            depth,
            q,
            class: DispersionClass::of(genotypes),
        }
    }

    /// A row whose per-person read probabilities come from the marker's own
    /// read model (site error rates, heterozygote allele balance).
    pub fn from_site(
        marker: usize,
        alt: u32,
        depth: u32,
        genotypes: &[Genotype],
        site: &SiteModel,
    ) -> DesignRow {
        DesignRow {
            marker,
            alt,
            depth,
            q: genotypes
                .iter()
                .map(|g| site.alt_read_probability(*g))
                .collect(),
            class: DispersionClass::of(genotypes),
        }
    }

    /// Expected ALT read probability for fractions `f`.
    pub fn p(&self, f: &[f64]) -> f64 {
        self.q.iter().zip(f).map(|(q, f)| q * f).sum()
    }
}

/// All usable markers of a sample; `persons` columns (recipient first).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Number of persons (recipient + donors).
    pub persons: usize,
    /// Usable markers.
    pub rows: Vec<DesignRow>,
}

impl Design {
    /// Number of rows of a class.
    pub fn count(&self, c: DispersionClass) -> usize {
        self.rows.iter().filter(|r| r.class == c).count()
    }
}

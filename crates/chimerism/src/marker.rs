//! Biallelic NGS markers and per-sample allele counts: the shared currency
//! between the readers in `graftwatch-genomics-io` (VCF AD, BAM pileup,
//! FASTQ k-mer matching) and the NGS estimator.

use graftwatch_core::GenomicPosition;
use serde::{Deserialize, Serialize};

/// A biallelic marker (SNP or indel), VCF-style: 1-based position, REF and
/// ALT alleles as written in a normalised, left-aligned sites VCF.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Marker {
    /// Marker id (VCF ID column, or `CHROM:POS:REF:ALT` when absent).
    pub id: String,
    /// Contig name.
    pub chrom: String,
    /// Position of the first REF base (VCF POS).
    pub pos: GenomicPosition,
    /// Reference allele.
    pub ref_allele: String,
    /// Alternate allele.
    pub alt_allele: String,
}

impl Marker {
    /// True when REF and ALT differ in length (insertion or deletion).
    pub fn is_indel(&self) -> bool {
        self.ref_allele.len() != self.alt_allele.len()
    }
}

/// Reads supporting each allele of one marker in one sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlleleCounts {
    /// Reads supporting REF.
    pub ref_count: u32,
    /// Reads supporting ALT.
    pub alt_count: u32,
    /// Reads supporting neither (other bases, other indels); not used by the
    /// biallelic model but kept for QC.
    pub other: u32,
}

impl AlleleCounts {
    /// REF + ALT.
    pub fn depth(&self) -> u32 {
        self.ref_count + self.alt_count
    }
}

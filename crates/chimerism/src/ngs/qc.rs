//! Quality control: standardised residuals with the same error and
//! overdispersion model as the fit, marker outlier detection with a
//! family-wise (Bonferroni) threshold, a goodness-of-fit test, and the
//! sample-identity check at markers where every declared person is
//! homozygous for the same allele.

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use super::design::{Design, Dispersion, DispersionClass};
use super::likelihood::count_variance;
use super::math::{chi2_sf, normal_quantile};

/// A named QC finding attached to a sample result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QcFlag {
    /// Stable code.
    pub code: QcCode,
    /// Human-readable explanation naming the markers / persons involved.
    pub text: String,
}

/// QC flag codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QcCode {
    /// Alleles no declared person carries: unknown contributor or sample swap.
    #[serde(rename = "NGS-ID")]
    Identity,
    /// The model fits the sample poorly overall.
    #[serde(rename = "NGS-FIT")]
    PoorFit,
    /// Markers with extreme residuals were excluded and the sample refitted.
    #[serde(rename = "NGS-OUTLIER")]
    Outliers,
    /// Donors with too few discriminating markers were not split.
    #[serde(rename = "NGS-SPLIT")]
    DonorsNotSplit,
    /// No pure-sample reads: error rates are the prior, not learned.
    #[serde(rename = "NGS-ERR-PRIOR")]
    ErrorPrior,
    /// No marker qualifies for the recipient-presence test.
    #[serde(rename = "NGS-NO-PRESENCE-TEST")]
    NoPresenceTest,
    /// Recipient not detected, but the sample's recipient LoD is above the
    /// configured sensitivity target: the negative result does not exclude
    /// recipient DNA at the target level.
    #[serde(rename = "NGS-LOD")]
    LodAboveTarget,
    /// Markers removed by marker QC before or during the fit (allele not
    /// seen, reference allele balance, depth outlier); each is listed.
    #[serde(rename = "NGS-MARKER-QC")]
    MarkerQc,
    /// Every indel of the sample left out: most lost an allele.
    #[serde(rename = "NGS-INDELS")]
    IndelsExcluded,
    /// X/Y markers left out because the persons differ in sex (note).
    #[serde(rename = "NGS-SEX")]
    SexChromosomes,
    /// Markers on a contig the sample's alignment file lacks were skipped.
    #[serde(rename = "NGS-CONTIG")]
    ContigMissing,
}

impl QcCode {
    /// The code as printed (`NGS-ID`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            QcCode::Identity => "NGS-ID",
            QcCode::PoorFit => "NGS-FIT",
            QcCode::Outliers => "NGS-OUTLIER",
            QcCode::DonorsNotSplit => "NGS-SPLIT",
            QcCode::ErrorPrior => "NGS-ERR-PRIOR",
            QcCode::NoPresenceTest => "NGS-NO-PRESENCE-TEST",
            QcCode::LodAboveTarget => "NGS-LOD",
            QcCode::MarkerQc => "NGS-MARKER-QC",
            QcCode::IndelsExcluded => "NGS-INDELS",
            QcCode::SexChromosomes => "NGS-SEX",
            QcCode::ContigMissing => "NGS-CONTIG",
        }
    }
}

/// Standardised residual (k − n·p)/sd of every row at fractions `f`.
pub fn residuals(design: &Design, rho: &Dispersion, f: &[f64]) -> Vec<f64> {
    design
        .rows
        .iter()
        .map(|r| {
            let p = r.p(f);
            (f64::from(r.alt) - f64::from(r.depth) * p)
                / count_variance(r.depth, p, r.rho(rho)).sqrt()
        })
        .collect()
}

/// Two-sided Bonferroni threshold on |residual| for `m` markers at
/// family-wise level `alpha`.
pub fn bonferroni_threshold(m: usize, alpha: f64) -> f64 {
    normal_quantile(1.0 - alpha / (2.0 * m.max(1) as f64))
}

/// Pearson goodness of fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GoodnessOfFit {
    /// Σ residual².
    pub chi2: f64,
    /// Markers − free fractions − fitted ρ values.
    pub df: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// chi2 / df.
    pub reduced_chi2: f64,
}

/// Goodness of fit from residuals.
pub fn goodness_of_fit(design: &Design, res: &[f64]) -> GoodnessOfFit {
    let n_rho = if design.count(DispersionClass::HomContrast) >= super::fit::MIN_MARKERS_PER_CLASS
        && design.count(DispersionClass::Het) >= super::fit::MIN_MARKERS_PER_CLASS
    {
        2.0
    } else {
        1.0
    };
    let chi2: f64 = res.iter().map(|r| r * r).sum();
    let df = (res.len() as f64 - (design.persons as f64 - 1.0) - n_rho).max(1.0);
    GoodnessOfFit {
        chi2,
        df,
        p_value: chi2_sf(chi2, df),
        reduced_chi2: chi2 / df,
    }
}

/// Identity-check verdict at one marker where every declared person is
/// homozygous for the same allele.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UnexplainedAllele {
    /// Reads of the allele nobody carries.
    pub reads: u32,
    /// Their fraction of REF+ALT.
    #[serde(rename = "percent_of_reads", with = "super::result::percent::value")]
    pub fraction: Fraction,
    /// One-sided z against sequencing error.
    pub z: f64,
}

/// Tests reads of the allele no declared person carries: `x` of `n` reads,
/// error rate `e`, overdispersion `rho`. Returns the finding when it is both
/// significant (`z > z_crit`) and large (fraction above 3·e + 0.2%).
pub fn unexplained_allele(
    x: u32,
    n: u32,
    e: f64,
    rho: f64,
    z_crit: f64,
) -> Option<UnexplainedAllele> {
    if n == 0 {
        return None;
    }
    let nf = f64::from(n);
    let z = (f64::from(x) - nf * e) / count_variance(n, e, rho).sqrt();
    let fraction = f64::from(x) / nf;
    (z > z_crit && fraction > 3.0 * e + 0.002).then_some(UnexplainedAllele {
        reads: x,
        // x of n > 0 reads: finite; in [0, 1] when x ≤ n, as for read counts.
        fraction: Fraction::clamp(fraction).unwrap_or(Fraction::ONE),
        z,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexplained_allele_gates() {
        // 5000 reads at error 0.001: 5 expected. 40 reads (0.8%) is flagged, 8 is not.
        assert!(unexplained_allele(40, 5000, 0.001, 1e-4, 4.0).is_some());
        assert!(unexplained_allele(8, 5000, 0.001, 1e-4, 4.0).is_none());
        // Significant but tiny (below 3e + 0.2%) is not flagged.
        assert!(unexplained_allele(2_400, 1_000_000, 0.001, 0.0, 4.0).is_none());
    }

    #[test]
    fn bonferroni_grows_with_markers() {
        assert!(bonferroni_threshold(72, 0.01) > bonferroni_threshold(10, 0.01));
        assert!((bonferroni_threshold(1, 0.05) - 1.959_963_98).abs() < 1e-6);
    }
}

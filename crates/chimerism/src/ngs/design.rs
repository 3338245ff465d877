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
    /// Allele-amplification model of the row, when its q are a
    /// linearisation (see [`AmplificationModel`]).
    pub amplification: Option<AmplificationModel>,
    /// Variance of the estimated error rates (REF→ALT, ALT→REF): their
    /// uncertainty, added to the read variance in detection limits and the
    /// presence test (0 = rates taken as known).
    pub error_var: [f64; 2],
    /// SD of the error shared by every row's rates (REF→ALT, ALT→REF), see
    /// [`SiteModel::common_error_sd`]: it moves all rows at once, so it
    /// enters the detection limits and the presence test as one term, not
    /// row by row.
    pub common_error_sd: [f64; 2],
}

/// Allele amplification at one marker: ALT molecules are amplified (or
/// captured) w times as efficiently as REF molecules. A person with ALT
/// dosage h contributes a_k = h·w/2 ALT and c_k = (h·w + 2 − h)/2 total
/// amplified copies per unit of DNA, so the mixture's ALT share is
/// Σ f_k a_k / Σ f_k c_k — at a heterozygote w/(1 + w), and for a small
/// fraction f of a minor allele ≈ f·w, not f·2w/(1 + w) as a linear
/// "biased heterozygote" model would say. The rows keep the fit linear,
/// q_k = e_ra + a_k/D·(1 − e_ra − e_ar) with D = Σ f̂_j c_j evaluated at the
/// current estimate, and are re-linearised after each fit (a fixed point:
/// at convergence the expected read fraction is exact).
#[derive(Debug, Clone, PartialEq)]
pub struct AmplificationModel {
    /// ALT copies per unit DNA, per person.
    pub alt: Vec<f64>,
    /// All copies per unit DNA, per person.
    pub total: Vec<f64>,
    /// REF→ALT error.
    pub ref_to_alt: f64,
    /// ALT→REF error.
    pub alt_to_ref: f64,
    /// Posterior variance s² of the log amplification ratio: the expected
    /// ALT share is E[expit(logit v + β)], β ~ N(0, s²) — for a minor allele
    /// ≈ v·e^{s²/2}, the Jensen effect of unknown site bias.
    pub log_var: f64,
    /// Overdispersion the unknown part of the site's amplification adds to
    /// the row's reads: the ALT share's variance from β ~ N(0, s²) is
    /// ≈ (v(1 − v))² s², i.e. a beta-binomial ρ of v(1 − v)·s² on top of
    /// the class ρ (v = the expected share at the linearisation point).
    /// Without it, markers whose bias no reference shows (no heterozygous
    /// reference) weigh as much as those whose bias is known, and their
    /// spread inflates the whole class's ρ.
    pub extra_rho: f64,
}

/// E[expit(logit(v) + β)] for β ~ N(0, s2), by 10-point Gauss–Hermite.
pub fn logit_normal_mean(v: f64, s2: f64) -> f64 {
    if s2 <= 0.0 || v <= 0.0 || v >= 1.0 {
        return v;
    }
    // Nodes and weights of the physicists' Hermite rule (n = 10).
    const X: [f64; 5] = [
        0.342_901_327_223_704_6,
        1.036_610_829_789_514,
        1.756_683_649_299_882,
        2.532_731_674_232_79,
        3.436_159_118_837_738,
    ];
    const W: [f64; 5] = [
        0.610_862_633_735_325_8,
        0.240_138_611_082_314_7,
        0.033_874_394_455_481_1,
        0.001_343_645_746_781_233,
        7.640_432_855_232_62e-6,
    ];
    let l = (v / (1.0 - v)).ln();
    let sd = (2.0 * s2).sqrt();
    let mut acc = 0.0;
    for (x, w) in X.iter().zip(W) {
        for sign in [-1.0, 1.0] {
            let z = l + sign * sd * x;
            acc += w / (1.0 + (-z).exp());
        }
    }
    acc / std::f64::consts::PI.sqrt()
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
            amplification: None,
            error_var: [0.0; 2],
            common_error_sd: [0.0; 2],
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
        let b = site.het_alt_fraction.get().clamp(0.05, 0.95);
        let w = b / (1.0 - b);
        let amp = AmplificationModel {
            alt: genotypes
                .iter()
                .map(|g| f64::from(g.alt_dosage()) * w / 2.0)
                .collect(),
            total: genotypes
                .iter()
                .map(|g| {
                    let h = f64::from(g.alt_dosage());
                    (h * w + 2.0 - h) / 2.0
                })
                .collect(),
            ref_to_alt: site.rates.ref_to_alt,
            alt_to_ref: site.rates.alt_to_ref,
            log_var: site.log_amplification_var,
            extra_rho: 0.0,
        };
        let mut row = DesignRow {
            marker,
            alt,
            depth,
            q: vec![0.0; genotypes.len()],
            class: DispersionClass::of(genotypes),
            amplification: Some(amp),
            error_var: site.error_var,
            common_error_sd: site.common_error_sd,
        };
        let k = genotypes.len() as f64;
        row.relinearise(&vec![1.0 / k; genotypes.len()]);
        row
    }

    /// Variance of the ALT read fraction at expected fraction `p` due to
    /// the uncertainty of the error rates.
    pub fn error_variance(&self, p: f64) -> f64 {
        (1.0 - p).powi(2) * self.error_var[0] + p * p * self.error_var[1]
    }

    /// Re-computes q at the mixture `f` (rows with an amplification model;
    /// others are unchanged).
    pub fn relinearise(&mut self, f: &[f64]) {
        let Some(a) = &self.amplification else {
            return;
        };
        let d: f64 = a.total.iter().zip(f).map(|(c, f)| c * f).sum();
        if d <= 0.0 {
            return;
        }
        let span = 1.0 - a.ref_to_alt - a.alt_to_ref;
        let v: f64 = a.alt.iter().zip(f).map(|(x, f)| x * f).sum::<f64>() / d;
        let jensen = if v > 0.0 && v < 1.0 {
            logit_normal_mean(v, a.log_var) / v
        } else {
            1.0
        };
        let vj = (v * jensen).clamp(0.0, 1.0);
        let extra_rho = (vj * (1.0 - vj) * a.log_var).min(0.25);
        if let Some(a) = &mut self.amplification {
            a.extra_rho = extra_rho;
        }
        let Some(a) = &self.amplification else {
            return;
        };
        // No cap at 1: q_k is the slope of the mixture's ALT share in f_k
        // at the linearisation point, not a read probability. A homozygous
        // ALT person whose allele is amplified more than the others' has
        // a_k/D > 1 (e.g. 2w/(1 + w) beside heterozygotes); capping it read
        // such a minor contributor's reads as too few for its fraction
        // (recipient over-estimated, overdispersion inflated).
        for (q, x) in self.q.iter_mut().zip(&a.alt) {
            *q = a.ref_to_alt + x / d * jensen * span;
        }
    }

    /// The row's overdispersion: its class's ρ plus what the unknown part
    /// of its amplification adds ([`AmplificationModel::extra_rho`]).
    pub fn rho(&self, d: &Dispersion) -> f64 {
        d.get(self.class) + self.amplification.as_ref().map_or(0.0, |a| a.extra_rho)
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
    /// Re-linearises every row at `f` (see [`AmplificationModel`]).
    pub fn relinearise(&mut self, f: &[f64]) {
        for r in &mut self.rows {
            r.relinearise(f);
        }
    }

    /// Number of rows of a class.
    pub fn count(&self, c: DispersionClass) -> usize {
        self.rows.iter().filter(|r| r.class == c).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logit_normal_mean_matches_known_values() {
        // No spread: identity; symmetric at 0.5.
        assert_eq!(logit_normal_mean(0.01, 0.0), 0.01);
        assert!((logit_normal_mean(0.5, 0.3) - 0.5).abs() < 1e-12);
        // Small v: ≈ v·e^{s²/2}.
        let m = logit_normal_mean(1e-4, 0.09);
        assert!((m / 1e-4 - (0.045f64).exp()).abs() < 2e-3, "{m}");
        // Large v: 1 − m ≈ (1 − v)·e^{s²/2}.
        let m = logit_normal_mean(1.0 - 1e-4, 0.09);
        assert!(((1.0 - m) / 1e-4 - (0.045f64).exp()).abs() < 2e-3, "{m}");
    }
}

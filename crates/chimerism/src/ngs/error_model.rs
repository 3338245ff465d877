//! Sequencing (and PCR) error model: the probability that a read from a
//! true REF allele shows ALT and vice versa, per allele class (SNP, indel),
//! learned from the pure samples at markers where the person is homozygous.

use serde::{Deserialize, Serialize};

use super::genotype::{Genotype, GenotypeCall};
use crate::marker::{AlleleCounts, Marker};

/// Allele class of a marker; errors differ between SNPs and indels
/// (homopolymer slippage makes indel errors several-fold more frequent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlleleClass {
    /// REF and ALT of equal length.
    Snp,
    /// REF and ALT of different lengths.
    Indel,
}

impl AlleleClass {
    /// Class of a marker.
    pub fn of(marker: &Marker) -> AlleleClass {
        if marker.is_indel() {
            AlleleClass::Indel
        } else {
            AlleleClass::Snp
        }
    }
}

/// Directional error rates of one allele class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorRates {
    /// P(read shows ALT | molecule carries REF).
    pub ref_to_alt: f64,
    /// P(read shows REF | molecule carries ALT).
    pub alt_to_ref: f64,
    /// Reads at homozygous-REF markers used to learn `ref_to_alt`.
    pub ref_reads_seen: u64,
    /// Reads at homozygous-ALT markers used to learn `alt_to_ref`.
    pub alt_reads_seen: u64,
}

impl ErrorRates {
    /// P(ALT read) for a molecule mix with ALT fraction `v`.
    pub fn alt_read_probability(&self, v: f64) -> f64 {
        self.ref_to_alt + v * (1.0 - self.ref_to_alt - self.alt_to_ref)
    }
}

/// Where the error rates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorSource {
    /// Learned from pure samples (shrunk towards the prior).
    Learned,
    /// No pure-sample reads (genotypes came from a GT VCF): prior only.
    Prior,
}

impl ErrorSource {
    /// In words, for tables and reports.
    pub fn label(self) -> &'static str {
        match self {
            ErrorSource::Learned => "learned from the pure reference samples",
            ErrorSource::Prior => "prior only (no reference reads)",
        }
    }
}

/// Prior used when learning error rates: a pseudo-count of `prior_reads`
/// reads at rate `prior_rate`, plus a floor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorConfig {
    /// Prior SNP error rate per direction.
    pub snp_prior_rate: f64,
    /// Prior indel error rate per direction.
    pub indel_prior_rate: f64,
    /// Weight of the prior, in reads.
    pub prior_reads: f64,
    /// Lowest rate ever used (keeps the likelihood finite).
    pub floor: f64,
}

impl Default for ErrorConfig {
    fn default() -> Self {
        ErrorConfig {
            snp_prior_rate: 1e-3,
            indel_prior_rate: 3e-3,
            prior_reads: 2_000.0,
            floor: 1e-5,
        }
    }
}

/// Error rates per allele class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorModel {
    /// SNP markers.
    pub snp: ErrorRates,
    /// Indel markers.
    pub indel: ErrorRates,
    /// Learned or prior.
    pub source: ErrorSource,
}

impl ErrorModel {
    /// The prior-only model (used when only GT genotypes are available).
    pub fn prior(cfg: &ErrorConfig) -> ErrorModel {
        let r = |e: f64| ErrorRates {
            ref_to_alt: e,
            alt_to_ref: e,
            ref_reads_seen: 0,
            alt_reads_seen: 0,
        };
        ErrorModel {
            snp: r(cfg.snp_prior_rate),
            indel: r(cfg.indel_prior_rate),
            source: ErrorSource::Prior,
        }
    }

    /// Learns the rates from pure samples: for each `(counts, calls)` pair
    /// (one person), ALT reads at 0/0 markers are REF→ALT errors and REF
    /// reads at 1/1 markers ALT→REF errors. Rates are shrunk towards the
    /// prior by `prior_reads` pseudo-reads and floored.
    pub fn learn(
        markers: &[Marker],
        pure: &[(&[Option<AlleleCounts>], &[GenotypeCall])],
        cfg: &ErrorConfig,
    ) -> ErrorModel {
        // Per marker [direction] = (errors, reads), over the pure samples.
        let mut sites = vec![[(0u64, 0u64); 2]; markers.len()];
        for (counts, calls) in pure {
            for (((site, c), g), _) in sites
                .iter_mut()
                .zip(counts.iter())
                .zip(calls.iter())
                .zip(markers)
            {
                let (Some(c), Ok(g)) = (c, g) else { continue };
                match g {
                    Genotype::HomRef => {
                        site[0].0 += u64::from(c.alt_count);
                        site[0].1 += u64::from(c.depth());
                    }
                    Genotype::HomAlt => {
                        site[1].0 += u64::from(c.ref_count);
                        site[1].1 += u64::from(c.depth());
                    }
                    Genotype::Het => {}
                }
            }
        }
        let class_of = |m: &Marker| usize::from(AlleleClass::of(m) == AlleleClass::Indel);
        // [class][direction] = (errors, reads), over every site …
        let pooled = |keep: &dyn Fn(usize, usize, (u64, u64)) -> bool| {
            let mut acc = [[(0u64, 0u64); 2]; 2];
            for (m, site) in markers.iter().zip(&sites) {
                for (dir, &(e, n)) in site.iter().enumerate() {
                    if keep(class_of(m), dir, (e, n)) {
                        acc[class_of(m)][dir].0 += e;
                        acc[class_of(m)][dir].1 += n;
                    }
                }
            }
            acc
        };
        let all = pooled(&|_, _, _| true);
        // … then without the error outliers (sites whose reference reads
        // show far more error than the class explains): a few sites at
        // 1–5 % would otherwise raise the rate taken at every ordinary
        // site, and the recipient share read below the truth (an
        // independent simulation: −0.03 to −0.07 points at 0.1–5 %).
        let rate0 = |ci: usize, dir: usize| {
            let (e, n) = all[ci][dir];
            if n == 0 { 0.0 } else { e as f64 / n as f64 }
        };
        let acc = pooled(&|ci, dir, (e, n)| !error_outlier(e, n, rate0(ci, dir)));
        let any = acc.iter().flatten().any(|&(_, n)| n > 0);
        let rate = |(e, n): (u64, u64), prior: f64| -> f64 {
            if n == 0 {
                return prior.max(cfg.floor);
            }
            ((e as f64 + prior * cfg.prior_reads) / (n as f64 + cfg.prior_reads)).max(cfg.floor)
        };
        let rates = |ci: usize, prior: f64| ErrorRates {
            ref_to_alt: rate(acc[ci][0], prior),
            alt_to_ref: rate(acc[ci][1], prior),
            ref_reads_seen: acc[ci][0].1,
            alt_reads_seen: acc[ci][1].1,
        };
        ErrorModel {
            snp: rates(0, cfg.snp_prior_rate),
            indel: rates(1, cfg.indel_prior_rate),
            source: if any {
                ErrorSource::Learned
            } else {
                ErrorSource::Prior
            },
        }
    }

    /// Rates for a class.
    pub fn rates(&self, class: AlleleClass) -> &ErrorRates {
        match class {
            AlleleClass::Snp => &self.snp,
            AlleleClass::Indel => &self.indel,
        }
    }
}

/// Fewest error reads that can make a site an error outlier.
pub const OUTLIER_MIN_ERRORS: u64 = 3;

/// One-sided level of the error-outlier test.
pub const OUTLIER_ALPHA: f64 = 1e-3;

/// True when a site whose pure samples show `errors` error reads in `reads`
/// reads is an **error outlier**: at least [`OUTLIER_MIN_ERRORS`] error
/// reads, and more than the class rate `rate` explains (Poisson upper tail
/// below [`OUTLIER_ALPHA`]). Such a site takes its own rate and is left out
/// of the class rate.
pub fn error_outlier(errors: u64, reads: u64, rate: f64) -> bool {
    errors >= OUTLIER_MIN_ERRORS && poisson_at_least(errors, reads as f64 * rate) < OUTLIER_ALPHA
}

/// P(X ≥ k) for X ~ Poisson(λ).
fn poisson_at_least(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // Far in the upper tail: below any level used here.
    if k as f64 > lambda + 12.0 * lambda.sqrt() + 40.0 {
        return 0.0;
    }
    let below: f64 = (0..k)
        .map(|i| {
            let i = i as f64;
            (-lambda + i * lambda.ln() - super::math::ln_gamma(i + 1.0)).exp()
        })
        .sum();
    (1.0 - below).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_outlier_needs_three_reads_beyond_what_the_class_rate_explains() {
        // 2,000 reads at 0.08 %: 1.6 expected; 8 error reads is an outlier,
        // 6 is not (P(X ≥ 6 | 1.6) = 0.0060; P(X ≥ 8 | 1.6) = 0.00042).
        assert!(!error_outlier(6, 2000, 0.0008));
        assert!(error_outlier(8, 2000, 0.0008));
        // 100 reads: two error reads never make an outlier, three can.
        assert!(!error_outlier(2, 100, 0.0008));
        assert!(error_outlier(3, 100, 0.0008));
        assert!((poisson_at_least(6, 1.6) - 0.006_040).abs() < 1e-5);
        assert_eq!(poisson_at_least(0, 1.6), 1.0);
    }

    #[test]
    fn a_few_noisy_sites_do_not_raise_the_class_rate() {
        // 98 sites at 1 error read per 1,000 and 2 sites at 30 per 1,000.
        let markers: Vec<Marker> = (0..100).map(|i| mk(&format!("m{i}"), "A", "G")).collect();
        let counts: Vec<Option<AlleleCounts>> = (0..100)
            .map(|i| {
                Some(AlleleCounts {
                    ref_count: 1000 - if i < 2 { 30 } else { 1 },
                    alt_count: if i < 2 { 30 } else { 1 },
                    other: 0,
                })
            })
            .collect();
        let calls: Vec<GenotypeCall> = (0..100).map(|_| Ok(Genotype::HomRef)).collect();
        let cfg = ErrorConfig {
            prior_reads: 0.0,
            ..ErrorConfig::default()
        };
        let m = ErrorModel::learn(&markers, &[(&counts, &calls)], &cfg);
        assert!(
            (m.snp.ref_to_alt - 0.001).abs() < 1e-9,
            "{}",
            m.snp.ref_to_alt
        );
    }

    fn mk(id: &str, r: &str, a: &str) -> Marker {
        Marker {
            id: id.into(),
            chrom: "1".into(),
            pos: graftwatch_core::GenomicPosition::MIN,
            ref_allele: r.into(),
            alt_allele: a.into(),
        }
    }

    #[test]
    fn learns_directional_rates_per_class() {
        let markers = vec![mk("s1", "A", "G"), mk("s2", "C", "T"), mk("i1", "AT", "A")];
        let counts = vec![
            Some(AlleleCounts {
                ref_count: 99_000,
                alt_count: 1_000,
                other: 0,
            }), // 0/0: 1% ref->alt
            Some(AlleleCounts {
                ref_count: 100,
                alt_count: 99_900,
                other: 0,
            }), // 1/1: 0.1% alt->ref
            Some(AlleleCounts {
                ref_count: 95_000,
                alt_count: 5_000,
                other: 0,
            }), // indel 0/0: 5%
        ];
        let calls = vec![
            Ok(Genotype::HomRef),
            Ok(Genotype::HomAlt),
            Ok(Genotype::HomRef),
        ];
        let cfg = ErrorConfig {
            prior_reads: 0.0,
            ..ErrorConfig::default()
        };
        let m = ErrorModel::learn(&markers, &[(&counts, &calls)], &cfg);
        assert!((m.snp.ref_to_alt - 0.01).abs() < 1e-12);
        assert!((m.snp.alt_to_ref - 0.001).abs() < 1e-12);
        assert!((m.indel.ref_to_alt - 0.05).abs() < 1e-12);
        // No 1/1 indel reads: falls back to the prior rate.
        assert!((m.indel.alt_to_ref - cfg.indel_prior_rate).abs() < 1e-12);
        assert_eq!(m.source, ErrorSource::Learned);
    }

    #[test]
    fn het_markers_do_not_count_as_errors() {
        let markers = vec![mk("s1", "A", "G")];
        let counts = vec![Some(AlleleCounts {
            ref_count: 500,
            alt_count: 500,
            other: 0,
        })];
        let calls = vec![Ok(Genotype::Het)];
        let m = ErrorModel::learn(&markers, &[(&counts, &calls)], &ErrorConfig::default());
        assert_eq!(m.source, ErrorSource::Prior);
        assert!((m.snp.ref_to_alt - 1e-3).abs() < 1e-15);
    }

    #[test]
    fn alt_read_probability_endpoints() {
        let r = ErrorRates {
            ref_to_alt: 0.01,
            alt_to_ref: 0.02,
            ref_reads_seen: 0,
            alt_reads_seen: 0,
        };
        assert!((r.alt_read_probability(0.0) - 0.01).abs() < 1e-15);
        assert!((r.alt_read_probability(1.0) - 0.98).abs() < 1e-15);
    }
}

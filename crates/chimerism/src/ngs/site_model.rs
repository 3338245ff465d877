//! Per-marker read model: sequencing error rates and heterozygote allele
//! balance of each marker, learned from the reference (pure) samples of the
//! run and, where given, from an external per-site error table (allomix's
//! `--error-table` format). Real amplicon panels differ from site to site:
//! one amplicon shows 0.5% ALT reads on homozygous REF DNA, another
//! amplifies its ALT allele to 60% of a heterozygote's reads. A single
//! rate per allele class cannot carry that.
//!
//! Estimates are shrunk toward the class-wide value (error: gamma–Poisson,
//! prior weight [`SiteConfig::error_prior_errors`] expected error reads at
//! the class rate, so a site's own rate counts once it has shown tens of
//! error reads; balance: empirical Bayes toward
//! the panel-wide heterozygote share, weighted by the between-site spread
//! beyond sampling noise), because a pure sample has only tens to hundreds
//! of reads per marker.

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use super::error_model::{AlleleClass, ErrorModel, ErrorRates};
use super::genotype::{Genotype, GenotypeCall};
use super::math::{chi2_sf, normal_quantile};
use crate::marker::{AlleleCounts, Marker};

/// Where a marker's error rates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteSource {
    /// The allele class's rates (no site-specific information).
    Class,
    /// Reads of the reference samples at this marker, shrunk to the class.
    References,
    /// The external error table.
    Table,
}

/// Per-direction error rates of one site from an external table; `None`
/// where the table says `NA` (the class rate is used).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ExternalSiteRates {
    /// P(ALT read | REF molecule).
    pub ref_to_alt: Option<f64>,
    /// P(REF read | ALT molecule).
    pub alt_to_ref: Option<f64>,
}

/// Read model of one marker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SiteModel {
    /// Directional error rates used at this marker.
    pub rates: ErrorRates,
    /// Expected ALT share of a heterozygote's reads (0.5 without bias).
    pub het_alt_fraction: Fraction,
    /// Reads of heterozygous reference samples behind the balance estimate.
    pub het_reads: u32,
    /// Raw (unshrunk) ALT share of those reads, when there were any.
    pub het_raw_alt_fraction: Option<Fraction>,
    /// Where the error rates come from.
    pub source: SiteSource,
    /// Posterior variance of the site's log ALT:REF amplification ratio
    /// (what its heterozygous references leave unknown of the panel-wide
    /// spread); the expected read fraction averages over it.
    pub log_amplification_var: f64,
    /// Posterior variance of the two error rates (gamma–Poisson: rate /
    /// (reads seen + prior reads)).
    pub error_var: [f64; 2],
    /// Standard deviation of the error shared by every marker's two rates:
    /// the sample's error scale (`scale_to_sample_error`) is estimated
    /// from its all-homozygous markers, and its uncertainty moves every
    /// marker's rate the same way (rate × the scale's relative SD; 0 =
    /// rates taken as known).
    #[serde(default)]
    pub common_error_sd: [f64; 2],
}

impl SiteModel {
    /// The class model only: no site-specific error, no allele bias.
    pub fn class_default(rates: ErrorRates) -> SiteModel {
        SiteModel {
            rates,
            het_alt_fraction: Fraction::lit(0.5),
            het_reads: 0,
            het_raw_alt_fraction: None,
            source: SiteSource::Class,
            error_var: [0.0; 2],
            common_error_sd: [0.0; 2],
            log_amplification_var: 0.0,
        }
    }

    /// Probability that a read from a person with genotype `g` shows ALT.
    pub fn alt_read_probability(&self, g: Genotype) -> f64 {
        let v = match g {
            Genotype::HomRef => 0.0,
            Genotype::Het => self.het_alt_fraction.get(),
            Genotype::HomAlt => 1.0,
        };
        self.rates.alt_read_probability(v)
    }
}

/// Settings of the per-site learning.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SiteConfig {
    /// Weight of the class rate in a site's error estimate, in expected
    /// error reads (reads = this / class rate).
    pub error_prior_errors: f64,
    /// Heterozygous reads a site needs to enter the panel-wide balance
    /// prior (centre and between-site spread).
    pub balance_min_reads: u64,
    /// Floor of every error rate.
    pub floor: f64,
    /// Learn each site's error rates from the reference samples' reads.
    /// Off by default: a pure sample holds only a few error reads per site,
    /// and the noisy site rates cost detection at 0.1% recipient in the
    /// simulation (presence test 19 → 18 of 20 with one donor); per-site
    /// rates come from `--error-table` (estimated over many samples).
    pub learn_site_errors: bool,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            error_prior_errors: 20.0,
            learn_site_errors: false,
            balance_min_reads: 20,
            floor: 1e-5,
        }
    }
}

/// Learns the read model of every marker from the reference samples
/// (`pure`: counts and genotype calls per person) on top of the class model
/// `class`, with `table[m]` (if any) overriding the error rates of marker m.
pub fn learn_sites(
    markers: &[Marker],
    pure: &[(&[Option<AlleleCounts>], &[GenotypeCall])],
    class: &ErrorModel,
    table: Option<&[Option<ExternalSiteRates>]>,
    cfg: &SiteConfig,
) -> Vec<SiteModel> {
    let reads: Vec<SiteReads> = (0..markers.len())
        .map(|m| {
            let mut acc = SiteReads::default();
            for (counts, calls) in pure {
                if let (Some(Some(c)), Some(Ok(g))) = (counts.get(m), calls.get(m)) {
                    acc.add(*c, *g);
                }
            }
            acc
        })
        .collect();
    let balance = BalancePrior::estimate(&reads, cfg.balance_min_reads);
    let spread = error_spread(markers, &reads);
    markers
        .iter()
        .zip(&reads)
        .enumerate()
        .map(|(m, (marker, acc))| {
            let ci = usize::from(AlleleClass::of(marker) == AlleleClass::Indel);
            let base = *class.rates(AlleleClass::of(marker));
            let ext = table.and_then(|t| t.get(m).copied().flatten());
            let mut site = site_model(base, acc, ext, &balance, cfg);
            if site.source != SiteSource::Table {
                own_rate_if_outlier(&mut site, acc, &base, cfg);
            }
            if site.source == SiteSource::Class {
                // The class rate stands for a site whose own rate is
                // unknown: it differs from the class rate by the
                // between-site spread.
                site.error_var[0] += spread[ci][0];
                site.error_var[1] += spread[ci][1];
            }
            site
        })
        .collect()
}

/// A site whose references show far more error than its class
/// ([`crate::ngs::error_model::error_outlier`]) takes its own measured rate
/// in that direction (error reads / reads, posterior variance rate / reads):
/// at a 3 % site the class rate of 0.1 % would read the excess as a
/// person's DNA (and flag `NGS-ID` in every mixture), and its reads would
/// have raised the class rate taken everywhere else.
fn own_rate_if_outlier(site: &mut SiteModel, acc: &SiteReads, base: &ErrorRates, cfg: &SiteConfig) {
    use crate::ngs::error_model::error_outlier;
    let dirs = [
        (acc.hom_ref_alt, acc.hom_ref_depth, base.ref_to_alt),
        (acc.hom_alt_ref, acc.hom_alt_depth, base.alt_to_ref),
    ];
    for (dir, (e, n, class_rate)) in dirs.into_iter().enumerate() {
        if !error_outlier(e, n, class_rate) {
            continue;
        }
        let rate = (e as f64 / n as f64).max(cfg.floor);
        match dir {
            0 => {
                site.rates.ref_to_alt = rate;
                site.rates.ref_reads_seen = n;
            }
            _ => {
                site.rates.alt_to_ref = rate;
                site.rates.alt_reads_seen = n;
            }
        }
        site.error_var[dir] = rate / n as f64;
        site.source = SiteSource::References;
    }
}

/// Fewest sites behind a between-site error spread estimate.
const MIN_SPREAD_SITES: usize = 10;

/// Between-site variance of the error rates beyond counting noise, per
/// class (SNP, indel) and direction (REF→ALT, ALT→REF), from the reference
/// samples' error reads at their homozygous markers (method of moments:
/// the spread of the site rates minus the mean Poisson variance r̄/n;
/// 0 with fewer than [`MIN_SPREAD_SITES`] sites). Real amplicons differ
/// from site to site by far more than a pure sample's few error reads
/// show; a site taking the class rate carries this variance into the
/// detection limits and the presence test.
fn error_spread(markers: &[Marker], reads: &[SiteReads]) -> [[f64; 2]; 2] {
    let mut out = [[0.0; 2]; 2];
    for (ci, class) in [AlleleClass::Snp, AlleleClass::Indel]
        .into_iter()
        .enumerate()
    {
        for (dir, slot) in out[ci].iter_mut().enumerate() {
            let sites: Vec<(f64, f64)> = markers
                .iter()
                .zip(reads)
                .filter(|(m, _)| AlleleClass::of(m) == class)
                .map(|(_, r)| match dir {
                    0 => (r.hom_ref_alt as f64, r.hom_ref_depth as f64),
                    _ => (r.hom_alt_ref as f64, r.hom_alt_depth as f64),
                })
                .filter(|&(_, n)| n >= 100.0)
                .collect();
            *slot = moment_spread(&sites);
        }
    }
    out
}

/// Between-site variance of rates x/n beyond Poisson counting noise.
fn moment_spread(sites: &[(f64, f64)]) -> f64 {
    if sites.len() < MIN_SPREAD_SITES {
        return 0.0;
    }
    let k = sites.len() as f64;
    let pooled = sites.iter().map(|s| s.0).sum::<f64>() / sites.iter().map(|s| s.1).sum::<f64>();
    let spread = sites
        .iter()
        .map(|&(x, n)| (x / n - pooled).powi(2))
        .sum::<f64>()
        / (k - 1.0);
    let counting = sites.iter().map(|&(_, n)| pooled / n).sum::<f64>() / k;
    (spread - counting).max(0.0)
}

/// Level of the test for between-site allele-balance variation
/// (`BalancePrior::estimate`).
pub const BALANCE_HETEROGENEITY_ALPHA: f64 = 0.01;

/// Empirical-Bayes prior of the heterozygote ALT share across sites: its
/// centre (the panel-wide reference bias) and the between-site variance τ²
/// beyond sampling (method of moments over sites with enough heterozygous
/// reads). A site's share is shrunk toward the centre with weight
/// τ²/(τ² + s²), s² its sampling variance: with no real site-to-site bias
/// (τ² = 0) every heterozygote reads the centre; with strong bias and many
/// reads, its own share.
///
/// Bias is used only where the references show it. Their sampling is
/// beta-binomial, not binomial: PCR makes one sample's allele share vary
/// beyond binomial (ρ ≈ 1e-4, 1.5× the binomial variance at 5,000 reads),
/// and that per-sample noise is not a property of the site. ρ is estimated
/// from the sites with two or more heterozygous references (their spread
/// around the site's own share cannot contain site bias). Against that
/// null, (1) a panel-wide centre other than 1/2 is used only when the mean
/// share differs from 1/2 beyond its standard error, and (2) between-site
/// variation only when Cochran's Q is significant (both at
/// [`BALANCE_HETEROGENEITY_ALPHA`]). Without these tests the per-sample
/// noise read as site bias moved every site's share and cost detection of
/// 0.1% recipient (presence test 14 → 12 of 20 with haplo + cord on 72
/// markers, count-level simulation). Once bias is established, τ² and the
/// shrinkage weights keep the binomial sampling variance, as before (using
/// ρ there as well moved the real three-person mixture's mean error from
/// 0.43 to 0.47 points; not adopted). The posterior variance of a site's
/// log amplification (what the fit averages over and adds to the row's
/// overdispersion) does count ρ: it is what the site's estimate is really
/// off by (issue 14, second round: messy-simulation error 5.43% → 5.39%,
/// real three-person mixture 0.427 → 0.411 points).
#[derive(Debug, Clone, Copy, PartialEq)]
struct BalancePrior {
    centre: f64,
    tau2: f64,
    /// The references' own beta-binomial ρ (see [`within_site_rho`]).
    rho: f64,
}

impl BalancePrior {
    fn estimate(reads: &[SiteReads], min_reads: u64) -> BalancePrior {
        let sites: Vec<&SiteReads> = reads
            .iter()
            .filter(|r| r.het_depth >= min_reads.max(1))
            .collect();
        if sites.len() < 10 {
            return BalancePrior {
                centre: 0.5,
                tau2: 0.0,
                rho: 0.0,
            };
        }
        let share = |r: &SiteReads| r.het_alt as f64 / r.het_depth as f64;
        let k = sites.len() as f64;
        let mean = sites.iter().map(|r| share(r)).sum::<f64>() / k;
        let unit = (mean * (1.0 - mean)).max(1e-12);
        let rho = within_site_rho(&sites, unit);
        let var = |r: &SiteReads| unit * r.sampling_units(rho);
        // A panel-wide bias only when the mean share differs from 1/2
        // beyond its sampling error (two-sided, same level).
        let se = (sites.iter().map(|r| var(r)).sum::<f64>() / (k * k)).sqrt();
        let z = normal_quantile(1.0 - BALANCE_HETEROGENEITY_ALPHA / 2.0);
        let centre = if (mean - 0.5).abs() > z * se {
            mean
        } else {
            0.5
        };
        let spread = sites
            .iter()
            .map(|r| (share(r) - centre).powi(2))
            .sum::<f64>()
            / (k - 1.0);
        let sampling = sites
            .iter()
            .map(|r| unit * r.sampling_units(0.0))
            .sum::<f64>()
            / k;
        let q: f64 = sites
            .iter()
            .map(|r| (share(r) - centre).powi(2) / var(r))
            .sum();
        let tau2 = if chi2_sf(q, k - 1.0) < BALANCE_HETEROGENEITY_ALPHA {
            (spread - sampling).max(0.0)
        } else {
            0.0
        };
        BalancePrior { centre, tau2, rho }
    }

    /// Shrunk heterozygote share and the posterior variance of the site's
    /// log amplification ratio (delta method: var(log w) ≈ var(b)/(b(1−b))²).
    fn shrink(&self, acc: &SiteReads) -> (f64, f64) {
        let scale = (self.centre * (1.0 - self.centre)).powi(2).max(1e-6);
        if self.tau2 <= 0.0 {
            return (self.centre, 0.0);
        }
        if acc.het_depth == 0 {
            return (self.centre, self.tau2 / scale);
        }
        let raw = acc.het_alt as f64 / acc.het_depth as f64;
        let unit = self.centre * (1.0 - self.centre);
        let s2 = unit * acc.sampling_units(0.0);
        let w = self.tau2 / (self.tau2 + s2);
        // The posterior variance counts the references' own overdispersion
        // (their share varies beyond binomial from sample to sample), even
        // though the shrinkage weight keeps the binomial variance (see the
        // type's doc): it is what the site's estimate is really off by.
        let s2_rho = unit * acc.sampling_units(self.rho);
        let post = self.tau2 * s2_rho / (self.tau2 + s2_rho);
        (self.centre + w * (raw - self.centre), post / scale)
    }
}

/// Beta-binomial ρ of the heterozygous references from the spread of the
/// samples' shares within each site (method of moments: the Pearson
/// statistic per degree of freedom is 1 + (n − 1)ρ); 0 without sites that
/// have two heterozygous references.
fn within_site_rho(sites: &[&SiteReads], unit: f64) -> f64 {
    let (mut pearson, mut df, mut depth, mut samples) = (0.0, 0.0, 0.0, 0.0);
    for r in sites.iter().filter(|r| r.hets.len() >= 2) {
        let b = r.het_alt as f64 / r.het_depth as f64;
        for &(alt, n) in &r.hets {
            let n = n as f64;
            pearson += (alt as f64 / n - b).powi(2) * n / unit;
            depth += n;
            samples += 1.0;
        }
        df += r.hets.len() as f64 - 1.0;
    }
    let mean_depth = if samples > 0.0 { depth / samples } else { 0.0 };
    if df < 5.0 || mean_depth <= 1.0 {
        return 0.0;
    }
    ((pearson / df - 1.0) / (mean_depth - 1.0)).max(0.0)
}

/// Reads of the reference samples at one marker, by genotype.
#[derive(Debug, Clone, Default)]
struct SiteReads {
    hom_ref_alt: u64,
    hom_ref_depth: u64,
    hom_alt_ref: u64,
    hom_alt_depth: u64,
    het_alt: u64,
    het_depth: u64,
    /// (ALT reads, depth) of each heterozygous reference.
    hets: Vec<(u64, u64)>,
}

impl SiteReads {
    fn add(&mut self, c: AlleleCounts, g: Genotype) {
        let d = u64::from(c.depth());
        match g {
            Genotype::HomRef => {
                self.hom_ref_alt += u64::from(c.alt_count);
                self.hom_ref_depth += d;
            }
            Genotype::HomAlt => {
                self.hom_alt_ref += u64::from(c.ref_count);
                self.hom_alt_depth += d;
            }
            Genotype::Het => {
                self.het_alt += u64::from(c.alt_count);
                self.het_depth += d;
                if d > 0 {
                    self.hets.push((u64::from(c.alt_count), d));
                }
            }
        }
    }

    /// Sampling variance of the pooled heterozygote share in units of
    /// b(1 − b): Σ n_j(1 + (n_j − 1)ρ) / N² over the references.
    fn sampling_units(&self, rho: f64) -> f64 {
        let n = self.het_depth as f64;
        if n <= 0.0 {
            return f64::INFINITY;
        }
        let s: f64 = self
            .hets
            .iter()
            .map(|&(_, d)| d as f64 * (1.0 + (d as f64 - 1.0) * rho))
            .sum();
        s / (n * n)
    }
}

fn site_model(
    base: ErrorRates,
    acc: &SiteReads,
    ext: Option<ExternalSiteRates>,
    balance: &BalancePrior,
    cfg: &SiteConfig,
) -> SiteModel {
    // Prior weight in reads = K expected error reads at the class rate.
    let weight = |prior: f64| cfg.error_prior_errors / prior.max(cfg.floor);
    let shrink = |e: u64, n: u64, prior: f64| {
        ((e as f64 + prior * weight(prior)) / (n as f64 + weight(prior))).max(cfg.floor)
    };
    let (mut rates, mut source, seen) = if cfg.learn_site_errors {
        let r = ErrorRates {
            ref_to_alt: shrink(acc.hom_ref_alt, acc.hom_ref_depth, base.ref_to_alt),
            alt_to_ref: shrink(acc.hom_alt_ref, acc.hom_alt_depth, base.alt_to_ref),
            ref_reads_seen: acc.hom_ref_depth,
            alt_reads_seen: acc.hom_alt_depth,
        };
        let src = if acc.hom_ref_depth + acc.hom_alt_depth > 0 {
            SiteSource::References
        } else {
            SiteSource::Class
        };
        (r, src, [acc.hom_ref_depth, acc.hom_alt_depth])
    } else {
        (
            base,
            SiteSource::Class,
            [base.ref_reads_seen, base.alt_reads_seen],
        )
    };
    if let Some(x) = ext
        && (x.ref_to_alt.is_some() || x.alt_to_ref.is_some())
    {
        rates.ref_to_alt = x.ref_to_alt.map_or(base.ref_to_alt, |e| e.max(cfg.floor));
        rates.alt_to_ref = x.alt_to_ref.map_or(base.alt_to_ref, |e| e.max(cfg.floor));
        source = SiteSource::Table;
    }
    let het_raw = (acc.het_depth > 0)
        .then(|| acc.het_alt as f64 / acc.het_depth as f64)
        .and_then(Fraction::clamp);
    let (het_alt, log_amplification_var) = balance.shrink(acc);
    // A share of ALT reads pulled towards the panel centre: in [0, 1]; the
    // unbiased 0.5 should it ever not be finite.
    let het_alt_fraction = Fraction::clamp(het_alt).unwrap_or(Fraction::lit(0.5));
    let error_var = [
        rates.ref_to_alt / (seen[0] as f64 + weight(base.ref_to_alt)),
        rates.alt_to_ref / (seen[1] as f64 + weight(base.alt_to_ref)),
    ];
    SiteModel {
        rates,
        error_var,
        log_amplification_var,
        het_alt_fraction,
        het_reads: u32::try_from(acc.het_depth).unwrap_or(u32::MAX),
        het_raw_alt_fraction: het_raw,
        source,
        common_error_sd: [0.0; 2],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngs::error_model::ErrorConfig;
    use crate::ngs::test_support::c;

    fn snp() -> Marker {
        Marker {
            id: "s".into(),
            chrom: "1".into(),
            pos: graftwatch_core::GenomicPosition::from_one_based(5).unwrap(),
            ref_allele: "A".into(),
            alt_allele: "G".into(),
        }
    }

    #[test]
    fn site_error_shrinks_toward_the_class_and_table_overrides() {
        let class = ErrorModel::prior(&ErrorConfig::default());
        let markers = vec![snp()];
        // 20,000 reads at 0/0 with 25 ALT (0.125%, within what 0.1% explains:
        // not an error outlier); prior 20 errors at 0.1% = 20,000 reads:
        // half way between 0.125% and 0.1%.
        let counts = vec![c(19_975, 25)];
        let calls = vec![Ok(Genotype::HomRef)];
        let learn = SiteConfig {
            learn_site_errors: true,
            ..SiteConfig::default()
        };
        let s = learn_sites(&markers, &[(&counts, &calls)], &class, None, &learn);
        assert!((s[0].rates.ref_to_alt - 0.001_125).abs() < 1e-12);
        assert_eq!(s[0].source, SiteSource::References);
        assert!((s[0].het_alt_fraction.get() - 0.5).abs() < 1e-12);
        // Without per-site learning it takes the class rate …
        let s = learn_sites(
            &markers,
            &[(&counts, &calls)],
            &class,
            None,
            &SiteConfig::default(),
        );
        assert_eq!(s[0].source, SiteSource::Class);
        // … unless its references show far more error than the class
        // explains (200 ALT reads, 1%): then its own rate.
        let noisy = vec![c(19_800, 200)];
        let s = learn_sites(
            &markers,
            &[(&noisy, &calls)],
            &class,
            None,
            &SiteConfig::default(),
        );
        assert_eq!(s[0].source, SiteSource::References);
        assert!((s[0].rates.ref_to_alt - 0.01).abs() < 1e-12);
        assert!((s[0].error_var[0] - 0.01 / 20_000.0).abs() < 1e-15);
        let table = vec![Some(ExternalSiteRates {
            ref_to_alt: Some(0.02),
            alt_to_ref: None,
        })];
        let s = learn_sites(
            &markers,
            &[(&counts, &calls)],
            &class,
            Some(&table),
            &SiteConfig::default(),
        );
        assert_eq!(s[0].source, SiteSource::Table);
        assert!((s[0].rates.ref_to_alt - 0.02).abs() < 1e-15);
        assert!((s[0].rates.alt_to_ref - class.snp.alt_to_ref).abs() < 1e-15);
    }

    #[test]
    fn het_balance_from_reference_heterozygotes() {
        let class = ErrorModel::prior(&ErrorConfig::default());
        let counts = vec![c(30, 70)];
        let calls = vec![Ok(Genotype::Het)];
        let s = learn_sites(
            &[snp()],
            &[(&counts, &calls)],
            &class,
            None,
            &SiteConfig::default(),
        );
        // One site: no panel-wide prior, the centre 0.5 is used.
        assert!((s[0].het_alt_fraction.get() - 0.5).abs() < 1e-12);
        assert_eq!(s[0].het_raw_alt_fraction, Some(Fraction::lit(0.7)));
    }

    #[test]
    fn het_balance_is_shrunk_by_the_between_site_spread() {
        let class = ErrorModel::prior(&ErrorConfig::default());
        let markers: Vec<Marker> = (0..20).map(|_| snp()).collect();
        let calls: Vec<GenotypeCall> = (0..20).map(|_| Ok(Genotype::Het)).collect();
        // Sites alternating 30% / 70% ALT at 1,000 reads: τ² ≈ 0.04, far
        // beyond sampling (0.00025): almost no shrinkage.
        let biased: Vec<Option<AlleleCounts>> = (0..20)
            .map(|i| if i % 2 == 0 { c(700, 300) } else { c(300, 700) })
            .collect();
        let s = learn_sites(
            &markers,
            &[(&biased, &calls)],
            &class,
            None,
            &SiteConfig::default(),
        );
        assert!(
            (s[0].het_alt_fraction.get() - 0.3).abs() < 0.01,
            "{:?}",
            s[0].het_alt_fraction
        );
        let q = s[1].alt_read_probability(Genotype::Het);
        assert!(q > 0.68 && q < 0.71, "{q}");
        // Sites within sampling noise of 50%: every site reads the centre.
        let clean: Vec<Option<AlleleCounts>> = (0..20)
            .map(|i| if i % 2 == 0 { c(505, 495) } else { c(495, 505) })
            .collect();
        let s = learn_sites(
            &markers,
            &[(&clean, &calls)],
            &class,
            None,
            &SiteConfig::default(),
        );
        assert!((s[0].het_alt_fraction.get() - 0.5).abs() < 1e-12);
    }
}

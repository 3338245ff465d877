//! Marker selection before the fit: which panel markers of one sample enter
//! the mixture model, and why the others do not. Checks, in order: a
//! genotype for every person, presence and depth in the sample, sex
//! chromosomes when the persons differ in sex, the references' allele
//! balance (a marker whose heterozygous references read far from 50:50
//! amplifies one allele too unevenly to be trusted), extreme depth against
//! the sample's median (amplicon failure or duplication), and informativeness
//! (somebody's genotype differs).

use graftwatch_core::Fraction;

use super::design::DesignRow;
use super::error_model::AlleleClass;
use super::genotype::{Genotype, GenotypeCall};
use super::result::{Exclusion, MarkerReport};
use super::sex::{SexCheck, sex_chromosome};
use super::site_model::{SiteModel, SiteSource};
use crate::marker::{AlleleCounts, Marker};

/// Limits of the pre-fit marker checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectLimits {
    /// Minimum REF+ALT reads in the sample.
    pub min_depth: u32,
    /// Heterozygous references' ALT share must lie in [b, 1 − b].
    pub min_het_balance: Fraction,
    /// ...judged only with at least this many heterozygous reads.
    pub min_het_balance_reads: u32,
    /// Depth more than this factor away from the sample median is excluded.
    pub depth_outlier_factor: f64,
}

/// The selected markers of a sample.
#[derive(Debug, Clone)]
pub struct Selection {
    /// One report per panel marker.
    pub reports: Vec<MarkerReport>,
    /// Informative markers: design rows (site model already applied).
    pub rows: Vec<DesignRow>,
    /// Genotypes (every person) of each row.
    pub genotypes: Vec<Vec<Genotype>>,
    /// Markers where every person is homozygous for the same allele.
    pub identity_candidates: Vec<(usize, Genotype)>,
}

fn blank_report(
    marker: &Marker,
    calls: Vec<Option<Genotype>>,
    c: Option<AlleleCounts>,
) -> MarkerReport {
    MarkerReport {
        id: marker.id.clone(),
        class: AlleleClass::of(marker),
        genotypes: calls,
        ref_count: c.map(|c| c.ref_count),
        alt_count: c.map(|c| c.alt_count),
        observed_vaf: c
            .filter(|c| c.depth() > 0)
            .and_then(|c| Fraction::clamp(f64::from(c.alt_count) / f64::from(c.depth()))),
        expected_vaf: None,
        residual: None,
        donor_moment_estimate: None,
        used: false,
        excluded: None,
        unexplained: None,
    }
}

/// Median REF+ALT depth over the markers with reads.
fn median_depth(counts: &[Option<AlleleCounts>]) -> Option<f64> {
    let mut d: Vec<u32> = counts
        .iter()
        .flatten()
        .map(AlleleCounts::depth)
        .filter(|&d| d > 0)
        .collect();
    if d.is_empty() {
        return None;
    }
    d.sort_unstable();
    Some(f64::from(d[d.len() / 2]))
}

/// Runs the pre-fit checks on every marker. `sites[m]` is marker m's read
/// model (with any sample-specific error scaling already applied).
pub fn select_markers(
    markers: &[Marker],
    person_names: &[String],
    genotypes: &[Vec<GenotypeCall>],
    sites: &[SiteModel],
    counts: &[Option<AlleleCounts>],
    sex: &SexCheck,
    lim: &SelectLimits,
) -> Selection {
    let median = median_depth(counts);
    let mut out = Selection {
        reports: Vec::with_capacity(markers.len()),
        rows: Vec::new(),
        genotypes: Vec::new(),
        identity_candidates: Vec::new(),
    };
    for (m, marker) in markers.iter().enumerate() {
        let calls: Vec<Option<Genotype>> = genotypes.iter().map(|g| g[m].ok()).collect();
        let c = counts[m];
        let mut rep = blank_report(marker, calls.clone(), c);
        let exclusion = pre_fit_exclusion(
            m,
            marker,
            person_names,
            genotypes,
            &sites[m],
            c,
            median,
            sex,
            lim,
        );
        if let Some(e) = exclusion {
            rep.excluded = Some(e);
            out.reports.push(rep);
            continue;
        }
        let g: Vec<Genotype> = calls
            .iter()
            .map(|g| g.unwrap_or(Genotype::HomRef))
            .collect();
        let cc = c.unwrap_or_default();
        if g.iter().all(|x| *x == g[0]) {
            rep.excluded = Some(Exclusion::NotInformative);
            if g[0].is_homozygous() {
                out.identity_candidates.push((m, g[0]));
            }
        } else {
            rep.donor_moment_estimate = moment_estimate(&g, rep.observed_vaf.map(Fraction::get));
            out.rows.push(DesignRow::from_site(
                m,
                cc.alt_count,
                cc.depth(),
                &g,
                &sites[m],
            ));
            out.genotypes.push(g);
            rep.used = true;
        }
        out.reports.push(rep);
    }
    out
}

/// Moment estimate of the donor fraction (2·VAF − h)/(d − h) when every
/// donor has dosage d ≠ recipient dosage h.
fn moment_estimate(g: &[Genotype], vaf: Option<f64>) -> Option<f64> {
    let h = g[0].alt_dosage();
    let d = g[1].alt_dosage();
    let v = vaf?;
    (g[1..].iter().all(|x| x.alt_dosage() == d) && d != h)
        .then(|| (2.0 * v - f64::from(h)) / (f64::from(d) - f64::from(h)))
}

#[allow(clippy::too_many_arguments)]
fn pre_fit_exclusion(
    m: usize,
    marker: &Marker,
    person_names: &[String],
    genotypes: &[Vec<GenotypeCall>],
    site: &SiteModel,
    c: Option<AlleleCounts>,
    median: Option<f64>,
    sex: &SexCheck,
    lim: &SelectLimits,
) -> Option<Exclusion> {
    if let Some((k, nc)) = genotypes
        .iter()
        .enumerate()
        .find_map(|(k, g)| g[m].err().map(|e| (k, e)))
    {
        return Some(Exclusion::NoGenotype {
            person: person_names[k].clone(),
            no_call: nc,
        });
    }
    let Some(c) = c else {
        return Some(Exclusion::MissingInSample);
    };
    let min_depth = lim.min_depth.max(1);
    if c.depth() < min_depth {
        return Some(Exclusion::LowDepth {
            depth: c.depth(),
            min_depth,
        });
    }
    if let Some(chrom) = sex_chromosome(marker)
        && !sex.sex_chromosomes_usable
    {
        return Some(Exclusion::SexChromosome {
            chromosome: chrom.to_string(),
        });
    }
    if let Some(b) = site.het_raw_alt_fraction
        && site.het_reads >= lim.min_het_balance_reads
        && !(lim.min_het_balance.get()..=1.0 - lim.min_het_balance.get()).contains(&b.get())
    {
        return Some(Exclusion::ReferenceAlleleBalance {
            alt_fraction: b,
            reads: site.het_reads,
        });
    }
    if let Some(med) = median
        && lim.depth_outlier_factor > 1.0
    {
        let d = f64::from(c.depth());
        if d > med * lim.depth_outlier_factor || d < med / lim.depth_outlier_factor {
            return Some(Exclusion::DepthOutlier {
                depth: c.depth(),
                median_depth: med,
            });
        }
    }
    None
}

/// Sample-specific error rates: at markers where every person is
/// homozygous for the same allele, reads of the other allele in the
/// *mixture* are pure error (or an unknown contributor, which the identity
/// check reports). Per allele class and direction, every marker's rate is
/// multiplied by (observed + K)/(expected + K) (posterior mean), where
/// "expected" is the sum
/// over those markers of depth × the marker's own (reference-learned) rate
/// and K the error reads the class rate itself rests on (`class_evidence`:
/// gamma–Poisson shrinkage — against a rate learnt from thousands of
/// reference error reads, a handful of the sample's moves nothing; against
/// one learnt from a few dozen, the sample's hundreds decide).
/// Markers whose other-allele share exceeds 3× the median site rate + 0.2%
/// (the identity check's effect size) are left out, and a class whose
/// median "error" exceeds 5% is not scaled (a dead variant call is not
/// sequencing error; the marker QC handles it). Returns the scaled site
/// models and the factors (`[snp ref→alt, snp alt→ref, indel ref→alt,
/// indel alt→ref]`), clamped to [0.1, 10].
pub fn scale_to_sample_error(
    markers: &[Marker],
    genotypes: &[Vec<GenotypeCall>],
    sites: &[SiteModel],
    counts: &[Option<AlleleCounts>],
) -> (Vec<SiteModel>, [f64; 4]) {
    // [class*2 + direction] -> per-marker (errors, depth, site rate)
    let mut obs: [Vec<(u64, u64, f64)>; 4] = Default::default();
    // the same, at markers whose rate is the class rate only
    let mut class_obs: [Vec<(u64, u64, f64)>; 4] = Default::default();
    for (m, marker) in markers.iter().enumerate() {
        let Some(c) = counts[m] else { continue };
        let Some(Ok(g0)) = genotypes.first().map(|g| g[m]) else {
            continue;
        };
        if !g0.is_homozygous() || genotypes.iter().any(|g| g[m] != Ok(g0)) {
            continue;
        }
        let ci = usize::from(AlleleClass::of(marker) == AlleleClass::Indel);
        let (dir, x, e) = match g0 {
            Genotype::HomRef => (0, c.alt_count, sites[m].rates.ref_to_alt),
            _ => (1, c.ref_count, sites[m].rates.alt_to_ref),
        };
        obs[ci * 2 + dir].push((u64::from(x), u64::from(c.depth()), e));
        if sites[m].source == SiteSource::Class {
            class_obs[ci * 2 + dir].push((u64::from(x), u64::from(c.depth()), e));
        }
    }
    let prior = class_evidence(markers, sites);
    let factors: [f64; 4] = std::array::from_fn(|i| pooled_factor(&obs[i], prior[i]));
    let rel_sd: [f64; 4] =
        std::array::from_fn(|i| factor_rel_var(&obs[i], factors[i], prior[i]).sqrt());
    let spread: [f64; 4] = std::array::from_fn(|i| sample_spread(&class_obs[i], factors[i]));
    let scaled = markers
        .iter()
        .zip(sites)
        .map(|(marker, s)| {
            let ci = usize::from(AlleleClass::of(marker) == AlleleClass::Indel);
            let mut s = *s;
            let (fa, fb) = (factors[ci * 2], factors[ci * 2 + 1]);
            s.rates.ref_to_alt = (s.rates.ref_to_alt * fa).min(0.2);
            s.rates.alt_to_ref = (s.rates.alt_to_ref * fb).min(0.2);
            s.error_var = [s.error_var[0] * fa * fa, s.error_var[1] * fb * fb];
            s.common_error_sd = [
                s.rates.ref_to_alt * rel_sd[ci * 2],
                s.rates.alt_to_ref * rel_sd[ci * 2 + 1],
            ];
            if s.source == SiteSource::Class {
                s.error_var[0] = s.error_var[0].max(spread[ci * 2]);
                s.error_var[1] = s.error_var[1].max(spread[ci * 2 + 1]);
            }
            s
        })
        .collect();
    (scaled, factors)
}

/// Relative variance of a class's error scale `factor` (see
/// [`pooled_factor`]): (Σ(x − n e·factor)² + K) / (observed + K)² over the
/// markers it was computed from, K the class rate's evidence — the
/// gamma–Poisson posterior's 1/(observed + K) with the markers' own spread
/// in place of Poisson counting (a sandwich estimate), 1/K with no marker.
/// The scale multiplies every marker's rate, so its error is shared by all
/// of them: with 50-read references (the real SRP434573 ones) the class
/// rate rests on a few hundred of the mixture's error reads. On a
/// simulation of that panel, before this term and the three changes beside
/// it (`sample_spread`, `class_evidence`, `is_error_level`), 7 of 150
/// pure-donor samples were called "recipient detected" at α 1%; after, 1.
fn factor_rel_var(v: &[(u64, u64, f64)], factor: f64, prior: f64) -> f64 {
    let limit = error_read_limit(v);
    let (mut ss, mut observed) = (0.0, 0.0);
    for &(x, d, e) in v {
        if d > 0 && limit.is_some_and(|l| is_error_level(x, d, l)) {
            ss += (x as f64 - d as f64 * e * factor).powi(2);
            observed += x as f64;
        }
    }
    (ss + prior) / (observed + prior).powi(2)
}

/// Whether `x` other-allele reads of `d` are within sequencing error for a
/// share limit `limit` ([`error_read_limit`]): at most d·limit plus three
/// Poisson standard deviations and 3 reads. Judged on the share alone, a
/// single error read at a 300-read marker (0.33%) was an outlier while
/// its zero-read neighbours were kept, which pulled the sample's scale
/// down when amplicon depths vary (gamma CV 0.8, as in SRP434573; by 3–11%
/// in the simulated panels examined).
fn is_error_level(x: u64, d: u64, limit: f64) -> bool {
    let expected = d as f64 * limit;
    x as f64 <= expected + 3.0 * expected.sqrt() + 3.0
}

/// The highest per-marker error share [`pooled_factor`] keeps (3× the
/// median + 0.2%, see [`is_error_level`]); `None` when there is no marker
/// or the median is not sequencing error.
fn error_read_limit(v: &[(u64, u64, f64)]) -> Option<f64> {
    let mut per_site: Vec<f64> = v
        .iter()
        .filter(|x| x.1 > 0)
        .map(|x| x.0 as f64 / x.1 as f64)
        .collect();
    per_site.sort_by(f64::total_cmp);
    let median = *per_site.get(per_site.len() / 2)?;
    (median <= MAX_ERROR_RATE).then_some(3.0 * median + 0.002)
}

/// Fewest all-homozygous markers behind a between-site error spread
/// measured in the sample.
const MIN_SAMPLE_SPREAD_SITES: usize = 20;

/// Between-site variance of the sample's own error rates around the scaled
/// class rate (`factor` × rate), beyond binomial counting: at markers
/// where everybody is homozygous for one allele (the identity check's
/// outliers left out, as in [`pooled_factor`]), Σ[(x − n r)² − n r] / Σ n²
/// for x error reads of n, r the scaled rate (method of moments, deep
/// markers weighing most; 0 with fewer than [`MIN_SAMPLE_SPREAD_SITES`]
/// markers or when counting explains the spread). Reference samples
/// shallower than 100 reads per site (the real SRP434573 references: 50)
/// show no spread at all, while the mixture's thousands of reads do: a
/// marker taking the class rate carries the larger of the two into the
/// detection limits and the presence test.
fn sample_spread(v: &[(u64, u64, f64)], factor: f64) -> f64 {
    let Some(limit) = error_read_limit(v) else {
        return 0.0;
    };
    let kept: Vec<(f64, f64, f64)> = v
        .iter()
        .filter(|x| x.1 > 0 && is_error_level(x.0, x.1, limit))
        .map(|&(x, d, e)| (x as f64, d as f64, e * factor))
        .collect();
    if kept.len() < MIN_SAMPLE_SPREAD_SITES {
        return 0.0;
    }
    let excess: f64 = kept
        .iter()
        .map(|&(x, d, r)| (x - d * r).powi(2) - d * r)
        .sum();
    let weight: f64 = kept.iter().map(|&(_, d, _)| d * d).sum();
    (excess / weight).max(0.0)
}

/// Prior weight of the sample-specific error scaling, in expected error
/// reads, for a class whose markers all have their own rates (an error
/// table).
pub const PRIOR_ERROR_READS: f64 = 50.0;

/// Fewest error reads a class rate learnt from references weighs in the
/// sample's error scaling.
const MIN_CLASS_EVIDENCE: f64 = 5.0;

/// How many error reads the class rates rest on, per class and direction
/// (`[snp ref→alt, snp alt→ref, indel ref→alt, indel alt→ref]`): rate ×
/// reads seen at the references' homozygous markers (at least
/// [`MIN_CLASS_EVIDENCE`]); [`PRIOR_ERROR_READS`] for a class none of whose
/// markers takes the class rate. This is the weight of the class rate
/// against the sample's own error reads in [`pooled_factor`] (the gamma
/// prior's shape): 50-read references (the real SRP434573 ones) see a few
/// dozen error reads per class, and a fixed weight of 50 held the
/// sample's rate up to 41% from the truth in the worst simulated panels of
/// that shape.
fn class_evidence(markers: &[Marker], sites: &[SiteModel]) -> [f64; 4] {
    let mut out = [PRIOR_ERROR_READS; 4];
    for ci in 0..2 {
        let class_site = markers.iter().zip(sites).find(|(m, s)| {
            s.source == SiteSource::Class
                && usize::from(AlleleClass::of(m) == AlleleClass::Indel) == ci
        });
        if let Some((_, s)) = class_site {
            let r = s.rates;
            out[ci * 2] = (r.ref_to_alt * r.ref_reads_seen as f64).max(MIN_CLASS_EVIDENCE);
            out[ci * 2 + 1] = (r.alt_to_ref * r.alt_reads_seen as f64).max(MIN_CLASS_EVIDENCE);
        }
    }
    out
}

/// A per-site "error" rate above this is not sequencing error.
const MAX_ERROR_RATE: f64 = 0.05;

fn pooled_factor(v: &[(u64, u64, f64)], prior: f64) -> f64 {
    let Some(limit) = error_read_limit(v) else {
        return 1.0;
    };
    let (mut observed, mut expected) = (0.0, 0.0);
    for &(x, d, e) in v {
        if d > 0 && is_error_level(x, d, limit) {
            observed += x as f64;
            expected += d as f64 * e;
        }
    }
    ((observed + prior) / (expected + prior)).clamp(0.1, 10.0)
}

#[cfg(test)]
mod error_scale_tests {
    use super::*;

    #[test]
    fn one_error_read_at_a_shallow_marker_is_error_level() {
        // 0.2% share limit: one read of 300 is 0.33% but within counting.
        assert!(is_error_level(1, 300, 0.002));
        assert!(is_error_level(4, 300, 0.002));
        // d·limit = 0.6, + 3·√0.6 + 3 = 5.92: 5 reads in, 6 out.
        assert!(is_error_level(5, 300, 0.002));
        assert!(!is_error_level(6, 300, 0.002));
        // A 5% "error" at depth 3,000 is an outlier (unknown contributor).
        assert!(!is_error_level(150, 3_000, 0.002));
    }

    #[test]
    fn shallow_markers_with_one_read_do_not_bias_the_scale_down() {
        // Rate 3e-4 everywhere. 150 deep markers (3,333 reads, 1 expected
        // error read: 0, 1, 1, 2, …) and 50 shallow ones (300 reads, 0.09
        // expected: 5 of them with one read) — as counting gives. The
        // scale is 1; the share-only rule (one read of 300 = 0.33% > 0.2%)
        // dropped the shallow reads and read it low.
        let mut v = Vec::new();
        for i in 0..150u64 {
            v.push(([0, 1, 1, 2][(i % 4) as usize], 3_333, 3e-4));
        }
        for i in 0..50u64 {
            v.push((u64::from(i % 10 == 0), 300, 3e-4));
        }
        let f = pooled_factor(&v, 5.0);
        assert!((f - 1.0).abs() < 0.02, "{f}");
        let share_only: Vec<_> = v.iter().filter(|x| x.0 * 500 <= x.1).copied().collect();
        assert!(pooled_factor(&share_only, 5.0) < f);
    }

    #[test]
    fn the_class_rate_weighs_what_it_rests_on() {
        // A class rate learnt from 30 error reads against the sample's 300
        // reads at twice that rate: the sample decides (~1.9); a rate
        // learnt from 3,000 reads holds (~1.1).
        let v: Vec<(u64, u64, f64)> = (0..100).map(|i| (1 + i % 5, 5_000, 3e-4)).collect();
        let weak = pooled_factor(&v, 30.0);
        let strong = pooled_factor(&v, 3_000.0);
        assert!(weak > 1.8, "{weak}");
        assert!(strong < 1.1, "{strong}");
        // Its relative variance: (Σ(x − n·e·f)² + K) / (observed + K)²,
        // larger when the sites spread, 1/K with no site.
        let rv = factor_rel_var(&v, weak, 30.0);
        let ss: f64 = v
            .iter()
            .map(|&(x, d, e)| (x as f64 - d as f64 * e * weak).powi(2))
            .sum();
        assert!((rv - (ss + 30.0) / 330.0_f64.powi(2)).abs() < 1e-12, "{rv}");
        let even: Vec<(u64, u64, f64)> = (0..100).map(|_| (3, 5_000, 3e-4)).collect();
        assert!(factor_rel_var(&even, pooled_factor(&even, 30.0), 30.0) < rv);
        assert!((factor_rel_var(&[], 1.0, 50.0) - 1.0 / 50.0).abs() < 1e-12);
    }

    #[test]
    fn spread_between_sites_is_seen_in_the_sample_and_counting_alone_is_not() {
        // Every site at its expected count: no spread beyond counting.
        let even: Vec<(u64, u64, f64)> = (0..100).map(|_| (1, 3_333, 3e-4)).collect();
        assert!(sample_spread(&even, 1.0) < 1e-9);
        // Sites at 0, 1, 2, 3 or 4× the mean rate (as gamma-spread rates):
        // a spread of the order of the rate squared.
        let spread: Vec<(u64, u64, f64)> = (0..100).map(|i| ((i % 5) * 2, 3_333, 6e-4)).collect();
        let s = sample_spread(&spread, 1.0);
        assert!(s > 1e-7 && s < 1e-6, "{s}");
        // Too few sites: nothing.
        assert_eq!(sample_spread(&spread[..10], 1.0), 0.0);
    }
}

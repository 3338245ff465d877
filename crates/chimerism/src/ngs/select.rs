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
use super::site_model::SiteModel;
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
/// and K = [`PRIOR_ERROR_READS`] expected error reads (gamma–Poisson
/// shrinkage: a handful of error reads moves nothing, thousands decide).
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
    }
    let factors: [f64; 4] = std::array::from_fn(|i| pooled_factor(&obs[i]));
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
            s
        })
        .collect();
    (scaled, factors)
}

/// Prior weight of the sample-specific error scaling, in expected error reads.
pub const PRIOR_ERROR_READS: f64 = 50.0;

/// A per-site "error" rate above this is not sequencing error.
const MAX_ERROR_RATE: f64 = 0.05;

fn pooled_factor(v: &[(u64, u64, f64)]) -> f64 {
    let mut per_site: Vec<f64> = v
        .iter()
        .filter(|x| x.1 > 0)
        .map(|x| x.0 as f64 / x.1 as f64)
        .collect();
    if per_site.is_empty() {
        return 1.0;
    }
    per_site.sort_by(f64::total_cmp);
    let median = per_site[per_site.len() / 2];
    if median > MAX_ERROR_RATE {
        return 1.0;
    }
    let (mut observed, mut expected) = (0.0, 0.0);
    for &(x, d, e) in v {
        if d > 0 && x as f64 / d as f64 <= 3.0 * median + 0.002 {
            observed += x as f64;
            expected += d as f64 * e;
        }
    }
    ((observed + PRIOR_ERROR_READS) / (expected + PRIOR_ERROR_READS)).clamp(0.1, 10.0)
}

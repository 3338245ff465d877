//! Count-level simulation of NGS chimerism data, for tests, examples and
//! benchmarks: a panel of SNP and indel markers with allele frequencies,
//! unrelated and haploidentical genotypes, and beta-binomial read counts of
//! a mixture with directional sequencing errors and per-marker error
//! variation. Deterministic given the seed (the workspace's seeded
//! generator, [`graftwatch_core::rng`]: identical streams on every platform).

use graftwatch_core::{Fraction, GenomicPosition};

use super::genotype::Genotype;
use super::math::ln_gamma;
use crate::marker::{AlleleCounts, Marker};

/// The simulator's generator: the workspace's one seeded generator
/// ([`graftwatch_core::rng`]).
pub use graftwatch_core::rng::SeededRng as SimRng;

/// The binomial draw of the count simulation, on the workspace generator.
pub trait BinomialDraw {
    /// Binomial(n, p), exact: inversion searching outwards from the mode.
    fn binomial(&mut self, n: u32, p: f64) -> u32;
}

impl BinomialDraw for SimRng {
    fn binomial(&mut self, n: u32, p: f64) -> u32 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        let nf = f64::from(n);
        let mode = ((nf + 1.0) * p).floor().min(nf);
        let lpmf = |k: f64| {
            ln_gamma(nf + 1.0) - ln_gamma(k + 1.0) - ln_gamma(nf - k + 1.0)
                + k * p.ln()
                + (nf - k) * (1.0 - p).ln()
        };
        let pm = lpmf(mode).exp();
        let u = self.uniform();
        let mut acc = pm;
        if u < acc {
            return mode as u32;
        }
        let (mut lo, mut hi) = (mode, mode);
        let (mut plo, mut phi) = (pm, pm);
        let ratio = p / (1.0 - p);
        loop {
            let can_down = lo > 0.0;
            let can_up = hi < nf;
            if !can_down && !can_up {
                return mode as u32;
            }
            // Step to whichever neighbour is more probable.
            let next_lo = if can_down {
                plo * lo / (nf - lo + 1.0) / ratio
            } else {
                -1.0
            };
            let next_hi = if can_up {
                phi * (nf - hi) / (hi + 1.0) * ratio
            } else {
                -1.0
            };
            if next_lo >= next_hi {
                lo -= 1.0;
                plo = next_lo;
                acc += plo;
                if u < acc {
                    return lo as u32;
                }
            } else {
                hi += 1.0;
                phi = next_hi;
                acc += phi;
                if u < acc {
                    return hi as u32;
                }
            }
        }
    }
}

/// A simulated panel: markers with ALT allele frequencies.
#[derive(Debug, Clone)]
pub struct SimPanel {
    /// Markers (SNPs first, then indels).
    pub markers: Vec<Marker>,
    /// Population ALT allele frequency of each marker.
    pub alt_freq: Vec<Fraction>,
}

/// [`simulate_panel`] plus `n_x` SNPs on chromosome X outside the
/// pseudo-autosomal regions.
pub fn simulate_panel_with_x(
    n_snp: usize,
    n_indel: usize,
    n_x: usize,
    rng: &mut SimRng,
) -> SimPanel {
    let mut p = simulate_panel(n_snp, n_indel, rng);
    let bases = ["A", "C", "G", "T"];
    for i in 0..n_x {
        let r = rng.index(4);
        let a = (r + 1 + rng.index(3)) % 4;
        p.markers.push(Marker {
            id: format!("x{:02}", i + 1),
            chrom: "chrX".into(),
            pos: GenomicPosition::from_one_based(20_000_000 + 1_000_000 * i as u64)
                .expect("X positions are ≥ 1"),
            ref_allele: bases[r].into(),
            alt_allele: bases[a].into(),
        });
        p.alt_freq.push(common_frequency(rng));
    }
    p
}

/// A population allele frequency uniform in [0.2, 0.8].
fn common_frequency(rng: &mut SimRng) -> Fraction {
    Fraction::clamp(0.2 + 0.6 * rng.uniform()).unwrap_or(Fraction::lit(0.5))
}

/// Builds a panel of `n_snp` SNPs and `n_indel` indels with allele
/// frequencies uniform in [0.2, 0.8] (chimerism panels choose common markers).
pub fn simulate_panel(n_snp: usize, n_indel: usize, rng: &mut SimRng) -> SimPanel {
    let bases = ["A", "C", "G", "T"];
    let mut markers = Vec::new();
    let mut alt_freq = Vec::new();
    for i in 0..n_snp + n_indel {
        let chrom = format!("chr{}", 1 + i % 22);
        let pos = 1_000_000 + 10_000 * i as u64;
        let r = rng.index(4);
        let a = (r + 1 + rng.index(3)) % 4;
        let (ra, aa) = if i < n_snp {
            (bases[r].to_string(), bases[a].to_string())
        } else if i % 2 == 0 {
            // Deletion of 1–3 bases.
            let len = 1 + rng.index(3);
            let del: String = (0..len).map(|j| bases[(r + j + 1) % 4]).collect();
            (format!("{}{}", bases[r], del), bases[r].to_string())
        } else {
            let len = 1 + rng.index(3);
            let ins: String = (0..len).map(|j| bases[(a + j) % 4]).collect();
            (bases[r].to_string(), format!("{}{}", bases[r], ins))
        };
        let kind = if i < n_snp { "snp" } else { "indel" };
        markers.push(Marker {
            id: format!("{kind}{:02}", i + 1),
            chrom,
            pos: GenomicPosition::from_one_based(pos).expect("simulated positions are ≥ 1"),
            ref_allele: ra,
            alt_allele: aa,
        });
        alt_freq.push(common_frequency(rng));
    }
    SimPanel { markers, alt_freq }
}

/// A person as two haplotypes (ALT = true) per marker.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPerson {
    /// Haplotype alleles per marker.
    pub haplotypes: Vec<[bool; 2]>,
    /// One X chromosome: X markers outside the PARs are hemizygous (both
    /// haplotypes equal) and the person puts one X copy per cell into the
    /// DNA pool instead of two.
    pub male: bool,
}

impl SimPerson {
    /// Makes the person male: hemizygous at the panel's X markers.
    pub fn make_male(&mut self, panel: &SimPanel) {
        self.male = true;
        for (h, m) in self.haplotypes.iter_mut().zip(&panel.markers) {
            if super::sex::sex_chromosome(m) == Some('X') {
                h[1] = h[0];
            }
        }
    }

    /// X copies per cell at marker `m` (2 on autosomes).
    fn copies(&self, m: &Marker) -> f64 {
        if self.male && super::sex::sex_chromosome(m) == Some('X') {
            1.0
        } else {
            2.0
        }
    }

    /// Genotypes.
    pub fn genotypes(&self) -> Vec<Genotype> {
        self.haplotypes
            .iter()
            .map(|h| {
                Genotype::from_alt_dosage(u8::from(h[0]) + u8::from(h[1]))
                    .unwrap_or(Genotype::HomRef)
            })
            .collect()
    }
}

/// An unrelated person drawn from the panel's allele frequencies (HWE).
pub fn unrelated(panel: &SimPanel, rng: &mut SimRng) -> SimPerson {
    SimPerson {
        haplotypes: panel
            .alt_freq
            .iter()
            .map(|&p| [rng.uniform() < p.get(), rng.uniform() < p.get()])
            .collect(),
        male: false,
    }
}

/// A haploidentical relative of `of` (parent, child or haplo sibling): at
/// every (unlinked) marker one allele is one of `of`'s, the other drawn
/// from the population.
pub fn haploidentical(of: &SimPerson, panel: &SimPanel, rng: &mut SimRng) -> SimPerson {
    SimPerson {
        haplotypes: of
            .haplotypes
            .iter()
            .zip(&panel.alt_freq)
            .map(|(h, &p)| [h[rng.index(2)], rng.uniform() < p.get()])
            .collect(),
        male: false,
    }
}

/// Sequencing and library parameters of a simulated run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimReads {
    /// Mean REF+ALT depth per marker.
    pub depth: u32,
    /// Coefficient of variation of depth between markers.
    pub depth_cv: f64,
    /// Mean SNP error per direction.
    pub snp_error: f64,
    /// Mean indel error per direction.
    pub indel_error: f64,
    /// Marker-to-marker variation of the error rate (CV, gamma-distributed).
    pub error_cv: f64,
    /// Beta-binomial overdispersion ρ.
    pub rho: f64,
    /// Reads of other alleles, as a share of depth.
    pub other_rate: Fraction,
}

impl Default for SimReads {
    fn default() -> Self {
        SimReads {
            depth: 5_000,
            depth_cv: 0.2,
            snp_error: 3e-4,
            indel_error: 1e-3,
            error_cv: 0.3,
            rho: 1e-4,
            other_rate: Fraction::lit(1e-3),
        }
    }
}

/// Per-marker error rates of one run (fixed across its samples, as a real
/// panel's site-specific error is).
#[derive(Debug, Clone, PartialEq)]
pub struct SimErrors {
    /// (REF→ALT, ALT→REF) per marker.
    pub rates: Vec<(f64, f64)>,
}

/// Draws per-marker error rates around the class means.
pub fn simulate_errors(panel: &SimPanel, reads: &SimReads, rng: &mut SimRng) -> SimErrors {
    let shape = 1.0 / (reads.error_cv * reads.error_cv).max(1e-6);
    let draw = |mean: f64, rng: &mut SimRng| mean * rng.gamma(shape) / shape;
    SimErrors {
        rates: panel
            .markers
            .iter()
            .map(|m| {
                let mean = if m.is_indel() {
                    reads.indel_error
                } else {
                    reads.snp_error
                };
                (draw(mean, rng), draw(mean, rng))
            })
            .collect(),
    }
}

/// Artefacts of real amplicon sequencing that the clean simulation lacks
/// (all off in `Default`), as seen in real mixtures (docs/chimerism-ngs.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimArtefacts {
    /// Mixture indel calls lose their ALT reads (a caller artefact seen in
    /// real bcftools output): every indel of a mixture shows ALT reads at
    /// the error rate only.
    pub dead_indels: bool,
    /// SD of the per-marker log ALT:REF amplification ratio (allele bias),
    /// in every sample, pure or mixed.
    pub allele_bias_sd: f64,
    /// Share of markers with an allele dropout in mixtures (one allele, at
    /// random, gets error reads only).
    pub dropout_rate: Fraction,
    /// Error rates of mixtures relative to the pure samples (another run).
    pub mixture_error_factor: f64,
}

impl Default for SimArtefacts {
    fn default() -> Self {
        SimArtefacts {
            dead_indels: false,
            allele_bias_sd: 0.0,
            dropout_rate: Fraction::ZERO,
            mixture_error_factor: 1.0,
        }
    }
}

impl SimArtefacts {
    /// The "messy" setting of the validation: dead indels, allele bias
    /// (log-ratio SD 0.3, i.e. heterozygotes reading ~43–57%, as in the real
    /// three-person mixture), 2% allele dropouts; mixture and pure samples
    /// share the error chemistry (per-site error spread is set in
    /// [`SimReads::error_cv`]).
    pub fn messy() -> SimArtefacts {
        SimArtefacts {
            dead_indels: true,
            allele_bias_sd: 0.3,
            dropout_rate: Fraction::lit(0.02),
            mixture_error_factor: 1.0,
        }
    }
}

/// Per-marker draws of the artefacts, fixed for a panel (every sample of a
/// run sees the same amplicons).
#[derive(Debug, Clone, PartialEq)]
pub struct SimSiteEffects {
    /// ALT:REF amplification ratio per marker.
    pub amplification: Vec<f64>,
    /// Allele dropped in mixtures: `Some(true)` = ALT, `Some(false)` = REF.
    pub dropout: Vec<Option<bool>>,
    /// Indel per marker.
    pub indel: Vec<bool>,
    /// The artefact settings.
    pub artefacts: SimArtefacts,
}

/// Draws the per-marker artefacts of `panel`.
pub fn simulate_site_effects(
    panel: &SimPanel,
    artefacts: &SimArtefacts,
    rng: &mut SimRng,
) -> SimSiteEffects {
    let n = panel.markers.len();
    // An artefact that is off draws nothing, so a clean scenario's people
    // and reads are the same random draws as before artefacts existed
    // (comparisons with earlier clean results stay like for like).
    let amplification = if artefacts.allele_bias_sd > 0.0 {
        (0..n)
            .map(|_| (artefacts.allele_bias_sd * rng.normal()).exp())
            .collect()
    } else {
        vec![1.0; n]
    };
    let dropout = if artefacts.dropout_rate.get() > 0.0 {
        (0..n)
            .map(|_| (rng.uniform() < artefacts.dropout_rate.get()).then(|| rng.uniform() < 0.5))
            .collect()
    } else {
        vec![None; n]
    };
    SimSiteEffects {
        amplification,
        dropout,
        indel: panel.markers.iter().map(Marker::is_indel).collect(),
        artefacts: *artefacts,
    }
}

/// Simulates the REF/ALT/other counts of one sample: a mixture of
/// `persons` at `fractions` (summing to 1), with per-marker error rates and
/// beta-binomial noise. Clean data: no artefacts.
pub fn simulate_counts(
    persons: &[&SimPerson],
    fractions: &[f64],
    errors: &SimErrors,
    reads: &SimReads,
    rng: &mut SimRng,
) -> Vec<AlleleCounts> {
    simulate_counts_with(persons, fractions, errors, reads, None, &[], rng)
}

/// [`simulate_counts`] with artefacts: `effects` (allele bias everywhere;
/// dead indels, dropouts and the mixture error factor when `persons` holds
/// more than one person) and `markers` (needed for X copy number; may be
/// empty when no person is male).
pub fn simulate_counts_with(
    persons: &[&SimPerson],
    fractions: &[f64],
    errors: &SimErrors,
    reads: &SimReads,
    effects: Option<&SimSiteEffects>,
    markers: &[Marker],
    rng: &mut SimRng,
) -> Vec<AlleleCounts> {
    let m = errors.rates.len();
    let shape = 1.0 / (reads.depth_cv * reads.depth_cv).max(1e-6);
    let mixture = persons.len() > 1;
    (0..m)
        .map(|i| {
            let (mut num, mut den) = (0.0, 0.0);
            for (p, f) in persons.iter().zip(fractions) {
                let c = markers.get(i).map_or(2.0, |mk| p.copies(mk));
                let a =
                    f64::from(u8::from(p.haplotypes[i][0]) + u8::from(p.haplotypes[i][1])) / 2.0;
                num += f * c * a;
                den += f * c;
            }
            let mut v = if den > 0.0 { num / den } else { 0.0 };
            let (mut e_ra, mut e_ar) = errors.rates[i];
            if let Some(fx) = effects {
                let w = fx.amplification[i];
                v = v * w / (v * w + (1.0 - v)).max(1e-300);
                if mixture {
                    e_ra *= fx.artefacts.mixture_error_factor;
                    e_ar *= fx.artefacts.mixture_error_factor;
                    if fx.artefacts.dead_indels && fx.indel[i] {
                        v = 0.0;
                    }
                    match fx.dropout[i] {
                        Some(true) => v = 0.0,
                        Some(false) => v = 1.0,
                        None => {}
                    }
                }
            }
            let p = e_ra + v * (1.0 - e_ra - e_ar);
            let depth = (f64::from(reads.depth) * rng.gamma(shape) / shape)
                .round()
                .max(1.0) as u32;
            let pi = if reads.rho > 0.0 {
                let s = (1.0 - reads.rho) / reads.rho;
                rng.beta((p * s).max(1e-9), ((1.0 - p) * s).max(1e-9))
            } else {
                p
            };
            let alt = rng.binomial(depth, pi);
            let other = rng.binomial(depth, reads.other_rate.get());
            AlleleCounts {
                ref_count: depth - alt,
                alt_count: alt,
                other,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_mean_and_variance() {
        let mut rng = SimRng::new(7);
        let (n, p) = (5_000u32, 0.3);
        let xs: Vec<f64> = (0..4_000).map(|_| f64::from(rng.binomial(n, p))).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() as f64 - 1.0);
        assert!((mean - 1_500.0).abs() < 3.0, "{mean}");
        assert!((var / 1_050.0 - 1.0).abs() < 0.1, "{var}");
        // Small p: Poisson-like.
        let xs: Vec<f64> = (0..4_000)
            .map(|_| f64::from(rng.binomial(n, 0.001)))
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 5.0).abs() < 0.2, "{mean}");
    }

    #[test]
    fn haploidentical_shares_an_allele_everywhere() {
        let mut rng = SimRng::new(3);
        let panel = simulate_panel(48, 24, &mut rng);
        let r = unrelated(&panel, &mut rng);
        let d = haploidentical(&r, &panel, &mut rng);
        for (a, b) in r.haplotypes.iter().zip(&d.haplotypes) {
            assert!(a.contains(&b[0]) || a.contains(&b[1]));
        }
        assert_eq!(panel.markers.iter().filter(|m| m.is_indel()).count(), 24);
    }
}

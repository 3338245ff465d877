//! Test-support simulator of STR capillary-electrophoresis peak tables for a
//! recipient and N donors (used by the STR tests, the accuracy table and the
//! generator of `examples/str/`).
//!
//! Allele frequencies: approximate, rounded US Caucasian frequencies after
//! the NIST 1036 population data (Hill CR et al., FSI Genetics 2013;7:e82–e83
//! and Moretti TR et al., J Forensic Sci 2016;61:1030, "Population data on
//! the expanded CODIS core STR loci"); only the common alleles are listed
//! and the table is renormalised at use. Back-stutter ratios 5–12% by locus
//! (typical published kit stutter filters), forward stutter ~1.5%.
//!
//! The PCR/CE model per locus: template of person k at allele a is
//! f_k·dose/2; its template copies may be a Poisson draw
//! ([`SimParams::copy_rfu`]); each allele amplifies with a lognormal efficiency
//! (heterozygote imbalance + multiplicative noise) and a degradation factor
//! exp(−slope·fragment length); stutter peaks are parent × ratio (lognormal
//! jitter); heights below the export threshold are dropped; area = height ×
//! ~10 with its own small noise.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use graftwatch_chimerism::str::{Allele, Locus, Peak, StrConfig, StrProfile, StrReferences};
use graftwatch_core::DonorId;

/// The workspace's one seeded generator ([`graftwatch_core::rng`]).
pub use graftwatch_core::SeededRng as Rng;

/// Lognormal draws with mean 1.
trait Lognormal {
    /// exp(sd·Z − sd²/2), Z standard normal.
    fn lognormal(&mut self, sd: f64) -> f64;
}

impl Lognormal for Rng {
    fn lognormal(&mut self, sd: f64) -> f64 {
        (sd * self.normal() - sd * sd / 2.0).exp()
    }
}

/// Poisson draws (template copies in a PCR).
trait Poisson {
    /// A Poisson count of mean `lambda`: exact (Knuth's product of
    /// uniforms) below 50, the normal approximation with continuity
    /// correction above, where a peak of that many copies is far above
    /// any threshold and the two differ by less than the allelic noise.
    fn poisson(&mut self, lambda: f64) -> f64;
}

impl Poisson for Rng {
    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda <= 0.0 {
            return 0.0;
        }
        if lambda >= 50.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0);
        }
        let limit = (-lambda).exp();
        let mut product = self.uniform();
        let mut k = 0.0;
        while product > limit {
            k += 1.0;
            product *= self.uniform();
        }
        k
    }
}

/// One locus of the table: (locus, back-stutter ratio, [(allele, frequency)]).
pub type LocusFrequencies = (Locus, f64, Vec<(&'static str, f64)>);

/// The frequency and stutter table.
pub fn frequency_table() -> Vec<LocusFrequencies> {
    vec![
        (
            Locus::D3s1358,
            0.11,
            vec![
                ("13", 0.005),
                ("14", 0.14),
                ("15", 0.26),
                ("16", 0.25),
                ("17", 0.20),
                ("18", 0.15),
                ("19", 0.01),
            ],
        ),
        (
            Locus::Vwa,
            0.10,
            vec![
                ("14", 0.10),
                ("15", 0.11),
                ("16", 0.21),
                ("17", 0.28),
                ("18", 0.20),
                ("19", 0.09),
                ("20", 0.01),
            ],
        ),
        (
            Locus::D16s539,
            0.09,
            vec![
                ("8", 0.02),
                ("9", 0.11),
                ("10", 0.06),
                ("11", 0.32),
                ("12", 0.32),
                ("13", 0.15),
                ("14", 0.02),
            ],
        ),
        (
            Locus::Csf1po,
            0.08,
            vec![
                ("9", 0.02),
                ("10", 0.23),
                ("11", 0.30),
                ("12", 0.36),
                ("13", 0.07),
                ("14", 0.01),
            ],
        ),
        (
            Locus::Tpox,
            0.05,
            vec![
                ("8", 0.54),
                ("9", 0.12),
                ("10", 0.06),
                ("11", 0.25),
                ("12", 0.03),
            ],
        ),
        (
            Locus::D8s1179,
            0.09,
            vec![
                ("10", 0.09),
                ("11", 0.07),
                ("12", 0.14),
                ("13", 0.33),
                ("14", 0.22),
                ("15", 0.11),
                ("16", 0.03),
            ],
        ),
        (
            Locus::D21s11,
            0.10,
            vec![
                ("27", 0.03),
                ("28", 0.16),
                ("29", 0.20),
                ("30", 0.26),
                ("30.2", 0.03),
                ("31", 0.07),
                ("31.2", 0.10),
                ("32.2", 0.09),
                ("33.2", 0.03),
            ],
        ),
        (
            Locus::D18s51,
            0.11,
            vec![
                ("11", 0.01),
                ("12", 0.14),
                ("13", 0.12),
                ("14", 0.16),
                ("15", 0.15),
                ("16", 0.13),
                ("17", 0.12),
                ("18", 0.08),
                ("19", 0.04),
                ("20", 0.03),
            ],
        ),
        (
            Locus::D2s441,
            0.07,
            vec![
                ("10", 0.21),
                ("11", 0.35),
                ("11.3", 0.04),
                ("12", 0.05),
                ("14", 0.31),
                ("15", 0.04),
            ],
        ),
        (
            Locus::D19s433,
            0.09,
            vec![
                ("12", 0.08),
                ("13", 0.26),
                ("14", 0.35),
                ("14.2", 0.02),
                ("15", 0.17),
                ("15.2", 0.03),
                ("16", 0.04),
            ],
        ),
        (
            Locus::Th01,
            0.04,
            vec![
                ("6", 0.22),
                ("7", 0.17),
                ("8", 0.13),
                ("9", 0.12),
                ("9.3", 0.34),
                ("10", 0.01),
            ],
        ),
        (
            Locus::Fga,
            0.11,
            vec![
                ("19", 0.06),
                ("20", 0.14),
                ("21", 0.18),
                ("22", 0.19),
                ("23", 0.15),
                ("24", 0.14),
                ("25", 0.08),
                ("26", 0.03),
            ],
        ),
        (
            Locus::D22s1045,
            0.12,
            vec![
                ("11", 0.13),
                ("14", 0.05),
                ("15", 0.38),
                ("16", 0.34),
                ("17", 0.07),
                ("18", 0.01),
            ],
        ),
        (
            Locus::D5s818,
            0.07,
            vec![
                ("9", 0.04),
                ("10", 0.05),
                ("11", 0.36),
                ("12", 0.38),
                ("13", 0.14),
                ("14", 0.01),
            ],
        ),
        (
            Locus::D13s317,
            0.07,
            vec![
                ("8", 0.13),
                ("9", 0.08),
                ("10", 0.05),
                ("11", 0.32),
                ("12", 0.27),
                ("13", 0.11),
                ("14", 0.04),
            ],
        ),
        (
            Locus::D7s820,
            0.07,
            vec![
                ("8", 0.16),
                ("9", 0.15),
                ("10", 0.26),
                ("11", 0.21),
                ("12", 0.15),
                ("13", 0.03),
            ],
        ),
        (
            Locus::D10s1248,
            0.10,
            vec![
                ("12", 0.04),
                ("13", 0.31),
                ("14", 0.28),
                ("15", 0.20),
                ("16", 0.12),
                ("17", 0.04),
            ],
        ),
        (
            Locus::D1s1656,
            0.10,
            vec![
                ("11", 0.07),
                ("12", 0.12),
                ("13", 0.07),
                ("14", 0.08),
                ("15", 0.14),
                ("16", 0.16),
                ("17", 0.07),
                ("17.3", 0.20),
                ("18.3", 0.07),
            ],
        ),
        (
            Locus::D12s391,
            0.11,
            vec![
                ("17", 0.09),
                ("18", 0.19),
                ("19", 0.14),
                ("20", 0.15),
                ("21", 0.12),
                ("22", 0.10),
                ("23", 0.05),
                ("18.3", 0.02),
            ],
        ),
        (
            Locus::D2s1338,
            0.10,
            vec![
                ("17", 0.17),
                ("18", 0.07),
                ("19", 0.12),
                ("20", 0.15),
                ("21", 0.03),
                ("22", 0.04),
                ("23", 0.12),
                ("24", 0.10),
                ("25", 0.09),
            ],
        ),
        (
            Locus::PentaD,
            0.06,
            vec![
                ("9", 0.19),
                ("10", 0.12),
                ("11", 0.16),
                ("12", 0.20),
                ("13", 0.20),
                ("14", 0.09),
            ],
        ),
        (
            Locus::PentaE,
            0.06,
            vec![
                ("5", 0.07),
                ("7", 0.17),
                ("8", 0.03),
                ("10", 0.06),
                ("11", 0.09),
                ("12", 0.19),
                ("13", 0.09),
                ("14", 0.07),
                ("15", 0.06),
                ("16", 0.04),
            ],
        ),
    ]
}

/// A person's genotype: two allele texts per locus (plus sex).
#[derive(Clone, Debug)]
pub struct SimPerson {
    pub loci: BTreeMap<Locus, [String; 2]>,
    pub male: bool,
}

fn draw<'a>(rng: &mut Rng, alleles: &'a [(&'static str, f64)]) -> &'a str {
    let total: f64 = alleles.iter().map(|a| a.1).sum();
    let mut u = rng.uniform() * total;
    for (a, f) in alleles {
        if u < *f {
            return a;
        }
        u -= f;
    }
    alleles[alleles.len() - 1].0
}

/// An unrelated person drawn from the frequency table.
pub fn unrelated(rng: &mut Rng) -> SimPerson {
    let mut loci = BTreeMap::new();
    for (l, _, freq) in frequency_table() {
        loci.insert(
            l,
            [draw(rng, &freq).to_string(), draw(rng, &freq).to_string()],
        );
    }
    SimPerson {
        loci,
        male: rng.uniform() < 0.5,
    }
}

/// A haploidentical relative: one of `of`'s alleles at every locus (one
/// shared haplotype) and one drawn from the population.
pub fn haploidentical(rng: &mut Rng, of: &SimPerson) -> SimPerson {
    let mut loci = BTreeMap::new();
    for (l, _, freq) in frequency_table() {
        let shared = of.loci[&l][rng.index(2)].clone();
        loci.insert(l, [shared, draw(rng, &freq).to_string()]);
    }
    SimPerson {
        loci,
        male: rng.uniform() < 0.5,
    }
}

/// Knobs of the PCR / CE model.
#[derive(Clone, Debug)]
pub struct SimParams {
    /// Mean total height (RFU) per locus before degradation (both alleles).
    pub locus_rfu: f64,
    /// Lognormal sd of per-allele amplification (heterozygote imbalance).
    pub allele_sd: f64,
    /// Lognormal sd of per-locus amplification.
    pub locus_sd: f64,
    /// Degradation slope per bp (fraction lost per bp, exponential).
    pub degradation_per_bp: f64,
    /// Forward-stutter ratio.
    pub forward_stutter: f64,
    /// Lognormal sd of stutter ratios.
    pub stutter_sd: f64,
    /// Peaks below this height (RFU) are not exported.
    pub export_threshold: f64,
    /// Multiply every back-stutter ratio by this (1 = locus table value).
    pub stutter_scale: f64,
    /// Double back-stutter (n−2) ratio (0 = none).
    pub double_back_stutter: f64,
    /// Additive baseline noise on every peak height (sd, RFU).
    pub noise_rfu: f64,
    /// Heights above this are clipped (detector saturation); `None` = no limit.
    pub saturation_rfu: Option<f64>,
    /// Probability that an allele of a person drops out completely at low
    /// copy number: drop-out probability = exp(−template RFU / this) (0 = none).
    /// Only the zero class of copy-number sampling, with the peak left at
    /// its expected height otherwise: an allele's expected signal is
    /// h·(1 − exp(−h/this)), below its template share (see
    /// [`SimParams::copy_rfu`] for the model whose expected signal is h).
    pub dropout_scale_rfu: f64,
    /// Signal of one template copy in RFU (0 = continuous template). The
    /// copies behind an allele's peak are a Poisson draw of mean expected
    /// height / this, and the peak is copies × this × the allelic noise:
    /// a low-level allele drops out when no copy (or too few) was sampled
    /// and is seen high when more were, its variance ∝ its mean (Gill P
    /// et al., Forensic Sci Int 2000;112:17–40; Weusten J, Herbergs J,
    /// Forensic Sci Int Genet 2012;6:17–25); P(no copy) = exp(−h/this),
    /// the drop-out probability of [`SimParams::dropout_scale_rfu`] at the
    /// same value, but its expected signal is h.
    pub copy_rfu: f64,
    /// Baseline noise also at the allele positions (bins) of the locus with
    /// no template, so that with a low export threshold noise peaks appear
    /// there as in a real electropherogram (default false: at 50 RFU and
    /// 8 RFU noise such peaks are never exported, and the draws of the
    /// existing tables are kept).
    pub noise_in_empty_bins: bool,
}

impl SimParams {
    /// Every artefact on: stutter n−1/n+1/n−2 with jitter, degradation,
    /// heterozygote imbalance, baseline noise, stochastic drop-out of
    /// low-level alleles and detector saturation at 30,000 RFU.
    pub fn realistic() -> SimParams {
        SimParams {
            double_back_stutter: 0.006,
            noise_rfu: 8.0,
            saturation_rfu: Some(30_000.0),
            dropout_scale_rfu: 40.0,
            degradation_per_bp: 0.003,
            allele_sd: 0.10,
            ..SimParams::default()
        }
    }
}

impl Default for SimParams {
    fn default() -> Self {
        SimParams {
            locus_rfu: 9000.0,
            allele_sd: 0.08,
            locus_sd: 0.25,
            degradation_per_bp: 0.002,
            forward_stutter: 0.015,
            stutter_sd: 0.15,
            export_threshold: 50.0,
            stutter_scale: 1.0,
            double_back_stutter: 0.0,
            noise_rfu: 0.0,
            saturation_rfu: None,
            dropout_scale_rfu: 0.0,
            copy_rfu: 0.0,
            noise_in_empty_bins: false,
        }
    }
}

/// Simulates the peak table of a mixture of `people` with `fractions` (Σ = 1).
pub fn mixture(
    rng: &mut Rng,
    name: &str,
    people: &[&SimPerson],
    fractions: &[f64],
    p: &SimParams,
) -> StrProfile {
    let mut prof = StrProfile::new(name);
    for (l, back, freq) in frequency_table() {
        let locus_eff = p.locus_rfu * rng.lognormal(p.locus_sd);
        let mut amounts: BTreeMap<Allele, f64> = BTreeMap::new();
        // Template amount per allele, summed over people.
        let mut template: BTreeMap<Allele, f64> = BTreeMap::new();
        for (person, f) in people.iter().zip(fractions) {
            for a in &person.loci[&l] {
                let al = Allele::parse(a, l).expect("table allele");
                *template.entry(al).or_default() += f / 2.0;
            }
        }
        for (al, t) in &template {
            let len = l.size_offset() + al.length_bp(l).unwrap_or(0.0);
            let degraded = (-p.degradation_per_bp * len).exp();
            let mut parent = if p.copy_rfu > 0.0 {
                let copies = rng.poisson(t * locus_eff * degraded / p.copy_rfu);
                copies * p.copy_rfu * rng.lognormal(p.allele_sd)
            } else {
                t * locus_eff * rng.lognormal(p.allele_sd) * degraded
            };
            if p.dropout_scale_rfu > 0.0 && rng.uniform() < (-parent / p.dropout_scale_rfu).exp() {
                parent = 0.0;
            }
            *amounts.entry(al.clone()).or_default() += parent;
            if p.double_back_stutter > 0.0
                && let Some(m2) = al.minus(2)
            {
                *amounts.entry(m2).or_default() +=
                    parent * p.double_back_stutter * rng.lognormal(p.stutter_sd);
            }
            if let Some(m) = al.minus_one() {
                *amounts.entry(m).or_default() +=
                    parent * back * p.stutter_scale * rng.lognormal(p.stutter_sd);
            }
            if let Some(pl) = al.plus_one() {
                *amounts.entry(pl).or_default() +=
                    parent * p.forward_stutter * rng.lognormal(p.stutter_sd);
            }
        }
        if p.noise_in_empty_bins {
            for (a, _) in &freq {
                let al = Allele::parse(a, l).expect("table allele");
                amounts.entry(al).or_insert(0.0);
            }
        }
        for h in amounts.values_mut() {
            if (*h > 0.0 || p.noise_in_empty_bins) && p.noise_rfu > 0.0 {
                *h = (*h + p.noise_rfu * rng.normal()).max(0.0);
            }
            if let Some(s) = p.saturation_rfu {
                *h = h.min(s);
            }
        }
        let peaks: Vec<Peak> = amounts
            .into_iter()
            .filter(|(_, h)| *h >= p.export_threshold)
            .map(|(allele, h)| {
                let h = (h * 10.0).round() / 10.0;
                let area = (h * 10.0 * rng.lognormal(0.03)).round();
                let size = l.size_offset() + allele.length_bp(l).unwrap_or(0.0);
                Peak {
                    allele,
                    height: Some(h),
                    area: Some(area),
                    size: Some((size * 100.0).round() / 100.0),
                }
            })
            .collect();
        if !peaks.is_empty() {
            prof.loci.insert(l, peaks);
        }
    }
    // Amelogenin: X from everyone, Y from males.
    let mut x = 0.0;
    let mut y = 0.0;
    for (person, f) in people.iter().zip(fractions) {
        if person.male {
            x += f / 2.0;
            y += f / 2.0;
        } else {
            x += f;
        }
    }
    let eff = p.locus_rfu
        * rng.lognormal(p.locus_sd)
        * (-p.degradation_per_bp * Locus::Amelogenin.size_offset()).exp();
    let mut am = Vec::new();
    for (allele, t) in [(Allele::X, x), (Allele::Y, y)] {
        let h = t * eff * rng.lognormal(p.allele_sd);
        if h >= p.export_threshold {
            let h = (h * 10.0).round() / 10.0;
            am.push(Peak {
                allele,
                height: Some(h),
                area: Some((h * 10.0).round()),
                size: None,
            });
        }
    }
    if !am.is_empty() {
        prof.loci.insert(Locus::Amelogenin, am);
    }
    prof
}

/// Writes profiles as a wide GeneMapper export (Sample Name, Marker, Dye,
/// Allele/Size/Height/Area 1..n).
pub fn to_genemapper_wide(profiles: &[&StrProfile]) -> String {
    let n = profiles
        .iter()
        .flat_map(|p| p.loci.values().map(Vec::len))
        .max()
        .unwrap_or(1)
        .max(2);
    let mut out = String::from("Sample Name\tMarker\tDye");
    for what in ["Allele", "Size", "Height", "Area"] {
        for i in 1..=n {
            let _ = write!(out, "\t{what} {i}");
        }
    }
    out.push('\n');
    for p in profiles {
        for l in Locus::ALL {
            let Some(peaks) = p.loci.get(&l) else {
                continue;
            };
            let dye = match l.size_offset() as u32 % 4 {
                0 => "B",
                1 => "G",
                2 => "Y",
                _ => "R",
            };
            let _ = write!(out, "{}\t{}\t{}", p.sample, l.name(), dye);
            let cell =
                |i: usize, f: &dyn Fn(&Peak) -> String| peaks.get(i).map(f).unwrap_or_default();
            let columns: [&dyn Fn(&Peak) -> String; 4] = [
                &|pk| pk.allele.to_string(),
                &|pk| pk.size.map(|s| format!("{s:.2}")).unwrap_or_default(),
                &|pk| pk.height.map(|s| format!("{s:.1}")).unwrap_or_default(),
                &|pk| pk.area.map(|s| format!("{s:.0}")).unwrap_or_default(),
            ];
            for column in columns {
                for i in 0..n {
                    let _ = write!(out, "\t{}", cell(i, column));
                }
            }
            out.push('\n');
        }
    }
    out
}

/// Writes profiles as a long (one row per peak) export.
pub fn to_genemapper_long(profiles: &[&StrProfile]) -> String {
    let mut out = String::from("Sample Name\tMarker\tAllele\tSize\tHeight\tArea\n");
    for p in profiles {
        for l in Locus::ALL {
            for pk in p.peaks(l) {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{:.1}\t{:.0}",
                    p.sample,
                    l.name(),
                    pk.allele,
                    pk.size.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    pk.height.unwrap_or(0.0),
                    pk.area.unwrap_or(0.0)
                );
            }
        }
    }
    out
}

/// References from simulated pure profiles of `people` (`ref0`, `ref1`, …):
/// the first is the recipient, the others donors `D1`, `D2`, … in order.
pub fn simulated_references(
    rng: &mut Rng,
    people: &[&SimPerson],
    p: &SimParams,
    cfg: StrConfig,
) -> StrReferences {
    let profiles: Vec<_> = (0..people.len())
        .map(|i| {
            let mut f = vec![0.0; people.len()];
            f[i] = 1.0;
            mixture(rng, &format!("ref{i}"), people, &f, p)
        })
        .collect();
    let donors: Vec<(DonorId, &StrProfile)> = profiles[1..]
        .iter()
        .enumerate()
        .map(|(i, pr)| (DonorId(format!("D{}", i + 1)), pr))
        .collect();
    StrReferences::new(&profiles[0], &donors, cfg).expect("references")
}

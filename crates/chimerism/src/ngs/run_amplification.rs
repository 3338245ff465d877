//! Allele amplification learnt from the other mixtures of a run.
//!
//! A marker's ALT:REF amplification w is a property of its amplicon, the
//! same in every sample of a run. [`super::site_model::learn_sites`] learns
//! it from the heterozygous reference samples only: one or two pure samples
//! at a few thousand reads leave ln w uncertain by ≈ 0.03, and at markers
//! where a donor is heterozygous that uncertainty is as large as the read
//! noise of a low recipient fraction. Every analysed mixture of the run
//! whose main contributors are heterozygous at the marker reads it like
//! another heterozygous reference: with the fitted fractions f_k and ALT
//! dosages h_k, the expected ALT share is wA/(wA + R), A = Σ f_k h_k/2,
//! R = Σ f_k (2 − h_k)/2, so logit(share) − ln(A/R) estimates ln w.
//! [`refine_amplification`] adds those estimates to the references' (inverse
//! variance weights). A sample is refined from the *other* mixtures only
//! (leave one out), so no sample's reads count twice in its own fit.

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use super::genotype::Genotype;
use super::qc::QcCode;
use super::result::{Exclusion, NgsSampleResult, Person};
use super::site_model::SiteModel;

/// Largest share of a mixture's ln w variance that may come from the
/// uncertainty of its fitted fractions: beyond it the share says more
/// about the fractions than about the amplification (e.g. a recipient
/// heterozygous at 1%), and the mixture is not used at that marker.
const MAX_FRACTION_SHARE: f64 = 0.5;

/// Standardised distance beyond which a mixture's ln w estimate is taken
/// as an artefact of that sample (dropout, contamination) and not used.
const MAX_DISAGREEMENT: f64 = 4.0;

/// One mixture's estimate of ln w at a marker and its variance.
fn mixture_log_amplification(
    site: &SiteModel,
    result: &NgsSampleResult,
    marker: usize,
) -> Option<(f64, f64)> {
    let rep = result.markers.get(marker)?;
    if !(rep.used || rep.excluded == Some(Exclusion::NotInformative)) {
        return None;
    }
    let (alt, reference) = (f64::from(rep.alt_count?), f64::from(rep.ref_count?));
    let n = alt + reference;
    if n < 1.0 {
        return None;
    }
    let genotypes: Vec<Genotype> = rep.genotypes.iter().copied().collect::<Option<_>>()?;
    let fractions: Vec<f64> = result
        .persons
        .iter()
        .map(|p| p.fraction.map(Fraction::get))
        .collect::<Option<_>>()?;
    let (mut a, mut r) = (0.0, 0.0);
    for (g, f) in genotypes.iter().zip(&fractions) {
        let h = f64::from(g.alt_dosage()) / 2.0;
        a += f * h;
        r += f * (1.0 - h);
    }
    if a <= 0.0 || r <= 0.0 {
        return None;
    }
    // Read share with the site's sequencing error taken out.
    let e = site.rates;
    let span = 1.0 - e.ref_to_alt - e.alt_to_ref;
    let y = ((alt + 0.5) / (n + 1.0) - e.ref_to_alt) / span;
    let y = y.clamp(0.5 / n, 1.0 - 0.5 / n);
    let rho = result.dispersion.het.max(0.0);
    let sampling = (1.0 + (n - 1.0) * rho) / (n * y * (1.0 - y));
    // d ln(A/R)/d f_k, combined with the fractions' standard errors as if
    // fully correlated (an upper bound whatever their covariance).
    let from_fractions: f64 = genotypes
        .iter()
        .zip(&result.persons)
        .map(|(g, p)| {
            let h = f64::from(g.alt_dosage()) / 2.0;
            let se =
                p.ci.map_or(f64::INFINITY, |ci| (ci.high.get() - ci.low.get()) / 3.92);
            ((h / a - (1.0 - h) / r) * se).abs()
        })
        .sum::<f64>()
        .powi(2);
    let var = sampling + from_fractions;
    if !var.is_finite() || from_fractions > MAX_FRACTION_SHARE * var {
        return None;
    }
    Some(((y / (1.0 - y)).ln() - (a / r).ln(), var))
}

/// Fewest (site, mixture) pairs behind the calibration of the mixtures'
/// variances ([`refine_amplification`]).
const MIN_CALIBRATION_PAIRS: usize = 10;

/// The sites' amplification refined by the analysed mixtures `others` of
/// the same run (not the sample about to be fitted with the result).
///
/// Only sites whose bias the references established (a heterozygous
/// reference and a positive posterior variance of ln w) are refined; the
/// others are returned as they are. Each usable mixture adds its estimate of
/// ln w with its read variance (beta-binomial at the mixture's fitted ρ)
/// plus what its fitted fractions leave uncertain; estimates further than
/// `MAX_DISAGREEMENT` (4) standard deviations from the references' are left
/// out. The mixtures' variances are then calibrated on the run itself: a
/// mixture's fitted ρ can be far below the reads' real overdispersion (few
/// markers, much of their spread put on the amplification), so they are
/// scaled by φ = max(1, (Σ(l − l₀)² − Σv₀)/Σv) over every (site, mixture)
/// pair (method of moments; l₀, v₀ the references' estimate and variance).
pub fn refine_amplification(sites: &[SiteModel], others: &[&NgsSampleResult]) -> Vec<SiteModel> {
    refine_counted(sites, others).0
}

/// [`refine_amplification`] and how many of `others` gave an estimate at
/// one site at least.
fn refine_counted(sites: &[SiteModel], others: &[&NgsSampleResult]) -> (Vec<SiteModel>, usize) {
    let logit = |b: f64| (b / (1.0 - b)).ln();
    let estimates: Vec<Vec<(usize, f64, f64)>> = sites
        .iter()
        .enumerate()
        .map(|(m, site)| {
            let v0 = site.log_amplification_var;
            if site.het_reads == 0 || v0 <= 0.0 {
                return Vec::new();
            }
            let l0 = logit(site.het_alt_fraction.get());
            others
                .iter()
                .enumerate()
                .filter_map(|(i, r)| mixture_log_amplification(site, r, m).map(|(l, v)| (i, l, v)))
                .filter(|(_, l, v)| (l - l0).abs() <= MAX_DISAGREEMENT * (v + v0).sqrt())
                .collect()
        })
        .collect();
    let mut contributed = vec![false; others.len()];
    for est in &estimates {
        for (i, _, _) in est {
            contributed[*i] = true;
        }
    }
    let contributors = contributed.iter().filter(|&&c| c).count();
    let (mut sq, mut ref_var, mut mix_var, mut pairs) = (0.0, 0.0, 0.0, 0usize);
    for (site, est) in sites.iter().zip(&estimates) {
        let l0 = logit(site.het_alt_fraction.get());
        for (_, l, v) in est {
            sq += (l - l0).powi(2);
            ref_var += site.log_amplification_var;
            mix_var += v;
            pairs += 1;
        }
    }
    let phi = if pairs >= MIN_CALIBRATION_PAIRS && mix_var > 0.0 {
        ((sq - ref_var) / mix_var).max(1.0)
    } else {
        1.0
    };
    let refined = sites
        .iter()
        .zip(&estimates)
        .map(|(site, est)| {
            if est.is_empty() {
                return *site;
            }
            let v0 = site.log_amplification_var;
            let l0 = logit(site.het_alt_fraction.get());
            let (mut num, mut den) = (l0 / v0, 1.0 / v0);
            for (_, l, v) in est {
                num += l / (phi * v);
                den += 1.0 / (phi * v);
            }
            let l = num / den;
            let mut out = *site;
            out.het_alt_fraction =
                Fraction::clamp(1.0 / (1.0 + (-l).exp())).unwrap_or(site.het_alt_fraction);
            out.log_amplification_var = 1.0 / den;
            out
        })
        .collect();
    (refined, contributors)
}

/// Where a sample's allele bias (each marker's ALT:REF amplification) was
/// learnt from. Written with each sample of a call that analysed two or
/// more post-transplant samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum AlleleBiasSource {
    /// From the pure reference samples only, by choice (`--per-sample`).
    PerSample,
    /// From the references and the other usable samples of the run (leave
    /// one out).
    Run {
        /// Other samples of the run that refined the allele bias at one
        /// marker at least (0: the references' bias was used as it is).
        other_samples: usize,
        /// Other samples of the run that passed the checks of
        /// [`usable_for_learning`].
        usable_others: usize,
        /// The other samples that did not, by reason.
        #[serde(default, skip_serializing_if = "SetAside::is_empty")]
        set_aside: SetAside,
    },
}

/// Why a sample of the run may not teach the others its allele bias
/// ([`learning_check`]), in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotUsable {
    /// Fitted with other persons or on another panel, or without a fit
    /// (no marker used, a person without a fraction).
    NotFitted,
    /// `NGS-ID`: alleles no declared person carries.
    Identity,
    /// `NGS-FIT`: the model fits the sample poorly overall.
    PoorFit,
    /// [`LEARNING_MAX_UNEXPLAINED`] or more markers with an allele no
    /// declared person carries, too few for `NGS-ID`.
    Unexplained,
}

/// Counts of the other samples of a run set aside from learning the
/// allele bias, by [`NotUsable`] reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    /// Fitted with other persons or another panel, or not fitted.
    #[serde(default)]
    pub not_fitted: usize,
    /// Flagged `NGS-ID`.
    #[serde(default)]
    pub unknown_contributor: usize,
    /// Flagged `NGS-FIT`.
    #[serde(default)]
    pub poor_fit: usize,
    /// Markers with alleles no declared person carries, below `NGS-ID`.
    #[serde(default)]
    pub unexplained_alleles: usize,
}

impl SetAside {
    /// No sample set aside.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// Samples set aside, all reasons.
    pub fn total(&self) -> usize {
        self.not_fitted + self.unknown_contributor + self.poor_fit + self.unexplained_alleles
    }

    /// Counts one sample set aside for `why`.
    pub fn count(&mut self, why: NotUsable) {
        match why {
            NotUsable::NotFitted => self.not_fitted += 1,
            NotUsable::Identity => self.unknown_contributor += 1,
            NotUsable::PoorFit => self.poor_fit += 1,
            NotUsable::Unexplained => self.unexplained_alleles += 1,
        }
    }

    /// The reasons in laboratory words, e.g. "2 with alleles no declared
    /// person carries (NGS-ID), 1 with a poor overall fit (NGS-FIT)".
    pub fn describe(&self) -> String {
        let parts = [
            (
                self.unknown_contributor,
                "with alleles no declared person carries (NGS-ID)",
            ),
            (self.poor_fit, "with a poor overall fit (NGS-FIT)"),
            (
                self.unexplained_alleles,
                "with markers showing an allele no declared person carries",
            ),
            (
                self.not_fitted,
                "without a fit of the same persons and panel",
            ),
        ];
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// "1 other sample" / "3 other samples".
fn others(n: usize) -> String {
    format!("{n} other sample{}", if n == 1 { "" } else { "s" })
}

impl AlleleBiasSource {
    /// The source in laboratory words, e.g. "allele bias learnt from the
    /// references and 3 other samples of this run".
    pub fn describe(self) -> String {
        match self {
            AlleleBiasSource::PerSample => {
                "allele bias learnt from the references only (each sample analysed alone)".into()
            }
            AlleleBiasSource::Run {
                usable_others: 0,
                set_aside,
                ..
            } => {
                let mut s = "allele bias learnt from the references only: no other sample of this run was usable".to_string();
                if !set_aside.is_empty() {
                    s.push_str(&format!(" ({})", set_aside.describe()));
                }
                s
            }
            AlleleBiasSource::Run {
                other_samples: 0,
                usable_others,
                set_aside,
            } => format!(
                "allele bias learnt from the references only: the {} of this run did not refine it (no marker-specific bias in the references, or none the samples could inform){}",
                if usable_others == 1 {
                    "other sample".to_string()
                } else {
                    others(usable_others)
                },
                set_aside_note(set_aside)
            ),
            AlleleBiasSource::Run {
                other_samples,
                set_aside,
                ..
            } => format!(
                "allele bias learnt from the references and {} of this run{}",
                others(other_samples),
                set_aside_note(set_aside)
            ),
        }
    }
}

/// "; 1 other sample set aside: 1 with a poor overall fit (NGS-FIT)", or
/// nothing when none was.
fn set_aside_note(set_aside: SetAside) -> String {
    if set_aside.is_empty() {
        return String::new();
    }
    format!(
        "; {} set aside: {}",
        others(set_aside.total()),
        set_aside.describe()
    )
}

/// Whether an analysed sample may teach the run's allele bias to the
/// others: it was fitted with the same persons (names and roles, in order)
/// on a panel of `markers` markers, it has markers in its fit and a
/// fraction for every person, and QC found neither alleles no declared
/// person carries (`NGS-ID`: unknown contributor, swap, contamination; nor
/// [`LEARNING_MAX_UNEXPLAINED`] such markers) nor a poor overall fit
/// (`NGS-FIT`). Results of another panel or other
/// references are never pooled.
pub fn usable_for_learning(result: &NgsSampleResult, persons: &[Person], markers: usize) -> bool {
    learning_check(result, persons, markers).is_ok()
}

/// [`usable_for_learning`] with the reason when the sample is not.
pub fn learning_check(
    result: &NgsSampleResult,
    persons: &[Person],
    markers: usize,
) -> Result<(), NotUsable> {
    let same_fit = result.markers.len() == markers
        && result.persons.len() == persons.len()
        && result
            .persons
            .iter()
            .zip(persons)
            .all(|(e, p)| e.name == p.name && e.role == p.role)
        && result.markers_used > 0
        && result.persons.iter().all(|p| p.fraction.is_some());
    let flagged = |code: QcCode| result.flags.iter().any(|f| f.code == code);
    let unexplained = result
        .markers
        .iter()
        .filter(|m| m.unexplained.is_some())
        .count();
    if !same_fit {
        Err(NotUsable::NotFitted)
    } else if flagged(QcCode::Identity) {
        Err(NotUsable::Identity)
    } else if flagged(QcCode::PoorFit) {
        Err(NotUsable::PoorFit)
    } else if unexplained >= LEARNING_MAX_UNEXPLAINED {
        Err(NotUsable::Unexplained)
    } else {
        Ok(())
    }
}

/// A sample with this many markers showing an allele no declared person
/// carries does not teach the run, even when they are too few for
/// `NGS-ID` (which needs a twentieth of the identity markers): whatever
/// put those reads there (a noisy amplicon, a trace contaminant) should
/// not become the run's allele bias. On an independent simulation with
/// 2 % of sites at 1–5 % error, learning from such samples made the 20 %
/// recipient's interval cover 22 of 30 instead of 29 of 30.
pub const LEARNING_MAX_UNEXPLAINED: usize = 2;

/// Run-level allele bias for sample `this` of `run` (every sample of one
/// call, each analysed alone with the references' `sites`, the persons
/// `persons`): [`refine_amplification`] from the *other* samples that are
/// [`usable_for_learning`] (leave one out), and the source to report. A
/// run of one sample returns the sites unchanged.
pub fn run_amplification(
    sites: &[SiteModel],
    persons: &[Person],
    run: &[&NgsSampleResult],
    this: usize,
) -> (Vec<SiteModel>, AlleleBiasSource) {
    let mut set_aside = SetAside::default();
    let mut others: Vec<&NgsSampleResult> = Vec::new();
    for (i, r) in run.iter().enumerate() {
        if i == this {
            continue;
        }
        match learning_check(r, persons, sites.len()) {
            Ok(()) => others.push(r),
            Err(why) => set_aside.count(why),
        }
    }
    let usable_others = others.len();
    if others.is_empty() {
        return (
            sites.to_vec(),
            AlleleBiasSource::Run {
                other_samples: 0,
                usable_others,
                set_aside,
            },
        );
    }
    let (refined, other_samples) = refine_counted(sites, &others);
    (
        refined,
        AlleleBiasSource::Run {
            other_samples,
            usable_others,
            set_aside,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{AlleleBiasSource, NotUsable, SetAside};

    #[test]
    fn the_source_is_said_in_lab_words() {
        let run = |other_samples, usable_others| AlleleBiasSource::Run {
            other_samples,
            usable_others,
            set_aside: SetAside::default(),
        };
        assert_eq!(
            run(3, 4).describe(),
            "allele bias learnt from the references and 3 other samples of this run"
        );
        assert_eq!(
            run(1, 1).describe(),
            "allele bias learnt from the references and 1 other sample of this run"
        );
        assert_eq!(
            run(0, 0).describe(),
            "allele bias learnt from the references only: no other sample of this run was usable"
        );
        assert!(
            run(0, 1)
                .describe()
                .starts_with("allele bias learnt from the references only: the other sample of this run did not refine it")
        );
        assert!(
            run(0, 2)
                .describe()
                .contains("the 2 other samples of this run did not")
        );
        assert_eq!(
            AlleleBiasSource::PerSample.describe(),
            "allele bias learnt from the references only (each sample analysed alone)"
        );
        let json = serde_json::to_string(&run(2, 3)).unwrap();
        assert_eq!(
            json,
            r#"{"method":"run","other_samples":2,"usable_others":3}"#
        );
    }

    #[test]
    fn samples_set_aside_are_named_with_their_reason() {
        let mut set_aside = SetAside::default();
        set_aside.count(NotUsable::Identity);
        set_aside.count(NotUsable::Identity);
        set_aside.count(NotUsable::PoorFit);
        let none = AlleleBiasSource::Run {
            other_samples: 0,
            usable_others: 0,
            set_aside,
        };
        assert_eq!(
            none.describe(),
            "allele bias learnt from the references only: no other sample of this run was usable \
             (2 with alleles no declared person carries (NGS-ID), 1 with a poor overall fit (NGS-FIT))"
        );
        let mut one = SetAside::default();
        one.count(NotUsable::Unexplained);
        let some = AlleleBiasSource::Run {
            other_samples: 3,
            usable_others: 3,
            set_aside: one,
        };
        assert_eq!(
            some.describe(),
            "allele bias learnt from the references and 3 other samples of this run; \
             1 other sample set aside: 1 with markers showing an allele no declared person carries"
        );
        let json = serde_json::to_value(none).unwrap();
        assert_eq!(json["set_aside"]["unknown_contributor"], 2);
        assert_eq!(json["set_aside"]["poor_fit"], 1);
        assert_eq!(json["set_aside"]["not_fitted"], 0);
    }
}

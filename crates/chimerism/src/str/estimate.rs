//! The joint estimate for recipient + N donors: every peak, less the
//! stutter its observed neighbours put there (ratios measured on the pure
//! profiles), modelled as c_l·Σ_k f_k·t_k(allele), where t_k is person k's
//! dosage/2 normalised per locus by everything the person emits (alleles and
//! stutter) and c_l a locus scale; f is fitted by weighted least squares on
//! the simplex over all informative loci jointly. Per-locus fits
//! give SD/CV and the outlier rule; a bootstrap over loci gives the interval.
//!
//! This file holds the errors and the sample's flow ([`StrReferences::estimate`]);
//! the per-locus pass (peaks, positions, design rows, per-locus fit) is in
//! `locus_model.rs`, the outlier rule in `outliers.rs` and the interval in
//! `bootstrap.rs`.

use graftwatch_core::{Fraction, Lineage, Percent};

use super::bootstrap::{Intervals, jackknife_fits};
use super::config::StrConfig;
use super::fit::{LocusFit, PeakNoise, fit_weighted};
use super::locus::Locus;
use super::locus_model::LocusPass;
use super::profile::StrProfile;
use super::qc::StrFlag;
use super::references::StrReferences;
use super::result::{LocusReport, LocusStatus, StrSampleResult};
use super::sample_qc::{LowTemplateRefusal, clean_sample, low_template, template_level};

pub use super::bootstrap::small_sample_factor;

/// Errors of STR reference building and estimation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StrError {
    /// No donor was declared.
    #[error("at least one donor reference is needed")]
    NoDonor,
    /// Two people have the same name.
    #[error("person '{0}' is declared twice; donor names must be unique and not 'recipient'")]
    DuplicatePerson(String),
    /// A reference profile has no locus with a peak above the thresholds.
    #[error(
        "reference profile '{sample}' of {person} has no peak at or above the analytical threshold at any known locus"
    )]
    EmptyReference {
        /// Whose reference.
        person: String,
        /// Its sample name.
        sample: String,
    },
    /// The references share no locus.
    #[error(
        "the references share no typed locus (recipient '{recipient}' and the donors were typed at disjoint loci)"
    )]
    NoCommonLoci {
        /// Recipient sample name.
        recipient: String,
    },
    /// Nothing could be estimated; `missing` says what would be needed.
    #[error("sample '{sample}': insufficient data: {}", missing.join("; "))]
    InsufficientData {
        /// The sample.
        sample: String,
        /// What is missing.
        missing: Vec<String>,
    },
    /// Most of the sample's signal belongs to no declared person (wrong sample or wrong references).
    #[error("sample '{sample}' matches none of the declared people: {:.0}% of its signal is on alleles no reference carries (loci mostly unexplained: {})", 100.0 * unexplained_fraction.get(), loci.join(", "))]
    SampleMatchesNoReference {
        /// The sample.
        sample: String,
        /// Share of the signal on unexplained peaks.
        unexplained_fraction: Fraction,
        /// Loci with mostly unexplained signal, with the alleles.
        loci: Vec<String>,
    },
    /// A peak lacks the configured measure (e.g. no area exported but areas requested).
    #[error(
        "sample '{sample}' {locus} allele {allele}: no peak {measure} exported; use the other measure (area/height) or export it"
    )]
    MissingMeasure {
        /// The sample.
        sample: String,
        /// The locus.
        locus: Locus,
        /// The allele text.
        allele: String,
        /// `area` or `height`.
        measure: &'static str,
    },
    /// The sample has alleles only, no height or area at any peak (a
    /// genotype table, such as a reference list, given as a sample).
    #[error(
        "sample '{sample}' has alleles but no peak heights or areas: a genotype table (alleles only) can describe a reference, not a post-transplant sample, whose shares are read from its peak signal; give the sample's peak table (GeneMapper Genotypes or Sizing table with Height or Area columns)"
    )]
    NoSignal {
        /// The sample.
        sample: String,
    },
    /// A setting is out of range.
    #[error("invalid STR setting: {0}")]
    InvalidConfig(#[from] super::config::StrConfigError),
    /// Two declared people have identical genotypes at every common locus.
    #[error(
        "{first} and {second} have identical genotypes at all {loci} common loci: they cannot be told apart; check the references (or declare a syngeneic donor, or force the analysis, which then reports their combined share without a split)"
    )]
    IdenticalPersons {
        /// First person.
        first: String,
        /// Second person.
        second: String,
        /// Loci compared.
        loci: usize,
    },
    /// Chimerism cannot be measured (syngeneic donor identical to the recipient).
    #[error("{0}")]
    NotInformative(String),
    /// Below the documented low-template floor.
    #[error("sample '{sample}': {reason}")]
    LowTemplate {
        /// The sample.
        sample: String,
        /// Why (levels and floor).
        reason: super::sample_qc::LowTemplateRefusal,
    },
}

impl StrError {
    /// True for outcomes that refuse one sample (low template, nothing
    /// informative, no usable locus) rather than reject the input.
    pub fn is_sample_refusal(&self) -> bool {
        matches!(
            self,
            StrError::LowTemplate { .. }
                | StrError::NotInformative(_)
                | StrError::InsufficientData { .. }
        )
    }
}

/// Checks that every peak of `profile` carries the configured measure.
pub(crate) fn check_measure(profile: &StrProfile, cfg: &StrConfig) -> Result<(), StrError> {
    let peaks = || profile.loci.values().flatten();
    if peaks().next().is_some() && peaks().all(|p| p.height.is_none() && p.area.is_none()) {
        return Err(StrError::NoSignal {
            sample: profile.sample.clone(),
        });
    }
    for (l, peaks) in &profile.loci {
        if let Some(p) = peaks.iter().find(|p| p.signal(cfg.measure).is_none()) {
            return Err(StrError::MissingMeasure {
                sample: profile.sample.clone(),
                locus: *l,
                allele: p.allele.to_string(),
                measure: cfg.measure.as_str(),
            });
        }
    }
    Ok(())
}

/// The joint fit over the loci the outlier rule keeps.
struct JointFit {
    /// The loci in the fit, with their final weights, scales and templates.
    used: Vec<LocusFit>,
    /// Every person's share (fraction), recipient first.
    est: Vec<f64>,
    /// The loci the outlier rule excluded.
    outlier_loci: Vec<Locus>,
    /// The shares refitted without each locus in turn (empty when no
    /// interval is computed).
    jackknife: Vec<Vec<f64>>,
}

impl StrReferences {
    /// Estimates every person's share in a post-transplant sample.
    pub fn estimate(
        &self,
        sample: &StrProfile,
        lineage: Lineage,
    ) -> Result<StrSampleResult, StrError> {
        let cfg = &self.config;
        if let Some(r) = &self.not_informative {
            return Err(StrError::NotInformative(r.clone()));
        }
        check_measure(sample, cfg)?;
        let cleaned = clean_sample(sample, cfg);
        let sample = &cleaned.profile;
        let mut flags = self.flags.clone();
        flags.extend(cleaned.flags.iter().cloned());
        let template = low_template(&template_level(sample, &self.informativeness, cfg), cfg);
        self.flag_loci_outside_references(sample, &mut flags);
        let LocusPass {
            mut reports,
            fits,
            unexplained,
        } = self.locus_pass(&cleaned, &mut flags);
        flags.extend(unexplained.check(&sample.sample, cfg)?);
        let low_template_flagged = accept_template(template, &sample.sample, &mut flags)?;
        if fits.is_empty() {
            return Err(self.insufficient_data(sample, &reports));
        }
        let joint = self.joint_fit(fits, &mut reports, low_template_flagged, &mut flags);
        let used: Vec<&LocusFit> = joint.used.iter().collect();
        let intervals = self.bootstrap_intervals(&used, &joint.est, &joint.jackknife);
        fill_residuals(&used, &joint.est, self.persons.len(), &mut reports);
        Ok(self.sample_result(sample, lineage, &joint, reports, intervals, flags))
    }

    /// The refusal of a sample with no usable informative locus, naming
    /// the loci it was typed at, those informative in the references and
    /// why each informative locus was left out (saturated, no peak at a
    /// reference allele, a stutter position, the sex marker).
    fn insufficient_data(&self, sample: &StrProfile, reports: &[LocusReport]) -> StrError {
        let list = |v: Vec<String>| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let typed: Vec<String> = sample.loci.keys().map(|l| l.to_string()).collect();
        let informative: Vec<Locus> = self
            .informativeness
            .iter()
            .filter(|i| i.informative() && !i.locus.is_sex_marker())
            .map(|i| i.locus)
            .collect();
        let why = |status: LocusStatus, words: &str| {
            let loci: Vec<String> = reports
                .iter()
                .filter(|r| r.status == status && informative.contains(&r.locus))
                .map(|r| r.locus.to_string())
                .collect();
            (!loci.is_empty()).then(|| format!("{words}: {}", loci.join(", ")))
        };
        let reasons: Vec<String> = [
            why(
                LocusStatus::ExcludedSaturated,
                "saturated (a peak at or above the saturation limit)",
            ),
            why(
                LocusStatus::MissingInSample,
                "no peak at any reference allele",
            ),
            why(
                LocusStatus::ExcludedStutterPosition,
                "an allele in another person's stutter position",
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let reasons = if reasons.is_empty() {
            String::new()
        } else {
            format!("; left out: {}", reasons.join("; "))
        };
        StrError::InsufficientData {
            sample: sample.sample.clone(),
            missing: vec![format!(
                "no informative locus with peaks in the sample (sample typed at: {}; informative in the references: {}{reasons})",
                list(typed),
                list(informative.iter().map(|l| l.to_string()).collect()),
            )],
        }
    }

    /// The weighted joint fit over the loci the outlier rule keeps (the
    /// others' reports marked [`LocusStatus::ExcludedOutlier`]); the
    /// template-sampling dispersion is estimated in a low-template sample.
    fn joint_fit(
        &self,
        fits: Vec<LocusFit>,
        reports: &mut [LocusReport],
        low_template: bool,
        flags: &mut Vec<StrFlag>,
    ) -> JointFit {
        let cfg = &self.config;
        let outliers = self.outlier_fits(&fits, reports, low_template, flags);
        let mut outlier_loci = Vec::new();
        for &fi in &outliers {
            reports[fits[fi].index].status = LocusStatus::ExcludedOutlier;
            outlier_loci.push(reports[fits[fi].index].locus);
        }
        let mut used: Vec<LocusFit> = fits
            .into_iter()
            .enumerate()
            .filter(|(fi, _)| !outliers.contains(fi))
            .map(|(_, f)| f)
            .collect();
        let noise = PeakNoise {
            allele_cv: cfg.allele_cv,
            stutter_cv: cfg.stutter_cv,
            degradation: cfg.fit_degradation,
            // Template sampling matters below the stochastic threshold.
            dispersion: cfg.fit_dispersion && low_template,
        };
        let jackknife = if self.interval_possible(used.len()) {
            jackknife_fits(&used, self.persons.len(), noise)
        } else {
            Vec::new()
        };
        let (est, _degradation_slope) = fit_weighted(&mut used, self.persons.len(), noise);
        JointFit {
            used,
            est,
            outlier_loci,
            jackknife,
        }
    }

    /// The sample's result: per-person estimates and calls (their flags go
    /// to `flags`), the donors' total and, with one donor, the mean of the
    /// classical formula over the loci in the fit.
    fn sample_result(
        &self,
        sample: &StrProfile,
        lineage: Lineage,
        joint: &JointFit,
        reports: Vec<LocusReport>,
        intervals: Intervals,
        mut flags: Vec<StrFlag>,
    ) -> StrSampleResult {
        let k = self.persons.len();
        let used: Vec<&LocusFit> = joint.used.iter().collect();
        let (persons, dominant_donor) = super::calls::person_estimates(
            self,
            &used,
            &reports,
            &joint.est,
            &intervals.ci,
            &mut flags,
        );
        // A sum and a mean of shares in 0–100: bounded only against rounding.
        let donor_total_percent =
            Percent::clamp(persons[1..].iter().map(|p| p.percent.get()).sum())
                .unwrap_or(Percent::ZERO);
        let classical: Vec<f64> = used
            .iter()
            .filter_map(|f| reports[f.index].classical_donor_percent.map(Percent::get))
            .collect();
        let classical_donor_percent = if k == 2 && !classical.is_empty() {
            Percent::clamp(classical.iter().sum::<f64>() / classical.len() as f64)
        } else {
            None
        };
        StrSampleResult {
            sample: sample.sample.clone(),
            lineage,
            measure: self.config.measure,
            persons,
            donor_total_percent,
            dominant_donor,
            loci_used: used.iter().map(|f| reports[f.index].locus).collect(),
            outlier_loci: joint.outlier_loci.clone(),
            classical_donor_percent,
            loci: reports,
            flags,
            ci_method: intervals.method,
        }
    }
}

/// Applies the low-template verdict: refuses the sample below the floor,
/// else adds the flag; true when the sample is low template (flagged, not
/// refused: the outlier rule then does not exclude loci).
fn accept_template(
    template: Result<Option<StrFlag>, LowTemplateRefusal>,
    sample: &str,
    flags: &mut Vec<StrFlag>,
) -> Result<bool, StrError> {
    match template {
        Err(reason) => Err(StrError::LowTemplate {
            sample: sample.to_string(),
            reason,
        }),
        Ok(Some(f)) => {
            flags.push(f);
            Ok(true)
        }
        Ok(None) => Ok(false),
    }
}

/// Each used locus's residual sum of squares under the joint fit `est`
/// and each of its peaks' fitted signal per person, into its report.
fn fill_residuals(used: &[&LocusFit], est: &[f64], k: usize, reports: &mut [LocusReport]) {
    for f in used {
        let rep = &mut reports[f.index];
        let mut rss = 0.0;
        for row in &f.rows {
            let m: f64 = f.scale * (0..k).map(|i| est[i] * row.g[i]).sum::<f64>();
            rss += (row.effective_y(m) - m).powi(2);
            if let Some(pk) = rep.peaks.iter_mut().find(|p| p.allele == row.allele) {
                pk.fitted_by_person = (0..k)
                    .map(|i| f.scale * est[i] * (row.g[i] + row.gs[i]) * f.total)
                    .collect();
            }
        }
        rep.residual_ss = Some(rss);
    }
}

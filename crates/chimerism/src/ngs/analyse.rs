//! Orchestration of one sample: marker selection, fit, outlier refit,
//! intervals, detection limits, presence test, identifiability and QC.

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use super::design::{Design, DesignRow, Dispersion};
use super::error_model::{AlleleClass, ErrorModel, ErrorSource};
use super::fit::Fit;
use super::genotype::{Genotype, GenotypeCall};
use super::identifiability::{PairInformativeness, pair_counts, unsplittable_groups};
use super::lod::{detection_limit, error_rate_sd};
use super::presence::presence_test;
use super::profile_ci::{Interval, profile_interval, widen};
use super::qc::{
    GoodnessOfFit, QcCode, QcFlag, bonferroni_threshold, goodness_of_fit, residuals,
    unexplained_allele,
};
use super::result::{
    Exclusion, GroupEstimate, MarkerReport, NgsSampleResult, Person, PersonEstimate, Role,
};
use super::robust::{RobustConfig, RobustFit, robust_fit};
use super::select::{SelectLimits, Selection, scale_to_sample_error, select_markers};
use super::sex::{SexCheck, check_sexes};
use super::site_model::SiteModel;
use crate::marker::{AlleleCounts, Marker};

/// Settings of the per-sample analysis. Every default is documented in
/// `docs/chimerism-ngs.md`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NgsConfig {
    /// Minimum REF+ALT reads of a marker in the post-transplant sample.
    pub min_sample_depth: u32,
    /// Minimum discriminating markers to report two donors separately.
    pub min_split_markers: usize,
    /// Confidence level of the profile intervals.
    pub ci_level: f64,
    /// One-sided level of the recipient-presence test.
    pub presence_alpha: f64,
    /// Family-wise level for flagging marker residuals.
    pub marker_alpha: f64,
    /// Exclude flagged markers and refit once.
    pub exclude_outliers: bool,
    /// Never exclude more than this share of the used markers.
    pub max_outlier_fraction: Fraction,
    /// Goodness-of-fit p-value below which the fit may be flagged...
    pub fit_alpha: f64,
    /// ...when the reduced chi-square also exceeds this (effect-size gate).
    pub fit_min_reduced_chi2: f64,
    /// Identity check: unexplained-allele markers needed to flag the sample.
    pub identity_min_markers: usize,
    /// Sensitivity the lab requires of a negative result (recipient
    /// fraction, 0–1): when the recipient is not detected and the sample's
    /// recipient LoD is above it, the sample is flagged `NGS-LOD`. `None`
    /// disables the check. Default 0.001 (0.1%, the sensitivity expected of
    /// NGS chimerism for relapse monitoring, chimerism-methods.md §1).
    pub lod_target: Option<Fraction>,
    /// Marker QC: heterozygous references must read an ALT share within
    /// [b, 1 − b] (judged with at least `min_het_balance_reads` reads).
    pub min_het_balance: Fraction,
    /// Reads of heterozygous references needed to judge the balance.
    pub min_het_balance_reads: u32,
    /// Marker QC: depth more than this factor above or below the sample's
    /// median depth excludes the marker (≤ 1 turns the check off).
    pub depth_outlier_factor: f64,
}

impl Default for NgsConfig {
    fn default() -> Self {
        NgsConfig {
            min_sample_depth: 100,
            min_split_markers: 3,
            ci_level: 0.95,
            presence_alpha: 0.01,
            marker_alpha: 0.01,
            exclude_outliers: true,
            max_outlier_fraction: Fraction::lit(0.2),
            fit_alpha: 1e-4,
            fit_min_reduced_chi2: 2.0,
            identity_min_markers: 2,
            lod_target: Some(Fraction::lit(0.001)),
            min_het_balance: Fraction::lit(0.2),
            min_het_balance_reads: 40,
            depth_outlier_factor: 10.0,
        }
    }
}

/// Errors of the per-sample analysis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NgsError {
    /// Inputs of different lengths.
    #[error("{what}: expected {expected} entries (one per panel marker), found {found}")]
    LengthMismatch {
        /// Which input.
        what: String,
        /// Panel size.
        expected: usize,
        /// Entries given.
        found: usize,
    },
    /// The person list is not one recipient (first) plus ≥ 1 donor.
    #[error("persons must be one recipient (first) followed by at least one donor; got {0}")]
    BadPersons(String),
    /// Not enough usable markers.
    #[error("sample {sample}: insufficient data: {what}")]
    InsufficientData {
        /// Sample name.
        sample: String,
        /// What is missing.
        what: String,
    },
}

/// Analyses one post-transplant sample with the class error model only (no
/// per-site rates, no allele bias); see [`analyse_sample_with`].
pub fn analyse_sample(
    sample: &str,
    markers: &[Marker],
    persons: &[Person],
    genotypes: &[Vec<GenotypeCall>],
    errors: &ErrorModel,
    counts: &[Option<AlleleCounts>],
    cfg: &NgsConfig,
) -> Result<NgsSampleResult, NgsError> {
    let sites: Vec<SiteModel> = markers
        .iter()
        .map(|m| SiteModel::class_default(*errors.rates(AlleleClass::of(m))))
        .collect();
    analyse_sample_with(
        sample, markers, persons, genotypes, errors, &sites, counts, cfg,
    )
}

/// Analyses one post-transplant sample.
///
/// Seven numbered steps, each delegated to its own function: 1–3 in
/// `fit_sample` (`prefit`, `robust_fit`, `check_fit`), 4 in
/// `identity_check`, 5–6 in `estimate_persons` and 7 (presence test,
/// `lod_flag`) in `sample_result`; this function is their order.
///
/// `genotypes[k][m]` is person k's call at panel marker m; `sites[m]` the
/// read model of marker m (from [`super::site_model::learn_sites`]);
/// `counts[m]` the sample's reads at marker m (`None` = absent).
#[allow(clippy::too_many_arguments)]
pub fn analyse_sample_with(
    sample: &str,
    markers: &[Marker],
    persons: &[Person],
    genotypes: &[Vec<GenotypeCall>],
    errors: &ErrorModel,
    sites: &[SiteModel],
    counts: &[Option<AlleleCounts>],
    cfg: &NgsConfig,
) -> Result<NgsSampleResult, NgsError> {
    validate_inputs(sample, markers, persons, genotypes, sites, counts)?;
    let names: Vec<String> = persons.iter().map(|p| p.name.clone()).collect();
    let inputs = SampleInputs {
        sample,
        markers,
        persons,
        names: &names,
        counts,
        cfg,
    };

    // 1–3. Pre-fit marker checks, robust fit, goodness of fit.
    let mut fit = fit_sample(&inputs, genotypes, sites)?;

    // 4. Identity check at markers where everybody is homozygous alike.
    let identity = identity_check(
        markers,
        &fit.sites,
        counts,
        &fit.identity_candidates,
        fit.robust.fit.rho.hom_contrast,
        cfg,
        &mut fit.reports,
    );
    fit.flags.extend(identity);

    // 5–6. Identifiability, estimates, intervals, detection limits.
    let (pairs, est) = estimate_persons(&inputs, &fit);

    // 7. Recipient presence, and the result.
    Ok(sample_result(&inputs, errors, fit, pairs, est))
}

/// The inputs of one sample's analysis that every step reads: the sample's
/// name, the panel, the persons (recipient first) and their names, the
/// sample's reads per marker and the settings.
struct SampleInputs<'a> {
    sample: &'a str,
    markers: &'a [Marker],
    persons: &'a [Person],
    names: &'a [String],
    counts: &'a [Option<AlleleCounts>],
    cfg: &'a NgsConfig,
}

/// What steps 1–3 give the later steps: sexes, the sample's site models and
/// error scale, the marker reports, the robust fit (markers kept and removed,
/// their genotypes, fractions and dispersion), its goodness of fit and
/// variance inflation, the flags so far and the identity-check candidates.
struct SampleFit {
    sex: SexCheck,
    sites: Vec<SiteModel>,
    error_scale: [f64; 4],
    reports: Vec<MarkerReport>,
    robust: RobustFit,
    gof: GoodnessOfFit,
    phi: f64,
    flags: Vec<QcFlag>,
    identity_candidates: Vec<(usize, Genotype)>,
}

/// Steps 1–3: sample-specific error scaling and pre-fit marker checks; the
/// robust fit (allele-not-seen, indel class, iterative outliers) with the
/// flags about the markers it left out; residuals, goodness of fit and
/// residual variance inflation.
fn fit_sample(
    inputs: &SampleInputs<'_>,
    genotypes: &[Vec<GenotypeCall>],
    sites: &[SiteModel],
) -> Result<SampleFit, NgsError> {
    let (markers, cfg) = (inputs.markers, inputs.cfg);
    // 1. Sample-specific error scaling and pre-fit marker checks.
    let Prefit {
        sex,
        sites,
        error_scale,
        mut reports,
        design,
        used_genotypes,
        identity_candidates,
    } = prefit(inputs, genotypes, sites)?;

    // 2. Robust fit: allele-not-seen, indel class, iterative outliers.
    let robust_cfg = RobustConfig {
        exclude_outliers: cfg.exclude_outliers,
        marker_alpha: cfg.marker_alpha,
        max_fraction: cfg.max_outlier_fraction,
    };
    let robust = robust_fit(design, used_genotypes, markers, &robust_cfg);
    let mut flags = marker_flags(markers, &reports, &robust.removed, &sex, inputs.names);
    flags.extend(indels_excluded_flag(
        &robust.removed,
        robust.indels_unreliable,
    ));
    let identity_candidates =
        identity_markers(identity_candidates, markers, robust.indels_unreliable);

    // 3. Residuals, goodness of fit and residual variance inflation.
    let gof = check_fit(inputs, &robust, &mut reports, &mut flags);
    let phi = gof.reduced_chi2.max(1.0);
    Ok(SampleFit {
        sex,
        sites,
        error_scale,
        reports,
        robust,
        gof,
        phi,
        flags,
        identity_candidates,
    })
}

/// Step 3: the residuals of the robust fit, recorded with each marker's
/// expected VAF in its report (and why removed markers were left out), the
/// goodness of fit, and the poor-fit flag when the persons explain the
/// sample poorly.
fn check_fit(
    inputs: &SampleInputs<'_>,
    robust: &RobustFit,
    reports: &mut [MarkerReport],
    flags: &mut Vec<QcFlag>,
) -> GoodnessOfFit {
    let Fit { f, rho, .. } = &robust.fit;
    let design = &robust.design;
    let res = residuals(design, rho, f);
    report_fit(reports, &robust.removed, design, &res, f);
    let gof = goodness_of_fit(design, &res);
    flags.extend(poor_fit_flag(
        inputs.markers,
        &robust.removed,
        design,
        &gof,
        inputs.cfg,
    ));
    gof
}

/// Steps 5–6: how many markers tell each pair of persons apart, the donor
/// groups too alike to split, and the estimates (intervals, detection
/// limits, combined donors, dominant donor) read from the fit.
fn estimate_persons(
    inputs: &SampleInputs<'_>,
    fit: &SampleFit,
) -> (Vec<PairInformativeness>, Estimates) {
    let cfg = inputs.cfg;
    let used_genotypes = &fit.robust.genotypes;
    let pairs = pair_counts(inputs.names, used_genotypes);
    let donors: Vec<usize> = (1..inputs.persons.len()).collect();
    let groups = unsplittable_groups(&donors, used_genotypes, cfg.min_split_markers);
    let fitted = Fitted {
        design: &fit.robust.design,
        rho: &fit.robust.fit.rho,
        f: &fit.robust.fit.f,
        log_lik: fit.robust.fit.log_lik,
        phi: fit.phi,
        level: cfg.ci_level,
    };
    let est = estimates(&fitted, inputs.persons, &groups, used_genotypes, cfg);
    (pairs, est)
}

/// Step 7 and the result: the recipient presence test with its flags (no
/// test possible, detection limit above the target, prior error rates)
/// after the estimates' flags, and the sample's result from every step.
fn sample_result(
    inputs: &SampleInputs<'_>,
    errors: &ErrorModel,
    fit: SampleFit,
    pairs: Vec<PairInformativeness>,
    est: Estimates,
) -> NgsSampleResult {
    let cfg = inputs.cfg;
    let SampleFit {
        sex,
        error_scale,
        reports,
        robust,
        gof,
        phi,
        mut flags,
        ..
    } = fit;
    flags.extend(est.flags);
    let presence = presence_test(&robust.design, &robust.fit.rho, 0, 1.0);
    let recipient_detected = presence.map(|p| p.p_value < cfg.presence_alpha);
    let mut persons = est.persons;
    intervals_for_calls(&mut persons, recipient_detected);
    flags.extend(presence_flags(
        presence.is_some(),
        lod_flag(&persons[0], recipient_detected, cfg.lod_target),
        errors.source,
    ));
    let markers_used = robust.design.rows.len();
    NgsSampleResult {
        sample: inputs.sample.to_string(),
        ci_level: cfg.ci_level,
        persons,
        donors_combined: est.donors_combined,
        unsplit_groups: est.unsplit_groups,
        dominant_donor: est.dominant_donor,
        recipient_detected,
        recipient_presence: presence,
        dispersion: robust.fit.rho,
        variance_inflation: phi,
        error_model: *errors,
        sample_error_scale: error_scale,
        sexes: sex.sexes,
        goodness_of_fit: gof,
        pairs,
        markers_used,
        markers_excluded: inputs.markers.len() - markers_used,
        markers: reports,
        flags,
    }
}

/// What step 1 gives the fit: sexes, the sample's site models and error
/// scale, the marker reports so far, the design of the markers used, their
/// genotypes and the identity-check candidates.
struct Prefit {
    sex: SexCheck,
    sites: Vec<SiteModel>,
    error_scale: [f64; 4],
    reports: Vec<MarkerReport>,
    design: Design,
    used_genotypes: Vec<Vec<Genotype>>,
    identity_candidates: Vec<(usize, Genotype)>,
}

/// Step 1: sample-specific error scaling and the pre-fit marker checks
/// (depth, balance, sexes); an error when too few markers remain.
fn prefit(
    inputs: &SampleInputs<'_>,
    genotypes: &[Vec<GenotypeCall>],
    sites: &[SiteModel],
) -> Result<Prefit, NgsError> {
    let SampleInputs {
        sample,
        markers,
        names,
        counts,
        cfg,
        ..
    } = *inputs;
    let sex = check_sexes(markers, genotypes);
    let (sites, error_scale) = scale_to_sample_error(markers, genotypes, sites, counts);
    let limits = SelectLimits {
        min_depth: cfg.min_sample_depth,
        min_het_balance: cfg.min_het_balance,
        min_het_balance_reads: cfg.min_het_balance_reads,
        depth_outlier_factor: cfg.depth_outlier_factor,
    };
    let Selection {
        reports,
        rows,
        genotypes: used_genotypes,
        identity_candidates,
    } = select_markers(markers, names, genotypes, &sites, counts, &sex, &limits);
    let design = Design {
        persons: names.len(),
        rows,
    };
    check_enough(sample, &design, cfg)?;
    Ok(Prefit {
        sex,
        sites,
        error_scale,
        reports,
        design,
        used_genotypes,
        identity_candidates,
    })
}

/// The identity-check candidates, without indels when the sample's indels
/// are not trusted as a class.
fn identity_markers(
    candidates: Vec<(usize, Genotype)>,
    markers: &[Marker],
    indels_unreliable: Option<(usize, usize)>,
) -> Vec<(usize, Genotype)> {
    candidates
        .into_iter()
        .filter(|(m, _)| {
            indels_unreliable.is_none() || AlleleClass::of(&markers[*m]) == AlleleClass::Snp
        })
        .collect()
}

/// The flag saying the sample's indels were left out as a class:
/// `indels_unreliable` is (indels that lost an allele, informative indels).
fn indels_excluded_flag(
    removed: &[(DesignRow, Exclusion)],
    indels_unreliable: Option<(usize, usize)>,
) -> Option<QcFlag> {
    let (dead, informative) = indels_unreliable?;
    let n = removed
        .iter()
        .filter(|(_, e)| matches!(e, Exclusion::IndelsUnreliable { .. }))
        .count();
    let others = match n {
        0 => "they were left out".to_string(),
        1 => "the 1 other indel is not trusted either; all were left out".to_string(),
        _ => format!("the {n} other indels are not trusted either; all were left out"),
    };
    Some(QcFlag {
        code: QcCode::IndelsExcluded,
        text: format!(
            "{dead} of {informative} informative indels show no reads of an allele a contributor carries (a variant-calling artefact of the sample's VCF); {others}, as are indels in the identity check: the estimate rests on SNPs"
        ),
    })
}

/// Records in the marker reports why each removed marker was left out
/// (with its expected VAF and residual) and each used marker's residual.
fn report_fit(
    reports: &mut [MarkerReport],
    removed: &[(DesignRow, Exclusion)],
    design: &Design,
    res: &[f64],
    f: &[f64],
) {
    for (row, why) in removed {
        let rep = &mut reports[row.marker];
        rep.used = false;
        rep.expected_vaf = Fraction::clamp(row.p(f));
        if let Exclusion::Outlier { residual, .. } = why {
            rep.residual = Some(*residual);
        }
        rep.excluded = Some(why.clone());
    }
    for (row, r) in design.rows.iter().zip(res) {
        let rep = &mut reports[row.marker];
        rep.residual = Some(*r);
        rep.expected_vaf = Fraction::clamp(row.p(f));
    }
}

/// The poor-fit flag: too many informative SNPs left out, or a
/// goodness-of-fit test the declared persons fail.
fn poor_fit_flag(
    markers: &[Marker],
    removed: &[(DesignRow, Exclusion)],
    design: &Design,
    gof: &GoodnessOfFit,
    cfg: &NgsConfig,
) -> Option<QcFlag> {
    let snp = |r: &DesignRow| AlleleClass::of(&markers[r.marker]) == AlleleClass::Snp;
    let snps_removed = removed
        .iter()
        .filter(|(r, e)| snp(r) && !matches!(e, Exclusion::IndelsUnreliable { .. }))
        .count();
    let snps_informative = snps_removed + design.rows.iter().filter(|r| snp(r)).count();
    if snps_removed as f64 > cfg.max_outlier_fraction.get() * snps_informative as f64 {
        Some(QcFlag {
            code: QcCode::PoorFit,
            text: format!(
                "{snps_removed} of {snps_informative} informative SNPs had to be left out (allele not seen or outlier): the declared persons do not explain this sample; possible sample swap, unknown contributor or wrong genotypes"
            ),
        })
    } else if gof.p_value < cfg.fit_alpha && gof.reduced_chi2 > cfg.fit_min_reduced_chi2 {
        Some(QcFlag {
            code: QcCode::PoorFit,
            text: format!(
                "the declared persons explain the sample poorly (chi-square {:.1} on {:.0} df, reduced {:.2}, p = {:.1e}): possible unknown contributor, sample swap, copy-number change or wrong genotypes",
                gof.chi2, gof.df, gof.reduced_chi2, gof.p_value
            ),
        })
    } else {
        None
    }
}

/// Flags of the last step: no presence test possible, a detection limit
/// above the target (`lod`), error rates from the prior.
fn presence_flags(tested: bool, lod: Option<QcFlag>, errors: ErrorSource) -> Vec<QcFlag> {
    let mut flags = Vec::new();
    if !tested {
        flags.push(QcFlag {
            code: QcCode::NoPresenceTest,
            text: "no marker where every donor is homozygous for an allele the recipient lacks: recipient presence not tested".into(),
        });
    }
    flags.extend(lod);
    if errors == ErrorSource::Prior {
        flags.push(QcFlag {
            code: QcCode::ErrorPrior,
            text: "no pure-sample reads at homozygous markers: sequencing error rates are the prior (0.1% SNP, 0.3% indel), not learned".into(),
        });
    }
    flags
}

fn validate_inputs(
    sample: &str,
    markers: &[Marker],
    persons: &[Person],
    genotypes: &[Vec<GenotypeCall>],
    sites: &[SiteModel],
    counts: &[Option<AlleleCounts>],
) -> Result<(), NgsError> {
    let np = persons.len();
    if np < 2
        || persons[0].role != Role::Recipient
        || persons[1..].iter().any(|p| p.role != Role::Donor)
    {
        return Err(NgsError::BadPersons(
            persons
                .iter()
                .map(|p| format!("{} ({})", p.name, p.role.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    let len = |what: String, expected: usize, found: usize| {
        if expected == found {
            Ok(())
        } else {
            Err(NgsError::LengthMismatch {
                what,
                expected,
                found,
            })
        }
    };
    len("genotype sets".into(), np, genotypes.len())?;
    for (p, g) in persons.iter().zip(genotypes) {
        len(format!("genotypes of {}", p.name), markers.len(), g.len())?;
    }
    len("site models".into(), markers.len(), sites.len())?;
    len(
        format!("counts of sample {sample}"),
        markers.len(),
        counts.len(),
    )
}

fn check_enough(sample: &str, design: &Design, cfg: &NgsConfig) -> Result<(), NgsError> {
    let np = design.persons;
    let distinguishes_recipient = design
        .rows
        .iter()
        .any(|r| (1..np).any(|k| (r.q[k] - r.q[0]).abs() > 0.25));
    if design.rows.len() < 2 || !distinguishes_recipient {
        return Err(NgsError::InsufficientData {
            sample: sample.to_string(),
            what: format!(
                "{} informative markers with genotypes for every person and sample depth ≥ {}; at least 2 are needed, including one where the recipient differs from a donor",
                design.rows.len(),
                cfg.min_sample_depth
            ),
        });
    }
    Ok(())
}

/// Flags listing every marker removed by marker QC (pre-fit checks and the
/// robust fit), one flag per kind.
fn marker_flags(
    markers: &[Marker],
    reports: &[MarkerReport],
    removed: &[(DesignRow, Exclusion)],
    sex: &SexCheck,
    names: &[String],
) -> Vec<QcFlag> {
    let mut flags = Vec::new();
    let list = |pred: &dyn Fn(&Exclusion) -> bool| -> Vec<String> {
        let pre = reports.iter().filter_map(|r| {
            r.excluded
                .as_ref()
                .filter(|e| pred(e))
                .map(|e| (r.id.clone(), e.clone()))
        });
        let post = removed
            .iter()
            .filter(|(_, e)| pred(e))
            .map(|(r, e)| (markers[r.marker].id.clone(), e.clone()));
        pre.chain(post)
            .map(|(id, e)| format!("{id} ({e})"))
            .collect()
    };
    let outliers = list(&|e| matches!(e, Exclusion::Outlier { .. }));
    if !outliers.is_empty() {
        flags.push(QcFlag {
            code: QcCode::Outliers,
            text: format!(
                "{} excluded as outliers and the sample refitted: {}",
                count_markers(outliers.len()),
                outliers.join(", ")
            ),
        });
    }
    let qc = list(&|e| {
        matches!(
            e,
            Exclusion::AlleleNotSeen { .. }
                | Exclusion::ReferenceAlleleBalance { .. }
                | Exclusion::DepthOutlier { .. }
        )
    });
    if !qc.is_empty() {
        flags.push(QcFlag {
            code: QcCode::MarkerQc,
            text: format!(
                "{} failed marker QC and were left out: {}",
                count_markers(qc.len()),
                qc.join(", ")
            ),
        });
    }
    let sex_markers = reports
        .iter()
        .filter(|r| matches!(r.excluded, Some(Exclusion::SexChromosome { .. })))
        .count();
    flags.extend(sex_flag(sex_markers, sex, names));
    flags
}

/// `NGS-SEX` when X/Y markers were left out, saying why: the persons
/// differ in sex, or whose sex could not be inferred.
fn sex_flag(sex_markers: usize, sex: &SexCheck, names: &[String]) -> Option<QcFlag> {
    if sex_markers == 0 {
        return None;
    }
    let who: Vec<String> = names
        .iter()
        .zip(&sex.sexes)
        .map(|(n, s)| format!("{n}: {}", s.map_or("unknown", |s| s.as_str())))
        .collect();
    let unknown: Vec<&str> = names
        .iter()
        .zip(&sex.sexes)
        .filter(|(_, s)| s.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    let why = if unknown.is_empty() {
        "because the persons differ in sex".to_string()
    } else {
        format!(
            "because the sex of {} could not be inferred from X heterozygosity",
            unknown.join(", ")
        )
    };
    Some(QcFlag {
        code: QcCode::SexChromosomes,
        text: format!(
            "{} outside the pseudo-autosomal regions left out {why} ({})",
            count_markers_of("X/Y ", sex_markers),
            who.join(", ")
        ),
    })
}

/// The interval shown with a call, the rule of STR
/// (`str::calls::interval_for_call`): a person not detected (reported
/// `< LoD`) may be absent, so its interval starts at 0, and may hold up to
/// its LoD unseen, so it reaches at least the LoD. A profile interval of
/// 0.025–0.108 % beside "< 0.133" said "present" and "not detected" at
/// once (independent simulation: 107 of 3,200 recipients).
fn intervals_for_calls(persons: &mut [PersonEstimate], recipient_detected: Option<bool>) {
    for p in persons.iter_mut() {
        if p.detected(recipient_detected) != Some(false) {
            continue;
        }
        if let (Some(ci), Some(d)) = (p.ci.as_mut(), p.detection) {
            ci.low = Fraction::ZERO;
            if d.lod > ci.high.get() {
                ci.high = Fraction::clamp(d.lod).unwrap_or(ci.high);
            }
        }
    }
}

/// Share of the identity-check markers that must show an allele nobody
/// declared carries before the sample is flagged `NGS-ID`.
pub const IDENTITY_MIN_SHARE: f64 = 0.05;

/// Markers needed for `NGS-ID` out of `candidates` (markers where every
/// declared person is homozygous alike): `min_markers`, and at least
/// [`IDENTITY_MIN_SHARE`] of them. An unknown contributor or a swapped
/// sample shows the other allele at a large share of those markers (an
/// unrelated person carries it at a third or more of them); an amplicon
/// whose error is high in every sample shows it at one or two. Counting
/// those as evidence flagged 60 % of clean samples of an independent
/// simulation with 2 % of sites at 1–5 % error.
pub fn identity_markers_needed(candidates: usize, min_markers: usize) -> usize {
    let share = (IDENTITY_MIN_SHARE * candidates as f64).ceil() as usize;
    min_markers.max(share)
}

/// Identity check: at markers where every declared person is homozygous for
/// the same allele, reads of the other allele beyond error.
fn identity_check(
    markers: &[Marker],
    sites: &[SiteModel],
    counts: &[Option<AlleleCounts>],
    candidates: &[(usize, Genotype)],
    rho: f64,
    cfg: &NgsConfig,
    reports: &mut [MarkerReport],
) -> Vec<QcFlag> {
    let z_id = bonferroni_threshold(candidates.len(), cfg.marker_alpha);
    let mut unexplained = Vec::new();
    for &(m, g) in candidates {
        let c = counts[m].unwrap_or_default();
        let er = &sites[m].rates;
        let (x, e) = match g {
            Genotype::HomRef => (c.alt_count, er.ref_to_alt),
            _ => (c.ref_count, er.alt_to_ref),
        };
        if let Some(u) = unexplained_allele(x, c.depth(), e, rho, z_id) {
            reports[m].unexplained = Some(u);
            unexplained.push(format!(
                "{} ({:.2}% of reads)",
                markers[m].id,
                100.0 * u.fraction.get()
            ));
        }
    }
    if unexplained.len() < identity_markers_needed(candidates.len(), cfg.identity_min_markers) {
        return Vec::new();
    }
    vec![QcFlag {
        code: QcCode::Identity,
        text: format!(
            "{} an allele none of the declared persons carries: possible unknown contributor or sample swap: {}",
            match unexplained.len() {
                1 => "1 marker shows".to_string(),
                n => format!("{n} markers show"),
            },
            unexplained.join(", ")
        ),
    }]
}

/// The fitted model a sample's estimates are read from.
struct Fitted<'a> {
    design: &'a Design,
    rho: &'a Dispersion,
    f: &'a [f64],
    log_lik: f64,
    phi: f64,
    level: f64,
}

struct Estimates {
    persons: Vec<PersonEstimate>,
    donors_combined: GroupEstimate,
    unsplit_groups: Vec<GroupEstimate>,
    dominant_donor: Option<String>,
    flags: Vec<QcFlag>,
}

/// Per-person estimates (profile intervals, detection limits), the combined
/// donors, unsplit donor groups and the dominant donor.
fn estimates(
    m: &Fitted<'_>,
    persons: &[Person],
    groups: &[Vec<usize>],
    used_genotypes: &[Vec<Genotype>],
    cfg: &NgsConfig,
) -> Estimates {
    let f = m.f;
    let names: Vec<String> = persons.iter().map(|p| p.name.clone()).collect();
    let in_group = |k: usize| groups.iter().any(|g| g.contains(&k));
    let persons_out: Vec<PersonEstimate> = persons
        .iter()
        .enumerate()
        .map(|(k, p)| m.person(k, p, !in_group(k)))
        .collect();
    let recipient_ci = persons_out[0].ci.unwrap_or(Interval {
        low: Fraction::ZERO,
        high: Fraction::ONE,
    });
    let donors_combined = GroupEstimate {
        persons: names[1..].to_vec(),
        fraction: share(1.0 - f[0]),
        ci: Interval {
            low: recipient_ci.high.complement(),
            high: recipient_ci.low.complement(),
        },
    };
    let mut unsplit_groups = Vec::new();
    let mut flags = Vec::new();
    for g in groups {
        unsplit_groups.push(GroupEstimate {
            persons: g.iter().map(|&k| names[k].clone()).collect(),
            fraction: share(g.iter().map(|&k| f[k]).sum()),
            ci: m.interval(g),
        });
        flags.push(not_split_flag(&names, g, used_genotypes, cfg));
    }
    let dominant_donor = dominant_donor(&names, &persons_out, f, &in_group, &unsplit_groups);
    Estimates {
        persons: persons_out,
        donors_combined,
        unsplit_groups,
        dominant_donor,
        flags,
    }
}

impl Fitted<'_> {
    /// The profile-likelihood interval of the summed fractions of `g`.
    fn interval(&self, g: &[usize]) -> Interval {
        profile_interval(
            self.design,
            self.rho,
            self.f,
            self.log_lik,
            g,
            self.level,
            self.phi,
        )
    }

    /// Person `k`'s estimate: fraction, interval and detection limits when
    /// the person is told apart (`split`), else only name and role.
    fn person(&self, k: usize, p: &Person, split: bool) -> PersonEstimate {
        PersonEstimate {
            name: p.name.clone(),
            role: p.role,
            fraction: split.then(|| share(self.f[k])),
            ci: split.then(|| {
                let extra = error_rate_sd(self.design, self.rho, self.f, k).unwrap_or(0.0);
                widen(self.interval(&[k]), self.f[k], extra, self.level)
            }),
            detection: if split {
                detection_limit(self.design, self.rho, self.f, k, self.phi)
            } else {
                None
            },
        }
    }
}

/// A fitted fraction (or a sum of them) as a [`Fraction`]. The fit keeps
/// every fraction in [0, 1] and finite (its projection takes `max(0.0)`
/// and rescales to the block's mass), so this only bounds a sum against
/// rounding.
fn share(x: f64) -> Fraction {
    Fraction::clamp(x).unwrap_or(Fraction::ZERO)
}

/// The `NGS-SPLIT` flag of a donor group that is reported only combined:
/// how many usable markers tell each pair of its members apart.
fn not_split_flag(
    names: &[String],
    g: &[usize],
    used_genotypes: &[Vec<Genotype>],
    cfg: &NgsConfig,
) -> QcFlag {
    let members: Vec<&str> = g.iter().map(|&k| names[k].as_str()).collect();
    let detail: Vec<String> = g
        .iter()
        .flat_map(|&a| g.iter().filter(move |&&b| b > a).map(move |&b| (a, b)))
        .map(|(a, b)| {
            let n = used_genotypes.iter().filter(|x| x[a] != x[b]).count();
            format!("{}/{}: {n}", names[a], names[b])
        })
        .collect();
    QcFlag {
        code: QcCode::DonorsNotSplit,
        text: format!(
            "donors {} differ at fewer than {} usable markers ({}); only their combined fraction is reported",
            members.join(" + "),
            cfg.min_split_markers,
            detail.join(", ")
        ),
    }
}

/// The donor (or unsplit donor group) with the largest fraction; the
/// first one on ties.
fn dominant_donor(
    names: &[String],
    persons: &[PersonEstimate],
    f: &[f64],
    in_group: &dyn Fn(usize) -> bool,
    unsplit_groups: &[GroupEstimate],
) -> Option<String> {
    use crate::dominance::{Candidate, dominant};
    let pct = |i: Interval| (100.0 * i.low.get(), 100.0 * i.high.get());
    let mut who: Vec<String> = Vec::new();
    let mut c: Vec<Candidate> = Vec::new();
    for (k, name) in names.iter().enumerate().skip(1) {
        if in_group(k) {
            continue;
        }
        who.push(name.clone());
        c.push(Candidate {
            share: 100.0 * f[k],
            interval: persons[k].ci.map(pct),
            detected: persons[k].detection.map_or(f[k] > 0.0, |d| f[k] > d.lob),
        });
    }
    for g in unsplit_groups {
        who.push(g.persons.join(" + "));
        c.push(Candidate {
            share: 100.0 * g.fraction.get(),
            interval: Some(pct(g.ci)),
            detected: g.fraction.get() > 0.0,
        });
    }
    dominant(&c).map(|i| who[i].clone())
}

/// `NGS-LOD` when the recipient is not shown present — the presence test is
/// negative or impossible, and the estimate is not above the limit of blank
/// (CLSI EP17: a result above the LoB is "detected") — and the sample's
/// recipient LoD is above `target`.
fn lod_flag(
    recipient: &PersonEstimate,
    detected: Option<bool>,
    target: Option<Fraction>,
) -> Option<QcFlag> {
    let target = target?.get();
    let limits = recipient.detection?;
    let lod = limits.lod;
    let estimate = recipient.fraction?.get();
    if recipient.detected(detected) != Some(false) || lod <= target {
        return None;
    }
    let test = match detected {
        Some(_) => "presence test negative",
        None => "presence not testable",
    };
    Some(QcFlag {
        code: QcCode::LodAboveTarget,
        text: format!(
            "recipient not shown present ({test}; estimate {:.3}% not above the LoB {:.3}%), and this sample's recipient LoD is {:.3}% (above the lab's sensitivity target of {:.3}% for a negative result, set with --lod-target): recipient DNA below {:.3}% cannot be excluded; more markers where every donor is homozygous for an allele the recipient lacks, or more depth, lower it",
            estimate * 100.0,
            limits.lob * 100.0,
            lod * 100.0,
            target * 100.0,
            lod * 100.0
        ),
    })
}

/// "1 marker", "3 markers".
fn count_markers(n: usize) -> String {
    count_markers_of("", n)
}

/// "1 X/Y marker", "6 X/Y markers" (`kind` with its trailing space).
fn count_markers_of(kind: &str, n: usize) -> String {
    if n == 1 {
        format!("1 {kind}marker")
    } else {
        format!("{n} {kind}markers")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sex_flag_says_which_reason_applies() {
        use super::super::sex::ChromosomalSex;
        let names = vec!["recipient".to_string(), "d1".to_string()];
        let check = |sexes: Vec<Option<ChromosomalSex>>| SexCheck {
            sexes,
            sex_chromosomes_usable: false,
        };
        let unknown = sex_flag(6, &check(vec![None, None]), &names).unwrap();
        assert!(
            unknown
                .text
                .contains("the sex of recipient, d1 could not be inferred")
                && !unknown.text.contains("differ in sex"),
            "{}",
            unknown.text
        );
        let differ = check(vec![
            Some(ChromosomalSex::Female),
            Some(ChromosomalSex::Male),
        ]);
        let t = sex_flag(6, &differ, &names).unwrap().text;
        assert!(
            t.contains("because the persons differ in sex (recipient: "),
            "{t}"
        );
        assert!(sex_flag(0, &differ, &names).is_none());
    }

    #[test]
    fn a_person_not_detected_has_an_interval_from_zero_to_at_least_the_lod() {
        let f = |x: f64| Fraction::clamp(x).unwrap();
        let person = |frac: f64, lo: f64, hi: f64| PersonEstimate {
            name: "recipient".into(),
            role: Role::Recipient,
            fraction: Some(f(frac)),
            ci: Some(Interval {
                low: f(lo),
                high: f(hi),
            }),
            detection: Some(super::super::lod::DetectionLimit {
                lob: 0.00065,
                lod: 0.00133,
            }),
        };
        // Below the LoB, presence test negative: "< LoD", interval 0–LoD.
        let mut v = vec![person(0.0006, 0.00025, 0.00108)];
        intervals_for_calls(&mut v, Some(false));
        let ci = v[0].ci.unwrap();
        assert_eq!((ci.low, ci.high), (Fraction::ZERO, f(0.00133)));
        // Detected by the presence test: the interval stands.
        let mut v = vec![person(0.0006, 0.00025, 0.00108)];
        intervals_for_calls(&mut v, Some(true));
        assert_eq!(v[0].ci.unwrap().low, f(0.00025));
        // Not detected with an interval reaching above the LoD: its top stands.
        let mut v = vec![person(0.0006, 0.0, 0.002)];
        intervals_for_calls(&mut v, Some(false));
        assert_eq!(v[0].ci.unwrap().high, f(0.002));
    }

    #[test]
    fn identity_flag_needs_two_markers_and_a_twentieth_of_the_candidates() {
        assert_eq!(identity_markers_needed(10, 2), 2);
        assert_eq!(identity_markers_needed(40, 2), 2);
        assert_eq!(identity_markers_needed(41, 2), 3);
        assert_eq!(identity_markers_needed(400, 2), 20);
        assert_eq!(identity_markers_needed(0, 2), 2);
    }

    /// Persons without intervals or limits: the rule of
    /// [`crate::dominance`] on the shares alone.
    fn plain(names: &[String]) -> Vec<PersonEstimate> {
        names
            .iter()
            .enumerate()
            .map(|(k, n)| PersonEstimate {
                name: n.clone(),
                role: if k == 0 { Role::Recipient } else { Role::Donor },
                fraction: None,
                ci: None,
                detection: None,
            })
            .collect()
    }

    #[test]
    fn the_dominant_donor_is_the_largest_single_or_unsplit_group() {
        let names: Vec<String> = ["R", "D1", "D2", "D3"].map(String::from).to_vec();
        let p = plain(&names);
        let f = [0.1, 0.3, 0.35, 0.25];
        let none = |_: usize| false;
        assert_eq!(
            dominant_donor(&names, &p, &f, &none, &[]).as_deref(),
            Some("D2")
        );
        // A tie names none.
        let tie = [0.1, 0.3, 0.3, 0.3];
        assert_eq!(dominant_donor(&names, &p, &tie, &none, &[]), None);
        // D2 + D3 reported together outweigh D1.
        let grouped = |k: usize| k >= 2;
        let g = GroupEstimate {
            persons: vec!["D2".into(), "D3".into()],
            fraction: Fraction::lit(0.6),
            ci: Interval {
                low: Fraction::lit(0.5),
                high: Fraction::lit(0.7),
            },
        };
        assert_eq!(
            dominant_donor(&names, &p, &f, &grouped, &[g]).as_deref(),
            Some("D2 + D3")
        );
        // Overlapping intervals name none; a donor below its LoB is not
        // detected.
        let mut q = p.clone();
        q[1].ci = Some(Interval {
            low: Fraction::lit(0.28),
            high: Fraction::lit(0.36),
        });
        q[2].ci = Some(Interval {
            low: Fraction::lit(0.33),
            high: Fraction::lit(0.37),
        });
        assert_eq!(dominant_donor(&names[..3], &q, &f, &none, &[]), None);
        q[2].detection = Some(DetectionLimit { lob: 0.4, lod: 0.5 });
        q[1].ci = None;
        assert_eq!(dominant_donor(&names[..3], &q, &f, &none, &[]), None);
        // The recipient is never the dominant donor.
        assert_eq!(dominant_donor(&names[..1], &p, &f, &none, &[]), None);
    }
    use crate::ngs::lod::DetectionLimit;

    fn recipient(lod: f64) -> PersonEstimate {
        PersonEstimate {
            name: "R".into(),
            role: Role::Recipient,
            fraction: Some(Fraction::ZERO),
            ci: None,
            detection: Some(DetectionLimit {
                lob: lod / 2.0,
                lod,
            }),
        }
    }

    #[test]
    fn lod_flag_only_for_negative_results_above_the_target() {
        let t = Some(Fraction::lit(0.001));
        // Either side of the target, not detected.
        assert!(lod_flag(&recipient(0.001_01), Some(false), t).is_some());
        assert!(lod_flag(&recipient(0.001), Some(false), t).is_none());
        assert!(lod_flag(&recipient(0.000_99), Some(false), t).is_none());
        // Untested presence counts as not detected.
        let f = lod_flag(&recipient(0.002), None, t).expect("flag");
        assert_eq!(f.code, QcCode::LodAboveTarget);
        assert!(
            f.text.contains("0.200%") && f.text.contains("0.100%"),
            "{}",
            f.text
        );
        // Which target, and where it is set (review-lab L).
        assert!(
            f.text.contains(
                "sensitivity target of 0.100% for a negative result, set with --lod-target"
            ),
            "{}",
            f.text
        );
        // Detected: the LoD does not limit the result.
        assert!(lod_flag(&recipient(0.002), Some(true), t).is_none());
        // Untestable presence, but the estimate is above the LoB (here
        // 0.025): detected, not a negative result; at the LoB it still is one.
        let mut r = recipient(0.05);
        r.fraction = Some(Fraction::lit(0.025_01));
        assert!(lod_flag(&r, None, t).is_none());
        r.fraction = Some(Fraction::lit(0.025));
        assert!(lod_flag(&r, None, t).is_some());
        // Check turned off.
        assert!(lod_flag(&recipient(0.002), Some(false), None).is_none());
    }
}

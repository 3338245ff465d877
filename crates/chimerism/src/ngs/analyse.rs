//! Orchestration of one sample: marker selection, fit, outlier refit,
//! intervals, detection limits, presence test, identifiability and QC.

use serde::{Deserialize, Serialize};

use super::design::{Design, DesignRow};
use super::error_model::{AlleleClass, ErrorModel, ErrorSource};
use super::fit::{Fit, fit};
use super::genotype::{Genotype, GenotypeCall};
use super::identifiability::{pair_counts, unsplittable_groups};
use super::lod::detection_limit;
use super::presence::presence_test;
use super::profile_ci::{Interval, profile_interval};
use super::qc::{
    QcCode, QcFlag, bonferroni_threshold, goodness_of_fit, residuals, unexplained_allele,
};
use super::result::{
    Exclusion, GroupEstimate, MarkerReport, NgsSampleResult, Person, PersonEstimate, Role,
};
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
    pub max_outlier_fraction: f64,
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
    pub lod_target: Option<f64>,
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
            max_outlier_fraction: 0.2,
            fit_alpha: 1e-4,
            fit_min_reduced_chi2: 2.0,
            identity_min_markers: 2,
            lod_target: Some(0.001),
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

/// Analyses one post-transplant sample.
///
/// `genotypes[k][m]` is person k's call at panel marker m; `counts[m]` the
/// sample's reads at marker m (`None` = absent).
pub fn analyse_sample(
    sample: &str,
    markers: &[Marker],
    persons: &[Person],
    genotypes: &[Vec<GenotypeCall>],
    errors: &ErrorModel,
    counts: &[Option<AlleleCounts>],
    cfg: &NgsConfig,
) -> Result<NgsSampleResult, NgsError> {
    let np = persons.len();
    if np < 2
        || persons[0].role != Role::Recipient
        || persons[1..].iter().any(|p| p.role != Role::Donor)
    {
        return Err(NgsError::BadPersons(
            persons
                .iter()
                .map(|p| format!("{} ({:?})", p.name, p.role))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if genotypes.len() != np {
        return Err(NgsError::LengthMismatch {
            what: "genotype sets".into(),
            expected: np,
            found: genotypes.len(),
        });
    }
    for (p, g) in persons.iter().zip(genotypes) {
        if g.len() != markers.len() {
            return Err(NgsError::LengthMismatch {
                what: format!("genotypes of {}", p.name),
                expected: markers.len(),
                found: g.len(),
            });
        }
    }
    if counts.len() != markers.len() {
        return Err(NgsError::LengthMismatch {
            what: format!("counts of sample {sample}"),
            expected: markers.len(),
            found: counts.len(),
        });
    }

    // 1. Marker selection.
    let mut reports: Vec<MarkerReport> = Vec::with_capacity(markers.len());
    let mut rows: Vec<DesignRow> = Vec::new();
    let mut used_genotypes: Vec<Vec<Genotype>> = Vec::new();
    let mut identity_candidates: Vec<(usize, Genotype)> = Vec::new();
    for (m, marker) in markers.iter().enumerate() {
        let class = AlleleClass::of(marker);
        let calls: Vec<Option<Genotype>> = genotypes.iter().map(|g| g[m].ok()).collect();
        let c = counts[m];
        let depth = c.map(|c| c.depth());
        let mut rep = MarkerReport {
            id: marker.id.clone(),
            class,
            genotypes: calls.clone(),
            ref_count: c.map(|c| c.ref_count),
            alt_count: c.map(|c| c.alt_count),
            observed_vaf: c
                .filter(|c| c.depth() > 0)
                .map(|c| f64::from(c.alt_count) / f64::from(c.depth())),
            expected_vaf: None,
            residual: None,
            donor_moment_estimate: None,
            used: false,
            excluded: None,
            unexplained: None,
        };
        if let Some((k, nc)) = genotypes
            .iter()
            .enumerate()
            .find_map(|(k, g)| g[m].err().map(|e| (k, e)))
        {
            rep.excluded = Some(Exclusion::NoGenotype {
                person: persons[k].name.clone(),
                no_call: nc,
            });
        } else if c.is_none() {
            rep.excluded = Some(Exclusion::MissingInSample);
        } else if depth.unwrap_or(0) < cfg.min_sample_depth.max(1) {
            rep.excluded = Some(Exclusion::LowDepth {
                depth: depth.unwrap_or(0),
                min_depth: cfg.min_sample_depth.max(1),
            });
        } else {
            let g: Vec<Genotype> = calls
                .iter()
                .map(|g| g.unwrap_or(Genotype::HomRef))
                .collect();
            if g.iter().all(|x| *x == g[0]) {
                rep.excluded = Some(Exclusion::NotInformative);
                if g[0].is_homozygous() {
                    identity_candidates.push((m, g[0]));
                }
            } else {
                let cc = c.unwrap_or_default();
                rows.push(DesignRow::new(
                    m,
                    cc.alt_count,
                    cc.depth(),
                    &g,
                    errors.rates(class),
                ));
                // Moment estimate when all donors share one dosage.
                let h = g[0].alt_dosage();
                let d = g[1].alt_dosage();
                if let Some(v) = rep.observed_vaf
                    && g[1..].iter().all(|x| x.alt_dosage() == d)
                    && d != h
                {
                    rep.donor_moment_estimate =
                        Some((2.0 * v - f64::from(h)) / (f64::from(d) - f64::from(h)));
                }
                used_genotypes.push(g);
                rep.used = true;
            }
        }
        reports.push(rep);
    }
    let mut design = Design { persons: np, rows };
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

    // 2. Fit, outlier exclusion and refit.
    let mut flags = Vec::new();
    let mut the_fit: Fit = fit(&design);
    let mut removed_rows: Vec<DesignRow> = Vec::new();
    if cfg.exclude_outliers {
        let res = residuals(&design, &the_fit.rho, &the_fit.f);
        let thr = bonferroni_threshold(res.len(), cfg.marker_alpha);
        let out: Vec<usize> = (0..res.len()).filter(|&i| res[i].abs() > thr).collect();
        let allowed = (cfg.max_outlier_fraction * res.len() as f64).floor() as usize;
        if !out.is_empty() && out.len() <= allowed && design.rows.len() - out.len() >= 2 {
            let mut names = Vec::new();
            for &i in out.iter().rev() {
                let row = design.rows.remove(i);
                removed_rows.push(row.clone());
                used_genotypes.remove(i);
                let rep = &mut reports[row.marker];
                rep.used = false;
                rep.residual = Some(res[i]);
                rep.excluded = Some(Exclusion::Outlier {
                    residual: res[i],
                    threshold: thr,
                });
                names.push(format!(
                    "{} (residual {:.1})",
                    markers[row.marker].id, res[i]
                ));
            }
            names.reverse();
            flags.push(QcFlag {
                code: QcCode::Outliers,
                text: format!(
                    "{} marker(s) beyond ±{thr:.2} SD excluded and the sample refitted: {}",
                    names.len(),
                    names.join(", ")
                ),
            });
            the_fit = fit(&design);
        }
    }
    let Fit { f, rho, log_lik } = the_fit;

    // 3. Residuals and expected VAFs of the used markers.
    let res = residuals(&design, &rho, &f);
    for (row, r) in design.rows.iter().zip(&res) {
        let rep = &mut reports[row.marker];
        rep.residual = Some(*r);
        rep.expected_vaf = Some(row.p(&f));
    }
    for row in &removed_rows {
        reports[row.marker].expected_vaf = Some(row.p(&f));
    }
    let gof = goodness_of_fit(&design, &res);
    if gof.p_value < cfg.fit_alpha && gof.reduced_chi2 > cfg.fit_min_reduced_chi2 {
        flags.push(QcFlag {
            code: QcCode::PoorFit,
            text: format!(
                "the declared persons explain the sample poorly (chi-square {:.1} on {:.0} df, reduced {:.2}, p = {:.1e}): possible unknown contributor, sample swap, copy-number change or wrong genotypes",
                gof.chi2, gof.df, gof.reduced_chi2, gof.p_value
            ),
        });
    }

    // 4. Identity check at markers where everybody is homozygous alike.
    let z_id = bonferroni_threshold(identity_candidates.len(), cfg.marker_alpha);
    let mut unexplained = Vec::new();
    for (m, g) in identity_candidates {
        let c = counts[m].unwrap_or_default();
        let er = errors.rates(AlleleClass::of(&markers[m]));
        let (x, e) = match g {
            Genotype::HomRef => (c.alt_count, er.ref_to_alt),
            _ => (c.ref_count, er.alt_to_ref),
        };
        if let Some(u) = unexplained_allele(x, c.depth(), e, rho.hom_contrast, z_id) {
            reports[m].unexplained = Some(u);
            unexplained.push(format!(
                "{} ({:.2}% of reads)",
                markers[m].id,
                100.0 * u.fraction
            ));
        }
    }
    if unexplained.len() >= cfg.identity_min_markers {
        flags.push(QcFlag {
            code: QcCode::Identity,
            text: format!(
                "{} marker(s) show an allele none of the declared persons carries: possible unknown contributor or sample swap: {}",
                unexplained.len(),
                unexplained.join(", ")
            ),
        });
    }

    // 5. Identifiability.
    let names: Vec<String> = persons.iter().map(|p| p.name.clone()).collect();
    let pairs = pair_counts(&names, &used_genotypes);
    let donors: Vec<usize> = (1..np).collect();
    let groups = unsplittable_groups(&donors, &used_genotypes, cfg.min_split_markers);
    let in_group = |k: usize| groups.iter().any(|g| g.contains(&k));

    // 6. Estimates, intervals, detection limits.
    let mut persons_out = Vec::with_capacity(np);
    for (k, p) in persons.iter().enumerate() {
        if in_group(k) {
            persons_out.push(PersonEstimate {
                name: p.name.clone(),
                role: p.role,
                fraction: None,
                ci: None,
                detection: None,
            });
            continue;
        }
        let ci = profile_interval(&design, &rho, &f, log_lik, &[k], cfg.ci_level);
        persons_out.push(PersonEstimate {
            name: p.name.clone(),
            role: p.role,
            fraction: Some(f[k]),
            ci: Some(ci),
            detection: detection_limit(&design, &rho, &f, k),
        });
    }
    let recipient_ci = persons_out[0].ci.unwrap_or(Interval {
        low: 0.0,
        high: 1.0,
    });
    let donors_combined = GroupEstimate {
        persons: names[1..].to_vec(),
        fraction: 1.0 - f[0],
        ci: Interval {
            low: 1.0 - recipient_ci.high,
            high: 1.0 - recipient_ci.low,
        },
    };
    let mut unsplit_groups = Vec::new();
    for g in &groups {
        let members: Vec<String> = g.iter().map(|&k| names[k].clone()).collect();
        unsplit_groups.push(GroupEstimate {
            persons: members.clone(),
            fraction: g.iter().map(|&k| f[k]).sum(),
            ci: profile_interval(&design, &rho, &f, log_lik, g, cfg.ci_level),
        });
        let detail: Vec<String> = g
            .iter()
            .flat_map(|&a| g.iter().filter(move |&&b| b > a).map(move |&b| (a, b)))
            .map(|(a, b)| {
                let n = used_genotypes.iter().filter(|x| x[a] != x[b]).count();
                format!("{}/{}: {n}", names[a], names[b])
            })
            .collect();
        flags.push(QcFlag {
            code: QcCode::DonorsNotSplit,
            text: format!(
                "donors {} differ at fewer than {} usable markers ({}); only their combined fraction is reported",
                members.join(" + "),
                cfg.min_split_markers,
                detail.join(", ")
            ),
        });
    }
    let dominant_donor = {
        let mut best: Option<(String, f64)> = None;
        for (k, p) in persons.iter().enumerate().skip(1) {
            if !in_group(k) && best.as_ref().is_none_or(|b| f[k] > b.1) {
                best = Some((p.name.clone(), f[k]));
            }
        }
        for g in &unsplit_groups {
            if best.as_ref().is_none_or(|b| g.fraction > b.1) {
                best = Some((g.persons.join(" + "), g.fraction));
            }
        }
        best.map(|b| b.0)
    };

    // 7. Recipient presence.
    let presence = presence_test(&design, &rho, 0);
    if presence.is_none() {
        flags.push(QcFlag {
            code: QcCode::NoPresenceTest,
            text: "no marker where every donor is homozygous for an allele the recipient lacks: recipient presence not tested".into(),
        });
    }
    let recipient_detected = presence.map(|p| p.p_value < cfg.presence_alpha);
    if let Some(flag) = lod_flag(&persons_out[0], recipient_detected, cfg.lod_target) {
        flags.push(flag);
    }
    if errors.source == ErrorSource::Prior {
        flags.push(QcFlag {
            code: QcCode::ErrorPrior,
            text: "no pure-sample reads at homozygous markers: sequencing error rates are the prior (0.1% SNP, 0.3% indel), not learned".into(),
        });
    }
    let markers_used = design.rows.len();
    Ok(NgsSampleResult {
        sample: sample.to_string(),
        ci_level: cfg.ci_level,
        persons: persons_out,
        donors_combined,
        unsplit_groups,
        dominant_donor,
        recipient_detected,
        recipient_presence: presence,
        dispersion: rho,
        error_model: *errors,
        goodness_of_fit: gof,
        pairs,
        markers_used,
        markers_excluded: markers.len() - markers_used,
        markers: reports,
        flags,
    })
}

/// `NGS-LOD` when the recipient is not shown present — the presence test is
/// negative or impossible, and the estimate is not above the limit of blank
/// (CLSI EP17: a result above the LoB is "detected") — and the sample's
/// recipient LoD is above `target`.
fn lod_flag(
    recipient: &PersonEstimate,
    detected: Option<bool>,
    target: Option<f64>,
) -> Option<QcFlag> {
    let target = target?;
    let limits = recipient.detection?;
    let lod = limits.lod;
    let estimate = recipient.fraction?;
    if detected == Some(true) || estimate > limits.lob || lod <= target {
        return None;
    }
    let test = match detected {
        Some(_) => "presence test negative",
        None => "presence not testable",
    };
    Some(QcFlag {
        code: QcCode::LodAboveTarget,
        text: format!(
            "recipient not shown present ({test}; estimate {:.3}% not above the LoB {:.3}%), and this sample's recipient LoD is {:.3}% (above the {:.3}% target): recipient DNA below {:.3}% cannot be excluded; more markers where every donor is homozygous for an allele the recipient lacks, or more depth, lower it",
            estimate * 100.0,
            limits.lob * 100.0,
            lod * 100.0,
            target * 100.0,
            lod * 100.0
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngs::lod::DetectionLimit;

    fn recipient(lod: f64) -> PersonEstimate {
        PersonEstimate {
            name: "R".into(),
            role: Role::Recipient,
            fraction: Some(0.0),
            ci: None,
            detection: Some(DetectionLimit {
                lob: lod / 2.0,
                lod,
            }),
        }
    }

    #[test]
    fn lod_flag_only_for_negative_results_above_the_target() {
        let t = Some(0.001);
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
        // Detected: the LoD does not limit the result.
        assert!(lod_flag(&recipient(0.002), Some(true), t).is_none());
        // Untestable presence, but the estimate is above the LoB (here
        // 0.025): detected, not a negative result; at the LoB it still is one.
        let mut r = recipient(0.05);
        r.fraction = Some(0.025_01);
        assert!(lod_flag(&r, None, t).is_none());
        r.fraction = Some(0.025);
        assert!(lod_flag(&r, None, t).is_some());
        // Check turned off.
        assert!(lod_flag(&recipient(0.002), Some(false), None).is_none());
    }
}

//! The joint estimate for recipient + N donors: every peak, less the
//! stutter its observed neighbours put there (ratios measured on the pure
//! profiles), modelled as c_l·Σ_k f_k·t_k(allele), where t_k is person k's
//! dosage/2 normalised per locus by everything the person emits (alleles and
//! stutter) and c_l a locus scale; f is fitted by weighted least squares on
//! the simplex over all informative loci jointly. Per-locus fits
//! give SD/CV and the outlier rule; a bootstrap over loci gives the interval.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use graftwatch_core::{Fraction, Lineage, Percent, SeededRng};

use super::allele::Allele;
use super::classical::classical_locus;
use super::config::StrConfig;
use super::fit::{
    LocusFit, PeakNoise, Row, fit_censored, fit_weighted, profiled_normal_equations, quantile,
};
use super::genotype::passes_analytical_threshold;
use super::locus::Locus;
use super::profile::StrProfile;
use super::qc::{StrFlag, StrFlagCode};
use super::references::{StrReferences, median};
use super::result::{Interval, LocusReport, LocusStatus, PeakClass, PeakReport, StrSampleResult};
use super::sample_qc::{clean_sample, low_template, template_level};
use super::simplex::simplex_least_squares_from;

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

impl StrReferences {
    /// Estimates every person's share in a post-transplant sample.
    // Long function: the STR pipeline for one sample (QC, refusal, fit, calls, intervals) sharing many locals; its parts already live in references/fit/calls/sample_qc/purity. Issue 10 leaves the split of the rest to the STR estimator rewrite of issue 13, which replaces this function.
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
        let k = self.persons.len();
        let mut flags = self.flags.clone();
        flags.extend(cleaned.flags.iter().cloned());
        let template = low_template(&template_level(sample, &self.informativeness, cfg), cfg);
        let mut reports: Vec<LocusReport> = Vec::new();
        let mut fits: Vec<LocusFit> = Vec::new();
        let mut no_match: Vec<String> = Vec::new();
        let mut considered = 0usize;
        let (mut unexplained_all, mut total_all) = (0.0_f64, 0.0_f64);

        for l in sample.loci.keys() {
            if !self.informativeness.iter().any(|i| i.locus == *l) {
                flags.push(StrFlag::new(
                    StrFlagCode::MissingLocus,
                    format!(
                        "{l} typed in sample '{}' but not in every reference; ignored",
                        sample.sample
                    ),
                ));
            }
        }

        for li in &self.informativeness {
            let locus = li.locus;
            let st = self.stutter[&locus];
            let genotypes: Vec<String> = li.persons.iter().map(|p| p.genotype.clone()).collect();
            let mut report = LocusReport {
                locus,
                status: LocusStatus::Used,
                genotypes,
                per_person_percent: vec![None; k],
                classical_pattern: None,
                classical_donor_percent: None,
                residual_ss: None,
                back_stutter_ratio: st.back,
                peaks: Vec::new(),
            };
            let ref_alleles: Vec<&Allele> = self
                .persons
                .iter()
                .flat_map(|p| p.loci[&locus].alleles.iter().map(|c| &c.allele))
                .collect();
            let peaks: Vec<(&Allele, f64, f64)> = sample
                .peaks(locus)
                .iter()
                .filter(|p| passes_analytical_threshold(p, cfg))
                .filter_map(|p| {
                    p.signal(cfg.measure)
                        .map(|s| (&p.allele, s, p.height.unwrap_or(s)))
                })
                .collect();
            let sig = |a: &Allele| {
                peaks
                    .iter()
                    .filter(|(x, _, _)| *x == a)
                    .map(|(_, s, _)| *s)
                    .sum::<f64>()
            };
            // Positions of the model: every reference allele, plus modelled
            // stutter positions where the sample has a peak (a stutter below
            // the analytical threshold is not observed, so it is left out of
            // both the data and, through per-person renormalisation, the model).
            let mut positions: Vec<Allele> = Vec::new();
            for a in &ref_alleles {
                if !positions.contains(a) {
                    positions.push((*a).clone());
                }
            }
            for a in &ref_alleles {
                let cands = [
                    if st.back > 0.0 { a.minus(1) } else { None },
                    if st.forward > 0.0 { a.plus_one() } else { None },
                    if st.double_back > 0.0 {
                        a.minus(2)
                    } else {
                        None
                    },
                ];
                for c in cands.into_iter().flatten() {
                    // Only a peak small enough to be stutter of its neighbours is modelled as stutter.
                    let parents: f64 = ref_alleles
                        .iter()
                        .filter(|r| is_stutter_position(r, &c))
                        .map(|r| sig(r))
                        .sum();
                    let s_c = sig(&c);
                    if !positions.contains(&c)
                        && s_c > 0.0
                        && s_c <= cfg.stutter_max_ratio * parents
                    {
                        positions.push(c);
                    }
                }
            }
            positions.sort();
            // Per-person templates normalised over everything the person
            // emits (alleles and all their stutter), not only over the
            // modelled positions: a minor person's stutter below the
            // threshold is missing from the data while a major person's is
            // there, and renormalising each person over the visible
            // positions would understate the minor one. The locus scale of
            // the weighted fit absorbs the invisible part.
            let norms: Vec<f64> = (0..k).map(|j| self.emitted_total(j, locus)).collect();
            let template = |j: usize, a: &Allele| {
                if norms[j] > 0.0 {
                    self.raw_template(j, locus, a) / norms[j]
                } else {
                    0.0
                }
            };
            let total: f64 = positions.iter().map(sig).sum();
            let total_h: f64 = positions
                .iter()
                .map(|a| {
                    peaks
                        .iter()
                        .filter(|(x, _, _)| *x == a)
                        .map(|(_, _, h)| *h)
                        .sum::<f64>()
                })
                .sum();
            let mut unexplained = 0.0;
            let mut unexplained_alleles = Vec::new();
            for (a, s, _) in &peaks {
                let class = if positions.contains(a) {
                    if ref_alleles.contains(a) {
                        PeakClass::Allele
                    } else {
                        PeakClass::Stutter
                    }
                } else {
                    let stutter_of = ref_alleles
                        .iter()
                        .any(|r| is_stutter_position(r, a) && *s <= cfg.stutter_max_ratio * sig(r));
                    if stutter_of {
                        PeakClass::Stutter
                    } else {
                        PeakClass::Unexplained
                    }
                };
                if class == PeakClass::Unexplained {
                    unexplained += s;
                    unexplained_alleles.push(format!("{a}"));
                }
                report.peaks.push(PeakReport {
                    allele: (*a).clone(),
                    signal: *s,
                    class,
                    fitted_by_person: Vec::new(),
                });
            }
            if locus.is_sex_marker() && !cfg.include_amelogenin {
                report.status = LocusStatus::ExcludedSexMarker;
                reports.push(report);
                continue;
            }
            if cleaned.saturated.contains(&locus) {
                report.status = LocusStatus::ExcludedSaturated;
                reports.push(report);
                continue;
            }
            if peaks.is_empty() || total <= 0.0 {
                if total <= 0.0 && unexplained > 0.0 {
                    considered += 1;
                    unexplained_all += unexplained;
                    total_all += unexplained;
                    no_match.push(format!("{locus} ({})", unexplained_alleles.join(", ")));
                }
                flags.push(StrFlag::new(
                    StrFlagCode::MissingLocus,
                    format!(
                        "{locus}: no peak at any reference allele in sample '{}'",
                        sample.sample
                    ),
                ));
                report.status = LocusStatus::MissingInSample;
                reports.push(report);
                continue;
            }
            considered += 1;
            unexplained_all += unexplained;
            total_all += unexplained + total;
            if unexplained > 0.0 {
                let frac = unexplained / (unexplained + total);
                flags.push(StrFlag::new(
                    StrFlagCode::UnexplainedAllele,
                    format!("{locus}: peak(s) {} ({:.1}% of the locus signal) belong to no declared person: possible third person, contamination or artefact", unexplained_alleles.join(", "), 100.0 * frac),
                ));
                if frac > 0.5 {
                    no_match.push(format!("{locus} ({})", unexplained_alleles.join(", ")));
                }
            }
            if !li.informative() {
                report.status = LocusStatus::NotInformative;
                reports.push(report);
                continue;
            }
            if li.has_stutter_position() {
                let who: Vec<String> = li
                    .persons
                    .iter()
                    .filter(|p| !p.in_back_stutter_position.is_empty())
                    .map(|p| {
                        format!(
                            "{} allele {}",
                            p.person,
                            p.in_back_stutter_position
                                .iter()
                                .map(|a| a.to_string())
                                .collect::<Vec<_>>()
                                .join("/")
                        )
                    })
                    .collect();
                let action = if !cfg.model_stutter {
                    "locus excluded (stutter modelling off)".to_string()
                } else {
                    format!(
                        "back-stutter ratio {:.3} {}",
                        st.back,
                        st.source.describe(&cfg.kit.name)
                    )
                };
                flags.push(StrFlag::new(
                    StrFlagCode::StutterPosition,
                    format!(
                        "{locus}: {} in another person's back-stutter position; {action}",
                        who.join(", ")
                    ),
                ));
                if !cfg.model_stutter {
                    report.status = LocusStatus::ExcludedStutterPosition;
                    reports.push(report);
                    continue;
                }
            }
            // Design rows. A reference-allele position with no sample peak is
            // left-censored: its true share lies below the analytical
            // threshold (bound = threshold / locus height), its allelic part
            // below that less the expected stutter.
            let bound = if total_h > 0.0 {
                cfg.analytical_threshold_rfu / total_h
            } else {
                0.0
            };
            let stutter_part = |j: usize, a: &Allele| {
                if norms[j] > 0.0 {
                    self.raw_template_parts(j, locus, a).1 / norms[j]
                } else {
                    0.0
                }
            };
            let stutter_seen = observed_stutter(&positions, &ref_alleles, &sig, &st);
            let lens: Vec<Option<f64>> = positions.iter().map(|a| a.length_bp(locus)).collect();
            let known: Vec<f64> = lens.iter().flatten().copied().collect();
            let mean_len = known.iter().sum::<f64>() / known.len().max(1) as f64;
            let rows: Vec<Row> = positions
                .iter()
                .zip(&lens)
                .zip(&stutter_seen)
                .map(|((a, len), seen)| {
                    let gs: Vec<f64> = (0..k).map(|j| stutter_part(j, a)).collect();
                    let g: Vec<f64> = (0..k).map(|j| template(j, a) - gs[j]).collect();
                    Row {
                        allele: (*a).clone(),
                        g0: g.clone(),
                        gs0: gs.clone(),
                        g,
                        gs,
                        y: (sig(a) - seen) / total,
                        stutter: seen / total,
                        // No peak: allelic part + stutter < threshold, so the
                        // allelic part lies below the bound less the stutter
                        // expected there (a person absent at a position where
                        // another's stutter alone should have shown is seen
                        // as absent, not merely below the threshold).
                        censored_below: if sig(a) > 0.0 {
                            None
                        } else {
                            Some((bound - seen / total).max(0.0))
                        },
                        w: 1.0,
                        len: len.map_or(0.0, |l| l - mean_len),
                    }
                })
                .collect();
            let mut q = vec![vec![0.0; k]; k];
            for row in &rows {
                for i in 0..k {
                    for j in 0..k {
                        q[i][j] += row.g[i] * row.g[j];
                    }
                }
            }
            let this = LocusFit {
                index: reports.len(),
                q,
                rows,
                total,
                noise_share: if total_h > 0.0 {
                    cfg.peak_noise_rfu / total_h
                } else {
                    0.0
                },
                scale: 1.0,
                size_bp: measured_offset(sample, locus).map(|o| o + mean_len),
                det: Vec::new(),
            };
            let local = fit_censored(&[&this], k, None);
            for (i, p) in li.persons.iter().enumerate() {
                if p.informative() {
                    report.per_person_percent[i] = Percent::clamp(100.0 * local[i]);
                }
            }
            if k == 2 {
                let c = classical_locus(
                    &self.persons[0].loci[&locus],
                    &self.persons[1].loci[&locus],
                    sig,
                );
                report.classical_pattern = Some(c.pattern);
                report.classical_donor_percent = c.donor_fraction.map(Fraction::percent);
            }
            // Detection opportunities.
            let det: Vec<Option<super::calls::LocusDetection>> = li
                .persons
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let clean = p.clean_unique();
                    if clean.is_empty() || total_h <= 0.0 {
                        return None;
                    }
                    // A peak in another allele's n−2 position counts only above twice
                    // the double back-stutter that allele is expected to make.
                    let n2 = |a: &Allele| {
                        st.double_back
                            * ref_alleles
                                .iter()
                                .filter(|r| r.minus(2).as_ref() == Some(a))
                                .map(|r| sig(r))
                                .sum::<f64>()
                    };
                    let height = |a: &Allele| {
                        peaks
                            .iter()
                            .filter(|(x, _, _)| *x == a)
                            .map(|(_, _, h)| *h)
                            .fold(0.0_f64, f64::max)
                    };
                    let seen_rfu = clean
                        .iter()
                        .filter(|a| sig(a) > 0.0 && sig(a) > 2.0 * n2(a))
                        .map(|a| height(a))
                        .reduce(f64::max);
                    let best = clean.iter().map(|a| template(i, a)).fold(0.0_f64, f64::max);
                    let share_per_rfu = if best > 0.0 {
                        1.0 / (total_h * best)
                    } else {
                        f64::INFINITY
                    };
                    Some(super::calls::LocusDetection {
                        seen_rfu,
                        share_per_rfu,
                    })
                })
                .collect();
            fits.push(LocusFit { det, ..this });
            reports.push(report);
        }

        if considered > 0
            && total_all > 0.0
            && unexplained_all / total_all > cfg.no_match_fraction.get()
        {
            return Err(StrError::SampleMatchesNoReference {
                sample: sample.sample.clone(),
                // A part of a positive total: in [0, 1].
                unexplained_fraction: Fraction::clamp(unexplained_all / total_all)
                    .unwrap_or(Fraction::ONE),
                loci: no_match,
            });
        }
        // Low template (flagged, not refused): the outlier rule below does
        // not exclude loci.
        let low_template_flagged = matches!(template, Ok(Some(_)));
        match template {
            Err(reason) => {
                return Err(StrError::LowTemplate {
                    sample: sample.sample.clone(),
                    reason,
                });
            }
            Ok(Some(f)) => flags.push(f),
            Ok(None) => {}
        }
        if fits.is_empty() {
            let typed: Vec<String> = sample.loci.keys().map(|l| l.to_string()).collect();
            let informative: Vec<String> = self
                .informativeness
                .iter()
                .filter(|i| i.informative())
                .map(|i| i.locus.to_string())
                .collect();
            return Err(StrError::InsufficientData {
                sample: sample.sample.clone(),
                missing: vec![format!(
                    "no informative locus with peaks in the sample (sample typed at: {}; informative in the references: {})",
                    if typed.is_empty() {
                        "none".into()
                    } else {
                        typed.join(", ")
                    },
                    if informative.is_empty() {
                        "none".into()
                    } else {
                        informative.join(", ")
                    }
                )],
            });
        }

        // Outlier rule on per-locus estimates: candidates with how far
        // beyond their threshold they are, then at most a fifth of the
        // loci, the furthest first.
        let mut candidates: Vec<(usize, f64, StrFlag)> = Vec::new();
        for i in 0..k {
            let est: Vec<(usize, f64)> = fits
                .iter()
                .enumerate()
                .filter_map(|(fi, f)| reports[f.index].per_person_percent[i].map(|e| (fi, e.get())))
                .collect();
            if est.len() < cfg.outlier_min_loci {
                continue;
            }
            let mut v: Vec<f64> = est.iter().map(|x| x.1).collect();
            let med = median(&mut v).unwrap_or(0.0);
            let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
            let mad = median(&mut dev).unwrap_or(0.0);
            let thr = (cfg.outlier_mad_factor * 1.4826 * mad).max(cfg.outlier_floor_points);
            for (fi, e) in est {
                if (e - med).abs() > thr && !candidates.iter().any(|c| c.0 == fi) {
                    let flag = StrFlag::new(
                        StrFlagCode::OutlierLocus,
                        format!(
                            "{}: {} {:.1}% vs median {:.1}% over loci (threshold ±{:.1} points); locus excluded",
                            reports[fits[fi].index].locus, self.persons[i].person, e, med, thr
                        ),
                    );
                    candidates.push((fi, (e - med).abs() / thr, flag));
                }
            }
        }
        // Below the stochastic threshold a locus's estimate scatters by
        // template sampling alone (a minor person's few copies give it 0 %
        // at one locus and twice its share at the next), far beyond the
        // 10-point floor of the rule, and excluding the loci furthest from
        // the median then discards data, not artefacts (on the PROVEDIt
        // mixtures it excluded 1–3 loci in 14 of the 29 low-template ones and
        // the MAE over all 38 estimated was 4.61 points with it, 4.17
        // without). Those loci are named and kept.
        let outliers = if low_template_flagged {
            if !candidates.is_empty() {
                let mut named: Vec<(usize, String)> = candidates
                    .iter()
                    .map(|c| (c.0, reports[fits[c.0].index].locus.to_string()))
                    .collect();
                named.sort();
                named.dedup();
                flags.push(StrFlag::new(
                    StrFlagCode::OutlierLocus,
                    format!(
                        "{} off the median over loci beyond the outlier rule, kept: in a low-template sample per-locus estimates scatter by template sampling, so the rule does not exclude loci",
                        named.into_iter().map(|n| n.1).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            Vec::new()
        } else {
            cap_outliers(candidates, fits.len(), &mut flags)
        };
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
        let (est, _degradation_slope) = fit_weighted(
            &mut used,
            k,
            PeakNoise {
                allele_cv: cfg.allele_cv,
                stutter_cv: cfg.stutter_cv,
                degradation: cfg.fit_degradation,
                // Template sampling matters below the stochastic threshold.
                dispersion: cfg.fit_dispersion && low_template_flagged,
            },
        );
        let used: Vec<&LocusFit> = used.iter().collect();

        // Bootstrap over loci.
        let n = used.len();
        let (ci, ci_method) = if n >= 2 && cfg.bootstrap_replicates > 0 {
            let mut rng = SeededRng::new(cfg.bootstrap_seed);
            let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(cfg.bootstrap_replicates); k];
            let normal: Vec<(Vec<Vec<f64>>, Vec<f64>)> = used
                .iter()
                .map(|f| profiled_normal_equations(f, &est, k))
                .collect();
            for _ in 0..cfg.bootstrap_replicates {
                let mut q = vec![vec![0.0; k]; k];
                let mut r = vec![0.0; k];
                for _ in 0..n {
                    let (lq, lr) = &normal[rng.index(n)];
                    for i in 0..k {
                        r[i] += lr[i];
                        for j in 0..k {
                            q[i][j] += lq[i][j];
                        }
                    }
                }
                let e = simplex_least_squares_from(&q, &r, Some(&est));
                for i in 0..k {
                    reps[i].push(100.0 * e[i]);
                }
            }
            let a = (1.0 - cfg.confidence) / 2.0;
            let n_eff: Vec<usize> = (0..k).map(|i| effective_loci(&used, k, i)).collect();
            let widens: Vec<f64> = n_eff
                .iter()
                .map(|n| small_sample_factor(*n, cfg.confidence))
                .collect();
            let ci: Vec<Option<Interval>> = reps
                .iter_mut()
                .enumerate()
                .map(|(i, v)| {
                    v.sort_by(f64::total_cmp);
                    let widen = widens[i];
                    let e = 100.0 * est[i];
                    let (lo, hi) = (quantile(v, a).min(e), quantile(v, 1.0 - a).max(e));
                    // Bounded to 0–100 here; `None` only for a non-finite end.
                    Some(Interval {
                        low: Percent::clamp(e - widen * (e - lo))?,
                        high: Percent::clamp(e + widen * (hi - e))?,
                    })
                })
                .collect();
            (
                ci,
                format!(
                    "{:.0}% percentile bootstrap over the {n} loci in the fit, widened per person for its effective loci ({}; t/z · √(n/(n−1))) ({} replicates, seed {})",
                    100.0 * cfg.confidence,
                    widening_text(self, &n_eff, &widens),
                    cfg.bootstrap_replicates,
                    cfg.bootstrap_seed
                ),
            )
        } else {
            (
                vec![None; k],
                format!("no interval: {n} locus in the fit (at least 2 needed)"),
            )
        };

        // Residuals and fitted peaks.
        for f in &used {
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

        let (persons, dominant_donor) =
            super::calls::person_estimates(self, &used, &reports, &est, &ci, &mut flags);
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
        let loci_used = used.iter().map(|f| reports[f.index].locus).collect();
        Ok(StrSampleResult {
            sample: sample.sample.clone(),
            lineage,
            measure: cfg.measure,
            persons,
            donor_total_percent,
            dominant_donor,
            loci_used,
            outlier_loci,
            classical_donor_percent,
            loci: reports,
            flags,
            ci_method,
        })
    }
}

/// The measured fragment size of the locus's repeat 0 in this sample (bp):
/// the mean over its peaks of the exported size minus the allele's repeat
/// length, so that offset + length is a fragment size on the run's own
/// size standard. `None` when no peak has an exported size (the
/// between-locus degradation term then leaves the locus out).
fn measured_offset(sample: &StrProfile, locus: Locus) -> Option<f64> {
    let offsets: Vec<f64> = sample
        .peaks(locus)
        .iter()
        .filter_map(|p| Some(p.size? - p.allele.length_bp(locus)?))
        .collect();
    (!offsets.is_empty()).then(|| offsets.iter().sum::<f64>() / offsets.len() as f64)
}

/// Stutter at each position expected from the parent peaks as observed in
/// this sample (signal units): Σ over the reference alleles of ratio ×
/// the parent's allelic signal, the allelic signal being the parent's peak
/// minus the stutter it receives from its neighbours (a short fixed point;
/// ratios are ≤ 0.2). A stutter peak is its parent's amplified copy times a
/// ratio, so it repeats the parent's amplification noise: predicted from the
/// template instead, a minor allele in a major allele's stutter position
/// inherited the major allele's noise.
fn observed_stutter(
    positions: &[Allele],
    ref_alleles: &[&Allele],
    sig: &dyn Fn(&Allele) -> f64,
    st: &super::references::StutterRatios,
) -> Vec<f64> {
    let mut parents: Vec<&Allele> = Vec::new();
    for a in ref_alleles {
        if !parents.contains(a) && matches!(a, Allele::Repeat { .. }) {
            parents.push(a);
        }
    }
    let ratio = |parent: &Allele, pos: &Allele| {
        let mut r = 0.0;
        if parent.minus(1).as_ref() == Some(pos) {
            r += st.back;
        }
        if parent.minus(2).as_ref() == Some(pos) {
            r += st.double_back;
        }
        if parent.plus_one().as_ref() == Some(pos) {
            r += st.forward;
        }
        r
    };
    let into = |pos: &Allele, allelic: &[f64]| -> f64 {
        parents
            .iter()
            .zip(allelic)
            .map(|(p, s)| ratio(p, pos) * s)
            .sum()
    };
    let mut allelic: Vec<f64> = parents.iter().map(|p| sig(p)).collect();
    for _ in 0..STUTTER_ROUNDS {
        allelic = parents
            .iter()
            .map(|p| (sig(p) - into(p, &allelic)).max(0.0))
            .collect();
    }
    positions.iter().map(|a| into(a, &allelic)).collect()
}

/// Rounds of the fixed point of [`observed_stutter`] (each round multiplies
/// the error by a stutter ratio, ≤ 0.2).
const STUTTER_ROUNDS: usize = 6;

/// True when `pos` is a stutter position (n−1, n+1 or n−2) of `parent`.
fn is_stutter_position(parent: &Allele, pos: &Allele) -> bool {
    parent.minus(1).as_ref() == Some(pos)
        || parent.plus_one().as_ref() == Some(pos)
        || parent.minus(2).as_ref() == Some(pos)
}

/// "recipient ×1.35 (7 loci), UCB-1 ×1.16 (13 loci), …" for the method text.
fn widening_text(refs: &StrReferences, n_eff: &[usize], widens: &[f64]) -> String {
    refs.persons
        .iter()
        .zip(n_eff.iter().zip(widens))
        .map(|(p, (n, w))| format!("{} ×{w:.2} ({n} loci)", p.person))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Effective number of loci of the weighted fit for person `person` (Kish):
/// (Σ_l I_l)² / Σ_l I_l² with I_l the information of locus l about that
/// person's share (Σ over its positions of weight × scale² × the squared
/// difference between the person's template and the mean template there;
/// a shared allele carries none). With equal weights it is the number of
/// loci; when a few loci carry most of the information about the person
/// (a minor donor seen at few loci) it is smaller, and so are the degrees
/// of freedom of that person's interval.
fn effective_loci(used: &[&LocusFit], k: usize, person: usize) -> usize {
    let info: Vec<f64> = used
        .iter()
        .map(|f| {
            f.rows
                .iter()
                .map(|r| {
                    let mean = r.g.iter().sum::<f64>() / k as f64;
                    r.w * f.scale * f.scale * (r.g[person] - mean).powi(2)
                })
                .sum::<f64>()
        })
        .collect();
    let (s, s2) = info
        .iter()
        .fold((0.0, 0.0), |(s, s2), x| (s + x, s2 + x * x));
    if s2 > 0.0 {
        ((s * s / s2).round() as usize).clamp(2, used.len().max(2))
    } else {
        used.len()
    }
}

/// Small-sample widening of the bootstrap interval over `n` loci: the
/// percentile bootstrap is too narrow with few resampling units (it uses
/// the plug-in variance, biased by (n−1)/n, and normal rather than Student
/// quantiles). Factor = t(ν = n−1) / z × √(n/(n−1)).
pub fn small_sample_factor(n: usize, confidence: f64) -> f64 {
    if n < 2 {
        return 1.0;
    }
    let nu = (n - 1) as f64;
    let z = normal_quantile(0.5 + confidence / 2.0);
    // Cornish–Fisher expansion of Student's t quantile (Abramowitz & Stegun 26.7.5).
    let t = z
        + (z.powi(3) + z) / (4.0 * nu)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * nu * nu)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * nu.powi(3));
    t / z * (n as f64 / nu).sqrt()
}

/// Standard normal quantile (Abramowitz & Stegun 26.2.23, |error| < 4.5e-4).
fn normal_quantile(p: f64) -> f64 {
    let (q, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    let t = (-2.0 * q.ln()).sqrt();
    let x = t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t)
            / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t.powi(3));
    sign * x
}

/// Largest share of a sample's loci the outlier rule may exclude. A real
/// many-person, low-template mixture can put several loci beyond the rule
/// for a minor person whose per-locus median is 0; excluding them all
/// removed that person's only evidence (PROVEDIt five-person mixture: 6 of
/// 15 loci excluded, a 22 % contributor read 0 %). As for the NGS markers,
/// at most a fifth go, the furthest beyond their threshold first.
const MAX_OUTLIER_SHARE: f64 = 0.2;

/// The loci the outlier rule excludes from `candidates` (locus index, how
/// many thresholds beyond the median, flag): the furthest first, at most
/// [`MAX_OUTLIER_SHARE`] of `n_loci` but one at least (and never all); the flags of those
/// kept go to `flags`, and one flag names the ones left in when the cap
/// applies.
fn cap_outliers(
    mut candidates: Vec<(usize, f64, StrFlag)>,
    n_loci: usize,
    flags: &mut Vec<StrFlag>,
) -> Vec<usize> {
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
    let cap = ((n_loci as f64 * MAX_OUTLIER_SHARE).floor() as usize)
        .max(1)
        .min(n_loci.saturating_sub(1));
    let kept = candidates.split_off(cap.min(candidates.len()));
    let out = candidates.iter().map(|c| c.0).collect();
    flags.extend(candidates.into_iter().map(|c| c.2));
    if !kept.is_empty() {
        flags.push(StrFlag::new(
            StrFlagCode::OutlierLocus,
            format!(
                "{} more locus/loci beyond the outlier rule kept: at most {} of the {n_loci} loci are excluded (a fifth); many loci off the median means the mixture fits poorly, not that those loci are wrong",
                kept.len(),
                cap
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_stutter_uses_the_parents_allelic_signal() {
        let l = Locus::D8s1179;
        let a = |t: &str| Allele::parse(t, l).expect("allele");
        let (a11, a12, a13) = (a("11"), a("12"), a("13"));
        let st = super::super::references::StutterRatios {
            back: 0.1,
            forward: 0.0,
            double_back: 0.0,
            back_observations: 4,
            forward_observations: 0,
            source: super::super::references::StutterSource::References,
        };
        let sig = |x: &Allele| match x.to_string().as_str() {
            "12" => 1000.0,
            "13" => 2000.0,
            _ => 0.0,
        };
        let s = observed_stutter(
            &[a11.clone(), a12.clone(), a13.clone()],
            &[&a12, &a13],
            &sig,
            &st,
        );
        // 12 receives 0.1 × 2000 from 13; its own allelic part is 800,
        // which puts 80 at 11.
        assert!((s[0] - 80.0).abs() < 1e-6, "{s:?}");
        assert!((s[1] - 200.0).abs() < 1e-6);
        assert!(s[2].abs() < 1e-12);
    }

    #[test]
    fn widening_factor_matches_student_t() {
        // t(0.975, 9) = 2.262, z = 1.960: 2.262/1.960 × √(10/9) = 1.2166.
        assert!((small_sample_factor(10, 0.95) - 1.2166).abs() < 0.01);
        // Large n: → 1.
        assert!((small_sample_factor(1000, 0.95) - 1.0).abs() < 0.01);
        assert!((normal_quantile(0.975) - 1.95996).abs() < 1e-3);
    }
}

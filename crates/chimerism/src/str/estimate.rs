//! The joint estimate for recipient + N donors: every peak modelled as
//! Σ_k f_k·t_k(allele), where t_k is person k's dosage/2 spread over the
//! allele and its back-/forward-stutter positions with the stutter ratios
//! measured on the pure profiles, normalised per locus; f is fitted by least
//! squares on the simplex over all informative loci jointly. Per-locus fits
//! give SD/CV and the outlier rule; a bootstrap over loci gives the interval.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use std::collections::BTreeMap;

use graftwatch_core::{DonorId, Lineage, PersonRef};
use serde::Serialize;

use super::allele::Allele;
use super::classical::classical_locus;
use super::config::StrConfig;
use super::genotype::{ReferenceGenotype, call_reference, passes_analytical_threshold};
use super::informativeness::{LocusInformativeness, distinguishing_loci, informativeness};
use super::locus::Locus;
use super::profile::StrProfile;
use super::qc::{StrFlag, StrFlagCode};
use super::result::{
    Detection, Interval, LocusReport, LocusStatus, PeakClass, PeakReport, PersonEstimate,
    StrSampleResult,
};
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
    #[error("sample '{sample}' matches none of the declared people: {:.0}% of its signal is on alleles no reference carries (loci mostly unexplained: {})", 100.0 * *unexplained_fraction, loci.join(", "))]
    SampleMatchesNoReference {
        /// The sample.
        sample: String,
        /// Share of the signal on unexplained peaks.
        unexplained_fraction: f64,
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
    InvalidConfig(String),
}

/// Checks that every peak of `profile` carries the configured measure.
fn check_measure(profile: &StrProfile, cfg: &StrConfig) -> Result<(), StrError> {
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

/// Stutter ratios used at one locus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StutterRatios {
    /// Back-stutter (n−1) / parent, median of the reference observations (0 when none).
    pub back: f64,
    /// Forward-stutter (n+1) / parent, pooled over all loci.
    pub forward: f64,
    /// Number of back-stutter observations in the references.
    pub back_observations: usize,
    /// Number of forward-stutter observations (all loci).
    pub forward_observations: usize,
}

/// Reference genotypes of the recipient and the donors, with everything that
/// depends only on them (informativeness, stutter ratios, identifiability).
#[derive(Debug, Clone, Serialize)]
pub struct StrReferences {
    /// Recipient first, then donors in declaration order.
    pub persons: Vec<ReferenceGenotype>,
    /// Stutter ratios per locus (from the pure profiles).
    pub stutter: BTreeMap<Locus, StutterRatios>,
    /// Informativeness per locus typed in every reference.
    pub informativeness: Vec<LocusInformativeness>,
    /// Number of distinguishing loci per donor pair.
    pub donor_pairs: Vec<(PersonRef, PersonRef, usize)>,
    /// Reference-level flags.
    pub flags: Vec<StrFlag>,
    /// Settings used.
    pub config: StrConfig,
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

impl StrReferences {
    /// Calls the recipient's and each donor's genotypes from their pure
    /// profiles and prepares the per-locus model.
    pub fn new(
        recipient: &StrProfile,
        donors: &[(DonorId, &StrProfile)],
        config: StrConfig,
    ) -> Result<StrReferences, StrError> {
        config.validate().map_err(StrError::InvalidConfig)?;
        if donors.is_empty() {
            return Err(StrError::NoDonor);
        }
        let mut names: Vec<String> = vec!["recipient".into()];
        for (d, _) in donors {
            let n = d.0.trim().to_ascii_lowercase();
            if n.is_empty() || names.contains(&n) {
                return Err(StrError::DuplicatePerson(d.0.clone()));
            }
            names.push(n);
        }
        check_measure(recipient, &config)?;
        for (_, p) in donors {
            check_measure(p, &config)?;
        }
        let mut persons = vec![call_reference(PersonRef::Recipient, recipient, &config)];
        for (d, p) in donors {
            persons.push(call_reference(PersonRef::Donor(d.clone()), p, &config));
        }
        for p in &persons {
            if p.loci.is_empty() {
                return Err(StrError::EmptyReference {
                    person: p.person.to_string(),
                    sample: p.sample.clone(),
                });
            }
        }
        let mut flags: Vec<StrFlag> = persons.iter().flat_map(|p| p.flags.clone()).collect();
        let all_loci: std::collections::BTreeSet<Locus> = persons
            .iter()
            .flat_map(|p| p.loci.keys().copied())
            .collect();
        for l in &all_loci {
            let missing: Vec<String> = persons
                .iter()
                .filter(|p| !p.loci.contains_key(l))
                .map(|p| format!("{} ({})", p.person, p.sample))
                .collect();
            if !missing.is_empty() {
                flags.push(StrFlag::new(
                    StrFlagCode::MissingLocus,
                    format!(
                        "{l} not typed in the reference of {}; locus not used",
                        missing.join(", ")
                    ),
                ));
            }
        }
        let info = informativeness(&persons);
        if info.is_empty() {
            return Err(StrError::NoCommonLoci {
                recipient: recipient.sample.clone(),
            });
        }
        // Back-stutter is locus-specific (median per locus); forward stutter is
        // small and similar across loci, so it is pooled over all loci (a
        // per-locus median of 2–4 mostly censored values is too noisy).
        let mut stutter = BTreeMap::new();
        let mut all_fwd: Vec<f64> = info
            .iter()
            .filter(|li| !li.locus.is_sex_marker())
            .flat_map(|li| {
                persons
                    .iter()
                    .flat_map(move |p| p.loci[&li.locus].forward_stutter.clone())
            })
            .collect();
        let n_fwd = all_fwd.len();
        let fwd = median(&mut all_fwd).unwrap_or(0.0);
        for li in &info {
            let mut back: Vec<f64> = persons
                .iter()
                .flat_map(|p| p.loci[&li.locus].back_stutter.clone())
                .collect();
            let on = config.model_stutter && !li.locus.is_sex_marker();
            stutter.insert(
                li.locus,
                StutterRatios {
                    back: if on {
                        median(&mut back).unwrap_or(0.0)
                    } else {
                        0.0
                    },
                    forward: if on { fwd } else { 0.0 },
                    back_observations: back.len(),
                    forward_observations: n_fwd,
                },
            );
        }
        let mut donor_pairs = Vec::new();
        for i in 1..persons.len() {
            for j in (i + 1)..persons.len() {
                let n = distinguishing_loci(&persons[i], &persons[j]);
                if n < config.min_distinguishing_loci {
                    flags.push(StrFlag::new(
                        StrFlagCode::DonorsIndistinguishable,
                        format!("donors {} and {} differ at only {n} typed loci (< {}): their split is not reliable", persons[i].person, persons[j].person, config.min_distinguishing_loci),
                    ));
                }
                donor_pairs.push((persons[i].person.clone(), persons[j].person.clone(), n));
            }
        }
        Ok(StrReferences {
            persons,
            stutter,
            informativeness: info,
            donor_pairs,
            flags,
            config,
        })
    }

    /// Unnormalised template of person `k` at `locus`: dosage/2 at each
    /// allele, × back-stutter ratio one repeat below, × forward ratio one above.
    fn raw_template(&self, k: usize, locus: Locus, pos: &Allele) -> f64 {
        let st = self.stutter[&locus];
        let g = &self.persons[k].loci[&locus];
        let mut t = 0.0;
        for c in &g.alleles {
            if &c.allele == pos {
                t += c.dosage / 2.0;
            }
            if matches!(c.allele, Allele::Repeat { .. }) {
                if c.allele.minus_one().as_ref() == Some(pos) {
                    t += c.dosage / 2.0 * st.back;
                }
                if c.allele.plus_one().as_ref() == Some(pos) {
                    t += c.dosage / 2.0 * st.forward;
                }
            }
        }
        t
    }

    /// Estimates every person's share in a post-transplant sample.
    pub fn estimate(
        &self,
        sample: &StrProfile,
        lineage: Lineage,
    ) -> Result<StrSampleResult, StrError> {
        let cfg = &self.config;
        check_measure(sample, cfg)?;
        let k = self.persons.len();
        let mut flags = self.flags.clone();
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
                    if st.back > 0.0 { a.minus_one() } else { None },
                    if st.forward > 0.0 { a.plus_one() } else { None },
                ];
                for c in cands.into_iter().flatten() {
                    // Only a peak small enough to be stutter of its neighbours is modelled as stutter.
                    let parents: f64 = ref_alleles
                        .iter()
                        .filter(|r| {
                            r.minus_one().as_ref() == Some(&c) || r.plus_one().as_ref() == Some(&c)
                        })
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
            // Per-person templates normalised over the modelled positions.
            let norms: Vec<f64> = (0..k)
                .map(|j| {
                    positions
                        .iter()
                        .map(|a| self.raw_template(j, locus, a))
                        .sum::<f64>()
                })
                .collect();
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
                    let stutter_of = ref_alleles.iter().any(|r| {
                        (r.minus_one().as_ref() == Some(*a) || r.plus_one().as_ref() == Some(*a))
                            && *s <= cfg.stutter_max_ratio * sig(r)
                    });
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
                } else if st.back > 0.0 {
                    format!(
                        "back-stutter ratio {:.3} from the pure profiles modelled",
                        st.back
                    )
                } else {
                    "no stutter seen in the pure profiles (stutter-filtered export?); not corrected"
                        .to_string()
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
            // threshold (bound = threshold / locus height).
            let bound = if total_h > 0.0 {
                cfg.analytical_threshold_rfu / total_h
            } else {
                0.0
            };
            let rows: Vec<Row> = positions
                .iter()
                .map(|a| {
                    let y = sig(a) / total;
                    Row {
                        allele: (*a).clone(),
                        g: (0..k).map(|j| template(j, a)).collect(),
                        y,
                        censored_below: if y > 0.0 { None } else { Some(bound) },
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
                det: Vec::new(),
            };
            let local = fit_censored(&[&this], k, None);
            for (i, p) in li.persons.iter().enumerate() {
                if p.informative() {
                    report.per_person_percent[i] = Some(100.0 * local[i]);
                }
            }
            if k == 2 {
                let c = classical_locus(
                    &self.persons[0].loci[&locus],
                    &self.persons[1].loci[&locus],
                    sig,
                );
                report.classical_pattern = Some(c.pattern);
                report.classical_donor_percent = c.donor_fraction.map(|f| 100.0 * f);
            }
            // Detection opportunities.
            let det: Vec<Option<(bool, f64)>> = li
                .persons
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let clean = p.clean_unique();
                    if clean.is_empty() || total_h <= 0.0 {
                        return None;
                    }
                    let seen = clean.iter().any(|a| sig(a) > 0.0);
                    let best = clean.iter().map(|a| template(i, a)).fold(0.0_f64, f64::max);
                    let lod = if best > 0.0 {
                        (cfg.analytical_threshold_rfu / (total_h * best)).min(1.0)
                    } else {
                        1.0
                    };
                    Some((seen, lod))
                })
                .collect();
            fits.push(LocusFit { det, ..this });
            reports.push(report);
        }

        if considered > 0 && total_all > 0.0 && unexplained_all / total_all > cfg.no_match_fraction
        {
            return Err(StrError::SampleMatchesNoReference {
                sample: sample.sample.clone(),
                unexplained_fraction: unexplained_all / total_all,
                loci: no_match,
            });
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

        // Outlier rule on per-locus estimates.
        let mut outliers: Vec<usize> = Vec::new();
        for i in 0..k {
            let est: Vec<(usize, f64)> = fits
                .iter()
                .enumerate()
                .filter_map(|(fi, f)| reports[f.index].per_person_percent[i].map(|e| (fi, e)))
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
                if (e - med).abs() > thr && !outliers.contains(&fi) {
                    outliers.push(fi);
                    flags.push(StrFlag::new(
                        StrFlagCode::OutlierLocus,
                        format!("{}: {} {:.1}% vs median {:.1}% over loci (threshold ±{:.1} points); locus excluded", reports[fits[fi].index].locus, self.persons[i].person, e, med, thr),
                    ));
                }
            }
        }
        // Never exclude everything.
        if outliers.len() >= fits.len() {
            outliers.clear();
        }
        let mut outlier_loci = Vec::new();
        for &fi in &outliers {
            reports[fits[fi].index].status = LocusStatus::ExcludedOutlier;
            outlier_loci.push(reports[fits[fi].index].locus);
        }
        let used: Vec<&LocusFit> = fits
            .iter()
            .enumerate()
            .filter(|(fi, _)| !outliers.contains(fi))
            .map(|(_, f)| f)
            .collect();
        let est = fit_censored(&used, k, None);

        // Bootstrap over loci.
        let n = used.len();
        let (ci, ci_method) = if n >= 2 && cfg.bootstrap_replicates > 0 {
            let mut rng = SplitMix64(cfg.bootstrap_seed);
            let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(cfg.bootstrap_replicates); k];
            for _ in 0..cfg.bootstrap_replicates {
                let pick: Vec<&LocusFit> = (0..n)
                    .map(|_| used[(rng.next() % n as u64) as usize])
                    .collect();
                let e = fit_censored(&pick, k, Some(&est));
                for i in 0..k {
                    reps[i].push(100.0 * e[i]);
                }
            }
            let a = (1.0 - cfg.confidence) / 2.0;
            let ci: Vec<Option<Interval>> = reps
                .iter_mut()
                .map(|v| {
                    v.sort_by(f64::total_cmp);
                    Some(Interval {
                        low: quantile(v, a),
                        high: quantile(v, 1.0 - a),
                    })
                })
                .collect();
            (
                ci,
                format!(
                    "{:.0}% percentile bootstrap over the {n} loci in the fit ({} replicates, seed {})",
                    100.0 * cfg.confidence,
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
                let m: f64 = (0..k).map(|i| est[i] * row.g[i]).sum();
                rss += (row.effective_y(m) - m).powi(2);
                if let Some(pk) = rep.peaks.iter_mut().find(|p| p.allele == row.allele) {
                    pk.fitted_by_person = (0..k).map(|i| est[i] * row.g[i] * f.total).collect();
                }
            }
            rep.residual_ss = Some(rss);
        }

        let mut persons = Vec::with_capacity(k);
        for i in 0..k {
            let person = self.persons[i].person.clone();
            let per: Vec<f64> = used
                .iter()
                .filter_map(|f| reports[f.index].per_person_percent[i])
                .collect();
            let informative_loci = per.len();
            let mean = if per.is_empty() {
                None
            } else {
                Some(per.iter().sum::<f64>() / per.len() as f64)
            };
            let sd = match (mean, per.len()) {
                (Some(m), n) if n >= 2 => Some(
                    (per.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt(),
                ),
                _ => None,
            };
            let cv = match (sd, mean) {
                (Some(s), Some(m)) if m > 0.0 => Some(s / m),
                _ => None,
            };
            if informative_loci < cfg.min_informative_loci {
                flags.push(StrFlag::new(
                    StrFlagCode::FewInformativeLoci,
                    format!(
                        "{person}: {informative_loci} informative loci in the fit (< {})",
                        cfg.min_informative_loci
                    ),
                ));
            }
            let dets: Vec<(bool, f64)> = used.iter().filter_map(|f| f.det[i]).collect();
            let assessable = dets.len();
            let seen = dets.iter().filter(|d| d.0).count();
            let need = cfg.min_loci_for_presence.min(assessable).max(1);
            let (detection, lod) = if assessable == 0 {
                (Detection::NotAssessable, None)
            } else {
                let mut l: Vec<f64> = dets.iter().map(|d| d.1).collect();
                l.sort_by(f64::total_cmp);
                let lod = 100.0 * l[need - 1];
                (
                    if seen >= need {
                        Detection::Present
                    } else {
                        Detection::NotDetected
                    },
                    Some(lod),
                )
            };
            persons.push(PersonEstimate {
                person,
                percent: 100.0 * est[i],
                ci: ci[i],
                per_locus_mean: mean,
                sd,
                cv,
                informative_loci,
                detection,
                detection_limit_percent: lod,
                loci_detected: seen,
                loci_assessable: assessable,
            });
        }
        let donor_total_percent = persons[1..].iter().map(|p| p.percent).sum();
        let dominant_donor = persons[1..]
            .iter()
            .max_by(|a, b| a.percent.total_cmp(&b.percent))
            .map(|p| p.person.clone());
        let classical: Vec<f64> = used
            .iter()
            .filter_map(|f| reports[f.index].classical_donor_percent)
            .collect();
        let classical_donor_percent = if k == 2 && !classical.is_empty() {
            Some(classical.iter().sum::<f64>() / classical.len() as f64)
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

/// One modelled position of a locus: templates, observed share, and the
/// censoring bound when the sample has no peak there.
struct Row {
    allele: Allele,
    g: Vec<f64>,
    y: f64,
    censored_below: Option<f64>,
}

impl Row {
    /// The observation used in the fit given the model value `m`: a censored
    /// position is imputed at min(m, bound) (it cannot be above the bound,
    /// and anything below it is consistent with seeing no peak).
    fn effective_y(&self, m: f64) -> f64 {
        match self.censored_below {
            Some(b) => m.clamp(0.0, b),
            None => self.y,
        }
    }
}

struct LocusFit {
    index: usize,
    q: Vec<Vec<f64>>,
    rows: Vec<Row>,
    total: f64,
    det: Vec<Option<(bool, f64)>>,
}

/// Least squares on the simplex over the given loci, with censored positions
/// imputed iteratively at min(fitted value, bound) (an EM-like fixed point;
/// Q does not depend on the imputation, only r does).
fn fit_censored(loci: &[&LocusFit], k: usize, start: Option<&[f64]>) -> Vec<f64> {
    let mut q = vec![vec![0.0; k]; k];
    for f in loci {
        for i in 0..k {
            for j in 0..k {
                q[i][j] += f.q[i][j];
            }
        }
    }
    let r_at = |est: Option<&[f64]>| {
        let mut r = vec![0.0; k];
        for f in loci {
            for row in &f.rows {
                let y = match est {
                    Some(e) => row.effective_y((0..k).map(|i| e[i] * row.g[i]).sum()),
                    None => row.y,
                };
                for i in 0..k {
                    r[i] += row.g[i] * y;
                }
            }
        }
        r
    };
    let mut est = simplex_least_squares_from(&q, &r_at(None), start);
    if !loci
        .iter()
        .any(|f| f.rows.iter().any(|r| r.censored_below.is_some()))
    {
        return est;
    }
    for _ in 0..50 {
        let next = simplex_least_squares_from(&q, &r_at(Some(&est)), Some(&est));
        let change = next
            .iter()
            .zip(&est)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0_f64, f64::max);
        est = next;
        if change < 1e-9 {
            break;
        }
    }
    est
}

fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = p * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny reproducible generator for the bootstrap.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

//! One locus of a post-transplant sample as the joint fit sees it: the
//! sample's peaks there, the modelled positions (every reference allele
//! plus the stutter positions with a peak), each peak's class, the rules
//! that leave a locus out, and for a usable locus the design rows, the
//! per-locus fit, the classical one-donor formula and the detection
//! opportunities.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use graftwatch_core::{Fraction, Percent};

use super::allele::Allele;
use super::calls::LocusDetection;
use super::classical::classical_locus;
use super::config::StrConfig;
use super::estimate::StrError;
use super::fit::{LocusFit, Row, fit_censored};
use super::genotype::passes_analytical_threshold;
use super::informativeness::{LocusInformativeness, PersonLocusInfo};
use super::locus::Locus;
use super::profile::StrProfile;
use super::qc::{StrFlag, StrFlagCode};
use super::references::{StrReferences, StutterRatios};
use super::result::{LocusReport, LocusStatus, PeakClass, PeakReport};
use super::sample_qc::CleanSample;

/// What the per-locus pass hands on to the joint fit: one report per locus
/// of the references (in their order), the fits of the usable loci, and
/// the signal no declared person explains.
pub(crate) struct LocusPass {
    /// One report per locus of the references.
    pub(crate) reports: Vec<LocusReport>,
    /// The usable loci's fits; `index` points into `reports`.
    pub(crate) fits: Vec<LocusFit>,
    /// Signal on peaks no declared person explains.
    pub(crate) unexplained: UnexplainedTally,
}

/// Signal on peaks no declared person explains, summed over the loci
/// considered (for the "sample matches no reference" refusal).
#[derive(Default)]
pub(crate) struct UnexplainedTally {
    /// Loci with signal that were considered.
    considered: usize,
    /// Unexplained signal over those loci.
    unexplained: f64,
    /// All their signal (unexplained and at modelled positions).
    total: f64,
    /// Loci with mostly unexplained signal, with the alleles.
    loci: Vec<String>,
    /// Share of the locus signal unexplained, per locus with any.
    locus_fractions: Vec<f64>,
}

impl UnexplainedTally {
    /// A locus with no signal at any modelled position: whatever it has is
    /// unexplained.
    fn add_missing(&mut self, locus: Locus, u: &Unexplained) {
        if u.ladder_signal > 0.0 {
            self.considered += 1;
            self.unexplained += u.ladder_signal;
            self.total += u.ladder_signal;
            self.loci.push(format!("{locus} ({})", u.list()));
        }
    }

    /// A locus with signal at the modelled positions (`total`): adds it, and
    /// flags its unexplained peaks.
    /// Off-ladder peaks are flagged but never counted as another person's
    /// DNA (for the `STR-UNDECLARED-PERSON` warning and the "matches no
    /// reference" refusal): in real exports they are mostly artefacts
    /// (pull-up, spikes, dye blobs) that the references carry too.
    fn add(&mut self, locus: Locus, total: f64, u: &Unexplained, flags: &mut Vec<StrFlag>) {
        self.considered += 1;
        self.unexplained += u.ladder_signal;
        self.total += u.ladder_signal + total;
        if u.signal > 0.0 {
            let frac = u.signal / (u.signal + total);
            let text = if u.ladder_signal > 0.0 {
                format!(
                    "{locus}: {} {} ({:.1}% of the locus signal) {} to no declared person: possible third person, contamination or artefact",
                    u.noun("peak", "peaks"),
                    u.list(),
                    100.0 * frac,
                    u.noun("belongs", "belong")
                )
            } else {
                format!(
                    "{locus}: off-ladder {} {} ({:.1}% of the locus signal) {} no declared person's allele: an artefact (pull-up, spike, dye blob) or a variant allele; not counted as another person's DNA",
                    u.noun("peak", "peaks"),
                    u.list(),
                    100.0 * frac,
                    u.noun("matches", "match")
                )
            };
            flags.push(StrFlag::new(StrFlagCode::UnexplainedAllele, text));
        }
        if u.ladder_signal > 0.0 {
            let frac = u.ladder_signal / (u.ladder_signal + total);
            self.locus_fractions.push(frac);
            if frac > 0.5 {
                self.loci.push(format!("{locus} ({})", u.list()));
            }
        }
    }

    /// Refuses the sample when more than `cfg.no_match_fraction` of its
    /// signal is unexplained; else flags it `STR-UNDECLARED-PERSON` when
    /// several loci carry a real share of unexplained signal.
    pub(crate) fn check(self, sample: &str, cfg: &StrConfig) -> Result<Option<StrFlag>, StrError> {
        use super::config::{UNDECLARED_LOCUS_FRACTION, UNDECLARED_MIN_LOCI};
        let heavy: Vec<f64> = self
            .locus_fractions
            .iter()
            .copied()
            .filter(|f| *f >= UNDECLARED_LOCUS_FRACTION)
            .collect();
        let warning = (heavy.len() >= UNDECLARED_MIN_LOCI).then(|| {
            let lo = heavy.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = heavy.iter().copied().fold(0.0, f64::max);
            StrFlag::new(
                StrFlagCode::UndeclaredPerson,
                format!(
                    "{} loci carry peaks no declared person explains ({:.0}–{:.0}% of those loci's signal): a person may be missing from this call (a donor not named, another patient's DNA): the shares, the recipient's above all, may be wrong; check that every donor is declared",
                    heavy.len(),
                    100.0 * lo,
                    100.0 * hi
                ),
            )
        });
        self.refuse(sample, cfg).map(|()| warning)
    }

    fn refuse(self, sample: &str, cfg: &StrConfig) -> Result<(), StrError> {
        if self.considered > 0
            && self.total > 0.0
            && self.unexplained / self.total > cfg.no_match_fraction.get()
        {
            return Err(StrError::SampleMatchesNoReference {
                sample: sample.to_string(),
                // A part of a positive total: in [0, 1].
                unexplained_fraction: Fraction::clamp(self.unexplained / self.total)
                    .unwrap_or(Fraction::ONE),
                loci: self.loci,
            });
        }
        Ok(())
    }
}

/// The unexplained peaks of one locus.
struct Unexplained {
    /// Their summed signal.
    signal: f64,
    /// The part of it at allele calls of the ladder (not off-ladder).
    ladder_signal: f64,
    /// Their alleles.
    alleles: Vec<String>,
}

impl Unexplained {
    /// "12, 15.3" for the messages.
    fn list(&self) -> String {
        self.alleles.join(", ")
    }

    /// `one` for a single allele, `many` otherwise.
    fn noun<'a>(&self, one: &'a str, many: &'a str) -> &'a str {
        if self.alleles.len() == 1 { one } else { many }
    }
}

/// A locus's peaks in the sample and the model's positions there.
/// How far above the n−2 stutter expected at a position (in standard
/// deviations of that stutter peak) a peak must be to count as a person's
/// allele for detection: 3, a one-sided false-call rate of about 0.1 % per
/// such position under a normal spread.
const N2_EXCESS_SD: f64 = 3.0;

/// True when a peak of `h` RFU at an n−2 position where `expected` RFU of
/// double back-stutter is expected is explained by that stutter: not above
/// it by [`N2_EXCESS_SD`] standard deviations of a stutter peak of that
/// size (relative scatter `stutter_cv`, template sampling, baseline noise).
pub(crate) fn n2_explains(expected: f64, h: f64, cfg: &super::config::StrConfig) -> bool {
    if expected <= 0.0 {
        return false;
    }
    let sd = ((cfg.stutter_cv * expected).powi(2)
        + cfg.template_sampling_rfu * expected
        + cfg.peak_noise_rfu.powi(2))
    .sqrt();
    h <= expected + N2_EXCESS_SD * sd
}

struct LocusData<'a> {
    refs: &'a StrReferences,
    locus: Locus,
    st: StutterRatios,
    /// Every person's reference alleles, in person order.
    ref_alleles: Vec<&'a Allele>,
    /// Peaks at or above the analytical threshold: (allele, signal, height).
    peaks: Vec<(&'a Allele, f64, f64)>,
    /// The modelled positions, sorted.
    positions: Vec<Allele>,
    /// Per person, everything it emits at the locus (alleles and stutter).
    norms: Vec<f64>,
    /// Signal at the modelled positions.
    total: f64,
    /// Height at the modelled positions.
    total_h: f64,
}

impl<'a> LocusData<'a> {
    /// Reads `locus` of `sample` against the references.
    fn new(refs: &'a StrReferences, locus: Locus, sample: &'a StrProfile) -> Self {
        let cfg = &refs.config;
        let ref_alleles: Vec<&Allele> = refs
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
        // Per-person templates normalised over everything the person
        // emits (alleles and all their stutter), not only over the
        // modelled positions: a minor person's stutter below the
        // threshold is missing from the data while a major person's is
        // there, and renormalising each person over the visible
        // positions would understate the minor one. The locus scale of
        // the weighted fit absorbs the invisible part.
        let norms = (0..refs.persons.len())
            .map(|j| refs.emitted_total(j, locus))
            .collect();
        let mut d = LocusData {
            refs,
            locus,
            st: refs.stutter[&locus],
            ref_alleles,
            peaks,
            positions: Vec::new(),
            norms,
            total: 0.0,
            total_h: 0.0,
        };
        d.positions = d.model_positions(cfg.stutter_max_ratio);
        d.total = d.positions.iter().map(|a| d.sig(a)).sum();
        d.total_h = d.positions.iter().map(|a| d.height_sum(a)).sum();
        d
    }

    /// Summed signal of the peaks at `a` (0 without one).
    fn sig(&self, a: &Allele) -> f64 {
        self.peaks
            .iter()
            .filter(|(x, _, _)| *x == a)
            .map(|(_, s, _)| *s)
            .sum::<f64>()
    }

    /// Summed height of the peaks at `a`.
    fn height_sum(&self, a: &Allele) -> f64 {
        self.peaks
            .iter()
            .filter(|(x, _, _)| *x == a)
            .map(|(_, _, h)| *h)
            .sum::<f64>()
    }

    /// Tallest peak at `a` (0 without one).
    fn height_max(&self, a: &Allele) -> f64 {
        self.peaks
            .iter()
            .filter(|(x, _, _)| *x == a)
            .map(|(_, _, h)| *h)
            .fold(0.0_f64, f64::max)
    }

    /// Positions of the model: every reference allele, plus modelled
    /// stutter positions where the sample has a peak (a stutter below the
    /// analytical threshold is not observed, so it is left out of both the
    /// data and, through per-person renormalisation, the model). Only a
    /// peak small enough to be stutter of its neighbours is modelled as
    /// stutter.
    fn model_positions(&self, stutter_max_ratio: f64) -> Vec<Allele> {
        let st = self.st;
        let mut positions: Vec<Allele> = Vec::new();
        for a in &self.ref_alleles {
            if !positions.contains(a) {
                positions.push((*a).clone());
            }
        }
        for a in &self.ref_alleles {
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
                let parents: f64 = self
                    .ref_alleles
                    .iter()
                    .filter(|r| is_stutter_position(r, &c))
                    .map(|r| self.sig(r))
                    .sum();
                let s_c = self.sig(&c);
                if !positions.contains(&c) && s_c > 0.0 && s_c <= stutter_max_ratio * parents {
                    positions.push(c);
                }
            }
        }
        positions.sort();
        positions
    }

    /// Person `j`'s template at `a`: its raw template over everything it
    /// emits at the locus.
    fn template(&self, j: usize, a: &Allele) -> f64 {
        if self.norms[j] > 0.0 {
            self.refs.raw_template(j, self.locus, a) / self.norms[j]
        } else {
            0.0
        }
    }

    /// The stutter part of [`Self::template`].
    fn stutter_part(&self, j: usize, a: &Allele) -> f64 {
        if self.norms[j] > 0.0 {
            self.refs.raw_template_parts(j, self.locus, a).1 / self.norms[j]
        } else {
            0.0
        }
    }

    /// Each peak's class (reference allele, stutter of one, or unexplained)
    /// into `peaks`; returns the unexplained ones.
    fn classify_peaks(&self, stutter_max_ratio: f64, peaks: &mut Vec<PeakReport>) -> Unexplained {
        let mut u = Unexplained {
            signal: 0.0,
            ladder_signal: 0.0,
            alleles: Vec::new(),
        };
        for (a, s, _) in &self.peaks {
            let class = if self.positions.contains(a) {
                if self.ref_alleles.contains(a) {
                    PeakClass::Allele
                } else {
                    PeakClass::Stutter
                }
            } else {
                let stutter_of = self
                    .ref_alleles
                    .iter()
                    .any(|r| is_stutter_position(r, a) && *s <= stutter_max_ratio * self.sig(r));
                if stutter_of {
                    PeakClass::Stutter
                } else {
                    PeakClass::Unexplained
                }
            };
            if class == PeakClass::Unexplained {
                u.signal += s;
                if !a.is_off_ladder() {
                    u.ladder_signal += s;
                }
                u.alleles.push(format!("{a}"));
            }
            peaks.push(PeakReport {
                allele: (*a).clone(),
                signal: *s,
                class,
                fitted_by_person: Vec::new(),
            });
        }
        u
    }

    /// Design rows and the mean fragment length of the positions (bp). A
    /// reference-allele position with no sample peak is left-censored: its
    /// true share lies below the analytical threshold (bound = threshold /
    /// locus height), its allelic part below that less the expected stutter.
    fn design_rows(&self, analytical_threshold_rfu: f64) -> (Vec<Row>, f64) {
        let k = self.norms.len();
        let total = self.total;
        let bound = if self.total_h > 0.0 {
            analytical_threshold_rfu / self.total_h
        } else {
            0.0
        };
        let sig = |a: &Allele| self.sig(a);
        let stutter_seen = observed_stutter(&self.positions, &self.ref_alleles, &sig, &self.st);
        let lens: Vec<Option<f64>> = self
            .positions
            .iter()
            .map(|a| a.length_bp(self.locus))
            .collect();
        let known: Vec<f64> = lens.iter().flatten().copied().collect();
        let mean_len = known.iter().sum::<f64>() / known.len().max(1) as f64;
        let rows = self
            .positions
            .iter()
            .zip(&lens)
            .zip(&stutter_seen)
            .map(|((a, len), seen)| {
                let gs: Vec<f64> = (0..k).map(|j| self.stutter_part(j, a)).collect();
                let g: Vec<f64> = (0..k).map(|j| self.template(j, a) - gs[j]).collect();
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
                    cens_sd: 0.0,
                    w: 1.0,
                    len: len.map_or(0.0, |l| l - mean_len),
                }
            })
            .collect();
        (rows, mean_len)
    }

    /// Person `i`'s detection opportunity here: the height of its best clean
    /// unique peak, and the share per RFU at its best allele (`None`
    /// without a clean unique allele or without peaks). A peak in another
    /// allele's n−2 position counts only when it is not explained by the
    /// double back-stutter that allele makes: above the expected n−2 height
    /// by three of its standard deviations ([`N2_EXCESS_SD`]; stutter
    /// scatter, template sampling and baseline noise). A small stutter peak
    /// scatters by as much as its own height, so "twice the expected", the
    /// rule before, let one n−2 peak of 52–120 RFU at a locus with a high
    /// n−2 ratio call an absent recipient present (5–6 % of samples of an
    /// independent simulation).
    fn detection(&self, i: usize, p: &PersonLocusInfo) -> Option<LocusDetection> {
        let clean = p.clean_unique();
        if clean.is_empty() || self.total_h <= 0.0 {
            return None;
        }
        let explained_as_n2 = |a: &Allele, h: f64| {
            let e = self.st.double_back
                * self
                    .ref_alleles
                    .iter()
                    .filter(|r| r.minus(2).as_ref() == Some(a))
                    .map(|r| self.height_max(r))
                    .sum::<f64>();
            n2_explains(e, h, &self.refs.config)
        };
        let seen_rfu = clean
            .iter()
            .filter(|a| self.sig(a) > 0.0 && !explained_as_n2(a, self.height_max(a)))
            .map(|a| self.height_max(a))
            .reduce(f64::max);
        let best = clean
            .iter()
            .map(|a| self.template(i, a))
            .fold(0.0_f64, f64::max);
        let share_per_rfu = if best > 0.0 {
            1.0 / (self.total_h * best)
        } else {
            f64::INFINITY
        };
        Some(LocusDetection {
            seen_rfu,
            share_per_rfu,
        })
    }
}

impl StrReferences {
    /// The per-locus pass over every locus of the references: each one's
    /// report and, for the usable ones, its fit; flags go to `flags`.
    pub(crate) fn locus_pass(&self, cleaned: &CleanSample, flags: &mut Vec<StrFlag>) -> LocusPass {
        let mut pass = LocusPass {
            reports: Vec::new(),
            fits: Vec::new(),
            unexplained: UnexplainedTally::default(),
        };
        for li in &self.informativeness {
            let data = LocusData::new(self, li.locus, &cleaned.profile);
            let mut report = LocusReport {
                locus: li.locus,
                status: LocusStatus::Used,
                genotypes: li.persons.iter().map(|p| p.genotype.clone()).collect(),
                per_person_percent: vec![None; self.persons.len()],
                classical_pattern: None,
                classical_donor_percent: None,
                residual_ss: None,
                back_stutter_ratio: data.st.back,
                peaks: Vec::new(),
            };
            let u = data.classify_peaks(self.config.stutter_max_ratio, &mut report.peaks);
            let exclusion = self.exclusion(li, &data, &u, cleaned, &mut pass.unexplained, flags);
            match exclusion {
                Some(status) => report.status = status,
                None => {
                    let fit = self.fit_locus(
                        li,
                        &data,
                        &cleaned.profile,
                        pass.reports.len(),
                        &mut report,
                    );
                    pass.fits.push(fit);
                }
            }
            pass.reports.push(report);
        }
        pass
    }

    /// Why the locus is left out of the fit (`None`: it is used), with its
    /// flags; adds its signal to the unexplained tally when it has any.
    fn exclusion(
        &self,
        li: &LocusInformativeness,
        data: &LocusData<'_>,
        u: &Unexplained,
        cleaned: &CleanSample,
        tally: &mut UnexplainedTally,
        flags: &mut Vec<StrFlag>,
    ) -> Option<LocusStatus> {
        let (cfg, locus) = (&self.config, li.locus);
        if locus.is_sex_marker() && !cfg.include_amelogenin {
            return Some(LocusStatus::ExcludedSexMarker);
        }
        if cleaned.saturated.contains(&locus) {
            return Some(LocusStatus::ExcludedSaturated);
        }
        if data.peaks.is_empty() || data.total <= 0.0 {
            if data.total <= 0.0 {
                tally.add_missing(locus, u);
            }
            flags.push(StrFlag::new(
                StrFlagCode::MissingLocus,
                format!(
                    "{locus}: no peak at any reference allele in sample '{}'",
                    cleaned.profile.sample
                ),
            ));
            return Some(LocusStatus::MissingInSample);
        }
        tally.add(locus, data.total, u, flags);
        if !li.informative() {
            return Some(LocusStatus::NotInformative);
        }
        if li.has_stutter_position() {
            flags.push(self.stutter_position_flag(li, &data.st));
            if !cfg.model_stutter {
                return Some(LocusStatus::ExcludedStutterPosition);
            }
        }
        None
    }

    /// The flag of a locus where a person's unique allele lies in another
    /// person's back-stutter position, with what is done about it.
    fn stutter_position_flag(&self, li: &LocusInformativeness, st: &StutterRatios) -> StrFlag {
        let cfg = &self.config;
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
                "back-stutter ratio {:.3}: {}",
                st.back,
                st.describe(&cfg.kit.name)
            )
        };
        StrFlag::new(
            StrFlagCode::StutterPosition,
            format!(
                "{}: {} in another person's back-stutter position; {action}",
                li.locus,
                who.join(", ")
            ),
        )
    }

    /// A usable locus's fit (`index`: its report's place): the design rows,
    /// the per-locus censored fit and, with one donor, the classical formula
    /// into `report`, and the detection opportunities.
    fn fit_locus(
        &self,
        li: &LocusInformativeness,
        data: &LocusData<'_>,
        sample: &StrProfile,
        index: usize,
        report: &mut LocusReport,
    ) -> LocusFit {
        let (cfg, k, locus) = (&self.config, self.persons.len(), li.locus);
        let (rows, mean_len) = data.design_rows(cfg.analytical_threshold_rfu);
        let mut q = vec![vec![0.0; k]; k];
        for row in &rows {
            for i in 0..k {
                for j in 0..k {
                    q[i][j] += row.g[i] * row.g[j];
                }
            }
        }
        let this = LocusFit {
            index,
            q,
            rows,
            total: data.total,
            noise_share: if data.total_h > 0.0 {
                cfg.peak_noise_rfu / data.total_h
            } else {
                0.0
            },
            sampling_share: if data.total_h > 0.0 {
                cfg.template_sampling_rfu / data.total_h
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
                |a: &Allele| data.sig(a),
            );
            report.classical_pattern = Some(c.pattern);
            report.classical_donor_percent = c.donor_fraction.map(Fraction::percent);
        }
        let det = (li.persons.iter().enumerate())
            .map(|(i, p)| data.detection(i, p))
            .collect();
        LocusFit { det, ..this }
    }

    /// Flags the loci typed in the sample but not in every reference (they
    /// are ignored).
    pub(crate) fn flag_loci_outside_references(
        &self,
        sample: &StrProfile,
        flags: &mut Vec<StrFlag>,
    ) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peak_at_an_n_minus_2_position_counts_only_clearly_above_the_stutter() {
        let cfg = StrConfig::default();
        // 40 RFU of n−2 expected (a 0.0122 ratio under a 3,300 RFU allele):
        // sd = √((0.25·40)² + 20·40 + 10²) = 31.6 RFU, so up to 134.9 RFU
        // is stutter.
        let e = 40.0;
        let sd = ((cfg.stutter_cv * e).powi(2) + cfg.template_sampling_rfu * e + 100.0).sqrt();
        let edge = e + 3.0 * sd;
        assert!(n2_explains(e, edge, &cfg));
        assert!(!n2_explains(e, edge + 0.01, &cfg));
        // "Twice the expected" (80 RFU), the rule before, is stutter now.
        assert!(n2_explains(e, 2.0 * e + 0.01, &cfg));
        // No n−2 parent: nothing is explained.
        assert!(!n2_explains(0.0, 51.0, &cfg));
    }

    /// STR-UNDECLARED-PERSON: 3 loci at ≥ 10 % of their signal flag the
    /// sample; 2 loci, or a locus just under 10 %, do not.
    #[test]
    fn undeclared_person_needs_three_loci_at_a_tenth_of_their_signal() {
        let flagged_as = |fracs: &[f64], off_ladder: bool| {
            let mut t = UnexplainedTally::default();
            let mut flags = Vec::new();
            for &f in fracs {
                let u = Unexplained {
                    signal: 1000.0 * f,
                    ladder_signal: if off_ladder { 0.0 } else { 1000.0 * f },
                    alleles: vec!["9".into()],
                };
                t.add(Locus::Fga, 1000.0 * (1.0 - f), &u, &mut flags);
            }
            t.check("S", &StrConfig::default())
                .expect("not refused")
                .is_some()
        };
        let flagged = |fracs: &[f64]| flagged_as(fracs, false);
        assert!(flagged(&[0.10, 0.10, 0.10]));
        assert!(!flagged(&[0.10, 0.10, 0.0999]));
        assert!(!flagged(&[0.2, 0.2]));
        // Off-ladder peaks (artefacts in real exports) never count.
        assert!(!flagged_as(&[0.3, 0.3, 0.3, 0.3], true));
    }

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
            back_measured: Some(0.1),
            back_seen: 4,
            back_rejected: 0,
            kit_back: 0.1,
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
}

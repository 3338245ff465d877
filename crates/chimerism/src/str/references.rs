//! The reference side of an STR analysis: genotypes of the recipient and
//! each donor, informativeness, stutter ratios (learned from the references
//! when they carry stutter, kit defaults otherwise), identity checks and the
//! per-person peak templates of the model.

use std::collections::BTreeMap;

use graftwatch_core::{DonorId, PersonRef};
use serde::Serialize;

use super::allele::Allele;
use super::config::StrConfig;
use super::estimate::{StrError, check_measure};
use super::genotype::{ReferenceGenotype, call_reference, is_genotype_only};
use super::informativeness::{LocusInformativeness, distinguishing_loci, informativeness};
use super::locus::Locus;
use super::profile::StrProfile;
use super::qc::{StrFlag, StrFlagCode};

/// Where the stutter ratios of a locus come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StutterSource {
    /// Measured on the reference profiles (stutter peaks were seen).
    References,
    /// The kit's defaults (the references carry no stutter peaks).
    Kit,
    /// Not modelled (switched off, or Amelogenin).
    Off,
}

impl StutterSource {
    /// In words, for flags and tables.
    pub fn describe(self, kit: &str) -> String {
        match self {
            StutterSource::References => "measured on the pure profiles, modelled".into(),
            StutterSource::Kit => format!("kit default ({kit}), modelled"),
            StutterSource::Off => "not modelled".into(),
        }
    }
}

/// Stutter ratios used at one locus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StutterRatios {
    /// Back-stutter (n−1) / parent.
    pub back: f64,
    /// Forward-stutter (n+1) / parent.
    pub forward: f64,
    /// Double back-stutter (n−2) / parent.
    pub double_back: f64,
    /// Number of back-stutter observations in the references (incl. censored).
    pub back_observations: usize,
    /// Number of forward-stutter observations (all loci).
    pub forward_observations: usize,
    /// Where the back-stutter ratio comes from.
    pub source: StutterSource,
    /// The back-stutter ratio measured on the references before shrinkage
    /// (the censored median of the peaks seen), when any was seen.
    pub back_measured: Option<f64>,
    /// Back-stutter peaks seen in the references and used (at most
    /// `stutter_max_ratio` × their parent).
    pub back_seen: usize,
    /// Peaks at a back-stutter position above `stutter_max_ratio` × their
    /// parent: not stutter (a lost allele, an artefact), not used.
    pub back_rejected: usize,
    /// The kit's back-stutter ratio at the locus (the shrinkage target).
    pub kit_back: f64,
}

impl StutterRatios {
    /// Where the back-stutter ratio comes from, in words, with the
    /// measurement and its number of peaks when measured (e.g. "measured
    /// 0.085 on the pure profiles over 3 peaks, shrunk toward the kit
    /// default 0.080 (globalfiler), modelled").
    pub fn describe(&self, kit: &str) -> String {
        match (self.source, self.back_measured) {
            (StutterSource::References, Some(m)) => {
                let censored = self.back_observations.saturating_sub(self.back_seen);
                let censored = if censored > 0 {
                    format!(
                        " and {} without a peak",
                        graftwatch_core::number::counted(censored, "position")
                    )
                } else {
                    String::new()
                };
                let rejected = if self.back_rejected > 0 {
                    format!(
                        " ({} above the stutter cap not used)",
                        graftwatch_core::number::counted(self.back_rejected, "peak")
                    )
                } else {
                    String::new()
                };
                format!(
                    "measured {m:.3} on the pure profiles over {} peak{}{censored}{rejected}, shrunk toward the kit default {:.3} ({kit}), modelled",
                    self.back_seen,
                    if self.back_seen == 1 { "" } else { "s" },
                    self.kit_back
                )
            }
            (source, _) => source.describe(kit),
        }
    }
}

/// Reference genotypes of the recipient and the donors, with everything that
/// depends only on them (informativeness, stutter ratios, identifiability).
#[derive(Debug, Clone, Serialize)]
pub struct StrReferences {
    /// Recipient first, then donors in declaration order.
    pub persons: Vec<ReferenceGenotype>,
    /// Stutter ratios per locus.
    pub stutter: BTreeMap<Locus, StutterRatios>,
    /// Informativeness per locus typed in every reference.
    pub informativeness: Vec<LocusInformativeness>,
    /// Number of distinguishing loci per donor pair.
    pub donor_pairs: Vec<(PersonRef, PersonRef, usize)>,
    /// Reference-level flags.
    pub flags: Vec<StrFlag>,
    /// Set when chimerism cannot be measured at all (a declared syngeneic
    /// donor identical to the recipient): the reason.
    pub not_informative: Option<String>,
    /// Settings used.
    pub config: StrConfig,
}

pub(crate) fn median(v: &mut [f64]) -> Option<f64> {
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
    /// profiles (or genotype tables) and prepares the per-locus model.
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
        for p in std::iter::once(recipient).chain(donors.iter().map(|(_, p)| *p)) {
            if !is_genotype_only(p) {
                check_measure(p, &config)?;
            }
        }
        // Off-ladder peaks inside the kit's allele bins are called first.
        let mut bin_flags = Vec::new();
        let mut binned = |p: &StrProfile| {
            let (b, f) = super::sample_qc::bin_off_ladder(p, &config.kit);
            bin_flags.extend(f);
            b
        };
        let mut persons = vec![call_reference(
            PersonRef::Recipient,
            &binned(recipient),
            &config,
        )];
        for (d, p) in donors {
            let b = binned(p);
            persons.push(call_reference(PersonRef::Donor(d.clone()), &b, &config));
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
        flags.extend(bin_flags);
        missing_locus_flags(&persons, &mut flags);
        let not_informative = identity_checks(&mut persons, &config, &mut flags)?;
        let info = informativeness(&persons);
        if info.is_empty() {
            return Err(StrError::NoCommonLoci {
                recipient: recipient.sample.clone(),
            });
        }
        let stutter = stutter_ratios(&persons, &info, &config, &mut flags);
        let donor_pairs = donor_pairs(&persons, &config, &mut flags);
        Ok(StrReferences {
            persons,
            stutter,
            informativeness: info,
            donor_pairs,
            flags,
            not_informative,
            config,
        })
    }

    /// Unnormalised template of person `k` at `locus`: dosage/2 at each
    /// allele, × back-stutter ratio one repeat below, × double-back ratio two
    /// below, × forward ratio one above.
    pub(crate) fn raw_template(&self, k: usize, locus: Locus, pos: &Allele) -> f64 {
        let (allelic, stutter) = self.raw_template_parts(k, locus, pos);
        allelic + stutter
    }

    /// Σ of [`Self::raw_template`] of person `k` over every position it
    /// emits at `locus` (its alleles and their n−1, n+1, n−2 stutter).
    pub(crate) fn emitted_total(&self, k: usize, locus: Locus) -> f64 {
        let mut positions: Vec<Allele> = Vec::new();
        for c in &self.persons[k].loci[&locus].alleles {
            let stutter = [c.allele.minus(1), c.allele.plus_one(), c.allele.minus(2)];
            for a in std::iter::once(Some(c.allele.clone()))
                .chain(stutter)
                .flatten()
            {
                if !positions.contains(&a) {
                    positions.push(a);
                }
            }
        }
        positions
            .iter()
            .map(|a| self.raw_template(k, locus, a))
            .sum()
    }

    /// The two parts of [`Self::raw_template`]: (allelic, stutter). They
    /// vary differently from sample to sample (heterozygote imbalance vs
    /// stutter-ratio scatter), so the fit weighs them differently.
    pub(crate) fn raw_template_parts(&self, k: usize, locus: Locus, pos: &Allele) -> (f64, f64) {
        let st = self.stutter[&locus];
        let g = &self.persons[k].loci[&locus];
        let (mut allelic, mut stutter) = (0.0, 0.0);
        for c in &g.alleles {
            let half = c.dosage / 2.0;
            if &c.allele == pos {
                allelic += half;
            }
            if matches!(c.allele, Allele::Repeat { .. }) {
                if c.allele.minus(1).as_ref() == Some(pos) {
                    stutter += half * st.back;
                }
                if c.allele.minus(2).as_ref() == Some(pos) {
                    stutter += half * st.double_back;
                }
                if c.allele.plus_one().as_ref() == Some(pos) {
                    stutter += half * st.forward;
                }
            }
        }
        (allelic, stutter)
    }
}

fn missing_locus_flags(persons: &[ReferenceGenotype], flags: &mut Vec<StrFlag>) {
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
}

/// Number of loci typed in both references.
fn common_loci(a: &ReferenceGenotype, b: &ReferenceGenotype) -> usize {
    a.loci.keys().filter(|l| b.loci.contains_key(l)).count()
}

/// Identity checks: a declared syngeneic donor identical to the recipient
/// makes the analysis "not informative"; any other pair of identical
/// people is an error, or (with `allow_identical`) two identical donors are
/// merged (the later one dropped, the earlier one carrying their combined
/// share, flagged) and a donor identical to the recipient makes the
/// analysis "not informative" as a syngeneic one does.
fn identity_checks(
    persons: &mut Vec<ReferenceGenotype>,
    cfg: &StrConfig,
    flags: &mut Vec<StrFlag>,
) -> Result<Option<String>, StrError> {
    let syngeneic = |p: &PersonRef| {
        cfg.syngeneic_donors
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&p.to_string()))
    };
    let mut not_informative = None;
    let mut i = 0;
    while i < persons.len() {
        let mut j = i + 1;
        while j < persons.len() {
            let common = common_loci(&persons[i], &persons[j]);
            let differ = distinguishing_loci(&persons[i], &persons[j]);
            let (a, b) = (persons[i].person.clone(), persons[j].person.clone());
            if i == 0 && syngeneic(&b) {
                if differ == 0 {
                    not_informative = Some(format!(
                        "chimerism not informative: donor {b} is declared syngeneic (identical twin) and the genotypes of {b} and the recipient are identical at all {common} common loci"
                    ));
                } else {
                    flags.push(StrFlag::new(StrFlagCode::IdenticalPersons, format!("donor {b} is declared syngeneic but differs from the recipient at {differ} of {common} loci: check the references; analysed as a distinct person")));
                }
            } else if differ == 0 && common > 0 && not_informative.is_none() {
                if i == 0 && cfg.allow_identical {
                    // `allow_identical` merges donors identical to each
                    // other; a donor identical to the recipient leaves
                    // nothing to measure, whatever the option says.
                    not_informative = Some(format!(
                        "chimerism not informative: donor {b} and the recipient have identical genotypes at all {common} common loci"
                    ));
                    j += 1;
                    continue;
                }
                if !cfg.allow_identical {
                    return Err(StrError::IdenticalPersons {
                        first: a.to_string(),
                        second: b.to_string(),
                        loci: common,
                    });
                }
                flags.push(StrFlag::new(StrFlagCode::IdenticalPersons, format!("{b} has the same genotype as {a} at all {common} common loci: they cannot be told apart; {a}'s share is the combined share of both (no split); {b} is not reported")));
                persons.remove(j);
                continue;
            }
            j += 1;
        }
        i += 1;
    }
    Ok(not_informative)
}

fn stutter_ratios(
    persons: &[ReferenceGenotype],
    info: &[LocusInformativeness],
    cfg: &StrConfig,
    flags: &mut Vec<StrFlag>,
) -> BTreeMap<Locus, StutterRatios> {
    let autosomal = || info.iter().filter(|li| !li.locus.is_sex_marker());
    // Forward (1) and double-back (2) ratios are too small to measure per
    // locus: the observations of every locus are pooled as multiples of
    // their locus's kit ratio, and the kit's per-locus profile is scaled by
    // their censored median (a generic kit, one ratio everywhere, gives the
    // pooled ratio itself). A locus whose kit ratio is 0 takes the plain
    // pooled ratio instead.
    let pooled = |which: usize, per_kit: bool| -> (Option<f64>, usize) {
        let (mut v, mut below) = (Vec::new(), Vec::new());
        for li in autosomal() {
            let kit = cfg.kit.stutter(li.locus);
            let k = match (per_kit, which) {
                (false, _) => 1.0,
                (true, 1) => kit.forward,
                (true, _) => kit.double_back,
            };
            if k <= 0.0 {
                continue;
            }
            for p in persons {
                let g = &p.loci[&li.locus];
                let seen = match which {
                    1 => g.forward_stutter.iter(),
                    _ => g.double_back_stutter.iter(),
                };
                v.extend(seen.map(|r| r / k));
                below.extend(g.stutter_below[which].iter().map(|b| b / k));
            }
        }
        (censored_median(&v, &below), v.len())
    };
    let (fwd_scale, _) = pooled(1, true);
    let (dbl_scale, _) = pooled(2, true);
    let (fwd_plain, n_fwd) = pooled(1, false);
    let (dbl_plain, _) = pooled(2, false);
    let mut from_kit = Vec::new();
    let mut out = BTreeMap::new();
    for li in info {
        let kit = cfg.kit.stutter(li.locus);
        let on = cfg.model_stutter && !li.locus.is_sex_marker();
        let back = BackStutter::at(persons, li.locus, on, kit.back, cfg);
        if back.source == StutterSource::Kit {
            from_kit.push(li.locus.name());
        }
        let pick = |scale: Option<f64>, plain: Option<f64>, default: f64| match (on, scale) {
            (false, _) => 0.0,
            (true, Some(x)) if default > 0.0 => (default * x).min(cfg.stutter_max_ratio),
            (true, _) if default > 0.0 => default,
            (true, _) => plain.unwrap_or(0.0),
        };
        out.insert(
            li.locus,
            StutterRatios {
                back: back.ratio,
                forward: pick(fwd_scale, fwd_plain, kit.forward),
                double_back: pick(dbl_scale, dbl_plain, kit.double_back),
                back_observations: back.observations,
                forward_observations: n_fwd,
                source: back.source,
                back_measured: back.measured.filter(|_| on),
                back_seen: back.seen,
                back_rejected: back.rejected,
                kit_back: kit.back,
            },
        );
    }
    flag_kit_stutter(&from_kit, cfg, flags);
    out
}

/// `STR-STUTTER-KIT`: the loci whose back-stutter ratio is the kit's (no
/// stutter peak in the references).
fn flag_kit_stutter(from_kit: &[&str], cfg: &StrConfig, flags: &mut Vec<StrFlag>) {
    if !from_kit.is_empty() {
        flags.push(StrFlag::new(
            StrFlagCode::StutterFromKit,
            format!(
                "no stutter peaks in the references at {} (stutter-filtered export or genotype table): the default ratios of kit '{}' are modelled there",
                from_kit.join(", "),
                cfg.kit.name
            ),
        ));
    }
}

/// The back-stutter ratio of one locus and what it rests on.
struct BackStutter {
    ratio: f64,
    source: StutterSource,
    /// The censored median of the references' ratios, when any.
    measured: Option<f64>,
    /// Peaks seen (at or below the stutter cap).
    seen: usize,
    /// "Stutter" peaks above the cap, not counted.
    rejected: usize,
    /// Peaks seen plus positions without a peak.
    observations: usize,
}

impl BackStutter {
    /// From the references' back-stutter observations at `locus` (a
    /// "stutter" above the engine's own stutter cap is no stutter), shrunk
    /// toward the kit's ratio `kit` ([`shrunk_back_ratio`]); the kit's
    /// ratio when the references show none; 0 when stutter is not modelled
    /// (`on` false).
    fn at(
        persons: &[ReferenceGenotype],
        locus: Locus,
        on: bool,
        kit: f64,
        cfg: &StrConfig,
    ) -> BackStutter {
        let all_back: Vec<f64> = persons
            .iter()
            .flat_map(|p| p.loci[&locus].back_stutter.clone())
            .collect();
        let (back, rejected): (Vec<f64>, Vec<f64>) = all_back
            .into_iter()
            .partition(|r| *r <= cfg.stutter_max_ratio);
        let back_below: Vec<f64> = persons
            .iter()
            .flat_map(|p| p.loci[&locus].stutter_below[0].clone())
            .collect();
        let seen = back.len();
        let measured = censored_median(&back, &back_below);
        let (ratio, source) = match (on, measured) {
            (false, _) => (0.0, StutterSource::Off),
            (true, Some(m)) => (
                shrunk_back_ratio(m, seen, back_below.len(), kit, cfg),
                StutterSource::References,
            ),
            (true, None) => (kit, StutterSource::Kit),
        };
        BackStutter {
            ratio,
            source,
            measured,
            seen,
            rejected: rejected.len(),
            observations: back.len() + back_below.len(),
        }
    }
}

/// The back-stutter ratio used at a locus whose references show stutter:
/// the measured ratio `measured` (censored median of `seen` peaks and
/// `censored` positions without a peak) shrunk toward the kit's ratio
/// `kit`, which is worth `kit_stutter_weight` (N0) observations:
///
///   ratio = (n·measured + N0·kit) / (n + N0),  n = seen + censored / 2,
///
/// (a precision-weighted mean: each peak seen is one observation, a
/// censored position only bounds the ratio and counts half), capped at
/// `stutter_max_ratio`. Two to four peaks are a poor estimate of a locus's
/// ratio (an independent audit found measured / true 0.22–7.6); the kit's
/// typical value is worth about one more peak (default N0 = 1).
pub(crate) fn shrunk_back_ratio(
    measured: f64,
    seen: usize,
    censored: usize,
    kit: f64,
    cfg: &StrConfig,
) -> f64 {
    let n = seen as f64 + 0.5 * censored as f64;
    let w = cfg.kit_stutter_weight;
    let r = if n + w > 0.0 {
        (n * measured + w * kit) / (n + w)
    } else {
        measured
    };
    r.min(cfg.stutter_max_ratio)
}

/// Median of ratios of which some are only known to lie below a bound
/// (left-censored: no stutter peak at or above the analytical threshold),
/// by the Kaplan–Meier estimator on the reversed scale (Kaplan & Meier,
/// J Am Stat Assoc 1958;53:457–481; for left-censored data Helsel,
/// Statistics for Censored Environmental Data, 2nd ed. 2012, ch. 6).
/// Half a censored bound was used before, which overstates small ratios
/// (n−2, n+1) when most of them are below the threshold. When fewer than
/// half of the observations can be placed (censoring too heavy), the
/// estimate is the smaller of the lowest seen ratio and half the lowest
/// bound. `None` when nothing was seen.
pub(crate) fn censored_median(seen: &[f64], below: &[f64]) -> Option<f64> {
    if seen.is_empty() {
        return None;
    }
    // Reversed scale: x' = −x; "below b" becomes "x' > −b" (right-censored).
    // Walk from the largest ratio down; S(x) = P(ratio < x).
    let mut events: Vec<(f64, bool)> = seen
        .iter()
        .map(|&x| (x, true))
        .chain(below.iter().map(|&b| (b, false)))
        .collect();
    // Descending ratio; at ties, events before censorings (standard KM).
    events.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut at_risk = events.len() as f64;
    let mut surv = 1.0; // P(ratio < current) on the reversed scale
    for (x, event) in &events {
        if *event {
            surv *= 1.0 - 1.0 / at_risk;
            if surv <= 0.5 {
                return Some(*x);
            }
        }
        at_risk -= 1.0;
    }
    let lowest_seen = seen.iter().copied().fold(f64::INFINITY, f64::min);
    let lowest_bound = below.iter().copied().fold(f64::INFINITY, f64::min);
    Some(lowest_seen.min(lowest_bound / 2.0))
}

fn donor_pairs(
    persons: &[ReferenceGenotype],
    cfg: &StrConfig,
    flags: &mut Vec<StrFlag>,
) -> Vec<(PersonRef, PersonRef, usize)> {
    let mut pairs = Vec::new();
    for i in 1..persons.len() {
        for j in (i + 1)..persons.len() {
            let n = distinguishing_loci(&persons[i], &persons[j]);
            if n < cfg.min_distinguishing_loci {
                flags.push(StrFlag::new(
                    StrFlagCode::DonorsIndistinguishable,
                    format!("donors {} and {} differ at only {n} typed loci (< {}): their split is not reliable", persons[i].person, persons[j].person, cfg.min_distinguishing_loci),
                ));
            }
            pairs.push((persons[i].person.clone(), persons[j].person.clone(), n));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::str::profile::Peak;

    fn profile(name: &str, l: Locus, peaks: &[(&str, f64)]) -> StrProfile {
        let mut p = StrProfile::new(name);
        p.loci.insert(
            l,
            peaks
                .iter()
                .map(|(a, h)| Peak {
                    allele: Allele::parse(a, l).unwrap(),
                    height: Some(*h),
                    area: Some(h * 10.0),
                    size: None,
                })
                .collect(),
        );
        p
    }

    /// Audit F9: ratios from two to four peaks are shrunk toward the kit
    /// (N0 = 1 observation by default; a censored position counts half)
    /// and never exceed `stutter_max_ratio`.
    #[test]
    fn measured_back_stutter_is_shrunk_toward_the_kit_and_capped() {
        let cfg = StrConfig::default();
        // 3 peaks at 0.10, kit 0.06: (3·0.10 + 1·0.06) / 4.
        let r = shrunk_back_ratio(0.10, 3, 0, 0.06, &cfg);
        assert!((r - 0.09).abs() < 1e-12, "{r}");
        // 2 censored count as one peak.
        let r = shrunk_back_ratio(0.10, 2, 2, 0.06, &cfg);
        assert!((r - 0.09).abs() < 1e-12, "{r}");
        // The kit worth 4 peaks: (3·0.10 + 4·0.06) / 7.
        let four = StrConfig {
            kit_stutter_weight: 4.0,
            ..StrConfig::default()
        };
        let r = shrunk_back_ratio(0.10, 3, 0, 0.06, &four);
        assert!((r - 0.54 / 7.0).abs() < 1e-12, "{r}");
        // Many peaks: the measurement wins.
        let r = shrunk_back_ratio(0.10, 400, 0, 0.06, &cfg);
        assert!((r - 0.10).abs() < 1e-3, "{r}");
        // Without kit weight the measurement is used as it is, up to the cap.
        let raw = StrConfig {
            kit_stutter_weight: 0.0,
            ..StrConfig::default()
        };
        assert_eq!(shrunk_back_ratio(0.2, 1, 0, 0.06, &raw), 0.2);
        assert_eq!(shrunk_back_ratio(0.25, 1, 0, 0.06, &raw), 0.2);
    }

    /// A peak at a back-stutter position above `stutter_max_ratio` × its
    /// parent is no stutter and is not used; at the cap it is.
    #[test]
    fn back_stutter_above_the_cap_is_not_a_measurement() {
        let l = Locus::Fga;
        let cfg = StrConfig::default();
        let kit = cfg.kit.stutter(l).back;
        let donor = profile("D", l, &[("22", 1000.0), ("24", 1000.0)]);
        let refs = |stutter: f64| {
            let r = profile("R", l, &[("19", stutter), ("20", 1000.0)]);
            StrReferences::new(&r, &[(DonorId("D1".into()), &donor)], cfg.clone()).unwrap()
        };
        // At the cap: 0.2 seen, one censored position (the donor's 21).
        let st = refs(200.0).stutter[&l];
        assert_eq!(st.source, StutterSource::References);
        assert_eq!((st.back_seen, st.back_rejected), (1, 0));
        assert_eq!(st.back_measured, Some(0.2));
        let want = (1.5 * 0.2 + kit) / 2.5;
        assert!((st.back - want).abs() < 1e-12, "{} vs {want}", st.back);
        let text = st.describe("generic");
        assert!(
            text.contains("measured 0.200 on the pure profiles over 1 peak and 1 position without a peak, shrunk toward the kit default"),
            "{text}"
        );
        // Above it: not stutter; nothing else measured, so the kit's ratio.
        let st = refs(200.5).stutter[&l];
        assert_eq!(st.source, StutterSource::Kit);
        assert_eq!((st.back_seen, st.back_rejected), (0, 1));
        assert_eq!(st.back, kit);
    }

    /// Forward and n−2 ratios are pooled over the loci as multiples of the
    /// kit's per-locus ratio: the kit's profile (GlobalFiler n−2: D21S11
    /// 0.0122, D13S317 0.0035) is kept, scaled by what the references show.
    #[test]
    fn pooled_double_back_keeps_the_kits_locus_profile() {
        let cfg = StrConfig {
            kit: crate::str::kit::Kit::built_in("globalfiler").unwrap(),
            ..StrConfig::default()
        };
        let (hi, lo) = (Locus::D21s11, Locus::D13s317);
        let (k_hi, k_lo) = (
            cfg.kit.stutter(hi).double_back,
            cfg.kit.stutter(lo).double_back,
        );
        assert!(k_hi > 3.0 * k_lo);
        // Each own allele at 10,000 RFU with its n−2 stutter at twice the
        // kit's ratio.
        let person = |name: &str, a: [&str; 2], b: [&str; 2], n2: [[&str; 2]; 2]| {
            let mut p = StrProfile::new(name);
            for (l, k, own, st) in [(hi, k_hi, a, n2[0]), (lo, k_lo, b, n2[1])] {
                let peaks = [(st[0], 20_000.0 * k), (st[1], 20_000.0 * k)]
                    .into_iter()
                    .chain(own.map(|x| (x, 10_000.0)));
                p.loci
                    .extend(profile(name, l, &peaks.collect::<Vec<_>>()).loci);
            }
            p
        };
        let r = person("R", ["28", "33"], ["8", "12"], [["26", "31"], ["6", "10"]]);
        let d = person("D", ["30", "35"], ["9", "13"], [["28", "33"], ["7", "11"]]);
        let refs = StrReferences::new(&r, &[(DonorId("D1".into()), &d)], cfg).unwrap();
        let (got_hi, got_lo) = (refs.stutter[&hi].double_back, refs.stutter[&lo].double_back);
        assert!(
            (got_hi - 2.0 * k_hi).abs() < 1e-9,
            "{got_hi} vs {}",
            2.0 * k_hi
        );
        assert!(
            (got_lo - 2.0 * k_lo).abs() < 1e-9,
            "{got_lo} vs {}",
            2.0 * k_lo
        );
    }
}

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
/// people is an error, or (with `allow_identical`) the later one is dropped
/// and the earlier one carries their combined share, flagged.
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
    let pooled = |which: usize| -> (Option<f64>, usize) {
        let (mut v, mut below) = (Vec::new(), Vec::new());
        for li in autosomal() {
            for p in persons {
                let g = &p.loci[&li.locus];
                v.extend(match which {
                    1 => g.forward_stutter.iter(),
                    _ => g.double_back_stutter.iter(),
                });
                below.extend(g.stutter_below[which].iter());
            }
        }
        (censored_median(&v, &below), v.len())
    };
    let (fwd_learned, fwd_seen) = pooled(1);
    let (dbl_learned, _) = pooled(2);
    let n_fwd = fwd_seen;
    let mut from_kit = Vec::new();
    let mut out = BTreeMap::new();
    for li in info {
        let back: Vec<f64> = persons
            .iter()
            .flat_map(|p| p.loci[&li.locus].back_stutter.clone())
            .collect();
        let back_below: Vec<f64> = persons
            .iter()
            .flat_map(|p| p.loci[&li.locus].stutter_below[0].clone())
            .collect();
        let seen = back.len();
        let kit = cfg.kit.stutter(li.locus);
        let n_back = back.len() + back_below.len();
        let on = cfg.model_stutter && !li.locus.is_sex_marker();
        let (b, source) = match (on, seen > 0) {
            (false, _) => (0.0, StutterSource::Off),
            (true, true) => (
                censored_median(&back, &back_below).unwrap_or(0.0),
                StutterSource::References,
            ),
            (true, false) => {
                from_kit.push(li.locus.name());
                (kit.back, StutterSource::Kit)
            }
        };
        let pick = |learned: Option<f64>, default: f64| {
            if on { learned.unwrap_or(default) } else { 0.0 }
        };
        out.insert(
            li.locus,
            StutterRatios {
                back: b,
                forward: pick(fwd_learned, kit.forward),
                double_back: pick(dbl_learned, kit.double_back),
                back_observations: n_back,
                forward_observations: n_fwd,
                source,
            },
        );
    }
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
    out
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

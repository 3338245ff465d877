//! Reference genotypes called from pure (pre-transplant recipient, donor)
//! profiles, and the stutter ratios those profiles show.

use std::collections::BTreeMap;

use graftwatch_core::PersonRef;
use serde::Serialize;

use super::allele::Allele;
use super::config::StrConfig;
use super::locus::Locus;
use super::profile::{Peak, StrProfile};
use super::qc::{StrFlag, StrFlagCode};

/// One called allele of a person at a locus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalledAllele {
    /// The allele.
    pub allele: Allele,
    /// Copies in the genome (2 for a homozygote, 1 for each heterozygote
    /// allele, 2/n for each of n alleles at a tri-allelic locus).
    pub dosage: f64,
    /// Signal of the peak in the pure profile.
    pub signal: f64,
}

/// A person's genotype at one locus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocusGenotype {
    /// Alleles, sorted.
    pub alleles: Vec<CalledAllele>,
    /// Heterozygote balance (smaller / larger peak) for two alleles.
    pub het_balance: Option<f64>,
    /// Observed back-stutter ratios (peak at n−1 / parent) in the pure profile
    /// (stutter peaks actually seen; those below the analytical threshold
    /// are in `stutter_below`).
    pub back_stutter: Vec<f64>,
    /// Observed forward-stutter ratios (peak at n+1 / parent).
    pub forward_stutter: Vec<f64>,
    /// Observed double back-stutter ratios (peak at n−2 / parent).
    pub double_back_stutter: Vec<f64>,
    /// Stutter peaks actually seen (not censored) at n−1, n+1, n−2. When
    /// all are 0 across the references, the export carries no stutter
    /// (stutter-filtered, or a genotype table) and kit defaults are used.
    pub stutter_seen: [usize; 3],
    /// Left-censored stutter observations at n−1, n+1, n−2: no peak, so the
    /// ratio is below this detection bound (analytical threshold / parent
    /// height).
    pub stutter_below: [Vec<f64>; 3],
}

impl LocusGenotype {
    /// Dosage (0, 1, 2 or 2/n) of `allele`.
    pub fn dosage(&self, allele: &Allele) -> f64 {
        self.alleles
            .iter()
            .filter(|a| &a.allele == allele)
            .map(|a| a.dosage)
            .sum()
    }
    /// True when `allele` is one of the called alleles.
    pub fn has(&self, allele: &Allele) -> bool {
        self.alleles.iter().any(|a| &a.allele == allele)
    }
    /// The alleles as text, e.g. `9.3/10`.
    pub fn label(&self) -> String {
        match self.alleles.as_slice() {
            [one] => format!("{0}/{0}", one.allele),
            many => many
                .iter()
                .map(|a| a.allele.to_string())
                .collect::<Vec<_>>()
                .join("/"),
        }
    }
    /// True for a single allele (homozygote).
    pub fn is_homozygous(&self) -> bool {
        self.alleles.len() == 1
    }
}

/// A person's reference genotypes over all typed loci.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceGenotype {
    /// Whose profile this is.
    pub person: PersonRef,
    /// The sample it was called from.
    pub sample: String,
    /// Genotype per typed locus.
    pub loci: BTreeMap<Locus, LocusGenotype>,
    /// Warnings raised while calling (tri-allelic, imbalance, off-ladder).
    pub flags: Vec<StrFlag>,
}

/// True when the peak passes the analytical threshold (on height when
/// exported, else on the configured measure).
pub fn passes_analytical_threshold(p: &Peak, cfg: &StrConfig) -> bool {
    match p.height.or_else(|| p.signal(cfg.measure)) {
        Some(h) => h >= cfg.analytical_threshold_rfu,
        None => false,
    }
}

/// True when the profile carries no peak signal at all (a genotype table):
/// every listed allele is then taken as called.
pub fn is_genotype_only(profile: &StrProfile) -> bool {
    profile
        .loci
        .values()
        .flatten()
        .all(|p| p.height.is_none() && p.area.is_none())
}

/// Calls a person's genotype at every locus of a pure profile: peaks at or
/// above the analytical threshold and at least `relative_threshold` × the
/// locus maximum are alleles. Loci with no such peak are left out. A peak
/// between `reference_minor_floor` × the maximum and the relative threshold
/// that is no stutter of the called alleles is never dropped silently: with
/// one allele called it is the heterozygote's second allele, otherwise the
/// locus is not called; both flagged `STR-REF-IMBALANCE`. Also
/// records stutter ratios at positions that are not the person's own alleles.
/// A genotype table (no heights or areas) gives its listed alleles.
pub fn call_reference(
    person: PersonRef,
    profile: &StrProfile,
    cfg: &StrConfig,
) -> ReferenceGenotype {
    let genotype_only = is_genotype_only(profile);
    let mut loci = BTreeMap::new();
    let mut flags = Vec::new();
    for (&locus, peaks) in &profile.loci {
        let g = if genotype_only {
            let g = listed_genotype(peaks);
            if let Some(g) = g.as_ref().filter(|g| g.alleles.len() >= 3) {
                let n = g.alleles.len();
                flags.push(StrFlag::new(
                    StrFlagCode::TriAllelic,
                    format!(
                        "{person} ({}) {locus}: {n} alleles listed in the genotype table ({}); each given dosage 2/{n}",
                        profile.sample,
                        g.alleles
                            .iter()
                            .map(|c| c.allele.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            g
        } else {
            called_genotype(&person, profile, locus, peaks, cfg, &mut flags)
        };
        if let Some(g) = g {
            loci.insert(locus, g);
        }
    }
    ReferenceGenotype {
        person,
        sample: profile.sample.clone(),
        loci,
        flags,
    }
}

/// The alleles of a genotype table row (off-ladder entries ignored).
fn listed_genotype(peaks: &[Peak]) -> Option<LocusGenotype> {
    let mut alleles: Vec<Allele> = peaks
        .iter()
        .map(|p| p.allele.clone())
        .filter(|a| !a.is_off_ladder())
        .collect();
    alleles.sort();
    alleles.dedup();
    if alleles.is_empty() {
        return None;
    }
    let n = alleles.len() as f64;
    Some(LocusGenotype {
        alleles: alleles
            .into_iter()
            .map(|allele| CalledAllele {
                allele,
                dosage: 2.0 / n,
                signal: 0.0,
            })
            .collect(),
        het_balance: None,
        back_stutter: Vec::new(),
        forward_stutter: Vec::new(),
        double_back_stutter: Vec::new(),
        stutter_seen: [0; 3],
        stutter_below: Default::default(),
    })
}

fn called_genotype(
    person: &PersonRef,
    profile: &StrProfile,
    locus: Locus,
    peaks: &[Peak],
    cfg: &StrConfig,
    flags: &mut Vec<StrFlag>,
) -> Option<LocusGenotype> {
    let usable: Vec<(&Peak, f64)> = peaks
        .iter()
        .filter(|p| passes_analytical_threshold(p, cfg))
        .filter_map(|p| p.signal(cfg.measure).map(|s| (p, s)))
        .collect();
    let max = usable.iter().map(|(_, s)| *s).fold(0.0_f64, f64::max);
    if max <= 0.0 {
        return None;
    }
    let ctx = CallContext {
        person,
        profile,
        locus,
        cfg,
        max,
    };
    let mut called = ctx.alleles_above_threshold(&usable, flags)?;
    if let Some(f) = ctx.unlabelled_allele(&usable) {
        flags.push(f);
        return None;
    }
    let minor = minor_peaks(&called, &usable, locus, max, cfg);
    let recovered = ctx.recover_minor(&mut called, &minor, flags)?;
    let n = called.len();
    for c in &mut called {
        c.dosage = 2.0 / n as f64;
    }
    if n >= 3 {
        flags.push(StrFlag::new(
            StrFlagCode::TriAllelic,
            format!("{person} ({}) {locus}: {n} alleles above {:.0}% of the locus maximum ({}); each given dosage 2/{n}",
                profile.sample, cfg.relative_threshold * 100.0,
                called.iter().map(|c| c.allele.to_string()).collect::<Vec<_>>().join(", ")),
        ));
    }
    // A recovered minor allele carries its own flag (`STR-REF-IMBALANCE`).
    let mut hb_flags = Vec::new();
    let het_balance = het_balance(person, profile, locus, &called, cfg, &mut hb_flags);
    if !recovered {
        flags.extend(hb_flags);
    }
    let (obs, below) = stutter_observations(&called, &usable, cfg);
    let seen = [obs[0].len(), obs[1].len(), obs[2].len()];
    let [back_stutter, forward_stutter, double_back_stutter] = obs;
    Some(LocusGenotype {
        alleles: called,
        het_balance,
        back_stutter,
        forward_stutter,
        double_back_stutter,
        stutter_seen: seen,
        stutter_below: below,
    })
}

/// What the calling of one reference locus works with.
struct CallContext<'a> {
    person: &'a PersonRef,
    profile: &'a StrProfile,
    locus: Locus,
    cfg: &'a StrConfig,
    /// The locus's largest signal.
    max: f64,
}

impl CallContext<'_> {
    /// The on-ladder alleles at or above the relative threshold (sorted);
    /// `None` (flagged) when an off-ladder peak competes with them or the
    /// largest peak is off-ladder.
    fn alleles_above_threshold(
        &self,
        usable: &[(&Peak, f64)],
        flags: &mut Vec<StrFlag>,
    ) -> Option<Vec<CalledAllele>> {
        let (cfg, max) = (self.cfg, self.max);
        let mut called: Vec<CalledAllele> = usable
            .iter()
            .filter(|(p, s)| *s >= cfg.relative_threshold * max && !p.allele.is_off_ladder())
            .map(|(p, s)| CalledAllele {
                allele: p.allele.clone(),
                dosage: 0.0,
                signal: *s,
            })
            .collect();
        called.sort_by(|a, b| a.allele.cmp(&b.allele));
        if called.is_empty() {
            flags.push(StrFlag::new(
                StrFlagCode::OffLadder,
                format!(
                    "{} ({}) {}: the largest peak is off-ladder; locus not called",
                    self.person, self.profile.sample, self.locus
                ),
            ));
            return None;
        }
        if let Some(f) = off_ladder_allele(
            self.person,
            self.profile,
            self.locus,
            usable,
            cfg.relative_threshold * max,
            max,
        ) {
            flags.push(f);
            return None;
        }
        Some(called)
    }

    /// Rule STR-REF-IMBALANCE: one minor peak beside a single called
    /// allele is its sister allele (added, flagged; `Some(true)`); more
    /// than one, or one beside two alleles, leave the locus uncalled
    /// (`None`, flagged); none: `Some(false)`.
    fn recover_minor(
        &self,
        called: &mut Vec<CalledAllele>,
        minor: &[(&Peak, f64)],
        flags: &mut Vec<StrFlag>,
    ) -> Option<bool> {
        match (called.len(), minor) {
            (_, []) => Some(false),
            (1, [(p, s)]) => {
                flags.push(self.imbalance_flag(&called[0], p, *s));
                called.push(CalledAllele {
                    allele: p.allele.clone(),
                    dosage: 0.0,
                    signal: *s,
                });
                called.sort_by(|a, b| a.allele.cmp(&b.allele));
                Some(true)
            }
            (_, many) => {
                flags.push(self.ambiguous_flag(called, many));
                None
            }
        }
    }

    fn imbalance_flag(&self, major: &CalledAllele, p: &Peak, s: f64) -> StrFlag {
        let (cfg, max) = (self.cfg, self.max);
        StrFlag::new(
            StrFlagCode::ReferenceImbalance,
            format!(
                "{} ({}) {}: alleles {}/{}: {} at {:.0}% of the locus maximum (balance {:.2}: {:.0} vs {:.0}) is below the {:.0}% calling threshold but above the {:.0}% floor and is no stutter of {}: called as a heterozygote (not {}/{}); review the reference",
                self.person,
                self.profile.sample,
                self.locus,
                p.allele.clone().min(major.allele.clone()),
                p.allele.clone().max(major.allele.clone()),
                p.allele,
                100.0 * s / max,
                s / major.signal,
                s,
                major.signal,
                cfg.relative_threshold * 100.0,
                cfg.reference_minor_floor * 100.0,
                major.allele,
                major.allele,
                major.allele
            ),
        )
    }

    fn ambiguous_flag(&self, called: &[CalledAllele], many: &[(&Peak, f64)]) -> StrFlag {
        let (cfg, max) = (self.cfg, self.max);
        StrFlag::new(
            StrFlagCode::ReferenceImbalance,
            format!(
                "{} ({}) {}: called {} with {} between the {:.0}% floor and the {:.0}% calling threshold that {} not stutter ({}): the genotype is ambiguous; locus not called (review the reference)",
                self.person,
                self.profile.sample,
                self.locus,
                called
                    .iter()
                    .map(|c| c.allele.to_string())
                    .collect::<Vec<_>>()
                    .join("/"),
                graftwatch_core::number::counted_as(many.len(), "more peak", "more peaks"),
                cfg.reference_minor_floor * 100.0,
                cfg.relative_threshold * 100.0,
                if many.len() == 1 { "is" } else { "are" },
                many.iter()
                    .map(|(p, s)| format!("{} at {:.0}%", p.allele, 100.0 * s / max))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

/// The peaks of a pure profile's locus that may be a lost allele: at or
/// above `reference_minor_floor` × the locus maximum and below the relative
/// threshold, on the ladder, not a called allele, and larger than the most
/// stutter the called alleles can put there ([`stutter_allowance`]).
fn minor_peaks<'a>(
    called: &[CalledAllele],
    usable: &[(&'a Peak, f64)],
    locus: Locus,
    max: f64,
    cfg: &StrConfig,
) -> Vec<(&'a Peak, f64)> {
    usable
        .iter()
        .filter(|(p, s)| {
            *s >= cfg.reference_minor_floor * max
                && *s < cfg.relative_threshold * max
                && !p.allele.is_off_ladder()
                && !called.iter().any(|c| c.allele == p.allele)
                && *s > stutter_allowance(&p.allele, called, locus, cfg)
        })
        .map(|(p, s)| (*p, *s))
        .collect()
}

/// The most stutter the called alleles can put at `pos`: per parent,
/// `stutter_max_ratio` (or the kit's back ratio when larger) one repeat
/// above, 3 × the kit's forward ratio one repeat below and 3 × its
/// double-back ratio two repeats above, × the parent's signal.
fn stutter_allowance(pos: &Allele, called: &[CalledAllele], locus: Locus, cfg: &StrConfig) -> f64 {
    let kit = cfg.kit.stutter(locus);
    called
        .iter()
        .map(|c| {
            let mut r = 0.0;
            if c.allele.minus(1).as_ref() == Some(pos) {
                r += cfg.stutter_max_ratio.max(kit.back);
            }
            if c.allele.plus_one().as_ref() == Some(pos) {
                r += 3.0 * kit.forward;
            }
            if c.allele.minus(2).as_ref() == Some(pos) {
                r += 3.0 * kit.double_back;
            }
            r * c.signal
        })
        .sum()
}

/// `value` and `limit` (value < limit) with two decimals, or as many more
/// (up to five) as it takes for the two to read differently: "0.597 <
/// 0.60", never "0.60 < 0.60".
pub fn distinct_below(value: f64, limit: f64) -> (String, String) {
    let limit_s = format!("{limit:.2}");
    for d in 2..=4 {
        let v = format!("{value:.d$}");
        if v != format!("{limit:.d$}") {
            return (v, limit_s);
        }
    }
    // Closer than 0.00005: shown rounded down, which stays below.
    (format!("{:.4}", (value * 1e4).floor() / 1e4), limit_s)
}

/// The heterozygote balance of two called alleles (smaller / larger),
/// flagged `STR-HB` below `het_balance_min` (not at amelogenin, where X/Y
/// imbalance is common and the marker is not used for chimerism unless
/// asked).
fn het_balance(
    person: &PersonRef,
    profile: &StrProfile,
    locus: Locus,
    called: &[CalledAllele],
    cfg: &StrConfig,
    flags: &mut Vec<StrFlag>,
) -> Option<f64> {
    let [x, y] = called else { return None };
    let (a, b) = (x.signal, y.signal);
    let hb = a.min(b) / a.max(b);
    if hb < cfg.het_balance_min && !locus.is_sex_marker() {
        let (shown, limit) = distinct_below(hb, cfg.het_balance_min);
        flags.push(StrFlag::new(
            StrFlagCode::HeterozygoteImbalance,
            format!(
                "{person} ({}) {locus}: heterozygote balance {shown} < {limit} ({} {a:.0} vs {} {b:.0})",
                profile.sample, x.allele, y.allele
            ),
        ));
    }
    Some(hb)
}

impl CallContext<'_> {
    /// The locus's dye letter: as its labelled peaks were exported, else
    /// from the kit file; `None` when neither tells (then no unlabelled
    /// peak is taken for the locus's: size-standard and pull-up peaks of
    /// other dyes fall at allele sizes too).
    fn locus_dye(&self) -> Option<char> {
        self.profile
            .locus_dyes
            .get(&self.locus)
            .copied()
            .or_else(|| {
                self.cfg
                    .kit
                    .dye(self.locus)
                    .and_then(super::kit::dye_letter)
            })
    }

    /// The flag of a reference locus beside whose called allele the export
    /// lists a peak without a marker ([`StrProfile::unlabelled`]) of the
    /// locus's dye at or above the relative threshold, half a repeat to one
    /// and a half repeats from the allele (a peak of the same size is a
    /// pull-up, not an allele): the analysis software may have left an
    /// allele unlabelled (seen in a real GeneMapper export), and calling
    /// the labelled peak alone would make a heterozygote a homozygote, so
    /// the locus is not called, as for an off-ladder peak (`STR-OL`).
    fn unlabelled_allele(&self, usable: &[(&Peak, f64)]) -> Option<StrFlag> {
        let (cfg, max) = (self.cfg, self.max);
        let repeat = f64::from(self.locus.repeat_len()?);
        let dye = self.locus_dye()?;
        let (u, s, p) = self
            .profile
            .unlabelled
            .iter()
            .filter(|u| u.dye.is_some_and(|d| d.eq_ignore_ascii_case(&dye)))
            .filter_map(|u| Some((u, u.signal(cfg.measure)?, u.size?)))
            .filter(|(_, s, _)| *s >= cfg.relative_threshold * max)
            .find_map(|(u, s, size)| {
                usable
                    .iter()
                    .filter(|(p, _)| !p.allele.is_off_ladder())
                    .find(|(p, _)| {
                        p.size.is_some_and(|at| {
                            let d = (size - at).abs();
                            d >= 0.5 * repeat && d <= 1.5 * repeat
                        })
                    })
                    .map(|(p, _)| (u, s, *p))
            })?;
        Some(StrFlag::new(
            StrFlagCode::OffLadder,
            format!(
                "{} ({}) {}: a peak without a marker at {:.2} bp ({:.0}% of the locus maximum), about one repeat from allele {} at {:.2} bp, may be an allele the analysis software left unlabelled; locus not called (a kit file with bins calls it)",
                self.person,
                self.profile.sample,
                self.locus,
                u.size.unwrap_or(0.0),
                100.0 * s / max,
                p.allele,
                p.size.unwrap_or(0.0)
            ),
        ))
    }
}

/// The flag of a reference locus with an off-ladder peak at or above the
/// relative threshold (`at_least`): it may be an allele outside the ladder,
/// and calling the other peaks alone would make a heterozygote a
/// homozygote (dosage 2), so the locus is not called.
fn off_ladder_allele(
    person: &PersonRef,
    profile: &StrProfile,
    locus: Locus,
    usable: &[(&Peak, f64)],
    at_least: f64,
    max: f64,
) -> Option<StrFlag> {
    let (p, s) = usable
        .iter()
        .filter(|(p, s)| *s >= at_least && p.allele.is_off_ladder())
        .max_by(|x, y| x.1.total_cmp(&y.1))?;
    Some(StrFlag::new(
        StrFlagCode::OffLadder,
        format!(
            "{person} ({}) {locus}: off-ladder peak {} at {:.0}% of the locus maximum may be an allele outside the ladder; locus not called (a kit file with bins calls it)",
            profile.sample,
            p.allele,
            100.0 * s / max
        ),
    ))
}

/// Stutter ratios at n−1, n+1 and n−2 of each called allele (positions that
/// are not the person's own alleles): the ratios seen, and for positions
/// with no peak the detection bound (threshold / parent height; the ratio
/// is left-censored below it). Saturated parents are skipped (their true
/// height is unknown).
fn stutter_observations(
    called: &[CalledAllele],
    usable: &[(&Peak, f64)],
    cfg: &StrConfig,
) -> ([Vec<f64>; 3], [Vec<f64>; 3]) {
    let own = |a: &Allele| called.iter().any(|c| &c.allele == a);
    // A position that is also a larger kind of stutter of another own allele
    // mixes two kinds (the n−2 of b is the n−1 of b−1): not used. Back
    // stutter is the largest, so an n−1 position is only confounded by a
    // forward stutter of another allele; n+1 and n−2 by any other kind.
    let other_stutter = |kind: usize, pos: &Allele, parent: &Allele| {
        called.iter().filter(|o| &o.allele != parent).any(|o| {
            let kinds = [o.allele.minus(1), o.allele.plus_one(), o.allele.minus(2)];
            kinds
                .iter()
                .enumerate()
                .any(|(j, x)| x.as_ref() == Some(pos) && j != kind && (kind != 0 || j == 1))
        })
    };
    let at = |a: &Allele, f: &dyn Fn(&Peak, f64) -> f64| {
        usable
            .iter()
            .filter(|(p, _)| &p.allele == a)
            .map(|(p, s)| f(p, *s))
            .sum::<f64>()
    };
    let mut obs: [Vec<f64>; 3] = Default::default();
    let mut below: [Vec<f64>; 3] = Default::default();
    for c in called {
        let parent_h = at(&c.allele, &|p, s| p.height.unwrap_or(s));
        if parent_h >= cfg.saturation_limit() {
            continue;
        }
        let bound = if parent_h > 0.0 {
            cfg.analytical_threshold_rfu / parent_h
        } else {
            0.0
        };
        let positions = [c.allele.minus(1), c.allele.plus_one(), c.allele.minus(2)];
        for (i, pos) in positions.into_iter().enumerate() {
            let Some(pos) = pos.filter(|m| !own(m) && !other_stutter(i, m, &c.allele)) else {
                continue;
            };
            let s = at(&pos, &|_, s| s);
            if s > 0.0 {
                obs[i].push(s / c.signal);
            } else if bound > 0.0 && bound < 1.0 {
                below[i].push(bound);
            }
        }
    }
    (obs, below)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review-lab item 15: "heterozygote balance 0.60 < 0.60" read as a
    /// contradiction; the balance shows as many decimals as it takes.
    #[test]
    fn a_balance_below_the_limit_reads_below_it() {
        let s = |v, l| distinct_below(v, l);
        assert_eq!(s(0.45, 0.6), ("0.45".into(), "0.60".into()));
        assert_eq!(s(0.597, 0.6), ("0.597".into(), "0.60".into()));
        assert_eq!(s(0.59996, 0.6), ("0.5999".into(), "0.60".into()));
    }

    fn peak(a: &str, locus: Locus, s: f64) -> Peak {
        Peak {
            allele: Allele::parse(a, locus).unwrap(),
            height: Some(s),
            area: Some(s * 10.0),
            size: None,
        }
    }

    fn profile(peaks: Vec<(Locus, Vec<Peak>)>) -> StrProfile {
        let mut p = StrProfile::new("ref");
        for (l, v) in peaks {
            p.loci.insert(l, v);
        }
        p
    }

    fn codes(g: &ReferenceGenotype) -> Vec<&'static str> {
        g.flags.iter().map(|f| f.code.code()).collect()
    }

    #[test]
    fn relative_threshold_boundary_both_sides() {
        let l = Locus::Fga;
        // 500 vs 1000: exactly 50% => allele (balance flag only); 499 =>
        // still an allele (above the 35% floor, no stutter), flagged.
        let cfg = StrConfig::default();
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("20", l, 1000.0), peak("22", l, 500.0)])]),
            &cfg,
        );
        assert_eq!(g.loci[&l].alleles.len(), 2);
        assert_eq!(codes(&g), vec!["STR-HB"]);
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("20", l, 1000.0), peak("22", l, 499.0)])]),
            &cfg,
        );
        assert_eq!(g.loci[&l].label(), "20/22");
        assert_eq!(codes(&g), vec!["STR-REF-IMBALANCE"]);
    }

    /// Audit F4 (A055): a vWA 15/16 heterozygote at balance 0.499, its 15
    /// in the n−1 position of 16, was typed 16/16 and its 15 "learned" as a
    /// back-stutter ratio of 0.499. A non-stutter peak between the 25%
    /// floor and the 50% threshold is the second allele, flagged.
    #[test]
    fn lost_heterozygote_allele_is_called_with_a_flag_down_to_the_floor() {
        let l = Locus::Vwa;
        let cfg = StrConfig::default();
        let call = |minor: f64| {
            call_reference(
                PersonRef::Donor(graftwatch_core::DonorId("D1".into())),
                &profile(vec![(l, vec![peak("15", l, minor), peak("16", l, 1000.0)])]),
                &cfg,
            )
        };
        let g = call(499.0);
        let lg = &g.loci[&l];
        assert_eq!(lg.label(), "15/16");
        assert_eq!(lg.dosage(&Allele::parse("16", l).unwrap()), 1.0);
        // Not a stutter observation any more.
        assert!(lg.back_stutter.is_empty(), "{:?}", lg.back_stutter);
        let f = &g.flags[0];
        assert_eq!(g.flags.len(), 1, "{:?}", g.flags);
        assert_eq!(f.code, StrFlagCode::ReferenceImbalance);
        for part in [
            "D1",
            "vWA",
            "15/16",
            "balance 0.50",
            "50% calling threshold",
        ] {
            assert!(f.text.contains(part), "{part}: {}", f.text);
        }
        // At the floor: an allele; just under it: stutter-sized, dropped.
        assert_eq!(call(350.0).loci[&l].label(), "15/16");
        let g = call(349.9);
        assert_eq!(g.loci[&l].label(), "16/16");
        assert!(g.flags.is_empty(), "{:?}", g.flags);
        assert_eq!(g.loci[&l].back_stutter, vec![0.3499]);
    }

    /// With the floor lowered below the stutter cap, a peak one repeat below
    /// a called allele is stutter up to `stutter_max_ratio` of its parent.
    #[test]
    fn a_peak_explained_as_stutter_is_no_minor_allele() {
        let l = Locus::D8s1179;
        let cfg = StrConfig {
            reference_minor_floor: 0.1,
            ..StrConfig::default()
        };
        let call = |minor: f64| {
            call_reference(
                PersonRef::Recipient,
                &profile(vec![(l, vec![peak("12", l, minor), peak("13", l, 1000.0)])]),
                &cfg,
            )
        };
        let g = call(200.0);
        assert_eq!(g.loci[&l].label(), "13/13");
        assert!(g.flags.is_empty(), "{:?}", g.flags);
        let g = call(200.1);
        assert_eq!(g.loci[&l].label(), "12/13");
        assert_eq!(codes(&g), vec!["STR-REF-IMBALANCE"]);
        // Two repeats below is only double-back stutter (3 × the kit's
        // ratio): a peak at 15% there is an allele.
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("11", l, 150.0), peak("13", l, 1000.0)])]),
            &cfg,
        );
        assert_eq!(g.loci[&l].label(), "11/13");
    }

    /// Ambiguous patterns are not guessed: two candidate peaks next to one
    /// allele, or one next to two called alleles, leave the locus uncalled.
    #[test]
    fn ambiguous_minor_peaks_leave_the_locus_uncalled() {
        let l = Locus::D21s11;
        let cfg = StrConfig::default();
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(
                l,
                vec![
                    peak("27", l, 360.0),
                    peak("30", l, 1000.0),
                    peak("33", l, 400.0),
                ],
            )]),
            &cfg,
        );
        assert!(!g.loci.contains_key(&l));
        assert_eq!(codes(&g), vec!["STR-REF-IMBALANCE"]);
        assert!(
            g.flags[0].text.contains("locus not called"),
            "{}",
            g.flags[0].text
        );
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(
                l,
                vec![
                    peak("27", l, 360.0),
                    peak("30", l, 1000.0),
                    peak("33", l, 900.0),
                ],
            )]),
            &cfg,
        );
        assert!(!g.loci.contains_key(&l));
        // Below the floor the third peak is ignored as before.
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(
                l,
                vec![
                    peak("27", l, 240.0),
                    peak("30", l, 1000.0),
                    peak("33", l, 900.0),
                ],
            )]),
            &cfg,
        );
        assert_eq!(g.loci[&l].label(), "30/33");
    }

    /// A reference's off-ladder peak at or above the relative threshold may
    /// be an allele outside the ladder: the locus is not called (never a
    /// homozygote); below the threshold it is ignored (real export:
    /// BioHPC/Rchimerism cord unit D7S820 9 + OL at 76%).
    #[test]
    fn off_ladder_peak_above_the_relative_threshold_leaves_the_locus_uncalled() {
        let l = Locus::D7s820;
        let cfg = StrConfig::default();
        let call = |ol: f64| {
            call_reference(
                PersonRef::Recipient,
                &profile(vec![(l, vec![peak("9", l, 1000.0), peak("OL", l, ol)])]),
                &cfg,
            )
        };
        let g = call(500.0);
        assert!(!g.loci.contains_key(&l));
        let f = g
            .flags
            .iter()
            .find(|f| f.code == StrFlagCode::OffLadder)
            .unwrap();
        assert!(f.text.contains("at 50% of the locus maximum"), "{}", f.text);
        let g = call(499.0);
        assert_eq!(g.loci[&l].alleles.len(), 1);
        assert!(g.flags.is_empty());
    }

    /// Real-export audit P3: a GeneMapper export left a donor's D22S1045
    /// allele 15 (111.11 bp, 4192 RFU) without a marker beside its labelled
    /// 16 (114.11 bp, 4677 RFU); typing the donor 16/16 hid an allele.
    #[test]
    fn an_unlabelled_peak_beside_an_allele_leaves_the_locus_uncalled() {
        use crate::str::UnlabelledPeak;
        let l = Locus::D22s1045;
        let cfg = StrConfig::default();
        let call = |size: f64, height: f64| {
            let mut p = profile(vec![(
                l,
                vec![Peak {
                    size: Some(114.11),
                    ..peak("16", l, 4677.0)
                }],
            )]);
            p.locus_dyes.insert(l, 'R');
            p.unlabelled.push(UnlabelledPeak {
                size: Some(size),
                height: Some(height),
                area: Some(height * 10.0),
                dye: Some('R'),
            });
            p
        };
        let call = |size: f64, height: f64| {
            call_reference(PersonRef::Recipient, &call(size, height), &cfg)
        };
        let g = call(111.11, 4192.0);
        assert!(!g.loci.contains_key(&l));
        assert_eq!(codes(&g), vec!["STR-OL"]);
        assert!(
            g.flags[0]
                .text
                .contains("111.11 bp (90% of the locus maximum)"),
            "{}",
            g.flags[0].text
        );
        assert!(
            g.flags[0].text.contains("allele 16 at 114.11 bp"),
            "{}",
            g.flags[0].text
        );
        // Boundaries: half a repeat (1.5 bp) and one and a half (4.5 bp)
        // from the allele on both sides; the relative threshold (50 %).
        for (size, called) in [
            (112.61, false),
            (112.62, true),
            (109.61, false),
            (109.60, true),
        ] {
            assert_eq!(
                call(size, 4192.0).loci.contains_key(&l),
                called,
                "{size} bp"
            );
        }
        assert!(!call(111.11, 2338.5).loci.contains_key(&l));
        assert!(call(111.11, 2338.0).loci.contains_key(&l));
        // A pull-up under the allele (same size) is no allele.
        assert!(call(114.2, 4000.0).loci.contains_key(&l));
    }

    /// The same real export lists its size standard (dye O: 114, 140,
    /// 200, … 314 bp) without markers: a peak of another dye, or of a dye
    /// nobody can tell, is never taken for an allele.
    #[test]
    fn an_unlabelled_peak_of_another_or_an_unknown_dye_is_no_allele() {
        use crate::str::UnlabelledPeak;
        let l = Locus::D22s1045;
        let cfg = StrConfig::default();
        let with = |locus_dye: Option<char>, dye: Option<char>| {
            let mut p = profile(vec![(
                l,
                vec![Peak {
                    size: Some(114.11),
                    ..peak("16", l, 4677.0)
                }],
            )]);
            if let Some(d) = locus_dye {
                p.locus_dyes.insert(l, d);
            }
            p.unlabelled.push(UnlabelledPeak {
                size: Some(111.11),
                height: Some(4192.0),
                area: Some(41920.0),
                dye,
            });
            call_reference(PersonRef::Recipient, &p, &cfg)
                .loci
                .contains_key(&l)
        };
        assert!(!with(Some('R'), Some('r')));
        assert!(with(Some('R'), Some('O')));
        assert!(with(None, Some('R')));
        assert!(with(Some('R'), None));
    }

    #[test]
    fn analytical_threshold_boundary_both_sides() {
        let l = Locus::Th01;
        let cfg = StrConfig::default();
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("6", l, 50.0)])]),
            &cfg,
        );
        assert!(g.loci.contains_key(&l));
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("6", l, 49.9)])]),
            &cfg,
        );
        assert!(!g.loci.contains_key(&l));
    }

    #[test]
    fn imbalance_and_triallelic_flags() {
        let l = Locus::Vwa;
        let cfg = StrConfig::default();
        // balance 0.59 => flag; 0.6 => none.
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("14", l, 1000.0), peak("17", l, 590.0)])]),
            &cfg,
        );
        assert!(
            g.flags
                .iter()
                .any(|f| f.code == StrFlagCode::HeterozygoteImbalance)
        );
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("14", l, 1000.0), peak("17", l, 600.0)])]),
            &cfg,
        );
        assert!(g.flags.is_empty());
        // Amelogenin X/Y imbalance is not flagged (not used for chimerism).
        let am = Locus::Amelogenin;
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(
                am,
                vec![peak("X", am, 1000.0), peak("Y", am, 530.0)],
            )]),
            &cfg,
        );
        assert_eq!(g.loci[&am].alleles.len(), 2);
        assert!(g.flags.is_empty(), "{:?}", g.flags);
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(
                l,
                vec![
                    peak("14", l, 1000.0),
                    peak("16", l, 900.0),
                    peak("18", l, 800.0),
                ],
            )]),
            &cfg,
        );
        assert!(g.flags.iter().any(|f| f.code == StrFlagCode::TriAllelic));
        // The same from a genotype table (audit 2026-12-06, P2: no flag).
        let mut table = StrProfile::new("ref1");
        table.loci.insert(
            Locus::D3s1358,
            ["16", "18", "19"]
                .iter()
                .map(|a| Peak {
                    allele: Allele::parse(a, Locus::D3s1358).unwrap(),
                    height: None,
                    area: None,
                    size: None,
                })
                .collect(),
        );
        let listed = call_reference(PersonRef::Recipient, &table, &StrConfig::default());
        let f = listed
            .flags
            .iter()
            .find(|f| f.code == StrFlagCode::TriAllelic)
            .expect("flag");
        assert!(
            f.text
                .contains("D3S1358: 3 alleles listed in the genotype table (16, 18, 19); each given dosage 2/3"),
            "{}",
            f.text
        );
        assert!((g.loci[&l].dosage(&Allele::parse("16", l).unwrap()) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn stutter_ratio_is_measured_below_own_alleles_only() {
        let l = Locus::D8s1179;
        let cfg = StrConfig::default();
        // 12/13 het: 12 is at 13's stutter position (own allele), 11 is stutter of 12.
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(
                l,
                vec![
                    peak("11", l, 80.0),
                    peak("12", l, 1000.0),
                    peak("13", l, 900.0),
                    peak("14", l, 60.0),
                ],
            )]),
            &cfg,
        );
        let lg = &g.loci[&l];
        assert_eq!(lg.label(), "12/13");
        assert_eq!(lg.back_stutter, vec![0.08]);
        // Forward: 13 -> 14 observed (60/900); 12 -> 13 is an own allele, skipped.
        assert_eq!(lg.forward_stutter.len(), 1);
        assert!((lg.forward_stutter[0] - 60.0 / 900.0).abs() < 1e-12);
        // Censored: no peak at 11 => below the bound 50/1000.
        let g = call_reference(
            PersonRef::Recipient,
            &profile(vec![(l, vec![peak("12", l, 1000.0), peak("13", l, 900.0)])]),
            &cfg,
        );
        assert!(g.loci[&l].back_stutter.is_empty());
        assert_eq!(g.loci[&l].stutter_below[0], vec![0.05]);
    }
}

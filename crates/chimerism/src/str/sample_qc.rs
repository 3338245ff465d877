//! Sample-level checks before the fit: saturated peaks, pull-up, and low
//! template (the documented floor below which no estimate is given).

use std::collections::BTreeSet;

use graftwatch_core::Percent;

use super::allele::Allele;
use super::config::StrConfig;
use super::genotype::passes_analytical_threshold;
use super::informativeness::LocusInformativeness;
use super::kit::{Kit, dye_letter};
use super::locus::Locus;
use super::profile::{Peak, StrProfile, UnlabelledPeak};
use super::qc::{StrFlag, StrFlagCode};

/// Size tolerance (bp) for a pull-up peak to sit under a peak of another dye.
pub const PULLUP_SIZE_TOLERANCE_BP: f64 = 0.5;

/// A sample after artefact removal.
#[derive(Debug, Clone)]
pub struct CleanSample {
    /// The profile with pull-up peaks removed.
    pub profile: StrProfile,
    /// Loci with a saturated peak (left out of the fit).
    pub saturated: BTreeSet<Locus>,
    /// Flags raised.
    pub flags: Vec<StrFlag>,
}

/// Removes pull-up peaks and finds saturated loci. A peak is pull-up when a
/// peak of another locus (necessarily another dye: loci of one dye do not
/// overlap in size) lies within 0.5 bp, is at least `pullup_min_source_rfu`
/// high, and this peak is at most `pullup_max_ratio` of its height. Needs
/// exported sizes.
pub fn clean_sample(sample: &StrProfile, cfg: &StrConfig) -> CleanSample {
    let (binned, mut flags) = bin_off_ladder(sample, &cfg.kit);
    let sample = &binned;
    let sat = cfg.saturation_limit();
    let all: Vec<(Locus, &Peak)> = sample
        .loci
        .iter()
        .flat_map(|(l, ps)| ps.iter().map(move |p| (*l, p)))
        .collect();
    let mut profile = StrProfile::new(sample.sample.clone());
    let mut saturated = BTreeSet::new();
    for (&locus, peaks) in &sample.loci {
        let mut kept = Vec::new();
        for p in peaks {
            let h = p.height.unwrap_or(0.0);
            if h >= sat {
                saturated.insert(locus);
            }
            let source = p.size.and_then(|s| {
                all.iter().find(|(l, q)| {
                    *l != locus
                        && !cfg.kit.same_dye(*l, locus)
                        && q.size
                            .is_some_and(|qs| (qs - s).abs() <= PULLUP_SIZE_TOLERANCE_BP)
                        && q.height.unwrap_or(0.0) >= cfg.pullup_min_source_rfu
                        && q.height.unwrap_or(0.0) * cfg.pullup_max_ratio >= h
                        && h > 0.0
                })
            });
            match source {
                Some((l, q)) => flags.push(StrFlag::new(
                    StrFlagCode::PullUp,
                    format!(
                        "{locus} peak {} ({h:.0} RFU at {:.2} bp) is pull-up from {l} {} ({:.0} RFU); removed",
                        p.allele,
                        p.size.unwrap_or(0.0),
                        q.allele,
                        q.height.unwrap_or(0.0)
                    ),
                )),
                None => kept.push(p.clone()),
            }
        }
        profile.loci.insert(locus, kept);
    }
    for l in &saturated {
        flags.push(StrFlag::new(
            StrFlagCode::Saturated,
            format!("{l}: a peak at or above the saturation limit ({sat:.0} RFU); locus left out of the fit (re-inject with less template)"),
        ));
    }
    CleanSample {
        profile,
        saturated,
        flags,
    }
}

/// Calls off-ladder peaks from the kit's allele bins: a peak exported as
/// `OL` whose fragment size lies in a bin of its marker becomes that allele
/// (merged with a peak already called there: larger height, summed area),
/// flagged `STR-BINNED`. A peak exported without a marker
/// ([`StrProfile::unlabelled`]) is called the same way when exactly one
/// marker of the profile has a bin holding its size (of the peak's dye, when
/// both the export and the kit give dyes). Without bins or sizes the
/// profile is unchanged.
pub fn bin_off_ladder(profile: &StrProfile, kit: &Kit) -> (StrProfile, Vec<StrFlag>) {
    let mut out = profile.clone();
    let mut flags = Vec::new();
    let binned = |flags: &mut Vec<StrFlag>, what: String, allele: &Allele| {
        flags.push(StrFlag::new(
            StrFlagCode::Binned,
            format!(
                "{what} in sample '{}' called {allele} from the bins of kit '{}'",
                profile.sample, kit.name
            ),
        ));
    };
    for (&locus, peaks) in out.loci.iter_mut() {
        let mut kept: Vec<Peak> = Vec::with_capacity(peaks.len());
        for p in peaks.drain(..) {
            let bin = match (&p.allele, p.size) {
                (a, Some(size)) if a.is_off_ladder() => kit.bin_call(locus, size),
                _ => None,
            };
            let Some(allele) = bin else {
                kept.push(p);
                continue;
            };
            let what = format!(
                "{locus}: off-ladder peak at {:.2} bp",
                p.size.unwrap_or(0.0)
            );
            binned(&mut flags, what, &allele);
            merge_peak(&mut kept, Peak { allele, ..p });
        }
        *peaks = kept;
    }
    let mut rest = Vec::new();
    for u in std::mem::take(&mut out.unlabelled) {
        let Some((locus, allele)) = unlabelled_bin(&out, kit, &u) else {
            rest.push(u);
            continue;
        };
        let dye = u.dye.map(|d| format!(", dye {d}")).unwrap_or_default();
        let what = format!(
            "{locus}: peak without a marker at {:.2} bp{dye}",
            u.size.unwrap_or(0.0)
        );
        binned(&mut flags, what, &allele);
        let peak = Peak {
            allele,
            height: u.height,
            area: u.area,
            size: u.size,
        };
        merge_peak(
            out.loci.get_mut(&locus).expect("a locus of the profile"),
            peak,
        );
    }
    out.unlabelled = rest;
    (out, flags)
}

/// The one marker of `profile` (and its allele) whose kit bin holds an
/// unlabelled peak's size, of the peak's dye when both dyes are known.
fn unlabelled_bin(profile: &StrProfile, kit: &Kit, u: &UnlabelledPeak) -> Option<(Locus, Allele)> {
    let size = u.size?;
    let dye_ok = |l: Locus| match (u.dye, kit.dye(l).and_then(dye_letter)) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(&b),
        _ => true,
    };
    let mut hits = profile
        .loci
        .keys()
        .filter(|&&l| dye_ok(l))
        .filter_map(|&l| kit.bin_call(l, size).map(|a| (l, a)));
    let first = hits.next()?;
    hits.next().is_none().then_some(first)
}

/// Adds `p` to `kept`, merged with a peak of the same allele (larger
/// height, summed area).
fn merge_peak(kept: &mut Vec<Peak>, p: Peak) {
    match kept.iter_mut().find(|q| q.allele == p.allele) {
        Some(q) => {
            q.height = max_opt(q.height, p.height);
            q.area = match (q.area, p.area) {
                (Some(x), Some(y)) => Some(x + y),
                (x, y) => x.or(y),
            };
        }
        None => kept.push(p),
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// How much template a sample shows at the loci used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TemplateLevel {
    /// Median height (RFU) of the contributors' peaks at those loci: the
    /// peaks at or above the template floor (the analytical threshold or
    /// `template_peak_rfu`, whichever is higher) and at least
    /// [`CONTRIBUTOR_PEAK_FRACTION`] of their locus's largest peak; 0 when
    /// there is none.
    pub median_peak_rfu: f64,
    /// Loci with at least one peak at or above the template floor.
    pub loci_with_peaks: usize,
    /// Loci considered (typed in every reference, Amelogenin excluded).
    pub loci: usize,
    /// Median heterozygote balance (smaller / larger peak) over the clean
    /// heterozygous pairs of the sample ([`het_balance`]), when at least
    /// [`MIN_HB_PAIRS`] pairs were measurable.
    pub het_balance: Option<f64>,
    /// Clean heterozygous pairs measured.
    pub het_pairs: usize,
}

/// Heterozygote balance is judged only with at least this many pairs.
pub const MIN_HB_PAIRS: usize = 3;

/// Heterozygote balance of a sample: for every person and locus where both
/// of the person's alleles are unique to them, in no stutter position (n−1,
/// n+1, n−2) of anybody's allele, the two peaks come from the same template
/// and should be equal; Hb = smaller / larger height (Gill et al., Forensic
/// Sci Int 2000;112:17–40; SWGDAM STR interpretation guidelines 2017, §3.5).
/// Only pairs whose larger peak reaches the stochastic threshold
/// (`low_template_flag_rfu`) are measured: below it a minor contributor's
/// imbalance is expected and says nothing about the sample; above it a
/// sister allele that dropped out counts as Hb = 0. Returns the median and
/// the pair count.
pub fn het_balance(
    sample: &StrProfile,
    info: &[LocusInformativeness],
    cfg: &StrConfig,
) -> (Option<f64>, usize) {
    let mut hb = Vec::new();
    for li in info.iter().filter(|li| !li.locus.is_sex_marker()) {
        let all: Vec<&Allele> = li
            .persons
            .iter()
            .flat_map(|p| p.unique.iter().chain(p.shared.iter()))
            .collect();
        let near = |a: &Allele| {
            all.iter().any(|o| {
                o.minus(1).as_ref() == Some(a)
                    || o.plus_one().as_ref() == Some(a)
                    || o.minus(2).as_ref() == Some(a)
            })
        };
        let height = |a: &Allele| {
            sample
                .peaks(li.locus)
                .iter()
                .filter(|p| &p.allele == a && passes_analytical_threshold(p, cfg))
                .filter_map(|p| p.height.or_else(|| p.signal(cfg.measure)))
                .fold(0.0_f64, f64::max)
        };
        for p in &li.persons {
            let [a, b] = p.unique.as_slice() else {
                continue;
            };
            if !p.shared.is_empty() || near(a) || near(b) {
                continue;
            }
            let (ha, hb_) = (height(a), height(b));
            let (lo, hi) = (ha.min(hb_), ha.max(hb_));
            if hi >= cfg.low_template_flag_rfu {
                hb.push(lo / hi);
            }
        }
    }
    let n = hb.len();
    let med = super::references::median(&mut hb).filter(|_| n >= MIN_HB_PAIRS);
    (med, n)
}

/// Peaks below this share of their locus's largest peak do not measure the
/// template level (n−1 stutter is 5–13 % of its parent; a person at 5 %
/// of a mixture is about 5 % of the major person's peaks).
pub const CONTRIBUTOR_PEAK_FRACTION: f64 = 0.15;

/// Measures the template level at the loci of `info` (Amelogenin excluded).
pub fn template_level(
    sample: &StrProfile,
    info: &[LocusInformativeness],
    cfg: &StrConfig,
) -> TemplateLevel {
    let loci: Vec<Locus> = info
        .iter()
        .map(|i| i.locus)
        .filter(|l| !l.is_sex_marker())
        .collect();
    let template_floor = cfg.analytical_threshold_rfu.max(cfg.template_peak_rfu);
    // The peaks of the people who carry the template: at each locus those at
    // least `CONTRIBUTOR_PEAK_FRACTION` of its largest peak (stutter, noise
    // and a minor person's small peaks are left out). The median of every
    // peak, used before, fell with the number of small peaks a minor person
    // and stutter add: a sample of 5,000 RFU per locus with 5 % recipient
    // read "low template, median 275 RFU" on an independent simulation. A
    // mixture of people in similar shares keeps all their peaks, so its
    // level is what each person's alleles reach.
    let mut heights = Vec::new();
    let mut loci_with_peaks = 0;
    for l in &loci {
        let hs: Vec<f64> = sample
            .peaks(*l)
            .iter()
            .filter(|p| !p.allele.is_off_ladder())
            .map(|p| p.height.or_else(|| p.signal(cfg.measure)).unwrap_or(0.0))
            .filter(|h| *h >= template_floor)
            .collect();
        let top = hs.iter().copied().fold(0.0_f64, f64::max);
        if top > 0.0 {
            loci_with_peaks += 1;
        }
        heights.extend(
            hs.into_iter()
                .filter(|h| *h >= CONTRIBUTOR_PEAK_FRACTION * top),
        );
    }
    let (het_balance, het_pairs) = het_balance(sample, info, cfg);
    TemplateLevel {
        median_peak_rfu: super::references::median(&mut heights).unwrap_or(0.0),
        loci_with_peaks,
        loci: loci.len(),
        het_balance,
        het_pairs,
    }
}

/// A sample below the low-template refusal floor: its levels and the floor,
/// in the message a lab reads ("low template (median peak height 80 RFU,
/// peaks at 12/16 loci; refusal floor: …): no estimate; repeat with more
/// DNA").
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "low template (median peak height {median_peak_rfu:.0} RFU, peaks at {loci_with_peaks}/{loci} loci; refusal floor: median below {refuse_below_rfu:.0} RFU or peaks at fewer than {pct:.0}% of the loci): no estimate; repeat with more DNA",
    pct = .refuse_locus_percent.get()
)]
pub struct LowTemplateRefusal {
    /// Median peak height, RFU.
    pub median_peak_rfu: f64,
    /// Loci with a peak.
    pub loci_with_peaks: usize,
    /// Loci considered.
    pub loci: usize,
    /// The refusal floor's median height, RFU.
    pub refuse_below_rfu: f64,
    /// The refusal floor's share of loci with peaks, %.
    pub refuse_locus_percent: Percent,
}

/// The low-template rule: `Err` below the refusal floor (median height,
/// loci with peaks), a `STR-LOW-TEMPLATE` flag below the warning level
/// (median height, loci with peaks, or median heterozygote balance below
/// `het_balance_min`), nothing otherwise.
pub fn low_template(
    t: &TemplateLevel,
    cfg: &StrConfig,
) -> Result<Option<StrFlag>, LowTemplateRefusal> {
    let frac = if t.loci > 0 {
        t.loci_with_peaks as f64 / t.loci as f64
    } else {
        0.0
    };
    let what = format!(
        "median peak height {:.0} RFU, peaks at {}/{} loci",
        t.median_peak_rfu, t.loci_with_peaks, t.loci
    );
    if t.median_peak_rfu < cfg.refuse_below_rfu || frac < cfg.refuse_locus_fraction.get() {
        return Err(LowTemplateRefusal {
            median_peak_rfu: t.median_peak_rfu,
            loci_with_peaks: t.loci_with_peaks,
            loci: t.loci,
            refuse_below_rfu: cfg.refuse_below_rfu,
            refuse_locus_percent: cfg.refuse_locus_fraction.percent(),
        });
    }
    let low_hb = t.het_balance.is_some_and(|h| h < cfg.het_balance_min);
    if t.median_peak_rfu < cfg.low_template_flag_rfu
        || frac < cfg.low_template_locus_fraction.get()
        || low_hb
    {
        let hb = match t.het_balance {
            Some(h) => format!(
                ", median heterozygote balance {h:.2} over {} pairs",
                t.het_pairs
            ),
            None => String::new(),
        };
        return Ok(Some(StrFlag::new(
            StrFlagCode::LowTemplate,
            format!(
                "low template ({what}{hb}; warning below {:.0} RFU, {:.0}% of loci or heterozygote balance {:.2}): stochastic imbalance and drop-out make minor shares unreliable",
                cfg.low_template_flag_rfu,
                100.0 * cfg.low_template_locus_fraction.get(),
                cfg.het_balance_min
            ),
        )));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::str::Allele;

    fn pk(locus: Locus, a: &str, h: f64, size: f64) -> Peak {
        Peak {
            allele: Allele::parse(a, locus).unwrap(),
            height: Some(h),
            area: Some(10.0 * h),
            size: Some(size),
        }
    }

    #[test]
    fn pullup_is_removed_at_its_boundary_and_saturation_found() {
        let cfg = StrConfig::default();
        let mut s = StrProfile::new("s");
        s.loci
            .insert(Locus::D2s441, vec![pk(Locus::D2s441, "14", 31000.0, 112.2)]);
        // 6% of 31000 = 1860: 1860 is pull-up, 1861 is not.
        s.loci.insert(
            Locus::D3s1358,
            vec![pk(Locus::D3s1358, "15", 1860.0, 112.5)],
        );
        s.loci
            .insert(Locus::Vwa, vec![pk(Locus::Vwa, "16", 1861.0, 112.0)]);
        // A small peak under a 14,999 RFU peak is not pull-up.
        s.loci
            .insert(Locus::Fga, vec![pk(Locus::Fga, "20", 14999.0, 250.0)]);
        s.loci
            .insert(Locus::Th01, vec![pk(Locus::Th01, "7", 100.0, 250.1)]);
        let c = clean_sample(&s, &cfg);
        assert!(c.profile.peaks(Locus::D3s1358).is_empty());
        assert_eq!(c.profile.peaks(Locus::Vwa).len(), 1);
        assert!(c.saturated.contains(&Locus::D2s441));
        assert_eq!(c.profile.peaks(Locus::Th01).len(), 1);
        assert!(c.flags.iter().any(|f| f.code == StrFlagCode::PullUp));
    }

    #[test]
    fn off_ladder_peaks_are_binned_and_same_dye_is_never_pull_up() {
        let cfg = StrConfig {
            kit: Kit::from_json(crate::str::kit::tests::USER_KIT).unwrap(),
            ..StrConfig::default()
        };
        let mut s = StrProfile::new("s");
        s.loci.insert(
            Locus::D3s1358,
            vec![
                pk(Locus::D3s1358, "15", 800.0, 116.3),
                pk(Locus::D3s1358, "OL", 100.0, 116.7),
                pk(Locus::D3s1358, "OL", 90.0, 118.3),
            ],
        );
        // vWA is in the same dye as D3S1358 (6-FAM): a small vWA peak
        // under a large D3S1358 peak is not pull-up.
        s.loci.insert(
            Locus::D3s1358,
            [
                s.loci[&Locus::D3s1358].clone(),
                vec![pk(Locus::D3s1358, "16", 20000.0, 120.4)],
            ]
            .concat(),
        );
        s.loci
            .insert(Locus::Vwa, vec![pk(Locus::Vwa, "11", 500.0, 120.5)]);
        let c = clean_sample(&s, &cfg);
        let d3 = c.profile.peaks(Locus::D3s1358);
        let a15 = d3.iter().find(|p| p.allele.to_string() == "15").unwrap();
        assert_eq!((a15.height, a15.area), (Some(800.0), Some(9000.0)));
        assert_eq!(d3.iter().filter(|p| p.allele.is_off_ladder()).count(), 1);
        assert!(c.flags.iter().any(|f| f.code == StrFlagCode::Binned));
        assert_eq!(c.profile.peaks(Locus::Vwa).len(), 1, "same dye: kept");
        // Another dye (D8S1179, VIC): pull-up.
        s.loci
            .insert(Locus::D8s1179, vec![pk(Locus::D8s1179, "9", 500.0, 120.6)]);
        let c = clean_sample(&s, &cfg);
        assert!(c.profile.peaks(Locus::D8s1179).is_empty());
    }

    #[test]
    fn low_template_boundaries() {
        let cfg = StrConfig::default();
        let t = |rfu: f64, with: usize| TemplateLevel {
            median_peak_rfu: rfu,
            loci_with_peaks: with,
            loci: 20,
            het_balance: None,
            het_pairs: 0,
        };
        assert!(low_template(&t(99.9, 20), &cfg).is_err());
        assert!(low_template(&t(100.0, 20), &cfg).unwrap().is_some());
        assert!(low_template(&t(299.9, 20), &cfg).unwrap().is_some());
        assert!(low_template(&t(300.0, 20), &cfg).unwrap().is_none());
        assert!(low_template(&t(5000.0, 9), &cfg).is_err());
        assert!(low_template(&t(5000.0, 10), &cfg).unwrap().is_some());
        assert!(low_template(&t(5000.0, 16), &cfg).unwrap().is_none());
    }

    /// Three loci where the recipient (8/11) and the donor (14/17) each have
    /// a clean heterozygous pair; the sample has the recipient's pairs at
    /// 1000 and `minor` RFU and the donor's balanced.
    fn hb_case(minor: f64) -> TemplateLevel {
        use crate::str::genotype::call_reference;
        use crate::str::informativeness::informativeness;
        use graftwatch_core::{DonorId, PersonRef};
        let cfg = StrConfig::default();
        let loci = [Locus::D3s1358, Locus::Vwa, Locus::Fga];
        let prof = |name: &str, a: &str, b: &str, ha: f64, hb: f64| {
            let mut p = StrProfile::new(name);
            for l in loci {
                p.loci.insert(l, vec![pk(l, a, ha, 0.0), pk(l, b, hb, 0.0)]);
            }
            p
        };
        let r = call_reference(
            PersonRef::Recipient,
            &prof("r", "8", "11", 1000.0, 1000.0),
            &cfg,
        );
        let d = call_reference(
            PersonRef::Donor(DonorId("D".into())),
            &prof("d", "14", "17", 1000.0, 1000.0),
            &cfg,
        );
        let info = informativeness(&[r, d]);
        let mut s = prof("s", "8", "11", 1000.0, minor);
        for l in loci {
            s.loci
                .get_mut(&l)
                .unwrap()
                .extend([pk(l, "14", 1000.0, 0.0), pk(l, "17", 1000.0, 0.0)]);
        }
        template_level(&s, &info, &cfg)
    }

    #[test]
    fn template_level_counts_peaks_from_the_template_floor_only() {
        // hb_case(1000): 12 peaks of 1000 RFU at 3 loci. Small peaks added
        // under the 50 RFU template floor (minor alleles and stutter that an
        // export made at 20 RFU holds) leave the level as it is; at the
        // floor they count.
        use crate::str::genotype::call_reference;
        use crate::str::informativeness::informativeness;
        use graftwatch_core::{DonorId, PersonRef};
        let cfg = StrConfig {
            analytical_threshold_rfu: 20.0,
            ..StrConfig::default()
        };
        assert!(cfg.analytical_threshold_rfu < cfg.template_peak_rfu);
        let level = |big: f64, small: f64| {
            let loci = [Locus::D3s1358, Locus::Vwa, Locus::Fga];
            let mut r = StrProfile::new("r");
            let mut d = StrProfile::new("d");
            let mut s = StrProfile::new("s");
            for l in loci {
                r.loci
                    .insert(l, vec![pk(l, "8", 1000.0, 0.0), pk(l, "11", 1000.0, 0.0)]);
                d.loci
                    .insert(l, vec![pk(l, "14", 1000.0, 0.0), pk(l, "17", 1000.0, 0.0)]);
                let mut v: Vec<Peak> = ["8", "11", "14", "17"]
                    .iter()
                    .map(|a| pk(l, a, big, 0.0))
                    .collect();
                v.extend(
                    ["7", "10", "13", "16", "9"]
                        .iter()
                        .map(|a| pk(l, a, small, 0.0)),
                );
                s.loci.insert(l, v);
            }
            let r = call_reference(PersonRef::Recipient, &r, &cfg);
            let d = call_reference(PersonRef::Donor(DonorId("D".into())), &d, &cfg);
            template_level(&s, &informativeness(&[r, d]), &cfg)
        };
        // Small peaks (a minor person, stutter) beside the major alleles do
        // not lower the level: below 15 % of the locus's largest peak they
        // are left out; at 15 % they count.
        let f = cfg.template_peak_rfu;
        let minor = level(1000.0, 149.9);
        assert_eq!((minor.median_peak_rfu, minor.loci_with_peaks), (1000.0, 3));
        let at = level(1000.0, 150.0);
        assert_eq!(at.median_peak_rfu, 150.0);
        // Only peaks at or above the template floor count.
        let none = level(f - 0.1, f - 0.1);
        assert_eq!((none.median_peak_rfu, none.loci_with_peaks), (0.0, 0));
        let low = level(f, f);
        assert_eq!((low.median_peak_rfu, low.loci_with_peaks), (f, 3));
    }

    #[test]
    fn heterozygote_balance_is_a_low_template_criterion_at_its_boundary() {
        let cfg = StrConfig::default();
        // 6 pairs: 3 balanced (donor), 3 at `minor`/1000 (recipient); the
        // median is the mean of 1.0 and minor/1000 → 0.6 needs minor = 200.
        let at = |minor: f64| {
            let t = hb_case(minor);
            assert_eq!(t.het_pairs, 6);
            low_template(&t, &cfg).unwrap()
        };
        assert!(at(200.0).is_none(), "Hb 0.60 is not low");
        assert!(at(199.0).is_some(), "Hb 0.5995 is low");
        let f = at(180.0).expect("Hb 0.59 is low");
        assert!(
            f.text
                .contains("median heterozygote balance 0.59 over 6 pairs"),
            "{}",
            f.text
        );
        // Drop-out of a sister allele above the stochastic threshold: Hb 0.
        let t = hb_case(0.0);
        assert_eq!(t.het_balance, Some(0.5));
    }
}

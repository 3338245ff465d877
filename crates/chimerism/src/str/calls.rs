//! Per-person results of a sample: share, interval, per-locus spread and
//! the detection call, decided by one documented rule (STR-CALL, see
//! docs/chimerism-str.md "Detection call"):
//!
//! 1. A person with no clean unique allele (outside every stutter position
//!    of the others) at a usable locus is **not assessable**.
//! 2. **Present** when clean unique alleles are seen (≥ analytical
//!    threshold) at the required number of loci *and* the fitted share is
//!    at least 0.005 % (shows as > 0.00). Below the lab's validated LoQ
//!    (when set) it is "present, below the limit of quantification".
//! 3. Otherwise **not detected (< LoD)**, where the stated LoD is the lab's
//!    validated LoD when set, else the per-sample computed one; when the
//!    fitted share exceeds that LoD (shared alleles and stutter carry it,
//!    no clean allele is seen) the stated LoD is raised to the share, so the
//!    call, the LoD and the estimate never contradict. Either conflict is
//!    flagged `STR-CALL-RULE`.

use graftwatch_core::{Fraction, Percent, PersonRef};

use super::fit::LocusFit;
use super::qc::{StrFlag, StrFlagCode};
use super::references::StrReferences;
use super::result::{Detection, Interval, LocusReport, PersonEstimate};

/// Smallest share shown as non-zero (percent).
pub const MIN_SHOWN_PERCENT: Percent = Percent::lit(0.005);

/// The detection call of one person (rule STR-CALL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    /// The call.
    pub detection: Detection,
    /// The stated LoD (percent).
    pub lod_percent: Option<Percent>,
    /// True when the rule had to settle a conflict.
    pub conflict: bool,
    /// True when the stated LoD is the lab's validated one.
    pub lab_validated: bool,
}

/// What one locus offers for detecting one person: the height (RFU) of
/// its best clean unique peak when one is seen (at or above the analytical
/// threshold and not explained as n−2 stutter), and the share per RFU of
/// threshold at which its best clean unique allele would reach a given
/// height (1 / (locus height × template share)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocusDetection {
    /// Height of the best clean unique peak seen, if any.
    pub seen_rfu: Option<f64>,
    /// Share (fraction) per RFU: the share at which a peak of T RFU is
    /// expected is T × this. A rate, not a share, so a plain number.
    pub share_per_rfu: f64,
}

/// The detection evidence of one person over the loci where it is
/// assessable (rule STR-CALL, two tiers): a clean unique peak at or above
/// the single-peak presence height (`presence_single_peak_rfu`, default
/// 50 RFU) counts on its own at `min_loci_for_presence` loci; peaks between
/// the analytical threshold and that height (only seen when a lab has
/// validated a lower analytical threshold) establish presence only when
/// they are seen at `presence_corroborating_loci` loci (default 2): one
/// baseline-noise peak in a bin is common at 20 RFU, two at independent
/// loci are not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Loci whose clean unique peak reaches the single-peak presence height.
    pub strong: usize,
    /// Loci with a clean unique peak at or above the analytical threshold.
    pub any: usize,
    /// Loci where the person is assessable.
    pub assessable: usize,
    /// Strong loci needed.
    pub need_strong: usize,
    /// Loci at the analytical threshold needed (corroboration).
    pub need_any: usize,
    /// Computed detection limit (fraction): the smallest share at which
    /// either requirement is expected to be met in this sample.
    pub lod: Fraction,
}

impl Evidence {
    /// Evidence over `loci` under the thresholds of `cfg`.
    pub fn from_loci(loci: &[LocusDetection], cfg: &super::config::StrConfig) -> Evidence {
        let at = cfg.analytical_threshold_rfu;
        let single = cfg.presence_single_peak_rfu.max(at);
        let n = loci.len();
        let need_strong = cfg.min_loci_for_presence.clamp(1, n.max(1));
        let need_any = cfg.presence_corroborating_loci.max(need_strong);
        let kth = |t: f64, k: usize| -> f64 {
            let mut v: Vec<f64> = loci
                .iter()
                .map(|l| (t * l.share_per_rfu).min(1.0))
                .collect();
            v.sort_by(f64::total_cmp);
            v.get(k - 1).copied().unwrap_or(1.0)
        };
        Evidence {
            strong: loci
                .iter()
                .filter(|l| l.seen_rfu.is_some_and(|h| h >= single))
                .count(),
            any: loci.iter().filter(|l| l.seen_rfu.is_some()).count(),
            assessable: n,
            need_strong,
            need_any,
            // Each candidate is at most 1 and `f64::min` drops a NaN, so the
            // fallback is never taken.
            lod: if n == 0 {
                Fraction::ONE
            } else {
                Fraction::clamp(kth(single, need_strong).min(kth(at, need_any)))
                    .unwrap_or(Fraction::ONE)
            },
        }
    }

    /// True when the peaks seen establish presence.
    pub fn met(&self) -> bool {
        self.assessable > 0 && (self.strong >= self.need_strong || self.any >= self.need_any)
    }
}

/// Applies rule STR-CALL to the fitted share `percent` and the evidence.
pub fn call(
    percent: Percent,
    ev: &Evidence,
    validated_lod: Option<Percent>,
    validated_loq: Option<Percent>,
) -> Call {
    if ev.assessable == 0 {
        return Call {
            detection: Detection::NotAssessable,
            lod_percent: validated_lod,
            conflict: false,
            lab_validated: validated_lod.is_some(),
        };
    }
    let lod = validated_lod.unwrap_or(ev.lod.percent());
    if let Some(l) = validated_lod
        && ev.met()
        && percent.get() < l.get()
    {
        // The lab's validated LoD rules: a share under it is not reported
        // as present, however clear the peaks (never "present" below it).
        return Call {
            detection: Detection::BelowDetectionLimit,
            lod_percent: Some(l),
            conflict: false,
            lab_validated: true,
        };
    }
    if ev.met() && percent >= MIN_SHOWN_PERCENT {
        let detection = match validated_loq {
            Some(q) if percent < q => Detection::BelowQuantification,
            _ => Detection::Present,
        };
        return Call {
            detection,
            lod_percent: Some(lod),
            conflict: false,
            lab_validated: validated_lod.is_some(),
        };
    }
    let conflict = ev.met() || percent > lod;
    Call {
        detection: Detection::NotDetected,
        lod_percent: Some(if percent > lod { percent } else { lod }),
        conflict,
        lab_validated: validated_lod.is_some() && percent <= lod,
    }
}

/// Builds every person's estimate; returns them with the dominant donor
/// (none on a tie to 0.01 points).
pub(crate) fn person_estimates(
    refs: &StrReferences,
    used: &[&LocusFit],
    reports: &[LocusReport],
    est: &[f64],
    ci: &[Option<Interval>],
    flags: &mut Vec<StrFlag>,
) -> (Vec<PersonEstimate>, Option<PersonRef>) {
    let cfg = &refs.config;
    let mut persons = Vec::with_capacity(est.len());
    for i in 0..est.len() {
        let person = refs.persons[i].person.clone();
        let per: Vec<f64> = used
            .iter()
            .filter_map(|f| reports[f.index].per_person_percent[i].map(Percent::get))
            .collect();
        let (mean, sd) = mean_sd(&per);
        let cv = match (sd, mean) {
            (Some(s), Some(m)) if m > 0.0 => Some(s / m),
            _ => None,
        };
        if per.len() < cfg.min_informative_loci {
            flags.push(StrFlag::new(
                StrFlagCode::FewInformativeLoci,
                format!(
                    "{person}: {} informative loci in the fit (< {})",
                    per.len(),
                    cfg.min_informative_loci
                ),
            ));
        }
        let dets: Vec<LocusDetection> = used.iter().filter_map(|f| f.det[i]).collect();
        let ev = Evidence::from_loci(&dets, cfg);
        let seen = ev.any;
        // The simplex fit's shares are in [0, 1] and never NaN (its
        // projection takes `max(0.0)`), so the fallback is never taken.
        let percent = Percent::clamp(100.0 * est[i]).unwrap_or(Percent::ZERO);
        let c = call(
            percent,
            &ev,
            cfg.validated_lod_percent,
            cfg.validated_loq_percent,
        );
        if c.conflict {
            flags.push(StrFlag::new(
                StrFlagCode::CallRule,
                call_rule_text(&person.to_string(), percent, seen, ev.assessable, &c),
            ));
        }
        persons.push(PersonEstimate {
            person,
            percent,
            ci: interval_for_call(ci[i], c.detection, c.lod_percent),
            // A mean of shares in 0–100: bounded only against rounding.
            per_locus_mean: mean.and_then(Percent::clamp),
            sd,
            cv,
            informative_loci: per.len(),
            detection: c.detection,
            detection_limit_percent: c.lod_percent,
            lod_lab_validated: c.lab_validated,
            loci_detected: seen,
            loci_assessable: ev.assessable,
        });
    }
    widen_for_unseen(&mut persons);
    let dominant = dominant_donor(&persons[1..]);
    (persons, dominant)
}

/// The interval shown with a call (rule STR-CALL). A person not detected
/// may be absent, so its interval starts at 0 (an interval above 0 beside
/// "not detected" would contradict the call); and it may be present at
/// any share up to the detection limit without a peak being seen, so it
/// reaches at least the limit: "0.0–0.0" beside "< LoD 2.8 %" claimed a
/// certainty the data do not have (an independent simulation found a 1–5 %
/// recipient so reported).
pub fn interval_for_call(
    ci: Option<Interval>,
    detection: Detection,
    lod: Option<Percent>,
) -> Option<Interval> {
    match (ci, detection) {
        (Some(i), Detection::NotDetected | Detection::BelowDetectionLimit) => Some(Interval {
            low: Percent::ZERO,
            high: match lod {
                Some(l) if l > i.high => l,
                _ => i.high,
            },
        }),
        (ci, _) => ci,
    }
}

/// The share that people not detected may hold beyond their estimates
/// (their interval tops above their shares) may come from any detected
/// person: each detected person's interval reaches down by that much, so
/// a donor beside a recipient "< LoD 2.8 %" never reads "100.0–100.0".
fn widen_for_unseen(persons: &mut [PersonEstimate]) {
    let unseen: f64 = persons
        .iter()
        .filter(|p| p.detected() == Some(false))
        .filter_map(|p| p.ci.map(|i| (i.high.get() - p.percent.get()).max(0.0)))
        .sum();
    if unseen <= 0.0 {
        return;
    }
    for p in persons.iter_mut().filter(|p| p.detected() == Some(true)) {
        if let Some(i) = &mut p.ci {
            let floor = Percent::clamp(p.percent.get() - unseen).unwrap_or(Percent::ZERO);
            if floor < i.low {
                i.low = floor;
            }
        }
    }
}

fn mean_sd(v: &[f64]) -> (Option<f64>, Option<f64>) {
    if v.is_empty() {
        return (None, None);
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd =
        (v.len() >= 2).then(|| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (Some(m), sd)
}

/// The donor with the largest share, or none when the two largest shares
/// are equal at the reported precision of 0.01 points (no "dominant" on a tie).
pub fn dominant_donor(donors: &[PersonEstimate]) -> Option<PersonRef> {
    use crate::dominance::{Candidate, dominant};
    let c: Vec<Candidate> = donors
        .iter()
        .map(|d| Candidate {
            share: d.percent.get(),
            interval: d.ci.map(|i| (i.low.get(), i.high.get())),
            detected: matches!(
                d.detection,
                Detection::Present | Detection::BelowQuantification
            ),
        })
        .collect();
    dominant(&c).map(|i| donors[i].person.clone())
}

/// The `STR-CALL-RULE` flag's text: the share fitted, the loci with a
/// clean unique peak, the call and the limit it was made against, named as
/// tables name it ([`super::result::lod_label`]: `LoD50` computed, `LoD …,
/// lab-validated`).
fn call_rule_text(
    person: &str,
    percent: Percent,
    seen: usize,
    assessable: usize,
    c: &Call,
) -> String {
    format!(
        "{person}: fitted share {:.2}% with clean unique peaks at {seen} of {assessable} loci; called {} (rule STR-CALL; {})",
        percent.get(),
        c.detection.as_str(),
        c.lod_percent.map_or_else(
            || "no detection limit".to_string(),
            |l| super::result::lod_label(l.get(), c.lab_validated)
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_rule_flag_names_the_limit_as_tables_do() {
        let c = call(Percent::lit(3.92), &ev(0, &[0.01, 0.02]), None, None);
        let t = call_rule_text("recipient", Percent::lit(3.92), 0, 2, &c);
        assert!(t.ends_with("(rule STR-CALL; LoD50 3.9%)"), "{t}");
        assert!(!t.contains("stated"), "{t}");
        let c = call(
            Percent::lit(0.3),
            &ev(1, &[0.01, 0.02]),
            Some(Percent::lit(1.5)),
            None,
        );
        let t = call_rule_text("D1", Percent::lit(0.3), 1, 2, &c);
        assert!(t.contains("LoD 1.5%, lab-validated"), "{t}");
    }

    use crate::str::StrConfig;

    /// Evidence of `seen` loci with peaks of 1,000 RFU among loci whose
    /// detection limits at the default 50 RFU are `lods`.
    fn ev(seen: usize, lods: &[f64]) -> Evidence {
        let loci: Vec<LocusDetection> = lods
            .iter()
            .enumerate()
            .map(|(i, l)| LocusDetection {
                seen_rfu: (i < seen).then_some(1000.0),
                share_per_rfu: l / 50.0,
            })
            .collect();
        Evidence::from_loci(&loci, &StrConfig::default())
    }

    #[test]
    fn call_rule_boundaries() {
        let lods = [0.01, 0.02];
        // Seen and above 0.005 %: present.
        assert_eq!(
            call(Percent::lit(0.005), &ev(1, &lods), None, None).detection,
            Detection::Present
        );
        // Seen but fitted 0.00: not detected, flagged.
        let c = call(Percent::lit(0.0049), &ev(1, &lods), None, None);
        assert_eq!((c.detection, c.conflict), (Detection::NotDetected, true));
        // Not seen, share at the LoD: not detected, LoD 1 %, no conflict.
        let c = call(Percent::lit(1.0), &ev(0, &lods), None, None);
        assert_eq!(c.detection, Detection::NotDetected);
        assert!((c.lod_percent.unwrap().get() - 1.0).abs() < 1e-12 && !c.conflict);
        // Not seen, share above the LoD: LoD raised to the share.
        let c = call(Percent::lit(3.92), &ev(0, &lods), None, None);
        assert_eq!(
            (c.lod_percent, c.conflict),
            (Some(Percent::lit(3.92)), true)
        );
        // Validated LoD and LoQ.
        let c = call(
            Percent::lit(0.8),
            &ev(0, &lods),
            Some(Percent::lit(1.5)),
            Some(Percent::lit(2.0)),
        );
        assert_eq!(
            (c.lod_percent, c.lab_validated),
            (Some(Percent::lit(1.5)), true)
        );
        assert!(!call(Percent::lit(0.8), &ev(0, &lods), None, None).lab_validated);
        // A share above the validated LoD without a clean peak raises the
        // stated LoD: then it is no longer the lab's.
        let c = call(
            Percent::lit(1.6),
            &ev(0, &lods),
            Some(Percent::lit(1.5)),
            None,
        );
        assert_eq!(
            (c.lod_percent, c.lab_validated),
            (Some(Percent::lit(1.6)), false)
        );
        assert_eq!(
            call(
                Percent::lit(1.99),
                &ev(1, &lods),
                Some(Percent::lit(1.5)),
                Some(Percent::lit(2.0))
            )
            .detection,
            Detection::BelowQuantification
        );
        assert_eq!(
            call(
                Percent::lit(2.0),
                &ev(1, &lods),
                Some(Percent::lit(1.5)),
                Some(Percent::lit(2.0))
            )
            .detection,
            Detection::Present
        );
        assert_eq!(
            call(Percent::lit(5.0), &ev(0, &[]), None, None).detection,
            Detection::NotAssessable
        );
        // Peaks seen below the lab-validated LoD: never "present" (audit
        // 2026-12-05: 1.95 % was called present beside "LoD 2.0 %,
        // lab-validated"); at the LoD it is.
        let c = call(
            Percent::lit(1.99),
            &ev(1, &lods),
            Some(Percent::lit(2.0)),
            None,
        );
        assert_eq!(
            (c.detection, c.lod_percent, c.lab_validated),
            (
                Detection::BelowDetectionLimit,
                Some(Percent::lit(2.0)),
                true
            )
        );
        assert_eq!(
            call(
                Percent::lit(2.0),
                &ev(1, &lods),
                Some(Percent::lit(2.0)),
                None
            )
            .detection,
            Detection::Present
        );
        let i = Some(Interval {
            low: Percent::lit(1.5),
            high: Percent::lit(2.5),
        });
        assert_eq!(
            interval_for_call(i, Detection::BelowDetectionLimit, Some(Percent::lit(2.0)))
                .unwrap()
                .low,
            Percent::ZERO
        );
    }

    #[test]
    fn peaks_below_the_single_peak_height_need_a_second_locus() {
        // A lab-validated analytical threshold of 20 RFU.
        let cfg = StrConfig {
            analytical_threshold_rfu: 20.0,
            ..StrConfig::default()
        };
        let locus = |h: Option<f64>| LocusDetection {
            seen_rfu: h,
            share_per_rfu: 0.0002,
        };
        let e = |hs: &[Option<f64>]| {
            let l: Vec<LocusDetection> = hs.iter().map(|h| locus(*h)).collect();
            Evidence::from_loci(&l, &cfg)
        };
        // One peak just below 50 RFU: not enough; just at 50: enough.
        assert!(!e(&[Some(49.99), None, None]).met());
        assert!(e(&[Some(50.0), None, None]).met());
        // Two loci with peaks at the analytical threshold: enough.
        assert!(e(&[Some(20.0), Some(20.0), None]).met());
        assert!(!e(&[Some(20.0), None, None]).met());
        // A single assessable locus never counts a low peak alone.
        assert!(!e(&[Some(30.0)]).met());
        // LoD: the smaller of 50 RFU at one locus (1 %) and 20 RFU at two (0.4 %).
        assert!((e(&[None, None, None]).lod.get() - 0.004).abs() < 1e-12);
        assert!((e(&[None]).lod.get() - 0.01).abs() < 1e-12);
        // At the default threshold (50 RFU) the rule is the one-tier rule.
        let d = Evidence::from_loci(&[locus(Some(50.0))], &StrConfig::default());
        assert!(d.met() && (d.lod.get() - 0.01).abs() < 1e-12);
    }

    #[test]
    fn a_person_not_detected_has_an_interval_from_zero() {
        let i = Some(Interval {
            low: Percent::lit(0.1),
            high: Percent::lit(0.9),
        });
        let z = interval_for_call(i, Detection::NotDetected, None).unwrap();
        assert_eq!((z.low, z.high), (Percent::ZERO, Percent::lit(0.9)));
        let p = interval_for_call(i, Detection::Present, Some(Percent::lit(2.0))).unwrap();
        assert_eq!((p.low, p.high), (Percent::lit(0.1), Percent::lit(0.9)));
        assert_eq!(interval_for_call(None, Detection::NotDetected, None), None);
    }

    #[test]
    fn a_person_not_detected_has_an_interval_up_to_the_lod_and_the_others_make_room() {
        let i = |lo: f64, hi: f64| {
            Some(Interval {
                low: Percent::lit(lo),
                high: Percent::lit(hi),
            })
        };
        // An interval below the LoD reaches it; one above it is kept.
        let z = interval_for_call(i(0.0, 0.0), Detection::NotDetected, Some(Percent::lit(2.8)));
        assert_eq!(z.unwrap().high, Percent::lit(2.8));
        let z = interval_for_call(i(0.0, 3.1), Detection::NotDetected, Some(Percent::lit(2.8)));
        assert_eq!(z.unwrap().high, Percent::lit(3.1));
        // The donor beside it reaches down by what the recipient may hold.
        let mut r = pe("recipient", 0.0);
        r.detection = Detection::NotDetected;
        r.ci = i(0.0, 2.8);
        let mut d = pe("D1", 100.0);
        d.detection = Detection::Present;
        d.ci = i(100.0, 100.0);
        let mut v = vec![r, d];
        widen_for_unseen(&mut v);
        assert_eq!(v[1].ci.unwrap().low, Percent::lit(97.2));
        assert_eq!(v[1].ci.unwrap().high, Percent::lit(100.0));
        // A wider interval is never narrowed.
        v[1].ci = i(90.0, 100.0);
        widen_for_unseen(&mut v);
        assert_eq!(v[1].ci.unwrap().low, Percent::lit(90.0));
    }

    fn pe(name: &str, p: f64) -> PersonEstimate {
        PersonEstimate {
            person: PersonRef::parse(name),
            percent: Percent::lit(p),
            ci: None,
            per_locus_mean: None,
            sd: None,
            cv: None,
            informative_loci: 0,
            detection: Detection::Present,
            detection_limit_percent: None,
            lod_lab_validated: false,
            loci_detected: 0,
            loci_assessable: 0,
        }
    }

    #[test]
    fn no_dominant_donor_on_a_tie() {
        assert_eq!(dominant_donor(&[pe("A", 50.0), pe("B", 50.0)]), None);
        assert_eq!(
            dominant_donor(&[pe("A", 50.0), pe("B", 49.99)]),
            Some(PersonRef::parse("A"))
        );
        assert_eq!(dominant_donor(&[pe("A", 50.0), pe("B", 49.996)]), None);
    }
}

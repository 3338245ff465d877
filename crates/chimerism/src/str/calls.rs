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

use graftwatch_core::PersonRef;

use super::fit::LocusFit;
use super::qc::{StrFlag, StrFlagCode};
use super::references::StrReferences;
use super::result::{Detection, Interval, LocusReport, PersonEstimate};

/// Smallest share shown as non-zero (percent).
pub const MIN_SHOWN_PERCENT: f64 = 0.005;

/// The detection call of one person (rule STR-CALL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    /// The call.
    pub detection: Detection,
    /// The stated LoD (percent).
    pub lod_percent: Option<f64>,
    /// True when the rule had to settle a conflict.
    pub conflict: bool,
    /// True when the stated LoD is the lab's validated one.
    pub lab_validated: bool,
}

/// Applies rule STR-CALL. `lods` are the per-locus detection limits
/// (fractions) of the loci where the person is assessable and `seen` how
/// many of them show a clean unique peak.
pub fn call(
    percent: f64,
    seen: usize,
    lods: &[f64],
    need: usize,
    validated_lod: Option<f64>,
    validated_loq: Option<f64>,
) -> Call {
    if lods.is_empty() {
        return Call {
            detection: Detection::NotAssessable,
            lod_percent: validated_lod,
            conflict: false,
            lab_validated: validated_lod.is_some(),
        };
    }
    let mut l = lods.to_vec();
    l.sort_by(f64::total_cmp);
    let need = need.clamp(1, l.len());
    let lod = validated_lod.unwrap_or(100.0 * l[need - 1]);
    if seen >= need && percent >= MIN_SHOWN_PERCENT {
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
    let conflict = seen >= need || percent > lod;
    Call {
        detection: Detection::NotDetected,
        lod_percent: Some(lod.max(percent)),
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
            .filter_map(|f| reports[f.index].per_person_percent[i])
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
        let dets: Vec<(bool, f64)> = used.iter().filter_map(|f| f.det[i]).collect();
        let seen = dets.iter().filter(|d| d.0).count();
        let lods: Vec<f64> = dets.iter().map(|d| d.1).collect();
        let percent = 100.0 * est[i];
        let c = call(
            percent,
            seen,
            &lods,
            cfg.min_loci_for_presence,
            cfg.validated_lod_percent,
            cfg.validated_loq_percent,
        );
        if c.conflict {
            flags.push(StrFlag::new(
                StrFlagCode::CallRule,
                format!(
                    "{person}: fitted share {percent:.2}% with clean unique peaks at {seen} of {} loci; called {} (rule STR-CALL; stated LoD {:.2}%)",
                    lods.len(),
                    c.detection.as_str(),
                    c.lod_percent.unwrap_or(0.0)
                ),
            ));
        }
        persons.push(PersonEstimate {
            person,
            percent,
            ci: ci[i],
            per_locus_mean: mean,
            sd,
            cv,
            informative_loci: per.len(),
            detection: c.detection,
            detection_limit_percent: c.lod_percent,
            lod_lab_validated: c.lab_validated,
            loci_detected: seen,
            loci_assessable: lods.len(),
        });
    }
    let dominant = dominant_donor(&persons[1..]);
    (persons, dominant)
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
    let mut v: Vec<&PersonEstimate> = donors.iter().collect();
    v.sort_by(|a, b| b.percent.total_cmp(&a.percent));
    match v.as_slice() {
        [] => None,
        [one] => Some(one.person.clone()),
        [a, b, ..] if (a.percent * 100.0).round() == (b.percent * 100.0).round() => None,
        [a, ..] => Some(a.person.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_rule_boundaries() {
        let lods = [0.01, 0.02];
        // Seen and above 0.005 %: present.
        assert_eq!(
            call(0.005, 1, &lods, 1, None, None).detection,
            Detection::Present
        );
        // Seen but fitted 0.00: not detected, flagged.
        let c = call(0.0049, 1, &lods, 1, None, None);
        assert_eq!((c.detection, c.conflict), (Detection::NotDetected, true));
        // Not seen, share at the LoD: not detected, LoD 1 %, no conflict.
        let c = call(1.0, 0, &lods, 1, None, None);
        assert_eq!(
            (c.detection, c.lod_percent, c.conflict),
            (Detection::NotDetected, Some(1.0), false)
        );
        // Not seen, share above the LoD: LoD raised to the share.
        let c = call(3.92, 0, &lods, 1, None, None);
        assert_eq!((c.lod_percent, c.conflict), (Some(3.92), true));
        // Validated LoD and LoQ.
        let c = call(0.8, 0, &lods, 1, Some(1.5), Some(2.0));
        assert_eq!((c.lod_percent, c.lab_validated), (Some(1.5), true));
        assert!(!call(0.8, 0, &lods, 1, None, None).lab_validated);
        // A share above the validated LoD without a clean peak raises the
        // stated LoD: then it is no longer the lab's.
        let c = call(1.6, 0, &lods, 1, Some(1.5), None);
        assert_eq!((c.lod_percent, c.lab_validated), (Some(1.6), false));
        assert_eq!(
            call(1.99, 1, &lods, 1, Some(1.5), Some(2.0)).detection,
            Detection::BelowQuantification
        );
        assert_eq!(
            call(2.0, 1, &lods, 1, Some(1.5), Some(2.0)).detection,
            Detection::Present
        );
        assert_eq!(
            call(5.0, 0, &[], 1, None, None).detection,
            Detection::NotAssessable
        );
    }

    fn pe(name: &str, p: f64) -> PersonEstimate {
        PersonEstimate {
            person: PersonRef::parse(name),
            percent: p,
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

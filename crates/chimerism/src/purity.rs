//! Purity correction of a cell-sorted lineage result, for STR and NGS.
//!
//! A sorted fraction of purity P contains a share 1 − P of other cells.
//! When those contaminating cells have the composition of the unsorted
//! sample of the same day (whole blood or marrow), each person's observed
//! share is c_obs = P · c_lineage + (1 − P) · c_unsorted, so
//!
//! c_lineage = (c_obs − (1 − P) · c_unsorted) / P,
//!
//! clipped at 0 and renormalised to 100 %. (Assumption: the contaminants
//! resemble the unsorted sample; documented in docs/chimerism-str.md.)
//!
//! The assumption is checked: a person whose presence was called in the
//! sorted sample cannot be corrected to 0 %. When the formula gives such a
//! person a share of 0 or less, the sorted sample and the unsorted one do
//! not fit the formula (a wrong purity, a wrong pairing of samples, or
//! contaminants unlike the unsorted sample), and the correction is not
//! applied ([`Correction::Contradicts`]); the uncorrected result stands.

/// A corrected share below this (percent) is stored as 0.00 % (results
/// are recorded to 0.01 points): for a person called present that is the
/// contradiction [`correct`] refuses.
pub const ZERO_SHARE_PERCENT: f64 = 0.005;

/// The outcome of the purity correction of one sorted sample.
#[derive(Debug, Clone, PartialEq)]
pub enum Correction {
    /// Corrected shares (percent, one per person, summing to 100).
    Applied(Vec<f64>),
    /// Not applied: the formula puts `person`, called present in the
    /// sorted sample, at 0 % or less (below [`ZERO_SHARE_PERCENT`]).
    Contradicts {
        /// Index of the person.
        person: usize,
        /// The person's share in the sorted sample (percent).
        observed: f64,
        /// The person's share in the unsorted sample (percent).
        unsorted: f64,
        /// The formula's value before clipping (percent, ≤ 0).
        corrected: f64,
    },
    /// Purity outside (0, 1], lists of different lengths, or nothing left
    /// after clipping.
    NotComputable,
}

/// Corrects `observed` shares (percent, one per person) of a lineage sorted
/// at `purity` (fraction, 0 < P ≤ 1) with the `unsorted` shares of the same
/// day. `present[i]` says whether person i's presence was called in the
/// sorted sample (a person missing from `present` counts as not called).
pub fn correct(observed: &[f64], unsorted: &[f64], purity: f64, present: &[bool]) -> Correction {
    if !(purity > 0.0 && purity <= 1.0) || observed.len() != unsorted.len() {
        return Correction::NotComputable;
    }
    let raw: Vec<f64> = observed
        .iter()
        .zip(unsorted)
        .map(|(o, u)| (o - (1.0 - purity) * u) / purity)
        .collect();
    if let Some(i) =
        (0..raw.len()).find(|&i| raw[i] < ZERO_SHARE_PERCENT && present.get(i) == Some(&true))
    {
        return Correction::Contradicts {
            person: i,
            observed: observed[i],
            unsorted: unsorted[i],
            corrected: raw[i],
        };
    }
    let clipped: Vec<f64> = raw.iter().map(|x| x.max(0.0)).collect();
    let total: f64 = clipped.iter().sum();
    if total <= 0.0 {
        return Correction::NotComputable;
    }
    Correction::Applied(clipped.iter().map(|x| 100.0 * x / total).collect())
}

/// The corrected shares, when the correction was applied.
pub fn applied(c: &Correction) -> Option<Vec<f64>> {
    match c {
        Correction::Applied(v) => Some(v.clone()),
        _ => None,
    }
}

/// What was done about the purity of one sorted sample, in the words of
/// the output (`method` is `STR` or `NGS`, for the flag codes; `names` are
/// the persons in result order). `unsorted_found`: an unsorted sample of
/// the same day exists; `correction` is `None` when none was tried.
pub fn note(
    method: &str,
    purity: f64,
    floor: f64,
    names: &[String],
    correction: Option<&Correction>,
) -> String {
    let mut out = Vec::new();
    if purity < floor {
        out.push(format!(
            "[{method}-LOW-PURITY] sort purity {:.1}% is below the floor {:.1}%",
            100.0 * purity,
            100.0 * floor
        ));
    }
    out.push(match correction {
        Some(Correction::Applied(_)) => format!(
            "purity-corrected for {:.1}% purity with the unsorted sample of the same day: c = (c_obs − (1 − P)·c_unsorted)/P",
            100.0 * purity
        ),
        Some(Correction::Contradicts {
            person,
            observed,
            unsorted,
            corrected,
        }) => format!(
            "[{method}-PURITY-MISMATCH] purity correction not applied: at {:.1}% purity it would put {} (present here at {observed:.2}%, {unsorted:.2}% in the unsorted sample of the same day) at {corrected:.2}%; the sorted and unsorted samples do not fit the correction (check the purity and which unsorted sample belongs to this tube); the uncorrected result stands",
            100.0 * purity,
            names.get(*person).map_or("a person", String::as_str)
        ),
        Some(Correction::NotComputable) => format!(
            "sort purity {:.1}% recorded; the correction could not be computed: not corrected",
            100.0 * purity
        ),
        None => format!(
            "sort purity {:.1}% recorded; no unsorted sample of the same day to correct with: not corrected",
            100.0 * purity
        ),
    });
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_recovers_the_lineage_share() {
        // Lineage truth 10 % recipient, unsorted 40 %, purity 0.9:
        // observed = 0.9·10 + 0.1·40 = 13 %.
        let c = applied(&correct(&[13.0, 87.0], &[40.0, 60.0], 0.9, &[true, true])).unwrap();
        assert!((c[0] - 10.0).abs() < 1e-9 && (c[1] - 90.0).abs() < 1e-9);
        // Pure sort: unchanged.
        assert_eq!(
            correct(&[13.0, 87.0], &[40.0, 60.0], 1.0, &[true, true]),
            Correction::Applied(vec![13.0, 87.0])
        );
        // A person not called present may be over-corrected: clipped at 0.
        let c = applied(&correct(&[1.0, 99.0], &[40.0, 60.0], 0.9, &[false, true])).unwrap();
        assert_eq!(c[0], 0.0);
        assert_eq!(
            correct(&[1.0], &[1.0, 2.0], 0.9, &[]),
            Correction::NotComputable
        );
        assert_eq!(
            correct(&[1.0, 99.0], &[1.0, 99.0], 0.0, &[]),
            Correction::NotComputable
        );
    }

    /// A person called present is never corrected to 0 %: both sides of
    /// the boundary (observed = (1 − P)·unsorted gives exactly 0).
    #[test]
    fn a_present_person_corrected_to_zero_or_less_stops_the_correction() {
        // 0.8 * x + 0.2 * 20 = 4 → x = 0: contradiction at exactly 0
        let c = correct(&[4.0, 96.0], &[20.0, 80.0], 0.8, &[true, true]);
        assert!(
            matches!(c, Correction::Contradicts { person: 0, .. }),
            "{c:?}"
        );
        // just above: applied
        let c = correct(&[4.01, 95.99], &[20.0, 80.0], 0.8, &[true, true]);
        assert!(matches!(c, Correction::Applied(_)), "{c:?}");
        let n = note(
            "STR",
            0.8,
            0.9,
            &["recipient".into(), "PBSC-1".into()],
            Some(&correct(&[4.0, 96.0], &[20.0, 80.0], 0.8, &[true, true])),
        );
        assert!(n.contains("[STR-LOW-PURITY]") && n.contains("[STR-PURITY-MISMATCH]"));
        assert!(
            n.contains("recipient (present here at 4.00%") && n.contains("not applied"),
            "{n}"
        );
    }
}

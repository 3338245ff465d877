//! The chimerism-rise rule: when does the recipient share of one lineage
//! count as rising on serial samples? One rule, used by the DLI trigger
//! ([`crate::dli`]) and by the report's chimerism-trend alert, so the two
//! can never disagree.
//!
//! A step from one sample to the next of the same lineage is a **rise**
//! when the later recipient share exceeds the earlier one by at least
//! `min_step_points` percentage points, after both values are raised to the
//! limit of detection (the larger of the rule's LoD and the sample's own
//! LoD when the assay reports one): noise below the LoD never makes a rise.
//! The share is **rising** at a sample when the last `serial_rises` steps up
//! to it are all rises (default 2: three samples, each higher than the last).
//!
//! Source: graftwatch clinical-criteria reference §6.6 ("rising recipient
//! chimerism on ≥ 2 serial samples" \[R\]); the 1-point step and 1 % LoD are
//! the STR assay's quantification limit (chimerism-methods.md: STR LoD
//! 1–5 %), engine decision 12 in docs/criteria-decisions.md.

use graftwatch_core::{Citation, Percent, Provenance};
use serde::{Deserialize, Serialize};

/// Citation of the rule.
pub const CITE_RISE: Citation = Citation {
    source: "graftwatch clinical-criteria reference §6.6 (rising recipient chimerism on serial samples)",
    year: 2025,
    table: "Triggers for pre-emptive DLI",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Rising recipient chimerism on ≥ 2 serial samples; step and LoD are practice values (STR LoD 1 %), configurable.",
};

/// The rise rule's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiseRule {
    /// Consecutive rises that make "rising" (2 = three samples).
    pub serial_rises: usize,
    /// Smallest rise, in percentage points, that counts (a difference of
    /// two shares, not a share: a plain number).
    pub min_step_points: f64,
    /// Limit of detection (%): values below it are compared as at the LoD.
    pub lod_percent: Percent,
}

impl Default for RiseRule {
    fn default() -> Self {
        RiseRule {
            serial_rises: 2,
            min_step_points: 1.0,
            lod_percent: Percent::lit(1.0),
        }
    }
}

/// One sample: recipient share (%) and the assay's own LoD (%), if known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiseSample {
    /// Recipient share, %.
    pub recipient_percent: Percent,
    /// The sample's limit of detection, %, when the assay reports one.
    pub lod_percent: Option<Percent>,
}

impl RiseRule {
    /// The LoD used for a sample.
    fn lod(&self, s: &RiseSample) -> f64 {
        s.lod_percent
            .map_or(0.0, Percent::get)
            .max(self.lod_percent.get())
    }

    /// Whether the step `a → b` is a rise.
    pub fn is_rise(&self, a: &RiseSample, b: &RiseSample) -> bool {
        let lod = self.lod(a).max(self.lod(b));
        let step = b.recipient_percent.get().max(lod) - a.recipient_percent.get().max(lod);
        step > 0.0 && step >= self.min_step_points
    }

    /// For each sample (in date order), the number of consecutive rises
    /// ending at it (0 for the first sample).
    pub fn run_lengths(&self, samples: &[RiseSample]) -> Vec<usize> {
        let mut out = Vec::with_capacity(samples.len());
        let mut run = 0usize;
        for (i, s) in samples.iter().enumerate() {
            if i > 0 && self.is_rise(&samples[i - 1], s) {
                run += 1;
            } else {
                run = 0;
            }
            out.push(run);
        }
        out
    }

    /// The number of rises needed (at least 1).
    pub fn needed(&self) -> usize {
        self.serial_rises.max(1)
    }

    /// Whether the share is rising at the last sample.
    pub fn rising_at_last(&self, samples: &[RiseSample]) -> bool {
        self.run_lengths(samples)
            .last()
            .is_some_and(|r| *r >= self.needed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[f64]) -> Vec<RiseSample> {
        v.iter()
            .map(|x| RiseSample {
                recipient_percent: Percent::new(*x).unwrap(),
                lod_percent: None,
            })
            .collect()
    }

    #[test]
    fn step_boundary_one_point() {
        let r = RiseRule::default();
        assert!(
            r.rising_at_last(&s(&[2.0, 3.0, 4.0])),
            "1.0-point steps rise"
        );
        assert!(
            !r.rising_at_last(&s(&[2.0, 2.99, 3.98])),
            "0.99 steps do not"
        );
    }

    #[test]
    fn serial_count_boundary() {
        let r = RiseRule::default();
        assert!(!r.rising_at_last(&s(&[2.0, 5.0])), "one rise is not two");
        assert!(r.rising_at_last(&s(&[2.0, 5.0, 8.0])));
        assert!(
            !r.rising_at_last(&s(&[2.0, 5.0, 8.0, 8.0])),
            "plateau ends it"
        );
        assert_eq!(r.run_lengths(&s(&[2.0, 5.0, 8.0, 12.0])), vec![0, 1, 2, 3]);
    }

    #[test]
    fn values_below_lod_never_rise() {
        let r = RiseRule::default();
        assert!(!r.rising_at_last(&s(&[0.2, 0.5, 0.9])));
        let mut v = s(&[2.0, 4.0, 6.0]);
        v[2].lod_percent = Some(Percent::lit(7.0));
        assert!(!r.rising_at_last(&v), "sample LoD above the values");
    }
}

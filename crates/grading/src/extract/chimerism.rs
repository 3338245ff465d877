//! Chimerism samples: the per-person rows of one result grouped by date,
//! lineage and sample id, with the total donor share (the sum over donors,
//! §4.2) and the dominant donor.

use graftwatch_core::{Date, DonorId, Lineage, Percent, PersonRef};
use graftwatch_course::{ChimerismMethod, Course, Observation, ObservationKind};
use serde::Serialize;

/// One person's share in a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Recipient or donor.
    pub person: PersonRef,
    /// Percent of cells.
    pub percent: Percent,
    /// The result's limit of detection for this person, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lod_percent: Option<Percent>,
    /// The detection call, when recorded (`false`: below the LoD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

impl Share {
    /// The share as a reader sees it: `< L` when the person was not
    /// detected (L the recorded limit), else the percentage with
    /// `decimals` decimals. The rule of the chimerism reports
    /// (`graftwatch_chimerism::reported`): a result below the LoD is not a
    /// number.
    pub fn shown(&self, decimals: usize) -> String {
        shown_share(self.percent, self.detected, self.lod_percent, decimals)
    }

    /// True when the person was recorded as not detected.
    pub fn not_detected(&self) -> bool {
        self.detected == Some(false)
    }
}

/// A recorded share as a reader sees it ([`Share::shown`]): `< L` when not
/// detected with a limit L, "not detected" without one, else the number
/// (the rule of `graftwatch_core::reported`).
pub fn shown_share(
    percent: Percent,
    detected: Option<bool>,
    lod: Option<Percent>,
    decimals: usize,
) -> String {
    use graftwatch_core::reported::{Decimals, reported_percent};
    let d = Decimals {
        share: decimals,
        limit: decimals,
    };
    match (detected, lod) {
        (Some(false), None) => "not detected".to_string(),
        (Some(false), l) => reported_percent(percent.get(), l.map(Percent::get), d),
        _ => reported_percent(percent.get(), None, d),
    }
}

/// One chimerism result: a lineage on a date (and sample id).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChimerismSample {
    /// Date.
    pub date: Date,
    /// Lineage (`whole_blood` when not stated).
    pub lineage: Lineage,
    /// Sample id, when stated.
    pub sample: Option<String>,
    /// Method, when stated.
    pub method: Option<ChimerismMethod>,
    /// Per-person shares as recorded.
    pub shares: Vec<Share>,
}

impl ChimerismSample {
    /// Total donor %: the sum of donor shares; when only the recipient share
    /// was recorded, 100 − recipient. `None` without any share.
    pub fn donor_percent(&self) -> Option<Percent> {
        let donors: Vec<f64> = self
            .shares
            .iter()
            .filter(|s| matches!(s.person, PersonRef::Donor(_)))
            .map(|s| s.percent.get())
            .collect();
        if !donors.is_empty() {
            // A sum of shares (≥ 0), bounded at 100 %.
            return Percent::clamp(donors.iter().sum::<f64>());
        }
        self.recipient_percent().map(Percent::complement)
    }

    /// True when the donor total was derived as 100 − recipient.
    pub fn donor_derived_from_recipient(&self) -> bool {
        !self
            .shares
            .iter()
            .any(|s| matches!(s.person, PersonRef::Donor(_)))
            && self.recipient_percent().is_some()
    }

    /// Recipient %, when recorded.
    pub fn recipient_percent(&self) -> Option<Percent> {
        self.recipient().map(|s| s.percent)
    }

    /// The recipient share the rising-chimerism rule compares, with its
    /// limit of detection: the recorded recipient share and its LoD, or
    /// 100 − the donors' total (no LoD) when only donors were recorded.
    /// One reading for the DLI trigger and the report's trend alert.
    pub fn recipient_for_trend(&self) -> Option<(Percent, Option<Percent>)> {
        match self.recipient() {
            Some(r) => Some((r.percent, r.lod_percent)),
            None => self.donor_percent().map(|d| (d.complement(), None)),
        }
    }

    /// The recipient's share, when recorded.
    pub fn recipient(&self) -> Option<&Share> {
        self.shares
            .iter()
            .find(|s| s.person == PersonRef::Recipient)
    }

    /// The donor with the largest share.
    pub fn dominant_donor(&self) -> Option<(&DonorId, Percent)> {
        self.shares
            .iter()
            .filter_map(|s| match &s.person {
                PersonRef::Donor(d) => Some((d, s.percent)),
                PersonRef::Recipient => None,
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Extracts and groups the chimerism rows of a course (date order, then
/// lineage order).
pub fn chimerism_samples(course: &Course) -> Vec<ChimerismSample> {
    chimerism_samples_of(course.observations.iter())
}

/// The kinds [`chimerism_samples`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    kind == ObservationKind::Chimerism
}

/// [`chimerism_samples`] of the observations given (course order).
pub(crate) fn chimerism_samples_of<'a>(
    obs: impl Iterator<Item = &'a Observation>,
) -> Vec<ChimerismSample> {
    let mut out: Vec<ChimerismSample> = Vec::new();
    // Where the sample of each (date, lineage, sample id) is in `out`.
    let mut at: std::collections::HashMap<(Date, Lineage, Option<&str>), usize> =
        std::collections::HashMap::new();
    for o in obs.filter(|o| o.kind == ObservationKind::Chimerism) {
        let Some(pct) = o.percent() else { continue };
        let Some(person) = o.person.clone() else {
            continue;
        };
        let lineage = o.lineage.unwrap_or(Lineage::WholeBlood);
        let i = *at
            .entry((o.date, lineage, o.sample.as_deref()))
            .or_insert(out.len());
        if i == out.len() {
            out.push(ChimerismSample {
                date: o.date,
                lineage,
                sample: o.sample.as_deref().map(str::to_string),
                method: o.method,
                shares: Vec::new(),
            });
        }
        let s = &mut out[i];
        if s.method.is_none() {
            s.method = o.method;
        }
        let share = Share {
            person,
            percent: pct,
            lod_percent: o.lod_percent,
            detected: o.detected,
        };
        match s.shares.iter_mut().find(|x| x.person == share.person) {
            Some(x) => *x = share,
            None => s.shares.push(share),
        }
    }
    out.sort_by_key(|a| (a.date, a.lineage));
    out
}

//! The course document.

use graftwatch_core::{Analyte, Date, DonorId};
use serde::{Deserialize, Serialize};

use crate::anchor::{Anchor, AnchorKind};
use crate::event::{Event, EventDetail, GraftSource};
use crate::observation::{Observation, ObservationKind};
use crate::patient::{Donor, Patient};

/// Format tag of version 1 of the course document.
pub const FORMAT_V1: &str = "graftwatch-course/1";

/// A patient's course: who, with which donors, what happened and what was
/// observed. Events and observations are kept sorted by date (stable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    /// Format tag, `graftwatch-course/1`.
    pub format: String,
    /// Present when the course is an illustrative reconstruction rather than
    /// real data (the bundled seed case): says so in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    /// The patient.
    pub patient: Patient,
    /// Donors and cord units.
    #[serde(default)]
    pub donors: Vec<Donor>,
    /// Events.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Observations.
    #[serde(default)]
    pub observations: Vec<Observation>,
}

impl Course {
    /// Sorts events and observations by date (then time), stably.
    pub fn sort(&mut self) {
        // Files are usually written in date order: check before sorting.
        if !self.events.is_sorted_by_key(|e| (e.date, e.time)) {
            self.events.sort_by_key(|e| (e.date, e.time));
        }
        if !self.observations.is_sorted_by_key(|o| (o.date, o.time)) {
            sort_stable_in_place(&mut self.observations, |o| (o.date, o.time));
        }
    }

    /// The donor with this id.
    pub fn donor(&self, id: &DonorId) -> Option<&Donor> {
        self.donors.iter().find(|d| &d.id == id)
    }

    /// Every anchor event (transplants, CAR-T infusions, DLIs), in date order.
    /// A transplant's day 0 is the date of its first graft infusion.
    pub fn anchors(&self) -> Vec<Anchor> {
        let mut out: Vec<Anchor> = Vec::new();
        let mut dli_n = 0u32;
        let mut cart_n = 0u32;
        for e in &self.events {
            match &e.detail {
                EventDetail::GraftInfusion { transplant, .. } => {
                    let kind = AnchorKind::Transplant(*transplant);
                    if !out.iter().any(|a| a.kind == kind) {
                        out.push(Anchor { kind, date: e.date });
                    }
                }
                EventDetail::CarTInfusion { .. } => {
                    cart_n += 1;
                    out.push(Anchor {
                        kind: AnchorKind::CarT(cart_n),
                        date: e.date,
                    });
                }
                EventDetail::Dli { .. } => {
                    dli_n += 1;
                    out.push(Anchor {
                        kind: AnchorKind::Dli(dli_n),
                        date: e.date,
                    });
                }
                _ => {}
            }
        }
        out.sort_by_key(|a| a.date);
        out
    }

    /// Day 0 of transplant `n` (first graft infusion).
    pub fn transplant_day0(&self, n: u32) -> Option<Date> {
        self.anchors()
            .into_iter()
            .find(|a| a.kind == AnchorKind::Transplant(n))
            .map(|a| a.date)
    }

    /// The anchor a date is best described against: the latest transplant or
    /// CAR-T infusion on or before it (DLIs are reported separately).
    pub fn primary_anchor_for(&self, date: Date) -> Option<Anchor> {
        self.anchors().into_iter().rfind(|a| {
            matches!(a.kind, AnchorKind::Transplant(_) | AnchorKind::CarT(_)) && a.date <= date
        })
    }

    /// Graft sources infused in transplant `n`.
    pub fn graft_sources(&self, n: u32) -> Vec<(GraftSource, DonorId)> {
        self.events
            .iter()
            .filter_map(|e| match &e.detail {
                EventDetail::GraftInfusion {
                    transplant,
                    source,
                    donor,
                    ..
                } if *transplant == n => Some((*source, donor.clone())),
                _ => None,
            })
            .collect()
    }

    /// The distinct transplant numbers with a graft infusion, in order.
    pub fn transplant_numbers(&self) -> Vec<u32> {
        let mut transplants: Vec<u32> = self
            .events
            .iter()
            .filter_map(|e| match e.detail {
                EventDetail::GraftInfusion { transplant, .. } => Some(transplant),
                _ => None,
            })
            .collect();
        transplants.sort_unstable();
        transplants.dedup();
        transplants
    }

    /// All observations of a kind, in date order.
    pub fn observations_of(&self, kind: ObservationKind) -> impl Iterator<Item = &Observation> {
        self.observations.iter().filter(move |o| o.kind == kind)
    }

    /// `(date, value)` of a laboratory analyte in canonical units.
    pub fn lab_series(&self, analyte: Analyte) -> Vec<(Date, f64)> {
        self.observations_of(ObservationKind::Lab(analyte))
            .filter_map(|o| o.number().map(|v| (o.date, v)))
            .collect()
    }

    /// The most recent body weight (kg) on or before `date`, or else the
    /// first one recorded.
    pub fn weight_on(&self, date: Date) -> Option<f64> {
        let ws: Vec<(Date, f64)> = self
            .observations_of(ObservationKind::Weight)
            .filter_map(|o| o.number().map(|v| (o.date, v)))
            .collect();
        ws.iter()
            .rev()
            .find(|(d, _)| *d <= date)
            .or(ws.first())
            .map(|(_, w)| *w)
    }

    /// First and last date mentioned by any event or observation.
    pub fn span(&self) -> Option<(Date, Date)> {
        let dates = self
            .events
            .iter()
            .flat_map(|e| std::iter::once(e.date).chain(e.end_date))
            .chain(self.observations.iter().map(|o| o.date));
        dates.fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((a, b)) => Some((a.min(d), b.max(d))),
        })
    }
}

/// Sorts `v` stably by `key` without a second buffer of elements: the keys
/// with their positions are sorted (a few bytes each), then the elements are
/// moved into place along the permutation's cycles. A million observations
/// of a large unsorted course would otherwise need a scratch copy of half of
/// them (the standard stable sort's buffer).
fn sort_stable_in_place<T, K: Ord + Copy>(v: &mut [T], key: impl Fn(&T) -> K) {
    let mut keyed: Vec<(K, usize)> = v.iter().enumerate().map(|(i, x)| (key(x), i)).collect();
    // Positions make the keys distinct: an unstable sort of them is stable.
    keyed.sort_unstable();
    // perm[d] = the position the element that belongs at d is now at.
    let mut perm: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    for start in 0..perm.len() {
        let mut d = start;
        loop {
            let s = perm[d];
            perm[d] = d;
            if s == start || s == d {
                break;
            }
            v.swap(d, s);
            d = s;
        }
    }
}

#[cfg(test)]
mod sort_tests {
    use super::sort_stable_in_place;

    #[test]
    fn sorts_stably_in_place() {
        // Pseudo-random keys with many ties; the payload records the
        // original position, so stability is checked too.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut v: Vec<(u8, usize)> = (0..5_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 17) as u8, i)
            })
            .collect();
        let mut want = v.clone();
        want.sort_by_key(|e| e.0);
        sort_stable_in_place(&mut v, |e| e.0);
        assert_eq!(v, want);
        let mut empty: Vec<(u8, usize)> = Vec::new();
        sort_stable_in_place(&mut empty, |e| e.0);
        let mut rev: Vec<u32> = (0..100).rev().collect();
        sort_stable_in_place(&mut rev, |e| *e);
        assert_eq!(rev, (0..100).collect::<Vec<_>>());
    }
}

//! Observations entered twice, and laboratory values that contradict each
//! other at one time point: warnings, never errors (a course may hold
//! both, and only the person who entered them can say which is right).
//!
//! * An observation equal to an earlier one in every field is "recorded
//!   twice?": the stool volumes and episodes of a day are summed by the
//!   acute GVHD staging, so a row pasted twice doubles that day's output.
//! * Two values of one laboratory analyte on the same date and time
//!   (both without a time counts as the same time) that differ are "two
//!   different values": each is graded as recorded.
//!
//! Each observation is compared with the first [`MAX_COMPARED`] of its
//! date, time and kind, so that a file of a million rows of one date stays
//! O(n log n).

use crate::diagnostic::Location;
use crate::observation::{ObsValue, Observation, ObservationKind};

/// Earlier observations of the same date, time and kind an observation is
/// compared with (the first of them).
pub(crate) const MAX_COMPARED: usize = 64;

/// One repeat: the later observation, the earlier one and what the warning
/// says.
pub(crate) struct Repeat {
    /// Index of the later observation.
    pub(crate) later: usize,
    /// Index of the earlier one.
    pub(crate) earlier: usize,
    /// Whether the two are equal (else: a lab value that differs).
    pub(crate) identical: bool,
}

/// The repeats among `observations`, in order of the later observation.
/// The observations are grouped by date, time and kind by sorting their
/// indices (O(n log n) whatever the input: no hash table an input could
/// crowd into one bucket).
pub(crate) fn repeats(observations: &[Observation]) -> Vec<Repeat> {
    let mut keyed: Vec<(u64, usize)> = observations
        .iter()
        .enumerate()
        .map(|(i, o)| (group_key(o), i))
        .collect();
    keyed.sort_unstable();
    // The repeat found for each observation, by index: read out in order
    // (cheaper than sorting the repeats of a file copied into itself).
    let mut found: Vec<Option<(usize, bool)>> = vec![None; observations.len()];
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        for (n, &(_, i)) in group.iter().enumerate().skip(1) {
            let earlier = group[..n.min(MAX_COMPARED)].iter().map(|&(_, j)| j);
            found[i] = first_repeat(observations, &observations[i], earlier);
        }
    }
    found
        .into_iter()
        .enumerate()
        .filter_map(|(later, f)| {
            f.map(|(earlier, identical)| Repeat {
                later,
                earlier,
                identical,
            })
        })
        .collect()
}

/// Date, time and kind packed into one number: days since the epoch
/// (offset to be non-negative) in the high 32 bits, minutes after
/// midnight (or 0xFFFF without a time) and the kind's index below.
fn group_key(o: &Observation) -> u64 {
    let day = (i64::from(o.date.days_since_epoch()) + (1_i64 << 31)) as u64;
    let time = o.time.map_or(0xFFFF, |t| u64::from(t.minutes()));
    (day << 32) | (time << 16) | (o.kind.dense_index() as u64 & 0xFFFF)
}

/// The first earlier observation (of `earlier`, oldest first) that `o`
/// repeats: (index, identical).
fn first_repeat(
    all: &[Observation],
    o: &Observation,
    earlier: impl Iterator<Item = usize> + Clone,
) -> Option<(usize, bool)> {
    if let Some(j) = earlier.clone().find(|&j| all[j] == *o) {
        return Some((j, true));
    }
    if !matches!(o.kind, ObservationKind::Lab(_)) {
        return None;
    }
    earlier
        .into_iter()
        .find(|&j| same_measurement(&all[j], o) && !same_value(&all[j].value, &o.value))
        .map(|j| (j, false))
}

/// Two lab observations that measure the same thing: the same analyte at
/// the same date and time (the caller's key) from the same sample, when
/// sample ids are given.
fn same_measurement(a: &Observation, b: &Observation) -> bool {
    a.sample == b.sample && a.lineage == b.lineage && a.assay == b.assay
}

fn same_value(a: &ObsValue, b: &ObsValue) -> bool {
    match (a, b) {
        (ObsValue::Number(x), ObsValue::Number(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// A record's place for a message: "line N" when the line is known, the
/// JSON path otherwise.
pub(crate) fn place(location: &Location) -> String {
    match location {
        Location::CsvLine { line, .. }
        | Location::JsonPath {
            line: Some(line), ..
        } => format!("line {line}"),
        Location::JsonPath { path, line: None } => path.clone(),
        Location::File => "the file".into(),
    }
}

/// The warning's text for a repeat whose earlier observation is at `at`.
pub(crate) fn words(r: &Repeat, earlier: &Observation, at: &str) -> String {
    if r.identical {
        let summed = matches!(
            earlier.kind,
            ObservationKind::StoolVolume | ObservationKind::StoolEpisodes
        );
        let why = if summed {
            " (the stool output of a day is summed: entered twice, it counts twice)"
        } else {
            ""
        };
        format!("one record of each observation; the same as at {at}: entered twice?{why}")
    } else {
        format!(
            "one value of {} for a date and time; {at} has {} on the same date and time: \
             check which is right (both are kept and graded)",
            earlier.kind.label(),
            value_text(earlier)
        )
    }
}

fn value_text(o: &Observation) -> String {
    match (&o.value, o.unit) {
        (ObsValue::Number(x), Some(u)) => u.with_value(x),
        (ObsValue::Number(x), None) => format!("{x}"),
        (ObsValue::Bool(b), _) => if *b { "yes" } else { "no" }.into(),
        (ObsValue::Category(c), _) => c.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use graftwatch_core::{Analyte, Date, TimeOfDay};

    fn anc(day: u32, v: f64) -> Observation {
        Observation::lab(Date::from_ymd(2025, 3, day).unwrap(), Analyte::Anc, v)
    }

    #[test]
    fn a_row_entered_twice_and_a_conflicting_lab_value_are_found() {
        let mut stool = anc(1, 0.0);
        stool.kind = ObservationKind::StoolVolume;
        stool.value = ObsValue::Number(800.0);
        let obs = vec![
            anc(1, 0.4),
            anc(2, 0.4),
            stool.clone(),
            anc(1, 0.4),
            anc(1, 0.6),
            stool,
        ];
        let r = repeats(&obs);
        let got: Vec<_> = r
            .iter()
            .map(|r| (r.later, r.earlier, r.identical))
            .collect();
        assert_eq!(got, vec![(3, 0, true), (4, 0, false), (5, 2, true)]);
        assert!(words(&r[2], &obs[2], "line 4").contains("summed"));
        assert!(
            words(&r[1], &obs[0], "line 2").contains("line 2 has 0.4 ×10⁹/L on the same"),
            "{}",
            words(&r[1], &obs[0], "line 2")
        );
    }

    #[test]
    fn other_times_samples_and_days_are_not_repeats() {
        let mut later = anc(1, 0.6);
        later.time = Some(TimeOfDay::from_hm(18, 0).unwrap());
        let mut other_sample = anc(1, 0.7);
        other_sample.sample = Some("S2".into());
        let obs = vec![anc(1, 0.4), later, other_sample, anc(2, 0.6)];
        assert!(repeats(&obs).is_empty());
    }

    #[test]
    fn comparisons_per_date_and_kind_are_bounded() {
        let obs: Vec<_> = (0..MAX_COMPARED + 10).map(|i| anc(1, i as f64)).collect();
        // Every later value differs from the first: one conflict each.
        assert_eq!(repeats(&obs).len(), MAX_COMPARED + 9);
    }
}

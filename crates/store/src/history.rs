//! What each revision of a course changed, in words, for `history`: the
//! counts of observations and events a revision added (an append), held
//! (a new or amended course, with the difference from the revision
//! before) or erased (a purge).

use graftwatch_course::Course;
use serde::Serialize;

use crate::courses::{StoredRev, corrupt};
use crate::error::Result;
use crate::types::{Delta, RevisionKind, RevisionMeta};

/// One revision with what it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryLine {
    /// The revision.
    #[serde(flatten)]
    pub meta: RevisionMeta,
    /// What changed, in words ("+6 observations", "amended: 118
    /// observations (−2), 9 events (+1)").
    pub what: String,
    /// Observations in the course after this revision (`None` after a
    /// deletion or purge).
    pub observations: Option<usize>,
    /// Events in the course after this revision.
    pub events: Option<usize>,
}

/// The history lines of one patient's revisions (oldest first, with
/// payloads).
pub(crate) fn changes(patient: &str, rows: Vec<StoredRev>) -> Result<Vec<HistoryLine>> {
    let mut counts: Option<(usize, usize)> = None;
    let mut out = Vec::with_capacity(rows.len());
    for StoredRev { meta, payload } in rows {
        let bad = |e: serde_json::Error| corrupt(patient, meta.rev, format!("payload: {e}"));
        let what = match (meta.kind, payload.as_deref()) {
            (RevisionKind::Create | RevisionKind::Replace, Some(text)) => {
                let c: Course = serde_json::from_str(text).map_err(bad)?;
                let now = (c.observations.len(), c.events.len());
                let what = full_revision(meta.kind, counts, now);
                counts = Some(now);
                what
            }
            (RevisionKind::Append, Some(text)) => {
                let d: Delta = serde_json::from_str(text).map_err(bad)?;
                let (o, e) = counts.unwrap_or_default();
                counts = Some((o + d.observations.len(), e + d.events.len()));
                added(d.observations.len(), d.events.len())
            }
            (RevisionKind::Tombstone, _) => {
                counts = None;
                "patient deleted (the earlier revisions stay readable)".to_string()
            }
            (RevisionKind::Purge, _) => {
                counts = None;
                "purged: the content of every revision was erased".to_string()
            }
            (_, None) => {
                counts = None;
                "content erased by the purge".to_string()
            }
        };
        out.push(HistoryLine {
            meta,
            what,
            observations: counts.map(|c| c.0),
            events: counts.map(|c| c.1),
        });
    }
    Ok(out)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn added(obs: usize, events: usize) -> String {
    match (obs, events) {
        (0, 0) => "nothing added".to_string(),
        (o, 0) => format!("+{}", plural(o, "observation")),
        (0, e) => format!("+{}", plural(e, "event")),
        (o, e) => format!("+{}, +{}", plural(o, "observation"), plural(e, "event")),
    }
}

fn signed(now: usize, before: usize) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Equal => "±0".to_string(),
        std::cmp::Ordering::Greater => format!("+{}", now - before),
        std::cmp::Ordering::Less => format!("−{}", before - now),
    }
}

fn full_revision(
    kind: RevisionKind,
    before: Option<(usize, usize)>,
    now: (usize, usize),
) -> String {
    let counts = format!(
        "{}, {}",
        plural(now.0, "observation"),
        plural(now.1, "event")
    );
    match (kind, before) {
        (RevisionKind::Replace, Some(b)) => format!(
            "amended: {} ({}), {} ({})",
            plural(now.0, "observation"),
            signed(now.0, b.0),
            plural(now.1, "event"),
            signed(now.1, b.1)
        ),
        (RevisionKind::Replace, None) => format!("amended: {counts}"),
        _ => format!("new course: {counts}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_each_kind_of_change() {
        assert_eq!(added(6, 0), "+6 observations");
        assert_eq!(added(1, 1), "+1 observation, +1 event");
        assert_eq!(added(0, 0), "nothing added");
        assert_eq!(
            full_revision(RevisionKind::Create, None, (120, 8)),
            "new course: 120 observations, 8 events"
        );
        assert_eq!(
            full_revision(RevisionKind::Replace, Some((120, 8)), (118, 9)),
            "amended: 118 observations (−2), 9 events (+1)"
        );
        assert_eq!(
            full_revision(RevisionKind::Replace, Some((1, 8)), (1, 8)),
            "amended: 1 observation (±0), 8 events (±0)"
        );
    }
}

//! Pure course arithmetic of revisions: applying an addition, telling an
//! addition from an amendment, and the canonical text of a course.

use std::collections::HashMap;

use graftwatch_course::Course;

use crate::types::Delta;

/// The canonical text of a course (compact JSON of the sorted model): what
/// is stored and hashed.
pub fn canonical_json(course: &Course) -> String {
    // Serialising plain data cannot fail.
    serde_json::to_string(course).unwrap_or_default()
}

/// Adds a delta's events and observations and re-sorts (stable by date and
/// time, so existing items keep their order and additions on the same day
/// come after them).
pub fn apply(course: &mut Course, delta: &Delta) {
    extend(course, delta);
    course.sort();
}

/// Adds a delta's events and observations without sorting. Several deltas
/// extended in order and sorted once give exactly the course of [`apply`]
/// after each: the sort is stable by date and time, so items with the
/// same date and time keep the order in which they were added either way.
pub(crate) fn extend(course: &mut Course, delta: &Delta) {
    course.events.extend(delta.events.iter().cloned());
    course
        .observations
        .extend(delta.observations.iter().cloned());
}

/// When `new` is `old` plus some events and observations (nothing removed
/// or changed, same patient, donors and header), the addition; else `None`
/// (an amendment).
pub fn addition(old: &Course, new: &Course) -> Option<Delta> {
    if old.format != new.format
        || old.illustrative != new.illustrative
        || old.patient != new.patient
        || old.donors != new.donors
        || new.events.len() < old.events.len()
        || new.observations.len() < old.observations.len()
    {
        return None;
    }
    let delta = Delta {
        events: extra(&old.events, &new.events)?,
        observations: extra(&old.observations, &new.observations)?,
    };
    let mut check = old.clone();
    apply(&mut check, &delta);
    (check == *new).then_some(delta)
}

/// How many of `old`'s observations and events (as multisets) `new` lacks:
/// what importing `new` over `old` would remove (a changed item counts as
/// removed).
pub fn removed(old: &Course, new: &Course) -> (usize, usize) {
    (
        missing(&old.observations, &new.observations),
        missing(&old.events, &new.events),
    )
}

/// The number of items of `old` (as a multiset) not in `new`.
fn missing<T: serde::Serialize>(old: &[T], new: &[T]) -> usize {
    let key = |t: &T| serde_json::to_string(t).unwrap_or_default();
    let mut count: HashMap<String, usize> = HashMap::new();
    for n in new {
        *count.entry(key(n)).or_default() += 1;
    }
    old.iter()
        .filter(|o| match count.get_mut(&key(o)) {
            Some(c) if *c > 0 => {
                *c -= 1;
                false
            }
            _ => true,
        })
        .count()
}

/// The items of `new` not in `old` (as a multiset), or `None` when an item
/// of `old` is missing from `new`.
fn extra<T: serde::Serialize + Clone>(old: &[T], new: &[T]) -> Option<Vec<T>> {
    let key = |t: &T| serde_json::to_string(t).unwrap_or_default();
    let mut count: HashMap<String, usize> = HashMap::new();
    for o in old {
        *count.entry(key(o)).or_default() += 1;
    }
    let mut out = Vec::new();
    for n in new {
        match count.get_mut(&key(n)) {
            Some(c) if *c > 0 => *c -= 1,
            _ => out.push(n.clone()),
        }
    }
    count.values().all(|&c| c == 0).then_some(out)
}

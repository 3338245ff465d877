//! Courses at their latest revision, kept in memory by a [`Store`](crate::Store)
//! handle so that a write on top of a course this process has just read or
//! written does not replay the patient's history from the database.
//!
//! An entry is keyed by the patient and names the revision and its chain
//! hash. The chain hash commits to the whole history (each revision's hash
//! covers the previous one), so an entry is used only when the revision a
//! write is based on has exactly this hash: the course in memory is then
//! the course the database would reconstruct. Entries are taken out while
//! in use (no copy of the course) and put back after the write; the least
//! recently used entry makes room for a new one.

use std::collections::HashMap;
use std::sync::Mutex;

use graftwatch_course::Course;

/// Patients kept by default (a two-year course of daily labs is about
/// 0.5 MB in memory).
pub const DEFAULT_HEAD_CACHE: usize = 32;

/// Events and observations kept in all at most (whatever the number of
/// patients): bounds the memory a few very large courses can take. A
/// course larger than this is not kept.
pub const HEAD_CACHE_ITEMS: usize = 500_000;

fn items(c: &Course) -> usize {
    c.observations.len() + c.events.len()
}

/// A course at one revision.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// The revision.
    pub(crate) rev: i64,
    /// Its chain hash.
    pub(crate) chain_hash: String,
    /// The course at that revision.
    pub(crate) course: Course,
    /// Its derivation carry, when one was made ([`crate::carry`]).
    pub(crate) carry: Option<Box<crate::carry::Carry>>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<String, (u64, Head)>,
    tick: u64,
    /// Events and observations of the courses in `map`.
    items: usize,
}

impl Inner {
    fn remove(&mut self, patient: &str) -> Option<Head> {
        let (_, head) = self.map.remove(patient)?;
        self.items -= items(&head.course);
        Some(head)
    }

    /// Removes the least recently used entry; whether there was one.
    fn evict_oldest(&mut self) -> bool {
        let oldest = self
            .map
            .iter()
            .min_by_key(|(_, (t, _))| *t)
            .map(|(k, _)| k.clone());
        oldest.is_some_and(|k| self.remove(&k).is_some())
    }
}

/// The in-memory heads of at most `capacity` patients.
#[derive(Debug)]
pub(crate) struct HeadCache {
    inner: Mutex<Inner>,
    capacity: usize,
    /// Events and observations kept at most ([`HEAD_CACHE_ITEMS`]).
    budget: usize,
}

impl HeadCache {
    /// An empty cache for at most `capacity` patients (0 keeps nothing).
    pub(crate) fn new(capacity: usize) -> HeadCache {
        HeadCache::with_budget(capacity, HEAD_CACHE_ITEMS)
    }

    fn with_budget(capacity: usize, budget: usize) -> HeadCache {
        HeadCache {
            inner: Mutex::new(Inner::default()),
            capacity,
            budget,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a map behind: usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the patient's entry out when it is at `rev` (the caller
    /// checks its chain hash against the database); an entry at another
    /// revision is dropped.
    pub(crate) fn take(&self, patient: &str, rev: i64) -> Option<Head> {
        let head = self.lock().remove(patient)?;
        (head.rev == rev).then_some(head)
    }

    /// Keeps `head` as the patient's latest course, making room by
    /// dropping the least recently used entries.
    pub(crate) fn put(&self, patient: &str, head: Head) {
        let size = items(&head.course);
        if self.capacity == 0 || size > self.budget {
            self.lock().remove(patient);
            return;
        }
        let mut g = self.lock();
        g.remove(patient);
        while (g.map.len() >= self.capacity || g.items + size > self.budget) && g.evict_oldest() {}
        g.tick += 1;
        let tick = g.tick;
        g.items += size;
        g.map.insert(patient.to_string(), (tick, head));
    }

    /// Whether anything is kept (a copy for the cache is worth making).
    pub(crate) fn enabled(&self) -> bool {
        self.capacity > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(rev: i64) -> Head {
        sized(rev, 0)
    }

    /// A course with `n` observations.
    fn sized(rev: i64, n: usize) -> Head {
        let obs: Vec<_> = (0..n)
            .map(|_| serde_json::json!({"date": "2024-01-01", "kind": "anc", "value": 1.0}))
            .collect();
        let c: Course = serde_json::from_value(serde_json::json!({
            "format": "graftwatch-course/1",
            "patient": {"id": "P", "sex": "male", "birth_year": 1970,
                        "diagnosis": {"disease": "aml", "date": "2023-09-01"}},
            "observations": obs,
        }))
        .unwrap();
        Head {
            rev,
            chain_hash: format!("h{rev}"),
            course: c,
            carry: None,
        }
    }

    #[test]
    fn takes_only_the_named_revision_and_evicts_the_oldest() {
        let c = HeadCache::new(2);
        c.put("A", head(3));
        assert!(c.take("A", 2).is_none(), "another revision is not used");
        assert!(c.take("A", 3).is_none(), "and was dropped");
        c.put("A", head(1));
        c.put("B", head(1));
        c.put("C", head(1));
        assert!(c.take("A", 1).is_none(), "A was the least recently used");
        assert_eq!(c.take("B", 1).unwrap().chain_hash, "h1");
        assert!(c.take("B", 1).is_none(), "taken out while in use");
        let none = HeadCache::new(0);
        none.put("A", head(1));
        assert!(none.take("A", 1).is_none());
    }

    #[test]
    fn keeps_at_most_the_item_budget() {
        let c = HeadCache::with_budget(10, 5);
        c.put("A", sized(1, 3));
        c.put("B", sized(1, 2));
        c.put("C", sized(1, 2));
        assert!(
            c.take("A", 1).is_none(),
            "A was dropped to stay within 5 items"
        );
        assert!(c.take("C", 1).is_some());
        c.put("D", sized(1, 6));
        assert!(
            c.take("D", 1).is_none(),
            "a course over the budget is not kept"
        );
        assert!(c.take("B", 1).is_some(), "and does not push the others out");
        assert_eq!(c.lock().items, 0);
    }
}

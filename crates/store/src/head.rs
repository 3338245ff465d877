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

/// Patients kept by default (a two-year course is about 0.5 MB in memory).
pub const DEFAULT_HEAD_CACHE: usize = 32;

/// A course at one revision.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// The revision.
    pub(crate) rev: i64,
    /// Its chain hash.
    pub(crate) chain_hash: String,
    /// The course at that revision.
    pub(crate) course: Course,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<String, (u64, Head)>,
    tick: u64,
}

/// The in-memory heads of at most `capacity` patients.
#[derive(Debug)]
pub(crate) struct HeadCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl HeadCache {
    /// An empty cache for at most `capacity` patients (0 keeps nothing).
    pub(crate) fn new(capacity: usize) -> HeadCache {
        HeadCache {
            inner: Mutex::new(Inner::default()),
            capacity,
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
        let (_, head) = self.lock().map.remove(patient)?;
        (head.rev == rev).then_some(head)
    }

    /// Keeps `head` as the patient's latest course.
    pub(crate) fn put(&self, patient: &str, head: Head) {
        if self.capacity == 0 {
            return;
        }
        let mut g = self.lock();
        g.tick += 1;
        let tick = g.tick;
        if !g.map.contains_key(patient) && g.map.len() >= self.capacity {
            let oldest = g
                .map
                .iter()
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                g.map.remove(&k);
            }
        }
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
        let c: Course = serde_json::from_value(serde_json::json!({
            "format": "graftwatch-course/1",
            "patient": {"id": "P", "sex": "male", "birth_year": 1970,
                        "diagnosis": {"disease": "aml", "date": "2023-09-01"}},
        }))
        .unwrap();
        Head {
            rev,
            chain_hash: format!("h{rev}"),
            course: c,
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
}

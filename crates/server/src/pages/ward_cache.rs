//! The ward dashboard's rows kept in memory, so a page of the dashboard
//! costs one aggregate query (at most every [`RECHECK`]) and one audit
//! entry instead of reading, parsing and sorting every patient's derived
//! state on every request.
//!
//! Freshness: the cache is checked against the store's [`WardStamp`]
//! (number of live patients and the sum of their head revisions: any new
//! revision, deletion or purge changes it) when it is older than
//! [`RECHECK`], and at once after a write through this process
//! ([`WardCache::invalidate`]). A changed stamp reloads only the patients
//! whose head revision moved. One request at a time checks the store, and
//! the rows stay readable while it does: a request that finds only the
//! periodic check due while another request is making it uses the rows at
//! hand (so the check never stalls the dashboard), and a request after a
//! write through this process waits for a check that started after it. Writes by another process sharing the
//! database (a second `graftwatch serve`, `graftwatch import`) therefore
//! show on the dashboard within [`RECHECK`] (docs/server.md, decision S-2).
//!
//! The cache holds no audit duty of its own: the dashboard records one
//! audit entry per page view naming the user and the patients shown.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use graftwatch_core::Date;
use graftwatch_store::ward::{WardFilter, WardRow, WardSort, WardStamp, arrange, ward_row};
use graftwatch_store::{PatientRow, Store, StoreError};

/// How long a checked cache is trusted before the stamp is read again.
pub const RECHECK: Duration = Duration::from_millis(250);

/// How many arranged views (as-of date × sort order) are kept.
const VIEWS: usize = 8;

#[derive(Default)]
struct Inner {
    stamp: Option<WardStamp>,
    checked: Option<Instant>,
    dirty: bool,
    rows: BTreeMap<String, PatientRow>,
    /// Increases whenever `rows` changes.
    version: u64,
    views: HashMap<(Date, WardSortKey), Arc<Vec<WardRow>>>,
    views_version: u64,
}

/// `WardSort` as a hash key.
type WardSortKey = u8;

fn sort_key(s: WardSort) -> WardSortKey {
    match s {
        WardSort::Attention => 0,
        WardSort::Patient => 1,
        WardSort::Day => 2,
        WardSort::Anc => 3,
        WardSort::Agvhd => 4,
    }
}

/// The in-memory ward rows of one server process.
#[derive(Default)]
pub struct WardCache {
    inner: Mutex<Inner>,
    /// Held by the one request that checks the store (single flight); the
    /// rows stay readable meanwhile.
    refresh: Mutex<()>,
}

/// Whether the cache must be checked before use, and whether the request
/// must wait for that check (an own write, or nothing loaded yet) or may
/// use the rows it has while another request checks (decision S-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    No,
    Periodic,
    Wait,
}

impl WardCache {
    /// An empty cache (filled at the first dashboard request).
    pub fn new() -> WardCache {
        WardCache::default()
    }

    /// A write through this process: the next dashboard request checks
    /// the store first.
    pub fn invalidate(&self) {
        self.lock().dirty = true;
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn due(&self) -> Due {
        let g = self.lock();
        if g.dirty || g.stamp.is_none() {
            Due::Wait
        } else if g.checked.is_none_or(|t| t.elapsed() >= RECHECK) {
            Due::Periodic
        } else {
            Due::No
        }
    }

    /// Every live patient's ward row as of `today` in `sort` order (blocking:
    /// call on the store's thread pool).
    ///
    /// The store is checked by one request at a time, without holding the
    /// rows: when the check is only periodic and another request is
    /// already making it, the rows at hand are used; after a write through
    /// this process, or before the first load, the request waits for a
    /// check that started after the write.
    pub fn arranged(
        &self,
        store: &Store,
        today: Date,
        sort: WardSort,
    ) -> Result<Arc<Vec<WardRow>>, StoreError> {
        match self.due() {
            Due::No => {}
            Due::Periodic => {
                if let Ok(_flight) = self.refresh.try_lock() {
                    self.check(store)?;
                }
            }
            Due::Wait => {
                let _flight = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
                if self.due() != Due::No {
                    self.check(store)?;
                }
            }
        }
        Ok(self.view(today, sort))
    }

    /// Checks the stamp and loads what moved (the caller holds `refresh`).
    fn check(&self, store: &Store) -> Result<(), StoreError> {
        let (known, first) = {
            let mut g = self.lock();
            g.dirty = false;
            (g.stamp, g.rows.is_empty())
        };
        let stamp = match store.ward_stamp() {
            Ok(s) => s,
            Err(e) => {
                self.lock().dirty = true;
                return Err(e);
            }
        };
        if known != Some(stamp)
            && let Err(e) = self.sync(store, first)
        {
            self.lock().dirty = true;
            return Err(e);
        }
        let mut g = self.lock();
        g.stamp = Some(stamp);
        g.checked = Some(Instant::now());
        Ok(())
    }

    /// Brings the rows up to the store: everything at the first load, then
    /// only the patients whose head revision moved (and drops those gone).
    /// The store is read without holding the rows.
    fn sync(&self, store: &Store, first: bool) -> Result<(), StoreError> {
        if first {
            let rows: BTreeMap<String, PatientRow> = store
                .ward_rows_unaudited(None)?
                .into_iter()
                .map(|r| (r.patient.clone(), r))
                .collect();
            let mut g = self.lock();
            g.rows = rows;
            g.version += 1;
            return Ok(());
        }
        let heads = store.ward_heads()?;
        let changed: Vec<String> = {
            let g = self.lock();
            heads
                .iter()
                .filter(|(p, h)| g.rows.get(p).is_none_or(|r| r.head_rev != *h))
                .map(|(p, _)| p.clone())
                .collect()
        };
        let fresh = if changed.is_empty() {
            Vec::new()
        } else {
            store.ward_rows_unaudited(Some(&changed))?
        };
        let live: HashSet<&str> = heads.iter().map(|(p, _)| p.as_str()).collect();
        let mut g = self.lock();
        let before = g.rows.len();
        g.rows.retain(|p, _| live.contains(p.as_str()));
        if fresh.is_empty() && before == g.rows.len() {
            return Ok(());
        }
        for r in fresh {
            g.rows.insert(r.patient.clone(), r);
        }
        g.version += 1;
        Ok(())
    }

    /// The rows as of `today` in `sort` order (kept for [`VIEWS`] views).
    fn view(&self, today: Date, sort: WardSort) -> Arc<Vec<WardRow>> {
        let mut g = self.lock();
        if g.views_version != g.version {
            g.views.clear();
            g.views_version = g.version;
        }
        let key = (today, sort_key(sort));
        if let Some(v) = g.views.get(&key) {
            return v.clone();
        }
        let rows: Vec<WardRow> = g.rows.values().map(|p| ward_row(p, today)).collect();
        let v = Arc::new(arrange(rows, &WardFilter::default(), sort));
        if g.views.len() >= VIEWS {
            g.views.clear();
        }
        g.views.insert(key, v.clone());
        v
    }
}

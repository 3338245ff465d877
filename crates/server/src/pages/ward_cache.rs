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
//! whose head revision moved. Writes by another process sharing the
//! database (a second `graftwatch serve`, `graftwatch import`) therefore
//! show on the dashboard within [`RECHECK`] (docs/server.md, decision S-2).
//!
//! The cache holds no audit duty of its own: the dashboard records one
//! audit entry per page view naming the user and the patients shown.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every live patient's ward row as of `today` in `sort` order (blocking:
    /// call on the store's thread pool).
    pub fn arranged(
        &self,
        store: &Store,
        today: Date,
        sort: WardSort,
    ) -> Result<Arc<Vec<WardRow>>, StoreError> {
        let mut g = self.lock();
        let stale = g.dirty || g.checked.is_none_or(|t| t.elapsed() >= RECHECK);
        if stale {
            g.dirty = false;
            let stamp = store.ward_stamp()?;
            if g.stamp != Some(stamp) {
                sync(&mut g, store)?;
                g.stamp = Some(stamp);
            }
            g.checked = Some(Instant::now());
        }
        if g.views_version != g.version {
            g.views.clear();
            g.views_version = g.version;
        }
        let key = (today, sort_key(sort));
        if let Some(v) = g.views.get(&key) {
            return Ok(v.clone());
        }
        let rows: Vec<WardRow> = g.rows.values().map(|p| ward_row(p, today)).collect();
        let v = Arc::new(arrange(rows, &WardFilter::default(), sort));
        if g.views.len() >= VIEWS {
            g.views.clear();
        }
        g.views.insert(key, v.clone());
        Ok(v)
    }
}

/// Brings `g.rows` up to the store: everything at the first call, then
/// only the patients whose head revision moved (and drops those gone).
fn sync(g: &mut Inner, store: &Store) -> Result<(), StoreError> {
    if g.rows.is_empty() {
        g.rows = store
            .ward_rows_unaudited(None)?
            .into_iter()
            .map(|r| (r.patient.clone(), r))
            .collect();
        g.version += 1;
        return Ok(());
    }
    let heads = store.ward_heads()?;
    let live: std::collections::HashSet<&str> = heads.iter().map(|(p, _)| p.as_str()).collect();
    let before = g.rows.len();
    g.rows.retain(|p, _| live.contains(p.as_str()));
    let changed: Vec<String> = heads
        .iter()
        .filter(|(p, h)| g.rows.get(p).is_none_or(|r| r.head_rev != *h))
        .map(|(p, _)| p.clone())
        .collect();
    if changed.is_empty() && before == g.rows.len() {
        return Ok(());
    }
    for r in store.ward_rows_unaudited(Some(&changed))? {
        g.rows.insert(r.patient.clone(), r);
    }
    g.version += 1;
    Ok(())
}

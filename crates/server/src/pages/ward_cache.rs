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
//! whose head revision moved. One check runs at a time, and the rows stay
//! readable while it does: when the rows were checked less than
//! `MAX_AGE` ago, the check runs in the background and the request is
//! served from the rows at hand (so the check never stalls the
//! dashboard); when they are older, after a write through this process,
//! or before the first load, the request waits for a check that started
//! after it. Writes by another process sharing the database (a second
//! `graftwatch serve`, `graftwatch import`) therefore show on the
//! dashboard within `MAX_AGE` plus one check (docs/server.md, decision
//! S-2 and S-5).
//!
//! Views: the rows as of one day, in one order, with the alert and
//! attention filters applied, are kept ([`WardView`], at most [`VIEWS`]),
//! and each row's HTML is rendered once, when it is first shown
//! (decision S-5): a dashboard page is a slice of a view and the
//! concatenation of its rows' HTML.
//!
//! The cache holds no audit duty of its own: the dashboard records one
//! audit entry per page view naming the user and the patients shown.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use graftwatch_core::Date;
use graftwatch_store::ward::{WardFilter, WardRow, WardSort, WardStamp, arrange, ward_row};
use graftwatch_store::{PatientRow, Store, StoreError};

use crate::app::AppState;
use crate::error::AppError;

/// How long a checked cache is trusted before the stamp is read again.
pub const RECHECK: Duration = Duration::from_millis(250);

/// Rows checked longer ago than this are not shown: the request waits for
/// a check (younger ones are shown while a check runs in the background).
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// How many views (as-of date × order × filters) are kept.
const VIEWS: usize = 16;

/// Which view of the ward: as of a day, in an order, with the alert and
/// attention filters (the patient-id search is applied per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewKey {
    /// As of.
    pub today: Date,
    /// Order.
    pub sort: WardSort,
    /// Only patients with an alert active on `today` (decision S-3).
    pub alerts_only: bool,
    /// Only patients who need attention.
    pub attention_only: bool,
}

impl std::hash::Hash for ViewKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (
            self.today,
            self.sort as u8,
            self.alerts_only,
            self.attention_only,
        )
            .hash(h);
    }
}

/// One row of a view and its HTML, rendered when first shown.
pub struct ViewRow {
    /// The row as of the view's day.
    pub row: WardRow,
    html: OnceLock<String>,
}

impl ViewRow {
    /// The row's HTML: `render(row)` the first time, then the same text.
    pub fn html(&self, render: impl FnOnce(&WardRow) -> String) -> &str {
        self.html.get_or_init(|| render(&self.row))
    }
}

/// The rows of one [`ViewKey`], filtered and ordered.
pub struct WardView {
    /// The rows in order.
    pub rows: Vec<ViewRow>,
}

#[derive(Default)]
struct Inner {
    stamp: Option<WardStamp>,
    checked: Option<Instant>,
    /// Writes through this process so far ([`WardCache::invalidate`]).
    writes: u64,
    /// The value of `writes` when the last successful check started: the
    /// rows are known to include every write up to it.
    checked_writes: u64,
    rows: Arc<BTreeMap<String, PatientRow>>,
    /// Increases whenever `rows` changes.
    version: u64,
    views: HashMap<ViewKey, Arc<WardView>>,
    views_version: u64,
}

/// The in-memory ward rows of one server process.
#[derive(Default)]
pub struct WardCache {
    inner: Mutex<Inner>,
    /// Held by the one check of the store (single flight); the rows stay
    /// readable meanwhile.
    refresh: Mutex<()>,
    /// A background check has been started and has not finished.
    checking: AtomicBool,
    /// Held while a view is built: concurrent requests for a view not yet
    /// built wait for the one build instead of each building it.
    building: Mutex<()>,
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
        self.lock().writes += 1;
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn due(&self) -> Due {
        let g = self.lock();
        let age = g.checked.map(|t| t.elapsed());
        let behind = g.checked_writes != g.writes;
        if behind || g.stamp.is_none() || age.is_none_or(|a| a >= MAX_AGE) {
            Due::Wait
        } else if age.is_some_and(|a| a >= RECHECK) {
            Due::Periodic
        } else {
            Due::No
        }
    }

    /// The view `key`, checking the store first when due (decision S-2,
    /// S-5): a due periodic check runs in the background while the rows at
    /// hand are served; a request waits for a check only after a write
    /// through this process, before the first load, or when the rows were
    /// checked more than `MAX_AGE` ago. A view already built is served
    /// without leaving the request's task.
    pub async fn view(state: &AppState, key: ViewKey) -> Result<Arc<WardView>, AppError> {
        let cache = state.ward.clone();
        match cache.due() {
            Due::Wait => {
                return state
                    .db(move |s: &Store| {
                        cache.wait_check(s)?;
                        Ok(cache.view_or_build(key))
                    })
                    .await;
            }
            Due::Periodic => cache.check_in_background(state),
            Due::No => {}
        }
        if let Some(v) = cache.cached(key) {
            return Ok(v);
        }
        state
            .db(move |_: &Store| Ok(cache.view_or_build(key)))
            .await
    }

    /// Loads the rows in the background (at server start, so the first
    /// dashboard page does not wait for the whole ward to load).
    pub fn warm(state: &AppState) {
        let cache = state.ward.clone();
        let st = state.clone();
        tokio::spawn(async move {
            let r = st.db(move |s: &Store| cache.wait_check(s)).await;
            if let Err(e) = r {
                eprintln!("graftwatch serve: loading the ward failed: {e}");
            }
        });
    }

    /// Starts one background check unless one is running.
    fn check_in_background(self: &Arc<Self>, state: &AppState) {
        if self.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        let (cache, st) = (self.clone(), state.clone());
        tokio::spawn(async move {
            let c = cache.clone();
            let r = st
                .db(move |s: &Store| {
                    if let Ok(_flight) = c.refresh.try_lock()
                        && c.due() != Due::No
                    {
                        c.check(s)?;
                    }
                    Ok(())
                })
                .await;
            cache.checking.store(false, Ordering::Release);
            if let Err(e) = r {
                // The check is marked stale: the next request checks again
                // and answers with the error if it persists.
                eprintln!("graftwatch serve: ward check failed: {e}");
            }
        });
    }

    /// Waits for the single flight and checks the store unless a check
    /// that started after this call made it current (blocking).
    fn wait_check(&self, store: &Store) -> Result<(), StoreError> {
        let _flight = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
        if self.due() != Due::No {
            self.check(store)?;
        }
        Ok(())
    }

    /// Checks the stamp and loads what moved (the caller holds `refresh`).
    fn check(&self, store: &Store) -> Result<(), StoreError> {
        let t0 = Instant::now();
        let r = self.check_now(store);
        crate::timing::since("ward: check the store (one request)", t0);
        r
    }

    fn check_now(&self, store: &Store) -> Result<(), StoreError> {
        // A write through this process during the check is not covered by
        // it: `writes` moves past `started_writes` and the next request
        // checks again (it waits for this check to end first).
        let started = Instant::now();
        let (known, first, started_writes) = {
            let g = self.lock();
            (g.stamp, g.rows.is_empty(), g.writes)
        };
        let r = store.ward_stamp().and_then(|stamp| {
            if known != Some(stamp) {
                self.sync(store, first)?;
            }
            Ok(stamp)
        });
        let mut g = self.lock();
        match r {
            Ok(stamp) => {
                g.stamp = Some(stamp);
                g.checked = Some(started);
                g.checked_writes = started_writes;
                Ok(())
            }
            Err(e) => {
                g.checked = None;
                Err(e)
            }
        }
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
            g.rows = Arc::new(rows);
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
        let gone = g.rows.keys().any(|p| !live.contains(p.as_str()));
        if fresh.is_empty() && !gone {
            return Ok(());
        }
        let rows = Arc::make_mut(&mut g.rows);
        rows.retain(|p, _| live.contains(p.as_str()));
        for r in fresh {
            rows.insert(r.patient.clone(), r);
        }
        g.version += 1;
        Ok(())
    }

    /// The view `key` if it is built for the current rows.
    fn cached(&self, key: ViewKey) -> Option<Arc<WardView>> {
        let g = self.lock();
        (g.views_version == g.version)
            .then(|| g.views.get(&key).cloned())
            .flatten()
    }

    /// The view `key`, built from the current rows if needed (outside the
    /// lock: readers of other views are not held up) and kept for
    /// [`VIEWS`] views.
    fn view_or_build(&self, key: ViewKey) -> Arc<WardView> {
        if let Some(v) = self.cached(key) {
            return v;
        }
        let _one = self.building.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = self.cached(key) {
            return v;
        }
        let (rows, version) = {
            let g = self.lock();
            (g.rows.clone(), g.version)
        };
        let t0 = Instant::now();
        let v = Arc::new(build(&rows, key));
        crate::timing::since("ward: build a view", t0);
        let mut g = self.lock();
        if g.views_version != g.version {
            g.views.clear();
            g.views_version = g.version;
        }
        if version == g.version {
            if g.views.len() >= VIEWS {
                g.views.clear();
            }
            g.views.insert(key, v.clone());
        }
        v
    }
}

/// Every row as of `key.today`, filtered by the view's filters and ordered.
fn build(rows: &BTreeMap<String, PatientRow>, key: ViewKey) -> WardView {
    let all: Vec<WardRow> = rows.values().map(|p| ward_row(p, key.today)).collect();
    let rows = arrange(all, &WardFilter::default(), key.sort)
        .into_iter()
        .filter(|r| {
            (!key.alerts_only || super::dashboard::has_active_alert(r, key.today))
                && (!key.attention_only || r.priority() > 0)
        })
        .map(|row| ViewRow {
            row,
            html: OnceLock::new(),
        })
        .collect();
    WardView { rows }
}

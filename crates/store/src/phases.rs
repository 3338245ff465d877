//! Wall-clock time of the phases of a write, for the append benchmark
//! (`store_bench phases`, docs/benchmarks.md). Off by default: a disabled
//! timer costs one relaxed atomic load per phase.
//!
//! The timings of every handle in the process go to one list, so enable
//! them only in a benchmark that writes from one thread.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ON: AtomicBool = AtomicBool::new(false);
static LOG: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());

/// Starts or stops recording (and forgets what was recorded).
pub fn enable(on: bool) {
    ON.store(on, Ordering::Relaxed);
    take();
}

/// The phases recorded since the last call, in order: (name, milliseconds).
pub fn take() -> Vec<(&'static str, f64)> {
    std::mem::take(&mut *LOG.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The start of a phase (`None` when not recording).
pub(crate) fn start() -> Option<Instant> {
    ON.load(Ordering::Relaxed).then(Instant::now)
}

/// Records the phase `name` begun at `t`; returns a new start.
pub(crate) fn mark(name: &'static str, t: Option<Instant>) -> Option<Instant> {
    let t = t?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    LOG.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((name, ms));
    Some(Instant::now())
}

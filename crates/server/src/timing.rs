//! Per-phase request timings for load diagnosis, off unless the server
//! was started with `GRAFTWATCH_SERVE_TIMINGS=1` (docs/server.md,
//! "Measuring where a request's time goes"). When on, each phase (the
//! caller check, the ward cache, the audit entry, rendering, the whole
//! request, …) keeps its durations in memory — at most
//! [`MAX_SAMPLES`] per phase, so memory stays bounded however long the
//! server runs — and [`report`] prints count, mean, p50, p90, p99, p99.9
//! and max per phase when the server stops. No patient data is recorded:
//! only phase names and durations.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The environment variable that turns the timings on.
pub const ENV: &str = "GRAFTWATCH_SERVE_TIMINGS";

/// Most durations kept per phase (later ones are counted, not kept).
pub const MAX_SAMPLES: usize = 1_000_000;

#[derive(Default)]
struct Phase {
    micros: Vec<u32>,
    dropped: u64,
}

fn table() -> Option<&'static Mutex<BTreeMap<&'static str, Phase>>> {
    static T: OnceLock<Option<Mutex<BTreeMap<&'static str, Phase>>>> = OnceLock::new();
    T.get_or_init(|| {
        std::env::var(ENV)
            .is_ok_and(|v| !v.is_empty() && v != "0")
            .then(Mutex::default)
    })
    .as_ref()
}

/// Whether timings are being recorded.
pub fn enabled() -> bool {
    table().is_some()
}

/// Records one duration of `phase` (nothing when timings are off).
pub fn record(phase: &'static str, d: Duration) {
    let Some(t) = table() else { return };
    let mut g = t.lock().unwrap_or_else(|p| p.into_inner());
    let p = g.entry(phase).or_default();
    if p.micros.len() < MAX_SAMPLES {
        p.micros
            .push(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    } else {
        p.dropped += 1;
    }
}

/// Records the time since `start` as `phase`.
pub fn since(phase: &'static str, start: Instant) {
    if enabled() {
        record(phase, start.elapsed());
    }
}

fn pct(sorted: &[u32], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    f64::from(sorted[i]) / 1000.0
}

/// The table of every phase (milliseconds), or `None` when timings are
/// off or nothing was recorded.
pub fn report() -> Option<String> {
    let t = table()?;
    let g = t.lock().unwrap_or_else(|p| p.into_inner());
    if g.is_empty() {
        return None;
    }
    let mut out = String::from(
        "| phase | count | mean ms | p50 | p90 | p99 | p99.9 | max |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (name, p) in g.iter() {
        let mut v = p.micros.clone();
        if v.is_empty() {
            continue;
        }
        v.sort_unstable();
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64 / 1000.0;
        out.push_str(&format!(
            "| {name} | {} | {mean:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
            v.len() as u64 + p.dropped,
            pct(&v, 0.5),
            pct(&v, 0.9),
            pct(&v, 0.99),
            pct(&v, 0.999),
            pct(&v, 1.0),
        ));
    }
    Some(out)
}

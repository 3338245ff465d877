//! `grade` end to end without the output rendering: read + validate +
//! grade (all criteria, default configuration) of one course file, the
//! library path of `graftwatch grade FILE`. Prints observations, wall time
//! of each phase, throughput and the peak resident memory against the file
//! size. Used by `bench/grade-e2e/run.sh`.

use std::time::Instant;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`): on a
/// shared machine wall time measures the other jobs too.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_grade_e2e COURSE.json|COURSE.csv");
        std::process::exit(2);
    };
    let path = std::path::PathBuf::from(path);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t0 = Instant::now();
    let c0 = cpu_s();
    let loaded = match graftwatch_course::read_course(&path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let c_read = cpu_s() - c0;
    let grades = graftwatch_grading::grade_course(
        &loaded.course,
        &graftwatch_grading::GradingConfig::default(),
    );
    let total = t0.elapsed();
    let c_total = cpu_s() - c0;
    let n = loaded.course.observations.len();
    let rss = peak_rss_kib() * 1024;
    println!(
        "observations {n}; CPU: read+validate {:.3} s, grade {:.3} s, total {:.3} s = {:.2} M obs/s (wall {:.3} s); summary items {}; peak RSS {:.1} MB = {:.2} x file size ({:.1} MB)",
        c_read,
        c_total - c_read,
        c_total,
        n as f64 / c_total / 1e6,
        total.as_secs_f64(),
        grades.summary.len(),
        rss as f64 / 1e6,
        rss as f64 / size.max(1) as f64,
        size as f64 / 1e6
    );
}

//! Throughput of the acute-GVHD, CRS and ICANS per-day grading over a
//! simulated cohort (default 10,000 patients x 365 days), fast path and
//! explain path. Run with `bench/crit-a-grading.sh` (release build).
//!
//! Usage: `crit_a_throughput [patients] [days]`

use std::hint::black_box;
use std::time::Instant;

use graftwatch_core::Date;
use graftwatch_criteria::agvhd::timeline::{FastDay, run_fast};
use graftwatch_criteria::agvhd::{
    AgvhdSeries, Attribution, DayFindings, GvhdConfig, LiverFinding, LowerGiFinding, SkinFinding,
    UpperGiFinding, grade_timeline,
};
use graftwatch_criteria::crs::{
    CrsConfig, CrsDay, CrsFast, Hypotension, O2Device, Oxygen, crs_course_fast,
};
use graftwatch_criteria::icans::{Consciousness, Edema, IcansDay, Instrument, Seizure, icans_fast};

/// The workspace's one seeded generator.
type Rng = graftwatch_core::SeededRng;

fn gvhd_patient(r: &mut Rng, day0: Date, days: i32) -> AgvhdSeries {
    // a flare of random severity starting somewhere in the first 200 days
    let onset = r.below(200) as i32;
    let len = 5 + r.below(40) as i32;
    let sev = r.uniform();
    let mut v = Vec::with_capacity(days as usize);
    for d in 0..days {
        let active = d >= onset && d < onset + len;
        let s = if active { sev } else { 0.0 };
        let noise = r.uniform();
        let mut f = DayFindings::new(day0.add_days(d));
        f.skin = Some(SkinFinding {
            erythema_bsa_pct: (s * 80.0 * noise).min(100.0),
            bullae: s > 0.9,
            desquamation_bsa_pct: if s > 0.9 { 8.0 } else { 0.0 },
            attribution: Attribution::Gvhd,
        });
        if d % 2 == 0 {
            f.liver = Some(LiverFinding {
                bilirubin_mg_dl: 0.5 + s * 10.0 * noise,
                attribution: if noise < 0.05 {
                    Attribution::OtherCause
                } else {
                    Attribution::Gvhd
                },
            });
        }
        f.upper_gi = Some(UpperGiFinding {
            nausea: s > 0.3 && noise > 0.3,
            anorexia_with_weight_loss: false,
            vomiting_episodes: (s * 3.0) as u32,
            symptom_days: None,
            attribution: Attribution::Gvhd,
        });
        f.lower_gi = Some(LowerGiFinding {
            stool_ml: if noise < 0.2 {
                None
            } else {
                Some(s * 2000.0 * noise)
            },
            episodes: if noise < 0.2 {
                Some((s * 10.0) as u32)
            } else {
                None
            },
            grossly_bloody: s > 0.95,
            severe_pain: false,
            ileus: false,
            attribution: Attribution::Gvhd,
        });
        v.push(f);
    }
    AgvhdSeries {
        day0,
        baseline_weight_kg: Some(40.0 + r.uniform() * 60.0),
        chronic_features_present: None,
        upper_gi_histology: false,
        lower_gi_diagnosis: None,
        days: v,
    }
}

fn crs_patient(r: &mut Rng, day0: Date, days: i32) -> Vec<CrsDay> {
    let onset = 1 + r.below(10) as i32;
    let sev = r.uniform();
    (0..days)
        .map(|d| {
            let active = d >= onset && d < onset + 7;
            let s = if active { sev } else { 0.0 };
            let devices = [
                O2Device::RoomAir,
                O2Device::NasalCannula,
                O2Device::Facemask,
                O2Device::Bipap,
            ];
            let dev = devices[((s * 3.99) as usize).min(3)];
            CrsDay {
                max_temp_c: Some(36.8 + s * 3.0 * r.uniform()),
                hypotension: Some(
                    [
                        Hypotension::None,
                        Hypotension::FluidsOnly,
                        Hypotension::OneVasopressor,
                        Hypotension::MultipleVasopressors,
                    ][((s * 3.99) as usize).min(3)],
                ),
                oxygen: Some(Oxygen {
                    device: dev,
                    flow_l_min: Some(1.0 + 10.0 * r.uniform()),
                }),
                anticytokine_or_antipyretic: active && r.uniform() < 0.3,
                ..CrsDay::new(day0.add_days(d))
            }
        })
        .collect()
}

fn icans_patient(r: &mut Rng, day0: Date, days: i32) -> Vec<IcansDay> {
    (0..days)
        .map(|d| IcansDay {
            age_years: Some(35.0),
            instrument: Some(Instrument::Ice(
                10 - r.below(11) as u8 * u8::from(r.uniform() < 0.1),
            )),
            consciousness: Some(Consciousness::Alert),
            seizure: Some(if r.uniform() < 0.01 {
                Seizure::RapidlyResolving
            } else {
                Seizure::None
            }),
            motor_weakness: Some(false),
            edema: Some(Edema::None),
            ..IcansDay::new(day0.add_days(d))
        })
        .collect()
}

/// CPU seconds (user + system) of this process from /proc/self/stat, so the
/// numbers are not distorted when other jobs share the core. Falls back to
/// `None` off Linux. Resolution: 1/CLK_TCK (10 ms with CLK_TCK = 100).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    // fields after ")": state is index 0, utime is field 14 overall -> index 11
    let ut: f64 = f.get(11)?.parse().ok()?;
    let st: f64 = f.get(12)?.parse().ok()?;
    Some((ut + st) / 100.0)
}

/// Wall and CPU timer.
struct Timer(Instant, Option<f64>);
impl Timer {
    fn start() -> Timer {
        Timer(Instant::now(), cpu_seconds())
    }
    /// (wall seconds, cpu seconds)
    fn stop(&self) -> (f64, f64) {
        let wall = self.0.elapsed().as_secs_f64();
        let cpu = match (self.1, cpu_seconds()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => wall,
        };
        (wall, cpu)
    }
}

fn report(name: &str, n: f64, (wall, cpu): (f64, f64), extra: &str) {
    println!(
        "{name:<15} {:>8.2} M patient-days/s wall  {:>8.2} M/s per CPU-second  ({wall:.3} s wall, {cpu:.2} s CPU){extra}",
        n / wall / 1e6,
        n / cpu / 1e6
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let patients: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let days: i32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(365);
    let distinct = patients.min(500);
    let reps = patients.div_ceil(distinct);
    let total = (distinct * reps) as f64 * f64::from(days);
    let day0: Date = "2025-01-01".parse().expect("valid date");
    let mut r = Rng::new(0x9E37_79B9_7F4A_7C15);
    let gv: Vec<AgvhdSeries> = (0..distinct)
        .map(|_| gvhd_patient(&mut r, day0, days))
        .collect();
    let cr: Vec<Vec<CrsDay>> = (0..distinct)
        .map(|_| crs_patient(&mut r, day0, days))
        .collect();
    let ic: Vec<Vec<IcansDay>> = (0..distinct)
        .map(|_| icans_patient(&mut r, day0, days))
        .collect();
    let cfg = GvhdConfig::default();
    println!(
        "cohort: {} patients x {days} days = {:.2} M patient-days ({distinct} distinct, {reps} passes)",
        distinct * reps,
        total / 1e6
    );

    // aGVHD fast path
    let mut out: Vec<FastDay> = Vec::with_capacity(days as usize);
    let mut graded = 0usize;
    let t = Timer::start();
    for _ in 0..reps {
        for s in &gv {
            out.clear();
            run_fast(s, &cfg, &mut out).expect("valid simulated input");
            graded += out.iter().filter(|f| f.grade.grade().is_some()).count();
        }
    }
    report(
        "agvhd_fast",
        total,
        t.stop(),
        &format!(
            "; {graded} graded days, {:.1} M organ findings",
            total * 3.5 / 1e6
        ),
    );

    // aGVHD explain path (1 pass over the distinct patients)
    let t = Timer::start();
    let mut n = 0usize;
    for s in &gv {
        let tl = grade_timeline(s, &cfg).expect("valid simulated input");
        n += black_box(tl.days.len());
    }
    report("agvhd_explain", n as f64, t.stop(), "");

    // CRS fast course
    let ccfg = CrsConfig::default();
    let mut cout: Vec<(CrsFast, bool)> = Vec::with_capacity(days as usize);
    let t = Timer::start();
    let mut max = 0u8;
    for _ in 0..reps {
        for p in &cr {
            cout.clear();
            crs_course_fast(p, &ccfg, &mut cout).expect("valid simulated input");
            for (g, _) in &cout {
                if let CrsFast::Grade(x) = g {
                    max = max.max(*x);
                }
            }
        }
    }
    report(
        "crs_fast",
        total,
        t.stop(),
        &format!("; max grade seen {max}"),
    );

    // ICANS fast
    let t = Timer::start();
    let mut sum = 0u64;
    for _ in 0..reps {
        for p in &ic {
            for d in p {
                if let graftwatch_criteria::icans::IcansFast::Grade(g) = icans_fast(black_box(d)) {
                    sum += u64::from(g);
                }
            }
        }
    }
    report("icans_fast", total, t.stop(), &format!("; checksum {sum}"));
}

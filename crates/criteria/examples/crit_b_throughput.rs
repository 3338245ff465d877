//! Throughput of the count-based criteria (early/late ICAHT, T-ICAHT platelets,
//! neutrophil and platelet engraftment) over a simulated cohort, checked
//! against the simulated truth.
//!
//! `cargo run --release -p graftwatch-criteria --example crit_b_throughput -- [patients] [days]`
//! (defaults 10000 × 365). Prints one line per function and a total in
//! observations per second on one core. Run by `bench/criteria-b/run.sh`.

use std::time::Instant;

use graftwatch_core::Date;
use graftwatch_criteria::engraftment::{
    EngraftmentConfig, neutrophil_engraftment, platelet_engraftment,
};
use graftwatch_criteria::icaht::{
    CountCourse, IcahtConfig, IcahtGrade, early_icaht, early_icaht_grade, late_icaht,
};
use graftwatch_criteria::icaht_platelets::early_platelet_toxicity;
use graftwatch_criteria::series::DatedValue;

/// The workspace's one seeded generator.
type Rng = graftwatch_core::SeededRng;

struct Patient {
    day0: Date,
    anc: Vec<DatedValue>,
    plt: Vec<DatedValue>,
    tx: Vec<Date>,
    /// Simulated truth: days with ANC <= 0.5 in day 0-30 (one episode from day 1).
    truth_days_le_05: u32,
    truth_engraft_day: i32,
    /// Simulated truth: late ICAHT grade.
    truth_late: IcahtGrade,
}

fn simulate(n: usize, days: i32, seed: u64) -> Vec<Patient> {
    let mut r = Rng::new(seed);
    let base = Date::from_ymd(2024, 1, 1).unwrap();
    (0..n)
        .map(|i| {
            let day0 = base.add_days((i % 700) as i32);
            // neutropenia from day 1 for L days (L in 0..=25), ANC 0.11-0.45; recovery 1.6-4.0;
            // every 5th patient has late neutropenia (0.3) on days +40 and +60 (late grade 3)
            let len = r.below(26) as i32;
            let late = i % 5 == 0;
            let mut anc = Vec::with_capacity(days as usize);
            let mut plt = Vec::with_capacity(days as usize);
            for d in 0..days {
                let low = d >= 1 && d < 1 + len;
                let a = if low {
                    0.11 + 0.34 * r.uniform()
                } else if late && (d == 40 || d == 60) {
                    0.3
                } else {
                    1.6 + 2.4 * r.uniform()
                };
                let p = if d >= 2 && d < 2 + len {
                    5.0 + 40.0 * r.uniform()
                } else {
                    60.0 + 150.0 * r.uniform()
                };
                anc.push(DatedValue::new(day0.add_days(d), a));
                plt.push(DatedValue::new(day0.add_days(d), p));
            }
            let tx = if len > 5 {
                vec![day0.add_days(3)]
            } else {
                vec![]
            };
            Patient {
                day0,
                anc,
                plt,
                tx,
                truth_days_le_05: len.min(30) as u32,
                truth_engraft_day: if len > 0 { 1 + len } else { -1 },
                truth_late: if late {
                    IcahtGrade::Grade3
                } else {
                    IcahtGrade::Grade0
                },
            }
        })
        .collect()
}

fn truth_grade(days: u32) -> IcahtGrade {
    match days {
        0 => IcahtGrade::Grade0,
        1..=6 => IcahtGrade::Grade1,
        7..=13 => IcahtGrade::Grade2,
        _ => IcahtGrade::Grade3,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let days: i32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(365);
    let cohort = simulate(n, days, 0x9E37_79B9_7F4A_7C15);
    let obs_anc: usize = cohort.iter().map(|p| p.anc.len()).sum();
    let obs_plt: usize = cohort.iter().map(|p| p.plt.len()).sum();
    let cfg = IcahtConfig::default();
    let ecfg = EngraftmentConfig::default();
    let mut mismatches = 0usize;
    let mut total_secs = 0.0;
    let mut run = |name: &str, obs: usize, f: &mut dyn FnMut(&Patient) -> bool| {
        let t = Instant::now();
        let mut bad = 0usize;
        for p in &cohort {
            if !f(p) {
                bad += 1;
            }
        }
        let s = t.elapsed().as_secs_f64();
        total_secs += s;
        mismatches += bad;
        println!(
            "{name:<32} {obs:>10} obs  {s:>8.3} s  {:>8.2} M obs/s  truth mismatches {bad}",
            obs as f64 / s / 1e6
        );
    };
    run("early ICAHT (with explanation)", obs_anc, &mut |p| {
        let c = CountCourse {
            day0: p.day0,
            values: &p.anc,
            censor: None,
        };
        early_icaht(&c, &cfg).unwrap().value().map(|v| v.grade)
            == Some(truth_grade(p.truth_days_le_05))
    });
    run("early ICAHT (fast path)", obs_anc, &mut |p| {
        let c = CountCourse {
            day0: p.day0,
            values: &p.anc,
            censor: None,
        };
        early_icaht_grade(&c, &cfg).unwrap() == Some(truth_grade(p.truth_days_le_05))
    });
    run("late ICAHT", obs_anc, &mut |p| {
        let c = CountCourse {
            day0: p.day0,
            values: &p.anc,
            censor: None,
        };
        late_icaht(&c).unwrap().value().map(|v| v.grade) == Some(p.truth_late)
    });
    run("early T-ICAHT platelets", obs_plt, &mut |p| {
        let c = CountCourse {
            day0: p.day0,
            values: &p.plt,
            censor: None,
        };
        early_platelet_toxicity(&c, &cfg).unwrap().value().is_some()
    });
    run("neutrophil engraftment", obs_anc, &mut |p| {
        let g = neutrophil_engraftment(p.day0, &p.anc, &ecfg).unwrap();
        match g.value() {
            Some(e) => e.engrafted.map(|x| x.day) == Some(p.truth_engraft_day),
            None => p.truth_engraft_day < 0,
        }
    });
    run("platelet engraftment >= 20", obs_plt, &mut |p| {
        platelet_engraftment(p.day0, &p.plt, &p.tx, 20.0, &ecfg)
            .unwrap()
            .explanation()
            .rule
            .starts_with("Platelet")
    });
    let total_obs = 4 * obs_anc + 2 * obs_plt;
    println!(
        "TOTAL {n} patients x {days} days: {total_obs} observation-evaluations in {total_secs:.3} s = {:.2} M obs/s; truth mismatches {mismatches}",
        total_obs as f64 / total_secs / 1e6
    );
    if mismatches > 0 {
        std::process::exit(1);
    }
}

//! Benchmark: grade a synthetic cohort of N patients × 365 days of daily
//! observations (ANC, platelets, haemoglobin, bilirubin, stool volume, skin
//! rash BSA) plus transfusions and a transplant on day 0, on one core.
//!
//! `cargo run --release -p graftwatch-grading --example bench_cohort -- N [DAYS] [--breakdown]`
//!
//! Courses are generated deterministically in memory, one patient at a
//! time, and only the grading (`grade_course`: extraction + every
//! criterion) is timed. Prints one line of key=value results.

use std::time::{Duration, Instant};

use graftwatch_core::{Analyte, Date, DonorId, PatientId, Unit};
use graftwatch_course::{
    Attribution, Course, Diagnosis, Disease, Donor, DonorRelationship, Event, EventDetail,
    GraftSource, ObsValue, Observation, ObservationKind, Patient, Sex, TransfusionProduct,
};
use graftwatch_grading::extract::{ExtractOptions, extract};
use graftwatch_grading::{Criterion, GradingConfig, grade_course};

/// The workspace's one seeded generator.
type Rng = graftwatch_core::SeededRng;

fn event(date: Date, detail: EventDetail) -> Event {
    Event {
        id: None,
        date,
        time: None,
        end_date: None,
        note: None,
        detail,
    }
}

fn obs(date: Date, kind: ObservationKind, v: f64, unit: Unit) -> Observation {
    let mut o = Observation::new(date, kind, ObsValue::Number(v), Some(unit));
    o.attribution = Some(Attribution::Gvhd);
    o
}

/// One synthetic patient: transplant on `day0`, `days` days of daily labs
/// and GVHD findings.
fn patient(i: u64, days: i32) -> Course {
    let mut r = Rng::new(i);
    let day0 = Date::from_days_since_epoch(19_000 + (i % 700) as i32);
    let engraft = 10 + (r.uniform() * 12.0) as i32;
    let plt_rec = engraft + 3 + (r.uniform() * 15.0) as i32;
    let gut = r.uniform() < 0.3;
    let gut_on = 20 + (r.uniform() * 60.0) as i32;
    let skin = r.uniform() < 0.4;
    let skin_on = 15 + (r.uniform() * 60.0) as i32;
    let donor = DonorId("D1".into());
    let mut events = vec![event(
        day0,
        EventDetail::GraftInfusion {
            transplant: 1,
            source: GraftSource::Pbsc,
            donor: donor.clone(),
            tnc_per_kg: None,
            cd34_per_kg: Some(graftwatch_core::CellsPerKg::new(5e6)),
            cd3_per_kg: None,
        },
    )];
    let mut o = Vec::with_capacity(days as usize * 6 + 1);
    o.push(obs(
        day0,
        ObservationKind::Weight,
        60.0 + r.uniform() * 30.0,
        Unit::Kg,
    ));
    for d in 0..days {
        let date = day0.add_days(d);
        let noise = 0.85 + 0.3 * r.uniform();
        let anc = if d < 4 {
            3.0 - 0.7 * f64::from(d)
        } else if d < engraft {
            0.05 + 0.1 * r.uniform()
        } else {
            (0.6 + 0.2 * f64::from(d - engraft)).min(4.0) * noise
        };
        let plt = if d < 5 {
            150.0 - 25.0 * f64::from(d)
        } else if d < plt_rec {
            6.0 + 12.0 * r.uniform()
        } else {
            (22.0 + 6.0 * f64::from(d - plt_rec)).min(250.0) * noise
        };
        if plt < 10.0 {
            events.push(event(
                date,
                EventDetail::Transfusion {
                    product: TransfusionProduct::Platelets,
                    units: Some(1),
                },
            ));
        }
        let hb = if d < plt_rec {
            7.5 + 1.5 * r.uniform()
        } else {
            10.0 + 2.0 * r.uniform()
        };
        if hb < 8.0 {
            events.push(event(
                date,
                EventDetail::Transfusion {
                    product: TransfusionProduct::Rbc,
                    units: Some(1),
                },
            ));
        }
        let in_gut = gut && (gut_on..gut_on + 21).contains(&d);
        let stool = if in_gut {
            600.0 + 1200.0 * r.uniform()
        } else {
            100.0 + 200.0 * r.uniform()
        };
        let in_skin = skin && (skin_on..skin_on + 28).contains(&d);
        let rash = if in_skin {
            (5.0 + 60.0 * r.uniform()).round()
        } else {
            0.0
        };
        let bili = if in_gut && r.uniform() < 0.3 {
            2.0 + 3.0 * r.uniform()
        } else {
            0.4 + 0.8 * r.uniform()
        };
        o.push(Observation::lab(date, Analyte::Anc, anc));
        o.push(Observation::lab(date, Analyte::Platelets, plt));
        o.push(Observation::lab(date, Analyte::Hemoglobin, hb));
        o.push(obs(
            date,
            ObservationKind::Lab(Analyte::Bilirubin),
            bili,
            Unit::MgPerDl,
        ));
        o.push(obs(date, ObservationKind::StoolVolume, stool, Unit::Ml));
        o.push(obs(date, ObservationKind::SkinRashBsa, rash, Unit::Percent));
    }
    Course {
        format: "graftwatch-course/1".into(),
        illustrative: Some("synthetic benchmark patient".into()),
        patient: Patient {
            id: PatientId(format!("B{i}")),
            sex: Sex::Male,
            birth_year: 1970 + (i % 40) as i32,
            height_cm: None,
            diagnosis: Diagnosis {
                disease: Disease::Aml,
                date: day0.add_days(-180),
                description: None,
                karyotype: None,
                mutations: vec![],
                mrd_marker: None,
            },
            comorbidities: vec![],
            lab_reference: Default::default(),
        },
        donors: vec![Donor {
            id: donor,
            relationship: DonorRelationship::MatchedUnrelated,
            sex: Some(Sex::Female),
            birth_year: None,
            hla_match: None,
            abo: None,
        }],
        events,
        observations: o,
    }
}

/// CPU time of the calling thread (ns) from /proc/thread-self/schedstat,
/// so that other processes on the shared machine do not inflate the timing.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let days: i32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(365);
    let breakdown = args.iter().any(|a| a == "--breakdown");
    let cfg = GradingConfig::default();
    let mut t_grade = Duration::ZERO;
    let mut t_extract = Duration::ZERO;
    let mut per: Vec<(Criterion, Duration)> = Criterion::ALL
        .iter()
        .map(|c| (*c, Duration::ZERO))
        .collect();
    let mut n_obs = 0usize;
    let mut checksum = 0usize;
    let mut cpu_ns = 0u64;
    const BATCH: u64 = 50;
    let mut i0 = 0;
    while i0 < n {
        let batch: Vec<Course> = (i0..(i0 + BATCH).min(n))
            .map(|i| patient(i, days))
            .collect();
        i0 += BATCH;
        let c0 = thread_cpu_ns();
        let t = Instant::now();
        for c in &batch {
            let g = grade_course(c, &cfg);
            checksum += g.timeline.len() + g.summary.len();
        }
        t_grade += t.elapsed();
        if let (Some(a), Some(b)) = (c0, thread_cpu_ns()) {
            cpu_ns += b - a;
        }
        n_obs += batch.iter().map(|c| c.observations.len()).sum::<usize>();
        if !breakdown {
            continue;
        }
        for c in &batch {
            let c = c.clone();
            let t = thread_cpu_ns().unwrap_or(0);
            let x = extract(&c, &ExtractOptions::default());
            t_extract += Duration::from_nanos(thread_cpu_ns().unwrap_or(0).saturating_sub(t));
            for (crit, dur) in per.iter_mut() {
                let t = thread_cpu_ns().unwrap_or(0);
                let g = graftwatch_grading::engine::grade_inputs(&c, &x, &cfg, &[*crit]);
                *dur += Duration::from_nanos(thread_cpu_ns().unwrap_or(0).saturating_sub(t));
                checksum += g.summary.len();
            }
        }
    }
    let wall = t_grade.as_secs_f64();
    let cpu = cpu_ns as f64 / 1e9;
    print!(
        "patients={n} days={days} observations={n_obs} cpu_seconds={cpu:.3} wall_seconds={wall:.3} obs_per_cpu_second={:.0} obs_per_wall_second={:.0} checksum={checksum}",
        n_obs as f64 / cpu,
        n_obs as f64 / wall,
    );
    if breakdown {
        print!(" cpu_extract_seconds={:.3}", t_extract.as_secs_f64());
        for (c, d) in per {
            print!(" cpu_{}_seconds={:.3}", c.as_str(), d.as_secs_f64());
        }
    }
    println!();
}

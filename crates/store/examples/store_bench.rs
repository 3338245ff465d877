//! Store micro-benchmarks (see docs/benchmarks.md, "Store").
//!
//! ```text
//! store_bench append DB      # one day appended to 30-day, 1-year and 2-year histories
//!                            # (alone; with derived state, warm and cold)
//! store_bench alerts DB      # the ward list with alerts over the patients in DB
//! store_bench import DB DIR  # every course file in DIR, as `graftwatch import --defer-derived`
//! store_bench profile        # where derived-state time goes (no database); then the
//!                            # extraction and each grading criterion alone
//! store_bench phases DB [DAYS…]  # where an append's time goes, phase by phase (warm and cold),
//!                            # at 30, 365, 730 and 1825 days of history (or DAYS…)
//! ```
//! DB is a SQLite file or a postgres:// URL. `append` adds its own
//! patients (ids APPEND-<days>-<time>) to the database — the 10,000-patient
//! one filled by the import in bench/store/run.sh, or a new one; `alerts`
//! reads a database filled by `graftwatch import` (bench/store/run.sh) and
//! prints the median and 95th percentile of 50 listings.

use std::path::Path;
use std::time::Instant;

use graftwatch_course::io::read_json_str;
use graftwatch_course::{Course, Observation};
use graftwatch_store::{Actor, Channel, Delta, Location, Role, Store};

fn actor() -> Actor {
    Actor {
        name: "bench".into(),
        role: Role::Clinician,
        channel: Channel::Cli,
    }
}

/// A course of `days` days of six daily labs after an HCT on 2024-01-01.
fn course(id: &str, days: i64) -> Course {
    let labs = [
        ("anc", "10^9/L", 2.5),
        ("platelets", "10^9/L", 150.0),
        ("wbc", "10^9/L", 5.0),
        ("hemoglobin", "g/dL", 11.0),
        ("bilirubin", "mg/dL", 0.7),
        ("creatinine", "mg/dL", 0.8),
    ];
    let mut obs = Vec::new();
    let day0 = graftwatch_core::Date::from_ymd(2024, 1, 1).unwrap();
    for d in 0..days {
        let date = day0.add_days(d as i32);
        for (k, u, v) in labs {
            obs.push(serde_json::json!({"date": date.to_string(), "kind": k, "value": v + (d % 7) as f64 * 0.1, "unit": u}));
        }
    }
    let doc = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": id, "sex": "male", "birth_year": 1970, "diagnosis": {"disease": "aml", "date": "2023-09-01"}},
        "donors": [{"id": "D1", "relationship": "matched_unrelated", "sex": "male"}],
        "events": [{"date": "2024-01-01", "kind": "graft_infusion", "transplant": 1, "source": "pbsc", "donor": "D1"}],
        "observations": obs,
    });
    read_json_str(&doc.to_string(), Path::new("bench.json"))
        .unwrap()
        .course
}

/// The median time of 21 runs of `f`, in milliseconds.
fn median_ms_of_21(f: &dyn Fn()) -> f64 {
    let v: Vec<f64> = (0..21)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(v).0
}

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 95 / 100).min(v.len() - 1)])
}

/// Appends `n` days (6 observations each) from `later` to patient `id` at
/// revision `head`; returns the new head and the time of each append (ms).
fn append_days(
    s: &Store,
    id: &str,
    mut head: i64,
    later: &mut Vec<Observation>,
    n: usize,
) -> (i64, Vec<f64>) {
    let mut times = Vec::new();
    for _ in 0..n {
        let day: Vec<Observation> = later.drain(..6).collect();
        let delta = Delta {
            events: vec![],
            observations: day,
        };
        let t = Instant::now();
        head = s.append(&actor(), id, head, &delta).unwrap().rev;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (head, times)
}

/// One day appended to 30-day, 1-year and 2-year histories: the append
/// alone (derived state off), with the derived state kept current by a
/// long-lived handle (the course at the base in memory: the server), and
/// by a one-shot handle (no course in memory: the history is replayed from
/// the database, as in one `graftwatch` command).
fn append(loc: &Location) {
    let (mut s, _) = Store::init(loc).unwrap();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    println!("patients_in_database,{}", s.info().unwrap().patients);
    println!(
        "history_days,appends,median_ms,p95_ms,derived_warm_median_ms,derived_warm_p95_ms,derived_cold_median_ms,derived_cold_p95_ms"
    );
    for days in [30, 365, 730] {
        let id = format!("APPEND-{days}-{stamp}");
        let mut c = course(&id, days + 100);
        let mut later: Vec<Observation> = c.observations.split_off(days as usize * 6);
        s.set_derive_on_write(false);
        let head = s.create_patient(&actor(), &c, None).unwrap().rev;
        let (head, plain) = append_days(&s, &id, head, &mut later, 50);
        s.set_derive_on_write(true);
        s.set_head_cache(graftwatch_store::head::DEFAULT_HEAD_CACHE);
        // The first derived append replays the history once (not timed).
        let (head, _) = append_days(&s, &id, head, &mut later, 1);
        let (head, warm) = append_days(&s, &id, head, &mut later, 25);
        s.set_head_cache(0);
        let (_, cold) = append_days(&s, &id, head, &mut later, 20);
        let (m, p95) = median(plain);
        let (wm, wp) = median(warm);
        let (cm, cp) = median(cold);
        println!("{days},50,{m:.2},{p95:.2},{wm:.2},{wp:.2},{cm:.2},{cp:.2}");
    }
}

fn alerts(loc: &Location) {
    let s = Store::open(loc).unwrap();
    let t = Instant::now();
    let n = s.refresh_stale().unwrap();
    println!(
        "refreshed {n} stale rows in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    let mut shown = 0;
    for _ in 0..50 {
        let t = Instant::now();
        shown = s.list_patients(&actor(), true).unwrap().len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let total = s.info().unwrap().patients;
    let (m, p95) = median(times);
    println!("patients,with_alerts,median_ms,p95_ms");
    println!("{total},{shown},{m:.1},{p95:.1}");
}

/// What `graftwatch import --defer-derived` does (`Store::import_files`:
/// read and check on a second thread, batches of files per transaction),
/// in-process; prints files/s.
fn import(loc: &Location, dir: &Path) {
    let (mut s, _) = Store::init(loc).unwrap();
    s.set_derive_on_write(false);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let t = Instant::now();
    let mut n = 0usize;
    s.import_files(&actor(), &files, |f, r| match r {
        Ok(_) => n += 1,
        Err(e) => panic!("{}: {e}", f.display()),
    });
    let secs = t.elapsed().as_secs_f64();
    println!("files,seconds,files_per_s");
    println!("{n},{secs:.2},{:.1}", n as f64 / secs);
}

/// Where the derived-state time goes (no database): parsing the canonical
/// course JSON, the grading engine, the report analysis, the DLI
/// assessment, the whole `derive::compute` and serialising the summary;
/// median of 21 runs per history length.
fn profile() {
    use graftwatch_store::derive::{DeriveConfig, compute};
    let cfg = DeriveConfig::default();
    println!(
        "history_days,parse_ms,checkpoint_decode_ms,checkpoint_encode_ms,grade_ms,analysis_ms,assess_dli_ms,compute_ms,serialise_ms"
    );
    for days in [30, 365, 730, 1825] {
        let c = course("PROFILE", days);
        let json = serde_json::to_string(&c).unwrap();
        let compact = graftwatch_store::checkpoint::encode(&c);
        let time = median_ms_of_21;
        let parse = time(&|| {
            std::hint::black_box(serde_json::from_str::<Course>(&json).unwrap());
        });
        let decode = time(&|| {
            std::hint::black_box(graftwatch_store::checkpoint::decode(&compact).unwrap());
        });
        let encode = time(&|| {
            std::hint::black_box(graftwatch_store::checkpoint::encode(&c));
        });
        let grade = time(&|| {
            std::hint::black_box(graftwatch_grading::grade_course(
                &c,
                &graftwatch_grading::GradingConfig::default(),
            ));
        });
        let analysis = time(&|| {
            std::hint::black_box(graftwatch_report::Analysis::for_course(&c, &cfg.alerts));
        });
        let grades = graftwatch_grading::grade_course(&c, &Default::default());
        let last = c.span().unwrap().1;
        let dli = time(&|| {
            let g = graftwatch_decision::gvhd_status_from_grades(&grades);
            std::hint::black_box(graftwatch_decision::assess_dli(
                &c,
                last,
                &g,
                &Default::default(),
            ))
            .ok();
        });
        let full = time(&|| {
            std::hint::black_box(compute(&c, &cfg));
        });
        let summary = compute(&c, &cfg);
        let ser = time(&|| {
            std::hint::black_box(serde_json::to_string(&summary).unwrap());
        });
        println!(
            "{days},{parse:.3},{decode:.3},{encode:.3},{grade:.3},{analysis:.3},{dli:.3},{full:.3},{ser:.3}"
        );
    }
    profile_criteria();
}

/// The second table of `profile`: the grading engine's extraction alone
/// and each criterion graded alone (extraction included), median of 21,
/// ms — which parts of the grading grow with the history.
fn profile_criteria() {
    use graftwatch_grading::extract::{ExtractOptions, extract};
    use graftwatch_grading::{Criterion, GradingConfig, grade_course_only};
    let cfg = GradingConfig::default();
    let names: Vec<String> = Criterion::ALL
        .iter()
        .map(|c| format!("{c:?}_ms").to_lowercase())
        .collect();
    println!("history_days,extract_ms,{}", names.join(","));
    for days in [30, 365, 730, 1825] {
        let c = course("PROFILE", days);
        let time = median_ms_of_21;
        let opt = ExtractOptions {
            crs_window_days: cfg.engine.crs_window_days,
            marrow_count_window_days: cfg.engine.marrow_count_window_days,
        };
        let mut row = vec![format!(
            "{:.3}",
            time(&|| {
                std::hint::black_box(extract(&c, &opt));
            })
        )];
        for cr in Criterion::ALL {
            let ms = time(&|| {
                std::hint::black_box(grade_course_only(&c, &cfg, &[cr]));
            });
            row.push(format!("{ms:.3}"));
        }
        println!("{days},{}", row.join(","));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "profile") {
        profile();
        return;
    }
    let (Some(cmd), Some(db)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: store_bench append|alerts DB");
        std::process::exit(2);
    };
    let loc = Location::parse(db).unwrap();
    match cmd.as_str() {
        "append" => append(&loc),
        "phases" => phases(&loc),
        "alerts" => alerts(&loc),
        "import" if args.len() > 3 => import(&loc, Path::new(&args[3])),
        _ => {
            eprintln!("usage: store_bench append|alerts DB");
            std::process::exit(2);
        }
    }
}

/// Medians of each phase of 20 appends of one day with the derived state
/// (`graftwatch_store::phases`), warm (the course at the base in memory)
/// and cold (replayed), each derived from the carry (`warm_carry`,
/// `cold_carry`) and over the whole course (`warm_whole`, `cold_whole`),
/// at 30 days, 1 year, 2 years and 5 years of history
/// (or the lengths in days given after DB). One
/// line per history, storage, mode and phase:
/// `history_days,stored_as,mode,phase,median_ms`; `total` is the whole
/// `Store::append`. The history is stored either as one revision
/// (`one_revision`, as an import of a long course) or as day 0 plus one
/// append revision per day (`daily_appends`, as daily entry).
fn phases(loc: &Location) {
    let (mut s, _) = Store::init(loc).unwrap();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    println!("history_days,stored_as,mode,phase,median_ms");
    // History lengths in days: the arguments after DB, else 30 d, 1 y,
    // 2 y and 5 y.
    let mut lengths: Vec<i64> = std::env::args()
        .skip(3)
        .filter_map(|a| a.parse().ok())
        .collect();
    if lengths.is_empty() {
        lengths = vec![30, 365, 730, 1825];
    }
    let shapes: Vec<(i64, bool)> = [false, true]
        .into_iter()
        .flat_map(|daily| lengths.iter().map(move |&d| (d, daily)))
        .collect();
    for (days, daily) in shapes {
        let stored_as = if daily {
            "daily_appends"
        } else {
            "one_revision"
        };
        let id = format!("PHASES-{days}-{stored_as}-{stamp}");
        let mut c = course(&id, days + 100);
        let mut later: Vec<Observation> = c.observations.split_off(days as usize * 6);
        // Created as a whole with the derived state (and so, when long,
        // with a checkpoint of itself), as an import; the daily history is
        // written without it (faster), the checkpoints come with the
        // derived appends below.
        s.set_derive_on_write(!daily);
        let mut head = if daily {
            // Day 0 as the first revision, then one append revision per day.
            let rest: Vec<Observation> = c.observations.split_off(6);
            let h = s.create_patient(&actor(), &c, None).unwrap().rev;
            let mut rest = rest;
            rest.append(&mut later);
            later = rest;
            append_days(&s, &id, h, &mut later, days as usize - 1).0
        } else {
            s.create_patient(&actor(), &c, None).unwrap().rev
        };
        s.set_derive_on_write(true);
        let warm = graftwatch_store::head::DEFAULT_HEAD_CACHE;
        // The day derived from the carry (the default), then
        // over the whole course (`set_derive_from_carry(false)`), side by side.
        for (mode, cache, carry) in [
            ("warm_carry", warm, true),
            ("cold_carry", 0, true),
            ("warm_whole", warm, false),
            ("cold_whole", 0, false),
        ] {
            s.set_head_cache(cache);
            s.set_derive_from_carry(carry);
            // One untimed append (the warm one replays the history once).
            head = append_days(&s, &id, head, &mut later, 1).0;
            let mut order: Vec<&'static str> = Vec::new();
            let mut by: std::collections::HashMap<&'static str, Vec<f64>> = Default::default();
            let mut total = Vec::new();
            for _ in 0..20 {
                graftwatch_store::phases::enable(true);
                let (h, t) = append_days(&s, &id, head, &mut later, 1);
                head = h;
                total.push(t[0]);
                for (name, ms) in graftwatch_store::phases::take() {
                    if !by.contains_key(name) {
                        order.push(name);
                    }
                    by.entry(name).or_default().push(ms);
                }
            }
            graftwatch_store::phases::enable(false);
            for name in order {
                let m = median(by.remove(name).unwrap()).0;
                println!("{days},{stored_as},{mode},{name},{m:.3}");
            }
            println!("{days},{stored_as},{mode},total,{:.3}", median(total).0);
        }
    }
}

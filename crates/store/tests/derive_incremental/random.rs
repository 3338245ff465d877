//! Randomised transplant courses for the exactness test of derived state
//! (`derive_incremental.rs`): each seed picks a course shape — a CAR-T
//! infusion with CRS and ICANS before the transplant or not, the graft
//! source, neutrophil engraftment early, late or never (primary graft
//! failure), a supported decline after recovery (secondary graft failure),
//! acute GVHD flares with steroids, chronic GVHD scores, chimerism with or
//! without a rising recipient share, MRD with or without a conversion, a
//! marrow relapse, a DLI, infection status, G-CSF, transfusions, missing
//! labs and a death — and the values within it. Deterministic: the same
//! seed always gives the same course.

use std::path::Path;

use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_course::io::read_json_str;
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value, 0 included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next() % (hi - lo + 1) as u64) as i32
    }
}

/// What a seed chose; days are relative to the transplant's day 0.
struct Shape {
    cart: bool,
    source: &'static str,
    engrafts_on: Option<i32>,
    decline_from: Option<i32>,
    flares: Vec<(i32, i32, f64)>,
    chimerism_rises: bool,
    mrd_converts: bool,
    relapse_on: Option<i32>,
    dli_on: Option<i32>,
    cgvhd_from: Option<i32>,
    death: bool,
    last_day: i32,
}

impl Shape {
    fn pick(r: &mut Rng) -> Shape {
        let last_day = r.range(60, 200);
        let engrafts_on = (!r.chance(0.15)).then(|| r.range(12, 40));
        let decline_from = engrafts_on
            .filter(|_| r.chance(0.3))
            .map(|e| e + r.range(30, 45));
        let flares: Vec<(i32, i32, f64)> = (0..r.range(0, 2))
            .map(|_| (r.range(12, 90), r.range(3, 14), r.unit()))
            .collect();
        // A DLI now and then given during a flare (a "DLI with active GVHD").
        let dli_on = match flares.first() {
            Some(f) if r.chance(0.3) => Some(f.0 + 2),
            _ => r.chance(0.35).then(|| r.range(40, 160)),
        };
        Shape {
            cart: r.chance(0.35),
            source: ["pbsc", "bone_marrow", "ucb"][r.range(0, 2) as usize],
            engrafts_on,
            decline_from,
            flares,
            chimerism_rises: r.chance(0.5),
            mrd_converts: r.chance(0.4),
            relapse_on: r.chance(0.25).then(|| r.range(50, 150)),
            dli_on,
            cgvhd_from: r.chance(0.4).then(|| r.range(50, 110)),
            death: r.chance(0.12),
            last_day,
        }
    }

    /// The severity (0–1) of the flare `day` is in, if any.
    fn flare(&self, day: i32) -> Option<f64> {
        self.flares
            .iter()
            .find(|&&(s, n, _)| (s..s + n).contains(&day))
            .map(|f| f.2)
    }

    /// Whether the counts are up on `day` (engrafted, not declining).
    fn counts_up(&self, day: i32) -> bool {
        let engrafted = self.engrafts_on.is_some_and(|e| day >= e);
        let declining = self
            .decline_from
            .is_some_and(|d| (d..d + 12).contains(&day));
        (day < -5 || engrafted) && !declining
    }
}

/// Appends an observation of `kind` on `date` (other fields in `extra`).
fn obs(out: &mut Vec<Value>, date: Date, kind: &str, value: Value, extra: Value) {
    let mut o = json!({"date": date.to_string(), "kind": kind, "value": value});
    if let (Some(o), Some(x)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            o.insert(k.clone(), v.clone());
        }
    }
    out.push(o);
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// The daily labs of one day (each left out now and then).
fn labs(r: &mut Rng, s: &Shape, out: &mut Vec<Value>, date: Date, day: i32) {
    let up = s.counts_up(day);
    let v = r.unit();
    let bili = match s.flare(day) {
        Some(sev) => 0.8 + 8.0 * sev * v,
        None => 0.4 + 0.6 * v,
    };
    let rows = [
        (
            "anc",
            if up { 1.0 + 3.0 * v } else { 0.02 + 0.45 * v },
            "10^9/L",
        ),
        (
            "platelets",
            if up { 40.0 + 150.0 * v } else { 4.0 + 18.0 * v },
            "10^9/L",
        ),
        (
            "wbc",
            if up { 2.0 + 6.0 * v } else { 0.1 + 0.9 * v },
            "10^9/L",
        ),
        ("hemoglobin", 7.5 + 5.0 * v, "g/dL"),
        ("bilirubin", bili, "mg/dL"),
        ("creatinine", 0.5 + 0.7 * v, "mg/dL"),
    ];
    for (kind, x, unit) in rows {
        if !r.chance(0.06) {
            obs(out, date, kind, json!(round(x, 2)), json!({"unit": unit}));
        }
    }
}

/// Acute GVHD findings on a flare day, chronic GVHD scores every 14 days.
fn gvhd(r: &mut Rng, s: &Shape, out: &mut Vec<Value>, date: Date, day: i32) {
    if let Some(sev) = s.flare(day) {
        let bsa = json!(r.range(0, (10.0 + 70.0 * sev) as i32));
        obs(out, date, "skin_rash_bsa", bsa, json!({"unit": "%"}));
        let ml = json!(r.range(100, (300.0 + 1700.0 * sev) as i32));
        obs(out, date, "stool_volume", ml, json!({"unit": "mL"}));
        let ugi = json!(r.chance(0.3));
        obs(out, date, "upper_gi_persistent", ugi, json!({}));
        obs(
            out,
            date,
            "weight",
            json!(round(60.0 + 10.0 * r.unit(), 1)),
            json!({"unit": "kg"}),
        );
    }
    if s.cgvhd_from
        .is_some_and(|c| day >= c && (day - c) % 14 == 0)
    {
        for kind in ["cgvhd_mouth", "cgvhd_eyes", "cgvhd_joints"] {
            obs(out, date, kind, json!(r.range(0, 3)), json!({}));
        }
        let bsa = json!(r.range(0, 40));
        obs(out, date, "cgvhd_skin_bsa", bsa, json!({"unit": "%"}));
    }
}

/// Chimerism, MRD, marrow and infection status on their sampling days.
fn disease(r: &mut Rng, s: &Shape, out: &mut Vec<Value>, date: Date, day: i32) {
    if day >= 21 && day % 14 == 0 {
        let k = f64::from((day - 21) / 14);
        for lineage in ["whole_blood", "cd3"] {
            let rec = if s.chimerism_rises {
                (0.5 + 2.5 * k).min(60.0)
            } else {
                2.0 * r.unit()
            };
            for (person, share) in [("recipient", rec), ("D1", 100.0 - rec)] {
                let x = json!({"unit": "%", "lineage": lineage, "person": person,
                               "method": "str", "sample": format!("C{day}-{lineage}")});
                obs(out, date, "chimerism", json!(round(share, 1)), x);
            }
        }
    }
    if day >= 30 && day % 30 == 0 {
        let pos = s.mrd_converts && day >= 90;
        let mrd = if pos {
            0.2 + r.unit()
        } else {
            0.01 + 0.05 * r.unit()
        };
        obs(
            out,
            date,
            "mrd_flow",
            json!(round(mrd, 3)),
            json!({"unit": "%"}),
        );
        let relapsed = s.relapse_on.is_some_and(|d| day >= d);
        let blasts = if relapsed {
            8.0 + 30.0 * r.unit()
        } else {
            1.0 + 3.0 * r.unit()
        };
        obs(
            out,
            date,
            "marrow_blasts",
            json!(round(blasts, 1)),
            json!({"unit": "%"}),
        );
    }
    if r.chance(0.04) {
        let st = ["none", "controlled", "uncontrolled"][r.range(0, 2) as usize];
        obs(out, date, "infection_status", json!(st), json!({}));
    }
}

/// CRS and ICANS findings on days 1–7 after the CAR-T infusion.
fn crs_icans(r: &mut Rng, out: &mut Vec<Value>, date: Date, k: i32) {
    obs(
        out,
        date,
        "temperature",
        json!(round(38.1 + 1.5 * r.unit(), 1)),
        json!({"unit": "Cel"}),
    );
    obs(
        out,
        date,
        "systolic_bp",
        json!(r.range(80, 120)),
        json!({"unit": "mm[Hg]"}),
    );
    obs(out, date, "ice_score", json!(r.range(3, 10)), json!({}));
    let c = if k == 4 && r.chance(0.5) {
        "voice"
    } else {
        "awake"
    };
    obs(out, date, "consciousness", json!(c), json!({}));
    obs(out, date, "seizure", json!("none"), json!({}));
    obs(out, date, "motor_weakness", json!(false), json!({}));
}

/// The events of the course (`d0`: the transplant's day 0).
fn events(r: &mut Rng, s: &Shape, d0: Date) -> Vec<Value> {
    let at = |d: i32| d0.add_days(d).to_string();
    let mut ev = vec![
        json!({"date": at(-7), "end_date": at(-2), "kind": "conditioning", "regimen": "Flu/Bu", "intensity": "reduced_intensity"}),
        json!({"date": at(0), "kind": "graft_infusion", "transplant": 1, "source": s.source, "donor": "D1", "cd34_per_kg": 4.0e6, "tnc_per_kg": 3.0e7}),
        json!({"date": at(-3), "end_date": at(90), "kind": "drug", "name": "tacrolimus", "class": "immunosuppressant"}),
    ];
    if s.cart {
        ev.push(json!({"date": at(-40), "kind": "car_t_infusion", "target": "CD19", "product": "CAR-19", "dose_per_kg": 1.0e6}));
        ev.push(json!({"date": at(-38), "end_date": at(-36), "kind": "oxygen_support", "device": "nasal_cannula", "flow_l_min": 2.0}));
    }
    if r.chance(0.5) {
        ev.push(json!({"date": at(5), "end_date": at(12), "kind": "drug", "name": "filgrastim", "class": "g_csf"}));
    }
    for &(start, n, _) in &s.flares {
        ev.push(json!({"date": at(start + 1), "end_date": at(start + n + 20), "kind": "drug", "name": "prednisone", "class": "steroid", "dose": 2.0, "dose_unit": "mg/kg/d"}));
    }
    let mut day = 1;
    while day < s.last_day {
        if !s.counts_up(day) && r.chance(0.3) {
            let product = if r.chance(0.6) { "platelets" } else { "rbc" };
            ev.push(
                json!({"date": at(day), "kind": "transfusion", "product": product, "units": 1}),
            );
        }
        day += 1;
    }
    if let Some(d) = s.dli_on.filter(|d| *d < s.last_day) {
        ev.push(json!({"date": at(d), "kind": "dli", "donor": "D1", "cd3_per_kg": 1.0e5, "intent": "preemptive"}));
    }
    if s.death {
        ev.push(json!({"date": at(s.last_day), "kind": "death", "cause": "relapse"}));
    }
    ev
}

/// The course of `seed` for patient `id`.
pub fn random_course(id: &str, seed: u64) -> Course {
    let mut r = Rng::new(seed);
    let s = Shape::pick(&mut r);
    course_of(id, seed, r, s)
}

/// A long course of `seed` (400–700 days): the same shapes with the
/// flares, decline, relapse, DLI and chronic GVHD moved 100–400 days
/// later, so that they happen after long quiet stretches of routine labs
/// (the days an append derives from the carry).
pub fn random_long_course(id: &str, seed: u64) -> Course {
    let mut r = Rng::new(seed);
    let mut s = Shape::pick(&mut r);
    let mut later = |d: i32| d + r.range(100, 400);
    s.flares = s.flares.iter().map(|&(a, n, v)| (later(a), n, v)).collect();
    s.decline_from = s.decline_from.map(&mut later);
    s.relapse_on = s.relapse_on.map(&mut later);
    s.dli_on = s.dli_on.map(&mut later);
    s.cgvhd_from = s.cgvhd_from.map(&mut later);
    s.last_day = r.range(400, 700);
    course_of(id, seed, r, s)
}

/// The course a seed's shape gives.
fn course_of(id: &str, seed: u64, mut r: Rng, s: Shape) -> Course {
    let d0 = Date::from_ymd(2024, 2, 1)
        .unwrap()
        .add_days(r.range(0, 300));
    let first = if s.cart { -45 } else { -10 };
    let mut out = Vec::new();
    for day in first..s.last_day {
        let date = d0.add_days(day);
        labs(&mut r, &s, &mut out, date, day);
        gvhd(&mut r, &s, &mut out, date, day);
        disease(&mut r, &s, &mut out, date, day);
        if s.cart && (-39..=-33).contains(&day) {
            crs_icans(&mut r, &mut out, date, day + 40);
        }
    }
    let (relationship, hla) = match s.source {
        "ucb" => ("unrelated_cord", "5/8"),
        _ => ("matched_unrelated", "10/10"),
    };
    let doc = json!({
        "format": "graftwatch-course/1",
        "patient": {"id": id, "sex": if seed.is_multiple_of(2) { "female" } else { "male" },
                    "birth_year": 1950 + r.range(0, 50),
                    "diagnosis": {"disease": "aml", "date": d0.add_days(-200).to_string()}},
        "donors": [{"id": "D1", "relationship": relationship, "sex": "male", "hla_match": hla}],
        "events": events(&mut r, &s, d0),
        "observations": out,
    });
    read_json_str(&doc.to_string(), Path::new("random.json"))
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"))
        .course
}

/// The seed case's observations copied `copies` times on the same dates
/// (as `bench/grade-e2e/make_courses.py` builds its large courses, with
/// the chimerism sample ids made unique per copy): many same-day
/// duplicates, whose order within a day the append must keep.
pub fn seed_copies(id: &str, copies: usize) -> Course {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    doc["patient"]["id"] = id.into();
    let one: Vec<Value> = doc["observations"].as_array().unwrap().clone();
    let mut all = Vec::new();
    for k in 0..copies {
        for o in &one {
            let mut o = o.clone();
            if let Some(s) = o.get("sample").and_then(Value::as_str) {
                o["sample"] = format!("{s}-{k}").into();
            }
            all.push(o);
        }
    }
    doc["observations"] = all.into();
    read_json_str(&doc.to_string(), Path::new("seed-copies.json"))
        .unwrap()
        .course
}

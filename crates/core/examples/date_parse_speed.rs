//! Times `Date` parsing and formatting (used to check that the jiff-backed
//! calendar costs nothing measurable in course reading):
//! `cargo run --release -p graftwatch-core --example date_parse_speed`.
use graftwatch_core::date::Date;
use std::time::Instant;

fn main() {
    let texts: Vec<String> = (0..1_000_000)
        .map(|i| Date::from_days_since_epoch(18_000 + (i % 3000)).to_string())
        .collect();
    let t = Instant::now();
    let mut acc = 0i64;
    for s in &texts {
        acc += i64::from(s.parse::<Date>().expect("valid").days_since_epoch());
    }
    let parse = t.elapsed();
    let t = Instant::now();
    let mut n = 0usize;
    for i in 0..1_000_000 {
        n += Date::from_days_since_epoch(18_000 + (i % 3000))
            .to_string()
            .len();
    }
    println!(
        "parse: {:.0} ns/date, format: {:.0} ns/date (checksums {acc} {n})",
        parse.as_nanos() as f64 / 1e6,
        t.elapsed().as_nanos() as f64 / 1e6
    );
}

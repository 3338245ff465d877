//! The compact encoding of a course checkpoint (`course_checkpoints.payload`,
//! docs/store.md, "Checkpoints").
//!
//! A checkpoint is read by every write that does not hold the course in
//! memory (a one-shot `graftwatch` command), so reading it must be cheap.
//! Almost all of a long course is numeric observations that differ from
//! each other only in their date and value (six daily labs are 4,380 of
//! them in two years). This encoding writes each distinct *shape* of such
//! an observation (its JSON with the date and value left out: kind, unit
//! and every other field) once, and then one short line per observation:
//!
//! ```text
//! graftwatch-checkpoint/1
//! 4380                                   ← number of observations
//! [{"date":"1970-01-01","kind":"anc","value":0.0,"unit":"10^9/L"}, …]   ← the shapes
//! {"format":"graftwatch-course/1", … ,"observations":[]}                ← the rest of the course
//! 0 19783 1.25                           ← shape, days since 1970-01-01, value
//! {"date":"2024-03-02","kind":"note",…}  ← any other observation, as JSON
//! ```
//!
//! The lines keep the course's order (the order of same-day observations
//! matters to the rules). Values are written in Rust's shortest
//! round-trip form, so every `f64` is read back bit for bit; anything that
//! is not a plain number is written as its JSON. Decoding a checkpoint
//! gives exactly the course its canonical JSON gives
//! (`decodes_exactly_what_json_gives`). The text is about a fifth of the
//! canonical JSON and about 2.5 times faster to read (`store_bench
//! profile`, docs/benchmarks.md).
//!
//! Checkpoints written before this encoding (the canonical JSON of the
//! course) are still read: [`decode`] takes either.

use std::collections::HashMap;
use std::fmt::Write as _;

use graftwatch_core::Date;
use graftwatch_core::date::{MAX_YEAR, MIN_YEAR};
use graftwatch_course::{Course, ObsValue, Observation};

/// First line of a compact checkpoint.
pub const MAGIC: &str = "graftwatch-checkpoint/1";

/// Why a checkpoint could not be read (derived data: the write then
/// ignores it and replays the revisions).
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// A JSON part did not parse.
    #[error("line {line}: {source}")]
    Json {
        /// 1-based line.
        line: usize,
        /// The parser's message.
        source: serde_json::Error,
    },
    /// A compact observation line is malformed.
    #[error("line {line}: expected 'shape days value', found '{found}'")]
    Line {
        /// 1-based line.
        line: usize,
        /// The line (at most 60 characters).
        found: String,
    },
    /// The text ended early or has lines after the observations.
    #[error("expected {expected} observation lines, found {found}")]
    Count {
        /// Declared in the header.
        expected: usize,
        /// Present.
        found: usize,
    },
}

/// The placeholder date and value of a shape.
fn shape_of(o: &Observation) -> Option<Observation> {
    let ObsValue::Number(_) = o.value else {
        return None;
    };
    let mut s = o.clone();
    s.date = Date::from_days_since_epoch(0);
    s.value = ObsValue::Number(0.0);
    Some(s)
}

/// The distinct shapes met so far: compared by value while there are few
/// (a course of daily labs has one per kind), looked up by their JSON
/// beyond that.
#[derive(Default)]
struct Shapes {
    list: Vec<Observation>,
    json: Vec<String>,
    index: HashMap<String, usize>,
}

/// Shapes compared by value before the JSON lookup is used.
const FEW_SHAPES: usize = 32;

impl Shapes {
    /// The index of `shape`, added when new.
    fn index_of(&mut self, shape: Observation) -> usize {
        if self.list.len() <= FEW_SHAPES
            && let Some(i) = self.list.iter().position(|s| *s == shape)
        {
            return i;
        }
        let key = serde_json::to_string(&shape).unwrap_or_default();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.list.len();
        self.index.insert(key.clone(), i);
        self.json.push(key);
        self.list.push(shape);
        i
    }
}

/// The compact checkpoint text of `course`.
pub fn encode(course: &Course) -> String {
    let mut shapes = Shapes::default();
    let mut lines = String::with_capacity(course.observations.len() * 16);
    for o in &course.observations {
        match (shape_of(o), &o.value) {
            (Some(shape), ObsValue::Number(v)) => {
                let i = shapes.index_of(shape);
                let _ = writeln!(lines, "{i} {} {v:?}", o.date.days_since_epoch());
            }
            _ => {
                lines.push_str(&serde_json::to_string(o).unwrap_or_default());
                lines.push('\n');
            }
        }
    }
    let rest = Course {
        observations: Vec::new(),
        ..course.clone()
    };
    let mut out = String::with_capacity(lines.len() + 4096);
    let _ = writeln!(out, "{MAGIC}\n{}", course.observations.len());
    let _ = writeln!(out, "[{}]", shapes.json.join(","));
    out.push_str(&serde_json::to_string(&rest).unwrap_or_default());
    out.push('\n');
    out.push_str(&lines);
    out
}

/// The course of a checkpoint: the compact encoding ([`encode`]) or the
/// canonical JSON of the course (checkpoints written before it).
pub fn decode(text: &str) -> Result<Course, CheckpointError> {
    let Some(body) = text.strip_prefix(MAGIC).and_then(|t| t.strip_prefix('\n')) else {
        return serde_json::from_str(text)
            .map_err(|source| CheckpointError::Json { line: 1, source });
    };
    // Every line ends with a newline: a text cut at a line's end is short
    // of observations, one cut inside a line has a malformed last line.
    let body = body.strip_suffix('\n').unwrap_or(body);
    let mut lines = body.split('\n');
    let mut next = |line: usize| {
        lines.next().ok_or(CheckpointError::Line {
            line,
            found: String::new(),
        })
    };
    let count_text = next(2)?;
    let count: usize = count_text.parse().map_err(|_| bad_line(2, count_text))?;
    let shapes: Vec<Observation> = serde_json::from_str(next(3)?)
        .map_err(|source| CheckpointError::Json { line: 3, source })?;
    let mut course: Course = serde_json::from_str(next(4)?)
        .map_err(|source| CheckpointError::Json { line: 4, source })?;
    // Never trust a count for an allocation: at most one observation per
    // two bytes of text.
    let mut obs = Vec::with_capacity(count.min(body.len() / 2));
    let days = DayRange::supported();
    for (k, l) in lines.enumerate() {
        let line = k + 5;
        let o = if l.starts_with("{") {
            serde_json::from_str(l).map_err(|source| CheckpointError::Json { line, source })?
        } else {
            compact(l, &shapes, &days).ok_or_else(|| bad_line(line, l))?
        };
        obs.push(o);
    }
    if obs.len() != count {
        return Err(CheckpointError::Count {
            expected: count,
            found: obs.len(),
        });
    }
    course.observations = obs;
    Ok(course)
}

fn bad_line(line: usize, l: &str) -> CheckpointError {
    CheckpointError::Line {
        line,
        found: l.chars().take(60).collect(),
    }
}

/// The day counts of the supported dates (1900–2200).
struct DayRange(i32, i32);

impl DayRange {
    fn supported() -> DayRange {
        let d = |y, m, dd| Date::from_ymd(y, m, dd).map_or(0, Date::days_since_epoch);
        DayRange(d(MIN_YEAR, 1, 1), d(MAX_YEAR, 12, 31))
    }
}

/// One `shape days value` line.
fn compact(l: &str, shapes: &[Observation], days: &DayRange) -> Option<Observation> {
    let mut it = l.split(' ');
    let shape = shapes.get(it.next()?.parse::<usize>().ok()?)?;
    let day: i32 = it.next()?.parse().ok()?;
    let value: f64 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(days.0..=days.1).contains(&day) || !value.is_finite() {
        return None;
    }
    let mut o = shape.clone();
    o.date = Date::from_days_since_epoch(day);
    o.value = ObsValue::Number(value);
    Some(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course() -> Course {
        let text = include_str!("../../../examples/seed-case/course.json");
        graftwatch_course::io::read_json_str(text, std::path::Path::new("seed.json"))
            .unwrap()
            .course
    }

    #[test]
    fn decodes_exactly_what_json_gives() {
        let mut c = course();
        // Values that print in exponent form, negative zero, integers.
        let tail = c.observations.last().unwrap().clone();
        for v in [1e-7, 123456789.0, -0.0, 0.1 + 0.2, 3.0] {
            let mut o = tail.clone();
            o.value = ObsValue::Number(v);
            c.observations.push(o);
        }
        let text = encode(&c);
        let json = crate::change::canonical_json(&c);
        let from_json: Course = serde_json::from_str(&json).unwrap();
        let back = decode(&text).unwrap();
        assert_eq!(back, c);
        assert_eq!(back, from_json);
        for (a, b) in back.observations.iter().zip(&c.observations) {
            if let (ObsValue::Number(x), ObsValue::Number(y)) = (&a.value, &b.value) {
                assert_eq!(x.to_bits(), y.to_bits());
            }
        }
        assert!(text.len() < json.len(), "{} vs {}", text.len(), json.len());
        assert_eq!(decode(&json).unwrap(), from_json, "old JSON checkpoints");
    }

    #[test]
    fn damaged_text_is_an_error_not_a_panic() {
        let text = encode(&course());
        let cut = &text[..text.len() / 2];
        assert!(decode(cut).is_err(), "truncated");
        let n = text.lines().nth(1).unwrap();
        let more = text.replacen(&format!("\n{n}\n"), &format!("\n{}\n", 1usize << 40), 1);
        assert!(matches!(decode(&more), Err(CheckpointError::Count { .. })));
        for bad in [
            "99999 19000 1.0",
            "0 999999 1.0",
            "0 19000 NaN",
            "0 19000",
            "x",
        ] {
            let mut t = text.clone();
            t.push_str(bad);
            t.push('\n');
            assert!(decode(&t).is_err(), "{bad}");
        }
        assert!(decode("").is_err());
        assert!(decode(MAGIC).is_err());
    }
}

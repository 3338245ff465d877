//! Mutation sweep (issue 15): deterministic, seeded variants of the seed
//! course — deleted fields, wrong types, NaN/Infinity/huge/negative/zero
//! numbers, bad units, unicode, invalid UTF-8, truncation at random byte
//! offsets, deep nesting, duplicated keys, a UTF-8 BOM, empty files — in
//! JSON and in the CSV form written by `course convert`, run through
//! `course validate`, `grade --format json`, `decide` and `report --out`.
//!
//! Every run must end within [`TIMEOUT`] with exit 0 or 2 (never 1 on bad
//! input, never 101 = panic, never a signal); a failed `report` leaves
//! nothing at `--out` and no temporary file; stderr carries one `error:`
//! prefix per line and no serde internals; outputs stay bounded.
//!
//! The CI-sized sweep ([`sweep_ci`]) uses a thinned seed course (every
//! tenth observation, all events) and runs every variant through `course
//! validate`, every rejected variant through all commands, and each accepted
//! one through one of grade/decide/report in turn. [`sweep_full`]
//! (`#[ignore]`) runs more variants of the full seed course through all
//! four commands. Known bugs owned by other branches are excluded from the
//! random draws and kept as `#[ignore]` tests at the end of this file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod cli_common;

use cli_common::{fresh_dir, sorted_listing};

use serde_json::Value;

const SEED_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/seed-case/course.json"
);

/// Per-process limit; a run still going after this is killed and fails.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest report accepted from a successful run.
const MAX_REPORT: u64 = 20 << 20;
/// Largest standard output accepted from a successful run.
const MAX_STDOUT: u64 = 50 << 20;

/// Keys the random draws leave alone because mutating them hits a known,
/// unfixed bug (none now: the DLI dose-ladder hang is fixed, doses are
/// checked against the limits table; see [`dli_dose_0_or_huge_is_rejected_not_a_hang`]).
const KNOWN_BUG_KEYS: &[&str] = &[];

/// Rust internals a person must never see.
const INTERNALS: &[&str] = &[
    "panicked",
    "RUST_BACKTRACE",
    "Error {",
    "Some(",
    "error: error:",
];

/// Serde type names a person must never see: every sweep run is checked,
/// and [`no_serde_internals_in_course_messages`] aims at them directly.
const SERDE_INTERNALS: &[&str] = &[
    "expected struct",
    "expected enum",
    "expected u8",
    "expected u16",
    "expected u32",
    "expected u64",
    "expected i32",
    "expected i64",
    "expected f64",
    "expected usize",
];

/// The workspace's one seeded generator, with the picks the mutations use.
type Rng = graftwatch_core::SeededRng;

trait Pick {
    /// A uniform element of a non-empty slice.
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T;
}

impl Pick for Rng {
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.index(v.len())]
    }
}

/// One mutated input file.
struct Variant {
    name: String,
    ext: &'static str,
    bytes: Vec<u8>,
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                prefix.push(Seg::Key(k.clone()));
                out.push(prefix.clone());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                prefix.push(Seg::Index(i));
                out.push(prefix.clone());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> &'a Value {
    path.iter().fold(v, |v, s| match s {
        Seg::Key(k) => &v[k.as_str()],
        Seg::Index(i) => &v[*i],
    })
}

/// Paths of a course, precomputed once: all, numbers (minus known-bug
/// keys), strings, units.
struct Paths {
    all: Vec<Vec<Seg>>,
    numbers: Vec<Vec<Seg>>,
    strings: Vec<Vec<Seg>>,
    units: Vec<Vec<Seg>>,
}

impl Paths {
    fn of(base: &Value) -> Paths {
        let mut all = Vec::new();
        paths(base, &mut Vec::new(), &mut all);
        let keep = |f: &dyn Fn(&Vec<Seg>) -> bool| all.iter().filter(|p| f(p)).cloned().collect();
        let numbers = keep(&|p| get(base, p).is_number() && !KNOWN_BUG_KEYS.contains(&last_key(p)));
        let strings = keep(&|p| get(base, p).is_string());
        let units = keep(&|p| last_key(p).ends_with("unit"));
        Paths {
            all,
            numbers,
            strings,
            units,
        }
    }
}

fn last_key(path: &[Seg]) -> &str {
    match path.last() {
        Some(Seg::Key(k)) => k,
        _ => "",
    }
}

fn show(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!(".{k}"),
            Seg::Index(i) => format!("[{i}]"),
        })
        .collect()
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "-1e308",
    "1e308",
    "1e10",
    "1e300",
    "4294967296",
    "9007199254740993",
    "18446744073709551616",
    "1.5",
    "1e-320",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
];

const UNITS: &[&str] = &[
    "",
    "furlongs",
    "g/l",
    "G/l",
    "K/\u{b5}L",
    "K/\u{3bc}L",
    "/\u{b5}L",
    "mmol/L",
    "g/l:cells",
    "%%",
    " g/dL ",
    "G/L\u{0}",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "\u{202e}evil\u{202c}",
    "\u{1d11e}\u{1f600}é\u{301}",
    "\u{0}\u{1}\u{7f}",
    "<script>alert(1)</script>",
    "9999-99-99",
    "0000-01-01",
    "2024-02-30",
    "+2147483647",
    "-2147483648",
    "\u{feff}aml",
];

/// Sentinel replaced in the serialized text by raw (possibly invalid) JSON.
const RAW: &str = "@@RAW@@";

fn json_variant(base: &Value, paths: &Paths, rng: &mut Rng, i: usize) -> Variant {
    let all = &paths.all;
    let mut v = base.clone();
    let kind = rng.index(12);
    let (desc, raw): (String, Option<String>) = match kind {
        0 => {
            let p = rng.pick(all).clone();
            let (parent, leaf) = p.split_at(p.len() - 1);
            match (&leaf[0], at(&mut v, parent)) {
                (Seg::Key(k), Value::Object(m)) => {
                    m.remove(k);
                }
                (Seg::Index(ix), Value::Array(a)) => {
                    a.remove(*ix);
                }
                _ => {}
            }
            (format!("delete {}", show(&p)), None)
        }
        1 => {
            let p = rng.pick(all).clone();
            let replacement = match rng.index(6) {
                0 => Value::Null,
                1 => Value::Bool(true),
                2 => Value::String("12".into()),
                3 => serde_json::json!([1, 2]),
                4 => serde_json::json!({"value": 1}),
                _ => serde_json::json!(-7),
            };
            *at(&mut v, &p) = replacement.clone();
            (format!("type {} = {replacement}", show(&p)), None)
        }
        2..=4 => {
            let p = rng.pick(&paths.numbers).clone();
            let n = *rng.pick(NUMBERS);
            *at(&mut v, &p) = Value::String(RAW.into());
            (format!("number {} = {n}", show(&p)), Some(n.to_string()))
        }
        5 => {
            let p = rng.pick(&paths.units).clone();
            let u = *rng.pick(UNITS);
            *at(&mut v, &p) = Value::String(u.into());
            (format!("unit {} = {u:?}", show(&p)), None)
        }
        6 => {
            let p = rng.pick(&paths.strings).clone();
            let s = *rng.pick(STRINGS);
            *at(&mut v, &p) = Value::String(s.into());
            (format!("string {} = {s:?}", show(&p)), None)
        }
        7 => {
            let p = rng.pick(all).clone();
            let depth = *rng.pick(&[64usize, 200, 5000, 100_000]);
            let nest = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            *at(&mut v, &p) = Value::String(RAW.into());
            (format!("nesting {depth} at {}", show(&p)), Some(nest))
        }
        _ => (String::new(), None),
    };
    let mut text = serde_json::to_string_pretty(&v).unwrap();
    if let Some(r) = raw {
        text = text.replacen(&format!("\"{RAW}\""), &r, 1);
    }
    let (desc, bytes) = match kind {
        0..=7 => (desc, text.into_bytes()),
        8 => {
            let cut = rng.index(text.len());
            (
                format!("truncate at byte {cut}"),
                text.as_bytes()[..cut].to_vec(),
            )
        }
        9 => {
            let key = *rng.pick(&["value", "unit", "date", "kind", "id", "format", "sex"]);
            let needle = format!("\"{key}\": ");
            let hits: Vec<usize> = text.match_indices(&needle).map(|(o, _)| o).collect();
            let at_byte = hits.get(rng.index(hits.len())).copied().unwrap_or(2);
            let dup = format!("\"{key}\": \"duplicate\", ");
            text.insert_str(at_byte, &dup);
            (
                format!("duplicate key {key} at byte {at_byte}"),
                text.into_bytes(),
            )
        }
        10 => {
            let mut b = vec![0xef, 0xbb, 0xbf];
            b.extend_from_slice(text.as_bytes());
            if rng.index(2) == 0 {
                let cut = 3 + rng.index(text.len());
                b.truncate(cut);
                ("BOM + truncated".into(), b)
            } else {
                ("BOM".into(), b)
            }
        }
        _ => {
            let choices: [(&str, &[u8]); 7] = [
                ("empty", b""),
                ("whitespace", b" \n\t\n"),
                ("null", b"null"),
                ("empty object", b"{}"),
                ("BOM only", b"\xef\xbb\xbf"),
                ("invalid UTF-8", b"{\"format\": \"\xff\xfe\"}"),
                ("NUL bytes", b"\0\0\0\0"),
            ];
            let (d, b) = choices[rng.index(choices.len())];
            if rng.index(2) == 0 {
                // invalid UTF-8 inside the real course
                let mut t = text.into_bytes();
                let o = rng.index(t.len());
                t[o] = 0xff;
                (format!("byte 0xff at {o}"), t)
            } else {
                (d.to_string(), b.to_vec())
            }
        }
    };
    Variant {
        name: format!("json-{i:03} {desc}"),
        ext: "json",
        bytes,
    }
}

/// Splits a CSV line on commas outside quotes (enough for mutation).
fn cells(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.last_mut().unwrap().push(c);
            }
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

fn csv_variant(base: &str, rng: &mut Rng, i: usize) -> Variant {
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    let header = cells(&lines[0]);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let row = 1 + rng.index(lines.len() - 1);
    let kind = rng.index(11);
    let mut c = cells(&lines[row]);
    let desc = match kind {
        0 => {
            lines.remove(row);
            format!("delete line {}", row + 1)
        }
        1 | 2 => {
            let n = *rng.pick(NUMBERS);
            c[col("value")] = n.to_string();
            lines[row] = c.join(",");
            format!("line {} value = {n}", row + 1)
        }
        3 => {
            let u = *rng.pick(UNITS);
            c[col("unit")] = u.to_string();
            lines[row] = c.join(",");
            format!("line {} unit = {u:?}", row + 1)
        }
        4 => {
            let k = rng.index(c.len());
            let s = *rng.pick(STRINGS);
            c[k] = s.to_string();
            lines[row] = c.join(",");
            format!("line {} cell {k} = {s:?}", row + 1)
        }
        5 => {
            let k = rng.index(c.len());
            c.remove(k);
            lines[row] = c.join(",");
            format!("line {} cell {k} removed", row + 1)
        }
        6 => {
            c.push("extra".into());
            lines[row] = c.join(",");
            format!("line {} extra cell", row + 1)
        }
        7 => {
            lines[row].push_str(",\"unterminated");
            format!("line {} unbalanced quote", row + 1)
        }
        8 => {
            let dup = lines[row].clone();
            lines.insert(row, dup);
            format!("line {} duplicated", row + 1)
        }
        _ => String::new(),
    };
    let text = lines.join("\n") + "\n";
    let (desc, bytes) = match kind {
        0..=8 => (desc, text.into_bytes()),
        9 => {
            let cut = rng.index(text.len());
            (
                format!("truncate at byte {cut}"),
                text.as_bytes()[..cut].to_vec(),
            )
        }
        _ => {
            let mut b = vec![0xef, 0xbb, 0xbf];
            b.extend_from_slice(text.as_bytes());
            ("BOM".into(), b)
        }
    };
    Variant {
        name: format!("csv-{i:03} {desc}"),
        ext: "csv",
        bytes,
    }
}

/// A fresh directory for this test process.
fn scratch(name: &str) -> PathBuf {
    fresh_dir("gw-sweep", name)
}

struct Run {
    code: Option<i32>,
    timed_out: bool,
    stdout_len: u64,
    stderr: String,
}

/// Runs the binary with stdout/stderr to files, killing it after [`TIMEOUT`].
fn run(args: &[&std::ffi::OsStr], logs: &Path) -> Run {
    let out = logs.join("stdout");
    let err = logs.join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let (code, timed_out) = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break (s.code(), false);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code,
        timed_out,
        stdout_len: std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0),
        stderr: String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned(),
    }
}

/// Lines quoting serde internals in a run's stderr (must be none).
fn serde_lines(r: &Run) -> usize {
    r.stderr
        .lines()
        .filter(|l| SERDE_INTERNALS.iter().any(|x| l.contains(x)))
        .count()
}

/// Problems with one run (empty = fine).
fn judge(what: &str, r: &Run) -> Vec<String> {
    let mut bad = Vec::new();
    if serde_lines(r) > 0 {
        bad.push(format!(
            "{what}: quotes serde's Rust type names: {}",
            head(&r.stderr)
        ));
    }
    if r.timed_out {
        bad.push(format!("{what}: still running after {TIMEOUT:?} (killed)"));
        return bad;
    }
    match r.code {
        Some(0) | Some(2) => {}
        Some(c) => bad.push(format!("{what}: exit {c}; stderr: {}", head(&r.stderr))),
        None => bad.push(format!("{what}: killed by a signal")),
    }
    if r.code == Some(2) && !r.stderr.starts_with("error: ") {
        bad.push(format!(
            "{what}: exit 2 without an error: line: {}",
            head(&r.stderr)
        ));
    }
    for line in r.stderr.lines() {
        if line.matches("error:").count() > 1 {
            bad.push(format!("{what}: repeated error prefix: {line}"));
        }
        if let Some(x) = INTERNALS.iter().find(|x| line.contains(*x)) {
            bad.push(format!("{what}: internal text {x:?}: {line}"));
        }
    }
    if r.code == Some(0) && r.stdout_len > MAX_STDOUT {
        bad.push(format!("{what}: {} bytes on stdout", r.stdout_len));
    }
    bad
}

fn head(s: &str) -> String {
    s.lines().take(3).collect::<Vec<_>>().join(" | ")
}

/// Which commands a variant goes through.
#[derive(Clone, Copy)]
enum Depth {
    /// validate; all commands when rejected, one in turn when accepted.
    Ci,
    /// All four commands always.
    Full,
}

const COMMANDS: [&str; 3] = ["grade", "decide", "report"];

/// Runs one variant; returns problems found and whether validate accepted it.
fn check_variant(v: &Variant, k: usize, root: &Path, depth: Depth) -> (Vec<String>, bool) {
    let dir = root.join(format!("v{k}"));
    let (input, out, logs) = (dir.join("in"), dir.join("out"), dir.join("logs"));
    for d in [&input, &out, &logs] {
        std::fs::create_dir_all(d).unwrap();
    }
    let course = input.join(format!("course.{}", v.ext));
    std::fs::write(&course, &v.bytes).unwrap();
    let c = course.as_os_str();
    let html = out.join("x.html");
    let mut bad = Vec::new();
    let validate = run(&["course".as_ref(), "validate".as_ref(), c], &logs);
    bad.extend(judge(&format!("{}: course validate", v.name), &validate));
    let accepted = validate.code == Some(0);
    let chosen: Vec<&str> = match depth {
        Depth::Full => COMMANDS.to_vec(),
        Depth::Ci if !accepted => COMMANDS.to_vec(),
        Depth::Ci => vec![COMMANDS[k % COMMANDS.len()]],
    };
    for cmd in chosen {
        let args: Vec<&std::ffi::OsStr> = match cmd {
            "grade" => vec!["grade".as_ref(), "--format".as_ref(), "json".as_ref(), c],
            "decide" => vec!["decide".as_ref(), c],
            _ => vec!["report".as_ref(), c, "--out".as_ref(), html.as_os_str()],
        };
        let r = run(&args, &logs);
        let what = format!("{}: {cmd}", v.name);
        bad.extend(judge(&what, &r));
        if cmd == "report" {
            let files = sorted_listing(&out);
            if r.code == Some(0) {
                let size = std::fs::metadata(&html).map(|m| m.len()).unwrap_or(0);
                if files != ["x.html"] || size > MAX_REPORT {
                    bad.push(format!("{what}: out dir {files:?}, report {size} bytes"));
                }
            } else if !files.is_empty() {
                bad.push(format!("{what}: failed but left {files:?} in the out dir"));
            }
        }
    }
    let left = sorted_listing(&input);
    if left.len() != 1 {
        bad.push(format!("{}: input dir now holds {left:?}", v.name));
    }
    let _ = std::fs::remove_dir_all(&dir);
    (bad, accepted)
}

/// The base course: the seed course, with every `thin`-th observation.
fn base_json(thin: usize) -> Value {
    let text = std::fs::read_to_string(SEED_JSON).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    if let Some(Value::Array(obs)) = v.get_mut("observations") {
        let kept: Vec<Value> = obs.iter().step_by(thin).cloned().collect();
        *obs = kept;
    }
    v
}

/// The base converted to CSV by `graftwatch course convert`.
fn base_csv(json: &Value, root: &Path) -> String {
    let src = root.join("base.json");
    let dst = root.join("base.csv");
    std::fs::write(&src, serde_json::to_string_pretty(json).unwrap()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(["course", "convert"])
        .arg(&src)
        .arg(&dst)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(&dst).unwrap()
}

fn variants(base: &Value, csv: &str, n_json: usize, n_csv: usize, seed: u64) -> Vec<Variant> {
    let paths = Paths::of(base);
    let mut rng = Rng::new(seed);
    let mut out: Vec<Variant> = (0..n_json)
        .map(|i| json_variant(base, &paths, &mut rng, i))
        .collect();
    out.extend((0..n_csv).map(|i| csv_variant(csv, &mut rng, i)));
    out
}

/// Runs all variants on two threads and fails with every problem found.
fn sweep(thin: usize, n_json: usize, n_csv: usize, depth: Depth, name: &str) {
    let root = scratch(name);
    let base = base_json(thin);
    let csv = base_csv(&base, &root);
    let vs = variants(&base, &csv, n_json, n_csv, 0x15_5eed);
    let start = Instant::now();
    let results: Vec<(Vec<String>, bool)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (vs, root) = (&vs, &root);
                s.spawn(move || {
                    (w..vs.len())
                        .step_by(2)
                        .map(|k| (k, check_variant(&vs[k], k, root, depth)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut r: Vec<_> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        r.sort_by_key(|(k, _)| *k);
        r.into_iter().map(|(_, x)| x).collect()
    });
    let accepted = results.iter().filter(|(_, a)| *a).count();
    let problems: Vec<&String> = results.iter().flat_map(|(b, _)| b).collect();
    eprintln!(
        "mutation sweep {name}: {} variants ({} accepted by validate) in {:.1?}, {} problems",
        vs.len(),
        accepted,
        start.elapsed(),
        problems.len(),
    );
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems
            .iter()
            .take(40)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn sweep_ci() {
    // GW_SWEEP_SCALE=n multiplies the number of variants (default 1).
    let k: usize = std::env::var("GW_SWEEP_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    sweep(10, 160 * k, 80 * k, Depth::Ci, "ci");
}

#[test]
#[ignore = "long: ~600 variants of the full seed course through all commands"]
fn sweep_full() {
    sweep(1, 400, 200, Depth::Full, "full");
}

/// A variant of the full seed course with one JSON edit.
fn seed_with(edit: impl FnOnce(&mut Value)) -> Variant {
    let mut v = base_json(1);
    edit(&mut v);
    Variant {
        name: "edited seed".into(),
        ext: "json",
        bytes: serde_json::to_string_pretty(&v).unwrap().into_bytes(),
    }
}

fn assert_clean(v: &Variant, name: &str) {
    let root = scratch(name);
    let (bad, _) = check_variant(v, 0, &root, Depth::Full);
    let _ = std::fs::remove_dir_all(&root);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn first_event<'a>(v: &'a mut Value, kind: &str) -> &'a mut Value {
    v["events"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["kind"] == kind)
        .unwrap()
}

fn first_obs<'a>(v: &'a mut Value, kind: &str) -> &'a mut Value {
    v["observations"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["kind"] == kind)
        .unwrap()
}

/// Issue 15 (fixed with the DLI dose limits of issue 11 §4):
/// a DLI dose of 0 or 1e308 made `decide` and `report` spin forever; now
/// rejected at validation (exit 2), never a hang.
#[test]
fn dli_dose_0_or_huge_is_rejected_not_a_hang() {
    for dose in [0.0, 1e308] {
        let v = seed_with(|v| first_event(v, "dli")["cd3_per_kg"] = serde_json::json!(dose));
        assert_clean(&v, "dli-dose");
    }
}

/// Issue 15: one haemoglobin of 1e10 g/dL made `report` allocate 8 GB.
#[test]
fn huge_haemoglobin_keeps_every_command_bounded() {
    for value in [1e10, 1e8, 150_000.0, -5.0] {
        let v = seed_with(|v| first_obs(v, "hemoglobin")["value"] = serde_json::json!(value));
        assert_clean(&v, "hb");
    }
}

/// Issue 15: counts of 1e300 grew `report` past 10 GB.
#[test]
fn huge_counts_keep_every_command_bounded() {
    for kind in [
        "platelets",
        "wbc",
        "anc",
        "alc",
        "crp",
        "bilirubin",
        "creatinine",
    ] {
        let v = seed_with(|v| first_obs(v, kind)["value"] = serde_json::json!(1e300));
        assert_clean(&v, kind);
    }
}

/// Issue 15 "Messages": type errors say what the field expects in words
/// ("a whole number from 0 to …", "a course document: a JSON object …"),
/// never serde's Rust type names ("expected struct Course", "expected u32").
#[test]
fn no_serde_internals_in_course_messages() {
    let root = scratch("serde");
    let logs = root.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let mut seed = base_json(10);
    let units = seed["events"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e.get("units").is_some())
        .map(|e| e["units"] = serde_json::json!(-1))
        .is_some();
    assert!(units, "the seed course has an event with units");
    let cases: [(&str, Vec<u8>); 3] = [
        ("null", b"null".to_vec()),
        (
            "bool observation",
            br#"{"format":"graftwatch-course/1","observations":[true]}"#.to_vec(),
        ),
        ("negative units", serde_json::to_vec(&seed).unwrap()),
    ];
    for (what, bytes) in cases {
        let f = root.join("c.json");
        std::fs::write(&f, bytes).unwrap();
        let r = run(
            &["course".as_ref(), "validate".as_ref(), f.as_os_str()],
            &logs,
        );
        assert_eq!(r.code, Some(2), "{what}");
        assert_eq!(serde_lines(&r), 0, "{what}: {}", r.stderr);
    }
    let _ = std::fs::remove_dir_all(&root);
}

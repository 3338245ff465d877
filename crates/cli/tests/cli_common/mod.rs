//! Shared helpers of the `graftwatch` CLI tests (included with
//! `mod cli_common;`): the workspace root, output as text, the STR
//! example's reference arguments and the exit-2 checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

/// The workspace root (the examples' paths are relative to it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Output bytes as text (invalid UTF-8 replaced).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `--recipient` and `--donor` arguments of the STR example
/// (`examples/str/references.txt`): recipient `R-pre`, donors `UCB-1` and
/// `PBSC-1`.
pub const STR_REFS: [&str; 6] = [
    "--recipient",
    "R=examples/str/references.txt:R-pre",
    "--donor",
    "UCB-1=examples/str/references.txt:UCB-1",
    "--donor",
    "PBSC-1=examples/str/references.txt:PBSC-1",
];

/// `chimerism str` with the STR example's references and one `--sample`
/// (a `NAME=FILE:SAMPLE[:LINEAGE[:DATE]]` spec).
pub fn str_example(sample: &str) -> Vec<&str> {
    let mut args = vec!["chimerism", "str"];
    args.extend(STR_REFS);
    args.extend(["--sample", sample]);
    args
}

/// Asserts exit code 2 and that standard error contains every `needle`.
pub fn assert_exit_2(o: &Output, needles: &[&str]) {
    let e = text(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout {} stderr {e}",
        text(&o.stdout)
    );
    for n in needles {
        assert!(e.contains(n), "'{n}' not in: {e}");
    }
}

/// [`assert_exit_2`], and nothing written on standard output.
pub fn assert_bad(o: &Output, needles: &[&str]) {
    assert_exit_2(o, needles);
    assert!(o.stdout.is_empty(), "nothing on stdout on error");
}

/// Runs the `graftwatch` binary with `args` (in the test's directory).
pub fn run_gw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(args)
        .output()
        .expect("run graftwatch")
}

/// A fresh, empty temporary directory `PREFIX-PID-NAME` (a previous one of
/// that name is removed).
pub fn fresh_dir(prefix: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A fresh temporary directory `PREFIX-PID-K`, K counting the calls of this
/// test process.
pub fn numbered_dir(prefix: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    fresh_dir(prefix, &N.fetch_add(1, Ordering::SeqCst).to_string())
}

/// The names of the entries of `dir`, sorted.
pub fn sorted_listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Writes `name`, a course of patient `patient` (male, born 1970, AML
/// diagnosed 2023-01-01) with one matched unrelated donor `MUD-1` and the
/// given `events` and `observations`, in a fresh [`numbered_dir`].
pub fn write_course(
    prefix: &str,
    patient: &str,
    name: &str,
    events: Value,
    observations: Value,
) -> PathBuf {
    let f = numbered_dir(prefix).join(name);
    let doc = json!({
        "format": "graftwatch-course/1",
        "patient": {"id": patient, "sex": "male", "birth_year": 1970,
            "diagnosis": {"disease": "aml", "date": "2023-01-01"}},
        "donors": [{"id": "MUD-1", "relationship": "matched_unrelated", "sex": "male"}],
        "events": events,
        "observations": observations,
    });
    std::fs::write(&f, doc.to_string()).unwrap();
    f
}

/// `graftwatch grade FILE --format json EXTRA…`, asserting success: the
/// parsed JSON.
pub fn grade_json(f: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["grade", f.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = run_gw(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The `summary` entry of `grade --format json` output `g` for `item`.
pub fn summary_item<'a>(g: &'a Value, item: &str) -> &'a Value {
    g["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item)
        .unwrap_or_else(|| panic!("{item} missing"))
}

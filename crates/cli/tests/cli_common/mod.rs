//! Shared helpers of the `graftwatch` CLI tests (included with
//! `mod cli_common;`): the workspace root, output as text, the STR
//! example's reference arguments and the exit-2 checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

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

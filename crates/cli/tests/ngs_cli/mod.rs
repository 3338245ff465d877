//! Shared helpers of the `graftwatch chimerism ngs` CLI tests (included with
//! `mod ngs_cli;`).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A file of the simulated example in `examples/ngs/`.
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/ngs")
        .join(name)
}

/// A file of the real three-person mixture in `examples/ngs-real-3person/`
/// (as text: the tests put it into `--recipient NAME=FILE` arguments).
pub fn real(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/ngs-real-3person")
        .join(name)
        .display()
        .to_string()
}

/// `chimerism ngs` on the real three-person mixture's panel with its pure
/// samples as persons: F2 the recipient, M1 and M2 the donors (no sample yet).
pub fn real_persons_args() -> Vec<String> {
    let g = real("genotypes.vcf.gz");
    vec![
        "chimerism".into(),
        "ngs".into(),
        "--panel".into(),
        real("panel.vcf"),
        "--recipient".into(),
        format!("F2={g}"),
        "--donor".into(),
        format!("M1={g}"),
        "--donor".into(),
        format!("M2={g}"),
    ]
}

/// `chimerism ngs --panel` with the example's panel and the recipient and
/// donors `pbsc`, `ucb1`, each from `pileup` (no sample yet).
pub fn persons_args(panel: &Path, pileup: &Path) -> Vec<String> {
    let p = pileup.display().to_string();
    vec![
        "chimerism".into(),
        "ngs".into(),
        "--panel".into(),
        panel.display().to_string(),
        "--recipient".into(),
        format!("recipient={p}"),
        "--donor".into(),
        format!("pbsc={p}"),
        "--donor".into(),
        format!("ucb1={p}"),
    ]
}

/// Runs the `graftwatch` binary: (exit code, stdout, stderr).
pub fn gw<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(args)
        .output()
        .expect("run graftwatch");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `chimerism ngs` on the NGS example under the course's names: the panel,
/// the recipient and donors `PBSC-1` and `UCB-1` from `pileup.vcf`, and its
/// sample `day30` (CD3, 2026-02-01).
pub fn example_day30_args() -> Vec<String> {
    let p = example("pileup.vcf").display().to_string();
    vec![
        "chimerism".into(),
        "ngs".into(),
        "--panel".into(),
        example("panel.vcf").display().to_string(),
        "--recipient".into(),
        format!("recipient={p}:recipient"),
        "--donor".into(),
        format!("PBSC-1={p}:pbsc"),
        "--donor".into(),
        format!("UCB-1={p}:ucb1"),
        "--sample".into(),
        format!("day30={p}::cd3:2026-02-01"),
    ]
}

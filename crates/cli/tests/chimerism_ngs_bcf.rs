//! `graftwatch chimerism ngs` with BCF inputs (`NAME=FILE.bcf[:SAMPLE...]`):
//! the example VCFs in `examples/ngs/` converted at test time with
//! `bcftools view -Ob` / `-Ou` must give exactly the VCF's output; bad BCFs
//! exit 2 naming the file and write nothing.
//!
//! Needs bcftools (a missing tool fails the test with its name).

use std::path::{Path, PathBuf};
use std::process::Command;

mod cli_common;
mod ngs_cli;
use cli_common::fresh_dir;
use ngs_cli::{example, gw};

fn tmpdir(tag: &str) -> PathBuf {
    fresh_dir("gw-ngs-bcf", tag)
}

/// `bcftools view -O{mode} -o OUT VCF`.
fn bcftools_view(vcf: &Path, out: &Path, mode: &str) {
    let o = Command::new("bcftools")
        .args(["view", &format!("-O{mode}"), "-o"])
        .arg(out)
        .arg(vcf)
        .output()
        .unwrap_or_else(|e| panic!("bcftools: cannot run ({e}); is it installed?"));
    assert!(
        o.status.success(),
        "bcftools view: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The command line: persons from `persons` (FILE or FILE:COLUMN per
/// person via `person_file`), samples day30 and day100 from `samples`
/// with explicit sample columns.
fn args(persons: &str, samples: &str, out: &str) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "chimerism".into(),
        "ngs".into(),
        "--panel".into(),
        example("panel.vcf").display().to_string(),
        "--recipient".into(),
        format!("recipient={persons}:recipient"),
        "--donor".into(),
        format!("pbsc={persons}"),
        "--donor".into(),
        format!("ucb1={persons}:"),
        "--sample".into(),
        format!("d30={samples}:day30:whole_blood:2026-03-01"),
        "--sample".into(),
        format!("day100={samples}::cd3"),
        "--format".into(),
        out.into(),
    ];
    a.extend(["--threads".into(), "1".into()]);
    a
}

fn run_ok(a: &[String]) -> String {
    let (code, out, err) = gw(a);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn bcf_inputs_give_the_vcf_result() {
    let d = tmpdir("same");
    let vcf = example("pileup.vcf");
    let v = vcf.display().to_string();
    let vcf_json = run_ok(&args(&v, &v, "json"));
    let vcf_tsv = run_ok(&args(&v, &v, "tsv"));
    assert!(vcf_tsv.lines().count() > 8);
    // `--format csv`: the same rows comma-separated (as `chimerism str`).
    let csv = run_ok(&args(&v, &v, "csv"));
    assert_eq!(csv.replace(',', "\t"), vcf_tsv);
    for mode in ["b", "u"] {
        let bcf = d.join(format!("pileup.{mode}.bcf"));
        bcftools_view(&vcf, &bcf, mode);
        let b = bcf.display().to_string();
        // Same numbers, flags and texts; only the file names differ.
        assert_eq!(run_ok(&args(&b, &b, "tsv")), vcf_tsv, "-O{mode}");
        assert_eq!(
            run_ok(&args(&b, &b, "json")).replace(&b, &v),
            vcf_json,
            "-O{mode}"
        );
        // Mixed: persons from the VCF, samples from the BCF.
        assert_eq!(run_ok(&args(&v, &b, "tsv")), vcf_tsv, "-O{mode} mixed");
    }
}

/// Persons given by GT only (a joint-called genotype file without AD):
/// the BCF gives the VCF's result, and GT is what was read.
#[test]
fn genotype_only_bcf_gives_the_genotype_vcf_result() {
    let d = tmpdir("gt");
    let gt = d.join("gt_only.vcf");
    let o = Command::new("bcftools")
        .args(["annotate", "-x", "FORMAT/AD,FORMAT/DP", "-Ov", "-o"])
        .arg(&gt)
        .arg(example("genotypes.vcf"))
        .output()
        .unwrap_or_else(|e| panic!("bcftools: cannot run ({e}); is it installed?"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let gt_bcf = d.join("gt_only.bcf");
    bcftools_view(&gt, &gt_bcf, "b");
    let pileup_bcf = d.join("pileup.bcf");
    bcftools_view(&example("pileup.vcf"), &pileup_bcf, "b");
    let (g, gb) = (gt.display().to_string(), gt_bcf.display().to_string());
    let p = example("pileup.vcf").display().to_string();
    let pb = pileup_bcf.display().to_string();
    let from_vcf = run_ok(&args(&g, &p, "json"));
    assert!(from_vcf.contains("recipient: GT from"), "{from_vcf}");
    assert_eq!(
        run_ok(&args(&gb, &pb, "json"))
            .replace(&gb, &g)
            .replace(&pb, &p),
        from_vcf
    );
}

#[test]
fn truncated_bcf_is_exit_2_naming_the_file() {
    let d = tmpdir("trunc");
    let bcf = d.join("pileup.bcf");
    bcftools_view(&example("pileup.vcf"), &bcf, "b");
    let bytes = std::fs::read(&bcf).unwrap();
    let cut = d.join("cut.bcf");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let c = cut.display().to_string();
    let html = d.join("out.html");
    let mut a = args(&bcf.display().to_string(), &c, "json");
    a.extend(["--html".into(), html.display().to_string()]);
    let (code, out, err) = gw(&a);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty() && !html.exists());
    assert!(err.contains(&c) && err.contains("truncated"), "{err}");
}

#[test]
fn wrong_bcf_sample_is_exit_2_naming_file_and_samples() {
    let d = tmpdir("sample");
    let bcf = d.join("pileup.bcf");
    bcftools_view(&example("pileup.vcf"), &bcf, "u");
    let b = bcf.display().to_string();
    let mut a = args(&b, &b, "tsv");
    a.extend(["--sample".into(), format!("x={b}:nobody")]);
    let (code, out, err) = gw(&a);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(&b) && err.contains("'nobody'") && err.contains("day30"),
        "{err}"
    );
}

//! End-to-end tests of `graftwatch chimerism ngs` on the simulated example
//! in `examples/ngs/` (recipient + haploidentical PBSC donor + cord unit).

use std::path::{Path, PathBuf};

mod cli_common;
mod ngs_cli;
use cli_common::fresh_dir;
use ngs_cli::{example, example_day30_args, gw, persons_args};

fn truth() -> Vec<(String, Vec<f64>)> {
    std::fs::read_to_string(example("truth.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut it = l.split('\t');
            let name = it.next().unwrap().to_string();
            (name, it.map(|x| x.parse::<f64>().unwrap()).collect())
        })
        .collect()
}

fn tmpdir(tag: &str) -> PathBuf {
    // Empty: a leftover of an earlier run with the same process id would
    // make `--html` refuse to replace its file.
    fresh_dir("gw-ngs-cli", tag)
}

#[test]
fn tsv_estimates_cover_the_truth() {
    let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    let p = example("pileup.vcf").display().to_string();
    for (s, _) in truth() {
        args.push("--sample".into());
        args.push(format!("{s}={p}::whole_blood:2026-03-01"));
    }
    args.extend([
        "--format".into(),
        "tsv".into(),
        "--threads".into(),
        "2".into(),
    ]);
    let (code, out, err) = gw(&args);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("sample\tlineage\tdate\tperson"));
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("sample\t")).count(),
        1,
        "one header line"
    );
    let mut checked = 0;
    for (s, f) in truth() {
        for (k, person) in ["recipient", "pbsc", "ucb1"].iter().enumerate() {
            let row: Vec<&str> = lines
                .iter()
                .find(|l| l.starts_with(&format!("{s}\t")) && l.split('\t').nth(3) == Some(person))
                .unwrap()
                .split('\t')
                .collect();
            let est: f64 = row[5].parse().unwrap();
            assert!(
                (est - 100.0 * f[k]).abs() < 1.0,
                "{s} {person}: {est} vs {}",
                100.0 * f[k]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

#[test]
fn missing_vcf_sample_is_exit_2_naming_file_and_sample() {
    let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    args.extend([
        "--sample".into(),
        format!("x={}:nobody", example("pileup.vcf").display()),
    ]);
    let (code, out, err) = gw(&args);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("pileup.vcf") && err.contains("'nobody'") && err.contains("day30"),
        "{err}"
    );
}

/// A donor typed from the recipient's own sample is refused naming both
/// (as STR does), not blamed on the post-transplant sample.
#[test]
fn donor_identical_to_the_recipient_is_exit_2_naming_both() {
    let v = example("pileup.vcf").display().to_string();
    let args: Vec<String> = [
        "chimerism",
        "ngs",
        "--panel",
        &example("panel.vcf").display().to_string(),
        "--recipient",
        &format!("recipient={v}"),
        "--donor",
        &format!("d1={v}:recipient"),
        "--sample",
        &format!("d={v}:day30"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (code, out, err) = gw(&args);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(
            "the recipient 'recipient' and donor 'd1' have identical genotypes at all 72 markers"
        ),
        "{err}"
    );
}

/// `chimerism ngs` on the example with the given people (NAME=COLUMN of
/// pileup.vcf) and extra arguments; the sample is day30.
fn identity_call(people: &[(&str, &str)], extra: &[&str]) -> (i32, String, String) {
    identity_call_on(people, "", extra)
}

/// [`identity_call`] with `:LINEAGE:DATE` after the day30 sample.
fn identity_call_on(
    people: &[(&str, &str)],
    sample_suffix: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let v = example("pileup.vcf").display().to_string();
    let mut args: Vec<String> = vec![
        "chimerism".into(),
        "ngs".into(),
        "--panel".into(),
        example("panel.vcf").display().to_string(),
    ];
    for (i, (name, column)) in people.iter().enumerate() {
        args.push(if i == 0 { "--recipient" } else { "--donor" }.into());
        args.push(format!("{name}={v}:{column}"));
    }
    args.push("--sample".into());
    args.push(format!("day30={v}:day30{sample_suffix}"));
    args.extend(extra.iter().map(|s| s.to_string()));
    gw(&args)
}

/// Issue 13, identity checks (the rule of `chimerism str`): a donor
/// declared `--syngeneic` whose genotypes equal the recipient's gives
/// "chimerism not informative" with the reason, exit 0, and `--add-to`
/// records nothing; without the declaration it is an error (above).
#[test]
fn a_declared_twin_is_not_informative_not_an_error() {
    let twin = [("recipient", "recipient"), ("TW", "recipient")];
    let (code, out, err) = identity_call(&twin, &["--syngeneic", "TW"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Sample 'day30': no estimate")
            && out.contains("refused [NGS-NOT-INFORMATIVE]: chimerism not informative: donor TW is declared syngeneic (identical twin) and the genotypes of TW and the recipient are identical at all 72 markers typed in both"),
        "{out}"
    );
    assert!(!out.contains("=== Patient"), "{out}");
    // JSON: the refusal, no estimate.
    let (code, out, _) = identity_call(&twin, &["--syngeneic", "tw", "--format", "json"]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["refused"][0]["code"], "NGS-NOT-INFORMATIVE", "{j}");
    assert_eq!(j["refused"][0]["samples"][0], "day30");
    assert!(j["refused"][0]["patient"].is_null());
    assert_eq!(j["analyses"].as_array().map(Vec::len), Some(0));
    // --add-to: the course is left as it is.
    let d = tmpdir("twin-add-to");
    let course = d.join("course.json");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    std::fs::copy(&seed, &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let twin_pbsc = [("recipient", "recipient"), ("PBSC-1", "recipient")];
    let add_to = course.display().to_string();
    let (code, _, err) = identity_call_on(
        &twin_pbsc,
        ":whole_blood:2024-06-01",
        &["--syngeneic", "PBSC-1", "--add-to", &add_to],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("nothing was added to") && err.contains("chimerism not informative"),
        "{err}"
    );
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
}

/// A donor declared syngeneic that differs from the recipient is analysed
/// as a distinct person, with a warning; `--syngeneic` must name a donor.
#[test]
fn a_declared_twin_that_differs_is_analysed_with_a_warning() {
    let people = [
        ("recipient", "recipient"),
        ("pbsc", "pbsc"),
        ("ucb1", "ucb1"),
    ];
    let (code, out, err) = identity_call(&people, &["--syngeneic", "pbsc"]);
    assert_eq!(code, 0, "{err}");
    let warning = "donor pbsc is declared syngeneic but differs from the recipient at";
    assert!(err.contains(warning), "{err}");
    assert!(out.contains(&format!("warning: {warning}")), "{out}");
    assert!(out.contains("recipient") && out.contains("95% CI"), "{out}");
    let (code, out, err) = identity_call(&people, &["--syngeneic", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("--syngeneic nope: no donor named 'nope' in this call (donors: pbsc, ucb1)"),
        "{err}"
    );
}

/// Two identical donors are an error naming both; `--allow-identical`
/// reports their combined share without a split, with a warning; a donor
/// identical to the recipient is then "not informative".
#[test]
fn identical_donors_are_an_error_unless_allowed() {
    let people = [
        ("recipient", "recipient"),
        ("A", "pbsc"),
        ("B", "pbsc"),
        ("C", "ucb1"),
    ];
    let (code, out, err) = identity_call(&people, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("donors 'A' and 'B' have identical genotypes at all 72 markers typed in both: they cannot be told apart"),
        "{err}"
    );
    let (code, out, err) = identity_call(&people, &["--allow-identical"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("donors A and B have identical genotypes at all 72 markers typed in both: their combined share is reported, without a split"),
        "{err}"
    );
    assert!(out.contains("not split") && out.contains("A+B"), "{out}");
    let twin = [("recipient", "recipient"), ("D", "recipient")];
    let (code, out, err) = identity_call(&twin, &["--allow-identical"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("chimerism not informative: donor D and the recipient have identical genotypes at all 72 markers"),
        "{out}"
    );
}

#[test]
fn bad_panel_is_exit_2_naming_line_and_nothing_written() {
    let d = tmpdir("badpanel");
    let panel = d.join("panel.vcf");
    std::fs::write(&panel, "#CHROM\tPOS\tID\tREF\tALT\nchr1\t10\tm1\tA\tG,T\n").unwrap();
    let html = d.join("out.html");
    let mut args = persons_args(&panel, &example("pileup.vcf"));
    args.extend([
        "--sample".into(),
        format!("day30={}", example("pileup.vcf").display()),
        "--html".into(),
        html.display().to_string(),
    ]);
    let (code, _, err) = gw(&args);
    assert_eq!(code, 2);
    assert!(
        err.contains("panel.vcf:2") && err.contains("multi-allelic"),
        "{err}"
    );
    assert!(!html.exists());
}

#[test]
fn html_is_self_contained_with_marker_plot() {
    let d = tmpdir("html");
    let html = d.join("ngs.html");
    let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    args.extend([
        "--sample".into(),
        format!("day100={}::cd3", example("pileup.vcf").display()),
        "--html".into(),
        html.display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    let (code, out, err) = gw(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["samples"][0]["lineage"], "cd3");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<svg")
            && page.contains("<circle")
            && !page.contains("http://cdn")
            && !page.contains("<script src")
    );
}

#[test]
fn add_to_course_appends_ngs_observations_and_checks_donor_names() {
    let d = tmpdir("course");
    let course = d.join("course.json");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    std::fs::copy(&seed, &course).unwrap();
    let before = std::fs::read_to_string(&course).unwrap();
    // Donor names that are not course donors: exit 2, course untouched.
    let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    args.extend([
        "--sample".into(),
        format!("day30={}::cd3:2026-02-01", example("pileup.vcf").display()),
        "--add-to".into(),
        course.display().to_string(),
    ]);
    let (code, _, err) = gw(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a donor of this course"), "{err}");
    assert_eq!(std::fs::read_to_string(&course).unwrap(), before);
    // Named after the course's donors: appended.
    let p = example("pileup.vcf").display().to_string();
    let mut args = example_day30_args();
    args.extend([
        "--add-to".into(),
        course.display().to_string(),
        "--format".into(),
        "tsv".into(),
    ]);
    let (code, _, err) = gw(&args);
    assert_eq!(code, 0, "{err}");
    // Review-lab item 12: it says what it recorded.
    assert!(
        err.contains(&format!(
            "added 3 chimerism results to {} (sample day30, date ",
            course.display()
        )),
        "{err}"
    );
    let after = std::fs::read_to_string(&course).unwrap();
    assert_eq!(
        after.matches("\"ngs\"").count(),
        before.matches("\"ngs\"").count() + 3
    );
    // A sample without a date cannot be added.
    let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    args.extend([
        "--sample".into(),
        format!("day30={p}"),
        "--add-to".into(),
        course.display().to_string(),
    ]);
    let (code, _, err) = gw(&args);
    assert_eq!(code, 2);
    assert!(err.contains("needs a date"), "{err}");
}

/// FASTQ input without `--reference` is an input error (exit 2) naming the
/// option. (FASTQ, BAM and VCF estimates with 1–3 donors are checked end to
/// end in `chimerism_ngs_inputs.rs`.)
#[test]
fn fastq_input_without_reference_is_exit_2() {
    let d = tmpdir("fastq-noref");
    let fq = d.join("r.fq");
    std::fs::write(&fq, "@r1\nACGT\n+\nIIII\n").unwrap();
    let f = fq.display().to_string();
    let (code, out, err) = gw(&[
        "chimerism",
        "ngs",
        "--panel",
        &example("panel.vcf").display().to_string(),
        "--recipient",
        &format!("recipient={f}"),
        "--donor",
        &format!("pbsc={f}"),
        "--sample",
        &format!("mix={f}"),
        "--format",
        "tsv",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--reference"), "{err}");
    assert!(out.is_empty(), "{out}");
}

/// A sample without recipient DNA (the pure PBSC column): `NGS-LOD` appears
/// when the sample's recipient LoD is above `--lod-target`, and not when the
/// target is above the LoD or the check is off (`--lod-target 0`).
#[test]
fn lod_target_flags_negative_results_that_are_not_sensitive_enough() {
    let p = example("pileup.vcf").display().to_string();
    let run = |target: &str| -> (String, f64) {
        let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
        args.extend([
            "--sample".into(),
            format!("neg={p}:pbsc"),
            "--format".into(),
            "tsv".into(),
            "--lod-target".into(),
            target.into(),
        ]);
        let (code, out, err) = gw(&args);
        assert_eq!(code, 0, "{err}");
        let row: Vec<String> = out
            .lines()
            .find(|l| l.split('\t').nth(3) == Some("recipient"))
            .expect("recipient row")
            .split('\t')
            .map(String::from)
            .collect();
        assert_eq!(row[14], "false", "recipient not detected in a pure donor");
        (row[15].clone(), row[10].parse().expect("lod"))
    };
    let (flags, lod) = run("0.1");
    assert!(lod > 0.0);
    // Just below and just above this sample's LoD (percent, as printed).
    let (below, _) = run(&format!("{}", lod * 0.99));
    let (above, _) = run(&format!("{}", lod * 1.01));
    assert!(below.contains("NGS-LOD"), "{below}");
    assert!(!above.contains("NGS-LOD"), "{above}");
    assert_eq!(
        flags.contains("NGS-LOD"),
        lod > 0.1,
        "{flags} at LoD {lod}%"
    );
    let (off, _) = run("0");
    assert!(!off.contains("NGS-LOD"), "{off}");
}

/// `--lod-target` outside 0–100 or not a number: exit 2 naming the option;
/// values at the ends of the range are accepted.
#[test]
fn bad_lod_target_is_exit_2() {
    let p = example("pileup.vcf").display().to_string();
    let run = |target: &str| {
        let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
        args.extend([
            "--sample".into(),
            format!("neg={p}:pbsc"),
            format!("--lod-target={target}"),
        ]);
        gw(&args)
    };
    for bad in ["-0.1", "100", "abc", "NaN"] {
        let (code, out, err) = run(bad);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("--lod-target"), "{bad}: {err}");
        assert!(out.is_empty(), "{bad}: {out}");
    }
    for ok in ["0", "99.9"] {
        let (code, _, err) = run(ok);
        assert_eq!(code, 0, "{ok}: {err}");
    }
}

/// A share below the detection limit is not printed as a number (CLSI
/// EP17, the rule shared with `chimerism str`): in a pure-donor sample the
/// recipient and the absent cord unit read `< LoD` in the table's percent
/// column, the CSV's `reported_percent` and the HTML, while the estimate
/// stays in the CSV's `percent`; a sample with recipient DNA keeps its
/// numbers.
#[test]
fn a_person_not_detected_is_reported_below_the_lod_not_as_a_number() {
    let d = tmpdir("below-lod");
    let html = d.join("ngs.html");
    let p = example("pileup.vcf").display().to_string();
    let mut args = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    args.extend([
        "--sample".into(),
        format!("neg={p}:pbsc"),
        "--sample".into(),
        format!("day30={p}"),
    ]);
    let run = |extra: &[&str]| -> String {
        let mut a = args.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        let (code, out, err) = gw(&a);
        assert_eq!(code, 0, "{err}");
        out
    };

    // The table: a person's row in a sample's block.
    let table = run(&["--html", &html.display().to_string()]);
    let cell = |sample: &str, person: &str| -> String {
        let block = table
            .split("\nsample ")
            .find(|b| b.starts_with(&format!("{sample}:")))
            .unwrap_or_else(|| panic!("no sample {sample}: {table}"));
        let line = block
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{person} ")))
            .unwrap_or_else(|| panic!("no {person} in {block}"));
        line[2 + 16..2 + 16 + 10].trim().to_string()
    };
    for person in ["recipient", "ucb1"] {
        let c = cell("neg", person);
        assert!(
            c.starts_with("< 0."),
            "{person} in a pure donor: {c}\n{table}"
        );
    }
    for (sample, person) in [("neg", "pbsc"), ("day30", "recipient"), ("day30", "ucb1")] {
        let c = cell(sample, person);
        assert!(c.parse::<f64>().is_ok(), "{sample} {person}: {c}\n{table}");
    }

    // The CSV: `reported_percent` next to the estimate, which stays.
    let csv = run(&["--format", "csv"]);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (person, percent, reported, lod) = (
        col("person"),
        col("percent"),
        col("reported_percent"),
        col("lod"),
    );
    assert_eq!(reported, percent + 1, "{csv}");
    let row = |sample: &str, who: &str| -> Vec<String> {
        csv.lines()
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
            .find(|c| c[0] == sample && c[person] == who)
            .unwrap_or_else(|| panic!("no {sample} {who}: {csv}"))
    };
    let r = row("neg", "recipient");
    assert!(r[percent].parse::<f64>().is_ok(), "{csv}");
    assert_eq!(r[reported], format!("<{}", r[lod]), "{csv}");
    let r = row("day30", "recipient");
    assert_eq!(r[reported], r[percent], "{csv}");
    assert!(r[percent].parse::<f64>().unwrap() > 20.0, "{csv}");

    // The HTML page.
    let page = std::fs::read_to_string(&html).unwrap();
    let neg = page
        .split("<section")
        .find(|s| s.contains("<h2>neg"))
        .expect("neg section");
    assert!(neg.contains("<tr><td>recipient</td><td>&lt; 0."), "{neg}");
    let day30 = page
        .split("<section")
        .find(|s| s.contains("<h2>day30"))
        .expect("day30 section");
    assert!(!day30.contains("&lt; 0."), "{day30}");

    // One call everywhere: the presence line says the call the share
    // follows, and the TSV's per-person `detected` column agrees with it.
    let block = |sample: &str| -> String {
        table
            .split("\nsample ")
            .find(|b| b.starts_with(&format!("{sample}:")))
            .unwrap()
            .to_string()
    };
    let presence = |sample: &str| -> String {
        block(sample)
            .lines()
            .find(|l| l.trim_start().starts_with("recipient presence test:"))
            .unwrap_or_else(|| panic!("no presence line in {}", block(sample)))
            .to_string()
    };
    assert!(
        presence("neg").ends_with(": recipient not detected"),
        "{}",
        presence("neg")
    );
    assert!(
        presence("day30").ends_with(": recipient detected (presence test positive)"),
        "{}",
        presence("day30")
    );
    assert!(neg.contains("recipient not detected"), "{neg}");
    let tsv = run(&["--format", "tsv"]);
    let header: Vec<&str> = tsv.lines().next().unwrap().split('\t').collect();
    let det = header.iter().position(|h| *h == "detected").unwrap();
    // The call's column, 17th; the run-sheet columns follow it (item 9).
    assert_eq!(det, 16, "{tsv}");
    let detected = |sample: &str, who: &str| -> String {
        tsv.lines()
            .map(|l| l.split('\t').map(String::from).collect::<Vec<_>>())
            .find(|c| c[0] == sample && c[3] == who)
            .unwrap()[det]
            .clone()
    };
    assert_eq!(detected("neg", "recipient"), "false");
    assert_eq!(detected("neg", "pbsc"), "true");
    assert_eq!(detected("day30", "recipient"), "true");

    // Review-lab L: `presence_p` is a decimal from 0.001 up and `<0.001`
    // below, never an exponent (`2.959e-1`, `0.000e0`).
    let pcol = header.iter().position(|h| *h == "presence_p").unwrap();
    for l in tsv.lines().skip(1) {
        let c: Vec<&str> = l.split('\t').collect();
        let p = c[pcol];
        assert!(
            p.is_empty()
                || p == "<0.001"
                || (!p.contains('e') && p.parse::<f64>().unwrap() >= 0.001),
            "presence_p '{p}' in {l}"
        );
    }

    // Review-lab M1: the JSON gives each person's share as reported and
    // the call, so a LIMS reading it cannot show the estimate of a person
    // not detected as a result.
    let json: serde_json::Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
    let neg = json["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sample"] == "neg")
        .unwrap();
    let rec = &neg["reported"][0];
    assert_eq!(
        (rec["person"].as_str(), rec["detected"].as_bool()),
        (Some("recipient"), Some(false)),
        "{neg}"
    );
    assert_eq!(
        rec["reported_percent"].as_str().unwrap(),
        format!("< {}", &row("neg", "recipient")[lod]),
        "{neg}"
    );
    assert!(neg.get("run_flags").is_none(), "{neg}");
}

/// Audit S1 (stop 36, L1): a foreign sample (a swapped tube: the cord
/// unit's DNA given as a sample of a recipient with one PBSC donor) is
/// flagged `NGS-ID` and read as ~60 % recipient. As for STR-NO-MATCH, the
/// report is written with the estimate and the flag, the command exits 2
/// naming the sample, and `--add-to` records nothing from the run.
#[test]
fn a_sample_with_an_unknown_contributor_is_reported_but_not_recorded() {
    let d = tmpdir("ngs-id");
    let course = d.join("course.json");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    std::fs::copy(&seed, &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let p = example("pileup.vcf").display().to_string();
    let base: Vec<String> = vec![
        "chimerism".into(),
        "ngs".into(),
        "--panel".into(),
        example("panel.vcf").display().to_string(),
        "--recipient".into(),
        format!("recipient={p}:recipient"),
        "--donor".into(),
        format!("PBSC-1={p}:pbsc"),
        "--sample".into(),
        format!("d30={p}:pbsc:whole_blood:2026-02-01"),
        "--sample".into(),
        format!("swap={p}:ucb1:whole_blood:2026-02-02"),
    ];
    for add_to in [true, false] {
        let mut args = base.clone();
        if add_to {
            args.extend(["--add-to".into(), course.display().to_string()]);
        }
        let (code, out, err) = gw(&args);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("1 of 2 samples refused (NGS-ID)")
                && err.contains("sample 'swap' (")
                && err.contains("(sample ucb1)")
                && !err.contains("sample 'd30'"),
            "{err}"
        );
        assert_eq!(
            err.contains("nothing was added to the course (--add-to)"),
            add_to,
            "{err}"
        );
        // The report is written in full: both samples, the swap's
        // estimate with its flag.
        assert!(
            out.contains("sample d30")
                && out.contains("sample swap")
                && out.contains("flag NGS-ID"),
            "{out}"
        );
        assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
    }
    // Without the swapped tube the same call records the run.
    let mut args = base[..base.len() - 2].to_vec();
    args.extend(["--add-to".into(), course.display().to_string()]);
    let (code, _, err) = gw(&args);
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(&course).unwrap(), before);
}

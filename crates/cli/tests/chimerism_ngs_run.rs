//! `graftwatch chimerism ngs` with several samples of one run: each
//! sample's allele bias is also learnt from the other samples (leave one
//! out) unless `--per-sample`, and every output says which was used; a
//! single sample is analysed exactly as before.

use std::path::Path;

mod cli_common;
mod ngs_cli;
use cli_common::fresh_dir;
use ngs_cli::{example, gw, persons_args, real, real_persons_args};

/// The example's references and `samples` (names of `truth.tsv`), then `extra`.
fn args(samples: &[&str], extra: &[&str]) -> Vec<String> {
    let p = example("pileup.vcf");
    let mut a = persons_args(&example("panel.vcf"), &p);
    for s in samples {
        a.push("--sample".into());
        a.push(format!("{}={}::whole_blood:2026-03-01", s, p.display()));
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn run_json(a: &[String]) -> serde_json::Value {
    let (code, out, err) = gw(a);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn sample_names() -> Vec<String> {
    std::fs::read_to_string(example("truth.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

/// A run of three from the real mixture (`examples/ngs-real-3person`):
/// the mixture itself and two copies at 1/2 and 1/3 of its reads (AD
/// divided, rounded down), as sample columns `full`, `half`, `third` of
/// one plain VCF written to `dir`.
fn real_run(dir: &Path) -> String {
    use std::io::Read;
    let mut text = String::new();
    graftwatch_genomics_io::gz_input::open_maybe_gzip(Path::new(&real("mixture.vcf.gz")))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("##") {
            out.push_str(line);
        } else if let Some(head) = line.strip_prefix("#CHROM") {
            let cols: Vec<&str> = head.split('\t').collect();
            out.push_str("#CHROM");
            out.push_str(&cols[..cols.len() - 1].join("\t"));
            out.push_str("\tfull\thalf\tthird");
        } else {
            let cols: Vec<&str> = line.split('\t').collect();
            let keys: Vec<&str> = cols[8].split(':').collect();
            let ad = keys.iter().position(|k| *k == "AD").unwrap();
            let values: Vec<&str> = cols[9].split(':').collect();
            out.push_str(&cols[..8].join("\t"));
            out.push_str("\tAD");
            for div in [1u32, 2, 3] {
                let scaled: Vec<String> = values[ad]
                    .split(',')
                    .map(|c| {
                        c.parse::<u32>()
                            .map_or(".".into(), |c| (c / div).to_string())
                    })
                    .collect();
                out.push('\t');
                out.push_str(&scaled.join(","));
            }
        }
        out.push('\n');
    }
    let path = dir.join("run.vcf");
    std::fs::write(&path, out).unwrap();
    path.display().to_string()
}

fn real_run_args(run: &str, samples: &[&str], extra: &[&str]) -> Vec<String> {
    let mut a = real_persons_args();
    for s in samples {
        a.push("--sample".into());
        a.push(format!("{s}={run}"));
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// On a real run of three, each sample's allele bias is refined by the
/// other two (JSON, table and HTML say so), the estimates move but stay
/// within a point of the truth, and `--per-sample` gives each sample the
/// result of a call with that sample alone.
#[test]
fn a_run_learns_allele_bias_from_the_other_samples_and_says_so() {
    let d = fresh_dir("gw-ngs-run", "real");
    let vcf = real_run(&d);
    let names = ["full", "half", "third"];
    let html = d.join("run.html").display().to_string();
    let run = run_json(&real_run_args(
        &vcf,
        &names,
        &["--format", "json", "--html", &html],
    ));
    let per = run_json(&real_run_args(
        &vcf,
        &names,
        &["--format", "json", "--per-sample"],
    ));
    let text = "allele bias learnt from the references and 2 other samples of this run";
    let truth = [100.0 / 9.0, 300.0 / 9.0, 500.0 / 9.0];
    let mut moved = 0.0;
    for (i, name) in names.iter().enumerate() {
        let s = &run["samples"][i];
        assert_eq!(s["allele_bias"]["method"], "run", "{name}");
        assert_eq!(s["allele_bias"]["other_samples"], 2);
        assert_eq!(s["allele_bias"]["usable_others"], 2);
        assert_eq!(s["allele_bias"]["text"], text);
        let p = &per["samples"][i];
        assert_eq!(p["allele_bias"]["method"], "per_sample");
        let alone = run_json(&real_run_args(&vcf, &[name], &["--format", "json"]));
        assert!(alone["samples"][0].get("allele_bias").is_none());
        assert_eq!(p["result"], alone["samples"][0]["result"], "{name}");
        for (k, t) in truth.iter().enumerate() {
            let a = s["result"]["persons"][k]["percent"].as_f64().unwrap();
            let b = p["result"]["persons"][k]["percent"].as_f64().unwrap();
            println!("{name} person {k}: run {a:.3}%, per sample {b:.3}%, truth {t:.2}%");
            assert!((a - t).abs() <= 1.0, "{name} person {k}: {a} vs {t}");
            moved += (a - b).abs();
        }
    }
    assert!(moved > 0.0, "run-level learning changed nothing");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        page.matches(
            "<p>Allele bias learnt from the references and 2 other samples of this run.</p>"
        )
        .count(),
        3
    );
    let (code, table, err) = gw(&real_run_args(&vcf, &names, &[]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        table.matches(&format!("\n  {text}\n")).count(),
        3,
        "{table}"
    );
}

/// `--per-sample` gives each sample exactly the result of a call with that
/// sample alone (the behaviour before run-level learning), and says so.
#[test]
fn per_sample_reproduces_each_sample_analysed_alone() {
    let names = sample_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let per = run_json(&args(&names, &["--format", "json", "--per-sample"]));
    let run = run_json(&args(&names, &["--format", "json"]));
    // The example's references show no marker-specific allele bias: the
    // run-level call uses theirs as it is and says why.
    for s in run["samples"].as_array().unwrap() {
        assert_eq!(s["allele_bias"]["usable_others"], names.len() - 1);
        assert_eq!(s["allele_bias"]["other_samples"], 0);
        assert!(
            s["allele_bias"]["text"]
                .as_str()
                .unwrap()
                .starts_with("allele bias learnt from the references only: the 3 other samples of this run did not refine it")
        );
    }
    for (i, name) in names.iter().enumerate() {
        let s = &per["samples"][i];
        assert_eq!(s["allele_bias"]["method"], "per_sample");
        assert_eq!(
            s["allele_bias"]["text"],
            "allele bias learnt from the references only (each sample analysed alone)"
        );
        let alone = run_json(&args(&[name], &["--format", "json"]));
        assert_eq!(s["result"], alone["samples"][0]["result"], "{name}");
        assert_eq!(run["samples"][i]["result"], s["result"], "{name}");
    }
    let (code, table, err) = gw(&args(&names, &["--per-sample"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        table
            .matches("allele bias learnt from the references only (each sample analysed alone)")
            .count(),
        names.len()
    );
}

/// One sample: no allele-bias note anywhere, with or without
/// `--per-sample`, and the same bytes either way.
#[test]
fn a_single_sample_is_analysed_alone_with_no_note() {
    let names = sample_names();
    let one = [names[0].as_str()];
    for format in ["json", "table", "tsv"] {
        let (code, out, err) = gw(&args(&one, &["--format", format]));
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains("allele bias") && !out.contains("allele_bias"));
        let (_, per, _) = gw(&args(&one, &["--format", format, "--per-sample"]));
        assert_eq!(out, per, "{format}");
    }
    let d = fresh_dir("gw-ngs-run", "one-html");
    let html = d.join("one.html");
    let mut a = args(&one, &["--html"]);
    a.push(html.display().to_string());
    let (code, _, err) = gw(&a);
    assert_eq!(code, 0, "{err}");
    assert!(
        !std::fs::read_to_string(Path::new(&html))
            .unwrap()
            .contains("llele bias")
    );
}

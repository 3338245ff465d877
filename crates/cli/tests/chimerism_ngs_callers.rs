//! `graftwatch chimerism ngs` on mixture VCFs written the way other
//! callers write read counts: the real three-person mixture
//! (`examples/ngs-real-3person/mixture.vcf.gz`, bcftools FORMAT/AD)
//! rewritten field by field as freebayes writes it (RO and AO, no AD) and as
//! VarScan2 writes it (RD, and AD declared `Number=1` holding the ALT depth)
//! gives exactly the estimate of the AD original, and says which fields it
//! read.

mod ngs_cli;

use std::io::BufRead;
use std::path::PathBuf;

use ngs_cli::{gw, real, real_persons_args};

fn tmpdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-ngs-callers-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One record's ALT column and sample value as a caller would write them.
type Written = Vec<(String, String)>;

/// Rewrites one record from its ALT alleles and the sample's GT, DP and AD.
type Rewrite = dyn Fn(&[&str], &str, &str, &[&str]) -> Written;

/// The real mixture VCF with its FORMAT/AD definition replaced by `defs`
/// and each record rewritten by `rewrite` (from its ALT alleles and the
/// sample's GT, DP and AD values) into one or more records.
fn rewritten(name: &str, defs: &str, format: &str, rewrite: &Rewrite) -> String {
    let src =
        graftwatch_genomics_io::gz_input::open_maybe_gzip(real("mixture.vcf.gz").as_ref()).unwrap();
    let mut out = String::new();
    for line in src.lines() {
        let line = line.unwrap();
        if line.starts_with("##FORMAT=<ID=AD,") {
            out.push_str(defs);
        } else if line.starts_with('#') {
            out.push_str(&line);
            out.push('\n');
        } else {
            let mut f: Vec<String> = line.split('\t').map(String::from).collect();
            assert_eq!(f[8], "GT:PL:DP:AD", "{line}");
            let alts = f[4].clone();
            let alts: Vec<&str> = alts.split(',').collect();
            let v: Vec<String> = f[9].split(':').map(String::from).collect();
            let ad: Vec<&str> = v[3].split(',').collect();
            for (alt, sample) in rewrite(&alts, &v[0], &v[2], &ad) {
                f[4] = alt;
                f[8] = format.into();
                f[9] = sample;
                out.push_str(&f.join("\t"));
                out.push('\n');
            }
        }
    }
    let p = tmpdir().join(name);
    std::fs::write(&p, out).unwrap();
    p.display().to_string()
}

/// The JSON results of the real mixture from `mixture` (sample column
/// `1_3_5_F2-M1-M2`) and the stderr.
fn run(mixture: &str) -> (serde_json::Value, String) {
    let mut args = real_persons_args();
    args.extend([
        "--sample".into(),
        format!("mix={mixture}:1_3_5_F2-M1-M2"),
        "--format".into(),
        "json".into(),
    ]);
    let (code, out, err) = gw(&args);
    assert_eq!(code, 0, "{err}");
    (serde_json::from_str(&out).unwrap(), err)
}

/// Each person's percent and interval, and the per-marker details.
fn estimate(v: &serde_json::Value) -> (Vec<serde_json::Value>, serde_json::Value) {
    let r = &v["samples"][0]["result"];
    let persons = r["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| serde_json::json!([p["name"], p["percent"], p["ci_percent"]]))
        .collect();
    (persons, r["markers"].clone())
}

#[test]
fn freebayes_and_varscan2_mixtures_give_the_ad_estimate_exactly() {
    let (from_ad, err_ad) = run(&real("mixture.vcf.gz"));
    assert!(!err_ad.contains("note:"), "{err_ad}");
    let freebayes = rewritten(
        "mixture.freebayes.vcf",
        "##FORMAT=<ID=RO,Number=1,Type=Integer,Description=\"Reference allele observation count\">\n\
##FORMAT=<ID=AO,Number=A,Type=Integer,Description=\"Alternate allele observation count\">\n",
        "GT:DP:RO:AO",
        &|alts, gt, dp, ad| {
            vec![(
                alts.join(","),
                format!("{gt}:{dp}:{}:{}", ad[0], ad[1..].join(",")),
            )]
        },
    );
    // VarScan2 writes one ALT per record: the mixture's multi-ALT records
    // (three indel sites) become one record per ALT, as `bcftools norm -m-`
    // splits them (their other ALTs hold 0 reads, so nothing is lost).
    let varscan = rewritten(
        "mixture.varscan2.vcf",
        "##FORMAT=<ID=RD,Number=1,Type=Integer,Description=\"Depth of reference-supporting bases (reads1)\">\n\
##FORMAT=<ID=AD,Number=1,Type=Integer,Description=\"Depth of variant-supporting bases (reads2)\">\n",
        "GT:DP:RD:AD",
        &|alts, gt, dp, ad| {
            if ad.len() > 2 {
                assert!(ad[1..].iter().all(|n| *n == "0"), "{ad:?}");
            }
            let gt = if ad.len() > 2 { "./." } else { gt };
            alts.iter()
                .zip(&ad[1..])
                .map(|(a, n)| (a.to_string(), format!("{gt}:{dp}:{}:{n}", ad[0])))
                .collect()
        },
    );
    let want = estimate(&from_ad);
    assert_eq!(want.0.len(), 3);
    assert!(
        want.1.as_array().unwrap().len() > 1000,
        "per-marker details"
    );
    for (mixture, note) in [
        (&freebayes, "counts read from FORMAT/RO and AO (freebayes)"),
        (&varscan, "AD declared Number=1 as the ALT depth (VarScan2)"),
    ] {
        let (v, err) = run(mixture);
        let (persons, markers) = estimate(&v);
        assert_eq!(persons, want.0, "{mixture}");
        // Same estimate because the same counts: every marker's details.
        assert_eq!(markers, want.1, "{mixture}");
        let notes: Vec<&str> = err.lines().filter(|l| l.contains(note)).collect();
        assert_eq!(notes.len(), 1, "{mixture}: one note per file\n{err}");
        let json_notes = v["samples"][0]["input_notes"].to_string();
        assert!(json_notes.contains(note), "{json_notes}");
    }
}

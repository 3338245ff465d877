//! `graftwatch chimerism ngs` on real sequencing data (the public
//! three-person mixture in `examples/ngs-real-3person`) and on inputs that
//! must not be read silently: truncated VCFs, a mixture VCF without AD, an
//! empty FASTQ.

mod ngs_cli;
use std::io::Write;
use std::path::{Path, PathBuf};

use ngs_cli::{gw, real, real_persons_args};

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-ngs-int-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn real_args(mixture: &str) -> Vec<String> {
    let mut a = real_persons_args();
    a.push("--sample".into());
    a.push(format!("mix={mixture}:1_3_5_F2-M1-M2"));
    a
}

/// Nominal truth 11.11 / 33.33 / 55.56 %: every person within 1 point and
/// inside their 95% interval; dead indels and X markers are flagged.
#[test]
fn real_three_person_mixture_within_one_point() {
    let mut args = real_args(&real("mixture.vcf.gz"));
    args.extend(["--format".into(), "json".into()]);
    let (code, out, err) = gw(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "graftwatch-ngs/2");
    let r = &v["samples"][0]["result"];
    for (k, truth) in [100.0 / 9.0, 300.0 / 9.0, 500.0 / 9.0].iter().enumerate() {
        let p = &r["persons"][k];
        let est = p["percent"].as_f64().unwrap();
        let (lo, hi) = (
            p["ci_percent"]["low"].as_f64().unwrap(),
            p["ci_percent"]["high"].as_f64().unwrap(),
        );
        println!(
            "{}: {est:.2}% ({lo:.2}–{hi:.2}), truth {truth:.2}%",
            p["name"]
        );
        assert!((est - truth).abs() <= 1.0, "{} {est} vs {truth}", p["name"]);
        assert!(
            lo <= *truth && *truth <= hi,
            "{} CI {lo}–{hi} misses {truth}",
            p["name"]
        );
    }
    let codes: Vec<&str> = r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"NGS-INDELS") && codes.contains(&"NGS-SEX"),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"NGS-FIT") && !codes.contains(&"NGS-ID"),
        "{codes:?}"
    );
    // Every excluded marker carries its reason.
    for m in r["markers"].as_array().unwrap() {
        assert!(m["used"].as_bool().unwrap() || m["excluded"]["reason"].is_string());
    }
}

fn gunzip(path: &str) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    graftwatch_genomics_io::gz_input::open_maybe_gzip(Path::new(path))
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn truncated_mixture_vcf_is_exit_2_naming_file_and_last_record() {
    let d = tmpdir("trunc");
    let text = gunzip(&real("mixture.vcf.gz"));
    let cut = d.join("cut.vcf");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let (code, out, err) = gw(&real_args(&cut.display().to_string()));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("cut.vcf")
            && err.contains("truncated")
            && err.contains("last complete record chr"),
        "{err}"
    );
}

#[test]
fn mixture_vcf_without_ad_says_no_format_ad() {
    let d = tmpdir("noad");
    let text = String::from_utf8(gunzip(&real("mixture.vcf.gz"))).unwrap();
    let mut f = std::fs::File::create(d.join("noad.vcf")).unwrap();
    for line in text.lines() {
        if line.starts_with('#') {
            writeln!(f, "{line}").unwrap();
            continue;
        }
        let mut c: Vec<String> = line.split('\t').map(str::to_string).collect();
        c[8] = "GT".into();
        c[9] = c[9].split(':').next().unwrap().to_string();
        writeln!(f, "{}", c.join("\t")).unwrap();
    }
    drop(f);
    let (code, _, err) = gw(&real_args(&d.join("noad.vcf").display().to_string()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no FORMAT/AD") && err.contains("noad.vcf"),
        "{err}"
    );
}

/// An empty FASTQ given for a donor is named as the culprit (not the
/// mixture).
#[test]
fn empty_fastq_donor_is_named() {
    let d = tmpdir("fq");
    // A 1 kb contig with one SNP marker at 500.
    let mut seq = String::new();
    let bases = ['A', 'C', 'G', 'T'];
    let mut rng = graftwatch_core::SeededRng::new(12345);
    for _ in 0..1000 {
        seq.push(bases[rng.index(4)]);
    }
    let r = &seq[499..500];
    let a = if r == "A" { "G" } else { "A" };
    std::fs::write(d.join("ref.fa"), format!(">t1\n{seq}\n")).unwrap();
    std::fs::write(
        d.join("panel.vcf"),
        format!("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nt1\t500\tm1\t{r}\t{a}\t.\t.\t.\n"),
    )
    .unwrap();
    let read = &seq[440..560];
    let q = "I".repeat(read.len());
    let mut fq = String::new();
    for i in 0..50 {
        fq.push_str(&format!("@r{i}\n{read}\n+\n{q}\n"));
    }
    std::fs::write(d.join("rec.fq"), &fq).unwrap();
    std::fs::write(d.join("mix.fq"), &fq).unwrap();
    std::fs::write(d.join("empty.fq"), "").unwrap();
    let p = |n: &str| d.join(n).display().to_string();
    let args = [
        "chimerism".to_string(),
        "ngs".into(),
        "--panel".into(),
        p("panel.vcf"),
        "--reference".into(),
        p("ref.fa"),
        "--recipient".into(),
        format!("rec={}", p("rec.fq")),
        "--donor".into(),
        format!("don={}", p("empty.fq")),
        "--sample".into(),
        format!("s={}", p("mix.fq")),
    ];
    let (code, _, err) = gw(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty.fq") && !err.contains("mix.fq"), "{err}");
}

//! The same simulated samples through all three NGS input kinds — FASTQ
//! (alignment-free), BAM (aligned with bwa, sorted with samtools) and VCF
//! (`bcftools mpileup -a AD` on those BAMs) — must give the same answers
//! within their confidence intervals. Needs python3, bwa, samtools, bcftools,
//! bgzip and tabix (installed by scripts/test.sh).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cmd: &mut Command, what: &str) -> String {
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run ({e}); is the tool installed?"));
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// (person, percent, ci_low, ci_high) rows of the TSV output.
fn estimates(tsv: &str) -> Vec<(String, f64, f64, f64)> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let f = |i: usize| c.get(i).and_then(|v| v.parse::<f64>().ok());
            Some((c.get(3)?.to_string(), f(5)?, f(6)?, f(7)?))
        })
        .collect()
}

#[test]
fn fastq_bam_and_vcf_inputs_agree_within_their_intervals() {
    let d = std::env::temp_dir().join(format!("gw-ngs-inputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let sim = root().join("bench/ngs/simulate.py");
    let align = root().join("bench/ngs/align.sh");
    let names = ["rec", "pbsc", "cord", "mix"];
    for (name, fr) in names
        .iter()
        .zip(["1,0,0", "0,1,0", "0,0,1", "0.05,0.75,0.20"])
    {
        run(
            Command::new("python3").arg(&sim).arg(d.join(name)).args([
                "--fractions",
                fr,
                "--pairs",
                "8000",
                "--seed",
                "11",
            ]),
            "python3 bench/ngs/simulate.py",
        );
        run(
            Command::new("bash").arg(&align).arg(d.join(name)).arg("1"),
            "bench/ngs/align.sh",
        );
    }
    // One multi-sample AD pileup of the four BAMs, samples renamed.
    let mix = d.join("mix");
    let raw = d.join("raw.vcf");
    let mut mp = Command::new("bcftools");
    mp.current_dir(&mix).args([
        "mpileup",
        "-f",
        "ref.fa",
        "-T",
        "panel.vcf.gz",
        "-a",
        "AD",
        "-B",
        "-Q",
        "13",
        "-q",
        "0",
        "-d",
        "1000000",
        "-L",
        "1000000",
        "--ignore-RG",
        "--ff",
        "UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY",
        "-Ov",
        "-o",
    ]);
    mp.arg(&raw);
    for n in names {
        mp.arg(d.join(n).join("sample.bam"));
    }
    run(&mut mp, "bcftools mpileup");
    std::fs::write(d.join("names.txt"), names.join("\n") + "\n").unwrap();
    let vcf = d.join("pileup.vcf");
    run(
        Command::new("bcftools")
            .args(["reheader", "-s"])
            .arg(d.join("names.txt"))
            .arg("-o")
            .arg(&vcf)
            .arg(&raw),
        "bcftools reheader",
    );

    let panel = mix.join("panel.vcf").display().to_string();
    let reference = mix.join("ref.fa").display().to_string();
    let analyse = |input: &dyn Fn(&str) -> String| -> Vec<(String, f64, f64, f64)> {
        let mut c = Command::new(env!("CARGO_BIN_EXE_graftwatch"));
        c.args([
            "chimerism",
            "ngs",
            "--panel",
            &panel,
            "--reference",
            &reference,
        ])
        .arg("--recipient")
        .arg(format!("rec={}", input("rec")))
        .arg("--donor")
        .arg(format!("pbsc={}", input("pbsc")))
        .arg("--donor")
        .arg(format!("cord={}", input("cord")))
        .arg("--sample")
        .arg(format!("mix={}", input("mix")))
        .args(["--min-depth", "50", "--format", "tsv"]);
        estimates(&run(&mut c, "graftwatch chimerism ngs"))
    };
    let fastq = analyse(&|n| {
        format!(
            "{0}/{n}/sample_R1.fq.gz,{0}/{n}/sample_R2.fq.gz",
            d.display()
        )
    });
    let bam = analyse(&|n| format!("{}/{n}/sample.bam", d.display()));
    let vcf_in = analyse(&|n| format!("{}:{n}", vcf.display()));
    eprintln!("fastq {fastq:?}\nbam {bam:?}\nvcf {vcf_in:?}");

    let truth = [("rec", 5.0), ("pbsc", 75.0), ("cord", 20.0)];
    for (person, t) in truth {
        let pick = |rows: &[(String, f64, f64, f64)]| {
            rows.iter()
                .find(|r| r.0 == person)
                .cloned()
                .unwrap_or_else(|| panic!("no row for {person} in {rows:?}"))
        };
        let (f, b, v) = (pick(&fastq), pick(&bam), pick(&vcf_in));
        for (kind, r) in [("fastq", &f), ("bam", &b), ("vcf", &v)] {
            assert!(
                r.2 <= r.1 && r.1 <= r.3,
                "{kind} {person}: estimate outside its CI {r:?}"
            );
            assert!(
                (r.1 - t).abs() < 2.5,
                "{kind} {person}: {} vs truth {t}",
                r.1
            );
        }
        // Same answers within CI: every pair of intervals overlaps and each
        // estimate lies within 1.5 points of the others.
        for (x, y, names) in [
            (&f, &b, "fastq/bam"),
            (&f, &v, "fastq/vcf"),
            (&b, &v, "bam/vcf"),
        ] {
            assert!(
                x.2 <= y.3 && y.2 <= x.3,
                "{names} {person}: intervals do not overlap {x:?} vs {y:?}"
            );
            assert!((x.1 - y.1).abs() < 1.5, "{names} {person}: {x:?} vs {y:?}");
        }
    }
}

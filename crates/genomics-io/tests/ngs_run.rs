//! The one NGS run from files (`graftwatch_genomics_io::ngs_run`) on the
//! bundled example (examples/ngs: a 72-marker panel, pure samples of the
//! recipient and two donors with AD, post-transplant samples with the truth
//! in truth.tsv): references from AD and from GT, each sample estimated,
//! and the errors that name their input.

use std::path::{Path, PathBuf};

use graftwatch_genomics_io::ngs_run::{
    NgsInput, NgsRunError, NgsRunOptions, NgsSource, analyse_input, read_references,
};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/ngs")
        .join(name)
}

/// examples/ngs/genotypes.vcf with FORMAT reduced to GT (no read counts),
/// written once into the test's temporary directory.
fn gt_only() -> PathBuf {
    static P: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let text = std::fs::read_to_string(example("genotypes.vcf")).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            if line.starts_with('#') {
                if !line.starts_with("##FORMAT=<ID=") || line.contains("ID=GT,") {
                    out.push_str(line);
                    out.push('\n');
                }
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let mut row: Vec<&str> = f[..8].to_vec();
            row.push("GT");
            row.extend(f[9..].iter().map(|c| c.split(':').next().unwrap()));
            out.push_str(&row.join("\t"));
            out.push('\n');
        }
        let p = std::env::temp_dir().join(format!("gw-ngs-run-gt-{}.vcf", std::process::id()));
        std::fs::write(&p, out).unwrap();
        p
    })
    .clone()
}

fn vcf_at(path: PathBuf, name: &str, column: &str) -> NgsInput {
    NgsInput {
        name: name.into(),
        label: format!("{} ({column})", path.display()),
        source: NgsSource::Vcf {
            path,
            sample: column.into(),
        },
    }
}

fn vcf(file: &str, name: &str, column: &str) -> NgsInput {
    vcf_at(example(file), name, column)
}

fn persons_at(path: PathBuf) -> Vec<NgsInput> {
    vec![
        vcf_at(path.clone(), "recipient", "recipient"),
        vcf_at(path.clone(), "PBSC-1", "pbsc"),
        vcf_at(path, "UCB-1", "ucb1"),
    ]
}

fn persons(file: &str) -> Vec<NgsInput> {
    persons_at(example(file))
}

fn percent(r: &graftwatch_chimerism::ngs::NgsSampleResult, who: &str) -> f64 {
    100.0
        * r.persons
            .iter()
            .find(|p| p.name == who)
            .and_then(|p| p.fraction)
            .unwrap()
            .get()
}

#[test]
fn day100_is_estimated_from_reads_and_from_genotypes() {
    let opts = NgsRunOptions::default();
    for (file, path) in [
        ("pileup.vcf", example("pileup.vcf")),
        ("GT only", gt_only()),
    ] {
        let refs = read_references(&example("panel.vcf"), &persons_at(path), &opts).unwrap();
        assert_eq!(refs.markers.len(), 72);
        assert_eq!(refs.persons.len(), 3);
        assert_eq!(refs.genotype_sources.len(), 3);
        let r = analyse_input(&refs, &vcf("pileup.vcf", "day100", "day100"), &opts, 1).unwrap();
        // truth.tsv: recipient 1 %, PBSC 9.9 %, cord 89.1 %.
        assert!((percent(&r, "recipient") - 1.0).abs() < 0.6, "{file}");
        assert!((percent(&r, "PBSC-1") - 9.9).abs() < 3.0, "{file}");
        assert!((percent(&r, "UCB-1") - 89.1).abs() < 3.0, "{file}");
    }
    let refs = read_references(&example("panel.vcf"), &persons("pileup.vcf"), &opts).unwrap();
    assert!(refs.genotype_sources[0].contains("called from read counts"));
    let refs = read_references(&example("panel.vcf"), &persons_at(gt_only()), &opts).unwrap();
    assert!(
        refs.genotype_sources[0].contains("GT from"),
        "{:?}",
        refs.genotype_sources
    );
}

#[test]
fn errors_name_the_input() {
    let opts = NgsRunOptions::default();
    let e = read_references(&example("panel.vcf"), &persons("pileup.vcf")[..1], &opts).unwrap_err();
    assert!(matches!(e, NgsRunError::TooFewPersons(1)), "{e}");
    let mut wrong = persons("pileup.vcf");
    wrong[1] = vcf("pileup.vcf", "PBSC-1", "nobody");
    let e = read_references(&example("panel.vcf"), &wrong, &opts).unwrap_err();
    assert!(e.to_string().contains("nobody"), "{e}");
    assert!(!e.is_internal());
    let refs = read_references(&example("panel.vcf"), &persons("pileup.vcf"), &opts).unwrap();
    let fastq = NgsInput {
        name: "day100".into(),
        source: NgsSource::Fastq {
            paths: vec![example("day100.fq.gz")],
        },
        label: "day100.fq.gz".into(),
    };
    let e = analyse_input(&refs, &fastq, &opts, 1).unwrap_err();
    assert!(
        e.to_string().contains("FASTQ input needs --reference"),
        "{e}"
    );
}

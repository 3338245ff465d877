//! The fuzz corpora of the VCF/BCF readers (`fuzz/corpus/vcf_ad`,
//! `bcf_ad`, `panel_vcf`) run through the readers exactly as the fuzz
//! targets call them (`fuzz/fuzz_targets/{vcf_ad,bcf_ad,panel_vcf}.rs`),
//! on every test run: the seed files, which are real reader outputs
//! (bcftools mpileup/call, the example panel), must read without error and
//! give the same answer in every encoding (VCF and its BCF forms); every
//! truncation and every byte flip of them must give a result or an error,
//! never a panic.

use std::path::{Path, PathBuf};

use graftwatch_chimerism::Marker;
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{read_vcf_ad, read_vcf_gt, vcf_samples};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus(name: &str) -> Vec<PathBuf> {
    let dir = root().join("fuzz/corpus").join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

fn markers() -> Vec<Marker> {
    read_panel(&root().join("examples/ngs/panel.vcf")).expect("the example panel reads")
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-corpora-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// What the fuzz target does with one input; `Ok` = every sample read.
fn run_target(p: &Path, m: &[Marker]) -> Result<usize, String> {
    let samples = vcf_samples(p).map_err(|e| e.to_string())?;
    let mut found = 0;
    for s in &samples {
        let ad = read_vcf_ad(p, s, m).map_err(|e| e.to_string())?;
        read_vcf_gt(p, s, m).map_err(|e| e.to_string())?;
        found += ad.iter().flatten().count();
    }
    Ok(found)
}

/// Cuts at every 97th byte and flips every 61st byte of `bytes` (about 400
/// inputs per 13 kB seed, so that the test stays fast in a debug build),
/// through `run` (a panic fails the test). The fuzz campaigns do the
/// exhaustive search.
fn mutate(bytes: &[u8], p: &Path, run: impl Fn(&Path)) {
    for cut in (0..bytes.len()).step_by(97) {
        std::fs::write(p, &bytes[..cut]).unwrap();
        run(p);
    }
    for i in (0..bytes.len()).step_by(61) {
        let mut b = bytes.to_vec();
        b[i] ^= 0x5a;
        std::fs::write(p, &b).unwrap();
        run(p);
    }
}

#[test]
fn vcf_and_bcf_seeds_read_and_agree() {
    let m = markers();
    let mut by_stem = std::collections::BTreeMap::new();
    for name in ["vcf_ad", "bcf_ad"] {
        for p in corpus(name) {
            let found = run_target(&p, &m).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let stem = p
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .split('.')
                .next()
                .unwrap()
                .to_string();
            by_stem
                .entry(stem)
                .or_insert_with(Vec::new)
                .push((p, found));
        }
    }
    // genotypes and pileup exist as VCF and as BCF: the same AD count.
    for (stem, runs) in &by_stem {
        assert!(runs.iter().all(|r| r.1 == runs[0].1), "{stem}: {runs:?}");
    }
    assert!(by_stem["pileup"][0].1 > 0, "{by_stem:?}");
}

#[test]
fn panel_seed_reads() {
    for p in corpus("panel_vcf") {
        let m = read_panel(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(m.len(), markers().len());
    }
}

#[test]
fn mutated_seeds_never_panic() {
    let m = markers();
    let dir = scratch("mutate");
    for name in ["vcf_ad", "bcf_ad"] {
        for src in corpus(name) {
            let p = dir.join(src.file_name().unwrap());
            mutate(&std::fs::read(&src).unwrap(), &p, |p| {
                let _ = run_target(p, &m);
            });
        }
    }
    for src in corpus("panel_vcf") {
        let p = dir.join("panel.vcf");
        mutate(&std::fs::read(&src).unwrap(), &p, |p| {
            let _ = read_panel(p);
        });
    }
    std::fs::remove_dir_all(&dir).ok();
}

//! Shared helpers for the NGS counting integration tests: run the read-level
//! simulator (bench/ngs/simulate.py), align with bwa + samtools and pile up
//! with bcftools. The external tools are required (CI installs them); a
//! missing tool fails the test with a message saying which.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use graftwatch_chimerism::marker::Marker;

/// Fails with a clear message when an external tool is missing.
pub fn require_tool(tool: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .map(|_| true)
        .unwrap_or(false);
    assert!(
        ok,
        "external tool `{tool}` is required by this test but was not found on PATH \
         (install samtools, bcftools, tabix, bwa and python3; see bench/ngs/README or .ci)"
    );
}

/// Runs a shell command, panicking with its stderr on failure.
pub fn sh(cwd: &Path, cmd: &str) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail; {cmd}"))
        .current_dir(cwd)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "command failed: {cmd}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("graftwatch-ngs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// A 2 kb random reference sequence (xorshift, fixed seed): the contig `c1`
/// of the small BAM/CRAM tests.
pub fn ref_2kb() -> String {
    let mut seq = String::new();
    let mut s: u64 = 88172645463325252;
    for _ in 0..2000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        seq.push(b"ACGT"[(s % 4) as usize] as char);
    }
    seq
}

/// An SNV marker at position 1000 of contig `c1` of sequence `seq`: its
/// reference base and another.
pub fn snv_at_1000(seq: &str) -> Marker {
    let base = seq.as_bytes()[999] as char;
    Marker {
        id: "c1:1000".into(),
        chrom: "c1".into(),
        pos: graftwatch_core::GenomicPosition::from_one_based(1000).expect("1-based"),
        ref_allele: base.to_string(),
        alt_allele: if base == 'A' { "C" } else { "A" }.into(),
    }
}

/// Writes `ref.fa` (contig `c1`, the sequence of [`ref_2kb`]) and a sorted,
/// indexed `s.bam` of `reads` perfect 100 bp reads starting at 900–949 into
/// `dir`; `comments` `@CO` header lines shift every container offset.
/// Returns the reference sequence.
pub fn small_bam(dir: &Path, reads: usize, comments: usize) -> String {
    require_tool("samtools");
    let seq = ref_2kb();
    std::fs::write(dir.join("ref.fa"), format!(">c1\n{seq}\n")).expect("ref");
    let mut sam = String::from("@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:c1\tLN:2000\n");
    for i in 0..comments {
        sam.push_str(&format!("@CO\tcomment {i}\n"));
    }
    for i in 0..reads {
        let start = 900 + (i % 50);
        let read = &seq[start - 1..start - 1 + 100];
        sam.push_str(&format!(
            "r{i}\t0\tc1\t{start}\t60\t100M\t*\t0\t0\t{read}\t{}\n",
            "I".repeat(100)
        ));
    }
    std::fs::write(dir.join("s.sam"), sam).expect("sam");
    sh(
        dir,
        "samtools sort -o s.bam s.sam 2>/dev/null && samtools index s.bam",
    );
    seq
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Simulates a small sample (72 markers) and aligns it paired-end
/// (`sample.bam`) and single-end from R1 (`se.bam`).
pub fn simulate_and_align(dir: &Path, pairs: u32, seed: u32) {
    for t in ["python3", "bwa", "samtools", "bcftools", "bgzip", "tabix"] {
        require_tool(t);
    }
    let sim = repo_root().join("bench/ngs/simulate.py");
    let align = repo_root().join("bench/ngs/align.sh");
    sh(
        dir,
        &format!(
            "python3 {} . --pairs {pairs} --seed {seed} && bash {} . 2",
            sim.display(),
            align.display()
        ),
    );
    sh(
        dir,
        "bwa mem -v 1 ref.fa sample_R1.fq.gz 2>/dev/null | samtools sort -o se.bam - 2>/dev/null && samtools index se.bam",
    );
}

/// The documented bcftools comparison command.
pub fn bcftools_pileup(dir: &Path, bam: &str, out: &str) {
    sh(
        dir,
        &format!(
            "bcftools mpileup -f ref.fa -T panel.vcf.gz -a AD -B -Q 13 -q 0 -d 1000000 -L 1000000 \
             -m 1 -F 0 --ignore-RG --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY {bam} 2>/dev/null > {out}"
        ),
    );
}

/// Minimal sites-VCF reader for the tests.
pub fn read_sites(path: &Path) -> Vec<Marker> {
    let text = std::fs::read_to_string(path).expect("panel readable");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Marker {
                id: f[2].into(),
                chrom: f[0].into(),
                pos: f[1].parse().expect("POS"),
                ref_allele: f[3].into(),
                alt_allele: f[4].into(),
            }
        })
        .collect()
}

/// (chrom, pos) key of a bcftools record.
pub type Site = (String, u64);
/// REF AD and (alt, AD) of a non-indel record.
pub type SnvAd = (u32, Vec<(String, u32)>);
/// REF AD and (ref, alt, AD) of an indel record.
pub type IndelAd = (u32, Vec<(String, String, u32)>);

/// bcftools AD per record, alleles normalised by trimming the common suffix.
#[derive(Debug, Default)]
pub struct BcfAd {
    /// (chrom, pos) → (REF AD, [(alt, AD)]) of the non-indel record.
    pub snv: std::collections::HashMap<Site, SnvAd>,
    /// (chrom, pos) → (REF AD, [(ref, alt, AD)]) of the indel record.
    pub indel: std::collections::HashMap<Site, IndelAd>,
}

fn trim(r: &str, a: &str) -> (String, String) {
    let (mut r, mut a) = (r.as_bytes().to_vec(), a.as_bytes().to_vec());
    while r.len() > 1 && a.len() > 1 && r.last() == a.last() {
        r.pop();
        a.pop();
    }
    (
        String::from_utf8(r).expect("ascii"),
        String::from_utf8(a).expect("ascii"),
    )
}

/// Parses `bcftools mpileup -a AD` VCF output.
pub fn read_bcftools(path: &Path) -> BcfAd {
    let mut out = BcfAd::default();
    for line in std::fs::read_to_string(path)
        .expect("bcftools output")
        .lines()
    {
        if line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let key = (f[0].to_string(), f[1].parse::<u64>().expect("POS"));
        let fmt: Vec<&str> = f[8].split(':').collect();
        let ad_i = fmt.iter().position(|x| *x == "AD").expect("AD in FORMAT");
        let ad: Vec<u32> = f[9]
            .split(':')
            .nth(ad_i)
            .expect("AD value")
            .split(',')
            .map(|x| x.parse().expect("AD int"))
            .collect();
        let alts: Vec<&str> = f[4].split(',').collect();
        if f[7].split(';').any(|x| x == "INDEL") {
            let v = alts
                .iter()
                .enumerate()
                .filter(|(_, a)| **a != "<*>")
                .map(|(i, a)| {
                    let (r, a) = trim(f[3], a);
                    (r, a, ad[i + 1])
                })
                .collect();
            out.indel.insert(key, (ad[0], v));
        } else {
            let v = alts
                .iter()
                .enumerate()
                .filter(|(_, a)| **a != "<*>")
                .map(|(i, a)| (a.to_string(), ad[i + 1]))
                .collect();
            out.snv.insert(key, (ad[0], v));
        }
    }
    out
}

//! Benchmark/diagnostic driver for the NGS counters (not the user-facing CLI,
//! which is `graftwatch chimerism ngs`).
//!
//! ```text
//! count bam   SAMPLE.bam|cram PANEL.vcf [--ref REF.fa] [--threads N] [-Q 13] [-q 0]
//! count fastq REF.fa PANEL.vcf R1.fq.gz [R2.fq.gz] [--threads N] [-k 31] [--mismatches 1]
//! ```
//! Prints `id chrom pos ref alt ref_count alt_count other` per marker.

use std::path::PathBuf;
use std::process::ExitCode;

use graftwatch_chimerism::marker::Marker;
use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam_with_threads};
use graftwatch_genomics_io::fastq_count::{FastqCountOptions, count_fastq};

/// Minimal sites-VCF reader for this driver (the validating reader is
/// `graftwatch_genomics_io::panel::read_panel`).
fn read_sites(path: &str) -> Result<Vec<Marker>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 5 {
            return Err(format!("{path}:{}: expected at least 5 columns", i + 1));
        }
        let pos: graftwatch_core::GenomicPosition = f[1]
            .parse()
            .map_err(|_| format!("{path}:{}: bad POS {:?}", i + 1, f[1]))?;
        let id = if f[2] == "." {
            format!("{}:{}:{}:{}", f[0], f[1], f[3], f[4])
        } else {
            f[2].to_string()
        };
        out.push(Marker {
            id,
            chrom: f[0].into(),
            pos,
            ref_allele: f[3].into(),
            alt_allele: f[4].into(),
        });
    }
    Ok(out)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut reference: Option<PathBuf> = None;
    let mut threads = 1usize;
    let mut filter = PileupFilter::default();
    let mut opts = FastqCountOptions::default();
    let mut quiet = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--ref" => reference = Some(PathBuf::from(val()?)),
            "--threads" => threads = val()?.parse().map_err(|e| format!("--threads: {e}"))?,
            "-Q" => filter.min_base_quality = val()?.parse().map_err(|e| format!("-Q: {e}"))?,
            "-q" => filter.min_mapping_quality = val()?.parse().map_err(|e| format!("-q: {e}"))?,
            "-k" => opts.k = val()?.parse().map_err(|e| format!("-k: {e}"))?,
            "--mismatches" => {
                opts.max_mismatches = val()?.parse().map_err(|e| format!("--mismatches: {e}"))?
            }
            "--quiet" => quiet = true,
            _ => positional.push(a.clone()),
        }
    }
    opts.threads = threads;
    let (mode, rest) = positional
        .split_first()
        .ok_or("usage: count bam|fastq ...")?;
    let (markers, counts) = match mode.as_str() {
        "bam" => {
            let [bam, panel] = rest else {
                return Err("usage: count bam SAMPLE.bam PANEL.vcf [--ref REF.fa]".into());
            };
            let markers = read_sites(panel)?;
            let c = count_bam_with_threads(
                bam.as_ref(),
                reference.as_deref(),
                &markers,
                &filter,
                threads,
            )
            .map_err(|e| e.to_string())?;
            (markers, c)
        }
        "fastq" => {
            if rest.len() < 3 {
                return Err("usage: count fastq REF.fa PANEL.vcf R1 [R2]".into());
            }
            let markers = read_sites(&rest[1])?;
            let fq: Vec<PathBuf> = rest[2..].iter().map(PathBuf::from).collect();
            let c =
                count_fastq(&fq, rest[0].as_ref(), &markers, &opts).map_err(|e| e.to_string())?;
            (markers, c)
        }
        other => return Err(format!("unknown mode {other:?} (expected bam or fastq)")),
    };
    if !quiet {
        for (m, c) in markers.iter().zip(&counts) {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                m.id, m.chrom, m.pos, m.ref_allele, m.alt_allele, c.ref_count, c.alt_count, c.other
            );
        }
    } else {
        let total: u64 = counts.iter().map(|c| c.depth() as u64).sum();
        println!("{} markers, {total} allele reads", markers.len());
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("count: {e}");
            ExitCode::from(2)
        }
    }
}

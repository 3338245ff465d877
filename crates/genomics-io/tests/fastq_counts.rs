//! FASTQ (alignment-free) counting.
//!
//! * Hand-built reads on a small reference with exactly known answers: SNV,
//!   deletion and insertion in repeats, sequencing errors, both strands,
//!   third alleles, low-quality variant bases, pairs counted once.
//! * Simulated amplicon sample: FASTQ counts agree with BAM counts of the
//!   same reads aligned by bwa (per marker within max(3, 2 %)), and ALT
//!   fractions track the simulation truth.

mod bam_common;
use bam_common as common;

use std::io::Write;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::marker::{AlleleCounts, Marker};
use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam};
use graftwatch_genomics_io::fastq_count::{FastqCountOptions, count_fastq};
use graftwatch_genomics_io::kmer::reverse_complement;

/// Deterministic pseudo-random sequence (the workspace's seeded
/// generator) without ambiguity.
fn random_seq(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = graftwatch_core::SeededRng::new(seed);
    (0..n).map(|_| b"ACGT"[rng.index(4)]).collect()
}

struct Fixture {
    dir: PathBuf,
    reference: PathBuf,
    contig: Vec<u8>,
    markers: Vec<Marker>,
}

/// chrT: 3 amplicon-like regions. SNV C>T at 201; deletion of one A in an
/// A-homopolymer at 601 (anchor G); insertion of CA in a CA repeat at 1001.
fn fixture(name: &str) -> Fixture {
    let dir = common::scratch(name);
    let mut contig = random_seq(1400, 0x9e37_79b9_7f4a_7c15);
    contig[200] = b'C';
    // 0-based 600 = G anchor, then AAAAA, then T.
    contig[600] = b'G';
    contig[601..606].copy_from_slice(b"AAAAA");
    contig[606] = b'T';
    // 0-based 1000 = G anchor, then CACACA, then T.
    contig[1000] = b'G';
    contig[1001..1007].copy_from_slice(b"CACACA");
    contig[1007] = b'T';
    let reference = dir.join("ref.fa");
    let mut f = std::fs::File::create(&reference).expect("ref");
    writeln!(f, ">chrT").expect("w");
    for chunk in contig.chunks(70) {
        f.write_all(chunk).expect("w");
        writeln!(f).expect("w");
    }
    let markers = vec![
        Marker {
            id: "snv".into(),
            chrom: "chrT".into(),
            pos: graftwatch_core::GenomicPosition::from_one_based(201).unwrap(),
            ref_allele: "C".into(),
            alt_allele: "T".into(),
        },
        Marker {
            id: "del".into(),
            chrom: "chrT".into(),
            pos: graftwatch_core::GenomicPosition::from_one_based(601).unwrap(),
            ref_allele: "GA".into(),
            alt_allele: "G".into(),
        },
        Marker {
            id: "ins".into(),
            chrom: "chrT".into(),
            pos: graftwatch_core::GenomicPosition::from_one_based(1001).unwrap(),
            ref_allele: "G".into(),
            alt_allele: "GCA".into(),
        },
    ];
    Fixture {
        dir,
        reference,
        contig,
        markers,
    }
}

/// Haplotype of the region around 0-based `center` with an edit applied.
fn haplotype(
    contig: &[u8],
    from: usize,
    to: usize,
    edit: Option<(usize, usize, &[u8])>,
) -> Vec<u8> {
    let mut h = contig[from..to].to_vec();
    if let Some((at, del, ins)) = edit {
        let at = at - from;
        h.splice(at..at + del, ins.iter().copied());
    }
    h
}

/// Writes `reads` to `fx.dir/file` and counts them with the default options.
fn count_single(
    fx: &Fixture,
    file: &str,
    reads: &[(String, Vec<u8>, Vec<u8>)],
) -> Vec<AlleleCounts> {
    let fq = fx.dir.join(file);
    write_fastq(&fq, reads);
    count_fastq(
        &[fq],
        &fx.reference,
        &fx.markers,
        &FastqCountOptions::default(),
    )
    .expect("count")
}

fn write_fastq(path: &Path, reads: &[(String, Vec<u8>, Vec<u8>)]) {
    let mut f = std::fs::File::create(path).expect("fastq");
    for (name, s, q) in reads {
        writeln!(f, "@{name}").expect("w");
        f.write_all(s).expect("w");
        writeln!(f, "\n+").expect("w");
        f.write_all(q).expect("w");
        writeln!(f).expect("w");
    }
}

#[test]
fn exact_counts_on_hand_built_reads() {
    let fx = fixture("fastq-exact");
    let c = &fx.contig;
    let hq = |n: usize| vec![b'I'; n];
    let mut reads = Vec::new();
    let mut push = |name: &str, s: Vec<u8>, q: Vec<u8>| reads.push((name.to_string(), s, q));
    // SNV: 3 REF forward, 2 ALT reverse, 1 ALT with a sequencing error 20 bp
    // away, 1 third allele (G), 1 ALT with quality 5 at the site (not counted).
    let snv_ref = haplotype(c, 130, 280, None);
    let snv_alt = haplotype(c, 130, 280, Some((200, 1, b"T")));
    for i in 0..3 {
        push(&format!("s_ref{i}"), snv_ref.clone(), hq(150));
    }
    for i in 0..2 {
        push(&format!("s_alt{i}"), reverse_complement(&snv_alt), hq(150));
    }
    let mut err = snv_alt.clone();
    err[90] = if err[90] == b'A' { b'C' } else { b'A' };
    push("s_alt_err", err, hq(150));
    push(
        "s_third",
        haplotype(c, 130, 280, Some((200, 1, b"G"))),
        hq(150),
    );
    let mut lowq = hq(150);
    lowq[70] = b'&'; // Q5 at the SNV
    push("s_lowq", snv_alt.clone(), lowq);
    // Deletion: 2 REF, 3 ALT (one reverse), 1 read ending inside the
    // homopolymer (not counted).
    let del_ref = haplotype(c, 530, 680, None);
    let del_alt = haplotype(c, 530, 681, Some((601, 1, b"")));
    push("d_ref0", del_ref.clone(), hq(150));
    push("d_ref1", reverse_complement(&del_ref), hq(150));
    for i in 0..2 {
        push(&format!("d_alt{i}"), del_alt.clone(), hq(150));
    }
    push("d_alt_rev", reverse_complement(&del_alt), hq(150));
    push("d_short", c[480..604].to_vec(), hq(124));
    // Insertion: 1 REF, 2 ALT.
    let ins_ref = haplotype(c, 930, 1080, None);
    let ins_alt = haplotype(c, 930, 1078, Some((1001, 0, b"CA")));
    push("i_ref", ins_ref, hq(150));
    push("i_alt0", ins_alt.clone(), hq(150));
    push("i_alt1", reverse_complement(&ins_alt), hq(150));
    // A read from nowhere.
    push("noise", random_seq(150, 12345), hq(150));
    let got = count_single(&fx, "single.fq", &reads);
    assert_eq!(
        got[0],
        AlleleCounts {
            ref_count: 3,
            alt_count: 3,
            other: 1
        },
        "SNV"
    );
    assert_eq!(
        got[1],
        AlleleCounts {
            ref_count: 2,
            alt_count: 3,
            other: 0
        },
        "deletion in homopolymer"
    );
    assert_eq!(
        got[2],
        AlleleCounts {
            ref_count: 1,
            alt_count: 2,
            other: 0
        },
        "insertion in CA repeat"
    );
    let _ = std::fs::remove_dir_all(&fx.dir);
}

/// Changes the base at `at` to another one (a sequencing error).
fn mutate(s: &mut [u8], at: usize) {
    s[at] = if s[at] == b'A' { b'C' } else { b'A' };
}

#[test]
fn short_reads_and_reads_with_several_flank_errors_are_located() {
    // Reads are located by exact hits of sampled k-mers (every 8th for
    // 150 bp, every 2nd for 60 bp): errors outside the compared window must
    // not lose the read as long as one sampled k-mer on the haplotype is
    // intact.
    let fx = fixture("fastq-robust");
    let c = &fx.contig;
    // 150 bp, SNV at read position 70, four errors in the flanks (two of
    // them inside the haplotype's k-mers on each side).
    let mut long = haplotype(c, 130, 280, Some((200, 1, b"T")));
    for at in [30, 50, 95, 110] {
        mutate(&mut long, at);
    }
    // 60 bp, SNV at read position 30, errors near both ends; reverse strand.
    let mut short = haplotype(c, 170, 230, Some((200, 1, b"T")));
    mutate(&mut short, 3);
    mutate(&mut short, 56);
    let short = reverse_complement(&short);
    // 40 bp REF read (stride 1).
    let tiny = haplotype(c, 180, 220, None);
    let reads = vec![
        ("long".to_string(), long, vec![b'I'; 150]),
        ("short".to_string(), short, vec![b'I'; 60]),
        ("tiny".to_string(), tiny, vec![b'I'; 40]),
    ];
    let got = count_single(&fx, "robust.fq", &reads);
    assert_eq!(
        got[0],
        AlleleCounts {
            ref_count: 1,
            alt_count: 2,
            other: 0
        }
    );
    assert_eq!(got[1].depth() + got[1].other, 0);
    assert_eq!(got[2].depth() + got[2].other, 0);
    let _ = std::fs::remove_dir_all(&fx.dir);
}

#[test]
fn pairs_count_once_and_conflicts_are_other() {
    let fx = fixture("fastq-pairs");
    let c = &fx.contig;
    let hq = vec![b'I'; 150];
    let alt = haplotype(c, 130, 280, Some((200, 1, b"T")));
    let refh = haplotype(c, 130, 280, None);
    // pair 1: both mates ALT (overlapping) -> 1 ALT; pair 2: R1 REF, R2 ALT
    // -> 1 other; pair 3: R1 REF, R2 elsewhere -> 1 REF.
    let r1 = vec![
        ("p1".to_string(), alt.clone(), hq.clone()),
        ("p2".to_string(), refh.clone(), hq.clone()),
        ("p3".to_string(), refh.clone(), hq.clone()),
    ];
    let r2 = vec![
        ("p1".to_string(), reverse_complement(&alt), hq.clone()),
        ("p2".to_string(), reverse_complement(&alt), hq.clone()),
        (
            "p3".to_string(),
            reverse_complement(&c[1200..1350]),
            hq.clone(),
        ),
    ];
    let (f1, f2) = (fx.dir.join("r1.fq"), fx.dir.join("r2.fq"));
    write_fastq(&f1, &r1);
    write_fastq(&f2, &r2);
    let got = count_fastq(
        &[f1, f2],
        &fx.reference,
        &fx.markers,
        &FastqCountOptions::default(),
    )
    .expect("count");
    assert_eq!(
        got[0],
        AlleleCounts {
            ref_count: 1,
            alt_count: 1,
            other: 1
        }
    );
    let _ = std::fs::remove_dir_all(&fx.dir);
}

#[test]
fn mismatch_limit_rejects_reads_far_from_both_alleles() {
    let fx = fixture("fastq-mm");
    let c = &fx.contig;
    let mut read = haplotype(c, 130, 280, Some((200, 1, b"T")));
    // Three errors close to the SNV (inside the comparison window).
    for p in [67usize, 68, 73] {
        read[p] = if read[p] == b'A' { b'C' } else { b'A' };
    }
    let fq = fx.dir.join("mm.fq");
    write_fastq(&fq, &[("x".into(), read, vec![b'I'; 150])]);
    let strict = FastqCountOptions {
        max_mismatches: 2,
        ..FastqCountOptions::default()
    };
    let got = count_fastq(
        std::slice::from_ref(&fq),
        &fx.reference,
        &fx.markers,
        &strict,
    )
    .expect("count");
    assert_eq!(
        got[0],
        AlleleCounts {
            ref_count: 0,
            alt_count: 0,
            other: 1
        }
    );
    let lenient = FastqCountOptions {
        max_mismatches: 3,
        ..FastqCountOptions::default()
    };
    let got = count_fastq(&[fq], &fx.reference, &fx.markers, &lenient).expect("count");
    assert_eq!(
        got[0],
        AlleleCounts {
            ref_count: 0,
            alt_count: 1,
            other: 0
        }
    );
    let _ = std::fs::remove_dir_all(&fx.dir);
}

#[test]
fn fastq_agrees_with_bam_and_truth_on_simulated_sample() {
    let dir = common::scratch("fastq-vs-bam");
    common::simulate_and_align(&dir, 4000, 23);
    let markers = common::read_sites(&dir.join("panel.vcf"));
    let bam = count_bam(
        &dir.join("sample.bam"),
        Some(&dir.join("ref.fa")),
        &markers,
        &PileupFilter::default(),
    )
    .expect("bam");
    let fq = vec![dir.join("sample_R1.fq.gz"), dir.join("sample_R2.fq.gz")];
    let fastq = count_fastq(
        &fq,
        &dir.join("ref.fa"),
        &markers,
        &FastqCountOptions::default(),
    )
    .expect("fastq");
    let one_thread = count_fastq(
        &fq,
        &dir.join("ref.fa"),
        &markers,
        &FastqCountOptions {
            threads: 1,
            ..FastqCountOptions::default()
        },
    )
    .expect("fastq 1 thread");
    assert_eq!(fastq, one_thread, "thread count changed FASTQ counts");

    let truth: std::collections::HashMap<String, (u32, u32)> =
        std::fs::read_to_string(dir.join("truth.tsv"))
            .expect("truth")
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (
                    f[0].to_string(),
                    (f[1].parse().expect("n"), f[2].parse().expect("n")),
                )
            })
            .collect();
    let mut failures = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        let (b, f) = (bam[i], fastq[i]);
        let tol = 3u32.max(b.depth() / 50);
        if b.ref_count.abs_diff(f.ref_count) > tol || b.alt_count.abs_diff(f.alt_count) > tol {
            failures.push(format!(
                "{} {}>{}: BAM {}/{}/{} FASTQ {}/{}/{}",
                m.id,
                m.ref_allele,
                m.alt_allele,
                b.ref_count,
                b.alt_count,
                b.other,
                f.ref_count,
                f.alt_count,
                f.other
            ));
        }
        let (tr, ta) = truth[&m.id];
        let t = ta as f64 / (tr + ta).max(1) as f64;
        let o = f.alt_count as f64 / f.depth().max(1) as f64;
        if (t - o).abs() > 0.03 {
            failures.push(format!(
                "{}: FASTQ ALT fraction {o:.3} vs truth {t:.3}",
                m.id
            ));
        }
        // Most pairs are counted (FASTQ counts pairs, truth counts pairs).
        if f.depth() + f.other < (tr + ta) * 9 / 10 {
            failures.push(format!(
                "{}: only {} of {} simulated pairs counted",
                m.id,
                f.depth() + f.other,
                tr + ta
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

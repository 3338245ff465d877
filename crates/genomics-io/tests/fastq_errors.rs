//! Bad input for the FASTQ counter: malformed and truncated records,
//! truncated gzip, mismatched pairs, bad options — errors naming the file
//! and record, never a panic.

mod bam_common;
use bam_common as common;

use std::io::Write;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::marker::Marker;
use graftwatch_genomics_io::fastq_count::{FastqCountError, FastqCountOptions, count_fastq};
use graftwatch_genomics_io::fastq_reader::FastqError;

fn setup(name: &str) -> (PathBuf, PathBuf, Vec<Marker>) {
    let dir = common::scratch(name);
    let reference = dir.join("ref.fa");
    let seq: String = (0..400)
        .map(|i| b"ACGTTGCA"[(i * 7 + i / 3) % 8] as char)
        .collect();
    std::fs::write(&reference, format!(">c1\n{seq}\n")).expect("ref");
    let r = seq.as_bytes()[199] as char;
    let a = if r == 'A' { "C" } else { "A" };
    let markers = vec![Marker {
        id: "m1".into(),
        chrom: "c1".into(),
        pos: graftwatch_core::GenomicPosition::from_one_based(200).unwrap(),
        ref_allele: r.to_string(),
        alt_allele: a.into(),
    }];
    (dir, reference, markers)
}

fn run(files: &[PathBuf], reference: &Path, markers: &[Marker]) -> FastqCountError {
    count_fastq(files, reference, markers, &FastqCountOptions::default())
        .expect_err("bad input must be an error")
}

const GOOD: &str = "@r1\nACGTACGTAC\n+\nIIIIIIIIII\n@r2\nACGTACGTAC\n+\nIIIIIIIIII\n";

#[test]
fn malformed_records_name_file_record_and_line() {
    let (dir, reference, markers) = setup("fq-err-malformed");
    let cases: [(&str, &str, u64, u64); 5] = [
        ("noat.fq", "r1\nACGT\n+\nIIII\n", 1, 1),
        ("qlen.fq", "@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIII\n", 2, 8),
        ("plus.fq", "@r1\nACGT\nIIII\nIIII\n", 1, 3),
        ("base.fq", "@r1\nAC1T\n+\nIIII\n", 1, 2),
        ("qual.fq", "@r1\nACGT\n+\nII I\n", 1, 4),
    ];
    for (file, text, record, line) in cases {
        let p = dir.join(file);
        std::fs::write(&p, text).expect("w");
        let e = run(&[p], &reference, &markers);
        match &e {
            FastqCountError::Fastq(FastqError::Malformed {
                path,
                record: r,
                line: l,
                ..
            }) => {
                assert!(path.ends_with(file), "{e}");
                assert_eq!((*r, *l), (record, line), "{file}: {e}");
            }
            other => panic!("{file}: expected Malformed, got {other:?}"),
        }
        assert!(e.to_string().contains(file), "{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_records_and_gzip_streams() {
    let (dir, reference, markers) = setup("fq-err-trunc");
    for (file, text) in [
        ("t1.fq", "@r1\nACGT\n+\nIIII\n@r2\n"),
        ("t2.fq", "@r1\nACGT\n+\nIIII\n@r2\nACGT\n"),
        ("t3.fq", "@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\n"),
    ] {
        let p = dir.join(file);
        std::fs::write(&p, text).expect("w");
        let e = run(&[p], &reference, &markers);
        assert!(
            matches!(
                e,
                FastqCountError::Fastq(FastqError::Malformed { record: 2, .. })
            ),
            "{file}: {e}"
        );
        assert!(e.to_string().contains("truncated"), "{e}");
    }
    // Truncated gzip member.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, "@r{i}\nACGTACGTACGTTGCA\n+\nIIIIIIIIIIIIIIII").expect("w");
    }
    let bytes = gz.finish().expect("gz");
    let p = dir.join("cut.fq.gz");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).expect("w");
    let e = run(&[p], &reference, &markers);
    assert!(
        matches!(
            e,
            FastqCountError::Fastq(FastqError::Io { .. } | FastqError::Malformed { .. })
        ),
        "{e}"
    );
    assert!(e.to_string().contains("cut.fq.gz"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pairs_must_match() {
    let (dir, reference, markers) = setup("fq-err-pairs");
    let r1 = dir.join("r1.fq");
    std::fs::write(&r1, GOOD).expect("w");
    let r2 = dir.join("r2.fq");
    std::fs::write(&r2, GOOD.replace("@r2", "@zz")).expect("w");
    let e = run(&[r1.clone(), r2], &reference, &markers);
    assert!(
        matches!(e, FastqCountError::PairMismatch { record: 2, .. }),
        "{e}"
    );
    let short = dir.join("short.fq");
    std::fs::write(&short, "@r1\nACGTACGTAC\n+\nIIIIIIIIII\n").expect("w");
    let e = run(&[r1.clone(), short], &reference, &markers);
    assert!(matches!(e, FastqCountError::PairMismatch { .. }), "{e}");
    // /1 and /2 suffixes are accepted as the same name.
    let a = dir.join("a.fq");
    let b = dir.join("b.fq");
    std::fs::write(&a, "@x/1\nACGT\n+\nIIII\n").expect("w");
    std::fs::write(&b, "@x/2 extra\nACGT\n+\nIIII\n").expect("w");
    count_fastq(&[a, b], &reference, &markers, &FastqCountOptions::default()).expect("mates");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_options_files_and_references() {
    let (dir, reference, markers) = setup("fq-err-opts");
    let r1 = dir.join("r1.fq");
    std::fs::write(&r1, GOOD).expect("w");
    for k in [10usize, 9, 33] {
        let e = count_fastq(
            std::slice::from_ref(&r1),
            &reference,
            &markers,
            &FastqCountOptions {
                k,
                ..FastqCountOptions::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, FastqCountError::Options(_)), "k={k}: {e}");
    }
    let e = count_fastq(&[], &reference, &markers, &FastqCountOptions::default()).unwrap_err();
    assert!(matches!(e, FastqCountError::FileCount(0)), "{e}");
    let e = run(&[dir.join("absent.fq")], &reference, &markers);
    assert!(e.to_string().contains("absent.fq"), "{e}");
    let mut m = markers.clone();
    m[0].chrom = "chrZ".into();
    let e = run(std::slice::from_ref(&r1), &reference, &m);
    assert!(
        matches!(e, FastqCountError::ContigNotInReference { .. }),
        "{e}"
    );
    let e = run(&[r1], &dir.join("nope.fa"), &markers);
    assert!(e.to_string().contains("nope.fa"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

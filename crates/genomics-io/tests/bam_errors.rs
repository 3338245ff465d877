//! Bad input for the BAM/CRAM counter: every case is an error naming the
//! file (and record/marker), never a panic.

mod bam_common;
use bam_common as common;

use std::path::Path;

use graftwatch_chimerism::AlleleCounts;
use graftwatch_chimerism::marker::Marker;
use graftwatch_genomics_io::bam_count::{
    BamCountError, PileupFilter, count_bam, count_bam_skipping_missing_contigs,
};
use graftwatch_genomics_io::fasta::FastaError;

/// `count_bam` of `file` in `dir` (with the reference `reference` in `dir`,
/// if any) at `markers`, with the default filter.
fn count(
    dir: &Path,
    file: &str,
    reference: Option<&str>,
    markers: &[Marker],
) -> Result<Vec<AlleleCounts>, BamCountError> {
    count_bam(
        &dir.join(file),
        reference.map(|r| dir.join(r)).as_deref(),
        markers,
        &PileupFilter::default(),
    )
}

fn marker(chrom: &str, pos: u64, r: &str, a: &str) -> Marker {
    Marker {
        id: format!("{chrom}:{pos}"),
        chrom: chrom.into(),
        pos: graftwatch_core::GenomicPosition::from_one_based(pos).expect("1-based"),
        ref_allele: r.into(),
        alt_allele: a.into(),
    }
}

/// A reference of 2 kb and a BAM of 2000 reads around position 1000, built with
/// samtools (index written next to it).
fn small_bam(dir: &Path) {
    common::small_bam(dir, 2000, 0);
}

fn snv(dir: &Path) -> Marker {
    let seq = std::fs::read_to_string(dir.join("ref.fa")).expect("ref");
    common::snv_at_1000(seq.lines().nth(1).expect("seq"))
}

#[test]
fn valid_small_bam_counts_every_read() {
    let dir = common::scratch("bam-err-ok");
    small_bam(&dir);
    let m = snv(&dir);
    let c = count(&dir, "s.bam", None, std::slice::from_ref(&m)).expect("ok");
    // Reads start at 900..=949 (100M): the 40 starting at 900 end at 999 and
    // do not cover position 1000.
    assert_eq!((c[0].ref_count, c[0].alt_count, c[0].other), (1960, 0, 0));
    let c = count(&dir, "s.bam", Some("ref.fa"), &[m]).expect("ok");
    assert_eq!(c[0].ref_count, 1960);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csi_index_is_used_when_there_is_no_bai() {
    let dir = common::scratch("bam-err-csi");
    small_bam(&dir);
    std::fs::remove_file(dir.join("s.bam.bai")).expect("rm");
    common::sh(&dir, "samtools index -c s.bam");
    let c = count(&dir, "s.bam", None, &[snv(&dir)]).expect("CSI-indexed BAM");
    assert_eq!(c[0].ref_count, 1960);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_index_is_named() {
    let dir = common::scratch("bam-err-index");
    small_bam(&dir);
    std::fs::remove_file(dir.join("s.bam.bai")).expect("rm");
    let e = count(&dir, "s.bam", None, &[snv(&dir)]).unwrap_err();
    assert!(matches!(e, BamCountError::MissingIndex { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("s.bam") && msg.contains("samtools index"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_bam_is_an_error_not_a_panic() {
    let dir = common::scratch("bam-err-trunc");
    small_bam(&dir);
    let bytes = std::fs::read(dir.join("s.bam")).expect("bam");
    for cut in [10usize, 200, bytes.len() / 2, bytes.len() - 40] {
        std::fs::write(dir.join("t.bam"), &bytes[..cut]).expect("write");
        std::fs::copy(dir.join("s.bam.bai"), dir.join("t.bam.bai")).expect("bai");
        let r = count(&dir, "t.bam", None, &[snv(&dir)]);
        match r {
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("t.bam"), "error must name the file: {msg}");
                assert!(
                    matches!(
                        e,
                        BamCountError::Header { .. } | BamCountError::Record { .. }
                    ),
                    "cut at {cut}: unexpected error kind {e:?}"
                );
            }
            Ok(c) => panic!(
                "truncated at {cut} of {} bytes but counted {:?}",
                bytes.len(),
                c
            ),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn not_a_bam_and_unreadable_paths() {
    let dir = common::scratch("bam-err-format");
    std::fs::write(dir.join("x.bam"), "this is text\n").expect("w");
    let m = marker("c1", 10, "A", "C");
    let e = count(&dir, "x.bam", None, std::slice::from_ref(&m)).unwrap_err();
    assert!(matches!(e, BamCountError::NotAlignmentFile { .. }), "{e}");
    let e = count(&dir, "absent.bam", None, &[m]).unwrap_err();
    assert!(matches!(e, BamCountError::Open { .. }), "{e}");
    assert!(e.to_string().contains("absent.bam"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn contigs_missing_from_header_or_reference() {
    let dir = common::scratch("bam-err-contig");
    small_bam(&dir);
    let e = count(&dir, "s.bam", None, &[marker("chrX", 10, "A", "C")]).unwrap_err();
    assert!(
        matches!(&e, BamCountError::ContigNotInHeader { contig, .. } if contig == "chrX"),
        "{e}"
    );
    // Lenient: the chrX markers are skipped (each contig listed once), the
    // c1 marker counted as before.
    let markers = [
        marker("chrX", 10, "A", "C"),
        snv(&dir),
        marker("chrX", 20, "A", "C"),
    ];
    let c = count_bam_skipping_missing_contigs(
        &dir.join("s.bam"),
        None,
        &markers,
        &PileupFilter::default(),
        2,
    )
    .expect("lenient count");
    assert_eq!(c.missing_contigs, vec![("chrX".to_string(), 2)]);
    assert!(c.counts[0].is_none() && c.counts[2].is_none());
    let strict = count(&dir, "s.bam", None, &[snv(&dir)]).expect("count");
    assert_eq!(c.counts[1], Some(strict[0]));
    assert!(strict[0].depth() > 0);
    // Contig in the BAM header but not in the reference.
    std::fs::write(dir.join("other.fa"), ">c2\nACGT\n").expect("w");
    let e = count(&dir, "s.bam", Some("other.fa"), &[snv(&dir)]).unwrap_err();
    assert!(
        matches!(e, BamCountError::ContigNotInReference { .. }),
        "{e}"
    );
    // Marker REF disagrees with the reference.
    let mut m = snv(&dir);
    m.ref_allele = if m.ref_allele == "G" {
        "T".into()
    } else {
        "G".into()
    };
    m.alt_allele = "A".into();
    if m.ref_allele == "A" {
        m.alt_allele = "C".into();
    }
    let e = count(&dir, "s.bam", Some("ref.fa"), &[m]).unwrap_err();
    assert!(
        e.to_string().contains("does not match the reference"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn indels_without_reference_and_cram_without_reference_are_refused() {
    let dir = common::scratch("bam-err-ref");
    small_bam(&dir);
    let seq = std::fs::read_to_string(dir.join("ref.fa")).expect("ref");
    let b = &seq.lines().nth(1).expect("seq")[999..1001];
    let del = marker("c1", 1000, b, &b[..1]);
    let e = count(&dir, "s.bam", None, &[del]).unwrap_err();
    assert!(
        matches!(e, BamCountError::IndelNeedsReference { .. }),
        "{e}"
    );
    common::sh(
        &dir,
        "samtools view -C -T ref.fa -o s.cram s.bam && samtools index s.cram",
    );
    let e = count(&dir, "s.cram", None, &[snv(&dir)]).unwrap_err();
    assert!(matches!(e, BamCountError::CramNeedsReference { .. }), "{e}");
    // Malformed reference FASTA.
    std::fs::write(dir.join("bad.fa"), "ACGT\n>c1\nACGT\n").expect("w");
    let e = count(&dir, "s.bam", Some("bad.fa"), &[snv(&dir)]).unwrap_err();
    assert!(
        matches!(
            e,
            BamCountError::Reference(FastaError::Malformed { line: 1, .. })
        ),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unsupported_markers_are_named() {
    let dir = common::scratch("bam-err-marker");
    small_bam(&dir);
    let e = count(&dir, "s.bam", None, &[marker("c1", 1000, "AC", "GT")]).unwrap_err();
    assert!(e.to_string().contains("c1:1000"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

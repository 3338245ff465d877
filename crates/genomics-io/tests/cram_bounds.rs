//! The bounded walk over a CRAM and its index before noodles decodes them
//! (`bam_count::cram_bounds`): CRAM 3.0, 3.1 and archive-mode files written
//! by samtools count as their BAM does; truncated files, containers
//! declaring more than the file holds and an index of another file are
//! refused with an error naming the file, never an allocation of the
//! declared size or a panic.

mod bam_common;
use bam_common as common;

use std::path::Path;

use graftwatch_chimerism::marker::Marker;
use graftwatch_genomics_io::bam_count::{BamCountError, PileupFilter, count_bam, index_cram};

/// A 2 kb reference and a sorted, indexed BAM of 300 reads at 900–949.
/// `comments` header lines shift every container offset.
fn small_bam(dir: &Path, comments: usize) -> Marker {
    common::snv_at_1000(&common::small_bam(dir, 300, comments))
}

fn count(dir: &Path, file: &str, m: &Marker) -> Result<u32, BamCountError> {
    count_bam(
        &dir.join(file),
        Some(&dir.join("ref.fa")),
        std::slice::from_ref(m),
        &PileupFilter::default(),
    )
    .map(|c| c[0].depth())
}

fn structure_error(dir: &Path, file: &str, m: &Marker, needle: &str) {
    match count(dir, file, m) {
        Err(e @ BamCountError::CramStructure { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains(file), "{msg}");
            assert!(msg.contains(needle), "'{needle}' not in: {msg}");
        }
        other => panic!("{file}: expected a CRAM structure error, got {other:?}"),
    }
}

#[test]
fn samtools_cram_versions_count_as_the_bam() {
    let dir = common::scratch("cram-bounds-ok");
    let m = small_bam(&dir, 0);
    let bam = count(&dir, "s.bam", &m).expect("bam");
    assert!(bam > 250, "depth {bam}");
    for (name, opts) in [
        ("v30.cram", ""),
        ("v31.cram", "--output-fmt-option version=3.1"),
        (
            "arch.cram",
            "--output-fmt-option version=3.1 --output-fmt-option archive \
             --output-fmt-option use_bzip2=1 --output-fmt-option use_lzma=1",
        ),
        ("small.cram", "--output-fmt-option seqs_per_slice=20"),
    ] {
        common::sh(
            &dir,
            &format!(
                "samtools view -C {opts} -T ref.fa -o {name} s.bam 2>/dev/null && samtools index {name}"
            ),
        );
        assert_eq!(count(&dir, name, &m).expect(name), bam, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_and_oversized_crams_are_refused() {
    let dir = common::scratch("cram-bounds-bad");
    let m = small_bam(&dir, 0);
    common::sh(
        &dir,
        "samtools view -C --output-fmt-option seqs_per_slice=20 -T ref.fa -o s.cram s.bam \
         && samtools index s.cram",
    );
    let full = std::fs::read(dir.join("s.cram")).expect("cram");
    let crai = std::fs::read(dir.join("s.cram.crai")).expect("crai");
    let with = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).expect("w");
        std::fs::write(dir.join(format!("{name}.crai")), &crai).expect("w");
    };
    // Without the 38-byte EOF container (cut at a container boundary).
    with("noeof.cram", &full[..full.len() - 38]);
    structure_error(&dir, "noeof.cram", &m, "truncated");
    // Cut inside the last data container.
    with("cut.cram", &full[..full.len() - 60]);
    structure_error(&dir, "cut.cram", &m, "truncated");
    // The first container (SAM header) declaring 2 GB.
    let mut big = full.clone();
    big[26..30].copy_from_slice(&0x7fff_0000_i32.to_le_bytes());
    with("big.cram", &big);
    structure_error(&dir, "big.cram", &m, "only");
    // A negative container length.
    let mut neg = full.clone();
    neg[26..30].copy_from_slice(&(-5_i32).to_le_bytes());
    with("neg.cram", &neg);
    structure_error(&dir, "neg.cram", &m, "expected 0 or more");
    // CRAM 2.1 is refused by name.
    let mut v2 = full.clone();
    (v2[4], v2[5]) = (2, 1);
    with("v2.cram", &v2);
    structure_error(&dir, "v2.cram", &m, "CRAM version 2.1");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_index_of_another_file_is_refused() {
    let dir = common::scratch("cram-bounds-crai");
    let m = small_bam(&dir, 0);
    common::sh(
        &dir,
        "samtools view -C -T ref.fa -o s.cram s.bam && samtools index s.cram",
    );
    let other = common::scratch("cram-bounds-crai-other");
    small_bam(&other, 40);
    common::sh(
        &other,
        "samtools view -C -T ref.fa -o s.cram s.bam && samtools index s.cram",
    );
    std::fs::copy(other.join("s.cram.crai"), dir.join("s.cram.crai")).expect("copy");
    structure_error(&dir, "s.cram", &m, "not the start of a container");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

/// graftwatch's own indexer (the walk, then noodles) gives an index the
/// counter accepts and the same counts as samtools' index.
#[test]
fn index_cram_matches_samtools_index() {
    let dir = common::scratch("cram-bounds-index");
    let m = small_bam(&dir, 0);
    common::sh(
        &dir,
        "samtools view -C --output-fmt-option seqs_per_slice=20 -T ref.fa -o s.cram s.bam \
         && samtools index s.cram",
    );
    let want = count(&dir, "s.cram", &m).expect("samtools index");
    std::fs::remove_file(dir.join("s.cram.crai")).expect("rm");
    let crai = index_cram(&dir.join("s.cram")).expect("index_cram");
    assert!(crai.ends_with("s.cram.crai"), "{}", crai.display());
    assert_eq!(count(&dir, "s.cram", &m).expect("own index"), want);
    let full = std::fs::read(dir.join("s.cram")).expect("cram");
    std::fs::write(dir.join("t.cram"), &full[..full.len() - 38]).expect("w");
    let e = index_cram(&dir.join("t.cram")).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    assert!(
        !dir.join("t.cram.crai").exists(),
        "no index for a truncated file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads on two contigs and unmapped reads in one multi-reference slice
/// (`multi_seq_per_slice=1`): graftwatch's index and counts match the BAM;
/// a reference FASTA without the second contig is an error naming it (noodles
/// panicked on it: "invalid reference sequence name").
#[test]
fn a_reference_without_a_contig_of_a_multi_reference_slice_is_an_error() {
    let dir = common::scratch("cram-bounds-multiref");
    let m = small_bam(&dir, 0);
    let seq = std::fs::read_to_string(dir.join("ref.fa")).expect("ref");
    let c1 = seq.lines().nth(1).expect("seq").to_string();
    let c2: String = c1.chars().rev().collect();
    std::fs::write(dir.join("ref.fa"), format!(">c1\n{c1}\n>c2\n{c2}\n")).expect("ref");
    std::fs::write(dir.join("c1.fa"), format!(">c1\n{c1}\n")).expect("ref");
    let mut sam =
        String::from("@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:c1\tLN:2000\n@SQ\tSN:c2\tLN:2000\n");
    for (contig, s) in [("c1", &c1), ("c2", &c2)] {
        for i in 0..20 {
            let start = 900 + i;
            sam.push_str(&format!(
                "{contig}r{i}\t0\t{contig}\t{start}\t60\t100M\t*\t0\t0\t{}\t{}\n",
                &s[start - 1..start + 99],
                "I".repeat(100)
            ));
        }
    }
    sam.push_str(&format!(
        "u1\t4\t*\t0\t0\t*\t*\t0\t0\t{}\t{}\n",
        &c1[..100],
        "I".repeat(100)
    ));
    std::fs::write(dir.join("s.sam"), sam).expect("sam");
    common::sh(
        &dir,
        "samtools view -b -o s.bam s.sam && samtools index s.bam \
         && samtools view -C --output-fmt-option multi_seq_per_slice=1 -T ref.fa -o s.cram s.bam",
    );
    let bam = count(&dir, "s.bam", &m).expect("bam");
    assert!(bam >= 19, "depth {bam}");
    index_cram(&dir.join("s.cram")).expect("index a multi-reference CRAM");
    assert_eq!(count(&dir, "s.cram", &m).expect("cram"), bam);
    let e = count_bam(
        &dir.join("s.cram"),
        Some(&dir.join("c1.fa")),
        std::slice::from_ref(&m),
        &PileupFilter::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no sequence named 'c2'"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

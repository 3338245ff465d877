//! Inputs found by the `cram_count` fuzz target (docs/fuzzing.md), kept in
//! `tests/data/fuzz/cram_count/` as written to disk by the harness (CRC32s
//! rewritten): each is indexed with `index_cram` and counted against the
//! harness's reference; every one must end in an error naming the file, not a
//! panic or an allocation of what it declares.

mod bam_common;

use std::path::Path;

use graftwatch_chimerism::marker::Marker;
use graftwatch_genomics_io::bam_count::{BamCountError, PileupFilter, count_bam, index_cram};

fn data() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fuzz/cram_count"
    ))
}

fn snv() -> Marker {
    let fa = std::fs::read_to_string(data().join("ref.fa")).expect("ref");
    bam_common::snv_at_1000(fa.lines().nth(1).expect("seq"))
}

fn run(name: &str) -> Result<(), BamCountError> {
    let dir = bam_common::scratch(&format!("cram-fuzz-{name}"));
    let p = dir.join("s.cram");
    std::fs::copy(data().join(name), &p).expect("copy");
    index_cram(&p)?;
    count_bam(
        &p,
        Some(&data().join("ref.fa")),
        &[snv()],
        &PileupFilter::default(),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// rANS Nx16 bit-packing with more symbols than its mapping table: noodles
/// indexed past the table and panicked. Contained by `decoder_guard`.
#[test]
fn bit_pack_index_out_of_bounds_is_a_corrupt_file() {
    let e = run("bit-pack-index.cram").unwrap_err();
    assert!(matches!(e, BamCountError::CramDecoder { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("s.cram: corrupt CRAM"), "{msg}");
    assert!(!graftwatch_genomics_io::decoder_guard::is_guarded());
}

/// The first data container's feature-count (FN) encoding rewritten as a
/// constant (single-symbol HUFFMAN) of 2^31 − 1, sizes and CRC32s fixed
/// (`feature-count-2e31.cram`, made from the `v30.cram` fuzz seed; see the
/// README). Upstream noodles-cram 0.102.0 reserved 2^31 features (86 GB) for
/// the first mapped read and aborted the process, the one class the
/// recorded `cram_count` hour found 41 times; the patched copy in
/// `vendor/noodles-cram` charges the count to a per-slice decode budget.
#[test]
fn constant_feature_count_of_2e31_is_a_corrupt_file_not_an_abort() {
    let e = run("feature-count-2e31.cram").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("s.cram"), "{msg}");
    assert!(msg.contains("feature count"), "{msg}");
    assert!(!graftwatch_genomics_io::decoder_guard::is_guarded());
}

/// The read-length (RL) encoding rewritten the same way: every record
/// declares 2^31 − 1 bases, which noodles would materialise as quality
/// scores or resolve from the reference. Refused by the read-length limit.
#[test]
fn constant_read_length_of_2e31_is_a_corrupt_file() {
    let e = run("read-length-2e31.cram").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("read length 2147483647 exceeds"), "{msg}");
}

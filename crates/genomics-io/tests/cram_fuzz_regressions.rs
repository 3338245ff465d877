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

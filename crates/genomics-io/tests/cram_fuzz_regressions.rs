//! Inputs found by the `cram_count` fuzz target (docs/fuzzing.md), kept in
//! `tests/data/fuzz/cram_count/` as written to disk by the harness (CRC32s
//! rewritten): each is indexed with `index_cram` and counted against the
//! harness's reference; every one must end in an error naming the file, not a
//! panic or an allocation of what it declares.

mod bam_common;

use std::path::Path;

use graftwatch_chimerism::marker::Marker;
use graftwatch_genomics_io::bam_count::{
    BamCountError, PileupFilter, count_bam, count_bam_with_threads, index_cram,
};

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

/// Indexes a copy of input `name` and counts it at one SNV with every thread.
fn run(name: &str) -> Result<(), BamCountError> {
    count_copy(name, &[snv()], None)
}

/// Copies input `name` to a scratch `s.cram`, indexes it with `index_cram`
/// and counts it at `markers` against `ref.fa` (`threads`: as `count_bam`
/// chooses when `None`).
fn count_copy(name: &str, markers: &[Marker], threads: Option<usize>) -> Result<(), BamCountError> {
    let dir = bam_common::scratch(&format!("cram-fuzz-{name}"));
    let p = dir.join("s.cram");
    std::fs::copy(data().join(name), &p).expect("copy");
    index_cram(&p)?;
    let reference = data().join("ref.fa");
    let filter = PileupFilter::default();
    match threads {
        Some(n) => count_bam_with_threads(&p, Some(&reference), markers, &filter, n)?,
        None => count_bam(&p, Some(&reference), markers, &filter)?,
    };
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

/// Found by the recorded `cram_count` hour of 2026-12-04 evening (kept from
/// the crashed run's scratch file, as the harness wrote it): a compression
/// header block coded as a striped rANS Nx16 stream. noodles' rANS decoder
/// keeps its tables on the stack (about 0.8 MB a call), the stripe calls it
/// again, and the two calls overflowed a counting thread's default 2 MiB
/// stack: a segmentation fault (exit 139), which no error handling can
/// catch. Counting threads now get `COUNTING_THREAD_STACK_BYTES`.
///
/// The overflow shows in the optimised build the fuzzer runs (inlining puts
/// the decoder's tables in one frame), not in this test's build, which
/// reaches the same error with a 2 MiB stack: this test keeps the outcome
/// (an input error naming the file, not an internal error); the stack
/// itself was checked by replaying the input through the fuzz binary before
/// (exit 139) and after the change (docs/fuzzing.md).
/// Counted as the harness counts it: its four markers (SNVs at 1000 and
/// 1010, an insertion at 1020, a deletion at 1030), one thread.
#[test]
fn striped_rans_block_does_not_overflow_a_counting_thread() {
    let e = run_harness_panel("stripe-stack-overflow.cram").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("s.cram"), "{msg}");
    assert!(!e.is_internal(), "{msg}");
}

/// The `cram_count` harness's markers (`fuzz/fuzz_targets/c1_panel.rs`).
fn harness_panel() -> Vec<Marker> {
    let fa = std::fs::read_to_string(data().join("ref.fa")).expect("ref");
    let seq = fa.lines().nth(1).expect("seq").as_bytes().to_vec();
    let base = |pos: usize| (seq[pos - 1] as char).to_string();
    let alt = |b: String| if b == "A" { "C" } else { "A" }.to_string();
    let mk = |pos: usize, ref_allele: String, alt_allele: String| Marker {
        id: format!("c1:{pos}"),
        chrom: "c1".into(),
        pos: graftwatch_core::GenomicPosition::from_one_based(pos as u64).expect("1-based"),
        ref_allele,
        alt_allele,
    };
    vec![
        mk(1000, base(1000), alt(base(1000))),
        mk(1010, base(1010), alt(base(1010))),
        mk(1020, base(1020), format!("{}T", base(1020))),
        mk(1030, format!("{}{}", base(1030), base(1031)), base(1030)),
    ]
}

/// Counts input `name` as the harness does: its four markers, one thread.
fn run_harness_panel(name: &str) -> Result<(), BamCountError> {
    count_copy(name, &harness_panel(), Some(1))
}

/// Found by the third recorded `cram_count` hour (2026-12-04; the file as
/// the harness wrote it, CRC32s rewritten): a striped rANS Nx16 block whose order-1
/// sub-stream declares a compressed frequency table of 4 GB. noodles
/// allocated it and the process aborted (exit 134). The patched copy
/// (`vendor/noodles-cram`, PATCHES.md) refuses tables over 1 MiB (the
/// largest real one is under 263 kB).
#[test]
fn order_1_frequency_table_of_4gb_is_a_corrupt_file() {
    let e = run_harness_panel("order1-frequency-table-4gb.cram").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("order-1 frequency table of"), "{msg}");
    assert!(!e.is_internal(), "{msg}");
}

/// Found by the fourth recorded `cram_count` hour (2026-12-04; the file as
/// the harness wrote it): a record whose quality-score feature sits far past
/// its read length. noodles' quality-score iterator filled the gap with
/// "missing" scores up to the feature's position, and converting the record
/// pushed them until a 2 GB allocation aborted the process (exit 134). The
/// patched iterator (`vendor/noodles-cram`, PATCHES.md) stops at the read
/// length with an error.
#[test]
fn quality_scores_past_the_read_length_are_a_corrupt_file() {
    let e = run_harness_panel("quality-scores-past-read-length.cram").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("s.cram"), "{msg}");
    assert!(
        msg.contains("quality scores extend past the read length"),
        "{msg}"
    );
    assert!(!e.is_internal(), "{msg}");
}

//! BAM pileup counting at marker sites on arbitrary alignments.
//!
//! The input is an *uncompressed* BAM stream (magic, header, records), so
//! that mutations reach the header and record decoding and the counting
//! rules instead of dying in the BGZF checksums. The harness BGZF-compresses
//! it, indexes it with `ngs_run::index_bam` (the web upload's indexer: a
//! bounded header walk, then noodles, as `samtools index` would) and counts
//! SNV and indel markers against a fixed 2 kb reference with one thread.
//! Inputs whose first byte is `0xff` are written as they are (after that
//! byte) with no index, to exercise the format and index checks on raw bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam_with_threads};
use noodles::bgzf;

#[path = "common_file.rs"]
mod common_file;
#[path = "c1_panel.rs"]
mod c1_panel;
use c1_panel::{markers, reference};

fn write_indexed_bam(raw: &[u8]) -> Option<std::path::PathBuf> {
    let p = common_file::scratch("s.bam", b"");
    let file = std::fs::File::create(&p).ok()?;
    let mut w = bgzf::io::Writer::new(file);
    w.write_all(raw).ok()?;
    w.finish().ok()?;
    // graftwatch's own indexer (the web upload's path): bounded header
    // walk first, then noodles, as `samtools index` would.
    graftwatch_genomics_io::ngs_run::index_bam(&p, "fuzz.bam").ok()?;
    Some(p)
}

fuzz_target!(|data: &[u8]| {
    let filter = PileupFilter::default();
    if let Some((&0xff, rest)) = data.split_first() {
        let p = common_file::scratch("raw.bam", rest);
        let _ = count_bam_with_threads(&p, Some(reference()), markers(), &filter, 1);
        return;
    }
    if let Some(p) = write_indexed_bam(data) {
        let _ = count_bam_with_threads(&p, Some(reference()), markers(), &filter, 1);
        let _ = count_bam_with_threads(&p, None, &markers()[..2], &filter, 1);
    }
});

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
use std::sync::OnceLock;

use graftwatch_chimerism::Marker;
use graftwatch_core::GenomicPosition;
use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam_with_threads};
use noodles::bgzf;

#[path = "common_file.rs"]
mod common_file;

/// The reference of the seeds (`fuzz/corpus/bam_count/README`): contig c1.
const REF: &[u8] = include_bytes!("../corpus-src/bam_count/ref.fa");

fn reference() -> &'static std::path::Path {
    static P: OnceLock<std::path::PathBuf> = OnceLock::new();
    P.get_or_init(|| common_file::scratch("ref.fa", REF))
}

fn markers() -> &'static [Marker] {
    static M: OnceLock<Vec<Marker>> = OnceLock::new();
    M.get_or_init(|| {
        let seq: Vec<u8> = REF.split(|&b| b == b'\n').nth(1).expect("sequence line").to_vec();
        let base = |pos: usize| (seq[pos - 1] as char).to_string();
        let mk = |pos: usize, r: String, a: String| Marker {
            id: format!("c1:{pos}"),
            chrom: "c1".into(),
            pos: GenomicPosition::from_one_based(pos as u64).expect("positions start at 1"),
            ref_allele: r,
            alt_allele: a,
        };
        let alt = |b: &str| if b == "A" { "C".to_string() } else { "A".to_string() };
        let snv1 = base(1000);
        let snv2 = base(1010);
        vec![
            mk(1000, snv1.clone(), alt(&snv1)),
            mk(1010, snv2.clone(), alt(&snv2)),
            // An insertion and a deletion after position 1020.
            mk(1020, base(1020), format!("{}T", base(1020))),
            mk(1030, format!("{}{}", base(1030), base(1031)), base(1030)),
        ]
    })
}

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

//! CRAM pileup counting at marker sites on arbitrary bytes.
//!
//! The input is written as a `.cram` file, indexed with graftwatch's
//! `bam_count::index_cram` (the bounded container/block walk, then noodles'
//! indexer, as `samtools index` would), and counted at SNV and indel markers
//! against the fixed 2 kb reference of the `bam_count` seeds with one
//! thread. Seeds are the `bam_count` seed alignments written by samtools as
//! CRAM 3.0, 3.1 and archive mode (bzip2/LZMA), one with 3-read slices.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use graftwatch_chimerism::Marker;
use graftwatch_core::GenomicPosition;
use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam_with_threads, index_cram};

#[path = "common_file.rs"]
mod common_file;

/// The reference of the seeds (`fuzz/corpus-src/bam_count/ref.fa`): contig c1.
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
            mk(1020, base(1020), format!("{}T", base(1020))),
            mk(1030, format!("{}{}", base(1030), base(1031)), base(1030)),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let p = common_file::scratch("s.cram", data);
    let _ = std::fs::remove_file(p.with_extension("cram.crai"));
    if index_cram(&p).is_ok() {
        let filter = PileupFilter::default();
        let _ = count_bam_with_threads(&p, Some(reference()), markers(), &filter, 1);
    }
});

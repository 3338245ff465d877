//! The 2 kb reference of the `bam_count` seeds (contig c1) and the SNV,
//! insertion and deletion markers both alignment targets count.
use std::sync::OnceLock;

use graftwatch_chimerism::Marker;
use graftwatch_core::GenomicPosition;

use super::common_file;

/// The reference of the seeds (`fuzz/corpus/bam_count/README`): contig c1.
const REF: &[u8] = include_bytes!("../corpus-src/bam_count/ref.fa");

pub fn reference() -> &'static std::path::Path {
    static P: OnceLock<std::path::PathBuf> = OnceLock::new();
    P.get_or_init(|| common_file::scratch("ref.fa", REF))
}

pub fn markers() -> &'static [Marker] {
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


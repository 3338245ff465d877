//! Inputs that cannot be silently truncated: a VCF cut mid-record, a BGZF
//! file cut at a block boundary, records with the wrong number of columns
//! or FORMAT values, and a mixture VCF without FORMAT/AD are errors naming
//! the file (and the last good record).

use std::io::Write;
use std::path::PathBuf;

use graftwatch_chimerism::Marker;
use graftwatch_genomics_io::gz_input::BGZF_EOF;
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{VcfAdError, read_vcf_ad};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-integrity-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn markers() -> Vec<Marker> {
    (1..=3)
        .map(|i| Marker {
            id: format!("m{i}"),
            chrom: "chr1".into(),
            pos: graftwatch_core::GenomicPosition::from_one_based(100 * i).expect("1-based"),
            ref_allele: "A".into(),
            alt_allele: "G".into(),
        })
        .collect()
}

const VCF: &str = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tmix\n\
chr1\t100\t.\tA\tG\t.\t.\t.\tGT:AD\t0/1:6419,16\n\
chr1\t200\t.\tA\tG\t.\t.\t.\tGT:AD\t0/1:500,500\n\
chr1\t300\t.\tA\tG\t.\t.\t.\tGT:AD\t0/1:6419,16\n";

/// BGZF-compresses `text` in blocks of at most `block` bytes (as bgzip
/// does, one gzip member per block with the `BC` extra field), without
/// the end-of-file block.
fn bgzf_blocks(text: &[u8], block: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in text.chunks(block) {
        let mut deflated = Vec::new();
        let mut enc =
            flate2::write::DeflateEncoder::new(&mut deflated, flate2::Compression::default());
        enc.write_all(chunk).unwrap();
        enc.finish().unwrap();
        let bsize = u16::try_from(deflated.len() + 25).unwrap();
        out.extend_from_slice(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
        ]);
        out.extend_from_slice(&bsize.to_le_bytes());
        out.extend_from_slice(&deflated);
        let mut crc = flate2::Crc::new();
        crc.update(chunk);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&u32::try_from(chunk.len()).unwrap().to_le_bytes());
    }
    out
}

#[test]
fn vcf_cut_mid_record_is_truncated_naming_the_last_good_record() {
    // Cut inside the last AD value: "6419,16" would read as "6419,1".
    let cut = &VCF.as_bytes()[..VCF.len() - 2];
    let p = write("cut.vcf", cut);
    let e = read_vcf_ad(&p, "mix", &markers()).unwrap_err();
    assert!(matches!(e, VcfAdError::Truncated { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("cut.vcf") && msg.contains("truncated"),
        "{msg}"
    );
    assert!(msg.contains("chr1:200"), "last good record named: {msg}");
    // The whole file reads.
    let p = write("whole.vcf", VCF.as_bytes());
    let c = read_vcf_ad(&p, "mix", &markers()).unwrap();
    assert_eq!(c[2].unwrap().alt_count, 16);
}

#[test]
fn bgzf_cut_at_a_block_boundary_is_truncated() {
    let blocks = bgzf_blocks(VCF.as_bytes(), 60);
    let mut whole = blocks.clone();
    whole.extend_from_slice(&BGZF_EOF);
    let p = write("whole.vcf.gz", &whole);
    assert_eq!(read_vcf_ad(&p, "mix", &markers()).unwrap().len(), 3);
    // Drop the EOF block and the last data block: every member left is
    // complete, so only the missing EOF block shows the cut.
    let first_blocks = bgzf_blocks(&VCF.as_bytes()[..120], 60);
    let p = write("cut.vcf.gz", &first_blocks);
    let msg = read_vcf_ad(&p, "mix", &markers()).unwrap_err().to_string();
    assert!(
        msg.contains("cut.vcf.gz") && msg.contains("truncated"),
        "{msg}"
    );
    // A panel read through the same opener fails the same way.
    let msg = read_panel(&p).unwrap_err().to_string();
    assert!(msg.contains("truncated"), "{msg}");
}

#[test]
fn gzip_cut_mid_stream_is_an_error() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(VCF.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let p = write("cut-plain.vcf.gz", &gz[..gz.len() - 6]);
    assert!(read_vcf_ad(&p, "mix", &markers()).is_err());
}

#[test]
fn column_count_and_format_arity_are_checked() {
    let short = VCF.replace("\t.\tGT:AD\t0/1:500,500", "\tGT:AD\t0/1:500,500");
    let p = write("cols.vcf", short.as_bytes());
    let msg = read_vcf_ad(&p, "mix", &markers()).unwrap_err().to_string();
    assert!(
        msg.contains("cols.vcf:4") && msg.contains("columns"),
        "{msg}"
    );
    let extra = VCF.replace("0/1:500,500", "0/1:500,500:7");
    let p = write("arity.vcf", extra.as_bytes());
    let msg = read_vcf_ad(&p, "mix", &markers()).unwrap_err().to_string();
    assert!(
        msg.contains("arity.vcf:4") && msg.contains("FORMAT values"),
        "{msg}"
    );
}

#[test]
fn a_mixture_vcf_without_ad_says_so() {
    let no_ad = VCF
        .replace("GT:AD", "GT")
        .replace(":6419,16", "")
        .replace(":500,500", "");
    let p = write("noad.vcf", no_ad.as_bytes());
    let e = read_vcf_ad(&p, "mix", &markers()).unwrap_err();
    assert!(matches!(e, VcfAdError::NoAd { .. }), "{e}");
    assert!(e.to_string().contains("no FORMAT/AD") && e.to_string().contains("noad.vcf"));
}

//! Panel and FORMAT/AD / GT readers: accepted inputs, matching of
//! multi-ALT and `<*>` records, and errors naming file and line.

use std::io::Write;
use std::path::PathBuf;

use graftwatch_chimerism::ngs::{Genotype, NoCall};
use graftwatch_genomics_io::panel::{PanelError, read_panel};
use graftwatch_genomics_io::vcf_ad::{
    VcfAdError, normalise_pair, read_vcf_ad, read_vcf_gt, vcf_samples,
};

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gw-ngs-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const PANEL: &str = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t100\tsnp1\tA\tG\t.\t.\t.\nchr1\t200\t.\tCT\tC\t.\t.\t.\nchr2\t300\tins1\tG\tGTT\t.\t.\t.\n";

#[test]
fn reads_plain_and_gzipped_panels() {
    let p = write("panel.vcf", PANEL);
    let m = read_panel(&p).unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(m[1].id, "chr1:200:CT:C");
    assert!(m[1].is_indel() && !m[0].is_indel());
    let gz = p.with_extension("vcf.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(PANEL.as_bytes()).unwrap();
    enc.finish().unwrap();
    assert_eq!(read_panel(&gz).unwrap(), m);
}

fn panel_err(body: &str) -> String {
    let p = write("bad.vcf", &format!("#CHROM\tPOS\tID\tREF\tALT\n{body}"));
    let e = read_panel(&p).unwrap_err();
    assert!(matches!(e, PanelError::Format { line: 2, .. }), "{e}");
    e.to_string()
}

#[test]
fn rejects_bad_panel_records_naming_line() {
    assert!(panel_err("chr1\t100\ta\tA\tG,T\n").contains("multi-allelic"));
    assert!(panel_err("chr1\t100\ta\tA\t<DEL>\n").contains("symbolic"));
    assert!(panel_err("chr1\t100\ta\tACT\tAT\n").contains("trailing"));
    assert!(panel_err("chr1\t100\ta\tAC\tACG\n").contains("leading"));
    assert!(panel_err("chr1\tx\ta\tA\tG\n").contains("POS 'x'"));
    assert!(panel_err("chr1\t100\ta\tA\tA\n").contains("REF and ALT"));
    assert!(panel_err("chr1\t100\ta\tA\tQ\n").contains("'Q'"));
    let p = write(
        "dup.vcf",
        "#CHROM\tPOS\tID\tREF\tALT\nchr1\t100\ta\tA\tG\nchr1\t100\tb\tA\tT\n",
    );
    let e = read_panel(&p).unwrap_err();
    assert!(
        matches!(e, PanelError::Format { line: 3, .. }) && e.to_string().contains("duplicate site"),
        "{e}"
    );
    let p = write("empty.vcf", "##x\n#CHROM\tPOS\tID\tREF\tALT\n");
    assert!(matches!(
        read_panel(&p).unwrap_err(),
        PanelError::Empty { .. }
    ));
}

#[test]
fn normalises_padded_pairs() {
    let p = |n| graftwatch_core::GenomicPosition::from_one_based(n).unwrap();
    assert_eq!(
        normalise_pair(p(200), "CTT", "CT"),
        (p(200), "CT".into(), "C".into())
    );
    assert_eq!(
        normalise_pair(p(100), "A", "G"),
        (p(100), "A".into(), "G".into())
    );
    assert_eq!(
        normalise_pair(p(100), "GAC", "GAT"),
        (p(102), "C".into(), "T".into())
    );
}

const PILEUP: &str = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\trec\tpost\nchr1\t100\t.\tA\tG,<*>\t0\t.\t.\tPL:AD\t0,0,0:4990,10,0\t0,0,0:3000,1990,10\nchr1\t200\t.\tCTT\tC,CT,<*>\t0\t.\t.\tPL:AD\t0:100,2,900,0\t0:500,0,500,0\nchr2\t300\t.\tG\t<*>\t0\t.\t.\tPL:AD\t0:5000,0\t0:4000,3\n";

#[test]
fn matches_multi_alt_and_star_records() {
    let markers = read_panel(&write("p.vcf", PANEL)).unwrap();
    let v = write("pileup.vcf", PILEUP);
    assert_eq!(vcf_samples(&v).unwrap(), vec!["rec", "post"]);
    let rec = read_vcf_ad(&v, "rec", &markers).unwrap();
    let c0 = rec[0].unwrap();
    assert_eq!((c0.ref_count, c0.alt_count, c0.other), (4990, 10, 0));
    // CTT>CT normalises to CT>C (the marker, allele 2); CTT>C (2-bp deletion) is "other".
    let c1 = rec[1].unwrap();
    assert_eq!((c1.ref_count, c1.alt_count, c1.other), (100, 900, 2));
    // Insertion not listed at chr2:300: present with ALT = 0.
    let c2 = rec[2].unwrap();
    assert_eq!((c2.ref_count, c2.alt_count), (5000, 0));
    let post = read_vcf_ad(&v, "post", &markers).unwrap();
    assert_eq!(post[0].unwrap().alt_count, 1990);
}

#[test]
fn absent_markers_are_none() {
    let markers = read_panel(&write("p2.vcf", PANEL)).unwrap();
    let v = write(
        "partial.vcf",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\nchr1\t100\t.\tA\tG\t.\t.\t.\tAD\t5,5\n",
    );
    let c = read_vcf_ad(&v, "s", &markers).unwrap();
    assert!(c[0].is_some() && c[1].is_none() && c[2].is_none());
}

#[test]
fn errors_name_file_sample_and_line() {
    let markers = read_panel(&write("p3.vcf", PANEL)).unwrap();
    let v = write("pileup2.vcf", PILEUP);
    let e = read_vcf_ad(&v, "nobody", &markers).unwrap_err();
    assert!(matches!(e, VcfAdError::SampleNotFound { .. }));
    assert!(
        e.to_string().contains("pileup2.vcf") && e.to_string().contains("rec, post"),
        "{e}"
    );
    let bad = write(
        "badad.vcf",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\nchr1\t100\t.\tA\tG\t.\t.\t.\tAD\t5,x\n",
    );
    let e = read_vcf_ad(&bad, "s", &markers).unwrap_err();
    assert!(matches!(e, VcfAdError::Format { line: 2, .. }), "{e}");
    let bad = write(
        "badad2.vcf",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\nchr1\t100\t.\tA\tG\t.\t.\t.\tAD\t5,1,1\n",
    );
    assert!(
        read_vcf_ad(&bad, "s", &markers)
            .unwrap_err()
            .to_string()
            .contains("expected 2")
    );
    // The kind is told by content, not name: an empty "x.bcf" is not a VCF
    // and not a BCF (BCF inputs are tested in bcf_ad.rs).
    let bcf = write("x.bcf", "");
    let e = read_vcf_ad(&bcf, "s", &markers).unwrap_err();
    assert!(
        matches!(e, VcfAdError::Header { .. }) && e.to_string().contains("x.bcf"),
        "{e}"
    );
}

#[test]
fn reads_genotypes() {
    let markers = read_panel(&write("p4.vcf", PANEL)).unwrap();
    let v = write(
        "gt.vcf",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\nchr1\t100\t.\tA\tG\t.\t.\t.\tGT:GQ\t0/1:99\t1|1:99\nchr1\t200\t.\tCTT\tC,CT\t.\t.\t.\tGT\t0/2\t1/2\nchr2\t300\t.\tG\t.\t.\t.\t.\tGT\t0/0\t./.\n",
    );
    let a = read_vcf_gt(&v, "a", &markers).unwrap();
    assert_eq!(
        a,
        vec![Ok(Genotype::Het), Ok(Genotype::Het), Ok(Genotype::HomRef)]
    );
    let b = read_vcf_gt(&v, "b", &markers).unwrap();
    assert_eq!(
        b,
        vec![
            Ok(Genotype::HomAlt),
            Err(NoCall::Unsupported),
            Err(NoCall::Missing)
        ]
    );
}

#[test]
fn alt_missing_record_has_one_ad_value() {
    // `bcftools call` writes hom-ref sites with ALT "." and a single AD.
    let markers = read_panel(&write("p5.vcf", PANEL)).unwrap();
    let v = write(
        "altdot.vcf",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\nchr2\t300\t.\tG\t.\t.\t.\t.\tGT:AD\t0/0:5000\n",
    );
    let c = read_vcf_ad(&v, "s", &markers).unwrap();
    let c2 = c[2].unwrap();
    assert_eq!((c2.ref_count, c2.alt_count, c2.other), (5000, 0, 0));
    assert!(c[0].is_none() && c[1].is_none());
}

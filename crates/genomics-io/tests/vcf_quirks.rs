//! Caller quirks that real VCFs have, read through the noodles-based VCF
//! reader: FORMAT keys in another order, `.` values, multi-allelic records,
//! gVCF records (`<NON_REF>` ALT, reference blocks with `END`), a header
//! that defines AD differently, duplicate sample names. Each is handled or
//! is a clear error naming the file.

use std::path::{Path, PathBuf};

use graftwatch_chimerism::Marker;
use graftwatch_chimerism::ngs::{Genotype, NoCall};
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{VcfAdError, read_vcf_ad, read_vcf_gt, vcf_samples};

fn write(name: &str, text: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-quirks-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The (REF, ALT) read counts of the first marker of `m` in the VCF `v`
/// (sample `s`); panics when that marker has no AD.
fn first_ref_alt(v: &Path, m: &[Marker]) -> (u32, u32) {
    let c = read_vcf_ad(v, "s", m).unwrap()[0].unwrap();
    (c.ref_count, c.alt_count)
}

/// Asserts the genotype calls of sample `s` in the VCF `v` at the three
/// markers of [`PANEL`].
fn assert_genotypes(v: &Path, m: &[Marker], want: [Result<Genotype, NoCall>; 3]) {
    assert_eq!(read_vcf_gt(v, "s", m).unwrap(), want.to_vec());
}

const PANEL: &str = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t100\tsnp1\tA\tG\t.\t.\t.\nchr1\t200\tdel1\tCT\tC\t.\t.\t.\nchr1\t300\tsnp2\tG\tT\t.\t.\t.\n";

const COLS: &str = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\n";

#[test]
fn format_order_does_not_matter() {
    let m = read_panel(&write("p1.vcf", PANEL)).unwrap();
    let v = write(
        "order.vcf",
        &format!(
            "##fileformat=VCFv4.2\n{COLS}chr1\t100\t.\tA\tG\t.\t.\t.\tAD:DP:GT\t30,10:40:0/1\nchr1\t300\t.\tG\tT\t.\t.\t.\tGT:DP:AD\t1/1:7:0,7\n"
        ),
    );
    assert_eq!(first_ref_alt(&v, &m), (30, 10));
    let ad = read_vcf_ad(&v, "s", &m).unwrap();
    assert_eq!((ad[2].unwrap().ref_count, ad[2].unwrap().alt_count), (0, 7));
    assert_genotypes(
        &v,
        &m,
        [
            Ok(Genotype::Het),
            Err(NoCall::Missing),
            Ok(Genotype::HomAlt),
        ],
    );
}

#[test]
fn missing_values_are_absent_and_partly_missing_ad_is_an_error() {
    let m = read_panel(&write("p2.vcf", PANEL)).unwrap();
    // A whole sample ".", AD ".", AD ".,.", and trailing FORMAT fields
    // dropped (allowed by the VCF specification).
    let v = write(
        "dots.vcf",
        &format!(
            "{COLS}chr1\t100\t.\tA\tG\t.\t.\t.\tGT:AD\t.\nchr1\t200\t.\tCT\tC\t.\t.\t.\tGT:AD\t./.:.\nchr1\t300\t.\tG\tT\t.\t.\t.\tGT:AD\t0/1\n"
        ),
    );
    assert!(
        read_vcf_ad(&v, "s", &m)
            .unwrap()
            .iter()
            .all(Option::is_none)
    );
    assert_genotypes(
        &v,
        &m,
        [
            Err(NoCall::Missing),
            Err(NoCall::Missing),
            Ok(Genotype::Het),
        ],
    );
    let v = write(
        "dots2.vcf",
        &format!("{COLS}chr1\t100\t.\tA\tG\t.\t.\t.\tAD\t.,.\n"),
    );
    assert!(read_vcf_ad(&v, "s", &m).unwrap()[0].is_none());
    let v = write(
        "dots3.vcf",
        &format!("{COLS}chr1\t100\t.\tA\tG\t.\t.\t.\tAD\t5,.\n"),
    );
    let e = read_vcf_ad(&v, "s", &m).unwrap_err();
    assert!(matches!(e, VcfAdError::Format { line: 2, .. }), "{e}");
    assert!(
        e.to_string().contains("'5,.'") && e.to_string().contains("dots3.vcf"),
        "{e}"
    );
    let v = write(
        "neg.vcf",
        &format!("{COLS}chr1\t100\t.\tA\tG\t.\t.\t.\tAD\t5,-1\n"),
    );
    assert!(
        read_vcf_ad(&v, "s", &m)
            .unwrap_err()
            .to_string()
            .contains("read counts")
    );
}

#[test]
fn gvcf_records_read_as_far_as_they_speak_for_a_marker() {
    let m = read_panel(&write("p3.vcf", PANEL)).unwrap();
    // GATK HaplotypeCaller -ERC GVCF: a variant record with <NON_REF>, and
    // reference blocks (END=) without AD.
    let v = write(
        "g.vcf",
        &format!(
            "##fileformat=VCFv4.2\n##ALT=<ID=NON_REF,Description=\"Any other allele\">\n##INFO=<ID=END,Number=1,Type=Integer,Description=\"End\">\n\
{COLS}chr1\t100\t.\tA\tG,<NON_REF>\t50\t.\t.\tGT:AD:DP\t0/1:12,9,0:21\n\
chr1\t150\t.\tT\t<NON_REF>\t.\t.\tEND=250\tGT:DP:GQ\t0/0:30:90\n\
chr1\t300\t.\tG\t<NON_REF>\t.\t.\tEND=310\tGT:DP:GQ\t0/0:30:90\n"
        ),
    );
    assert_eq!(first_ref_alt(&v, &m), (12, 9));
    // Reference blocks carry no AD; a marker inside a block (del1 at 200)
    // is not at a record's position and is absent.
    let ad = read_vcf_ad(&v, "s", &m).unwrap();
    assert!(ad[1].is_none() && ad[2].is_none());
    // A block starting at the marker is hom-ref there; inside a block the
    // marker has no record of its own (not read as hom-ref).
    assert_genotypes(
        &v,
        &m,
        [
            Ok(Genotype::Het),
            Err(NoCall::Missing),
            Ok(Genotype::HomRef),
        ],
    );
}

#[test]
fn header_problems_are_clear_errors() {
    let m = read_panel(&write("p4.vcf", PANEL)).unwrap();
    let v = write(
        "dup.vcf",
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\ts\n",
    );
    let e = read_vcf_ad(&v, "s", &m).unwrap_err();
    assert!(
        matches!(e, VcfAdError::Header { .. }) && e.to_string().contains("duplicate sample"),
        "{e}"
    );
    assert!(vcf_samples(&v).is_err());
    // AD declared as a string: not read counts, said so.
    let v = write(
        "adstr.vcf",
        &format!(
            "##fileformat=VCFv4.2\n##FORMAT=<ID=AD,Number=1,Type=String,Description=\"x\">\n{COLS}chr1\t100\t.\tA\tG\t.\t.\t.\tAD\t5,5\n"
        ),
    );
    let e = read_vcf_ad(&v, "s", &m).unwrap_err().to_string();
    assert!(
        e.contains("adstr.vcf:4") && e.contains("read counts") && e.contains("Type"),
        "{e}"
    );
}

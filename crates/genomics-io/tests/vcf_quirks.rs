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

/// Reads `text` as a VCF with one sample `s` and returns its counts.
fn counts_of(name: &str, m: &[Marker], text: &str) -> graftwatch_genomics_io::vcf_ad::VcfCounts {
    graftwatch_genomics_io::vcf_ad::read_vcf_counts(&write(name, text), "s", m).unwrap()
}

#[test]
fn a_non_ref_allele_holding_reads_makes_an_unlisted_alt_unknown() {
    let m = read_panel(&write("p5.vcf", PANEL)).unwrap();
    // snp1 is A>G but the record lists only C: 3 reads of unlisted alleles
    // are pooled in <NON_REF>, some may be G. snp2's ALT T is listed.
    let c = counts_of(
        "nonref.vcf",
        &m,
        &format!(
            "##fileformat=VCFv4.2\n{COLS}chr1\t100\t.\tA\tC,<NON_REF>\t50\t.\t.\tGT:AD\t0/1:20,5,3\n\
chr1\t300\t.\tG\tT,<NON_REF>\t50\t.\t.\tGT:AD\t0/1:10,4,0\n"
        ),
    );
    assert_eq!(c.counts[0], None);
    assert_eq!(
        c.counts[2].map(|c| (c.ref_count, c.alt_count)),
        Some((10, 4))
    );
    assert!(
        c.notes.iter().any(|n| n
            == "marker snp1 (chr1:100; 3 reads in <NON_REF>) skipped: the record does not \
                          list the marker's ALT and <NON_REF> holds reads of unlisted alleles: its \
                          ALT reads are unknown"),
        "{:?}",
        c.notes
    );
}

const PLATYPUS_HEAD: &str = "##fileformat=VCFv4.0\n##source=Platypus_Version_0.8.1\n##INFO=<ID=END,Number=.,Type=Integer,Description=\"End position of reference call block\">\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Unphased genotypes\">\n##FORMAT=<ID=NR,Number=.,Type=Integer,Description=\"Number of reads covering variant location in this sample\">\n##FORMAT=<ID=NV,Number=.,Type=Integer,Description=\"Number of reads containing variant in this sample\">\n";

#[test]
fn platypus_multi_alt_records_and_reference_calls_are_skipped_with_a_reason() {
    let m = read_panel(&write("p6.vcf", PANEL)).unwrap();
    // A two-ALT record whose NV (208 + 95) exceeds NR (209): REF = NR - NV
    // is not defined. A REFCALL block (ALT N, END) covers del1 and snp2.
    let c = counts_of(
        "platypus.vcf",
        &m,
        &format!(
            "{PLATYPUS_HEAD}{COLS}chr1\t100\t.\tA\tG,T\t2962\tPASS\t.\tGT:NR:NV\t1/2:209,209:208,95\n\
chr1\t150\t.\tT\tN\t5\tREFCALL\tEND=350\tGT:NR:NV\t./.:2:0\n"
        ),
    );
    assert!(c.counts.iter().all(Option::is_none), "{:?}", c.counts);
    let has = |t: &str| c.notes.iter().any(|n| n.contains(t));
    assert!(
        has("marker snp1 (chr1:100) skipped: Platypus NR/NV at a record with 2 ALT alleles"),
        "{:?}",
        c.notes
    );
    assert!(
        has("2 markers skipped: in a reference block (INFO/END)")
            && has("del1 (chr1:200; block chr1:150-350), snp2 (chr1:300; block chr1:150-350)"),
        "{:?}",
        c.notes
    );
    // NV above NR is an error naming the file, line and fields.
    let v = write(
        "platypus_bad.vcf",
        &format!("{PLATYPUS_HEAD}{COLS}chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:NR:NV\t0/1:3:5\n"),
    );
    let e = read_vcf_ad(&v, "s", &m).unwrap_err().to_string();
    assert!(
        e.contains("platypus_bad.vcf:8")
            && e.contains("NR/NV of sample 's' NV 5 is more than NR 3"),
        "{e}"
    );
}

#[test]
fn genotype_quirks_haploid_phased_and_half_missing() {
    // chrX markers outside the pseudo-autosomal regions (GRCh38 and 37).
    let panel = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\
chr1\t100\tsnp1\tA\tG\t.\t.\t.\nchr1\t300\tsnp2\tG\tT\t.\t.\t.\nchr1\t400\tsnp3\tC\tA\t.\t.\t.\n\
chrX\t20000000\tx1\tC\tT\t.\t.\t.\nchrX\t20000100\tx2\tG\tA\t.\t.\t.\n";
    let m = read_panel(&write("p7.vcf", panel)).unwrap();
    let v = write(
        "gt.vcf",
        &format!(
            "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n{COLS}\
chr1\t100\t.\tA\tG\t.\t.\t.\tGT\t0|1\nchr1\t300\t.\tG\tT\t.\t.\t.\tGT\t1\nchr1\t400\t.\tC\tA\t.\t.\t.\tGT\t0/.\n\
chrX\t20000000\t.\tC\tT\t.\t.\t.\tGT\t1\nchrX\t20000100\t.\tG\tA\t.\t.\t.\tGT\t0\n"
        ),
    );
    // Phased het is het; a haploid call on an autosome is not diploid
    // (unsupported, not read as homozygous); half-missing is missing; a
    // male's haploid X call is hemizygous: 1 = HomAlt, 0 = HomRef.
    assert_eq!(
        read_vcf_gt(&v, "s", &m).unwrap(),
        vec![
            Ok(Genotype::Het),
            Err(NoCall::Unsupported),
            Err(NoCall::Missing),
            Ok(Genotype::HomAlt),
            Ok(Genotype::HomRef),
        ]
    );
}

#[test]
fn a_star_allele_holding_reads_makes_an_unlisted_alt_unknown_too() {
    let m = read_panel(&write("p8.vcf", PANEL)).unwrap();
    // bcftools mpileup / DeepVariant write `<*>` for unlisted alleles: with
    // 0 reads there the marker's ALT is 0, with reads it is unknown.
    let c = counts_of(
        "star.vcf",
        &m,
        &format!(
            "##fileformat=VCFv4.2\n{COLS}chr1\t100\t.\tA\tC,<*>\t0\t.\t.\tAD\t20,5,0\n\
chr1\t300\t.\tG\tA,<*>\t0\t.\t.\tAD\t10,1,2\n"
        ),
    );
    let got = c.counts[0].unwrap();
    assert_eq!((got.ref_count, got.alt_count, got.other), (20, 0, 5));
    assert_eq!(c.counts[2], None);
    assert!(
        c.notes.iter().any(|n| n.starts_with(
            "marker snp2 (chr1:300; 2 reads in <*>) skipped: the record does \
                                    not list the marker's ALT and <*> holds"
        )),
        "{:?}",
        c.notes
    );
}

/// A record repeated exactly (merged exports) is read once; two records of
/// one marker with different read counts leave the marker out with a note
/// (audit: a VCF with a duplicated, edited record was read silently, the
/// later record winning).
#[test]
fn two_records_of_one_marker_with_different_counts_skip_it_with_a_note() {
    use graftwatch_genomics_io::vcf_ad::read_vcf_counts;
    let m = read_panel(&write("p-dup.vcf", PANEL)).unwrap();
    let rec = "chr1\t100\t.\tA\tG\t.\t.\t.\tGT:AD\t0/1:30,10\n";
    let same = write(
        "dup-same.vcf",
        &format!("##fileformat=VCFv4.2\n{COLS}{rec}{rec}"),
    );
    let c = read_vcf_counts(&same, "s", &m).unwrap();
    assert_eq!(
        c.counts[0].map(|c| (c.ref_count, c.alt_count)),
        Some((30, 10))
    );
    assert!(c.notes.is_empty(), "{:?}", c.notes);
    let differ = write(
        "dup-differ.vcf",
        &format!(
            "##fileformat=VCFv4.2\n{COLS}{rec}chr1\t100\t.\tA\tG\t.\t.\t.\tGT:AD\t0/1:12,40\nchr1\t300\t.\tG\tT\t.\t.\t.\tGT:AD\t0/1:5,6\n"
        ),
    );
    let c = read_vcf_counts(&differ, "s", &m).unwrap();
    assert_eq!(c.counts[0], None);
    assert!(c.counts[2].is_some());
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("different read counts") && n.contains("snp1")),
        "{:?}",
        c.notes
    );
}

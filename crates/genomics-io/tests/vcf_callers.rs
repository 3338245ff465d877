//! Read counts from real VCFs written by other variant callers
//! (`tests/data/vcf-callers/`, sources and licences in its README): each
//! test reads named records and checks the exact counts against the
//! file's text. freebayes RO/AO, VarScan2 RD/AD, Platypus NR/NV, Strelka
//! AU/CU/GU/TU and TAR/TIR, GATK and freebayes gVCF reference blocks. The
//! same files converted to BCF with `bcftools view -Ob` at test time give
//! exactly the same counts (one field logic, `count_fields`, for both).
//!
//! Needs bcftools for the BCF test (a missing tool fails it with its name).

mod bam_common;

use std::path::{Path, PathBuf};

use graftwatch_chimerism::{AlleleCounts, Marker};
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{VcfAdError, VcfCounts, read_vcf_ad, read_vcf_counts};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vcf-callers")
        .join(name)
}

fn tmp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-callers-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A panel of biallelic markers `(chrom, pos, ref, alt)`, ids `m1`, `m2` …
fn panel(name: &str, sites: &[(&str, u64, &str, &str)]) -> Vec<Marker> {
    let mut text =
        String::from("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    for (i, (c, p, r, a)) in sites.iter().enumerate() {
        text.push_str(&format!("{c}\t{p}\tm{}\t{r}\t{a}\t.\t.\t.\n", i + 1));
    }
    let p = tmp().join(format!("{name}.panel.vcf"));
    std::fs::write(&p, text).unwrap();
    read_panel(&p).unwrap()
}

/// (REF, ALT) reads of each marker (`None`: no counts).
fn ref_alt(c: &[Option<AlleleCounts>]) -> Vec<Option<(u32, u32)>> {
    c.iter()
        .map(|c| c.map(|c| (c.ref_count, c.alt_count)))
        .collect()
}

fn counts(file: &str, sample: &str, m: &[Marker]) -> VcfCounts {
    read_vcf_counts(&data(file), sample, m).unwrap()
}

fn has_note(c: &VcfCounts, text: &str) -> bool {
    c.notes.iter().any(|n| n.contains(text))
}

#[test]
fn freebayes_1_3_ad_is_read_first_and_needs_no_note() {
    // q 186 T C ... GT:DP:AD:RO:QR:AO:QA:GL 0/1:41:25,16:25:953:16:591:…
    // q 382 C G ... 0/0:35:33,2:33:1275:2:73:…
    let m = panel("fb13", &[("q", 186, "T", "C"), ("q", 382, "C", "G")]);
    let c = counts("freebayes_v1.3.10_tiny_chr22.vcf", "1", &m);
    assert_eq!(ref_alt(&c.counts), [Some((25, 16)), Some((33, 2))]);
    assert!(c.notes.is_empty(), "{:?}", c.notes);
}

#[test]
fn freebayes_0_9_without_ad_is_read_from_ro_ao() {
    // 1 13036736 T A ... GT:DP:RO:QR:AO:QA:GL, 17 samples; NA12877 is all
    // ".", NA12879 0/1:5:3:88:2:59, NA12880 0/1:8:7:215:1:33, NA12883
    // 1/1:2:0:0:2:53.
    let m = panel("fb09", &[("1", 13036736, "T", "A")]);
    let file = "freebayes_v0.9.14_17_samples.vcf";
    for (sample, want) in [
        ("NA12879", Some((3, 2))),
        ("NA12880", Some((7, 1))),
        ("NA12883", Some((0, 2))),
        ("NA12877", None),
    ] {
        let c = counts(file, sample, &m);
        assert_eq!(ref_alt(&c.counts), [want], "{sample}");
        if want.is_some() {
            assert!(
                has_note(&c, "RO and AO (freebayes) (1 record"),
                "{:?}",
                c.notes
            );
        }
    }
}

#[test]
fn varscan2_ad_number_1_is_the_alt_depth_next_to_rd() {
    // chr1 13116 T G … GT:GQ:DP:RD:AD:FREQ:DP4 0/1:.:14:12:2:… 0/1:.:15:7:8:…
    // chr1 14948 G A … 0/0:.:171:160:11:… 0/1:.:303:259:42:…
    // chr1 15274 A T … 0/1:.:21:0:15:… 1/1:.:26:0:22:…
    let m = panel(
        "vs",
        &[
            ("chr1", 13116, "T", "G"),
            ("chr1", 14948, "G", "A"),
            ("chr1", 15274, "A", "T"),
        ],
    );
    let n = counts("varscan2_somatic_snp.vcf", "NORMAL", &m);
    assert_eq!(
        ref_alt(&n.counts),
        [Some((12, 2)), Some((160, 11)), Some((0, 15))]
    );
    let t = counts("varscan2_somatic_snp.vcf", "TUMOR", &m);
    assert_eq!(
        ref_alt(&t.counts),
        [Some((7, 8)), Some((259, 42)), Some((0, 22))]
    );
    assert!(has_note(
        &t,
        "RD (REF) and AD declared Number=1 as the ALT depth (VarScan2) (3 records"
    ));
}

#[test]
fn an_alt_only_ad_without_rd_is_refused_not_misread() {
    // The VarScan2 file without its RD definition: AD (Number=1) alone
    // cannot give the REF reads.
    let text = std::fs::read_to_string(data("varscan2_somatic_snp.vcf")).unwrap();
    let no_rd: String = text
        .lines()
        .filter(|l| !l.starts_with("##FORMAT=<ID=RD,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let p = tmp().join("varscan_no_rd.vcf");
    std::fs::write(&p, no_rd).unwrap();
    let m = panel("vsnord", &[("chr1", 13116, "T", "G")]);
    let e = read_vcf_ad(&p, "TUMOR", &m).unwrap_err();
    assert!(matches!(e, VcfAdError::Header { .. }), "{e:?}");
    let e = e.to_string();
    assert!(
        e.contains("varscan_no_rd.vcf")
            && e.contains("AD with Number=1")
            && e.contains("no FORMAT/RD"),
        "{e}"
    );
}

#[test]
fn platypus_ref_is_nr_minus_nv() {
    // 20 2090925 C T … GT:GL:GOF:GQ:NR:NV 0/1:…:97:47 0/0:…:93:0 0/0:…:60:0
    // 20 38290154 GA G … 0/1:…:89:36 0/0:…:79:1 0/0:…:73:2
    let m = panel(
        "pl",
        &[("20", 2090925, "C", "T"), ("20", 38290154, "GA", "G")],
    );
    let file = "platypus_0.4.0_trio_chr20.vcf";
    let kid = counts(file, "NA12878", &m);
    assert_eq!(ref_alt(&kid.counts), [Some((50, 47)), Some((53, 36))]);
    assert!(has_note(
        &kid,
        "NR and NV, REF = NR - NV (Platypus) (2 records"
    ));
    assert_eq!(
        ref_alt(&counts(file, "NA12891", &m).counts),
        [Some((93, 0)), Some((78, 1))]
    );
    assert_eq!(
        ref_alt(&counts(file, "NA12892", &m).counts),
        [Some((60, 0)), Some((71, 2))]
    );
}

#[test]
fn strelka_snvs_read_the_tier_1_counts_of_the_ref_and_alt_bases() {
    // chr1 14522 G A … AU:CU:GU:TU NORMAL 0,0:1,1:19,23:0,0 TUMOR 6,6:0,0:26,30:0,0
    // chr1 1390707 T C … NORMAL 0,0:0,0:2,3:34,36 TUMOR 0,0:13,13:3,3:25,25
    // chr1 1651082 T . (no ALT) … NORMAL 0,0:0,0:0,0:6,6 TUMOR 3,3:0,0:0,0:15,16
    let m = panel(
        "sk",
        &[
            ("chr1", 14522, "G", "A"),
            ("chr1", 1390707, "T", "C"),
            ("chr1", 1651082, "T", "A"),
        ],
    );
    let file = "strelka_somatic_snvs.vcf";
    let t = counts(file, "TUMOR", &m);
    // The ALT '.' record still knows its A reads (AU tier 1 = 3).
    assert_eq!(
        ref_alt(&t.counts),
        [Some((26, 6)), Some((25, 13)), Some((15, 3))]
    );
    assert_eq!(t.counts[0].unwrap().other, 0);
    assert_eq!(t.counts[1].unwrap().other, 3, "the G reads of chr1:1390707");
    assert!(has_note(&t, "tier-1 FORMAT/AU, CU, GU, TU"));
    let n = counts(file, "NORMAL", &m);
    assert_eq!(
        ref_alt(&n.counts),
        [Some((19, 0)), Some((34, 0)), Some((6, 0))]
    );
    assert_eq!(n.counts[0].unwrap().other, 1, "one C read at chr1:14522");
}

#[test]
fn strelka_indels_read_tier_1_tar_and_tir() {
    // chr1 1333831 GA G … TAR:TIR NORMAL 27,27:0,0 TUMOR 24,25:12,12
    // chr1 894535 G GC … NORMAL 10,10:0,0 TUMOR 7,7:3,3
    let m = panel(
        "si",
        &[("chr1", 894535, "G", "GC"), ("chr1", 1333831, "GA", "G")],
    );
    let file = "strelka_somatic_indels.vcf";
    assert_eq!(
        ref_alt(&counts(file, "TUMOR", &m).counts),
        [Some((7, 3)), Some((24, 12))]
    );
    let n = counts(file, "NORMAL", &m);
    assert_eq!(ref_alt(&n.counts), [Some((10, 0)), Some((27, 0))]);
    assert!(has_note(&n, "TAR (REF) and TIR (indel)"));
}

#[test]
fn gatk_gvcf_variant_records_are_read_and_reference_blocks_skip_with_a_reason() {
    // 20 9999996 A ACT,<NON_REF> … AD 0,84,0
    // 20 10000117 C T,<NON_REF> … AD 36,28,0
    // 20 10000118 T <NON_REF> END=10000210 (no AD)
    // 20 10000211 C T,<NON_REF> … AD 26,27,0
    let m = panel(
        "gatk",
        &[
            ("20", 9999996, "A", "ACT"),
            ("20", 10000117, "C", "T"),
            ("20", 10000150, "T", "C"),
            ("20", 10000211, "C", "T"),
        ],
    );
    let c = counts("gatk3.4_haplotypecaller_gvcf.g.vcf", "NA12878", &m);
    assert_eq!(
        ref_alt(&c.counts),
        [Some((0, 84)), Some((36, 28)), None, Some((26, 27))]
    );
    assert!(
        has_note(
            &c,
            "marker m3 (20:10000150; block 20:10000118-10000210) skipped: in a reference block (INFO/END)"
        ),
        "{:?}",
        c.notes
    );
    // A marker whose ALT the variant record does not list: <NON_REF> holds
    // 0 reads, so its ALT reads are known to be 0.
    let other_alt = panel("gatk2", &[("20", 10000117, "C", "G")]);
    let c = counts("gatk3.4_haplotypecaller_gvcf.g.vcf", "NA12878", &other_alt);
    let got = c.counts[0].unwrap();
    assert_eq!((got.ref_count, got.alt_count, got.other), (36, 0, 28));
}

#[test]
fn freebayes_gvcf_blocks_give_no_counts_even_with_ro_ao() {
    // q 2 A <*> END=185 … RO 21 AO 0 (a block, not per-site counts)
    // q 188 T <*> END=381; q 959 C <*> END=959 … RO 37 AO 1
    let m = panel(
        "fbg",
        &[
            ("q", 2, "A", "G"),
            ("q", 186, "T", "C"),
            ("q", 200, "T", "G"),
            ("q", 959, "C", "T"),
        ],
    );
    let c = counts("freebayes_v1.3.10_tiny_chr22_gvcf.vcf", "1", &m);
    assert_eq!(ref_alt(&c.counts), [None, Some((25, 16)), None, None]);
    // One note for the three markers in reference blocks, each named.
    assert_eq!(
        c.notes,
        [
            "3 markers skipped: in a reference block (INFO/END): a gVCF or reference-call block \
          gives no per-site ALT read count: m1 (q:2; block q:2-185), m3 (q:200; block q:188-381), \
          m4 (q:959; block q:959-959)"
        ]
    );
}

/// Every marker of the files above, per file and sample: the BCF made by
/// `bcftools view -Ob` gives exactly the VCF's counts.
#[test]
fn bcf_of_each_real_file_gives_the_same_counts() {
    bam_common::require_tool("bcftools");
    let dir = tmp();
    let cases: [(&str, &[&str], Vec<Marker>); 5] = [
        (
            "freebayes_v0.9.14_17_samples.vcf",
            &["NA12879", "NA12883", "NA12877"],
            panel("b1", &[("1", 13036736, "T", "A")]),
        ),
        (
            "varscan2_somatic_snp.vcf",
            &["NORMAL", "TUMOR"],
            panel(
                "b2",
                &[("chr1", 13116, "T", "G"), ("chr1", 14948, "G", "A")],
            ),
        ),
        (
            "platypus_0.4.0_trio_chr20.vcf",
            &["NA12878", "NA12892"],
            panel(
                "b3",
                &[("20", 2090925, "C", "T"), ("20", 38290154, "GA", "G")],
            ),
        ),
        (
            "strelka_somatic_snvs.vcf",
            &["NORMAL", "TUMOR"],
            panel(
                "b4",
                &[("chr1", 14522, "G", "A"), ("chr1", 1651082, "T", "A")],
            ),
        ),
        (
            "gatk3.4_haplotypecaller_gvcf.g.vcf",
            &["NA12878"],
            panel(
                "b5",
                &[("20", 10000117, "C", "T"), ("20", 10000150, "T", "C")],
            ),
        ),
    ];
    for (file, samples, m) in &cases {
        let bcf = dir.join(format!("{file}.bcf"));
        let defined = dir.join(format!("{file}.defined.vcf"));
        std::fs::write(&defined, with_definitions(&data(file))).unwrap();
        bam_common::sh(
            &dir,
            &format!(
                "bcftools view -Ob -o {} {} 2>/dev/null",
                bcf.display(),
                defined.display()
            ),
        );
        let mut read = 0;
        for s in *samples {
            let from_vcf = read_vcf_counts(&data(file), s, m).unwrap();
            let from_bcf = read_vcf_counts(&bcf, s, m).unwrap();
            assert_eq!(from_bcf.counts, from_vcf.counts, "{file} {s}");
            assert_eq!(from_bcf.notes, from_vcf.notes, "{file} {s}");
            read += from_bcf.counts.iter().flatten().count();
        }
        assert!(read > 0, "{file}: no counts read");
    }
}

/// The VCF text with a definition for every INFO key and contig its
/// records use and its header lacks (BCF needs them; the excerpts' headers
/// are abridged and VarScan2 writes no `##contig`). FORMAT is untouched.
fn with_definitions(vcf: &Path) -> String {
    let text = std::fs::read_to_string(vcf).unwrap();
    let (mut meta, mut chrom, mut body) = (String::new(), String::new(), String::new());
    let mut wanted: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("##") {
            meta.push_str(line);
            meta.push('\n');
        } else if line.starts_with('#') {
            chrom = format!("{line}\n");
        } else {
            let f: Vec<&str> = line.split('\t').collect();
            wanted.push(format!("##contig=<ID={}>", f[0]));
            for kv in f[7].split(';').filter(|kv| *kv != ".") {
                let key = kv.split('=').next().unwrap();
                let (n, t) = if kv.contains('=') {
                    (".", "String")
                } else {
                    ("0", "Flag")
                };
                wanted.push(format!(
                    "##INFO=<ID={key},Number={n},Type={t},Description=\"added for the BCF test\">"
                ));
            }
            body.push_str(line);
            body.push('\n');
        }
    }
    for w in wanted {
        let id = w.split(['=', ',', '>']).nth(2).unwrap();
        let kind = if w.starts_with("##contig") {
            "##contig=<ID="
        } else {
            "##INFO=<ID="
        };
        let defined = meta.lines().any(|l| {
            l.starts_with(&format!("{kind}{id},")) || l.starts_with(&format!("{kind}{id}>"))
        });
        if !defined {
            meta.push_str(&w);
            meta.push('\n');
        }
    }
    format!("{meta}{chrom}{body}")
}

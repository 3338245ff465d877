//! BCF input of FORMAT/AD and GT: every BCF here is made at test time from
//! a VCF with `bcftools view -Ob` (BGZF), `-Ou` (BGZF, level 0) and
//! `bgzip -d` of the former (raw BCF, no BGZF framing), and must give, for
//! every marker and every sample, exactly what the VCF gives. Bad BCFs
//! (truncated, corrupt, wrong sample, malformed AD) are errors naming the
//! file — never a panic.
//!
//! Needs bcftools and bgzip (and python3, bwa, samtools, tabix for the
//! simulated mpileup); a missing tool fails the test with its name.

mod bam_common;

use std::path::{Path, PathBuf};

use bam_common::{bcftools_pileup, require_tool, scratch, sh, simulate_and_align};
use graftwatch_chimerism::Marker;
use graftwatch_chimerism::ngs::{Genotype, NoCall};
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{VcfAdError, read_vcf_ad, read_vcf_gt, vcf_samples};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The three BCF forms of `vcf` (file names `stem.b.bcf`, `stem.u.bcf`,
/// `stem.raw.bcf` in `dir`).
fn to_bcfs(dir: &Path, vcf: &Path, stem: &str) -> Vec<PathBuf> {
    require_tool("bcftools");
    require_tool("bgzip");
    let v = vcf.display();
    sh(
        dir,
        &format!(
            "bcftools view -Ob -o {stem}.b.bcf {v} 2>/dev/null && \
             bcftools view -Ou -o {stem}.u.bcf {v} 2>/dev/null && \
             bgzip -dc {stem}.b.bcf > {stem}.raw.bcf"
        ),
    );
    ["b", "u", "raw"]
        .iter()
        .map(|k| dir.join(format!("{stem}.{k}.bcf")))
        .collect()
}

/// Asserts that every BCF form gives the VCF's AD and GT for every sample
/// at every marker; returns the VCF's AD per sample.
fn assert_same_as_vcf(
    vcf: &Path,
    bcfs: &[PathBuf],
    markers: &[Marker],
) -> Vec<(String, Vec<Option<graftwatch_chimerism::AlleleCounts>>)> {
    let samples = vcf_samples(vcf).unwrap();
    assert!(!samples.is_empty());
    let mut out = Vec::new();
    for s in &samples {
        let ad = read_vcf_ad(vcf, s, markers).unwrap();
        let gt = read_vcf_gt(vcf, s, markers).unwrap();
        for b in bcfs {
            assert_eq!(vcf_samples(b).unwrap(), samples, "{}", b.display());
            let bad = read_vcf_ad(b, s, markers).unwrap();
            for (i, m) in markers.iter().enumerate() {
                assert_eq!(bad[i], ad[i], "AD of {s} at {} in {}", m.id, b.display());
            }
            assert_eq!(
                read_vcf_gt(b, s, markers).unwrap(),
                gt,
                "GT of {s} in {}",
                b.display()
            );
        }
        out.push((s.clone(), ad));
    }
    out
}

const HEADER: &str = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=100000>\n##contig=<ID=chr2,length=100000>\n##ALT=<ID=*,Description=\"Any other allele\">\n##INFO=<ID=INDEL,Number=0,Type=Flag,Description=\"Indel\">\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"PL\">\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n";

const PANEL: &str = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t100\tsnp1\tA\tG\t.\t.\t.\nchr1\t200\tdel1\tCT\tC\t.\t.\t.\nchr2\t300\tins1\tG\tGTT\t.\t.\t.\nchr2\t400\tsnp2\tC\tT\t.\t.\t.\nchr2\t500\tsnp3\tT\tA\t.\t.\t.\n";

/// Multi-ALT SNP, a padded multi-ALT indel record (CTT>C,CT: the marker is
/// ALT 2), a site without the marker's ALT, large depths (int32 AD), a
/// missing AD, and a marker with no record.
fn records() -> String {
    format!(
        "{HEADER}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\trec\tpost\tdon\n\
chr1\t100\t.\tA\tG,T,<*>\t0\t.\t.\tGT:PL:AD\t0/0:0,0,0,0,0,0,0,0,0,0:4990,10,1,0\t0/1:0,0,0,0,0,0,0,0,0,0:3000,1990,10,0\t1/1:0,0,0,0,0,0,0,0,0,0:2,70000,0,3\n\
chr1\t200\t.\tCTT\tC,CT,<*>\t0\t.\tINDEL\tGT:AD\t0/2:100,2,900,0\t2/2:500,0,500,0\t0/1:7,8,9,10\n\
chr2\t300\t.\tG\t<*>\t0\t.\t.\tGT:AD\t0/0:5000,0\t0/0:4000,3\t./.:.\n\
chr2\t400\t.\tC\tT,<*>\t0\t.\t.\tGT:AD\t0|1:40000,41000,0\t1|1:0,129,0\t0/0:127,0,0\n"
    )
}

#[test]
fn handmade_records_match_vcf_in_every_bcf_form() {
    let dir = scratch("bcf-handmade");
    let markers = read_panel(&write_text(&dir, "panel.vcf", PANEL)).unwrap();
    let vcf = write_text(&dir, "calls.vcf", &records());
    let bcfs = to_bcfs(&dir, &vcf, "calls");
    let ad = assert_same_as_vcf(&vcf, &bcfs, &markers);
    let get = |s: usize, m: usize| ad[s].1[m].map(|c| (c.ref_count, c.alt_count, c.other));
    // The VCF path itself (and so the BCF) reads what the records say.
    assert_eq!(get(0, 0), Some((4990, 10, 1)));
    assert_eq!(get(2, 0), Some((2, 70000, 3)));
    assert_eq!(get(0, 1), Some((100, 900, 2)));
    assert_eq!(get(2, 1), Some((7, 9, 18)));
    assert_eq!(get(0, 2), Some((5000, 0, 0)));
    assert_eq!(get(2, 2), None); // AD "."
    assert_eq!(get(0, 3), Some((40000, 41000, 0)));
    assert_eq!(get(1, 4), None); // no record
    let gt = read_vcf_gt(&bcfs[0], "post", &markers).unwrap();
    assert_eq!(
        gt,
        vec![
            Ok(Genotype::Het),
            Ok(Genotype::HomAlt),
            Ok(Genotype::HomRef),
            Ok(Genotype::HomAlt),
            Err(NoCall::Missing)
        ]
    );
    let gt = read_vcf_gt(&bcfs[1], "don", &markers).unwrap();
    assert_eq!(gt[1], Err(NoCall::Unsupported)); // 0/1 = the 2-bp deletion
    assert_eq!(gt[2], Err(NoCall::Missing));
}

fn write_text(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn example_pileup_and_genotype_vcfs_match_as_bcf() {
    let dir = scratch("bcf-examples");
    let ex = repo_root().join("examples/ngs");
    let markers = read_panel(&ex.join("panel.vcf")).unwrap();
    let pileup = ex.join("pileup.vcf");
    let ad = assert_same_as_vcf(&pileup, &to_bcfs(&dir, &pileup, "pileup"), &markers);
    assert_eq!(ad.len(), 7);
    for (s, counts) in &ad {
        assert!(counts.iter().all(Option::is_some), "{s}");
    }
    let gt = ex.join("genotypes.vcf");
    assert_same_as_vcf(&gt, &to_bcfs(&dir, &gt, "genotypes"), &markers);
}

/// Real `bcftools mpileup -a AD` output of two simulated samples (paired
/// and single-end reads) at 48 SNVs and 24 indels: multi-ALT `<*>` records,
/// indels in repeats.
#[test]
fn mpileup_of_simulated_reads_matches_as_bcf() {
    let dir = scratch("bcf-mpileup");
    simulate_and_align(&dir, 1500, 7);
    bcftools_pileup(&dir, "sample.bam se.bam", "two.vcf");
    let markers = read_panel(&dir.join("panel.vcf")).unwrap();
    let vcf = dir.join("two.vcf");
    let mut bcfs = to_bcfs(&dir, &vcf, "two");
    // mpileup writing BCF directly.
    sh(
        &dir,
        "bcftools mpileup -f ref.fa -T panel.vcf.gz -a AD -B -Q 13 -q 0 -d 1000000 -L 1000000 \
         -m 1 -F 0 --ignore-RG --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY -Ob -o direct.bcf \
         sample.bam se.bam 2>/dev/null",
    );
    bcfs.push(dir.join("direct.bcf"));
    let ad = assert_same_as_vcf(&vcf, &bcfs, &markers);
    assert_eq!(ad.len(), 2);
    for (s, counts) in &ad {
        let with_alt = |indel: bool| {
            markers
                .iter()
                .zip(counts)
                .filter(|(m, c)| m.is_indel() == indel && c.is_some_and(|c| c.alt_count > 0))
                .count()
        };
        // Every marker is covered; most carry the ALT allele in this mix.
        assert!(counts.iter().all(Option::is_some), "{s}");
        assert!(with_alt(false) >= 30 && with_alt(true) >= 12, "{s}");
    }
}

fn handmade_bcf(dir: &Path) -> (Vec<Marker>, PathBuf, PathBuf) {
    let markers = read_panel(&write_text(dir, "panel.vcf", PANEL)).unwrap();
    let vcf = write_text(dir, "calls.vcf", &records());
    let bcfs = to_bcfs(dir, &vcf, "calls");
    (markers, bcfs[0].clone(), bcfs[2].clone())
}

#[test]
fn wrong_sample_lists_the_samples() {
    let dir = scratch("bcf-sample");
    let (markers, bgzf, raw) = handmade_bcf(&dir);
    for b in [&bgzf, &raw] {
        let e = read_vcf_ad(b, "nobody", &markers).unwrap_err();
        assert!(matches!(e, VcfAdError::SampleNotFound { .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains(&b.display().to_string()) && msg.contains("rec, post, don"),
            "{msg}"
        );
    }
}

#[test]
fn truncated_bcf_is_an_error_naming_the_file() {
    let dir = scratch("bcf-trunc");
    let (markers, bgzf, raw) = handmade_bcf(&dir);
    for src in [&bgzf, &raw] {
        let bytes = std::fs::read(src).unwrap();
        // Inside the magic, inside the header, just after it, and one byte
        // short of the end (always inside the last record or the BGZF EOF
        // block).
        for cut in [2, 40, bytes.len() / 2, bytes.len() - 1] {
            let p = dir.join(format!("cut{cut}.bcf"));
            std::fs::write(&p, &bytes[..cut]).unwrap();
            let e = read_vcf_ad(&p, "rec", &markers).unwrap_err();
            assert!(
                e.to_string().contains(&p.display().to_string()),
                "cut {cut} of {}: {e}",
                src.display()
            );
        }
    }
    // A BGZF BCF cut at a block boundary (the EOF block dropped) is caught
    // (by the shared gzip/BGZF opener, before the BCF reader).
    let bytes = std::fs::read(&bgzf).unwrap();
    let p = dir.join("noeof.bcf");
    std::fs::write(&p, &bytes[..bytes.len() - 28]).unwrap();
    let e = read_vcf_ad(&p, "rec", &markers).unwrap_err().to_string();
    assert!(
        e.contains("truncated") && e.contains("end-of-file block") && e.contains("noeof.bcf"),
        "{e}"
    );
    // Raw BCF cut inside the records: the record is named.
    let bytes = std::fs::read(&raw).unwrap();
    let p = dir.join("rawcut.bcf");
    std::fs::write(&p, &bytes[..bytes.len() - 3]).unwrap();
    let e = read_vcf_ad(&p, "rec", &markers).unwrap_err();
    assert!(matches!(e, VcfAdError::BcfRecord { record: 4, .. }), "{e}");
}

/// Every single-byte corruption of the raw BCF (each byte inverted, and its
/// low bit flipped) gives a
/// result or an error, never a panic.
#[test]
fn corrupt_bcf_never_panics() {
    let dir = scratch("bcf-corrupt");
    let (markers, _, raw) = handmade_bcf(&dir);
    let bytes = std::fs::read(&raw).unwrap();
    let p = dir.join("flip.bcf");
    let mut errors = 0;
    for (i, flip) in (0..bytes.len()).flat_map(|i| [(i, 0xffu8), (i, 0x01)]) {
        let mut b = bytes.clone();
        b[i] ^= flip;
        std::fs::write(&p, &b).unwrap();
        for s in ["rec", "don"] {
            errors += usize::from(read_vcf_ad(&p, s, &markers).is_err());
            errors += usize::from(read_vcf_gt(&p, s, &markers).is_err());
        }
    }
    assert!(errors > 0);
}

#[test]
fn malformed_ad_names_record_and_site() {
    let dir = scratch("bcf-badad");
    let markers = read_panel(&write_text(&dir, "panel.vcf", PANEL)).unwrap();
    // AD declared Number=. so that bcftools writes 3 values for 2 alleles.
    let text = format!(
        "{}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\n\
chr1\t50\t.\tA\tC\t0\t.\t.\tAD\t1,2,3\n\
chr1\t100\t.\tA\tG\t0\t.\t.\tAD\t5,1,1\n",
        HEADER.replace("ID=AD,Number=R", "ID=AD,Number=.")
    );
    let vcf = write_text(&dir, "badad.vcf", &text);
    let vcf_err = read_vcf_ad(&vcf, "s", &markers).unwrap_err().to_string();
    assert!(vcf_err.contains("expected 2"), "{vcf_err}");
    for b in to_bcfs(&dir, &vcf, "badad") {
        let e = read_vcf_ad(&b, "s", &markers).unwrap_err();
        // Record 1 (chr1:50) is not a marker and is not looked at.
        assert!(matches!(e, VcfAdError::BcfRecord { record: 2, .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains(&b.display().to_string())
                && msg.contains("chr1:100")
                && msg.contains("expected 2"),
            "{msg}"
        );
    }
}

/// A BCF with GT but no AD (e.g. a joint-called genotype file): AD is
/// absent at every marker, GT is read — as from the VCF.
#[test]
fn missing_ad_field_reads_as_absent_and_gt_still_reads() {
    let dir = scratch("bcf-noad");
    let markers = read_panel(&write_text(&dir, "panel.vcf", PANEL)).unwrap();
    let text = format!(
        "{HEADER}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\n\
chr1\t100\t.\tA\tG\t0\t.\t.\tGT\t0/1\n\
chr2\t400\t.\tC\tT\t0\t.\t.\tGT\t1/1\n"
    );
    let vcf = write_text(&dir, "gtonly.vcf", &text);
    for b in to_bcfs(&dir, &vcf, "gtonly") {
        assert!(
            read_vcf_ad(&b, "s", &markers)
                .unwrap()
                .iter()
                .all(Option::is_none)
        );
        let gt = read_vcf_gt(&b, "s", &markers).unwrap();
        assert_eq!(gt[0], Ok(Genotype::Het));
        assert_eq!(gt[3], Ok(Genotype::HomAlt));
        assert_eq!(gt[1], Err(NoCall::Missing));
    }
}

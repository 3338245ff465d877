//! Overlapping mates at an SNV, hand-made: the htslib 1.16 rules behind the
//! 1–2-read differences from bcftools seen at 200 k–5 M read pairs
//! (docs/ngs-counting.md, "Agreement at scale"), each on one read pair.
//!
//! * Disagreeing bases of equal quality: the mate that keeps its base is
//!   chosen by a hash of the read name, not "the first mate".
//! * The first base after a deletion that only the later mate carries is
//!   not compared by htslib's overlap walk: both mates are counted there.
//! * A disagreement whose winner drops to `0.8·q` is counted only if that
//!   is still ≥ `-Q` (13): q 17 → 13 counted, q 16 → 12 not.
//!
//! The SAM is written here and converted with samtools; our counts must
//! equal `bcftools mpileup` (the documented command) and bcftools' counts
//! must be the ones these rules give, so the fixture keeps testing them.
//! Needs samtools, bcftools, bgzip and tabix.

mod bam_common;
use bam_common as common;

use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam};

/// 1-based position of the SNV.
const SITE: usize = 200;

/// A 400-bp reference without long homopolymers (fixed LCG).
fn reference() -> Vec<u8> {
    let mut x: u32 = 12345;
    (0..400)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            b"ACGT"[((x >> 16) & 3) as usize]
        })
        .collect()
}

/// One mate: 1-based start, CIGAR (`M` and one optional `1D`), base and
/// quality at the site.
struct Mate {
    start: usize,
    del_at: Option<usize>,
    base: u8,
    qual: u8,
}

impl Mate {
    fn plain(start: usize, base: u8, qual: u8) -> Self {
        Mate {
            start,
            del_at: None,
            base,
            qual,
        }
    }

    /// Sequence, quality string, CIGAR and 1-based end of a 150-base read.
    fn render(&self, r: &[u8]) -> (String, String, String, usize) {
        let mut seq = Vec::new();
        let mut qual = Vec::new();
        let mut pos = self.start;
        let mut cigar = String::new();
        let mut run = 0;
        while seq.len() < 150 {
            if Some(pos) == self.del_at {
                cigar.push_str(&format!("{run}M1D"));
                run = 0;
                pos += 1;
                continue;
            }
            if pos == SITE {
                seq.push(self.base);
                qual.push(33 + self.qual);
            } else {
                seq.push(r[pos - 1]);
                qual.push(33 + 30);
            }
            run += 1;
            pos += 1;
        }
        cigar.push_str(&format!("{run}M"));
        (
            String::from_utf8(seq).unwrap(),
            String::from_utf8(qual).unwrap(),
            cigar,
            pos - 1,
        )
    }
}

#[test]
fn overlapping_mates_follow_htslib_rules() {
    for t in ["samtools", "bcftools", "bgzip", "tabix"] {
        common::require_tool(t);
    }
    let dir = common::scratch("bam-overlap-htslib");
    let r = reference();
    let ref_base = r[SITE - 1];
    let others: Vec<u8> = b"ACGT".iter().copied().filter(|&b| b != ref_base).collect();
    let (alt, oth) = (others[0], others[1]);
    std::fs::write(
        dir.join("ref.fa"),
        format!(">chr1\n{}\n", String::from_utf8(r.clone()).unwrap()),
    )
    .unwrap();
    std::fs::write(
        dir.join("panel.vcf"),
        format!(
            "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=400>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t{SITE}\tsnv\t{}\t{}\t.\t.\t.\n",
            ref_base as char, alt as char
        ),
    )
    .unwrap();
    // (name, first mate, second mate). The comment gives htslib's outcome;
    // `first_keeps` = bit 0 of Wang(X31(name)): tie_a, del_* 1; tie_c,
    // tie_d, agree_b 0.
    let pairs = [
        // Tie, hash says first: ALT (q 24).
        (
            "tie_a",
            Mate::plain(101, alt, 30),
            Mate::plain(151, ref_base, 30),
        ),
        // Tie, hash says second: REF.
        (
            "tie_c",
            Mate::plain(101, alt, 30),
            Mate::plain(151, ref_base, 30),
        ),
        // Tie, hash says second: ALT (the first mate's base is a third one).
        (
            "tie_d",
            Mate::plain(101, oth, 25),
            Mate::plain(151, alt, 25),
        ),
        // Higher quality wins: REF (q 28).
        (
            "dis_a",
            Mate::plain(101, alt, 20),
            Mate::plain(151, ref_base, 35),
        ),
        // Winner q 16 → 12 < 13: not counted.
        (
            "dis_b",
            Mate::plain(101, oth, 16),
            Mate::plain(151, alt, 15),
        ),
        // Winner q 17 → 13: counted as other.
        (
            "thr_a",
            Mate::plain(101, oth, 17),
            Mate::plain(151, alt, 10),
        ),
        // Agreement: counted once (ALT).
        (
            "agree_b",
            Mate::plain(101, alt, 30),
            Mate::plain(151, alt, 30),
        ),
        // Deletion right before the site in the later mate only: both REF.
        (
            "del_a",
            Mate::plain(101, ref_base, 30),
            Mate {
                start: 151,
                del_at: Some(SITE - 1),
                base: ref_base,
                qual: 30,
            },
        ),
        // The same deletion in both mates: compared, counted once.
        (
            "del_b",
            Mate {
                start: 101,
                del_at: Some(SITE - 1),
                base: ref_base,
                qual: 30,
            },
            Mate {
                start: 151,
                del_at: Some(SITE - 1),
                base: ref_base,
                qual: 30,
            },
        ),
        // Deletion in the first mate only: compared, counted once.
        (
            "adel_a",
            Mate {
                start: 101,
                del_at: Some(SITE - 1),
                base: ref_base,
                qual: 30,
            },
            Mate::plain(151, ref_base, 30),
        ),
    ];
    let mut sam = String::from("@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chr1\tLN:400\n");
    for (name, a, b) in &pairs {
        let (sa, qa, ca, ea) = a.render(&r);
        let (sb, qb, cb, eb) = b.render(&r);
        let tlen = ea.max(eb) - a.start + 1;
        sam.push_str(&format!(
            "{name}\t99\tchr1\t{}\t60\t{ca}\t=\t{}\t{tlen}\t{sa}\t{qa}\n",
            a.start, b.start
        ));
        sam.push_str(&format!(
            "{name}\t147\tchr1\t{}\t60\t{cb}\t=\t{}\t-{tlen}\t{sb}\t{qb}\n",
            b.start, a.start
        ));
    }
    std::fs::write(dir.join("pairs.sam"), sam).unwrap();
    common::sh(
        &dir,
        "samtools faidx ref.fa && samtools sort -o pairs.bam pairs.sam 2>/dev/null && \
         samtools index pairs.bam && bgzip -f -k panel.vcf && tabix -f -p vcf panel.vcf.gz",
    );
    common::bcftools_pileup(&dir, "pairs.bam", "pairs.vcf");
    let bcf = common::read_bcftools(&dir.join("pairs.vcf"));
    let (bref, alts) = bcf
        .snv
        .get(&("chr1".to_string(), SITE as u64))
        .cloned()
        .expect("bcftools record at the site");
    let balt = alts
        .iter()
        .find(|(a, _)| a.as_bytes() == [alt])
        .map_or(0, |x| x.1);
    let both: u32 = alts
        .iter()
        .filter(|(a, _)| a.as_bytes() != [alt])
        .map(|x| x.1)
        .sum();
    // REF: tie_c, dis_a, del_a ×2, del_b, adel_a; ALT: tie_a, tie_d,
    // agree_b; other: thr_a.
    assert_eq!(
        (bref, balt, both),
        (6, 3, 1),
        "bcftools no longer follows the rules this fixture documents"
    );
    let markers = common::read_sites(&dir.join("panel.vcf"));
    let ours = count_bam(
        &dir.join("pairs.bam"),
        Some(&dir.join("ref.fa")),
        &markers,
        &PileupFilter::default(),
    )
    .unwrap();
    let c = ours[0];
    assert_eq!((c.ref_count, c.alt_count, c.other), (bref, balt, both));
}

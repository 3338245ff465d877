//! BAM/CRAM counts against `bcftools mpileup -a AD` on simulated amplicon
//! reads (72 markers: 48 SNVs, 24 indels, a third of them in repeats).
//!
//! * SNVs, paired-end BAM (overlapping mates): identical REF/ALT/other.
//! * Indels, single-end BAM: within max(3 reads, 3 %) per allele —
//!   bcftools assigns indel reads by local re-alignment, we by CIGAR.
//! * Indels, paired-end BAM: bcftools counts both overlapping mates at
//!   indels (its overlap rule only lowers base qualities, which its indel
//!   model ignores) while we count a pair once, so only the ALT fraction is
//!   compared (within 0.03).
//! * CRAM gives the same counts as BAM; 1 and 3 threads agree.

mod bam_common;
use bam_common as common;

use graftwatch_chimerism::marker::{AlleleCounts, Marker};
use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam, count_bam_with_threads};

fn ours(dir: &std::path::Path, bam: &str, markers: &[Marker]) -> Vec<AlleleCounts> {
    count_bam(
        &dir.join(bam),
        Some(&dir.join("ref.fa")),
        markers,
        &PileupFilter::default(),
    )
    .unwrap_or_else(|e| panic!("count_bam {bam}: {e}"))
}

#[test]
fn counts_match_bcftools_on_simulated_amplicons() {
    let dir = common::scratch("bam-bcftools");
    common::simulate_and_align(&dir, 4000, 11);
    common::bcftools_pileup(&dir, "sample.bam", "pe.vcf");
    common::bcftools_pileup(&dir, "se.bam", "se.vcf");
    let markers = common::read_sites(&dir.join("panel.vcf"));
    assert_eq!(markers.len(), 72);
    let pe = ours(&dir, "sample.bam", &markers);
    let se = ours(&dir, "se.bam", &markers);
    let bcf_pe = common::read_bcftools(&dir.join("pe.vcf"));
    let bcf_se = common::read_bcftools(&dir.join("se.vcf"));

    let mut failures = Vec::new();
    let mut snv_checked = 0;
    let mut indel_checked = 0;
    for (i, m) in markers.iter().enumerate() {
        let key = (m.chrom.clone(), m.pos.one_based());
        if !m.is_indel() {
            let (eref, alts) = bcf_pe.snv.get(&key).cloned().unwrap_or((0, Vec::new()));
            let ealt = alts
                .iter()
                .find(|(a, _)| *a == m.alt_allele)
                .map_or(0, |x| x.1);
            let eoth: u32 = alts
                .iter()
                .filter(|(a, _)| *a != m.alt_allele)
                .map(|x| x.1)
                .sum();
            let got = pe[i];
            if (got.ref_count, got.alt_count, got.other) != (eref, ealt, eoth) {
                failures.push(format!(
                    "SNV {} {}:{} ours REF/ALT/other = {}/{}/{}, bcftools = {eref}/{ealt}/{eoth}",
                    m.id, m.chrom, m.pos, got.ref_count, got.alt_count, got.other
                ));
            }
            snv_checked += 1;
            continue;
        }
        // Indel, single-end: absolute agreement within tolerance.
        let got = se[i];
        if let Some((eref, alts)) = bcf_se.indel.get(&key) {
            let ealt = alts
                .iter()
                .find(|(r, a, _)| *r == m.ref_allele && *a == m.alt_allele)
                .map_or(0, |x| x.2);
            let tol = |e: u32| 3u32.max(e * 3 / 100);
            if got.ref_count.abs_diff(*eref) > tol(*eref)
                || got.alt_count.abs_diff(ealt) > tol(ealt)
            {
                failures.push(format!(
                    "indel (single-end) {} {}:{} {}>{} ours REF/ALT = {}/{}, bcftools = {eref}/{ealt}",
                    m.id, m.chrom, m.pos, m.ref_allele, m.alt_allele, got.ref_count, got.alt_count
                ));
            }
            indel_checked += 1;
        } else if got.alt_count > 0 {
            failures.push(format!(
                "indel (single-end) {}: ours ALT = {} but bcftools reports no indel",
                m.id, got.alt_count
            ));
        }
        // Indel, paired-end: ALT fraction.
        let got = pe[i];
        if let Some((eref, alts)) = bcf_pe.indel.get(&key) {
            let ealt = alts
                .iter()
                .find(|(r, a, _)| *r == m.ref_allele && *a == m.alt_allele)
                .map_or(0, |x| x.2);
            let e = ealt as f64 / (eref + ealt).max(1) as f64;
            let o = got.alt_count as f64 / got.depth().max(1) as f64;
            if (e - o).abs() > 0.03 || got.depth() == 0 {
                failures.push(format!(
                    "indel (paired) {} ALT fraction ours {o:.3} ({}/{}) vs bcftools {e:.3} ({ealt}/{})",
                    m.id,
                    got.alt_count,
                    got.depth(),
                    eref + ealt
                ));
            }
        }
    }
    assert_eq!(snv_checked, 48);
    assert!(
        indel_checked >= 12,
        "only {indel_checked} indels had a bcftools record"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Depth sanity: the pileup is not empty.
    let total: u32 = pe.iter().map(AlleleCounts::depth).sum();
    assert!(total > 72 * 20, "suspiciously low total depth {total}");

    // Threads do not change results.
    let one = count_bam_with_threads(
        &dir.join("sample.bam"),
        Some(&dir.join("ref.fa")),
        &markers,
        &PileupFilter::default(),
        1,
    )
    .expect("1 thread");
    let three = count_bam_with_threads(
        &dir.join("sample.bam"),
        Some(&dir.join("ref.fa")),
        &markers,
        &PileupFilter::default(),
        3,
    )
    .expect("3 threads");
    assert_eq!(one, three);
    assert_eq!(one, pe);

    // CRAM = BAM.
    common::sh(
        &dir,
        "samtools view -C -T ref.fa -o sample.cram sample.bam && samtools index sample.cram",
    );
    let cram = ours(&dir, "sample.cram", &markers);
    assert_eq!(cram, pe, "CRAM counts differ from BAM counts");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn filters_change_counts_like_bcftools() {
    // Base-quality and mapping-quality thresholds on both sides.
    let dir = common::scratch("bam-filters");
    common::simulate_and_align(&dir, 1500, 5);
    let markers: Vec<Marker> = common::read_sites(&dir.join("panel.vcf"))
        .into_iter()
        .filter(|m| !m.is_indel())
        .collect();
    for (q, mq) in [(0u8, 0u8), (30, 0), (13, 61)] {
        common::sh(
            &dir,
            &format!(
                "bcftools mpileup -f ref.fa -T panel.vcf.gz -a AD -B -Q {q} -q {mq} -d 1000000 -L 1000000 \
                 -m 1 -F 0 --ignore-RG --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY sample.bam 2>/dev/null > f.vcf"
            ),
        );
        let bcf = common::read_bcftools(&dir.join("f.vcf"));
        let filter = PileupFilter {
            min_base_quality: q,
            min_mapping_quality: mq,
            ..PileupFilter::default()
        };
        let got = count_bam(
            &dir.join("sample.bam"),
            Some(&dir.join("ref.fa")),
            &markers,
            &filter,
        )
        .expect("count");
        for (m, c) in markers.iter().zip(&got) {
            let (eref, alts) = bcf
                .snv
                .get(&(m.chrom.clone(), m.pos.one_based()))
                .cloned()
                .unwrap_or((0, Vec::new()));
            let ealt = alts
                .iter()
                .find(|(a, _)| *a == m.alt_allele)
                .map_or(0, |x| x.1);
            assert_eq!(
                (c.ref_count, c.alt_count),
                (eref, ealt),
                "marker {} with -Q {q} -q {mq}",
                m.id
            );
        }
        if mq == 61 {
            assert!(
                got.iter().all(|c| c.depth() == 0),
                "MAPQ 60 reads must be dropped at -q 61"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

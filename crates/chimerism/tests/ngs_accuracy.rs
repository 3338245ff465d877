//! Accuracy of the NGS estimator on count-level simulations (5,000× per
//! marker, 48 SNPs + 24 indels, learned error model, beta-binomial reads).
#![allow(clippy::needless_range_loop)]

mod ngs_common;
use graftwatch_chimerism::ngs::sim::SimReads;
use ngs_common::{mean, scenario, scenario_panel};

/// One donor (haploidentical): MAE ≤ 0.1 point below 5% recipient and ≤ 0.5
/// point elsewhere across 0–100%.
#[test]
fn one_donor_mae_across_range() {
    let low = [0.0, 0.001, 0.005, 0.01, 0.02, 0.04];
    let high = [0.08, 0.2, 0.5, 0.8, 0.95, 1.0];
    let mut err_low = Vec::new();
    let mut err_high = Vec::new();
    for rep in 0..6u64 {
        let mut s = scenario(100 + rep, 1);
        for &fr in low.iter().chain(&high) {
            let r = s.sample(&[fr, 1.0 - fr]);
            let est = r.recipient().fraction.expect("estimated").get();
            let e = (est - fr).abs() * 100.0;
            if fr < 0.05 {
                err_low.push(e)
            } else {
                err_high.push(e)
            }
        }
    }
    let (ml, mh) = (mean(&err_low), mean(&err_high));
    println!("MAE below 5%: {ml:.4} points; elsewhere {mh:.4} points");
    assert!(ml <= 0.1, "MAE below 5% = {ml}");
    assert!(mh <= 0.5, "MAE elsewhere = {mh}");
}

/// Detection of 0.1% recipient at 5,000× over `n` panels: (presence test
/// significant, estimate above LoB, mean LoD, `NGS-LOD` flags). Checks that
/// every sample where the recipient is missed (presence test negative and
/// estimate not above the LoB) with an LoD above 0.1% — and only those —
/// carries `NGS-LOD`.
fn detect_0_1(donors: usize, panel: (usize, usize), n: u64) -> (usize, usize, f64, usize) {
    let (mut detected, mut above_lob, mut lod_flags) = (0, 0, 0);
    let mut lods = Vec::new();
    for rep in 0..n {
        let mut s = scenario_panel(200 + rep, donors, panel, SimReads::default());
        let r = if donors == 1 {
            s.sample(&[0.001, 0.999])
        } else {
            s.sample(&[0.001, 0.6, 0.399])
        };
        let rec = r.recipient();
        lods.push(rec.detection.unwrap().lod);
        detected += usize::from(r.recipient_detected == Some(true));
        above_lob += usize::from(rec.fraction.unwrap().get() > rec.detection.unwrap().lob);
        let flagged = r.flags.iter().any(|f| f.code.as_str() == "NGS-LOD");
        let limits = rec.detection.unwrap();
        let should = r.recipient_detected != Some(true)
            && rec.fraction.unwrap().get() <= limits.lob
            && limits.lod > 0.001;
        assert_eq!(flagged, should, "rep {rep}: NGS-LOD flag {flagged}");
        lod_flags += usize::from(flagged);
    }
    (detected, above_lob, mean(&lods), lod_flags)
}

/// 0.1% recipient is detected at 5,000× (presence test at 1% and estimate
/// above the LoB in ≥ 19/20 runs) with one haploidentical donor on the
/// 48 + 24 panel; with haplo PBSC + cord on a 128 + 64 panel the estimate
/// is above the LoB in ≥ 19/20 runs and the presence test positive in
/// ≥ 16/20 (its rate there is ~92%). With two
/// donors on the 48 + 24 panel the markers where both donors are homozygous
/// for the allele the recipient lacks are too few (about 5): the LoD is
/// ~0.12–0.13%, and every sample where 0.1% is missed carries `NGS-LOD`.
#[test]
fn recipient_at_0_1_percent_is_detected() {
    let n = 20;
    for (donors, panel) in [(1usize, (48, 24)), (2, (48, 24)), (2, (128, 64))] {
        let (detected, above_lob, lod, lod_flags) = detect_0_1(donors, panel, n as u64);
        println!(
            "{donors} donor(s), {} SNPs + {} indels: detected {detected}/{n}, above LoB {above_lob}/{n}, mean LoD {:.4}%, NGS-LOD flags {lod_flags}",
            panel.0,
            panel.1,
            lod * 100.0
        );
        if donors == 1 {
            assert!(
                detected >= 19 && above_lob >= 19,
                "detected {detected}, above LoB {above_lob}"
            );
            assert!(lod < 0.001);
        } else if panel.0 >= 128 {
            // Haplo + cord on 128 + 64: above the LoB in 119/120 and the
            // presence test positive in 111/120 (92.5%) over two random
            // streams (docs/chimerism-ngs.md); 20 runs at 92.5% give 15 or
            // fewer positives with probability 1.4%.
            assert!(
                detected >= 16 && above_lob >= 19,
                "detected {detected}, above LoB {above_lob}"
            );
            assert!(lod < 0.001);
        } else {
            assert!(lod < 0.002);
        }
    }
}

/// Detection of 0.1% recipient with haplo PBSC + cord as a function of
/// panel size (60 panels each; ~1 min in debug). Prints the table in
/// docs/chimerism-ngs.md.
#[test]
#[ignore]
fn detection_by_panel_size_two_donors() {
    let n = 60;
    println!("| panel (SNPs + indels) | presence test (α 1%) | above LoB | mean LoD |");
    for panel in [(48, 24), (72, 36), (96, 48), (128, 64)] {
        let (detected, above_lob, lod, _) = detect_0_1(2, panel, n as u64);
        println!(
            "| {} + {} | {detected}/{n} | {above_lob}/{n} | {:.3}% |",
            panel.0,
            panel.1,
            lod * 100.0
        );
    }
}

/// Without recipient DNA the presence test rarely fires and the LoD is
/// below 0.1% at 5,000×.
#[test]
fn no_recipient_is_rarely_called_present_and_lod_is_low() {
    let n = 30;
    let mut false_pos = 0;
    let mut lods = Vec::new();
    for rep in 0..n {
        let mut s = scenario(300 + rep, 1);
        let r = s.sample(&[0.0, 1.0]);
        if r.recipient_detected == Some(true) {
            false_pos += 1;
        }
        lods.push(r.recipient().detection.unwrap().lod);
    }
    let lod = mean(&lods);
    println!(
        "false positives {false_pos}/{n}; mean LoD {:.4}%",
        lod * 100.0
    );
    assert!(false_pos <= 3, "{false_pos}/{n}");
    assert!(lod < 0.001 && lod > 0.0, "LoD {lod}");
}

/// Two donors (haplo PBSC + cord): each donor within 1 point at 20–80%.
#[test]
fn two_donor_split_within_one_point() {
    for rep in 0..4u64 {
        let mut s = scenario(400 + rep, 2);
        for cord in [0.2, 0.35, 0.5, 0.65, 0.8] {
            let fr = 0.03;
            let truth = [fr, (1.0 - fr) * (1.0 - cord), (1.0 - fr) * cord];
            let r = s.sample(&truth);
            for k in 0..3 {
                let est = r.persons[k].fraction.expect("split").get();
                assert!(
                    (est - truth[k]).abs() < 0.01,
                    "rep {rep} cord {cord} person {k}: {est} vs {}",
                    truth[k]
                );
            }
            assert!(r.unsplit_groups.is_empty());
        }
    }
}

/// Three donors: every fraction within 1.5 points, sum to one, dominant donor right.
#[test]
fn three_donors() {
    for rep in 0..3u64 {
        let mut s = scenario(500 + rep, 3);
        let truth = [0.05, 0.15, 0.55, 0.25];
        let r = s.sample(&truth);
        let sum: f64 = r.persons.iter().map(|p| p.fraction.unwrap().get()).sum();
        assert!((sum - 1.0).abs() < 1e-9);
        for k in 0..4 {
            let est = r.persons[k].fraction.unwrap().get();
            assert!(
                (est - truth[k]).abs() < 0.015,
                "rep {rep} person {k}: {est} vs {}",
                truth[k]
            );
            let ci = r.persons[k].ci.unwrap();
            assert!(ci.low.get() <= est && est <= ci.high.get());
        }
        assert_eq!(r.dominant_donor.as_deref(), Some("UCB-1"));
    }
}

/// Clean data: no false poor-fit or identity flags, few outlier exclusions.
#[test]
fn clean_data_has_no_false_qc_flags() {
    let n = 40;
    let mut fit_flags = 0;
    let mut id_flags = 0;
    let mut excluded = 0usize;
    let mut used = 0usize;
    for rep in 0..n {
        let mut s = scenario(600 + rep, 2);
        let r = s.sample(&[0.02, 0.5, 0.48]);
        fit_flags += r
            .flags
            .iter()
            .filter(|f| f.code.as_str() == "NGS-FIT")
            .count();
        id_flags += r
            .flags
            .iter()
            .filter(|f| f.code.as_str() == "NGS-ID")
            .count();
        excluded += r
            .markers
            .iter()
            .filter(|m| {
                matches!(
                    m.excluded,
                    Some(graftwatch_chimerism::ngs::Exclusion::Outlier { .. })
                )
            })
            .count();
        used += r.markers_used;
    }
    println!(
        "poor-fit flags {fit_flags}/{n}, identity flags {id_flags}/{n}, outliers excluded {excluded} of {used}"
    );
    assert!(fit_flags <= 1, "{fit_flags}");
    assert!(id_flags <= 1, "{id_flags}");
    assert!(
        (excluded as f64) < 0.01 * used as f64,
        "{excluded} of {used}"
    );
}

/// False presence calls of the presence test (α 1%) on clean pure-donor
/// samples (`PANELS`, default 300; haplo + cord, 48 + 24): a diagnostic of
/// its calibration (measured 4/596 = 0.7% on 2026-12-05).
#[test]
#[ignore]
fn diag_presence_false_positive_rate() {
    let n: u64 = ngs_common::env_or("PANELS", 300);
    let (mut positive, mut k) = (0, 0);
    for seed in 0..n {
        let mut s = ngs_common::scenario(90_000 + seed, 2);
        let r = s.sample(&[0.0, 0.6, 0.4]);
        let Some(p) = r.recipient_presence else {
            continue;
        };
        k += 1;
        positive += usize::from(p.p_value < 0.01);
    }
    println!("pure donor, haplo + cord, 48 + 24: presence test positive {positive}/{k}");
}

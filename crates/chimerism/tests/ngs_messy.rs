//! Accuracy, interval coverage and pure-donor behaviour on *messy*
//! count-level simulations: the artefacts found in real amplicon mixtures
//! (`SimArtefacts::messy()`: mixture indels without ALT reads, per-marker
//! allele bias, 2% allele dropouts), per-site error rates spread with CV 1
//! (instead of 0.3), plus 16 X markers with male donors and a female
//! recipient.
//! Panel 48 SNPs + 24 indels + 16 X SNPs, 5,000×, one haploidentical donor
//! (odd seeds) or haplo PBSC + cord unit (even seeds).

mod ngs_common;
use graftwatch_chimerism::ngs::sim::SimReads;
use ngs_common::{Messy, Scenario, mean, scenario_full};

fn messy_reads() -> SimReads {
    SimReads {
        error_cv: 1.0,
        ..SimReads::default()
    }
}

fn messy(seed: u64, donors: usize) -> Scenario {
    scenario_full(seed, donors, (48, 24), messy_reads(), &Messy::real_like())
}

fn truth(fr: f64, donors: usize) -> Vec<f64> {
    if donors == 1 {
        vec![fr, 1.0 - fr]
    } else {
        vec![fr, (1.0 - fr) * 0.6, (1.0 - fr) * 0.4]
    }
}

/// Results of a sweep over recipient levels 1, 2, 5 and 10%.
struct Sweep {
    /// |estimate − truth| / truth per sample, by level.
    rel: [Vec<f64>; 4],
    /// (estimate − truth) / truth per sample.
    signed: Vec<f64>,
    /// The relative error the model's own interval implies:
    /// E|N(0, SE)| / truth = SE·√(2/π) / truth, SE = CI width / 3.92.
    floor: [Vec<f64>; 4],
    covered: usize,
}

const LEVELS: [f64; 4] = [0.01, 0.02, 0.05, 0.1];

impl Sweep {
    fn n(&self) -> usize {
        self.signed.len()
    }
    fn mean_rel(&self) -> f64 {
        mean(&self.rel.concat())
    }
    fn bias(&self) -> f64 {
        mean(&self.signed)
    }
    /// Mean relative error the model's own intervals imply (all levels).
    fn mean_floor(&self) -> f64 {
        mean(&self.floor.concat())
    }
    /// One line per level: observed mean relative error and its floor.
    fn by_level(&self) -> String {
        (0..4)
            .map(|l| {
                format!(
                    "{}%: {:.2}% (floor {:.2}%)",
                    100.0 * LEVELS[l],
                    100.0 * mean(&self.rel[l]),
                    100.0 * mean(&self.floor[l])
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn sweep(seeds: std::ops::Range<u64>) -> Sweep {
    let mut out = Sweep {
        rel: Default::default(),
        signed: Vec::new(),
        floor: Default::default(),
        covered: 0,
    };
    for seed in seeds {
        let donors = 1 + (seed % 2) as usize;
        let mut s = messy(seed, donors);
        for (l, fr) in LEVELS.into_iter().enumerate() {
            let r = s.sample(&truth(fr, donors));
            let rec = r.recipient();
            let est = rec.fraction.expect("estimated");
            out.rel[l].push((est - fr).abs() / fr);
            out.signed.push((est - fr) / fr);
            let ci = rec.ci.expect("interval");
            let se = (ci.high - ci.low) / 3.92;
            out.floor[l].push(se * (2.0 / std::f64::consts::PI).sqrt() / fr);
            out.covered += usize::from(ci.low <= fr && fr <= ci.high);
        }
    }
    out
}

/// Recipient 1–10% on messy data: mean relative error at most 25% above
/// the error the model's own 95% intervals imply (measured 6.3% against a
/// floor of 7.0% on these 10 panels; over 50 panels 8.9% against 9.0%, so
/// the 5% is below what 48 usable SNPs at 5,000× can give, see
/// docs/chimerism-ngs.md) and relative bias within ±3%; every sample flags
/// its dead indels and X markers.
#[test]
fn messy_recipient_accuracy_1_to_10_percent() {
    let sw = sweep(5_000..5_010);
    let (rel, bias, covered, n) = (sw.mean_rel(), sw.bias(), sw.covered, sw.n());
    println!(
        "messy: mean relative error {:.2}%, relative bias {:+.2}%, coverage {covered}/{n}; {}",
        100.0 * rel,
        100.0 * bias,
        sw.by_level()
    );
    assert!(
        rel <= 1.25 * sw.mean_floor(),
        "mean relative error {rel}, floor {}",
        sw.mean_floor()
    );
    assert!(bias.abs() <= 0.03, "relative bias {bias}");
    let mut s = messy(5_001, 1);
    let r = s.sample(&truth(0.05, 1));
    let codes: Vec<&str> = r.flags.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"NGS-INDELS"), "{codes:?}");
    assert!(codes.contains(&"NGS-SEX"), "{codes:?}");
    assert!(!codes.contains(&"NGS-FIT"), "{codes:?}");
    assert!(!codes.contains(&"NGS-ID"), "{codes:?}");
}

/// A pure-donor sample (no recipient DNA) reads at or below the LoB in
/// ≥ 95% of messy runs.
#[test]
fn messy_pure_donor_below_lob() {
    let n = 40u64;
    let mut below = 0;
    let mut est = Vec::new();
    for seed in 0..n {
        let donors = 1 + (seed % 2) as usize;
        let mut s = messy(6_000 + seed, donors);
        let r = s.sample(&truth(0.0, donors));
        let rec = r.recipient();
        let f = rec.fraction.expect("estimated");
        est.push(100.0 * f);
        below += usize::from(f <= rec.detection.expect("limits").lob);
    }
    println!(
        "messy pure donor: {below}/{n} at or below the LoB; mean estimate {:.4}%",
        mean(&est)
    );
    assert!(below as f64 >= 0.95 * n as f64, "{below}/{n}");
}

/// 95% interval coverage of the recipient at 1–10% over 50 messy panels
/// (200 samples): between 90% and 98%, and the mean relative error at most
/// 25% above the one the intervals imply. ~1 min in release, ~5 in debug:
/// `cargo test -p graftwatch-chimerism --release --test ngs_messy -- --ignored --nocapture`.
#[test]
#[ignore]
fn messy_coverage_between_90_and_98_percent() {
    let sw = sweep(7_000..7_050);
    let (rel, bias, covered, n) = (sw.mean_rel(), sw.bias(), sw.covered, sw.n());
    let cov = covered as f64 / n as f64;
    println!(
        "messy sweep: mean relative error {:.2}%, relative bias {:+.2}%, coverage {covered}/{n} = {cov:.3}; {}",
        100.0 * rel,
        100.0 * bias,
        sw.by_level()
    );
    assert!((0.90..=0.98).contains(&cov), "coverage {cov}");
    // The error is what the model's own (calibrated) intervals say it is:
    // at most 25% above E|N(0, SE)|/truth. Measured 8.93% against 9.05%.
    assert!(
        rel <= 1.25 * sw.mean_floor(),
        "mean relative error {rel}, floor {}",
        sw.mean_floor()
    );
}

/// One artefact at a time (`MESSY_ONLY=clean|dead|bias|dropout|err|sex`,
/// anything else = all; `PANEL=1` for 128 + 64 markers), 20 panels, with
/// per-level relative error: a diagnostic, not a check.
#[test]
#[ignore]
fn diag_artefacts() {
    use graftwatch_chimerism::ngs::sim::SimArtefacts;
    let which = std::env::var("MESSY_ONLY").unwrap_or_default();
    let mut m = Messy::clean();
    match which.as_str() {
        "dead" => m.artefacts.dead_indels = true,
        "bias" => m.artefacts.allele_bias_sd = 0.3,
        "dropout" => m.artefacts.dropout_rate = 0.02,
        "err" => m.artefacts.mixture_error_factor = 2.0,
        "sitecv" => {}
        "sex" => {
            m.x_markers = 16;
            m.male_donors = true
        }
        "clean" => {}
        _ => m = Messy::real_like(),
    }
    let _ = SimArtefacts::default();
    let mut rel = Vec::new();
    let mut signed = Vec::new();
    let mut cov = 0;
    let mut by_level = [(0.0, 0.0, 0usize); 4];
    for seed in 5_000..5_020u64 {
        let donors = 1 + (seed % 2) as usize;
        let panel = if std::env::var("PANEL").is_ok() {
            (128, 64)
        } else {
            (48, 24)
        };
        let reads = if matches!(which.as_str(), "sitecv" | "messy" | "") {
            messy_reads()
        } else {
            SimReads::default()
        };
        let mut s = scenario_full(seed, donors, panel, reads, &m);
        for fr in [0.0, 0.01, 0.02, 0.05, 0.1] {
            let r = s.sample(&truth(fr, donors));
            let rec = r.recipient();
            let est = rec.fraction.unwrap();
            if fr == 0.0 {
                if seed < 5_004 {
                    println!(
                        "pure: {:.4}% lob {:.4}% phi {:.2}",
                        100.0 * est,
                        100.0 * rec.detection.unwrap().lob,
                        r.variance_inflation
                    );
                }
                continue;
            }
            rel.push((est - fr).abs() / fr);
            signed.push((est - fr) / fr);
            let li = [0.01, 0.02, 0.05, 0.1]
                .iter()
                .position(|x| *x == fr)
                .unwrap();
            by_level[li].0 += (est - fr).abs() / fr;
            by_level[li].1 += (est - fr) / fr;
            by_level[li].2 += 1;
            let ci = rec.ci.unwrap();
            cov += usize::from(ci.low <= fr && fr <= ci.high);
            if seed < 5_000 {
                let codes: Vec<&str> = r.flags.iter().map(|f| f.code.as_str()).collect();
                println!(
                    "{fr}: {:.4} [{:.4},{:.4}] phi {:.2} scale {:?} used {} {codes:?}",
                    100.0 * est,
                    100.0 * ci.low,
                    100.0 * ci.high,
                    r.variance_inflation,
                    r.sample_error_scale,
                    r.markers_used
                );
            }
        }
    }
    for (l, (a, b, n)) in by_level.iter().enumerate() {
        println!(
            "level {l}: rel {:.2}% bias {:+.2}%",
            100.0 * a / *n as f64,
            100.0 * b / *n as f64
        );
    }
    println!(
        "{which}: rel {:.2}% bias {:+.2}% cov {cov}/{}",
        100.0 * mean(&rel),
        100.0 * mean(&signed),
        rel.len()
    );
}

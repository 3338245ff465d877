//! 95% profile-likelihood interval coverage over 200 simulated replicates
//! (one and two donors, recipient 0.5–30%).

mod ngs_common;
use ngs_common::scenario;

/// Takes ~25 s in debug builds: run with
/// `cargo test -p graftwatch-chimerism --release --test ngs_coverage -- --ignored --nocapture`.
#[test]
#[ignore]
fn ci_coverage_between_90_and_98_percent() {
    let mut covered_r = 0;
    let mut covered_d = 0;
    let mut n_d = 0;
    let n = 200u64;
    for rep in 0..n {
        let donors = 1 + (rep % 2) as usize;
        let mut s = scenario(10_000 + rep, donors);
        let fr = [0.005, 0.02, 0.1, 0.3][(rep / 2 % 4) as usize];
        let truth: Vec<f64> = if donors == 1 {
            vec![fr, 1.0 - fr]
        } else {
            vec![fr, (1.0 - fr) * 0.3, (1.0 - fr) * 0.7]
        };
        let r = s.sample(&truth);
        let ci = r.recipient().ci.unwrap();
        covered_r += usize::from(ci.low.get() <= truth[0] && truth[0] <= ci.high.get());
        if donors == 2 {
            n_d += 1;
            let ci = r.persons[2].ci.unwrap();
            covered_d += usize::from(ci.low.get() <= truth[2] && truth[2] <= ci.high.get());
        }
    }
    let cov_r = covered_r as f64 / n as f64;
    let cov_d = covered_d as f64 / n_d as f64;
    println!(
        "recipient coverage {covered_r}/{n} = {cov_r:.3}; cord-donor coverage {covered_d}/{n_d} = {cov_d:.3}"
    );
    assert!((0.90..=0.98).contains(&cov_r), "recipient coverage {cov_r}");
    assert!((0.88..=0.99).contains(&cov_d), "donor coverage {cov_d}");
}

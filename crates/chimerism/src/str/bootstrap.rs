//! The per-person interval: a percentile bootstrap over the loci of the
//! joint fit (each replicate re-solves the fit from the loci's profiled
//! normal equations), widened per person for the small number of loci
//! that carry information about that person.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use graftwatch_core::{Percent, SeededRng};

use super::fit::{LocusFit, profiled_normal_equations, quantile};
use super::references::StrReferences;
use super::result::Interval;
use super::simplex::simplex_least_squares_from;

/// Per-person intervals and how they were computed.
pub(crate) struct Intervals {
    /// One per person (`None`: no interval).
    pub(crate) ci: Vec<Option<Interval>>,
    /// The method text of the result.
    pub(crate) method: String,
}

impl StrReferences {
    /// The intervals around the joint estimate `est` (fractions) over the
    /// loci `used`: none with fewer than two loci or no replicates.
    pub(crate) fn bootstrap_intervals(&self, used: &[&LocusFit], est: &[f64]) -> Intervals {
        let (cfg, k, n) = (&self.config, self.persons.len(), used.len());
        if n < 2 || cfg.bootstrap_replicates == 0 {
            return Intervals {
                ci: vec![None; k],
                method: format!("no interval: {n} locus in the fit (at least 2 needed)"),
            };
        }
        let reps = bootstrap_replicates(used, est, k, cfg.bootstrap_replicates, cfg.bootstrap_seed);
        let n_eff: Vec<usize> = (0..k).map(|i| effective_loci(used, k, i)).collect();
        let widens: Vec<f64> = n_eff
            .iter()
            .map(|n| small_sample_factor(*n, cfg.confidence))
            .collect();
        Intervals {
            ci: widened_percentile_intervals(reps, est, &widens, cfg.confidence),
            method: format!(
                "{:.0}% percentile bootstrap over the {n} loci in the fit, widened per person for its effective loci ({}; t/z · √(n/(n−1))) ({} replicates, seed {})",
                100.0 * cfg.confidence,
                widening_text(self, &n_eff, &widens),
                cfg.bootstrap_replicates,
                cfg.bootstrap_seed
            ),
        }
    }
}

/// Bootstrap replicates of every person's share (percent; one vector per
/// person): loci drawn with replacement, their normal equations (profiled
/// at `est`) summed and the simplex fit re-solved from `est`.
fn bootstrap_replicates(
    used: &[&LocusFit],
    est: &[f64],
    k: usize,
    replicates: usize,
    seed: u64,
) -> Vec<Vec<f64>> {
    let n = used.len();
    let mut rng = SeededRng::new(seed);
    let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); k];
    let normal: Vec<(Vec<Vec<f64>>, Vec<f64>)> = used
        .iter()
        .map(|f| profiled_normal_equations(f, est, k))
        .collect();
    for _ in 0..replicates {
        let mut q = vec![vec![0.0; k]; k];
        let mut r = vec![0.0; k];
        for _ in 0..n {
            let (lq, lr) = &normal[rng.index(n)];
            for i in 0..k {
                r[i] += lr[i];
                for j in 0..k {
                    q[i][j] += lq[i][j];
                }
            }
        }
        let e = simplex_least_squares_from(&q, &r, Some(est));
        for i in 0..k {
            reps[i].push(100.0 * e[i]);
        }
    }
    reps
}

/// Each person's percentile interval of its replicates `reps` (always
/// containing the estimate), its two halves widened by the person's
/// factor from `widens` and bounded to 0–100 (`None` only for a
/// non-finite end).
fn widened_percentile_intervals(
    mut reps: Vec<Vec<f64>>,
    est: &[f64],
    widens: &[f64],
    confidence: f64,
) -> Vec<Option<Interval>> {
    let a = (1.0 - confidence) / 2.0;
    reps.iter_mut()
        .enumerate()
        .map(|(i, v)| {
            v.sort_by(f64::total_cmp);
            let widen = widens[i];
            let e = 100.0 * est[i];
            let (lo, hi) = (quantile(v, a).min(e), quantile(v, 1.0 - a).max(e));
            Some(Interval {
                low: Percent::clamp(e - widen * (e - lo))?,
                high: Percent::clamp(e + widen * (hi - e))?,
            })
        })
        .collect()
}

/// "recipient ×1.35 (7 loci), UCB-1 ×1.16 (13 loci), …" for the method text.
fn widening_text(refs: &StrReferences, n_eff: &[usize], widens: &[f64]) -> String {
    refs.persons
        .iter()
        .zip(n_eff.iter().zip(widens))
        .map(|(p, (n, w))| format!("{} ×{w:.2} ({n} loci)", p.person))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Effective number of loci of the weighted fit for person `person` (Kish):
/// (Σ_l I_l)² / Σ_l I_l² with I_l the information of locus l about that
/// person's share (Σ over its positions of weight × scale² × the squared
/// difference between the person's template and the mean template there;
/// a shared allele carries none). With equal weights it is the number of
/// loci; when a few loci carry most of the information about the person
/// (a minor donor seen at few loci) it is smaller, and so are the degrees
/// of freedom of that person's interval.
fn effective_loci(used: &[&LocusFit], k: usize, person: usize) -> usize {
    let info: Vec<f64> = used
        .iter()
        .map(|f| {
            f.rows
                .iter()
                .map(|r| {
                    let mean = r.g.iter().sum::<f64>() / k as f64;
                    r.w * f.scale * f.scale * (r.g[person] - mean).powi(2)
                })
                .sum::<f64>()
        })
        .collect();
    let (s, s2) = info
        .iter()
        .fold((0.0, 0.0), |(s, s2), x| (s + x, s2 + x * x));
    if s2 > 0.0 {
        ((s * s / s2).round() as usize).clamp(2, used.len().max(2))
    } else {
        used.len()
    }
}

/// Small-sample widening of the bootstrap interval over `n` loci: the
/// percentile bootstrap is too narrow with few resampling units (it uses
/// the plug-in variance, biased by (n−1)/n, and normal rather than Student
/// quantiles). Factor = t(ν = n−1) / z × √(n/(n−1)).
pub fn small_sample_factor(n: usize, confidence: f64) -> f64 {
    if n < 2 {
        return 1.0;
    }
    let nu = (n - 1) as f64;
    let z = normal_quantile(0.5 + confidence / 2.0);
    // Cornish–Fisher expansion of Student's t quantile (Abramowitz & Stegun 26.7.5).
    let t = z
        + (z.powi(3) + z) / (4.0 * nu)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * nu * nu)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * nu.powi(3));
    t / z * (n as f64 / nu).sqrt()
}

/// Standard normal quantile (Abramowitz & Stegun 26.2.23, |error| < 4.5e-4).
fn normal_quantile(p: f64) -> f64 {
    let (q, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    let t = (-2.0 * q.ln()).sqrt();
    let x = t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t)
            / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t.powi(3));
    sign * x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_factor_matches_student_t() {
        // t(0.975, 9) = 2.262, z = 1.960: 2.262/1.960 × √(10/9) = 1.2166.
        assert!((small_sample_factor(10, 0.95) - 1.2166).abs() < 0.01);
        // Large n: → 1.
        assert!((small_sample_factor(1000, 0.95) - 1.0).abs() < 0.01);
        assert!((normal_quantile(0.975) - 1.95996).abs() < 1e-3);
    }
}

//! The per-person interval: a percentile bootstrap over the loci of the
//! joint fit (each replicate re-solves the fit from the loci's profiled
//! normal equations) gives its shape; its spread is scaled per person to
//! the delete-one-locus jackknife standard error, which refits everything
//! the replicates hold fixed, with Student's t on the effective number of
//! loci that carry information about that person.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use graftwatch_core::{Percent, SeededRng};

use super::fit::{LocusFit, PeakNoise, fit_weighted, profiled_normal_equations, quantile};
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
    /// True when an interval is computed over `n` loci in the fit (at least
    /// two, and bootstrap replicates asked for).
    pub(crate) fn interval_possible(&self, n: usize) -> bool {
        n >= 2 && self.config.bootstrap_replicates > 0
    }

    /// The intervals around the joint estimate `est` (fractions) over the
    /// loci `used`, with `jackknife` the shares refitted without each
    /// locus in turn ([`jackknife_fits`]): none with fewer than two loci or
    /// no replicates.
    pub(crate) fn bootstrap_intervals(
        &self,
        used: &[&LocusFit],
        est: &[f64],
        jackknife: &[Vec<f64>],
    ) -> Intervals {
        let (cfg, k, n) = (&self.config, self.persons.len(), used.len());
        if !self.interval_possible(n) {
            return Intervals {
                ci: vec![None; k],
                method: format!("no interval: {n} locus in the fit (at least 2 needed)"),
            };
        }
        let reps = bootstrap_replicates(used, est, k, cfg.bootstrap_replicates, cfg.bootstrap_seed);
        let n_eff: Vec<usize> = (0..k).map(|i| effective_loci(used, k, i)).collect();
        let widens: Vec<f64> = (0..k)
            .map(|i| {
                let spread = Spread {
                    estimate: est[i],
                    jackknife_se: jackknife_se(jackknife, i),
                    bootstrap_sd: standard_deviation(&reps[i]) / 100.0,
                };
                spread.factor(n_eff[i], cfg.confidence)
            })
            .collect();
        Intervals {
            ci: widened_percentile_intervals(reps, est, &widens, cfg.confidence),
            method: format!(
                "{:.0}% percentile bootstrap over the {n} loci in the fit, scaled per person to the jackknife standard error (delete one locus) × t/z for its effective loci ({}) ({} replicates, seed {})",
                100.0 * cfg.confidence,
                widening_text(self, &n_eff, &widens),
                cfg.bootstrap_replicates,
                cfg.bootstrap_seed
            ),
        }
    }
}

/// The shares refitted (the whole weighted fit: weights, locus scales,
/// degradation slope, censored positions) without each of the loci
/// `loci` in turn, from their state before the joint fit.
pub(crate) fn jackknife_fits(loci: &[LocusFit], k: usize, noise: PeakNoise) -> Vec<Vec<f64>> {
    (0..loci.len())
        .map(|left_out| {
            let mut rest: Vec<LocusFit> = (loci.iter().enumerate())
                .filter(|(l, _)| *l != left_out)
                .map(|(_, f)| f.clone())
                .collect();
            fit_weighted(&mut rest, k, noise).0
        })
        .collect()
}

/// Delete-one jackknife standard error of person `person`'s share
/// (fraction) from the refits: √((n−1)/n · Σ (θ₍ₗ₎ − θ̄)²). For a mean it
/// is the usual s/√n, the unbiased variance that the bootstrap's plug-in
/// variance underestimates by (n−1)/n. 0 without refits.
fn jackknife_se(jackknife: &[Vec<f64>], person: usize) -> f64 {
    let n = jackknife.len() as f64;
    if jackknife.len() < 2 {
        return 0.0;
    }
    let mean = jackknife.iter().map(|e| e[person]).sum::<f64>() / n;
    let ss: f64 = jackknife.iter().map(|e| (e[person] - mean).powi(2)).sum();
    ((n - 1.0) / n * ss).sqrt()
}

/// Population standard deviation of `v` (0 when empty).
fn standard_deviation(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// One person's spread measures (fractions).
#[derive(Clone, Copy)]
struct Spread {
    /// The joint estimate.
    estimate: f64,
    /// Delete-one-locus jackknife standard error ([`jackknife_se`]).
    jackknife_se: f64,
    /// Standard deviation of the bootstrap replicates.
    bootstrap_sd: f64,
}

impl Spread {
    /// Factor applied to the two halves of the percentile interval. The
    /// replicates re-solve linearised per-locus equations with the weights,
    /// locus scales, degradation slope and censored positions held at the
    /// fit's values, and their plug-in variance is biased by (n−1)/n; the
    /// jackknife refits all of it. So the bootstrap gives the shape
    /// (asymmetry near 0 and 100 %) and the jackknife the spread:
    /// t(ν = n−1)/z × jackknife SE / bootstrap SD, n the person's effective
    /// loci. At 0 or 100 % the share is not a smooth function of the loci
    /// (the jackknife SE is often 0 there), so the factor is
    /// [`small_sample_factor`] as without a jackknife.
    fn factor(&self, n_eff: usize, confidence: f64) -> f64 {
        let inside = self.estimate > 0.0 && self.estimate < 1.0;
        if inside && self.jackknife_se > 0.0 && self.bootstrap_sd > 0.0 && n_eff >= 2 {
            student_over_normal(n_eff, confidence) * self.jackknife_se / self.bootstrap_sd
        } else {
            small_sample_factor(n_eff, confidence)
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
    student_over_normal(n, confidence) * (n as f64 / (n - 1) as f64).sqrt()
}

/// Student's t quantile with ν = n−1 over the normal quantile, both at the
/// two-sided `confidence` (1 for n < 2).
fn student_over_normal(n: usize, confidence: f64) -> f64 {
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
    t / z
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
    use crate::str::fit::Row;
    use crate::str::{Allele, Locus};

    /// A noise-free two-person locus where the first person's share is
    /// `minor` (two unique alleles each).
    fn locus(index: usize, minor: f64) -> LocusFit {
        let g = [[0.5, 0.0], [0.5, 0.0], [0.0, 0.5], [0.0, 0.5]];
        let rows = g
            .iter()
            .enumerate()
            .map(|(a, gi)| Row {
                allele: Allele::parse(&format!("{}", 10 + a), Locus::D8s1179).expect("allele"),
                g: gi.to_vec(),
                gs: vec![0.0; 2],
                y: minor * gi[0] + (1.0 - minor) * gi[1],
                stutter: 0.0,
                censored_below: None,
                w: 1.0,
                len: 0.0,
                g0: gi.to_vec(),
                gs0: vec![0.0; 2],
            })
            .collect();
        let mut f = LocusFit {
            index,
            q: Vec::new(),
            rows,
            total: 1000.0,
            noise_share: 0.01,
            scale: 1.0,
            size_bp: None,
            det: Vec::new(),
        };
        f.update_q(2);
        f
    }

    #[test]
    fn jackknife_refits_without_each_locus() {
        let shares = [0.10, 0.20, 0.30, 0.40];
        let loci: Vec<LocusFit> = (0..4).map(|i| locus(i, shares[i])).collect();
        let noise = PeakNoise {
            allele_cv: 0.10,
            stutter_cv: 0.25,
            degradation: false,
            dispersion: false,
        };
        let jack = jackknife_fits(&loci, 2, noise);
        assert_eq!(jack.len(), 4);
        // Leaving out the highest locus gives the lowest share, and so on.
        for w in jack.windows(2) {
            assert!(w[0][0] > w[1][0] + 0.01, "{jack:?}");
        }
        // Each refit lies within the other loci's range and sums to 1.
        for (l, e) in jack.iter().enumerate() {
            let others: Vec<f64> = (0..4).filter(|i| *i != l).map(|i| shares[i]).collect();
            let (lo, hi) = (others[0], others[2]);
            assert!(e[0] > lo - 1e-9 && e[0] < hi + 1e-9, "{l}: {e:?}");
            assert!((e[0] + e[1] - 1.0).abs() < 1e-9);
        }
        assert!(jackknife_se(&jack, 0) > 0.01);
    }

    #[test]
    fn jackknife_se_of_a_mean_is_s_over_root_n() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let sum: f64 = x.iter().sum();
        let refits: Vec<Vec<f64>> = x.iter().map(|v| vec![(sum - v) / 4.0]).collect();
        // s = √2.5, s/√5 = √0.5.
        assert!((jackknife_se(&refits, 0) - 0.5_f64.sqrt()).abs() < 1e-12);
        assert_eq!(jackknife_se(&refits[..1], 0), 0.0);
    }

    #[test]
    fn spread_follows_the_jackknife_inside_and_falls_back_at_the_bounds() {
        let tz = student_over_normal(10, 0.95);
        // t(0.975, 9) / z = 2.262 / 1.960.
        assert!((tz - 1.154).abs() < 0.005);
        let inside = Spread {
            estimate: 0.3,
            jackknife_se: 0.02,
            bootstrap_sd: 0.01,
        };
        assert!((inside.factor(10, 0.95) - 2.0 * tz).abs() < 1e-12);
        let narrower = Spread {
            bootstrap_sd: 0.04,
            ..inside
        };
        assert!((narrower.factor(10, 0.95) - 0.5 * tz).abs() < 1e-12);
        // At 0 % (jackknife SE 0 or not) and at 100 %: the t/z · √(n/(n−1)) factor.
        for s in [
            Spread {
                estimate: 0.0,
                jackknife_se: 0.0,
                bootstrap_sd: 0.01,
            },
            Spread {
                estimate: 0.0,
                ..inside
            },
            Spread {
                estimate: 1.0,
                ..inside
            },
        ] {
            assert_eq!(s.factor(10, 0.95), small_sample_factor(10, 0.95));
        }
    }

    #[test]
    fn widening_factor_matches_student_t() {
        // t(0.975, 9) = 2.262, z = 1.960: 2.262/1.960 × √(10/9) = 1.2166.
        assert!((small_sample_factor(10, 0.95) - 1.2166).abs() < 0.01);
        // Large n: → 1.
        assert!((small_sample_factor(1000, 0.95) - 1.0).abs() < 0.01);
        assert!((normal_quantile(0.975) - 1.95996).abs() < 1e-3);
    }
}

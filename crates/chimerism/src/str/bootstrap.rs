//! The per-person interval: a percentile bootstrap over the loci of the
//! joint fit (each replicate re-solves the fit from the loci's profiled
//! normal equations) gives its shape; its spread is scaled per person to
//! the delete-one-locus jackknife standard error, which refits everything
//! the replicates hold fixed, with Student's t on the effective number of
//! loci that carry the variance of that person's share.

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
        let normal: Vec<NormalEquations> = used
            .iter()
            .map(|f| profiled_normal_equations(f, est, k))
            .collect();
        let reps = bootstrap_replicates(
            &normal,
            est,
            k,
            cfg.bootstrap_replicates,
            cfg.bootstrap_seed,
        );
        let n_eff = effective_loci(&normal, used, k);
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

/// A locus's normal equations (Q, r) with its scale profiled out
/// ([`profiled_normal_equations`]).
type NormalEquations = (Vec<Vec<f64>>, Vec<f64>);

/// Bootstrap replicates of every person's share (percent; one vector per
/// person): loci drawn with replacement, their normal equations `normal`
/// (profiled at `est`) summed and the simplex fit re-solved from `est`.
fn bootstrap_replicates(
    normal: &[NormalEquations],
    est: &[f64],
    k: usize,
    replicates: usize,
    seed: u64,
) -> Vec<Vec<f64>> {
    let n = normal.len();
    let mut rng = SeededRng::new(seed);
    let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); k];
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

/// Effective number of loci per person: (Σ_l v_l)² / Σ_l v_l², with v_l
/// locus l's share of the model variance of that person's share
/// ([`variance_shares`]), the Satterthwaite degrees of freedom (+ 1) of a
/// variance summed over loci of unequal weight. With equal loci it is the
/// number of loci; when a few loci carry most of the variance of a
/// person's share (a minor donor seen at few loci) it is smaller, and so
/// are the degrees of freedom of that person's interval. When the
/// equations are singular, the information of [`information`] stands in
/// for v_l (Kish).
fn effective_loci(normal: &[NormalEquations], used: &[&LocusFit], k: usize) -> Vec<usize> {
    let n = used.len();
    match variance_shares(normal, k) {
        Some(v) => (0..k)
            .map(|i| effective_count(v.iter().map(|x| x[i]), n))
            .collect(),
        None => (0..k)
            .map(|i| effective_count(information(used, k, i), n))
            .collect(),
    }
}

/// (Σ x)² / Σ x² of `values`, rounded, within 2..=`n` (`n` when all are 0).
fn effective_count(values: impl Iterator<Item = f64>, n: usize) -> usize {
    let (s, s2) = values.fold((0.0, 0.0), |(s, s2), x| (s + x, s2 + x * x));
    if s2 > 0.0 {
        ((s * s / s2).round() as usize).clamp(2, n.max(2))
    } else {
        n
    }
}

/// Each locus's share of the model variance of every person's share: with
/// G the inverse of the summed equations on the plane Σ f = 1
/// ([`bordered_inverse`]), v_l,i = (G Q_l G)_ii, Q_l the locus's profiled
/// normal matrix. Unlike a per-person information it accounts for the
/// other people's shares being fitted too (in a three-person mixture a
/// locus that tells the recipient from both donors says little about the
/// split between the donors). `None` when the summed equations are
/// singular on the plane.
fn variance_shares(normal: &[NormalEquations], k: usize) -> Option<Vec<Vec<f64>>> {
    let mut q = vec![vec![0.0; k]; k];
    for (lq, _) in normal {
        for i in 0..k {
            for j in 0..k {
                q[i][j] += lq[i][j];
            }
        }
    }
    let g = bordered_inverse(&q)?;
    let share = |lq: &Vec<Vec<f64>>, i: usize| {
        let gi = &g[i];
        let v: f64 = (0..k)
            .map(|a| (0..k).map(|b| gi[a] * lq[a][b] * gi[b]).sum::<f64>())
            .sum();
        v.max(0.0)
    };
    Some(
        normal
            .iter()
            .map(|(lq, _)| (0..k).map(|i| share(lq, i)).collect())
            .collect(),
    )
}

/// The top-left k×k block of the inverse of the bordered matrix
/// [[Q, 1], [1ᵀ, 0]]: the map from a score to the change of the shares on
/// the plane Σ f = 1 (Gauss–Jordan with partial pivoting; `None` when
/// singular).
fn bordered_inverse(q: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let (k, m) = (q.len(), q.len() + 1);
    let mut a: Vec<Vec<f64>> = (0..m)
        .map(|i| {
            let border = |j: usize| match (i < k, j < k) {
                (true, true) => q[i][j],
                (false, false) => 0.0,
                _ => 1.0,
            };
            (0..m)
                .map(border)
                .chain((0..m).map(|j| if i == j { 1.0 } else { 0.0 }))
                .collect()
        })
        .collect();
    let tiny = 1e-12 * (0..k).map(|i| q[i][i].abs()).fold(1e-300, f64::max);
    for c in 0..m {
        let p = (c..m).max_by(|x, y| a[*x][c].abs().total_cmp(&a[*y][c].abs()))?;
        if a[p][c].abs() <= tiny || !a[p][c].is_finite() {
            return None;
        }
        a.swap(c, p);
        let d = a[c][c];
        a[c].iter_mut().for_each(|v| *v /= d);
        for r in (0..m).filter(|r| *r != c) {
            let f = a[r][c];
            for j in 0..2 * m {
                a[r][j] -= f * a[c][j];
            }
        }
    }
    Some((0..k).map(|i| a[i][m..m + k].to_vec()).collect())
}

/// Information of each locus about person `person`'s share (Kish's
/// weights, used when [`variance_shares`] has no answer): Σ over its
/// positions of weight × scale² × the squared difference between the
/// person's template and the mean template there (a shared allele carries
/// none).
fn information<'a>(
    used: &'a [&'a LocusFit],
    k: usize,
    person: usize,
) -> impl Iterator<Item = f64> + 'a {
    used.iter().map(move |f| {
        f.rows
            .iter()
            .map(|r| {
                let mean = r.g.iter().sum::<f64>() / k as f64;
                r.w * f.scale * f.scale * (r.g[person] - mean).powi(2)
            })
            .sum::<f64>()
    })
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

    /// A noise-free two-person locus where the first person's share is
    /// `minor` (two unique alleles each).
    fn locus(index: usize, minor: f64) -> LocusFit {
        let y = [minor, minor, 1.0 - minor, 1.0 - minor].map(|c| 0.5 * c);
        crate::str::fit::two_person_locus(index, y, [None; 4], (1000.0, 0.01))
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
    fn bordered_inverse_projects_on_the_plane_of_shares() {
        // Q = I: G is the projection I − 11ᵀ/k.
        let g = bordered_inverse(&[vec![1.0, 0.0], vec![0.0, 1.0]]).expect("regular");
        let want = [[0.5, -0.5], [-0.5, 0.5]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((g[i][j] - want[i][j]).abs() < 1e-12, "{g:?}");
            }
        }
        // Three people, Q = diag(1, 2, 4): G·1 = 0 and G Q G = G.
        let q = vec![
            vec![1.0, 0.0, 0.0],
            vec![0.0, 2.0, 0.0],
            vec![0.0, 0.0, 4.0],
        ];
        let g = bordered_inverse(&q).expect("regular");
        for i in 0..3 {
            assert!(g[i].iter().sum::<f64>().abs() < 1e-12);
            for j in 0..3 {
                let gqg: f64 = (0..3).map(|a| g[i][a] * q[a][a] * g[a][j]).sum();
                assert!((gqg - g[i][j]).abs() < 1e-12);
            }
        }
        // No information at all: singular.
        assert!(bordered_inverse(&[vec![0.0, 0.0], vec![0.0, 0.0]]).is_none());
    }

    #[test]
    fn effective_loci_count_the_loci_that_carry_the_variance() {
        let est = [0.3, 0.7];
        let weighted = |weights: &[f64]| -> Vec<usize> {
            let loci: Vec<LocusFit> = (weights.iter().enumerate())
                .map(|(i, w)| {
                    let mut f = locus(i, 0.3);
                    f.rows.iter_mut().for_each(|r| r.w = *w);
                    f.update_q(2);
                    f
                })
                .collect();
            let used: Vec<&LocusFit> = loci.iter().collect();
            let normal: Vec<NormalEquations> = used
                .iter()
                .map(|f| profiled_normal_equations(f, &est, 2))
                .collect();
            let v = variance_shares(&normal, 2).expect("regular");
            // Each locus's share is proportional to its weight.
            for (l, w) in weights.iter().enumerate() {
                assert!((v[l][0] / v[0][0] - w / weights[0]).abs() < 1e-9, "{v:?}");
            }
            effective_loci(&normal, &used, 2)
        };
        assert_eq!(weighted(&[1.0; 6]), vec![6, 6]);
        // (4 + 1 + 1)² / (16 + 1 + 1) = 2.
        assert_eq!(weighted(&[4.0, 1.0, 1.0]), vec![2, 2]);
        assert_eq!(weighted(&[2.0, 2.0, 1.0, 1.0]), vec![4, 4]);
        assert_eq!(effective_count([0.0, 0.0].into_iter(), 5), 5);
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

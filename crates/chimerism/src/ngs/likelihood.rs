//! Beta-binomial likelihood of an ALT read count given the expected ALT
//! read probability `p` and the overdispersion (intra-class correlation) `ρ`.
//!
//! With α = p(1−ρ)/ρ and β = (1−p)(1−ρ)/ρ the count k of n reads has
//! mean n·p and variance n·p(1−p)(1 + (n−1)ρ); ρ → 0 is the binomial.

use super::math::{digamma, ln_gamma};

/// Smallest overdispersion treated as beta-binomial; below it the binomial
/// formulas are used (they are the limit and avoid cancellation).
pub const RHO_BINOMIAL: f64 = 1e-9;

fn clamp_p(p: f64) -> f64 {
    p.clamp(1e-12, 1.0 - 1e-12)
}

/// Log-likelihood of `k` ALT reads out of `n` (binomial coefficient omitted).
pub fn log_lik(k: u32, n: u32, p: f64, rho: f64) -> f64 {
    let p = clamp_p(p);
    let (k, n) = (f64::from(k), f64::from(n));
    if rho < RHO_BINOMIAL {
        return k * p.ln() + (n - k) * (1.0 - p).ln();
    }
    let s = (1.0 - rho) / rho;
    let a = p * s;
    let b = (1.0 - p) * s;
    ln_gamma(k + a) - ln_gamma(a) + ln_gamma(n - k + b) - ln_gamma(b) - ln_gamma(n + s)
        + ln_gamma(s)
}

/// ln Γ(s) with s = (1−ρ)/ρ, the term of [`log_lik`] shared by every marker
/// of one ρ (0 in the binomial limit, where it is not used).
pub fn ln_gamma_of_s(rho: f64) -> f64 {
    if rho < RHO_BINOMIAL {
        0.0
    } else {
        ln_gamma((1.0 - rho) / rho)
    }
}

/// The parts of [`log_lik`] and [`score`] that do not depend on `p`, for
/// one count and one ρ: computed once per marker and ρ, then evaluated at
/// many `p` (the optimiser's line search and profile intervals). The
/// arithmetic is the same, in the same order, so the values are the same to
/// the last bit.
#[derive(Debug, Clone, Copy)]
pub struct LikTerms {
    k: f64,
    n: f64,
    s: f64,
    ln_gamma_ns: f64,
    ln_gamma_s: f64,
    binomial: bool,
}

impl LikTerms {
    /// Terms of `k` ALT reads out of `n` at overdispersion `rho`.
    pub fn new(k: u32, n: u32, rho: f64) -> LikTerms {
        LikTerms::with_ln_gamma_s(k, n, rho, ln_gamma_of_s(rho))
    }

    /// As [`LikTerms::new`], with ln Γ(s) (s = (1−ρ)/ρ) given: it is the same
    /// for every marker of one ρ.
    pub fn with_ln_gamma_s(k: u32, n: u32, rho: f64, ln_gamma_s: f64) -> LikTerms {
        let (k, n) = (f64::from(k), f64::from(n));
        let binomial = rho < RHO_BINOMIAL;
        let s = (1.0 - rho) / rho;
        let ln_gamma_ns = if binomial { 0.0 } else { ln_gamma(n + s) };
        LikTerms {
            k,
            n,
            s,
            ln_gamma_ns,
            ln_gamma_s,
            binomial,
        }
    }

    /// [`log_lik`] at `p`.
    #[inline]
    pub fn log_lik(&self, p: f64) -> f64 {
        let p = clamp_p(p);
        let (k, n) = (self.k, self.n);
        if self.binomial {
            return k * p.ln() + (n - k) * (1.0 - p).ln();
        }
        let a = p * self.s;
        let b = (1.0 - p) * self.s;
        ln_gamma(k + a) - ln_gamma(a) + ln_gamma(n - k + b) - ln_gamma(b) - self.ln_gamma_ns
            + self.ln_gamma_s
    }

    /// [`score`] at `p`.
    #[inline]
    pub fn score(&self, p: f64) -> f64 {
        let p = clamp_p(p);
        let (k, n) = (self.k, self.n);
        if self.binomial {
            return k / p - (n - k) / (1.0 - p);
        }
        let s = self.s;
        let a = p * s;
        let b = (1.0 - p) * s;
        s * (digamma(k + a) - digamma(a) - digamma(n - k + b) + digamma(b))
    }
}

/// Derivative of [`log_lik`] with respect to `p`.
pub fn score(k: u32, n: u32, p: f64, rho: f64) -> f64 {
    let p = clamp_p(p);
    let (k, n) = (f64::from(k), f64::from(n));
    if rho < RHO_BINOMIAL {
        return k / p - (n - k) / (1.0 - p);
    }
    let s = (1.0 - rho) / rho;
    let a = p * s;
    let b = (1.0 - p) * s;
    s * (digamma(k + a) - digamma(a) - digamma(n - k + b) + digamma(b))
}

/// Expected (quasi-likelihood) information about `p` from `n` reads:
/// n / (p(1−p)(1 + (n−1)ρ)). Used for Fisher scoring, standard errors and
/// detection limits.
pub fn fisher_weight(n: u32, p: f64, rho: f64) -> f64 {
    let p = clamp_p(p);
    let n = f64::from(n);
    n / (p * (1.0 - p) * (1.0 + (n - 1.0) * rho.max(0.0)))
}

/// Variance of the ALT count under the model (for standardised residuals).
pub fn count_variance(n: u32, p: f64, rho: f64) -> f64 {
    let p = clamp_p(p);
    let n = f64::from(n);
    n * p * (1.0 - p) * (1.0 + (n - 1.0) * rho.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_rho_approaches_binomial() {
        let b = log_lik(30, 100, 0.3, 0.0);
        let bb = log_lik(30, 100, 0.3, 1e-7);
        assert!((b - bb).abs() < 1e-3, "{b} vs {bb}");
    }

    #[test]
    fn beta_binomial_pmf_sums_to_one() {
        // Add back the binomial coefficient and sum over k.
        let (n, p, rho) = (40u32, 0.2, 0.05);
        let total: f64 = (0..=n)
            .map(|k| {
                let lc = ln_gamma(f64::from(n) + 1.0)
                    - ln_gamma(f64::from(k) + 1.0)
                    - ln_gamma(f64::from(n - k) + 1.0);
                (lc + log_lik(k, n, p, rho)).exp()
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn cached_terms_give_the_same_bits() {
        for &(k, n, p, rho) in &[
            (30u32, 100u32, 0.25, 0.01),
            (3, 5000, 0.001, 1e-4),
            (0, 5000, 3e-4, 2e-4),
            (5000, 5000, 0.9999, 1e-3),
            (2490, 5000, 0.5, 0.0),
            (2490, 5000, 0.5, 1e-10),
            (17, 40_000, 1e-13, 0.2),
        ] {
            let t = LikTerms::new(k, n, rho);
            assert_eq!(t.log_lik(p).to_bits(), log_lik(k, n, p, rho).to_bits());
            assert_eq!(t.score(p).to_bits(), score(k, n, p, rho).to_bits());
        }
    }

    #[test]
    fn score_matches_finite_difference() {
        for &(k, n, p, rho) in &[
            (30u32, 100u32, 0.25, 0.01),
            (3, 5000, 0.001, 1e-4),
            (2490, 5000, 0.5, 0.0),
        ] {
            let h = 1e-5 * p;
            let fd = (log_lik(k, n, p + h, rho) - log_lik(k, n, p - h, rho)) / (2.0 * h);
            let s = score(k, n, p, rho);
            assert!(
                (fd - s).abs() <= 1e-4 * s.abs().max(1.0),
                "k={k} n={n}: {fd} vs {s}"
            );
        }
    }
}

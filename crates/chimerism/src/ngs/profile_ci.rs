//! Profile-likelihood confidence intervals for the fraction of one person
//! (or the summed fraction of a group of persons):
//! { t : 2[ℓ(f̂) − ℓ_p(t)] ≤ χ²₁(level) }, where ℓ_p(t) maximises the
//! likelihood with the group's fraction fixed at t. Overdispersion is held at
//! its fitted value; residual extra-binomial variation that ρ does not
//! capture (Pearson χ²/df = φ > 1) widens the interval as in
//! quasi-likelihood: the critical value is multiplied by φ.

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use super::design::{Design, Dispersion};
use super::fit::{Blocks, lik_terms, maximise, maximise_with};
use super::likelihood::LikTerms;
use super::math::normal_quantile;

/// A two-sided interval on a fraction (0–1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: Fraction,
    /// Upper bound.
    pub high: Fraction,
}

/// χ²₁ critical value for a two-sided confidence level (3.841 for 0.95).
pub fn chi2_1_critical(level: f64) -> f64 {
    let z = normal_quantile(0.5 + level / 2.0);
    z * z
}

/// Profile log-likelihood of the group's total fraction `t`.
pub fn profile_log_lik(
    design: &Design,
    rho: &Dispersion,
    fhat: &[f64],
    group: &[usize],
    t: f64,
) -> f64 {
    let blocks = Blocks::split(design.persons, group, t);
    maximise(design, rho, fhat, &blocks).log_lik
}

/// Profile-likelihood interval of the summed fraction of `group` at `level`.
pub fn profile_interval(
    design: &Design,
    rho: &Dispersion,
    fhat: &[f64],
    ll_hat: f64,
    group: &[usize],
    level: f64,
    phi: f64,
) -> Interval {
    let crit = chi2_1_critical(level) / 2.0 * phi.max(1.0);
    let that: f64 = group.iter().map(|&k| fhat[k]).sum::<f64>().clamp(0.0, 1.0);
    let terms: Vec<LikTerms> = lik_terms(design, rho);
    let deficit = |t: f64| {
        let blocks = Blocks::split(design.persons, group, t);
        ll_hat - maximise_with(design, rho, &terms, fhat, &blocks).log_lik
    };
    let root = |mut inside: f64, mut outside: f64| -> f64 {
        for _ in 0..50 {
            let mid = 0.5 * (inside + outside);
            if deficit(mid) <= crit {
                inside = mid;
            } else {
                outside = mid;
            }
            if (outside - inside).abs() < 1e-7 {
                break;
            }
        }
        0.5 * (inside + outside)
    };
    let low = if that <= 0.0 || deficit(0.0) <= crit {
        0.0
    } else {
        root(that, 0.0)
    };
    let high = if that >= 1.0 || deficit(1.0) <= crit {
        1.0
    } else {
        root(that, 1.0)
    };
    // Both ends come from a bisection between the estimate (clamped to
    // [0, 1] above) and 0 or 1: always finite and in range.
    Interval {
        low: Fraction::clamp(low).unwrap_or(Fraction::ZERO),
        high: Fraction::clamp(high).unwrap_or(Fraction::ONE),
    }
}

/// Widens the profile interval `ci` around the estimate `that` by an
/// uncertainty the likelihood does not carry (the error rates', SD
/// `extra_sd`): each half-width h becomes √(h² + (z·extra_sd)²), z the
/// two-sided normal quantile of `level`, clamped to [0, 1]. The profile
/// likelihood holds the error rates at their estimates; with shallow
/// references (50 reads) their uncertainty is shared by every marker of
/// the sample and does not average out.
pub fn widen(ci: Interval, that: f64, extra_sd: f64, level: f64) -> Interval {
    if !(extra_sd.is_finite() && extra_sd > 0.0) {
        return ci;
    }
    let add = (normal_quantile(0.5 + level / 2.0) * extra_sd).powi(2);
    let (lo, hi) = (that - ci.low.get(), ci.high.get() - that);
    Interval {
        low: Fraction::clamp(that - (lo.max(0.0).powi(2) + add).sqrt()).unwrap_or(ci.low),
        high: Fraction::clamp(that + (hi.max(0.0).powi(2) + add).sqrt()).unwrap_or(ci.high),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_adds_in_quadrature_and_stays_in_range() {
        let f = |x: f64| Fraction::new(x).unwrap();
        let ci = Interval {
            low: f(0.004),
            high: f(0.007),
        };
        // z(0.95) · sd = 0.004 → half-widths √(0.001² + 0.004²), √(0.002² + 0.004²).
        let sd = 0.004 / normal_quantile(0.975);
        let w = widen(ci, 0.005, sd, 0.95);
        assert!(
            (w.high.get() - (0.005 + (0.002f64.powi(2) + 0.004f64.powi(2)).sqrt())).abs() < 1e-12
        );
        assert!(
            (w.low.get() - (0.005 - (0.001f64.powi(2) + 0.004f64.powi(2)).sqrt())).abs() < 1e-12
        );
        // A larger uncertainty reaches 0 and stops there.
        assert_eq!(widen(ci, 0.005, 3.0 * sd, 0.95).low, Fraction::ZERO);
        assert_eq!(widen(ci, 0.005, 0.0, 0.95), ci);
        assert_eq!(widen(ci, 0.005, f64::NAN, 0.95), ci);
    }

    #[test]
    fn critical_value_95() {
        assert!((chi2_1_critical(0.95) - 3.841_458_820_694_124).abs() < 1e-6);
    }
}

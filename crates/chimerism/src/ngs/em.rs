//! EM initialisation of the mixture fractions (binomial model).
//!
//! E-step: each ALT read of a marker is split among persons in proportion
//! f_k·q_k and each REF read in proportion f_k·(1−q_k); M-step: f_k is
//! person k's share of all reads. Monotone in the binomial likelihood, and
//! stays on the simplex by construction.

use super::design::Design;

/// Runs EM from `init` (a point of the simplex) for at most `max_iter`
/// iterations or until no fraction moves by more than `tol`.
pub fn em_binomial(design: &Design, init: &[f64], max_iter: usize, tol: f64) -> Vec<f64> {
    let k = design.persons;
    let mut f = init.to_vec();
    let total: f64 = design.rows.iter().map(|r| f64::from(r.depth)).sum();
    if total <= 0.0 {
        return f;
    }
    let mut acc = vec![0.0; k];
    for _ in 0..max_iter {
        acc.iter_mut().for_each(|a| *a = 0.0);
        for r in &design.rows {
            // A linearised row's slopes can exceed 1 (an amplified allele,
            // see `AmplificationModel`); EM needs probabilities.
            let q = |j: usize| r.q[j].clamp(0.0, 1.0);
            let p: f64 = (0..k).map(|j| q(j) * f[j]).sum();
            let alt = f64::from(r.alt);
            let refc = f64::from(r.depth - r.alt);
            for j in 0..k {
                if f[j] <= 0.0 {
                    continue;
                }
                if p > 0.0 {
                    acc[j] += alt * f[j] * q(j) / p;
                }
                if p < 1.0 {
                    acc[j] += refc * f[j] * (1.0 - q(j)) / (1.0 - p);
                }
            }
        }
        let mut delta: f64 = 0.0;
        for j in 0..k {
            let new = acc[j] / total;
            delta = delta.max((new - f[j]).abs());
            f[j] = new;
        }
        let s: f64 = f.iter().sum();
        f.iter_mut().for_each(|x| *x /= s);
        if delta < tol {
            break;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::design::{DesignRow, DispersionClass};
    use super::*;

    #[test]
    fn recovers_exact_mixture_from_expected_counts() {
        // Recipient 0/0 vs donor 1/1 and 1/1 vs 0/0; 30% recipient, no errors.
        let rows = vec![
            DesignRow {
                marker: 0,
                alt: 7_000,
                depth: 10_000,
                q: vec![0.0, 1.0],
                class: DispersionClass::HomContrast,
                amplification: None,
                error_var: [0.0; 2],
                common_error_sd: [0.0; 2],
            },
            DesignRow {
                marker: 1,
                alt: 3_000,
                depth: 10_000,
                q: vec![1.0, 0.0],
                class: DispersionClass::HomContrast,
                amplification: None,
                error_var: [0.0; 2],
                common_error_sd: [0.0; 2],
            },
        ];
        let d = Design { persons: 2, rows };
        let f = em_binomial(&d, &[0.5, 0.5], 10_000, 1e-12);
        assert!((f[0] - 0.3).abs() < 1e-9, "{f:?}");
    }
}

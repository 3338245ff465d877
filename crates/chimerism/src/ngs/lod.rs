//! Limit of blank and limit of detection of a person's fraction in one
//! sample, from the Fisher information of the fitted model:
//! LoB = 1.645·SE(f = 0), LoD = LoB + 1.645·SE(f = LoB), where SE(x) is the
//! standard error of the person's fraction at a mixture holding x of that
//! person and the others in their fitted proportions. Standard errors are
//! multiplied by √φ (φ = Pearson χ²/df when above 1, see `profile_ci`).

use serde::{Deserialize, Serialize};

use super::design::{Design, Dispersion};
use super::fit::solve;
use super::likelihood::fisher_weight;
use super::math::normal_quantile;

/// Detection limits (fractions). Plain numbers, not bounded to 0–1: they
/// are 1.645 standard errors of the estimate and can exceed 1 in a sample
/// with few informative markers (such a sample cannot detect the person);
/// they are reported as computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DetectionLimit {
    /// Limit of blank: 95th percentile of the estimate when the person is absent.
    pub lob: f64,
    /// Limit of detection: level detected above LoB with 95% probability.
    pub lod: f64,
}

/// Standard error of person `who`'s fraction at fractions `f` (all other
/// fractions free, one of them absorbing the sum-to-one constraint).
///
/// Besides the reads and each row's own error-rate uncertainty, the error
/// shared by all rows (`DesignRow::common_error_sd`: the sample's error
/// scale) moves the estimate by I⁻¹ Σ w c g per unit of it, g the shift of
/// the row's expected ALT share (SD × (1 − p) for REF→ALT, −SD × p for
/// ALT→REF); its square is added per direction.
pub fn standard_error(design: &Design, rho: &Dispersion, f: &[f64], who: usize) -> Option<f64> {
    let var = variance(design, rho, f, who, ErrorRates::Uncertain)?;
    (var.is_finite() && var > 0.0).then(|| var.sqrt())
}

/// How [`variance`] treats the error rates.
#[derive(Clone, Copy, PartialEq)]
enum ErrorRates {
    /// Known: read variance only.
    Known,
    /// Each row's own uncertainty, not the shared scale.
    RowsOnly,
    /// Each row's own uncertainty and the shared scale.
    Uncertain,
}

/// The part of [`standard_error`] that comes from the error scale shared
/// by every marker of the sample (`DesignRow::common_error_sd`):
/// √(SE² − SE²_rows), SE_rows the standard error without the shared term.
/// The profile-likelihood interval holds the rates at their estimates; a
/// row's own rate error varies from marker to marker and shows in the fit's
/// dispersion (φ widens the interval for it), but the shared scale moves
/// every marker the same way and does not.
pub fn error_rate_sd(design: &Design, rho: &Dispersion, f: &[f64], who: usize) -> Option<f64> {
    let full = variance(design, rho, f, who, ErrorRates::Uncertain)?;
    let rows = variance(design, rho, f, who, ErrorRates::RowsOnly)?;
    let extra = full - rows;
    extra.is_finite().then(|| extra.max(0.0).sqrt())
}

/// Variance of person `who`'s fraction at `f`, with the error rates as
/// `rates` says.
fn variance(
    design: &Design,
    rho: &Dispersion,
    f: &[f64],
    who: usize,
    rates: ErrorRates,
) -> Option<f64> {
    let k = design.persons;
    if k < 2 {
        return None;
    }
    let pivot = (0..k)
        .filter(|&j| j != who)
        .max_by(|&a, &b| f[a].total_cmp(&f[b]))?;
    let free: Vec<usize> = (0..k).filter(|&j| j != pivot).collect();
    let r = free.len();
    let mut info = vec![0.0; r * r];
    // Exposure of the score to the shared error, per direction.
    let mut shared = [vec![0.0; r], vec![0.0; r]];
    let on_rows = if rates == ErrorRates::Known { 0.0 } else { 1.0 };
    let on = if rates == ErrorRates::Uncertain {
        1.0
    } else {
        0.0
    };
    for row in &design.rows {
        let p = row.p(f);
        // Read variance plus the error rates' own uncertainty.
        let w = 1.0
            / (1.0 / fisher_weight(row.depth, p, row.rho(rho)) + on_rows * row.error_variance(p));
        let g = [
            on * row.common_error_sd[0] * (1.0 - p),
            -on * row.common_error_sd[1] * p,
        ];
        for (i, &a) in free.iter().enumerate() {
            let ca = row.q[a] - row.q[pivot];
            for (j, &b) in free.iter().enumerate() {
                info[i * r + j] += w * ca * (row.q[b] - row.q[pivot]);
            }
            shared[0][i] += w * ca * g[0];
            shared[1][i] += w * ca * g[1];
        }
    }
    let pos = free.iter().position(|&j| j == who)?;
    let mut e = vec![0.0; r];
    e[pos] = 1.0;
    let col = solve(info, e, r)?;
    let moved = |s: &[f64]| col.iter().zip(s).map(|(c, s)| c * s).sum::<f64>();
    Some(col[pos] + moved(&shared[0]).powi(2) + moved(&shared[1]).powi(2))
}

/// The fitted mixture with person `who` set to `x` and the others rescaled.
fn with_fraction(f: &[f64], who: usize, x: f64) -> Vec<f64> {
    let rest: f64 = f
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != who)
        .map(|(_, v)| v)
        .sum();
    let n_rest = (f.len() - 1) as f64;
    f.iter()
        .enumerate()
        .map(|(j, &v)| {
            if j == who {
                x
            } else if rest > 0.0 {
                v / rest * (1.0 - x)
            } else {
                (1.0 - x) / n_rest
            }
        })
        .collect()
}

/// LoB and LoD of person `who` (one-sided 95%: z = 1.645).
pub fn detection_limit(
    design: &Design,
    rho: &Dispersion,
    fhat: &[f64],
    who: usize,
    phi: f64,
) -> Option<DetectionLimit> {
    let z = normal_quantile(0.95) * phi.max(1.0).sqrt();
    let f0 = with_fraction(fhat, who, 0.0);
    let lob = z * standard_error(design, rho, &f0, who)?;
    let f1 = with_fraction(fhat, who, lob.min(1.0));
    let lod = lob + z * standard_error(design, rho, &f1, who)?;
    Some(DetectionLimit { lob, lod })
}

#[cfg(test)]
mod tests {
    use super::super::design::{Design, DesignRow, Dispersion};
    use super::super::error_model::ErrorRates as Rates;
    use super::super::genotype::Genotype;
    use super::*;

    /// 100 markers where the recipient is heterozygous and the donor
    /// homozygous REF, 2,000 reads, REF→ALT error 0.1 %, recipient 0.5 %.
    fn design(common_sd: f64, row_var: f64) -> Design {
        let rates = Rates {
            ref_to_alt: 0.001,
            alt_to_ref: 0.001,
            ref_reads_seen: 0,
            alt_reads_seen: 0,
        };
        let rows = (0..100)
            .map(|m| {
                let mut r =
                    DesignRow::new(m, 12, 2_000, &[Genotype::Het, Genotype::HomRef], &rates);
                r.common_error_sd = [common_sd, common_sd];
                r.error_var = [row_var, row_var];
                r
            })
            .collect();
        Design { persons: 2, rows }
    }

    /// The interval's extra term is the shared error scale's effect alone:
    /// 0 without it (whatever each row's own uncertainty), and an error
    /// shift δ at every marker moves a heterozygous recipient by about 2δ.
    #[test]
    fn error_rate_sd_is_the_shared_scale_alone() {
        let rho = Dispersion {
            hom_contrast: 0.0,
            het: 0.0,
        };
        let f = [0.005, 0.995];
        let none = error_rate_sd(&design(0.0, 0.0), &rho, &f, 0).unwrap();
        assert!(none.abs() < 1e-12, "{none}");
        let rows_only = error_rate_sd(&design(0.0, 1e-7), &rho, &f, 0).unwrap();
        assert!(rows_only.abs() < 1e-12, "{rows_only}");
        let shared = error_rate_sd(&design(0.0005, 0.0), &rho, &f, 0).unwrap();
        assert!((shared - 0.001).abs() < 0.0001, "{shared}");
        // It is part of the standard error the detection limits use.
        let se = standard_error(&design(0.0005, 0.0), &rho, &f, 0).unwrap();
        let reads = standard_error(&design(0.0, 0.0), &rho, &f, 0).unwrap();
        assert!((se * se - reads * reads - shared * shared).abs() < 1e-12);
    }
}

//! The least-squares fit on the simplex with left-censored positions, and
//! the bootstrap helpers.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use super::allele::Allele;
use super::simplex::simplex_least_squares_from;

/// One modelled position of a locus: templates, observed share, and the
/// censoring bound when the sample has no peak there.
pub(crate) struct Row {
    pub(crate) allele: Allele,
    pub(crate) g: Vec<f64>,
    pub(crate) y: f64,
    pub(crate) censored_below: Option<f64>,
}

impl Row {
    /// The observation used in the fit given the model value `m`: a censored
    /// position is imputed at min(m, bound) (it cannot be above the bound,
    /// and anything below it is consistent with seeing no peak).
    pub(crate) fn effective_y(&self, m: f64) -> f64 {
        match self.censored_below {
            Some(b) => m.clamp(0.0, b),
            None => self.y,
        }
    }
}

pub(crate) struct LocusFit {
    pub(crate) index: usize,
    pub(crate) q: Vec<Vec<f64>>,
    pub(crate) rows: Vec<Row>,
    pub(crate) total: f64,
    pub(crate) det: Vec<Option<(bool, f64)>>,
}

/// Least squares on the simplex over the given loci, with censored positions
/// imputed iteratively at min(fitted value, bound) (an EM-like fixed point;
/// Q does not depend on the imputation, only r does).
pub(crate) fn fit_censored(loci: &[&LocusFit], k: usize, start: Option<&[f64]>) -> Vec<f64> {
    let mut q = vec![vec![0.0; k]; k];
    for f in loci {
        for i in 0..k {
            for j in 0..k {
                q[i][j] += f.q[i][j];
            }
        }
    }
    let r_at = |est: Option<&[f64]>| {
        let mut r = vec![0.0; k];
        for f in loci {
            for row in &f.rows {
                let y = match est {
                    Some(e) => row.effective_y((0..k).map(|i| e[i] * row.g[i]).sum()),
                    None => row.y,
                };
                for i in 0..k {
                    r[i] += row.g[i] * y;
                }
            }
        }
        r
    };
    let mut est = simplex_least_squares_from(&q, &r_at(None), start);
    if !loci
        .iter()
        .any(|f| f.rows.iter().any(|r| r.censored_below.is_some()))
    {
        return est;
    }
    for _ in 0..50 {
        let next = simplex_least_squares_from(&q, &r_at(Some(&est)), Some(&est));
        let change = next
            .iter()
            .zip(&est)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0_f64, f64::max);
        est = next;
        if change < 1e-9 {
            break;
        }
    }
    est
}

pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = p * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny reproducible generator for the bootstrap.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

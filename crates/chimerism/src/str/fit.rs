//! The least-squares fit on the simplex with left-censored positions, the
//! variance-weighted refinement (per-locus scale and weights from a peak
//! variance model), and the bootstrap helpers.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

use super::allele::Allele;
use super::simplex::simplex_least_squares_from;

/// One modelled position of a locus: templates, observed share, and the
/// censoring bound when the sample has no peak there.
#[derive(Clone)]
pub(crate) struct Row {
    pub(crate) allele: Allele,
    /// Per-person allelic template share at this position (what f
    /// multiplies in the fit).
    pub(crate) g: Vec<f64>,
    /// Per-person stutter template share at this position (for the fitted
    /// peak report only: the fit uses the stutter of the observed parents).
    pub(crate) gs: Vec<f64>,
    /// Observed share minus [`Row::stutter`]: the allelic part, which the
    /// fit models as c·Σ f_k·g_k (negative when a peak is smaller than the
    /// stutter expected there; not clipped, which would bias an absent
    /// person's share upwards).
    pub(crate) y: f64,
    /// Stutter share expected here from the parent peaks as observed in
    /// the sample (subtracted from `y`; its scatter enters the weight).
    pub(crate) stutter: f64,
    pub(crate) censored_below: Option<f64>,
    /// Standard deviation (share) of a censored position's peak at the
    /// current model, for its imputation ([`Row::effective_y`]); 0 until
    /// [`reweight`] sets it (then the position is imputed at min(m, bound)).
    pub(crate) cens_sd: f64,
    /// Weight of the position in the fit (1 until [`reweight`]).
    pub(crate) w: f64,
    /// Fragment length relative to the mean of the locus's modelled
    /// positions (bp; 0 when unknown), for the degradation term.
    pub(crate) len: f64,
    /// `g` and `gs` before the degradation term.
    pub(crate) g0: Vec<f64>,
    pub(crate) gs0: Vec<f64>,
}

impl Row {
    /// The observation used in the fit given the model value `m`. A
    /// censored position (no peak at or above the threshold) whose model is
    /// below the bound is imputed at the expected peak *given that it was
    /// not seen*, E[y | y < bound] under a normal peak of sd
    /// [`Row::cens_sd`] (the EM step of a censored, Tobit, regression):
    /// imputing it at the model itself would let the peaks that happened to
    /// be drawn high enough to be seen pull a small share up (selection
    /// bias; a 1 % recipient read 2 % on an independent simulation). Above
    /// the bound (a dropout the model does not expect) it is imputed at the
    /// bound. Never below 0.
    pub(crate) fn effective_y(&self, m: f64) -> f64 {
        match self.censored_below {
            Some(b) if m < b && self.cens_sd > 0.0 => {
                let alpha = (b - m) / self.cens_sd;
                // Φ(α) = P(Z < α); the inverse Mills ratio φ(α)/Φ(α).
                let cdf = 1.0 - crate::ngs::math::normal_sf(alpha);
                let pdf = (-0.5 * alpha * alpha).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let mills = if cdf > 1e-12 { pdf / cdf } else { -alpha };
                (m - self.cens_sd * mills).clamp(0.0, b)
            }
            Some(b) => m.clamp(0.0, b),
            None => self.y,
        }
    }
}

#[derive(Clone)]
pub(crate) struct LocusFit {
    pub(crate) index: usize,
    /// Σ w·c²·g·gᵀ over the rows.
    pub(crate) q: Vec<Vec<f64>>,
    pub(crate) rows: Vec<Row>,
    pub(crate) total: f64,
    /// Noise floor of a position as a share of the locus (baseline noise /
    /// locus height).
    pub(crate) noise_share: f64,
    /// Template-sampling variance of a position per unit of its expected
    /// share (the configured `template_sampling_rfu` / locus height): a
    /// peak of expected share m has this variance × m on top of the
    /// relative spread (variance ∝ mean, as the template copies behind it).
    pub(crate) sampling_share: f64,
    /// Locus scale c: the model of a position's share is c·Σ f_k·g_k
    /// (1 until [`reweight`]; a large peak read high or low then moves c,
    /// not the other positions' shares).
    pub(crate) scale: f64,
    /// Absolute fragment length (bp) at the centre of the locus's modelled
    /// positions, for the between-locus degradation term (`None` when the
    /// alleles have no length).
    pub(crate) size_bp: Option<f64>,
    pub(crate) det: Vec<Option<super::calls::LocusDetection>>,
}

impl LocusFit {
    /// Recomputes `q` from the rows' weights and the scale.
    pub(crate) fn update_q(&mut self, k: usize) {
        let mut q = vec![vec![0.0; k]; k];
        let c2 = self.scale * self.scale;
        for row in &self.rows {
            for i in 0..k {
                for j in 0..k {
                    q[i][j] += row.w * c2 * row.g[i] * row.g[j];
                }
            }
        }
        self.q = q;
    }
}

/// Relative spread of peaks used by the weighted fit (see
/// docs/chimerism-str.md "Joint fit"): allelic peaks vary by `allele_cv`
/// (heterozygote imbalance, PCR noise), stutter peaks by `stutter_cv`
/// around the modelled ratio, and every peak by an additive noise floor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeakNoise {
    pub(crate) allele_cv: f64,
    pub(crate) stutter_cv: f64,
    /// Fit a within-locus degradation slope.
    pub(crate) degradation: bool,
    /// Estimate the template-sampling dispersion ([`dispersion`]): a
    /// low-template sample.
    pub(crate) dispersion: bool,
}

/// Iteratively reweighted fit: starting from the unweighted solution, each
/// locus gets its scale c (weighted least squares of y on the model) and
/// each position the weight 1 / (cv_a²·(c·m)² + τ·c·m/T + cv_s²·stutter² +
/// noise²) (m the allelic model, T the locus total, stutter the share
/// subtracted from the peak for its observed parents; the inverse of its
/// variance under the peak variance model, τ the sample's template-sampling
/// dispersion from [`dispersion`] in a low-template sample, else 0), the
/// degradation slope δ is updated (the within-locus
/// Gauss–Newton step combined, by information, with the slope seen across
/// loci: [`between_locus_slope`]), and f is refitted; a few rounds reach a
/// fixed point. Returns f and δ; the loci keep their final
/// weights, scales and templates (the bootstrap reuses them).
pub(crate) fn fit_weighted(loci: &mut [LocusFit], k: usize, noise: PeakNoise) -> (Vec<f64>, f64) {
    let mut est = {
        let refs: Vec<&LocusFit> = loci.iter().collect();
        fit_censored(&refs, k, None)
    };
    let mut slope = 0.0;
    let mut tau = 0.0;
    for _ in 0..REWEIGHT_ROUNDS {
        for f in loci.iter_mut() {
            reweight(f, &est, k, noise, tau);
        }
        // The data's own dispersion (Pearson), then the weights again with it.
        if noise.dispersion {
            tau = dispersion(loci, &est, k, noise, noise.degradation);
            for f in loci.iter_mut() {
                reweight(f, &est, k, noise, tau);
            }
        }
        if noise.degradation {
            let (step, within) = degradation_step(loci, &est, k);
            let next = match between_locus_slope(loci) {
                Some((between, info)) if within + info > 0.0 => {
                    (within * (slope + step) + info * between) / (within + info)
                }
                _ => slope + step,
            };
            slope = next.clamp(-MAX_SLOPE, MAX_SLOPE);
            for f in loci.iter_mut() {
                for row in &mut f.rows {
                    let d = (-slope * row.len).exp();
                    row.g = row.g0.iter().map(|g| g * d).collect();
                    row.gs = row.gs0.iter().map(|g| g * d).collect();
                }
                f.update_q(k);
            }
        }
        let refs: Vec<&LocusFit> = loci.iter().collect();
        let next = fit_censored(&refs, k, Some(&est));
        let change = max_change(&next, &est);
        est = next;
        if change < 1e-7 {
            break;
        }
    }
    (est, slope)
}

/// A locus's normal equations for the bootstrap with its scale profiled
/// out: the locus scale c is a nuisance fitted with f, so a replicate must
/// let it move, or the interval is too narrow. Linearising c·G·f around
/// (f̂, ĉ) and minimising over c gives Q = A − p·pᵀ/s and r = b − p·t/s with
/// A = Σ w c² g gᵀ, b = Σ w c g y, p = Σ w c g m̂, s = Σ w m̂², t = Σ w m̂ y
/// (m̂ = g·f̂; censored positions at their imputed values). Q is singular
/// along f̂ (scaling f is scaling c); the simplex constraint fixes that.
pub(crate) fn profiled_normal_equations(
    f: &LocusFit,
    est: &[f64],
    k: usize,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let c = f.scale;
    let mut a = vec![vec![0.0; k]; k];
    let (mut b, mut p) = (vec![0.0; k], vec![0.0; k]);
    let (mut s, mut t) = (0.0, 0.0);
    for row in &f.rows {
        let m: f64 = (0..k).map(|i| est[i] * row.g[i]).sum();
        let y = row.effective_y(c * m);
        for i in 0..k {
            for j in 0..k {
                a[i][j] += row.w * c * c * row.g[i] * row.g[j];
            }
            b[i] += row.w * c * row.g[i] * y;
            p[i] += row.w * c * row.g[i] * m;
        }
        s += row.w * m * m;
        t += row.w * m * y;
    }
    if s > 0.0 {
        for i in 0..k {
            for j in 0..k {
                a[i][j] -= p[i] * p[j] / s;
            }
            b[i] -= p[i] * t / s;
        }
    }
    (a, b)
}

/// Largest degradation slope accepted (per bp): 0.02/bp halves a signal
/// over 35 bp, far beyond a usable sample.
const MAX_SLOPE: f64 = 0.02;

/// One Gauss–Newton step for the within-locus degradation slope δ
/// (signal ∝ exp(−δ·length)): weighted regression of the log ratio of
/// observed to modelled share on the centred fragment length, over the
/// peaks seen, with weights (model / sd)² (the inverse variance of the log).
/// Returns the step and its information (Σ weight × length²).
fn degradation_step(loci: &[LocusFit], est: &[f64], k: usize) -> (f64, f64) {
    let (mut num, mut den) = (0.0, 0.0);
    for f in loci {
        for row in f
            .rows
            .iter()
            .filter(|r| r.censored_below.is_none() && r.len != 0.0)
        {
            let m = f.scale * (0..k).map(|i| est[i] * row.g[i]).sum::<f64>();
            if m <= 0.0 || row.y <= 0.0 {
                continue;
            }
            let w = row.w * m * m;
            num += w * row.len * (row.y / m).ln();
            den += w * row.len * row.len;
        }
    }
    if den > 0.0 {
        (-num / den, den)
    } else {
        (0.0, 0.0)
    }
}

/// Fewest loci for the between-locus degradation term (a slope, an
/// intercept and a residual variance need a few degrees of freedom).
const MIN_LOCI_BETWEEN: usize = 5;

/// Smallest between-locus spread of log efficiencies accepted (guards the
/// information of the term when a few loci happen to fall on a line).
const MIN_LOCUS_SD: f64 = 0.05;

/// The degradation slope seen across loci: every person contributes two
/// allele copies to every locus, so a locus's efficiency E = signal total ×
/// scale (the whole emission of the locus at its centre length) does not
/// depend on the mixture, and in degraded DNA it falls with the fragment
/// length (the "ski slope" of an electropherogram). Least squares of ln E on
/// the locus length, with the scatter of the loci around the line (locus
/// amplification efficiency) estimated from the residuals. Returns the
/// slope and its information (Σ (length − mean)² / residual variance), or
/// `None` with fewer than [`MIN_LOCI_BETWEEN`] loci.
fn between_locus_slope(loci: &[LocusFit]) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64)> = loci
        .iter()
        .filter(|f| f.total > 0.0 && f.scale > 0.0)
        .filter_map(|f| f.size_bp.map(|s| (s, (f.total * f.scale).ln())))
        .collect();
    let n = points.len();
    if n < MIN_LOCI_BETWEEN {
        return None;
    }
    let (ms, my) = points.iter().fold((0.0, 0.0), |(a, b), (s, y)| {
        (a + s / n as f64, b + y / n as f64)
    });
    let sxx: f64 = points.iter().map(|(s, _)| (s - ms).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|(s, y)| (s - ms) * (y - my)).sum();
    let b = sxy / sxx;
    let rss: f64 = points
        .iter()
        .map(|(s, y)| (y - my - b * (s - ms)).powi(2))
        .sum();
    let var = (rss / (n - 2) as f64).max(MIN_LOCUS_SD * MIN_LOCUS_SD);
    Some((-b, sxx / var))
}

/// Rounds of reweighting (the fixed point is usually reached in 3–5).
const REWEIGHT_ROUNDS: usize = 12;

/// Variance (share²) of an allelic peak of expected share `cm` at a locus
/// of total `total` (T) and noise floor `noise_share`: relative spread
/// `allele_cv`, template sampling τ·cm/T (τ in units of the measure: a
/// peak's variance grows with its expected size, as the number of template
/// copies behind it does) and the baseline noise floor.
fn allelic_variance(f: &LocusFit, cm: f64, noise: PeakNoise, tau: f64) -> f64 {
    let sampling = if f.total > 0.0 {
        tau * cm.max(0.0) / f.total
    } else {
        0.0
    };
    (noise.allele_cv * cm).powi(2)
        + sampling
        + f.sampling_share * cm.max(0.0)
        + f.noise_share * f.noise_share
}

/// Largest dispersion accepted (in units of the measure): far beyond any
/// usable sample (a 100 RFU peak would have a spread of ±10,000 %).
const MAX_DISPERSION: f64 = 1.0e6;

/// The sample's template-sampling dispersion τ (units of the measure), the
/// Pearson estimate of the quasi-likelihood dispersion: the τ ≥ 0 at which
/// Σ r²/var(τ) over the peaks seen equals the residual degrees of freedom
/// (allelic peaks − (K−1) − loci − slope), with var(τ) the peak variance model plus
/// τ·(expected share)/T. The base model (`allele_cv`, noise floor) describes
/// peaks from ample template; with few template copies a peak's spread grows
/// with its expected size (copy-number sampling: variance ∝ mean, as in
/// gamma peak-height models), and small peaks are far noisier than the base
/// model says, so trusting them as it does lets a minor person's few peaks,
/// read high, pull its share up. When the base model explains the
/// residuals (Σ r²/var(0) not above the 95th percentile of χ²(dof)), τ = 0
/// and nothing changes.
pub(crate) fn dispersion(
    loci: &[LocusFit],
    est: &[f64],
    k: usize,
    noise: PeakNoise,
    slope: bool,
) -> f64 {
    let mut terms: Vec<(f64, f64, f64)> = Vec::new();
    for f in loci {
        for row in f.rows.iter().filter(|r| r.censored_below.is_none()) {
            let cm = f.scale * (0..k).map(|i| est[i] * row.g[i]).sum::<f64>();
            let base =
                allelic_variance(f, cm, noise, 0.0) + (noise.stutter_cv * row.stutter).powi(2);
            // Only positions with an allelic expectation carry template
            // sampling (a pure stutter position's misfit is the stutter
            // term's).
            if cm > 0.0 && f.total > 0.0 {
                terms.push(((row.y - cm).powi(2), base, cm / f.total));
            }
        }
    }
    let dof =
        terms.len() as f64 - (k as f64 - 1.0) - loci.len() as f64 - f64::from(u8::from(slope));
    if dof < 1.0 {
        return 0.0;
    }
    let pearson = |t: f64| -> f64 {
        terms
            .iter()
            .map(|(r2, b, p)| {
                let v = b + t * p;
                if v > 0.0 { r2 / v } else { 0.0 }
            })
            .sum()
    };
    // Over-dispersion must be evident: Pearson's statistic above the 95th
    // percentile of χ²(dof) (Wilson–Hilferty), not merely above its mean
    // (which it is by chance in half of the samples the base model
    // describes, and a chance τ only flattens their weights).
    let h = 2.0 / (9.0 * dof);
    let chi2_95 = dof * (1.0 - h + 1.644_853_6 * h.sqrt()).powi(3);
    if pearson(0.0) <= chi2_95 {
        return 0.0;
    }
    // Pearson's statistic falls monotonically with τ: bisection (in log τ).
    let (mut lo, mut hi) = (1.0e-6_f64, MAX_DISPERSION);
    for _ in 0..100 {
        let mid = (lo * hi).sqrt();
        if pearson(mid) > dof {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi / lo < 1.0 + 1e-9 {
            break;
        }
    }
    (lo * hi).sqrt()
}

/// One reweighting step of a locus at the current estimate `est`.
fn reweight(f: &mut LocusFit, est: &[f64], k: usize, noise: PeakNoise, tau: f64) {
    let model = |row: &Row| -> f64 { (0..k).map(|i| est[i] * row.g[i]).sum() };
    // Scale: weighted least squares of the (effective) observations on the model.
    let (mut num, mut den) = (0.0, 0.0);
    for row in &f.rows {
        let m = model(row);
        let y = row.effective_y(f.scale * m);
        num += row.w * y * m;
        den += row.w * m * m;
    }
    if den > 0.0 && num > 0.0 {
        f.scale = num / den;
    }
    let floor2 = f.noise_share * f.noise_share;
    let scale = f.scale;
    let vars: Vec<(f64, f64)> = f
        .rows
        .iter()
        .map(|row| {
            let cm = scale * model(row);
            let allelic = allelic_variance(f, cm, noise, tau);
            let var = match row.censored_below {
                // Expected below the threshold: imputed at its conditional
                // mean (Row::effective_y), weighted as a peak of that size.
                Some(b) if cm < b => allelic,
                // A drop-out the model does not expect: its size is known
                // only roughly (100 % spread around the larger of the model
                // and the bound).
                Some(b) => cm.max(b).powi(2) + floor2,
                None => allelic + (noise.stutter_cv * row.stutter).powi(2),
            };
            (var, allelic.sqrt())
        })
        .collect();
    for (row, (var, sd)) in f.rows.iter_mut().zip(vars) {
        row.w = if var > 0.0 { 1.0 / var } else { 1.0 };
        row.cens_sd = if row.censored_below.is_some() {
            sd
        } else {
            0.0
        };
    }
    f.update_q(k);
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
            let c = f.scale;
            for row in &f.rows {
                let y = match est {
                    Some(e) => row.effective_y(c * (0..k).map(|i| e[i] * row.g[i]).sum::<f64>()),
                    None => row.y,
                };
                for i in 0..k {
                    r[i] += row.w * c * row.g[i] * y;
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
        let change = max_change(&next, &est);
        est = next;
        if change < 1e-9 {
            break;
        }
    }
    est
}

/// The largest absolute difference between two estimates, element by
/// element (the convergence measure of the iterated fits).
fn max_change(next: &[f64], est: &[f64]) -> f64 {
    next.iter()
        .zip(est)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0_f64, f64::max)
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

/// Test support: a two-person locus of four alleles (the first two the
/// first person's, the last two the second's), with the observed shares
/// `y`, each row's censoring bound, the locus total and its noise share.
#[cfg(test)]
pub(crate) fn two_person_locus(
    index: usize,
    y: [f64; 4],
    censored: [Option<f64>; 4],
    (total, noise_share): (f64, f64),
) -> LocusFit {
    const G: [[f64; 2]; 4] = [[0.5, 0.0], [0.5, 0.0], [0.0, 0.5], [0.0, 0.5]];
    let rows = G
        .iter()
        .zip(y.into_iter().zip(censored))
        .enumerate()
        .map(|(a, (gi, (y, censored_below)))| Row {
            allele: crate::str::Allele::parse(&format!("{}", 10 + a), crate::str::Locus::D8s1179)
                .expect("allele"),
            g: gi.to_vec(),
            gs: vec![0.0; 2],
            y,
            stutter: 0.0,
            censored_below,
            cens_sd: 0.0,
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
        total,
        noise_share,
        sampling_share: 0.0,
        scale: 1.0,
        size_bp: None,
        det: Vec::new(),
    };
    f.update_q(2);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unseen_position_is_imputed_below_its_model_given_that_it_was_not_seen() {
        let mut f = two_person_locus(
            0,
            [0.5, 0.5, 0.0, 0.0],
            [None, None, Some(0.01), Some(0.01)],
            (5000.0, 0.002),
        );
        let row = &mut f.rows[2];
        // Before the weights are set (no spread known): min(model, bound).
        assert_eq!(row.effective_y(0.004), 0.004);
        assert_eq!(row.effective_y(0.02), 0.01);
        // With its spread: E[y | y < bound] lies below the model …
        row.cens_sd = 0.004;
        let y = row.effective_y(0.008);
        assert!(y < 0.008 && y > 0.0, "{y}");
        // … (α = (0.01 − 0.008) / 0.004 = 0.5: 0.008 − 0.004 × φ(0.5)/Φ(0.5) = 0.0057)
        assert!(
            (y - (0.008 - 0.004 * 0.352_065_3 / 0.691_462_5)).abs() < 1e-6,
            "{y}"
        );
        // … never below 0, and the bound when the model is above it.
        assert_eq!(row.effective_y(0.0), 0.0);
        assert_eq!(row.effective_y(0.03), 0.01);
        // An observed position is its observation.
        assert_eq!(f.rows[0].effective_y(0.3), 0.5);
    }

    fn locus_at(size: f64, efficiency: f64) -> LocusFit {
        LocusFit {
            index: 0,
            q: Vec::new(),
            rows: Vec::new(),
            total: efficiency,
            noise_share: 0.0,
            sampling_share: 0.0,
            scale: 1.0,
            size_bp: Some(size),
            det: Vec::new(),
        }
    }

    /// A two-person locus set: a minor person with share `minor` on two
    /// unique alleles, a major one on two others, every locus `total_rfu`
    /// in all; peaks drawn with template-sampling spread (variance
    /// `tau_rfu` × expected height) and 10 % relative spread, censored
    /// below 50 RFU as an export is.
    fn sampled_loci(
        rng: &mut graftwatch_core::SeededRng,
        minor: f64,
        total_rfu: f64,
        tau_rfu: f64,
    ) -> Vec<LocusFit> {
        let normal = |rng: &mut graftwatch_core::SeededRng| {
            // Box–Muller.
            let (u, v) = (rng.uniform().max(1e-12), rng.uniform());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        };
        (0..12)
            .map(|index| {
                let share = [minor, minor, 1.0 - minor, 1.0 - minor];
                let heights: Vec<f64> = share
                    .iter()
                    .map(|c| {
                        let m = total_rfu * 0.5 * c;
                        let sd = ((0.1 * m).powi(2) + tau_rfu * m).sqrt();
                        let h = m + sd * normal(rng);
                        if h >= 50.0 { h } else { 0.0 }
                    })
                    .collect();
                let seen: f64 = heights.iter().sum();
                let y = [0, 1, 2, 3].map(|a| heights[a] / seen);
                let censored = [0, 1, 2, 3].map(|a| (heights[a] == 0.0).then_some(50.0 / seen));
                two_person_locus(index, y, censored, (seen, 10.0 / seen))
            })
            .collect()
    }

    #[test]
    fn dispersion_is_zero_when_the_base_model_explains_the_peaks() {
        let mut rng = graftwatch_core::SeededRng::new(7);
        let noise = PeakNoise {
            allele_cv: 0.10,
            stutter_cv: 0.25,
            degradation: false,
            dispersion: true,
        };
        // Ample template, 10 % relative spread only: nothing to add (τ = 0
        // unless Pearson's statistic is above its 95th percentile, so in
        // about 95 % of the samples).
        let mut taus = Vec::new();
        for _ in 0..50 {
            let loci = sampled_loci(&mut rng, 0.3, 20_000.0, 0.0);
            let est = fit_censored(&loci.iter().collect::<Vec<_>>(), 2, None);
            taus.push(dispersion(&loci, &est, 2, noise, false));
        }
        taus.sort_by(f64::total_cmp);
        assert!(taus.iter().filter(|t| **t == 0.0).count() >= 44, "{taus:?}");
        // Template sampling with τ = 200 RFU: recovered to within a factor 2.
        let mut taus = Vec::new();
        for _ in 0..50 {
            let loci = sampled_loci(&mut rng, 0.3, 3_000.0, 200.0);
            let est = fit_censored(&loci.iter().collect::<Vec<_>>(), 2, None);
            taus.push(dispersion(&loci, &est, 2, noise, false));
        }
        taus.sort_by(f64::total_cmp);
        let median = taus[25];
        assert!((100.0..400.0).contains(&median), "median τ {median}");
    }

    #[test]
    fn over_dispersed_small_peaks_do_not_read_a_minor_person_high() {
        // Low template (a 10 % person's alleles at about 100 RFU, some below
        // the threshold) with template-sampling spread: the base variance
        // model trusts the minor person's small peaks ten times more than the
        // major's, and the ones seen are the ones that happened to be high.
        // Before the dispersion term this read the minor person 5.5 points
        // high on average (300 samples); with it 2.9.
        let run = |dispersion: bool| {
            let mut rng = graftwatch_core::SeededRng::new(11);
            let noise = PeakNoise {
                allele_cv: 0.10,
                stutter_cv: 0.25,
                degradation: false,
                dispersion,
            };
            let (mut bias, mut mae) = (0.0, 0.0);
            let n = 300;
            for _ in 0..n {
                let mut loci = sampled_loci(&mut rng, 0.10, 2_000.0, 150.0);
                let (est, _) = fit_weighted(&mut loci, 2, noise);
                bias += (est[0] - 0.10) / f64::from(n);
                mae += (est[0] - 0.10).abs() / f64::from(n);
            }
            (bias, mae)
        };
        let (bias_off, mae_off) = run(false);
        let (bias_on, mae_on) = run(true);
        eprintln!(
            "off: bias {bias_off:.4} mae {mae_off:.4}; on: bias {bias_on:.4} mae {mae_on:.4}"
        );
        assert!(bias_off > 0.04, "bias without the term {bias_off}");
        assert!(
            bias_on.abs() < 0.6 * bias_off.abs(),
            "bias {bias_on} vs {bias_off}"
        );
        assert!(mae_on < mae_off, "MAE {mae_on} vs {mae_off}");
    }

    #[test]
    fn between_locus_slope_recovers_the_ski_slope() {
        // ln E = 9 − 0.004·size ± 0.1 (alternating): slope 0.004 back.
        let loci: Vec<LocusFit> = (0..10)
            .map(|i| {
                let size = 100.0 + 30.0 * f64::from(i);
                let wobble = if i % 2 == 0 { 0.1 } else { -0.1 };
                locus_at(size, (9.0 - 0.004 * size + wobble).exp())
            })
            .collect();
        let (slope, info) = between_locus_slope(&loci).expect("10 loci");
        assert!((slope - 0.004).abs() < 0.001, "{slope}");
        assert!(info > 0.0);
        // Too few loci, or no sizes: no term.
        assert!(between_locus_slope(&loci[..4]).is_none());
        let no_sizes: Vec<LocusFit> = (0..10)
            .map(|_| LocusFit {
                size_bp: None,
                ..locus_at(0.0, 1.0)
            })
            .collect();
        assert!(between_locus_slope(&no_sizes).is_none());
    }
}

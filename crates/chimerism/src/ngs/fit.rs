//! Maximum-likelihood fit of the mixture fractions under the beta-binomial
//! model, on the simplex (or on a product of scaled simplices, which is what
//! profile likelihoods need), plus the per-class overdispersion.
//!
//! The optimiser is an active-set Fisher-scoring method: Newton steps in the
//! face of the feasible set spanned by the positive fractions, with a ratio
//! test at the boundary, backtracking (so the likelihood never decreases) and
//! KKT-driven release of fractions stuck at zero.

use super::design::{Design, Dispersion, DispersionClass};
use super::em::em_binomial;
use super::likelihood::{LikTerms, fisher_weight, ln_gamma_of_s};

/// A linear constraint set: each block is a set of persons whose fractions
/// must sum to the block's mass. Blocks partition the persons.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocks(pub Vec<(Vec<usize>, f64)>);

impl Blocks {
    /// The plain simplex: one block holding everybody with mass 1.
    pub fn simplex(persons: usize) -> Blocks {
        Blocks(vec![((0..persons).collect(), 1.0)])
    }

    /// `group` sums to `t`, everybody else to `1 − t`.
    pub fn split(persons: usize, group: &[usize], t: f64) -> Blocks {
        let rest: Vec<usize> = (0..persons).filter(|k| !group.contains(k)).collect();
        let mut b = vec![(group.to_vec(), t)];
        if !rest.is_empty() {
            b.push((rest, 1.0 - t));
        }
        Blocks(b)
    }

    /// Scales `f` so that every block has its mass (uniform inside a block
    /// whose fractions are all zero).
    pub fn project(&self, f: &[f64]) -> Vec<f64> {
        let mut out = f.to_vec();
        for (members, mass) in &self.0 {
            let s: f64 = members.iter().map(|&k| f[k].max(0.0)).sum();
            for &k in members {
                out[k] = if s > 0.0 {
                    f[k].max(0.0) / s * mass
                } else {
                    mass / members.len() as f64
                };
            }
        }
        out
    }
}

/// Log-likelihood of fractions `f`.
pub fn log_likelihood(design: &Design, rho: &Dispersion, f: &[f64]) -> f64 {
    log_likelihood_with(design, &lik_terms(design, rho), f)
}

/// The p-free likelihood terms of every row of `design` at `rho` (one
/// [`LikTerms`] per row, in row order).
pub(crate) fn lik_terms(design: &Design, rho: &Dispersion) -> Vec<LikTerms> {
    let hom = ln_gamma_of_s(rho.hom_contrast);
    let het = ln_gamma_of_s(rho.het);
    design
        .rows
        .iter()
        .map(|r| {
            let (rh, lg_s) = match r.class {
                DispersionClass::HomContrast => (rho.hom_contrast, hom),
                DispersionClass::Het => (rho.het, het),
            };
            let own = r.rho(rho);
            if own == rh {
                LikTerms::with_ln_gamma_s(r.alt, r.depth, rh, lg_s)
            } else {
                LikTerms::new(r.alt, r.depth, own)
            }
        })
        .collect()
}

/// [`log_likelihood`] from the rows' precomputed terms.
fn log_likelihood_with(design: &Design, terms: &[LikTerms], f: &[f64]) -> f64 {
    design
        .rows
        .iter()
        .zip(terms)
        .map(|(r, t)| t.log_lik(r.p(f)))
        .sum()
}

/// Gradient and expected information (Fisher) matrix with respect to `f`.
fn gradient_and_information(
    design: &Design,
    rho: &Dispersion,
    terms: &[LikTerms],
    f: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let k = design.persons;
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    for (r, t) in design.rows.iter().zip(terms) {
        let p = r.p(f);
        let rh = r.rho(rho);
        let s = t.score(p);
        let w = fisher_weight(r.depth, p, rh);
        for i in 0..k {
            g[i] += s * r.q[i];
            for j in 0..k {
                h[i * k + j] += w * r.q[i] * r.q[j];
            }
        }
    }
    (g, h)
}

/// Solves the dense symmetric system `a·x = b` (n×n, row-major) by Gaussian
/// elimination with partial pivoting; `None` when singular.
pub(crate) fn solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    for c in 0..n {
        let piv = (c..n).max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))?;
        if a[piv * n + c].abs() < 1e-300 {
            return None;
        }
        if piv != c {
            for j in 0..n {
                a.swap(c * n + j, piv * n + j);
            }
            b.swap(c, piv);
        }
        for i in c + 1..n {
            let m = a[i * n + c] / a[c * n + c];
            if m != 0.0 {
                for j in c..n {
                    a[i * n + j] -= m * a[c * n + j];
                }
                b[i] -= m * b[c];
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|j| a[i * n + j] * x[j]).sum();
        x[i] = (b[i] - s) / a[i * n + i];
    }
    Some(x)
}

/// Result of a constrained maximisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Maximum {
    /// Fractions at the maximum.
    pub f: Vec<f64>,
    /// Log-likelihood there.
    pub log_lik: f64,
    /// Scoring iterations used.
    pub iterations: usize,
}

/// Maximises the likelihood over the fractions subject to `blocks`, from
/// `init` (projected onto the constraint set first): Fisher scoring on the
/// free directions of each block, a ratio test against the zero bounds,
/// then step halving until the likelihood does not fall.
pub fn maximise(design: &Design, rho: &Dispersion, init: &[f64], blocks: &Blocks) -> Maximum {
    maximise_with(design, rho, &lik_terms(design, rho), init, blocks)
}

/// [`maximise`] with the rows' likelihood terms at `rho` precomputed
/// ([`lik_terms`]), for callers that maximise one design many times.
pub(crate) fn maximise_with(
    design: &Design,
    rho: &Dispersion,
    terms: &[LikTerms],
    init: &[f64],
    blocks: &Blocks,
) -> Maximum {
    let mut f = blocks.project(init);
    let mut ll = log_likelihood_with(design, terms, &f);
    let mut iterations = 0;
    for _ in 0..200 {
        iterations += 1;
        let (g, h) = gradient_and_information(design, rho, terms, &f);
        let Some((d, decrement)) = scoring_step(blocks, &f, &g, &h) else {
            break;
        };
        if decrement.abs() < 1e-10 {
            break;
        }
        let (amax, hit) = ratio_test(&f, &d);
        let search = LineSearch {
            design,
            terms,
            blocks,
        };
        let (alpha, better) = search.run(&f, &d, amax, hit, ll);
        let improved = match better {
            Some((cand, cll)) => {
                let gain = cll - ll;
                f = cand;
                ll = cll;
                gain > 1e-11
            }
            None => false,
        };
        if !improved && decrement < 1e-6 {
            break;
        }
        if !improved && alpha < 1e-12 {
            break;
        }
    }
    Maximum {
        f,
        log_lik: ll,
        iterations,
    }
}

/// The scoring step on the free set (direction, Newton decrement), with
/// KKT release of zero fractions: a zero fraction that the step would push
/// negative is fixed and the step solved again. `None` when no direction
/// is free or the reduced system is singular.
fn scoring_step(blocks: &Blocks, f: &[f64], g: &[f64], h: &[f64]) -> Option<(Vec<f64>, f64)> {
    let k = f.len();
    let mut blocked = vec![false; k];
    for _attempt in 0..=k {
        let cols = free_directions(blocks, f, g, &blocked);
        if cols.is_empty() {
            return None;
        }
        let (y, b) = reduced_newton(&cols, g, h)?;
        let mut d = vec![0.0; k];
        for (i, c) in cols.iter().enumerate() {
            for x in 0..k {
                d[x] += y[i] * c[x];
            }
        }
        // A zero fraction that the step would push negative stays fixed.
        let bad: Vec<usize> = (0..k).filter(|&j| f[j] <= 0.0 && d[j] < 0.0).collect();
        if !bad.is_empty() {
            bad.iter().for_each(|&j| blocked[j] = true);
            continue;
        }
        let decrement: f64 = y.iter().zip(&b).map(|(y, b)| y * b).sum();
        return Some((d, decrement));
    }
    None
}

/// The directions that keep each block's mass: for every member of a
/// block (other than its largest positive fraction, the pivot), moving
/// mass from the pivot to it — when it is positive, or zero with a
/// gradient above the pivot's (KKT), and not `blocked`.
fn free_directions(blocks: &Blocks, f: &[f64], g: &[f64], blocked: &[bool]) -> Vec<Vec<f64>> {
    let k = f.len();
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for (members, mass) in &blocks.0 {
        if *mass <= 0.0 || members.len() < 2 {
            continue;
        }
        let pos: Vec<usize> = members.iter().copied().filter(|&j| f[j] > 0.0).collect();
        let Some(&pivot) = pos.iter().max_by(|&&a, &&b| f[a].total_cmp(&f[b])) else {
            continue;
        };
        let lambda = g[pivot];
        for &j in members {
            if j == pivot || blocked[j] {
                continue;
            }
            if f[j] > 0.0 || g[j] > lambda + 1e-9 * lambda.abs().max(1.0) {
                let mut c = vec![0.0; k];
                c[j] = 1.0;
                c[pivot] = -1.0;
                cols.push(c);
            }
        }
    }
    cols
}

/// Solves the scoring system restricted to the directions `cols`
/// (`CᵀHC·y = Cᵀg`, with a tiny ridge): the coefficients `y` and the
/// right-hand side `Cᵀg`; `None` when singular.
fn reduced_newton(cols: &[Vec<f64>], g: &[f64], h: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    let k = g.len();
    let r = cols.len();
    let mut a = vec![0.0; r * r];
    let mut b = vec![0.0; r];
    for i in 0..r {
        b[i] = (0..k).map(|x| cols[i][x] * g[x]).sum();
        for j in 0..r {
            let mut s = 0.0;
            for x in 0..k {
                if cols[i][x] == 0.0 {
                    continue;
                }
                for y in 0..k {
                    s += cols[i][x] * h[x * k + y] * cols[j][y];
                }
            }
            a[i * r + j] = s;
        }
    }
    let ridge = 1e-10 * (0..r).map(|i| a[i * r + i]).fold(0.0, f64::max).max(1e-12);
    for i in 0..r {
        a[i * r + i] += ridge;
    }
    let y = solve(a, b.clone(), r)?;
    Some((y, b))
}

/// The largest step (at most 1) along `d` that keeps every fraction
/// non-negative, and the fraction that reaches zero there.
fn ratio_test(f: &[f64], d: &[f64]) -> (f64, Option<usize>) {
    let mut amax = 1.0f64;
    let mut hit = None;
    for j in 0..f.len() {
        if d[j] < 0.0 {
            let a = f[j] / -d[j];
            if a < amax {
                amax = a;
                hit = Some(j);
            }
        }
    }
    (amax, hit)
}

/// Step halving along a scoring direction.
struct LineSearch<'a> {
    design: &'a Design,
    terms: &'a [LikTerms],
    blocks: &'a Blocks,
}

impl LineSearch<'_> {
    /// From step `amax` (where fraction `hit` reaches zero), halves the
    /// step up to 60 times until the likelihood is at least `ll`: the last
    /// step tried and the point found with its log-likelihood, if any.
    fn run(
        &self,
        f: &[f64],
        d: &[f64],
        amax: f64,
        hit: Option<usize>,
        ll: f64,
    ) -> (f64, Option<(Vec<f64>, f64)>) {
        let mut alpha = amax;
        for _ in 0..60 {
            let mut cand: Vec<f64> = f
                .iter()
                .zip(d)
                .map(|(f, d)| (f + alpha * d).max(0.0))
                .collect();
            if let Some(j) = hit
                && alpha == amax
            {
                cand[j] = 0.0;
            }
            let cand = self.blocks.project(&cand);
            let cll = log_likelihood_with(self.design, self.terms, &cand);
            if cll >= ll {
                return (alpha, Some((cand, cll)));
            }
            alpha *= 0.5;
        }
        (alpha, None)
    }
}

/// Bounds of the overdispersion search (log10 scale).
const LOG10_RHO_RANGE: (f64, f64) = (-7.0, -0.7);

/// Maximises the likelihood of one dispersion class over ρ at fixed `f`
/// (golden-section search on log10 ρ).
fn fit_rho_class(design: &Design, f: &[f64], class: DispersionClass) -> f64 {
    let rows: Vec<_> = design.rows.iter().filter(|r| r.class == class).collect();
    let ps: Vec<f64> = rows.iter().map(|r| r.p(f)).collect();
    let ll = |l10: f64| -> f64 {
        let rho = 10f64.powf(l10);
        let lg_s = ln_gamma_of_s(rho);
        let class_rho = Dispersion {
            hom_contrast: rho,
            het: rho,
        };
        rows.iter()
            .zip(&ps)
            .map(|(r, &p)| {
                let own = r.rho(&class_rho);
                let t = if own == rho {
                    LikTerms::with_ln_gamma_s(r.alt, r.depth, rho, lg_s)
                } else {
                    LikTerms::new(r.alt, r.depth, own)
                };
                t.log_lik(p)
            })
            .sum()
    };
    let (mut a, mut b) = LOG10_RHO_RANGE;
    let gr = 0.618_033_988_749_894_8;
    let mut c = b - gr * (b - a);
    let mut d = a + gr * (b - a);
    let (mut fc, mut fd) = (ll(c), ll(d));
    for _ in 0..50 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - gr * (b - a);
            fc = ll(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + gr * (b - a);
            fd = ll(d);
        }
    }
    10f64.powf((a + b) / 2.0)
}

/// Minimum markers in a class to fit its own ρ; otherwise the classes share one.
pub const MIN_MARKERS_PER_CLASS: usize = 5;

/// Fits ρ per class at fixed `f`; a class with too few markers shares the
/// pooled estimate.
pub fn fit_dispersion(design: &Design, f: &[f64]) -> Dispersion {
    let nh = design.count(DispersionClass::HomContrast);
    let nt = design.count(DispersionClass::Het);
    if nh >= MIN_MARKERS_PER_CLASS && nt >= MIN_MARKERS_PER_CLASS {
        Dispersion {
            hom_contrast: fit_rho_class(design, f, DispersionClass::HomContrast),
            het: fit_rho_class(design, f, DispersionClass::Het),
        }
    } else {
        // Pool: treat all rows as one class.
        let pooled = Design {
            persons: design.persons,
            rows: design
                .rows
                .iter()
                .cloned()
                .map(|mut r| {
                    r.class = DispersionClass::Het;
                    r
                })
                .collect(),
        };
        let rho = fit_rho_class(&pooled, f, DispersionClass::Het);
        Dispersion {
            hom_contrast: rho,
            het: rho,
        }
    }
}

/// The full maximum-likelihood fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Fractions (recipient first), summing to 1.
    pub f: Vec<f64>,
    /// Overdispersion per class at the fit.
    pub rho: Dispersion,
    /// Maximised log-likelihood.
    pub log_lik: f64,
}

/// EM start, then alternating Fisher scoring of `f` and ρ-fits (3 rounds).
pub fn fit(design: &Design) -> Fit {
    let k = design.persons;
    let uniform = vec![1.0 / k as f64; k];
    let f0 = em_binomial(design, &uniform, 300, 1e-9);
    let mut rho = Dispersion {
        hom_contrast: 1e-5,
        het: 1e-5,
    };
    let blocks = Blocks::simplex(k);
    let mut m = maximise(design, &rho, &f0, &blocks);
    for _ in 0..3 {
        rho = fit_dispersion(design, &m.f);
        m = maximise(design, &rho, &m.f, &blocks);
    }
    Fit {
        f: m.f,
        rho,
        log_lik: m.log_lik,
    }
}

#[cfg(test)]
mod tests {
    use super::super::design::DesignRow;
    use super::*;

    #[test]
    fn the_ratio_test_stops_at_the_first_zero_bound() {
        assert_eq!(ratio_test(&[0.5, 0.5], &[0.1, -0.1]), (1.0, None));
        assert_eq!(ratio_test(&[0.2, 0.8], &[-0.4, 0.4]), (0.5, Some(0)));
        // Exactly reaching zero at a step of 1 is not a hit.
        assert_eq!(ratio_test(&[0.3, 0.7], &[-0.3, 0.3]), (1.0, None));
        assert_eq!(
            ratio_test(&[0.1, 0.3, 0.6], &[-0.4, -0.6, 1.0]),
            (0.25, Some(0))
        );
    }

    #[test]
    fn zero_fractions_are_freed_only_when_the_gradient_pulls_them_up() {
        let blocks = Blocks::simplex(3);
        let f = [0.0, 0.3, 0.7];
        let none = [false; 3];
        // Person 2 is the pivot; person 0 (at zero) has a lower gradient.
        let cols = free_directions(&blocks, &f, &[1.0, 2.0, 2.0], &none);
        assert_eq!(cols, vec![vec![0.0, 1.0, -1.0]]);
        // A higher gradient releases it.
        let cols = free_directions(&blocks, &f, &[3.0, 2.0, 2.0], &none);
        assert_eq!(cols, vec![vec![1.0, 0.0, -1.0], vec![0.0, 1.0, -1.0]]);
        // Blocked members are never free.
        let cols = free_directions(&blocks, &f, &[3.0, 2.0, 2.0], &[true, false, false]);
        assert_eq!(cols.len(), 1);
        // A block of one person, or with no mass, has no direction.
        let single = Blocks(vec![(vec![0], 1.0), (vec![1, 2], 0.0)]);
        assert!(free_directions(&single, &f, &[1.0, 2.0, 3.0], &none).is_empty());
    }

    #[test]
    fn the_reduced_system_is_the_newton_step_along_the_direction() {
        // g = (1, -1), H = I: along (1, -1), Cᵀg = 2 and CᵀHC = 2, so y = 1.
        let (y, b) = reduced_newton(&[vec![1.0, -1.0]], &[1.0, -1.0], &[1.0, 0.0, 0.0, 1.0])
            .expect("regular");
        assert_eq!(b, [2.0]);
        assert!((y[0] - 1.0).abs() < 1e-9, "{y:?}");
    }

    fn two_person(fr: f64, depth: u32) -> Design {
        // Expected counts, no noise: fit must land on the truth.
        let e = 0.001;
        let q = |h: f64| e + h * (1.0 - 2.0 * e);
        let mut rows = Vec::new();
        for (i, (hr, hd)) in [
            (0.0, 1.0),
            (1.0, 0.0),
            (0.5, 0.0),
            (0.0, 0.5),
            (1.0, 0.5),
            (0.5, 1.0),
        ]
        .iter()
        .enumerate()
        {
            let p = fr * q(*hr) + (1.0 - fr) * q(*hd);
            let alt = (p * f64::from(depth)).round() as u32;
            let class = if *hr == 0.5 || *hd == 0.5 {
                DispersionClass::Het
            } else {
                DispersionClass::HomContrast
            };
            rows.push(DesignRow {
                marker: i,
                alt,
                depth,
                q: vec![q(*hr), q(*hd)],
                class,
                amplification: None,
                error_var: [0.0; 2],
                common_error_sd: [0.0; 2],
            });
        }
        Design { persons: 2, rows }
    }

    #[test]
    fn fits_expected_counts() {
        let d = two_person(0.2, 100_000);
        let fit = fit(&d);
        assert!((fit.f[0] - 0.2).abs() < 1e-3, "{:?}", fit.f);
    }

    #[test]
    fn boundary_at_zero_recipient() {
        let d = two_person(0.0, 10_000);
        let fit = fit(&d);
        assert!(fit.f[0] < 1e-4, "{:?}", fit.f);
        assert!((fit.f.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn blocks_fix_the_group_mass() {
        let d = two_person(0.2, 10_000);
        let rho = Dispersion {
            hom_contrast: 1e-4,
            het: 1e-4,
        };
        let m = maximise(&d, &rho, &[0.5, 0.5], &Blocks::split(2, &[0], 0.35));
        assert!((m.f[0] - 0.35).abs() < 1e-12);
        assert!((m.f[1] - 0.65).abs() < 1e-12);
    }

    #[test]
    fn solve_small_system() {
        let x = solve(vec![2.0, 1.0, 1.0, 3.0], vec![3.0, 5.0], 2).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
    }
}

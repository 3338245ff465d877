//! Least squares on the probability simplex: minimise ½·fᵀQf − rᵀf subject
//! to f ≥ 0 and Σf = 1, for the small K (recipient + donors) of chimerism.
//!
//! Solved by accelerated projected gradient (FISTA, Beck & Teboulle 2009)
//! with the Euclidean projection onto the simplex of Duchi et al. (ICML
//! 2008). Works when Q is singular (indistinguishable people): the iterate
//! starts at the uniform point, so exchangeable people keep equal shares.

#![allow(clippy::needless_range_loop)] // small dense K×K matrix code reads best with indices

/// Euclidean projection of `v` onto {f : f ≥ 0, Σf = 1}.
pub fn project_to_simplex(v: &[f64]) -> Vec<f64> {
    let mut u: Vec<f64> = v.to_vec();
    u.sort_by(|a, b| b.total_cmp(a));
    let mut css = 0.0;
    let mut theta = 0.0;
    for (i, &ui) in u.iter().enumerate() {
        css += ui;
        let t = (css - 1.0) / (i as f64 + 1.0);
        if ui - t > 0.0 {
            theta = t;
        }
    }
    v.iter().map(|x| (x - theta).max(0.0)).collect()
}

/// Minimises ½·fᵀQf − rᵀf on the simplex. `q` is K×K symmetric positive
/// semi-definite (row-major), `r` has length K.
pub fn simplex_least_squares(q: &[Vec<f64>], r: &[f64]) -> Vec<f64> {
    simplex_least_squares_from(q, r, None)
}

/// As [`simplex_least_squares`], starting from `start` (projected onto the
/// simplex) instead of the uniform point: a warm start for repeated fits of
/// nearby problems (censoring iterations, bootstrap replicates).
pub fn simplex_least_squares_from(q: &[Vec<f64>], r: &[f64], start: Option<&[f64]>) -> Vec<f64> {
    let k = r.len();
    if k == 0 {
        return Vec::new();
    }
    if k == 1 {
        return vec![1.0];
    }
    if k <= EXACT_MAX_PEOPLE
        && let Some(x) = exact_by_support(q, r)
    {
        return x;
    }
    // Lipschitz constant: the largest eigenvalue, bounded by the max row sum.
    let lip = q
        .iter()
        .map(|row| row.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0_f64, f64::max);
    if lip <= 0.0 {
        return vec![1.0 / k as f64; k];
    }
    let grad = |f: &[f64]| -> Vec<f64> {
        (0..k)
            .map(|i| (0..k).map(|j| q[i][j] * f[j]).sum::<f64>() - r[i])
            .collect()
    };
    let mut x = match start {
        Some(s0) if s0.len() == k => project_to_simplex(s0),
        _ => vec![1.0 / k as f64; k],
    };
    let mut y = x.clone();
    let mut t = 1.0_f64;
    for _ in 0..20_000 {
        let g = grad(&y);
        let step: Vec<f64> = (0..k).map(|i| y[i] - g[i] / lip).collect();
        let xn = project_to_simplex(&step);
        let tn = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        y = (0..k)
            .map(|i| xn[i] + (t - 1.0) / tn * (xn[i] - x[i]))
            .collect();
        x = xn;
        t = tn;
        // Stop on the gradient-mapping residual at x (not on a small step: the
        // momentum can push y outside and leave x on a face for two steps).
        let gx = grad(&x);
        let px = project_to_simplex(&(0..k).map(|i| x[i] - gx[i] / lip).collect::<Vec<_>>());
        let resid: f64 = (0..k).map(|i| (px[i] - x[i]).abs()).sum();
        if resid < 1e-14 {
            x = px;
            break;
        }
    }
    x
}

/// Up to this many people the minimum is found exactly by enumerating the
/// supports (2^k − 1 small KKT systems), which is much faster than the
/// iterative solver at the tolerance it needs.
pub const EXACT_MAX_PEOPLE: usize = 8;

/// Exact minimiser of ½fᵀQf − rᵀf on the simplex: for every support S the
/// equality-constrained optimum solves [Q_SS 1; 1ᵀ 0][f; λ] = [r_S; 1]; the
/// feasible (f ≥ 0) candidate with the smallest objective is the global
/// minimum (the problem is convex and the optimum solves the system on its
/// own support). `None` when a system is singular (collinear people).
fn exact_by_support(q: &[Vec<f64>], r: &[f64]) -> Option<Vec<f64>> {
    let k = r.len();
    let objective = |f: &[f64]| {
        let mut v = 0.0;
        for i in 0..k {
            v -= r[i] * f[i];
            for j in 0..k {
                v += 0.5 * f[i] * q[i][j] * f[j];
            }
        }
        v
    };
    let mut best: Option<(f64, Vec<f64>)> = None;
    for mask in 1u32..(1u32 << k) {
        let idx: Vec<usize> = (0..k).filter(|i| mask & (1 << i) != 0).collect();
        // A singular system means collinear people (identical templates):
        // the iterative solver then splits them evenly.
        let sol = solve_kkt(q, r, &idx)?;
        if sol.iter().any(|x| *x < -1e-12) {
            continue;
        }
        let mut f = vec![0.0; k];
        for (a, &i) in idx.iter().enumerate() {
            f[i] = sol[a].max(0.0);
        }
        let total: f64 = f.iter().sum();
        f.iter_mut().for_each(|x| *x /= total);
        let v = objective(&f);
        if best.as_ref().is_none_or(|(b, _)| v < *b - 1e-15) {
            best = Some((v, f));
        }
    }
    best.map(|(_, f)| f)
}

/// Solves the KKT system of support `idx` by Gaussian elimination with
/// partial pivoting; `None` when singular.
fn solve_kkt(q: &[Vec<f64>], r: &[f64], idx: &[usize]) -> Option<Vec<f64>> {
    let m = idx.len();
    let n = m + 1;
    let scale = idx
        .iter()
        .map(|&i| q[i][i].abs())
        .fold(0.0_f64, f64::max)
        .clamp(1e-300, 1.0);
    let mut a = vec![vec![0.0; n + 1]; n];
    for (ra, &i) in idx.iter().enumerate() {
        for (ca, &j) in idx.iter().enumerate() {
            a[ra][ca] = q[i][j];
        }
        a[ra][m] = 1.0;
        a[ra][n] = r[i];
        a[m][ra] = 1.0;
    }
    a[m][n] = 1.0;
    for col in 0..n {
        let piv = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[piv][col].abs() < 1e-12 * scale {
            return None;
        }
        a.swap(col, piv);
        for row in 0..n {
            if row != col {
                let f = a[row][col] / a[col][col];
                if f != 0.0 {
                    for c in col..=n {
                        a[row][c] -= f * a[col][c];
                    }
                }
            }
        }
    }
    Some((0..m).map(|i| a[i][n] / a[i][i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lsq(g: &[Vec<f64>], y: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
        let k = g[0].len();
        let mut q = vec![vec![0.0; k]; k];
        let mut r = vec![0.0; k];
        for (row, yi) in g.iter().zip(y) {
            for i in 0..k {
                r[i] += row[i] * yi;
                for j in 0..k {
                    q[i][j] += row[i] * row[j];
                }
            }
        }
        (q, r)
    }

    #[test]
    fn projection_is_on_the_simplex() {
        let p = project_to_simplex(&[0.5, 0.9, -0.3]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.iter().all(|x| *x >= 0.0));
        assert_eq!(project_to_simplex(&[0.2, 0.3, 0.5]), vec![0.2, 0.3, 0.5]);
    }

    #[test]
    fn recovers_an_exact_mixture_of_three() {
        // Columns: recipient, cord, PBSC templates over 6 allele positions.
        let g = vec![
            vec![0.5, 0.0, 0.0],
            vec![0.5, 0.5, 0.0],
            vec![0.0, 0.5, 0.5],
            vec![0.0, 0.0, 0.5],
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 1.0],
        ];
        let f = [0.02, 0.70, 0.28];
        let y: Vec<f64> = g
            .iter()
            .map(|row| row.iter().zip(&f).map(|(a, b)| a * b).sum())
            .collect();
        let (q, r) = lsq(&g, &y);
        let est = simplex_least_squares(&q, &r);
        for (e, t) in est.iter().zip(f) {
            assert!((e - t).abs() < 1e-8, "{est:?}");
        }
    }

    #[test]
    fn boundary_solution_is_exactly_zero() {
        // Data pulled outside the simplex (negative recipient): solution clips to 0.
        let g = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let y = [-0.1, 1.1];
        let (q, r) = lsq(&g, &y);
        assert_eq!(simplex_least_squares(&q, &r), vec![0.0, 1.0]);
    }

    #[test]
    fn matches_the_closed_form_for_two_people_near_a_vertex() {
        // Nearly collinear templates (haploidentical-like), optimum at a = 0.02.
        let g = vec![
            vec![0.5, 0.0],
            vec![0.5, 0.5],
            vec![0.0, 0.5],
            vec![0.03, 0.04],
        ];
        let a_true = 0.02;
        let y: Vec<f64> = g
            .iter()
            .map(|row| row[0] * a_true + row[1] * (1.0 - a_true))
            .collect();
        let (q, r) = lsq(&g, &y);
        let est = simplex_least_squares(&q, &r);
        let a = (r[0] - r[1] - q[0][1] + q[1][1]) / (q[0][0] - 2.0 * q[0][1] + q[1][1]);
        assert!(
            (est[0] - a).abs() < 1e-9 && (a - a_true).abs() < 1e-12,
            "{est:?} vs {a}"
        );
    }

    #[test]
    fn warm_start_reaches_the_same_optimum() {
        let g = vec![
            vec![0.5, 0.0, 0.0],
            vec![0.5, 0.5, 0.0],
            vec![0.0, 0.5, 0.5],
            vec![0.0, 0.0, 0.5],
        ];
        let y = [0.05, 0.4, 0.45, 0.1];
        let (q, r) = lsq(&g, &y);
        let a = simplex_least_squares(&q, &r);
        let b = simplex_least_squares_from(&q, &r, Some(&[0.0, 0.0, 1.0]));
        for (x, z) in a.iter().zip(&b) {
            assert!((x - z).abs() < 1e-9, "{a:?} {b:?}");
        }
    }

    #[test]
    fn identical_columns_split_evenly() {
        let g = vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 1.0]];
        let y = [0.4, 0.6];
        let (q, r) = lsq(&g, &y);
        let est = simplex_least_squares(&q, &r);
        assert!(
            (est[0] - 0.4).abs() < 1e-8
                && (est[1] - 0.3).abs() < 1e-6
                && (est[2] - 0.3).abs() < 1e-6,
            "{est:?}"
        );
    }
}

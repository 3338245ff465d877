//! Special functions used by the NGS likelihood: log-gamma, digamma, the
//! standard normal distribution and a chi-square tail approximation.
//!
//! Hand-written to keep `graftwatch-chimerism` free of numeric dependencies;
//! each function is tested against reference values in this file.

/// Natural log of the gamma function for `x > 0` (Lanczos, g = 7, n = 9;
/// relative error below 1e-13 over the range used here).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection formula.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    if x > 1.0e4 {
        // Stirling series: exact enough and avoids cancellation for large x.
        let inv = 1.0 / x;
        let inv2 = inv * inv;
        return (x - 0.5) * x.ln() - x
            + 0.5 * (2.0 * std::f64::consts::PI).ln()
            + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 / 1260.0));
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Digamma function ψ(x) for `x > 0` (recurrence to x ≥ 6, then the
/// asymptotic series; absolute error below 1e-12).
pub fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// Complementary error function (W. J. Cody's rational approximations via
/// the Numerical Recipes Chebyshev fit; relative error below 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Upper tail of the standard normal, P(Z > z).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Quantile of the standard normal (Acklam's algorithm, relative error
/// below 1.2e-9), for `0 < p < 1`.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let plow = 0.024_25;
    if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Upper tail of a chi-square distribution with `df` degrees of freedom
/// (Wilson–Hilferty cube-root normal approximation; adequate for the QC
/// gates it serves, not for exact p-values below 1e-10).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if df <= 0.0 {
        return 1.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let h = 2.0 / (9.0 * df);
    let z = ((x / df).powf(1.0 / 3.0) - (1.0 - h)) / h.sqrt();
    normal_sf(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials_and_half() {
        assert!((ln_gamma(1.0)).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        // 170! via sum of logs, both sides of the Stirling switch.
        let direct: f64 = (1..20_000).map(|i| (i as f64).ln()).sum();
        assert!((ln_gamma(20_000.0) - direct).abs() / direct < 1e-12);
        let direct: f64 = (1..9_000).map(|i| (i as f64).ln()).sum();
        assert!((ln_gamma(9_000.0) - direct).abs() / direct < 1e-12);
    }

    #[test]
    fn digamma_reference_values() {
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-11);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-11);
        assert!((digamma(10.0) - 2.251_752_589_066_721).abs() < 1e-12);
    }

    #[test]
    fn normal_functions_round_trip() {
        assert!((normal_sf(1.959_963_984_540_054) - 0.025).abs() < 1e-7);
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472).abs() < 1e-8);
        assert!((normal_quantile(1e-6) + 4.753_424_308_822_899).abs() < 1e-6);
        for p in [1e-5, 0.01, 0.3, 0.5, 0.8, 0.999] {
            assert!((1.0 - normal_sf(normal_quantile(p)) - p).abs() < 2e-7 * p.max(1e-2));
        }
    }

    #[test]
    fn chi2_sf_close_to_known_quantiles() {
        // 95% quantile of chi2(1) = 3.841, of chi2(10) = 18.307, chi2(60) = 79.08.
        assert!((chi2_sf(18.307, 10.0) - 0.05).abs() < 0.003);
        assert!((chi2_sf(79.082, 60.0) - 0.05).abs() < 0.002);
    }
}

//! One-sided test "is any recipient DNA present?", using only the markers
//! where every donor is homozygous for one allele and the recipient carries
//! the other: there, reads of the recipient's allele come either from the
//! recipient or from sequencing error. A weighted score test against the
//! error-only null (beta-binomial variance with the fitted ρ, times the
//! residual variance inflation φ ≥ 1).

use serde::{Deserialize, Serialize};

use super::design::{Design, Dispersion};
use super::math::normal_sf;

/// Result of the presence test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PresenceTest {
    /// Markers where the donors are homozygous and the recipient carries the other allele.
    pub markers: usize,
    /// Recipient-allele reads observed at those markers.
    pub observed_reads: u64,
    /// Reads expected from sequencing error alone.
    pub expected_error_reads: f64,
    /// Score statistic (standard normal under "no recipient DNA").
    pub z: f64,
    /// One-sided p-value.
    pub p_value: f64,
}

/// Runs the test for the person in column `recipient`; `None` when no
/// marker qualifies. A marker qualifies when every other person's q is the
/// same homozygous value and the recipient's differs.
pub fn presence_test(
    design: &Design,
    rho: &Dispersion,
    recipient: usize,
    phi: f64,
) -> Option<PresenceTest> {
    let mut u = 0.0;
    let mut var = 0.0;
    let mut markers = 0;
    let mut obs = 0u64;
    let mut exp = 0.0;
    for r in &design.rows {
        let others: Vec<f64> = (0..design.persons)
            .filter(|&j| j != recipient)
            .map(|j| r.q[j])
            .collect();
        let Some(&q0) = others.first() else { continue };
        let donors_hom_same =
            others.iter().all(|&q| (q - q0).abs() < 1e-12) && !(0.25..=0.75).contains(&q0);
        let qr = r.q[recipient];
        if !donors_hom_same || (qr - q0).abs() < 0.25 {
            continue;
        }
        // Orient so that "x" counts reads of the recipient-only allele.
        let (x, e, d, ev) = if q0 < 0.5 {
            (r.alt, q0, qr - q0, r.error_var[0])
        } else {
            (r.depth - r.alt, 1.0 - q0, q0 - qr, r.error_var[1])
        };
        let n = f64::from(r.depth);
        // Beta-binomial read variance (per read) plus the error rate's own
        // uncertainty, times the residual inflation.
        let v = (e * (1.0 - e) * (1.0 + (n - 1.0) * rho.get(r.class)) + n * ev) * phi.max(1.0);
        u += d * (f64::from(x) - n * e) / v;
        var += d * d * n / v;
        markers += 1;
        obs += u64::from(x);
        exp += n * e;
    }
    if markers == 0 || var <= 0.0 {
        return None;
    }
    let z = u / var.sqrt();
    Some(PresenceTest {
        markers,
        observed_reads: obs,
        expected_error_reads: exp,
        z,
        p_value: normal_sf(z),
    })
}

//! One-sided test "is any recipient DNA present?", using only the markers
//! where every donor is homozygous for one allele and the recipient carries
//! the other: there, reads of the recipient's allele come either from the
//! recipient or from sequencing error. A weighted score test against the
//! error-only null (beta-binomial variance with the fitted ρ, times the
//! residual variance inflation φ ≥ 1), plus the error shared by all
//! markers (the sample's error scale, estimated from its all-homozygous
//! markers: its uncertainty moves every marker's expected error reads
//! together).

use serde::{Deserialize, Serialize};

use super::design::{Design, DesignRow, Dispersion};
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

/// One marker's part in the test: reads `x` of the allele only the
/// recipient carries, its error rate `e` (the read share of that allele
/// without recipient DNA), `d` = how much the share grows per unit of
/// recipient fraction at zero recipient, and the error rate's variance.
struct Contrast {
    x: u32,
    e: f64,
    d: f64,
    ev: f64,
    /// SD of the error shared by every marker in this direction, and the
    /// direction (0 = REF→ALT, 1 = ALT→REF).
    common: (f64, usize),
}

/// The marker's contrast when every other person has the same homozygous
/// genotype and the recipient differs; `None` otherwise.
///
/// Rows with an allele-amplification model are evaluated at the null
/// (recipient fraction 0), not at the fitted mixture the rows are
/// linearised at: without recipient DNA the reads of the recipient's
/// allele are error alone (`e` = the error rate, whatever the site's
/// amplification), and the slope is d p/d f_r at f_r = 0 =
/// (1 − e_ra − e_ar)(a_r c_d − a_d c_r)/c_d² with a, c the ALT and total
/// amplified copies of recipient (r) and donors (d). Evaluating at the
/// fitted mixture instead moved `e` with the estimate itself.
fn null_contrast(r: &DesignRow, persons: usize, recipient: usize) -> Option<Contrast> {
    let others: Vec<f64> = (0..persons)
        .filter(|&j| j != recipient)
        .map(|j| r.q[j])
        .collect();
    let &q0 = others.first()?;
    let donors_hom_same =
        others.iter().all(|&q| (q - q0).abs() < 1e-12) && !(0.25..=0.75).contains(&q0);
    let qr = r.q[recipient];
    if !donors_hom_same || (qr - q0).abs() < 0.25 {
        return None;
    }
    let donor = (0..persons).find(|&j| j != recipient)?;
    let alt_is_recipients = q0 < 0.5;
    let (e, d) = match &r.amplification {
        Some(a) => {
            let span = 1.0 - a.ref_to_alt - a.alt_to_ref;
            let (ar, cr, ad, cd) = (
                a.alt[recipient],
                a.total[recipient],
                a.alt[donor],
                a.total[donor],
            );
            let slope = span * (ar * cd - ad * cr) / (cd * cd);
            if alt_is_recipients {
                (a.ref_to_alt, slope)
            } else {
                (a.alt_to_ref, -slope)
            }
        }
        None if alt_is_recipients => (q0, qr - q0),
        None => (1.0 - q0, q0 - qr),
    };
    let dir = usize::from(!alt_is_recipients);
    let x = if alt_is_recipients {
        r.alt
    } else {
        r.depth - r.alt
    };
    let (ev, common) = (r.error_var[dir], (r.common_error_sd[dir], dir));
    (d > 0.0).then_some(Contrast {
        x,
        e,
        d,
        ev,
        common,
    })
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
    // U's exposure to the error shared by all markers, per direction.
    let mut shared = [0.0; 2];
    for r in &design.rows {
        let Some(Contrast {
            x,
            e,
            d,
            ev,
            common: (sd, dir),
        }) = null_contrast(r, design.persons, recipient)
        else {
            continue;
        };
        let n = f64::from(r.depth);
        // Beta-binomial read variance (per read) plus the error rate's own
        // uncertainty, times the residual inflation.
        let v = (e * (1.0 - e) * (1.0 + (n - 1.0) * r.rho(rho)) + n * ev) * phi.max(1.0);
        u += d * (f64::from(x) - n * e) / v;
        var += d * d * n / v;
        shared[dir] += d * n * sd / v;
        markers += 1;
        obs += u64::from(x);
        exp += n * e;
    }
    if markers == 0 || var <= 0.0 {
        return None;
    }
    // The shared error moves every marker's expected reads together.
    let total = var + shared[0] * shared[0] + shared[1] * shared[1];
    let z = u / total.sqrt();
    Some(PresenceTest {
        markers,
        observed_reads: obs,
        expected_error_reads: exp,
        z,
        p_value: normal_sf(z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngs::design::DispersionClass;

    /// A row where the donor (column 1) is homozygous REF and the
    /// recipient (column 0) heterozygous, error rate 3e-4 each way.
    fn row(alt: u32, depth: u32, common_sd: f64) -> DesignRow {
        let e = 3e-4;
        DesignRow {
            marker: 0,
            alt,
            depth,
            q: vec![e + 0.5 * (1.0 - 2.0 * e), e],
            class: DispersionClass::Het,
            amplification: None,
            error_var: [0.0; 2],
            common_error_sd: [common_sd, common_sd],
        }
    }

    #[test]
    fn the_shared_error_widens_the_test_and_never_moves_its_centre() {
        let rho = Dispersion {
            hom_contrast: 1e-4,
            het: 1e-4,
        };
        // 40 markers at 3,000 reads, 1.6 error reads each where 0.9 are
        // expected: z ≈ 4.5 with the rate taken as known.
        let design = |sd: f64| Design {
            persons: 2,
            rows: (0..40).map(|_| row(2, 3_000, sd)).collect(),
        };
        let known = presence_test(&design(0.0), &rho, 0, 1.0).expect("test");
        // The sample's error scale known to ±30%: the same excess is much
        // less surprising.
        let shared = presence_test(&design(0.3 * 3e-4), &rho, 0, 1.0).expect("test");
        assert_eq!(known.observed_reads, shared.observed_reads);
        assert!((known.expected_error_reads - shared.expected_error_reads).abs() < 1e-9);
        assert!(known.z > 4.0, "{}", known.z);
        assert!(shared.z < 0.6 * known.z, "{} vs {}", shared.z, known.z);
        assert!(shared.p_value > known.p_value);
        // No excess: z ≈ 0 either way.
        let none = Design {
            persons: 2,
            rows: (0..40)
                .map(|i| row(u32::from(i % 10 == 0), 3_000, 1e-4))
                .collect(),
        };
        let t = presence_test(&none, &rho, 0, 1.0).expect("test");
        assert!(t.z < 0.0, "{}", t.z);
    }
}

//! Purity correction of a cell-sorted lineage result.
//!
//! A sorted fraction of purity P contains a share 1 − P of other cells.
//! When those contaminating cells have the composition of the unsorted
//! sample of the same day (whole blood or marrow), each person's observed
//! share is c_obs = P · c_lineage + (1 − P) · c_unsorted, so
//!
//! c_lineage = (c_obs − (1 − P) · c_unsorted) / P,
//!
//! clipped at 0 and renormalised to 100 %. (Assumption: the contaminants
//! resemble the unsorted sample; documented in docs/chimerism-str.md.)

/// Corrects `observed` shares (percent, one per person) of a lineage sorted
/// at `purity` (fraction, 0 < P ≤ 1) with the `unsorted` shares of the same
/// day. Returns `None` for a purity outside (0, 1] or mismatched lengths.
pub fn purity_corrected(observed: &[f64], unsorted: &[f64], purity: f64) -> Option<Vec<f64>> {
    if !(purity > 0.0 && purity <= 1.0) || observed.len() != unsorted.len() {
        return None;
    }
    let raw: Vec<f64> = observed
        .iter()
        .zip(unsorted)
        .map(|(o, u)| ((o - (1.0 - purity) * u) / purity).max(0.0))
        .collect();
    let total: f64 = raw.iter().sum();
    if total <= 0.0 {
        return None;
    }
    Some(raw.iter().map(|x| 100.0 * x / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_recovers_the_lineage_share() {
        // Lineage truth 10 % recipient, unsorted 40 %, purity 0.9:
        // observed = 0.9·10 + 0.1·40 = 13 %.
        let c = purity_corrected(&[13.0, 87.0], &[40.0, 60.0], 0.9).unwrap();
        assert!((c[0] - 10.0).abs() < 1e-9 && (c[1] - 90.0).abs() < 1e-9);
        // Pure sort: unchanged.
        assert_eq!(
            purity_corrected(&[13.0, 87.0], &[40.0, 60.0], 1.0).unwrap(),
            vec![13.0, 87.0]
        );
        // Over-correction clips at 0.
        let c = purity_corrected(&[1.0, 99.0], &[40.0, 60.0], 0.9).unwrap();
        assert_eq!(c[0], 0.0);
        assert!(purity_corrected(&[1.0], &[1.0, 2.0], 0.9).is_none());
        assert!(purity_corrected(&[1.0, 99.0], &[1.0, 99.0], 0.0).is_none());
    }
}

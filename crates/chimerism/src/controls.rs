//! Run controls of a chimerism plate or sequencing run: one rule for STR
//! and NGS. The unit is a locus (STR: a peak at or above the analytical
//! threshold) or a marker (NGS: at least the sample depth floor of reads);
//! what counts as signal is the caller's, the verdict is here.
//!
//! * A **negative** (no-template) control passes when no unit has signal:
//!   any signal is contamination.
//! * A **positive** control (or an allelic ladder, where a command accepts
//!   one) passes when at least [`POSITIVE_MIN_PERCENT`] % of its units have
//!   signal: a failed amplification or a sequencing dropout shows as
//!   missing loci or markers.
//!
//! See docs/chimerism-str.md ("Run sheet") and docs/chimerism-ngs.md ("Run
//! sheets").

/// Share of loci or markers with signal a positive control needs, per cent.
pub const POSITIVE_MIN_PERCENT: usize = 90;

/// A negative control passes when none of its units has signal.
pub fn negative_passes(with_signal: usize) -> bool {
    with_signal == 0
}

/// A positive control passes when at least [`POSITIVE_MIN_PERCENT`] % of
/// its `units` (at least one) have signal.
pub fn positive_passes(with_signal: usize, units: usize) -> bool {
    units > 0 && with_signal.saturating_mul(100) >= units.saturating_mul(POSITIVE_MIN_PERCENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_control_fails_on_any_signal() {
        assert!(negative_passes(0));
        assert!(!negative_passes(1));
    }

    #[test]
    fn positive_control_boundary_at_90_percent() {
        assert!(positive_passes(9, 10));
        assert!(!positive_passes(8, 10));
        // 15 loci: 13.5 needed, so 14 passes and 13 does not.
        assert!(positive_passes(14, 15));
        assert!(!positive_passes(13, 15));
        assert!(!positive_passes(0, 0));
    }
}

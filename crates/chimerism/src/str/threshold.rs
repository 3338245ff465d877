//! The analytical threshold an export was made with, read from its peaks.
//!
//! A capillary-electrophoresis export lists only the peaks the lab's
//! analysis software kept: those at or above the analytical threshold set
//! in the analysis method (GeneMapper, GeneMarker, OSIRIS). The export does
//! not state that threshold, but its lowest peak shows it. graftwatch needs
//! it twice: peaks below it are ignored, and a peak *absent* from the export
//! is taken to be below it (the censored positions of the joint fit, the
//! detection limit). Re-thresholding at a fixed 50 RFU throws away the
//! minor contributor's peaks of an export made at 20 RFU (a quarter of the
//! peaks of the public PROVEDIt mixtures); assuming a threshold below the
//! export's would treat a peak the lab cut away as below a height it may
//! have had.
//!
//! [`from_exports`] therefore takes, for each export file holding samples,
//! its lowest peak height rounded down to a whole RFU, then the highest of
//! those over the files (one threshold for the run; a file made at a higher
//! threshold is never read below it), clamped to
//! [`EXPORT_THRESHOLD_FLOOR_RFU`]–[`USUAL_THRESHOLD_RFU`]: below the
//! floor is baseline noise, and above 50 RFU the lowest peak of a
//! high-template file says nothing about the threshold, so the usual
//! validated 50 RFU is kept. A lab that sets its threshold
//! (`--analytical-threshold`) is never second-guessed. See
//! docs/chimerism-str.md, "Analytical threshold".

use super::config::USUAL_THRESHOLD_RFU;
use super::profile::StrProfile;

/// Lowest analytical threshold read from an export (RFU): about 2.5
/// standard deviations of capillary-electrophoresis baseline noise (8 RFU);
/// lower peaks are not interpreted.
pub const EXPORT_THRESHOLD_FLOOR_RFU: f64 = 20.0;

/// The lowest peak height of one export (its profiles), rounded down to a
/// whole RFU; `None` when no peak carries a height (a genotype table).
pub fn lowest_peak<'a>(profiles: impl IntoIterator<Item = &'a StrProfile>) -> Option<f64> {
    profiles
        .into_iter()
        .flat_map(|p| p.loci.values().flatten())
        .filter_map(|p| p.height)
        .filter(|h| h.is_finite() && *h > 0.0)
        .min_by(f64::total_cmp)
        .map(f64::floor)
}

/// The analytical threshold for a run whose sample exports have the
/// lowest peaks `lowest` (one per file, [`lowest_peak`]): the highest of
/// them, clamped to [`EXPORT_THRESHOLD_FLOOR_RFU`]–[`USUAL_THRESHOLD_RFU`];
/// `None` when no file carries heights (the default then applies).
pub fn from_exports(lowest: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    lowest
        .into_iter()
        .flatten()
        .max_by(f64::total_cmp)
        .map(|h| h.clamp(EXPORT_THRESHOLD_FLOOR_RFU, USUAL_THRESHOLD_RFU))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::str::allele::Allele;
    use crate::str::locus::Locus;
    use crate::str::profile::Peak;

    fn profile(heights: &[f64]) -> StrProfile {
        let l = Locus::Th01;
        let mut p = StrProfile::new("s");
        p.loci.insert(
            l,
            heights
                .iter()
                .enumerate()
                .map(|(i, h)| Peak {
                    allele: Allele::parse(&(6 + i).to_string(), l).unwrap(),
                    height: Some(*h),
                    area: None,
                    size: None,
                })
                .collect(),
        );
        p
    }

    #[test]
    fn lowest_peak_is_rounded_down_and_needs_heights() {
        assert_eq!(lowest_peak([&profile(&[900.0, 20.7, 35.0])]), Some(20.0));
        assert_eq!(lowest_peak([&profile(&[])]), None);
    }

    #[test]
    fn run_threshold_is_the_highest_file_clamped_at_both_ends() {
        assert_eq!(from_exports([Some(20.0), Some(50.0)]), Some(50.0));
        assert_eq!(from_exports([Some(20.0), None]), Some(20.0));
        // Floor: 19 → 20, 20 stays; ceiling: 50 stays, 51 → 50.
        assert_eq!(from_exports([Some(19.0)]), Some(20.0));
        assert_eq!(from_exports([Some(20.0)]), Some(20.0));
        assert_eq!(from_exports([Some(21.0)]), Some(21.0));
        assert_eq!(from_exports([Some(50.0)]), Some(50.0));
        assert_eq!(from_exports([Some(51.0)]), Some(50.0));
        assert_eq!(from_exports([None, None]), None);
    }
}

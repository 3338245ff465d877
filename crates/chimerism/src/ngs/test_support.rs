//! Helpers shared by the unit tests of the NGS modules.

use crate::marker::AlleleCounts;

/// Counts of `r` REF and `a` ALT reads and no other read.
pub(crate) fn c(r: u32, a: u32) -> Option<AlleleCounts> {
    Some(AlleleCounts {
        ref_count: r,
        alt_count: a,
        other: 0,
    })
}

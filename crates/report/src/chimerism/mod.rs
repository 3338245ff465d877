//! Self-contained HTML pages of chimerism results (one home for them; the
//! CLI only calls these): [`render_str_page`] for STR capillary
//! electrophoresis and [`render_ngs_page`] for NGS at SNP/indel markers.
//!
//! Both use the shared palette ([`crate::palette`]: recipient vermillion,
//! donors in the donor colours) and the shared escaper ([`crate::escape::escape`]),
//! and carry no `style=` attributes (colours come from classes in the
//! page's style sheet and SVG presentation attributes), so a strict content
//! security policy without `'unsafe-inline'` styles can serve them.

mod ngs_page;
mod str_page;

pub use ngs_page::{NgsPage, NgsPageSample, render_ngs_page};
pub use str_page::{StrPageSample, render_str_page};

use crate::palette;

/// Colour of person `i` of a chimerism analysis (0 = recipient, then the
/// donors in declaration order, in the donor colours).
pub fn person_colour(i: usize) -> &'static str {
    match i {
        0 => palette::RECIPIENT,
        n => palette::donor(None, n - 1),
    }
}

/// CSS classes `.p0 … .pN` giving person `i` its colour as a background
/// (`.p{i}`) for `n` persons.
pub(crate) fn person_classes(n: usize) -> String {
    (0..n)
        .map(|i| format!(".p{i}{{background:{}}}", person_colour(i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_use_the_shared_palette() {
        assert_eq!(person_colour(0), palette::RECIPIENT);
        assert_eq!(person_colour(1), palette::ADULT_DONORS[0]);
        assert_eq!(person_colour(2), palette::ADULT_DONORS[1]);
        assert!(person_classes(2).contains(".p1{background:#0072B2}"));
    }
}

//! The one palette of graftwatch (figure, report, and any other page that
//! draws a course or a chimerism result): colour-blind-safe colours from
//! Okabe & Ito (2008) and Paul Tol's "muted" scheme (2021), with **one
//! meaning per colour**:
//!
//! | colour | meaning |
//! |---|---|
//! | vermillion `#D55E00` | recipient cells and leukaemia (recipient chimerism, marrow blasts, MRD, relapse) |
//! | blue `#0072B2` | the first adult donor (PBSC or marrow) and cells from it (graft, DLI) |
//! | sky blue `#56B4E9` | the first cord blood unit |
//! | indigo, teal, cyan, olive | further donors / units (in course order) |
//! | light grey `#BBBBBB` | a donor share recorded without naming the donor |
//! | black `#000000` | neutrophils (ANC) and neutrophil engraftment |
//! | reddish purple `#CC79A7` | platelets (counts, transfusions, platelet engraftment) |
//! | bluish green `#009E73` | haemoglobin and red-cell transfusions |
//! | orange `#E69F00` | CAR-T (lymphodepletion, infusion, day 0) |
//! | wine `#882255` | the transplant (conditioning, HCT day 0) |
//! | rose `#CC6677` | critical illness and organ support (ICU, septic shock, vasopressors, oxygen) |
//! | dark grey `#5A5A5A` | drugs and chemotherapy (each bar is labelled; its lane names the class) |
//! | yellow → brown (YlOrBr) | severity grade 0–IV (GVHD, CRS, ICANS, ICAHT) |
//!
//! Where colour alone cannot separate categories, shape and dash do:
//! lineages share the recipient colour and differ by marker shape and
//! line dash ([`lineage_style`]); thresholds are dashed, detection limits
//! dotted; not-detected values are open markers.

use graftwatch_core::Lineage;
use graftwatch_course::GraftSource;

use crate::draw::Shape;

/// Neutrophils (ANC): black.
pub const ANC: &str = "#000000";
/// Platelets (counts, transfusions, engraftment): reddish purple.
pub const PLATELETS: &str = "#CC79A7";
/// Haemoglobin and red-cell transfusions: bluish green.
pub const HEMOGLOBIN: &str = "#009E73";
/// The transplant: conditioning and the HCT day-0 line: wine.
pub const TRANSPLANT: &str = "#882255";
/// CAR-T (lymphodepletion, infusion, day 0): orange.
pub const CAR_T: &str = "#E69F00";
/// Critical illness and organ support (ICU, septic shock, vasopressors,
/// oxygen): rose.
pub const CRITICAL: &str = "#CC6677";
/// Drugs and chemotherapy (every class; the lane and the label say which):
/// dark grey.
pub const TREATMENT: &str = "#5A5A5A";
/// Axis and text: near-black (not a data colour).
pub const INK: &str = "#222222";
/// Grid lines (not a data colour).
pub const GRID: &str = "#e3e3e3";
/// Recipient cells and leukaemia (recipient chimerism, marrow blasts, MRD,
/// relapse): vermillion.
pub const RECIPIENT: &str = "#D55E00";
/// Marrow blasts: the recipient/leukaemia colour (told from MRD by shape).
pub const BLASTS: &str = RECIPIENT;
/// Flow MRD: the recipient/leukaemia colour (diamonds, dashed line).
pub const MRD: &str = RECIPIENT;
/// Adult donors (PBSC, marrow) in course order: blue, indigo, teal.
pub const ADULT_DONORS: [&str; 3] = ["#0072B2", "#332288", "#44AA99"];
/// Cord blood units in course order: sky blue, cyan, olive.
pub const CORD_UNITS: [&str; 3] = ["#56B4E9", "#88CCEE", "#999933"];
/// A donor share recorded without naming the donor: light grey.
pub const DONOR_UNNAMED: &str = "#BBBBBB";
/// DLI: cells of the first adult donor, so its colour.
pub const DLI: &str = ADULT_DONORS[0];

/// Colour of the `nth` donor of its kind (0 = first) with graft `source`
/// (`None` when the course does not say): cord units in the cord colours,
/// every other donor in the adult-donor colours.
pub fn donor(source: Option<GraftSource>, nth: usize) -> &'static str {
    match source {
        Some(GraftSource::Ucb) => CORD_UNITS[nth % CORD_UNITS.len()],
        _ => ADULT_DONORS[nth % ADULT_DONORS.len()],
    }
}

/// Every data colour with its one meaning (the table above), for tests
/// and for the legend of other pages.
pub const MEANINGS: [(&str, &str); 17] = [
    (RECIPIENT, "recipient cells and leukaemia"),
    (ADULT_DONORS[0], "first adult donor"),
    (ADULT_DONORS[1], "second adult donor"),
    (ADULT_DONORS[2], "third adult donor"),
    (CORD_UNITS[0], "first cord blood unit"),
    (CORD_UNITS[1], "second cord blood unit"),
    (CORD_UNITS[2], "third cord blood unit"),
    (DONOR_UNNAMED, "unnamed donor"),
    (ANC, "neutrophils"),
    (PLATELETS, "platelets"),
    (HEMOGLOBIN, "haemoglobin and red cells"),
    (CAR_T, "CAR-T"),
    (TRANSPLANT, "transplant"),
    (CRITICAL, "critical illness and organ support"),
    (TREATMENT, "drugs and chemotherapy"),
    (GRADE[1], "grade I / stage 1"),
    (GRADE[4], "grade IV / stage 4"),
];

/// A darker shade of a palette colour for text drawn on white (labels in
/// the light colours are below 3:1 contrast otherwise). Unknown colours are
/// returned unchanged.
pub fn darker(colour: &'static str) -> &'static str {
    match colour {
        "#E69F00" => "#8F6200",
        "#CC79A7" => "#9B3F73",
        "#56B4E9" => "#1F6E99",
        "#88CCEE" => "#2B7A9E",
        "#009E73" => "#006B4E",
        "#D55E00" => "#A34700",
        "#CC6677" => "#A03A4C",
        "#999933" => "#66661F",
        "#44AA99" => "#2A7266",
        other => other,
    }
}

/// Text colour readable on a filled bar of `colour` (white on dark fills).
pub fn text_on(colour: &str) -> &'static str {
    match colour {
        "#000000" | "#0072B2" | "#332288" | "#882255" | "#5A5A5A" | "#D55E00" | "#009E73"
        | "#44AA99" | "#CC6677" => "#ffffff",
        _ => "#222222",
    }
}

/// Ordered grade scale (ColorBrewer YlOrBr, colour-blind-safe and
/// monotone in lightness so it reads in greyscale): index 0 = grade 0
/// (white), 1 = I/1 … 4 = IV/4 and above.
pub const GRADE: [&str; 5] = ["#ffffff", "#fed98e", "#fe9929", "#d95f0e", "#8c2d04"];

/// Colour of a grade level (0–4; higher levels use the grade 4 colour).
pub fn grade(level: u8) -> &'static str {
    GRADE[level.min(4) as usize]
}

/// Marker shape and line dash of a lineage (lineages share a colour — the
/// person's — and are told apart by these).
pub fn lineage_style(l: Lineage) -> (Shape, &'static str) {
    match l {
        Lineage::WholeBlood => (Shape::Circle, "none"),
        Lineage::Cd3 => (Shape::Square, "6 3"),
        Lineage::Myeloid => (Shape::Diamond, "2 2"),
        Lineage::Cd34 => (Shape::Triangle, "8 2 2 2"),
        Lineage::Cd56 => (Shape::Star, "4 4"),
        Lineage::Cd19 => (Shape::Triangle, "1 3"),
        Lineage::Marrow => (Shape::Circle, "10 3"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_colour_has_one_meaning() {
        for (i, (c, m)) in MEANINGS.iter().enumerate() {
            for (c2, m2) in &MEANINGS[i + 1..] {
                assert_ne!(c, c2, "{m} and {m2} share {c}");
            }
            assert_ne!(*c, INK, "{m} uses the text colour");
        }
        // the only aliases are the documented ones
        assert_eq!(BLASTS, RECIPIENT);
        assert_eq!(MRD, RECIPIENT);
        assert_eq!(DLI, donor(Some(GraftSource::Pbsc), 0));
    }

    #[test]
    fn donors_are_coloured_by_source_and_order() {
        assert_eq!(donor(Some(GraftSource::Ucb), 0), "#56B4E9");
        assert_eq!(donor(Some(GraftSource::Pbsc), 0), "#0072B2");
        assert_eq!(donor(Some(GraftSource::Ucb), 1), "#88CCEE");
        assert_eq!(donor(None, 1), "#332288");
    }

    #[test]
    fn darker_shades_differ_for_light_colours_and_pass_through_others() {
        for c in [
            CAR_T,
            PLATELETS,
            CORD_UNITS[0],
            HEMOGLOBIN,
            RECIPIENT,
            CRITICAL,
        ] {
            assert_ne!(darker(c), c);
        }
        assert_eq!(darker(ANC), ANC);
        assert_eq!(darker(INK), INK);
    }

    #[test]
    fn lineages_differ_by_shape_or_dash() {
        let all = Lineage::ALL;
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(lineage_style(*a), lineage_style(*b), "{a} vs {b}");
            }
        }
    }
}

//! Colour-blind-safe palette (Okabe & Ito, 2008) with one fixed colour per
//! meaning, so every figure and later panel uses the same colours. Series are
//! also told apart by marker shape and dash pattern, never by colour alone.

/// ANC: blue.
pub const ANC: &str = "#0072B2";
/// Platelets: vermillion.
pub const PLATELETS: &str = "#D55E00";
/// Haemoglobin / red cells: bluish green.
pub const HEMOGLOBIN: &str = "#009E73";
/// Transplant-related therapy (conditioning, grafts): reddish purple.
pub const THERAPY: &str = "#CC79A7";
/// CAR-T (lymphodepletion, infusion): orange.
pub const CAR_T: &str = "#E69F00";
/// Donor lymphocyte infusion: blue.
pub const DLI: &str = "#0072B2";
/// Critical illness (ICU, septic shock, vasopressors): vermillion.
pub const CRITICAL: &str = "#D55E00";
/// Oxygen support: sky blue.
pub const OXYGEN: &str = "#56B4E9";
/// Immunosuppression: bluish green.
pub const IMMUNOSUPPRESSION: &str = "#009E73";
/// Steroids: reddish purple.
pub const STEROID: &str = "#CC79A7";
/// G-CSF: orange.
pub const G_CSF: &str = "#E69F00";
/// Anti-cytokine therapy: yellow.
pub const ANTICYTOKINE: &str = "#F0E442";
/// Antimicrobials: grey.
pub const ANTIMICROBIAL: &str = "#999999";
/// Other drugs: dark grey.
pub const OTHER: &str = "#666666";
/// Axis and text: near-black.
pub const INK: &str = "#222222";
/// Grid lines.
pub const GRID: &str = "#e3e3e3";

/// A darker shade of a palette colour for text drawn on white (labels in
/// the light colours — orange, reddish purple, yellow, sky blue — are below
/// 3:1 contrast otherwise). Unknown colours are returned unchanged.
pub fn darker(colour: &'static str) -> &'static str {
    match colour {
        "#E69F00" => "#8F6200",
        "#CC79A7" => "#9B3F73",
        "#F0E442" => "#7A7200",
        "#56B4E9" => "#1F6E99",
        "#009E73" => "#006B4E",
        "#D55E00" => "#A34700",
        other => other,
    }
}

/// Recipient cells in chimerism (the share that signals loss of graft or
/// relapse): vermillion.
pub const RECIPIENT: &str = "#D55E00";
/// Donors in the order of the course's donor list (first graft source first):
/// sky blue, blue, bluish green, reddish purple, orange, yellow.
pub const DONORS: [&str; 6] = [
    "#56B4E9", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#F0E442",
];
/// A donor share recorded without naming the donor: grey.
pub const DONOR_UNNAMED: &str = "#999999";

/// Ordered grade scale (ColorBrewer YlOrBr, colour-blind-safe and
/// monotone in lightness so it reads in greyscale): index 0 = grade 0
/// (white), 1 = I/1 … 4 = IV/4 and above.
pub const GRADE: [&str; 5] = ["#ffffff", "#fed98e", "#fe9929", "#d95f0e", "#8c2d04"];

/// Colour of a grade level (0–4; higher levels use the grade 4 colour).
pub fn grade(level: u8) -> &'static str {
    GRADE[level.min(4) as usize]
}

/// Colour of the donor at `index` in the course's donor list.
pub fn donor(index: usize) -> &'static str {
    DONORS[index % DONORS.len()]
}

/// Marrow blasts: vermillion. MRD: reddish purple.
pub const BLASTS: &str = "#D55E00";
/// MRD (flow): reddish purple.
pub const MRD: &str = "#CC79A7";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn darker_shades_differ_for_light_colours_and_pass_through_others() {
        for c in [CAR_T, THERAPY, ANTICYTOKINE, OXYGEN, HEMOGLOBIN, PLATELETS] {
            assert_ne!(darker(c), c);
        }
        assert_eq!(darker(DLI), DLI);
        assert_eq!(darker(INK), INK);
    }
}

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

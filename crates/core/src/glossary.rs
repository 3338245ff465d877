//! The abbreviations a clinician meets in graftwatch output, each with its
//! expansion: one list for the report's figure caption (the HTML glossary)
//! and the legend at the end of `grade`'s table output.

/// (abbreviation, expansion), in the order the report's caption lists them.
pub const TERMS: &[(&str, &str)] = &[
    ("ANC", "absolute neutrophil count"),
    ("PLT", "platelets"),
    ("Hb", "haemoglobin"),
    ("RBC", "red blood cells"),
    ("HCT", "haematopoietic cell transplantation"),
    ("UCB", "umbilical cord blood (unit)"),
    ("PBSC", "peripheral blood stem cells"),
    ("CAR-T", "chimeric antigen receptor T cells"),
    ("LD", "lymphodepletion"),
    ("DLI", "donor lymphocyte infusion"),
    ("CRS", "cytokine release syndrome"),
    (
        "ICANS",
        "immune effector cell-associated neurotoxicity syndrome",
    ),
    ("ICAHT", "immune effector cell-associated haematotoxicity"),
    (
        "ASTCT",
        "American Society for Transplantation and Cellular Therapy",
    ),
    ("GVHD", "graft-versus-host disease (aGVHD, acute)"),
    ("MAGIC", "Mount Sinai Acute GVHD International Consortium"),
    ("GI", "gastrointestinal"),
    ("MRD", "measurable residual disease (flow cytometry)"),
    ("LoD", "limit of detection"),
    ("ELN", "European Leukemia Network 2022 recommendations"),
    ("CR", "complete remission"),
    ("CRh", "CR with partial haematological recovery"),
    ("MRD−", "MRD-negative"),
    ("ICU", "intensive care unit"),
    ("NC", "nasal cannula"),
    ("HFNC", "high-flow nasal cannula"),
    ("G-CSF", "granulocyte colony-stimulating factor"),
    (
        "CD3+/CD33+/CD34+/CD56+",
        "T cells/myeloid cells/progenitors/NK cells",
    ),
    ("CRi", "CR with incomplete haematological recovery"),
    ("MLFS", "morphologic leukaemia-free state"),
    ("PR", "partial remission"),
    ("NR", "no response"),
    ("EMD", "extramedullary disease"),
    ("HCT-CI", "HCT-specific comorbidity index"),
    ("DRI", "disease risk index"),
    (
        "EBMT",
        "European Society for Blood and Marrow Transplantation",
    ),
    (
        "NIH",
        "National Institutes of Health (chronic GVHD consensus)",
    ),
    ("ULN", "upper limit of normal"),
    ("BSA", "body surface area"),
    ("LVEF", "left ventricular ejection fraction"),
];

/// The report figure's caption: "Abbreviations: ANC, absolute neutrophil
/// count; …; CD3+/CD33+/CD34+/CD56+, T cells/myeloid cells/progenitors/NK
/// cells." — the terms up to and including `last` (the figure's own).
pub fn caption(last: &str) -> String {
    let n = TERMS
        .iter()
        .position(|(a, _)| *a == last)
        .map_or(TERMS.len(), |i| i + 1);
    let items: Vec<String> = TERMS[..n]
        .iter()
        .map(|(a, e)| format!("{a}, {e}"))
        .collect();
    format!("Abbreviations: {}.", items.join("; "))
}

/// Whether `term` occurs in `text` as a word of its own (not inside a
/// longer word: "CR" is in "CR MRD-negative" and "(CR)", not in "CRh" or
/// "CRS").
fn occurs(text: &str, term: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(term).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + term.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// The terms of [`TERMS`] that occur in `text` as words, in list order.
pub fn used_in(text: &str) -> Vec<(&'static str, &'static str)> {
    TERMS
        .iter()
        .copied()
        .filter(|(a, _)| occurs(text, a))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_found_as_a_word_only() {
        assert!(occurs("day-28 response CR (2024-10-16)", "CR"));
        assert!(!occurs("CRh", "CR"));
        assert!(!occurs("CRS grade 1", "CR"));
        assert!(occurs("CRS grade 1", "CRS"));
        assert!(!occurs("HCT-CI 2", "HCT"));
        assert!(occurs("HCT-CI 2", "HCT-CI"));
        assert!(occurs("no EMD, ANC 3.35", "EMD"));
        assert!(occurs("both low -> MLFS", "MLFS"));
    }

    #[test]
    fn every_term_once() {
        for (i, (a, _)) in TERMS.iter().enumerate() {
            assert!(
                !TERMS[i + 1..].iter().any(|(b, _)| b == a),
                "{a} listed twice"
            );
        }
    }
}

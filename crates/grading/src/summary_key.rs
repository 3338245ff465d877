//! Typed keys of the summary items, so the crates that read the grades
//! (`report`, `decision`, the CLI) name an item by a Rust value rather than
//! a string literal shared across crates. `as_str` is the key in the output
//! (`item` in JSON); items of a later transplant carry the suffix `_hctN`.

use crate::output::{CourseGrades, SummaryItem};

macro_rules! keys {
    ($( $(#[$doc:meta])* $v:ident => $s:literal ),* $(,)?) => {
        /// A summary item key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SummaryKey {
            $( $(#[$doc])* $v ),*
        }

        impl SummaryKey {
            /// Every key.
            pub const ALL: &'static [SummaryKey] = &[$(SummaryKey::$v),*];

            /// The key as written in the output.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(SummaryKey::$v => $s),*
                }
            }
        }
    };
}

keys! {
    /// Neutrophil engraftment.
    NeutrophilEngraftment => "neutrophil_engraftment",
    /// Platelet engraftment ≥ 20 ×10⁹/L.
    PlateletEngraftment20 => "platelet_engraftment_20",
    /// Platelet engraftment ≥ 50 ×10⁹/L.
    PlateletEngraftment50 => "platelet_engraftment_50",
    /// Primary graft failure.
    PrimaryGraftFailure => "primary_graft_failure",
    /// Secondary graft failure.
    SecondaryGraftFailure => "secondary_graft_failure",
    /// Maximum MAGIC acute GVHD grade.
    AgvhdMaxGrade => "agvhd_max_grade",
    /// Acute GVHD onset.
    AgvhdOnset => "agvhd_onset",
    /// Maximum NIH chronic GVHD severity.
    CgvhdMaxSeverity => "cgvhd_max_severity",
    /// Maximum CRS grade.
    CrsMaxGrade => "crs_max_grade",
    /// Maximum ICANS grade.
    IcansMaxGrade => "icans_max_grade",
    /// Early ICAHT.
    IcahtEarly => "icaht_early",
    /// Late ICAHT.
    IcahtLate => "icaht_late",
    /// Early thrombocytopenia (T-ICAHT).
    TIcahtEarly => "t_icaht_early",
    /// Late thrombocytopenia (T-ICAHT).
    TIcahtLate => "t_icaht_late",
    /// CAR-HEMATOTOX.
    CarHematotox => "car_hematotox",
    /// Latest chimerism state.
    ChimerismLatest => "chimerism_latest",
    /// ELN 2022 best response.
    ElnBestResponse => "eln_best_response",
    /// ELN 2022 relapse.
    Relapse => "relapse",
    /// Latest MRD.
    MrdLatest => "mrd_latest",
    /// ELN 2022 genetic risk.
    ElnGeneticRisk => "eln_genetic_risk",
    /// HCT-CI.
    HctCi => "hct_ci",
    /// Refined disease risk index.
    RefinedDri => "refined_dri",
    /// EBMT risk score.
    EbmtScore => "ebmt_score",
    /// Acute GVHD, Keystone maximum grade.
    AgvhdKeystoneMaxGrade => "agvhd_keystone_max_grade",
    /// Acute GVHD, IBMTR maximum index.
    AgvhdIbmtrMaxIndex => "agvhd_ibmtr_max_index",
    /// Acute GVHD treatment response (day 28, steroid-refractory/-dependent).
    AgvhdTreatmentResponse => "agvhd_treatment_response",
    /// Chronic GVHD treatment response (NIH 2014).
    CgvhdTreatmentResponse => "cgvhd_treatment_response",
    /// Primary graft rejection / autologous reconstitution.
    GraftRejection => "graft_rejection",
    /// Which graft of a dual graft engrafted.
    GraftSourceEngraftment => "graft_source_engraftment",
    /// Poor graft function.
    PoorGraftFunction => "poor_graft_function",
    /// MRD relapse (ELN 2021 MRD).
    MrdRelapse => "mrd_relapse",
    /// ELN response timeline.
    ResponseTimeline => "response_timeline",
    /// Refractory disease at the landmark.
    Refractory => "refractory",
    /// MAGIC algorithm probability of the day +7 sample.
    MagicMapDay7 => "magic_map_day7",
    /// MAGIC algorithm probability at acute GVHD onset (Ann Arbor group).
    MagicMapOnset => "magic_map_onset",
    /// Steroid-refractory / steroid-dependent chronic GVHD (EBMT–NIH–CIBMTR 2018).
    CgvhdSteroidResponse => "cgvhd_steroid_response",
}

impl SummaryKey {
    /// The item as a clinician names it (the `grade` table's summary).
    pub fn label(self) -> &'static str {
        match self {
            SummaryKey::NeutrophilEngraftment => "Neutrophil engraftment",
            SummaryKey::PlateletEngraftment20 => "Platelet engraftment (≥ 20 ×10⁹/L)",
            SummaryKey::PlateletEngraftment50 => "Platelet engraftment (≥ 50 ×10⁹/L)",
            SummaryKey::PrimaryGraftFailure => "Primary graft failure",
            SummaryKey::SecondaryGraftFailure => "Secondary graft failure",
            SummaryKey::AgvhdMaxGrade => "Acute GVHD, maximum MAGIC grade",
            SummaryKey::AgvhdOnset => "Acute GVHD onset",
            SummaryKey::CgvhdMaxSeverity => "Chronic GVHD, maximum NIH severity",
            SummaryKey::CrsMaxGrade => "CRS, maximum ASTCT grade",
            SummaryKey::IcansMaxGrade => "ICANS, maximum ASTCT grade",
            SummaryKey::IcahtEarly => "Early ICAHT",
            SummaryKey::IcahtLate => "Late ICAHT",
            SummaryKey::TIcahtEarly => "Early thrombocytopenia (T-ICAHT)",
            SummaryKey::TIcahtLate => "Late thrombocytopenia (T-ICAHT)",
            SummaryKey::CarHematotox => "CAR-HEMATOTOX",
            SummaryKey::ChimerismLatest => "Latest chimerism",
            SummaryKey::ElnBestResponse => "Best response (ELN 2022)",
            SummaryKey::Relapse => "Relapse (ELN 2022)",
            SummaryKey::MrdLatest => "Latest MRD",
            SummaryKey::ElnGeneticRisk => "Genetic risk (ELN 2022)",
            SummaryKey::HctCi => "HCT-CI",
            SummaryKey::RefinedDri => "Refined DRI",
            SummaryKey::EbmtScore => "EBMT risk score",
            SummaryKey::AgvhdKeystoneMaxGrade => "Acute GVHD, maximum Keystone grade",
            SummaryKey::AgvhdIbmtrMaxIndex => "Acute GVHD, maximum IBMTR index",
            SummaryKey::AgvhdTreatmentResponse => "Acute GVHD treatment response",
            SummaryKey::CgvhdTreatmentResponse => "Chronic GVHD treatment response (NIH)",
            SummaryKey::GraftRejection => "Graft rejection",
            SummaryKey::GraftSourceEngraftment => "Engrafted graft",
            SummaryKey::PoorGraftFunction => "Poor graft function",
            SummaryKey::MrdRelapse => "MRD relapse (ELN 2021)",
            SummaryKey::ResponseTimeline => "Response timeline (ELN 2022)",
            SummaryKey::Refractory => "Refractory disease",
            SummaryKey::MagicMapDay7 => "MAGIC probability, day +7",
            SummaryKey::MagicMapOnset => "MAGIC probability at GVHD onset",
            SummaryKey::CgvhdSteroidResponse => "Chronic GVHD steroid response",
        }
    }
}

impl SummaryKey {
    /// The key of transplant `n` (1: no suffix; later: `_hctN`).
    pub fn for_transplant(self, n: u32) -> String {
        match n {
            0 | 1 => self.as_str().to_string(),
            n => format!("{}_hct{n}", self.as_str()),
        }
    }
}

impl SummaryKey {
    /// The key of an item with its suffix (`""` for the first transplant or
    /// CAR-T, `_hct2`, `_cart2`, …).
    pub fn with(self, suffix: &str) -> ItemKey {
        ItemKey {
            key: self,
            suffix: suffix.to_string(),
        }
    }

    /// The key by its output name (without suffix).
    pub fn parse(s: &str) -> Option<SummaryKey> {
        SummaryKey::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// A summary item's key as the engine writes it: the typed key and the
/// suffix of a later transplant or CAR-T. `Display` gives the output name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    /// The typed key.
    pub key: SummaryKey,
    /// `""`, `_hct2`, `_cart2`, …
    pub suffix: String,
}

impl From<SummaryKey> for ItemKey {
    fn from(key: SummaryKey) -> ItemKey {
        key.with("")
    }
}

impl From<&ItemKey> for ItemKey {
    fn from(k: &ItemKey) -> ItemKey {
        k.clone()
    }
}

impl ItemKey {
    /// The item as a clinician names it, with the transplant or CAR-T
    /// infusion a suffix names (`_hct2` → "(HCT 2)", `_cart2` → "(CAR-T 2)").
    pub fn label(&self) -> String {
        label_with_suffix(self.key, &self.suffix)
    }
}

/// [`SummaryKey::label`] followed by the infusion a suffix names.
pub fn label_with_suffix(key: SummaryKey, suffix: &str) -> String {
    let named = |p: &str, name: &str| {
        suffix
            .strip_prefix(p)
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .map(|n| format!("{} ({name} {n})", key.label()))
    };
    if suffix.is_empty() {
        return key.label().to_string();
    }
    named("_hct", "HCT")
        .or_else(|| named("_cart", "CAR-T"))
        .unwrap_or_else(|| format!("{} ({})", key.label(), suffix.trim_start_matches('_')))
}

impl std::fmt::Display for ItemKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.key.as_str(), self.suffix)
    }
}

impl SummaryItem {
    /// The item as a clinician names it ([`label_with_suffix`] of its key
    /// and the suffix its output name carries).
    pub fn label(&self) -> String {
        let suffix = self.item.strip_prefix(self.key.as_str()).unwrap_or("");
        label_with_suffix(self.key, suffix)
    }
}

impl CourseGrades {
    /// The summary item of `key` (the first transplant's, for per-transplant items).
    pub fn get(&self, key: SummaryKey) -> Option<&SummaryItem> {
        self.summary
            .iter()
            .find(|i| i.key == key && i.item == key.as_str())
    }

    /// The summary item of `key` with a suffix (`_hct2`, `_cart2`, …).
    pub fn get_with(&self, key: SummaryKey, suffix: &str) -> Option<&SummaryItem> {
        self.summary
            .iter()
            .find(|i| i.key == key && i.item.strip_prefix(key.as_str()) == Some(suffix))
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn every_key_has_a_label_in_words() {
        for k in SummaryKey::ALL {
            let l = k.label();
            assert!(!l.contains('_'), "{l}");
            assert_ne!(l, k.as_str());
        }
    }

    #[test]
    fn suffixes_name_the_infusion() {
        let k = SummaryKey::AgvhdMaxGrade;
        assert_eq!(label_with_suffix(k, ""), "Acute GVHD, maximum MAGIC grade");
        assert_eq!(
            label_with_suffix(k, "_hct2"),
            "Acute GVHD, maximum MAGIC grade (HCT 2)"
        );
        assert_eq!(
            label_with_suffix(SummaryKey::CrsMaxGrade, "_cart2"),
            "CRS, maximum ASTCT grade (CAR-T 2)"
        );
        assert_eq!(
            label_with_suffix(k, "_hct"),
            "Acute GVHD, maximum MAGIC grade (hct)"
        );
    }
}

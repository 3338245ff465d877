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

impl CourseGrades {
    /// The summary item of `key` (the first transplant's, for per-transplant items).
    pub fn get(&self, key: SummaryKey) -> Option<&SummaryItem> {
        self.item(key.as_str())
    }
}

//! Systemic corticosteroid dose for the steroid-refractory / steroid-dependent
//! acute GVHD definitions (EBMT–NIH–CIBMTR Task Force, Schoemans et al.
//! 2018): a steroid record is converted to a **prednisone-equivalent dose in
//! mg/kg/day** and compared with the definition's threshold (≥ 2 mg/kg/day).
//!
//! | drug | equivalent to 5 mg prednisone | factor to prednisone |
//! |---|---|---|
//! | prednisone, prednisolone | 5 mg | 1 |
//! | methylprednisolone | 4 mg | 1.25 |
//! | dexamethasone | 0.75 mg | 6.667 |
//! | hydrocortisone | 20 mg | 0.25 |
//!
//! Methylprednisolone 2 mg/kg/day is therefore 2.5 mg/kg/day of prednisone
//! equivalent, and prednisone 2 mg/kg/day is 1.6 mg/kg/day of
//! methylprednisolone equivalent. Which drug the 2 mg/kg/day of the
//! definition refers to is ambiguity `A-13` (default: prednisone, as the
//! Task-Force wording is reproduced; `methylprednisolone` is the
//! alternative, config `[gvhd_response] dose_reference`).
//!
//! A dose is *unknown* (never silently "high" or "low") when the drug is not
//! in the table, the dose or unit is missing, the unit is per m² or has no
//! daily rate, or a per-day dose has no body weight to divide by.

use graftwatch_core::{Citation, Provenance};
use serde::{Deserialize, Serialize};

/// Glucocorticoid equivalence table.
pub const EQUIVALENCE_CITATION: Citation = Citation {
    source: "Prednisolone prescribing information (FDA label), dose-equivalence statement; standard glucocorticoid equivalence tables",
    year: 2020,
    table: "Equivalent anti-inflammatory doses: 15 mg prednisolone = 15 mg prednisone = 12 mg methylprednisolone = 2.25 mg dexamethasone = 60 mg hydrocortisone",
    doi: None,
    provenance: Provenance::Secondary,
    note: "[S] Checked 2026-12-03 against several reproductions quoting the FDA prednisolone label and the usual table (5 mg prednisone = 4 mg methylprednisolone = 0.75 mg dexamethasone = 20 mg hydrocortisone); prednisone : methylprednisolone = 1.25 : 1.",
};

/// The dose in the steroid-refractory / -dependent definitions.
pub const DEFINITION_DOSE_CITATION: Citation = Citation {
    source: "Schoemans HM et al. EBMT-NIH-CIBMTR Task Force position statement on standardized terminology & guidance for graft-versus-host disease assessment. Bone Marrow Transplant 2018;53(11):1401-1415",
    year: 2018,
    table: "Steroid-refractory / steroid-dependent acute GVHD definitions",
    doi: Some("10.1038/s41409-018-0204-7"),
    provenance: Provenance::Secondary,
    note: "[S] Checked 2026-12-03 against a patient-information reproduction of the Task-Force definitions (know-gvhd.com): refractory = worse within 3-5 days of prednisone ≥ 2 mg/kg/day (or an equivalent corticosteroid), not improved within 5-7 days, or incomplete after > 28 days; dependent = prednisone cannot be reduced under 2 mg/kg/day after ≥ 7 days of successful treatment, or recurrence during the taper. Primary PDF not checked.",
};

/// The definition's dose threshold, mg/kg/day.
pub const DEFINITION_MIN_MG_KG_DAY: f64 = 2.0;

/// The drug the definition's mg/kg/day refers to (ambiguity `A-13`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoseReference {
    /// Prednisone (the reproduced Task-Force wording).
    Prednisone,
    /// Methylprednisolone.
    Methylprednisolone,
}

/// Options of the dose check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SteroidDoseConfig {
    /// Threshold in mg/kg/day of the reference drug (2.0).
    pub min_mg_kg_day: f64,
    /// Reference drug of the threshold (`A-13`).
    pub dose_reference: DoseReference,
}

impl Default for SteroidDoseConfig {
    fn default() -> Self {
        SteroidDoseConfig {
            min_mg_kg_day: DEFINITION_MIN_MG_KG_DAY,
            dose_reference: DoseReference::Prednisone,
        }
    }
}

impl SteroidDoseConfig {
    /// The threshold expressed in prednisone equivalent, mg/kg/day.
    pub fn threshold_prednisone_mg_kg_day(&self) -> f64 {
        match self.dose_reference {
            DoseReference::Prednisone => self.min_mg_kg_day,
            DoseReference::Methylprednisolone => self.min_mg_kg_day * 1.25,
        }
    }
}

/// A systemic glucocorticoid of the equivalence table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Corticosteroid {
    /// Prednisone.
    Prednisone,
    /// Prednisolone.
    Prednisolone,
    /// Methylprednisolone.
    Methylprednisolone,
    /// Dexamethasone.
    Dexamethasone,
    /// Hydrocortisone.
    Hydrocortisone,
}

impl Corticosteroid {
    /// Recognises a drug name (case-insensitive; brand names are not known).
    pub fn parse(name: &str) -> Option<Corticosteroid> {
        let n = name.trim().to_ascii_lowercase();
        Some(match n.as_str() {
            "prednisone" => Corticosteroid::Prednisone,
            "prednisolone" => Corticosteroid::Prednisolone,
            "methylprednisolone" | "methylprednisolone sodium succinate" => {
                Corticosteroid::Methylprednisolone
            }
            "dexamethasone" => Corticosteroid::Dexamethasone,
            "hydrocortisone" => Corticosteroid::Hydrocortisone,
            _ => return None,
        })
    }

    /// mg of prednisone equivalent to 1 mg of this drug.
    pub fn prednisone_factor(self) -> f64 {
        match self {
            Corticosteroid::Prednisone | Corticosteroid::Prednisolone => 1.0,
            Corticosteroid::Methylprednisolone => 5.0 / 4.0,
            Corticosteroid::Dexamethasone => 5.0 / 0.75,
            Corticosteroid::Hydrocortisone => 5.0 / 20.0,
        }
    }
}

/// A recorded daily dose, as far as the record says it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RecordedDose {
    /// mg per kg body weight per day.
    MgPerKgPerDay(f64),
    /// mg per day (divided by the body weight).
    MgPerDay(f64),
    /// A dose whose unit does not give a daily amount per kg or per day
    /// (per m², no rate, per hour, …); the text says what was recorded.
    Unusable(&'static str),
    /// No dose recorded.
    Missing,
}

/// A dose converted to prednisone equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrednisoneEquivalent {
    /// Drug.
    pub drug: Corticosteroid,
    /// mg/kg/day of prednisone equivalent.
    pub mg_kg_day: f64,
    /// Body weight used for a per-day dose, kg.
    pub weight_kg: Option<f64>,
}

/// Why a steroid record's prednisone-equivalent dose is unknown; its
/// message says it in words, naming the drug.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnknownDose {
    /// The drug is not in the equivalence table.
    #[error(
        "'{drug}' is not in the glucocorticoid equivalence table (prednisone, prednisolone, methylprednisolone, dexamethasone, hydrocortisone)"
    )]
    NotInTable {
        /// The drug as recorded.
        drug: String,
    },
    /// A dose per day without a body weight to express it per kg.
    #[error("{drug} {mg_per_day} mg/day: no body weight recorded to express it per kg")]
    NoWeight {
        /// The drug as recorded.
        drug: String,
        /// The dose, mg/day.
        mg_per_day: f64,
    },
    /// A unit that gives no daily amount (the reason in words).
    #[error("{drug}: {why}")]
    Unusable {
        /// The drug as recorded.
        drug: String,
        /// What was recorded instead.
        why: &'static str,
    },
    /// No dose recorded.
    #[error("{drug}: no dose recorded")]
    Missing {
        /// The drug as recorded.
        drug: String,
    },
    /// A dose that is not a finite non-negative number.
    #[error("{drug}: dose {value} is not a usable number")]
    NotANumber {
        /// The drug as recorded.
        drug: String,
        /// The recorded value.
        value: f64,
    },
}

/// Converts one steroid record to prednisone-equivalent mg/kg/day; `Err`
/// says why the dose is unknown.
pub fn prednisone_equivalent(
    drug: &str,
    dose: RecordedDose,
    weight_kg: Option<f64>,
) -> Result<PrednisoneEquivalent, UnknownDose> {
    let drug_name = || drug.to_string();
    let Some(d) = Corticosteroid::parse(drug) else {
        return Err(UnknownDose::NotInTable { drug: drug_name() });
    };
    let f = d.prednisone_factor();
    match dose {
        RecordedDose::MgPerKgPerDay(v) if v.is_finite() && v >= 0.0 => Ok(PrednisoneEquivalent {
            drug: d,
            mg_kg_day: v * f,
            weight_kg: None,
        }),
        RecordedDose::MgPerDay(v) if v.is_finite() && v >= 0.0 => match weight_kg {
            Some(w) if w > 0.0 && w.is_finite() => Ok(PrednisoneEquivalent {
                drug: d,
                mg_kg_day: v / w * f,
                weight_kg: Some(w),
            }),
            _ => Err(UnknownDose::NoWeight {
                drug: drug_name(),
                mg_per_day: v,
            }),
        },
        RecordedDose::Unusable(why) => Err(UnknownDose::Unusable {
            drug: drug_name(),
            why,
        }),
        RecordedDose::Missing => Err(UnknownDose::Missing { drug: drug_name() }),
        RecordedDose::MgPerKgPerDay(v) | RecordedDose::MgPerDay(v) => {
            Err(UnknownDose::NotANumber {
                drug: drug_name(),
                value: v,
            })
        }
    }
}

/// Whether a prednisone-equivalent dose meets the definition's threshold
/// (at or above it; a rounding tolerance of 1e-9).
pub fn meets_definition_dose(pe_mg_kg_day: f64, cfg: &SteroidDoseConfig) -> bool {
    pe_mg_kg_day >= cfg.threshold_prednisone_mg_kg_day() - 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pe(drug: &str, dose: RecordedDose, w: Option<f64>) -> f64 {
        prednisone_equivalent(drug, dose, w).unwrap().mg_kg_day
    }

    #[test]
    fn equivalence_factors() {
        let c = |d| pe(d, RecordedDose::MgPerKgPerDay(1.0), None);
        assert_eq!(c("prednisone"), 1.0);
        assert_eq!(c("Prednisolone"), 1.0);
        assert_eq!(c("methylprednisolone"), 1.25);
        assert!((c("dexamethasone") - 6.6667).abs() < 1e-3);
        assert_eq!(c("hydrocortisone"), 0.25);
    }

    #[test]
    fn threshold_both_sides_prednisone_reference() {
        let cfg = SteroidDoseConfig::default();
        // prednisone 2.0 meets, 1.99 does not
        assert!(meets_definition_dose(
            pe("prednisone", RecordedDose::MgPerKgPerDay(2.0), None),
            &cfg
        ));
        assert!(!meets_definition_dose(
            pe("prednisone", RecordedDose::MgPerKgPerDay(1.99), None),
            &cfg
        ));
        // methylprednisolone 1.6 mg/kg = prednisone 2.0: meets; 1.59 does not
        assert!(meets_definition_dose(
            pe("methylprednisolone", RecordedDose::MgPerKgPerDay(1.6), None),
            &cfg
        ));
        assert!(!meets_definition_dose(
            pe(
                "methylprednisolone",
                RecordedDose::MgPerKgPerDay(1.59),
                None
            ),
            &cfg
        ));
    }

    #[test]
    fn threshold_both_sides_methylprednisolone_reference() {
        let cfg = SteroidDoseConfig {
            dose_reference: DoseReference::Methylprednisolone,
            ..SteroidDoseConfig::default()
        };
        assert!(meets_definition_dose(
            pe("methylprednisolone", RecordedDose::MgPerKgPerDay(2.0), None),
            &cfg
        ));
        assert!(!meets_definition_dose(
            pe(
                "methylprednisolone",
                RecordedDose::MgPerKgPerDay(1.99),
                None
            ),
            &cfg
        ));
        // prednisone 2 mg/kg = MP 1.6: below the MP reading
        assert!(!meets_definition_dose(
            pe("prednisone", RecordedDose::MgPerKgPerDay(2.0), None),
            &cfg
        ));
        assert!(meets_definition_dose(
            pe("prednisone", RecordedDose::MgPerKgPerDay(2.5), None),
            &cfg
        ));
    }

    #[test]
    fn per_day_dose_needs_weight() {
        // 140 mg/day methylprednisolone at 70 kg = 2 mg/kg MP = 2.5 prednisone
        assert_eq!(
            pe(
                "methylprednisolone",
                RecordedDose::MgPerDay(140.0),
                Some(70.0)
            ),
            2.5
        );
        let e =
            prednisone_equivalent("prednisone", RecordedDose::MgPerDay(100.0), None).unwrap_err();
        assert!(e.to_string().contains("no body weight"), "{e}");
    }

    #[test]
    fn unknown_drug_or_unit_is_unknown() {
        assert!(
            prednisone_equivalent("budesonide", RecordedDose::MgPerDay(9.0), Some(70.0)).is_err()
        );
        assert!(prednisone_equivalent("prednisone", RecordedDose::Missing, Some(70.0)).is_err());
        let e = prednisone_equivalent(
            "prednisone",
            RecordedDose::Unusable("unit mg/m2/d is per body surface"),
            Some(70.0),
        )
        .unwrap_err();
        assert!(e.to_string().contains("m2"), "{e}");
        assert!(
            prednisone_equivalent("prednisone", RecordedDose::MgPerKgPerDay(f64::NAN), None)
                .is_err()
        );
    }
}

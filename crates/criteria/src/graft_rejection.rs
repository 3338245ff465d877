//! Graft rejection and autologous reconstitution from counts plus chimerism
//! (E-8): count recovery with < 5 % donor cells is primary graft rejection
//! (autologous reconstitution), not engraftment; a fall to < 5 % donor after
//! documented donor chimerism ≥ 5 % is loss of donor chimerism (secondary
//! rejection).
//!
//! Only myeloid-informative samples are used (myeloid, CD34, unsorted blood,
//! marrow): a lymphoid-only loss is reported by `chimerism_state` as split
//! chimerism, not as rejection.

use graftwatch_core::{Lineage, Percent, Unit};
use serde::Serialize;

use crate::chimerism_state::{ChimerismSample, LOSS_OF_DONOR_BELOW, donor_percent};
use crate::engraftment::{Engraftment, SUREDA_2024_CITATION};
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::graft_failure::KHARFAN_DABAJA_2021_CITATION;
use crate::series::ValueError;

/// Outcome of the rejection check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionStatus {
    /// Donor ≥ 5 % in the latest informative sample.
    NoRejection,
    /// Counts recovered but donor < 5 % from the first sample on (E-8).
    AutologousReconstitution,
    /// Donor < 5 % without count recovery.
    PrimaryRejectionWithoutRecovery,
    /// Donor ≥ 5 % documented, later < 5 %.
    SecondaryLossOfDonorChimerism,
}

impl RejectionStatus {
    /// In words.
    pub fn text(self) -> &'static str {
        match self {
            RejectionStatus::NoRejection => "no graft rejection",
            RejectionStatus::AutologousReconstitution => {
                "primary graft rejection with autologous reconstitution"
            }
            RejectionStatus::PrimaryRejectionWithoutRecovery => {
                "primary graft rejection without count recovery"
            }
            RejectionStatus::SecondaryLossOfDonorChimerism => {
                "secondary graft rejection (loss of donor chimerism)"
            }
        }
    }
}

/// Lineages informative for rejection.
pub fn is_informative(l: Lineage) -> bool {
    l.is_myeloid() || matches!(l, Lineage::WholeBlood | Lineage::Marrow)
}

/// Combines neutrophil recovery with chimerism samples (any order).
pub fn graft_rejection(
    neutrophils: &Graded<Engraftment>,
    samples: &[ChimerismSample],
) -> Result<Graded<RejectionStatus>, ValueError> {
    let mut ex = Explanation {
        rule: "Graft rejection / autologous reconstitution (E-8)",
        version: "ASTCT 2021 (engine E-8)",
        citations: vec![KHARFAN_DABAJA_2021_CITATION, SUREDA_2024_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "E-8",
            "counts are combined with myeloid-informative chimerism; < 5% donor is loss of donor chimerism",
        )],
    };
    let mut informative: Vec<(&ChimerismSample, Percent)> = Vec::new();
    for s in samples.iter().filter(|s| is_informative(s.lineage)) {
        informative.push((s, donor_percent(s)?));
    }
    informative.sort_by_key(|(s, _)| s.date);
    let Some(&(last, last_pct)) = informative.last() else {
        ex.reason = "no myeloid, CD34, unsorted-blood or marrow chimerism".into();
        return Ok(Graded::InsufficientData {
            missing: vec!["myeloid-informative chimerism result".into()],
            explanation: ex,
        });
    };
    let recovered = match neutrophils {
        Graded::Value { value, .. } => value.engrafted.is_some(),
        Graded::NotApplicable { .. } => true,
        Graded::InsufficientData { .. } => false,
    };
    let ever_donor = informative.iter().find(|(_, p)| *p >= LOSS_OF_DONOR_BELOW);
    ex.evidence.push(Evidence::value(
        Some(last.date),
        format!("donor_chimerism_{}", last.lineage),
        last_pct.get(),
        Some(Unit::Percent),
        "latest informative sample",
    ));
    let status = if last_pct >= LOSS_OF_DONOR_BELOW {
        RejectionStatus::NoRejection
    } else if let Some((s, p)) = ever_donor {
        ex.evidence.push(Evidence::value(
            Some(s.date),
            format!("donor_chimerism_{}", s.lineage),
            *p,
            Some(Unit::Percent),
            "earlier sample with ≥ 5% donor",
        ));
        RejectionStatus::SecondaryLossOfDonorChimerism
    } else if recovered {
        RejectionStatus::AutologousReconstitution
    } else {
        RejectionStatus::PrimaryRejectionWithoutRecovery
    };
    ex.reason = format!(
        "latest {} donor {}% on {}: {}",
        last.lineage,
        crate::chimerism_state::percent_text(last_pct),
        last.date,
        status.text()
    );
    Ok(Graded::Value {
        value: status,
        explanation: ex,
    })
}

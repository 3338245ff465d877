//! IBMTR Severity Index for acute GVHD (Rowlings et al. 1997), from the
//! Keystone organ stages.
//!
//! | index | skin | liver | gut |
//! |---|---|---|---|
//! | A | 1 | 0 | 0 |
//! | B | 2 | 1–2 | 1–2 |
//! | C | 3 | 3 | 3 |
//! | D | 4 | 4 | 4 |
//!
//! Index = the highest letter any organ reaches; A only when skin 1 is the
//! sole finding. Difference from MAGIC: the index is a maximum over organs,
//! so skin 3 alone is C (MAGIC II), liver 1 is B (MAGIC II), gut 4 is D.

use graftwatch_core::{Citation, Date, Provenance};
use serde::Serialize;

use super::keystone::{
    KeystoneStages, determined_or_insufficient, lower_bound_keystone_stages, organ_evidence,
    worst_case_stages,
};
use super::magic::OrganStatus;
use crate::{Explanation, Flag, Graded};

/// Citation for the IBMTR Severity Index.
pub const IBMTR_CITATIONS: [Citation; 1] = [Citation {
    source: "Rowlings PA et al. IBMTR Severity Index for grading acute graft-versus-host disease. Br J Haematol 1997;97:855-864",
    year: 1997,
    table: "Severity index table",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Citation [V]; table [R]. Checked 2026-11-25 against bloodref.com and hematool.ch: A = stage 1 skin only, B = max stage 2 in any organ, C = max stage 3, D = stage 4 in any organ (agrees). Primary PDF not checked.",
}];

/// Rule version.
pub const IBMTR_VERSION: &str = "IBMTR Severity Index 1997";

/// IBMTR index: none, A–D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum IbmtrIndex {
    /// No acute GVHD.
    #[serde(rename = "0")]
    None,
    /// Index A.
    A,
    /// Index B.
    B,
    /// Index C.
    C,
    /// Index D.
    D,
}

impl IbmtrIndex {
    /// `0`, `A` … `D`.
    pub fn as_str(self) -> &'static str {
        match self {
            IbmtrIndex::None => "0",
            IbmtrIndex::A => "A",
            IbmtrIndex::B => "B",
            IbmtrIndex::C => "C",
            IbmtrIndex::D => "D",
        }
    }
}

impl std::fmt::Display for IbmtrIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn organ_letter(stage: u8, skin: bool) -> IbmtrIndex {
    match (stage, skin) {
        (0, _) => IbmtrIndex::None,
        (1, true) => IbmtrIndex::A,
        (1 | 2, _) => IbmtrIndex::B,
        (3, _) => IbmtrIndex::C,
        _ => IbmtrIndex::D,
    }
}

/// The IBMTR index (fast path).
pub fn ibmtr_index(s: &KeystoneStages) -> IbmtrIndex {
    organ_letter(s.skin.get(), true)
        .max(organ_letter(s.liver.get(), false))
        .max(organ_letter(s.gut.get(), false))
}

/// Result of an IBMTR grading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IbmtrDay {
    /// Assessment date.
    pub date: Date,
    /// The Keystone stages used.
    pub stages: KeystoneStages,
    /// Index.
    pub index: IbmtrIndex,
}

/// Explained IBMTR index from MAGIC organ statuses.
pub fn explain_ibmtr(
    date: Date,
    st: &[OrganStatus; 4],
    upper_gi_histology: bool,
) -> Graded<IbmtrDay> {
    let ks = lower_bound_keystone_stages(st, upper_gi_histology);
    let index = ibmtr_index(&ks);
    let (evidence, mut flags) = organ_evidence(st, Vec::new(), |_, _| {});
    if st[2].as_ref().is_ok_and(|c| c.stage.get() >= 1) && !upper_gi_histology {
        flags.push(Flag::new(
            "KEYSTONE-UGI",
            "upper-GI symptoms without histologic evidence do not count in the IBMTR index",
        ));
    }
    let explanation = Explanation {
        rule: "IBMTR acute GVHD severity index",
        version: IBMTR_VERSION,
        citations: IBMTR_CITATIONS.to_vec(),
        reason: ks.reason(date, format_args!("highest organ letter {index}")),
        evidence,
        flags,
    };
    let value = IbmtrDay {
        date,
        stages: ks,
        index,
    };
    let upper = ibmtr_index(&worst_case_stages(st, upper_gi_histology));
    determined_or_insufficient(value, explanation, st, upper == index, "index")
}

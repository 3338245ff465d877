//! Modified Glucksberg grade from the 1994 Keystone consensus (Przepiorka et
//! al. 1995), computed from the same raw organ stages as MAGIC.
//!
//! Keystone has three organs: skin, liver and gut. The gut stage is the
//! lower-GI stage, raised to 1 by persistent nausea **with histologic
//! evidence** of GVHD in the stomach or duodenum (the Keystone change). Bands
//! follow the MAGIC half-open convention (A-11: gut 1000 mL → stage 2; liver
//! 3.0 → 1, 6.0 → 2, 15.0 → 3).
//!
//! | grade | rule (first match from IV down) |
//! |---|---|
//! | IV | skin 4 or liver 4 |
//! | III | liver 2–3 or gut 2–4 |
//! | II | skin 3, liver 1 or gut 1 |
//! | I | skin 1–2 |
//! | 0 | none |
//!
//! Differences from MAGIC: gut stage 4 alone is grade **III** here (IV in
//! MAGIC); upper-GI symptoms count only with histology; Keystone has no
//! episode counts (the engine's 200 mL/episode equivalent is flagged).
//! The 1974 Glucksberg performance-status criterion is not implemented.

use graftwatch_core::{Citation, Date, Provenance};
use serde::Serialize;

use super::magic::{OrganStages, OrganStatus, lower_bound_stages, upper_bound_stages};
use super::stage::{Basis, Organ, Stage, StageCall};
use crate::{Evidence, Explanation, Flag, Graded};

/// Citation for the Keystone consensus grade.
pub const KEYSTONE_CITATIONS: [Citation; 1] = [Citation {
    source: "Przepiorka D et al. 1994 Consensus Conference on Acute GVHD Grading. Bone Marrow Transplant 1995;15(6):825-828",
    year: 1995,
    table: "Table (organ staging and grade)",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Abstract [V] (upper-GI nausea with histology counts as gut stage 1); stage/grade table [R]. Checked 2026-11-25 against bloodref.com and hematool.ch reproductions: bilirubin bands 2-3 / >3-6 / >6-15 / >15 and gut 500/1000/1500 mL agree; bloodref lists skin 4 as bullae OR desquamation, the engine keeps the MAGIC conjunction. Primary PDF not checked.",
}];

/// Rule version.
pub const KEYSTONE_VERSION: &str = "Keystone 1994 (modified Glucksberg)";

/// Keystone organ stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct KeystoneStages {
    /// Skin 0–4.
    pub skin: Stage,
    /// Liver 0–4.
    pub liver: Stage,
    /// Gut 0–4 (lower GI, or 1 for histology-proven upper GI).
    pub gut: Stage,
}

impl KeystoneStages {
    /// `{date}: skin S, liver S, gut S -> {result}`, the reason of a day.
    pub(crate) fn reason(&self, date: Date, result: impl std::fmt::Display) -> String {
        format!(
            "{date}: skin {}, liver {}, gut {} -> {result}",
            self.skin, self.liver, self.gut
        )
    }
}

/// Keystone / modified Glucksberg grade 0–IV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum KeystoneGrade {
    /// No acute GVHD.
    #[serde(rename = "0")]
    Zero,
    /// Grade I.
    I,
    /// Grade II.
    II,
    /// Grade III.
    III,
    /// Grade IV.
    IV,
}

impl KeystoneGrade {
    /// `0`, `I` … `IV`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeystoneGrade::Zero => "0",
            KeystoneGrade::I => "I",
            KeystoneGrade::II => "II",
            KeystoneGrade::III => "III",
            KeystoneGrade::IV => "IV",
        }
    }
}

impl std::fmt::Display for KeystoneGrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keystone stages from MAGIC stages: gut = max(lower GI, 1 if upper GI 1
/// with histology).
pub fn keystone_stages(
    skin: Stage,
    liver: Stage,
    upper_gi: Stage,
    lower_gi: Stage,
    upper_gi_histology: bool,
) -> KeystoneStages {
    let upper = if upper_gi.get() >= 1 && upper_gi_histology {
        Stage::S1
    } else {
        Stage::S0
    };
    KeystoneStages {
        skin,
        liver,
        gut: lower_gi.max(upper),
    }
}

/// The Keystone grade (fast path), with the rule text.
pub fn keystone_rule(s: &KeystoneStages) -> (KeystoneGrade, &'static str) {
    let (sk, li, gu) = (s.skin.get(), s.liver.get(), s.gut.get());
    if sk == 4 || li == 4 {
        (KeystoneGrade::IV, "skin 4 or liver 4 gives grade IV")
    } else if (2..=3).contains(&li) || gu >= 2 {
        (KeystoneGrade::III, "liver 2-3 or gut 2-4 gives grade III")
    } else if sk == 3 || li == 1 || gu == 1 {
        (KeystoneGrade::II, "skin 3, liver 1 or gut 1 gives grade II")
    } else if sk >= 1 {
        (
            KeystoneGrade::I,
            "skin 1-2 without liver or gut involvement gives grade I",
        )
    } else {
        (KeystoneGrade::Zero, "no organ involvement gives grade 0")
    }
}

/// The Keystone grade.
pub fn keystone_grade(s: &KeystoneStages) -> KeystoneGrade {
    keystone_rule(s).0
}

/// Result of a Keystone grading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KeystoneDay {
    /// Assessment date.
    pub date: Date,
    /// Stages (missing organs counted as 0 only when the grade is IV anyway).
    pub stages: KeystoneStages,
    /// Grade.
    pub grade: KeystoneGrade,
}

/// Explained Keystone grade from MAGIC organ statuses (see
/// [`super::magic::stage_day`] or the timeline).
pub fn explain_keystone(
    date: Date,
    st: &[OrganStatus; 4],
    upper_gi_histology: bool,
) -> Graded<KeystoneDay> {
    let ks = lower_bound_keystone_stages(st, upper_gi_histology);
    let (grade, rule) = keystone_rule(&ks);
    let a11 = Flag::new(
        "A-11",
        "Keystone bands use the MAGIC half-open convention (gut 1000 mL -> 2; liver 3.0 -> 1, 6.0 -> 2, 15.0 -> 3)",
    );
    let (evidence, flags) = organ_evidence(st, vec![a11], |c, flags| {
        if c.organ == Organ::LowerGi && c.basis == Basis::StoolEpisodes {
            flags.push(Flag::new(
                "KEYSTONE-EPISODES",
                "Keystone has no episode criterion; episodes converted at 200 mL (3 mL/kg) each",
            ));
        }
        if c.organ == Organ::LowerGi && c.basis == Basis::BloodyStool {
            flags.push(Flag::new("KEYSTONE-BLOODY", "grossly bloody stool kept as gut stage 4 (Keystone lists severe pain with or without ileus)"));
        }
        if c.organ == Organ::UpperGi && c.stage.get() >= 1 && !upper_gi_histology {
            flags.push(Flag::new(
                "KEYSTONE-UGI",
                "upper-GI symptoms without histologic evidence do not count in Keystone",
            ));
        }
    });
    let explanation = Explanation {
        rule: "Keystone acute GVHD grade",
        version: KEYSTONE_VERSION,
        citations: KEYSTONE_CITATIONS.to_vec(),
        reason: ks.reason(date, rule),
        evidence,
        flags,
    };
    let value = KeystoneDay {
        date,
        stages: ks,
        grade,
    };
    let upper = keystone_grade(&worst_case_stages(st, upper_gi_histology));
    determined_or_insufficient(value, explanation, st, upper == grade, "grade")
}

/// Evidence of the assessed organs and their flags, after `flags`; `extra`
/// adds a system's own flags after each organ's.
pub(crate) fn organ_evidence(
    st: &[OrganStatus; 4],
    mut flags: Vec<Flag>,
    mut extra: impl FnMut(&StageCall, &mut Vec<Flag>),
) -> (Vec<Evidence>, Vec<Flag>) {
    let mut evidence = Vec::new();
    for c in st.iter().flatten() {
        evidence.push(c.evidence());
        c.push_flags(&mut flags);
        extra(c, &mut flags);
    }
    (evidence, flags)
}

/// The organs not assessed on a day, in words (for `InsufficientData`).
fn missing_organs(st: &[OrganStatus; 4]) -> Vec<String> {
    st.iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().err().map(|m| m.text(Organ::ALL[i])))
        .collect()
}

/// Keystone stages with every organ not assessed at its maximum (skin,
/// liver and gut 4; upper GI 1): if the result is the same as with the
/// assessed organs only, the missing ones cannot change it.
pub fn worst_case_stages(st: &[OrganStatus; 4], upper_gi_histology: bool) -> KeystoneStages {
    from_organ_stages(&upper_bound_stages(st), upper_gi_histology)
}

/// Keystone stages with every organ not assessed at stage 0: a lower bound,
/// the grade of the assessed organs only.
pub fn lower_bound_keystone_stages(
    st: &[OrganStatus; 4],
    upper_gi_histology: bool,
) -> KeystoneStages {
    from_organ_stages(&lower_bound_stages(st), upper_gi_histology)
}

fn from_organ_stages(s: &OrganStages, upper_gi_histology: bool) -> KeystoneStages {
    keystone_stages(s.skin, s.liver, s.upper_gi, s.lower_gi, upper_gi_histology)
}

/// A value when nothing is missing or the missing organs cannot change it
/// (flagged `MISSING-DETERMINED`), otherwise `InsufficientData`.
pub(crate) fn determined_or_insufficient<T>(
    value: T,
    mut explanation: Explanation,
    st: &[OrganStatus; 4],
    same_at_worst_case: bool,
    what: &str,
) -> Graded<T> {
    let missing = missing_organs(st);
    if missing.is_empty() {
        return Graded::Value { value, explanation };
    }
    if same_at_worst_case {
        explanation.flags.push(Flag::new(
            "MISSING-DETERMINED",
            format!(
                "{what} determined whatever the organs not assessed show: {}",
                missing.join(", ")
            ),
        ));
        return Graded::Value { value, explanation };
    }
    Graded::InsufficientData {
        missing,
        explanation,
    }
}

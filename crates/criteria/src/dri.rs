//! Refined Disease Risk Index (Armand 2014), as data: a disease-risk table,
//! a stage-risk table and the combination matrix. AML and MDS cytogenetic
//! risk for the DRI uses its own counting (complex = ≥ 4 abnormalities,
//! every abnormality counted, M-8), separate from ELN 2022 (≥ 3, with
//! ELN's exclusions); the chromosome-7 rule for MDS is an option
//! (`DRI-MDS-7`, [`DriConfig`]).

use graftwatch_core::{Citation, Provenance};
use serde::{Deserialize, Serialize};

use crate::eln_risk::{Karyotype, RecurrentLesion};
use crate::explain::{Evidence, Explanation, Flag, Graded};

/// Refined DRI citation.
pub const DRI_CITATION: Citation = Citation {
    source: "Armand P et al. Blood 2014;123(23):3664-3671 (refined Disease Risk Index)",
    year: 2014,
    table: "Tables 1-2 (disease risk, stage risk, DRI assignment)",
    doi: Some("10.1182/blood-2014-01-552984"),
    provenance: Provenance::Recalled,
    note: "Disease and stage assignments [R]; complex karyotype >= 4 abnormalities follows the CIBMTR \
           transplant-specific AML cytogenetic scheme [V] (PMC3224672, re-read 2026-11-25: inv(16) \
           favorable, complex 4+ adverse, others intermediate); the link between the two is [R].",
};

/// Diseases (with cytogenetic risk where the DRI uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriDisease {
    /// AML, favorable cytogenetics (t(8;21), inv(16), t(15;17)).
    AmlFavorable,
    /// AML, intermediate cytogenetics.
    AmlIntermediate,
    /// AML, adverse cytogenetics (complex ≥ 4).
    AmlAdverse,
    /// MDS, intermediate cytogenetics.
    MdsIntermediate,
    /// MDS, adverse cytogenetics (complex ≥ 4).
    MdsAdverse,
    /// Chronic lymphocytic leukaemia.
    Cll,
    /// Chronic myeloid leukaemia.
    Cml,
    /// Indolent B-cell NHL.
    IndolentBNhl,
    /// Myeloproliferative neoplasm.
    Mpn,
    /// Multiple myeloma.
    MultipleMyeloma,
    /// Hodgkin lymphoma.
    Hodgkin,
    /// DLBCL or transformed indolent NHL.
    Dlbcl,
    /// Mantle-cell lymphoma.
    MantleCell,
    /// Nodal T-cell lymphoma.
    NodalTCell,
    /// Extranodal T-cell lymphoma.
    ExtranodalTCell,
    /// Acute lymphoblastic leukaemia.
    All,
}

/// Disease stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriStage {
    /// Complete remission (any number).
    Cr,
    /// Partial remission (any number).
    Pr,
    /// Untreated (including untreated MDS).
    Untreated,
    /// CML in chronic phase.
    CmlChronicPhase,
    /// Induction failure.
    InductionFailure,
    /// Active relapse.
    ActiveRelapse,
    /// CML accelerated or blast phase.
    CmlAdvancedPhase,
}

/// A low/intermediate/high tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Low.
    Low,
    /// Intermediate.
    Intermediate,
    /// High.
    High,
}

/// DRI group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriGroup {
    /// Low.
    Low,
    /// Intermediate.
    Intermediate,
    /// High.
    High,
    /// Very high.
    VeryHigh,
}

/// Disease-risk table.
pub const DISEASE_RISK: &[(DriDisease, Tier)] = &[
    (DriDisease::AmlFavorable, Tier::Low),
    (DriDisease::Cll, Tier::Low),
    (DriDisease::Cml, Tier::Low),
    (DriDisease::IndolentBNhl, Tier::Low),
    (DriDisease::AmlIntermediate, Tier::Intermediate),
    (DriDisease::MdsIntermediate, Tier::Intermediate),
    (DriDisease::Mpn, Tier::Intermediate),
    (DriDisease::MultipleMyeloma, Tier::Intermediate),
    (DriDisease::Hodgkin, Tier::Intermediate),
    (DriDisease::Dlbcl, Tier::Intermediate),
    (DriDisease::MantleCell, Tier::Intermediate),
    (DriDisease::NodalTCell, Tier::Intermediate),
    (DriDisease::All, Tier::Intermediate),
    (DriDisease::AmlAdverse, Tier::High),
    (DriDisease::MdsAdverse, Tier::High),
    (DriDisease::ExtranodalTCell, Tier::High),
];

/// Stage-risk table (low or high only).
pub const STAGE_RISK: &[(DriStage, Tier)] = &[
    (DriStage::Cr, Tier::Low),
    (DriStage::Pr, Tier::Low),
    (DriStage::Untreated, Tier::Low),
    (DriStage::CmlChronicPhase, Tier::Low),
    (DriStage::InductionFailure, Tier::High),
    (DriStage::ActiveRelapse, Tier::High),
    (DriStage::CmlAdvancedPhase, Tier::High),
];

/// Combination matrix: (disease tier, stage tier) → DRI.
pub const DRI_MATRIX: &[(Tier, Tier, DriGroup)] = &[
    (Tier::Low, Tier::Low, DriGroup::Low),
    (Tier::Low, Tier::High, DriGroup::Intermediate),
    (Tier::Intermediate, Tier::Low, DriGroup::Intermediate),
    (Tier::Intermediate, Tier::High, DriGroup::High),
    (Tier::High, Tier::Low, DriGroup::High),
    (Tier::High, Tier::High, DriGroup::VeryHigh),
];

fn lookup<K: PartialEq + Copy, V: Copy>(table: &[(K, V)], k: K) -> Option<V> {
    table.iter().find(|(a, _)| *a == k).map(|(_, v)| *v)
}

/// Minimum number of abnormalities for "complex" in the refined DRI (M-8).
pub const DRI_COMPLEX_MIN: usize = 4;

/// Refined DRI options (the ambiguities of its cytogenetic rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriConfig {
    /// `DRI-MDS-7`: count an MDS abnormality of chromosome 7 (−7, del(7q))
    /// as adverse, as the earlier DFCI transplant-specific MDS scheme did
    /// (Armand 2010). Default `false`: the refined DRI as recalled counts
    /// only a complex karyotype (≥ 4 abnormalities) as adverse \[R\].
    pub mds_chromosome7_adverse: bool,
}

/// Whether a karyotype is complex by the DRI's own count: at least 4
/// abnormalities, every abnormality counted, with none of ELN 2022's
/// exclusions (class-defining lesions, trisomy-only hyperdiploidy).
pub fn dri_complex(k: &Karyotype) -> bool {
    k.count() >= DRI_COMPLEX_MIN
}

/// AML cytogenetic tier for the DRI: favorable t(8;21), inv(16)/t(16;16),
/// t(15;17); adverse complex (≥ 4, DRI count); otherwise intermediate.
pub fn aml_dri_disease(k: &Karyotype) -> DriDisease {
    let fav = k.abnormalities.iter().any(|a| {
        matches!(
            a.lesion,
            Some(RecurrentLesion::T8_21 | RecurrentLesion::Inv16 | RecurrentLesion::T15_17)
        )
    });
    if fav {
        DriDisease::AmlFavorable
    } else if dri_complex(k) {
        DriDisease::AmlAdverse
    } else {
        DriDisease::AmlIntermediate
    }
}

/// True when the karyotype has an abnormality of chromosome 7.
pub fn has_chromosome7(k: &Karyotype) -> bool {
    k.abnormalities.iter().any(|a| {
        a.lesion == Some(RecurrentLesion::Minus7)
            || a.iscn
                .as_deref()
                .is_some_and(|t| t.contains("(7)") || t.contains("(7q") || t.trim() == "-7")
    })
}

/// MDS cytogenetic tier for the DRI: adverse complex (≥ 4, DRI count),
/// otherwise intermediate (reference default).
pub fn mds_dri_disease(k: &Karyotype) -> DriDisease {
    mds_dri_disease_with(k, &DriConfig::default())
}

/// MDS cytogenetic tier with the `DRI-MDS-7` option.
pub fn mds_dri_disease_with(k: &Karyotype, cfg: &DriConfig) -> DriDisease {
    if dri_complex(k) || (cfg.mds_chromosome7_adverse && has_chromosome7(k)) {
        DriDisease::MdsAdverse
    } else {
        DriDisease::MdsIntermediate
    }
}

impl DriDisease {
    /// The disease group in words.
    pub fn label(self) -> &'static str {
        match self {
            DriDisease::AmlFavorable => "AML, favorable cytogenetics",
            DriDisease::AmlIntermediate => "AML, intermediate cytogenetics",
            DriDisease::AmlAdverse => "AML, adverse cytogenetics",
            DriDisease::MdsIntermediate => "MDS, intermediate cytogenetics",
            DriDisease::MdsAdverse => "MDS, adverse cytogenetics",
            DriDisease::Cll => "CLL",
            DriDisease::Cml => "CML",
            DriDisease::IndolentBNhl => "indolent B-cell NHL",
            DriDisease::Mpn => "myeloproliferative neoplasm",
            DriDisease::MultipleMyeloma => "multiple myeloma",
            DriDisease::Hodgkin => "Hodgkin lymphoma",
            DriDisease::Dlbcl => "DLBCL / transformed indolent B-cell NHL",
            DriDisease::MantleCell => "mantle-cell lymphoma",
            DriDisease::NodalTCell => "T-cell lymphoma, nodal",
            DriDisease::ExtranodalTCell => "T-cell lymphoma, extranodal",
            DriDisease::All => "ALL",
        }
    }
}

impl DriStage {
    /// The stage in words.
    pub fn label(self) -> &'static str {
        match self {
            DriStage::Cr => "complete remission",
            DriStage::Pr => "partial remission",
            DriStage::Untreated => "untreated",
            DriStage::CmlChronicPhase => "CML chronic phase",
            DriStage::InductionFailure => "induction failure",
            DriStage::ActiveRelapse => "active relapse",
            DriStage::CmlAdvancedPhase => "CML accelerated or blast phase",
        }
    }
}

impl Tier {
    /// The tier in words.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Intermediate => "intermediate",
            Tier::High => "high",
        }
    }
}

impl DriGroup {
    /// The group in words.
    pub fn label(self) -> &'static str {
        match self {
            DriGroup::Low => "low",
            DriGroup::Intermediate => "intermediate",
            DriGroup::High => "high",
            DriGroup::VeryHigh => "very high",
        }
    }
}

/// Refined DRI result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dri {
    /// DRI group.
    pub group: DriGroup,
    /// Disease group used.
    pub disease: DriDisease,
    /// Stage used.
    pub stage: DriStage,
    /// Disease tier.
    pub disease_risk: Tier,
    /// Stage tier.
    pub stage_risk: Tier,
}

/// Refined DRI from disease and stage (pure table lookup).
pub fn refined_dri(disease: DriDisease, stage: DriStage) -> Graded<Dri> {
    let mut ex = Explanation {
        rule: "Refined Disease Risk Index",
        version: "Armand 2014 [R] (complex >= 4, M-8)",
        citations: vec![DRI_CITATION],
        reason: String::new(),
        evidence: vec![
            Evidence::finding(None, "disease", disease.label()),
            Evidence::finding(None, "stage at HCT", stage.label()),
        ],
        flags: Vec::new(),
    };
    if matches!(disease, DriDisease::AmlAdverse | DriDisease::MdsAdverse) {
        ex.flags.push(Flag::new(
            "M-8",
            "adverse cytogenetics = complex karyotype with ≥ 4 abnormalities (DRI counting)",
        ));
    }
    let cml_stage = matches!(
        stage,
        DriStage::CmlChronicPhase | DriStage::CmlAdvancedPhase
    );
    if cml_stage != (disease == DriDisease::Cml) {
        ex.reason = format!(
            "stage '{}' does not apply to {}",
            stage.label(),
            disease.label()
        );
        return Graded::NotApplicable {
            reason: ex.reason.clone(),
            explanation: ex,
        };
    }
    let (Some(d), Some(s)) = (lookup(DISEASE_RISK, disease), lookup(STAGE_RISK, stage)) else {
        ex.reason = "disease or stage missing from the DRI tables".into();
        return Graded::InsufficientData {
            missing: vec!["DRI table entry".into()],
            explanation: ex,
        };
    };
    let Some(group) = DRI_MATRIX
        .iter()
        .find(|(a, b, _)| *a == d && *b == s)
        .map(|x| x.2)
    else {
        ex.reason = "combination missing from the DRI matrix".into();
        return Graded::InsufficientData {
            missing: vec!["DRI matrix entry".into()],
            explanation: ex,
        };
    };
    ex.reason = format!(
        "disease risk {} ({}) + stage risk {} ({}): {} DRI",
        d.label(),
        disease.label(),
        s.label(),
        stage.label(),
        group.label()
    );
    Graded::Value {
        value: Dri {
            group,
            disease,
            stage,
            disease_risk: d,
            stage_risk: s,
        },
        explanation: ex,
    }
}

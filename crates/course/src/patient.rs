//! The patient and the donors.

use graftwatch_core::{Date, DonorId, PatientId};
use serde::{Deserialize, Serialize};

/// Sex as recorded for transplant risk scoring (donor→recipient sex match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Not known.
    Unknown,
}

/// The patient. Body weight history is kept as dated `weight` observations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Pseudonymous id.
    pub id: PatientId,
    /// Sex.
    pub sex: Sex,
    /// Year of birth (ages are computed from it).
    pub birth_year: i32,
    /// Height in cm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_cm: Option<f64>,
    /// The haematological diagnosis.
    pub diagnosis: Diagnosis,
    /// HCT-CI comorbidity items present before transplant (snake_case item
    /// codes, see docs/course-format.md), used by the risk scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comorbidities: Vec<String>,
    /// Laboratory upper limits of normal, for criteria expressed in × ULN.
    #[serde(default)]
    pub lab_reference: LabReference,
}

/// Upper limits of normal of the patient's laboratory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabReference {
    /// Total bilirubin ULN, mg/dL.
    pub bilirubin_uln_mg_dl: f64,
    /// ALT ULN, U/L.
    pub alt_uln: f64,
    /// AST ULN, U/L.
    pub ast_uln: f64,
    /// ALP ULN, U/L.
    pub alp_uln: f64,
}

impl Default for LabReference {
    fn default() -> Self {
        LabReference {
            bilirubin_uln_mg_dl: 1.2,
            alt_uln: 40.0,
            ast_uln: 40.0,
            alp_uln: 120.0,
        }
    }
}

/// Disease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disease {
    /// Acute myeloid leukaemia.
    Aml,
    /// Myelodysplastic neoplasm.
    Mds,
    /// Acute lymphoblastic leukaemia.
    All,
    /// Other.
    Other,
    /// Chronic myeloid leukaemia (phase from `cml_phase` observations).
    Cml,
    /// Chronic lymphocytic leukaemia (response from `lymphoma_response`).
    Cll,
    /// Hodgkin lymphoma.
    HodgkinLymphoma,
    /// Diffuse large B-cell lymphoma or transformed indolent B-cell lymphoma.
    Dlbcl,
    /// Indolent B-cell non-Hodgkin lymphoma (follicular, marginal zone, …).
    IndolentBNhl,
    /// Mantle-cell lymphoma.
    MantleCellLymphoma,
    /// T-cell lymphoma, nodal.
    TCellLymphomaNodal,
    /// T-cell lymphoma, extranodal.
    TCellLymphomaExtranodal,
}

impl Disease {
    /// The disease in clinical words (for reports and messages).
    pub fn label(self) -> &'static str {
        match self {
            Disease::Aml => "AML",
            Disease::Mds => "MDS",
            Disease::All => "ALL",
            Disease::Other => "other disease",
            Disease::Cml => "CML",
            Disease::Cll => "CLL",
            Disease::HodgkinLymphoma => "Hodgkin lymphoma",
            Disease::Dlbcl => "DLBCL",
            Disease::IndolentBNhl => "indolent B-cell NHL",
            Disease::MantleCellLymphoma => "mantle-cell lymphoma",
            Disease::TCellLymphomaNodal => "nodal T-cell lymphoma",
            Disease::TCellLymphomaExtranodal => "extranodal T-cell lymphoma",
        }
    }

    /// True for the lymphomas and CLL, whose status comes from
    /// `lymphoma_response` observations.
    pub fn is_lymphoid_response_disease(self) -> bool {
        matches!(
            self,
            Disease::Cll
                | Disease::HodgkinLymphoma
                | Disease::Dlbcl
                | Disease::IndolentBNhl
                | Disease::MantleCellLymphoma
                | Disease::TCellLymphomaNodal
                | Disease::TCellLymphomaExtranodal
        )
    }
}

/// Diagnosis with structured genetics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnosis {
    /// Disease.
    pub disease: Disease,
    /// Date of diagnosis.
    pub date: Date,
    /// Free-text description (WHO/ICC entity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Karyotype at diagnosis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub karyotype: Option<Karyotype>,
    /// Gene mutations at diagnosis.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mutations: Vec<Mutation>,
    /// The pretreatment MRD marker followed after treatment (e.g. `NPM1 type
    /// A`, `CBFB::MYH11`, `leukaemia-associated immunophenotype`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrd_marker: Option<String>,
}

/// A karyotype: the ISCN string and its abnormalities as structured data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Karyotype {
    /// ISCN text, e.g. `46,XY,t(9;11)(p21.3;q23.3)[20]`.
    pub iscn: String,
    /// Each abnormality (empty for a normal karyotype).
    #[serde(default)]
    pub abnormalities: Vec<Abnormality>,
}

/// Kind of a chromosomal abnormality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbnormalityKind {
    /// Balanced translocation.
    Translocation,
    /// Inversion.
    Inversion,
    /// Loss of a whole chromosome.
    Monosomy,
    /// Gain of a whole chromosome.
    Trisomy,
    /// Deletion (e.g. del(5q)).
    Deletion,
    /// Other structural abnormality (add, der, dup, i, …).
    OtherStructural,
}

/// One chromosomal abnormality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Abnormality {
    /// Kind.
    pub kind: AbnormalityKind,
    /// ISCN text of this abnormality, e.g. `t(9;11)(p21.3;q23.3)`, `-7`, `del(5q)`.
    pub iscn: String,
    /// Chromosome(s) involved, e.g. `7` or `9;11`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chromosome: Option<String>,
}

/// A gene mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// HGNC symbol, e.g. `FLT3`, `NPM1`, `TP53`.
    pub gene: String,
    /// Variant description, e.g. `ITD`, `TKD D835Y`, `bZIP in-frame`, `c.860_863dup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Variant allele frequency in percent. A recorded input, kept as the
    /// number entered; course validation checks 0–100 with file, line and
    /// field (docs/quantities.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vaf_percent: Option<f64>,
}

/// Donor relationship / type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DonorRelationship {
    /// HLA-identical sibling.
    MatchedSibling,
    /// Other matched related donor.
    MatchedRelated,
    /// Haploidentical related donor.
    Haploidentical,
    /// Matched unrelated donor.
    MatchedUnrelated,
    /// Mismatched unrelated donor.
    MismatchedUnrelated,
    /// Unrelated umbilical cord blood unit.
    UnrelatedCord,
    /// Autologous.
    Autologous,
    /// Syngeneic (identical) twin.
    Syngeneic,
}

/// A donor (a person or a cord blood unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Donor {
    /// Id, unique in the course.
    pub id: DonorId,
    /// Relationship to the recipient.
    pub relationship: DonorRelationship,
    /// Sex (for cord units, the infant's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Year of birth (adult donors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i32>,
    /// HLA match with the recipient, e.g. `5/10`, `6/8`, `4/6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hla_match: Option<String>,
    /// ABO/Rh, e.g. `A+`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abo: Option<String>,
}

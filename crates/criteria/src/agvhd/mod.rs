//! Acute GVHD: MAGIC organ staging from raw daily findings, the MAGIC grade
//! (top-down pattern rule), the Keystone/modified-Glucksberg grade and the
//! IBMTR Severity Index as alternates, and a daily timeline with onset,
//! maximum grade and onset category.
//!
//! * [`findings`]: raw inputs per organ, with GVHD attribution (A-8).
//! * [`stage`]: the `Stage` type and the compact `StageCall` record.
//! * [`magic`]: MAGIC staging functions and grade.
//! * [`keystone`], [`ibmtr`]: the older systems from the same stages.
//! * [`timeline`]: the dated series (A-5 stool rule, A-9 persistence,
//!   carry-forward, onset, maximum grade, A-12 category).
//!
//! Every ambiguity default is a field of [`GvhdConfig`], whose `Default`
//! is the project reference's default.
//!
//! ```
//! use graftwatch_criteria::agvhd::*;
//! let f: DayFindings = serde_json::from_str(r#"{
//!     "date": "2025-02-01", "weight_kg": 70,
//!     "skin": {"erythema_bsa_pct": 55}, "liver": {"bilirubin_mg_dl": 1.1},
//!     "upper_gi": {}, "lower_gi": {"stool_ml": 1600, "grossly_bloody": true}
//! }"#).unwrap();
//! let g = grade_day(&f, &GvhdConfig::default()).unwrap();
//! // skin 3 + lower GI 4 is grade IV (never "II" from a wrong cascade)
//! assert_eq!(g.value().unwrap().grade, MagicGrade::IV);
//! assert!(g.explanation().reason.contains("lower GI stage 4 on 2025-02-01"));
//! ```

pub mod bounds;
pub mod findings;
pub mod ibmtr;
pub mod keystone;
pub mod magic;
pub mod stage;
pub mod timeline;

use serde::{Deserialize, Serialize};

pub use findings::{
    Attribution, DayFindings, FindingError, LiverFinding, LowerGiFinding, SkinFinding,
    UpperGiFinding,
};
pub use ibmtr::{IbmtrIndex, explain_ibmtr, ibmtr_index};
pub use keystone::{
    KeystoneGrade, KeystoneStages, explain_keystone, keystone_grade, keystone_stages,
};
pub use magic::{MagicDay, MagicGrade, OrganStages, grade_day, magic_grade, stage_day};
pub use stage::{Organ, Stage, StageCall};
pub use timeline::{
    AgvhdSeries, AgvhdSummary, AgvhdTimeline, LateAcute, OnsetCategory, grade_timeline,
};

/// Lower-GI volume vs episode precedence (A-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoolPrecedence {
    /// Measured volume when available, otherwise episodes at 200 mL (3 mL/kg) each (default).
    #[default]
    MeasuredFirst,
    /// The higher of measured volume and the episode equivalent.
    MaxOfBoth,
}

/// Which daily stool value is staged (A-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoolAveraging {
    /// Until lower-GI onset: highest value of days d-2..d; afterwards the mean
    /// of the current and two previous days with data (default, MAGIC).
    #[default]
    OnsetMaxThenMean,
    /// Always the mean of the current and two previous days with data (COG).
    AlwaysMean,
}

/// What to do with a liver finding attributed to another cause (A-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OtherCausePolicy {
    /// Exclude it (MAGIC; default).
    #[default]
    Exclude,
    /// Stage it anyway (NCI PDQ/COG table does not modify liver staging).
    Stage,
}

/// Acute-GVHD configuration. `Default` = the reference defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GvhdConfig {
    /// A-2 volume vs episodes.
    pub stool_precedence: StoolPrecedence,
    /// A-5 onset maximum then 3-day mean, or always the mean.
    pub stool_averaging: StoolAveraging,
    /// A-3: below this weight (kg) child stool criteria apply (default 50).
    pub child_weight_cut_kg: f64,
    /// Count ileus without documented severe pain as lower-GI stage 4 (default true).
    pub ileus_alone_is_stage4: bool,
    /// A-8 for the liver: exclude (default) or stage other-cause hyperbilirubinemia.
    pub liver_other_cause: OtherCausePolicy,
    /// A-9: days of qualifying upper-GI symptoms needed for "persistent" (default 3).
    pub upper_gi_persistent_days: u32,
    /// Timeline: an organ stage is carried forward at most this many days
    /// after its assessment (default 7; engine decision, flagged `CARRY`).
    pub carry_forward_days: u32,
    /// A-12: onset after this post-transplant day is late-onset (default 100).
    pub late_onset_after_day: i32,
}

impl Default for GvhdConfig {
    fn default() -> Self {
        GvhdConfig {
            stool_precedence: StoolPrecedence::MeasuredFirst,
            stool_averaging: StoolAveraging::OnsetMaxThenMean,
            child_weight_cut_kg: 50.0,
            ileus_alone_is_stage4: true,
            liver_other_cause: OtherCausePolicy::Exclude,
            upper_gi_persistent_days: 3,
            carry_forward_days: 7,
            late_onset_after_day: 100,
        }
    }
}

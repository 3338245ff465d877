//! Raw daily acute-GVHD findings per organ, as a clinician or data manager
//! records them, before any staging.
//!
//! Each organ finding carries an [`Attribution`] (ambiguity A-8): MAGIC stages
//! only symptoms attributed to GVHD, so a finding explained by another cause
//! is excluded (with evidence saying so) and a multifactorial finding is
//! staged with a flag.

use graftwatch_core::{Analyte, Date, Unit, UnitError};
use serde::{Deserialize, Serialize};

use super::bounds::in_range;

/// Whether an organ abnormality is due to GVHD (A-8, NIH 2014 attribution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// Attributed to GVHD.
    #[default]
    Gvhd,
    /// Entirely explained by a documented non-GVHD cause (infection, drug,
    /// VOD/SOS, …): excluded from staging and scoring.
    OtherCause,
    /// GVHD plus another cause: staged/scored in full, with a flag.
    Multifactorial,
}

impl Attribution {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribution::Gvhd => "gvhd",
            Attribution::OtherCause => "other_cause",
            Attribution::Multifactorial => "multifactorial",
        }
    }
}

/// An invalid raw finding. Names the field, the bad value and what was
/// expected; the caller adds file and line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FindingError {
    /// A numeric field outside its valid range.
    #[error("{field} = {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Field name, e.g. `skin.erythema_bsa_pct`.
        field: &'static str,
        /// The value given.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// A unit that does not fit the field.
    #[error("{field}: {source}")]
    Unit {
        /// Field name.
        field: &'static str,
        /// The unit problem.
        source: UnitError,
    },
    /// Dates in a series are not strictly increasing.
    #[error(
        "findings on {date} come after {previous}; dates must be strictly increasing with one record per day"
    )]
    DateOrder {
        /// The offending date.
        date: Date,
        /// The date before it in the input.
        previous: Date,
    },
    /// A required text value is not one of the accepted spellings.
    #[error("{field} = '{given}' is not recognised; expected one of: {expected}")]
    Unrecognised {
        /// Field name.
        field: &'static str,
        /// The text given.
        given: String,
        /// Accepted values.
        expected: &'static str,
    },
}

fn check(
    field: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    expected: &'static str,
) -> Result<(), FindingError> {
    if in_range(value, lo, hi) {
        Ok(())
    } else {
        Err(FindingError::OutOfRange {
            field,
            value,
            expected,
        })
    }
}

/// Skin finding of one day. Only areas of active erythema, bullae and
/// desquamation are quantified (MAGIC guidance, Harris 2015 abstract).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SkinFinding {
    /// Body-surface area of active (erythematous) GVHD rash, % (0–100).
    /// Rounded half-up to an integer before banding (engine decision 8).
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    pub erythema_bsa_pct: f64,
    /// Bullous formation present.
    #[serde(default)]
    pub bullae: bool,
    /// Body-surface area with desquamation, % (0–100); stage 4 needs > 5%
    /// together with bullae and generalized erythroderma (> 50%).
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    #[serde(default)]
    pub desquamation_bsa_pct: f64,
    /// GVHD attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

impl SkinFinding {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), FindingError> {
        check(
            "skin.erythema_bsa_pct",
            self.erythema_bsa_pct,
            0.0,
            100.0,
            "a % of body-surface area between 0 and 100",
        )?;
        check(
            "skin.desquamation_bsa_pct",
            self.desquamation_bsa_pct,
            0.0,
            100.0,
            "a % of body-surface area between 0 and 100",
        )
    }
}

/// Liver finding of one day: total bilirubin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiverFinding {
    /// Total bilirubin in mg/dL (convert µmol/L with [`LiverFinding::from_unit`]).
    pub bilirubin_mg_dl: f64,
    /// GVHD attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

impl LiverFinding {
    /// Builds a finding from a bilirubin value in any accepted unit
    /// (mg/dL, µmol/L ÷ 17.1).
    pub fn from_unit(
        value: f64,
        unit: Unit,
        attribution: Attribution,
    ) -> Result<LiverFinding, FindingError> {
        let mg = Analyte::Bilirubin
            .to_canonical(value, unit)
            .map_err(|source| FindingError::Unit {
                field: "liver.bilirubin",
                source,
            })?;
        let f = LiverFinding {
            bilirubin_mg_dl: mg,
            attribution,
        };
        f.validate()?;
        Ok(f)
    }

    /// Checks the range (0–100 mg/dL).
    pub fn validate(&self) -> Result<(), FindingError> {
        check(
            "liver.bilirubin_mg_dl",
            self.bilirubin_mg_dl,
            0.0,
            100.0,
            "total bilirubin in mg/dL between 0 and 100",
        )
    }
}

/// Upper-GI finding of one day (A-9: "persistent" = at least 3 days of
/// nausea, anorexia with weight loss, or ≥ 2 vomiting episodes per day).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UpperGiFinding {
    /// Nausea present.
    #[serde(default)]
    pub nausea: bool,
    /// Anorexia with associated weight loss.
    #[serde(default)]
    pub anorexia_with_weight_loss: bool,
    /// Vomiting episodes this day.
    #[serde(default)]
    pub vomiting_episodes: u32,
    /// Clinician-stated duration of the symptoms in days, including this
    /// day, if known. The timeline also counts consecutive qualifying days
    /// and uses the larger of the two.
    #[serde(default)]
    pub symptom_days: Option<u32>,
    /// GVHD attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

impl UpperGiFinding {
    /// Whether this day's symptoms meet the consortium threshold (nausea,
    /// anorexia with weight loss, or ≥ 2 vomits).
    pub fn qualifying(&self) -> bool {
        self.nausea || self.anorexia_with_weight_loss || self.vomiting_episodes >= 2
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), FindingError> {
        if self.vomiting_episodes > 100 {
            return Err(FindingError::OutOfRange {
                field: "upper_gi.vomiting_episodes",
                value: f64::from(self.vomiting_episodes),
                expected: "a count of episodes per day between 0 and 100",
            });
        }
        Ok(())
    }
}

/// Lower-GI finding of one day. Volumes and episodes are of liquid stool
/// only: formed or mostly formed stools are excluded (MAGIC guidance).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LowerGiFinding {
    /// Measured liquid stool volume, mL per day.
    #[serde(default)]
    pub stool_ml: Option<f64>,
    /// Number of liquid stool episodes this day (counted as 200 mL each for
    /// adults, 3 mL/kg for children, A-2).
    #[serde(default)]
    pub episodes: Option<u32>,
    /// Grossly bloody stool (not flecks or streaks from non-GVHD bleeding).
    #[serde(default)]
    pub grossly_bloody: bool,
    /// Severe abdominal pain.
    #[serde(default)]
    pub severe_pain: bool,
    /// Ileus.
    #[serde(default)]
    pub ileus: bool,
    /// GVHD attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

impl LowerGiFinding {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), FindingError> {
        if let Some(ml) = self.stool_ml {
            check(
                "lower_gi.stool_ml",
                ml,
                0.0,
                20_000.0,
                "liquid stool volume in mL/day between 0 and 20000",
            )?;
        }
        if let Some(e) = self.episodes
            && e > 100
        {
            return Err(FindingError::OutOfRange {
                field: "lower_gi.episodes",
                value: f64::from(e),
                expected: "a count of liquid stool episodes per day between 0 and 100",
            });
        }
        Ok(())
    }

    /// True when a stage-4 feature (bloody stool, severe pain, ileus) is present.
    pub fn has_stage4_feature(&self) -> bool {
        self.grossly_bloody || self.severe_pain || self.ileus
    }
}

/// All acute-GVHD findings of one day. An organ left `None` was not assessed
/// that day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayFindings {
    /// Calendar date of the assessment.
    pub date: Date,
    /// Skin.
    #[serde(default)]
    pub skin: Option<SkinFinding>,
    /// Liver.
    #[serde(default)]
    pub liver: Option<LiverFinding>,
    /// Upper GI.
    #[serde(default)]
    pub upper_gi: Option<UpperGiFinding>,
    /// Lower GI.
    #[serde(default)]
    pub lower_gi: Option<LowerGiFinding>,
    /// Body weight that day, kg (chooses adult vs child stool criteria, A-3).
    #[serde(default)]
    pub weight_kg: Option<f64>,
}

impl DayFindings {
    /// An empty day (nothing assessed).
    pub fn new(date: Date) -> DayFindings {
        DayFindings {
            date,
            skin: None,
            liver: None,
            upper_gi: None,
            lower_gi: None,
            weight_kg: None,
        }
    }

    /// Validates every organ finding present.
    pub fn validate(&self) -> Result<(), FindingError> {
        if let Some(s) = &self.skin {
            s.validate()?;
        }
        if let Some(l) = &self.liver {
            l.validate()?;
        }
        if let Some(u) = &self.upper_gi {
            u.validate()?;
        }
        if let Some(g) = &self.lower_gi {
            g.validate()?;
        }
        if let Some(w) = self.weight_kg {
            check(
                "weight_kg",
                w,
                0.3,
                400.0,
                "body weight in kg between 0.3 and 400",
            )?;
        }
        Ok(())
    }
}

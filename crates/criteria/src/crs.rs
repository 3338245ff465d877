//! ASTCT consensus grading of cytokine release syndrome (Lee et al. 2019),
//! per day and over a course (clinical-criteria.md §3.1, T-1 … T-4).
//!
//! | parameter | grade 1 | grade 2 | grade 3 | grade 4 |
//! |---|---|---|---|---|
//! | fever ≥ 38.0 °C | yes | yes | yes | yes |
//! | hypotension | none | fluids only | one vasopressor ± vasopressin | ≥ 2 vasopressors excluding vasopressin |
//! | hypoxia | none | nasal cannula ≤ 6 L/min or blow-by | nasal cannula > 6 L/min, facemask, non-rebreather, Venturi | CPAP, BiPAP, mechanical ventilation |
//!
//! The grade is the more severe of hypotension and hypoxia (fever alone =
//! grade 1). Graded from oxygen **device/flow** and **pressor count**, never
//! from SpO2 or blood pressure (T-1). Once CRS has begun and tocilizumab,
//! steroids or antipyretics were given, fever is no longer required (T-4,
//! handled by [`grade_crs_course`]). Grade 5 = death from CRS (input flag).
//! Organ toxicities (CTCAE) do not change the grade.
//!
//! ```
//! use graftwatch_criteria::crs::*;
//! // ASTCT worked example: 39.5 degC, one vasopressor, low-flow oxygen -> grade 3
//! let (hyp, _) = Hypotension::from_drugs(true, &["norepinephrine"]).unwrap();
//! let day = CrsDay {
//!     max_temp_c: Some(39.5),
//!     hypotension: Some(hyp),
//!     oxygen: Some(Oxygen { device: O2Device::NasalCannula, flow_l_min: Some(2.0) }),
//!     ..CrsDay::new("2025-05-02".parse().unwrap())
//! };
//! assert_eq!(grade_crs_day(&day).unwrap().value().unwrap().grade, CrsGrade(3));
//! ```

use graftwatch_core::{Citation, Date, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::agvhd::bounds::{ge, gt, in_range};
use crate::explain::{CourseMax, CourseRule, explain_course_max};
use crate::{Evidence, Explanation, Flag, Graded};

/// Citation for ASTCT CRS grading.
pub const CRS_CITATIONS: [Citation; 1] = [Citation {
    source: "Lee DW et al. ASTCT Consensus Grading for Cytokine Release Syndrome and Neurologic Toxicity Associated with Immune Effector Cells. Biol Blood Marrow Transplant 2019;25(4):625-638",
    year: 2019,
    table: "CRS grading table and footnotes",
    doi: Some("10.1016/j.bbmt.2018.12.758"),
    provenance: Provenance::Secondary,
    note: "Table reproduced in PMC9327779 Table 2 [V]; footnote wording [R]. Low-flow nasal cannula ≤ 6 L/min (grade 2) vs high-flow > 6 L/min (grade 3) per the reproduction.",
}];

/// Rule version.
pub const CRS_VERSION: &str = "ASTCT 2019 (Lee et al.)";

/// Input error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsInputError {
    /// Numeric field out of range.
    #[error("{field} = {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Field.
        field: &'static str,
        /// Value.
        value: f64,
        /// Accepted.
        expected: &'static str,
    },
    /// Unknown vasopressor name.
    #[error(
        "vasopressor '{given}' is not recognised; expected one of: norepinephrine (noradrenaline), epinephrine (adrenaline), phenylephrine, dopamine, vasopressin, angiotensin II, metaraminol"
    )]
    UnknownVasopressor {
        /// The name given.
        given: String,
    },
    /// Unknown oxygen device.
    #[error(
        "oxygen device '{given}' is not recognised; expected one of: room_air, nasal_cannula, high_flow_nasal_cannula, blow_by, facemask, non_rebreather, venturi, cpap, bipap, mechanical_ventilation"
    )]
    UnknownDevice {
        /// The name given.
        given: String,
    },
    /// Dates not strictly increasing.
    #[error("CRS day {date} comes after {previous}; dates must be strictly increasing")]
    DateOrder {
        /// Offending date.
        date: Date,
        /// Previous.
        previous: Date,
    },
}

/// A vasopressor (T-1, T-3: vasopressin is not counted toward "multiple").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vasopressor {
    /// Norepinephrine / noradrenaline.
    Norepinephrine,
    /// Epinephrine / adrenaline.
    Epinephrine,
    /// Phenylephrine.
    Phenylephrine,
    /// Dopamine.
    Dopamine,
    /// Vasopressin (excluded from the count of multiple pressors).
    Vasopressin,
    /// Angiotensin II.
    AngiotensinII,
    /// Metaraminol.
    Metaraminol,
}

impl std::str::FromStr for Vasopressor {
    type Err = CrsInputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        Ok(match t.as_str() {
            "norepinephrine" | "noradrenaline" | "levophed" => Vasopressor::Norepinephrine,
            "epinephrine" | "adrenaline" => Vasopressor::Epinephrine,
            "phenylephrine" => Vasopressor::Phenylephrine,
            "dopamine" => Vasopressor::Dopamine,
            "vasopressin" | "argipressin" => Vasopressor::Vasopressin,
            "angiotensin ii" | "angiotensin 2" | "giapreza" => Vasopressor::AngiotensinII,
            "metaraminol" => Vasopressor::Metaraminol,
            _ => {
                return Err(CrsInputError::UnknownVasopressor {
                    given: s.to_string(),
                });
            }
        })
    }
}

/// Hypotension category (T-1). Never derived from blood pressure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hypotension {
    /// No hypotension.
    None,
    /// Hypotension not requiring vasopressors (fluids only): grade 2.
    FluidsOnly,
    /// One vasopressor, with or without vasopressin: grade 3.
    OneVasopressor,
    /// Two or more vasopressors excluding vasopressin: grade 4.
    MultipleVasopressors,
}

impl Hypotension {
    /// From a list of vasopressor names (T-3). With no pressor,
    /// `hypotension_present` chooses between none and fluids-only. Returns
    /// the category and the count of non-vasopressin pressors.
    pub fn from_drugs<S: AsRef<str>>(
        hypotension_present: bool,
        names: &[S],
    ) -> Result<(Hypotension, usize), CrsInputError> {
        let mut seen: Vec<Vasopressor> = Vec::with_capacity(names.len());
        for n in names {
            let v: Vasopressor = n.as_ref().parse()?;
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        let non_vp = seen
            .iter()
            .filter(|v| **v != Vasopressor::Vasopressin)
            .count();
        let cat = match (non_vp, seen.is_empty()) {
            (0, true) if hypotension_present => Hypotension::FluidsOnly,
            (0, true) => Hypotension::None,
            (0 | 1, false) => Hypotension::OneVasopressor,
            _ => Hypotension::MultipleVasopressors,
        };
        Ok((cat, non_vp))
    }

    /// Grade contribution.
    pub fn grade(self) -> u8 {
        match self {
            Hypotension::None => 0,
            Hypotension::FluidsOnly => 2,
            Hypotension::OneVasopressor => 3,
            Hypotension::MultipleVasopressors => 4,
        }
    }
}

/// Oxygen delivery device (T-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum O2Device {
    /// Room air.
    RoomAir,
    /// Nasal cannula (graded by flow: ≤ 6 L/min → 2, > 6 → 3).
    NasalCannula,
    /// High-flow nasal cannula (graded by flow when given, else grade 3).
    HighFlowNasalCannula,
    /// Blow-by oxygen: grade 2.
    BlowBy,
    /// Simple facemask: grade 3 whatever the flow.
    Facemask,
    /// Non-rebreather mask: grade 3.
    NonRebreather,
    /// Venturi mask: grade 3.
    Venturi,
    /// CPAP: grade 4.
    Cpap,
    /// BiPAP: grade 4.
    Bipap,
    /// Intubation and mechanical ventilation: grade 4.
    MechanicalVentilation,
}

impl std::str::FromStr for O2Device {
    type Err = CrsInputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Ok(match t.as_str() {
            "room_air" | "none" | "ra" => O2Device::RoomAir,
            "nasal_cannula" | "nc" | "low_flow_nasal_cannula" => O2Device::NasalCannula,
            "high_flow_nasal_cannula" | "hfnc" => O2Device::HighFlowNasalCannula,
            "blow_by" | "blowby" => O2Device::BlowBy,
            "facemask" | "face_mask" | "simple_facemask" => O2Device::Facemask,
            "non_rebreather" | "nrb" | "non_rebreather_mask" => O2Device::NonRebreather,
            "venturi" | "venturi_mask" => O2Device::Venturi,
            "cpap" => O2Device::Cpap,
            "bipap" | "bilevel" => O2Device::Bipap,
            "mechanical_ventilation" | "intubation" | "ventilator" => {
                O2Device::MechanicalVentilation
            }
            _ => {
                return Err(CrsInputError::UnknownDevice {
                    given: s.to_string(),
                });
            }
        })
    }
}

/// Oxygen support of the day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Oxygen {
    /// Device.
    pub device: O2Device,
    /// Flow, L/min (required for nasal cannula).
    #[serde(default)]
    pub flow_l_min: Option<f64>,
}

/// Low-flow limit for nasal cannula (T-2): ≤ 6 L/min is grade 2.
pub const NC_LOW_FLOW_MAX_L_MIN: f64 = 6.0;
/// Fever threshold, °C (≥).
pub const FEVER_C: f64 = 38.0;

impl Oxygen {
    /// The least the device can contribute: its grade, or 2 for a nasal
    /// cannula with no flow recorded (low flow, ≤ 6 L/min, gives 2; more, 3).
    pub fn grade_at_least(&self) -> u8 {
        self.grade().unwrap_or(2)
    }

    /// Grade contribution; `None` when a nasal cannula has no flow.
    pub fn grade(&self) -> Option<u8> {
        Some(match self.device {
            O2Device::RoomAir => 0,
            O2Device::NasalCannula => {
                if gt(self.flow_l_min?, NC_LOW_FLOW_MAX_L_MIN) {
                    3
                } else {
                    2
                }
            }
            O2Device::HighFlowNasalCannula => match self.flow_l_min {
                Some(f) if !gt(f, NC_LOW_FLOW_MAX_L_MIN) => 2,
                _ => 3,
            },
            O2Device::BlowBy => 2,
            O2Device::Facemask | O2Device::NonRebreather | O2Device::Venturi => 3,
            O2Device::Cpap | O2Device::Bipap | O2Device::MechanicalVentilation => 4,
        })
    }
}

/// One day of CRS observations. `None` = not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CrsDay {
    /// Date.
    pub date: Date,
    /// Maximum temperature of the day, °C (use [`celsius`] for °F).
    #[serde(default)]
    pub max_temp_c: Option<f64>,
    /// Fever attributed to another cause (e.g. documented infection).
    #[serde(default)]
    pub fever_other_cause: bool,
    /// Hypotension category (from drugs with [`Hypotension::from_drugs`]).
    #[serde(default)]
    pub hypotension: Option<Hypotension>,
    /// Hypotension attributed to another cause.
    #[serde(default)]
    pub hypotension_other_cause: bool,
    /// Oxygen support.
    #[serde(default)]
    pub oxygen: Option<Oxygen>,
    /// Hypoxia attributed to another cause.
    #[serde(default)]
    pub hypoxia_other_cause: bool,
    /// Tocilizumab, corticosteroids or antipyretics given this day (T-4).
    #[serde(default)]
    pub anticytokine_or_antipyretic: bool,
    /// Death from CRS with no other principal factor (grade 5).
    #[serde(default)]
    pub death_from_crs: bool,
}

/// Converts a temperature in °F or °C to °C.
pub fn celsius(value: f64, unit: Unit) -> Result<f64, CrsInputError> {
    let c = unit
        .convert_plain(value, Unit::Celsius, "temperature")
        .map_err(|_| CrsInputError::OutOfRange {
            field: "temperature unit",
            value,
            expected: "a temperature in °C or °F",
        })?;
    if in_range(c, 25.0, 45.0) {
        Ok(c)
    } else {
        Err(CrsInputError::OutOfRange {
            field: "max_temp",
            value,
            expected: "a body temperature between 25 and 45 °C",
        })
    }
}

impl CrsDay {
    /// An empty day.
    pub fn new(date: Date) -> CrsDay {
        CrsDay {
            date,
            max_temp_c: None,
            fever_other_cause: false,
            hypotension: None,
            hypotension_other_cause: false,
            oxygen: None,
            hypoxia_other_cause: false,
            anticytokine_or_antipyretic: false,
            death_from_crs: false,
        }
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), CrsInputError> {
        if let Some(t) = self.max_temp_c
            && !in_range(t, 25.0, 45.0)
        {
            return Err(CrsInputError::OutOfRange {
                field: "max_temp_c",
                value: t,
                expected: "a body temperature between 25 and 45 °C",
            });
        }
        if let Some(o) = &self.oxygen
            && let Some(f) = o.flow_l_min
            && !in_range(f, 0.0, 80.0)
        {
            return Err(CrsInputError::OutOfRange {
                field: "oxygen.flow_l_min",
                value: f,
                expected: "an oxygen flow between 0 and 80 L/min",
            });
        }
        Ok(())
    }
}

/// CRS grade 0–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CrsGrade(pub u8);

/// Configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrsConfig {
    /// T-4: after CRS onset and tocilizumab/steroids/antipyretics, grade
    /// without fever (default true).
    pub fever_waiver_after_treatment: bool,
}

impl Default for CrsConfig {
    fn default() -> Self {
        CrsConfig {
            fever_waiver_after_treatment: true,
        }
    }
}

/// Fast-path outcome of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrsFast {
    /// Graded.
    Grade(u8),
    /// Cannot grade: `signs` bit 0 = temperature, bit 1 = hypotension, bit
    /// 2 = oxygen (or nasal-cannula flow) missing; `at_least` is the grade
    /// the recorded signs already give (0 while fever is unknown and
    /// required).
    Missing {
        /// Missing signs (bits).
        signs: u8,
        /// Lower bound of the day's grade.
        at_least: u8,
    },
}

/// Grades a day (fast path). `fever_waived` = T-4 state (CRS began earlier
/// and anticytokine/antipyretic therapy was given).
pub fn crs_fast(d: &CrsDay, fever_waived: bool) -> CrsFast {
    if d.death_from_crs {
        return CrsFast::Grade(5);
    }
    let fever = d.max_temp_c.map(|t| ge(t, FEVER_C) && !d.fever_other_cause);
    if fever == Some(false) && !fever_waived {
        return CrsFast::Grade(0);
    }
    let hyp = if d.hypotension_other_cause {
        Some(0)
    } else {
        d.hypotension.map(Hypotension::grade)
    };
    let oxy = if d.hypoxia_other_cause {
        Some(0)
    } else {
        d.oxygen.and_then(|o| o.grade())
    };
    let organ = hyp.unwrap_or(0).max(oxy.unwrap_or(0));
    let fever_ok = fever == Some(true) || fever_waived;
    // Grade 4 from the recorded organ support cannot be raised by missing data.
    if organ == 4 && fever_ok {
        return CrsFast::Grade(4);
    }
    let mut miss = 0u8;
    // Temperature matters when fever is required, or when it would be the only sign.
    if fever.is_none() && (!fever_waived || (hyp.is_some() && oxy.is_some() && organ == 0)) {
        miss |= 1;
    }
    if hyp.is_none() {
        miss |= 2;
    }
    if oxy.is_none() {
        miss |= 4;
    }
    if miss != 0 {
        // With fever present (or waived) the day is CRS, and the recorded
        // organ support sets a floor: a nasal cannula of unknown flow is at
        // least low-flow (grade 2).
        let oxy_floor = match (&d.oxygen, d.hypoxia_other_cause) {
            (Some(o), false) => o.grade_at_least(),
            _ => 0,
        };
        let at_least = if fever_ok {
            u8::from(fever == Some(true))
                .max(hyp.unwrap_or(0))
                .max(oxy_floor)
        } else {
            0
        };
        return CrsFast::Missing {
            signs: miss,
            at_least,
        };
    }
    CrsFast::Grade(u8::from(fever == Some(true)).max(organ))
}

/// One graded day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CrsDayResult {
    /// Date.
    pub date: Date,
    /// Grade 0–5.
    pub grade: CrsGrade,
    /// Whether fever was waived (T-4) on this day.
    pub fever_waived: bool,
}

/// The explanation of a day graded by [`crs_fast`]: evidence for each sign
/// recorded, flags for each ambiguity default that applied, and the reason.
fn explain_day(d: &CrsDay, fever_waived: bool, fast: CrsFast) -> Graded<CrsDayResult> {
    let mut ev = Vec::with_capacity(3);
    let mut flags = vec![Flag::new(
        "T-1",
        "graded on vasopressor count and oxygen device/flow, never on SpO2 or blood pressure",
    )];
    push_temperature(d, &mut ev);
    push_hypotension(d, &mut ev, &mut flags);
    if let Some(o) = &d.oxygen {
        push_oxygen(d, o, &mut ev, &mut flags);
    }
    if fever_waived {
        flags.push(Flag::new("T-4", "CRS began earlier and tocilizumab/steroids/antipyretics were given: fever no longer required"));
    }
    if d.death_from_crs {
        ev.push(Evidence::finding(
            Some(d.date),
            "death_from_crs",
            "death from CRS -> grade 5",
        ));
    }
    let explanation = |reason: String, ev, flags| Explanation {
        rule: "ASTCT CRS grade",
        version: CRS_VERSION,
        citations: CRS_CITATIONS.to_vec(),
        reason,
        evidence: ev,
        flags,
    };
    match fast {
        CrsFast::Grade(g) => Graded::Value {
            value: CrsDayResult {
                date: d.date,
                grade: CrsGrade(g),
                fever_waived,
            },
            explanation: explanation(
                format!("{}: {}", d.date, grade_reason(d, g, fever_waived)),
                ev,
                flags,
            ),
        },
        CrsFast::Missing { signs, at_least } => Graded::InsufficientData {
            missing: missing_signs(signs),
            explanation: explanation(
                if at_least >= 1 {
                    format!(
                        "{}: CRS grade at least {at_least} from the recorded signs; cannot grade without the missing ones",
                        d.date
                    )
                } else {
                    format!("{}: cannot grade CRS", d.date)
                },
                ev,
                flags,
            ),
        },
    }
}

/// Evidence for the day's maximum temperature (fever at ≥ 38.0 °C unless
/// attributed to another cause).
fn push_temperature(d: &CrsDay, ev: &mut Vec<Evidence>) {
    let Some(t) = d.max_temp_c else { return };
    let note = if d.fever_other_cause {
        "fever attributed to another cause: not counted".to_string()
    } else if ge(t, FEVER_C) {
        "fever (≥ 38.0 degC)".to_string()
    } else {
        "no fever (< 38.0 degC)".to_string()
    };
    ev.push(Evidence::value(
        Some(d.date),
        "max_temperature",
        t,
        Some(Unit::Celsius),
        note,
    ));
}

/// Evidence for the day's hypotension category, with the T-3 flag when one
/// vasopressor was given.
fn push_hypotension(d: &CrsDay, ev: &mut Vec<Evidence>, flags: &mut Vec<Flag>) {
    let Some(h) = d.hypotension else { return };
    let note = if d.hypotension_other_cause {
        format!(
            "{}: attributed to another cause, not counted",
            crate::explain::words(&h)
        )
    } else {
        format!("{} -> grade {}", crate::explain::words(&h), h.grade())
    };
    ev.push(Evidence::finding(Some(d.date), "hypotension", note));
    if h == Hypotension::OneVasopressor {
        flags.push(Flag::new("T-3", "vasopressin is not counted toward multiple vasopressors; one pressor with or without vasopressin is grade 3"));
    }
}

/// Evidence for the day's oxygen support, with the T-2 flags for nasal
/// cannulas (graded by flow; high flow without a flow counts as > 6 L/min).
fn push_oxygen(d: &CrsDay, o: &Oxygen, ev: &mut Vec<Evidence>, flags: &mut Vec<Flag>) {
    let device = crate::explain::words(&o.device);
    let note = if d.hypoxia_other_cause {
        format!("{device}: hypoxia attributed to another cause, not counted")
    } else {
        match o.grade() {
            Some(g) => format!("{device} -> grade {g}"),
            None => format!("{device} without flow: cannot grade"),
        }
    };
    match o.flow_l_min {
        Some(f) => ev.push(Evidence::value(
            Some(d.date),
            "oxygen_flow",
            f,
            Some(Unit::LPerMin),
            note,
        )),
        None => ev.push(Evidence::finding(Some(d.date), "oxygen_device", note)),
    }
    if matches!(
        o.device,
        O2Device::NasalCannula | O2Device::HighFlowNasalCannula
    ) {
        flags.push(Flag::new(
            "T-2",
            "nasal cannula graded by flow: ≤ 6 L/min -> 2, > 6 L/min -> 3",
        ));
    }
    if matches!(o.device, O2Device::HighFlowNasalCannula) && o.flow_l_min.is_none() {
        flags.push(Flag::new(
            "T-2",
            "high-flow nasal cannula without a recorded flow graded as > 6 L/min (grade 3)",
        ));
    }
}

/// Why a day got grade `g` (`fever_waived`: T-4 in force), naming the
/// recorded sign(s) that give a grade of 2 or more.
fn grade_reason(d: &CrsDay, g: u8, fever_waived: bool) -> String {
    match g {
        5 => "death from CRS gives grade 5".to_string(),
        0 if !fever_waived => "no fever: no CRS".to_string(),
        0 => "no fever, hypotension or hypoxia: grade 0".to_string(),
        1 => "fever without hypotension or hypoxia gives grade 1".to_string(),
        g => match deciding_signs(d, g).as_slice() {
            [] => format!("more severe of hypotension and hypoxia gives grade {g}"),
            w => format!(
                "more severe of hypotension and hypoxia gives grade {g}: {}",
                w.join(" and ")
            ),
        },
    }
}

/// The recorded signs (not attributed to another cause) that give grade
/// `g`, in words ("hypotension needing one vasopressor", "oxygen by nasal
/// cannula at 2 L/min").
fn deciding_signs(d: &CrsDay, g: u8) -> Vec<String> {
    let mut v = Vec::new();
    if !d.hypotension_other_cause
        && let Some(h) = d.hypotension
        && h.grade() == g
    {
        v.push(match h {
            Hypotension::FluidsOnly => "hypotension needing fluids only".to_string(),
            h => format!("hypotension needing {}", crate::explain::words(&h)),
        });
    }
    if !d.hypoxia_other_cause
        && let Some(o) = d.oxygen
        && o.grade() == Some(g)
    {
        let dev = crate::explain::words(&o.device);
        v.push(match o.flow_l_min {
            Some(f) => format!("oxygen by {dev} at {f} L/min"),
            None => format!("oxygen by {dev}"),
        });
    }
    v
}

/// The signs named by the bits of [`CrsFast::Missing`]'s `signs`, in words.
fn missing_signs(m: u8) -> Vec<String> {
    let mut missing = Vec::new();
    if m & 1 != 0 {
        missing.push("maximum temperature of the day".to_string());
    }
    if m & 2 != 0 {
        missing.push("hypotension / vasopressor category".to_string());
    }
    if m & 4 != 0 {
        missing.push("oxygen device (and flow for nasal cannula)".to_string());
    }
    missing
}

/// Grades a single day with no course history (fever required).
pub fn grade_crs_day(d: &CrsDay) -> Result<Graded<CrsDayResult>, CrsInputError> {
    d.validate()?;
    Ok(explain_day(d, false, crs_fast(d, false)))
}

/// Course summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CrsSummary {
    /// First day with grade ≥ 1.
    pub onset: Option<Date>,
    /// Maximum grade.
    pub max_grade: CrsGrade,
    /// First date of the maximum grade.
    pub max_grade_date: Option<Date>,
    /// Date the T-4 fever waiver began, if any.
    pub fever_waiver_from: Option<Date>,
    /// True when the maximum is reached only as a lower bound: on a day a
    /// sign was not recorded and the recorded ones already gave that grade
    /// ("at least"), and no fully graded day reached it.
    pub max_is_lower_bound: bool,
}

/// A graded CRS course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrsCourse {
    /// One result per input day.
    pub days: Vec<Graded<CrsDayResult>>,
    /// Summary.
    pub summary: CrsSummary,
}

/// Runs the course without explanations: grades per day (`None` when not
/// gradable) and the T-4 state. Days must be strictly increasing.
pub fn crs_course_fast(
    days: &[CrsDay],
    cfg: &CrsConfig,
    out: &mut Vec<(CrsFast, bool)>,
) -> Result<(), CrsInputError> {
    let mut onset = false;
    let mut waived = false;
    let mut prev: Option<Date> = None;
    for d in days {
        if let Some(p) = prev
            && d.date <= p
        {
            return Err(CrsInputError::DateOrder {
                date: d.date,
                previous: p,
            });
        }
        prev = Some(d.date);
        d.validate()?;
        // treatment given on a day after onset waives fever from that day on
        if onset && d.anticytokine_or_antipyretic && cfg.fever_waiver_after_treatment {
            waived = true;
        }
        let g = crs_fast(d, waived);
        out.push((g, waived));
        if matches!(g, CrsFast::Grade(x) | CrsFast::Missing { at_least: x, .. } if x >= 1) {
            onset = true;
            if d.anticytokine_or_antipyretic && cfg.fever_waiver_after_treatment {
                waived = true;
            }
        }
    }
    Ok(())
}

/// Grades a CRS course day by day, carrying the T-4 state.
pub fn grade_crs_course(days: &[CrsDay], cfg: &CrsConfig) -> Result<CrsCourse, CrsInputError> {
    let mut fast = Vec::with_capacity(days.len());
    crs_course_fast(days, cfg, &mut fast)?;
    let mut summary = CrsSummary {
        onset: None,
        max_grade: CrsGrade(0),
        max_grade_date: None,
        fever_waiver_from: None,
        max_is_lower_bound: false,
    };
    let mut out = Vec::with_capacity(days.len());
    for (d, (g, w)) in days.iter().zip(&fast) {
        if *w && summary.fever_waiver_from.is_none() {
            summary.fever_waiver_from = Some(d.date);
        }
        // A lower bound counts as reached; the maximum stays a lower bound
        // only until a fully graded day reaches it.
        let (x, lower_bound) = match g {
            CrsFast::Grade(x) => (*x, false),
            CrsFast::Missing { at_least, .. } => (*at_least, true),
        };
        if x >= 1 && summary.onset.is_none() {
            summary.onset = Some(d.date);
        }
        if x > summary.max_grade.0 {
            summary.max_grade = CrsGrade(x);
            summary.max_grade_date = Some(d.date);
            summary.max_is_lower_bound = lower_bound;
        } else if x == summary.max_grade.0 && !lower_bound {
            summary.max_is_lower_bound = false;
        }
        out.push(explain_day(d, *w, *g));
    }
    Ok(CrsCourse { days: out, summary })
}

impl CrsCourse {
    /// The course summary as a `Graded` result: the maximum grade with the
    /// evidence of the day that reached it, the onset, the T-4 waiver and how
    /// many days could not be graded. `InsufficientData` when no day could be
    /// graded.
    pub fn explained_summary(&self) -> Graded<CrsSummary> {
        let s = self.summary;
        let mut flags = Vec::new();
        if let Some(w) = s.fever_waiver_from {
            flags.push(Flag::new("T-4", format!("fever not required from {w} (tocilizumab/steroids/antipyretics after CRS onset)")));
        }
        let max = CourseMax {
            grade: s.max_grade.0,
            date: s.max_grade_date,
            onset: s.onset,
            lower_bound: s.max_is_lower_bound,
        };
        explain_course_max(&CRS_COURSE, &self.days, |v| v.date, max, flags, s)
    }
}

/// The CRS course summary rule.
const CRS_COURSE: CourseRule = CourseRule {
    name: "CRS",
    rule: "ASTCT CRS course",
    version: CRS_VERSION,
    citations: &CRS_CITATIONS,
    onset: "crs_onset",
    missing: "at least one CRS day with temperature, hypotension and oxygen recorded",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_zero_reason_depends_on_the_fever_waiver() {
        let d = CrsDay::new("2025-05-01".parse().unwrap());
        assert_eq!(grade_reason(&d, 0, false), "no fever: no CRS");
        assert_eq!(
            grade_reason(&d, 0, true),
            "no fever, hypotension or hypoxia: grade 0"
        );
        assert!(grade_reason(&d, 1, false).contains("grade 1"));
        assert!(grade_reason(&d, 2, true).contains("more severe"));
        assert!(grade_reason(&d, 5, false).contains("death"));
    }

    #[test]
    fn the_reason_names_the_signs_that_give_the_grade() {
        let d = CrsDay {
            max_temp_c: Some(39.5),
            hypotension: Some(Hypotension::OneVasopressor),
            oxygen: Some(Oxygen {
                device: O2Device::NasalCannula,
                flow_l_min: Some(2.0),
            }),
            ..CrsDay::new("2025-05-01".parse().unwrap())
        };
        let r = grade_reason(&d, 3, false);
        assert!(
            r.ends_with("grade 3: hypotension needing one vasopressor"),
            "{r}"
        );
        let r = grade_reason(&d, 2, false);
        assert!(r.ends_with("oxygen by nasal cannula at 2 L/min"), "{r}");
        // Both signs at the grade: both named.
        let d = CrsDay {
            oxygen: Some(Oxygen {
                device: O2Device::Facemask,
                flow_l_min: None,
            }),
            ..d
        };
        let r = grade_reason(&d, 3, false);
        assert!(
            r.ends_with("hypotension needing one vasopressor and oxygen by facemask"),
            "{r}"
        );
        // A sign attributed to another cause is not named.
        let d = CrsDay {
            hypotension_other_cause: true,
            ..d
        };
        assert!(!grade_reason(&d, 3, false).contains("hypotension needing"));
    }

    #[test]
    fn missing_bits_name_each_sign() {
        assert!(missing_signs(0).is_empty());
        assert_eq!(missing_signs(1), vec!["maximum temperature of the day"]);
        assert_eq!(missing_signs(6).len(), 2);
        assert_eq!(missing_signs(7).len(), 3);
    }
}

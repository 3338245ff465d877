//! Dated events: therapies, infusions, supportive care, complications.

use graftwatch_core::{CellsPerKg, Date, DonorId, TimeOfDay};
use serde::{Deserialize, Serialize};

/// A dated event. `end_date` closes events with a duration (drugs, oxygen,
/// ICU stays, infections); an open-ended one has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Optional id (unique when given), e.g. `dli-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Start date.
    pub date: Date,
    /// Start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeOfDay>,
    /// Last day (inclusive) for events with a duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub detail: EventDetail,
}

impl Event {
    /// True if the event covers `date` (start ≤ date ≤ end; a single-day
    /// event without end covers only its date; open-ended duration events
    /// (drugs, oxygen, ICU) without end cover every later day).
    pub fn covers(&self, date: Date) -> bool {
        if date < self.date {
            return false;
        }
        match self.end_date {
            Some(end) => date <= end,
            None => date == self.date || self.detail.has_duration(),
        }
    }
}

/// A drug with its dose, e.g. fludarabine 30 mg/m²/day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentDose {
    /// Agent name.
    pub name: String,
    /// Dose (per administration or total; say which in `unit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<f64>,
    /// Unit text, e.g. `mg/m2/d x3`, `Gy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Conditioning intensity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditioningIntensity {
    /// Myeloablative.
    Myeloablative,
    /// Reduced intensity.
    ReducedIntensity,
    /// Non-myeloablative.
    NonMyeloablative,
}

/// Graft source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraftSource {
    /// Umbilical cord blood unit.
    Ucb,
    /// Peripheral blood stem cells.
    Pbsc,
    /// Bone marrow.
    BoneMarrow,
}

impl GraftSource {
    /// `UCB`, `PBSC`, `BM`.
    pub fn label(self) -> &'static str {
        match self {
            GraftSource::Ucb => "UCB",
            GraftSource::Pbsc => "PBSC",
            GraftSource::BoneMarrow => "BM",
        }
    }
}

/// DLI intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DliIntent {
    /// Prophylactic (high-risk disease, no trigger).
    Prophylactic,
    /// Pre-emptive (mixed chimerism or MRD).
    Preemptive,
    /// Therapeutic (haematological relapse).
    Therapeutic,
}

/// Transfused product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransfusionProduct {
    /// Platelets.
    Platelets,
    /// Red blood cells.
    Rbc,
    /// Plasma.
    Plasma,
    /// Granulocytes.
    Granulocytes,
}

/// Drug class, used by the rules (CRS fever rule, immunosuppression state,
/// vasopressor count, G-CSF exposure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrugClass {
    /// Calcineurin inhibitors, MMF, sirolimus, ruxolitinib, PTCy, ATG…
    Immunosuppressant,
    /// Systemic corticosteroids.
    Steroid,
    /// G-CSF / GM-CSF.
    GCsf,
    /// Tocilizumab, siltuximab, anakinra.
    Anticytokine,
    /// Vasopressors (norepinephrine, epinephrine, dopamine, phenylephrine, vasopressin).
    Vasopressor,
    /// Antibacterial, antifungal, antiviral.
    Antimicrobial,
    /// Hypomethylating agents, targeted agents, maintenance.
    AntiLeukemic,
    /// Anything else.
    Other,
}

/// Oxygen delivery device (ASTCT CRS grades by device and flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OxygenDevice {
    /// Low-flow nasal cannula (graded by flow).
    NasalCannula,
    /// Blow-by.
    BlowBy,
    /// High-flow nasal cannula.
    HighFlowNasalCannula,
    /// Simple facemask.
    Facemask,
    /// Non-rebreather mask.
    NonRebreather,
    /// Venturi mask.
    Venturi,
    /// CPAP.
    Cpap,
    /// BiPAP.
    Bipap,
    /// Invasive mechanical ventilation.
    MechanicalVentilation,
}

/// Biopsy result categories (MAGIC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BiopsyResult {
    /// Positive for GVHD.
    Positive,
    /// Equivocal.
    Equivocal,
    /// Non-diagnostic.
    NonDiagnostic,
    /// Another aetiology.
    NonGvhd,
}

/// What happened, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventDetail {
    /// A line of chemotherapy.
    Chemotherapy {
        /// Regimen, e.g. `DA 3+7`.
        regimen: String,
        /// Line number (1 = first line).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
        /// Intent, e.g. `induction`, `consolidation`, `salvage`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        intent: Option<String>,
    },
    /// Lymphodepletion before CAR-T.
    Lymphodepletion {
        /// Regimen, e.g. `Flu/Cy`.
        regimen: String,
        /// Agents and doses.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        agents: Vec<AgentDose>,
    },
    /// CAR-T cell infusion (an anchor: day 0 of CAR-T).
    CarTInfusion {
        /// Target antigen, e.g. `CLL1`.
        target: String,
        /// Product name.
        product: String,
        /// CAR+ cells per kg.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dose_per_kg: Option<CellsPerKg>,
    },
    /// Conditioning regimen before transplant.
    Conditioning {
        /// Regimen name.
        regimen: String,
        /// Intensity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        intensity: Option<ConditioningIntensity>,
        /// Agents and doses.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        agents: Vec<AgentDose>,
    },
    /// A graft infusion; several per transplant (e.g. UCB + PBSC on day 0).
    GraftInfusion {
        /// Transplant number (1 = first allo-HCT).
        #[serde(default = "one")]
        transplant: u32,
        /// Graft source.
        source: GraftSource,
        /// Donor id (must be in `donors`).
        donor: DonorId,
        /// Total nucleated cells per kg.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tnc_per_kg: Option<CellsPerKg>,
        /// CD34+ cells per kg.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cd34_per_kg: Option<CellsPerKg>,
        /// CD3+ cells per kg.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cd3_per_kg: Option<CellsPerKg>,
    },
    /// Donor lymphocyte infusion (an anchor).
    Dli {
        /// Donor id.
        donor: DonorId,
        /// CD3+ cells per kg recipient weight.
        cd3_per_kg: CellsPerKg,
        /// Intent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        intent: Option<DliIntent>,
    },
    /// A transfusion.
    Transfusion {
        /// Product.
        product: TransfusionProduct,
        /// Units given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        units: Option<u32>,
    },
    /// A drug course with start (`date`) and optional stop (`end_date`).
    Drug {
        /// Drug name, e.g. `tacrolimus`, `norepinephrine`.
        name: String,
        /// Class.
        class: DrugClass,
        /// Dose.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dose: Option<f64>,
        /// Dose unit text, e.g. `mg/kg/d`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dose_unit: Option<String>,
    },
    /// Oxygen support.
    OxygenSupport {
        /// Device.
        device: OxygenDevice,
        /// Flow in L/min.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flow_l_min: Option<f64>,
    },
    /// ICU stay.
    IcuStay {
        /// Reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An infection episode (e.g. septic shock).
    Infection {
        /// Syndrome, e.g. `septic shock`, `pneumonia`.
        syndrome: String,
        /// Organism if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        organism: Option<String>,
    },
    /// A biopsy.
    Biopsy {
        /// Site/organ, e.g. `skin`, `colon`.
        site: String,
        /// Result category.
        result: BiopsyResult,
    },
    /// Death.
    Death {
        /// Cause.
        cause: String,
    },
}

fn one() -> u32 {
    1
}

impl EventDetail {
    /// The `kind` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            EventDetail::Chemotherapy { .. } => "chemotherapy",
            EventDetail::Lymphodepletion { .. } => "lymphodepletion",
            EventDetail::CarTInfusion { .. } => "car_t_infusion",
            EventDetail::Conditioning { .. } => "conditioning",
            EventDetail::GraftInfusion { .. } => "graft_infusion",
            EventDetail::Dli { .. } => "dli",
            EventDetail::Transfusion { .. } => "transfusion",
            EventDetail::Drug { .. } => "drug",
            EventDetail::OxygenSupport { .. } => "oxygen_support",
            EventDetail::IcuStay { .. } => "icu_stay",
            EventDetail::Infection { .. } => "infection",
            EventDetail::Biopsy { .. } => "biopsy",
            EventDetail::Death { .. } => "death",
        }
    }

    /// Every event kind tag.
    pub const KINDS: [&'static str; 13] = [
        "chemotherapy",
        "lymphodepletion",
        "car_t_infusion",
        "conditioning",
        "graft_infusion",
        "dli",
        "transfusion",
        "drug",
        "oxygen_support",
        "icu_stay",
        "infection",
        "biopsy",
        "death",
    ];

    /// Events that last until an end date (open-ended when none).
    pub fn has_duration(&self) -> bool {
        matches!(
            self,
            EventDetail::Drug { .. }
                | EventDetail::OxygenSupport { .. }
                | EventDetail::IcuStay { .. }
                | EventDetail::Infection { .. }
        )
    }
}

//! Dated observations: one measured or assessed value each.
//!
//! Every observation is a `kind` with a `value` (number, yes/no or category)
//! and, for numbers, a `unit`. Readers convert numbers to the kind's
//! canonical unit, so the model always holds canonical values; see
//! [`ObservationKind::spec`] for each kind's value type, canonical unit,
//! accepted units and range.

use std::fmt;

use graftwatch_core::{Analyte, Date, Lineage, Percent, PersonRef, TimeOfDay, Unit};
use serde::{Deserialize, Serialize};

/// Whether a finding is attributed to GVHD (MAGIC stages only GVHD-attributed
/// findings; NIH 2014 excludes organs explained entirely by another cause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// Attributed to GVHD.
    Gvhd,
    /// Entirely explained by another documented cause (infection, drug, VOD/SOS…).
    Other,
    /// GVHD plus other causes.
    Multifactorial,
}

/// Assay method of a chimerism or MRD result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChimerismMethod {
    /// STR fragment analysis (capillary electrophoresis).
    Str,
    /// NGS at SNP/indel markers.
    Ngs,
    /// Real-time quantitative PCR.
    Qpcr,
    /// Digital PCR.
    Dpcr,
    /// Sex-chromosome FISH.
    Fish,
    /// Multiparameter flow cytometry (MRD).
    Flow,
}

/// The value of an observation.
///
/// Written untagged (a JSON number, boolean or string); read by a visitor
/// that takes the scalar as it comes, with the untagged enum's message for
/// anything else (the JSON reader reports null, arrays and objects itself,
/// before this).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ObsValue {
    /// A number (in the kind's canonical unit once read).
    Number(f64),
    /// Yes / no.
    Bool(bool),
    /// A category name.
    Category(String),
}

impl ObsValue {
    /// The number, if numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ObsValue::Number(v) => Some(*v),
            _ => None,
        }
    }
    /// The flag, if yes/no.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ObsValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The category, if categorical.
    pub fn as_category(&self) -> Option<&str> {
        match self {
            ObsValue::Category(c) => Some(c),
            _ => None,
        }
    }
}

/// What a value that is not a number, boolean or string gets: the message
/// of the untagged enum this visitor replaces.
const NOT_A_VALUE: &str = "data did not match any variant of untagged enum ObsValue";

struct ObsValueVisitor;

impl<'de> serde::de::Visitor<'de> for ObsValueVisitor {
    type Value = ObsValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, true/false or a category name")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ObsValue, E> {
        Ok(ObsValue::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ObsValue, E> {
        Ok(ObsValue::Number(v as f64))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ObsValue, E> {
        Ok(ObsValue::Number(v as f64))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ObsValue, E> {
        Ok(ObsValue::Number(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ObsValue, E> {
        Ok(ObsValue::Category(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ObsValue, E> {
        Ok(ObsValue::Category(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<ObsValue, E> {
        Err(E::custom(NOT_A_VALUE))
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<ObsValue, E> {
        Err(E::custom(NOT_A_VALUE))
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, _: D) -> Result<ObsValue, D::Error> {
        Err(serde::de::Error::custom(NOT_A_VALUE))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<ObsValue, A::Error> {
        Err(serde::de::Error::custom(NOT_A_VALUE))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<ObsValue, A::Error> {
        Err(serde::de::Error::custom(NOT_A_VALUE))
    }
}

impl<'de> Deserialize<'de> for ObsValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObsValueVisitor)
    }
}

impl fmt::Display for ObsValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObsValue::Number(v) => write!(f, "{v}"),
            ObsValue::Bool(b) => write!(f, "{}", if *b { "yes" } else { "no" }),
            ObsValue::Category(c) => f.write_str(c),
        }
    }
}

/// What a kind's value must look like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueSpec {
    /// A number in `canonical` (any of `accepted` on input) within `min..=max`;
    /// above `warn_above` it is implausible (a warning).
    Number {
        /// Canonical unit.
        canonical: Unit,
        /// Accepted input units (canonical first).
        accepted: &'static [Unit],
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Implausible above this (warning only).
        warn_above: f64,
    },
    /// An integer score `min..=max` (unit `1`).
    Score {
        /// Smallest.
        min: u32,
        /// Largest.
        max: u32,
    },
    /// Yes/no.
    Bool,
    /// One of these category names.
    Category(&'static [&'static str]),
}

macro_rules! kinds {
    ($( $(#[$doc:meta])* $v:ident => $name:literal, $label:literal ),* $(,)?) => {
        /// The kind of an observation. Laboratory analytes are `Lab(..)`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ObservationKind {
            /// A laboratory analyte (anc, platelets, bilirubin, …).
            Lab(Analyte),
            $( $(#[$doc])* $v ),*
        }

        /// The non-lab kinds numbered in declaration order (for
        /// [`ObservationKind::dense_index`]).
        #[allow(dead_code)]
        enum OtherNo {
            $( $v ),*
        }

        impl ObservationKind {
            /// Every non-lab kind.
            const OTHER: &'static [ObservationKind] = &[$(ObservationKind::$v),*];

            /// A number from 0 for every kind, labs first (the position in
            /// [`ObservationKind::all`]): per-kind tables are indexed by it.
            pub(crate) fn dense_index(self) -> usize {
                match self {
                    ObservationKind::Lab(a) => a as usize,
                    $(ObservationKind::$v => Analyte::ALL.len() + OtherNo::$v as usize),*
                }
            }

            /// The snake_case name used in files.
            pub fn as_str(self) -> &'static str {
                match self {
                    ObservationKind::Lab(a) => a.as_str(),
                    $(ObservationKind::$v => $name),*
                }
            }

            /// The clinical label used in every explanation and reason
            /// (`stool volume`, `rash body surface area`, `ANC`): the one
            /// table of words for the kinds.
            pub fn label(self) -> &'static str {
                match self {
                    ObservationKind::Lab(a) => lab_label(a),
                    $(ObservationKind::$v => $label),*
                }
            }
        }
    };
}

/// Clinical labels of the laboratory kinds.
fn lab_label(a: Analyte) -> &'static str {
    match a {
        Analyte::Anc => "ANC",
        Analyte::Wbc => "white cell count",
        Analyte::Alc => "lymphocyte count",
        Analyte::Monocytes => "monocyte count",
        Analyte::Platelets => "platelets",
        Analyte::Hemoglobin => "haemoglobin",
        Analyte::PbBlasts => "blood blasts",
        Analyte::Bilirubin => "bilirubin",
        Analyte::Alt => "ALT",
        Analyte::Ast => "AST",
        Analyte::Alp => "alkaline phosphatase",
        Analyte::Ldh => "LDH",
        Analyte::Creatinine => "creatinine",
        Analyte::Crp => "CRP",
        Analyte::Ferritin => "ferritin",
        Analyte::Albumin => "albumin",
    }
}

/// The clinical label of a kind given by its file name (`stool_volume` →
/// `stool volume`); `None` for a name that is not a kind.
pub fn kind_label(name: &str) -> Option<&'static str> {
    ObservationKind::parse(name).map(ObservationKind::label)
}

kinds! {
    /// Body temperature (°C; °F accepted).
    Temperature => "temperature", "body temperature",
    /// Systolic blood pressure.
    SystolicBp => "systolic_bp", "systolic blood pressure",
    /// Diastolic blood pressure.
    DiastolicBp => "diastolic_bp", "diastolic blood pressure",
    /// Oxygen saturation (recorded; CRS is not graded on it).
    Spo2 => "spo2", "oxygen saturation",
    /// Body weight (the weight history).
    Weight => "weight", "body weight",
    /// aGVHD skin: maculopapular rash, % body surface area of active erythema.
    SkinRashBsa => "skin_rash_bsa", "rash body surface area",
    /// aGVHD skin: generalised erythroderma.
    SkinErythroderma => "skin_erythroderma", "generalised erythroderma",
    /// aGVHD skin: bullous formation.
    SkinBullae => "skin_bullae", "bullae",
    /// aGVHD skin: desquamation, % BSA.
    SkinDesquamationBsa => "skin_desquamation_bsa", "desquamation body surface area",
    /// aGVHD upper GI: persistent nausea/vomiting/anorexia (MAGIC threshold met).
    UpperGiPersistent => "upper_gi_persistent", "persistent nausea, vomiting or anorexia",
    /// aGVHD upper GI, daily: nausea present that day (the engine applies
    /// the ≥ 3-day persistence rule, A-9).
    Nausea => "nausea", "nausea",
    /// aGVHD upper GI, daily: anorexia with weight loss present that day.
    AnorexiaWithWeightLoss => "anorexia_with_weight_loss", "anorexia with weight loss",
    /// aGVHD upper GI, daily: vomiting episodes that day (≥ 2 qualifies).
    VomitingEpisodes => "vomiting_episodes", "vomiting episodes",
    /// aGVHD lower GI: stool volume per day (mL; mL/kg for children).
    StoolVolume => "stool_volume", "stool volume",
    /// aGVHD lower GI: unquantified diarrhoea episodes per day.
    StoolEpisodes => "stool_episodes", "diarrhoea episodes",
    /// aGVHD lower GI: grossly bloody stool.
    StoolBloody => "stool_bloody", "grossly bloody stool",
    /// aGVHD lower GI: severe abdominal pain.
    AbdominalPainSevere => "abdominal_pain_severe", "severe abdominal pain",
    /// aGVHD lower GI: ileus.
    Ileus => "ileus", "ileus",
    /// cGVHD skin: % BSA involved.
    CgvhdSkinBsa => "cgvhd_skin_bsa", "chronic GVHD skin body surface area",
    /// cGVHD skin features score 0–3 (sclerotic features).
    CgvhdSkinFeatures => "cgvhd_skin_features", "chronic GVHD skin features score",
    /// cGVHD mouth score 0–3.
    CgvhdMouth => "cgvhd_mouth", "chronic GVHD mouth score",
    /// cGVHD eyes score 0–3.
    CgvhdEyes => "cgvhd_eyes", "chronic GVHD eye score",
    /// cGVHD eyes: lubricant eye drops per day (the eye score is derived
    /// from it when no clinician score is recorded that day).
    EyeDropsPerDay => "eye_drops_per_day", "lubricant eye drops per day",
    /// cGVHD eyes: punctal plugs in place.
    PunctalPlugs => "punctal_plugs", "punctal plugs",
    /// cGVHD GI score 0–3.
    CgvhdGi => "cgvhd_gi", "chronic GVHD GI score",
    /// cGVHD joints and fascia score 0–3.
    CgvhdJoints => "cgvhd_joints", "chronic GVHD joint and fascia score",
    /// cGVHD genital tract score 0–3.
    CgvhdGenital => "cgvhd_genital", "chronic GVHD genital score",
    /// cGVHD lung symptom score 0–3.
    CgvhdLungSymptoms => "cgvhd_lung_symptoms", "chronic GVHD lung symptom score",
    /// FEV1, % predicted.
    Fev1Percent => "fev1_percent", "FEV1 % predicted",
    /// DLCO (Hb-corrected), % predicted.
    DlcoPercent => "dlco_percent", "DLCO % predicted",
    /// Weight loss over the previous 3 months, %.
    WeightLossPercent => "weight_loss_percent", "weight loss over 3 months",
    /// ICE encephalopathy score 0–10.
    IceScore => "ice_score", "ICE score",
    /// CAPD score 0–32 (children < 12).
    CapdScore => "capd_score", "CAPD score",
    /// Level of consciousness: awake, voice, tactile, unarousable.
    Consciousness => "consciousness", "level of consciousness",
    /// Seizure: none, rapidly_resolving, prolonged.
    Seizure => "seizure", "seizure",
    /// Seizure detail: duration in whole minutes (> 5 = prolonged, ICANS 4).
    SeizureDurationMin => "seizure_duration_min", "seizure duration",
    /// Seizure detail: the patient returned to baseline between seizures
    /// (false = repetitive without return to baseline, ICANS 4).
    SeizureReturnedToBaseline => "seizure_returned_to_baseline", "return to baseline between seizures",
    /// Raised intracranial pressure: papilledema (ICANS 4).
    Papilledema => "papilledema", "papilledema",
    /// Raised intracranial pressure: cranial nerve VI palsy (ICANS 4).
    CranialNerveViPalsy => "cranial_nerve_vi_palsy", "cranial nerve VI palsy",
    /// Raised intracranial pressure: Cushing's triad (ICANS 4).
    CushingTriad => "cushing_triad", "Cushing's triad",
    /// Raised intracranial pressure: posturing (none, decorticate,
    /// decerebrate; any posturing is ICANS 4).
    Posturing => "posturing", "posturing",
    /// Motor finding by type: none, hemiparesis, paraparesis (deep focal
    /// weakness, ICANS 4), tremor, myoclonus (CTCAE, not ICANS).
    MotorFinding => "motor_finding", "motor finding",
    /// Deep focal motor weakness.
    MotorWeakness => "motor_weakness", "deep focal motor weakness",
    /// Cerebral oedema on imaging: none, focal, diffuse.
    CerebralEdema => "cerebral_edema", "cerebral oedema on imaging",
    /// Marrow blasts, %.
    MarrowBlasts => "marrow_blasts", "marrow blasts",
    /// Marrow cellularity, %.
    MarrowCellularity => "marrow_cellularity", "marrow cellularity",
    /// MRD by multiparameter flow cytometry, % of CD45+ cells.
    MrdFlow => "mrd_flow", "MRD by flow cytometry",
    /// MRD by qPCR, transcript ratio in % (assay in `assay`, e.g. NPM1/ABL1).
    MrdQpcr => "mrd_qpcr", "MRD by qPCR",
    /// Extramedullary disease present.
    ExtramedullaryDisease => "extramedullary_disease", "extramedullary disease",
    /// Chimerism: % of cells from `person` in `lineage`.
    Chimerism => "chimerism", "chimerism",
    /// Serum ST2 (MAGIC biomarker), pg/mL (ng/mL accepted and converted).
    St2 => "st2", "ST2",
    /// Serum REG3α (MAGIC biomarker), pg/mL (ng/mL accepted and converted).
    Reg3a => "reg3a", "REG3α",
    /// Left-ventricular ejection fraction, % (echocardiography or MUGA; HCT-CI cardiac).
    Lvef => "lvef", "left-ventricular ejection fraction",
    /// CML phase: chronic, accelerated, blast (refined DRI, EBMT score).
    CmlPhase => "cml_phase", "CML phase",
    /// Lymphoma or CLL response to the latest therapy: cr, pr, stable_disease, progressive_disease.
    LymphomaResponse => "lymphoma_response", "lymphoma response",
    /// Acute GVHD organ assessed that day without findings (stage 0): skin, liver, upper_gi, lower_gi or all.
    AgvhdNoFindings => "agvhd_no_findings", "acute GVHD assessment without findings",
    /// MRD, qualitative: positive or negative, with the method in `method`
    /// (flow, qpcr, dpcr, ngs) and the marker in `assay` (e.g. NPM1 type A).
    MrdStatus => "mrd_status", "MRD result",
    /// Infection status at an assessment: none, controlled, uncontrolled
    /// (dated evidence for the DLI infection prerequisite).
    InfectionStatus => "infection_status", "infection status",
    /// CRS hypotension that day: none, fluid_responsive (fluids given and
    /// the pressure recovered: ASTCT grade 2, never a vasopressor grade),
    /// vasopressor_required. `attribution: other` attributes the day's
    /// hypotension (and the vasopressors given for it) to another cause.
    Hypotension => "hypotension", "hypotension",
    /// CRS hypoxia that day (yes/no); `attribution: other` attributes the
    /// day's oxygen support to another cause (e.g. pneumonia).
    Hypoxia => "hypoxia", "hypoxia",
    /// Intravenous fluid bolus given that day, mL (documents the fluids of
    /// fluid-responsive hypotension).
    FluidBolus => "fluid_bolus", "fluid bolus",
    /// Serum TNFR1 (Ann Arbor 2015 three-marker score), pg/mL (ng/mL accepted).
    Tnfr1 => "tnfr1", "TNFR1",
    /// Lower-GI acute GVHD diagnosed that day: `clinical` or `biopsy`
    /// (MAGIC stages lower GI at diagnosis from the highest daily stool
    /// output of that day and the two before it, A-5).
    LowerGiGvhdDiagnosis => "lower_gi_gvhd_diagnosis", "lower-GI acute GVHD diagnosis",
}

const PCT: &[Unit] = &[Unit::Percent];

/// Values of the `hypotension` observation (CRS).
pub const HYPOTENSION_VALUES: &[&str] = &["none", "fluid_responsive", "vasopressor_required"];

/// Values of the `lower_gi_gvhd_diagnosis` observation: how lower-GI acute
/// GVHD was diagnosed that day.
pub const LOWER_GI_DIAGNOSIS_VALUES: &[&str] = &["clinical", "biopsy"];

/// Values of the `cml_phase` observation.
pub const CML_PHASES: &[&str] = &["chronic", "accelerated", "blast"];

/// Values of the `lymphoma_response` observation (CR, PR, stable and
/// progressive disease by the disease's own response criteria).
pub const LYMPHOMA_RESPONSES: &[&str] = &["cr", "pr", "stable_disease", "progressive_disease"];

impl ObservationKind {
    /// Every kind, labs first.
    pub fn all() -> Vec<ObservationKind> {
        let mut v: Vec<ObservationKind> = Analyte::ALL
            .iter()
            .map(|a| ObservationKind::Lab(*a))
            .collect();
        v.extend_from_slice(Self::OTHER);
        v
    }

    /// Parses a snake_case name (analyte aliases such as `hb` accepted).
    pub fn parse(s: &str) -> Option<ObservationKind> {
        // Exact snake_case names first (the common case in files): one hash
        // lookup, no allocation; aliases and other spellings below.
        static EXACT: std::sync::OnceLock<
            graftwatch_core::names::NameMap<&'static str, ObservationKind>,
        > = std::sync::OnceLock::new();
        let exact = EXACT.get_or_init(|| {
            ObservationKind::all()
                .into_iter()
                .map(|k| (k.as_str(), k))
                .collect()
        });
        if let Some(k) = exact.get(s) {
            return Some(*k);
        }
        if let Some(a) = Analyte::parse(s) {
            return Some(ObservationKind::Lab(a));
        }
        let k = s.trim().to_ascii_lowercase();
        Self::OTHER.iter().copied().find(|o| o.as_str() == k)
    }

    /// The value specification: its shape here, its limits from the one
    /// table of physiological limits ([`graftwatch_core::limits::OBSERVATION_LIMITS`]).
    pub fn spec(self) -> ValueSpec {
        // Looked up once per kind (the validation asks for every
        // observation of a file).
        static SPECS: std::sync::OnceLock<Vec<ValueSpec>> = std::sync::OnceLock::new();
        let specs = SPECS.get_or_init(|| {
            ObservationKind::all()
                .into_iter()
                .map(ObservationKind::spec_uncached)
                .collect()
        });
        specs[self.dense_index()]
    }

    fn spec_uncached(self) -> ValueSpec {
        let limit = graftwatch_core::limits::observation_limit(self.as_str());
        match (self.shape(), limit) {
            (
                ValueSpec::Number {
                    canonical,
                    accepted,
                    ..
                },
                Some(l),
            ) => ValueSpec::Number {
                canonical,
                accepted,
                min: l.min,
                max: l.max,
                warn_above: l.warn_above,
            },
            (ValueSpec::Score { .. }, Some(l)) => ValueSpec::Score {
                min: l.min as u32,
                max: l.max as u32,
            },
            (shape, _) => shape,
        }
    }

    /// The kind of value and its units; the numeric limits are placeholders
    /// filled by [`ObservationKind::spec`] from the limits table (a kind
    /// without a row there has none: tested).
    fn shape(self) -> ValueSpec {
        use ObservationKind as K;
        let number = |canonical: Unit, accepted: &'static [Unit]| ValueSpec::Number {
            canonical,
            accepted,
            min: 0.0,
            max: 0.0,
            warn_above: 0.0,
        };
        let pct = || number(Unit::Percent, PCT);
        let score = || ValueSpec::Score { min: 0, max: 0 };
        match self {
            K::Lab(a) => number(a.canonical_unit(), a.accepted_units()),
            K::Temperature => number(Unit::Celsius, &[Unit::Celsius, Unit::Fahrenheit]),
            K::SystolicBp | K::DiastolicBp => number(Unit::MmHg, &[Unit::MmHg]),
            K::Spo2 => pct(),
            K::Weight => number(Unit::Kg, &[Unit::Kg]),
            K::SkinRashBsa | K::SkinDesquamationBsa | K::CgvhdSkinBsa => pct(),
            K::SkinErythroderma
            | K::SkinBullae
            | K::UpperGiPersistent
            | K::Nausea
            | K::AnorexiaWithWeightLoss
            | K::StoolBloody
            | K::AbdominalPainSevere
            | K::Ileus
            | K::MotorWeakness
            | K::SeizureReturnedToBaseline
            | K::Papilledema
            | K::CranialNerveViPalsy
            | K::CushingTriad
            | K::PunctalPlugs
            | K::Hypoxia
            | K::ExtramedullaryDisease => ValueSpec::Bool,
            K::Hypotension => ValueSpec::Category(HYPOTENSION_VALUES),
            K::FluidBolus => number(Unit::Ml, &[Unit::Ml]),
            K::StoolVolume => number(Unit::Ml, &[Unit::Ml, Unit::MlPerKg]),
            K::StoolEpisodes => score(),
            K::VomitingEpisodes => score(),
            K::EyeDropsPerDay => score(),
            K::SeizureDurationMin => score(),
            K::Posturing => ValueSpec::Category(&["none", "decorticate", "decerebrate"]),
            K::MotorFinding => {
                ValueSpec::Category(&["none", "hemiparesis", "paraparesis", "tremor", "myoclonus"])
            }
            K::CgvhdSkinFeatures
            | K::CgvhdMouth
            | K::CgvhdEyes
            | K::CgvhdGi
            | K::CgvhdJoints
            | K::CgvhdGenital
            | K::CgvhdLungSymptoms => score(),
            K::Fev1Percent | K::DlcoPercent => number(Unit::Percent, PCT),
            K::WeightLossPercent => pct(),
            K::IceScore => score(),
            K::CapdScore => score(),
            K::Consciousness => ValueSpec::Category(&["awake", "voice", "tactile", "unarousable"]),
            K::Seizure => ValueSpec::Category(&["none", "rapidly_resolving", "prolonged"]),
            K::CerebralEdema => ValueSpec::Category(&["none", "focal", "diffuse"]),
            K::LowerGiGvhdDiagnosis => ValueSpec::Category(LOWER_GI_DIAGNOSIS_VALUES),
            K::AgvhdNoFindings => {
                ValueSpec::Category(&["skin", "liver", "upper_gi", "lower_gi", "all"])
            }
            K::MarrowBlasts | K::MarrowCellularity | K::MrdFlow => pct(),
            K::MrdQpcr => number(Unit::Percent, PCT),
            K::Chimerism => pct(),
            K::Lvef => pct(),
            K::CmlPhase => ValueSpec::Category(CML_PHASES),
            K::LymphomaResponse => ValueSpec::Category(LYMPHOMA_RESPONSES),
            K::MrdStatus => ValueSpec::Category(&["positive", "negative"]),
            K::InfectionStatus => ValueSpec::Category(&["none", "controlled", "uncontrolled"]),
            K::St2 | K::Reg3a | K::Tnfr1 => number(Unit::PgPerMl, &[Unit::PgPerMl, Unit::NgPerMl]),
        }
    }

    /// Converts `value` in `unit` to the canonical unit (the stool per-kg
    /// form needs the weight and is kept as `mL/kg` — see
    /// [`Observation::unit`]).
    pub fn to_canonical(self, value: f64, unit: Unit) -> Result<f64, graftwatch_core::UnitError> {
        match self {
            ObservationKind::Lab(a) => a.to_canonical(value, unit),
            ObservationKind::StoolVolume if unit == Unit::MlPerKg => Ok(value),
            _ => match self.spec() {
                ValueSpec::Number { canonical, .. } => {
                    unit.convert_plain(value, canonical, self.label())
                }
                ValueSpec::Score { .. } if unit == Unit::Count => Ok(value),
                _ => Err(graftwatch_core::UnitError::Mismatch {
                    given: unit.as_str().into(),
                    quantity: self.as_str().into(),
                    accepted: "no unit".into(),
                }),
            },
        }
    }

    /// Whether this kind is an acute GVHD finding of the skin or the GI
    /// tract (the organs a GVHD examination stages; a bilirubin is a
    /// laboratory value, not an examination).
    pub fn is_acute_skin_gi_finding(self) -> bool {
        use ObservationKind as K;
        matches!(
            self,
            K::SkinRashBsa
                | K::SkinErythroderma
                | K::SkinBullae
                | K::SkinDesquamationBsa
                | K::UpperGiPersistent
                | K::Nausea
                | K::AnorexiaWithWeightLoss
                | K::VomitingEpisodes
                | K::StoolVolume
                | K::StoolEpisodes
                | K::StoolBloody
                | K::AbdominalPainSevere
                | K::Ileus
        )
    }

    /// Whether this kind is an acute or chronic GVHD organ finding: a record
    /// of it (with or without findings) is a dated GVHD assessment.
    pub fn is_gvhd_finding(self) -> bool {
        use ObservationKind as K;
        self.is_acute_skin_gi_finding()
            || matches!(
                self,
                K::CgvhdSkinBsa
                    | K::CgvhdSkinFeatures
                    | K::CgvhdMouth
                    | K::CgvhdEyes
                    | K::EyeDropsPerDay
                    | K::PunctalPlugs
                    | K::CgvhdGi
                    | K::CgvhdJoints
                    | K::CgvhdGenital
                    | K::CgvhdLungSymptoms
            )
    }

    /// A GVHD assessment: an organ finding ([`Self::is_gvhd_finding`]) or
    /// an acute GVHD assessment recorded without findings
    /// (`agvhd_no_findings`, an explicit negative assessment).
    pub fn is_gvhd_assessment(self) -> bool {
        self.is_gvhd_finding() || self == ObservationKind::AgvhdNoFindings
    }

    /// The default unit a value is assumed to be in when none is written:
    /// `None` for numeric kinds (a unit is required), `1` for scores.
    pub fn implicit_unit(self) -> Option<Unit> {
        match self.spec() {
            ValueSpec::Score { .. } => Some(Unit::Count),
            _ => None,
        }
    }
}

impl fmt::Display for ObservationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ObservationKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ObservationKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        graftwatch_core::de::from_str_with(d, |s| {
            ObservationKind::parse(s).ok_or_else(|| {
                format!(
                    "unknown observation kind '{s}'; accepted kinds: {}",
                    ObservationKind::all()
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
    }
}

/// One dated observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Date of the sample or assessment.
    pub date: Date,
    /// Time, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeOfDay>,
    /// Kind.
    pub kind: ObservationKind,
    /// Value (canonical unit for numbers).
    pub value: ObsValue,
    /// Unit of `value` (canonical after reading; `mL/kg` stays for per-kg stool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// GVHD attribution of this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// Lineage (chimerism).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
    /// Person (chimerism: `recipient` or a donor id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
    /// Chimerism method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<ChimerismMethod>,
    /// Assay name (MRD qPCR target, chimerism kit, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assay: Option<Box<str>>,
    /// Sample id, grouping the per-person rows of one chimerism result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<Box<str>>,
    /// Whether a count came from an automated analyser without a manual
    /// differential (engraftment decision 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<bool>,
    /// Chimerism: the limit of detection of this person's result (%),
    /// the lab's validated one or the one computed for the sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lod_percent: Option<Percent>,
    /// Chimerism: the detection call. `false`: the person was not detected
    /// and the result is reported as below the limit of detection (`< LoD`),
    /// whatever the estimate in `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Box<str>>,
}

impl Observation {
    /// A bare observation with no qualifiers.
    pub fn new(
        date: Date,
        kind: ObservationKind,
        value: ObsValue,
        unit: Option<Unit>,
    ) -> Observation {
        Observation {
            date,
            time: None,
            kind,
            value,
            unit,
            attribution: None,
            lineage: None,
            person: None,
            method: None,
            assay: None,
            sample: None,
            automated: None,
            lod_percent: None,
            detected: None,
            note: None,
        }
    }

    /// A laboratory value already in the analyte's canonical unit.
    pub fn lab(date: Date, analyte: Analyte, value: f64) -> Observation {
        Observation::new(
            date,
            ObservationKind::Lab(analyte),
            ObsValue::Number(value),
            Some(analyte.canonical_unit()),
        )
    }

    /// A chimerism result for one person in one lineage (percent of cells).
    pub fn chimerism(
        date: Date,
        lineage: Lineage,
        person: PersonRef,
        percent: Percent,
        method: ChimerismMethod,
        sample: Option<String>,
    ) -> Observation {
        let mut o = Observation::new(
            date,
            ObservationKind::Chimerism,
            ObsValue::Number(percent.get()),
            Some(Unit::Percent),
        );
        o.lineage = Some(lineage);
        o.person = Some(person);
        o.method = Some(method);
        o.sample = sample.map(String::into_boxed_str);
        o
    }

    /// The numeric value, if any.
    pub fn number(&self) -> Option<f64> {
        self.value.as_f64()
    }

    /// The numeric value as a share of a whole (chimerism, blasts, MRD by
    /// flow, cellularity: kinds whose value is 0–100 %, which validation
    /// checks); `None` without a number or outside 0–100.
    pub fn percent(&self) -> Option<Percent> {
        self.number().and_then(|v| Percent::new(v).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_index_is_the_position_in_all_and_specs_are_the_uncached_ones() {
        for (i, k) in ObservationKind::all().into_iter().enumerate() {
            assert_eq!(k.dense_index(), i, "{k}");
            assert_eq!(k.spec(), k.spec_uncached(), "{k}");
        }
    }
}

//! The fields each event kind accepts, with their value types.
//!
//! Events are read with `#[serde(flatten)]`, which makes serde's
//! `deny_unknown_fields` unusable, so unknown keys are checked against this
//! table instead (JSON). The long-CSV reader uses it to type the
//! `key=value` entries of the `detail` column, and the writer to order them.
//! A test checks the table against [`EventDetail`](crate::EventDetail).

/// The type of an event field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// A whole number ≥ 0.
    Count,
    /// A real number.
    Number,
    /// A donor id (must be listed in `donors`).
    DonorRef,
    /// One of these snake_case names.
    Enum(&'static [&'static str]),
    /// A list of agents with doses (`name`, optional `dose`, optional `unit`);
    /// in CSV one `agent=name|dose|unit` entry per agent.
    Agents,
}

impl FieldType {
    /// The expectation in words, for messages.
    pub fn describe(self) -> String {
        match self {
            FieldType::Text => "text".into(),
            FieldType::Count => "a whole number".into(),
            FieldType::Number => "a number".into(),
            FieldType::DonorRef => "a donor id".into(),
            FieldType::Enum(v) => format!("one of {}", v.join(", ")),
            FieldType::Agents => "agents as name|dose|unit".into(),
        }
    }
}

/// One field of an event kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Key in JSON (and in the CSV `detail` column; `agents` is written
    /// `agent` there, once per agent).
    pub name: &'static str,
    /// Value type.
    pub ty: FieldType,
    /// Required.
    pub required: bool,
}

const fn req(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
    }
}

/// Keys every event has besides its kind-specific fields (`kind` included).
pub const COMMON_EVENT_KEYS: [&str; 6] = ["id", "date", "time", "end_date", "note", "kind"];

/// Accepted `intensity` values.
pub const CONDITIONING_INTENSITIES: &[&str] =
    &["myeloablative", "reduced_intensity", "non_myeloablative"];
/// Accepted graft `source` values.
pub const GRAFT_SOURCES: &[&str] = &["ucb", "pbsc", "bone_marrow"];
/// Accepted DLI `intent` values.
pub const DLI_INTENTS: &[&str] = &["prophylactic", "preemptive", "therapeutic"];
/// Accepted transfusion `product` values.
pub const TRANSFUSION_PRODUCTS: &[&str] = &["platelets", "rbc", "plasma", "granulocytes"];
/// Accepted drug `class` values.
pub const DRUG_CLASSES: &[&str] = &[
    "immunosuppressant",
    "steroid",
    "g_csf",
    "anticytokine",
    "vasopressor",
    "antimicrobial",
    "anti_leukemic",
    "other",
];
/// Accepted oxygen `device` values.
pub const OXYGEN_DEVICES: &[&str] = &[
    "nasal_cannula",
    "blow_by",
    "high_flow_nasal_cannula",
    "facemask",
    "non_rebreather",
    "venturi",
    "cpap",
    "bipap",
    "mechanical_ventilation",
];
/// Accepted biopsy `result` values.
pub const BIOPSY_RESULTS: &[&str] = &["positive", "equivocal", "non_diagnostic", "non_gvhd"];

use FieldType as T;

const F_CHEMOTHERAPY: &[FieldSpec] = &[
    req("regimen", T::Text),
    opt("line", T::Count),
    opt("intent", T::Text),
];
const F_LYMPHODEPLETION: &[FieldSpec] = &[req("regimen", T::Text), opt("agents", T::Agents)];
const F_CAR_T_INFUSION: &[FieldSpec] = &[
    req("target", T::Text),
    req("product", T::Text),
    opt("dose_per_kg", T::Number),
];
const F_CONDITIONING: &[FieldSpec] = &[
    req("regimen", T::Text),
    opt("intensity", T::Enum(CONDITIONING_INTENSITIES)),
    opt("agents", T::Agents),
];
const F_GRAFT_INFUSION: &[FieldSpec] = &[
    opt("transplant", T::Count),
    req("source", T::Enum(GRAFT_SOURCES)),
    req("donor", T::DonorRef),
    opt("tnc_per_kg", T::Number),
    opt("cd34_per_kg", T::Number),
    opt("cd3_per_kg", T::Number),
];
const F_DLI: &[FieldSpec] = &[
    req("donor", T::DonorRef),
    req("cd3_per_kg", T::Number),
    opt("intent", T::Enum(DLI_INTENTS)),
];
const F_TRANSFUSION: &[FieldSpec] = &[
    req("product", T::Enum(TRANSFUSION_PRODUCTS)),
    opt("units", T::Count),
];
const F_DRUG: &[FieldSpec] = &[
    req("name", T::Text),
    req("class", T::Enum(DRUG_CLASSES)),
    opt("dose", T::Number),
    opt("dose_unit", T::Text),
];
const F_OXYGEN_SUPPORT: &[FieldSpec] = &[
    req("device", T::Enum(OXYGEN_DEVICES)),
    opt("flow_l_min", T::Number),
];
const F_ICU_STAY: &[FieldSpec] = &[opt("reason", T::Text)];
const F_INFECTION: &[FieldSpec] = &[req("syndrome", T::Text), opt("organism", T::Text)];
const F_BIOPSY: &[FieldSpec] = &[req("site", T::Text), req("result", T::Enum(BIOPSY_RESULTS))];
const F_DEATH: &[FieldSpec] = &[req("cause", T::Text)];

/// The kind-specific fields of event kind `kind` (None for an unknown kind).
pub fn event_fields(kind: &str) -> Option<&'static [FieldSpec]> {
    Some(match kind {
        "chemotherapy" => F_CHEMOTHERAPY,
        "lymphodepletion" => F_LYMPHODEPLETION,
        "car_t_infusion" => F_CAR_T_INFUSION,
        "conditioning" => F_CONDITIONING,
        "graft_infusion" => F_GRAFT_INFUSION,
        "dli" => F_DLI,
        "transfusion" => F_TRANSFUSION,
        "drug" => F_DRUG,
        "oxygen_support" => F_OXYGEN_SUPPORT,
        "icu_stay" => F_ICU_STAY,
        "infection" => F_INFECTION,
        "biopsy" => F_BIOPSY,
        "death" => F_DEATH,
        _ => return None,
    })
}

/// Keys accepted for an event of `kind`: the common keys then the
/// kind-specific ones.
pub fn accepted_event_keys(kind: &str) -> Option<Vec<&'static str>> {
    let f = event_fields(kind)?;
    Some(
        COMMON_EVENT_KEYS
            .iter()
            .copied()
            .chain(f.iter().map(|s| s.name))
            .collect(),
    )
}

/// Keys accepted inside one entry of `agents`.
pub const AGENT_KEYS: [&str; 3] = ["name", "dose", "unit"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventDetail;

    #[test]
    fn every_kind_has_fields() {
        for k in EventDetail::KINDS {
            assert!(event_fields(k).is_some(), "{k}");
        }
        assert!(event_fields("party").is_none());
    }
}

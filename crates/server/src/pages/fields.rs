//! The fields of the bedside form: name, label, observation kind, the units
//! the user may choose (the kind's accepted units), the organ it belongs to
//! (for its attribution), and how it is entered. The form, the preview and
//! the save all read this one table.

use graftwatch_core::{Analyte, Unit};
use graftwatch_course::{Attribution, ObservationKind, ValueSpec};
use graftwatch_criteria::bsa::{BsaChart, Region, estimate};
use graftwatch_grading::preview::DraftValue;

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A number (with a unit select when the kind has several units).
    Number,
    /// Yes / no / not recorded.
    YesNo,
    /// One of the kind's categories.
    Choice,
}

/// The organ a field belongs to (its attribution select).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Organ {
    /// Skin.
    Skin,
    /// Liver.
    Liver,
    /// Upper GI.
    UpperGi,
    /// Lower GI.
    LowerGi,
    /// CRS findings whose cause is stated (hypotension, hypoxia):
    /// `other` removes them from the CRS grade (flag `GW-ATTR-CRS`).
    Crs,
    /// Not a GVHD organ finding.
    None,
}

impl Organ {
    /// Form name of the organ's attribution select.
    pub fn attribution_field(self) -> Option<&'static str> {
        Some(match self {
            Organ::Skin => "attr_skin",
            Organ::Liver => "attr_liver",
            Organ::UpperGi => "attr_upper_gi",
            Organ::LowerGi => "attr_lower_gi",
            Organ::Crs => "attr_crs",
            Organ::None => return None,
        })
    }
}

/// One field of the form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Form name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Observation kind.
    pub kind: ObservationKind,
    /// Organ (attribution).
    pub organ: Organ,
    /// Group heading.
    pub group: &'static str,
}

impl Field {
    /// How the field is entered.
    pub fn input(&self) -> Input {
        match self.kind.spec() {
            ValueSpec::Number { .. } | ValueSpec::Score { .. } => Input::Number,
            ValueSpec::Bool => Input::YesNo,
            ValueSpec::Category(_) => Input::Choice,
        }
    }

    /// Units to choose from (canonical first); empty for scores and choices.
    pub fn units(&self) -> Vec<&'static str> {
        match self.kind.spec() {
            ValueSpec::Number { accepted, .. } => {
                let mut u: Vec<&str> = accepted.iter().map(|u| unit_label(*u)).collect();
                if self.kind == ObservationKind::StoolVolume {
                    u = vec!["mL", "mL/kg"];
                }
                u
            }
            _ => Vec::new(),
        }
    }

    /// Categories to choose from.
    pub fn choices(&self) -> Vec<&'static str> {
        match self.kind.spec() {
            ValueSpec::Category(c) => c.to_vec(),
            _ => Vec::new(),
        }
    }
}

/// A unit as shown and as sent back (parsed by `Unit::from_str`).
pub fn unit_label(u: Unit) -> &'static str {
    match u {
        Unit::Per1e9L => "10^9/L",
        Unit::PerMicroL => "/µL",
        Unit::MicromolPerL => "µmol/L",
        Unit::Celsius => "°C",
        Unit::Fahrenheit => "°F",
        Unit::MmHg => "mmHg",
        other => other.as_str(),
    }
}

macro_rules! f {
    ($name:literal, $label:literal, $kind:expr, $organ:ident, $group:literal) => {
        Field {
            name: $name,
            label: $label,
            kind: $kind,
            organ: Organ::$organ,
            group: $group,
        }
    };
}

use ObservationKind as K;

/// Every field, in form order.
pub const FIELDS: &[Field] = &[
    f!(
        "skin_bsa",
        "Maculopapular rash, % body surface area",
        K::SkinRashBsa,
        Skin,
        "Skin"
    ),
    f!(
        "skin_bullae",
        "Bullous formation",
        K::SkinBullae,
        Skin,
        "Skin"
    ),
    f!(
        "skin_desquamation",
        "Desquamation, % body surface area",
        K::SkinDesquamationBsa,
        Skin,
        "Skin"
    ),
    f!(
        "bilirubin",
        "Total bilirubin",
        K::Lab(Analyte::Bilirubin),
        Liver,
        "Liver"
    ),
    f!("nausea", "Nausea today", K::Nausea, UpperGi, "Upper GI"),
    f!(
        "anorexia",
        "Anorexia with weight loss today",
        K::AnorexiaWithWeightLoss,
        UpperGi,
        "Upper GI"
    ),
    f!(
        "vomiting",
        "Vomiting episodes today",
        K::VomitingEpisodes,
        UpperGi,
        "Upper GI"
    ),
    f!(
        "stool_volume",
        "Stool volume (24 h)",
        K::StoolVolume,
        LowerGi,
        "Lower GI"
    ),
    f!(
        "stool_episodes",
        "Diarrhoea episodes (unmeasured, 24 h)",
        K::StoolEpisodes,
        LowerGi,
        "Lower GI"
    ),
    f!(
        "stool_bloody",
        "Grossly bloody stool",
        K::StoolBloody,
        LowerGi,
        "Lower GI"
    ),
    f!(
        "abdominal_pain",
        "Severe abdominal pain",
        K::AbdominalPainSevere,
        LowerGi,
        "Lower GI"
    ),
    f!("ileus", "Ileus", K::Ileus, LowerGi, "Lower GI"),
    f!("anc", "ANC", K::Lab(Analyte::Anc), None, "Counts"),
    f!(
        "platelets",
        "Platelets",
        K::Lab(Analyte::Platelets),
        None,
        "Counts"
    ),
    f!(
        "hemoglobin",
        "Haemoglobin",
        K::Lab(Analyte::Hemoglobin),
        None,
        "Counts"
    ),
    f!("weight", "Body weight", K::Weight, None, "Counts"),
    f!(
        "temperature",
        "Temperature (highest)",
        K::Temperature,
        None,
        "Vital signs"
    ),
    f!(
        "systolic_bp",
        "Systolic blood pressure (lowest)",
        K::SystolicBp,
        None,
        "Vital signs"
    ),
    f!("spo2", "SpO₂", K::Spo2, None, "Vital signs"),
    f!(
        "hypotension",
        "Hypotension",
        K::Hypotension,
        Crs,
        "Cytokine release syndrome (after CAR-T)"
    ),
    f!(
        "fluid_bolus",
        "Intravenous fluid bolus given",
        K::FluidBolus,
        Crs,
        "Cytokine release syndrome (after CAR-T)"
    ),
    f!(
        "hypoxia",
        "Hypoxia (oxygen needed for CRS)",
        K::Hypoxia,
        Crs,
        "Cytokine release syndrome (after CAR-T)"
    ),
    f!(
        "ice",
        "ICE score (0–10)",
        K::IceScore,
        None,
        "Neurological (ICANS)"
    ),
    f!(
        "consciousness",
        "Level of consciousness",
        K::Consciousness,
        None,
        "Neurological (ICANS)"
    ),
    f!(
        "seizure",
        "Seizure",
        K::Seizure,
        None,
        "Neurological (ICANS)"
    ),
    f!(
        "motor",
        "Motor findings",
        K::MotorFinding,
        None,
        "Neurological (ICANS)"
    ),
];

/// A category value in clinical words (the value sent stays the course
/// file's value).
pub fn choice_label(value: &str) -> String {
    match value {
        "fluid_responsive" => "responded to fluids (no vasopressor)".into(),
        "vasopressor_required" => "vasopressor required".into(),
        other => other.replace('_', " "),
    }
}

/// Vasopressors offered on the form (drug events of class `vasopressor`
/// on the day: the CRS grade counts them, vasopressin excluded, ASTCT 2019).
pub const VASOPRESSORS: [&str; 5] = [
    "norepinephrine",
    "epinephrine",
    "dopamine",
    "phenylephrine",
    "vasopressin",
];

/// The "organ assessed, no findings" boxes: form name and the
/// `agvhd_no_findings` value.
pub const NO_FINDINGS: [(&str, &str, &str); 4] = [
    ("nf_skin", "skin", "Skin assessed: no findings"),
    ("nf_liver", "liver", "Liver assessed: no findings"),
    ("nf_upper_gi", "upper_gi", "Upper GI assessed: no findings"),
    ("nf_lower_gi", "lower_gi", "Lower GI assessed: no findings"),
];

/// Attribution as chosen in a select.
pub fn attribution(s: Option<&str>) -> Option<Attribution> {
    match s.map(str::trim) {
        Some("gvhd") => Some(Attribution::Gvhd),
        Some("other") => Some(Attribution::Other),
        Some("multifactorial") => Some(Attribution::Multifactorial),
        _ => None,
    }
}

/// Form values by name.
pub type FormMap = std::collections::HashMap<String, String>;

fn get<'a>(m: &'a FormMap, k: &str) -> Option<&'a str> {
    m.get(k)
        .map(String::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// The rule-of-nines / Lund–Browder helper: region shares typed as
/// `bsa_<region>`; returns the estimate text and the total when any region
/// was given (errors name the region).
pub fn bsa_from_form(m: &FormMap, chart: BsaChart) -> Result<Option<(f64, String)>, String> {
    let mut given = Vec::new();
    for (r, _) in chart.regions() {
        if let Some(v) = get(m, &format!("bsa_{}", r.as_str())) {
            let n: f64 = v.trim().replace(',', ".").parse().map_err(|_| {
                format!(
                    "{}: '{v}' is not a number (0–100 % of the region)",
                    r.label()
                )
            })?;
            given.push((r, n));
        }
    }
    if given.is_empty() {
        return Ok(None);
    }
    let e = estimate(chart, &given).map_err(|e| e.to_string())?;
    let text = format!(
        "{:.1} % body surface area ({}: {})",
        e.total_percent.get(),
        chart.label(),
        e.regions
            .iter()
            .map(|s| format!("{} {:.1} %", s.region.label(), s.bsa_percent.get()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Some((e.total_percent.get(), text)))
}

/// The draft values of a submitted form. When the rash BSA field is empty
/// and regions were given, the helper's total is used as the rash BSA.
pub fn draft_values(m: &FormMap, bsa_total: Option<f64>) -> Vec<DraftValue> {
    let mut out = Vec::new();
    for f in FIELDS {
        let mut value = get(m, f.name).unwrap_or("").to_string();
        if f.name == "skin_bsa"
            && value.is_empty()
            && let Some(t) = bsa_total
        {
            value = format!("{:.1}", t);
        }
        let unit = get(m, &format!("{}_unit", f.name)).map(str::to_string);
        let attribution = f
            .organ
            .attribution_field()
            .and_then(|a| attribution(get(m, a)));
        out.push(DraftValue {
            field: f.name.to_string(),
            kind: f.kind,
            value,
            unit,
            attribution,
        });
    }
    for (name, organ, _) in NO_FINDINGS {
        if get(m, name).is_some() {
            out.push(DraftValue {
                field: name.to_string(),
                kind: ObservationKind::AgvhdNoFindings,
                value: organ.to_string(),
                unit: None,
                attribution: None,
            });
        }
    }
    out
}

/// The regions of a chart for the helper's inputs (form name, label, share of the body).
pub fn bsa_inputs(chart: BsaChart) -> Vec<(String, String, f64)> {
    chart
        .regions()
        .into_iter()
        .map(|(r, p): (Region, f64)| (format!("bsa_{}", r.as_str()), r.label(), p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_label_parses_back_to_an_accepted_unit() {
        for f in FIELDS {
            for u in f.units() {
                let parsed: Unit = u.parse().unwrap_or_else(|_| panic!("{} {u}", f.name));
                match f.kind.spec() {
                    ValueSpec::Number { accepted, .. } => {
                        assert!(
                            accepted.contains(&parsed) || f.kind == K::StoolVolume,
                            "{} {u}",
                            f.name
                        )
                    }
                    _ => panic!("{} has units but is not a number", f.name),
                }
            }
        }
    }

    #[test]
    fn regions_fill_the_rash_field_and_boxes_become_no_findings() {
        let mut m = FormMap::new();
        m.insert("bsa_anterior_trunk".into(), "50".into());
        m.insert("bsa_right_arm".into(), "100".into());
        m.insert("nf_liver".into(), "on".into());
        let (total, text) = bsa_from_form(&m, BsaChart::RuleOfNines).unwrap().unwrap();
        assert_eq!(total, 18.0);
        assert!(text.contains("rule of nines"), "{text}");
        let v = draft_values(&m, Some(total));
        assert_eq!(
            v.iter().find(|d| d.field == "skin_bsa").unwrap().value,
            "18.0"
        );
        assert!(
            v.iter()
                .any(|d| d.kind == K::AgvhdNoFindings && d.value == "liver")
        );
        m.insert("bsa_right_arm".into(), "x".into());
        assert!(
            bsa_from_form(&m, BsaChart::RuleOfNines)
                .unwrap_err()
                .contains("right arm")
        );
    }
}

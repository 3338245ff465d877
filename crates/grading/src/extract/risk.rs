//! Transplant and risk-score inputs: graft sources per transplant, age at
//! HCT, diagnosis genetics, HCT-CI comorbidities, donor relationship and the
//! donor→recipient sex combination, conditioning intensity, and the disease
//! assessment closest before HCT.

use graftwatch_core::{CellsPerKg, Date, DonorId};
use graftwatch_course::{
    AnchorKind, ConditioningIntensity, Course, Diagnosis, DonorRelationship, EventDetail,
    GraftSource, Sex,
};
use serde::Serialize;

/// One graft infused in a transplant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Graft {
    /// Source.
    pub source: GraftSource,
    /// Donor.
    pub donor: DonorId,
    /// Infusion date.
    pub date: Date,
    /// CD34+ cells/kg, when recorded.
    pub cd34_per_kg: Option<CellsPerKg>,
    /// TNC/kg, when recorded.
    pub tnc_per_kg: Option<CellsPerKg>,
}

/// A transplant: its number, day 0 and grafts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transplant {
    /// Transplant number (1 = first allo-HCT).
    pub number: u32,
    /// Day 0 (first graft infusion).
    pub day0: Date,
    /// Grafts.
    pub grafts: Vec<Graft>,
    /// Conditioning intensity of the last conditioning before day 0.
    pub conditioning: Option<ConditioningIntensity>,
    /// Start date of that conditioning (the last `conditioning` event dated
    /// on or before day 0 and after the previous transplant's day 0), when
    /// one is recorded: the end of the pre-transplant state (HCT-CI).
    pub conditioning_start: Option<Date>,
}

impl Transplant {
    /// True when any graft is an umbilical cord blood unit.
    pub fn has_cord(&self) -> bool {
        self.grafts.iter().any(|g| g.source == GraftSource::Ucb)
    }
}

/// Extracts every transplant of a course with its grafts.
pub fn transplants(course: &Course) -> Vec<Transplant> {
    let mut out: Vec<Transplant> = Vec::new();
    for a in course.anchors() {
        let AnchorKind::Transplant(n) = a.kind else {
            continue;
        };
        let grafts = course
            .graft_infusions(n)
            .map(|g| Graft {
                source: g.source,
                donor: g.donor.clone(),
                date: g.date,
                cd34_per_kg: g.cd34_per_kg,
                tnc_per_kg: g.tnc_per_kg,
            })
            .collect();
        let previous_day0 = out.last().map(|t: &Transplant| t.day0);
        let last_conditioning = course
            .events
            .iter()
            .filter(|e| e.date <= a.date && previous_day0.is_none_or(|p| e.date > p))
            .filter_map(|e| match &e.detail {
                EventDetail::Conditioning { intensity, .. } => Some((e.date, *intensity)),
                _ => None,
            })
            .max_by_key(|c| c.0);
        out.push(Transplant {
            number: n,
            day0: a.date,
            grafts,
            conditioning: last_conditioning.and_then(|c| c.1),
            conditioning_start: last_conditioning.map(|c| c.0),
        });
    }
    out
}

/// Donor → recipient sex combination (female donor to male recipient is
/// the EBMT risk-score adverse combination).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SexMatch {
    /// Female donor, male recipient.
    FemaleToMale,
    /// Any other known combination.
    Other,
    /// Donor or recipient sex not known.
    Unknown,
}

/// The inputs of the risk scores (HCT-CI, DRI, EBMT, ELN genetic risk).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskInputs {
    /// Recipient age in years at the first transplant (calendar year minus
    /// birth year; may be one year high before the birthday).
    pub age_at_hct: Option<i32>,
    /// Day 0 of the first transplant.
    pub hct_date: Option<Date>,
    /// Diagnosis with karyotype and mutations.
    pub diagnosis: Diagnosis,
    /// Days from diagnosis to the first transplant.
    pub diagnosis_to_hct_days: Option<i32>,
    /// HCT-CI comorbidity item codes recorded.
    pub comorbidities: Vec<String>,
    /// Relationships of the donors of the first transplant's grafts.
    pub donor_relationships: Vec<DonorRelationship>,
    /// Donor → recipient sex (first transplant's first adult, non-cord
    /// donor, else the first donor).
    pub sex_match: SexMatch,
    /// Conditioning intensity of the first transplant.
    pub conditioning: Option<ConditioningIntensity>,
}

/// Extracts the risk-score inputs.
pub fn risk_inputs(course: &Course, transplants: &[Transplant]) -> RiskInputs {
    let first = transplants
        .iter()
        .find(|t| t.number == 1)
        .or(transplants.first());
    let hct_date = first.map(|t| t.day0);
    let donors: Vec<_> = first
        .map(|t| {
            t.grafts
                .iter()
                .filter_map(|g| course.donor(&g.donor))
                .collect()
        })
        .unwrap_or_default();
    let mut donor_relationships: Vec<DonorRelationship> = Vec::new();
    for d in &donors {
        if !donor_relationships.contains(&d.relationship) {
            donor_relationships.push(d.relationship);
        }
    }
    let sex_donor = donors
        .iter()
        .find(|d| d.relationship != DonorRelationship::UnrelatedCord)
        .or(donors.first())
        .and_then(|d| d.sex);
    let sex_match = match (sex_donor, course.patient.sex) {
        (Some(Sex::Female), Sex::Male) => SexMatch::FemaleToMale,
        (Some(Sex::Unknown), _) | (None, _) | (_, Sex::Unknown) => SexMatch::Unknown,
        _ => SexMatch::Other,
    };
    RiskInputs {
        age_at_hct: hct_date.map(|d| d.year() - course.patient.birth_year),
        hct_date,
        diagnosis: course.patient.diagnosis.clone(),
        diagnosis_to_hct_days: hct_date.map(|d| d.days_since(course.patient.diagnosis.date).get()),
        comorbidities: course.patient.comorbidities.clone(),
        donor_relationships,
        sex_match,
        conditioning: first.and_then(|t| t.conditioning),
    }
}

//! Extraction: from a [`Course`] to the inputs the criteria need, per day
//! and per anchor. Pure and independent of the criteria functions.
//!
//! [`extract`] makes one pass per concept over the course's events and
//! observations and returns [`CourseInputs`].

pub mod biomarkers;
pub mod cgvhd;
pub mod chimerism;
pub mod counts;
pub mod crs;
pub mod drugs;
pub mod gvhd;
pub mod icans;
mod index;
pub mod marrow;
pub mod outcome;
pub mod oxygen;
pub mod risk;
pub mod transfusion;

use graftwatch_core::Date;
use graftwatch_course::{Anchor, AnchorKind, Course, Observation};
use serde::Serialize;

pub use cgvhd::CgvhdAssessment;
pub use chimerism::ChimerismSample;
pub use counts::{DailyCounts, DailySeries, DayValue};
pub use crs::CrsDay;
pub use drugs::{DrugExposure, PressorDay};
pub use gvhd::{Finding, GvhdDay};
pub use icans::IcansDay;
pub use marrow::MarrowAssessment;
pub use outcome::{Death, ToxicityDeath};
pub use oxygen::{OxygenDay, OxygenSupport};
pub use risk::{RiskInputs, Transplant};
pub use transfusion::Transfusions;

/// How extraction windows are set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExtractOptions {
    /// CRS days extracted after each CAR-T infusion (day 0 … this).
    pub crs_window_days: i32,
    /// Peripheral counts used for a marrow assessment: nearest within ± days.
    pub marrow_count_window_days: i32,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            crs_window_days: 30,
            marrow_count_window_days: 7,
        }
    }
}

/// CRS inputs after one CAR-T infusion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarTCrs {
    /// The CAR-T anchor.
    pub anchor: Anchor,
    /// One entry per day from day 0.
    pub days: Vec<CrsDay>,
}

/// Everything the criteria need from a course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseInputs {
    /// Anchors (transplants, CAR-T infusions, DLIs), date order.
    pub anchors: Vec<Anchor>,
    /// First and last date of the course.
    pub span: Option<(Date, Date)>,
    /// Daily counts.
    pub counts: DailyCounts,
    /// Transfusion dates.
    pub transfusions: Transfusions,
    /// Drug courses.
    pub drugs: DrugExposure,
    /// Oxygen support.
    pub oxygen: OxygenSupport,
    /// Acute-GVHD findings per day.
    pub gvhd: Vec<GvhdDay>,
    /// Chronic-GVHD assessments.
    pub cgvhd: Vec<CgvhdAssessment>,
    /// CRS inputs after each CAR-T infusion.
    pub crs: Vec<CarTCrs>,
    /// ICANS assessments.
    pub icans: Vec<IcansDay>,
    /// Disease assessments.
    pub marrow: Vec<MarrowAssessment>,
    /// Chimerism samples.
    pub chimerism: Vec<ChimerismSample>,
    /// Transplants and grafts.
    pub transplants: Vec<Transplant>,
    /// Risk-score inputs.
    pub risk: RiskInputs,
    /// The recorded death, if any.
    pub death: Option<Death>,
    /// Dates of upper-GI biopsies positive for GVHD.
    pub upper_gi_histology: Vec<Date>,
    /// Documented lower-GI acute GVHD diagnosis dates, date order.
    pub lower_gi_diagnoses: Vec<Date>,
    /// Therapy starts (chemotherapy, anti-leukaemic drugs, lymphodepletion,
    /// conditioning, CAR-T, grafts), date order.
    pub therapies: Vec<marrow::TherapyStart>,
    /// Body weights `(date, kg)`, date order (steroid doses per kg).
    pub weights: Vec<(Date, f64)>,
    /// MAGIC biomarker samples (ST2, REG3α, TNFR1), date order.
    pub biomarkers: Vec<graftwatch_criteria::magic_biomarkers::BiomarkerSample>,
    /// Whether the course's observations are in date order (as every
    /// reader leaves them): date windows of them can then be found by
    /// binary search. Not part of the inputs' JSON.
    #[serde(skip)]
    pub observations_in_date_order: bool,
}

impl CourseInputs {
    /// The CAR-T anchors.
    pub fn cart_anchors(&self) -> impl Iterator<Item = &Anchor> {
        self.anchors
            .iter()
            .filter(|a| matches!(a.kind, AnchorKind::CarT(_)))
    }
}

/// Extracts every criterion input from a course.
///
/// The observations are walked once (`index::ByReader`) and each
/// extractor is handed the ones of its own kinds.
pub fn extract(course: &Course, opt: &ExtractOptions) -> CourseInputs {
    let by = index::ByReader::of(course);
    let counts = counts::daily_counts_of(by.counts.iter().copied());
    let marrow = marrow::marrow_assessments_of(
        by.marrow.iter().copied(),
        &counts,
        opt.marrow_count_window_days,
    );
    let read = FromObservations {
        span: by.span,
        temps: crs::max_temperatures_of(by.crs.iter().copied()),
        crs_records: crs::crs_records_of(course, by.crs.iter().copied()),
        gvhd: gvhd::gvhd_days_of(by.gvhd.iter().copied()),
        cgvhd: cgvhd::cgvhd_assessments_of(by.cgvhd.iter().copied()),
        icans: icans::icans_days_of(course.patient.birth_year, by.icans.iter().copied()),
        chimerism: chimerism::chimerism_samples_of(by.chimerism.iter().copied()),
        counts,
        marrow,
        lower_gi_diagnoses: gvhd::lower_gi_diagnoses_of(by.lower_gi_diagnoses.iter().copied()),
        weights: weight_history(by.weights.iter().copied()),
        biomarkers: biomarkers::biomarker_samples_of(by.biomarkers.iter().copied()),
        observations_in_date_order: by.in_date_order,
    };
    assemble(course, opt, read)
}

/// What the extractors read from the observations of their own kinds,
/// however those observations were picked out (the one pass of
/// [`index::ByReader`] in [`extract`]).
struct FromObservations {
    span: Option<(Date, Date)>,
    temps: DailySeries,
    crs_records: crs::CrsRecords,
    gvhd: Vec<GvhdDay>,
    cgvhd: Vec<CgvhdAssessment>,
    icans: Vec<IcansDay>,
    chimerism: Vec<ChimerismSample>,
    counts: DailyCounts,
    marrow: Vec<MarrowAssessment>,
    lower_gi_diagnoses: Vec<Date>,
    weights: Vec<(Date, f64)>,
    biomarkers: Vec<graftwatch_criteria::magic_biomarkers::BiomarkerSample>,
    observations_in_date_order: bool,
}

/// The inputs of a course from what its observations gave (`read`) and
/// what its events give: anchors, drugs, oxygen, the CRS days after each
/// CAR-T infusion, transplants, risk inputs, transfusions, death, therapies.
fn assemble(course: &Course, opt: &ExtractOptions, read: FromObservations) -> CourseInputs {
    let anchors = course.anchors();
    let drugs = drugs::drug_exposure(course);
    let oxygen = oxygen::oxygen_support(course);
    let crs_inputs = CrsInputs {
        temps: &read.temps,
        drugs: &drugs,
        oxygen: &oxygen,
        records: &read.crs_records,
    };
    let crs = cart_crs(&anchors, read.span, opt, &crs_inputs);
    let transplants = risk::transplants(course);
    let risk = risk::risk_inputs(course, &transplants);
    CourseInputs {
        anchors,
        span: read.span,
        transfusions: transfusion::transfusions(course),
        gvhd: read.gvhd,
        cgvhd: read.cgvhd,
        icans: read.icans,
        chimerism: read.chimerism,
        counts: read.counts,
        drugs,
        oxygen,
        crs,
        marrow: read.marrow,
        transplants,
        risk,
        death: outcome::death(course),
        upper_gi_histology: gvhd::upper_gi_histology(course),
        lower_gi_diagnoses: read.lower_gi_diagnoses,
        therapies: marrow::therapy_starts(course),
        weights: read.weights,
        biomarkers: read.biomarkers,
        observations_in_date_order: read.observations_in_date_order,
    }
}

/// What the CRS days of each CAR-T infusion are built from.
pub(crate) struct CrsInputs<'a> {
    pub(crate) temps: &'a DailySeries,
    pub(crate) drugs: &'a drugs::DrugExposure,
    pub(crate) oxygen: &'a oxygen::OxygenSupport,
    pub(crate) records: &'a crs::CrsRecords,
}

/// The CRS inputs day by day after every CAR-T infusion, up to the CRS
/// window or the course's last date (none for a course without dates).
pub(crate) fn cart_crs(
    anchors: &[Anchor],
    span: Option<(Date, Date)>,
    opt: &ExtractOptions,
    x: &CrsInputs<'_>,
) -> Vec<CarTCrs> {
    let Some((_, last)) = span else {
        return Vec::new();
    };
    anchors
        .iter()
        .filter(|a| matches!(a.kind, AnchorKind::CarT(_)))
        .map(|a| CarTCrs {
            anchor: *a,
            days: crs::crs_days(
                a.date,
                opt.crs_window_days,
                last,
                x.temps,
                x.drugs,
                x.oxygen,
                x.records,
            ),
        })
        .collect()
}

/// The body weights of a course, date order.
fn weight_history<'a>(obs: impl Iterator<Item = &'a Observation>) -> Vec<(Date, f64)> {
    let mut w: Vec<(Date, f64)> = obs
        .filter(|o| o.kind == graftwatch_course::ObservationKind::Weight)
        .filter_map(|o| o.number().map(|v| (o.date, v)))
        .collect();
    w.sort_by_key(|x| x.0);
    w
}

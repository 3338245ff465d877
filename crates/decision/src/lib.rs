//! # graftwatch-decision
//!
//! Decision support on a patient course: for a day, which DLI triggers and
//! prerequisites are met (with the observations behind each), the dose plan
//! for each donor who can give lymphocytes (a cord unit cannot), and the
//! graft checks at transplant. The rules themselves are pure functions in
//! `graftwatch-criteria` (`dli`, `graft_dose`); this crate builds their
//! inputs from a [`Course`] and from GVHD grades supplied by the caller.
//!
//! Output is framed as "criteria met / not met, with reasons and sources",
//! never as an order.

use graftwatch_core::{Date, PersonRef};
use graftwatch_course::{Course, DonorRelationship, DrugClass, EventDetail, ObservationKind};
use graftwatch_criteria::dli::{
    self, ChronicSeverity, DliAssessment, DliConfig, DliDonor, DliDonorType, DliInput, GivenDli,
    ImmunosuppressionState, MrdMethod, MrdResult, RecipientShare,
};
use graftwatch_criteria::graft_dose::{self, GraftCheck, GraftToCheck};
use graftwatch_grading::extract::chimerism::chimerism_samples;
use serde::Serialize;

/// The GVHD state the DLI rules need, from the grading engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GvhdStatus {
    /// Daily MAGIC overall grade (0–4) by date.
    pub agvhd_daily: Vec<(Date, u8)>,
    /// Chronic GVHD global severity assessments by date.
    pub cgvhd: Vec<(Date, ChronicSeverity)>,
}

impl GvhdStatus {
    /// The current acute grade on `on`: the latest entry on or before it. The
    /// engine lists every day with grade ≥ I and the day it returns to 0, so a
    /// latest entry of 0 stays current; a grade ≥ I older than 14 days with
    /// nothing since is not current (`None`: not assessed recently). With no
    /// entry at all, no acute GVHD was found: grade 0.
    fn agvhd_on(&self, on: Date) -> Option<(u8, Option<Date>)> {
        match self
            .agvhd_daily
            .iter()
            .filter(|(d, _)| *d <= on)
            .max_by_key(|(d, _)| *d)
        {
            None => Some((0, None)),
            Some((d, 0)) => Some((0, Some(*d))),
            Some((d, g)) if on.days_since(*d).get() <= 14 => Some((*g, Some(*d))),
            Some(_) => None,
        }
    }
    fn any_agvhd_between(&self, from: Date, to: Date) -> bool {
        self.agvhd_daily
            .iter()
            .any(|(d, g)| *d > from && *d <= to && *g >= 1)
    }
}

/// Errors building the decision inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// No transplant on or before the date.
    #[error(
        "no transplant (graft infusion) on or before {0}: DLI criteria need a transplant day 0"
    )]
    NoTransplant(Date),
}

/// Maps a donor relationship to the DLI dose-table donor type.
pub fn donor_type(r: DonorRelationship) -> Option<DliDonorType> {
    Some(match r {
        DonorRelationship::MatchedSibling
        | DonorRelationship::MatchedRelated
        | DonorRelationship::Syngeneic => DliDonorType::MatchedRelated,
        DonorRelationship::MatchedUnrelated | DonorRelationship::MismatchedUnrelated => {
            DliDonorType::Unrelated
        }
        DonorRelationship::Haploidentical => DliDonorType::Haploidentical,
        DonorRelationship::UnrelatedCord => DliDonorType::CordBlood,
        DonorRelationship::Autologous => return None,
    })
}

/// Builds the DLI inputs for `on` from the course. DLIs given ON that day are
/// not counted as previous, so the assessment at a DLI date shows the
/// decision that preceded it.
pub fn dli_input(course: &Course, on: Date, gvhd: &GvhdStatus) -> Result<DliInput, DecisionError> {
    let day0 = course
        .anchors()
        .into_iter()
        .filter(|a| matches!(a.kind, graftwatch_course::AnchorKind::Transplant(_)) && a.date <= on)
        .map(|a| a.date)
        .max()
        .ok_or(DecisionError::NoTransplant(on))?;

    let samples = chimerism_samples(course);
    let chimerism: Vec<RecipientShare> = samples
        .iter()
        .filter(|s| s.date >= day0 && s.date <= on)
        .filter_map(|s| {
            s.recipient_percent().map(|r| RecipientShare {
                date: s.date,
                lineage: s.lineage,
                recipient_percent: r,
                lod_percent: None,
            })
        })
        .collect();

    let mut mrd = Vec::new();
    for (kind, method) in [
        (ObservationKind::MrdFlow, MrdMethod::Flow),
        (ObservationKind::MrdQpcr, MrdMethod::Qpcr),
    ] {
        for o in course.observations_of(kind) {
            if o.date >= day0
                && o.date <= on
                && let Some(v) = o.number()
            {
                mrd.push(MrdResult {
                    date: o.date,
                    method,
                    percent: v,
                });
            }
        }
    }
    let marrow_blasts: Vec<(Date, f64)> = course
        .observations_of(ObservationKind::MarrowBlasts)
        .filter(|o| o.date >= day0 && o.date <= on)
        .filter_map(|o| o.number().map(|v| (o.date, v)))
        .collect();

    // Immunosuppression: any immunosuppressant or systemic steroid course
    // covering the day; "tapering" when its recorded stop is within 14 days.
    let mut state = ImmunosuppressionState::Off;
    for e in &course.events {
        if let EventDetail::Drug {
            class: DrugClass::Immunosuppressant | DrugClass::Steroid,
            ..
        } = e.detail
            && e.covers(on)
        {
            let tapering = e.end_date.is_some_and(|end| end.days_since(on).get() <= 14);
            state = match (state, tapering) {
                (ImmunosuppressionState::Active, _) | (_, false) => ImmunosuppressionState::Active,
                _ => ImmunosuppressionState::Tapering,
            };
        }
    }
    let infection = course
        .events
        .iter()
        .any(|e| matches!(e.detail, EventDetail::Infection { .. }) && e.covers(on));

    let latest_share = |id: &str| {
        samples.iter().filter(|s| s.date <= on).rev().find_map(|s| {
            s.shares
                .iter()
                .find(|sh| matches!(&sh.person, PersonRef::Donor(d) if d.0 == id))
                .map(|sh| sh.percent)
        })
    };
    let donors = course
        .donors
        .iter()
        .filter_map(|d| {
            donor_type(d.relationship).map(|t| DliDonor {
                id: d.id.0.clone(),
                donor_type: t,
                latest_share_percent: latest_share(&d.id.0),
            })
        })
        .collect();
    let previous: Vec<GivenDli> = course
        .events
        .iter()
        .filter_map(|e| match &e.detail {
            EventDetail::Dli {
                donor, cd3_per_kg, ..
            } if e.date < on && e.date >= day0 => Some(GivenDli {
                date: e.date,
                donor: donor.0.clone(),
                cd3_per_kg: *cd3_per_kg,
            }),
            _ => None,
        })
        .collect();
    let gvhd_after_previous_dli = previous
        .iter()
        .map(|p| p.date)
        .max()
        .is_some_and(|last| gvhd.any_agvhd_between(last, on));
    let ag = gvhd.agvhd_on(on);
    let cg = gvhd
        .cgvhd
        .iter()
        .filter(|(d, _)| *d <= on)
        .max_by_key(|(d, _)| *d)
        .map(|(_, s)| *s);
    Ok(DliInput {
        on,
        hct_day0: day0,
        chimerism,
        mrd,
        marrow_blasts,
        agvhd_grade: ag.map(|(g, _)| g),
        agvhd_date: ag.and_then(|(_, d)| d),
        cgvhd: Some(cg.unwrap_or(ChronicSeverity::None)),
        immunosuppression: state,
        uncontrolled_infection: Some(infection),
        donors,
        previous,
        gvhd_after_previous_dli,
    })
}

/// Assesses DLI criteria on `on`.
pub fn assess_dli(
    course: &Course,
    on: Date,
    gvhd: &GvhdStatus,
    cfg: &DliConfig,
) -> Result<DliAssessment, DecisionError> {
    Ok(dli::assess(&dli_input(course, on, gvhd)?, cfg))
}

/// The graft checks of transplant `n`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraftReport {
    /// Transplant number.
    pub transplant: u32,
    /// Checks, one per graft and quantity.
    pub checks: Vec<GraftCheck>,
}

/// Checks every graft of transplant `n` against the cell-dose and HLA conventions.
pub fn graft_checks(course: &Course, n: u32) -> GraftReport {
    let grafts: Vec<GraftToCheck> = course
        .events
        .iter()
        .filter_map(|e| match &e.detail {
            EventDetail::GraftInfusion {
                transplant,
                source,
                donor,
                tnc_per_kg,
                cd34_per_kg,
                cd3_per_kg,
            } if *transplant == n => {
                let d = course.donor(donor);
                Some(GraftToCheck {
                    donor: donor.0.clone(),
                    is_ucb: *source == graftwatch_course::GraftSource::Ucb,
                    haploidentical: d
                        .is_some_and(|d| d.relationship == DonorRelationship::Haploidentical),
                    hla_match: d.and_then(|d| d.hla_match.clone()),
                    tnc_per_kg: *tnc_per_kg,
                    cd34_per_kg: *cd34_per_kg,
                    cd3_per_kg: *cd3_per_kg,
                })
            }
            _ => None,
        })
        .collect();
    GraftReport {
        transplant: n,
        checks: graft_dose::check_grafts(&grafts),
    }
}

/// Builds the GVHD status from the grading engine's output: the daily MAGIC
/// grade entries of the timeline and the NIH 2014 chronic GVHD summary items.
pub fn gvhd_status_from_grades(grades: &graftwatch_grading::CourseGrades) -> GvhdStatus {
    use graftwatch_grading::Criterion;
    let mut st = GvhdStatus::default();
    for day in &grades.timeline {
        for e in &day.entries {
            match e.criterion {
                Criterion::Agvhd => st.agvhd_daily.push((day.date, e.level.min(4))),
                Criterion::Cgvhd => {
                    let sev = match e.level {
                        0 => ChronicSeverity::None,
                        1 => ChronicSeverity::Mild,
                        2 => ChronicSeverity::Moderate,
                        _ => ChronicSeverity::Severe,
                    };
                    st.cgvhd.push((day.date, sev));
                }
                _ => {}
            }
        }
    }
    st
}

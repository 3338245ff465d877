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
use graftwatch_course::{
    AnchorKind, Course, DonorRelationship, DrugClass, EventDetail, ObservationKind,
};
use graftwatch_criteria::dli::{
    self, Agent, ChronicSeverity, DliAssessment, DliConfig, DliDonor, DliDonorType, DliInput,
    GivenDli, ImmunosuppressionState, MrdMethod, MrdResult, RecipientShare,
};
use graftwatch_criteria::graft_dose::{self, GraftCheck, GraftToCheck};
use graftwatch_grading::extract::chimerism::chimerism_samples;
use serde::Serialize;

/// The GVHD state the DLI rules need, from the grading engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GvhdStatus {
    /// Daily MAGIC overall grade (0–4) by date: the engine lists every day
    /// with grade ≥ I and the day it returns to 0.
    pub agvhd_daily: Vec<(Date, u8)>,
    /// Chronic GVHD global severity assessments by date.
    pub cgvhd: Vec<(Date, ChronicSeverity)>,
}

impl GvhdStatus {
    /// The latest acute grade entry on or before `on`. With no entry the
    /// engine found no grade ≥ I: grade 0, undated. Whether the grade is
    /// recent enough is the DLI rule's question, answered from the date of
    /// the latest GVHD assessment.
    fn agvhd_on(&self, on: Date) -> (u8, Option<Date>) {
        self.agvhd_daily
            .iter()
            .filter(|(d, _)| *d <= on)
            .max_by_key(|(d, _)| *d)
            .map_or((0, None), |(d, g)| (*g, Some(*d)))
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
    /// No transplant on or before the date: DLI does not apply.
    #[error("no transplant (graft infusion) on or before {0}: DLI not applicable")]
    NoTransplant(Date),
    /// The patient died on or before the assessment day: no DLI decision,
    /// trigger or dose plan applies.
    #[error("patient died on {death}{}: DLI not applicable (no decision, no triggers, no dose plan)", after_death(*.on, *.death))]
    Deceased {
        /// The assessment day asked for.
        on: Date,
        /// The recorded date of death.
        death: Date,
    },
}

impl DecisionError {
    /// The status in words for a ward or patient list: why DLI does not
    /// apply (`not applicable: deceased`, `not applicable: no transplant`).
    pub fn outcome_label(&self) -> &'static str {
        match self {
            DecisionError::NoTransplant(_) => "not applicable: no transplant",
            DecisionError::Deceased { .. } => DECEASED_OUTCOME,
        }
    }
}

/// The outcome label of a deceased patient's DLI status (ward, patient list).
pub const DECEASED_OUTCOME: &str = "not applicable: deceased";

fn after_death(on: Date, death: Date) -> String {
    if on > death {
        format!(" (the assessment day {on} is after the death)")
    } else {
        String::new()
    }
}

/// The recorded date of death when it is on or before `on`: from that day
/// on no DLI decision applies (the one rule for `decide`, the report and the
/// ward).
pub fn died_by(course: &Course, on: Date) -> Option<Date> {
    course
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::Death { .. }))
        .map(|e| e.date)
        .min()
        .filter(|d| *d <= on)
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

/// The transplant a decision on `on` counts from: the latest transplant
/// whose day 0 is on or before `on` (the same rule as the grading engine's
/// primary anchor). Returns (transplant number, day 0).
pub fn transplant_for(course: &Course, on: Date) -> Option<(u32, Date)> {
    course
        .anchors()
        .into_iter()
        .filter(|a| a.date <= on)
        .filter_map(|a| match a.kind {
            AnchorKind::Transplant(n) => Some((n, a.date)),
            _ => None,
        })
        .max_by_key(|(_, d)| *d)
}

/// The date `day` days after the day 0 of the course's latest transplant
/// (what `decide --on +N` means), with that transplant's number. `None`
/// when the course has no transplant.
pub fn date_of_day(course: &Course, day: i32) -> Option<(Date, u32)> {
    course
        .anchors()
        .into_iter()
        .filter_map(|a| match a.kind {
            AnchorKind::Transplant(n) => Some((a.date.add_days(day), n)),
            _ => None,
        })
        .max_by_key(|(d, _)| *d)
}

fn chimerism_input(course: &Course, day0: Date, on: Date) -> Vec<RecipientShare> {
    chimerism_samples(course)
        .iter()
        .filter(|s| s.date >= day0 && s.date <= on)
        .filter_map(|s| {
            s.recipient_for_trend().map(|(r, lod)| RecipientShare {
                date: s.date,
                lineage: s.lineage,
                recipient_percent: r,
                lod_percent: lod,
            })
        })
        .collect()
}

fn mrd_input(course: &Course, day0: Date, on: Date) -> Vec<MrdResult> {
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
                mrd.push(MrdResult::quantitative(o.date, method, v));
            }
        }
    }
    // Qualitative results (positive / negative): flow when the method says
    // so, otherwise molecular (qPCR, dPCR, NGS).
    for o in course.observations_of(ObservationKind::MrdStatus) {
        if o.date >= day0
            && o.date <= on
            && let Some(c) = o.value.as_category()
        {
            let method = match o.method {
                Some(graftwatch_course::ChimerismMethod::Flow) => MrdMethod::Flow,
                _ => MrdMethod::Qpcr,
            };
            mrd.push(MrdResult {
                qualitative: Some(c == "positive"),
                ..MrdResult::quantitative(o.date, method, 0.0)
            });
        }
    }
    mrd
}

/// Immunosuppression on `on`: any immunosuppressant or systemic steroid
/// course covering the day; "tapering" when its recorded stop is within the
/// taper window. A course that records no immunosuppressant or systemic
/// steroid at all up to `on` is [`ImmunosuppressionState::Unknown`], not
/// "off": practically every allogeneic transplant has GVHD prophylaxis, so
/// no record means the drug history is missing, not that it was stopped
/// (docs/decision.md, "Prerequisites").
fn immunosuppression_on(course: &Course, on: Date, cfg: &DliConfig) -> ImmunosuppressionState {
    if immunosuppressant_on(course, on).is_none() {
        return ImmunosuppressionState::Unknown;
    }
    let mut state = ImmunosuppressionState::Off;
    for e in &course.events {
        if let EventDetail::Drug {
            class: DrugClass::Immunosuppressant | DrugClass::Steroid,
            ..
        } = e.detail
            && e.covers(on)
        {
            let tapering = e
                .end_date
                .is_some_and(|end| end.days_since(on).get() <= cfg.taper_window_days);
            state = match (state, tapering) {
                (ImmunosuppressionState::Active, _) | (_, false) => ImmunosuppressionState::Active,
                _ => ImmunosuppressionState::Tapering,
            };
        }
    }
    state
}

/// The latest dated infection evidence on or before `on`: an infection
/// episode covering `on` (uncontrolled), the end of an episode, or an
/// `infection_status` record. Returns (uncontrolled, date of the evidence);
/// an open-ended episode is dated by its start, so years later it is stale
/// evidence rather than a fresh "ongoing".
pub fn infection_on(course: &Course, on: Date) -> Option<(bool, Date)> {
    let mut best: Option<(bool, Date)> = None;
    let mut take = |uncontrolled: bool, d: Date| {
        if best.is_none_or(|(_, b)| d >= b) {
            best = Some((uncontrolled, d));
        }
    };
    for e in &course.events {
        if !matches!(e.detail, EventDetail::Infection { .. }) || e.date > on {
            continue;
        }
        match e.end_date {
            Some(end) if end < on => take(false, end),
            // Recorded to last through `on`: dated evidence on `on`.
            Some(_) => take(true, on),
            // Open-ended: the only dated evidence is its start.
            None => take(true, e.date),
        }
    }
    for o in course.observations_of(ObservationKind::InfectionStatus) {
        if o.date <= on
            && let Some(c) = o.value.as_category()
        {
            take(c == "uncontrolled", o.date);
        }
    }
    best
}

/// Whether an observation is an acute GVHD organ assessment of skin or GI:
/// a skin or GI finding recorded (with or without findings), or an
/// `agvhd_no_findings` record of skin, GI or all organs. Liver (a bilirubin
/// value) alone is not a GVHD examination.
fn is_acute_skin_gi_assessment(o: &graftwatch_course::Observation) -> bool {
    match o.kind {
        ObservationKind::AgvhdNoFindings => o.value.as_category().is_some_and(|c| c != "liver"),
        k => k.is_acute_skin_gi_finding(),
    }
}

/// The latest acute GVHD organ assessment on or before `on`: skin or GI
/// staged, or an explicit no-findings record of skin, GI or all organs
/// (`is_acute_skin_gi_assessment`). A day the engine could not grade (a
/// bilirubin alone) is not one.
pub fn gvhd_assessed_on(course: &Course, on: Date) -> Option<Date> {
    course
        .observations
        .iter()
        .filter(|o| o.date <= on && is_acute_skin_gi_assessment(o))
        .map(|o| o.date)
        .max()
}

/// The latest chronic GVHD (NIH 2014) organ assessment on or before `on`: a
/// chronic GVHD organ finding recorded, or a day the engine scored chronic
/// GVHD.
pub fn cgvhd_assessed_on(course: &Course, gvhd: &GvhdStatus, on: Date) -> Option<Date> {
    course
        .observations
        .iter()
        .filter(|o| o.date <= on && o.kind.is_gvhd_finding() && !is_acute_skin_gi_assessment(o))
        .map(|o| o.date)
        .chain(gvhd.cgvhd.iter().map(|(d, _)| *d).filter(|d| *d <= on))
        .max()
}

/// The immunosuppressant or systemic steroid behind the state on `on`: the
/// course covering the day that runs longest (open-ended first), else the
/// one stopped last before it.
pub fn immunosuppressant_on(course: &Course, on: Date) -> Option<Agent> {
    course
        .events
        .iter()
        .filter_map(|e| match &e.detail {
            EventDetail::Drug {
                name,
                class: DrugClass::Immunosuppressant | DrugClass::Steroid,
                ..
            } if e.date <= on => Some((e, name)),
            _ => None,
        })
        .max_by_key(|(e, _)| (e.covers(on), e.end_date.is_none(), e.end_date, e.date))
        .map(|(e, name)| Agent {
            name: name.clone(),
            start: e.date,
            stop: e.end_date,
        })
}

fn donors_input(course: &Course, on: Date) -> Vec<DliDonor> {
    let samples = chimerism_samples(course);
    let latest_share = |id: &str| {
        samples.iter().filter(|s| s.date <= on).rev().find_map(|s| {
            s.shares
                .iter()
                .find(|sh| matches!(&sh.person, PersonRef::Donor(d) if d.0 == id))
                .map(|sh| sh.percent)
        })
    };
    course
        .donors
        .iter()
        .filter_map(|d| {
            donor_type(d.relationship).map(|t| DliDonor {
                id: d.id.0.clone(),
                donor_type: t,
                latest_share_percent: latest_share(&d.id.0),
            })
        })
        .collect()
}

fn previous_dlis(course: &Course, day0: Date, on: Date) -> Vec<GivenDli> {
    course
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
        .collect()
}

/// Builds the DLI inputs for `on` from the course. DLIs given ON that day are
/// not counted as previous, so the assessment at a DLI date shows the
/// decision that preceded it.
pub fn dli_input(
    course: &Course,
    on: Date,
    gvhd: &GvhdStatus,
    cfg: &DliConfig,
) -> Result<DliInput, DecisionError> {
    if let Some(death) = died_by(course, on) {
        return Err(DecisionError::Deceased { on, death });
    }
    let (transplant, day0) = transplant_for(course, on).ok_or(DecisionError::NoTransplant(on))?;
    let previous = previous_dlis(course, day0, on);
    let gvhd_after_previous_dli = previous
        .iter()
        .map(|p| p.date)
        .max()
        .is_some_and(|last| gvhd.any_agvhd_between(last, on));
    let (grade, grade_date) = gvhd.agvhd_on(on);
    let cgvhd = gvhd
        .cgvhd
        .iter()
        .filter(|(d, _)| *d <= on)
        .max_by_key(|(d, _)| *d)
        .map_or(ChronicSeverity::None, |(_, s)| *s);
    let infection = infection_on(course, on);
    Ok(DliInput {
        on,
        hct_day0: day0,
        transplant,
        chimerism: chimerism_input(course, day0, on),
        mrd: mrd_input(course, day0, on),
        marrow_blasts: course
            .observations_of(ObservationKind::MarrowBlasts)
            .filter(|o| o.date >= day0 && o.date <= on)
            .filter_map(|o| o.percent().map(|v| (o.date, v)))
            .collect(),
        agvhd_grade: Some(grade),
        agvhd_date: grade_date,
        cgvhd: Some(cgvhd),
        gvhd_assessed: gvhd_assessed_on(course, on),
        cgvhd_assessed: cgvhd_assessed_on(course, gvhd, on),
        immunosuppression: immunosuppression_on(course, on, cfg),
        immunosuppressant: immunosuppressant_on(course, on),
        uncontrolled_infection: infection.map(|(u, _)| u),
        infection_assessed: infection.map(|(_, d)| d),
        donors: donors_input(course, on),
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
    Ok(dli::assess(&dli_input(course, on, gvhd, cfg)?, cfg))
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
        .graft_infusions(n)
        .map(|g| {
            let d = course.donor(g.donor);
            GraftToCheck {
                donor: g.donor.0.clone(),
                is_ucb: g.source == graftwatch_course::GraftSource::Ucb,
                haploidentical: d
                    .is_some_and(|d| d.relationship == DonorRelationship::Haploidentical),
                hla_match: d.and_then(|d| d.hla_match.clone()),
                tnc_per_kg: g.tnc_per_kg,
                cd34_per_kg: g.cd34_per_kg,
                cd3_per_kg: g.cd3_per_kg,
            }
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
                // A day that could not be graded is no grade 0.
                Criterion::Agvhd if e.not_gradable() => {}
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

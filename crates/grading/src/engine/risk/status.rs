//! Disease status at the first transplant, from the course history: the
//! therapy given before HCT, every marrow (AML, MDS, ALL) graded by ELN
//! 2022 with the diagnostic marrow as the pretreatment value, the
//! `lymphoma_response` observations (lymphomas, CLL) and the `cml_phase`
//! observations (CML). One status feeds both the refined DRI stage and the
//! EBMT disease stage.

use graftwatch_core::{Date, Percent};
use graftwatch_course::{Course, Disease, DrugClass, EventDetail, ObservationKind};
use graftwatch_criteria::eln_response::{ElnResponse, eln_response, marrow_blasts_clear};
use graftwatch_criteria::{Evidence, Flag, Graded};

use crate::extract::{CourseInputs, MarrowAssessment};

/// CML phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmlPhase {
    Chronic,
    Accelerated,
    Blast,
}

/// The disease status at HCT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// No therapy between diagnosis and HCT.
    Untreated,
    /// Complete remission number `n` (CR1, CR2, …).
    Remission(u32),
    /// Partial remission.
    Partial,
    /// Stable disease (lymphoma/CLL): chemoresistant.
    Stable { had_cr: bool },
    /// Active disease never brought into remission: induction failure.
    PrimaryRefractory,
    /// Active disease after a remission: relapse.
    Relapse,
    /// CML phase; `second_chronic` = chronic after an advanced phase.
    Cml {
        phase: CmlPhase,
        second_chronic: bool,
    },
}

impl Status {
    /// The status in words.
    pub(crate) fn label(self) -> String {
        match self {
            Status::Untreated => "untreated".into(),
            Status::Remission(n) => format!("complete remission (CR{n})"),
            Status::Partial => "partial remission".into(),
            Status::Stable { .. } => "stable disease (chemoresistant)".into(),
            Status::PrimaryRefractory => "primary refractory (induction failure)".into(),
            Status::Relapse => "active relapse".into(),
            Status::Cml {
                phase,
                second_chronic,
            } => match phase {
                CmlPhase::Chronic if second_chronic => "CML second chronic phase".into(),
                CmlPhase::Chronic => "CML first chronic phase".into(),
                CmlPhase::Accelerated => "CML accelerated phase".into(),
                CmlPhase::Blast => "CML blast phase".into(),
            },
        }
    }
}

/// The status with the observations that gave it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatusAtHct {
    pub status: Status,
    pub evidence: Vec<Evidence>,
    pub flags: Vec<Flag>,
    /// Date of the last assessment that decided the status.
    pub last_date: Option<Date>,
}

impl StatusAtHct {
    /// The status with the date of the assessment that decided it.
    pub(crate) fn describe(&self) -> String {
        match self.last_date {
            Some(d) => format!("{} (last assessment {d})", self.status.label()),
            None => self.status.label(),
        }
    }
}

/// One response step of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Cr,
    Pr,
    Stable,
    Active,
}

/// The first therapy (not conditioning) after diagnosis and before HCT.
pub(crate) fn first_therapy(course: &Course, dx: Date, hct: Date) -> Option<(Date, String)> {
    course
        .events
        .iter()
        .filter(|e| e.date < hct && e.date.add_days(30) >= dx)
        .find_map(|e| {
            let what = match &e.detail {
                EventDetail::Chemotherapy { regimen, .. } => format!("chemotherapy {regimen}"),
                EventDetail::CarTInfusion { product, .. } => format!("CAR-T {product}"),
                EventDetail::Lymphodepletion { regimen, .. } => {
                    format!("lymphodepletion {regimen}")
                }
                EventDetail::Drug {
                    name,
                    class: DrugClass::AntiLeukemic,
                    ..
                } => format!("anti-leukaemic drug {name}"),
                _ => return None,
            };
            Some((e.date, what))
        })
}

/// Walks the steps: returns the status of the last one and the CR count.
fn walk(steps: &[Step]) -> Option<Status> {
    let mut crs = 0u32;
    let mut in_cr = false;
    for s in steps {
        if *s == Step::Cr {
            if !in_cr {
                crs += 1;
            }
            in_cr = true;
        } else {
            in_cr = false;
        }
    }
    Some(match steps.last()? {
        Step::Cr => Status::Remission(crs),
        Step::Pr => Status::Partial,
        Step::Stable => Status::Stable { had_cr: crs > 0 },
        Step::Active if crs > 0 => Status::Relapse,
        Step::Active => Status::PrimaryRefractory,
    })
}

/// The pretreatment marrow: the latest with a blast % on or before the
/// first therapy (the diagnostic marrow).
fn pretreatment(marrow: &[MarrowAssessment], start: Date) -> Option<&MarrowAssessment> {
    marrow
        .iter()
        .rfind(|m| m.date <= start && m.blasts_percent.is_some())
}

fn eln_step(r: ElnResponse, mlfs_is_cr: bool) -> Step {
    match r {
        r if r.is_cr_family() => Step::Cr,
        ElnResponse::Mlfs if mlfs_is_cr => Step::Cr,
        ElnResponse::Pr => Step::Pr,
        _ => Step::Active,
    }
}

/// Myeloid and ALL status from the marrows after therapy started.
fn marrow_status(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    start: Date,
    hct: Date,
    out: &mut StatusAtHct,
) -> Result<Status, String> {
    let pre = pretreatment(&x.marrow, start);
    if let Some(p) = pre {
        out.evidence.push(Evidence::value(
            Some(p.date),
            "pretreatment marrow blasts",
            p.blasts_percent.map_or(0.0, Percent::get),
            Some(graftwatch_core::Unit::Percent),
            "baseline for partial remission (ELN 2022)",
        ));
    }
    let mut steps = Vec::new();
    for m in x.marrow.iter().filter(|m| m.date > start && m.date < hct) {
        let mut a = super::super::eln::to_assessment(m, x, cfg.engraftment.transfusion_window_days);
        a.pretreatment_bm_blasts_pct = pre.and_then(|p| p.blasts_percent).map(Percent::get);
        match eln_response(&a, &cfg.eln_response) {
            Ok(Graded::Value { value, .. }) => {
                if value == ElnResponse::Mlfs && cfg.risk.mlfs_counts_as_cr {
                    out.flags.push(Flag::new(
                        "GW-STAGE-MLFS",
                        format!("MLFS on {} counted as remission", m.date),
                    ));
                }
                steps.push(eln_step(value, cfg.risk.mlfs_counts_as_cr));
                out.last_date = Some(m.date);
                let note = format!("ELN 2022 response: {}", super::super::eln::label(value));
                out.evidence
                    .push(Evidence::finding(Some(m.date), "marrow response", note));
            }
            Ok(_)
                if m.blasts_percent
                    .is_some_and(|b| marrow_blasts_clear(b.get())) =>
            {
                steps.push(Step::Cr);
                out.last_date = Some(m.date);
                out.flags.push(Flag::new(
                    "GW-STAGE-MARROW",
                    format!(
                        "marrow of {} with blasts < 5 % counted as remission for the disease status although blood blasts, extramedullary disease or counts were not recorded",
                        m.date
                    ),
                ));
                out.evidence.push(Evidence::finding(
                    Some(m.date),
                    "marrow response",
                    format!(
                        "marrow blasts {} % (< 5 %): morphologic remission",
                        m.blasts_percent.map_or(0.0, Percent::get)
                    ),
                ));
            }
            Ok(other) => out.flags.push(Flag::new(
                "GW-STAGE-SKIP",
                format!(
                    "marrow of {} not used for the status: {}",
                    m.date,
                    other.explanation().reason
                ),
            )),
            Err(e) => out.flags.push(Flag::new(
                "GW-STAGE-SKIP",
                format!("marrow of {} not used for the status: {e}", m.date),
            )),
        }
    }
    walk(&steps).ok_or_else(|| {
        format!("a gradable marrow assessment after therapy began ({start}) and before HCT ({hct})")
    })
}

/// Lymphoma / CLL status from `lymphoma_response` observations.
fn lymphoid_status(course: &Course, dx: Date, hct: Date, out: &mut StatusAtHct) -> Option<Status> {
    let mut steps = Vec::new();
    for o in course
        .observations_of(ObservationKind::LymphomaResponse)
        .filter(|o| o.date >= dx && o.date < hct)
    {
        let step = match o.value.as_category() {
            Some("cr") => Step::Cr,
            Some("pr") => Step::Pr,
            Some("stable_disease") => Step::Stable,
            Some("progressive_disease") => Step::Active,
            _ => continue,
        };
        steps.push(step);
        out.last_date = Some(o.date);
        out.evidence.push(Evidence::finding(
            Some(o.date),
            "lymphoma response",
            o.value.to_string().replace('_', " "),
        ));
    }
    walk(&steps)
}

/// CML status from `cml_phase` observations.
fn cml_status(course: &Course, hct: Date, out: &mut StatusAtHct) -> Option<Status> {
    let mut phases: Vec<CmlPhase> = Vec::new();
    for o in course
        .observations_of(ObservationKind::CmlPhase)
        .filter(|o| o.date < hct)
    {
        let p = match o.value.as_category() {
            Some("chronic") => CmlPhase::Chronic,
            Some("accelerated") => CmlPhase::Accelerated,
            Some("blast") => CmlPhase::Blast,
            _ => continue,
        };
        phases.push(p);
        out.last_date = Some(o.date);
        out.evidence.push(Evidence::finding(
            Some(o.date),
            "CML phase",
            format!("{} phase", o.value),
        ));
    }
    let last = *phases.last()?;
    let advanced_before = phases[..phases.len() - 1]
        .iter()
        .any(|p| *p != CmlPhase::Chronic);
    Some(Status::Cml {
        phase: last,
        second_chronic: last == CmlPhase::Chronic && advanced_before,
    })
}

/// The disease status at HCT, or what is missing to tell it.
pub(crate) fn status_at_hct(
    course: &Course,
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    hct: Date,
) -> Result<StatusAtHct, String> {
    let dx = &x.risk.diagnosis;
    let mut out = StatusAtHct {
        status: Status::Untreated,
        evidence: Vec::new(),
        flags: Vec::new(),
        last_date: None,
    };
    let therapy = first_therapy(course, dx.date, hct);
    if let Some((d, what)) = &therapy {
        out.evidence
            .push(Evidence::finding(Some(*d), "first therapy", what.clone()));
    }
    let status = match dx.disease {
        Disease::Cml => cml_status(course, hct, &mut out)
            .ok_or_else(|| format!("a cml_phase observation before HCT ({hct})"))?,
        d if d.is_lymphoid_response_disease() => {
            match lymphoid_status(course, dx.date, hct, &mut out) {
                Some(s) => s,
                None if therapy.is_none() => untreated(&mut out, dx.date, hct),
                None => {
                    return Err(format!(
                        "a lymphoma_response observation between diagnosis and HCT ({hct})"
                    ));
                }
            }
        }
        Disease::Aml | Disease::Mds | Disease::All => match &therapy {
            None => no_therapy_status(x, cfg, hct, &mut out)?,
            Some((start, _)) => marrow_status(x, cfg, *start, hct, &mut out)?,
        },
        _ => {
            return Err(format!(
                "a disease the scores stage ({} is not one)",
                dx.disease.label()
            ));
        }
    };
    out.status = status;
    Ok(out)
}

/// AML, MDS or ALL with no therapy recorded: the marrows after the
/// diagnosis date still tell a remission (the therapy was evidently given
/// but not recorded, `GW-STAGE-NO-THERAPY`); otherwise MDS is untreated and
/// acute leukaemia keeps the status its marrows show (untreated with only
/// the diagnostic marrow). Acute leukaemia with neither a therapy nor any
/// marrow up to HCT is not assumed untreated (an absent record is not an
/// untreated disease: it scored the EBMT stage 2 points): the status is
/// missing.
fn no_therapy_status(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    hct: Date,
    out: &mut StatusAtHct,
) -> Result<Status, String> {
    let dx = &x.risk.diagnosis;
    let mut trial = StatusAtHct {
        status: Status::Untreated,
        evidence: Vec::new(),
        flags: Vec::new(),
        last_date: None,
    };
    let s = marrow_status(x, cfg, dx.date, hct, &mut trial).ok();
    let use_history = match s {
        Some(Status::Remission(_) | Status::Partial) => true,
        Some(_) => dx.disease != Disease::Mds,
        None => false,
    };
    match s.filter(|_| use_history) {
        Some(s) => {
            out.evidence.extend(trial.evidence);
            out.flags.extend(trial.flags);
            out.last_date = trial.last_date;
            out.flags.push(Flag::new(
                "GW-STAGE-NO-THERAPY",
                format!(
                    "no therapy recorded between diagnosis ({}) and HCT: the status is read from the marrows after the diagnosis date",
                    dx.date
                ),
            ));
            Ok(s)
        }
        None if dx.disease == Disease::Mds || x.marrow.iter().any(|m| m.date <= hct) => {
            Ok(untreated(out, dx.date, hct))
        }
        None => Err(format!(
            "the disease status at HCT ({hct}): no therapy and no marrow assessment recorded from diagnosis ({}) to HCT",
            dx.date
        )),
    }
}

fn untreated(out: &mut StatusAtHct, dx: Date, hct: Date) -> Status {
    out.evidence.push(Evidence::finding(
        None,
        "therapy before HCT",
        format!(
            "no chemotherapy, CAR-T or anti-leukaemic drug between diagnosis ({dx}) and HCT ({hct})"
        ),
    ));
    Status::Untreated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_counts_remissions_and_relapses() {
        use Step::*;
        assert_eq!(walk(&[Cr]), Some(Status::Remission(1)));
        assert_eq!(walk(&[Cr, Cr]), Some(Status::Remission(1)));
        assert_eq!(walk(&[Cr, Active, Cr]), Some(Status::Remission(2)));
        assert_eq!(walk(&[Cr, Active]), Some(Status::Relapse));
        assert_eq!(walk(&[Active, Active]), Some(Status::PrimaryRefractory));
        assert_eq!(walk(&[Active, Pr]), Some(Status::Partial));
        assert_eq!(walk(&[Cr, Stable]), Some(Status::Stable { had_cr: true }));
        assert_eq!(walk(&[]), None);
    }
}

//! EBMT (Gratwohl) score from the course: age, stage from the status at
//! HCT, time from diagnosis, donor type and donor → recipient sex of the
//! first transplant.

use graftwatch_core::Date;
use graftwatch_course::{Course, Disease, DonorRelationship, Sex as CSex};
use graftwatch_criteria::ebmt_score::{
    EBMT_SCORE_CITATION, EbmtDonor, EbmtInput, EbmtScore, EbmtStage, Sex, ebmt_score_with,
};
use graftwatch_criteria::{Evidence, Flag, Graded};

use super::status::{CmlPhase, Status, StatusAtHct};
use super::{Sink, add_flags, insufficient};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, Transplant};
use crate::output::SummaryItem;

/// The EBMT stage of a status for a disease family (Gratwohl 2009 Table 1).
fn stage(disease: Disease, s: Status) -> Result<EbmtStage, String> {
    use EbmtStage::{Early, Intermediate, Late};
    let lymphoid = disease.is_lymphoid_response_disease();
    Ok(match (disease, s) {
        (
            _,
            Status::Cml {
                phase,
                second_chronic,
            },
        ) => match phase {
            CmlPhase::Chronic if !second_chronic => Early,
            CmlPhase::Chronic | CmlPhase::Accelerated => Intermediate,
            CmlPhase::Blast => Late,
        },
        (_, Status::Remission(1)) => Early,
        (_, Status::Remission(2)) => Intermediate,
        (Disease::Mds, Status::Untreated) => Early,
        (Disease::Mds, Status::Partial) => Intermediate,
        (_, Status::Untreated) if lymphoid => Early,
        (_, Status::Partial | Status::Stable { .. }) if lymphoid => Intermediate,
        (Disease::Other, _) => {
            return Err("a disease the EBMT score stages (disease 'other')".into());
        }
        _ => Late,
    })
}

fn donor_type(r: DonorRelationship) -> EbmtDonor {
    match r {
        DonorRelationship::MatchedSibling => EbmtDonor::HlaIdenticalSibling,
        DonorRelationship::Syngeneic => EbmtDonor::Syngeneic,
        DonorRelationship::Haploidentical => EbmtDonor::Haploidentical,
        DonorRelationship::UnrelatedCord => EbmtDonor::CordBlood,
        DonorRelationship::MatchedRelated
        | DonorRelationship::MatchedUnrelated
        | DonorRelationship::MismatchedUnrelated
        | DonorRelationship::Autologous => EbmtDonor::Unrelated,
    }
}

fn sex(s: CSex) -> Option<Sex> {
    match s {
        CSex::Female => Some(Sex::Female),
        CSex::Male => Some(Sex::Male),
        CSex::Unknown => None,
    }
}

/// The donor of the long-term graft: the first non-cord donor, else the first.
fn main_donor<'a>(course: &'a Course, t: &Transplant) -> Option<&'a graftwatch_course::Donor> {
    let donors: Vec<_> = t
        .grafts
        .iter()
        .filter_map(|g| course.donor(&g.donor))
        .collect();
    donors
        .iter()
        .find(|d| d.relationship != DonorRelationship::UnrelatedCord)
        .or(donors.first())
        .copied()
}

/// Adds the status evidence and flags, and names the status in the stage
/// component.
fn explain(g: &mut Graded<EbmtScore>, st: &StatusAtHct, stage: EbmtStage, donor: &str, hct: Date) {
    let mut flags = st.flags.clone();
    flags.push(Flag::new(
        "GW-EBMT",
        format!(
            "stage {} from the status at HCT ({}); donor type and sex of donor '{donor}' (the first non-cord donor of the first transplant)",
            stage.label(),
            st.status.label(),
        ),
    ));
    add_flags(g, flags);
    let stage_text = format!("{} stage: {}", stage.label(), st.describe());
    let donor_text = format!(" (donor '{donor}')");
    if let Graded::Value { value, .. } = g {
        for c in value.components.iter_mut() {
            match c.factor {
                "disease stage" => c.basis = stage_text.clone(),
                "donor type" | "donor-recipient sex" => c.basis.push_str(&donor_text),
                _ => {}
            }
        }
    }
    if let Graded::Value { explanation, .. } | Graded::InsufficientData { explanation, .. } = g {
        for e in explanation.evidence.iter_mut() {
            match e.what.as_str() {
                "disease stage" => {
                    e.note = format!(
                        "{}: {stage_text}",
                        graftwatch_core::number::counted(stage as usize, "point")
                    )
                }
                "donor type" | "donor-recipient sex" => e.note.push_str(&donor_text),
                _ => {}
            }
        }
        explanation
            .evidence
            .push(Evidence::finding(Some(hct), "status at HCT", st.describe()));
        explanation.evidence.extend(st.evidence.iter().cloned());
    }
}

/// Grades the EBMT score.
pub(super) fn run(
    course: &Course,
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    t: &Transplant,
    status: &Result<StatusAtHct, String>,
    sink: &mut Sink,
) {
    let hct = t.day0;
    let disease = x.risk.diagnosis.disease;
    let st = status
        .as_ref()
        .map_err(String::clone)
        .and_then(|s| Ok((stage(disease, s.status)?, s)));
    let donor = main_donor(course, t);
    let age = x.risk.age_at_hct.and_then(|a| u32::try_from(a).ok());
    let (Ok((stage, st)), Some(donor), Some(age_years)) = (&st, donor, age) else {
        let mut missing: Vec<String> = st.as_ref().err().cloned().into_iter().collect();
        if donor.is_none() {
            missing.push("a donor of the first transplant".into());
        }
        if age.is_none() {
            missing.push("age at HCT".into());
        }
        let reason = "the EBMT score needs the disease stage, the donor and the age";
        insufficient(
            sink,
            SummaryKey::EbmtScore,
            "EBMT risk score",
            EBMT_SCORE_CITATION,
            missing,
            reason,
        );
        return;
    };
    let input = EbmtInput {
        age_years,
        stage: *stage,
        first_complete_remission: st.status == Status::Remission(1),
        diagnosis_date: Some(x.risk.diagnosis.date),
        hct_date: hct,
        donor: donor_type(donor.relationship),
        donor_sex: donor.sex.and_then(sex),
        recipient_sex: sex(course.patient.sex),
    };
    match ebmt_score_with(&input, &cfg.risk.ebmt) {
        Ok(mut g) => {
            explain(&mut g, st, *stage, &donor.id.0, hct);
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                SummaryKey::EbmtScore,
                &g,
                None,
                |v| (format!("score {} of 7", v.score), Some(hct)),
            ));
        }
        Err(e) => sink.skip(Criterion::Risk, format!("EBMT inputs rejected: {e}")),
    }
}

//! Refined DRI from the course: disease group from the diagnosis (AML and
//! MDS cytogenetics by the DRI's own rules) and stage from the status at HCT.

use graftwatch_course::Disease;
use graftwatch_criteria::dri::{
    DRI_CITATION, DriDisease, DriStage, aml_dri_disease, dri_complex, has_chromosome7,
    mds_dri_disease_with, refined_dri,
};
use graftwatch_criteria::{Evidence, Flag};

use super::status::{CmlPhase, Status, StatusAtHct};
use super::{Sink, add_flags, insufficient};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, Transplant};
use crate::output::SummaryItem;

/// The DRI disease group, with flags, or what is missing.
fn disease(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
) -> Result<(DriDisease, Vec<Flag>), String> {
    let dx = &x.risk.diagnosis;
    let (genetics, mut flags) = super::super::genetics::to_genetics(dx);
    let karyotype = || {
        genetics.karyotype.as_ref().ok_or_else(|| {
            format!(
                "the karyotype at diagnosis ({} cytogenetic group)",
                dx.disease.label()
            )
        })
    };
    let d = match dx.disease {
        Disease::Aml => aml_dri_disease(karyotype()?),
        Disease::Mds => {
            let k = karyotype()?;
            if has_chromosome7(k) && !dri_complex(k) {
                flags.push(Flag::new(
                    "DRI-MDS-7",
                    format!(
                        "MDS with a chromosome 7 abnormality and fewer than 4 abnormalities: {} (option risk.dri.mds_chromosome7_adverse = {})",
                        if cfg.risk.dri.mds_chromosome7_adverse { "adverse" } else { "intermediate" },
                        cfg.risk.dri.mds_chromosome7_adverse
                    ),
                ));
            }
            mds_dri_disease_with(k, &cfg.risk.dri)
        }
        Disease::All => DriDisease::All,
        Disease::Cml => DriDisease::Cml,
        Disease::Cll => DriDisease::Cll,
        Disease::HodgkinLymphoma => DriDisease::Hodgkin,
        Disease::Dlbcl => DriDisease::Dlbcl,
        Disease::IndolentBNhl => DriDisease::IndolentBNhl,
        Disease::MantleCellLymphoma => DriDisease::MantleCell,
        Disease::TCellLymphomaNodal => DriDisease::NodalTCell,
        Disease::TCellLymphomaExtranodal => DriDisease::ExtranodalTCell,
        Disease::Other => return Err("a diagnosis the refined DRI lists (disease 'other')".into()),
    };
    if let Some(k) = genetics
        .karyotype
        .as_ref()
        .filter(|_| matches!(dx.disease, Disease::Aml | Disease::Mds))
    {
        flags.push(Flag::new(
            "M-8",
            format!(
                "DRI cytogenetics: {} counted, complex = ≥ 4 (every abnormality counted, unlike ELN 2022)",
                graftwatch_core::number::counted_as(k.count(), "abnormality", "abnormalities")
            ),
        ));
    }
    Ok((d, flags))
}

/// The DRI stage of a status.
fn stage(s: Status, flags: &mut Vec<Flag>) -> DriStage {
    match s {
        Status::Untreated => DriStage::Untreated,
        Status::Remission(_) => DriStage::Cr,
        Status::Partial => DriStage::Pr,
        Status::Stable { had_cr } => {
            flags.push(Flag::new(
                "DRI-chemoresistant",
                "stable disease before HCT is chemoresistant: high stage risk (induction failure / relapse)",
            ));
            if had_cr {
                DriStage::ActiveRelapse
            } else {
                DriStage::InductionFailure
            }
        }
        Status::PrimaryRefractory => DriStage::InductionFailure,
        Status::Relapse => DriStage::ActiveRelapse,
        Status::Cml {
            phase: CmlPhase::Chronic,
            ..
        } => DriStage::CmlChronicPhase,
        Status::Cml { .. } => DriStage::CmlAdvancedPhase,
    }
}

/// Grades the refined DRI.
pub(super) fn run(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    t: &Transplant,
    status: &Result<StatusAtHct, String>,
    sink: &mut Sink,
) {
    let hct = t.day0;
    let (d, mut flags, st) = match (disease(x, cfg), status) {
        (Ok((d, f)), Ok(st)) => (d, f, st),
        (d, st) => {
            let missing: Vec<String> = [d.err(), st.as_ref().err().cloned()]
                .into_iter()
                .flatten()
                .collect();
            let reason = "the refined DRI needs the disease group and its status at HCT";
            let rule = "Refined Disease Risk Index";
            insufficient(
                sink,
                SummaryKey::RefinedDri,
                rule,
                DRI_CITATION,
                missing,
                reason,
            );
            return;
        }
    };
    flags.extend(st.flags.iter().cloned());
    let s = stage(st.status, &mut flags);
    let mut g = refined_dri(d, s);
    add_flags(&mut g, flags);
    if let graftwatch_criteria::Graded::Value { explanation, .. } = &mut g {
        explanation
            .evidence
            .push(Evidence::finding(Some(hct), "status at HCT", st.describe()));
        let dx = &x.risk.diagnosis;
        let karyotype = dx
            .karyotype
            .as_ref()
            .map(|k| format!("; karyotype {}", k.iscn));
        explanation.evidence.push(Evidence::finding(
            Some(dx.date),
            "diagnosis",
            format!("{}{}", dx.disease.label(), karyotype.unwrap_or_default()),
        ));
        explanation.evidence.extend(st.evidence.iter().cloned());
    }
    sink.item(SummaryItem::from_graded(
        Criterion::Risk,
        SummaryKey::RefinedDri,
        &g,
        None,
        |v| {
            (
                format!(
                    "{} (disease risk {}: {}; stage risk {}: {})",
                    v.group.label(),
                    v.disease_risk.label(),
                    v.disease.label(),
                    v.stage_risk.label(),
                    v.stage.label()
                ),
                Some(hct),
            )
        },
    ));
}

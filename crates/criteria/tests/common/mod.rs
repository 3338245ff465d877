//! Acute-GVHD findings for the GVHD test files, every one attributed to
//! GVHD: a finding per organ and a fully assessed day from them.
#![allow(dead_code)]

use graftwatch_core::Date;
use graftwatch_criteria::agvhd::{
    Attribution, DayFindings, LiverFinding, LowerGiFinding, SkinFinding, UpperGiFinding,
};

/// Erythema over `bsa` % of the body surface, no bullae or desquamation.
pub fn skin(bsa: f64) -> SkinFinding {
    SkinFinding {
        erythema_bsa_pct: bsa,
        bullae: false,
        desquamation_bsa_pct: 0.0,
        attribution: Attribution::Gvhd,
    }
}

/// Total bilirubin `mg_dl`.
pub fn liver(mg_dl: f64) -> LiverFinding {
    LiverFinding {
        bilirubin_mg_dl: mg_dl,
        attribution: Attribution::Gvhd,
    }
}

/// Nausea or not; no anorexia, vomiting or symptom days.
pub fn upper_gi(nausea: bool) -> UpperGiFinding {
    UpperGiFinding {
        nausea,
        anorexia_with_weight_loss: false,
        vomiting_episodes: 0,
        symptom_days: None,
        attribution: Attribution::Gvhd,
    }
}

/// Stool volume `ml` (or none recorded); no episodes, blood, pain or ileus.
pub fn lower_gi(ml: Option<f64>) -> LowerGiFinding {
    LowerGiFinding {
        stool_ml: ml,
        episodes: None,
        grossly_bloody: false,
        severe_pain: false,
        ileus: false,
        attribution: Attribution::Gvhd,
    }
}

/// A day with every organ assessed: skin BSA %, bilirubin, nausea, stool mL.
pub fn assessed_day(
    date: Date,
    (bsa, bili, nausea, ml): (f64, f64, bool, Option<f64>),
    weight_kg: Option<f64>,
) -> DayFindings {
    DayFindings {
        date,
        skin: Some(skin(bsa)),
        liver: Some(liver(bili)),
        upper_gi: Some(upper_gi(nausea)),
        lower_gi: Some(lower_gi(ml)),
        weight_kg,
    }
}

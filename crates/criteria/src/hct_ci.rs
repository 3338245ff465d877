//! Hematopoietic cell transplantation-specific comorbidity index (HCT-CI,
//! Sorror 2005) and the HCT-CI/age composite (Sorror 2014, [R]).
//!
//! Every item is scored separately and added, except that pulmonary and
//! hepatic each take the higher tier (not both). Cardiac (1) and heart valve
//! disease (3) are separate items and add up. FEV1 and DLco % predicted are
//! rounded half-up to integers before banding: ≤ 65 → severe (3), 66–80 →
//! moderate (2), ≥ 81 → none. Creatinine > 2 mg/dL (2.0 → 0, 2.01 → 2).
//! BMI > 35 kg/m² (35.0 → 0). Risk: 0 low, 1–2 intermediate, ≥ 3 high.
//! HCT-CI/age: +1 when age ≥ 40; groups 0–2, 3–4, ≥ 5 (checked against the
//! Sorror 2014 abstract).

use graftwatch_core::{Citation, Provenance};
use serde::{Deserialize, Serialize};

use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{ValueError, check_opt};

/// HCT-CI citation.
pub const HCT_CI_CITATION: Citation = Citation {
    source: "Sorror ML et al. Blood 2005;106(8):2912-2919 (HCT-CI)",
    year: 2005,
    table: "Table 1 (definitions of comorbidities and weights)",
    doi: Some("10.1182/blood-2005-05-2004"),
    provenance: Provenance::Verified,
    note: "Definitions and weights from ASH view-large 6385707, pmidcalc, QxMD, NCI PDQ and MDCalc. \
           Severe pulmonary <= 65% (PDQ prints < 65%); values rounded to integers first.",
};

/// HCT-CI/age citation.
pub const HCT_CI_AGE_CITATION: Citation = Citation {
    source: "Sorror ML et al. J Clin Oncol 2014;32(29):3249-3256 (comorbidity-age index)",
    year: 2014,
    table: "composite comorbidity/age score (abstract)",
    doi: Some("10.1200/JCO.2013.53.8157"),
    provenance: Provenance::Verified,
    note: "Checked 2026-11-25 against the PubMed abstract (PMID 25154831): 'age >= 40 years was assigned a \
           weight of 1 to be added to the HCT-CI'; score groups reported as 0-2, 3-4 and >= 5 [V abstract].",
};

/// Dyspnoea level for the pulmonary item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dyspnea {
    /// None or only on more than slight activity.
    #[default]
    None,
    /// On slight activity (moderate pulmonary).
    SlightActivity,
    /// At rest or requiring oxygen (severe pulmonary).
    AtRestOrOxygen,
}

/// HCT-CI input. `None` = not assessed (→ insufficient data).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HctCiInput {
    /// AF/flutter, sick sinus syndrome or ventricular arrhythmia.
    pub arrhythmia: Option<bool>,
    /// CAD, CHF or MI (EF is given separately).
    pub cardiac_cad_chf_mi: Option<bool>,
    /// Ejection fraction % (≤ 50 scores cardiac).
    pub ejection_fraction_pct: Option<f64>,
    /// Crohn's disease or ulcerative colitis.
    pub inflammatory_bowel_disease: Option<bool>,
    /// Diabetes needing insulin or oral agents.
    pub diabetes: Option<bool>,
    /// TIA or CVA.
    pub cerebrovascular: Option<bool>,
    /// Depression or anxiety needing consult or treatment.
    pub psychiatric: Option<bool>,
    /// Chronic hepatitis.
    pub chronic_hepatitis: Option<bool>,
    /// Cirrhosis.
    pub cirrhosis: Option<bool>,
    /// Total bilirubin as a multiple of the upper limit of normal.
    pub bilirubin_x_uln: Option<f64>,
    /// Highest of AST/ALT as a multiple of the upper limit of normal.
    pub ast_alt_x_uln: Option<f64>,
    /// BMI kg/m².
    pub bmi: Option<f64>,
    /// Infection needing antimicrobials continued after day 0.
    pub infection: Option<bool>,
    /// SLE, RA, polymyositis, MCTD or polymyalgia rheumatica.
    pub rheumatologic: Option<bool>,
    /// Peptic ulcer needing treatment.
    pub peptic_ulcer: Option<bool>,
    /// Serum creatinine mg/dL.
    pub creatinine_mg_dl: Option<f64>,
    /// On dialysis.
    pub dialysis: Option<bool>,
    /// Prior renal transplantation.
    pub prior_renal_transplant: Option<bool>,
    /// FEV1 % predicted.
    pub fev1_pct: Option<f64>,
    /// DLco % predicted (Hb-corrected).
    pub dlco_pct: Option<f64>,
    /// Dyspnoea.
    pub dyspnea: Option<Dyspnea>,
    /// Prior solid tumour (excluding non-melanoma skin cancer).
    pub prior_solid_tumor: Option<bool>,
    /// Heart valve disease (except mitral valve prolapse).
    pub heart_valve_disease: Option<bool>,
    /// Age in completed years (for HCT-CI/age).
    pub age_years: Option<u32>,
}

/// Risk group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HctCiRisk {
    /// Score 0.
    Low,
    /// Score 1–2.
    Intermediate,
    /// Score ≥ 3.
    High,
}

/// One scored item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HctCiItem {
    /// Item name.
    pub item: &'static str,
    /// Points.
    pub points: u8,
}

/// HCT-CI result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HctCi {
    /// Total score.
    pub score: u8,
    /// Risk group.
    pub risk: HctCiRisk,
    /// Items with points > 0.
    pub items: Vec<HctCiItem>,
    /// HCT-CI/age composite, when age is known.
    pub with_age: Option<u8>,
}

/// Rounds half up to an integer (65.5 → 66).
pub fn round_half_up(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

/// Pulmonary points from rounded FEV1/DLco and dyspnoea.
pub fn pulmonary_points(fev1: Option<f64>, dlco: Option<f64>, dyspnea: Dyspnea) -> u8 {
    let worst = [fev1, dlco].into_iter().flatten().map(round_half_up).min();
    let by_pft = match worst {
        Some(v) if v <= 65 => 3,
        Some(v) if v <= 80 => 2,
        _ => 0,
    };
    let by_dyspnea = match dyspnea {
        Dyspnea::None => 0,
        Dyspnea::SlightActivity => 2,
        Dyspnea::AtRestOrOxygen => 3,
    };
    by_pft.max(by_dyspnea)
}

/// Hepatic points (higher tier).
pub fn hepatic_points(
    chronic_hepatitis: bool,
    cirrhosis: bool,
    bili_x_uln: f64,
    transaminase_x_uln: f64,
) -> u8 {
    if cirrhosis || bili_x_uln > 1.5 || transaminase_x_uln > 2.5 {
        3
    } else if chronic_hepatitis || bili_x_uln > 1.0 || transaminase_x_uln > 1.0 {
        1
    } else {
        0
    }
}

/// HCT-CI/age group label as reported by Sorror 2014 (0–2, 3–4, ≥ 5).
pub fn hct_ci_age_group(score: u8) -> &'static str {
    match score {
        0..=2 => "0-2",
        3..=4 => "3-4",
        _ => ">=5",
    }
}

/// Computes the HCT-CI.
pub fn hct_ci(i: &HctCiInput) -> Result<Graded<HctCi>, ValueError> {
    let ef = check_opt(
        "ejection_fraction",
        None,
        i.ejection_fraction_pct,
        "EF 0-100 %",
    )?;
    let bili = check_opt(
        "bilirubin_x_uln",
        None,
        i.bilirubin_x_uln,
        "a multiple of ULN >= 0",
    )?;
    let tx = check_opt(
        "ast_alt_x_uln",
        None,
        i.ast_alt_x_uln,
        "a multiple of ULN >= 0",
    )?;
    let bmi = check_opt("bmi", None, i.bmi, "BMI > 0 kg/m2")?;
    let cr = check_opt(
        "creatinine",
        None,
        i.creatinine_mg_dl,
        "creatinine >= 0 mg/dL",
    )?;
    let fev1 = check_opt("fev1", None, i.fev1_pct, "FEV1 % predicted >= 0")?;
    let dlco = check_opt("dlco", None, i.dlco_pct, "DLco % predicted >= 0")?;
    let mut missing: Vec<String> = Vec::new();
    let mut need = |name: &str, v: Option<bool>| {
        if v.is_none() {
            missing.push(name.to_string());
        }
        v.unwrap_or(false)
    };
    let arr = need("arrhythmia", i.arrhythmia);
    let cad = need("cardiac (CAD/CHF/MI)", i.cardiac_cad_chf_mi);
    let ibd = need("inflammatory bowel disease", i.inflammatory_bowel_disease);
    let dm = need("diabetes", i.diabetes);
    let cvd = need("cerebrovascular disease", i.cerebrovascular);
    let psy = need("psychiatric disturbance", i.psychiatric);
    let hep = need("chronic hepatitis", i.chronic_hepatitis);
    let cirr = need("cirrhosis", i.cirrhosis);
    let inf = need("infection", i.infection);
    let rheum = need("rheumatologic disease", i.rheumatologic);
    let pud = need("peptic ulcer", i.peptic_ulcer);
    let dial = need("dialysis", i.dialysis);
    let rtx = need("prior renal transplant", i.prior_renal_transplant);
    let tumor = need("prior solid tumour", i.prior_solid_tumor);
    let valve = need("heart valve disease", i.heart_valve_disease);
    for (name, v) in [
        ("bilirubin (x ULN)", bili),
        ("AST/ALT (x ULN)", tx),
        ("BMI", bmi),
        ("creatinine", cr),
    ] {
        if v.is_none() {
            missing.push(name.to_string());
        }
    }
    if fev1.is_none() && dlco.is_none() {
        missing.push("FEV1 or DLco".to_string());
    }
    if i.dyspnea.is_none() {
        missing.push("dyspnoea".to_string());
    }
    let cardiac = cad || ef.is_some_and(|e| e <= 50.0);
    let renal = cr.is_some_and(|c| c > 2.0) || dial || rtx;
    let pulm = pulmonary_points(fev1, dlco, i.dyspnea.unwrap_or_default());
    let hepatic = hepatic_points(hep, cirr, bili.unwrap_or(0.0), tx.unwrap_or(0.0));
    let items_all: [(&'static str, u8); 15] = [
        ("arrhythmia", arr as u8),
        ("cardiac", cardiac as u8),
        ("inflammatory bowel disease", ibd as u8),
        ("diabetes", dm as u8),
        ("cerebrovascular", cvd as u8),
        ("psychiatric", psy as u8),
        ("hepatic", hepatic),
        ("obesity", bmi.is_some_and(|b| b > 35.0) as u8),
        ("infection", inf as u8),
        ("rheumatologic", 2 * rheum as u8),
        ("peptic ulcer", 2 * pud as u8),
        ("renal", 2 * renal as u8),
        ("pulmonary", pulm),
        ("prior solid tumor", 3 * tumor as u8),
        ("heart valve disease", 3 * valve as u8),
    ];
    let items: Vec<HctCiItem> = items_all
        .iter()
        .filter(|(_, p)| *p > 0)
        .map(|&(item, points)| HctCiItem { item, points })
        .collect();
    let score: u8 = items.iter().map(|x| x.points).sum();
    let risk = match score {
        0 => HctCiRisk::Low,
        1..=2 => HctCiRisk::Intermediate,
        _ => HctCiRisk::High,
    };
    let with_age = i.age_years.map(|a| score + (a >= 40) as u8);
    let mut ex = Explanation {
        rule: "HCT-CI",
        version: "Sorror 2005 (+ HCT-CI/age 2014)",
        citations: vec![HCT_CI_CITATION, HCT_CI_AGE_CITATION],
        reason: String::new(),
        evidence: items
            .iter()
            .map(|x| Evidence::finding(None, x.item, format!("{} point(s)", x.points)))
            .collect(),
        flags: Vec::new(),
    };
    if fev1.is_some_and(|v| v.fract() != 0.0) || dlco.is_some_and(|v| v.fract() != 0.0) {
        ex.flags.push(Flag::new(
            "HCTCI-round",
            "FEV1/DLco rounded half-up to integers before banding",
        ));
    }
    if let Some(a) = with_age {
        ex.flags.push(Flag::new(
            "HCTCI-age",
            format!(
                "HCT-CI/age = {a} (group {}; +1 for age >= 40)",
                hct_ci_age_group(a)
            ),
        ));
    }
    if !missing.is_empty() {
        ex.reason = format!("score at least {score} from the items given");
        return Ok(Graded::InsufficientData {
            missing,
            explanation: ex,
        });
    }
    ex.reason = format!("HCT-CI {score}: {risk:?} risk");
    Ok(Graded::Value {
        value: HctCi {
            score,
            risk,
            items,
            with_age,
        },
        explanation: ex,
    })
}

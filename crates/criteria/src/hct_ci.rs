//! Hematopoietic cell transplantation-specific comorbidity index (HCT-CI,
//! Sorror 2005) and the HCT-CI/age composite (Sorror 2014, \[R\]).
//!
//! Every item is scored separately and added, except that pulmonary and
//! hepatic each take the higher tier (not both). Cardiac (1) and heart valve
//! disease (3) are separate items and add up. FEV1 and DLco % predicted are
//! rounded half-up to integers before banding: ≤ 65 → severe (3), 66–80 →
//! moderate (2), ≥ 81 → none. Creatinine > 2 mg/dL (2.0 → 0, 2.01 → 2).
//! Obesity: BMI > 35 kg/m² (35.0 → 0) in adults, BMI-for-age ≥ 95th
//! percentile in children, or obesity coded by the clinician. Risk: 0 low,
//! 1–2 intermediate, ≥ 3 high. HCT-CI/age: +1 when age ≥ 40; groups 0–2,
//! 3–4, ≥ 5 (checked against the Sorror 2014 abstract).
//!
//! Missing measurements (no PFT, no LVEF, no labs, no BMI) count as absent:
//! the item scores 0 and the flag `HCTCI-not-measured` names it (the
//! convention of the HCT-CI itself, whose items are diagnoses or abnormal
//! tests; an untested organ has no documented comorbidity). A yes/no item
//! given as `None` (not recorded at all) is `InsufficientData`; the grading
//! engine never passes `None` for those, because unlisted comorbidity codes
//! are absent by its `GW-COMORB` convention.

use graftwatch_core::{Citation, Date, Provenance};
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

/// HCT-CI input. Yes/no items: `None` = not recorded (→ insufficient
/// data). Measurements: `None` = not measured (→ absent, flagged).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HctCiInput {
    /// AF/flutter, sick sinus syndrome or ventricular arrhythmia.
    pub arrhythmia: Option<bool>,
    /// CAD, CHF or MI (EF is given separately).
    pub cardiac_cad_chf_mi: Option<bool>,
    /// Ejection fraction % (≤ 50 scores cardiac).
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
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
    /// BMI kg/m² (adults: > 35 scores obesity).
    pub bmi: Option<f64>,
    /// Obesity coded by the clinician (scores whatever the BMI).
    pub obesity_coded: Option<bool>,
    /// Children: BMI-for-age at or above the 95th percentile (replaces the
    /// adult BMI rule when given; see [`crate::bmi_for_age`]).
    pub bmi_for_age_at_or_above_p95: Option<bool>,
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
    /// FEV1 % predicted (may exceed 100: a plain number, not a share).
    pub fev1_pct: Option<f64>,
    /// DLco % predicted (Hb-corrected; may exceed 100: a plain number).
    pub dlco_pct: Option<f64>,
    /// Dyspnoea.
    pub dyspnea: Option<Dyspnea>,
    /// Prior solid tumour (excluding non-melanoma skin cancer).
    pub prior_solid_tumor: Option<bool>,
    /// Heart valve disease (except mitral valve prolapse).
    pub heart_valve_disease: Option<bool>,
    /// Age in completed years (for HCT-CI/age).
    pub age_years: Option<u32>,
    /// Dates of the measurements, for the evidence.
    pub dates: HctCiDates,
}

/// Dates of the measurements given in [`HctCiInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HctCiDates {
    /// Ejection fraction.
    pub ejection_fraction: Option<Date>,
    /// Bilirubin.
    pub bilirubin: Option<Date>,
    /// AST/ALT.
    pub ast_alt: Option<Date>,
    /// Weight used for the BMI.
    pub bmi: Option<Date>,
    /// Creatinine.
    pub creatinine: Option<Date>,
    /// FEV1.
    pub fev1: Option<Date>,
    /// DLco.
    pub dlco: Option<Date>,
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

impl HctCiRisk {
    /// The group in words.
    pub fn label(self) -> &'static str {
        match self {
            HctCiRisk::Low => "low",
            HctCiRisk::Intermediate => "intermediate",
            HctCiRisk::High => "high",
        }
    }
}

/// One scored item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HctCiItem {
    /// Item name.
    pub item: &'static str,
    /// Points.
    pub points: u8,
    /// What gave the points (coded item or observation and threshold).
    pub basis: String,
    /// Date of the observation that gave the points, when it was one.
    pub date: Option<Date>,
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
    /// HCT-CI/age group (`0-2`, `3-4`, `>=5`), when age is known.
    pub with_age_group: Option<&'static str>,
    /// Measured items with no measurement (counted absent).
    pub not_measured: Vec<&'static str>,
}

/// Rounds half up to an integer (65.5 → 66).
pub fn round_half_up(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

/// Pulmonary points from rounded FEV1/DLco and dyspnoea.
pub fn pulmonary_points(fev1: Option<f64>, dlco: Option<f64>, dyspnea: Dyspnea) -> u8 {
    pft_points(fev1, dlco).max(dyspnea_points(dyspnea))
}

fn pft_points(fev1: Option<f64>, dlco: Option<f64>) -> u8 {
    match [fev1, dlco].into_iter().flatten().map(round_half_up).min() {
        Some(v) if v <= 65 => 3,
        Some(v) if v <= 80 => 2,
        _ => 0,
    }
}

fn dyspnea_points(d: Dyspnea) -> u8 {
    match d {
        Dyspnea::None => 0,
        Dyspnea::SlightActivity => 2,
        Dyspnea::AtRestOrOxygen => 3,
    }
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

/// The HCT-CI/age risk group in words, for text: "risk group 0–2",
/// "risk group 3–4", "risk group ≥ 5" (the JSON keeps
/// [`hct_ci_age_group`]'s `0-2`, `3-4`, `>=5`).
pub fn hct_ci_age_group_words(score: u8) -> String {
    let g = match score {
        0..=2 => "0–2",
        3..=4 => "3–4",
        _ => "≥ 5",
    };
    format!("risk group {g}")
}

/// Measurements after range checks.
struct Measured {
    ef: Option<f64>,
    bili: Option<f64>,
    tx: Option<f64>,
    bmi: Option<f64>,
    cr: Option<f64>,
    fev1: Option<f64>,
    dlco: Option<f64>,
}

fn checked(i: &HctCiInput) -> Result<Measured, ValueError> {
    let ef = check_opt(
        "ejection_fraction",
        None,
        i.ejection_fraction_pct,
        "EF 0-100 %",
    )?;
    if let Some(v) = ef.filter(|v| *v > 100.0) {
        return Err(ValueError::OutOfRange {
            what: "ejection_fraction",
            date: i.dates.ejection_fraction,
            value: v,
            expected: "EF 0-100 %",
        });
    }
    let x_uln = "a multiple of ULN ≥ 0";
    Ok(Measured {
        ef,
        bili: check_opt("bilirubin_x_uln", None, i.bilirubin_x_uln, x_uln)?,
        tx: check_opt("ast_alt_x_uln", None, i.ast_alt_x_uln, x_uln)?,
        bmi: check_opt("bmi", None, i.bmi, "BMI > 0 kg/m2")?,
        cr: check_opt(
            "creatinine",
            None,
            i.creatinine_mg_dl,
            "creatinine ≥ 0 mg/dL",
        )?,
        fev1: check_opt("fev1", None, i.fev1_pct, "FEV1 % predicted ≥ 0")?,
        dlco: check_opt("dlco", None, i.dlco_pct, "DLco % predicted ≥ 0")?,
    })
}

/// Builds the scored items; `push` adds one when its points are > 0.
struct Items(Vec<HctCiItem>);

impl Items {
    fn add(&mut self, item: &'static str, points: u8, basis: String, date: Option<Date>) {
        if points > 0 {
            self.0.push(HctCiItem {
                item,
                points,
                basis,
                date,
            });
        }
    }
    /// A coded yes/no item.
    fn coded(&mut self, item: &'static str, points: u8, code: &str, v: bool) {
        if v {
            self.add(item, points, format!("coded comorbidity '{code}'"), None);
        }
    }
}

fn yes_no_items(i: &HctCiInput, missing: &mut Vec<String>) -> Items {
    let mut need = |name: &str, v: Option<bool>| {
        if v.is_none() {
            missing.push(name.to_string());
        }
        v.unwrap_or(false)
    };
    let mut it = Items(Vec::new());
    it.coded(
        "arrhythmia",
        1,
        "arrhythmia",
        need("arrhythmia", i.arrhythmia),
    );
    let cad = need("cardiac (CAD/CHF/MI)", i.cardiac_cad_chf_mi);
    it.coded("cardiac", 1, "cardiac", cad);
    let ibd = need("inflammatory bowel disease", i.inflammatory_bowel_disease);
    it.coded(
        "inflammatory bowel disease",
        1,
        "inflammatory_bowel_disease",
        ibd,
    );
    it.coded("diabetes", 1, "diabetes", need("diabetes", i.diabetes));
    let cvd = need("cerebrovascular disease", i.cerebrovascular);
    it.coded("cerebrovascular", 1, "cerebrovascular", cvd);
    let psy = need("psychiatric disturbance", i.psychiatric);
    it.coded("psychiatric", 1, "psychiatric", psy);
    it.coded("infection", 1, "infection", need("infection", i.infection));
    let rh = need("rheumatologic disease", i.rheumatologic);
    it.coded("rheumatologic", 2, "rheumatologic", rh);
    it.coded(
        "peptic ulcer",
        2,
        "peptic_ulcer",
        need("peptic ulcer", i.peptic_ulcer),
    );
    let tumor = need("prior solid tumour", i.prior_solid_tumor);
    it.coded("prior solid tumor", 3, "prior_solid_tumor", tumor);
    let valve = need("heart valve disease", i.heart_valve_disease);
    it.coded("heart valve disease", 3, "heart_valve_disease", valve);
    for (name, v) in [
        ("chronic hepatitis", i.chronic_hepatitis),
        ("cirrhosis", i.cirrhosis),
        ("dialysis", i.dialysis),
        ("prior renal transplant", i.prior_renal_transplant),
        ("obesity", i.obesity_coded),
    ] {
        need(name, v);
    }
    if i.dyspnea.is_none() {
        missing.push("dyspnoea".to_string());
    }
    it
}

fn cardiac_ef(it: &mut Items, i: &HctCiInput, m: &Measured) {
    if i.cardiac_cad_chf_mi == Some(true) {
        return; // already scored from the code
    }
    if let Some(e) = m.ef.filter(|e| *e <= 50.0) {
        let basis = format!("LVEF {e} % (≤ 50 %)");
        it.add("cardiac", 1, basis, i.dates.ejection_fraction);
    }
}

fn hepatic(it: &mut Items, i: &HctCiInput, m: &Measured) {
    let hep = i.chronic_hepatitis == Some(true);
    let cirr = i.cirrhosis == Some(true);
    let (b, t) = (m.bili.unwrap_or(0.0), m.tx.unwrap_or(0.0));
    let points = hepatic_points(hep, cirr, b, t);
    let d = &i.dates;
    let (basis, date) = if cirr {
        ("coded comorbidity 'cirrhosis'".to_string(), None)
    } else if b > 1.5 {
        (format!("bilirubin {b:.2} × ULN (> 1.5 × ULN)"), d.bilirubin)
    } else if t > 2.5 {
        (format!("AST/ALT {t:.2} × ULN (> 2.5 × ULN)"), d.ast_alt)
    } else if hep {
        ("coded comorbidity 'chronic_hepatitis'".to_string(), None)
    } else if b > 1.0 {
        (
            format!("bilirubin {b:.2} × ULN (> ULN to 1.5 × ULN)"),
            d.bilirubin,
        )
    } else {
        (
            format!("AST/ALT {t:.2} × ULN (> ULN to 2.5 × ULN)"),
            d.ast_alt,
        )
    };
    let item = if points == 3 {
        "hepatic, moderate/severe"
    } else {
        "hepatic, mild"
    };
    it.add(item, points, basis, date);
}

fn obesity(it: &mut Items, i: &HctCiInput, m: &Measured) {
    let (basis, date) = if i.obesity_coded == Some(true) {
        ("coded comorbidity 'obesity'".to_string(), None)
    } else if let Some(child) = i.bmi_for_age_at_or_above_p95 {
        if !child {
            return;
        }
        let b = m
            .bmi
            .map(|b| format!("BMI {b:.1} kg/m2, "))
            .unwrap_or_default();
        (format!("{b}BMI-for-age ≥ 95th percentile"), i.dates.bmi)
    } else if let Some(b) = m.bmi.filter(|b| *b > 35.0) {
        (format!("BMI {b:.1} kg/m2 (> 35)"), i.dates.bmi)
    } else {
        return;
    };
    it.add("obesity", 1, basis, date);
}

fn renal(it: &mut Items, i: &HctCiInput, m: &Measured) {
    let (basis, date) = if i.dialysis == Some(true) {
        ("coded comorbidity 'dialysis'".to_string(), None)
    } else if i.prior_renal_transplant == Some(true) {
        (
            "coded comorbidity 'prior_renal_transplant'".to_string(),
            None,
        )
    } else if let Some(c) = m.cr.filter(|c| *c > 2.0) {
        (
            format!(
                "creatinine {} mg/dL (> 2 mg/dL)",
                graftwatch_core::number::short(c)
            ),
            i.dates.creatinine,
        )
    } else {
        return;
    };
    it.add("renal, moderate/severe", 2, basis, date);
}

fn pulmonary(it: &mut Items, i: &HctCiInput, m: &Measured) {
    let dys = i.dyspnea.unwrap_or_default();
    let by_pft = pft_points(m.fev1, m.dlco);
    let by_dys = dyspnea_points(dys);
    let points = by_pft.max(by_dys);
    let item = if points == 3 {
        "pulmonary, severe"
    } else {
        "pulmonary, moderate"
    };
    if by_pft >= by_dys && by_pft > 0 {
        let band = if by_pft == 3 { "≤ 65 %" } else { "66-80 %" };
        let fev1_worse = match (m.fev1, m.dlco) {
            (Some(f), Some(d)) => round_half_up(f) <= round_half_up(d),
            (Some(_), None) => true,
            _ => false,
        };
        let (name, v, date) = if fev1_worse {
            ("FEV1", m.fev1.unwrap_or_default(), i.dates.fev1)
        } else {
            ("DLco", m.dlco.unwrap_or_default(), i.dates.dlco)
        };
        let basis = format!("{name} {v} % predicted ({band})");
        it.add(item, points, basis, date);
    } else if by_dys > 0 {
        let code = match dys {
            Dyspnea::AtRestOrOxygen => "dyspnea_at_rest",
            _ => "dyspnea_slight_activity",
        };
        it.add(item, points, format!("coded comorbidity '{code}'"), None);
    }
}

fn not_measured(i: &HctCiInput, m: &Measured) -> Vec<&'static str> {
    let mut out = Vec::new();
    if m.ef.is_none() && i.cardiac_cad_chf_mi != Some(true) {
        out.push("LVEF");
    }
    if m.bili.is_none() {
        out.push("bilirubin");
    }
    if m.tx.is_none() {
        out.push("AST/ALT");
    }
    if m.cr.is_none() {
        out.push("creatinine");
    }
    if m.fev1.is_none() && m.dlco.is_none() {
        out.push("FEV1/DLco (no lung function test)");
    }
    let bmi_known = m.bmi.is_some() || i.bmi_for_age_at_or_above_p95.is_some();
    if !bmi_known && i.obesity_coded != Some(true) {
        out.push("BMI");
    }
    out
}

fn explanation(items: &[HctCiItem]) -> Explanation {
    Explanation {
        rule: "HCT-CI",
        version: "Sorror 2005 (+ HCT-CI/age 2014)",
        citations: vec![HCT_CI_CITATION, HCT_CI_AGE_CITATION],
        reason: String::new(),
        evidence: items
            .iter()
            .map(|x| {
                Evidence::finding(
                    x.date,
                    x.item,
                    format!(
                        "{}: {}",
                        graftwatch_core::number::counted(x.points as usize, "point"),
                        x.basis
                    ),
                )
            })
            .collect(),
        flags: Vec::new(),
    }
}

/// The items that scored, as the "why" line names them: "infection 1,
/// hepatic mild 1 (AST/ALT 1.30 × ULN on 2024-05-20)"; a coded item by its
/// name and points, a measured one with its value and date; "no item
/// scored" at 0.
pub fn items_in_words(items: &[HctCiItem]) -> String {
    if items.is_empty() {
        return "no item scored".to_string();
    }
    items
        .iter()
        .map(|x| {
            // "hepatic, mild" reads "hepatic mild" inside a comma-separated list.
            let name = x.item.replace(", ", " ");
            let coded = x.basis.starts_with("coded comorbidity");
            // The value without its threshold: "AST/ALT 1.30 × ULN", not
            // "AST/ALT 1.30 × ULN (> ULN to 2.5 × ULN)" (no nested brackets).
            let value = match x.basis.rsplit_once(" (") {
                Some((v, _)) if x.basis.ends_with(')') => v,
                _ => x.basis.as_str(),
            };
            match (x.date, coded) {
                (_, true) => format!("{name} {}", x.points),
                (Some(d), false) => format!("{name} {} ({value} on {d})", x.points),
                (None, false) => format!("{name} {} ({value})", x.points),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Computes the HCT-CI.
pub fn hct_ci(i: &HctCiInput) -> Result<Graded<HctCi>, ValueError> {
    let m = checked(i)?;
    let mut missing: Vec<String> = Vec::new();
    let mut it = yes_no_items(i, &mut missing);
    cardiac_ef(&mut it, i, &m);
    hepatic(&mut it, i, &m);
    obesity(&mut it, i, &m);
    renal(&mut it, i, &m);
    pulmonary(&mut it, i, &m);
    let items = it.0;
    let score: u8 = items.iter().map(|x| x.points).sum();
    let risk = match score {
        0 => HctCiRisk::Low,
        1..=2 => HctCiRisk::Intermediate,
        _ => HctCiRisk::High,
    };
    let with_age = i.age_years.map(|a| score + (a >= 40) as u8);
    let not_measured = not_measured(i, &m);
    let mut ex = explanation(&items);
    if m.fev1.is_some_and(|v| v.fract() != 0.0) || m.dlco.is_some_and(|v| v.fract() != 0.0) {
        ex.flags.push(Flag::new(
            "HCTCI-round",
            "FEV1/DLco rounded half-up to integers before banding",
        ));
    }
    if !not_measured.is_empty() {
        ex.flags.push(Flag::new(
            "HCTCI-not-measured",
            format!(
                "not measured, counted as absent: {}",
                not_measured.join(", ")
            ),
        ));
    }
    if let Some(a) = with_age {
        ex.flags.push(Flag::new(
            "HCTCI-age",
            format!(
                "HCT-CI/age = {a} ({}; +1 for age ≥ 40)",
                hct_ci_age_group_words(a)
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
    ex.reason = format!(
        "HCT-CI {score}: {}: {} risk",
        items_in_words(&items),
        risk.label()
    );
    Ok(Graded::Value {
        value: HctCi {
            score,
            risk,
            items,
            with_age,
            with_age_group: with_age.map(hct_ci_age_group),
            not_measured,
        },
        explanation: ex,
    })
}

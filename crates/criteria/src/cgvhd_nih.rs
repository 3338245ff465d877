//! NIH 2014 chronic-GVHD organ scores (0–3) and global severity (Jagasia et
//! al. 2015), clinical-criteria.md §2 with ambiguity defaults C-1 … C-7.
//!
//! Organ scores:
//!
//! | organ | derived by the engine from | rule |
//! |---|---|---|
//! | skin | BSA % (rounded half-up, C-3) and sclerotic features | BSA 0 → 0, 1–18 → 1, 19–50 → 2, > 50 → 3; superficial sclerosis → 2, deep/hidebound, impaired mobility or ulceration → 3; **higher** of the two |
//! | mouth, eyes, joints/fascia, genital | clinician's 0–3 (C-6) | validated, not derived |
//! | GI | symptoms, weight loss % over 3 months, diarrhoea category, oesophageal dilation (C-4) | symptoms → 1; weight loss 5–15% or moderate diarrhoea → 2; > 15%, dilation or severe diarrhoea → 3 |
//! | liver | bilirubin vs lab ULN, ALT and ALP in multiples of ULN (C-5) | bilirubin > 3 mg/dL → 3; elevated ≤ 3 → 2; ALT > 5×ULN → 2; ALT ≥ 3×ULN or ALP ≥ 3×ULN → 1 |
//! | lungs | FEV1 % predicted rounded half-up (C-1), else symptom score (C-2) | ≥ 80 → 0, 60–79 → 1, 40–59 → 2, ≤ 39 → 3 |
//!
//! Global severity: **severe** if any organ scores 3 or lung ≥ 2;
//! **moderate** if any non-lung organ scores 2, lung scores 1, or ≥ 3 organs
//! are involved; **mild** if 1–2 organs are involved at score 1 with lung 0;
//! otherwise **none**. An organ whose abnormality is entirely explained by
//! another documented cause is excluded; a multifactorial organ counts in full.
//! The engine does not diagnose chronic GVHD from the scores (C-7).

use graftwatch_core::{Citation, Date, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::agvhd::Attribution;
use crate::agvhd::bounds::{ge, gt, in_range, round_half_up};
use crate::{Evidence, Explanation, Flag, Graded};

/// Citations for NIH 2014 scoring.
pub const NIH_CITATIONS: [Citation; 1] = [Citation {
    source: "Jagasia MH et al. NIH Consensus Development Project on Criteria for Clinical Trials in Chronic GVHD: I. The 2014 Diagnosis and Staging Working Group Report. Biol Blood Marrow Transplant 2015;21(3):389-401.e1",
    year: 2015,
    table: "Organ scoring form and global severity table",
    doi: Some("10.1016/j.bbmt.2014.12.001"),
    provenance: Provenance::Recalled,
    note: "Tables [R] (reconstructed from the 2014 scoring form). Checked 2026-11-25: PMC4329079 abstract [V] confirms attribution to non-GVHD causes; the 2005 form footnote (Filipovich 2005, Fig. 1) used the higher of symptom and PFT score and the LFS, which 2014 replaced with FEV1 precedence (Curtis 2018 abstract: lung scores shifted milder). Global-severity key points still [R].",
}];

/// Rule version.
pub const NIH_VERSION: &str = "NIH 2014 (Jagasia et al. 2015)";

/// Input error for chronic GVHD scoring.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CgvhdInputError {
    /// A numeric field outside its valid range.
    #[error("{field} = {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Field name.
        field: &'static str,
        /// Value given.
        value: f64,
        /// Accepted range.
        expected: &'static str,
    },
}

fn check(
    field: &'static str,
    v: f64,
    lo: f64,
    hi: f64,
    expected: &'static str,
) -> Result<(), CgvhdInputError> {
    if in_range(v, lo, hi) {
        Ok(())
    } else {
        Err(CgvhdInputError::OutOfRange {
            field,
            value: v,
            expected,
        })
    }
}

/// A chronic-GVHD organ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CgvhdOrgan {
    /// Skin.
    Skin,
    /// Mouth.
    Mouth,
    /// Eyes.
    Eyes,
    /// GI tract.
    Gi,
    /// Liver.
    Liver,
    /// Lungs.
    Lungs,
    /// Joints and fascia.
    Joints,
    /// Genital tract.
    Genital,
}

impl CgvhdOrgan {
    /// The eight organs in form order.
    pub const ALL: [CgvhdOrgan; 8] = [
        CgvhdOrgan::Skin,
        CgvhdOrgan::Mouth,
        CgvhdOrgan::Eyes,
        CgvhdOrgan::Gi,
        CgvhdOrgan::Liver,
        CgvhdOrgan::Lungs,
        CgvhdOrgan::Joints,
        CgvhdOrgan::Genital,
    ];
    /// Name.
    pub fn name(self) -> &'static str {
        match self {
            CgvhdOrgan::Skin => "skin",
            CgvhdOrgan::Mouth => "mouth",
            CgvhdOrgan::Eyes => "eyes",
            CgvhdOrgan::Gi => "GI tract",
            CgvhdOrgan::Liver => "liver",
            CgvhdOrgan::Lungs => "lungs",
            CgvhdOrgan::Joints => "joints and fascia",
            CgvhdOrgan::Genital => "genital tract",
        }
    }
}

/// Skin sclerotic features (features score).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SclerosisFeatures {
    /// No sclerotic features (score 0).
    #[default]
    None,
    /// Superficial sclerotic features, not hidebound (able to pinch) (score 2).
    Superficial,
    /// Deep sclerotic features, hidebound, impaired mobility or ulceration (score 3).
    DeepOrImpairedMobilityOrUlceration,
}

/// Skin assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CgvhdSkin {
    /// BSA involved by any scored skin feature, % (0–100).
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    pub bsa_pct: f64,
    /// Sclerotic features.
    #[serde(default)]
    pub sclerosis: SclerosisFeatures,
    /// Attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

/// The lowest NIH 2014 eye score the recorded treatment implies (Jagasia
/// et al. 2015, organ scoring form: score 1 = mild dry eye symptoms
/// requiring lubricant drops ≤ 3 times a day; score 2 = requiring drops
/// more than 3 times a day or punctal plugs, without new vision impairment; score 3
/// needs symptoms or vision loss the treatment cannot show). `None` when no
/// treatment is recorded (symptoms alone are the clinician's score, C-6).
/// Used only when no clinician eye score is recorded that day.
pub fn eye_score_from_treatment(
    drops_per_day: Option<u32>,
    punctal_plugs: Option<bool>,
) -> Option<u8> {
    if punctal_plugs == Some(true) || drops_per_day.is_some_and(|d| d > 3) {
        Some(2)
    } else if drops_per_day.is_some_and(|d| d >= 1) {
        Some(1)
    } else {
        None
    }
}

/// A clinician-entered 0–3 score for a symptom-scale organ (C-6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClinicianScore {
    /// Score 0–3 (validated).
    pub score: u8,
    /// Attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

/// Diarrhoea category (GI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DiarrheaCategory {
    /// None or not interfering.
    #[default]
    None,
    /// Moderate diarrhoea without significant interference with daily living (score 2).
    Moderate,
    /// Severe diarrhoea with significant interference with daily living (score 3).
    Severe,
}

/// GI assessment (C-4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CgvhdGi {
    /// GI symptoms present (oesophageal web/stricture, dysphagia, anorexia, nausea, vomiting, diarrhoea, failure to thrive).
    pub symptoms: bool,
    /// Weight loss over the preceding 3 months, % of body weight.
    #[serde(default)]
    pub weight_loss_pct_3mo: Option<f64>,
    /// Diarrhoea category.
    #[serde(default)]
    pub diarrhea: DiarrheaCategory,
    /// Oesophageal dilation needed (score 3).
    #[serde(default)]
    pub esophageal_dilation: bool,
    /// Attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

/// Liver assessment (C-5): values and the lab's upper limits of normal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CgvhdLiver {
    /// Total bilirubin, mg/dL.
    pub bilirubin_mg_dl: f64,
    /// Lab upper limit of normal for total bilirubin, mg/dL.
    pub bilirubin_uln_mg_dl: f64,
    /// ALT, U/L.
    #[serde(default)]
    pub alt_u_l: Option<f64>,
    /// ALT ULN, U/L.
    #[serde(default)]
    pub alt_uln_u_l: Option<f64>,
    /// Alkaline phosphatase, U/L.
    #[serde(default)]
    pub alp_u_l: Option<f64>,
    /// ALP ULN, U/L.
    #[serde(default)]
    pub alp_uln_u_l: Option<f64>,
    /// Attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

/// Lung assessment (C-1, C-2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CgvhdLungs {
    /// FEV1 % predicted, if PFTs were done.
    #[serde(default)]
    pub fev1_pct_predicted: Option<f64>,
    /// Lung symptom score 0–3 (clinician).
    #[serde(default)]
    pub symptom_score: Option<u8>,
    /// Attribution.
    #[serde(default)]
    pub attribution: Attribution,
}

/// One NIH 2014 assessment. `None` = organ not assessed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct CgvhdAssessment {
    /// Date of the assessment (put on every piece of evidence).
    #[serde(default)]
    pub date: Option<Date>,
    /// Skin.
    #[serde(default)]
    pub skin: Option<CgvhdSkin>,
    /// Mouth (clinician 0–3).
    #[serde(default)]
    pub mouth: Option<ClinicianScore>,
    /// Eyes (clinician 0–3).
    #[serde(default)]
    pub eyes: Option<ClinicianScore>,
    /// GI tract.
    #[serde(default)]
    pub gi: Option<CgvhdGi>,
    /// Liver.
    #[serde(default)]
    pub liver: Option<CgvhdLiver>,
    /// Lungs.
    #[serde(default)]
    pub lungs: Option<CgvhdLungs>,
    /// Joints and fascia (clinician 0–3).
    #[serde(default)]
    pub joints: Option<ClinicianScore>,
    /// Genital tract (clinician 0–3).
    #[serde(default)]
    pub genital: Option<ClinicianScore>,
    /// Performance score 0–3 (recorded; not used in global severity).
    #[serde(default)]
    pub performance: Option<u8>,
}

/// Configuration for NIH scoring.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CgvhdConfig {
    /// C-2: when FEV1 is missing, use the lung symptom score (default true, flagged).
    pub lung_symptom_fallback: bool,
}

impl Default for CgvhdConfig {
    fn default() -> Self {
        CgvhdConfig {
            lung_symptom_fallback: true,
        }
    }
}

/// NIH global severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GlobalSeverity {
    /// No organ involved.
    None,
    /// Mild.
    Mild,
    /// Moderate.
    Moderate,
    /// Severe.
    Severe,
}

/// One organ's score as used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OrganScore {
    /// Organ.
    pub organ: CgvhdOrgan,
    /// Score 0–3.
    pub score: u8,
    /// Excluded from global severity (entirely other cause).
    pub excluded: bool,
    /// Attribution.
    pub attribution: Attribution,
}

/// The NIH result: organ scores and global severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CgvhdResult {
    /// Scores of the assessed organs.
    pub organs: Vec<OrganScore>,
    /// Global severity.
    pub global: GlobalSeverity,
}

/// Skin BSA score from rounded BSA (C-3): 0, 1–18, 19–50, > 50.
pub fn skin_bsa_score(bsa_pct: f64) -> u8 {
    let b = round_half_up(bsa_pct);
    if b > 50.0 {
        3
    } else if b >= 19.0 {
        2
    } else if b >= 1.0 {
        1
    } else {
        0
    }
}

/// Lung score from FEV1 % predicted, rounded half-up (C-1).
pub fn fev1_score(fev1_pct: f64) -> u8 {
    let f = round_half_up(fev1_pct);
    if f >= 80.0 {
        0
    } else if f >= 60.0 {
        1
    } else if f >= 40.0 {
        2
    } else {
        3
    }
}

/// GI weight-loss band (C-4): < 5 → 1, 5–15 → 2, > 15 → 3.
pub fn weight_loss_score(pct: f64) -> u8 {
    if gt(pct, 15.0) {
        3
    } else if ge(pct, 5.0) {
        2
    } else {
        1
    }
}

enum Scored {
    Score(u8, Vec<Evidence>, Vec<Flag>),
    Missing(String),
}

fn score_skin(s: &CgvhdSkin) -> Result<Scored, CgvhdInputError> {
    check(
        "skin.bsa_pct",
        s.bsa_pct,
        0.0,
        100.0,
        "a % of body-surface area between 0 and 100",
    )?;
    let b = skin_bsa_score(s.bsa_pct);
    let f = match s.sclerosis {
        SclerosisFeatures::None => 0,
        SclerosisFeatures::Superficial => 2,
        SclerosisFeatures::DeepOrImpairedMobilityOrUlceration => 3,
    };
    let ev = vec![
        Evidence::value(
            None,
            "skin_bsa",
            round_half_up(s.bsa_pct),
            Some(Unit::Percent),
            format!("BSA score {b} (0; 1-18; 19-50; >50 after half-up rounding)"),
        ),
        Evidence::finding(
            None,
            "skin_sclerosis",
            format!(
                "features score {f} ({})",
                crate::explain::words(&s.sclerosis)
            ),
        ),
    ];
    let mut fl = vec![Flag::new(
        "C-3",
        "skin BSA rounded half-up to an integer before banding (18.5% -> 19% -> score 2)",
    )];
    if b != f {
        fl.push(Flag::new(
            "NIH-SKIN",
            format!("skin: higher of BSA score {b} and features score {f} used"),
        ));
    }
    Ok(Scored::Score(b.max(f), ev, fl))
}

fn score_clinician(organ: CgvhdOrgan, c: &ClinicianScore) -> Result<Scored, CgvhdInputError> {
    if c.score > 3 {
        let field = match organ {
            CgvhdOrgan::Mouth => "mouth.score",
            CgvhdOrgan::Eyes => "eyes.score",
            CgvhdOrgan::Joints => "joints.score",
            _ => "genital.score",
        };
        return Err(CgvhdInputError::OutOfRange {
            field,
            value: f64::from(c.score),
            expected: "a clinician score 0, 1, 2 or 3 (C-6)",
        });
    }
    Ok(Scored::Score(
        c.score,
        vec![Evidence::value(
            None,
            organ.name(),
            f64::from(c.score),
            Some(Unit::Count),
            "clinician-entered score (C-6)",
        )],
        vec![],
    ))
}

fn score_gi(g: &CgvhdGi) -> Result<Scored, CgvhdInputError> {
    if let Some(w) = g.weight_loss_pct_3mo {
        check(
            "gi.weight_loss_pct_3mo",
            w,
            -100.0,
            100.0,
            "weight loss over 3 months in % (negative = gain)",
        )?;
    }
    let mut ev = Vec::new();
    let any = g.symptoms || g.diarrhea != DiarrheaCategory::None || g.esophageal_dilation;
    if !any {
        if let Some(w) = g.weight_loss_pct_3mo
            && ge(w, 5.0)
        {
            ev.push(Evidence::value(
                None,
                "weight_loss_3mo",
                w,
                Some(Unit::Percent),
                "weight loss without GI symptoms is an 'other indicator', not GI score",
            ));
        }
        return Ok(Scored::Score(0, ev, vec![]));
    }
    let mut s = 1u8;
    if g.esophageal_dilation {
        s = 3;
        ev.push(Evidence::finding(
            None,
            "esophageal_dilation",
            "oesophageal dilation -> 3",
        ));
    }
    match g.diarrhea {
        DiarrheaCategory::Severe => {
            s = s.max(3);
            ev.push(Evidence::finding(
                None,
                "diarrhea",
                "severe diarrhoea interfering with daily living -> 3",
            ));
        }
        DiarrheaCategory::Moderate => {
            s = s.max(2);
            ev.push(Evidence::finding(
                None,
                "diarrhea",
                "moderate diarrhoea -> 2",
            ));
        }
        DiarrheaCategory::None => {}
    }
    let mut fl = vec![];
    match g.weight_loss_pct_3mo {
        Some(w) => {
            let ws = weight_loss_score(w);
            s = s.max(ws);
            ev.push(Evidence::value(
                None,
                "weight_loss_3mo",
                w,
                Some(Unit::Percent),
                format!("weight-loss band {ws} (< 5 -> 1; 5-15 -> 2; > 15 -> 3)"),
            ));
            fl.push(Flag::new(
                "C-4",
                "GI weight loss over the preceding 3 months; exactly 5% and 15% score 2",
            ));
        }
        None if s < 3 => {
            return Ok(Scored::Missing(
                "GI: weight loss % over the preceding 3 months".into(),
            ));
        }
        None => {}
    }
    Ok(Scored::Score(s, ev, fl))
}

/// Liver score (NIH 2014): bilirubin > 3 mg/dL → 3, above its ULN → 2;
/// with a normal bilirubin the enzymes decide ([`score_liver_enzymes`]).
fn score_liver(l: &CgvhdLiver) -> Result<Scored, CgvhdInputError> {
    check_liver(l)?;
    let fl = vec![Flag::new(
        "C-5",
        "liver: ALT 5.0 x ULN -> 1, > 5 x ULN -> 2; ALP ≥ 3 x ULN -> 1 at most; elevated bilirubin ≤ 3 mg/dL -> 2, > 3 -> 3",
    )];
    let bili = Evidence::value(
        None,
        "bilirubin",
        l.bilirubin_mg_dl,
        Some(Unit::MgPerDl),
        format!("ULN {} mg/dL", l.bilirubin_uln_mg_dl),
    );
    if gt(l.bilirubin_mg_dl, 3.0) {
        return Ok(Scored::Score(3, vec![bili], fl));
    }
    if gt(l.bilirubin_mg_dl, l.bilirubin_uln_mg_dl) {
        return Ok(Scored::Score(2, vec![bili], fl));
    }
    Ok(score_liver_enzymes(l, vec![bili], fl))
}

/// Range checks of the liver values (bilirubin and its ULN; ALT, ALP and
/// their ULNs when recorded).
fn check_liver(l: &CgvhdLiver) -> Result<(), CgvhdInputError> {
    check(
        "liver.bilirubin_mg_dl",
        l.bilirubin_mg_dl,
        0.0,
        100.0,
        "total bilirubin in mg/dL between 0 and 100",
    )?;
    check(
        "liver.bilirubin_uln_mg_dl",
        l.bilirubin_uln_mg_dl,
        0.1,
        5.0,
        "bilirubin ULN in mg/dL between 0.1 and 5",
    )?;
    for (field, v) in [("liver.alt_u_l", l.alt_u_l), ("liver.alp_u_l", l.alp_u_l)] {
        if let Some(v) = v {
            check(
                field,
                v,
                0.0,
                100_000.0,
                "an enzyme activity in U/L between 0 and 100000",
            )?;
        }
    }
    for (field, v) in [
        ("liver.alt_uln_u_l", l.alt_uln_u_l),
        ("liver.alp_uln_u_l", l.alp_uln_u_l),
    ] {
        if let Some(v) = v {
            check(
                field,
                v,
                1.0,
                10_000.0,
                "an upper limit of normal in U/L between 1 and 10000",
            )?;
        }
    }
    Ok(())
}

/// Liver score with a normal bilirubin: ALT > 5 × ULN → 2, ≥ 3 × ULN → 1;
/// below that ALP ≥ 3 × ULN → 1, else 0. A ratio needed but not recorded
/// leaves the score missing.
fn score_liver_enzymes(l: &CgvhdLiver, mut ev: Vec<Evidence>, fl: Vec<Flag>) -> Scored {
    let alt_x = match (l.alt_u_l, l.alt_uln_u_l) {
        (Some(a), Some(u)) => a / u,
        _ => {
            return Scored::Missing(
                "liver: ALT and its ULN (bilirubin normal, so ALT decides the score)".into(),
            );
        }
    };
    ev.push(Evidence::value(
        None,
        "alt_x_uln",
        alt_x,
        Some(Unit::Ratio),
        "ALT as a multiple of ULN",
    ));
    if gt(alt_x, 5.0) {
        return Scored::Score(2, ev, fl);
    }
    if ge(alt_x, 3.0) {
        return Scored::Score(1, ev, fl);
    }
    let alp_x = match (l.alp_u_l, l.alp_uln_u_l) {
        (Some(a), Some(u)) => a / u,
        _ => return Scored::Missing("liver: ALP and its ULN".into()),
    };
    ev.push(Evidence::value(
        None,
        "alp_x_uln",
        alp_x,
        Some(Unit::Ratio),
        "ALP as a multiple of ULN",
    ));
    Scored::Score(u8::from(ge(alp_x, 3.0)), ev, fl)
}

fn score_lungs(l: &CgvhdLungs, cfg: &CgvhdConfig) -> Result<Scored, CgvhdInputError> {
    if let Some(f) = l.fev1_pct_predicted {
        check(
            "lungs.fev1_pct_predicted",
            f,
            0.0,
            200.0,
            "FEV1 % predicted between 0 and 200",
        )?;
    }
    if let Some(s) = l.symptom_score
        && s > 3
    {
        return Err(CgvhdInputError::OutOfRange {
            field: "lungs.symptom_score",
            value: f64::from(s),
            expected: "a symptom score 0, 1, 2 or 3",
        });
    }
    match (l.fev1_pct_predicted, l.symptom_score) {
        (Some(f), sym) => {
            let s = fev1_score(f);
            let mut fl = vec![Flag::new(
                "C-1",
                "FEV1 % predicted rounded half-up before banding (79.5 -> 80 -> 0)",
            )];
            if let Some(sy) = sym
                && sy != s
            {
                fl.push(Flag::new("C-2", format!("lung symptom score {sy} differs from FEV1 score {s}; FEV1 takes precedence (NIH 2014)")));
            }
            Ok(Scored::Score(
                s,
                vec![Evidence::value(
                    None,
                    "fev1_pct_predicted",
                    f,
                    Some(Unit::Percent),
                    format!("rounded {} -> lung score {s}", round_half_up(f)),
                )],
                fl,
            ))
        }
        (None, Some(sy)) if cfg.lung_symptom_fallback => Ok(Scored::Score(
            sy,
            vec![Evidence::value(
                None,
                "lung_symptom_score",
                f64::from(sy),
                Some(Unit::Count),
                "no FEV1: symptom score used",
            )],
            vec![Flag::new(
                "C-2",
                "lung score from symptoms (PFT not performed)",
            )],
        )),
        _ => Ok(Scored::Missing(
            "lungs: FEV1 % predicted (or, as fallback, the lung symptom score)".into(),
        )),
    }
}

/// Global severity from counted organ scores (fast path). `lung` is the
/// lung score if counted.
pub fn global_severity(scores: &[(CgvhdOrgan, u8)]) -> GlobalSeverity {
    let lung = scores
        .iter()
        .find(|(o, _)| *o == CgvhdOrgan::Lungs)
        .map_or(0, |x| x.1);
    let involved = scores.iter().filter(|(_, s)| *s >= 1).count();
    let any3 = scores.iter().any(|(_, s)| *s >= 3);
    let nonlung2 = scores
        .iter()
        .any(|(o, s)| *o != CgvhdOrgan::Lungs && *s == 2);
    if any3 || lung >= 2 {
        GlobalSeverity::Severe
    } else if nonlung2 || lung == 1 || involved >= 3 {
        GlobalSeverity::Moderate
    } else if involved >= 1 {
        GlobalSeverity::Mild
    } else {
        GlobalSeverity::None
    }
}

/// Scores an NIH 2014 assessment with full explanation: each organ scored
/// (`score_organ`), then the global-severity rules of the consensus paper
/// ([`global_severity`], `severity_reason`). Organs not assessed make the
/// result `InsufficientData` unless the assessed organs already give
/// *severe* (which more organs cannot change).
pub fn grade_cgvhd(
    a: &CgvhdAssessment,
    cfg: &CgvhdConfig,
) -> Result<Graded<CgvhdResult>, CgvhdInputError> {
    if let Some(p) = a.performance
        && p > 3
    {
        return Err(CgvhdInputError::OutOfRange {
            field: "performance",
            value: f64::from(p),
            expected: "a performance score 0-3",
        });
    }
    let mut t = OrganTally::default();
    for organ in CgvhdOrgan::ALL {
        let (res, att) = score_organ(a, cfg, organ)?;
        match res {
            None => t.missing.push(format!("{}: not assessed", organ.name())),
            Some(Scored::Missing(m)) => t.missing.push(m),
            Some(Scored::Score(s, ev, fl)) => t.record(a, organ, att, s, ev, fl),
        }
    }
    let global = global_severity(&t.counted);
    let reason = severity_reason(global, &t.counted);
    let OrganTally {
        organs,
        mut evidence,
        mut flags,
        missing,
        ..
    } = t;
    if let Some(p) = a.performance {
        evidence.push(Evidence::value(
            None,
            "performance_score",
            f64::from(p),
            Some(Unit::Count),
            "recorded; not used in global severity",
        ));
    }
    flags.push(Flag::new(
        "C-7",
        "scoring assumes chronic GVHD was diagnosed; the engine does not infer the diagnosis",
    ));
    let explanation = Explanation {
        rule: "NIH chronic GVHD global severity",
        version: NIH_VERSION,
        citations: NIH_CITATIONS.to_vec(),
        reason,
        evidence,
        flags,
    };
    let value = CgvhdResult { organs, global };
    if missing.is_empty() {
        Ok(Graded::Value { value, explanation })
    } else if global == GlobalSeverity::Severe {
        let mut explanation = explanation;
        explanation.flags.push(Flag::new(
            "MISSING-SEVERE",
            format!(
                "severe from the assessed organs; not assessed: {}",
                missing.join("; ")
            ),
        ));
        Ok(Graded::Value { value, explanation })
    } else {
        Ok(Graded::InsufficientData {
            missing,
            explanation,
        })
    }
}

/// What the organs gave so far.
#[derive(Default)]
struct OrganTally {
    organs: Vec<OrganScore>,
    evidence: Vec<Evidence>,
    flags: Vec<Flag>,
    missing: Vec<String>,
    counted: Vec<(CgvhdOrgan, u8)>,
}

impl OrganTally {
    /// Records organ `organ` scored `s` with its evidence and flags; an
    /// abnormality attributed entirely to another cause is shown but not
    /// counted (NIH-ATTR).
    fn record(
        &mut self,
        a: &CgvhdAssessment,
        organ: CgvhdOrgan,
        att: Attribution,
        s: u8,
        ev: Vec<Evidence>,
        fl: Vec<Flag>,
    ) {
        let excluded = att == Attribution::OtherCause && s > 0;
        for mut e in ev {
            e.note = format!("{}: {}", organ.name(), e.note);
            e.date = a.date;
            self.evidence.push(e);
        }
        self.flags.extend(fl);
        let name = organ.name();
        match att {
            Attribution::OtherCause if s > 0 => self.flags.push(Flag::new(
                "NIH-ATTR",
                format!("{name}: abnormality explained entirely by another documented cause; excluded from global severity"),
            )),
            Attribution::Multifactorial => self.flags.push(Flag::new(
                "NIH-ATTR",
                format!("{name}: multifactorial; counted at its full score {s} (no downgrading)"),
            )),
            _ => {}
        }
        if !excluded {
            self.counted.push((organ, s));
        }
        self.organs.push(OrganScore {
            organ,
            score: s,
            excluded,
            attribution: att,
        });
    }
}

/// Organ `organ` of the assessment scored (`None` = not assessed) and its
/// attribution.
fn score_organ(
    a: &CgvhdAssessment,
    cfg: &CgvhdConfig,
    organ: CgvhdOrgan,
) -> Result<(Option<Scored>, Attribution), CgvhdInputError> {
    let (res, att) = match organ {
        CgvhdOrgan::Skin => (
            a.skin.as_ref().map(score_skin),
            a.skin.map(|s| s.attribution),
        ),
        CgvhdOrgan::Mouth => (
            a.mouth.as_ref().map(|c| score_clinician(organ, c)),
            a.mouth.map(|s| s.attribution),
        ),
        CgvhdOrgan::Eyes => (
            a.eyes.as_ref().map(|c| score_clinician(organ, c)),
            a.eyes.map(|s| s.attribution),
        ),
        CgvhdOrgan::Gi => (a.gi.as_ref().map(score_gi), a.gi.map(|s| s.attribution)),
        CgvhdOrgan::Liver => (
            a.liver.as_ref().map(score_liver),
            a.liver.map(|s| s.attribution),
        ),
        CgvhdOrgan::Lungs => (
            a.lungs.as_ref().map(|l| score_lungs(l, cfg)),
            a.lungs.map(|s| s.attribution),
        ),
        CgvhdOrgan::Joints => (
            a.joints.as_ref().map(|c| score_clinician(organ, c)),
            a.joints.map(|s| s.attribution),
        ),
        CgvhdOrgan::Genital => (
            a.genital.as_ref().map(|c| score_clinician(organ, c)),
            a.genital.map(|s| s.attribution),
        ),
    };
    Ok((res.transpose()?, att.unwrap_or_default()))
}

/// Why the counted organ scores give `global` (NIH 2014 global severity).
fn severity_reason(global: GlobalSeverity, counted: &[(CgvhdOrgan, u8)]) -> String {
    let lung = counted
        .iter()
        .find(|(o, _)| *o == CgvhdOrgan::Lungs)
        .map(|x| x.1);
    let involved: Vec<String> = counted
        .iter()
        .filter(|(_, s)| *s >= 1)
        .map(|(o, s)| format!("{} {s}", o.name()))
        .collect();
    match global {
        GlobalSeverity::Severe if lung.is_some_and(|l| l >= 2) => {
            format!("lung score {} gives severe", lung.unwrap_or(0))
        }
        GlobalSeverity::Severe => {
            format!("an organ scoring 3 gives severe ({})", involved.join(", "))
        }
        GlobalSeverity::Moderate if lung == Some(1) => {
            "lung score 1 gives at least moderate".to_string()
        }
        GlobalSeverity::Moderate => format!(
            "a non-lung organ scoring 2 or ≥ 3 organs involved gives moderate ({})",
            involved.join(", ")
        ),
        GlobalSeverity::Mild => format!(
            "1-2 organs at score 1 with lung 0 gives mild ({})",
            involved.join(", ")
        ),
        GlobalSeverity::None => "no organ involved".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn liver(alt: f64, alp: Option<f64>) -> CgvhdLiver {
        CgvhdLiver {
            bilirubin_mg_dl: 0.8,
            bilirubin_uln_mg_dl: 1.2,
            alt_u_l: Some(alt),
            alt_uln_u_l: Some(40.0),
            alp_u_l: alp,
            alp_uln_u_l: alp.map(|_| 100.0),
            attribution: Attribution::default(),
        }
    }

    fn enzyme_score(l: &CgvhdLiver) -> Option<u8> {
        match score_liver_enzymes(l, Vec::new(), Vec::new()) {
            Scored::Score(s, _, _) => Some(s),
            Scored::Missing(_) => None,
        }
    }

    #[test]
    fn alt_bands_on_both_sides_of_three_and_five_times_uln() {
        assert_eq!(enzyme_score(&liver(201.0, None)), Some(2));
        assert_eq!(enzyme_score(&liver(200.0, None)), Some(1));
        assert_eq!(enzyme_score(&liver(120.0, None)), Some(1));
        // Below 3 x ULN the ALP decides, and must be recorded.
        assert_eq!(enzyme_score(&liver(119.0, None)), None);
        assert_eq!(enzyme_score(&liver(119.0, Some(300.0))), Some(1));
        assert_eq!(enzyme_score(&liver(119.0, Some(299.0))), Some(0));
    }

    #[test]
    fn liver_ranges_are_checked() {
        let ok = liver(50.0, None);
        assert!(check_liver(&ok).is_ok());
        let low_uln = CgvhdLiver {
            bilirubin_uln_mg_dl: 0.05,
            ..ok
        };
        assert!(check_liver(&low_uln).is_err());
        let low_alt_uln = CgvhdLiver {
            alt_uln_u_l: Some(0.5),
            ..ok
        };
        assert!(check_liver(&low_alt_uln).is_err());
    }
}

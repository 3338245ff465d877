//! EBMT (Gratwohl) risk score, 0–7 ([R]).
//!
//! | Factor | 0 | 1 | 2 |
//! |---|---|---|---|
//! | Age | < 20 | 20–40 (inclusive) | > 40 |
//! | Disease stage | early | intermediate | late |
//! | Diagnosis → HCT | < 12 months, or any patient in CR1 | ≥ 12 months | – |
//! | Donor | HLA-identical sibling or syngeneic | other (unrelated, haploidentical, cord) | – |
//! | Donor → recipient sex | other | female → male | – |

use graftwatch_core::{Citation, Date, Provenance};
use serde::{Deserialize, Serialize};

use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::ValueError;

/// EBMT score citation.
pub const EBMT_SCORE_CITATION: Citation = Citation {
    source: "Gratwohl A et al. Lancet 1998;352:1087-1092; Gratwohl A. Cancer 2009;115:4715-4726",
    year: 2009,
    table: "EBMT risk score factors",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Factor bands recalled [R]; ages 20 and 40 taken as inside the 20-40 band (reference default); \
           haploidentical donors scored 1 ('other').",
};

/// Disease stage for the EBMT score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EbmtStage {
    /// Acute leukaemia in CR1; MDS untreated or CR1; CML CP1; NHL/MM untreated or CR1.
    Early,
    /// CR2; CML not in CP1; MDS/NHL/MM in CR2 or PR.
    Intermediate,
    /// All others (relapse, refractory, CML blast crisis).
    Late,
}

/// Donor type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EbmtDonor {
    /// HLA-identical sibling.
    HlaIdenticalSibling,
    /// Syngeneic twin.
    Syngeneic,
    /// Matched or mismatched unrelated donor.
    Unrelated,
    /// Haploidentical related donor (scored as other, flagged).
    Haploidentical,
    /// Umbilical cord blood (scored as other, flagged).
    CordBlood,
}

/// Biological sex for the donor–recipient pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// EBMT score input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EbmtInput {
    /// Age at HCT, completed years.
    pub age_years: u32,
    /// Disease stage.
    pub stage: EbmtStage,
    /// In first complete remission (time factor scores 0).
    pub first_complete_remission: bool,
    /// Date of diagnosis.
    pub diagnosis_date: Option<Date>,
    /// Date of HCT.
    pub hct_date: Date,
    /// Donor type.
    pub donor: EbmtDonor,
    /// Donor sex (for a multi-donor graft: the donor of the long-term graft).
    pub donor_sex: Option<Sex>,
    /// Recipient sex.
    pub recipient_sex: Option<Sex>,
}

/// EBMT score with components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EbmtScore {
    /// Total 0–7.
    pub score: u8,
    /// Age points.
    pub age: u8,
    /// Stage points.
    pub stage: u8,
    /// Time points.
    pub time: u8,
    /// Donor points.
    pub donor: u8,
    /// Sex-mismatch points.
    pub sex: u8,
}

/// Age points: < 20 → 0; 20–40 → 1; > 40 → 2.
pub fn ebmt_age_points(age: u32) -> u8 {
    match age {
        0..=19 => 0,
        20..=40 => 1,
        _ => 2,
    }
}

/// Whole months from `from` to `to` (calendar months, day-of-month aware).
pub fn whole_months(from: Date, to: Date) -> i32 {
    let (y1, m1, d1) = from.ymd();
    let (y2, m2, d2) = to.ymd();
    let mut m = (y2 - y1) * 12 + (m2 as i32 - m1 as i32);
    if d2 < d1 {
        m -= 1;
    }
    m
}

/// Computes the EBMT score.
pub fn ebmt_score(i: &EbmtInput) -> Result<Graded<EbmtScore>, ValueError> {
    let mut ex = Explanation {
        rule: "EBMT risk score",
        version: "Gratwohl 1998/2009 [R]",
        citations: vec![EBMT_SCORE_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "EBMT-age",
            "ages 20 and 40 scored 1 (20-40 inclusive)",
        )],
    };
    if let Some(dx) = i.diagnosis_date
        && dx > i.hct_date
    {
        return Err(ValueError::Inconsistent {
            what: "diagnosis_date",
            date: Some(dx),
            detail: format!("diagnosis after HCT ({})", i.hct_date),
        });
    }
    let mut missing = Vec::new();
    let time = if i.first_complete_remission {
        Some(0)
    } else {
        match i.diagnosis_date {
            Some(dx) => {
                let months = whole_months(dx, i.hct_date);
                ex.evidence.push(Evidence::finding(
                    Some(dx),
                    "diagnosis_to_hct",
                    format!("{months} whole months to HCT on {}", i.hct_date),
                ));
                Some((months >= 12) as u8)
            }
            None => {
                missing.push("diagnosis date (patient not in CR1)".to_string());
                None
            }
        }
    };
    let sex = match (i.donor_sex, i.recipient_sex) {
        (Some(d), Some(r)) => Some((d == Sex::Female && r == Sex::Male) as u8),
        _ => {
            missing.push("donor and recipient sex".to_string());
            None
        }
    };
    let donor = match i.donor {
        EbmtDonor::HlaIdenticalSibling | EbmtDonor::Syngeneic => 0,
        EbmtDonor::Unrelated => 1,
        EbmtDonor::Haploidentical | EbmtDonor::CordBlood => {
            ex.flags.push(Flag::new(
                "EBMT-donor",
                "haploidentical / cord blood donor scored 1 ('other')",
            ));
            1
        }
    };
    let age = ebmt_age_points(i.age_years);
    let stage = match i.stage {
        EbmtStage::Early => 0,
        EbmtStage::Intermediate => 1,
        EbmtStage::Late => 2,
    };
    ex.evidence.push(Evidence::finding(
        None,
        "age",
        format!("{} years: {age} point(s)", i.age_years),
    ));
    ex.evidence.push(Evidence::finding(
        None,
        "disease_stage",
        format!("{:?}: {stage} point(s)", i.stage),
    ));
    ex.evidence.push(Evidence::finding(
        None,
        "donor",
        format!("{:?}: {donor} point(s)", i.donor),
    ));
    let (Some(time), Some(sex)) = (time, sex) else {
        ex.reason = format!(
            "score at least {}",
            age + stage + donor + time.unwrap_or(0) + sex.unwrap_or(0)
        );
        return Ok(Graded::InsufficientData {
            missing,
            explanation: ex,
        });
    };
    let score = age + stage + time + donor + sex;
    ex.reason =
        format!("age {age} + stage {stage} + time {time} + donor {donor} + sex {sex} = {score}");
    Ok(Graded::Value {
        value: EbmtScore {
            score,
            age,
            stage,
            time,
            donor,
            sex,
        },
        explanation: ex,
    })
}

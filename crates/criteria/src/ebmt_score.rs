//! EBMT (Gratwohl) risk score, 0–7 (\[R\]).
//!
//! | Factor | 0 | 1 | 2 |
//! |---|---|---|---|
//! | Age | < 20 | 20–40 (inclusive) | > 40 |
//! | Disease stage | early | intermediate | late |
//! | Diagnosis → HCT | < 12 months, or any patient in CR1 | ≥ 12 months (`EBMT-12m`) | – |
//! | Donor | HLA-identical sibling or syngeneic twin (`EBMT-twin`) | other (unrelated, haploidentical, cord, other related) | – |
//! | Donor → recipient sex | other | female → male | – |
//!
//! Stage (Gratwohl 2009, Table 1): early = acute leukaemia in CR1, MDS
//! untreated or in CR1, CML in first chronic phase, lymphoma/myeloma
//! untreated or in CR1; intermediate = acute leukaemia in CR2, CML in any
//! phase other than CP1 or blast crisis, MDS in CR2 or PR, lymphoma/myeloma
//! in CR2, PR or stable disease; late = everything else. The engine derives
//! the stage from the course (`engine/risk`).

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
    note: "Factor bands recalled [R] and matched to the 2012 review abstract (Gratwohl, BMT 2012;47:749: five \
           factors, score 0-7) [V abstract]; ages 20 and 40 taken as inside the 20-40 band (reference default); \
           exactly 12 months scored 1; haploidentical and cord donors scored 1 ('other'); syngeneic twin 0.",
};

/// Disease stage for the EBMT score (the discriminant is its points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EbmtStage {
    /// Acute leukaemia in CR1; MDS untreated or CR1; CML CP1; NHL/MM untreated or CR1.
    Early = 0,
    /// CR2; CML not in CP1; MDS/NHL/MM in CR2 or PR.
    Intermediate = 1,
    /// All others (relapse, refractory, CML blast crisis).
    Late = 2,
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

/// How an interval of exactly 12 whole months scores (`EBMT-12m`):
/// Gratwohl prints "< 12 months" → 0 and "> 12 months" → 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EbmtTwelveMonths {
    /// 12 whole months or more → 1 (reference default).
    #[default]
    ScoresOne,
    /// Only 13 whole months or more → 1.
    ScoresZero,
}

/// EBMT score options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EbmtConfig {
    /// `EBMT-12m`.
    pub twelve_months: EbmtTwelveMonths,
    /// `EBMT-twin`: points for a syngeneic twin donor (default 0, as an
    /// HLA-identical sibling).
    pub syngeneic_points: u8,
}

impl Default for EbmtConfig {
    fn default() -> Self {
        EbmtConfig {
            twelve_months: EbmtTwelveMonths::ScoresOne,
            syngeneic_points: 0,
        }
    }
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

/// One factor of the score with its points and what gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EbmtComponent {
    /// Factor: `age`, `disease stage`, `time from diagnosis`, `donor type`,
    /// `donor-recipient sex`.
    pub factor: &'static str,
    /// Points.
    pub points: u8,
    /// The value that gave them.
    pub basis: String,
}

/// EBMT score with components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// Each factor with its basis.
    pub components: Vec<EbmtComponent>,
}

impl EbmtStage {
    /// The stage in words.
    pub fn label(self) -> &'static str {
        match self {
            EbmtStage::Early => "early",
            EbmtStage::Intermediate => "intermediate",
            EbmtStage::Late => "late",
        }
    }
}

impl EbmtDonor {
    /// The donor type in words.
    pub fn label(self) -> &'static str {
        match self {
            EbmtDonor::HlaIdenticalSibling => "HLA-identical sibling",
            EbmtDonor::Syngeneic => "syngeneic twin",
            EbmtDonor::Unrelated => "unrelated or other related donor",
            EbmtDonor::Haploidentical => "haploidentical related donor",
            EbmtDonor::CordBlood => "umbilical cord blood",
        }
    }
}

fn sex_label(s: Sex) -> &'static str {
    match s {
        Sex::Female => "female",
        Sex::Male => "male",
    }
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

fn explanation() -> Explanation {
    Explanation {
        rule: "EBMT risk score",
        version: "Gratwohl 1998/2009 [R]",
        citations: vec![EBMT_SCORE_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: Vec::new(),
    }
}

/// Time points, or the missing item.
fn time_points(
    i: &EbmtInput,
    cfg: &EbmtConfig,
    ex: &mut Explanation,
) -> Result<(u8, String), String> {
    if i.first_complete_remission {
        return Ok((
            0,
            "first complete remission (scores 0 whatever the interval)".into(),
        ));
    }
    let Some(dx) = i.diagnosis_date else {
        return Err("diagnosis date (patient not in CR1)".to_string());
    };
    let months = whole_months(dx, i.hct_date);
    let cut = match cfg.twelve_months {
        EbmtTwelveMonths::ScoresOne => 12,
        EbmtTwelveMonths::ScoresZero => 13,
    };
    if months == 12 {
        ex.flags.push(Flag::new(
            "EBMT-12m",
            format!(
                "12 whole months from diagnosis to HCT scored {} (Gratwohl: < 12 -> 0, > 12 -> 1)",
                (months >= cut) as u8
            ),
        ));
    }
    let basis = format!(
        "{months} whole months from diagnosis ({dx}) to HCT ({})",
        i.hct_date
    );
    Ok(((months >= cut) as u8, basis))
}

fn donor_points(i: &EbmtInput, cfg: &EbmtConfig, ex: &mut Explanation) -> u8 {
    match i.donor {
        EbmtDonor::HlaIdenticalSibling => 0,
        EbmtDonor::Syngeneic => {
            ex.flags.push(Flag::new(
                "EBMT-twin",
                format!(
                    "syngeneic twin donor scored {} (as an HLA-identical sibling)",
                    cfg.syngeneic_points
                ),
            ));
            cfg.syngeneic_points.min(1)
        }
        EbmtDonor::Unrelated => 1,
        EbmtDonor::Haploidentical | EbmtDonor::CordBlood => {
            ex.flags.push(Flag::new(
                "EBMT-donor",
                "haploidentical / cord blood donor scored 1 ('other')",
            ));
            1
        }
    }
}

/// Computes the EBMT score.
pub fn ebmt_score(i: &EbmtInput) -> Result<Graded<EbmtScore>, ValueError> {
    ebmt_score_with(i, &EbmtConfig::default())
}

fn component(factor: &'static str, points: u8, basis: String) -> EbmtComponent {
    EbmtComponent {
        factor,
        points,
        basis,
    }
}

/// Sex points with their basis, or `None` when either sex is unknown.
fn sex_points(i: &EbmtInput) -> Option<(u8, String)> {
    let (d, r) = (i.donor_sex?, i.recipient_sex?);
    Some((
        (d == Sex::Female && r == Sex::Male) as u8,
        format!("{} donor to {} recipient", sex_label(d), sex_label(r)),
    ))
}

/// The scored components in report order (age, disease stage, time from
/// diagnosis, donor type, donor-recipient sex); a factor that could not be
/// scored (`None`) is left out.
fn components_of(
    i: &EbmtInput,
    donor: u8,
    time: Option<(u8, String)>,
    sex: Option<(u8, String)>,
) -> Vec<EbmtComponent> {
    [
        Some(component(
            "age",
            ebmt_age_points(i.age_years),
            format!("{} years at HCT", i.age_years),
        )),
        Some(component(
            "disease stage",
            i.stage as u8,
            format!("{} stage", i.stage.label()),
        )),
        time.map(|(t, b)| component("time from diagnosis", t, b)),
        Some(component("donor type", donor, i.donor.label().to_string())),
        sex.map(|(p, b)| component("donor-recipient sex", p, b)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// One evidence line per component; the time from diagnosis is dated by the
/// diagnosis.
fn component_evidence(i: &EbmtInput, components: &[EbmtComponent]) -> Vec<Evidence> {
    components
        .iter()
        .map(|c| {
            let d = (c.factor == "time from diagnosis")
                .then_some(i.diagnosis_date)
                .flatten();
            Evidence::finding(
                d,
                c.factor,
                format!(
                    "{}: {}",
                    graftwatch_core::number::counted(c.points as usize, "point"),
                    c.basis
                ),
            )
        })
        .collect()
}

/// Computes the EBMT score with options.
pub fn ebmt_score_with(i: &EbmtInput, cfg: &EbmtConfig) -> Result<Graded<EbmtScore>, ValueError> {
    let mut ex = explanation();
    if let Some(dx) = i.diagnosis_date
        && dx > i.hct_date
    {
        return Err(ValueError::Inconsistent {
            what: "diagnosis_date",
            date: Some(dx),
            detail: format!("diagnosis after HCT ({})", i.hct_date),
        });
    }
    if i.age_years == 20 || i.age_years == 40 {
        ex.flags.push(Flag::new(
            "EBMT-age",
            "ages 20 and 40 scored 1 (20-40 inclusive)",
        ));
    }
    let mut missing = Vec::new();
    let time = time_points(i, cfg, &mut ex)
        .map_err(|m| missing.push(m))
        .ok();
    let sex = sex_points(i);
    if sex.is_none() {
        missing.push("donor and recipient sex".to_string());
    }
    let donor = donor_points(i, cfg, &mut ex);
    let age = ebmt_age_points(i.age_years);
    let stage = i.stage as u8;
    let components = components_of(i, donor, time.clone(), sex.clone());
    ex.evidence = component_evidence(i, &components);
    let (Some((time, _)), Some((sex, _))) = (time, sex) else {
        let partial: u8 = components.iter().map(|c| c.points).sum();
        ex.reason = format!("score at least {partial}");
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
            components,
        },
        explanation: ex,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EbmtInput {
        EbmtInput {
            age_years: 41,
            stage: EbmtStage::Late,
            first_complete_remission: false,
            diagnosis_date: Some("2024-01-10".parse().unwrap()),
            hct_date: "2025-03-01".parse().unwrap(),
            donor: EbmtDonor::Unrelated,
            donor_sex: None,
            recipient_sex: None,
        }
    }

    #[test]
    fn unscored_factors_are_left_out_in_report_order() {
        let c = components_of(&input(), 1, None, Some((1, "F to M".into())));
        let factors: Vec<&str> = c.iter().map(|c| c.factor).collect();
        assert_eq!(
            factors,
            ["age", "disease stage", "donor type", "donor-recipient sex"]
        );
        assert_eq!((c[0].points, c[1].points), (2, 2));
    }

    #[test]
    fn only_the_time_factor_is_dated_by_the_diagnosis() {
        let i = input();
        let c = components_of(&i, 1, Some((1, "13 months".into())), None);
        let ev = component_evidence(&i, &c);
        let dated: Vec<bool> = ev.iter().map(|e| e.date.is_some()).collect();
        assert_eq!(dated, [false, false, true, false]);
    }
}

//! HCT-CI from the course: coded comorbidities (unlisted = absent,
//! `GW-COMORB`), the latest labs, LVEF, lung function and weight dated
//! before the start of conditioning (else before day 0: the pre-transplant
//! state the HCT-CI describes, Sorror 2005), BMI-for-age for children, and
//! an infection ongoing on day 0.

use graftwatch_core::{Analyte, Date};
use graftwatch_course::{Course, EventDetail, Observation, ObservationKind, Sex as CSex};
use graftwatch_criteria::bmi_for_age::{GrowthSex, bmi_for_age};
use graftwatch_criteria::hct_ci::{
    Dyspnea, HctCiDates, HctCiInput, hct_ci, hct_ci_age_group_words,
};
use graftwatch_criteria::{Evidence, Flag};

use super::{Sink, add_flags, latest, observations_between};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, Transplant};
use crate::output::SummaryItem;

/// Comorbidity codes understood (the HCT-CI item names of the criteria).
pub const COMORBIDITY_CODES: &[&str] = &[
    "arrhythmia",
    "cardiac",
    "inflammatory_bowel_disease",
    "diabetes",
    "cerebrovascular",
    "psychiatric",
    "chronic_hepatitis",
    "cirrhosis",
    "infection",
    "rheumatologic",
    "peptic_ulcer",
    "dialysis",
    "prior_renal_transplant",
    "prior_solid_tumor",
    "heart_valve_disease",
    "obesity",
    "dyspnea_slight_activity",
    "dyspnea_at_rest",
];

/// A code as written, normalised: lower case, `-`/space → `_`, British
/// spellings (`dyspnoea`, `tumour`) accepted.
pub fn normalise_code(c: &str) -> String {
    c.trim()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_")
        .replace("dyspnoea", "dyspnea")
        .replace("tumour", "tumor")
}

/// The coded items of the patient.
struct Codes(Vec<String>);

impl Codes {
    fn has(&self, c: &str) -> Option<bool> {
        Some(self.0.iter().any(|k| k == c))
    }
}

/// The end of the pre-transplant state that the HCT-CI describes (Sorror
/// 2005 scores the comorbidities before transplant): labs, weight, lung
/// function and LVEF count only when dated before `before`, the start of
/// conditioning when one is recorded, else day 0. A value taken during
/// conditioning or on day 0 reflects the conditioning, not the patient's
/// comorbidity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PreTransplant {
    /// Values must be dated before this day.
    before: Date,
    /// `before` is the start of conditioning (else day 0).
    conditioning: bool,
}

impl PreTransplant {
    /// The pre-transplant state of transplant `t`.
    fn of(t: &Transplant) -> PreTransplant {
        match t.conditioning_start {
            Some(c) => PreTransplant {
                before: c,
                conditioning: true,
            },
            None => PreTransplant {
                before: t.day0,
                conditioning: false,
            },
        }
    }

    /// The window of `days` days ending the day before `before`.
    fn window(self, days: i32) -> (Date, Date) {
        (self.before.add_days(-days.max(0)), self.before.add_days(-1))
    }

    /// "the start of conditioning (2024-04-19)" / "day 0 (2024-04-29; no
    /// conditioning recorded)".
    fn words(self) -> String {
        if self.conditioning {
            format!("the start of conditioning ({})", self.before)
        } else {
            format!("day 0 ({}; no conditioning recorded)", self.before)
        }
    }
}

/// (value, date) of the latest observation of `kind` in the `days` days
/// before the pre-transplant limit among `obs` (every observation of the
/// windows: [`window`]).
fn recent(
    obs: &[Observation],
    in_order: bool,
    kind: ObservationKind,
    days: i32,
    pre: PreTransplant,
) -> Option<(Date, f64)> {
    let (from, to) = pre.window(days);
    latest(obs, in_order, kind, from, to)
}

/// The observations of the lab and test windows before the pre-transplant
/// limit.
fn window<'c>(
    course: &'c Course,
    x: &CourseInputs,
    cfg: &crate::RiskConfig,
    pre: PreTransplant,
) -> &'c [Observation] {
    let (from, to) = pre.window(cfg.lab_window_days.max(cfg.test_window_days));
    observations_between(course, x.observations_in_date_order, from, to)
}

/// An infection event ongoing on day 0.
fn infection_on_day0(course: &Course, hct: Date) -> Option<(Date, String)> {
    course.events.iter().find_map(|e| match &e.detail {
        EventDetail::Infection { syndrome, .. } if e.date <= hct && e.covers(hct) => {
            Some((e.date, syndrome.clone()))
        }
        _ => None,
    })
}

/// Age in months at `on` assuming a birthday on 1 July (only the birth year is recorded).
fn approx_age_months(birth_year: i32, on: Date) -> f64 {
    let (y, m, d) = on.ymd();
    f64::from((y - birth_year) * 12 + m as i32 - 7) + f64::from(d - 1) / 30.4375
}

/// Obesity inputs: (BMI, child's BMI-for-age ≥ P95, flags).
fn obesity_inputs(
    course: &Course,
    x: &CourseInputs,
    cfg: &crate::RiskConfig,
    hct: Date,
    pre: PreTransplant,
) -> (Option<(Date, f64)>, Option<bool>, Vec<Flag>) {
    let weight = recent(
        window(course, x, cfg, pre),
        x.observations_in_date_order,
        ObservationKind::Weight,
        cfg.lab_window_days,
        pre,
    );
    let bmi = match (weight, course.patient.height_cm) {
        // BMI to 0.1 kg/m², as reported clinically (35.04 -> 35.0, not > 35).
        (Some((d, w)), Some(h)) if h > 0.0 => {
            Some((d, (w / (h / 100.0).powi(2) * 10.0).round() / 10.0))
        }
        _ => None,
    };
    let mut flags = Vec::new();
    let child = x
        .risk
        .age_at_hct
        .is_some_and(|a| a < cfg.pediatric_below_age);
    let (Some((_, b)), true) = (bmi, child) else {
        return (bmi, None, flags);
    };
    let sex = match course.patient.sex {
        CSex::Male => GrowthSex::Male,
        CSex::Female => GrowthSex::Female,
        CSex::Unknown => {
            flags.push(Flag::new(
                "HCTCI-child",
                "child with unknown sex: BMI-for-age cannot be looked up; obesity counted absent unless coded",
            ));
            return (bmi, Some(false), flags);
        }
    };
    let months = approx_age_months(course.patient.birth_year, hct);
    let r = bmi_for_age(sex, months, b);
    let text = match r {
        Some(r) => format!(
            "age < {}: obesity = BMI-for-age ≥ 95th percentile (CDC 2000): BMI {b:.1} vs {:.1} kg/m2 at about {:.0} months (birthday taken as 1 July)",
            cfg.pediatric_below_age, r.p95_bmi, months
        ),
        None => format!(
            "age < {}: about {months:.0} months is outside the CDC 2000 BMI-for-age table (24-240 months); obesity counted absent unless coded",
            cfg.pediatric_below_age
        ),
    };
    flags.push(Flag::new("HCTCI-child", text));
    (bmi, Some(r.is_some_and(|r| r.at_or_above_p95)), flags)
}

/// The dyspnea item from the comorbidity codes: at rest (or on oxygen)
/// before slight activity; neither coded is none.
fn dyspnea_of(codes: &Codes) -> Dyspnea {
    if codes.has("dyspnea_at_rest") == Some(true) {
        Dyspnea::AtRestOrOxygen
    } else if codes.has("dyspnea_slight_activity") == Some(true) {
        Dyspnea::SlightActivity
    } else {
        Dyspnea::None
    }
}

/// The infection item: as coded; when coded absent and
/// `infection_event_scores` is set, an infection event still ongoing on
/// day 0 scores it (flagged).
fn infection_item(
    course: &Course,
    cfg: &crate::RiskConfig,
    hct: Date,
    codes: &Codes,
    flags: &mut Vec<Flag>,
) -> Option<bool> {
    let infection = codes.has("infection");
    if infection == Some(false)
        && cfg.infection_event_scores
        && let Some((d, s)) = infection_on_day0(course, hct)
    {
        flags.push(Flag::new(
            "HCTCI-infection",
            format!(
                "infection '{s}' from {d} still ongoing on day 0 ({hct}): infection item scored"
            ),
        ));
        return Some(true);
    }
    infection
}

/// Builds the HCT-CI input from the course; also returns its flags.
fn input(
    course: &Course,
    x: &CourseInputs,
    cfg: &crate::RiskConfig,
    hct: Date,
    pre: PreTransplant,
    codes: &Codes,
) -> (HctCiInput, Vec<Flag>) {
    let uln = course.patient.lab_reference;
    let obs = window(course, x, cfg, pre);
    let ord = x.observations_in_date_order;
    let lab = |a| recent(obs, ord, ObservationKind::Lab(a), cfg.lab_window_days, pre);
    let test = |k| recent(obs, ord, k, cfg.test_window_days, pre);
    let (bili, crea) = (lab(Analyte::Bilirubin), lab(Analyte::Creatinine));
    let ast = lab(Analyte::Ast).map(|(d, v)| (d, v / uln.ast_uln));
    let alt = lab(Analyte::Alt).map(|(d, v)| (d, v / uln.alt_uln));
    let tx = match (ast, alt) {
        (Some(a), Some(b)) => Some(if b.1 > a.1 { b } else { a }),
        (a, b) => a.or(b),
    };
    let (fev1, dlco, ef) = (
        test(ObservationKind::Fev1Percent),
        test(ObservationKind::DlcoPercent),
        test(ObservationKind::Lvef),
    );
    let (bmi, child_obese, mut flags) = obesity_inputs(course, x, cfg, hct, pre);
    let dyspnea = dyspnea_of(codes);
    let infection = infection_item(course, cfg, hct, codes, &mut flags);
    let i = HctCiInput {
        arrhythmia: codes.has("arrhythmia"),
        cardiac_cad_chf_mi: codes.has("cardiac"),
        ejection_fraction_pct: ef.map(|e| e.1),
        inflammatory_bowel_disease: codes.has("inflammatory_bowel_disease"),
        diabetes: codes.has("diabetes"),
        cerebrovascular: codes.has("cerebrovascular"),
        psychiatric: codes.has("psychiatric"),
        chronic_hepatitis: codes.has("chronic_hepatitis"),
        cirrhosis: codes.has("cirrhosis"),
        bilirubin_x_uln: bili.map(|b| b.1 / uln.bilirubin_uln_mg_dl),
        ast_alt_x_uln: tx.map(|t| t.1),
        bmi: bmi.map(|b| b.1),
        obesity_coded: codes.has("obesity"),
        bmi_for_age_at_or_above_p95: child_obese,
        infection,
        rheumatologic: codes.has("rheumatologic"),
        peptic_ulcer: codes.has("peptic_ulcer"),
        creatinine_mg_dl: crea.map(|c| c.1),
        dialysis: codes.has("dialysis"),
        prior_renal_transplant: codes.has("prior_renal_transplant"),
        fev1_pct: fev1.map(|f| f.1),
        dlco_pct: dlco.map(|f| f.1),
        dyspnea: Some(dyspnea),
        prior_solid_tumor: codes.has("prior_solid_tumor"),
        heart_valve_disease: codes.has("heart_valve_disease"),
        age_years: x.risk.age_at_hct.and_then(|a| u32::try_from(a).ok()),
        dates: HctCiDates {
            ejection_fraction: ef.map(|e| e.0),
            bilirubin: bili.map(|b| b.0),
            ast_alt: tx.map(|t| t.0),
            bmi: bmi.map(|b| b.0),
            creatinine: crea.map(|c| c.0),
            fev1: fev1.map(|f| f.0),
            dlco: dlco.map(|f| f.0),
        },
    };
    (i, flags)
}

fn convention_flags(x: &CourseInputs, cfg: &crate::RiskConfig, pre: PreTransplant) -> Vec<Flag> {
    let mut fl = vec![Flag::new(
        "GW-COMORB",
        format!(
            "HCT-CI items not listed in the patient's comorbidities are taken as absent; the HCT-CI describes the state before transplant (Sorror 2005), so labs and weight are the latest in the {} days before {}, lung function and LVEF in the {} days before it (values from conditioning or day 0 on are not used)",
            cfg.lab_window_days,
            pre.words(),
            cfg.test_window_days
        ),
    )];
    let unknown: Vec<&str> = x
        .risk
        .comorbidities
        .iter()
        .filter(|k| !COMORBIDITY_CODES.contains(&normalise_code(k).as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        fl.push(Flag::new(
            "GW-COMORB-UNKNOWN",
            format!(
                "comorbidity codes not recognised and ignored: {} (accepted: {})",
                unknown.join(", "),
                COMORBIDITY_CODES.join(", ")
            ),
        ));
    }
    fl
}

/// Grades the HCT-CI at the first transplant.
pub(super) fn run(
    course: &Course,
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    t: &Transplant,
    sink: &mut Sink,
) {
    let hct = t.day0;
    let codes = Codes(
        x.risk
            .comorbidities
            .iter()
            .map(|c| normalise_code(c))
            .collect(),
    );
    let pre = PreTransplant::of(t);
    let (input, mut flags) = input(course, x, &cfg.risk, hct, pre, &codes);
    flags.extend(convention_flags(x, &cfg.risk, pre));
    match hct_ci(&input) {
        Ok(mut g) => {
            add_flags(&mut g, flags);
            if let graftwatch_criteria::Graded::Value { explanation, .. } = &mut g {
                explanation.evidence.push(Evidence::finding(
                    Some(hct),
                    "day 0",
                    "first allogeneic transplant",
                ));
            }
            sink.item(SummaryItem::from_graded(
                Criterion::Risk,
                SummaryKey::HctCi,
                &g,
                None,
                |v| {
                    let age = v
                        .with_age
                        .map(|a| format!("; HCT-CI/age {a} ({})", hct_ci_age_group_words(a)))
                        .unwrap_or_default();
                    (
                        format!("score {} ({} risk){age}", v.score, v.risk.label()),
                        Some(hct),
                    )
                },
            ));
        }
        Err(e) => sink.skip(Criterion::Risk, format!("HCT-CI inputs rejected: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(c: &[&str]) -> Codes {
        Codes(c.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn dyspnea_at_rest_outranks_slight_activity() {
        assert_eq!(dyspnea_of(&codes(&[])), Dyspnea::None);
        assert_eq!(
            dyspnea_of(&codes(&["dyspnea_slight_activity"])),
            Dyspnea::SlightActivity
        );
        assert_eq!(
            dyspnea_of(&codes(&["dyspnea_slight_activity", "dyspnea_at_rest"])),
            Dyspnea::AtRestOrOxygen
        );
    }
}

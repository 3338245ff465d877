//! ICANS inputs per day (ASTCT 2019): ICE or CAPD score, level of
//! consciousness, seizure, deep focal motor weakness, cerebral oedema, and the
//! patient's age (ICE from age 12, CAPD under 12; engine decision 10).

use graftwatch_core::Date;
use graftwatch_course::{Course, Observation, ObservationKind};
use serde::Serialize;

/// Level of consciousness (worst of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Consciousness {
    /// Awakens spontaneously.
    Awake,
    /// Awakens to voice.
    Voice,
    /// Awakens only to tactile stimulus.
    Tactile,
    /// Unarousable.
    Unarousable,
}

/// Seizure (worst of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seizure {
    /// None.
    None,
    /// Rapidly resolving (grade 3).
    RapidlyResolving,
    /// Prolonged > 5 min or repetitive (grade 4).
    Prolonged,
}

/// Cerebral oedema on imaging (worst of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edema {
    /// None.
    None,
    /// Focal/local (grade 3).
    Focal,
    /// Diffuse (grade 4).
    Diffuse,
}

/// The ICANS inputs of one day; `None` = not assessed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcansDay {
    /// Date.
    pub date: Date,
    /// Lowest ICE score of the day (0–10).
    pub ice: Option<u8>,
    /// Highest CAPD score of the day (0–32).
    pub capd: Option<u8>,
    /// Worst consciousness.
    pub consciousness: Option<Consciousness>,
    /// Worst seizure.
    pub seizure: Option<Seizure>,
    /// Deep focal motor weakness.
    pub motor_weakness: Option<bool>,
    /// Tremor or myoclonus recorded as the motor finding (CTCAE-graded, not
    /// ICANS: evidence only).
    pub tremor_or_myoclonus: bool,
    /// Worst cerebral oedema.
    pub edema: Option<Edema>,
    /// Age in whole years on this date, from the birth year (may be one
    /// year high before the birthday).
    pub age_years: i32,
}

fn parse_consciousness(s: &str) -> Option<Consciousness> {
    match s {
        "awake" => Some(Consciousness::Awake),
        "voice" => Some(Consciousness::Voice),
        "tactile" => Some(Consciousness::Tactile),
        "unarousable" => Some(Consciousness::Unarousable),
        _ => None,
    }
}

fn parse_seizure(s: &str) -> Option<Seizure> {
    match s {
        "none" => Some(Seizure::None),
        "rapidly_resolving" => Some(Seizure::RapidlyResolving),
        "prolonged" => Some(Seizure::Prolonged),
        _ => None,
    }
}

fn parse_edema(s: &str) -> Option<Edema> {
    match s {
        "none" => Some(Edema::None),
        "focal" => Some(Edema::Focal),
        "diffuse" => Some(Edema::Diffuse),
        _ => None,
    }
}

fn worse<T: Ord + Copy>(slot: &mut Option<T>, v: T) {
    *slot = Some(slot.map_or(v, |x| x.max(v)));
}

/// Extracts the ICANS assessments, one per date that has any.
pub fn icans_days(course: &Course) -> Vec<IcansDay> {
    icans_days_of(course.patient.birth_year, course.observations.iter())
}

/// The kinds [`icans_days`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    use ObservationKind as K;
    matches!(
        kind,
        K::IceScore
            | K::CapdScore
            | K::Consciousness
            | K::Seizure
            | K::MotorWeakness
            | K::CerebralEdema
            | K::SeizureDurationMin
            | K::SeizureReturnedToBaseline
            | K::Papilledema
            | K::CranialNerveViPalsy
            | K::CushingTriad
            | K::Posturing
            | K::MotorFinding
    )
}

/// [`icans_days`] of the observations given (course order), for a patient
/// born in `birth_year`.
pub(crate) fn icans_days_of<'a>(
    birth_year: i32,
    obs: impl Iterator<Item = &'a Observation>,
) -> Vec<IcansDay> {
    let mut out: Vec<IcansDay> = Vec::new();
    for o in obs {
        if !reads(o.kind) {
            continue;
        }
        let day = day_entry(&mut out, o.date, birth_year);
        let cat = o.value.as_category().map(|c| c.trim().to_ascii_lowercase());
        apply_assessment(day, o, cat.as_deref());
    }
    out.sort_by_key(|d| d.date);
    out
}

/// The assessment of `date` in `out` (the latest entry with that date),
/// created empty when there is none.
fn day_entry(out: &mut Vec<IcansDay>, date: Date, birth_year: i32) -> &mut IcansDay {
    let idx = match out.iter().rposition(|d| d.date == date) {
        Some(i) => i,
        None => {
            out.push(IcansDay {
                date,
                ice: None,
                capd: None,
                consciousness: None,
                seizure: None,
                motor_weakness: None,
                tremor_or_myoclonus: false,
                edema: None,
                age_years: date.year() - birth_year,
            });
            out.len() - 1
        }
    };
    &mut out[idx]
}

/// Folds one observation of the ICANS domains into its day: the worst of
/// the day counts (lowest ICE, highest CAPD score, worst category). `cat`
/// is the value as a trimmed lower-case category.
fn apply_assessment(day: &mut IcansDay, o: &Observation, cat: Option<&str>) {
    use ObservationKind as K;
    match o.kind {
        K::IceScore => {
            if let Some(v) = o.number() {
                let s = v.clamp(0.0, 10.0).round() as u8;
                day.ice = Some(day.ice.map_or(s, |x| x.min(s)));
            }
        }
        K::CapdScore => {
            if let Some(v) = o.number() {
                let s = v.clamp(0.0, 32.0).round() as u8;
                day.capd = Some(day.capd.map_or(s, |x| x.max(s)));
            }
        }
        K::Consciousness => {
            if let Some(c) = cat.and_then(parse_consciousness) {
                worse(&mut day.consciousness, c);
            }
        }
        K::Seizure => {
            if let Some(c) = cat.and_then(parse_seizure) {
                worse(&mut day.seizure, c);
            }
        }
        K::CerebralEdema => {
            if let Some(c) = cat.and_then(parse_edema) {
                worse(&mut day.edema, c);
            }
        }
        K::MotorWeakness => {
            if let Some(b) = o.value.as_bool() {
                day.motor_weakness = Some(day.motor_weakness.unwrap_or(false) | b);
            }
        }
        _ => apply_detail(day, o, cat),
    }
}

/// ICANS detail (ASTCT 2019): seizure > 5 min or without return to
/// baseline is prolonged (4); papilledema, CN VI palsy, Cushing's triad or
/// posturing are raised-ICP signs graded as diffuse oedema (4);
/// hemiparesis / paraparesis is deep focal motor weakness (4); tremor and
/// myoclonus are not ICANS.
fn apply_detail(day: &mut IcansDay, o: &Observation, cat: Option<&str>) {
    use ObservationKind as K;
    match o.kind {
        K::SeizureDurationMin => {
            if let Some(m) = o.number() {
                let s = match m {
                    m if m > 5.0 => Seizure::Prolonged,
                    m if m > 0.0 => Seizure::RapidlyResolving,
                    _ => Seizure::None,
                };
                worse(&mut day.seizure, s);
            }
        }
        K::SeizureReturnedToBaseline if o.value.as_bool() == Some(false) => {
            worse(&mut day.seizure, Seizure::Prolonged);
        }
        K::Papilledema | K::CranialNerveViPalsy | K::CushingTriad => {
            if let Some(b) = o.value.as_bool() {
                worse(&mut day.edema, if b { Edema::Diffuse } else { Edema::None });
            }
        }
        K::Posturing => {
            if let Some(c) = cat {
                let e = if c == "none" {
                    Edema::None
                } else {
                    Edema::Diffuse
                };
                worse(&mut day.edema, e);
            }
        }
        K::MotorFinding => {
            if let Some(c) = cat {
                // The motor examination's finding: hemi-/paraparesis is deep
                // focal weakness; none, tremor or myoclonus (graded by CTCAE,
                // not ICANS) is an examination without it.
                let deep = matches!(c, "hemiparesis" | "paraparesis");
                if matches!(c, "tremor" | "myoclonus") {
                    day.tremor_or_myoclonus = true;
                }
                if deep || matches!(c, "none" | "tremor" | "myoclonus") {
                    day.motor_weakness = Some(day.motor_weakness.unwrap_or(false) | deep);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(date: &str, kind: &str, value: serde_json::Value) -> Observation {
        serde_json::from_value(serde_json::json!({"date": date, "kind": kind, "value": value}))
            .expect("an observation")
    }

    fn one_day(o: &[Observation]) -> IcansDay {
        let days = icans_days_of(1980, o.iter());
        assert_eq!(days.len(), 1);
        days[0].clone()
    }

    #[test]
    fn a_seizure_is_prolonged_only_above_five_minutes() {
        let at = |m: f64| one_day(&[obs("2024-03-02", "seizure_duration_min", m.into())]).seizure;
        assert_eq!(at(5.0), Some(Seizure::RapidlyResolving));
        assert_eq!(at(5.01), Some(Seizure::Prolonged));
        assert_eq!(at(0.0), Some(Seizure::None));
        let no_return = one_day(&[obs(
            "2024-03-02",
            "seizure_returned_to_baseline",
            false.into(),
        )]);
        assert_eq!(no_return.seizure, Some(Seizure::Prolonged));
    }

    #[test]
    fn the_worst_of_a_day_is_kept_and_days_are_sorted() {
        let o = [
            obs("2024-03-03", "ice_score", 9.into()),
            obs("2024-03-02", "ice_score", 7.into()),
            obs("2024-03-02", "ice_score", 4.into()),
            obs("2024-03-02", "motor_finding", "hemiparesis".into()),
            obs("2024-03-02", "motor_finding", "tremor".into()),
            obs("2024-03-02", "posturing", " None ".into()),
        ];
        let days = icans_days_of(1980, o.iter());
        let dates: Vec<String> = days.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2024-03-02", "2024-03-03"]);
        assert_eq!(days[0].ice, Some(4));
        assert_eq!(days[0].motor_weakness, Some(true));
        assert_eq!(days[0].edema, Some(Edema::None));
        assert_eq!(days[0].age_years, 44);
        assert_eq!(days[1].ice, Some(9));
        assert!(days[0].tremor_or_myoclonus);
    }

    /// Tremor or myoclonus as the day's motor finding is a motor examination
    /// without deep focal weakness (they do not grade ICANS).
    #[test]
    fn tremor_or_myoclonus_is_an_examination_without_weakness() {
        for finding in ["tremor", "myoclonus"] {
            let d = one_day(&[obs("2024-03-02", "motor_finding", finding.into())]);
            assert_eq!(
                (d.motor_weakness, d.tremor_or_myoclonus),
                (Some(false), true)
            );
        }
        let d = one_day(&[obs("2024-03-02", "motor_finding", "none".into())]);
        assert_eq!(
            (d.motor_weakness, d.tremor_or_myoclonus),
            (Some(false), false)
        );
    }
}

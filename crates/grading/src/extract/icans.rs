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
    use ObservationKind as K;
    let mut out: Vec<IcansDay> = Vec::new();
    for o in obs {
        if !reads(o.kind) {
            continue;
        }
        let idx = match out.iter().rposition(|d| d.date == o.date) {
            Some(i) => i,
            None => {
                out.push(IcansDay {
                    date: o.date,
                    ice: None,
                    capd: None,
                    consciousness: None,
                    seizure: None,
                    motor_weakness: None,
                    edema: None,
                    age_years: o.date.year() - birth_year,
                });
                out.len() - 1
            }
        };
        let day = &mut out[idx];
        let cat = o.value.as_category().map(|c| c.trim().to_ascii_lowercase());
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
                if let Some(c) = cat.as_deref().and_then(parse_consciousness) {
                    worse(&mut day.consciousness, c);
                }
            }
            K::Seizure => {
                if let Some(c) = cat.as_deref().and_then(parse_seizure) {
                    worse(&mut day.seizure, c);
                }
            }
            K::CerebralEdema => {
                if let Some(c) = cat.as_deref().and_then(parse_edema) {
                    worse(&mut day.edema, c);
                }
            }
            K::MotorWeakness => {
                if let Some(b) = o.value.as_bool() {
                    day.motor_weakness = Some(day.motor_weakness.unwrap_or(false) | b);
                }
            }
            // ICANS detail (ASTCT 2019): seizure > 5 min or without return
            // to baseline is prolonged (4); papilledema, CN VI palsy,
            // Cushing's triad or posturing are raised-ICP signs graded as
            // diffuse oedema (4); hemiparesis / paraparesis is deep focal
            // motor weakness (4); tremor and myoclonus are not ICANS.
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
                if let Some(c) = cat.as_deref() {
                    let e = if c == "none" {
                        Edema::None
                    } else {
                        Edema::Diffuse
                    };
                    worse(&mut day.edema, e);
                }
            }
            K::MotorFinding => {
                if let Some(c) = cat.as_deref() {
                    let deep = matches!(c, "hemiparesis" | "paraparesis");
                    if deep || c == "none" {
                        day.motor_weakness = Some(day.motor_weakness.unwrap_or(false) | deep);
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|d| d.date);
    out
}

//! ASTCT consensus grading of immune effector cell-associated neurotoxicity
//! syndrome (Lee et al. 2019), per day (clinical-criteria.md §3.2, T-5,
//! engine decision 10).
//!
//! | domain | grade 1 | grade 2 | grade 3 | grade 4 |
//! |---|---|---|---|---|
//! | ICE score (0–10) | 7–9 | 3–6 | 0–2 (awake) | 0, unarousable |
//! | CAPD (children < 12) | 1–8, awakens spontaneously | 1–8, awakens to voice | ≥ 9 | unable to perform |
//! | consciousness | awakens spontaneously | to voice | only to tactile stimulus | unarousable / vigorous stimuli, stupor, coma |
//! | seizure | – | – | clinical seizure resolving rapidly, or non-convulsive on EEG resolving with intervention | prolonged > 5 min, or repetitive without return to baseline |
//! | motor | – | – | – | deep focal motor weakness |
//! | raised ICP / edema | – | – | focal/local edema | diffuse edema, posturing, CN VI palsy, papilledema, Cushing's triad |
//!
//! The grade is the most severe domain not attributable to another cause.
//! **Tremor and myoclonus** (graded by CTCAE) and **intracranial
//! haemorrhage** are excluded: they are recorded but never change the grade.
//! Grade 5 = death from ICANS (input flag).

use graftwatch_core::{Citation, Date, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::explain::{CourseMax, CourseRule, explain_course_max};
use crate::{Evidence, Explanation, Flag, Graded};

/// Citations for ICANS grading.
pub const ICANS_CITATIONS: [Citation; 2] = [
    Citation {
        source: "Lee DW et al. ASTCT Consensus Grading for Cytokine Release Syndrome and Neurologic Toxicity Associated with Immune Effector Cells. Biol Blood Marrow Transplant 2019;25(4):625-638",
        year: 2019,
        table: "ICE score; ICANS grading tables (adult and pediatric)",
        doi: Some("10.1016/j.bbmt.2018.12.758"),
        provenance: Provenance::Secondary,
        note: "Checked 2026-11-25 against PMC8403007 Table 4 and PMC7990806 Table 2 (adapted from Lee 2019): ICE 7-9/3-6/0-2/0 unarousable, consciousness, seizure > 5 min, deep focal motor weakness, focal vs diffuse edema, tremor/myoclonus and ICH excluded - agree.",
    },
    Citation {
        source: "MDedge summary of Lee DW et al. 2019 (pediatric ICANS with CAPD)",
        year: 2018,
        table: "pediatric ICANS grading",
        doi: None,
        provenance: Provenance::Verified,
        note: "ICE 'not suitable for children younger than 12'; CAPD < 9 + awakens spontaneously = 1, < 9 + to voice = 2, ≥ 9 = 3, unable to perform = 4; grade 5 death. NCIt C188936 words the age as '12 and under' for CAPD: engine uses < 12 (decision 10) and only warns.",
    },
];

/// Rule version.
pub const ICANS_VERSION: &str = "ASTCT 2019 (Lee et al.)";

/// Input error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IcansInputError {
    /// A score or value out of range.
    #[error("{field} = {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Field.
        field: &'static str,
        /// Value.
        value: f64,
        /// Accepted.
        expected: &'static str,
    },
    /// Dates not strictly increasing.
    #[error("ICANS assessment {date} comes after {previous}; dates must be strictly increasing")]
    DateOrder {
        /// Offending date.
        date: Date,
        /// Previous.
        previous: Date,
    },
}

/// The encephalopathy instrument recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "instrument", content = "score")]
pub enum Instrument {
    /// ICE score 0–10 (adults and children ≥ 12).
    Ice(u8),
    /// CAPD score 0–32 (children < 12 or developmental delay).
    Capd(u8),
    /// Patient unable to perform the assessment (unarousable).
    UnableToPerform,
}

/// Level of consciousness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consciousness {
    /// Alert, no depressed level of consciousness.
    Alert,
    /// Depressed, awakens spontaneously: grade 1.
    AwakensSpontaneously,
    /// Awakens to voice: grade 2.
    AwakensToVoice,
    /// Awakens only to tactile stimulus: grade 3.
    AwakensToTactile,
    /// Unarousable or needs vigorous/repetitive stimuli; stupor or coma: grade 4.
    Unarousable,
}

/// Seizure domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seizure {
    /// No seizure.
    None,
    /// Clinical seizure resolving rapidly, or non-convulsive on EEG resolving with intervention: grade 3.
    RapidlyResolving,
    /// Prolonged > 5 min, or repetitive without return to baseline: grade 4.
    ProlongedOrRepetitive,
}

/// Raised ICP / cerebral edema domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edema {
    /// None on neuroimaging.
    None,
    /// Focal/local edema: grade 3.
    Focal,
    /// Diffuse edema, posturing, CN VI palsy, papilledema or Cushing's triad: grade 4.
    DiffuseOrRaisedIcpSigns,
}

/// Domains whose finding is attributed to another cause (e.g. sedation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct OtherCause {
    /// Encephalopathy score.
    pub instrument: bool,
    /// Consciousness (e.g. sedating medication).
    pub consciousness: bool,
    /// Seizure.
    pub seizure: bool,
    /// Motor.
    pub motor: bool,
    /// Edema.
    pub edema: bool,
}

/// One daily ICANS assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IcansDay {
    /// Date.
    pub date: Date,
    /// Age in years at assessment (for the instrument check).
    #[serde(default)]
    pub age_years: Option<f64>,
    /// Developmental delay (CAPD appropriate at any age).
    #[serde(default)]
    pub developmental_delay: bool,
    /// ICE, CAPD or unable.
    #[serde(default)]
    pub instrument: Option<Instrument>,
    /// Level of consciousness.
    #[serde(default)]
    pub consciousness: Option<Consciousness>,
    /// Seizure.
    #[serde(default)]
    pub seizure: Option<Seizure>,
    /// Deep focal motor weakness (hemiparesis, paraparesis).
    #[serde(default)]
    pub motor_weakness: Option<bool>,
    /// Edema on neuroimaging; `None` = no imaging (counted as absent, flagged).
    #[serde(default)]
    pub edema: Option<Edema>,
    /// Tremor or myoclonus (recorded, excluded from ICANS).
    #[serde(default)]
    pub tremor_or_myoclonus: bool,
    /// Intracranial haemorrhage (recorded, excluded from ICANS).
    #[serde(default)]
    pub intracranial_hemorrhage: bool,
    /// Domains attributed to another cause.
    #[serde(default)]
    pub other_cause: OtherCause,
    /// Death from ICANS (grade 5).
    #[serde(default)]
    pub death_from_icans: bool,
}

impl IcansDay {
    /// An empty assessment.
    pub fn new(date: Date) -> IcansDay {
        IcansDay {
            date,
            age_years: None,
            developmental_delay: false,
            instrument: None,
            consciousness: None,
            seizure: None,
            motor_weakness: None,
            edema: None,
            tremor_or_myoclonus: false,
            intracranial_hemorrhage: false,
            other_cause: OtherCause::default(),
            death_from_icans: false,
        }
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), IcansInputError> {
        match self.instrument {
            Some(Instrument::Ice(s)) if s > 10 => {
                return Err(IcansInputError::OutOfRange {
                    field: "ice",
                    value: f64::from(s),
                    expected: "an ICE score 0-10",
                });
            }
            Some(Instrument::Capd(s)) if s > 32 => {
                return Err(IcansInputError::OutOfRange {
                    field: "capd",
                    value: f64::from(s),
                    expected: "a CAPD score 0-32",
                });
            }
            _ => {}
        }
        if let Some(a) = self.age_years
            && !(a.is_finite() && (0.0..=120.0).contains(&a))
        {
            return Err(IcansInputError::OutOfRange {
                field: "age_years",
                value: a,
                expected: "an age in years between 0 and 120",
            });
        }
        Ok(())
    }
}

/// ICANS configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IcansConfig {
    /// Age (years) from which ICE fits and below which CAPD fits (default 12).
    pub ice_min_age_years: f64,
}

impl Default for IcansConfig {
    fn default() -> Self {
        IcansConfig {
            ice_min_age_years: 12.0,
        }
    }
}

/// ICE score domain grade (T-5): 10 → 0, 7–9 → 1, 3–6 → 2, 0–2 → 3; ICE 0
/// with an unarousable patient → 4.
pub fn ice_grade(ice: u8, unarousable: bool) -> u8 {
    match ice {
        10.. => 0,
        7..=9 => 1,
        3..=6 => 2,
        0 if unarousable => 4,
        _ => 3,
    }
}

/// CAPD domain grade: 0 → 0, 1–8 → 1 (consciousness sets 2), ≥ 9 → 3.
pub fn capd_grade(capd: u8) -> u8 {
    match capd {
        0 => 0,
        1..=8 => 1,
        _ => 3,
    }
}

/// Fast-path outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcansFast {
    /// Graded 0–5.
    Grade(u8),
    /// Not gradable: `domains` bit 0 instrument, 1 consciousness, 2
    /// seizure, 3 motor missing; `at_least` is the grade the recorded
    /// domains already give (the most severe domain sets the grade, so a
    /// missing domain can only raise it).
    Missing {
        /// Missing domains (bits).
        domains: u8,
        /// Lower bound of the day's grade.
        at_least: u8,
    },
}

fn consciousness_grade(c: Consciousness) -> u8 {
    match c {
        Consciousness::Alert => 0,
        Consciousness::AwakensSpontaneously => 1,
        Consciousness::AwakensToVoice => 2,
        Consciousness::AwakensToTactile => 3,
        Consciousness::Unarousable => 4,
    }
}

/// Each domain's grade on a day (`None`: not recorded; 0 when attributed to
/// another cause). `t5`: ICE 0 recorded without the level of consciousness
/// it needs (T-5), read as grade 3 meanwhile.
struct DomainGrades {
    instr: Option<u8>,
    cons: Option<u8>,
    seiz: Option<u8>,
    motor: Option<u8>,
    edema: u8,
    t5: bool,
}

fn domain_grades(d: &IcansDay) -> DomainGrades {
    let oc = d.other_cause;
    let cons = if oc.consciousness {
        Some(0)
    } else {
        d.consciousness.map(consciousness_grade)
    };
    let unarousable = d.consciousness == Some(Consciousness::Unarousable);
    let mut t5 = false;
    let instr = if oc.instrument {
        Some(0)
    } else {
        match d.instrument {
            Some(Instrument::Ice(0)) if d.consciousness.is_none() => {
                t5 = true;
                Some(3)
            }
            Some(Instrument::Ice(s)) => Some(ice_grade(s, unarousable)),
            Some(Instrument::Capd(s)) => Some(capd_grade(s)),
            Some(Instrument::UnableToPerform) => Some(4),
            None => None,
        }
    };
    let seiz = if oc.seizure {
        Some(0)
    } else {
        d.seizure.map(|s| match s {
            Seizure::None => 0,
            Seizure::RapidlyResolving => 3,
            Seizure::ProlongedOrRepetitive => 4,
        })
    };
    let motor = if oc.motor {
        Some(0)
    } else {
        d.motor_weakness.map(|m| if m { 4 } else { 0 })
    };
    let edema = if oc.edema {
        0
    } else {
        match d.edema {
            Some(Edema::Focal) => 3,
            Some(Edema::DiffuseOrRaisedIcpSigns) => 4,
            _ => 0,
        }
    };
    DomainGrades {
        instr,
        cons,
        seiz,
        motor,
        edema,
        t5,
    }
}

/// The recorded domains that give grade `g`, in words ("ICE score 2",
/// "awakens to voice").
fn deciding_domains(d: &IcansDay, g: u8) -> Vec<String> {
    let x = domain_grades(d);
    let mut v = Vec::new();
    if x.instr == Some(g) {
        v.push(match d.instrument {
            Some(Instrument::Ice(s)) => format!("ICE score {s}"),
            Some(Instrument::Capd(s)) => format!("CAPD score {s}"),
            _ => "ICE/CAPD unable to perform".to_string(),
        });
    }
    if x.cons == Some(g)
        && let Some(c) = d.consciousness
    {
        v.push(format!("consciousness: {}", crate::explain::words(&c)));
    }
    if x.seiz == Some(g)
        && let Some(s) = d.seizure
    {
        v.push(format!("seizure: {}", crate::explain::words(&s)));
    }
    if x.motor == Some(g) && g > 0 {
        v.push("deep focal motor weakness".to_string());
    }
    if x.edema == g && g > 0 {
        v.push(match d.edema {
            Some(Edema::Focal) => "focal cerebral oedema".to_string(),
            _ => "diffuse cerebral oedema or signs of raised intracranial pressure".to_string(),
        });
    }
    v
}

/// Grades a day (fast path): the most severe domain not attributed to
/// another cause. Missing domains only matter when they could raise the grade.
pub fn icans_fast(d: &IcansDay) -> IcansFast {
    if d.death_from_icans {
        return IcansFast::Grade(5);
    }
    let x = domain_grades(d);
    let (instr, cons, seiz, motor, edema) = (x.instr, x.cons, x.seiz, x.motor, x.edema);
    let mut miss = if x.t5 { 2u8 } else { 0 }; // T-5: ICE 0 needs the consciousness input
    let g = [instr, cons, seiz, motor]
        .iter()
        .flatten()
        .copied()
        .fold(edema, u8::max);
    if g == 4 {
        return IcansFast::Grade(4);
    }
    for (i, v) in [instr, cons, seiz, motor].iter().enumerate() {
        if v.is_none() {
            miss |= 1 << i;
        }
    }
    if miss != 0 {
        IcansFast::Missing {
            domains: miss,
            at_least: g,
        }
    } else {
        IcansFast::Grade(g)
    }
}

/// A graded ICANS day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IcansDayResult {
    /// Date.
    pub date: Date,
    /// Grade 0–5.
    pub grade: u8,
}

/// Grades one day with explanation: the ASTCT ICANS table, one domain per
/// step (ICE/CAPD, consciousness, seizure, motor, raised ICP) in the order of
/// the consensus table.
pub fn grade_icans_day(
    d: &IcansDay,
    cfg: &IcansConfig,
) -> Result<Graded<IcansDayResult>, IcansInputError> {
    d.validate()?;
    let fast = icans_fast(d);
    let mut ev = Vec::new();
    let mut flags = Vec::new();
    instrument_evidence(d, &mut ev, &mut flags);
    instrument_age_flags(d, cfg, &mut flags);
    domain_evidence(d, &mut ev, &mut flags);
    Ok(icans_day_graded(d, fast, ev, flags))
}

/// Evidence and flags of the day's encephalopathy instrument (ICE, CAPD or
/// "unable to perform").
fn instrument_evidence(d: &IcansDay, ev: &mut Vec<Evidence>, flags: &mut Vec<Flag>) {
    let date = Some(d.date);
    match d.instrument {
        Some(Instrument::Ice(s)) => {
            ev.push(Evidence::value(
                date,
                "ice_score",
                f64::from(s),
                Some(Unit::Count),
                format!(
                    "ICE {s} -> domain grade {}",
                    ice_grade(s, d.consciousness == Some(Consciousness::Unarousable))
                ),
            ));
            if s == 0 {
                flags.push(Flag::new(
                    "T-5",
                    "ICE 0: grade 3 if awake (global aphasia), grade 4 if unarousable",
                ));
            }
        }
        Some(Instrument::Capd(s)) => {
            ev.push(Evidence::value(
                date,
                "capd_score",
                f64::from(s),
                Some(Unit::Count),
                format!("CAPD {s} -> domain grade {}", capd_grade(s)),
            ));
        }
        Some(Instrument::UnableToPerform) => {
            ev.push(Evidence::finding(
                date,
                "encephalopathy_assessment",
                "unable to perform ICE/CAPD -> 4",
            ));
            if matches!(d.consciousness, Some(c) if c < Consciousness::AwakensToTactile) {
                flags.push(Flag::new(
                    "T-5",
                    "'unable to perform' recorded for a patient who is awake: graded 4 as recorded; an awake patient with global aphasia should be recorded as ICE 0 (grade 3)",
                ));
            }
        }
        None => {}
    }
}

/// Decision 10: grade with the recorded instrument; flag an instrument that
/// does not fit the patient's age.
fn instrument_age_flags(d: &IcansDay, cfg: &IcansConfig, flags: &mut Vec<Flag>) {
    match (d.instrument, d.age_years) {
        (Some(Instrument::Ice(_)), Some(a)) if a < cfg.ice_min_age_years => flags.push(Flag::new(
            "D-10",
            format!("ICE recorded at age {a}: ASTCT uses CAPD below {} years; graded with ICE as recorded", cfg.ice_min_age_years),
        )),
        (Some(Instrument::Capd(_)), Some(a)) if a >= cfg.ice_min_age_years && !d.developmental_delay => flags.push(Flag::new(
            "D-10",
            format!("CAPD recorded at age {a} without developmental delay: ASTCT uses ICE from {} years; graded with CAPD as recorded", cfg.ice_min_age_years),
        )),
        (Some(Instrument::Ice(_) | Instrument::Capd(_)), None) => flags.push(Flag::new("D-10", "age not given: instrument fit to age not checked")),
        _ => {}
    }
}

/// Evidence of the other domains (consciousness, seizure, motor, edema), then
/// of findings excluded from ICANS and of a death from ICANS.
fn domain_evidence(d: &IcansDay, ev: &mut Vec<Evidence>, flags: &mut Vec<Flag>) {
    let date = Some(d.date);
    if let Some(c) = d.consciousness {
        ev.push(Evidence::finding(
            date,
            "consciousness",
            format!(
                "{} -> domain grade {}{}",
                crate::explain::words(&c),
                consciousness_grade(c),
                if d.other_cause.consciousness {
                    " (attributed to another cause: not counted)"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some(s) = d.seizure
        && s != Seizure::None
    {
        ev.push(Evidence::finding(
            date,
            "seizure",
            format!(
                "{}{}",
                crate::explain::words(&s),
                if d.other_cause.seizure {
                    " (another cause: not counted)"
                } else {
                    ""
                }
            ),
        ));
    }
    if d.motor_weakness == Some(true) {
        ev.push(Evidence::finding(
            date,
            "motor_weakness",
            "deep focal motor weakness -> 4",
        ));
    }
    match d.edema {
        Some(Edema::None) => {}
        Some(e) => ev.push(Evidence::finding(
            date,
            "cerebral_edema",
            crate::explain::words(&e),
        )),
        None => flags.push(Flag::new(
            "ICANS-EDEMA",
            "no neuroimaging recorded: edema domain counted as absent",
        )),
    }
    excluded_and_death_evidence(d, ev, flags);
}

/// Findings recorded but excluded from ICANS (tremor, myoclonus,
/// intracranial haemorrhage) and a death from ICANS.
fn excluded_and_death_evidence(d: &IcansDay, ev: &mut Vec<Evidence>, flags: &mut Vec<Flag>) {
    let date = Some(d.date);
    // (present, what, note, flag)
    for (present, what, note, text) in [
        (
            d.tremor_or_myoclonus,
            "tremor_or_myoclonus",
            "recorded; graded by CTCAE, excluded from ICANS",
            "tremor and myoclonus do not influence the ICANS grade",
        ),
        (
            d.intracranial_hemorrhage,
            "intracranial_hemorrhage",
            "recorded; excluded from ICANS",
            "intracranial haemorrhage (with or without edema) is excluded from ICANS",
        ),
    ] {
        if present {
            ev.push(Evidence::finding(date, what, note));
            flags.push(Flag::new("ICANS-EXCL", text));
        }
    }
    if d.death_from_icans {
        ev.push(Evidence::finding(
            date,
            "death_from_icans",
            "death from ICANS -> grade 5",
        ));
    }
}

/// The graded day (or what is missing to grade it) with its explanation.
fn icans_day_graded(
    d: &IcansDay,
    fast: IcansFast,
    ev: Vec<Evidence>,
    flags: Vec<Flag>,
) -> Graded<IcansDayResult> {
    let mk = |reason: String, evidence, flags| Explanation {
        rule: "ASTCT ICANS grade",
        version: ICANS_VERSION,
        citations: ICANS_CITATIONS.to_vec(),
        reason,
        evidence,
        flags,
    };
    match fast {
        IcansFast::Grade(g) => Graded::Value {
            value: IcansDayResult {
                date: d.date,
                grade: g,
            },
            explanation: mk(
                format!(
                    "{}: {}",
                    d.date,
                    if g == 0 {
                        "no domain affected: no ICANS".to_string()
                    } else if g == 5 {
                        "death from ICANS gives grade 5".to_string()
                    } else {
                        match deciding_domains(d, g).as_slice() {
                            [] => format!("most severe domain gives grade {g}"),
                            w => format!("most severe domain ({}) gives grade {g}", w.join("; ")),
                        }
                    }
                ),
                ev,
                flags,
            ),
        },
        IcansFast::Missing {
            domains: m,
            at_least,
        } => {
            let names = [
                "ICE or CAPD score (or 'unable to perform')",
                "level of consciousness",
                "seizure status",
                "motor findings",
            ];
            let missing = (0..4)
                .filter(|i| m & (1 << i) != 0)
                .map(|i| names[i].to_string())
                .collect();
            let reason = if at_least >= 1 {
                format!(
                    "{}: ICANS grade at least {at_least} from the recorded domains ({}; the most severe domain sets the grade); cannot grade without the missing ones",
                    d.date,
                    deciding_domains(d, at_least).join("; ")
                )
            } else {
                format!("{}: cannot grade ICANS", d.date)
            };
            Graded::InsufficientData {
                missing,
                explanation: mk(reason, ev, flags),
            }
        }
    }
}

/// Summary over a course of assessments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IcansSummary {
    /// First day with grade ≥ 1.
    pub onset: Option<Date>,
    /// Maximum grade.
    pub max_grade: u8,
    /// First date of the maximum.
    pub max_grade_date: Option<Date>,
    /// True when the maximum is reached only as a lower bound: on a day
    /// some domain was not recorded and the recorded ones already gave
    /// that grade ("at least"), and no fully graded day reached it.
    pub max_is_lower_bound: bool,
}

/// Adds one day to the summary: `grade` is the day's grade, or its lower
/// bound when `lower_bound`. A lower bound counts as reached (the grade is
/// at least that); the maximum is a lower bound only until a fully graded
/// day reaches it.
fn add_to_summary(sum: &mut IcansSummary, date: Date, grade: u8, lower_bound: bool) {
    if grade >= 1 && sum.onset.is_none() {
        sum.onset = Some(date);
    }
    if grade > sum.max_grade {
        sum.max_grade = grade;
        sum.max_grade_date = Some(date);
        sum.max_is_lower_bound = lower_bound;
    } else if grade == sum.max_grade && !lower_bound {
        sum.max_is_lower_bound = false;
    }
}

/// Grades a course of assessments (strictly increasing dates).
pub fn grade_icans_course(
    days: &[IcansDay],
    cfg: &IcansConfig,
) -> Result<(Vec<Graded<IcansDayResult>>, IcansSummary), IcansInputError> {
    let mut prev: Option<Date> = None;
    let mut out = Vec::with_capacity(days.len());
    let mut sum = IcansSummary {
        onset: None,
        max_grade: 0,
        max_grade_date: None,
        max_is_lower_bound: false,
    };
    for d in days {
        if let Some(p) = prev
            && d.date <= p
        {
            return Err(IcansInputError::DateOrder {
                date: d.date,
                previous: p,
            });
        }
        prev = Some(d.date);
        let g = grade_icans_day(d, cfg)?;
        match (g.value(), icans_fast(d)) {
            (Some(r), _) => add_to_summary(&mut sum, d.date, r.grade, false),
            (None, IcansFast::Missing { at_least, .. }) => {
                add_to_summary(&mut sum, d.date, at_least, true)
            }
            (None, IcansFast::Grade(_)) => {}
        }
        out.push(g);
    }
    Ok((out, sum))
}

/// The ICANS course summary as a `Graded` result, from the day results and
/// summary of [`grade_icans_course`]: the maximum grade with the evidence of
/// the day that reached it. `InsufficientData` when no day could be graded.
pub fn explain_icans_summary(
    days: &[Graded<IcansDayResult>],
    s: &IcansSummary,
) -> Graded<IcansSummary> {
    let max = CourseMax {
        grade: s.max_grade,
        date: s.max_grade_date,
        onset: s.onset,
        lower_bound: s.max_is_lower_bound,
    };
    explain_course_max(&ICANS_COURSE, days, |v| v.date, max, Vec::new(), *s)
}

/// The ICANS course summary rule.
const ICANS_COURSE: CourseRule = CourseRule {
    name: "ICANS",
    rule: "ASTCT ICANS course",
    version: ICANS_VERSION,
    citations: &ICANS_CITATIONS,
    onset: "icans_onset",
    missing: "at least one gradable ICANS assessment",
};

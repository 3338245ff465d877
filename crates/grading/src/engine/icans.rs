//! ASTCT ICANS on each assessment day from the first CAR-T infusion on.
//!
//! Course categories map to the criteria's: consciousness `awake` → alert
//! (no depressed consciousness; flag `GW-AWAKE`), `voice`, `tactile`,
//! `unarousable`. Seizure, motor weakness and oedema not recorded on a
//! day are "not assessed" (the day may then be ungradable) unless
//! `engine.icans_unrecorded_domains_absent` is set.

use graftwatch_course::AnchorKind;
use graftwatch_criteria::icans::{
    Consciousness, Edema, ICANS_CITATIONS, ICANS_VERSION, IcansDay, Instrument, OtherCause,
    Seizure, grade_icans_course,
};
use graftwatch_criteria::{Explanation, Flag, Graded};

use super::Sink;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::extract::icans as x_icans;
use crate::output::{DayEntry, SummaryItem};

/// Maps one extracted assessment to the criteria's ICANS day.
pub fn to_icans_day(d: &x_icans::IcansDay, unrecorded_absent: bool) -> IcansDay {
    let absent = |b: bool| if unrecorded_absent { Some(b) } else { None };
    IcansDay {
        date: d.date,
        age_years: Some(f64::from(d.age_years)),
        developmental_delay: false,
        instrument: match (d.ice, d.capd) {
            (Some(i), _) => Some(Instrument::Ice(i)),
            (None, Some(c)) => Some(Instrument::Capd(c)),
            (None, None) => None,
        },
        consciousness: d.consciousness.map(|c| match c {
            x_icans::Consciousness::Awake => Consciousness::Alert,
            x_icans::Consciousness::Voice => Consciousness::AwakensToVoice,
            x_icans::Consciousness::Tactile => Consciousness::AwakensToTactile,
            x_icans::Consciousness::Unarousable => Consciousness::Unarousable,
        }),
        seizure: d
            .seizure
            .map(|s| match s {
                x_icans::Seizure::None => Seizure::None,
                x_icans::Seizure::RapidlyResolving => Seizure::RapidlyResolving,
                x_icans::Seizure::Prolonged => Seizure::ProlongedOrRepetitive,
            })
            .or(absent(false).map(|_| Seizure::None)),
        motor_weakness: d.motor_weakness.or(absent(false)),
        edema: d
            .edema
            .map(|e| match e {
                x_icans::Edema::None => Edema::None,
                x_icans::Edema::Focal => Edema::Focal,
                x_icans::Edema::Diffuse => Edema::DiffuseOrRaisedIcpSigns,
            })
            .or(absent(false).map(|_| Edema::None)),
        tremor_or_myoclonus: d.tremor_or_myoclonus,
        intracranial_hemorrhage: false,
        other_cause: OtherCause::default(),
        death_from_icans: false,
    }
}

/// The day state of one ICANS assessment: grade with its domains.
fn icans_state(
    g: &Graded<graftwatch_criteria::icans::IcansDayResult>,
    input: &IcansDay,
) -> crate::output::DayState {
    let params = serde_json::json!({
        "instrument": input.instrument,
        "consciousness": input.consciousness,
        "seizure": input.seizure,
        "motor_weakness": input.motor_weakness,
        "edema": input.edema,
        "death_from_icans": input.death_from_icans,
    });
    super::graded_state(
        Criterion::Icans,
        "astct",
        g,
        |v| v.grade.to_string(),
        |grade| Some(serde_json::json!({"grade": grade, "parameters": params})),
    )
}

fn mk(reason: String, fl: Vec<Flag>) -> Explanation {
    Explanation {
        rule: "ASTCT ICANS grade",
        version: ICANS_VERSION,
        citations: ICANS_CITATIONS.to_vec(),
        reason,
        evidence: vec![],
        flags: fl,
    }
}

/// The course maximum: the explanation of its first day, 0 when no graded
/// day reached grade 1, insufficient data when no day could be graded.
fn max_graded(
    graded: &[Graded<graftwatch_criteria::icans::IcansDayResult>],
    days: &[IcansDay],
    sum: &graftwatch_criteria::icans::IcansSummary,
    missing_days: &[String],
    from: graftwatch_core::Date,
    fl: Vec<Flag>,
) -> Graded<u8> {
    let idx = sum
        .max_grade_date
        .and_then(|d| days.iter().position(|x| x.date == d));
    match idx {
        Some(k) if sum.max_grade > 0 => {
            let mut e = graded[k].explanation().clone();
            e.flags.extend(fl);
            e.flags.extend(missing_flag(missing_days));
            Graded::Value {
                value: sum.max_grade,
                explanation: e,
            }
        }
        _ if missing_days.len() == graded.len() => Graded::InsufficientData {
            missing: {
                let mut m = missing_days.to_vec();
                m.dedup();
                m
            },
            explanation: mk(
                format!(
                    "none of the {} assessment days could be graded",
                    graded.len()
                ),
                fl,
            ),
        },
        _ => {
            let mut f = fl;
            f.extend(missing_flag(missing_days));
            Graded::Value {
                value: 0,
                explanation: mk(
                    format!("no graded assessment from {} reached ICANS grade 1", from),
                    f,
                ),
            }
        }
    }
}

/// The flag naming the assessment days not fully graded and what was not
/// recorded on them.
fn missing_flag(missing_days: &[String]) -> Option<Flag> {
    if missing_days.is_empty() {
        return None;
    }
    Some(Flag::new(
        "MISSING",
        format!(
            "{} could not be fully graded (not recorded: {}); the maximum counts the grade their recorded domains already give",
            graftwatch_core::number::counted(missing_days.len(), "assessment day"),
            super::distinct(missing_days)
        ),
    ))
}

/// Timeline entries and day states of the assessments; returns what was
/// missing on the days that could not be graded.
fn days_and_states(
    graded: &[Graded<graftwatch_criteria::icans::IcansDayResult>],
    days: &[IcansDay],
    sink: &mut Sink,
) -> Vec<String> {
    let mut prev: Option<u8> = None;
    let mut missing_days = Vec::new();
    for (g, input) in graded.iter().zip(days) {
        sink.state(input.date, || icans_state(g, input));
        match g {
            Graded::Value { value, explanation } => {
                let changed = prev != Some(value.grade);
                if value.grade > 0 || (changed && prev.is_some()) {
                    sink.day(
                        value.date,
                        DayEntry {
                            criterion: Criterion::Icans,
                            grade: value.grade.to_string(),
                            level: value.grade,
                            changed,
                            reason: explanation.reason.clone(),
                        },
                    );
                }
                prev = Some(value.grade);
            }
            Graded::InsufficientData { missing, .. } => missing_days.push(missing.join(", ")),
            Graded::NotApplicable { .. } => {}
        }
    }
    missing_days
}

/// Marks the day of a death attributed to ICANS (grade 5), appending a day
/// when the death is after the last assessment; returns the flag to show.
fn apply_death(
    days: &mut Vec<IcansDay>,
    x: &CourseInputs,
    day0: graftwatch_core::Date,
) -> Option<Flag> {
    let d = x.death.as_ref()?;
    if !d.attributed.contains(&crate::extract::ToxicityDeath::Icans) || d.date < day0 {
        return None;
    }
    let mark = |c: &mut IcansDay| c.death_from_icans = true;
    if !super::mark_death_day(days, d.date, |c| c.date, IcansDay::new, mark) {
        return None;
    }
    Some(Flag::new(
        "GW-DEATH-CAUSE",
        format!(
            "death on {} recorded with cause '{}' is attributed to ICANS: grade 5",
            d.date, d.cause
        ),
    ))
}

/// Runs ICANS over the assessments on or after the first CAR-T infusion.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let Some(cart) = x
        .anchors
        .iter()
        .find(|a| matches!(a.kind, AnchorKind::CarT(_)))
        .copied()
    else {
        sink.not_applicable(
            Criterion::Icans,
            SummaryKey::IcansMaxGrade,
            "ASTCT ICANS grade",
            "no CAR-T infusion in the course",
        );
        return;
    };
    let unrecorded_absent = cfg.engine.icans_unrecorded_domains_absent;
    let mut days: Vec<IcansDay> = x
        .icans
        .iter()
        .filter(|d| d.date >= cart.date)
        .map(|d| to_icans_day(d, unrecorded_absent))
        .collect();
    let mut fl = vec![Flag::new(
        "GW-AWAKE",
        "consciousness 'awake' is read as alert (no depressed level of consciousness)",
    )];
    if let Some(f) = apply_death(&mut days, x, cart.date) {
        fl.push(f);
    }
    if unrecorded_absent {
        fl.push(Flag::new("GW-ICANS-ABSENT", "seizure, motor weakness and cerebral oedema not recorded on an assessment day are taken as absent (engine option)"));
    }
    if days.is_empty() {
        let g: Graded<u8> = Graded::InsufficientData {
            missing: vec![format!(
                "ICE/CAPD, consciousness, seizure, motor and oedema assessments on or after {}",
                cart.date
            )],
            explanation: mk("no ICANS assessment after CAR-T".into(), fl),
        };
        sink.item(SummaryItem::from_graded(
            Criterion::Icans,
            SummaryKey::IcansMaxGrade,
            &g,
            Some(&cart),
            |_| (String::new(), None),
        ));
        return;
    }
    let (graded, sum) = match grade_icans_course(&days, &cfg.icans) {
        Ok(r) => r,
        Err(e) => {
            sink.skip(Criterion::Icans, format!("ICANS inputs rejected: {e}"));
            return;
        }
    };
    let missing_days = days_and_states(&graded, &days, sink);
    let g = max_graded(&graded, &days, &sum, &missing_days, cart.date, fl);
    let date = sum.max_grade_date;
    let at = if sum.max_is_lower_bound {
        "at least "
    } else {
        ""
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Icans,
        SummaryKey::IcansMaxGrade,
        &g,
        Some(&cart),
        |v| {
            let mut t = format!("grade {at}{v}");
            if let (Some(d), true) = (date, *v > 0) {
                t.push_str(&format!(" first on {d} ({})", cart.describe(d)));
            }
            (t, if *v > 0 { date } else { None })
        },
    ));
}

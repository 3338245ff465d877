//! An answer for any day: the course graded as of a date (`--on`), and the
//! state of every day-by-day criterion on every calendar day (`--daily`).
//!
//! What "assessed" means: each criterion records a state on its assessment
//! days (an acute-GVHD day with any organ finding or an `agvhd_no_findings`
//! record, a cGVHD assessment, a CRS day after CAR-T, an ICANS assessment, a
//! chimerism sample, a marrow). A state holds on later days for at most its
//! carry-forward window: acute GVHD until the first of its organ findings is
//! older than `agvhd.carry_forward_days` (default 7); the other criteria for
//! `engine.daily_carry_forward_days` (default 7). After that the criterion is
//! `not_assessed` on that day, naming the last assessment.

use graftwatch_core::Date;
use graftwatch_course::{AnchorKind, Course};

use crate::criterion::Criterion;
use crate::output::{CourseGrades, DailyDay, DailyEntry, DayState, DayStatus, RelDay};

/// The day-by-day results every graded course has a daily row for, per
/// criterion.
const SYSTEMS: &[(Criterion, &str)] = &[
    (Criterion::Chimerism, "overall"),
    (Criterion::Agvhd, "magic"),
    (Criterion::Agvhd, "keystone"),
    (Criterion::Agvhd, "ibmtr"),
    (Criterion::Cgvhd, "nih_global"),
    (Criterion::Crs, "astct"),
    (Criterion::Icans, "astct"),
    (Criterion::Icaht, "early"),
    (Criterion::Icaht, "late"),
    (Criterion::Eln, "eln_2022"),
];

/// Truncates a course to what was known on `date`: events and observations
/// dated after it are dropped, and durations still running are cut at it.
pub fn truncate_course(course: &Course, date: Date) -> Course {
    let mut c = course.clone();
    c.events.retain(|e| e.date <= date);
    for e in &mut c.events {
        if e.end_date.is_some_and(|end| end > date) {
            e.end_date = Some(date);
        }
    }
    c.observations.retain(|o| o.date <= date);
    c
}

/// A track: one criterion result followed over the days.
struct Track<'a> {
    criterion: Criterion,
    system: &'static str,
    states: Vec<(Date, &'a DayState)>,
    next: usize,
}

fn tracks(g: &CourseGrades) -> Vec<Track<'_>> {
    let mut out: Vec<Track> = SYSTEMS
        .iter()
        .filter(|(c, _)| g.criteria.contains(c))
        .map(|(c, s)| Track {
            criterion: *c,
            system: s,
            states: Vec::new(),
            next: 0,
        })
        .collect();
    for (d, s) in &g.states {
        match out
            .iter_mut()
            .find(|t| t.criterion == s.criterion && t.system == s.system)
        {
            Some(t) => t.states.push((*d, s)),
            None => out.push(Track {
                criterion: s.criterion,
                system: s.system,
                states: vec![(*d, s)],
                next: 0,
            }),
        }
    }
    for t in &mut out {
        t.states.sort_by_key(|(d, _)| *d);
    }
    out
}

fn entry(t: &mut Track<'_>, day: Date, carry_default: i32) -> DailyEntry {
    while t.next < t.states.len() && t.states[t.next].0 <= day {
        t.next += 1;
    }
    let base = DailyEntry {
        criterion: t.criterion,
        system: t.system,
        status: DayStatus::NotAssessed,
        grade: None,
        assessed_on: None,
        value: None,
        missing: Vec::new(),
    };
    let Some((d, s)) = t.next.checked_sub(1).map(|i| t.states[i]) else {
        let why = match t.states.first() {
            Some((first, _)) => format!("no assessment before {first}"),
            None => "no assessment in the course".to_string(),
        };
        return DailyEntry {
            missing: vec![why],
            ..base
        };
    };
    let window = if t.criterion == Criterion::Agvhd {
        s.valid_days
    } else {
        carry_default
    };
    if day.days_since(d).get() > window {
        return DailyEntry {
            assessed_on: Some(d),
            missing: vec![format!(
                "last assessed on {d}, more than {} earlier",
                graftwatch_core::number::counted(window, "day")
            )],
            ..base
        };
    }
    DailyEntry {
        status: s.status,
        grade: s.grade.clone(),
        assessed_on: Some(d),
        value: s.value.clone(),
        missing: s.missing.clone(),
        ..base
    }
}

fn rel(course_anchors: &[graftwatch_course::Anchor], date: Date) -> Option<RelDay> {
    course_anchors
        .iter()
        .filter(|a| a.kind.is_therapy())
        .rfind(|a| a.date <= date)
        .map(|a| RelDay {
            anchor: a.kind.to_string(),
            day: a.day(date),
        })
}

/// Every calendar day from `from` to `to` (inclusive) with the state of every
/// day-by-day criterion.
pub fn daily_view(
    course: &Course,
    g: &CourseGrades,
    from: Date,
    to: Date,
    carry_days: u32,
) -> Vec<DailyDay> {
    let anchors = course.anchors();
    let mut ts = tracks(g);
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        let entries = ts
            .iter_mut()
            .map(|t| entry(t, d, carry_days as i32))
            .collect();
        out.push(DailyDay {
            date: d,
            rel: rel(&anchors, d),
            entries,
        });
        d = d.add_days(1);
    }
    out
}

/// The state of every day-by-day criterion on one day.
pub fn day_view(course: &Course, g: &CourseGrades, date: Date, carry_days: u32) -> DailyDay {
    daily_view(course, g, date, date, carry_days)
        .pop()
        .unwrap_or(DailyDay {
            date,
            rel: None,
            entries: Vec::new(),
        })
}

/// The default range of the daily view: the first transplant or CAR-T
/// infusion (or the first record) to the last record of the course.
pub fn default_range(course: &Course) -> Option<(Date, Date)> {
    let (first, last) = course.span()?;
    let start = course
        .anchors()
        .into_iter()
        .find(|a| a.kind.is_therapy())
        .map_or(first, |a| a.date);
    Some((start.min(last), last))
}

/// Day 0 that `--on +N` counts from: the latest transplant of the course, or
/// the latest CAR-T infusion when there is no transplant.
pub fn day_zero(course: &Course) -> Option<Date> {
    let anchors = course.anchors();
    anchors
        .iter()
        .rfind(|a| matches!(a.kind, AnchorKind::Transplant(_)))
        .or_else(|| {
            anchors
                .iter()
                .rfind(|a| matches!(a.kind, AnchorKind::CarT(_)))
        })
        .map(|a| a.date)
}

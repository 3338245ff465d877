//! The engine: runs every selected criterion over a course and collects a
//! per-day timeline and a summary.

mod agvhd;
mod agvhd_alt;
mod agvhd_run;
mod cgvhd;
mod cgvhd_steroid;
mod chimerism;
mod crs;
mod eln;
mod eln_course;
mod engraftment;
mod genetics;
mod graft_function;
mod gvhd_response;
mod hematotox;
mod icaht;
mod icans;
mod magic_biomarkers;
mod risk;

pub use agvhd::to_day_findings;
pub use crs::to_crs_day;
pub use icaht::censor_after;
pub use icans::to_icans_day;

use std::collections::BTreeMap;

use graftwatch_core::Date;
use graftwatch_course::{AnchorKind, Course};
use graftwatch_criteria::series::DatedValue;
use graftwatch_criteria::{Explanation, Graded};

use crate::GradingConfig;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, DayValue, ExtractOptions, extract};
use crate::output::{
    AnchorOut, CourseGrades, DayEntry, DayState, DayStatus, RelDay, SCHEMA, Skipped, SummaryItem,
    TimelineDay,
};

/// Collects results while the criteria run.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    days: BTreeMap<Date, Vec<DayEntry>>,
    items: Vec<SummaryItem>,
    skipped: Vec<Skipped>,
    agvhd_organ_stages: Vec<crate::output::AgvhdOrganDay>,
    states: Vec<(Date, DayState)>,
    keep_states: bool,
    /// Transplants (item suffix) graded as primary graft failure without a
    /// later engraftment, with the deadline day: poor graft function does
    /// not apply to them.
    primary_graft_failures: Vec<(String, i32)>,
}

impl Sink {
    pub(crate) fn day(&mut self, date: Date, e: DayEntry) {
        self.days.entry(date).or_default().push(e);
    }
    pub(crate) fn agvhd_organs(&mut self, d: crate::output::AgvhdOrganDay) {
        self.agvhd_organ_stages.push(d);
    }
    /// Records a day state when the daily view was asked for (the state is
    /// only built then: plain grading pays nothing for it).
    pub(crate) fn state(&mut self, date: Date, s: impl FnOnce() -> DayState) {
        if self.keep_states {
            self.states.push((date, s()));
        }
    }
    pub(crate) fn item(&mut self, i: SummaryItem) {
        self.items.push(i);
    }
    pub(crate) fn skip(&mut self, criterion: Criterion, reason: String) {
        self.skipped.push(Skipped { criterion, reason });
    }
    /// Records a criterion's result as a summary item (`describe` gives its
    /// text and date), or, when the criterion refused its input, a skip
    /// reading "`input` rejected: reason".
    /// `result` holds the `Graded` itself or a reference to it.
    pub(crate) fn graded<T, G, E>(
        &mut self,
        criterion: Criterion,
        item: impl Into<crate::summary_key::ItemKey>,
        result: Result<G, E>,
        anchor: Option<&graftwatch_course::Anchor>,
        input: &str,
        describe: impl FnOnce(&T) -> (String, Option<Date>),
    ) where
        T: serde::Serialize,
        G: std::borrow::Borrow<Graded<T>>,
        E: std::fmt::Display,
    {
        match result {
            Ok(g) => self.item(SummaryItem::from_graded(
                criterion,
                item,
                g.borrow(),
                anchor,
                describe,
            )),
            Err(e) => self.skip(criterion, format!("{input} rejected: {e}")),
        }
    }
    pub(crate) fn not_applicable(
        &mut self,
        criterion: Criterion,
        item: impl Into<crate::summary_key::ItemKey>,
        rule: &'static str,
        reason: &str,
    ) {
        let g: Graded<()> = Graded::NotApplicable {
            reason: reason.to_string(),
            explanation: Explanation {
                rule,
                version: "graftwatch engine",
                citations: vec![],
                reason: reason.to_string(),
                evidence: vec![],
                flags: vec![],
            },
        };
        self.items
            .push(SummaryItem::from_graded(criterion, item, &g, None, |_| {
                (String::new(), None)
            }));
    }
}

/// The distinct entries of `items`, sorted, joined with "; " (what was not
/// recorded on the days a criterion could not fully grade).
pub(crate) fn distinct(items: &[String]) -> String {
    let mut v: Vec<&str> = items.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v.join("; ")
}

/// The summary-key suffix of the `i`-th CAR-T infusion: none for the
/// first, `_cartN` for CAR-T number N after it.
pub(crate) fn cart_suffix(i: usize, a: &graftwatch_course::Anchor) -> String {
    match (i, a.kind) {
        (0, _) => String::new(),
        (_, AnchorKind::CarT(n)) => format!("_cart{n}"),
        _ => format!("_{i}"),
    }
}

/// The day state of a daily-graded criterion: graded (`grade_of` names the
/// value), insufficient data (with what is missing) or not assessed (with
/// why); `value_of` makes the state's value from the grade.
pub(crate) fn graded_state<T>(
    criterion: Criterion,
    system: &'static str,
    g: &Graded<T>,
    grade_of: impl FnOnce(&T) -> String,
    value_of: impl FnOnce(Option<&String>) -> Option<serde_json::Value>,
) -> DayState {
    let (status, grade, missing) = match g {
        Graded::Value { value, .. } => (DayStatus::Graded, Some(grade_of(value)), vec![]),
        Graded::InsufficientData { missing, .. } => {
            (DayStatus::InsufficientData, None, missing.clone())
        }
        Graded::NotApplicable { reason, .. } => {
            (DayStatus::NotAssessed, None, vec![reason.clone()])
        }
    };
    DayState {
        criterion,
        system,
        status,
        value: value_of(grade.as_ref()),
        grade,
        missing,
        valid_days: 0,
    }
}

/// Marks the day of a death in days sorted by date: the day on `date`, or a
/// day `new(date)` appended when the death is after the last one; false
/// (nothing marked) when it falls between assessed days.
pub(crate) fn mark_death_day<D>(
    days: &mut Vec<D>,
    date: Date,
    date_of: fn(&D) -> Date,
    new: fn(Date) -> D,
    mark: fn(&mut D),
) -> bool {
    let after_last = days.last().is_none_or(|c| date_of(c) < date);
    match days.iter_mut().find(|c| date_of(c) == date) {
        Some(c) => mark(c),
        None if after_last => {
            let mut c = new(date);
            mark(&mut c);
            days.push(c);
        }
        None => return false,
    }
    true
}

pub(crate) fn dated(d: &DayValue) -> DatedValue {
    DatedValue {
        date: d.date,
        value: d.value,
    }
}

/// The graded document from the collected results.
fn assemble(
    course: &Course,
    x: &CourseInputs,
    criteria: Vec<Criterion>,
    mut sink: Sink,
) -> CourseGrades {
    let primary: Vec<_> = x
        .anchors
        .iter()
        .filter(|a| a.kind.is_therapy())
        .copied()
        .collect();
    let timeline = sink
        .days
        .into_iter()
        .map(|(date, entries)| TimelineDay {
            date,
            rel: primary.iter().rfind(|a| a.date <= date).map(|a| RelDay {
                anchor: a.kind.to_string(),
                day: a.day(date),
            }),
            entries,
        })
        .collect();
    let order = |c: Criterion| {
        Criterion::ALL
            .iter()
            .position(|x| *x == c)
            .unwrap_or(usize::MAX)
    };
    sink.items.sort_by_key(|i| order(i.criterion));
    CourseGrades {
        schema: SCHEMA,
        source: None,
        patient: course.patient.id.0.clone(),
        illustrative: course.illustrative.is_some(),
        anchors: x
            .anchors
            .iter()
            .map(|a| AnchorOut {
                label: a.kind.to_string(),
                date: a.date,
            })
            .collect(),
        criteria,
        skipped: sink.skipped,
        timeline,
        summary: sink.items,
        agvhd_organ_stages: sink.agvhd_organ_stages,
        input_warnings: Vec::new(),
        as_of: None,
        on_day: None,
        daily: None,
        states: sink.states,
    }
}

/// Poor graft function per transplant, after acute GVHD was graded (severe
/// GVHD is one of its exclusions).
fn poor_graft_function(x: &CourseInputs, cfg: &GradingConfig, sink: &mut Sink, agvhd: bool) {
    let hcts = agvhd_run::transplants(x);
    for (hct, end, suffix) in agvhd_run::windows(&hcts) {
        let w = graft_function::Window {
            hct,
            end,
            suffix: &suffix,
        };
        let severe = agvhd.then(|| {
            sink.days.iter().any(|(d, es)| {
                *d >= hct.date
                    && end.is_none_or(|e| *d <= e)
                    && es
                        .iter()
                        .any(|e| e.criterion == Criterion::Agvhd && e.level >= 3)
            })
        });
        graft_function::pgf_item(x, &w, cfg, severe, sink);
    }
}

/// Criteria the criteria crate does not provide yet: selected, they are
/// listed under `skipped` with this reason rather than silently omitted.
const NOT_YET: &[(Criterion, &str)] = &[];

/// Grades a course with every criterion.
pub fn grade_course(course: &Course, cfg: &GradingConfig) -> CourseGrades {
    grade_course_only(course, cfg, &Criterion::ALL)
}

/// Grades a course with the selected criteria only.
pub fn grade_course_only(course: &Course, cfg: &GradingConfig, only: &[Criterion]) -> CourseGrades {
    let opt = ExtractOptions {
        crs_window_days: cfg.engine.crs_window_days,
        marrow_count_window_days: cfg.engine.marrow_count_window_days,
    };
    let x = extract(course, &opt);
    grade_inputs(course, &x, cfg, only)
}

/// Grades the selected criteria and keeps the assessment-day states the
/// daily view (`crate::daily`) is built from.
pub fn grade_course_daily(
    course: &Course,
    cfg: &GradingConfig,
    only: &[Criterion],
) -> CourseGrades {
    let opt = ExtractOptions {
        crs_window_days: cfg.engine.crs_window_days,
        marrow_count_window_days: cfg.engine.marrow_count_window_days,
    };
    let x = extract(course, &opt);
    grade_with(course, &x, cfg, only, true)
}

/// Grades the course as it was known on `date` (records dated after it are
/// ignored, running durations cut at it), with the state of every
/// day-by-day criterion on that day in `on_day`.
pub fn grade_course_as_of(
    course: &Course,
    cfg: &GradingConfig,
    only: &[Criterion],
    date: Date,
) -> CourseGrades {
    let t = crate::daily::truncate_course(course, date);
    let mut g = grade_course_daily(&t, cfg, only);
    g.as_of = Some(date);
    g.on_day = Some(crate::daily::day_view(
        &t,
        &g,
        date,
        cfg.engine.daily_carry_forward_days,
    ));
    g
}

/// Grades already extracted inputs (the course is used for events the
/// extractors do not keep, e.g. censoring events).
pub fn grade_inputs(
    course: &Course,
    x: &CourseInputs,
    cfg: &GradingConfig,
    only: &[Criterion],
) -> CourseGrades {
    grade_with(course, x, cfg, only, false)
}

fn grade_with(
    course: &Course,
    x: &CourseInputs,
    cfg: &GradingConfig,
    only: &[Criterion],
    keep_states: bool,
) -> CourseGrades {
    let mut sink = Sink {
        keep_states,
        ..Sink::default()
    };
    let sel = |c: Criterion| only.contains(&c);
    let mut criteria: Vec<Criterion> = Criterion::ALL.into_iter().filter(|c| sel(*c)).collect();
    criteria.sort();
    if sel(Criterion::Engraftment) || sel(Criterion::GraftFailure) {
        engraftment::run(
            x,
            cfg,
            &mut sink,
            sel(Criterion::Engraftment),
            sel(Criterion::GraftFailure),
        );
    }
    if sel(Criterion::Chimerism) {
        chimerism::run(x, cfg, &mut sink);
    }
    if sel(Criterion::Agvhd) {
        agvhd_run::run(x, cfg, &mut sink);
    }
    if sel(Criterion::Cgvhd) {
        cgvhd::run(course, x, cfg, &mut sink);
    }
    if sel(Criterion::Crs) {
        crs::run(x, cfg, &mut sink);
    }
    if sel(Criterion::Icans) {
        icans::run(x, cfg, &mut sink);
    }
    if sel(Criterion::Eln) {
        eln::run(x, cfg, &mut sink);
    }
    if sel(Criterion::Icaht) {
        icaht::run(course, x, cfg, &mut sink);
    }
    if sel(Criterion::Hematotox) {
        hematotox::run(course, x, cfg, &mut sink);
    }
    if sel(Criterion::Risk) {
        risk::run(course, x, cfg, &mut sink);
    }
    if sel(Criterion::GraftFailure) {
        poor_graft_function(x, cfg, &mut sink, sel(Criterion::Agvhd));
    }
    for (c, why) in NOT_YET {
        if sel(*c) {
            sink.skip(*c, (*why).to_string());
        }
    }
    assemble(course, x, criteria, sink)
}

//! The derivation carry: a patient's course reduced to what new findings
//! can still be read with, so that an append derives the new state
//! without grading the whole history (docs/store.md, "Appending a day: the
//! carry").
//!
//! A long course is almost entirely routine daily labs (ANC, platelets,
//! WBC, haemoglobin, bilirubin, creatinine, ALC, ALT, AST, CRP). The
//! rules read old values of those only near clinical records (the early
//! windows after a transplant or CAR-T, the counts around a marrow, the
//! bilirubin of a GVHD staging day) or when the values were abnormal (a
//! decline, a cytopenia, a liver stage). The **reduced course** keeps
//! every event and every other observation, every record of the last
//! [`RECENT_DAYS`], and of older routine labs only those near a clinical
//! record or abnormal (with their neighbours): it grows with clinical
//! events, not with quiet days.
//!
//! The reduced course is used only when it is **faithful**: its derived
//! summary equals the whole course's (checked when the carry is made, and
//! again whenever an append drops old days from it). An append then
//! derives from the reduced course plus the addition when everything it
//! adds is dated no earlier than [`BACKDATE_DAYS`] before the last record;
//! anything else (an amendment, an addition dated further back, another
//! engine version or configuration) derives over the whole course as
//! before.

use std::collections::HashMap;
use std::sync::LazyLock;

use graftwatch_core::{Analyte, Date};
use graftwatch_course::{Course, Observation, ObservationKind};

use graftwatch_criteria::agvhd::magic::stage_bilirubin;
use graftwatch_criteria::agvhd::stage::Stage;
use graftwatch_grading::GradingConfig;

use crate::derive::{DeriveConfig, DerivedSummary, compute};
use crate::types::Delta;

/// Routine labs of the last this many days before the course's last
/// record are kept: longer than every look-back of the rules (the aGVHD
/// carry-forward and daily carry-forward, 7 days; the DLI evidence
/// windows, 14 days; the graft-failure support window, 7 days; the marrow
/// count window, 7 days).
pub const RECENT_DAYS: i32 = 90;

/// Routine labs from this many days before to [`AFTER_EVENT_DAYS`] after
/// every event's start are kept: the baselines before a CAR-T or
/// transplant (HCT-CI reads 60 days before conditioning), engraftment and
/// its deadlines (day +28/+42), ICAHT and T-ICAHT (day 0–100), steroid
/// response windows (day 28).
pub const BEFORE_EVENT_DAYS: i32 = 70;

/// See [`BEFORE_EVENT_DAYS`].
pub const AFTER_EVENT_DAYS: i32 = 45;

/// Routine labs within this many days of any other observation (a marrow,
/// chimerism, MRD, a GVHD staging, an infection status) are kept: the
/// marrow count window (7 days) and the same-day bilirubin of a chronic
/// GVHD staging.
pub const NEAR_RECORD_DAYS: i32 = 14;

/// Values of the same analyte kept on each side of an abnormal one, so
/// that runs of consecutive values keep their edges: two abnormal values
/// apart in the course are never made neighbours in the reduced course,
/// and a recovery after an abnormal stretch keeps the three consecutive
/// values that engraftment (and the end of a decline or cytopenia run)
/// count.
pub const NEIGHBOURS: usize = 3;

/// A carry drops the routine labs that left its windows once there are
/// this many (about a month of six daily labs): the check that the
/// smaller course still derives the same summary is a second derivation,
/// paid once a month instead of every day.
pub const PRUNE_FROM: usize = 180;

/// Routine labs of the first this many days of the course are kept (the
/// course's first date).
pub const FIRST_DAYS: i32 = 30;

/// How far inside a rule's threshold a routine value must be to count as
/// normal (a value within 10 % of a threshold is treated as abnormal, so
/// that "below" and "at or below" are both covered with room to spare).
const MARGIN: f64 = 1.1;

/// The band (canonical units) inside which a routine lab value cannot
/// meet any rule that reads it after the windows kept around clinical
/// records, or `None` for an analyte that is not a routine lab. The
/// limits come from the grading configuration the derived state is
/// computed with (one home for each threshold):
/// - ANC and platelets: secondary graft failure (a decline below 0.5 and
///   20 ×10⁹/L) and poor graft function (at or below 0.5 and 20 ×10⁹/L);
/// - haemoglobin: poor graft function (at or below 7.0 g/dL);
/// - bilirubin: acute GVHD liver stage 0 at the value times the margin
///   (`magic::stage_bilirubin`: stage 1 from 2.0 mg/dL, the same band in
///   Keystone and IBMTR), so normal below 1.82 mg/dL;
/// - creatinine, ALT, AST, CRP, WBC, ALC: no rule reads them outside the
///   windows around events and records (HCT-CI before conditioning,
///   CAR-HEMATOTOX before the infusion, chronic GVHD on its staging
///   day); their bands are wide sanity bands (creatinine ≤ 2 mg/dL, ALT
///   and AST ≤ 100 U/L, CRP ≤ 5 mg/dL, WBC 1–50 and ALC ≥ 0.1 ×10⁹/L), so
///   that a markedly abnormal value is kept all the same.
fn band(a: Analyte) -> Option<(f64, f64)> {
    let g = GradingConfig::default();
    let (sgf, pgf) = (g.secondary_graft_failure, g.poor_graft_function);
    let inf = f64::INFINITY;
    Some(match a {
        Analyte::Anc => (sgf.anc_below.max(pgf.anc_max) * MARGIN, inf),
        Analyte::Platelets => (sgf.platelets_below.max(pgf.platelets_max) * MARGIN, inf),
        Analyte::Hemoglobin => (pgf.hemoglobin_max_g_dl * MARGIN, inf),
        Analyte::Bilirubin => (-inf, inf),
        Analyte::Creatinine => (-inf, 2.0),
        Analyte::Alt | Analyte::Ast => (-inf, 100.0),
        Analyte::Crp => (-inf, 5.0),
        Analyte::Wbc => (1.0, 50.0),
        Analyte::Alc => (0.1, inf),
        _ => return None,
    })
}

/// The routine labs with their bands ([`band`]), computed once.
static BANDS: LazyLock<Vec<(Analyte, f64, f64)>> = LazyLock::new(|| {
    ROUTINE_LABS
        .iter()
        .filter_map(|&a| band(a).map(|(lo, hi)| (a, lo, hi)))
        .collect()
});

/// The routine laboratory analytes: the daily labs that make up most of
/// a long course.
pub const ROUTINE_LABS: [Analyte; 10] = [
    Analyte::Anc,
    Analyte::Platelets,
    Analyte::Wbc,
    Analyte::Hemoglobin,
    Analyte::Bilirubin,
    Analyte::Creatinine,
    Analyte::Alc,
    Analyte::Alt,
    Analyte::Ast,
    Analyte::Crp,
];

/// For a routine lab value, whether it is inside its normal band; `None`
/// for anything else (another kind, or a value that is not a plain
/// number).
fn routine_normal(o: &Observation) -> Option<bool> {
    let ObservationKind::Lab(a) = o.kind else {
        return None;
    };
    let &(_, lo, hi) = BANDS.iter().find(|b| b.0 == a)?;
    let v = o.number()?;
    let liver_stage_0 = a != Analyte::Bilirubin || stage_bilirubin(v * MARGIN).0 == Stage::S0;
    Some(v >= lo && v <= hi && liver_stage_0)
}

/// The carry of one revision: the reduced course and the summary of the
/// full course at that revision (which the reduced course reproduces).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Carry {
    /// The full course's summary.
    pub(crate) summary: DerivedSummary,
    /// The reduced course.
    pub(crate) course: Course,
}

/// Whether two summaries agree on everything but the numbers of
/// observations and events (a reduced course has fewer of them).
fn same_but_counts(a: &DerivedSummary, b: &DerivedSummary) -> bool {
    a.latest == b.latest
        && a.grades == b.grades
        && a.alerts == b.alerts
        && a.dli == b.dli
        && a.ward == b.ward
}

/// Dates near which routine labs are kept: every event's start and end.
fn event_dates(course: &Course) -> Vec<Date> {
    course
        .events
        .iter()
        .flat_map(|e| std::iter::once(e.date).chain(e.end_date))
        .collect()
}

/// Whether `d` lies in `[x - before, x + after]` for some `x` of the
/// sorted `dates`.
fn near(dates: &[Date], d: Date, before: i32, after: i32) -> bool {
    // The first date not before d - after: if it is within d + before, d is near.
    let lo = d.add_days(-after);
    let i = dates.partition_point(|x| *x < lo);
    dates.get(i).is_some_and(|x| *x <= d.add_days(before))
}

/// The reduced course (see the module documentation).
pub(crate) fn reduce(course: &Course) -> Course {
    let Some(last) = course.last_record_date() else {
        return course.clone();
    };
    let first = course.observations.iter().map(|o| o.date).min();
    let mut events = event_dates(course);
    events.sort_unstable();
    let mut records: Vec<Date> = course
        .observations
        .iter()
        .filter(|o| routine_normal(o).is_none())
        .map(|o| o.date)
        .collect();
    records.sort_unstable();
    records.dedup();
    let mut keep: Vec<bool> = course
        .observations
        .iter()
        .map(|o| {
            routine_normal(o).is_none()
                || o.date >= last.add_days(-RECENT_DAYS)
                || first.is_some_and(|f| o.date <= f.add_days(FIRST_DAYS))
                || near(&events, o.date, BEFORE_EVENT_DAYS, AFTER_EVENT_DAYS)
                || near(&records, o.date, NEAR_RECORD_DAYS, NEAR_RECORD_DAYS)
        })
        .collect();
    keep_abnormal_with_neighbours(course, &mut keep);
    let mut out = course.clone();
    let mut flags = keep.into_iter();
    out.observations.retain(|_| flags.next().unwrap_or(true));
    out
}

/// Marks every abnormal routine value and [`NEIGHBOURS`] values of the
/// same analyte on each side of it, and the latest value of each routine
/// analyte (the ward's latest counts read it however old it is).
fn keep_abnormal_with_neighbours(course: &Course, keep: &mut [bool]) {
    let mut series: HashMap<ObservationKind, Vec<(usize, bool)>> = HashMap::new();
    for (i, o) in course.observations.iter().enumerate() {
        if let Some(normal) = routine_normal(o) {
            series.entry(o.kind).or_default().push((i, normal));
        }
    }
    for s in series.values() {
        if let Some(&(i, _)) = s.last() {
            keep[i] = true;
        }
        for (j, &(_, normal)) in s.iter().enumerate() {
            if !normal {
                let from = j.saturating_sub(NEIGHBOURS);
                let to = (j + NEIGHBOURS + 1).min(s.len());
                for &(i, _) in &s[from..to] {
                    keep[i] = true;
                }
            }
        }
    }
}

/// The carry of a course whose full summary is `summary`, when the
/// reduced course is faithful (derives the same summary); else `None`.
pub(crate) fn build(
    course: &Course,
    summary: &DerivedSummary,
    cfg: &DeriveConfig,
) -> Option<Carry> {
    let reduced = reduce(course);
    let faithful = reduced.observations.len() == course.observations.len()
        || same_but_counts(&compute(&reduced, cfg), summary);
    faithful.then(|| Carry {
        summary: summary.clone(),
        course: reduced,
    })
}

/// How many days before the course's last record an addition may be
/// dated and still derive from the carry (a result that arrives a few days
/// late, a finding entered after the next day's labs). The reduced course
/// holds every record of the last [`RECENT_DAYS`] days, so an addition
/// dated in this reach is read, by every rule, together with records the
/// reduced course holds: the longest look-back of a rule from a new record
/// is [`BEFORE_EVENT_DAYS`] (a conditioning's 60-day HCT-CI window), and
/// `BACKDATE_DAYS + BEFORE_EVENT_DAYS` ≤ [`RECENT_DAYS`].
pub const BACKDATE_DAYS: i32 = 14;

const _: () = assert!(BACKDATE_DAYS + BEFORE_EVENT_DAYS <= RECENT_DAYS);

/// Whether `delta` may derive from the carry of a course whose last record
/// is dated `last`: it adds something, and every event and observation is
/// dated no earlier than [`BACKDATE_DAYS`] before `last`.
pub(crate) fn in_reach(delta: &Delta, last: Option<Date>) -> bool {
    let from = last.map(|l| l.add_days(-BACKDATE_DAYS));
    let ok = |d: Date| from.is_none_or(|f| d >= f);
    (!delta.observations.is_empty() || !delta.events.is_empty())
        && delta.observations.iter().all(|o| ok(o.date))
        && delta.events.iter().all(|e| ok(e.date))
}

/// The summary after appending `delta` to the course `carry` was made
/// from, and the carry of the new revision; `None` when the addition is
/// not [`in_reach`] (the caller derives over the whole course).
pub(crate) fn append(
    carry: &Carry,
    delta: &Delta,
    cfg: &DeriveConfig,
) -> Option<(DerivedSummary, Carry)> {
    if !in_reach(delta, carry.course.last_record_date()) {
        return None;
    }
    let mut course = carry.course.clone();
    crate::change::apply(&mut course, delta);
    let mut summary = compute(&course, cfg);
    summary.observations = carry.summary.observations + delta.observations.len();
    summary.events = carry.summary.events + delta.events.len();
    // Routine labs that left the recent window are dropped once there are
    // [`PRUNE_FROM`] of them (so most appends derive once, not twice), and
    // only when the smaller course still derives the same summary; else
    // the carry keeps them (it stays faithful either way).
    let reduced = reduce(&course);
    let next = if reduced.observations.len() + PRUNE_FROM <= course.observations.len()
        && same_but_counts(&compute(&reduced, cfg), &summary)
    {
        reduced
    } else {
        course
    };
    Some((
        summary.clone(),
        Carry {
            summary,
            course: next,
        },
    ))
}

/// The carry as stored (`derive_carry.summary`, `derive_carry.course`).
pub(crate) fn encode(carry: &Carry) -> (String, String) {
    (
        serde_json::to_string(&carry.summary).unwrap_or_default(),
        crate::checkpoint::encode(&carry.course),
    )
}

/// A stored carry, or `None` when it does not decode (derived data: the
/// write then derives over the whole course).
pub(crate) fn decode(summary: &str, course: &str) -> Option<Carry> {
    Some(Carry {
        summary: serde_json::from_str(summary).ok()?,
        course: crate::checkpoint::decode(course).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use graftwatch_course::io::read_json_str;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn lab(d: &str, a: Analyte, v: f64) -> Observation {
        Observation::lab(date(d), a, v)
    }

    /// A transplant on 2024-01-01 and `days` days of ANC and haemoglobin
    /// (`anc` on each day, unless `abnormal_on` gives 0.2 on that day),
    /// plus a chimerism result on `chimerism_on`.
    fn course(days: i32, abnormal_on: Option<i32>, chimerism_on: Option<i32>) -> Course {
        let d0 = date("2024-01-01");
        let mut obs = Vec::new();
        for d in 0..days {
            let day = d0.add_days(d).to_string();
            let anc = if abnormal_on == Some(d) { 0.2 } else { 2.0 };
            obs.push(
                serde_json::json!({"date": day, "kind": "anc", "value": anc, "unit": "10^9/L"}),
            );
            obs.push(serde_json::json!({"date": day, "kind": "hemoglobin", "value": 12.0, "unit": "g/dL"}));
            if chimerism_on == Some(d) {
                obs.push(
                    serde_json::json!({"date": day, "kind": "chimerism", "value": 98.0, "unit": "%",
                    "lineage": "whole_blood", "person": "D1", "method": "str", "sample": "C1"}),
                );
            }
        }
        let doc = serde_json::json!({
            "format": "graftwatch-course/1",
            "patient": {"id": "P", "sex": "male", "birth_year": 1970,
                        "diagnosis": {"disease": "aml", "date": "2023-09-01"}},
            "donors": [{"id": "D1", "relationship": "matched_unrelated", "sex": "male"}],
            "events": [{"date": "2024-01-01", "kind": "graft_infusion", "transplant": 1,
                        "source": "pbsc", "donor": "D1"}],
            "observations": obs,
        });
        read_json_str(&doc.to_string(), std::path::Path::new("t.json"))
            .unwrap()
            .course
    }

    /// The days after day 0 on which `kind` is kept.
    fn kept_days(c: &Course, kind: ObservationKind) -> Vec<i32> {
        let d0 = date("2024-01-01");
        c.observations
            .iter()
            .filter(|o| o.kind == kind)
            .map(|o| o.date.days_since(d0).get())
            .collect()
    }

    #[test]
    fn bands_on_both_sides_of_each_rule() {
        let normal = |a, v| routine_normal(&lab("2024-01-01", a, v));
        // Secondary graft failure and poor graft function: ANC 0.5, platelets 20, Hb 7.0; 10 % margin.
        assert_eq!(normal(Analyte::Anc, 0.56), Some(true));
        assert_eq!(normal(Analyte::Anc, 0.54), Some(false));
        assert_eq!(normal(Analyte::Platelets, 22.1), Some(true));
        assert_eq!(normal(Analyte::Platelets, 21.9), Some(false));
        assert_eq!(normal(Analyte::Hemoglobin, 7.71), Some(true));
        assert_eq!(normal(Analyte::Hemoglobin, 7.69), Some(false));
        // MAGIC liver stage 1 from 2.0 mg/dL: normal while 1.1 × the value is below it.
        assert_eq!(normal(Analyte::Bilirubin, 1.81), Some(true));
        assert_eq!(normal(Analyte::Bilirubin, 1.82), Some(false));
        assert_eq!(normal(Analyte::Creatinine, 2.0), Some(true));
        assert_eq!(normal(Analyte::Creatinine, 2.01), Some(false));
        // Not routine labs: always kept in the reduced course.
        assert_eq!(normal(Analyte::PbBlasts, 0.0), None);
        assert_eq!(normal(Analyte::Ferritin, 100.0), None);
    }

    #[test]
    fn an_addition_is_in_reach_up_to_fourteen_days_before_the_last_record() {
        let last = Some(date("2024-05-15"));
        let day = |obs: Vec<Observation>| Delta {
            events: Vec::new(),
            observations: obs,
        };
        let anc = |d: &str| day(vec![lab(d, Analyte::Anc, 2.0)]);
        assert!(in_reach(&anc("2024-05-16"), last), "the next day");
        assert!(in_reach(&anc("2024-05-15"), last), "the same day");
        assert!(in_reach(&anc("2024-05-01"), last), "14 days before");
        assert!(!in_reach(&anc("2024-04-30"), last), "15 days before");
        assert!(
            in_reach(&anc("2024-04-30"), None),
            "a course without records"
        );
        assert!(!in_reach(&day(vec![]), last), "nothing added");
        // Abnormal values and other kinds are in reach: the reduced course
        // holds every record of the recent days they are read with.
        assert!(in_reach(
            &day(vec![lab("2024-05-16", Analyte::Anc, 0.1)]),
            last
        ));
        assert!(in_reach(
            &day(vec![lab("2024-05-16", Analyte::PbBlasts, 9.0)]),
            last
        ));
        let c = course(3, None, None);
        let mut infusion = c.events[0].clone();
        infusion.date = date("2024-04-30");
        let event = |e: graftwatch_course::Event| Delta {
            events: vec![e],
            observations: Vec::new(),
        };
        assert!(
            !in_reach(&event(infusion.clone()), last),
            "an event 15 days before"
        );
        infusion.date = date("2024-05-01");
        assert!(in_reach(&event(infusion), last), "an event 14 days before");
    }

    #[test]
    fn the_reduced_course_keeps_windows_abnormal_values_and_their_neighbours() {
        let c = course(400, Some(200), Some(250));
        let r = reduce(&c);
        let anc = kept_days(&r, ObservationKind::Lab(Analyte::Anc));
        let hb = kept_days(&r, ObservationKind::Lab(Analyte::Hemoglobin));
        // The transplant's window (to day +45; the first 30 days inside it).
        assert!((0..=45).all(|d| hb.contains(&d)));
        assert!(!hb.contains(&46) && !hb.contains(&199));
        // The abnormal ANC of day 200 with three ANC values on each side;
        // haemoglobin is not kept there.
        assert!((197..=203).all(|d| anc.contains(&d)));
        assert!(!anc.contains(&196) && !anc.contains(&204));
        assert!(!hb.contains(&200));
        // 14 days either side of the chimerism result of day 250.
        assert!((236..=264).all(|d| hb.contains(&d)));
        assert!(!hb.contains(&235) && !hb.contains(&265));
        // The last 90 days before the last record (day 399).
        assert!((309..400).all(|d| hb.contains(&d)));
        assert!(!hb.contains(&308));
        // Every non-routine observation and event.
        assert_eq!(r.events, c.events);
        // The latest value of an analyte measured long ago.
        let mut c = c;
        c.observations.push(lab("2024-03-01", Analyte::Wbc, 5.0));
        c.sort();
        let wbc = kept_days(&reduce(&c), ObservationKind::Lab(Analyte::Wbc));
        assert_eq!(wbc, vec![60]);
        assert_eq!(kept_days(&r, ObservationKind::Chimerism), vec![250]);
    }

    #[test]
    fn a_faithful_carry_derives_the_next_day_as_the_whole_course() {
        let cfg = DeriveConfig::default();
        let c = course(400, Some(200), Some(300));
        let summary = compute(&c, &cfg);
        let carry = build(&c, &summary, &cfg).expect("faithful");
        assert!(carry.course.observations.len() < c.observations.len() / 2);
        let day = Delta {
            events: Vec::new(),
            observations: vec![
                lab("2025-02-04", Analyte::Anc, 2.2),
                lab("2025-02-04", Analyte::Hemoglobin, 12.5),
            ],
        };
        let (fast, next) = append(&carry, &day, &cfg).expect("in reach");
        let mut whole = c.clone();
        crate::change::apply(&mut whole, &day);
        assert_eq!(fast, compute(&whole, &cfg));
        assert_eq!(next.summary, fast);
        let old = Delta {
            events: Vec::new(),
            observations: vec![lab("2025-01-20", Analyte::Anc, 0.3)],
        };
        assert!(
            append(&next, &old, &cfg).is_none(),
            "dated 15 days before the last record"
        );
    }
}

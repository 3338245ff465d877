//! The engine's output: a versioned document with a per-day timeline and a
//! course summary, every result with its explanation.
//!
//! JSON schema: `docs/grading-output.schema.json`, tag [`SCHEMA`].

use graftwatch_core::{Date, DayOffset};
use graftwatch_course::Anchor;
use graftwatch_criteria::{Explanation, Graded};
use serde::Serialize;

use crate::criterion::Criterion;

/// Output format tag.
pub const SCHEMA: &str = "graftwatch-grades/2";

/// A day relative to an anchor (`day +14 after HCT`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelDay {
    /// Anchor label (`HCT`, `CAR-T`, `DLI 1`, …).
    pub anchor: String,
    /// Day offset.
    pub day: DayOffset,
}

/// One criterion's grade on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayEntry {
    /// Criterion.
    pub criterion: Criterion,
    /// Grade label (`0`, `I`…`IV`, `1`…`4`, `full_donor`, …); a grade that
    /// could not be determined because inputs were missing is `>=X` (at
    /// least X).
    pub grade: String,
    /// Numeric severity for sorting and plotting (0 = none). An acute GVHD
    /// day graded [`NOT_YET_GRADABLE`] carries 0 here, which is no grade
    /// ([`DayEntry::not_gradable`]).
    pub level: u8,
    /// Whether the grade differs from the previous graded day.
    pub changed: bool,
    /// One-line reason naming the decisive observation(s).
    pub reason: String,
}

/// The grade label of an acute GVHD day whose lower bound is grade 0: no
/// organ above stage 0 was seen and some organ could not be staged. Its
/// `level` 0 is not a grade.
pub const NOT_YET_GRADABLE: &str = "not yet gradable";

impl DayEntry {
    /// The day could not be graded at all ("not yet gradable"): readers
    /// draw it as not assessed and compare with the last graded day, never
    /// as grade 0.
    pub fn not_gradable(&self) -> bool {
        self.grade == NOT_YET_GRADABLE
    }
}

/// One day of the timeline (only days with a non-zero grade or a change).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineDay {
    /// Date.
    pub date: Date,
    /// Day relative to the primary anchor (latest transplant or CAR-T on
    /// or before the date), when there is one.
    pub rel: Option<RelDay>,
    /// Grades of the day.
    pub entries: Vec<DayEntry>,
}

/// Status of a summary item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// A result.
    Value,
    /// Not enough data; `missing` says what.
    InsufficientData,
    /// The criterion does not apply (e.g. no CAR-T in the course).
    NotApplicable,
}

/// One summary result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryItem {
    /// Criterion family.
    pub criterion: Criterion,
    /// Item name, e.g. `neutrophil_engraftment`, `agvhd_max_grade`
    /// (the typed key's output name with its suffix).
    pub item: String,
    /// The typed key of the item (the output name is `item`).
    #[serde(skip)]
    pub key: crate::SummaryKey,
    /// Status.
    pub status: ItemStatus,
    /// One-line human-readable result (`day +14 (2024-06-22)`, `grade III`).
    pub result: String,
    /// Date the result refers to, when it has one.
    pub date: Option<Date>,
    /// That date relative to the item's anchor.
    pub rel: Option<RelDay>,
    /// Structured result of the criterion (its own fields), when graded.
    pub value: Option<serde_json::Value>,
    /// What is missing (insufficient data).
    pub missing: Vec<String>,
    /// Why: rule, version, citations, reason, evidence, flags.
    pub explanation: Explanation,
}

impl SummaryItem {
    /// Builds an item from a criterion's graded result; `describe` turns the
    /// value into (one-line result, date).
    pub fn from_graded<T: Serialize>(
        criterion: Criterion,
        item: impl Into<crate::summary_key::ItemKey>,
        g: &Graded<T>,
        anchor: Option<&Anchor>,
        describe: impl FnOnce(&T) -> (String, Option<Date>),
    ) -> SummaryItem {
        let (status, result, date, value, missing) = match g {
            Graded::Value { value, .. } => {
                let (r, d) = describe(value);
                (
                    ItemStatus::Value,
                    r,
                    d,
                    serde_json::to_value(value).ok(),
                    Vec::new(),
                )
            }
            Graded::InsufficientData { missing, .. } => (
                ItemStatus::InsufficientData,
                format!("insufficient data: {}", missing.join("; ")),
                None,
                None,
                missing.clone(),
            ),
            Graded::NotApplicable { reason, .. } => (
                ItemStatus::NotApplicable,
                // "not evaluable: …" (censored at death) is said as is.
                if reason.starts_with("not evaluable") {
                    reason.clone()
                } else {
                    format!("not applicable: {reason}")
                },
                None,
                None,
                Vec::new(),
            ),
        };
        let mut explanation = g.explanation().clone();
        let mut seen: Vec<(String, String)> = Vec::new();
        explanation.flags.retain(|f| {
            let k = (f.code.clone(), f.text.clone());
            if seen.contains(&k) {
                false
            } else {
                seen.push(k);
                true
            }
        });
        let item = item.into();
        SummaryItem {
            criterion,
            key: item.key,
            item: item.to_string(),
            status,
            result,
            date,
            rel: date.and_then(|d| anchor.map(|a| rel_day(a, d))),
            value,
            missing,
            explanation,
        }
    }
}

/// `day +N after <anchor>` for a date.
pub fn rel_day(a: &Anchor, date: Date) -> RelDay {
    RelDay {
        anchor: a.kind.to_string(),
        day: a.day(date),
    }
}

/// An anchor in the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnchorOut {
    /// Label (`HCT`, `CAR-T`, `DLI 1`).
    pub label: String,
    /// Day-0 date.
    pub date: Date,
}

/// A criterion that could not be run, with the reason (e.g. its inputs
/// were invalid).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// Criterion.
    pub criterion: Criterion,
    /// Why, in words.
    pub reason: String,
}

/// The graded course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseGrades {
    /// Format tag, [`SCHEMA`].
    pub schema: &'static str,
    /// The course file graded (set by the CLI when several are graded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Patient id.
    pub patient: String,
    /// Whether the course is marked illustrative (not real data).
    pub illustrative: bool,
    /// Anchors.
    pub anchors: Vec<AnchorOut>,
    /// Criteria run.
    pub criteria: Vec<Criterion>,
    /// Criteria that could not be run, with why.
    pub skipped: Vec<Skipped>,
    /// Per-day grades (days with a non-zero grade or a change only).
    pub timeline: Vec<TimelineDay>,
    /// Course summary.
    pub summary: Vec<SummaryItem>,
    /// MAGIC organ stages of every day in the acute GVHD timeline
    /// (structured, for plotting; the same days as the `agvhd` timeline
    /// entries). Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agvhd_organ_stages: Vec<AgvhdOrganDay>,
    /// Warnings about the course as read (implausible values kept, dates
    /// after today or before the transplant), as `course validate` prints
    /// them; set by the reader of the course (the CLI), omitted when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_warnings: Vec<String>,
    /// The date the course was graded as of (`--on`): only records dated on
    /// or before it were used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// The state of every criterion on the `as_of` date (with `--on`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_day: Option<DailyDay>,
    /// Every day's state of every criterion (with `--daily`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily: Option<Vec<DailyDay>>,
    /// Assessment-day states the daily view is built from (not serialised).
    #[serde(skip)]
    pub states: Vec<(Date, DayState)>,
}

/// Status of a criterion on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// A grade (possibly carried forward from an assessment inside its window).
    Graded,
    /// No assessment on the day or inside the carry-forward window.
    NotAssessed,
    /// Assessed, but something needed is missing (`missing` says what).
    InsufficientData,
}

/// One criterion's state on one assessment day, as the engine produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayState {
    /// Criterion family.
    pub criterion: Criterion,
    /// Which result (`magic`, `keystone`, `ibmtr`, `astct_crs`, `nih_global`, …).
    pub system: &'static str,
    /// Status.
    pub status: DayStatus,
    /// Grade label when graded (`>=X` for a lower bound).
    pub grade: Option<String>,
    /// Structured result of the day (organ stages, parameters, …).
    pub value: Option<serde_json::Value>,
    /// What is missing (insufficient data).
    pub missing: Vec<String>,
    /// Days after the assessment this state still holds (carry-forward).
    #[serde(skip)]
    pub valid_days: i32,
}

/// One criterion's state on one calendar day of the daily view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyEntry {
    /// Criterion family.
    pub criterion: Criterion,
    /// Which result.
    pub system: &'static str,
    /// Status.
    pub status: DayStatus,
    /// Grade label when graded.
    pub grade: Option<String>,
    /// Date of the assessment the state comes from (earlier than the day
    /// when carried forward).
    pub assessed_on: Option<Date>,
    /// Structured result.
    pub value: Option<serde_json::Value>,
    /// What is missing, or why the criterion is not assessed.
    pub missing: Vec<String>,
}

/// Every criterion's state on one calendar day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyDay {
    /// Date.
    pub date: Date,
    /// Day relative to the latest transplant or CAR-T on or before it.
    pub rel: Option<RelDay>,
    /// One entry per criterion result.
    pub entries: Vec<DailyEntry>,
}

/// The MAGIC organ stages of one acute-GVHD timeline day. A stage is
/// `None` when the organ could not be staged that day (not assessed, or a
/// quantity the rule needs is missing); the day's `reason` in the timeline
/// says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgvhdOrganDay {
    /// Date.
    pub date: Date,
    /// Overall MAGIC grade level (0–4; a lower bound when an organ is missing).
    pub level: u8,
    /// Skin stage 0–4.
    pub skin: Option<u8>,
    /// Liver stage 0–4.
    pub liver: Option<u8>,
    /// Upper GI stage 0–1.
    pub upper_gi: Option<u8>,
    /// Lower GI stage 0–4.
    pub lower_gi: Option<u8>,
}

impl CourseGrades {
    /// The summary item named `item`.
    pub fn item(&self, item: &str) -> Option<&SummaryItem> {
        self.summary.iter().find(|s| s.item == item)
    }
}

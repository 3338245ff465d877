//! The explanation every computed result carries.

use graftwatch_core::{Citation, Date, Unit};
use serde::Serialize;

/// One observation that determined a result: which value, on which day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Date of the observation, when it has one.
    pub date: Option<Date>,
    /// What was observed, e.g. `bilirubin`, `stool_volume`, `anc`.
    pub what: String,
    /// The value as used by the rule (after unit conversion), if numeric.
    pub value: Option<f64>,
    /// Unit of `value`.
    pub unit: Option<Unit>,
    /// Free text, e.g. `"stage 2 (> 3.0 and <= 6.0 mg/dL)"` or `"present"`.
    pub note: String,
}

impl Evidence {
    /// A numeric observation.
    pub fn value(
        date: Option<Date>,
        what: impl Into<String>,
        value: impl Into<f64>,
        unit: Option<Unit>,
        note: impl Into<String>,
    ) -> Evidence {
        Evidence {
            date,
            what: what.into(),
            value: Some(value.into()),
            unit,
            note: note.into(),
        }
    }
    /// A non-numeric finding.
    pub fn finding(
        date: Option<Date>,
        what: impl Into<String>,
        note: impl Into<String>,
    ) -> Evidence {
        Evidence {
            date,
            what: what.into(),
            value: None,
            unit: None,
            note: note.into(),
        }
    }
}

/// An ambiguity default (or other caveat) that was applied, named by the code
/// used in the clinical reference, e.g. `A-2` or `T-9`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Code from the reference's ambiguity tables (`A-2`, `E-4`, `M-1`, …) or a
    /// short engine code.
    pub code: String,
    /// What was decided, in words.
    pub text: String,
}

impl Flag {
    /// Builds a flag.
    pub fn new(code: impl Into<String>, text: impl Into<String>) -> Flag {
        Flag {
            code: code.into(),
            text: text.into(),
        }
    }
}

/// Why a result is what it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Rule name, e.g. `MAGIC acute GVHD grade`.
    pub rule: &'static str,
    /// Rule version, e.g. `MAGIC 2016`.
    pub version: &'static str,
    /// Sources.
    pub citations: Vec<Citation>,
    /// One-sentence reason, e.g. `lower GI stage 2 alone gives grade III`.
    pub reason: String,
    /// The observations that decided it.
    pub evidence: Vec<Evidence>,
    /// Ambiguity defaults applied.
    pub flags: Vec<Flag>,
}

impl Explanation {
    /// The codes of the flags, in order.
    pub fn flag_codes(&self) -> Vec<&str> {
        self.flags.iter().map(|f| f.code.as_str()).collect()
    }
}

/// A graded result, or the honest statement that it could not be graded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Graded<T> {
    /// A result with its explanation.
    Value {
        /// The result.
        value: T,
        /// Why.
        explanation: Explanation,
    },
    /// Not enough data; `missing` lists what would be needed.
    InsufficientData {
        /// What is missing, in words (e.g. `"no ANC between day +3 and day +9"`).
        missing: Vec<String>,
        /// Rule identification and whatever evidence there was.
        explanation: Explanation,
    },
    /// The criterion does not apply (e.g. ANC never fell below 0.5).
    NotApplicable {
        /// Why not.
        reason: String,
        /// Rule identification.
        explanation: Explanation,
    },
}

impl<T> Graded<T> {
    /// `InsufficientData` with `reason` as the explanation's reason.
    pub fn insufficient(
        mut explanation: Explanation,
        reason: impl Into<String>,
        missing: Vec<String>,
    ) -> Graded<T> {
        explanation.reason = reason.into();
        Graded::InsufficientData {
            missing,
            explanation,
        }
    }
    /// The value, if graded.
    pub fn value(&self) -> Option<&T> {
        match self {
            Graded::Value { value, .. } => Some(value),
            _ => None,
        }
    }
    /// The explanation in every case.
    pub fn explanation(&self) -> &Explanation {
        match self {
            Graded::Value { explanation, .. }
            | Graded::InsufficientData { explanation, .. }
            | Graded::NotApplicable { explanation, .. } => explanation,
        }
    }
}

/// How a daily-graded course (CRS, ICANS) is summarised: its name, rule
/// identification, the evidence name of its onset and what a course with no
/// gradable day is missing.
pub(crate) struct CourseRule {
    /// `CRS`, `ICANS`.
    pub(crate) name: &'static str,
    /// Rule name of the summary.
    pub(crate) rule: &'static str,
    /// Rule version.
    pub(crate) version: &'static str,
    /// Sources.
    pub(crate) citations: &'static [Citation],
    /// Evidence name of the onset, e.g. `crs_onset`.
    pub(crate) onset: &'static str,
    /// The `missing` entry when no day could be graded.
    pub(crate) missing: &'static str,
}

/// The maximum of a daily-graded course: grade, the date that reached it and
/// the onset.
pub(crate) struct CourseMax {
    /// Maximum grade.
    pub(crate) grade: u8,
    /// Date of the maximum.
    pub(crate) date: Option<Date>,
    /// First day with grade >= 1.
    pub(crate) onset: Option<Date>,
    /// The maximum is reached only as a lower bound (a day not fully
    /// recorded whose recorded signs already give it).
    pub(crate) lower_bound: bool,
}

/// A course summary as a `Graded` result: the evidence of the day that
/// reached the maximum (found by `date_of`), the onset, `flags` then a
/// `MISSING` flag counting the days not graded. `InsufficientData` when no
/// day could be graded.
pub(crate) fn explain_course_max<D, S>(
    rule: &CourseRule,
    days: &[Graded<D>],
    date_of: impl Fn(&D) -> Date,
    max: CourseMax,
    mut flags: Vec<Flag>,
    value: S,
) -> Graded<S> {
    let undetermined = days.iter().filter(|d| d.value().is_none()).count();
    let mut evidence = Vec::new();
    // The day of the maximum: graded on that date, or (a lower bound) not
    // graded, with its recorded signs dated that day.
    let on_max_day = |d: &&Graded<D>, md: Date| match d.value() {
        Some(v) => date_of(v) == md,
        None => max.lower_bound && d.explanation().evidence.iter().any(|e| e.date == Some(md)),
    };
    if let Some(md) = max.date
        && let Some(day) = days.iter().find(|d| on_max_day(d, md))
    {
        evidence.extend(day.explanation().evidence.iter().cloned());
    }
    let name = rule.name;
    if let Some(o) = max.onset {
        evidence.push(Evidence::finding(
            Some(o),
            rule.onset,
            format!("first day with {name} grade ≥ 1"),
        ));
    }
    if undetermined > 0 {
        flags.push(Flag::new(
            "MISSING",
            format!("{} could not be fully graded; the maximum counts their lower bounds (the grade their recorded signs already give)", graftwatch_core::number::counted(undetermined, "day")),
        ));
    }
    let reason = match (max.date, max.onset) {
        (Some(d), Some(o)) if max.lower_bound => format!(
            "maximum {name} grade at least {} on {d} (signs not recorded that day could raise it); onset {o}",
            max.grade
        ),
        (Some(d), Some(o)) => format!("maximum {name} grade {} on {d}; onset {o}", max.grade),
        _ => format!("no day reached {name} grade 1 or higher"),
    };
    let explanation = Explanation {
        rule: rule.rule,
        version: rule.version,
        citations: rule.citations.to_vec(),
        reason,
        evidence,
        flags,
    };
    if undetermined == days.len() {
        Graded::InsufficientData {
            missing: vec![rule.missing.into()],
            explanation,
        }
    } else {
        Graded::Value { value, explanation }
    }
}

/// A unit enum variant in words for explanations: `HighFlowNasalCannula` →
/// `high flow nasal cannula`, `OneVasopressor` → `one vasopressor` (never a
/// Rust name in user-facing text).
pub fn words<T: std::fmt::Debug>(v: &T) -> String {
    let d = format!("{v:?}");
    let mut out = String::with_capacity(d.len() + 4);
    for (i, c) in d.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push(' ');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod words_tests {
    #[derive(Debug)]
    enum E {
        HighFlowNasalCannula,
        None,
    }

    #[test]
    fn variants_become_words() {
        assert_eq!(
            super::words(&E::HighFlowNasalCannula),
            "high flow nasal cannula"
        );
        assert_eq!(super::words(&E::None), "none");
    }
}

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
        value: f64,
        unit: Option<Unit>,
        note: impl Into<String>,
    ) -> Evidence {
        Evidence {
            date,
            what: what.into(),
            value: Some(value),
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

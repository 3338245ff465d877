//! Death and its attribution to a CAR-T toxicity (CRS / ICANS grade 5).
//!
//! The course records the cause of death as text. A death is attributed to
//! CRS when the cause contains the word `CRS` or the phrase `cytokine
//! release`; to ICANS when it contains `ICANS`, `neurotoxicity` or
//! `immune effector cell-associated neurotoxicity` (case-insensitive, whole
//! words). Attribution is reported with flag `GW-DEATH-CAUSE`.

use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail};
use serde::Serialize;

/// What a death is attributed to, as far as the CAR-T toxicity grades care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToxicityDeath {
    /// Cytokine release syndrome.
    Crs,
    /// ICANS.
    Icans,
}

/// A recorded death.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Death {
    /// Date of death.
    pub date: Date,
    /// Cause as recorded.
    pub cause: String,
    /// Toxicities the cause names.
    pub attributed: Vec<ToxicityDeath>,
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The toxicities a free-text cause of death names.
pub fn attribute_cause(cause: &str) -> Vec<ToxicityDeath> {
    let w = words(cause);
    let joined = w.join(" ");
    let has = |x: &str| w.iter().any(|y| y == x);
    let mut out = Vec::new();
    if has("crs") || joined.contains("cytokine release") {
        out.push(ToxicityDeath::Crs);
    }
    if has("icans") || has("neurotoxicity") {
        out.push(ToxicityDeath::Icans);
    }
    out
}

/// The first recorded death, if any.
pub fn death(course: &Course) -> Option<Death> {
    course.events.iter().find_map(|e| match &e.detail {
        EventDetail::Death { cause } => Some(Death {
            date: e.date,
            cause: cause.clone(),
            attributed: attribute_cause(cause),
        }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_by_whole_words() {
        assert_eq!(attribute_cause("refractory CRS"), vec![ToxicityDeath::Crs]);
        assert_eq!(
            attribute_cause("Cytokine release syndrome grade 4"),
            vec![ToxicityDeath::Crs]
        );
        assert_eq!(
            attribute_cause("cerebral oedema (ICANS)"),
            vec![ToxicityDeath::Icans]
        );
        assert_eq!(
            attribute_cause("immune effector cell-associated neurotoxicity"),
            vec![ToxicityDeath::Icans]
        );
        assert!(attribute_cause("septic shock").is_empty());
        assert!(attribute_cause("crsx relapse").is_empty());
    }
}

//! De-identified export for research (see docs/store.md for the method
//! against the HIPAA Safe Harbor list, 45 CFR §164.514(b)(2)).
//!
//! - the patient id becomes a keyed pseudonym (`P-` + 12 hex digits of an
//!   HMAC under the store's secret), the same in every export;
//! - donor ids become `D1`, `D2`, … (in order of the donor list) everywhere
//!   they are referred to;
//! - every calendar date is shifted by one per-patient offset (1–365 days
//!   earlier or later, also keyed), so intervals and day-after-transplant
//!   numbers are exact;
//! - the year of birth moves with the dates (whole years) and ages over 89
//!   are aggregated to 90;
//! - donors' years of birth move the same way, and a donor over 89 is
//!   aggregated to 90 like the patient (donors are often relatives);
//! - free text that may hold names, numbers or unshifted dates is removed
//!   ([`scrub`]): optional free-text fields are dropped, required ones keep
//!   a value only when it is a word of a controlled list (biopsy sites,
//!   infection syndromes, causes of death, therapy intents), else they read
//!   [`REMOVED`]; coded fields (enumerations, ISCN karyotypes, genes and
//!   variants, HLA match, ABO, HCT-CI codes, drug names and dose units, which
//!   the grading needs) are kept. docs/store.md lists every field.

use std::collections::HashMap;

use graftwatch_core::Date;
use graftwatch_course::{Course, EventDetail};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::hashing::hmac_hex;

/// Keys whose values are free text or accession numbers: removed.
const FREE_TEXT: &[&str] = &["note", "sample", "description"];

/// What a required free-text field reads after de-identification when its
/// value is not a word of the field's controlled list.
pub const REMOVED: &str = "removed in de-identification";

/// Biopsy sites kept as written (lower case, trimmed); the upper-GI ones
/// date MAGIC's upper-GI stage.
const SITES: &[&str] = &[
    "skin",
    "colon",
    "rectum",
    "sigmoid",
    "ileum",
    "terminal ileum",
    "small bowel",
    "large bowel",
    "gut",
    "lower gi",
    "upper gi",
    "stomach",
    "gastric",
    "duodenum",
    "oesophagus",
    "esophagus",
    "liver",
    "lung",
    "marrow",
    "bone marrow",
    "oral mucosa",
    "kidney",
];

/// Infection syndromes kept as written.
const SYNDROMES: &[&str] = &[
    "septic shock",
    "sepsis",
    "bacteraemia",
    "bacteremia",
    "pneumonia",
    "febrile neutropenia",
    "neutropenic fever",
    "fever",
    "colitis",
    "typhlitis",
    "enterocolitis",
    "cellulitis",
    "meningitis",
    "encephalitis",
    "urinary tract infection",
    "line infection",
    "catheter infection",
    "cmv reactivation",
    "cmv disease",
    "ebv reactivation",
    "invasive fungal infection",
    "invasive aspergillosis",
    "viral infection",
    "bacterial infection",
    "fungal infection",
];

/// Causes of death kept as written (a cause naming CRS or ICANS keeps that
/// word, which the grading attributes).
const CAUSES: &[&str] = &[
    "relapse",
    "progression",
    "disease progression",
    "gvhd",
    "acute gvhd",
    "chronic gvhd",
    "infection",
    "sepsis",
    "septic shock",
    "graft failure",
    "organ failure",
    "multi-organ failure",
    "haemorrhage",
    "hemorrhage",
    "vod",
    "sos",
    "veno-occlusive disease",
    "crs",
    "icans",
    "toxicity",
    "other",
    "unknown",
];

/// Chemotherapy intents kept as written.
const INTENTS: &[&str] = &[
    "induction",
    "reinduction",
    "re-induction",
    "consolidation",
    "salvage",
    "maintenance",
    "bridging",
    "palliative",
];

/// `value` when it is a word of `list` (case and surrounding spaces
/// ignored), else `None`.
fn controlled(value: &str, list: &[&str]) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    list.contains(&v.as_str()).then(|| value.trim().to_string())
}

fn controlled_or_removed(value: &mut String, list: &[&str]) {
    *value = controlled(value, list).unwrap_or_else(|| REMOVED.into());
}

/// Removes every free-text field that is not from a controlled list (see
/// the module documentation); event ids become `E1`, `E2`, … .
pub fn scrub(course: &mut Course) {
    course.illustrative = None;
    course.patient.diagnosis.description = None;
    let mut n = 0;
    for e in &mut course.events {
        e.note = None;
        if e.id.is_some() {
            n += 1;
            e.id = Some(format!("E{n}"));
        }
        match &mut e.detail {
            EventDetail::Chemotherapy {
                regimen, intent, ..
            } => {
                *regimen = REMOVED.into();
                *intent = intent.as_deref().and_then(|i| controlled(i, INTENTS));
            }
            EventDetail::Lymphodepletion { regimen, .. }
            | EventDetail::Conditioning { regimen, .. } => *regimen = REMOVED.into(),
            EventDetail::CarTInfusion {
                target, product, ..
            } => {
                *target = REMOVED.into();
                *product = REMOVED.into();
            }
            EventDetail::IcuStay { reason } => *reason = None,
            EventDetail::Infection { syndrome, organism } => {
                controlled_or_removed(syndrome, SYNDROMES);
                *organism = None;
            }
            EventDetail::Biopsy { site, .. } => controlled_or_removed(site, SITES),
            EventDetail::Death { cause } => {
                let kept = controlled(cause, CAUSES).or_else(|| {
                    let named: Vec<&str> =
                        graftwatch_grading::extract::outcome::attribute_cause(cause)
                            .iter()
                            .map(|t| match t {
                                graftwatch_grading::extract::outcome::ToxicityDeath::Crs => "CRS",
                                graftwatch_grading::extract::outcome::ToxicityDeath::Icans => {
                                    "ICANS"
                                }
                            })
                            .collect();
                    (!named.is_empty()).then(|| named.join(", "))
                });
                *cause = kept.unwrap_or_else(|| REMOVED.into());
            }
            EventDetail::GraftInfusion { .. }
            | EventDetail::Dli { .. }
            | EventDetail::Transfusion { .. }
            | EventDetail::Drug { .. }
            | EventDetail::OxygenSupport { .. } => {}
        }
    }
    for o in &mut course.observations {
        o.note = None;
        o.sample = None;
        o.assay = None;
    }
}

/// The pseudonym of a patient id under `key`.
pub fn pseudonym(key: &[u8], patient: &str) -> String {
    format!(
        "P-{}",
        &hmac_hex(key, &[b"deid-patient", patient.as_bytes()])[..12]
    )
}

/// The date offset of a patient under `key`: ±1..=365 days.
pub fn date_offset(key: &[u8], patient: &str) -> i32 {
    let h = hmac_hex(key, &[b"deid-offset", patient.as_bytes()]);
    let n = u32::from_str_radix(&h[..8], 16).unwrap_or(0);
    let days = (n % 365) as i32 + 1;
    if n & 0x8000_0000 != 0 { -days } else { days }
}

fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = s[..4].parse().ok()?;
    let m = s[5..7].parse().ok()?;
    let d = s[8..].parse().ok()?;
    Date::from_ymd(y, m, d).ok()
}

fn walk(v: &mut Value, key: Option<&str>, offset: i32, donors: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(d) = parse_date(s) {
                *s = d.add_days(offset).to_string();
            } else if matches!(key, Some("id" | "donor" | "person" | "donors"))
                && let Some(n) = donors.get(s.as_str())
            {
                *s = n.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| walk(x, key, offset, donors)),
        Value::Object(o) => {
            o.retain(|k, _| !FREE_TEXT.contains(&k.as_str()));
            for (k, x) in o.iter_mut() {
                walk(x, Some(k), offset, donors);
            }
        }
        _ => {}
    }
}

/// A year of birth moved by `shift` years; an age over 89 in the course's
/// first year is aggregated to 90.
fn birth_year(year: i32, shift: i32, first: Option<i32>) -> i32 {
    let y = year + shift;
    match first {
        Some(f) if f - y > 89 => f - 90,
        _ => y,
    }
}

/// The de-identified copy of a course under `key`.
pub fn deidentify(course: &Course, key: &[u8]) -> Result<Course> {
    let id = course.patient.id.0.as_str();
    let offset = date_offset(key, id);
    let donors: HashMap<String, String> = course
        .donors
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.0.clone(), format!("D{}", i + 1)))
        .collect();
    let mut v = serde_json::to_value(course).map_err(|e| StoreError::Invalid(e.to_string()))?;
    walk(&mut v, None, offset, &donors);
    let mut out: Course = serde_json::from_value(v)
        .map_err(|e| StoreError::Invalid(format!("de-identified course: {e}")))?;
    out.patient.id.0 = pseudonym(key, id);
    scrub(&mut out);
    let shift_years = (f64::from(offset) / 365.25).round() as i32;
    let first = out.span().map(|(first, _)| first.year());
    out.patient.birth_year = birth_year(out.patient.birth_year, shift_years, first);
    for d in &mut out.donors {
        d.birth_year = d.birth_year.map(|y| birth_year(y, shift_years, first));
    }
    out.sort();
    Ok(out)
}

impl crate::store::Store {
    /// The secret used for pseudonyms and date offsets (derived from the
    /// audit key, so it never lives in the database).
    pub fn deidentification_key(&self) -> Vec<u8> {
        hmac_hex(&self.key, &[b"graftwatch de-identification"]).into_bytes()
    }
}

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
//! - free text that may hold names or numbers is removed: notes, sample
//!   ids, diagnosis descriptions.

use std::collections::HashMap;

use graftwatch_core::Date;
use graftwatch_course::Course;
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::hashing::hmac_hex;

/// Keys whose values are free text or accession numbers: removed.
const FREE_TEXT: &[&str] = &["note", "sample", "description"];

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
    let shift_years = (f64::from(offset) / 365.25).round() as i32;
    out.patient.birth_year += shift_years;
    if let Some((first, _)) = out.span()
        && first.year() - out.patient.birth_year > 89
    {
        out.patient.birth_year = first.year() - 90;
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

//! Checks on the raw JSON value, before the typed parse.
//!
//! Events flatten their kind-specific fields (`#[serde(flatten)]`), so serde
//! silently ignores misspelt keys there. This pass checks every event's keys
//! against [`crate::event_fields`] and names the accepted keys. It also
//! checks the type of each observation's `value` (an untagged enum, whose
//! serde message would not say what was expected).

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::event_fields::{AGENT_KEYS, FieldType, accepted_event_keys, event_fields};
use crate::json_lines::LazyJsonLines;

/// Diagnostics for unknown keys in `$.events[*]` (and their `agents`).
/// Events without a known `kind` are left to the typed parse, which reports
/// the unknown kind with the accepted ones.
pub fn check_event_keys(doc: &Value, file: &Path, lines: &LazyJsonLines) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(events) = doc.get("events").and_then(Value::as_array) else {
        return out;
    };
    for (i, ev) in events.iter().enumerate() {
        let Some(obj) = ev.as_object() else { continue };
        let Some(kind) = obj.get("kind").and_then(Value::as_str) else {
            continue;
        };
        let Some(accepted) = accepted_event_keys(kind) else {
            continue;
        };
        for key in obj.keys() {
            if !accepted.contains(&key.as_str()) {
                out.push(json_error(
                    file,
                    lines,
                    format!("$.events[{i}].{key}"),
                    key,
                    None,
                    format!(
                        "'{key}' is not a field of an event of kind '{kind}'; accepted fields: {}",
                        accepted.join(", ")
                    ),
                ));
            }
        }
        let has_agents =
            event_fields(kind).is_some_and(|f| f.iter().any(|s| s.ty == FieldType::Agents));
        if !has_agents {
            continue;
        }
        for (j, a) in obj
            .get("agents")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for key in a.as_object().into_iter().flat_map(|o| o.keys()) {
                if !AGENT_KEYS.contains(&key.as_str()) {
                    out.push(json_error(
                        file,
                        lines,
                        format!("$.events[{i}].agents[{j}].{key}"),
                        key,
                        None,
                        format!(
                            "'{key}' is not a field of an agent; accepted fields: {}",
                            AGENT_KEYS.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Diagnostics for observation values that are neither a number, a boolean
/// nor a string (null, arrays, objects).
pub fn check_observation_values(
    doc: &Value,
    file: &Path,
    lines: &LazyJsonLines,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(obs) = doc.get("observations").and_then(Value::as_array) else {
        return out;
    };
    for (i, o) in obs.iter().enumerate() {
        let Some(v) = o.get("value") else { continue };
        if matches!(v, Value::Number(_) | Value::Bool(_) | Value::String(_)) {
            continue;
        }
        out.push(json_error(
            file,
            lines,
            format!("$.observations[{i}].value"),
            "value",
            Some(v.to_string()),
            "a number, true/false or a category name (a missing value is left out, not null)"
                .into(),
        ));
    }
    out
}

/// An error at the JSON `path` (with its line in the file) about `field`.
fn json_error(
    file: &Path,
    lines: &LazyJsonLines,
    path: String,
    field: &str,
    value: Option<String>,
    expected: String,
) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.to_path_buf(),
        location: Location::JsonPath {
            line: lines.line_of(&path),
            path,
        },
        field: Some(field.to_string()),
        value,
        expected,
    }
}

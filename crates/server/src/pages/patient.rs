//! Page 2, the patient page: the course figure and endpoint table of the
//! report, the alerts with their evidence, the DLI decision trail and the
//! revision history with what each revision added or changed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Extension, Path, State};
use axum::response::Html;
use graftwatch_course::{Course, Event, Observation};
use graftwatch_report::embed::{
    alerts_fragment, dli_fragment, endpoints_fragment, figure_fragment,
};
use graftwatch_report::{AlertConfig, Analysis};
use graftwatch_store::{Channel, RevisionMeta, Store};

use crate::app::AppState;
use crate::auth::Identity;
use crate::error::PageError;
use crate::roles::Permission;
use crate::templates::{Chrome, render};

/// Revisions shown with their differences (newest first).
pub const HISTORY_SHOWN: usize = 10;
/// Lines of difference shown per revision.
pub const DIFF_LINES: usize = 40;

/// The patient page.
#[derive(Template)]
#[template(path = "pages/patient.html")]
pub struct PatientPage {
    /// Layout.
    pub chrome: Chrome,
    /// Patient id.
    pub patient: String,
    /// Latest revision.
    pub rev: i64,
    /// Alerts (HTML fragment from the report library).
    pub alerts_html: String,
    /// The figure (HTML fragment).
    pub figure_html: String,
    /// The endpoint table (HTML fragment).
    pub endpoints_html: String,
    /// The DLI decision trail (HTML fragment).
    pub dli_html: String,
    /// Revision history, newest first.
    pub history: Vec<RevisionView>,
    /// Revisions not shown.
    pub older: usize,
    /// May enter findings.
    pub can_enter: bool,
    /// May upload lab results.
    pub can_lab: bool,
}

/// One revision with its difference to the previous one.
pub struct RevisionView {
    /// Metadata.
    pub meta: RevisionMeta,
    /// Lines: `+ …` added, `− …` removed.
    pub lines: Vec<String>,
    /// More lines not shown.
    pub more: usize,
}

/// One record as a line: date, kind, value and qualifiers.
fn obs_line(o: &Observation) -> String {
    // In words: the kind's label, the value rounded as people write it
    // (9.0216 g/dL is 9.022), the unit's symbol (°C, not UCUM's Cel).
    let value = match &o.value {
        graftwatch_course::ObsValue::Number(v) => super::dashboard::trim_num(*v),
        other => other.to_string(),
    };
    let value = match o.unit {
        Some(u) => u.with_value(value),
        None => value,
    };
    let mut s = format!("{} {} {value}", o.date, o.kind.label());
    for q in [
        o.lineage.map(|l| l.label().to_string()),
        o.person.as_ref().map(|p| p.to_string()),
        o.attribution
            .and_then(|a| serde_json::to_value(a).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        o.sample.as_deref().map(str::to_string),
    ]
    .into_iter()
    .flatten()
    {
        s.push_str(" · ");
        s.push_str(&q);
    }
    s
}

fn event_line(e: &Event) -> String {
    let end = e.end_date.map(|d| format!(" to {d}")).unwrap_or_default();
    format!("{}{end} {}", e.date, e.detail.kind().replace('_', " "))
}

/// The records of `new` not in `old` (`+`) and of `old` not in `new` (`−`),
/// as multisets.
pub fn diff_lines(old: Option<&Course>, new: Option<&Course>) -> Vec<String> {
    let recs = |c: Option<&Course>| -> Vec<(String, String)> {
        let Some(c) = c else { return Vec::new() };
        let key = |v: serde_json::Result<String>| v.unwrap_or_default();
        c.events
            .iter()
            .map(|e| (key(serde_json::to_string(e)), event_line(e)))
            .chain(
                c.observations
                    .iter()
                    .map(|o| (key(serde_json::to_string(o)), obs_line(o))),
            )
            .collect()
    };
    let (a, b) = (recs(old), recs(new));
    let mut count: HashMap<&str, i64> = HashMap::new();
    for (k, _) in &a {
        *count.entry(k).or_default() += 1;
    }
    let mut added = Vec::new();
    for (k, line) in &b {
        match count.get_mut(k.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => added.push(format!("+ {line}")),
        }
    }
    let mut left: HashMap<&str, i64> = HashMap::new();
    for (k, _) in &b {
        *left.entry(k).or_default() += 1;
    }
    let mut removed = Vec::new();
    for (k, line) in &a {
        match left.get_mut(k.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => removed.push(format!("− {line}")),
        }
    }
    removed.extend(added);
    removed
}

fn history(
    s: &Store,
    actor: &graftwatch_store::Actor,
    patient: &str,
) -> Result<(Vec<RevisionView>, usize), graftwatch_store::StoreError> {
    let metas = s.history(actor, patient)?;
    let older = metas.len().saturating_sub(HISTORY_SHOWN);
    let shown: Vec<RevisionMeta> = metas.into_iter().rev().take(HISTORY_SHOWN).collect();
    let read = |rev: i64| {
        if rev < 1 {
            return None;
        }
        s.course_at(actor, patient, Some(rev)).ok().map(|(c, _)| c)
    };
    let mut out = Vec::new();
    let mut newer: Option<(i64, Option<Course>)> = None;
    for m in shown {
        let this = match newer.take() {
            Some((r, c)) if r == m.rev => c,
            _ => read(m.rev),
        };
        let prev = read(m.rev - 1);
        let mut lines = diff_lines(prev.as_ref(), this.as_ref());
        let more = lines.len().saturating_sub(DIFF_LINES);
        lines.truncate(DIFF_LINES);
        out.push(RevisionView {
            meta: m.clone(),
            lines,
            more,
        });
        newer = Some((m.rev - 1, prev));
    }
    Ok((out, older))
}

/// `GET /patients/{id}`.
pub async fn patient(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
) -> Result<Html<String>, PageError> {
    let pid = super::check_id(&pid)?;
    let (course, rev) = super::load_course(&state, &id, &pid).await?;
    let actor = id.actor(Channel::Web);
    let p = pid.clone();
    let (history, older) = state.db(move |s: &Store| history(s, &actor, &p)).await?;
    let (alerts_html, figure_html, endpoints_html, dli_html) =
        tokio::task::spawn_blocking(move || {
            let a = Analysis::for_course(&course, &AlertConfig::default());
            (
                alerts_fragment(&a),
                figure_fragment(&course, &a),
                endpoints_fragment(&a),
                dli_fragment(&a),
            )
        })
        .await
        .map_err(|e| crate::error::AppError::Internal(format!("analysis task: {e}")))?;
    let page = PatientPage {
        chrome: Chrome::for_identity(&id, "/ward"),
        patient: pid,
        rev,
        alerts_html,
        figure_html,
        endpoints_html,
        dli_html,
        history,
        older,
        can_enter: Permission::EnterFindings.allows(Some(id.role)),
        can_lab: Permission::LabResults.allows(Some(id.role)),
    };
    Ok(Html(render(&page)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use graftwatch_core::{Analyte, Date};

    #[test]
    fn diff_names_added_and_removed_records() {
        let json = include_str!("../../../../examples/seed-case/course.json");
        let c = graftwatch_course::io::read_json_str(json, std::path::Path::new("c.json"))
            .unwrap()
            .course;
        let mut n = c.clone();
        let d: Date = "2024-09-01".parse().unwrap();
        n.observations.push(Observation::lab(d, Analyte::Anc, 1.5));
        let removed = n.observations.remove(0);
        let lines = diff_lines(Some(&c), Some(&n));
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("− ") && lines[0].contains(removed.kind.label()));
        assert_eq!(lines[1], "+ 2024-09-01 ANC 1.5 ×10⁹/L");
        assert!(diff_lines(Some(&c), Some(&c)).is_empty());
        assert_eq!(
            diff_lines(None, Some(&c)).len(),
            c.events.len() + c.observations.len()
        );
    }
}

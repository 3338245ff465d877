//! Page 3, bedside entry: a day's findings with the organ stages and the
//! grade previewed live as values are typed (htmx posts the form to the
//! preview endpoint, which answers a fragment), units selectable, problems
//! shown next to the field they belong to, and saving as one revision
//! (an audited append). The preview and the save share one path:
//! `graftwatch_grading::preview::preview_day` — the course crate's
//! validation and the engine of `grade --on`.

use askama::Template;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use graftwatch_core::Date;
use graftwatch_course::{Course, DrugClass, Event, EventDetail, OxygenDevice, Severity};
use graftwatch_criteria::bsa::BsaChart;
use graftwatch_grading::GradingConfig;
use graftwatch_grading::preview::{DayDraft, DayPreview, DaySnapshot, preview_day};
use graftwatch_store::{Channel, Delta, Store};
use serde::Deserialize;

use super::fields::{
    FIELDS, FormMap, Input, NO_FINDINGS, VASOPRESSORS, bsa_from_form, bsa_inputs, draft_values,
};
use super::wording::{clinical_text, grade_words};
use crate::app::AppState;
use crate::auth::Identity;
use crate::error::{AppError, PageError};
use crate::templates::{Chrome, render};

/// Oxygen devices offered (value, label).
pub const OXYGEN: [(&str, &str); 6] = [
    ("nasal_cannula", "low-flow nasal cannula"),
    ("high_flow_nasal_cannula", "high-flow nasal cannula"),
    ("facemask", "facemask"),
    ("non_rebreather", "non-rebreather mask"),
    ("cpap", "CPAP"),
    ("mechanical_ventilation", "mechanical ventilation"),
];

/// One field as drawn.
pub struct FieldView {
    /// Form name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Group heading (shown when it changes).
    pub group: &'static str,
    /// First field of its group.
    pub group_start: bool,
    /// Number input.
    pub number: bool,
    /// Yes/no select.
    pub yes_no: bool,
    /// Units to choose from.
    pub units: Vec<&'static str>,
    /// Categories (value, label in clinical words).
    pub choices: Vec<(&'static str, String)>,
    /// Name of the organ's attribution select, shown on the organ's first field.
    pub attribution: Option<&'static str>,
    /// The attribution select is the CRS one (other wording).
    pub crs: bool,
}

fn field_views() -> Vec<FieldView> {
    let mut out: Vec<FieldView> = Vec::new();
    let mut seen_attr: Vec<&str> = Vec::new();
    for f in FIELDS {
        let group_start = out.last().is_none_or(|p| p.group != f.group);
        let attribution = f
            .organ
            .attribution_field()
            .filter(|a| !seen_attr.contains(a));
        if let Some(a) = attribution {
            seen_attr.push(a);
        }
        out.push(FieldView {
            name: f.name,
            label: f.label,
            group: f.group,
            group_start,
            number: f.input() == Input::Number,
            yes_no: f.input() == Input::YesNo,
            units: f.units(),
            choices: f
                .choices()
                .into_iter()
                .map(|c| (c, super::fields::choice_label(c)))
                .collect(),
            attribution,
            crs: f.organ == super::fields::Organ::Crs,
        });
    }
    out
}

/// The entry page.
#[derive(Template)]
#[template(path = "pages/entry.html")]
pub struct EntryPage {
    /// Layout.
    pub chrome: Chrome,
    /// Patient.
    pub patient: String,
    /// Revision the entry is based on.
    pub base_rev: i64,
    /// Day.
    pub date: String,
    /// Fields.
    pub fields: Vec<FieldView>,
    /// No-findings boxes (name, label).
    pub no_findings: Vec<(&'static str, &'static str)>,
    /// BSA helper inputs (name, label, share of the body %).
    pub bsa: Vec<(String, String, f64)>,
    /// BSA chart used.
    pub bsa_chart: String,
    /// Oxygen devices.
    pub oxygen: [(&'static str, &'static str); 6],
    /// Vasopressors (form value).
    pub vasopressors: [&'static str; 5],
    /// Preview already computed (after a refused save).
    pub preview_html: String,
}

/// The preview fragment.
#[derive(Template)]
#[template(path = "pages/entry_preview.html")]
pub struct PreviewFragment {
    /// Day.
    pub date: String,
    /// Day +N.
    pub rel: String,
    /// Before.
    pub before: SnapshotView,
    /// After.
    pub after: SnapshotView,
    /// BSA helper result.
    pub bsa_text: Option<String>,
    /// Problems not tied to a field of the form.
    pub other_problems: Vec<String>,
    /// Per-field problem messages for the out-of-band swaps (name, message, is error).
    pub field_msgs: Vec<(String, String, bool)>,
    /// Number of values that will be saved.
    pub accepted: usize,
    /// Whether saving is possible.
    pub can_save: bool,
}

/// A snapshot as shown.
pub struct SnapshotView {
    /// MAGIC grade.
    pub magic: String,
    /// Organ stages (organ, stage).
    pub organs: Vec<(&'static str, String)>,
    /// CRS / ICANS lines.
    pub cart: Vec<String>,
    /// The engine's reasons.
    pub reasons: Vec<String>,
}

fn stage(s: Option<u8>) -> String {
    s.map_or_else(|| "not staged".to_string(), |v| v.to_string())
}

fn snapshot_view(s: &DaySnapshot) -> SnapshotView {
    let magic = match s.entry(graftwatch_grading::Criterion::Agvhd, "magic") {
        Some(e) => match (&e.grade, e.assessed_on) {
            (Some(g), Some(d)) => format!("{} (assessed {d})", grade_words(g)),
            (Some(g), None) => grade_words(g),
            (None, _) => clinical_text(&format!("not yet gradable: {}", e.missing.join("; "))),
        },
        None => "no acute GVHD assessment".into(),
    };
    let organs = match &s.agvhd_organs {
        Some(o) => vec![
            ("skin", stage(o.skin)),
            ("liver", stage(o.liver)),
            ("upper GI", stage(o.upper_gi)),
            ("lower GI", stage(o.lower_gi)),
        ],
        None => Vec::new(),
    };
    let cart = s
        .entries
        .iter()
        .filter(|e| e.criterion != graftwatch_grading::Criterion::Agvhd)
        .map(|e| {
            let name = e.criterion.as_str().to_uppercase();
            match &e.grade {
                Some(g) => format!("{name} {}", grade_words(g)),
                None => clinical_text(&format!(
                    "{name} not yet gradable: {}",
                    e.missing.join("; ")
                )),
            }
        })
        .collect();
    let reasons = s.reasons.iter().map(|r| clinical_text(&r.reason)).collect();
    SnapshotView {
        magic,
        organs,
        cart,
        reasons,
    }
}

/// Query of the form page.
#[derive(Debug, Default, Deserialize)]
pub struct EntryQuery {
    /// Day (default today).
    #[serde(default)]
    pub date: Option<String>,
}

fn chart_for(course: &Course, date: Date) -> BsaChart {
    let age = (date.year() - course.patient.birth_year).max(0) as u32;
    BsaChart::for_age(age)
}

fn page(
    patient: String,
    base_rev: i64,
    date: Date,
    chart: BsaChart,
    id: &Identity,
    preview_html: String,
) -> EntryPage {
    EntryPage {
        chrome: Chrome::for_identity(id, "/ward"),
        patient,
        base_rev,
        date: date.to_string(),
        fields: field_views(),
        no_findings: NO_FINDINGS.iter().map(|(n, _, l)| (*n, *l)).collect(),
        bsa: bsa_inputs(chart),
        bsa_chart: chart.label(),
        oxygen: OXYGEN,
        vasopressors: VASOPRESSORS,
        preview_html,
    }
}

/// `GET /patients/{id}/entry`.
pub async fn form(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
    Query(q): Query<EntryQuery>,
) -> Result<Html<String>, PageError> {
    let pid = super::check_id(&pid)?;
    let date = super::today_or(q.date.as_deref())?;
    let (course, rev) = super::load_course(&state, &id, &pid).await?;
    let chart = chart_for(&course, date);
    Ok(Html(render(&page(
        pid,
        rev,
        date,
        chart,
        &id,
        String::new(),
    ))))
}

fn oxygen_event(m: &FormMap, date: Date) -> Result<Option<Event>, String> {
    let Some(dev) = m
        .get("oxygen_device")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let device: OxygenDevice = serde_json::from_value(serde_json::Value::String(dev.into()))
        .map_err(|_| format!("oxygen device '{dev}' is not one of the listed devices"))?;
    let flow = match m
        .get("oxygen_flow")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(f) => Some(
            f.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (0.0..=80.0).contains(v))
                .ok_or_else(|| format!("oxygen flow '{f}': expected L/min from 0 to 80"))?,
        ),
    };
    Ok(Some(Event {
        id: None,
        date,
        time: None,
        end_date: Some(date),
        note: None,
        detail: EventDetail::OxygenSupport {
            device,
            flow_l_min: flow,
        },
    }))
}

/// The vasopressors ticked on the form (`vaso_<name>`), as drug events of
/// the day (class `vasopressor`, active that day only).
fn vasopressor_events(m: &FormMap, date: Date) -> Vec<Event> {
    VASOPRESSORS
        .iter()
        .filter(|n| {
            m.get(&format!("vaso_{n}"))
                .is_some_and(|v| !v.trim().is_empty())
        })
        .map(|n| Event {
            id: None,
            date,
            time: None,
            end_date: Some(date),
            note: None,
            detail: EventDetail::Drug {
                name: (*n).to_string(),
                class: DrugClass::Vasopressor,
                dose: None,
                dose_unit: None,
            },
        })
        .collect()
}

/// Everything the preview and the save compute from a submitted form.
struct Evaluated {
    preview: DayPreview,
    bsa_text: Option<String>,
    other: Vec<String>,
}

fn evaluate(course: &Course, m: &FormMap) -> Result<Evaluated, AppError> {
    let date_text = m.get("date").map(String::as_str).unwrap_or("").trim();
    let date: Date = date_text.parse().map_err(|_| {
        AppError::Invalid(format!(
            "field 'date': '{date_text}' is not a date (YYYY-MM-DD)"
        ))
    })?;
    let chart = chart_for(course, date);
    let mut other = Vec::new();
    other.extend(super::after_today(date, "field 'date'", "findings"));
    let (bsa_total, bsa_text) = match bsa_from_form(m, chart) {
        Ok(Some((t, text))) => (Some(t), Some(text)),
        Ok(None) => (None, None),
        Err(e) => {
            other.push(format!("body surface area helper: {e}"));
            (None, None)
        }
    };
    let mut events: Vec<Event> = match oxygen_event(m, date) {
        Ok(e) => e.into_iter().collect(),
        Err(e) => {
            other.push(e);
            Vec::new()
        }
    };
    events.extend(vasopressor_events(m, date));
    let draft = DayDraft {
        date,
        values: draft_values(m, bsa_total),
        events,
    };
    let preview = preview_day(course, &draft, &GradingConfig::default());
    Ok(Evaluated {
        preview,
        bsa_text,
        other,
    })
}

fn label_of(field: &str) -> String {
    FIELDS
        .iter()
        .find(|f| f.name == field)
        .map(|f| f.label.to_string())
        .or_else(|| {
            NO_FINDINGS
                .iter()
                .find(|n| n.0 == field)
                .map(|n| n.2.to_string())
        })
        .unwrap_or_else(|| field.to_string())
}

fn fragment(e: &Evaluated) -> String {
    let p = &e.preview;
    let field_msgs = FIELDS
        .iter()
        .map(|f| {
            let msgs: Vec<&graftwatch_grading::preview::FieldProblem> =
                p.problems.iter().filter(|x| x.field == f.name).collect();
            let text = msgs
                .iter()
                .map(|x| {
                    let v = x
                        .value
                        .as_deref()
                        .map(|v| format!("'{v}': "))
                        .unwrap_or_default();
                    format!("{}: {v}expected {}", label_of(&x.field), x.expected)
                })
                .collect::<Vec<_>>()
                .join("; ");
            let err = msgs.iter().any(|x| x.severity == Severity::Error);
            (f.name.to_string(), text, err)
        })
        .collect();
    let mut other = e.other.clone();
    for x in p
        .problems
        .iter()
        .filter(|x| !FIELDS.iter().any(|f| f.name == x.field))
    {
        other.push(format!("{}: expected {}", label_of(&x.field), x.expected));
    }
    let frag = PreviewFragment {
        date: p.date.to_string(),
        rel: p
            .rel
            .as_ref()
            .map(|r| format!("{} day {:+}", r.anchor, r.day.get()))
            .unwrap_or_default(),
        before: snapshot_view(&p.before),
        after: snapshot_view(&p.after),
        bsa_text: e.bsa_text.clone(),
        can_save: !p.has_errors() && e.other.is_empty() && !p.accepted.is_empty(),
        other_problems: other,
        field_msgs,
        accepted: p.accepted.len() + p.events.len(),
    };
    render(&frag)
}

/// `POST /patients/{id}/entry/preview` (htmx): the preview fragment.
pub async fn preview(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
    Form(m): Form<FormMap>,
) -> Result<Html<String>, PageError> {
    let pid = super::check_id(&pid)?;
    let (course, _) = super::load_course(&state, &id, &pid).await?;
    let html = tokio::task::spawn_blocking(move || evaluate(&course, &m).map(|e| fragment(&e)))
        .await
        .map_err(|e| AppError::Internal(format!("preview task: {e}")))?;
    // htmx swaps only successful answers: a form problem is shown in place.
    match html {
        Ok(h) => Ok(Html(h)),
        Err(AppError::Invalid(m)) => Ok(Html(format!(
            "<p class=\"error\" id=\"preview-status\" role=\"alert\">{}</p>",
            graftwatch_report::escape(&m)
        ))),
        Err(e) => Err(e.into()),
    }
}

/// `POST /patients/{id}/entry`: saves the day as one revision (an append
/// based on the revision the form was opened at), or shows the form again
/// with the problems.
pub async fn save(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
    headers: axum::http::HeaderMap,
    Form(m): Form<FormMap>,
) -> Result<Response, PageError> {
    // Saved from the page with htmx: errors and conflicts come back as the
    // preview fragment, so the typed values stay in the form.
    let htmx = headers.contains_key("hx-request");
    let pid = super::check_id(&pid)?;
    let base: i64 = m
        .get("base_rev")
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| AppError::Invalid("field 'base_rev' is missing: reload the form".into()))?;
    let (course, head) = super::load_course(&state, &id, &pid).await?;
    let m2 = m.clone();
    let c2 = course.clone();
    let mut e = tokio::task::spawn_blocking(move || evaluate(&c2, &m2))
        .await
        .map_err(|e| AppError::Internal(format!("entry task: {e}")))??;
    // Values already in the course (the form saved twice, a reload) are
    // not added again, as in the API.
    let fresh = crate::api::added_observations(&course.observations, e.preview.accepted.clone());
    // (A form based on an older revision is a conflict first.)
    if base == head
        && !e.preview.accepted.is_empty()
        && fresh.is_empty()
        && e.preview.events.is_empty()
    {
        e.other
            .push("every value is already in the course (saved before): nothing to save".into());
    }
    let p = &e.preview;
    if htmx && base != head && (!p.has_errors() && e.other.is_empty()) {
        return Ok(conflict_fragment(base, head));
    }
    if p.has_errors() || !e.other.is_empty() || p.accepted.is_empty() {
        if htmx {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(fragment(&e))).into_response());
        }
        let chart = chart_for(&course, p.date);
        let html = render(&page(pid, base, p.date, chart, &id, fragment(&e)));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let delta = Delta {
        events: p.events.clone(),
        observations: fresh,
    };
    let actor = id.actor(Channel::Web);
    let p2 = pid.clone();
    let meta = state
        .db_write(move |s: &Store| s.append(&actor, &p2, base, &delta))
        .await?;
    let to = format!("/patients/{pid}?saved={}#history", meta.rev);
    if htmx {
        let mut r = StatusCode::OK.into_response();
        if let Ok(v) = axum::http::HeaderValue::from_str(&to) {
            r.headers_mut().insert("hx-redirect", v);
        }
        return Ok(r);
    }
    Ok(Redirect::to(&to).into_response())
}

/// The answer to a save based on an older revision, from the page: nothing
/// written, the typed values kept, the form moved to the latest revision
/// (out-of-band) so that saving again applies them on top of it.
fn conflict_fragment(base: i64, head: i64) -> Response {
    let html = format!(
        "<p class=\"error\" role=\"alert\" id=\"conflict\">The patient's course changed while this form was open (it was opened at revision {base}; it is now at revision {head}). Nothing was saved and your values are still in the form: check the revision history on the patient's page (another tab), then save again to add them to revision {head}.</p>\
         <input type=\"hidden\" name=\"base_rev\" id=\"base-rev\" value=\"{head}\" hx-swap-oob=\"true\">"
    );
    (StatusCode::CONFLICT, Html(html)).into_response()
}

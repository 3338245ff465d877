//! Page 1, the ward dashboard: every patient with day +N, latest counts,
//! current acute GVHD grade, CRS/ICANS in the CAR-T window, latest
//! chimerism per lineage and graft, alerts, DLI status; needs attention
//! today first; sort and filter (`graftwatch_store::ward`).

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::response::Html;
use graftwatch_store::ward::{WardFilter, WardRow, WardSort};
use graftwatch_store::{Channel, Store};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::Identity;
use crate::error::{AppError, PageError};
use crate::templates::{Chrome, render};

/// Query of the dashboard.
#[derive(Debug, Default, Deserialize)]
pub struct WardQuery {
    /// Patient id contains.
    #[serde(default)]
    pub q: Option<String>,
    /// Sort: attention (default), patient, day, anc, agvhd.
    #[serde(default)]
    pub sort: Option<String>,
    /// `1`: only patients with alerts.
    #[serde(default)]
    pub alerts: Option<String>,
    /// `1`: only patients who need attention today.
    #[serde(default)]
    pub attention: Option<String>,
    /// View the ward as of this date (default today).
    #[serde(default)]
    pub on: Option<String>,
}

/// The dashboard template.
#[derive(Template)]
#[template(path = "pages/ward.html")]
pub struct WardPage {
    /// Layout.
    pub chrome: Chrome,
    /// Rows.
    pub rows: Vec<RowView>,
    /// As of.
    pub today: String,
    /// Filter text.
    pub q: String,

    /// Alerts only.
    pub alerts_only: bool,
    /// Attention only.
    pub attention_only: bool,
    /// Sort options.
    pub sorts: Vec<SortOpt>,
}

/// A sort option of the select.
pub struct SortOpt {
    /// Query value.
    pub value: &'static str,
    /// Text.
    pub label: &'static str,
    /// Chosen.
    pub selected: bool,
}

/// One row as shown.
pub struct RowView {
    /// The row.
    pub r: WardRow,
    /// Day +N text.
    pub day: String,
    /// ANC text.
    pub anc: String,
    /// Platelets text.
    pub plt: String,
    /// Hb text.
    pub hb: String,
    /// aGVHD text.
    pub agvhd: String,
    /// CRS/ICANS text.
    pub cart: String,
    /// Chimerism lines.
    pub chimerism: Vec<String>,
    /// DLI text.
    pub dli: String,
    /// Whether DLI criteria are met.
    pub dli_met: bool,
}

fn value(v: &Option<graftwatch_store::derive::LatestValue>) -> String {
    v.as_ref()
        .map(|x| format!("{} ({})", trim_num(x.value), x.date))
        .unwrap_or_else(|| "–".into())
}

/// A number without trailing zeros (3 significant decimals at most).
pub(crate) fn trim_num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn view(r: WardRow) -> RowView {
    let day = r
        .day
        .as_ref()
        .map(|(l, d)| format!("{l} day {d:+}"))
        .unwrap_or_else(|| "–".into());
    let agvhd = r
        .agvhd
        .as_ref()
        .map(|g| format!("grade {} ({})", g.grade, g.date))
        .unwrap_or_else(|| "none current".into());
    let cart = [("CRS", &r.crs), ("ICANS", &r.icans)]
        .iter()
        .filter_map(|(n, g)| g.as_ref().map(|g| format!("{n} {} ({})", g.grade, g.date)))
        .collect::<Vec<_>>()
        .join("; ");
    let chimerism = r
        .chimerism
        .iter()
        .map(|c| {
            let shares = c
                .shares
                .iter()
                .map(|s| format!("{} {} %", s.person, trim_num(s.percent)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} {}: {}", c.lineage.replace('_', " "), c.date, shares)
        })
        .collect();
    let (dli, dli_met) = match &r.dli {
        Some(d) if d.criteria_met => (format!("criteria met on {}", d.on), true),
        Some(d) => (format!("not met on {}", d.on), false),
        None => ("not assessed".into(), false),
    };
    RowView {
        day,
        anc: value(&r.anc),
        plt: value(&r.platelets),
        hb: value(&r.hemoglobin),
        agvhd,
        cart: if cart.is_empty() { "–".into() } else { cart },
        chimerism,
        dli,
        dli_met,
        r,
    }
}

fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty() && s != "0")
}

/// `GET /ward`.
pub async fn ward(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Query(q): Query<WardQuery>,
) -> Result<Html<String>, PageError> {
    let today = super::today_or(q.on.as_deref())?;
    let sort_text = q.sort.clone().unwrap_or_default();
    let sort = WardSort::parse(&sort_text).ok_or_else(|| {
        AppError::Invalid(format!(
            "sort '{sort_text}': expected attention, patient, day, anc or agvhd"
        ))
    })?;
    let filter = WardFilter {
        patient: q.q.clone(),
        alerts_only: checked(&q.alerts),
        attention_only: checked(&q.attention),
    };
    let actor = id.actor(Channel::Web);
    let f = filter.clone();
    let rows = state
        .db(move |s: &Store| s.ward(&actor, today, &f, sort))
        .await?;
    let page = WardPage {
        chrome: Chrome::for_identity(&id, "/ward"),
        rows: rows.into_iter().map(view).collect(),
        today: today.to_string(),
        q: q.q.unwrap_or_default(),
        alerts_only: filter.alerts_only,
        attention_only: filter.attention_only,
        sorts: [
            (WardSort::Attention, "attention", "needs attention"),
            (WardSort::Patient, "patient", "patient"),
            (WardSort::Day, "day", "day after day 0"),
            (WardSort::Anc, "anc", "lowest ANC"),
            (WardSort::Agvhd, "agvhd", "acute GVHD grade"),
        ]
        .into_iter()
        .map(|(s, value, label)| SortOpt {
            value,
            label,
            selected: s == sort,
        })
        .collect(),
    };
    Ok(Html(render(&page)))
}

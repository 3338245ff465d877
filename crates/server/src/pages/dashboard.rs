//! Page 1, the ward dashboard: every patient with day +N, latest counts,
//! current acute GVHD grade, CRS/ICANS in the CAR-T window, latest
//! chimerism per lineage and graft, alerts, DLI status; needs attention
//! today first; sort and filter (`graftwatch_store::ward`).

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::response::Html;
use graftwatch_store::ward::{WardFilter, WardRow, WardSort};
use graftwatch_store::{AuditEvent, Channel};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::Identity;
use crate::error::{AppError, PageError};
use crate::templates::{Chrome, render};

use super::ward_cache::{ViewKey, ViewRow, WardCache};

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
    /// Page number (1-based, [`PAGE_SIZE`] rows each).
    #[serde(default)]
    pub page: Option<String>,
}

/// The dashboard template.
#[derive(Template)]
#[template(path = "pages/ward.html")]
pub struct WardPage {
    /// Layout.
    pub chrome: Chrome,
    /// The rows' HTML (each rendered once per view, [`RowTemplate`]).
    pub rows: Vec<String>,
    /// As of.
    pub today: String,
    /// The ward is shown as of an earlier day than today.
    pub earlier_day: bool,
    /// Filter text.
    pub q: String,

    /// Alerts only.
    pub alerts_only: bool,
    /// Attention only.
    pub attention_only: bool,
    /// Sort options.
    pub sorts: Vec<SortOpt>,
    /// Patients matching the filter (all pages).
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// Number of pages.
    pub pages: usize,
    /// Position of the first row shown (1-based; 0 when none).
    pub first: usize,
    /// Position of the last row shown.
    pub last: usize,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

/// One row of the dashboard table (`<tr>…</tr>`), rendered once per
/// row and view and kept with the view (decision S-5).
#[derive(Template)]
#[template(path = "pages/ward_row.html")]
pub struct RowTemplate {
    /// The row.
    pub v: RowView,
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
    /// The alerts active on the day shown ([`ALERT_ACTIVE_DAYS`]).
    pub alerts: Vec<graftwatch_store::derive::AlertLine>,
}

fn value(v: &Option<graftwatch_store::derive::LatestValue>, later_hidden: bool) -> String {
    match v {
        Some(x) => format!("{} ({})", trim_num(x.value), x.date),
        // The latest value is after the day shown; earlier ones are on the
        // patient page.
        None if later_hidden => "later only".into(),
        None => "–".into(),
    }
}

/// A number without trailing zeros (3 significant decimals at most).
pub(crate) fn trim_num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn view(r: WardRow, today: graftwatch_core::Date) -> RowView {
    let day = r
        .day
        .as_ref()
        .map(|(l, d)| format!("{l} day {d:+}"))
        .unwrap_or_else(|| "–".into());
    let agvhd = match (&r.agvhd, &r.agvhd_last) {
        (Some(g), _) => format!("grade {} ({})", g.grade, g.date),
        (None, Some(g)) => format!(
            "no assessment in the last 7 days (last: grade {} on {})",
            g.grade, g.date
        ),
        (None, None) => "none recorded".into(),
    };
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
                .map(|s| {
                    let v = (s.not_detected.clone()).unwrap_or_else(|| trim_num(s.percent.get()));
                    format!("{} {v} %", s.person)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let lineage = c
                .lineage
                .parse::<graftwatch_core::Lineage>()
                .map_or_else(|_| c.lineage.replace('_', " "), |l| l.label().to_string());
            format!("{lineage} {}: {}", c.date, shares)
        })
        .collect();
    let (dli, dli_met) = match &r.dli {
        Some(d) => (d.words(), d.criteria_met),
        None if r.later_values_hidden => ("not known as of this day".into(), false),
        None => ("not assessed".into(), false),
    };
    RowView {
        day,
        anc: value(&r.anc, r.later_values_hidden),
        plt: value(&r.platelets, r.later_values_hidden),
        hb: value(&r.hemoglobin, r.later_values_hidden),
        agvhd,
        cart: if cart.is_empty() { "–".into() } else { cart },
        chimerism,
        dli,
        dli_met,
        alerts: active_alerts(&r.alerts, today),
        r,
    }
}

/// A checkbox or flag parameter: `1`, `on`, `true`, `yes` (or absent,
/// empty, `0`, `off`, `false`, `no`); anything else is refused, naming it.
fn checked(name: &str, v: &Option<String>) -> Result<bool, AppError> {
    match v
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("" | "0" | "off" | "false" | "no") => Ok(false),
        Some("1" | "on" | "true" | "yes") => Ok(true),
        Some(other) => Err(AppError::Invalid(format!(
            "{name} '{other}': expected 1 (on) or 0 (off)"
        ))),
    }
}

/// Rows per dashboard page.
pub const PAGE_SIZE: usize = 50;

/// Days an alert stays in the dashboard's alert column (decision S-3):
/// an alert is *active* on the day shown when it is dated on or before
/// that day and at most this many days earlier — the 14-day window the
/// DLI rules use for recent acute GVHD. Older alerts stay on the patient
/// page (and in the "needs attention" weights, docs/server.md).
pub const ALERT_ACTIVE_DAYS: i32 = 14;

/// The alerts of a row that are active on `today`.
pub fn active_alerts(
    alerts: &[graftwatch_store::derive::AlertLine],
    today: graftwatch_core::Date,
) -> Vec<graftwatch_store::derive::AlertLine> {
    alerts
        .iter()
        .filter(|a| {
            a.date
                .parse::<graftwatch_core::Date>()
                .is_ok_and(|d| d <= today && today.days_since(d).get() <= ALERT_ACTIVE_DAYS)
        })
        .cloned()
        .collect()
}

/// Whether the row has an alert active on `today` (decision S-3).
pub(crate) fn has_active_alert(r: &WardRow, today: graftwatch_core::Date) -> bool {
    r.alerts.iter().any(|a| {
        a.date
            .parse::<graftwatch_core::Date>()
            .is_ok_and(|d| d <= today && today.days_since(d).get() <= ALERT_ACTIVE_DAYS)
    })
}

/// The HTML of one row as of `today`.
fn row_html(r: &WardRow, today: graftwatch_core::Date) -> String {
    render(&RowTemplate {
        v: view(r.clone(), today),
    })
}

fn page_number(q: &WardQuery) -> Result<usize, AppError> {
    match q.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| AppError::Invalid(format!("page '{p}': expected a page number from 1"))),
    }
}

fn sort_options(sort: WardSort) -> Vec<SortOpt> {
    [
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
    .collect()
}

/// The link to page `n` with the same filters, order and date.
fn page_link(q: &WardQuery, f: &WardFilter, today: graftwatch_core::Date, n: usize) -> String {
    let mut qs = vec![
        ("page", n.to_string()),
        ("sort", q.sort.clone().unwrap_or_default()),
        ("on", today.to_string()),
    ];
    if let Some(t) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        qs.push(("q", t.to_string()));
    }
    if f.alerts_only {
        qs.push(("alerts", "1".into()));
    }
    if f.attention_only {
        qs.push(("attention", "1".into()));
    }
    format!(
        "/ward?{}",
        serde_urlencoded::to_string(&qs).unwrap_or_default()
    )
}

/// The rows of one page from `first`, among those whose patient id
/// contains `needle` (case-insensitive; all rows without one), and how
/// many rows match.
fn page_of<'a>(
    rows: &'a [ViewRow],
    needle: Option<&str>,
    first: usize,
) -> (usize, Vec<&'a ViewRow>) {
    let needle = needle.unwrap_or("").trim().to_lowercase();
    if needle.is_empty() {
        let end = (first + PAGE_SIZE).min(rows.len());
        return (
            rows.len(),
            rows.get(first..end).unwrap_or_default().iter().collect(),
        );
    }
    let hits: Vec<&ViewRow> = rows
        .iter()
        .filter(|r| r.row.patient.to_lowercase().contains(&needle))
        .collect();
    let shown = hits.iter().skip(first).take(PAGE_SIZE).copied().collect();
    (hits.len(), shown)
}

/// `GET /ward`: one page of the dashboard (rows from the in-memory ward
/// cache; one audit entry naming the user and the patients shown).
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
    let mut page_no = page_number(&q)?;
    let filter = WardFilter {
        patient: q.q.clone(),
        alerts_only: checked("alerts", &q.alerts)?,
        attention_only: checked("attention", &q.attention)?,
    };
    let key = ViewKey {
        today,
        sort,
        alerts_only: filter.alerts_only,
        attention_only: filter.attention_only,
    };
    let t0 = std::time::Instant::now();
    let all = WardCache::view(&state, key).await?;
    crate::timing::since("ward: cached rows", t0);
    let t0 = std::time::Instant::now();
    let (mut total, mut shown) = page_of(&all.rows, q.q.as_deref(), (page_no - 1) * PAGE_SIZE);
    // A page past the last shows the last one (not "Patients 49901–211").
    let last_page = total.div_ceil(PAGE_SIZE).max(1);
    if page_no > last_page {
        page_no = last_page;
        (total, shown) = page_of(&all.rows, q.q.as_deref(), (page_no - 1) * PAGE_SIZE);
    }
    let first = (page_no - 1) * PAGE_SIZE;
    let ids: Vec<String> = shown.iter().map(|r| r.row.patient.clone()).collect();
    let what = format!(
        "ward dashboard as of {today}, page {page_no} ({} of {total} patients)",
        ids.len()
    );
    crate::timing::since("ward: filter and page", t0);
    let t0 = std::time::Instant::now();
    let rows: Vec<String> = shown
        .iter()
        .map(|r| r.html(|row| row_html(row, today)).to_string())
        .collect();
    crate::timing::since("ward: rows' HTML", t0);
    let t0 = std::time::Instant::now();
    state
        .audit(
            id.actor(Channel::Web),
            AuditEvent::ok("list_patients", ids, what),
        )
        .await?;
    crate::timing::since("ward: audit entry committed", t0);
    let t0 = std::time::Instant::now();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = WardPage {
        chrome: Chrome::for_identity(&id, "/ward"),
        rows,
        today: today.to_string(),
        earlier_day: today < graftwatch_course::date_checks::today(),
        q: q.q.clone().unwrap_or_default(),
        alerts_only: filter.alerts_only,
        attention_only: filter.attention_only,
        total,
        page: page_no,
        pages,
        first: if total == 0 { 0 } else { first + 1 },
        last: (first + PAGE_SIZE).min(total),
        prev: (page_no > 1).then(|| page_link(&q, &filter, today, page_no - 1)),
        next: (page_no < pages).then(|| page_link(&q, &filter, today, page_no + 1)),
        sorts: sort_options(sort),
    };
    let html = render(&page);
    crate::timing::since("ward: render", t0);
    Ok(Html(html))
}

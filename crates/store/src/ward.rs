//! The ward dashboard: every current patient with day +N, the latest ANC,
//! platelets and haemoglobin, the current acute GVHD grade (MAGIC), CRS and
//! ICANS while inside the CAR-T window, the latest chimerism per lineage
//! with the share of each graft, the active alerts and the DLI status —
//! with who needs attention today at the top.
//!
//! The facts are computed with the rest of the derived state
//! ([`crate::derive::compute`] calls [`facts`]) whenever a patient's course
//! changes, and stored in `patient_state`; [`Store::ward`] reads them with
//! the one ward-list query ([`Store::list_patients`], audited once) and only
//! adds what depends on today's date (day +N, the CAR-T window, the order).
//!
//! # Needs attention today
//!
//! Each row gets reasons, each with a weight; rows are ordered by the sum
//! (highest first), then by patient id. The weights are a triage aid, not a
//! clinical score:
//!
//! | reason | weight |
//! |---|---|
//! | an alert dated within [`RECENT_DAYS`] days of today | 4 each |
//! | an older alert | 1 each |
//! | current acute GVHD grade III–IV / II (last graded day within the carry-forward window) | 4 / 3 |
//! | CRS or ICANS grade ≥ 2 on a day inside the CAR-T window | 4 |
//! | ANC < 0.5 ×10⁹/L (latest value within [`RECENT_DAYS`] days) | 2 |
//! | platelets < 20 ×10⁹/L (latest value within [`RECENT_DAYS`] days) | 1 |
//! | the published DLI criteria are met on the last day of the course | 2 |

use graftwatch_core::{Analyte, Date, Lineage, Percent, PersonRef};
use graftwatch_course::{AnchorKind, Course};
use graftwatch_report::Analysis;
use serde::{Deserialize, Serialize};

use crate::derive::{AlertLine, DerivedSummary, DliStatus, LatestValue};
use crate::error::Result;
use crate::store::Store;
use crate::types::Actor;

/// Days back from today in which an alert or a count is "recent".
pub const RECENT_DAYS: i32 = 7;
/// Days after a CAR-T infusion in which CRS and ICANS are shown.
pub const CART_WINDOW_DAYS: i32 = 30;
/// Days a MAGIC grade holds after its last graded day (the engine's default
/// acute-GVHD carry-forward, `agvhd.carry_forward_days`).
pub const AGVHD_CARRY_DAYS: i32 = 7;

/// A grade on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatedGrade {
    /// Date graded.
    pub date: String,
    /// Grade as printed (`II`, `2`).
    pub grade: String,
    /// Numeric level (0 = none).
    pub level: u8,
}

/// One person's share of a chimerism sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareLine {
    /// `recipient` or the donor id (one graft per donor).
    pub person: String,
    /// Per cent of cells (the estimate, also when not detected).
    pub percent: Percent,
    /// When the laboratory did not detect the person: the share as shown,
    /// `< LoD` (`graftwatch_grading::extract::chimerism::shown_share`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_detected: Option<String>,
}

/// The latest chimerism of one lineage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChimerismLine {
    /// Lineage (`whole_blood`, `cd3`, …).
    pub lineage: String,
    /// Date of the sample.
    pub date: String,
    /// Shares per person as recorded.
    pub shares: Vec<ShareLine>,
    /// Total donor %, when known.
    pub donor_percent: Option<Percent>,
}

/// The stored ward facts of a patient (part of the derived state).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WardFacts {
    /// Day 0 the ward counts from: the latest transplant, else the latest
    /// CAR-T infusion (label, date).
    pub day0: Option<(String, String)>,
    /// The latest CAR-T infusion date.
    pub cart_date: Option<String>,
    /// The last MAGIC-graded day.
    pub agvhd: Option<DatedGrade>,
    /// The last CRS-graded day (ASTCT).
    pub crs: Option<DatedGrade>,
    /// The last ICANS-graded day (ASTCT).
    pub icans: Option<DatedGrade>,
    /// The latest chimerism sample of each lineage.
    pub chimerism: Vec<ChimerismLine>,
    /// Primary or secondary graft failure as the engine grades it (its
    /// result in words): a state, kept on the ward while it is the
    /// engine's answer, not an alert that ages out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graft_failure: Option<String>,
}

/// The engine's primary or secondary graft failure, when it is met.
fn graft_failure(a: &Analysis) -> Option<String> {
    a.grades
        .summary
        .iter()
        .filter(|i| i.status == graftwatch_grading::output::ItemStatus::Value)
        .filter(|i| {
            use graftwatch_grading::SummaryKey::{PrimaryGraftFailure, SecondaryGraftFailure};
            matches!(i.key, PrimaryGraftFailure | SecondaryGraftFailure)
        })
        // The item's value names the finding by the item's own key
        // (`{"primary_graft_failure": true, …}`).
        .find(|i| {
            i.value
                .as_ref()
                .and_then(|v| v.get(i.item.as_str()))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
        })
        .map(|i| i.result.clone())
}

fn last_grade(days: &[graftwatch_report::analysis::GradedDay]) -> Option<DatedGrade> {
    days.last().map(|g| DatedGrade {
        date: g.date.to_string(),
        grade: g.grade.clone(),
        level: g.level,
    })
}

fn latest_chimerism(a: &Analysis) -> Vec<ChimerismLine> {
    let mut lineages: Vec<Lineage> = a.chimerism.iter().map(|s| s.lineage).collect();
    lineages.sort_by_key(|l| l.as_str());
    lineages.dedup();
    lineages
        .into_iter()
        .filter_map(|l| {
            let s = a.chimerism.iter().rfind(|s| s.lineage == l)?;
            Some(ChimerismLine {
                lineage: l.as_str().to_string(),
                date: s.date.to_string(),
                shares: s
                    .shares
                    .iter()
                    .map(|x| ShareLine {
                        person: match &x.person {
                            PersonRef::Recipient => "recipient".to_string(),
                            PersonRef::Donor(d) => d.to_string(),
                        },
                        percent: x.percent,
                        not_detected: x.not_detected().then(|| x.shown(2)),
                    })
                    .collect(),
                donor_percent: s.donor_percent(),
            })
        })
        .collect()
}

/// The ward facts of a course from its analysis.
pub fn facts(course: &Course, a: &Analysis) -> WardFacts {
    let anchors = course.anchors();
    let day0 = anchors
        .iter()
        .rfind(|x| matches!(x.kind, AnchorKind::Transplant(_)))
        .or_else(|| {
            anchors
                .iter()
                .rfind(|x| matches!(x.kind, AnchorKind::CarT(_)))
        })
        .map(|x| (x.kind.to_string(), x.date.to_string()));
    let cart_date = anchors
        .iter()
        .rfind(|x| matches!(x.kind, AnchorKind::CarT(_)))
        .map(|x| x.date.to_string());
    WardFacts {
        day0,
        cart_date,
        agvhd: last_grade(&a.agvhd),
        crs: last_grade(&a.crs),
        icans: last_grade(&a.icans),
        chimerism: latest_chimerism(a),
        graft_failure: graft_failure(a),
    }
}

/// Why a row needs attention, with its weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    /// What, in words.
    pub reason: String,
    /// Weight in the ordering.
    pub weight: u32,
}

/// One row of the ward dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardRow {
    /// Patient id.
    pub patient: String,
    /// Latest revision.
    pub head_rev: i64,
    /// Day after day 0 today (`HCT`, +N), when there is a day 0.
    pub day: Option<(String, i32)>,
    /// Last date in the course.
    pub last_date: Option<String>,
    /// Latest ANC.
    pub anc: Option<LatestValue>,
    /// Latest platelets.
    pub platelets: Option<LatestValue>,
    /// Latest haemoglobin.
    pub hemoglobin: Option<LatestValue>,
    /// Current MAGIC grade (last graded day within the carry-forward window of today).
    pub agvhd: Option<DatedGrade>,
    /// The last MAGIC-graded day on or before the day shown, however old
    /// (the ward says "none in the last 7 days (last: …)").
    pub agvhd_last: Option<DatedGrade>,
    /// CRS, when today is inside the CAR-T window.
    pub crs: Option<DatedGrade>,
    /// ICANS, when today is inside the CAR-T window.
    pub icans: Option<DatedGrade>,
    /// Latest chimerism per lineage.
    pub chimerism: Vec<ChimerismLine>,
    /// Alerts.
    pub alerts: Vec<AlertLine>,
    /// DLI status on the last day.
    pub dli: Option<DliStatus>,
    /// Primary or secondary graft failure as graded (see [`WardFacts`]).
    pub graft_failure: Option<String>,
    /// The course has records after the day shown: the ward as of an
    /// earlier day leaves the later counts, chimerism and DLI status out.
    pub later_values_hidden: bool,
    /// Why the row needs attention today.
    pub attention: Vec<Attention>,
}

impl WardRow {
    /// Sum of the attention weights.
    pub fn priority(&self) -> u32 {
        self.attention.iter().map(|a| a.weight).sum()
    }
}

/// The order of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WardSort {
    /// Needs attention today first (default).
    #[default]
    Attention,
    /// By patient id.
    Patient,
    /// By day after day 0, earliest in the course first.
    Day,
    /// By latest ANC, lowest first (missing last).
    Anc,
    /// By current acute GVHD grade, highest first.
    Agvhd,
}

impl WardSort {
    /// Parses the query value (`attention`, `patient`, `day`, `anc`, `agvhd`).
    pub fn parse(s: &str) -> Option<WardSort> {
        Some(match s {
            "attention" | "" => WardSort::Attention,
            "patient" => WardSort::Patient,
            "day" => WardSort::Day,
            "anc" => WardSort::Anc,
            "agvhd" => WardSort::Agvhd,
            _ => return None,
        })
    }
}

/// Which rows to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WardFilter {
    /// Patient id contains this (case-insensitive).
    pub patient: Option<String>,
    /// Only rows with at least one alert.
    pub alerts_only: bool,
    /// Only rows that need attention today.
    pub attention_only: bool,
}

fn within(date: &str, today: Date, days: i32) -> bool {
    date.parse::<Date>()
        .is_ok_and(|d| d <= today && today.days_since(d).get() <= days)
}

fn latest(s: &DerivedSummary, a: Analyte) -> Option<LatestValue> {
    s.latest.iter().find(|l| l.analyte == a.as_str()).cloned()
}

fn attention(row: &WardRow, today: Date) -> Vec<Attention> {
    let mut v = Vec::new();
    let mut add = |reason: String, weight: u32| v.push(Attention { reason, weight });
    for a in &row.alerts {
        if within(&a.date, today, RECENT_DAYS) {
            add(format!("{} ({})", a.kind, a.date), 4);
        } else {
            add(format!("{} since {}", a.kind, a.date), 1);
        }
    }
    if let Some(g) = &row.agvhd
        && g.level >= 2
    {
        let w = if g.level >= 3 { 4 } else { 3 };
        add(format!("acute GVHD grade {} on {}", g.grade, g.date), w);
    }
    for (name, g) in [("CRS", &row.crs), ("ICANS", &row.icans)] {
        if let Some(g) = g
            && g.level >= 2
        {
            add(format!("{name} grade {} on {}", g.grade, g.date), 4);
        }
    }
    if let Some(x) = &row.anc
        && x.value < 0.5
        && within(&x.date, today, RECENT_DAYS)
    {
        add(format!("ANC {} ×10⁹/L on {}", x.value, x.date), 2);
    }
    if let Some(x) = &row.platelets
        && x.value < 20.0
        && within(&x.date, today, RECENT_DAYS)
    {
        add(format!("platelets {} ×10⁹/L on {}", x.value, x.date), 1);
    }
    if let Some(g) = &row.graft_failure {
        add(g.clone(), 4);
    }
    if let Some(d) = &row.dli
        && (d.criteria_met || d.undetermined())
    {
        add(
            format!("DLI {}", d.words()),
            if d.criteria_met { 2 } else { 1 },
        );
    }
    v
}

/// A ward row from a listed patient, as of `today`.
pub fn ward_row(p: &crate::types::PatientRow, today: Date) -> WardRow {
    let s = p.state.as_ref();
    let summary = s.map(|s| &s.summary);
    let facts = summary.and_then(|s| s.ward.clone()).unwrap_or_default();
    let in_cart_window = facts
        .cart_date
        .as_deref()
        .is_some_and(|d| within(d, today, CART_WINDOW_DAYS));
    let day = facts.day0.as_ref().and_then(|(label, d)| {
        let d: Date = d.parse().ok()?;
        Some((label.clone(), today.days_since(d).get()))
    });
    // The ward as of an earlier day never shows what was recorded after it
    // (the derived state keeps only the latest values: those dated later
    // are left out, not replaced by earlier ones).
    let known = |d: &str| d.parse::<Date>().is_ok_and(|d| d <= today);
    let counts = |a| {
        summary
            .and_then(|s| latest(s, a))
            .filter(|v| known(&v.date))
    };
    let mut row = WardRow {
        patient: p.patient.clone(),
        head_rev: p.head_rev,
        day,
        last_date: s.and_then(|s| s.last_date.clone()),
        anc: counts(Analyte::Anc),
        platelets: counts(Analyte::Platelets),
        hemoglobin: counts(Analyte::Hemoglobin),
        agvhd: facts
            .agvhd
            .clone()
            .filter(|g| within(&g.date, today, AGVHD_CARRY_DAYS)),
        agvhd_last: facts.agvhd.filter(|g| known(&g.date)),
        crs: facts.crs.filter(|_| in_cart_window),
        icans: facts.icans.filter(|_| in_cart_window),
        chimerism: facts
            .chimerism
            .into_iter()
            .filter(|c| known(&c.date))
            .collect(),
        alerts: summary.map(|s| s.alerts.clone()).unwrap_or_default(),
        dli: summary.and_then(|s| s.dli.clone()).filter(|d| known(&d.on)),
        graft_failure: facts.graft_failure.clone(),
        later_values_hidden: s
            .and_then(|s| s.last_date.as_deref())
            .is_some_and(|d| !known(d)),
        attention: Vec::new(),
    };
    row.attention = attention(&row, today);
    row
}

/// Filters and orders ward rows.
pub fn arrange(mut rows: Vec<WardRow>, filter: &WardFilter, sort: WardSort) -> Vec<WardRow> {
    if let Some(t) = filter
        .patient
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let t = t.to_lowercase();
        rows.retain(|r| r.patient.to_lowercase().contains(&t));
    }
    if filter.alerts_only {
        rows.retain(|r| !r.alerts.is_empty());
    }
    if filter.attention_only {
        rows.retain(|r| r.priority() > 0);
    }
    let by_id = |a: &WardRow, b: &WardRow| a.patient.cmp(&b.patient);
    match sort {
        WardSort::Attention => {
            rows.sort_by(|a, b| b.priority().cmp(&a.priority()).then_with(|| by_id(a, b)))
        }
        WardSort::Patient => rows.sort_by(by_id),
        WardSort::Day => rows.sort_by(|a, b| {
            let k = |r: &WardRow| r.day.as_ref().map_or(i32::MAX, |d| d.1);
            k(a).cmp(&k(b)).then_with(|| by_id(a, b))
        }),
        WardSort::Anc => rows.sort_by(|a, b| {
            let k = |r: &WardRow| r.anc.as_ref().map_or(f64::INFINITY, |x| x.value);
            k(a).total_cmp(&k(b)).then_with(|| by_id(a, b))
        }),
        WardSort::Agvhd => rows.sort_by(|a, b| {
            let k = |r: &WardRow| r.agvhd.as_ref().map_or(0, |g| g.level);
            k(b).cmp(&k(a)).then_with(|| by_id(a, b))
        }),
    }
    rows
}

impl Store {
    /// The ward dashboard as of `today`: one read of the derived state (the
    /// ward list, recomputing stale rows first; one audit entry naming the
    /// patients shown), then filtered and ordered.
    pub fn ward(
        &self,
        actor: &Actor,
        today: Date,
        filter: &WardFilter,
        sort: WardSort,
    ) -> Result<Vec<WardRow>> {
        let rows = self.list_patients(actor, false)?;
        let rows = rows.iter().map(|p| ward_row(p, today)).collect();
        Ok(arrange(rows, filter, sort))
    }
}

/// Cheap fingerprint of the live patient list: (number of live patients,
/// sum of their head revisions). Any new revision, deletion or purge
/// changes it, so a cached ward can be checked with one aggregate query.
pub type WardStamp = (i64, i64);

impl Store {
    /// The [`WardStamp`] of the store now (not audited: no clinical data).
    pub fn ward_stamp(&self) -> Result<WardStamp> {
        use sqlx::Row;
        self.block(async {
            crate::backend::on_pool!(&self.pool, pool, ops => {
                let r = sqlx::query(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(head_rev), 0) AS BIGINT) FROM patients WHERE deleted = 0 AND purged = 0",
                )
                .fetch_one(pool)
                .await?;
                Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?))
            })
        })
    }

    /// Every live patient's id and head revision, by id (not audited: no
    /// clinical data).
    pub fn ward_heads(&self) -> Result<Vec<(String, i64)>> {
        use sqlx::Row;
        self.block(async {
            crate::backend::on_pool!(&self.pool, pool, ops => {
                let rows = sqlx::query(
                    "SELECT patient_id, head_rev FROM patients WHERE deleted = 0 AND purged = 0 ORDER BY patient_id",
                )
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
                    .collect()
            })
        })
    }

    /// The ward-list rows of `patients` (all live patients when `None`),
    /// recomputing stale derived state first. **Not audited**: for a
    /// caller that keeps the rows in memory (the web server's ward cache)
    /// and records one audit entry per page naming the patients it shows.
    pub fn ward_rows_unaudited(
        &self,
        patients: Option<&[String]>,
    ) -> Result<Vec<crate::types::PatientRow>> {
        if patients.is_none() {
            self.refresh_stale()?;
        }
        let rows = self.ward_select(patients)?;
        let stale: Vec<String> = rows
            .iter()
            .filter(|r| r.derived_stale(&self.derive_hash))
            .map(|r| r.patient.clone())
            .collect();
        if stale.is_empty() {
            return Ok(rows);
        }
        for p in &stale {
            self.refresh_derived(p)?;
        }
        self.ward_select(patients)
    }

    fn ward_select(&self, patients: Option<&[String]>) -> Result<Vec<crate::types::PatientRow>> {
        let sql = "SELECT p.patient_id, p.head_rev, s.rev, s.engine_version, s.config_hash, s.computed_at, s.last_date, s.summary \
                   FROM patients p LEFT JOIN patient_state s ON s.patient_id = p.patient_id \
                   WHERE p.deleted = 0 AND p.purged = 0";
        self.block(async {
            crate::backend::on_pool!(&self.pool, pool, ops => {
                let rows = match patients {
                    None => {
                        sqlx::query(&format!("{sql} ORDER BY p.patient_id"))
                            .fetch_all(pool)
                            .await?
                    }
                    Some(ps) => {
                        let mut out = Vec::with_capacity(ps.len());
                        for p in ps {
                            out.extend(
                                sqlx::query(&format!("{sql} AND p.patient_id = $1"))
                                    .bind(p)
                                    .fetch_optional(pool)
                                    .await?,
                            );
                        }
                        out
                    }
                };
                rows.iter().map(ops::state::row_to_patient).collect()
            })
        })
    }
}

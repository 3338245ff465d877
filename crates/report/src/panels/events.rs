//! Course events on the day axis, as the grading engine found them in
//! [`CourseGrades`] (the report renders them and derives none): neutrophil
//! and platelet (20, 50) engraftment per transplant, primary and secondary
//! graft failure, relapse, and the ELN 2022 response at the first
//! assessment in the window and wherever it changes (CR, CR MRD-negative,
//! loss of MRD negativity). Each event is a marker with its label; labels
//! are packed into rows so none overlaps another.

use std::fmt::Write as _;

use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_grading::output::{ItemStatus, SummaryItem};
use graftwatch_grading::{CourseGrades, Criterion};

use crate::draw::{self, Shape};
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext, RIGHT_MARGIN};
use crate::palette;
use crate::scale::DayScale;

/// What kind of event (colour and shape follow from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Neutrophil engraftment.
    NeutrophilEngraftment,
    /// Platelet engraftment (≥ 20 or ≥ 50).
    PlateletEngraftment,
    /// Primary or secondary graft failure.
    GraftFailure,
    /// Response (ELN 2022) at an assessment.
    Response,
    /// Relapse, or a response that shows disease (no response, MRD lost).
    Disease,
}

impl EventKind {
    fn style(self) -> (Shape, &'static str, bool) {
        match self {
            EventKind::NeutrophilEngraftment => (Shape::Triangle, palette::ANC, false),
            EventKind::PlateletEngraftment => (Shape::Triangle, palette::PLATELETS, false),
            EventKind::GraftFailure => (Shape::Square, palette::ANC, true),
            EventKind::Response => (Shape::Circle, palette::INK, false),
            EventKind::Disease => (Shape::Diamond, palette::RECIPIENT, false),
        }
    }
}

/// One event on the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseEvent {
    /// Date.
    pub date: Date,
    /// Kind.
    pub kind: EventKind,
    /// Label drawn next to the marker.
    pub label: String,
    /// Hover title (the engine's result and reason).
    pub title: String,
}

impl CourseEvent {
    /// The event marking a summary item, titled with its rule and result.
    fn of_item(it: &SummaryItem, date: Date, kind: EventKind, label: String) -> CourseEvent {
        CourseEvent {
            date,
            kind,
            label,
            title: format!("{}: {}", it.explanation.rule, it.result),
        }
    }
}

fn flag(v: Option<&serde_json::Value>, key: &str) -> bool {
    v.and_then(|v| v.get(key)).and_then(|b| b.as_bool()) == Some(true)
}

fn engraftment_events(g: &CourseGrades) -> Vec<CourseEvent> {
    let mut v = Vec::new();
    for it in &g.summary {
        if it.status != ItemStatus::Value {
            continue;
        }
        let Some(date) = it.date else { continue };
        let suffix = |base: &str| it.item.strip_prefix(base).map(str::to_string);
        let hct = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.trim_start_matches('_').to_uppercase())
            }
        };
        let (kind, label) = if let Some(s) = suffix("neutrophil_engraftment") {
            (
                EventKind::NeutrophilEngraftment,
                format!("ANC engraftment{}", hct(&s)),
            )
        } else if let Some(s) = suffix("platelet_engraftment_20") {
            (
                EventKind::PlateletEngraftment,
                format!("PLT ≥ 20{}", hct(&s)),
            )
        } else if let Some(s) = suffix("platelet_engraftment_50") {
            (
                EventKind::PlateletEngraftment,
                format!("PLT ≥ 50{}", hct(&s)),
            )
        } else if it.item.starts_with("primary_graft_failure")
            && flag(it.value.as_ref(), "primary_graft_failure")
        {
            (EventKind::GraftFailure, "primary graft failure".into())
        } else if it.item.starts_with("secondary_graft_failure")
            && flag(it.value.as_ref(), "secondary_graft_failure")
        {
            (EventKind::GraftFailure, "secondary graft failure".into())
        } else if it.item == "relapse" && flag(it.value.as_ref(), "relapsed") {
            (EventKind::Disease, "relapse".into())
        } else {
            continue;
        };
        v.push(CourseEvent::of_item(it, date, kind, label));
    }
    v
}

fn response_label(prev: Option<&str>, grade: &str) -> (EventKind, String) {
    let disease = matches!(grade, "no response" | "relapse" | "progressive disease");
    match (prev, grade) {
        (Some(p), "CR") if p.contains("MRD-negative") => {
            (EventKind::Disease, "CR, MRD-negativity lost".into())
        }
        (Some(p), g) if p.starts_with("CR") && g == "no response" => {
            (EventKind::Disease, "relapse".into())
        }
        (_, g) if g.ends_with("MRD-negative") => (EventKind::Response, g.replace("-negative", "−")),
        (_, g) if disease => (EventKind::Disease, g.to_string()),
        (_, g) => (EventKind::Response, g.to_string()),
    }
}

/// Which graft of a combined graft engrafted, a confirmed MRD relapse, and
/// every haematological relapse of the engine's response timeline on or
/// after `from` (relapses already marked on the same day are not repeated).
fn history_events(g: &CourseGrades, from: Option<Date>, v: &mut Vec<CourseEvent>) {
    let in_window = |d: Date| from.is_none_or(|f| d >= f);
    for it in g.summary.iter().filter(|i| i.status == ItemStatus::Value) {
        let Some(date) = it.date.filter(|d| in_window(*d)) else {
            continue;
        };
        let value = it.value.as_ref();
        let text = |k: &str| value.and_then(|v| v.get(k)).and_then(|s| s.as_str());
        let (kind, label) = if it.item.starts_with("graft_source_engraftment") {
            match text("engrafted_donor") {
                Some(d) => (
                    EventKind::NeutrophilEngraftment,
                    format!("{d} graft engrafted"),
                ),
                None => continue,
            }
        } else if it.item.starts_with("mrd_relapse") && text("state") == Some("confirmed") {
            (EventKind::Disease, "MRD relapse".to_string())
        } else {
            continue;
        };
        v.push(CourseEvent::of_item(it, date, kind, label));
    }
    let timeline = g
        .summary
        .iter()
        .filter(|i| i.item.starts_with("response_timeline") && i.status == ItemStatus::Value)
        .filter_map(|i| i.value.as_ref()?.as_array().map(|a| (i, a)));
    for (it, entries) in timeline {
        for e in entries {
            let get = |k: &str| e.get(k).and_then(|s| s.as_str());
            let Some(date) = get("date").and_then(|d| d.parse::<Date>().ok()) else {
                continue;
            };
            let seen = v
                .iter()
                .any(|x| x.date == date && x.kind == EventKind::Disease);
            if get("event") != Some("relapse") || !in_window(date) || seen {
                continue;
            }
            v.push(CourseEvent {
                date,
                kind: EventKind::Disease,
                label: "relapse".into(),
                title: format!("{}: {}", it.explanation.rule, get("detail").unwrap_or("")),
            });
        }
    }
}

/// The events of a course's grades, in date order: the engine's
/// engraftment (per transplant, and which graft of a combined graft),
/// graft failure, relapse and MRD relapse items, and the ELN 2022 response
/// at the first assessment on or after `from` and at each change.
pub fn course_events(g: &CourseGrades, from: Option<Date>) -> Vec<CourseEvent> {
    let mut v = engraftment_events(g);
    let mut prev: Option<&str> = None;
    let mut first = true;
    for d in &g.timeline {
        for e in d.entries.iter().filter(|e| e.criterion == Criterion::Eln) {
            let in_window = from.is_none_or(|f| d.date >= f);
            let same = prev == Some(e.grade.as_str());
            if in_window && (first || !same) {
                let (kind, label) = response_label(prev, &e.grade);
                v.push(CourseEvent {
                    date: d.date,
                    kind,
                    label,
                    title: format!("ELN 2022 {}: {}", e.grade, e.reason),
                });
                first = false;
            }
            prev = Some(e.grade.as_str());
        }
    }
    history_events(g, from, &mut v);
    v.sort_by_key(|e| e.date);
    v
}

/// The course-events panel.
#[derive(Debug, Clone)]
pub struct EventsPanel {
    /// Events.
    pub events: Vec<CourseEvent>,
}

const ROW_H: f64 = 15.0;
const FONT: f64 = 10.5;

/// (event index, marker x, label x, row) for every event in the window.
fn layout(events: &[CourseEvent], x: &DayScale, origin: Date) -> Vec<(usize, f64, f64, usize)> {
    let mut rows_end: Vec<f64> = Vec::new();
    let mut out = Vec::new();
    let limit = x.right + RIGHT_MARGIN - 4.0;
    for (i, e) in events.iter().enumerate() {
        let day = e.date.days_since(origin).get();
        if !x.contains(day) {
            continue;
        }
        let mx = x.x(day as f64 + 0.5);
        let w = draw::bold_text_width(&e.label, FONT);
        let (lx, a, b) = if mx + 7.0 + w <= limit {
            (mx + 7.0, mx - 5.0, mx + 7.0 + w)
        } else {
            (mx - 7.0 - w, mx - 7.0 - w, mx + 5.0)
        };
        let row = match rows_end.iter().position(|end| *end + 6.0 <= a) {
            Some(r) => r,
            None => {
                rows_end.push(f64::NEG_INFINITY);
                rows_end.len() - 1
            }
        };
        rows_end[row] = b;
        out.push((i, mx, lx, row));
    }
    out
}

impl Panel for EventsPanel {
    fn id(&self) -> &str {
        "events"
    }

    fn height(&self, _course: &Course, frame: &Frame) -> f64 {
        let rows = layout(&self.events, &frame.x, frame.origin)
            .iter()
            .map(|l| l.3 + 1)
            .max()
            .unwrap_or(1);
        rows as f64 * ROW_H + 6.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        draw::day_grid(out, ctx);
        draw::text(
            out,
            ctx.x.left - 6.0,
            ctx.top + 14.0,
            "lane strong",
            "end",
            "Course events",
        );
        let placed = layout(&self.events, &ctx.x, ctx.origin);
        if placed.is_empty() {
            super::no_data(out, ctx, "engraftment, response or relapse graded");
            return;
        }
        out.push_str(r#"<g id="series-eln-response" class="events">"#);
        for (i, mx, lx, row) in placed {
            let e = &self.events[i];
            let cy = ctx.top + 3.0 + ROW_H * (row as f64 + 0.5);
            let (shape, colour, open) = e.kind.style();
            let class = match e.kind {
                EventKind::Response | EventKind::Disease => "response",
                _ => "event",
            };
            let _ = write!(out, r#"<g class="{class}" data-date="{}">"#, e.date);
            let extra = if open {
                format!(r#" stroke="{colour}" stroke-width="1.4"/>"#)
            } else {
                "/>".to_string()
            };
            draw::marker(
                out,
                shape,
                mx,
                cy,
                3.6,
                if open { "#ffffff" } else { colour },
                &extra,
            );
            let _ = write!(
                out,
                r#"<text x="{lx:.1}" y="{:.1}" class="evlabel" fill="{}">{}</text>"#,
                cy + 3.8,
                palette::darker(colour),
                escape(&e.label)
            );
            let _ = write!(
                out,
                "<title>{}: {}</title></g>",
                escape(&ctx.when(e.date)),
                escape(&e.title)
            );
        }
        out.push_str("</g>");
    }

    fn legend_for(&self, _course: &Course) -> Vec<LegendEntry> {
        let mut v = Vec::new();
        let has = |k: EventKind| self.events.iter().any(|e| e.kind == k);
        for (k, label) in [
            (EventKind::NeutrophilEngraftment, "neutrophil engraftment"),
            (EventKind::PlateletEngraftment, "platelet engraftment"),
            (EventKind::GraftFailure, "graft failure"),
            (EventKind::Response, "response (ELN 2022)"),
            (EventKind::Disease, "disease: no response, relapse, MRD"),
        ] {
            if has(k) {
                let (shape, colour, open) = k.style();
                let sym = if open {
                    LegendSymbol::OpenMarker(shape)
                } else {
                    LegendSymbol::Marker(shape)
                };
                v.push(LegendEntry::new(label, colour, sym));
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_changes_are_named_in_words() {
        assert_eq!(
            response_label(Some("CR MRD-negative"), "CR"),
            (EventKind::Disease, "CR, MRD-negativity lost".into())
        );
        assert_eq!(
            response_label(Some("CR"), "CR MRD-negative"),
            (EventKind::Response, "CR MRD−".into())
        );
        assert_eq!(
            response_label(Some("CR"), "no response"),
            (EventKind::Disease, "relapse".into())
        );
        assert_eq!(
            response_label(None, "no response"),
            (EventKind::Disease, "no response".into())
        );
        assert_eq!(
            response_label(Some("no response"), "CRh"),
            (EventKind::Response, "CRh".into())
        );
    }

    #[test]
    fn labels_in_one_row_never_overlap() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        let x = DayScale::linear(0, 100, 100.0, 1100.0);
        let ev = |day: i32, label: &str| CourseEvent {
            date: d("2024-01-01").add_days(day),
            kind: EventKind::Response,
            label: label.into(),
            title: String::new(),
        };
        let events = vec![
            ev(1, "CR MRD−"),
            ev(2, "CR"),
            ev(3, "relapse"),
            ev(60, "CR"),
        ];
        let l = layout(&events, &x, d("2024-01-01"));
        assert_eq!(l.iter().map(|p| p.3).collect::<Vec<_>>(), vec![0, 1, 2, 0]);
    }

    #[test]
    fn seed_case_shows_the_engrafted_graft_mrd_relapse_and_no_events_before_the_window() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/seed-case/course.json");
        let course = graftwatch_course::read_course(&path)
            .expect("seed case")
            .course;
        let g = graftwatch_grading::grade_course(
            &course,
            &graftwatch_grading::GradingConfig::default(),
        );
        let all = course_events(&g, None);
        let has = |v: &[CourseEvent], l: &str| v.iter().any(|e| e.label == l);
        assert!(has(&all, "PBSC-1 graft engrafted"), "{all:?}");
        assert!(has(&all, "MRD relapse"), "{all:?}");
        let relapses: Vec<Date> = all
            .iter()
            .filter(|e| e.label == "relapse")
            .map(|e| e.date)
            .collect();
        assert!(!relapses.is_empty(), "{all:?}");
        // A window starting after the last relapse leaves none of them.
        let after = relapses.iter().max().copied().map(|d| d.add_days(1));
        let windowed = course_events(&g, after);
        assert!(
            !windowed.iter().any(|e| e.label == "relapse"),
            "{windowed:?}"
        );
        // One relapse marker per day at most.
        let mut days = relapses.clone();
        days.dedup();
        assert_eq!(days.len(), relapses.len());
    }
}

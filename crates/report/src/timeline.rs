//! The validated timeline: every event in date order with its day relative
//! to the transplant and to the latest CAR-T/DLI anchor.

use std::fmt::Write as _;

use graftwatch_course::{AnchorKind, Course, EventDetail, TransfusionProduct};

use crate::escape::escape;
use crate::format::signed_day;
use crate::panels::lane_item;
use crate::section::Section;

/// What an event is, in a few words, for the "Event" column.
fn kind_label(d: &EventDetail) -> &'static str {
    match d {
        EventDetail::Chemotherapy { .. } => "Chemotherapy",
        EventDetail::Lymphodepletion { .. } => "Lymphodepletion",
        EventDetail::CarTInfusion { .. } => "CAR-T infusion",
        EventDetail::Conditioning { .. } => "Conditioning",
        EventDetail::GraftInfusion { .. } => "Graft infusion",
        EventDetail::Dli { .. } => "DLI",
        EventDetail::Transfusion { .. } => "Transfusion",
        EventDetail::Drug { .. } => "Drug",
        EventDetail::OxygenSupport { .. } => "Oxygen",
        EventDetail::IcuStay { .. } => "ICU",
        EventDetail::Infection { .. } => "Infection",
        EventDetail::Biopsy { .. } => "Biopsy",
        EventDetail::Death { .. } => "Death",
    }
}

/// The timeline section (a table of all events).
pub fn timeline_section(course: &Course) -> Section {
    if course.events.is_empty() {
        return Section::new(
            "timeline",
            "Timeline",
            "<p class=\"missing\">No events recorded.</p>",
        );
    }
    let hct0 = course.transplant_day0(1);
    let anchors = course.anchors();
    let mut h = String::from(
        "<table class=\"timeline\"><thead><tr><th>Date</th><th>HCT day</th><th>Relative to</th><th>Event</th><th>Details</th><th>Until</th></tr></thead><tbody>",
    );
    for e in &course.events {
        let hct_day = hct0
            .map(|d0| signed_day(e.date.days_since(d0).get()))
            .unwrap_or_else(|| "–".into());
        // Latest non-HCT anchor on or before the date (CAR-T or DLI).
        let rel = anchors
            .iter()
            .rfind(|a| !matches!(a.kind, AnchorKind::Transplant(_)) && a.date <= e.date)
            .map(|a| format!("{} {}", a.kind, signed_day(a.day(e.date).get())))
            .unwrap_or_default();
        let details = match &e.detail {
            EventDetail::Transfusion { product, units } => {
                let p = match product {
                    TransfusionProduct::Platelets => "platelets",
                    TransfusionProduct::Rbc => "red cells",
                    TransfusionProduct::Plasma => "plasma",
                    TransfusionProduct::Granulocytes => "granulocytes",
                };
                let mut s = p.to_string();
                if let Some(u) = units {
                    let _ = write!(s, ", {u} unit{}", if *u == 1 { "" } else { "s" });
                }
                if let Some(n) = &e.note {
                    let _ = write!(s, " — {n}");
                }
                s
            }
            _ => lane_item(e).map(|i| i.detail).unwrap_or_default(),
        };
        let until = match e.end_date {
            Some(end) if end != e.date => match hct0 {
                Some(d0) => format!("{end} ({})", signed_day(end.days_since(d0).get())),
                None => end.to_string(),
            },
            None if e.detail.has_duration() => "ongoing".into(),
            _ => String::new(),
        };
        let class = e.detail.kind();
        let _ = write!(
            h,
            "<tr class=\"ev {class}\"><td class=\"date\">{}</td><td class=\"num\">{}</td><td class=\"date\">{}</td><td>{}</td><td>{}</td><td class=\"date\">{}</td></tr>",
            e.date,
            hct_day,
            escape(&rel),
            kind_label(&e.detail),
            escape(&details),
            escape(&until)
        );
    }
    h.push_str("</tbody></table>");
    Section::new("timeline", "Timeline of events", h)
}

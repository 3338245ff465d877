//! A day-by-day text timeline of a course (what `graftwatch course show`
//! prints): one line per day with data, the day relative to an anchor
//! ("day +14 after HCT"), the date, the key counts (ANC, platelets, Hb) in
//! aligned columns, then the events of the day (drugs with their duration),
//! GVHD findings, chimerism per lineage and person, and other observations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use graftwatch_core::{Analyte, Date};

use crate::anchor::{Anchor, AnchorKind};
use crate::event::{Event, EventDetail};
use crate::model::Course;
use crate::observation::{ObsValue, Observation, ObservationKind};

/// Which kind of day 0 to count days from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorChoice {
    /// Allogeneic transplant (first graft infusion of a transplant).
    Hct,
    /// CAR-T infusion.
    CarT,
    /// Donor lymphocyte infusion.
    Dli,
}

impl AnchorChoice {
    fn matches(self, k: AnchorKind) -> bool {
        matches!(
            (self, k),
            (AnchorChoice::Hct, AnchorKind::Transplant(_))
                | (AnchorChoice::CarT, AnchorKind::CarT(_))
                | (AnchorChoice::Dli, AnchorKind::Dli(_))
        )
    }

    /// `hct`, `car-t`, `dli`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnchorChoice::Hct => "hct",
            AnchorChoice::CarT => "car-t",
            AnchorChoice::Dli => "dli",
        }
    }
}

/// Days before a transplant or CAR-T infusion that are counted as day −N
/// of it (the conditioning / lymphodepletion window) when no anchor is
/// chosen.
pub const PRE_ANCHOR_DAYS: i32 = 14;

/// What to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelineOptions {
    /// First day to show, relative to the reference anchor.
    pub from: Option<i32>,
    /// Last day to show, relative to the reference anchor.
    pub to: Option<i32>,
    /// Count every day from this kind of anchor (the latest one on or before
    /// the day, else the first). Without it, each day is counted from the
    /// transplant or CAR-T infusion that follows within
    /// [`PRE_ANCHOR_DAYS`] days (day −N), else from the latest one on or
    /// before it; `from`/`to` then refer to the first HCT (else CAR-T, else
    /// DLI).
    pub anchor: Option<AnchorChoice>,
}

/// Why a timeline cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    /// The requested anchor does not occur in the course.
    #[error("the course has no {0} event to count days from (anchors: {1})")]
    NoSuchAnchor(&'static str, String),
    /// `--from`/`--to` were given but the course has no anchor at all.
    #[error(
        "--from/--to need an anchor event (graft infusion, CAR-T infusion or DLI); the course has none"
    )]
    NoAnchor,
    /// `from` is after `to`.
    #[error("--from {0} is after --to {1}")]
    EmptyRange(i32, i32),
}

/// One day of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineDay {
    /// Date.
    pub date: Date,
    /// `day +14 after HCT`, or `-` when the course has no anchor.
    pub day: String,
    /// ANC, platelets, haemoglobin (canonical units), last value of the day.
    pub counts: [Option<f64>; 3],
    /// Events starting that day, described.
    pub events: Vec<String>,
    /// GVHD findings.
    pub gvhd: Vec<String>,
    /// Chimerism, one entry per lineage: `cd3: UCB-1 70%, recipient 30%`.
    pub chimerism: Vec<String>,
    /// Every other observation: `kind value unit`.
    pub other: Vec<String>,
}

fn is_gvhd(k: ObservationKind) -> bool {
    k.is_gvhd_finding()
}

/// A number with at most 3 decimals, trailing zeros removed.
pub fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        return format!("{x:.2e}");
    }
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn value_text(o: &Observation) -> String {
    let v = match &o.value {
        ObsValue::Number(x) => short(*x),
        other => other.to_string(),
    };
    match o.unit {
        Some(u) if u.as_str() == "%" => format!("{v}%"),
        Some(graftwatch_core::Unit::Celsius) => format!("{v} °C"),
        Some(u) if u.as_str() != "1" => format!("{v} {u}"),
        _ => v,
    }
}

fn describe_event(e: &Event) -> String {
    let mut s = match &e.detail {
        EventDetail::Chemotherapy { regimen, .. } => format!("chemotherapy {regimen}"),
        EventDetail::Lymphodepletion { regimen, .. } => format!("lymphodepletion {regimen}"),
        EventDetail::CarTInfusion {
            target,
            product,
            dose_per_kg,
        } => {
            let mut s = format!("CAR-T infusion {product} (anti-{target})");
            if let Some(d) = dose_per_kg {
                let _ = write!(s, " {} cells/kg", short(*d));
            }
            s
        }
        EventDetail::Conditioning { regimen, .. } => format!("conditioning {regimen}"),
        EventDetail::GraftInfusion {
            source,
            donor,
            cd34_per_kg,
            tnc_per_kg,
            ..
        } => {
            let mut s = format!("graft {} {donor}", source.label());
            if let Some(t) = tnc_per_kg {
                let _ = write!(s, " TNC {}/kg", short(*t));
            }
            if let Some(c) = cd34_per_kg {
                let _ = write!(s, " CD34 {}/kg", short(*c));
            }
            s
        }
        EventDetail::Dli {
            donor, cd3_per_kg, ..
        } => format!("DLI {donor} CD3 {}/kg", short(*cd3_per_kg)),
        EventDetail::Transfusion { product, units } => {
            let p = match product {
                crate::event::TransfusionProduct::Platelets => "platelets",
                crate::event::TransfusionProduct::Rbc => "RBC",
                crate::event::TransfusionProduct::Plasma => "plasma",
                crate::event::TransfusionProduct::Granulocytes => "granulocytes",
            };
            match units {
                Some(u) => format!("transfusion {p} ×{u}"),
                None => format!("transfusion {p}"),
            }
        }
        EventDetail::Drug {
            name,
            dose,
            dose_unit,
            ..
        } => {
            let mut s = name.clone();
            if let Some(d) = dose {
                let _ = write!(s, " {}", short(*d));
                if let Some(u) = dose_unit {
                    let _ = write!(s, " {u}");
                }
            }
            s
        }
        EventDetail::OxygenSupport { device, flow_l_min } => {
            let d = serde_json::to_value(device)
                .ok()
                .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                .unwrap_or_default();
            match flow_l_min {
                Some(f) => format!("oxygen {d} {} L/min", short(*f)),
                None => format!("oxygen {d}"),
            }
        }
        EventDetail::IcuStay { reason } => match reason {
            Some(r) => format!("ICU ({r})"),
            None => "ICU".into(),
        },
        EventDetail::Infection { syndrome, organism } => match organism {
            Some(o) => format!("infection {syndrome} ({o})"),
            None => format!("infection {syndrome}"),
        },
        EventDetail::Biopsy { site, result } => {
            let r = serde_json::to_value(result)
                .ok()
                .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                .unwrap_or_default();
            format!("biopsy {site}: {r}")
        }
        EventDetail::Death { cause } => format!("death ({cause})"),
    };
    match e.end_date {
        Some(end) if end != e.date => {
            let n = end.days_since(e.date).get() + 1;
            let _ = write!(s, " until {end} ({n} d)");
        }
        None if e.detail.has_duration() => s.push_str(" (ongoing)"),
        _ => {}
    }
    s
}

/// Builds the timeline.
pub fn timeline(
    course: &Course,
    opts: &TimelineOptions,
) -> Result<Vec<TimelineDay>, TimelineError> {
    let anchors = course.anchors();
    let names = || {
        if anchors.is_empty() {
            "none".to_string()
        } else {
            anchors
                .iter()
                .map(|a| format!("{} on {}", a.kind, a.date))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let reference: Option<Anchor> = match opts.anchor {
        Some(c) => Some(
            anchors
                .iter()
                .copied()
                .find(|a| c.matches(a.kind))
                .ok_or_else(|| TimelineError::NoSuchAnchor(c.as_str(), names()))?,
        ),
        None => [AnchorChoice::Hct, AnchorChoice::CarT, AnchorChoice::Dli]
            .iter()
            .find_map(|c| anchors.iter().copied().find(|a| c.matches(a.kind))),
    };
    if let (Some(f), Some(t)) = (opts.from, opts.to)
        && f > t
    {
        return Err(TimelineError::EmptyRange(f, t));
    }
    if (opts.from.is_some() || opts.to.is_some()) && reference.is_none() {
        return Err(TimelineError::NoAnchor);
    }
    let in_range = |d: Date| match reference {
        Some(r) => {
            let n = r.day(d).get();
            opts.from.is_none_or(|f| n >= f) && opts.to.is_none_or(|t| n <= t)
        }
        None => true,
    };
    let label = |d: Date| -> String {
        let a = match opts.anchor {
            Some(c) => anchors
                .iter()
                .copied()
                .rfind(|a| c.matches(a.kind) && a.date <= d)
                .or(reference),
            None => anchors
                .iter()
                .copied()
                .filter(|a| {
                    matches!(a.kind, AnchorKind::Transplant(_) | AnchorKind::CarT(_))
                        && a.date > d
                        && a.date.days_since(d).get() <= PRE_ANCHOR_DAYS
                })
                .min_by_key(|a| a.date)
                .or_else(|| course.primary_anchor_for(d))
                .or(reference),
        };
        a.map_or_else(|| "-".to_string(), |a| a.describe(d))
    };

    let mut days: BTreeMap<Date, TimelineDay> = BTreeMap::new();
    fn day<'a>(
        days: &'a mut BTreeMap<Date, TimelineDay>,
        d: Date,
        in_range: &dyn Fn(Date) -> bool,
        label: &dyn Fn(Date) -> String,
    ) -> Option<&'a mut TimelineDay> {
        if !in_range(d) {
            return None;
        }
        Some(days.entry(d).or_insert_with(|| TimelineDay {
            date: d,
            day: label(d),
            counts: [None; 3],
            events: Vec::new(),
            gvhd: Vec::new(),
            chimerism: Vec::new(),
            other: Vec::new(),
        }))
    }
    for e in &course.events {
        if let Some(t) = day(&mut days, e.date, &in_range, &label) {
            t.events.push(describe_event(e));
        }
    }
    // Chimerism grouped per day and lineage, persons in file order.
    let mut chim: BTreeMap<(Date, graftwatch_core::Lineage), Vec<String>> = BTreeMap::new();
    for o in &course.observations {
        let Some(t) = day(&mut days, o.date, &in_range, &label) else {
            continue;
        };
        match o.kind {
            ObservationKind::Lab(Analyte::Anc) => t.counts[0] = o.number(),
            ObservationKind::Lab(Analyte::Platelets) => t.counts[1] = o.number(),
            ObservationKind::Lab(Analyte::Hemoglobin) => t.counts[2] = o.number(),
            ObservationKind::Chimerism => {
                if let (Some(l), Some(p)) = (o.lineage, &o.person) {
                    chim.entry((o.date, l))
                        .or_default()
                        .push(format!("{p} {}", value_text(o)));
                }
            }
            k if is_gvhd(k) => {
                let mut s = format!("{} {}", k.label(), value_text(o));
                if let Some(a) = o.attribution {
                    let a = serde_json::to_value(a)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    let _ = write!(s, " ({a})");
                }
                t.gvhd.push(s);
            }
            k => t.other.push(format!("{} {}", k.label(), value_text(o))),
        }
    }
    for ((d, l), persons) in chim {
        if let Some(t) = days.get_mut(&d) {
            t.chimerism
                .push(format!("{}: {}", l.label(), persons.join(", ")));
        }
    }
    Ok(days.into_values().collect())
}

/// Renders the timeline as aligned text, one line per day.
pub fn render_timeline(course: &Course, days: &[TimelineDay]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "patient {} ({:?}, born {}), {} events, {} observations",
        course.patient.id,
        course.patient.sex,
        course.patient.birth_year,
        course.events.len(),
        course.observations.len()
    );
    if let Some(i) = &course.illustrative {
        let _ = writeln!(out, "illustrative: {i}");
    }
    let w = days
        .iter()
        .map(|d| d.day.chars().count())
        .max()
        .unwrap_or(3)
        .max(3);
    let _ = writeln!(
        out,
        "{:<w$}  {:<10}  {:>7} {:>6} {:>5}  DETAILS",
        "DAY", "DATE", "ANC", "PLT", "Hb"
    );
    let _ = writeln!(
        out,
        "{:<w$}  {:<10}  {:>7} {:>6} {:>5}  (ANC, PLT ×10⁹/L; Hb g/dL)",
        "", "", "", "", ""
    );
    for d in days {
        let c = |i: usize| d.counts[i].map(short).unwrap_or_else(|| "·".into());
        let mut parts = Vec::new();
        if !d.events.is_empty() {
            parts.push(d.events.join("; "));
        }
        if !d.gvhd.is_empty() {
            parts.push(format!("GVHD: {}", d.gvhd.join(", ")));
        }
        if !d.chimerism.is_empty() {
            parts.push(format!("chimerism {}", d.chimerism.join("; ")));
        }
        if !d.other.is_empty() {
            parts.push(d.other.join(", "));
        }
        let line = format!(
            "{:<w$}  {}  {:>7} {:>6} {:>5}  {}",
            d.day,
            d.date,
            c(0),
            c(1),
            c(2),
            parts.join(" | ")
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.3), "0.3");
        assert_eq!(short(20.0), "20");
        assert_eq!(short(8.125), "8.125");
        assert_eq!(short(2.6e7), "2.60e7");
        assert_eq!(short(0.0), "0");
    }
}

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

/// A number with at most 3 decimals, trailing zeros removed (one home:
/// `graftwatch_core::number::short`).
pub use graftwatch_core::number::short;

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

/// One event as a timeline phrase: what it was, then its duration.
fn describe_event(e: &Event) -> String {
    let mut s = describe_detail(&e.detail);
    s.push_str(&duration_text(e));
    s
}

/// ` until END (N d)` for an event that ends on a later day, ` (ongoing)`
/// for an open-ended one that has a duration, else nothing.
fn duration_text(e: &Event) -> String {
    match e.end_date {
        Some(end) if end != e.date => {
            let n = end.days_since(e.date).get() + 1;
            format!(" until {end} ({n} d)")
        }
        None if e.detail.has_duration() => " (ongoing)".into(),
        _ => String::new(),
    }
}

/// What an event was, in words (no duration).
fn describe_detail(detail: &EventDetail) -> String {
    match detail {
        EventDetail::Chemotherapy { regimen, .. } => format!("chemotherapy {regimen}"),
        EventDetail::Lymphodepletion { regimen, .. } => format!("lymphodepletion {regimen}"),
        EventDetail::CarTInfusion {
            target,
            product,
            dose_per_kg,
        } => {
            let mut s = format!("CAR-T infusion {product} (anti-{target})");
            if let Some(d) = dose_per_kg {
                let _ = write!(s, " {} cells/kg", short(d.get()));
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
                let _ = write!(s, " TNC {}/kg", short(t.get()));
            }
            if let Some(c) = cd34_per_kg {
                let _ = write!(s, " CD34 {}/kg", short(c.get()));
            }
            s
        }
        EventDetail::Dli {
            donor, cd3_per_kg, ..
        } => format!("DLI {donor} CD3 {}/kg", short(cd3_per_kg.get())),
        EventDetail::Transfusion { product, units } => transfusion_text(*product, *units),
        EventDetail::Drug {
            name,
            dose,
            dose_unit,
            ..
        } => drug_text(name, *dose, dose_unit.as_deref()),
        EventDetail::OxygenSupport { device, flow_l_min } => {
            let d = serde_words(device, true);
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
            format!("biopsy {site}: {}", serde_words(result, true))
        }
        EventDetail::Death { cause } => format!("death ({cause})"),
    }
}

/// The serialised (snake_case) name of a unit enum value, with `_` turned
/// into spaces when `spaces`; empty when it does not serialise to a string.
fn serde_words<T: serde::Serialize>(v: &T, spaces: bool) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| {
            v.as_str().map(|s| {
                if spaces {
                    s.replace('_', " ")
                } else {
                    s.to_string()
                }
            })
        })
        .unwrap_or_default()
}

/// `transfusion platelets ×2`.
fn transfusion_text(product: crate::event::TransfusionProduct, units: Option<u32>) -> String {
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

/// `NAME DOSE UNIT`; the unit only with a dose.
fn drug_text(name: &str, dose: Option<f64>, dose_unit: Option<&str>) -> String {
    let mut s = name.to_string();
    if let Some(d) = dose {
        let _ = write!(s, " {}", short(d));
        if let Some(u) = dose_unit {
            let _ = write!(s, " {u}");
        }
    }
    s
}

/// The anchors of a course as an error message lists them.
fn anchor_names(anchors: &[Anchor]) -> String {
    if anchors.is_empty() {
        return "none".to_string();
    }
    anchors
        .iter()
        .map(|a| format!("{} on {}", a.kind, a.date))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The anchor `from`/`to` count from: the first of the chosen kind (an
/// error when there is none), else the first HCT, CAR-T or DLI.
fn reference_anchor(
    anchors: &[Anchor],
    choice: Option<AnchorChoice>,
) -> Result<Option<Anchor>, TimelineError> {
    let first = |c: AnchorChoice| anchors.iter().copied().find(|a| c.matches(a.kind));
    match choice {
        Some(c) => first(c)
            .map(Some)
            .ok_or_else(|| TimelineError::NoSuchAnchor(c.as_str(), anchor_names(anchors))),
        None => Ok([AnchorChoice::Hct, AnchorChoice::CarT, AnchorChoice::Dli]
            .into_iter()
            .find_map(first)),
    }
}

/// Checks `from`/`to` against each other and against the anchor they need.
fn check_range(opts: &TimelineOptions, reference: Option<Anchor>) -> Result<(), TimelineError> {
    if let (Some(f), Some(t)) = (opts.from, opts.to)
        && f > t
    {
        return Err(TimelineError::EmptyRange(f, t));
    }
    if (opts.from.is_some() || opts.to.is_some()) && reference.is_none() {
        return Err(TimelineError::NoAnchor);
    }
    Ok(())
}

/// The days of the timeline as they are collected: which days are shown
/// and how each is labelled.
struct Days<'a> {
    course: &'a Course,
    anchors: Vec<Anchor>,
    opts: &'a TimelineOptions,
    reference: Option<Anchor>,
    days: BTreeMap<Date, TimelineDay>,
}

impl Days<'_> {
    /// Whether a date is inside `from`..=`to` (every date without a range).
    fn in_range(&self, d: Date) -> bool {
        match self.reference {
            Some(r) => {
                let n = r.day(d).get();
                self.opts.from.is_none_or(|f| n >= f) && self.opts.to.is_none_or(|t| n <= t)
            }
            None => true,
        }
    }

    /// The anchor a date is counted from: with a chosen kind, the latest of
    /// it on or before the date; without, a transplant or CAR-T infusion
    /// within [`PRE_ANCHOR_DAYS`] after the date (day −N), else the course's
    /// primary anchor for the date; else the reference anchor.
    fn anchor_for(&self, d: Date) -> Option<Anchor> {
        let mut anchors = self.anchors.iter().copied();
        match self.opts.anchor {
            Some(c) => anchors.rfind(|a| c.matches(a.kind) && a.date <= d),
            None => anchors
                .filter(|a| {
                    a.kind.is_therapy()
                        && a.date > d
                        && a.date.days_since(d).get() <= PRE_ANCHOR_DAYS
                })
                .min_by_key(|a| a.date)
                .or_else(|| self.course.primary_anchor_for(d)),
        }
        .or(self.reference)
    }

    /// The day of a date, created on first use; `None` outside the range.
    fn day(&mut self, d: Date) -> Option<&mut TimelineDay> {
        if !self.in_range(d) {
            return None;
        }
        let label = self
            .anchor_for(d)
            .map_or_else(|| "-".to_string(), |a| a.describe(d));
        Some(self.days.entry(d).or_insert_with(|| TimelineDay {
            date: d,
            day: label,
            counts: [None; 3],
            events: Vec::new(),
            gvhd: Vec::new(),
            chimerism: Vec::new(),
            other: Vec::new(),
        }))
    }
}

/// Chimerism results of one day and lineage, persons in file order.
type ChimerismByDay = BTreeMap<(Date, graftwatch_core::Lineage), Vec<String>>;

/// Puts one observation into its day: a count column, the chimerism of
/// its lineage, the GVHD findings, or the other observations.
fn add_observation(t: &mut TimelineDay, o: &Observation, chim: &mut ChimerismByDay) {
    match o.kind {
        ObservationKind::Lab(Analyte::Anc) => t.counts[0] = o.number(),
        ObservationKind::Lab(Analyte::Platelets) => t.counts[1] = o.number(),
        ObservationKind::Lab(Analyte::Hemoglobin) => t.counts[2] = o.number(),
        ObservationKind::Chimerism => {
            if let (Some(l), Some(p)) = (o.lineage, &o.person) {
                // A person the laboratory did not detect reads `< LoD`
                // (graftwatch_core::reported).
                let v = match (o.detected, o.lod_percent) {
                    (Some(false), Some(lod)) => {
                        let d = graftwatch_core::reported::Decimals { share: 2, limit: 2 };
                        let r =
                            graftwatch_core::reported::reported_percent(0.0, Some(lod.get()), d);
                        format!("{r}%")
                    }
                    (Some(false), None) => "not detected".to_string(),
                    _ => value_text(o),
                };
                chim.entry((o.date, l))
                    .or_default()
                    .push(format!("{p} {v}"));
            }
        }
        k if is_gvhd(k) => {
            let mut s = format!("{} {}", k.label(), value_text(o));
            if let Some(a) = o.attribution {
                let _ = write!(s, " ({})", serde_words(&a, false));
            }
            t.gvhd.push(s);
        }
        k => t.other.push(format!("{} {}", k.label(), value_text(o))),
    }
}

/// Builds the timeline.
pub fn timeline(
    course: &Course,
    opts: &TimelineOptions,
) -> Result<Vec<TimelineDay>, TimelineError> {
    let anchors = course.anchors();
    let reference = reference_anchor(&anchors, opts.anchor)?;
    check_range(opts, reference)?;
    let mut days = Days {
        course,
        anchors,
        opts,
        reference,
        days: BTreeMap::new(),
    };
    for e in &course.events {
        if let Some(t) = days.day(e.date) {
            t.events.push(describe_event(e));
        }
    }
    let mut chim = ChimerismByDay::new();
    for o in &course.observations {
        if let Some(t) = days.day(o.date) {
            add_observation(t, o, &mut chim);
        }
    }
    let mut days = days.days;
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
    use super::*;
    use crate::event::TransfusionProduct;

    fn full() -> Course {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/examples/course-full.json");
        crate::read_course(&p).expect("docs example").course
    }

    fn drug(start: &str, end: Option<&str>) -> Event {
        let mut v = serde_json::json!({
            "date": start, "kind": "drug", "name": "ruxolitinib", "class": "immunosuppressant",
            "dose": 5, "dose_unit": "mg"
        });
        if let Some(end) = end {
            v["end_date"] = end.into();
        }
        serde_json::from_value(v).expect("a drug event")
    }

    #[test]
    fn durations_name_the_last_day_and_count_both_ends() {
        let e = drug("2024-03-01", Some("2024-03-10"));
        assert_eq!(duration_text(&e), " until 2024-03-10 (10 d)");
        // Ending on the start day is a one-day event: no duration shown.
        assert_eq!(duration_text(&drug("2024-03-01", Some("2024-03-01"))), "");
        // Open-ended drugs are ongoing.
        assert_eq!(duration_text(&drug("2024-03-01", None)), " (ongoing)");
        assert_eq!(
            describe_event(&e),
            "ruxolitinib 5 mg until 2024-03-10 (10 d)"
        );
    }

    #[test]
    fn doses_and_units_are_shown_only_when_given() {
        assert_eq!(drug_text("ATG", None, Some("mg/kg")), "ATG");
        assert_eq!(drug_text("ATG", Some(2.5), None), "ATG 2.5");
        assert_eq!(drug_text("ATG", Some(2.5), Some("mg/kg")), "ATG 2.5 mg/kg");
        assert_eq!(
            transfusion_text(TransfusionProduct::Rbc, Some(2)),
            "transfusion RBC ×2"
        );
        assert_eq!(
            transfusion_text(TransfusionProduct::Platelets, None),
            "transfusion platelets"
        );
    }

    #[test]
    fn the_reference_is_the_chosen_kind_or_hct_then_car_t_then_dli() {
        let anchors = full().anchors();
        let hct = reference_anchor(&anchors, None).unwrap().unwrap();
        assert!(matches!(hct.kind, AnchorKind::Transplant(1)), "{hct:?}");
        let car_t = reference_anchor(&anchors, Some(AnchorChoice::CarT))
            .unwrap()
            .unwrap();
        assert!(matches!(car_t.kind, AnchorKind::CarT(1)), "{car_t:?}");
        let hct_only: Vec<Anchor> = anchors
            .iter()
            .copied()
            .filter(|a| matches!(a.kind, AnchorKind::Transplant(_)))
            .collect();
        let e = reference_anchor(&hct_only, Some(AnchorChoice::Dli)).unwrap_err();
        assert_eq!(
            e,
            TimelineError::NoSuchAnchor("dli", "HCT on 2023-08-28".into())
        );
        assert_eq!(reference_anchor(&[], None), Ok(None));
        assert_eq!(anchor_names(&[]), "none");
    }

    #[test]
    fn a_range_needs_an_anchor_and_from_not_after_to() {
        let o = |from, to| TimelineOptions {
            from,
            to,
            anchor: None,
        };
        let a = full().anchors()[0];
        assert_eq!(check_range(&o(Some(2), Some(2)), Some(a)), Ok(()));
        assert_eq!(
            check_range(&o(Some(3), Some(2)), Some(a)),
            Err(TimelineError::EmptyRange(3, 2))
        );
        assert_eq!(
            check_range(&o(None, Some(2)), None),
            Err(TimelineError::NoAnchor)
        );
        assert_eq!(check_range(&o(None, None), None), Ok(()));
    }

    #[test]
    fn days_before_a_transplant_count_from_it_up_to_the_pre_anchor_window() {
        let course = full();
        let opts = TimelineOptions::default();
        let anchors = course.anchors();
        let hct = reference_anchor(&anchors, None).unwrap().unwrap();
        let days = Days {
            course: &course,
            anchors,
            opts: &opts,
            reference: Some(hct),
            days: BTreeMap::new(),
        };
        let before = |n: i64| {
            let d = hct.date.checked_add_days(-n).expect("a date");
            days.anchor_for(d).map(|a| a.kind)
        };
        let window = i64::from(PRE_ANCHOR_DAYS);
        assert_eq!(before(window), Some(hct.kind));
        assert_ne!(before(window + 1), Some(hct.kind));
    }
}

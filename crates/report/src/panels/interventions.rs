//! Interventions and episodes as swim lanes: cell infusions (markers),
//! chemotherapy and conditioning, ICU and infections, oxygen, and each drug
//! class (bars from start to stop). Overlapping bars in a lane are stacked
//! in sub-rows so none hides another.

use std::fmt::Write as _;

use graftwatch_core::Date;
use graftwatch_course::{Course, DrugClass, Event, EventDetail, OxygenDevice};

use crate::draw::{self, Shape, text, text_width};
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::format::{graft_doses, num, sci};
use crate::palette;
use crate::scale::DayScale;

/// A swim lane, top to bottom in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    /// CAR-T infusions, graft infusions, DLIs (markers).
    CellInfusions,
    /// Chemotherapy, lymphodepletion, conditioning.
    Chemotherapy,
    /// ICU stays and infection episodes (e.g. septic shock).
    IcuInfection,
    /// Oxygen support.
    Oxygen,
    /// Vasopressors.
    Vasopressors,
    /// Immunosuppressants (GVHD prophylaxis and treatment).
    Immunosuppression,
    /// Systemic corticosteroids.
    Steroids,
    /// G-CSF.
    GCsf,
    /// Anti-cytokine therapy.
    Anticytokine,
    /// Antimicrobials.
    Antimicrobials,
    /// Anti-leukaemic drugs.
    AntiLeukemic,
    /// Other drugs.
    OtherDrugs,
    /// Biopsies and death (markers).
    Procedures,
}

impl Lane {
    /// Lane name shown at the left.
    pub fn label(self) -> &'static str {
        match self {
            Lane::CellInfusions => "Cell infusions",
            Lane::Chemotherapy => "Chemo / conditioning",
            Lane::IcuInfection => "ICU · infection",
            Lane::Oxygen => "Oxygen",
            Lane::Vasopressors => "Vasopressors",
            Lane::Immunosuppression => "Immunosuppression",
            Lane::Steroids => "Steroids",
            Lane::GCsf => "G-CSF",
            Lane::Anticytokine => "Anti-cytokine",
            Lane::Antimicrobials => "Antimicrobials",
            Lane::AntiLeukemic => "Anti-leukaemic",
            Lane::OtherDrugs => "Other drugs",
            Lane::Procedures => "Biopsy · death",
        }
    }

    /// Lane id used in element ids (`lane-immunosuppression`).
    pub fn key(self) -> &'static str {
        match self {
            Lane::CellInfusions => "cell-infusions",
            Lane::Chemotherapy => "chemotherapy",
            Lane::IcuInfection => "icu-infection",
            Lane::Oxygen => "oxygen",
            Lane::Vasopressors => "vasopressors",
            Lane::Immunosuppression => "immunosuppression",
            Lane::Steroids => "steroids",
            Lane::GCsf => "g-csf",
            Lane::Anticytokine => "anticytokine",
            Lane::Antimicrobials => "antimicrobials",
            Lane::AntiLeukemic => "anti-leukemic",
            Lane::OtherDrugs => "other-drugs",
            Lane::Procedures => "procedures",
        }
    }
}

/// One bar or marker in a lane.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneItem {
    /// Lane.
    pub lane: Lane,
    /// First day.
    pub start: Date,
    /// Last day (inclusive); `None` for an open-ended course (drawn to the
    /// end of the figure). Equal to `start` for single-day items.
    pub end: Option<Date>,
    /// `Some` for a point event drawn as a marker.
    pub marker: Option<Shape>,
    /// Short label.
    pub label: String,
    /// Full description for the hover title.
    pub detail: String,
    /// Colour.
    pub colour: &'static str,
    /// CSS class (e.g. `dli`, `drug immunosuppressant`).
    pub class: String,
}

fn device_label(d: OxygenDevice) -> &'static str {
    match d {
        OxygenDevice::NasalCannula => "NC",
        OxygenDevice::BlowBy => "blow-by",
        OxygenDevice::HighFlowNasalCannula => "HFNC",
        OxygenDevice::Facemask => "facemask",
        OxygenDevice::NonRebreather => "NRB",
        OxygenDevice::Venturi => "Venturi",
        OxygenDevice::Cpap => "CPAP",
        OxygenDevice::Bipap => "BiPAP",
        OxygenDevice::MechanicalVentilation => "ventilation",
    }
}

fn drug_lane(class: DrugClass) -> (Lane, &'static str, &'static str) {
    match class {
        DrugClass::Immunosuppressant => (
            Lane::Immunosuppression,
            palette::TREATMENT,
            "immunosuppressant",
        ),
        DrugClass::Steroid => (Lane::Steroids, palette::TREATMENT, "steroid"),
        DrugClass::GCsf => (Lane::GCsf, palette::TREATMENT, "g-csf"),
        DrugClass::Anticytokine => (Lane::Anticytokine, palette::TREATMENT, "anticytokine"),
        DrugClass::Vasopressor => (Lane::Vasopressors, palette::CRITICAL, "vasopressor"),
        DrugClass::Antimicrobial => (Lane::Antimicrobials, palette::TREATMENT, "antimicrobial"),
        DrugClass::AntiLeukemic => (Lane::AntiLeukemic, palette::TREATMENT, "anti-leukemic"),
        DrugClass::Other => (Lane::OtherDrugs, palette::TREATMENT, "other"),
    }
}

/// The lane items of a course, in event order. Transfusions are not here
/// (they have their own panel).
pub fn lane_items(course: &Course) -> Vec<LaneItem> {
    course.events.iter().filter_map(lane_item).collect()
}

/// The lane item of one event (`None` for transfusions, which have their own
/// panel).
/// The lane item of one event (`None`: transfusions are not drawn here).
pub fn lane_item(e: &Event) -> Option<LaneItem> {
    match &e.detail {
        EventDetail::CarTInfusion { .. }
        | EventDetail::GraftInfusion { .. }
        | EventDetail::Dli { .. } => cell_infusion_item(e),
        EventDetail::Chemotherapy { .. }
        | EventDetail::Lymphodepletion { .. }
        | EventDetail::Conditioning { .. } => chemotherapy_item(e),
        EventDetail::Drug { .. } => drug_item(e),
        EventDetail::OxygenSupport { .. }
        | EventDetail::IcuStay { .. }
        | EventDetail::Infection { .. } => supportive_item(e),
        EventDetail::Biopsy { .. } | EventDetail::Death { .. } => procedure_item(e),
        EventDetail::Transfusion { .. } => None,
    }
}

/// The event's note as " — note" (empty without one).
fn note_suffix(e: &Event) -> String {
    e.note
        .as_ref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default()
}

/// A CAR-T, graft or DLI infusion on the cell-infusion lane.
fn cell_infusion_item(e: &Event) -> Option<LaneItem> {
    let note = &note_suffix(e);
    let single = Some(e.end_date.unwrap_or(e.date));
    Some(match &e.detail {
        EventDetail::CarTInfusion {
            target,
            product,
            dose_per_kg,
        } => LaneItem {
            lane: Lane::CellInfusions,
            start: e.date,
            end: single,
            marker: Some(Shape::Star),
            label: match dose_per_kg {
                Some(d) => format!("CAR-T {target} {}/kg", sci(d.get())),
                None => format!("CAR-T {target}"),
            },
            detail: format!(
                "CAR-T infusion: {product}, target {target}{}{note}",
                dose_per_kg
                    .map(|d| format!(", {} CAR+ cells/kg", sci(d.get())))
                    .unwrap_or_default()
            ),
            colour: palette::CAR_T,
            class: "cart".into(),
        },
        EventDetail::GraftInfusion {
            source,
            donor,
            tnc_per_kg,
            cd34_per_kg,
            cd3_per_kg,
            ..
        } => {
            let doses: Vec<String> = graft_doses(*tnc_per_kg, *cd34_per_kg, *cd3_per_kg)
                .map(|(n, v)| format!("{n} {}/kg", sci(v)))
                .collect();
            LaneItem {
                lane: Lane::CellInfusions,
                start: e.date,
                end: single,
                marker: Some(Shape::Triangle),
                label: crate::format::graft_name(*source, donor),
                detail: format!(
                    "{} graft from {donor}: {}{note}",
                    source.label(),
                    doses.join(", ")
                ),
                colour: palette::donor(Some(*source), 0),
                class: "graft".into(),
            }
        }
        EventDetail::Dli {
            donor,
            cd3_per_kg,
            intent,
        } => LaneItem {
            lane: Lane::CellInfusions,
            start: e.date,
            end: single,
            marker: Some(Shape::Diamond),
            label: format!("DLI {}", sci(cd3_per_kg.get())),
            detail: format!(
                "DLI from {donor}: {} CD3+/kg{}{note}",
                sci(cd3_per_kg.get()),
                intent
                    .map(|i| format!(", {}", format!("{i:?}").to_lowercase()))
                    .unwrap_or_default()
            ),
            colour: palette::DLI,
            class: "dli".into(),
        },
        _ => return None,
    })
}

/// Chemotherapy, lymphodepletion or conditioning on the chemotherapy lane.
fn chemotherapy_item(e: &Event) -> Option<LaneItem> {
    let note = &note_suffix(e);
    let single = Some(e.end_date.unwrap_or(e.date));
    Some(match &e.detail {
        EventDetail::Chemotherapy {
            regimen,
            line,
            intent,
        } => LaneItem {
            lane: Lane::Chemotherapy,
            start: e.date,
            end: single,
            marker: None,
            label: regimen.split(" (").next().unwrap_or(regimen).to_string(),
            detail: format!(
                "Chemotherapy{}{}: {regimen}{note}",
                line.map(|l| format!(" line {l}")).unwrap_or_default(),
                intent
                    .as_ref()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default()
            ),
            colour: palette::TREATMENT,
            class: "chemotherapy".into(),
        },
        EventDetail::Lymphodepletion { regimen, agents } => LaneItem {
            lane: Lane::Chemotherapy,
            start: e.date,
            end: single,
            marker: None,
            label: format!("LD {regimen}"),
            detail: format!("Lymphodepletion {regimen}: {}{note}", agents_text(agents)),
            colour: palette::CAR_T,
            class: "lymphodepletion".into(),
        },
        EventDetail::Conditioning {
            regimen,
            intensity,
            agents,
        } => LaneItem {
            lane: Lane::Chemotherapy,
            start: e.date,
            end: single,
            marker: None,
            label: "Conditioning".into(),
            detail: format!(
                "Conditioning {regimen}{}{}{note}",
                intensity
                    .map(|i| format!(" ({})", intensity_words(i)))
                    .unwrap_or_default(),
                Some(agents_text(agents))
                    .filter(|a| !a.is_empty())
                    .map(|a| format!(": {a}"))
                    .unwrap_or_default()
            ),
            colour: palette::TRANSPLANT,
            class: "conditioning".into(),
        },
        _ => return None,
    })
}

/// A drug on its class's lane, drawn over its duration.
fn drug_item(e: &Event) -> Option<LaneItem> {
    let note = &note_suffix(e);
    let duration_end = e.end_date; // None = open-ended
    Some(match &e.detail {
        EventDetail::Drug {
            name,
            class,
            dose,
            dose_unit,
        } => {
            let (lane, colour, cls) = drug_lane(*class);
            LaneItem {
                lane,
                start: e.date,
                end: duration_end,
                marker: None,
                label: name.clone(),
                detail: format!(
                    "{name}{}{note}",
                    match (dose, dose_unit) {
                        (Some(d), Some(u)) => format!(" {} {u}", num(*d, 3)),
                        (Some(d), None) => format!(" {}", num(*d, 3)),
                        (None, Some(u)) => format!(" {u}"),
                        (None, None) => String::new(),
                    }
                ),
                colour,
                class: format!("drug {cls}"),
            }
        }
        _ => return None,
    })
}

/// Oxygen support, an ICU stay or an infection, drawn over its duration.
fn supportive_item(e: &Event) -> Option<LaneItem> {
    let note = &note_suffix(e);
    let duration_end = e.end_date; // None = open-ended
    Some(match &e.detail {
        EventDetail::OxygenSupport { device, flow_l_min } => {
            let label = match flow_l_min {
                Some(f) => format!("{} {} L/min", device_label(*device), num(*f, 1)),
                None => device_label(*device).to_string(),
            };
            LaneItem {
                lane: Lane::Oxygen,
                start: e.date,
                end: duration_end,
                marker: None,
                detail: format!("Oxygen: {label}{note}"),
                label,
                colour: palette::CRITICAL,
                class: "oxygen".into(),
            }
        }
        EventDetail::IcuStay { reason } => LaneItem {
            lane: Lane::IcuInfection,
            start: e.date,
            end: duration_end,
            marker: None,
            label: "ICU".into(),
            detail: format!(
                "ICU stay{}{note}",
                reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            colour: palette::CRITICAL,
            class: "icu".into(),
        },
        EventDetail::Infection { syndrome, organism } => LaneItem {
            lane: Lane::IcuInfection,
            start: e.date,
            end: duration_end,
            marker: None,
            label: syndrome.clone(),
            detail: format!(
                "Infection: {syndrome}{}{note}",
                organism
                    .as_ref()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default()
            ),
            colour: palette::CRITICAL,
            class: "infection".into(),
        },
        _ => return None,
    })
}

/// A biopsy or death on the procedures lane.
fn procedure_item(e: &Event) -> Option<LaneItem> {
    let note = &note_suffix(e);
    let single = Some(e.end_date.unwrap_or(e.date));
    Some(match &e.detail {
        EventDetail::Biopsy { site, result } => LaneItem {
            lane: Lane::Procedures,
            start: e.date,
            end: single,
            marker: Some(Shape::Circle),
            label: format!("{site} biopsy"),
            detail: format!(
                "Biopsy ({site}): {}{note}",
                format!("{result:?}").to_lowercase()
            ),
            colour: palette::INK,
            class: "biopsy".into(),
        },
        EventDetail::Death { cause } => LaneItem {
            lane: Lane::Procedures,
            start: e.date,
            end: single,
            marker: Some(Shape::Square),
            label: "death".into(),
            detail: format!("Death: {cause}{note}"),
            colour: palette::INK,
            class: "death".into(),
        },
        _ => return None,
    })
}

/// A conditioning intensity in words: "reduced intensity".
fn intensity_words(i: graftwatch_course::ConditioningIntensity) -> &'static str {
    use graftwatch_course::ConditioningIntensity as I;
    match i {
        I::Myeloablative => "myeloablative",
        I::ReducedIntensity => "reduced intensity",
        I::NonMyeloablative => "non-myeloablative",
    }
}

fn agents_text(agents: &[graftwatch_course::AgentDose]) -> String {
    agents
        .iter()
        .map(|a| {
            let mut s = a.name.clone();
            if let Some(d) = a.dose {
                let _ = write!(s, " {}", num(d, 3));
            }
            if let Some(u) = &a.unit {
                let _ = write!(s, " {u}");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

const ROW_H: f64 = 14.0;
const LANE_PAD: f64 = 4.0;
const LABEL_FONT: f64 = 10.0;
/// Items of one lane with the same label starting within this many days of
/// the previous one's end are labelled once (`methotrexate ×3`).
const CLUSTER_GAP_DAYS: i32 = 10;

/// Items of one lane drawn together under one label.
#[derive(Debug, Clone)]
struct Cluster<'a> {
    items: Vec<&'a LaneItem>,
    label: String,
}

/// Where a cluster and its label go: the label inside the (single) bar
/// when it fits, else right of the last item, else left of the first.
#[derive(Debug, Clone, Copy)]
struct Placement {
    /// Pixel extent of bars/markers and label together (for packing).
    extent: (f64, f64),
    /// Label x (start anchor) and whether it sits on a bar fill.
    label_x: f64,
    inside: bool,
}

fn item_days(item: &LaneItem, x: &DayScale, origin: Date) -> Option<(i32, i32)> {
    let s = item.start.days_since(origin).get();
    let e = item
        .end
        .map(|d| d.days_since(origin).get())
        .unwrap_or(x.end);
    (e >= x.start && s <= x.end).then_some((s, e))
}

/// Pixel extent of an item's bar or marker alone.
fn item_px(item: &LaneItem, x: &DayScale, origin: Date) -> Option<(f64, f64)> {
    let (s, e) = item_days(item, x, origin)?;
    match item.marker {
        Some(_) => {
            let cx = x.x(s as f64 + 0.5);
            Some((cx - 6.0, cx + 6.0))
        }
        None => {
            let x0 = x.x(s.max(x.start) as f64);
            let x1 = x.x((e.min(x.end) + 1) as f64).max(x0 + 2.0);
            Some((x0, if item.end.is_none() { x1 + 7.0 } else { x1 }))
        }
    }
}

fn place(c: &Cluster, x: &DayScale, origin: Date) -> Option<Placement> {
    let px: Vec<(f64, f64)> = c
        .items
        .iter()
        .filter_map(|i| item_px(i, x, origin))
        .collect();
    let (a, b) = (
        px.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
        px.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
    );
    if px.is_empty() {
        return None;
    }
    let w = text_width(&c.label, LABEL_FONT);
    let bar = c.items.len() == 1 && c.items[0].marker.is_none();
    if bar && w + 6.0 <= b - a {
        return Some(Placement {
            extent: (a, b),
            label_x: a + 3.0,
            inside: true,
        });
    }
    let limit = x.right + crate::figure::RIGHT_MARGIN - 4.0;
    if b + 3.0 + w <= limit {
        Some(Placement {
            extent: (a, b + 3.0 + w),
            label_x: b + 3.0,
            inside: false,
        })
    } else {
        Some(Placement {
            extent: (a - 3.0 - w, b),
            label_x: a - 3.0 - w,
            inside: false,
        })
    }
}

fn clusters<'a>(items: &[&'a LaneItem], x: &DayScale, origin: Date) -> Vec<Cluster<'a>> {
    let mut sorted: Vec<&LaneItem> = items
        .iter()
        .copied()
        .filter(|i| item_days(i, x, origin).is_some())
        .collect();
    sorted.sort_by_key(|i| i.start);
    let mut out: Vec<Cluster> = Vec::new();
    for it in sorted {
        let joined = out
            .iter_mut()
            .rev()
            .find(|c| c.items[0].label == it.label)
            .filter(|c| {
                let last = c.items[c.items.len() - 1];
                let last_end = last.end.unwrap_or(last.start);
                it.marker.is_none()
                    && last.end.is_some()
                    && it.start.days_since(last_end).get() <= CLUSTER_GAP_DAYS
            });
        match joined {
            Some(c) => c.items.push(it),
            None => out.push(Cluster {
                items: vec![it],
                label: it.label.clone(),
            }),
        }
    }
    for c in &mut out {
        if c.items.len() > 1 {
            c.label = format!("{} ×{}", c.label, c.items.len());
        }
    }
    out
}

type Packed<'a> = Vec<(Lane, Vec<Vec<(Cluster<'a>, Placement)>>)>;

/// Items grouped by lane and cluster, each lane packed into rows where no
/// bar, marker or label overlaps another (so every item keeps its label).
fn pack<'a>(items: &'a [LaneItem], x: &DayScale, origin: Date) -> Packed<'a> {
    let mut lanes: Vec<Lane> = items.iter().map(|i| i.lane).collect();
    lanes.sort();
    lanes.dedup();
    let mut out = Vec::new();
    for lane in lanes {
        let of_lane: Vec<&LaneItem> = items.iter().filter(|i| i.lane == lane).collect();
        let mut placed: Vec<(Cluster, Placement)> = clusters(&of_lane, x, origin)
            .into_iter()
            .filter_map(|c| place(&c, x, origin).map(|p| (c, p)))
            .collect();
        placed.sort_by(|a, b| a.1.extent.0.total_cmp(&b.1.extent.0));
        let mut rows: Vec<(f64, Vec<(Cluster, Placement)>)> = Vec::new();
        for (c, p) in placed {
            match rows.iter_mut().find(|(end, _)| *end + 4.0 <= p.extent.0) {
                Some(r) => {
                    r.0 = p.extent.1;
                    r.1.push((c, p));
                }
                None => rows.push((p.extent.1, vec![(c, p)])),
            }
        }
        if !rows.is_empty() {
            out.push((lane, rows.into_iter().map(|r| r.1).collect()));
        }
    }
    out
}

/// Swim lanes of interventions and episodes.
#[derive(Debug, Clone, Copy, Default)]
pub struct InterventionsPanel;

impl Panel for InterventionsPanel {
    fn id(&self) -> &str {
        "interventions"
    }

    fn height(&self, course: &Course, frame: &Frame) -> f64 {
        let items = lane_items(course);
        let packed = pack(&items, &frame.x, frame.origin);
        if packed.is_empty() {
            return 40.0;
        }
        packed.iter().map(|(_, rows)| lane_height(rows.len())).sum()
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let items = lane_items(ctx.course);
        let packed = pack(&items, &ctx.x, ctx.origin);
        draw::day_grid(out, ctx);
        if packed.is_empty() {
            super::no_data(
                out,
                ctx,
                "therapies, drugs or episodes in the figure window",
            );
            return;
        }
        let mut top = ctx.top;
        for (lane, rows) in &packed {
            let h = lane_height(rows.len());
            let _ = write!(out, r#"<g id="lane-{}" class="lane">"#, lane.key());
            if top > ctx.top {
                let _ = write!(
                    out,
                    r##"<line x1="{:.1}" x2="{:.1}" y1="{top:.1}" y2="{top:.1}" stroke="#d0d0d0" stroke-width="0.8"/>"##,
                    ctx.label_left, ctx.x.right
                );
            }
            text(
                out,
                ctx.x.left - 6.0,
                top + h / 2.0 + 4.0,
                "lane",
                "end",
                lane.label(),
            );
            for (r, row) in rows.iter().enumerate() {
                let cy = top + LANE_PAD + ROW_H * (r as f64 + 0.5);
                for (c, p) in row {
                    render_cluster(out, ctx, c, p, cy);
                }
            }
            out.push_str("</g>");
            top += h;
        }
    }

    fn legend_for(&self, course: &Course) -> Vec<LegendEntry> {
        let mut v = Vec::new();
        let has = |f: &dyn Fn(&EventDetail) -> bool| course.events.iter().any(|e| f(&e.detail));
        if has(&|d| matches!(d, EventDetail::CarTInfusion { .. })) {
            v.push(LegendEntry::new(
                "CAR-T infusion",
                palette::CAR_T,
                LegendSymbol::Marker(Shape::Star),
            ));
        }
        if has(&|d| matches!(d, EventDetail::GraftInfusion { .. })) {
            v.push(LegendEntry::new(
                "graft infusion (donor colour)",
                palette::DLI,
                LegendSymbol::Marker(Shape::Triangle),
            ));
        }
        if has(&|d| matches!(d, EventDetail::Dli { .. })) {
            v.push(LegendEntry::new(
                "DLI (donor colour)",
                palette::DLI,
                LegendSymbol::Marker(Shape::Diamond),
            ));
        }
        if has(&|d| {
            matches!(
                d,
                EventDetail::Drug { .. } | EventDetail::Chemotherapy { .. }
            )
        }) {
            v.push(LegendEntry::new(
                "drug / chemotherapy (lane = class)",
                palette::TREATMENT,
                LegendSymbol::Bar,
            ));
        }
        if has(&|d| {
            matches!(
                d,
                EventDetail::IcuStay { .. }
                    | EventDetail::Infection { .. }
                    | EventDetail::OxygenSupport { .. }
                    | EventDetail::Drug {
                        class: DrugClass::Vasopressor,
                        ..
                    }
            )
        }) {
            v.push(LegendEntry::new(
                "critical illness, organ support",
                palette::CRITICAL,
                LegendSymbol::Bar,
            ));
        }
        v
    }
}

fn lane_height(rows: usize) -> f64 {
    rows as f64 * ROW_H + 2.0 * LANE_PAD
}

fn span_text(ctx: &PanelContext, item: &LaneItem) -> String {
    let s = ctx.day_of(item.start);
    let e = item.end.map(|d| ctx.day_of(d)).unwrap_or(ctx.x.end);
    if s == e || item.marker.is_some() {
        ctx.when(item.start)
    } else if let Some(end) = item.end {
        ctx.when_span(item.start, end)
    } else {
        // Open-ended: "2024-02-28 to ongoing (HCT day −60 …, no stop date)".
        format!(
            "{} to ongoing ({} …, no stop date)",
            item.start,
            ctx.days(item.start, item.start)
        )
    }
}

fn render_cluster(out: &mut String, ctx: &PanelContext, c: &Cluster, p: &Placement, cy: f64) {
    for item in &c.items {
        render_item(out, ctx, item, cy);
    }
    let colour = c.items[0].colour;
    let fill = if p.inside {
        palette::text_on(colour)
    } else {
        palette::INK
    };
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" class="barlabel" fill="{fill}">{}<title>{}</title></text>"#,
        p.label_x,
        cy + 3.5,
        escape(&c.label),
        escape(
            &c.items
                .iter()
                .map(|i| format!("{} — {}", i.detail, span_text(ctx, i)))
                .collect::<Vec<_>>()
                .join("\n")
        )
    );
}

fn render_item(out: &mut String, ctx: &PanelContext, item: &LaneItem, cy: f64) {
    let s = ctx.day_of(item.start);
    let open = item.end.is_none();
    let e = item.end.map(|d| ctx.day_of(d)).unwrap_or(ctx.x.end);
    let title = format!("{} — {}", item.detail, span_text(ctx, item));
    let _ = write!(
        out,
        r#"<g class="item {}" data-date="{}">"#,
        escape(&item.class),
        item.start
    );
    match item.marker {
        Some(shape) => {
            let cx = ctx.x.x(s as f64 + 0.5);
            draw::marker(out, shape, cx, cy, 3.8, item.colour, "/>");
        }
        None => {
            let x0 = ctx.x.x(s.max(ctx.x.start) as f64);
            let x1 = ctx.x.x((e.min(ctx.x.end) + 1) as f64).max(x0 + 2.0);
            let _ = write!(
                out,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="2" fill="{}" fill-opacity="0.9"/>"#,
                cy - ROW_H / 2.0 + 1.5,
                x1 - x0,
                ROW_H - 3.0,
                item.colour
            );
            if open {
                let _ = write!(
                    out,
                    r#"<path d="M{x1:.1},{:.1} l6,4 l-6,4 Z" fill="{}"/>"#,
                    cy - 4.0,
                    item.colour
                );
            }
        }
    }
    let _ = write!(out, "<title>{}</title></g>", escape(&title));
}

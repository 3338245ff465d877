//! The course figure: panels stacked over one shared day axis, anchor lines
//! (CAR-T, HCT, each DLI) across all panels, a legend, a day axis and a
//! calendar axis. Later issues add panels (chimerism, GVHD, CRS/ICANS/ICAHT
//! bands, marrow/MRD, alerts) by implementing [`Panel`] and calling
//! [`Figure::add_panel`].

use std::fmt::Write as _;

use graftwatch_core::{Date, Fraction};
use graftwatch_course::{AnchorKind, Course, EventDetail};

use crate::draw::{self, Shape, text, text_width};
use crate::escape::escape;
use crate::format::{month_name, sci, signed_day};
use crate::palette;
use crate::panels::{CountsPanel, HemoglobinPanel, InterventionsPanel, TransfusionsPanel};
use crate::scale::{DayScale, YScale};

/// Width of the figure in pixels (the SVG scales to the page width).
pub const DEFAULT_WIDTH: f64 = 1200.0;
/// Space left of the plot for lane names and y-axis titles.
pub const LEFT_MARGIN: f64 = 150.0;
/// Space right of the plot for threshold labels.
pub const RIGHT_MARGIN: f64 = 96.0;
/// Last day drawn at full scale before the long-term follow-up is compressed.
pub const BREAK_DAY: i32 = 100;
/// Share of the plot width given to the days up to [`BREAK_DAY`].
pub const BREAK_SHARE: Fraction = Fraction::lit(0.64);
/// Days shown before the earliest CAR-T or transplant anchor.
pub const LEAD_IN_DAYS: i32 = 10;

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendSymbol {
    /// A line with a marker (a data series).
    Series(Shape),
    /// A dashed line (a threshold).
    Dashed,
    /// A filled bar (a therapy or episode).
    Bar,
    /// A vertical tick (a transfusion).
    Tick,
    /// A marker alone.
    Marker(Shape),
    /// A line with a dash pattern and a marker (a series told apart from
    /// others of the same colour by shape and dash).
    SeriesDashed(Shape, &'static str),
    /// An open (hollow) marker: a result below the detection limit.
    OpenMarker(Shape),
    /// A dotted line (a detection limit).
    Dotted,
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Label.
    pub label: String,
    /// Colour.
    pub colour: &'static str,
    /// Symbol.
    pub symbol: LegendSymbol,
}

impl LegendEntry {
    /// A legend entry.
    pub fn new(label: impl Into<String>, colour: &'static str, symbol: LegendSymbol) -> Self {
        LegendEntry {
            label: label.into(),
            colour,
            symbol,
        }
    }
}

/// What every panel needs to draw itself.
#[derive(Debug, Clone)]
pub struct PanelContext<'a> {
    /// The course.
    pub course: &'a Course,
    /// The shared day axis (pixels).
    pub x: DayScale,
    /// Date of day 0.
    pub origin: Date,
    /// What day 0 is, e.g. `HCT`.
    pub origin_label: String,
    /// The CAR-T infusions and transplants, for labelling a date by the
    /// therapy it follows ([`crate::format::therapy_period`]).
    pub therapies: Vec<graftwatch_course::Anchor>,
    /// Day ticks (for grid lines).
    pub ticks: Vec<i32>,
    /// Top pixel of this panel.
    pub top: f64,
    /// Height of this panel.
    pub height: f64,
    /// Left pixel of the label area (left of the plot).
    pub label_left: f64,
}

impl PanelContext<'_> {
    /// Days from day 0 to `date`.
    pub fn day_of(&self, date: Date) -> i32 {
        date.days_since(self.origin).get()
    }

    /// `date` with its day after the therapy it follows: "2024-03-05
    /// (CAR-T day +1)"; without a CAR-T or transplant, the figure's day 0.
    pub fn when(&self, date: Date) -> String {
        self.when_span(date, date)
    }

    /// A period with its days after the therapy it follows: "2024-03-05 to
    /// 2024-03-06 (CAR-T day +1 to +2)"; a single day as [`Self::when`].
    pub fn when_span(&self, from: Date, to: Date) -> String {
        let days = self.days(from, to);
        if from == to {
            format!("{from} ({days})")
        } else {
            format!("{from} to {to} ({days})")
        }
    }

    /// The days of a period after the therapy it follows: "CAR-T day +1 to
    /// +2" ([`crate::format::therapy_period`]); without a CAR-T or
    /// transplant, counted from the figure's day 0 ("first record +3").
    pub fn days(&self, from: Date, to: Date) -> String {
        crate::format::therapy_period(&self.therapies, from, to).unwrap_or_else(|| {
            if from == to {
                format!("{} {}", self.origin_label, signed_day(self.day_of(from)))
            } else {
                format!(
                    "{} {} to {}",
                    self.origin_label,
                    signed_day(self.day_of(from)),
                    signed_day(self.day_of(to))
                )
            }
        })
    }

    /// Pixel x of the start of `date`.
    pub fn x_of(&self, date: Date) -> f64 {
        self.x.x(self.day_of(date) as f64)
    }

    /// A y scale from `min` to `max` (log10 when `log`) over the panel's
    /// height less 4 px at the top and the bottom.
    pub fn y_scale(&self, min: f64, max: f64, log: bool) -> YScale {
        YScale {
            min,
            max,
            top: self.top + 4.0,
            bottom: self.top + self.height - 4.0,
            log,
        }
    }
}

/// A horizontal panel of the figure.
pub trait Panel {
    /// Short id; the panel is drawn as `<g id="panel-{id}">`.
    fn id(&self) -> &str;
    /// Height in pixels for this course and day axis (lane panels grow with
    /// their content).
    fn height(&self, course: &Course, frame: &Frame) -> f64;
    /// Draws the panel into `out` (SVG elements only).
    fn render(&self, ctx: &PanelContext, out: &mut String);
    /// Legend entries this panel contributes whatever the course.
    fn legend(&self) -> Vec<LegendEntry> {
        Vec::new()
    }
    /// Legend entries for what this panel draws for `course` (the figure
    /// calls this; the default is [`Panel::legend`]). A panel drawing
    /// only some of its series overrides it so the legend lists only
    /// what is drawn.
    fn legend_for(&self, course: &Course) -> Vec<LegendEntry> {
        let _ = course;
        self.legend()
    }
}

/// The day axis of a course: which date is day 0, which days are shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Date of day 0.
    pub origin: Date,
    /// What day 0 is (`HCT`, `CAR-T`, or `first record`).
    pub origin_label: String,
    /// The pixel scale.
    pub x: DayScale,
}

impl Frame {
    /// Day 0 is the first transplant (else the first CAR-T, else the first
    /// record); the window starts [`LEAD_IN_DAYS`] before the earliest
    /// CAR-T/transplant anchor and ends at the last record. With a transplant
    /// and follow-up well beyond [`BREAK_DAY`], the later days are compressed.
    /// `None` when the course has no dated record at all.
    pub fn for_course(course: &Course, width: f64) -> Option<Frame> {
        Frame::for_course_with_break(course, width, BREAK_DAY, BREAK_SHARE)
    }

    /// [`Frame::for_course`] with the full-scale part running to
    /// `break_day` and taking `break_share` of the width (the full report
    /// moves the break past late events such as GVHD after DLI).
    pub fn for_course_with_break(
        course: &Course,
        width: f64,
        break_day: i32,
        break_share: Fraction,
    ) -> Option<Frame> {
        let (first, last) = course.span()?;
        let anchors = course.anchors();
        let hct = anchors
            .iter()
            .find(|a| matches!(a.kind, AnchorKind::Transplant(_)));
        let cart = anchors
            .iter()
            .find(|a| matches!(a.kind, AnchorKind::CarT(_)));
        let (origin, origin_label) = match (hct, cart) {
            (Some(a), _) => (a.date, a.kind.to_string()),
            (None, Some(a)) => (a.date, a.kind.to_string()),
            (None, None) => (first, "first record".to_string()),
        };
        let earliest = anchors
            .iter()
            .filter(|a| !matches!(a.kind, AnchorKind::Dli(_)))
            .map(|a| a.date)
            .min();
        let start_date = match earliest {
            Some(e) => {
                let lead = e.add_days(-LEAD_IN_DAYS);
                if lead < first { first } else { lead }
            }
            None => first,
        };
        let start = start_date.days_since(origin).get();
        let end = last.days_since(origin).get().max(start + 1) + 3;
        let left = LEFT_MARGIN;
        let right = width - RIGHT_MARGIN;
        let x = if hct.is_some() && end > break_day + 30 && start < 0 {
            DayScale::with_break(start, end, left, right, break_day, break_share.get())
        } else {
            DayScale::linear(start, end, left, right)
        };
        Some(Frame {
            origin,
            origin_label,
            x,
        })
    }

    /// Day ticks: every 10 days before the break (20 when the break is after day +120), every 30 after it (or a
    /// step fitted to the range when there is no break).
    pub fn ticks(&self) -> Vec<i32> {
        if let Some((b, _)) = self.x.break_at {
            self.x.ticks(if b > 120 { 20 } else { 10 }, 30)
        } else {
            let span = self.x.end - self.x.start;
            let step = [7, 10, 14, 30, 60, 90, 180, 365]
                .into_iter()
                .find(|s| span / s <= 16)
                .unwrap_or(365);
            self.x.ticks(step, step)
        }
    }
}

/// A figure: a title, panels over a shared day axis.
pub struct Figure {
    /// Title shown above the legend.
    pub title: String,
    /// Width in pixels.
    pub width: f64,
    /// Last day at full scale before the follow-up is compressed
    /// (default [`BREAK_DAY`]).
    pub break_day: i32,
    /// Share of the plot width up to `break_day` (default [`BREAK_SHARE`]).
    pub break_share: Fraction,
    /// Paragraphs drawn under the axes (how to read the figure, the
    /// abbreviations), for a figure exported alone (SVG, PNG, PDF); the
    /// HTML report has its own caption instead. Empty: none.
    pub caption_block: Vec<String>,
    /// Whether the SVG carries its own `<style>` element ([`FIGURE_CSS`]):
    /// true (default) for a standalone SVG or report file; false for a
    /// figure embedded in a page that serves [`FIGURE_CSS`] in its
    /// stylesheet (a Content-Security-Policy without inline styles).
    pub inline_style: bool,
    panels: Vec<Box<dyn Panel>>,
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Figure")
            .field("title", &self.title)
            .field("width", &self.width)
            .field(
                "panels",
                &self
                    .panels
                    .iter()
                    .map(|p| p.id().to_string())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

const TITLE_H: f64 = 26.0;
const PANEL_GAP: f64 = 10.0;
const AXIS_H: f64 = 74.0;
const CAPTION_LINE_H: f64 = 15.0;

/// Splits `text` into lines no wider than `width` px at `font_px`.
pub fn wrap(text: &str, width: f64, font_px: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, font_px) > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

impl Figure {
    /// A figure with no panels.
    pub fn new(title: impl Into<String>) -> Figure {
        Figure {
            title: title.into(),
            width: DEFAULT_WIDTH,
            break_day: BREAK_DAY,
            break_share: BREAK_SHARE,
            caption_block: Vec::new(),
            inline_style: true,
            panels: Vec::new(),
        }
    }

    /// The standard course figure: ANC and platelets (log), transfusions,
    /// haemoglobin, and the interventions lanes.
    pub fn standard() -> Figure {
        let mut f = Figure::new("Blood counts, transfusions and interventions");
        f.add_panel(Box::new(CountsPanel));
        f.add_panel(Box::new(TransfusionsPanel));
        f.add_panel(Box::new(HemoglobinPanel));
        f.add_panel(Box::new(InterventionsPanel));
        f
    }

    /// Appends a panel below the existing ones.
    pub fn add_panel(&mut self, panel: Box<dyn Panel>) {
        self.panels.push(panel);
    }

    /// Inserts a panel at `index` (0 = top), clamped to the panel count.
    pub fn insert_panel(&mut self, index: usize, panel: Box<dyn Panel>) {
        let i = index.min(self.panels.len());
        self.panels.insert(i, panel);
    }

    /// Ids of the panels, top to bottom.
    pub fn panel_ids(&self) -> Vec<&str> {
        self.panels.iter().map(|p| p.id()).collect()
    }

    /// Renders the figure as a standalone SVG document (inline styles, no
    /// scripts, no external resources). A course with no dated record gives
    /// a small SVG that says so.
    pub fn render(&self, course: &Course) -> String {
        let Some(frame) =
            Frame::for_course_with_break(course, self.width, self.break_day, self.break_share)
        else {
            return format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="gw-figure" viewBox="0 0 {w} 60" width="{w}" height="60" role="img"><text x="20" y="35" font-family="sans-serif" font-size="14">No dated events or observations: nothing to draw.</text></svg>"#,
                w = self.width
            );
        };
        let ticks = frame.ticks();
        let legend_rows = legend_layout(&self.legend(course), self.width);
        let legend_h = legend_rows.len() as f64 * 18.0 + 6.0;
        let heights: Vec<f64> = self
            .panels
            .iter()
            .map(|p| p.height(course, &frame))
            .collect();
        let plot_top = TITLE_H + legend_h + anchor_band_h(course, &frame);
        let plot_bottom = plot_top
            + heights.iter().sum::<f64>()
            + PANEL_GAP * (heights.len().saturating_sub(1)) as f64;
        let caption_lines = self.caption_lines();
        let caption_h = if caption_lines.is_empty() {
            0.0
        } else {
            caption_lines.len() as f64 * CAPTION_LINE_H + 12.0
        };
        let total_h = plot_bottom + AXIS_H + caption_h;

        let mut out = String::with_capacity(256 * 1024);
        self.open_svg(&mut out, total_h);
        render_legend(&mut out, &legend_rows, TITLE_H);
        // Anchor lines behind everything else.
        render_anchors(
            &mut out,
            course,
            &frame,
            TITLE_H + legend_h,
            plot_top,
            plot_bottom,
        );
        self.render_panels(&mut out, course, &frame, &ticks, &heights, plot_top);
        render_x_axes(&mut out, &frame, &ticks, plot_bottom);
        render_caption(&mut out, &caption_lines, plot_bottom + AXIS_H);
        out.push_str("</svg>");
        out
    }

    /// The legend entries of every panel, each once, in panel order.
    fn legend(&self, course: &Course) -> Vec<LegendEntry> {
        let mut legend: Vec<LegendEntry> = Vec::new();
        for e in self.panels.iter().flat_map(|p| p.legend_for(course)) {
            if !legend.contains(&e) {
                legend.push(e);
            }
        }
        legend
    }

    /// The caption block wrapped to the figure's width; `true` marks the
    /// first line of the first paragraph.
    fn caption_lines(&self) -> Vec<(bool, String)> {
        self.caption_block
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                wrap(p, self.width - 24.0, 11.0)
                    .into_iter()
                    .enumerate()
                    .map(move |(k, l)| (i == 0 && k == 0, l))
            })
            .collect()
    }

    /// The `<svg>` element, the stylesheet (when inline), the accessible
    /// title and the visible title.
    fn open_svg(&self, out: &mut String, total_h: f64) {
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="gw-figure" id="course-figure" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-labelledby="fig-title">"#,
            w = self.width,
            h = total_h
        );
        if self.inline_style {
            out.push_str("<style>");
            out.push_str(FIGURE_CSS);
            out.push_str("</style>");
        }
        let _ = write!(
            out,
            r#"<title id="fig-title">{}</title>"#,
            escape(&self.title)
        );
        text(out, 12.0, 18.0, "ftitle", "start", &self.title);
    }

    /// The panels top to bottom, each in its own group with its frame.
    fn render_panels(
        &self,
        out: &mut String,
        course: &Course,
        frame: &Frame,
        ticks: &[i32],
        heights: &[f64],
        plot_top: f64,
    ) {
        let mut top = plot_top;
        let therapies = crate::format::therapy_anchors(&course.anchors());
        for (panel, h) in self.panels.iter().zip(heights) {
            let ctx = PanelContext {
                course,
                x: frame.x,
                origin: frame.origin,
                origin_label: frame.origin_label.clone(),
                therapies: therapies.clone(),
                ticks: ticks.to_vec(),
                top,
                height: *h,
                label_left: 6.0,
            };
            let _ = write!(
                out,
                r#"<g id="panel-{}" class="panel">"#,
                escape(panel.id())
            );
            let _ = write!(
                out,
                r#"<rect class="frame" x="{:.1}" y="{top:.1}" width="{:.1}" height="{h:.1}"/>"#,
                frame.x.left,
                frame.x.right - frame.x.left
            );
            panel.render(&ctx, out);
            out.push_str("</g>");
            top += h + PANEL_GAP;
        }
    }
}

/// The caption block below the axes (nothing when it is empty).
fn render_caption(out: &mut String, lines: &[(bool, String)], top: f64) {
    if lines.is_empty() {
        return;
    }
    out.push_str(r#"<g id="caption-block" class="caption">"#);
    for (i, (_, line)) in lines.iter().enumerate() {
        let y = top + 14.0 + i as f64 * CAPTION_LINE_H;
        text(out, 12.0, y, "captiontext", "start", line);
    }
    out.push_str("</g>");
}

/// The figure's stylesheet (without the `<style>` element): embedded in the
/// standalone SVG, served as part of the page stylesheet when the figure is
/// embedded under a Content-Security-Policy without inline styles. The
/// text colour is inherited from the root (not set on `text`), so a label's
/// own `fill` attribute wins without a `style=` attribute.
pub const FIGURE_CSS: &str = r#"
.gw-figure{fill:#222}
.gw-figure text{font-family:"DejaVu Sans","Helvetica Neue",Arial,sans-serif}
.gw-figure .ftitle{font-size:15px;font-weight:bold}
.gw-figure .tick{font-size:10.5px}
.gw-figure .thr{font-size:10px}
.gw-figure .ytitle{font-size:11.5px;font-weight:bold}
.gw-figure .lane{font-size:11px}
.gw-figure .lane.strong{font-weight:bold}
.gw-figure .barlabel{font-size:10px}
.gw-figure .anchorlabel{font-size:11px;font-weight:bold}
.gw-figure .legend{font-size:11px}
.gw-figure .note{font-size:10px;fill:#555;font-style:italic}
.gw-figure .captiontext{font-size:11px}
.gw-figure .frame{fill:none;stroke:#bbb;stroke-width:0.8}
.gw-figure .grid line{stroke:#eee;stroke-width:0.8}
.gw-figure .hgrid{stroke:#eee;stroke-width:0.8}
.gw-figure .axis line,.gw-figure .axis path{stroke:#444;stroke-width:1;fill:none}
.gw-figure .anchor line{stroke-width:1.4;stroke-dasharray:3 3}
.gw-figure .evlabel{font-size:10.5px;font-weight:bold}
.gw-figure .celltext{font-size:10px;font-weight:bold}
.gw-figure .ptlabel{font-size:10px;font-weight:bold}
.gw-figure .celltext.dark{fill:#fff}
.gw-figure .laneline{stroke:#eee;stroke-width:0.8}
"#;

fn legend_layout(entries: &[LegendEntry], width: f64) -> Vec<Vec<(f64, LegendEntry)>> {
    let mut rows: Vec<Vec<(f64, LegendEntry)>> = vec![Vec::new()];
    let mut x = LEFT_MARGIN;
    for e in entries {
        let w = 30.0 + text_width(&e.label, 11.0) + 16.0;
        if x + w > width - 10.0 && rows.last().is_some_and(|r| !r.is_empty()) {
            rows.push(Vec::new());
            x = LEFT_MARGIN;
        }
        if let Some(r) = rows.last_mut() {
            r.push((x, e.clone()));
        }
        x += w;
    }
    rows.retain(|r| !r.is_empty());
    rows
}

fn render_legend(out: &mut String, rows: &[Vec<(f64, LegendEntry)>], top: f64) {
    out.push_str(r#"<g id="legend" class="legend">"#);
    for (i, row) in rows.iter().enumerate() {
        let y = top + 10.0 + i as f64 * 18.0;
        for (x, e) in row {
            match e.symbol {
                LegendSymbol::Series(shape) => {
                    legend_line(out, *x, y, e.colour, r#"stroke-width="1.6""#);
                    draw::marker(out, shape, x + 12.0, y, 3.0, e.colour, "/>");
                }
                LegendSymbol::Dashed => {
                    legend_line(
                        out,
                        *x,
                        y,
                        e.colour,
                        r#"stroke-width="1.4" stroke-dasharray="6 4""#,
                    );
                }
                LegendSymbol::Bar => {
                    let _ = write!(
                        out,
                        r#"<rect x="{x:.1}" y="{:.1}" width="24" height="9" rx="2" fill="{}" fill-opacity="0.85"/>"#,
                        y - 4.5,
                        e.colour
                    );
                }
                LegendSymbol::Tick => {
                    let _ = write!(
                        out,
                        r#"<line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2.5"/>"#,
                        x + 12.0,
                        x + 12.0,
                        y - 6.0,
                        y + 6.0,
                        e.colour
                    );
                }
                LegendSymbol::Marker(shape) => {
                    draw::marker(out, shape, x + 12.0, y, 3.5, e.colour, "/>");
                }
                LegendSymbol::SeriesDashed(shape, dash) => {
                    let style = format!(r#"stroke-width="1.5" stroke-dasharray="{dash}""#);
                    legend_line(out, *x, y, e.colour, &style);
                    draw::marker(out, shape, x + 12.0, y, 3.0, e.colour, "/>");
                }
                LegendSymbol::OpenMarker(shape) => {
                    let extra = format!(r#" stroke="{}" stroke-width="1.2"/>"#, e.colour);
                    draw::marker(out, shape, x + 12.0, y, 3.0, "#ffffff", &extra);
                }
                LegendSymbol::Dotted => {
                    legend_line(
                        out,
                        *x,
                        y,
                        e.colour,
                        r#"stroke-width="1.4" stroke-dasharray="1 3""#,
                    );
                }
            }
            text(out, x + 30.0, y + 4.0, "legend", "start", &e.label);
        }
    }
    out.push_str("</g>");
}

/// A legend's 24 px line sample from `x` at `y`, with its stroke `style`
/// (`stroke-width="…"` and any dash pattern).
fn legend_line(out: &mut String, x: f64, y: f64, colour: &str, style: &str) {
    let _ = write!(
        out,
        r#"<line x1="{x:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{colour}" {style}/>"#,
        x + 24.0
    );
}

/// Label, class and colour of an anchor line.
fn anchor_style(
    course: &Course,
    kind: AnchorKind,
    date: Date,
) -> (String, &'static str, &'static str) {
    match kind {
        AnchorKind::Transplant(n) => {
            let sources: Vec<String> = course
                .graft_sources(n)
                .iter()
                .map(|(s, d)| crate::format::graft_name(*s, d))
                .collect();
            let name = kind.to_string();
            let label = if sources.is_empty() {
                format!("{name} day 0")
            } else {
                format!("{name} day 0 · {}", sources.join(" + "))
            };
            (label, "anchor hct", palette::TRANSPLANT)
        }
        AnchorKind::CarT(_) => {
            let target = course.events.iter().find_map(|e| match &e.detail {
                EventDetail::CarTInfusion { target, .. } if e.date == date => Some(target.clone()),
                _ => None,
            });
            let label = match target {
                Some(t) => format!("{kind} day 0 ({t})"),
                None => format!("{kind} day 0"),
            };
            (label, "anchor cart", palette::CAR_T)
        }
        AnchorKind::Dli(_) => {
            let dose = course.events.iter().find_map(|e| match &e.detail {
                EventDetail::Dli { cd3_per_kg, .. } if e.date == date => Some(cd3_per_kg.get()),
                _ => None,
            });
            let label = match dose {
                Some(d) => format!("{kind} · {} CD3/kg", sci(d)),
                None => kind.to_string(),
            };
            (label, "anchor dli", palette::DLI)
        }
    }
}

const ANCHOR_ROW_H: f64 = 14.0;

/// The anchors in the window with their line x, label x and label row:
/// each label starts at its line and runs right (or ends at it near the
/// right edge), in the first row where it overlaps no other label.
fn anchor_layout(
    course: &Course,
    frame: &Frame,
) -> Vec<(graftwatch_course::Anchor, f64, f64, usize)> {
    let mut rows_end: Vec<f64> = Vec::new();
    let limit = frame.x.right + RIGHT_MARGIN - 4.0;
    let mut out = Vec::new();
    for a in course.anchors() {
        let day = a.date.days_since(frame.origin).get();
        if !frame.x.contains(day) {
            continue;
        }
        let x = frame.x.x(day as f64 + 0.5);
        let (label, _, _) = anchor_style(course, a.kind, a.date);
        let w = draw::bold_text_width(&label, 11.0);
        let lx = if x + 2.0 + w <= limit {
            x + 2.0
        } else {
            x - 2.0 - w
        };
        let row = match rows_end.iter().position(|e| *e + 6.0 <= lx) {
            Some(r) => r,
            None => {
                rows_end.push(f64::NEG_INFINITY);
                rows_end.len() - 1
            }
        };
        rows_end[row] = lx + w;
        out.push((a, x, lx, row));
    }
    out
}

/// Height of the anchor-label band (at least two rows).
fn anchor_band_h(course: &Course, frame: &Frame) -> f64 {
    let rows = anchor_layout(course, frame)
        .iter()
        .map(|l| l.3 + 1)
        .max()
        .unwrap_or(0)
        .max(2);
    rows as f64 * ANCHOR_ROW_H + 6.0
}

fn render_anchors(
    out: &mut String,
    course: &Course,
    frame: &Frame,
    band_top: f64,
    plot_top: f64,
    plot_bottom: f64,
) {
    out.push_str(r#"<g id="anchors">"#);
    for (a, x, lx, row) in anchor_layout(course, frame) {
        let day = a.date.days_since(frame.origin).get();
        let (label, class, colour) = anchor_style(course, a.kind, a.date);
        let text_colour = palette::darker(colour);
        let ly = band_top + 12.0 + row as f64 * ANCHOR_ROW_H;
        let id = match a.kind {
            AnchorKind::Transplant(n) => format!("anchor-hct-{n}"),
            AnchorKind::CarT(n) => format!("anchor-cart-{n}"),
            AnchorKind::Dli(n) => format!("anchor-dli-{n}"),
        };
        let _ = write!(
            out,
            r#"<g id="{id}" class="{class}" data-date="{}" data-day="{day}"><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{plot_bottom:.1}" stroke="{colour}"/>"#,
            a.date,
            ly + 3.0
        );
        let _ = write!(
            out,
            r#"<text x="{lx:.1}" y="{ly:.1}" class="anchorlabel" fill="{text_colour}">{}</text>"#,
            escape(&label)
        );
        let _ = write!(
            out,
            "<title>{} — {} ({} {})</title></g>",
            escape(&label),
            a.date,
            frame.origin_label,
            signed_day(day)
        );
    }
    let _ = plot_top;
    out.push_str("</g>");
}

/// Calendar ticks with labels that always carry the year: month starts
/// (`Mar 2024`) for courses up to four years, 1 January (`2025`) beyond.
pub fn calendar_ticks(frame: &Frame) -> Vec<(Date, String)> {
    let start = frame.origin.add_days(frame.x.start);
    let end = frame.origin.add_days(frame.x.end);
    let (mut yy, mut mm, _) = start.ymd();
    let years = end.days_since(start).get() > 4 * 365;
    let mut out = Vec::new();
    loop {
        if years {
            yy += 1;
            mm = 1;
        } else {
            mm += 1;
            if mm > 12 {
                mm = 1;
                yy += 1;
            }
        }
        let Ok(d) = Date::from_ymd(yy, mm, 1) else {
            break;
        };
        if d > end {
            break;
        }
        let label = if years {
            yy.to_string()
        } else {
            format!("{} {yy}", month_name(mm))
        };
        out.push((d, label));
    }
    out
}

/// The two x axes under the figure: days after the origin at `y0`, the
/// calendar below it.
fn render_x_axes(out: &mut String, frame: &Frame, ticks: &[i32], y0: f64) {
    render_day_axis(out, frame, ticks, y0);
    render_calendar_axis(out, frame, y0 + 44.0);
}

/// The day axis at `y0`: ticks with signed-day labels (a label that would
/// overlap the previous one or run into the axis title is left out), the
/// scale-break mark and note, and the axis titles.
fn render_day_axis(out: &mut String, frame: &Frame, ticks: &[i32], y0: f64) {
    let x = &frame.x;
    let _ = write!(
        out,
        r#"<g class="axis x" id="x-axis-days"><line x1="{:.1}" x2="{:.1}" y1="{y0:.1}" y2="{y0:.1}"/>"#,
        x.left, x.right
    );
    let mut last_end = f64::NEG_INFINITY;
    for t in ticks {
        let px = x.x(*t as f64);
        let _ = write!(
            out,
            r#"<line x1="{px:.1}" x2="{px:.1}" y1="{y0:.1}" y2="{:.1}"/>"#,
            y0 + 5.0
        );
        let label = signed_day(*t);
        let w = text_width(&label, 10.5);
        // a label that would run into the axis title left of the plot is left out
        if px - w / 2.0 > last_end + 3.0 && px - w / 2.0 >= x.left - 6.0 {
            text(out, px, y0 + 17.0, "tick", "middle", &label);
            last_end = px + w / 2.0;
        }
    }
    if let Some((b, bx)) = x.break_at {
        // A break mark on the axis and a note on the change of scale.
        let _ = write!(
            out,
            r##"<path class="break" d="M{:.1},{:.1} l6,-10 M{:.1},{:.1} l6,-10" stroke="#444"/>"##,
            bx - 5.0,
            y0 + 5.0,
            bx + 1.0,
            y0 + 5.0
        );
        let before = x.px_per_day(b - 1);
        let after = x.px_per_day(b + 1);
        let note = format!(
            "scale compressed ×{:.1} after day +{b}",
            if after > 0.0 { before / after } else { 1.0 }
        );
        text(out, bx + 8.0, y0 + 30.0, "note", "start", &note);
    }
    let _ = write!(
        out,
        r#"<text class="ytitle" x="{:.1}" y="{:.1}" text-anchor="end">Days after {}</text><text class="note" x="{:.1}" y="{:.1}" text-anchor="end">day 0 = {}</text>"#,
        x.left - 8.0,
        y0 + 17.0,
        escape(&frame.origin_label),
        x.left - 8.0,
        y0 + 30.0,
        frame.origin
    );
    out.push_str("</g>");
}

/// The calendar axis at `cy`: month (or year) starts, a label left out when
/// it would overlap the previous one or run past the right margin.
fn render_calendar_axis(out: &mut String, frame: &Frame, cy: f64) {
    let x = &frame.x;
    let _ = write!(
        out,
        r#"<g class="axis x calendar" id="x-axis-calendar"><line x1="{:.1}" x2="{:.1}" y1="{cy:.1}" y2="{cy:.1}"/>"#,
        x.left, x.right
    );
    let mut last_end = f64::NEG_INFINITY;
    for (d, label) in calendar_ticks(frame) {
        let px = frame.x.x(d.days_since(frame.origin).get() as f64);
        let _ = write!(
            out,
            r#"<line x1="{px:.1}" x2="{px:.1}" y1="{cy:.1}" y2="{:.1}"/>"#,
            cy + 4.0
        );
        let w = text_width(&label, 10.5);
        if px + 2.0 > last_end + 6.0 && px + w < x.right + RIGHT_MARGIN - 4.0 {
            text(out, px + 2.0, cy + 15.0, "tick", "start", &label);
            last_end = px + 2.0 + w;
        }
    }
    let _ = write!(
        out,
        r#"<text class="ytitle" x="{:.1}" y="{:.1}" text-anchor="end">Calendar date</text>"#,
        x.left - 8.0,
        cy + 15.0
    );
    out.push_str("</g>");
}

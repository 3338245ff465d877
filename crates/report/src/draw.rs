//! Small SVG drawing helpers shared by the panels: text, lines, markers,
//! dated series with hover titles, and text-width estimates for layout.

use std::fmt::Write as _;

use graftwatch_core::Date;

use crate::escape::escape;
use crate::figure::PanelContext;
use crate::format::num;
use crate::scale::YScale;

/// Marker shape of a series (series are told apart by shape as well as colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Filled circle.
    Circle,
    /// Filled square.
    Square,
    /// Filled diamond.
    Diamond,
    /// Upward triangle.
    Triangle,
    /// Five-pointed star.
    Star,
}

/// Advance width of a character in DejaVu Sans (the figure's first font,
/// and the one resvg and Chromium use on Debian), in em, rounded: exact for
/// ASCII letters, digits and common punctuation, 0.84 for maths symbols
/// (`×`, `≥`, `−`), 0.4 for superscripts and 0.7 for anything else.
pub fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | 'I' | 'J' | '\'' | '|' | '!' => 0.29,
        ' ' | '.' | ',' | ':' | ';' | '·' | '/' => 0.33,
        'f' | 't' | '(' | ')' | '[' | ']' | '-' => 0.38,
        'r' => 0.41,
        's' | 'z' | 'c' => 0.53,
        'k' | 'v' | 'x' | 'y' | 'F' | 'L' => 0.59,
        'a' | 'b' | 'd' | 'e' | 'g' | 'h' | 'n' | 'o' | 'p' | 'q' | 'u' => 0.635,
        '0'..='9' | 'S' | 'P' | 'E' | 'T' | 'Z' | 'Y' | '_' => 0.64,
        'w' => 0.82,
        'm' | '%' => 0.98,
        'M' | 'W' => 0.99,
        'A' | 'B' | 'K' | 'R' | 'X' | 'V' | 'C' => 0.69,
        'D' | 'G' | 'H' | 'N' | 'O' | 'Q' | 'U' => 0.78,
        '+' | '×' | '≥' | '≤' | '−' | '=' | '<' | '>' => 0.84,
        '⁰'..='⁹' | '¹' | '²' | '³' => 0.4,
        '▲' | '▼' | '★' | '◆' => 0.77,
        _ => 0.7,
    }
}

/// Approximate width in pixels of `text` at `font_px` in DejaVu Sans
/// ([`char_em`]; bold text is about 10 % wider: use [`bold_text_width`]).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_px
}

/// [`text_width`] for bold text.
pub fn bold_text_width(text: &str, font_px: f64) -> f64 {
    text_width(text, font_px) * 1.1
}

/// Appends an SVG `<text>` element (text escaped).
pub fn text(out: &mut String, x: f64, y: f64, class: &str, anchor: &str, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" class="{class}" text-anchor="{anchor}">{}</text>"#,
        escape(content)
    );
}

/// Appends a marker of `shape` centred on (x, y) with half-size `r`.
pub fn marker(out: &mut String, shape: Shape, x: f64, y: f64, r: f64, fill: &str, extra: &str) {
    match shape {
        Shape::Circle => {
            let _ = write!(
                out,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}"{extra}"#
            );
        }
        Shape::Square => {
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"{extra}"#,
                x - r,
                y - r,
                2.0 * r,
                2.0 * r
            );
        }
        Shape::Diamond => {
            let r = r * 1.25;
            let _ = write!(
                out,
                r#"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" fill="{fill}"{extra}"#,
                y - r,
                x + r,
                y + r,
                x - r
            );
        }
        Shape::Triangle => {
            let r = r * 1.3;
            let _ = write!(
                out,
                r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{fill}"{extra}"#,
                y - r,
                x + r * 0.9,
                y + r * 0.7,
                x - r * 0.9,
                y + r * 0.7
            );
        }
        Shape::Star => {
            let mut d = String::new();
            for i in 0..10 {
                let ang = std::f64::consts::PI * (i as f64) / 5.0 - std::f64::consts::FRAC_PI_2;
                let rr = if i % 2 == 0 { r * 1.6 } else { r * 0.7 };
                let _ = write!(
                    d,
                    "{}{:.1},{:.1} ",
                    if i == 0 { "M" } else { "L" },
                    x + rr * ang.cos(),
                    y + rr * ang.sin()
                );
            }
            let _ = write!(out, r#"<path d="{d}Z" fill="{fill}"{extra}"#);
        }
    }
}

/// Closes a marker started with [`marker`] with a hover title.
pub fn close_with_title(out: &mut String, shape: Shape, title: &str) {
    let tag = match shape {
        Shape::Circle => "circle",
        Shape::Square => "rect",
        _ => "path",
    };
    let _ = write!(out, "><title>{}</title></{tag}>", escape(title));
}

/// A dated numeric series to draw in a panel.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// Element id, e.g. `series-anc`.
    pub id: &'a str,
    /// Human label, e.g. `ANC`.
    pub label: &'a str,
    /// Unit text for titles, e.g. `×10⁹/L`.
    pub unit: &'a str,
    /// Colour.
    pub colour: &'a str,
    /// Marker shape.
    pub shape: Shape,
    /// Dash pattern of the connecting line (`none` for solid).
    pub dash: &'a str,
    /// Decimals shown in titles.
    pub decimals: usize,
    /// Points (date, value).
    pub points: Vec<(Date, f64)>,
}

/// Gap (days) above which consecutive points are not joined by a line.
pub const MAX_JOIN_GAP_DAYS: i32 = 45;

/// Draws a series as a polyline (broken at long gaps) plus one marker per
/// point with a `<title>` giving the date, the days relative to day 0 and the
/// value. Points outside the day range are skipped; values below the y floor
/// are drawn hollow on the floor and values above its ceiling hollow at the
/// top, and say so in their title.
pub fn series(out: &mut String, ctx: &PanelContext, y: &YScale, s: &Series) {
    let _ = write!(
        out,
        r#"<g id="{}" class="series" data-label="{}">"#,
        escape(s.id),
        escape(s.label)
    );
    let pts = visible_points(ctx, s);
    series_lines(out, ctx, y, s, &pts);
    for p in &pts {
        series_marker(out, ctx, y, s, p);
    }
    out.push_str("</g>");
}

/// One point of a series inside the panel's day range.
struct PlotPoint {
    /// Calendar date.
    date: Date,
    /// Day relative to the panel's day 0.
    day: i32,
    /// Value.
    value: f64,
}

/// The points of `s` whose day lies in the panel's day range, in order.
fn visible_points(ctx: &PanelContext, s: &Series) -> Vec<PlotPoint> {
    s.points
        .iter()
        .map(|(d, v)| PlotPoint {
            date: *d,
            day: ctx.day_of(*d),
            value: *v,
        })
        .filter(|p| ctx.x.contains(p.day))
        .collect()
}

/// The connecting polylines of a series: one per run of points no more than
/// [`MAX_JOIN_GAP_DAYS`] apart, and none for a run of a single point.
fn series_lines(out: &mut String, ctx: &PanelContext, y: &YScale, s: &Series, pts: &[PlotPoint]) {
    let mut segment: Vec<String> = Vec::new();
    let mut last_day: Option<i32> = None;
    for p in pts {
        if let Some(l) = last_day
            && p.day - l > MAX_JOIN_GAP_DAYS
        {
            flush_line(out, s, &mut segment);
        }
        segment.push(format!(
            "{:.1},{:.1}",
            ctx.x.x(p.day as f64 + 0.5),
            y.y(p.value)
        ));
        last_day = Some(p.day);
    }
    flush_line(out, s, &mut segment);
}

/// Writes the polyline of `segment` (when it joins at least two points) in
/// the series' colour and dash pattern, and empties it.
fn flush_line(out: &mut String, s: &Series, segment: &mut Vec<String>) {
    if segment.len() > 1 {
        let _ = write!(
            out,
            r#"<polyline class="line" fill="none" stroke="{}" stroke-width="1.6" stroke-dasharray="{}" points="{}"/>"#,
            s.colour,
            s.dash,
            segment.join(" ")
        );
    }
    segment.clear();
}

/// One point's marker with its title: filled in the series' colour, or
/// hollow with a class saying so when the value is below the y floor or
/// above its ceiling.
fn series_marker(out: &mut String, ctx: &PanelContext, y: &YScale, s: &Series, p: &PlotPoint) {
    let cx = ctx.x.x(p.day as f64 + 0.5);
    let cy = y.y(p.value);
    let floor = y.below_floor(p.value);
    let ceiling = y.above_ceiling(p.value);
    let extra = match (floor, ceiling) {
        (true, _) => format!(
            r#" class="pt floor" stroke="{}" stroke-width="1""#,
            s.colour
        ),
        (_, true) => format!(
            r#" class="pt ceiling" stroke="{}" stroke-width="1""#,
            s.colour
        ),
        _ => r#" class="pt""#.to_string(),
    };
    let fill = if floor || ceiling {
        "#ffffff"
    } else {
        s.colour
    };
    marker(out, s.shape, cx, cy, 2.2, fill, &extra);
    close_with_title(out, s.shape, &point_title(ctx, y, s, p));
}

/// A point's hover title: date, signed day, label, value and unit, plus a
/// note when the value is below the axis floor or above its ceiling.
fn point_title(ctx: &PanelContext, y: &YScale, s: &Series, p: &PlotPoint) -> String {
    let mut title = format!(
        "{}: {} {} {}",
        ctx.when(p.date),
        s.label,
        num(p.value, s.decimals),
        s.unit
    );
    if y.below_floor(p.value) {
        let _ = write!(title, " (below the axis floor {})", num(y.min, 3));
    }
    if y.above_ceiling(p.value) {
        let _ = write!(
            title,
            " (implausible: above the axis ceiling {}, drawn at the ceiling)",
            num(y.max, 3)
        );
    }
    title
}

/// Draws a horizontal threshold line across the plot with a label at the
/// right margin; `key` becomes `data-threshold`.
pub fn threshold(
    out: &mut String,
    ctx: &PanelContext,
    y: f64,
    colour: &str,
    key: &str,
    label: &str,
) {
    let stroke = format!(r#"stroke="{colour}" stroke-width="1.2" stroke-dasharray="6 4""#);
    threshold_line(out, ctx, y, &stroke, key, label);
}

/// [`threshold`] with a chosen dash pattern (`6 4` dashed for decision
/// thresholds, `1 3` dotted for detection limits).
pub fn threshold_styled(
    out: &mut String,
    ctx: &PanelContext,
    y: f64,
    colour: &str,
    dash: &str,
    key: &str,
    label: &str,
) {
    let stroke = format!(r#"stroke="{colour}" stroke-width="1.3" stroke-dasharray="{dash}""#);
    threshold_line(out, ctx, y, &stroke, key, label);
}

/// The threshold group of [`threshold`] and [`threshold_styled`]: the line
/// with its `stroke` attributes, the label at the right margin and a title.
fn threshold_line(
    out: &mut String,
    ctx: &PanelContext,
    y: f64,
    stroke: &str,
    key: &str,
    label: &str,
) {
    let _ = write!(
        out,
        r#"<g class="threshold" data-threshold="{}"><line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" {stroke}/>"#,
        escape(key),
        ctx.x.left,
        ctx.x.right
    );
    text(out, ctx.x.right + 4.0, y + 3.5, "thr", "start", label);
    out.push_str("<title>");
    out.push_str(&escape(label));
    out.push_str("</title></g>");
}

/// A y axis for a short panel: ticks and labels, and a horizontal two-line
/// name at the left (`name` bold, `sub` below) instead of a rotated title.
/// A name wider than the margin left of the axis wraps onto a line above
/// ("myeloid cells" over "(CD33+)").
pub fn y_axis_lane(
    out: &mut String,
    ctx: &PanelContext,
    y: &YScale,
    ticks: &[f64],
    name: &str,
    sub: &str,
) {
    let x0 = ctx.x.left;
    open_y_axis(out, x0, y);
    for t in ticks {
        let py = y.y(*t);
        let label_y = if *t == ticks[0] { py } else { py + 7.0 };
        y_tick(out, x0, py, *t, None, label_y);
    }
    let cy = (y.top + y.bottom) / 2.0;
    // The margin left of the name's right end, less a little air.
    let room = x0 - 30.0 - 6.0;
    let lines = if bold_text_width(name, 11.0) > room {
        crate::figure::wrap(name, room / 1.1, 11.0)
    } else {
        vec![name.to_string()]
    };
    for (i, line) in lines.iter().rev().enumerate() {
        text(
            out,
            x0 - 30.0,
            cy - 1.0 - 12.0 * i as f64,
            "lane strong",
            "end",
            line,
        );
    }
    text(out, x0 - 30.0, cy + 11.0, "note", "end", sub);
    out.push_str("</g>");
}

/// One y-axis tick of value `t` at height `py`: the mark left of the axis
/// at `x0`, a grid line across to `grid_right` when given, and the label
/// at height `label_y`.
fn y_tick(out: &mut String, x0: f64, py: f64, t: f64, grid_right: Option<f64>, label_y: f64) {
    let _ = write!(
        out,
        r#"<line x1="{:.1}" x2="{x0:.1}" y1="{py:.1}" y2="{py:.1}"/>"#,
        x0 - 4.0
    );
    if let Some(right) = grid_right {
        let _ = write!(
            out,
            r#"<line class="hgrid" x1="{x0:.1}" x2="{right:.1}" y1="{py:.1}" y2="{py:.1}"/>"#
        );
    }
    text(out, x0 - 6.0, label_y, "tick", "end", &num(t, 2));
}

/// Opens a y axis group with its vertical line at `x0` from `y.top` to
/// `y.bottom` (the caller draws the ticks and closes the group).
fn open_y_axis(out: &mut String, x0: f64, y: &YScale) {
    let _ = write!(
        out,
        r#"<g class="axis y"><line x1="{x0:.1}" x2="{x0:.1}" y1="{:.1}" y2="{:.1}"/>"#,
        y.top, y.bottom
    );
}

/// Draws day grid lines at the figure's ticks inside the panel.
pub fn day_grid(out: &mut String, ctx: &PanelContext) {
    out.push_str(r#"<g class="grid">"#);
    for t in &ctx.ticks {
        let x = ctx.x.x(*t as f64);
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            ctx.top,
            ctx.top + ctx.height
        );
    }
    out.push_str("</g>");
}

/// Draws a y axis (line, ticks, labels, rotated title) on the left of the plot.
pub fn y_axis(out: &mut String, ctx: &PanelContext, y: &YScale, ticks: &[f64], title: &str) {
    let x0 = ctx.x.left;
    open_y_axis(out, x0, y);
    for t in ticks {
        let py = y.y(*t);
        y_tick(out, x0, py, *t, Some(ctx.x.right), py + 3.5);
    }
    let cx = ctx.label_left + 12.0;
    let cy = (y.top + y.bottom) / 2.0;
    let _ = write!(
        out,
        r#"<text class="ytitle" x="{cx:.1}" y="{cy:.1}" text-anchor="middle" transform="rotate(-90 {cx:.1} {cy:.1})">{}</text>"#,
        escape(title)
    );
    out.push_str("</g>");
}

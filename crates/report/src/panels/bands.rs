//! Grade bands: rows of day cells coloured on the ordered grade scale
//! ([`crate::palette::GRADE`], 0 = white … IV = darkest). Used for acute
//! GVHD (MAGIC overall grade and the four organ stages, from the grading
//! engine's daily timeline) and for the CAR-T toxicities (ASTCT CRS and
//! ICANS daily grades, the EHA/EBMT early ICAHT episode).

use std::fmt::Write as _;

use graftwatch_core::Date;
use graftwatch_course::Course;

use graftwatch_grading::output::AgvhdOrganDay;

use crate::analysis::GradedDay;
use crate::draw::{self, text};
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::palette;

/// One coloured cell: a run of days with one grade.
#[derive(Debug, Clone, PartialEq)]
pub struct BandCell {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// Grade level 0–4 (colour).
    pub level: u8,
    /// False for a day that could not be graded ("not yet gradable"): drawn
    /// as not assessed (no fill, dashed outline), never as grade 0.
    pub assessed: bool,
    /// Text in the cell (e.g. `III`), drawn when it fits.
    pub label: String,
    /// Hover title (date, grade and why).
    pub title: String,
}

/// One row of a band panel.
#[derive(Debug, Clone, PartialEq)]
pub struct BandRow {
    /// Element id of the row, e.g. `series-agvhd-grade`.
    pub id: String,
    /// Row name at the left.
    pub name: String,
    /// Cells.
    pub cells: Vec<BandCell>,
}

/// A panel of grade rows.
#[derive(Debug, Clone)]
pub struct BandPanel {
    /// Panel id (`agvhd`, `cart-toxicity`).
    pub id: String,
    /// Rows top to bottom.
    pub rows: Vec<BandRow>,
    /// Text shown when no row has a cell (names what is missing).
    pub empty_note: String,
    /// Legend label prefix (e.g. `aGVHD grade`).
    pub legend_name: String,
}

const ROW_H: f64 = 15.0;

fn roman(level: u8) -> &'static str {
    ["0", "I", "II", "III", "IV"][level.min(4) as usize]
}

/// Merges consecutive days with the same level (and a gap of at most one
/// day) into cells; days with level 0 are kept so a return to 0 is visible.
/// A day without a level (`None`: not gradable) is a "not assessed" cell.
fn runs(days: &[(Date, Option<u8>, String)], name: &str, as_roman: bool) -> Vec<BandCell> {
    let mut out: Vec<BandCell> = Vec::new();
    for (d, l, why) in days {
        // A reason that starts with its own date is not dated twice.
        let own = format!("{d}: ");
        let why = why.strip_prefix(&own).unwrap_or(why);
        let (level, assessed) = (l.unwrap_or(0), l.is_some());
        let label = match l {
            None => "not assessed".to_string(),
            Some(l) if as_roman => roman(*l).to_string(),
            Some(l) => l.to_string(),
        };
        if let Some(last) = out.last_mut()
            && last.level == level
            && last.assessed == assessed
            && d.days_since(last.to).get() <= 1
        {
            last.to = *d;
            let _ = write!(last.title, "\n{d}: {why}");
            continue;
        }
        out.push(BandCell {
            from: *d,
            to: *d,
            level,
            assessed,
            label: label.clone(),
            title: format!("{name} {label}\n{d}: {why}"),
        });
    }
    out
}

/// The acute GVHD band: overall MAGIC grade (from the engine's daily
/// timeline, with its reasons) and the organ stages from the engine's
/// structured `agvhd_organ_stages` (not from its prose). An organ that
/// could not be staged on a day is drawn as stage 0 and its title says so.
pub fn agvhd_panel(days: &[GradedDay], organs: &[AgvhdOrganDay]) -> BandPanel {
    let grade: Vec<(Date, Option<u8>, String)> = days
        .iter()
        .map(|g| {
            (
                g.date,
                g.assessed.then_some(g.level.min(4)),
                g.reason.clone(),
            )
        })
        .collect();
    let mut rows = vec![BandRow {
        id: "series-agvhd-grade".into(),
        name: "aGVHD grade".into(),
        cells: runs(&grade, "MAGIC grade", true),
    }];
    type Get = fn(&AgvhdOrganDay) -> Option<u8>;
    let organ_rows: [(&str, &str, Get); 4] = [
        ("skin", "skin", |d| d.skin),
        ("liver", "liver", |d| d.liver),
        ("upper GI", "upper-gi", |d| d.upper_gi),
        ("lower GI", "lower-gi", |d| d.lower_gi),
    ];
    for (organ, id, get) in organ_rows {
        let st: Vec<(Date, Option<u8>, String)> = organs
            .iter()
            .filter(|d| d.level > 0 || get(d).is_some_and(|s| s > 0))
            .map(|d| match get(d) {
                Some(s) => (d.date, Some(s), format!("{organ} stage {s}")),
                None => (
                    d.date,
                    Some(0),
                    format!("{organ} not staged (not assessed or data missing)"),
                ),
            })
            .collect();
        rows.push(BandRow {
            id: format!("series-agvhd-{id}"),
            name: format!("  {organ} stage"),
            cells: runs(&st, &format!("{organ} stage"), false),
        });
    }
    BandPanel {
        id: "agvhd".into(),
        rows,
        empty_note: "acute GVHD grades (no GVHD findings graded)".into(),
        legend_name: "grade".into(),
    }
}

/// The CAR-T toxicity band: CRS and ICANS daily grades and the early ICAHT
/// episode (`icaht`: first day, last day, grade level, description).
pub fn cart_toxicity_panel(
    crs: &[GradedDay],
    icans: &[GradedDay],
    icaht: Option<(Date, Date, u8, String)>,
) -> BandPanel {
    let conv = |v: &[GradedDay]| -> Vec<(Date, Option<u8>, String)> {
        v.iter()
            .map(|g| (g.date, Some(g.level.min(4)), g.reason.clone()))
            .collect()
    };
    let mut rows = vec![
        BandRow {
            id: "series-crs".into(),
            name: "CRS (ASTCT)".into(),
            cells: runs(&conv(crs), "CRS grade", false),
        },
        BandRow {
            id: "series-icans".into(),
            name: "ICANS (ASTCT)".into(),
            cells: runs(&conv(icans), "ICANS grade", false),
        },
    ];
    rows.push(BandRow {
        id: "series-icaht".into(),
        name: "ICAHT early".into(),
        cells: icaht
            .map(|(a, b, l, why)| {
                vec![BandCell {
                    from: a,
                    to: b,
                    level: l,
                    assessed: true,
                    label: format!(
                        "grade {l} · ANC ≤ 0.5 for {} days",
                        b.days_since(a).get() + 1
                    ),
                    title: format!("early ICAHT grade {l}, {a} to {b}: {why}"),
                }]
            })
            .unwrap_or_default(),
    });
    BandPanel {
        id: "cart-toxicity".into(),
        rows,
        empty_note: "CRS, ICANS or ICAHT grades (no CAR-T toxicity graded)".into(),
        legend_name: "grade".into(),
    }
}

impl Panel for BandPanel {
    fn id(&self) -> &str {
        &self.id
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        self.rows.len() as f64 * ROW_H + 4.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        draw::day_grid(out, ctx);
        if self.rows.iter().all(|r| r.cells.is_empty()) {
            super::no_data(out, ctx, &self.empty_note);
            return;
        }
        for (i, row) in self.rows.iter().enumerate() {
            render_row(ctx, ctx.top + 2.0 + i as f64 * ROW_H, row, out);
        }
    }

    fn legend_for(&self, _course: &Course) -> Vec<LegendEntry> {
        // only the grade levels this band draws
        (1..=4u8)
            .filter(|l| {
                self.rows
                    .iter()
                    .any(|r| r.cells.iter().any(|c| c.level.min(4) == *l))
            })
            .map(|l| {
                LegendEntry::new(
                    format!("grade/stage {} ({})", roman(l), l),
                    palette::GRADE[l as usize],
                    LegendSymbol::Bar,
                )
            })
            .collect()
    }
}

/// One lane at `top`: its name, its base line and its cells.
fn render_row(ctx: &PanelContext, top: f64, row: &BandRow, out: &mut String) {
    text(
        out,
        ctx.x.left - 6.0,
        top + ROW_H * 0.72,
        "lane",
        "end",
        row.name.trim(),
    );
    let _ = write!(
        out,
        r#"<g id="{}" class="band" data-label="{}"><line class="laneline" x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
        escape(&row.id),
        escape(row.name.trim()),
        ctx.x.left,
        ctx.x.right,
        top + ROW_H,
        top + ROW_H
    );
    for (k, c) in row.cells.iter().enumerate() {
        let next_x0 = row
            .cells
            .get(k + 1)
            .map(|n| ctx.x.x(ctx.day_of(n.from).max(ctx.x.start) as f64))
            .unwrap_or(ctx.x.right);
        render_cell(ctx, top, c, next_x0, out);
    }
    out.push_str("</g>");
}

/// One cell of a lane (nothing outside the window), coloured by its level,
/// with its label inside when it fits, else right of it when there is room
/// before the next cell (`next_x0`).
fn render_cell(ctx: &PanelContext, top: f64, c: &BandCell, next_x0: f64, out: &mut String) {
    let (d0, d1) = (ctx.day_of(c.from), ctx.day_of(c.to));
    if d1 < ctx.x.start || d0 > ctx.x.end {
        return;
    }
    let x0 = ctx.x.x(d0.max(ctx.x.start) as f64);
    let x1 = ctx.x.x((d1 + 1).min(ctx.x.end) as f64);
    let w = (x1 - x0).max(1.5);
    let title = format!("{}\n{}", ctx.when_span(c.from, c.to), c.title);
    if !c.assessed {
        let _ = write!(
            out,
            r##"<rect class="cell unassessed" x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="none" stroke="#888888" stroke-width="0.6" stroke-dasharray="2 1.5"><title>{}</title></rect>"##,
            top + 1.0,
            ROW_H - 2.0,
            escape(&title)
        );
        return;
    }
    let _ = write!(
        out,
        r#"<rect class="cell g{}" x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}" stroke="{}" stroke-width="0.4"><title>{}</title></rect>"#,
        c.level.min(4),
        top + 1.0,
        ROW_H - 2.0,
        palette::grade(c.level),
        if c.level == 0 { "#bbbbbb" } else { "none" },
        escape(&title)
    );
    let lw = draw::bold_text_width(&c.label, 10.0);
    if c.level > 0 && lw + 2.0 < w {
        text(
            out,
            x0 + w / 2.0,
            top + ROW_H * 0.7,
            if c.level >= 3 {
                "celltext dark"
            } else {
                "celltext"
            },
            "middle",
            &c.label,
        );
    } else if c.level > 0 && c.label.len() > 2 && x0 + w + 4.0 + lw < next_x0 - 4.0 {
        // a long label that does not fit goes right of its cell
        text(
            out,
            x0 + w + 4.0,
            top + ROW_H * 0.7,
            "celltext",
            "start",
            &c.label,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_dated_by_itself_is_not_dated_twice() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        let days = vec![
            (
                d("2024-03-05"),
                Some(1),
                "2024-03-05: fever gives grade 1".to_string(),
            ),
            (d("2024-03-06"), Some(1), "fever gives grade 1".to_string()),
        ];
        let r = runs(&days, "CRS grade", false);
        assert_eq!(
            r[0].title,
            "CRS grade 1\n2024-03-05: fever gives grade 1\n2024-03-06: fever gives grade 1"
        );
    }

    #[test]
    fn runs_merge_consecutive_equal_days_only() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        let days = vec![
            (d("2024-01-01"), Some(1), "a".to_string()),
            (d("2024-01-02"), Some(1), "b".to_string()),
            (d("2024-01-03"), Some(2), "c".to_string()),
            (d("2024-01-06"), Some(2), "d".to_string()),
        ];
        let r = runs(&days, "g", true);
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].from, r[0].to, r[0].level),
            (d("2024-01-01"), d("2024-01-02"), 1)
        );
        assert_eq!(r[1].label, "II");
        assert!(r[0].title.contains("2024-01-02: b"));
    }

    /// A not-gradable day next to a grade 0 day is its own "not assessed"
    /// cell, not merged into grade 0.
    #[test]
    fn a_not_gradable_day_is_its_own_unassessed_cell() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        let days = vec![
            (d("2024-01-01"), Some(0), "a".to_string()),
            (d("2024-01-02"), None, "b".to_string()),
            (d("2024-01-03"), Some(0), "c".to_string()),
        ];
        let r = runs(&days, "MAGIC grade", true);
        assert_eq!(r.len(), 3);
        assert!(r[0].assessed && r[2].assessed);
        assert!(!r[1].assessed);
        assert_eq!(r[1].label, "not assessed");
        assert!(r[1].title.starts_with("MAGIC grade not assessed"));
    }
}

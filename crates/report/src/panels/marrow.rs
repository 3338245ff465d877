//! Marrow blasts and flow MRD on one log10 % axis (0.01–100 %), with the
//! 5 % marrow-blast line (ELN 2022 CR/relapse threshold \[V\]) and the 0.1 %
//! flow MRD line (ELN 2021 MRD positivity \[R\]). An MRD of 0 (negative) is
//! drawn hollow on the floor and its title says so. Response and relapse
//! (ELN 2022) are drawn in the course-events panel; marrow blast values
//! at or above 5 % are written next to their points.

use graftwatch_core::{Date, Percent};
use graftwatch_course::Course;
use graftwatch_criteria::eln_relapse::MFC_MRD_POSITIVE_PERCENT;
use graftwatch_criteria::eln_response::{MARROW_BLASTS_CLEAR_BELOW, marrow_blasts_clear};

use std::fmt::Write as _;

use crate::analysis::PercentPoint;
use crate::draw::{self, Series, Shape};
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::palette;
use crate::scale::YScale;

/// Marrow blast threshold drawn: the ELN 2022 boundary, from `criteria`.
pub const BLAST_THRESHOLD: Percent = MARROW_BLASTS_CLEAR_BELOW;
/// Flow MRD positivity threshold drawn: the ELN 2021 MFC threshold, from
/// `criteria`.
pub const MRD_THRESHOLD: Percent = MFC_MRD_POSITIVE_PERCENT;

/// Marrow blasts and MRD points.
#[derive(Debug, Clone)]
pub struct MarrowPanel {
    /// Marrow blasts.
    pub blasts: Vec<PercentPoint>,
    /// Flow MRD.
    pub mrd: Vec<PercentPoint>,
}

impl Panel for MarrowPanel {
    fn id(&self) -> &str {
        "marrow"
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        120.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let y = ctx.y_scale(0.01, 100.0, true);
        draw_frame(ctx, &y, out);
        let pts = |v: &[PercentPoint]| -> Vec<(Date, f64)> {
            v.iter().map(|p| (p.date, p.percent.get())).collect()
        };
        let in_window = |v: &[PercentPoint]| v.iter().any(|p| ctx.x.contains(ctx.day_of(p.date)));
        if !in_window(&self.blasts) && !in_window(&self.mrd) {
            super::no_data(out, ctx, "marrow blast or MRD results in the window");
            return;
        }
        draw::series(
            out,
            ctx,
            &y,
            &Series {
                id: "series-marrow-blasts",
                label: "marrow blasts",
                unit: "%",
                colour: palette::BLASTS,
                shape: Shape::Circle,
                dash: "none",
                decimals: 1,
                points: pts(&self.blasts),
            },
        );
        draw::series(
            out,
            ctx,
            &y,
            &Series {
                id: "series-mrd",
                label: "MRD (flow)",
                unit: "%",
                colour: palette::MRD,
                shape: Shape::Diamond,
                dash: "3 2",
                decimals: 2,
                points: pts(&self.mrd),
            },
        );
        draw_blast_labels(&self.blasts, ctx, &y, out);
    }

    fn legend(&self) -> Vec<LegendEntry> {
        vec![
            LegendEntry::new(
                "marrow blasts %",
                palette::BLASTS,
                LegendSymbol::Series(Shape::Circle),
            ),
            LegendEntry::new(
                "MRD (flow) %",
                palette::MRD,
                LegendSymbol::Series(Shape::Diamond),
            ),
        ]
    }
}

/// The day grid, the log y axis and the 5 % blast and 0.1 % MRD lines.
fn draw_frame(ctx: &PanelContext, y: &YScale, out: &mut String) {
    draw::day_grid(out, ctx);
    draw::y_axis(
        out,
        ctx,
        y,
        &[0.01, 0.1, 1.0, 10.0, 100.0],
        "blasts / MRD %",
    );
    draw::threshold(
        out,
        ctx,
        y.y(BLAST_THRESHOLD.get()),
        palette::BLASTS,
        &format!("blasts-{}", BLAST_THRESHOLD.get()),
        &format!("blasts {} %", BLAST_THRESHOLD.get()),
    );
    draw::threshold(
        out,
        ctx,
        y.y(MRD_THRESHOLD.get()),
        palette::MRD,
        &format!("mrd-{}", MRD_THRESHOLD.get()),
        &format!("MRD {} %", MRD_THRESHOLD.get()),
    );
}

/// Blast values at or above the threshold are written next to the point,
/// so refractory disease and relapse read without hovering; a label that
/// would overlap the previous one is left out.
fn draw_blast_labels(blasts: &[PercentPoint], ctx: &PanelContext, y: &YScale, out: &mut String) {
    let mut last_end = f64::NEG_INFINITY;
    for p in blasts {
        let day = ctx.day_of(p.date);
        if !ctx.x.contains(day) || marrow_blasts_clear(p.percent.get()) {
            continue;
        }
        let label = format!("{:.0} %", p.percent.get());
        let w = draw::bold_text_width(&label, 10.0);
        // kept inside the plot, clear of the y-axis labels
        let x = (ctx.x.x(day as f64 + 0.5)).max(ctx.x.left + 2.0 + w / 2.0);
        if x - w / 2.0 < last_end + 3.0 {
            continue;
        }
        last_end = x + w / 2.0;
        let _ = write!(
            out,
            r#"<text class="ptlabel" x="{x:.1}" y="{:.1}" text-anchor="middle" fill="{}">{}</text>"#,
            y.y(p.percent.get()) - 5.0,
            palette::darker(palette::BLASTS),
            label
        );
    }
}

//! Marrow blasts and flow MRD on one log10 % axis (0.01–100 %), with the
//! 5 % marrow-blast line (ELN 2022 CR/relapse threshold [V]) and the 0.1 %
//! flow MRD line (ELN 2021 MRD positivity [R]). An MRD of 0 (negative) is
//! drawn hollow on the floor and its title says so. Response and relapse
//! (ELN 2022, from the grading engine) are labelled where they change.

use graftwatch_core::Date;
use graftwatch_course::Course;

use std::fmt::Write as _;

use crate::analysis::{GradedDay, PercentPoint};
use crate::draw::{self, Series, Shape};
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::format::signed_day;
use crate::palette;
use crate::scale::YScale;

/// Marrow blast threshold drawn, %.
pub const BLAST_THRESHOLD: f64 = 5.0;
/// Flow MRD positivity threshold drawn, %.
pub const MRD_THRESHOLD: f64 = 0.1;

/// Marrow blasts and MRD points.
#[derive(Debug, Clone)]
pub struct MarrowPanel {
    /// Marrow blasts.
    pub blasts: Vec<PercentPoint>,
    /// Flow MRD.
    pub mrd: Vec<PercentPoint>,
    /// ELN 2022 response/relapse grades from the engine's timeline; a
    /// labelled marker is drawn where the grade changes (e.g. `CR`,
    /// `relapse`), its title giving the engine's reason.
    pub responses: Vec<GradedDay>,
}

impl Panel for MarrowPanel {
    fn id(&self) -> &str {
        "marrow"
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        120.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let y = YScale {
            min: 0.01,
            max: 100.0,
            top: ctx.top + 4.0,
            bottom: ctx.top + ctx.height - 4.0,
            log: true,
        };
        draw::day_grid(out, ctx);
        draw::y_axis(
            out,
            ctx,
            &y,
            &[0.01, 0.1, 1.0, 10.0, 100.0],
            "blasts / MRD %",
        );
        draw::threshold(
            out,
            ctx,
            y.y(BLAST_THRESHOLD),
            palette::BLASTS,
            "blasts-5",
            "blasts 5 %",
        );
        draw::threshold(
            out,
            ctx,
            y.y(MRD_THRESHOLD),
            palette::MRD,
            "mrd-0.1",
            "MRD 0.1 %",
        );
        let pts = |v: &[PercentPoint]| -> Vec<(Date, f64)> {
            v.iter().map(|p| (p.date, p.percent)).collect()
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
        // Response / relapse markers where the ELN grade changes.
        out.push_str(r#"<g class="responses" id="series-eln-response">"#);
        let mut prev: Option<&str> = None;
        let mut last_x = f64::NEG_INFINITY;
        for r in &self.responses {
            let day = ctx.day_of(r.date);
            let same = prev == Some(r.grade.as_str());
            prev = Some(r.grade.as_str());
            // the first grade in the window is labelled even when unchanged
            if !ctx.x.contains(day) || (same && last_x.is_finite()) {
                continue;
            }
            let x = ctx.x.x(day as f64 + 0.5);
            let row = if x - last_x < 70.0 { 1.0 } else { 0.0 };
            last_x = x;
            let ty = ctx.top + 12.0 + row * 11.0;
            let _ = write!(
                out,
                r#"<g class="response"><path d="M{x:.1},{:.1} l-3,-5 h6 z" fill="{}"/><text class="ptlabel" x="{:.1}" y="{ty:.1}" text-anchor="start">{}</text><title>{} ({} {}): ELN 2022 {}: {}</title></g>"#,
                ty + 2.0,
                palette::INK,
                x + 4.0,
                escape(&r.grade),
                r.date,
                ctx.origin_label,
                signed_day(day),
                escape(&r.grade),
                escape(&r.reason)
            );
        }
        out.push_str("</g>");
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

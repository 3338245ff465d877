//! ANC and platelets on one log10 axis (both ×10⁹/L) with the engraftment
//! thresholds: ANC 0.5, platelets 20 and 50 ×10⁹/L (CIBMTR/ASTCT, see
//! docs/report.md).

use graftwatch_core::Analyte;
use graftwatch_course::Course;

use crate::draw::{self, Series, Shape};
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::palette;

/// ANC engraftment threshold, ×10⁹/L.
pub const ANC_THRESHOLD: f64 = 0.5;
/// Platelet engraftment thresholds, ×10⁹/L.
pub const PLATELET_THRESHOLDS: [f64; 2] = [20.0, 50.0];
/// Floor of the log axis, ×10⁹/L (lower values are drawn hollow on it).
pub const LOG_FLOOR: f64 = 0.01;
/// Top of the log axis, ×10⁹/L.
pub const LOG_TOP: f64 = 1000.0;

/// ANC and platelets on a log axis.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountsPanel;

impl Panel for CountsPanel {
    fn id(&self) -> &str {
        "counts"
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        240.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let y = ctx.y_scale(LOG_FLOOR, LOG_TOP, true);
        draw::day_grid(out, ctx);
        draw::y_axis(
            out,
            ctx,
            &y,
            &[0.01, 0.1, 1.0, 10.0, 100.0, 1000.0],
            "ANC, platelets ×10⁹/L (log)",
        );
        draw::threshold(
            out,
            ctx,
            y.y(ANC_THRESHOLD),
            palette::ANC,
            "anc-0.5",
            "ANC 0.5",
        );
        for t in PLATELET_THRESHOLDS {
            draw::threshold(
                out,
                ctx,
                y.y(t),
                palette::PLATELETS,
                &format!("platelets-{t}"),
                &format!("PLT {t}"),
            );
        }
        let anc = ctx.course.lab_series(Analyte::Anc);
        let plt = ctx.course.lab_series(Analyte::Platelets);
        if anc.is_empty() && plt.is_empty() {
            super::no_data(out, ctx, "ANC or platelet observations");
            return;
        }
        draw::series(
            out,
            ctx,
            &y,
            &Series {
                id: "series-platelets",
                label: "Platelets",
                unit: "×10⁹/L",
                colour: palette::PLATELETS,
                shape: Shape::Square,
                dash: "none",
                decimals: 0,
                points: plt,
            },
        );
        draw::series(
            out,
            ctx,
            &y,
            &Series {
                id: "series-anc",
                label: "ANC",
                unit: "×10⁹/L",
                colour: palette::ANC,
                shape: Shape::Circle,
                dash: "none",
                decimals: 2,
                points: anc,
            },
        );
    }

    fn legend_for(&self, course: &Course) -> Vec<LegendEntry> {
        if course.lab_series(Analyte::Anc).is_empty()
            && course.lab_series(Analyte::Platelets).is_empty()
        {
            return Vec::new();
        }
        vec![
            LegendEntry::new("ANC", palette::ANC, LegendSymbol::Series(Shape::Circle)),
            LegendEntry::new(
                "Platelets",
                palette::PLATELETS,
                LegendSymbol::Series(Shape::Square),
            ),
            LegendEntry::new("ANC 0.5 threshold", palette::ANC, LegendSymbol::Dashed),
            LegendEntry::new(
                "Platelet 20 / 50 thresholds",
                palette::PLATELETS,
                LegendSymbol::Dashed,
            ),
        ]
    }
}

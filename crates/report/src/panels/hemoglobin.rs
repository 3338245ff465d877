//! Haemoglobin on its own linear panel, with the usual 7 g/dL red-cell
//! transfusion trigger drawn for orientation.

use graftwatch_core::Analyte;
use graftwatch_course::Course;

use crate::draw::{self, Series, Shape};
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::palette;

/// Red-cell transfusion trigger drawn on the panel, g/dL.
pub const HB_TRIGGER: f64 = 7.0;

/// Haemoglobin, g/dL, linear axis.
#[derive(Debug, Clone, Copy, Default)]
pub struct HemoglobinPanel;

impl Panel for HemoglobinPanel {
    fn id(&self) -> &str {
        "hemoglobin"
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        150.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let hb = ctx.course.lab_series(Analyte::Hemoglobin);
        // The axis never goes above the plausibility limit (the one table in
        // graftwatch-core): higher values are drawn hollow at the ceiling
        // with a note in their title, so one bad value cannot make the axis
        // ticks (and the report) grow without bound (issue 15).
        let hi = hb
            .iter()
            .map(|(_, v)| *v)
            .filter(|v| v.is_finite())
            .fold(16.0_f64, f64::max)
            .ceil()
            .min(Analyte::Hemoglobin.implausible_above().ceil());
        let y = ctx.y_scale(4.0, hi, false);
        draw::day_grid(out, ctx);
        let ticks: Vec<f64> = (2..=(hi as i32 / 2)).map(|t| (t * 2) as f64).collect();
        draw::y_axis(out, ctx, &y, &ticks, "Hb g/dL");
        draw::threshold(
            out,
            ctx,
            y.y(HB_TRIGGER),
            palette::HEMOGLOBIN,
            "hemoglobin-7",
            "Hb 7",
        );
        if hb.is_empty() {
            super::no_data(out, ctx, "haemoglobin observations");
            return;
        }
        draw::series(
            out,
            ctx,
            &y,
            &Series {
                id: "series-hemoglobin",
                label: "Hb",
                unit: "g/dL",
                colour: palette::HEMOGLOBIN,
                shape: Shape::Diamond,
                dash: "none",
                decimals: 1,
                points: hb,
            },
        );
    }

    fn legend_for(&self, course: &Course) -> Vec<LegendEntry> {
        if course.lab_series(Analyte::Hemoglobin).is_empty() {
            return Vec::new();
        }
        vec![
            LegendEntry::new(
                "Haemoglobin",
                palette::HEMOGLOBIN,
                LegendSymbol::Series(Shape::Diamond),
            ),
            LegendEntry::new("Hb 7 g/dL", palette::HEMOGLOBIN, LegendSymbol::Dashed),
        ]
    }
}

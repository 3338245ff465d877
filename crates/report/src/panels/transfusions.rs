//! Transfusions as ticks: one row for platelets, one for red cells (and one
//! for other products when present), each in its own colour and shape.

use std::fmt::Write as _;

use graftwatch_course::{Course, EventDetail, TransfusionProduct};

use crate::draw::{self, Shape, text};
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::palette;

/// Transfusion ticks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransfusionsPanel;

const ROW_H: f64 = 18.0;

fn rows(course: &Course) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut r = vec![
        ("platelets", "PLT transfused", palette::PLATELETS),
        ("rbc", "RBC transfused", palette::HEMOGLOBIN),
    ];
    let other = course.events.iter().any(|e| {
        matches!(
            e.detail,
            EventDetail::Transfusion {
                product: TransfusionProduct::Plasma | TransfusionProduct::Granulocytes,
                ..
            }
        )
    });
    if other {
        r.push(("other", "Other products", palette::TREATMENT));
    }
    r
}

fn product_key(p: TransfusionProduct) -> &'static str {
    match p {
        TransfusionProduct::Platelets => "platelets",
        TransfusionProduct::Rbc => "rbc",
        TransfusionProduct::Plasma | TransfusionProduct::Granulocytes => "other",
    }
}

fn product_name(p: TransfusionProduct) -> &'static str {
    match p {
        TransfusionProduct::Platelets => "platelets",
        TransfusionProduct::Rbc => "red cells",
        TransfusionProduct::Plasma => "plasma",
        TransfusionProduct::Granulocytes => "granulocytes",
    }
}

impl Panel for TransfusionsPanel {
    fn id(&self) -> &str {
        "transfusions"
    }

    fn height(&self, course: &Course, _frame: &Frame) -> f64 {
        rows(course).len() as f64 * ROW_H + 4.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        draw::day_grid(out, ctx);
        let rows = rows(ctx.course);
        for (i, (_, label, _)) in rows.iter().enumerate() {
            let cy = ctx.top + 2.0 + ROW_H * (i as f64 + 0.5);
            text(out, ctx.x.left - 6.0, cy + 4.0, "lane", "end", label);
        }
        let mut any = false;
        for e in &ctx.course.events {
            let EventDetail::Transfusion { product, units } = &e.detail else {
                continue;
            };
            let day = ctx.day_of(e.date);
            if !ctx.x.contains(day) {
                continue;
            }
            any = true;
            let key = product_key(*product);
            let Some(i) = rows.iter().position(|(k, _, _)| *k == key) else {
                continue;
            };
            let colour = rows[i].2;
            let cy = ctx.top + 2.0 + ROW_H * (i as f64 + 0.5);
            let x = ctx.x.x(day as f64 + 0.5);
            let title = format!(
                "{}: {}{}",
                ctx.when(e.date),
                product_name(*product),
                units
                    .map(|u| format!(", {u} unit{}", if u == 1 { "" } else { "s" }))
                    .unwrap_or_default()
            );
            let _ = write!(
                out,
                r#"<g class="transfusion {key}" data-date="{}"><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2.2"/>"#,
                e.date,
                cy - 7.0,
                cy + 7.0
            );
            if key == "rbc" {
                draw::marker(out, Shape::Diamond, x, cy - 7.0, 2.6, colour, "/>");
            } else if key == "platelets" {
                draw::marker(out, Shape::Square, x, cy - 7.0, 2.2, colour, "/>");
            }
            let _ = write!(out, "<title>{}</title></g>", escape(&title));
        }
        if !any {
            super::no_data(out, ctx, "transfusions in the figure window");
        }
    }

    fn legend_for(&self, course: &Course) -> Vec<LegendEntry> {
        let given = |k: &str| {
            course.events.iter().any(|e| match &e.detail {
                EventDetail::Transfusion { product, .. } => product_key(*product) == k,
                _ => false,
            })
        };
        let mut v = Vec::new();
        if given("platelets") {
            v.push(LegendEntry::new(
                "Platelet transfusion",
                palette::PLATELETS,
                LegendSymbol::Tick,
            ));
        }
        if given("rbc") {
            v.push(LegendEntry::new(
                "RBC transfusion",
                palette::HEMOGLOBIN,
                LegendSymbol::Tick,
            ));
        }
        v
    }
}

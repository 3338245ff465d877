//! Chimerism of one lineage as stacked areas per person: recipient at the
//! bottom (so a rising recipient share grows up from the floor), then each
//! donor in the course's donor order, on a 0–100 % axis, with the 5 %
//! recipient line (full donor chimerism = donor > 95 %, ASTCT/EBMT 2024
//! [V]). Each sample has a marker with a hover title listing every share.

use std::fmt::Write as _;

use graftwatch_core::{Lineage, PersonRef};
use graftwatch_course::Course;
use graftwatch_grading::extract::chimerism::ChimerismSample;

use crate::draw;
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::format::signed_day;
use crate::palette;
use crate::scale::YScale;

/// Recipient share drawn as the mixed-chimerism line (%).
pub const MIXED_RECIPIENT_PERCENT: f64 = 5.0;

/// A person in the chimerism panels with a fixed colour.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonStyle {
    /// The person.
    pub person: PersonRef,
    /// Label (`recipient`, donor id).
    pub label: String,
    /// Colour (the same in every chimerism panel).
    pub colour: &'static str,
}

/// The persons of a course in drawing order: recipient, then the donors in
/// the course's donor order, then any donor id seen only in the samples.
pub fn person_styles(course: &Course, samples: &[ChimerismSample]) -> Vec<PersonStyle> {
    let mut v = vec![PersonStyle {
        person: PersonRef::Recipient,
        label: "recipient".into(),
        colour: palette::RECIPIENT,
    }];
    for d in &course.donors {
        v.push(PersonStyle {
            person: PersonRef::Donor(d.id.clone()),
            label: d.id.0.clone(),
            colour: palette::donor(v.len() - 1),
        });
    }
    for s in samples {
        for sh in &s.shares {
            if !v.iter().any(|p| p.person == sh.person) {
                v.push(PersonStyle {
                    person: sh.person.clone(),
                    label: sh.person.to_string(),
                    colour: palette::DONOR_UNNAMED,
                });
            }
        }
    }
    v
}

/// One lineage's stacked-area panel.
#[derive(Debug, Clone)]
pub struct ChimerismPanel {
    /// The lineage.
    pub lineage: Lineage,
    /// Samples of this lineage, by date.
    pub samples: Vec<ChimerismSample>,
    /// Persons in stacking order.
    pub persons: Vec<PersonStyle>,
    /// Draw the legend (only the first chimerism panel does).
    pub with_legend: bool,
}

impl ChimerismPanel {
    /// A panel for `lineage` from all samples of the course.
    pub fn new(
        lineage: Lineage,
        all: &[ChimerismSample],
        persons: Vec<PersonStyle>,
        with_legend: bool,
    ) -> ChimerismPanel {
        let mut samples: Vec<ChimerismSample> = all
            .iter()
            .filter(|s| s.lineage == lineage)
            .cloned()
            .collect();
        samples.sort_by_key(|s| s.date);
        ChimerismPanel {
            lineage,
            samples,
            persons,
            with_legend,
        }
    }

    /// Share of `person` in a sample (0 when the sample does not name it).
    fn share(s: &ChimerismSample, p: &PersonRef) -> f64 {
        s.shares
            .iter()
            .filter(|x| &x.person == p)
            .map(|x| x.percent)
            .sum()
    }
}

fn lineage_slug(l: Lineage) -> String {
    l.to_string().replace([' ', '+'], "").to_lowercase()
}

impl Panel for ChimerismPanel {
    fn id(&self) -> &str {
        match self.lineage {
            Lineage::WholeBlood => "chimerism-whole_blood",
            Lineage::Cd3 => "chimerism-cd3",
            Lineage::Myeloid => "chimerism-myeloid",
            Lineage::Cd19 => "chimerism-cd19",
            Lineage::Cd56 => "chimerism-cd56",
            Lineage::Cd34 => "chimerism-cd34",
            Lineage::Marrow => "chimerism-marrow",
        }
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        92.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let y = YScale {
            min: 0.0,
            max: 100.0,
            top: ctx.top + 2.0,
            bottom: ctx.top + ctx.height - 2.0,
            log: false,
        };
        draw::day_grid(out, ctx);
        draw::y_axis(
            out,
            ctx,
            &y,
            &[0.0, 50.0, 100.0],
            &format!("{} %", self.lineage),
        );
        let pts: Vec<(&ChimerismSample, f64)> = self
            .samples
            .iter()
            .map(|s| (s, ctx.day_of(s.date)))
            .filter(|(_, d)| ctx.x.contains(*d))
            .map(|(s, d)| (s, ctx.x.x(d as f64 + 0.5)))
            .collect();
        if pts.is_empty() {
            super::no_data(out, ctx, &format!("{} chimerism samples", self.lineage));
            return;
        }
        let slug = lineage_slug(self.lineage);
        // Stacked areas, recipient at the bottom.
        let mut lower: Vec<f64> = vec![0.0; pts.len()];
        for p in &self.persons {
            let vals: Vec<f64> = pts.iter().map(|(s, _)| Self::share(s, &p.person)).collect();
            if vals.iter().all(|v| *v <= 0.0) {
                continue;
            }
            let upper: Vec<f64> = lower
                .iter()
                .zip(&vals)
                .map(|(l, v)| (l + v).min(100.0))
                .collect();
            let mut d = String::new();
            let single = pts.len() == 1;
            for (i, (_, x)) in pts.iter().enumerate() {
                let x0 = if single { x - 3.0 } else { *x };
                let _ = write!(
                    d,
                    "{}{x0:.1},{:.1} ",
                    if i == 0 { "M" } else { "L" },
                    y.y(upper[i])
                );
                if single {
                    let _ = write!(d, "L{:.1},{:.1} ", x + 3.0, y.y(upper[i]));
                }
            }
            for (i, (_, x)) in pts.iter().enumerate().rev() {
                if single {
                    let _ = write!(d, "L{:.1},{:.1} ", x + 3.0, y.y(lower[i]));
                }
                let x0 = if single { x - 3.0 } else { *x };
                let _ = write!(d, "L{x0:.1},{:.1} ", y.y(lower[i]));
            }
            let person_slug = escape(&p.label.to_lowercase());
            let _ = write!(
                out,
                r#"<path id="series-chimerism-{slug}-{person_slug}" class="area chimerism" data-person="{}" d="{d}Z" fill="{}" fill-opacity="0.85" stroke="{}" stroke-width="0.6"><title>{} chimerism: {} share</title></path>"#,
                escape(&p.label),
                p.colour,
                p.colour,
                escape(&self.lineage.to_string()),
                escape(&p.label)
            );
            lower = upper;
        }
        draw::threshold(
            out,
            ctx,
            y.y(MIXED_RECIPIENT_PERCENT),
            palette::INK,
            &format!("chimerism-{slug}-5"),
            "recipient 5 %",
        );
        // Recipient share as points on top of its area (the value that
        // matters for relapse and DLI), hollow when not recorded.
        let rec = PersonRef::Recipient;
        let _ = write!(
            out,
            r#"<g class="series" id="series-chimerism-{slug}-recipient-points" data-label="recipient %">"#
        );
        for (s, x) in &pts {
            if let Some(r) = s
                .shares
                .iter()
                .find(|sh| sh.person == rec)
                .map(|sh| sh.percent)
            {
                let cy = y.y(r);
                if r > MIXED_RECIPIENT_PERCENT {
                    let _ = write!(
                        out,
                        r#"<text class="ptlabel" x="{x:.1}" y="{:.1}" text-anchor="middle" style="fill:{}">{:.0}%</text>"#,
                        cy - 4.0,
                        palette::darker(palette::RECIPIENT),
                        r
                    );
                }
                let _ = write!(
                    out,
                    r#"<circle class="pt" cx="{x:.1}" cy="{cy:.1}" r="2.4" fill="{}" stroke="white" stroke-width="0.6"><title>{} recipient {:.1} %</title></circle>"#,
                    palette::RECIPIENT,
                    s.date,
                    r
                );
            }
        }
        out.push_str("</g>");
        // Sample markers with every share in the title.
        let _ = write!(out, r#"<g class="samples" id="samples-chimerism-{slug}">"#);
        for (s, x) in &pts {
            let shares = s
                .shares
                .iter()
                .map(|sh| format!("{} {:.1} %", sh.person, sh.percent))
                .collect::<Vec<_>>()
                .join(", ");
            let title = format!(
                "{} ({} {}): {} chimerism {}{}",
                s.date,
                ctx.origin_label,
                signed_day(ctx.day_of(s.date)),
                self.lineage,
                shares,
                s.method.map(|m| format!(" ({m:?})")).unwrap_or_default()
            );
            let _ = write!(
                out,
                r#"<line class="sample" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1.4"><title>{}</title></line>"#,
                y.top,
                y.top + 5.0,
                palette::INK,
                escape(&title)
            );
        }
        out.push_str("</g>");
    }

    fn legend(&self) -> Vec<LegendEntry> {
        if !self.with_legend {
            return Vec::new();
        }
        self.persons
            .iter()
            .map(|p| {
                LegendEntry::new(
                    format!("chimerism: {}", p.label),
                    p.colour,
                    LegendSymbol::Bar,
                )
            })
            .collect()
    }
}

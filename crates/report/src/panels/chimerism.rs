//! Chimerism as a transplant physician reads it.
//!
//! * [`RecipientChimerismPanel`]: the **recipient share** of every lineage
//!   on one log axis (0.1–100 %), in the recipient colour, lineages told
//!   apart by marker shape and dash ([`palette::lineage_style`]); the
//!   assay's limit of detection as a dotted line, results below it (not
//!   detected) as open markers on that line; the DLI decision threshold
//!   (mixed chimerism, taken from the DLI rule's configuration in
//!   `graftwatch_criteria::dli`) as a dashed line.
//! * [`ChimerismPanel`]: per lineage, the share of **each graft** (cord
//!   unit, PBSC donor) and the recipient stacked to 100 %, recipient at the
//!   bottom, so a switch of the dominant unit is visible. Each sample has a
//!   tick with a hover title listing every share and the method.

use std::fmt::Write as _;

use graftwatch_core::{Date, Lineage, Percent, PersonRef};
use graftwatch_course::{Course, EventDetail, GraftSource};
use graftwatch_grading::extract::chimerism::ChimerismSample;

use crate::draw::{self, Shape};
use crate::escape::escape;
use crate::figure::{Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
use crate::palette;
use crate::scale::YScale;

/// Recipient share drawn as the mixed-chimerism line (%) when no DLI rule
/// configuration is given: the default of
/// `graftwatch_criteria::dli::DliConfig::mixed_recipient_above_percent`.
pub fn default_mixed_recipient_percent() -> Percent {
    graftwatch_criteria::dli::DliConfig::default().mixed_recipient_above_percent
}

/// A person in the chimerism panels with a fixed colour.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonStyle {
    /// The person.
    pub person: PersonRef,
    /// Label (`recipient`, donor id).
    pub label: String,
    /// What the person is, in words (`recipient`, `cord unit`, `PBSC donor`).
    pub role: String,
    /// Colour (the same in every chimerism panel).
    pub colour: &'static str,
}

fn source_of(course: &Course, donor: &graftwatch_core::DonorId) -> Option<GraftSource> {
    course.events.iter().find_map(|e| match &e.detail {
        EventDetail::GraftInfusion {
            source, donor: d, ..
        } if d == donor => Some(*source),
        _ => None,
    })
}

fn role(source: Option<GraftSource>) -> &'static str {
    match source {
        Some(GraftSource::Ucb) => "cord unit",
        Some(GraftSource::Pbsc) => "PBSC donor",
        Some(GraftSource::BoneMarrow) => "marrow donor",
        None => "donor",
    }
}

/// The persons of a course in drawing order: recipient, then the donors in
/// the course's donor order (coloured by graft source: cord units in the
/// cord colours, adult donors in the adult-donor colours), then any donor
/// id seen only in the samples (light grey).
pub fn person_styles(course: &Course, samples: &[ChimerismSample]) -> Vec<PersonStyle> {
    let mut v = vec![PersonStyle {
        person: PersonRef::Recipient,
        label: "recipient".into(),
        role: "recipient".into(),
        colour: palette::RECIPIENT,
    }];
    let (mut cords, mut adults) = (0, 0);
    for d in &course.donors {
        let src = source_of(course, &d.id);
        let nth = if src == Some(GraftSource::Ucb) {
            cords += 1;
            cords - 1
        } else {
            adults += 1;
            adults - 1
        };
        v.push(PersonStyle {
            person: PersonRef::Donor(d.id.clone()),
            label: d.id.0.clone(),
            role: role(src).into(),
            colour: palette::donor(src, nth),
        });
    }
    for s in samples {
        for sh in &s.shares {
            if !v.iter().any(|p| p.person == sh.person) {
                v.push(PersonStyle {
                    person: sh.person.clone(),
                    label: sh.person.to_string(),
                    role: "donor not in the donor list".into(),
                    colour: palette::DONOR_UNNAMED,
                });
            }
        }
    }
    v
}

/// Floor of the recipient log axis, %.
pub const RECIPIENT_FLOOR: f64 = 0.1;

/// The recipient share of every lineage on one log axis.
#[derive(Debug, Clone)]
pub struct RecipientChimerismPanel {
    /// Samples (all lineages), by date.
    pub samples: Vec<ChimerismSample>,
    /// Lineages drawn, in order.
    pub lineages: Vec<Lineage>,
    /// Limit of detection of the assay, % (results below it are not detected).
    pub lod_percent: Percent,
    /// DLI decision threshold: mixed chimerism when the recipient share
    /// exceeds this, % (from the DLI rule's configuration).
    pub dli_threshold_percent: Percent,
}

/// One recipient point of the panel.
struct RecipientPoint {
    date: Date,
    day: i32,
    /// The recorded (or derived) share, %.
    value: f64,
    /// Derived as 100 − donor total.
    derived: bool,
    /// The limit below which it is "not detected": the result's own LoD
    /// when recorded, else the panel's; `Some` when not detected.
    not_detected_below: Option<f64>,
}

impl RecipientChimerismPanel {
    fn points(&self, ctx: &PanelContext, l: Lineage) -> Vec<RecipientPoint> {
        self.samples
            .iter()
            .filter(|s| s.lineage == l)
            .filter_map(|s| {
                let day = ctx.day_of(s.date);
                let (r, lod) = s.recipient_for_trend()?;
                let lod = lod.unwrap_or(self.lod_percent).get();
                let called_absent = s.recipient().is_some_and(|r| r.not_detected());
                let nd = called_absent || r.get() < self.lod_percent.get();
                ctx.x.contains(day).then_some(RecipientPoint {
                    date: s.date,
                    day,
                    value: r.get(),
                    derived: s.recipient().is_none(),
                    not_detected_below: nd.then_some(if called_absent {
                        lod
                    } else {
                        self.lod_percent.get()
                    }),
                })
            })
            .collect()
    }

    fn lineage_series(&self, ctx: &PanelContext, y: &YScale, l: Lineage, out: &mut String) {
        let pts = self.points(ctx, l);
        if pts.is_empty() {
            return;
        }
        let (shape, dash) = palette::lineage_style(l);
        let words = l.label();
        let _ = write!(
            out,
            r#"<g id="series-recipient-{}" class="series" data-label="recipient % {}">"#,
            l.as_str(),
            escape(words)
        );
        let shown = |p: &RecipientPoint| {
            let floor = p.not_detected_below.unwrap_or(self.lod_percent.get());
            p.value.max(floor).max(RECIPIENT_FLOOR)
        };
        let line: Vec<String> = pts
            .iter()
            .map(|p| format!("{:.1},{:.1}", ctx.x.x(p.day as f64 + 0.5), y.y(shown(p))))
            .collect();
        if line.len() > 1 {
            let _ = write!(
                out,
                r#"<polyline class="line" fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="{dash}" points="{}"/>"#,
                palette::RECIPIENT,
                line.join(" ")
            );
        }
        for p in &pts {
            let (date, day, v, derived) = (p.date, p.day, p.value, p.derived);
            let cx = ctx.x.x(day as f64 + 0.5);
            let nd = p.not_detected_below.is_some();
            let cy = y.y(shown(p));
            let extra = if nd {
                format!(
                    r#" class="pt nd" stroke="{}" stroke-width="1.2""#,
                    palette::RECIPIENT
                )
            } else {
                r#" class="pt""#.to_string()
            };
            let fill = if nd { "#ffffff" } else { palette::RECIPIENT };
            draw::marker(out, shape, cx, cy, 3.0, fill, &extra);
            let what = match p.not_detected_below {
                Some(l) => format!("not detected (< {l} %, the limit of detection)"),
                None => format!("{v:.1} %"),
            };
            let title = format!(
                "{}: recipient chimerism, {words}: {what}{}",
                ctx.when(date),
                if derived {
                    " (100 − donor total)"
                } else {
                    ""
                }
            );
            draw::close_with_title(out, shape, &title);
        }
        out.push_str("</g>");
    }
}

impl Panel for RecipientChimerismPanel {
    fn id(&self) -> &str {
        "chimerism-recipient"
    }

    fn height(&self, _course: &Course, _frame: &Frame) -> f64 {
        130.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let y = ctx.y_scale(RECIPIENT_FLOOR, 100.0, true);
        draw::day_grid(out, ctx);
        draw::y_axis(out, ctx, &y, &[0.1, 1.0, 10.0, 100.0], "recipient %");
        if self
            .samples
            .iter()
            .all(|s| !ctx.x.contains(ctx.day_of(s.date)))
        {
            super::no_data(out, ctx, "chimerism samples");
            return;
        }
        draw::threshold_styled(
            out,
            ctx,
            y.y(self.dli_threshold_percent.get()),
            palette::RECIPIENT,
            "6 4",
            "chimerism-dli",
            &format!("DLI trigger > {} %", self.dli_threshold_percent.get()),
        );
        draw::threshold_styled(
            out,
            ctx,
            y.y(self.lod_percent.get()),
            palette::INK,
            "1 3",
            "chimerism-lod",
            &format!("LoD {} %", self.lod_percent.get()),
        );
        for l in &self.lineages {
            self.lineage_series(ctx, &y, *l, out);
        }
    }

    fn legend_for(&self, _course: &Course) -> Vec<LegendEntry> {
        let mut v: Vec<LegendEntry> = self
            .lineages
            .iter()
            .filter(|l| self.samples.iter().any(|s| s.lineage == **l))
            .map(|l| {
                let (shape, dash) = palette::lineage_style(*l);
                LegendEntry::new(
                    format!("recipient %, {}", l.label()),
                    palette::RECIPIENT,
                    LegendSymbol::SeriesDashed(shape, dash),
                )
            })
            .collect();
        if v.is_empty() {
            return v;
        }
        v.push(LegendEntry::new(
            "not detected (open, on the LoD line)",
            palette::RECIPIENT,
            LegendSymbol::OpenMarker(Shape::Circle),
        ));
        v.push(LegendEntry::new(
            format!(
                "DLI trigger: recipient > {} %",
                self.dli_threshold_percent.get()
            ),
            palette::RECIPIENT,
            LegendSymbol::Dashed,
        ));
        v.push(LegendEntry::new(
            format!("limit of detection {} %", self.lod_percent.get()),
            palette::INK,
            LegendSymbol::Dotted,
        ));
        v
    }
}

/// One lineage's share-by-graft panel.
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
            .map(|x| x.percent.get())
            .sum()
    }

    fn area_path(
        pts: &[(&ChimerismSample, f64)],
        y: &YScale,
        lower: &[f64],
        upper: &[f64],
    ) -> String {
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
        d
    }

    fn sample_ticks(
        &self,
        ctx: &PanelContext,
        y: &YScale,
        pts: &[(&ChimerismSample, f64)],
        out: &mut String,
    ) {
        let words = self.lineage.label();
        let _ = write!(
            out,
            r#"<g class="samples" id="samples-chimerism-{}">"#,
            self.lineage.as_str()
        );
        for (s, x) in pts {
            let shares = s
                .shares
                .iter()
                .map(|sh| format!("{} {} %", sh.person, sh.shown(1)))
                .collect::<Vec<_>>()
                .join(", ");
            let title = format!(
                "{}: {words} chimerism {shares}{}",
                ctx.when(s.date),
                s.method
                    .map(|m| format!(" ({})", format!("{m:?}").to_uppercase()))
                    .unwrap_or_default()
            );
            let _ = write!(
                out,
                r#"<line class="sample" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1.4"><title>{}</title></line>"#,
                y.top,
                y.top + 4.0,
                palette::INK,
                escape(&title)
            );
        }
        out.push_str("</g>");
    }
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
        52.0
    }

    fn render(&self, ctx: &PanelContext, out: &mut String) {
        let y = YScale {
            min: 0.0,
            max: 100.0,
            top: ctx.top + 2.0,
            bottom: ctx.top + ctx.height - 2.0,
            log: false,
        };
        let words = self.lineage.label();
        draw::day_grid(out, ctx);
        draw::y_axis_lane(out, ctx, &y, &[0.0, 100.0], words, "share by graft, %");
        let pts: Vec<(&ChimerismSample, f64)> = self
            .samples
            .iter()
            .map(|s| (s, ctx.day_of(s.date)))
            .filter(|(_, d)| ctx.x.contains(*d))
            .map(|(s, d)| (s, ctx.x.x(d as f64 + 0.5)))
            .collect();
        if pts.is_empty() {
            super::no_data(out, ctx, &format!("{words} chimerism samples"));
            return;
        }
        let slug = self.lineage.as_str();
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
            let d = Self::area_path(&pts, &y, &lower, &upper);
            let _ = write!(
                out,
                r#"<path id="series-chimerism-{slug}-{}" class="area chimerism" data-person="{}" d="{d}Z" fill="{}" fill-opacity="0.85" stroke="{}" stroke-width="0.6"><title>{words} chimerism: {} share</title></path>"#,
                escape(&p.label.to_lowercase()),
                escape(&p.label),
                p.colour,
                p.colour,
                escape(&person_words(&p.label, &p.role))
            );
            lower = upper;
        }
        self.sample_ticks(ctx, &y, &pts, out);
    }

    fn legend_for(&self, _course: &Course) -> Vec<LegendEntry> {
        if !self.with_legend {
            return Vec::new();
        }
        self.persons
            .iter()
            .filter(|p| {
                self.samples.iter().any(|s| {
                    s.shares
                        .iter()
                        .any(|sh| sh.person == p.person && sh.percent > Percent::ZERO)
                })
            })
            .map(|p| {
                let label = if p.label == p.role {
                    format!("share: {}", p.label)
                } else {
                    format!("share: {} ({})", p.label, p.role)
                };
                LegendEntry::new(label, p.colour, LegendSymbol::Bar)
            })
            .collect()
    }
}

/// A person in a tooltip: "PBSC-1 (donor)", but "recipient" once when the
/// label is the role.
fn person_words(label: &str, role: &str) -> String {
    if label.eq_ignore_ascii_case(role) {
        label.to_string()
    } else {
        format!("{label} ({role})")
    }
}

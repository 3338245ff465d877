//! The STR chimerism page: per sample the per-person shares with interval,
//! detection call and flags, and per locus an electropherogram-like bar
//! chart with each peak split by fitted person.

use std::fmt::Write as _;

use graftwatch_chimerism::str::{
    LocusReport, LocusStatus, PeakClass, PersonEstimate, StrReferences, StrSampleResult,
};
use graftwatch_core::Date;

use super::{person_classes, person_colour};
use crate::escape::escape as esc;
use crate::palette;

/// Grey of the part of a peak no person's fit explains (stutter, noise).
const UNFITTED: &str = "#999999";

/// How the page names one estimated sample: the sample id the table, CSV
/// and course use, where its peaks came from (file and the file's sample
/// name, a secondary detail), and its date.
#[derive(Debug, Clone, Copy)]
pub struct StrPageSample<'a> {
    /// The sample id (the run sheet's or `--sample NAME=`).
    pub id: &'a str,
    /// The file the peaks were read from.
    pub file: &'a str,
    /// The date, when given.
    pub date: Option<Date>,
}

/// Renders the page for one patient: the references and every estimated
/// sample under its id, with its source and date.
pub fn render_str_page(
    refs: &StrReferences,
    samples: &[StrPageSample<'_>],
    results: &[StrSampleResult],
) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>graftwatch STR chimerism</title>\n<style>\nbody{{font-family:system-ui,sans-serif;margin:1.5em;color:{ink}}}table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:right}}th{{background:#f4f4f4}}td:first-child,th:first-child{{text-align:left}}.loci{{display:flex;flex-wrap:wrap;gap:.6em}}.locus{{border:1px solid #ddd;padding:.2em}}.flags li{{margin:.1em 0}}.key span{{display:inline-block;margin-right:1em}}.sw{{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin-right:.3em}}.unfitted{{background:{UNFITTED}}}.unexplained{{background:{ink}}}{}\n</style></head><body>\n",
        person_classes(refs.persons.len()),
        ink = palette::INK,
    );
    o.push_str("<h1>STR chimerism</h1>\n<p class=\"key\">");
    for (i, p) in refs.persons.iter().enumerate() {
        let _ = write!(
            o,
            "<span><i class=\"sw p{i}\"></i>{} (reference {})</span>",
            esc(&p.person.to_string()),
            esc(&p.sample)
        );
    }
    o.push_str("<span><i class=\"sw unfitted\"></i>stutter (unfitted part)</span><span><i class=\"sw unexplained\"></i>unexplained peak</span></p>\n");
    for (r, sample) in results.iter().zip(samples) {
        sample_section(&mut o, r, sample);
    }
    o.push_str("</body></html>\n");
    o
}

fn detection_words(p: &PersonEstimate) -> String {
    esc(&p.detection_words())
}

fn sample_section(o: &mut String, r: &StrSampleResult, sample: &StrPageSample<'_>) {
    let _ = writeln!(
        o,
        "<section><h2>{} — {}{}</h2>\n<p class=\"source\">peaks from {}:{}</p>",
        esc(sample.id),
        r.lineage.label(),
        sample.date.map(|d| format!(", {d}")).unwrap_or_default(),
        esc(sample.file),
        esc(&r.sample)
    );
    o.push_str("<table><tr><th>person</th><th>%</th><th>95% CI</th><th>SD over loci (points)</th><th>informative loci</th><th>detection</th></tr>\n");
    for (i, p) in r.persons.iter().enumerate() {
        let ci =
            p.ci.map(|c| format!("{:.1}–{:.1}", c.low.get(), c.high.get()))
                .unwrap_or_else(|| "–".into());
        let _ = writeln!(
            o,
            "<tr><td><i class=\"sw p{i}\"></i>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.person.to_string()),
            esc(&p.reported_percent()),
            ci,
            p.sd.map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "–".into()),
            p.informative_loci,
            detection_words(p)
        );
    }
    o.push_str("</table>");
    if r.persons.iter().any(|p| p.shows_computed_lod()) {
        let _ = write!(
            o,
            "<p class=\"legend\">{}</p>",
            esc(graftwatch_chimerism::str::COMPUTED_LOD_LEGEND)
        );
    }
    let _ = writeln!(
        o,
        "<p>Donor total {:.2}%{}. Interval: {}.</p>",
        r.donor_total_percent.get(),
        r.dominant_donor
            .as_ref()
            .map(|d| format!("; dominant donor {}", esc(&d.to_string())))
            .unwrap_or_default(),
        esc(&r.ci_method)
    );
    if !r.flags.is_empty() {
        o.push_str("<ul class=\"flags\">");
        for f in &r.flags {
            let _ = write!(o, "<li><b>{}</b> {}</li>", f.code, esc(&f.text));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("<div class=\"loci\">\n");
    for l in &r.loci {
        o.push_str(&locus_svg(l, r.persons.len()));
    }
    o.push_str("</div></section>\n");
}

fn status_words(s: LocusStatus) -> &'static str {
    match s {
        LocusStatus::Used => "used",
        LocusStatus::NotInformative => "not informative",
        LocusStatus::MissingInSample => "missing",
        LocusStatus::ExcludedOutlier => "outlier, excluded",
        LocusStatus::ExcludedStutterPosition => "stutter position, excluded",
        LocusStatus::ExcludedSexMarker => "sex marker, not used",
        LocusStatus::ExcludedSaturated => "saturated, excluded",
    }
}

/// Geometry of one locus chart.
const W: f64 = 230.0;
const H: f64 = 130.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 22.0;

fn locus_svg(l: &LocusReport, k: usize) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"locus\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{name} peaks\"><text x=\"4\" y=\"13\" font-size=\"11\" font-weight=\"bold\">{name}</text><text x=\"{}\" y=\"13\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">{}</text>",
        W - 4.0,
        status_words(l.status),
        name = esc(l.locus.name()),
    );
    let max = l.peaks.iter().map(|p| p.signal).fold(0.0_f64, f64::max);
    let slot = (W - 8.0) / l.peaks.len().max(1) as f64;
    let bw = (slot * 0.6).min(24.0);
    let scale = if max > 0.0 {
        (H - TOP - BOTTOM) / max
    } else {
        0.0
    };
    for (i, p) in l.peaks.iter().enumerate() {
        let x = 4.0 + slot * (i as f64 + 0.5) - bw / 2.0;
        let title = esc(&format!("{} {}: {:.0}", l.locus.name(), p.allele, p.signal));
        peak_bars(&mut s, p, k, x, bw, scale, &title);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
            x + bw / 2.0,
            H - 8.0,
            esc(&p.allele.to_string())
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"4\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#888\"/></svg>",
        W - 4.0,
        H - BOTTOM,
        H - BOTTOM
    );
    s
}

/// One peak: stacked fitted parts per person, the unfitted rest in grey,
/// the observed outline; an unexplained peak in the ink colour.
fn peak_bars(
    s: &mut String,
    p: &graftwatch_chimerism::str::PeakReport,
    k: usize,
    x: f64,
    bw: f64,
    scale: f64,
    title: &str,
) {
    let base = H - BOTTOM;
    let total_h = p.signal * scale;
    if p.class == PeakClass::Unexplained {
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{total_h:.1}\" fill=\"{}\"><title>{title} (unexplained)</title></rect>",
            base - total_h,
            palette::INK
        );
        return;
    }
    let mut y = base;
    let mut fitted_sum = 0.0;
    if p.fitted_by_person.len() == k {
        for (j, f) in p.fitted_by_person.iter().enumerate() {
            let fh = (f * scale).min(y - TOP).max(0.0);
            if fh > 0.0 {
                y -= fh;
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{fh:.1}\" fill=\"{}\"><title>{title} fitted {f:.0}</title></rect>",
                    person_colour(j),
                );
            }
            fitted_sum += f;
        }
    }
    let rest = ((p.signal - fitted_sum) * scale).max(0.0).min(y - TOP);
    if rest > 0.5 {
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{rest:.1}\" fill=\"{UNFITTED}\" fill-opacity=\"0.7\"><title>{title}</title></rect>",
            y - rest,
        );
    }
    let _ = write!(
        s,
        "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{total_h:.1}\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.6\"/>",
        base - total_h
    );
}

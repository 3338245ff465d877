//! Self-contained HTML view of STR chimerism results: per sample the
//! per-person shares with interval and flags, and per locus an
//! electropherogram-like bar chart with each peak split by fitted person
//! (Okabe–Ito colour-blind-safe palette; inline SVG, no network).

use std::fmt::Write as _;

use graftwatch_chimerism::str::{LocusStatus, PeakClass, StrReferences, StrSampleResult};
use graftwatch_core::Date;

/// Okabe & Ito (2008) palette: recipient vermillion, donors blue, green, purple, orange, sky blue, yellow.
const PALETTE: [&str; 7] = [
    "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Renders the page.
pub fn render(refs: &StrReferences, dates: &[Option<Date>], results: &[StrSampleResult]) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>graftwatch STR chimerism</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.loci{display:flex;flex-wrap:wrap;gap:.6em}.locus{border:1px solid #ddd;padding:.2em}.flags li{margin:.1em 0}.key span{display:inline-block;margin-right:1em}.sw{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin-right:.3em}\n</style></head><body>\n");
    o.push_str("<h1>STR chimerism</h1>\n<p class=\"key\">");
    for (i, p) in refs.persons.iter().enumerate() {
        let _ = write!(
            o,
            "<span><i class=\"sw\" style=\"background:{}\"></i>{} (reference {})</span>",
            colour(i),
            esc(&p.person.to_string()),
            esc(&p.sample)
        );
    }
    o.push_str("<span><i class=\"sw\" style=\"background:#999\"></i>stutter (unfitted part)</span><span><i class=\"sw\" style=\"background:#000\"></i>unexplained peak</span></p>\n");
    for (r, date) in results.iter().zip(dates) {
        let _ = writeln!(
            o,
            "<section><h2>{} — {}{}</h2>",
            esc(&r.sample),
            r.lineage,
            date.map(|d| format!(", {d}")).unwrap_or_default()
        );
        o.push_str("<table><tr><th>person</th><th>%</th><th>95% CI</th><th>SD over loci</th><th>informative loci</th><th>detection</th></tr>\n");
        for (i, p) in r.persons.iter().enumerate() {
            let ci =
                p.ci.map(|c| format!("{:.1}–{:.1}", c.low, c.high))
                    .unwrap_or_else(|| "–".into());
            let det = match p.detection {
                graftwatch_chimerism::str::Detection::Present => {
                    format!("present ({}/{} loci)", p.loci_detected, p.loci_assessable)
                }
                graftwatch_chimerism::str::Detection::BelowQuantification => {
                    format!(
                        "present, below LoQ ({}/{} loci)",
                        p.loci_detected, p.loci_assessable
                    )
                }
                graftwatch_chimerism::str::Detection::NotDetected => {
                    format!(
                        "not detected (&lt; {:.1}%)",
                        p.detection_limit_percent.unwrap_or(f64::NAN)
                    )
                }
                graftwatch_chimerism::str::Detection::NotAssessable => "not assessable".into(),
            };
            let _ = writeln!(
                o,
                "<tr><td><i class=\"sw\" style=\"background:{}\"></i>{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                colour(i),
                esc(&p.person.to_string()),
                p.percent,
                ci,
                p.sd.map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "–".into()),
                p.informative_loci,
                det
            );
        }
        let _ = writeln!(
            o,
            "</table><p>Donor total {:.2}%. Interval: {}.</p>",
            r.donor_total_percent,
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
    o.push_str("</body></html>\n");
    o
}

fn locus_svg(l: &graftwatch_chimerism::str::LocusReport, k: usize) -> String {
    let (w, h, top, bottom) = (230.0_f64, 130.0_f64, 18.0_f64, 22.0_f64);
    let mut s = String::new();
    let status = match l.status {
        LocusStatus::Used => "used",
        LocusStatus::NotInformative => "not informative",
        LocusStatus::MissingInSample => "missing",
        LocusStatus::ExcludedOutlier => "outlier, excluded",
        LocusStatus::ExcludedStutterPosition => "stutter position, excluded",
        LocusStatus::ExcludedSexMarker => "sex marker, not used",
        LocusStatus::ExcludedSaturated => "saturated, excluded",
    };
    let _ = write!(
        s,
        "<svg class=\"locus\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{} peaks\"><text x=\"4\" y=\"13\" font-size=\"11\" font-weight=\"bold\">{}</text><text x=\"{}\" y=\"13\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">{}</text>",
        esc(l.locus.name()),
        esc(l.locus.name()),
        w - 4.0,
        status
    );
    let max = l.peaks.iter().map(|p| p.signal).fold(0.0_f64, f64::max);
    let n = l.peaks.len().max(1) as f64;
    let slot = (w - 8.0) / n;
    let bw = (slot * 0.6).min(24.0);
    let plot_h = h - top - bottom;
    for (i, p) in l.peaks.iter().enumerate() {
        let x = 4.0 + slot * (i as f64 + 0.5) - bw / 2.0;
        let scale = if max > 0.0 { plot_h / max } else { 0.0 };
        let base = h - bottom;
        let total_h = p.signal * scale;
        let title = format!("{} {}: {:.0}", l.locus.name(), p.allele, p.signal);
        match p.class {
            PeakClass::Unexplained => {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{total_h:.1}\" fill=\"#000\"><title>{} (unexplained)</title></rect>",
                    base - total_h,
                    esc(&title)
                );
            }
            _ => {
                let mut y = base;
                let mut fitted_sum = 0.0;
                if p.fitted_by_person.len() == k {
                    for (j, f) in p.fitted_by_person.iter().enumerate() {
                        let fh = (f * scale).min(y - top).max(0.0);
                        if fh > 0.0 {
                            y -= fh;
                            let _ = write!(
                                s,
                                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{fh:.1}\" fill=\"{}\"><title>{} fitted {:.0}</title></rect>",
                                colour(j),
                                esc(&title),
                                f
                            );
                        }
                        fitted_sum += f;
                    }
                }
                let rest = ((p.signal - fitted_sum) * scale).max(0.0).min(y - top);
                if rest > 0.5 {
                    let fill = if p.fitted_by_person.is_empty() && p.class == PeakClass::Allele {
                        "#bbb"
                    } else {
                        "#999"
                    };
                    let _ = write!(
                        s,
                        "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{rest:.1}\" fill=\"{fill}\" fill-opacity=\"0.7\"><title>{}</title></rect>",
                        y - rest,
                        esc(&title)
                    );
                }
                // Observed outline.
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{total_h:.1}\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.6\"/>",
                    base - total_h
                );
            }
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
            x + bw / 2.0,
            h - 8.0,
            esc(&p.allele.to_string())
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"4\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#888\"/></svg>",
        w - 4.0,
        h - bottom,
        h - bottom
    );
    s
}

//! The NGS chimerism page: per sample the shares with intervals and
//! detection limits, the recipient presence test, QC flags, and an inline
//! SVG of observed against expected ALT fraction per marker.

use std::fmt::Write as _;

use graftwatch_chimerism::ngs::{ErrorModel, Exclusion, NgsSampleResult};
use graftwatch_core::{Date, Lineage};

use crate::escape::escape as esc;
use crate::palette;

/// What the NGS page shows (built by the caller from its run).
#[derive(Debug, Clone)]
pub struct NgsPage<'a> {
    /// Markers in the panel.
    pub panel_markers: usize,
    /// Declared person names, recipient first.
    pub persons: Vec<&'a str>,
    /// The error model used for every sample.
    pub error_model: &'a ErrorModel,
    /// The samples.
    pub samples: Vec<NgsPageSample<'a>>,
}

/// One sample of the NGS page.
#[derive(Debug, Clone)]
pub struct NgsPageSample<'a> {
    /// Sample name.
    pub sample: &'a str,
    /// Input description (file and sample).
    pub input: &'a str,
    /// Lineage, when given.
    pub lineage: Option<Lineage>,
    /// Date, when given.
    pub date: Option<Date>,
    /// Where the allele bias was learnt from, in words, when the call
    /// analysed several samples (e.g. "allele bias learnt from the
    /// references and 3 other samples of this run").
    pub allele_bias: Option<&'a str>,
    /// The analysis.
    pub result: &'a NgsSampleResult,
}

fn pct(x: f64) -> String {
    format!("{:.3}", 100.0 * x)
}

/// Observed vs expected VAF scatter for one sample (inline SVG): markers
/// in the fit as filled ink dots, excluded outliers as open circles.
fn marker_plot(s: &NgsPageSample) -> String {
    let (w, h, m) = (360.0, 360.0, 40.0);
    let sx = |v: f64| m + v.clamp(0.0, 1.0) * (w - 2.0 * m);
    let sy = |v: f64| h - m - v.clamp(0.0, 1.0) * (h - 2.0 * m);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"observed versus expected ALT fraction per marker, sample {}\">",
        esc(s.sample)
    );
    let _ = write!(
        svg,
        "<rect x=\"{m}\" y=\"{m}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>",
        w - 2.0 * m,
        h - 2.0 * m,
        sx(0.0),
        sy(0.0),
        sx(1.0),
        sy(1.0)
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{t}</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{t}</text>",
            sx(t),
            h - m + 14.0,
            m - 4.0,
            sy(t) + 3.0
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">expected ALT fraction (fit)</text><text x=\"12\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\">observed ALT fraction</text>",
        w / 2.0,
        h - 8.0,
        h / 2.0,
        h / 2.0
    );
    for mk in &s.result.markers {
        let (Some(obs), Some(exp)) = (mk.observed_vaf, mk.expected_vaf) else {
            continue;
        };
        let (obs, exp) = (obs.get(), exp.get());
        let (fill, label) = match (&mk.excluded, mk.used) {
            (_, true) => (palette::INK, "used"),
            (Some(Exclusion::Outlier { .. }), _) => ("none", "excluded outlier"),
            _ => continue,
        };
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{fill}\" fill-opacity=\"0.8\" stroke=\"{}\"><title>{} ({label}): observed {:.4}, expected {:.4}, residual {}</title></circle>",
            sx(exp),
            sy(obs),
            palette::INK,
            esc(&mk.id),
            obs,
            exp,
            mk.residual.map(|r| format!("{r:.2}")).unwrap_or_default()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Renders the whole run.
pub fn render_ngs_page(page: &NgsPage) -> String {
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>graftwatch NGS chimerism</title><style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:{ink}}}table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}th{{background:#f3f3f3}}td:first-child,th:first-child{{text-align:left}}.flag{{color:{flag}}}.sample{{display:flex;gap:2em;flex-wrap:wrap;border-top:1px solid #ddd;padding-top:1em;margin-top:1em}}</style></head><body>",
        ink = palette::INK,
        flag = palette::darker(palette::RECIPIENT),
    );
    let em = page.error_model;
    let _ = write!(
        out,
        "<h1>NGS chimerism</h1><p>{} panel markers. Persons: {}. Error model ({}): SNP {:.3}% / {:.3}%, indel {:.3}% / {:.3}% (REF→ALT / ALT→REF).</p>",
        page.panel_markers,
        page.persons
            .iter()
            .map(|p| esc(p))
            .collect::<Vec<_>>()
            .join(", "),
        em.source.label(),
        100.0 * em.snp.ref_to_alt,
        100.0 * em.snp.alt_to_ref,
        100.0 * em.indel.ref_to_alt,
        100.0 * em.indel.alt_to_ref
    );
    for s in &page.samples {
        sample_section(&mut out, s);
    }
    out.push_str("</body></html>\n");
    out
}

/// `text` with its first letter in capitals (a sentence).
fn upper_first(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn sample_section(out: &mut String, s: &NgsPageSample) {
    let r = s.result;
    let _ = write!(
        out,
        "<section class=\"sample\"><div><h2>{}{}{}</h2><p>{} markers used, {} excluded. Input: {}</p>",
        esc(s.sample),
        s.lineage
            .map(|l| format!(" · {}", l.label()))
            .unwrap_or_default(),
        s.date.map(|d| format!(" · {d}")).unwrap_or_default(),
        r.markers_used,
        r.markers_excluded,
        esc(s.input)
    );
    if let Some(b) = s.allele_bias {
        let _ = write!(out, "<p>{}.</p>", esc(&upper_first(b)));
    }
    out.push_str(
        "<table><tr><th>person</th><th>%</th><th>95% CI</th><th>LoB %</th><th>LoD %</th></tr>",
    );
    for (k, p) in r.persons.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            match p.fraction {
                Some(_) => esc(&r.reported_percent(k)),
                None => "not split".into(),
            },
            p.ci.map(|c| format!("{}–{}", pct(c.low.get()), pct(c.high.get())))
                .unwrap_or_default(),
            p.detection.map(|d| pct(d.lob)).unwrap_or_default(),
            p.detection.map(|d| pct(d.lod)).unwrap_or_default()
        );
    }
    for g in std::iter::once(&r.donors_combined).chain(&r.unsplit_groups) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}–{}</td><td></td><td></td></tr>",
            esc(&g.persons.join(" + ")),
            pct(g.fraction.get()),
            pct(g.ci.low.get()),
            pct(g.ci.high.get())
        );
    }
    out.push_str("</table>");
    if let Some(p) = r.recipient_presence {
        let _ = write!(
            out,
            "<p>Recipient presence test: {} reads vs {:.1} expected from sequencing error at {} markers, z = {:.2}, {}: <b>{}</b>.</p>",
            p.observed_reads,
            p.expected_error_reads,
            p.markers,
            p.z,
            graftwatch_core::number::p_value(p.p_value).replace('<', "&lt;"),
            esc(&r.recipient_call())
        );
    }
    if !r.flags.is_empty() {
        out.push_str("<ul>");
        for f in &r.flags {
            let _ = write!(
                out,
                "<li class=\"flag\"><b>{}</b>: {}</li>",
                f.code.as_str(),
                esc(&f.text)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div><div>");
    out.push_str(&marker_plot(s));
    out.push_str("</div></section>");
}

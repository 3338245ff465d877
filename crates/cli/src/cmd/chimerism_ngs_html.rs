//! Self-contained HTML view of an NGS chimerism run: per sample, the
//! fractions with intervals and detection limits, QC flags, and an inline
//! SVG plot of observed against expected ALT fraction per marker.

use graftwatch_chimerism::ngs::Exclusion;

use super::chimerism_ngs::{NgsRun, SampleOutput};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn pct(x: f64) -> String {
    format!("{:.3}", 100.0 * x)
}

/// Observed vs expected VAF scatter for one sample (inline SVG).
fn marker_plot(s: &SampleOutput) -> String {
    let (w, h, m) = (360.0, 360.0, 40.0);
    let sx = |v: f64| m + v.clamp(0.0, 1.0) * (w - 2.0 * m);
    let sy = |v: f64| h - m - v.clamp(0.0, 1.0) * (h - 2.0 * m);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"observed versus expected ALT fraction per marker, sample {}\">",
        esc(&s.sample)
    );
    svg.push_str(&format!(
        "<rect x=\"{m}\" y=\"{m}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        w - 2.0 * m,
        h - 2.0 * m
    ));
    svg.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>",
        sx(0.0),
        sy(0.0),
        sx(1.0),
        sy(1.0)
    ));
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{t}</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{t}</text>",
            sx(t),
            h - m + 14.0,
            m - 4.0,
            sy(t) + 3.0
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">expected ALT fraction (fit)</text>",
        w / 2.0,
        h - 8.0
    ));
    svg.push_str(&format!(
        "<text x=\"12\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\">observed ALT fraction</text>",
        h / 2.0,
        h / 2.0
    ));
    for mk in &s.result.markers {
        let (Some(obs), Some(exp)) = (mk.observed_vaf, mk.expected_vaf) else {
            continue;
        };
        let (colour, label) = match (&mk.excluded, mk.used) {
            (_, true) => ("#1f77b4", "used"),
            (Some(Exclusion::Outlier { .. }), _) => ("#d62728", "excluded outlier"),
            _ => continue,
        };
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\" fill-opacity=\"0.8\"><title>{} ({label}): observed {:.4}, expected {:.4}, residual {}</title></circle>",
            sx(exp),
            sy(obs),
            esc(&mk.id),
            obs,
            exp,
            mk.residual.map(|r| format!("{r:.2}")).unwrap_or_default()
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Renders the whole run.
pub fn render(run: &NgsRun) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>graftwatch NGS chimerism</title><style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.flag{color:#a33}.sample{display:flex;gap:2em;flex-wrap:wrap;border-top:1px solid #ddd;padding-top:1em;margin-top:1em}</style></head><body>",
    );
    out.push_str(&format!(
        "<h1>NGS chimerism</h1><p>{} panel markers. Persons: {}. Error model ({}): SNP {:.3}% / {:.3}%, indel {:.3}% / {:.3}% (REF→ALT / ALT→REF).</p>",
        run.panel_markers,
        run.persons.iter().map(|p| esc(&p.name)).collect::<Vec<_>>().join(", "),
        run.error_model.source.label(),
        100.0 * run.error_model.snp.ref_to_alt,
        100.0 * run.error_model.snp.alt_to_ref,
        100.0 * run.error_model.indel.ref_to_alt,
        100.0 * run.error_model.indel.alt_to_ref
    ));
    for s in &run.samples {
        let r = &s.result;
        out.push_str("<section class=\"sample\"><div>");
        out.push_str(&format!(
            "<h2>{}{}{}</h2><p>{} markers used, {} excluded. Input: {}</p>",
            esc(&s.sample),
            s.lineage.map(|l| format!(" · {l}")).unwrap_or_default(),
            s.date.map(|d| format!(" · {d}")).unwrap_or_default(),
            r.markers_used,
            r.markers_excluded,
            esc(&s.input)
        ));
        out.push_str(
            "<table><tr><th>person</th><th>%</th><th>95% CI</th><th>LoB %</th><th>LoD %</th></tr>",
        );
        for p in &r.persons {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.name),
                p.fraction.map(pct).unwrap_or_else(|| "not split".into()),
                p.ci.map(|c| format!("{}–{}", pct(c.low), pct(c.high)))
                    .unwrap_or_default(),
                p.detection.map(|d| pct(d.lob)).unwrap_or_default(),
                p.detection.map(|d| pct(d.lod)).unwrap_or_default()
            ));
        }
        for g in std::iter::once(&r.donors_combined).chain(&r.unsplit_groups) {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}–{}</td><td></td><td></td></tr>",
                esc(&g.persons.join(" + ")),
                pct(g.fraction),
                pct(g.ci.low),
                pct(g.ci.high)
            ));
        }
        out.push_str("</table>");
        if let Some(p) = r.recipient_presence {
            out.push_str(&format!(
                "<p>Recipient presence test: {} reads vs {:.1} expected from sequencing error at {} markers, z = {:.2}, p = {:.2e}: <b>{}</b>.</p>",
                p.observed_reads,
                p.expected_error_reads,
                p.markers,
                p.z,
                p.p_value,
                if r.recipient_detected == Some(true) { "recipient DNA detected" } else { "not detected" }
            ));
        }
        if !r.flags.is_empty() {
            out.push_str("<ul>");
            for f in &r.flags {
                out.push_str(&format!(
                    "<li class=\"flag\"><b>{}</b>: {}</li>",
                    f.code.as_str(),
                    esc(&f.text)
                ));
            }
            out.push_str("</ul>");
        }
        out.push_str("</div><div>");
        out.push_str(&marker_plot(s));
        out.push_str("</div></section>");
    }
    out.push_str("</body></html>\n");
    out
}

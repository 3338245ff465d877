//! The DLI decision trail: the graft checks at transplant, then at each DLI
//! date the triggers met / not met, the prerequisites, the donors who cannot
//! give lymphocytes (a cord unit) and the dose plan with earliest dates, each
//! with its reason and source. Framed as criteria met / not met, never as an
//! order.

use std::fmt::Write as _;

use graftwatch_criteria::dli::{Criterion as DliCriterion, DliAssessment};
use graftwatch_criteria::graft_dose::CheckStatus;

use crate::analysis::Analysis;
use crate::escape::escape;
use crate::explain_html::{evidence_list, flag_list};
use crate::format::sci;
use crate::section::Section;

/// Id of the DLI decision trail section.
pub const DLI_SECTION_ID: &str = "dli-decision";

fn met_cell(m: Option<bool>) -> (&'static str, &'static str) {
    match m {
        Some(true) => ("met", "met"),
        Some(false) => ("notmet", "not met"),
        None => ("unknown", "missing data"),
    }
}

fn criteria_table(h: &mut String, caption: &str, class: &str, list: &[DliCriterion]) {
    let _ = write!(
        h,
        "<table class=\"dli {class}\"><caption>{}</caption><thead><tr><th>Criterion</th><th>Status</th><th>Reason and evidence</th><th>Source</th></tr></thead><tbody>",
        escape(caption)
    );
    for c in list {
        let (cls, txt) = met_cell(c.met);
        let _ = write!(
            h,
            "<tr class=\"{cls}\"><td>{}</td><td class=\"st {cls}\">{txt}</td><td>{}{}</td><td class=\"cite\">{}</td></tr>",
            escape(&c.name),
            escape(&c.reason),
            evidence_list(&c.evidence),
            escape(&c.citation.to_string())
        );
    }
    h.push_str("</tbody></table>");
}

/// One assessment as HTML.
pub fn assessment_html(a: &DliAssessment, n: usize) -> String {
    let mut h = format!(
        "<article class=\"dli-assessment\" id=\"dli-{n}\"><h3>DLI {n}: {} (day +{})</h3><p class=\"verdict {}\">{}</p>",
        a.on,
        a.day,
        if a.criteria_met { "met" } else { "notmet" },
        escape(&a.summary)
    );
    criteria_table(&mut h, "Triggers (any one)", "triggers", &a.triggers);
    criteria_table(
        &mut h,
        "Prerequisites (all)",
        "prerequisites",
        &a.prerequisites,
    );
    h.push_str("<p><b>Donors:</b></p><ul class=\"donors\">");
    for (d, why) in &a.excluded_donors {
        let _ = write!(
            h,
            "<li class=\"excluded\"><b>{}</b>: cannot give lymphocytes — {}</li>",
            escape(d),
            escape(why)
        );
    }
    h.push_str("</ul>");
    for p in &a.plans {
        let _ = write!(
            h,
            "<table class=\"dli plan\"><caption>Dose plan, donor {} ({} setting): {}</caption><thead><tr><th>Step</th><th class=\"num\">CD3+ cells/kg</th><th class=\"date\">Earliest</th><th>Condition</th></tr></thead><tbody>",
            escape(&p.donor),
            p.setting.label(),
            escape(&p.reason)
        );
        for s in &p.steps {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"date\">{}</td><td>{}</td></tr>",
                s.step,
                escape(&sci(s.cd3_per_kg.get())),
                s.earliest,
                escape(&s.condition)
            );
        }
        h.push_str("</tbody></table>");
        if !p.citations.is_empty() {
            h.push_str("<p class=\"cite\">Sources: ");
            let c: Vec<String> = p.citations.iter().map(|c| escape(&c.to_string())).collect();
            h.push_str(&c.join("; "));
            h.push_str("</p>");
        }
    }
    h.push_str(&flag_list(&a.flags));
    h.push_str("</article>");
    h
}

/// The DLI decision trail section (graft checks first).
pub fn dli_section(a: &Analysis) -> Section {
    let mut h = String::from(
        "<p class=\"notice\">Decision support: which published criteria were met on each date, with reasons and sources. Not an order; the decision rests with the treating team.</p>",
    );
    for g in &a.graft_checks {
        let _ = write!(
            h,
            "<table class=\"graft-checks\"><caption>Graft checks at transplant {}</caption><thead><tr><th>Check</th><th class=\"num\">Value</th><th>Status</th><th>Reason</th><th>Source</th></tr></thead><tbody>",
            g.transplant
        );
        for c in &g.checks {
            let (cls, txt) = match c.status {
                CheckStatus::Meets => ("met", "meets"),
                CheckStatus::Below => ("notmet", "below"),
                CheckStatus::AboveCap => ("notmet", "above cap"),
                CheckStatus::Reported => ("unknown", "reported"),
            };
            let _ = write!(
                h,
                "<tr class=\"{cls}\"><td>{}</td><td class=\"num\">{}</td><td class=\"st {cls}\">{txt}</td><td>{}</td><td class=\"cite\">{}</td></tr>",
                escape(&c.what),
                // an HLA match is a fraction (e.g. 5/8), named in the reason
                if c.what.contains("HLA") {
                    "—".to_string()
                } else {
                    c.value.map(sci).unwrap_or_else(|| "—".into())
                },
                escape(&c.reason),
                escape(&c.citation.to_string())
            );
        }
        h.push_str("</tbody></table>");
    }
    if a.dli_dates.is_empty() {
        h.push_str("<p>No DLI in the course: no decision trail to show.</p>");
    }
    for (i, x) in a.dli_assessments.iter().enumerate() {
        h.push_str(&assessment_html(x, i + 1));
    }
    for (d, e) in &a.dli_errors {
        let _ = write!(
            h,
            "<p class=\"missing\">DLI on {d}: the criteria could not be assessed: {}</p>",
            escape(e)
        );
    }
    Section::new(DLI_SECTION_ID, "DLI decision trail", h)
}

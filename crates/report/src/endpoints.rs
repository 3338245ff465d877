//! The endpoint table: one row per summary item of the grading engine
//! (engraftment, graft failure, chimerism, aGVHD, CRS, ICANS, ICAHT,
//! HEMATOTOX, ELN response/MRD, risk scores) plus the dominant graft from
//! the chimerism samples, each with its explanation one click away.

use std::fmt::Write as _;

use graftwatch_core::Lineage;
use graftwatch_grading::extract::chimerism::ChimerismSample;
use graftwatch_grading::output::ItemStatus;

use crate::analysis::Analysis;
use crate::escape::escape;
use crate::explain_html::details;
use crate::section::Section;

/// Id of the endpoint section.
pub const ENDPOINTS_SECTION_ID: &str = "endpoints";

/// The endpoint table section.
pub fn endpoints_section(a: &Analysis) -> Section {
    let mut h = String::from(
        "<p>Each value comes from the grading engine with its rule, sources ([V] verified, [S] secondary, [R] reconstructed), the observations behind it and any ambiguity default applied: click a value to expand.</p>\n<table class=\"endpoints\"><thead><tr><th>Endpoint</th><th>Result (click for why)</th><th class=\"date\">Date</th><th>Day</th><th>Criterion</th></tr></thead><tbody>\n",
    );
    for it in &a.grades.summary {
        let status = match it.status {
            ItemStatus::Value => "value",
            ItemStatus::InsufficientData => "insufficient",
            ItemStatus::NotApplicable => "na",
        };
        // Days after the therapy the date follows, as in the tooltips and
        // the alerts table: "CAR-T day +3", "HCT day +13".
        let day = it
            .date
            .and_then(|d| crate::format::therapy_period(&a.therapies, d, d))
            .or_else(|| it.rel.as_ref().map(|r| format!("{} {}", r.anchor, r.day)))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr class=\"ep {status}\" data-item=\"{}\"><td>{}</td><td>{}</td><td class=\"date\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&it.item),
            escape(&it.label()),
            details(&it.result, &it.explanation, &it.missing),
            it.date.map(|d| d.to_string()).unwrap_or_default(),
            escape(&day),
            escape(it.criterion.label())
        );
    }
    for lin in [Lineage::WholeBlood, Lineage::Cd3, Lineage::Myeloid] {
        dominant_graft_row(a, lin, &mut h);
    }
    for s in &a.grades.skipped {
        let _ = writeln!(
            h,
            "<tr class=\"ep skipped\" data-item=\"{}\"><td>{}</td><td class=\"missing\">not graded: {}</td><td></td><td></td><td>{}</td></tr>",
            escape(s.criterion.as_str()),
            escape(s.criterion.label()),
            escape(&s.reason),
            escape(s.criterion.label())
        );
    }
    h.push_str("</tbody></table>");
    Section::new(ENDPOINTS_SECTION_ID, "Endpoints", h)
}

/// The dominant-graft row of lineage `lin`: the dominant donor at the first
/// and the latest sample from day 0 on, with every sample's shares as the
/// trail; no row without a sample.
fn dominant_graft_row(a: &Analysis, lin: Lineage, h: &mut String) {
    let s: Vec<_> = a
        .chimerism
        .iter()
        .filter(|s| s.lineage == lin && a.hct_day0.is_none_or(|d0| s.date >= d0))
        .collect();
    let (Some(first), Some(last)) = (s.first(), s.last()) else {
        return;
    };
    let dom = |x: &ChimerismSample| {
        x.dominant_donor()
            .map(|(d, p)| format!("{d} {:.0} %", p.get()))
            .unwrap_or_else(|| "no donor named".into())
    };
    let result = format!(
        "{} (first sample {}), {} (latest {})",
        dom(first),
        first.date,
        dom(last),
        last.date
    );
    let trail: String = s.iter().map(|x| sample_shares_item(x)).collect();
    let day = a
        .hct_day0
        .map(|d0| format!("HCT day +{}", last.date.days_since(d0).get()))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<tr class=\"ep value\" data-item=\"dominant_graft_{lin}\"><td>Dominant graft ({label})</td><td><details class=\"why\"><summary>{}</summary><div class=\"why-body\"><p><b>Rule:</b> the donor with the largest share in each {label} sample, as recorded (dual-graft transplants: one unit usually dominates within weeks).</p><ul class=\"evidence\">{trail}</ul></div></details></td><td class=\"date\">{}</td><td class=\"num\">{}</td><td>chimerism</td></tr>",
        escape(&result),
        last.date,
        escape(&day),
        label = escape(lin.label()),
    );
}

/// One trail item: a sample's date and each person's share.
fn sample_shares_item(x: &ChimerismSample) -> String {
    format!(
        "<li>{}: {}</li>",
        x.date,
        escape(
            &x.shares
                .iter()
                .map(|sh| format!("{} {} %", sh.person, sh.shown(1)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    )
}

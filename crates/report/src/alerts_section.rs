//! The alerts section: every alert with its date, day, rule, reason and
//! evidence (collapsed), plus the thresholds in force.

use std::fmt::Write as _;

use crate::alerts::{Alert, AlertConfig};
use crate::escape::escape;
use crate::explain_html::evidence_list;
use crate::section::Section;

/// Id of the alerts section.
pub const ALERTS_SECTION_ID: &str = "alerts";

fn config_text(c: &AlertConfig) -> String {
    format!(
        "Rules in force: no neutrophil engraftment by day {} (primary graft failure at day +{}); recipient share rising on ≥ {} serial samples of one lineage, each rise ≥ {}, values below the {} % LoD compared as at the LoD; MRD (flow) conversion at ≥ {} %; any rise of the daily MAGIC aGVHD grade; DLI while aGVHD grade ≥ {} is current or within {} days before.",
        c.engraftment_warning_days
            .iter()
            .map(|d| format!("+{d}"))
            .collect::<Vec<_>>()
            .join(" and "),
        c.graft_failure_day,
        c.chimerism_serial_rises,
        if c.chimerism_min_step_points == 1.0 {
            "1 percentage point".to_string()
        } else {
            format!("{} percentage points", c.chimerism_min_step_points)
        },
        c.chimerism_lod_percent.get(),
        c.mrd_positive_percent.get(),
        c.dli_gvhd_grade,
        c.dli_gvhd_within_days
    )
}

/// The alerts section.
pub fn alerts_section(
    alerts: &[Alert],
    cfg: &AlertConfig,
    therapies: &[graftwatch_course::Anchor],
) -> Section {
    let mut h = format!("<p class=\"muted\">{}</p>", escape(&config_text(cfg)));
    if alerts.is_empty() {
        h.push_str("<p class=\"no-alerts\">No alert was raised on this course.</p>");
        return Section::new(ALERTS_SECTION_ID, "Alerts", h);
    }
    h.push_str("<table class=\"alerts\"><thead><tr><th class=\"date\">Date</th><th>Day</th><th>Alert</th><th>Reason (click for evidence)</th></tr></thead><tbody>");
    for a in alerts {
        // Days after the therapy the alert follows: "CAR-T day +1", "HCT
        // day +138" (the JSON keeps `day`, the HCT day).
        let day = crate::format::therapy_period(therapies, a.date, a.date)
            .or_else(|| a.day.map(|d| format!("{d:+}")))
            .unwrap_or_default();
        let kind = serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr class=\"alert {}\"><td class=\"date\">{}</td><td class=\"num\">{}</td><td>{}</td><td><details class=\"why\"><summary>{}</summary><div class=\"why-body\">{}</div></details></td></tr>",
            escape(&kind),
            a.date,
            escape(&day),
            escape(a.kind.label()),
            escape(&a.reason),
            evidence_list(&a.evidence)
        );
    }
    h.push_str("</tbody></table>");
    Section::new(ALERTS_SECTION_ID, "Alerts", h)
}

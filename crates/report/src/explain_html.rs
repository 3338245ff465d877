//! An [`Explanation`] as a collapsed `<details>` block: the rule and its
//! version, the citations with their \[V\]/\[S\]/\[R\] provenance, the reason, the
//! evidence observations with dates, the flags and what is missing.

use std::fmt::Write as _;

use graftwatch_core::{Lineage, Unit};
use graftwatch_course::ObservationKind;
use graftwatch_criteria::{Evidence, Explanation, Flag};

use crate::escape::escape;
use crate::format::sci;

/// One evidence item as text: `2024-05-12 ANC 0.61 ×10⁹/L — note`.
pub fn evidence_text(e: &Evidence) -> String {
    let mut s = String::new();
    if let Some(d) = e.date {
        let _ = write!(s, "{d} ");
    }
    s.push_str(&what_label(&e.what));
    if let Some(v) = e.value {
        match e.unit {
            // A cell dose per kg reads 1 × 10⁵ /kg, not 100000 /kg.
            Some(u @ Unit::PerKg) => {
                let _ = write!(s, " {}", u.with_value(sci(v)));
            }
            Some(u) => {
                let _ = write!(s, " {}", u.with_value(v));
            }
            None => {
                let _ = write!(s, " {v}");
            }
        }
    }
    if !e.note.is_empty() {
        let _ = write!(s, " — {}", e.note);
    }
    s
}

/// An evidence item's `what` (an observation kind or a derived key, as in
/// the JSON) in the words of the course's one table of labels:
/// `stool_volume` → "stool volume", `anc` → "ANC",
/// `donor_chimerism_cd3` → "donor chimerism, T cells (CD3+)",
/// `chimerism cd3 recipient` (the DLI rule's key) → "recipient chimerism,
/// T cells (CD3+)", `agvhd_grade` → "acute GVHD grade (MAGIC)".
pub fn what_label(what: &str) -> String {
    if let Some(k) = ObservationKind::parse(what) {
        return k.label().to_string();
    }
    let lineage = |l: &str| Lineage::ALL.into_iter().find(|x| x.as_str() == l);
    if let Some(l) = what.strip_prefix("donor_chimerism_").and_then(lineage) {
        return format!("donor chimerism, {}", l.label());
    }
    if let Some(l) = what
        .strip_prefix("chimerism ")
        .and_then(|r| r.strip_suffix(" recipient"))
        .and_then(lineage)
    {
        return format!("recipient chimerism, {}", l.label());
    }
    match DERIVED_KEYS.iter().find(|(k, _)| *k == what) {
        Some((_, words)) => (*words).to_string(),
        None => what.replace('_', " "),
    }
}

/// Evidence keys that are not observation kinds (the grading engine's and
/// the DLI rule's own), in clinical words.
const DERIVED_KEYS: [(&str, &str); 9] = [
    ("agvhd_grade", "acute GVHD grade (MAGIC)"),
    ("agvhd_assessment", "acute GVHD assessment"),
    ("cgvhd_assessment", "chronic GVHD assessment (NIH)"),
    ("infection_status", "infection status"),
    ("graft_infusion", "graft infusion"),
    ("dli", "DLI, CD3+ cells"),
    ("mrd", "MRD"),
    ("marrow_blasts", "marrow blasts"),
    ("drug", "drug"),
];

/// A list of evidence items (`<ul class="evidence">`), empty string for none.
pub fn evidence_list(ev: &[Evidence]) -> String {
    if ev.is_empty() {
        return String::new();
    }
    let mut h = String::from("<ul class=\"evidence\">");
    for e in ev {
        let _ = write!(h, "<li>{}</li>", escape(&evidence_text(e)));
    }
    h.push_str("</ul>");
    h
}

/// A list of flags (`<ul class="flags">`, each its code and text), empty
/// string for none.
pub fn flag_list(flags: &[Flag]) -> String {
    if flags.is_empty() {
        return String::new();
    }
    let mut h = String::from("<ul class=\"flags\">");
    for f in flags {
        let _ = write!(
            h,
            "<li><code>{}</code> {}</li>",
            escape(&f.code),
            escape(&f.text)
        );
    }
    h.push_str("</ul>");
    h
}

/// The explanation as `<details class="why">` with `summary` as the
/// clickable line; `missing` lists inputs that were absent.
pub fn details(summary: &str, x: &Explanation, missing: &[String]) -> String {
    let mut h = format!(
        "<details class=\"why\"><summary>{}</summary><div class=\"why-body\">",
        escape(summary)
    );
    let _ = write!(
        h,
        "<p><b>Rule:</b> {} <span class=\"muted\">({})</span></p>",
        escape(x.rule),
        escape(x.version)
    );
    if !x.reason.is_empty() {
        let _ = write!(h, "<p><b>Why:</b> {}</p>", escape(&x.reason));
    }
    if !missing.is_empty() {
        let _ = write!(
            h,
            "<p class=\"missing\"><b>Missing:</b> {}</p>",
            escape(&missing.join("; "))
        );
    }
    if !x.evidence.is_empty() {
        h.push_str("<p><b>Evidence:</b></p>");
        h.push_str(&evidence_list(&x.evidence));
    }
    if !x.flags.is_empty() {
        h.push_str("<p><b>Flags (ambiguity defaults applied):</b></p>");
        h.push_str(&flag_list(&x.flags));
    }
    if !x.citations.is_empty() {
        h.push_str("<p><b>Sources:</b></p><ul class=\"cites\">");
        for c in &x.citations {
            let _ = write!(h, "<li>{}</li>", escape(&c.to_string()));
        }
        h.push_str("</ul>");
    }
    h.push_str("</div></details>");
    h
}

#[cfg(test)]
mod what_tests {
    use super::what_label;

    #[test]
    fn evidence_keys_read_as_words() {
        assert_eq!(what_label("stool_volume"), "stool volume");
        assert_eq!(what_label("anc"), "ANC");
        assert_eq!(
            what_label("donor_chimerism_cd3"),
            "donor chimerism, T cells (CD3+)"
        );
        assert_eq!(
            what_label("donor_chimerism_whole_blood"),
            "donor chimerism, whole blood"
        );
        assert_eq!(
            what_label("attributed_to_other_cause"),
            "attributed to other cause"
        );
        assert_eq!(
            what_label("chimerism cd3 recipient"),
            "recipient chimerism, T cells (CD3+)"
        );
        assert_eq!(what_label("agvhd_grade"), "acute GVHD grade (MAGIC)");
        assert_eq!(what_label("mrd"), "MRD");
    }

    /// A DLI dose in the evidence reads as a cell dose, not 100000 /kg.
    #[test]
    fn a_cell_dose_reads_in_powers_of_ten() {
        let e = graftwatch_criteria::Evidence::value(
            Some("2024-07-30".parse().unwrap()),
            "dli",
            1e5,
            Some(graftwatch_core::Unit::PerKg),
            "previous DLI",
        );
        assert_eq!(
            super::evidence_text(&e),
            "2024-07-30 DLI, CD3+ cells 1 × 10⁵ /kg — previous DLI"
        );
    }
}

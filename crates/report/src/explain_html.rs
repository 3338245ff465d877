//! An [`Explanation`] as a collapsed `<details>` block: the rule and its
//! version, the citations with their \[V\]/\[S\]/\[R\] provenance, the reason, the
//! evidence observations with dates, the flags and what is missing.

use std::fmt::Write as _;

use graftwatch_core::Lineage;
use graftwatch_course::ObservationKind;
use graftwatch_criteria::{Evidence, Explanation, Flag};

use crate::escape::escape;

/// One evidence item as text: `2024-05-12 ANC 0.61 ×10⁹/L — note`.
pub fn evidence_text(e: &Evidence) -> String {
    let mut s = String::new();
    if let Some(d) = e.date {
        let _ = write!(s, "{d} ");
    }
    s.push_str(&what_label(&e.what));
    if let Some(v) = e.value {
        match e.unit {
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
/// `donor_chimerism_cd3` → "donor chimerism, T cells (CD3+)".
pub fn what_label(what: &str) -> String {
    if let Some(k) = ObservationKind::parse(what) {
        return k.label().to_string();
    }
    if let Some(l) = what
        .strip_prefix("donor_chimerism_")
        .and_then(|l| Lineage::ALL.into_iter().find(|x| x.as_str() == l))
    {
        return format!("donor chimerism, {}", l.label());
    }
    what.replace('_', " ")
}

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
    }
}

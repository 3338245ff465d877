//! The report in pieces for a web application whose
//! Content-Security-Policy allows no inline script and no inline style: one
//! stylesheet to serve, and the figure, endpoint table, alerts and DLI
//! decision trail as HTML fragments with no `<style>` element, no `style=`
//! attribute and no script.
//!
//! A standalone report file ([`crate::Report::to_html`]) keeps its
//! stylesheet in a `<style>` element and the figure keeps its own, so the
//! file works alone; [`full_report_linked`] gives the same page with the
//! stylesheet linked instead.

use graftwatch_course::Course;

use crate::alerts_section::alerts_section;
use crate::analysis::Analysis;
use crate::dli_trail::dli_section;
use crate::endpoints::endpoints_section;
use crate::escape::escape;
use crate::figure::FIGURE_CSS;
use crate::full::{full_caption, full_figure, full_report_styled};
use crate::report::PAGE_CSS;

/// The stylesheet of the report page and the figure, to serve as a static
/// file (e.g. `/static/report.css`).
pub fn stylesheet() -> String {
    format!("{PAGE_CSS}\n{FIGURE_CSS}")
}

/// The class of the element that holds embedded report fragments: the
/// rules of [`embedded_stylesheet`] apply only inside it.
pub const SCOPE_CLASS: &str = "gw-report";

/// The stylesheet for fragments embedded in another application's pages:
/// the report's rules scoped to `.gw-report` (so they leave the host page's
/// body, headings and tables alone; page-level rules, `@page` and print
/// rules are left out) and the figure's rules.
pub fn embedded_stylesheet() -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for line in PAGE_CSS.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if depth > 0 || line.starts_with('@') {
            depth += line.matches(BLOCK_OPEN).count();
            depth = depth.saturating_sub(line.matches(BLOCK_CLOSE).count());
            continue;
        }
        if let Some(rule) = scoped_rule(line) {
            out.push_str(&rule);
        }
    }
    out.push_str(FIGURE_CSS);
    out
}

/// The brackets of a CSS block (named, so that the brace-matching
/// function-length check reads this file's functions right).
const BLOCK_OPEN: char = '{';
const BLOCK_CLOSE: char = '}';

/// One single-line rule of the page stylesheet scoped to `.gw-report`:
/// `:root` becomes the scope element itself; page-level selectors
/// (`*`, `body`, `footer`, `h1`, `.subtitle`, `nav…`) are dropped, and a
/// rule left with no selector gives `None`, as does a line that is not a
/// rule.
fn scoped_rule(line: &str) -> Option<String> {
    let (sel, body) = line.split_once(BLOCK_OPEN)?;
    if sel == ":root" {
        return Some(format!(".{SCOPE_CLASS}{{{body}\n"));
    }
    let kept: Vec<String> = sel
        .split(',')
        .map(str::trim)
        .filter(|s| {
            !matches!(*s, "*" | "body" | "footer" | "h1" | ".subtitle") && !s.starts_with("nav")
        })
        .map(|s| format!(".{SCOPE_CLASS} {s}"))
        .collect();
    (!kept.is_empty()).then(|| format!("{}{{{body}\n", kept.join(",")))
}

/// The full course figure as an embeddable fragment: `<figure>` with the
/// SVG (no `<style>` inside: needs [`embedded_stylesheet`] and an enclosing
/// `.gw-report` element) and its caption.
pub fn figure_fragment(course: &Course, a: &Analysis) -> String {
    let mut fig = full_figure(course, a);
    fig.inline_style = false;
    let svg = fig.render(course);
    format!(
        "<figure class=\"gw-course-figure\">\n<div class=\"figscroll\">{svg}</div>\n<figcaption>{}</figcaption>\n</figure>",
        escape(&full_caption(fig.break_day))
    )
}

/// The endpoint table (one row per engine summary item, each with its
/// explanation one click away) as a fragment.
pub fn endpoints_fragment(a: &Analysis) -> String {
    endpoints_section(a).body_html
}

/// The alerts with their evidence as a fragment.
pub fn alerts_fragment(a: &Analysis) -> String {
    alerts_section(&a.alerts, &a.alert_config, &a.therapies).body_html
}

/// The DLI decision trail (graft checks, then triggers, prerequisites and
/// dose plan at each DLI) as a fragment.
pub fn dli_fragment(a: &Analysis) -> String {
    dli_section(a).body_html
}

/// The whole full report as a page that links its stylesheet at `href`
/// instead of embedding it: nothing inline.
pub fn full_report_linked(course: &Course, a: &Analysis, href: &str) -> String {
    full_report_styled(course, a, false).to_html_linked(href)
}

/// Whether an HTML text is free of what a strict Content-Security-Policy
/// blocks: `<script>` elements, `<style>` elements, `style=` attributes and
/// `on…=` event-handler attributes. Returns the first offending snippet.
pub fn csp_violation(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for needle in ["<script", "<style", " style=", "javascript:"] {
        if let Some(i) = lower.find(needle) {
            return Some(snippet(html, i));
        }
    }
    let b = lower.as_bytes();
    for i in 0..b.len().saturating_sub(4) {
        if b[i].is_ascii_whitespace() && b[i + 1] == b'o' && b[i + 2] == b'n' {
            let rest = &lower[i + 3..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if !name.is_empty() && rest[name.len()..].starts_with('=') && in_tag(&lower, i) {
                return Some(snippet(html, i));
            }
        }
    }
    None
}

/// Whether byte `i` is inside a tag (after a `<` with no `>` since).
fn in_tag(s: &str, i: usize) -> bool {
    let before = &s[..i];
    match (before.rfind('<'), before.rfind('>')) {
        (Some(lt), Some(gt)) => lt > gt,
        (Some(_), None) => true,
        _ => false,
    }
}

fn snippet(s: &str, i: usize) -> String {
    let end = (i + 60).min(s.len());
    let mut e = end;
    while !s.is_char_boundary(e) {
        e -= 1;
    }
    let mut b = i;
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    s[b..e].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_scoped_and_page_level_selectors_dropped() {
        assert_eq!(
            scoped_rule(":root{--ink:#222}").as_deref(),
            Some(".gw-report{--ink:#222}\n")
        );
        assert_eq!(
            scoped_rule("table, body ,td.x{padding:0}").as_deref(),
            Some(".gw-report table,.gw-report td.x{padding:0}\n")
        );
        assert_eq!(scoped_rule("nav a, h1{margin:0}"), None);
        assert_eq!(scoped_rule("not a rule"), None);
    }

    #[test]
    fn at_rules_are_left_out_with_their_blocks() {
        let css = embedded_stylesheet();
        assert!(
            !css.contains("@page") && !css.contains("@media print"),
            "{css}"
        );
        assert!(css.contains(&format!(".{SCOPE_CLASS}{{")));
        assert!(css.ends_with(FIGURE_CSS));
    }
}

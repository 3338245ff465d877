//! The report under a strict Content-Security-Policy (no inline script, no
//! inline style): the linked page and the fragments have nothing inline,
//! the standalone file still carries its stylesheet, and the figure looks
//! the same either way (only the `<style>` element differs).

mod common;

use graftwatch_report::embed::{
    alerts_fragment, csp_violation, dli_fragment, embedded_stylesheet, endpoints_fragment,
    figure_fragment, full_report_linked, stylesheet,
};
use graftwatch_report::{AlertConfig, Analysis, full_report};

#[test]
fn linked_page_and_fragments_have_nothing_inline() {
    let c = common::seed().course;
    let a = Analysis::for_course(&c, &AlertConfig::default());
    let page = full_report_linked(&c, &a, "/static/report.css");
    assert_eq!(csp_violation(&page), None);
    assert!(page.contains(r#"<link rel="stylesheet" href="/static/report.css">"#));
    assert!(page.contains("id=\"course-figure\""));
    for (name, f) in [
        ("figure", figure_fragment(&c, &a)),
        ("endpoints", endpoints_fragment(&a)),
        ("alerts", alerts_fragment(&a)),
        ("dli", dli_fragment(&a)),
    ] {
        assert_eq!(csp_violation(&f), None, "{name}");
        assert!(!f.is_empty(), "{name}");
    }
    common::check_nesting(&page).expect("well-formed page");
}

#[test]
fn standalone_report_keeps_its_styles_and_same_figure() {
    let c = common::seed().course;
    let a = Analysis::for_course(&c, &AlertConfig::default());
    let file = full_report(&c, &a).to_html();
    assert!(
        file.contains("<style>"),
        "standalone file embeds its stylesheet"
    );
    assert!(
        !file.contains(" style=\""),
        "no style attribute even standalone"
    );
    let linked = full_report_linked(&c, &a, "/r.css");
    // Same document apart from the <style> elements and the <link>.
    let strip = |s: &str| {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("<style>") {
            out.push_str(&rest[..i]);
            let j = rest[i..].find("</style>").expect("closed style") + i + 8;
            rest = &rest[j..];
        }
        out.push_str(rest);
        out.replace("<link rel=\"stylesheet\" href=\"/r.css\">", "")
    };
    assert_eq!(strip(&file), strip(&linked));
}

#[test]
fn stylesheet_has_page_and_figure_rules() {
    let css = stylesheet();
    assert!(css.contains(".gw-figure{fill:#222}"));
    assert!(css.contains("figure svg{"));
    assert!(!css.contains("<style"));
}

#[test]
fn embedded_stylesheet_is_scoped_and_leaves_the_host_page_alone() {
    let css = embedded_stylesheet();
    assert!(css.contains(".gw-report{--ink:#222"), "{css}");
    assert!(css.contains(".gw-report table{"));
    assert!(css.contains(".gw-report figure svg{"));
    assert!(css.contains(".gw-figure{fill:#222}"));
    for line in css.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            line.starts_with(".gw-report") || line.starts_with(".gw-figure"),
            "unscoped rule: {line}"
        );
    }
    assert!(!css.contains("@page") && !css.contains("@media"));
    // Every selector of a rule is scoped, not only the first.
    assert!(css.contains(",.gw-report "));
}

#[test]
fn detector_finds_what_csp_blocks() {
    assert!(csp_violation("<p onclick=\"x()\">a</p>").is_some());
    assert!(csp_violation("<p style=\"color:red\">a</p>").is_some());
    assert!(csp_violation("<script src=a.js></script>").is_some());
    assert!(csp_violation("<p>based on=3 days</p>").is_none());
    assert!(csp_violation("<p class=\"x\">fine</p>").is_none());
}

//! The HTML report: well-nested, self-contained, escaped, with the
//! sections in order and hooks for later sections.

mod common;

use graftwatch_report::{Report, Section, render_full_report_html, render_report_html};

#[test]
fn seed_report_is_well_nested_and_self_contained() {
    let c = common::seed().course;
    let html = render_report_html(&c);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let seen = common::check_nesting(&html).unwrap();
    for tag in ["html", "head", "body", "main", "table", "svg", "figure"] {
        assert!(seen.contains_key(tag), "no <{tag}>");
    }
    assert_eq!(seen["html"], 1);
    assert_eq!(seen["svg"], 1);
    // No scripts, no external resources.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(!html.contains("@import"));
}

#[test]
fn seed_report_has_header_figure_and_timeline() {
    let c = common::seed().course;
    let html = render_report_html(&c);
    assert!(html.contains("Illustrative data."));
    assert!(html.contains("SEED-AML-01"));
    assert!(html.contains("47,XY,+8[14]/46,XY[6]"));
    assert!(html.contains("<i>FLT3</i> ITD"));
    assert!(html.contains("unrelated cord blood unit") && html.contains("haploidentical related"));
    assert!(html.contains("TNC 2.1 × 10⁷") && html.contains("CD34+ 5.2 × 10⁶"));
    let order: Vec<usize> = ["id=\"summary\"", "id=\"figure\"", "id=\"timeline\""]
        .iter()
        .map(|m| html.find(m).expect(m))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    // One timeline row per event, with the HCT day.
    let table = common::element(&html, "class=\"timeline\"", "table").unwrap();
    assert_eq!(table.matches("<tr class=\"ev ").count(), c.events.len());
    assert!(
        table.contains("<td class=\"num\">+92</td><td class=\"date\">DLI 1 0</td><td>DLI</td>")
    );
    assert!(table.contains(
        "<td class=\"num\">−56</td><td class=\"date\">CAR-T 0</td><td>CAR-T infusion</td>"
    ));
}

#[test]
fn course_text_is_escaped() {
    let c = common::mini(
        r#"{"date": "2024-03-01", "kind": "drug", "name": "<script>alert(1)</script>", "class": "other", "end_date": "2024-03-03"}"#,
        "",
    );
    let html = render_report_html(&c);
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("P&lt;1&gt;"), "patient id escaped");
    common::check_nesting(&html).unwrap();
}

#[test]
fn sections_can_be_added_and_inserted() {
    let c = common::seed().course;
    let mut r = Report::for_course(&c);
    r.add_section(Section::text("grades", "Grades", "CRS grade 2"));
    r.insert_section_after("summary", Section::text("alerts", "Alerts", "none"));
    let ids: Vec<&str> = r.sections().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["summary", "alerts", "figure", "timeline", "grades"]
    );
    let html = r.to_html();
    assert!(html.contains("<a href=\"#grades\">Grades</a>"));
    assert!(html.contains("<section id=\"alerts\">"));
    common::check_nesting(&html).unwrap();
}

#[test]
fn the_nesting_checker_rejects_broken_markup() {
    assert!(common::check_nesting("<div><p></div></p>").is_err());
    assert!(common::check_nesting("<div>").is_err());
    assert!(common::check_nesting("</div>").is_err());
    assert!(common::check_nesting("<div><br><line/></div>").is_ok());
}

/// Review-clin M3: tooltips say a date once, a single day is one date, a
/// person whose label is the role is named once, and a conditioning without
/// agents has no dangling colon and a readable intensity.
/// Review-clin M3: a period is labelled by the therapy it follows (the
/// latest CAR-T infusion or transplant on or before it): the seed case's
/// CRS after the CAR-T of 2024-03-04 reads "CAR-T day +1 to +2", not
/// "HCT −55 to −54"; after the transplant, HCT days; before every therapy,
/// the first one's. Tooltips and the alerts table use the one helper.
#[test]
fn periods_are_labelled_by_the_therapy_they_follow() {
    use graftwatch_report::format::therapy_period;
    let c = common::seed().course;
    let html = render_full_report_html(&c);
    assert!(
        html.contains("2024-03-05 to 2024-03-06 (CAR-T day +1 to +2)"),
        "CRS band"
    );
    assert!(!html.contains("(HCT −55 to −54)"));
    // the endpoint table's day column reads the same way
    assert!(html.contains("<td class=\"date\">2024-03-07</td><td class=\"num\">CAR-T day +3</td>"));
    assert!(html.contains("<td class=\"date\">2024-05-12</td><td class=\"num\">HCT day +13</td>"));
    let t = graftwatch_report::format::therapy_anchors(&c.anchors());
    let d = |s: &str| s.parse().unwrap();
    // the day before HCT still follows the CAR-T; HCT day 0 follows HCT
    assert_eq!(
        therapy_period(&t, d("2024-04-28"), d("2024-04-28")).as_deref(),
        Some("CAR-T day +55")
    );
    assert_eq!(
        therapy_period(&t, d("2024-04-29"), d("2024-05-01")).as_deref(),
        Some("HCT day 0 to +2")
    );
    // before the first therapy: counted to it
    assert_eq!(
        therapy_period(&t, d("2024-03-01"), d("2024-03-01")).as_deref(),
        Some("CAR-T day −3")
    );
    assert_eq!(therapy_period(&[], d("2024-03-01"), d("2024-03-01")), None);
}

#[test]
fn tooltips_read_as_words() {
    let html = render_full_report_html(&common::seed().course);
    assert!(!html.contains("2024-03-05: 2024-03-05:"), "date twice");
    assert!(html.contains("2024-03-05: fever without hypotension"));
    assert!(
        !html.contains("2024-04-02 to 2024-04-02"),
        "single-day range"
    );
    // 2024-04-02 follows the CAR-T infusion of 2024-03-04 (HCT is 2024-04-29)
    assert!(html.contains("2024-04-02 (CAR-T day +29)"));
    assert!(!html.contains("recipient (recipient)"));
    assert!(html.contains("chimerism: recipient share"));
    let c = common::mini(
        r#"{"date": "2024-04-24", "end_date": "2024-04-29", "kind": "conditioning", "regimen": "FluMel", "intensity": "reduced_intensity"},
           {"date": "2024-05-01", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1"}"#,
        "",
    );
    let html = render_report_html(&c);
    assert!(
        html.contains("Conditioning FluMel (reduced intensity)"),
        "intensity words"
    );
    assert!(!html.contains("reducedintensity") && !html.contains("FluMel (reduced intensity):"));
}

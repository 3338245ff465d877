//! No text of the full figure overlaps another, and none leaves the
//! figure: measured on the seed case and on generated transplant courses of
//! 30 days, 1 year and 10 years (see `common/textbox.rs` for how text boxes
//! are measured). Also: calendar labels carry their year, and the axis is
//! compressed as docs/report.md says.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use graftwatch_core::Date;
use graftwatch_course::Course;
use graftwatch_report::{AlertConfig, Analysis, full_figure};

use common::textbox::{collisions, text_boxes};

/// A transplant course of `days` days after HCT day 0 (2024-01-10), with
/// CAR-T 50 days before, daily counts for 60 days then weekly (monthly
/// after a year), chimerism in three lineages with a recipient rise and a
/// DLI when the course is long enough, marrow/MRD, GVHD findings, and
/// drugs, infections and transfusions.
fn generated(days: i32) -> Course {
    let d0: Date = "2024-01-10".parse().expect("date");
    let date = |d: i32| d0.add_days(d).to_string();
    let mut ev = Vec::new();
    let mut obs = Vec::new();
    ev.push(format!(r#"{{"date":"{}","end_date":"{}","kind":"lymphodepletion","regimen":"Flu/Cy","agents":[]}}"#, date(-55), date(-53)));
    ev.push(format!(
        r#"{{"date":"{}","kind":"car_t_infusion","target":"CD19","product":"CAR-T"}}"#,
        date(-50)
    ));
    ev.push(format!(
        r#"{{"date":"{}","end_date":"{}","kind":"conditioning","regimen":"Flu/Mel","agents":[]}}"#,
        date(-7),
        date(-2)
    ));
    ev.push(format!(
        r#"{{"date":"{}","kind":"graft_infusion","transplant":1,"source":"ucb","donor":"UCB-1"}}"#,
        date(0)
    ));
    ev.push(format!(r#"{{"date":"{}","kind":"graft_infusion","transplant":1,"source":"pbsc","donor":"PBSC-1"}}"#, date(0)));
    ev.push(format!(r#"{{"date":"{}","end_date":"{}","kind":"drug","name":"cyclosporine","class":"immunosuppressant"}}"#, date(-1), date(days.min(180))));
    for d in [1, 3, 6] {
        ev.push(format!(r#"{{"date":"{}","end_date":"{}","kind":"drug","name":"methotrexate","class":"immunosuppressant"}}"#, date(d), date(d)));
    }
    ev.push(format!(
        r#"{{"date":"{}","end_date":"{}","kind":"drug","name":"filgrastim","class":"g_csf"}}"#,
        date(5),
        date(14)
    ));
    ev.push(format!(
        r#"{{"date":"{}","end_date":"{}","kind":"infection","syndrome":"septic shock"}}"#,
        date(-30),
        date(-20)
    ));
    ev.push(format!(r#"{{"date":"{}","end_date":"{}","kind":"drug","name":"meropenem","class":"antimicrobial"}}"#, date(-30), date(-20)));
    ev.push(format!(r#"{{"date":"{}","end_date":"{}","kind":"drug","name":"acyclovir","class":"antimicrobial"}}"#, date(-50), date(days)));
    for d in (-10..12).step_by(3) {
        ev.push(format!(
            r#"{{"date":"{}","kind":"transfusion","product":"platelets","units":1}}"#,
            date(d)
        ));
    }
    // counts
    let mut d = -60;
    while d <= days {
        let anc = if (-50..12).contains(&d) { 0.05 } else { 3.0 };
        let plt = if (-50..20).contains(&d) { 15.0 } else { 150.0 };
        obs.push(format!(
            r#"{{"date":"{}","kind":"anc","value":{anc},"unit":"10^9/L"}}"#,
            date(d)
        ));
        obs.push(format!(
            r#"{{"date":"{}","kind":"platelets","value":{plt},"unit":"10^9/L"}}"#,
            date(d)
        ));
        obs.push(format!(
            r#"{{"date":"{}","kind":"hemoglobin","value":9.5,"unit":"g/dL"}}"#,
            date(d)
        ));
        d += if d < 60 {
            1
        } else if d < 365 {
            7
        } else {
            30
        };
    }
    // chimerism: monthly, recipient rising in CD3 around day 80-120
    let mut d = 14;
    let mut k = 0;
    while d <= days {
        for (lin, rec) in [
            ("whole_blood", 1.0),
            (
                "cd3",
                if (70..130).contains(&d) {
                    4.0 + (d - 70) as f64 / 10.0
                } else {
                    0.0
                },
            ),
            ("myeloid", 2.0),
        ] {
            let pb = 100.0 - rec - if d < 40 { 30.0 } else { 0.0 };
            let ucb = 100.0 - rec - pb;
            let s = format!("S{k}-{lin}");
            for (p, v) in [("recipient", rec), ("UCB-1", ucb), ("PBSC-1", pb)] {
                obs.push(format!(r#"{{"date":"{}","kind":"chimerism","value":{v},"unit":"%","lineage":"{lin}","person":"{p}","method":"str","sample":"{s}"}}"#, date(d)));
            }
        }
        k += 1;
        d += if d < 365 { 30 } else { 180 };
    }
    if days >= 130 {
        ev.push(format!(
            r#"{{"date":"{}","kind":"dli","donor":"PBSC-1","cd3_per_kg":100000.0}}"#,
            date(100)
        ));
        ev.push(format!(
            r#"{{"date":"{}","kind":"dli","donor":"PBSC-1","cd3_per_kg":300000.0}}"#,
            date(128)
        ));
        for (g, v) in [(140, 30.0), (143, 55.0), (150, 20.0)] {
            obs.push(format!(r#"{{"date":"{}","kind":"skin_rash_bsa","value":{v},"unit":"%","attribution":"gvhd"}}"#, date(g)));
        }
        ev.push(format!(r#"{{"date":"{}","end_date":"{}","kind":"drug","name":"methylprednisolone","class":"steroid"}}"#, date(143), date(160)));
    }
    for (m, blasts, mrd) in [
        (-60, 40.0, 5.0),
        (-20, 30.0, 3.0),
        (28, 1.0, 0.0),
        (90, 1.0, 0.3),
        (180, 0.5, 0.0),
        (365, 0.5, 0.0),
        (1000, 0.5, 0.0),
        (2000, 0.4, 0.0),
        (3600, 0.5, 0.0),
    ] {
        if m <= days {
            obs.push(format!(
                r#"{{"date":"{}","kind":"marrow_blasts","value":{blasts},"unit":"%"}}"#,
                date(m)
            ));
            obs.push(format!(
                r#"{{"date":"{}","kind":"mrd_flow","value":{mrd},"unit":"%"}}"#,
                date(m)
            ));
        }
    }
    let mut json = String::new();
    let _ = write!(
        json,
        r#"{{"format":"graftwatch-course/1","patient":{{"id":"GEN-{days}","sex":"female","birth_year":1970,"diagnosis":{{"disease":"aml","date":"2023-01-10"}}}},
"donors":[{{"id":"UCB-1","relationship":"unrelated_cord"}},{{"id":"PBSC-1","relationship":"haploidentical"}}],
"events":[{}],"observations":[{}]}}"#,
        ev.join(","),
        obs.join(",")
    );
    graftwatch_course::io::read_json_str(&json, Path::new("generated.json"))
        .expect("generated course valid")
        .course
}

/// Every intervention in the figure window has a visible label: its own
/// (`methotrexate`) or its cluster's (`methotrexate ×3`).
fn every_item_labelled(name: &str, course: &Course, svg: &str) {
    let labels: Vec<String> = text_boxes(svg).into_iter().map(|b| b.text).collect();
    let frame = graftwatch_report::Frame::for_course(course, 1200.0).expect("frame");
    for item in graftwatch_report::panels::lane_items(course) {
        let day = item.start.days_since(frame.origin).get();
        let end = item
            .end
            .map(|e| e.days_since(frame.origin).get())
            .unwrap_or(day);
        if end < frame.x.start {
            continue;
        }
        assert!(
            labels
                .iter()
                .any(|l| l == &item.label || l.starts_with(&format!("{} ×", item.label))),
            "{name}: no label for {} on {}",
            item.label,
            item.start
        );
    }
}

fn check(name: &str, course: &Course) -> String {
    let a = Analysis::for_course(course, &AlertConfig::default());
    let fig = full_figure(course, &a);
    let svg = fig.render(course);
    every_item_labelled(name, course, &svg);
    // to look at the figures: GRAFTWATCH_FIGURE_DIR=/tmp/figs cargo test --test collisions
    if let Ok(dir) = std::env::var("GRAFTWATCH_FIGURE_DIR") {
        let file = format!("{dir}/{}.svg", name.replace(' ', "-"));
        std::fs::write(&file, &svg).unwrap_or_else(|e| panic!("writing {file}: {e}"));
    }
    let bad = collisions(&svg, fig.width, 0.5);
    assert!(
        bad.is_empty(),
        "{name}: {} text collision(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(text_boxes(&svg).len() > 50, "{name}: the figure has text");
    svg
}

fn calendar_labels(svg: &str) -> Vec<String> {
    let cal = common::element(svg, "id=\"x-axis-calendar\"", "g").expect("calendar axis");
    text_boxes(cal)
        .into_iter()
        .map(|b| b.text)
        .filter(|t| t != "Calendar date")
        .collect()
}

#[test]
fn seed_figure_has_no_text_collisions() {
    let svg = check("seed", &common::seed().course);
    // every calendar label names its year or follows one that does in the
    // same year; the first one always has it
    let labels = calendar_labels(&svg);
    assert!(labels[0].contains("2024"), "{labels:?}");
    // the exported figure's caption block fits and overlaps nothing
    let course = common::seed().course;
    let a = Analysis::for_course(&course, &AlertConfig::default());
    let fig = graftwatch_report::full_figure_with_caption(&course, &a);
    let svg = fig.render(&course);
    assert!(svg.contains("id=\"caption-block\"") && svg.contains("LoD, limit of detection"));
    let bad = collisions(&svg, fig.width, 0.5);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn thirty_day_course_has_no_text_collisions() {
    check("30 days", &generated(30));
}

#[test]
fn one_year_course_has_no_text_collisions_and_compresses_after_the_break() {
    let course = generated(365);
    let svg = check("1 year", &course);
    assert!(svg.contains("scale compressed"), "a year is compressed");
    let labels = calendar_labels(&svg);
    assert!(labels.iter().any(|l| l.contains("2025")), "{labels:?}");
}

#[test]
fn ten_year_course_has_no_text_collisions_and_years_on_the_calendar() {
    let svg = check("10 years", &generated(3650));
    let labels = calendar_labels(&svg);
    // ten years: every calendar label is a year or carries one
    for l in &labels {
        assert!(
            l.chars().filter(|c| c.is_ascii_digit()).count() >= 4,
            "calendar label without a year: {l} in {labels:?}"
        );
    }
    assert!(labels.len() >= 5, "{labels:?}");
}

#[test]
fn crowded_anchor_labels_take_more_rows_instead_of_overlapping() {
    let mut ev = vec![
        r#"{"date": "2024-01-01", "kind": "car_t_infusion", "target": "CD19", "product": "CAR-T"}"#.to_string(),
        r#"{"date": "2024-01-03", "kind": "graft_infusion", "transplant": 1, "source": "pbsc", "donor": "PBSC-1"}"#.to_string(),
    ];
    for d in [5, 7, 9] {
        ev.push(format!(
            r#"{{"date": "2024-01-{d:02}", "kind": "dli", "donor": "PBSC-1", "cd3_per_kg": 100000.0}}"#
        ));
    }
    let course = common::mini(
        &ev.join(","),
        r#"{"date": "2024-01-20", "kind": "anc", "value": 1.0, "unit": "10^9/L"}"#,
    );
    let svg = check("crowded anchors", &course);
    assert_eq!(svg.matches("class=\"anchorlabel\"").count(), 5);
}

#[test]
fn the_legend_lists_only_what_is_drawn() {
    // a 30-day course without DLI, GVHD treatment or oxygen
    let course = generated(30);
    let a = Analysis::for_course(&course, &AlertConfig::default());
    let svg = full_figure(&course, &a).render(&course);
    let legend = common::element(&svg, "id=\"legend\"", "g").expect("legend");
    let entries: Vec<String> = text_boxes(legend).into_iter().map(|b| b.text).collect();
    assert!(entries.iter().any(|e| e == "ANC"), "{entries:?}");
    assert!(
        entries.iter().any(|e| e == "recipient %, T cells (CD3+)"),
        "{entries:?}"
    );
    for absent in ["DLI (donor colour)", "grade/stage I (1)"] {
        assert!(
            !entries.iter().any(|e| e == absent),
            "{absent} in {entries:?}"
        );
    }
    // a course with no chimerism has no chimerism legend
    let bare = common::mini(
        r#"{"date": "2024-01-10", "kind": "graft_infusion", "transplant": 1, "source": "pbsc", "donor": "PBSC-1"}"#,
        r#"{"date": "2024-01-12", "kind": "anc", "value": 0.1, "unit": "10^9/L"}"#,
    );
    let a = Analysis::for_course(&bare, &AlertConfig::default());
    let svg = full_figure(&bare, &a).render(&bare);
    let legend = common::element(&svg, "id=\"legend\"", "g").expect("legend");
    assert!(
        !legend.contains("recipient %") && !legend.contains("share:"),
        "{legend}"
    );
    assert!(!legend.contains("CAR-T"), "{legend}");
}

#[test]
fn the_measurer_finds_a_planted_collision() {
    let svg = r#"<svg><style>
.gw-figure .tick{font-size:10px}
</style><text x="10" y="20" class="tick">+210</text><text x="30" y="20" class="tick">+240</text><text x="200" y="20" class="tick">far</text></svg>"#;
    let bad = collisions(svg, 400.0, 0.5);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("+210") && bad[0].contains("+240"));
}

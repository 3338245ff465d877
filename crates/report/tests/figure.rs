//! The course figure: axes, the three count series, thresholds, transfusion
//! ticks, anchor lines and intervention lanes, on the seed case and on small
//! edge-case courses.

mod common;

use graftwatch_core::Analyte;
use graftwatch_course::{EventDetail, TransfusionProduct};
use graftwatch_report::{Figure, Frame, render_figure_svg};

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn seed_figure_has_axes_series_thresholds_ticks_and_anchors() {
    let c = common::seed().course;
    let svg = render_figure_svg(&c);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    for id in [
        "id=\"x-axis-days\"",
        "id=\"x-axis-calendar\"",
        "id=\"series-anc\"",
        "id=\"series-platelets\"",
        "id=\"series-hemoglobin\"",
        "data-threshold=\"anc-0.5\"",
        "data-threshold=\"platelets-20\"",
        "data-threshold=\"platelets-50\"",
        "id=\"anchor-cart-1\"",
        "id=\"anchor-hct-1\"",
        "id=\"anchor-dli-1\"",
        "id=\"anchor-dli-2\"",
        "id=\"legend\"",
        "id=\"lane-immunosuppression\"",
        "id=\"lane-steroids\"",
        "id=\"lane-g-csf\"",
        "id=\"lane-vasopressors\"",
        "id=\"lane-icu-infection\"",
        "id=\"lane-chemotherapy\"",
    ] {
        assert!(svg.contains(id), "missing {id}");
    }
    assert_eq!(count(&svg, "class=\"axis y\""), 2, "counts and Hb y axes");
    assert!(svg.contains("Days after HCT") && svg.contains("Calendar date"));
    assert!(svg.contains("ANC, platelets ×10⁹/L (log)") && svg.contains("Hb g/dL"));
    // DLI markers: anchor lines and lane markers, with the CD3 dose.
    assert!(svg.contains("DLI 1 · 1 × 10⁵ CD3/kg"));
    assert_eq!(count(&svg, "class=\"item dli\""), 2);
    assert_eq!(count(&svg, "class=\"item graft\""), 2);
    assert_eq!(count(&svg, "class=\"item cart\""), 1);
    // The day axis is compressed after day +100 and says so.
    assert!(svg.contains("scale compressed"));
}

#[test]
fn every_transfusion_in_the_window_is_one_tick_of_its_product() {
    let c = common::seed().course;
    let frame = Frame::for_course(&c, 1200.0).unwrap();
    let in_window = |p: TransfusionProduct| {
        c.events
            .iter()
            .filter(
                |e| matches!(e.detail, EventDetail::Transfusion { product, .. } if product == p),
            )
            .filter(|e| frame.x.contains(e.date.days_since(frame.origin).get()))
            .count()
    };
    let svg = render_figure_svg(&c);
    let plt = in_window(TransfusionProduct::Platelets);
    let rbc = in_window(TransfusionProduct::Rbc);
    assert!(plt > 10 && rbc > 2);
    assert_eq!(count(&svg, "class=\"transfusion platelets\""), plt);
    assert_eq!(count(&svg, "class=\"transfusion rbc\""), rbc);
}

#[test]
fn each_observation_in_the_window_is_one_marker_with_a_dated_title() {
    let c = common::seed().course;
    let frame = Frame::for_course(&c, 1200.0).unwrap();
    let svg = render_figure_svg(&c);
    for (analyte, id, tag) in [
        (Analyte::Anc, "series-anc", "<circle"),
        (Analyte::Platelets, "series-platelets", "<rect"),
        (Analyte::Hemoglobin, "series-hemoglobin", "<path"),
    ] {
        let n = c
            .lab_series(analyte)
            .iter()
            .filter(|(d, _)| frame.x.contains(d.days_since(frame.origin).get()))
            .count();
        let g = common::element(&svg, &format!("id=\"{id}\""), "g").expect(id);
        assert_eq!(count(g, tag), n, "{id}");
        assert_eq!(count(g, "<title>"), n, "{id}");
        assert!(g.contains("<polyline"), "{id} line");
    }
    // A title names the date, the HCT day and the value with its unit.
    assert!(
        svg.contains("2024-05-12 (HCT day +13): ANC "),
        "day +13 ANC title"
    );
}

#[test]
fn frame_starts_before_cart_and_day_zero_is_hct() {
    let c = common::seed().course;
    let f = Frame::for_course(&c, 1200.0).unwrap();
    assert_eq!(f.origin_label, "HCT");
    assert_eq!(f.origin.to_string(), "2024-04-29");
    assert_eq!(f.x.start, -56 - 10, "10 days before CAR-T day 0");
    assert!(f.x.end >= 390);
    assert!(f.x.break_at.is_some());
    let ticks = f.ticks();
    assert!(ticks.contains(&0) && ticks.contains(&100) && ticks.contains(&-60));
}

#[test]
fn course_without_transplant_is_drawn_from_cart_day_zero_without_break() {
    let c = common::mini(
        r#"{"date": "2024-03-04", "kind": "car_t_infusion", "target": "CD19", "product": "X", "dose_per_kg": 2e6},
           {"date": "2024-03-07", "kind": "drug", "name": "tocilizumab", "class": "anticytokine"}"#,
        r#"{"date": "2024-03-05", "kind": "anc", "value": 0.0, "unit": "10^9/L"},
           {"date": "2024-03-20", "kind": "anc", "value": 1.2, "unit": "10^9/L"}"#,
    );
    let f = Frame::for_course(&c, 1200.0).unwrap();
    assert_eq!(f.origin_label, "CAR-T");
    assert!(f.x.break_at.is_none());
    let svg = render_figure_svg(&c);
    assert!(svg.contains("Days after CAR-T"));
    // ANC 0 is below the log floor: drawn hollow and said in the title.
    assert!(svg.contains("class=\"pt floor\""));
    assert!(svg.contains("below the axis floor"));
    // Open-ended drug: arrow, and "ongoing" in the title.
    assert!(svg.contains("no stop date"));
    // No platelets or Hb: the Hb panel says so.
    assert!(svg.contains("No haemoglobin observations in the course"));
    // Platelets missing, ANC present: the counts panel draws ANC only.
    let g = common::element(&svg, "id=\"series-platelets\"", "g").unwrap();
    assert!(!g.contains("<rect"));
}

#[test]
fn missing_data_is_named_not_drawn_as_zero() {
    let c = common::mini(
        r#"{"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1"}"#,
        "",
    );
    let svg = render_figure_svg(&c);
    assert!(svg.contains("No ANC or platelet observations in the course"));
    assert!(svg.contains("No haemoglobin observations in the course"));
    assert!(svg.contains("No transfusions in the figure window"));
    assert!(!svg.contains("id=\"series-anc\""));
}

#[test]
fn empty_course_gives_a_small_svg_that_says_so() {
    let c = common::mini("", "");
    let svg = render_figure_svg(&c);
    assert!(svg.contains("nothing to draw"));
    common::check_nesting(&svg).unwrap();
}

#[test]
fn svg_is_well_nested_and_deterministic() {
    let c = common::seed().course;
    let a = render_figure_svg(&c);
    let b = render_figure_svg(&c);
    assert_eq!(a, b);
    let seen = common::check_nesting(&a).unwrap();
    assert_eq!(seen.get("svg"), Some(&1));
    assert!(seen.get("polyline").copied().unwrap_or(0) >= 3);
}

#[test]
fn panels_can_be_added_by_later_work() {
    struct Band;
    impl graftwatch_report::Panel for Band {
        fn id(&self) -> &str {
            "test-band"
        }
        fn height(&self, _: &graftwatch_course::Course, _: &Frame) -> f64 {
            20.0
        }
        fn render(&self, ctx: &graftwatch_report::PanelContext, out: &mut String) {
            out.push_str(&format!(
                "<text class=\"probe\" y=\"{:.0}\">band</text>",
                ctx.top
            ));
        }
    }
    let c = common::seed().course;
    let mut f = Figure::standard();
    f.insert_panel(1, Box::new(Band));
    assert_eq!(
        f.panel_ids(),
        vec![
            "counts",
            "test-band",
            "transfusions",
            "hemoglobin",
            "interventions"
        ]
    );
    let svg = f.render(&c);
    assert!(svg.contains("id=\"panel-test-band\"") && svg.contains("class=\"probe\""));
    let plain = Figure::standard().render(&c);
    // The added panel makes the figure taller.
    let h = |s: &str| -> f64 {
        let i = s.find("height=\"").unwrap() + 8;
        s[i..].split('"').next().unwrap().parse().unwrap()
    };
    assert!(h(&svg) > h(&plain));
}

//! Issue 15: one implausible value cannot make the figure grow. A
//! haemoglobin of 1e10 g/dL once made the Hb axis carry 5·10⁹ ticks (8 GB);
//! now the axis stops at the plausibility limit and the value is drawn
//! hollow at the ceiling with a note in its title.

mod common;

use graftwatch_core::Analyte;
use graftwatch_course::ObsValue;
use graftwatch_report::{AlertConfig, Analysis, full_figure_with_caption};

fn figure_with_hb(value: f64) -> String {
    let mut course = common::seed().course;
    // One in the middle of the course (the first ones precede the drawn range).
    let mut hbs: Vec<_> = course
        .observations
        .iter_mut()
        .filter(|o| o.kind.as_str() == "hemoglobin")
        .collect();
    let mid = hbs.len() / 2;
    let hb = &mut hbs[mid];
    hb.value = ObsValue::Number(value);
    let a = Analysis::for_course(&course, &AlertConfig::default());
    full_figure_with_caption(&course, &a).render(&course)
}

#[test]
fn huge_haemoglobin_is_drawn_at_the_ceiling_and_the_figure_stays_small() {
    let normal = figure_with_hb(9.0);
    assert!(
        !normal.contains("pt ceiling"),
        "a plausible value is not marked"
    );
    for v in [1e10, 1e300, 150_000.0] {
        let svg = figure_with_hb(v);
        assert!(
            svg.len() < normal.len() + 10_000,
            "Hb {v}: {} bytes vs {}",
            svg.len(),
            normal.len()
        );
        assert!(svg.contains("class=\"pt ceiling\""), "Hb {v}: marked");
        let ceiling = Analyte::Hemoglobin.implausible_above();
        assert!(
            svg.contains(&format!("above the axis ceiling {ceiling}")),
            "Hb {v}: the title says why"
        );
    }
}

#[test]
fn values_at_the_ceiling_are_not_marked() {
    let svg = figure_with_hb(Analyte::Hemoglobin.implausible_above());
    assert!(!svg.contains("pt ceiling"));
}

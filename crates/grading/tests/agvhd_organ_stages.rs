//! `CourseGrades::agvhd_organ_stages`: the structured MAGIC organ stages of
//! each acute GVHD timeline day agree with the timeline itself (same days,
//! same grade level, the stages the day's reason names) and, on the seed
//! case, show skin involvement before lower GI.

use std::path::PathBuf;

use graftwatch_course::read_course;
use graftwatch_grading::{Criterion, GradingConfig, grade_course};

#[test]
fn organ_stages_match_the_agvhd_timeline_and_show_skin_before_gut() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    let course = read_course(&p).expect("seed case").course;
    let g = grade_course(&course, &GradingConfig::default());
    let timeline: Vec<_> = g
        .timeline
        .iter()
        .flat_map(|d| {
            d.entries
                .iter()
                .filter(|e| e.criterion == Criterion::Agvhd)
                .map(move |e| (d.date, e))
        })
        .collect();
    assert!(!timeline.is_empty());
    assert_eq!(timeline.len(), g.agvhd_organ_stages.len());
    for ((date, e), o) in timeline.iter().zip(&g.agvhd_organ_stages) {
        assert_eq!(*date, o.date);
        assert_eq!(e.level, o.level, "{date}");
        for (name, st) in [
            ("skin", o.skin),
            ("liver", o.liver),
            ("upper GI", o.upper_gi),
            ("lower GI", o.lower_gi),
        ] {
            if let Some(s) = st.filter(|s| *s > 0) {
                assert!(
                    e.reason.contains(&format!("{name} stage {s}")),
                    "{date}: {name} stage {s} not in '{}'",
                    e.reason
                );
            }
        }
    }
    let first = |f: fn(&graftwatch_grading::output::AgvhdOrganDay) -> Option<u8>| {
        g.agvhd_organ_stages
            .iter()
            .find(|o| f(o).is_some_and(|s| s > 0))
            .map(|o| o.date)
    };
    let skin = first(|o| o.skin).expect("skin involved");
    let gut = first(|o| o.lower_gi).expect("lower GI involved");
    assert!(skin < gut, "skin {skin} before gut {gut}");
    // the JSON output carries the key
    let json = serde_json::to_value(&g).expect("json");
    assert!(
        json["agvhd_organ_stages"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

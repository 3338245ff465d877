//! The day-by-day timeline behind `course show`.

use std::path::Path;

use graftwatch_course::read_course;
use graftwatch_course::timeline::{
    AnchorChoice, TimelineError, TimelineOptions, render_timeline, timeline,
};

fn full() -> graftwatch_course::Course {
    read_course(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/course-full.json"))
        .unwrap()
        .course
}

fn day_of<'a>(
    days: &'a [graftwatch_course::timeline::TimelineDay],
    date: &str,
) -> &'a graftwatch_course::timeline::TimelineDay {
    days.iter().find(|d| d.date.to_string() == date).unwrap()
}

#[test]
fn labels_follow_the_nearest_anchor() {
    let c = full();
    let days = timeline(&c, &TimelineOptions::default()).unwrap();
    // Lymphodepletion 5 days before CAR-T: day -5 of CAR-T.
    assert_eq!(day_of(&days, "2023-06-01").day, "day -5 after CAR-T");
    // Conditioning 8 days before the HCT: day -8 of HCT, not day +75 of CAR-T.
    assert_eq!(day_of(&days, "2023-08-20").day, "day -8 after HCT");
    // First chemotherapy, far from any anchor: counted from the first HCT.
    assert!(day_of(&days, "2023-01-15").day.ends_with("after HCT"));
    // After the DLI, days still count from the HCT by default…
    assert_eq!(day_of(&days, "2024-01-10").day, "day +135 after HCT");
    // …and from the DLI when asked.
    let dli = timeline(
        &c,
        &TimelineOptions {
            anchor: Some(AnchorChoice::Dli),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(day_of(&dli, "2024-01-10").day, "day 0 after DLI 1");
}

#[test]
fn boundaries_of_from_and_to_are_inclusive() {
    let c = full();
    let o = |from, to| TimelineOptions {
        from,
        to,
        anchor: Some(AnchorChoice::Hct),
    };
    // Day +11 (2023-09-08) is the only day with data from +6 to +11…
    let d = timeline(&c, &o(Some(11), Some(11))).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].date.to_string(), "2023-09-08");
    assert_eq!(d[0].counts, [Some(0.6), Some(18.0), Some(8.2)]);
    // …and is excluded one day either side.
    assert!(
        timeline(&c, &o(Some(12), Some(12)))
            .unwrap()
            .iter()
            .all(|x| x.date.to_string() != "2023-09-08")
    );
    assert!(timeline(&c, &o(Some(10), Some(10))).unwrap().is_empty());
    assert_eq!(
        timeline(&c, &o(Some(3), Some(1))),
        Err(TimelineError::EmptyRange(3, 1))
    );
}

#[test]
fn missing_anchors_are_errors() {
    let mut c = full();
    c.events
        .retain(|e| !matches!(e.detail, graftwatch_course::EventDetail::Dli { .. }));
    let e = timeline(
        &c,
        &TimelineOptions {
            anchor: Some(AnchorChoice::Dli),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("no dli event") && e.to_string().contains("HCT on 2023-08-28"),
        "{e}"
    );
    c.events.clear();
    let e = timeline(
        &c,
        &TimelineOptions {
            from: Some(0),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e, TimelineError::NoAnchor);
    // Without from/to a course without anchors still shows, with '-' days.
    let days = timeline(&c, &TimelineOptions::default()).unwrap();
    assert!(!days.is_empty() && days.iter().all(|d| d.day == "-"));
    let text = render_timeline(&c, &days);
    assert!(text.lines().count() == days.len() + 4, "{text}");
}

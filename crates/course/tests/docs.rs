//! docs/course-format.md shows the example files verbatim and documents
//! every observation kind, event kind and event field.

use std::path::{Path, PathBuf};

use graftwatch_course::event_fields::event_fields;
use graftwatch_course::{EventDetail, ObservationKind};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/course-format.md")).expect("docs/course-format.md")
}

#[test]
fn inline_examples_are_the_tested_files() {
    let d = doc();
    for f in ["course-minimal.json", "course-minimal.csv"] {
        let t = std::fs::read_to_string(root().join("docs/examples").join(f)).unwrap();
        assert!(
            d.contains(&t),
            "{f} is not shown verbatim in course-format.md"
        );
        graftwatch_course::read_course(&root().join("docs/examples").join(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn every_kind_and_field_is_documented() {
    let d = doc();
    for k in ObservationKind::all() {
        assert!(
            d.contains(&format!("| `{}` |", k.as_str())),
            "observation kind {k}"
        );
    }
    for k in EventDetail::KINDS {
        assert!(d.contains(&format!("| `{k}` |")), "event kind {k}");
        for f in event_fields(k).unwrap() {
            assert!(d.contains(&format!("`{}`", f.name)), "{k}.{}", f.name);
        }
    }
    for c in graftwatch_course::io_csv::COLUMNS {
        assert!(d.contains(c), "CSV column {c}");
    }
}

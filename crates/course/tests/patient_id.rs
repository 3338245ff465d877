//! Patient ids that print like another id or break a list line are
//! refused, in JSON and CSV alike (one rule, `validate::patient_id_problem`):
//! empty, blank, with a control character, with leading or trailing
//! whitespace, or with a no-break space.

use std::path::Path;

use graftwatch_course::{CourseError, Severity, read_course, write_course};

fn seed() -> graftwatch_course::Course {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    read_course(&p).unwrap().course
}

/// A scratch directory removed at the end.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let p = std::env::temp_dir().join(format!("gw-patient-id-{}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn bad_patient_ids_are_refused_in_json_and_csv() {
    let dir = Scratch::new();
    let cases = [
        ("", "", "not empty or blank"),
        ("   ", "   ", "not empty or blank"),
        ("PAT-7\nX", "PAT-7\\nX", "without control characters"),
        ("PAT\t7", "PAT\\t7", "without control characters"),
        ("PAT-7 ", "PAT-7 ", "without leading or trailing spaces"),
        (" PAT-7", " PAT-7", "without leading or trailing spaces"),
        ("PAT\u{a0}7", "PAT\\u{a0}7", "plain spaces"),
    ];
    for (i, (id, shown, expected)) in cases.into_iter().enumerate() {
        let mut c = seed();
        c.patient.id.0 = id.into();
        for ext in ["json", "csv"] {
            let f = dir.path().join(format!("c{i}.{ext}"));
            write_course(&f, &c).unwrap();
            let read = read_course(&f);
            if ext == "csv"
                && id.trim() != id
                && let Ok(lc) = &read
            {
                // CSV cells are trimmed: the id is read without the spaces.
                assert_eq!(lc.course.patient.id.0, id.trim());
                continue;
            }
            let e = read.expect_err(&format!("{id:?} in {ext}"));
            let CourseError::Invalid(d) = &e else {
                panic!("{id:?} {ext}: {e}")
            };
            if id.trim().is_empty() && ext == "csv" {
                // The CSV reader already asks for an id in the patient column.
                assert!(e.to_string().contains("patient"), "{e}");
                continue;
            }
            let d = d
                .iter()
                .find(|d| d.field.as_deref() == Some("patient.id"))
                .unwrap_or_else(|| panic!("{id:?} {ext}: {e}"));
            assert_eq!(d.severity, Severity::Error);
            assert_eq!(d.value.as_deref(), Some(shown), "{ext}");
            assert!(d.expected.contains(expected), "{ext}: {d}");
            let text = d.to_string();
            assert!(text.contains(&format!("c{i}.{ext}")), "{text}");
            assert!(!text.contains('\n'), "one line: {text}");
        }
    }
    // Ordinary ids, also with an inner plain space, are accepted.
    for id in ["SEED-AML-01", "PAT 7"] {
        let mut c = seed();
        c.patient.id.0 = id.into();
        let f = dir.path().join("ok.json");
        write_course(&f, &c).unwrap();
        assert_eq!(read_course(&f).unwrap().course.patient.id.0, id);
    }
}

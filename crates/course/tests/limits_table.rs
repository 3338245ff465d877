//! The one table of physiological limits (`graftwatch_core::limits`) is the
//! one the course validation uses: every numeric kind has a row, every row
//! is a kind, and values on each side of a bound are an error, a warning or
//! accepted as the table says.

use std::path::Path;

use graftwatch_core::limits::{OBSERVATION_LIMITS, observation_limit};
use graftwatch_course::io::read_json_str;
use graftwatch_course::observation::ValueSpec;
use graftwatch_course::{ObservationKind, Severity};

#[test]
fn every_numeric_kind_has_one_row_and_every_row_is_a_kind() {
    for k in ObservationKind::all() {
        if matches!(k.spec(), ValueSpec::Number { .. } | ValueSpec::Score { .. }) {
            assert!(
                observation_limit(k.as_str()).is_some(),
                "observation kind {} has no row in graftwatch_core::limits::OBSERVATION_LIMITS",
                k.as_str()
            );
        }
    }
    for l in OBSERVATION_LIMITS {
        let k = ObservationKind::parse(l.kind).unwrap_or_else(|| panic!("{} is no kind", l.kind));
        assert_eq!(k.as_str(), l.kind);
        match k.spec() {
            ValueSpec::Number {
                canonical,
                min,
                max,
                warn_above,
                ..
            } => {
                assert_eq!(canonical, l.unit, "{}", l.kind);
                assert_eq!((min, max, warn_above), (l.min, l.max, l.warn_above));
            }
            ValueSpec::Score { min, max } => {
                assert_eq!(
                    (f64::from(min), f64::from(max)),
                    (l.min, l.max),
                    "{}",
                    l.kind
                );
            }
            other => panic!("{}: limits for a {other:?} kind", l.kind),
        }
    }
}

fn seed() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The severity of the worst diagnostic on the first `kind` observation
/// after setting its value (None: accepted without a word).
fn judge(kind: &str, value: f64, unit: &str) -> Option<Severity> {
    let mut v = seed();
    let obs = v["observations"].as_array_mut().unwrap();
    let i = obs.iter().position(|o| o["kind"] == kind).unwrap();
    obs[i]["value"] = serde_json::json!(value);
    obs[i]["unit"] = serde_json::json!(unit);
    let path = format!("$.observations[{i}].value");
    let text = serde_json::to_string(&v).unwrap();
    let diags = match read_json_str(&text, Path::new("t.json")) {
        Ok(lc) => lc.warnings,
        Err(e) => e.diagnostics().to_vec(),
    };
    diags
        .into_iter()
        .filter(|d| d.to_string().contains(&path))
        .map(|d| d.severity)
        .max()
}

#[test]
fn validation_follows_the_table_on_both_sides_of_each_bound() {
    let hb = observation_limit("hemoglobin").unwrap();
    assert_eq!(judge("hemoglobin", hb.warn_above, "g/dL"), None);
    assert_eq!(
        judge("hemoglobin", hb.warn_above + 0.1, "g/dL"),
        Some(Severity::Warning)
    );
    assert_eq!(judge("hemoglobin", hb.max, "g/dL"), Some(Severity::Warning));
    assert_eq!(
        judge("hemoglobin", hb.max + 0.1, "g/dL"),
        Some(Severity::Error)
    );
    // Compared after conversion: 300 g/L = 30 g/dL (implausible, possible).
    assert_eq!(judge("hemoglobin", 300.0, "g/L"), Some(Severity::Warning));
    assert_eq!(judge("hemoglobin", 1e10, "g/dL"), Some(Severity::Error));
    let anc = observation_limit("anc").unwrap();
    assert_eq!(judge("anc", anc.max, "10^9/L"), Some(Severity::Warning));
    assert_eq!(
        judge("anc", anc.max * 1.001, "10^9/L"),
        Some(Severity::Error)
    );
    assert_eq!(judge("anc", 1e300, "10^9/L"), Some(Severity::Error));
    assert_eq!(judge("anc", -0.1, "10^9/L"), Some(Severity::Error));
    assert_eq!(judge("anc", 0.0, "10^9/L"), None);
    let t = observation_limit("temperature").unwrap();
    assert_eq!(judge("temperature", t.max, "Cel"), Some(Severity::Warning));
    assert_eq!(
        judge("temperature", t.max + 0.1, "Cel"),
        Some(Severity::Error)
    );
    assert_eq!(
        judge("temperature", t.min - 0.1, "Cel"),
        Some(Severity::Error)
    );
    assert_eq!(judge("temperature", 38.5, "Cel"), None);
}

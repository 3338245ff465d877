//! The grading engine's short texts in clinical words for the bedside
//! preview: a lower-bound grade (`>=II`, the engine's "at least II" when an
//! organ is not recorded) reads "at least grade II", `>=0` reads "not yet
//! gradable", and the engine's evidence and course-file names
//! (`skin_erythema_bsa`, `stool_episode_equivalent`) read as words.

/// Evidence names that are not observation kinds, with their clinical
/// words. Observation kinds take their label from the one table in
/// `graftwatch_course` (`kind_label`); any other `snake_case` name is shown
/// with spaces.
const NAMES: &[(&str, &str)] = &[
    ("skin_erythema_bsa", "rash BSA"),
    ("upper_gi_symptom_days", "days with upper GI symptoms"),
    (
        "stool_episode_equivalent",
        "stool output (episodes as volume)",
    ),
    ("grossly_bloody_stool", "grossly bloody stool"),
    ("severe_abdominal_pain", "severe abdominal pain"),
    ("finding_other_cause", "finding with another cause"),
    ("oxygen_support", "oxygen support"),
];

/// A grade label in words: `II` → "grade II", `>=II` or the engine's
/// `at least II` → "at least grade II", `>=0` / `at least 0` → "not yet
/// gradable".
pub fn grade_words(g: &str) -> String {
    let g = g.trim();
    match g.strip_prefix(">=").or_else(|| g.strip_prefix("at least ")) {
        Some("0") => "not yet gradable".into(),
        Some(x) => format!("at least grade {}", x.trim()),
        None => format!("grade {g}"),
    }
}

fn name_words(token: &str) -> String {
    if let Some(label) = graftwatch_course::kind_label(token) {
        return label.to_string();
    }
    match NAMES.iter().find(|(n, _)| *n == token) {
        Some((_, w)) => (*w).to_string(),
        None => token
            .split('_')
            .map(|w| match w {
                "bsa" => "BSA",
                "gi" => "GI",
                "anc" => "ANC",
                other => other,
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Engine text in clinical words (lower bounds and names, see the module).
pub fn clinical_text(text: &str) -> String {
    let text = text
        .replace("grade at least 0", "not yet gradable")
        .replace("grade at least ", "at least grade ")
        .replace("grade >=0", "not yet gradable")
        .replace("grade >=", "at least grade ")
        .replace(">=0", "not yet gradable")
        .replace(">=", "at least ");
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.contains('_') && !token.starts_with('_') && !token.ends_with('_') {
            out.push_str(&name_words(token));
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds_and_names_read_as_words() {
        assert_eq!(grade_words(">=II"), "at least grade II");
        assert_eq!(grade_words(">=0"), "not yet gradable");
        assert_eq!(grade_words("III"), "grade III");
        assert_eq!(grade_words("at least II"), "at least grade II");
        assert_eq!(grade_words("at least 0"), "not yet gradable");
        assert_eq!(
            clinical_text("day +40: grade at least II from the assessed organs"),
            "day +40: at least grade II from the assessed organs"
        );
        assert_eq!(clinical_text("stool_volume 900"), "stool volume 900");
        for (name, _) in NAMES {
            assert!(
                graftwatch_course::kind_label(name).is_none(),
                "{name} is an observation kind: its label belongs in the course's kind table"
            );
        }
        let t = clinical_text(
            "MAGIC grade >=II: skin stage 3 (skin_erythema_bsa 60 % on 2025-05-25); liver not staged (not assessed)",
        );
        assert_eq!(
            t,
            "MAGIC at least grade II: skin stage 3 (rash BSA 60 % on 2025-05-25); liver not staged (not assessed)"
        );
        assert_eq!(
            clinical_text("MAGIC grade >=0: no organ involved"),
            "MAGIC not yet gradable: no organ involved"
        );
        assert_eq!(
            clinical_text("no new_kind_here recorded"),
            "no new kind here recorded"
        );
        assert!(!clinical_text("stool_episode_equivalent 3").contains('_'));
    }
}

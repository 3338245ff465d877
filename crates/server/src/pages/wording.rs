//! The grading engine's short texts in clinical words for the bedside
//! preview: a lower-bound grade (`>=II`, the engine's "at least II" when an
//! organ is not recorded) reads "at least grade II", `>=0` reads "not yet
//! gradable", and the engine's evidence and course-file names
//! (`skin_erythema_bsa`, `stool_episode_equivalent`) read as words.

/// Evidence and course-file names with their clinical words; any other
/// `snake_case` name is shown with spaces.
const NAMES: &[(&str, &str)] = &[
    ("skin_erythema_bsa", "rash BSA"),
    ("skin_rash_bsa", "rash BSA"),
    ("skin_desquamation_bsa", "bullae / desquamation BSA"),
    ("upper_gi_symptom_days", "days with upper GI symptoms"),
    ("stool_volume", "stool volume"),
    ("stool_episodes", "diarrhoea episodes"),
    (
        "stool_episode_equivalent",
        "stool output (episodes as volume)",
    ),
    ("grossly_bloody_stool", "grossly bloody stool"),
    ("stool_bloody", "grossly bloody stool"),
    ("severe_abdominal_pain", "severe abdominal pain"),
    ("abdominal_pain_severe", "severe abdominal pain"),
    ("finding_other_cause", "finding with another cause"),
    ("agvhd_no_findings", "organ assessed without findings"),
    ("anorexia_with_weight_loss", "anorexia with weight loss"),
    ("vomiting_episodes", "vomiting episodes"),
    ("ice_score", "ICE score"),
    ("systolic_bp", "systolic blood pressure"),
    ("fluid_bolus", "fluid bolus"),
    ("oxygen_support", "oxygen support"),
];

/// A grade label in words: `II` → "grade II", `>=II` → "at least grade
/// II", `>=0` → "not yet gradable".
pub fn grade_words(g: &str) -> String {
    match g.trim().strip_prefix(">=") {
        Some("0") => "not yet gradable".into(),
        Some(x) => format!("at least grade {}", x.trim()),
        None => format!("grade {g}"),
    }
}

fn name_words(token: &str) -> String {
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

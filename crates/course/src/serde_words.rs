//! serde's messages in the words of the course format: a person reading
//! "expected struct Observation" or "expected u32" learns a Rust type name,
//! not what to write. Every course reader's type error goes through
//! [`plain_words`] (issue 15: no library internals in messages).

/// What a serde "expected …" names, in the course format's words.
fn expected_words(rust: &str) -> String {
    let rust = rust.trim();
    if let Some(name) = rust.strip_prefix("struct ") {
        return match name.trim() {
            "Course" | "RawCourse" => {
                "a course document: a JSON object with format, patient, events and observations"
                    .into()
            }
            "Observation" => "an observation: a JSON object with date, kind and value".into(),
            "Patient" => "the patient: a JSON object (sex, birth year, diagnosis, …)".into(),
            "Donor" => "a donor: a JSON object with its source and person".into(),
            "Event" => "an event: a JSON object with date and kind".into(),
            _ => "a JSON object".into(),
        };
    }
    if rust.starts_with("enum ") {
        return "one of the accepted words (a string, see docs/course-format.md)".into();
    }
    if rust.starts_with("tuple") || rust.starts_with("a sequence") {
        return "a list [ … ]".into();
    }
    match rust {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            format!("a whole number from 0 to {}", unsigned_max(rust))
        }
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a map" => "a JSON object { … }".into(),
        "a string" | "string" => "a string in quotes".into(),
        other => other.to_string(),
    }
}

fn unsigned_max(t: &str) -> String {
    match t {
        "u8" => u8::MAX.to_string(),
        "u16" => u16::MAX.to_string(),
        "u32" => u32::MAX.to_string(),
        _ => u64::MAX.to_string(),
    }
}

/// `boolean `true`` → `true`, `integer `-1`` → `-1`, `null` → `null`,
/// `string "x"` → `"x"`, `map` → `an object`, `sequence` → `a list`.
fn found_words(found: &str) -> String {
    let found = found.trim();
    if let (Some(a), Some(b)) = (found.find('`'), found.rfind('`'))
        && b > a
    {
        return found[a + 1..b].to_string();
    }
    if let Some(s) = found.strip_prefix("string ") {
        return s.to_string();
    }
    match found {
        "map" => "an object { … }".into(),
        "sequence" => "a list [ … ]".into(),
        "unit value" => "null".into(),
        other => other.to_string(),
    }
}

/// What a JSON text that ends too early leaves open, in words: `None` when
/// the text holds nothing but white space (an empty file) or closes every
/// object and list it opens; otherwise "a complete JSON document; the file
/// ends inside the document (unclosed object from line 1, list from line 3,
/// object from line 220): was it cut short?", outermost first.
pub fn unclosed_words(text: &str) -> Option<String> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let (mut line, mut in_string, mut escaped) = (1usize, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => open.push(("object", line)),
            '[' => open.push(("list", line)),
            '}' | ']' => {
                open.pop();
            }
            _ => {}
        }
    }
    let mut parts: Vec<String> = open
        .iter()
        .map(|(what, l)| format!("{what} from line {l}"))
        .collect();
    if in_string {
        parts.push("a string".into());
    }
    if parts.is_empty() {
        return None;
    }
    // A long nesting reads as its outermost two and its innermost levels.
    if parts.len() > 4 {
        let n = parts.len();
        parts.drain(2..n - 2);
        parts.insert(2, "…".into());
    }
    Some(format!(
        "a complete JSON document; the file ends inside the document (unclosed {}): was it cut short?",
        parts.join(", ")
    ))
}

/// A serde message in plain words, without serde's " at line L column C"
/// (the location is reported separately) and without Rust type names:
/// `invalid type: boolean `true`, expected struct Observation` becomes
/// `expected an observation: a JSON object with date, kind and value; found true`.
pub fn plain_words(message: &str) -> String {
    let m = without_location(message);
    // serde_json's "EOF while parsing a value / an object / a list / a
    // string": the text ended before the document did.
    if let Some(what) = m.strip_prefix("EOF while parsing ") {
        return match what {
            "a value" => "a JSON document; the file is empty or ends before one starts".into(),
            other => format!("a complete JSON document; the file ends inside {other} (cut short?)"),
        };
    }
    if let Some(words) = word_error(m) {
        return words;
    }
    if let Some((found, expected)) = type_error(m) {
        let found = found_words(found);
        let expected = expected_words(expected);
        return format!("expected {expected}; found {found}");
    }
    if let Some(rest) = m.strip_prefix("invalid length ")
        && let Some(i) = rest.find(", expected ")
    {
        let expected = expected_words(&rest[i + ", expected ".len()..]);
        return format!("expected {expected}; found {} items", &rest[..i]);
    }
    // Any other "expected <rust type>" at the end of a message.
    if let Some(i) = m.rfind("expected ") {
        let tail = &m[i + "expected ".len()..];
        let words = expected_words(tail);
        if words != tail {
            return format!("{}expected {words}", &m[..i]);
        }
    }
    m.to_string()
}

/// serde's "unknown variant", "unknown field" and "missing field" messages
/// in plain words: `unknown variant `x`, expected one of `a`, `b`` becomes
/// `'x' is not an accepted value; expected one of: a, b`.
fn word_error(m: &str) -> Option<String> {
    let unquote = |s: &str| s.replace('`', "");
    let split = |rest: &str| -> Option<(String, String)> {
        let (found, expected) = rest.split_once(", expected ")?;
        let expected = expected
            .strip_prefix("one of ")
            .map(|e| format!("one of: {}", unquote(e)))
            .unwrap_or_else(|| unquote(expected));
        Some((unquote(found), expected))
    };
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        let (found, expected) = split(rest)?;
        return Some(format!(
            "'{found}' is not an accepted value; expected {expected}"
        ));
    }
    if let Some(rest) = m.strip_prefix("unknown field ") {
        let (found, expected) = split(rest)?;
        return Some(format!("unknown field '{found}'; expected {expected}"));
    }
    if let Some(name) = m.strip_prefix("duplicate field ") {
        return Some(format!(
            "each key once; the key '{}' is written twice in this object",
            unquote(name)
        ));
    }
    let name = m.strip_prefix("missing field ")?;
    Some(format!("the required field '{}' is missing", unquote(name)))
}

/// The word an "unknown variant" or "unknown field" message names
/// (`unknown variant `rocket`, expected …` → `rocket`): the value or key
/// to look for when serde could not say which field held it.
pub fn unknown_word(message: &str) -> Option<(UnknownKind, String)> {
    let m = without_location(message);
    let (kind, rest) = if let Some(r) = m.strip_prefix("unknown variant ") {
        (UnknownKind::Value, r)
    } else {
        (UnknownKind::Field, m.strip_prefix("unknown field ")?)
    };
    let word = rest.split_once(", expected ").map_or(rest, |(w, _)| w);
    Some((kind, word.replace('`', "")))
}

/// What [`unknown_word`] found: a value no field accepts, or a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownKind {
    /// A value (an unknown variant of an enumerated field).
    Value,
    /// A key (an unknown field).
    Field,
}

/// The value a type error quotes (`found …`), for the diagnostic's value.
pub fn found_value(message: &str) -> Option<String> {
    type_error(without_location(message)).map(|(found, _)| found_words(found))
}

/// The message without serde's " at line L column C".
fn without_location(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// The found and expected parts of an `invalid type: …, expected …` or
/// `invalid value: …, expected …` message.
fn type_error(m: &str) -> Option<(&str, &str)> {
    ["invalid type: ", "invalid value: "]
        .into_iter()
        .find_map(|prefix| {
            let rest = m.strip_prefix(prefix)?;
            let i = rest.rfind(", expected ")?;
            Some((&rest[..i], &rest[i + ", expected ".len()..]))
        })
}

#[cfg(test)]
mod tests {

    #[test]
    fn end_of_file_in_words() {
        assert_eq!(
            plain_words("EOF while parsing a value at line 1 column 0"),
            "a JSON document; the file is empty or ends before one starts"
        );
        assert!(
            plain_words("EOF while parsing an object")
                .contains("ends inside an object (cut short?)")
        );
    }

    use super::*;

    #[test]
    fn a_cut_document_names_what_is_left_open() {
        let text = "{\n \"events\": [\n  {\"date\": \"2024-\n";
        assert_eq!(
            unclosed_words(text).unwrap(),
            "a complete JSON document; the file ends inside the document (unclosed object from line 1, list from line 2, object from line 3, a string): was it cut short?"
        );
        let text = "{\"a\": [1, 2,\n";
        assert!(
            unclosed_words(text)
                .unwrap()
                .contains("(unclosed object from line 1, list from line 1)")
        );
        assert_eq!(unclosed_words("  \n"), None);
        assert_eq!(unclosed_words("{\"a\": \"}\"}"), None);
    }

    /// The Rust type names serde prints, none of which may reach a person.
    const INTERNALS: &[&str] = &[
        "struct", "enum ", "u8", "u16", "u32", "u64", "i32", "i64", "f64", "usize",
    ];

    #[test]
    fn type_errors_in_plain_words() {
        for (serde, plain) in [
            (
                "invalid type: boolean `true`, expected struct Observation at line 1 column 9",
                "expected an observation: a JSON object with date, kind and value; found true",
            ),
            (
                "invalid type: null, expected struct Course",
                "expected a course document: a JSON object with format, patient, events and observations; found null",
            ),
            (
                "invalid value: integer `-1`, expected u32",
                "expected a whole number from 0 to 4294967295; found -1",
            ),
            (
                "invalid type: string \"abc\", expected f64",
                "expected a number; found \"abc\"",
            ),
            (
                "invalid type: map, expected a sequence",
                "expected a list [ … ]; found an object { … }",
            ),
            (
                "invalid type: integer `3`, expected enum Sex",
                "expected one of the accepted words (a string, see docs/course-format.md); found 3",
            ),
            (
                "invalid type: floating point `1.5`, expected i32",
                "expected a whole number; found 1.5",
            ),
        ] {
            let got = plain_words(serde);
            assert_eq!(got, plain, "{serde}");
            for i in INTERNALS {
                assert!(!got.contains(i), "{got} contains {i}");
            }
        }
    }

    #[test]
    fn field_and_value_words_without_serde_quoting() {
        assert_eq!(
            plain_words("missing field `patient` at line 3 column 1"),
            "the required field 'patient' is missing"
        );
        assert_eq!(
            plain_words("duplicate field `value` at line 649 column 20"),
            "each key once; the key 'value' is written twice in this object"
        );
        assert_eq!(
            plain_words("unknown variant `x`, expected one of `a`, `b`"),
            "'x' is not an accepted value; expected one of: a, b"
        );
        assert_eq!(
            plain_words("unknown variant `x`, expected `a` or `b`"),
            "'x' is not an accepted value; expected a or b"
        );
        assert_eq!(
            plain_words("unknown field `unit`, expected one of `date`, `kind`"),
            "unknown field 'unit'; expected one of: date, kind"
        );
        assert_eq!(plain_words("trailing characters"), "trailing characters");
        assert_eq!(
            found_value("invalid value: integer `-1`, expected u32"),
            Some("-1".into())
        );
        assert_eq!(found_value("missing field `x`"), None);
    }
}

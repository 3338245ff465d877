//! The `detail` column of the long CSV: `key=value;key=value`.
//!
//! Grammar: entries separated by `;`; each entry is `key=value`; a value may
//! have parts separated by `|` (only `agent=name|dose|unit` uses them).
//! A backslash makes the next character literal (`\;`, `\=`, `\|`, `\\`,
//! and `\ ` for a space that must not be trimmed). Unescaped whitespace
//! around keys, values and parts is ignored. Keys may repeat only where the
//! field is a list (`agent`).

use std::fmt::Write as _;

/// One `key=value` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailEntry {
    /// Key.
    pub key: String,
    /// Value parts (one unless `|` was used).
    pub parts: Vec<String>,
}

impl DetailEntry {
    /// The value as one string (parts joined by `|`).
    pub fn value(&self) -> String {
        self.parts.join("|")
    }
}

/// A malformed `detail` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailError {
    /// An entry has no `=`.
    #[error("entry '{0}' is not of the form key=value")]
    NoEquals(String),
    /// An entry has an empty key.
    #[error("entry '{0}' has an empty key")]
    EmptyKey(String),
    /// The text ends with a lone backslash.
    #[error("the text ends with a lone backslash (escape it as \\\\)")]
    TrailingBackslash,
}

/// A character with whether it was escaped.
type Ch = (char, bool);

fn trim(v: &[Ch]) -> String {
    let start = v
        .iter()
        .position(|(c, esc)| *esc || !c.is_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|(c, esc)| *esc || !c.is_whitespace())
        .map_or(start, |e| e + 1);
    v[start..end.max(start)].iter().map(|(c, _)| *c).collect()
}

/// Parses a `detail` cell. An empty or all-blank cell gives no entries.
pub fn parse_detail(text: &str) -> Result<Vec<DetailEntry>, DetailError> {
    let mut chars: Vec<Ch> = Vec::with_capacity(text.len());
    let mut it = text.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some(n) => chars.push((n, true)),
                None => return Err(DetailError::TrailingBackslash),
            }
        } else {
            chars.push((c, false));
        }
    }
    let mut out = Vec::new();
    for entry in chars.split(|(c, esc)| *c == ';' && !esc) {
        let raw: String = entry.iter().map(|(c, _)| *c).collect();
        if raw.trim().is_empty() && entry.iter().all(|(_, e)| !e) {
            continue;
        }
        let eq = entry
            .iter()
            .position(|(c, esc)| *c == '=' && !esc)
            .ok_or_else(|| DetailError::NoEquals(raw.trim().to_string()))?;
        let key = trim(&entry[..eq]);
        if key.is_empty() {
            return Err(DetailError::EmptyKey(raw.trim().to_string()));
        }
        let parts = entry[eq + 1..]
            .split(|(c, esc)| *c == '|' && !esc)
            .map(trim)
            .collect();
        out.push(DetailEntry { key, parts });
    }
    Ok(out)
}

/// Escapes a value (or part) for the `detail` column so that
/// [`parse_detail`] gives it back unchanged.
pub fn escape(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        match c {
            '\\' | ';' | '=' | '|' => {
                s.push('\\');
                s.push(c);
            }
            c if c.is_whitespace() && (i == 0 || i + 1 == n) => {
                s.push('\\');
                s.push(c);
            }
            c => s.push(c),
        }
    }
    s
}

/// Writes entries as a `detail` cell.
pub fn write_detail(entries: &[DetailEntry]) -> String {
    let mut s = String::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        let _ = write!(s, "{}=", escape(&e.key));
        for (j, p) in e.parts.iter().enumerate() {
            if j > 0 {
                s.push('|');
            }
            s.push_str(&escape(p));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(k: &str, p: &[&str]) -> DetailEntry {
        DetailEntry {
            key: k.into(),
            parts: p.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn parses_entries_parts_and_escapes() {
        let d =
            parse_detail(" type = translocation ; chromosome=9\\;11;agent=flu|30|mg/m2 ").unwrap();
        assert_eq!(
            d,
            vec![
                e("type", &["translocation"]),
                e("chromosome", &["9;11"]),
                e("agent", &["flu", "30", "mg/m2"])
            ]
        );
        assert!(parse_detail("").unwrap().is_empty());
        assert!(parse_detail(" ; ").unwrap().is_empty());
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_detail("donor"),
            Err(DetailError::NoEquals("donor".into()))
        );
        assert!(matches!(parse_detail("=x"), Err(DetailError::EmptyKey(_))));
        assert_eq!(parse_detail("a=b\\"), Err(DetailError::TrailingBackslash));
    }

    #[test]
    fn escape_round_trips() {
        for v in [" lead", "trail ", "a;b=c|d\\e", "", "plain text", "\t"] {
            let d = write_detail(&[e("k", &[v, v])]);
            assert_eq!(parse_detail(&d).unwrap(), vec![e("k", &[v, v])], "{d}");
        }
    }
}

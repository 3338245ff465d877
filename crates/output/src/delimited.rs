//! Fields of delimited text (CSV, RFC 4180, and TSV), written the same way
//! by every command, and the conversion between the two so that every table
//! a command writes is available in both.

use std::borrow::Cow;

/// A CSV field: quoted (with `"` doubled) when it holds a comma, a quote,
/// a carriage return or a line feed (RFC 4180 §2.6–2.7); else as is.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

/// A free-text CSV field (a name, a file, a reason) that a spreadsheet will
/// not run as a formula: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return gets an apostrophe first (OWASP, "CSV injection"), then
/// [`csv_field`]. Not for numbers: `-1` stays a number only through
/// [`csv_field`].
pub fn csv_text(s: &str) -> String {
    csv_field(&formula_safe(s)).into_owned()
}

/// `s` with an apostrophe first when it starts with `=`, `+`, `-`, `@`,
/// tab or carriage return, so that a spreadsheet shows it as text instead
/// of running it (for writers that quote fields themselves).
pub fn formula_safe(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A TSV field: tabs, carriage returns and line feeds become spaces.
pub fn tsv_field(s: &str) -> Cow<'_, str> {
    if s.contains(['\t', '\n', '\r']) {
        Cow::Owned(s.replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    }
}

/// The rows of CSV text as written by [`csv_field`] (quoted fields may hold
/// commas, doubled quotes and line breaks).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// CSV text (as written by [`csv_field`]) as TSV, one line per row.
pub fn csv_to_tsv(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for row in csv_rows(text) {
        let fields: Vec<Cow<'_, str>> = row.iter().map(|f| tsv_field(f)).collect();
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

/// TSV text as CSV, each field through [`csv_field`].
pub fn tsv_to_csv(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.lines() {
        let fields: Vec<Cow<'_, str>> = line.split('\t').map(csv_field).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("R-pre"), "R-pre");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("-R1"), "'-R1");
        assert_eq!(csv_text("R1"), "R1");
        assert_eq!(tsv_field("a\tb\nc"), "a b c");
    }

    #[test]
    fn csv_and_tsv_convert_both_ways() {
        let csv =
            "sample,reason,percent\nS1,\"low, template\",1.5\n\"S \"\"2\"\"\",\"two\nlines\",\r\n";
        let tsv = csv_to_tsv(csv);
        assert_eq!(
            tsv,
            "sample\treason\tpercent\nS1\tlow, template\t1.5\nS \"2\"\ttwo lines\t\n"
        );
        assert_eq!(
            tsv_to_csv(&tsv),
            "sample,reason,percent\nS1,\"low, template\",1.5\n\"S \"\"2\"\"\",two lines,\n"
        );
        assert_eq!(csv_to_tsv("a,b"), "a\tb\n");
        assert_eq!(csv_to_tsv(""), "");
    }
}

//! Raw input shown in a message: what a file held where a reader expected
//! something else, readable on a terminal whatever the bytes were.
//! Printable text is kept; control characters, and bytes that are not
//! UTF-8, are written as escapes (`\n`, `\t`, `\x07`, `\xff`); long input
//! is clipped. Rust's debug form (`"#\u{15}\u{5}…"`) is not a user's.

/// At most `max_chars` characters of `bytes` in single quotes, escaped as
/// the module says, with "…" when clipped.
pub fn shown_bytes(bytes: &[u8], max_chars: usize) -> String {
    let mut out = String::from("'");
    let mut shown = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if shown == max_chars {
                out.push_str("…'");
                return out;
            }
            push_char(&mut out, c);
            shown += 1;
        }
        for b in chunk.invalid() {
            if shown == max_chars {
                out.push_str("…'");
                return out;
            }
            out.push_str(&format!("\\x{b:02x}"));
            shown += 1;
        }
    }
    out.push('\'');
    out
}

/// `text` with its control characters escaped as [`shown_bytes`] writes
/// them (`\x00`, `\n`), unquoted and unclipped: a name that must print
/// on one line as it is.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_char(&mut out, c);
    }
    out
}

/// One character as [`shown_bytes`] writes it.
fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_and_the_rest_escaped_and_clipped() {
        assert_eq!(shown_bytes(b"read1/1", 40), "'read1/1'");
        assert_eq!(shown_bytes(b"#\xff\x15\x05[", 40), "'#\\xff\\x15\\x05['");
        assert_eq!(shown_bytes("µg\tx\n".as_bytes(), 40), "'µg\\tx\\n'");
        assert_eq!(shown_bytes(b"abcdef", 3), "'abc…'");
        assert_eq!(shown_bytes(b"\xff\xfe\xfd", 2), "'\\xff\\xfe…'");
        assert_eq!(shown_bytes(b"", 5), "''");
        assert_eq!(escaped("EX\0MIN\t"), "EX\\x00MIN\\t");
    }
}

//! Text layer of peak-table exports: character encoding (UTF-8 with or
//! without BOM, UTF-16 LE/BE with or without BOM, as Windows analysis
//! software writes them), field delimiter (tab, comma or semicolon, sniffed
//! from the header) and quote-aware field splitting.

use serde::Serialize;

/// Character encoding of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 (or plain ASCII) without byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian.
    Utf16Le,
    /// UTF-16 big-endian.
    Utf16Be,
}

/// Field delimiter of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    /// Tab (GeneMapper, GeneMarker, OSIRIS default).
    Tab,
    /// Comma (CSV).
    Comma,
    /// Semicolon (CSV written with a decimal-comma locale).
    Semicolon,
}

impl Delimiter {
    /// The delimiter character.
    pub fn char(self) -> char {
        match self {
            Delimiter::Tab => '\t',
            Delimiter::Comma => ',',
            Delimiter::Semicolon => ';',
        }
    }
    /// `tab`, `comma` or `semicolon`.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Tab => "tab",
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
        }
    }
}

/// Why the bytes are not text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the first bad byte.
    pub offset: usize,
    /// 1-based line of the first bad byte.
    pub line: usize,
    /// What was found.
    pub what: String,
}

/// Decodes an export: BOMs are honoured; UTF-16 without a BOM is recognised
/// by its zero bytes. Invalid UTF-8 or UTF-16 is an error naming the line.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, TextEncoding::Utf8Bom);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    // UTF-16 without BOM: ASCII text has a zero in every other byte.
    let head = &bytes[..bytes.len().min(512) & !1];
    if head.len() >= 4 {
        let zeros_odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let zeros_even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let half = head.len() / 2;
        if zeros_odd * 10 >= half * 9 && zeros_even == 0 {
            return utf16(bytes, false);
        }
        if zeros_even * 10 >= half * 9 && zeros_odd == 0 {
            return utf16(bytes, true);
        }
    }
    utf8(bytes, TextEncoding::Utf8)
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

fn utf8(bytes: &[u8], enc: TextEncoding) -> Result<(String, TextEncoding), DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), enc)),
        Err(e) => {
            let offset = e.valid_up_to();
            // A Latin-1 / Windows-1252 export (e.g. 'µ' or 'ä' in a sample
            // name) is decoded byte by byte when nothing else is wrong.
            if bytes.iter().all(|&b| b != 0) {
                let s: String = bytes.iter().map(|&b| char::from(b)).collect();
                return Ok((s, enc));
            }
            Err(DecodeError {
                offset,
                line: line_of(bytes, offset),
                what: format!(
                    "byte 0x{:02X} is not valid UTF-8, UTF-16 or Latin-1 text",
                    bytes[offset]
                ),
            })
        }
    }
}

fn utf16(bytes: &[u8], big_endian: bool) -> Result<(String, TextEncoding), DecodeError> {
    let enc = if big_endian {
        TextEncoding::Utf16Be
    } else {
        TextEncoding::Utf16Le
    };
    if bytes.len() % 2 == 1 {
        return Err(DecodeError {
            offset: bytes.len() - 1,
            line: 0,
            what: "an odd number of bytes in a UTF-16 file (truncated?)".into(),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut line = 1;
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                if c == '\0' {
                    return Err(DecodeError {
                        offset: i * 2,
                        line,
                        what: "a NUL character in UTF-16 text".into(),
                    });
                }
                out.push(c);
            }
            Err(_) => {
                return Err(DecodeError {
                    offset: i * 2,
                    line,
                    what: "an unpaired UTF-16 surrogate".into(),
                });
            }
        }
    }
    Ok((out, enc))
}

/// Picks the delimiter that splits the header into the most fields (tab
/// wins ties, then comma).
pub fn sniff_delimiter(header: &str) -> Delimiter {
    let count = |d: Delimiter| split_fields(header, d).len();
    let mut best = Delimiter::Tab;
    for d in [Delimiter::Comma, Delimiter::Semicolon] {
        if count(d) > count(best) {
            best = d;
        }
    }
    best
}

/// Splits one line into fields; double quotes protect delimiters and `""`
/// is a literal quote. Fields are trimmed of spaces and quotes.
pub fn split_fields(line: &str, delim: Delimiter) -> Vec<String> {
    let d = delim.char();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == d && !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// True for a cell that means "no value": empty, `NA`, `N/A`, `NaN`, `-`,
/// `null`.
pub fn is_missing(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty()
        || t == "-"
        || ["na", "n/a", "nan", "null", "none"]
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn encodings_are_recognised() {
        let t = "Sample Name\tMarker\nA\tFGA\n";
        assert_eq!(
            decode(t.as_bytes()).unwrap(),
            (t.into(), TextEncoding::Utf8)
        );
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(t.as_bytes());
        assert_eq!(decode(&b).unwrap().1, TextEncoding::Utf8Bom);
        assert_eq!(
            decode(&utf16le(t, true)).unwrap(),
            (t.into(), TextEncoding::Utf16Le)
        );
        assert_eq!(decode(&utf16le(t, false)).unwrap().1, TextEncoding::Utf16Le);
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(t.encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&be).unwrap(), (t.into(), TextEncoding::Utf16Be));
        let latin1 = b"Sample Name\tMarker\nJ\xF6rg\tFGA\n";
        assert!(decode(latin1).unwrap().0.contains("Jörg"));
    }

    #[test]
    fn binary_and_truncated_utf16_are_errors() {
        let e = decode(&[b'a', b'\n', 0x00, 0xFF, 0x10, 0x00, 0x00]).unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        let mut odd = utf16le("Sample\tMarker\n", true);
        odd.push(0x41);
        assert!(decode(&odd).unwrap_err().what.contains("odd number"));
    }

    #[test]
    fn delimiters_are_sniffed_and_quotes_respected() {
        assert_eq!(
            sniff_delimiter("Sample Name\tMarker\tAllele 1"),
            Delimiter::Tab
        );
        assert_eq!(
            sniff_delimiter("SampleName,Marker,Allele1"),
            Delimiter::Comma
        );
        assert_eq!(
            sniff_delimiter("SampleName;Marker;Allele1"),
            Delimiter::Semicolon
        );
        assert_eq!(
            split_fields("\"a,b\",c,\"d\"\"e\"", Delimiter::Comma),
            vec!["a,b", "c", "d\"e"]
        );
        assert!(is_missing(" NA ") && is_missing("") && !is_missing("0"));
    }
}

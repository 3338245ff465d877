//! Line numbers of JSON paths, by scanning the text once.
//!
//! serde reports a line for syntax errors but not for errors found after
//! parsing (unknown keys of flattened events, semantic checks), so this
//! scanner records, for every object member and array element, the 1-based
//! line where it starts. Paths are written `$.events[2].date`. The scanner
//! is tolerant: on malformed text it stops and keeps what it found.

use std::cell::OnceCell;
use std::collections::HashMap;

/// A [`JsonLines`] computed on first use: valid files never pay for the scan.
#[derive(Debug)]
pub struct LazyJsonLines<'a> {
    text: &'a str,
    cell: OnceCell<JsonLines>,
}

impl<'a> LazyJsonLines<'a> {
    /// Wraps the text; nothing is scanned yet.
    pub fn new(text: &'a str) -> LazyJsonLines<'a> {
        LazyJsonLines {
            text,
            cell: OnceCell::new(),
        }
    }

    /// The line of `path` (see [`JsonLines::line_of`]), scanning on first use.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.cell
            .get_or_init(|| JsonLines::scan(self.text))
            .line_of(path)
    }
}

/// Path → line map of a JSON text.
#[derive(Debug, Clone, Default)]
pub struct JsonLines {
    lines: HashMap<String, usize>,
}

impl JsonLines {
    /// Scans `text`.
    pub fn scan(text: &str) -> JsonLines {
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            line: 1,
            out: HashMap::new(),
        };
        s.ws();
        let mut path = String::from("$");
        s.out.insert(path.clone(), s.line);
        let _ = s.value(&mut path, 0);
        JsonLines { lines: s.out }
    }

    /// The line of `path`, or of its nearest ancestor that was found.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            let cut = p.rfind(['.', '['])?;
            if cut == 0 {
                return self.lines.get("$").copied();
            }
            p = &p[..cut];
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    line: usize,
    out: HashMap<String, usize>,
}

const MAX_DEPTH: usize = 256;

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        if c == b'\n' {
            self.line += 1;
        }
        self.i += 1;
        Some(c)
    }

    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.bump()? != b'"' {
            return None;
        }
        let start = self.i;
        loop {
            match self.bump()? {
                b'\\' => {
                    self.bump()?;
                }
                b'"' => break,
                _ => {}
            }
        }
        let raw = &self.b[start..self.i - 1];
        // Keys with escapes are rare; decode through serde_json when present.
        if raw.contains(&b'\\') {
            let quoted = &self.b[start - 1..self.i];
            serde_json::from_slice::<String>(quoted).ok()
        } else {
            Some(String::from_utf8_lossy(raw).into_owned())
        }
    }

    fn value(&mut self, path: &mut String, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => {
                self.bump();
                self.ws();
                if self.peek()? == b'}' {
                    self.bump();
                    return Some(());
                }
                loop {
                    self.ws();
                    let line = self.line;
                    let key = self.string()?;
                    let len = path.len();
                    path.push('.');
                    path.push_str(&key);
                    self.out.entry(path.clone()).or_insert(line);
                    self.ws();
                    if self.bump()? != b':' {
                        return None;
                    }
                    self.value(path, depth + 1)?;
                    path.truncate(len);
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.bump();
                self.ws();
                if self.peek()? == b']' {
                    self.bump();
                    return Some(());
                }
                let mut n = 0usize;
                loop {
                    self.ws();
                    let len = path.len();
                    path.push_str(&format!("[{n}]"));
                    self.out.entry(path.clone()).or_insert(self.line);
                    self.value(path, depth + 1)?;
                    path.truncate(len);
                    n += 1;
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            _ => {
                while let Some(c) = self.peek() {
                    if c == b',' || c == b'}' || c == b']' || c.is_ascii_whitespace() {
                        break;
                    }
                    self.bump();
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_members_and_elements() {
        let t = "{\n  \"a\": 1,\n  \"events\": [\n    {\"date\": \"x\"},\n    {\n      \"kind\": \"dli\"\n    }\n  ]\n}";
        let j = JsonLines::scan(t);
        assert_eq!(j.line_of("$.a"), Some(2));
        assert_eq!(j.line_of("$.events"), Some(3));
        assert_eq!(j.line_of("$.events[0].date"), Some(4));
        assert_eq!(j.line_of("$.events[1]"), Some(5));
        assert_eq!(j.line_of("$.events[1].kind"), Some(6));
        // Missing member: nearest ancestor.
        assert_eq!(j.line_of("$.events[1].donor"), Some(5));
        assert_eq!(j.line_of("$.nothing"), Some(1));
    }

    #[test]
    fn tolerates_garbage() {
        let j = JsonLines::scan("{\"a\": [1, 2,");
        assert_eq!(j.line_of("$.a[1]"), Some(1));
        let deep = "[".repeat(10_000);
        let _ = JsonLines::scan(&deep);
    }
}

//! Line numbers of JSON paths, by scanning the text once.
//!
//! serde reports a line for syntax errors but not for errors found after
//! parsing (unknown keys of flattened events, semantic checks), so this
//! scanner records, for every object member and array element, the 1-based
//! line where it starts. Paths are written `$.events[2].date`. The scanner
//! is tolerant: on malformed text it stops and keeps what it found.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

/// Line lookup computed on first use: valid files never pay for the scan.
/// The first lookup indexes only the top level (each member's start and,
/// for arrays, each element's start: two numbers per observation); a lookup
/// then scans the one element it names, once: later lookups in the same
/// element reuse that scan, so many diagnostics in one large element stay
/// linear (a fuzzed 23 kB course with thousands of unknown agent keys took
/// 10 s when every lookup rescanned its event; fuzz regression test
/// `many_lookups_in_one_element_scan_it_once`). A large file with a few
/// warnings stays fast and small.
#[derive(Debug)]
pub struct LazyJsonLines<'a> {
    text: &'a str,
    cell: OnceCell<TopIndex>,
    scanned: RefCell<HashMap<usize, JsonLines>>,
}

/// Start (byte offset, line) of each top-level member, and of each element
/// of the top-level arrays.
#[derive(Debug, Default)]
struct TopIndex {
    members: HashMap<String, (usize, usize)>,
    elements: HashMap<String, Vec<(usize, usize)>>,
}

impl TopIndex {
    fn build(text: &str) -> TopIndex {
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            line: 1,
            out: HashMap::new(),
        };
        let mut idx = TopIndex::default();
        let _ = s.top(&mut idx);
        idx
    }
}

impl<'a> LazyJsonLines<'a> {
    /// Wraps the text; nothing is scanned yet.
    pub fn new(text: &'a str) -> LazyJsonLines<'a> {
        LazyJsonLines {
            text,
            cell: OnceCell::new(),
            scanned: RefCell::new(HashMap::new()),
        }
    }

    /// The line of `path` (see [`JsonLines::line_of`]), scanning on first use.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let idx = self.cell.get_or_init(|| TopIndex::build(self.text));
        // Unknown paths fall back to the nearest known ancestor, the
        // document itself at worst (line of its first character).
        let root = self
            .text
            .bytes()
            .take_while(u8::is_ascii_whitespace)
            .filter(|c| *c == b'\n')
            .count()
            + 1;
        let Some(rest) = path.strip_prefix("$.") else {
            return Some(root);
        };
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        let Some(&(m_off, m_line)) = idx.members.get(key) else {
            return Some(root);
        };
        let after = &rest[end..];
        // `[i]` of a top-level array: scan that element only.
        if let Some(r) = after.strip_prefix('[')
            && let Some(close) = r.find(']')
            && let Ok(n) = r[..close].parse::<usize>()
            && let Some(&(off, line)) = idx.elements.get(key).and_then(|v| v.get(n))
        {
            let sub = &r[close + 1..];
            return Some(self.scan_from(off, line, sub).unwrap_or(line));
        }
        Some(self.scan_from(m_off, m_line, after).unwrap_or(m_line))
    }

    /// Scans the value starting at byte `off` (on `line`) and looks up the
    /// path `sub` (`.field…` or empty) inside it.
    fn scan_from(&self, off: usize, line: usize, sub: &str) -> Option<usize> {
        let mut scanned = self.scanned.borrow_mut();
        let lines = scanned.entry(off).or_insert_with(|| {
            let mut s = Scanner {
                b: self.text.as_bytes(),
                i: off,
                line,
                out: HashMap::new(),
            };
            let mut p = String::from("$");
            s.out.insert(p.clone(), line);
            let _ = s.value(&mut p, 0);
            JsonLines { lines: s.out }
        });
        lines.line_of(&format!("${sub}"))
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
    /// Indexes the top-level object: members and array elements.
    fn top(&mut self, idx: &mut TopIndex) -> Option<()> {
        self.ws();
        if self.bump()? != b'{' {
            return None;
        }
        loop {
            self.ws();
            if self.peek()? == b'}' {
                return Some(());
            }
            let key = self.string()?;
            self.ws();
            if self.bump()? != b':' {
                return None;
            }
            self.ws();
            idx.members.insert(key.clone(), (self.i, self.line));
            if self.peek()? == b'[' {
                let mut v = Vec::new();
                self.bump();
                loop {
                    self.ws();
                    if self.peek()? == b']' {
                        self.bump();
                        break;
                    }
                    v.push((self.i, self.line));
                    self.skip(0)?;
                    self.ws();
                    if self.peek()? == b',' {
                        self.bump();
                    }
                }
                idx.elements.insert(key, v);
            } else {
                self.skip(0)?;
            }
            self.ws();
            if self.peek()? == b',' {
                self.bump();
            }
        }
    }

    /// Skips one value, counting lines, recording nothing.
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' | b'[' => {
                let close = if self.bump()? == b'{' { b'}' } else { b']' };
                loop {
                    self.ws();
                    match self.peek()? {
                        c if c == close => {
                            self.bump();
                            return Some(());
                        }
                        b',' | b':' => {
                            self.bump();
                        }
                        _ => self.skip(depth + 1)?,
                    }
                }
            }
            b'"' => {
                // A JSON string holds no raw newline: scan it without
                // counting lines.
                let mut j = self.i + 1;
                loop {
                    match *self.b.get(j)? {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                self.i = j + 1;
                Some(())
            }
            _ => {
                let rest = &self.b[self.i..];
                let n = rest
                    .iter()
                    .position(|&c| {
                        c == b',' || c == b'}' || c == b']' || c == b':' || c.is_ascii_whitespace()
                    })
                    .unwrap_or(rest.len());
                self.i += n;
                Some(())
            }
        }
    }

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
    fn many_lookups_in_one_element_scan_it_once() {
        let agents: Vec<String> = (0..2000).map(|i| format!("{{\"x{i}\": {i}}}")).collect();
        let t = format!(
            "{{\n\"events\": [\n{{\"kind\": \"dli\",\n\"agents\": [{}]}}\n]\n}}",
            agents.join(",\n")
        );
        let lazy = LazyJsonLines::new(&t);
        for j in 0..2000 {
            assert_eq!(
                lazy.line_of(&format!("$.events[0].agents[{j}].x{j}")),
                Some(4 + j)
            );
        }
        assert_eq!(lazy.scanned.borrow().len(), 1, "the event was scanned once");
        assert_eq!(lazy.line_of("$.events[0].kind"), Some(3));
    }

    /// The lines of `a` and the two events of the documents of the two
    /// tests below, which begin alike.
    fn assert_events_lines(line_of: impl Fn(&str) -> Option<usize>) {
        assert_eq!(line_of("$.a"), Some(2));
        assert_eq!(line_of("$.events"), Some(3));
        assert_eq!(line_of("$.events[0].date"), Some(4));
        assert_eq!(line_of("$.events[1]"), Some(5));
        assert_eq!(line_of("$.events[1].kind"), Some(6));
        // Missing member: nearest ancestor.
        assert_eq!(line_of("$.events[1].donor"), Some(5));
    }

    #[test]
    fn finds_lines_of_members_and_elements() {
        let t = "{\n  \"a\": 1,\n  \"events\": [\n    {\"date\": \"x\"},\n    {\n      \"kind\": \"dli\"\n    }\n  ]\n}";
        let j = JsonLines::scan(t);
        assert_events_lines(|p| j.line_of(p));
        assert_eq!(j.line_of("$.nothing"), Some(1));
    }

    #[test]
    fn lazy_lookup_scans_one_element() {
        let t = "{\n  \"a\": 1,\n  \"events\": [\n    {\"date\": \"x\"},\n    {\n      \"kind\": \"dli\"\n    }\n  ],\n  \"p\": {\"q\":\n 2}\n}";
        let j = LazyJsonLines::new(t);
        assert_events_lines(|p| j.line_of(p));
        assert_eq!(j.line_of("$.events[7]"), Some(3));
        assert_eq!(j.line_of("$.p.q"), Some(9));
        assert_eq!(
            LazyJsonLines::new("{\"a\": [1, 2,").line_of("$.a[1]"),
            Some(1)
        );
    }

    #[test]
    fn tolerates_garbage() {
        let j = JsonLines::scan("{\"a\": [1, 2,");
        assert_eq!(j.line_of("$.a[1]"), Some(1));
        let deep = "[".repeat(10_000);
        let _ = JsonLines::scan(&deep);
    }
}

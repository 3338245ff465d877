//! Shared helpers for the report tests: the bundled seed case, small
//! hand-written courses, and an XML/HTML nesting checker.

#![allow(dead_code)]

pub mod textbox;

use std::path::Path;

use graftwatch_course::{Course, LoadedCourse, io::read_json_str};

/// The seed case as shipped in examples/seed-case/course.json.
pub const SEED_JSON: &str = include_str!("../../../../examples/seed-case/course.json");

/// The seed case, read and validated.
pub fn seed() -> LoadedCourse {
    read_json_str(SEED_JSON, Path::new("examples/seed-case/course.json")).expect("seed case valid")
}

/// A small course with the given events and observations (JSON array bodies).
pub fn mini(events: &str, observations: &str) -> Course {
    let json = format!(
        r#"{{"format": "graftwatch-course/1",
  "patient": {{"id": "P<1>", "sex": "male", "birth_year": 1980,
    "diagnosis": {{"disease": "aml", "date": "2023-01-10"}}}},
  "donors": [{{"id": "PBSC-1", "relationship": "matched_unrelated"}}],
  "events": [{events}],
  "observations": [{observations}]}}"#
    );
    read_json_str(&json, Path::new("mini.json"))
        .expect("mini course valid")
        .course
}

const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link", "col", "wbr"];

/// Checks that every element is closed in the right order (void HTML
/// elements and `/>` self-closing tags excepted). Returns the element names
/// seen with their counts, or the first nesting error.
pub fn check_nesting(doc: &str) -> Result<std::collections::BTreeMap<String, usize>, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    let bytes = doc.as_bytes();
    let mut i = 0;
    while let Some(off) = doc[i..].find('<') {
        let start = i + off;
        if doc[start..].starts_with("<!--") {
            let end = doc[start..].find("-->").ok_or("unclosed comment")?;
            i = start + end + 3;
            continue;
        }
        let end = start
            + doc[start..]
                .find('>')
                .ok_or(format!("unclosed tag at byte {start}"))?;
        let tag = &doc[start + 1..end];
        i = end + 1;
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match stack.pop() {
                Some(open) if open == name => {}
                Some(open) => return Err(format!("</{name}> closes <{open}> at byte {start}")),
                None => return Err(format!("</{name}> with nothing open at byte {start}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad tag '<{tag}>' at byte {start}"));
        }
        *seen.entry(name.clone()).or_insert(0) += 1;
        let self_closing = tag.ends_with('/');
        if !self_closing && !VOID.contains(&name.as_str()) {
            // Raw-text elements: skip to their end tag.
            if name == "style" || name == "script" {
                let close = format!("</{name}>");
                let e = doc[i..].find(&close).ok_or(format!("unclosed <{name}>"))?;
                i += e + close.len();
                continue;
            }
            stack.push(name);
        }
        let _ = bytes;
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> never closed"));
    }
    Ok(seen)
}

/// The text of the first element whose start tag contains `marker`, up to
/// its matching end tag `</tag>` (no nesting of the same tag assumed).
pub fn element<'a>(doc: &'a str, marker: &str, tag: &str) -> Option<&'a str> {
    let s = doc.find(marker)?;
    let start = doc[..s].rfind('<')?;
    let close = format!("</{tag}>");
    let mut depth = 0usize;
    let open = format!("<{tag}");
    let mut i = start;
    loop {
        let next_open = doc[i + 1..].find(&open).map(|o| o + i + 1);
        let next_close = doc[i..].find(&close).map(|o| o + i)?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o;
            }
            _ => {
                if depth == 0 {
                    return Some(&doc[start..next_close + close.len()]);
                }
                depth -= 1;
                i = next_close + 1;
            }
        }
    }
}

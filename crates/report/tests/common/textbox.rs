//! Text boxes of an SVG figure, for collision tests.
//!
//! Every `<text>` element is measured from its attributes (`x`, `y`,
//! `text-anchor`, `class`, a `rotate(-90 …)` transform) and its content
//! (inner `<title>` removed, entities decoded). The font size and weight of
//! each class are read from the figure's own `<style>` block. Widths use
//! DejaVu Sans advance widths (`graftwatch_report::draw::char_em`; bold
//! ×1.1); heights are the font's ascent (0.76 em) above the baseline and
//! descent (0.24 em) below. These are approximations good to a few
//! percent for the DejaVu Sans the figure is drawn with on Debian.

use std::collections::BTreeMap;

use graftwatch_report::draw::char_em;

/// One measured text.
#[derive(Debug, Clone)]
pub struct TextBox {
    /// The text.
    pub text: String,
    /// Left, top, right, bottom (px).
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl TextBox {
    /// Whether two boxes overlap by more than `tol` px in both directions.
    pub fn overlaps(&self, o: &TextBox, tol: f64) -> bool {
        self.x0 + tol < o.x1 && o.x0 + tol < self.x1 && self.y0 + tol < o.y1 && o.y0 + tol < self.y1
    }
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}

/// Font size (px) and bold per CSS class, from `.gw-figure .cls{…}` rules.
fn class_fonts(svg: &str) -> BTreeMap<String, (Option<f64>, bool)> {
    let mut m = BTreeMap::new();
    let (Some(a), Some(b)) = (svg.find("<style>"), svg.find("</style>")) else {
        return m;
    };
    for rule in svg[a + 7..b].lines() {
        let Some(open) = rule.find('{') else { continue };
        let sel = rule[..open].trim();
        let body = &rule[open + 1..];
        let Some(cls) = sel.strip_prefix(".gw-figure .") else {
            continue;
        };
        if cls.contains(' ') || cls.contains(',') {
            continue;
        }
        let size = body
            .split(';')
            .find_map(|d| d.trim().strip_prefix("font-size:"))
            .and_then(|v| v.trim_end_matches('}').trim_end_matches("px").parse().ok());
        let bold = body.contains("font-weight:bold");
        m.insert(cls.to_string(), (size, bold));
    }
    m
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with("<title>") {
            match rest[i..].find("</title>") {
                Some(j) => rest = &rest[i + j + 8..],
                None => return out,
            }
        } else {
            match rest[i..].find('>') {
                Some(j) => rest = &rest[i + j + 1..],
                None => return out,
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `<text>` of the SVG with its box.
pub fn text_boxes(svg: &str) -> Vec<TextBox> {
    let fonts = class_fonts(svg);
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        let after = &rest[i..];
        let Some(gt) = after.find('>') else { break };
        let tag = &after[..gt];
        let Some(end) = after.find("</text>") else {
            break;
        };
        let content = decode(&strip_tags(&after[gt + 1..end]));
        rest = &after[end + 7..];
        let num = |n: &str| {
            attr(tag, n)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let (x, y) = (num("x"), num("y"));
        let mut size = 16.0;
        let mut bold = false;
        for c in attr(tag, "class").unwrap_or("").split_whitespace() {
            if let Some((s, b)) = fonts.get(c) {
                if let Some(s) = s {
                    size = *s;
                }
                bold |= *b;
            }
        }
        if let Some(fs) = attr(tag, "font-size").and_then(|v| v.parse().ok()) {
            size = fs;
        }
        let w = content.chars().map(char_em).sum::<f64>() * size * if bold { 1.1 } else { 1.0 };
        let x0 = match attr(tag, "text-anchor").unwrap_or("start") {
            "middle" => x - w / 2.0,
            "end" => x - w,
            _ => x,
        };
        let (asc, desc) = (0.76 * size, 0.24 * size);
        let b = if attr(tag, "transform").is_some_and(|t| t.starts_with("rotate(-90")) {
            // rotated about (x, y): the text runs upwards from y
            TextBox {
                text: content,
                x0: x - asc,
                x1: x + desc,
                y0: y - (x0 + w - x),
                y1: y + (x - x0),
            }
        } else {
            TextBox {
                text: content,
                x0,
                x1: x0 + w,
                y0: y - asc,
                y1: y + desc,
            }
        };
        out.push(b);
    }
    out
}

/// Every pair of overlapping boxes (tolerance `tol` px), and every box
/// outside `0..width`, as readable lines.
pub fn collisions(svg: &str, width: f64, tol: f64) -> Vec<String> {
    let boxes = text_boxes(svg);
    let mut bad = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        if a.text.trim().is_empty() {
            continue;
        }
        if a.x0 < -tol || a.x1 > width + tol {
            bad.push(format!(
                "'{}' outside the figure ({:.0}..{:.0})",
                a.text, a.x0, a.x1
            ));
        }
        for b in &boxes[i + 1..] {
            if !b.text.trim().is_empty() && a.overlaps(b, tol) {
                bad.push(format!(
                    "'{}' [{:.0},{:.0}..{:.0},{:.0}] overlaps '{}' [{:.0},{:.0}..{:.0},{:.0}]",
                    a.text, a.x0, a.y0, a.x1, a.y1, b.text, b.x0, b.y0, b.x1, b.y1
                ));
            }
        }
    }
    bad
}

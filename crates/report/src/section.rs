//! A report section: an id, a heading and an HTML body. Other crates add
//! sections (grades, chimerism, decision support) with
//! [`crate::Report::add_section`].

use crate::escape::escape;

/// One section of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Element id (letters, digits, `-`), e.g. `timeline`.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Body, already HTML (escape any course text with [`crate::escape()`]).
    pub body_html: String,
}

impl Section {
    /// A section with an HTML body. Characters other than ASCII letters,
    /// digits, `-` and `_` in `id` are replaced by `-`.
    pub fn new(id: &str, title: impl Into<String>, body_html: impl Into<String>) -> Section {
        let id: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        Section {
            id,
            title: title.into(),
            body_html: body_html.into(),
        }
    }

    /// A section whose body is plain text (escaped, one paragraph per line).
    pub fn text(id: &str, title: impl Into<String>, text: &str) -> Section {
        let body = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("<p>{}</p>", escape(l)))
            .collect::<String>();
        Section::new(id, title, body)
    }

    /// The section as HTML.
    pub fn to_html(&self) -> String {
        format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n",
            escape(&self.id),
            escape(&self.title),
            self.body_html
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sanitised_and_text_escaped() {
        let s = Section::text("a b<c", "T & U", "x < y\n\nz");
        assert_eq!(s.id, "a-b-c");
        let h = s.to_html();
        assert!(h.contains("<h2>T &amp; U</h2>"));
        assert!(h.contains("<p>x &lt; y</p><p>z</p>"));
    }
}

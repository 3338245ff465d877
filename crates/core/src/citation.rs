//! Literature citations attached to every clinical rule.

use serde::Serialize;

/// How a threshold was checked, as tagged in the project's clinical-criteria
/// reference: verified from the primary text, from several agreeing secondary
/// reproductions, or recalled and still to be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    /// `[V]` verified from the primary publication or an official manual.
    #[serde(rename = "V")]
    Verified,
    /// `[S]` several independent secondary reproductions agree.
    #[serde(rename = "S")]
    Secondary,
    /// `[R]` recalled; check against the primary paper before relying on it.
    #[serde(rename = "R")]
    Recalled,
}

impl Provenance {
    /// `[V]`, `[S]` or `[R]`.
    pub fn tag(self) -> &'static str {
        match self {
            Provenance::Verified => "[V]",
            Provenance::Secondary => "[S]",
            Provenance::Recalled => "[R]",
        }
    }
}

/// A citation for a rule or table: source, year, table and provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Short source, e.g. "Harris AC et al. Biol Blood Marrow Transplant 2016;22(1):4-10".
    pub source: &'static str,
    /// Publication year.
    pub year: u16,
    /// Table or section within the source, e.g. "Table 1".
    pub table: &'static str,
    /// DOI when known.
    pub doi: Option<&'static str>,
    /// How the encoded values were checked.
    pub provenance: Provenance,
    /// Free note: what was checked, against what, and what remains \[R\].
    pub note: &'static str,
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}), {} {}",
            self.source,
            self.year,
            self.table,
            self.provenance.tag()
        )
    }
}

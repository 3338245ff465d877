//! Reading a marker panel: a sites-only VCF (plain or bgzipped) of
//! biallelic, normalised SNPs and indels.

use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::Marker;
use graftwatch_core::GenomicPosition;

/// Errors reading a panel; every variant names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A malformed or unsupported record.
    #[error("{path}:{line}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// No `#CHROM` header or no markers.
    #[error("{path}: {message}")]
    Empty {
        /// File.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
}

/// Opens a text file that may be gzip/BGZF-compressed: the crate's one
/// opener, [`crate::gz_input::open_maybe_gzip`].
pub(crate) fn open_text(path: &Path) -> std::io::Result<Box<dyn BufRead + Send>> {
    crate::gz_input::open_maybe_gzip(path)
}

/// Checks one allele: non-empty A/C/G/T/N only (upper-cased).
pub(crate) fn check_allele(a: &str) -> Result<String, String> {
    if a.is_empty() {
        return Err("empty allele".into());
    }
    if a.starts_with('<') || a.contains('[') || a.contains(']') || a == "*" || a == "." {
        return Err(format!(
            "symbolic or missing allele '{a}'; expected sequence of A, C, G, T, N"
        ));
    }
    let up = a.to_ascii_uppercase();
    if let Some(c) = up
        .chars()
        .find(|c| !matches!(c, 'A' | 'C' | 'G' | 'T' | 'N'))
    {
        return Err(format!(
            "allele '{a}' contains '{c}'; expected only A, C, G, T, N"
        ));
    }
    Ok(up)
}

/// Reads a panel. Rejects multi-allelic, symbolic and non-normalised records
/// (REF and ALT sharing a trailing base, or a shared leading base beyond the
/// VCF padding base), REF = ALT, and duplicate sites (same CHROM:POS) or IDs.
/// Markers without an ID get `CHROM:POS:REF:ALT`.
pub fn read_panel(path: &Path) -> Result<Vec<Marker>, PanelError> {
    let io = |source| PanelError::Io {
        path: path.to_path_buf(),
        source,
    };
    let reader = open_text(path).map_err(io)?;
    let fmt = |line: usize, message: String| PanelError::Format {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut markers = Vec::new();
    let mut seen_sites: HashSet<(String, GenomicPosition)> = HashSet::new();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut header = false;
    for (i, line) in crate::gz_input::CheckedLines::new(reader).enumerate() {
        let lineno = i + 1;
        let line = line.map_err(io)?;
        let line = line.as_str();
        if line.is_empty() || line.starts_with("##") {
            continue;
        }
        if line.starts_with("#CHROM") {
            header = true;
            continue;
        }
        if !header {
            return Err(fmt(
                lineno,
                "record before the #CHROM header line; expected a VCF".into(),
            ));
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 5 {
            return Err(fmt(
                lineno,
                format!(
                    "{} tab-separated columns; expected at least 5 (CHROM POS ID REF ALT)",
                    cols.len()
                ),
            ));
        }
        let chrom = cols[0].to_string();
        let pos: GenomicPosition = cols[1].parse().map_err(|_| {
            fmt(
                lineno,
                format!("POS '{}' is not a positive integer", cols[1]),
            )
        })?;
        if cols[4].contains(',') {
            return Err(fmt(
                lineno,
                format!(
                    "multi-allelic ALT '{}'; expected one ALT allele per marker (split with bcftools norm -m-)",
                    cols[4]
                ),
            ));
        }
        let r = check_allele(cols[3]).map_err(|m| fmt(lineno, format!("REF: {m}")))?;
        let a = check_allele(cols[4]).map_err(|m| fmt(lineno, format!("ALT: {m}")))?;
        if r == a {
            return Err(fmt(lineno, format!("REF and ALT are both '{r}'")));
        }
        if r.len() > 1 && a.len() > 1 && r.as_bytes()[r.len() - 1] == a.as_bytes()[a.len() - 1] {
            return Err(fmt(
                lineno,
                format!(
                    "REF '{r}' and ALT '{a}' share a trailing base: not normalised (run bcftools norm)"
                ),
            ));
        }
        if r.len() > 1 && a.len() > 1 && r.as_bytes()[..2] == a.as_bytes()[..2] {
            return Err(fmt(
                lineno,
                format!(
                    "REF '{r}' and ALT '{a}' share more than one leading base: not normalised (run bcftools norm)"
                ),
            ));
        }
        if !seen_sites.insert((chrom.clone(), pos)) {
            return Err(fmt(
                lineno,
                format!("duplicate site {chrom}:{pos}; expected one biallelic marker per position"),
            ));
        }
        let id = if cols[2] == "." || cols[2].is_empty() {
            format!("{chrom}:{pos}:{r}:{a}")
        } else {
            cols[2].to_string()
        };
        if !seen_ids.insert(id.clone()) {
            return Err(fmt(lineno, format!("duplicate marker ID '{id}'")));
        }
        markers.push(Marker {
            id,
            chrom,
            pos,
            ref_allele: r,
            alt_allele: a,
        });
    }
    if !header {
        return Err(PanelError::Empty {
            path: path.to_path_buf(),
            message: "no #CHROM header line; expected a sites-only VCF".into(),
        });
    }
    if markers.is_empty() {
        return Err(PanelError::Empty {
            path: path.to_path_buf(),
            message: "no marker records".into(),
        });
    }
    Ok(markers)
}

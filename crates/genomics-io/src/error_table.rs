//! Reading a per-site error-rate table in allomix's `--error-table` format
//! (`allomix estimate-errors` output): a TSV with the header
//! `chrom pos ref alt e_refalt e_altref n_reads_homref n_reads_homalt`
//! (only the first six columns are used; `NA` = no estimate for that
//! direction). Rows are matched to panel markers by CHROM, POS, REF and ALT
//! after normalising each REF/ALT pair; rows of sites not in the panel are
//! ignored.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::Marker;
use graftwatch_chimerism::ngs::ExternalSiteRates;
use graftwatch_core::GenomicPosition;

use crate::ad_match::normalise_pair;
use crate::gz_input::open_maybe_gzip;

/// Errors reading an error table; each names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum ErrorTableError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A malformed header or row.
    #[error("{path}:{line}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

const COLUMNS: [&str; 6] = ["chrom", "pos", "ref", "alt", "e_refalt", "e_altref"];

/// Reads `path` and returns, per panel marker, the table's rates (`None`
/// where the table has no row for the marker).
pub fn read_error_table(
    path: &Path,
    markers: &[Marker],
) -> Result<Vec<Option<ExternalSiteRates>>, ErrorTableError> {
    let io = |source| ErrorTableError::Io {
        path: path.to_path_buf(),
        source,
    };
    let fmt = |line: usize, message: String| ErrorTableError::Format {
        path: path.to_path_buf(),
        line,
        message,
    };
    let index: HashMap<(String, GenomicPosition, String, String), usize> = markers
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (p, r, a) = normalise_pair(m.pos, &m.ref_allele, &m.alt_allele);
            ((m.chrom.clone(), p, r, a), i)
        })
        .collect();
    let mut out = vec![None; markers.len()];
    let mut cols: Option<[usize; 6]> = None;
    for (i, line) in open_maybe_gzip(path).map_err(io)?.lines().enumerate() {
        let lineno = i + 1;
        let line = line.map_err(io)?;
        let line = line.trim_end_matches('\r');
        // A UTF-8 byte-order mark (Windows editors) is not content.
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let Some(c) = cols else {
            let mut found = [0usize; 6];
            for (k, name) in COLUMNS.iter().enumerate() {
                found[k] = fields.iter().position(|f| f.trim() == *name).ok_or_else(|| {
                    fmt(
                        lineno,
                        format!(
                            "header has no '{name}' column; expected the allomix error-table header chrom, pos, ref, alt, e_refalt, e_altref"
                        ),
                    )
                })?;
            }
            cols = Some(found);
            continue;
        };
        let get = |k: usize| fields.get(c[k]).map(|s| s.trim());
        let need = c.iter().copied().max().unwrap_or(0) + 1;
        if fields.len() < need {
            return Err(fmt(
                lineno,
                format!("{} columns; expected at least {need}", fields.len()),
            ));
        }
        let pos: GenomicPosition = get(1).and_then(|p| p.parse().ok()).ok_or_else(|| {
            fmt(
                lineno,
                format!("pos '{}' is not a positive integer", get(1).unwrap_or("")),
            )
        })?;
        let rate = |k: usize| -> Result<Option<f64>, ErrorTableError> {
            let v = get(k).unwrap_or("");
            if v == "NA" {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(x) if (0.0..=0.5).contains(&x) => Ok(Some(x)),
                _ => Err(fmt(
                    lineno,
                    format!(
                        "{} '{v}' is not a rate between 0 and 0.5 (or NA)",
                        COLUMNS[k]
                    ),
                )),
            }
        };
        let rates = ExternalSiteRates {
            ref_to_alt: rate(4)?,
            alt_to_ref: rate(5)?,
        };
        let (chrom, r, a) = (
            get(0).unwrap_or(""),
            get(2).unwrap_or(""),
            get(3).unwrap_or(""),
        );
        let (p, r, a) = normalise_pair(pos, &r.to_ascii_uppercase(), &a.to_ascii_uppercase());
        if let Some(&m) = index.get(&(chrom.to_string(), p, r, a)) {
            out[m] = Some(rates);
        }
    }
    if cols.is_none() {
        return Err(fmt(0, "empty file; expected an allomix error table".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(chrom: &str, pos: u64, r: &str, a: &str) -> Marker {
        Marker {
            id: format!("{chrom}:{pos}"),
            chrom: chrom.into(),
            pos: GenomicPosition::from_one_based(pos).unwrap(),
            ref_allele: r.into(),
            alt_allele: a.into(),
        }
    }

    #[test]
    fn reads_allomix_table_and_matches_markers() {
        let dir = std::env::temp_dir().join(format!("gw-errtab-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("errors.tsv");
        std::fs::write(
            &p,
            "chrom\tpos\tref\talt\te_refalt\te_altref\tn_reads_homref\tn_reads_homalt\n\
             chr1\t100\tA\tG\t1.500000e-03\tNA\t5000\t0\n\
             chr2\t200\tCT\tC\t2.0e-02\t3.0e-03\t100\t200\n\
             chr9\t5\tA\tC\t1e-3\t1e-3\t1\t1\n",
        )
        .unwrap();
        let markers = vec![
            marker("chr1", 100, "A", "G"),
            marker("chr2", 200, "CT", "C"),
            marker("chr3", 1, "A", "T"),
        ];
        let t = read_error_table(&p, &markers).unwrap();
        assert_eq!(
            t[0],
            Some(ExternalSiteRates {
                ref_to_alt: Some(1.5e-3),
                alt_to_ref: None
            })
        );
        assert_eq!(
            t[1],
            Some(ExternalSiteRates {
                ref_to_alt: Some(0.02),
                alt_to_ref: Some(3e-3)
            })
        );
        assert_eq!(t[2], None);
        std::fs::write(
            &p,
            "chrom\tpos\tref\talt\te_refalt\te_altref\nchr1\t100\tA\tG\tx\tNA\n",
        )
        .unwrap();
        let e = read_error_table(&p, &markers).unwrap_err().to_string();
        assert!(e.contains(":2:") && e.contains("e_refalt 'x'"), "{e}");
        std::fs::write(&p, "chrom\tpos\tref\talt\n").unwrap();
        let e = read_error_table(&p, &markers).unwrap_err().to_string();
        assert!(e.contains("no 'e_refalt' column"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

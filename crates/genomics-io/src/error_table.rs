//! Reading a per-site error-rate table in allomix's `--error-table` format
//! (`allomix estimate-errors` output): a TSV with the header
//! `chrom pos ref alt e_refalt e_altref n_reads_homref n_reads_homalt`
//! (only the first six columns are used; `NA` = no estimate for that
//! direction). Rows are matched to panel markers by CHROM, POS, REF and ALT
//! after normalising each REF/ALT pair; rows of sites not in the panel are
//! ignored.

use std::collections::HashMap;
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

/// The positions of [`COLUMNS`] in the header row.
fn header_columns(fields: &[&str]) -> Result<[usize; 6], String> {
    let mut found = [0usize; 6];
    for (k, name) in COLUMNS.iter().enumerate() {
        found[k] = fields.iter().position(|f| f.trim() == *name).ok_or_else(|| {
            format!(
                "header has no '{name}' column; expected the allomix error-table header chrom, pos, ref, alt, e_refalt, e_altref"
            )
        })?;
    }
    Ok(found)
}

/// One data row: the normalised (chrom, pos, ref, alt) key and its rates.
type Row = ((String, GenomicPosition, String, String), ExternalSiteRates);

/// Parses one data row with the header's column positions `c`.
fn parse_row(fields: &[&str], c: &[usize; 6]) -> Result<Row, String> {
    let get = |k: usize| fields.get(c[k]).map(|s| s.trim());
    let need = c.iter().copied().max().unwrap_or(0) + 1;
    if fields.len() < need {
        return Err(format!(
            "{} columns; expected at least {need}",
            fields.len()
        ));
    }
    let pos: GenomicPosition = get(1)
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("pos '{}' is not a positive integer", get(1).unwrap_or("")))?;
    let rate = |k: usize| -> Result<Option<f64>, String> {
        let v = get(k).unwrap_or("");
        if v == "NA" {
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(x) if (0.0..=0.5).contains(&x) => Ok(Some(x)),
            _ => Err(format!(
                "{} '{v}' is not a rate between 0 and 0.5 (or NA)",
                COLUMNS[k]
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
    Ok(((chrom.to_string(), p, r, a), rates))
}

/// Reads `path` and returns, per panel marker, the table's rates (`None`
/// where the table has no row for the marker). A last line without a line
/// end (a file cut short) is an error.
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
    let lines = crate::gz_input::CheckedLines::new(open_maybe_gzip(path).map_err(io)?);
    for (i, line) in lines.enumerate() {
        let lineno = i + 1;
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let Some(c) = cols else {
            cols = Some(header_columns(&fields).map_err(|m| fmt(lineno, m))?);
            continue;
        };
        let (key, rates) = parse_row(&fields, &c).map_err(|m| fmt(lineno, m))?;
        if let Some(&m) = index.get(&key) {
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

    #[test]
    fn header_columns_are_found_in_any_order_and_missing_ones_named() {
        let f = ["pos", "chrom", "alt", "ref", "e_altref", "e_refalt", "x"];
        assert_eq!(header_columns(&f).unwrap(), [1, 0, 3, 2, 5, 4]);
        let e = header_columns(&["chrom", "pos", "ref", "alt", "e_refalt"]).unwrap_err();
        assert!(e.contains("'e_altref'"), "{e}");
    }

    #[test]
    fn rows_are_normalised_and_checked() {
        let c = [0, 1, 2, 3, 4, 5];
        let (key, r) = parse_row(&["chr1", "100", "act", "at", "0.001", "NA"], &c).unwrap();
        assert_eq!(key.0, "chr1");
        assert_eq!((key.2.as_str(), key.3.as_str()), ("AC", "A"));
        assert_eq!((r.ref_to_alt, r.alt_to_ref), (Some(0.001), None));
        assert!(
            parse_row(&["chr1", "100", "A", "G", "0.6", "0"], &c)
                .unwrap_err()
                .contains("e_refalt '0.6'")
        );
        assert!(
            parse_row(&["chr1", "0", "A", "G", "0", "0"], &c)
                .unwrap_err()
                .contains("pos '0'")
        );
        assert!(
            parse_row(&["chr1", "1", "A"], &c)
                .unwrap_err()
                .contains("expected at least 6")
        );
    }

    #[test]
    fn a_table_cut_mid_line_is_an_error() {
        let d = std::env::temp_dir().join(format!("gw-errtab-cut-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("cut.tsv");
        std::fs::write(
            &p,
            "chrom\tpos\tref\talt\te_refalt\te_altref\nchr1\t100\tA\tG\t0.001\t0.00",
        )
        .unwrap();
        let e = read_error_table(&p, &[marker("chr1", 100, "A", "G")]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        std::fs::remove_dir_all(&d).ok();
    }
}

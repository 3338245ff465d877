//! Reading a marker panel: a sites-only VCF (plain or bgzipped) of
//! biallelic, normalised SNPs and indels, parsed by noodles
//! (`crate::vcf_text`).

use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::Marker;
use graftwatch_core::GenomicPosition;

/// Errors reading a panel; every variant names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// The file could not be opened or read.
    #[error("{path}: {}", graftwatch_core::io_words::io_words(.source))]
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

/// Checks a panel record's REF and ALT (already upper-cased by
/// [`check_allele`]): one ALT, not REF = ALT, normalised.
fn check_pair(r: &str, a: &str) -> Result<(), String> {
    if r == a {
        return Err(format!("REF and ALT are both '{r}'"));
    }
    if r.len() > 1 && a.len() > 1 && r.as_bytes()[r.len() - 1] == a.as_bytes()[a.len() - 1] {
        return Err(format!(
            "REF '{r}' and ALT '{a}' share a trailing base: not normalised (run bcftools norm)"
        ));
    }
    if r.len() > 1 && a.len() > 1 && r.as_bytes()[..2] == a.as_bytes()[..2] {
        return Err(format!(
            "REF '{r}' and ALT '{a}' share more than one leading base: not normalised (run bcftools norm)"
        ));
    }
    Ok(())
}

/// A sites-only record may stop after ALT (5 columns, as hand-made panel
/// files often do): the missing QUAL, FILTER and INFO are read as `.` so
/// that noodles, which requires the 8 fixed columns, can parse it.
fn padded(line: &str) -> std::borrow::Cow<'_, str> {
    let columns = memchr::memchr_iter(b'\t', line.as_bytes()).count() + 1;
    if (5..8).contains(&columns) {
        let mut s = line.to_string();
        for _ in columns..8 {
            s.push_str("\t.");
        }
        std::borrow::Cow::Owned(s)
    } else {
        std::borrow::Cow::Borrowed(line)
    }
}

/// Parses one panel record (parsed by noodles into `record`) into a marker.
fn marker_of(line: &str, record: &mut noodles::vcf::Record) -> Result<Marker, String> {
    let columns = memchr::memchr_iter(b'\t', line.as_bytes()).count() + 1;
    if columns < 5 {
        return Err(format!(
            "{columns} tab-separated columns; expected at least 5 (CHROM POS ID REF ALT)"
        ));
    }
    crate::vcf_text::parse_record(&padded(line), record).map_err(|e| {
        crate::vcf_text::record_message(&e, "CHROM POS ID REF ALT [QUAL FILTER INFO]")
    })?;
    let pos = crate::vcf_text::position(record, line)?
        .ok_or_else(|| "POS '0' is not a positive integer".to_string())?;
    let alt = record.alternate_bases();
    let alt = alt.as_ref();
    if alt.contains(',') {
        return Err(format!(
            "multi-allelic ALT '{alt}'; expected one ALT allele per marker (split with bcftools norm -m-)"
        ));
    }
    let r = check_allele(record.reference_bases()).map_err(|m| format!("REF: {m}"))?;
    let a =
        check_allele(if alt.is_empty() { "." } else { alt }).map_err(|m| format!("ALT: {m}"))?;
    check_pair(&r, &a)?;
    let chrom = record.reference_sequence_name().to_string();
    let ids = record.ids();
    let id = match ids.as_ref() {
        "" | "." => format!("{chrom}:{pos}:{r}:{a}"),
        id => id.to_string(),
    };
    Ok(Marker {
        id,
        chrom,
        pos,
        ref_allele: r,
        alt_allele: a,
    })
}

/// Reads a panel. Rejects multi-allelic, symbolic and non-normalised records
/// (REF and ALT sharing a trailing base, or a shared leading base beyond the
/// VCF padding base), REF = ALT, and duplicate sites (same CHROM:POS) or IDs.
/// Markers without an ID get `CHROM:POS:REF:ALT`. Records are parsed by
/// noodles (`crate::vcf_text`).
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
    let mut record = noodles::vcf::Record::default();
    for (i, line) in crate::gz_input::CheckedLines::new(reader).enumerate() {
        let lineno = i + 1;
        let line = line.map_err(io)?;
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
        let m = marker_of(&line, &mut record).map_err(|m| fmt(lineno, m))?;
        if !seen_sites.insert((m.chrom.clone(), m.pos)) {
            return Err(fmt(
                lineno,
                format!(
                    "duplicate site {}:{}; expected one biallelic marker per position",
                    m.chrom, m.pos
                ),
            ));
        }
        if !seen_ids.insert(m.id.clone()) {
            return Err(fmt(lineno, format!("duplicate marker ID '{}'", m.id)));
        }
        markers.push(m);
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

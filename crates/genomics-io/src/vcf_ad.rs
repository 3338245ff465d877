//! Reading per-sample allele depths (FORMAT/AD) and genotypes (FORMAT/GT)
//! at panel markers from a VCF (plain or bgzipped) or a BCF (BGZF or
//! uncompressed, recognised by content, not by name), e.g. the
//! output of `bcftools mpileup -a AD` or a GATK joint-called genotype VCF.
//!
//! Records are matched to markers by CHROM, POS, REF and ALT after trimming
//! each REF/ALT pair to its normalised form, so multi-ALT records (as
//! bcftools writes them, with `<*>`) match biallelic panel markers. A marker
//! whose position is present but whose ALT is not listed (a sample with no
//! ALT reads) gets ALT = 0 and the record's REF depth.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::ngs::GenotypeCall;
use graftwatch_chimerism::{AlleleCounts, Marker};
use graftwatch_core::GenomicPosition;

pub use crate::ad_match::normalise_pair;
use crate::ad_match::{Field, MarkerIndex, Matches, check_ad_len, gt_alleles_from_text};
use crate::gz_input::CheckedLines;
use crate::panel::open_text;

/// Errors reading AD/GT from a VCF; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum VcfAdError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The sample is not a column of the VCF.
    #[error("{path}: sample '{sample}' not found; the file has samples: {available}")]
    SampleNotFound {
        /// File.
        path: PathBuf,
        /// Requested sample.
        sample: String,
        /// Samples in the header.
        available: String,
    },
    /// A malformed record.
    #[error("{path}:{line}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// No `#CHROM` line, or no FORMAT column.
    #[error("{path}: {message}")]
    Header {
        /// File.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
    /// A BCF record that cannot be read (truncated or corrupt data, a
    /// malformed AD/GT value).
    #[error(
        "{path}: no FORMAT/AD for sample '{sample}' at any of the {records} records at panel sites; expected allele depths (bcftools mpileup -a FORMAT/AD)"
    )]
    NoAd {
        path: PathBuf,
        sample: String,
        records: usize,
    },
    #[error("{path}: truncated after line {line}{last}: {message}")]
    Truncated {
        path: PathBuf,
        line: usize,
        last: String,
        message: String,
    },
    #[error("{path}: BCF record {record}{site}: {message}")]
    BcfRecord {
        /// File.
        path: PathBuf,
        /// 1-based record number.
        record: usize,
        /// ` (CHROM:POS)` when the record's site could be read, else empty.
        site: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Reads the `field` of `sample` at every marker from a VCF or, when the
/// file's content is BCF, from the BCF.
// Long function: one pass over a VCF with column/arity/truncation checks per record; splitting is pending with the noodles move in issue 10.
fn scan(
    path: &Path,
    sample: &str,
    markers: &[Marker],
    field: Field,
) -> Result<Matches, VcfAdError> {
    if crate::bcf_ad::is_bcf(path).map_err(|source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    })? {
        return crate::bcf_ad::scan_bcf(path, sample, markers, field);
    }
    let io = |source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    };
    let fmt = |line: usize, message: String| VcfAdError::Format {
        path: path.to_path_buf(),
        line,
        message,
    };
    let index = MarkerIndex::new(markers);
    let mut found = Matches::new(markers.len());
    let mut col: Option<usize> = None;
    let mut header_cols = 0usize;
    let mut last_good = String::new();
    let mut matched = 0usize;
    let mut ad_seen = false;
    let reader = open_text(path).map_err(io)?;
    for (i, line) in CheckedLines::new(reader).enumerate() {
        let lineno = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(VcfAdError::Truncated {
                    path: path.to_path_buf(),
                    line: lineno - 1,
                    last: if last_good.is_empty() {
                        String::new()
                    } else {
                        format!(" (last complete record {last_good})")
                    },
                    message: e.to_string().trim_start_matches("truncated: ").to_string(),
                });
            }
            Err(e) => return Err(io(e)),
        };
        let line = line.as_str();
        if line.is_empty() || line.starts_with("##") {
            continue;
        }
        if let Some(h) = line.strip_prefix('#') {
            let names: Vec<&str> = h.split('\t').collect();
            if names.len() < 10 || names[8] != "FORMAT" {
                return Err(VcfAdError::Header { path: path.to_path_buf(), message: "no FORMAT/sample columns in the #CHROM line; expected a VCF with per-sample data".into() });
            }
            header_cols = names.len();
            col = names.iter().position(|n| *n == sample).filter(|&c| c >= 9);
            if col.is_none() {
                return Err(VcfAdError::SampleNotFound {
                    path: path.to_path_buf(),
                    sample: sample.to_string(),
                    available: names[9..].join(", "),
                });
            }
            continue;
        }
        let Some(c) = col else {
            return Err(VcfAdError::Header {
                path: path.to_path_buf(),
                message: format!("record at line {lineno} before the #CHROM header line"),
            });
        };
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != header_cols {
            return Err(fmt(
                lineno,
                format!(
                    "{} columns; the #CHROM header line has {header_cols} (record cut short or malformed)",
                    cols.len()
                ),
            ));
        }
        if cols.len() <= c {
            return Err(fmt(
                lineno,
                format!(
                    "{} columns; expected at least {} (sample '{sample}')",
                    cols.len(),
                    c + 1
                ),
            ));
        }
        let pos: u64 = cols[1].parse().map_err(|_| {
            fmt(
                lineno,
                format!("POS '{}' is not a positive integer", cols[1]),
            )
        })?;
        // POS 0 (a telomere record) is before every marker.
        let Some(pos) = GenomicPosition::from_one_based(pos) else {
            continue;
        };
        // ALT "." (no alternate allele, e.g. a hom-ref site of
        // `bcftools call`) lists no allele: AD then has one value.
        let alts: Vec<&str> = if cols[4] == "." {
            Vec::new()
        } else {
            cols[4].split(',').collect()
        };
        last_good = format!("{}:{}", cols[0], cols[1]);
        let Some(hits) = index.hits(cols[0], pos, cols[3], &alts) else {
            continue;
        };
        let keys: Vec<&str> = cols[8].split(':').collect();
        let vals: Vec<&str> = cols[c].split(':').collect();
        if vals.len() > keys.len() {
            return Err(fmt(
                lineno,
                format!(
                    "sample '{sample}' has {} FORMAT values for the {} keys of FORMAT '{}'",
                    vals.len(),
                    keys.len(),
                    cols[8]
                ),
            ));
        }
        matched += 1;
        ad_seen |= keys.contains(&"AD");
        let value = keys
            .iter()
            .position(|k| *k == field.key())
            .and_then(|k| vals.get(k).copied());
        match field {
            Field::Ad => {
                let Some(v) = value.filter(|v| *v != ".") else {
                    continue;
                };
                let ad: Vec<u32> = v
                    .split(',')
                    .map(|x| x.parse::<u32>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        fmt(
                            lineno,
                            format!("AD '{v}' of sample '{sample}' is not a list of read counts"),
                        )
                    })?;
                check_ad_len(ad.len(), alts.len())
                    .map_err(|m| fmt(lineno, format!("AD '{v}' {m}")))?;
                found.add_ad(&hits, &ad);
            }
            Field::Gt => found.add_gt(&hits, &gt_alleles_from_text(value.unwrap_or("."))),
        }
    }
    if col.is_none() {
        return Err(VcfAdError::Header {
            path: path.to_path_buf(),
            message: "no #CHROM header line; expected a VCF".into(),
        });
    }
    if field == Field::Ad && matched > 0 && !ad_seen {
        return Err(VcfAdError::NoAd {
            path: path.to_path_buf(),
            sample: sample.to_string(),
            records: matched,
        });
    }
    Ok(found)
}

/// FORMAT/AD of `sample` at every marker (`None` = marker absent from the
/// file or AD missing).
pub fn read_vcf_ad(
    path: &Path,
    sample: &str,
    markers: &[Marker],
) -> Result<Vec<Option<AlleleCounts>>, VcfAdError> {
    Ok(scan(path, sample, markers, Field::Ad)?.into_counts())
}

/// FORMAT/GT of `sample` at every marker (`Err(NoCall::Missing)` = absent
/// or `./.`; `Err(NoCall::Unsupported)` = not diploid biallelic for this
/// marker's ALT).
pub fn read_vcf_gt(
    path: &Path,
    sample: &str,
    markers: &[Marker],
) -> Result<Vec<GenotypeCall>, VcfAdError> {
    Ok(scan(path, sample, markers, Field::Gt)?.into_calls())
}

/// Sample names of a VCF (the columns after FORMAT) or of a BCF.
pub fn vcf_samples(path: &Path) -> Result<Vec<String>, VcfAdError> {
    let io = |source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    };
    if crate::bcf_ad::is_bcf(path).map_err(io)? {
        return crate::bcf_ad::bcf_samples(path);
    }
    for line in open_text(path).map_err(io)?.lines() {
        let line = line.map_err(io)?;
        if let Some(h) = line.strip_prefix("#CHROM") {
            return Ok(h
                .trim_end_matches('\r')
                .split('\t')
                .skip(9)
                .map(str::to_string)
                .collect());
        }
    }
    Err(VcfAdError::Header {
        path: path.to_path_buf(),
        message: "no #CHROM header line; expected a VCF".into(),
    })
}

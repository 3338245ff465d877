//! Reading per-sample allele depths (FORMAT/AD) and genotypes (FORMAT/GT)
//! at panel markers from a VCF (plain or bgzipped), e.g. the output of
//! `bcftools mpileup -a AD` or a GATK joint-called genotype VCF.
//!
//! Records are matched to markers by CHROM, POS, REF and ALT after trimming
//! each REF/ALT pair to its normalised form, so multi-ALT records (as
//! bcftools writes them, with `<*>`) match biallelic panel markers. A marker
//! whose position is present but whose ALT is not listed (a sample with no
//! ALT reads) gets ALT = 0 and the record's REF depth.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::ngs::{Genotype, GenotypeCall, NoCall};
use graftwatch_chimerism::{AlleleCounts, Marker};

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
    #[error("{path}: sample '{sample}' not found; the VCF has samples: {available}")]
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
    /// A BCF (binary) file: not read directly.
    #[error(
        "{path}: BCF is not read directly; convert it with `bcftools view -Oz -o out.vcf.gz {path}`"
    )]
    Bcf {
        /// File.
        path: PathBuf,
    },
}

/// Trims a REF/ALT pair to its normalised (minimal, left-padded) form and
/// returns (pos, ref, alt).
pub fn normalise_pair(pos: u64, r: &str, a: &str) -> (u64, String, String) {
    let (mut r, mut a) = (r.as_bytes(), a.as_bytes());
    while r.len() > 1 && a.len() > 1 && r[r.len() - 1] == a[a.len() - 1] {
        r = &r[..r.len() - 1];
        a = &a[..a.len() - 1];
    }
    let mut pos = pos;
    if r.len() == a.len() {
        // SNP / MNP: drop the shared leading bases entirely.
        while r.len() > 1 && r[0] == a[0] {
            r = &r[1..];
            a = &a[1..];
            pos += 1;
        }
    }
    while r.len() > 1 && a.len() > 1 && r[0] == a[0] && r[1] == a[1] {
        r = &r[1..];
        a = &a[1..];
        pos += 1;
    }
    (
        pos,
        String::from_utf8_lossy(r).to_ascii_uppercase(),
        String::from_utf8_lossy(a).to_ascii_uppercase(),
    )
}

/// What a reader extracts from the sample column of one record for a marker.
enum Field {
    Ad,
    Gt,
}

/// One value found for a marker.
enum Found {
    Counts(AlleleCounts),
    Call(GenotypeCall),
}

fn scan(
    path: &Path,
    sample: &str,
    markers: &[Marker],
    field: Field,
) -> Result<Vec<Option<Found>>, VcfAdError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bcf"))
    {
        return Err(VcfAdError::Bcf {
            path: path.to_path_buf(),
        });
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
    let mut by_allele: HashMap<(&str, u64, &str, &str), usize> = HashMap::new();
    let mut by_site: HashMap<(&str, u64), usize> = HashMap::new();
    for (i, m) in markers.iter().enumerate() {
        by_allele.insert(
            (
                m.chrom.as_str(),
                m.pos,
                m.ref_allele.as_str(),
                m.alt_allele.as_str(),
            ),
            i,
        );
        by_site.insert((m.chrom.as_str(), m.pos), i);
    }
    let mut exact: Vec<Option<Found>> = (0..markers.len()).map(|_| None).collect();
    let mut fallback: Vec<Option<Found>> = (0..markers.len()).map(|_| None).collect();
    let mut col: Option<usize> = None;
    let reader = open_text(path).map_err(io)?;
    for (i, line) in reader.lines().enumerate() {
        let lineno = i + 1;
        let line = line.map_err(io)?;
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with("##") {
            continue;
        }
        if let Some(h) = line.strip_prefix('#') {
            let names: Vec<&str> = h.split('\t').collect();
            if names.len() < 10 || names[8] != "FORMAT" {
                return Err(VcfAdError::Header { path: path.to_path_buf(), message: "no FORMAT/sample columns in the #CHROM line; expected a VCF with per-sample data".into() });
            }
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
        let chrom = cols[0];
        // Quick reject of sites far from any marker: the site must be a
        // marker position or a padded indel record starting at/before one.
        let alts: Vec<&str> = cols[4].split(',').collect();
        let mut targets: Vec<(usize, usize)> = Vec::new(); // (marker, allele index)
        for (ai, a) in alts.iter().enumerate() {
            if a.starts_with('<') || *a == "*" || *a == "." {
                continue;
            }
            let (p, r, a) = normalise_pair(pos, cols[3], a);
            if let Some(&m) = by_allele.get(&(chrom, p, r.as_str(), a.as_str())) {
                targets.push((m, ai + 1));
            }
        }
        let site = by_site.get(&(chrom, pos)).copied();
        if targets.is_empty() && site.is_none() {
            continue;
        }
        let keys: Vec<&str> = cols[8].split(':').collect();
        let vals: Vec<&str> = cols[c].split(':').collect();
        let key = match field {
            Field::Ad => "AD",
            Field::Gt => "GT",
        };
        let value = keys
            .iter()
            .position(|k| *k == key)
            .and_then(|k| vals.get(k).copied());
        let n_alleles = alts.len() + 1;
        let parse_ad = || -> Result<Option<Vec<u32>>, VcfAdError> {
            let Some(v) = value else { return Ok(None) };
            if v == "." {
                return Ok(None);
            }
            let ad: Result<Vec<u32>, _> = v.split(',').map(|x| x.parse::<u32>()).collect();
            let ad = ad.map_err(|_| {
                fmt(
                    lineno,
                    format!("AD '{v}' of sample '{sample}' is not a list of read counts"),
                )
            })?;
            if ad.len() != n_alleles {
                return Err(fmt(
                    lineno,
                    format!(
                        "AD '{v}' has {} values; expected {n_alleles} (REF + {} ALT)",
                        ad.len(),
                        alts.len()
                    ),
                ));
            }
            Ok(Some(ad))
        };
        match field {
            Field::Ad => {
                let Some(ad) = parse_ad()? else { continue };
                let total: u32 = ad.iter().sum();
                for &(m, ai) in &targets {
                    let counts = AlleleCounts {
                        ref_count: ad[0],
                        alt_count: ad[ai],
                        other: total - ad[0] - ad[ai],
                    };
                    exact[m] = Some(Found::Counts(counts));
                }
                if let Some(m) = site {
                    let mk = &markers[m];
                    if targets.iter().all(|&(t, _)| t != m)
                        && cols[3].as_bytes().first() == mk.ref_allele.as_bytes().first()
                    {
                        let counts = AlleleCounts {
                            ref_count: ad[0],
                            alt_count: 0,
                            other: total - ad[0],
                        };
                        fallback[m] = Some(Found::Counts(counts));
                    }
                }
            }
            Field::Gt => {
                let gt = value.unwrap_or(".");
                let alleles: Vec<Option<usize>> = gt
                    .split(['/', '|'])
                    .map(|x| x.parse::<usize>().ok())
                    .collect();
                for &(m, ai) in &targets {
                    let call = if alleles.iter().any(|a| a.is_none()) {
                        Err(NoCall::Missing)
                    } else if alleles.len() != 2 {
                        Err(NoCall::Unsupported)
                    } else {
                        let ids: Vec<usize> = alleles.iter().flatten().copied().collect();
                        if ids.iter().any(|&x| x != 0 && x != ai) {
                            Err(NoCall::Unsupported)
                        } else {
                            let d = ids.iter().filter(|&&x| x == ai).count() as u8;
                            Genotype::from_alt_dosage(d).ok_or(NoCall::Unsupported)
                        }
                    };
                    exact[m] = Some(Found::Call(call));
                }
                if let Some(m) = site {
                    let mk = &markers[m];
                    if targets.iter().all(|&(t, _)| t != m)
                        && cols[3].as_bytes().first() == mk.ref_allele.as_bytes().first()
                    {
                        let ids: Vec<Option<usize>> = alleles;
                        let call = if ids.iter().any(|a| a.is_none()) {
                            Err(NoCall::Missing)
                        } else if ids.len() == 2 && ids.iter().all(|a| *a == Some(0)) {
                            Ok(Genotype::HomRef)
                        } else {
                            Err(NoCall::Unsupported)
                        };
                        fallback[m] = Some(Found::Call(call));
                    }
                }
            }
        }
    }
    if col.is_none() {
        return Err(VcfAdError::Header {
            path: path.to_path_buf(),
            message: "no #CHROM header line; expected a VCF".into(),
        });
    }
    Ok(exact
        .into_iter()
        .zip(fallback)
        .map(|(e, f)| e.or(f))
        .collect())
}

/// FORMAT/AD of `sample` at every marker (`None` = marker absent from the
/// file or AD missing).
pub fn read_vcf_ad(
    path: &Path,
    sample: &str,
    markers: &[Marker],
) -> Result<Vec<Option<AlleleCounts>>, VcfAdError> {
    Ok(scan(path, sample, markers, Field::Ad)?
        .into_iter()
        .map(|f| match f {
            Some(Found::Counts(c)) => Some(c),
            _ => None,
        })
        .collect())
}

/// FORMAT/GT of `sample` at every marker (`Err(NoCall::Missing)` = absent
/// or `./.`; `Err(NoCall::Unsupported)` = not diploid biallelic for this
/// marker's ALT).
pub fn read_vcf_gt(
    path: &Path,
    sample: &str,
    markers: &[Marker],
) -> Result<Vec<GenotypeCall>, VcfAdError> {
    Ok(scan(path, sample, markers, Field::Gt)?
        .into_iter()
        .map(|f| match f {
            Some(Found::Call(c)) => c,
            _ => Err(NoCall::Missing),
        })
        .collect())
}

/// Sample names of a VCF (the columns after FORMAT).
pub fn vcf_samples(path: &Path) -> Result<Vec<String>, VcfAdError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bcf"))
    {
        return Err(VcfAdError::Bcf {
            path: path.to_path_buf(),
        });
    }
    let io = |source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    };
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

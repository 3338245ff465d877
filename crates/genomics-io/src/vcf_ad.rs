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

use std::path::{Path, PathBuf};

use graftwatch_chimerism::ngs::GenotypeCall;
use graftwatch_chimerism::{AlleleCounts, Marker};

pub use crate::ad_match::normalise_pair;
use noodles::vcf;
use noodles::vcf::variant::record::samples::series::Value;
use noodles::vcf::variant::record::samples::series::value::Array;

use crate::ad_match::{Field, MarkerIndex, Matches, Site, gt_alleles_from_text};
use crate::count_fields::CountFields;
use crate::gz_input::CheckedLines;
use crate::panel::open_text;

/// Errors reading AD/GT from a VCF; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum VcfAdError {
    /// The file could not be opened or read.
    #[error("{path}: {}", graftwatch_core::io_words::io_words(.source))]
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
        "{path}: no FORMAT/AD for sample '{sample}' at any of the {records} records at panel sites; expected allele depths (bcftools mpileup -a FORMAT/AD) or a caller's read-count fields (freebayes RO/AO, VarScan2 RD/AD, Platypus NR/NV, Strelka AU/CU/GU/TU or TAR/TIR)"
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

/// The sample columns of a VCF, from its header.
struct Layout {
    /// The header as noodles parsed it (FORMAT definitions, sample names).
    header: vcf::Header,
    /// Tab-separated columns every record must have.
    columns: usize,
    /// Index of the requested sample among the samples.
    sample: usize,
    /// The read-count fields the header defines (reading counts only).
    fields: Option<CountFields>,
}

/// One pass over a VCF's lines: header, then records matched to markers.
struct Scan<'a> {
    path: &'a Path,
    sample: &'a str,
    field: Field,
    index: MarkerIndex<'a>,
    found: Matches,
    meta: crate::vcf_text::VcfMeta,
    layout: Option<Layout>,
    record: vcf::Record,
    last_good: String,
    matched: usize,
    ad_seen: bool,
}

impl<'a> Scan<'a> {
    fn new(path: &'a Path, sample: &'a str, markers: &'a [Marker], field: Field) -> Self {
        Scan {
            path,
            sample,
            field,
            index: MarkerIndex::new(markers),
            found: Matches::new(markers.len()),
            meta: crate::vcf_text::VcfMeta::default(),
            layout: None,
            record: vcf::Record::default(),
            last_good: String::new(),
            matched: 0,
            ad_seen: false,
        }
    }

    fn fmt(&self, line: usize, message: String) -> VcfAdError {
        VcfAdError::Format {
            path: self.path.to_path_buf(),
            line,
            message,
        }
    }

    fn header_err(&self, message: String) -> VcfAdError {
        VcfAdError::Header {
            path: self.path.to_path_buf(),
            message,
        }
    }

    /// A read error: a cut file names the last complete record.
    fn read_err(&self, lineno: usize, e: std::io::Error) -> VcfAdError {
        if e.kind() != std::io::ErrorKind::UnexpectedEof {
            return VcfAdError::Io {
                path: self.path.to_path_buf(),
                source: e,
            };
        }
        VcfAdError::Truncated {
            path: self.path.to_path_buf(),
            line: lineno - 1,
            last: if self.last_good.is_empty() {
                String::new()
            } else {
                format!(" (last complete record {})", self.last_good)
            },
            message: e.to_string().trim_start_matches("truncated: ").to_string(),
        }
    }

    fn line(&mut self, lineno: usize, line: &str) -> Result<(), VcfAdError> {
        if line.is_empty() {
            return Ok(());
        }
        if line.starts_with("##") {
            if self.layout.is_none() {
                self.meta.push(lineno, line);
            }
            return Ok(());
        }
        if line.starts_with('#') {
            self.layout = Some(self.chrom_line(lineno, line)?);
            return Ok(());
        }
        self.record_line(lineno, line)
    }

    /// The `#CHROM` line: the header is parsed by noodles, the requested
    /// sample looked up.
    fn chrom_line(&mut self, lineno: usize, line: &str) -> Result<Layout, VcfAdError> {
        let columns = line.split('\t').count();
        if columns < 10 || line.split('\t').nth(8) != Some("FORMAT") {
            return Err(self.header_err(
                "no FORMAT/sample columns in the #CHROM line; expected a VCF with per-sample data"
                    .into(),
            ));
        }
        let mut header = crate::vcf_text::parse_header_as_written(&self.meta, line, lineno)
            .map_err(|m| self.header_err(m))?;
        let fields = match self.field {
            Field::Ad => Some(CountFields::from_header(&header).map_err(|m| self.header_err(m))?),
            Field::Gt => None,
        };
        crate::vcf_text::add_default_ad(&mut header);
        let names = header.sample_names();
        let Some(sample) = names.get_index_of(self.sample) else {
            return Err(VcfAdError::SampleNotFound {
                path: self.path.to_path_buf(),
                sample: self.sample.to_string(),
                available: names
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        Ok(Layout {
            header,
            columns,
            sample,
            fields,
        })
    }

    fn record_line(&mut self, lineno: usize, line: &str) -> Result<(), VcfAdError> {
        let Some(layout) = self.layout.as_ref() else {
            return Err(self.header_err(format!(
                "record at line {lineno} before the #CHROM header line"
            )));
        };
        let columns = memchr::memchr_iter(b'\t', line.as_bytes()).count() + 1;
        if columns != layout.columns {
            return Err(self.fmt(
                lineno,
                format!(
                    "{columns} columns; the #CHROM header line has {} (record cut short or malformed)",
                    layout.columns
                ),
            ));
        }
        let mut record = std::mem::take(&mut self.record);
        let done = self.record(lineno, line, &mut record);
        self.record = record;
        done
    }

    fn record(
        &mut self,
        lineno: usize,
        line: &str,
        record: &mut vcf::Record,
    ) -> Result<(), VcfAdError> {
        crate::vcf_text::parse_record(line, record).map_err(|e| {
            self.fmt(
                lineno,
                crate::vcf_text::record_message(
                    &e,
                    "CHROM POS ID REF ALT QUAL FILTER INFO FORMAT and samples",
                ),
            )
        })?;
        let pos = crate::vcf_text::position(record, line).map_err(|m| self.fmt(lineno, m))?;
        let chrom = record.reference_sequence_name();
        self.last_good = format!("{chrom}:{}", pos.map_or(0, |p| p.one_based()));
        let Some(pos) = pos else {
            return Ok(());
        };
        let alt_bases = record.alternate_bases();
        let alts: Vec<&str> = alt_bases
            .as_ref()
            .split(',')
            .filter(|a| !a.is_empty() && *a != ".")
            .collect();
        if self.field == Field::Ad {
            let end = crate::ad_match::may_be_block(&alts)
                .then(|| crate::vcf_text::info_end(record.info().as_ref()))
                .flatten();
            let site = Site {
                chrom,
                pos,
                reference: record.reference_bases(),
                alts: &alts,
                end,
            };
            return self.counts(lineno, record, &site);
        }
        let Some(hits) = self.index.hits(chrom, pos, record.reference_bases(), &alts) else {
            return Ok(());
        };
        let layout = self.layout.as_ref().expect("checked by record_line");
        let samples = record.samples();
        self.matched += 1;
        let alleles = match format_value(&layout.header, &samples, layout.sample, "GT")
            .map_err(|m| self.fmt(lineno, format!("sample '{}' {m}", self.sample)))?
        {
            Some(v) => gt_alleles(v)
                .map_err(|m| self.fmt(lineno, format!("GT of sample '{}' {m}", self.sample)))?,
            None => vec![None],
        };
        self.found.add_gt(&hits, &alleles, &self.index);
        Ok(())
    }

    /// Reads the sample's read counts at one record (any read-count fields
    /// of [`CountFields`]).
    fn counts(
        &mut self,
        lineno: usize,
        record: &vcf::Record,
        site: &Site<'_>,
    ) -> Result<(), VcfAdError> {
        let layout = self.layout.as_ref().expect("checked by record_line");
        let fields = layout.fields.as_ref().expect("read for FORMAT counts");
        let samples = record.samples();
        let (header, col) = (&layout.header, layout.sample);
        let mut get = |key: &str| match format_value(header, &samples, col, key) {
            Ok(Some(v)) => raw_ints(v, key).map(Some),
            Ok(None) => Ok(None),
            Err(m) => Err(m),
        };
        let concerned = crate::ad_match::add_record_counts(
            &mut self.found,
            &self.index,
            fields,
            site,
            &mut get,
        )
        .map_err(|(f, m)| self.fmt(lineno, format!("{f} of sample '{}' {m}", self.sample)))?;
        if concerned {
            self.matched += 1;
            let keys = samples.keys();
            self.ad_seen |= keys.iter().any(|k| fields.keys().any(|f| f == k));
        }
        Ok(())
    }

    fn finish(self) -> Result<Matches, VcfAdError> {
        if self.layout.is_none() {
            return Err(self.header_err("no #CHROM header line; expected a VCF".into()));
        }
        if self.field == Field::Ad && self.matched > 0 && !self.ad_seen {
            return Err(VcfAdError::NoAd {
                path: self.path.to_path_buf(),
                sample: self.sample.to_string(),
                records: self.matched,
            });
        }
        Ok(self.found)
    }
}

/// The value of FORMAT `key` for sample `col`, parsed by noodles; `None`
/// when the record has no such key, the sample is `.` or the value is
/// missing. More values than FORMAT keys is an error.
fn format_value<'r>(
    header: &'r vcf::Header,
    samples: &'r vcf::record::Samples<'r>,
    col: usize,
    key: &str,
) -> Result<Option<Value<'r>>, String> {
    let Some(sample) = samples.get_index(col) else {
        return Err("has no column".into());
    };
    let n_keys = samples.keys().iter().count();
    let mut found = None;
    for (i, item) in sample.iter(header).enumerate() {
        match item {
            Ok((k, v)) if k == key => found = v,
            Ok(_) => {}
            Err(_) if i >= n_keys => {
                return Err(format!(
                    "has {} FORMAT values for the {n_keys} keys of FORMAT '{}'",
                    sample.as_ref().split(':').count(),
                    samples.keys().iter().collect::<Vec<_>>().join(":")
                ));
            }
            Err(e) if samples.keys().iter().nth(i) == Some(key) => {
                return Err(format!("has a malformed {key} value ({e})"));
            }
            // A malformed value of another key is not read.
            Err(_) => {}
        }
    }
    Ok(found)
}

/// The integers of a FORMAT value (`None` elements where missing); a
/// value of another type is an error naming the key.
fn raw_ints(v: Value<'_>, key: &str) -> Result<Vec<Option<i64>>, String> {
    match v {
        Value::Array(Array::Integer(vals)) => vals
            .iter()
            .map(|x| x.map(|x| x.map(i64::from)))
            .collect::<std::io::Result<_>>()
            .map_err(|e| {
                // noodles passes on Rust's integer parse error ("invalid
                // digit found in string"): said in words.
                let why = if e.to_string().contains("too large") {
                    "a count too large to be a number of reads"
                } else {
                    "expected whole numbers of reads separated by commas, or '.'"
                };
                format!("is not a list of read counts ({why})")
            }),
        Value::Integer(n) => Ok(vec![Some(i64::from(n))]),
        other => Err(format!(
            "is not a list of read counts (a {} value; the header declares FORMAT/{key} with another Type than Integer)",
            value_kind(&other)
        )),
    }
}

/// The kind of a FORMAT value, in words.
fn value_kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::Integer(_) => "single integer",
        Value::Float(_) => "floating-point",
        Value::Character(_) => "character",
        Value::String(_) => "text",
        Value::Genotype(_) => "genotype",
        Value::Array(Array::Integer(_)) => "integer list",
        Value::Array(Array::Float(_)) => "floating-point list",
        Value::Array(Array::Character(_)) => "character list",
        Value::Array(Array::String(_)) => "text list",
    }
}

/// GT as allele indices (`None` = missing allele).
fn gt_alleles(v: Value<'_>) -> Result<Vec<Option<usize>>, String> {
    match v {
        Value::Genotype(g) => g
            .iter()
            .map(|a| a.map(|(position, _)| position))
            .collect::<std::io::Result<_>>()
            .map_err(|e| format!("is not a genotype ({e})")),
        Value::String(s) => Ok(gt_alleles_from_text(&s)),
        other => Err(format!(
            "is not a genotype (a {} value)",
            value_kind(&other)
        )),
    }
}

/// Reads the `field` of `sample` at every marker from a VCF or, when the
/// file's content is BCF, from the BCF.
fn scan(
    path: &Path,
    sample: &str,
    markers: &[Marker],
    field: Field,
) -> Result<Matches, VcfAdError> {
    let io = |source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    };
    if crate::bcf_ad::is_bcf(path).map_err(io)? {
        return crate::bcf_ad::scan_bcf(path, sample, markers, field);
    }
    let reader = open_text(path).map_err(io)?;
    let mut scan = Scan::new(path, sample, markers, field);
    for (i, line) in CheckedLines::new(reader).enumerate() {
        let line = line.map_err(|e| scan.read_err(i + 1, e))?;
        scan.line(i + 1, &line)?;
    }
    scan.finish()
}

/// A sample's read counts at the panel markers, with the notes a run
/// shows once per file: which FORMAT fields the counts were read from
/// (`counts read from FORMAT/RO and AO (freebayes) …`) and every marker
/// skipped with its reason (a gVCF reference block, a multi-ALT Platypus
/// record …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcfCounts {
    /// Per marker (`None` = absent, counts missing or unusable).
    pub counts: Vec<Option<AlleleCounts>>,
    /// Notes about the file.
    pub notes: Vec<String>,
}

/// The read counts of `sample` at every marker, from FORMAT/AD or the
/// fields another caller writes (`crate::count_fields`: freebayes RO/AO,
/// VarScan2 RD/AD, Platypus NR/NV, Strelka AU/CU/GU/TU and TAR/TIR).
pub fn read_vcf_counts(
    path: &Path,
    sample: &str,
    markers: &[Marker],
) -> Result<VcfCounts, VcfAdError> {
    let (counts, notes) = scan(path, sample, markers, Field::Ad)?.into_counts(markers);
    Ok(VcfCounts { counts, notes })
}

/// The read counts of `sample` at every marker ([`read_vcf_counts`]
/// without the notes; `None` = marker absent from the file, counts
/// missing or unusable).
pub fn read_vcf_ad(
    path: &Path,
    sample: &str,
    markers: &[Marker],
) -> Result<Vec<Option<AlleleCounts>>, VcfAdError> {
    Ok(read_vcf_counts(path, sample, markers)?.counts)
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

/// Sample names of a VCF (the columns after FORMAT, header parsed by
/// noodles) or of a BCF.
pub fn vcf_samples(path: &Path) -> Result<Vec<String>, VcfAdError> {
    let io = |source| VcfAdError::Io {
        path: path.to_path_buf(),
        source,
    };
    let header = |message| VcfAdError::Header {
        path: path.to_path_buf(),
        message,
    };
    if crate::bcf_ad::is_bcf(path).map_err(io)? {
        return crate::bcf_ad::bcf_samples(path);
    }
    let mut meta = crate::vcf_text::VcfMeta::default();
    for (i, line) in CheckedLines::new(open_text(path).map_err(io)?).enumerate() {
        let line = line.map_err(io)?;
        if line.starts_with("##") {
            meta.push(i + 1, &line);
        } else if line.starts_with("#CHROM") {
            let h = crate::vcf_text::parse_header(&meta, &line, i + 1).map_err(header)?;
            return Ok(h.sample_names().iter().cloned().collect());
        }
    }
    Err(header("no #CHROM header line; expected a VCF".into()))
}

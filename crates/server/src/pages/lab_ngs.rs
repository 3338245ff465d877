//! The NGS part of page 4: the marker panel and the reference genotypes of
//! the recipient and each donor (VCF with AD or GT, stored per patient and
//! versioned), and a post-transplant sample — a VCF with AD or a BAM (indexed
//! on arrival) — analysed against them by the library's NGS run
//! (`graftwatch_genomics_io::ngs_run`, the sequence `graftwatch chimerism
//! ngs` runs, default settings). The result with its QC flags is recorded
//! as a run for review and sign-off, like an STR run.
//!
//! The readers take paths: each upload is copied to a private temporary
//! directory that is removed when the request ends.

use std::path::{Path, PathBuf};

use graftwatch_chimerism::ngs::NgsSampleResult;
use graftwatch_genomics_io::ngs_run::{
    NgsInput, NgsRunError, NgsRunOptions, NgsSource, analyse_input, index_bam, read_references,
};
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::vcf_samples;
use graftwatch_store::NewProfile;
use graftwatch_store::hashing::{hex, random_bytes, unhex};
use serde_json::json;

use crate::error::AppError;

/// Engine recorded with every NGS run.
pub const ENGINE: &str = concat!("graftwatch ", env!("CARGO_PKG_VERSION"), " ngs/web");
/// The profile method of stored NGS reference genotypes.
pub const METHOD: &str = "ngs";
/// The profile method and person of the stored marker panel.
pub const PANEL: (&str, &str) = ("panel", "ngs_panel");

/// What an uploaded NGS file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NgsFile {
    /// VCF or BCF (plain or bgzip-compressed).
    Vcf,
    /// BAM alignments.
    Bam,
}

/// The kind of an uploaded file from its name.
pub fn file_kind(name: &str) -> Result<NgsFile, AppError> {
    let n = name.to_ascii_lowercase();
    if n.ends_with(".bam") {
        Ok(NgsFile::Bam)
    } else if [".vcf", ".vcf.gz", ".vcf.bgz", ".bcf"]
        .iter()
        .any(|e| n.ends_with(e))
    {
        Ok(NgsFile::Vcf)
    } else {
        Err(AppError::Invalid(format!(
            "field 'file': '{name}' is neither a VCF (.vcf, .vcf.gz, .bcf) nor a BAM (.bam)"
        )))
    }
}

/// A private temporary copy of an upload (the readers take paths),
/// removed with its directory when dropped.
pub struct TempUpload {
    dir: PathBuf,
    path: PathBuf,
}

impl TempUpload {
    /// Writes `bytes` under a file name keeping the upload's extension.
    pub fn new(file_name: &str, bytes: &[u8]) -> Result<TempUpload, AppError> {
        let internal = |e: std::io::Error| AppError::Internal(format!("temporary upload: {e}"));
        let tag = hex(&random_bytes(12).map_err(internal)?);
        let dir = std::env::temp_dir().join(format!("graftwatch-upload-{tag}"));
        graftwatch_store::paths::create_private_dir(&dir).map_err(internal)?;
        let safe: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("upload")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(if safe.starts_with('.') || safe.is_empty() {
            format!("upload{safe}")
        } else {
            safe
        });
        let t = TempUpload { dir, path };
        std::fs::write(&t.path, bytes).map_err(internal)?;
        Ok(t)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn invalid(name: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("{name}: {e}"))
}

/// The VCF sample asked for, or the only sample of the file.
pub fn vcf_sample(path: &Path, file_name: &str, asked: &str) -> Result<String, AppError> {
    let names = vcf_samples(path).map_err(|e| invalid(file_name, e))?;
    if asked.is_empty() {
        return match names.as_slice() {
            [one] => Ok(one.clone()),
            _ => Err(AppError::Invalid(format!(
                "field 'sample': {file_name} has {} samples ({}); name the one to use",
                names.len(),
                names.join(", ")
            ))),
        };
    }
    if names.iter().any(|n| n == asked) {
        Ok(asked.to_string())
    } else {
        Err(AppError::Invalid(format!(
            "field 'sample': {file_name} has no sample '{asked}' (it has {})",
            names.join(", ")
        )))
    }
}

/// A stored NGS profile (panel or reference genotypes) of an upload: the
/// file kept as hexadecimal, checked first (a panel must read as one; a
/// reference must be a VCF holding the sample).
pub fn profile_of(
    patient: &str,
    person: &str,
    file_name: &str,
    bytes: &[u8],
    asked_sample: &str,
) -> Result<(NewProfile, String), AppError> {
    if file_kind(file_name)? != NgsFile::Vcf {
        return Err(AppError::Invalid(format!(
            "field 'file': '{file_name}': panels and reference genotypes are VCF files (AD or GT)"
        )));
    }
    let tmp = TempUpload::new(file_name, bytes)?;
    let (method, sample) = if person == PANEL.0 {
        let markers = read_panel(tmp.path()).map_err(|e| invalid(file_name, e))?;
        (PANEL.1, format!("{} markers", markers.len()))
    } else {
        (METHOD, vcf_sample(tmp.path(), file_name, asked_sample)?)
    };
    let profile = NewProfile {
        patient: patient.to_string(),
        person: person.to_string(),
        method: method.into(),
        input_hash: graftwatch_store::hashing::sha256_hex(&[bytes]),
        profile: json!({"format": "vcf", "file_name": file_name, "sample": sample, "hex": hex(bytes)}),
    };
    Ok((profile, sample))
}

/// A stored profile's file written back to a temporary file.
fn stored_file(p: &NewProfile) -> Result<(TempUpload, String, String), AppError> {
    let f = |k: &str| p.profile[k].as_str().unwrap_or("").to_string();
    let bytes = unhex(&f("hex")).ok_or_else(|| {
        AppError::Internal(format!(
            "stored NGS profile of {} is not readable",
            p.person
        ))
    })?;
    let name = f("file_name");
    Ok((TempUpload::new(&name, &bytes)?, name, f("sample")))
}

/// The stored panel, recipient and donors of a patient (recipient first).
struct References<'a> {
    panel: &'a NewProfile,
    persons: Vec<&'a NewProfile>,
}

fn references<'a>(
    stored: &'a [(NewProfile, i64)],
    donors: &[String],
) -> Result<References<'a>, AppError> {
    let find = |person: &str, method: &str| {
        stored
            .iter()
            .find(|(p, _)| p.person == person && p.method == method)
            .map(|(p, _)| p)
    };
    let panel = find(PANEL.0, PANEL.1).ok_or_else(|| {
        AppError::Invalid("no NGS marker panel stored for this patient: upload it first".into())
    })?;
    let recipient = find("recipient", METHOD).ok_or_else(|| {
        AppError::Invalid("no NGS reference genotypes for the recipient: upload them first".into())
    })?;
    let mut persons = vec![recipient];
    persons.extend(donors.iter().filter_map(|d| find(d, METHOD)));
    if persons.len() < 2 {
        return Err(AppError::Invalid(
            "no NGS reference genotypes for any donor: upload them first".into(),
        ));
    }
    Ok(References { panel, persons })
}

/// An NGS run's error as the page shows it: the private temporary paths
/// replaced by the names of the files they hold; a counting worker's panic
/// is an internal error.
fn run_error(e: NgsRunError, files: &[(TempUpload, String)]) -> AppError {
    let mut text = e.to_string();
    for (tmp, name) in files {
        text = text.replace(&tmp.path().display().to_string(), name);
    }
    if e.is_internal() {
        AppError::Internal(text)
    } else {
        AppError::Invalid(text)
    }
}

/// An uploaded post-transplant sample analysed against the stored panel
/// and references with the library's NGS run
/// (`graftwatch_genomics_io::ngs_run`, the steps of `graftwatch chimerism
/// ngs`, default settings; a BAM is indexed first); returns the run's
/// results for the store (shares in per cent with their intervals, QC
/// flags, and the full per-sample result) and the sample name.
pub fn analyse(
    stored: &[(NewProfile, i64)],
    donors: &[String],
    file_name: &str,
    bytes: &[u8],
    asked_sample: &str,
) -> Result<(serde_json::Value, String), AppError> {
    let refs = references(stored, donors)?;
    let (panel_tmp, panel_name, _) = stored_file(refs.panel)?;
    let mut files = vec![(panel_tmp, format!("stored panel {panel_name}"))];
    let mut persons = Vec::new();
    for p in &refs.persons {
        let (tmp, name, sample) = stored_file(p)?;
        let label = format!("stored reference of {} ({name})", p.person);
        persons.push(NgsInput {
            name: p.person.clone(),
            source: NgsSource::Vcf {
                path: tmp.path().to_path_buf(),
                sample,
            },
            label: label.clone(),
        });
        files.push((tmp, label));
    }
    let upload = TempUpload::new(file_name, bytes)?;
    let path = upload.path().to_path_buf();
    files.push((upload, file_name.to_string()));
    let opts = NgsRunOptions::default();
    let run =
        read_references(files[0].0.path(), &persons, &opts).map_err(|e| run_error(e, &files))?;
    let (source, sample) = match file_kind(file_name)? {
        NgsFile::Vcf => {
            let sample = vcf_sample(&path, file_name, asked_sample)?;
            let source = NgsSource::Vcf {
                path,
                sample: sample.clone(),
            };
            (source, sample)
        }
        NgsFile::Bam => {
            index_bam(&path, file_name).map_err(|e| run_error(e, &files))?;
            let sample = if asked_sample.is_empty() {
                file_name
            } else {
                asked_sample
            };
            (NgsSource::Alignment { path }, sample.to_string())
        }
    };
    let input = NgsInput {
        name: sample.clone(),
        source,
        label: file_name.to_string(),
    };
    let result = analyse_input(&run, &input, &opts, 1).map_err(|e| run_error(e, &files))?;
    Ok((results_json(&result)?, sample))
}

/// The run's results in the shape the lab page and the sign-off read for
/// every method: `persons` (person, percent, the share as reported — `< LoD`
/// when not detected — and the 95 % interval in per cent),
/// `flags` (code, text), plus the full NGS result.
fn results_json(r: &NgsSampleResult) -> Result<serde_json::Value, AppError> {
    let persons: Vec<serde_json::Value> = r
        .persons
        .iter()
        .filter_map(|p| {
            let f = p.fraction?.get();
            Some(json!({
                "person": p.person_ref(),
                "percent": 100.0 * f,
                "reported": p.reported_percent(r.recipient_detected),
                "detected": p.detected(r.recipient_detected),
                "lod_percent": p.detection.map(|d| 100.0 * d.lod),
                "ci": p.ci.as_ref().map(|c| json!({"low": 100.0 * c.low.get(), "high": 100.0 * c.high.get()})),
            }))
        })
        .collect();
    let flags: Vec<serde_json::Value> = r
        .flags
        .iter()
        .map(|f| json!({"code": f.code, "text": f.text}))
        .collect();
    let full = serde_json::to_value(r).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut out = json!({"persons": persons, "flags": flags, "ngs": full});
    if persons.is_empty() {
        out["refused"] = json!("no person could be estimated from this sample");
    }
    Ok(out)
}

//! `chimerism str|ngs … --add-to PATIENT --db URL`: the results go to a
//! stored patient instead of a course file. The library does the work
//! (`Store::add_chimerism`: the same attach function as for files, one new
//! revision, the run recorded with its input file hashes, parameters,
//! engine version and results, audited with the actor); this module only
//! decides whether `--add-to` names a stored patient and gathers the run
//! record from the command line.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use graftwatch_course::ChimerismResult;
use graftwatch_store::NewRun;
use graftwatch_store::hashing::sha256_hex;

use super::chimerism_ngs::{NgsArgs, NgsRun};
use super::chimerism_str::{StrArgs, StrRun};
use super::store_common::{StoreOpts, store_err};
use crate::BadInput;

/// `--db` and `--actor` of the chimerism commands.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreTarget {
    /// The store holding the patient named by --add-to: a SQLite file,
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB (default:
    /// $GRAFTWATCH_DB when --add-to is not an existing file).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Who is acting, recorded in the revision and the audit trail
    /// (default: $GRAFTWATCH_ACTOR, else the operating-system user).
    #[arg(long)]
    pub actor: Option<String>,
}

impl StoreTarget {
    /// The stored patient `--add-to` names: with `--db`, always; with only
    /// `$GRAFTWATCH_DB` set, when the value is not an existing file (a
    /// course file given by path stays a course file).
    pub fn patient(&self, add_to: Option<&Path>) -> Option<String> {
        let a = add_to?;
        let env = std::env::var("GRAFTWATCH_DB").is_ok_and(|v| !v.trim().is_empty());
        (self.db.is_some() || (env && !a.exists())).then(|| a.to_string_lossy().into_owned())
    }
}

/// `(file name, SHA-256)` of each existing input file, each once.
fn hash_inputs(paths: impl IntoIterator<Item = PathBuf>) -> anyhow::Result<Vec<(String, String)>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for p in paths {
        if !p.is_file() || !seen.insert(p.clone()) {
            continue;
        }
        let bytes = std::fs::read(&p)
            .map_err(|e| BadInput(format!("{}: cannot read the input file: {e}", p.display())))?;
        let name = p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        out.push((name, sha256_hex(&[&bytes])));
    }
    Ok(out)
}

/// The file of a `NAME=FILE[:…]` input spec.
fn spec_file(spec: &str) -> PathBuf {
    let rest = spec.split_once('=').map_or(spec, |(_, r)| r);
    PathBuf::from(rest.split(':').next().unwrap_or(rest))
}

/// Attaches, records and reports (one line on stderr; stdout keeps the
/// run's table/JSON/CSV).
fn add(
    target: &StoreTarget,
    patient: &str,
    method: &str,
    inputs: Vec<(String, String)>,
    parameters: serde_json::Value,
    results_json: serde_json::Value,
    results: &[ChimerismResult],
) -> anyhow::Result<()> {
    let opts = StoreOpts {
        db: target.db.clone(),
        actor: target.actor.clone(),
    };
    let (store, actor) = opts.open()?;
    let run = NewRun {
        patient: patient.to_string(),
        method: method.to_string(),
        input_hashes: inputs,
        parameters,
        engine_version: format!("graftwatch {}", env!("CARGO_PKG_VERSION")),
        results: results_json,
    };
    let added = store
        .add_chimerism(&actor, &run, results)
        .map_err(store_err)?;
    match &added.revision {
        Some(m) => eprintln!(
            "patient {patient}: revision {} ({} chimerism values added, {} earlier ones replaced); run {} recorded",
            m.rev, added.summary.added, added.summary.replaced, added.run_id
        ),
        None => eprintln!(
            "patient {patient}: unchanged (the course already holds these results); run {} recorded",
            added.run_id
        ),
    }
    store.close();
    Ok(())
}

/// `chimerism str … --add-to PATIENT --db URL`.
pub fn add_str(
    a: &StrArgs,
    patient: &str,
    tables: Vec<PathBuf>,
    run: &StrRun,
    results: &[ChimerismResult],
) -> anyhow::Result<()> {
    let kit_file = a.kit.as_ref().map(PathBuf::from);
    let inputs = hash_inputs(
        tables
            .into_iter()
            .chain(a.run_sheet.clone())
            .chain(kit_file),
    )?;
    let parameters = serde_json::json!({
        "kit": a.kit,
        "measure": a.measure.to_possible_value().map(|v| v.get_name().to_string()),
        "analytical_threshold_rfu": a.analytical_threshold,
        "relative_threshold": a.relative_threshold,
        "saturation_rfu": a.saturation,
        "lod_percent": a.lod,
        "loq_percent": a.loq,
        "stutter_model": !a.no_stutter_model,
        "include_amelogenin": a.include_amelogenin,
        "bootstrap_replicates": a.bootstrap,
        "min_purity_percent": a.min_purity,
        "purities": a.purities,
        "syngeneic": a.syngeneic,
        "allow_identical": a.allow_identical,
        "recipient": a.recipient,
        "donors": a.donors,
        "samples": a.samples,
    });
    let json = serde_json::to_value(run)?;
    add(&a.store, patient, "str", inputs, parameters, json, results)
}

/// `chimerism ngs … --add-to PATIENT --db URL`.
pub fn add_ngs(
    a: &NgsArgs,
    patient: &str,
    run: &NgsRun,
    results: &[ChimerismResult],
) -> anyhow::Result<()> {
    let specs = std::iter::once(&a.recipient)
        .chain(&a.donors)
        .chain(&a.samples)
        .map(|s| spec_file(s));
    let files = [
        Some(a.panel.clone()),
        a.reference.clone(),
        a.error_table.clone(),
    ];
    let inputs = hash_inputs(files.into_iter().flatten().chain(specs))?;
    let parameters = serde_json::json!({
        "min_depth": a.min_depth,
        "min_split_markers": a.min_split_markers,
        "keep_outliers": a.keep_outliers,
        "lod_target_percent": a.lod_target,
        "strict": a.strict,
        "recipient": a.recipient,
        "donors": a.donors,
        "samples": a.samples,
    });
    let json = serde_json::to_value(run)?;
    add(&a.store, patient, "ngs", inputs, parameters, json, results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_file_takes_the_file_of_a_spec() {
        assert_eq!(spec_file("R=pre.vcf.gz:REC"), PathBuf::from("pre.vcf.gz"));
        assert_eq!(
            spec_file("d30=post.bam:cd3:2026-03-02"),
            PathBuf::from("post.bam")
        );
        assert_eq!(spec_file("plain.tsv"), PathBuf::from("plain.tsv"));
    }
}

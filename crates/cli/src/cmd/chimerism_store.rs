//! `chimerism str|ngs … --add-to PATIENT --db URL`: the results go to a
//! stored patient instead of a course file. The library does the work
//! (`Store::add_chimerism`: the same attach function as for files, one new
//! revision, the run recorded with its input file hashes, parameters,
//! engine version and results, audited with the actor); this module only
//! decides whether `--add-to` names a stored patient and gathers the run
//! record from the command line.
//!
//! Reference profiles: a run added to a stored patient records the
//! recipient's and each donor's reference input (the file, the sample in
//! it) as the patient's reference profiles (a new version only when the
//! file or sample changed). Later runs reuse them with `--recipient stored`
//! and `--donor stored` (every stored donor) or `--donor NAME=stored`: the
//! stored files are written to a private temporary directory for the run.

use std::path::{Path, PathBuf};

use clap::Args;
use graftwatch_course::ChimerismResult;
use graftwatch_store::hashing::sha256_hex;
use graftwatch_store::{Actor, NewProfile, NewRun, Store};

use super::chimerism_ngs::{NgsArgs, NgsRun};
use super::chimerism_plan::Analysis;
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

/// `(name, value)` pairs: hashed input files, reference specs.
type Named = Vec<(String, String)>;

/// Largest reference file kept in the store (bytes).
const MAX_PROFILE_FILE: u64 = 16 << 20;

/// `(person, spec)` of the recipient (`recipient`) and each donor (its
/// NAME) from `NAME=FILE:…` specs.
fn reference_specs<'a>(
    recipient: impl Iterator<Item = &'a String>,
    donors: &'a [String],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = recipient
        .map(|r| ("recipient".to_string(), r.clone()))
        .collect();
    for d in donors {
        if let Some((name, _)) = d.split_once('=') {
            out.push((name.to_string(), d.clone()));
        }
    }
    out
}

/// `(person, NAME=FILE[:SAMPLE])` of a run-sheet analysis's recipient and
/// donors, as [`reference_specs`] gives for the command line.
fn analysis_reference_specs(a: &Analysis) -> Vec<(String, String)> {
    std::iter::once(&a.recipient)
        .chain(&a.donors)
        .map(|r| {
            let files = r
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(",");
            let sample = r
                .sample
                .as_deref()
                .map(|s| format!(":{s}"))
                .unwrap_or_default();
            (r.name.clone(), format!("{}={files}{sample}", r.name))
        })
        .collect()
}

/// The profile record of one reference spec: the spec's NAME, the file's
/// name, what follows the file in the spec (`:SAMPLE`), and the file's
/// content (UTF-8 text, else hexadecimal); `None` when the file is larger
/// than [`MAX_PROFILE_FILE`].
fn profile_of(spec: &str) -> anyhow::Result<Option<(String, serde_json::Value)>> {
    let (name, rest) = spec.split_once('=').unwrap_or(("", spec));
    let file = spec_file(spec);
    let suffix = rest.get(file.as_os_str().len()..).unwrap_or("");
    let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    if len > MAX_PROFILE_FILE {
        return Ok(None);
    }
    let bytes = std::fs::read(&file).map_err(|e| {
        BadInput(format!(
            "{}: cannot read the input file: {e}",
            file.display()
        ))
    })?;
    let hash = sha256_hex(&[&bytes]);
    let file_name = file
        .file_name()
        .map_or_else(|| "reference".into(), |n| n.to_string_lossy().into_owned());
    let content = match String::from_utf8(bytes) {
        Ok(t) => serde_json::json!({ "content": t }),
        Err(e) => {
            serde_json::json!({ "content_hex": graftwatch_store::hashing::hex(e.as_bytes()) })
        }
    };
    let mut v = serde_json::json!({ "name": name, "file_name": file_name, "suffix": suffix });
    if let (Some(o), Some(c)) = (v.as_object_mut(), content.as_object()) {
        o.extend(c.clone());
    }
    Ok(Some((hash, v)))
}

/// Records each reference input as the patient's profile for `method`
/// unless the latest stored version already holds the same file and sample.
fn save_profiles(
    store: &Store,
    actor: &Actor,
    patient: &str,
    method: &str,
    refs: &[(String, String)],
) -> anyhow::Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let stored = store.profiles(actor, patient).map_err(store_err)?;
    for (person, spec) in refs {
        let Some((hash, profile)) = profile_of(spec)? else {
            eprintln!(
                "note: the reference file of {person} is larger than 16 MiB: not stored as a profile"
            );
            continue;
        };
        let same = stored.iter().any(|(p, _)| {
            p.person == *person
                && p.method == method
                && p.input_hash == hash
                && p.profile == profile
        });
        if !same {
            let p = NewProfile {
                patient: patient.into(),
                person: person.clone(),
                method: method.into(),
                input_hash: hash,
                profile,
            };
            store.put_profile(actor, &p).map_err(store_err)?;
        }
    }
    Ok(())
}

/// A private temporary directory (mode 0700) holding stored reference
/// files for one run; removed when dropped.
#[derive(Debug)]
pub struct RefDir(PathBuf);

impl RefDir {
    fn create() -> anyhow::Result<RefDir> {
        use std::os::unix::fs::DirBuilderExt;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("graftwatch-refs-{}-{nanos}", std::process::id()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}: cannot create a temporary directory: {e}",
                    path.display()
                )
            })?;
        Ok(RefDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for RefDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether a reference spec asks for the stored profile: `stored` or
/// `NAME=stored`.
fn wants_stored(spec: &str) -> bool {
    spec == "stored" || spec.split_once('=').is_some_and(|(_, r)| r == "stored")
}

/// Writes a stored profile's file into `dir` and returns the spec that
/// names it (`NAME=DIR/FILE:SAMPLE`).
fn materialise(dir: &Path, person: &str, p: &NewProfile) -> anyhow::Result<String> {
    let field = |k: &str| p.profile.get(k).and_then(|v| v.as_str());
    let bytes = match (field("content"), field("content_hex")) {
        (Some(t), _) => t.as_bytes().to_vec(),
        (None, Some(h)) => graftwatch_store::hashing::unhex(h).unwrap_or_default(),
        (None, None) => anyhow::bail!(BadInput(format!(
            "patient '{}': the stored {} reference profile of {person} holds no file (purged, or stored by another program)",
            p.patient, p.method
        ))),
    };
    if sha256_hex(&[&bytes]) != p.input_hash {
        anyhow::bail!(BadInput(format!(
            "patient '{}': the stored {} reference profile of {person} does not match its recorded SHA-256",
            p.patient, p.method
        )));
    }
    let sub = dir.join(sha256_hex(&[person.as_bytes()]).get(..16).unwrap_or("p"));
    std::fs::create_dir_all(&sub)?;
    let file_name = Path::new(field("file_name").unwrap_or("reference"))
        .file_name()
        .map_or_else(|| "reference".into(), |n| n.to_string_lossy().into_owned());
    let path = sub.join(file_name);
    std::fs::write(&path, &bytes)?;
    let name = field("name").filter(|n| !n.is_empty()).unwrap_or(person);
    Ok(format!(
        "{name}={}{}",
        path.display(),
        field("suffix").unwrap_or("")
    ))
}

/// Replaces `stored` reference specs by the stored patient's reference
/// files (see the module documentation). Returns the temporary directory
/// holding them (keep it until the run is done), or `None` when no spec
/// asks for a stored profile.
fn resolve_stored(
    target: &StoreTarget,
    add_to: Option<&Path>,
    method: &str,
    recipient: &mut String,
    donors: &mut Vec<String>,
) -> anyhow::Result<Option<RefDir>> {
    if !wants_stored(recipient) && !donors.iter().any(|d| wants_stored(d)) {
        return Ok(None);
    }
    let Some(patient) = target.patient(add_to) else {
        anyhow::bail!(BadInput(
            "'stored' reference profiles need --add-to PATIENT with --db URL (or $GRAFTWATCH_DB): they are read from the stored patient".into()
        ));
    };
    let opts = StoreOpts {
        db: target.db.clone(),
        actor: target.actor.clone(),
    };
    let (store, actor) = opts.open()?;
    let profiles: Vec<NewProfile> = store
        .profiles(&actor, &patient)
        .map_err(store_err)?
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.method == method)
        .collect();
    store.close();
    let dir = RefDir::create()?;
    let find = |person: &str| {
        profiles.iter().find(|p| p.person == person).ok_or_else(|| {
            BadInput(format!(
                "patient '{patient}' has no stored {method} reference profile for {person} (profiles are stored by an earlier run with --add-to {patient})"
            ))
        })
    };
    if wants_stored(recipient) {
        *recipient = materialise(dir.path(), "recipient", find("recipient")?)?;
    }
    let mut out = Vec::new();
    for d in donors.iter() {
        match d.split_once('=') {
            _ if d == "stored" => {
                let all: Vec<&NewProfile> = profiles
                    .iter()
                    .filter(|p| p.person != "recipient")
                    .collect();
                if all.is_empty() {
                    anyhow::bail!(BadInput(format!(
                        "patient '{patient}' has no stored {method} donor reference profile"
                    )));
                }
                for p in all {
                    out.push(materialise(dir.path(), &p.person, p)?);
                }
            }
            Some((name, "stored")) => out.push(materialise(dir.path(), name, find(name)?)?),
            _ => out.push(d.clone()),
        }
    }
    *donors = out;
    Ok(Some(dir))
}

/// `chimerism str`: replaces `--recipient stored` / `--donor stored` /
/// `--donor NAME=stored` by the stored patient's reference files.
pub fn resolve_stored_str(a: &mut StrArgs) -> anyhow::Result<Option<RefDir>> {
    match a.recipient.as_mut() {
        Some(r) => resolve_stored(&a.store, a.add_to.as_deref(), "str", r, &mut a.donors),
        None => Ok(None),
    }
}

/// `chimerism ngs`: as [`resolve_stored_str`].
pub fn resolve_stored_ngs(a: &mut NgsArgs) -> anyhow::Result<Option<RefDir>> {
    match a.recipient.as_mut() {
        Some(r) => resolve_stored(&a.store, a.add_to.as_deref(), "ngs", r, &mut a.donors),
        None => Ok(None),
    }
}

/// Attaches, records and reports (`(inputs, refs)`: the hashed input
/// files and the reference specs to keep as profiles) (one line on stderr; stdout keeps the
/// run's table/JSON/CSV).
fn add(
    target: &StoreTarget,
    patient: &str,
    method: &str,
    (inputs, refs): (Named, Named),
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
    save_profiles(&store, &actor, patient, method, &refs)?;
    crate::exit::print_notes(&format!("patient {patient}"), &added.summary.warnings);
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
            .chain(a.plate.run_sheet.clone())
            .chain(kit_file),
    )?;
    let parameters = serde_json::json!({
        "kit": a.kit,
        "measure": run.measure.as_str(),
        "analytical_threshold_rfu": run.analytical_threshold_rfu,
        "relative_threshold": a.relative_threshold,
        "saturation_rfu": a.saturation,
        "lod_percent": a.lod,
        "loq_percent": a.loq,
        "stutter_model": !a.no_stutter_model,
        "include_amelogenin": a.include_amelogenin,
        "bootstrap_replicates": a.bootstrap,
        "min_purity_percent": a.plate.min_purity,
        "purities": a.plate.purities,
        "syngeneic": a.identity.syngeneic,
        "allow_identical": a.identity.allow_identical,
        "recipient": a.recipient,
        "donors": a.donors,
        "samples": a.samples,
    });
    let json = serde_json::to_value(run)?;
    let refs = reference_specs(a.recipient.iter(), &a.donors);
    add(
        &a.store,
        patient,
        "str",
        (inputs, refs),
        parameters,
        json,
        results,
    )
}

/// `chimerism ngs … --add-to PATIENT --db URL`.
pub fn add_ngs(
    a: &NgsArgs,
    patient: &str,
    run: &NgsRun,
    results: &[ChimerismResult],
    analysis: &Analysis,
) -> anyhow::Result<()> {
    let inputs_of = std::iter::once(&analysis.recipient)
        .chain(&analysis.donors)
        .chain(analysis.samples.iter().map(|s| &s.input))
        .flat_map(|r| r.files.iter().cloned());
    let files = [
        Some(a.panel.clone()),
        a.reference.clone(),
        a.error_table.clone(),
        a.plate.run_sheet.clone(),
    ];
    let inputs = hash_inputs(files.into_iter().flatten().chain(inputs_of))?;
    let parameters = serde_json::json!({
        "min_depth": a.min_depth,
        "min_split_markers": a.min_split_markers,
        "keep_outliers": a.keep_outliers,
        "lod_target_percent": a.lod_target,
        "strict": a.strict,
        "syngeneic": a.identity.syngeneic,
        "allow_identical": a.identity.allow_identical,
        "recipient": a.recipient,
        "donors": a.donors,
        "samples": a.samples,
        "run_sheet": a.plate.run_sheet,
        "purities": a.plate.purities,
        "min_purity_percent": a.plate.min_purity,
    });
    let json = serde_json::to_value(run)?;
    let refs = match &a.recipient {
        Some(r) => reference_specs(std::iter::once(r), &a.donors),
        None => analysis_reference_specs(analysis),
    };
    add(
        &a.store,
        patient,
        "ngs",
        (inputs, refs),
        parameters,
        json,
        results,
    )
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

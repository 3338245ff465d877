//! Page 4, lab upload and sign-off: the reference STR profiles of the
//! patient's recipient and donors (stored per patient, versioned), an STR
//! peak table of a post-transplant sample analysed against them with the
//! command line's reader (`genemapper`) and estimator (`StrReferences`), the
//! result with its QC flags for review, and the sign-off, which records the
//! sign-off and attaches the shares to the course as one revision (both
//! audited). Uploads are limited to [`MAX_FILE_BYTES`].

use askama::Template;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use graftwatch_chimerism::str::{Kit, StrConfig, StrProfile, StrReferences, threshold};
use graftwatch_core::{Date, DonorId, Lineage, PersonRef};
use graftwatch_course::{ChimerismMethod, ChimerismResult, Course, PersonShare, attach_chimerism};
use graftwatch_genomics_io::genemapper::{GeneMapperOptions, GeneMapperTable, parse_genemapper};
use graftwatch_store::change::addition;
use graftwatch_store::hashing::sha256_hex;
use graftwatch_store::{Change, Channel, NewProfile, NewRun, Run, Store};
use serde_json::json;

use super::lab_ngs;
use crate::app::AppState;
use crate::auth::Identity;
use crate::error::{AppError, PageError};
use crate::templates::{Chrome, render};

/// Largest lab file accepted (bytes).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Engine recorded with every run.
pub const ENGINE: &str = concat!("graftwatch ", env!("CARGO_PKG_VERSION"), " str/web");

/// The lab page.
#[derive(Template)]
#[template(path = "pages/lab.html")]
pub struct LabPage {
    /// Layout.
    pub chrome: Chrome,
    /// Patient.
    pub patient: String,
    /// People a reference can be for: `recipient` and the course's donors.
    pub persons: Vec<String>,
    /// Stored references (person, method, sample, file, version).
    pub references: Vec<(String, String, String, String, i64)>,
    /// Lineages (value, label).
    pub lineages: Vec<(&'static str, String)>,
    /// What an NGS reference can be: the marker panel, the recipient, the donors.
    pub ngs_persons: Vec<(String, String)>,
    /// Kits of the sample form (value, label): none first, then the built-in kits.
    pub kits: Vec<(String, String)>,
    /// Runs, newest first.
    pub runs: Vec<RunView>,
    /// A message after an action.
    pub message: Option<String>,
    /// Why the last action was refused (htmx requests get the page back
    /// with it, since htmx does not swap error responses).
    pub error: Option<String>,
}

/// A run as shown.
pub struct RunView {
    /// Id.
    pub id: String,
    /// Short id.
    pub short: String,
    /// When and by whom.
    pub at: String,
    /// Author.
    pub author: String,
    /// Sample, lineage, date.
    pub what: String,
    /// Shares per person.
    pub shares: Vec<String>,
    /// QC flags.
    pub flags: Vec<String>,
    /// Refusal reason (no estimate).
    pub refused: Option<String>,
    /// Sign-offs.
    pub signoffs: Vec<String>,
}

/// A person's share on the page: as reported (`< LoD` when not detected,
/// runs recorded since stop 34), else the estimate (older runs).
fn shown_share(x: &serde_json::Value) -> String {
    match x["reported"].as_str() {
        Some(r) => r.to_string(),
        None => format!("{:.1}", x["percent"].as_f64().unwrap_or(f64::NAN)),
    }
}

fn run_view(r: &Run) -> RunView {
    let res = &r.run.results;
    let p = &r.run.parameters;
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let shares = res["persons"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    let ci = match (x["ci"]["low"].as_f64(), x["ci"]["high"].as_f64()) {
                        (Some(l), Some(h)) => format!(" (95 % CI {l:.1}–{h:.1})"),
                        _ => String::new(),
                    };
                    let who = match &x["person"] {
                        serde_json::Value::String(s) => s.clone(),
                        other => other
                            .get("donor")
                            .and_then(|d| d.as_str())
                            .map(str::to_string)
                            .unwrap_or_else(|| other.to_string()),
                    };
                    format!("{who}: {} %{ci}", shown_share(x))
                })
                .collect()
        })
        .unwrap_or_default();
    let flags = res["flags"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| format!("{}: {}", s(&f["code"]), s(&f["text"])))
                .collect()
        })
        .unwrap_or_default();
    RunView {
        short: r.run_id.chars().take(10).collect(),
        id: r.run_id.clone(),
        at: r.at.clone(),
        author: r.author.clone(),
        what: format!(
            "{} · sample {} · {} · {}{}",
            if r.run.method == lab_ngs::METHOD {
                "NGS"
            } else {
                "STR"
            },
            s(&p["sample"]),
            s(&p["lineage"]).replace('_', " "),
            s(&p["date"]),
            match p["kit"].as_str() {
                Some(k) if k != "generic" => format!(" · kit {k}"),
                _ => String::new(),
            }
        ),
        shares,
        flags,
        refused: res["refused"].as_str().map(str::to_string),
        signoffs: r
            .signoffs
            .iter()
            .map(|(who, role, at, meaning)| format!("{who} ({role}) {at}: {meaning}"))
            .collect(),
    }
}

/// The kit choices of the sample form: none (the generic defaults), then
/// every built-in kit by its full name.
fn kit_choices() -> Vec<(String, String)> {
    let generic = Kit::generic();
    let none = (
        String::new(),
        format!(
            "none: generic stutter defaults, saturation at {} RFU",
            generic.saturation_rfu
        ),
    );
    std::iter::once(none)
        .chain(
            Kit::built_in_names()
                .filter(|n| *n != "generic")
                .filter_map(|n| Kit::built_in(n).ok())
                .map(|k| (k.name, k.title)),
        )
        .collect()
}

fn persons(c: &Course) -> Vec<String> {
    std::iter::once("recipient".to_string())
        .chain(c.donors.iter().map(|d| d.id.0.clone()))
        .collect()
}

async fn lab_page(
    state: &AppState,
    id: &Identity,
    pid: String,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    lab_page_with(state, id, pid, message, None).await
}

async fn lab_page_with(
    state: &AppState,
    id: &Identity,
    pid: String,
    message: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let (course, _) = super::load_course(state, id, &pid).await?;
    let actor = id.actor(Channel::Web);
    let p = pid.clone();
    let (profiles, runs) = state
        .db(move |s: &Store| Ok((s.profiles(&actor, &p)?, s.runs(&actor, &p)?)))
        .await?;
    let references = profiles
        .iter()
        .map(|(p, v)| {
            let f = |k: &str| p.profile[k].as_str().unwrap_or("").to_string();
            let method = match p.method.as_str() {
                "str" => "STR peak table",
                m if m == lab_ngs::PANEL.1 => "NGS marker panel",
                _ => "NGS genotypes",
            };
            (
                p.person.clone(),
                method.to_string(),
                f("sample"),
                f("file_name"),
                *v,
            )
        })
        .collect();
    let page = LabPage {
        chrome: Chrome::for_identity(id, "/ward"),
        persons: persons(&course),
        patient: pid,
        references,
        lineages: Lineage::ALL
            .iter()
            .map(|l| (l.as_str(), l.as_str().replace('_', " ")))
            .collect(),
        ngs_persons: std::iter::once((
            lab_ngs::PANEL.0.to_string(),
            "marker panel (sites VCF)".to_string(),
        ))
        .chain(persons(&course).into_iter().map(|p| (p.clone(), p)))
        .collect(),
        kits: kit_choices(),
        runs: runs.iter().rev().map(run_view).collect(),
        message,
        error,
    };
    Ok(Html(render(&page)))
}

/// `GET /patients/{id}/lab`.
pub async fn page(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
) -> Result<Html<String>, PageError> {
    let pid = super::check_id(&pid)?;
    lab_page(&state, &id, pid, None).await
}

/// The fields of an upload form: text fields and one file.
#[derive(Default)]
struct Upload {
    fields: std::collections::HashMap<String, String>,
    file_name: String,
    file: Vec<u8>,
}

impl Upload {
    fn field(&self, k: &str) -> &str {
        self.fields.get(k).map(|s| s.trim()).unwrap_or("")
    }
}

async fn read_upload(mut mp: Multipart) -> Result<Upload, AppError> {
    let mut u = Upload::default();
    while let Some(mut f) = mp
        .next_field()
        .await
        .map_err(|e| AppError::Invalid(format!("the upload could not be read: {e}")))?
    {
        let name = f.name().unwrap_or("").to_string();
        if name == "file" {
            u.file_name = f.file_name().unwrap_or("upload.txt").to_string();
            while let Some(chunk) = f
                .chunk()
                .await
                .map_err(|e| AppError::Invalid(format!("the upload could not be read: {e}")))?
            {
                if u.file.len() + chunk.len() > MAX_FILE_BYTES {
                    return Err(AppError::Invalid(format!(
                        "file '{}' is larger than {} MiB: export only this run's samples",
                        u.file_name,
                        MAX_FILE_BYTES / (1024 * 1024)
                    )));
                }
                u.file.extend_from_slice(&chunk);
            }
        } else {
            let text = f
                .text()
                .await
                .map_err(|e| AppError::Invalid(format!("field '{name}': {e}")))?;
            if text.len() > 4096 {
                return Err(AppError::Invalid(format!("field '{name}' is too long")));
            }
            u.fields.insert(name, text);
        }
    }
    if u.file.is_empty() {
        return Err(AppError::Invalid(
            "field 'file': choose a peak table file (it was empty or missing)".into(),
        ));
    }
    Ok(u)
}

fn table(u: &Upload) -> Result<(GeneMapperTable, String), AppError> {
    let text = String::from_utf8(u.file.clone()).map_err(|e| {
        AppError::Invalid(format!(
            "{}: byte {} is not UTF-8 text; export the peak table as text (tab- or comma-separated)",
            u.file_name,
            e.utf8_error().valid_up_to()
        ))
    })?;
    let t = parse_genemapper(
        &text,
        std::path::Path::new(&u.file_name),
        GeneMapperOptions::default(),
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((t, text))
}

/// The sample asked for, or the only sample of the file.
fn pick<'a>(t: &'a GeneMapperTable, sample: &str) -> Result<(String, &'a StrProfile), AppError> {
    if sample.is_empty() {
        if t.samples.len() == 1 {
            let (n, p) = t
                .samples
                .iter()
                .next()
                .ok_or_else(|| AppError::Invalid("no sample".into()))?;
            return Ok((n.clone(), p));
        }
        return Err(AppError::Invalid(format!(
            "field 'sample': the file has {} samples ({}); name the one to use",
            t.samples.len(),
            t.samples.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let p = t
        .profile(sample)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((sample.to_string(), p))
}

fn is_htmx(h: &HeaderMap) -> bool {
    h.get("hx-request").is_some_and(|v| v == "true")
}

/// A refused upload: for htmx the lab page with the reason (htmx swaps
/// only successful responses), else the error page (422).
async fn refused(
    state: &AppState,
    id: &Identity,
    pid: String,
    htmx: bool,
    r: Result<Response, PageError>,
) -> Result<Response, PageError> {
    match r {
        Err(PageError(AppError::Invalid(m))) if htmx => {
            Ok(lab_page_with(state, id, pid, None, Some(m))
                .await?
                .into_response())
        }
        other => other,
    }
}

/// Which lab upload form was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabForm {
    /// A reference profile of the recipient or a donor.
    Reference,
    /// A post-transplant sample to analyse.
    Sample,
}

/// The one path of both upload forms: read the upload (size-limited),
/// act on it, show the lab page with what happened — or, for htmx, with
/// why it was refused.
async fn lab_post(
    state: AppState,
    id: Identity,
    pid: String,
    headers: HeaderMap,
    mp: Multipart,
    form: LabForm,
) -> Result<Response, PageError> {
    let pid = super::check_id(&pid)?;
    let r = async {
        let u = read_upload(mp).await?;
        let ngs = u.field("method") == "ngs";
        let msg = match (form, ngs) {
            (LabForm::Reference, false) => store_reference(&state, &id, &pid, &u).await?,
            (LabForm::Sample, false) => analyse_sample(&state, &id, &pid, &u).await?,
            (LabForm::Reference, true) => store_ngs_reference(&state, &id, &pid, &u).await?,
            (LabForm::Sample, true) => analyse_ngs_sample(&state, &id, &pid, &u).await?,
        };
        Ok(lab_page(&state, &id, pid.clone(), Some(msg))
            .await?
            .into_response())
    }
    .await;
    refused(&state, &id, pid, is_htmx(&headers), r).await
}

/// `POST /patients/{id}/lab/reference`: a reference profile (multipart:
/// `person`, `sample`, `file`).
pub async fn reference(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, PageError> {
    lab_post(state, id, pid, headers, mp, LabForm::Reference).await
}

/// `POST /patients/{id}/lab`: analyse an uploaded peak table (multipart:
/// `file`, `sample`, `lineage`, `date`, `kit`) and record the run for review.
pub async fn upload(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path(pid): Path<String>,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, PageError> {
    lab_post(state, id, pid, headers, mp, LabForm::Sample).await
}

/// The uploaded peak table, its text and the sample chosen in it.
struct Parsed {
    table: GeneMapperTable,
    text: String,
    sample: String,
}

impl Parsed {
    fn of(u: &Upload) -> Result<Parsed, AppError> {
        let (table, text) = table(u)?;
        let (sample, _) = pick(&table, u.field("sample"))?;
        Ok(Parsed {
            table,
            text,
            sample,
        })
    }

    fn profile(&self) -> Result<&StrProfile, AppError> {
        self.table
            .profile(&self.sample)
            .map_err(|e| AppError::Invalid(e.to_string()))
    }
}

async fn store_reference(
    state: &AppState,
    id: &Identity,
    pid: &str,
    u: &Upload,
) -> Result<String, AppError> {
    let (course, _) = super::load_course(state, id, pid).await?;
    let person = u.field("person").to_string();
    if !persons(&course).contains(&person) {
        return Err(AppError::Invalid(format!(
            "field 'person': '{person}' is neither the recipient nor a donor of this course ({})",
            persons(&course).join(", ")
        )));
    }
    let p = Parsed::of(u)?;
    let profile = NewProfile {
        patient: pid.to_string(),
        person: person.clone(),
        method: "str".into(),
        input_hash: sha256_hex(&[&u.file]),
        profile: json!({"format": "peak_table", "file_name": u.file_name, "sample": p.sample, "table": p.text}),
    };
    let actor = id.actor(Channel::Web);
    state
        .db(move |s: &Store| s.put_profile(&actor, &profile))
        .await?;
    Ok(format!(
        "Reference profile of {person} stored (sample {}).",
        p.sample
    ))
}

/// The stored STR references of the patient as parsed profiles.
fn references(
    stored: &[(NewProfile, i64)],
) -> Result<Vec<(String, GeneMapperTable, String)>, AppError> {
    stored
        .iter()
        .filter(|(p, _)| p.method == "str")
        .map(|(p, _)| {
            let f = |k: &str| p.profile[k].as_str().unwrap_or("").to_string();
            let t = parse_genemapper(
                &f("table"),
                std::path::Path::new(&f("file_name")),
                GeneMapperOptions::default(),
            )
            .map_err(|e| AppError::Invalid(format!("stored reference of {}: {e}", p.person)))?;
            Ok((p.person.clone(), t, f("sample")))
        })
        .collect()
}

fn stored_profile(who: &(String, GeneMapperTable, String)) -> Result<&StrProfile, AppError> {
    who.1
        .profile(&who.2)
        .map_err(|e| AppError::Invalid(e.to_string()))
}

fn estimate(
    refs: &[(String, GeneMapperTable, String)],
    sample: &StrProfile,
    lineage: Lineage,
    kit: Kit,
    analytical_threshold_rfu: f64,
) -> Result<serde_json::Value, AppError> {
    let recipient = refs.iter().find(|r| r.0 == "recipient").ok_or_else(|| {
        AppError::Invalid("no reference profile for the recipient: upload it first".into())
    })?;
    let donors: Vec<(DonorId, &StrProfile)> = refs
        .iter()
        .filter(|r| r.0 != "recipient")
        .map(|r| Ok((DonorId(r.0.clone()), stored_profile(r)?)))
        .collect::<Result<_, AppError>>()?;
    if donors.is_empty() {
        return Err(AppError::Invalid(
            "no reference profile for any donor: upload them first".into(),
        ));
    }
    let cfg = StrConfig {
        kit,
        analytical_threshold_rfu,
        ..StrConfig::default()
    };
    let r = StrReferences::new(stored_profile(recipient)?, &donors, cfg)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(match r.estimate(sample, lineage) {
        Ok(res) => {
            let mut v =
                serde_json::to_value(&res).map_err(|e| AppError::Internal(e.to_string()))?;
            // The share as the lab reads it (`< LoD` when not detected),
            // the rule of the CLI table and CSV.
            if let Some(a) = v["persons"].as_array_mut() {
                for (x, p) in a.iter_mut().zip(&res.persons) {
                    x["reported"] = json!(p.reported_percent());
                    x["detected"] = json!(p.detected());
                    x["lod_percent"] = json!(p.detection_limit_percent);
                }
            }
            v
        }
        Err(e) if e.is_sample_refusal() => json!({"refused": e.to_string()}),
        Err(e) => return Err(AppError::Invalid(e.to_string())),
    })
}

async fn store_ngs_reference(
    state: &AppState,
    id: &Identity,
    pid: &str,
    u: &Upload,
) -> Result<String, AppError> {
    let (course, _) = super::load_course(state, id, pid).await?;
    let person = u.field("person").to_string();
    let allowed = persons(&course);
    if person != lab_ngs::PANEL.0 && !allowed.contains(&person) {
        return Err(AppError::Invalid(format!(
            "field 'person': '{person}' is neither the marker panel, the recipient nor a donor of this course ({})",
            allowed.join(", ")
        )));
    }
    let (pid2, name, bytes, asked) = (
        pid.to_string(),
        u.file_name.clone(),
        u.file.clone(),
        u.field("sample").to_string(),
    );
    let who = person.clone();
    let (profile, sample) = tokio::task::spawn_blocking(move || {
        lab_ngs::profile_of(&pid2, &who, &name, &bytes, &asked)
    })
    .await
    .map_err(|e| AppError::Internal(format!("NGS reference task: {e}")))??;
    let actor = id.actor(Channel::Web);
    state
        .db(move |s: &Store| s.put_profile(&actor, &profile))
        .await?;
    Ok(if person == lab_ngs::PANEL.0 {
        format!("NGS marker panel stored ({sample}).")
    } else {
        format!("NGS reference genotypes of {person} stored (sample {sample}).")
    })
}

async fn analyse_ngs_sample(
    state: &AppState,
    id: &Identity,
    pid: &str,
    u: &Upload,
) -> Result<String, AppError> {
    let (lineage, date) = lineage_and_date(u)?;
    let (course, _) = super::load_course(state, id, pid).await?;
    let donors: Vec<String> = persons(&course).into_iter().skip(1).collect();
    let actor = id.actor(Channel::Web);
    let p = pid.to_string();
    let stored = state.db(move |s: &Store| s.profiles(&actor, &p)).await?;
    let (name, bytes, asked) = (
        u.file_name.clone(),
        u.file.clone(),
        u.field("sample").to_string(),
    );
    let used: Vec<String> = stored
        .iter()
        .filter(|(p, _)| p.method == lab_ngs::METHOD || p.method == lab_ngs::PANEL.1)
        .map(|(p, v)| format!("{}/{}/v{v}", p.person, p.method))
        .collect();
    let (results, sample) = tokio::task::spawn_blocking(move || {
        lab_ngs::analyse(&stored, &donors, &name, &bytes, &asked)
    })
    .await
    .map_err(|e| AppError::Internal(format!("NGS analysis task: {e}")))??;
    let run = NewRun {
        patient: pid.to_string(),
        method: lab_ngs::METHOD.into(),
        input_hashes: vec![(u.file_name.clone(), sha256_hex(&[&u.file]))],
        parameters: json!({"sample": sample, "lineage": lineage.as_str(), "date": date.to_string(),
            "references": used}),
        engine_version: lab_ngs::ENGINE.into(),
        results,
    };
    record(state, id, run).await
}

/// Records a run for review; the message shown.
async fn record(state: &AppState, id: &Identity, run: NewRun) -> Result<String, AppError> {
    let actor = id.actor(Channel::Web);
    let run_id = state
        .db(move |s: &Store| s.record_run(&actor, &run))
        .await?;
    Ok(format!(
        "Run {} recorded: review the result and its QC flags, then sign it off.",
        &run_id[..10.min(run_id.len())]
    ))
}

/// The lineage and collection date fields of a sample form.
fn lineage_and_date(u: &Upload) -> Result<(Lineage, Date), AppError> {
    let lineage: Lineage = u.field("lineage").parse().map_err(|_| {
        AppError::Invalid(format!(
            "field 'lineage': '{}' is not a lineage",
            u.field("lineage")
        ))
    })?;
    let date: Date = u.field("date").parse().map_err(|_| {
        AppError::Invalid(format!(
            "field 'date': '{}' is not a date (YYYY-MM-DD)",
            u.field("date")
        ))
    })?;
    if let Some(m) = super::after_today(date, "field 'date'", "a sample") {
        return Err(AppError::Invalid(m));
    }
    Ok((lineage, date))
}

/// The kit chosen on the sample form: empty or `generic` for the generic
/// defaults (no kit), else a built-in kit (`Kit::built_in_names`).
fn kit_of(u: &Upload) -> Result<Kit, AppError> {
    match u.field("kit") {
        "" | "generic" => Ok(Kit::generic()),
        k => Kit::built_in(k).map_err(|e| AppError::Invalid(format!("field 'kit': {e}"))),
    }
}

async fn analyse_sample(
    state: &AppState,
    id: &Identity,
    pid: &str,
    u: &Upload,
) -> Result<String, AppError> {
    let (lineage, date) = lineage_and_date(u)?;
    let kit = kit_of(u)?;
    let actor = id.actor(Channel::Web);
    let p = pid.to_string();
    let stored = state.db(move |s: &Store| s.profiles(&actor, &p)).await?;
    let parsed = Parsed::of(u)?;
    let kit_name = kit.name.clone();
    // The analytical threshold of the uploaded export, as the CLI reads it.
    let at = threshold::from_exports([threshold::lowest_peak(parsed.table.samples.values())])
        .unwrap_or(StrConfig::default().analytical_threshold_rfu);
    let results = estimate(&references(&stored)?, parsed.profile()?, lineage, kit, at)?;
    let run = NewRun {
        patient: pid.to_string(),
        method: "str".into(),
        input_hashes: vec![(u.file_name.clone(), sha256_hex(&[&u.file]))],
        parameters: json!({"sample": parsed.sample, "lineage": lineage.as_str(), "date": date.to_string(), "kit": kit_name, "analytical_threshold_rfu": at,
            "references": stored.iter().map(|(p, v)| format!("{}/{}/v{v}", p.person, p.method)).collect::<Vec<_>>()}),
        engine_version: ENGINE.into(),
        results,
    };
    record(state, id, run).await
}

/// The chimerism result of a run, for the course.
fn result_of(r: &Run) -> Result<ChimerismResult, AppError> {
    let p = &r.run.parameters;
    let bad =
        || AppError::Invalid("this run has no estimate to attach (refused or incomplete)".into());
    let shares = r.run.results["persons"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|x| {
            let person: PersonRef =
                serde_json::from_value(x["person"].clone()).map_err(|_| bad())?;
            Ok(PersonShare {
                person,
                percent: x["percent"].as_f64().ok_or_else(bad)?,
                // Runs recorded before the detection call was kept have
                // neither field: the share is attached without them.
                lod_percent: x["lod_percent"].as_f64(),
                detected: x["detected"].as_bool(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ChimerismResult {
        sample: p["sample"].as_str().unwrap_or("").to_string(),
        date: p["date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(bad)?,
        lineage: p["lineage"]
            .as_str()
            .and_then(|l| l.parse().ok())
            .ok_or_else(bad)?,
        method: if r.run.method == lab_ngs::METHOD {
            ChimerismMethod::Ngs
        } else {
            ChimerismMethod::Str
        },
        shares,
    })
}

/// `POST /patients/{id}/lab/runs/{run}/signoff`: signs the run off and
/// attaches its shares to the course as one revision (an append, or an
/// amendment when it replaces an earlier result of the same sample).
pub async fn sign_off(
    State(state): State<AppState>,
    Extension(id): Extension<Identity>,
    Path((pid, run_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let pid = super::check_id(&pid)?;
    let actor = id.actor(Channel::Web);
    let p = pid.clone();
    let runs = state.db(move |s: &Store| s.runs(&actor, &p)).await?;
    let run = runs
        .iter()
        .find(|r| r.run_id == run_id)
        .ok_or_else(|| AppError::NotFound("no such run for this patient".into()))?;
    if let Some((signer, _, at, _)) = run.signoffs.first() {
        return Err(AppError::Invalid(format!(
            "this run was already signed off by {signer} at {at}: its result is in the course"
        ))
        .into());
    }
    let result = result_of(run)?;
    let (course, rev) = super::load_course(&state, &id, &pid).await?;
    let mut updated = course.clone();
    attach_chimerism(&mut updated, std::slice::from_ref(&result))
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    if updated == course {
        return Err(AppError::Invalid(format!(
            "the result of sample {} is already in the course (the same values from an earlier run): nothing to sign off",
            result.sample
        ))
        .into());
    }
    let change = match addition(&course, &updated) {
        Some(d) => Change::Append(d),
        None => Change::Replace(Box::new(updated)),
    };
    let reason = matches!(change, Change::Replace(_)).then(|| {
        format!(
            "chimerism run {} signed off: replaces the earlier result of sample {}",
            &run_id[..10.min(run_id.len())],
            result.sample
        )
    });
    let actor = id.actor(Channel::Web);
    let (p, rid) = (pid.clone(), run_id.clone());
    state
        .db_write(move |s: &Store| {
            s.sign_off(
                &actor,
                &rid,
                "reviewed and released; attached to the course",
            )?;
            s.write(&actor, &p, rev, &change, reason.as_deref())
        })
        .await?;
    Ok(Redirect::to(&format!("/patients/{pid}#history")).into_response())
}

//! `graftwatch chimerism str|ngs … --add-to PATIENT --db URL` on both
//! backends: the results become one revision of the stored patient, the
//! run is recorded with its input file hashes and audited with the actor; a
//! re-run with the same results adds no revision; an unknown patient or a
//! donor the course does not have is refused (exit 2) and writes nothing.

#[path = "../../store/tests/common/mod.rs"]
mod common;

mod cli_common;
mod ngs_cli;

use std::process::{Command, Output};

use cli_common::{STR_REFS, assert_exit_2, root, text};
use common::{Db, PgCluster, SqliteDb, clinician, seed};
use graftwatch_course::ObservationKind;
use graftwatch_store::hashing::sha256_hex;
use graftwatch_store::{Location, Store};
use ngs_cli::example_day30_args;

fn url(loc: &Location) -> String {
    match loc {
        Location::Sqlite(p) => p.display().to_string(),
        Location::Postgres(u) => u.clone(),
    }
}

fn gw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn str_add(db: &str, patient: &str, donor: &str) -> Output {
    gw(&[
        "chimerism",
        "str",
        "--recipient",
        "R=examples/str/references.txt:R-pre",
        "--donor",
        &format!("{donor}=examples/str/references.txt:UCB-1"),
        "--donor",
        "PBSC-1=examples/str/references.txt:PBSC-1",
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
        "--bootstrap",
        "20",
        "--add-to",
        patient,
        "--db",
        db,
        "--actor",
        "lab.tech",
    ])
}

fn ngs_add(db: &str) -> Output {
    let mut args = example_day30_args();
    args.extend(["--format", "tsv", "--add-to", "SEED-AML-01", "--db", db].map(String::from));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    gw(&a)
}

fn sample_values(s: &Store, sample: &str) -> Vec<f64> {
    let c = s.course_at(&clinician(), "SEED-AML-01", None).unwrap().0;
    c.observations
        .iter()
        .filter(|o| o.kind == ObservationKind::Chimerism && o.sample.as_deref() == Some(sample))
        .filter_map(|o| o.number())
        .collect()
}

fn add_to_stored_patient(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.create_patient(&clinician(), &seed(), None).unwrap();
    s.close();
    let u = url(&loc);
    let o = str_add(&u, "SEED-AML-01", "UCB-1");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("PB-d30-CD3"),
        "the run's table on stdout"
    );
    assert!(
        text(&o.stderr).contains("patient SEED-AML-01: revision 2 (3 chimerism values added"),
        "{}",
        text(&o.stderr)
    );
    let s = Store::open(&loc).unwrap();
    let vals = sample_values(&s, "PB-d30-CD3");
    assert_eq!(vals.len(), 3);
    assert!((vals.iter().sum::<f64>() - 100.0).abs() < 0.03, "{vals:?}");
    let runs = s.runs(&clinician(), "SEED-AML-01").unwrap();
    assert_eq!(runs.len(), 1);
    let r = &runs[0].run;
    assert_eq!(
        (r.method.as_str(), runs[0].author.as_str()),
        ("str", "lab.tech")
    );
    let refs = std::fs::read(root().join("examples/str/references.txt")).unwrap();
    assert!(
        r.input_hashes
            .contains(&("references.txt".into(), sha256_hex(&[&refs]))),
        "{:?}",
        r.input_hashes
    );
    assert!(r.input_hashes.iter().any(|(n, _)| n == "day30.txt"));
    assert_eq!(r.parameters["bootstrap_replicates"], 20);
    assert!(r.engine_version.starts_with("graftwatch "));
    let audit = s.audit_for_patient("SEED-AML-01").unwrap();
    let add = audit.iter().find(|e| e.action == "add_chimerism").unwrap();
    assert_eq!(
        (add.actor.as_str(), add.outcome.as_str()),
        ("lab.tech", "ok")
    );
    assert!(add.resource.ends_with("-> course@2"), "{}", add.resource);
    s.close();

    // The same run again: recorded, no new revision.
    let o = str_add(&u, "SEED-AML-01", "UCB-1");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("unchanged"), "{}", text(&o.stderr));
    // Refused: an unknown patient; a donor the course does not have.
    let o = str_add(&u, "NOPE-1", "UCB-1");
    assert_exit_2(&o, &["no patient 'NOPE-1'"]);
    let o = str_add(&u, "SEED-AML-01", "UCB-9");
    assert_exit_2(&o, &["UCB-9"]);

    // NGS into the same patient: revision 3.
    let o = ngs_add(&u);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Store::open(&loc).unwrap();
    assert_eq!(s.head("SEED-AML-01").unwrap(), 3);
    assert!(!sample_values(&s, "day30").is_empty());
    let runs = s.runs(&clinician(), "SEED-AML-01").unwrap();
    assert_eq!(
        runs.len(),
        3,
        "two STR runs and one NGS run (refused ones not recorded)"
    );
    assert!(
        runs.iter()
            .any(|r| r.run.method == "ngs"
                && r.run.input_hashes.iter().any(|(n, _)| n == "panel.vcf"))
    );
    assert!(s.verify_audit().unwrap().first_problem.is_none());
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn add_to_stored_patient_sqlite() {
    add_to_stored_patient(&SqliteDb::new());
}

#[test]
fn add_to_stored_patient_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    add_to_stored_patient(&pg);
}

fn str_stored(db: &str, donors: &[&str]) -> Output {
    let mut args = vec!["chimerism", "str", "--recipient", "stored"];
    for d in donors {
        args.extend(["--donor", d]);
    }
    args.extend([
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
        "--bootstrap",
        "20",
        "--add-to",
        "SEED-AML-01",
        "--db",
        db,
    ]);
    gw(&args)
}

/// A run added to a stored patient records the recipient's and donors'
/// reference files as profiles; `--recipient stored` / `--donor stored` /
/// `--donor NAME=stored` reuse them and give the same results (no new
/// revision); without any stored profile, or without --db, it is refused.
fn stored_references_are_reused(db: &dyn Db) {
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.create_patient(&clinician(), &seed(), None).unwrap();
    s.close();
    let u = url(&loc);
    let o = str_stored(&u, &["stored"]);
    assert_exit_2(&o, &["no stored str reference profile for recipient"]);
    let o = str_add(&u, "SEED-AML-01", "UCB-1");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Store::open(&loc).unwrap();
    let profiles = s.profiles(&clinician(), "SEED-AML-01").unwrap();
    let people: Vec<(&str, &str, i64)> = profiles
        .iter()
        .map(|(p, v)| (p.person.as_str(), p.method.as_str(), *v))
        .collect();
    assert_eq!(
        people,
        vec![
            ("PBSC-1", "str", 1),
            ("UCB-1", "str", 1),
            ("recipient", "str", 1)
        ]
    );
    let refs = std::fs::read(root().join("examples/str/references.txt")).unwrap();
    assert!(
        profiles
            .iter()
            .all(|(p, _)| p.input_hash == sha256_hex(&[&refs]))
    );
    s.close();
    let before = {
        let s = Store::open(&loc).unwrap();
        let v = sample_values(&s, "PB-d30-CD3");
        s.close();
        v
    };
    let o = str_stored(&u, &["UCB-1=stored", "PBSC-1=stored"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("unchanged"),
        "the stored references give the same results: {}",
        text(&o.stderr)
    );
    // Every stored donor (in name order: the bootstrap draws differ, the
    // estimates agree within a tenth of a percentage point).
    let o = str_stored(&u, &["stored"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Store::open(&loc).unwrap();
    let mut after = sample_values(&s, "PB-d30-CD3");
    s.close();
    let mut before = before;
    before.sort_by(f64::total_cmp);
    after.sort_by(f64::total_cmp);
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert!((a - b).abs() < 0.1, "{before:?} vs {after:?}");
    }
    let o = str_stored(&u, &["UCB-9=stored"]);
    assert_exit_2(&o, &["for UCB-9"]);
    let s = Store::open(&loc).unwrap();
    let again = s.profiles(&clinician(), "SEED-AML-01").unwrap();
    assert!(
        again.iter().all(|(_, v)| *v == 1),
        "no new profile versions"
    );
    s.close();
    // NGS: the stored references of another method are separate.
    let o = ngs_add(&u);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let p = root().join("examples/ngs/pileup.vcf").display().to_string();
    let panel = root().join("examples/ngs/panel.vcf").display().to_string();
    let o = gw(&[
        "chimerism",
        "ngs",
        "--panel",
        &panel,
        "--recipient",
        "stored",
        "--donor",
        "stored",
        "--sample",
        &format!("day30={p}::cd3:2026-02-01"),
        "--format",
        "tsv",
        "--add-to",
        "SEED-AML-01",
        "--db",
        &u,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("unchanged"), "{}", text(&o.stderr));
}

#[test]
fn stored_references_are_reused_sqlite() {
    stored_references_are_reused(&SqliteDb::new());
}

#[test]
fn stored_references_are_reused_postgresql() {
    let Some(pg) = PgCluster::start() else { return };
    stored_references_are_reused(&pg);
}

#[test]
fn stored_references_need_a_store() {
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "stored",
        "--donor",
        "stored",
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
    ]);
    assert_exit_2(&o, &["--add-to PATIENT with --db"]);
}

#[test]
fn add_to_a_course_file_stays_a_file_without_db() {
    // Without --db (and no GRAFTWATCH_DB), --add-to names a course file.
    let d = tempfile::tempdir().unwrap();
    let course = d.path().join("c.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .current_dir(root())
        .env_remove("GRAFTWATCH_DB")
        .args(["chimerism", "str"])
        .args(STR_REFS)
        .args([
            "--sample",
            "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
            "--bootstrap",
            "20",
            "--add-to",
            course.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        std::fs::read_to_string(&course)
            .unwrap()
            .contains("PB-d30-CD3")
    );
}

/// Stop 36 (L1): a run with a sample flagged `NGS-ID` (here the cord
/// unit's DNA given as a sample of a recipient with one PBSC donor) records
/// nothing in the store either: exit 2 after the report, no revision, no
/// run.
#[test]
fn an_ngs_id_sample_is_not_stored() {
    let db = SqliteDb::new();
    let loc = db.fresh();
    let (s, _) = Store::init(&loc).unwrap();
    s.create_patient(&clinician(), &seed(), None).unwrap();
    s.close();
    let u = url(&loc);
    let p = root().join("examples/ngs/pileup.vcf").display().to_string();
    let panel = root().join("examples/ngs/panel.vcf").display().to_string();
    let o = gw(&[
        "chimerism",
        "ngs",
        "--panel",
        &panel,
        "--recipient",
        &format!("recipient={p}:recipient"),
        "--donor",
        &format!("PBSC-1={p}:pbsc"),
        "--sample",
        &format!("d30={p}:pbsc:whole_blood:2026-02-01"),
        "--sample",
        &format!("swap={p}:ucb1:whole_blood:2026-02-02"),
        "--add-to",
        "SEED-AML-01",
        "--db",
        &u,
    ]);
    assert_exit_2(
        &o,
        &[
            "1 of 2 samples refused (NGS-ID)",
            "sample 'swap'",
            "nothing was added to the course (--add-to)",
        ],
    );
    assert!(
        text(&o.stdout).contains("sample swap"),
        "{}",
        text(&o.stdout)
    );
    let s = Store::open(&loc).unwrap();
    assert_eq!(s.head("SEED-AML-01").unwrap(), 1);
    assert!(s.runs(&clinician(), "SEED-AML-01").unwrap().is_empty());
    s.close();
}

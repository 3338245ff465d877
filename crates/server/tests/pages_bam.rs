//! The lab upload of an NGS sample as a BAM, in-process: a lab scientist
//! stores the marker panel and the reference genotypes, uploads a
//! coordinate-sorted BAM without its index (the server indexes its private
//! copy; a cut or name-sorted BAM is refused in words), reviews the result with its QC flags, and signs it off — one
//! revision, audited. The fixture (`tests/data/ngs-bam/`, made by its
//! `make.sh`) is a bwa-aligned read-level simulation of 40 SNP markers:
//! recipient 5 %, haploidentical PBSC donor 75 %, cord unit 20 %.

#![allow(clippy::result_large_err)]

mod common;

use axum::http::StatusCode;
use common::{data_file, post_multipart, sign_off_chimerism, sqlite_app};
use graftwatch_store::Role;

#[test]
fn bam_upload_is_counted_reviewed_with_qc_flags_and_signed_off() {
    let (_db, t) = sqlite_app();
    let s = t.login("lab");
    let references = data_file("tests/data/ngs-bam", "references.vcf");
    let reference = |person: &str, sample: &str, file: (&str, &[u8])| {
        post_multipart(
            &t,
            &s,
            "/patients/P1/lab/reference",
            &[("method", "ngs"), ("person", person), ("sample", sample)],
            file,
        )
    };
    let r = reference(
        "panel",
        "",
        ("panel.vcf", &data_file("tests/data/ngs-bam", "panel.vcf")),
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (person, column) in [
        ("recipient", "recipient"),
        ("PBSC-1", "pbsc"),
        ("UCB-1", "cord"),
    ] {
        let r = reference(person, column, ("references.vcf", &references));
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let bam = data_file("tests/data/ngs-bam", "sample.bam");
    let upload = |file: (&str, &[u8])| {
        post_multipart(
            &t,
            &s,
            "/patients/P1/lab",
            &[
                ("method", "ngs"),
                ("sample", "day100"),
                ("lineage", "whole_blood"),
                ("date", "2025-05-25"),
            ],
            file,
        )
    };
    // A BAM cut short is refused, naming the upload, and records nothing.
    let r = upload(("day100.bam", &bam[..bam.len() / 2]));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("day100.bam"), "{}", r.body);
    assert!(
        !r.body.contains("graftwatch-upload-"),
        "temporary path shown: {}",
        r.body
    );
    // A BAM sorted by read name cannot be indexed: refused in words.
    let r = upload((
        "day100.bam",
        &data_file("tests/data/ngs-bam", "by-name.bam"),
    ));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("not sorted by coordinate"), "{}", r.body);
    assert!(!r.body.contains("Some("), "debug notation: {}", r.body);
    let actor = common::store_common::actor("lab", Role::Lab);
    assert!(t.state.store.runs(&actor, "P1").unwrap().is_empty());

    let r = upload(("day100.bam", &bam));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("NGS · sample day100"), "{}", r.body);
    assert!(r.body.contains("QC flags for review"), "{}", r.body);
    // The references are GT only: no pure reads, so the error rates are the prior.
    assert!(r.body.contains("NGS-ERR-PRIOR"), "{}", r.body);
    let runs = t.state.store.runs(&actor, "P1").unwrap();
    assert_eq!(runs.len(), 1);
    let results = &runs[0].run.results;
    let flags: Vec<&str> = results["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(flags.contains(&"NGS-ERR-PRIOR"), "{flags:?}");
    // Each person's simulated share lies inside its 95 % interval.
    for (who, truth) in [("recipient", 5.0), ("PBSC-1", 75.0), ("UCB-1", 20.0)] {
        let p = results["persons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person"] == who)
            .unwrap_or_else(|| panic!("{who} not estimated: {results}"));
        let (low, high) = (
            p["ci"]["low"].as_f64().unwrap(),
            p["ci"]["high"].as_f64().unwrap(),
        );
        assert!(
            low <= truth && truth <= high,
            "{who}: {truth} % outside {low}–{high} %"
        );
    }

    let rows = sign_off_chimerism(&t, &s, &actor, &runs[0].run_id, "2025-05-25");
    assert_eq!(rows.len(), 3, "one row per person");
    let total: f64 = rows.iter().filter_map(|o| o.number()).sum();
    assert!((total - 100.0).abs() < 0.1, "{total}");
    let signed = t
        .state
        .store
        .audit_for_patient("P1")
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "sign_off_run" && e.actor == "lab" && e.channel == "web")
        .count();
    assert_eq!(
        signed, 1,
        "the sign-off is audited once, as the lab scientist"
    );
}

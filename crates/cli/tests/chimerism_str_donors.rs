//! `graftwatch chimerism str` with one, two and three donors, from simulated
//! GeneMapper exports through the CLI to JSON, HTML and a course file.

#[path = "../../chimerism/tests/common/str_sim.rs"]
mod str_sim;

mod cli_common;

use std::path::PathBuf;
use std::process::Command;

use cli_common::fresh_dir;
use str_sim::{Rng, SimParams, mixture, to_genemapper_wide, unrelated};

fn tmp(name: &str) -> PathBuf {
    fresh_dir("gw-strn", name)
}

fn course_with_donors(ids: &[String]) -> String {
    let donors: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id": "{id}", "relationship": "matched_unrelated"}}"#))
        .collect();
    format!(
        r#"{{"format": "graftwatch-course/1",
  "patient": {{"id": "STR-N", "sex": "female", "birth_year": 1980,
    "diagnosis": {{"disease": "aml", "date": "2023-01-10"}}}},
  "donors": [{}],
  "events": [{{"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "{}"}}],
  "observations": []}}"#,
        donors.join(", "),
        ids[0]
    )
}

fn run_case(n_donors: usize, truth: &[f64], seed: u64) {
    assert_eq!(truth.len(), n_donors + 1);
    let dir = tmp(&format!("{n_donors}"));
    let mut rng = Rng::new(seed);
    let p = SimParams::default();
    let people: Vec<_> = (0..=n_donors).map(|_| unrelated(&mut rng)).collect();
    let ids: Vec<String> = (1..=n_donors).map(|i| format!("D{i}")).collect();
    let mut refs = vec![mixture(&mut rng, "R-pre", &[&people[0]], &[1.0], &p)];
    for (i, id) in ids.iter().enumerate() {
        refs.push(mixture(&mut rng, id, &[&people[i + 1]], &[1.0], &p));
    }
    let who: Vec<&str_sim::SimPerson> = people.iter().collect();
    let sample = mixture(&mut rng, "PB-d30", &who, truth, &p);
    let refs_path = dir.join("refs.txt");
    let sample_path = dir.join("sample.txt");
    std::fs::write(
        &refs_path,
        to_genemapper_wide(&refs.iter().collect::<Vec<_>>()),
    )
    .unwrap();
    std::fs::write(&sample_path, to_genemapper_wide(&[&sample])).unwrap();
    let course = dir.join("course.json");
    std::fs::write(&course, course_with_donors(&ids)).unwrap();
    let html = dir.join("view.html");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_graftwatch"));
    cmd.args(["chimerism", "str", "--recipient"])
        .arg(format!("R-pre={}:R-pre", refs_path.display()));
    for id in &ids {
        cmd.arg("--donor")
            .arg(format!("{id}={}:{id}", refs_path.display()));
    }
    cmd.arg("--sample")
        .arg(format!(
            "PB-d30={}:PB-d30:cd3:2024-03-31",
            sample_path.display()
        ))
        .args(["--format", "json", "--bootstrap", "30", "--html"])
        .arg(&html)
        .arg("--add-to")
        .arg(&course);
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{n_donors} donors: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let persons = v["analyses"][0]["samples"][0]["outcome"]["persons"]
        .as_array()
        .unwrap();
    assert_eq!(persons.len(), n_donors + 1);
    for (k, t) in truth.iter().enumerate() {
        let got = persons[k]["percent"].as_f64().unwrap();
        assert!(
            (got - 100.0 * t).abs() < 3.0,
            "{n_donors} donors, person {k}: {got:.2} % vs truth {:.1} %",
            100.0 * t
        );
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("PB-d30"));
    for id in &ids {
        assert!(page.contains(id.as_str()), "HTML names {id}");
    }
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&course).unwrap()).unwrap();
    let obs = c["observations"].as_array().unwrap();
    assert_eq!(obs.len(), n_donors + 1, "one chimerism row per person");
    assert!(
        obs.iter()
            .all(|o| o["kind"] == "chimerism" && o["lineage"] == "cd3")
    );
    // The course written back is still valid.
    let o = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(["course", "validate"])
        .arg(&course)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn one_donor() {
    run_case(1, &[0.3, 0.7], 101);
}

#[test]
fn two_donors() {
    run_case(2, &[0.05, 0.60, 0.35], 202);
}

#[test]
fn three_donors() {
    run_case(3, &[0.10, 0.50, 0.25, 0.15], 303);
}

//! `graftwatch chimerism str` end to end: the documented worked example,
//! output formats, HTML, `--add-to`, and bad input (exit 2, nothing written).

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli_common::{
    STR_REFS, assert_bad, assert_exit_2, fresh_dir, root, sorted_listing, str_example, text,
};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_graftwatch"));
    c.current_dir(root());
    c
}

fn tmp(name: &str) -> PathBuf {
    fresh_dir("gw-str", name)
}

fn run(extra: &[&str]) -> Output {
    bin()
        .args(["chimerism", "str"])
        .args(STR_REFS)
        .args(extra)
        .output()
        .unwrap()
}

/// Runs `graftwatch` with `args` from the workspace root.
fn gw(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

#[test]
fn documented_worked_example_matches_the_docs() {
    let doc = std::fs::read_to_string(root().join("docs/chimerism-str.md")).unwrap();
    let start = doc
        .find("<!-- str-example-begin -->")
        .expect("begin marker");
    let end = doc.find("<!-- str-example-end -->").expect("end marker");
    let block = &doc[start..end];
    let body = block
        .split("```console\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    // Command: the '$ ' line and its '\' continuations; output: the rest.
    let mut lines = body.lines();
    let mut cmd = String::new();
    for l in lines.by_ref() {
        let l = l.strip_prefix("$ ").unwrap_or(l);
        if let Some(part) = l.strip_suffix('\\') {
            cmd.push_str(part);
            cmd.push(' ');
        } else {
            cmd.push_str(l);
            break;
        }
    }
    let expected: String = lines.map(|l| format!("{l}\n")).collect();
    let args: Vec<&str> = cmd.split_whitespace().collect();
    assert_eq!(args[0], "graftwatch");
    let o = bin().args(&args[1..]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        expected,
        "docs/chimerism-str.md example output is out of date"
    );
    // And it says what the seed case needs: cord dominant in CD3 and myeloid.
    assert!(expected.contains("dominant donor UCB-1"));
}

#[test]
fn json_and_csv_formats() {
    let o = run(&[
        "--sample",
        "PB-d14-WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-13",
        "--format",
        "json",
        "--bootstrap",
        "50",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &v["analyses"][0];
    let s = &a["samples"][0];
    assert_eq!(s["sample"], "PB-d14-WB");
    assert_eq!(s["lineage"], "whole_blood");
    assert_eq!(s["date"], "2024-05-13");
    assert_eq!(s["outcome"]["status"], "estimated");
    let s = &s["outcome"];
    assert_eq!(s["persons"].as_array().unwrap().len(), 3);
    assert!(a["references"]["informativeness"].as_array().unwrap().len() >= 20);
    // Truth 3 / 25 / 72.
    let p: Vec<f64> = s["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["percent"].as_f64().unwrap())
        .collect();
    assert!(
        (p[0] - 3.0).abs() < 2.0 && (p[1] - 25.0).abs() < 2.0 && (p[2] - 72.0).abs() < 2.0,
        "{p:?}"
    );

    let o = run(&[
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3",
        "--sample",
        "PB-d30-CD33=examples/str/day30.txt:PB-d30-CD33:cd33",
        "--format",
        "csv",
        "--bootstrap",
        "50",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let rows: Vec<&str> = out.lines().collect();
    assert!(rows[0].starts_with(
        "patient,sample,file,lineage,specimen,date,status,person,percent,reported_percent,ci_low,ci_high,locus_sd"
    ));
    assert_eq!(rows.len(), 1 + 2 * 3);
    assert!(rows[1].starts_with(",PB-d30-CD3,examples/str/day30.txt,cd3,,,estimated,recipient,"));
    assert!(rows[4].contains(",myeloid,"));
    // Every row has the header's fields; a recipient not detected is
    // reported as "<LoD", its estimate kept in `percent`.
    let n = rows[0].split(',').count();
    assert!(rows.iter().all(|r| r.split(',').count() == n), "{out}");
    let cd33 = rows[4].split(',').collect::<Vec<_>>();
    assert_eq!(
        (cd33[7], cd33[15]),
        ("recipient", "not_detected"),
        "{}",
        rows[4]
    );
    assert!(
        cd33[9].starts_with('<') && cd33[8].parse::<f64>().is_ok(),
        "{}",
        rows[4]
    );

    // The same rows tab-separated.
    let o = run(&[
        "--sample",
        "PB-d30-CD33=examples/str/day30.txt:PB-d30-CD33:cd33",
        "--format",
        "tsv",
        "--bootstrap",
        "50",
    ]);
    let tsv = text(&o.stdout);
    assert!(tsv.starts_with("patient\tsample\tfile\t"), "{tsv}");
    assert!(tsv.lines().all(|l| l.split('\t').count() == n), "{tsv}");
}

#[test]
fn html_is_self_contained() {
    let dir = tmp("html");
    let html = dir.join("str.html");
    let o = run(&[
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3",
        "--html",
        html.to_str().unwrap(),
        "--bootstrap",
        "50",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(
        h.starts_with("<!DOCTYPE html>")
            && h.contains("<svg")
            && h.contains("PB-d30-CD3")
            && h.contains("#D55E00")
    );
    assert!(
        !h.contains("http://") && !h.contains("https://") && !h.contains("<script"),
        "no network, no scripts"
    );
    assert!(
        !h.contains("style=\""),
        "colours by class, no style attributes"
    );
    assert_eq!(sorted_listing(&dir), vec!["str.html".to_string()]);
}

#[test]
fn lab_validated_limits_from_the_config_file() {
    let dir = tmp("labcfg");
    let cfg = dir.join("lab.toml");
    std::fs::write(
        &cfg,
        "[chimerism_limits.str]\nlod_percent = 1.5\nloq_percent = 3.0\n",
    )
    .unwrap();
    let sample = "PB-d30-CD33=examples/str/day30.txt:PB-d30-CD33:myeloid";
    let o = run(&[
        "--sample",
        sample,
        "--bootstrap",
        "20",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("LoD 1.5%, lab-validated"), "{out}");
    assert!(!out.contains("LoD50"), "{out}");
    // CSV: the source of the stated limit.
    let o = run(&[
        "--sample",
        sample,
        "--bootstrap",
        "20",
        "--format",
        "csv",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with(",detection_limit_source")
    );
    assert!(
        out.lines().skip(1).all(|l| l.ends_with(",lab_validated")),
        "{out}"
    );
    // Without the file: computed.
    let o = run(&["--sample", sample, "--bootstrap", "20", "--format", "csv"]);
    assert!(
        text(&o.stdout)
            .lines()
            .skip(1)
            .all(|l| l.ends_with(",computed"))
    );
    // --lod overrides the file.
    let o = run(&[
        "--sample",
        sample,
        "--bootstrap",
        "20",
        "--lod",
        "2",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert!(text(&o.stdout).contains("LoD 2.0%, lab-validated"));
    // A bad value in the file: exit 2 naming the file and key.
    std::fs::write(&cfg, "[chimerism_limits.str]\nlod_percent = 0\n").unwrap();
    let o = run(&["--sample", sample, "--config", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert!(e.contains("lab.toml") && e.contains("lod_percent"), "{e}");
}

#[test]
fn add_to_course_appends_observations() {
    let dir = tmp("course");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let before: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&course).unwrap()).unwrap();
    let n0 = before["observations"]
        .as_array()
        .map(|a| a.len())
        .unwrap_or(0);
    // Adds the day-30 CD3 sample to the course: its observations after.
    let add = || -> Vec<serde_json::Value> {
        let o = run(&[
            "--sample",
            "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
            "--add-to",
            course.to_str().unwrap(),
            "--bootstrap",
            "20",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let after: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&course).unwrap()).unwrap();
        after["observations"].as_array().unwrap().clone()
    };
    let obs = add();
    assert_eq!(obs.len(), n0 + 3);
    let ours: Vec<&serde_json::Value> =
        obs.iter().filter(|o| o["sample"] == "PB-d30-CD3").collect();
    assert_eq!(ours.len(), 3);
    assert!(
        ours.iter()
            .all(|o| o["date"] == "2024-05-29" && o["lineage"] == "cd3" && o["method"] == "str")
    );
    assert!(ours.iter().any(|o| o["person"] == "UCB-1"));
    // A rerun replaces the same sample, lineage, date and method: still 3, summing to 100.
    let obs = add();
    assert_eq!(obs.len(), n0 + 3);
    let sum: f64 = obs
        .iter()
        .filter(|o| o["sample"] == "PB-d30-CD3")
        .map(|o| o["value"].as_f64().unwrap_or(0.0))
        .sum();
    assert!((sum - 100.0).abs() < 0.03, "{sum}");
}

/// A purity correction that would put a person called present at 0 % is
/// not applied (STR-PURITY-MISMATCH): the course receives the uncorrected
/// shares, never 0 % for PBSC-1 detected at 4.59 % (audit, 2026-12-05).
#[test]
fn purity_correction_never_zeroes_a_present_person() {
    let dir = tmp("purity-mismatch");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let o = run(&[
        "--sample",
        "WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-29",
        "--sample",
        "CD33=examples/str/day30.txt:PB-d30-CD33:myeloid:2024-05-29",
        "--purity",
        "CD33=80",
        "--add-to",
        course.to_str().unwrap(),
        "--bootstrap",
        "20",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("[STR-PURITY-MISMATCH] purity correction not applied")
            && out.contains("PBSC-1 (present here at 4.59%"),
        "{out}"
    );
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&course).unwrap()).unwrap();
    let pbsc = after["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["sample"] == "CD33" && o["person"] == "PBSC-1")
        .expect("CD33 PBSC-1 recorded")["value"]
        .as_f64()
        .unwrap();
    assert!((pbsc - 4.59).abs() < 0.01, "{pbsc}");
}

/// A table of one person nobody declared (alleles 40 and 42 at eight
/// loci) as sample `name`; returns its path.
fn stranger(dir: &Path, name: &str) -> String {
    let mut body = String::from("Sample Name\tMarker\tAllele\tHeight\tArea\n");
    for m in [
        "D3S1358", "vWA", "FGA", "D8S1179", "D21S11", "D18S51", "TH01", "D16S539",
    ] {
        body.push_str(&format!(
            "{name}\t{m}\t40\t1500\t15000\n{name}\t{m}\t42\t1400\t14000\n"
        ));
    }
    write(dir, "stranger.txt", &body)
}

/// Audit F8: with several samples, one matching none of the declared
/// people is refused (`STR-NO-MATCH`), the other is reported, the command
/// exits 2 after the report and `--add-to` leaves the course untouched.
#[test]
fn a_sample_matching_no_reference_among_several_is_refused_and_nothing_added() {
    let dir = tmp("no-match-add-to");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let f = stranger(&dir, "X");
    let o = run(&[
        "--sample",
        "WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-29",
        "--sample",
        &format!("X={f}:X:whole_blood:2024-05-29"),
        "--add-to",
        course.to_str().unwrap(),
        "--bootstrap",
        "20",
    ]);
    assert_exit_2(
        &o,
        &[
            "1 of 2 samples refused (STR-NO-MATCH)",
            "sample 'X' (",
            "matches none of the declared people",
            "nothing was added to the course (--add-to)",
        ],
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("Sample 'WB'") && out.contains("dominant donor"),
        "{out}"
    );
    assert!(out.contains("refused [STR-NO-MATCH]: sample 'X'"), "{out}");
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
}

/// Audit S6 (stop 36, L4): a refused tube is named by its own sample id
/// (the run sheet's or `--sample`'s), with the file and the file's sample
/// it was read from, not by the file's sample name alone (which may be
/// another patient's tube, reported fine on the same plate).
#[test]
fn a_sample_matching_no_reference_is_named_by_its_own_id_and_source() {
    let dir = tmp("no-match-name");
    let f = stranger(&dir, "OTHER-S");
    let o = run(&[
        "--sample",
        "WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-29",
        "--sample",
        &format!("TUBE-7={f}:OTHER-S:whole_blood:2024-05-29"),
        "--bootstrap",
        "20",
    ]);
    let want = format!("sample 'TUBE-7' ({f}:OTHER-S) matches none of the declared people");
    assert_exit_2(&o, &["1 of 2 samples refused (STR-NO-MATCH)", &want]);
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!("refused [STR-NO-MATCH]: {want}")),
        "{out}"
    );
}

/// Audit S2/M1 (stop 36, L2): a failed run control (a no-template control
/// with a whole sample's peaks) makes every result not reportable: with
/// `--add-to` nothing is recorded and the command exits 2 after the report
/// naming the control; without it the report stands (exit 0); the JSON
/// carries the run's status and flag.
#[test]
fn a_failed_run_control_records_nothing() {
    let dir = tmp("control-add-to");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let r = root().join("examples/str");
    let (refs, d14) = (r.join("references.txt"), r.join("day14.txt"));
    let (refs, d14) = (refs.display(), d14.display());
    let sheet = write(
        &dir,
        "sheet.csv",
        &format!(
            "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n\
             ,,recipient,,{refs}:R-pre,,,,,\n\
             ,,donor,UCB-1,{refs}:UCB-1,,,,,\n\
             ,,donor,PBSC-1,{refs}:PBSC-1,,,,,\n\
             WB,,sample,,{d14}:PB-d14-WB,whole_blood,pb,2024-05-29,,\n\
             NTC,,control,,{d14}:PB-d14-WB,,,,,ntc\n"
        ),
    );
    let args = [
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
        "--bootstrap",
        "20",
    ];
    let c = course.to_str().unwrap();
    let o = gw(&[&args[..], &["--add-to", c]].concat());
    assert_exit_2(
        &o,
        &[
            "run control failed (RUN-CONTROL-FAILED): NTC (negative control",
            "nothing was added to the course (--add-to)",
        ],
    );
    assert!(
        text(&o.stdout).starts_with("WARNING [RUN-CONTROL-FAILED]"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
    let o = gw(&[&args[..], &["--format", "json"]].concat());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        j["run_status"]["status"], "not_reportable",
        "{}",
        j["run_status"]
    );
    assert_eq!(j["run_status"]["flags"][0], "RUN-CONTROL-FAILED");
}

/// Audit S3 (stop 36, L3): `--allow-identical` with a donor identical to
/// the recipient does not read as 100 % recipient: every sample is refused
/// "chimerism not informative" (as for a syngeneic donor) and `--add-to`
/// records nothing.
#[test]
fn allow_identical_with_the_recipients_genotype_records_nothing() {
    let dir = tmp("ident-add-to");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "R=examples/str/references.txt:R-pre",
        "--donor",
        "UCB-1=examples/str/references.txt:R-pre",
        "--sample",
        "WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-29",
        "--allow-identical",
        "--add-to",
        course.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("refused: chimerism not informative: donor UCB-1 and the recipient have identical genotypes at all"),
        "{out}"
    );
    assert!(!out.contains("present ("), "{out}");
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
}

/// A result dated before the first transplant or after today is kept but
/// named on stderr (audit 2026-12-05: a 1990 sample went in silently).
#[test]
fn add_to_warns_on_suspect_sample_dates() {
    let dir = tmp("suspect-dates");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    for (date, want) in [
        (
            "1990-01-01",
            "dated 1990-01-01, before the first transplant (2024-04-29)",
        ),
        ("2199-01-01", "dated 2199-01-01, after today"),
    ] {
        let o = run(&[
            "--sample",
            &format!("S=examples/str/day14.txt:PB-d14-WB:whole_blood:{date}"),
            "--add-to",
            course.to_str().unwrap(),
            "--bootstrap",
            "20",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let e = text(&o.stderr);
        assert!(e.contains("warning: --add-to") && e.contains(want), "{e}");
    }
    let o = gw(&["course", "validate", course.to_str().unwrap()]);
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        out.contains("dated before it") && out.contains("dated after today"),
        "{out}"
    );
}

/// A donor left off the call is not silently read as recipient: the
/// sample's table carries a WARNING (STR-UNDECLARED-PERSON); with every
/// donor declared there is none (audit 2026-12-05: 44.7 % "recipient").
#[test]
fn an_undeclared_donor_is_warned_beside_the_table() {
    let o = bin()
        .args([
            "chimerism",
            "str",
            "--recipient",
            "R-pre=examples/str/references.txt:R-pre",
            "--donor",
            "UCB-1=examples/str/references.txt:UCB-1",
            "--sample",
            "S=examples/str/day14.txt:PB-d14-WB",
            "--bootstrap",
            "20",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains(
            "WARNING [STR-UNDECLARED-PERSON] 7 loci carry peaks no declared person explains"
        ),
        "{out}"
    );
    let o = run(&[
        "--sample",
        "S=examples/str/day14.txt:PB-d14-WB",
        "--bootstrap",
        "20",
    ]);
    assert!(!text(&o.stdout).contains("STR-UNDECLARED-PERSON"));
}

/// `--syngeneic` names a declared donor, else exit 2 naming the donors.
#[test]
fn syngeneic_must_name_a_donor() {
    let o = run(&[
        "--sample",
        "S=examples/str/day14.txt:PB-d14-WB",
        "--syngeneic",
        "NOPE",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(
            "--syngeneic NOPE: no donor named 'NOPE' in this call (donors: UCB-1, PBSC-1)"
        ),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn add_to_needs_dates_and_course_donors_and_writes_nothing_otherwise() {
    let dir = tmp("course-bad");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let original = std::fs::read_to_string(&course).unwrap();
    let html = dir.join("x.html");
    let o = run(&[
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3",
        "--add-to",
        course.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_bad(&o, &["--add-to needs a date", "PB-d30-CD3"]);
    // A donor name that is not in the course.
    let o = bin()
        .args([
            "chimerism",
            "str",
            "--recipient",
            "R=examples/str/references.txt:R-pre",
            "--donor",
            "CORD=examples/str/references.txt:UCB-1",
            "--donor",
            "PBSC-1=examples/str/references.txt:PBSC-1",
        ])
        .args([
            "--sample",
            "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
            "--add-to",
            course.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--bootstrap",
            "10",
        ])
        .output()
        .unwrap();
    assert_bad(&o, &["'CORD'", "UCB-1, PBSC-1"]);
    assert_eq!(std::fs::read_to_string(&course).unwrap(), original);
    assert_eq!(sorted_listing(&dir), vec!["course.json".to_string()]);
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn bad_inputs_exit_2_and_write_nothing() {
    let dir = tmp("bad");
    let html = dir.join("out.html");
    let h = html.to_str().unwrap().to_string();

    // Unknown marker; duplicate rows of one sample and marker (wide
    // layout); header only; binary file; comma file with a bad row.
    let bad_files: [(&str, &[u8], &[&str]); 5] = [
        (
            "unknown.txt",
            b"Sample Name\tMarker\tAllele\tHeight\tArea\nS\tD99S99\t20\t900\t9000\n",
            &["unknown.txt", "line 2", "D99S99", "D3S1358"],
        ),
        (
            "dup.txt",
            b"Sample Name\tMarker\tAllele 1\tHeight 1\tArea 1\nS\tFGA\t20\t900\t9000\nS\tFGA\t21\t800\t8000\n",
            &["dup.txt", "line 3", "second row", "first on line 2"],
        ),
        (
            "header.txt",
            b"Sample Name\tMarker\tAllele 1\tHeight 1\n",
            &["header.txt", "line 1", "header only"],
        ),
        (
            "run.txt",
            &[0x50, 0x4B, 3, 4, 0, 0, 0xFF, 0xFE, 0, 0x81],
            &["run.txt", "line 1", "binary"],
        ),
        (
            "comma.csv",
            b"Sample Name,Marker,Allele,Height\nS,FGA,20,100,7\n",
            &["comma.csv", "line 2", "comma-separated"],
        ),
    ];
    for (name, body, needles) in bad_files {
        let f = dir.join(name);
        std::fs::write(&f, body).unwrap();
        let o = run(&["--sample", &format!("S={}:S", f.display()), "--html", &h]);
        assert_bad(&o, needles);
    }

    // Reference not in the file.
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "examples/str/references.txt:R-missing",
        "--donor",
        "D=examples/str/references.txt:UCB-1",
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3",
    ]);
    assert_bad(&o, &["R-missing", "R-pre, UCB-1"]);

    // Sample missing every reference locus (only Amelogenin and an unrelated marker row).
    let f = write(
        &dir,
        "noloci.txt",
        "Sample Name\tMarker\tAllele\tHeight\tArea\nS\tAMEL\tX\t900\t9000\n",
    );
    let o = run(&["--sample", &format!("S={f}:S"), "--bootstrap", "10"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("refused: sample 'S': low template"),
        "{}",
        text(&o.stdout)
    );

    // Sample matching no reference: every allele shifted far away.
    let f = stranger(&dir, "X");
    let o = run(&["--sample", &format!("X={f}:X"), "--html", &h]);
    assert_bad(&o, &["matches none of the declared people"]);

    // Sample not in the file; bad lineage / date.
    for (sample, needles) in [
        (
            "NOPE=examples/str/day30.txt:NOPE",
            &["no sample named 'NOPE'", "PB-d30-CD3"][..],
        ),
        (
            "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:liver",
            &["unknown lineage 'liver'"],
        ),
        (
            "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-02-30",
            &["2024-02-30"],
        ),
    ] {
        let o = run(&["--sample", sample, "--html", &h]);
        assert_bad(&o, needles);
    }
    // Bad reference specs.
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "examples/str/references.txt",
        "--donor",
        "D=examples/str/references.txt:UCB-1",
        "--sample",
        "x=a.txt:y",
    ]);
    assert_bad(&o, &["--recipient", "FILE:SAMPLE"]);
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "R=examples/str/references.txt:R-pre",
        "--donor",
        "examples/str/references.txt:UCB-1",
        "--sample",
        "x=a.txt:y",
    ]);
    assert_bad(&o, &["--donor", "NAME=INPUT", "FILE:SAMPLE"]);

    // References without donors are rejected by clap (exit 2 as well).
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "examples/str/references.txt:R-pre",
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3",
    ]);
    assert_eq!(o.status.code(), Some(2));

    assert!(!html.exists());
    let left = sorted_listing(&dir);
    assert_eq!(
        left,
        vec![
            "comma.csv",
            "dup.txt",
            "header.txt",
            "noloci.txt",
            "run.txt",
            "stranger.txt",
            "unknown.txt"
        ]
    );
}

/// A height-only wide export keyed by `Sample File`, with a row repeated
/// exactly (as real PROVEDIt-derived GeneMapper exports have): read without
/// `--measure` (heights, noted), the repeated row read once (noted), notes
/// about samples not analysed counted, not listed, and loci named as kits
/// spell them in JSON.
#[test]
fn height_only_export_with_a_repeated_row() {
    let dir = tmp("height-only");
    let loci = [
        ("D3S1358", "15", "16", "14"),
        ("vWA", "17", "18", "16"),
        ("FGA", "21", "22", "24"),
        ("TH01", "6", "7", "9.3"),
        ("D8S1179", "12", "13", "14"),
        ("D21S11", "28", "29", "30"),
    ];
    let mut t = String::from(
        "Sample File,Marker,Dye,Allele 1,Size 1,Height 1,Allele 2,Size 2,Height 2,Allele 3,Size 3,Height 3\n",
    );
    for (locus, a, b, c) in loci {
        t += &format!("R.fsa,{locus},B,{a},100,2000,{b},104,1900,,,\n");
        t += &format!("D.fsa,{locus},B,{b},104,2100,{c},108,2000,,,\n");
        t += &format!("MIX.fsa,{locus},B,{a},100,400,{b},104,2300,{c},108,1800\n");
        t += &format!("OTHER.fsa,{locus},B,OL,99,7,,,,,,\n");
    }
    // The first mixture row again, exactly.
    t += "MIX.fsa,D3S1358,B,15,100,400,16,104,2300,14,108,1800\n";
    let f = dir.join("plate.csv");
    std::fs::write(&f, t).unwrap();
    let file = f.to_str().unwrap();
    let (r, d, m) = (
        format!("R={file}:R.fsa"),
        format!("D={file}:D.fsa"),
        format!("MIX={file}:MIX.fsa"),
    );
    let analyse = || {
        let args = ["--recipient", &r, "--donor", &d, "--sample", &m];
        let json = ["--format", "json"];
        gw(&[&["chimerism", "str"][..], &args, &json].concat())
    };
    let o = analyse();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("measure: peak heights (the samples' export has no peak areas"),
        "{out}"
    );
    assert!(out.contains("\"measure\": \"height\""), "{out}");
    assert!(out.contains("[STR-DUPLICATE-ROW]"), "{out}");
    assert!(out.contains("line 26 repeats line 4 exactly"), "{out}");
    assert!(
        out.contains("6 reader notes about samples not analysed here not shown"),
        "{out}"
    );
    assert!(!out.contains("OTHER.fsa"), "{out}");
    assert!(
        out.contains("\"D3S1358\"") && !out.contains("\"D3s1358\""),
        "{out}"
    );
    // A differing second row for the same sample and marker is still an error.
    let before = std::fs::read_to_string(&f).unwrap();
    let last = before.trim_end().rsplit('\n').next().unwrap().to_string();
    let changed = before.replacen(&format!("\n{last}\n"), &format!("\n{last}1\n"), 2);
    let changed = changed.replacen(&format!("\n{last}1\n"), &format!("\n{last}\n"), 1);
    assert_ne!(changed, before);
    std::fs::write(&f, changed).unwrap();
    let o = analyse();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("second row for sample 'MIX.fsa'"),
        "{}",
        text(&o.stderr)
    );
}

/// An export made at 20 RFU (its lowest peak): the recipient's unique
/// alleles at 30–40 RFU are read at the export's own threshold, corroborated
/// at several loci; at a lab-set 50 RFU they are below the threshold. A run
/// that also holds an export made at 50 RFU is read at 50 (never below a
/// file's own threshold).
#[test]
fn analytical_threshold_is_the_exports_own_unless_the_lab_sets_it() {
    let dir = tmp("export-threshold");
    // Recipient a/b, donor b/c; a is three or more repeats from b and c
    // (in no stutter position), so it is the recipient's clean unique allele.
    let loci = [
        ("D3S1358", "12", "16", "17"),
        ("vWA", "13", "18", "19"),
        ("FGA", "19", "24", "25"),
        ("TH01", "6", "9.3", "10"),
        ("D8S1179", "10", "14", "15"),
        ("D21S11", "27", "31", "32"),
    ];
    let header = "Sample File,Marker,Dye,Allele 1,Size 1,Height 1,Allele 2,Size 2,Height 2,Allele 3,Size 3,Height 3\n";
    let (mut low, mut high) = (String::from(header), String::from(header));
    for (i, (locus, a, b, c)) in loci.into_iter().enumerate() {
        low += &format!("R.fsa,{locus},B,{a},100,2000,{b},104,1900,,,\n");
        low += &format!("D.fsa,{locus},B,{b},104,2100,{c},108,2000,,,\n");
        let minor = 30 + i * 2;
        low += &format!("MIX.fsa,{locus},B,{a},100,{minor},{b},104,3000,{c},108,2900\n");
        high += &format!("MIX50.fsa,{locus},B,{a},100,60,{b},104,3000,{c},108,2900\n");
    }
    // Height of the lowest peak rounded down: 20.6 → 20 RFU.
    low += "NTC.fsa,TH01,B,8,102,20.6,,,,,,\n";
    let (fl, fh) = (dir.join("low.csv"), dir.join("high.csv"));
    std::fs::write(&fl, low).unwrap();
    std::fs::write(&fh, high).unwrap();
    let (fl, fh) = (fl.to_str().unwrap(), fh.to_str().unwrap());
    let refs = [
        "--recipient".to_string(),
        format!("R={fl}:R.fsa"),
        "--donor".into(),
        format!("D={fl}:D.fsa"),
    ];
    let analyse = |extra: &[String]| {
        let mut a: Vec<String> = ["chimerism", "str", "--format", "json", "--bootstrap", "50"]
            .map(String::from)
            .to_vec();
        a.extend(refs.iter().cloned());
        a.extend(extra.iter().cloned());
        let o = bin().args(&a).output().unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let recipient = |v: &serde_json::Value, k: usize| {
        v["analyses"][0]["samples"][k]["outcome"]["persons"][0].clone()
    };
    let mix = ["--sample".to_string(), format!("MIX={fl}:MIX.fsa")];
    let v = analyse(&mix);
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("analytical threshold: 20 RFU, the samples' export's own"),
        "{notes}"
    );
    let r = recipient(&v, 0);
    assert_eq!(r["detection"], "present", "{r}");
    let pct = r["percent"].as_f64().unwrap();
    assert!(pct > 0.5 && pct < 2.0, "{r}");
    // The lab's threshold: no note, the 30–40 RFU peaks are below it.
    let v = analyse(&[&mix[..], &["--analytical-threshold".into(), "50".into()]].concat());
    assert!(!v["notes"].to_string().contains("analytical threshold:"));
    assert_eq!(recipient(&v, 0)["detection"], "not_detected");
    // With a sample from an export made at 60 RFU the run reads at 50.
    let both = [
        &mix[..],
        &["--sample".into(), format!("MIX50={fh}:MIX50.fsa")],
    ]
    .concat();
    let v = analyse(&both);
    assert!(!v["notes"].to_string().contains("analytical threshold:"));
    assert_eq!(recipient(&v, 0)["detection"], "not_detected");
    assert_eq!(recipient(&v, 1)["detection"], "present");
}

/// A refusal for want of usable loci says why each informative locus was
/// left out (the audit: `--saturation 100` gave a refusal that never
/// mentioned saturation, and listed AMEL as informative).
#[test]
fn a_refusal_names_why_the_loci_were_left_out() {
    let o = run(&[
        "--sample",
        "S=examples/str/day30.txt:PB-d30-CD3",
        "--saturation",
        "100",
    ]);
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        out.contains("left out: saturated (a peak at or above the saturation limit): CSF1PO"),
        "{out}"
    );
    assert!(!out.contains("informative in the references: CSF1PO, D3S1358, D5S818, D7S820, D8S1179, D13S317, D16S539, D18S51, D21S11, FGA, TH01, TPOX, vWA, D1S1656, D2S441, D2S1338, D10S1248, D12S391, D19S433, D22S1045, Penta D, Penta E, AMEL"), "{out}");
}

/// Review-lab S5: the computed per-sample limit is the share at which the
/// expected peak reaches the threshold (about 50 % detection), so a bare
/// "LoD 2.0%" beside a share of 1.78 % "present" read as a contradiction.
/// It is named LoD50 wherever it is printed and explained under the table.
#[test]
fn a_computed_lod_is_named_lod50_and_explained() {
    let o = run(&[
        "--sample",
        "PB-d30-CD33=examples/str/day30.txt:PB-d30-CD33:myeloid",
        "--bootstrap",
        "20",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("not detected (< LoD50 1.0%)"), "{out}");
    assert!(
        out.contains("with an allele of its own; LoD50 1.2%)"),
        "{out}"
    );
    assert!(
        !out.contains("; LoD 1") && !out.contains("< LoD 1"),
        "{out}"
    );
    assert_eq!(
        out.matches("LoD50 = share at which the person's expected peak reaches the threshold")
            .count(),
        1,
        "{out}"
    );
    let dir = tmp("lod50-html");
    let html = dir.join("p.html");
    let o = run(&[
        "--sample",
        "PB-d30-CD33=examples/str/day30.txt:PB-d30-CD33:myeloid",
        "--bootstrap",
        "20",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("LoD50 1.2%") && page.contains("LoD50 = share at which"));
}

/// Review-lab item 10: the CSV's sort purity is a percent like every other
/// column (the table says "sort purity 95.0%"); it was the fraction 0.9500.
#[test]
fn csv_purity_is_a_percent() {
    let o = run(&[
        "--sample",
        "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
        "--purity",
        "PB-d30-CD3=95",
        "--bootstrap",
        "20",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "purity_percent").unwrap();
    assert!(!header.contains(&"purity"), "{header:?}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[col] == "95.0000"), "{out}");
}

/// Review-lab item 8: the HTML page names a sample by the id the table, CSV
/// and course use (`PB-d14`), not by the file's sample name (`PB-d14-WB`),
/// which stays as a secondary detail (where the peaks came from).
#[test]
fn html_names_the_sample_by_its_id_with_the_file_sample_as_source() {
    let dir = tmp("html-id");
    let html = dir.join("p.html");
    let o = run(&[
        "--sample",
        "PB-d14=examples/str/day14.txt:PB-d14-WB::2024-05-13",
        "--bootstrap",
        "20",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Sample 'PB-d14' ("));
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(
        h.contains("<h2>PB-d14 — whole blood, 2024-05-13</h2>"),
        "{h}"
    );
    assert!(
        h.contains("<p class=\"source\">peaks from examples/str/day14.txt:PB-d14-WB</p>"),
        "{h}"
    );
}

/// Review-lab item 12: `--add-to` says on standard error what it recorded
/// (how many values, where, which samples and dates), and a rerun says it
/// replaced the earlier results of the same sample.
#[test]
fn add_to_says_what_it_recorded() {
    let dir = tmp("add-to-line");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let c = course.to_str().unwrap();
    let add = || {
        let o = run(&[
            "--sample",
            "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
            "--add-to",
            c,
            "--bootstrap",
            "20",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stderr)
    };
    let e = add();
    assert!(
        e.contains(&format!(
            "added 3 chimerism results to {c} (sample PB-d30-CD3, date 2024-05-29)\n"
        )),
        "{e}"
    );
    let e = add();
    assert!(
        e.contains(&format!(
            "added 3 chimerism results to {c} (sample PB-d30-CD3, date 2024-05-29); 3 earlier results of the same samples replaced"
        )),
        "{e}"
    );
}

/// Review-lab item 15: a failed no-template control names each peak by
/// locus, allele and height; a marrow sample's heading does not say "bone
/// marrow" twice; one donor reads "+ 1 donor".
#[test]
fn control_peaks_marrow_heading_and_donor_count_read_plainly() {
    let dir = tmp("wording-15");
    let r = root().join("examples/str");
    let (refs, d14) = (r.join("references.txt"), r.join("day14.txt"));
    let (refs, d14) = (refs.display(), d14.display());
    let sheet = write(
        &dir,
        "sheet.csv",
        &format!(
            "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n\
             ,,recipient,,{refs}:R-pre,,,,,\n\
             ,,donor,UCB-1,{refs}:UCB-1,,,,,\n\
             BM,,sample,,{d14}:PB-d14-WB,marrow,bm,2024-05-29,,\n\
             NTC,,control,,{d14}:PB-d14-WB,,,,,ntc\n"
        ),
    );
    let o = gw(&[
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
        "--bootstrap",
        "20",
    ]);
    let out = text(&o.stdout);
    assert!(
        out.contains("STR chimerism: recipient (sample 'R-pre'); donor: "),
        "{out}"
    );
    assert!(out.contains(", bone marrow, 2024-05-29)"), "{out}");
    assert!(
        !out.contains("bone marrow, 2024-05-29, bone marrow"),
        "{out}"
    );
    let warning = out.lines().next().unwrap();
    let peaks = warning
        .split("negative control: peaks at ")
        .nth(1)
        .and_then(|w| w.split(" (contamination?)").next())
        .unwrap_or_else(|| panic!("{warning}"));
    // "CSF1PO 11 (1234 RFU), D3S1358 14 (987 RFU), …": locus, allele, height.
    for p in peaks.split(", ") {
        let (locus_allele, rfu) = p.split_once(" (").unwrap_or_else(|| panic!("{p}"));
        assert!(locus_allele.contains(' ') && rfu.ends_with(" RFU)"), "{p}");
    }
}

/// The STR example's references and samples as a run sheet (one patient
/// `P1`) followed by `extra` rows, written as `sheet.csv` in `dir`.
fn example_sheet(dir: &Path, extra: &str) -> String {
    patient_sheet(dir, "P1", extra)
}

/// [`example_sheet`] with the patient id `patient`.
fn patient_sheet(dir: &Path, patient: &str, extra: &str) -> String {
    let r = root().join("examples/str");
    let (refs, d14, d30) = (
        r.join("references.txt"),
        r.join("day14.txt"),
        r.join("day30.txt"),
    );
    let (refs, d14, d30) = (refs.display(), d14.display(), d30.display());
    write(
        dir,
        "sheet.csv",
        &format!(
            "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n\
             ,{patient},recipient,,{refs}:R-pre,,,,,\n\
             ,{patient},donor,UCB-1,{refs}:UCB-1,,,,,\n\
             ,{patient},donor,PBSC-1,{refs}:PBSC-1,,,,,\n\
             WB,{patient},sample,,{d14}:PB-d14-WB,whole_blood,pb,2024-05-13,,\n\
             CD3,{patient},sample,,{d30}:PB-d30-CD3,cd3,pb,2024-05-29,,\n\
             {extra}"
        ),
    )
}

/// Review-lab M1: in `--format json` every sample of a run whose control
/// failed carries `RUN-CONTROL-FAILED` (as each CSV row does), and every
/// person carries the share as reported and the detection call, so a
/// person not detected reads `< LoD`, never the bare estimate.
#[test]
fn json_samples_carry_the_run_flag_and_the_reported_share() {
    let dir = tmp("json-run-flag");
    let d14 = root().join("examples/str/day14.txt");
    let sheet = example_sheet(
        &dir,
        &format!("NTC,,control,,{}:PB-d14-WB,,,,,ntc\n", d14.display()),
    );
    let o = gw(&[
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
        "--bootstrap",
        "20",
        "--lod",
        "5",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let samples = j["analyses"][0]["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 2);
    let mut not_detected = 0;
    for s in samples {
        assert_eq!(
            s["run_flags"],
            serde_json::json!(["RUN-CONTROL-FAILED"]),
            "{s}"
        );
        for p in s["outcome"]["persons"].as_array().unwrap() {
            let reported = p["reported_percent"].as_str().unwrap();
            if p["detected"] == false {
                not_detected += 1;
                assert!(reported.starts_with("< "), "{p}");
            } else {
                assert!(reported.parse::<f64>().is_ok(), "{p}");
            }
        }
    }
    assert!(not_detected > 0, "no person below the lab's LoD of 5 %");
    // Without a failed control no sample carries a run flag.
    let clean = example_sheet(&dir, "");
    let o = gw(&[
        "chimerism",
        "str",
        "--run-sheet",
        &clean,
        "--bootstrap",
        "20",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["analyses"][0]["samples"][0].get("run_flags").is_none());
}

/// Review-lab M1: `--add-to` records a person below the lab's LoD as not
/// detected with the limit (`detected: false`, `lod_percent`), which every
/// reader of the course shows as `< LoD`.
#[test]
fn add_to_records_a_person_not_detected_with_its_limit() {
    let dir = tmp("add-to-not-detected");
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let sheet = patient_sheet(&dir, "SEED-AML-01", "");
    let c = course.to_str().unwrap();
    let o = gw(&[
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
        "--bootstrap",
        "20",
        "--lod",
        "5",
        "--add-to",
        c,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&course).unwrap()).unwrap();
    let rows: Vec<&serde_json::Value> = j["observations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["sample"] == "WB" || o["sample"] == "CD3")
        .collect();
    assert!(!rows.is_empty());
    let below: Vec<_> = rows.iter().filter(|o| o["detected"] == false).collect();
    assert!(!below.is_empty(), "{rows:?}");
    for o in below {
        assert_eq!(o["lod_percent"], 5.0, "{o}");
    }
}

/// Review-lab M8 (a): a patient without a recipient row is named, with its
/// lines, instead of "donor name … cannot be used".
#[test]
fn a_patient_without_a_recipient_row_is_named_with_its_lines() {
    let dir = tmp("sheet-no-recipient");
    let refs = root().join("examples/str/references.txt");
    let sheet = example_sheet(
        &dir,
        &format!(",P2,donor,D1,{}:UCB-1,,,,,\n", refs.display()),
    );
    let o = gw(&["chimerism", "str", "--run-sheet", &sheet]);
    assert_bad(
        &o,
        &[
            "sheet.csv: line 7: patient 'P2' has no recipient row (role recipient; its only row is line 7)",
        ],
    );
    assert!(
        !text(&o.stderr).contains("cannot be used"),
        "{}",
        text(&o.stderr)
    );
}

/// Review-lab M8 (b): a sample id used twice names both lines.
#[test]
fn a_duplicate_sample_id_names_both_lines() {
    let dir = tmp("sheet-dup");
    let d30 = root().join("examples/str/day30.txt");
    let sheet = example_sheet(
        &dir,
        &format!(
            "WB,P1,sample,,{}:PB-d30-CD33,cd33,pb,2024-05-29,,\n",
            d30.display()
        ),
    );
    let o = gw(&["chimerism", "str", "--run-sheet", &sheet]);
    assert_bad(
        &o,
        &["sheet.csv: line 7: sample id 'WB' is used twice (first on line 5)"],
    );
}

/// Review-lab M8 (c, e): a reference sample missing from its file names the
/// sheet's line and patient; `--error-format json` carries file, line,
/// column and the value.
#[test]
fn a_missing_reference_sample_names_the_sheet_line_and_patient() {
    let dir = tmp("sheet-bad-ref");
    let sheet = example_sheet(&dir, "");
    let text_in = std::fs::read_to_string(&sheet).unwrap();
    std::fs::write(&sheet, text_in.replace(":UCB-1,", ":UCB-X,")).unwrap();
    let o = gw(&["chimerism", "str", "--run-sheet", &sheet]);
    assert_bad(
        &o,
        &[
            "sheet.csv: line 3, column 'input' (patient 'P1'): ",
            "references.txt: no sample named 'UCB-X'",
        ],
    );
    let o = gw(&[
        "--error-format",
        "json",
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert!(j["file"].as_str().unwrap().ends_with("sheet.csv"), "{j}");
    assert_eq!(
        (j["line"].clone(), j["column"].clone()),
        (3.into(), "input".into()),
        "{j}"
    );
    assert_eq!(j["value"], "UCB-X", "{j}");
    assert!(j["expected"].as_str().unwrap().contains("R-pre"), "{j}");
}

/// Review-lab M8 (e): outside a run sheet the JSON error gives the peak
/// table, the sample asked for and what the file holds.
#[test]
fn json_errors_carry_the_file_and_value_they_name() {
    let o = gw(&[
        "--error-format",
        "json",
        "chimerism",
        "str",
        "--recipient",
        "R=examples/str/references.txt:R-pre",
        "--donor",
        "UCB-1=examples/str/references.txt:UCB-1",
        "--sample",
        "S=examples/str/day14.txt:NOPE",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(j["file"], "examples/str/day14.txt", "{j}");
    assert_eq!(j["value"], "NOPE", "{j}");
    assert!(j["expected"].as_str().unwrap().contains("PB-d14-WB"), "{j}");
}

/// Review-lab M8 (d): one patient whose donor has the recipient's genotype
/// is refused on its own (`STR-IDENTICAL`); the other patients are
/// reported, the run exits 2 and nothing is recorded.
#[test]
fn a_patient_with_identical_references_is_refused_alone() {
    let dir = tmp("sheet-identical");
    let r = root().join("examples/str");
    let (refs, d14) = (r.join("references.txt"), r.join("day14.txt"));
    let sheet = example_sheet(
        &dir,
        &format!(
            ",P2,recipient,,{refs}:R-pre,,,,,\n\
             ,P2,donor,D1,{refs}:R-pre,,,,,\n\
             P2-S,P2,sample,,{d14}:PB-d14-WB,whole_blood,pb,2024-05-13,,\n",
            refs = refs.display(),
            d14 = d14.display()
        ),
    );
    let course = dir.join("course.json");
    std::fs::copy(root().join("examples/seed-case/course.json"), &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let o = gw(&[
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
        "--bootstrap",
        "20",
        "--add-to",
        course.to_str().unwrap(),
    ]);
    assert_exit_2(
        &o,
        &[
            "1 of 3 samples refused (STR-IDENTICAL): patient 'P2': sample 'P2-S'",
            "identical genotypes",
            "nothing was added to the course (--add-to)",
        ],
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("=== Patient P1 ===") && out.contains("dominant donor"),
        "{out}"
    );
    assert!(out.contains("refused [STR-IDENTICAL]"), "{out}");
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
}

/// Review-lab M8: a peak height no instrument gives (2994.8e9 RFU) is
/// refused with the file, line, column, value and the bound, not accepted
/// as a saturated peak.
#[test]
fn an_implausible_peak_height_is_refused() {
    let dir = tmp("implausible-height");
    let d14 = std::fs::read_to_string(root().join("examples/str/day14.txt")).unwrap();
    let header: Vec<&str> = d14.lines().next().unwrap().split('\t').collect();
    let h1 = header.iter().position(|c| *c == "Height").unwrap();
    let mut lines: Vec<String> = d14.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split('\t').map(str::to_string).collect();
    cells[h1] = "2994.8e9".into();
    lines[3] = cells.join("\t");
    let f = dir.join("day14.txt");
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let spec = format!("S={}:PB-d14-WB", f.display());
    let o = gw(&str_example(&spec));
    assert_bad(
        &o,
        &[
            "day14.txt: line 4, column 'Height': '2994.8e9' is not valid",
            "at most 1000000 RFU",
            "saturate at about 30,000–33,000 RFU",
        ],
    );
}

/// Review-lab M8 (e): a bad run-sheet cell gives `--error-format json` its
/// file, line, column and value (they were `null`).
#[test]
fn json_errors_carry_a_bad_run_sheet_cell() {
    let dir = tmp("sheet-bad-date");
    let sheet = example_sheet(&dir, "");
    let t = std::fs::read_to_string(&sheet).unwrap();
    std::fs::write(&sheet, t.replace("2024-05-29", "never")).unwrap();
    let o = gw(&[
        "--error-format",
        "json",
        "chimerism",
        "str",
        "--run-sheet",
        &sheet,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert!(j["file"].as_str().unwrap().ends_with("sheet.csv"), "{j}");
    assert_eq!(
        (j["line"].clone(), j["column"].clone()),
        (6.into(), "date".into()),
        "{j}"
    );
    assert_eq!(j["value"], "never", "{j}");
    assert!(
        j["expected"].as_str().unwrap().contains("YYYY-MM-DD"),
        "{j}"
    );
}

/// Review-lab M7: a signed report states how the run was analysed: the
/// kit, the peak measure, the analytical threshold and the software, in the
/// table and the JSON.
#[test]
fn the_report_states_kit_measure_threshold_and_software() {
    let mut args = str_example("S=examples/str/day14.txt:PB-d14-WB");
    args.extend([
        "--kit",
        "powerplex16hs",
        "--ignore-unknown-markers",
        "--analytical-threshold",
        "40",
    ]);
    let o = gw(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let first = text(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        first,
        format!(
            "Method: Promega PowerPlex 16 HS (16 markers) (kit 'powerplex16hs'); peak area; analytical threshold 40 RFU; graftwatch {}",
            env!("CARGO_PKG_VERSION")
        )
    );
    args.extend(["--format", "json"]);
    let o = gw(&args);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["method"]["kit"], "powerplex16hs");
    assert_eq!(j["method"]["measure"], "area");
    assert_eq!(j["method"]["analytical_threshold_rfu"], 40.0);
}

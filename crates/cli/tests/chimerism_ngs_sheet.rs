//! `graftwatch chimerism ngs --run-sheet`: the run sheet of `chimerism
//! str` for sequencing (several patients, sequencing runs, sort purity,
//! run controls), and the command-line result unchanged by it.

use std::path::{Path, PathBuf};

mod cli_common;
mod ngs_cli;
use cli_common::fresh_dir;
use ngs_cli::{example, gw, persons_args};

const HEADER: &str =
    "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type,run";

/// The example's pileup with two more columns: `ntc` (one read at each
/// marker: a clean no-template control) and `dirty` (the recipient's reads:
/// a contaminated one).
fn pileup_with_controls(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(example("pileup.vcf")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("##") {
            out.push_str(line);
        } else if line.starts_with("#CHROM") {
            out.push_str(line);
            out.push_str("\tntc\tdirty");
        } else {
            let cols: Vec<&str> = line.split('\t').collect();
            out.push_str(line);
            out.push_str("\t./.:1,0:1\t");
            out.push_str(cols[9]);
        }
        out.push('\n');
    }
    let p = dir.join("plate.vcf");
    std::fs::write(&p, out).unwrap();
    p
}

fn sheet(dir: &Path, rows: &[&str]) -> PathBuf {
    let p = dir.join("run.csv");
    std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    p
}

fn run_sheet(sheet: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut a = vec![
        "chimerism".to_string(),
        "ngs".into(),
        "--panel".into(),
        example("panel.vcf").display().to_string(),
        "--run-sheet".into(),
        sheet.display().to_string(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    gw(&a)
}

fn json(r: (i32, String, String)) -> serde_json::Value {
    assert_eq!(r.0, 0, "{}", r.2);
    serde_json::from_str(&r.1).unwrap()
}

/// One patient's rows (recipient, donors `pbsc` and `ucb1`) on `file`.
fn patient_rows(patient: &str, file: &str) -> Vec<String> {
    vec![
        format!(",{patient},recipient,,{file}:recipient,,,,,,"),
        format!(",{patient},donor,pbsc,{file}:pbsc,,,,,,"),
        format!(",{patient},donor,ucb1,{file}:ucb1,,,,,,"),
    ]
}

#[test]
fn one_patient_sheet_gives_the_command_line_result() {
    let dir = fresh_dir("gw-ngs-sheet", "one");
    let p = example("pileup.vcf").display().to_string();
    let mut rows = patient_rows("", &p);
    rows.push(format!("day30,,sample,,{p},whole_blood,pb,2026-03-01,,,"));
    rows.push(format!("day60,,sample,,{p},whole_blood,pb,2026-03-01,,,"));
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let from_sheet = json(run_sheet(&sheet(&dir, &rows), &["--format", "json"]));
    let mut a = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    for s in ["day30", "day60"] {
        a.extend([
            "--sample".into(),
            format!("{s}={p}:{s}:whole_blood:2026-03-01"),
        ]);
    }
    a.extend(["--format".into(), "json".into()]);
    let (code, out, err) = gw(&a);
    assert_eq!(code, 0, "{err}");
    let from_args: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(from_sheet["schema"], "graftwatch-ngs/2");
    for i in 0..2 {
        assert_eq!(
            from_sheet["samples"][i]["result"], from_args["samples"][i]["result"],
            "sample {i}"
        );
        assert_eq!(
            from_sheet["samples"][i]["allele_bias"],
            from_args["samples"][i]["allele_bias"]
        );
    }
}

#[test]
fn plate_with_two_patients_runs_purity_and_controls() {
    let dir = fresh_dir("gw-ngs-sheet", "plate");
    let f = pileup_with_controls(&dir);
    let f = f.file_name().unwrap().to_str().unwrap(); // relative to the sheet
    let mut rows = patient_rows("P1", f);
    rows.push(format!(
        "day30,P1,sample,,{f},whole_blood,pb,2026-03-01,,,A"
    ));
    rows.push(format!(
        "day60,P1,sample,,{f},whole_blood,pb,2026-03-02,,,A"
    ));
    rows.push(format!("day100,P1,sample,,{f},cd3,pb,2026-03-02,80%,,B"));
    rows.extend(patient_rows("P2", f));
    rows.push(format!("day180,P2,sample,,{f},,bm,2026-04-01,,,B"));
    rows.push(format!("ntc,,control,,{f},,,,,negative,A"));
    rows.push(format!("pos,,control,,{f}:recipient,,,,,positive,A"));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let s = sheet(&dir, &rows_s);
    let j = json(run_sheet(&s, &["--format", "json"]));
    assert_eq!(j["schema"], "graftwatch-ngs-plate/1");
    let an = j["analyses"].as_array().unwrap();
    assert_eq!(an.len(), 2);
    assert_eq!(
        (an[0]["patient"].as_str(), an[1]["patient"].as_str()),
        (Some("P1"), Some("P2"))
    );
    let p1 = an[0]["samples"].as_array().unwrap();
    // Run A's two samples learn from each other; run B's day100 is alone in
    // its run for P1 and analysed alone.
    assert_eq!(p1[0]["run"], "A");
    assert_eq!(
        p1[0]["allele_bias"]["usable_others"], 1,
        "{}",
        p1[0]["allele_bias"]
    );
    assert!(p1[2]["allele_bias"].is_null(), "{}", p1[2]["allele_bias"]);
    // Sorted CD3 at 80 %, with the whole-blood sample of its day: the
    // recipient, detected at 0.88 % in the CD3 tube, would be corrected
    // below 0 % (5.4 % recipient in whole blood), so the correction is not
    // applied and says why (NGS-PURITY-MISMATCH); flagged low purity.
    assert_eq!(p1[2]["purity"], 0.8);
    assert!(p1[2]["purity_corrected_percent"].is_null());
    let note = p1[2]["purity_note"].as_str().unwrap();
    assert!(
        note.contains("[NGS-LOW-PURITY]")
            && note.contains("[NGS-PURITY-MISMATCH] purity correction not applied")
            && note.contains("recipient (present here at 0.88%"),
        "{note}"
    );
    assert!(p1[0]["purity"].is_null());
    let c = j["controls"].as_array().unwrap();
    assert_eq!(
        (c[0]["control"].as_str(), c[0]["passed"].as_bool()),
        (Some("negative"), Some(true))
    );
    assert_eq!(
        (c[1]["control"].as_str(), c[1]["passed"].as_bool()),
        (Some("positive"), Some(true))
    );
    // The table shows each patient and the controls; the TSV has one header.
    let (code, table, err) = run_sheet(&s, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("=== Patient P1 ===") && table.contains("=== Patient P2 ==="));
    assert!(
        table.contains("Run controls:") && table.contains("ntc"),
        "{table}"
    );
    assert!(
        table.contains("specimen bone marrow; sequencing run B"),
        "{table}"
    );
    assert!(table.contains("[NGS-PURITY-MISMATCH]"), "{table}");
    assert_eq!(an[1]["samples"][0]["specimen"], "marrow");
    let (_, tsv, _) = run_sheet(&s, &["--format", "tsv"]);
    assert_eq!(tsv.lines().filter(|l| l.starts_with("sample\t")).count(), 1);
    assert!(tsv.lines().any(|l| l.starts_with("day180\t")));
    // A contaminated no-template control fails, naming what it found.
    rows.push(format!("dirty,,control,,{f},,,,,ntc,A"));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let j = json(run_sheet(&sheet(&dir, &rows_s), &["--format", "json"]));
    let dirty = &j["controls"][2];
    assert_eq!(dirty["passed"], false);
    assert!(
        dirty["detail"].as_str().unwrap().contains("contamination"),
        "{dirty}"
    );
    // ... and every result of the run says so: a WARNING at the top of the
    // table, RUN-CONTROL-FAILED on every sample row of the TSV, and a row
    // per control there.
    let s2 = sheet(&dir, &rows_s);
    let (_, table, _) = run_sheet(&s2, &[]);
    assert!(
        table.starts_with(
            "WARNING [RUN-CONTROL-FAILED] run control failed: dirty (negative control"
        ),
        "{table}"
    );
    // The JSON says so at the run level (stop 36, L2).
    let j = json(run_sheet(&s2, &["--format", "json"]));
    assert_eq!(
        j["run_status"]["status"], "not_reportable",
        "{}",
        j["run_status"]
    );
    assert_eq!(j["run_status"]["flags"][0], "RUN-CONTROL-FAILED");
    let (_, tsv, _) = run_sheet(&s2, &["--format", "tsv"]);
    let samples: Vec<&str> = tsv
        .lines()
        .skip(1)
        .filter(|l| !l.contains("\tcontrol\t"))
        .collect();
    assert!(
        !samples.is_empty()
            && samples
                .iter()
                .all(|l| l.ends_with("RUN-CONTROL-FAILED") || l.contains("RUN-CONTROL-FAILED"))
    );
    assert!(
        tsv.lines()
            .any(|l| l.starts_with("dirty\t") && l.contains("\tRUN-CONTROL-FAILED\t")),
        "{tsv}"
    );
    assert!(
        tsv.lines()
            .any(|l| l.starts_with("ntc\t") && l.contains("\tCONTROL-PASS\t")),
        "{tsv}"
    );
}

/// Audit S2 (stop 36, L2): with a failed run control, `--add-to` records
/// nothing: exit 2 after the report, naming the control; the course is
/// untouched. The same sheet with a clean control records the run.
#[test]
fn a_failed_run_control_stops_add_to() {
    let dir = fresh_dir("gw-ngs-sheet", "control-add-to");
    let course = dir.join("course.json");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    std::fs::copy(&seed, &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let f = pileup_with_controls(&dir);
    let f = f.file_name().unwrap().to_str().unwrap();
    let p = "SEED-AML-01";
    let mut rows = vec![
        format!(",{p},recipient,,{f}:recipient,,,,,,"),
        format!(",{p},donor,PBSC-1,{f}:pbsc,,,,,,"),
        format!(",{p},donor,UCB-1,{f}:ucb1,,,,,,"),
        format!("day30,{p},sample,,{f},whole_blood,pb,2026-03-01,,,"),
        format!("ntc,,control,,{f}:ntc,,,,,negative,"),
    ];
    let c = course.display().to_string();
    rows.push(format!("dirty,,control,,{f}:dirty,,,,,ntc,"));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (code, out, err) = run_sheet(&sheet(&dir, &rows_s), &["--add-to", &c]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("run control failed (RUN-CONTROL-FAILED): dirty (negative control")
            && err.contains("nothing was added to the course (--add-to)"),
        "{err}"
    );
    assert!(out.starts_with("WARNING [RUN-CONTROL-FAILED]"), "{out}");
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
    // Review-lab M1: every sample of the JSON carries the run's flag.
    let (_, out, err) = run_sheet(&sheet(&dir, &rows_s), &["--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    for s in j["samples"].as_array().unwrap() {
        assert_eq!(
            s["run_flags"],
            serde_json::json!(["RUN-CONTROL-FAILED"]),
            "{s}"
        );
    }
    rows.pop();
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (code, _, err) = run_sheet(&sheet(&dir, &rows_s), &["--add-to", &c]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(&course).unwrap(), before);
}

#[test]
fn run_sheet_errors_exit_2_naming_the_problem() {
    let dir = fresh_dir("gw-ngs-sheet", "bad");
    let p = example("pileup.vcf").display().to_string();
    let mut rows = patient_rows("P1", &p);
    let base = rows.clone();
    rows.push(format!("lad,,control,,{p},,,,,ladder,"));
    rows.push(format!("day30,P1,sample,,{p},,,,,,"));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (code, _, err) = run_sheet(&sheet(&dir, &rows_s), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("allelic ladder") && err.contains("lad"),
        "{err}"
    );
    // A patient without a sample row.
    let rows_s: Vec<&str> = base.iter().map(String::as_str).collect();
    let (code, _, err) = run_sheet(&sheet(&dir, &rows_s), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("patient 'P1' has no sample row"), "{err}");
    // A peak table is not a sequencing input.
    let mut rows = base.clone();
    rows.push("day30,P1,sample,,day30.txt:x,,,,,,".into());
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (code, _, err) = run_sheet(&sheet(&dir, &rows_s), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 5") && err.contains("input"), "{err}");
    // --html draws one patient.
    let mut rows = base.clone();
    rows.push(format!("day30,P1,sample,,{p},,,,,,"));
    rows.extend(patient_rows("P2", &p));
    rows.push(format!("day60,P2,sample,,{p},,,,,,"));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let html = dir.join("x.html");
    let (code, _, err) = run_sheet(&sheet(&dir, &rows_s), &["--html", html.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("one patient per call"), "{err}");
    assert!(!html.exists());
}

#[test]
fn purity_on_the_command_line_as_for_str() {
    let p = example("pileup.vcf").display().to_string();
    let mut a = persons_args(&example("panel.vcf"), &example("pileup.vcf"));
    a.extend([
        "--sample".into(),
        format!("day60={p}:day60:whole_blood:2026-03-02"),
        "--sample".into(),
        format!("day100={p}:day100:cd3:2026-03-02"),
        "--purity".into(),
        "day100=95".into(),
        "--format".into(),
        "json".into(),
    ]);
    let (code, out, err) = gw(&a);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &j["samples"][1];
    assert_eq!(s["purity"], 0.95);
    let note = s["purity_note"].as_str().unwrap();
    assert!(note.starts_with("purity-corrected for 95.0%"), "{note}");
    // 95 % sorted: each share moves toward the lineage's own, away from the unsorted one.
    let obs = s["result"]["persons"][0]["percent"].as_f64().unwrap();
    let wb = j["samples"][0]["result"]["persons"][0]["percent"]
        .as_f64()
        .unwrap();
    let c = s["purity_corrected_percent"][0].as_f64().unwrap();
    assert!(
        (c - obs) * (obs - wb) >= 0.0,
        "obs {obs} wb {wb} corrected {c}"
    );
    a.extend(["--purity".into(), "nosuch=90".into()]);
    let (code, _, err) = gw(&a);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no --sample named 'nosuch'"), "{err}");
}

/// Review-lab item 9: on a multi-patient sheet the TSV/CSV name each row's
/// patient, specimen, sequencing run and sort purity, and a sorted tube's
/// purity-corrected share (what the table shows and `--add-to` records) is
/// a column of its own, appended after the earlier columns.
#[test]
fn tsv_has_patient_sheet_and_purity_corrected_columns() {
    let dir = fresh_dir("gw-ngs-sheet", "tsv-cols");
    let p = example("pileup.vcf").display().to_string();
    let mut rows = patient_rows("P1", &p);
    rows.push(format!(
        "day60,P1,sample,,{p},whole_blood,pb,2026-03-02,,,A"
    ));
    rows.push(format!("day100,P1,sample,,{p},cd3,pb,2026-03-02,95%,,A"));
    rows.extend(patient_rows("P2", &p));
    rows.push(format!("day180,P2,sample,,{p},,bm,2026-04-01,,,B"));
    rows.push(format!("ntc,,control,,{p}:recipient,,,,,positive,A"));
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let s = sheet(&dir, &rows);
    let j = json(run_sheet(&s, &["--format", "json"]));
    let day100 = &j["analyses"][0]["samples"][1];
    let corrected = day100["purity_corrected_percent"][0].as_f64().unwrap();
    let (code, tsv, err) = run_sheet(&s, &["--format", "tsv"]);
    assert_eq!(code, 0, "{err}");
    let header: Vec<&str> = tsv.lines().next().unwrap().split('\t').collect();
    assert_eq!(
        header[16..],
        [
            "detected",
            "patient",
            "specimen",
            "run",
            "purity_percent",
            "purity_corrected_percent"
        ]
    );
    let rows: Vec<Vec<&str>> = tsv.lines().map(|l| l.split('\t').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 22), "{tsv}");
    let rec = rows
        .iter()
        .find(|r| r[0] == "day100" && r[4] == "recipient")
        .unwrap();
    assert_eq!(rec[17..21], ["P1", "peripheral blood", "A", "95.00"]);
    assert_eq!(rec[21], format!("{corrected:.3}"));
    assert_ne!(rec[5], rec[21], "measured and corrected differ");
    let wb = rows.iter().find(|r| r[0] == "day60").unwrap();
    assert_eq!((wb[17], wb[20], wb[21]), ("P1", "", ""));
    let bm = rows.iter().find(|r| r[0] == "day180").unwrap();
    assert_eq!((bm[17], bm[18], bm[19]), ("P2", "bone marrow", "B"));
    let (_, csv, _) = run_sheet(&s, &["--format", "csv"]);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",detected,patient,specimen,run,purity_percent,purity_corrected_percent")
    );
}

/// Review-lab M8 (d), NGS as STR: on a plate, a patient whose donor's
/// genotypes equal the recipient's is refused on its own (`NGS-IDENTICAL`,
/// its samples named, no numbers), every other patient is reported, the
/// command exits 2 after the report and nothing is recorded; with one
/// patient it stays an error.
#[test]
fn a_patient_with_a_donor_identical_to_the_recipient_is_refused_alone() {
    let dir = fresh_dir("gw-ngs-sheet", "identical");
    let f = pileup_with_controls(&dir);
    let f = f.file_name().unwrap().to_str().unwrap();
    let mut rows = patient_rows("P1", f);
    rows.push(format!("day30,P1,sample,,{f},whole_blood,pb,2026-03-01,,,"));
    rows.push(format!(",P2,recipient,,{f}:recipient,,,,,,"));
    rows.push(format!(",P2,donor,twin,{f}:recipient,,,,,,"));
    rows.push(format!(
        "p2-d30,P2,sample,,{f},whole_blood,pb,2026-03-01,,,"
    ));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let s = sheet(&dir, &rows_s);
    let (code, out, err) = run_sheet(&s, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("1 of 2 samples refused (NGS-IDENTICAL): patient 'P2': sample 'p2-d30'")
            && err.contains("identical genotypes"),
        "{err}"
    );
    assert!(
        out.contains("=== Patient P1 ===") && out.contains("dominant donor"),
        "{out}"
    );
    assert!(
        out.contains("=== Patient P2 ===\nSample 'p2-d30': no estimate\n  refused [NGS-IDENTICAL]"),
        "{out}"
    );
    let (_, out, _) = run_sheet(&s, &["--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["analyses"].as_array().unwrap().len(), 1);
    assert_eq!(j["refused"][0]["patient"], "P2");
    assert_eq!(j["refused"][0]["samples"], serde_json::json!(["p2-d30"]));
    let (_, out, _) = run_sheet(&s, &["--format", "tsv"]);
    let header: Vec<&str> = out.lines().next().unwrap().split('\t').collect();
    let row: Vec<&str> = out
        .lines()
        .find(|l| l.starts_with("p2-d30\t"))
        .unwrap()
        .split('\t')
        .collect();
    assert_eq!(row.len(), header.len(), "{out}");
    let col = |n: &str| row[header.iter().position(|h| *h == n).unwrap()];
    assert_eq!(
        (col("flags"), col("patient"), col("percent")),
        ("NGS-IDENTICAL", "P2", "")
    );
    // Nothing is recorded from the plate.
    let course = dir.join("course.json");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
    std::fs::copy(&seed, &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let (code, _, err) = run_sheet(&s, &["--add-to", course.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&course).unwrap(), before, "course changed");
    // One patient: the references cannot be used, an error as before.
    let one: Vec<&str> = rows_s[4..].to_vec();
    let (code, _, err) = run_sheet(&sheet(&dir, &one), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("identical genotypes"), "{err}");
}

/// Review-lab M7 for NGS: the table starts with the run's method (panel,
/// markers, depth floor, software) and the JSON carries it as `method`.
#[test]
fn the_report_states_panel_depth_floor_and_software() {
    let dir = fresh_dir("gw-ngs-sheet", "method");
    let f = pileup_with_controls(&dir);
    let f = f.file_name().unwrap().to_str().unwrap();
    let mut rows = patient_rows("P1", f);
    rows.push(format!("day30,P1,sample,,{f},whole_blood,pb,2026-03-01,,,"));
    let rows_s: Vec<&str> = rows.iter().map(String::as_str).collect();
    let s = sheet(&dir, &rows_s);
    let (code, out, err) = run_sheet(&s, &["--min-depth", "50"]);
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("Method: panel ")
            && first.ends_with(&format!(
                "markers used from 50 reads; graftwatch {}",
                env!("CARGO_PKG_VERSION")
            )),
        "{out}"
    );
    let j = json(run_sheet(&s, &["--min-depth", "50", "--format", "json"]));
    assert_eq!(j["method"]["min_depth_reads"], 50);
    assert!(j["method"]["panel_markers"].as_u64().unwrap() > 0);
    assert!(
        j["method"]["panel"]
            .as_str()
            .unwrap()
            .ends_with("panel.vcf")
    );
}

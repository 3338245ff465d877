//! `chimerism str` on real public exports (EuroForMix, strvalidator tables in
//! crates/genomics-io/tests/data/str-real), the deprecated spellings, and a
//! run sheet for a plate with several patients and run controls.

#[path = "../../chimerism/tests/common/str_sim.rs"]
mod str_sim;

mod cli_common;

use std::path::PathBuf;
use std::process::{Command, Output};

use cli_common::{assert_exit_2, root, text};
use str_sim::{Rng, SimParams, haploidentical, mixture, to_genemapper_wide, unrelated};

fn real(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../genomics-io/tests/data/str-real")
        .join(name)
        .display()
        .to_string()
}

fn gw(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(["chimerism", "str"])
        .args(args)
        .output()
        .unwrap()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn real_mixtures_with_genotype_table_references_are_analysed() {
    // GlobalFiler 4-person mixture; references are a genotype table (no heights).
    let refs = real("euroformix_GF_refs.csv");
    let mut a = s(&[
        "--measure",
        "height",
        "--kit",
        "globalfiler",
        "--bootstrap",
        "50",
    ]);
    a.push("--recipient".into());
    a.push(format!("K48={refs}:K48"));
    for d in ["K49", "K50", "K29"] {
        a.push("--donor".into());
        a.push(format!("{d}={refs}:{d}"));
    }
    a.push("--sample".into());
    a.push(format!("evid4p={}:evid4p", real("euroformix_GF_evid.csv")));
    let o = gw(&a);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("kit default (globalfiler), modelled"), "{out}");
    assert!(out.contains("[STR-STUTTER-KIT]"), "{out}");
    // ESX 17 three-person replicates (comma) and low-template replicates (semicolon).
    let refs = real("euroformix_ESX17_refs.csv");
    let mut a = s(&[
        "--measure",
        "height",
        "--bootstrap",
        "50",
        "--format",
        "json",
    ]);
    a.extend([
        "--recipient".into(),
        format!("ref1={refs}:ref1"),
        "--donor".into(),
        format!("ref2={refs}:ref2"),
        "--donor".into(),
        format!("ref3={refs}:ref3"),
    ]);
    for st in ["stain5", "stain95", "stain7"] {
        a.extend([
            "--sample".into(),
            format!("{st}={}:{st}", real("euroformix_ESX17_3pR.csv")),
        ]);
    }
    for st in ["stain80", "stain68", "stain51"] {
        a.extend([
            "--sample".into(),
            format!("{st}={}:{st}", real("euroformix_ESX17_evids_LTDNA.csv")),
        ]);
    }
    let o = gw(&a);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let samples = v["analyses"][0]["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 6);
    // Replicates of one mixture agree within 5 points per person.
    let shares: Vec<Vec<f64>> = samples[..3]
        .iter()
        .map(|x| {
            x["outcome"]["persons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["percent"].as_f64().unwrap())
                .collect()
        })
        .collect();
    for k in 0..3 {
        let (lo, hi) = shares
            .iter()
            .map(|s| s[k])
            .fold((100.0_f64, 0.0_f64), |(a, b), x| (a.min(x), b.max(x)));
        assert!(hi - lo < 5.0, "person {k}: {shares:?}");
    }
    // Low-template replicates: flagged or refused, never a confident 0 or 100 %.
    for x in &samples[3..] {
        let o = &x["outcome"];
        if o["status"] == "refused" {
            assert!(o["reason"].as_str().unwrap().contains("low template"));
            continue;
        }
        let flags: Vec<&str> = o["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(flags.contains(&"STR-LOW-TEMPLATE"), "{flags:?}");
        for p in o["persons"].as_array().unwrap() {
            let pct = p["percent"].as_f64().unwrap();
            let ci = &p["ci"];
            assert!(
                ci["high"].as_f64().unwrap() - ci["low"].as_f64().unwrap() > 5.0,
                "{p}"
            );
            assert!(pct > 0.0 && pct < 100.0, "{p}");
        }
    }
}

/// A real GeneMapper ID-X allele report (PowerPlex Fusion 6C, header
/// spelled `Allele#1`/`Height#1`, Y-STRs) of the NFI two-person mixture
/// 1A2, three injections, with the persons' genotype tables (DNANet,
/// Apache-2.0): read, and the three replicates agree. Hand calculation
/// from the heights at D2S1338 (B-only allele 17: 2,180 RFU; A-only 20:
/// 5,258) gives B about 29 %.
#[test]
fn a_real_fusion_6c_allele_report_is_read_and_its_replicates_agree() {
    let report = real("dnanet_Dataset1_DTH_AlleleReport.txt");
    let mut a = s(&[
        "--recipient",
        &format!("A={}:A", real("dnanet_ref_1A.csv")),
        "--donor",
        &format!("B={}:B", real("dnanet_ref_1B.csv")),
        "--kit",
        "fusion6c",
        "--format",
        "json",
    ]);
    for (i, name) in ["1_11148_1A2", "2_09468_1A2", "3_10196_1A2"]
        .iter()
        .enumerate()
    {
        a.push("--sample".into());
        a.push(format!("S{i}={report}:{name}"));
    }
    let o = gw(&a);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let samples = j["analyses"][0]["samples"].as_array().unwrap();
    let b: Vec<f64> = samples
        .iter()
        .map(|s| s["outcome"]["persons"][1]["percent"].as_f64().unwrap())
        .collect();
    assert_eq!(b.len(), 3, "{j}");
    for x in &b {
        assert!((20.0..32.0).contains(x), "B {x} %: {b:?}");
    }
    let spread =
        b.iter().cloned().fold(f64::MIN, f64::max) - b.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 3.0, "replicates {b:?}");
}

/// Audit 2026-12-06 (P1): a genotype table given as the sample read "no
/// peak height exported; use the other measure (area/height) or export
/// it", advice the file cannot follow (it has neither).
#[test]
fn a_genotype_table_as_the_sample_is_refused_in_words() {
    let refs = real("euroformix_ESX17_refs.csv");
    let o = gw(&s(&[
        "--recipient",
        &format!("R={refs}:ref1"),
        "--donor",
        &format!("D={refs}:ref2"),
        "--sample",
        &format!("S={refs}:ref3"),
    ]));
    assert_exit_2(
        &o,
        &[
            "sample 'ref3' has alleles but no peak heights or areas: a genotype table (alleles only) can describe a reference, not a post-transplant sample",
        ],
    );
    assert!(!text(&o.stderr).contains("use the other measure"));
}

#[test]
fn genemapper_idx_export_with_off_ladder_peaks_is_analysed() {
    let f = real("strvalidator_set3_excerpt.txt");
    let refs = real("strvalidator_ref3.txt");
    // The reference table names A2; the positive control is another person.
    let o = gw(&[
        "--measure".into(),
        "height".into(),
        "--bootstrap".into(),
        "30".into(),
        "--recipient".into(),
        format!("PC={f}:01-Pos.ktr.__"),
        "--donor".into(),
        format!("A2={refs}:A2"),
        "--sample".into(),
        format!("A2-1={f}:03-A2.1"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("[STR-OL]") && out.contains("[STR-SATURATED]"),
        "{out}"
    );
}

#[test]
fn old_spellings_work_with_a_deprecation_note() {
    let o = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .current_dir(root())
        .args([
            "chimerism",
            "str",
            "--recipient",
            "examples/str/references.txt:R-pre",
            "--donor",
            "UCB-1=examples/str/references.txt:UCB-1",
            "--donor",
            "PBSC-1=examples/str/references.txt:PBSC-1",
            "--sample",
            "examples/str/day30.txt:PB-d30-CD3:cd3",
            "--bootstrap",
            "10",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let e = text(&o.stderr);
    assert!(
        e.contains("deprecated")
            && e.contains("--recipient recipient=examples/str/references.txt:R-pre"),
        "{e}"
    );
    assert!(text(&o.stdout).contains("Sample 'PB-d30-CD3'"));
}

/// A plate: `patients` patients × `per` samples each, plus controls.
fn plate(dir: &std::path::Path, patients: usize, per: usize) -> PathBuf {
    let mut rng = Rng::new(77);
    let p = SimParams::default();
    let mut sheet = String::from(
        "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type\n",
    );
    let mut refs = Vec::new();
    let mut runs = Vec::new();
    for i in 0..patients {
        let r = unrelated(&mut rng);
        let d = if i % 2 == 0 {
            unrelated(&mut rng)
        } else {
            haploidentical(&mut rng, &r)
        };
        refs.push(mixture(
            &mut rng,
            &format!("P{i}-R"),
            &[&r, &d],
            &[1.0, 0.0],
            &p,
        ));
        refs.push(mixture(
            &mut rng,
            &format!("P{i}-D"),
            &[&r, &d],
            &[0.0, 1.0],
            &p,
        ));
        sheet.push_str(&format!(
            ",P{i},recipient,,refs.txt:P{i}-R,,,,,\n,P{i},donor,D{i},refs.txt:P{i}-D,,,,,\n"
        ));
        for j in 0..per {
            let f = 0.01 * ((i * per + j) % 40) as f64;
            let name = format!("P{i}-S{j}");
            runs.push(mixture(&mut rng, &name, &[&r, &d], &[f, 1.0 - f], &p));
            let lineage = if j % 3 == 1 { "cd3" } else { "whole_blood" };
            let purity = if j % 3 == 1 { "95" } else { "" };
            sheet.push_str(&format!(
                "{name},P{i},sample,,run.txt,{lineage},pb,2025-02-{:02},{purity},\n",
                1 + j / 3
            ));
        }
    }
    std::fs::write(
        dir.join("refs.txt"),
        to_genemapper_wide(&refs.iter().collect::<Vec<_>>()),
    )
    .unwrap();
    let mut run_text = to_genemapper_wide(&runs.iter().collect::<Vec<_>>());
    run_text.push_str("NTC\tD3S1358\tB\n");
    std::fs::write(dir.join("run.txt"), run_text).unwrap();
    sheet.push_str("NTC,,control,,run.txt,,,,,ntc\nPOS,,control,,refs.txt:P0-D,,,,,positive\n");
    let path = dir.join("sheet.csv");
    std::fs::write(&path, sheet).unwrap();
    path
}

#[test]
fn run_sheet_for_a_plate_gives_one_table() {
    let dir = std::env::temp_dir().join(format!("gw-str-sheet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sheet = plate(&dir, 3, 4);
    let sheet_run = |csv: bool| {
        let mut a: Vec<String> = vec!["--run-sheet".into(), sheet.display().to_string()];
        if csv {
            a.extend(["--format".into(), "csv".into()]);
        }
        a.extend(["--bootstrap".into(), "20".into()]);
        gw(&a)
    };
    let o = sheet_run(true);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("P1,")).count(),
        4 * 2,
        "{out}"
    );
    let o = sheet_run(false);
    let out = text(&o.stdout);
    assert!(
        out.contains("=== Patient P2 ===") && out.contains("Run controls:"),
        "{out}"
    );
    assert!(out.contains("NTC") && out.contains("pass"), "{out}");
    assert!(!out.contains("RUN-CONTROL-FAILED"), "{out}");
    assert!(out.contains("purity-corrected"), "{out}");
    // The controls are rows of the CSV too.
    let o = sheet_run(true);
    let csv = text(&o.stdout);
    assert!(
        csv.lines().any(|l| l.starts_with(",NTC,,,,,control_pass,")),
        "{csv}"
    );
    // A no-template control with a real peak fails: every sample row of the
    // run is flagged and the table starts with the warning.
    let run = dir.join("run.txt");
    let t = std::fs::read_to_string(&run).unwrap();
    let header: Vec<&str> = t.lines().next().unwrap().split('\t').collect();
    let cell = |name: &str, v: &str| {
        if ["Allele 1", "Height 1", "Area 1"].contains(&name) {
            v.to_string()
        } else {
            String::new()
        }
    };
    let row: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| match i {
            0 => "NTC".into(),
            1 => "D3S1358".into(),
            2 => "B".into(),
            _ => cell(
                h,
                if *h == "Allele 1" {
                    "15"
                } else if *h == "Height 1" {
                    "120"
                } else {
                    "900"
                },
            ),
        })
        .collect();
    std::fs::write(
        &run,
        t.replace("NTC\tD3S1358\tB\n", &(row.join("\t") + "\n")),
    )
    .unwrap();
    let o = sheet_run(true);
    let csv = text(&o.stdout);
    let samples: Vec<&str> = csv.lines().filter(|l| l.starts_with("P")).collect();
    assert!(
        !samples.is_empty() && samples.iter().all(|l| l.contains("RUN-CONTROL-FAILED")),
        "{csv}"
    );
    assert!(
        csv.lines().any(|l| l.starts_with(",NTC,,,,,control_fail,")),
        "{csv}"
    );
    let o = sheet_run(false);
    assert!(
        text(&o.stdout)
            .starts_with("WARNING [RUN-CONTROL-FAILED] run control failed: NTC (negative control"),
        "{}",
        text(&o.stdout)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Audit F8: one swapped tube in a run sheet (patient P1's row points at
/// P2's sample) is refused on its own, `STR-NO-MATCH`, in the table, CSV and
/// JSON; the other patients are reported and the run exits 2 after writing
/// the report (never a silent success). A single `--sample` still exits 2
/// with nothing written.
#[test]
fn a_swapped_tube_is_refused_and_the_rest_of_the_plate_reported() {
    let dir = std::env::temp_dir().join(format!("gw-str-swap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sheet = plate(&dir, 3, 1);
    let text_of = std::fs::read_to_string(&sheet).unwrap();
    let swapped = text_of.replace(
        "P1-S0,P1,sample,,run.txt,",
        "P1-S0,P1,sample,,run.txt:P2-S0,",
    );
    assert_ne!(swapped, text_of);
    std::fs::write(&sheet, swapped).unwrap();
    let sheet_run = |format: &str| {
        gw(&s(&[
            "--run-sheet",
            &sheet.display().to_string(),
            "--format",
            format,
            "--bootstrap",
            "20",
        ]))
    };
    let o = sheet_run("csv");
    assert_exit_2(
        &o,
        &[
            "1 of 3 samples refused (STR-NO-MATCH)",
            "patient 'P1'",
            "matches none of the declared people",
        ],
    );
    let csv = text(&o.stdout);
    for p in ["P0", "P2"] {
        assert_eq!(
            csv.lines()
                .filter(|l| l.starts_with(&format!("{p},")) && l.contains(",estimated,"))
                .count(),
            2,
            "{csv}"
        );
    }
    let refused: Vec<&str> = csv.lines().filter(|l| l.starts_with("P1,")).collect();
    assert_eq!(refused.len(), 1, "{csv}");
    assert!(
        refused[0].contains(",refused,")
            && refused[0].contains(",STR-NO-MATCH,")
            && refused[0].contains("matches none of the declared people"),
        "{}",
        refused[0]
    );
    // The refusal's cells are in their columns: the code under `flags`,
    // the reason (quoted: it holds commas) under `reason`.
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let (before_reason, reason) = refused[0].split_once(",\"").unwrap();
    let cells: Vec<&str> = before_reason.split(',').collect();
    assert_eq!(cells.len(), header.len() - 2, "{}", refused[0]);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(cells[col("status")], "refused");
    assert_eq!(cells[col("flags")], "STR-NO-MATCH");
    assert_eq!(col("reason"), header.len() - 2);
    assert!(reason.ends_with("\","), "{reason}");
    let o = sheet_run("table");
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o.stdout);
    assert!(
        // The sheet's tube (P1-S0), and the file's sample it read (stop 36, L4).
        out.contains("refused [STR-NO-MATCH]: sample 'P1-S0' (")
            && out.contains("run.txt:P2-S0) matches none"),
        "{out}"
    );
    assert!(out.contains("=== Patient P2 ==="), "{out}");
    let o = sheet_run("json");
    assert_eq!(o.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sample = &j["analyses"][1]["samples"][0];
    assert_eq!(sample["outcome"]["status"], "refused", "{sample}");
    assert_eq!(sample["outcome"]["code"], "STR-NO-MATCH", "{sample}");
    assert_eq!(
        j["analyses"][2]["samples"][0]["outcome"]["status"],
        "estimated"
    );
    // One sample on the command line: still an error, nothing written.
    let o = gw(&s(&[
        "--recipient",
        &format!("R={}:P1-R", dir.join("refs.txt").display()),
        "--donor",
        &format!("D1={}:P1-D", dir.join("refs.txt").display()),
        "--sample",
        &format!("S={}:P2-S0", dir.join("run.txt").display()),
    ]));
    assert_exit_2(&o, &["matches none of the declared people"]);
    assert!(o.stdout.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

/// 96 samples (8 patients × 12) in one call. With `GW_KEEP_PLATE=DIR` the
/// plate is written to DIR and kept, to time a release binary on it:
/// `time graftwatch chimerism str --run-sheet DIR/sheet.csv --format csv`.
#[test]
#[ignore]
fn plate_of_96_samples() {
    let keep = std::env::var_os("GW_KEEP_PLATE").map(PathBuf::from);
    let dir = keep
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("gw-str-96-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sheet = plate(&dir, 8, 12);
    let t = std::time::Instant::now();
    let o = gw(&[
        "--run-sheet".into(),
        sheet.display().to_string(),
        "--format".into(),
        "csv".into(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout)
            .lines()
            .filter(|l| l.contains(",estimated,"))
            .count(),
        96 * 2
    );
    println!("96 samples: {:.2} s", t.elapsed().as_secs_f64());
    if keep.is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn unknown_kit_and_bad_purity_exit_2_naming_what_was_expected() {
    let root = root();
    let base = [
        "chimerism",
        "str",
        "--recipient",
        "R=examples/str/references.txt:R-pre",
        "--donor",
        "UCB-1=examples/str/references.txt:UCB-1",
        "--sample",
        "S=examples/str/day30.txt:PB-d30-CD3:cd3",
    ];
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_graftwatch"))
            .current_dir(&root)
            .args(base)
            .args(extra)
            .output()
            .unwrap()
    };
    for (extra, needles) in [
        (
            ["--kit", "profiler"],
            &["unknown kit 'profiler'", "globalfiler"][..],
        ),
        (["--purity", "T=95"], &["no --sample named 'T'"]),
        (["--purity", "S=150"], &["at most 100"]),
    ] {
        assert_exit_2(&run(&extra), needles);
    }
    // A valid purity without an unsorted sample of that day is recorded, not applied.
    let o = run(&["--purity", "S=85", "--bootstrap", "10"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("STR-LOW-PURITY") && out.contains("not corrected"),
        "{out}"
    );
}

/// Real clinical chimerism exports that may not be vendored (BioHPC/Rchimerism
/// `example/`, academic/non-commercial licence): GeneMapper's "Dye/Sample
/// Peak" peak table (PowerPlex 16) with peaks without a marker. Run with
/// `GRAFTWATCH_REALSTR_DIR=DIR cargo test -p graftwatch-cli --test
/// chimerism_str_real -- --ignored rchimerism`, DIR holding the files under
/// the names of crates/genomics-io/tests/data/str-real/README.md ("Not
/// vendored"). Checked against hand calculations from the peak heights.
#[test]
#[ignore = "needs the unvendored Rchimerism exports (GRAFTWATCH_REALSTR_DIR)"]
fn rchimerism_peak_tables_are_read_and_estimated() {
    let dir = std::env::var("GRAFTWATCH_REALSTR_DIR")
        .expect("GRAFTWATCH_REALSTR_DIR must name the folder with the rchim_* files");
    let f = |n: &str| format!("{dir}/{n}");
    let x = "xxxxxxxxxxxxxxxxxxxxxxxx";
    let csv = |args: Vec<String>| {
        let o = gw(&[args, s(&["--kit", "powerplex16hs", "--format", "csv"])].concat());
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    let field = |out: &str, sample: &str, person: &str, col: usize| -> String {
        out.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[1] == sample && c[7] == person)
            .map(|c| c[col].to_string())
            .unwrap_or_else(|| panic!("{sample} {person}: {out}"))
    };
    // Single donor: whole blood 100 % donor, CD3 ~47 % recipient (hand 46–47 %).
    let single = csv(vec![
        format!("--recipient=R={}:xxxx", f("rchim_sd_rdata.txt")),
        format!("--donor=D={}:xxxx", f("rchim_sd_ddata.txt")),
        format!("--sample=WB={}:xxxx", f("rchim_sd_sdata.txt")),
        format!(
            "--sample=CD3={}:{}:cd3",
            f("rchim_proto_cd3_sdata.txt"),
            &x[..17]
        ),
    ]);
    assert_eq!(
        field(&single, "WB", "recipient", 15),
        "not_detected",
        "{single}"
    );
    let cd3: f64 = field(&single, "CD3", "recipient", 8).parse().unwrap();
    assert!((44.0..51.0).contains(&cd3), "{single}");
    // Double cord: CD33 ~17 % recipient (hand 14.5–20.8 %); CD3 without any
    // recipient allele is not detected and not reported as a number.
    let dd = csv(vec![
        format!("--recipient=R={}:xxxx", f("rchim_dd_rdata.txt")),
        format!("--donor=D1={}:xxxx", f("rchim_dd_d1data.txt")),
        format!("--donor=D2={}:xxxx", f("rchim_dd_d2data.txt")),
        format!(
            "--sample=CD33={}:{x}:cd33",
            f("rchim_ddproto_cd33_sdata.txt")
        ),
        format!("--sample=CD3={}:{x}:cd3", f("rchim_ddproto_cd3_sdata.txt")),
    ]);
    let cd33: f64 = field(&dd, "CD33", "recipient", 8).parse().unwrap();
    assert!((14.5..20.8).contains(&cd33), "{dd}");
    assert_eq!(field(&dd, "CD3", "recipient", 15), "not_detected", "{dd}");
    assert!(field(&dd, "CD3", "recipient", 9).starts_with('<'), "{dd}");
}

//! `graftwatch report` end to end: html, svg and json outputs of the seed
//! case, format from the extension, and bad input (exit 2, nothing written).

use std::path::{Path, PathBuf};
use std::process::Command;

mod cli_common;

use cli_common::{fresh_dir, sorted_listing};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/seed-case/course.json"
);

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
}

/// A fresh, empty temporary directory unique to this test.
fn tmp(name: &str) -> PathBuf {
    fresh_dir("gw-report", name)
}

fn run(args: &[&str], out: &Path) -> std::process::Output {
    bin().args(args).arg("--out").arg(out).output().unwrap()
}

#[test]
fn html_svg_and_json_of_the_seed_case() {
    let dir = tmp("formats");
    let html = dir.join("r.html");
    let o = run(&["report", SEED], &html);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.starts_with("<!DOCTYPE html>"));
    for needle in [
        "<section id=\"alerts\">",
        "<section id=\"endpoints\">",
        "<section id=\"dli-decision\">",
        "id=\"panel-agvhd\"",
        "@media print",
        "<details class=\"why\">",
    ] {
        assert!(h.contains(needle), "missing {needle}");
    }

    let svg = dir.join("f.svg");
    let o = run(&["report", SEED], &svg);
    assert!(o.status.success());
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
    assert!(s.contains("id=\"panel-chimerism-whole_blood\""));
    assert!(!s.contains("<section"), "the figure alone");

    let png = dir.join("f.png");
    let o = run(&["report", SEED], &png);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p = std::fs::read(&png).unwrap();
    assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    // IHDR width (big-endian at byte 16): the 1200 px figure at 2x
    let width = u32::from_be_bytes([p[16], p[17], p[18], p[19]]);
    assert_eq!(width, 2400);
    assert!(p.len() > 50_000, "a real figure, {} bytes", p.len());

    // --dpi 96: 1200 CSS px = 12.5 in = 1200 px (300 dpi would give 3750;
    // the export unit test checks the scaling at 192 and 300)
    let png300 = dir.join("f96.png");
    let o = run(&["report", SEED, "--dpi", "96"], &png300);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p = std::fs::read(&png300).unwrap();
    assert_eq!(u32::from_be_bytes([p[16], p[17], p[18], p[19]]), 1200);

    // vector PDF: one page, text kept as text (embedded font), no raster
    let pdf = dir.join("f.pdf");
    let o = run(&["report", SEED], &pdf);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let b = std::fs::read(&pdf).unwrap();
    assert!(b.starts_with(b"%PDF-"));
    let t = String::from_utf8_lossy(&b);
    assert_eq!(
        t.matches("/Type /Page").count() - t.matches("/Type /Pages").count(),
        1
    );
    assert!(
        t.contains("/FontFile2") || t.contains("/FontFile3"),
        "embedded font"
    );
    assert!(!t.contains("/Subtype /Image"), "no raster image");

    // the exported figure carries its caption block with the abbreviations
    assert!(s.contains("id=\"caption-block\"") && s.contains("DLI, donor lymphocyte infusion"));

    let json = dir.join("d.data");
    let o = run(&["report", SEED, "--format", "json"], &json);
    assert!(o.status.success());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["schema"], "graftwatch-figure/1");
    assert_eq!(v["dli_assessments"].as_array().unwrap().len(), 2);
    assert!(v["dli_assessments"][0]["criteria_met"].as_bool().unwrap());
    assert!(
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "mrd_conversion" && a["date"] == "2024-07-26")
    );
    assert!(v["anc"].as_array().unwrap().len() > 100);
    assert!(!v["chimerism"].as_array().unwrap().is_empty());
    assert_eq!(
        sorted_listing(&dir),
        vec!["d.data", "f.pdf", "f.png", "f.svg", "f96.png", "r.html"],
        "no temp files left"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tmp("bad");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\"format\": \"graftwatch-course/1\", \"patient\": 3}",
    )
    .unwrap();
    let out = dir.join("out.html");
    let o = run(&["report", bad.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.json"));

    let o = run(
        &["report", dir.join("missing.json").to_str().unwrap()],
        &out,
    );
    assert_eq!(o.status.code(), Some(2));

    // an unknown extension without --format
    let o = run(&["report", SEED], &dir.join("x.eps"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".eps"));

    // a PNG resolution outside 72-600 dpi
    for dpi in ["71", "601"] {
        let o = run(&["report", SEED, "--dpi", dpi], &dir.join("x.png"));
        assert_eq!(o.status.code(), Some(2), "--dpi {dpi}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("--dpi {dpi}")));
    }

    // an output directory that does not exist
    let o = run(&["report", SEED], &dir.join("nope").join("r.html"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));

    assert_eq!(sorted_listing(&dir), vec!["bad.json"], "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn alert_thresholds_come_from_a_config_file() {
    let dir = tmp("alerts");
    // engrafted on day +13: a day +10 warning day raises an alert
    let cfg = dir.join("alerts.toml");
    std::fs::write(&cfg, "engraftment_warning_days = [10]\n").unwrap();
    let out = dir.join("d.json");
    let report_with_alerts = || {
        bin()
            .args(["report", SEED, "--alerts-config"])
            .arg(&cfg)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let o = report_with_alerts();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let eng: Vec<&serde_json::Value> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "no_neutrophil_engraftment")
        .collect();
    assert_eq!(eng.len(), 1);
    assert_eq!(eng[0]["day"], 10);
    std::fs::remove_file(&out).unwrap();

    // an unknown key is bad input: exit 2, named, nothing written
    std::fs::write(&cfg, "engraftment_days = [10]\n").unwrap();
    let o = report_with_alerts();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("alerts.toml") && err.contains("engraftment_days"),
        "{err}"
    );
    assert_eq!(sorted_listing(&dir), vec!["alerts.toml"], "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Audit 2026-12-06: `report IN --out IN --force` replaced the course with
/// its report, and `--format json --out x.png` wrote JSON into a .png.
/// Both are refused (exit 2) and nothing is written.
#[test]
fn the_report_never_replaces_its_course_nor_mislabels_its_format() {
    let dir = tmp("self");
    let course = dir.join("course.json");
    std::fs::copy(SEED, &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let o = bin()
        .args([
            "report",
            course.to_str().unwrap(),
            "--format",
            "json",
            "--force",
            "--out",
        ])
        .arg(&course)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("that is the course being reported"), "{err}");
    assert_eq!(std::fs::read(&course).unwrap(), before);
    let png = dir.join("x.png");
    let o = run(&["report", SEED, "--format", "json"], &png);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the extension '.png' names another format than --format json"),
        "{err}"
    );
    assert!(!png.exists());
    // The same format named twice is fine.
    let o = run(&["report", SEED, "--format", "json"], &dir.join("y.json"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

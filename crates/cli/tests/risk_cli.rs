//! `graftwatch grade --only risk --format json` on course files that use the
//! risk-score additions (LVEF, lymphoma response, CML phase, syngeneic
//! donor), in JSON and after `course convert` to CSV; bad values exit 2.

use std::path::PathBuf;
use std::process::Output;

mod cli_common;

use cli_common::{numbered_dir, run_gw as run};

/// A fresh temporary directory of this test.
fn dir() -> PathBuf {
    numbered_dir("gw-risk-cli")
}

/// A 52-year-old woman with DLBCL: CR, relapse, CR2 before a syngeneic
/// twin transplant; diabetes coded; LVEF 45 %; creatinine 2.3 mg/dL.
const DLBCL: &str = r#"{
  "format": "graftwatch-course/1",
  "patient": {"id": "RISK-1", "sex": "female", "birth_year": 1972, "height_cm": 165,
              "comorbidities": ["diabetes"],
              "diagnosis": {"disease": "dlbcl", "date": "2022-03-01"}},
  "donors": [{"id": "TWIN", "relationship": "syngeneic", "sex": "female"}],
  "events": [
    {"date": "2022-03-10", "kind": "chemotherapy", "regimen": "R-CHOP", "line": 1},
    {"date": "2023-06-01", "kind": "chemotherapy", "regimen": "R-ICE", "line": 2},
    {"date": "2024-06-01", "kind": "graft_infusion", "source": "pbsc", "donor": "TWIN"}
  ],
  "observations": [
    {"date": "2022-08-01", "kind": "lymphoma_response", "value": "cr"},
    {"date": "2023-05-15", "kind": "lymphoma_response", "value": "progressive_disease"},
    {"date": "2023-10-01", "kind": "lymphoma_response", "value": "cr"},
    {"date": "2024-05-02", "kind": "lvef", "value": 45, "unit": "%"},
    {"date": "2024-05-20", "kind": "creatinine", "value": 2.3, "unit": "mg/dL"}
  ]
}"#;

fn summary(o: &Output) -> Vec<serde_json::Value> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["summary"].as_array().expect("summary").clone()
}

fn find<'a>(s: &'a [serde_json::Value], item: &str) -> &'a serde_json::Value {
    s.iter().find(|i| i["item"] == item).expect(item)
}

#[test]
fn risk_scores_from_a_json_course_and_its_csv_form() {
    let d = dir();
    let json = d.join("dlbcl.json");
    std::fs::write(&json, DLBCL).unwrap();
    let s = summary(&run(&[
        "grade",
        json.to_str().unwrap(),
        "--only",
        "risk",
        "--format",
        "json",
    ]));
    let h = find(&s, "hct_ci");
    assert_eq!(h["status"], "value", "{h}");
    // diabetes 1 + cardiac (LVEF 45) 1 + renal (creatinine 2.3) 2 = 4
    assert_eq!(h["value"]["score"], 4, "{h}");
    assert_eq!(h["value"]["with_age"], 5);
    let bases: Vec<&str> = h["value"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["basis"].as_str().unwrap())
        .collect();
    assert!(bases.iter().any(|b| b.contains("LVEF 45")), "{bases:?}");
    assert!(
        bases.iter().any(|b| b.contains("creatinine 2.3")),
        "{bases:?}"
    );
    let dri = find(&s, "refined_dri");
    assert_eq!(dri["value"]["group"], "intermediate", "{dri}");
    assert_eq!(dri["value"]["stage"], "cr");
    let e = find(&s, "ebmt_score");
    // age 52 -> 2, CR2 -> 1, 27 months -> 1, twin -> 0, female -> female 0
    assert_eq!(e["value"]["score"], 4, "{e}");
    assert_eq!(e["value"]["stage"], 1);
    assert_eq!(e["value"]["donor"], 0);
    // the same course as long CSV grades the same
    let csv = d.join("dlbcl.csv");
    let o = run(&[
        "course",
        "convert",
        json.to_str().unwrap(),
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.contains("lymphoma_response") && text.contains("syngeneic"),
        "{text}"
    );
    let s2 = summary(&run(&[
        "grade",
        csv.to_str().unwrap(),
        "--only",
        "risk",
        "--format",
        "json",
    ]));
    assert_eq!(s, s2);
}

#[test]
fn bad_risk_values_are_exit_2_naming_the_value() {
    let d = dir();
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        DLBCL.replace(r#""value": "cr"}"#, r#""value": "complete"}"#),
    )
    .unwrap();
    let o = run(&["grade", bad.to_str().unwrap(), "--only", "risk"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("'complete'") && e.contains("stable_disease") && e.contains("bad.json"),
        "{e}"
    );
    std::fs::write(&bad, DLBCL.replace(r#""value": 45"#, r#""value": 145"#)).unwrap();
    let o = run(&["course", "validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ejection fraction"));
}

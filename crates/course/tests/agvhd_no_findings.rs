//! The `agvhd_no_findings` record ("assessed, no findings" per organ and
//! day): JSON and CSV read it the same, it round-trips, and a value that is
//! not an organ is an error naming the field, the value and the expectation.

mod common;

use std::path::Path;

use graftwatch_course::ObservationKind;
use graftwatch_course::io::read_json_str;
use graftwatch_course::io_csv::read_csv_str;

const JSON: &str = r#"{
  "format": "graftwatch-course/1",
  "patient": {"id": "NF-1", "sex": "female", "birth_year": 1975,
              "diagnosis": {"disease": "aml", "date": "2024-02-01"}},
  "donors": [{"id": "MUD-1", "relationship": "matched_unrelated"}],
  "events": [{"date": "2024-05-02", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1"}],
  "observations": [
    {"date": "2024-05-20", "kind": "agvhd_no_findings", "value": "all"},
    {"date": "2024-05-27", "kind": "agvhd_no_findings", "value": "liver"},
    {"date": "2024-05-27", "kind": "agvhd_no_findings", "value": "lower_gi"}
  ]
}"#;

const CSV: &str = "record,patient,kind,date,value,unit,person,detail
course,NF-1,format,,graftwatch-course/1,,,
patient,,sex,,female,,,
patient,,birth_year,,1975,,,
patient,,diagnosis,2024-02-01,aml,,,
donor,,matched_unrelated,,,,MUD-1,
event,,graft_infusion,2024-05-02,,,,source=pbsc; donor=MUD-1
observation,,agvhd_no_findings,2024-05-20,all,,,
observation,,agvhd_no_findings,2024-05-27,liver,,,
observation,,agvhd_no_findings,2024-05-27,lower_gi,,,
";

#[test]
fn json_and_csv_read_the_same_and_round_trip() {
    let j = read_json_str(JSON, Path::new("nf.json"))
        .expect("json")
        .course;
    let c = read_csv_str(CSV, Path::new("nf.csv")).expect("csv").course;
    assert_eq!(j, c);
    let n = j
        .observations
        .iter()
        .filter(|o| o.kind == ObservationKind::AgvhdNoFindings)
        .count();
    assert_eq!(n, 3);
    common::json_csv_json(&j, "back.csv");
}

#[test]
fn a_value_that_is_not_an_organ_is_an_error() {
    let bad = JSON.replace("\"liver\"", "\"kidney\"");
    let e = read_json_str(&bad, Path::new("bad.json"))
        .expect_err("kidney")
        .to_string();
    assert!(
        e.contains("kidney") && e.contains("agvhd_no_findings"),
        "{e}"
    );
    assert!(e.contains("upper_gi"), "expectation listed: {e}");
    let bad = CSV.replace(",liver,", ",kidney,");
    let e = read_csv_str(&bad, Path::new("bad.csv"))
        .expect_err("kidney")
        .to_string();
    assert!(e.contains("kidney") && e.contains("line 9"), "{e}");
}

//! The decision crate rule by rule, each boundary on both sides: which
//! transplant a day counts from, which records are inputs (dates relative to
//! day 0 and the decision day), immunosuppression tapering, infection and
//! GVHD evidence and their windows, previous DLIs, graft checks.

use std::path::Path;

use graftwatch_core::{Date, Percent};
use graftwatch_course::{Course, io::read_json_str};
use graftwatch_criteria::dli::{
    ChronicSeverity, DliConfig, DliDonorType, DliOutcome, DliSetting, ImmunosuppressionState,
};
use graftwatch_criteria::graft_dose::CheckStatus;
use graftwatch_decision::{
    DECEASED_OUTCOME, DecisionError, GvhdStatus, assess_dli, cgvhd_assessed_on, date_of_day,
    died_by, dli_input, donor_type, graft_checks, gvhd_assessed_on, infection_on, transplant_for,
};
use serde_json::{Value, json};

fn base() -> Value {
    json!({
      "format": "graftwatch-course/1",
      "patient": {"id": "P1", "sex": "male", "birth_year": 1989,
        "diagnosis": {"disease": "aml", "date": "2023-01-10"}},
      "donors": [{"id": "UCB-1", "relationship": "unrelated_cord", "hla_match": "5/8"},
                 {"id": "PBSC-1", "relationship": "haploidentical", "hla_match": "5/10"}],
      "events": [
        {"date": "2024-03-01", "kind": "graft_infusion", "source": "ucb", "donor": "UCB-1", "tnc_per_kg": 2.1e7, "cd34_per_kg": 1.2e5},
        {"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1", "cd34_per_kg": 4.5e6, "cd3_per_kg": 1.5e8},
        {"date": "2024-02-28", "end_date": "2024-05-20", "kind": "drug", "name": "tacrolimus", "class": "immunosuppressant"},
        {"date": "2024-06-10", "kind": "dli", "donor": "PBSC-1", "cd3_per_kg": 1e5, "intent": "preemptive"}
      ],
      "observations": [
        {"date": "2024-04-15", "kind": "chimerism", "value": 2, "unit": "%", "lineage": "cd3", "person": "recipient"},
        {"date": "2024-04-15", "kind": "chimerism", "value": 98, "unit": "%", "lineage": "cd3", "person": "PBSC-1"},
        {"date": "2024-05-13", "kind": "chimerism", "value": 4, "unit": "%", "lineage": "cd3", "person": "recipient"},
        {"date": "2024-05-13", "kind": "chimerism", "value": 96, "unit": "%", "lineage": "cd3", "person": "PBSC-1"},
        {"date": "2024-06-05", "kind": "chimerism", "value": 7, "unit": "%", "lineage": "cd3", "person": "recipient"},
        {"date": "2024-06-05", "kind": "chimerism", "value": 93, "unit": "%", "lineage": "cd3", "person": "PBSC-1"},
        {"date": "2024-06-05", "kind": "skin_rash_bsa", "value": 0, "unit": "%"},
        {"date": "2024-06-05", "kind": "infection_status", "value": "none"}
      ]
    })
}

fn course(v: &Value) -> Course {
    read_json_str(&v.to_string(), Path::new("t.json"))
        .unwrap_or_else(|e| panic!("{e}"))
        .course
}

fn with(f: impl FnOnce(&mut Value)) -> Course {
    let mut v = base();
    f(&mut v);
    course(&v)
}

fn push(v: &mut Value, list: &str, item: Value) {
    v[list].as_array_mut().unwrap().push(item);
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn no_gvhd() -> GvhdStatus {
    GvhdStatus::default()
}

fn assess(c: &Course, on: &str) -> graftwatch_criteria::dli::DliAssessment {
    assess_dli(c, d(on), &no_gvhd(), &DliConfig::default()).unwrap()
}

fn pre(a: &graftwatch_criteria::dli::DliAssessment, name: &str) -> Option<bool> {
    a.prerequisites
        .iter()
        .find(|p| p.name.contains(name))
        .unwrap()
        .met
}

#[test]
fn decision_trail_at_the_dli_date() {
    let a = assess(&course(&base()), "2024-06-10");
    assert_eq!(a.outcome, DliOutcome::CriteriaMet, "{}", a.summary);
    assert!(a.criteria_met);
    let met: Vec<&str> = a
        .triggers
        .iter()
        .filter(|t| t.met == Some(true))
        .map(|t| t.name.as_str())
        .collect();
    assert!(met.contains(&"mixed chimerism, T cells (CD3+)"), "{met:?}");
    assert!(
        met.contains(&"rising recipient share, T cells (CD3+)"),
        "{met:?}"
    );
    assert_eq!(a.excluded_donors[0].0, "UCB-1");
    assert_eq!(a.plans[0].donor, "PBSC-1");
    assert_eq!(a.plans[0].setting, DliSetting::Preemptive);
    assert_eq!(a.plans[0].steps[0].cd3_per_kg.get(), 1e5);
    // The DLI given that day is not counted as a previous one.
    assert!(
        !a.prerequisites
            .iter()
            .any(|p| p.name.contains("previous DLI"))
    );
}

#[test]
fn without_gvhd_findings_the_answer_cannot_be_determined() {
    let c = with(|v| {
        v["observations"]
            .as_array_mut()
            .unwrap()
            .retain(|o| o["kind"] != "skin_rash_bsa");
    });
    let a = assess(&c, "2024-06-10");
    assert_eq!(a.outcome, DliOutcome::CannotBeDetermined, "{}", a.summary);
    assert_eq!(pre(&a, "acute GVHD"), None);
    assert!(a.summary.contains("cannot be determined"), "{}", a.summary);
}

#[test]
fn gvhd_assessment_window_through_the_course() {
    let c = course(&base());
    // Exam 2024-06-05; infection status 2024-06-05 limits to 7 days: look
    // at the GVHD prerequisite only. Day 14 after the exam: met; day 15: unknown.
    assert_eq!(pre(&assess(&c, "2024-06-19"), "acute GVHD"), Some(true));
    let a = assess(&c, "2024-06-20");
    assert_eq!(pre(&a, "acute GVHD"), None);
    assert_eq!(gvhd_assessed_on(&c, d("2024-06-20")), Some(d("2024-06-05")));
}

#[test]
fn a_laboratory_value_or_a_liver_only_record_is_no_acute_gvhd_assessment() {
    // Bilirubin alone on 2024-06-18, and a no-findings record of the liver
    // only: the latest skin or GI assessment stays 2024-06-05.
    let c = with(|v| {
        push(
            v,
            "observations",
            json!({"date": "2024-06-18", "kind": "bilirubin", "value": 0.7, "unit": "mg/dL"}),
        );
        push(
            v,
            "observations",
            json!({"date": "2024-06-19", "kind": "agvhd_no_findings", "value": "liver"}),
        );
    });
    assert_eq!(gvhd_assessed_on(&c, d("2024-06-20")), Some(d("2024-06-05")));
    assert_eq!(pre(&assess(&c, "2024-06-20"), "acute GVHD"), None);
    // A no-findings record of the skin is one.
    let c = with(|v| {
        push(
            v,
            "observations",
            json!({"date": "2024-06-19", "kind": "agvhd_no_findings", "value": "skin"}),
        )
    });
    assert_eq!(gvhd_assessed_on(&c, d("2024-06-20")), Some(d("2024-06-19")));
    let a = assess(&c, "2024-06-20");
    let p = a
        .prerequisites
        .iter()
        .find(|p| p.name.contains("acute GVHD"))
        .unwrap();
    assert_eq!(p.met, Some(true));
    assert!(
        p.reason.contains("acute GVHD assessed 2024-06-19"),
        "{}",
        p.reason
    );
}

#[test]
fn chronic_gvhd_evidence_is_named() {
    // Only an acute examination: met by engine decision 13, and the text says so.
    let a = assess(&course(&base()), "2024-06-10");
    let p = a
        .prerequisites
        .iter()
        .find(|p| p.name.contains("chronic GVHD"))
        .unwrap();
    assert_eq!(p.met, Some(true));
    assert!(
        p.reason
            .contains("no chronic GVHD (NIH) assessment within 14 days (none recorded)"),
        "{}",
        p.reason
    );
    assert!(
        p.reason.contains("acute GVHD examination of 2024-06-05"),
        "{}",
        p.reason
    );
    assert_eq!(p.evidence[0].what, "agvhd_assessment");
    // An NIH organ assessment is named as such.
    let c = with(|v| {
        push(
            v,
            "observations",
            json!({"date": "2024-06-06", "kind": "cgvhd_mouth", "value": 0}),
        )
    });
    assert_eq!(
        cgvhd_assessed_on(&c, &no_gvhd(), d("2024-06-10")),
        Some(d("2024-06-06"))
    );
    let a = assess(&c, "2024-06-10");
    let p = a
        .prerequisites
        .iter()
        .find(|p| p.name.contains("chronic GVHD"))
        .unwrap();
    assert_eq!(
        p.reason,
        "chronic GVHD (NIH 2014): none (assessed 2024-06-06)"
    );
    assert_eq!(p.evidence[0].what, "cgvhd_assessment");
}

#[test]
fn immunosuppression_off_names_the_last_agent_and_its_stop() {
    let c = course(&base());
    let a = assess(&c, "2024-06-10");
    let p = a
        .prerequisites
        .iter()
        .find(|p| p.name.contains("immunosuppression"))
        .unwrap();
    assert_eq!(p.met, Some(true));
    assert_eq!(
        p.reason,
        "immunosuppression: off — last agent tacrolimus stopped 2024-05-20"
    );
    assert_eq!(p.evidence[0].date, Some(d("2024-05-20")));
    // While it runs: named with its start.
    let i = dli_input(&c, d("2024-05-01"), &no_gvhd(), &DliConfig::default()).unwrap();
    assert_eq!(i.immunosuppressant.unwrap().name, "tacrolimus");
    let with_drug = assess(&course(&base()), "2024-06-10");
    assert!(
        with_drug
            .summary
            .contains("all prerequisites met on dated evidence"),
        "{}",
        with_drug.summary
    );
}

/// A course without any immunosuppressant or steroid record is not "off":
/// the prerequisite is unknown and, with a trigger present, the answer is
/// "cannot be determined" naming it (docs/decision.md).
#[test]
fn no_immunosuppressant_recorded_is_unknown_not_met() {
    let no_drug = with(|v| {
        v["events"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["kind"] != "drug");
    });
    let a = assess(&no_drug, "2024-06-10");
    assert_eq!(pre(&a, "immunosuppression"), None);
    let p = a
        .prerequisites
        .iter()
        .find(|p| p.name.contains("immunosuppression"))
        .unwrap();
    assert!(
        p.reason.starts_with("no immunosuppressant recorded: "),
        "{}",
        p.reason
    );
    assert_eq!(a.outcome, DliOutcome::CannotBeDetermined, "{}", a.summary);
    assert!(a.summary.contains("immunosuppression"), "{}", a.summary);
    assert_eq!(
        dli_input(&no_drug, d("2024-06-10"), &no_gvhd(), &DliConfig::default())
            .unwrap()
            .immunosuppression,
        ImmunosuppressionState::Unknown
    );
    // One recorded agent, stopped: off and met. Started after the day: still
    // nothing recorded up to the day; started on it: recorded (active).
    let later = |start: &str| {
        with(|v| {
            for e in v["events"].as_array_mut().unwrap() {
                if e["kind"] == "drug" {
                    e["date"] = json!(start);
                    e["end_date"] = json!("2024-07-20");
                }
            }
        })
    };
    let state = |c: &Course| {
        dli_input(c, d("2024-06-10"), &no_gvhd(), &DliConfig::default())
            .unwrap()
            .immunosuppression
    };
    assert_eq!(state(&later("2024-06-11")), ImmunosuppressionState::Unknown);
    assert_eq!(state(&later("2024-06-10")), ImmunosuppressionState::Active);
    assert_eq!(
        pre(&assess(&course(&base()), "2024-06-10"), "immunosuppression"),
        Some(true)
    );
}

#[test]
fn an_assessment_recorded_without_findings_counts_for_the_gvhd_window() {
    // Day 15 after the 2024-06-05 exam is unknown (above); an acute GVHD
    // assessment without findings on 2024-06-18 makes it current again.
    let c = with(|v| {
        push(
            v,
            "observations",
            json!({"date": "2024-06-18", "kind": "agvhd_no_findings", "value": "all"}),
        )
    });
    assert_eq!(gvhd_assessed_on(&c, d("2024-06-20")), Some(d("2024-06-18")));
    let a = assess(&c, "2024-06-20");
    assert_eq!(pre(&a, "acute GVHD"), Some(true));
    assert_eq!(pre(&a, "chronic GVHD"), Some(true));
    // Not before it was recorded.
    assert_eq!(gvhd_assessed_on(&c, d("2024-06-17")), Some(d("2024-06-05")));
}

#[test]
fn years_after_the_last_record_nothing_is_met() {
    let a = assess(&course(&base()), "2029-06-10");
    assert_ne!(a.outcome, DliOutcome::CriteriaMet, "{}", a.summary);
    assert_eq!(a.outcome, DliOutcome::CannotBeDetermined, "{}", a.summary);
    assert_eq!(pre(&a, "acute GVHD"), None);
    assert_eq!(pre(&a, "infection"), None);
}

#[test]
fn infection_evidence_rules() {
    let c = course(&base());
    assert_eq!(
        infection_on(&c, d("2024-06-12")),
        Some((false, d("2024-06-05")))
    );
    assert_eq!(
        pre(&assess(&c, "2024-06-12"), "infection"),
        Some(true),
        "7 days"
    );
    assert_eq!(pre(&assess(&c, "2024-06-13"), "infection"), None, "8 days");
    // An episode covering the day: not met.
    let c = with(|v| {
        push(
            v,
            "events",
            json!({"date": "2024-06-08", "end_date": "2024-06-20", "kind": "infection", "syndrome": "pneumonia"}),
        )
    });
    assert_eq!(
        infection_on(&c, d("2024-06-10")),
        Some((true, d("2024-06-10")))
    );
    assert_eq!(pre(&assess(&c, "2024-06-10"), "infection"), Some(false));
    // Its end on 2024-06-20 is dated evidence that it is over.
    assert_eq!(
        infection_on(&c, d("2024-06-21")),
        Some((false, d("2024-06-20")))
    );
    // An open-ended episode is dated by its start: stale after 7 days.
    let c = with(|v| {
        push(
            v,
            "events",
            json!({"date": "2024-06-08", "kind": "infection", "syndrome": "pneumonia"}),
        )
    });
    assert_eq!(
        infection_on(&c, d("2024-06-15")),
        Some((true, d("2024-06-08")))
    );
    assert_eq!(pre(&assess(&c, "2024-06-15"), "infection"), Some(false));
    assert_eq!(pre(&assess(&c, "2024-06-16"), "infection"), None);
    // An explicit "uncontrolled" record.
    let c = with(|v| {
        push(
            v,
            "observations",
            json!({"date": "2024-06-09", "kind": "infection_status", "value": "uncontrolled"}),
        )
    });
    assert_eq!(pre(&assess(&c, "2024-06-10"), "infection"), Some(false));
}

#[test]
fn immunosuppression_taper_window_14_days() {
    let c = course(&base());
    // Tacrolimus stops 2024-05-20: on 2024-05-06 the stop is 14 days away.
    let at = |on: &str| {
        dli_input(&c, d(on), &no_gvhd(), &DliConfig::default())
            .unwrap()
            .immunosuppression
    };
    assert_eq!(at("2024-05-06"), ImmunosuppressionState::Tapering);
    assert_eq!(at("2024-05-05"), ImmunosuppressionState::Active);
    assert_eq!(at("2024-05-20"), ImmunosuppressionState::Tapering);
    assert_eq!(at("2024-05-21"), ImmunosuppressionState::Off);
    let a = assess(&c, "2024-05-13");
    assert!(a.summary.contains("no trigger"), "{}", a.summary);
}

#[test]
fn inputs_are_limited_to_day0_through_the_decision_day() {
    let c = with(|v| {
        push(
            v,
            "observations",
            json!({"date": "2024-02-20", "kind": "mrd_flow", "value": 0.5, "unit": "%"}),
        );
        push(
            v,
            "observations",
            json!({"date": "2024-06-11", "kind": "mrd_flow", "value": 0.5, "unit": "%"}),
        );
        push(
            v,
            "observations",
            json!({"date": "2024-06-10", "kind": "marrow_blasts", "value": 5, "unit": "%"}),
        );
    });
    let i = dli_input(&c, d("2024-06-10"), &no_gvhd(), &DliConfig::default()).unwrap();
    assert!(
        i.mrd.is_empty(),
        "before day 0 and after the day are not inputs"
    );
    assert_eq!(
        i.marrow_blasts,
        vec![(d("2024-06-10"), Percent::lit(5.0))],
        "the day itself is"
    );
    assert!(i.chimerism.iter().all(|s| s.date >= d("2024-03-01")));
    let a = assess(&c, "2024-06-10");
    assert_eq!(a.plans[0].setting, DliSetting::Therapeutic);
}

#[test]
fn previous_dli_counts_the_day_after_not_the_day() {
    let c = course(&base());
    let on_day = dli_input(&c, d("2024-06-10"), &no_gvhd(), &DliConfig::default()).unwrap();
    assert!(on_day.previous.is_empty());
    let next = dli_input(&c, d("2024-06-11"), &no_gvhd(), &DliConfig::default()).unwrap();
    assert_eq!(next.previous.len(), 1);
    // GVHD after the previous DLI stops escalation; GVHD on the DLI day does not count.
    let g = |date: &str| GvhdStatus {
        agvhd_daily: vec![(d(date), 1)],
        cgvhd: vec![],
    };
    let before = dli_input(&c, d("2024-07-15"), &g("2024-06-10"), &DliConfig::default()).unwrap();
    assert!(!before.gvhd_after_previous_dli);
    let after = dli_input(&c, d("2024-07-15"), &g("2024-06-11"), &DliConfig::default()).unwrap();
    assert!(after.gvhd_after_previous_dli);
}

#[test]
fn the_latest_transplant_on_or_before_the_day_is_used() {
    let c = with(|v| {
        push(
            v,
            "events",
            json!({"date": "2024-09-01", "kind": "graft_infusion", "transplant": 2, "source": "pbsc", "donor": "PBSC-1"}),
        )
    });
    assert_eq!(
        transplant_for(&c, d("2024-08-31")),
        Some((1, d("2024-03-01")))
    );
    assert_eq!(
        transplant_for(&c, d("2024-09-01")),
        Some((2, d("2024-09-01")))
    );
    assert_eq!(transplant_for(&c, d("2024-02-29")), None);
    assert_eq!(date_of_day(&c, 30), Some((d("2024-10-01"), 2)));
    let a = assess(&c, "2024-10-01");
    assert_eq!((a.transplant, a.day), (2, 30));
    // Chimerism from before transplant 2 is not an input of a decision after it.
    let i = dli_input(&c, d("2024-10-01"), &no_gvhd(), &DliConfig::default()).unwrap();
    assert!(i.chimerism.is_empty());
}

#[test]
fn no_transplant_is_not_applicable() {
    let c = course(&base());
    let e = assess_dli(&c, d("2024-02-29"), &no_gvhd(), &DliConfig::default()).unwrap_err();
    assert!(e.to_string().contains("DLI not applicable"), "{e}");
    assert!(assess_dli(&c, d("2024-03-01"), &no_gvhd(), &DliConfig::default()).is_ok());
}

#[test]
fn donor_types() {
    use graftwatch_course::DonorRelationship as R;
    assert_eq!(
        donor_type(R::MatchedSibling),
        Some(DliDonorType::MatchedRelated)
    );
    assert_eq!(
        donor_type(R::MismatchedUnrelated),
        Some(DliDonorType::Unrelated)
    );
    assert_eq!(donor_type(R::UnrelatedCord), Some(DliDonorType::CordBlood));
    assert_eq!(donor_type(R::Autologous), None);
}

#[test]
fn chronic_gvhd_from_the_grades() {
    let c = course(&base());
    let g = GvhdStatus {
        agvhd_daily: vec![],
        cgvhd: vec![(d("2024-06-01"), ChronicSeverity::Moderate)],
    };
    let i = dli_input(&c, d("2024-06-10"), &g, &DliConfig::default()).unwrap();
    assert_eq!(i.cgvhd, Some(ChronicSeverity::Moderate));
    let i = dli_input(&c, d("2024-05-31"), &g, &DliConfig::default()).unwrap();
    assert_eq!(
        i.cgvhd,
        Some(ChronicSeverity::None),
        "not yet on the day before"
    );
}

#[test]
fn graft_checks_flag_small_cord_unit() {
    // Combined with a PBSC graft the cord threshold is 1.5e7 TNC/kg: 1.5e7
    // meets it, 1.49e7 is flagged below.
    let check = |tnc: f64| {
        let c = with(|v| v["events"][0]["tnc_per_kg"] = json!(tnc));
        graft_checks(&c, 1)
            .checks
            .into_iter()
            .find(|k| k.what == "UCB-1 TNC/kg")
            .unwrap()
            .status
    };
    assert_eq!(check(1.5e7), CheckStatus::Meets);
    assert_eq!(check(1.49e7), CheckStatus::Below);
    let r = graft_checks(&course(&base()), 1);
    let hla = r
        .checks
        .iter()
        .find(|k| k.what == "UCB-1 HLA match")
        .unwrap();
    assert_eq!(
        hla.status,
        CheckStatus::Below,
        "5/8 is more than 2 mismatches"
    );
}

#[test]
fn no_dli_decision_on_or_after_a_recorded_death() {
    let c = with(|v| {
        push(
            v,
            "events",
            json!({"date": "2024-06-20", "kind": "death", "cause": "sepsis"}),
        )
    });
    // The day before the death: an ordinary assessment.
    assert!(assess_dli(&c, d("2024-06-19"), &no_gvhd(), &DliConfig::default()).is_ok());
    assert_eq!(died_by(&c, d("2024-06-19")), None);
    // On the day of the death and after: no decision, no plan.
    for on in ["2024-06-20", "2024-06-25"] {
        let e = assess_dli(&c, d(on), &no_gvhd(), &DliConfig::default()).unwrap_err();
        assert_eq!(
            e,
            DecisionError::Deceased {
                on: d(on),
                death: d("2024-06-20")
            }
        );
        let text = e.to_string();
        assert!(text.starts_with("patient died on 2024-06-20"), "{text}");
        assert!(text.contains("DLI not applicable"), "{text}");
        assert_eq!(e.outcome_label(), DECEASED_OUTCOME);
    }
    let later = assess_dli(&c, d("2024-06-25"), &no_gvhd(), &DliConfig::default()).unwrap_err();
    assert!(
        later
            .to_string()
            .contains("the assessment day 2024-06-25 is after the death"),
        "{later}"
    );
}

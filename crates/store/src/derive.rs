//! Per-patient derived state: the latest blood counts, the current grades,
//! the alerts and the DLI status, computed by the grading, report and
//! decision libraries from the course at one revision, and recorded with
//! the engine version and configuration hash it was computed with. A ward
//! list (`patients --alerts`) reads only this table; a row whose revision,
//! engine version or configuration hash is out of date is recomputed first.

use graftwatch_core::Analyte;
use graftwatch_course::{Course, ObservationKind};
use graftwatch_criteria::dli::{DliConfig, DliOutcome};
use graftwatch_decision::{DECEASED_OUTCOME, DecisionError, assess_dli, gvhd_status_from_grades};
use graftwatch_grading::GradingConfig;
use graftwatch_grading::output::ItemStatus;
use graftwatch_report::{AlertConfig, Analysis};
use serde::{Deserialize, Serialize};

use crate::hashing::sha256_hex;

/// Version of the engine that computes derived state: the workspace version
/// plus a revision bumped whenever the layout of [`DerivedSummary`] or what
/// the grading engine reports changes. A change recomputes every row.
/// `derived/3` (2026-12-05): CRS/ICANS maxima count lower-bound days, stool
/// without a weight stages, the diagnostic marrow is a baseline.
/// `derived/4` (2026-12-05, stop 33): an aGVHD lower bound of grade 0 reads
/// "not yet gradable".
/// `derived/6` (2026-12-05, stop 35): the ward's chimerism keeps a
/// laboratory's "not detected" (`< LoD`), and the rising-chimerism rule
/// compares a result at its recorded LoD.
/// `derived/5` (2026-12-05, stop 34): the last date, the DLI status and the
/// engraftment alerts are taken on the last record (`Course::last_record_date`,
/// not an event's end date); lineages in the clinical wording of
/// `Lineage::label`.
/// `derived/7` (2026-12-05, stop 36): values in reasons carry the unit a
/// clinician reads (`Unit::label`: ×10⁹/L, /µL, µmol/L).
/// `derived/8` (2026-12-05, stop 36): a deceased patient's DLI status reads
/// "not applicable: patient died on DATE" (no decision after a death);
/// engraftment and primary graft failure are censored at death; relapse
/// dates read "relapse" on the ELN timeline; AML/ALL without therapy or
/// marrow has no disease status at HCT (EBMT, refined DRI).
/// `derived/9` (2026-12-05, stop 36): reasons say why (review-clin S6, S8,
/// S10): a remission after first-line induction is "not refractory" before
/// the landmark; "not steroid-refractory" names the clock's start; an
/// unstaged unattributed bilirubin is named in the aGVHD day reason;
/// responses read "no response"; counts read singular/plural.
/// `derived/10` (2026-12-06, clin3): a DLI status that cannot be determined
/// names what lacks dated evidence (`DliStatus::undetermined_because`); no
/// immunosuppressant recorded is unknown, not "off"; HCT-CI uses values from
/// before conditioning and names its items; late T-ICAHT reasons give the
/// durations; censoring flags name the event.
pub const ENGINE_VERSION: &str = concat!("graftwatch ", env!("CARGO_PKG_VERSION"), " derived/10");

/// The configuration derived state is computed with.
#[derive(Debug, Clone, Default)]
pub struct DeriveConfig {
    /// Alert thresholds.
    pub alerts: AlertConfig,
}

impl DeriveConfig {
    /// SHA-256 of every configuration that changes the derived state (the
    /// grading, alert and DLI configurations).
    pub fn hash(&self) -> String {
        let grading = GradingConfig::default().to_toml_string();
        let alerts = serde_json::to_string(&self.alerts).unwrap_or_default();
        let dli = format!("{:?}", DliConfig::default());
        sha256_hex(&[grading.as_bytes(), alerts.as_bytes(), dli.as_bytes()])
    }
}

/// The latest value of a blood count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestValue {
    /// Analyte (`anc`, `platelets`, …).
    pub analyte: String,
    /// Date of the sample.
    pub date: String,
    /// Value in the canonical unit.
    pub value: f64,
    /// The canonical unit.
    pub unit: String,
}

/// One current grade or summary result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeLine {
    /// Summary item (`agvhd_max_grade`, `neutrophil_engraftment`, …).
    pub item: String,
    /// Result as printed.
    pub result: String,
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertLine {
    /// What the alert is about.
    pub kind: String,
    /// Date it applies from.
    pub date: String,
    /// Why.
    pub reason: String,
}

/// The DLI decision status on the last day of the course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DliStatus {
    /// Date assessed.
    pub on: String,
    /// Whether the published criteria for a DLI are met (decision support, not an order).
    pub criteria_met: bool,
    /// The decision's outcome in words: `criteria met`, `criteria not
    /// met` or `cannot be determined` (a trigger is present but a
    /// prerequisite lacks dated evidence), or `not applicable: deceased`
    /// (the patient died on or before the day; `derived/8`). Absent in rows computed before
    /// `derived/4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Summary sentence.
    pub summary: String,
    /// When the outcome is `cannot be determined`: what lacks dated
    /// evidence, in words ("a trigger is present; no dated evidence for:
    /// immunosuppression stopped or tapering";
    /// `DliAssessment::undetermined_because`). Absent in rows computed
    /// before `derived/10` and for every other outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undetermined_because: Option<String>,
}

impl DliStatus {
    /// The status as the ward and the patient list say it: "criteria met on
    /// D", "criteria not met on D", "cannot be determined on D (a trigger
    /// is present; no dated evidence for: immunosuppression stopped or
    /// tapering)" (a row from before `derived/10` reads "… a prerequisite
    /// lacks dated evidence").
    pub fn words(&self) -> String {
        match (self.criteria_met, self.outcome.as_deref()) {
            (_, Some(DECEASED_OUTCOME)) => format!("not applicable: {}", self.summary),
            (true, _) => format!("criteria met on {}", self.on),
            (false, Some(o)) if o == DliOutcome::CannotBeDetermined.label() => format!(
                "cannot be determined on {} ({})",
                self.on,
                self.undetermined_because
                    .as_deref()
                    .unwrap_or("a trigger is present; a prerequisite lacks dated evidence")
            ),
            _ => format!("criteria not met on {}", self.on),
        }
    }

    /// A trigger is present but the decision could not be made.
    pub fn undetermined(&self) -> bool {
        self.outcome.as_deref() == Some(DliOutcome::CannotBeDetermined.label())
    }
}

/// What a ward list shows of a patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedSummary {
    /// Number of observations.
    pub observations: usize,
    /// Number of events.
    pub events: usize,
    /// Latest blood counts.
    pub latest: Vec<LatestValue>,
    /// Current grades (summary items that have a result).
    pub grades: Vec<GradeLine>,
    /// Alerts.
    pub alerts: Vec<AlertLine>,
    /// DLI status on the last day, when it could be assessed.
    pub dli: Option<DliStatus>,
    /// What the ward dashboard shows beyond the above (day 0, current
    /// grades, latest chimerism per lineage); see [`crate::ward`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<crate::ward::WardFacts>,
}

/// A row of derived state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedState {
    /// The course revision it was computed from.
    pub rev: i64,
    /// [`ENGINE_VERSION`] at the time.
    pub engine_version: String,
    /// [`DeriveConfig::hash`] at the time.
    pub config_hash: String,
    /// When (UTC).
    pub computed_at: String,
    /// Last date in the course.
    pub last_date: Option<String>,
    /// The content.
    pub summary: DerivedSummary,
}

const COUNTS: [Analyte; 4] = [
    Analyte::Anc,
    Analyte::Platelets,
    Analyte::Wbc,
    Analyte::Hemoglobin,
];

/// Computes the derived summary of a course.
pub fn compute(course: &Course, cfg: &DeriveConfig) -> DerivedSummary {
    let analysis = Analysis::for_course(course, &cfg.alerts);
    let latest = COUNTS
        .iter()
        .filter_map(|&a| {
            let o = course.observations_of(ObservationKind::Lab(a)).last()?;
            Some(LatestValue {
                analyte: a.to_string(),
                date: o.date.to_string(),
                value: o.number()?,
                unit: a.canonical_unit().to_string(),
            })
        })
        .collect();
    let grades = analysis
        .grades
        .summary
        .iter()
        .filter(|s| s.status == ItemStatus::Value)
        .map(|s| GradeLine {
            item: s.item.clone(),
            result: s.result.clone(),
        })
        .collect();
    let alerts = analysis
        .alerts
        .iter()
        .map(|a| AlertLine {
            kind: a.kind.label().to_string(),
            date: a.date.to_string(),
            reason: a.reason.clone(),
        })
        .collect();
    let dli = course.last_record_date().and_then(|last| {
        let gvhd = gvhd_status_from_grades(&analysis.grades);
        match assess_dli(course, last, &gvhd, &DliConfig::default()) {
            Ok(a) => Some(DliStatus {
                on: last.to_string(),
                criteria_met: a.criteria_met,
                outcome: Some(a.outcome.label().to_string()),
                undetermined_because: a.undetermined_because(),
                summary: a.summary,
            }),
            Err(e @ DecisionError::Deceased { death, .. }) => Some(DliStatus {
                on: last.to_string(),
                criteria_met: false,
                outcome: Some(e.outcome_label().to_string()),
                summary: format!("patient died on {death}"),
                undetermined_because: None,
            }),
            Err(DecisionError::NoTransplant(_)) => None,
        }
    });
    DerivedSummary {
        observations: course.observations.len(),
        events: course.events.len(),
        latest,
        grades,
        alerts,
        dli,
        ward: Some(crate::ward::facts(course, &analysis)),
    }
}

/// A one-donor PBSC course (HCT 2024-03-01, donor MUD-1) with these extra
/// events and these observations, for the tests below.
#[cfg(test)]
fn test_course(extra_events: Vec<serde_json::Value>, observations: serde_json::Value) -> Course {
    let mut events = vec![serde_json::json!(
        {"date": "2024-03-01", "kind": "graft_infusion", "source": "pbsc", "donor": "MUD-1", "cd34_per_kg": 5.0e6}
    )];
    events.extend(extra_events);
    let v = serde_json::json!({
        "format": "graftwatch-course/1",
        "patient": {"id": "P1", "sex": "male", "birth_year": 1970,
            "diagnosis": {"disease": "aml", "date": "2024-01-10"}},
        "donors": [{"id": "MUD-1", "relationship": "matched_unrelated", "hla_match": "10/10"}],
        "events": events,
        "observations": observations
    });
    graftwatch_course::io::read_json_str(&v.to_string(), std::path::Path::new("t.json"))
        .unwrap()
        .course
}

#[cfg(test)]
mod dli_words_tests {
    use super::*;

    /// "Cannot be determined" is never shown as "not met" (a relapsing
    /// patient with DLI triggers would read as nothing to review).
    #[test]
    fn each_dli_outcome_in_words() {
        let s = |met: bool, outcome: Option<DliOutcome>| DliStatus {
            on: "2026-11-20".into(),
            criteria_met: met,
            outcome: outcome.map(|o| o.label().to_string()),
            summary: String::new(),
            undetermined_because: None,
        };
        assert_eq!(
            s(true, Some(DliOutcome::CriteriaMet)).words(),
            "criteria met on 2026-11-20"
        );
        assert_eq!(
            s(false, Some(DliOutcome::CriteriaNotMet)).words(),
            "criteria not met on 2026-11-20"
        );
        let u = s(false, Some(DliOutcome::CannotBeDetermined));
        assert!(u.words().starts_with("cannot be determined on 2026-11-20"));
        assert!(u.undetermined());
        // Since `derived/10` the row names what lacks evidence; an older
        // row keeps its general words.
        assert_eq!(
            u.words(),
            "cannot be determined on 2026-11-20 (a trigger is present; a prerequisite lacks dated evidence)"
        );
        let named = DliStatus {
            undetermined_because: Some(
                "a trigger is present; no dated evidence for: immunosuppression stopped or tapering"
                    .into(),
            ),
            ..u
        };
        assert_eq!(
            named.words(),
            "cannot be determined on 2026-11-20 (a trigger is present; no dated evidence for: immunosuppression stopped or tapering)"
        );
        // A row from before `derived/4` (no outcome) keeps the old reading.
        assert_eq!(s(false, None).words(), "criteria not met on 2026-11-20");
    }
}

#[cfg(test)]
mod deceased_tests {
    use super::*;

    fn course(death: Option<&str>) -> Course {
        let events = death
            .map(|d| serde_json::json!({"date": d, "kind": "death", "cause": "sepsis"}))
            .into_iter()
            .collect();
        super::test_course(
            events,
            serde_json::json!([{"date": "2024-05-20", "kind": "anc", "value": 2.0, "unit": "10^9/L"}]),
        )
    }

    /// The ward's DLI status of a deceased patient is "not applicable",
    /// from the decision crate's rule; alive, it is an ordinary status.
    #[test]
    fn a_deceased_patient_has_no_dli_status_but_not_applicable() {
        let dli = compute(&course(Some("2024-05-20")), &DeriveConfig::default())
            .dli
            .unwrap();
        assert_eq!(dli.outcome.as_deref(), Some(DECEASED_OUTCOME));
        assert!(!dli.criteria_met && !dli.undetermined());
        assert_eq!(dli.words(), "not applicable: patient died on 2024-05-20");
        let alive = compute(&course(None), &DeriveConfig::default())
            .dli
            .unwrap();
        assert_ne!(alive.outcome.as_deref(), Some(DECEASED_OUTCOME));
        assert!(alive.words().contains("on 2024-05-20"), "{}", alive.words());
    }
}

#[cfg(test)]
mod undetermined_tests {
    use super::*;

    /// Day +83 after an HCT with a recipient CD3 share of 10 % (a trigger),
    /// a skin examination and an infection status on the day; `drug` adds a
    /// stopped cyclosporine course.
    fn course(drug: bool) -> Course {
        let events = drug
            .then(|| {
                serde_json::json!(
                    {"date": "2024-02-28", "end_date": "2024-05-01", "kind": "drug", "name": "cyclosporine", "class": "immunosuppressant"}
                )
            })
            .into_iter()
            .collect();
        super::test_course(
            events,
            serde_json::json!([
                {"date": "2024-05-23", "kind": "chimerism", "value": 10, "unit": "%", "lineage": "cd3", "person": "recipient"},
                {"date": "2024-05-23", "kind": "chimerism", "value": 90, "unit": "%", "lineage": "cd3", "person": "MUD-1"},
                {"date": "2024-05-23", "kind": "skin_rash_bsa", "value": 0, "unit": "%"},
                {"date": "2024-05-23", "kind": "infection_status", "value": "none"},
                {"date": "2024-05-23", "kind": "anc", "value": 2.0, "unit": "10^9/L"}
            ]),
        )
    }

    /// `patients --alerts` and the ward name the prerequisite that lacks
    /// dated evidence (review-clin M1), from the decision's own answer.
    #[test]
    fn an_undetermined_dli_status_names_what_lacks_evidence() {
        let dli = compute(&course(false), &DeriveConfig::default())
            .dli
            .unwrap();
        assert!(dli.undetermined(), "{dli:?}");
        assert_eq!(
            dli.words(),
            "cannot be determined on 2024-05-23 (a trigger is present; no dated evidence for: immunosuppression stopped or tapering)"
        );
        let known = compute(&course(true), &DeriveConfig::default())
            .dli
            .unwrap();
        assert!(!known.undetermined(), "{known:?}");
        assert_eq!(known.undetermined_because, None);
    }
}

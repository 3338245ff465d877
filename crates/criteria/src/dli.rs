//! Decision support for donor lymphocyte infusion (DLI): triggers,
//! prerequisites/contraindications, and a dose plan with half-log escalation.
//!
//! This never orders anything: it reports which published criteria are met or
//! not met on a given day, with reasons and sources.
//!
//! Sources (clinical-criteria.md §6.5–6.6):
//! * EBMT survey of 165 centres, *Bone Marrow Transplant* 2025;60(5):697–701
//!   \[V\]: pre-emptive DLI for MRD positivity (86.9 %) and mixed chimerism
//!   (73.1 %); contraindications active GVHD (85.6 %) and active infection
//!   (57.5 %); 71.9 % require immunosuppression to be withdrawn.
//! * Mixed-chimerism trigger: donor < 95 % in CD3+ or myeloid/CD34+ cells, or
//!   a rising recipient share on ≥ 2 serial samples \[R\] (thresholds vary).
//! * Dose table: Dholaria et al., *Haematologica* 2020;105(1):47–58 (haplo,
//!   EBMT ALWP) and Pagliuca et al., *Lancet Haematol* 2024;11(6):e448–e458;
//!   start doses and half-log escalation \[R\]; Bar et al. *BBMT* 2013 [V
//!   abstract] supports a start below 1×10⁸/kg; Dazzi et al. *Blood* 2000 [V
//!   abstract] supports escalating over bulk dosing.

use graftwatch_core::{CellsPerKg, Citation, Date, LimitKind, Lineage, Percent, Provenance};
use serde::{Deserialize, Serialize};

pub use crate::chimerism_rise::{CITE_RISE, RiseRule, RiseSample};
use crate::chimerism_state::{FullDonorRule, is_full_donor};
use crate::eln_relapse::MFC_MRD_POSITIVE_PERCENT;
use crate::eln_response::MARROW_BLASTS_CLEAR_BELOW;
use crate::explain::{Evidence, Flag};

/// EBMT DLI practice survey.
pub const CITE_SURVEY: Citation = Citation {
    source: "EBMT survey of DLI practice (165 centres), Bone Marrow Transplant 2025;60(5):697-701",
    year: 2025,
    table: "survey results",
    doi: None,
    provenance: Provenance::Verified,
    note: "Trigger and contraindication frequencies verified from the abstract; operational thresholds are centre-specific.",
};

/// Haploidentical DLI consensus.
pub const CITE_HAPLO: Citation = Citation {
    source: "Dholaria B et al. Haematologica 2020;105(1):47-58 (EBMT ALWP haplo DLI consensus)",
    year: 2020,
    table: "dose recommendations",
    doi: Some("10.3324/haematol.2019.219790"),
    provenance: Provenance::Recalled,
    note: "Start 1e5 CD3+/kg prophylactic/pre-emptive, 1e6 therapeutic; half-log escalation at ≥ 4-6 weeks. [R]: check against the paper.",
};

/// EBMT 2024 DLI best-practice recommendations.
pub const CITE_EBMT_2024: Citation = Citation {
    source: "Pagliuca S et al. Lancet Haematol 2024;11(6):e448-e458 (EBMT DLI best practice)",
    year: 2024,
    table: "dose recommendations",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Matched-donor start doses 1e6-1e7 CD3+/kg (lower for MUD / early); therapeutic MSD 1e7, MUD 1e6-5e6. [R]",
};

/// Mixed-chimerism trigger definitions.
pub const CITE_CHIMERISM_TRIGGER: Citation = Citation {
    source: "graftwatch clinical-criteria reference §6.6 (mixed chimerism trigger, practice definitions)",
    year: 2025,
    table: "Triggers for pre-emptive DLI",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Donor < 95 % in CD3+ or CD34+/myeloid cells, or rising recipient chimerism on ≥ 2 serial samples. Thresholds vary by centre and assay.",
};

/// Donor type for the dose table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DliDonorType {
    /// HLA-identical sibling / matched related.
    MatchedRelated,
    /// Matched (or mismatched) unrelated adult donor.
    Unrelated,
    /// Haploidentical related donor.
    Haploidentical,
    /// Umbilical cord blood unit: no lymphocytes can be collected.
    CordBlood,
}

/// Why a DLI is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DliSetting {
    /// No trigger (high-risk disease).
    Prophylactic,
    /// Mixed chimerism or MRD.
    Preemptive,
    /// Haematological relapse.
    Therapeutic,
}

/// One chimerism result for a lineage: the recipient share in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RecipientShare {
    /// Sample date.
    pub date: Date,
    /// Lineage.
    pub lineage: Lineage,
    /// Recipient share, % of cells.
    pub recipient_percent: Percent,
    /// Limit of detection of the assay for this sample, %, when known.
    pub lod_percent: Option<Percent>,
}

/// MRD method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MrdMethod {
    /// Multiparameter flow cytometry, % of CD45+ cells (positive ≥ 0.1 %).
    Flow,
    /// qPCR transcript ratio, % (positive when > 0).
    Qpcr,
}

/// One MRD result: quantitative (`percent`) or qualitative (`qualitative`
/// = positive / negative, `percent` then ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MrdResult {
    /// Sample date.
    pub date: Date,
    /// Method.
    pub method: MrdMethod,
    /// Value in % (flow: % of CD45+ cells; qPCR: transcript ratio, which
    /// may exceed 100 %, so this is a plain number, not a share).
    pub percent: f64,
    /// A qualitative result: `Some(true)` positive, `Some(false)` negative.
    pub qualitative: Option<bool>,
}

impl MrdResult {
    /// A quantitative result.
    pub fn quantitative(date: Date, method: MrdMethod, percent: f64) -> MrdResult {
        MrdResult {
            date,
            method,
            percent,
            qualitative: None,
        }
    }

    /// The result in words: `0.32 %` or `positive`.
    fn text(&self) -> String {
        match self.qualitative {
            Some(true) => "positive".into(),
            Some(false) => "negative".into(),
            None => format!("{} %", self.percent),
        }
    }
}

/// Immunosuppression state on the decision day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImmunosuppressionState {
    /// No systemic immunosuppression.
    Off,
    /// Being tapered (dose reduced, stop planned).
    Tapering,
    /// Full-dose immunosuppression.
    Active,
    /// Not recorded.
    Unknown,
}

/// An immunosuppressant or systemic steroid course from the drug events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    /// Drug name as recorded.
    pub name: String,
    /// First day.
    pub start: Date,
    /// Recorded stop, if any.
    pub stop: Option<Date>,
}

/// Chronic GVHD global severity (NIH 2014) on the decision day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChronicSeverity {
    /// No chronic GVHD.
    None,
    /// Mild.
    Mild,
    /// Moderate.
    Moderate,
    /// Severe.
    Severe,
}

/// A donor who could give lymphocytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DliDonor {
    /// Donor id.
    pub id: String,
    /// Type.
    pub donor_type: DliDonorType,
    /// Share of the graft this donor contributes in the latest sample, %.
    pub latest_share_percent: Option<Percent>,
}

/// A DLI already given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GivenDli {
    /// Date.
    pub date: Date,
    /// Donor id.
    pub donor: String,
    /// CD3+ cells/kg.
    pub cd3_per_kg: CellsPerKg,
}

/// Everything the decision needs for one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DliInput {
    /// The decision day.
    pub on: Date,
    /// Transplant day 0.
    pub hct_day0: Date,
    /// Which transplant `hct_day0` belongs to (1 = first).
    pub transplant: u32,
    /// Chimerism results up to `on` (any order).
    pub chimerism: Vec<RecipientShare>,
    /// MRD results up to `on`.
    pub mrd: Vec<MrdResult>,
    /// Marrow blast results up to `on` (date, %).
    pub marrow_blasts: Vec<(Date, Percent)>,
    /// Latest acute GVHD grade (MAGIC 0–4) on or before `on`, `None` if not
    /// determined.
    pub agvhd_grade: Option<u8>,
    /// Date of that grade.
    pub agvhd_date: Option<Date>,
    /// Latest chronic GVHD severity on or before `on`.
    pub cgvhd: Option<ChronicSeverity>,
    /// Date of the latest acute GVHD organ assessment on or before `on`:
    /// skin or GI staged (a finding recorded, with or without findings) or
    /// an explicit `agvhd_no_findings` record of skin, GI or all organs. A
    /// laboratory value alone (bilirubin) is not a GVHD assessment.
    pub gvhd_assessed: Option<Date>,
    /// Date of the latest chronic GVHD (NIH 2014) organ assessment on or
    /// before `on`.
    pub cgvhd_assessed: Option<Date>,
    /// Immunosuppression state.
    pub immunosuppression: ImmunosuppressionState,
    /// The immunosuppressant or steroid behind `immunosuppression`: the
    /// one covering the day, else the last one stopped before it.
    pub immunosuppressant: Option<Agent>,
    /// Infection status from the latest evidence: `Some(true)` an infection
    /// is ongoing / uncontrolled, `Some(false)` none or controlled, `None`
    /// nothing recorded.
    pub uncontrolled_infection: Option<bool>,
    /// Date of the evidence behind `uncontrolled_infection`.
    pub infection_assessed: Option<Date>,
    /// Donors.
    pub donors: Vec<DliDonor>,
    /// DLIs already given (before or on `on`).
    pub previous: Vec<GivenDli>,
    /// Any acute/chronic GVHD after the previous DLI.
    pub gvhd_after_previous_dli: bool,
}

/// How recent the evidence behind a prerequisite must be (the `[dli]`
/// windows of the configuration; engine decision 13 in
/// docs/criteria-decisions.md).
pub const GVHD_ASSESSMENT_WINDOW_DAYS: i32 = 14;
/// Infection status must be dated within this many days of the decision.
pub const INFECTION_STATUS_WINDOW_DAYS: i32 = 7;
/// Immunosuppression whose recorded stop is within this many days counts as
/// tapering.
pub const TAPER_WINDOW_DAYS: i32 = 14;
/// A trigger (mixed or rising chimerism, MRD, marrow relapse) is met or not
/// met only on its latest result dated within this many days before the
/// decision (engine decision 14): an older result leaves it unknown.
pub const TRIGGER_EVIDENCE_WINDOW_DAYS: i32 = 90;

/// Configurable thresholds; `Default` = the reference's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DliConfig {
    /// Mixed chimerism when the donor share (100 − recipient) is not full
    /// donor against 100 − this value (%), by the E-5 rule
    /// [`Self::full_donor_rule`]: with the ASTCT default and 5, recipient
    /// ≥ 5 % (donor ≤ 95 %) is mixed, the reading of `grade`.
    pub mixed_recipient_above_percent: Percent,
    /// The E-5 full-donor rule, not a `[dli]` key: copied from `[chimerism]
    /// full_donor_rule` of the grading configuration (`Config::sync`), so
    /// `decide` and `grade` read a share at the boundary alike.
    #[serde(skip)]
    pub full_donor_rule: FullDonorRule,
    /// The chimerism-rise rule (shared with the report's trend alert).
    pub rising: RiseRule,
    /// Flow MRD positive at or above this %, ELN MRD 2021 (0.1).
    pub mrd_flow_positive_percent: Percent,
    /// Haematological relapse at or above this % marrow blasts (ELN 2022: 5).
    pub relapse_blasts_percent: Percent,
    /// Acute GVHD at or above this MAGIC grade contraindicates DLI (II).
    pub max_agvhd_grade_exclusive: u8,
    /// Earliest day after transplant (default +60: "usually > day +60–100").
    pub min_day_after_hct: i32,
    /// Minimum days after the previous DLI (default 28 = 4 weeks).
    pub min_days_between_dli: i32,
    /// Whether tapering immunosuppression is acceptable (default yes).
    pub accept_tapering: bool,
    /// A GVHD prerequisite is met only on a GVHD assessment dated within
    /// this many days before the decision day (default 14).
    pub gvhd_assessment_window_days: i32,
    /// The infection prerequisite is met only on infection status dated
    /// within this many days before the decision day (default 7).
    pub infection_status_window_days: i32,
    /// Immunosuppression stopping within this many days is "tapering" (14).
    pub taper_window_days: i32,
    /// A trigger is assessed only on its latest result dated within this
    /// many days before the decision day (default 90; engine decision 14).
    pub trigger_evidence_window_days: i32,
    /// Escalation ladder.
    pub ladder: EscalationLadder,
}

/// The dose ladder used for escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLadder {
    /// True half-log steps (×√10, written to one significant figure):
    /// 1, 3, 10 ×10ⁿ.
    HalfLog,
    /// The reference's example sequence 1×10⁷ → 5×10⁷ → 1×10⁸: 1, 5, 10 ×10ⁿ.
    OneFiveTen,
}

impl Default for DliConfig {
    fn default() -> Self {
        DliConfig {
            mixed_recipient_above_percent: Percent::lit(5.0),
            full_donor_rule: FullDonorRule::default(),
            rising: RiseRule::default(),
            mrd_flow_positive_percent: MFC_MRD_POSITIVE_PERCENT,
            relapse_blasts_percent: MARROW_BLASTS_CLEAR_BELOW,
            max_agvhd_grade_exclusive: 2,
            min_day_after_hct: 60,
            min_days_between_dli: 28,
            accept_tapering: true,
            gvhd_assessment_window_days: GVHD_ASSESSMENT_WINDOW_DAYS,
            infection_status_window_days: INFECTION_STATUS_WINDOW_DAYS,
            taper_window_days: TAPER_WINDOW_DAYS,
            trigger_evidence_window_days: TRIGGER_EVIDENCE_WINDOW_DAYS,
            ladder: EscalationLadder::HalfLog,
        }
    }
}

/// One criterion: met or not, why, from which observations, per which source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Short name in clinical words, e.g. `mixed chimerism, T cells (CD3+)`.
    pub name: String,
    /// Met (for triggers: present; for prerequisites: satisfied). `None` when
    /// the data needed are missing or too old.
    pub met: Option<bool>,
    /// Reason in words.
    pub reason: String,
    /// Observations used.
    pub evidence: Vec<Evidence>,
    /// Source.
    pub citation: Citation,
}

/// One step of the dose plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoseStep {
    /// Step number (1 = the next DLI).
    pub step: u32,
    /// CD3+ cells/kg.
    pub cd3_per_kg: CellsPerKg,
    /// Earliest date for this step.
    pub earliest: Date,
    /// Condition for giving it.
    pub condition: String,
}

/// The dose plan for one donor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DosePlan {
    /// Donor id.
    pub donor: String,
    /// Setting used for the start dose.
    pub setting: DliSetting,
    /// Steps.
    pub steps: Vec<DoseStep>,
    /// Why these doses.
    pub reason: String,
    /// Sources.
    pub citations: Vec<Citation>,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DliOutcome {
    /// A trigger is present and every prerequisite is met on dated evidence.
    CriteriaMet,
    /// No trigger, a prerequisite not met, or no donor / no escalation.
    CriteriaNotMet,
    /// A trigger is present, no prerequisite fails, but at least one lacks
    /// evidence inside its window.
    CannotBeDetermined,
}

impl DliOutcome {
    /// `criteria met`, `criteria not met`, `cannot be determined`.
    pub fn label(self) -> &'static str {
        match self {
            DliOutcome::CriteriaMet => "criteria met",
            DliOutcome::CriteriaNotMet => "criteria not met",
            DliOutcome::CannotBeDetermined => "cannot be determined",
        }
    }
}

/// The decision report for one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DliAssessment {
    /// Decision day.
    pub on: Date,
    /// Day after transplant.
    pub day: i32,
    /// The transplant `day` counts from.
    pub transplant: u32,
    /// Triggers (any met → indication).
    pub triggers: Vec<Criterion>,
    /// Prerequisites (all must be met).
    pub prerequisites: Vec<Criterion>,
    /// Donors that cannot give lymphocytes, with the reason.
    pub excluded_donors: Vec<(String, String)>,
    /// Dose plan for the eligible donor(s).
    pub plans: Vec<DosePlan>,
    /// The overall answer.
    pub outcome: DliOutcome,
    /// `outcome == CriteriaMet` (kept for readers of schema 1).
    pub criteria_met: bool,
    /// Summary sentence, framed as criteria met/not met — never an order.
    pub summary: String,
    /// Defaults applied.
    pub flags: Vec<Flag>,
}

impl DliAssessment {
    /// Why the answer is "cannot be determined", naming what lacks dated
    /// evidence (for the ward and `patients --alerts`): "a trigger is
    /// present; no dated evidence for: no active acute GVHD grade ≥ II;
    /// immunosuppression stopped or tapering", or "no trigger could be
    /// assessed on a recent result: mixed chimerism, T cells (CD3+)".
    /// `None` for any other outcome.
    pub fn undetermined_because(&self) -> Option<String> {
        if self.outcome != DliOutcome::CannotBeDetermined {
            return None;
        }
        let unknown = |cs: &[Criterion]| {
            cs.iter()
                .filter(|c| c.met.is_none())
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        Some(if self.triggers.iter().any(|t| t.met == Some(true)) {
            format!(
                "a trigger is present; no dated evidence for: {}",
                unknown(&self.prerequisites)
            )
        } else {
            format!(
                "no trigger could be assessed on a recent result: {}",
                unknown(&self.triggers)
            )
        })
    }
}

/// Start dose (CD3+/kg) by donor type and setting: the reference's table
/// (§6.5), lower end of each range.
pub fn start_dose(donor: DliDonorType, setting: DliSetting) -> Option<f64> {
    use DliDonorType as D;
    use DliSetting as S;
    Some(match (donor, setting) {
        (D::CordBlood, _) => return None,
        (D::Haploidentical, S::Prophylactic | S::Preemptive) => 1e5,
        (D::Haploidentical, S::Therapeutic) => 1e6,
        (D::MatchedRelated, S::Therapeutic) => 1e7,
        (D::MatchedRelated, S::Prophylactic | S::Preemptive) => 1e6,
        (D::Unrelated, S::Therapeutic) => 1e6,
        (D::Unrelated, S::Prophylactic | S::Preemptive) => 1e6,
    })
}

/// The next dose strictly above `dose` on the ladder: half-log (1, 3, 10 ×
/// 10ⁿ) or the reference's example sequence (1, 5, 10 × 10ⁿ). `None` when
/// `dose` is not a positive finite number or the next step would leave the
/// valid DLI dose range ([`graftwatch_core::limits`]); the search looks at
/// three decades only, so it always ends.
pub fn next_step(dose: f64, ladder: EscalationLadder) -> Option<f64> {
    if !(dose.is_finite() && dose > 0.0) {
        return None;
    }
    let mults: &[f64] = match ladder {
        EscalationLadder::HalfLog => &[1.0, 3.0],
        EscalationLadder::OneFiveTen => &[1.0, 5.0],
    };
    let e0 = dose.log10().floor() as i32;
    let limit = graftwatch_core::limit(LimitKind::DliCd3PerKg);
    for e in e0 - 1..=e0 + 1 {
        for &m in mults {
            let c = m * 10f64.powi(e);
            if c > dose * 1.0001 {
                return limit.is_valid(c).then_some(c);
            }
        }
    }
    None
}

fn pct_ev(s: &RecipientShare, note: String) -> Evidence {
    Evidence::value(
        Some(s.date),
        format!("chimerism {} recipient", s.lineage),
        s.recipient_percent,
        Some(graftwatch_core::Unit::Percent),
        note,
    )
}

/// The chimerism samples of one lineage up to `on`, in date order.
fn lineage_samples(input: &DliInput, lineage: Lineage) -> Vec<RecipientShare> {
    let mut ls: Vec<RecipientShare> = input
        .chimerism
        .iter()
        .copied()
        .filter(|s| s.date <= input.on && s.lineage == lineage)
        .collect();
    ls.sort_by_key(|s| s.date);
    ls
}

fn mixed_trigger(lineage: Lineage, last: &RecipientShare, cfg: &DliConfig) -> Criterion {
    let rule = cfg.full_donor_rule;
    let boundary = cfg.mixed_recipient_above_percent.complement();
    let donor = last.recipient_percent.complement();
    let mixed = !is_full_donor(donor, boundary, rule);
    let full_op = rule.full_op();
    let state = if mixed {
        format!(
            "not full donor (full donor {full_op} {} %, E-5): mixed",
            boundary.get()
        )
    } else {
        format!("full donor {full_op} {} % (E-5)", boundary.get())
    };
    Criterion {
        name: format!("mixed chimerism, {}", lineage.label()),
        met: Some(mixed),
        reason: format!(
            "latest {} sample {}: recipient {} %, donor {} %: {state}",
            lineage.label(),
            last.date,
            last.recipient_percent.get(),
            donor.get(),
        ),
        evidence: vec![pct_ev(last, "latest sample".into())],
        citation: CITE_CHIMERISM_TRIGGER,
    }
}

fn rising_trigger(lineage: Lineage, ls: &[RecipientShare], cfg: &DliConfig) -> Option<Criterion> {
    let n = cfg.rising.needed();
    if ls.len() <= n {
        return matches!(lineage, Lineage::Cd3 | Lineage::Myeloid).then(|| Criterion {
            name: format!("rising recipient share, {}", lineage.label()),
            met: None,
            reason: format!(
                "{} ({}); {} needed to see {n} serial rises",
                graftwatch_core::number::counted(ls.len(), "sample"),
                lineage.label(),
                n + 1
            ),
            evidence: vec![],
            citation: CITE_RISE,
        });
    }
    let pts: Vec<RiseSample> = ls
        .iter()
        .map(|s| RiseSample {
            recipient_percent: s.recipient_percent,
            lod_percent: s.lod_percent,
        })
        .collect();
    let rises = cfg.rising.rising_at_last(&pts);
    let window = &ls[ls.len() - n - 1..];
    let seq = window
        .iter()
        .map(|s| format!("{} {} %", s.date, s.recipient_percent.get()))
        .collect::<Vec<_>>()
        .join(" → ");
    Some(Criterion {
        name: format!("rising recipient share, {}", lineage.label()),
        met: Some(rises),
        reason: if rises {
            format!("recipient share rose on {n} serial samples: {seq}")
        } else {
            format!("no rise on {n} serial samples: {seq}")
        },
        evidence: window
            .iter()
            .map(|s| pct_ev(s, "serial sample".into()))
            .collect(),
        citation: CITE_RISE,
    })
}

/// Why a trigger whose latest result is dated `last` cannot be assessed on
/// the decision day, or `None` when `last` is inside the trigger window
/// (engine decision 14).
fn stale_trigger_reason(
    what: &str,
    last: Date,
    input: &DliInput,
    cfg: &DliConfig,
) -> Option<String> {
    let w = cfg.trigger_evidence_window_days;
    (!within(Some(last), input.on, w)).then(|| {
        format!(
            "unknown — latest {what} {last} is {} days before the decision; a trigger needs a result within {w} days",
            input.on.days_since(last).get()
        )
    })
}

/// The mixed and rising triggers of a lineage whose latest sample is
/// outside the trigger window: unknown, with the stale sample as evidence.
fn stale_chimerism_triggers(
    lineage: Lineage,
    ls: &[RecipientShare],
    reason: String,
    cfg: &DliConfig,
) -> Vec<Criterion> {
    let Some(last) = ls.last() else {
        return vec![];
    };
    let unknown = |name: String, citation| Criterion {
        name,
        met: None,
        reason: reason.clone(),
        evidence: vec![pct_ev(
            last,
            "latest sample, outside the trigger window".into(),
        )],
        citation,
    };
    let mut out = Vec::new();
    if lineage != Lineage::WholeBlood {
        out.push(unknown(
            format!("mixed chimerism, {}", lineage.label()),
            CITE_CHIMERISM_TRIGGER,
        ));
    }
    // The rising trigger is listed when it would be on a recent sample.
    if matches!(lineage, Lineage::Cd3 | Lineage::Myeloid) || ls.len() > cfg.rising.needed() {
        out.push(unknown(
            format!("rising recipient share, {}", lineage.label()),
            CITE_RISE,
        ));
    }
    out
}

/// Mixed-chimerism and rising-share triggers, per lineage.
fn chimerism_triggers(input: &DliInput, cfg: &DliConfig, flags: &mut Vec<Flag>) -> Vec<Criterion> {
    let mut out = Vec::new();
    for lineage in [
        Lineage::Cd3,
        Lineage::Myeloid,
        Lineage::Cd34,
        Lineage::WholeBlood,
    ] {
        let ls = lineage_samples(input, lineage);
        let Some(last) = ls.last() else { continue };
        let what = format!("{} chimerism sample", lineage.label());
        if let Some(reason) = stale_trigger_reason(&what, last.date, input, cfg) {
            out.extend(stale_chimerism_triggers(lineage, &ls, reason, cfg));
            continue;
        }
        let mixed = mixed_trigger(lineage, last, cfg);
        if lineage != Lineage::WholeBlood || mixed.met == Some(true) {
            out.push(mixed);
        }
        out.extend(rising_trigger(lineage, &ls, cfg));
    }
    if cfg.mixed_recipient_above_percent == Percent::lit(5.0) {
        flags.push(Flag::new("E-5", "mixed chimerism = not full donor by the rule `grade` uses: ASTCT 'full donor > 95 %', so donor 95.0 % (recipient 5.0 %) is mixed; [chimerism] full_donor_rule"));
    }
    out
}

fn mrd_positive(m: &MrdResult, cfg: &DliConfig) -> bool {
    if let Some(q) = m.qualitative {
        return q;
    }
    match m.method {
        MrdMethod::Flow => m.percent >= cfg.mrd_flow_positive_percent.get(),
        MrdMethod::Qpcr => m.percent > 0.0,
    }
}

fn mrd_reason(last: &MrdResult, prev: Option<&MrdResult>, cfg: &DliConfig) -> (bool, String) {
    let pos = mrd_positive(last, cfg);
    match prev {
        Some(p) if !mrd_positive(p, cfg) && pos => (
            true,
            format!(
                "MRD conversion: negative on {} ({}), positive on {} ({})",
                p.date,
                p.text(),
                last.date,
                last.text()
            ),
        ),
        Some(p)
            if mrd_positive(p, cfg)
                && pos
                && last.method == MrdMethod::Qpcr
                && last.qualitative.is_none()
                && p.qualitative.is_none()
                && p.percent > 0.0
                && (last.percent / p.percent).log10() >= 1.0 =>
        {
            (
                true,
                format!(
                    "qPCR MRD rose ≥ 1 log: {} % on {} → {} % on {}",
                    p.percent, p.date, last.percent, last.date
                ),
            )
        }
        _ if pos => (
            true,
            format!("MRD positive on {} ({})", last.date, last.text()),
        ),
        _ => (
            false,
            format!("MRD negative on {} ({})", last.date, last.text()),
        ),
    }
}

/// MRD positivity / conversion / qPCR log rise.
fn mrd_trigger(input: &DliInput, cfg: &DliConfig, flags: &mut Vec<Flag>) -> Criterion {
    let mut mrd: Vec<MrdResult> = input
        .mrd
        .iter()
        .copied()
        .filter(|m| m.date <= input.on)
        .collect();
    mrd.sort_by_key(|m| m.date);
    let Some(last) = mrd.last() else {
        return Criterion {
            name: "MRD positive / conversion".into(),
            met: None,
            reason: "no MRD result up to this day".into(),
            evidence: vec![],
            citation: CITE_SURVEY,
        };
    };
    if let Some(reason) = stale_trigger_reason("MRD result", last.date, input, cfg) {
        return Criterion {
            name: "MRD positive / conversion".into(),
            met: None,
            reason,
            evidence: vec![Evidence::finding(
                Some(last.date),
                "mrd",
                format!(
                    "latest MRD result, outside the trigger window: {}",
                    last.text()
                ),
            )],
            citation: CITE_SURVEY,
        };
    }
    let prev = mrd.iter().rev().skip(1).find(|m| m.method == last.method);
    let (met, reason) = mrd_reason(last, prev, cfg);
    flags.push(Flag::new("MRD", format!("flow MRD positive at ≥ {} % (ELN MRD 2021 [R]); unconfirmed conversions count as a trigger here, confirmation within 4 weeks is tracked by the ELN relapse rule", cfg.mrd_flow_positive_percent.get())));
    let method = match last.method {
        MrdMethod::Flow => "flow cytometry",
        MrdMethod::Qpcr => "qPCR",
    };
    Criterion {
        name: "MRD positive / conversion".into(),
        met: Some(met),
        reason,
        evidence: vec![match last.qualitative {
            Some(_) => {
                Evidence::finding(Some(last.date), "mrd", format!("{method}: {}", last.text()))
            }
            None => Evidence::value(
                Some(last.date),
                "mrd",
                last.percent,
                Some(graftwatch_core::Unit::Percent),
                method,
            ),
        }],
        citation: CITE_SURVEY,
    }
}

/// Haematological relapse on the latest marrow (`None` without a marrow).
fn relapse_trigger(input: &DliInput, cfg: &DliConfig) -> Option<Criterion> {
    let (d, b) = input
        .marrow_blasts
        .iter()
        .filter(|(d, _)| *d <= input.on)
        .max_by_key(|(d, _)| *d)?;
    let evidence = |note: &str| {
        vec![Evidence::value(
            Some(*d),
            "marrow_blasts",
            *b,
            Some(graftwatch_core::Unit::Percent),
            note,
        )]
    };
    if let Some(reason) = stale_trigger_reason("marrow", *d, input, cfg) {
        return Some(Criterion {
            name: RELAPSE.into(),
            met: None,
            reason,
            evidence: evidence("latest marrow, outside the trigger window"),
            citation: CITE_SURVEY,
        });
    }
    let relapsed = *b >= cfg.relapse_blasts_percent;
    Some(Criterion {
        name: RELAPSE.into(),
        met: Some(relapsed),
        reason: format!(
            "latest marrow {d}: blasts {} % ({} {} %)",
            b.get(),
            if relapsed { "≥ " } else { "<" },
            cfg.relapse_blasts_percent.get()
        ),
        evidence: evidence("latest marrow"),
        citation: CITE_SURVEY,
    })
}

const RELAPSE: &str = "haematological relapse";
const AGVHD_PRE: &str = "no active acute GVHD grade ≥ II";
const CGVHD_PRE: &str = "no moderate/severe chronic GVHD";
/// What the acute GVHD prerequisite needs, in "no … assessment since".
const AGVHD_EXAM: &str = "acute GVHD (skin or GI)";

/// Whether `evidence` is dated inside the `window` days up to `on`.
fn within(evidence: Option<Date>, on: Date, window: i32) -> bool {
    evidence.is_some_and(|d| d <= on && on.days_since(d).get() <= window)
}

/// "unknown — no X assessment since DATE" for a stale or missing record.
fn unknown_since(what: &str, last: Option<Date>, input: &DliInput, window: i32) -> String {
    match last {
        Some(d) => format!(
            "unknown — no {what} assessment since {d} ({} days before; needed within {window} days)",
            input.on.days_since(d).get()
        ),
        None => format!(
            "unknown — no {what} assessment since transplant day 0 ({}); needed within {window} days",
            input.hct_day0
        ),
    }
}

fn agvhd_prerequisite(input: &DliInput, cfg: &DliConfig) -> Criterion {
    let w = cfg.gvhd_assessment_window_days;
    let mk = |met, reason, evidence| Criterion {
        name: AGVHD_PRE.into(),
        met,
        reason,
        evidence,
        citation: CITE_SURVEY,
    };
    let grade_ev = |g: u8| {
        vec![Evidence::value(
            input.agvhd_date,
            "agvhd_grade",
            g as f64,
            None,
            "MAGIC overall grade",
        )]
    };
    match input.agvhd_grade {
        // Active GVHD inside the window contraindicates, whatever came later.
        Some(g) if g >= cfg.max_agvhd_grade_exclusive && within(input.agvhd_date, input.on, w) => {
            let d = input
                .agvhd_date
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            mk(
                Some(false),
                format!("MAGIC grade {}{d}", roman(g)),
                grade_ev(g),
            )
        }
        _ if !within(input.gvhd_assessed, input.on, w) => mk(
            None,
            unknown_since(AGVHD_EXAM, input.gvhd_assessed, input, w),
            vec![],
        ),
        Some(g) => {
            let mut ev = grade_ev(g);
            ev.push(Evidence::finding(
                input.gvhd_assessed,
                "agvhd_assessment",
                "latest acute GVHD organ assessment (skin or GI)",
            ));
            mk(
                Some(g < cfg.max_agvhd_grade_exclusive),
                format!(
                    "current MAGIC grade {} (acute GVHD assessed {})",
                    roman(g),
                    input
                        .gvhd_assessed
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
                ev,
            )
        }
        None => mk(
            None,
            "acute GVHD grade could not be determined".into(),
            vec![],
        ),
    }
}

fn cgvhd_prerequisite(input: &DliInput, cfg: &DliConfig) -> Criterion {
    let w = cfg.gvhd_assessment_window_days;
    let sev = input.cgvhd.unwrap_or(ChronicSeverity::None);
    let (met, reason, evidence) = if within(input.cgvhd_assessed, input.on, w) {
        let d = input.cgvhd_assessed;
        (
            Some(sev < ChronicSeverity::Moderate),
            format!(
                "chronic GVHD (NIH 2014): {} (assessed {})",
                sev.label(),
                d.map(|d| d.to_string()).unwrap_or_default()
            ),
            vec![Evidence::finding(
                d,
                "cgvhd_assessment",
                "latest chronic GVHD (NIH 2014) organ assessment",
            )],
        )
    } else if within(input.gvhd_assessed, input.on, w) {
        // Engine decision 13: a recent acute GVHD examination stands for the
        // GVHD assessment of both prerequisites; the text says so.
        let d = input.gvhd_assessed;
        let last = input
            .cgvhd_assessed
            .map_or("none recorded".to_string(), |c| format!("last {c}"));
        (
            Some(sev < ChronicSeverity::Moderate),
            format!(
                "chronic GVHD: {} — no chronic GVHD (NIH) assessment within {w} days ({last}); the acute GVHD examination of {} is taken as the GVHD assessment (engine decision 13)",
                sev.label(),
                d.map(|d| d.to_string()).unwrap_or_default()
            ),
            vec![Evidence::finding(
                d,
                "agvhd_assessment",
                "acute GVHD examination (skin or GI); no chronic GVHD (NIH) assessment",
            )],
        )
    } else {
        let last = input.cgvhd_assessed.max(input.gvhd_assessed);
        (None, unknown_since("GVHD", last, input, w), vec![])
    };
    Criterion {
        name: CGVHD_PRE.into(),
        met,
        reason,
        evidence,
        citation: CITE_SURVEY,
    }
}

fn infection_prerequisite(input: &DliInput, cfg: &DliConfig) -> Criterion {
    let w = cfg.infection_status_window_days;
    let fresh = within(input.infection_assessed, input.on, w);
    let on = input
        .infection_assessed
        .map(|d| format!(" (infection status of {d})"))
        .unwrap_or_default();
    let (met, reason) = match input.uncontrolled_infection {
        Some(true) if fresh => (
            Some(false),
            format!("an uncontrolled infection is recorded{on}"),
        ),
        Some(false) if fresh => (Some(true), format!("no uncontrolled infection{on}")),
        _ => (
            None,
            unknown_since("infection", input.infection_assessed, input, w),
        ),
    };
    Criterion {
        name: "no uncontrolled infection".into(),
        met,
        reason,
        evidence: input
            .infection_assessed
            .filter(|_| fresh)
            .map(|d| {
                vec![Evidence::finding(
                    Some(d),
                    "infection_status",
                    "latest infection status",
                )]
            })
            .unwrap_or_default(),
        citation: CITE_SURVEY,
    }
}

/// The immunosuppression reason and its dated evidence (the agent behind
/// the state: its stop, or its start while it runs).
fn immunosuppression_words(input: &DliInput) -> (String, Vec<Evidence>) {
    let state = input.immunosuppression.label();
    let Some(a) = &input.immunosuppressant else {
        return (
            "no immunosuppressant recorded: the course has no immunosuppressant or systemic steroid up to this day, so a stop cannot be shown; the GVHD prophylaxis and its stop date are needed".to_string(),
            vec![],
        );
    };
    let (words, date) = match (input.immunosuppression, a.stop) {
        (ImmunosuppressionState::Off, Some(stop)) => {
            (format!("last agent {} stopped {stop}", a.name), stop)
        }
        (ImmunosuppressionState::Tapering, Some(stop)) => (
            format!("{} since {}, recorded stop {stop}", a.name, a.start),
            a.start,
        ),
        _ => (format!("{} since {}", a.name, a.start), a.start),
    };
    (
        format!("immunosuppression: {state} — {words}"),
        vec![Evidence::finding(Some(date), "drug", words)],
    )
}

fn immunosuppression_prerequisite(input: &DliInput, cfg: &DliConfig) -> Criterion {
    let is_ok = match input.immunosuppression {
        // "Off" needs an agent whose stop is recorded; with none recorded
        // at all it is not known (as `graftwatch_decision` reads a course).
        ImmunosuppressionState::Off if input.immunosuppressant.is_none() => None,
        ImmunosuppressionState::Off => Some(true),
        ImmunosuppressionState::Tapering => Some(cfg.accept_tapering),
        ImmunosuppressionState::Active => Some(false),
        ImmunosuppressionState::Unknown => None,
    };
    let (reason, evidence) = immunosuppression_words(input);
    Criterion {
        name: "immunosuppression stopped or tapering".into(),
        met: is_ok,
        reason,
        evidence,
        citation: CITE_SURVEY,
    }
}

/// The latest DLI given on or before the decision day.
fn last_dli(input: &DliInput) -> Option<&GivenDli> {
    input
        .previous
        .iter()
        .filter(|d| d.date <= input.on)
        .max_by_key(|d| d.date)
}

fn timing_prerequisites(input: &DliInput, cfg: &DliConfig, day: i32) -> Vec<Criterion> {
    let mut pre = vec![Criterion {
        name: format!("at least day +{} after transplant", cfg.min_day_after_hct),
        met: Some(day >= cfg.min_day_after_hct),
        reason: format!("day {day:+} after HCT {}", input.transplant),
        evidence: vec![Evidence::finding(
            Some(input.hct_day0),
            "graft_infusion",
            "transplant day 0",
        )],
        citation: CITE_SURVEY,
    }];
    if let Some(l) = last_dli(input) {
        let since = input.on.days_since(l.date).get();
        pre.push(Criterion {
            name: format!(
                "at least {} days after the previous DLI",
                cfg.min_days_between_dli
            ),
            met: Some(since >= cfg.min_days_between_dli),
            reason: format!(
                "previous DLI {} ({} CD3+/kg) {} days earlier",
                l.date,
                sci(l.cd3_per_kg.get()),
                since
            ),
            evidence: vec![Evidence::value(
                Some(l.date),
                "dli",
                l.cd3_per_kg.get(),
                Some(graftwatch_core::Unit::PerKg),
                "previous DLI",
            )],
            citation: CITE_HAPLO,
        });
    }
    pre
}

/// Every prerequisite, in a fixed order.
fn prerequisites(input: &DliInput, cfg: &DliConfig, day: i32) -> Vec<Criterion> {
    let mut pre = vec![
        agvhd_prerequisite(input, cfg),
        cgvhd_prerequisite(input, cfg),
        immunosuppression_prerequisite(input, cfg),
        infection_prerequisite(input, cfg),
    ];
    pre.extend(timing_prerequisites(input, cfg, day));
    pre
}

/// Steps 1–3 from `first`, stopping where the ladder ends.
fn ladder_steps(first: f64, from: Date, cfg: &DliConfig) -> Vec<DoseStep> {
    let mut steps = Vec::new();
    let mut dose = Some(first);
    let mut date = from;
    for step in 1..=3u32 {
        let Some(d) = dose else { break };
        steps.push(DoseStep {
            step,
            cd3_per_kg: CellsPerKg::new(d),
            earliest: date,
            condition: if step == 1 {
                "when triggers and prerequisites are met".into()
            } else {
                format!("only if no response and no GVHD after step {}", step - 1)
            },
        });
        dose = next_step(d, cfg.ladder);
        date = date.add_days(cfg.min_days_between_dli);
    }
    steps
}

fn plan_for(
    d: &DliDonor,
    setting: DliSetting,
    input: &DliInput,
    cfg: &DliConfig,
) -> Result<DosePlan, String> {
    let start = start_dose(d.donor_type, setting)
        .ok_or_else(|| "a cord blood unit: no lymphocytes can be collected for DLI".to_string())?;
    let plan = |steps, reason| DosePlan {
        donor: d.id.clone(),
        setting,
        steps,
        reason,
        citations: vec![CITE_HAPLO, CITE_EBMT_2024],
    };
    let earliest = [
        Some(input.on),
        Some(input.hct_day0.add_days(cfg.min_day_after_hct)),
        last_dli(input).map(|l| l.date.add_days(cfg.min_days_between_dli)),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(input.on);
    let given = input
        .previous
        .iter()
        .filter(|g| g.donor == d.id && g.date <= input.on)
        .max_by_key(|g| g.date);
    let (first, reason) = match given {
        None => (
            start,
            format!(
                "start dose for {} donor, {} setting: {} CD3+/kg",
                donor_with_article(d.donor_type),
                setting.label(),
                sci(start)
            ),
        ),
        Some(_) if input.gvhd_after_previous_dli => {
            return Ok(plan(
                vec![],
                "no escalation: GVHD occurred after the previous DLI".into(),
            ));
        }
        Some(g) => match next_step(g.cd3_per_kg.get(), cfg.ladder) {
            Some(n) => (
                n,
                format!(
                    "half-log escalation from the previous {} CD3+/kg ({}): no GVHD since",
                    sci(g.cd3_per_kg.get()),
                    g.date
                ),
            ),
            None => {
                let why = format!(
                    "no escalation step above the previous {} CD3+/kg ({}) inside the valid DLI dose range",
                    sci(g.cd3_per_kg.get()),
                    g.date
                );
                return Ok(plan(vec![], why));
            }
        },
    };
    Ok(plan(ladder_steps(first, earliest, cfg), reason))
}

/// Dose plans for each donor who can give lymphocytes, and the excluded ones.
fn dose_plans(
    input: &DliInput,
    cfg: &DliConfig,
    setting: DliSetting,
) -> (Vec<DosePlan>, Vec<(String, String)>) {
    let mut plans = Vec::new();
    let mut excluded = Vec::new();
    for d in &input.donors {
        match plan_for(d, setting, input, cfg) {
            Ok(p) => plans.push(p),
            Err(why) => excluded.push((d.id.clone(), why)),
        }
    }
    (plans, excluded)
}

fn names(cs: &[Criterion], met: Option<bool>) -> Vec<String> {
    cs.iter()
        .filter(|c| c.met == met)
        .map(|c| match met {
            None => format!("{} ({})", c.name, c.reason),
            _ => c.name.clone(),
        })
        .collect()
}

/// The answer when no trigger is met: "not met" when at least one trigger
/// was assessed on evidence inside its window (or a prerequisite is not
/// met), otherwise "cannot be determined" (engine decision 14).
fn without_trigger(
    head: &str,
    triggers: &[Criterion],
    failed: &[String],
    window: i32,
) -> (DliOutcome, String) {
    if triggers.iter().any(|t| t.met == Some(false)) {
        return (
            DliOutcome::CriteriaNotMet,
            format!("DLI criteria not met {head}: no trigger present."),
        );
    }
    let unknown = triggers
        .iter()
        .filter(|t| t.met.is_none())
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    if !failed.is_empty() {
        return (
            DliOutcome::CriteriaNotMet,
            format!(
                "DLI criteria not met {head}: {} not met: {}; no trigger could be assessed on a result dated within {window} days: {unknown}.",
                counted(failed.len(), "prerequisite"),
                failed.join("; ")
            ),
        );
    }
    (
        DliOutcome::CannotBeDetermined,
        format!(
            "DLI criteria cannot be determined {head}: no trigger could be assessed on a result dated within {window} days: {unknown}."
        ),
    )
}

/// "all prerequisites met on dated evidence" only when every prerequisite
/// carries dated evidence; otherwise the ones without it are named.
fn evidence_words(pre: &[Criterion]) -> String {
    let undated: Vec<String> = pre
        .iter()
        .filter(|p| !p.evidence.iter().any(|e| e.date.is_some()))
        .map(|p| format!("{} ({})", p.name, p.reason))
        .collect();
    if undated.is_empty() {
        "all prerequisites met on dated evidence".into()
    } else {
        format!(
            "all prerequisites met, without dated evidence for: {}",
            undated.join("; ")
        )
    }
}

/// The overall answer and its sentence.
fn verdict(
    input: &DliInput,
    day: i32,
    triggers: &[Criterion],
    pre: &[Criterion],
    plans: &[DosePlan],
    window: i32,
) -> (DliOutcome, String) {
    let head = format!(
        "on {} (day {day:+} after HCT {})",
        input.on, input.transplant
    );
    let met = names(triggers, Some(true));
    let failed = names(pre, Some(false));
    let unknown = names(pre, None);
    if met.is_empty() {
        return without_trigger(&head, triggers, &failed, window);
    }
    if !failed.is_empty() {
        return (
            DliOutcome::CriteriaNotMet,
            format!(
                "DLI criteria not met {head}: trigger present but {} not met: {}.",
                counted(failed.len(), "prerequisite"),
                failed.join("; ")
            ),
        );
    }
    if !unknown.is_empty() {
        return (
            DliOutcome::CannotBeDetermined,
            format!(
                "DLI criteria cannot be determined {head}: {} present ({}); {} without dated evidence: {}.",
                counted(met.len(), "trigger"),
                met.join("; "),
                counted(unknown.len(), "prerequisite"),
                unknown.join("; ")
            ),
        );
    }
    if plans.iter().all(|p| p.steps.is_empty()) {
        return (
            DliOutcome::CriteriaNotMet,
            format!("DLI criteria not met {head}: no donor dose step is available."),
        );
    }
    (
        DliOutcome::CriteriaMet,
        format!(
            "DLI criteria met {head}: {} ({}); {}. Decision rests with the treating team.",
            counted(met.len(), "trigger"),
            met.join("; "),
            evidence_words(pre)
        ),
    )
}

/// "1 trigger" / "3 triggers".
fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Assesses DLI criteria on `input.on`.
pub fn assess(input: &DliInput, cfg: &DliConfig) -> DliAssessment {
    let day = input.on.days_since(input.hct_day0).get();
    let mut flags = Vec::new();
    let mut triggers = chimerism_triggers(input, cfg, &mut flags);
    triggers.push(mrd_trigger(input, cfg, &mut flags));
    triggers.extend(relapse_trigger(input, cfg));
    let pre = prerequisites(input, cfg, day);
    let relapsed = triggers
        .iter()
        .any(|t| t.name == RELAPSE && t.met == Some(true));
    let setting = if relapsed {
        DliSetting::Therapeutic
    } else if triggers.iter().any(|t| t.met == Some(true)) {
        DliSetting::Preemptive
    } else {
        DliSetting::Prophylactic
    };
    let (plans, excluded) = dose_plans(input, cfg, setting);
    flags.push(Flag::new(
        "DLI-dose",
        format!(
            "start doses are the lower end of the reference's ranges [R]; escalation ladder {}",
            match cfg.ladder {
                EscalationLadder::HalfLog => "half-log 1–3–10 × 10ⁿ",
                EscalationLadder::OneFiveTen => "1–5–10 × 10ⁿ (reference example)",
            }
        ),
    ));
    flags.push(Flag::new(
        "DLI-window",
        format!(
            "a GVHD prerequisite needs a GVHD assessment within {} days, the infection prerequisite infection status within {} days (engine decision 13)",
            cfg.gvhd_assessment_window_days, cfg.infection_status_window_days
        ),
    ));
    flags.push(Flag::new(
        "DLI-trigger-window",
        format!(
            "a trigger is assessed only on its latest chimerism, MRD or marrow result dated within {} days (engine decision 14)",
            cfg.trigger_evidence_window_days
        ),
    ));
    let window = cfg.trigger_evidence_window_days;
    let (outcome, summary) = verdict(input, day, &triggers, &pre, &plans, window);
    DliAssessment {
        on: input.on,
        day,
        transplant: input.transplant,
        triggers,
        prerequisites: pre,
        excluded_donors: excluded,
        plans,
        outcome,
        criteria_met: outcome == DliOutcome::CriteriaMet,
        summary,
        flags,
    }
}

fn roman(g: u8) -> &'static str {
    ["0", "I", "II", "III", "IV"]
        .get(g as usize)
        .copied()
        .unwrap_or("?")
}

fn donor_word(d: DliDonorType) -> &'static str {
    match d {
        DliDonorType::MatchedRelated => "matched related",
        DliDonorType::Unrelated => "unrelated",
        DliDonorType::Haploidentical => "haploidentical",
        DliDonorType::CordBlood => "cord blood",
    }
}

/// The donor type with its indefinite article ("an unrelated", "a cord blood").
fn donor_with_article(d: DliDonorType) -> String {
    let w = donor_word(d);
    let article = if w.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {w}")
}

impl DliSetting {
    /// `prophylactic`, `pre-emptive`, `therapeutic`.
    pub fn label(self) -> &'static str {
        match self {
            DliSetting::Prophylactic => "prophylactic",
            DliSetting::Preemptive => "pre-emptive",
            DliSetting::Therapeutic => "therapeutic",
        }
    }
}

impl ChronicSeverity {
    /// `none`, `mild`, `moderate`, `severe`.
    pub fn label(self) -> &'static str {
        match self {
            ChronicSeverity::None => "none",
            ChronicSeverity::Mild => "mild",
            ChronicSeverity::Moderate => "moderate",
            ChronicSeverity::Severe => "severe",
        }
    }
}

impl ImmunosuppressionState {
    /// `off`, `tapering`, `active`, `not recorded`.
    pub fn label(self) -> &'static str {
        match self {
            ImmunosuppressionState::Off => "off",
            ImmunosuppressionState::Tapering => "tapering",
            ImmunosuppressionState::Active => "active",
            ImmunosuppressionState::Unknown => "not recorded",
        }
    }
}

/// A cell dose as it is read, `1 × 10⁵`, `2.1 × 10⁷` (the one formatting
/// of `graftwatch_core::number::sci`, shared with the report).
pub use graftwatch_core::number::sci;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn base() -> DliInput {
        DliInput {
            on: d("2024-06-01"),
            hct_day0: d("2024-03-01"),
            transplant: 1,
            chimerism: vec![],
            mrd: vec![],
            marrow_blasts: vec![],
            agvhd_grade: Some(0),
            agvhd_date: Some(d("2024-05-30")),
            cgvhd: Some(ChronicSeverity::None),
            gvhd_assessed: Some(d("2024-05-30")),
            cgvhd_assessed: Some(d("2024-05-30")),
            immunosuppression: ImmunosuppressionState::Off,
            immunosuppressant: Some(Agent {
                name: "cyclosporine".into(),
                start: d("2024-02-28"),
                stop: Some(d("2024-05-01")),
            }),
            uncontrolled_infection: Some(false),
            infection_assessed: Some(d("2024-05-30")),
            donors: vec![
                DliDonor {
                    id: "UCB-1".into(),
                    donor_type: DliDonorType::CordBlood,
                    latest_share_percent: Some(Percent::lit(10.0)),
                },
                DliDonor {
                    id: "PBSC-1".into(),
                    donor_type: DliDonorType::Haploidentical,
                    latest_share_percent: Some(Percent::lit(85.0)),
                },
            ],
            previous: vec![],
            gvhd_after_previous_dli: false,
        }
    }

    fn cd3(date: &str, r: f64) -> RecipientShare {
        RecipientShare {
            date: d(date),
            lineage: Lineage::Cd3,
            recipient_percent: Percent::new(r).unwrap(),
            lod_percent: Some(Percent::lit(1.0)),
        }
    }

    #[test]
    fn mixed_chimerism_boundary() {
        let cfg = DliConfig::default();
        let mut i = base();
        // Recipient 4.9 % = donor 95.1 %: full donor, not mixed.
        i.chimerism = vec![cd3("2024-05-30", 4.9)];
        let a = assess(&i, &cfg);
        assert_eq!(a.triggers[0].met, Some(false), "{}", a.triggers[0].reason);
        assert!(!a.criteria_met);
        // Exactly 5 % recipient = donor 95.0 % = mixed (ASTCT > 95 %, E-5).
        i.chimerism = vec![cd3("2024-05-30", 5.0)];
        let a = assess(&i, &cfg);
        assert_eq!(a.triggers[0].met, Some(true), "{}", a.triggers[0].reason);
        assert!(
            a.triggers[0].reason.contains("donor 95 %: not full donor"),
            "{}",
            a.triggers[0].reason
        );
        // The CIBMTR reading (>= 95 %) keeps 95.0 % full donor.
        let cibmtr = DliConfig {
            full_donor_rule: FullDonorRule::AtLeast95,
            ..cfg
        };
        assert_eq!(assess(&i, &cibmtr).triggers[0].met, Some(false));
        i.chimerism = vec![cd3("2024-05-30", 5.1)];
        let a = assess(&i, &cfg);
        assert_eq!(a.triggers[0].met, Some(true));
        assert!(a.criteria_met, "{}", a.summary);
        assert!(a.summary.contains("criteria met") && a.summary.contains("treating team"));
        assert_eq!(a.excluded_donors[0].0, "UCB-1");
        assert_eq!(a.plans.len(), 1);
        assert_eq!(a.plans[0].donor, "PBSC-1");
        assert_eq!(a.plans[0].steps[0].cd3_per_kg.get(), 1e5);
        assert_eq!(a.plans[0].steps[1].cd3_per_kg.get(), 3e5);
        assert_eq!(a.plans[0].steps[2].cd3_per_kg.get(), 1e6);
        assert_eq!(a.plans[0].steps[1].earliest, d("2024-06-29"));
    }

    #[test]
    fn rising_needs_two_serial_rises() {
        let cfg = DliConfig::default();
        let mut i = base();
        i.chimerism = vec![cd3("2024-04-01", 1.5), cd3("2024-05-01", 2.5)];
        let rising = |a: &DliAssessment| {
            a.triggers
                .iter()
                .find(|t| t.name.starts_with("rising") && t.name.contains("CD3"))
                .and_then(|t| t.met)
        };
        assert_eq!(
            rising(&assess(&i, &cfg)),
            None,
            "two samples: only one rise"
        );
        i.chimerism.push(cd3("2024-05-29", 3.5));
        assert_eq!(rising(&assess(&i, &cfg)), Some(true));
        i.chimerism[2] = cd3("2024-05-29", 2.5);
        assert_eq!(
            rising(&assess(&i, &cfg)),
            Some(false),
            "a plateau is not a rise"
        );
        // Values below the LoD do not count as rises.
        i.chimerism = vec![
            cd3("2024-04-01", 0.2),
            cd3("2024-05-01", 0.5),
            RecipientShare {
                lod_percent: Some(Percent::lit(1.0)),
                ..cd3("2024-05-29", 0.9)
            },
        ];
        assert_eq!(rising(&assess(&i, &cfg)), Some(false));
    }

    #[test]
    fn agvhd_grade_two_contraindicates() {
        let cfg = DliConfig::default();
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 12.0)];
        i.agvhd_grade = Some(1);
        assert!(assess(&i, &cfg).criteria_met);
        i.agvhd_grade = Some(2);
        let a = assess(&i, &cfg);
        assert!(!a.criteria_met);
        assert!(a.summary.contains("acute GVHD"), "{}", a.summary);
    }

    #[test]
    fn immunosuppression_infection_and_timing() {
        let cfg = DliConfig::default();
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 12.0)];
        i.immunosuppression = ImmunosuppressionState::Active;
        assert!(!assess(&i, &cfg).criteria_met);
        i.immunosuppression = ImmunosuppressionState::Tapering;
        assert!(assess(&i, &cfg).criteria_met);
        i.uncontrolled_infection = Some(true);
        assert!(!assess(&i, &cfg).criteria_met);
        i.uncontrolled_infection = None;
        let a = assess(&i, &cfg);
        assert!(
            a.outcome == DliOutcome::CannotBeDetermined
                && a.summary.contains("cannot be determined"),
            "{}",
            a.summary
        );
        i.uncontrolled_infection = Some(false);
        // Day +59 vs +60.
        i.on = d("2024-03-01").add_days(59);
        i.gvhd_assessed = Some(i.on);
        i.infection_assessed = Some(i.on);
        i.chimerism = vec![cd3("2024-04-25", 12.0)];
        assert!(!assess(&i, &cfg).criteria_met);
        i.on = d("2024-03-01").add_days(60);
        assert!(assess(&i, &cfg).criteria_met);
    }

    #[test]
    fn interval_after_previous_dli_and_escalation() {
        let cfg = DliConfig::default();
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 12.0)];
        i.previous = vec![GivenDli {
            date: d("2024-05-05"),
            donor: "PBSC-1".into(),
            cd3_per_kg: graftwatch_core::CellsPerKg::new(1e5),
        }];
        // 27 days after the previous DLI: not yet.
        assert!(!assess(&i, &cfg).criteria_met);
        i.on = d("2024-06-02"); // 28 days
        let a = assess(&i, &cfg);
        assert!(a.criteria_met, "{}", a.summary);
        assert_eq!(a.plans[0].steps[0].cd3_per_kg.get(), 3e5);
        let five = DliConfig {
            ladder: EscalationLadder::OneFiveTen,
            ..cfg
        };
        assert_eq!(assess(&i, &five).plans[0].steps[0].cd3_per_kg.get(), 5e5);
        i.gvhd_after_previous_dli = true;
        let a = assess(&i, &cfg);
        assert!(a.plans[0].steps.is_empty());
        assert!(!a.criteria_met);
    }

    #[test]
    fn mrd_conversion_and_relapse_setting() {
        let cfg = DliConfig::default();
        let mut i = base();
        i.mrd = vec![
            MrdResult::quantitative(d("2024-04-15"), MrdMethod::Flow, 0.05),
            MrdResult::quantitative(d("2024-05-20"), MrdMethod::Flow, 0.1),
        ];
        let a = assess(&i, &cfg);
        assert!(a.criteria_met, "{}", a.summary);
        assert_eq!(a.plans[0].setting, DliSetting::Preemptive);
        i.mrd[1].percent = 0.09;
        assert!(
            !assess(&i, &cfg).criteria_met,
            "0.09 % is below the 0.1 % flow threshold"
        );
        i.marrow_blasts = vec![(d("2024-05-28"), Percent::lit(5.0))];
        let a = assess(&i, &cfg);
        assert_eq!(a.plans[0].setting, DliSetting::Therapeutic);
        assert_eq!(a.plans[0].steps[0].cd3_per_kg.get(), 1e6);
        i.marrow_blasts = vec![(d("2024-05-28"), Percent::lit(4.9))];
        assert!(!assess(&i, &cfg).criteria_met);
    }

    #[test]
    fn dose_table_and_ladder() {
        assert_eq!(
            start_dose(DliDonorType::CordBlood, DliSetting::Preemptive),
            None
        );
        assert_eq!(
            start_dose(DliDonorType::MatchedRelated, DliSetting::Therapeutic),
            Some(1e7)
        );
        assert_eq!(
            start_dose(DliDonorType::Unrelated, DliSetting::Therapeutic),
            Some(1e6)
        );
        assert_eq!(next_step(1e7, EscalationLadder::OneFiveTen), Some(5e7));
        assert_eq!(next_step(5e7, EscalationLadder::OneFiveTen), Some(1e8));
        assert_eq!(next_step(3e6, EscalationLadder::OneFiveTen), Some(5e6));
        assert_eq!(next_step(1e5, EscalationLadder::HalfLog), Some(3e5));
        assert_eq!(next_step(3e5, EscalationLadder::HalfLog), Some(1e6));
        assert_eq!(next_step(1e6, EscalationLadder::HalfLog), Some(3e6));
        assert_eq!(next_step(9.99e5, EscalationLadder::HalfLog), Some(1e6));
        assert_eq!(sci(5e5), "5 × 10⁵");
    }

    fn outcome_with(f: impl FnOnce(&mut DliInput)) -> DliAssessment {
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 12.0)];
        f(&mut i);
        assess(&i, &DliConfig::default())
    }

    fn pre<'a>(a: &'a DliAssessment, name: &str) -> &'a Criterion {
        a.prerequisites
            .iter()
            .find(|p| p.name.contains(name))
            .expect("prerequisite present")
    }

    #[test]
    fn gvhd_window_boundary_14_days() {
        // Assessed 14 days before: inside the window, met.
        let at = |day: &str| {
            outcome_with(|i| {
                i.gvhd_assessed = Some(d(day));
                i.cgvhd_assessed = Some(d(day));
            })
        };
        let a = at("2024-05-18");
        assert_eq!(a.outcome, DliOutcome::CriteriaMet, "{}", a.summary);
        // 15 days before: unknown, and the answer cannot be determined.
        let a = at("2024-05-17");
        assert_eq!(a.outcome, DliOutcome::CannotBeDetermined, "{}", a.summary);
        assert!(!a.criteria_met);
        let p = pre(&a, "acute GVHD");
        assert_eq!(p.met, None);
        assert!(
            p.reason
                .contains("no acute GVHD (skin or GI) assessment since 2024-05-17"),
            "{}",
            p.reason
        );
        assert_eq!(pre(&a, "chronic GVHD").met, None);
        assert!(a.summary.contains("cannot be determined"), "{}", a.summary);
    }

    #[test]
    fn never_assessed_gvhd_is_unknown_not_grade_zero() {
        let a = outcome_with(|i| {
            i.gvhd_assessed = None;
            i.agvhd_date = None;
        });
        assert_eq!(a.outcome, DliOutcome::CannotBeDetermined);
        let p = pre(&a, "acute GVHD");
        assert!(
            p.reason.contains("since transplant day 0 (2024-03-01)"),
            "{}",
            p.reason
        );
    }

    #[test]
    fn recent_active_gvhd_is_not_met_even_if_assessment_is_old() {
        let a = outcome_with(|i| {
            i.agvhd_grade = Some(2);
            i.agvhd_date = Some(d("2024-05-25"));
            i.gvhd_assessed = Some(d("2024-05-25"));
        });
        assert_eq!(pre(&a, "acute GVHD").met, Some(false));
        assert_eq!(a.outcome, DliOutcome::CriteriaNotMet);
        // A grade II 15 days old with nothing since: unknown, not "not met".
        let a = outcome_with(|i| {
            i.agvhd_grade = Some(2);
            i.agvhd_date = Some(d("2024-05-17"));
            i.gvhd_assessed = Some(d("2024-05-17"));
        });
        assert_eq!(pre(&a, "acute GVHD").met, None);
    }

    #[test]
    fn infection_window_boundary_7_days() {
        let a = outcome_with(|i| i.infection_assessed = Some(d("2024-05-25")));
        assert_eq!(pre(&a, "infection").met, Some(true));
        assert_eq!(a.outcome, DliOutcome::CriteriaMet);
        // The headline counts the triggers and lists them apart.
        let n = a.triggers.iter().filter(|t| t.met == Some(true)).count();
        let want = if n == 1 {
            "1 trigger (".to_string()
        } else {
            format!("{n} triggers (")
        };
        assert!(
            a.summary.contains(&want) && !a.summary.contains("(s)"),
            "{}",
            a.summary
        );
        let a = outcome_with(|i| i.infection_assessed = Some(d("2024-05-24")));
        assert_eq!(pre(&a, "infection").met, None);
        assert!(
            pre(&a, "infection")
                .reason
                .contains("no infection assessment since 2024-05-24")
        );
        assert_eq!(a.outcome, DliOutcome::CannotBeDetermined);
        let a = outcome_with(|i| i.infection_assessed = None);
        assert_eq!(a.outcome, DliOutcome::CannotBeDetermined);
        // A stale "infection ongoing" record is unknown too, not "not met".
        let a = outcome_with(|i| {
            i.uncontrolled_infection = Some(true);
            i.infection_assessed = Some(d("2024-05-01"));
        });
        assert_eq!(pre(&a, "infection").met, None);
    }

    fn trigger(a: &DliAssessment, name: &str) -> Criterion {
        a.triggers
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no trigger {name}: {:?}", a.triggers))
            .clone()
    }

    #[test]
    fn trigger_window_boundary_90_days() {
        // Decision on 2024-06-01: 2024-03-03 is 90 days before, 2024-03-02 is 91.
        let mut i = base();
        i.chimerism = vec![cd3("2024-03-03", 12.0)];
        let a = assess(&i, &DliConfig::default());
        assert_eq!(
            trigger(&a, "mixed chimerism, T cells (CD3+)").met,
            Some(true)
        );
        assert_eq!(a.outcome, DliOutcome::CriteriaMet);
        i.chimerism = vec![cd3("2024-03-02", 12.0)];
        let a = assess(&i, &DliConfig::default());
        let t = trigger(&a, "mixed chimerism, T cells (CD3+)");
        assert_eq!(t.met, None);
        assert!(t.reason.contains("91 days before"), "{}", t.reason);
        assert_eq!(t.evidence[0].date, Some(d("2024-03-02")));
        assert_eq!(
            trigger(&a, "rising recipient share, T cells (CD3+)").met,
            None
        );
        // A stale mixed-chimerism result is no indication, and no stale
        // negative is a "no trigger present" either.
        assert_eq!(a.outcome, DliOutcome::CannotBeDetermined);
        assert!(a.summary.contains("within 90 days"), "{}", a.summary);
        i.chimerism = vec![cd3("2024-03-02", 1.0)];
        assert_eq!(
            assess(&i, &DliConfig::default()).outcome,
            DliOutcome::CannotBeDetermined
        );
        assert!(a.flags.iter().any(|f| f.code == "DLI-trigger-window"));
    }

    #[test]
    fn stale_mrd_and_marrow_are_unknown_triggers() {
        let mut i = base();
        i.mrd = vec![MrdResult::quantitative(
            d("2024-03-02"),
            MrdMethod::Flow,
            2.0,
        )];
        i.marrow_blasts = vec![(d("2024-03-02"), Percent::lit(30.0))];
        let a = assess(&i, &DliConfig::default());
        assert_eq!(trigger(&a, "MRD positive / conversion").met, None);
        assert_eq!(trigger(&a, RELAPSE).met, None);
        assert_eq!(a.outcome, DliOutcome::CannotBeDetermined);
        i.mrd[0].date = d("2024-03-03");
        i.marrow_blasts[0].0 = d("2024-03-03");
        let a = assess(&i, &DliConfig::default());
        assert_eq!(trigger(&a, "MRD positive / conversion").met, Some(true));
        assert_eq!(trigger(&a, RELAPSE).met, Some(true));
    }

    #[test]
    fn one_recent_negative_trigger_is_enough_for_not_met() {
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 1.0)];
        i.marrow_blasts = vec![(d("2023-01-01"), Percent::lit(30.0))];
        let a = assess(&i, &DliConfig::default());
        assert_eq!(a.outcome, DliOutcome::CriteriaNotMet);
        assert!(a.summary.contains("no trigger present"), "{}", a.summary);
        // Nothing recent, but a prerequisite is not met: not met, saying why.
        i.chimerism = vec![];
        i.agvhd_grade = Some(3);
        let a = assess(&i, &DliConfig::default());
        assert_eq!(a.outcome, DliOutcome::CriteriaNotMet);
        assert!(
            a.summary.contains("prerequisite not met")
                || a.summary.contains("prerequisites not met"),
            "{}",
            a.summary
        );
    }

    #[test]
    fn trigger_window_is_configurable() {
        let mut i = base();
        i.chimerism = vec![cd3("2024-03-02", 12.0)];
        let cfg = DliConfig {
            trigger_evidence_window_days: 91,
            ..DliConfig::default()
        };
        assert_eq!(assess(&i, &cfg).outcome, DliOutcome::CriteriaMet);
    }

    #[test]
    fn windows_are_configurable() {
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 12.0)];
        i.gvhd_assessed = Some(d("2024-05-01"));
        i.infection_assessed = Some(d("2024-05-01"));
        let cfg = DliConfig {
            gvhd_assessment_window_days: 31,
            infection_status_window_days: 31,
            ..DliConfig::default()
        };
        assert_eq!(assess(&i, &cfg).outcome, DliOutcome::CriteriaMet);
        let cfg = DliConfig {
            gvhd_assessment_window_days: 30,
            ..cfg
        };
        assert_eq!(assess(&i, &cfg).outcome, DliOutcome::CannotBeDetermined);
    }

    #[test]
    fn no_trigger_is_not_met_even_without_evidence() {
        let mut i = base();
        i.gvhd_assessed = None;
        i.chimerism = vec![cd3("2024-05-30", 2.0)];
        let a = assess(&i, &DliConfig::default());
        assert_eq!(a.outcome, DliOutcome::CriteriaNotMet);
        assert!(a.summary.contains("no trigger"), "{}", a.summary);
    }

    #[test]
    fn ladder_never_loops_on_absurd_doses() {
        for l in [EscalationLadder::HalfLog, EscalationLadder::OneFiveTen] {
            for bad in [0.0, -1e5, f64::NAN, f64::INFINITY, 1e308, f64::MIN_POSITIVE] {
                assert_eq!(next_step(bad, l), None, "{bad}");
            }
            // The top of the valid range has no step above it.
            assert_eq!(next_step(1e9, l), None);
        }
        assert_eq!(next_step(3e8, EscalationLadder::HalfLog), Some(1e9));
    }

    #[test]
    fn plan_after_an_absurd_previous_dose_has_no_steps() {
        for prev in [0.0, 1e308, -3.0] {
            let a = outcome_with(|i| {
                i.previous = vec![GivenDli {
                    date: d("2024-04-20"),
                    donor: "PBSC-1".into(),
                    cd3_per_kg: graftwatch_core::CellsPerKg::new(prev),
                }];
            });
            assert!(a.plans[0].steps.is_empty(), "{prev}");
            assert_eq!(
                a.outcome,
                DliOutcome::CriteriaNotMet,
                "{prev}: {}",
                a.summary
            );
        }
    }

    #[test]
    fn plan_stops_at_the_top_of_the_dose_range() {
        let a = outcome_with(|i| {
            i.previous = vec![GivenDli {
                date: d("2024-04-20"),
                donor: "PBSC-1".into(),
                cd3_per_kg: graftwatch_core::CellsPerKg::new(1e8),
            }];
        });
        let doses: Vec<f64> = a.plans[0]
            .steps
            .iter()
            .map(|s| s.cd3_per_kg.get())
            .collect();
        assert_eq!(doses, vec![3e8, 1e9]);
    }

    #[test]
    fn relapse_boundary_and_flow_mrd_boundary() {
        let a = outcome_with(|i| {
            i.chimerism = vec![];
            i.marrow_blasts = vec![(d("2024-05-28"), Percent::lit(5.0))];
        });
        assert_eq!(a.plans[0].setting, DliSetting::Therapeutic);
        let a = outcome_with(|i| {
            i.chimerism = vec![];
            i.marrow_blasts = vec![(d("2024-05-28"), Percent::lit(4.99))];
        });
        assert_eq!(a.outcome, DliOutcome::CriteriaNotMet);
        assert_eq!(DliConfig::default().mrd_flow_positive_percent.get(), 0.1);
    }

    #[test]
    fn agvhd_grade_boundary_one_vs_two() {
        let a = outcome_with(|i| i.agvhd_grade = Some(1));
        assert_eq!(pre(&a, "acute GVHD").met, Some(true));
        let a = outcome_with(|i| i.agvhd_grade = Some(2));
        assert_eq!(pre(&a, "acute GVHD").met, Some(false));
    }

    #[test]
    fn cgvhd_mild_vs_moderate() {
        let a = outcome_with(|i| i.cgvhd = Some(ChronicSeverity::Mild));
        assert_eq!(pre(&a, "chronic GVHD").met, Some(true));
        let a = outcome_with(|i| i.cgvhd = Some(ChronicSeverity::Moderate));
        assert_eq!(pre(&a, "chronic GVHD").met, Some(false));
        assert_eq!(a.outcome, DliOutcome::CriteriaNotMet);
    }

    #[test]
    fn tapering_accepted_only_when_configured() {
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 12.0)];
        i.immunosuppression = ImmunosuppressionState::Tapering;
        let strict = DliConfig {
            accept_tapering: false,
            ..DliConfig::default()
        };
        assert_eq!(assess(&i, &strict).outcome, DliOutcome::CriteriaNotMet);
        i.immunosuppression = ImmunosuppressionState::Unknown;
        assert_eq!(
            assess(&i, &DliConfig::default()).outcome,
            DliOutcome::CannotBeDetermined
        );
    }

    #[test]
    fn qualitative_mrd_conversion_is_a_trigger() {
        let mut i = base();
        let q = |date: &str, pos: bool| MrdResult {
            qualitative: Some(pos),
            ..MrdResult::quantitative(d(date), MrdMethod::Qpcr, 0.0)
        };
        i.mrd = vec![q("2024-04-15", false), q("2024-05-20", true)];
        let a = assess(&i, &DliConfig::default());
        let t = a
            .triggers
            .iter()
            .find(|t| t.name.starts_with("MRD"))
            .unwrap();
        assert_eq!(t.met, Some(true));
        assert!(
            t.reason
                .contains("negative on 2024-04-15 (negative), positive on 2024-05-20 (positive)"),
            "{}",
            t.reason
        );
        i.mrd = vec![q("2024-04-15", true), q("2024-05-20", false)];
        let a = assess(&i, &DliConfig::default());
        let t = a
            .triggers
            .iter()
            .find(|t| t.name.starts_with("MRD"))
            .unwrap();
        assert_eq!(t.met, Some(false));
    }
}

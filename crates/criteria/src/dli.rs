//! Decision support for donor lymphocyte infusion (DLI): triggers,
//! prerequisites/contraindications, and a dose plan with half-log escalation.
//!
//! This never orders anything: it reports which published criteria are met or
//! not met on a given day, with reasons and sources.
//!
//! Sources (clinical-criteria.md §6.5–6.6):
//! * EBMT survey of 165 centres, *Bone Marrow Transplant* 2025;60(5):697–701
//!   [V]: pre-emptive DLI for MRD positivity (86.9 %) and mixed chimerism
//!   (73.1 %); contraindications active GVHD (85.6 %) and active infection
//!   (57.5 %); 71.9 % require immunosuppression to be withdrawn.
//! * Mixed-chimerism trigger: donor < 95 % in CD3+ or myeloid/CD34+ cells, or
//!   a rising recipient share on ≥ 2 serial samples [R] (thresholds vary).
//! * Dose table: Dholaria et al., *Haematologica* 2020;105(1):47–58 (haplo,
//!   EBMT ALWP) and Pagliuca et al., *Lancet Haematol* 2024;11(6):e448–e458;
//!   start doses and half-log escalation [R]; Bar et al. *BBMT* 2013 [V
//!   abstract] supports a start below 1×10⁸/kg; Dazzi et al. *Blood* 2000 [V
//!   abstract] supports escalating over bulk dosing.

use graftwatch_core::{Citation, Date, Lineage, Provenance};
use serde::{Deserialize, Serialize};

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
    note: "Start 1e5 CD3+/kg prophylactic/pre-emptive, 1e6 therapeutic; half-log escalation at >= 4-6 weeks. [R]: check against the paper.",
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
    note: "Donor < 95 % in CD3+ or CD34+/myeloid cells, or rising recipient chimerism on >= 2 serial samples. Thresholds vary by centre and assay.",
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
    pub recipient_percent: f64,
    /// Limit of detection of the assay for this sample, %, when known.
    pub lod_percent: Option<f64>,
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

/// One MRD result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MrdResult {
    /// Sample date.
    pub date: Date,
    /// Method.
    pub method: MrdMethod,
    /// Value in %.
    pub percent: f64,
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
    pub latest_share_percent: Option<f64>,
}

/// A DLI already given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GivenDli {
    /// Date.
    pub date: Date,
    /// Donor id.
    pub donor: String,
    /// CD3+ cells/kg.
    pub cd3_per_kg: f64,
}

/// Everything the decision needs for one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DliInput {
    /// The decision day.
    pub on: Date,
    /// Transplant day 0.
    pub hct_day0: Date,
    /// Chimerism results up to `on` (any order).
    pub chimerism: Vec<RecipientShare>,
    /// MRD results up to `on`.
    pub mrd: Vec<MrdResult>,
    /// Marrow blast results up to `on` (date, %).
    pub marrow_blasts: Vec<(Date, f64)>,
    /// Current acute GVHD grade (MAGIC 0–4), `None` if not assessed.
    pub agvhd_grade: Option<u8>,
    /// Date of that grade.
    pub agvhd_date: Option<Date>,
    /// Current chronic GVHD severity.
    pub cgvhd: Option<ChronicSeverity>,
    /// Immunosuppression state.
    pub immunosuppression: ImmunosuppressionState,
    /// An uncontrolled infection is ongoing (`None` = not recorded).
    pub uncontrolled_infection: Option<bool>,
    /// Donors.
    pub donors: Vec<DliDonor>,
    /// DLIs already given (before or on `on`).
    pub previous: Vec<GivenDli>,
    /// Any acute/chronic GVHD after the previous DLI.
    pub gvhd_after_previous_dli: bool,
}

/// Configurable thresholds; `Default` = the reference's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DliConfig {
    /// Mixed chimerism when the recipient share exceeds this (%), i.e. donor < 95 %.
    pub mixed_recipient_above_percent: f64,
    /// Number of consecutive rises of the recipient share that make a
    /// "rising" trigger (2 = three samples, each higher than the last).
    pub rising_serial_rises: usize,
    /// A rise counts only if larger than this many percentage points and
    /// larger than the sample's LoD.
    pub rising_min_step_points: f64,
    /// Flow MRD positive at or above this %, ELN 2021 (0.1).
    pub mrd_flow_positive_percent: f64,
    /// Haematological relapse at or above this % marrow blasts (ELN 2022: 5).
    pub relapse_blasts_percent: f64,
    /// Acute GVHD at or above this MAGIC grade contraindicates DLI (II).
    pub max_agvhd_grade_exclusive: u8,
    /// Earliest day after transplant (default +60: "usually > day +60–100").
    pub min_day_after_hct: i32,
    /// Minimum days after the previous DLI (default 28 = 4 weeks).
    pub min_days_between_dli: i32,
    /// Whether tapering immunosuppression is acceptable (default yes).
    pub accept_tapering: bool,
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
            mixed_recipient_above_percent: 5.0,
            rising_serial_rises: 2,
            rising_min_step_points: 0.0,
            mrd_flow_positive_percent: 0.1,
            relapse_blasts_percent: 5.0,
            max_agvhd_grade_exclusive: 2,
            min_day_after_hct: 60,
            min_days_between_dli: 28,
            accept_tapering: true,
            ladder: EscalationLadder::HalfLog,
        }
    }
}

/// One criterion: met or not, why, from which observations, per which source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Short name, e.g. `mixed chimerism (CD3)`.
    pub name: String,
    /// Met (for triggers: present; for prerequisites: satisfied). `None` when
    /// the data needed are missing.
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
    pub cd3_per_kg: f64,
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

/// The decision report for one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DliAssessment {
    /// Decision day.
    pub on: Date,
    /// Day after transplant.
    pub day: i32,
    /// Triggers (any met → indication).
    pub triggers: Vec<Criterion>,
    /// Prerequisites (all must be met).
    pub prerequisites: Vec<Criterion>,
    /// Donors that cannot give lymphocytes, with the reason.
    pub excluded_donors: Vec<(String, String)>,
    /// Dose plan for the eligible donor(s).
    pub plans: Vec<DosePlan>,
    /// Overall: `criteria met` when a trigger is met and every prerequisite is met.
    pub criteria_met: bool,
    /// Summary sentence, framed as criteria met/not met — never an order.
    pub summary: String,
    /// Defaults applied.
    pub flags: Vec<Flag>,
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
/// 10ⁿ) or the reference's example sequence (1, 5, 10 × 10ⁿ).
pub fn next_step(dose: f64, ladder: EscalationLadder) -> f64 {
    let mults: &[f64] = match ladder {
        EscalationLadder::HalfLog => &[1.0, 3.0],
        EscalationLadder::OneFiveTen => &[1.0, 5.0],
    };
    let mut e = dose.log10().floor() as i32 - 1;
    loop {
        for &m in mults {
            let c = m * 10f64.powi(e);
            if c > dose * 1.0001 {
                return c;
            }
        }
        e += 1;
    }
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

/// Assesses DLI criteria on `input.on`.
pub fn assess(input: &DliInput, cfg: &DliConfig) -> DliAssessment {
    let day = input.on.days_since(input.hct_day0).get();
    let mut flags = Vec::new();
    let mut triggers = Vec::new();

    // --- Triggers: mixed chimerism and rising recipient share, per lineage.
    let mut samples: Vec<RecipientShare> = input
        .chimerism
        .iter()
        .copied()
        .filter(|s| s.date <= input.on)
        .collect();
    samples.sort_by_key(|s| s.date);
    for lineage in [
        Lineage::Cd3,
        Lineage::Myeloid,
        Lineage::Cd34,
        Lineage::WholeBlood,
    ] {
        let ls: Vec<&RecipientShare> = samples.iter().filter(|s| s.lineage == lineage).collect();
        let Some(last) = ls.last() else { continue };
        let mixed = last.recipient_percent > cfg.mixed_recipient_above_percent;
        if lineage != Lineage::WholeBlood || mixed {
            triggers.push(Criterion {
                name: format!("mixed chimerism ({lineage})"),
                met: Some(mixed),
                reason: format!(
                    "latest {lineage} sample {}: recipient {:.1} % ({} {:.1} %, i.e. donor {} 95 %)",
                    last.date,
                    last.recipient_percent,
                    if mixed { ">" } else { "<=" },
                    cfg.mixed_recipient_above_percent,
                    if mixed { "<" } else { ">=" }
                ),
                evidence: vec![pct_ev(last, "latest sample".into())],
                citation: CITE_CHIMERISM_TRIGGER,
            });
        }
        // Rising: the last `rising_serial_rises` steps are all rises larger
        // than max(min step, LoD).
        let n = cfg.rising_serial_rises;
        if ls.len() > n {
            let window = &ls[ls.len() - n - 1..];
            let rises = window.windows(2).all(|w| {
                let step = w[1].recipient_percent - w[0].recipient_percent;
                let lod = w[1]
                    .lod_percent
                    .unwrap_or(0.0)
                    .max(w[0].lod_percent.unwrap_or(0.0));
                step > cfg.rising_min_step_points.max(0.0)
                    && w[1].recipient_percent > lod
                    && step > 0.0
            });
            let seq = window
                .iter()
                .map(|s| format!("{} {:.2} %", s.date, s.recipient_percent))
                .collect::<Vec<_>>()
                .join(" → ");
            triggers.push(Criterion {
                name: format!("rising recipient share ({lineage})"),
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
                citation: CITE_CHIMERISM_TRIGGER,
            });
        } else if lineage == Lineage::Cd3 || lineage == Lineage::Myeloid {
            triggers.push(Criterion {
                name: format!("rising recipient share ({lineage})"),
                met: None,
                reason: format!(
                    "{} {lineage} sample(s) up to {}; {} needed to see {n} serial rises",
                    ls.len(),
                    input.on,
                    n + 1
                ),
                evidence: vec![],
                citation: CITE_CHIMERISM_TRIGGER,
            });
        }
    }
    if cfg.mixed_recipient_above_percent == 5.0 {
        flags.push(Flag::new("E-5", "mixed chimerism = donor < 95 % (recipient > 5 %), ASTCT 'full donor > 95 %'; configurable"));
    }

    // MRD conversion / rise.
    let mut mrd: Vec<MrdResult> = input
        .mrd
        .iter()
        .copied()
        .filter(|m| m.date <= input.on)
        .collect();
    mrd.sort_by_key(|m| m.date);
    let positive = |m: &MrdResult| match m.method {
        MrdMethod::Flow => m.percent >= cfg.mrd_flow_positive_percent,
        MrdMethod::Qpcr => m.percent > 0.0,
    };
    if let Some(last) = mrd.last() {
        let prev = mrd.iter().rev().skip(1).find(|m| m.method == last.method);
        let pos = positive(last);
        let (met, reason) = match prev {
            Some(p) if !positive(p) && pos => (
                true,
                format!(
                    "MRD conversion: negative on {} ({} %), positive on {} ({} %)",
                    p.date, p.percent, last.date, last.percent
                ),
            ),
            Some(p)
                if positive(p)
                    && pos
                    && last.method == MrdMethod::Qpcr
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
                format!("MRD positive on {} ({} %)", last.date, last.percent),
            ),
            _ => (
                false,
                format!("MRD negative on {} ({} %)", last.date, last.percent),
            ),
        };
        triggers.push(Criterion {
            name: "MRD positive / conversion".into(),
            met: Some(met),
            reason,
            evidence: vec![Evidence::value(
                Some(last.date),
                "mrd",
                last.percent,
                Some(graftwatch_core::Unit::Percent),
                format!("{:?}", last.method).to_lowercase(),
            )],
            citation: CITE_SURVEY,
        });
        flags.push(Flag::new("MRD", format!("flow MRD positive at >= {} % (ELN 2021 [R]); unconfirmed conversions count as a trigger here, confirmation within 4 weeks is tracked by the ELN relapse rule", cfg.mrd_flow_positive_percent)));
    } else {
        triggers.push(Criterion {
            name: "MRD positive / conversion".into(),
            met: None,
            reason: "no MRD result up to this day".into(),
            evidence: vec![],
            citation: CITE_SURVEY,
        });
    }

    // Haematological relapse.
    let relapse = input
        .marrow_blasts
        .iter()
        .filter(|(d, _)| *d <= input.on)
        .max_by_key(|(d, _)| *d);
    let relapsed = relapse.is_some_and(|(_, b)| *b >= cfg.relapse_blasts_percent);
    if let Some((d, b)) = relapse {
        triggers.push(Criterion {
            name: "haematological relapse".into(),
            met: Some(relapsed),
            reason: format!(
                "latest marrow {d}: blasts {b} % ({} {} %)",
                if relapsed { ">=" } else { "<" },
                cfg.relapse_blasts_percent
            ),
            evidence: vec![Evidence::value(
                Some(*d),
                "marrow_blasts",
                *b,
                Some(graftwatch_core::Unit::Percent),
                "latest marrow",
            )],
            citation: CITE_SURVEY,
        });
    }

    // --- Prerequisites.
    let mut pre = Vec::new();
    pre.push(match input.agvhd_grade {
        Some(g) => Criterion {
            name: "no active acute GVHD grade >= II".into(),
            met: Some(g < cfg.max_agvhd_grade_exclusive),
            reason: format!(
                "current MAGIC grade {}{}",
                roman(g),
                input
                    .agvhd_date
                    .map(|d| format!(" (assessed {d})"))
                    .unwrap_or_default()
            ),
            evidence: vec![Evidence::value(
                input.agvhd_date,
                "agvhd_grade",
                g as f64,
                None,
                "MAGIC overall grade",
            )],
            citation: CITE_SURVEY,
        },
        None => Criterion {
            name: "no active acute GVHD grade >= II".into(),
            met: None,
            reason: "acute GVHD not assessed".into(),
            evidence: vec![],
            citation: CITE_SURVEY,
        },
    });
    pre.push(match input.cgvhd {
        Some(c) => Criterion {
            name: "no moderate/severe chronic GVHD".into(),
            met: Some(c < ChronicSeverity::Moderate),
            reason: format!("chronic GVHD: {c:?}").to_lowercase(),
            evidence: vec![],
            citation: CITE_SURVEY,
        },
        None => Criterion {
            name: "no moderate/severe chronic GVHD".into(),
            met: None,
            reason: "chronic GVHD not assessed".into(),
            evidence: vec![],
            citation: CITE_SURVEY,
        },
    });
    let is_ok = match input.immunosuppression {
        ImmunosuppressionState::Off => Some(true),
        ImmunosuppressionState::Tapering => Some(cfg.accept_tapering),
        ImmunosuppressionState::Active => Some(false),
        ImmunosuppressionState::Unknown => None,
    };
    pre.push(Criterion {
        name: "immunosuppression stopped or tapering".into(),
        met: is_ok,
        reason: format!("immunosuppression: {:?}", input.immunosuppression).to_lowercase(),
        evidence: vec![],
        citation: CITE_SURVEY,
    });
    pre.push(Criterion {
        name: "no uncontrolled infection".into(),
        met: input.uncontrolled_infection.map(|x| !x),
        reason: match input.uncontrolled_infection {
            Some(true) => "an infection episode is ongoing".into(),
            Some(false) => "no ongoing infection episode recorded".into(),
            None => "infection status not recorded".into(),
        },
        evidence: vec![],
        citation: CITE_SURVEY,
    });
    pre.push(Criterion {
        name: format!("at least day +{} after transplant", cfg.min_day_after_hct),
        met: Some(day >= cfg.min_day_after_hct),
        reason: format!("day {day:+} after HCT"),
        evidence: vec![],
        citation: CITE_SURVEY,
    });
    let last_dli = input
        .previous
        .iter()
        .filter(|d| d.date <= input.on)
        .max_by_key(|d| d.date);
    if let Some(l) = last_dli {
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
                sci(l.cd3_per_kg),
                since
            ),
            evidence: vec![Evidence::value(
                Some(l.date),
                "dli",
                l.cd3_per_kg,
                Some(graftwatch_core::Unit::PerKg),
                "previous DLI",
            )],
            citation: CITE_HAPLO,
        });
    }

    // --- Donors and dose plan.
    let setting = if relapsed {
        DliSetting::Therapeutic
    } else if triggers.iter().any(|t| t.met == Some(true)) {
        DliSetting::Preemptive
    } else {
        DliSetting::Prophylactic
    };
    let mut excluded = Vec::new();
    let mut plans = Vec::new();
    for d in &input.donors {
        let Some(start) = start_dose(d.donor_type, setting) else {
            excluded.push((
                d.id.clone(),
                "a cord blood unit: no lymphocytes can be collected for DLI".to_string(),
            ));
            continue;
        };
        let given: Vec<&GivenDli> = input
            .previous
            .iter()
            .filter(|g| g.donor == d.id && g.date <= input.on)
            .collect();
        let earliest1 = {
            let by_day = input.hct_day0.add_days(cfg.min_day_after_hct);
            let by_prev = last_dli.map(|l| l.date.add_days(cfg.min_days_between_dli));
            [Some(input.on), Some(by_day), by_prev]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(input.on)
        };
        let (first_dose, reason) = match given.iter().max_by_key(|g| g.date) {
            None => (
                start,
                format!(
                    "start dose for a {} donor, {} setting: {} CD3+/kg",
                    donor_word(d.donor_type),
                    setting_word(setting),
                    sci(start)
                ),
            ),
            Some(_) if input.gvhd_after_previous_dli => {
                plans.push(DosePlan {
                    donor: d.id.clone(),
                    setting,
                    steps: vec![],
                    reason: "no escalation: GVHD occurred after the previous DLI".into(),
                    citations: vec![CITE_HAPLO, CITE_EBMT_2024],
                });
                continue;
            }
            Some(g) => {
                let n = next_step(g.cd3_per_kg, cfg.ladder);
                (
                    n,
                    format!(
                        "half-log escalation from the previous {} CD3+/kg ({}): no GVHD since",
                        sci(g.cd3_per_kg),
                        g.date
                    ),
                )
            }
        };
        let mut steps = Vec::new();
        let mut dose = first_dose;
        let mut date = earliest1;
        for step in 1..=3u32 {
            steps.push(DoseStep {
                step,
                cd3_per_kg: dose,
                earliest: date,
                condition: if step == 1 {
                    "when triggers and prerequisites are met".into()
                } else {
                    format!("only if no response and no GVHD after step {}", step - 1)
                },
            });
            dose = next_step(dose, cfg.ladder);
            date = date.add_days(cfg.min_days_between_dli);
        }
        plans.push(DosePlan {
            donor: d.id.clone(),
            setting,
            steps,
            reason,
            citations: vec![CITE_HAPLO, CITE_EBMT_2024],
        });
    }
    flags.push(Flag::new(
        "DLI-dose",
        format!(
            "start doses are the lower end of the reference's ranges [R]; escalation ladder {}",
            match cfg.ladder {
                EscalationLadder::HalfLog => "half-log 1-3-10 x 10^n",
                EscalationLadder::OneFiveTen => "1-5-10 x 10^n (reference example)",
            }
        ),
    ));

    let any_trigger = triggers.iter().any(|t| t.met == Some(true));
    let all_pre = pre.iter().all(|p| p.met == Some(true));
    let missing_pre: Vec<&str> = pre
        .iter()
        .filter(|p| p.met.is_none())
        .map(|p| p.name.as_str())
        .collect();
    let failed_pre: Vec<&str> = pre
        .iter()
        .filter(|p| p.met == Some(false))
        .map(|p| p.name.as_str())
        .collect();
    let criteria_met = any_trigger && all_pre && !plans.iter().all(|p| p.steps.is_empty());
    let summary = if criteria_met {
        let met: Vec<&str> = triggers
            .iter()
            .filter(|t| t.met == Some(true))
            .map(|t| t.name.as_str())
            .collect();
        format!(
            "DLI criteria met on {} (day {day:+}): trigger(s) {}; all prerequisites met. Decision rests with the treating team.",
            input.on,
            met.join(", ")
        )
    } else if !any_trigger {
        format!(
            "DLI criteria not met on {} (day {day:+}): no trigger present.",
            input.on
        )
    } else if !failed_pre.is_empty() {
        format!(
            "DLI criteria not met on {} (day {day:+}): trigger present but prerequisite(s) not met: {}.",
            input.on,
            failed_pre.join(", ")
        )
    } else {
        format!(
            "DLI criteria undetermined on {} (day {day:+}): trigger present; missing data for {}.",
            input.on,
            missing_pre.join(", ")
        )
    };
    DliAssessment {
        on: input.on,
        day,
        triggers,
        prerequisites: pre,
        excluded_donors: excluded,
        plans,
        criteria_met,
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

fn setting_word(s: DliSetting) -> &'static str {
    match s {
        DliSetting::Prophylactic => "prophylactic",
        DliSetting::Preemptive => "pre-emptive",
        DliSetting::Therapeutic => "therapeutic",
    }
}

/// `1e5` style formatting: `1.0×10^5`.
pub fn sci(v: f64) -> String {
    if v <= 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let e = v.log10().floor() as i32;
    let m = v / 10f64.powi(e);
    format!("{m:.1}×10^{e}")
}

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
            chimerism: vec![],
            mrd: vec![],
            marrow_blasts: vec![],
            agvhd_grade: Some(0),
            agvhd_date: Some(d("2024-05-30")),
            cgvhd: Some(ChronicSeverity::None),
            immunosuppression: ImmunosuppressionState::Off,
            uncontrolled_infection: Some(false),
            donors: vec![
                DliDonor {
                    id: "UCB-1".into(),
                    donor_type: DliDonorType::CordBlood,
                    latest_share_percent: Some(10.0),
                },
                DliDonor {
                    id: "PBSC-1".into(),
                    donor_type: DliDonorType::Haploidentical,
                    latest_share_percent: Some(85.0),
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
            recipient_percent: r,
            lod_percent: Some(1.0),
        }
    }

    #[test]
    fn mixed_chimerism_boundary() {
        let cfg = DliConfig::default();
        let mut i = base();
        i.chimerism = vec![cd3("2024-05-30", 5.0)];
        let a = assess(&i, &cfg);
        assert_eq!(
            a.triggers[0].met,
            Some(false),
            "exactly 5 % recipient = donor 95 % = not mixed"
        );
        assert!(!a.criteria_met);
        i.chimerism = vec![cd3("2024-05-30", 5.1)];
        let a = assess(&i, &cfg);
        assert_eq!(a.triggers[0].met, Some(true));
        assert!(a.criteria_met, "{}", a.summary);
        assert!(a.summary.contains("criteria met") && a.summary.contains("treating team"));
        assert_eq!(a.excluded_donors[0].0, "UCB-1");
        assert_eq!(a.plans.len(), 1);
        assert_eq!(a.plans[0].donor, "PBSC-1");
        assert_eq!(a.plans[0].steps[0].cd3_per_kg, 1e5);
        assert_eq!(a.plans[0].steps[1].cd3_per_kg, 3e5);
        assert_eq!(a.plans[0].steps[2].cd3_per_kg, 1e6);
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
                .find(|t| t.name.starts_with("rising") && t.name.contains("cd3"))
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
                lod_percent: Some(1.0),
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
            !a.criteria_met && a.summary.contains("undetermined"),
            "{}",
            a.summary
        );
        i.uncontrolled_infection = Some(false);
        // Day +59 vs +60.
        i.on = d("2024-03-01").add_days(59);
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
            cd3_per_kg: 1e5,
        }];
        // 27 days after the previous DLI: not yet.
        assert!(!assess(&i, &cfg).criteria_met);
        i.on = d("2024-06-02"); // 28 days
        let a = assess(&i, &cfg);
        assert!(a.criteria_met, "{}", a.summary);
        assert_eq!(a.plans[0].steps[0].cd3_per_kg, 3e5);
        let five = DliConfig {
            ladder: EscalationLadder::OneFiveTen,
            ..cfg
        };
        assert_eq!(assess(&i, &five).plans[0].steps[0].cd3_per_kg, 5e5);
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
            MrdResult {
                date: d("2024-04-15"),
                method: MrdMethod::Flow,
                percent: 0.05,
            },
            MrdResult {
                date: d("2024-05-20"),
                method: MrdMethod::Flow,
                percent: 0.1,
            },
        ];
        let a = assess(&i, &cfg);
        assert!(a.criteria_met, "{}", a.summary);
        assert_eq!(a.plans[0].setting, DliSetting::Preemptive);
        i.mrd[1].percent = 0.09;
        assert!(
            !assess(&i, &cfg).criteria_met,
            "0.09 % is below the 0.1 % flow threshold"
        );
        i.marrow_blasts = vec![(d("2024-05-28"), 5.0)];
        let a = assess(&i, &cfg);
        assert_eq!(a.plans[0].setting, DliSetting::Therapeutic);
        assert_eq!(a.plans[0].steps[0].cd3_per_kg, 1e6);
        i.marrow_blasts = vec![(d("2024-05-28"), 4.9)];
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
        assert_eq!(next_step(1e7, EscalationLadder::OneFiveTen), 5e7);
        assert_eq!(next_step(5e7, EscalationLadder::OneFiveTen), 1e8);
        assert_eq!(next_step(3e6, EscalationLadder::OneFiveTen), 5e6);
        assert_eq!(next_step(1e5, EscalationLadder::HalfLog), 3e5);
        assert_eq!(next_step(3e5, EscalationLadder::HalfLog), 1e6);
        assert_eq!(next_step(1e6, EscalationLadder::HalfLog), 3e6);
        assert_eq!(sci(5e5), "5.0×10^5");
    }
}

//! AML response at a marrow assessment, ELN 2022 (Döhner 2022, Table 7):
//! CR without MRD, CR, CRh, CRi, MLFS, PR, no response; refractory disease at
//! the response landmark.
//!
//! Precedence CR > CRh > CRi > MLFS > PR > no response. Decisions:
//! * M-1: CRi when exactly one of ANC ≥ 1.0 and platelets ≥ 100 holds and
//!   CRh is not met (default, flagged); the "either lineage" option makes
//!   CRi also when both are low, so MLFS is then reached only when
//!   transfusion independence is required and not met.
//! * M-2: transfusion independence not required (ELN); CIBMTR reading
//!   configurable. A platelet count within 7 days of a platelet transfusion
//!   never counts as recovered.
//! * M-3: marrow blasts must be < 5 % (5.0 is not CR).
//! * M-4: PR = 5 ≤ blasts ≤ 25, reduction ≥ 50 % from pretreatment, CR counts.
//! * M-5: any circulating blast blocks CR/CRh/CRi/MLFS (manual review flag).

use graftwatch_core::{Citation, Date, Percent, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{ValueError, check_opt};

/// ELN 2022 citation.
pub const ELN_2022_CITATION: Citation = Citation {
    source: "Döhner H et al. Blood 2022;140(12):1345-1377 (ELN 2022 recommendations)",
    year: 2022,
    table: "Table 7 (response criteria); Table 5 (genetic risk)",
    doi: Some("10.1182/blood.2022016867"),
    provenance: Provenance::Verified,
    note: "CR/CRh/CRi/MLFS/PR/no response/refractory [V] (ASH view-large table 12166960). \
           Relapse and MRD-relapse definitions [R]; 180-day landmark for less-intensive therapy [R]. \
           Genetic risk table [S] (BMJ Best Practice reproduction).",
};

/// The marrow-blast boundary of ELN 2022 (Döhner 2022, Table 7) \[V\]:
/// below it the marrow is clear (the CR family and MLFS), at or above it
/// not (M-3: 5.0 % is not CR; it is hematologic relapse after remission).
/// The one home of this boundary: response, relapse, the disease status
/// for risk scores, the response timeline and the report's marrow panel
/// all use it through [`marrow_blasts_clear`].
pub const MARROW_BLASTS_CLEAR_BELOW: Percent = Percent::lit(5.0);

/// Upper marrow-blast bound of PR, ELN 2022 (Döhner 2022, Table 7) \[V\]:
/// 5–25 % with a reduction of at least 50 % (M-4; 25.0 % can be PR).
pub const PR_MARROW_BLASTS_MAX: Percent = Percent::lit(25.0);

/// Whether marrow blasts of `percent` are below
/// [`MARROW_BLASTS_CLEAR_BELOW`] (M-3: 4.9 is clear, 5.0 is not).
pub fn marrow_blasts_clear(percent: f64) -> bool {
    percent < MARROW_BLASTS_CLEAR_BELOW.get()
}

/// Rule version.
pub const ELN_RESPONSE_VERSION: &str = "ELN 2022 response (M-1..M-5 defaults)";

/// CRi reading (M-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriReading {
    /// Exactly one lineage unrecovered (trial SAP reading). Default.
    #[default]
    ExactlyOneLineage,
    /// Either or both lineages unrecovered (literal "neutropenia or
    /// thrombocytopenia"); MLFS then needs unknown recovery status.
    EitherLineage,
}

/// Transfusion-independence requirement (M-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransfusionIndependence {
    /// ELN 2022: not required. Default.
    #[default]
    NotRequired,
    /// CIBMTR: red-cell transfusion independence required for CR/CRh/CRi.
    Required,
}

/// Response configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResponseConfig {
    /// M-1.
    pub cri_reading: CriReading,
    /// M-2.
    pub transfusion_independence: TransfusionIndependence,
}

/// MRD assay technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MrdTechnique {
    /// Multiparameter flow cytometry.
    Mfc,
    /// Quantitative PCR of a genetic marker (NPM1, CBF transcripts).
    Qpcr,
    /// Other (digital PCR, NGS).
    Other,
}

/// MRD result attached to a response assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MrdStatus {
    /// Negative by the assay.
    pub negative: bool,
    /// Technique.
    pub technique: MrdTechnique,
    /// Assay sensitivity as a fraction (e.g. 1e-4), if reported.
    pub sensitivity: Option<f64>,
}

/// One response assessment (marrow + blood on or near the same date).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ResponseAssessment {
    /// Marrow date.
    pub date: Option<Date>,
    /// Marrow blasts %.
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    pub bm_blasts_pct: Option<f64>,
    /// Circulating (peripheral-blood) blasts %.
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    pub pb_blasts_pct: Option<f64>,
    /// Extramedullary disease present.
    pub extramedullary_disease: Option<bool>,
    /// ANC ×10⁹/L.
    pub anc: Option<f64>,
    /// Platelets ×10⁹/L.
    pub platelets: Option<f64>,
    /// A platelet transfusion in the 7 days before the platelet count.
    pub platelet_transfusion_within_7_days: Option<bool>,
    /// Red-cell transfusion independent (only used when M-2 = Required).
    pub rbc_transfusion_independent: Option<bool>,
    /// Marrow evaluable for MLFS: ≥ 200 nucleated cells or cellularity ≥ 10 %.
    pub marrow_evaluable: Option<bool>,
    /// Pretreatment marrow blasts % (for PR).
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    pub pretreatment_bm_blasts_pct: Option<f64>,
    /// MRD result, if tested.
    pub mrd: Option<MrdStatus>,
}

/// ELN 2022 response category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElnResponse {
    /// CR without measurable residual disease.
    CrMrdNegative,
    /// Complete remission.
    Cr,
    /// CR with partial hematologic recovery.
    CrH,
    /// CR with incomplete hematologic recovery.
    CrI,
    /// Morphologic leukemia-free state.
    Mlfs,
    /// Partial remission.
    Pr,
    /// No response.
    NoResponse,
}

impl ElnResponse {
    /// The ELN 2022 label: `CR MRD-negative`, `CR`, `CRh`, `CRi`, `MLFS`,
    /// `PR`, `no response`.
    pub fn text(self) -> &'static str {
        match self {
            ElnResponse::CrMrdNegative => "CR MRD-negative",
            ElnResponse::Cr => "CR",
            ElnResponse::CrH => "CRh",
            ElnResponse::CrI => "CRi",
            ElnResponse::Mlfs => "MLFS",
            ElnResponse::Pr => "PR",
            ElnResponse::NoResponse => "no response",
        }
    }

    /// CR, CRh or CRi (with or without MRD): what "refractory" is tested against.
    pub fn is_cr_family(self) -> bool {
        matches!(
            self,
            ElnResponse::CrMrdNegative | ElnResponse::Cr | ElnResponse::CrH | ElnResponse::CrI
        )
    }
}

fn explanation(cfg: &ResponseConfig) -> Explanation {
    let m1 = match cfg.cri_reading {
        CriReading::ExactlyOneLineage => {
            "CRi = exactly one of ANC ≥ 1.0 / platelets ≥ 100 (default); both low -> MLFS"
        }
        CriReading::EitherLineage => {
            "CRi = either or both of ANC < 1.0 / platelets < 100 ('either lineage' option)"
        }
    };
    let m2 = match cfg.transfusion_independence {
        TransfusionIndependence::NotRequired => {
            "transfusion independence not required (ELN); platelets within 7 days of a transfusion are not recovered"
        }
        TransfusionIndependence::Required => {
            "red-cell transfusion independence required (CIBMTR option)"
        }
    };
    Explanation {
        rule: "ELN 2022 response",
        version: ELN_RESPONSE_VERSION,
        citations: vec![ELN_2022_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new("M-1", m1), Flag::new("M-2", m2)],
    }
}

/// The assessment's values, checked.
struct Checked {
    bm: Option<f64>,
    pb: Option<f64>,
    anc: Option<f64>,
    plt: Option<f64>,
    pre: Option<f64>,
}

/// Checks every value of the assessment: counts ≥ 0, blast percentages 0–100.
fn checked_values(a: &ResponseAssessment) -> Result<Checked, ValueError> {
    let d = a.date;
    let c = Checked {
        bm: check_opt("bm_blasts", d, a.bm_blasts_pct, "marrow blasts 0-100 %")?,
        pb: check_opt("pb_blasts", d, a.pb_blasts_pct, "blood blasts 0-100 %")?,
        anc: check_opt("anc", d, a.anc, "ANC ≥ 0 in 10^9/L")?,
        plt: check_opt("platelets", d, a.platelets, "platelets ≥ 0 in 10^9/L")?,
        pre: check_opt(
            "pretreatment_bm_blasts",
            d,
            a.pretreatment_bm_blasts_pct,
            "marrow blasts 0-100 %",
        )?,
    };
    for (what, v) in [
        ("bm_blasts", c.bm),
        ("pb_blasts", c.pb),
        ("pretreatment_bm_blasts", c.pre),
    ] {
        if let Some(v) = v.filter(|v| *v > 100.0) {
            return Err(ValueError::OutOfRange {
                what,
                date: d,
                value: v,
                expected: "a percentage 0-100",
            });
        }
    }
    Ok(c)
}

/// Count recovery inputs (`None` = unknown).
struct Recovery {
    /// ANC, 10^9/L.
    anc: Option<f64>,
    /// Platelets as recorded.
    plt: Option<f64>,
    /// Platelets as counted for recovery: 0 within 7 days of a transfusion (M-2).
    plt_usable: Option<f64>,
    /// Transfusion independence as the configured reading requires it.
    ti_ok: Option<bool>,
    /// The CR count criteria (ANC ≥ 1.0, platelets ≥ 100, independence).
    cr_counts: Option<bool>,
}

/// The count recovery inputs, with their evidence and the M-2 flag.
fn recovery(
    a: &ResponseAssessment,
    cfg: &ResponseConfig,
    c: &Checked,
    ex: &mut Explanation,
) -> Recovery {
    for (what, v) in [("anc", c.anc), ("platelets", c.plt)] {
        if let Some(v) = v {
            ex.evidence
                .push(Evidence::value(a.date, what, v, Some(Unit::Per1e9L), ""));
        }
    }
    let plt_usable = match a.platelet_transfusion_within_7_days {
        Some(true) => Some(0.0), // supported count: not recovered (M-2)
        _ => c.plt,
    };
    if a.platelet_transfusion_within_7_days == Some(true) {
        ex.flags.push(Flag::new(
            "M-2",
            "platelet count within 7 days of a platelet transfusion: not counted as recovered",
        ));
    }
    let ti_ok = match cfg.transfusion_independence {
        TransfusionIndependence::NotRequired => Some(true),
        TransfusionIndependence::Required => a.rbc_transfusion_independent,
    };
    let cr_counts = match (c.anc, plt_usable, ti_ok) {
        (Some(n), Some(p), Some(t)) => Some(n >= 1.0 && p >= 100.0 && t),
        _ => None,
    };
    Recovery {
        anc: c.anc,
        plt: c.plt,
        plt_usable,
        ti_ok,
        cr_counts,
    }
}

/// Classifies one assessment by the ELN 2022 response table, in its
/// published order: the marrow first (< 5 % blasts: the CR family or MLFS,
/// `marrow_clear`), then PR or no response (`marrow_not_clear`).
pub fn eln_response(
    a: &ResponseAssessment,
    cfg: &ResponseConfig,
) -> Result<Graded<ElnResponse>, ValueError> {
    let c = checked_values(a)?;
    let mut ex = explanation(cfg);
    let Some(bm) = c.bm else {
        ex.reason = "marrow blast percentage missing".into();
        return Ok(Graded::InsufficientData {
            missing: vec!["marrow blast %".into()],
            explanation: ex,
        });
    };
    ex.evidence.push(Evidence::value(
        a.date,
        "bm_blasts",
        bm,
        Some(Unit::Percent),
        "marrow blasts",
    ));
    let r = recovery(a, cfg, &c, &mut ex);
    Ok(if marrow_blasts_clear(bm) {
        marrow_clear(a, cfg, bm, c.pb, &r, ex)
    } else {
        marrow_not_clear(bm, c.pre, r.cr_counts, ex)
    })
}

/// Marrow blasts < 5 %: blood blasts and extramedullary disease first, then
/// the counts choose between CR (MRD-negative), CRh, CRi and MLFS.
fn marrow_clear(
    a: &ResponseAssessment,
    cfg: &ResponseConfig,
    bm: f64,
    pb: Option<f64>,
    r: &Recovery,
    mut ex: Explanation,
) -> Graded<ElnResponse> {
    if let Some(end) = blood_or_emd_blocks(a, bm, pb, &mut ex) {
        return match end {
            Ok(value) => Graded::Value {
                value,
                explanation: ex,
            },
            Err(missing) => Graded::InsufficientData {
                missing,
                explanation: ex,
            },
        };
    }
    let (Some(n), Some(p), Some(t)) = (r.anc, r.plt_usable, r.ti_ok) else {
        let mut m = Vec::new();
        if r.anc.is_none() {
            m.push("ANC".to_string());
        }
        if r.plt.is_none() {
            m.push("platelets".to_string());
        }
        if r.ti_ok.is_none() {
            m.push("red-cell transfusion independence (CIBMTR reading)".to_string());
        }
        ex.reason = "marrow clear; counts needed to choose between CR, CRh, CRi and MLFS".into();
        return Graded::InsufficientData {
            missing: m,
            explanation: ex,
        };
    };
    let value = match cr_family(a, cfg, n, p, t, &mut ex) {
        Some(v) => v,
        None => match a.marrow_evaluable {
            Some(false) => {
                ex.reason = "marrow blasts < 5% but marrow not evaluable (< 200 cells and cellularity < 10%): not MLFS".into();
                return Graded::Value {
                    value: ElnResponse::NoResponse,
                    explanation: ex,
                };
            }
            None => {
                ex.flags.push(Flag::new("MLFS-cellularity", "marrow evaluability (≥ 200 cells or cellularity ≥ 10%) not recorded; assumed evaluable"));
                ElnResponse::Mlfs
            }
            Some(true) => ElnResponse::Mlfs,
        },
    };
    ex.reason = format!(
        "marrow blasts {bm}% (< 5%), no circulating blasts, no EMD, ANC {n}, platelets {p} {}: {}",
        graftwatch_core::Unit::Per1e9L.label(),
        value.text()
    );
    Graded::Value {
        value,
        explanation: ex,
    }
}

/// Marrow clear needs blood blasts and extramedullary disease known and
/// absent (M-5): `None` when they are, otherwise what ends the assessment,
/// `Ok(no response)` or `Err(what is missing)`, with its reason in `ex`.
fn blood_or_emd_blocks(
    a: &ResponseAssessment,
    bm: f64,
    pb: Option<f64>,
    ex: &mut Explanation,
) -> Option<Result<ElnResponse, Vec<String>>> {
    let d = a.date;
    let mut missing = Vec::new();
    if pb.is_none() {
        missing.push("circulating blast %".to_string());
    }
    if a.extramedullary_disease.is_none() {
        missing.push("extramedullary disease status".to_string());
    }
    if !missing.is_empty() {
        ex.reason = "marrow blasts < 5% but blood blasts / EMD unknown".into();
        return Some(Err(missing));
    }
    let pb = pb.unwrap_or(0.0);
    if pb > 0.0 {
        ex.evidence.push(Evidence::value(
            d,
            "pb_blasts",
            pb,
            Some(Unit::Percent),
            "circulating blasts",
        ));
        ex.flags.push(Flag::new(
            "M-5",
            "circulating blasts present: CR/CRh/CRi/MLFS blocked (strict default; manual review)",
        ));
        ex.reason = format!("marrow blasts {bm}% but circulating blasts {pb}%: no response");
        return Some(Ok(ElnResponse::NoResponse));
    }
    if a.extramedullary_disease == Some(true) {
        ex.evidence
            .push(Evidence::finding(d, "extramedullary_disease", "present"));
        ex.reason = "extramedullary disease present: no response".into();
        return Some(Ok(ElnResponse::NoResponse));
    }
    None
}

/// CR (MRD-negative with its evidence), CRh or CRi from ANC `n`, platelets
/// `p` and transfusion independence `t`; `None` when none applies (MLFS
/// candidate).
fn cr_family(
    a: &ResponseAssessment,
    cfg: &ResponseConfig,
    n: f64,
    p: f64,
    t: bool,
    ex: &mut Explanation,
) -> Option<ElnResponse> {
    let n_ok = n >= 1.0;
    let p_ok = p >= 100.0;
    if n_ok && p_ok && t {
        Some(match a.mrd {
            Some(m) if m.negative => {
                ex.evidence.push(mrd_negative_evidence(a.date, m));
                ElnResponse::CrMrdNegative
            }
            _ => ElnResponse::Cr,
        })
    } else if n >= 0.5 && p >= 50.0 && t {
        Some(ElnResponse::CrH)
    } else if t
        && match cfg.cri_reading {
            CriReading::ExactlyOneLineage => n_ok != p_ok,
            CriReading::EitherLineage => true,
        }
    {
        Some(ElnResponse::CrI)
    } else {
        None
    }
}

/// The evidence of a negative MRD result: technique and sensitivity.
fn mrd_negative_evidence(d: Option<Date>, m: MrdStatus) -> Evidence {
    Evidence::finding(
        d,
        "mrd",
        format!(
            "negative by {}{}",
            match m.technique {
                MrdTechnique::Mfc => "flow cytometry",
                MrdTechnique::Qpcr => "qPCR",
                MrdTechnique::Other => "another method",
            },
            m.sensitivity
                .map(|s| format!(", sensitivity {s:e}"))
                .unwrap_or_default()
        ),
    )
}

/// Marrow blasts ≥ 5 % (M-3): PR when 5–25 % and reduced by ≥ 50 % from the
/// pretreatment marrow with the CR counts met, otherwise no response.
fn marrow_not_clear(
    bm: f64,
    pre: Option<f64>,
    cr_counts: Option<bool>,
    mut ex: Explanation,
) -> Graded<ElnResponse> {
    let in_pr_range = (MARROW_BLASTS_CLEAR_BELOW.get()..=PR_MARROW_BLASTS_MAX.get()).contains(&bm);
    if in_pr_range && cr_counts != Some(false) {
        let Some(pre) = pre else {
            ex.reason = format!("marrow blasts {bm}% (5-25%): PR needs the pretreatment blast %");
            return Graded::InsufficientData {
                missing: vec!["pretreatment marrow blast %".into()],
                explanation: ex,
            };
        };
        let reduced = pre > 0.0 && (pre - bm) / pre >= 0.5;
        if reduced {
            return partial_response(bm, pre, cr_counts, ex);
        }
    }
    ex.flags.push(Flag::new(
        "M-3",
        "CR family needs marrow blasts < 5%; 5.0% is not CR",
    ));
    let why = if !in_pr_range {
        format!("blasts above {}%", PR_MARROW_BLASTS_MAX.get())
    } else if cr_counts == Some(false) {
        "blood counts below the CR thresholds (ANC ≥ 1.0, platelets ≥ 100 ×10⁹/L)".into()
    } else {
        format!(
            "less than a 50% reduction from the pretreatment {}%",
            pre.unwrap_or_default()
        )
    };
    ex.reason = format!("marrow blasts {bm}% (≥ 5%); PR not met: {why}: no response");
    Graded::Value {
        value: ElnResponse::NoResponse,
        explanation: ex,
    }
}

/// PR (M-4): blasts 5–25 % reduced by ≥ 50 % from `pre`, with the CR counts.
fn partial_response(
    bm: f64,
    pre: f64,
    cr_counts: Option<bool>,
    mut ex: Explanation,
) -> Graded<ElnResponse> {
    let Some(true) = cr_counts else {
        ex.reason = "PR needs the CR count criteria".into();
        return Graded::InsufficientData {
            missing: vec!["ANC and platelets".into()],
            explanation: ex,
        };
    };
    ex.evidence.push(Evidence::value(
        None,
        "pretreatment_bm_blasts",
        pre,
        Some(Unit::Percent),
        "pretreatment marrow blasts",
    ));
    ex.flags.push(Flag::new(
        "M-4",
        "PR = 5 ≤ blasts ≤ 25, reduction ≥ 50% from pretreatment, CR counts",
    ));
    ex.reason = format!("marrow blasts {bm}% reduced from {pre}% (≥ 50%), CR counts met: PR");
    Graded::Value {
        value: ElnResponse::Pr,
        explanation: ex,
    }
}

/// Therapy intensity, for the refractory landmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TherapyLandmark {
    /// Intensive induction: landmark after 2 courses.
    Intensive {
        /// Courses completed at the last assessment.
        courses_completed: u32,
    },
    /// Less-intensive therapy: landmark 180 days after start (\[R\]).
    LessIntensive {
        /// Start of therapy.
        start: Date,
    },
}

/// Refractory disease at the landmark: no CR, CRh or CRi by then.
/// `responses` are (assessment date, response) pairs up to `as_of`.
pub fn refractory_at_landmark(
    responses: &[(Date, ElnResponse)],
    therapy: TherapyLandmark,
    as_of: Date,
) -> Graded<bool> {
    let mut ex = Explanation {
        rule: "ELN 2022 refractory disease",
        version: ELN_RESPONSE_VERSION,
        citations: vec![ELN_2022_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: Vec::new(),
    };
    let (reached, cutoff) = match therapy {
        TherapyLandmark::Intensive { courses_completed } => (courses_completed >= 2, None),
        TherapyLandmark::LessIntensive { start } => {
            ex.flags.push(Flag::new(
                "ELN-180d",
                "180-day landmark for less-intensive therapy [R]",
            ));
            (
                as_of.days_since(start).get() >= 180,
                Some(start.add_days(180)),
            )
        }
    };
    let best = responses
        .iter()
        .filter(|(d, _)| *d <= as_of && cutoff.is_none_or(|c| *d <= c))
        .find(|(_, r)| r.is_cr_family());
    if let Some((d, r)) = best {
        ex.evidence
            .push(Evidence::finding(Some(*d), "eln_response", r.text()));
        ex.reason = format!("{} on {d}: not refractory", r.text());
        return Graded::Value {
            value: false,
            explanation: ex,
        };
    }
    if !reached {
        ex.reason = "response landmark not reached yet".into();
        return Graded::NotApplicable {
            reason: ex.reason.clone(),
            explanation: ex,
        };
    }
    ex.reason = "no CR, CRh or CRi by the response landmark: refractory".into();
    Graded::Value {
        value: true,
        explanation: ex,
    }
}

/// Refractory disease at the landmark, given also the first remission the
/// course documents after first-line induction and before any later line
/// (`remission`: date and words, e.g. "CR" or a morphologic remission whose
/// blood counts were not recorded). A remission on or before the landmark
/// means not refractory, whether or not the landmark has been reached: ELN
/// 2022 calls refractory only a patient without CR, CRh or CRi by then.
pub fn refractory_given_remission(
    responses: &[(Date, ElnResponse)],
    therapy: TherapyLandmark,
    as_of: Date,
    remission: Option<(Date, &str)>,
) -> Graded<bool> {
    let g = refractory_at_landmark(responses, therapy, as_of);
    if g.value() == Some(&false) {
        return g;
    }
    let landmark = match therapy {
        TherapyLandmark::Intensive { courses_completed } if courses_completed >= 2 => Some(as_of),
        TherapyLandmark::Intensive { .. } => None,
        TherapyLandmark::LessIntensive { start } => Some(start.add_days(180)),
    };
    let Some((d, words)) = remission.filter(|(d, _)| landmark.is_none_or(|l| *d <= l)) else {
        return g;
    };
    let mut ex = g.explanation().clone();
    ex.evidence
        .push(Evidence::finding(Some(d), "eln_remission", words));
    ex.reason = format!("{words} on {d}, before the response landmark: not refractory");
    Graded::Value {
        value: false,
        explanation: ex,
    }
}

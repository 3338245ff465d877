//! Donor chimerism state per lineage and overall (ASTCT 2021 via Sureda
//! 2024; CIBMTR alternative), and which graft dominates a multi-donor graft.
//!
//! * Full donor: > 95 % donor (ASTCT default; ≥ 95 % configurable, E-5).
//! * Mixed: 5–95 % donor (both ends inclusive; 5.0 is mixed, 4.9 is loss).
//! * Loss of donor chimerism: < 5 % donor.
//! * Overall full donor chimerism needs full donor in **both** a myeloid
//!   (myeloid, CD34) and a lymphoid (CD3, CD19, CD56) fraction (E-6);
//!   otherwise lineage states that differ are reported as split chimerism.
//! * Donor % = sum over donor sources (§4.2); if a sample lists only the
//!   recipient, donor % = 100 − recipient %.

use graftwatch_core::{Citation, Date, DonorId, Lineage, Percent, PersonRef, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::engraftment::SUREDA_2024_CITATION;
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::ValueError;

/// CIBMTR alternative reading (≥ 95 %).
pub const CIBMTR_CHIMERISM_CITATION: Citation = Citation {
    source: "CIBMTR Forms Instruction Manual, AML response criteria (pediatric post-HCT CR)",
    year: 2024,
    table: "complete donor chimerism (≥ 95% donor, no recipient cells detected)",
    doi: None,
    provenance: Provenance::Verified,
    note: "Conflicts with ASTCT '> 95%'; selectable with chimerism.full_donor_rule = \"at_least95\" (E-5). \
           Mixed 5-95% and loss < 5% are [R] (the harmonised table cell was truncated).",
};

/// Rule version.
pub const CHIMERISM_STATE_VERSION: &str = "ASTCT 2021 chimerism categories (E-5, E-6 defaults)";

/// Boundary for full donor chimerism (E-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FullDonorRule {
    /// ASTCT: donor % > 95 (95.0 is mixed). Default.
    #[default]
    GreaterThan95,
    /// CIBMTR pediatric CR text: donor % ≥ 95.
    AtLeast95,
}

/// Chimerism configuration; `Default` is the ASTCT reading.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChimerismConfig {
    /// E-5.
    pub full_donor_rule: FullDonorRule,
}

/// One person's share in a sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonShare {
    /// Recipient or donor.
    pub person: PersonRef,
    /// Share of cells.
    pub percent: Percent,
}

/// A chimerism result on one lineage at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChimerismSample {
    /// Sample date.
    pub date: Date,
    /// Cell fraction.
    pub lineage: Lineage,
    /// Shares by person (any subset; see module docs).
    pub shares: Vec<PersonShare>,
}

/// Chimerism category of one lineage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChimerismCategory {
    /// Full donor (> 95 % by default).
    FullDonor,
    /// Mixed (5–95 %).
    Mixed,
    /// Loss of donor chimerism (< 5 %).
    LossOfDonor,
}

impl ChimerismCategory {
    /// In words: `full donor`, `mixed`, `loss of donor`.
    pub fn text(self) -> &'static str {
        match self {
            ChimerismCategory::FullDonor => "full donor",
            ChimerismCategory::Mixed => "mixed",
            ChimerismCategory::LossOfDonor => "loss of donor",
        }
    }
}

/// A donor percentage in text with enough decimals that it never reads as
/// the other side of a category boundary (5 % and 95 %): `95.01` stays
/// `95.01`, never a rounded `95.0` next to a full-donor call.
pub fn percent_text(v: impl Into<f64>) -> String {
    let v: f64 = v.into();
    for d in 1..=6usize {
        let t = format!("{v:.d$}");
        let r: f64 = t.parse().unwrap_or(v);
        let same = |b: f64| (r > b) == (v > b) && (r < b) == (v < b);
        if same(FULL_DONOR_BOUNDARY.get()) && same(LOSS_OF_DONOR_BELOW.get()) {
            return t;
        }
    }
    format!("{v}")
}

/// The full-donor boundary (Sureda 2024 / ASTCT: > 95 %; CIBMTR option
/// ≥ 95 %, [`FullDonorRule`]).
pub const FULL_DONOR_BOUNDARY: Percent = Percent::lit(95.0);
/// Loss of donor chimerism is donor < 5 % (5.0 is mixed; E-8 uses the same
/// boundary for graft rejection).
pub const LOSS_OF_DONOR_BELOW: Percent = Percent::lit(5.0);

/// Whether a donor share is full donor against `boundary` under the E-5
/// rule: ASTCT (default) donor > boundary, so exactly 95.0 % is mixed;
/// CIBMTR donor ≥ boundary. The one comparison behind `grade`'s chimerism
/// state ([`categorize`], boundary [`FULL_DONOR_BOUNDARY`]) and the DLI
/// mixed-chimerism trigger (`dli`, boundary 100 − its recipient threshold).
pub fn is_full_donor(donor_percent: Percent, boundary: Percent, rule: FullDonorRule) -> bool {
    match rule {
        FullDonorRule::GreaterThan95 => donor_percent > boundary,
        FullDonorRule::AtLeast95 => donor_percent >= boundary,
    }
}

impl FullDonorRule {
    /// The comparison a full donor share passes, in words: `>` (ASTCT) or
    /// `>=` (CIBMTR).
    pub fn full_op(self) -> &'static str {
        match self {
            FullDonorRule::GreaterThan95 => ">",
            FullDonorRule::AtLeast95 => "≥ ",
        }
    }
}

/// Category of a donor percentage.
pub fn categorize(donor_percent: Percent, cfg: &ChimerismConfig) -> ChimerismCategory {
    let full = is_full_donor(donor_percent, FULL_DONOR_BOUNDARY, cfg.full_donor_rule);
    if full {
        ChimerismCategory::FullDonor
    } else if donor_percent >= LOSS_OF_DONOR_BELOW {
        ChimerismCategory::Mixed
    } else {
        ChimerismCategory::LossOfDonor
    }
}

/// The donor with the largest share in a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DominantGraft {
    /// Donor (graft) id.
    pub donor: DonorId,
    /// Its share.
    pub percent: Percent,
    /// Next-largest donor share (0 if single donor).
    pub runner_up_percent: Percent,
}

/// State of one lineage at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageChimerism {
    /// Sample date.
    pub date: Date,
    /// Lineage.
    pub lineage: Lineage,
    /// Total donor % (sum over donors).
    pub donor_percent: Percent,
    /// Category.
    pub category: ChimerismCategory,
    /// Largest donor when donors are named (ties → `None`).
    pub dominant: Option<DominantGraft>,
}

fn explanation(rule: &'static str, cfg: &ChimerismConfig) -> Explanation {
    let rule_text = match cfg.full_donor_rule {
        FullDonorRule::GreaterThan95 => "full donor = > 95% (ASTCT)",
        FullDonorRule::AtLeast95 => "full donor = ≥ 95% (CIBMTR option)",
    };
    Explanation {
        rule,
        version: CHIMERISM_STATE_VERSION,
        citations: vec![SUREDA_2024_CITATION, CIBMTR_CHIMERISM_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new("E-5", rule_text)],
    }
}

/// Donor % of a sample, validating the shares.
pub fn donor_percent(s: &ChimerismSample) -> Result<Percent, ValueError> {
    let inconsistent = |detail: String| ValueError::Inconsistent {
        what: "chimerism",
        date: Some(s.date),
        detail,
    };
    if s.shares.is_empty() {
        return Err(inconsistent(format!("{} sample has no shares", s.lineage)));
    }
    for (i, a) in s.shares.iter().enumerate() {
        if s.shares[..i].iter().any(|b| b.person == a.person) {
            return Err(inconsistent(format!(
                "{} listed twice in the {} sample",
                a.person, s.lineage
            )));
        }
    }
    let total: f64 = s.shares.iter().map(|p| p.percent.get()).sum();
    if total > 100.5 {
        return Err(inconsistent(format!(
            "{} shares sum to {total:.2}%, more than 100%",
            s.lineage
        )));
    }
    let donors: Vec<f64> = s
        .shares
        .iter()
        .filter(|p| p.person != PersonRef::Recipient)
        .map(|p| p.percent.get())
        .collect();
    Ok(if donors.is_empty() {
        s.shares[0].percent.complement()
    } else {
        // Each share is in 0–100, so the sum is ≥ 0; the sum is bounded
        // at 100 (rounding in the lab's report may take it a little over).
        Percent::clamp(donors.iter().sum::<f64>()).unwrap_or(Percent::HUNDRED)
    })
}

/// The dominant donor of a sample with named donors.
pub fn dominant_graft(s: &ChimerismSample) -> Option<DominantGraft> {
    let mut donors: Vec<(&DonorId, Percent)> = s
        .shares
        .iter()
        .filter_map(|p| match &p.person {
            PersonRef::Donor(d) => Some((d, p.percent)),
            PersonRef::Recipient => None,
        })
        .collect();
    donors.sort_by(|a, b| b.1.get().total_cmp(&a.1.get()));
    let first = donors.first()?;
    let second = donors.get(1).map_or(Percent::ZERO, |d| d.1);
    if second == first.1 {
        return None;
    }
    Some(DominantGraft {
        donor: first.0.clone(),
        percent: first.1,
        runner_up_percent: second,
    })
}

/// The category of one sample without its explanation (what
/// [`lineage_chimerism`] explains).
pub fn lineage_value(
    s: &ChimerismSample,
    cfg: &ChimerismConfig,
) -> Result<LineageChimerism, ValueError> {
    let donor_percent = donor_percent(s)?;
    Ok(LineageChimerism {
        date: s.date,
        lineage: s.lineage,
        donor_percent,
        category: categorize(donor_percent, cfg),
        dominant: dominant_graft(s),
    })
}

/// Categorises one sample.
pub fn lineage_chimerism(
    s: &ChimerismSample,
    cfg: &ChimerismConfig,
) -> Result<Graded<LineageChimerism>, ValueError> {
    let value = lineage_value(s, cfg)?;
    let (pct, category, dominant) = (value.donor_percent, value.category, &value.dominant);
    let mut ex = explanation("Donor chimerism category (one lineage)", cfg);
    ex.evidence.push(Evidence::value(
        Some(s.date),
        format!("donor_chimerism_{}", s.lineage),
        pct.get(),
        Some(Unit::Percent),
        format!("{} donor % on {}", s.lineage.label(), s.date),
    ));
    let n_donors = s
        .shares
        .iter()
        .filter(|p| p.person != PersonRef::Recipient)
        .count();
    if n_donors > 1 {
        for p in &s.shares {
            ex.evidence.push(Evidence::value(
                Some(s.date),
                format!("chimerism_{}_{}", s.lineage, p.person),
                p.percent.get(),
                Some(Unit::Percent),
                format!("{} share in {}", p.person, s.lineage.label()),
            ));
        }
        match dominant {
            Some(d) => ex.flags.push(Flag::new(
                "GF-combined",
                format!(
                    "dual graft: {} dominates {} on {} ({}% vs {}%)",
                    d.donor,
                    s.lineage,
                    s.date,
                    percent_text(d.percent),
                    percent_text(d.runner_up_percent)
                ),
            )),
            None => ex.flags.push(Flag::new(
                "GF-combined",
                format!(
                    "dual graft: donors tie in {} on {}",
                    s.lineage.label(),
                    s.date
                ),
            )),
        }
    }
    ex.reason = format!(
        "{} donor {}% on {}: {}",
        s.lineage,
        percent_text(pct),
        s.date,
        category.text()
    );
    Ok(Graded::Value {
        value,
        explanation: ex,
    })
}

/// Overall state across lineages at one time point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OverallChimerismState {
    /// Full donor in both myeloid and lymphoid fractions.
    FullDonor,
    /// Mixed in both.
    Mixed,
    /// Loss of donor chimerism in both.
    LossOfDonor,
    /// Lineages differ (E-6: "mixed (split)").
    Split {
        /// Myeloid category (lowest donor % among myeloid fractions).
        myeloid: ChimerismCategory,
        /// Lymphoid category (lowest donor % among lymphoid fractions).
        lymphoid: ChimerismCategory,
    },
}

impl OverallChimerismState {
    /// In words: `full donor`, `mixed`, `loss of donor`, `split (myeloid …,
    /// lymphoid …)`.
    pub fn text(&self) -> String {
        match self {
            OverallChimerismState::FullDonor => "full donor".into(),
            OverallChimerismState::Mixed => "mixed".into(),
            OverallChimerismState::LossOfDonor => "loss of donor".into(),
            OverallChimerismState::Split { myeloid, lymphoid } => format!(
                "split (myeloid {}, lymphoid {})",
                myeloid.text(),
                lymphoid.text()
            ),
        }
    }
}

/// Overall chimerism with per-lineage detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallChimerism {
    /// The state.
    pub state: OverallChimerismState,
    /// Every sample, categorised.
    pub lineages: Vec<LineageChimerism>,
}

/// The overall state of one time point without its explanation (what
/// [`overall_chimerism`] explains): `Ok(Err(missing))` when the samples lack
/// a myeloid or a lymphoid fraction.
pub fn overall_value(
    samples: &[ChimerismSample],
    cfg: &ChimerismConfig,
) -> Result<Result<OverallChimerism, Vec<String>>, ValueError> {
    let lineages = samples
        .iter()
        .map(|s| lineage_value(s, cfg))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(overall_of(lineages))
}

/// The lowest-donor sample of each side (E-6: each group is represented by
/// its lowest donor %): `(myeloid, lymphoid)`.
fn worst_of_each(
    lineages: &[LineageChimerism],
) -> (Option<&LineageChimerism>, Option<&LineageChimerism>) {
    let worst = |f: fn(Lineage) -> bool| {
        lineages
            .iter()
            .filter(|l| f(l.lineage))
            .min_by(|a, b| a.donor_percent.total_cmp(&b.donor_percent))
    };
    (worst(Lineage::is_myeloid), worst(Lineage::is_lymphoid))
}

/// The overall state of categorised samples, or what is missing for it.
fn overall_of(lineages: Vec<LineageChimerism>) -> Result<OverallChimerism, Vec<String>> {
    let (my, ly) = worst_of_each(&lineages);
    let (Some(my), Some(ly)) = (my, ly) else {
        let mut missing = Vec::new();
        if my.is_none() {
            missing.push("myeloid (CD33/CD15/CD66 or CD34) chimerism".to_string());
        }
        if ly.is_none() {
            missing.push("lymphoid (CD3) chimerism".to_string());
        }
        return Err(missing);
    };
    let state = match (my.category, ly.category) {
        (a, b) if a == b => match a {
            ChimerismCategory::FullDonor => OverallChimerismState::FullDonor,
            ChimerismCategory::Mixed => OverallChimerismState::Mixed,
            ChimerismCategory::LossOfDonor => OverallChimerismState::LossOfDonor,
        },
        (a, b) => OverallChimerismState::Split {
            myeloid: a,
            lymphoid: b,
        },
    };
    Ok(OverallChimerism { state, lineages })
}

/// Overall state from the samples of one time point (E-6). Needs at least one
/// myeloid and one lymphoid fraction; each group is represented by its lowest
/// donor %.
pub fn overall_chimerism(
    samples: &[ChimerismSample],
    cfg: &ChimerismConfig,
) -> Result<Graded<OverallChimerism>, ValueError> {
    let mut ex = explanation("Overall donor chimerism (myeloid and lymphoid)", cfg);
    ex.flags.push(Flag::new(
        "E-6",
        "full donor chimerism requires > 95% donor in both myeloid and lymphoid fractions",
    ));
    let mut lineages = Vec::with_capacity(samples.len());
    for s in samples {
        if let Graded::Value { value, explanation } = lineage_chimerism(s, cfg)? {
            ex.evidence.extend(explanation.evidence);
            lineages.push(value);
        }
    }
    let value = match overall_of(lineages) {
        Ok(v) => v,
        Err(missing) => {
            ex.reason = "overall state needs both a myeloid and a lymphoid fraction (unsorted blood or marrow alone is reported per lineage only)".into();
            return Ok(Graded::InsufficientData {
                missing,
                explanation: ex,
            });
        }
    };
    // "myeloid (CD34+ cells) 98% donor", but "myeloid cells (CD33+) 98%
    // donor", not "myeloid (myeloid cells (CD33+))".
    let side = |role: &str, label: &str| match label.starts_with(role) {
        true => label.to_string(),
        false => format!("{role} ({label})"),
    };
    if let (Some(my), Some(ly)) = worst_of_each(&value.lineages) {
        ex.reason = format!(
            "{} {}% donor, {} {}% donor: {}",
            side("myeloid", my.lineage.label()),
            percent_text(my.donor_percent),
            side("lymphoid", ly.lineage.label()),
            percent_text(ly.donor_percent),
            value.state.text()
        );
    }
    Ok(Graded::Value {
        value,
        explanation: ex,
    })
}

#[cfg(test)]
mod percent_text_tests {
    use super::percent_text;

    #[test]
    fn precision_never_crosses_a_category_boundary() {
        assert_eq!(percent_text(95.01), "95.01");
        assert_eq!(percent_text(95.0), "95.0");
        assert_eq!(percent_text(94.99), "94.99");
        assert_eq!(percent_text(95.0001), "95.0001");
        assert_eq!(percent_text(4.96), "4.96");
        assert_eq!(percent_text(5.0), "5.0");
        assert_eq!(percent_text(100.0), "100.0");
        assert_eq!(percent_text(37.26), "37.3");
    }
}

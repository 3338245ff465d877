//! MAGIC acute-GVHD organ staging from raw findings and the overall grade as a
//! top-down pattern rule (Harris et al. 2016).
//!
//! Staging table (clinical-criteria.md §1.1, with engine decisions 1 and 8
//! and ambiguity defaults A-1 … A-9):
//!
//! | stage | skin (rounded BSA) | liver (bilirubin mg/dL) | upper GI | lower GI adult (mL/day) | lower GI child (mL/kg/day) |
//! |---|---|---|---|---|---|
//! | 0 | 0 | < 2.0 | not persistent | < 500 | < 10 |
//! | 1 | 1–24 | 2.0–3.0 | persistent ≥ 3 days | 500–999 | 10–19.9 |
//! | 2 | 25–50 | > 3.0 – 6.0 | – | > 999 – 1500 | > 19.9 – 30 |
//! | 3 | > 50 | > 6.0 – 15.0 | – | > 1500 | > 30 |
//! | 4 | > 50 + bullae + desquamation > 5 | > 15.0 | – | bloody stool / severe pain (/ ileus) | same |
//!
//! Grade (§1.2), evaluated IV → 0, first match wins; never max(stage):
//! IV skin/liver/lower-GI 4; III liver or lower-GI 2–3; II skin 3, liver 1,
//! upper GI 1 or lower GI 1; I skin 1–2; else 0.

use graftwatch_core::{Citation, Date, Provenance};
use serde::Serialize;

use super::bounds::{ge, gt, round_half_up};
use super::findings::{
    Attribution, DayFindings, FindingError, LiverFinding, LowerGiFinding, SkinFinding,
    UpperGiFinding,
};
use super::stage::{Basis, Organ, Stage, StageCall, flags};
use super::{GvhdConfig, OtherCausePolicy, StoolPrecedence};
use crate::{Evidence, Explanation, Flag, Graded};

/// Citations for MAGIC staging and grading.
pub const MAGIC_CITATIONS: [Citation; 2] = [
    Citation {
        source: "Harris AC et al. Biol Blood Marrow Transplant 2016;22(1):4-10",
        year: 2016,
        table: "Table 1 (organ staging) and overall grade",
        doi: Some("10.1016/j.bbmt.2015.09.001"),
        provenance: Provenance::Secondary,
        note: "Stage table agrees across BMJ Best Practice, NCI PDQ/COG and a JS transcription [S]; grade pattern rule [S]+[R]. Band gaps go to the higher stage (engine decision 1).",
    },
    Citation {
        source: "Harris AC et al. Blood 2015;126:3154 (MAGIC guidelines for standardization of acute GVHD, ASH abstract)",
        year: 2015,
        table: "abstract: measurement rules",
        doi: None,
        provenance: Provenance::Verified,
        note: "Only erythema/bullae/desquamation quantified; upper GI ≥ 3 days; unquantified stool episodes 200 mL (3 mL/kg < 50 kg); onset = highest stool of the 3 days before diagnosis, later 3-day average. Confirm against the 2016 paper.",
    },
];

/// Rule version string.
pub const MAGIC_VERSION: &str = "MAGIC 2016 (Harris et al.)";

/// The four MAGIC organ stages, all known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct OrganStages {
    /// Skin 0–4.
    pub skin: Stage,
    /// Liver 0–4.
    pub liver: Stage,
    /// Upper GI 0–1.
    pub upper_gi: Stage,
    /// Lower GI 0–4.
    pub lower_gi: Stage,
}

/// MAGIC overall grade 0–IV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MagicGrade {
    /// No acute GVHD.
    #[serde(rename = "0")]
    Zero,
    /// Grade I.
    I,
    /// Grade II.
    II,
    /// Grade III.
    III,
    /// Grade IV.
    IV,
}

impl MagicGrade {
    /// Roman numeral (or `0`).
    pub fn as_str(self) -> &'static str {
        match self {
            MagicGrade::Zero => "0",
            MagicGrade::I => "I",
            MagicGrade::II => "II",
            MagicGrade::III => "III",
            MagicGrade::IV => "IV",
        }
    }
}

impl std::fmt::Display for MagicGrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The MAGIC grade pattern rule, evaluated top-down (IV → 0). Returns the
/// grade, the rule text and a bit mask (bit = [`Organ::index`]) of the organs
/// that matched the rule. Allocation-free.
pub fn magic_rule(s: &OrganStages) -> (MagicGrade, &'static str, u8) {
    let (sk, li, ug, lg) = (
        s.skin.get(),
        s.liver.get(),
        s.upper_gi.get(),
        s.lower_gi.get(),
    );
    let bit = |o: Organ, c: bool| if c { 1u8 << o.index() } else { 0 };
    let iv = bit(Organ::Skin, sk == 4) | bit(Organ::Liver, li == 4) | bit(Organ::LowerGi, lg == 4);
    if iv != 0 {
        return (
            MagicGrade::IV,
            "stage 4 skin, liver or lower GI gives grade IV",
            iv,
        );
    }
    let iii = bit(Organ::Liver, (2..=3).contains(&li)) | bit(Organ::LowerGi, (2..=3).contains(&lg));
    if iii != 0 {
        return (
            MagicGrade::III,
            "stage 2-3 liver and/or stage 2-3 lower GI gives grade III",
            iii,
        );
    }
    let ii = bit(Organ::Skin, sk == 3)
        | bit(Organ::Liver, li == 1)
        | bit(Organ::UpperGi, ug >= 1)
        | bit(Organ::LowerGi, lg == 1);
    if ii != 0 {
        return (
            MagicGrade::II,
            "stage 3 skin and/or stage 1 liver, upper GI or lower GI gives grade II",
            ii,
        );
    }
    if (1..=2).contains(&sk) {
        return (
            MagicGrade::I,
            "stage 1-2 skin without liver or GI involvement gives grade I",
            bit(Organ::Skin, true),
        );
    }
    (MagicGrade::Zero, "no organ at stage 1-4 gives grade 0", 0)
}

/// The MAGIC grade (fast path).
pub fn magic_grade(s: &OrganStages) -> MagicGrade {
    magic_rule(s).0
}

fn attribution_flags(a: Attribution) -> u16 {
    match a {
        Attribution::Multifactorial => flags::MULTIFACTORIAL,
        _ => 0,
    }
}

fn excluded(organ: Organ, date: Date) -> StageCall {
    StageCall {
        organ,
        stage: Stage::S0,
        basis: Basis::ExcludedOtherCause,
        value: 0.0,
        date,
        flags: flags::OTHER_CAUSE,
    }
}

/// Skin stage from a raw finding (BSA rounded half-up; stage 4 needs > 50%
/// BSA with bullae and desquamation > 5%).
pub fn stage_skin(f: &SkinFinding, date: Date) -> StageCall {
    if f.attribution == Attribution::OtherCause {
        return excluded(Organ::Skin, date);
    }
    let bsa = round_half_up(f.erythema_bsa_pct);
    let mut fl = attribution_flags(f.attribution);
    if bsa != f.erythema_bsa_pct {
        fl |= flags::ROUNDED;
    }
    let desq = round_half_up(f.desquamation_bsa_pct);
    let stage = if bsa > 50.0 {
        if f.bullae && desq > 5.0 {
            return StageCall {
                organ: Organ::Skin,
                stage: Stage::S4,
                basis: Basis::SkinBullaeDesquamation,
                value: desq,
                date,
                flags: fl,
            };
        }
        if f.bullae && desq > 0.0 {
            fl |= flags::DESQ_AT_5;
        }
        Stage::S3
    } else if bsa >= 25.0 {
        Stage::S2
    } else if bsa >= 1.0 {
        Stage::S1
    } else {
        Stage::S0
    };
    StageCall {
        organ: Organ::Skin,
        stage,
        basis: Basis::SkinBsa,
        value: bsa,
        date,
        flags: fl,
    }
}

/// Liver stage from total bilirubin in mg/dL (A-1: gaps 3.0–3.1 and 6.0–6.1
/// go to the higher stage).
pub fn stage_bilirubin(mg_dl: f64) -> (Stage, bool) {
    if gt(mg_dl, 15.0) {
        (Stage::S4, false)
    } else if gt(mg_dl, 6.0) {
        (Stage::S3, mg_dl < 6.1)
    } else if gt(mg_dl, 3.0) {
        (Stage::S2, mg_dl < 3.1)
    } else if ge(mg_dl, 2.0) {
        (Stage::S1, false)
    } else {
        (Stage::S0, false)
    }
}

/// Liver stage from a raw finding.
pub fn stage_liver(f: &LiverFinding, date: Date, cfg: &GvhdConfig) -> StageCall {
    let mut fl = attribution_flags(f.attribution);
    if f.attribution == Attribution::OtherCause {
        match cfg.liver_other_cause {
            OtherCausePolicy::Exclude => return excluded(Organ::Liver, date),
            OtherCausePolicy::Stage => fl |= flags::OTHER_CAUSE_STAGED,
        }
    }
    let (stage, gap) = stage_bilirubin(f.bilirubin_mg_dl);
    if gap {
        fl |= flags::GAP;
    }
    StageCall {
        organ: Organ::Liver,
        stage,
        basis: Basis::Bilirubin,
        value: f.bilirubin_mg_dl,
        date,
        flags: fl,
    }
}

/// Upper-GI stage: 1 when this day's symptoms qualify and have lasted at
/// least `cfg.upper_gi_persistent_days` days; `duration_days` includes
/// this day.
pub fn stage_upper_gi(
    f: &UpperGiFinding,
    duration_days: u32,
    date: Date,
    cfg: &GvhdConfig,
) -> StageCall {
    if f.attribution == Attribution::OtherCause {
        return excluded(Organ::UpperGi, date);
    }
    let mut fl = attribution_flags(f.attribution);
    let q = f.qualifying();
    let stage = if q && duration_days >= cfg.upper_gi_persistent_days {
        Stage::S1
    } else {
        if q {
            fl |= flags::NOT_PERSISTENT;
        }
        Stage::S0
    };
    let days = if q { f64::from(duration_days) } else { 0.0 };
    StageCall {
        organ: Organ::UpperGi,
        stage,
        basis: Basis::UpperGiSymptoms,
        value: days,
        date,
        flags: fl,
    }
}

/// Lower-GI stage from a daily stool value (adult mL/day or child mL/kg/day),
/// with the gap flag (decision 1: 999.5 mL → 2; 19.95 mL/kg → 2).
pub fn stage_stool(value: f64, child: bool) -> (Stage, bool) {
    let (s1, s1_hi, s2_hi) = if child {
        (10.0, 19.9, 30.0)
    } else {
        (500.0, 999.0, 1500.0)
    };
    if gt(value, s2_hi) {
        (Stage::S3, false)
    } else if gt(value, s1_hi) {
        let gap_hi = if child { 20.0 } else { 1000.0 };
        (Stage::S2, value < gap_hi && !ge(value, gap_hi))
    } else if ge(value, s1) {
        (Stage::S1, false)
    } else {
        (Stage::S0, false)
    }
}

/// One day's stool quantity ready for staging or averaging.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoolValue {
    /// mL/day (adult) or mL/kg/day (child).
    pub value: f64,
    /// Child criteria.
    pub child: bool,
    /// Measured volume or episode equivalent.
    pub basis: Basis,
    /// [`flags`] bits (EPISODES, MAX_OF_BOTH, CHILD).
    pub flags: u16,
}

/// Why an organ could not be staged on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganMissing {
    /// No finding for the organ (within the carry-forward window).
    NotAssessed,
    /// Stool quantity present but no body weight to choose adult/child
    /// criteria. `at_least`: the lower of the adult stage and the
    /// child stage at a weight just under the cut-off (the least mL/kg a
    /// child could have), which the stage is whatever the weight.
    Weight {
        /// Lower bound of the lower-GI stage.
        at_least: Stage,
    },
    /// Upper-GI symptoms present but their duration is unknown.
    UpperGiDuration,
    /// Lower-GI finding without volume, episodes or stage-4 feature.
    StoolQuantity,
}

impl OrganMissing {
    /// What is missing, in words.
    pub fn text(self, organ: Organ) -> String {
        match self {
            OrganMissing::NotAssessed => format!("{} finding", organ.name()),
            OrganMissing::Weight { .. } => {
                "body weight (needed to choose adult or child stool criteria, A-3)".into()
            }
            OrganMissing::UpperGiDuration => {
                "duration of upper-GI symptoms (persistence needs ≥ 3 days, A-9)".into()
            }
            OrganMissing::StoolQuantity => "liquid stool volume or episode count".into(),
        }
    }
}

impl OrganMissing {
    /// The least stage the organ can have: stage 0, or for a stool quantity
    /// without a body weight the stage it has whatever the weight.
    pub fn at_least(self) -> Stage {
        match self {
            OrganMissing::Weight { at_least } => at_least,
            _ => Stage::S0,
        }
    }
}

/// The day's stool quantity: measured volume first, episodes at 200 mL
/// (3 mL/kg) otherwise; `MaxOfBoth` takes the higher. Child criteria
/// when weight < `cfg.child_weight_cut_kg`. `Ok(None)` when the finding
/// has neither volume nor episodes. Without a weight, `OrganMissing::Weight`
/// with the stage the quantity has under either criteria.
pub fn stool_value(
    f: &LowerGiFinding,
    weight_kg: Option<f64>,
    cfg: &GvhdConfig,
) -> Result<Option<StoolValue>, OrganMissing> {
    if f.stool_ml.is_none() && f.episodes.is_none() {
        return Ok(None);
    }
    let Some(w) = weight_kg else {
        let cut = cfg.child_weight_cut_kg;
        let stage = |child| {
            stool_value_at(f, child, cut, cfg)
                .map_or(Stage::S0, |v| stage_stool(v.value, v.child).0)
        };
        return Err(OrganMissing::Weight {
            at_least: stage(false).min(stage(true)),
        });
    };
    Ok(stool_value_at(f, w < cfg.child_weight_cut_kg, w, cfg))
}

/// [`stool_value`] for a known weight `w` and criteria (`child`).
fn stool_value_at(f: &LowerGiFinding, child: bool, w: f64, cfg: &GvhdConfig) -> Option<StoolValue> {
    let per_episode = if child { 3.0 } else { 200.0 };
    let measured = f.stool_ml.map(|ml| if child { ml / w } else { ml });
    let from_episodes = f.episodes.map(|e| f64::from(e) * per_episode);
    let child_flag = if child { flags::CHILD } else { 0 };
    let v = match (measured, from_episodes, cfg.stool_precedence) {
        (Some(m), Some(e), StoolPrecedence::MaxOfBoth) if e > m => StoolValue {
            value: e,
            child,
            basis: Basis::StoolEpisodes,
            flags: child_flag | flags::MAX_OF_BOTH,
        },
        (Some(m), Some(_), StoolPrecedence::MaxOfBoth) => StoolValue {
            value: m,
            child,
            basis: Basis::StoolVolume,
            flags: child_flag | flags::MAX_OF_BOTH,
        },
        (Some(m), _, _) => StoolValue {
            value: m,
            child,
            basis: Basis::StoolVolume,
            flags: child_flag,
        },
        (None, Some(e), _) => StoolValue {
            value: e,
            child,
            basis: Basis::StoolEpisodes,
            flags: child_flag | flags::EPISODES,
        },
        (None, None, _) => return None,
    };
    Some(v)
}

/// Lower-GI stage from a raw finding and the stool value to stage (already
/// averaged by the timeline, or the day's own value). Stage-4 features win
/// regardless of volume.
pub fn stage_lower_gi(
    f: &LowerGiFinding,
    value: Option<StoolValue>,
    date: Date,
    cfg: &GvhdConfig,
) -> Result<StageCall, OrganMissing> {
    if f.attribution == Attribution::OtherCause {
        return Ok(excluded(Organ::LowerGi, date));
    }
    let af = attribution_flags(f.attribution);
    let s4 = |basis, extra| StageCall {
        organ: Organ::LowerGi,
        stage: Stage::S4,
        basis,
        value: 1.0,
        date,
        flags: af | extra,
    };
    if f.grossly_bloody {
        return Ok(s4(Basis::BloodyStool, 0));
    }
    if f.severe_pain {
        return Ok(s4(Basis::SeverePain, 0));
    }
    if f.ileus && cfg.ileus_alone_is_stage4 {
        return Ok(s4(Basis::Ileus, flags::ILEUS_ALONE));
    }
    let v = value.ok_or(OrganMissing::StoolQuantity)?;
    let (stage, gap) = stage_stool(v.value, v.child);
    let mut fl = af | v.flags;
    if gap {
        fl |= flags::GAP;
    }
    Ok(StageCall {
        organ: Organ::LowerGi,
        stage,
        basis: v.basis,
        value: v.value,
        date,
        flags: fl,
    })
}

/// Per-organ staging outcome of a day.
pub type OrganStatus = Result<StageCall, OrganMissing>;

/// The staged day: stages (missing organs `None`) and grade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MagicDay {
    /// Assessment date.
    pub date: Date,
    /// Skin stage.
    pub skin: Option<Stage>,
    /// Liver stage.
    pub liver: Option<Stage>,
    /// Upper-GI stage.
    pub upper_gi: Option<Stage>,
    /// Lower-GI stage.
    pub lower_gi: Option<Stage>,
    /// Overall MAGIC grade.
    pub grade: MagicGrade,
}

/// Outcome of grading a day from organ statuses, without explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayGrade {
    /// All organs known, or the known organs already give grade IV.
    Graded(MagicGrade),
    /// Some organ missing; the grade is at least this.
    AtLeast(MagicGrade),
}

impl DayGrade {
    /// The grade if determined.
    pub fn grade(self) -> Option<MagicGrade> {
        match self {
            DayGrade::Graded(g) => Some(g),
            DayGrade::AtLeast(_) => None,
        }
    }
}

/// Stages from statuses, missing organs as stage 0 (a lower bound, since the
/// grade rule is monotone).
pub fn lower_bound_stages(st: &[OrganStatus; 4]) -> OrganStages {
    let s = |i: usize| st[i].as_ref().map_or_else(|m| m.at_least(), |c| c.stage);
    OrganStages {
        skin: s(0),
        liver: s(1),
        upper_gi: s(2),
        lower_gi: s(3),
    }
}

/// Stages from statuses, missing organs at their maximum (4; upper GI 1):
/// an upper bound.
pub fn upper_bound_stages(st: &[OrganStatus; 4]) -> OrganStages {
    let s = |i: usize, max: Stage| st[i].as_ref().map(|c| c.stage).unwrap_or(max);
    OrganStages {
        skin: s(0, Stage::S4),
        liver: s(1, Stage::S4),
        upper_gi: s(2, Stage::S1),
        lower_gi: s(3, Stage::S4),
    }
}

/// Grade a day from organ statuses (fast path). With missing organs the
/// grade is still determined when the lower and upper bounds agree (e.g.
/// grade IV from the assessed organs, or grade III with only upper GI missing).
pub fn grade_statuses(st: &[OrganStatus; 4]) -> DayGrade {
    let g = magic_grade(&lower_bound_stages(st));
    if st.iter().all(|s| s.is_ok()) || g == magic_grade(&upper_bound_stages(st)) {
        DayGrade::Graded(g)
    } else {
        DayGrade::AtLeast(g)
    }
}

/// Builds the explained MAGIC result for one day from its organ statuses.
/// `extra` flags (e.g. from the timeline) are appended.
pub fn explain_statuses(date: Date, st: &[OrganStatus; 4], extra: &[Flag]) -> Graded<MagicDay> {
    let lb = lower_bound_stages(st);
    let (grade, rule, mask) = magic_rule(&lb);
    let OrganFacts {
        evidence,
        flags: mut fl,
        missing,
    } = organ_facts(st, mask);
    fl.extend_from_slice(extra);
    let day = MagicDay {
        date,
        skin: st[0].as_ref().ok().map(|c| c.stage),
        liver: st[1].as_ref().ok().map(|c| c.stage),
        upper_gi: st[2].as_ref().ok().map(|c| c.stage),
        lower_gi: st[3].as_ref().ok().map(|c| c.stage),
        grade,
    };
    let decisive = decisive_organs(st, mask);
    let reason = if decisive.is_empty() {
        format!("{date}: {rule}")
    } else {
        format!("{date}: {} -> {rule}", decisive.join(", "))
    };
    let mut explanation = Explanation {
        rule: "MAGIC acute GVHD grade",
        version: MAGIC_VERSION,
        citations: MAGIC_CITATIONS.to_vec(),
        reason,
        evidence,
        flags: fl,
    };
    if missing.is_empty() {
        Graded::Value {
            value: day,
            explanation,
        }
    } else if grade == magic_grade(&upper_bound_stages(st)) {
        explanation.flags.push(Flag::new(
            "MISSING-DETERMINED",
            format!(
                "grade {grade} whatever the organs not assessed show: {}",
                missing.join(", ")
            ),
        ));
        Graded::Value {
            value: day,
            explanation,
        }
    } else {
        explanation.reason = format!(
            "{date}: grade at least {grade} from the assessed organs; cannot grade without the missing organs"
        );
        Graded::InsufficientData {
            missing,
            explanation,
        }
    }
}

/// The evidence, flags and missing organs of one day's statuses.
struct OrganFacts {
    evidence: Vec<Evidence>,
    flags: Vec<Flag>,
    missing: Vec<String>,
}

/// Collects the evidence and flags of the staged organs, decisive organs
/// (bits of `mask`) first and marked so, then the others; and names the
/// organs not staged.
fn organ_facts(st: &[OrganStatus; 4], mask: u8) -> OrganFacts {
    let mut facts = OrganFacts {
        evidence: Vec::with_capacity(4),
        flags: Vec::new(),
        missing: Vec::new(),
    };
    for pass in [true, false] {
        for (i, s) in st.iter().enumerate() {
            let decisive = mask & (1 << i) != 0;
            match s {
                Ok(call) if decisive == pass => {
                    let mut e = call.evidence();
                    if decisive {
                        e.note = format!("decisive: {}", e.note);
                    }
                    facts.evidence.push(e);
                    call.push_flags(&mut facts.flags);
                }
                Err(m) if pass => facts.missing.push(m.text(Organ::ALL[i])),
                _ => {}
            }
        }
    }
    facts
}

/// The decisive organs (bits of `mask`) that were staged, in words:
/// `skin stage 3 on 2025-03-01`.
pub(crate) fn decisive_organs(st: &[OrganStatus; 4], mask: u8) -> Vec<String> {
    st.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .filter_map(|(_, s)| s.as_ref().ok())
        .map(|c| format!("{} stage {} on {}", c.organ.name(), c.stage, c.date))
        .collect()
}

/// Stages one day's raw findings in isolation (no timeline): the day's own
/// stool value (A-5 averaging applies only in [`super::timeline`]) and the
/// upper-GI duration stated in the finding.
pub fn stage_day(f: &DayFindings, cfg: &GvhdConfig) -> Result<[OrganStatus; 4], FindingError> {
    f.validate()?;
    let d = f.date;
    let skin = f
        .skin
        .as_ref()
        .map(|s| stage_skin(s, d))
        .ok_or(OrganMissing::NotAssessed);
    let liver = f
        .liver
        .as_ref()
        .map(|l| stage_liver(l, d, cfg))
        .ok_or(OrganMissing::NotAssessed);
    let upper = match &f.upper_gi {
        None => Err(OrganMissing::NotAssessed),
        Some(u) if u.attribution != Attribution::OtherCause && u.qualifying() => {
            match u.symptom_days {
                Some(n) => Ok(stage_upper_gi(u, n, d, cfg)),
                None => Err(OrganMissing::UpperGiDuration),
            }
        }
        Some(u) => Ok(stage_upper_gi(u, 0, d, cfg)),
    };
    let lower = match &f.lower_gi {
        None => Err(OrganMissing::NotAssessed),
        Some(g) if g.attribution == Attribution::OtherCause => stage_lower_gi(g, None, d, cfg),
        Some(g) => match stool_value(g, f.weight_kg, cfg) {
            Ok(v) => stage_lower_gi(g, v, d, cfg),
            // a stage-4 feature needs no weight
            Err(m) => stage_lower_gi(g, None, d, cfg)
                .ok()
                .filter(|c| c.stage == Stage::S4)
                .ok_or(m),
        },
    };
    Ok([skin, liver, upper, lower])
}

/// Grades one day's raw findings with a full explanation.
pub fn grade_day(f: &DayFindings, cfg: &GvhdConfig) -> Result<Graded<MagicDay>, FindingError> {
    let st = stage_day(f, cfg)?;
    let extra = [Flag::new(
        "A-5",
        "single-day grading: the day's own stool value is staged; onset-maximum and 3-day averaging apply only to a timeline",
    )];
    let needs =
        matches!(&st[3], Ok(c) if matches!(c.basis, Basis::StoolVolume | Basis::StoolEpisodes));
    Ok(explain_statuses(
        f.date,
        &st,
        if needs { &extra } else { &[] },
    ))
}

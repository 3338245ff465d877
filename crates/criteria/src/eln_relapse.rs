//! AML relapse after CR/CRh/CRi, ELN 2022 (\[R\]): hematologic relapse and
//! MRD relapse (ELN MRD 2021 update, Heuser 2021).
//!
//! Hematologic relapse: marrow blasts ≥ 5 % (M-3: 4.9 is not relapse, 5.0
//! is); or blasts in the blood in ≥ 2 samples ≥ 7 days apart; or new
//! extramedullary disease. Only observations after the remission date count.
//!
//! MRD relapse (after CR without MRD): conversion from MRD negative to
//! positive (any technique; MFC positive at ≥ 0.1 %), or a ≥ 1 log10 rise of
//! qPCR copy numbers between two positive samples when the earlier one is
//! low-level (< 2 %). Either must be confirmed by the next sample of the same
//! tissue within 4 weeks; until then the state is unconfirmed (M-6).
//! Chimerism-only relapse is not an ELN criterion (M-7) and is not assessed.

use graftwatch_core::{Citation, Date, Percent, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::eln_response::{ELN_2022_CITATION, marrow_blasts_clear};
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{DatedValue, ValueError, check_non_negative};

/// ELN MRD 2021 citation.
pub const ELN_MRD_2021_CITATION: Citation = Citation {
    source: "Heuser M et al. Blood 2021;138(26):2753-2767 (2021 update on MRD in AML, ELN MRD Working Party)",
    year: 2021,
    table: "MRD response and relapse definitions",
    doi: None,
    provenance: Provenance::Recalled,
    note: "MFC positive >= 0.1% of CD45+ cells; qPCR positive Ct < 40 in >= 2 of 3 replicates; MRD-LL < 2%; \
           >= 1 log10 rise; confirmation in a second consecutive sample within 4 weeks [R]. \
           Citation (Blood 2021;138(26):2753) confirmed 2026-11-25; thresholds not in the abstract.",
};

/// Flow-cytometry (MFC) MRD is positive at or above this % of CD45+ cells
/// (ELN MRD 2021, [`ELN_MRD_2021_CITATION`]). The one home of this
/// threshold: ELN response/relapse, the DLI MRD trigger and the report's
/// MRD-conversion alert all default to it.
pub const MFC_MRD_POSITIVE_PERCENT: Percent = Percent::lit(0.1);

/// Rule version.
pub const ELN_RELAPSE_VERSION: &str = "ELN 2022 / ELN MRD 2021 relapse [R] (M-3, M-6)";

/// Which hematologic criterion was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelapseCriterion {
    /// Marrow blasts ≥ 5 %.
    MarrowBlasts,
    /// Blood blasts in ≥ 2 samples ≥ 7 days apart.
    BloodBlasts,
    /// New extramedullary disease.
    ExtramedullaryDisease,
}

impl RelapseCriterion {
    /// In words.
    pub fn text(self) -> &'static str {
        match self {
            RelapseCriterion::MarrowBlasts => "marrow blasts ≥ 5 %",
            RelapseCriterion::BloodBlasts => "blood blasts in 2 samples ≥ 7 days apart",
            RelapseCriterion::ExtramedullaryDisease => "new extramedullary disease",
        }
    }
}

/// Input for hematologic relapse.
#[derive(Debug, Clone, Copy)]
pub struct RelapseInput<'a> {
    /// Date remission (CR/CRh/CRi) was documented.
    pub remission_date: Date,
    /// Marrow blast % by date.
    pub marrow_blasts_pct: &'a [DatedValue],
    /// Blood blast % by date.
    pub blood_blasts_pct: &'a [DatedValue],
    /// Dates new extramedullary disease was documented.
    pub new_extramedullary_disease: &'a [Date],
}

/// Hematologic relapse result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HematologicRelapse {
    /// Relapse criteria met.
    pub relapsed: bool,
    /// Date the first criterion was met.
    pub date: Option<Date>,
    /// Which criterion.
    pub criterion: Option<RelapseCriterion>,
}

fn check_pct(what: &'static str, v: &DatedValue) -> Result<f64, ValueError> {
    let x = check_non_negative(what, Some(v.date), v.value, "a percentage 0-100")?;
    if x > 100.0 {
        return Err(ValueError::OutOfRange {
            what,
            date: Some(v.date),
            value: x,
            expected: "a percentage 0-100",
        });
    }
    Ok(x)
}

/// Hematologic relapse after remission.
pub fn hematologic_relapse(
    input: &RelapseInput<'_>,
) -> Result<Graded<HematologicRelapse>, ValueError> {
    let mut ex = Explanation {
        rule: "ELN 2022 hematologic relapse",
        version: ELN_RELAPSE_VERSION,
        citations: vec![ELN_2022_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "M-3",
            "relapse = marrow blasts ≥ 5% (5.0 is relapse, 4.9 is not)",
        )],
    };
    let marrow = marrow_blast_relapse(input)?;
    let pos = blood_blast_positives(input)?;
    let candidates = [
        marrow,
        blood_blast_relapse(&pos),
        extramedullary_relapse(input),
    ];
    // The earliest date wins; on a tie the criterion listed first.
    let best =
        candidates
            .into_iter()
            .flatten()
            .fold(None::<RelapseFinding>, |best, c| match best {
                Some(b) if b.date <= c.date => Some(b),
                _ => Some(c),
            });
    let value = match best {
        Some(f) => {
            ex.evidence = f.evidence;
            ex.reason = format!("{} criterion met on {}", f.criterion.text(), f.date);
            HematologicRelapse {
                relapsed: true,
                date: Some(f.date),
                criterion: Some(f.criterion),
            }
        }
        None => {
            ex.reason = format!(
                "no relapse criterion met after remission on {}",
                input.remission_date
            );
            ex.evidence = not_met_evidence(input, &pos);
            if pos.len() == 1 {
                ex.flags.push(Flag::new(
                    "ELN-PB",
                    "a single blood sample with blasts: a second sample ≥ 7 days later is needed",
                ));
            }
            HematologicRelapse {
                relapsed: false,
                date: None,
                criterion: None,
            }
        }
    };
    Ok(Graded::Value {
        value,
        explanation: ex,
    })
}

/// What was seen when no criterion was met: the highest marrow blast
/// count after remission (below 5 %) and each blood sample with blasts
/// (`pos`, fewer than two 7 days apart).
fn not_met_evidence(input: &RelapseInput<'_>, pos: &[(Date, f64)]) -> Vec<Evidence> {
    let mut ev = Vec::new();
    if let Some(m) = input
        .marrow_blasts_pct
        .iter()
        .filter(|v| v.date > input.remission_date)
        .max_by(|a, b| a.value.total_cmp(&b.value).then(b.date.cmp(&a.date)))
    {
        ev.push(Evidence::value(
            Some(m.date),
            "bm_blasts",
            m.value,
            Some(Unit::Percent),
            "highest marrow blasts after remission: below 5%",
        ));
    }
    for &(d, x) in pos {
        ev.push(Evidence::value(
            Some(d),
            "pb_blasts",
            x,
            Some(Unit::Percent),
            "blood blasts: relapse needs a second sample with blasts ≥ 7 days apart",
        ));
    }
    ev
}

/// One hematologic relapse criterion met on a date, with its evidence.
struct RelapseFinding {
    date: Date,
    criterion: RelapseCriterion,
    evidence: Vec<Evidence>,
}

/// Earliest marrow sample after remission with blasts ≥ 5 % (M-3: 5.0 is
/// relapse, 4.9 is not); every marrow value is checked to be a percentage.
fn marrow_blast_relapse(input: &RelapseInput<'_>) -> Result<Option<RelapseFinding>, ValueError> {
    let mut best: Option<RelapseFinding> = None;
    for v in input.marrow_blasts_pct {
        let x = check_pct("bm_blasts", v)?;
        let earlier = best.as_ref().is_none_or(|b| v.date < b.date);
        if v.date > input.remission_date && !marrow_blasts_clear(x) && earlier {
            best = Some(RelapseFinding {
                date: v.date,
                criterion: RelapseCriterion::MarrowBlasts,
                evidence: vec![Evidence::value(
                    Some(v.date),
                    "bm_blasts",
                    x,
                    Some(Unit::Percent),
                    "marrow blasts ≥ 5%",
                )],
            });
        }
    }
    Ok(best)
}

/// Blood samples after remission with any blasts, by date; every blood value
/// is checked to be a percentage.
fn blood_blast_positives(input: &RelapseInput<'_>) -> Result<Vec<(Date, f64)>, ValueError> {
    let mut pos: Vec<(Date, f64)> = Vec::new();
    for v in input.blood_blasts_pct {
        let x = check_pct("pb_blasts", v)?;
        if v.date > input.remission_date && x > 0.0 {
            pos.push((v.date, x));
        }
    }
    pos.sort_by_key(|p| p.0);
    Ok(pos)
}

/// Blood-blast relapse: the earliest positive sample ≥ 7 days after the first
/// positive one (`pos` sorted by date); met on that second sample's date.
fn blood_blast_relapse(pos: &[(Date, f64)]) -> Option<RelapseFinding> {
    let &(first_d, first_x) = pos.first()?;
    let &(d2, x2) = pos.iter().find(|(d, _)| d.days_since(first_d).get() >= 7)?;
    Some(RelapseFinding {
        date: d2,
        criterion: RelapseCriterion::BloodBlasts,
        evidence: vec![
            Evidence::value(
                Some(first_d),
                "pb_blasts",
                first_x,
                Some(Unit::Percent),
                "first blood sample with blasts",
            ),
            Evidence::value(
                Some(d2),
                "pb_blasts",
                x2,
                Some(Unit::Percent),
                "second blood sample with blasts ≥ 7 days later",
            ),
        ],
    })
}

/// Earliest new extramedullary disease documented after remission.
fn extramedullary_relapse(input: &RelapseInput<'_>) -> Option<RelapseFinding> {
    let d = input
        .new_extramedullary_disease
        .iter()
        .copied()
        .filter(|d| *d > input.remission_date)
        .min()?;
    Some(RelapseFinding {
        date: d,
        criterion: RelapseCriterion::ExtramedullaryDisease,
        evidence: vec![Evidence::finding(
            Some(d),
            "extramedullary_disease",
            "new extramedullary disease",
        )],
    })
}

/// Tissue of an MRD sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tissue {
    /// Bone marrow.
    BoneMarrow,
    /// Peripheral blood.
    PeripheralBlood,
}

impl Tissue {
    /// In words.
    pub fn text(self) -> &'static str {
        match self {
            Tissue::BoneMarrow => "bone marrow",
            Tissue::PeripheralBlood => "peripheral blood",
        }
    }
}

/// One MRD measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "technique", rename_all = "snake_case")]
pub enum MrdMeasurement {
    /// Flow cytometry: % of CD45+ cells.
    Mfc {
        /// Percent of CD45+ cells (an input as recorded: checked with a
        /// named error by [`mrd_relapse`]).
        percent: f64,
    },
    /// qPCR: positivity as called by the lab (Ct < 40 in ≥ 2 of 3
    /// replicates) and the normalised copy ratio in % (e.g. NPM1/ABL1 × 100).
    Qpcr {
        /// Lab call.
        positive: bool,
        /// Normalised copy number, % (a ratio: may exceed 100 %, so a
        /// plain number, not a [`Percent`]).
        ratio_percent: Option<f64>,
    },
}

impl MrdMeasurement {
    /// In words: `flow 0.32 %`, `qPCR positive, ratio 0.5 %`.
    pub fn text(&self) -> String {
        match self {
            MrdMeasurement::Mfc { percent } => format!("flow cytometry {percent} %"),
            MrdMeasurement::Qpcr {
                positive,
                ratio_percent,
            } => {
                let call = if *positive { "positive" } else { "negative" };
                match ratio_percent {
                    Some(r) => format!("qPCR {call}, ratio {r} %"),
                    None => format!("qPCR {call}"),
                }
            }
        }
    }
}

/// A dated MRD sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MrdSample {
    /// Date.
    pub date: Date,
    /// Tissue.
    pub tissue: Tissue,
    /// Result.
    pub measurement: MrdMeasurement,
}

/// MRD relapse configuration; `Default` = ELN MRD 2021.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MrdConfig {
    /// MFC positive at or above this % (0.1).
    pub mfc_positive_percent: Percent,
    /// Confirmation window in days (28).
    pub confirmation_window_days: i32,
    /// Rise in log10 units (1.0).
    pub log10_rise: f64,
    /// Low-level MRD upper bound, % (2.0) of the qPCR copy ratio (a ratio,
    /// not a share: a plain number like the ratio it bounds).
    pub low_level_below_percent: f64,
}

impl Default for MrdConfig {
    fn default() -> Self {
        MrdConfig {
            mfc_positive_percent: MFC_MRD_POSITIVE_PERCENT,
            confirmation_window_days: 28,
            log10_rise: 1.0,
            low_level_below_percent: 2.0,
        }
    }
}

/// What triggered an MRD relapse.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MrdTrigger {
    /// Negative → positive.
    Conversion,
    /// qPCR rise from a low-level positive sample.
    LogRise {
        /// Earlier sample's ratio %.
        from_percent: f64,
        /// Rising sample's ratio %.
        to_percent: f64,
    },
}

impl MrdTrigger {
    /// In words.
    pub fn text(&self) -> String {
        match self {
            MrdTrigger::Conversion => "conversion from MRD-negative to MRD-positive".into(),
            MrdTrigger::LogRise {
                from_percent,
                to_percent,
            } => format!("rise from {from_percent} % to {to_percent} % (≥ 1 log10)"),
        }
    }
}

/// MRD relapse state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MrdRelapseState {
    /// No trigger (or every trigger refuted by a negative next sample).
    None,
    /// Trigger without confirmation yet (M-6).
    Unconfirmed {
        /// Triggering sample date.
        first: Date,
        /// Trigger.
        trigger: MrdTrigger,
        /// True when the 4-week window has passed without a confirming sample.
        window_elapsed: bool,
    },
    /// Confirmed MRD relapse.
    Confirmed {
        /// Triggering sample date.
        first: Date,
        /// Confirming sample date.
        confirmed_on: Date,
        /// Trigger.
        trigger: MrdTrigger,
    },
}

fn positive(m: &MrdMeasurement, cfg: &MrdConfig) -> bool {
    match *m {
        MrdMeasurement::Mfc { percent } => percent >= cfg.mfc_positive_percent.get(),
        MrdMeasurement::Qpcr { positive, .. } => positive,
    }
}

fn ratio(m: &MrdMeasurement) -> Option<f64> {
    match *m {
        MrdMeasurement::Qpcr {
            positive: true,
            ratio_percent,
        } => ratio_percent.filter(|r| *r > 0.0),
        _ => None,
    }
}

/// MRD relapse state as of `as_of` from samples in any order.
pub fn mrd_relapse(
    samples: &[MrdSample],
    as_of: Date,
    cfg: &MrdConfig,
) -> Result<Graded<MrdRelapseState>, ValueError> {
    check_mrd_values(samples)?;
    let mut ex = Explanation {
        rule: "ELN MRD relapse",
        version: ELN_RELAPSE_VERSION,
        citations: vec![ELN_2022_CITATION, ELN_MRD_2021_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "M-6",
            format!(
                "confirmation = next sample of the same tissue within {} days",
                cfg.confirmation_window_days
            ),
        )],
    };
    if samples.is_empty() {
        ex.reason = "no MRD samples".into();
        return Ok(Graded::InsufficientData {
            missing: vec!["MRD results".into()],
            explanation: ex,
        });
    }
    let mut sorted: Vec<&MrdSample> = samples.iter().filter(|s| s.date <= as_of).collect();
    sorted.sort_by_key(|s| s.date);
    let mut pending: Option<MrdRelapseState> = None;
    for (i, s) in sorted.iter().enumerate() {
        let Some(trigger) = mrd_trigger(&sorted[..i], s, cfg) else {
            continue;
        };
        let next = sorted[i + 1..].iter().find(|n| n.tissue == s.tissue);
        let window_end = s.date.add_days(cfg.confirmation_window_days);
        match next {
            Some(n) if n.date <= window_end => {
                if confirms(trigger, n, cfg) {
                    return Ok(confirmed(ex, s, n, trigger));
                }
                // refuted by the next sample
            }
            _ => {
                pending = Some(MrdRelapseState::Unconfirmed {
                    first: s.date,
                    trigger,
                    window_elapsed: as_of > window_end,
                });
                ex.evidence.push(Evidence::finding(
                    Some(s.date),
                    "mrd",
                    format!("{}, no confirming sample", trigger_text(s, trigger)),
                ));
            }
        }
    }
    match pending {
        Some(st) => {
            ex.reason =
                "MRD relapse trigger without confirmation (M-6: MRD_relapse_unconfirmed)".into();
            Ok(Graded::Value {
                value: st,
                explanation: ex,
            })
        }
        None => {
            ex.reason = format!("no confirmed or pending MRD relapse trigger up to {as_of}");
            Ok(Graded::Value {
                value: MrdRelapseState::None,
                explanation: ex,
            })
        }
    }
}

/// Rejects a negative (or non-finite) MFC percentage or qPCR ratio.
fn check_mrd_values(samples: &[MrdSample]) -> Result<(), ValueError> {
    for s in samples {
        let (what, v) = match s.measurement {
            MrdMeasurement::Mfc { percent } => ("mrd_mfc_percent", Some(percent)),
            MrdMeasurement::Qpcr { ratio_percent, .. } => ("mrd_qpcr_ratio_percent", ratio_percent),
        };
        if let Some(v) = v {
            check_non_negative(what, Some(s.date), v, "a percentage ≥ 0")?;
        }
    }
    Ok(())
}

/// The relapse trigger sample `s` sets off given the earlier samples
/// (`earlier`, by date): conversion when the previous sample of the same
/// tissue was negative, else a ≥ `log10_rise` qPCR rise from an earlier
/// low-level (< `low_level_below_percent`) positive sample of that tissue.
fn mrd_trigger(earlier: &[&MrdSample], s: &MrdSample, cfg: &MrdConfig) -> Option<MrdTrigger> {
    if !positive(&s.measurement, cfg) {
        return None;
    }
    let same: Vec<&&MrdSample> = earlier.iter().filter(|p| p.tissue == s.tissue).collect();
    if same.last().is_some_and(|p| !positive(&p.measurement, cfg)) {
        return Some(MrdTrigger::Conversion);
    }
    let to = ratio(&s.measurement)?;
    same.iter()
        .filter_map(|p| ratio(&p.measurement))
        .filter(|from| *from < cfg.low_level_below_percent && (to / from).log10() >= cfg.log10_rise)
        .map(|from| MrdTrigger::LogRise {
            from_percent: from,
            to_percent: to,
        })
        .next()
}

/// Whether the next sample `n` of the same tissue confirms `trigger`: still
/// positive after a conversion, still ≥ `log10_rise` above the start of a rise.
fn confirms(trigger: MrdTrigger, n: &MrdSample, cfg: &MrdConfig) -> bool {
    match trigger {
        MrdTrigger::Conversion => positive(&n.measurement, cfg),
        MrdTrigger::LogRise { from_percent, .. } => {
            ratio(&n.measurement).is_some_and(|r| (r / from_percent).log10() >= cfg.log10_rise)
        }
    }
}

/// The trigger sample in words: `bone marrow flow cytometry 0.3 %: trigger …`.
fn trigger_text(s: &MrdSample, trigger: MrdTrigger) -> String {
    format!(
        "{} {}: trigger {}",
        s.tissue.text(),
        s.measurement.text(),
        trigger.text()
    )
}

/// The confirmed MRD relapse: trigger `s`, confirming sample `n`.
fn confirmed(
    mut ex: Explanation,
    s: &MrdSample,
    n: &MrdSample,
    trigger: MrdTrigger,
) -> Graded<MrdRelapseState> {
    ex.evidence.push(Evidence::finding(
        Some(s.date),
        "mrd",
        trigger_text(s, trigger),
    ));
    ex.evidence.push(Evidence::finding(
        Some(n.date),
        "mrd",
        format!("{} {}: confirms", n.tissue.text(), n.measurement.text()),
    ));
    ex.reason = format!(
        "MRD relapse triggered on {} and confirmed on {}",
        s.date, n.date
    );
    Graded::Value {
        value: MrdRelapseState::Confirmed {
            first: s.date,
            confirmed_on: n.date,
            trigger,
        },
        explanation: ex,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn qpcr(date: &str, ratio_percent: f64) -> MrdSample {
        MrdSample {
            date: d(date),
            tissue: Tissue::BoneMarrow,
            measurement: MrdMeasurement::Qpcr {
                positive: true,
                ratio_percent: Some(ratio_percent),
            },
        }
    }

    #[test]
    fn blood_blasts_need_a_second_sample_at_least_seven_days_later() {
        let six = [(d("2025-03-01"), 1.0), (d("2025-03-07"), 2.0)];
        assert!(blood_blast_relapse(&six).is_none());
        let seven = [(d("2025-03-01"), 1.0), (d("2025-03-08"), 2.0)];
        let f = blood_blast_relapse(&seven).unwrap();
        assert_eq!(f.date, d("2025-03-08"));
        assert_eq!(f.criterion, RelapseCriterion::BloodBlasts);
    }

    #[test]
    fn marrow_blasts_relapse_at_five_not_below() {
        let below = [DatedValue::new(d("2025-03-01"), 4.9)];
        let at = [DatedValue::new(d("2025-03-01"), 5.0)];
        let input = |m| RelapseInput {
            remission_date: d("2025-01-01"),
            marrow_blasts_pct: m,
            blood_blasts_pct: &[],
            new_extramedullary_disease: &[],
        };
        assert!(marrow_blast_relapse(&input(&below)).unwrap().is_none());
        assert!(marrow_blast_relapse(&input(&at)).unwrap().is_some());
    }

    #[test]
    fn log_rise_needs_a_low_level_start() {
        let cfg = MrdConfig::default();
        let low = qpcr("2025-01-01", 1.9);
        let high = qpcr("2025-01-01", 2.0);
        let rise = qpcr("2025-02-01", 40.0);
        assert!(matches!(
            mrd_trigger(&[&low], &rise, &cfg),
            Some(MrdTrigger::LogRise { .. })
        ));
        assert_eq!(mrd_trigger(&[&high], &rise, &cfg), None);
        let small = qpcr("2025-02-01", 9.0);
        assert_eq!(mrd_trigger(&[&qpcr("2025-01-01", 1.0)], &small, &cfg), None);
    }

    #[test]
    fn conversion_triggers_after_a_negative_sample_of_the_same_tissue() {
        let cfg = MrdConfig::default();
        let neg = MrdSample {
            date: d("2025-01-01"),
            tissue: Tissue::BoneMarrow,
            measurement: MrdMeasurement::Mfc { percent: 0.09 },
        };
        let pos = MrdSample {
            date: d("2025-02-01"),
            measurement: MrdMeasurement::Mfc { percent: 0.1 },
            ..neg
        };
        assert_eq!(
            mrd_trigger(&[&neg], &pos, &cfg),
            Some(MrdTrigger::Conversion)
        );
        assert!(confirms(MrdTrigger::Conversion, &pos, &cfg));
        assert!(!confirms(MrdTrigger::Conversion, &neg, &cfg));
        let blood = MrdSample {
            tissue: Tissue::PeripheralBlood,
            ..neg
        };
        assert_eq!(mrd_trigger(&[&blood], &pos, &cfg), None);
    }
}

//! Steroid-refractory and steroid-dependent **chronic** GVHD from the dated
//! systemic steroid doses and the NIH 2014 organ scores
//! (EBMT–NIH–CIBMTR Task Force, Schoemans et al. 2018, which keeps the NIH
//! consensus definitions).
//!
//! | result | rule (defaults, configurable) | provenance |
//! |---|---|---|
//! | steroid-refractory: progression | an organ score above its baseline on an assessment after ≥ 7 days of an unbroken stretch of prednisone-equivalent ≥ 1 mg/kg/day | \[S\] "worsen after prednisone ≥ 1 mg/kg/day for 1–2 weeks": the lower end, `C-8` |
//! | steroid-refractory: persistence | no organ better than at baseline on an assessment after ≥ 28 days of an unbroken stretch of ≥ 0.5 mg/kg/day | \[S\] "do not improve after ≥ 0.5 mg/kg/day … for 1–2 months"; NIH "at least 4 weeks" \[R\]: `C-8` |
//! | steroid-dependent | at least 2 unsuccessful taper attempts ≥ 56 days (8 weeks) apart: a flare (an organ score above its best since the baseline, the previous assessment not a flare) while the dose is being tapered (below the course's peak so far) and still ≥ 0.25 mg/kg/day | \[S\] "cannot be tapered below 0.25 mg/kg/day … after at least two attempts separated by at least 8 weeks": `C-9` |
//!
//! The baseline is the last organ-score assessment on or before the first
//! steroid record. Doses are prednisone equivalents per kg per day
//! ([`crate::steroid_dose`]); on any day the dose in effect is that of the
//! latest-starting record covering the day (a taper record supersedes an
//! open-ended earlier one). Alternate-day dosing ("1 mg/kg every other
//! day", "0.5 mg/kg every other day") cannot be recorded in the course and
//! is not read. A record whose dose is unknown makes a day's dose unknown;
//! a rule that needs that day says so (`CGVHD-SR-DOSE`) instead of guessing.

use graftwatch_core::{Citation, Date, Provenance};
use serde::{Deserialize, Serialize};

use crate::cgvhd_nih::CgvhdOrgan;
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::gvhd_response::{OrganAssessment, organ_change};
use crate::steroid_dose::UnknownDose;

/// The chronic-GVHD steroid definitions (Task Force 2018, as reproduced).
pub const CGVHD_STEROID_CITATION: Citation = Citation {
    source: "Schoemans HM et al. EBMT-NIH-CIBMTR Task Force position statement on standardized terminology & guidance for graft-versus-host disease assessment. Bone Marrow Transplant 2018;53(11):1401-1415",
    year: 2018,
    table: "Steroid-refractory / steroid-dependent chronic GVHD definitions",
    doi: Some("10.1038/s41409-018-0204-7"),
    provenance: Provenance::Secondary,
    note: "[S] Checked 2026-12-03 against a patient-information reproduction of the Task-Force definitions (know-gvhd.com, 'Steroid-refractory GvHD'): chronic GVHD is steroid-refractory if it worsens after prednisone ≥ 1 mg/kg/day for 1-2 weeks or does not improve after ≥ 0.5 mg/kg/day (or 1 mg/kg every other day) for 1-2 months; steroid-dependent if it cannot be controlled while reducing prednisone below 0.25 mg/kg/day (or 0.5 mg/kg every other day) after at least two attempts separated by at least 8 weeks. The NIH 2014 wording ('at least 1 week', 'at least 4 weeks') is [R]. Primary PDF not checked.",
};

/// Rule version.
pub const CGVHD_STEROID_VERSION: &str = "EBMT-NIH-CIBMTR 2018 (chronic GVHD)";

/// Thresholds of the chronic-GVHD steroid definitions (`[cgvhd_steroid]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CgvhdSteroidConfig {
    /// Progression rule: dose, prednisone-equivalent mg/kg/day (1.0).
    pub progression_dose_mg_kg_day: f64,
    /// Progression rule: days on that dose before an assessment counts (7; the source says 1–2 weeks, `C-8`).
    pub progression_after_days: i32,
    /// Persistence rule: dose, mg/kg/day (0.5).
    pub persistence_dose_mg_kg_day: f64,
    /// Persistence rule: days without improvement (28; the source says 1–2 months, `C-8`).
    pub persistence_after_days: i32,
    /// Dependence: the dose the taper could not go below, mg/kg/day (0.25).
    pub dependent_below_mg_kg_day: f64,
    /// Dependence: unsuccessful attempts needed (2).
    pub dependent_attempts: usize,
    /// Dependence: minimum days between two counted attempts (56 = 8 weeks).
    pub dependent_separation_days: i32,
}

impl Default for CgvhdSteroidConfig {
    fn default() -> Self {
        CgvhdSteroidConfig {
            progression_dose_mg_kg_day: 1.0,
            progression_after_days: 7,
            persistence_dose_mg_kg_day: 0.5,
            persistence_after_days: 28,
            dependent_below_mg_kg_day: 0.25,
            dependent_attempts: 2,
            dependent_separation_days: 56,
        }
    }
}

/// One systemic steroid record with its dose in prednisone equivalent.
#[derive(Debug, Clone, PartialEq)]
pub struct SteroidRecord {
    /// Drug name as recorded.
    pub drug: String,
    /// First day.
    pub start: Date,
    /// Last day (inclusive); `None` = ongoing.
    pub end: Option<Date>,
    /// Prednisone-equivalent mg/kg/day, or why it is unknown.
    pub dose: Result<f64, UnknownDose>,
}

/// Input of [`cgvhd_steroid_response`].
#[derive(Debug, Clone, Copy)]
pub struct CgvhdSteroidInput<'a> {
    /// The steroid records of the chronic-GVHD treatment, any order.
    pub records: &'a [SteroidRecord],
    /// Baseline organ scores (the last assessment on or before the first steroid).
    pub baseline: &'a OrganAssessment<8>,
    /// Later assessments (after the baseline date), any order.
    pub assessments: &'a [OrganAssessment<8>],
}

/// Which refractory rule was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CgvhdRefractoryReason {
    /// Progression on ≥ 1 mg/kg/day after ≥ 1 week.
    Progression,
    /// No improvement on ≥ 0.5 mg/kg/day after ≥ 4 weeks.
    Persistence,
}

impl CgvhdRefractoryReason {
    /// In words.
    pub fn text(self) -> &'static str {
        match self {
            CgvhdRefractoryReason::Progression => "progression despite high-dose steroids",
            CgvhdRefractoryReason::Persistence => "no improvement despite steroids",
        }
    }
}

/// A met refractory rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CgvhdRefractory {
    /// Which rule.
    pub reason: CgvhdRefractoryReason,
    /// The assessment that met it.
    pub date: Date,
    /// First day of the unbroken stretch at the rule's dose.
    pub dose_since: Date,
}

/// The chronic-GVHD steroid result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CgvhdSteroidResponse {
    /// Steroid-refractory, the first rule met (earliest assessment).
    pub refractory: Option<CgvhdRefractory>,
    /// Dates of the counted unsuccessful taper attempts (flares).
    pub taper_failures: Vec<Date>,
    /// Steroid-dependent (enough attempts), dated by the last counted one.
    pub dependent_date: Option<Date>,
    /// Highest prednisone-equivalent dose recorded, mg/kg/day.
    pub peak_mg_kg_day: Option<f64>,
}

/// Dose in effect over `from ..= to` (a piece of the dose timeline).
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    from: Date,
    to: Option<Date>,
    dose: Result<f64, usize>,
}

/// Piecewise-constant dose timeline: at each record boundary, the dose of
/// the latest-starting record covering the day (`Err(i)` = record `i` has
/// no known dose).
fn timeline(records: &[SteroidRecord]) -> Vec<Piece> {
    let mut cuts: Vec<Date> = records
        .iter()
        .flat_map(|r| [Some(r.start), r.end.map(|e| e.add_days(1))])
        .flatten()
        .collect();
    cuts.sort();
    cuts.dedup();
    let mut out: Vec<Piece> = Vec::new();
    for (k, &from) in cuts.iter().enumerate() {
        let to = cuts.get(k + 1).map(|n| n.add_days(-1));
        let covering = records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.start <= from && r.end.is_none_or(|e| e >= from))
            .max_by(|(_, a), (_, b)| {
                a.start.cmp(&b.start).then(
                    a.dose
                        .as_ref()
                        .unwrap_or(&f64::INFINITY)
                        .total_cmp(b.dose.as_ref().unwrap_or(&f64::INFINITY)),
                )
            });
        let dose = match covering {
            None => Ok(0.0),
            Some((i, r)) => r.dose.clone().map_err(|_| i),
        };
        out.push(Piece { from, to, dose });
    }
    out
}

/// The first day of the unbroken stretch with dose ≥ `min` that contains
/// `day`: `Ok(None)` = the dose on `day` is below `min`; `Err(i)` = an
/// unknown dose (record `i`) inside the stretch or on the day.
fn held_since(pieces: &[Piece], day: Date, min: f64) -> Result<Option<Date>, usize> {
    let Some(k) = pieces
        .iter()
        .rposition(|p| p.from <= day && p.to.is_none_or(|t| t >= day))
    else {
        return Ok(None);
    };
    let mut since = None;
    // pieces are contiguous (a day without any record is a piece of dose 0)
    for p in pieces[..=k].iter().rev() {
        match p.dose {
            Err(i) => return Err(i),
            Ok(v) if v >= min - 1e-9 => since = Some(p.from),
            Ok(_) => break,
        }
    }
    Ok(since)
}

/// The record whose dose is in effect on `day` (the latest-starting one
/// covering it).
fn in_effect(records: &[SteroidRecord], day: Date) -> Option<&SteroidRecord> {
    records
        .iter()
        .filter(|r| r.start <= day && r.end.is_none_or(|e| e >= day))
        .max_by_key(|r| r.start)
}

fn dose_on(pieces: &[Piece], day: Date) -> Result<f64, usize> {
    pieces
        .iter()
        .rfind(|p| p.from <= day && p.to.is_none_or(|t| t >= day))
        .map_or(Ok(0.0), |p| p.dose)
}

/// Organ changes in words: `skin 1 → 3`.
fn changes(base: &[Option<u8>; 8], now: &[Option<u8>; 8], worse: bool) -> String {
    let v: Vec<String> = CgvhdOrgan::ALL
        .iter()
        .zip(base.iter().zip(now))
        .filter_map(|(o, (b, n))| match (b, n) {
            (Some(b), Some(n)) if (worse && n > b) || (!worse && n != b) => {
                Some(format!("{} {b} → {n}", o.name()))
            }
            _ => None,
        })
        .collect();
    if v.is_empty() {
        "no organ score changed".into()
    } else {
        v.join(", ")
    }
}

/// Evaluates the chronic-GVHD steroid definitions.
pub fn cgvhd_steroid_response(
    input: &CgvhdSteroidInput<'_>,
    cfg: &CgvhdSteroidConfig,
) -> Graded<CgvhdSteroidResponse> {
    let pieces = timeline(input.records);
    let mut xs: Vec<&OrganAssessment<8>> = input
        .assessments
        .iter()
        .filter(|a| a.date > input.baseline.date)
        .collect();
    xs.sort_by_key(|a| a.date);
    let mut w = Walk {
        pieces: &pieces,
        base: input.baseline,
        xs: &xs,
        cfg,
        unknown: Vec::new(),
        notes: Vec::new(),
    };
    let refractory = refractory(&mut w);
    let (taper_failures, dependent_date) = dependence(&mut w);
    let Walk {
        unknown, mut notes, ..
    } = w;
    let mut decisive: Vec<Date> = refractory.iter().map(|r| r.date).collect();
    decisive.extend(
        dependent_date
            .map(|_| taper_failures.iter().copied())
            .into_iter()
            .flatten(),
    );
    for d in decisive {
        if let Some(r) = in_effect(input.records, d) {
            let dose = r.dose.as_ref().map_or_else(
                |_| "dose unknown".to_string(),
                |v| format!("{v:.2} mg/kg/day"),
            );
            notes.push(format!(
                "on {d}: {} recorded from {} ({dose})",
                r.drug, r.start
            ));
        }
    }
    let peak = input
        .records
        .iter()
        .filter_map(|r| r.dose.as_ref().ok().copied())
        .reduce(f64::max);
    let value = CgvhdSteroidResponse {
        refractory,
        taper_failures,
        dependent_date,
        peak_mg_kg_day: peak,
    };
    explain(input, cfg, value, &unknown, notes)
}

/// What the refractory and dependence rules read (dose pieces, baseline,
/// later assessments, configuration) and what they record: the records whose
/// unknown dose was needed, and notes for the reason.
struct Walk<'a> {
    pieces: &'a [Piece],
    base: &'a OrganAssessment<8>,
    xs: &'a [&'a OrganAssessment<8>],
    cfg: &'a CgvhdSteroidConfig,
    unknown: Vec<usize>,
    notes: Vec<String>,
}

fn refractory(w: &mut Walk<'_>) -> Option<CgvhdRefractory> {
    let (pieces, base, xs, cfg) = (w.pieces, w.base, w.xs, w.cfg);
    for a in xs {
        let (improved, worse) = organ_change(&base.stages, &a.stages);
        let rules = [
            (
                worse,
                CgvhdRefractoryReason::Progression,
                cfg.progression_dose_mg_kg_day,
                cfg.progression_after_days,
            ),
            (
                !improved,
                CgvhdRefractoryReason::Persistence,
                cfg.persistence_dose_mg_kg_day,
                cfg.persistence_after_days,
            ),
        ];
        for (applies, reason, dose, days) in rules {
            if !applies {
                continue;
            }
            match held_since(pieces, a.date, dose) {
                Err(i) => w.unknown.push(i),
                Ok(Some(since)) if a.date.days_since(since).get() >= days => {
                    w.notes.push(format!(
                        "{}: {} on {} after {} days at ≥ {dose} mg/kg/day prednisone equivalent (since {since})",
                        reason.text(),
                        changes(&base.stages, &a.stages, worse),
                        a.date,
                        a.date.days_since(since).get()
                    ));
                    return Some(CgvhdRefractory {
                        reason,
                        date: a.date,
                        dose_since: since,
                    });
                }
                Ok(_) => {}
            }
        }
    }
    None
}

fn dependence(w: &mut Walk<'_>) -> (Vec<Date>, Option<Date>) {
    let (pieces, base, xs, cfg) = (w.pieces, w.base, w.xs, w.cfg);
    let mut best = base.stages;
    let mut responded = false;
    let mut prev_flare = false;
    let mut attempts: Vec<Date> = Vec::new();
    for a in xs {
        let (_, flare) = organ_change(&best, &a.stages);
        let flare = flare && responded;
        if flare && !prev_flare {
            let peak_before = pieces
                .iter()
                .filter(|p| p.from <= a.date)
                .filter_map(|p| p.dose.as_ref().ok().copied())
                .fold(0.0, f64::max);
            match dose_on(pieces, a.date) {
                Err(i) => w.unknown.push(i),
                Ok(d)
                    if d < peak_before - 1e-9
                        && d >= cfg.dependent_below_mg_kg_day - 1e-9
                        && attempts.last().is_none_or(|l| {
                            a.date.days_since(*l).get() >= cfg.dependent_separation_days
                        }) =>
                {
                    w.notes.push(format!(
                        "flare on {} during the taper at {d:.2} mg/kg/day (peak {peak_before:.2}): {}",
                        a.date,
                        changes(&best, &a.stages, true)
                    ));
                    attempts.push(a.date);
                }
                Ok(_) => {}
            }
        }
        prev_flare = flare;
        for (b, n) in best.iter_mut().zip(a.stages) {
            if let (Some(bv), Some(nv)) = (*b, n)
                && nv < bv
            {
                *b = Some(nv);
                responded = true;
            }
        }
    }
    let dep = (cfg.dependent_attempts > 0 && attempts.len() >= cfg.dependent_attempts)
        .then(|| attempts[cfg.dependent_attempts - 1]);
    (attempts, dep)
}

/// One evidence line per steroid record: dates and prednisone-equivalent dose.
fn record_evidence(records: &[SteroidRecord]) -> Vec<Evidence> {
    let mut recs: Vec<&SteroidRecord> = records.iter().collect();
    recs.sort_by_key(|r| r.start);
    recs.iter()
        .map(|r| {
            let span = match r.end {
                Some(e) => format!("{} to {e}", r.start),
                None => format!("from {}, ongoing", r.start),
            };
            match &r.dose {
                Ok(v) => Evidence::value(
                    Some(r.start),
                    r.drug.clone(),
                    *v,
                    None,
                    format!("{span}: {v:.2} mg/kg/day prednisone equivalent"),
                ),
                Err(why) => Evidence::finding(
                    Some(r.start),
                    r.drug.clone(),
                    format!("{span}: dose unknown ({why})"),
                ),
            }
        })
        .collect()
}

/// The C-8 / C-9 flags with the thresholds used, and one `CGVHD-SR-DOSE`
/// flag per record whose unknown dose was needed; returns the flags and
/// the distinct unknown records.
fn flags(
    records: &[SteroidRecord],
    cfg: &CgvhdSteroidConfig,
    unknown: &[usize],
) -> (Vec<Flag>, Vec<usize>) {
    let mut flags = vec![
        Flag::new(
            "C-8",
            format!(
                "refractory after {} days at ≥ {} mg/kg/day (progression) or {} days at ≥ {} mg/kg/day (no improvement); the source gives 1–2 weeks and 1–2 months",
                cfg.progression_after_days,
                cfg.progression_dose_mg_kg_day,
                cfg.persistence_after_days,
                cfg.persistence_dose_mg_kg_day
            ),
        ),
        Flag::new(
            "C-9",
            format!(
                "an unsuccessful taper attempt is a flare (an organ score above its best) during the taper at ≥ {} mg/kg/day; {} attempts ≥ {} days apart make steroid dependence",
                cfg.dependent_below_mg_kg_day,
                cfg.dependent_attempts,
                cfg.dependent_separation_days
            ),
        ),
    ];
    let mut seen = Vec::new();
    for &i in unknown {
        if seen.contains(&i) {
            continue;
        }
        seen.push(i);
        if let Some(r) = records.get(i) {
            let why = r
                .dose
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            flags.push(Flag::new(
                "CGVHD-SR-DOSE",
                format!(
                    "{} from {}: dose unknown ({why}); the days it covers could not be judged",
                    r.drug, r.start
                ),
            ));
        }
    }
    (flags, seen)
}

fn headline(v: &CgvhdSteroidResponse) -> String {
    match (&v.refractory, v.dependent_date) {
        (Some(r), Some(d)) => format!(
            "steroid-refractory chronic GVHD ({}, {}); steroid-dependent ({d})",
            r.reason.text(),
            r.date
        ),
        (Some(r), None) => format!(
            "steroid-refractory chronic GVHD ({}, {})",
            r.reason.text(),
            r.date
        ),
        (None, Some(d)) => format!("steroid-dependent chronic GVHD ({d})"),
        (None, None) => "neither steroid-refractory nor steroid-dependent chronic GVHD".to_string(),
    }
}

fn explain(
    input: &CgvhdSteroidInput<'_>,
    cfg: &CgvhdSteroidConfig,
    value: CgvhdSteroidResponse,
    unknown: &[usize],
    notes: Vec<String>,
) -> Graded<CgvhdSteroidResponse> {
    let (flags, seen) = flags(input.records, cfg, unknown);
    let head = headline(&value);
    let reason = if notes.is_empty() {
        format!("{head}: baseline {}", input.baseline.date)
    } else {
        format!(
            "{head}: baseline {}; {}",
            input.baseline.date,
            notes.join("; ")
        )
    };
    let explanation = Explanation {
        rule: "Steroid-refractory / steroid-dependent chronic GVHD",
        version: CGVHD_STEROID_VERSION,
        citations: vec![CGVHD_STEROID_CITATION],
        reason,
        evidence: record_evidence(input.records),
        flags,
    };
    let undetermined = value.refractory.is_none() && value.dependent_date.is_none();
    if undetermined && !seen.is_empty() {
        let missing = seen
            .iter()
            .filter_map(|i| input.records.get(*i))
            .map(|r| format!("the dose of {} from {}", r.drug, r.start))
            .collect();
        return Graded::InsufficientData {
            missing,
            explanation,
        };
    }
    Graded::Value { value, explanation }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i32) -> Date {
        "2025-01-01".parse::<Date>().unwrap().add_days(n)
    }

    fn skin(n: i32, score: u8) -> OrganAssessment<8> {
        let mut stages = [Some(0); 8];
        stages[0] = Some(score);
        OrganAssessment {
            date: day(n),
            stages,
        }
    }

    fn rec(from: i32, to: Option<i32>, dose: f64) -> SteroidRecord {
        SteroidRecord {
            drug: "prednisone".into(),
            start: day(from),
            end: to.map(day),
            dose: Ok(dose),
        }
    }

    fn run(
        records: &[SteroidRecord],
        base: OrganAssessment<8>,
        xs: &[OrganAssessment<8>],
    ) -> Graded<CgvhdSteroidResponse> {
        cgvhd_steroid_response(
            &CgvhdSteroidInput {
                records,
                baseline: &base,
                assessments: xs,
            },
            &CgvhdSteroidConfig::default(),
        )
    }

    fn value(g: &Graded<CgvhdSteroidResponse>) -> CgvhdSteroidResponse {
        g.value().cloned().unwrap_or_else(|| panic!("{g:?}"))
    }

    /// The refractory reason of one run, `None` when not refractory.
    fn refractory(
        records: &[SteroidRecord],
        base: OrganAssessment<8>,
        xs: &[OrganAssessment<8>],
    ) -> Option<CgvhdRefractoryReason> {
        value(&run(records, base, xs)).refractory.map(|x| x.reason)
    }

    #[test]
    fn progression_after_one_week_at_one_mg_both_sides() {
        let r = [rec(1, None, 1.0)];
        // day 8 = 7 days at >= 1 mg/kg/day: refractory
        let v = value(&run(&r, skin(0, 1), &[skin(8, 2)]));
        let sr = v.refractory.expect("refractory");
        assert_eq!(sr.reason, CgvhdRefractoryReason::Progression);
        assert_eq!((sr.date, sr.dose_since), (day(8), day(1)));
        // day 7 = 6 days: not yet
        assert_eq!(refractory(&r, skin(0, 1), &[skin(7, 2)]), None);
        // 0.99 mg/kg/day is below the dose of the rule
        assert_eq!(
            refractory(&[rec(1, None, 0.99)], skin(0, 1), &[skin(8, 2)]),
            None
        );
    }

    #[test]
    fn persistence_after_four_weeks_at_half_mg_both_sides() {
        let r = [rec(1, None, 0.5)];
        let persistence = Some(CgvhdRefractoryReason::Persistence);
        for (records, later, expected) in [
            (&r[..], skin(29, 2), persistence),
            (&r[..], skin(28, 2), None),
            (&[rec(1, None, 0.49)][..], skin(29, 2), None),
            // an improvement (skin 2 -> 1) is not persistence
            (&r[..], skin(29, 1), None),
        ] {
            assert_eq!(
                refractory(records, skin(0, 2), &[later]),
                expected,
                "{later:?}"
            );
        }
    }

    #[test]
    fn a_dose_gap_restarts_the_stretch() {
        // 1 mg/kg days 1-4, nothing on day 5, again from day 6: day 12 is 6 days into the new stretch
        let r = [rec(1, Some(4), 1.0), rec(6, None, 1.0)];
        assert_eq!(refractory(&r, skin(0, 1), &[skin(12, 2)]), None);
        assert!(refractory(&r, skin(0, 1), &[skin(13, 2)]).is_some());
    }

    fn taper(last: f64) -> Vec<SteroidRecord> {
        vec![
            rec(1, Some(20), 1.0),
            rec(21, Some(40), 0.3),
            rec(41, Some(60), 1.0),
            rec(61, None, last),
        ]
    }

    #[test]
    fn dependence_needs_two_flares_eight_weeks_apart() {
        let xs = |second: i32| vec![skin(15, 0), skin(35, 2), skin(50, 0), skin(second, 2)];
        let v = value(&run(&taper(0.3), skin(0, 2), &xs(91)));
        assert_eq!(v.taper_failures, vec![day(35), day(91)]);
        assert_eq!(v.dependent_date, Some(day(91)));
        assert!(v.refractory.is_none());
        // 55 days apart: the second flare is not a separate attempt
        let v = value(&run(&taper(0.3), skin(0, 2), &xs(90)));
        assert_eq!(v.taper_failures, vec![day(35)]);
        assert_eq!(v.dependent_date, None);
    }

    #[test]
    fn dependence_flare_dose_boundary() {
        let xs = [skin(15, 0), skin(35, 2), skin(50, 0), skin(100, 2)];
        // the second flare at exactly 0.25 mg/kg/day: could not be tapered below 0.25
        let v = value(&run(&taper(0.25), skin(0, 2), &xs));
        assert_eq!(v.dependent_date, Some(day(100)));
        // at 0.24 the taper went below 0.25: that flare does not count
        let v = value(&run(&taper(0.24), skin(0, 2), &xs));
        assert_eq!(v.dependent_date, None);
        assert_eq!(v.taper_failures, vec![day(35)]);
    }

    #[test]
    fn unknown_dose_is_insufficient_data_naming_the_record() {
        let r = [SteroidRecord {
            drug: "prednisone".into(),
            start: day(1),
            end: None,
            dose: Err(crate::steroid_dose::UnknownDose::Missing {
                drug: "prednisone".into(),
            }),
        }];
        let g = run(&r, skin(0, 1), &[skin(10, 2)]);
        match &g {
            Graded::InsufficientData {
                missing,
                explanation,
            } => {
                assert!(missing[0].contains("prednisone"), "{missing:?}");
                assert!(explanation.flags.iter().any(|f| f.code == "CGVHD-SR-DOSE"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reason_names_the_organ_the_days_and_the_dose() {
        let g = run(&[rec(1, None, 1.0)], skin(0, 1), &[skin(8, 2)]);
        let why = &g.explanation().reason;
        assert!(why.contains("skin 1 → 2"), "{why}");
        assert!(why.contains("2025-01-09"), "{why}");
        assert!(why.contains("7 days at ≥ 1 mg/kg/day"), "{why}");
        assert!(
            why.contains("on 2025-01-09: prednisone recorded from 2025-01-02 (1.00 mg/kg/day)"),
            "{why}"
        );
        assert_eq!(g.explanation().evidence[0].what, "prednisone");
    }
}

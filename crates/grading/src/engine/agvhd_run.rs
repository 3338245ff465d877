//! Acute GVHD per transplant: the findings from a transplant's day 0 up to
//! the day before the next transplant (the latest transplant on or before a
//! date is that date's day 0) go through the MAGIC timeline fast path; the
//! day states (MAGIC, Keystone, IBMTR) feed the daily view, and the decisive
//! days (onset, maximum grade) are explained in full.
//!
//! Items of the first transplant keep their names (`agvhd_max_grade`);
//! later transplants add `_hct2`, `_hct3`, ….

use graftwatch_core::Date;
use graftwatch_course::{Anchor, AnchorKind};
use graftwatch_criteria::agvhd::magic::{DayGrade, OrganStatus, explain_statuses};
use graftwatch_criteria::agvhd::timeline::{
    AgvhdSeries, AgvhdSummary, FastDay, LateAcute, OnsetCategory, run_fast, summarize,
};
use graftwatch_criteria::agvhd::{DayFindings, MagicGrade, Organ};
use graftwatch_criteria::{Explanation, Flag, Graded};

use super::Sink;
use super::agvhd::{day_reason, grade_label, missing_text, to_day_findings, with_flags_any};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::{DayEntry, DayState, DayStatus, SummaryItem};
use crate::summary_key::ItemKey;

/// The staged acute-GVHD course of one transplant.
pub(crate) struct AgvhdRun {
    /// The transplant.
    pub hct: Anchor,
    /// The day before the next transplant, if any.
    pub end: Option<Date>,
    /// Item-name suffix (`""`, `_hct2`, …).
    pub suffix: String,
    /// The series graded.
    pub series: AgvhdSeries,
    /// One staged day per assessment day.
    pub fast: Vec<FastDay>,
    /// Flags every item of this transplant carries.
    pub flags: Vec<Flag>,
    /// Carry-forward window, days.
    pub carry_days: u32,
    /// Unattributed bilirubins not staged as GVHD (date, mg/dL; A-8).
    pub liver_not_staged: Vec<(Date, f64)>,
    /// The window of skin or GI findings such a bilirubin needs, days.
    pub liver_window_days: i32,
}

/// The transplant anchors in date order.
pub(crate) fn transplants(x: &CourseInputs) -> Vec<Anchor> {
    x.anchors
        .iter()
        .filter(|a| matches!(a.kind, AnchorKind::Transplant(_)))
        .copied()
        .collect()
}

/// Each transplant with the last day of its window (the day before the next
/// transplant, `None` for the last one) and its summary-key suffix.
pub(crate) fn windows(hcts: &[Anchor]) -> impl Iterator<Item = (&Anchor, Option<Date>, String)> {
    hcts.iter().enumerate().map(|(i, hct)| {
        let end = hcts.get(i + 1).map(|n| n.date.add_days(-1));
        (hct, end, suffix(i, hct))
    })
}

/// `""` for the first transplant, `_hct2` … for later ones.
pub(crate) fn suffix(i: usize, hct: &Anchor) -> String {
    if i == 0 {
        String::new()
    } else {
        format!("_{}", hct.kind).replace(' ', "").to_lowercase()
    }
}

/// Runs acute-GVHD grading for every transplant.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let hcts = transplants(x);
    if hcts.is_empty() {
        sink.not_applicable(
            Criterion::Agvhd,
            SummaryKey::AgvhdMaxGrade,
            "MAGIC acute GVHD grade",
            "no allogeneic transplant in the course",
        );
        return;
    }
    for (hct, end, suffix) in windows(&hcts) {
        let Some(r) = stage(x, cfg, sink, *hct, end, suffix) else {
            continue;
        };
        timeline_and_states(&r, cfg, sink);
        summary_items(&r, cfg, sink);
        super::agvhd_alt::run(&r, x, sink);
        super::gvhd_response::run(&r, x, &cfg.gvhd_response, sink);
        super::magic_biomarkers::run(&r, x, &cfg.magic_biomarkers, sink);
    }
}

fn stage(
    x: &CourseInputs,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
    hct: Anchor,
    end: Option<Date>,
    suffix: String,
) -> Option<AgvhdRun> {
    let inside = |d: Date| d >= hct.date && end.is_none_or(|e| d <= e);
    let mut unstated = super::agvhd::Unstated::new(cfg);
    let mut erythroderma = false;
    let days: Vec<DayFindings> = x
        .gvhd
        .iter()
        .filter(|g| inside(g.date) && g.any_finding())
        .map(|g| {
            to_day_findings(
                g,
                cfg.agvhd.upper_gi_persistent_days,
                &mut unstated,
                &mut erythroderma,
            )
        })
        .collect();
    let per_kg_without_weight = x
        .gvhd
        .iter()
        .filter(|g| inside(g.date) && g.stool_weight_missing)
        .count();
    let no_findings = x
        .gvhd
        .iter()
        .filter(|g| inside(g.date) && g.no_findings.iter().any(|b| *b))
        .count();
    let series = AgvhdSeries {
        day0: hct.date,
        baseline_weight_kg: x
            .gvhd
            .iter()
            .find(|g| inside(g.date))
            .and_then(|g| g.weight_kg),
        chronic_features_present: None,
        upper_gi_histology: false,
        lower_gi_diagnosis: x.lower_gi_diagnoses.iter().copied().find(|d| inside(*d)),
        days,
    };
    let mut fast = Vec::with_capacity(series.days.len());
    if let Err(e) = run_fast(&series, &cfg.agvhd, &mut fast) {
        sink.skip(
            Criterion::Agvhd,
            format!("acute GVHD findings after {} rejected: {e}", hct.kind),
        );
        return None;
    }
    let mut flags = run_flags(
        cfg,
        &unstated,
        erythroderma,
        per_kg_without_weight,
        no_findings,
        !series.days.is_empty() || no_findings > 0,
    );
    if let Some(dx) = series.lower_gi_diagnosis {
        flags.push(Flag::new(
            "A-5",
            graftwatch_criteria::agvhd::timeline::lower_gi_diagnosis_text(dx),
        ));
    }
    Some(AgvhdRun {
        hct,
        end,
        suffix,
        series,
        fast,
        flags,
        carry_days: cfg.agvhd.carry_forward_days,
        liver_not_staged: unstated.liver_not_staged,
        liver_window_days: unstated.window_days,
    })
}

fn run_flags(
    cfg: &crate::GradingConfig,
    unstated: &super::agvhd::Unstated,
    erythroderma: bool,
    per_kg_without_weight: usize,
    no_findings: usize,
    assessed: bool,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    if unstated.seen {
        flags.push(Flag::new(
            "GW-ATTR",
            if cfg.engine.unstated_attribution_is_gvhd {
                "findings recorded without an attribution were taken as attributed to GVHD (A-8 default)"
            } else {
                "findings recorded without an attribution were not staged ([engine] unstated_attribution_is_gvhd = false, A-8)"
            },
        ));
    }
    if let Some(&(date, mg)) = unstated.liver_not_staged.first() {
        flags.push(Flag::new(
            "GW-ATTR-LIVER",
            format!(
                "{} with a bilirubin recorded without an attribution and no skin or GI GVHD finding within {} days (first {date}: {} mg/dL): the liver was not staged as GVHD on those days; a raised bilirubin alone after HCT has many causes (VOD/SOS, drugs, sepsis): record attribution 'gvhd' to stage it (A-8; [engine] unattributed_isolated_bilirubin_is_gvhd)",
                graftwatch_core::number::counted(unstated.liver_not_staged.len(), "day"),
                unstated.window_days,
                graftwatch_core::number::short(mg)
            ),
        ));
    }
    if erythroderma {
        flags.push(Flag::new(
            "GW-ERYTHRODERMA",
            "generalised erythroderma staged as > 50 % BSA (skin stage 3)",
        ));
    }
    if per_kg_without_weight > 0 {
        flags.push(Flag::new("A-3", format!("{} of stool recorded without a body weight (needed to choose adult or child criteria and to convert mL and mL/kg): lower GI staged at least at the lower of the adult and child stages on those days", graftwatch_core::number::counted(per_kg_without_weight, "day"))));
    }
    if no_findings > 0 {
        flags.push(Flag::new(
            "GW-NO-FINDINGS",
            format!("{} with organs recorded as assessed without findings (agvhd_no_findings): those organs are stage 0 that day", graftwatch_core::number::counted(no_findings, "day")),
        ));
    }
    // Carry-forward only matters when something was assessed to carry.
    if assessed && cfg.agvhd.carry_forward_days > 0 {
        flags.push(Flag::new(
            "CARRY",
            format!(
                "an organ's last assessment is carried forward for up to {} days; after that the organ is not assessed",
                cfg.agvhd.carry_forward_days
            ),
        ));
    }
    flags
}

/// Days an assessment-day state holds: until the first of its staged organs
/// leaves the carry-forward window.
pub(crate) fn valid_days(f: &FastDay, carry: u32) -> i32 {
    f.organs
        .iter()
        .flatten()
        .map(|c| carry as i32 - f.date.days_since(c.date).get())
        .min()
        .unwrap_or(0)
        .max(0)
}

/// The organs not staged on a day, in words.
pub(crate) fn organs_missing(organs: &[OrganStatus; 4]) -> Vec<String> {
    organs
        .iter()
        .zip(Organ::ALL)
        .filter_map(|(o, organ)| {
            o.as_ref()
                .err()
                .map(|m| format!("{} ({})", organ.name(), missing_text(*m)))
        })
        .collect()
}

fn stage_json(o: &OrganStatus) -> serde_json::Value {
    match o {
        Ok(c) => serde_json::json!({
            "stage": c.stage.get(),
            "assessed_on": c.date,
            "carried_forward": c.flags & graftwatch_criteria::agvhd::stage::flags::CARRIED != 0,
        }),
        Err(_) => serde_json::Value::Null,
    }
}

fn timeline_and_states(r: &AgvhdRun, cfg: &crate::GradingConfig, sink: &mut Sink) {
    // The previous day's grade: the same grade gives the same label, so the
    // label (a string) is made only for the days that show it.
    let mut prev: Option<DayGrade> = None;
    for f in &r.fast {
        let changed = prev != Some(f.grade);
        let level = super::agvhd::grade_level(f.grade);
        if level > 0 || (changed && prev.is_some()) {
            sink.day(
                f.date,
                DayEntry {
                    criterion: Criterion::Agvhd,
                    grade: grade_label(f.grade).0,
                    level,
                    changed,
                    reason: day_reason(f, r),
                },
            );
            let st = |i: usize| f.organs[i].as_ref().ok().map(|c| c.stage.get());
            sink.agvhd_organs(crate::output::AgvhdOrganDay {
                date: f.date,
                level,
                skin: st(0),
                liver: st(1),
                upper_gi: st(2),
                lower_gi: st(3),
            });
        }
        let status = match f.grade {
            DayGrade::Graded(_) => DayStatus::Graded,
            DayGrade::AtLeast(_) => DayStatus::InsufficientData,
        };
        sink.state(f.date, || {
            let label = grade_label(f.grade).0;
            DayState {
                criterion: Criterion::Agvhd,
                system: "magic",
                status,
                grade: Some(label.clone()),
                value: Some(serde_json::json!({
                    "grade": label,
                    "skin": stage_json(&f.organs[0]),
                    "liver": stage_json(&f.organs[1]),
                    "upper_gi": stage_json(&f.organs[2]),
                    "lower_gi": stage_json(&f.organs[3]),
                })),
                missing: organs_missing(&f.organs),
                valid_days: valid_days(f, cfg.agvhd.carry_forward_days),
            }
        });
        prev = Some(f.grade);
    }
}

fn summary_items(r: &AgvhdRun, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let item = |base: SummaryKey| base.with(&r.suffix);
    let anchor = Some(&r.hct);
    if r.series.days.is_empty() {
        let g: Graded<()> = Graded::InsufficientData {
            missing: vec![format!(
                "acute GVHD findings (skin, bilirubin, GI) on or after day 0 ({}) of {}",
                r.hct.date, r.hct.kind
            )],
            explanation: magic_course_explanation(
                format!("no acute GVHD assessment after {}", r.hct.kind),
                r.flags.clone(),
            ),
        };
        sink.item(SummaryItem::from_graded(
            Criterion::Agvhd,
            item(SummaryKey::AgvhdMaxGrade),
            &g,
            anchor,
            |_| (String::new(), None),
        ));
        return;
    }
    let sum = summarize(&r.series, &r.fast, &cfg.agvhd);
    max_grade_item(r, &sum, sink, &item(SummaryKey::AgvhdMaxGrade));
    onset_item(r, &sum, sink, &item(SummaryKey::AgvhdOnset));
}

pub(crate) fn magic_course_explanation(reason: String, flags: Vec<Flag>) -> Explanation {
    Explanation {
        rule: "MAGIC acute GVHD course",
        version: graftwatch_criteria::agvhd::magic::MAGIC_VERSION,
        citations: graftwatch_criteria::agvhd::magic::MAGIC_CITATIONS.to_vec(),
        reason,
        evidence: vec![],
        flags,
    }
}

/// Days whose grade is only a lower bound, in words (for the flags).
fn undetermined_text(fast: &[FastDay]) -> Option<String> {
    let days: Vec<Date> = fast
        .iter()
        .filter(|f| f.grade.grade().is_none())
        .map(|f| f.date)
        .collect();
    match days.as_slice() {
        [] => None,
        [d] => Some(format!("1 assessment day with an organ not assessed: {d}")),
        [a, .., b] => Some(format!(
            "{} assessment days with an organ not assessed, from {a} to {b}",
            days.len()
        )),
    }
}

/// The course maximum over the assessed days: the highest grade reached (a
/// lower bound counts: it was reached); its first day is explained in full.
/// Organs not assessed on that day are named, never turned into
/// "insufficient data" when a grade was reached.
fn max_grade_item(r: &AgvhdRun, sum: &AgvhdSummary, sink: &mut Sink, name: &ItemKey) {
    let mut fl = r.flags.clone();
    if let Some(t) = undetermined_text(&r.fast) {
        fl.push(Flag::new("NOT-ASSESSED", t));
    }
    let max_day = sum
        .max_grade_date
        .and_then(|d| r.fast.iter().find(|f| f.date == d));
    let hct = r.hct;
    match max_day {
        Some(f) if sum.max_grade > MagicGrade::Zero => {
            let grade = sum.max_grade;
            let determined = f.grade.grade().is_some();
            let g = match explain_statuses(f.date, &f.organs, &[]) {
                Graded::InsufficientData {
                    missing,
                    mut explanation,
                } => {
                    explanation.flags.push(Flag::new(
                        "MISSING",
                        format!(
                            "grade at least {grade} on {}; not assessed that day: {}",
                            f.date,
                            missing.join(", ")
                        ),
                    ));
                    explanation.reason = format!(
                        "{}: grade at least {grade} from the assessed organs",
                        f.date
                    );
                    let value = magic_day_from(f, grade);
                    Graded::Value { value, explanation }
                }
                other => other,
            };
            let g = with_flags_any(g, &fl);
            sink.item(SummaryItem::from_graded(
                Criterion::Agvhd,
                name,
                &g,
                Some(&hct),
                |_| {
                    let at = if determined { "" } else { "at least " };
                    (
                        format!(
                            "grade {at}{grade} first reached {} ({})",
                            f.date,
                            hct.describe(f.date)
                        ),
                        Some(f.date),
                    )
                },
            ));
        }
        _ => zero_item(r, sink, name, fl, sum.undetermined_days),
    }
}

fn magic_day_from(f: &FastDay, grade: MagicGrade) -> graftwatch_criteria::agvhd::MagicDay {
    let st = |i: usize| f.organs[i].as_ref().ok().map(|c| c.stage);
    graftwatch_criteria::agvhd::MagicDay {
        date: f.date,
        skin: st(0),
        liver: st(1),
        upper_gi: st(2),
        lower_gi: st(3),
        grade,
    }
}

fn zero_item(r: &AgvhdRun, sink: &mut Sink, name: &ItemKey, fl: Vec<Flag>, undetermined: usize) {
    let last = r.fast.last().map(|f| f.date);
    let g: Graded<&str> = Graded::Value {
        value: "0",
        explanation: magic_course_explanation(
            format!(
                "no day from {} to {} reached MAGIC grade I ({} assessment days, {} with an organ not assessed)",
                r.hct.date,
                last.map(|d| d.to_string()).unwrap_or_default(),
                r.fast.len(),
                undetermined
            ),
            fl,
        ),
    };
    sink.item(SummaryItem::from_graded(
        Criterion::Agvhd,
        name,
        &g,
        Some(&r.hct),
        |_| ("grade 0".into(), None),
    ));
}

fn onset_item(r: &AgvhdRun, sum: &AgvhdSummary, sink: &mut Sink, name: &ItemKey) {
    let Some(o) = sum.onset else { return };
    let Some(f) = r.fast.iter().find(|f| f.date == o) else {
        return;
    };
    let mut fl = r.flags.clone();
    let missing: Vec<&str> = f
        .organs
        .iter()
        .zip(["skin", "liver", "upper GI", "lower GI"])
        .filter(|(o, _)| o.is_err())
        .map(|(_, n)| n)
        .collect();
    if !missing.is_empty() {
        fl.push(Flag::new(
            "MISSING",
            format!(
                "onset dated by the assessed organs (grade at least I); not assessed that day: {}",
                missing.join(", ")
            ),
        ));
    }
    if let Some(od) = sum.onset_day {
        fl.push(Flag::new(
            "A-12",
            format!(
                "onset day {od}: {}",
                match sum.onset_category {
                    Some(OnsetCategory::LateOnset) => "late-onset (after day +100)",
                    _ => "classic (on or before day +100)",
                }
            ),
        ));
    }
    let explanation = explain_statuses(f.date, &f.organs, &[])
        .explanation()
        .clone();
    let g: Graded<Date> = with_flags_any(
        Graded::Value {
            value: o,
            explanation,
        },
        &fl,
    );
    let (cat, late, hct) = (sum.onset_category, sum.late_acute, r.hct);
    sink.item(SummaryItem::from_graded(
        Criterion::Agvhd,
        name,
        &g,
        Some(&hct),
        |_| {
            let mut s = format!("{} ({})", o, hct.describe(o));
            match cat {
                Some(OnsetCategory::Classic) => s.push_str(", classic onset"),
                Some(OnsetCategory::LateOnset) => s.push_str(", late-onset acute GVHD"),
                None => {}
            }
            match late {
                Some(LateAcute::Persistent) => s.push_str(" (persistent after day +100)"),
                Some(LateAcute::Recurrent) => s.push_str(" (recurrent after day +100)"),
                _ => {}
            }
            (s, Some(o))
        },
    ));
}

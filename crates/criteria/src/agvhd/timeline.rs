//! Daily acute-GVHD timeline over a dated series of raw findings.
//!
//! For each day: organ stages (with carry-forward of the last assessment for
//! up to `carry_forward_days`), the A-5 stool rule (onset: highest value of
//! days d-2..d; afterwards mean of the current and two previous days with
//! data; or always the 3-day mean), the A-9 upper-GI persistence run, and the
//! MAGIC grade. Summary: onset day of acute GVHD, maximum grade and its date,
//! onset category (classic vs late-onset, A-12) relative to day 0, and the
//! late-acute pattern (persistent / recurrent) for activity after day 100.
//!
//! [`run_fast`] is allocation-free per day apart from the output vector; the
//! explain path ([`grade_timeline`]) builds a `Graded` per day.

use graftwatch_core::{Date, DayOffset};
use serde::{Deserialize, Serialize};

use super::findings::{Attribution, DayFindings, FindingError};
use super::magic::{
    DayGrade, MAGIC_CITATIONS, MAGIC_VERSION, MagicDay, MagicGrade, OrganMissing, OrganStatus,
    StoolValue, explain_statuses, grade_statuses, lower_bound_stages, magic_grade, stage_liver,
    stage_lower_gi, stage_skin, stage_upper_gi, stool_value,
};
use super::stage::{StageCall, flags};
use super::{GvhdConfig, StoolAveraging};
use crate::{Evidence, Explanation, Flag, Graded};

/// A patient's dated series of acute-GVHD findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgvhdSeries {
    /// Day 0 (the transplant or DLI infusion the days are counted from).
    pub day0: Date,
    /// Body weight (kg) used until a day records its own weight.
    #[serde(default)]
    pub baseline_weight_kg: Option<f64>,
    /// Chronic GVHD features present (NIH overlap syndrome), if known.
    #[serde(default)]
    pub chronic_features_present: Option<bool>,
    /// Upper-GI histology positive (Keystone/IBMTR upper-GI rule).
    #[serde(default)]
    pub upper_gi_histology: bool,
    /// Documented date of the lower-GI acute GVHD diagnosis (clinical or
    /// biopsy). With it, the A-5 onset rule (highest daily stool output of
    /// the day and the two before it) applies up to and including this day
    /// and the 3-day mean from the day after (MAGIC: "the highest daily
    /// stool output in the 3 days before diagnosis", later 3-day averages).
    /// Without it, the first day staged lower GI ≥ 1 is taken as the
    /// diagnosis day.
    #[serde(default)]
    pub lower_gi_diagnosis: Option<Date>,
    /// One record per assessment day, strictly increasing dates.
    pub days: Vec<DayFindings>,
}

/// The staged result of one day (fast path).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FastDay {
    /// Date.
    pub date: Date,
    /// Skin, liver, upper GI, lower GI.
    pub organs: [OrganStatus; 4],
    /// Grade or lower bound.
    pub grade: DayGrade,
}

#[derive(Clone, Copy)]
struct StoolEntry {
    date: Date,
    v: StoolValue,
}

/// Per-patient running state.
struct State {
    last: [Option<StageCall>; 4],
    weight: Option<f64>,
    ugi_last_qual: Option<Date>,
    ugi_run: u32,
    stool: [Option<StoolEntry>; 3],
    lgi_onset: Option<Date>,
    lgi_diagnosis: Option<Date>,
}

fn carried(last: Option<StageCall>, date: Date, cfg: &GvhdConfig) -> OrganStatus {
    match last {
        Some(mut c) if date.days_since(c.date).get() <= cfg.carry_forward_days as i32 => {
            c.flags |= flags::CARRIED;
            Ok(c)
        }
        _ => Err(OrganMissing::NotAssessed),
    }
}

/// Stages one day, updating the running state (last assessments, weight,
/// upper-GI run, stool history, lower-GI onset).
fn step(s: &mut State, f: &DayFindings, cfg: &GvhdConfig) -> FastDay {
    let d = f.date;
    if f.weight_kg.is_some() {
        s.weight = f.weight_kg;
    }
    let skin = match &f.skin {
        Some(x) => Ok(stage_skin(x, d)),
        None => carried(s.last[0], d, cfg),
    };
    let liver = match &f.liver {
        Some(x) => Ok(stage_liver(x, d, cfg)),
        None => carried(s.last[1], d, cfg),
    };
    let upper = match &f.upper_gi {
        Some(u) => step_upper_gi(s, u, d, cfg),
        None => carried(s.last[2], d, cfg),
    };
    let lower = match &f.lower_gi {
        Some(g) => step_lower_gi(s, g, d, cfg),
        None => carried(s.last[3], d, cfg),
    };
    let organs = [skin, liver, upper, lower];
    for (i, o) in organs.iter().enumerate() {
        if let Ok(c) = o
            && c.flags & flags::CARRIED == 0
        {
            s.last[i] = Some(*c);
        }
    }
    FastDay {
        date: d,
        organs,
        grade: grade_statuses(&organs),
    }
}

/// Length of the upper-GI symptom run on a qualifying day `gap` days after
/// the previous qualifying day (`None`: no previous one): the next day
/// extends the run by one; an established persistent run
/// (≥ `upper_gi_persistent_days`) survives a gap of up to
/// `carry_forward_days + 1` days, which counts in full; otherwise a new run
/// starts at 1.
fn next_upper_gi_run(run: u32, gap: Option<i32>, cfg: &GvhdConfig) -> u32 {
    match gap {
        Some(1) => run + 1,
        Some(gap)
            if run >= cfg.upper_gi_persistent_days && gap <= cfg.carry_forward_days as i32 + 1 =>
        {
            run + gap as u32
        }
        _ => 1,
    }
}

/// Stages a recorded upper-GI finding: a qualifying finding not due to
/// another cause extends the run, anything else ends it; the duration staged
/// is the longer of the run and the recorded symptom days.
fn step_upper_gi(
    s: &mut State,
    u: &super::findings::UpperGiFinding,
    d: Date,
    cfg: &GvhdConfig,
) -> OrganStatus {
    if u.qualifying() && u.attribution != Attribution::OtherCause {
        let gap = s.ugi_last_qual.map(|p| d.days_since(p).get());
        s.ugi_run = next_upper_gi_run(s.ugi_run, gap, cfg);
        s.ugi_last_qual = Some(d);
    } else {
        s.ugi_run = 0;
        s.ugi_last_qual = None;
    }
    let dur = s.ugi_run.max(u.symptom_days.unwrap_or(0));
    Ok(stage_upper_gi(u, dur, d, cfg))
}

/// Stages a recorded lower-GI finding: the day's stool value (none when due to
/// another cause) enters the 3-day history and is staged by the A-5 rule; a
/// stool value that cannot be computed still allows stage 4 (bloody stool,
/// pain, ileus). The first day staged ≥ 1 is the lower-GI onset.
fn step_lower_gi(
    s: &mut State,
    g: &super::findings::LowerGiFinding,
    d: Date,
    cfg: &GvhdConfig,
) -> OrganStatus {
    let v = if g.attribution == super::Attribution::OtherCause {
        Ok(None)
    } else {
        stool_value(g, s.weight, cfg)
    };
    match v {
        Err(m) => stage_lower_gi(g, None, d, cfg)
            .ok()
            .filter(|c| c.stage.get() == 4)
            .ok_or(m),
        Ok(today) => {
            let staged = today.map(|t| {
                s.stool = [Some(StoolEntry { date: d, v: t }), s.stool[0], s.stool[1]];
                stool_for_staging(s, d, t, cfg)
            });
            let r = stage_lower_gi(g, staged, d, cfg);
            if let Ok(c) = &r
                && c.stage.get() >= 1
                && s.lgi_onset.is_none()
            {
                s.lgi_onset = Some(d);
            }
            r
        }
    }
}

fn stool_for_staging(s: &State, d: Date, today: StoolValue, cfg: &GvhdConfig) -> StoolValue {
    let same = |e: &&StoolEntry| e.v.child == today.child;
    let before_diagnosis = match s.lgi_diagnosis {
        Some(dx) => d <= dx,
        None => s.lgi_onset.is_none(),
    };
    let onset_rule = cfg.stool_averaging == StoolAveraging::OnsetMaxThenMean && before_diagnosis;
    let mut out = today;
    if onset_rule {
        let mut n = 0;
        for e in s
            .stool
            .iter()
            .flatten()
            .filter(same)
            .filter(|e| d.days_since(e.date).get() <= 2)
        {
            n += 1;
            if e.v.value > out.value {
                out = StoolValue {
                    flags: out.flags | e.v.flags,
                    ..e.v
                };
            } else {
                out.flags |= e.v.flags;
            }
        }
        if n > 1 {
            out.flags |= flags::ONSET_MAX;
        }
    } else {
        let (mut sum, mut n, mut fl) = (0.0, 0u32, 0u16);
        for e in s.stool.iter().flatten().filter(same) {
            sum += e.v.value;
            n += 1;
            fl |= e.v.flags;
        }
        out.value = sum / f64::from(n.max(1));
        out.flags = fl | if n > 1 { flags::MEAN3 } else { 0 };
    }
    out
}

/// Runs the staging over a series without explanations, appending one
/// [`FastDay`] per input day to `out`. Validates each day and the date order.
pub fn run_fast(
    series: &AgvhdSeries,
    cfg: &GvhdConfig,
    out: &mut Vec<FastDay>,
) -> Result<(), FindingError> {
    let mut s = State {
        last: [None; 4],
        weight: series.baseline_weight_kg,
        ugi_last_qual: None,
        ugi_run: 0,
        stool: [None; 3],
        lgi_onset: None,
        lgi_diagnosis: series.lower_gi_diagnosis,
    };
    if let Some(w) = series.baseline_weight_kg
        && !(w.is_finite() && (0.3..=400.0).contains(&w))
    {
        return Err(FindingError::OutOfRange {
            field: "baseline_weight_kg",
            value: w,
            expected: "body weight in kg between 0.3 and 400",
        });
    }
    let mut prev: Option<Date> = None;
    out.reserve(series.days.len());
    for f in &series.days {
        if let Some(p) = prev
            && f.date <= p
        {
            return Err(FindingError::DateOrder {
                date: f.date,
                previous: p,
            });
        }
        prev = Some(f.date);
        f.validate()?;
        out.push(step(&mut s, f, cfg));
    }
    Ok(())
}

/// Onset category relative to day 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnsetCategory {
    /// Onset on or before day +100.
    Classic,
    /// Onset after day +100 (NIH late acute, late-onset).
    LateOnset,
}

/// NIH late-acute pattern for acute GVHD active after day +100 that began
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LateAcute {
    /// Active continuously from a classic onset across day +100.
    Persistent,
    /// Resolved (a graded day 0) and active again after day +100.
    Recurrent,
    /// First onset after day +100.
    LateOnset,
}

/// Timeline summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgvhdSummary {
    /// First day with grade ≥ I (a lower bound counts).
    pub onset: Option<Date>,
    /// Its post-day-0 offset.
    pub onset_day: Option<DayOffset>,
    /// Classic or late-onset.
    pub onset_category: Option<OnsetCategory>,
    /// Late-acute pattern when active after day +100.
    pub late_acute: Option<LateAcute>,
    /// Highest grade reached on any day (lower bounds included: they were reached).
    pub max_grade: MagicGrade,
    /// First date the maximum grade was reached.
    pub max_grade_date: Option<Date>,
    /// Days whose grade could not be determined (missing organs).
    pub undetermined_days: usize,
}

/// The explained timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgvhdTimeline {
    /// One graded result per input day.
    pub days: Vec<Graded<MagicDay>>,
    /// Onset, maximum grade and category, with their explanation.
    pub summary: Graded<AgvhdSummary>,
}

/// Summary from fast days (no allocation beyond the explanation).
pub fn summarize(series: &AgvhdSeries, fast: &[FastDay], cfg: &GvhdConfig) -> AgvhdSummary {
    let lb = |f: &FastDay| magic_grade(&lower_bound_stages(&f.organs));
    let onset = fast.iter().find(|f| lb(f) >= MagicGrade::I).map(|f| f.date);
    let mut max = (MagicGrade::Zero, None);
    for f in fast {
        let g = lb(f);
        if g > max.0 {
            max = (g, Some(f.date));
        }
    }
    let cut = cfg.late_onset_after_day;
    let onset_day = onset.map(|o| o.days_since(series.day0));
    let onset_category = onset_day.map(|d| {
        if d.get() > cut {
            OnsetCategory::LateOnset
        } else {
            OnsetCategory::Classic
        }
    });
    let late_acute = match (onset, onset_category) {
        (Some(_), Some(OnsetCategory::LateOnset)) => Some(LateAcute::LateOnset),
        (Some(o), Some(OnsetCategory::Classic)) => {
            let mut resolved = false;
            let mut out = None;
            for f in fast.iter().filter(|f| f.date > o) {
                if f.grade == DayGrade::Graded(MagicGrade::Zero) {
                    resolved = true;
                }
                if f.date.days_since(series.day0).get() > cut && lb(f) >= MagicGrade::I {
                    out = Some(if resolved {
                        LateAcute::Recurrent
                    } else {
                        LateAcute::Persistent
                    });
                    break;
                }
            }
            out
        }
        _ => None,
    };
    AgvhdSummary {
        onset,
        onset_day,
        onset_category,
        late_acute,
        max_grade: max.0,
        max_grade_date: max.1,
        undetermined_days: fast.iter().filter(|f| f.grade.grade().is_none()).count(),
    }
}

/// The flag text of a documented lower-GI diagnosis date.
pub fn lower_gi_diagnosis_text(dx: Date) -> String {
    format!(
        "lower-GI diagnosis documented on {dx}: stool staged by the highest daily output of the day and the two before it up to {dx}, by the 3-day mean from the next day"
    )
}

/// Grades a series day by day with full explanations, plus the summary.
pub fn grade_timeline(
    series: &AgvhdSeries,
    cfg: &GvhdConfig,
) -> Result<AgvhdTimeline, FindingError> {
    let mut fast = Vec::new();
    run_fast(series, cfg, &mut fast)?;
    let days: Vec<Graded<MagicDay>> = fast
        .iter()
        .map(|f| explain_statuses(f.date, &f.organs, &[]))
        .collect();
    let sum = summarize(series, &fast, cfg);
    let explanation = Explanation {
        rule: "MAGIC acute GVHD course",
        version: MAGIC_VERSION,
        citations: MAGIC_CITATIONS.to_vec(),
        reason: summary_reason(&sum),
        evidence: summary_evidence(&fast, &sum),
        flags: summary_flags(series, &sum, cfg),
    };
    let summary = if series.days.is_empty() {
        Graded::InsufficientData {
            missing: vec!["at least one day of acute GVHD findings".into()],
            explanation,
        }
    } else {
        Graded::Value {
            value: sum,
            explanation,
        }
    };
    Ok(AgvhdTimeline { days, summary })
}

/// Evidence of the summary: the onset day and the day the maximum grade was
/// first reached, each with the organ stages that decided it.
fn summary_evidence(fast: &[FastDay], sum: &AgvhdSummary) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    let decisive_on = |date: Date| {
        fast.iter()
            .find(|f| f.date == date)
            .map(decisive_text)
            .unwrap_or_default()
    };
    if let (Some(o), Some(od)) = (sum.onset, sum.onset_day) {
        evidence.push(Evidence::value(
            Some(o),
            "agvhd_onset_day",
            f64::from(od.get()),
            None,
            format!("onset on day {od}: {}", decisive_on(o)),
        ));
    }
    if let Some(md) = sum.max_grade_date {
        evidence.push(Evidence::finding(
            Some(md),
            "agvhd_max_grade",
            format!(
                "maximum grade {} first reached: {}",
                sum.max_grade,
                decisive_on(md)
            ),
        ));
    }
    evidence
}

/// Flags of the summary: A-12 onset category, A-5 diagnosis date, overlap
/// syndrome, undetermined days and carry-forward.
fn summary_flags(series: &AgvhdSeries, sum: &AgvhdSummary, cfg: &GvhdConfig) -> Vec<Flag> {
    let mut fl = Vec::new();
    fl.push(Flag::new("A-12", format!("onset category from the onset day relative to day 0 ({}); onset after day +{} is late-onset", series.day0, cfg.late_onset_after_day)));
    if let Some(dx) = series.lower_gi_diagnosis {
        fl.push(Flag::new("A-5", lower_gi_diagnosis_text(dx)));
    }
    if series.chronic_features_present == Some(true) {
        fl.push(Flag::new("A-12", "chronic GVHD features present: NIH overlap syndrome (score with NIH 2014 chronic criteria)"));
    }
    if sum.undetermined_days > 0 {
        fl.push(Flag::new("MISSING", format!("{} could not be graded because organs were not assessed; their lower bounds count toward onset and maximum", graftwatch_core::number::counted(sum.undetermined_days, "day"))));
    }
    if cfg.carry_forward_days > 0 {
        fl.push(Flag::new(
            "CARRY",
            format!(
                "an organ's last assessment is carried forward for up to {} days",
                cfg.carry_forward_days
            ),
        ));
    }
    fl
}

/// The summary in words: onset, its category and the maximum grade.
fn summary_reason(sum: &AgvhdSummary) -> String {
    match (sum.onset, sum.onset_category) {
        (Some(o), Some(c)) => format!(
            "acute GVHD onset {o} (day {}, {}); maximum MAGIC grade {}",
            sum.onset_day.map(|d| d.to_string()).unwrap_or_default(),
            match c {
                OnsetCategory::Classic => "classic",
                OnsetCategory::LateOnset => "late-onset",
            },
            sum.max_grade
        ),
        _ => "no day reached MAGIC grade I or higher".to_string(),
    }
}

/// The organ stages that decided a fast day's grade, in words.
fn decisive_text(f: &FastDay) -> String {
    let lbs = lower_bound_stages(&f.organs);
    let (_, _, mask) = super::magic::magic_rule(&lbs);
    super::magic::decisive_organs(&f.organs, mask).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_gi_run_continues_on_the_next_day_and_restarts_after_a_gap() {
        let cfg = GvhdConfig::default();
        assert_eq!(next_upper_gi_run(0, None, &cfg), 1);
        assert_eq!(next_upper_gi_run(1, Some(1), &cfg), 2);
        // A run not yet persistent restarts after any gap.
        let short = cfg.upper_gi_persistent_days - 1;
        assert_eq!(next_upper_gi_run(short, Some(2), &cfg), 1);
    }

    #[test]
    fn persistent_upper_gi_run_survives_gaps_inside_the_carry_window() {
        let cfg = GvhdConfig::default();
        let run = cfg.upper_gi_persistent_days;
        let max_gap = cfg.carry_forward_days as i32 + 1;
        assert_eq!(
            next_upper_gi_run(run, Some(max_gap), &cfg),
            run + max_gap as u32
        );
        assert_eq!(next_upper_gi_run(run, Some(max_gap + 1), &cfg), 1);
    }
}

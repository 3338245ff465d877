//! Immune effector cell-associated hematotoxicity (ICAHT), EHA/EBMT 2023:
//! early (day 0 to +30) and late (day +31 to +100) neutropenia grades,
//! computed from raw dated ANC values.
//!
//! | Phase | Grade 1 | Grade 2 | Grade 3 | Grade 4 |
//! |---|---|---|---|---|
//! | Early, days with ANC ≤ 0.5 | 1–6 | 7–13 | ≥ 14 | never above 0.5 in day 0–30 |
//! | Early, days with ANC ≤ 0.1 | – | – | 7–13 | ≥ 14 |
//! | Late, ANC (≥ 2 measurements) | ≤ 1.5 | ≤ 1.0 | ≤ 0.5 | ≤ 0.1 |
//!
//! Counting rules (clinical-criteria.md §3.3, engine decisions 5 and 6,
//! ambiguities T-6, T-7, T-8): thresholds inclusive; a recovery of fewer than
//! 3 days does not end an episode and its days count; duration is cumulative
//! over day 0–30 by default (longest episode as an option), always flagged;
//! an episode that starts on day 0–3 and is still ongoing at the last ANC
//! before day +30 is grade 4; missing days are not imputed (a gap > 2 days
//! that crosses a threshold leaves the result undetermined *if* it could
//! change the grade); late ICAHT is graded by the second-lowest daily ANC.

use graftwatch_core::{Citation, Date, Provenance};
use serde::{Deserialize, Serialize};

use crate::day_grid::{Episodes, GapFill, Grid, Scale, build_grid, episodes};
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{COUNT_UNIT, DatedValue, DayValue, ValueError, daily_minimum, day_offset};

/// Source of the ICAHT grading table.
pub const ICAHT_CITATION: Citation = Citation {
    source: "Rejeski K et al. Blood 2023;142(10):865-877 (EHA/EBMT ICAHT consensus)",
    year: 2023,
    table: "ICAHT grading table (early and late)",
    doi: Some("10.1182/blood.2023020578"),
    provenance: Provenance::Secondary,
    note: "Thresholds reconstructed from the Liang/Fred Hutch R implementation \
           (emilyliangmd/automatedicahtgrading: thresholds 501/101 'below', 2 lowest ANCs \
           for late ICAHT) and the T-ICAHT companion table; exact table layout [R]. The T-ICAHT \
           table note (ash-sap view-large 12809257, checked 2026-11-25) says N-ICAHT counts the \
           cumulative length below the threshold with non-stable recoveries (< 3 d) added: this \
           supports the cumulative default.",
};

/// Source of the Liang reference implementation (T-6/T-7/T-8 behaviour).
pub const LIANG_CITATION: Citation = Citation {
    source: "Liang EC et al. automatedicahtgrading (R code, Fred Hutchinson), GitHub emilyliangmd/automatedicahtgrading",
    year: 2024,
    table: "grading functions (episode joining, interpolation, day 0-3 ongoing rule)",
    doi: None,
    provenance: Provenance::Secondary,
    note: "Reference for lowest ANC per day, joining episodes across recoveries < 3 days, \
           linear interpolation of gaps <= 7 days (our option), grade 4 for an episode from \
           day 0-3 ongoing at the last lab. Liang grades the longest episode; graftwatch \
           defaults to cumulative (engine decision 6). Re-read 2026-11-25 ('Manual Code.R', commit \
           c3e0109): lowest ANC per day, severe = ANC <= 500 and profound <= 100 /uL, grade 4 when \
           severe duration = 31 days (never above 500 in day 0-30) or profound >= 14 d, grade 3 for \
           severe 14-30 d or profound 7-13 d: same cut-offs as here.",
};

/// Rule version string.
pub const ICAHT_VERSION: &str = "EHA/EBMT ICAHT 2023 (graftwatch engine decisions 5, 6)";

/// An ICAHT (or T-ICAHT) grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IcahtGrade {
    /// No hematotoxicity by the criterion.
    Grade0,
    /// Grade 1.
    Grade1,
    /// Grade 2.
    Grade2,
    /// Grade 3.
    Grade3,
    /// Grade 4.
    Grade4,
}

impl IcahtGrade {
    /// The grade as a number 0–4.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// Which duration early ICAHT is graded on (T-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationMode {
    /// Engine default (decision 6): total days at/below the threshold in day
    /// 0–30, after merging recoveries shorter than the stable-recovery length.
    #[default]
    Cumulative,
    /// Liang's choice: the longest merged episode.
    LongestEpisode,
}

/// Configuration of ICAHT counting; `Default` is the reference default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IcahtConfig {
    /// T-6: cumulative (default) or longest episode.
    pub duration_mode: DurationMode,
    /// T-8: no imputation (default) or linear interpolation.
    pub gap_fill: GapFill,
    /// T-8: a gap of at most this many missing days takes the previous
    /// value's state even when it crosses a threshold (default 2).
    pub max_unfilled_gap_days: u32,
    /// Days above the threshold needed for a stable recovery (default 3; a
    /// shorter recovery does not end the episode).
    pub min_stable_recovery_days: u32,
}

impl Default for IcahtConfig {
    fn default() -> Self {
        IcahtConfig {
            duration_mode: DurationMode::Cumulative,
            gap_fill: GapFill::NoImputation,
            max_unfilled_gap_days: 2,
            min_stable_recovery_days: 3,
        }
    }
}

/// Why grading stops before day +30 / +100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CensorReason {
    /// Death.
    Death,
    /// Disease progression.
    Progression,
    /// Start of a subsequent line of therapy (including a transplant).
    NextTherapy,
}

/// A censoring event (T-ICAHT note: censor at progression, next therapy or
/// death).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Censor {
    /// Date of the event; values after it are ignored.
    pub date: Date,
    /// What happened.
    pub reason: CensorReason,
    /// The next therapy in clinical words (`conditioning`, `chemotherapy`,
    /// …), when `reason` is [`CensorReason::NextTherapy`] and it is known.
    #[serde(skip)]
    pub therapy: Option<&'static str>,
}

impl Censor {
    /// What ended the window, with its date: "conditioning started
    /// 2024-04-19", "death on 2024-05-26", "progression on 2024-05-26".
    pub fn words(&self) -> String {
        match self.reason {
            CensorReason::Death => format!("death on {}", self.date),
            CensorReason::Progression => format!("progression on {}", self.date),
            CensorReason::NextTherapy => format!(
                "{} started {}",
                self.therapy.unwrap_or("the next therapy"),
                self.date
            ),
        }
    }
}

/// T-7 for a late window (day +31 to +100) that ends before day +100 at
/// the censoring event: "window censored at day +46: conditioning started
/// 2024-04-19". `None` when the window runs to day +100.
pub(crate) fn late_censoring_flag(course: &CountCourse<'_>, end: i32) -> Option<Flag> {
    let c = course.censor.filter(|_| end < 100)?;
    Some(Flag::new(
        "T-7",
        format!("window censored at day {end:+}: {}", c.words()),
    ))
}

/// One count series (ANC, or platelets for the companion grading) after one
/// infusion.
#[derive(Debug, Clone, Copy)]
pub struct CountCourse<'a> {
    /// Day 0 (CAR-T or other immune-effector-cell infusion).
    pub day0: Date,
    /// Raw values in ×10⁹/L (any order, several per day allowed).
    pub values: &'a [DatedValue],
    /// Optional censoring event.
    pub censor: Option<Censor>,
}

/// Early ICAHT result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EarlyIcaht {
    /// The grade.
    pub grade: IcahtGrade,
    /// Duration mode used (T-6).
    pub duration_mode: DurationMode,
    /// Merged episodes with ANC ≤ 0.5 ×10⁹/L.
    pub le_0_5: Episodes,
    /// Merged episodes with ANC ≤ 0.1 ×10⁹/L.
    pub le_0_1: Episodes,
    /// Last day graded (day +30 unless censored or data ended).
    pub window_end_day: i32,
    /// ANC never above 0.5 over the whole of day 0–30.
    pub never_above_0_5: bool,
    /// Grade 4 given by the day 0–3 ongoing-episode rule (T-7).
    pub ongoing_from_day_0_3: bool,
}

/// Late ICAHT result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LateIcaht {
    /// The grade (by the second-lowest daily ANC in day +31 to +100).
    pub grade: IcahtGrade,
    /// Lowest daily ANC and its day.
    pub lowest: DayValue,
    /// Second-lowest daily ANC (the value graded) and its day.
    pub second_lowest: DayValue,
    /// Last day of the window.
    pub window_end_day: i32,
}

/// ANC scale for early ICAHT: ≤ 0.5 and ≤ 0.1 ×10⁹/L, inclusive.
pub const EARLY_ANC_SCALE: Scale = Scale {
    cuts: [0.5, 0.1],
    inclusive: true,
};

/// Grade from the two durations (days ≤ 0.5, days ≤ 0.1) and the grade-4
/// special cases.
pub fn early_grade_from_durations(
    days_le_0_5: u32,
    days_le_0_1: u32,
    grade4_rule: bool,
) -> IcahtGrade {
    if grade4_rule || days_le_0_1 >= 14 {
        return IcahtGrade::Grade4;
    }
    let by_500 = match days_le_0_5 {
        0 => IcahtGrade::Grade0,
        1..=6 => IcahtGrade::Grade1,
        7..=13 => IcahtGrade::Grade2,
        _ => IcahtGrade::Grade3,
    };
    let by_100 = if days_le_0_1 >= 7 {
        IcahtGrade::Grade3
    } else {
        IcahtGrade::Grade0
    };
    by_500.max(by_100)
}

/// Grade of late ICAHT from the graded (second-lowest) ANC.
pub fn late_grade(anc: f64) -> IcahtGrade {
    if anc <= 0.1 {
        IcahtGrade::Grade4
    } else if anc <= 0.5 {
        IcahtGrade::Grade3
    } else if anc <= 1.0 {
        IcahtGrade::Grade2
    } else if anc <= 1.5 {
        IcahtGrade::Grade1
    } else {
        IcahtGrade::Grade0
    }
}

struct Bound {
    grade: IcahtGrade,
    le5: Episodes,
    le1: Episodes,
    never_above: bool,
    t7: bool,
}

fn grade_levels(levels: &[u8], start: i32, end: i32, cfg: &IcahtConfig) -> Bound {
    let le5 = episodes(levels, start, 1, cfg.min_stable_recovery_days);
    let le1 = episodes(levels, start, 2, cfg.min_stable_recovery_days);
    let never_above = end == 30 && start == 0 && levels.iter().all(|&l| l >= 1);
    let t7 = end < 30 && matches!(le5.ongoing_since, Some(s) if s <= 3);
    let pick = |e: &Episodes| match cfg.duration_mode {
        DurationMode::Cumulative => e.cumulative,
        DurationMode::LongestEpisode => e.longest,
    };
    let grade = early_grade_from_durations(pick(&le5), pick(&le1), never_above || t7);
    Bound {
        grade,
        le5,
        le1,
        never_above,
        t7,
    }
}

/// Core of early ICAHT without an explanation: the grade bounds (equal when
/// the missing days cannot change the grade), the grid and the window.
pub struct EarlyCore {
    /// Result with undetermined days at their mildest.
    pub low: EarlyIcaht,
    /// Result with undetermined days at their most severe.
    pub high: EarlyIcaht,
    /// The per-day levels (for explanations).
    pub grid: Grid,
    /// Daily minima used (day −7 .. window end).
    pub days: Vec<DayValue>,
}

/// Computes early ICAHT bounds. `Ok(None)` when there is no ANC in the window.
pub fn early_icaht_core(
    course: &CountCourse<'_>,
    cfg: &IcahtConfig,
) -> Result<Option<EarlyCore>, ValueError> {
    let (hard_end, fetch_to) = early_window(course);
    let days = daily_minimum("anc", course.values, course.day0, -7, fetch_to)?;
    if !days.iter().any(|d| d.day >= 0 && d.day <= hard_end) {
        return Ok(None);
    }
    let end = hard_end.min(days[days.len() - 1].day);
    let grid = build_grid(
        &days,
        0,
        end,
        &EARLY_ANC_SCALE,
        cfg.gap_fill,
        cfg.max_unfilled_gap_days,
    );
    let lo = grade_levels(&grid.lo[..grid.len], 0, end, cfg);
    let hi = grade_levels(&grid.hi[..grid.len], 0, end, cfg);
    let mk = |b: &Bound| EarlyIcaht {
        grade: b.grade,
        duration_mode: cfg.duration_mode,
        le_0_5: b.le5,
        le_0_1: b.le1,
        window_end_day: end,
        never_above_0_5: b.never_above,
        ongoing_from_day_0_3: b.t7,
    };
    Ok(Some(EarlyCore {
        low: mk(&lo),
        high: mk(&hi),
        grid,
        days,
    }))
}

/// Days after day +30 whose values are read as right-hand neighbours for the
/// missing-day rules (so that a value on day +33 closes a gap from day +28).
pub const RIGHT_NEIGHBOUR_DAYS: i32 = 7;

/// Last graded day (+30 or the censoring day) and the last day read.
pub(crate) fn early_window(course: &CountCourse<'_>) -> (i32, i32) {
    match course.censor.map(|c| day_offset(c.date, course.day0)) {
        Some(cd) if cd <= 30 => (cd, cd),
        Some(cd) => (30, cd.min(30 + RIGHT_NEIGHBOUR_DAYS)),
        None => (30, 30 + RIGHT_NEIGHBOUR_DAYS),
    }
}

/// Fast path: the early grade only (`None` when missing days could change
/// it or there is no ANC), no explanation.
pub fn early_icaht_grade(
    course: &CountCourse<'_>,
    cfg: &IcahtConfig,
) -> Result<Option<IcahtGrade>, ValueError> {
    Ok(early_icaht_core(course, cfg)?
        .and_then(|c| (c.low.grade == c.high.grade).then_some(c.low.grade)))
}

fn early_explanation(reason: String) -> Explanation {
    Explanation {
        rule: "Early ICAHT (day 0 to +30)",
        version: ICAHT_VERSION,
        citations: vec![ICAHT_CITATION, LIANG_CITATION],
        reason,
        evidence: Vec::new(),
        flags: Vec::new(),
    }
}

fn value_on(days: &[DayValue], day: i32) -> Option<&DayValue> {
    days.binary_search_by_key(&day, |d| d.day)
        .ok()
        .map(|i| &days[i])
}

fn episode_evidence(days: &[DayValue], e: &Episodes, label: &str, out: &mut Vec<Evidence>) {
    if let Some((s, t)) = e.longest_span {
        for (d, what) in [(s, "first day"), (t, "last day")] {
            if let Some(v) = value_on(days, d) {
                out.push(Evidence::value(
                    Some(v.date),
                    "anc",
                    v.value,
                    Some(COUNT_UNIT),
                    format!("day {d:+}: {what} of the longest episode with ANC {label}"),
                ));
            }
        }
        // the value that ended the episode (the last day may have been carried forward)
        if let Some(v) = days.iter().find(|v| v.day > t) {
            out.push(Evidence::value(
                Some(v.date),
                "anc",
                v.value,
                Some(COUNT_UNIT),
                format!(
                    "day {:+}: first ANC after the longest episode with ANC {label}",
                    v.day
                ),
            ));
        }
    }
}

/// Early ICAHT (day 0 to +30) from raw ANC values.
pub fn early_icaht(
    course: &CountCourse<'_>,
    cfg: &IcahtConfig,
) -> Result<Graded<EarlyIcaht>, ValueError> {
    let Some(core) = early_icaht_core(course, cfg)? else {
        return Ok(Graded::InsufficientData {
            missing: vec!["ANC between day 0 and day +30".into()],
            explanation: early_explanation("no ANC value in day 0 to +30".into()),
        });
    };
    let r = core.low;
    let mut flags = vec![duration_flag(cfg)];
    if core.grid.filled_days > 0 {
        flags.push(gap_fill_flag(core.grid.filled_days, cfg));
    }
    if r.window_end_day < 30 {
        flags.push(censoring_flag(course, r.window_end_day, "ANC"));
    }
    if core.low.grade != core.high.grade {
        return Ok(undetermined_early(&core, flags));
    }
    if core.grid.n_uncertain > 0 {
        flags.push(Flag::new(
            "T-8",
            format!("{} > {} days crossing a threshold; the grade is the same whatever the missing values", graftwatch_core::number::counted(core.grid.n_uncertain, "gap"), cfg.max_unfilled_gap_days),
        ));
    }
    let reason = early_reason(&r, cfg, &mut flags);
    let mut ex = early_explanation(reason);
    ex.evidence = early_evidence(&core.days, &r);
    ex.flags = flags;
    Ok(Graded::Value {
        value: r,
        explanation: ex,
    })
}

/// T-6: how the duration is counted and which short recoveries are bridged.
fn duration_flag(cfg: &IcahtConfig) -> Flag {
    let mode_text = match cfg.duration_mode {
        DurationMode::Cumulative => {
            "cumulative days at or below the threshold in day 0-30 (engine default)"
        }
        DurationMode::LongestEpisode => "longest single episode (Liang option)",
    };
    Flag::new(
        "T-6",
        format!(
            "duration = {mode_text}; recoveries shorter than {} days do not end an episode and are counted",
            cfg.min_stable_recovery_days
        ),
    )
}

/// T-8: how `filled_days` missing days were filled.
fn gap_fill_flag(filled_days: u32, cfg: &IcahtConfig) -> Flag {
    let missing =
        graftwatch_core::number::counted_as(filled_days as usize, "missing day", "missing days");
    let how = match cfg.gap_fill {
        GapFill::NoImputation => format!(
            "no imputation: {missing} took the state of the previous ANC (gaps ≤ {} days or not crossing a threshold)",
            cfg.max_unfilled_gap_days
        ),
        GapFill::Linear { max_gap_days } => format!(
            "{missing} filled by linear interpolation (gaps ≤ {max_gap_days} days) or by the previous ANC"
        ),
    };
    Flag::new("T-8", how)
}

/// T-7: the window ends before day +30 (`end`): at the censoring event when
/// it falls on that day ("conditioning started 2024-04-19, day +20"), else
/// at the last ANC.
pub(crate) fn censoring_flag(course: &CountCourse<'_>, end: i32, count: &str) -> Flag {
    let why = match course.censor {
        Some(c) if day_offset(c.date, course.day0) == end => {
            format!("{}, day {end:+}", c.words())
        }
        _ => format!("last {count} on day {end:+}"),
    };
    Flag::new(
        "T-7",
        format!("graded to day {end:+} only ({why}); durations are censored there"),
    )
}

/// Missing days crossing a threshold leave the grade between two values:
/// insufficient data, naming the gaps.
fn undetermined_early(core: &EarlyCore, flags: Vec<Flag>) -> Graded<EarlyIcaht> {
    let gaps: Vec<String> = core
        .grid
        .uncertain_gaps()
        .iter()
        .map(|g| format!("ANC between day {:+} and day {:+}", g.from_day, g.to_day))
        .collect();
    let mut ex = early_explanation(format!(
        "missing ANC days crossing a threshold could make the grade anything from {} to {}",
        core.low.grade.number(),
        core.high.grade.number()
    ));
    ex.flags = flags;
    Graded::InsufficientData {
        missing: gaps,
        explanation: ex,
    }
}

/// Why the early grade is what it is: never above 0.5, the day 0–3 ongoing
/// episode (T-7 flag added), or the counted durations.
fn early_reason(r: &EarlyIcaht, cfg: &IcahtConfig, flags: &mut Vec<Flag>) -> String {
    let pick = |e: &Episodes| match cfg.duration_mode {
        DurationMode::Cumulative => e.cumulative,
        DurationMode::LongestEpisode => e.longest,
    };
    if r.never_above_0_5 {
        "ANC never above 0.5 ×10⁹/L in day 0 to +30: grade 4".to_string()
    } else if r.ongoing_from_day_0_3 {
        flags.push(Flag::new(
            "T-7",
            "episode starting on day 0-3 still ongoing at the last ANC: grade 4 (Liang rule)",
        ));
        format!(
            "ANC ≤ 0.5 from day {:+} still ongoing at the last ANC on day {:+}: grade 4",
            r.le_0_5.ongoing_since.unwrap_or(0),
            r.window_end_day
        )
    } else {
        format!(
            "{} with ANC ≤ 0.5 and {} with ANC ≤ 0.1 ×10⁹/L: grade {}",
            graftwatch_core::number::counted(pick(&r.le_0_5) as usize, "day"),
            graftwatch_core::number::counted(pick(&r.le_0_1) as usize, "day"),
            r.grade.number()
        )
    }
}

/// Evidence of the early grade: the longest episodes at each threshold and
/// the nadir of day 0 to the window end.
fn early_evidence(days: &[DayValue], r: &EarlyIcaht) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    episode_evidence(days, &r.le_0_5, "≤ 0.5", &mut evidence);
    episode_evidence(days, &r.le_0_1, "≤ 0.1", &mut evidence);
    if let Some(n) = days
        .iter()
        .filter(|d| d.day >= 0 && d.day <= r.window_end_day)
        .min_by(|a, b| a.value.total_cmp(&b.value))
    {
        evidence.push(Evidence::value(
            Some(n.date),
            "anc",
            n.value,
            Some(COUNT_UNIT),
            format!("day {:+}: nadir in day 0 to {:+}", n.day, r.window_end_day),
        ));
    }
    evidence
}

/// The two lowest daily values in `days` (first = lowest).
pub(crate) fn two_lowest(days: &[DayValue]) -> Option<(DayValue, DayValue)> {
    let mut a: Option<DayValue> = None;
    let mut b: Option<DayValue> = None;
    for &d in days {
        match a {
            None => a = Some(d),
            Some(x) if d.value < x.value => {
                b = a;
                a = Some(d);
            }
            _ => match b {
                Some(y) if d.value >= y.value => {}
                _ => b = Some(d),
            },
        }
    }
    Some((a?, b?))
}

/// Late ICAHT (day +31 to +100): grade by the second-lowest daily ANC, so
/// that a single low value is not graded (engine decision 5).
pub fn late_icaht(course: &CountCourse<'_>) -> Result<Graded<LateIcaht>, ValueError> {
    let mut end = 100;
    if let Some(c) = course.censor {
        end = end.min(day_offset(c.date, course.day0));
    }
    let days = daily_minimum("anc", course.values, course.day0, 31, end)?;
    if end < 31 {
        let ex = Explanation {
            rule: "Late ICAHT (day +31 to +100)",
            version: ICAHT_VERSION,
            citations: vec![ICAHT_CITATION],
            reason: format!("censored on day {end:+}, before the late window"),
            evidence: Vec::new(),
            flags: Vec::new(),
        };
        return Ok(Graded::NotApplicable {
            reason: ex.reason.clone(),
            explanation: ex,
        });
    }
    let mut ex = Explanation {
        rule: "Late ICAHT (day +31 to +100)",
        version: ICAHT_VERSION,
        citations: vec![ICAHT_CITATION, LIANG_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "ICAHT-late",
            "graded by the second-lowest daily ANC in the window (decision 5: a grade needs ≥ 2 measurements; one value per day)",
        )],
    };
    ex.flags.extend(late_censoring_flag(course, end));
    let Some((lo, second)) = two_lowest(&days) else {
        ex.reason = format!(
            "{} between day +31 and day {end:+}; 2 are needed",
            graftwatch_core::number::counted(days.len(), "daily ANC value")
        );
        return Ok(Graded::InsufficientData {
            missing: vec![format!(
                "at least 2 ANC values on different days between day +31 and day {end:+}"
            )],
            explanation: ex,
        });
    };
    let grade = late_grade(second.value);
    ex.reason = format!(
        "second-lowest daily ANC {} ×10⁹/L on day {:+}: grade {}",
        second.value,
        second.day,
        grade.number()
    );
    for (d, what) in [(lo, "lowest"), (second, "second-lowest (graded)")] {
        ex.evidence.push(Evidence::value(
            Some(d.date),
            "anc",
            d.value,
            Some(COUNT_UNIT),
            format!("day {:+}: {what} ANC in day +31 to {end:+}", d.day),
        ));
    }
    Ok(Graded::Value {
        value: LateIcaht {
            grade,
            lowest: lo,
            second_lowest: second,
            window_end_day: end,
        },
        explanation: ex,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_table_boundaries() {
        use IcahtGrade::*;
        assert_eq!(early_grade_from_durations(0, 0, false), Grade0);
        assert_eq!(early_grade_from_durations(1, 0, false), Grade1);
        assert_eq!(early_grade_from_durations(6, 0, false), Grade1);
        assert_eq!(early_grade_from_durations(7, 0, false), Grade2);
        assert_eq!(early_grade_from_durations(13, 0, false), Grade2);
        assert_eq!(early_grade_from_durations(14, 0, false), Grade3);
        assert_eq!(early_grade_from_durations(7, 6, false), Grade2);
        assert_eq!(early_grade_from_durations(7, 7, false), Grade3);
        assert_eq!(early_grade_from_durations(14, 13, false), Grade3);
        assert_eq!(early_grade_from_durations(14, 14, false), Grade4);
        assert_eq!(early_grade_from_durations(3, 0, true), Grade4);
    }

    #[test]
    fn late_grade_boundaries() {
        use IcahtGrade::*;
        assert_eq!(late_grade(0.1), Grade4);
        assert_eq!(late_grade(0.11), Grade3);
        assert_eq!(late_grade(0.5), Grade3);
        assert_eq!(late_grade(0.51), Grade2);
        assert_eq!(late_grade(1.0), Grade2);
        assert_eq!(late_grade(1.01), Grade1);
        assert_eq!(late_grade(1.5), Grade1);
        assert_eq!(late_grade(1.51), Grade0);
    }

    #[test]
    fn two_lowest_handles_ties_and_order() {
        use crate::series::test_day_value as dv;
        let (a, b) = two_lowest(&[dv(1, 3.0), dv(2, 0.2), dv(3, 0.2), dv(4, 1.0)]).unwrap();
        assert_eq!((a.day, b.day), (2, 3));
        let (a, b) = two_lowest(&[dv(1, 0.1), dv(2, 3.0), dv(3, 0.5)]).unwrap();
        assert_eq!((a.value, b.value), (0.1, 0.5));
        assert!(two_lowest(&[dv(1, 0.1)]).is_none());
    }

    #[test]
    fn censoring_flag_names_the_event_only_on_its_day() {
        let day0 = Date::from_days_since_epoch(0);
        let course = CountCourse {
            day0,
            values: &[],
            censor: Some(Censor {
                date: day0.add_days(20),
                reason: CensorReason::Death,
                therapy: None,
            }),
        };
        let on = censoring_flag(&course, 20, "ANC").text;
        assert!(
            on.contains("(death on 1970-01-21, day +20)") && !on.contains("last ANC"),
            "{on}"
        );
        let before = censoring_flag(&course, 19, "ANC").text;
        assert!(before.contains("last ANC on day +19"), "{before}");
    }

    #[test]
    fn early_reason_by_rule() {
        let cfg = IcahtConfig::default();
        let mut r = EarlyIcaht {
            grade: IcahtGrade::Grade2,
            duration_mode: cfg.duration_mode,
            le_0_5: Episodes {
                cumulative: 8,
                longest: 5,
                ..Episodes::default()
            },
            le_0_1: Episodes::default(),
            window_end_day: 30,
            never_above_0_5: false,
            ongoing_from_day_0_3: false,
        };
        let mut flags = Vec::new();
        let reason = early_reason(&r, &cfg, &mut flags);
        let counted = match cfg.duration_mode {
            DurationMode::Cumulative => 8,
            DurationMode::LongestEpisode => 5,
        };
        assert!(
            reason.starts_with(&format!("{counted} days with ANC ≤ 0.5")),
            "{reason}"
        );
        assert!(flags.is_empty());
        r.ongoing_from_day_0_3 = true;
        assert!(early_reason(&r, &cfg, &mut flags).contains("still ongoing"));
        assert_eq!(flags.len(), 1);
        r.never_above_0_5 = true;
        assert!(early_reason(&r, &cfg, &mut flags).contains("never above 0.5"));
        assert_eq!(flags.len(), 1, "no T-7 flag when never above 0.5");
    }
}

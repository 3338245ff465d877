//! Acute GVHD: the mapping of the extracted daily findings to the criteria's
//! raw findings, and the one-line day reasons. The course run is in
//! `agvhd_run`, Keystone / IBMTR in `agvhd_alt`.

use graftwatch_course::Attribution as CourseAttr;
use graftwatch_course::ObservationKind;
use graftwatch_criteria::agvhd::magic::{
    DayGrade, MagicGrade, OrganMissing, lower_bound_stages, magic_grade,
};
use graftwatch_criteria::agvhd::stage::{Basis, StageCall};
use graftwatch_criteria::agvhd::timeline::FastDay;
use graftwatch_criteria::agvhd::{
    Attribution, DayFindings, LiverFinding, LowerGiFinding, SkinFinding, UpperGiFinding,
};
use graftwatch_criteria::{Explanation, Flag, Graded};

use crate::extract::GvhdDay;

/// How findings without a stated attribution are read, and what the
/// reading found, for the flags.
#[derive(Debug, Clone, Default)]
pub struct Unstated {
    /// Unattributed findings count as GVHD (`[engine]
    /// unstated_attribution_is_gvhd`); else they are not staged.
    pub is_gvhd: bool,
    /// An unattributed bilirubin needs skin or GI GVHD findings within
    /// `window_days` (`[engine] unattributed_isolated_bilirubin_is_gvhd`
    /// false).
    pub liver_needs_other_organ: bool,
    /// The window (the organ carry-forward, days).
    pub window_days: i32,
    /// Some finding had no attribution.
    pub seen: bool,
    /// The last day with a skin or GI GVHD finding.
    pub last_other_organ: Option<graftwatch_core::Date>,
    /// Days whose unattributed bilirubin was not staged (date, mg/dL).
    pub liver_not_staged: Vec<(graftwatch_core::Date, f64)>,
}

impl Unstated {
    /// The reading the configuration asks for.
    pub fn new(cfg: &crate::GradingConfig) -> Unstated {
        Unstated {
            is_gvhd: cfg.engine.unstated_attribution_is_gvhd,
            liver_needs_other_organ: !cfg.engine.unattributed_isolated_bilirubin_is_gvhd,
            window_days: cfg.agvhd.carry_forward_days as i32,
            ..Unstated::default()
        }
    }

    fn attr(&mut self, a: Option<CourseAttr>) -> Attribution {
        match a {
            Some(CourseAttr::Gvhd) => Attribution::Gvhd,
            Some(CourseAttr::Other) => Attribution::OtherCause,
            Some(CourseAttr::Multifactorial) => Attribution::Multifactorial,
            None => {
                self.seen = true;
                if self.is_gvhd {
                    Attribution::Gvhd
                } else {
                    Attribution::OtherCause
                }
            }
        }
    }

    /// The attribution of a day's bilirubin.
    fn liver(&mut self, g: &GvhdDay, b: crate::extract::gvhd::Finding<f64>) -> Attribution {
        let near = self
            .last_other_organ
            .is_some_and(|d| g.date.days_since(d).get() <= self.window_days);
        // Only a bilirubin that would stage the liver (≥ 2.0 mg/dL) is held
        // back; below it the stage is 0 whatever the attribution.
        let stages = graftwatch_criteria::agvhd::magic::stage_bilirubin(b.value).0
            != graftwatch_criteria::agvhd::stage::Stage::S0;
        if b.attribution.is_none()
            && self.is_gvhd
            && self.liver_needs_other_organ
            && stages
            && !near
        {
            self.seen = true;
            self.liver_not_staged.push((g.date, b.value));
            return Attribution::OtherCause;
        }
        self.attr(b.attribution)
    }
}

/// Whether the day records a skin or GI finding of GVHD (not attributed
/// to another cause) that would stage the organ at 1 or more: a rash,
/// erythroderma, bullae, upper-GI symptoms, or stool ≥ 500 mL (≥ 10
/// mL/kg), ≥ 3 episodes, blood, severe pain or ileus (MAGIC stage 1).
fn other_organ_gvhd(g: &GvhdDay) -> bool {
    use crate::extract::gvhd::Finding;
    fn pos<T: Copy>(f: Option<Finding<T>>, yes: impl Fn(T) -> bool) -> bool {
        f.is_some_and(|f| f.attribution != Some(CourseAttr::Other) && yes(f.value))
    }
    pos(g.skin_bsa, |v| v > 0.0)
        || pos(g.erythroderma, |v| v)
        || pos(g.bullae, |v| v)
        || pos(g.upper_gi_persistent, |v| v)
        || g.upper_gi_daily.is_some_and(|d| {
            d.attribution != Some(CourseAttr::Other)
                && (d.nausea || d.anorexia_with_weight_loss || d.vomiting_episodes > 0)
        })
        || pos(g.stool_ml, |v| v >= 500.0)
        || g.stool_ml_per_kg.is_some_and(|v| v >= 10.0)
        || pos(g.stool_episodes, |v| v >= 3)
        || pos(g.stool_bloody, |v| v)
        || pos(g.abdominal_pain_severe, |v| v)
        || pos(g.ileus, |v| v)
}

/// Maps one extracted day to the criteria's raw findings, reading missing
/// attributions by `unstated` (which records what it did); `erythroderma`
/// is set when generalised erythroderma raised the BSA to > 50 %.
pub fn to_day_findings(
    g: &GvhdDay,
    upper_gi_days: u32,
    unstated: &mut Unstated,
    erythroderma: &mut bool,
) -> DayFindings {
    let mut f = DayFindings::new(g.date);
    if other_organ_gvhd(g) {
        unstated.last_other_organ = Some(g.date);
    }
    let skin_any = g.skin_bsa.is_some()
        || g.erythroderma.is_some()
        || g.bullae.is_some()
        || g.desquamation_bsa.is_some();
    if skin_any {
        let mut a = g.skin_bsa.map(|s| s.attribution);
        for o in [
            g.erythroderma.map(|x| x.attribution),
            g.bullae.map(|x| x.attribution),
        ]
        .into_iter()
        .flatten()
        {
            a = Some(crate::extract::gvhd::merge_attribution(a.flatten(), o));
        }
        let mut bsa = g.skin_bsa.map_or(0.0, |s| s.value);
        if g.erythroderma.is_some_and(|e| e.value) && bsa <= 50.0 {
            // MAGIC stage 3 = > 50 % BSA or generalised erythroderma.
            bsa = 51.0;
            *erythroderma = true;
        }
        f.skin = Some(SkinFinding {
            erythema_bsa_pct: bsa,
            bullae: g.bullae.is_some_and(|b| b.value),
            desquamation_bsa_pct: g.desquamation_bsa.map_or(0.0, |d| d.value),
            attribution: unstated.attr(a.flatten()),
        });
    }
    if let Some(b) = g.bilirubin {
        f.liver = Some(LiverFinding {
            bilirubin_mg_dl: b.value,
            attribution: unstated.liver(g, b),
        });
    }
    if let Some(d) = g.upper_gi_daily {
        // Daily symptoms: the criteria's timeline counts the consecutive
        // qualifying days itself; a recorded "persistent" flag on the
        // same day adds the stated duration.
        let persistent = g.upper_gi_persistent.is_some_and(|u| u.value);
        let a = crate::extract::gvhd::merge_attribution(
            d.attribution,
            g.upper_gi_persistent.and_then(|u| u.attribution),
        );
        f.upper_gi = Some(UpperGiFinding {
            nausea: d.nausea || persistent,
            anorexia_with_weight_loss: d.anorexia_with_weight_loss,
            vomiting_episodes: d.vomiting_episodes,
            symptom_days: persistent.then_some(upper_gi_days),
            attribution: unstated.attr(a),
        });
    } else if let Some(u) = g.upper_gi_persistent {
        // The course records whether the MAGIC threshold was met; a met
        // threshold is passed as qualifying symptoms of the required duration.
        f.upper_gi = Some(UpperGiFinding {
            nausea: u.value,
            anorexia_with_weight_loss: false,
            vomiting_episodes: 0,
            symptom_days: Some(if u.value { upper_gi_days } else { 0 }),
            attribution: unstated.attr(u.attribution),
        });
    }
    f.lower_gi = lower_gi(g, unstated);
    f.weight_kg = g.weight_kg;
    apply_no_findings(&mut f, g.no_findings);
    f
}

/// The lower-GI finding of a day, if any lower-GI field was recorded.
fn lower_gi(g: &GvhdDay, unstated: &mut Unstated) -> Option<LowerGiFinding> {
    let gi_any = g.stool_ml.is_some()
        || g.stool_episodes.is_some()
        || g.stool_bloody.is_some()
        || g.abdominal_pain_severe.is_some()
        || g.ileus.is_some()
        || g.stool_ml_per_kg.is_some();
    if !gi_any {
        return None;
    }
    let mut a: Option<CourseAttr> = None;
    let parts = [
        g.stool_ml.map(|x| x.attribution),
        g.stool_episodes.map(|x| x.attribution),
        g.stool_bloody.map(|x| x.attribution),
        g.abdominal_pain_severe.map(|x| x.attribution),
        g.ileus.map(|x| x.attribution),
    ];
    for p in parts.into_iter().flatten() {
        a = crate::extract::gvhd::merge_attribution(a, p);
    }
    Some(LowerGiFinding {
        stool_ml: g.stool_ml.map(|s| s.value),
        episodes: g.stool_episodes.map(|e| e.value),
        grossly_bloody: g.stool_bloody.is_some_and(|b| b.value),
        severe_pain: g.abdominal_pain_severe.is_some_and(|b| b.value),
        ileus: g.ileus.is_some_and(|b| b.value),
        attribution: unstated.attr(a),
    })
}

/// Organs recorded as assessed without findings (`agvhd_no_findings`) and
/// without any finding of their own that day are staged 0.
fn apply_no_findings(f: &mut DayFindings, nf: [bool; 4]) {
    let a = Attribution::Gvhd;
    if nf[0] && f.skin.is_none() {
        f.skin = Some(SkinFinding {
            erythema_bsa_pct: 0.0,
            bullae: false,
            desquamation_bsa_pct: 0.0,
            attribution: a,
        });
    }
    if nf[1] && f.liver.is_none() {
        f.liver = Some(LiverFinding {
            bilirubin_mg_dl: 0.0,
            attribution: a,
        });
    }
    if nf[2] && f.upper_gi.is_none() {
        f.upper_gi = Some(UpperGiFinding {
            nausea: false,
            anorexia_with_weight_loss: false,
            vomiting_episodes: 0,
            symptom_days: Some(0),
            attribution: a,
        });
    }
    if nf[3] && f.lower_gi.is_none() {
        f.lower_gi = Some(LowerGiFinding {
            stool_ml: Some(0.0),
            episodes: None,
            grossly_bloody: false,
            severe_pain: false,
            ileus: false,
            attribution: a,
        });
    }
}

pub(crate) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub(crate) fn missing_text(m: OrganMissing) -> &'static str {
    match m {
        OrganMissing::NotAssessed => "not assessed",
        OrganMissing::Weight { .. } => "no body weight for the stool rule",
        OrganMissing::UpperGiDuration => "symptom duration unknown",
        OrganMissing::StoolQuantity => "no stool volume or episodes",
    }
}

pub(crate) fn grade_label(g: DayGrade) -> (String, u8) {
    match g {
        DayGrade::Graded(x) => (x.as_str().to_string(), grade_level(g)),
        // A lower bound of 0 says nothing: no organ above stage 0 was seen
        // and some organ could not be staged.
        DayGrade::AtLeast(MagicGrade::Zero) => (NOT_YET_GRADABLE.to_string(), 0),
        DayGrade::AtLeast(x) => (format!("at least {}", x.as_str()), grade_level(g)),
    }
}

pub(crate) use crate::output::NOT_YET_GRADABLE;

/// The numeric grade of a day (0–4), determined or a lower bound.
pub(crate) fn grade_level(g: DayGrade) -> u8 {
    match g {
        DayGrade::Graded(x) | DayGrade::AtLeast(x) => x as u8,
    }
}

/// The course kind a stage was based on: its clinical label names the
/// finding in every reason (`graftwatch_course::ObservationKind::label`).
fn basis_kind(b: Basis) -> Option<ObservationKind> {
    Some(match b {
        Basis::SkinBsa => ObservationKind::SkinRashBsa,
        Basis::SkinBullaeDesquamation => ObservationKind::SkinDesquamationBsa,
        Basis::Bilirubin => ObservationKind::Lab(graftwatch_core::Analyte::Bilirubin),
        Basis::StoolVolume => ObservationKind::StoolVolume,
        Basis::StoolEpisodes => ObservationKind::StoolEpisodes,
        Basis::BloodyStool => ObservationKind::StoolBloody,
        Basis::SeverePain => ObservationKind::AbdominalPainSevere,
        Basis::Ileus => ObservationKind::Ileus,
        Basis::UpperGiSymptoms | Basis::ExcludedOtherCause => return None,
    })
}

/// The decisive finding of a stage in clinical words: `rash body surface
/// area 8 %`, `stool volume 1226.67 mL/day, 3-day mean,`, `bilirubin 3.4
/// mg/dL`, `grossly bloody stool`.
pub(crate) fn finding_words(c: &StageCall) -> String {
    use graftwatch_criteria::agvhd::stage::flags;
    let v = round2(c.value);
    let per_day = if c.flags & flags::CHILD != 0 {
        "mL/kg/day"
    } else {
        "mL/day"
    };
    let how = if c.flags & flags::MEAN3 != 0 {
        ", 3-day mean,"
    } else if c.flags & flags::ONSET_MAX != 0 {
        ", highest of 3 days,"
    } else {
        ""
    };
    let label = basis_kind(c.basis).map_or("", ObservationKind::label);
    match c.basis {
        Basis::UpperGiSymptoms => format!("nausea, vomiting or anorexia for {v} days"),
        Basis::StoolVolume => format!("{label} {v} {per_day}{how}"),
        Basis::StoolEpisodes => {
            format!("{label} counted as {v} {per_day}{how}")
        }
        Basis::BloodyStool | Basis::SeverePain | Basis::Ileus => label.to_string(),
        Basis::ExcludedOtherCause => "finding attributed to another cause".to_string(),
        Basis::SkinBsa | Basis::SkinBullaeDesquamation => {
            let unit = c.unit().map(|u| format!(" {u}")).unwrap_or_default();
            format!("{label} {v}{unit}")
        }
        // Three decimals: a bilirubin entered in µmol/L sits just above a
        // stage boundary after conversion (51.33 µmol/L = 3.002 mg/dL, stage
        // 2), which two decimals would show as "3 mg/dL".
        Basis::Bilirubin => {
            let unit = c.unit().map(|u| format!(" {u}")).unwrap_or_default();
            format!("{label} {}{unit}", graftwatch_core::number::short(c.value))
        }
    }
}

/// Why an organ finding was not staged as GVHD, in the day's words:
/// an unattributed bilirubin without skin or GI GVHD nearby, or a finding
/// not attributed to GVHD.
fn not_staged_words(c: &StageCall, run: &super::agvhd_run::AgvhdRun) -> String {
    let liver = run
        .liver_not_staged
        .iter()
        .find(|(d, _)| *d == c.date)
        .filter(|_| c.organ == graftwatch_criteria::agvhd::stage::Organ::Liver);
    match liver {
        Some((d, mg)) => format!(
            "liver not staged: bilirubin {} mg/dL on {d} without GVHD attribution and no skin or GI GVHD finding within {} days (A-8)",
            graftwatch_core::number::short(*mg),
            run.liver_window_days
        ),
        None => format!(
            "{} not staged: finding on {} not attributed to GVHD (A-8)",
            c.organ.name(),
            c.date
        ),
    }
}

pub(crate) fn day_reason(f: &FastDay, run: &super::agvhd_run::AgvhdRun) -> String {
    let mut parts = Vec::new();
    const NAMES: [&str; 4] = ["skin", "liver", "upper GI", "lower GI"];
    for (i, st) in f.organs.iter().enumerate() {
        match st {
            Ok(c) if c.basis == Basis::ExcludedOtherCause => {
                parts.push(not_staged_words(c, run));
            }
            Ok(c) if c.stage.get() > 0 => {
                parts.push(format!(
                    "{} stage {} ({} on {})",
                    c.organ.name(),
                    c.stage.get(),
                    finding_words(c),
                    c.date
                ));
            }
            Ok(_) => {}
            Err(m) => parts.push(format!("{} not staged ({})", NAMES[i], missing_text(*m))),
        }
    }
    let lb = lower_bound_stages(&f.organs);
    let g = magic_grade(&lb);
    let grade = match f.grade {
        DayGrade::Graded(_) => format!("MAGIC grade {g}"),
        DayGrade::AtLeast(_) if g == MagicGrade::Zero => {
            format!("{NOT_YET_GRADABLE} by MAGIC (no organ above stage 0 seen)")
        }
        DayGrade::AtLeast(_) => format!("MAGIC at least grade {g}"),
    };
    if parts.is_empty() {
        format!("{grade}: no organ involved")
    } else if g == MagicGrade::Zero {
        format!("{grade}: no organ staged as GVHD; {}", parts.join("; "))
    } else {
        format!("{grade}: {}", parts.join("; "))
    }
}

pub(crate) fn with_flags_any<T>(mut g: Graded<T>, flags: &[Flag]) -> Graded<T> {
    let e: &mut Explanation = match &mut g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation,
    };
    e.flags.extend_from_slice(flags);
    g
}

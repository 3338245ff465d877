//! Acute GVHD over the course: the extracted daily findings after the first
//! transplant go through the MAGIC timeline fast path (staging, A-5 stool
//! rule, carry-forward); only the decisive days (onset, maximum grade) are
//! explained in full.

use graftwatch_core::Date;
use graftwatch_course::{Anchor, AnchorKind, Attribution as CourseAttr};
use graftwatch_criteria::agvhd::magic::{
    DayGrade, OrganMissing, explain_statuses, lower_bound_stages, magic_grade,
};
use graftwatch_criteria::agvhd::timeline::{
    AgvhdSeries, FastDay, LateAcute, OnsetCategory, run_fast, summarize,
};
use graftwatch_criteria::agvhd::{
    Attribution, DayFindings, LiverFinding, LowerGiFinding, MagicGrade, SkinFinding, UpperGiFinding,
};
use graftwatch_criteria::{Explanation, Flag, Graded};

use super::Sink;
use crate::criterion::Criterion;
use crate::extract::{CourseInputs, GvhdDay};
use crate::output::{DayEntry, SummaryItem};

fn attr(a: Option<CourseAttr>, unstated: &mut bool) -> Attribution {
    match a {
        Some(CourseAttr::Gvhd) => Attribution::Gvhd,
        Some(CourseAttr::Other) => Attribution::OtherCause,
        Some(CourseAttr::Multifactorial) => Attribution::Multifactorial,
        None => {
            *unstated = true;
            Attribution::Gvhd
        }
    }
}

/// Maps one extracted day to the criteria's raw findings. `unstated` is set
/// when a finding had no attribution; `erythroderma` when generalised
/// erythroderma raised the BSA to > 50 %.
pub fn to_day_findings(
    g: &GvhdDay,
    upper_gi_days: u32,
    unstated: &mut bool,
    erythroderma: &mut bool,
) -> DayFindings {
    let mut f = DayFindings::new(g.date);
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
            attribution: attr(a.flatten(), unstated),
        });
    }
    if let Some(b) = g.bilirubin {
        f.liver = Some(LiverFinding {
            bilirubin_mg_dl: b.value,
            attribution: attr(b.attribution, unstated),
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
            attribution: attr(a, unstated),
        });
    } else if let Some(u) = g.upper_gi_persistent {
        // The course records whether the MAGIC threshold was met; a met
        // threshold is passed as qualifying symptoms of the required duration.
        f.upper_gi = Some(UpperGiFinding {
            nausea: u.value,
            anorexia_with_weight_loss: false,
            vomiting_episodes: 0,
            symptom_days: Some(if u.value { upper_gi_days } else { 0 }),
            attribution: attr(u.attribution, unstated),
        });
    }
    let gi_any = g.stool_ml.is_some()
        || g.stool_episodes.is_some()
        || g.stool_bloody.is_some()
        || g.abdominal_pain_severe.is_some()
        || g.ileus.is_some()
        || g.stool_ml_per_kg.is_some();
    if gi_any {
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
        f.lower_gi = Some(LowerGiFinding {
            stool_ml: g.stool_ml.map(|s| s.value),
            episodes: g.stool_episodes.map(|e| e.value),
            grossly_bloody: g.stool_bloody.is_some_and(|b| b.value),
            severe_pain: g.abdominal_pain_severe.is_some_and(|b| b.value),
            ileus: g.ileus.is_some_and(|b| b.value),
            attribution: attr(a, unstated),
        });
    }
    f.weight_kg = g.weight_kg;
    f
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn missing_text(m: OrganMissing) -> &'static str {
    match m {
        OrganMissing::NotAssessed => "not assessed",
        OrganMissing::Weight => "no body weight for the stool rule",
        OrganMissing::UpperGiDuration => "symptom duration unknown",
        OrganMissing::StoolQuantity => "no stool volume or episodes",
    }
}

fn grade_label(g: DayGrade) -> (String, u8) {
    match g {
        DayGrade::Graded(x) => (x.as_str().to_string(), x as u8),
        DayGrade::AtLeast(x) => (format!(">={}", x.as_str()), x as u8),
    }
}

fn day_reason(f: &FastDay) -> String {
    let mut parts = Vec::new();
    const NAMES: [&str; 4] = ["skin", "liver", "upper GI", "lower GI"];
    for (i, st) in f.organs.iter().enumerate() {
        match st {
            Ok(c) if c.stage.get() > 0 => {
                let unit = c.unit().map(|u| format!(" {u}")).unwrap_or_default();
                let what = c.evidence().what;
                parts.push(format!(
                    "{} stage {} ({what} {}{unit} on {})",
                    c.organ.name(),
                    c.stage.get(),
                    round2(c.value),
                    c.date
                ));
            }
            Ok(_) => {}
            Err(m) => parts.push(format!("{} not staged ({})", NAMES[i], missing_text(*m))),
        }
    }
    let lb = lower_bound_stages(&f.organs);
    let g = magic_grade(&lb);
    if parts.is_empty() {
        format!("MAGIC grade {g}: no organ involved")
    } else {
        format!("MAGIC grade {g}: {}", parts.join("; "))
    }
}

fn with_flags(
    g: Graded<graftwatch_criteria::agvhd::MagicDay>,
    flags: &[Flag],
) -> Graded<graftwatch_criteria::agvhd::MagicDay> {
    with_flags_any(g, flags)
}

fn with_flags_any<T>(mut g: Graded<T>, flags: &[Flag]) -> Graded<T> {
    let e: &mut Explanation = match &mut g {
        Graded::Value { explanation, .. }
        | Graded::InsufficientData { explanation, .. }
        | Graded::NotApplicable { explanation, .. } => explanation,
    };
    e.flags.extend_from_slice(flags);
    g
}

/// Runs acute-GVHD grading after the first transplant.
pub(crate) fn run(x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let Some(hct) = x
        .anchors
        .iter()
        .find(|a| matches!(a.kind, AnchorKind::Transplant(_)))
        .copied()
    else {
        sink.not_applicable(
            Criterion::Agvhd,
            "agvhd_max_grade",
            "MAGIC acute GVHD grade",
            "no allogeneic transplant in the course",
        );
        return;
    };
    let mut unstated = false;
    let mut erythroderma = false;
    let days: Vec<DayFindings> = x
        .gvhd
        .iter()
        .filter(|g| g.date >= hct.date && g.any_finding())
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
        .filter(|g| g.date >= hct.date && g.stool_weight_missing)
        .count();
    let series = AgvhdSeries {
        day0: hct.date,
        baseline_weight_kg: x
            .gvhd
            .iter()
            .find(|g| g.date >= hct.date)
            .and_then(|g| g.weight_kg),
        chronic_features_present: None,
        upper_gi_histology: false,
        days,
    };
    let mut fast = Vec::with_capacity(series.days.len());
    if let Err(e) = run_fast(&series, &cfg.agvhd, &mut fast) {
        sink.skip(
            Criterion::Agvhd,
            format!("acute GVHD findings rejected: {e}"),
        );
        return;
    }
    let mut flags = Vec::new();
    if unstated && cfg.engine.unstated_attribution_is_gvhd {
        flags.push(Flag::new("GW-ATTR", "findings recorded without an attribution were taken as attributed to GVHD (A-8 default)"));
    }
    if erythroderma {
        flags.push(Flag::new(
            "GW-ERYTHRODERMA",
            "generalised erythroderma staged as > 50 % BSA (skin stage 3)",
        ));
    }
    if per_kg_without_weight > 0 {
        flags.push(Flag::new("A-3", format!("{per_kg_without_weight} day(s) of stool recorded in mL/kg without a body weight: lower GI not staged on those days")));
    }
    if cfg.agvhd.carry_forward_days > 0 {
        flags.push(Flag::new(
            "CARRY",
            format!(
                "an organ's last assessment is carried forward for up to {} days",
                cfg.agvhd.carry_forward_days
            ),
        ));
    }
    // Timeline: days with a non-zero (or undetermined) grade or a change.
    let mut prev: Option<String> = None;
    for f in &fast {
        let (label, level) = grade_label(f.grade);
        let changed = prev.as_deref() != Some(label.as_str());
        if level > 0 || (changed && prev.is_some()) {
            sink.day(
                f.date,
                DayEntry {
                    criterion: Criterion::Agvhd,
                    grade: label.clone(),
                    level,
                    changed,
                    reason: day_reason(f),
                },
            );
        }
        prev = Some(label);
    }
    let sum = summarize(&series, &fast, &cfg.agvhd);
    let anchor: Option<&Anchor> = Some(&hct);
    if series.days.is_empty() {
        let g: Graded<()> = Graded::InsufficientData {
            missing: vec![format!(
                "acute GVHD findings (skin, bilirubin, GI) on or after day 0 ({})",
                hct.date
            )],
            explanation: Explanation {
                rule: "MAGIC acute GVHD course",
                version: graftwatch_criteria::agvhd::magic::MAGIC_VERSION,
                citations: graftwatch_criteria::agvhd::magic::MAGIC_CITATIONS.to_vec(),
                reason: "no acute GVHD assessment after the transplant".into(),
                evidence: vec![],
                flags: flags.clone(),
            },
        };
        sink.item(SummaryItem::from_graded(
            Criterion::Agvhd,
            "agvhd_max_grade",
            &g,
            anchor,
            |_| (String::new(), None),
        ));
        return;
    }
    // Maximum grade: explain that day in full.
    let max_day = sum
        .max_grade_date
        .and_then(|d| fast.iter().find(|f| f.date == d));
    match max_day {
        Some(f) if sum.max_grade > MagicGrade::Zero => {
            let mut fl = flags.clone();
            if let Some(od) = sum.onset_day {
                fl.push(Flag::new(
                    "A-12",
                    format!("onset day {od}: {:?}", sum.onset_category),
                ));
            }
            let g = with_flags(explain_statuses(f.date, &f.organs, &[]), &fl);
            let grade = sum.max_grade;
            sink.item(SummaryItem::from_graded(
                Criterion::Agvhd,
                "agvhd_max_grade",
                &g,
                anchor,
                |_| {
                    (
                        format!(
                            "grade {grade} first reached {} ({})",
                            f.date,
                            hct.describe(f.date)
                        ),
                        Some(f.date),
                    )
                },
            ));
        }
        _ => {
            let last = fast.last().map(|f| f.date);
            let g: Graded<&str> = Graded::Value {
                value: "0",
                explanation: Explanation {
                    rule: "MAGIC acute GVHD course",
                    version: graftwatch_criteria::agvhd::magic::MAGIC_VERSION,
                    citations: graftwatch_criteria::agvhd::magic::MAGIC_CITATIONS.to_vec(),
                    reason: format!(
                        "no day from {} to {} reached MAGIC grade I ({} assessment days, {} undetermined)",
                        hct.date,
                        last.map(|d| d.to_string()).unwrap_or_default(),
                        fast.len(),
                        sum.undetermined_days
                    ),
                    evidence: vec![],
                    flags: flags.clone(),
                },
            };
            sink.item(SummaryItem::from_graded(
                Criterion::Agvhd,
                "agvhd_max_grade",
                &g,
                anchor,
                |_| ("grade 0".into(), None),
            ));
        }
    }
    if let Some(o) = sum.onset
        && let Some(f) = fast.iter().find(|f| f.date == o)
    {
        let mut fl = flags.clone();
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
                format!("onset dated by the assessed organs (grade at least I); not assessed that day: {}", missing.join(", ")),
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
        let cat = sum.onset_category;
        let late = sum.late_acute;
        sink.item(SummaryItem::from_graded(
            Criterion::Agvhd,
            "agvhd_onset",
            &g,
            anchor,
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
}

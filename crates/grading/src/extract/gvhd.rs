//! Acute-GVHD findings per day, with their GVHD attribution, in the units
//! MAGIC stages on: skin (% BSA of active erythema, erythroderma, bullae,
//! desquamation % BSA), upper GI (persistent symptoms), lower GI (stool mL
//! and mL/kg per day, unquantified episodes, grossly bloody stool, severe
//! pain, ileus), liver (the day's highest total bilirubin, mg/dL), and the
//! body weight that day (adult vs child stool rule, A-3).
//!
//! Stool recorded as mL/kg is converted to mL with the weight of the day
//! (and mL to mL/kg likewise), so the criteria get both; when no weight is
//! known the conversion is impossible and the day says so
//! ([`GvhdDay::stool_weight_missing`]).

use graftwatch_core::{Analyte, Date, Unit};
use graftwatch_course::{Attribution, Course, Observation, ObservationKind};
use serde::Serialize;

/// A finding and its attribution (`None` = not stated).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Finding<T> {
    /// The value.
    pub value: T,
    /// Attribution as recorded.
    pub attribution: Option<Attribution>,
}

impl<T: Copy> Finding<T> {
    /// Folds a finding into the one already recorded for the same organ and
    /// day: the values combined by `combine` (worst, total, any), the
    /// attributions merged ([`merge_attribution`]); the first finding fills
    /// an empty slot.
    pub(crate) fn fold(
        slot: &mut Option<Finding<T>>,
        value: T,
        attribution: Option<Attribution>,
        combine: impl FnOnce(T, T) -> T,
    ) {
        match slot {
            Some(f) => {
                f.value = combine(f.value, value);
                f.attribution = merge_attribution(f.attribution, attribution);
            }
            None => *slot = Some(Finding { value, attribution }),
        }
    }
}

/// Combines the attribution of two findings of the same organ and day:
/// `Other` only when every finding is `Other`; a mix becomes `Multifactorial`;
/// not stated stays not stated unless the other one is stated.
pub fn merge_attribution(a: Option<Attribution>, b: Option<Attribution>) -> Option<Attribution> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) if x == y => Some(x),
        _ => Some(Attribution::Multifactorial),
    }
}

/// All acute-GVHD findings of one day. `None` = not assessed that day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GvhdDay {
    /// Date.
    pub date: Date,
    /// Skin rash, % BSA of active erythema (day maximum).
    pub skin_bsa: Option<Finding<f64>>,
    /// Generalised erythroderma.
    pub erythroderma: Option<Finding<bool>>,
    /// Bullae.
    pub bullae: Option<Finding<bool>>,
    /// Desquamation, % BSA (day maximum).
    pub desquamation_bsa: Option<Finding<f64>>,
    /// Persistent upper-GI symptoms (MAGIC threshold met).
    pub upper_gi_persistent: Option<Finding<bool>>,
    /// Daily upper-GI symptoms: nausea, anorexia with weight loss, vomiting
    /// episodes (the engine counts the consecutive qualifying days, A-9).
    pub upper_gi_daily: Option<UpperGiDaily>,
    /// Stool volume, mL/day (summed over the day's records; converted from
    /// mL/kg with the day's weight when recorded per kg).
    pub stool_ml: Option<Finding<f64>>,
    /// Stool volume, mL/kg/day (recorded per kg, or mL ÷ the day's weight).
    pub stool_ml_per_kg: Option<f64>,
    /// True when a per-kg stool record could not be converted to mL (or
    /// vice versa) because no weight is known.
    pub stool_weight_missing: bool,
    /// Unquantified liquid stool episodes (day total).
    pub stool_episodes: Option<Finding<u32>>,
    /// Grossly bloody stool.
    pub stool_bloody: Option<Finding<bool>>,
    /// Severe abdominal pain.
    pub abdominal_pain_severe: Option<Finding<bool>>,
    /// Ileus.
    pub ileus: Option<Finding<bool>>,
    /// Highest total bilirubin of the day, mg/dL.
    pub bilirubin: Option<Finding<f64>>,
    /// Body weight on the day (the latest on or before it), kg.
    pub weight_kg: Option<f64>,
    /// Organs recorded as assessed without findings that day
    /// (`agvhd_no_findings`): skin, liver, upper GI, lower GI.
    pub no_findings: [bool; 4],
}

/// One day's upper-GI symptoms as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct UpperGiDaily {
    /// Nausea present.
    pub nausea: bool,
    /// Anorexia with weight loss present.
    pub anorexia_with_weight_loss: bool,
    /// Vomiting episodes (the day's highest record).
    pub vomiting_episodes: u32,
    /// Attribution (merged over the day's records).
    pub attribution: Option<Attribution>,
}

fn upper_gi_daily(day: &mut GvhdDay, a: Option<Attribution>, f: impl FnOnce(&mut UpperGiDaily)) {
    let u = day.upper_gi_daily.get_or_insert_with(UpperGiDaily::default);
    u.attribution = if u == &UpperGiDaily::default() {
        a
    } else {
        merge_attribution(u.attribution, a)
    };
    f(u);
}

impl GvhdDay {
    /// An empty day.
    pub fn new(date: Date) -> GvhdDay {
        GvhdDay {
            date,
            skin_bsa: None,
            erythroderma: None,
            bullae: None,
            desquamation_bsa: None,
            upper_gi_persistent: None,
            upper_gi_daily: None,
            stool_ml: None,
            stool_ml_per_kg: None,
            stool_weight_missing: false,
            stool_episodes: None,
            stool_bloody: None,
            abdominal_pain_severe: None,
            ileus: None,
            bilirubin: None,
            weight_kg: None,
            no_findings: [false; 4],
        }
    }

    /// True when any skin, GI or liver field was recorded.
    pub fn any_finding(&self) -> bool {
        self.skin_bsa.is_some()
            || self.erythroderma.is_some()
            || self.bullae.is_some()
            || self.desquamation_bsa.is_some()
            || self.upper_gi_persistent.is_some()
            || self.upper_gi_daily.is_some()
            || self.stool_ml.is_some()
            || self.stool_ml_per_kg.is_some()
            || self.stool_episodes.is_some()
            || self.stool_bloody.is_some()
            || self.abdominal_pain_severe.is_some()
            || self.ileus.is_some()
            || self.bilirubin.is_some()
            || self.no_findings.iter().any(|b| *b)
    }
}

fn max_f(slot: &mut Option<Finding<f64>>, v: f64, a: Option<Attribution>) {
    Finding::fold(slot, v, a, f64::max);
}

fn sum_f(slot: &mut Option<Finding<f64>>, v: f64, a: Option<Attribution>) {
    Finding::fold(slot, v, a, |x, y| x + y);
}

fn or_b(slot: &mut Option<Finding<bool>>, v: bool, a: Option<Attribution>) {
    Finding::fold(slot, v, a, |x, y| x | y);
}

/// Finds (or inserts, keeping date order) the entry for `date`; fast when
/// dates arrive in order.
fn day_mut(days: &mut Vec<GvhdDay>, date: Date) -> &mut GvhdDay {
    let idx = match days.last() {
        Some(l) if l.date == date => days.len() - 1,
        Some(l) if l.date < date => {
            days.push(GvhdDay::new(date));
            days.len() - 1
        }
        None => {
            days.push(GvhdDay::new(date));
            0
        }
        Some(_) => match days.binary_search_by_key(&date, |d| d.date) {
            Ok(i) => i,
            Err(i) => {
                days.insert(i, GvhdDay::new(date));
                i
            }
        },
    };
    &mut days[idx]
}

/// Sets each day's weight (the latest on or before it, else the first) and
/// converts stool recorded per kg to mL (and mL to mL/kg) with it; without a
/// weight the day says the conversion was impossible.
fn convert_per_kg(
    days: &mut [GvhdDay],
    weights: &[(Date, f64)],
    per_kg: Vec<(Date, f64, Option<Attribution>)>,
) {
    let weight_on = |date: Date| -> Option<f64> {
        let i = weights.partition_point(|w| w.0 <= date);
        match i {
            0 => weights.first().map(|w| w.1),
            i => Some(weights[i - 1].1),
        }
    };
    let mut pk = per_kg.into_iter().peekable();
    for day in days.iter_mut() {
        day.weight_kg = weight_on(day.date);
        let mut kg_total: Option<f64> = None;
        let mut kg_attr: Option<Attribution> = None;
        while let Some((d, v, a)) = pk.peek().copied() {
            if d > day.date {
                break;
            }
            if d == day.date {
                kg_total = Some(kg_total.unwrap_or(0.0) + v);
                kg_attr = merge_attribution(kg_attr, a);
            }
            pk.next();
        }
        match (kg_total, day.weight_kg) {
            (Some(k), Some(w)) => {
                let ml = day.stool_ml.map_or(0.0, |f| f.value) + k * w;
                let attr = merge_attribution(day.stool_ml.and_then(|f| f.attribution), kg_attr);
                day.stool_ml = Some(Finding {
                    value: ml,
                    attribution: attr,
                });
                day.stool_ml_per_kg = Some(ml / w);
            }
            (Some(k), None) => {
                day.stool_weight_missing = day.stool_ml.is_some();
                day.stool_ml_per_kg = Some(k);
                if day.stool_ml.is_none() {
                    day.stool_weight_missing = true;
                }
            }
            (None, Some(w)) => {
                if let Some(f) = day.stool_ml {
                    day.stool_ml_per_kg = Some(f.value / w);
                }
            }
            (None, None) => {
                if day.stool_ml.is_some() {
                    day.stool_weight_missing = true;
                }
            }
        }
    }
}

/// Adds a lower-GI observation or an `agvhd_no_findings` record to its day.
fn add_gi(
    days: &mut Vec<GvhdDay>,
    per_kg: &mut Vec<(Date, f64, Option<Attribution>)>,
    o: &graftwatch_course::Observation,
) {
    use ObservationKind as K;
    let a = o.attribution;
    let num = o.number();
    let yes = o.value.as_bool();
    match o.kind {
        K::StoolVolume => {
            if let Some(v) = num {
                if o.unit == Some(Unit::MlPerKg) {
                    per_kg.push((o.date, v, a));
                    day_mut(days, o.date);
                } else {
                    sum_f(&mut day_mut(days, o.date).stool_ml, v, a);
                }
            }
        }
        K::StoolEpisodes => {
            if let Some(v) = num {
                let n = v.max(0.0).round() as u32;
                let day = day_mut(days, o.date);
                match &mut day.stool_episodes {
                    Some(f) => {
                        f.value += n;
                        f.attribution = merge_attribution(f.attribution, a);
                    }
                    None => {
                        day.stool_episodes = Some(Finding {
                            value: n,
                            attribution: a,
                        })
                    }
                }
            }
        }
        K::StoolBloody => {
            if let Some(v) = yes {
                or_b(&mut day_mut(days, o.date).stool_bloody, v, a);
            }
        }
        K::AbdominalPainSevere => {
            if let Some(v) = yes {
                or_b(&mut day_mut(days, o.date).abdominal_pain_severe, v, a);
            }
        }
        K::Ileus => {
            if let Some(v) = yes {
                or_b(&mut day_mut(days, o.date).ileus, v, a);
            }
        }
        K::AgvhdNoFindings => {
            if let Some(organ) = o.value.as_category() {
                let nf = &mut day_mut(days, o.date).no_findings;
                match organ {
                    "skin" => nf[0] = true,
                    "liver" => nf[1] = true,
                    "upper_gi" => nf[2] = true,
                    "lower_gi" => nf[3] = true,
                    _ => *nf = [true; 4],
                }
            }
        }
        _ => {}
    }
}

/// The kinds [`gvhd_days`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    use ObservationKind as K;
    matches!(
        kind,
        K::Weight
            | K::SkinRashBsa
            | K::SkinDesquamationBsa
            | K::SkinErythroderma
            | K::SkinBullae
            | K::Nausea
            | K::AnorexiaWithWeightLoss
            | K::VomitingEpisodes
            | K::UpperGiPersistent
            | K::Lab(Analyte::Bilirubin)
            | K::StoolVolume
            | K::StoolEpisodes
            | K::StoolBloody
            | K::AbdominalPainSevere
            | K::Ileus
            | K::AgvhdNoFindings
    )
}

/// Extracts the acute-GVHD findings of every day that has any.
pub fn gvhd_days(course: &Course) -> Vec<GvhdDay> {
    gvhd_days_of(course.observations.iter())
}

/// [`gvhd_days`] of the observations given (course order).
pub(crate) fn gvhd_days_of<'a>(obs: impl Iterator<Item = &'a Observation>) -> Vec<GvhdDay> {
    let mut days: Vec<GvhdDay> = Vec::new();
    // Weight history (ascending) for the per-kg conversions.
    let mut weights: Vec<(Date, f64)> = Vec::new();
    // Per-kg stool records, converted after the pass.
    let mut per_kg: Vec<(Date, f64, Option<Attribution>)> = Vec::new();
    for o in obs {
        use ObservationKind as K;
        let a = o.attribution;
        let num = o.number();
        let yes = o.value.as_bool();
        match o.kind {
            K::Weight => {
                if let Some(w) = num {
                    weights.push((o.date, w));
                }
            }
            K::SkinRashBsa => {
                if let Some(v) = num {
                    max_f(&mut day_mut(&mut days, o.date).skin_bsa, v, a);
                }
            }
            K::SkinDesquamationBsa => {
                if let Some(v) = num {
                    max_f(&mut day_mut(&mut days, o.date).desquamation_bsa, v, a);
                }
            }
            K::SkinErythroderma => {
                if let Some(v) = yes {
                    or_b(&mut day_mut(&mut days, o.date).erythroderma, v, a);
                }
            }
            K::SkinBullae => {
                if let Some(v) = yes {
                    or_b(&mut day_mut(&mut days, o.date).bullae, v, a);
                }
            }
            K::Nausea | K::AnorexiaWithWeightLoss => {
                if let Some(v) = yes {
                    let nausea = o.kind == K::Nausea;
                    upper_gi_daily(day_mut(&mut days, o.date), a, |u| {
                        if nausea {
                            u.nausea |= v;
                        } else {
                            u.anorexia_with_weight_loss |= v;
                        }
                    });
                }
            }
            K::VomitingEpisodes => {
                if let Some(v) = num {
                    upper_gi_daily(day_mut(&mut days, o.date), a, |u| {
                        u.vomiting_episodes = u.vomiting_episodes.max(v as u32);
                    });
                }
            }
            K::UpperGiPersistent => {
                if let Some(v) = yes {
                    or_b(&mut day_mut(&mut days, o.date).upper_gi_persistent, v, a);
                }
            }
            K::Lab(Analyte::Bilirubin) => {
                if let Some(v) = num {
                    max_f(&mut day_mut(&mut days, o.date).bilirubin, v, a);
                }
            }
            _ => add_gi(&mut days, &mut per_kg, o),
        }
    }
    weights.sort_by_key(|w| w.0);
    convert_per_kg(&mut days, &weights, per_kg);
    days
}

/// Dates of biopsies of the upper GI tract (stomach, duodenum, oesophagus)
/// positive for GVHD: the histology the Keystone and IBMTR upper-GI rule
/// needs.
pub fn upper_gi_histology(course: &Course) -> Vec<Date> {
    const SITES: [&str; 7] = [
        "stomach", "gastric", "duoden", "oesophag", "esophag", "upper gi", "upper_gi",
    ];
    course
        .events
        .iter()
        .filter_map(|e| match &e.detail {
            graftwatch_course::EventDetail::Biopsy { site, result }
                if *result == graftwatch_course::BiopsyResult::Positive
                    && SITES.iter().any(|s| site.to_ascii_lowercase().contains(s)) =>
            {
                Some(e.date)
            }
            _ => None,
        })
        .collect()
}

/// Dates of documented lower-GI acute GVHD diagnoses
/// (`lower_gi_gvhd_diagnosis` records), date order: the day MAGIC dates the
/// lower-GI onset stage by.
pub fn lower_gi_diagnoses(course: &Course) -> Vec<Date> {
    lower_gi_diagnoses_of(course.observations.iter())
}

/// [`lower_gi_diagnoses`] of some of the observations (the
/// `lower_gi_gvhd_diagnosis` records among them count).
pub(crate) fn lower_gi_diagnoses_of<'a>(obs: impl Iterator<Item = &'a Observation>) -> Vec<Date> {
    let mut v: Vec<Date> = obs
        .filter(|o| o.kind == graftwatch_course::ObservationKind::LowerGiGvhdDiagnosis)
        .map(|o| o.date)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod fold_tests {
    use super::*;

    #[test]
    fn findings_of_a_day_fold_values_and_merge_attributions() {
        let mut slot: Option<Finding<f64>> = None;
        Finding::fold(&mut slot, 2.0, Some(Attribution::Gvhd), f64::max);
        assert_eq!(
            slot,
            Some(Finding {
                value: 2.0,
                attribution: Some(Attribution::Gvhd)
            })
        );
        Finding::fold(&mut slot, 1.0, None, f64::max);
        assert_eq!(
            slot.map(|f| (f.value, f.attribution)),
            Some((2.0, Some(Attribution::Gvhd)))
        );
        Finding::fold(&mut slot, 3.0, Some(Attribution::Other), |x, y| x + y);
        assert_eq!(
            slot.map(|f| (f.value, f.attribution)),
            Some((5.0, Some(Attribution::Multifactorial)))
        );
    }
}

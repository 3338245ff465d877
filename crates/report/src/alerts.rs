//! Alerts: pure functions over already-graded or extracted course data that
//! point the team at something to look at (never an order). Each alert
//! carries its date, the day after HCT, the reason and the evidence.
//!
//! | Alert | Rule (defaults in [`AlertConfig`]) |
//! |---|---|
//! | No neutrophil engraftment | not engrafted by day +21 / +28 (warning days) while follow-up has reached that day; quiet once engrafted on or before it; primary graft failure is declared at day +42 by the grading engine (clinical-criteria.md §4.1 \[V\]) |
//! | Chimerism trend | in one lineage, the recipient share rose (= donor share fell) on ≥ 2 serial samples, each rise ≥ 1 percentage point, values below the assay LoD (default 1 %, STR) compared as at the LoD |
//! | MRD conversion | an MRD result ≥ 0.1 % (flow) after a result below it (ELN 2021 \[R\]) |
//! | aGVHD grade increase | the daily MAGIC grade is higher than on the previous graded day |
//! | DLI while GVHD active | a DLI given while the current aGVHD grade is ≥ II, or with grade ≥ II in the 14 days before |

use graftwatch_core::{Date, Lineage, Percent};
use graftwatch_criteria::Evidence;
use graftwatch_criteria::chimerism_rise::{RiseRule, RiseSample};
use graftwatch_criteria::dli::GVHD_ASSESSMENT_WINDOW_DAYS;
use graftwatch_criteria::eln_relapse::MFC_MRD_POSITIVE_PERCENT;
use serde::Serialize;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// No neutrophil engraftment by a warning day.
    NoNeutrophilEngraftment,
    /// Recipient share rising / donor share falling on serial samples.
    ChimerismTrend,
    /// MRD negative → positive.
    MrdConversion,
    /// Acute GVHD grade higher than the previous graded day.
    AgvhdIncrease,
    /// DLI given while acute GVHD ≥ the configured grade was active or recent.
    DliWithActiveGvhd,
}

impl AlertKind {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::NoNeutrophilEngraftment => "neutrophil engraftment not recorded",
            AlertKind::ChimerismTrend => "chimerism trend",
            AlertKind::MrdConversion => "MRD conversion",
            AlertKind::AgvhdIncrease => "aGVHD grade increase",
            AlertKind::DliWithActiveGvhd => "DLI with active GVHD",
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Kind.
    pub kind: AlertKind,
    /// Date the alert applies from.
    pub date: Date,
    /// Day after HCT day 0 (`None` without a transplant).
    pub day: Option<i32>,
    /// Why, in one sentence.
    pub reason: String,
    /// The observations behind it, with dates.
    pub evidence: Vec<Evidence>,
}

/// Alert thresholds (all configurable; defaults as documented). Reads from
/// TOML/JSON with every key optional (missing keys keep their default) and
/// unknown keys rejected.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// Days after HCT at which a missing neutrophil engraftment is flagged.
    pub engraftment_warning_days: Vec<i32>,
    /// Day of the primary graft failure deadline (named in the reason). The
    /// full report sets it from the graft sources through
    /// `graftwatch_criteria::graft_failure::primary_failure_deadline` (+30
    /// PBSC/BM, +42 with a cord unit).
    pub graft_failure_day: i32,
    /// Consecutive rises of the recipient share that make a trend.
    pub chimerism_serial_rises: usize,
    /// Smallest rise (percentage points) that counts as a rise.
    pub chimerism_min_step_points: f64,
    /// Assay limit of detection (%): recipient values below it are compared
    /// as if at the LoD, so noise under the LoD never makes a rise.
    pub chimerism_lod_percent: Percent,
    /// MRD (flow) positivity threshold in %.
    pub mrd_positive_percent: Percent,
    /// aGVHD grade that makes a DLI "with active GVHD".
    pub dli_gvhd_grade: u8,
    /// Days before a DLI in which such a grade also counts.
    pub dli_gvhd_within_days: i32,
}

impl AlertConfig {
    /// The chimerism-rise rule these settings describe (one rule with the
    /// DLI trigger: `graftwatch_criteria::chimerism_rise`).
    pub fn rise_rule(&self) -> RiseRule {
        RiseRule {
            serial_rises: self.chimerism_serial_rises,
            min_step_points: self.chimerism_min_step_points,
            lod_percent: self.chimerism_lod_percent,
        }
    }
}

impl Default for AlertConfig {
    fn default() -> Self {
        let rise = RiseRule::default();
        AlertConfig {
            engraftment_warning_days: vec![21, 28],
            graft_failure_day: 42,
            chimerism_serial_rises: rise.serial_rises,
            chimerism_min_step_points: rise.min_step_points,
            chimerism_lod_percent: rise.lod_percent,
            mrd_positive_percent: MFC_MRD_POSITIVE_PERCENT,
            dli_gvhd_grade: 2,
            dli_gvhd_within_days: GVHD_ASSESSMENT_WINDOW_DAYS,
        }
    }
}

fn day_of(date: Date, hct: Option<Date>) -> Option<i32> {
    hct.map(|d0| date.days_since(d0).get())
}

/// No neutrophil engraftment by each warning day. `engrafted` is the first
/// day of neutrophil engraftment (`None`: not engrafted in the data);
/// `last_follow_up` is the last date with data. An alert is raised at
/// day0 + N when engraftment is absent or later than that day and the
/// follow-up has reached it.
pub fn engraftment_alerts(
    hct_day0: Date,
    engrafted: Option<Date>,
    last_follow_up: Date,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for &n in &cfg.engraftment_warning_days {
        let due = hct_day0.add_days(n);
        if last_follow_up < due {
            continue;
        }
        if engrafted.is_some_and(|e| e <= due) {
            continue;
        }
        let later = match engrafted {
            Some(e) => format!(
                " (engrafted later, on day +{})",
                e.days_since(hct_day0).get()
            ),
            None => String::new(),
        };
        out.push(Alert {
            kind: AlertKind::NoNeutrophilEngraftment,
            date: due,
            day: Some(n),
            reason: format!(
                "no neutrophil engraftment recorded (ANC ≥ 0.5 ×10⁹/L on 3 days) by day +{n}; primary graft failure is declared at day +{} [V]{later}",
                cfg.graft_failure_day
            ),
            evidence: vec![Evidence::finding(
                Some(hct_day0),
                "HCT day 0",
                "transplant; engraftment counted from here",
            )],
        });
    }
    out
}

/// One chimerism result for the trend rule: recipient share of one lineage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecipientPoint {
    /// Sample date.
    pub date: Date,
    /// Lineage.
    pub lineage: Lineage,
    /// Recipient share in %.
    pub recipient_percent: Percent,
    /// The result's limit of detection, when recorded: a value below it is
    /// compared as at the limit, and shown as `< LoD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lod_percent: Option<Percent>,
}

/// Donor chimerism falling / recipient share rising on ≥ N serial samples of
/// the same lineage. One alert per run, at the sample that completes it.
pub fn chimerism_trend_alerts(
    points: &[RecipientPoint],
    hct_day0: Option<Date>,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut lineages: Vec<Lineage> = points.iter().map(|p| p.lineage).collect();
    lineages.sort();
    lineages.dedup();
    let mut out = Vec::new();
    let need = cfg.chimerism_serial_rises.max(1);
    for lin in lineages {
        let mut s: Vec<&RecipientPoint> = points.iter().filter(|p| p.lineage == lin).collect();
        s.sort_by_key(|p| p.date);
        let rule = cfg.rise_rule();
        let runs = rule.run_lengths(
            &s.iter()
                .map(|p| RiseSample {
                    recipient_percent: p.recipient_percent,
                    lod_percent: p.lod_percent,
                })
                .collect::<Vec<_>>(),
        );
        for i in 1..s.len() {
            let run = runs[i];
            if run == need {
                let w = &s[i - need..=i];
                let trail = w
                    .iter()
                    .map(|p| format!("{} {:.1} %", p.date, p.recipient_percent.get()))
                    .collect::<Vec<_>>()
                    .join(" → ");
                out.push(Alert {
                    kind: AlertKind::ChimerismTrend,
                    date: s[i].date,
                    day: day_of(s[i].date, hct_day0),
                    reason: format!(
                        "{}: recipient share rose (donor share fell) on {need} serial samples: {trail}",
                        lin.label()
                    ),
                    evidence: w
                        .iter()
                        .map(|p| {
                            Evidence::value(
                                Some(p.date),
                                format!("{} recipient chimerism", lin.label()),
                                p.recipient_percent,
                                Some(graftwatch_core::Unit::Percent),
                                "",
                            )
                        })
                        .collect(),
                });
            }
        }
    }
    out.sort_by_key(|a| a.date);
    out
}

/// MRD conversion: a result ≥ the positivity threshold after one below it.
pub fn mrd_conversion_alerts(
    mrd: &[(Date, Percent)],
    hct_day0: Option<Date>,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut s: Vec<(Date, f64)> = mrd.iter().map(|&(d, p)| (d, p.get())).collect();
    s.sort_by_key(|p| p.0);
    let t = cfg.mrd_positive_percent.get();
    let mut out = Vec::new();
    for w in s.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.1 < t && b.1 >= t {
            out.push(Alert {
                kind: AlertKind::MrdConversion,
                date: b.0,
                day: day_of(b.0, hct_day0),
                reason: format!(
                    "MRD conversion: {} % on {} (< {t} %) then {} % on {} (≥ {t} %) [R]",
                    a.1, a.0, b.1, b.0
                ),
                evidence: [a, b]
                    .iter()
                    .map(|(d, v)| {
                        Evidence::value(
                            Some(*d),
                            "MRD (flow)",
                            *v,
                            Some(graftwatch_core::Unit::Percent),
                            "",
                        )
                    })
                    .collect(),
            });
        }
    }
    out
}

fn roman(g: u8) -> &'static str {
    ["0", "I", "II", "III", "IV"][g.min(4) as usize]
}

/// Acute GVHD grade increase: each graded day whose grade is higher than
/// the previous graded day's (the first graded day counts from 0).
pub fn agvhd_increase_alerts(daily: &[(Date, u8)], hct_day0: Option<Date>) -> Vec<Alert> {
    let mut s: Vec<(Date, u8)> = daily.to_vec();
    s.sort_by_key(|p| p.0);
    let mut prev: (Option<Date>, u8) = (None, 0);
    let mut out = Vec::new();
    for (d, g) in s {
        if g > prev.1 {
            let from = match prev.0 {
                Some(pd) => format!("grade {} on {pd}", roman(prev.1)),
                None => "no acute GVHD graded before".to_string(),
            };
            out.push(Alert {
                kind: AlertKind::AgvhdIncrease,
                date: d,
                day: day_of(d, hct_day0),
                reason: format!("acute GVHD grade {} on {d}, up from {from}", roman(g)),
                evidence: vec![Evidence::finding(
                    Some(d),
                    "MAGIC overall grade",
                    format!("grade {}", roman(g)),
                )],
            });
        }
        prev = (Some(d), g);
    }
    out
}

/// DLI given while acute GVHD ≥ the configured grade was current on the
/// DLI date (latest graded day on or before it) or recorded in the
/// configured number of days before it.
pub fn dli_gvhd_alerts(
    dlis: &[Date],
    daily: &[(Date, u8)],
    hct_day0: Option<Date>,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for &dli in dlis {
        let current = daily
            .iter()
            .filter(|(d, _)| *d <= dli)
            .max_by_key(|(d, _)| *d)
            .copied();
        let recent: Vec<(Date, u8)> = daily
            .iter()
            .filter(|(d, g)| {
                *d <= dli
                    && dli.days_since(*d).get() <= cfg.dli_gvhd_within_days
                    && *g >= cfg.dli_gvhd_grade
            })
            .copied()
            .collect();
        let active = current.is_some_and(|(_, g)| g >= cfg.dli_gvhd_grade);
        if !active && recent.is_empty() {
            continue;
        }
        let worst = recent.iter().map(|p| p.1).max().unwrap_or(0);
        let reason = if active {
            let (d, g) = current.unwrap_or((dli, 0));
            format!(
                "DLI on {dli} while acute GVHD grade {} was current (graded {d}); threshold grade {}",
                roman(g),
                roman(cfg.dli_gvhd_grade)
            )
        } else {
            format!(
                "DLI on {dli} within {} days of acute GVHD grade {} (threshold grade {})",
                cfg.dli_gvhd_within_days,
                roman(worst),
                roman(cfg.dli_gvhd_grade)
            )
        };
        let mut evidence: Vec<Evidence> = recent
            .iter()
            .map(|(d, g)| {
                Evidence::finding(
                    Some(*d),
                    "MAGIC overall grade",
                    format!("grade {}", roman(*g)),
                )
            })
            .collect();
        evidence.push(Evidence::finding(Some(dli), "DLI", "infusion"));
        out.push(Alert {
            kind: AlertKind::DliWithActiveGvhd,
            date: dli,
            day: day_of(dli, hct_day0),
            reason,
            evidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn engraftment_boundaries() {
        let cfg = AlertConfig::default();
        let d0 = d("2024-01-01");
        let last = d("2024-03-01");
        // engrafted exactly on day +21: quiet for both
        assert!(engraftment_alerts(d0, Some(d0.add_days(21)), last, &cfg).is_empty());
        // engrafted on day +22: day 21 alert only
        let a = engraftment_alerts(d0, Some(d0.add_days(22)), last, &cfg);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].day, Some(21));
        // engrafted on day +28: day 21 alert only; +29: both
        assert_eq!(
            engraftment_alerts(d0, Some(d0.add_days(28)), last, &cfg).len(),
            1
        );
        assert_eq!(
            engraftment_alerts(d0, Some(d0.add_days(29)), last, &cfg).len(),
            2
        );
        // never engrafted: both, naming the deadline
        let a = engraftment_alerts(d0, None, last, &cfg);
        assert_eq!(a.len(), 2);
        assert!(a[1].reason.contains("day +28") && a[1].reason.contains("day +42"));
        // follow-up ends on day +20 / +21: nothing due yet / day 21 due
        assert!(engraftment_alerts(d0, None, d0.add_days(20), &cfg).is_empty());
        assert_eq!(engraftment_alerts(d0, None, d0.add_days(21), &cfg).len(), 1);
    }

    fn pts(lin: Lineage, v: &[(&str, f64)]) -> Vec<RecipientPoint> {
        v.iter()
            .map(|(s, p)| RecipientPoint {
                date: d(s),
                lineage: lin,
                recipient_percent: Percent::new(*p).unwrap(),
                lod_percent: None,
            })
            .collect()
    }

    #[test]
    fn chimerism_trend_needs_two_rises_in_one_lineage() {
        let cfg = AlertConfig::default();
        let two = pts(
            Lineage::Cd3,
            &[
                ("2024-01-01", 3.0),
                ("2024-01-10", 6.0),
                ("2024-01-20", 11.0),
            ],
        );
        let a = chimerism_trend_alerts(&two, None, &cfg);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].date, d("2024-01-20"));
        assert_eq!(a[0].evidence.len(), 3);
        // one rise only
        assert!(chimerism_trend_alerts(&two[..2], None, &cfg).is_empty());
        // a rise then a fall
        let mut fall = two.clone();
        fall[2].recipient_percent = Percent::lit(5.0);
        assert!(chimerism_trend_alerts(&fall, None, &cfg).is_empty());
        // step exactly 1.0 point counts; 0.9 does not
        let edge = pts(
            Lineage::Myeloid,
            &[
                ("2024-01-01", 1.0),
                ("2024-01-10", 2.0),
                ("2024-01-20", 3.0),
            ],
        );
        assert_eq!(chimerism_trend_alerts(&edge, None, &cfg).len(), 1);
        let below = pts(
            Lineage::Myeloid,
            &[
                ("2024-01-01", 1.0),
                ("2024-01-10", 1.9),
                ("2024-01-20", 2.8),
            ],
        );
        assert!(chimerism_trend_alerts(&below, None, &cfg).is_empty());
        // below the LoD: 0 → 1 is not a rise (both at the 1 % LoD), 1 → 2 is
        let lod = pts(
            Lineage::Myeloid,
            &[
                ("2024-01-01", 0.0),
                ("2024-01-10", 1.0),
                ("2024-01-20", 2.0),
            ],
        );
        assert!(chimerism_trend_alerts(&lod, None, &cfg).is_empty());
        let no_lod = AlertConfig {
            chimerism_lod_percent: Percent::ZERO,
            ..AlertConfig::default()
        };
        assert_eq!(chimerism_trend_alerts(&lod, None, &no_lod).len(), 1);
        // rises split across lineages do not combine
        let mut mixed = pts(Lineage::Cd3, &[("2024-01-01", 1.0), ("2024-01-10", 3.0)]);
        mixed.extend(pts(Lineage::Myeloid, &[("2024-01-20", 5.0)]));
        assert!(chimerism_trend_alerts(&mixed, None, &cfg).is_empty());
        // a longer run alerts once
        let long = pts(
            Lineage::Cd3,
            &[
                ("2024-01-01", 1.0),
                ("2024-01-10", 3.0),
                ("2024-01-20", 5.0),
                ("2024-01-30", 8.0),
            ],
        );
        assert_eq!(chimerism_trend_alerts(&long, None, &cfg).len(), 1);
    }

    #[test]
    fn mrd_conversion_boundary() {
        let cfg = AlertConfig::default();
        let a = mrd_conversion_alerts(
            &[
                (d("2024-01-01"), Percent::lit(0.0)),
                (d("2024-02-01"), Percent::lit(0.1)),
            ],
            None,
            &cfg,
        );
        assert_eq!(a.len(), 1);
        assert!(
            mrd_conversion_alerts(
                &[
                    (d("2024-01-01"), Percent::lit(0.0)),
                    (d("2024-02-01"), Percent::lit(0.09))
                ],
                None,
                &cfg
            )
            .is_empty()
        );
        // positive to positive is not a conversion
        assert!(
            mrd_conversion_alerts(
                &[
                    (d("2024-01-01"), Percent::lit(0.1)),
                    (d("2024-02-01"), Percent::lit(0.5))
                ],
                None,
                &cfg
            )
            .is_empty()
        );
        // unsorted input is sorted first
        let a = mrd_conversion_alerts(
            &[
                (d("2024-02-01"), Percent::lit(0.3)),
                (d("2024-01-01"), Percent::lit(0.05)),
            ],
            Some(d("2023-12-01")),
            &cfg,
        );
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].day, Some(62));
    }

    #[test]
    fn agvhd_increase_only_on_rises() {
        let s = [
            (d("2024-01-01"), 1),
            (d("2024-01-02"), 1),
            (d("2024-01-03"), 2),
            (d("2024-01-04"), 1),
            (d("2024-01-05"), 2),
            (d("2024-01-06"), 0),
        ];
        let a = agvhd_increase_alerts(&s, None);
        let dates: Vec<Date> = a.iter().map(|x| x.date).collect();
        assert_eq!(
            dates,
            vec![d("2024-01-01"), d("2024-01-03"), d("2024-01-05")]
        );
        assert!(agvhd_increase_alerts(&[(d("2024-01-01"), 0)], None).is_empty());
    }

    #[test]
    fn dli_with_gvhd_boundaries() {
        let cfg = AlertConfig::default();
        let dli = d("2024-03-01");
        // grade II current on the DLI day
        assert_eq!(dli_gvhd_alerts(&[dli], &[(dli, 2)], None, &cfg).len(), 1);
        // grade I current: quiet
        assert!(dli_gvhd_alerts(&[dli], &[(dli, 1)], None, &cfg).is_empty());
        // grade II 14 days before, back to 0 since: alert; 15 days: quiet
        let s14 = [(dli.add_days(-14), 2), (dli.add_days(-5), 0)];
        assert_eq!(dli_gvhd_alerts(&[dli], &s14, None, &cfg).len(), 1);
        let s15 = [(dli.add_days(-15), 2), (dli.add_days(-5), 0)];
        assert!(dli_gvhd_alerts(&[dli], &s15, None, &cfg).is_empty());
        // GVHD after the DLI does not count
        assert!(dli_gvhd_alerts(&[dli], &[(dli.add_days(1), 3)], None, &cfg).is_empty());
    }
}

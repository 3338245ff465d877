//! The analysis behind the full report: the grading engine's grades, the
//! chimerism samples, marrow blasts and MRD, the DLI decision trail at each
//! DLI date, the graft checks and the alerts — computed once from a course
//! and shared by the figure panels, the sections and `--format json`.

use graftwatch_core::{Date, Lineage, Percent};
use graftwatch_course::{Course, EventDetail, ObservationKind};
use graftwatch_criteria::dli::{DliAssessment, DliConfig};
use graftwatch_decision::{GraftReport, assess_dli, graft_checks, gvhd_status_from_grades};
use graftwatch_grading::extract::chimerism::{ChimerismSample, chimerism_samples};
use graftwatch_grading::output::ItemStatus;
use graftwatch_grading::{CourseGrades, Criterion, GradingConfig, SummaryKey, grade_course};
use serde::Serialize;

use crate::alerts::{self, Alert, AlertConfig, RecipientPoint};

/// One graded day of a criterion from the engine's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradedDay {
    /// Date.
    pub date: Date,
    /// Numeric level (e.g. MAGIC 0–4, ASTCT 0–5).
    pub level: u8,
    /// Grade as printed (`II`, `2`, …).
    pub grade: String,
    /// False for a day the engine could not grade ("not yet gradable",
    /// `DayEntry::not_gradable`): its `level` 0 is no grade, so the band
    /// draws it as not assessed and the alerts skip it.
    pub assessed: bool,
    /// The engine's reason (organ stages and the observations behind them).
    pub reason: String,
}

/// A dated percentage (marrow blasts, MRD).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentPoint {
    /// Date.
    pub date: Date,
    /// Value in %.
    pub percent: Percent,
    /// Note from the record, if any.
    pub note: Option<String>,
}

/// Everything the full report shows beyond the raw course.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// HCT day 0 (first graft infusion), if any.
    pub hct_day0: Option<Date>,
    /// The CAR-T infusions and transplants, for labelling a date by the
    /// therapy it follows (`format::therapy_period`); not in the JSON.
    #[serde(skip)]
    pub therapies: Vec<graftwatch_course::Anchor>,
    /// The grading engine's output (timeline and summary with explanations).
    pub grades: CourseGrades,
    /// Daily MAGIC acute GVHD grades.
    pub agvhd: Vec<GradedDay>,
    /// Daily ASTCT CRS grades.
    pub crs: Vec<GradedDay>,
    /// Daily ASTCT ICANS grades.
    pub icans: Vec<GradedDay>,
    /// Daily ELN 2022 response / relapse grades.
    pub eln: Vec<GradedDay>,
    /// Chimerism samples (per lineage, per person).
    pub chimerism: Vec<ChimerismSample>,
    /// Marrow blasts.
    pub marrow_blasts: Vec<PercentPoint>,
    /// MRD by flow cytometry.
    pub mrd_flow: Vec<PercentPoint>,
    /// DLI dates.
    pub dli_dates: Vec<Date>,
    /// The DLI decision assessment at each DLI date.
    pub dli_assessments: Vec<DliAssessment>,
    /// Errors building a DLI assessment (date, message): shown, not hidden.
    pub dli_errors: Vec<(Date, String)>,
    /// Graft checks at each transplant.
    pub graft_checks: Vec<GraftReport>,
    /// Alerts, by date.
    pub alerts: Vec<Alert>,
    /// The alert thresholds used.
    pub alert_config: AlertConfig,
    /// The DLI rule configuration used for the assessments (its mixed
    /// chimerism threshold is drawn in the recipient chimerism panel).
    pub dli_config: DliConfig,
}

fn graded(grades: &CourseGrades, c: Criterion) -> Vec<GradedDay> {
    grades
        .timeline
        .iter()
        .flat_map(|d| {
            d.entries
                .iter()
                .filter(move |e| e.criterion == c)
                .map(move |e| GradedDay {
                    date: d.date,
                    level: e.level,
                    grade: e.grade.clone(),
                    assessed: !e.not_gradable(),
                    reason: e.reason.clone(),
                })
        })
        .collect()
}

fn percents(course: &Course, kind: ObservationKind) -> Vec<PercentPoint> {
    let mut v: Vec<PercentPoint> = course
        .observations
        .iter()
        .filter(|o| o.kind == kind)
        .filter_map(|o| {
            o.percent().map(|p| PercentPoint {
                date: o.date,
                percent: p,
                note: o.note.as_deref().map(str::to_string),
            })
        })
        .collect();
    v.sort_by_key(|p| p.date);
    v
}

/// Day of the primary-graft-failure deadline of transplant 1, from its
/// graft sources (`graftwatch_criteria::graft_failure`).
fn graft_failure_deadline(course: &Course) -> i32 {
    use graftwatch_course::GraftSource;
    use graftwatch_criteria::graft_failure::{
        GraftComponent, GraftSourceKind, primary_failure_deadline,
    };
    let components: Vec<GraftComponent> = course
        .graft_sources(1)
        .into_iter()
        .map(|(s, donor)| GraftComponent {
            donor,
            source: match s {
                GraftSource::Ucb => GraftSourceKind::Ucb,
                GraftSource::Pbsc => GraftSourceKind::Pbsc,
                GraftSource::BoneMarrow => GraftSourceKind::BoneMarrow,
            },
        })
        .collect();
    primary_failure_deadline(&components).0
}

/// The distinct DLI dates of a course, in order.
fn dli_dates(course: &Course) -> Vec<Date> {
    let mut dates: Vec<Date> = course
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::Dli { .. }))
        .map(|e| e.date)
        .collect();
    dates.sort();
    dates.dedup();
    dates
}

/// The series the alerts read besides the grades.
struct AlertInputs<'a> {
    hct_day0: Option<Date>,
    chimerism: &'a [ChimerismSample],
    mrd_flow: &'a [PercentPoint],
    agvhd: &'a [GradedDay],
    dli_dates: &'a [Date],
}

/// Every alert of the course (engraftment, chimerism trend, MRD conversion,
/// acute GVHD increase, GVHD after DLI), by date then kind.
fn course_alerts(
    course: &Course,
    grades: &CourseGrades,
    x: &AlertInputs<'_>,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let hct_day0 = x.hct_day0;
    // Graded days only: a "not yet gradable" day is no grade 0.
    let daily: Vec<(Date, u8)> = x
        .agvhd
        .iter()
        .filter(|g| g.assessed)
        .map(|g| (g.date, g.level))
        .collect();
    let mut alerts = Vec::new();
    let item = grades.get(SummaryKey::NeutrophilEngraftment);
    // ANC never below 0.5 through the nadir window: nothing to engraft.
    let never_below = item.is_some_and(|i| i.status == ItemStatus::NotApplicable);
    if let (Some(d0), Some(last), false) = (hct_day0, course.last_record_date(), never_below) {
        let engrafted = item
            .filter(|i| i.status == ItemStatus::Value)
            .and_then(|i| i.date)
            .filter(|d| *d >= d0);
        alerts.extend(alerts::engraftment_alerts(d0, engrafted, last, cfg));
    }
    let points = recipient_points(x.chimerism, hct_day0);
    alerts.extend(alerts::chimerism_trend_alerts(&points, hct_day0, cfg));
    let mrd: Vec<(Date, Percent)> = x
        .mrd_flow
        .iter()
        .filter(|p| hct_day0.is_none_or(|d0| p.date >= d0))
        .map(|p| (p.date, p.percent))
        .collect();
    alerts.extend(alerts::mrd_conversion_alerts(&mrd, hct_day0, cfg));
    alerts.extend(alerts::agvhd_increase_alerts(&daily, hct_day0));
    alerts.extend(alerts::dli_gvhd_alerts(x.dli_dates, &daily, hct_day0, cfg));
    alerts.sort_by(|a, b| a.date.cmp(&b.date).then(a.kind.cmp(&b.kind)));
    alerts
}

/// Recipient chimerism (or 100 − donor) of the blood samples from day 0 on,
/// for the trend alerts; marrow samples are left out.
fn recipient_points(chimerism: &[ChimerismSample], hct_day0: Option<Date>) -> Vec<RecipientPoint> {
    chimerism
        .iter()
        .filter(|s| hct_day0.is_none_or(|d0| s.date >= d0))
        .filter(|s| s.lineage != Lineage::Marrow)
        .filter_map(|s| {
            let (r, lod) = s.recipient_for_trend()?;
            Some(RecipientPoint {
                date: s.date,
                lineage: s.lineage,
                recipient_percent: r,
                lod_percent: lod,
            })
        })
        .collect()
}

impl Analysis {
    /// Runs the grading engine (default configuration), the DLI decision
    /// rules (default configuration) at each DLI date, the graft checks and
    /// the alerts (`alert_config`).
    pub fn for_course(course: &Course, alert_config: &AlertConfig) -> Analysis {
        Analysis::for_course_with(
            course,
            &GradingConfig::default(),
            &DliConfig::default(),
            alert_config,
        )
    }

    /// Runs the grading engine with `grading`, the DLI decision rules with
    /// `dli` at each DLI date, the graft checks and the alerts. The
    /// primary-graft-failure day named by the engraftment alert is the
    /// criterion's deadline for the graft sources of transplant 1 (+30
    /// PBSC/BM, +42 with a cord unit), not a separate setting.
    pub fn for_course_with(
        course: &Course,
        grading: &GradingConfig,
        dli: &DliConfig,
        alert_config: &AlertConfig,
    ) -> Analysis {
        let mut alert_config = alert_config.clone();
        alert_config.graft_failure_day = graft_failure_deadline(course);
        let alert_config = &alert_config;
        let grades = grade_course(course, grading);
        let hct_day0 = course.transplant_day0(1);
        let agvhd = graded(&grades, Criterion::Agvhd);
        let chimerism = chimerism_samples(course);
        let marrow_blasts = percents(course, ObservationKind::MarrowBlasts);
        let mrd_flow = percents(course, ObservationKind::MrdFlow);
        let dli_dates = dli_dates(course);
        let gvhd = gvhd_status_from_grades(&grades);
        let cfg = *dli;
        let mut dli_assessments = Vec::new();
        let mut dli_errors = Vec::new();
        for &d in &dli_dates {
            match assess_dli(course, d, &gvhd, &cfg) {
                Ok(a) => dli_assessments.push(a),
                Err(e) => dli_errors.push((d, e.to_string())),
            }
        }
        let graft_checks = course
            .transplant_numbers()
            .into_iter()
            .map(|n| graft_checks(course, n))
            .collect();
        let alerts = course_alerts(
            course,
            &grades,
            &AlertInputs {
                hct_day0,
                chimerism: &chimerism,
                mrd_flow: &mrd_flow,
                agvhd: &agvhd,
                dli_dates: &dli_dates,
            },
            alert_config,
        );
        Analysis {
            hct_day0,
            therapies: crate::format::therapy_anchors(&course.anchors()),
            crs: graded(&grades, Criterion::Crs),
            icans: graded(&grades, Criterion::Icans),
            eln: graded(&grades, Criterion::Eln),
            agvhd,
            grades,
            chimerism,
            marrow_blasts,
            mrd_flow,
            dli_dates,
            dli_assessments,
            dli_errors,
            graft_checks,
            alerts,
            alert_config: alert_config.clone(),
            dli_config: cfg,
        }
    }

    /// Lineages with at least one chimerism sample, in a fixed order
    /// (whole blood, CD3, myeloid, then the others).
    pub fn chimerism_lineages(&self) -> Vec<Lineage> {
        Lineage::ALL
            .into_iter()
            .filter(|l| self.chimerism.iter().any(|s| s.lineage == *l))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use graftwatch_core::{DonorId, PersonRef};
    use graftwatch_grading::extract::chimerism::Share;

    fn sample(date: &str, lineage: Lineage, person: PersonRef, percent: f64) -> ChimerismSample {
        ChimerismSample {
            date: date.parse().unwrap(),
            lineage,
            sample: None,
            method: None,
            shares: vec![Share {
                person,
                percent: Percent::new(percent).unwrap(),
                lod_percent: None,
                detected: None,
            }],
        }
    }

    #[test]
    fn recipient_points_from_day_0_without_marrow() {
        let d0: Date = "2025-01-10".parse().unwrap();
        let donor = PersonRef::Donor(DonorId("D1".into()));
        let samples = [
            sample(
                "2025-01-09",
                Lineage::WholeBlood,
                PersonRef::Recipient,
                50.0,
            ),
            sample("2025-01-10", Lineage::Cd3, donor.clone(), 97.5),
            sample("2025-02-01", Lineage::Marrow, PersonRef::Recipient, 4.0),
            sample("2025-02-01", Lineage::WholeBlood, PersonRef::Recipient, 3.0),
        ];
        let p = recipient_points(&samples, Some(d0));
        let got: Vec<(Lineage, f64)> = p
            .iter()
            .map(|p| (p.lineage, p.recipient_percent.get()))
            .collect();
        assert_eq!(got, [(Lineage::Cd3, 2.5), (Lineage::WholeBlood, 3.0)]);
        assert_eq!(recipient_points(&samples, None).len(), 3);
    }
}

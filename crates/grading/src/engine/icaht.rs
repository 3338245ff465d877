//! ICAHT (early, day 0–30; late, day +31–100) and the platelet companion
//! after each CAR-T infusion, censored at the next line of therapy
//! (conditioning, chemotherapy, graft infusion, another CAR-T) or death.

use graftwatch_core::Date;
use graftwatch_course::{Anchor, Course, EventDetail};
use graftwatch_criteria::icaht::{
    Censor, CensorReason, CountCourse, IcahtGrade, early_icaht, late_icaht,
};
use graftwatch_criteria::icaht_platelets::{early_platelet_toxicity, late_platelet_toxicity};
use graftwatch_criteria::series::DatedValue;

use super::{Sink, cart_suffix, dated};
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::extract::counts::DailySeries;
use crate::output::{DayState, DayStatus};
use graftwatch_criteria::icaht_daily::{IcahtDay, IcahtWindow, early_icaht_days, late_icaht_days};

/// The daily-view state of one ICAHT day (system `early` / `late`).
fn icaht_state(d: &IcahtDay) -> DayState {
    DayState {
        criterion: Criterion::Icaht,
        system: match d.window {
            IcahtWindow::Early => "early",
            IcahtWindow::Late => "late",
        },
        status: if d.grade.is_some() {
            DayStatus::Graded
        } else {
            DayStatus::InsufficientData
        },
        grade: d.grade.map(|g| g.number().to_string()),
        value: serde_json::to_value(d).ok(),
        missing: d.missing.iter().cloned().collect(),
        valid_days: 0,
    }
}

/// Day states of the early and late windows after one CAR-T (only built
/// for the daily view).
fn day_states(
    cc: &CountCourse<'_>,
    last: Option<Date>,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
) {
    if !sink.keep_states {
        return;
    }
    let mut days = early_icaht_days(cc, &cfg.icaht).unwrap_or_default();
    if let Some(l) = last {
        days.extend(late_icaht_days(cc, l).unwrap_or_default());
    }
    for d in &days {
        sink.state(d.date, || icaht_state(d));
    }
}

/// The first censoring event after a CAR-T infusion on `day0`.
pub fn censor_after(course: &Course, day0: Date) -> Option<Censor> {
    course
        .events
        .iter()
        .filter(|e| e.date > day0)
        .find_map(|e| match e.detail {
            EventDetail::Death { .. } => Some(Censor {
                date: e.date,
                reason: CensorReason::Death,
                therapy: None,
            }),
            EventDetail::Chemotherapy { .. }
            | EventDetail::Conditioning { .. }
            | EventDetail::GraftInfusion { .. }
            | EventDetail::CarTInfusion { .. }
            | EventDetail::Lymphodepletion { .. } => Some(Censor {
                date: e.date,
                reason: CensorReason::NextTherapy,
                therapy: Some(match e.detail {
                    EventDetail::Chemotherapy { .. } => "chemotherapy",
                    EventDetail::Conditioning { .. } => "conditioning",
                    EventDetail::GraftInfusion { .. } => "graft infusion",
                    EventDetail::CarTInfusion { .. } => "CAR-T infusion",
                    _ => "lymphodepletion",
                }),
            }),
            _ => None,
        })
}

fn grade_text(g: IcahtGrade) -> String {
    format!("grade {}", g.number())
}

/// Runs ICAHT for every CAR-T infusion.
pub(crate) fn run(course: &Course, x: &CourseInputs, cfg: &crate::GradingConfig, sink: &mut Sink) {
    let carts: Vec<Anchor> = x.cart_anchors().copied().collect();
    if carts.is_empty() {
        sink.not_applicable(
            Criterion::Icaht,
            SummaryKey::IcahtEarly,
            "ICAHT",
            "no CAR-T infusion in the course",
        );
        return;
    }
    for (i, a) in carts.iter().enumerate() {
        let suffix = cart_suffix(i, a);
        let anc = from_day0(&x.counts.anc, a.date);
        let plt = from_day0(&x.counts.platelets, a.date);
        let censor = censor_after(course, a.date);
        let cc = CountCourse {
            day0: a.date,
            values: &anc,
            censor,
        };
        let pc = CountCourse {
            day0: a.date,
            values: &plt,
            censor,
        };
        day_states(&cc, x.span.map(|s| s.1), cfg, sink);
        grade_neutrophils(&cc, a, &suffix, cfg, sink);
        grade_platelets(&pc, a, &suffix, cfg, sink);
    }
}

/// The daily values of a series from `day0` on.
fn from_day0(series: &DailySeries, day0: Date) -> Vec<DatedValue> {
    series
        .days
        .iter()
        .filter(|d| d.date >= day0)
        .map(dated)
        .collect()
}

/// Early and late ICAHT (neutrophils) after one CAR-T infusion.
fn grade_neutrophils(
    cc: &CountCourse<'_>,
    a: &Anchor,
    suffix: &str,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
) {
    let key = |k: SummaryKey| k.with(suffix);
    sink.graded(
        Criterion::Icaht,
        key(SummaryKey::IcahtEarly),
        early_icaht(cc, &cfg.icaht),
        Some(a),
        "ANC series",
        |v| {
            (
                format!(
                    "{} (ANC ≤ 0.5 ×10⁹/L for {}, ≤ 0.1 for {})",
                    grade_text(v.grade),
                    graftwatch_core::number::counted(v.le_0_5.cumulative as usize, "day"),
                    graftwatch_core::number::counted(v.le_0_1.cumulative as usize, "day")
                ),
                v.le_0_5.first_start.map(|d| a.date.add_days(d)),
            )
        },
    );
    sink.graded(
        Criterion::Icaht,
        key(SummaryKey::IcahtLate),
        late_icaht(cc),
        Some(a),
        "ANC series",
        |v| {
            (
                format!(
                    "{} (second-lowest ANC {} on {})",
                    grade_text(v.grade),
                    v.second_lowest.value,
                    v.second_lowest.date
                ),
                Some(v.second_lowest.date),
            )
        },
    );
}

/// Early and late platelet toxicity after one CAR-T infusion.
fn grade_platelets(
    pc: &CountCourse<'_>,
    a: &Anchor,
    suffix: &str,
    cfg: &crate::GradingConfig,
    sink: &mut Sink,
) {
    sink.graded(
        Criterion::Icaht,
        SummaryKey::TIcahtEarly.with(suffix),
        early_platelet_toxicity(pc, &cfg.icaht),
        Some(a),
        "platelet series",
        |v| {
            (
                format!(
                    "{} (platelets < 50 for {} days, < 20 for {} days)",
                    grade_text(v.grade),
                    v.lt_50.cumulative,
                    v.lt_20.cumulative
                ),
                None,
            )
        },
    );
    sink.graded(
        Criterion::Icaht,
        SummaryKey::TIcahtLate.with(suffix),
        late_platelet_toxicity(pc, &cfg.icaht),
        Some(a),
        "platelet series",
        |v| (grade_text(v.grade), v.second_lowest.map(|s| s.date)),
    );
}

#[cfg(test)]
mod tests {
    use graftwatch_course::AnchorKind;

    use super::*;

    fn anchor(kind: AnchorKind) -> Anchor {
        Anchor {
            kind,
            date: "2024-03-01".parse().expect("a date"),
        }
    }

    #[test]
    fn only_later_infusions_get_a_cart_suffix() {
        assert_eq!(cart_suffix(0, &anchor(AnchorKind::CarT(1))), "");
        assert_eq!(cart_suffix(0, &anchor(AnchorKind::CarT(2))), "");
        assert_eq!(cart_suffix(1, &anchor(AnchorKind::CarT(2))), "_cart2");
        assert_eq!(cart_suffix(2, &anchor(AnchorKind::Dli(1))), "_2");
    }

    #[test]
    fn series_start_on_day_0_inclusive() {
        let d = |s: &str| -> Date { s.parse().expect("a date") };
        let series = DailySeries {
            days: ["2024-02-29", "2024-03-01", "2024-03-02"]
                .iter()
                .zip([0.1, 0.2, 0.3])
                .map(|(s, v)| crate::extract::DayValue {
                    date: d(s),
                    value: v,
                    n: 1,
                    automated: false,
                })
                .collect(),
        };
        let got = from_day0(&series, d("2024-03-01"));
        let dates: Vec<String> = got.iter().map(|v| v.date.to_string()).collect();
        assert_eq!(dates, ["2024-03-01", "2024-03-02"]);
        assert_eq!(got[0].value, 0.2);
    }
}

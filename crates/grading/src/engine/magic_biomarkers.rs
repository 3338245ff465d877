//! MAGIC biomarkers per transplant: the MAGIC algorithm probability (MAP) of
//! the day +7 sample (`magic_map_day7`, high / low risk) and of the sample at
//! acute GVHD onset (`magic_map_onset`, Ann Arbor group 1/2/3); suffix
//! `_hct2` … for later transplants. Emitted only when the transplant's
//! window holds at least one ST2, REG3α or TNFR1 record (the markers are an
//! optional test); a missing marker or sample is insufficient data naming
//! the dates.

use graftwatch_criteria::Graded;
use graftwatch_criteria::agvhd::MagicGrade;
use graftwatch_criteria::agvhd::magic::{lower_bound_stages, magic_grade};
use graftwatch_criteria::magic_biomarkers::{MapConfig, MapResult, map_near};

use super::Sink;
use super::agvhd_run::AgvhdRun;
use crate::SummaryKey;
use crate::criterion::Criterion;
use crate::extract::CourseInputs;
use crate::output::SummaryItem;

fn item(r: &AgvhdRun, name: SummaryKey, g: &Graded<MapResult>, sink: &mut Sink) {
    let hct = r.hct;
    sink.item(SummaryItem::from_graded(
        Criterion::Agvhd,
        name.with(&r.suffix),
        g,
        Some(&hct),
        |v| {
            (
                format!(
                    "MAP {:.3} on {} ({}): {}, {}",
                    v.map,
                    v.sample_date,
                    hct.describe(v.sample_date),
                    if v.high_risk { "high risk" } else { "low risk" },
                    v.ann_arbor.text()
                ),
                Some(v.sample_date),
            )
        },
    ));
}

/// Runs the MAGIC biomarker items of one transplant.
pub(crate) fn run(r: &AgvhdRun, x: &CourseInputs, cfg: &MapConfig, sink: &mut Sink) {
    let samples: Vec<_> = x
        .biomarkers
        .iter()
        .filter(|s| s.date >= r.hct.date && r.end.is_none_or(|e| s.date <= e))
        .cloned()
        .collect();
    if samples.is_empty() {
        return;
    }
    let d7 = r.hct.date.add_days(7);
    let g = map_near(&samples, d7, cfg.day7_window_days, "day +7", cfg);
    item(r, SummaryKey::MagicMapDay7, &g, sink);
    let onset = r
        .fast
        .iter()
        .find(|f| magic_grade(&lower_bound_stages(&f.organs)) >= MagicGrade::I)
        .map(|f| f.date);
    if let Some(o) = onset {
        let g = map_near(&samples, o, cfg.onset_window_days, "acute GVHD onset", cfg);
        item(r, SummaryKey::MagicMapOnset, &g, sink);
    }
}

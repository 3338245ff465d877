//! MAGIC biomarker samples: serum ST2, REG3α and TNFR1 grouped by date (the
//! course stores pg/mL; ng/mL is converted when read).

use graftwatch_course::{Course, Observation, ObservationKind};
use graftwatch_criteria::magic_biomarkers::BiomarkerSample;

/// The biomarker samples of a course, one per date, date order.
pub fn biomarker_samples(course: &Course) -> Vec<BiomarkerSample> {
    biomarker_samples_of(course.observations.iter())
}

/// The kinds [`biomarker_samples`] reads (the extraction hands it only these).
pub(crate) fn reads(kind: ObservationKind) -> bool {
    matches!(
        kind,
        ObservationKind::St2 | ObservationKind::Reg3a | ObservationKind::Tnfr1
    )
}

/// [`biomarker_samples`] of the observations given (course order).
pub(crate) fn biomarker_samples_of<'a>(
    obs: impl Iterator<Item = &'a Observation> + Clone,
) -> Vec<BiomarkerSample> {
    let mut out: Vec<BiomarkerSample> = Vec::new();
    for kind in [
        ObservationKind::St2,
        ObservationKind::Reg3a,
        ObservationKind::Tnfr1,
    ] {
        for o in obs.clone().filter(|o| o.kind == kind) {
            let Some(v) = o.number() else { continue };
            let i = match out.iter().position(|s| s.date == o.date) {
                Some(i) => i,
                None => {
                    out.push(BiomarkerSample {
                        date: o.date,
                        st2_pg_ml: None,
                        reg3a_pg_ml: None,
                        tnfr1_pg_ml: None,
                        assay: None,
                    });
                    out.len() - 1
                }
            };
            let s = &mut out[i];
            match kind {
                ObservationKind::St2 => s.st2_pg_ml = Some(v),
                ObservationKind::Reg3a => s.reg3a_pg_ml = Some(v),
                _ => s.tnfr1_pg_ml = Some(v),
            }
            if s.assay.is_none() {
                s.assay = o.assay.as_deref().map(str::to_string);
            }
        }
    }
    out.sort_by_key(|s| s.date);
    out
}

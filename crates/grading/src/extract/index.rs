//! The observations of a course sorted out, in one pass, to the extractors
//! that read them.
//!
//! A large course holds a million observations of about 150 bytes each;
//! every extractor walking all of them (counts, acute and chronic GVHD,
//! ICANS, marrow, chimerism, CRS, weights, biomarkers) read the whole
//! vector from memory ten times. [`ByReader::of`] walks it once and hands
//! each extractor the references to its own kinds, in course order, so the
//! extractors see exactly the observations they would have picked out
//! themselves (each one's kinds are listed by its module's `reads`, next to
//! its loop; a test feeds every kind through both ways).

use graftwatch_core::Date;
use graftwatch_course::{Course, Observation};

use super::{biomarkers, cgvhd, chimerism, counts, crs, gvhd, icans, marrow};

/// References to the observations each extractor reads, course order.
#[derive(Debug, Default)]
pub(crate) struct ByReader<'a> {
    /// [`counts::reads`].
    pub counts: Vec<&'a Observation>,
    /// [`gvhd::reads`].
    pub gvhd: Vec<&'a Observation>,
    /// [`cgvhd::reads`].
    pub cgvhd: Vec<&'a Observation>,
    /// [`icans::reads`].
    pub icans: Vec<&'a Observation>,
    /// [`marrow::reads`].
    pub marrow: Vec<&'a Observation>,
    /// [`chimerism::reads`].
    pub chimerism: Vec<&'a Observation>,
    /// [`crs::reads`] (temperatures and the per-finding CRS records).
    pub crs: Vec<&'a Observation>,
    /// Body weights.
    pub weights: Vec<&'a Observation>,
    /// Lower-GI acute GVHD diagnoses ([`gvhd::lower_gi_diagnoses`]).
    pub lower_gi_diagnoses: Vec<&'a Observation>,
    /// [`biomarkers::reads`].
    pub biomarkers: Vec<&'a Observation>,
    /// First and last date of any event or observation
    /// ([`Course::span`], computed in the same pass).
    pub span: Option<(Date, Date)>,
    /// Whether the observations are in date order.
    pub in_date_order: bool,
}

impl<'a> ByReader<'a> {
    /// Sorts the course's observations out in one pass.
    pub fn of(course: &'a Course) -> ByReader<'a> {
        let mut r = ByReader::default();
        let mut span = event_span(course);
        let mut in_order = true;
        let mut last = None;
        for o in &course.observations {
            in_order &= last.is_none_or(|d| d <= o.date);
            last = Some(o.date);
            span = Some(match span {
                None => (o.date, o.date),
                Some((a, b)) => (a.min(o.date), b.max(o.date)),
            });
            let k = o.kind;
            if counts::reads(k) {
                r.counts.push(o);
            }
            if gvhd::reads(k) {
                r.gvhd.push(o);
            }
            if cgvhd::reads(k) {
                r.cgvhd.push(o);
            }
            if icans::reads(k) {
                r.icans.push(o);
            }
            if marrow::reads(k) {
                r.marrow.push(o);
            }
            if chimerism::reads(k) {
                r.chimerism.push(o);
            }
            if crs::reads(k) {
                r.crs.push(o);
            }
            if k == graftwatch_course::ObservationKind::Weight {
                r.weights.push(o);
            }
            if k == graftwatch_course::ObservationKind::LowerGiGvhdDiagnosis {
                r.lower_gi_diagnoses.push(o);
            }
            if biomarkers::reads(k) {
                r.biomarkers.push(o);
            }
        }
        r.span = span;
        r.in_date_order = in_order;
        r
    }
}

/// The span of the events' dates (start and end dates).
fn event_span(course: &Course) -> Option<(Date, Date)> {
    course
        .events
        .iter()
        .flat_map(|e| std::iter::once(e.date).chain(e.end_date))
        .fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((a, b)) => Some((a.min(d), b.max(d))),
        })
}

#[cfg(test)]
mod tests {
    use graftwatch_core::{Date, Lineage, PersonRef, Unit};
    use graftwatch_course::{
        Attribution, ChimerismMethod, Course, ObsValue, Observation, ObservationKind, ValueSpec,
    };

    use super::super::*;

    /// [`extract`] as it was before the one pass: every extractor walks
    /// every observation and picks out its kinds itself.
    fn extract_walking_all(course: &Course, opt: &ExtractOptions) -> CourseInputs {
        let counts = counts::daily_counts(course);
        let marrow = marrow::marrow_assessments(course, &counts, opt.marrow_count_window_days);
        let read = FromObservations {
            span: course.span(),
            temps: crs::max_temperatures(course),
            crs_records: crs::crs_records(course),
            gvhd: gvhd::gvhd_days(course),
            cgvhd: cgvhd::cgvhd_assessments(course),
            icans: icans::icans_days(course),
            chimerism: chimerism::chimerism_samples(course),
            counts,
            marrow,
            lower_gi_diagnoses: gvhd::lower_gi_diagnoses(course),
            weights: weight_history(course.observations.iter()),
            biomarkers: biomarkers::biomarker_samples(course),
            observations_in_date_order: course.observations.is_sorted_by_key(|o| o.date),
        };
        assemble(course, opt, read)
    }

    /// Panics naming the first input that differs (the whole inputs are too
    /// long to read in a message).
    fn assert_same(one: &CourseInputs, all: &CourseInputs, what: &str) {
        if one == all {
            return;
        }
        let (a, b) = (
            serde_json::to_value(one).expect("inputs as JSON"),
            serde_json::to_value(all).expect("inputs as JSON"),
        );
        let keys = a.as_object().expect("an object").keys();
        let differ: Vec<&String> = keys.filter(|k| a.get(*k) != b.get(*k)).collect();
        panic!("{what}: the one-pass extraction differs in {differ:?}");
    }

    fn seed() -> Course {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/seed-case/course.json");
        graftwatch_course::read_course(&p)
            .expect("seed case")
            .course
    }

    /// The workspace's one seeded generator, so a failure reproduces.
    type Gen = graftwatch_core::SeededRng;

    /// A uniform element of a non-empty slice.
    trait Pick {
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T;
    }

    impl Pick for Gen {
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[self.index(xs.len())]
        }
    }

    /// A valid value of `kind` (canonical unit), drawn from its range.
    fn value_of(g: &mut Gen, kind: ObservationKind) -> (ObsValue, Option<Unit>) {
        match kind.spec() {
            ValueSpec::Number {
                canonical,
                min,
                max,
                warn_above,
                ..
            } => {
                let hi = max.min(warn_above).min(min + 200.0);
                let v = min + (hi - min) * (g.below(1000) as f64 / 1000.0);
                (ObsValue::Number(v), Some(canonical))
            }
            ValueSpec::Score { min, max } => (
                ObsValue::Number(f64::from(min) + g.below(u64::from(max - min) + 1) as f64),
                None,
            ),
            ValueSpec::Bool => (ObsValue::Bool(g.below(2) == 1), None),
            ValueSpec::Category(names) => (ObsValue::Category(g.pick(names).to_string()), None),
        }
    }

    /// The seed case with `n` more observations of every kind (each kind
    /// equally often), dated across the course, with attributions,
    /// chimerism persons and lineages drawn at random; date order.
    fn every_kind(seed_no: u64, n: usize) -> Course {
        let mut c = seed();
        let mut g = Gen::new(seed_no);
        let (first, last) = c.span().expect("span");
        let days = last.days_since(first).get();
        let kinds = ObservationKind::all();
        let donor = c.donors[0].id.clone();
        for i in 0..n {
            let kind = kinds[i % kinds.len()];
            let date: Date = first.add_days(g.below(days as u64 + 1) as i32);
            let (value, unit) = value_of(&mut g, kind);
            let mut o = Observation::new(date, kind, value, unit);
            o.attribution = g.pick(&[
                None,
                Some(Attribution::Gvhd),
                Some(Attribution::Other),
                Some(Attribution::Multifactorial),
            ]);
            if kind == ObservationKind::Chimerism {
                o.lineage = Some(g.pick(&Lineage::ALL));
                o.person = Some(if g.below(2) == 0 {
                    PersonRef::Recipient
                } else {
                    PersonRef::Donor(donor.clone())
                });
                o.method = Some(ChimerismMethod::Str);
                o.sample = Some(format!("G-{}", g.below(5)).into());
            }
            if g.below(4) == 0 {
                o.note = Some("generated".into());
                o.assay = Some("assay".into());
            }
            c.observations.push(o);
        }
        c.sort();
        c
    }

    #[test]
    fn one_pass_gives_what_every_extractor_walking_all_gives() {
        let opt = ExtractOptions::default();
        let c = seed();
        assert_same(
            &extract(&c, &opt),
            &extract_walking_all(&c, &opt),
            "seed case",
        );
        for s in 0..6 {
            let c = every_kind(s, 4000);
            let one = extract(&c, &opt);
            assert_same(
                &one,
                &extract_walking_all(&c, &opt),
                &format!("generated course {s}"),
            );
            // The generated kinds reached the extractors.
            assert!(!one.cgvhd.is_empty() && !one.icans.is_empty() && !one.biomarkers.is_empty());
        }
    }

    #[test]
    fn each_kind_alone_gives_what_walking_all_gives() {
        // A kind an extractor reads but its `reads` does not list shows here
        // on its own.
        let opt = ExtractOptions::default();
        let base = seed();
        let mut g = Gen::new(7);
        for kind in ObservationKind::all() {
            let mut c = base.clone();
            c.observations.clear();
            let (first, _) = base.span().expect("span");
            for d in 0..40 {
                let (value, unit) = value_of(&mut g, kind);
                let mut o = Observation::new(first.add_days(d * 9), kind, value, unit);
                if kind == ObservationKind::Chimerism {
                    o.lineage = Some(Lineage::Cd3);
                    o.person = Some(PersonRef::Recipient);
                }
                c.observations.push(o);
            }
            assert_same(
                &extract(&c, &opt),
                &extract_walking_all(&c, &opt),
                kind.as_str(),
            );
        }
    }
}

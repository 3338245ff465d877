//! The one way chimerism results are recorded in a course, shared by
//! `chimerism str --add-to` and `chimerism ngs --add-to`.
//!
//! A result is keyed by (sample id, lineage, date, method). Attaching
//! replaces every chimerism observation of the course with the same key
//! (whatever person it names) by the new shares, so rerunning an analysis
//! never duplicates it (before, reruns summed to 200 % and 300 %).
//! Percentages are stored rounded to 0.01 points for every method.

use graftwatch_core::{Date, Lineage, Percent, PersonRef};

use crate::model::Course;
use crate::observation::{ChimerismMethod, Observation, ObservationKind};

/// One analysed sample: every person's share.
#[derive(Debug, Clone, PartialEq)]
pub struct ChimerismResult {
    /// Sample id (as given on the command line or run sheet).
    pub sample: String,
    /// Collection date.
    pub date: Date,
    /// Cell lineage.
    pub lineage: Lineage,
    /// Method.
    pub method: ChimerismMethod,
    /// Share of each person (recipient and donors), with the detection
    /// call and limit when the method states them.
    pub shares: Vec<PersonShare>,
}

/// One person's share in a result.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonShare {
    /// Recipient or donor.
    pub person: PersonRef,
    /// Share in percent as the estimator gave it: a plain number, which
    /// [`attach_chimerism`] checks (within 0.005 points of 0–100, else
    /// [`AttachError::BadShare`]) and stores as a [`Percent`] rounded to
    /// 0.01. A person not detected keeps the estimate here; the course
    /// records `detected: false` beside it, and readers show `< LoD`.
    pub percent: f64,
    /// The limit of detection of this person's result (%), lab-validated
    /// or computed, when the method states one.
    pub lod_percent: Option<f64>,
    /// The detection call, when the method makes one.
    pub detected: Option<bool>,
}

impl PersonShare {
    /// A share without a detection call or limit.
    pub fn new(person: PersonRef, percent: f64) -> PersonShare {
        PersonShare {
            person,
            percent,
            lod_percent: None,
            detected: None,
        }
    }
}

/// What attaching did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttachSummary {
    /// Observations added.
    pub added: usize,
    /// Earlier observations with the same key removed (a rerun).
    pub replaced: usize,
    /// Results attached with a suspect date (after today, before the first
    /// transplant), one line per sample: kept, for the caller to show.
    pub warnings: Vec<String>,
}

/// Why results cannot be attached.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttachError {
    /// A donor named in the results is not a donor of the course.
    #[error(
        "donor '{donor}' of sample '{sample}' is not a donor of this course (donors: {known}); name the donor as in the course"
    )]
    UnknownDonor {
        /// Sample.
        sample: String,
        /// Donor named.
        donor: String,
        /// The course's donor ids.
        known: String,
    },
    /// A detection limit that is not a percentage.
    #[error(
        "sample '{sample}': detection limit {value} of {person} is not a percentage between 0 and 100"
    )]
    BadLimit {
        /// Sample.
        sample: String,
        /// Person.
        person: String,
        /// Value.
        value: f64,
    },
    /// A sample dated where no observation of the patient can be (before
    /// the birth year, after the death): attached, the course would no
    /// longer validate.
    #[error("sample '{sample}' is dated {date}: expected {expected}; nothing was added")]
    ImpossibleDate {
        /// Sample.
        sample: String,
        /// Its date.
        date: Date,
        /// What the date should be, as course validation words it.
        expected: String,
    },
    /// A share that is not a percentage.
    #[error("sample '{sample}': share {value} of {person} is not a percentage between 0 and 100")]
    BadShare {
        /// Sample.
        sample: String,
        /// Person.
        person: String,
        /// Value.
        value: f64,
    },
}

/// Rounds a percentage to 0.01 points (the stored precision of every method).
pub fn round_percent(p: Percent) -> Percent {
    Percent::clamp((p.get() * 100.0).round() / 100.0).unwrap_or(p)
}

/// Every donor named is the course's, every share within 0–100 and every
/// limit a percentage (nothing is attached when one is not).
fn check_results(course: &Course, results: &[ChimerismResult]) -> Result<(), AttachError> {
    let known: Vec<&str> = course.donors.iter().map(|d| d.id.0.as_str()).collect();
    for r in results {
        if let Some(expected) = crate::validate::observation_date_problem(course, r.date) {
            return Err(AttachError::ImpossibleDate {
                sample: r.sample.clone(),
                date: r.date,
                expected,
            });
        }
        for share in &r.shares {
            let (p, v) = (&share.person, &share.percent);
            if let PersonRef::Donor(d) = p
                && !known.contains(&d.0.as_str())
            {
                return Err(AttachError::UnknownDonor {
                    sample: r.sample.clone(),
                    donor: d.0.clone(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            }
            if !(v.is_finite() && (-0.005..=100.005).contains(v)) {
                return Err(AttachError::BadShare {
                    sample: r.sample.clone(),
                    person: p.to_string(),
                    value: *v,
                });
            }
            if let Some(l) = share.lod_percent
                && Percent::new(l).is_err()
            {
                return Err(AttachError::BadLimit {
                    sample: r.sample.clone(),
                    person: p.to_string(),
                    value: l,
                });
            }
        }
    }
    Ok(())
}

/// Attaches results to `course`: checks every donor first (nothing changes
/// on error), then replaces observations with the same (sample, lineage,
/// date, method) and sorts the course.
pub fn attach_chimerism(
    course: &mut Course,
    results: &[ChimerismResult],
) -> Result<AttachSummary, AttachError> {
    check_results(course, results)?;
    let same_key = |o: &Observation, r: &ChimerismResult| {
        o.kind == ObservationKind::Chimerism
            && o.sample.as_deref() == Some(r.sample.as_str())
            && o.lineage == Some(r.lineage)
            && o.date == r.date
            && o.method == Some(r.method)
    };
    let before = course.observations.len();
    course
        .observations
        .retain(|o| !results.iter().any(|r| same_key(o, r)));
    let mut summary = AttachSummary {
        replaced: before - course.observations.len(),
        added: 0,
        warnings: Vec::new(),
    };
    let today = crate::date_checks::today();
    for r in results {
        if let Some(w) = crate::date_checks::chimerism_date_warning(course, r.date, today) {
            summary.warnings.push(format!("sample '{}' {w}", r.sample));
        }
        for share in &r.shares {
            let mut o = Observation::chimerism(
                r.date,
                r.lineage,
                share.person.clone(),
                // Checked above: finite and within 0.005 of 0–100.
                Percent::clamp(share.percent).map_or(Percent::ZERO, round_percent),
                r.method,
                Some(r.sample.clone()),
            );
            // Checked above: within 0–100; rounded as the share is (a
            // computed limit carried 16 digits: 1.0467677834261973).
            o.lod_percent = share
                .lod_percent
                .and_then(|l| Percent::new(l).ok())
                .map(round_percent);
            o.detected = share.detected;
            course.observations.push(o);
            summary.added += 1;
        }
    }
    course.sort();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use graftwatch_core::DonorId;

    fn course() -> Course {
        let text = include_str!("../../../examples/seed-case/course.json");
        serde_json::from_str(text).expect("seed course parses")
    }

    fn result(donor: &str, pct: f64) -> ChimerismResult {
        ChimerismResult {
            sample: "PB-d30".into(),
            date: "2024-05-29".parse().unwrap(),
            lineage: Lineage::Cd3,
            method: ChimerismMethod::Str,
            shares: vec![
                PersonShare::new(PersonRef::Recipient, 100.0 - pct),
                PersonShare::new(PersonRef::Donor(DonorId(donor.into())), pct),
            ],
        }
    }

    fn donor_id(c: &Course) -> String {
        c.donors[0].id.0.clone()
    }

    #[test]
    fn rerun_replaces_instead_of_adding() {
        let mut c = course();
        let d = donor_id(&c);
        let n0 = c.observations.len();
        let s = attach_chimerism(&mut c, &[result(&d, 97.123)]).unwrap();
        assert_eq!((s.added, s.replaced), (2, 0));
        let s = attach_chimerism(&mut c, &[result(&d, 96.0)]).unwrap();
        assert_eq!((s.added, s.replaced), (2, 2));
        assert_eq!(c.observations.len(), n0 + 2);
        let sum: f64 = c
            .observations
            .iter()
            .filter(|o| o.sample.as_deref() == Some("PB-d30"))
            .filter_map(|o| o.number())
            .sum();
        assert_eq!(sum, 100.0);
    }

    /// Audit 2026-12-06: `--add-to` wrote a sample dated 1950 into a
    /// course of a patient born in 1989, which then failed validation
    /// (and every grade of it). Both sides of both bounds.
    #[test]
    fn a_date_outside_the_patients_life_is_refused_and_nothing_changes() {
        let mut c = course();
        let d = donor_id(&c);
        let before = c.clone();
        let at = |date: &str| ChimerismResult {
            date: date.parse().unwrap(),
            ..result(&d, 90.0)
        };
        let e = attach_chimerism(&mut c, &[at("2024-05-29"), at("1988-12-31")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "sample 'PB-d30' is dated 1988-12-31: expected a date on or after the birth year 1989; nothing was added"
        );
        assert_eq!(c, before);
        assert!(attach_chimerism(&mut c, &[at("1989-01-01")]).is_ok());
        // After a death event: refused; on its day: kept.
        let mut c = before.clone();
        let death: crate::event::Event = serde_json::from_value(serde_json::json!({
            "date": "2025-06-01", "kind": "death", "cause": "relapse"
        }))
        .unwrap();
        c.events.push(death);
        let e = attach_chimerism(&mut c, &[at("2025-06-02")]).unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a date on or before the death on 2025-06-01"),
            "{e}"
        );
        assert!(attach_chimerism(&mut c, &[at("2025-06-01")]).is_ok());
    }

    #[test]
    fn other_method_lineage_or_date_is_kept_and_values_are_rounded() {
        let mut c = course();
        let d = donor_id(&c);
        attach_chimerism(&mut c, &[result(&d, 97.126)]).unwrap();
        let mut ngs = result(&d, 50.0);
        ngs.method = ChimerismMethod::Ngs;
        let s = attach_chimerism(&mut c, &[ngs]).unwrap();
        assert_eq!(s.replaced, 0);
        assert!(c.observations.iter().any(|o| o.number() == Some(97.13)));
    }

    #[test]
    fn the_detection_call_and_limit_are_recorded_with_the_share() {
        let mut c = course();
        let d = donor_id(&c);
        let mut r = result(&d, 99.7);
        r.shares[0].lod_percent = Some(1.2049677834261973);
        r.shares[0].detected = Some(false);
        attach_chimerism(&mut c, &[r.clone()]).unwrap();
        let rec = c
            .observations
            .iter()
            .find(|o| {
                o.sample.as_deref() == Some("PB-d30") && o.person == Some(PersonRef::Recipient)
            })
            .unwrap();
        // Rounded to 0.01 points, as the share.
        assert_eq!(rec.lod_percent, Some(Percent::lit(1.2)));
        assert_eq!(rec.detected, Some(false));
        let donor = c
            .observations
            .iter()
            .find(|o| {
                o.sample.as_deref() == Some("PB-d30") && o.person != Some(PersonRef::Recipient)
            })
            .unwrap();
        assert_eq!((donor.lod_percent, donor.detected), (None, None));
        r.shares[0].lod_percent = Some(101.0);
        let before = c.clone();
        let e = attach_chimerism(&mut c, &[r]).unwrap_err();
        assert!(e.to_string().contains("detection limit 101"), "{e}");
        assert_eq!(c, before);
    }

    #[test]
    fn unknown_donor_changes_nothing() {
        let mut c = course();
        c.donors.truncate(1);
        let before = c.clone();
        let e = attach_chimerism(&mut c, &[result("nobody", 5.0)]).unwrap_err();
        assert!(e.to_string().contains("'nobody'"), "{e}");
        assert_eq!(c, before);
    }
}

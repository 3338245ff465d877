//! Warnings on dates that are possible but almost certainly wrong: a result
//! dated after today, and a chimerism result dated before the first
//! transplant (a pre-transplant sample is the recipient's reference, not a
//! chimerism result). Warnings, not errors: the course is kept, and every
//! command that reads it (validate, grade, import, `--add-to`) says so.
//! One warning per kind and course, at the first such record, with the
//! count: a course entered a year ahead by mistake gives one line, not
//! thousands.

use graftwatch_core::Date;

use crate::diagnostic::{Diagnostic, Location};
use crate::event::EventDetail;
use crate::model::Course;
use crate::observation::ObservationKind;

/// The `GRAFTWATCH_TODAY` setting checked: `Ok` when unset or a date
/// (YYYY-MM-DD), else the message naming the value (a mistyped value would
/// otherwise be ignored silently and the system clock used).
pub fn check_today_setting() -> Result<(), String> {
    match std::env::var("GRAFTWATCH_TODAY") {
        Ok(t) if t.trim().parse::<Date>().is_err() => Err(format!(
            "environment variable GRAFTWATCH_TODAY = '{t}': expected a date YYYY-MM-DD (or unset it to use today's date)"
        )),
        _ => Ok(()),
    }
}

/// Today (UTC), from the system clock; `GRAFTWATCH_TODAY` (YYYY-MM-DD)
/// sets it, for tests and for re-reading an old export as of its day
/// ([`check_today_setting`] refuses a value that is not a date).
pub fn today() -> Date {
    if let Some(d) = std::env::var("GRAFTWATCH_TODAY")
        .ok()
        .and_then(|t| t.trim().parse::<Date>().ok())
    {
        return d;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch((secs / 86_400) as i32)
}

/// The day of the first graft infusion, if any.
pub fn first_transplant(course: &Course) -> Option<Date> {
    course
        .events
        .iter()
        .filter(|e| matches!(e.detail, EventDetail::GraftInfusion { .. }))
        .map(|e| e.date)
        .min()
}

/// Why a chimerism result dated `date` is suspect in `course` as of
/// `today`: after today, or before the first transplant.
pub fn chimerism_date_warning(course: &Course, date: Date, today: Date) -> Option<String> {
    if date > today {
        return Some(format!(
            "dated {date}, after today ({today}): check the date (kept)"
        ));
    }
    let hct = first_transplant(course)?;
    (date < hct).then(|| {
        format!(
            "dated {date}, before the first transplant ({hct}): a pre-transplant sample is the recipient's reference, not a chimerism result; check the date (kept)"
        )
    })
}

/// The warnings for `course`, as of `today`. `at_observation(i)` and
/// `at_event(i)` locate record i; `warn` makes the diagnostic.
pub(crate) fn date_warnings(
    course: &Course,
    today: Date,
    at_observation: &dyn Fn(usize) -> Location,
    at_event: &dyn Fn(usize) -> Location,
    warn: &dyn Fn(Location, Date, String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let future_obs: Vec<usize> = (0..course.observations.len())
        .filter(|&i| course.observations[i].date > today)
        .collect();
    let future_ev: Vec<usize> = (0..course.events.len())
        .filter(|&i| course.events[i].date > today)
        .collect();
    let n = future_obs.len() + future_ev.len();
    let first = match (future_obs.first(), future_ev.first()) {
        (Some(&o), _) => Some((at_observation(o), course.observations[o].date)),
        (None, Some(&e)) => Some((at_event(e), course.events[e].date)),
        (None, None) => None,
    };
    if let Some((loc, date)) = first {
        out.push(warn(
            loc,
            date,
            format!(
                "a date on or before today ({today}); {n} record{} dated after today: check the dates (kept, please check)",
                if n == 1 { " is" } else { "s are" }
            ),
        ));
    }
    if let Some(hct) = first_transplant(course) {
        let early: Vec<usize> = (0..course.observations.len())
            .filter(|&i| {
                let o = &course.observations[i];
                o.kind == ObservationKind::Chimerism && o.date < hct
            })
            .collect();
        if let Some(&i) = early.first() {
            out.push(warn(
                at_observation(i),
                course.observations[i].date,
                format!(
                    "a chimerism result on or after the first transplant ({hct}); {} chimerism result{} dated before it: a pre-transplant sample is the recipient's reference, not a chimerism result (kept, please check the date)",
                    early.len(),
                    if early.len() == 1 { " is" } else { "s are" }
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn seed() -> Course {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/seed-case/course.json"
        );
        crate::io::read_course(std::path::Path::new(p))
            .expect("seed")
            .course
    }

    fn warnings(c: &Course, today: Date) -> Vec<Diagnostic> {
        date_warnings(
            c,
            today,
            &|_| Location::File,
            &|_| Location::File,
            &|location, date, expected| Diagnostic {
                severity: Severity::Warning,
                file: "c.json".into(),
                location,
                field: Some("date".into()),
                value: Some(date.to_string()),
                expected,
            },
        )
    }

    #[test]
    fn future_dates_warn_once_with_the_count() {
        let c = seed();
        let last = c.span().unwrap().1;
        assert!(
            warnings(&c, last).is_empty(),
            "a record dated today is fine"
        );
        let w = warnings(&c, last.add_days(-1));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].value.as_deref(), Some(last.to_string().as_str()));
        assert!(
            w[0].expected.contains("dated after today"),
            "{}",
            w[0].expected
        );
        let far = warnings(&c, Date::from_ymd(2000, 1, 1).unwrap());
        assert_eq!(far.len(), 1, "one line for the whole course");
    }

    #[test]
    fn chimerism_before_the_first_transplant_warns() {
        let mut c = seed();
        let today = c.span().unwrap().1;
        let hct = c
            .events
            .iter()
            .filter(|e| matches!(e.detail, EventDetail::GraftInfusion { .. }))
            .map(|e| e.date)
            .min()
            .unwrap();
        let i = c
            .observations
            .iter()
            .position(|o| o.kind == ObservationKind::Chimerism)
            .unwrap();
        c.observations[i].date = hct;
        assert!(
            warnings(&c, today).is_empty(),
            "on the transplant day: fine"
        );
        c.observations[i].date = hct.add_days(-1);
        let w = warnings(&c, today);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].expected
                .contains("1 chimerism result is dated before it"),
            "{}",
            w[0].expected
        );
    }
}

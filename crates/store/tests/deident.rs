//! De-identified export: every free-text field that is not from a
//! controlled list is removed, whatever identifiers it holds; coded fields
//! stay; donors' years of birth move with the dates and are aggregated over
//! 89 like the patient's.

use std::path::Path;

use graftwatch_core::{Date, DonorId};
use graftwatch_course::{Course, Event, EventDetail, read_course};
use graftwatch_store::deident::{REMOVED, deidentify};

/// Identifiers as they turn up in free text: a name, an MRN, an accession
/// number and an unshifted date.
const PHI: &str = "Jane Doe MRN 99887766 ACC-12345 on 1999-12-31";

fn event(date: Date, detail: EventDetail) -> Event {
    let mut e = read_course(&seed_path()).unwrap().course.events[0].clone();
    e.date = date;
    e.end_date = None;
    e.id = Some(format!("id {PHI}"));
    e.note = Some(PHI.into());
    e.detail = detail;
    e
}

fn seed_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json")
}

/// The seed case with identifiers in every free-text field.
fn course_with_phi() -> Course {
    let mut c = read_course(&seed_path()).unwrap().course;
    c.illustrative = Some(PHI.into());
    c.patient.diagnosis.description = Some(PHI.into());
    let day = c.events[0].date;
    let phi = || PHI.to_string();
    for d in [
        EventDetail::Chemotherapy {
            regimen: phi(),
            line: Some(1),
            intent: Some(phi()),
        },
        EventDetail::Chemotherapy {
            regimen: phi(),
            line: Some(2),
            intent: Some("Salvage".into()),
        },
        EventDetail::Lymphodepletion {
            regimen: phi(),
            agents: vec![],
        },
        EventDetail::Conditioning {
            regimen: phi(),
            intensity: None,
            agents: vec![],
        },
        EventDetail::CarTInfusion {
            target: phi(),
            product: phi(),
            dose_per_kg: None,
        },
        EventDetail::IcuStay {
            reason: Some(phi()),
        },
        EventDetail::Infection {
            syndrome: phi(),
            organism: Some(phi()),
        },
        EventDetail::Infection {
            syndrome: "septic shock".into(),
            organism: None,
        },
        EventDetail::Biopsy {
            site: phi(),
            result: graftwatch_course::BiopsyResult::Positive,
        },
        EventDetail::Biopsy {
            site: "Skin".into(),
            result: graftwatch_course::BiopsyResult::Positive,
        },
    ] {
        c.events.push(event(day, d));
    }
    for e in &mut c.events {
        e.note = Some(PHI.into());
    }
    for o in &mut c.observations {
        o.note = Some(PHI.into());
        o.sample = Some(PHI.into());
        o.assay = Some(PHI.into());
    }
    c.donors[0].birth_year = Some(1931);
    c.donors[1].birth_year = Some(1990);
    c.sort();
    c
}

#[test]
fn every_free_text_field_is_removed_and_coded_fields_kept() {
    let c = course_with_phi();
    let d = deidentify(&c, b"test key").unwrap();
    let text = serde_json::to_string_pretty(&d).unwrap();
    for needle in ["Jane", "Doe", "99887766", "ACC-12345", "1999-12-31", "MRN"] {
        assert!(
            !text.contains(needle),
            "'{needle}' left in:\n{}",
            text.lines()
                .filter(|l| l.contains(needle))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(d.illustrative.is_none());
    assert!(d.patient.diagnosis.description.is_none());
    let kinds = |f: &dyn Fn(&EventDetail) -> Option<String>| -> Vec<String> {
        d.events.iter().filter_map(|e| f(&e.detail)).collect()
    };
    let sites = kinds(&|x| match x {
        EventDetail::Biopsy { site, .. } => Some(site.clone()),
        _ => None,
    });
    assert!(
        sites.contains(&"Skin".to_string()),
        "controlled site kept: {sites:?}"
    );
    assert!(sites.contains(&REMOVED.to_string()), "{sites:?}");
    let syndromes = kinds(&|x| match x {
        EventDetail::Infection { syndrome, .. } => Some(syndrome.clone()),
        _ => None,
    });
    assert!(
        syndromes.contains(&"septic shock".to_string()),
        "{syndromes:?}"
    );
    let intents = kinds(&|x| match x {
        EventDetail::Chemotherapy { intent, .. } => intent.clone(),
        _ => None,
    });
    assert!(intents.contains(&"Salvage".to_string()), "{intents:?}");
    // Coded fields stay: DLI intent (an enumeration), drug names.
    assert!(text.contains("\"preemptive\""), "DLI intent kept");
    assert_eq!(
        d.events
            .iter()
            .filter(|e| matches!(e.detail, EventDetail::Drug { .. }))
            .count(),
        c.events
            .iter()
            .filter(|e| matches!(e.detail, EventDetail::Drug { .. }))
            .count()
    );
    for o in &d.observations {
        assert!(o.note.is_none() && o.sample.is_none() && o.assay.is_none());
    }
    // Donors' years of birth move with the dates; over 89 aggregated to 90.
    let shift = d.events[0].date.days_since_epoch() - c.events[0].date.days_since_epoch();
    let years = (f64::from(shift) / 365.25).round() as i32;
    let first = d.span().unwrap().0.year();
    assert_eq!(d.donors[0].birth_year, Some(first - 90), "donor aged 93");
    assert_eq!(d.donors[1].birth_year, Some(1990 + years));
    assert_eq!(d.donors[0].id, DonorId("D1".into()));
}

#[test]
fn a_cause_of_death_keeps_only_the_toxicity_it_names() {
    let mut c = read_course(&seed_path()).unwrap().course;
    let last = c.span().unwrap().1;
    c.events.push(event(
        last,
        EventDetail::Death {
            cause: format!("refractory CRS, {PHI}"),
        },
    ));
    c.sort();
    let d = deidentify(&c, b"k").unwrap();
    let cause = d
        .events
        .iter()
        .find_map(|e| match &e.detail {
            EventDetail::Death { cause } => Some(cause.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(cause, "CRS");
}

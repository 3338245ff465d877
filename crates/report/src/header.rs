//! The header section: patient, diagnosis with genetics, donors, grafts,
//! anchors (day-0 events) and the illustrative-data banner.

use std::fmt::Write as _;

use graftwatch_core::Date;
use graftwatch_course::{
    AnchorKind, Course, Diagnosis, DonorRelationship, EventDetail, Patient, Sex,
};

use crate::escape::escape;
use crate::format::{graft_doses, long_date, sci, signed_day};
use crate::section::Section;

fn sex(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Unknown => "sex unknown",
    }
}

fn relationship(r: DonorRelationship) -> &'static str {
    match r {
        DonorRelationship::MatchedSibling => "HLA-identical sibling",
        DonorRelationship::MatchedRelated => "matched related",
        DonorRelationship::Haploidentical => "haploidentical related",
        DonorRelationship::MatchedUnrelated => "matched unrelated",
        DonorRelationship::MismatchedUnrelated => "mismatched unrelated",
        DonorRelationship::UnrelatedCord => "unrelated cord blood unit",
        DonorRelationship::Autologous => "autologous",
        DonorRelationship::Syngeneic => "syngeneic twin",
    }
}

/// The banner shown when the course is illustrative (not real data).
pub fn illustrative_banner(course: &Course) -> Option<String> {
    course.illustrative.as_ref().map(|t| {
        format!(
            "<p class=\"banner\" id=\"illustrative\"><strong>Illustrative data.</strong> {}</p>",
            escape(t)
        )
    })
}

/// The header section: the facts list (patient, diagnosis, karyotype,
/// mutations, day-0 events) and the donors and grafts table, in display
/// order.
pub fn header_section(course: &Course) -> Section {
    let mut h = String::new();
    if let Some(b) = illustrative_banner(course) {
        h.push_str(&b);
    }
    h.push_str("<dl class=\"facts\">");
    let hct0 = course.transplant_day0(1);
    patient_row(&mut h, &course.patient, hct0);
    diagnosis_rows(&mut h, &course.patient.diagnosis);
    anchors_row(&mut h, course, hct0);
    h.push_str("</dl>");
    donors_table(&mut h, course);
    Section::new("summary", "Patient, diagnosis, donors", h)
}

/// The patient row: id, sex, birth year, age at the first HCT, height.
fn patient_row(h: &mut String, p: &Patient, hct0: Option<Date>) {
    let age = match hct0 {
        Some(d) => format!(", about {} years old at HCT", d.year() - p.birth_year),
        None => String::new(),
    };
    let _ = write!(
        h,
        "<dt>Patient</dt><dd>{} · {} · born {}{}{}</dd>",
        escape(&p.id.0),
        sex(p.sex),
        p.birth_year,
        age,
        p.height_cm
            .map(|c| format!(" · {c:.0} cm"))
            .unwrap_or_default()
    );
}

/// The diagnosis, karyotype and mutation rows.
fn diagnosis_rows(h: &mut String, dx: &Diagnosis) {
    let disease = dx.disease.label();
    let _ = write!(
        h,
        "<dt>Diagnosis</dt><dd>{disease}, diagnosed {}{}</dd>",
        long_date(dx.date),
        dx.description
            .as_ref()
            .map(|d| format!(": {}", escape(d)))
            .unwrap_or_default()
    );
    match &dx.karyotype {
        Some(k) => {
            let _ = write!(h, "<dt>Karyotype</dt><dd><code>{}</code>", escape(&k.iscn));
            if !k.abnormalities.is_empty() {
                let ab: Vec<String> = k
                    .abnormalities
                    .iter()
                    .map(|a| format!("{} ({:?})", escape(&a.iscn), a.kind).to_lowercase())
                    .collect();
                let _ = write!(h, " — {}", ab.join(", "));
            }
            h.push_str("</dd>");
        }
        None => h.push_str("<dt>Karyotype</dt><dd class=\"missing\">not recorded</dd>"),
    }
    if dx.mutations.is_empty() {
        h.push_str("<dt>Mutations</dt><dd class=\"missing\">none recorded</dd>");
    } else {
        let m: Vec<String> = dx
            .mutations
            .iter()
            .map(|m| {
                format!(
                    "<i>{}</i>{}{}",
                    escape(&m.gene),
                    m.variant
                        .as_ref()
                        .map(|v| format!(" {}", escape(v)))
                        .unwrap_or_default(),
                    m.vaf_percent
                        .map(|v| format!(" (VAF {v}%)"))
                        .unwrap_or_default()
                )
            })
            .collect();
        let _ = write!(h, "<dt>Mutations</dt><dd>{}</dd>", m.join(" · "));
    }
}

/// The day-0 events row (each with its HCT day), when there are any.
fn anchors_row(h: &mut String, course: &Course, hct0: Option<Date>) {
    let anchors = course.anchors();
    if !anchors.is_empty() {
        let a: Vec<String> = anchors
            .iter()
            .map(|a| {
                let rel = match (hct0, a.kind) {
                    (Some(d0), AnchorKind::Transplant(1)) if d0 == a.date => String::new(),
                    (Some(d0), _) => {
                        format!(" (HCT day {})", signed_day(a.date.days_since(d0).get()))
                    }
                    _ => String::new(),
                };
                format!("{} {}{rel}", a.kind, a.date)
            })
            .collect();
        let _ = write!(h, "<dt>Day-0 events</dt><dd>{}</dd>", a.join(" · "));
    }
}

/// The donors and grafts table (each donor's grafts and DLIs in event order).
fn donors_table(h: &mut String, course: &Course) {
    if course.donors.is_empty() {
        h.push_str("<p class=\"missing\">No donors recorded.</p>");
    } else {
        h.push_str("<table class=\"donors\"><caption>Donors and grafts</caption><thead><tr><th>Donor</th><th>Type</th><th>HLA match</th><th>Sex</th><th>Born</th><th>ABO</th><th>Graft (date, source, cell doses per kg)</th></tr></thead><tbody>");
        for d in &course.donors {
            let grafts: Vec<String> = course
                .events
                .iter()
                .filter_map(|e| match &e.detail {
                    EventDetail::GraftInfusion {
                        source,
                        donor,
                        tnc_per_kg,
                        cd34_per_kg,
                        cd3_per_kg,
                        ..
                    } if donor == &d.id => {
                        let mut s = format!("{} {}", e.date, source.label());
                        for (n, v) in graft_doses(*tnc_per_kg, *cd34_per_kg, *cd3_per_kg) {
                            let _ = write!(s, " · {n} {}", sci(v));
                        }
                        Some(s)
                    }
                    EventDetail::Dli {
                        donor, cd3_per_kg, ..
                    } if donor == &d.id => {
                        Some(format!("{} DLI · CD3+ {}", e.date, sci(cd3_per_kg.get())))
                    }
                    _ => None,
                })
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&d.id.0),
                relationship(d.relationship),
                d.hla_match
                    .as_deref()
                    .map(escape)
                    .unwrap_or_else(|| "–".into()),
                d.sex.map(sex).unwrap_or("–"),
                d.birth_year
                    .map(|y| y.to_string())
                    .unwrap_or_else(|| "–".into()),
                d.abo.as_deref().map(escape).unwrap_or_else(|| "–".into()),
                if grafts.is_empty() {
                    "–".into()
                } else {
                    grafts.join("<br>")
                }
            );
        }
        h.push_str("</tbody></table>");
    }
}

//! The long-CSV writer: values as held (canonical units), one row per fact.

use serde_json::Value;

use super::COLUMNS;
use crate::detail::{DetailEntry, escape, write_detail};
use crate::event::EventDetail;
use crate::event_fields::{FieldType, event_fields};
use crate::model::Course;
use crate::observation::ObsValue;

fn num(x: f64) -> String {
    format!("{x}")
}

struct Out {
    w: csv::Writer<Vec<u8>>,
    patient: String,
}

impl Out {
    fn row(&mut self, cells: &[(&str, String)]) {
        let mut r: Vec<String> = vec![String::new(); COLUMNS.len()];
        r[1] = self.patient.clone();
        for (c, v) in cells {
            if let Some(i) = COLUMNS.iter().position(|x| x == c) {
                r[i] = v.clone();
            }
        }
        // Writing to a Vec cannot fail.
        let _ = self.w.write_record(&r);
    }
}

fn enum_name<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn json_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(f)) => num(f),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The `detail` cell of an event.
pub fn event_detail_cell(detail: &EventDetail) -> String {
    let Ok(Value::Object(m)) = serde_json::to_value(detail) else {
        return String::new();
    };
    let fields = event_fields(detail.kind()).unwrap_or(&[]);
    let mut entries = Vec::new();
    for f in fields {
        let Some(v) = m.get(f.name) else { continue };
        if f.ty == FieldType::Agents {
            for a in v.as_array().into_iter().flatten() {
                let part = |k: &str| a.get(k).map(json_scalar).unwrap_or_default();
                let mut parts = vec![part("name"), part("dose"), part("unit")];
                while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
                    parts.pop();
                }
                entries.push(DetailEntry {
                    key: "agent".into(),
                    parts,
                });
            }
        } else {
            entries.push(DetailEntry {
                key: f.name.into(),
                parts: vec![json_scalar(v)],
            });
        }
    }
    write_detail(&entries)
}

/// Writes a course as long CSV (values as held: canonical units).
pub fn to_csv_string(course: &Course) -> String {
    let mut o = Out {
        w: csv::WriterBuilder::new().from_writer(Vec::new()),
        patient: course.patient.id.0.clone(),
    };
    let _ = o.w.write_record(COLUMNS);
    o.row(&[
        ("record", "course".into()),
        ("kind", "format".into()),
        ("value", course.format.clone()),
    ]);
    if let Some(i) = &course.illustrative {
        o.row(&[
            ("record", "course".into()),
            ("kind", "illustrative".into()),
            ("value", i.clone()),
        ]);
    }
    write_patient(&mut o, &course.patient);
    write_donors(&mut o, &course.donors);
    write_events(&mut o, &course.events);
    write_observations(&mut o, &course.observations);
    let bytes = o.w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Escapes one value for a `detail` cell (re-exported for writers of
/// spreadsheets that build the cell themselves).
pub fn escape_detail_value(v: &str) -> String {
    escape(v)
}

/// The `record` and `kind` cells of a patient row.
fn patient_cells(kind: &str) -> [(&'static str, String); 2] {
    [
        ("record", "patient".to_string()),
        ("kind", kind.to_string()),
    ]
}

/// A detail entry with one value part.
fn entry(key: &str, value: String) -> DetailEntry {
    DetailEntry {
        key: key.into(),
        parts: vec![value],
    }
}

/// The patient rows: sex, birth year, height, the diagnosis rows,
/// comorbidities and the lab reference limits.
fn write_patient(o: &mut Out, p: &crate::patient::Patient) {
    let pr = patient_cells;
    o.row(&[
        pr("sex")[0].clone(),
        pr("sex")[1].clone(),
        ("value", enum_name(&p.sex)),
    ]);
    o.row(&[
        pr("birth_year")[0].clone(),
        pr("birth_year")[1].clone(),
        ("value", p.birth_year.to_string()),
    ]);
    if let Some(h) = p.height_cm {
        let [a, b] = pr("height");
        o.row(&[a, b, ("value", num(h)), ("unit", "cm".into())]);
    }
    write_diagnosis(o, &p.diagnosis);
    for c in &p.comorbidities {
        let [a, b] = pr("comorbidity");
        o.row(&[a, b, ("value", c.clone())]);
    }
    let l = &p.lab_reference;
    for (k, v, u) in [
        ("bilirubin_uln", l.bilirubin_uln_mg_dl, "mg/dL"),
        ("alt_uln", l.alt_uln, "U/L"),
        ("ast_uln", l.ast_uln, "U/L"),
        ("alp_uln", l.alp_uln, "U/L"),
    ] {
        let [a, b] = pr(k);
        o.row(&[a, b, ("value", num(v)), ("unit", u.into())]);
    }
}

/// The diagnosis row, then its karyotype (with abnormalities), mutations and
/// MRD marker.
fn write_diagnosis(o: &mut Out, d: &crate::patient::Diagnosis) {
    let [a, b] = patient_cells("diagnosis");
    let mut cells = vec![
        a,
        b,
        ("value", enum_name(&d.disease)),
        ("date", d.date.to_string()),
    ];
    if let Some(desc) = &d.description {
        cells.push(("note", desc.clone()));
    }
    o.row(&cells);
    if let Some(k) = &d.karyotype {
        let [a, b] = patient_cells("karyotype");
        o.row(&[a, b, ("value", k.iscn.clone())]);
        for ab in &k.abnormalities {
            let mut e = vec![entry("type", enum_name(&ab.kind))];
            if let Some(c) = &ab.chromosome {
                e.push(entry("chromosome", c.clone()));
            }
            let [a, b] = patient_cells("abnormality");
            o.row(&[
                a,
                b,
                ("value", ab.iscn.clone()),
                ("detail", write_detail(&e)),
            ]);
        }
    }
    for m in &d.mutations {
        let mut e = Vec::new();
        if let Some(v) = &m.variant {
            e.push(entry("variant", v.clone()));
        }
        if let Some(v) = m.vaf_percent {
            e.push(entry("vaf_percent", num(v)));
        }
        let [a, b] = patient_cells("mutation");
        o.row(&[
            a,
            b,
            ("value", m.gene.clone()),
            ("detail", write_detail(&e)),
        ]);
    }
    if let Some(m) = &d.mrd_marker {
        let [a, b] = patient_cells("mrd_marker");
        o.row(&[a, b, ("value", m.clone())]);
    }
}

fn write_donors(o: &mut Out, donors: &[crate::patient::Donor]) {
    for d in donors {
        let mut e = Vec::new();
        if let Some(s) = d.sex {
            e.push(DetailEntry {
                key: "sex".into(),
                parts: vec![enum_name(&s)],
            });
        }
        if let Some(y) = d.birth_year {
            e.push(DetailEntry {
                key: "birth_year".into(),
                parts: vec![y.to_string()],
            });
        }
        if let Some(h) = &d.hla_match {
            e.push(DetailEntry {
                key: "hla_match".into(),
                parts: vec![h.clone()],
            });
        }
        if let Some(a) = &d.abo {
            e.push(DetailEntry {
                key: "abo".into(),
                parts: vec![a.clone()],
            });
        }
        o.row(&[
            ("record", "donor".into()),
            ("person", d.id.0.clone()),
            ("kind", enum_name(&d.relationship)),
            ("detail", write_detail(&e)),
        ]);
    }
}

fn write_events(o: &mut Out, events: &[crate::event::Event]) {
    for e in events {
        let mut cells = vec![
            ("record", "event".to_string()),
            ("date", e.date.to_string()),
            ("kind", e.detail.kind().to_string()),
            ("detail", event_detail_cell(&e.detail)),
        ];
        if let Some(id) = &e.id {
            cells.push(("id", id.clone()));
        }
        if let Some(t) = e.time {
            cells.push(("time", t.to_string()));
        }
        if let Some(t) = e.end_date {
            cells.push(("end_date", t.to_string()));
        }
        if let Some(n) = &e.note {
            cells.push(("note", n.clone()));
        }
        o.row(&cells);
    }
}

fn write_observations(o: &mut Out, observations: &[crate::observation::Observation]) {
    for ob in observations {
        let value = match &ob.value {
            ObsValue::Number(v) => num(*v),
            ObsValue::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            ObsValue::Category(c) => c.clone(),
        };
        let mut cells = vec![
            ("record", "observation".to_string()),
            ("date", ob.date.to_string()),
            ("kind", ob.kind.as_str().to_string()),
            ("value", value),
        ];
        let opt: [(&str, Option<String>); 12] = [
            ("time", ob.time.map(|t| t.to_string())),
            ("unit", ob.unit.map(|u| u.as_str().to_string())),
            ("person", ob.person.as_ref().map(|p| p.to_string())),
            ("lineage", ob.lineage.map(|l| l.as_str().to_string())),
            ("attribution", ob.attribution.as_ref().map(enum_name)),
            ("method", ob.method.as_ref().map(enum_name)),
            ("assay", ob.assay.as_deref().map(str::to_string)),
            ("sample", ob.sample.as_deref().map(str::to_string)),
            ("automated", ob.automated.map(|b| b.to_string())),
            ("note", ob.note.as_deref().map(str::to_string)),
            ("lod_percent", ob.lod_percent.map(|p| num(p.get()))),
            ("detected", ob.detected.map(|b| b.to_string())),
        ];
        cells.extend(opt.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        o.row(&cells);
    }
}

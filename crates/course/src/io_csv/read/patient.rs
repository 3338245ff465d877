//! `patient` rows of the long CSV: one fact per row.

use std::str::FromStr;

use graftwatch_core::Unit;
use serde_json::{Map, Value};

use super::{Builder, Row, parse_enum, parse_number, serde_msg};
use crate::io_csv::PATIENT_FACTS;
use crate::patient::{Abnormality, Disease, Mutation, Sex};

impl Builder<'_> {
    pub(super) fn patient_row(&mut self, row: &Row, kind: &str) {
        if self.loc.first_patient == 0 {
            self.loc.first_patient = row.line;
        }
        let line = row.line;
        match kind {
            "id" => self.patient_id(row, line),
            "sex" => self.patient_sex(row, line, kind),
            "birth_year" => self.patient_birth_year(row, line, kind),
            "height" => self.patient_height(row, line, kind),
            "diagnosis" => self.patient_diagnosis(row, line, kind),
            "karyotype" => self.patient_karyotype(row, line, kind),
            "abnormality" => self.patient_abnormality(row, line),
            "mutation" => self.patient_mutation(row, line),
            "comorbidity" => self.patient_comorbidity(row, line),
            "mrd_marker" => self.patient_mrd_marker(row, line, kind),
            "bilirubin_uln" | "alt_uln" | "ast_uln" | "alp_uln" => {
                self.patient_uln(row, line, kind)
            }
            _ => self.err(
                line,
                "kind",
                Some(kind),
                format!("for a patient row one of {}", PATIENT_FACTS.join(", ")),
            ),
        }
    }

    fn patient_id(&mut self, row: &Row, line: usize) {
        // The patient id may also be given as its own row.
        if let Some(v) = self.required(row, "value", "the patient id") {
            let v = v.trim().to_string();
            match &self.patient_id {
                Some((id, first)) if *id != v => {
                    let msg = format!("the patient id '{id}' of line {first}");
                    self.err(line, "value", Some(&v), msg);
                }
                _ => self.patient_id = Some((v, line)),
            }
        }
        self.loc.patient.insert("id".into(), line);
    }

    fn patient_sex(&mut self, row: &Row, line: usize, kind: &str) {
        let full = self.sex.is_some();
        if !self.once(line, kind, full, "sex") {
            return;
        }
        if let Some(v) = self.required(row, "value", "male, female or unknown") {
            match parse_enum::<Sex>(v.trim()) {
                Ok(s) => self.sex = Some(s),
                Err(e) => self.err(line, "value", Some(v), e),
            }
        }
    }

    fn patient_birth_year(&mut self, row: &Row, line: usize, kind: &str) {
        let full = self.birth_year.is_some();
        if !self.once(line, kind, full, "birth_year") {
            return;
        }
        if let Some(v) = self.required(row, "value", "a year") {
            match v.trim().parse::<i32>() {
                Ok(y) => self.birth_year = Some(y),
                Err(_) => self.err(line, "value", Some(v), "a year such as 1989"),
            }
        }
    }

    fn patient_height(&mut self, row: &Row, line: usize, kind: &str) {
        let full = self.height.is_some();
        if !self.once(line, kind, full, "height_cm") {
            return;
        }
        if let Some(v) = self.number(row, "value") {
            match row.opt("unit").map(Unit::from_str) {
                Some(Ok(Unit::Cm)) => self.height = Some(v),
                Some(Ok(u)) => self.err(line, "unit", Some(u.as_str()), "the unit cm for height"),
                Some(Err(_)) | None => {
                    let u = row.get("unit").to_string();
                    self.err(
                        line,
                        "unit",
                        (!u.is_empty()).then_some(u.as_str()),
                        "the unit cm for height",
                    )
                }
            }
        }
    }

    fn patient_diagnosis(&mut self, row: &Row, line: usize, kind: &str) {
        let full = self.diagnosis.is_some();
        if !self.once(line, kind, full, "diagnosis") {
            return;
        }
        let disease = self
            .required(row, "value", "aml, mds, all or other")
            .map(|v| (v.to_string(), parse_enum::<Disease>(v.trim())));
        let date = self.date(row, "date");
        let note = row.opt("note").map(str::to_string);
        match (disease, date) {
            (Some((_, Ok(d))), Some(date)) => self.diagnosis = Some((d, date, note)),
            (Some((v, Err(e))), _) => self.err(line, "value", Some(&v), e),
            _ => {}
        }
    }

    fn patient_karyotype(&mut self, row: &Row, line: usize, kind: &str) {
        let full = self.karyotype.is_some();
        if !self.once(line, kind, full, "diagnosis.karyotype") {
            return;
        }
        if let Some(v) = self.required(row, "value", "the ISCN karyotype") {
            self.karyotype = Some(v.to_string());
        }
    }

    fn patient_abnormality(&mut self, row: &Row, line: usize) {
        let key = format!(
            "diagnosis.karyotype.abnormalities[{}]",
            self.abnormalities.len()
        );
        self.loc.patient.insert(key, line);
        let iscn = self.required(row, "value", "the ISCN text of the abnormality");
        let entries = self.detail(row, &["type", "chromosome"]);
        let (Some(iscn), Some(entries)) = (iscn, entries) else {
            return;
        };
        let mut m = Map::new();
        m.insert("iscn".into(), Value::String(iscn.to_string()));
        for e in entries {
            let k = if e.key == "type" {
                "kind"
            } else {
                "chromosome"
            };
            m.insert(k.into(), Value::String(e.value()));
        }
        match serde_json::from_value::<Abnormality>(Value::Object(m)) {
            Ok(a) => self.abnormalities.push(a),
            Err(e) => {
                let d = row.get("detail").to_string();
                let msg = serde_msg(&e.to_string()).replace("field `kind`", "key type");
                self.err(line, "detail", Some(&d), msg);
            }
        }
    }

    fn patient_mutation(&mut self, row: &Row, line: usize) {
        let key = format!("diagnosis.mutations[{}]", self.mutations.len());
        self.loc.patient.insert(key, line);
        let gene = self.required(row, "value", "the gene symbol");
        let entries = self.detail(row, &["variant", "vaf_percent"]);
        let (Some(gene), Some(entries)) = (gene, entries) else {
            return;
        };
        let mut mutation = Mutation {
            gene: gene.trim().to_string(),
            variant: None,
            vaf_percent: None,
        };
        for e in entries {
            let v = e.value();
            if e.key == "variant" {
                mutation.variant = Some(v);
            } else {
                match parse_number(&v) {
                    Some(x) => mutation.vaf_percent = Some(x),
                    None => {
                        let d = row.get("detail").to_string();
                        self.err(line, "detail", Some(&d), "vaf_percent=<a number>");
                        return;
                    }
                }
            }
        }
        self.mutations.push(mutation);
    }

    fn patient_comorbidity(&mut self, row: &Row, line: usize) {
        let key = format!("comorbidities[{}]", self.comorbidities.len());
        self.loc.patient.insert(key, line);
        if let Some(v) = self.required(row, "value", "an HCT-CI item code") {
            self.comorbidities.push(v.trim().to_string());
        }
    }

    fn patient_uln(&mut self, row: &Row, line: usize, kind: &str) {
        let (idx, field, canonical, accepted): (usize, &str, Unit, &[Unit]) = match kind {
            "bilirubin_uln" => (
                0,
                "lab_reference.bilirubin_uln_mg_dl",
                Unit::MgPerDl,
                &[Unit::MgPerDl, Unit::MicromolPerL],
            ),
            "alt_uln" => (1, "lab_reference.alt_uln", Unit::UPerL, &[Unit::UPerL]),
            "ast_uln" => (2, "lab_reference.ast_uln", Unit::UPerL, &[Unit::UPerL]),
            _ => (3, "lab_reference.alp_uln", Unit::UPerL, &[Unit::UPerL]),
        };
        let full = self.uln[idx].is_some();
        if !self.once(line, kind, full, field) {
            return;
        }
        let Some(v) = self.number(row, "value") else {
            return;
        };
        let accepted_txt = Unit::accepted_text(accepted);
        let unit = match row.opt("unit").map(Unit::from_str) {
            Some(Ok(u)) if accepted.contains(&u) => u,
            _ => {
                let u = row.get("unit").to_string();
                self.err(
                    line,
                    "unit",
                    (!u.is_empty()).then_some(u.as_str()),
                    format!("a unit for {kind}; accepted: {accepted_txt}"),
                );
                return;
            }
        };
        let c = if unit == canonical {
            v
        } else {
            v / 17.1 // µmol/L → mg/dL, the only conversion here
        };
        self.uln[idx] = Some(c);
    }

    fn patient_mrd_marker(&mut self, row: &Row, line: usize, kind: &str) {
        let full = self.mrd_marker.is_some();
        if !self.once(line, kind, full, "diagnosis.mrd_marker") {
            return;
        }
        if let Some(v) = self.required(row, "value", "the pretreatment MRD marker") {
            self.mrd_marker = Some(v.trim().to_string());
        }
    }
}

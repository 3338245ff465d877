//! The long CSV course format: one row per fact, event or observation.
//!
//! Columns (any order; only `record` and `kind` are required, a missing
//! column reads as empty, an unknown column is an error):
//! `record,patient,id,date,time,end_date,kind,value,unit,person,lineage,attribution,method,assay,sample,automated,note,detail,lod_percent,detected`.
//!
//! `record` is one of
//! - `course`: `kind` = `format` (value `graftwatch-course/1`, required) or
//!   `illustrative` (value = the statement);
//! - `patient`: one row per patient fact, `kind` = `sex`, `birth_year`,
//!   `height` (unit `cm`), `diagnosis` (value = disease, `date`, `note` =
//!   description), `karyotype` (value = ISCN), `abnormality` (value = ISCN,
//!   detail `type=…;chromosome=…`), `mutation` (value = gene, detail
//!   `variant=…;vaf_percent=…`), `comorbidity` (value = HCT-CI item),
//!   `bilirubin_uln` / `alt_uln` / `ast_uln` / `alp_uln` (value + unit),
//!   `mrd_marker` (value = the pretreatment MRD marker);
//! - `donor`: `person` = donor id, `kind` = relationship, detail
//!   `sex=…;birth_year=…;hla_match=…;abo=…`;
//! - `event`: `kind` = event kind, `id`, `date`, `time`, `end_date`, `note`,
//!   and the kind's own fields in `detail` (see [`crate::event_fields`]);
//! - `observation`: `kind` = observation kind, `date`, `time`, `value`,
//!   `unit`, `person`, `lineage`, `attribution`, `method`, `assay`,
//!   `sample`, `automated`, `note`, and for chimerism `lod_percent` (the
//!   result's limit of detection) and `detected` (yes/no).
//!
//! The `patient` column holds the patient id; it may be left empty on all
//! but one row, but where given it must be the same everywhere (one patient
//! per file). Lines starting with `#` are comments. See
//! docs/course-format.md for the full description.

mod read;
mod records;
mod stream;
mod write;

pub use read::{CsvLocator, read_csv_str};
pub use stream::read_csv_file;
pub use write::{escape_detail_value, event_detail_cell, to_csv_string};

/// The columns, in the order the writer uses.
pub const COLUMNS: [&str; 20] = [
    "record",
    "patient",
    "id",
    "date",
    "time",
    "end_date",
    "kind",
    "value",
    "unit",
    "person",
    "lineage",
    "attribution",
    "method",
    "assay",
    "sample",
    "automated",
    "note",
    "detail",
    "lod_percent",
    "detected",
];

/// Columns that must be present in the header.
pub const REQUIRED_COLUMNS: [&str; 2] = ["record", "kind"];

/// Accepted values of the `record` column.
pub const RECORD_TYPES: [&str; 5] = ["course", "patient", "donor", "event", "observation"];

/// Accepted `kind`s of `patient` rows.
pub const PATIENT_FACTS: [&str; 14] = [
    "sex",
    "birth_year",
    "height",
    "diagnosis",
    "karyotype",
    "abnormality",
    "mutation",
    "comorbidity",
    "bilirubin_uln",
    "alt_uln",
    "ast_uln",
    "alp_uln",
    "id",
    "mrd_marker",
];

/// Accepted `kind`s of `course` rows.
pub const COURSE_FACTS: [&str; 2] = ["format", "illustrative"];

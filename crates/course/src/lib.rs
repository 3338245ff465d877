//! # graftwatch-course
//!
//! The patient course model: the patient, the donors, dated events (CAR-T,
//! conditioning, graft infusions, DLI, transfusions, drugs, oxygen, ICU,
//! infections, biopsies, death) and dated observations (labs, vitals, GVHD
//! findings, neuro assessments, marrow, MRD, chimerism), with day-0
//! arithmetic relative to any anchor event.
//!
//! Files: a JSON course document and a long CSV (one row per observation or
//! event), read with [`read_course`] and written with [`write_course`]; both
//! give the same [`Course`]. Units are converted to canonical units on input.

pub mod anchor;
pub mod chimerism_attach;
pub mod date_checks;
mod decimal;
pub mod detail;
pub mod diagnostic;
pub mod dose_unit;
pub mod event;
pub mod event_fields;
pub mod io;
pub mod io_csv;
mod json_fast;
pub mod json_lines;
mod json_stream;
mod memo;
pub mod model;
pub mod observation;
pub mod patient;
mod repeats;
pub mod serde_words;
pub mod timeline;
pub mod unknown_fields;
pub mod validate;

pub use anchor::{Anchor, AnchorKind};
pub use chimerism_attach::{
    AttachError, AttachSummary, ChimerismResult, PersonShare, attach_chimerism,
};
pub use diagnostic::{CourseError, Diagnostic, Location, Severity};
pub use event::{
    AgentDose, BiopsyResult, ConditioningIntensity, DliIntent, DrugClass, Event, EventDetail,
    GraftSource, OxygenDevice, TransfusionProduct,
};
pub use io::{LoadedCourse, read_course, write_course, write_course_to};
pub use model::{Course, FORMAT_V1, GraftInfusion};
pub use observation::{
    Attribution, ChimerismMethod, ObsValue, Observation, ObservationKind, ValueSpec, kind_label,
};
pub use patient::{
    Abnormality, AbnormalityKind, Diagnosis, Disease, Donor, DonorRelationship, Karyotype,
    LabReference, Mutation, Patient, Sex,
};

//! # graftwatch-grading
//!
//! The grading engine: from a patient [`Course`](graftwatch_course::Course)
//! to explained day-by-day grades and a course summary.
//!
//! * [`extract`] turns raw events and observations into the inputs each
//!   criterion needs (daily lowest counts, transfusion windows, drug and
//!   oxygen exposure per day, GVHD findings with attribution, CRS/ICANS
//!   inputs after CAR-T, marrow assessments, chimerism samples, risk inputs).
//! * the engine runs the criteria of `graftwatch-criteria` over them.

pub mod config;
pub mod criterion;
pub mod daily;
pub mod engine;
pub mod extract;
pub mod output;
pub mod preview;
pub mod render;
pub mod summary_key;

pub use config::{ConfigError, EngineConfig, GradingConfig, RiskConfig};
pub use criterion::{Criterion, UnknownCriterion};
pub use engine::{grade_course, grade_course_as_of, grade_course_daily, grade_course_only};
pub use output::{CourseGrades, SCHEMA};
pub use summary_key::SummaryKey;

//! A share as tables, CSV and pages report it: one rule for STR and NGS,
//! kept in `graftwatch_core::reported` so that the course's readers (report,
//! ward) show a recorded "not detected" the same way.

pub use graftwatch_core::reported::{Decimals, reported_percent};

//! # graftwatch-criteria
//!
//! The consensus rules, one module per criterion. Each module holds the cited
//! table (source, year, table, provenance `[V]/[S]/[R]`), its input type, an
//! outcome with sub-scores, a pure `compute`/`grade` function and boundary
//! tests on both sides of every threshold. Nothing here does I/O.
//!
//! Every outcome carries an [`Explanation`]: the rule and its version, the
//! citation, the observations (date, value, unit) that decided it, the
//! ambiguity defaults applied (as [`Flag`]s) and, instead of a silent zero,
//! what was missing.

pub mod agvhd;
pub mod bmi_for_age;
pub mod bsa;
pub mod cgvhd_nih;
pub mod cgvhd_steroid;
pub mod chimerism_rise;
pub mod chimerism_state;
pub mod crs;
pub mod day_grid;
pub mod dli;
pub mod dri;
pub mod ebmt_score;
pub mod eln_relapse;
pub mod eln_response;
pub mod eln_risk;
pub mod engraftment;
pub mod explain;
pub mod graft_dose;
pub mod graft_failure;
pub mod graft_rejection;
pub mod gvhd_response;
pub mod hct_ci;
pub mod hematotox;
pub mod icaht;
pub mod icaht_daily;
pub mod icaht_platelets;
pub mod icans;
pub mod magic_biomarkers;
pub mod poor_graft_function;
pub mod series;
pub mod steroid_dose;

pub use explain::{Evidence, Explanation, Flag, Graded};

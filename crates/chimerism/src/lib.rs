//! # graftwatch-chimerism
//!
//! Estimators of the share of blood cells coming from the recipient and from
//! each of N donors: `str` for capillary-electrophoresis STR peak tables and
//! `ngs` for allele read counts at biallelic SNP/indel markers. Pure maths:
//! file formats live in `graftwatch-genomics-io`.

pub mod controls;
pub mod dominance;
pub mod marker;
pub mod ngs;
pub mod purity;
pub mod reported;
pub mod run_gate;
pub mod str;

pub use marker::{AlleleCounts, Marker};

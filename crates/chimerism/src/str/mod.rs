//! STR chimerism by capillary electrophoresis for a recipient and any number
//! of donors (chimerism-methods.md §1).
//!
//! Flow: pure profiles ([`StrProfile`]) of the recipient and each donor →
//! [`StrReferences::new`] calls genotypes ([`genotype`]), informativeness
//! ([`informativeness()`]) and stutter ratios → [`StrReferences::estimate`]
//! fits every post-transplant sample jointly over all informative loci
//! ([`estimate`], [`simplex`]) and reports per-person shares with interval,
//! per-locus detail, the classical one-donor formulas ([`classical`]),
//! detection calls and QC flags ([`qc`]).

pub mod allele;
mod bootstrap;
pub mod calls;
pub mod classical;
pub mod config;
pub mod estimate;
pub mod fit;
pub mod genotype;
pub mod informativeness;
pub mod kit;
pub mod locus;
mod locus_model;
mod outliers;
pub mod profile;
pub mod qc;
pub mod references;
pub mod result;
pub mod sample_qc;
pub mod simplex;
pub mod threshold;

pub use allele::{Allele, AlleleError};
pub use classical::{ClassicalLocus, ClassicalPattern, classical_locus};
pub use config::{StrConfig, StrConfigError};
pub use estimate::StrError;
pub use genotype::{CalledAllele, LocusGenotype, ReferenceGenotype, call_reference};
pub use informativeness::{LocusInformativeness, PersonLocusInfo, informativeness};
pub use kit::{Kit, KitError, KitStutter, dye_letter};
pub use locus::{Locus, UnknownLocus};
pub use profile::{Measure, Peak, StrProfile, UnlabelledPeak};
pub use qc::{StrFlag, StrFlagCode};
pub use references::{StrReferences, StutterRatios, StutterSource};
pub use result::{
    COMPUTED_LOD_LEGEND, COMPUTED_LOD_NAME, Detection, Interval, LocusReport, LocusStatus,
    PeakClass, PeakReport, PersonEstimate, StrSampleResult,
};

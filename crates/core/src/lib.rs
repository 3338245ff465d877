//! # graftwatch-core
//!
//! The shared vocabulary of graftwatch: calendar dates and transplant days,
//! identifiers, measurement units with explicit conversions, bounded
//! percentages, cell lineages and literature citations.
//!
//! This crate does no I/O and has no knowledge of file formats; every other
//! crate depends on it and it depends on nothing of ours.

pub mod citation;
pub mod date;
pub mod de;
pub mod dose;
pub mod glossary;
pub mod ids;
pub mod io_words;
pub mod limits;
pub mod lineage;
pub mod names;
pub mod number;
pub mod percent;
pub mod position;
pub mod reported;
pub mod rng;
pub mod shown;
pub mod units;

pub use citation::{Citation, Provenance};
pub use date::{Date, DateError, DayOffset, TimeOfDay};
pub use dose::CellsPerKg;
pub use ids::{DonorId, PatientId, PersonRef};
pub use limits::{Limit, LimitKind, limit};
pub use lineage::Lineage;
pub use percent::{Fraction, FractionError, Percent, PercentError};
pub use position::{GenomicPosition, PositionError};
pub use rng::SeededRng;
pub use units::{Analyte, Unit, UnitError};

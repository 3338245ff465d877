//! # NGS chimerism at biallelic SNP / indel markers
//!
//! Model (chimerism-methods.md §2): with h_km the ALT dosage of person k at
//! marker m and f_k its fraction (Σf = 1), the expected ALT allele fraction
//! is v_m = Σ_k f_k·h_km/2; reads show ALT with probability
//! p_m = e_ra + v_m(1 − e_ra − e_ar) (directional error rates per allele
//! class, learned from the pure samples), and ALT counts are beta-binomial
//! with one overdispersion per marker class. Fractions are fitted by EM then
//! Fisher scoring on the simplex; intervals are profile-likelihood; limits of
//! blank/detection come from the Fisher information; a one-sided score test
//! asks whether any recipient DNA is present; residuals use the same model.
//!
//! Entry point: [`analyse_sample`]. The `sim` module (feature `sim`, on by
//! default) simulates count-level data for tests and benchmarks.

pub mod analyse;
pub mod design;
pub mod em;
pub mod error_model;
pub mod fit;
pub mod genotype;
pub mod identifiability;
pub mod likelihood;
pub mod lod;
pub mod math;
pub mod presence;
pub mod profile_ci;
pub mod qc;
pub mod result;
pub mod robust;
pub mod run_amplification;
pub mod select;
pub mod sex;
#[cfg(feature = "sim")]
pub mod sim;
pub mod site_model;
#[cfg(test)]
pub(crate) mod test_support;

pub use analyse::{NgsConfig, NgsError, analyse_sample, analyse_sample_with};
pub use error_model::{AlleleClass, ErrorConfig, ErrorModel};
pub use genotype::{Genotype, GenotypeCall, GenotypeConfig, NoCall, call_genotype, call_genotypes};
pub use result::{Exclusion, NgsSampleResult, Person, Role};
pub use run_amplification::{
    AlleleBiasSource, NotUsable, SetAside, learning_check, refine_amplification, run_amplification,
    usable_for_learning,
};
pub use site_model::{ExternalSiteRates, SiteConfig, SiteModel, learn_sites};

use graftwatch_core::{Citation, Provenance};

/// The method reference for the NGS model.
pub const METHOD_CITATION: Citation = Citation {
    source: "graftwatch chimerism-methods reference §2 (biallelic NGS markers: mixture model, beta-binomial likelihood, profile CIs, LoB/LoD from Fisher information)",
    year: 2026,
    table: "§2",
    doi: None,
    provenance: Provenance::Secondary,
    note: "Standard mixture-likelihood chimerism model as used by NGS chimerism kits and allomix; LoB/LoD definitions follow CLSI EP17 (1.645·SD).",
};

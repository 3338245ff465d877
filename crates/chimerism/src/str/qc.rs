//! QC flags raised while calling reference genotypes and estimating a sample.

use std::fmt;

use serde::{Serialize, Serializer};

/// What a flag is about. Serialised as its short code (`STR-STUTTER`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StrFlagCode {
    /// An off-ladder (`OL`) peak was kept.
    OffLadder,
    /// A reference locus shows three or more alleles.
    TriAllelic,
    /// A reference heterozygote's balance (smaller / larger peak) is below the configured minimum.
    HeterozygoteImbalance,
    /// A person has fewer informative loci than the configured minimum (default 3).
    FewInformativeLoci,
    /// A sample peak belongs to no declared person (possible third person, contamination or artefact).
    UnexplainedAllele,
    /// Two donors differ at fewer loci than the minimum: their split is not identifiable.
    DonorsIndistinguishable,
    /// A person's unique allele lies one repeat below another person's allele (back-stutter position).
    StutterPosition,
    /// A locus was excluded as an outlier.
    OutlierLocus,
    /// A locus is missing from the sample or from a reference.
    MissingLocus,
    /// A marker not in the known-loci table was ignored (reader option).
    UnknownMarkerIgnored,
}

impl StrFlagCode {
    /// The short code.
    pub fn code(self) -> &'static str {
        match self {
            StrFlagCode::OffLadder => "STR-OL",
            StrFlagCode::TriAllelic => "STR-TRIALLELIC",
            StrFlagCode::HeterozygoteImbalance => "STR-HB",
            StrFlagCode::FewInformativeLoci => "STR-FEW-LOCI",
            StrFlagCode::UnexplainedAllele => "STR-UNEXPLAINED",
            StrFlagCode::DonorsIndistinguishable => "STR-DONORS-ALIKE",
            StrFlagCode::StutterPosition => "STR-STUTTER",
            StrFlagCode::OutlierLocus => "STR-OUTLIER",
            StrFlagCode::MissingLocus => "STR-MISSING-LOCUS",
            StrFlagCode::UnknownMarkerIgnored => "STR-UNKNOWN-MARKER",
        }
    }
}

impl fmt::Display for StrFlagCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for StrFlagCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A QC flag: a code and what was found or decided, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrFlag {
    /// The code.
    pub code: StrFlagCode,
    /// Details (person, locus, allele, values).
    pub text: String,
}

impl StrFlag {
    /// Builds a flag.
    pub fn new(code: StrFlagCode, text: impl Into<String>) -> StrFlag {
        StrFlag {
            code,
            text: text.into(),
        }
    }
}

impl fmt::Display for StrFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.text)
    }
}
